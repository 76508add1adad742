package filter

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pipesim/pipesim/internal/rawjson"
)

// matchCase is one pattern/event pair of the per-operator tables.
type matchCase struct {
	pattern, event string
	want           bool
}

func runMatchTable(t *testing.T, cases []matchCase) {
	t.Helper()
	for _, c := range cases {
		p, err := CompilePattern(c.pattern)
		if err != nil {
			t.Errorf("CompilePattern(%q) = %v; want a pattern", c.pattern, err)
			continue
		}
		if got := p.Match(rawjson.New([]byte(c.event))); got != c.want {
			t.Errorf("Match(%q) with %s = %v; want %v", c.event, c.pattern, got, c.want)
		}
	}
}

func TestMatchExactValues(t *testing.T) {
	runMatchTable(t, []matchCase{
		{`{"a": ["x"]}`, `{"a": "x"}`, true},
		{`{"a": ["x"]}`, `{"a": "X"}`, false},
		{`{"a": [""]}`, `{"a": ""}`, true},
		{`{"a": [""]}`, `{"a": null}`, false},
		{`{"a": [null]}`, `{"a": null}`, true},
		{`{"a": [null]}`, `{"a": ""}`, false},
		{`{"a": [null]}`, `{}`, false},
		{`{"a": [true]}`, `{"a": true}`, true},
		{`{"a": [true]}`, `{"a": "true"}`, false},
		{`{"a": [300]}`, `{"a": 300.0}`, true},
		{`{"a": [300]}`, `{"a": 3.0e2}`, true},
		{`{"a": [300]}`, `{"a": "300"}`, false},
		{`{"a": [12345678901234]}`, `{"a": 12345678901234}`, true},
		{`{"a": ["x\"y"]}`, `{"a": "x\u0022y"}`, true},
		{`{"a": ["10.0.0.1"]}`, `{"a": "10.0.0.1"}`, true},
		{`{"a": ["2001:db8::1"]}`, `{"a": "2001:0db8:0:0:0:0:0:1"}`, true},
	})
}

func TestMatchArraysAndNesting(t *testing.T) {
	runMatchTable(t, []matchCase{
		{`{"a": ["x"]}`, `{"a": ["y", "x"]}`, true},
		{`{"a": ["x"]}`, `{"a": [["x"]]}`, true},
		{`{"a": ["x"]}`, `{"a": []}`, false},
		{`{"a": {"b": ["x"]}}`, `{"a": {"b": "x", "c": 1}}`, true},
		{`{"a": {"b": ["x"]}}`, `{"a": [{"b": "y"}, {"b": "x"}]}`, true},
		{`{"a": {"b": ["x"], "c": ["y"]}}`, `{"a": [{"b": "x"}, {"c": "y"}]}`, false},
		{`{"a": {"b": ["x"], "c": ["y"]}}`, `{"a": [{"b": "x", "c": "y"}]}`, true},
		{`{"a.b": ["x"]}`, `{"a": {"b": "x"}}`, true},
		{`{"a": {"b": ["x"]}}`, `{"a.b": "x"}`, true},
		{`{"a": {"b": ["x"]}}`, `{"a": "x"}`, false},
		{`{"a": ["x"], "b": ["y"]}`, `{"a": "x"}`, false},
		{`{"a": ["x"]}`, `not json`, false},
		{`{"a": ["x"]}`, `{"a": "x`, false},
		// Match stops reading once decided, so a document truncated after
		// the deciding field still matches (documented in Match).
		{`{"a": ["x"]}`, `{"a": "x"`, true},
	})
}

