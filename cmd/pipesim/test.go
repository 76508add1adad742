package main

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/pipesim/pipesim/internal/config"
	"github.com/pipesim/pipesim/internal/pipetest"
	"github.com/pipesim/pipesim/internal/sim"
)

// testCmd is `pipesim test [FILES]`: declarative pipe tests, reported like `go test`.
type testCmd struct {
	streams
	verbose bool
	run     string
	// design, when given, replaces the test files' own pipes: the same cases against a template.
	design designFlags
	warned map[string]bool // the designs whose findings were printed
}

func (c *testCmd) spec() spec {
	return spec{
		use:   "test [FILE...]",
		short: "Run declarative pipe tests (YAML), reported like go test",
		long: `test runs each test file (default: every *_test.yaml in the current directory). A case gives one
stream record, or a DynamoDB change written plainly, and says what each pipe must do with it:
filter it out, or send a given request; mocked answers make it retry and dead-letter. Nothing is
sent. docs/replay.md describes the file.`,
		example: `  pipesim test testdata/weather-stats/pipes_test.yaml
  pipesim test -v --run 'REMOVE' pipes_test.yaml`,
		args: cobra.ArbitraryArgs,
		flags: func(fs *pflag.FlagSet) {
			fs.BoolVarP(&c.verbose, "verbose", "v", false, "list every case, passed or not")
			fs.StringVar(&c.run, "run", "", "run only the cases whose name matches this regular `expression`")
			c.design.register(fs)
			fs.Lookup("pipes").Usage = "run the cases against this pipes file (or template) instead of each test file's pipes"
			fs.Lookup("template").Usage = "run the cases against this CloudFormation template or cdk.out instead of each test file's pipes (see docs/cloudformation.md)"
		},
		run: c.runFiles,
	}
}

// Run runs `pipesim test` with the arguments that follow its name.
func (c *testCmd) Run(ctx context.Context, args []string) error {
	return execute(ctx, c.streams, c.spec().command(), args)
}

// runFiles runs each test file (default: every *_test.yaml in the current directory) and exits 1
// when a case fails or a file cannot be loaded. It blocks until every case ran.
func (c *testCmd) runFiles(ctx context.Context, files []string) error {
	filter, err := regexp.Compile(c.run)
	if err != nil {
		return &exitError{code: 2, err: fmt.Errorf("test: --run: %w", err)}
	}
	if len(files) == 0 {
		if files, _ = filepath.Glob("*_test.yaml"); len(files) == 0 {
			return &exitError{code: 2, err: fmt.Errorf("test: no test files given and no *_test.yaml here")}
		}
	}
	c.design.templateNotice = c.stderr
	load, err := c.loader()
	if err != nil {
		return err
	}
	ok := true
	c.warned = map[string]bool{}
	for _, path := range files {
		ok = c.file(ctx, path, filter, load) && ok
	}
	if !ok {
		return &exitError{code: 1}
	}
	return nil
}

// loader is the design the flags give, nil when they give none (each file's own pipes).
func (c *testCmd) loader() (pipetest.Loader, error) {
	if c.design.pipesFile == "" && c.design.template == "" {
		if name := c.design.templateFlagsSet(); name != "" {
			return nil, &exitError{code: 2, err: fmt.Errorf("test: %s needs --template", name)}
		}
		return nil, nil
	}
	pipesFile, tmpl, err := c.design.design()
	if err != nil {
		return nil, err
	}
	return func(lookup config.Lookup) (*config.Config, error) {
		return sim.LoadDesign(pipesFile, tmpl, config.Options{Lookup: lookup})
	}, nil
}

func (c *testCmd) file(ctx context.Context, path string, filter *regexp.Regexp, load pipetest.Loader) bool {
	start := time.Now()
	f, err := pipetest.LoadWith(path, load)
	if err != nil {
		fmt.Fprintf(c.stdout, "%v\nFAIL\t%s [setup failed]\n", err, path)
		return false
	}
	if !c.warned[f.Config.Path] { // once per design, however many test files share it
		c.warned[f.Config.Path] = true
		warnFindings(c.stderr, f.Config)
	}
	cases := f.Cases[:0:0]
	for _, cs := range f.Cases {
		if filter.MatchString(cs.Name) {
			cases = append(cases, cs)
		}
	}
	f.Cases = cases
	return pipetest.Report(c.stdout, path, f.Run(ctx), c.verbose, time.Since(start))
}
