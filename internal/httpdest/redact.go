package httpdest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"

	"github.com/pipesim/pipesim/internal/rawjson"
)

// RedactedValue replaces every secret in what pipesim prints or logs.
const RedactedValue = "********"

// Redaction is by construction: the request builder writes the URL and the body twice when the
// connection has secret query-string or body values (IsValueSecret), once with the values and
// once with RedactedValue in their place, and headers are redacted by name. Nothing is searched
// for in a finished request, so no escaping of a secret (URL, JSON, HTML-safe JSON) can slip past,
// and a value that happens to contain a secret's text is shown as it is.

// RedactedHeader is a copy of the headers with every secret value (the connection's
// authorization and its secret header parameters) replaced by RedactedValue.
func (r *Request) RedactedHeader() http.Header {
	h := r.Header.Clone()
	for k := range r.secret {
		if _, ok := h[k]; ok {
			h[k] = []string{RedactedValue}
		}
	}
	return h
}

// IsSecret reports whether the header (canonical name) carries a secret that output must hide.
func (r *Request) IsSecret(canonical string) bool { return r.secret[canonical] }

// RedactedURL is the URL with each secret query-string value of the connection written as
// RedactedValue: the URL to print or log. It is URL itself when the connection has none.
func (r *Request) RedactedURL() string {
	if r.redacts {
		return r.redactedURL
	}
	return r.URL
}

// RedactedBody is the body with each secret body parameter of the connection written as
// RedactedValue: the body to print or log. It is Body itself when the connection has none.
func (r *Request) RedactedBody() []byte {
	if r.redacts {
		return r.redactedBody
	}
	return r.Body
}

// secretHeaders names the headers whose values logs must redact.
func (c *Connection) secretHeaders() map[string]bool {
	m := map[string]bool{}
	if c.authHeader != "" {
		m[c.authHeader] = true
	}
	for _, kv := range c.Headers {
		if kv.Secret {
			m[http.CanonicalHeaderKey(kv.Key)] = true
		}
	}
	return m
}

// hasSecret reports whether one of kvs is secret.
func hasSecret(kvs []KeyValue) bool {
	return slices.ContainsFunc(kvs, func(kv KeyValue) bool { return kv.Secret })
}

// mergeBody adds the connection's BodyParameters to a JSON object body (the connection wins),
// members in key order, and returns the body to send and the body to show: the same, but with
// each secret value written as RedactedValue. A body that is not a JSON object is sent unchanged:
// AWS documents no other combination.
func mergeBody(body []byte, params []KeyValue) (sent, shown []byte) {
	if len(params) == 0 {
		return body, body
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(body, &obj); err != nil || obj == nil {
		return body, body
	}
	members := make(map[string]member, len(obj)+len(params))
	for k, raw := range obj {
		members[k] = member{raw: raw}
	}
	for i := range params {
		members[params[i].Key] = member{param: &params[i]}
	}
	keys := make([]string, 0, len(members))
	for k := range members {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	sent = writeObject(keys, members, false)
	if !hasSecret(params) {
		return sent, sent
	}
	return sent, writeObject(keys, members, true)
}

// member is one member of a merged body: a value of the rendered body, kept as its JSON text, or
// a connection parameter.
type member struct {
	raw   json.RawMessage
	param *KeyValue
}

// writeObject writes the members in the order of keys, strings through the one JSON string writer
// every output shares; with redact, secret parameters are written as RedactedValue.
func writeObject(keys []string, members map[string]member, redact bool) []byte {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.Write(rawjson.AppendString(buf.AvailableBuffer(), k, rawjson.Output))
		buf.WriteByte(':')
		switch m := members[k]; {
		case m.param == nil:
			_ = json.Compact(&buf, m.raw) // valid: json.Unmarshal took it
		case redact && m.param.Secret:
			buf.Write(rawjson.AppendString(buf.AvailableBuffer(), RedactedValue, rawjson.Output))
		default:
			buf.Write(rawjson.AppendString(buf.AvailableBuffer(), m.param.Value, rawjson.Output))
		}
	}
	buf.WriteByte('}')
	return buf.Bytes()
}
