package rawjson

import (
	"bytes"
	"encoding/json"
	"testing"
	"unicode/utf8"
)

func TestAppendString(t *testing.T) {
	for _, tc := range []struct {
		in                    string
		output, record, templ string
	}{
		{"", `""`, `""`, `""`},
		{"plain text", `"plain text"`, `"plain text"`, `"plain text"`},
		{"<a href='x'>&amp;</a>", `"<a href='x'>&amp;</a>"`, `"<a href='x'>&amp;</a>"`, `"<a href='x'>&amp;</a>"`}, // no HTML escaping: \u003c would hide a value from a search
		{`say "hi"`, `"say \"hi\""`, `"say \"hi\""`, `"say \"hi\""`},
		{`C:\dir\`, `"C:\\dir\\"`, `"C:\\dir\\"`, `"C:\\dir\\"`},
		{"a\nb\rc\td", `"a\nb\rc\td"`, `"a\nb\rc\td"`, `"a\nb\rc\td"`},
		{"\b\f", `"\u0008\u000c"`, `"\b\f"`, `"\b\f"`},
		{"\x00\x01\x1f\x7f", `"\u0000\u0001\u001f` + "\x7f" + `"`, `"\u0000\u0001\u001f` + "\x7f" + `"`, `"\u0000\u0001\u001F` + "\x7f" + `"`},
		{"café ünïcode 🌧", `"café ünïcode 🌧"`, `"café ünïcode 🌧"`, `"café ünïcode 🌧"`},
		{"\u2028\u2029", "\"\u2028\u2029\"", "\"\u2028\u2029\"", "\"\u2028\u2029\""},
		{"bad \xff byte", `"bad \ufffd byte"`, `"bad \ufffd byte"`, "\"bad \xff byte\""},
		{"0123456789abcdef<>&\"0123456", `"0123456789abcdef<>&\"0123456"`, `"0123456789abcdef<>&\"0123456"`, `"0123456789abcdef<>&\"0123456"`}, // past the word-at-a-time loop
	} {
		for _, m := range []struct {
			mode Mode
			want string
		}{{Output, tc.output}, {Record, tc.record}, {Template, tc.templ}} {
			if got := string(AppendString([]byte("x"), tc.in, m.mode)); got != "x"+m.want {
				t.Errorf("AppendString(%q, %v) = %s; want %s", tc.in, m.mode, got[1:], m.want)
			}
			if got := string(AppendBytes([]byte("x"), []byte(tc.in), m.mode)); got != "x"+m.want {
				t.Errorf("AppendBytes(%q, %v) = %s; want %s", tc.in, m.mode, got[1:], m.want)
			}
		}
	}
}

// FuzzString holds the word-at-a-time writer to the byte-at-a-time rules of each mode, its output
// to what encoding/json reads back as the string encoding/json writes, the scanner and the
// unescaper to encoding/json on what the writer wrote, and AppendToken to the same string.
func FuzzString(f *testing.F) {
	for _, s := range []string{"", "plain", "{\n  \"Location\": \"New York 1\"}", "caf\xc3\xa9 \xff\xfe\x00\x1f\u2028", "0123456\"89abcdef\\", "<>&<>&<>&<>&", "\b\f\x7f", "\xed\xa0\x80"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var want string
		std, _ := json.Marshal(s)
		_ = json.Unmarshal(std, &want)
		for _, m := range []Mode{Output, Record, Template} {
			got := AppendString(nil, s, m)
			if ref := appendStringBytes(nil, s, m); string(got) != string(ref) {
				t.Fatalf("AppendString(%q, %v) = %s; want %s", s, m, got, ref)
			}
			var back string
			if err := json.Unmarshal(got, &back); err != nil {
				t.Fatalf("AppendString(%q, %v) = %s: not a JSON string: %v", s, m, got, err)
			}
			if back != want {
				t.Fatalf("AppendString(%q, %v) reads back as %q; encoding/json's string as %q", s, m, back, want)
			}
			if end, _, ok := ScanString(got, 0); !ok || end != len(got) {
				t.Fatalf("ScanString(%s) = %d, %v; want %d, true", got, end, ok, len(got))
			}
			if dec, ok := AppendUnescaped(nil, StringContent(got)); !ok || utf8.Valid(dec) && string(dec) != want {
				t.Fatalf("AppendUnescaped(%s) = %q, %v; want %q", got, dec, ok, want)
			}
			var again string
			if err := json.Unmarshal(AppendToken(nil, std, true, m), &again); err != nil || again != want {
				t.Fatalf("AppendToken(%s, %v) reads back as %q, %v; want %q", std, m, again, err, want)
			}
		}
	})
}

// FuzzUnescape holds AppendUnescaped to encoding/json on the content of any valid string token.
func FuzzUnescape(f *testing.F) {
	for _, s := range []string{`"a\nb"`, `"\ud83d\ude00"`, `"\ud800x"`, `"\u00e9\/\\"`, `"\x"`, `"\u12"`, `"tail\"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, tok []byte) {
		AppendUnescaped(nil, StringContent(tok)) // any input: no panic
		var want string
		if json.Unmarshal(tok, &want) != nil {
			return
		}
		tok = bytes.TrimSpace(tok) // encoding/json takes whitespace around the token
		got, ok := AppendUnescaped(nil, StringContent(tok))
		if !ok || utf8.Valid(got) && string(got) != want {
			t.Fatalf("AppendUnescaped(%s) = %q, %v; encoding/json reads %q", tok, got, ok, want)
		}
	})
}

// appendStringBytes is AppendString a byte at a time.
func appendStringBytes(b []byte, s string, m Mode) []byte {
	r := &modeRules[m]
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			ru, size := utf8.DecodeRuneInString(s[i:])
			switch {
			case ru != utf8.RuneError || size != 1:
				b = append(b, s[i:i+size]...)
			case r.rawBadUTF:
				b = append(b, c)
			default:
				b = append(b, `\ufffd`...)
			}
			i += size
			continue
		}
		switch {
		case r.short[c] != 0:
			b = append(b, '\\', r.short[c])
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', r.hex[c>>4], r.hex[c&0xf])
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
	want := len(appendStringBytes(nil, seedBody, Output))
	b.SetBytes(int64(len(seedBody)))
	b.ReportAllocs()
	for b.Loop() {
		if out := AppendString(buf[:0], seedBody, Output); len(out) != want {
			b.Fatalf("AppendString wrote %d bytes; want %d", len(out), want)
		}
	}
}

// BenchmarkAppendBodyBaseline is the byte-at-a-time writer on the same body.
func BenchmarkAppendBodyBaseline(b *testing.B) {
	buf := make([]byte, 0, 512)
	b.SetBytes(int64(len(seedBody)))
	b.ReportAllocs()
	for b.Loop() {
		if out := appendStringBytes(buf[:0], seedBody, Output); len(out) < len(seedBody) {
			b.Fatal("short output")
		}
	}
}
