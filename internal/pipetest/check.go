package pipetest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"

	"github.com/pipesim/pipesim/internal/httpdest"
	"github.com/pipesim/pipesim/internal/replay"
)

// check compares what a pipe did with what the case expects; each failure is one message, with a
// diff where one helps. The request is compared as it was sent, but shown in its redacted form:
// the connection's secret values are never shown. (The expected values are the test file's own
// text and are shown as written.)
func check(pipe string, e *Expect, obs *observed) []string {
	var fails []string
	fail := func(format string, args ...any) {
		fails = append(fails, pipe+": "+fmt.Sprintf(format, args...))
	}
	if e.Outcome != "" && obs.outcome != e.Outcome {
		fail("outcome = %s; want %s", obs.outcome, e.Outcome)
	}
	if e.Attempts != 0 && len(obs.requests) != e.Attempts {
		fail("attempts = %d; want %d", len(obs.requests), e.Attempts)
	}
	if e.Request == nil {
		return fails
	}
	if len(obs.requests) == 0 {
		fail("no request was sent (outcome %s); want a request", obs.outcome)
		return fails
	}
	for _, msg := range checkRequest(e.Request, obs.requests[0]) {
		fail("%s", msg)
	}
	return fails
}

func checkRequest(want *Request, got *httpdest.Request) []string {
	var fails []string
	if want.Method != "" && got.Method != want.Method {
		fails = append(fails, fmt.Sprintf("method = %s; want %s", got.Method, want.Method))
	}
	if want.URL != "" && got.URL != want.URL {
		fails = append(fails, fmt.Sprintf("url = %s\n    want  %s", got.RedactedURL(), want.URL))
	}
	fails = append(fails, checkHeaders(want.Headers, got)...)
	if want.Body != nil && string(got.Body) != *want.Body {
		fails = append(fails, "body differs (-want +got):\n"+cmp.Diff(*want.Body, string(got.RedactedBody())))
	}
	if want.JSON != nil {
		if msg := checkJSON(want.JSON, got); msg != "" {
			fails = append(fails, msg)
		}
	}
	return fails
}

func checkHeaders(want map[string]string, got *httpdest.Request) []string {
	var fails []string
	names := make([]string, 0, len(want))
	for k := range want {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		ck := http.CanonicalHeaderKey(k)
		vals, ok := got.Header[ck]
		g := ""
		if ok {
			g = vals[0]
		}
		if ok && g == want[k] {
			continue
		}
		switch {
		case !ok:
			fails = append(fails, fmt.Sprintf("header %s is missing; want %q", ck, shown(got, ck, want[k])))
		case got.IsSecret(ck):
			fails = append(fails, fmt.Sprintf("header %s = %s; want another value (secret values are not shown)", ck, replay.Redacted))
		default:
			fails = append(fails, fmt.Sprintf("header %s = %q; want %q", ck, g, want[k]))
		}
	}
	return fails
}

// shown hides an expected value when the header is one the connection keeps secret.
func shown(req *httpdest.Request, header, v string) string {
	if req.IsSecret(header) {
		return replay.Redacted
	}
	return v
}

// checkJSON compares the body with the expected JSON value: a YAML value, or a string of JSON.
// The message shows the redacted body.
func checkJSON(want *Node, req *httpdest.Request) string {
	var w any
	if want.Kind == yaml.ScalarNode && want.ShortTag() == "!!str" && json.Valid([]byte(want.Value)) {
		_ = json.Unmarshal([]byte(want.Value), &w)
	} else if err := want.Decode(&w); err != nil {
		return fmt.Sprintf("request.json: %v", err)
	}
	wantJSON, err := normalizeJSON(w)
	if err != nil {
		return fmt.Sprintf("request.json: %v", err)
	}
	var g, shown any
	if err := json.Unmarshal(req.Body, &g); err != nil {
		return fmt.Sprintf("body is not JSON (%v); want JSON equal to %s\n    body: %s", err, mustJSON(wantJSON), req.RedactedBody())
	}
	if cmp.Equal(wantJSON, g) {
		return ""
	}
	_ = json.Unmarshal(req.RedactedBody(), &shown)
	return "body JSON differs (-want +got):\n" + cmp.Diff(wantJSON, shown)
}

// normalizeJSON turns a YAML-decoded value into what encoding/json decodes (float64 numbers,
// map[string]any objects).
func normalizeJSON(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out any
	err = json.Unmarshal(b, &out)
	return out, err
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
