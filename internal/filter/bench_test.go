package filter

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pipesim/pipesim/internal/rawjson"
)

// The seed design's cache-put filter and a mixed five-filter set over nested
// DynamoDB images; see docs/performance.md for the figures.
const seedFilter = `{"eventName": ["INSERT", "MODIFY"]}`

var mixedFilters = []string{
	`{"dynamodb": {"NewImage": {"Location": {"S": [{"prefix": "Los "}]}}}}`,
	`{"dynamodb": {"ApproximateCreationDateTime": [{"numeric": ["<", 1000000000]}]}}`,
	`{"dynamodb": {"NewImage": {"Location": {"S": [{"anything-but": ["San Diego", "Seattle"]}]}}}}`,
	`{"dynamodb": {"OldImage": {"Humidity": {"N": [{"exists": true}]}}}}`,
	`{"dynamodb": {"$or": [{"NewImage": {"MaxTemp": {"N": ["100"]}}}, {"NewImage": {"ChancesOfPrecipitation": {"N": ["91"]}}}]}}`,
}

// cpuMeter reports thread CPU time per operation ("cpu-ns/op") beside ns/op.
type cpuMeter struct {
	unlock func()
	start  time.Duration
}

func startCPU() *cpuMeter {
	m := &cpuMeter{unlock: lockThread()}
	m.start, _ = threadCPU()
	return m
}

func (m *cpuMeter) report(b *testing.B) {
	end, ok := threadCPU()
	m.unlock()
	if ok && b.N > 0 {
		b.ReportMetric(float64(end-m.start)/float64(b.N), "cpu-ns/op")
	}
}

func loadRecord(b testing.TB) []byte {
	b.Helper()
	rec, err := os.ReadFile(filepath.Join("testdata", "seed_modify.json"))
	if err != nil {
		b.Fatal(err)
	}
	return rec
}

func BenchmarkSeedFilter(b *testing.B) {
	rec := loadRecord(b)
	f, err := CompileFilters([]string{seedFilter}, Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(rec)))
	cpu := startCPU()
	defer cpu.report(b)
	for b.Loop() {
		if !f.Match(rawjson.New(rec)) {
			b.Fatal("seed filter does not match the MODIFY record")
		}
	}
}

// BenchmarkSeedFilterBaseline is the plain way: decode into a map, walk it.
func BenchmarkSeedFilterBaseline(b *testing.B) {
	rec := loadRecord(b)
	b.ReportAllocs()
	b.SetBytes(int64(len(rec)))
	cpu := startCPU()
	defer cpu.report(b)
	for b.Loop() {
		var m map[string]any
		if err := json.Unmarshal(rec, &m); err != nil {
			b.Fatal(err)
		}
		name, _ := m["eventName"].(string)
		if name != "INSERT" && name != "MODIFY" {
			b.Fatal("baseline does not match the MODIFY record")
		}
	}
}

func BenchmarkMixedFilters(b *testing.B) {
	benchMixed(b, loadRecord(b), true)
}

// BenchmarkMixedFiltersNoMatch is the five filters on the record with
// ChancesOfPrecipitation 90 instead of 91: no filter matches, so the answer
// is known only once OldImage has been read to its end (Humidity absent).
func BenchmarkMixedFiltersNoMatch(b *testing.B) {
	benchMixed(b, bytes.Replace(loadRecord(b), []byte(`{"N":"91"}`), []byte(`{"N":"90"}`), 1), false)
}

// benchMixed matches the five mixed filters against rec, checking the answer each time.
func benchMixed(b *testing.B, rec []byte, want bool) {
	f, err := CompileFilters(mixedFilters, Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(rec)))
	cpu := startCPU()
	defer cpu.report(b)
	for b.Loop() {
		if f.Match(rawjson.New(rec)) != want {
			b.Fatalf("mixed filters: Match = %v; want %v", !want, want)
		}
	}
}

