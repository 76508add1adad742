package config

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/pipesim/pipesim/internal/bounded"
)

// TestNamesThatBecomePaths: a log group name is held to AWS's rule and may not leave the state
// directory; a cache name may not change the URL path it goes into. Each error names the pipe
// (or Caches) and the field.
func TestNamesThatBecomePaths(t *testing.T) {
	_, err := Load(filepath.Join("testdata", "errors", "bad-names.yaml"), Options{Lookup: seedLookup(nil)})
	if err == nil {
		t.Fatal("Load(bad-names.yaml) = nil error")
	}
	for _, want := range []string{
		`pipe "escapes": LogConfiguration.CloudwatchLogsLogDestination.LogGroupArn: log group name "../../../escaped": pipesim keeps it as a path, and a ".." segment would leave its directory`,
		`pipe "bad-chars": LogConfiguration.CloudwatchLogsLogDestination.LogGroupArn: log group name "my logs": want 1-512 characters of a-z, A-Z, 0-9, '.', '-', '_', '/', '#'`,
		`Caches: cache name "..": pipesim keeps it as a path`,
		`Caches: cache name "a/b": want 1-255 characters, none of them '/'`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Load(bad-names.yaml) error =\n%v\nwant it to contain %q", err, want)
		}
	}
	for _, notWant := range []string{`pipe "fine"`, "good-cache"} {
		if strings.Contains(err.Error(), notWant) {
			t.Errorf("Load(bad-names.yaml) error =\n%v\nwant nothing about %s", err, notWant)
		}
	}
}

// TestEndlessFiles: a pipes file or .env that never ends (/dev/urandom, /dev/zero) is an error
// naming it and the limit, after reading at most the limit.
func TestEndlessFiles(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("needs /dev/zero and /dev/urandom")
	}
	_, err := Load("/dev/urandom", Options{Lookup: seedLookup(nil)})
	if !errors.Is(err, bounded.ErrTooLarge) || !strings.Contains(err.Error(), "read pipes file: /dev/urandom: too large: more than 16 MiB") {
		t.Errorf("Load(/dev/urandom) = %v; want a size error naming the file", err)
	}
	dir := t.TempDir()
	seed, err := os.ReadFile("../../testdata/weather-stats/pipes.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "pipes.yaml"), seed, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/dev/zero", filepath.Join(dir, ".env")); err != nil {
		t.Fatal(err)
	}
	_, err = Load(filepath.Join(dir, "pipes.yaml"), Options{})
	if !errors.Is(err, bounded.ErrTooLarge) || !strings.Contains(err.Error(), "read .env: "+filepath.Join(dir, ".env")+": too large: more than 1 MiB") {
		t.Errorf("Load(pipes.yaml beside a .env that is /dev/zero) = %v; want a size error naming .env", err)
	}
}
