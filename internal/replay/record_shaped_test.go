package replay

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tidwall/gjson"

	"github.com/pipesim/pipesim/internal/rawjson"
	"github.com/pipesim/pipesim/internal/stream"
)

// checkShaped holds the fast path to its promise: whatever it accepts, the general path accepts
// too and turns into the same record, byte for byte.
func checkShaped(t *testing.T, raw []byte) bool {
	t.Helper()
	fast, ok := shapedRecord(raw, new(rawjson.Doc))
	if !ok {
		return false
	}
	slow, err := ParseRecord(raw, Normalize{StreamARN: "arn:x", Region: "eu-west-1"})
	if err != nil {
		t.Fatalf("shapedRecord(%q) accepted it; ParseRecord says %v", raw, err)
	}
	if diff := cmp.Diff(string(slow.Doc.Bytes()), string(fast.rec.Doc.Bytes())); diff != "" {
		t.Fatalf("shapedRecord(%q) JSON differs from ParseRecord's (-slow +fast):\n%s", raw, diff)
	}
	checkSeeds(t, fast.rec)
	if diff := cmp.Diff(fieldsOf(slow), fieldsOf(fast.rec)); diff != "" {
		t.Fatalf("shapedRecord(%q) differs from ParseRecord (-slow +fast):\n%s", raw, diff)
	}
	return true
}

// fieldsOf is rec without its Doc, to compare.
func fieldsOf(rec stream.Record) stream.Record {
	rec.Doc = nil
	return rec
}

// checkSeeds holds what a shaped record's Doc knows to where gjson finds each value: its span
// when the value is there, absent when it is not.
func checkSeeds(t *testing.T, rec stream.Record) {
	t.Helper()
	b := rec.Doc.Bytes()
	for _, p := range []*rawjson.Path{seedEventName, seedDynamoDB, seedKeys, seedNewImage, seedOldImage} {
		var path []string
		for i := range p.Len() {
			path = append(path, p.Step(i).Key)
		}
		r := gjson.GetBytes(b, strings.Join(path, "."))
		s, known := rec.Doc.Lookup(p, p.Len())
		want := rawjson.Span{Start: -1}
		if r.Exists() {
			want = rawjson.Span{Start: int32(r.Index), End: int32(r.Index + len(r.Raw))}
		}
		if !known || s != want {
			t.Fatalf("shapedRecord(%s): the Doc knows %s as %v (%v); want %v", b, path, s, known, want)
		}
	}
}

func TestShapedRecordSeed(t *testing.T) {
	for line := range bytes.Lines(fixture(t, "seed.jsonl")) {
		slow, err := ParseRecord(line, Normalize{})
		shaped := err == nil && bytes.Equal(slow.Doc.Bytes(), bytes.TrimSpace(line))
		if shaped && !checkShaped(t, line) {
			t.Errorf("shapedRecord(%s) = false; want the seed's records taken as they are", line)
		}
	}
	var gen bytes.Buffer
	if err := GenerateSeed(&gen, 200, 3); err != nil {
		t.Fatal(err)
	}
	for line := range bytes.Lines(gen.Bytes()) {
		if !checkShaped(t, line) {
			t.Fatalf("shapedRecord(%s) = false; want generated records taken as they are", line)
		}
	}
}

