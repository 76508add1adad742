package stream

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

const testStreamARN = "arn:aws:dynamodb:ddblocal:000000000000:table/weather-stats-demo/stream/2026-11-25T20:10:18.455"

var created = time.Date(2024, 7, 30, 17, 24, 52, 0, time.UTC) // 1722360292

func s(v string) types.AttributeValue  { return &types.AttributeValueMemberS{Value: v} }
func n(v string) types.AttributeValue  { return &types.AttributeValueMemberN{Value: v} }
func bv(v string) types.AttributeValue { return &types.AttributeValueMemberB{Value: []byte(v)} }

// allTypes is an image holding every attribute type, nested.
func allTypes() map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		"Location": s("San Diego"),
		"MaxTemp":  n("42"),
		"Blob":     bv("foobar"),
		"Tags":     &types.AttributeValueMemberSS{Value: []string{"sunny", "warm"}},
		"Temps":    &types.AttributeValueMemberNS{Value: []string{"31", "42.5", "-1E+3"}},
		"Blobs":    &types.AttributeValueMemberBS{Value: [][]byte{[]byte("a"), {0xff, 0x00}}},
		"Active":   &types.AttributeValueMemberBOOL{Value: true},
		"Nothing":  &types.AttributeValueMemberNULL{Value: true},
		"Station": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
			"Name": s("KSAN"), "Elevation": n("5"),
			"Sensors": &types.AttributeValueMemberL{Value: []types.AttributeValue{s("thermo"), n("2"), &types.AttributeValueMemberBOOL{Value: false}}},
		}},
		"Empty": &types.AttributeValueMemberL{Value: []types.AttributeValue{}},
	}
}

func record(name types.OperationType, keys, newImg, oldImg map[string]types.AttributeValue) types.Record {
	return types.Record{
		AwsRegion:    aws.String("ddblocal"),
		EventID:      aws.String("a8f715d304a8daab894872742a3855b7"),
		EventName:    name,
		EventSource:  aws.String("aws:dynamodb"),
		EventVersion: aws.String("1.1"),
		Dynamodb: &types.StreamRecord{
			ApproximateCreationDateTime: aws.Time(created),
			Keys:                        keys,
			NewImage:                    newImg,
			OldImage:                    oldImg,
			SequenceNumber:              aws.String("000000000000000000042"),
			SizeBytes:                   aws.Int64(76),
			StreamViewType:              types.StreamViewTypeNewAndOldImages,
		},
	}
}

func convertCases() map[string]types.Record {
	keys := map[string]types.AttributeValue{"Location": s("San Diego")}
	oldImg := map[string]types.AttributeValue{"Location": s("San Diego"), "MaxTemp": n("40")}
	ttl := record(types.OperationTypeRemove, keys, nil, oldImg)
	ttl.UserIdentity = &types.Identity{PrincipalId: aws.String("dynamodb.amazonaws.com"), Type: aws.String("Service")}
	keysOnly := record(types.OperationTypeInsert, keys, nil, nil)
	keysOnly.Dynamodb.StreamViewType = types.StreamViewTypeKeysOnly
	escapes := record(types.OperationTypeInsert, map[string]types.AttributeValue{"K": s(`"quoted" \ <b>&amp;</b>`)},
		map[string]types.AttributeValue{"K": s(`"quoted" \ <b>&amp;</b>`), "Text": s("line1\nline2\ttab\x01\u2028 é 雪 \xff")}, nil)
	return map[string]types.Record{
		"insert_all_types": record(types.OperationTypeInsert, keys, allTypes(), nil),
		"modify":           record(types.OperationTypeModify, keys, allTypes(), oldImg),
		"remove":           record(types.OperationTypeRemove, keys, nil, oldImg),
		"remove_ttl":       ttl,
		"keys_only":        keysOnly,
		"escapes":          escapes,
	}
}

func TestConvertRecordGolden(t *testing.T) {
	for name, rec := range convertCases() {
		t.Run(name, func(t *testing.T) {
			got, err := ConvertRecord(rec, testStreamARN, "us-west-2")
			if err != nil {
				t.Fatalf("ConvertRecord(%s) error: %v", name, err)
			}
			if !json.Valid(got.Doc.Bytes()) {
				t.Fatalf("ConvertRecord(%s).JSON = %s; not valid JSON", name, got.Doc.Bytes())
			}
			checkGolden(t, filepath.Join("testdata", "convert", name+".json"), got.Doc.Bytes())
		})
	}
}

// checkGolden compares got with the golden file, rewriting it under -update.
func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, append(bytes.Clone(got), '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden %s: %v (run with -update)", path, err)
	}
	if diff := cmp.Diff(string(bytes.TrimSpace(want)), string(got)); diff != "" {
		t.Errorf("JSON differs from %s (-want +got):\n%s", path, diff)
	}
}

