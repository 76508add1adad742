package atomicfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func TestReplace(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "checkpoint.json")
	for _, data := range []string{"one", "two"} {
		if err := Replace(path, []byte(data), 0o600); err != nil {
			t.Fatalf("Replace(%q): %v", data, err)
		}
		checkFile(t, path, data, 0o600)
	}
}

func TestCreate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "key")
	if err := Create(path, []byte("first"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Create(path, []byte("second"), 0o644); !errors.Is(err, fs.ErrExist) {
		t.Errorf("Create over an existing file = %v; want fs.ErrExist", err)
	}
	checkFile(t, path, "first", 0o644)
}

// checkFile checks path's content and mode, and that no temporary file is left beside it.
func checkFile(t *testing.T, path, want string, mode os.FileMode) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil || string(got) != want {
		t.Fatalf("ReadFile(%s) = %q, %v; want %q", path, got, err, want)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != mode {
		t.Errorf("mode of %s = %v; want %v", path, fi.Mode().Perm(), mode)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("%s holds %d files; want only %s", filepath.Dir(path), len(entries), filepath.Base(path))
	}
}
