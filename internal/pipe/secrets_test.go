package pipe

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pipesim/pipesim/internal/config"
	"github.com/pipesim/pipesim/internal/secrettest"
)

// TestExecutionLogHidesSecretsInAnyEncoding: a connection's secret (API key, header, query-string
// and body parameter) with characters JSON or URLs escape appears in no execution log line in
// any form, while the request sent carries it.
func TestExecutionLogHidesSecretsInAnyEncoding(t *testing.T) {
	for _, secret := range secrettest.Values {
		srv := newStatusServer(t, 500)
		quoted, _ := json.Marshal(secret)
		conn := fmt.Sprintf(`ApiKeyValue: %[1]s}, InvocationHttpParameters: {HeaderParameters: [{Key: X-Token, Value: %[1]s, IsValueSecret: true}], `+
			`QueryStringParameters: [{Key: sig, Value: %[1]s, IsValueSecret: true}], BodyParameters: [{Key: password, Value: %[1]s, IsValueSecret: true}]}}}`, quoted)
		text := strings.Replace(fmt.Sprintf(pipesFile, srv.URL, 1, 0, -1, `""`), "ApiKeyValue: SECRET-KEY-123}}}", conn, 1)
		cfg, err := config.Parse("test.yaml", []byte(text), config.Options{})
		if err != nil {
			t.Fatal(err)
		}
		h := newHarness(cfg.Pipes[0], batchOf(record(1, "INSERT", "a", time.Now())))
		h.run(t)
		var sent map[string]any
		body := strings.SplitN(srv.bodies[0], " ", 3)[2] // method, URL, body
		if err := json.Unmarshal([]byte(body), &sent); err != nil || sent["password"] != secret {
			t.Fatalf("secret %q: request body %s (%v) does not carry it", secret, body, err)
		}
		logs := h.logs.String()
		if form := secrettest.Leak(logs, secret); form != "" {
			t.Errorf("secret %q: execution log shows it as %q:\n%s", secret, form, logs)
		}
		for _, e := range h.traces {
			if e.Request != nil && secrettest.Leak(e.Request.RedactedURL(), secret) != "" {
				t.Errorf("secret %q: trace URL %s shows it", secret, e.Request.RedactedURL())
			}
		}
		checkLoggedRequest(t, logs)
	}
}

// checkLoggedRequest decodes the awsRequest of the failed invocation: its body is JSON with the
// secret parameter redacted.
func checkLoggedRequest(t *testing.T, logs string) {
	t.Helper()
	for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
		var rec struct {
			MessageType string `json:"messageType"`
			AWSRequest  string `json:"awsRequest"`
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %s: %v", line, err)
		}
		if rec.MessageType != "TargetInvocationFailed" {
			continue
		}
		var req struct {
			URL     string              `json:"url"`
			Headers map[string][]string `json:"headers"`
			Body    string              `json:"body"`
		}
		if err := json.Unmarshal([]byte(rec.AWSRequest), &req); err != nil {
			t.Fatalf("awsRequest %s: %v", rec.AWSRequest, err)
		}
		var body map[string]any
		if err := json.Unmarshal([]byte(req.Body), &body); err != nil || body["password"] != "********" {
			t.Errorf("logged body %s (%v); want password ********", req.Body, err)
		}
		if !strings.HasSuffix(req.URL, "&sig=********") || req.Headers["X-Token"][0] != "********" || req.Headers["Authorization"][0] != "********" {
			t.Errorf("logged request %s; want sig, X-Token and Authorization redacted", rec.AWSRequest)
		}
		return
	}
	t.Errorf("no TargetInvocationFailed record in the log:\n%s", logs)
}
