package replay

import (
	"bufio"
	"bytes"
	"context"
	"testing"

	"github.com/pipesim/pipesim/internal/filter"
	"github.com/pipesim/pipesim/internal/rawjson"
)

// TestReplaySharedFilters: pipes whose filters read the record are decided together, once per
// record in the feed (filter.Group), and each pipe still matches exactly the records its own
// filters match; a pipe that asks only for eventNames keeps deciding from the record's
// EventName.
func TestReplaySharedFilters(t *testing.T) {
	var in bytes.Buffer
	if err := GenerateSeed(&in, 2000, 7); err != nil {
		t.Fatal(err)
	}
	cfg := seedConfig(t, "https://api.cache.example.com")
	patterns := [][]string{
		{`{"dynamodb": {"NewImage": {"MaxTemp": {"N": [{"prefix": "9"}]}}}}`, `{"dynamodb": {"Keys": {"Location": {"S": [{"prefix": "San "}]}}}}`},
		{`{"dynamodb": {"NewImage": {"Location": {"S": [{"prefix": "Austin"}]}, "MaxTemp": {"N": ["61", "62"]}}}}`,
			`{"eventName": ["REMOVE"], "dynamodb": {"OldImage": {"ChancesOfPrecipitation": {"N": [{"prefix": "1"}]}}}}`},
		{`{"eventName": ["REMOVE"]}`},
	}
	want := make([]int64, len(patterns))
	for i, ps := range patterns {
		f, err := filter.CompileFilters(ps, filter.Options{})
		if err != nil {
			t.Fatal(err)
		}
		cfg.Pipes[i].Filters = f
		sc := bufio.NewScanner(bytes.NewReader(in.Bytes()))
		for sc.Scan() {
			if f.Match(rawjson.New(sc.Bytes())) {
				want[i]++
			}
		}
	}
	var out bytes.Buffer
	r := &Run{Config: cfg, DryRun: &out, Feed: Options{ChunkSize: 64}}
	feed := NewFeed(bytes.NewReader(nil), r.Feed)
	runners, _, _, _, err := r.runners(feed, func() {})
	if err != nil {
		t.Fatal(err)
	}
	if runners[0].Filter == nil || runners[1].Filter == nil || runners[2].Filter != nil || feed.Decide == nil {
		t.Fatalf("shared filters: pipes' Filter set = %v, %v, %v; want the two reading pipes' only",
			runners[0].Filter != nil, runners[1].Filter != nil, runners[2].Filter != nil)
	}
	sum, err := r.Replay(context.Background(), bytes.NewReader(in.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range sum.Pipes {
		if p.Matched != want[i] {
			t.Errorf("pipe %s matched %d records; its filters match %d", p.Name, p.Matched, want[i])
		}
		if want[i] == 0 || want[i] == 2000 {
			t.Errorf("pipe %s: its filters match %d of 2000 records; the test needs some of each", p.Name, want[i])
		}
	}
}
