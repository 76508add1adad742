package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/pipesim/pipesim/internal/sim"
)

// runCmd is `pipesim run`: the pipes of a pipes file, running against DynamoDB Local until
// Ctrl-C.
type runCmd struct {
	streams
	flags simFlags
	quiet bool
}

func (c *runCmd) Run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	c.flags.register(fs)
	fs.BoolVar(&c.quiet, "quiet", false, "no line per execution on the terminal")
	opts, err := c.flags.parse(fs, args, c.stderr)
	if err != nil {
		return err
	}
	if !c.quiet {
		opts.Trace = sim.NewTracer(c.stdout).Trace
	}
	s, err := sim.Start(ctx, opts)
	if err != nil {
		return err
	}
	defer s.Close()
	c.announce(s)
	return s.Run(ctx, func() { fmt.Fprintln(c.stderr, "pipesim: all pipes polling; Ctrl-C stops") })
}

func (c *runCmd) announce(s *sim.Sim) {
	if s.Embedded != nil {
		fmt.Fprintf(c.stderr, "pipesim: embedded Momento HTTP API on %s (caches: %v)\n", s.MomentoURL, s.Config.Caches)
	}
	for _, p := range s.Config.Pipes {
		state := "RUNNING"
		if !p.Running {
			state = "STOPPED"
		}
		fmt.Fprintf(c.stderr, "pipesim: pipe %s (%s) %s -> %s %s\n", p.Name, state, p.Source, p.Target.Dest.Method, p.Target.Dest.Endpoint)
	}
}
