package httpdest

import (
	"bytes"
	"encoding/json"
	"strings"
)

// RedactedValue replaces every secret in what pipesim prints or logs.
const RedactedValue = "********"

// secretValues lists the forms in which the connection's secret query-string and body values
// (IsValueSecret) can appear in a URL or a body: as they are, URL-escaped as Build escapes them,
// and JSON-escaped as mergeBody writes them. Secret headers are handled by Redacted.
func (c *Connection) secretValues() []string {
	var out []string
	for _, kvs := range [][]KeyValue{c.Query, c.Body} {
		for _, kv := range kvs {
			if !kv.Secret || kv.Value == "" {
				continue
			}
			out = append(out, kv.Value, escape(kv.Value), jsonEscaped(kv.Value))
		}
	}
	return out
}

// jsonEscaped is s as it appears between the quotes of a JSON string written by mergeBody.
func jsonEscaped(s string) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	q := strings.TrimSpace(buf.String())
	return q[1 : len(q)-1]
}

// Secrets lists the forms of the target's secret connection values that RedactString hides.
func (t *Target) Secrets() []string {
	t.prepare()
	return t.secretValues
}

// RedactString replaces every secret connection value in s (a URL or a body of this request).
func (r *Request) RedactString(s string) string {
	return Redact(s, r.secretValues)
}

// Redact replaces every one of secrets in s with RedactedValue.
func Redact(s string, secrets []string) string {
	for _, v := range secrets {
		s = strings.ReplaceAll(s, v, RedactedValue)
	}
	return s
}
