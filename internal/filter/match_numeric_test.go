package filter

import (
	"strconv"
	"testing"
)

// TestComparableInt checks the integer fast path against the general
// conversion.
func TestComparableInt(t *testing.T) {
	texts := []string{"0", "-0", "1", "-1", "42", "1764100800", "4999999999", "5000000000",
		"5000000001", "-5000000000", "-5000000001", "9999999999", "-9999999999",
		"10000000000", "01", "-", "", "1.5", "1e3", "12a"}
	for n := int64(1); n < 1e10; n = n*7 + 3 {
		texts = append(texts, strconv.FormatInt(n, 10), strconv.FormatInt(-n, 10))
	}
	for _, s := range texts {
		v, ok, done := comparableInt([]byte(s))
		if !done {
			continue
		}
		if wv, wok := comparableDecimal([]byte(s)); v != wv || ok != wok {
			t.Errorf("comparableInt(%q) = %d, %v; want %d, %v", s, v, ok, wv, wok)
		}
	}
}

// FuzzComparableInt checks the integer fast path against the general
// conversion on any text.
func FuzzComparableInt(f *testing.F) {
	for _, s := range []string{"0", "-0", "1764100800", "5000000001", "01", "1e3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, ok, done := comparableInt([]byte(s))
		if !done {
			return
		}
		if wv, wok := comparableDecimal([]byte(s)); v != wv || ok != wok {
			t.Fatalf("comparableInt(%q) = %d, %v; want %d, %v", s, v, ok, wv, wok)
		}
	})
}
