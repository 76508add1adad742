package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"

	"github.com/spf13/pflag"

	"github.com/pipesim/pipesim/internal/check"
	"github.com/pipesim/pipesim/internal/config"
	"github.com/pipesim/pipesim/internal/sim"
	"github.com/pipesim/pipesim/internal/term"
)

// checkCmd is `pipesim check`: the design's mistakes that load without error, before anything
// runs (docs/check.md).
type checkCmd struct {
	streams
	design           designFlags
	allowUnsupported bool
	allowBatching    bool
}

// Run loads the design, prints its findings on stdout and a summary line, and exits 1 when the
// design does not load or a finding is an error. It starts nothing and sends nothing.
func (c *checkCmd) spec() spec {
	return spec{
		use:   "check",
		short: "Find the design's mistakes AWS accepts, before anything runs (docs/check.md)",
		long: `check loads the design as run does and prints what would make it misbehave although AWS accepts
it: filters that never match a stream record, templates and parameters that read what a record
lacks, dead-letter queues nothing reaches, resources no pipe uses... Each finding has a code
(docs/check.md lists them with their AWS sources), names the pipe and field, and says what to do.
It exits 1 when the design does not load or a finding is an error.`,
		example: `  pipesim check --pipes pipes.yaml
  pipesim check --template cdk.out --stack OrdersStack`,
		flags: func(fs *pflag.FlagSet) {
			c.design.register(fs)
			fs.BoolVar(&c.allowUnsupported, "allow-unsupported-filters", false, "accept filter operators AWS Pipes rejects (each is a PS014 warning)")
			fs.BoolVar(&c.allowBatching, "allow-batching", false, "accept BatchSize > 1 for API destination targets, as run --allow-batching does")
		},
		run: func(ctx context.Context, _ []string) error { return c.run(ctx) },
	}
}

// Run runs `pipesim check` with the arguments that follow its name.
func (c *checkCmd) Run(ctx context.Context, args []string) error {
	return execute(ctx, c.streams, c.spec().command(), args)
}

func (c *checkCmd) run(ctx context.Context) error {
	c.design.templateNotice = c.stderr
	pipesFile, tmpl, err := c.design.design()
	if err != nil {
		return err
	}
	lookup, err := sim.LookupIn(designDir(pipesFile, tmpl))
	if err != nil {
		return err
	}
	// The Momento endpoint and key get their values when pipes run; stand-ins check the rest now.
	cfg, err := sim.LoadDesign(pipesFile, tmpl, config.Options{Lookup: dryRunLookup(lookup),
		AllowUnsupported: c.allowUnsupported, AllowBatching: c.allowBatching})
	if err != nil {
		return err
	}
	findings := check.Design(cfg)
	if err := check.Write(c.stdout, "", term.Colour(c.stdout), findings); err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "%s: %s, %s\n", cfg.Path, plural(len(cfg.Pipes), "pipe"), check.Summary(findings))
	if errs, _ := check.Count(findings); errs > 0 {
		return &exitError{code: 1}
	}
	return nil
}

// designDir is the folder whose .env a design reads.
func designDir(pipesFile string, tmpl *sim.Template) string {
	switch {
	case tmpl != nil:
		return tmpl.Dir()
	case pipesFile != "":
		return filepath.Dir(pipesFile)
	}
	return "."
}

// warnFindings prints a design's findings as run, demo, replay and test do at start, each line
// starting with "pipesim: ". It prints nothing for a design without findings.
func warnFindings(w io.Writer, cfg *config.Config) {
	findings := check.Design(cfg)
	if len(findings) == 0 {
		return
	}
	_ = check.Write(w, "pipesim: ", term.Colour(w), findings)
	fmt.Fprintf(w, "pipesim: %s: %s (pipesim check explains; docs/check.md)\n", cfg.Path, check.Summary(findings))
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
