package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/pipesim/pipesim/internal/momento"
	momentogrpc "github.com/pipesim/pipesim/internal/momento/grpc"
	"github.com/pipesim/pipesim/internal/sim"
)

// clientArgs are the positional arguments of each client subcommand.
var clientArgs = map[string][]string{
	"get":         {"CACHE", "KEY"},
	"set":         {"CACHE", "KEY", "VALUE"},
	"delete":      {"CACHE", "KEY"},
	"publish":     {"CACHE", "TOPIC", "MESSAGE"},
	"subscribe":   {"CACHE", "TOPIC"},
	"list-caches": {},
}

// clientOpts are the flags of the client subcommands.
type clientOpts struct {
	ttl      time.Duration
	grpcAddr string
	plain    bool
	stateDir string
}

// register adds the flags of the client subcommand sub.
func (o *clientOpts) register(fs *pflag.FlagSet, sub string) {
	switch sub {
	case "set":
		fs.DurationVar(&o.ttl, "ttl", time.Hour, "time to live of the item (Momento clamps it to 24h)")
	case "list-caches":
		fs.StringVar(&o.grpcAddr, "grpc-addr", "", "gRPC `address` of the control plane (default: the one MOMENTO_API_KEY names)")
		fs.BoolVar(&o.plain, "plaintext", false, "connect without TLS, as CredentialProvider.forMomentoLocal does")
		fs.StringVar(&o.stateDir, "state-dir", ".pipesim", "`directory` whose local CA to trust (with $GRPC_DEFAULT_SSL_ROOTS_FILE_PATH and the system's)")
	}
}

// client runs one client subcommand against MOMENTO_API_ENDPOINT with MOMENTO_API_KEY (the
// environment, then ./.env); pos are its positional arguments (flags may come among them).
func (c *momentoCmd) client(ctx context.Context, sub string, pos []string, o clientOpts) error {
	lookup, err := sim.LookupIn(".")
	if err != nil {
		return err
	}
	key, _ := lookup(sim.EnvMomentoKey)
	if sub == "list-caches" {
		return c.listCaches(ctx, o, key)
	}
	endpoint, ok := lookup(sim.EnvMomentoEndpoint)
	if !ok {
		return &exitError{code: 2, err: fmt.Errorf("momento %s: set %s (and %s): the URL `pipesim run` or `pipesim momento serve` prints, or real Momento's HTTP endpoint", sub, sim.EnvMomentoEndpoint, sim.EnvMomentoKey)}
	}
	hc := &momento.Client{BaseURL: endpoint, Token: key, HTTP: &http.Client{Timeout: 2 * momento.DefaultPollTimeout}}
	return c.runClient(ctx, hc, sub, pos, o)
}

func (c *momentoCmd) runClient(ctx context.Context, hc *momento.Client, sub string, a []string, o clientOpts) error {
	switch sub {
	case "get":
		v, found, err := hc.Get(ctx, a[0], a[1])
		if err != nil {
			return err
		}
		if !found {
			return &exitError{code: 1, err: fmt.Errorf("%s[%s]: miss", a[0], a[1])}
		}
		fmt.Fprintf(c.stdout, "%s\n", v)
	case "set":
		return hc.Set(ctx, a[0], a[1], []byte(a[2]), o.ttl)
	case "delete":
		return hc.Delete(ctx, a[0], a[1])
	case "publish":
		return hc.Publish(ctx, a[0], a[1], a[2])
	case "subscribe":
		err := hc.Subscribe(ctx, a[0], a[1], func(it momento.TopicItem) error {
			switch {
			case it.Discontinuity:
				fmt.Fprintf(c.stderr, "pipesim: discontinuity: messages %d to %d are gone\n", it.LastSequenceNumber+1, it.SequenceNumber-1)
			case it.IsBinary:
				fmt.Fprintf(c.stdout, "%s\n", base64.StdEncoding.EncodeToString(it.Binary))
			default:
				fmt.Fprintln(c.stdout, it.Text)
			}
			return nil
		})
		if errors.Is(err, context.Canceled) {
			return nil
		}
		return err
	}
	return nil
}

// listCaches asks the gRPC control plane: the address given, else the one the key names (a
// legacy-format key's cp claim, or control.ENDPOINT:443 for a v1 key).
func (c *momentoCmd) listCaches(ctx context.Context, o clientOpts, key string) error {
	addr, token := o.grpcAddr, key
	if addr == "" {
		addr, token = controlEndpoint(key)
	}
	if addr == "" {
		return &exitError{code: 2, err: errors.New("momento list-caches: give --grpc-addr, or a MOMENTO_API_KEY that names its endpoint (pipesim momento key makes one)")}
	}
	var tc *tls.Config
	if !o.plain {
		pool, err := rootPool(o.stateDir)
		if err != nil {
			return err
		}
		tc = &tls.Config{RootCAs: pool}
	}
	cl, err := momentogrpc.Dial(addr, token, tc)
	if err != nil {
		return err
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	names, err := cl.ListCaches(ctx)
	if err != nil {
		return err
	}
	for _, n := range names {
		fmt.Fprintln(c.stdout, n)
	}
	return nil
}

// controlEndpoint reads the control endpoint from a key as the SDKs do, and the token to send.
func controlEndpoint(key string) (addr, token string) {
	if ep := momento.KeyEndpoint(key); ep != "" {
		parts := strings.Split(key, ".")
		raw, _ := base64.RawURLEncoding.DecodeString(parts[1])
		var claims struct {
			CP string `json:"cp"`
		}
		if json.Unmarshal(raw, &claims) == nil && claims.CP != "" {
			return claims.CP, key
		}
		return ep, key
	}
	raw, err := base64.StdEncoding.DecodeString(key)
	if err != nil {
		return "", ""
	}
	var v1 struct {
		APIKey   string `json:"api_key"`
		Endpoint string `json:"endpoint"`
	}
	if json.Unmarshal(raw, &v1) != nil || v1.Endpoint == "" {
		return "", ""
	}
	return "control." + v1.Endpoint + ":443", v1.APIKey
}

// rootPool is the system's roots plus $GRPC_DEFAULT_SSL_ROOTS_FILE_PATH and the state dir's
// local CA, when they exist.
func rootPool(stateDir string) (*x509.CertPool, error) {
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	for _, path := range []string{os.Getenv("GRPC_DEFAULT_SSL_ROOTS_FILE_PATH"), filepath.Join(stateDir, momento.CAFile)} {
		if path == "" {
			continue
		}
		pem, err := os.ReadFile(path)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		pool.AppendCertsFromPEM(pem)
	}
	return pool, nil
}
