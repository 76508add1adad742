package main

import (
	"context"
	"runtime"
	"strings"
	"testing"
)

// TestEndlessArguments: file:// arguments, pipes files and pipe test files that never end are
// refused with an error naming them, after reading at most their limit (they used to grow to
// 15-24 GB).
func TestEndlessArguments(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("needs /dev/zero and /dev/urandom")
	}
	cases := []struct {
		cmd  func(streams) command
		args []string
		code int
		want string
	}{
		{func(s streams) command { return &transformCmd{streams: s} }, []string{"--input-template", "{}", "--event", "file:///dev/urandom"}, 1,
			"transform: --event: /dev/urandom: too large: more than 4 MiB"},
		{func(s streams) command { return &transformCmd{streams: s} }, []string{"--input-template", "file:///dev/zero", "--event", "{}"}, 1,
			"transform: --input-template: /dev/zero: too large: more than 4 MiB"},
		{func(s streams) command { return &testPatternCmd{streams: s} }, []string{"--event-pattern", "file:///dev/zero", "--event", "{}"}, 2,
			"--event-pattern: /dev/zero: too large"},
		{func(s streams) command { return &replayCmd{streams: s} }, []string{"--pipes", "/dev/urandom", "--records", "-", "--dry-run"}, 1,
			"read pipes file: /dev/urandom: too large: more than 16 MiB"},
	}
	for _, c := range cases {
		s, _, _ := testStreams()
		err := c.cmd(s).Run(context.Background(), c.args)
		if code := exitCode(err, s.stderr); code != c.code || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%T %q = exit %d, %v; want exit %d, an error containing %q", c.cmd(s), c.args, code, err, c.code, c.want)
		}
	}
	s, out, _ := testStreams()
	err := (&testCmd{streams: s}).Run(context.Background(), []string{"/dev/zero"})
	if exitCode(err, s.stderr) != 1 || !strings.Contains(out.String(), "/dev/zero: too large: more than 16 MiB") {
		t.Errorf("pipesim test /dev/zero = %v, %q; want exit 1 naming the file and its limit", err, out)
	}
}
