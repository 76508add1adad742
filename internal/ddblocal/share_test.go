package ddblocal

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// TestOneDynamoDBLocalPerDBPath: a second Start on a directory another Start serves uses that
// DynamoDB Local instead of starting a second one on the same files (two corrupt each other's
// streams); closing the second leaves the first running; once the first is closed, a Start
// serves the directory itself and finds the data. Fresh is refused while the directory is in use,
// and removes the data once it is not.
func TestOneDynamoDBLocalPerDBPath(t *testing.T) {
	t.Setenv(EnvEndpoint, "")
	dbPath := filepath.Join(t.TempDir(), "db")
	first, err := Start(t.Context(), Options{NoDocker: true, DBPath: dbPath})
	if err != nil {
		t.Fatalf("Start(DBPath) error: %v", err)
	}
	defer first.Close()
	if first.Kind != KindJar || first.DBPath != dbPath {
		t.Errorf("first Start = kind %s, DBPath %q; want %s, %q", first.Kind, first.DBPath, KindJar, dbPath)
	}
	createTable(t, first.Endpoint, "shared-table")

	second, err := Start(t.Context(), Options{NoDocker: true, DBPath: dbPath})
	if err != nil {
		t.Fatalf("second Start(DBPath) error: %v", err)
	}
	if second.Kind != KindShared || second.Endpoint != first.Endpoint || second.Owner != os.Getpid() {
		t.Errorf("second Start = kind %s on %s, owner %d; want %s on %s, owner %d", second.Kind, second.Endpoint, second.Owner, KindShared, first.Endpoint, os.Getpid())
	}
	if err := second.Close(); err != nil {
		t.Fatal(err)
	}
	if err := pingEndpoint(t, first.Endpoint); err != nil {
		t.Fatalf("closing the shared instance stopped the first one: %v", err)
	}

	_, err = Start(t.Context(), Options{NoDocker: true, DBPath: dbPath, Fresh: true})
	if !errors.Is(err, ErrInUse) || !strings.Contains(err.Error(), first.Endpoint) {
		t.Errorf("Start(Fresh) while another serves the directory = %v; want ErrInUse naming %s", err, first.Endpoint)
	}
	port := freePortT(t)
	_, err = Start(t.Context(), Options{NoDocker: true, DBPath: dbPath, Port: port})
	if !errors.Is(err, ErrInUse) || !strings.Contains(err.Error(), "not on port "+strconv.Itoa(port)) {
		t.Errorf("Start(Port %d) while another serves the directory on another port = %v; want ErrInUse naming the port", port, err)
	}

	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dbPath, ownerName)); !os.IsNotExist(err) {
		t.Errorf("after Close, %s is still there (%v)", ownerName, err)
	}
	if !HasData(dbPath) {
		t.Fatalf("HasData(%s) = false after a table was created there", dbPath)
	}
	third, err := Start(t.Context(), Options{NoDocker: true, DBPath: dbPath, Fresh: true})
	if err != nil {
		t.Fatalf("Start(Fresh) once the directory is free: %v", err)
	}
	defer third.Close()
	if third.Kind != KindJar {
		t.Errorf("Start after the owner closed = kind %s; want %s", third.Kind, KindJar)
	}
	db, _, err := Client(t.Context(), third.Endpoint, "")
	if err != nil {
		t.Fatal(err)
	}
	out, err := db.ListTables(t.Context(), &dynamodb.ListTablesInput{})
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(out.TableNames, "shared-table") {
		t.Errorf("tables after a fresh start = %v; want none of the earlier ones", out.TableNames)
	}
}

// TestRemoveDataKeepsOtherFiles: a fresh start removes DynamoDB Local's database files only; the
// directory may be one the user named.
func TestRemoveDataKeepsOtherFiles(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"shared-local-instance.db", "AKID_us-east-1.db", "notes.txt"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := removeData(dir); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	var left []string
	for _, e := range entries {
		left = append(left, e.Name())
	}
	if !slices.Equal(left, []string{"notes.txt"}) {
		t.Errorf("files left after removeData = %v; want [notes.txt]", left)
	}
	if HasData(dir) {
		t.Error("HasData after removeData = true")
	}
}

func freePortT(t *testing.T) int {
	t.Helper()
	p, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	return p
}
