package stream

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
	"github.com/google/go-cmp/cmp"
)

// lockedBuffer is a log sink safe for the Source's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestRecoversFromExpiredIterator(t *testing.T) {
	t.Parallel()
	table, arn, db, st := streamTable(t)
	for i := range 4 {
		put(t, db, table, "k", i)
	}
	var logs lockedBuffer
	// Calls 1 and 2 read two records each; call 2 fails as if the iterator
	// had expired while the first batch waited for its ack.
	api := &faultyAPI{API: st, failAt: map[int]error{2: &types.ExpiredIteratorException{Message: strPtr("Iterator expired")}}}
	src := connect(t, api, Config{
		StreamARN: arn, StartingPosition: TrimHorizon, BatchSize: 2,
		Logger: slog.New(slog.NewTextHandler(&logs, nil)),
	})
	got := values(t, readRecords(t, src, 4))
	if want := []string{"k=0", "k=1", "k=2", "k=3"}; !cmp.Equal(got, want) {
		t.Errorf("read %v; want %v (nothing lost or repeated after re-taking the iterator)", got, want)
	}
	if !strings.Contains(logs.String(), "iterator expired") {
		t.Errorf("logs = %q; want the recovery said", logs.String())
	}
}

func TestRecoversFromTrimmedData(t *testing.T) {
	t.Parallel()
	table, arn, db, st := streamTable(t)
	for i := range 3 {
		put(t, db, table, "k", i)
	}
	var logs lockedBuffer
	api := &faultyAPI{API: st, failAt: map[int]error{1: &types.TrimmedDataAccessException{Message: strPtr("trimmed")}}}
	src := connect(t, api, Config{
		StreamARN: arn, StartingPosition: TrimHorizon, BatchSize: 10,
		Logger: slog.New(slog.NewTextHandler(&logs, nil)),
	})
	got := values(t, readRecords(t, src, 3))
	if want := []string{"k=0", "k=1", "k=2"}; !cmp.Equal(got, want) {
		t.Errorf("read %v; want %v (restarted at TRIM_HORIZON)", got, want)
	}
	if !strings.Contains(logs.String(), "restarting at TRIM_HORIZON") {
		t.Errorf("logs = %q; want the restart said", logs.String())
	}
}

func strPtr(s string) *string { return &s }

// flakyAPI fails one GetRecords call as a dropped connection would, after running a write, so
// the record lands while the reader is between its failed read and its retry.
type flakyAPI struct {
	API
	mu         sync.Mutex
	calls      int
	failAt     int
	beforeFail func()
}

func (f *flakyAPI) GetRecords(ctx context.Context, in *dynamodbstreams.GetRecordsInput, opts ...func(*dynamodbstreams.Options)) (*dynamodbstreams.GetRecordsOutput, error) {
	f.mu.Lock()
	f.calls++
	fail := f.calls == f.failAt
	f.mu.Unlock()
	if fail {
		f.beforeFail()
		return nil, errors.New("read tcp 127.0.0.1:1->127.0.0.1:2: connection reset by peer")
	}
	return f.API.GetRecords(ctx, in, opts...)
}

// TestTransientFailureKeepsIterator: a shard started at LATEST that has read nothing yet keeps
// its iterator through a dropped connection; taking a new LATEST one skipped the record written
// meanwhile.
func TestTransientFailureKeepsIterator(t *testing.T) {
	t.Parallel()
	table, arn, db, st := streamTable(t)
	api := &flakyAPI{API: st, failAt: 2, beforeFail: func() { put(t, db, table, "k", 1) }}
	src := connect(t, api, Config{StreamARN: arn, StartingPosition: Latest})
	if got := values(t, readRecords(t, src, 1)); !cmp.Equal(got, []string{"k=1"}) {
		t.Errorf("read %v; want [k=1]: the record written during a failed read is not skipped", got)
	}
}
