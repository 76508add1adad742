package httpdest

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// What a destination answers is not pipesim's making: a destination may echo the Authorization
// header or an API key back in its body or headers, and no redacted view can be built for it. So
// the Sender searches every answer for the connection's secret values, in the forms a secret takes
// in a URL, a JSON string (HTML-safe or not) or a Basic credential, and writes RedactedValue in
// their place before anyone (the execution logs, -v, the web page) sees it. What pipesim sends is
// redacted by construction instead (redact.go).

// minSecret is the shortest secret searched for: a shorter one would be replaced in every word.
const minSecret = 4

// Secrets returns the connection's secret values: the authorization header's value and the
// credential after its scheme ("Basic xxx"), a Basic connection's password, and every secret
// invocation parameter. They are for redacting with, never for showing.
func (c *Connection) Secrets() []string {
	var out []string
	add := func(v string) {
		if len(v) >= minSecret && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	if c.authValue != "" {
		add(c.authValue)
		if _, cred, ok := strings.Cut(c.authValue, " "); ok {
			add(cred)
		}
	}
	add(c.password)
	for _, kvs := range [][]KeyValue{c.Headers, c.Query, c.Body} {
		for _, kv := range kvs {
			if kv.Secret {
				add(kv.Value)
			}
		}
	}
	return out
}

// Redactor replaces every form of a set of secrets with RedactedValue. The forms are worked out
// once, when it is made, and tried longest first, so that no part of a longer form is left
// behind by a shorter one. The zero Redactor changes nothing.
type Redactor struct{ forms []string }

// NewRedactor returns the Redactor of secrets.
func NewRedactor(secrets []string) Redactor {
	var forms []string
	for _, secret := range secrets {
		for _, f := range secretForms(secret) {
			if !slices.Contains(forms, f) {
				forms = append(forms, f)
			}
		}
	}
	slices.SortStableFunc(forms, func(a, b string) int { return len(b) - len(a) })
	return Redactor{forms: forms}
}

// Redact returns text with every form of each secret replaced by RedactedValue.
func (r Redactor) Redact(text string) string {
	for _, form := range r.forms {
		text = strings.ReplaceAll(text, form, RedactedValue)
	}
	return text
}

// secretForms are the texts a secret can take in an answer: as it is, URL-escaped,
// base64-encoded, and inside a JSON string (HTML-safe or not) once, twice or three times over (an
// echo service returns the request's JSON body inside a JSON string of its own).
func secretForms(secret string) []string {
	forms := []string{secret, url.QueryEscape(secret), url.PathEscape(secret),
		strings.ReplaceAll(url.QueryEscape(secret), "+", "%20"),
		base64.StdEncoding.EncodeToString([]byte(secret))}
	inJSON := []string{secret}
	for range 3 {
		var next []string
		for _, v := range inJSON {
			next = append(next, jsonForms(v)...)
		}
		forms, inJSON = append(forms, next...), next
	}
	out := forms[:0]
	for _, f := range forms {
		if len(f) >= minSecret && !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

// jsonForms are v between a JSON string's quotes, HTML-safe (encoding/json's \u003c) and not.
func jsonForms(v string) []string {
	quoted, _ := json.Marshal(v)
	safe := string(quoted[1 : len(quoted)-1])
	plain := strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(safe)
	if plain == safe {
		return []string{safe}
	}
	return []string{safe, plain}
}

// redactAnswer removes the secrets from an answer's body and header values.
func (r Redactor) redactAnswer(res *Result) {
	if len(r.forms) == 0 {
		return
	}
	if res.Body != nil {
		res.Body = []byte(r.Redact(string(res.Body)))
	}
	if res.Header != nil {
		h := make(http.Header, len(res.Header))
		for k, vs := range res.Header {
			for _, v := range vs {
				h[k] = append(h[k], r.Redact(v))
			}
		}
		res.Header = h
	}
}
