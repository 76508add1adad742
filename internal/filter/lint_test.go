package filter

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestWarnings(t *testing.T) {
	type w struct {
		Kind       WarningKind
		Path, Want string
	}
	tests := []struct {
		name    string
		pattern string
		want    []w
	}{
		{"seed", `{"eventName": ["INSERT", "MODIFY"]}`, nil},
		{"typed attribute", `{"dynamodb": {"NewImage": {"Location": {"S": ["San Diego"]}}}}`, nil},
		{"exists on an attribute type", `{"dynamodb": {"NewImage": {"TTL": {"N": [{"exists": true}]}}}}`, nil},
		{"exists false on an attribute", `{"dynamodb": {"NewImage": {"TTL": [{"exists": false}]}}}`, nil},
		{"numeric on a number field", `{"dynamodb": {"SizeBytes": [{"numeric": [">", 10]}]}}`, nil},
		{"nested map and list", `{"dynamodb": {"NewImage": {"a": {"M": {"b": {"L": {"S": ["x"]}}}}}}}`, nil},
		{"numeric on N", `{"dynamodb": {"NewImage": {"MaxTemp": {"N": [{"numeric": [">", 1]}]}}}}`,
			[]w{{WarnNumberOnString, "dynamodb.NewImage.MaxTemp.N", ""}}},
		{"number on N", `{"dynamodb": {"Keys": {"Id": {"N": [101]}}}}`,
			[]w{{WarnNumberOnString, "dynamodb.Keys.Id.N", `"101"`}}},
		{"poller field", `{"eventSource": ["aws:dynamodb"]}`, []w{{WarnPollerField, "eventSource", ""}}},
		{"case", `{"eventname": ["INSERT"]}`, []w{{WarnFieldCase, "eventname", "eventName"}}},
		{"nested case", `{"dynamodb": {"newImage": {"a": {"S": ["x"]}}}}`, []w{{WarnFieldCase, "dynamodb.newImage", "dynamodb.NewImage"}}},
		{"type case", `{"dynamodb": {"NewImage": {"a": {"s": ["x"]}}}}`, []w{{WarnFieldCase, "dynamodb.NewImage.a.s", "dynamodb.NewImage.a.S"}}},
		{"bus field", `{"detail": {"x": ["y"]}}`, []w{{WarnNoSuchField, "detail", ""}}},
		{"dynamodb field", `{"dynamodb": {"Image": {"a": {"S": ["x"]}}}}`, []w{{WarnNoSuchField, "dynamodb.Image", ""}}},
		{"not a type", `{"dynamodb": {"NewImage": {"a": {"STRING": ["x"]}}}}`, []w{{WarnNoSuchField, "dynamodb.NewImage.a.STRING", ""}}},
		{"below a string", `{"eventName": {"x": ["y"]}}`, []w{{WarnNoSuchField, "eventName", ""}}},
		{"untyped", `{"dynamodb": {"NewImage": {"Location": ["San Diego"]}}}`,
			[]w{{WarnUntypedAttribute, "dynamodb.NewImage.Location", "dynamodb.NewImage.Location.S"}}},
		{"exists on an image", `{"dynamodb": {"NewImage": [{"exists": true}]}}`, []w{{WarnNotALeaf, "dynamodb.NewImage", ""}}},
		{"in $or", `{"$or": [{"eventName": ["INSERT"]}, {"eventname": ["MODIFY"]}]}`, []w{{WarnFieldCase, "eventname", "eventName"}}},
		{"dotted key", `{"dynamodb.NewImage.a.N": [{"numeric": ["<", 3]}]}`, []w{{WarnNumberOnString, "dynamodb.NewImage.a.N", ""}}},
	}
	for _, tt := range tests {
		f, err := CompileFilters([]string{tt.pattern}, Options{})
		if err != nil {
			t.Errorf("%s: CompileFilters(%s) = %v", tt.name, tt.pattern, err)
			continue
		}
		var got []w
		for _, x := range f.Warnings() {
			got = append(got, w{x.Kind, x.Path, x.Want})
			if x.Filter != 0 || x.Reason == "" {
				t.Errorf("%s: warning %+v: want filter 0 and a reason", tt.name, x)
			}
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s: Warnings(%s) mismatch (-want +got):\n%s", tt.name, tt.pattern, diff)
		}
	}
}