func TestConvertRecordFields(t *testing.T) {
	rec := convertCases()["remove_ttl"]
	got, err := ConvertRecord(rec, testStreamARN, "")
	if err != nil {
		t.Fatal(err)
	}
	want := Record{
		EventID: "a8f715d304a8daab894872742a3855b7", EventName: "REMOVE", SequenceNumber: "000000000000000000042",
		ApproximateCreationDateTime: created, SizeBytes: 76,
	}
	if diff := cmp.Diff(want, got, cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".Doc" }, cmp.Ignore())); diff != "" {
		t.Errorf("ConvertRecord(remove_ttl) fields (-want +got):\n%s", diff)
	}
	// Empty region keeps the record's own.
	var m struct {
		AWSRegion    string            `json:"awsRegion"`
		UserIdentity map[string]string `json:"userIdentity"`
		Dynamodb     struct {
			ApproximateCreationDateTime json.Number
		} `json:"dynamodb"`
	}
	if err := json.Unmarshal(got.Doc.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	if m.AWSRegion != "ddblocal" {
		t.Errorf("ConvertRecord(region \"\").awsRegion = %s; want ddblocal", m.AWSRegion)
	}
	if diff := cmp.Diff(map[string]string{"type": "Service", "principalId": "dynamodb.amazonaws.com"}, m.UserIdentity); diff != "" {
		t.Errorf("userIdentity (-want +got):\n%s", diff)
	}
	if m.Dynamodb.ApproximateCreationDateTime != "1722360292" {
		t.Errorf("ApproximateCreationDateTime = %s; want 1722360292 (epoch seconds)", m.Dynamodb.ApproximateCreationDateTime)
	}
}

func TestConvertRecordErrors(t *testing.T) {
	noSeq := record(types.OperationTypeInsert, nil, nil, nil)
	noSeq.Dynamodb.SequenceNumber = nil
	noID := record(types.OperationTypeInsert, nil, nil, nil)
	noID.EventID = nil
	badName := record("EXPIRE", nil, nil, nil)
	unknown := record(types.OperationTypeInsert, nil, map[string]types.AttributeValue{
		"Outer": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
			"List": &types.AttributeValueMemberL{Value: []types.AttributeValue{s("ok"), &types.UnknownUnionMember{Tag: "X"}}},
		}},
	}, nil)
	tests := []struct {
		name string
		rec  types.Record
		want string
	}{
		{"no sequence number", noSeq, "missing dynamodb.SequenceNumber"},
		{"no dynamodb", types.Record{EventID: aws.String("e1")}, `record "e1": missing dynamodb.SequenceNumber`},
		{"no event ID", noID, "missing eventID"},
		{"bad event name", badName, `eventName "EXPIRE"`},
		{"unknown attribute type", unknown, "NewImage.Outer.List[1]: attribute value of unknown type"},
	}
	for _, tt := range tests {
		_, err := ConvertRecord(tt.rec, testStreamARN, "")
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ConvertRecord(%s) error = %v; want one containing %q", tt.name, err, tt.want)
		}
	}
}

func TestAppendStringMatchesJSON(t *testing.T) {
	for _, in := range []string{"", "plain", `a"b\c`, "<>&", "\x00\x1f\x7f", "é雪\u2028", "bad\xffutf8"} {
		got := appendString(nil, in)
		var back string
		if err := json.Unmarshal(got, &back); err != nil {
			t.Errorf("appendString(%q) = %s; not a JSON string: %v", in, got, err)
			continue
		}
		if want := viaEncodingJSON(t, in); back != want {
			t.Errorf("appendString(%q) decodes to %q; want %q", in, back, want)
		}
	}
}

func TestRefineCreationTime(t *testing.T) {
	minute := time.Date(2026, 11, 25, 20, 10, 0, 0, time.UTC)
	tests := []struct {
		name     string
		ddb, now time.Time
		want     time.Time
	}{
		{"within the minute", minute, minute.Add(18*time.Second + 300*time.Millisecond), minute.Add(18 * time.Second)},
		{"read a later minute keeps the minute", minute, minute.Add(5 * time.Minute), minute},
		{"not on a minute is left alone", minute.Add(7 * time.Second), minute.Add(9 * time.Second), minute.Add(7 * time.Second)},
	}
	for _, tt := range tests {
		rec := types.Record{Dynamodb: &types.StreamRecord{ApproximateCreationDateTime: aws.Time(tt.ddb)}}
		refineCreationTime(&rec, tt.now)
		if got := *rec.Dynamodb.ApproximateCreationDateTime; !got.Equal(tt.want) {
			t.Errorf("refineCreationTime(%s) = %s; want %s", tt.name, got, tt.want)
		}
	}
}

