package sim

import (
	"bytes"
	"context"
	"errors"
	"net/http/httptest"
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
	"github.com/pipesim/pipesim/internal/ddblocal/ddblocaltest"
	"github.com/pipesim/pipesim/internal/momento"
	"github.com/pipesim/pipesim/internal/pipe"
)

// seedTemplate is the seed's CloudFormation template as `cdk synth` wrote it (a copy of
// ../shared/seed-stack/weather-stats.template.json).
const seedTemplate = "../../testdata/weather-stats/weather-stats.template.json"

// TestSeedTemplateEndToEnd runs the seed design from its CloudFormation template against
// DynamoDB Local and the embedded Momento server, with the same writes as
// TestSeedDesignEndToEnd (INSERT, MODIFY, an item without TTL, REMOVE): the requests must be
// byte for byte those the pipes file sends, which testdata/seed-requests.golden holds. The
// stack's parameters are given as `--parameter-overrides` gives them, and bound to pipesim's
// Momento variables as `--momento-parameters` binds them.
func TestSeedTemplateEndToEnd(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts cfn.Options
	}{
		{"parameter-overrides", cfn.Options{}},
		{"momento-parameters", cfn.Options{Bind: map[string]string{"MomentoApiEndpoint": EnvMomentoEndpoint, "MomentoApiKey": EnvMomentoKey}}},
	} {
		t.Run(tc.name, func(t *testing.T) { runSeedTemplate(t, tc.opts) })
	}
}

func runSeedTemplate(t *testing.T, opts cfn.Options) {
	endpoint := ddblocaltest.Endpoint(t)
	rec := &recorder{next: momento.NewServer(momento.Config{Token: testToken})}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	t.Setenv(EnvMomentoEndpoint, srv.URL)
	t.Setenv(EnvMomentoKey, testToken)
	if opts.Bind == nil {
		opts.Parameters = map[string]string{"MomentoApiKey": testToken, "MomentoApiEndpoint": srv.URL}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// The template names its table weather-stats-demo, as TestSeedDesignEndToEnd's does: each
	// run starts from no table, and leaves none.
	dropSeedTable(ctx, t, endpoint)
	defer dropSeedTable(context.Background(), t, endpoint)

	var notes []string
	var trace syncBuffer
	state := t.TempDir()
	s, err := Start(ctx, Options{Template: &Template{Path: seedTemplate, Options: opts, Notice: func(n string) { notes = append(notes, n) }},
		DynamoDBEndpoint: endpoint, StateDir: state, PollInterval: 50 * time.Millisecond, Retry: pipe.Options{Backoff: time.Millisecond},
		Trace: NewTracer(&trace).Trace})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if len(s.Config.Caches) != 1 && opts.Bind != nil {
		t.Errorf("Caches = %v; want the one the Momento destinations write to", s.Config.Caches)
	}
	for _, c := range []string{"momento-eventbridge-cache"} {
		rec.next.(*momento.Server).CreateCache(c)
	}
	if len(notes) != 2 {
		t.Errorf("notes = %q; want the skipped IAM resources and the role's stand-in ARN", notes)
	}
	ready := make(chan struct{})
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, func() { close(ready) }) }()
	<-ready

	writeSeedItems(ctx, t, s.DynamoDB)
	// The last request may be the one answered 400: its dead letter is written after the
	// answer arrives, so wait for it too before stopping the pipes.
	waitFor(t, func() bool { return len(rec.snapshot()) >= 8 && deadLetters(s) > 0 })
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run = %v", err)
	}
	checkGolden(t, "testdata/seed-requests.golden", groupRequests(rec.snapshot()))
	if out := trace.String() + strings.Join(notes, "\n"); strings.Contains(out, testToken) || !strings.Contains(trace.String(), "succeeded") {
		t.Errorf("trace and notes hold the API key, or show no execution:\n%s", out)
	}
	checkDeadLetter(t, s)
	checkLogs(t, state)
}

func dropSeedTable(ctx context.Context, t *testing.T, endpoint string) {
	t.Helper()
	db, _, err := ddblocal.Client(ctx, endpoint, "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String("weather-stats-demo")})
	var notFound *types.ResourceNotFoundException
	if err != nil && !errors.As(err, &notFound) {
		t.Fatal(err)
	}
}

func TestTemplateDotEnvDir(t *testing.T) {
	for path, want := range map[string]string{"a/b.template.json": "a", "cdk.out": ".", "app/cdk.out/": "app", "app/cdk.out/manifest.json": "app"} {
		if got := (&Template{Path: path}).Dir(); got != filepath.Clean(want) {
			t.Errorf("Template{%q}.Dir() = %q; want %q", path, got, want)
		}
	}
}

// syncBuffer is a bytes.Buffer the pipes' goroutines may write at once.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
