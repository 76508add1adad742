package names

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
)

// Kind is a kind of name, with AWS's rule for it.
type Kind struct {
	what    string
	pattern *regexp.Regexp
	rule    string
	// slashes: the name may hold '/', and each of its segments becomes a directory.
	slashes bool
}

// The kinds of names that become paths.
var (
	// Pipe is a pipe's name (CreatePipe: 1-64 of [\.\-_A-Za-z0-9]): checkpoints/<pipe>.json,
	// logs/<log group>/<pipe>.jsonl.
	Pipe = Kind{what: "pipe name", pattern: regexp.MustCompile(`^[\.\-_A-Za-z0-9]{1,64}$`),
		rule: "1-64 characters of a-z, A-Z, 0-9, '.', '-', '_'"}
	// Queue is an SQS queue's name (CreateQueue: 1-80 of [a-zA-Z0-9_-]; a FIFO queue's .fifo
	// cannot be a pipe's dead-letter queue): dlq/<queue>.json.
	Queue = Kind{what: "queue name", pattern: regexp.MustCompile(`^[a-zA-Z0-9_-]{1,80}$`),
		rule: "1-80 characters of a-z, A-Z, 0-9, '_', '-'"}
	// LogGroup is a CloudWatch Logs log group's name (CreateLogGroup: 1-512 of
	// [\.\-_/#A-Za-z0-9]): logs/<log group>/, one directory per '/'-separated segment.
	LogGroup = Kind{what: "log group name", pattern: regexp.MustCompile(`^[\.\-_/#A-Za-z0-9]{1,512}$`),
		rule: "1-512 characters of a-z, A-Z, 0-9, '.', '-', '_', '/', '#'", slashes: true}
	// Cache is a Momento cache's name, a segment of /cache/{cache} and /topics/{cache}/{topic}.
	// Momento documents no character set; pipesim refuses only what would change the path:
	// '/', '\', control characters, and "." or ".." alone (docs/fidelity.md).
	Cache = Kind{what: "cache name", pattern: regexp.MustCompile(`^[^/\\\x00-\x1f\x7f]{1,255}$`),
		rule: "1-255 characters, none of them '/', '\\' or a control character"}
)

// Check returns an error naming the name and the rule when name is not a valid name of kind k,
// or has a segment ("." or "..") that would leave a directory.
func (k Kind) Check(name string) error {
	if !k.pattern.MatchString(name) {
		return fmt.Errorf("%s %q: want %s", k.what, name, k.rule)
	}
	segments := []string{name}
	if k.slashes {
		segments = strings.Split(name, "/")
	}
	for _, seg := range segments {
		if seg == "." || seg == ".." {
			return fmt.Errorf("%s %q: pipesim keeps it as a path, and a %q segment would leave its directory", k.what, name, seg)
		}
	}
	return nil
}

// File is the path of the file (or, with ext "", the directory) that a name of kind k has in
// dir: dir/<name><ext>, a log group's segments as nested directories (a leading '/' dropped:
// /aws/vendedlogs/x is dir/aws/vendedlogs/x). It is the one function that makes a path of a
// name; it returns Check's error for a bad name, and never a path outside dir.
func File(dir string, k Kind, name, ext string) (string, error) {
	if err := k.Check(name); err != nil {
		return "", err
	}
	rel := filepath.FromSlash(strings.Trim(name, "/")) + ext
	path := filepath.Join(dir, rel)
	if r, err := filepath.Rel(dir, path); err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) || filepath.IsAbs(r) || r == "." {
		return "", fmt.Errorf("%s %q: does not make a path inside %s", k.what, name, dir)
	}
	return path, nil
}
