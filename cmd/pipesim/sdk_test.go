package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pipesim/pipesim/internal/ddblocal/ddblocaltest"
	"github.com/pipesim/pipesim/internal/momento"
)

// momentoSDKVersion is the @gomomento/sdk scripts/install-momento-sdk.sh installs; keep them in
// step.
const momentoSDKVersion = "1.118.1"

// momentoSDK installs the real @gomomento/sdk (and the AWS SDK's DynamoDB client) with the
// project's script and returns the folder holding node_modules. Where node or npm cannot be
// found the test is skipped with a notice; under CI=true it fails instead.
func momentoSDK(t *testing.T) string {
	t.Helper()
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s not found: CI must have Node.js to run the real @gomomento/sdk", tool)
			}
			t.Skipf("%s not found: skipping the real @gomomento/sdk test (install Node.js and npm to run it)", tool)
		}
	}
	out, err := exec.Command(filepath.Join("..", "..", "scripts", "install-momento-sdk.sh")).Output()
	if err != nil {
		t.Fatalf("scripts/install-momento-sdk.sh: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	dir := lines[len(lines)-1]
	pkg, err := os.ReadFile(filepath.Join(dir, "node_modules", "@gomomento", "sdk", "package.json"))
	if err != nil || !strings.Contains(string(pkg), `"version": "`+momentoSDKVersion+`"`) {
		t.Fatalf("@gomomento/sdk in %s is not %s: %v", dir, momentoSDKVersion, err)
	}
	return dir
}

// freeLoopbackAddr picks a free loopback port for a server the test starts later.
func freeLoopbackAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestMomentoSDK runs an application built on the real @gomomento/sdk
// (testdata/momento-sdk/app.js) against `pipesim run` on the seed design: once with
// CredentialProvider.forMomentoLocal (plain text) and once with the key of `pipesim momento
// key` (TLS, the key naming the server, the local CA trusted through
// GRPC_DEFAULT_SSL_ROOTS_FILE_PATH). The application subscribes, writes to DynamoDB Local,
// receives the topic pipe's INSERT message, gets the cache-put pipe's entry, deletes the item,
// and sees the REMOVE message and the entry gone.
func TestMomentoSDK(t *testing.T) {
	sdk := momentoSDK(t)
	ddb := ddblocaltest.Endpoint(t)
	state := t.TempDir()
	grpcAddr := freeLoopbackAddr(t)

	// The .env lines an application gets from `pipesim momento key`.
	var keyOut, keyErr bytes.Buffer
	key := &momentoCmd{streams: streams{stdout: &keyOut, stderr: &keyErr}}
	if err := key.Run(context.Background(), []string{"key", "--addr", grpcAddr, "--state-dir", state, "--dynamodb-endpoint", ddb}); err != nil {
		t.Fatalf("momento key: %v\n%s", err, keyErr.String())
	}
	dotenv := strings.Split(strings.TrimSpace(keyOut.String()), "\n")
	if len(dotenv) != 3 || !strings.HasPrefix(dotenv[0], "MOMENTO_API_KEY=") ||
		!strings.HasPrefix(dotenv[1], "GRPC_DEFAULT_SSL_ROOTS_FILE_PATH=") || dotenv[2] != "AWS_ENDPOINT_URL_DYNAMODB="+ddb {
		t.Fatalf("momento key printed %q; want the three .env lines", dotenv)
	}
	apiKey := strings.TrimPrefix(dotenv[0], "MOMENTO_API_KEY=")
	if got := momento.KeyEndpoint(apiKey); got != grpcAddr {
		t.Fatalf("the key names %q; want %s", got, grpcAddr)
	}

	// pipesim run with that key in MOMENTO_API_KEY serves gRPC where the key points.
	t.Setenv("MOMENTO_API_ENDPOINT", "")
	t.Setenv("MOMENTO_API_KEY", apiKey)
	var stdout, stderr syncBuffer
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	done := make(chan error, 1)
	run := &runCmd{streams: streams{stdout: &stdout, stderr: &stderr}}
	go func() {
		done <- run.Run(ctx, []string{"--dynamodb-endpoint", ddb, "--state-dir", state, "--poll-interval", "50ms", "--backoff", "10ms"})
	}()
	waitForLine(t, &stderr, done, "all pipes polling")
	if !strings.Contains(stderr.String(), "gRPC "+grpcAddr) {
		t.Fatalf("run does not serve gRPC at the key's address %s:\n%s", grpcAddr, stderr.String())
	}
	if strings.Contains(stderr.String()+stdout.String(), apiKey) {
		t.Errorf("run printed the key the user gave")
	}

	host, port, _ := net.SplitHostPort(grpcAddr)
	base := append(os.Environ(), "NODE_PATH="+filepath.Join(sdk, "node_modules"), "AWS_REGION=us-east-1",
		"AWS_ACCESS_KEY_ID=local", "AWS_SECRET_ACCESS_KEY=local", "MOMENTO_API_KEY=")
	for _, tc := range []struct {
		mode string
		env  []string
	}{
		{"local", []string{"MOMENTO_HOSTNAME=" + host, "MOMENTO_PORT=" + port, "AWS_ENDPOINT_URL_DYNAMODB=" + ddb}},
		{"key", dotenv},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			node := exec.CommandContext(ctx, "node", filepath.Join("..", "..", "testdata", "momento-sdk", "app.js"), tc.mode)
			node.Env = append(append([]string(nil), base...), tc.env...)
			out, err := node.CombinedOutput()
			if err != nil {
				t.Fatalf("node app.js %s: %v\n%s\npipesim stderr:\n%s", tc.mode, err, out, stderr.String())
			}
			for _, want := range []string{
				"step: subscribed",
				`step: topic message {"EventType":"INSERT","Location":"Tucson-` + tc.mode + `","MaxTemp":"101"`,
				`step: cache entry {"Location":"Tucson-` + tc.mode + `","MaxTemp":"101","MinTemp":"77","ChancesOfPrecipitation":"5"}`,
				`step: topic message {"EventType":"REMOVE","Location":"Tucson-` + tc.mode + `","MaxTemp":""`,
				"step: cache entry gone",
				"step: done",
			} {
				if !strings.Contains(string(out), want) {
					t.Errorf("node app.js %s output lacks %q:\n%s", tc.mode, want, out)
				}
			}
		})
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("run = %v", err)
	}
}
