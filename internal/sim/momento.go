package sim

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"time"

	"github.com/pipesim/pipesim/internal/config"
	"github.com/pipesim/pipesim/internal/momento"
	momentogrpc "github.com/pipesim/pipesim/internal/momento/grpc"
)

// Lookup resolves ${VAR} as `pipesim run` does: the environment, then the .env beside pipesFile
// (or in the current directory when pipesFile is ""). An empty value counts as unset.
func Lookup(pipesFile string) (config.Lookup, error) {
	return LookupIn(designDir(pipesFile, nil))
}

// LookupIn is Lookup with the .env of the folder dir.
func LookupIn(dir string) (config.Lookup, error) {
	dotenv, err := config.ReadDotEnv(filepath.Join(dir, ".env"))
	if err != nil {
		return nil, fmt.Errorf("read .env: %w", err)
	}
	lookup := config.Env(dotenv)
	return func(name string) (string, bool) {
		v, ok := lookup(name)
		return v, ok && v != ""
	}, nil
}

// DefaultGRPCAddr is where `pipesim momento serve` serves gRPC, and where the keys of
// `pipesim momento key` point, unless told otherwise.
const DefaultGRPCAddr = "127.0.0.1:9081"

// EmbeddedOptions configure the embedded Momento: its HTTP API and its gRPC API over one store.
type EmbeddedOptions struct {
	HTTPAddr string // "" => a free loopback port
	// GRPCAddr is where the gRPC API listens: "" => the address a development APIKey names,
	// else a free loopback port.
	GRPCAddr string
	// APIKey is the key both APIs accept; "" => pipesim's development key for the gRPC
	// address, made with the secret of StateDir (the same every run for the same address).
	APIKey   string
	StateDir string // where the key secret and the local CA live; "" => .pipesim
	Caches   []string
	Faults   map[momento.Route]momento.Fault
	MaxBytes int64           // 0 => momento.DefaultMaxBytes
	Limits   *momento.Limits // nil => no rate limits
	// PollTimeout, TooLargeStatus: see momento.Config.
	PollTimeout    time.Duration
	TooLargeStatus int
	RequireKey     bool         // plain-text gRPC needs the key too (no forMomentoLocal)
	Logger         *slog.Logger // one line per request on either API; nil => none
}

// Embedded is a running embedded Momento.
type Embedded struct {
	Server   *momento.Server
	GRPC     *momentogrpc.Server
	URL      string // the HTTP API, e.g. http://127.0.0.1:40123
	GRPCAddr string // the gRPC API, host:port, TLS and plain text
	Token    string // the key both APIs accept; never logged unless MadeUp
	// MadeUp says Token is pipesim's development key, which pipesim may print: it is no
	// secret of the user's.
	MadeUp bool
	CAPath string // the local CA's certificate, for GRPC_DEFAULT_SSL_ROOTS_FILE_PATH

	closers []func() error
}

// Close stops both APIs.
func (e *Embedded) Close() error {
	var errs []error
	for i := len(e.closers) - 1; i >= 0; i-- {
		errs = append(errs, e.closers[i]())
	}
	e.closers = nil
	return errors.Join(errs...)
}

// StartEmbedded starts the embedded Momento: the gRPC API first (its address is in the
// development key), then the HTTP API, both over one store. On error nothing is left running.
func StartEmbedded(o EmbeddedOptions) (*Embedded, error) {
	if o.StateDir == "" {
		o.StateDir = ".pipesim"
	}
	grpcAddr, err := grpcAddress(o)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", grpcAddr)
	if err != nil {
		return nil, fmt.Errorf("embedded Momento: gRPC: %w%s", err, addrHint(o, grpcAddr))
	}
	e := &Embedded{GRPCAddr: ln.Addr().String(), Token: o.APIKey}
	if err := e.start(o, ln); err != nil {
		_ = ln.Close()
		_ = e.Close()
		return nil, fmt.Errorf("embedded Momento: %w", err)
	}
	return e, nil
}

func (e *Embedded) start(o EmbeddedOptions, grpcLn net.Listener) error {
	if e.Token == "" {
		secret, err := momento.LoadKeySecret(o.StateDir)
		if err != nil {
			return err
		}
		e.Token, e.MadeUp = momento.DevKey(secret, e.GRPCAddr), true
	}
	host, _, _ := net.SplitHostPort(e.GRPCAddr)
	lt, err := momento.LoadTLS(o.StateDir, host)
	if err != nil {
		return err
	}
	e.CAPath = lt.CAPath
	e.Server = momento.NewServer(momento.Config{Token: e.Token, Caches: o.Caches, PollTimeout: o.PollTimeout,
		TooLargeStatus: o.TooLargeStatus, MaxBytes: o.MaxBytes, Limits: o.Limits, Logger: o.Logger})
	for route, f := range o.Faults {
		e.Server.InjectFault(route, f)
	}
	e.GRPC = momentogrpc.New(momentogrpc.Config{HTTP: e.Server, TLS: lt.Config, RequireKey: o.RequireKey, Logger: o.Logger})
	e.closers = append(e.closers, e.GRPC.Serve(grpcLn).Close)
	httpAddr := o.HTTPAddr
	if httpAddr == "" {
		httpAddr = "127.0.0.1:0"
	}
	running, err := e.Server.Listen(httpAddr)
	if err != nil {
		return fmt.Errorf("HTTP API: %w", err)
	}
	e.closers = append(e.closers, running.Close)
	e.URL = running.URL()
	return nil
}