func BenchmarkConvertRecord(b *testing.B) {
	rec := convertCases()["modify"]
	b.ReportAllocs()
	for b.Loop() {
		out, err := ConvertRecord(rec, testStreamARN, "us-west-2")
		if err != nil || len(out.Doc.Bytes()) == 0 {
			b.Fatalf("ConvertRecord: %v", err)
		}
	}
}

// BenchmarkConvertRecordBaseline is the plain way: build the same shape as
// maps and encode it with encoding/json.
func BenchmarkConvertRecordBaseline(b *testing.B) {
	rec := convertCases()["modify"]
	b.ReportAllocs()
	for b.Loop() {
		out, err := json.Marshal(baselineRecord(rec))
		if err != nil || len(out) == 0 {
			b.Fatalf("json.Marshal: %v", err)
		}
	}
}

func baselineRecord(r types.Record) map[string]any {
	d := r.Dynamodb
	return map[string]any{
		"eventID": aws.ToString(r.EventID), "eventName": string(r.EventName), "eventVersion": "1.1",
		"eventSource": "aws:dynamodb", "awsRegion": "us-west-2", "eventSourceARN": testStreamARN,
		"dynamodb": map[string]any{
			"ApproximateCreationDateTime": d.ApproximateCreationDateTime.Unix(),
			"Keys":                        baselineMap(d.Keys), "NewImage": baselineMap(d.NewImage), "OldImage": baselineMap(d.OldImage),
			"SequenceNumber": aws.ToString(d.SequenceNumber), "SizeBytes": aws.ToInt64(d.SizeBytes),
			"StreamViewType": string(d.StreamViewType),
		},
	}
}

func baselineMap(m map[string]types.AttributeValue) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = baselineAttr(v)
	}
	return out
}

func baselineAttr(av types.AttributeValue) map[string]any {
	switch v := av.(type) {
	case *types.AttributeValueMemberS:
		return map[string]any{"S": v.Value}
	case *types.AttributeValueMemberN:
		return map[string]any{"N": v.Value}
	case *types.AttributeValueMemberB:
		return map[string]any{"B": v.Value}
	case *types.AttributeValueMemberBOOL:
		return map[string]any{"BOOL": v.Value}
	case *types.AttributeValueMemberNULL:
		return map[string]any{"NULL": v.Value}
	case *types.AttributeValueMemberSS:
		return map[string]any{"SS": v.Value}
	case *types.AttributeValueMemberNS:
		return map[string]any{"NS": v.Value}
	case *types.AttributeValueMemberBS:
		return map[string]any{"BS": v.Value}
	case *types.AttributeValueMemberM:
		return map[string]any{"M": baselineMap(v.Value)}
	case *types.AttributeValueMemberL:
		l := make([]any, len(v.Value))
		for i, e := range v.Value {
			l[i] = baselineAttr(e)
		}
		return map[string]any{"L": l}
	}
	return nil
}

// TestConvertRecordMatchesBaseline checks the hand-written encoder against
// encoding/json on the same shape: same values, whatever the key order.
func TestConvertRecordMatchesBaseline(t *testing.T) {
	for name, rec := range convertCases() {
		if rec.UserIdentity != nil || rec.Dynamodb.StreamViewType != types.StreamViewTypeNewAndOldImages || name == "escapes" {
			continue // the baseline builds only the common shape
		}
		got, err := ConvertRecord(rec, testStreamARN, "us-west-2")
		if err != nil {
			t.Fatal(err)
		}
		base, err := json.Marshal(baselineRecord(rec))
		if err != nil {
			t.Fatal(err)
		}
		var g, w map[string]any
		_ = json.Unmarshal(got.Doc.Bytes(), &g)
		_ = json.Unmarshal(base, &w)
		// The baseline writes absent images as empty maps; drop them.
		for _, img := range []string{"NewImage", "OldImage"} {
			if m := w["dynamodb"].(map[string]any); len(m[img].(map[string]any)) == 0 {
				delete(m, img)
			}
		}
		if diff := cmp.Diff(w, g); diff != "" {
			t.Errorf("ConvertRecord(%s) differs from encoding/json (-want +got):\n%s", name, diff)
		}
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain", `a"b\c`, "<>&", "\x00\x1f\x7f", "é雪\u2028", "bad\xffutf8"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got := appendString(nil, in)
		var back string
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatalf("appendString(%q) = %s; not a JSON string: %v", in, got, err)
		}
		if want := viaEncodingJSON(t, in); back != want {
			t.Errorf("appendString(%q) decodes to %q; want %q", in, back, want)
		}
	})
}

// viaEncodingJSON is what encoding/json makes of s: each invalid UTF-8 byte
// becomes U+FFFD.
func viaEncodingJSON(t *testing.T, s string) string {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var out string
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}
