package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/pipesim/pipesim/internal/config"
	"github.com/pipesim/pipesim/internal/momento"
	"github.com/pipesim/pipesim/internal/pipe"
	"github.com/pipesim/pipesim/internal/sim"
	"github.com/pipesim/pipesim/internal/webui"
)

// runCmd is `pipesim run`: the pipes of a pipes file, running against DynamoDB Local until
// Ctrl-C.
type runCmd struct {
	streams
	flags       simFlags
	quiet       bool
	web         string
	allowRemote bool
}

func (c *runCmd) spec() spec {
	return spec{
		use:   "run",
		short: "Run a design's pipes against DynamoDB Local until Ctrl-C, a line per execution",
		long: `run loads the design (the embedded weather-stats design, a pipes file with --pipes, or a
CloudFormation template or cdk.out with --template), prints what pipesim check finds in it, starts
DynamoDB Local (or uses --dynamodb-endpoint), creates the declared tables, starts the embedded
Momento server when no real endpoint is configured, and runs every RUNNING pipe until Ctrl-C.
Each execution is a line on stdout; -v adds the request and response. Checkpoints, dead-letter
queues and execution logs go under --state-dir.`,
		example: `  pipesim run
  pipesim run --pipes pipes.yaml -v
  pipesim run --template cdk.out --parameter-overrides ApiEndpoint=https://api.example.com
  pipesim run --momento-fault cache-put=503,503,200 --web 127.0.0.1:8080`,
		flags: func(fs *pflag.FlagSet) {
			c.flags.register(fs)
			fs.BoolVar(&c.quiet, "quiet", false, "no line per execution on the terminal")
			fs.StringVar(&c.web, "web", "", "serve a web page on this `address` (e.g. 127.0.0.1:8080): put and delete items, watch each execution live (filter decisions, requests, answers, retries, dead letters), the tables, the destinations' side and the dead-letter queues; open it at the URL run prints (it holds the token that writes need)")
			fs.BoolVar(&c.allowRemote, "web-allow-remote", false, "let --web listen on an address other machines reach (not loopback), with a warning")
		},
		run: func(ctx context.Context, _ []string) error { return c.run(ctx) },
	}
}

// Run runs `pipesim run` with the arguments that follow its name.
func (c *runCmd) Run(ctx context.Context, args []string) error {
	return execute(ctx, c.streams, c.spec().command(), args)
}

