package replay

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tidwall/gjson"

	"github.com/pipesim/pipesim/internal/stream"
)

// checkShaped holds the fast path to its promise: whatever it accepts, the general path accepts
// too and turns into the same record, byte for byte.
func checkShaped(t *testing.T, raw []byte) bool {
	t.Helper()
	fast, ok := shapedRecord(raw)
	if !ok {
		return false
	}
	slow, err := ParseRecord(raw, Normalize{StreamARN: "arn:x", Region: "eu-west-1"})
	if err != nil {
		t.Fatalf("shapedRecord(%q) accepted it; ParseRecord says %v", raw, err)
	}
	if diff := cmp.Diff(string(slow.JSON), string(fast.JSON)); diff != "" {
		t.Fatalf("shapedRecord(%q) JSON differs from ParseRecord's (-slow +fast):\n%s", raw, diff)
	}
	checkMarks(t, fast)
	fast.JSON, slow.JSON, fast.Marks = nil, nil, stream.Marks{} // ParseRecord leaves the marks to the walk
	if diff := cmp.Diff(slow, fast); diff != "" {
		t.Fatalf("shapedRecord(%q) differs from ParseRecord (-slow +fast):\n%s", raw, diff)
	}
	return true
}

// checkMarks holds a record's marks to where gjson finds each value: set exactly when the value
// is there.
func checkMarks(t *testing.T, rec stream.Record) {
	t.Helper()
	m := rec.Marks
	for _, c := range []struct {
		path string
		mark int32
	}{{"eventName", m.EventName}, {"dynamodb", m.DynamoDB}, {"dynamodb.Keys", m.Keys}, {"dynamodb.NewImage", m.NewImage}, {"dynamodb.OldImage", m.OldImage}} {
		r := gjson.GetBytes(rec.JSON, c.path)
		if want := int32(r.Index); !r.Exists() && c.mark != 0 || r.Exists() && c.mark != want {
			t.Fatalf("shapedRecord(%s) mark of %s = %d; want %d (exists: %t)", rec.JSON, c.path, c.mark, want, r.Exists())
		}
	}
}

func TestShapedRecordSeed(t *testing.T) {
	for line := range bytes.Lines(fixture(t, "seed.jsonl")) {
		slow, err := ParseRecord(line, Normalize{})
		shaped := err == nil && bytes.Equal(slow.JSON, bytes.TrimSpace(line))
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
	b.ReportAllocs()
	for b.Loop() {
		for _, line := range lines {
			if _, ok := shapedRecord(line); !ok {
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
