package replay

import (
	"bytes"
	"testing"
)

func benchmarkRead(b *testing.B, name string) {
	in := fixture(b, name)
	rd := Reader{Normalize: Normalize{StreamARN: seedARN}}
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		n := 0
		if _, err := rd.Read(bytes.NewReader(in), func(it Item) error {
			if it.Err == nil {
				n++
			}
			return nil
		}); err != nil || n != 5 {
			b.Fatalf("Read(%s) = %d records, %v; want 5", name, n, err)
		}
	}
}

func BenchmarkReadJSONLines(b *testing.B) { benchmarkRead(b, "seed.jsonl") }
func BenchmarkReadArray(b *testing.B)     { benchmarkRead(b, "seed-array.json") }
func BenchmarkReadDocument(b *testing.B)  { benchmarkRead(b, "seed-lambda.json") }
