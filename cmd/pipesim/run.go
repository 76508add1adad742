package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/pipesim/pipesim/internal/momento"
	"github.com/pipesim/pipesim/internal/pipe"
	"github.com/pipesim/pipesim/internal/sim"
	"github.com/pipesim/pipesim/internal/webui"
)

// runCmd is `pipesim run`: the pipes of a pipes file, running against DynamoDB Local until
// Ctrl-C.
type runCmd struct {
	streams
	flags simFlags
	quiet bool
	web   string
}

func (c *runCmd) Run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	c.flags.register(fs)
	fs.BoolVar(&c.quiet, "quiet", false, "no line per execution on the terminal")
	fs.StringVar(&c.web, "web", "", "serve a web page on this address (e.g. 127.0.0.1:8080): put and delete items, see the tables, caches, topic messages and dead-letter queues")
	opts, err := c.flags.parse(fs, args, c.stderr)
	if err != nil {
		return err
	}
	if !c.quiet {
		opts.Trace = sim.NewTracer(c.stdout).Trace
	}
	var web net.Listener
	if c.web != "" { // listen first: a taken address stops pipesim before anything starts
		if web, err = net.Listen("tcp", c.web); err != nil {
			return &exitError{code: 2, err: fmt.Errorf("--web: %w", err)}
		}
		defer web.Close()
	}
	s, err := sim.Start(ctx, opts)
	if err != nil {
		return err
	}
	defer s.Close()
	c.announce(s)
	if web != nil {
		stop := c.serveWeb(ctx, s, web)
		defer stop()
	}
	return s.Run(ctx, func() { fmt.Fprintln(c.stderr, "pipesim: all pipes polling; Ctrl-C stops") })
}

func (c *runCmd) announce(s *sim.Sim) {
	if s.Embedded != nil && usesMomento(s) {
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

// usesMomento reports whether a destination points at the Momento pipesim started: a template's
// destinations may point elsewhere, and then the embedded server is not worth a line.
func usesMomento(s *sim.Sim) bool {
	for _, d := range s.Config.Destinations {
		if strings.HasPrefix(d.Endpoint, s.MomentoURL) {
			return true
		}
	}
	return false
}

// serveWeb serves the web page on ln, and subscribes it to the pipes' topics, until the returned
// function is called.
func (c *runCmd) serveWeb(ctx context.Context, s *sim.Sim, ln net.Listener) (stop func()) {
	ui := &webui.Server{DynamoDB: s.DynamoDB, Tables: s.Config.Tables, Caches: s.Config.Caches, Queues: s.Config.Queues,
		Topics: webui.TopicsOf(s.Config), Momento: &momento.Client{BaseURL: s.MomentoURL, Token: s.MomentoToken}}
	if s.DeadLetters == pipe.DeadLetters(s.DLQ) { // the local queue files; SQS queues are not shown
		ui.DeadLetters = s.DLQ.Messages
	}
	ctx, cancel := context.WithCancel(ctx)
	ui.Subscribe(ctx)
	srv := &http.Server{Handler: ui.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln) // returns when srv closes
	fmt.Fprintf(c.stderr, "pipesim: web page on http://%s/\n", ln.Addr())
	return func() {
		cancel()
		srv.Close()
	}
}
