package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pipesim/pipesim/internal/replay"
)

// buildPipesim builds the pipesim command into a temporary directory, without the race detector
// whatever the test's flags: tests that run it measure it as users run it.
func buildPipesim(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "pipesim")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestReplayMemoryBounded runs `pipesim replay --dry-run` in a subprocess on inputs that used to
// take all of memory, and checks its peak resident memory (docs/performance.md, "Replay's
// memory", records the figures of a -v run): a file with one 50 MB line, /dev/zero (stopped with
// SIGTERM, which must end it), and 1 GB of records on stdin. The bounds are far above the
// figures and far below what an unbounded replay takes; they check memory, never speed.
func TestReplayMemoryBounded(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("needs /dev/zero, SIGTERM and ru_maxrss as Linux has them")
	}
	bin := buildPipesim(t)
	dir := t.TempDir()
	replayCmd := func(args ...string) *exec.Cmd {
		cmd := exec.Command(bin, append([]string{"replay", "--dry-run", "--out", os.DevNull, "--state-dir", filepath.Join(dir, "state")}, args...)...)
		cmd.Dir = dir // no .env from the source tree
		return cmd
	}

	t.Run("one 50 MB line", func(t *testing.T) {
		var in bytes.Buffer
		if err := replay.GenerateSeed(&in, 100, 1); err != nil {
			t.Fatal(err)
		}
		in.WriteString(`{"eventID":"` + strings.Repeat("x", 50<<20) + `"}` + "\n")
		if err := replay.GenerateSeed(&in, 100, 2); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, "long-line.jsonl")
		if err := os.WriteFile(path, in.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := replayCmd("--records", path)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("pipesim replay = %v\n%s", err, stderr.String())
		}
		for _, want := range []string{"line 101: record too large: longer than 1.06 MiB (skipped; --max-record-size raises the limit)",
			"replay read 200 records (jsonl), skipped 1 as bad input"} {
			if !strings.Contains(stderr.String(), want) {
				t.Errorf("pipesim replay stderr:\n%s\nwant it to contain %q", stderr.String(), want)
			}
		}
		checkRSS(t, cmd, stderr.String(), 100<<20)
	})

	t.Run("/dev/zero until SIGTERM", func(t *testing.T) {
		cmd := replayCmd("--records", "/dev/zero")
		stderr := &syncBuffer{}
		cmd.Stderr = stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		deadline := time.After(time.Minute)
		for !strings.Contains(stderr.String(), "line 1: record too large") {
			select {
			case err := <-done:
				t.Fatalf("pipesim replay --records /dev/zero ended by itself: %v\n%s", err, stderr)
			case <-deadline:
				cmd.Process.Kill()
				t.Fatalf("pipesim replay --records /dev/zero did not report line 1 within a minute:\n%s", stderr)
			case <-time.After(10 * time.Millisecond):
			}
		}
		time.Sleep(time.Second) // let it read on: memory must not grow with what it skips
		sent := time.Now()
		if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		select {
		case <-done:
			t.Logf("stopped %s after SIGTERM", time.Since(sent).Round(time.Millisecond))
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			t.Fatalf("pipesim replay --records /dev/zero still running 30 s after SIGTERM")
		}
		if code := cmd.ProcessState.ExitCode(); code != 130 {
			t.Errorf("exit status %d after SIGTERM; want 130\n%s", code, stderr)
		}
		checkRSS(t, cmd, stderr.String(), 100<<20)
	})

	t.Run("1 GB on stdin", func(t *testing.T) {
		if testing.Short() {
			t.Skip("replays 1 GB")
		}
		var block bytes.Buffer
		if err := replay.GenerateSeed(&block, 10000, 3); err != nil {
			t.Fatal(err)
		}
		copies := (1<<30)/block.Len() + 1
		cmd := replayCmd("--records", "-")
		stdin, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() {
			defer stdin.Close()
			for range copies {
				if _, err := stdin.Write(block.Bytes()); err != nil {
					return
				}
			}
		}()
		if err := cmd.Wait(); err != nil {
			t.Fatalf("pipesim replay = %v\n%s", err, stderr.String())
		}
		if want := fmt.Sprintf("replay read %d records (jsonl), skipped 0", copies*10000); !strings.Contains(stderr.String(), want) {
			t.Errorf("pipesim replay stderr:\n%s\nwant it to contain %q", stderr.String(), want)
		}
		t.Logf("%d MB replayed", int64(copies)*int64(block.Len())/1e6)
		checkRSS(t, cmd, stderr.String(), 150<<20)
	})
}

// checkRSS reads the peak memory the replay's summary reports (its own VmHWM: the rusage of a
// child started from this large test process counts the test's memory too) and holds it to limit.
func checkRSS(t *testing.T, cmd *exec.Cmd, stderr string, limit int64) {
	t.Helper()
	_, rest, ok := strings.Cut(stderr, ", peak memory ")
	var mb float64
	if _, err := fmt.Sscanf(rest, "%f MB", &mb); !ok || err != nil {
		t.Fatalf("no peak memory in the summary:\n%s", stderr)
	}
	t.Logf("peak RSS %.0f MB (CPU: user %s, system %s)", mb, cmd.ProcessState.UserTime().Round(time.Millisecond), cmd.ProcessState.SystemTime().Round(time.Millisecond))
	if mb*1e6 > float64(limit) {
		t.Errorf("peak RSS %.0f MB; want under %d MB", mb, limit>>20)
	}
}