func TestRecordPathWarning(t *testing.T) {
	tests := []struct {
		steps []string
		kind  WarningKind
	}{
		{[]string{"dynamodb", "NewImage", "MaxTemp", "N"}, 0},
		{[]string{"eventSource"}, 0}, // a template sees the poller's fields
		{[]string{"dynamodb", "Keys"}, 0},
		{[]string{"dynamodb", "NewImage", "tags", "L", "S"}, 0},
		{[]string{"detail", "x"}, WarnNoSuchField},
		{[]string{"dynamodb", "newImage", "x"}, WarnFieldCase},
		{[]string{"eventName", "x"}, WarnNoSuchField},
	}
	for _, tt := range tests {
		w, ok := RecordPathWarning(tt.steps)
		if ok != (tt.kind != 0) || w.Kind != tt.kind {
			t.Errorf("RecordPathWarning(%q) = %+v, %t; want kind %d", tt.steps, w, ok, tt.kind)
		}
	}
}

func TestMayMatch(t *testing.T) {
	remove := Facts{Values: map[string]string{"eventName": "REMOVE"}, Absent: []string{"dynamodb.NewImage"}}
	noTTL := Facts{Absent: []string{"dynamodb.NewImage.TTL"}}
	tests := []struct {
		patterns []string
		facts    Facts
		want     bool
	}{
		{nil, remove, true},
		{[]string{`{"eventName": ["INSERT", "MODIFY"]}`}, remove, false},
		{[]string{`{"eventName": ["REMOVE"]}`}, remove, true},
		{[]string{`{"eventName": ["INSERT"]}`, `{"eventName": ["REMOVE"]}`}, remove, true},
		{[]string{`{"eventName": [{"anything-but": "REMOVE"}]}`}, remove, false},
		{[]string{`{"eventName": [{"prefix": "RE"}]}`}, remove, true},
		{[]string{`{"dynamodb": {"NewImage": {"a": {"S": ["x"]}}}}`}, remove, false},
		{[]string{`{"dynamodb": {"NewImage": {"a": {"S": [{"exists": false}]}}}}`}, remove, true},
		{[]string{`{"$or": [{"eventName": ["INSERT"]}, {"dynamodb": {"NewImage": {"a": {"S": ["x"]}}}}]}`}, remove, false},
		{[]string{`{"$or": [{"eventName": ["INSERT"]}, {"userIdentity": {"type": ["Service"]}}]}`}, remove, true},
		{[]string{`{"eventName": ["INSERT", "MODIFY"]}`}, noTTL, true},
		{[]string{`{"dynamodb": {"NewImage": {"TTL": {"N": [{"exists": true}]}}}}`}, noTTL, false},
		{[]string{`{"eventSource": [{"exists": true}]}`}, Facts{}, false}, // the poller's fields are absent
	}
	for _, tt := range tests {
		f, err := CompileFilters(tt.patterns, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if got := f.MayMatch(tt.facts); got != tt.want {
			t.Errorf("Filters(%q).MayMatch(%+v) = %t; want %t", tt.patterns, tt.facts, got, tt.want)
		}
	}
}

func TestExampleStrings(t *testing.T) {
	tests := []struct {
		patterns []string
		want     map[string]string
	}{
		{nil, nil},
		{[]string{`{"eventName": ["INSERT", "MODIFY"]}`}, map[string]string{"eventName": "INSERT"}},
		{[]string{`{"dynamodb": {"NewImage": {"status": {"S": ["big", "huge"]}, "total": {"N": [{"numeric": [">", 100]}]}}}}`, `{"eventName": ["REMOVE"]}`},
			map[string]string{"dynamodb.NewImage.status.S": "big"}},
		{[]string{`{"$or": [{"eventName": ["INSERT"]}, {"eventName": ["REMOVE"]}], "dynamodb": {"Keys": {"id": {"S": [{"prefix": "a"}]}}}}`},
			map[string]string{"eventName": "INSERT"}},
	}
	for _, tt := range tests {
		f, err := CompileFilters(tt.patterns, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if got := f.ExampleStrings(); !cmp.Equal(got, tt.want) {
			t.Errorf("Filters(%q).ExampleStrings() = %v; want %v", tt.patterns, got, tt.want)
		}
	}
}
