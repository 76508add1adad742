package httpdest

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/pipesim/pipesim/internal/secrettest"
)

// secretTarget is a target whose connection has secret header, query and body values; more
// changes the connection before the target is made.
func secretTarget(t *testing.T, secret string, query []NamedParam, more ...func(*Connection)) *Target {
	t.Helper()
	header := strings.NewReplacer("\n", "", "\t", "").Replace(secret) // a header value has no control characters
	conn, err := NewAPIKeyConnection("c", "X-Api-Key", header)
	if err != nil {
		t.Fatal(err)
	}
	conn.Headers = []KeyValue{{Key: "X-Token", Value: header, Secret: true}, {Key: "X-Plain", Value: "visible"}}
	conn.Query = []KeyValue{{Key: "sig", Value: secret, Secret: true}, {Key: "mode", Value: "open"}}
	conn.Body = []KeyValue{{Key: "password", Value: secret, Secret: true}, {Key: "user", Value: "ann"}}
	for _, f := range more {
		f(conn)
	}
	dest, err := NewDestination("d", "", "POST", "http://h/items", 0, conn)
	if err != nil {
		t.Fatal(err)
	}
	tgt, err := NewTarget(dest, nil, query, nil)
	if err != nil {
		t.Fatal(err)
	}
	return tgt
}

// TestRedactionByConstruction: a secret query, body or header value of the connection never
// appears in the request's redacted forms, in any encoding, whatever characters it holds; the
// request itself carries it exactly.
func TestRedactionByConstruction(t *testing.T) {
	for _, secret := range append(secrettest.Values, "tab\there\nnewline") {
		req := build(secretTarget(t, secret, nil), nil, []byte(`{"a":1}`))
		var body map[string]any
		if err := json.Unmarshal(req.Body, &body); err != nil || body["password"] != secret {
			t.Fatalf("Body = %s (%v); want password %q", req.Body, err, secret)
		}
		u, err := url.Parse(req.URL)
		if err != nil || u.Query().Get("sig") != secret {
			t.Fatalf("URL = %s (%v); want sig %q", req.URL, err, secret)
		}
		shown := req.RedactedURL() + "\n" + string(req.RedactedBody())
		for k, v := range req.RedactedHeader() {
			shown += "\n" + k + ": " + strings.Join(v, ",")
		}
		for _, v := range []string{secret, req.Header.Get("X-Token")} {
			if form := secrettest.Leak(shown, v); form != "" {
				t.Errorf("secret %q: redacted request shows it as %q:\n%s", v, form, shown)
			}
		}
		if want := "http://h/items?mode=open&sig=********"; req.RedactedURL() != want {
			t.Errorf("secret %q: RedactedURL = %s; want %s", secret, req.RedactedURL(), want)
		}
		if want := `{"a":1,"password":"********","user":"ann"}`; string(req.RedactedBody()) != want {
			t.Errorf("secret %q: RedactedBody = %s; want %s", secret, req.RedactedBody(), want)
		}
		h := req.RedactedHeader()
		if h.Get("X-Token") != RedactedValue || h.Get("X-Api-Key") != RedactedValue || h.Get("X-Plain") != "visible" {
			t.Errorf("secret %q: RedactedHeader = %v; want X-Token and X-Api-Key redacted, X-Plain shown", secret, h)
		}
	}
}

// TestBodyParametersNotHTMLEscaped: the body carries a parameter's characters as they are, as a
// Java JSON writer would write them, not as encoding/json's \u003c.
func TestBodyParametersNotHTMLEscaped(t *testing.T) {
	req := build(secretTarget(t, `a<b>&c`, nil), nil, []byte(`{"a": "<x>" , "b" : [1, 2]}`))
	if want := `{"a":"<x>","b":[1,2],"password":"a<b>&c","user":"ann"}`; string(req.Body) != want {
		t.Errorf("Body = %s; want %s", req.Body, want)
	}
}

// TestRedactionKeepsOtherValues: a secret that is a substring of other values (of the body, the
// record's query parameter, another connection parameter or header) hides only the secret itself.
func TestRedactionKeepsOtherValues(t *testing.T) {
	const secret = "abc"
	tgt := secretTarget(t, secret, []NamedParam{{"city", lit("xabcx")}}, func(c *Connection) {
		c.Body = append(c.Body, KeyValue{Key: "note", Value: "abcabc"})
		c.Headers = append(c.Headers, KeyValue{Key: "X-Other", Value: "zabcz"})
	})
	req := build(tgt, nil, []byte(`{"a":"abc","abc":"yabcy"}`))
	if h := req.RedactedHeader(); h.Get("X-Other") != "zabcz" || h.Get("X-Token") != RedactedValue {
		t.Errorf("RedactedHeader = %v; want X-Other zabcz shown, X-Token redacted", h)
	}
	if want := "http://h/items?city=xabcx&mode=open&sig=********"; req.RedactedURL() != want {
		t.Errorf("RedactedURL = %s; want %s", req.RedactedURL(), want)
	}
	if want := `{"a":"abc","abc":"yabcy","note":"abcabc","password":"********","user":"ann"}`; string(req.RedactedBody()) != want {
		t.Errorf("RedactedBody = %s; want %s", req.RedactedBody(), want)
	}
	if want := "http://h/items?city=xabcx&mode=open&sig=abc"; req.URL != want {
		t.Errorf("URL = %s; want %s", req.URL, want)
	}
}

// TestNoSecretNoCopy: without secret values, the redacted URL and body are the request's own.
func TestNoSecretNoCopy(t *testing.T) {
	tgt := seedTarget(t, "https://api.example.com")
	req := build(tgt, []byte(record), []byte(`{"a":1}`))
	if req.RedactedURL() != req.URL || string(req.RedactedBody()) != string(req.Body) {
		t.Errorf("redacted = %s %s; want the request's own %s %s", req.RedactedURL(), req.RedactedBody(), req.URL, req.Body)
	}
	if req.RedactedHeader().Get("Authorization") != RedactedValue {
		t.Errorf("Authorization not redacted: %v", req.RedactedHeader())
	}
}
