package filter

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/pipesim/pipesim/internal/rawjson"
)

// Cases where pipesim follows Event Ruler's source (JsonRuleCompiler, Range) beyond the shared
// conformance corpus.

// TestNumericRangeBottomBelowTop: a range whose lower bound is not below its upper bound is
// invalid, open or closed (Range.between: "Bottom must be less than top").
func TestNumericRangeBottomBelowTop(t *testing.T) {
	for _, rng := range []string{`">", 5, "<", 5`, `">=", 5, "<=", 5`, `">", 5, "<=", 5`, `">=", 5, "<", 5.0`, `">=", 6, "<", 5`, `">", 1e2, "<", 100`} {
		pattern := `{"n": [{"numeric": [` + rng + `]}]}`
		_, err := CompilePattern(pattern)
		if err == nil || !strings.Contains(err.Error(), "Bottom must be less than top (at n)") {
			t.Errorf("CompilePattern(%s) = %v; want Bottom must be less than top", pattern, err)
		}
	}
	runMatchTable(t, []matchCase{
		{`{"n": [{"numeric": [">", 5, "<", 5.000002]}]}`, `{"n": 5.000001}`, true},
		{`{"n": [{"numeric": [">=", 5, "<=", 5.000001]}]}`, `{"n": 5}`, true},
	})
}

// TestOrAlternativeOverridesEnclosingField: an $or alternative naming a path the enclosing
// object names replaces it in that alternative's branch (Event Ruler's rule overriding), and
// whichever comes later in the pattern wins.
func TestOrAlternativeOverridesEnclosingField(t *testing.T) {
	const before = `{"a": ["x"], "$or": [{"a": ["y"]}, {"b": ["1"]}]}` // branches {a: y} | {a: x, b: 1}
	const after = `{"$or": [{"a": ["y"]}, {"b": ["1"]}], "a": ["x"]}`  // branches {a: x} | {a: x, b: 1}
	runMatchTable(t, []matchCase{
		{before, `{"a": "y", "b": "0"}`, true},
		{before, `{"a": "y"}`, true},
		{before, `{"a": "x", "b": "1"}`, true},
		{before, `{"a": "x", "b": "0"}`, false}, // a merge of the two lists would match here
		{before, `{"a": "x"}`, false},
		{after, `{"a": "x"}`, true},
		{after, `{"a": "y"}`, false},
		{after, `{"a": "y", "b": "1"}`, false},
		// nested paths and a nested $or
		{`{"d": {"a": ["x"]}, "$or": [{"d": {"a": ["y"]}}, {"b": ["1"]}]}`, `{"d": {"a": "y"}}`, true},
		{`{"d": {"a": ["x"]}, "$or": [{"d.a": ["y"]}, {"b": ["1"]}]}`, `{"d": {"a": "y"}}`, true},
		{`{"a": ["x"], "$or": [{"$or": [{"a": ["y"]}, {"c": ["1"]}]}, {"b": ["1"]}]}`, `{"a": "y"}`, true},
		{`{"a": ["x"], "$or": [{"$or": [{"a": ["y"]}, {"c": ["1"]}]}, {"b": ["1"]}]}`, `{"a": "z", "c": "1"}`, false},
		// a repeated key: leaves override, objects add their paths, $or groups both apply
		{`{"a": ["1"], "a": ["2"]}`, `{"a": "2"}`, true},
		{`{"a": ["1"], "a": ["2"]}`, `{"a": "1"}`, false},
		{`{"a": {"x": ["1"]}, "a": {"y": ["2"]}}`, `{"a": {"x": "1", "y": "2"}}`, true},
		{`{"a": {"x": ["1"]}, "a": {"y": ["2"]}}`, `{"a": {"x": "9", "y": "2"}}`, false},
		{`{"$or": [{"a": ["1"]}, {"b": ["1"]}], "$or": [{"c": ["1"]}, {"d": ["1"]}]}`, `{"a": "1", "d": "1"}`, true},
		{`{"$or": [{"a": ["1"]}, {"b": ["1"]}], "$or": [{"c": ["1"]}, {"d": ["1"]}]}`, `{"a": "1"}`, false},
		{`{"$or": [{"a": ["1"]}, {"b": ["1"]}], "$or": [{"c": ["1"]}, {"d": ["1"]}]}`, `{"c": "1"}`, false},
	})
	// the same answers through a filter set's shared read
	f, err := CompileFilters([]string{`{"zz": ["never"]}`, before}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !f.Match(rawjson.New([]byte(`{"a": "y", "b": "0"}`))) || f.Match(rawjson.New([]byte(`{"a": "x", "b": "0"}`))) {
		t.Errorf("Filters(%s): shared read disagrees with the pattern", before)
	}
}

// TestRepeatedKeyInMatchExpression: an operator object holds one key; Event Ruler reads one
// and then wants the object's end.
func TestRepeatedKeyInMatchExpression(t *testing.T) {
	_, err := CompilePattern(`{"a": [{"prefix": "x", "prefix": "y"}]}`)
	if err == nil || !strings.Contains(err.Error(), "Only one key allowed in match expression") {
		t.Errorf("CompilePattern(repeated prefix) = %v; want Only one key allowed in match expression", err)
	}
}

// FuzzSubRules holds compile's claim that a pattern without overriding means the same as its
// Event Ruler sub-rules: the pattern built from the sub-rules always answers as the compiled one.
func FuzzSubRules(f *testing.F) {
	for _, p := range append(fuzzPatterns,
		`{"a": ["x"], "$or": [{"a": ["y"]}, {"b": ["1"]}]}`,
		`{"c": {"$or": [{"a": [{"exists": false}]}, {"$or": [{"b": ["1"]}, {"d": [{"prefix": "q"}]}]}]}, "e": [1]}`,
		`{"$or": [{"a": ["1"]}, {"b": ["1"]}], "$or": [{"c": ["1"]}, {"a": ["2"]}]}`) {
		for _, e := range append(fuzzEvents, `{"a": "y", "b": "0", "c": {"b": "1"}, "e": 1}`) {
			f.Add(p, []byte(e))
		}
	}
	f.Fuzz(func(t *testing.T, pattern string, event []byte) {
		p, err := CompilePattern(pattern)
		if err != nil || !json.Valid(event) { // on broken JSON each stops reading at another point
			return
		}
		pv, _ := parsePattern(pattern)
		sr := &subRules{}
		sr.object(pv, "")
		root, err := fromSubRules(sr.rules)
		if err != nil {
			t.Fatalf("fromSubRules(%s) = %v; the pattern compiled", pattern, err)
		}
		root.finish()
		if got, want := (&Pattern{root: root}).Match(rawjson.New(event)), p.Match(rawjson.New(event)); got != want {
			t.Fatalf("sub-rules of %s match %s: %v; compiled pattern: %v", pattern, event, got, want)
		}
	})
}
