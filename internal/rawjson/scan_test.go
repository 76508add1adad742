package rawjson

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// naiveStringEnd is the byte-at-a-time reference for StringEnd.
func naiveStringEnd(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '"':
			return j + 1
		case '\\':
			j++
		}
	}
	return -1
}

// TestStringEnd compares the eight-bytes-at-a-time scan with the reference on every string of
// up to 7 characters from {a, ", \}, padded so quotes fall on every offset of a word.
func TestStringEnd(t *testing.T) {
	alphabet := []byte{'a', '"', '\\'}
	var gen func(prefix []byte, n int)
	gen = func(prefix []byte, n int) {
		for pad := 0; pad < 9; pad++ {
			b := []byte(`"` + strings.Repeat("x", pad) + string(prefix) + strings.Repeat("y", 9-pad))
			if got, want := StringEnd(b, 0), naiveStringEnd(b, 0); got != want {
				t.Fatalf("StringEnd(%q) = %d; want %d", b, got, want)
			}
			b = b[:len(b)-(9-pad)]
			if got, want := StringEnd(b, 0), naiveStringEnd(b, 0); got != want {
				t.Fatalf("StringEnd(%q) = %d; want %d", b, got, want)
			}
		}
		if n == 0 {
			return
		}
		for _, c := range alphabet {
			gen(append(prefix, c), n-1)
		}
	}
	gen(nil, 7)
}

