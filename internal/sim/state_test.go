package sim

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/pipesim/pipesim/internal/ddblocal"
	"github.com/pipesim/pipesim/internal/momento"
	"github.com/pipesim/pipesim/internal/pipe"
)

// statePhase is one run of pipesim on a state directory, with the DynamoDB Local pipesim starts
// (its data in the state directory, as by default).
type statePhase struct {
	t      *testing.T
	sim    *Sim
	logs   *syncBuf
	mu     sync.Mutex
	keys   map[string]string // item key -> its last outcome
	cancel context.CancelFunc
	done   chan error
}

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func startPhase(t *testing.T, ctx context.Context, pipes, state string, more func(*Options)) *statePhase {
	t.Helper()
	p := &statePhase{t: t, logs: &syncBuf{}, keys: map[string]string{}, done: make(chan error, 1)}
	opts := Options{PipesFile: pipes, StateDir: state, PollInterval: 50 * time.Millisecond,
		Lookup: func(string) (string, bool) { return "", false },
		Retry:  pipe.Options{Backoff: 10 * time.Millisecond},
		Logger: slog.New(slog.NewTextHandler(p.logs, nil)),
		Trace: func(e pipe.Execution) {
			if e.Outcome == pipe.OutcomeRetrying || e.Request == nil {
				return
			}
			u, _ := url.Parse(e.Request.URL)
			p.mu.Lock()
			p.keys[u.Query().Get("key")] = e.Outcome
			p.mu.Unlock()
		}}
	if more != nil {
		more(&opts)
	}
	s, err := Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	p.sim = s
	runCtx, cancel := context.WithCancel(ctx)
	p.cancel = cancel
	ready := make(chan struct{})
	go func() { p.done <- s.Run(runCtx, func() { close(ready) }) }()
	select {
	case <-ready:
	case err := <-p.done:
		t.Fatalf("run stopped before its pipes were ready: %v", err)
	}
	return p
}

func (p *statePhase) put(ctx context.Context, table, key string) {
	p.t.Helper()
	item := map[string]types.AttributeValue{"Location": &types.AttributeValueMemberS{Value: key}}
	if _, err := p.sim.DynamoDB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: item}); err != nil {
		p.t.Fatal(err)
	}
}

