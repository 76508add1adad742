package filter

import (
	"encoding/json"
	"testing"

	"github.com/pipesim/pipesim/internal/rawjson"
)

var fuzzPatterns = []string{
	`{"eventName": ["INSERT", "MODIFY"]}`,
	`{"a": [{"prefix": "x"}, {"suffix": {"equals-ignore-case": "Y"}}]}`,
	`{"a": [{"anything-but": {"wildcard": ["*/a/*", "b*"]}}]}`,
	`{"a": [{"numeric": [">", -1.5, "<=", 3e2]}], "b": [{"cidr": "10.0.0.0/8"}]}`,
	`{"d": {"$or": [{"a": [{"exists": false}]}, {"b.c": [null, true, 1]}]}}`,
	`{"a": [{"wildcard": "a\\*b*"}], "a": ["dup"]}`,
	`{"a": [1`,
	`[]`,
}

var fuzzEvents = []string{
	`{"eventName": "MODIFY", "dynamodb": {"NewImage": {"a": {"S": "x"}}}}`,
	`{"a": ["x", 1, null, true, {"b": 2}, []], "b": "10.1.2.3"}`,
	`{"a": "x\u00e9\"", "a.b": {"c": 1e400}, "d": [{"a": 1}, {"b": {"c": true}}]}`,
	`{"a": "x"`,
	`[1,2]`,
}

// FuzzCompilePattern checks that the pattern parser never panics and gives
// the same answer twice.
func FuzzCompilePattern(f *testing.F) {
	for _, p := range fuzzPatterns {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, pattern string) {
		p1, err1 := CompilePattern(pattern)
		p2, err2 := CompilePattern(pattern)
		if (err1 == nil) != (err2 == nil) || err1 != nil && err1.Error() != err2.Error() {
			t.Fatalf("CompilePattern(%q) = %v, then %v; want the same", pattern, err1, err2)
		}
		if err1 == nil && (p1 == nil || p2 == nil) {
			t.Fatalf("CompilePattern(%q) = nil pattern without error", pattern)
		}
	})
}

// FuzzMatch checks that matching never panics and is deterministic, for
// arbitrary patterns and events.
func FuzzMatch(f *testing.F) {
	for _, p := range fuzzPatterns {
		for _, e := range fuzzEvents {
			f.Add(p, []byte(e))
		}
	}
	f.Fuzz(func(t *testing.T, pattern string, event []byte) {
		p, err := CompilePattern(pattern)
		if err != nil {
			return
		}
		first := p.Match(rawjson.New(event))
		if again := p.Match(rawjson.New(event)); again != first {
			t.Fatalf("Match(%q) with %s = %v, then %v; want the same", event, pattern, first, again)
		}
		// Filters (one read shared by all filters, or walks sharing a memo)
		// must agree with the single pattern on valid JSON. On broken JSON
		// they may differ: each stops reading at a different point.
		if !json.Valid(event) {
			return
		}
		patterns := append(append([]string(nil), memoWarmers...), pattern)
		f, err := CompileFilters(patterns, Options{AllowUnsupported: true, MatchPollerFields: true})
		if err != nil {
			return // e.g. longer than Pipes allows
		}
		if shared := f.Match(rawjson.New(event)); shared != first {
			t.Fatalf("Filters.Match(%q) with %s = %v; Pattern.Match = %v", event, pattern, shared, first)
		}
		if walked := f.matchWalks(event); walked != first {
			t.Fatalf("Filters.matchWalks(%q) with %s = %v; Pattern.Match = %v", event, pattern, walked, first)
		}
	})
}
