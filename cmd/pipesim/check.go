package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"github.com/pipesim/pipesim/internal/check"
	"github.com/pipesim/pipesim/internal/config"
	"github.com/pipesim/pipesim/internal/sim"
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
func (c *checkCmd) Run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	c.design.register(fs)
	fs.BoolVar(&c.allowUnsupported, "allow-unsupported-filters", false, "accept filter operators AWS Pipes rejects (each is a PS014 warning)")
	fs.BoolVar(&c.allowBatching, "allow-batching", false, "accept BatchSize > 1 for API destination targets, as run --allow-batching does")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
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
	if err := check.Write(c.stdout, "", findings); err != nil {
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
	_ = check.Write(w, "pipesim: ", findings)
	fmt.Fprintf(w, "pipesim: %s: %s (pipesim check explains; docs/check.md)\n", cfg.Path, check.Summary(findings))
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
