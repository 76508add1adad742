package sim

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/pipesim/pipesim/internal/cfn"
	"github.com/pipesim/pipesim/internal/ddblocal"
	"github.com/pipesim/pipesim/internal/pipe"
)

// cdkOut synthesizes the project's CDK app (testdata/cdk-app) with scripts/cdk-synth.sh, which
// installs the pinned AWS CDK on first use, and returns its cdk.out. The output is kept under
// the user cache folder keyed by the app's and the scripts' content, so synth runs once per
// change of them. Where node or npm cannot be found the test is skipped with a notice; under
// CI=true it fails instead.
func cdkOut(t *testing.T) string {
	t.Helper()
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s not found: CI must have Node.js to run the real cdk synth", tool)
			}
			t.Skipf("%s not found: skipping the real cdk synth (install Node.js and npm to run it)", tool)
		}
	}
	root := filepath.Join("..", "..")
	h := sha256.New()
	for _, f := range []string{"testdata/cdk-app/app.js", "scripts/cdk-synth.sh", "scripts/install-cdk.sh"} {
		data, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		h.Write(data)
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	out := filepath.Join(cache, "pipesim", "cdk-synth", hex.EncodeToString(h.Sum(nil))[:16])
	if _, err := os.Stat(filepath.Join(out, "manifest.json")); err == nil {
		return out
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		t.Fatal(err)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(out), ".synth-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	cmd := exec.Command(filepath.Join(root, "scripts", "cdk-synth.sh"), filepath.Join(root, "testdata", "cdk-app"), tmp)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("cdk synth: %v\n%s", err, msg)
	}
	if err := os.Rename(tmp, out); err != nil && !os.IsExist(err) {
		if _, statErr := os.Stat(filepath.Join(out, "manifest.json")); statErr != nil { // another run won
			t.Fatal(err)
		}
	}
	return out
}

// TestCDKApp runs what a real `cdk synth` wrote for the project's CDK app: a table (its name
// made up by CloudFormation), a connection whose API key is a secret holding a NoEcho
// parameter, an API destination, and a pipe with a filter and an input template. A matching
// write reaches the API as the template says; a write the filter drops sends nothing.
func TestCDKApp(t *testing.T) {
	out := cdkOut(t)
	endpoint := ddblocal.ForTest(t)
	var mu sync.Mutex
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, r.Method+" "+r.URL.RequestURI()+"\nx-api-key: "+r.Header.Get("x-api-key")+"\nX-Source: "+r.Header.Get("X-Source")+"\n"+string(body))
		mu.Unlock()
	}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	tmpl := &Template{Path: out, Options: cfn.Options{Parameters: map[string]string{"ApiEndpoint": srv.URL, "ApiKey": "k-123"}}}
	s, err := Start(ctx, Options{Template: tmpl, DynamoDBEndpoint: endpoint, StateDir: t.TempDir(),
		PollInterval: 50 * time.Millisecond, Retry: pipe.Options{Backoff: time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	table := s.Config.Tables[0]
	if !strings.HasPrefix(table.Name, "OrdersStack-Orders") || table.RangeKey != "placedAt" || table.TTLAttribute != "expiresAt" {
		t.Errorf("table = %+v; want the CDK table with its sort key and TTL", table)
	}
	ready := make(chan struct{})
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, func() { close(ready) }) }()
	<-ready

	put := func(order, status string) {
		item := map[string]types.AttributeValue{
			"orderId": &types.AttributeValueMemberS{Value: order}, "placedAt": &types.AttributeValueMemberN{Value: "1700000000"},
			"customerId": &types.AttributeValueMemberS{Value: "c-9"}, "status": &types.AttributeValueMemberS{Value: status},
		}
		if _, err := s.DynamoDB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table.Name), Item: item}); err != nil {
			t.Fatal(err)
		}
	}
	put("o-1", "PLACED")
	put("o-2", "SHIPPED") // filtered out
	put("o-3", "PLACED")
	waitFor(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(got) >= 2 })
	time.Sleep(200 * time.Millisecond) // let a wrongly unfiltered o-2 arrive, if it would
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run = %v", err)
	}
	want := []string{
		"PUT /orders/o-1?placedAt=1700000000\nx-api-key: k-123\nX-Source: pipesim-cdk-app\n" + `{"order": "o-1", "customer": "c-9", "event": "INSERT"}`,
		"PUT /orders/o-3?placedAt=1700000000\nx-api-key: k-123\nX-Source: pipesim-cdk-app\n" + `{"order": "o-3", "customer": "c-9", "event": "INSERT"}`,
	}
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(got, "\n----\n") != strings.Join(want, "\n----\n") {
		t.Errorf("requests =\n%s\nwant\n%s", strings.Join(got, "\n----\n"), strings.Join(want, "\n----\n"))
	}
}
