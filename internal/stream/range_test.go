package stream

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestReadRange(t *testing.T) {
	t.Parallel()
	table, arn, db, st := streamTable(t)
	for i := range 5 {
		put(t, db, table, "k", i)
	}
	all := readRecords(t, connect(t, st, Config{StreamARN: arn, StartingPosition: TrimHorizon, BatchSize: 5}), 5)
	shard, from, to := all[0].ShardID, all[1].SequenceNumber, all[3].SequenceNumber
	got, err := ReadRange(t.Context(), st, arn, "us-west-2", shard, from, to)
	if err != nil {
		t.Fatalf("ReadRange(%s, %s..%s) error: %v", shard, from, to, err)
	}
	if diff := cmp.Diff([]string{"k=1", "k=2", "k=3"}, values(t, got)); diff != "" {
		t.Errorf("ReadRange(%s..%s) (-want +got):\n%s", from, to, diff)
	}
	missing := arn[:strings.LastIndex(arn, "/")+1] + "2001-01-01T00:00:00.000"
	if _, err := ReadRange(t.Context(), st, missing, "us-west-2", shard, from, to); !errors.Is(err, ErrRangeGone) {
		t.Errorf("ReadRange(missing stream) error = %v; want ErrRangeGone", err)
	}
}

func TestCompareSeq(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"000000000000000000002", "000000000000000000010", -1},
		{"100000000000000000000000", "99999999999999999999999", 1},
		{"000000000000000000007", "000000000000000000007", 0},
	}
	for _, tt := range tests {
		if got := compareSeq(tt.a, tt.b); got != tt.want {
			t.Errorf("compareSeq(%q, %q) = %d; want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
