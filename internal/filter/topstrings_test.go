package filter

import (
	"fmt"
	"slices"
	"testing"

	"github.com/pipesim/pipesim/internal/rawjson"
)

func TestTopStrings(t *testing.T) {
	cases := []struct {
		patterns []string
		field    string
		values   []string
		ok       bool
	}{
		{[]string{`{"eventName": ["INSERT", "MODIFY"]}`}, "eventName", []string{"INSERT", "MODIFY"}, true},
		{[]string{`{"eventName": ["INSERT"]}`, `{"eventName": ["REMOVE", "INSERT"]}`}, "eventName", []string{"INSERT", "REMOVE"}, true},
		{[]string{`{"eventName": ["INSERT"]}`, `{"eventID": ["1"]}`}, "", nil, false},
		{[]string{`{"eventName": [{"prefix": "IN"}]}`}, "", nil, false},
		{[]string{`{"eventName": ["INSERT", 1]}`}, "", nil, false},
		{[]string{`{"eventName": ["INSERT", null]}`}, "", nil, false},
		{[]string{`{"eventName": [{"exists": true}]}`}, "", nil, false},
		{[]string{`{"eventName": ["INSERT"], "eventID": ["1"]}`}, "", nil, false},
		{[]string{`{"dynamodb": {"Keys": ["x"]}}`}, "", nil, false},
		{[]string{`{"$or": [{"eventName": ["INSERT"]}, {"eventName": ["MODIFY"]}]}`}, "", nil, false},
		{[]string{`{"awsRegion": ["us-east-1"]}`}, "", nil, false}, // never present at filter time
	}
	for _, c := range cases {
		f, err := CompileFilters(c.patterns, Options{})
		if err != nil {
			t.Fatalf("CompileFilters(%q): %v", c.patterns, err)
		}
		field, values, ok := f.TopStrings()
		if field != c.field || !slices.Equal(values, c.values) || ok != c.ok {
			t.Errorf("TopStrings(%q) = %q, %q, %t; want %q, %q, %t", c.patterns, field, values, ok, c.field, c.values, c.ok)
		}
	}
}

// TestTopStringsAgreesWithMatch holds TopStrings' promise to Match: for each pattern set it
// accepts and each string value of the field, Match says what membership in values says.
func TestTopStringsAgreesWithMatch(t *testing.T) {
	sets := [][]string{
		{`{"eventName": ["INSERT", "MODIFY"]}`},
		{`{"eventName": ["REMOVE"]}`},
		{`{"eventName": ["INSERT"]}`, `{"eventName": ["MODIFY"]}`},
		{`{"eventName": ["a", "b", "c", "d", "e", "f", "g", "h", "i"]}`}, // a set, not a list
		{`{"eventName": ["caf\u00e9", "x\"y"]}`},
	}
	names := []string{"INSERT", "MODIFY", "REMOVE", "", "insert", "a", "i", "j", "café", `x"y`}
	for _, set := range sets {
		f, err := CompileFilters(set, Options{})
		if err != nil {
			t.Fatal(err)
		}
		field, values, ok := f.TopStrings()
		if !ok || field != "eventName" {
			t.Fatalf("TopStrings(%q) = %q, %t; want eventName, true", set, field, ok)
		}
		for _, name := range names {
			record := fmt.Sprintf(`{"eventID":"1","eventName":%q,"dynamodb":{"Keys":{"k":{"S":"v"}}}}`, name)
			if got, want := f.Match(rawjson.New([]byte(record))), slices.Contains(values, name); got != want {
				t.Errorf("filters %q: Match(%s) = %t; membership in %q says %t", set, record, got, values, want)
			}
		}
	}
}
