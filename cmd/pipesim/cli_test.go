package main

import (
	"bytes"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"testing"
)

// runCLI runs a whole command line as main does and returns its exit code and output.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(args, streams{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut})
	return code, out.String(), errOut.String()
}

// TestHelp: pipesim -h lists every command with its one-line description; help CMD and CMD -h
// show a command's usage line (with its positional arguments), flags and examples; -h exits 0
// everywhere.
func TestHelp(t *testing.T) {
	code, out, _ := runCLI(t, "-h")
	if code != 0 {
		t.Fatalf("pipesim -h exits %d", code)
	}
	checkGoldenFile(t, filepath.Join("testdata", "help.golden"), out)
	root := newRoot(testStreamsOnly())
	for _, c := range root.Commands() {
		if c.Short == "" {
			t.Errorf("pipesim %s has no one-line description", c.Name())
		}
		paths := [][]string{{c.Name()}}
		for _, sub := range c.Commands() {
			paths = append(paths, []string{c.Name(), sub.Name()})
		}
		for _, p := range paths {
			code, out, errOut := runCLI(t, append(p, "-h")...)
			if code != 0 || !strings.Contains(out+errOut, "pipesim "+strings.Join(p, " ")) {
				t.Errorf("pipesim %s -h exits %d, printing:\n%s%s\nwant exit 0 and its usage", strings.Join(p, " "), code, out, errOut)
			}
		}
	}
	code, out, _ = runCLI(t, "help", "test")
	for _, want := range []string{"Usage:\n  pipesim test [FILE...]", "--run expression", "-v, --verbose", "Examples:"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("pipesim help test exits %d, printing:\n%s\nwant %q", code, out, want)
		}
	}
	for _, usage := range []string{"pipesim replay --records FILE", "pipesim capture --source TABLE", "pipesim dlq show --queue NAME [MESSAGE_ID...]"} {
		args := strings.Fields(strings.TrimPrefix(usage, "pipesim "))[:1]
		if strings.Contains(usage, "dlq") {
			args = []string{"dlq", "show"}
		}
		if _, out, _ := runCLI(t, append([]string{"help"}, args...)...); !strings.Contains(out, "Usage:\n  "+usage) {
			t.Errorf("pipesim help %s:\n%s\nwant the usage line %q", strings.Join(args, " "), out, usage)
		}
	}
}

// testStreamsOnly is streams over buffers nobody reads.
func testStreamsOnly() streams {
	s, _, _ := testStreams()
	return s
}

func TestVersion(t *testing.T) {
	code, out, _ := runCLI(t, "--version")
	if code != 0 || !regexp.MustCompile(`^pipesim \S.*, go\d`).MatchString(out) {
		t.Errorf("pipesim --version exits %d, printing %q; want the module version and Go's", code, out)
	}
	info := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.3"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.time", Value: "2026-11-25T20:00:00Z"}, {Key: "vcs.modified", Value: "true"}}}
	if got, want := formatVersion(info), "v1.2.3, commit 0123456789ab (2026-11-25T20:00:00Z), modified, go1.26.8"; got != want {
		t.Errorf("formatVersion = %q; want %q", got, want)
	}
}

// TestCommandLineErrors: usage errors exit 2 with a message naming what is wrong (a mistyped
// command gets suggestions); no message names a Go identifier.
func TestCommandLineErrors(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"rnu"}, "unknown command \"rnu\" for \"pipesim\"\n\nDid you mean this?\n\trun"},
		{[]string{"chek"}, "Did you mean this?\n\tcheck"},
		{[]string{"dlq", "lst"}, `unknown command "lst" for "pipesim dlq"; did you mean list?`},
		{[]string{"dlq"}, "Available Commands:"},
		{[]string{"check", "--pipez", "x"}, "check: unknown flag: --pipez (pipesim check -h lists its flags)"},
		{[]string{"check", "pipes.yaml"}, `check: unexpected argument "pipes.yaml"`},
		{[]string{"logs", "--pipe"}, "logs: flag needs an argument: --pipe"},
		{[]string{"run", "--backoff", "soon"}, `run: invalid argument "soon" for "--backoff" flag`},
		{[]string{"check", "--stack", "s"}, "--stack needs --template"},
	}
	goName := regexp.MustCompile(`\b(main|config|sim|pipe|flag|pflag|cobra)\.[A-Za-z]|\*[a-z]+\.[A-Z]|Options\.`)
	for _, tt := range cases {
		code, out, errOut := runCLI(t, tt.args...)
		if code != 2 || !strings.Contains(errOut, tt.want) {
			t.Errorf("pipesim %q exits %d, stderr:\n%s\nwant exit 2 and %q", tt.args, code, errOut, tt.want)
		}
		if goName.MatchString(out + errOut) {
			t.Errorf("pipesim %q names a Go identifier:\n%s%s", tt.args, out, errOut)
		}
	}
}

// TestSingleDashLongFlags: the spelling Go's flag package accepted, -pipes x and -state-dir=d,
// keeps working; a shorthand stays a shorthand.
func TestSingleDashLongFlags(t *testing.T) {
	code, out, errOut := runCLI(t, "check", "-pipes", "../../internal/check/testdata/clean.yaml")
	if code != 0 || !strings.Contains(out, "clean.yaml: 1 pipe, no findings") {
		t.Errorf("pipesim check -pipes clean.yaml exits %d:\n%s%s", code, out, errOut)
	}
	code, out, errOut = runCLI(t, "logs", "-state-dir="+logsState, "-pipe", "audit", "-v")
	if code != 0 || !strings.Contains(out, "audit 5f0c2a91 ExecutionFailed") {
		t.Errorf("pipesim logs -state-dir=... -pipe audit -v exits %d:\n%s%s", code, out, errOut)
	}
	got := normalizeArgs(newRoot(testStreamsOnly()), []string{"replay", "-records", "r.jsonl", "-v", "--backoff", "-1s", "-parameter-overrides", "A=1", "B=2", "--", "-records"})
	want := []string{"replay", "--records", "r.jsonl", "-v", "--backoff", "-1s", "--parameter-overrides", "A=1", "--parameter-overrides", "B=2", "--", "-records"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("normalizeArgs = %q; want %q", got, want)
	}
}

// TestCompletion: cobra's completion scripts, and pipesim's own completions (logs --pipe offers
// the pipes with a history).
func TestCompletion(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish", "powershell"} {
		code, out, errOut := runCLI(t, "completion", shell)
		if code != 0 || !strings.Contains(out, "pipesim") {
			t.Errorf("pipesim completion %s exits %d (%s)", shell, code, errOut)
		}
	}
	code, out, _ := runCLI(t, "__complete", "ch")
	if code != 0 || !strings.Contains(out, "check\t") {
		t.Errorf("completion of 'ch' = %q; want check", out)
	}
	code, out, _ = runCLI(t, "__complete", "logs", "--state-dir", logsState, "--pipe", "")
	if code != 0 || !strings.Contains(out, "audit\nbig-orders\n") {
		t.Errorf("completion of logs --pipe = %q; want the pipes with a history", out)
	}
}
