package config

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/pipesim/pipesim/internal/bounded"
	"github.com/pipesim/pipesim/internal/httpdest"
	"github.com/pipesim/pipesim/internal/template"
)

// Defaults for the account that ARNs are built with.
const (
	DefaultRegion    = "us-east-1"
	DefaultAccountID = "000000000000"
)

// Options steer loading.
type Options struct {
	// Lookup resolves ${VAR}; nil means the environment plus the .env beside the file.
	Lookup Lookup
	// Missing is how templates render a path absent from the record.
	Missing template.Missing
	// StripObjectQuotes renders an object or array placed inside a JSON string of a template with
	// its quotes stripped, instead of failing the transformation.
	StripObjectQuotes bool
	// AllowBatching accepts BatchSize > 1 for API destination targets, which AWS rejects; each
	// batch is then sent as one JSON array.
	AllowBatching bool
	// AllowUnsupported accepts filter operators that AWS Pipes rejects, with a warning.
	AllowUnsupported bool
	// Origin, when set, says how messages name an object that came from somewhere else (a
	// CloudFormation resource): given its kind (KindPipe, ...) and name, it returns what to call
	// it and the prefix of its field paths, such as "weatherstatsdemocacheputpipe" and
	// "Properties.". ok false names it as pipesim's own file does: pipe "NAME".
	Origin func(kind, name string) (who, fieldPrefix string, ok bool)
}

// Kinds of objects, as Options.Origin receives them.
const (
	KindPipe        = "pipe"
	KindTable       = "table"
	KindQueue       = "queue"
	KindConnection  = "connection"
	KindDestination = "API destination"
)

// Load reads and validates the pipes file at path.
func Load(path string, opts Options) (*Config, error) {
	data, err := bounded.ReadFile(path, bounded.PipesFile)
	if err != nil {
		return nil, fmt.Errorf("read pipes file: %w", err)
	}
	if opts.Lookup == nil {
		dotenv, err := ReadDotEnv(filepath.Join(filepath.Dir(path), ".env"))
		if err != nil {
			return nil, fmt.Errorf("read .env: %w", err)
		}
		opts.Lookup = Env(dotenv)
	}
	return Parse(path, data, opts)
}

// Parse validates a pipes file's content; name is used in messages. YAML and JSON are accepted.
// Every problem found is reported, each naming its object and field.
func Parse(name string, data []byte, opts Options) (*Config, error) {
	if opts.Lookup == nil {
		opts.Lookup = Env(nil)
	}
	x := &expandedFile{lookup: opts.Lookup}
	ix := indexFile(data)
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(x); err != nil {
		if x.expandErr != nil {
			return nil, fmt.Errorf("%s: %w", name, x.expandErr)
		}
		return nil, fmt.Errorf("%s: %s%s", name, decodeMessage(ix, err), flowVarHint(data, err))
	}
	f := &x.file
	b := &builder{opts: opts, cfg: &Config{Path: name}}
	if opts.Origin == nil { // a design made from a template: the generated file's lines mean nothing to the user
		b.ix = ix
	}
	b.build(f)
	if len(b.errs) > 0 {
		return nil, fmt.Errorf("%s: %w", name, errors.Join(b.errs...))
	}
	return b.cfg, nil
}

// expandedFile decodes the pipes file with ${VAR} expanded in its parsed scalars. yaml.v3's
// Node.Decode cannot reject unknown fields, so the expansion runs inside the decoder that can:
// through the v2-style unmarshaler yaml.v3 still supports, it takes the decoder's own node tree
// (nodeRef), expands its scalars in place, then has the same decoder (KnownFields on, line
// numbers kept) decode it into the file.
type expandedFile struct {
	file      file
	lookup    Lookup
	expandErr error
}

// UnmarshalYAML implements yaml.v3's obsoleteUnmarshaler.
func (x *expandedFile) UnmarshalYAML(unmarshal func(any) error) error {
	var root nodeRef
	if err := unmarshal(&root); err != nil {
		return err
	}
	if x.expandErr = expand(root.n, x.lookup); x.expandErr != nil {
		return x.expandErr
	}
	return unmarshal(&x.file)
}

