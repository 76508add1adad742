package momento

import (
	"bytes"
	"encoding/base64"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestDecodeKeyBase64(t *testing.T) {
	binary := []byte{0xfb, 0xff, 0xfe} // "+//+" in std, "-__-" in url
	tests := []struct {
		in      string
		want    []byte
		wantErr string
	}{
		{"ZXhhbXBsZV9rZXk", []byte("example_key"), ""}, // Momento's documented example
		{"ZXhhbXBsZV9rZXk=", []byte("example_key"), ""},
		{"YQ", []byte("a"), ""},
		{"YQ==", []byte("a"), ""},
		{"YWI", []byte("ab"), ""},
		{"YWI=", []byte("ab"), ""},
		{"YWJj", []byte("abc"), ""},
		{"-__-", binary, ""},
		{"+//+", binary, ""},
		{" //+", binary, ""}, // an unencoded '+' reaches the server as a space
		{"YQ=", nil, "bad padding"},
		{"YQ===", nil, "bad padding"},
		{"YWJj====", nil, "bad padding"},
		{"Y", nil, "not base64"},
		{"YQ=a", nil, "not base64"},
		{"Y*Q", nil, "not base64 at byte 1"},
		{"-_+/", nil, "mixes the standard"},
		{"==", nil, "bad padding"},
		{"====", nil, "bad padding"},
	}
	for _, tt := range tests {
		got, err := decodeKeyBase64(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("decodeKeyBase64(%q) = %v, %v; want error containing %q", tt.in, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !bytes.Equal(got, tt.want) {
			t.Errorf("decodeKeyBase64(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestParseTTL(t *testing.T) {
	tests := []struct {
		query   string
		max     time.Duration
		want    time.Duration
		wantErr string
	}{
		{"ttl_seconds=120", MaxTTL, 120 * time.Second, ""},
		{"ttl_seconds=0", MaxTTL, 0, ""},
		{"ttl_seconds=86400", MaxTTL, MaxTTL, ""},
		{"ttl_seconds=86401", MaxTTL, MaxTTL, ""},
		{"ttl_seconds=99999999999999999999", MaxTTL, MaxTTL, ""},
		{"ttl_seconds=99999999999999999999", -1, time.Duration(maxDurationSeconds) * time.Second, ""},
		{"ttl_seconds=86401", -1, 86401 * time.Second, ""},
		{"", MaxTTL, 0, "missing ttl_seconds"},
		{"ttl_seconds=", MaxTTL, 0, "ttl_seconds is empty"},
		{"ttl_seconds=1&ttl_seconds=2", MaxTTL, 0, "given 2 times"},
		{"ttl_seconds=+5", MaxTTL, 0, "not a non-negative integer"},
		{"ttl_seconds=5s", MaxTTL, 0, "not a non-negative integer"},
		{"ttl_seconds=%205", MaxTTL, 0, "not a non-negative integer"},
	}
	for _, tt := range tests {
		q, err := url.ParseQuery(tt.query)
		if err != nil {
			t.Fatalf("ParseQuery(%q): %v", tt.query, err)
		}
		got, err := parseTTL(q, tt.max)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("parseTTL(%q) = %s, %v; want error containing %q", tt.query, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("parseTTL(%q, %s) = %s, %v; want %s", tt.query, tt.max, got, err, tt.want)
		}
	}
}

func TestParseKey(t *testing.T) {
	tests := []struct {
		query   string
		want    []byte
		wantErr string
	}{
		{"key=San+Diego", []byte("San Diego"), ""},
		{"key=San%20Diego", []byte("San Diego"), ""},
		{"key=%C3%A9t%C3%A9", []byte("été"), ""},
		{"key=a%2Fb", []byte("a/b"), ""},
		{"key_base64=U2FuIERpZWdv", []byte("San Diego"), ""},
		{"", nil, "missing key"},
		{"key=a&key_base64=YQ", nil, "not both"},
		{"key_base64=", nil, "key_base64 is empty"},
		{"key_base64=YQ&key_base64=YQ", nil, "given 2 times"},
	}
	for _, tt := range tests {
		q, err := url.ParseQuery(tt.query)
		if err != nil {
			t.Fatalf("ParseQuery(%q): %v", tt.query, err)
		}
		got, err := parseKey(q)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("parseKey(%q) = %q, %v; want error containing %q", tt.query, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !cmp.Equal(got, tt.want) {
			t.Errorf("parseKey(%q) = %q, %v; want %q", tt.query, got, err, tt.want)
		}
	}
}

// FuzzDecodeKeyBase64 checks that whatever decodes, decodes to what the strict decoders say,
// and that every encoding of a key decodes back to it.
func FuzzDecodeKeyBase64(f *testing.F) {
	for _, seed := range []string{"ZXhhbXBsZV9rZXk", "ZXhhbXBsZV9rZXk=", "+//+", "-__-", "YQ=", "", "=", " "} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := decodeKeyBase64(s)
		if err == nil && len(got) == 0 {
			t.Fatalf("decodeKeyBase64(%q) = empty key, no error; want an error", s)
		}
		if err != nil {
			return
		}
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
			back, err := decodeKeyBase64(enc.EncodeToString(got))
			if err != nil || !bytes.Equal(back, got) {
				t.Fatalf("decodeKeyBase64(encode(%x)) = %x, %v; want %x", got, back, err, got)
			}
		}
	})
}

// FuzzParseTTL checks that parseTTL never panics and never exceeds the clamp.
func FuzzParseTTL(f *testing.F) {
	for _, seed := range []string{"120", "0", "-1", "86401", "99999999999999999999", "", "1.5", "0x10"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := parseTTL(url.Values{"ttl_seconds": {s}}, MaxTTL)
		if err == nil && (got < 0 || got > MaxTTL) {
			t.Fatalf("parseTTL(%q) = %s; want within [0, %s]", s, got, MaxTTL)
		}
	})
}

func BenchmarkDecodeKeyBase64(b *testing.B) {
	in := base64.RawURLEncoding.EncodeToString([]byte("weather-stats-demo/San Diego"))
	want := "weather-stats-demo/San Diego"
	b.ReportAllocs()
	for b.Loop() {
		got, err := decodeKeyBase64(in)
		if err != nil || string(got) != want {
			b.Fatalf("decodeKeyBase64(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

// BenchmarkDecodeKeyBase64Baseline is the standard library's decoder alone, for scale.
func BenchmarkDecodeKeyBase64Baseline(b *testing.B) {
	in := base64.RawURLEncoding.EncodeToString([]byte("weather-stats-demo/San Diego"))
	want := "weather-stats-demo/San Diego"
	b.ReportAllocs()
	for b.Loop() {
		got, err := base64.RawURLEncoding.DecodeString(in)
		if err != nil || string(got) != want {
			b.Fatalf("DecodeString(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}
