package replay

import (
	"bytes"
	"errors"
	"testing"

	"github.com/tidwall/gjson"
)

// checkItems holds what every reader promises: a record is valid, normalised JSON that
// normalises to itself; a bad item has a line and an error; the error ends reading only for a
// syntax error.
func checkItems(t *testing.T, in []byte, form Form) {
	checkItemsLimit(t, in, form, 0)
	checkItemsLimit(t, in, form, 100) // a record over 100 bytes is reported, not read
}

func checkItemsLimit(t *testing.T, in []byte, form Form, limit int) {
	rd := Reader{Form: form, Normalize: Normalize{StreamARN: seedARN}, MaxRecordSize: limit}
	_, err := rd.Read(bytes.NewReader(in), func(it Item) error {
		if it.Line < 1 {
			t.Fatalf("Read(%q): item with line %d", in, it.Line)
		}
		if it.Err != nil {
			return nil
		}
		if !gjson.ValidBytes(it.Record.Doc.Bytes()) {
			t.Fatalf("Read(%q): record %s is not valid JSON", in, it.Record.Doc.Bytes())
		}
		again, err := ParseRecord(it.Record.Doc.Bytes(), rd.Normalize)
		if err != nil || !bytes.Equal(again.Doc.Bytes(), it.Record.Doc.Bytes()) {
			t.Fatalf("ParseRecord(%s) = %s, %v; want the record unchanged", it.Record.Doc.Bytes(), again.Doc.Bytes(), err)
		}
		return nil
	})
	if err != nil && !errors.Is(err, ErrSyntax) {
		t.Fatalf("Read(%q) error = %v; want nil or ErrSyntax", in, err)
	}
}

func addSeeds(f *testing.F, names ...string) {
	for _, n := range names {
		f.Add(fixture(f, n))
	}
}

func FuzzReadJSONLines(f *testing.F) {
	addSeeds(f, "seed.jsonl")
	f.Add([]byte("{\"Records\":[{\"eventID\":\"e\"}]}\n\n{"))
	f.Fuzz(func(t *testing.T, in []byte) { checkItems(t, in, FormJSONLines) })
}

func FuzzReadArray(f *testing.F) {
	addSeeds(f, "seed-array.json")
	f.Add([]byte(`[{"a":"]"},"x\"",1,[[]]]`))
	f.Fuzz(func(t *testing.T, in []byte) { checkItems(t, in, FormArray) })
}

func FuzzReadGetRecords(f *testing.F) {
	addSeeds(f, "seed-get-records.json")
	f.Add([]byte("{\n\"NextShardIterator\": null, \"Records\": []}\n{}"))
	f.Fuzz(func(t *testing.T, in []byte) { checkItems(t, in, FormDocument) })
}

func FuzzReadLambdaEvent(f *testing.F) {
	addSeeds(f, "seed-lambda.json")
	f.Fuzz(func(t *testing.T, in []byte) { checkItems(t, in, FormAuto) })
}

// FuzzImageOK checks the fast image check against the slow one it stands in for.
func FuzzImageOK(f *testing.F) {
	for _, s := range []string{`{"a":{"S":"x"}}`, `{}`, `{"a":{"S":"x","N":"1"}}`, `{"a":{"M":{"b":{"L":[{"S":"]"}]}}}, "c" : {"NULL":true}}`, `{"a":"x"}`, `{"a":{"X":1}}`, `[]`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		if !gjson.Valid(raw) {
			return
		}
		v := gjson.Parse(raw)
		var slow error
		if !v.IsObject() {
			slow = ErrNotRecord
		} else {
			v.ForEach(func(_, a gjson.Result) bool {
				slow = checkAttribute(a)
				return slow == nil
			})
		}
		// A false answer only sends the image to the slow check (escaped keys do), so only a
		// true one must agree.
		if imageOK([]byte(raw)) && slow != nil {
			t.Fatalf("imageOK(%q) = true; the slow check says %v", raw, slow)
		}
	})
}