// FuzzTypedStringEnd holds the {"N":"..."} shortcut to the bracket count it stands in for.
func FuzzTypedStringEnd(f *testing.F) {
	for _, s := range []string{`{"N":"71"}`, `{"S":"a\"b"}`, `{"\":"x"}`, `{"S":"x"`, `{"S":"x"}]`, `{"S":"x","N":"1"}`, `{"":"x"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) == 0 || b[0] != '{' {
			return
		}
		if got := TypedStringEnd(b, 0); got >= 0 && got != containerEnd(b, 0) {
			t.Fatalf("TypedStringEnd(%q) = %d; containerEnd says %d", b, got, containerEnd(b, 0))
		}
	})
}

// FuzzWordMasks holds the word-at-a-time masks to the byte classes they stand for.
func FuzzWordMasks(f *testing.F) {
	for _, s := range []string{"abcdefgh", "abc\"defg", "abcdef\\h", "\x00bcdefgh", "abcdefg\x1f", "abcdéfgh", "\x7f\x20~!#$%&", "\xff\x80aaaaaa"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) < 8 {
			return
		}
		w := wordString(s, 0)
		first := func(is func(c byte) bool) int {
			for i := range 8 {
				if is(s[i]) {
					return i
				}
			}
			return 8
		}
		lowest := func(m uint64) int {
			if m == 0 {
				return 8
			}
			return firstByte(m)
		}
		for _, c := range []struct {
			name string
			mask uint64
			is   func(c byte) bool
		}{
			{"quoteMask", quoteMask(w), func(c byte) bool { return c == '"' || c == '\\' }},
			{"stopMask", stopMask(w), func(c byte) bool { return stopByte[c] }},
			{"writeMask", writeMask(w), func(c byte) bool { return c < 0x20 || c == '"' || c == '\\' || c >= 0x80 }},
			{"byteMask", byteMask(w, 'a'), func(c byte) bool { return c == 'a' }},
		} {
			if got, want := lowest(c.mask), first(c.is); got != want {
				t.Errorf("%s(%q) flags byte %d first; want %d", c.name, s[:8], got, want)
			}
		}
	})
}

// FuzzValue holds the scanner to encoding/json on values: ValueEnd finds the end of every valid
// value, CompactEnd accepts exactly the valid values written compactly (up to its depth), and
// ScanString exactly the valid strings.
func FuzzValue(f *testing.F) {
	for _, s := range []string{`{"a":[1,-2.5e+3,true,null,"x\"\u00e9\ud83d\ude00"],"b":{}}`, ` [ 1 , { "k" : "v" } ] `, `"\x"`, `01`, `1.`, `-`, `[1,]`, `{"a" 1}`,
		`"` + "\x01" + `"`, `{"a":{"b":{"c":[[[]]]}}}`, `"\ud800"`, `tru`, `nul`, `{"N":"1"}`, "\"\xff\xfe\""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		start := SkipSpace(b, 0)
		end := len(bytes.TrimRight(b, " \t\r\n"))
		valid := json.Valid(b)
		if valid {
			if got := ValueEnd(b, start); got != end {
				t.Fatalf("ValueEnd(%q) = %d; want %d", b, got, end)
			}
			var compact bytes.Buffer
			_ = json.Compact(&compact, b)
			c := compact.Bytes()
			if got := CompactEnd(c, 0); got != len(c) && (got >= 0 || depth(c) <= MaxCompactDepth) {
				t.Fatalf("CompactEnd(%q) = %d; want %d", c, got, len(c))
			}
		}
		if e := CompactEnd(b, 0); e >= 0 && !json.Valid(b[:e]) {
			t.Fatalf("CompactEnd(%q) = %d, but %q is not JSON", b, e, b[:e])
		}
		if e := ValueEnd(b, start); e >= 0 && valid && e != end {
			t.Fatalf("ValueEnd(%q) = %d; want %d", b, e, end)
		}
		if start < len(b) && b[start] == '"' {
			e, _, ok := ScanString(b, start)
			if ok && !json.Valid(b[start:e]) {
				t.Fatalf("ScanString(%q) = %d, true; but %q is not a JSON string", b, e, b[start:e])
			}
			if valid && (!ok || e != end) {
				t.Fatalf("ScanString(%q) = %d, %v; want %d, true", b, e, ok, end)
			}
		}
	})
}

// depth is the deepest nesting of valid JSON b.
func depth(b []byte) int {
	d, most, in := 0, 0, false
	for i := 0; i < len(b); i++ {
		switch c := b[i]; {
		case in && c == '\\':
			i++
		case c == '"':
			in = !in
		case !in && (c == '{' || c == '['):
			d++
			most = max(most, d)
		case !in && (c == '}' || c == ']'):
			d--
		}
	}
	return most
}

// FuzzMember holds Member and Element to encoding/json's tokens: the first of duplicate keys, an
// escaped key decoded, and the n-th element.
func FuzzMember(f *testing.F) {
	f.Add([]byte(`{"a":1,"b":{"c":[1,2]},"a":2}`), "a", 0)
	f.Add([]byte(`{"\u0061":"x","a":"y"}`), "a", 1)
	f.Add([]byte(` { "k" : [ "x" , {"k":3} ] , "z" : null } `), "k", 1)
	f.Add([]byte(`{"a\\b":1,"a\"b":2}`), "a\\b", 0)
	f.Add([]byte(`[0,"a",{"b":2},[3]]`), "b", 2)
	f.Fuzz(func(t *testing.T, b []byte, key string, n int) {
		if !json.Valid(b) {
			Member(b, SkipSpace(b, 0), key, -1) // no panic
			return
		}
		i := SkipSpace(b, 0)
		switch b[i] {
		case '{':
			want, ok := firstMember(b, key)
			val, keyPos, st := Member(b, i, key, -1)
			checkFound(t, b, "Member", key, val, st, want, ok)
			if ok && (keyPos < i || b[keyPos] != '"') {
				t.Fatalf("Member(%s, %q) key at %d", b, key, keyPos)
			}
			d := New(b)
			for round := range 2 { // the second time from the memo
				s, e, st := d.Find(KeyPath(key))
				checkFound(t, b, "Doc.Find", key, s, st, want, ok)
				if st == Found && e != ValueEnd(b, s) {
					t.Fatalf("Doc.Find(%s, %q) round %d ends at %d; want %d", b, key, round, e, ValueEnd(b, s))
				}
			}
		case '[':
			var elems []json.RawMessage
			_ = json.Unmarshal(b, &elems)
			n = max(n, -n) % (len(elems) + 1)
			val, st := Element(b, i, n)
			var want json.RawMessage
			if n < len(elems) {
				want = elems[n]
			}
			checkFound(t, b, "Element", "", val, st, want, n < len(elems))
		}
	})
}

func checkFound(t *testing.T, b []byte, what, key string, val int, st Status, want json.RawMessage, ok bool) {
	t.Helper()
	if (st == Found) != ok {
		t.Fatalf("%s(%s, %q) = %d; want found %v", what, b, key, st, ok)
	}
	if !ok {
		return
	}
	end := ValueEnd(b, val)
	var got, exp bytes.Buffer
	if end < 0 || json.Compact(&got, b[val:end]) != nil || json.Compact(&exp, want) != nil || got.String() != exp.String() {
		t.Fatalf("%s(%s, %q) = %q; want %s", what, b, key, b[val:max(end, val)], want)
	}
}

// firstMember returns the value of the first member of the object b named key, by
// encoding/json's tokens.
func firstMember(b []byte, key string) (json.RawMessage, bool) {
	dec := json.NewDecoder(bytes.NewReader(b))
	if _, err := dec.Token(); err != nil {
		return nil, false
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, false
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, false
		}
		if tok.(string) == key {
			return raw, true
		}
	}
	return nil, false
}