func TestMatchPrefixSuffixCase(t *testing.T) {
	runMatchTable(t, []matchCase{
		{`{"a": [{"prefix": "us-"}]}`, `{"a": "us-west-2"}`, true},
		{`{"a": [{"prefix": "us-"}]}`, `{"a": "US-west-2"}`, false},
		{`{"a": [{"prefix": ""}]}`, `{"a": ""}`, true},
		{`{"a": [{"prefix": "1"}]}`, `{"a": 12}`, false},
		{`{"a": [{"prefix": {"equals-ignore-case": "US-"}}]}`, `{"a": "us-west-2"}`, true},
		{`{"a": [{"suffix": ".png"}]}`, `{"a": "cat.png"}`, true},
		{`{"a": [{"suffix": ".png"}]}`, `{"a": "cat.PNG"}`, false},
		{`{"a": [{"suffix": {"equals-ignore-case": ".PNG"}}]}`, `{"a": "cat.png"}`, true},
		{`{"a": [{"equals-ignore-case": "alice"}]}`, `{"a": "ALICE"}`, true},
		{`{"a": [{"equals-ignore-case": "straße"}]}`, `{"a": "STRAßE"}`, true},
		{`{"a": [{"equals-ignore-case": "alice"}]}`, `{"a": "alicia"}`, false},
	})
}

func TestMatchAnythingBut(t *testing.T) {
	runMatchTable(t, []matchCase{
		{`{"a": [{"anything-but": "x"}]}`, `{"a": "y"}`, true},
		{`{"a": [{"anything-but": "x"}]}`, `{"a": "x"}`, false},
		{`{"a": [{"anything-but": "x"}]}`, `{"a": null}`, true},
		{`{"a": [{"anything-but": "x"}]}`, `{}`, false},
		{`{"a": [{"anything-but": ["x", "y"]}]}`, `{"a": "y"}`, false},
		{`{"a": [{"anything-but": [100, 200]}]}`, `{"a": 200.0}`, false},
		{`{"a": [{"anything-but": [100, 200]}]}`, `{"a": 300}`, true},
		{`{"a": [{"anything-but": {"prefix": "us-"}}]}`, `{"a": "eu-west-1"}`, true},
		{`{"a": [{"anything-but": {"prefix": "us-"}}]}`, `{"a": "us-east-1"}`, false},
		{`{"a": [{"anything-but": {"suffix": ".png"}}]}`, `{"a": "a.png"}`, false},
		{`{"a": [{"anything-but": {"equals-ignore-case": ["X", "Y"]}}]}`, `{"a": "x"}`, false},
		{`{"a": [{"anything-but": {"wildcard": "*/lib/*"}}]}`, `{"a": "/usr/lib/x"}`, false},
		{`{"a": [{"anything-but": {"wildcard": "*/lib/*"}}]}`, `{"a": "/usr/bin/x"}`, true},
	})
}

func TestMatchNumeric(t *testing.T) {
	runMatchTable(t, []matchCase{
		{`{"a": [{"numeric": [">", 0, "<=", 5]}]}`, `{"a": 5}`, true},
		{`{"a": [{"numeric": [">", 0, "<=", 5]}]}`, `{"a": 0}`, false},
		{`{"a": [{"numeric": [">=", 0, "<", 5]}]}`, `{"a": 0}`, true},
		{`{"a": [{"numeric": ["<", 5]}]}`, `{"a": 5}`, false},
		{`{"a": [{"numeric": ["=", 301.8]}]}`, `{"a": 3.018e2}`, true},
		{`{"a": [{"numeric": ["=", 0.000001]}]}`, `{"a": 1e-6}`, true},
		{`{"a": [{"numeric": [">", 0]}]}`, `{"a": "5"}`, false},
		{`{"a": [{"numeric": [">", 0]}]}`, `{"a": 5000000001}`, false},
		{`{"a": [{"numeric": [">", 0]}]}`, `{"a": 0.0000001}`, false},
		{`{"a": [{"numeric": ["<=", -5e9]}]}`, `{"a": -5000000000}`, true},
	})
}

func TestMatchExists(t *testing.T) {
	runMatchTable(t, []matchCase{
		{`{"a": [{"exists": true}]}`, `{"a": "x"}`, true},
		{`{"a": [{"exists": true}]}`, `{"a": null}`, true},
		{`{"a": [{"exists": true}]}`, `{"a": {"b": 1}}`, false},
		{`{"a": [{"exists": true}]}`, `{}`, false},
		{`{"a": [{"exists": false}]}`, `{}`, true},
		{`{"a": [{"exists": false}]}`, `{"a": {"b": 1}}`, true},
		{`{"a": [{"exists": false}]}`, `{"a": []}`, true},
		{`{"a": [{"exists": false}]}`, `{"a": 0}`, false},
		{`{"a": {"b": [{"exists": false}]}}`, `{"c": 1}`, true},
	})
}

