package config

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/pipesim/pipesim/internal/bounded"
)

// Lookup finds a variable's value; ok is false when it is not set.
type Lookup func(name string) (value string, ok bool)

// Env looks a variable up in the process environment first, then in dotenv. The environment wins,
// as with docker compose, so a one-off `MOMENTO_API_KEY=... pipesim run` overrides .env.
func Env(dotenv map[string]string) Lookup {
	return func(name string) (string, bool) {
		if v, ok := os.LookupEnv(name); ok {
			return v, true
		}
		v, ok := dotenv[name]
		return v, ok
	}
}

// With returns a Lookup that answers name with value and asks l for everything else.
func (l Lookup) With(name, value string) Lookup {
	return func(n string) (string, bool) {
		if n == name {
			return value, true
		}
		return l(n)
	}
}

// ReadDotEnv parses a .env file: KEY=VALUE lines, '#' comments, optional `export `, values
// optionally in single or double quotes. A missing file is an empty map, not an error.
func ReadDotEnv(path string) (map[string]string, error) {
	data, err := bounded.ReadFile(path, bounded.DotEnv)
	if os.IsNotExist(err) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, err
	}
	return parseDotEnv(path, data)
}

func parseDotEnv(path string, data []byte) (map[string]string, error) {
	vars := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		k, v, ok := strings.Cut(line, "=")
		k = strings.TrimSpace(k)
		if !ok || !varName.MatchString(k) {
			return nil, fmt.Errorf("%s:%d: want KEY=VALUE", path, n)
		}
		vars[k] = unquote(strings.TrimSpace(v))
	}
	return vars, sc.Err()
}

func unquote(v string) string {
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
		return v[1 : len(v)-1]
	}
	return v
}

var (
	varName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	varRef  = regexp.MustCompile(`\$\$|\$\{([^}]*)\}`)
)

// expand replaces ${VAR} and ${VAR:-default} in every scalar of the parsed file, mapping keys
// included; $$ is a literal $. It runs on the YAML node tree, never on the file's text, so a value
// is taken literally whatever it holds (quotes, ": ", "{", "#", newlines): it cannot end its own
// string or add fields. Comments are not nodes, so they are never expanded. An unset variable
// without a default is an error naming it and its line. Aliases are not followed: the node they
// name is expanded once, where it is defined.
func expand(n *yaml.Node, lookup Lookup) error {
	var errs []string
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.ScalarNode {
			errs = append(errs, expandScalar(n, lookup)...)
			return
		}
		if n.Kind != yaml.AliasNode {
			for _, c := range n.Content {
				walk(c)
			}
		}
	}
	walk(n)
	if len(errs) > 0 {
		return fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return nil
}

// expandScalar expands the references in one scalar and returns the problems found. A plain
// (unquoted, untagged) scalar is then typed by what it holds, as if its value had been written
// there (`BatchSize: ${N}` is a number), except that a value that would read as null (`~`,
// `null`) stays the text it is.
func expandScalar(n *yaml.Node, lookup Lookup) []string {
	refs := varRef.FindAllStringIndex(n.Value, -1)
	if len(refs) == 0 {
		return nil
	}
	var b strings.Builder
	var errs []string
	last := 0
	for _, r := range refs {
		v, problem := resolveRef(n.Value[r[0]:r[1]], lookup)
		if problem != "" {
			errs = append(errs, fmt.Sprintf("line %d: %s", refLine(n, r[0]), problem))
		}
		b.WriteString(n.Value[last:r[0]])
		b.WriteString(v)
		last = r[1]
	}
	b.WriteString(n.Value[last:])
	n.Value = b.String()
	if n.Style == 0 {
		n.Tag = ""
		if n.Tag = n.ShortTag(); n.Tag == "!!null" && n.Value != "" {
			n.Tag = "!!str"
		}
	}
	return errs
}

// refLine is the file line of the reference at offset i of n's value: exact in a literal block
// (`|`), the scalar's first line otherwise (folding has joined its lines).
func refLine(n *yaml.Node, i int) int {
	if n.Style&yaml.LiteralStyle != 0 {
		return n.Line + 1 + strings.Count(n.Value[:i], "\n")
	}
	return n.Line
}

// resolveRef resolves one $$ or ${...}; the second result is a problem to report.
func resolveRef(ref string, lookup Lookup) (string, string) {
	if ref == "$$" {
		return "$", ""
	}
	name, def, hasDef := strings.Cut(ref[2:len(ref)-1], ":-")
	if !varName.MatchString(name) {
		return "", fmt.Sprintf("%q is not a variable reference", ref)
	}
	if v, ok := lookup(name); ok && v != "" {
		return v, ""
	}
	if hasDef {
		return def, ""
	}
	return "", fmt.Sprintf("${%s} is not set (environment or .env)", name)
}
