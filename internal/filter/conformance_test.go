package filter

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pipesim/pipesim/internal/rawjson"
)

// conformanceCase is one line of the shared conformance corpus
// (../shared/conformance/patterns.jsonl from the module root).
type conformanceCase struct {
	Source     string          `json:"source"`
	Name       string          `json:"name"`
	Tier       string          `json:"tier"`
	API        string          `json:"api"`
	Pattern    json.RawMessage `json:"pattern"`
	PatternRaw *string         `json:"pattern_raw"`
	Event      json.RawMessage `json:"event"`
	EventRaw   *string         `json:"event_raw"`
	Match      *bool           `json:"match"`
	Invalid    bool            `json:"invalid"`
	Error      *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func (c *conformanceCase) pattern() string {
	if c.PatternRaw != nil {
		return *c.PatternRaw
	}
	return string(c.Pattern)
}

func (c *conformanceCase) event() []byte {
	if c.EventRaw != nil {
		return []byte(*c.EventRaw)
	}
	return c.Event
}

// knownDifferences lists reference-impl cases where pipesim deliberately
// answers differently from event-ruler, with the reason. AWS-validated and
// AWS-docs cases may never appear here.
var knownDifferences = map[string]string{}

// conformanceDir finds the shared corpus: $PIPESIM_CONFORMANCE, or
// ../shared/conformance next to the module root.
func conformanceDir(t testing.TB) string {
	if dir := os.Getenv("PIPESIM_CONFORMANCE"); dir != "" {
		return dir
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "..", "shared", "conformance")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

func loadConformance(t testing.TB) []conformanceCase {
	dir := conformanceDir(t)
	f, err := os.Open(filepath.Join(dir, "patterns.jsonl"))
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("conformance corpus not available under CI (set PIPESIM_CONFORMANCE): %v", err)
		}
		t.Skipf("conformance corpus not available (set PIPESIM_CONFORMANCE): %v", err)
	}
	defer f.Close()
	var cases []conformanceCase
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<22)
	for sc.Scan() {
		var c conformanceCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("conformance line %d: %v", len(cases)+1, err)
		}
		cases = append(cases, c)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(cases) < 820 {
		t.Fatalf("conformance corpus has %d cases; want all 820", len(cases))
	}
	return cases
}

func TestConformance(t *testing.T) {
	cases := loadConformance(t)
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			if reason, ok := knownDifferences[c.Name]; ok {
				if c.Tier != "reference-impl" {
					t.Fatalf("known difference on a %s case: %s", c.Tier, reason)
				}
				checkKnownDifference(t, c, reason)
				return
			}
			checkConformance(t, c)
		})
	}
}

func checkConformance(t *testing.T, c conformanceCase) {
	p, err := CompilePattern(c.pattern())
	if c.Invalid {
		if err == nil {
			t.Fatalf("CompilePattern(%q) = nil error; want invalid (%s)", c.pattern(), c.Source)
		}
		if c.Error != nil && !similarError(err.Error(), c.Error.Message) {
			t.Errorf("CompilePattern(%q) error = %q; want like %q", c.pattern(), err, c.Error.Message)
		}
		return
	}
	if err != nil {
		t.Fatalf("CompilePattern(%q) = %v; want valid (%s)", c.pattern(), err, c.Source)
	}
	if got := p.Match(rawjson.New(c.event())); got != *c.Match {
		t.Errorf("Match(%s) with pattern %s = %v; want %v (%s)", c.event(), c.pattern(), got, *c.Match, c.Source)
	}
	checkSharedWalk(t, c)
}

// memoWarmers are filters that never match but read parts of any event, so
// the filter after them replays what they recorded (Filters.Match's memo).
var memoWarmers = []string{
	`{"zz-never": [{"exists": true}]}`,
	`{"detail": {"zz-never": [{"exists": true}]}}`,
	`{"dynamodb": {"NewImage": {"zz-never": [{"exists": true}]}}}`,
}

// checkSharedWalk matches the case again through Filters (the shared read of
// slots, and the per-filter walks sharing a memo), behind filters that read
// other parts of the event, and with the pattern twice: the answer must not
// change.
func checkSharedWalk(t *testing.T, c conformanceCase) {
	opts := Options{AllowUnsupported: true, MatchPollerFields: true}
	for _, patterns := range [][]string{
		append(append([]string(nil), memoWarmers...), c.pattern()),
		{c.pattern(), c.pattern()},
	} {
		f, err := CompileFilters(patterns, opts)
		if err != nil {
			t.Fatalf("CompileFilters(%q) = %v", patterns, err)
		}
		if got := f.Match(rawjson.New(c.event())); got != *c.Match {
			t.Errorf("Filters(%q).Match(%s) = %v; want %v (%s)", patterns, c.event(), got, *c.Match, c.Source)
		}
		// the per-filter walks with their memo, which Match falls back to
		if got := f.matchWalks(c.event()); got != *c.Match {
			t.Errorf("Filters(%q).matchWalks(%s) = %v; want %v (%s)", patterns, c.event(), got, *c.Match, c.Source)
		}
	}
}

// checkKnownDifference asserts that pipesim still differs as documented, so
// the table stays honest.
func checkKnownDifference(t *testing.T, c conformanceCase, reason string) {
	p, err := CompilePattern(c.pattern())
	if c.Invalid {
		if err != nil {
			t.Errorf("known difference (%s) no longer differs: pattern is rejected", reason)
		}
		return
	}
	if err == nil && p.Match(rawjson.New(c.event())) == *c.Match {
		t.Errorf("known difference (%s) no longer differs: remove it from the table", reason)
	}
}

// similarError compares error messages loosely: AWS's reason, without
// Jackson's location text, must start pipesim's reason. Lambda's generic
// "Invalid filter pattern definition." accepts any rejection.
func similarError(got, want string) bool {
	if want == "Invalid filter pattern definition." {
		return true
	}
	want = strings.TrimPrefix(want, "Event pattern is not valid. Reason: ")
	got = strings.TrimPrefix(got, "Event pattern is not valid. Reason: ")
	if i := strings.Index(want, "\n at [Source"); i >= 0 {
		want = want[:i]
	}
	want = strings.TrimSpace(want)
	return strings.HasPrefix(got, want)
}
