package pipetest

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"slices"

	"go.yaml.in/yaml/v3"

	"github.com/pipesim/pipesim/internal/bounded"
	"github.com/pipesim/pipesim/internal/cfn"
	"github.com/pipesim/pipesim/internal/config"
)

// ErrBadTestFile: a test file cannot be read as one.
var ErrBadTestFile = errors.New("bad pipe test file")

// Outcomes a case can expect of a pipe; all but Filtered and Retrying are pipe.Outcome values.
const (
	Filtered     = "filtered"
	Succeeded    = "succeeded"
	DeadLettered = "dead-lettered"
	Dropped      = "dropped"
	// Retrying: the pipe was still retrying when the case's attempt limit was reached.
	Retrying = "retrying"
)

var outcomes = []string{Filtered, Succeeded, DeadLettered, Dropped, Retrying}

// File is a loaded test file with its pipes file.
type File struct {
	Path   string
	Config *config.Config
	Cases  []*Case
}

type fileSpec struct {
	Pipes string            `yaml:"pipes"`
	Env   map[string]string `yaml:"env"`
	Cases []*Case           `yaml:"cases"`
}

// Case is one test case.
type Case struct {
	Name   string             `yaml:"name"`
	Record *Node              `yaml:"record"` // a stream record, as a YAML mapping or a JSON string
	Change *Change            `yaml:"change"`
	Expect map[string]*Expect `yaml:"expect"`
	// MaxAttempts ends a case whose pipe keeps retrying; 0 means 20.
	MaxAttempts int `yaml:"maxAttempts"`

	line int
}

// Expect is what one pipe must do with the case's record.
type Expect struct {
	Outcome  string      `yaml:"outcome"`
	Attempts int         `yaml:"attempts"` // requests sent; 0 does not check
	Request  *Request    `yaml:"request"`
	Respond  []*Response `yaml:"respond"`
}

// UnmarshalYAML reads either a mapping or an outcome alone ("filtered").
func (e *Expect) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		e.Outcome = n.Value
		return nil
	}
	type plain Expect
	return n.Decode((*plain)(e))
}

// Request is the expected request; empty fields are not checked. Headers are checked one by one:
// other headers may be present.
type Request struct {
	Method  string            `yaml:"method"`
	URL     string            `yaml:"url"`
	Headers map[string]string `yaml:"headers"`
	Body    *string           `yaml:"body"` // exact bytes
	JSON    *Node             `yaml:"json"` // equal JSON: a YAML value, or a JSON string
}

// Response is one mocked answer of the destination; the last one repeats.
type Response struct {
	Status  int               `yaml:"status"`
	Headers map[string]string `yaml:"headers"`
	Body    string            `yaml:"body"`
	// Error, instead of a status, fails the request without an answer: "timeout" is no answer
	// within the 5-second timeout, counted against MaximumRetryAttempts; anything else is a
	// connection failure, retried without counting.
	Error string `yaml:"error"`
}

// Node keeps a YAML value undecoded. (A plain yaml.Node field would be checked against the
// decoder's known fields as if it were a struct.)
type Node struct{ yaml.Node }

// UnmarshalYAML keeps n as it is.
func (x *Node) UnmarshalYAML(n *yaml.Node) error {
	x.Node = *n
	return nil
}

// Loader loads the design a test file's cases run against; lookup is the test file's env.
type Loader func(lookup config.Lookup) (*config.Config, error)

// Load reads a test file and the pipes file it names (default pipes.yaml beside it), which may
// also be a CloudFormation template or a cdk.out directory (its parameters then come from env
// too). ${VAR} in the pipes file is resolved from the test file's env only, so a test gives the
// same result on every machine. Errors name the file, the line and the case.
func Load(path string) (*File, error) {
	return LoadWith(path, nil)
}

// LoadWith is Load with the design loaded by load instead of from the file's pipes (nil: as
// Load does): `pipesim test --template` runs a test file's cases against the team's stack.
func LoadWith(path string, load Loader) (*File, error) {
	data, err := bounded.ReadFile(path, bounded.PipesFile)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadTestFile, err)
	}
	spec, err := parse(path, data)
	if err != nil {
		return nil, err
	}
	pipes := spec.Pipes
	if pipes == "" {
		pipes = "pipes.yaml"
	}
	if !filepath.IsAbs(pipes) {
		pipes = filepath.Join(filepath.Dir(path), pipes)
	}
	lookup := func(name string) (string, bool) {
		v, ok := spec.Env[name]
		return v, ok
	}
	if load == nil {
		load = func(lookup config.Lookup) (*config.Config, error) { return loadPipes(pipes, lookup) }
	}
	cfg, err := load(lookup)
	if err != nil {
		return nil, fmt.Errorf("%s: pipes file: %w", path, err)
	}
	f := &File{Path: path, Config: cfg, Cases: spec.Cases}
	return f, f.validate()
}

