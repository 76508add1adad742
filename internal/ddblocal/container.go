package ddblocal

import (
	"context"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
	tclog "github.com/testcontainers/testcontainers-go/log"
	"github.com/testcontainers/testcontainers-go/wait"
)

// Image is the DynamoDB Local image the container path runs: the same
// release (3.3.1) as the pinned jar.
const Image = "amazon/dynamodb-local:3.3.1"

// dockerProbeTimeout bounds how long Start looks for a Docker engine, so a
// machine with only the docker CLI falls through to the jar at once.
const dockerProbeTimeout = 3 * time.Second

// containerDBPath is where -dbPath points inside the container.
const containerDBPath = "/home/dynamodblocal/data"

// startContainer runs DynamoDB Local in a container with testcontainers-go.
// It returns an error wrapping ErrNoDocker, quickly and without output,
// when no Docker engine answers.
func startContainer(ctx context.Context, opts Options, logw io.Writer) (*Instance, error) {
	if !dockerReachable(ctx) {
		return nil, ErrNoDocker
	}
	copts, err := containerOptions(opts.DBPath, opts.Port, logw)
	if err != nil {
		return nil, err
	}
	c, err := testcontainers.Run(ctx, Image, copts...)
	if err != nil {
		if c != nil {
			_ = c.Terminate(context.Background())
		}
		return nil, fmt.Errorf("start dynamodb local container: %w", err)
	}
	endpoint, err := c.PortEndpoint(ctx, "8000/tcp", "http")
	if err == nil {
		err = waitReady(ctx, endpoint, launchReadyTimeout, nil)
	}
	stop := func() error { return c.Terminate(context.Background()) }
	if err != nil {
		_ = stop()
		return nil, fmt.Errorf("start dynamodb local container: %w", err)
	}
	stop = sync.OnceValue(stop)
	stopOnDone(ctx, stop)
	return &Instance{Endpoint: endpoint, Kind: KindContainer, stop: stop}, nil
}

// containerOptions builds the container request; the command mirrors the
// jar's flags (-sharedDb, -disableTelemetry, -inMemory or -dbPath on a bind
// mount). A port other than 0 is published on the host's loopback address;
// 0 lets Docker choose a free one.
func containerOptions(dbPath string, port int, logw io.Writer) ([]testcontainers.ContainerCustomizer, error) {
	cmd := []string{"-jar", "DynamoDBLocal.jar", "-sharedDb", "-disableTelemetry"}
	copts := []testcontainers.ContainerCustomizer{
		testcontainers.WithExposedPorts("8000/tcp"),
		testcontainers.WithWaitStrategy(wait.ForListeningPort("8000/tcp").WithStartupTimeout(launchReadyTimeout)),
		testcontainers.WithLogger(writerLogger{logw}),
	}
	if port != 0 {
		copts = append(copts, testcontainers.WithHostConfigModifier(func(hc *container.HostConfig) {
			hc.PortBindings = network.PortMap{network.MustParsePort("8000/tcp"): {
				{HostIP: netip.MustParseAddr("127.0.0.1"), HostPort: strconv.Itoa(port)}}}
		}))
	}
	if dbPath == "" {
		return append(copts, testcontainers.WithCmd(append(cmd, "-inMemory")...)), nil
	}
	abs, err := filepath.Abs(dbPath)
	if err == nil {
		err = os.MkdirAll(abs, 0o755)
	}
	if err != nil {
		return nil, fmt.Errorf("dynamodb local db path %q: %w", dbPath, err)
	}
	bind := func(hc *container.HostConfig) { hc.Binds = append(hc.Binds, abs+":"+containerDBPath) }
	return append(copts,
		testcontainers.WithCmd(append(cmd, "-dbPath", containerDBPath)...),
		testcontainers.WithHostConfigModifier(bind)), nil
}

// dockerReachable reports whether a Docker engine answers within
// dockerProbeTimeout. testcontainers' own logging is silenced for the probe.
func dockerReachable(ctx context.Context) bool {
	if !dockerConfigured() {
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, dockerProbeTimeout)
	defer cancel()
	ok := make(chan bool, 1)
	go func() { ok <- probeDocker(ctx) }()
	select {
	case r := <-ok:
		return r
	case <-ctx.Done():
		return false
	}
}

// probeDocker pings the engine testcontainers would use. testcontainers can
// panic when it finds no host; a panic here means no engine.
func probeDocker(ctx context.Context) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	tclog.SetDefault(tclog.NewNoopLogger())
	cli, err := testcontainers.NewDockerClientWithOpts(ctx)
	if err != nil {
		return false
	}
	defer cli.Close()
	_, err = cli.Ping(ctx, client.PingOptions{})
	return err == nil
}

// dockerConfigured is a cheap first check that some Docker host is set or a
// socket exists, so machines with no engine do not even build a client.
func dockerConfigured() bool {
	if os.Getenv("DOCKER_HOST") != "" || os.Getenv("TESTCONTAINERS_HOST_OVERRIDE") != "" {
		return true
	}
	home, _ := os.UserHomeDir()
	candidates := []string{
		"/var/run/docker.sock",
		filepath.Join(home, ".docker", "run", "docker.sock"),
		filepath.Join(home, ".docker", "desktop", "docker.sock"),
		filepath.Join(home, ".testcontainers.properties"),
	}
	if xdg := os.Getenv("XDG_RUNTIME_DIR"); xdg != "" {
		candidates = append(candidates, filepath.Join(xdg, "docker.sock"))
	}
	for _, c := range candidates {
		if _, err := os.Stat(c); err == nil {
			return true
		}
	}
	return false
}

// writerLogger sends testcontainers' log lines to w.
type writerLogger struct{ w io.Writer }

func (l writerLogger) Printf(format string, v ...any) {
	fmt.Fprintf(l.w, format+"\n", v...)
}
