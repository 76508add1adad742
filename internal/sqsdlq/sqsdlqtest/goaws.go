package sqsdlqtest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// GoawsTool is the SQS-compatible server the tests run: goaws, pinned as a tool in go.mod, so
// the project's own files install it (`go build` fetches it through the module proxy).
const GoawsTool = "github.com/Admiral-Piett/goaws/app/cmd"

var goaws struct {
	once     sync.Once
	endpoint string
	err      error
}

// Endpoint returns the endpoint of a goaws server shared by the test binary (it speaks the query
// protocol: use sqsdlq.ProtocolQuery), building and starting it on first use. The server is killed
// when the test binary exits. Endpoint fails the test when goaws cannot be built or started.
func Endpoint(tb testing.TB) string {
	tb.Helper()
	goaws.once.Do(func() { goaws.endpoint, goaws.err = startGoaws() })
	if goaws.err != nil {
		tb.Fatalf("sqsdlqtest.Endpoint: %v", goaws.err)
	}
	return goaws.endpoint
}

func startGoaws() (string, error) {
	dir, err := os.MkdirTemp("", "pipesim-goaws")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "goaws")
	build := exec.Command("go", "build", "-o", bin, GoawsTool)
	if out, err := build.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build goaws: %v: %s", err, strings.TrimSpace(string(out)))
	}
	port, err := freePort()
	if err != nil {
		return "", err
	}
	conf := filepath.Join(dir, "goaws.yaml")
	if err := os.WriteFile(conf, []byte(goawsConfig(port)), 0o644); err != nil {
		return "", err
	}
	cmd := exec.Command(bin, "-config", conf, "Local")
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return "", fmt.Errorf("start goaws: %w", err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	return "http://" + addr, waitListening(addr, 10*time.Second)
}

func goawsConfig(port int) string {
	return fmt.Sprintf(`Local:
  Host: 127.0.0.1
  Port: %d
  Region: us-east-1
  AccountId: "000000000000"
  LogToFile: false
  QueueAttributeDefaults:
    VisibilityTimeout: 30
    ReceiveMessageWaitTimeSeconds: 0
    MaximumMessageSize: 262144
`, port)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func waitListening(addr string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
			c.Close()
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("goaws did not listen on %s within %s", addr, timeout)
}