// BenchmarkMixedFiltersBaseline decodes into a map and walks it for the same
// five conditions.
func BenchmarkMixedFiltersBaseline(b *testing.B) {
	rec := loadRecord(b)
	b.ReportAllocs()
	b.SetBytes(int64(len(rec)))
	cpu := startCPU()
	defer cpu.report(b)
	for b.Loop() {
		var m map[string]any
		if err := json.Unmarshal(rec, &m); err != nil {
			b.Fatal(err)
		}
		if !mixedBaseline(m) {
			b.Fatal("baseline does not match the record")
		}
	}
}

func mixedBaseline(m map[string]any) bool {
	ddb, _ := m["dynamodb"].(map[string]any)
	loc, _ := dig(ddb, "NewImage", "Location", "S").(string)
	if len(loc) >= 4 && loc[:4] == "Los " {
		return true
	}
	if t, ok := ddb["ApproximateCreationDateTime"].(float64); ok && t < 1e9 {
		return true
	}
	if loc != "" && loc != "San Diego" && loc != "Seattle" {
		return true
	}
	if dig(ddb, "OldImage", "Humidity", "N") != nil {
		return true
	}
	return dig(ddb, "NewImage", "MaxTemp", "N") == "100" || dig(ddb, "NewImage", "ChancesOfPrecipitation", "N") == "91"
}

func dig(m map[string]any, keys ...string) any {
	var v any = m
	for _, k := range keys {
		mm, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = mm[k]
	}
	return v
}

// BenchmarkStreamFilters decides, for the seed's MODIFY record, the filters of every pipe that
// reads one stream, through one Group: filters=N is N of streamFilters' exact and prefix
// filters in pipes of five (filters=1 and 5 are one pipe; 50 is ten pipes, the last of which
// matches). Each record is a new Doc, as each stream record is.
func BenchmarkStreamFilters(b *testing.B) {
	for _, n := range []int{1, 5, 10, 50} {
		b.Run(fmt.Sprintf("filters=%d", n), func(b *testing.B) {
			pipes, want := streamPipes(b, n)
			g, err := NewGroup(pipes...)
			if err != nil {
				b.Fatal(err)
			}
			rec := loadRecord(b)
			var doc rawjson.Doc
			b.ReportAllocs()
			cpu := startCPU()
			defer cpu.report(b)
			for b.Loop() {
				doc.Reset(rec)
				if v := g.Decide(&doc); v != want {
					b.Fatalf("Decide = %b; want %b", v, want)
				}
			}
		})
	}
}

// BenchmarkStreamFiltersPerPipe is BenchmarkStreamFilters with each pipe matching its own
// filters, one read of the record per pipe: what a stream's pipes cost without a Group.
func BenchmarkStreamFiltersPerPipe(b *testing.B) {
	for _, n := range []int{1, 5, 10, 50} {
		b.Run(fmt.Sprintf("filters=%d", n), func(b *testing.B) {
			pipes, want := streamPipes(b, n)
			rec := loadRecord(b)
			var doc rawjson.Doc
			b.ReportAllocs()
			cpu := startCPU()
			defer cpu.report(b)
			for b.Loop() {
				doc.Reset(rec)
				var v uint64
				for i, f := range pipes {
					if f.Match(&doc) {
						v |= 1 << i
					}
				}
				if v != want {
					b.Fatalf("Match = %b; want %b", v, want)
				}
			}
		})
	}
}

// streamPipes compiles n of streamFilters' filters into pipes of five, and says which pipes
// match the seed record.
func streamPipes(b *testing.B, n int) ([]*Filters, uint64) {
	var pipes []*Filters
	var want uint64
	for i := 0; n > 0; i++ {
		fs := streamFilters(i)[:min(n, 5)]
		n -= len(fs)
		f, err := CompileFilters(fs, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if f.Match(rawjson.New(loadRecord(b))) {
			want |= 1 << i
		}
		pipes = append(pipes, f)
	}
	return pipes, want
}