// await waits until key's last outcome is want.
func (p *statePhase) await(ctx context.Context, key, want string) {
	p.t.Helper()
	for {
		p.mu.Lock()
		got := p.keys[key]
		p.mu.Unlock()
		if got == want {
			return
		}
		if ctx.Err() != nil {
			p.t.Fatalf("%s: last outcome %q; want %q", key, got, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (p *statePhase) delivered() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for k := range p.keys {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func (p *statePhase) stop() {
	p.t.Helper()
	p.cancel()
	if err := <-p.done; err != nil {
		p.t.Fatal(err)
	}
	if err := p.sim.Close(); err != nil {
		p.t.Fatal(err)
	}
}

// TestStateAcrossRuns: by default the DynamoDB Local pipesim starts keeps its data in the state
// directory, beside the checkpoints and dead-letter queues that point into its streams. A second
// run reuses all three and says so in one line: no warning about checkpoints of streams that no
// longer exist, no record delivered twice, and the first run's dead letter redriven from the
// stream. A run with Fresh starts clean and says what it removed; a dead letter whose records
// are then gone is refused with a GoneError that says why in one clause.
func TestStateAcrossRuns(t *testing.T) {
	if os.Getenv(ddblocal.EnvEndpoint) != "" {
		t.Skipf("%s is set: this test needs the DynamoDB Local pipesim starts itself", ddblocal.EnvEndpoint)
	}
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	dir := t.TempDir()
	pipes := filepath.Join(dir, "pipes.yaml")
	if err := os.WriteFile(pipes, []byte(fmt.Sprintf(faultPipes, "state-runs", 0, -1)), 0o644); err != nil {
		t.Fatal(err)
	}
	state := filepath.Join(dir, "state")
	fault := func(o *Options) {
		route, f, err := momento.ParseFault("cache-put=400,200")
		if err != nil {
			t.Fatal(err)
		}
		o.Faults = map[momento.Route]momento.Fault{route: f}
	}

	first := startPhase(t, ctx, pipes, state, fault)
	if got := first.sim.State.Line(); !strings.Contains(got, "nothing to reuse yet; DynamoDB Local's data, checkpoints and dead-letter queues stay there") {
		t.Errorf("first run's state line = %q; want it to say nothing is reused and what stays", got)
	}
	first.put(ctx, "state-runs", "first")
	first.await(ctx, "first", pipe.OutcomeDeadLettered)
	first.put(ctx, "state-runs", "second")
	first.await(ctx, "second", pipe.OutcomeSucceeded)
	waitCheckpointed(t, ctx, first.sim, filepath.Join(state, "checkpoints", "state-runs-pipe.json"))
	deadLetters, err := first.sim.DLQ.Messages("dlq")
	if err != nil || len(deadLetters) != 1 {
		t.Fatalf("dead letters after the first run = %v, %v; want one", deadLetters, err)
	}
	first.stop()

	second := startPhase(t, ctx, pipes, state, nil)
	want := "state in " + state + ": reusing DynamoDB Local's data (table state-runs), the checkpoints of 1 pipe and 1 dead-letter message (--fresh starts clean)"
	if got := second.sim.State.Line(); got != want {
		t.Errorf("second run's state line:\n got %s\nwant %s", got, want)
	}
	second.put(ctx, "state-runs", "third")
	second.await(ctx, "third", pipe.OutcomeSucceeded)
	res, err := second.sim.Redrive(ctx, deadLetters[0])
	if err != nil || res.Outcome != pipe.OutcomeSucceeded || res.Records != 1 {
		t.Errorf("redrive of the first run's dead letter = %+v, %v; want its one record delivered", res, err)
	}
	if got := second.delivered(); !slices.Equal(got, []string{"first", "third"}) {
		t.Errorf("second run delivered %v; want [first third]: third, and first by redrive (second was delivered by the first run)", got)
	}
	if logs := second.logs.String(); strings.Contains(logs, "no longer exists") {
		t.Errorf("second run warned about its checkpoints:\n%s", logs)
	}
	second.stop()

	third := startPhase(t, ctx, pipes, state, func(o *Options) { o.Fresh = true })
	if got, want := third.sim.State.Line(), "state in "+state+": fresh start: removed DynamoDB Local's data, the checkpoints of 1 pipe and 1 dead-letter message; execution logs kept"; got != want {
		t.Errorf("fresh run's state line:\n got %s\nwant %s", got, want)
	}
	scan, err := third.sim.DynamoDB.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("state-runs")})
	if err != nil || len(scan.Items) != 0 {
		t.Errorf("table after a fresh start = %v, %v; want it empty", scan, err)
	}
	if msgs, _ := third.sim.DLQ.Messages("dlq"); len(msgs) != 0 {
		t.Errorf("dead letters after a fresh start = %v; want none", msgs)
	}
	_, err = third.sim.Redrive(ctx, deadLetters[0])
	var gone *GoneError
	if !errors.As(err, &gone) || !strings.Contains(err.Error(), "table state-runs has had a new stream since") || strings.Contains(err.Error(), "\n") {
		t.Errorf("redrive of a dead letter from before the fresh start = %v; want a one-line GoneError saying the table has a new stream", err)
	}
	third.stop()
}

// waitCheckpointed waits until the pipe's checkpoint file exists: the last delivery is
// acknowledged, so stopping now delivers nothing twice.
func waitCheckpointed(t *testing.T, ctx context.Context, s *Sim, path string) {
	t.Helper()
	for {
		if _, err := os.Stat(path); err == nil {
			return
		}
		if ctx.Err() != nil {
			t.Fatalf("no checkpoint at %s", path)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestStateLine: the start line for each place DynamoDB's data can be.
func TestStateLine(t *testing.T) {
	cases := []struct {
		st   State
		want string
	}{
		{State{Dir: ".pipesim", DynamoDB: ddblocal.Instance{Kind: ddblocal.KindEndpoint, Endpoint: "http://localhost:8000"}, Checkpoints: 3},
			"state in .pipesim: reusing the checkpoints of 3 pipes; DynamoDB at http://localhost:8000 is yours, with its own data (--fresh starts clean)"},
		{State{Dir: ".pipesim", DynamoDB: ddblocal.Instance{Kind: ddblocal.KindEndpoint, Endpoint: "http://localhost:8000"}},
			"state in .pipesim: nothing to reuse yet; checkpoints and dead-letter queues stay there for the next run; DynamoDB at http://localhost:8000 is yours, with its own data (--fresh starts clean)"},
		{State{Dir: ".pipesim", DynamoDB: ddblocal.Instance{Kind: ddblocal.KindShared, Endpoint: "http://127.0.0.1:8000", DBPath: "/x/.pipesim/dynamodb", Owner: 42},
			DynamoDBData: true, Tables: []string{"a", "b"}, DeadLetters: 2},
			"state in .pipesim: reusing DynamoDB Local's data (tables a, b) and 2 dead-letter messages; DynamoDB Local of pipesim process 42 on http://127.0.0.1:8000, which serves this data (--fresh starts clean)"},
		{State{Dir: ".pipesim/demo", Fresh: true, Why: "demo always starts fresh", DynamoDB: ddblocal.Instance{Kind: ddblocal.KindJar}},
			"state in .pipesim/demo: fresh start (demo always starts fresh); DynamoDB Local in memory; execution logs kept"},
		{State{Dir: ".pipesim", DynamoDB: ddblocal.Instance{Kind: ddblocal.KindJar, DBPath: "/x"}, DeadLettersOnSQS: true, Checkpoints: 1},
			"state in .pipesim: reusing the checkpoints of 1 pipe; dead-letter queues on SQS, not here (--fresh starts clean)"},
	}
	for _, c := range cases {
		if got := c.st.Line(); got != c.want {
			t.Errorf("%+v.Line():\n got %s\nwant %s", c.st, got, c.want)
		}
	}
}
