package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
)

func newStreams() (streams, *bytes.Buffer, *bytes.Buffer) {
	var out, errOut bytes.Buffer
	return streams{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut}, &out, &errOut
}

// TestSeedPipeTestFile runs `pipesim test` on the seed design's test file: it must pass.
func TestSeedPipeTestFile(t *testing.T) {
	s, out, _ := newStreams()
	err := (&testCmd{streams: s}).Run(context.Background(), []string{"-v", "../../testdata/weather-stats/pipes_test.yaml"})
	if err != nil {
		t.Fatalf("pipesim test pipes_test.yaml = %v; want success\n%s", err, out)
	}
	if !strings.HasPrefix(lastLine(out.String()), "ok  \t") || strings.Count(out.String(), "--- PASS") != 9 {
		t.Errorf("pipesim test -v pipes_test.yaml printed:\n%s\nwant 9 PASS lines and ok", out)
	}
}

func TestTestCommandFailures(t *testing.T) {
	s, out, _ := newStreams()
	err := (&testCmd{streams: s}).Run(context.Background(), []string{"../../internal/pipetest/testdata/failing_test.yaml"})
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != 1 {
		t.Fatalf("pipesim test failing_test.yaml = %v; want exit code 1", err)
	}
	if got := strings.Count(out.String(), "--- FAIL"); got != 3 || !strings.HasPrefix(lastLine(out.String()), "FAIL\t") {
		t.Errorf("pipesim test failing_test.yaml printed:\n%s\nwant 3 FAIL blocks and a FAIL line", out)
	}
	s, out, _ = newStreams()
	err = (&testCmd{streams: s}).Run(context.Background(), []string{"-run", "^passes$", "../../internal/pipetest/testdata/failing_test.yaml"})
	if err != nil {
		t.Errorf("pipesim test -run ^passes$ = %v; want success\n%s", err, out)
	}
	s, out, _ = newStreams()
	err = (&testCmd{streams: s}).Run(context.Background(), []string{"no-such_test.yaml"})
	if !errors.As(err, &ee) || ee.code != 1 || !strings.Contains(out.String(), "[setup failed]") {
		t.Errorf("pipesim test no-such_test.yaml = %v, %q; want exit 1 and [setup failed]", err, out)
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}
