package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runTestPattern(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd := &testPatternCmd{streams: newStreams(strings.NewReader(""), &out, &errOut)}
	err = cmd.Run(context.Background(), args)
	return out.String(), errOut.String(), err
}

func TestTestPatternResult(t *testing.T) {
	dir := t.TempDir()
	patternFile := filepath.Join(dir, "pattern.json")
	if err := os.WriteFile(patternFile, []byte(`{"eventName": ["REMOVE"]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--event-pattern", `{"eventName": ["INSERT", "MODIFY"]}`, "--event", `{"eventName": "MODIFY"}`}, "{\"Result\": true}\n"},
		{[]string{"--event-pattern", `{"eventName": ["INSERT", "MODIFY"]}`, "--event", `{"eventName": "REMOVE"}`}, "{\"Result\": false}\n"},
		{[]string{"--event-pattern", "file://" + patternFile, "--event", `{"eventName": "REMOVE"}`}, "{\"Result\": true}\n"},
		{[]string{"--pipes", "--event-pattern", `{"eventSource": ["aws:dynamodb"]}`, "--event", `{"eventSource": "aws:dynamodb"}`}, "{\"Result\": false}\n"},
	}
	for _, tt := range tests {
		got, _, err := runTestPattern(t, tt.args...)
		if err != nil || got != tt.want {
			t.Errorf("test-pattern %q = %q, %v; want %q, nil", tt.args, got, err, tt.want)
		}
	}
}

func TestTestPatternInvalid(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--event-pattern", `{"eventName": "INSERT"}`, "--event", `{}`}, `Event pattern is not valid. Reason: "eventName" must be an object or an array`},
		{[]string{"--pipes", "--event-pattern", `{"a": [{"anything-but": {"prefix": "x"}}]}`, "--event", `{}`}, "not supported by EventBridge Pipes"},
		{[]string{"--event-pattern", `{"a": ["x"]}`, "--event", `[1]`}, "Parameter Event is not valid"},
		{[]string{"--event-pattern", `{"a": ["x"]}`}, "required"},
		{[]string{"--event-pattern", "file:///nonexistent/pattern.json", "--event", `{}`}, "open /nonexistent/pattern.json"},
	}
	for _, tt := range tests {
		_, _, err := runTestPattern(t, tt.args...)
		var ee *exitError
		if !errors.As(err, &ee) || ee.code != 2 || ee.err == nil || !strings.Contains(ee.err.Error(), tt.want) {
			t.Errorf("test-pattern %q = %v; want exit 2 with %q", tt.args, err, tt.want)
		}
	}
}
