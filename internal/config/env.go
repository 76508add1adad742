package config

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"regexp"
	"strings"
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
	data, err := os.ReadFile(path)
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

// expand replaces ${VAR} and ${VAR:-default} in the pipes file text; $$ is a literal $. Lines
// that are only a comment are left alone. An unset variable without a default is an error naming it
// and its line. Values are not YAML-quoted: a value that needs quoting goes inside quotes in the
// file.
func expand(data []byte, lookup Lookup) ([]byte, error) {
	var errs []string
	lines := bytes.SplitAfter(data, []byte("\n"))
	for i, line := range lines {
		if bytes.HasPrefix(bytes.TrimSpace(line), []byte("#")) {
			continue
		}
		lines[i] = varRef.ReplaceAllFunc(line, func(m []byte) []byte {
			v, err := resolveRef(string(m), lookup)
			if err != "" {
				errs = append(errs, fmt.Sprintf("line %d: %s", i+1, err))
				return m
			}
			return []byte(v)
		})
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return bytes.Join(lines, nil), nil
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
