package main

import (
	"bytes"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestColourOnTerminal: on a terminal (a pseudo-terminal here) pipesim check paints its findings'
// severities; with NO_COLOR, or piped (every other test), it writes plain text.
func TestColourOnTerminal(t *testing.T) {
	fd, err := unix.Open("/dev/ptmx", unix.O_RDWR|unix.O_NONBLOCK|unix.O_CLOEXEC|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	ptm := os.NewFile(uintptr(fd), "/dev/ptmx") // non-blocking: reads take deadlines
	defer ptm.Close()
	if err := unix.IoctlSetPointerInt(int(ptm.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(int(ptm.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	pts, err := os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer pts.Close()
	t.Setenv("TERM", "xterm")
	for _, noColor := range []string{"", "1"} {
		t.Setenv("NO_COLOR", noColor)
		var errOut bytes.Buffer
		code := run([]string{"check", "--pipes", "../../internal/check/testdata/values.yaml"}, streams{stdin: strings.NewReader(""), stdout: pts, stderr: &errOut})
		if code != 1 {
			t.Fatalf("pipesim check values.yaml exits %d; want 1\n%s", code, errOut.String())
		}
		got := readTerminal(t, ptm)
		painted := strings.Contains(got, "\x1b[31mPS005 error\x1b[0m")
		if painted != (noColor == "") || strings.Contains(errOut.String(), "\x1b[") {
			t.Errorf("NO_COLOR=%q: terminal got %q (painted %t), the pipe %q", noColor, got, painted, errOut.String())
		}
	}
}

// readTerminal reads what the pseudo-terminal shows until it stays quiet.
func readTerminal(t *testing.T, ptm *os.File) string {
	t.Helper()
	var out []byte
	buf := make([]byte, 4096)
	for {
		ptm.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		n, err := ptm.Read(buf)
		out = append(out, buf[:n]...)
		if err != nil {
			return string(out)
		}
	}
}
