package rawjson

import (
	"fmt"
	"testing"
)

const record = `{"eventName":"MODIFY","dynamodb":{"Keys":{"Location":{"S":"San Diego"}},"NewImage":{"MaxTemp":{"N":"42"},"TTL":{"N":"7"}},"L":[{"a":1},{"a":2}]}}`

func TestDocFind(t *testing.T) {
	for _, tc := range []struct {
		path *Path
		want string // the value, or "absent"
	}{
		{KeyPath("eventName"), `"MODIFY"`},
		{KeyPath("dynamodb", "Keys", "Location", "S"), `"San Diego"`},
		{KeyPath("dynamodb", "NewImage", "TTL", "N"), `"7"`},
		{KeyPath("dynamodb", "OldImage", "TTL", "N"), "absent"},
		{KeyPath("dynamodb", "NewImage", "MaxTemp", "N", "x"), "absent"},
		{KeyPath("dynamodb", "L", "1", "a"), "2"},                                     // a key of digits indexes an array
		{NewPath(KeyStep("dynamodb"), KeyStep("L"), IndexStep(0), KeyStep("a")), "1"}, // [0]
		{NewPath(KeyStep("dynamodb"), KeyStep("Keys"), IndexStep(0)), "absent"},       // an index does not select a member
	} {
		d := New([]byte(record))
		for round := range 2 { // then from the memo
			start, end, st := d.Find(tc.path)
			got := "absent"
			if st == Found {
				got = record[start:end]
			} else if st != Absent {
				got = fmt.Sprint(st)
			}
			if got != tc.want {
				t.Errorf("Find(%v) round %d = %s; want %s", tc.path.steps, round, got, tc.want)
			}
		}
	}
}

func TestDocMemo(t *testing.T) {
	d := New([]byte(record))
	ttl := KeyPath("dynamodb", "NewImage", "TTL", "N")
	if d.MayKnow(ttl, 0) {
		t.Error("an empty memo MayKnow something")
	}
	d.Find(ttl) // remembers the value and the image two steps up
	if s, ok := d.Lookup(ttl, 2); !ok || record[s.Start:s.Start+10] != `{"MaxTemp"` {
		t.Errorf("Lookup(dynamodb.NewImage) = %v, %v; want the image", s, ok)
	}
	maxTemp := KeyPath("dynamodb", "NewImage", "MaxTemp", "N")
	if n, s := d.Deepest(maxTemp, 0); n != 2 || s.End != 0 {
		t.Errorf("Deepest(dynamodb.NewImage.MaxTemp.N) = %d, %v; want the image, 2 steps, its end not known", n, s)
	}
	if n, _ := d.Deepest(maxTemp, 2); n != 0 {
		t.Errorf("Deepest(dynamodb.NewImage.MaxTemp.N, from 2) = %d; want 0: nothing longer is known", n)
	}
	if got := KeyPath("dynamodb", "NewImage").Shared(maxTemp); got != 2 {
		t.Errorf("Shared = %d; want 2", got)
	}

	// Bounded: once full, nothing more is remembered, and everything is still found.
	for i := range memoSize + 4 {
		d.Find(KeyPath(fmt.Sprint("x", i)))
	}
	if int(d.n) != memoSize {
		t.Errorf("memo holds %d entries; want %d", d.n, memoSize)
	}
	if s, e, st := d.Find(KeyPath("eventName")); st != Found || record[s:e] != `"MODIFY"` {
		t.Errorf("Find(eventName) with a full memo = %q, %v", record[s:e], st)
	}

	// Frozen: known values are still found; nothing new is remembered.
	f := New([]byte(record))
	f.Find(ttl)
	f.Freeze()
	n := f.n
	f.Find(KeyPath("eventName"))
	f.SetNote(NewKey(), 1)
	if f.n != n || f.nn != 0 {
		t.Errorf("a frozen Doc remembered: %d entries, %d notes", f.n, f.nn)
	}
	if _, ok := f.Lookup(ttl, 4); !ok {
		t.Error("a frozen Doc forgot what it knew")
	}
	f.Reset([]byte(record))
	if f.Frozen() || f.n != 0 {
		t.Error("Reset did not empty and thaw the Doc")
	}
}

func TestDocNotes(t *testing.T) {
	d := New([]byte(`{}`))
	keys := []Key{NewKey(), NewKey(), NewKey(), NewKey(), NewKey()}
	for i, k := range keys {
		d.SetNote(k, uint64(i+10))
	}
	d.SetNote(keys[1], 99)
	for i, k := range keys {
		v, ok := d.Note(k)
		want, wantOK := uint64(i+10), i < noteSize
		if i == 1 {
			want = 99
		}
		if ok != wantOK || ok && v != want {
			t.Errorf("Note(key %d) = %d, %v; want %d, %v", i, v, ok, want, wantOK)
		}
	}
}

// TestFindEscapedKey: a key with escapes in the record, and a path key holding a backslash.
func TestFindEscapedKey(t *testing.T) {
	b := []byte(`{"a\\b":1,"\u0061b":2,"a\"":3}`)
	for _, tc := range []struct {
		key  string
		want string
	}{{`a\b`, "1"}, {"ab", "2"}, {`a"`, "3"}} {
		s, e, st := New(b).Find(KeyPath(tc.key))
		if st != Found || string(b[s:e]) != tc.want {
			t.Errorf("Find(%q) = %s, %v; want %s", tc.key, b[s:max(e, s)], st, tc.want)
		}
	}
}

// TestFindEscapedKeyDeeper: a backslash in a later step's key is looked for decoded too. The key
// x\ must not match the raw bytes of the escaped key x" (x\").
func TestFindEscapedKeyDeeper(t *testing.T) {
	b := []byte(`{"a":{"x\"":1,"x\\":2}}`)
	s, e, st := New(b).Find(KeyPath("a", `x\`))
	if st != Found || string(b[s:e]) != "2" {
		t.Errorf(`Find(a, x\) = %s, %v; want 2`, b[s:max(e, s)], st)
	}
}
