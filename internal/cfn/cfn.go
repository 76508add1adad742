package cfn

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/pipesim/pipesim/internal/bounded"
	"github.com/pipesim/pipesim/internal/config"
)

const (
	samTransform          = "AWS::Serverless-2016-10-31"
	languageExtensions    = "AWS::LanguageExtensions"
	cdkBootstrapParameter = "BootstrapVersion"
	// momentoEndpointVar is pipesim's variable for the Momento HTTP API endpoint (see
	// internal/sim): a destination at ${MOMENTO_API_ENDPOINT} is Momento's.
	momentoEndpointVar = "MOMENTO_API_ENDPOINT"
)

// Options steer reading a template.
type Options struct {
	// Stack picks a stack of a cdk.out directory (its artifact ID, stack name or display name);
	// it may be empty when there is one. It is also AWS::StackName.
	Stack string
	// Parameters are --parameter-overrides; SSM parameter values are looked up here by name too.
	Parameters map[string]string
	// Region and Account are AWS::Region and AWS::AccountId; empty takes the cdk.out stack's
	// environment, else config.DefaultRegion and config.DefaultAccountID.
	Region, Account string
	// Imports are the values of Fn::ImportValue, by export name.
	Imports map[string]string
	// Secrets are the values of secrets the template does not define, by name or ARN.
	Secrets map[string]string
	// Lookup is the environment, then .env beside the template: parameters, secrets and SSM
	// parameters not given above are looked up there. nil looks nothing up.
	Lookup config.Lookup
	// Bind gives stack parameters the value of a pipesim variable, as a ${NAME} reference:
	// {"MomentoApiEndpoint": "MOMENTO_API_ENDPOINT"} points the seed's destinations at whatever
	// Momento pipesim uses (its embedded server unless MOMENTO_API_ENDPOINT is set).
	Bind map[string]string
}

// Result is a template read into pipesim's pipes file.
type Result struct {
	// Name names the template in messages: its path, and the stack of a cdk.out.
	Name string
	// File is the design in pipesim's own file format: what `pipesim convert` prints. Secrets
	// are ${NAME} references, and a literal $ before { or $ is written $$.
	File []byte
	// Lookup answers the file's secret references, then asks Options.Lookup.
	Lookup config.Lookup
	// Notes are what to tell the user once, at start: the resources skipped, the stand-in values
	// of references to resources pipesim does not run, secrets made up.
	Notes []string

	origins map[string]string
}

// Origin names an object of the file by the resource it came from, for config.Options.Origin.
func (r *Result) Origin(kind, name string) (string, string, bool) {
	id, ok := r.origins[kind+"\x00"+name]
	return id, "Properties.", ok
}

// Config validates the file with internal/config, naming the resources in its messages. opts's
// Lookup, when set, is asked after the template's secrets.
func (r *Result) Config(opts config.Options) (*config.Config, error) {
	lookup := r.Lookup
	if opts.Lookup != nil {
		lookup = chain(r.Lookup, opts.Lookup)
	}
	opts.Lookup, opts.Origin = lookup, r.Origin
	return config.Parse(r.Name, r.File, opts)
}

func chain(first, then config.Lookup) config.Lookup {
	return func(name string) (string, bool) {
		if v, ok := first(name); ok {
			return v, true
		}
		return then(name)
	}
}

// IsTemplate reports whether path is a CloudFormation template or a cdk.out directory rather
// than a pipes file, from its content.
func IsTemplate(path string) (bool, error) {
	st, err := os.Stat(path)
	if err != nil {
		return false, err
	}
	if st.IsDir() {
		return true, nil
	}
	data, err := bounded.ReadFile(path, bounded.PipesFile)
	if err != nil {
		return false, err
	}
	return looksLikeTemplate(data) || isManifest(data), nil
}

// Load reads the template at path: a template file, a cdk.out directory or its manifest.json.
func Load(path string, opts Options) (*Result, error) {
	file, env, err := locate(path, opts.Stack)
	if err != nil {
		return nil, err
	}
	data, err := bounded.ReadFile(file, bounded.PipesFile)
	if err != nil {
		return nil, err
	}
	name := file
	if env.stack != "" {
		name = fmt.Sprintf("%s (stack %s)", file, env.stack)
	}
	if opts.Stack == "" {
		opts.Stack = env.stack
	}
	if opts.Stack == "" {
		opts.Stack = stackNameOf(file)
	}
	if opts.Region == "" {
		opts.Region = env.region
	}
	if opts.Account == "" {
		opts.Account = env.account
	}
	r, err := Read(name, data, opts)
	if err != nil {
		return nil, err
	}
	return r, nil
}