// nodeRef keeps the node the decoder hands it: the decoder's own, not a copy.
type nodeRef struct{ n *yaml.Node }

func (r *nodeRef) UnmarshalYAML(n *yaml.Node) error {
	r.n = n
	return nil
}

// flowVar is an unquoted ${ right after a flow collection's '{', '[' or ',' (or its key).
var flowVar = regexp.MustCompile(`[\[{,]\s*(?:[^"'\s{\[,][^:\n]*:\s+)?\$\{`)

// flowVarHint explains a YAML syntax error that an unquoted ${VAR} inside { } or [ ] causes:
// YAML ends a plain value at '{' and '}' there, and ${VAR} is expanded only after parsing.
func flowVarHint(data []byte, err error) string {
	var te *yaml.TypeError
	if errors.As(err, &te) || !flowVar.Match(data) {
		return ""
	}
	return ` (a ${VAR} inside { } or [ ] must be quoted: "${VAR}")`
}

// builder turns the parsed file into a Config, collecting every error.
type builder struct {
	opts        Options
	cfg         *Config
	errs        []error
	connections map[string]*httpdest.Connection
	queues      map[string]*Queue
	// declared holds every destination name in the file, valid or not, so a pipe targeting an
	// invalid one does not report it a second time as unknown.
	declared map[string]bool
	// ix finds the file's lines for messages; nil when they would mean nothing to the user.
	ix *fileIndex
}

func (b *builder) fail(format string, args ...any) {
	b.errs = append(b.errs, fmt.Errorf(format, args...))
}

// failAt reports a problem with one field of an object; field "" is the object as a whole. The
// message starts with the line of the pipes file that holds the field (or, when the file leaves
// the field out, its object).
func (b *builder) failAt(kind, name, field, format string, args ...any) {
	line := ""
	if b.ix != nil {
		if n := b.ix.field(kind, name, field); n != nil {
			line = fmt.Sprintf("line %d: ", n.Line)
		}
	}
	b.failAtPos(line, kind, name, field, format, args...)
}

// failAtPos is failAt with the position given: "line 12: ", "line 12, column 7: " or "".
func (b *builder) failAtPos(pos, kind, name, field, format string, args ...any) {
	who, prefix := pos+fmt.Sprintf("%s %q", kind, name), ""
	if b.opts.Origin != nil {
		if w, p, ok := b.opts.Origin(kind, name); ok {
			who, prefix = w, p
		}
	}
	msg := fmt.Sprintf(format, args...)
	if field == "" && prefix != "" {
		field = strings.TrimSuffix(prefix, ".")
	} else if field != "" {
		field = prefix + field
	}
	if field == "" {
		b.fail("%s: %s", who, msg)
		return
	}
	b.fail("%s: %s: %s", who, field, msg)
}

func (b *builder) build(f *file) {
	b.cfg.Region = orDefault(f.Region, DefaultRegion)
	b.cfg.AccountID = orDefault(f.AccountID, DefaultAccountID)
	if !regexp.MustCompile(`^\d{12}$`).MatchString(b.cfg.AccountID) {
		b.fail("AccountId %q: want 12 digits", b.cfg.AccountID)
	}
	b.buildTables(f.Tables)
	b.buildQueues(f.Queues)
	b.buildCaches(f.Caches)
	b.buildConnections(f.Connections)
	b.buildDestinations(f.APIDestinations)
	if len(f.Pipes) == 0 {
		b.fail("Pipes: no pipe defined")
	}
	seen := map[string]bool{}
	for i := range f.Pipes {
		p := b.buildPipe(&f.Pipes[i])
		if p == nil {
			continue
		}
		if seen[p.Name] {
			b.fail("pipe %q: Name: defined twice", p.Name)
		}
		seen[p.Name] = true
		b.cfg.Pipes = append(b.cfg.Pipes, p)
	}
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