// grpcAddress is where the gRPC API listens: the given address, else the one a development
// key names (so the key keeps working), else a free loopback port.
func grpcAddress(o EmbeddedOptions) (string, error) {
	if o.GRPCAddr != "" {
		return o.GRPCAddr, nil
	}
	if ep := momento.KeyEndpoint(o.APIKey); ep != "" {
		host, _, err := net.SplitHostPort(ep)
		if err == nil && isLoopback(host) {
			return ep, nil
		}
	}
	return "127.0.0.1:0", nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// addrHint explains a gRPC address that could not be bound when it came from the key.
func addrHint(o EmbeddedOptions, addr string) string {
	if o.GRPCAddr == "" && momento.KeyEndpoint(o.APIKey) == addr {
		return " (the address MOMENTO_API_KEY points at; is another pipesim serving it? give --momento-grpc-addr to use another)"
	}
	return ""
}

// LoadWithEmbeddedMomento loads a design as `pipesim replay` does: against real Momento when
// ${MOMENTO_API_ENDPOINT} is set (opts.Lookup); otherwise, once the design has loaded with
// stand-ins for the endpoint and key, and only when a destination points at the endpoint, it
// serves the embedded Momento HTTP API (no gRPC) on a free loopback port with the design's
// caches and loads the design against it. Its key is ${MOMENTO_API_KEY}, else a random one
// (Embedded.MadeUp). The *Embedded is nil when nothing was started; the caller closes it.
func LoadWithEmbeddedMomento(pipesFile string, tmpl *Template, opts config.Options) (*config.Config, *Embedded, error) {
	lookup := opts.Lookup
	load := func(l config.Lookup, _ bool) (*config.Config, error) {
		o := opts
		o.Lookup = l
		return LoadDesign(pipesFile, tmpl, o)
	}
	if _, ok := lookup(EnvMomentoEndpoint); ok {
		cfg, err := load(lookup, true)
		return cfg, nil, err
	}
	token, given := lookup(EnvMomentoKey)
	var e *Embedded
	cfg, err := loadForEmbedded(load, lookup, token, func(caches []string) (string, string, error) {
		if !given {
			var b [12]byte
			_, _ = rand.Read(b[:])
			token = "pipesim-local-" + hex.EncodeToString(b[:])
		}
		srv := momento.NewServer(momento.Config{Token: token, Caches: caches})
		running, err := srv.Listen("127.0.0.1:0")
		if err != nil {
			return "", "", fmt.Errorf("start embedded Momento server: %w", err)
		}
		e = &Embedded{Server: srv, URL: running.URL(), Token: token, MadeUp: !given, closers: []func() error{running.Close}}
		return e.URL, token, nil
	})
	if err != nil && e != nil {
		_ = e.Close()
		e = nil
	}
	return cfg, e, err
}

// loadForEmbedded loads a design whose ${MOMENTO_API_ENDPOINT} pipesim serves. It validates the
// design first, with stand-ins for the endpoint and for the key (key, when one is given), so
// that a design with a mistake starts nothing and prints no address. Then, only if a
// destination points at the endpoint, it calls start with the design's caches and loads the
// design again (load's second argument false) with the endpoint and key start returns.
func loadForEmbedded(load func(config.Lookup, bool) (*config.Config, error), lookup config.Lookup, key string,
	start func(caches []string) (endpoint, key string, err error)) (*config.Config, error) {
	if key == "" {
		key = placeholderKey
	}
	cfg, err := load(lookup.With(EnvMomentoEndpoint, placeholderEndpoint).With(EnvMomentoKey, key), true)
	if err != nil || !usesEndpoint(cfg, placeholderEndpoint) {
		return cfg, err
	}
	endpoint, key, err := start(cfg.Caches)
	if err != nil {
		return nil, err
	}
	return load(lookup.With(EnvMomentoEndpoint, endpoint).With(EnvMomentoKey, key), false)
}

// Stand-ins for the embedded Momento's endpoint and key while the design is validated, before
// anything starts.
const (
	placeholderEndpoint = "http://embedded-momento.pipesim.invalid"
	placeholderKey      = "pipesim-key-placeholder"
)

// usesEndpoint reports whether a destination of cfg points at endpoint.
func usesEndpoint(cfg *config.Config, endpoint string) bool {
	for _, d := range cfg.Destinations {
		if strings.HasPrefix(d.Endpoint, endpoint) {
			return true
		}
	}
	return false
}
