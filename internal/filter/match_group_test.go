package filter

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/pipesim/pipesim/internal/rawjson"
)

// groupPipes are the filters of pipes that read one stream: the shared-read sets, single
// patterns, a pipe without filters, and the same pattern under both poller-field options.
func groupPipes(t testing.TB) []*Filters {
	t.Helper()
	var pipes []*Filters
	add := func(opts Options, patterns ...string) {
		f, err := CompileFilters(patterns, opts)
		if err != nil {
			t.Fatalf("CompileFilters(%q) = %v", patterns, err)
		}
		pipes = append(pipes, f)
	}
	for _, set := range slotPatternSets {
		add(Options{MatchPollerFields: true}, set...)
	}
	add(Options{}, seedFilter)
	add(Options{}, `{"awsRegion": ["us-west-2"]}`)
	add(Options{MatchPollerFields: true}, `{"awsRegion": ["us-west-2"]}`)
	add(Options{}, mixedFilters...)
	for _, i := range []int{3, 4, 9} { // exact and prefix tests of the same fields: the index
		add(Options{}, streamFilters(i)...)
	}
	add(Options{}, `{"dynamodb": {"Keys": {"Location": {"S": ["San Diego", "Town 3"]}}}}`, `{"eventName": [{"prefix": "MOD"}]}`)
	pipes = append(pipes, nil) // no FilterCriteria
	return pipes
}

// TestGroupAgrees: a Group's verdict for each pipe is what the pipe's own Filters answers, for
// records that stop the shared read early, send it to the walks, or are not JSON at all; and
// the second pipe to ask finds the answer in the Doc.
func TestGroupAgrees(t *testing.T) {
	pipes := groupPipes(t)
	g, err := NewGroup(pipes...)
	if err != nil {
		t.Fatal(err)
	}
	if g.slots == nil || g.slots.simple == 0 {
		t.Fatal("the group's filters are not read together, or none is decided from the index")
	}
	for _, rec := range groupRecords(t) {
		checkGroup(t, g, pipes, rec)
	}
}

func groupRecords(t testing.TB) []string {
	seed := loadRecord(t)
	return append([]string{string(seed), string(bytes.Replace(seed, []byte(`{"N":"91"}`), []byte(`{"N":"90"}`), 1)),
		string(bytes.Replace(seed, []byte(`"MODIFY"`), []byte(`"REMOVE"`), 1)), `{"eventName":"INSERT"`, `[1]`, `{}`},
		slotRecords...)
}

func checkGroup(t *testing.T, g *Group, pipes []*Filters, rec string) {
	t.Helper()
	doc := rawjson.New([]byte(rec))
	v := g.Decide(doc)
	for i, f := range pipes {
		want := f == nil || f.Match(rawjson.New([]byte(rec)))
		if got := v&(1<<i) != 0; got != want {
			t.Errorf("Group.Decide(%s): pipe %d = %v; its Filters say %v", rec, i, got, want)
		}
		if got := g.Member(i).Match(doc); got != want {
			t.Errorf("Member(%d).Match(%s) after Decide = %v; want %v", i, rec, got, want)
		}
		frozen := rawjson.New([]byte(rec))
		frozen.Freeze()
		if got := g.Member(i).Match(frozen); got != want {
			t.Errorf("Member(%d).Match(%s), frozen Doc = %v; want %v", i, rec, got, want)
		}
	}
	if again := g.Decide(doc); again != v {
		t.Errorf("Decide(%s) again = %b; want %b", rec, again, v)
	}
}

// TestGroupLeavesPositions: what a group's read leaves in the Doc's memo is what a walk from
// the record's start finds, so a template reading the record next gets the same values.
func TestGroupLeavesPositions(t *testing.T) {
	g, err := NewGroup(groupPipes(t)...)
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range groupRecords(t) {
		checkMemo(t, g, []byte(rec))
	}
}

func checkMemo(t *testing.T, g *Group, rec []byte) {
	t.Helper()
	doc := rawjson.New(rec)
	g.Decide(doc)
	for _, p := range g.slots.paths[1:] {
		s, e, st := doc.Find(p)
		bare := rawjson.New(rec)
		bare.Freeze()
		ws, we, wst := bare.Find(p)
		if st != wst || st == rawjson.Found && string(rec[s:e]) != string(rec[ws:we]) {
			t.Fatalf("after Decide(%s), Find(%v) = %q, %v; a walk finds %q, %v", rec, p, rec[s:max(s, e)], st, rec[ws:max(ws, we)], wst)
		}
	}
}

// FuzzGroup: on any record, the group agrees with each pipe's filters, and what it leaves in
// the Doc agrees with a walk (for JSON with unique keys, where "the first of duplicate keys"
// cannot differ between a read stopped early and a walk).
func FuzzGroup(f *testing.F) {
	for _, rec := range groupRecords(f) {
		f.Add([]byte(rec))
	}
	pipes := groupPipes(f)
	g, err := NewGroup(pipes...)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, rec []byte) {
		checkGroup(t, g, pipes, string(rec))
		if json.Valid(rec) {
			checkMemo(t, g, rec)
		}
	})
}

// TestGroupLimits: more than 64 pipes is refused; filters beyond what one read holds are
// decided pipe by pipe, with the same answers.
func TestGroupLimits(t *testing.T) {
	if _, err := NewGroup(make([]*Filters, MaxGroupPipes+1)...); err == nil {
		t.Error("NewGroup(65 pipes) = nil error")
	}
	var pipes []*Filters
	for range 14 { // 70 filters: more than one read decides
		f, err := CompileFilters(streamFilters(1), Options{})
		if err != nil {
			t.Fatal(err)
		}
		pipes = append(pipes, f)
	}
	g, err := NewGroup(pipes...)
	if err != nil {
		t.Fatal(err)
	}
	if g.slots != nil {
		t.Fatal("70 filters read together")
	}
	for _, rec := range groupRecords(t) {
		checkGroup(t, g, pipes, rec)
	}
}

// streamFilters is pipe i's five filters of exact and prefix tests on the seed record's
// fields, as quamina was measured with: each pipe tests the same fields for other values, and
// only pipe 9's last filter matches the seed's MODIFY record.
func streamFilters(i int) []string {
	chance := 200 + i
	if i == 9 {
		chance = 91
	}
	return []string{
		fmt.Sprintf(`{"eventName": ["INSERT"], "dynamodb": {"NewImage": {"Location": {"S": [{"prefix": "City %d"}]}}}}`, i),
		fmt.Sprintf(`{"dynamodb": {"NewImage": {"MaxTemp": {"N": ["%d"]}}}}`, 100+i),
		fmt.Sprintf(`{"dynamodb": {"Keys": {"Location": {"S": ["Town %d"]}}}}`, i),
		fmt.Sprintf(`{"dynamodb": {"OldImage": {"ChancesOfPrecipitation": {"N": ["%d"]}}}}`, 300+i),
		fmt.Sprintf(`{"eventName": ["MODIFY"], "dynamodb": {"NewImage": {"ChancesOfPrecipitation": {"N": ["%d"]}}}}`, chance),
	}
}
