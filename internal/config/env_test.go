package config

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
)

func TestExpand(t *testing.T) {
	lookup := seedLookup(map[string]string{"A": "alpha", "EMPTY": "", "N": "10", "NULLISH": "null", "TILDE": "~", "K": "key"})
	for _, tc := range []struct {
		in   string
		want any
		err  string
	}{
		{in: "x: ${A}", want: map[string]any{"x": "alpha"}},
		{in: "x: ${B:-def}", want: map[string]any{"x": "def"}},
		{in: "x: ${EMPTY:-def}", want: map[string]any{"x": "def"}},
		{in: "x: $$ and $.path", want: map[string]any{"x": "$ and $.path"}},
		{in: "x: $${A}", want: map[string]any{"x": "${A}"}},
		{in: "# ${NOT_SET} in a comment\nx: 1", want: map[string]any{"x": 1}},
		{in: "x: 1 # ${NOT_SET} after a value", want: map[string]any{"x": 1}},
		{in: "x: ${N}", want: map[string]any{"x": 10}},     // plain: typed by its value
		{in: `x: "${N}"`, want: map[string]any{"x": "10"}}, // quoted: a string
		{in: "x: ${NULLISH}", want: map[string]any{"x": "null"}},
		{in: "x: ${TILDE}", want: map[string]any{"x": "~"}},
		{in: "x: ${EMPTY:-}", want: map[string]any{"x": nil}},
		{in: "${K}: v", want: map[string]any{"key": "v"}},
		{in: "a: &anchor \"${A}$$\"\nb: *anchor", want: map[string]any{"a": "alpha$", "b": "alpha$"}}, // expanded once
		{in: `x: ["${A}", {y: "${N}"}]`, want: map[string]any{"x": []any{"alpha", map[string]any{"y": "10"}}}},
		{in: "a: 1\nx: ${B}", err: "line 2: ${B} is not set"},
		{in: "x: |\n  one\n  two ${B}\n", err: "line 3: ${B} is not set"},
		{in: "x: ${1BAD}", err: `"${1BAD}" is not a variable reference`},
		{in: "x: ${B}\ny: ${C}", err: "line 1: ${B} is not set (environment or .env); line 2: ${C} is not set"},
	} {
		var root yaml.Node
		if err := yaml.Unmarshal([]byte(tc.in), &root); err != nil {
			t.Fatalf("yaml.Unmarshal(%q): %v", tc.in, err)
		}
		err := expand(&root, lookup)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("expand(%q) error = %v; want %q", tc.in, err, tc.err)
			}
			continue
		}
		var got any
		if err == nil {
			err = root.Decode(&got)
		}
		if err != nil {
			t.Errorf("expand(%q) error = %v", tc.in, err)
			continue
		}
		if d := cmp.Diff(tc.want, got); d != "" {
			t.Errorf("expand(%q) (-want +got):\n%s", tc.in, d)
		}
	}
}

const literalFile = `
Connections:
  - Name: c1
    AuthorizationType: API_KEY
    AuthParameters:
      ApiKeyAuthParameters: {ApiKeyName: x-api-key, ApiKeyValue: "${KEY}"}
      InvocationHttpParameters:
        BodyParameters:
          - Key: plain
            Value: ${V}
            IsValueSecret: true
          - {Key: quoted, Value: "${V}", IsValueSecret: true}
          - Key: block
            Value: |-
              ${V}
ApiDestinations:
  - {Name: d1, ConnectionArn: c1, InvocationEndpoint: "${ENDPOINT}/x", HttpMethod: POST}
Pipes:
  - Name: p1
    Source: arn:aws:dynamodb:us-east-1:000000000000:table/weather/stream/2026-01-01T00:00:00.000
    SourceParameters:
      DynamoDBStreamParameters:
        StartingPosition: LATEST
        MaximumRetryAttempts: ${RETRIES}
    Target: d1
`

// TestExpandTakesValuesLiterally: a variable's value is the parsed value, whatever it holds; it
// cannot break the file or close its own string and add fields.
func TestExpandTakesValuesLiterally(t *testing.T) {
	for _, v := range []string{
		`x", IsValueSecret: false, Key: "evil`, // closes a quoted string and adds fields in a text substitution
		"a: b",                                 // a mapping in a plain scalar
		"{a: 1}", "[1, 2]", "} ] {",            // flow collections
		"line one\nline two", // a newline
		"# not a comment", "value # not a comment either",
		`back\slash "quotes" 'single'`,
		"&anchor *alias !tag |",
		"null", "~", "true", "012", "-",
	} {
		env := map[string]string{"KEY": "k" + strings.ReplaceAll(v, "\n", " "), "V": v, "ENDPOINT": "http://127.0.0.1:1", "RETRIES": "3"}
		cfg, err := Parse("literal.yaml", []byte(literalFile), Options{Lookup: seedLookup(env)})
		if err != nil {
			t.Errorf("value %q: Parse error: %v", v, err)
			continue
		}
		p := cfg.Pipes[0]
		body := p.Target.Dest.Conn.Body
		if len(body) != 3 {
			t.Errorf("value %q: %d body parameters; want 3", v, len(body))
			continue
		}
		for _, kv := range body {
			if kv.Value != v || kv.Secret != (kv.Key != "block") {
				t.Errorf("value %q: body parameter %s = %q (secret %t); want the value as it is", v, kv.Key, kv.Value, kv.Secret)
			}
		}
		if p.Stream.MaxRetries != 3 {
			t.Errorf("MaximumRetryAttempts from ${RETRIES} = %d; want 3", p.Stream.MaxRetries)
		}
	}
}

// TestFlowVarHint: an unquoted ${VAR} in a flow collection is a YAML syntax error; the message
// says to quote it.
func TestFlowVarHint(t *testing.T) {
	const want = `must be quoted: "${VAR}"`
	for _, in := range []string{"x: {a: ${A}}", "x: [${A}]", "x: {a: 1, b: ${A}}"} {
		_, err := Parse("flow.yaml", []byte(in), Options{Lookup: seedLookup(map[string]string{"A": "1"})})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q) = %v; want an error containing %s", in, err, want)
		}
	}
	_, err := Parse("flow.yaml", []byte("x: {a: \"${A}\"}\ny: [\n"), Options{Lookup: seedLookup(map[string]string{"A": "1"})})
	if err == nil || strings.Contains(err.Error(), want) {
		t.Errorf("Parse(quoted) = %v; want an error without the hint", err)
	}
}
