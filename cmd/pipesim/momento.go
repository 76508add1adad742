package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/pipesim/pipesim/internal/momento"
	"github.com/pipesim/pipesim/internal/sim"
)

// momentoCmd is `pipesim momento`: the embedded Momento on its own, development keys, and a
// small client.
type momentoCmd struct{ streams }

const momentoLong = `momento runs pipesim's embedded Momento on its own (serve), prints the .env lines that point an
application built on a Momento SDK at it (key), and is a small client of it or of real Momento.

The client subcommands use MOMENTO_API_ENDPOINT and MOMENTO_API_KEY (the environment, then ./.env):
pipesim's embedded server or real Momento.`

func (c *momentoCmd) spec() spec {
	var serve momentoServeOpts
	var key momentoKeyOpts
	client := func(sub, short string) spec {
		var o clientOpts
		want := clientArgs[sub]
		return spec{use: strings.TrimSpace(sub + " " + strings.Join(want, " ")), short: short,
			long:  short + ".\n\nMOMENTO_API_ENDPOINT and MOMENTO_API_KEY come from the environment, then ./.env.",
			args:  exactArgs(want),
			flags: func(fs *pflag.FlagSet) { o.register(fs, sub) },
			run:   func(ctx context.Context, args []string) error { return c.client(ctx, sub, args, o) }}
	}
	return spec{
		use:   "momento",
		short: "The embedded Momento on its own, development keys for SDK applications, and a small Momento client",
		long:  momentoLong,
		subs: []spec{
			{use: "serve", short: "Serve the embedded Momento (HTTP API and gRPC over one store) until Ctrl-C",
				example: "  pipesim momento serve --cache my-cache --addr 127.0.0.1:9080",
				flags:   func(fs *pflag.FlagSet) { serve.register(fs) },
				run:     func(ctx context.Context, _ []string) error { return c.serve(ctx, &serve) }},
			{use: "key", short: "Print .env lines that point an application built on a Momento SDK at pipesim",
				flags: func(fs *pflag.FlagSet) { key.register(fs) },
				run:   func(context.Context, []string) error { return c.key(&key) }},
			client("get", "Print an item (exit 1 on a miss)"),
			client("set", "Store an item"),
			client("delete", "Delete an item"),
			client("publish", "Publish a text message to a topic"),
			client("subscribe", "Print a topic's messages as they arrive, until Ctrl-C"),
			client("list-caches", "List the caches (over the gRPC control plane: the HTTP API has no such call)"),
		},
	}
}

// Run runs `pipesim momento` with the arguments that follow its name.
func (c *momentoCmd) Run(ctx context.Context, args []string) error {
	return execute(ctx, c.streams, c.spec().command(), args)
}

// exactArgs wants the positional arguments named: exit 2 naming them otherwise.
func exactArgs(names []string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != len(names) {
			return &exitError{code: 2, err: fmt.Errorf("momento %s: want %d argument(s) (%s), got %d", cmd.Name(), len(names), strings.Join(names, " "), len(args))}
		}
		return nil
	}
}

// momentoServeOpts are the flags of `pipesim momento serve`.
type momentoServeOpts struct {
	embedded    sim.EmbeddedOptions
	tokenGiven  bool
	pollTimeout time.Duration
	quiet       bool
}

// serve runs the server until ctx is cancelled; it returns nil then.
func (c *momentoCmd) serve(ctx context.Context, opts *momentoServeOpts) error {
	if err := opts.check(); err != nil {
		return err
	}
	opts.embedded.Logger = c.requestLogger(opts.quiet)
	emb, err := sim.StartEmbedded(opts.embedded)
	if err != nil {
		return fmt.Errorf("momento serve: %w", err)
	}
	fmt.Fprintf(c.stdout, "momento: serving on %s\n", emb.URL)
	fmt.Fprintf(c.stdout, "momento: gRPC on %s (TLS and plain text; local CA %s)\n", emb.GRPCAddr, emb.CAPath)
	if emb.MadeUp {
		fmt.Fprintf(c.stdout, "momento: API key: %s\n", emb.Token)
	}
	c.describe(*opts, emb)
	<-ctx.Done()
	if err := emb.Close(); err != nil {
		return fmt.Errorf("momento serve: %w", err)
	}
	return nil
}

