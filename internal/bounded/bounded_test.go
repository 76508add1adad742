package bounded

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "small")
	if err := os.WriteFile(small, []byte("12345"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := ReadFile(small, 5); err != nil || string(got) != "12345" {
		t.Errorf("ReadFile(5 bytes, limit 5) = %q, %v; want the file", got, err)
	}
	if _, err := ReadFile(small, 4); !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), small+": too large: more than 4 bytes") {
		t.Errorf("ReadFile(5 bytes, limit 4) = %v; want ErrTooLarge naming the file and the limit", err)
	}
	if _, err := ReadFile(filepath.Join(dir, "none"), 4); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadFile(missing) = %v; want fs.ErrNotExist", err)
	}
}

// TestEndlessFiles: devices that never end are read up to the limit, then refused; memory does
// not grow with them.
func TestEndlessFiles(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("needs /dev/zero and /dev/urandom")
	}
	for _, dev := range []string{"/dev/zero", "/dev/urandom"} {
		_, err := ReadFile(dev, 1<<20)
		if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), dev+": too large: more than 1 MiB") {
			t.Errorf("ReadFile(%s) = %v; want ErrTooLarge naming it", dev, err)
		}
	}
}

func TestSize(t *testing.T) {
	for n, want := range map[int64]string{300: "300 bytes", 1024: "1 KiB", 1536: "1.5 KiB", 16 << 20: "16 MiB", 1108650: "1.06 MiB"} {
		if got := Size(n); got != want {
			t.Errorf("Size(%d) = %q; want %q", n, got, want)
		}
	}
}
