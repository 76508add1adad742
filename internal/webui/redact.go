package webui

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strings"

	"github.com/pipesim/pipesim/internal/config"
	"github.com/pipesim/pipesim/internal/httpdest"
	"github.com/pipesim/pipesim/internal/rawjson"
)

// The page shows requests through httpdest's redacted views, which are redacted by construction.
// What a destination answers, and the text of an error, are not pipesim's own making: a
// destination may echo the Authorization header back. Those are searched for the connections'
// secret values, in the forms a secret takes in a URL, a JSON string or a Basic credential,
// before the page sees them.

// minSecret is the shortest secret searched for: a shorter one would be replaced in every word.
const minSecret = 4

// SecretsOf returns the secret values of the design's connections (authorization values and
// secret invocation parameters), read off a request each pipe's target builds for an empty
// record: headers httpdest marks as secret, and the query and body values its redacted views
// replace. They are kept in memory to redact with, and never shown.
func SecretsOf(cfg *config.Config) []string {
	var out []string
	add := func(v string) {
		if len(v) >= minSecret && !contains(out, v) {
			out = append(out, v)
		}
	}
	for _, p := range cfg.Pipes {
		if p.Target == nil {
			continue
		}
		r := new(httpdest.Request)
		p.Target.Build(r, rawjson.New([]byte(`{}`)), []byte(`{}`))
		for name, values := range r.Header {
			if r.IsSecret(name) {
				for _, v := range values {
					add(v)
					if _, cred, ok := strings.Cut(v, " "); ok { // "Basic xxx", "Bearer xxx"
						add(cred)
					}
				}
			}
		}
		for _, v := range differing(queryValues(r.URL), queryValues(r.RedactedURL())) {
			add(v)
		}
		for _, v := range differing(bodyValues(r.Body), bodyValues(r.RedactedBody())) {
			add(v)
		}
	}
	return out
}

func contains(list []string, v string) bool {
	for _, e := range list {
		if e == v {
			return true
		}
	}
	return false
}

// differing returns the values of sent whose shown counterpart is httpdest.RedactedValue.
func differing(sent, shown map[string]string) []string {
	var out []string
	for k, v := range shown {
		if v == httpdest.RedactedValue && sent[k] != v {
			out = append(out, sent[k])
		}
	}
	return out
}

func queryValues(raw string) map[string]string {
	m := map[string]string{}
	if u, err := url.Parse(raw); err == nil {
		for k, vs := range u.Query() {
			if len(vs) > 0 {
				m[k] = vs[0]
			}
		}
	}
	return m
}

func bodyValues(body []byte) map[string]string {
	var obj map[string]any
	m := map[string]string{}
	if json.Unmarshal(body, &obj) == nil {
		for k, v := range obj {
			if s, ok := v.(string); ok {
				m[k] = s
			}
		}
	}
	return m
}

// redact replaces every form of each secret in text with httpdest.RedactedValue.
func (s *Server) redact(text string) string {
	for _, secret := range s.Secrets {
		for _, form := range secretForms(secret) {
			text = strings.ReplaceAll(text, form, httpdest.RedactedValue)
		}
	}
	return text
}

// secretForms are the texts a secret can take in what a destination answers: as it is,
// URL-escaped, inside a JSON string (HTML-safe or not), and base64-encoded.
func secretForms(secret string) []string {
	quoted, _ := json.Marshal(secret)
	forms := []string{secret, url.QueryEscape(secret), url.PathEscape(secret),
		strings.ReplaceAll(url.QueryEscape(secret), "+", "%20"), string(quoted[1 : len(quoted)-1]),
		strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(string(quoted[1 : len(quoted)-1])),
		base64.StdEncoding.EncodeToString([]byte(secret))}
	out := forms[:0]
	for _, f := range forms {
		if len(f) >= minSecret && !contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}