func TestMatchCIDRAndWildcard(t *testing.T) {
	runMatchTable(t, []matchCase{
		{`{"ip": [{"cidr": "10.0.0.0/24"}]}`, `{"ip": "10.0.0.255"}`, true},
		{`{"ip": [{"cidr": "10.0.0.0/24"}]}`, `{"ip": "10.0.1.0"}`, false},
		{`{"ip": [{"cidr": "10.0.0.7/24"}]}`, `{"ip": "10.0.0.1"}`, true},
		{`{"ip": [{"cidr": "2001:db8::/32"}]}`, `{"ip": "2001:db8:ffff::1"}`, true},
		{`{"ip": [{"cidr": "2001:db8::/32"}]}`, `{"ip": "10.0.0.1"}`, false},
		{`{"ip": [{"cidr": "10.0.0.0/8"}]}`, `{"ip": "not an ip"}`, false},
		{`{"f": [{"wildcard": "*.png"}]}`, `{"f": "dir/cat.png"}`, true},
		{`{"f": [{"wildcard": "a*b*c"}]}`, `{"f": "abbbc"}`, true},
		{`{"f": [{"wildcard": "a*b*c"}]}`, `{"f": "acb"}`, false},
		{`{"f": [{"wildcard": "a\\*b"}]}`, `{"f": "a*b"}`, true},
		{`{"f": [{"wildcard": "a\\*b"}]}`, `{"f": "axb"}`, false},
		{`{"f": [{"wildcard": "a\\\\b"}]}`, `{"f": "a\\b"}`, true},
	})
}

func TestMatchOr(t *testing.T) {
	runMatchTable(t, []matchCase{
		{`{"$or": [{"a": ["x"]}, {"b": ["y"]}]}`, `{"b": "y"}`, true},
		{`{"$or": [{"a": ["x"]}, {"b": ["y"]}]}`, `{"a": "y", "b": "x"}`, false},
		{`{"c": ["z"], "$or": [{"a": ["x"]}, {"b": ["y"]}]}`, `{"a": "x", "c": "q"}`, false},
		{`{"d": {"$or": [{"a": ["x"]}, {"$or": [{"b": ["y"]}, {"c": ["z"]}]}]}}`, `{"d": {"c": "z"}}`, true},
		{`{"$or": [{"a": [{"exists": false}]}, {"b": ["y"]}]}`, `{}`, true},
	})
}

func TestCompilePatternErrors(t *testing.T) {
	tests := []struct{ pattern, want string }{
		{`{"a": "x"}`, `"a" must be an object or an array (at a)`},
		{`{"a": []}`, `Empty arrays are not allowed (at a)`},
		{`{}`, `Empty objects are not allowed`},
		{`[1]`, `Filter is not an object`},
		{`{"a": [{"numeric": [">", 0, ">", 0]}]}`, `Bad numeric range operator: > (at a)`},
		{`{"a": [{"numeric": ["<", 1e10]}]}`, `Value must be between -5.0E9 and 5.0E9, inclusive: 1e10 (at a)`},
		{`{"a": [{"numeric": ["<", 0.0000001]}]}`, `Only values upto 6 decimals are supported: 0.0000001 (at a)`},
		{`{"a": [{"cidr": "10.0.0.0/32"}]}`, `IPv4 mask bits must be < 32 (at a)`},
		{`{"a": [{"wildcard": "a**"}]}`, `Consecutive wildcard characters at pos 2 (at a)`},
		{`{"a": [{"wildcard": "a\\b"}]}`, `Invalid escape character at pos 2 (at a)`},
		{`{"a": [{"regex": "x"}]}`, `Unrecognized match type regex (at a)`},
		{`{"b": {"a": [{"prefix": 1}]}}`, `prefix match pattern must be a string (at b.a)`},
		{`{"a": [1`, `Unexpected end-of-input: expected close marker for Array at [line: 1, column: 9]`},
		{`{"a": [01]}`, `Invalid numeric value: Leading zeroes not allowed at [line: 1, column: 8]`},
		{`{"a": [1.]}`, `Invalid numeric value: "1." at [line: 1, column: 8]`},
		{`{"a": ["\x"]}`, `Unrecognized character escape in string at [line: 1, column: 12]`},
	}
	for _, tt := range tests {
		_, err := CompilePattern(tt.pattern)
		var pe *PatternError
		if !errors.As(err, &pe) {
			t.Errorf("CompilePattern(%q) = %v; want a *PatternError", tt.pattern, err)
			continue
		}
		if pe.Filter != -1 || pe.Reason != tt.want {
			t.Errorf("CompilePattern(%q) = %d %q; want -1 %q", tt.pattern, pe.Filter, pe.Reason, tt.want)
		}
		if !strings.HasPrefix(err.Error(), "Event pattern is not valid. Reason: ") {
			t.Errorf("CompilePattern(%q).Error() = %q; want AWS's prefix", tt.pattern, err)
		}
	}
}