func (opts *momentoServeOpts) register(fs *pflag.FlagSet) {
	e := &opts.embedded
	e.Faults = map[momento.Route]momento.Fault{}
	fs.StringVar(&e.HTTPAddr, "addr", "127.0.0.1:9080", "`address` of the HTTP API (host:port; port 0 picks a free one)")
	fs.StringVar(&e.GRPCAddr, "grpc-addr", "", "`address` of the gRPC API, TLS and plain text on one port (default: the one a development key names, else "+sim.DefaultGRPCAddr+")")
	fs.StringVar(&e.StateDir, "state-dir", ".pipesim", "`directory` of the local CA and the secret that signs development keys")
	fs.StringVar(&e.APIKey, "token", "", "API `key` clients must send (default $MOMENTO_API_KEY; none: pipesim's development key for the gRPC address, printed)")
	fs.Func("cache", "create the cache `NAME` (repeatable)", func(v string) error {
		if v == "" {
			return errors.New("empty cache name")
		}
		e.Caches = append(e.Caches, v)
		return nil
	})
	fs.Func("fault", "inject a fault (repeatable, one per route; gRPC calls take their route's faults too); `SPEC` is\n"+momento.FaultSyntax, func(v string) error {
		return addFault(e.Faults, v)
	})
	fs.DurationVar(&opts.pollTimeout, "poll-timeout", momento.DefaultPollTimeout, "how long a topic subscribe waits before answering with no items")
	fs.Var(byteSize{&e.MaxBytes}, "max-bytes", "memory cap of items and kept topic messages (e.g. 100MiB, 1GB; default 100MiB, Momento's on-demand hot storage); writes past it answer 429 / RESOURCE_EXHAUSTED")
	fs.Var(limitsFlag{&e.Limits}, "limits", "enforce Momento's soft limits: "+momento.LimitsSyntax)
	fs.Lookup("limits").NoOptDefVal = "true"
	fs.Var(errorStatus{&e.TooLargeStatus}, "too-large-status", "HTTP `status` (400-599) for an item or message over its size limit (default 429, as Momento answers exceeded limits)")
	fs.BoolVar(&e.RequireKey, "require-key", false, "plain-text gRPC calls must carry the key too (CredentialProvider.forMomentoLocal sends none)")
	fs.BoolVar(&opts.quiet, "quiet", false, "do not log requests to stderr")
}

