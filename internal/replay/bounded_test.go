package replay

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/pipesim/pipesim/internal/config"
	"github.com/pipesim/pipesim/internal/httpdest"
	"github.com/pipesim/pipesim/internal/pipe"
)

// bigRecord is a seed-shaped INSERT whose NewImage carries a string attribute of size bytes.
func bigRecord(i, size int) string {
	return fmt.Sprintf(`{"eventID":"%032x","eventName":"INSERT","eventVersion":"1.1","eventSource":"aws:dynamodb","awsRegion":"us-east-1",`+
		`"dynamodb":{"ApproximateCreationDateTime":%d,"Keys":{"Location":{"S":"Big %d"}},"NewImage":{"Location":{"S":"Big %d"},"Blob":{"S":"%s"},`+
		`"MaxTemp":{"N":"42"},"TTL":{"N":"300"}},"SequenceNumber":"%021d","SizeBytes":%d,"StreamViewType":"NEW_AND_OLD_IMAGES"},`+
		`"eventSourceARN":"arn:aws:dynamodb:us-east-1:000000000000:table/weather-stats-demo/stream/2024-07-30T17:20:48.118"}`,
		i, 1722360292+i, i, i, strings.Repeat("x", size), 100+i, size)
}

// allocated is the bytes the process allocated so far.
func allocated() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.TotalAlloc
}

// TestReplayLongRecordMemory replays a 25 MB record (under a raised record limit) among seed
// records. Each chunk's buffer was sized from the previous chunk's average record times 1024:
// after this record the replay asked for ~28 GB and died. Now what it allocates stays near the
// input's size.
func TestReplayLongRecordMemory(t *testing.T) {
	var in bytes.Buffer
	if err := GenerateSeed(&in, 3000, 1); err != nil {
		t.Fatal(err)
	}
	in.WriteString(bigRecord(5000, 25<<20) + "\n")
	if err := GenerateSeed(&in, 3000, 2); err != nil {
		t.Fatal(err)
	}
	cfg := seedConfig(t, "https://api.cache.example.com")
	before := allocated()
	sum, err := (&Run{Config: cfg, DryRun: io.Discard, Feed: Options{Reader: Reader{MaxRecordSize: 32 << 20}}}).Replay(context.Background(), &in)
	if err != nil || sum.Records != 6001 || sum.Bad != 0 {
		t.Fatalf("Replay = %+v, %v; want 6001 records", sum, err)
	}
	if got := allocated() - before; got > 1<<30 {
		t.Errorf("replaying %d MB allocated %d MB; want it bounded near the input's size", in.Cap()>>20, got>>20)
	}
}

// TestReplayRecordTooLargeKeepsGoing: with the default limit, a 2 MB record is bad input counted
// in the summary, and the records after it are replayed; under Strict it stops the replay.
func TestReplayRecordTooLargeKeepsGoing(t *testing.T) {
	in := bigRecord(1, 100) + "\n" + bigRecord(2, 2<<20) + "\n" + bigRecord(3, 100) + "\n"
	cfg := seedConfig(t, "https://api.cache.example.com")
	var bad []Item
	sum, err := (&Run{Config: cfg, DryRun: io.Discard, Feed: Options{OnBad: func(it Item) { bad = append(bad, it) }}}).Replay(context.Background(), strings.NewReader(in))
	if err != nil || sum.Records != 2 || sum.Bad != 1 {
		t.Fatalf("Replay = %+v, %v; want 2 records and 1 bad", sum, err)
	}
	if len(bad) != 1 || bad[0].Line != 2 || !errors.Is(bad[0].Err, ErrRecordTooLarge) {
		t.Errorf("bad input = %+v; want line 2, ErrRecordTooLarge", bad)
	}
	_, err = (&Run{Config: cfg, DryRun: io.Discard, Feed: Options{Strict: true}}).Replay(context.Background(), strings.NewReader(in))
	if !errors.Is(err, ErrBadInput) || !strings.Contains(err.Error(), "line 2: record too large: longer than 1.06 MiB") {
		t.Errorf("strict Replay = %v; want ErrBadInput at line 2", err)
	}
}

// TestReplayStopsOnBlockedInput: cancelled while its input blocks (a pipe nobody writes to), a
// replay returns instead of waiting for the read.
func TestReplayStopsOnBlockedInput(t *testing.T) {
	r, w := io.Pipe()
	defer w.Close()
	cfg := seedConfig(t, "https://api.cache.example.com")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := (&Run{Config: cfg, DryRun: io.Discard}).Replay(ctx, r)
		done <- err
	}()
	if _, err := io.WriteString(w, bigRecord(1, 10)+"\n"); err != nil { // the feed is reading
		t.Fatal(err)
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Replay = %v; want context.Canceled", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("Replay did not return after its context was cancelled while the input blocked")
	}
}

