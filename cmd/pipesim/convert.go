package main

import (
	"context"
	"flag"
	"fmt"

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

// Run prints the pipes file on stdout and what the reading skipped or made up on stderr, then
// checks the file as `pipesim run` would: a design that does not load exits 1 after printing.
func (c *convertCmd) Run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("convert", flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	c.flags.register(fs)
	fs.Lookup("pipes").Usage = "a template given as --pipes is converted too"
	if err := parseFlags(fs, args); err != nil {
		return err
	}
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