// check completes the options once the flags are parsed; a flag that means nothing exits 2.
func (opts *momentoServeOpts) check() error {
	e := &opts.embedded
	if opts.pollTimeout <= 0 {
		return &exitError{code: 2, err: fmt.Errorf("momento serve: --poll-timeout %s is not positive", opts.pollTimeout)}
	}
	e.PollTimeout = opts.pollTimeout
	if e.APIKey == "" {
		e.APIKey = os.Getenv("MOMENTO_API_KEY")
	}
	opts.tokenGiven = e.APIKey != ""
	if e.GRPCAddr == "" && momento.KeyEndpoint(e.APIKey) == "" {
		e.GRPCAddr = sim.DefaultGRPCAddr
	}
	return nil
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

// describe tells the user what the server accepts and how to try it; a key the user gave is
// never printed.
func (c *momentoCmd) describe(opts momentoServeOpts, emb *sim.Embedded) {
	w := c.stderr
	if opts.tokenGiven {
		fmt.Fprintln(w, "momento: requests must carry the configured token")
	}
	e := opts.embedded
	if len(e.Caches) == 0 {
		fmt.Fprintln(w, "momento: no caches: every request answers 404 Cache Not Found (add --cache NAME, or create one over gRPC)")
	} else {
		fmt.Fprintf(w, "momento: caches: %s\n", strings.Join(e.Caches, ", "))
	}
	if e.Limits != nil {
		fmt.Fprintf(w, "momento: limits: %s\n", e.Limits)
	}
	describeFaults(w, e.Faults)
	cache := "CACHE"
	if len(e.Caches) > 0 {
		cache = e.Caches[0]
	}
	printTryIt(c.stdout, "momento: ", emb, cache, e.StateDir)
}

// printTryIt prints ready-to-paste commands against the embedded Momento: curl and pipesim's
// client over HTTP, and the way an SDK application connects over gRPC.
func printTryIt(w io.Writer, prefix string, emb *sim.Embedded, cache, stateDir string) {
	key := "$MOMENTO_API_KEY"
	if emb.MadeUp {
		key = emb.Token
	}
	fmt.Fprintf(w, "%stry: curl -H 'Authorization: %s' '%s/cache/%s?key=KEY'\n", prefix, key, emb.URL, cache)
	fmt.Fprintf(w, "%s     MOMENTO_API_ENDPOINT=%s MOMENTO_API_KEY=%s pipesim momento get %s KEY\n", prefix, emb.URL, key, cache)
	host, port := splitAddr(emb.GRPCAddr)
	fmt.Fprintf(w, "%sSDK: CredentialProvider.forMomentoLocal({hostname: '%s', port: %s}), or the .env lines of: pipesim momento key --addr %s --state-dir %s\n",
		prefix, host, port, emb.GRPCAddr, stateDir)
}

func splitAddr(addr string) (host, port string) {
	i := strings.LastIndex(addr, ":")
	if i < 0 {
		return addr, ""
	}
	return strings.Trim(addr[:i], "[]"), addr[i+1:]
}

func describeFaults(w io.Writer, faults map[momento.Route]momento.Fault) {
	for _, route := range momento.Routes {
		if f, ok := faults[route]; ok {
			fmt.Fprintf(w, "momento: fault %s=%s\n", route, f)
		}
	}
}

// key is `pipesim momento key`: the .env lines that point an application built on a Momento
// SDK, unchanged, at pipesim: a development key naming the gRPC address, the local CA to
// trust, and the DynamoDB endpoint.
// momentoKeyOpts are the flags of `pipesim momento key`.
type momentoKeyOpts struct{ addr, stateDir, ddb string }

func (o *momentoKeyOpts) register(fs *pflag.FlagSet) {
	fs.StringVar(&o.addr, "addr", sim.DefaultGRPCAddr, "the gRPC `address` (host:port) the key points at: the embedded server's (run with this key in MOMENTO_API_KEY serves it there)")
	fs.StringVar(&o.stateDir, "state-dir", ".pipesim", "`directory` of the key secret and the local CA (the server's --state-dir)")
	fs.StringVar(&o.ddb, "dynamodb-endpoint", envOr("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:8000"), "the DynamoDB endpoint the application uses (default $AWS_ENDPOINT_URL_DYNAMODB, else DynamoDB Local's usual port)")
}

// key prints the .env lines (NAME=value) for an application built on a Momento SDK.
func (c *momentoCmd) key(o *momentoKeyOpts) error {
	addr, stateDir, ddb := &o.addr, &o.stateDir, &o.ddb
	host, port := splitAddr(*addr)
	if _, err := strconv.Atoi(port); err != nil || host == "" || port == "0" {
		return &exitError{code: 2, err: fmt.Errorf("momento key: --addr %q: want HOST:PORT with a fixed port", *addr)}
	}
	secret, err := momento.LoadKeySecret(*stateDir)
	if err != nil {
		return err
	}
	lt, err := momento.LoadTLS(*stateDir, host)
	if err != nil {
		return err
	}
	ca, err := filepath.Abs(lt.CAPath)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "MOMENTO_API_KEY=%s\n", momento.DevKey(secret, *addr))
	fmt.Fprintf(c.stdout, "GRPC_DEFAULT_SSL_ROOTS_FILE_PATH=%s\n", ca)
	fmt.Fprintf(c.stdout, "AWS_ENDPOINT_URL_DYNAMODB=%s\n", *ddb)
	fmt.Fprintf(c.stderr, "pipesim: the key points at %s over TLS; pipesim run (with this key in MOMENTO_API_KEY) and momento serve --state-dir %s serve it there\n", *addr, *stateDir)
	fmt.Fprintln(c.stderr, "pipesim: the application also needs AWS_REGION and AWS credentials; any value works with DynamoDB Local")
	return nil
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// byteSize is a flag of a number of bytes, with an optional unit (KB, MB, GB, KiB, MiB, GiB).
type byteSize struct{ n *int64 }

func (b byteSize) Type() string { return "size" }

func (b byteSize) String() string {
	if b.n == nil {
		return ""
	}
	return strconv.FormatInt(*b.n, 10)
}

func (b byteSize) Set(v string) error {
	units := []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"B", 1}}
	num, mult := v, int64(1)
	for _, u := range units {
		if strings.HasSuffix(v, u.suffix) {
			num, mult = strings.TrimSuffix(v, u.suffix), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(strings.TrimSpace(num), 10, 64)
	if err != nil || n <= 0 || n > (1<<62)/mult {
		return fmt.Errorf("%q: want a positive size such as 100MiB or 1GB", v)
	}
	*b.n = n * mult
	return nil
}

// limitsFlag is --limits / --momento-limits: alone it turns Momento's documented limits on.
type limitsFlag struct{ l **momento.Limits }

func (f limitsFlag) String() string {
	if f.l == nil || *f.l == nil {
		return ""
	}
	return (*f.l).String()
}

func (f limitsFlag) Set(v string) error {
	l, err := momento.ParseLimits(v)
	if err != nil {
		return err
	}
	*f.l = l
	return nil
}

func (f limitsFlag) Type() string { return "limits" }

// errorStatus is a flag of an HTTP error status, 400 to 599.
type errorStatus struct{ n *int }

func (f errorStatus) Type() string { return "status" }

func (f errorStatus) String() string {
	if f.n == nil || *f.n == 0 {
		return ""
	}
	return strconv.Itoa(*f.n)
}

func (f errorStatus) Set(v string) error {
	n, err := strconv.Atoi(v)
	if err != nil || n < 400 || n > 599 {
		return fmt.Errorf("%q: want an HTTP error status, 400 to 599", v)
	}
	*f.n = n
	return nil
}