// TestSourceHoldsBoundedBytes: a pipe that reads batches and delivers none (a target that never
// answers) gets no more once it holds maxActiveBytes of the input; an acknowledgement lets it go
// on.
func TestSourceHoldsBoundedBytes(t *testing.T) {
	var in bytes.Buffer
	const n, size = 100, 1 << 20 // 100 MB of 1 MB records
	for i := range n {
		in.WriteString(bigRecord(i, size) + "\n")
	}
	feed := NewFeed(&in, Options{})
	src := feed.Source(1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go feed.Run(ctx)
	var acks []func(context.Context) error
	for {
		wait, stop := context.WithTimeout(ctx, 200*time.Millisecond)
		_, ack, err := src.ReadBatch(wait)
		stop()
		if err != nil {
			break // it holds back: something must not happen, not a speed check
		}
		acks = append(acks, ack)
		if len(acks) == n {
			t.Fatal("the source handed out every record with none acknowledged")
		}
	}
	if held := len(acks) * size; held > maxActiveBytes+maxArenaBytes {
		t.Errorf("the source handed out %d MB unacknowledged; want at most %d MB", held>>20, (maxActiveBytes+maxArenaBytes)>>20)
	}
	for _, ack := range acks {
		ack(ctx)
	}
	if _, _, err := src.ReadBatch(ctx); err != nil {
		t.Errorf("ReadBatch after the acknowledgements = %v; want a batch", err)
	}
}

// TestBatchCutAtPayloadLimit: batches of 1 MB records are cut at Pipes' 6 MB payload limit.
func TestBatchCutAtPayloadLimit(t *testing.T) {
	var in bytes.Buffer
	for i := range 20 {
		in.WriteString(bigRecord(i, 1<<20) + "\n")
	}
	feed := NewFeed(&in, Options{})
	src := feed.Source(100)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go feed.Run(ctx)
	total := 0
	for total < 20 {
		b, ack, err := src.ReadBatch(ctx)
		if err != nil {
			t.Fatal(err)
		}
		size := 0
		for _, r := range b.Records {
			size += r.Doc.Len()
		}
		if size > maxBatchBytes || len(b.Records) != min(5, 20-total) {
			t.Errorf("batch of %d records, %d bytes; want 5 (at most 6 MB)", len(b.Records), size)
		}
		total += len(b.Records)
		ack(ctx)
	}
}

// TestReplayTargetNeverAnswers: against a target that refuses every connection, a pipe whose
// settings retry for ever (MaximumRetryAttempts -1, MaximumRecordAgeInSeconds -1) stops after
// DefaultMaxAttempts executions of its first batch, and the summary counts every record it had
// yet to finish with as not delivered (the put pipe's filter let the two REMOVE records go: 3 of
// 5); a pipe with MaximumRetryAttempts 0 stops after one; Run.MaxAttempts sets them all. The
// replay ends with the first pipe's reason.
func TestReplayTargetNeverAnswers(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refusing := "http://" + ln.Addr().String()
	ln.Close()
	cfg := seedConfig(t, refusing)
	forever := *cfg.Pipes[1] // the topic pipe, retrying for ever
	forever.Stream.MaxRetries = -1
	cfg.Pipes = []*config.Pipe{cfg.Pipes[0], &forever} // the put pipe has MaximumRetryAttempts 0
	in := fixture(t, "seed.jsonl")
	for _, c := range []struct {
		maxAttempts          int
		putFailed, fwdFailed int64
	}{{0, 1, DefaultMaxAttempts}, {3, 3, 3}} {
		r := &Run{Config: cfg, Sender: httpdest.NewSender(), Retry: pipe.Options{Backoff: time.Millisecond, MaxBackoff: time.Millisecond}, MaxAttempts: c.maxAttempts}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // without an end, it would retry for ever
		sum, err := r.Replay(ctx, bytes.NewReader(in))
		cancel()
		var nd *pipe.NotDeliveredError
		if !errors.As(err, &nd) || nd.Pipe != "weather-stats-demo-cache-put-pipe" {
			t.Fatalf("Replay(max attempts %d) = %v; want the put pipe's NotDeliveredError", c.maxAttempts, err)
		}
		put, fwd := sum.Pipes[0], sum.Pipes[1]
		if put.Failed != c.putFailed || put.NotDelivered != 3 || put.Stopped == nil {
			t.Errorf("max attempts %d: put pipe %+v; want %d failed requests, 3 records not delivered", c.maxAttempts, put, c.putFailed)
		}
		if fwd.Failed != c.fwdFailed || fwd.NotDelivered != sum.Records || fwd.Stopped == nil {
			t.Errorf("max attempts %d: topic pipe %+v; want %d failed requests, %d records not delivered", c.maxAttempts, fwd, c.fwdFailed, sum.Records)
		}
	}
}