func (c *runCmd) run(ctx context.Context) error {
	opts, err := c.flags.settings(c.stderr)
	if err != nil {
		return err
	}
	if !c.quiet {
		opts.Trace = newTracer(c.stdout, c.flags.verbose).Trace
	}
	opts.Loaded = func(cfg *config.Config) { warnFindings(c.stderr, cfg) }
	var web net.Listener
	if c.web != "" { // listen first: a taken address stops pipesim before anything starts
		if web, err = c.listenWeb(); err != nil {
			return err
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

// pageURL is the URL to open the page at, with the run's token: the name given with --web, or
// 127.0.0.1 when it listens on every interface.
func pageURL(addr net.Addr, host, token string) string {
	tcp := addr.(*net.TCPAddr)
	if host == "" || tcp.IP.IsUnspecified() && net.ParseIP(host) != nil {
		host = "127.0.0.1"
	}
	return fmt.Sprintf("http://%s/?token=%s", net.JoinHostPort(host, strconv.Itoa(tcp.Port)), token)
}

func (c *runCmd) announce(s *sim.Sim) {
	announceState(c.stderr, s)
	if s.Momento != nil {
		announceMomento(c.stderr, s)
	}
	for _, p := range s.Config.Pipes {
		state := "RUNNING"
		if !p.Running {
			state = "STOPPED"
		}
		local := ""
		if s.IsLocal(p.Target.Dest) {
			local = " (answered by pipesim: --local-destinations)"
		}
		fmt.Fprintf(c.stderr, "pipesim: pipe %s (%s) %s -> %s %s%s\n", p.Name, state, p.Source, p.Target.Dest.Method, p.Target.Dest.Endpoint, local)
	}
}

// announceMomento says where the embedded Momento is, the key it accepts (when pipesim made it
// up: a key the user gave is never printed), and how to try it and connect an application.
func announceMomento(w io.Writer, s *sim.Sim) {
	emb := s.Momento
	fmt.Fprintf(w, "pipesim: embedded Momento: HTTP API %s, gRPC %s (TLS and plain text; caches: %s)\n",
		emb.URL, emb.GRPCAddr, strings.Join(s.Config.Caches, ", "))
	if emb.MadeUp {
		fmt.Fprintf(w, "pipesim: Momento API key (pipesim's development key for %s): %s\n", emb.GRPCAddr, emb.Token)
	} else {
		fmt.Fprintln(w, "pipesim: Momento API key: the one you gave (MOMENTO_API_KEY or --momento-api-key)")
	}
	cache := "CACHE"
	if len(s.Config.Caches) > 0 {
		cache = s.Config.Caches[0]
	}
	printTryIt(w, "pipesim: ", emb, cache, s.StateDir())
}

// listenWeb listens on --web. An address other machines can reach (not loopback) needs
// --web-allow-remote, and is announced with a warning.
func (c *runCmd) listenWeb() (net.Listener, error) {
	ln, err := net.Listen("tcp", c.web)
	if err != nil {
		return nil, &exitError{code: 2, err: fmt.Errorf("--web: %w", err)}
	}
	if ip := ln.Addr().(*net.TCPAddr).IP; !ip.IsLoopback() {
		if !c.allowRemote {
			ln.Close()
			return nil, &exitError{code: 2, err: fmt.Errorf("--web %s listens on %s, which other machines can reach: use a loopback address such as 127.0.0.1:PORT, or add --web-allow-remote", c.web, ln.Addr())}
		}
		fmt.Fprintf(c.stderr, "pipesim: warning: the web page listens on %s, which other machines can reach: they can read the tables, caches and dead letters; writes need the token in the URL below\n", ln.Addr())
	}
	return ln, nil
}

// serveWeb serves the web page on ln, and subscribes it to the pipes' topics, until the returned
// function is called. The page answers only Host values naming ln, and writes need the token in
// the URL it prints.
func (c *runCmd) serveWeb(ctx context.Context, s *sim.Sim, ln net.Listener) (stop func()) {
	host, _, _ := net.SplitHostPort(c.web)
	ui := &webui.Server{DynamoDB: s.DynamoDB, Tables: s.PageTables(ctx), Caches: s.Config.Caches, Queues: s.Config.Queues,
		MomentoURL: s.MomentoURL, Pipes: webui.PipesOf(s.Config, s.MomentoURL, s.IsLocal), Secrets: webui.SecretsOf(s.Config),
		Token: webui.NewToken(), Hosts: webui.Hosts(ln.Addr(), host)}
	if s.MomentoURL != "" {
		ui.Momento = &momento.Client{BaseURL: s.MomentoURL, Token: s.MomentoToken}
		ui.Topics = webui.TopicsOf(s.Config)
	}
	if s.DeadLetters == pipe.DeadLetters(s.DLQ) { // the local queue files; SQS queues are not shown
		ui.DeadLetters = s.DLQ.Messages
	}
	s.AlsoTrace(ui.Trace) // every execution, live on the page
	ctx, cancel := context.WithCancel(ctx)
	ui.Subscribe(ctx)
	srv := &http.Server{Handler: ui.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln) // returns when srv closes
	fmt.Fprintf(c.stderr, "pipesim: web page on %s\n", pageURL(ln.Addr(), host, ui.Token))
	return func() {
		cancel()
		srv.Close()
	}
}

// announceState says in one line what the run reuses from the state directory (or removed to
// start fresh), then where DynamoDB is and how to use it from the user's own tools.
func announceState(w io.Writer, s *sim.Sim) {
	fmt.Fprintf(w, "pipesim: %s\n", s.State.Line())
	for _, l := range s.DynamoDBLines() {
		fmt.Fprintf(w, "pipesim: %s\n", l)
	}
}
