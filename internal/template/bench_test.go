package template

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/pipesim/pipesim/internal/rawjson"
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
	var doc rawjson.Doc
	b.SetBytes(int64(len(record)))
	b.ReportAllocs()
	defer reportCPU(b)()
	for b.Loop() {
		doc.Reset(record) // each render is of a new record: nothing in the memo
		out, err := tpl.Render(dst[:0], &doc, vars)
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
	var doc rawjson.Doc
	b.ReportAllocs()
	defer reportCPU(b)()
	for b.Loop() {
		doc.Reset(record)
		out, err := tpl.Render(nil, &doc, nil)
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
	got, err := tpl.Render(nil, rawjson.New(record), nil)
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

// replayRecord is an INSERT as replay.GenerateSeed writes it: image attributes in name order.
const replayRecord = `{"eventID":"00000000000000000000000000000002","eventName":"INSERT","eventVersion":"1.1","eventSource":"aws:dynamodb","awsRegion":"us-east-1","dynamodb":{"ApproximateCreationDateTime":1722360294,"Keys":{"Location":{"S":"San Francisco 102"}},"NewImage":{"ChancesOfPrecipitation":{"N":"91"},"Location":{"S":"San Francisco 102"},"MaxTemp":{"N":"71"},"MinTemp":{"N":"57"},"TTL":{"N":"681"}},"SequenceNumber":"000000000000000000102","SizeBytes":93,"StreamViewType":"NEW_AND_OLD_IMAGES"},"eventSourceARN":"arn:aws:dynamodb:us-east-1:000000000000:table/weather-stats-demo/stream/2024-07-30T17:20:48.118"}`

// seedParams are the cache-put pipe's query-string values.
func seedParams(b *testing.B) []Param {
	var ps []Param
	for _, v := range []string{"$.dynamodb.Keys.Location.S", "$.dynamodb.NewImage.TTL.N"} {
		p, err := CompileParam(v)
		if err != nil {
			b.Fatal(err)
		}
		ps = append(ps, p)
	}
	return ps
}

// BenchmarkParamResolveSeed resolves the cache-put pipe's two query values as strings.
func BenchmarkParamResolveSeed(b *testing.B) {
	ps, record := seedParams(b), []byte(replayRecord)
	var doc rawjson.Doc
	b.ReportAllocs()
	defer reportCPU(b)()
	for b.Loop() {
		doc.Reset(record)
		k, _ := ps[0].Resolve(&doc)
		ttl, _ := ps[1].Resolve(&doc)
		if len(k)+len(ttl) != len("San Francisco 102681") {
			b.Fatalf("Resolve = %q, %q; want San Francisco 102, 681", k, ttl)
		}
	}
}

// BenchmarkParamAppendSeed resolves the same values into a caller's buffer.
func BenchmarkParamAppendSeed(b *testing.B) {
	ps, record := seedParams(b), []byte(replayRecord)
	dst := make([]byte, 0, 64)
	var doc rawjson.Doc
	b.ReportAllocs()
	defer reportCPU(b)()
	for b.Loop() {
		doc.Reset(record)
		out, _ := ps[0].Append(dst[:0], &doc)
		out, _ = ps[1].Append(out, &doc)
		if string(out) != "San Francisco 102681" {
			b.Fatalf("Append = %q; want San Francisco 102681", out)
		}
	}
}

// BenchmarkRenderReplayRecord renders the cache-put template over a generated record.
func BenchmarkRenderReplayRecord(b *testing.B) {
	text, _ := seedFixture(b)
	tpl, err := Compile(text, Options{})
	if err != nil {
		b.Fatal(err)
	}
	record := []byte(replayRecord)
	dst := make([]byte, 0, 512)
	var doc rawjson.Doc
	b.ReportAllocs()
	defer reportCPU(b)()
	for b.Loop() {
		doc.Reset(record)
		out, err := tpl.Render(dst[:0], &doc, nil)
		if err != nil || !bytes.Contains(out, []byte(`"MaxTemp": "71"`)) {
			b.Fatalf("Render = %q, %v; want MaxTemp 71", out, err)
		}
	}
}

// BenchmarkPutRecord is what the cache-put pipe does per record: render the template, then
// append both query values after it, all through the record's Doc (the key is the template's
// $.dynamodb.Keys.Location.S, found in the memo).
func BenchmarkPutRecord(b *testing.B) {
	benchPutRecord(b, nil)
}

// BenchmarkPutRecordSeeded is BenchmarkPutRecord on a Doc seeded and frozen as replay hands its
// records to several pipes: the positions of Keys, NewImage and OldImage known, nothing more
// remembered.
func BenchmarkPutRecordSeeded(b *testing.B) {
	seeds := []*rawjson.Path{rawjson.KeyPath("dynamodb", "Keys"), rawjson.KeyPath("dynamodb", "NewImage"), rawjson.KeyPath("dynamodb", "OldImage")}
	benchPutRecord(b, func(doc *rawjson.Doc) {
		for _, p := range seeds {
			doc.Find(p)
		}
		doc.Freeze()
	})
}

func benchPutRecord(b *testing.B, seed func(*rawjson.Doc)) {
	text, _ := seedFixture(b)
	tpl, err := Compile(text, Options{})
	if err != nil {
		b.Fatal(err)
	}
	ps, record := seedParams(b), []byte(replayRecord)
	dst, url := make([]byte, 0, 512), make([]byte, 0, 64)
	var doc rawjson.Doc
	b.ReportAllocs()
	defer reportCPU(b)()
	for b.Loop() {
		doc.Reset(record)
		if seed != nil {
			b.StopTimer() // the source's work, not the pipe's
			seed(&doc)
			b.StartTimer()
		}
		out, err := tpl.Render(dst[:0], &doc, nil)
		u, _ := ps[0].Append(url[:0], &doc)
		u, _ = ps[1].Append(u, &doc)
		if err != nil || len(out) == 0 || string(u) != "San Francisco 102681" {
			b.Fatalf("Render, Append = %q, %v, %q", out, err, u)
		}
	}
}
