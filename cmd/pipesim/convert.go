package main

import (
	"context"
	"fmt"

	"github.com/spf13/pflag"

	"github.com/pipesim/pipesim/internal/cfn"
	"github.com/pipesim/pipesim/internal/config"
	"github.com/pipesim/pipesim/internal/sim"
)

// convertCmd is `pipesim convert`: a CloudFormation template or cdk.out in pipesim's own pipes
// file format, as pipesim understands it.
type convertCmd struct {
	streams
	flags designFlags
}

func (c *convertCmd) spec() spec {
	return spec{
		use:   "convert --template FILE",
		short: "Print a CloudFormation template's or cdk.out's pipes as pipesim's own pipes file",
		long: `convert reads a CloudFormation template (JSON or YAML, SAM too) or a cdk.out directory and prints
its tables, queues, connections, API destinations and pipes as a pipes file, as pipesim understands
them (docs/cloudformation.md). What the reading skipped or made up goes to stderr. The result is
then loaded as run would load it: a design that does not load exits 1 after printing.`,
		example: `  pipesim convert --template cdk.out --parameter-overrides ApiEndpoint=https://api.example.com > pipes.yaml`,
		flags: func(fs *pflag.FlagSet) {
			c.flags.register(fs)
			fs.Lookup("pipes").Usage = "a template given as --pipes is converted too"
		},
		run: func(ctx context.Context, _ []string) error { return c.run(ctx) },
	}
}

// Run runs `pipesim convert` with the arguments that follow its name.
func (c *convertCmd) Run(ctx context.Context, args []string) error {
	return execute(ctx, c.streams, c.spec().command(), args)
}

// run prints the pipes file on stdout and what the reading skipped or made up on stderr, then
// checks the file as `pipesim run` would: a design that does not load exits 1 after printing.
func (c *convertCmd) run(ctx context.Context) error {
	c.flags.templateNotice = c.stderr
	_, tmpl, err := c.flags.design()
	if err != nil {
		return err
	}
	if tmpl == nil {
		return &exitError{code: 2, err: fmt.Errorf("convert: give --template: a CloudFormation template or a cdk.out directory")}
	}
	lookup, err := sim.LookupIn(tmpl.Dir())
	if err != nil {
		return err
	}
	opts := tmpl.Options
	opts.Lookup = lookup
	r, err := cfn.Load(tmpl.Path, opts)
	if err != nil {
		return err
	}
	for _, n := range r.Notes {
		tmpl.Notice(n)
	}
	if _, err := c.stdout.Write(r.File); err != nil {
		return err
	}
	// pipesim's own variables get their values when pipes run; stand-ins check the rest now.
	check := func(name string) (string, bool) {
		if v, ok := lookup(name); ok {
			return v, true
		}
		switch name {
		case sim.EnvMomentoEndpoint:
			return dryRunEndpoint, true
		case sim.EnvMomentoKey:
			return dryRunKey, true
		}
		return "", false
	}
	if _, err := r.Config(config.Options{Lookup: check}); err != nil {
		return fmt.Errorf("the converted design does not load: %w", err)
	}
	return nil
}