// parse decodes a test file, rejecting unknown fields.
func parse(path string, data []byte) (*fileSpec, error) {
	var spec fileSpec
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&spec); err != nil {
		return nil, fmt.Errorf("%w: %s: %s", ErrBadTestFile, path, config.YAMLMessage(data, err, spec))
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err == nil {
		caseLines(&root, spec.Cases)
	}
	if len(spec.Cases) == 0 {
		return nil, fmt.Errorf("%w: %s: no cases", ErrBadTestFile, path)
	}
	return &spec, nil
}

// caseLines records the line of each case, for messages.
func caseLines(root *yaml.Node, cases []*Case) {
	if len(root.Content) == 0 {
		return
	}
	m := root.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == "cases" {
			for j, n := range m.Content[i+1].Content {
				if j < len(cases) && cases[j] != nil {
					cases[j].line = n.Line
				}
			}
		}
	}
}

// validate checks every case against the pipes file.
func (f *File) validate() error {
	var errs []error
	names := map[string]bool{}
	for i, c := range f.Cases {
		if c == nil {
			errs = append(errs, fmt.Errorf("%s: case %d: empty", f.Path, i))
			continue
		}
		if names[c.Name] {
			errs = append(errs, f.caseErr(c, "duplicate case name"))
		}
		names[c.Name] = true
		if err := f.validateCase(c); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%w: %w", ErrBadTestFile, errors.Join(errs...))
	}
	return nil
}

func (f *File) caseErr(c *Case, format string, args ...any) error {
	return fmt.Errorf("%s:%d: case %q: %s", f.Path, c.line, c.Name, fmt.Sprintf(format, args...))
}

func (f *File) validateCase(c *Case) error {
	switch {
	case c.Name == "":
		return f.caseErr(c, "name is missing")
	case (c.Record == nil) == (c.Change == nil):
		return f.caseErr(c, "give exactly one of record and change")
	case len(c.Expect) == 0:
		return f.caseErr(c, "expect is missing: say what at least one pipe does")
	case c.MaxAttempts < 0:
		return f.caseErr(c, "maxAttempts %d: want at least 1", c.MaxAttempts)
	}
	for name, e := range c.Expect {
		if err := f.validateExpect(c, name, e); err != nil {
			return err
		}
	}
	return nil
}

func (f *File) validateExpect(c *Case, name string, e *Expect) error {
	p := f.pipe(name)
	switch {
	case p == nil:
		return f.caseErr(c, "expect: unknown pipe %q", name)
	case !p.Running:
		return f.caseErr(c, "expect: pipe %q is STOPPED", name)
	case e == nil:
		return f.caseErr(c, "expect.%s: empty", name)
	case e.Outcome == "" && e.Request == nil && e.Attempts == 0:
		return f.caseErr(c, "expect.%s: give an outcome, a request or attempts", name)
	case e.Outcome != "" && !slices.Contains(outcomes, e.Outcome):
		return f.caseErr(c, "expect.%s.outcome %q: want one of %v", name, e.Outcome, outcomes)
	case e.Request != nil && e.Request.Body != nil && e.Request.JSON != nil:
		return f.caseErr(c, "expect.%s.request: give body or json, not both", name)
	}
	for i, r := range e.Respond {
		if r == nil || (r.Error == "") == (r.Status == 0) || (r.Status != 0 && (r.Status < 100 || r.Status > 599)) {
			return f.caseErr(c, "expect.%s.respond[%d]: want a status (100-599) or an error", name, i)
		}
	}
	return nil
}

func (f *File) pipe(name string) *config.Pipe {
	for _, p := range f.Config.Pipes {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// loadPipes loads a pipes file, or a template or cdk.out found where the pipes file would be.
func loadPipes(path string, lookup config.Lookup) (*config.Config, error) {
	if is, err := cfn.IsTemplate(path); err != nil || !is {
		return config.Load(path, config.Options{Lookup: lookup})
	}
	r, err := cfn.Load(path, cfn.Options{Lookup: lookup})
	if err != nil {
		return nil, err
	}
	return r.Config(config.Options{})
}
