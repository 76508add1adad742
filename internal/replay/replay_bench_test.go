package replay

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"testing"

	"github.com/tidwall/gjson"
)

const benchRecords = 20000

func seedInput(b *testing.B) []byte {
	var buf bytes.Buffer
	if err := GenerateSeed(&buf, benchRecords, 1); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// BenchmarkReplayDryRun replays seed-shaped records through the seed's three pipes in a dry run.
func BenchmarkReplayDryRun(b *testing.B) {
	in := seedInput(b)
	cfg := seedConfig(b, "https://api.cache.example.com")
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		sum, err := (&Run{Config: cfg, DryRun: io.Discard}).Replay(context.Background(), bytes.NewReader(in))
		if err != nil || sum.Records != benchRecords {
			b.Fatalf("Replay = %d records, %v; want %d", sum.Records, err, benchRecords)
		}
	}
	b.ReportMetric(float64(benchRecords*b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkReadBaseline is the plain baseline: encoding/json decoding each line into a map and
// walking to the key, with no normalising, filtering or rendering.
func BenchmarkReadBaseline(b *testing.B) {
	in := seedInput(b)
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		n := 0
		for line := range bytes.Lines(in) {
			var m map[string]any
			if err := json.Unmarshal(line, &m); err != nil {
				b.Fatal(err)
			}
			if _, ok := m["dynamodb"].(map[string]any)["Keys"]; ok {
				n++
			}
		}
		if n != benchRecords {
			b.Fatalf("baseline read %d records; want %d", n, benchRecords)
		}
	}
	b.ReportMetric(float64(benchRecords*b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkReadSeed is the reader alone on the same input.
func BenchmarkReadSeed(b *testing.B) {
	in := seedInput(b)
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		n := 0
		_, err := Reader{}.Read(bytes.NewReader(in), func(it Item) error {
			if it.Err == nil && gjson.GetBytes(it.Record.Doc.Bytes(), "dynamodb.Keys").Exists() {
				n++
			}
			return nil
		})
		if err != nil || n != benchRecords {
			b.Fatalf("Read = %d records, %v; want %d", n, err, benchRecords)
		}
	}
	b.ReportMetric(float64(benchRecords*b.N)/b.Elapsed().Seconds(), "records/s")
}
