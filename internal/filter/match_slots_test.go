package filter

import (
	"bytes"
	"testing"

	"github.com/pipesim/pipesim/internal/rawjson"
)

// slotRecords are variations of the seed record around the point where the
// shared read of the mixed filters stops: keys after it that would send the
// read to the walks (dotted names, escapes), arrays, absent and duplicate
// paths.
var slotRecords = []string{
	`{"dynamodb": {"NewImage": {"Location": {"S": "Los Angeles"}}}}`,
	`{"dynamodb": {"NewImage": {"Location": {"S": "Reno"}}, "OldImage": {"Humidity": {"N": "3"}}}}`,
	`{"dynamodb": {"NewImage": {"MaxTemp": {"N": "100"}}, "NewImage.MaxTemp": {"N": "1"}}}`,
	`{"dynamodb": {"NewImage": {"MaxTemp": {"N": "100"}}}, "dynamodb.OldImage": {"Humidity": {"N": "1"}}}`,
	`{"dynamodb": {"NewImage": {"MaxTemp": {"N": "1"}, "ChancesOfPrecipitation": {"N": "2"}}, "OldImage": {}}, "dynamodb.OldImage.Humidity": {"N": "1"}}`,
	`{"dynamodb": {"NewImage": {"MaxTemp": {"N": "1"}, "ChancesOfPrecipitation": {"N": "2"}}, "OldImage": {"Humidity": [{"N": "1"}]}}}`,
	`{"dynamodb": {"NewImage": {"MaxTemp": {"N": "100"}}, "OldIm\u0061ge": {"Humidity": {"N": "1"}}}}`,
	`{"dynamodb": {"NewImage": {"MaxTemp": {"N": "100"}}, "OldImage": [1]}}`,
	`{"dynamodb": {"NewImage": {"MaxTemp": {"N": "100"}}, "NewImage": {"MaxTemp": {"N": "1"}}}}`,
	`{"dynamodb": {"NewImage": {"MaxTemp": {"N": "1"}}, "NewImage": {"MaxTemp": {"N": "100"}}}}`,
	`{"dynamodb": {"ApproximateCreationDateTime": 5, "NewImage": "x"}}`,
	`{"dynamodb": {"ApproximateCreationDateTime": 5e8, "NewImage": {"Location": {"S": "a\"b"}}}}`,
	`{"dynamodb": {"NewImage": {"Location": {"S": "Los \u0041"}}, "x": "NewImage.y"}}`,
	`{"dynamodb": {"NewImage": {"Location": {"S": "San Diego"}}}, "a": {"b": 1}, "a.b": 2}`,
}

// slotPatternSets are filter sets read through the slots.
var slotPatternSets = [][]string{
	mixedFilters,
	{
		`{"dynamodb": {"NewImage": {"Location": {"S": [{"exists": false}]}}}}`,
		`{"a": {"b": [1]}, "$or": [{"dynamodb": {"NewImage": {"MaxTemp": {"N": ["100"]}}}}, {"x": [{"exists": true}]}]}`,
	},
	{
		`{"dynamodb": {"NewImage": {"MaxTemp": {"N": ["100"]}}, "OldImage": {"Humidity": {"N": [{"exists": false}]}}}}`,
		`{"dynamodb": {"ApproximateCreationDateTime": [{"numeric": [">", 1]}]}}`,
	},
}

// TestFiltersSlotsAgree checks that the shared read, stopping as soon as the
// answer is known, gives the answer of the patterns matched one by one.
func TestFiltersSlotsAgree(t *testing.T) {
	seed := loadRecord(t)
	records := append([]string{string(seed),
		string(bytes.Replace(seed, []byte(`{"N":"91"}`), []byte(`{"N":"90"}`), 1))}, slotRecords...)
	for _, patterns := range slotPatternSets {
		f, err := CompileFilters(patterns, Options{MatchPollerFields: true})
		if err != nil {
			t.Fatalf("CompileFilters(%q) = %v", patterns, err)
		}
		for _, rec := range records {
			want := false
			for _, p := range f.patterns {
				want = want || p.Match(rawjson.New([]byte(rec)))
			}
			if got := f.Match(rawjson.New([]byte(rec))); got != want {
				t.Errorf("Filters(%q).Match(%s) = %v; want %v", patterns, rec, got, want)
			}
		}
	}
}

// TestFiltersSlotsStopEarly checks that the mixed filters stop reading the
// seed record once the last filter matched, and read to the end when none
// does.
func TestFiltersSlotsStopEarly(t *testing.T) {
	seed := loadRecord(t)
	f, err := CompileFilters(mixedFilters, Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := newSlotRead(f.slots, f.patterns, seed)
	if st := r.read(); st != readDecided || r.answer != 1 {
		t.Errorf("read(seed) = %v, answer %v; want %v, true", st, r.answer, readDecided)
	}
	none := bytes.Replace(seed, []byte(`{"N":"91"}`), []byte(`{"N":"90"}`), 1)
	r = newSlotRead(f.slots, f.patterns, none)
	if st := r.read(); st != readDecided || r.answer != 0 {
		t.Errorf("read(no match) = %v, answer %v; want %v, false", st, r.answer, readDecided)
	}
}
