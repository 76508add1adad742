package replay

import (
	"net/url"
	"strings"

	"github.com/pipesim/pipesim/internal/httpdest"
)

// Secrets lists the forms in which a target's secret connection parameters (query string and
// body values marked IsValueSecret) can appear in a URL or a body: as they are, URL-escaped and
// JSON-escaped. Secret headers are handled by Request.IsSecret.
func Secrets(t *httpdest.Target) []string {
	var out []string
	for _, kvs := range [][]httpdest.KeyValue{t.Dest.Conn.Query, t.Dest.Conn.Body} {
		for _, kv := range kvs {
			if !kv.Secret || kv.Value == "" {
				continue
			}
			quoted := string(appendString(nil, kv.Value))
			out = append(out, kv.Value, strings.ReplaceAll(url.QueryEscape(kv.Value), "+", "%20"), quoted[1:len(quoted)-1])
		}
	}
	return out
}

// Redact replaces every secret in s with Redacted.
func Redact(s string, secrets []string) string {
	for _, v := range secrets {
		s = strings.ReplaceAll(s, v, Redacted)
	}
	return s
}
