package main

import (
	"context"
	"crypto/tls"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pipesim/pipesim/internal/ddblocal/ddblocaltest"
	"github.com/pipesim/pipesim/internal/momento"
	momentogrpc "github.com/pipesim/pipesim/internal/momento/grpc"
)

// startRun runs `pipesim run` in the background until the test ends and returns its outputs
// once all pipes poll.
func startRun(t *testing.T, args ...string) (stdout, stderr *syncBuffer) {
	t.Helper()
	stdout, stderr = &syncBuffer{}, &syncBuffer{}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	done := make(chan error, 1)
	go func() {
		cmd := &runCmd{streams: streams{stdout: stdout, stderr: stderr}}
		done <- cmd.Run(ctx, args)
	}()
	t.Cleanup(func() { cancel(); <-done })
	waitForLine(t, stderr, done, "all pipes polling")
	return stdout, stderr
}

// lineAfter returns the rest of the line after marker in out, failing the test when absent.
func lineAfter(t *testing.T, out, marker string) string {
	t.Helper()
	_, rest, ok := strings.Cut(out, marker)
	if !ok {
		t.Fatalf("output lacks %q:\n%s", marker, out)
	}
	return strings.TrimSpace(strings.SplitN(rest, "\n", 2)[0])
}

func httpStatus(t *testing.T, url, key string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Authorization", key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestRunPrintsMadeUpKey: without a key, the embedded Momento's key is pipesim's development
// key, printed at start so curl works; the printed curl line works as pasted.
func TestRunPrintsMadeUpKey(t *testing.T) {
	t.Setenv("MOMENTO_API_ENDPOINT", "")
	t.Setenv("MOMENTO_API_KEY", "")
	state := t.TempDir()
	_, stderr := startRun(t, "--dynamodb-endpoint", ddblocaltest.Endpoint(t), "--state-dir", state, "--poll-interval", "50ms")
	key := lineAfter(t, stderr.String(), "): ")
	if momento.KeyEndpoint(key) == "" {
		t.Fatalf("printed key %q is not a development key:\n%s", key, stderr.String())
	}
	curl := lineAfter(t, stderr.String(), "try: curl -H 'Authorization: "+key+"' '")
	url := strings.TrimSuffix(curl, "'")
	if got := httpStatus(t, url, key); got != http.StatusNotFound {
		t.Errorf("GET %s with the printed key = %d; want 404 Key Not Found", url, got)
	}
	if got := httpStatus(t, url, "not-the-key"); got != http.StatusUnauthorized {
		t.Errorf("GET with another key = %d; want 401", got)
	}
	// The same key over gRPC, TLS, trusting the state dir's CA.
	pool, err := rootPool(state)
	if err != nil {
		t.Fatal(err)
	}
	g, err := momentogrpc.Dial(momento.KeyEndpoint(key), key, &tls.Config{RootCAs: pool})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if names, err := g.ListCaches(t.Context()); err != nil || strings.Join(names, ",") != "momento-eventbridge-cache" {
		t.Errorf("gRPC ListCaches with the printed key = %v, %v", names, err)
	}
	for _, want := range []string{"gRPC 127.0.0.1:", "forMomentoLocal({hostname: '127.0.0.1', port: ", "AWS_ENDPOINT_URL_DYNAMODB=http://"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("run's start lacks %q:\n%s", want, stderr.String())
		}
	}
}

// TestRunGivenKeyNotPrinted: --momento-api-key is what both APIs accept, and never printed.
func TestRunGivenKeyNotPrinted(t *testing.T) {
	t.Setenv("MOMENTO_API_ENDPOINT", "")
	t.Setenv("MOMENTO_API_KEY", "")
	const key = "my-own-key-0123456789"
	stdout, stderr := startRun(t, "--dynamodb-endpoint", ddblocaltest.Endpoint(t), "--state-dir", t.TempDir(), "--poll-interval", "50ms",
		"--momento-api-key", key)
	if strings.Contains(stdout.String()+stderr.String(), key) {
		t.Errorf("run printed the given key:\n%s", stderr.String())
	}
	url := strings.TrimSuffix(lineAfter(t, stderr.String(), "try: curl -H 'Authorization: $MOMENTO_API_KEY' '"), "'")
	if got := httpStatus(t, url, key); got != http.StatusNotFound {
		t.Errorf("GET with --momento-api-key = %d; want 404 Key Not Found", got)
	}
}

// A design that no Momento destination uses starts no embedded Momento; a design that does
// not load starts nothing and prints no address.
func TestRunMomentoOnlyWhenUsed(t *testing.T) {
	t.Setenv("MOMENTO_API_ENDPOINT", "")
	t.Setenv("MOMENTO_API_KEY", "")
	dir := t.TempDir()
	pipes := filepath.Join(dir, "pipes.yaml")
	const design = `
Tables:
  - TableName: orders-no-momento
    AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
    KeySchema: [{AttributeName: id, KeyType: HASH}]
    StreamSpecification: {StreamEnabled: true, StreamViewType: NEW_IMAGE}
Connections:
  - {Name: c1, AuthorizationType: API_KEY, AuthParameters: {ApiKeyAuthParameters: {ApiKeyName: x-api-key, ApiKeyValue: k}}}
ApiDestinations:
  - {Name: hook, ConnectionArn: c1, InvocationEndpoint: "http://127.0.0.1:9/orders", HttpMethod: POST}
Pipes:
  - {Name: orders, Source: orders-no-momento, Target: hook, SourceParameters: {DynamoDBStreamParameters: {StartingPosition: LATEST, BatchSize: %s}}}
`
	if err := os.WriteFile(pipes, []byte(strings.Replace(design, "%s", "1", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	state := filepath.Join(dir, "state")
	_, stderr := startRun(t, "--pipes", pipes, "--dynamodb-endpoint", ddblocaltest.Endpoint(t), "--state-dir", state, "--poll-interval", "50ms")
	if strings.Contains(strings.ReplaceAll(stderr.String(), dir, "DIR"), "Momento") { // the state line names dir, which holds the test's name
		t.Errorf("run of a design without Momento mentions Momento:\n%s", stderr.String())
	}
	if _, err := os.Stat(filepath.Join(state, momento.CAFile)); err == nil {
		t.Error("the embedded Momento made its CA for a design that does not use it")
	}

	// A Momento design with a mistake: validated before the embedded Momento starts.
	bad := strings.Replace(strings.Replace(design, "%s", "0", 1), `"http://127.0.0.1:9/orders"`, `"${MOMENTO_API_ENDPOINT}/cache/*"`, 1)
	bad = strings.Replace(bad, "Target: hook,", "Target: hook, TargetParameters: {HttpParameters: {PathParameterValues: [c]}},", 1)
	if err := os.WriteFile(pipes, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut syncBuffer
	cmd := &runCmd{streams: streams{stdout: &out, stderr: &errOut}}
	err := cmd.Run(t.Context(), []string{"--pipes", pipes, "--dynamodb-endpoint", "http://127.0.0.1:9", "--state-dir", filepath.Join(dir, "bad")})
	if err == nil || !strings.Contains(err.Error(), "BatchSize") {
		t.Errorf("run of a bad design = %v; want the BatchSize error", err)
	}
	if strings.Contains(out.String()+errOut.String(), "127.0.0.1") {
		t.Errorf("run of a bad design printed an address:\n%s%s", out.String(), errOut.String())
	}
	if entries, _ := os.ReadDir(filepath.Join(dir, "bad")); len(entries) > 0 {
		t.Errorf("run of a bad design left %v in its state dir: the embedded Momento started before validation", entries)
	}
}
