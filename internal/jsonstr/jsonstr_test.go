package jsonstr

import (
	"encoding/json"
	"testing"
	"unicode/utf8"
)

func TestAppend(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", `""`},
		{"plain text", `"plain text"`},
		{"<a href='x'>&amp;</a>", `"<a href='x'>&amp;</a>"`}, // no HTML escaping: \u003c would hide a value from a search
		{`say "hi"`, `"say \"hi\""`},
		{`C:\dir\`, `"C:\\dir\\"`},
		{"a\nb\rc\td", `"a\nb\rc\td"`},
		{"\x00\x01\x1f\x7f", `"\u0000\u0001\u001f` + "\x7f" + `"`},
		{"café ünïcode 🌧", `"café ünïcode 🌧"`},
		{"\u2028\u2029", "\"\u2028\u2029\""},
		{"bad \xff byte", `"bad \ufffd byte"`},
		{"0123456789abcdef<>&\"0123456", `"0123456789abcdef<>&\"0123456"`}, // past the word-at-a-time loop
	} {
		if got := string(Append([]byte("x"), tc.in)); got != "x"+tc.want {
			t.Errorf("Append(%q) = %s; want %s", tc.in, got[1:], tc.want)
		}
	}
}

// FuzzAppend holds the word-at-a-time writer to the byte-at-a-time rules it stands for, and its
// output to what encoding/json reads back as the same string encoding/json writes.
func FuzzAppend(f *testing.F) {
	for _, s := range []string{"", "plain", "{\n  \"Location\": \"New York 1\"}", "caf\xc3\xa9 \xff\xfe\x00\x1f\u2028", "0123456\"89abcdef\\", "<>&<>&<>&<>&"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		prefix := []byte("x")
		got := Append(prefix, s)
		if want := appendBytes(prefix, s); string(got) != string(want) {
			t.Errorf("Append(%q) = %s; want %s", s, got, want)
		}
		var back, want string
		if err := json.Unmarshal(got[1:], &back); err != nil {
			t.Fatalf("Append(%q) = %s: not a JSON string: %v", s, got[1:], err)
		}
		std, _ := json.Marshal(s)
		_ = json.Unmarshal(std, &want)
		if back != want {
			t.Errorf("Append(%q) reads back as %q; encoding/json's string as %q", s, back, want)
		}
	})
}

func FuzzWordCheck(f *testing.F) {
	for _, s := range []string{"abcdefgh", "abc\"defg", "abcdef\\h", "\x00bcdefgh", "abcdefg\x1f", "abcdéfgh", "\x7f\x20~!#$%&", "\xff\x80aaaaaa"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) < 8 {
			return
		}
		plain := true
		for i := range 8 {
			plain = plain && plainByte[s[i]]
		}
		if got := notPlainMask(word(s, 0)) == 0; got != plain {
			t.Errorf("notPlainMask(%q) == 0 is %v; want %v", s[:8], got, plain)
		}
	})
}

// appendBytes is Append a byte at a time.
func appendBytes(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r != utf8.RuneError || size != 1 {
				b, i = append(b, s[i:i+size]...), i+size
				continue
			}
		}
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\r':
			b = append(b, '\\', 'r')
		case c == '\t':
			b = append(b, '\\', 't')
		case c >= utf8.RuneSelf:
			b = append(b, `\ufffd`...)
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			b = append(b, c)
		}
		i++
	}
	return append(b, '"')
}

// seedBody is the cache-put pipe's body for a generated record: quotes and newlines every few
// bytes, which is what the dry-run writer escapes most.
const seedBody = "{\n  \"Location\": \"San Francisco 102\", \n  \"MaxTemp\": \"71\",\n  \"MinTemp\": \"57\", \n  \"ChancesOfPrecipitation\": \"91\"\n}"

func BenchmarkAppendBody(b *testing.B) {
	buf := make([]byte, 0, 512)
	want := len(appendBytes(nil, seedBody))
	b.SetBytes(int64(len(seedBody)))
	b.ReportAllocs()
	for b.Loop() {
		if out := Append(buf[:0], seedBody); len(out) != want {
			b.Fatalf("Append wrote %d bytes; want %d", len(out), want)
		}
	}
}

// BenchmarkAppendBodyBaseline is the byte-at-a-time writer on the same body.
func BenchmarkAppendBodyBaseline(b *testing.B) {
	buf := make([]byte, 0, 512)
	b.SetBytes(int64(len(seedBody)))
	b.ReportAllocs()
	for b.Loop() {
		if out := appendBytes(buf[:0], seedBody); len(out) < len(seedBody) {
			b.Fatal("short output")
		}
	}
}
