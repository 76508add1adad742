package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
)

func testStreams() (streams, *bytes.Buffer, *bytes.Buffer) {
	var out, errOut bytes.Buffer
	return newStreams(strings.NewReader(""), &out, &errOut), &out, &errOut
}

// TestSeedPipeTestFile runs `pipesim test` on the seed design's test file: it must pass.
func TestSeedPipeTestFile(t *testing.T) {
	s, out, _ := testStreams()
	err := (&testCmd{streams: s}).Run(context.Background(), []string{"-v", "../../testdata/weather-stats/pipes_test.yaml"})
	if err != nil {
		t.Fatalf("pipesim test pipes_test.yaml = %v; want success\n%s", err, out)
	}
	if !strings.HasPrefix(lastLine(out.String()), "ok  \t") || strings.Count(out.String(), "--- PASS") != 9 {
		t.Errorf("pipesim test -v pipes_test.yaml printed:\n%s\nwant 9 PASS lines and ok", out)
	}
}

func TestTestCommandFailures(t *testing.T) {
	s, out, _ := testStreams()
	err := (&testCmd{streams: s}).Run(context.Background(), []string{"../../internal/pipetest/testdata/failing_test.yaml"})
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != 1 {
		t.Fatalf("pipesim test failing_test.yaml = %v; want exit code 1", err)
	}
	if got := strings.Count(out.String(), "--- FAIL"); got != 3 || !strings.HasPrefix(lastLine(out.String()), "FAIL\t") {
		t.Errorf("pipesim test failing_test.yaml printed:\n%s\nwant 3 FAIL blocks and a FAIL line", out)
	}
	s, out, _ = testStreams()
	err = (&testCmd{streams: s}).Run(context.Background(), []string{"--run", "^passes$", "../../internal/pipetest/testdata/failing_test.yaml"})
	if err != nil {
		t.Errorf("pipesim test -run ^passes$ = %v; want success\n%s", err, out)
	}
	s, out, _ = testStreams()
	err = (&testCmd{streams: s}).Run(context.Background(), []string{"no-such_test.yaml"})
	if !errors.As(err, &ee) || ee.code != 1 || !strings.Contains(out.String(), "[setup failed]") {
		t.Errorf("pipesim test no-such_test.yaml = %v, %q; want exit 1 and [setup failed]", err, out)
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

// TestSeedPipeTestFileOnTemplate runs the seed's pipe tests against its CloudFormation template:
// with the stack's parameters bound to the Momento variables the test file's env sets, every
// case passes as it does on the pipes file.
func TestSeedPipeTestFileOnTemplate(t *testing.T) {
	for _, args := range [][]string{
		{"--template", seedTemplate, "--momento-parameters", "MomentoApiEndpoint,MomentoApiKey"},
		{"--template", seedTemplate, "--parameter-overrides", "MomentoApiKey=test-api-key", "MomentoApiEndpoint=https://api.cache.cell-4-us-west-2-1.prod.a.momentohq.com"},
	} {
		s, out, errOut := testStreams()
		err := (&testCmd{streams: s}).Run(context.Background(), append(args, "-v", "../../testdata/weather-stats/pipes_test.yaml"))
		if err != nil {
			t.Fatalf("pipesim test %q = %v; want success\n%s%s", args, err, out, errOut)
		}
		if strings.Count(out.String(), "--- PASS") != 9 {
			t.Errorf("pipesim test %q printed:\n%s\nwant 9 PASS lines", args, out)
		}
	}
	s, _, _ := testStreams()
	err := (&testCmd{streams: s}).Run(context.Background(), []string{"--stack", "x", "../../testdata/weather-stats/pipes_test.yaml"})
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != 2 {
		t.Errorf("pipesim test --stack without --template = %v; want exit 2", err)
	}
}
