package replay

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pipesim/pipesim/internal/stream"
)

const seedARN = "arn:aws:dynamodb:us-east-1:000000000000:table/weather-stats-demo/stream/2024-07-30T17:20:48.118"

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "replay", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// readAll collects every item of an input.
func readAll(t testing.TB, rd Reader, in []byte) (Form, []Item, error) {
	t.Helper()
	var items []Item
	form, err := rd.Read(bytes.NewReader(in), func(it Item) error {
		items = append(items, it)
		return nil
	})
	return form, items, err
}

func records(items []Item) []stream.Record {
	var out []stream.Record
	for _, it := range items {
		if it.Err == nil {
			out = append(out, it.Record)
		}
	}
	return out
}

func TestReadForms(t *testing.T) {
	rd := Reader{Normalize: Normalize{StreamARN: seedARN}}
	_, want, err := readAll(t, rd, fixture(t, "seed.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		file string
		form Form
	}{
		{"seed-array.json", FormArray},
		{"seed-lambda.json", FormDocument},
		{"seed-get-records.json", FormDocument},
	}
	for _, c := range cases {
		form, items, err := readAll(t, rd, fixture(t, c.file))
		if err != nil {
			t.Fatalf("Read(%q) error: %v", c.file, err)
		}
		if form != c.form {
			t.Errorf("Read(%q) form = %s; want %s", c.file, form, c.form)
		}
		if diff := cmp.Diff(asStrings(records(want)), asStrings(records(items))); diff != "" {
			t.Errorf("Read(%q) records differ from seed.jsonl's (-jsonl +%s):\n%s", c.file, c.file, diff)
		}
	}
}

func asStrings(recs []stream.Record) []string {
	var out []string
	for _, r := range recs {
		out = append(out, string(r.Doc.Bytes()))
	}
	return out
}

func TestReadBadLines(t *testing.T) {
	form, items, err := readAll(t, Reader{}, fixture(t, "seed.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if form != FormJSONLines {
		t.Errorf("Read form = %s; want jsonl", form)
	}
	type line struct {
		Line int
		Bad  string
	}
	var got []line
	for _, it := range items {
		l := line{Line: it.Line}
		if it.Err != nil {
			l.Bad = it.Err.Error()
		}
		got = append(got, l)
	}
	want := []line{{1, ""}, {2, ""}, {3, "not JSON"}, {4, ""}, {5, "not a DynamoDB stream record: missing eventID"}, {7, ""}, {8, ""}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Read(seed.jsonl) lines (-want +got):\n%s", diff)
	}
}

func TestParseRecordNormalizes(t *testing.T) {
	in := `{
	  "awsRegion": "eu-west-1", "eventName": "REMOVE", "eventID": "e1", "extra": 1,
	  "userIdentity": {"Type": "Service", "PrincipalId": "dynamodb.amazonaws.com"},
	  "dynamodb": {"StreamViewType": "KEYS_ONLY", "SequenceNumber": "111", "SizeBytes": 3,
	    "Keys": {"id": {"S": "a b"}}, "ApproximateCreationDateTime": "2024-07-30T17:24:52.123456+00:00"}
	}`
	rec, err := ParseRecord([]byte(in), Normalize{StreamARN: "arn:aws:dynamodb:eu-west-1:1:table/t/stream/x"})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"eventID":"e1","eventName":"REMOVE","eventVersion":"1.1","eventSource":"aws:dynamodb","awsRegion":"eu-west-1",` +
		`"dynamodb":{"ApproximateCreationDateTime":1722360292,"Keys":{"id":{"S":"a b"}},"SequenceNumber":"111","SizeBytes":3,"StreamViewType":"KEYS_ONLY"},` +
		`"userIdentity":{"principalId":"dynamodb.amazonaws.com","type":"Service"},"eventSourceARN":"arn:aws:dynamodb:eu-west-1:1:table/t/stream/x"}`
	if string(rec.Doc.Bytes()) != want {
		t.Errorf("ParseRecord(%q) = %s; want %s", in, rec.Doc.Bytes(), want)
	}
	wantRec := stream.Record{EventID: "e1", EventName: "REMOVE", SequenceNumber: "111", SizeBytes: 3,
		ApproximateCreationDateTime: time.Unix(1722360292, 0).UTC()}
	if diff := cmp.Diff(wantRec, fieldsOf(rec)); diff != "" {
		t.Errorf("ParseRecord(%q) fields (-want +got):\n%s", in, diff)
	}
}

func TestParseRecordErrors(t *testing.T) {
	const ok = `"eventID":"e","eventName":"INSERT","dynamodb":{"Keys":{"k":{"S":"v"}},"SequenceNumber":"1"}`
	cases := []struct{ in, want string }{
		{`{"a":`, "not JSON"},
		{`[1]`, "want a JSON object, got an array"},
		{`{"eventName":"INSERT"}`, "missing eventID"},
		{`{"eventID":"e","eventName":"PUT","dynamodb":{}}`, `eventName "PUT": want INSERT, MODIFY or REMOVE`},
		{`{"eventID":"e","eventName":"INSERT"}`, "missing dynamodb object"},
		{`{"eventID":"e","eventName":"INSERT","dynamodb":{"Keys":{}}}`, "dynamodb.SequenceNumber: want a non-empty string"},
		{`{"eventID":"e","eventName":"INSERT","dynamodb":{"SequenceNumber":"1"}}`, "missing dynamodb.Keys"},
		{`{"eventID":"e","eventName":"INSERT","dynamodb":{"Keys":{"k":"v"},"SequenceNumber":"1"}}`, `dynamodb.Keys.k: want a typed attribute value`},
		{`{"eventID":"e","eventName":"INSERT","dynamodb":{"Keys":{"k":{"X":"v"}},"SequenceNumber":"1"}}`, `unknown attribute type "X"`},
		{`{"eventID":"e","eventName":"INSERT","dynamodb":{"Keys":{"k":{"S":"v","N":"1"}},"SequenceNumber":"1"}}`, `want exactly one type key, got 2`},
		{`{"eventID":"e","eventName":"INSERT","dynamodb":{"Keys":{"k":{"S":"v"}},"NewImage":[],"SequenceNumber":"1"}}`, `dynamodb.NewImage: want an object`},
		{`{"eventID":"e","eventName":"INSERT","dynamodb":{"ApproximateCreationDateTime":"yesterday","Keys":{"k":{"S":"v"}},"SequenceNumber":"1"}}`, `ApproximateCreationDateTime "yesterday"`},
		{`{` + ok + `,"awsRegion":5}`, `awsRegion 5: want a string`},
		{`{` + ok + `,"userIdentity":{"type":"Service"}}`, `userIdentity: want string principalId and type`},
	}
	for _, c := range cases {
		_, err := ParseRecord([]byte(c.in), Normalize{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseRecord(%q) error = %v; want it to contain %q", c.in, err, c.want)
		}
		if err != nil && !errors.Is(err, ErrNotJSON) && !errors.Is(err, ErrNotRecord) {
			t.Errorf("ParseRecord(%q) error = %v; want ErrNotJSON or ErrNotRecord", c.in, err)
		}
	}
}

func TestReadSyntaxErrors(t *testing.T) {
	cases := []struct {
		in   string
		form Form
		want string
	}{
		{"[\n{\"a\":1}\n", FormArray, "line 3: unexpected end of input in the array"},
		{"[{\"a\":1} {\"b\":2}]", FormArray, "line 1: want ',' or ']' after an array element"},
		{"[]\n]", FormArray, "line 2: unexpected data after the array"},
		{"{\n\"Records\": [\n{\"a\":\"unterminated}\n", FormDocument, "line 4: unexpected end of input inside a value"},
		{"{\n  5: 1\n}", FormDocument, "line 2: want a quoted key"},
	}
	for _, c := range cases {
		_, _, err := readAll(t, Reader{Form: c.form}, []byte(c.in))
		if !errors.Is(err, ErrSyntax) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Read(%q) error = %v; want ErrSyntax containing %q", c.in, err, c.want)
		}
	}
}

func TestReadArrayBadElementKeepsGoing(t *testing.T) {
	in := "[\n  {\"not\": \"a record\"},\n  " + string(bytes.TrimSpace(fixture(t, "seed.jsonl")[:bytes.IndexByte(fixture(t, "seed.jsonl"), '\n')])) + "\n]\n"
	_, items, err := readAll(t, Reader{}, []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 2 || items[0].Err == nil || items[0].Line != 2 || items[1].Err != nil || items[1].Line != 3 {
		t.Errorf("Read(%q) = %+v; want a bad element at line 2, then a record at line 3", in, items)
	}
}

func TestParseSpeed(t *testing.T) {
	cases := []struct {
		in   string
		want float64
		bad  bool
	}{{"", 0, false}, {"max", 0, false}, {"recorded", 1, false}, {"10x", 10, false}, {"0.5x", 0.5, false}, {"fast", 0, true}, {"10", 0, true}, {"-1x", 0, true}}
	for _, c := range cases {
		got, err := ParseSpeed(c.in)
		if (err != nil) != c.bad || got != c.want {
			t.Errorf("ParseSpeed(%q) = %v, %v; want %v, error %v", c.in, got, err, c.want, c.bad)
		}
	}
}

// TestReadKeepsNoViewOfTheBuffer reads more lines than the read buffer holds and checks that the
// records read first are intact afterwards.
func TestReadKeepsNoViewOfTheBuffer(t *testing.T) {
	var in bytes.Buffer
	if err := GenerateSeed(&in, 500, 7); err != nil {
		t.Fatal(err)
	}
	var recs []stream.Record
	if _, err := (Reader{}).Read(bytes.NewReader(in.Bytes()), func(it Item) error {
		recs = append(recs, it.Record)
		return it.Err
	}); err != nil {
		t.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSpace(in.Bytes()), []byte("\n"))
	for i, rec := range recs {
		want, err := ParseRecord(lines[i], Normalize{})
		if err != nil {
			t.Fatal(err)
		}
		if string(want.Doc.Bytes()) != string(rec.Doc.Bytes()) {
			t.Fatalf("record %d changed after reading on: %s; want %s", i, rec.Doc.Bytes(), want.Doc.Bytes())
		}
		if diff := cmp.Diff(fieldsOf(want), fieldsOf(rec)); diff != "" {
			t.Fatalf("record %d changed after reading on (-want +got):\n%s", i, diff)
		}
	}
}

// TestReadRecordTooLarge: a record longer than MaxRecordSize, in every form, is reported with its
// line as ErrRecordTooLarge and skipped; the records around it are read.
func TestReadRecordTooLarge(t *testing.T) {
	lines := bytes.Split(bytes.TrimSpace(fixture(t, "seed.jsonl")), []byte("\n"))
	rec := string(lines[0])
	huge := `{"eventID":"` + strings.Repeat("x", 3000) + `"}`
	cases := []struct {
		name, in string
		lines    []int // of the items, in order; the too-large one is wantBad
		wantBad  int
	}{
		{"jsonl, longer than the read buffer", rec + "\n" + `{"eventID":"` + strings.Repeat("x", 200<<10) + `"}` + "\n" + rec + "\n", []int{1, 2, 3}, 2},
		{"jsonl, within the read buffer", rec + "\n" + huge + "\r\n" + rec, []int{1, 2, 3}, 2},
		{"jsonl, at the end without a newline", rec + "\n" + `{"eventID":"` + strings.Repeat("x", 200<<10), []int{1, 2}, 2},
		{"array", "[\n" + rec + ",\n" + huge + ",\n" + rec + "\n]", []int{2, 3, 4}, 3},
		{"document", "{\n" + `"eventID": "` + strings.Repeat("x", 3000) + "\"\n}\n" + "{\n\"Records\": [\n" + rec + "\n]\n}\n", []int{1, 6}, 1},
	}
	for _, c := range cases {
		_, items, err := readAll(t, Reader{MaxRecordSize: 2048}, []byte(c.in))
		if err != nil {
			t.Fatalf("%s: Read error %v", c.name, err)
		}
		var got []int
		for _, it := range items {
			got = append(got, it.Line)
			switch {
			case it.Line == c.wantBad && !errors.Is(it.Err, ErrRecordTooLarge):
				t.Errorf("%s: line %d: error %v; want ErrRecordTooLarge", c.name, it.Line, it.Err)
			case it.Line == c.wantBad && it.Err.Error() != "record too large: longer than 2 KiB":
				t.Errorf("%s: line %d: error %q; want it to name the limit", c.name, it.Line, it.Err)
			case it.Line != c.wantBad && it.Err != nil:
				t.Errorf("%s: line %d: error %v; want a record", c.name, it.Line, it.Err)
			}
		}
		if diff := cmp.Diff(c.lines, got); diff != "" {
			t.Errorf("%s: item lines (-want +got):\n%s", c.name, diff)
		}
	}
}

// TestReadDefaultRecordLimit: the default limit takes a record with two full 400 KB images of
// binary, and refuses a longer one.
func TestReadDefaultRecordLimit(t *testing.T) {
	image := `{"k":{"S":"v"},"b":{"B":"` + strings.Repeat("A", 4*(400<<10-8)/3) + `"}}`
	rec := `{"eventID":"e","eventName":"MODIFY","dynamodb":{"Keys":{"k":{"S":"v"}},"NewImage":` + image +
		`,"OldImage":` + image + `,"SequenceNumber":"1","StreamViewType":"NEW_AND_OLD_IMAGES"}}`
	longer := strings.Replace(rec, `"eventID":"e"`, `"eventID":"`+strings.Repeat("e", DefaultMaxRecordSize-len(rec)+2)+`"`, 1)
	_, items, err := readAll(t, Reader{}, []byte(rec+"\n"+longer+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 2 || items[0].Err != nil || !errors.Is(items[1].Err, ErrRecordTooLarge) {
		t.Fatalf("Read(a record of two 400 KB binary images; a longer one) = %d items (%v, %v); want the first read, the second refused", len(items), items[0].Err, items[len(items)-1].Err)
	}
}

func TestParseSpeedRange(t *testing.T) {
	for _, in := range []string{"1e308x", "Infx", "NaNx", "0x", "0.0001x", "1000001x"} {
		if got, err := ParseSpeed(in); err == nil || !strings.Contains(err.Error(), "from 0.001x to 1000000x") {
			t.Errorf("ParseSpeed(%q) = %v, %v; want an error giving the range", in, got, err)
		}
	}
	for in, want := range map[string]float64{"0.001x": 0.001, "1000000x": 1e6, "2.5x": 2.5} {
		if got, err := ParseSpeed(in); err != nil || got != want {
			t.Errorf("ParseSpeed(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
}