func TestOrCombinationLimit(t *testing.T) {
	alt := `{"$or": [{"a": ["1"]}, {"b": ["2"]}, {"c": ["3"]}, {"d": ["4"]}, {"e": ["5"]}, {"f": ["6"]}, {"g": ["7"]}, {"h": ["8"]}, {"i": ["9"]}, {"j": ["10"]}, {"k": ["11"]}]}`
	pattern := `{"x": ` + alt + `, "y": ` + alt + `, "z": ` + alt + `}`
	if _, err := CompilePattern(pattern); err == nil || !strings.Contains(err.Error(), "more than 1000 combinations") {
		t.Errorf("CompilePattern(11^3 combinations) = %v; want the $or limit error naming 1331", err)
	}
	pattern = `{"x": ` + alt + `, "y": ` + alt + `}`
	if _, err := CompilePattern(pattern); err != nil {
		t.Errorf("CompilePattern(11^2 combinations) = %v; want nil", err)
	}
}

func TestCompileFiltersPipes(t *testing.T) {
	tests := []struct {
		name     string
		patterns []string
		opts     Options
		wantErr  error
		warnings int
	}{
		{"seed", []string{`{"eventName": ["INSERT", "MODIFY"]}`}, Options{}, nil, 0},
		{"six filters", make([]string, 6), Options{}, ErrTooManyFilters, 0},
		{"too long", []string{`{"eventName": ["` + strings.Repeat("x", 4096) + `"]}`}, Options{}, ErrPatternTooLong, 0},
		{"anything-but prefix", []string{`{"eventName": [{"anything-but": {"prefix": "I"}}]}`}, Options{}, ErrUnsupportedInPipes, 0},
		{"anything-but prefix allowed", []string{`{"eventName": [{"anything-but": {"prefix": "I"}}]}`}, Options{AllowUnsupported: true}, nil, 1},
		{"wildcard", []string{`{"eventName": [{"wildcard": "I*"}]}`}, Options{}, ErrUnsupportedInPipes, 0},
		{"poller field", []string{`{"eventSource": ["aws:dynamodb"]}`}, Options{}, nil, 1},
		{"poller field matchable", []string{`{"eventSource": ["aws:dynamodb"]}`}, Options{MatchPollerFields: true}, nil, 0},
		{"bus field", []string{`{"source": ["aws.dynamodb"]}`}, Options{}, nil, 1},
		{"numeric on N", []string{`{"dynamodb": {"NewImage": {"MaxTemp": {"N": [{"numeric": [">", 1]}]}}}}`}, Options{}, nil, 1},
	}
	for _, tt := range tests {
		f, err := CompileFilters(tt.patterns, tt.opts)
		if !errors.Is(err, tt.wantErr) {
			t.Errorf("%s: CompileFilters() = %v; want %v", tt.name, err, tt.wantErr)
			continue
		}
		if err == nil && len(f.Warnings()) != tt.warnings {
			t.Errorf("%s: Warnings() = %q; want %d warnings", tt.name, f.Warnings(), tt.warnings)
		}
	}
}

