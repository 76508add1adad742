package replay

import (
	"testing"
	"unicode/utf8"
)

// FuzzWordChecks holds the word-at-a-time checks to the byte-at-a-time rules they stand in for.
func FuzzWordChecks(f *testing.F) {
	for _, s := range []string{"abcdefgh", "abc\"defg", "abcdef\\h", "\x00bcdefgh", "abcdefg\x1f", "abcdéfgh", "\x7f\x20~!#$%&", "\xff\x80aaaaaa"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) < 8 {
			return
		}
		w := word(s, 0)
		plain, special := true, false
		for i := range 8 {
			c := s[i]
			plain = plain && c >= 0x20 && c < utf8.RuneSelf && c != '"' && c != '\\'
			special = special || c < 0x20 || c == '"' || c == '\\'
		}
		if got := notPlainMask(w) == 0; got != plain {
			t.Errorf("notPlainMask(%q) == 0 is %v; want %v", s[:8], got, plain)
		}
		if got := specialMask(w) != 0; got != special {
			t.Errorf("specialMask(%q) != 0 is %v; want %v", s[:8], got, special)
		}
		if got, want := plainRunEnd(s[:8], 0), plainRunEndBytes(s[:8]); got != want {
			t.Errorf("plainRunEnd(%q) = %d; want %d", s[:8], got, want)
		}
	})
}

// FuzzAppendString holds the word-at-a-time writer to the byte-at-a-time one it replaced.
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain", "{\n  \"Location\": \"New York 1\"}", "caf\xc3\xa9 \xff\xfe\x00\x1f\u2028", "0123456\"89abcdef\\"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		prefix := []byte("x")
		if got, want := appendString(prefix, s), appendStringBytes(prefix, s); string(got) != string(want) {
			t.Errorf("appendString(%q) = %s; want %s", s, got, want)
		}
	})
}

// appendStringBytes is appendString a byte at a time.
func appendStringBytes(b []byte, s string) []byte {
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

func plainRunEndBytes(s string) int {
	for i := range len(s) {
		if stringByte[s[i]] {
			return i
		}
	}
	return len(s)
}

// seedBody is the cache-put pipe's body for a generated record: quotes and newlines every few
// bytes, which is what the dry-run writer escapes most.
const seedBody = "{\n  \"Location\": \"San Francisco 102\", \n  \"MaxTemp\": \"71\",\n  \"MinTemp\": \"57\", \n  \"ChancesOfPrecipitation\": \"91\"\n}"

func BenchmarkAppendStringBody(b *testing.B) {
	buf := make([]byte, 0, 512)
	want := len(appendStringBytes(nil, seedBody))
	b.SetBytes(int64(len(seedBody)))
	b.ReportAllocs()
	for b.Loop() {
		if out := appendString(buf[:0], seedBody); len(out) != want {
			b.Fatalf("appendString wrote %d bytes; want %d", len(out), want)
		}
	}
}

// BenchmarkAppendStringBodyBaseline is the byte-at-a-time writer on the same body.
func BenchmarkAppendStringBodyBaseline(b *testing.B) {
	buf := make([]byte, 0, 512)
	b.SetBytes(int64(len(seedBody)))
	b.ReportAllocs()
	for b.Loop() {
		if out := appendStringBytes(buf[:0], seedBody); len(out) < len(seedBody) {
			b.Fatal("short output")
		}
	}
}
