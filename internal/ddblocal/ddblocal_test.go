package ddblocal

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func TestForTestAnswers(t *testing.T) {
	endpoint := ForTest(t)
	db, _, err := Client(t.Context(), endpoint, "eu-west-1")
	if err != nil {
		t.Fatalf("Client(%q) error: %v", endpoint, err)
	}
	if _, err := db.ListTables(t.Context(), &dynamodb.ListTablesInput{}); err != nil {
		t.Fatalf("ListTables on %s: %v", endpoint, err)
	}
	if again := ForTest(t); again != endpoint {
		t.Errorf("ForTest() second call = %s; want %s (one shared instance)", again, endpoint)
	}
}

func TestStartEndpointGiven(t *testing.T) {
	endpoint := ForTest(t)
	inst, err := Start(t.Context(), Options{Endpoint: endpoint})
	if err != nil {
		t.Fatalf("Start(Endpoint %q) error: %v", endpoint, err)
	}
	if inst.Kind != KindEndpoint || inst.Endpoint != endpoint {
		t.Errorf("Start(Endpoint %q) = %s %s; want %s %s", endpoint, inst.Kind, inst.Endpoint, KindEndpoint, endpoint)
	}
	if err := inst.Close(); err != nil {
		t.Errorf("Close() of a given endpoint = %v; want nil", err)
	}
	// The shared instance must survive Close of a given endpoint.
	if err := pingEndpoint(t, endpoint); err != nil {
		t.Errorf("after Close of a given endpoint, ListTables = %v; want nil", err)
	}
}

func TestStartEndpointFromEnv(t *testing.T) {
	endpoint := ForTest(t)
	t.Setenv(EnvEndpoint, endpoint)
	inst, err := Start(t.Context(), Options{})
	if err != nil {
		t.Fatalf("Start() with %s=%s error: %v", EnvEndpoint, endpoint, err)
	}
	if inst.Kind != KindEndpoint || inst.Endpoint != endpoint {
		t.Errorf("Start() with env = %s %s; want %s %s", inst.Kind, inst.Endpoint, KindEndpoint, endpoint)
	}
}

func TestStartEndpointBadURL(t *testing.T) {
	_, err := Start(t.Context(), Options{Endpoint: "localhost:8000"})
	if err == nil || !strings.Contains(err.Error(), `"localhost:8000"`) {
		t.Errorf("Start(Endpoint localhost:8000) error = %v; want one naming the value", err)
	}
}

func TestStartEndpointUnreachable(t *testing.T) {
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	endpoint := "http://127.0.0.1:" + strconv.Itoa(port)
	ctx, cancel := context.WithTimeout(t.Context(), 500*time.Millisecond)
	defer cancel()
	_, err = Start(ctx, Options{Endpoint: endpoint})
	if !errors.Is(err, ErrNotReady) {
		t.Fatalf("Start(Endpoint %s) error = %v; want ErrNotReady", endpoint, err)
	}
	if msg := err.Error(); strings.Contains(msg, "\n") || !strings.Contains(msg, endpoint) {
		t.Errorf("Start(Endpoint %s) error = %q; want one line naming the endpoint", endpoint, msg)
	}
}

func TestStartNothingAvailable(t *testing.T) {
	t.Setenv(EnvEndpoint, "")
	t.Setenv("PATH", t.TempDir()) // no java, no npm
	_, err := Start(t.Context(), Options{NoDocker: true})
	if !errors.Is(err, ErrUnavailable) || !errors.Is(err, ErrNoJava) {
		t.Fatalf("Start() without java = %v; want ErrUnavailable and ErrNoJava", err)
	}
	msg := err.Error()
	if strings.Contains(msg, "\n") || !strings.Contains(msg, "--dynamodb-endpoint") {
		t.Errorf("Start() without java error = %q; want one line saying how to get one", msg)
	}
}

func TestDockerProbeNoEngine(t *testing.T) {
	t.Setenv("DOCKER_HOST", "unix://"+filepath.Join(t.TempDir(), "none.sock"))
	if dockerReachable(t.Context()) {
		t.Errorf("dockerReachable() with DOCKER_HOST on a missing socket = true; want false")
	}
	_, err := startContainer(t.Context(), Options{}, nil)
	if !errors.Is(err, ErrNoDocker) {
		t.Errorf("startContainer() without engine = %v; want ErrNoDocker", err)
	}
}

func TestStartJarInMemoryAndClose(t *testing.T) {
	t.Setenv(EnvEndpoint, "")
	inst, err := Start(t.Context(), Options{NoDocker: true})
	if err != nil {
		t.Fatalf("Start(NoDocker) error: %v", err)
	}
	if inst.Kind != KindJar {
		t.Errorf("Start(NoDocker).Kind = %s; want %s", inst.Kind, KindJar)
	}
	if err := pingEndpoint(t, inst.Endpoint); err != nil {
		t.Fatalf("ListTables on started jar: %v", err)
	}
	if err := inst.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	if err := pingEndpoint(t, inst.Endpoint); err == nil {
		t.Errorf("ListTables after Close succeeded; want the jar stopped")
	}
	if err := inst.Close(); err != nil {
		t.Errorf("second Close() = %v; want nil", err)
	}
}

