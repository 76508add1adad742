package template

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// seedFixture loads the seed's cache-put template and an INSERT record shaped like the ones
// the seed's table produces.
func seedFixture(tb testing.TB) (tmpl string, record []byte) {
	tb.Helper()
	t, err := os.ReadFile(filepath.Join("testdata", "seed-cache-put.tmpl"))
	if err != nil {
		tb.Fatal(err)
	}
	r, err := os.ReadFile(filepath.Join("testdata", "seed-insert.json"))
	if err != nil {
		tb.Fatal(err)
	}
	return string(t), r
}

const seedWant = "{\n  \"Location\": \"San Diego\", \n  \"MaxTemp\": \"42\",\n  \"MinTemp\": \"31\", \n  \"ChancesOfPrecipitation\": \"91\"\n}"

func BenchmarkRenderSeed(b *testing.B) {
	text, record := seedFixture(b)
	tpl, err := Compile(text, Options{})
	if err != nil {
		b.Fatal(err)
	}
	vars := &Vars{PipeName: "weather-stats-demo-cache-put-pipe"}
	dst := make([]byte, 0, 512)
	b.SetBytes(int64(len(record)))
	b.ReportAllocs()
	defer reportCPU(b)()
	for b.Loop() {
		out, err := tpl.Render(dst[:0], record, vars)
		if err != nil || len(out) != len(seedWant) {
			b.Fatalf("Render = %q, %v; want %q", out, err, seedWant)
		}
	}
}

// BenchmarkRenderSeedFreshBuffer renders into a nil buffer each time, as a caller that keeps
// no buffer would: the one allocation is the body itself.
func BenchmarkRenderSeedFreshBuffer(b *testing.B) {
	text, record := seedFixture(b)
	tpl, err := Compile(text, Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	defer reportCPU(b)()
	for b.Loop() {
		out, err := tpl.Render(nil, record, nil)
		if err != nil || len(out) != len(seedWant) {
			b.Fatalf("Render = %q, %v; want %q", out, err, seedWant)
		}
	}
}

// seedBaseline is the plain way to make the same body: unmarshal the record into maps, walk
// them, and build the body with encoding/json (which cannot keep the template's whitespace,
// so it is checked by value, not by bytes).
func seedBaseline(record []byte) ([]byte, error) {
	var rec map[string]any
	if err := json.Unmarshal(record, &rec); err != nil {
		return nil, err
	}
	ddb, _ := rec["dynamodb"].(map[string]any)
	img, _ := ddb["NewImage"].(map[string]any)
	keys, _ := ddb["Keys"].(map[string]any)
	attr := func(m map[string]any, name, typ string) any {
		a, _ := m[name].(map[string]any)
		return a[typ]
	}
	body := map[string]any{
		"Location":               attr(keys, "Location", "S"),
		"MaxTemp":                attr(img, "MaxTemp", "N"),
		"MinTemp":                attr(img, "MinTemp", "N"),
		"ChancesOfPrecipitation": attr(img, "ChancesOfPrecipitation", "N"),
	}
	return json.Marshal(body)
}

func BenchmarkRenderSeedBaseline(b *testing.B) {
	_, record := seedFixture(b)
	b.SetBytes(int64(len(record)))
	b.ReportAllocs()
	defer reportCPU(b)()
	for b.Loop() {
		out, err := seedBaseline(record)
		if err != nil || !bytes.Contains(out, []byte(`"MaxTemp":"42"`)) {
			b.Fatalf("baseline = %s, %v", out, err)
		}
	}
}

func TestSeedBaselineAgrees(t *testing.T) {
	text, record := seedFixture(t)
	tpl, err := Compile(text, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := tpl.Render(nil, record, nil)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != seedWant {
		t.Errorf("Render(seed) = %q; want %q", got, seedWant)
	}
	base, err := seedBaseline(record)
	if err != nil {
		t.Fatal(err)
	}
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(base, &w); err != nil {
		t.Fatal(err)
	}
	gb, _ := json.Marshal(g)
	wb, _ := json.Marshal(w)
	if !bytes.Equal(gb, wb) {
		t.Errorf("Render(seed) = %s; baseline %s", gb, wb)
	}
}

// BenchmarkRecordValid is a floor for any approach that parses the record: encoding/json only
// checking it, building nothing.
func BenchmarkRecordValid(b *testing.B) {
	_, record := seedFixture(b)
	b.SetBytes(int64(len(record)))
	b.ReportAllocs()
	defer reportCPU(b)()
	for b.Loop() {
		if !json.Valid(record) {
			b.Fatal("json.Valid(seed record) = false; want true")
		}
	}
}
