package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/pipesim/pipesim/internal/momento"
)

// momentoCmd is `pipesim momento`: the embedded Momento HTTP API on its own.
type momentoCmd struct{ streams }

const momentoUsage = `usage: pipesim momento serve [flags]

Serves a local Momento HTTP API (cache get/set/delete, topic publish/subscribe) until interrupted.
`

// Run dispatches the momento subcommands; only serve exists.
func (c *momentoCmd) Run(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(c.stderr, momentoUsage)
		if len(args) == 0 {
			return &exitError{code: 2}
		}
		return nil
	}
	if args[0] != "serve" {
		fmt.Fprint(c.stderr, momentoUsage)
		return &exitError{code: 2, err: fmt.Errorf("momento: unknown subcommand %q", args[0])}
	}
	return c.serve(ctx, args[1:])
}

// momentoServeOpts are the flags of `pipesim momento serve`.
type momentoServeOpts struct {
	addr        string
	token       string
	caches      []string
	faults      map[momento.Route]momento.Fault
	pollTimeout time.Duration
	quiet       bool
}

// serve runs the server until ctx is cancelled; it returns nil then.
func (c *momentoCmd) serve(ctx context.Context, args []string) error {
	opts, err := c.parseServeFlags(args)
	if err != nil {
		return err
	}
	srv := momento.NewServer(momento.Config{
		Token:       opts.token,
		Caches:      opts.caches,
		PollTimeout: opts.pollTimeout,
		Logger:      c.requestLogger(opts.quiet),
	})
	for route, f := range opts.faults {
		srv.InjectFault(route, f)
	}
	running, err := srv.Listen(opts.addr)
	if err != nil {
		return fmt.Errorf("momento serve: %w", err)
	}
	fmt.Fprintf(c.stdout, "momento: serving on %s\n", running.URL())
	c.describe(opts)
	<-ctx.Done()
	if err := running.Close(); err != nil {
		return fmt.Errorf("momento serve: %w", err)
	}
	return nil
}

func (c *momentoCmd) parseServeFlags(args []string) (momentoServeOpts, error) {
	opts := momentoServeOpts{faults: map[momento.Route]momento.Fault{}}
	fs := flag.NewFlagSet("pipesim momento serve", flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	fs.StringVar(&opts.addr, "addr", "127.0.0.1:9080", "`address` to listen on (host:port; port 0 picks a free one)")
	fs.StringVar(&opts.token, "token", "", "API `key` clients must send (default $MOMENTO_API_KEY; none set: any non-empty token)")
	fs.Func("cache", "create the cache `NAME` (repeatable)", func(v string) error {
		if v == "" {
			return errors.New("empty cache name")
		}
		opts.caches = append(opts.caches, v)
		return nil
	})
	fs.Func("fault", "inject a fault (repeatable, one per route); `SPEC` is\n"+momento.FaultSyntax, func(v string) error {
		return addFault(opts.faults, v)
	})
	fs.DurationVar(&opts.pollTimeout, "poll-timeout", momento.DefaultPollTimeout, "how long a topic subscribe waits before answering with no items")
	fs.BoolVar(&opts.quiet, "quiet", false, "do not log requests to stderr")
	fs.Usage = func() {
		fmt.Fprint(c.stderr, momentoUsage+"\nflags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return opts, &exitError{code: 0}
		}
		return opts, &exitError{code: 2}
	}
	if fs.NArg() > 0 {
		return opts, &exitError{code: 2, err: fmt.Errorf("momento serve: unexpected argument %q", fs.Arg(0))}
	}
	if opts.pollTimeout <= 0 {
		return opts, &exitError{code: 2, err: fmt.Errorf("momento serve: --poll-timeout %s is not positive", opts.pollTimeout)}
	}
	if opts.token == "" {
		opts.token = os.Getenv("MOMENTO_API_KEY")
	}
	return opts, nil
}

// addFault parses one --fault; a second fault for the same route is an error, not a silent
// replacement.
func addFault(faults map[momento.Route]momento.Fault, spec string) error {
	route, f, err := momento.ParseFault(spec)
	if err != nil {
		return err
	}
	if _, dup := faults[route]; dup {
		return fmt.Errorf("a fault for route %s is already given; combine the items in one --fault", route)
	}
	faults[route] = f
	return nil
}

// requestLogger logs one line per request to stderr, unless quiet.
func (c *momentoCmd) requestLogger(quiet bool) *slog.Logger {
	if quiet {
		return nil
	}
	return slog.New(slog.NewTextHandler(c.stderr, nil))
}

// describe tells the user what the server accepts, never the token itself.
func (c *momentoCmd) describe(opts momentoServeOpts) {
	w := c.stderr
	if opts.token == "" {
		fmt.Fprintln(w, "momento: no token configured: any non-empty token is accepted")
	} else {
		fmt.Fprintln(w, "momento: requests must carry the configured token")
	}
	if len(opts.caches) == 0 {
		fmt.Fprintln(w, "momento: no caches: every request answers 404 Cache Not Found (add --cache NAME)")
	} else {
		fmt.Fprintf(w, "momento: caches: %s\n", strings.Join(opts.caches, ", "))
	}
	describeFaults(w, opts.faults)
}

func describeFaults(w io.Writer, faults map[momento.Route]momento.Fault) {
	for _, route := range momento.Routes {
		if f, ok := faults[route]; ok {
			fmt.Fprintf(w, "momento: fault %s=%s\n", route, f)
		}
	}
}
