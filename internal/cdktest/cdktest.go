package cdktest

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Out synthesizes the project's CDK app with scripts/cdk-synth.sh, which installs the pinned AWS
// CDK on first use, and returns its cdk.out. The output is kept under the user cache folder
// keyed by the app's and the scripts' content, so synth runs once per change of them. Where node
// or npm cannot be found the test is skipped with a notice; under CI=true it fails instead.
func Out(t testing.TB) string {
	t.Helper()
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s not found: CI must have Node.js to run the real cdk synth", tool)
			}
			t.Skipf("%s not found: skipping the real cdk synth (install Node.js and npm to run it)", tool)
		}
	}
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	for _, f := range []string{"testdata/cdk-app/app.js", "scripts/cdk-synth.sh", "scripts/install-cdk.sh"} {
		data, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		h.Write(data)
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	out := filepath.Join(cache, "pipesim", "cdk-synth", hex.EncodeToString(h.Sum(nil))[:16])
	if _, err := os.Stat(filepath.Join(out, "manifest.json")); err == nil {
		return out
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		t.Fatal(err)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(out), ".synth-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	cmd := exec.Command(filepath.Join(root, "scripts", "cdk-synth.sh"), filepath.Join(root, "testdata", "cdk-app"), tmp)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("cdk synth: %v\n%s", err, msg)
	}
	if err := os.Rename(tmp, out); err != nil && !os.IsExist(err) {
		if _, statErr := os.Stat(filepath.Join(out, "manifest.json")); statErr != nil { // another run won
			t.Fatal(err)
		}
	}
	return out
}

// moduleRoot is the directory of the go.mod above the test's working directory (its package's).
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}