func TestStartJarStopsOnContextCancel(t *testing.T) {
	t.Setenv(EnvEndpoint, "")
	ctx, cancel := context.WithCancel(t.Context())
	inst, err := Start(ctx, Options{NoDocker: true})
	if err != nil {
		cancel()
		t.Fatalf("Start(NoDocker) error: %v", err)
	}
	cancel()
	// Close waits for the stop begun by the cancellation.
	if err := inst.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	if err := pingEndpoint(t, inst.Endpoint); err == nil {
		t.Errorf("ListTables after cancel succeeded; want the jar stopped")
	}
}

func TestStartJarDBPathSurvivesRestart(t *testing.T) {
	t.Setenv(EnvEndpoint, "")
	dbPath := filepath.Join(t.TempDir(), "db")
	inst, err := Start(t.Context(), Options{NoDocker: true, DBPath: dbPath})
	if err != nil {
		t.Fatalf("Start(DBPath) error: %v", err)
	}
	createTable(t, inst.Endpoint, "survivor")
	if err := inst.Close(); err != nil {
		t.Fatalf("Close() = %v", err)
	}
	inst, err = Start(t.Context(), Options{NoDocker: true, DBPath: dbPath})
	if err != nil {
		t.Fatalf("second Start(DBPath) error: %v", err)
	}
	defer inst.Close()
	// Another region and the same dummy keys see the table: -sharedDb.
	db, _, err := Client(t.Context(), inst.Endpoint, "ap-south-1")
	if err != nil {
		t.Fatal(err)
	}
	out, err := db.ListTables(t.Context(), &dynamodb.ListTablesInput{})
	if err != nil {
		t.Fatalf("ListTables after restart: %v", err)
	}
	if len(out.TableNames) != 1 || out.TableNames[0] != "survivor" {
		t.Errorf("ListTables after restart = %v; want [survivor]", out.TableNames)
	}
}

func TestStartJarPortTaken(t *testing.T) {
	t.Setenv(EnvEndpoint, "")
	first, err := Start(t.Context(), Options{NoDocker: true})
	if err != nil {
		t.Fatalf("Start() error: %v", err)
	}
	defer first.Close()
	port := first.Endpoint[strings.LastIndex(first.Endpoint, ":")+1:]
	_, err = Start(t.Context(), Options{NoDocker: true, Port: atoi(t, port)})
	if err == nil || strings.Contains(err.Error(), "\n") {
		t.Errorf("Start(Port %s) on a taken port = %v; want a one-line error", port, err)
	}
}

func TestInstallIsIdempotent(t *testing.T) {
	jarDir, err := Install(t.Context(), DefaultDir(), nil)
	if err != nil {
		t.Fatalf("Install(%s) error: %v", DefaultDir(), err)
	}
	for _, name := range []string{jarName, libName} {
		if _, err := os.Stat(filepath.Join(jarDir, name)); err != nil {
			t.Errorf("Install() = %s; missing %s: %v", jarDir, name, err)
		}
	}
}

func TestFindJarMissing(t *testing.T) {
	dir := t.TempDir()
	if _, err := FindJar(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("FindJar(empty dir) error = %v; want fs.ErrNotExist", err)
	}
}

func TestDefaultDir(t *testing.T) {
	t.Setenv(EnvDir, "/somewhere/else")
	if got := DefaultDir(); got != "/somewhere/else" {
		t.Errorf("DefaultDir() with %s = %s; want /somewhere/else", EnvDir, got)
	}
	t.Setenv(EnvDir, "")
	if got := DefaultDir(); !strings.HasSuffix(got, filepath.Join("pipesim", "dynamodb-local")) {
		t.Errorf("DefaultDir() = %s; want .../pipesim/dynamodb-local", got)
	}
}

func TestClientBadEndpoint(t *testing.T) {
	if _, _, err := Client(t.Context(), "127.0.0.1:8000", ""); err == nil {
		t.Errorf("Client(%q) error = nil; want one naming the endpoint", "127.0.0.1:8000")
	}
}

func TestTailBufferKeepsEnd(t *testing.T) {
	tb := &tailBuffer{max: 8}
	tb.Write([]byte("0123456789"))
	tb.Write([]byte("ab"))
	if got, want := tb.String(), "456789ab"; got != want {
		t.Errorf("tailBuffer.String() = %q; want %q", got, want)
	}
}

func pingEndpoint(t *testing.T, endpoint string) error {
	t.Helper()
	db, _, err := Client(t.Context(), endpoint, "")
	if err != nil {
		t.Fatal(err)
	}
	return ping(t.Context(), db)
}

func createTable(t *testing.T, endpoint, name string) {
	t.Helper()
	db, _, err := Client(t.Context(), endpoint, "")
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.CreateTable(t.Context(), &dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("K"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("K"), KeyType: types.KeyTypeHash}},
		BillingMode:          types.BillingModePayPerRequest,
	})
	if err != nil {
		t.Fatalf("CreateTable(%s): %v", name, err)
	}
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("port %q: %v", s, err)
	}
	return n
}