// stackNameOf makes a stack name of a template's file name: weather-stats.template.json
// becomes weather-stats.
func stackNameOf(file string) string {
	base := filepath.Base(file)
	for _, ext := range []string{".json", ".yaml", ".yml", ".template"} {
		base = strings.TrimSuffix(base, ext)
	}
	base = regexp.MustCompile(`[^A-Za-z0-9-]+`).ReplaceAllString(base, "-")
	if base == "" || !(base[0] >= 'a' && base[0] <= 'z' || base[0] >= 'A' && base[0] <= 'Z') {
		base = "stack-" + base
	}
	return strings.Trim(base, "-")
}

// Read resolves a template's content; name is used in messages.
func Read(name string, data []byte, opts Options) (*Result, error) {
	t, err := parseTemplate(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	s, err := newStack(t, opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	f, err := s.run()
	if err != nil {
		return nil, fmt.Errorf("%s: %s", name, showMarkers(err.Error()))
	}
	out, err := render(f, name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	vars := s.vars
	lookup := func(n string) (string, bool) {
		v, ok := vars[n]
		return v, ok
	}
	if opts.Lookup != nil {
		lookup = chain(lookup, opts.Lookup)
	}
	return &Result{Name: name, File: out, Lookup: lookup, Notes: s.notes(), origins: s.origins}, nil
}

// stack is one template being resolved.
type stack struct {
	t                     *template
	opts                  Options
	name, region, account string
	partition, urlSuffix  string
	params                map[string]any
	conds                 map[string]bool
	condBusy              map[string]bool
	res                   map[string]*resource
	vars                  map[string]string // pipesim variables cfn defines: secrets, NoEcho parameters
	secretVars            map[string]bool
	secretValues          map[string]string // by logical ID, once evaluated
	streamTables          map[string]string // made-up stream ARN -> table
	deadLetterARNs        map[string]bool
	origins               map[string]string
	stubs, skipped, extra []string
	stubSeen              map[string]bool
}

func newStack(t *template, opts Options) (*stack, error) {
	s := &stack{t: t, opts: opts, name: opts.Stack, region: opts.Region, account: opts.Account,
		conds: map[string]bool{}, condBusy: map[string]bool{}, vars: map[string]string{},
		secretVars: map[string]bool{}, secretValues: map[string]string{}, streamTables: map[string]string{},
		deadLetterARNs: map[string]bool{}, origins: map[string]string{}, stubSeen: map[string]bool{}}
	if s.region == "" {
		s.region = config.DefaultRegion
	}
	if s.account == "" {
		s.account = config.DefaultAccountID
	}
	if !regexp.MustCompile(`^\d{12}$`).MatchString(s.account) {
		return nil, fmt.Errorf("account %q: want 12 digits", s.account)
	}
	if !regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d+$`).MatchString(s.region) {
		return nil, fmt.Errorf("region %q: want a region such as us-east-1", s.region)
	}
	if s.name == "" {
		s.name = "pipesim"
	}
	s.partition, s.urlSuffix = partitionOf(s.region)
	return s, nil
}

func (s *stack) run() (*outFile, error) {
	if err := s.readResources(); err != nil {
		return nil, err
	}
	if err := s.resolveParameters(); err != nil {
		return nil, err
	}
	if err := s.checkCycles(); err != nil {
		return nil, err
	}
	return s.build()
}

// note records something to tell the user once.
func (s *stack) note(format string, args ...any) {
	s.extra = append(s.extra, fmt.Sprintf(format, args...))
}

func (s *stack) notes() []string {
	var out []string
	if len(s.skipped) > 0 {
		out = append(out, fmt.Sprintf("skipped %d resources pipesim does not run: %s", len(s.skipped), strings.Join(s.skipped, ", ")))
	}
	if len(s.stubs) > 0 {
		out = append(out, "references to resources pipesim does not run, given stand-in values: "+strings.Join(s.stubs, "; "))
	}
	return append(out, s.extra...)
}

func joinErrs(errs []error) error {
	if len(errs) == 0 {
		return nil
	}
	return errors.Join(errs...)
}

func sortedStrings(list []string) []string {
	out := append([]string(nil), list...)
	sort.Strings(out)
	return out
}