// TestShapedRecordDeclines lists lines the general path rewrites (or rejects): the fast path
// must leave them to it.
func TestShapedRecordDeclines(t *testing.T) {
	const head = `{"eventID":"e1","eventName":"INSERT","eventVersion":"1.1","eventSource":"aws:dynamodb","awsRegion":"us-east-1","dynamodb":`
	const tail = `,"eventSourceARN":"arn:a"}`
	const ddb = `{"ApproximateCreationDateTime":1,"Keys":{"k":{"S":"x"}},"SequenceNumber":"1"}`
	if !checkShaped(t, []byte(head+ddb+tail)) {
		t.Fatalf("shapedRecord(%s) = false; want true", head+ddb+tail)
	}
	for _, raw := range []string{
		head + `{"ApproximateCreationDateTime":1.5,"Keys":{"k":{"S":"x"}},"SequenceNumber":"1"}` + tail,
		head + `{"ApproximateCreationDateTime":-0,"Keys":{"k":{"S":"x"}},"SequenceNumber":"1"}` + tail,
		head + `{"ApproximateCreationDateTime":"2024-07-30T17:24:52Z","Keys":{"k":{"S":"x"}},"SequenceNumber":"1"}` + tail,
		head + `{"Keys":{"k":{"S":"x"}},"ApproximateCreationDateTime":1,"SequenceNumber":"1"}` + tail,
		head + `{"ApproximateCreationDateTime":1,"Keys":{"k":{"S" :"x"}},"SequenceNumber":"1"}` + tail,
		head + `{"ApproximateCreationDateTime":1,"Keys":{"k":{"X":"x"}},"SequenceNumber":"1"}` + tail,
		head + `{"ApproximateCreationDateTime":1,"Keys":{"k":{"S":"x","N":"1"}},"SequenceNumber":"1"}` + tail,
		head + `{"ApproximateCreationDateTime":1,"Keys":{"k":{"N":01}},"SequenceNumber":"1"}` + tail,
		head + `{"ApproximateCreationDateTime":1,"Keys":{"k":{"S":"x"}},"SequenceNumber":"\u0031"}` + tail,
		head + `{"ApproximateCreationDateTime":1,"Keys":{"k":{"S":"x"}},"SequenceNumber":""}` + tail,
		head + `{"ApproximateCreationDateTime":1,"Keys":{"k":{"S":"x"}},"SequenceNumber":"1","SizeBytes":1.0}` + tail,
		head + ddb + `,"userIdentity":{"PrincipalId":"p","Type":"t"}` + tail,
		head + ddb + `,"userIdentity":null` + tail,
		head + ddb + `}`,
		head + ddb + tail + `x`,
		` ` + head + ddb + tail,
		`{"eventID":"e\u0031","eventName":"INSERT","eventVersion":"1.1","eventSource":"aws:dynamodb","awsRegion":"us-east-1","dynamodb":` + ddb + tail,
		`{"eventID":"e1","eventName":"INSERTED","eventVersion":"1.1","eventSource":"aws:dynamodb","awsRegion":"us-east-1","dynamodb":` + ddb + tail,
		`{"eventID":"e1","eventName":"INSERT","eventSource":"aws:dynamodb","awsRegion":"us-east-1","dynamodb":` + ddb + tail,
	} {
		if checkShaped(t, []byte(raw)) {
			t.Errorf("shapedRecord(%s) = true; want it left to the general path", raw)
		}
	}
}

func FuzzShapedRecord(f *testing.F) {
	for line := range bytes.Lines(fixture(f, "seed.jsonl")) {
		f.Add(line)
	}
	f.Add([]byte(`{"eventID":"e","eventName":"REMOVE","eventVersion":"1","eventSource":"s","awsRegion":"r","dynamodb":{"Keys":{"k":{"L":[{"M":{"a":{"NULL":true}}},-1.5e+3,"\u00e9"]}},"OldImage":{},"SequenceNumber":"1","SizeBytes":-0},"userIdentity":{"principalId":"p","type":"t"},"eventSourceARN":""}`))
	f.Fuzz(func(t *testing.T, raw []byte) { checkShaped(t, raw) })
}

// BenchmarkShapedRecord is the fast path on generated seed records; BenchmarkParseRecord, the
// general path on the same lines, is its baseline.
func BenchmarkShapedRecord(b *testing.B) {
	lines := generatedLines(b, 1000)
	var doc rawjson.Doc
	b.ReportAllocs()
	for b.Loop() {
		for _, line := range lines {
			if _, ok := shapedRecord(line, &doc); !ok {
				b.Fatalf("shapedRecord(%s) = false; want true", line)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(lines)), "ns/record")
}

func BenchmarkParseRecord(b *testing.B) {
	lines := generatedLines(b, 1000)
	b.ReportAllocs()
	for b.Loop() {
		for _, line := range lines {
			if _, err := ParseRecord(line, Normalize{}); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(lines)), "ns/record")
}

func generatedLines(b *testing.B, n int) [][]byte {
	var buf bytes.Buffer
	if err := GenerateSeed(&buf, n, 1); err != nil {
		b.Fatal(err)
	}
	var lines [][]byte
	for line := range bytes.Lines(buf.Bytes()) {
		lines = append(lines, line)
	}
	return lines
}