func TestCompileFiltersErrorNamesFilter(t *testing.T) {
	_, err := CompileFilters([]string{`{"eventName": ["INSERT"]}`, `{"eventName": "REMOVE"}`}, Options{})
	var pe *PatternError
	if !errors.As(err, &pe) {
		t.Fatalf("CompileFilters() = %v; want a *PatternError", err)
	}
	want := &PatternError{Filter: 1, Reason: `"eventName" must be an object or an array (at eventName)`}
	if diff := cmp.Diff(want, pe, cmp.AllowUnexported(PatternError{})); diff != "" {
		t.Errorf("CompileFilters() error mismatch (-want +got):\n%s", diff)
	}
}

func TestFiltersMatch(t *testing.T) {
	rec := []byte(`{"eventID":"1","eventName":"REMOVE","eventSource":"aws:dynamodb","dynamodb":{"Keys":{"Location":{"S":"San Diego"}}}}`)
	none, err := CompileFilters(nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !none.Match(rawjson.New(rec)) {
		t.Errorf("Filters(none).Match(%s) = false; want true", rec)
	}
	two, err := CompileFilters([]string{`{"eventName": ["INSERT"]}`, `{"eventName": ["REMOVE"]}`}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !two.Match(rawjson.New(rec)) {
		t.Errorf("Filters(INSERT|REMOVE).Match(%s) = false; want true", rec)
	}
	put, err := CompileFilters([]string{`{"eventName": ["INSERT", "MODIFY"]}`}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if put.Match(rawjson.New(rec)) {
		t.Errorf("Filters(INSERT,MODIFY).Match(%s) = true; want false", rec)
	}
}

func TestMatchAllocations(t *testing.T) {
	rec := []byte(`{"eventID":"1","eventName":"MODIFY","dynamodb":{"ApproximateCreationDateTime":1764100800,"Keys":{"Location":{"S":"San Diego"}},"NewImage":{"MaxTemp":{"N":"42"}}}}`)
	f, err := CompileFilters(mixedFilters, Options{})
	if err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(100, func() { f.Match(rawjson.New(rec)) })
	if allocs != 0 {
		t.Errorf("Filters.Match allocations = %v; want 0", allocs)
	}
}

func TestFiltersConcurrentMatch(t *testing.T) {
	rec := []byte(`{"eventID":"1","eventName":"MODIFY","dynamodb":{"NewImage":{"Tags":{"L":[{"S":"a"}]},"ChancesOfPrecipitation":{"N":"91"}}}}`)
	f, err := CompileFilters(mixedFilters, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := f.Match(rawjson.New(rec))
	done := make(chan bool)
	for range 4 {
		go func() {
			ok := true
			for range 200 {
				ok = ok && f.Match(rawjson.New(rec)) == want && f.matchWalks(rec) == want
			}
			done <- ok
		}()
	}
	for range 4 {
		if !<-done {
			t.Errorf("concurrent Filters.Match(%s) disagreed with %v", rec, want)
		}
	}
}

// TestMatchRepeatedKeyAfterMatch: a repeated key whose first value matched,
// and whose second value fails a child that may stop early, once made
// Pattern.Match read on from a value it had not skipped (a panic).
func TestMatchRepeatedKeyAfterMatch(t *testing.T) {
	p, err := CompilePattern(`{"d": {"a": {"b": ["1"]}, "c": [{"exists": false}]}}`)
	if err != nil {
		t.Fatal(err)
	}
	ev := `{"d": {"a": {"b": "1"}, "a": {"b": "2"}}}`
	if !p.Match(rawjson.New([]byte(ev))) {
		t.Errorf("Match(%s) = false; want true (the first value counts)", ev)
	}
	// the same through the per-filter walks that share a memo
	f, err := CompileFilters([]string{`{"d": {"zz": ["x"]}}`, `{"d": {"a": {"b": ["1"]}, "c": [{"exists": false}]}}`}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !f.matchWalks([]byte(ev)) {
		t.Errorf("Filters.matchWalks(%s) = false; want true", ev)
	}
}
