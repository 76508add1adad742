package config

import (
	"strings"
	"testing"
)

const msgHead = `Connections:
  - {Name: c1, AuthorizationType: API_KEY, AuthParameters: {ApiKeyAuthParameters: {ApiKeyName: Authorization, ApiKeyValue: k}}}
ApiDestinations:
  - {Name: d1, ConnectionArn: c1, InvocationEndpoint: "http://h/x", HttpMethod: POST}
`

// TestMessages checks whole messages for bad pipes files: each names the line, the object and the
// field, says types in words (never Go's names), suggests a known field for an unknown one,
// reports a problem inside a YAML anchor once, and places a template's error in the pipes file.
func TestMessages(t *testing.T) {
	cases := []struct {
		name, file, want string
	}{
		{"empty", "", "m.yaml: the file is empty: a pipes file declares its Pipes"},
		{"only comments", "# nothing yet\n\n", "m.yaml: the file is empty"},
		{"type", msgHead + `Pipes:
  - Name: p1
    Source: table1
    SourceParameters: {DynamoDBStreamParameters: {StartingPosition: LATEST, BatchSize: abc}}
    Target: d1
`, `m.yaml: line 8: pipe "p1": SourceParameters.DynamoDBStreamParameters.BatchSize: "abc" is a string, want a whole number`},
		{"long value", msgHead + `Pipes:
  - Name: p1
    Source: table1
    SourceParameters: {DynamoDBStreamParameters: {StartingPosition: LATEST, MaximumRetryAttempts: three-times-at-most}}
    Target: d1
`, `m.yaml: line 8: pipe "p1": SourceParameters.DynamoDBStreamParameters.MaximumRetryAttempts: "three-t..." is a string, want a whole number`},
		{"type through a variable", msgHead + `Pipes:
  - Name: p1
    Source: table1
    SourceParameters: {DynamoDBStreamParameters: {StartingPosition: LATEST, BatchSize: "${SIZE}"}}
    Target: d1
`, `m.yaml: line 8: pipe "p1": SourceParameters.DynamoDBStreamParameters.BatchSize: "ten" is a string, want a whole number`},
		{"anchor", msgHead + `Pipes:
  - Name: p1
    Source: table1
    SourceParameters:
      DynamoDBStreamParameters: &sp
        StartingPosition: LATEST
        BatchSize: abc
    Target: d1
  - {Name: p2, Source: table1, SourceParameters: {DynamoDBStreamParameters: *sp}, Target: d1}
  - {Name: p3, Source: table1, SourceParameters: {DynamoDBStreamParameters: *sp}, Target: d1}
`, `m.yaml: line 11: pipe "p1": SourceParameters.DynamoDBStreamParameters.BatchSize: "abc" is a string, want a whole number`},
		{"list for a string", msgHead + `Pipes:
  - {Name: p1, Source: [table1], SourceParameters: {DynamoDBStreamParameters: {StartingPosition: LATEST}}, Target: d1}
`, `m.yaml: line 6: pipe "p1": Source: the value is a list, want a string`},
		{"mapping for a list", msgHead + "Pipes: {Name: p1}\n", `m.yaml: line 5: Pipes: the value is a mapping, want a list`},
		{"not a mapping", "- a\n- b\n", `m.yaml: line 1: the value is a list, want a mapping`},
		{"unknown field", msgHead + `Pipes:
  - Name: p1
    Source: table1
    SourceParameters: {DynamoDBStreamParameters: {StartingPosition: LATEST}}
    Target: d1
    TargetParameters:
      InputTemplte: '{}'
`, `m.yaml: line 11: pipe "p1": TargetParameters: unknown field InputTemplte (did you mean InputTemplate?)`},
		{"unknown field, case", msgHead + `Pipes:
  - Name: p1
    source: table1
`, `m.yaml: line 7: pipe "p1": unknown field source (did you mean Source?)`},
		{"unknown top-level field", "Pipe:\n  - Name: p1\n", `m.yaml: line 1: unknown field Pipe (did you mean Pipes?)`},
		{"unknown field, nothing near", msgHead + "Pipes:\n  - Name: p1\n    Colour: blue\n", `m.yaml: line 7: pipe "p1": unknown field Colour`},
		{"template, double-quoted", msgHead + `Pipes:
  - Name: p1
    Source: table1
    SourceParameters: {DynamoDBStreamParameters: {StartingPosition: LATEST}}
    Target: d1
    TargetParameters:
      InputTemplate: "{\n  \"a\": <$.dynamodb.Keys.A.S>,\n  \"b\": <$.dynamodb..B>\n}"
`, `m.yaml: line 11, column 80: pipe "p1": TargetParameters.InputTemplate: path "$.dynamodb..B": empty name after .`},
		{"template, literal block", msgHead + `Pipes:
  - Name: p1
    Source: table1
    SourceParameters: {DynamoDBStreamParameters: {StartingPosition: LATEST}}
    Target: d1
    TargetParameters:
      InputTemplate: |
        {
          "a": <$.dynamodb.Keys.A.S>,
          "b": <aws.pipes.nope>
        }
`, `m.yaml: line 14, column 16: pipe "p1": TargetParameters.InputTemplate: unknown placeholder <aws.pipes.nope>`},
		{"parameter", msgHead + `Pipes:
  - Name: p1
    Source: table1
    SourceParameters: {DynamoDBStreamParameters: {StartingPosition: LATEST}}
    Target: d1
    TargetParameters:
      HttpParameters:
        PathParameterValues: ['$.dynamodb.Keys[x]']
`, `m.yaml: line 12, column 48: pipe "p1": TargetParameters.HttpParameters.PathParameterValues[0]: path "$.dynamodb.Keys[x]": [x] is neither an index nor *`},
		{"field line", msgHead + `Pipes:
  - Name: p1
    Source: table1
    SourceParameters:
      DynamoDBStreamParameters:
        StartingPosition: NOW
    Target: d1
`, `m.yaml: line 10: pipe "p1": SourceParameters.DynamoDBStreamParameters.StartingPosition: "NOW": want LATEST or TRIM_HORIZON`},
		{"missing field: the object's line", msgHead + `Pipes:
  - Name: p1
    Source: table1
    Target: d1
`, `m.yaml: line 6: pipe "p1": SourceParameters.DynamoDBStreamParameters: missing`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("m.yaml", []byte(tc.file), Options{Lookup: seedLookup(map[string]string{"SIZE": "ten"})})
			if err == nil {
				t.Fatal("Parse = nil error")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Parse error =\n%v\nwant it to contain\n%s", err, tc.want)
			}
			for _, goName := range []string{"config.", "into ", " int", "[]string", "*template", "Options."} {
				if strings.Contains(err.Error(), goName) {
					t.Errorf("Parse error names a Go identifier (%q):\n%v", goName, err)
				}
			}
			if strings.Count(err.Error(), "is a string, want") > 1 {
				t.Errorf("Parse error repeats itself:\n%v", err)
			}
		})
	}
}

func TestSuggest(t *testing.T) {
	known := []string{"InputTemplate", "HttpParameters"}
	for in, want := range map[string]string{"InputTemplte": "InputTemplate", "inputtemplate": "InputTemplate", "HTTPParameters": "HttpParameters", "Body": ""} {
		if got := suggest(in, known); got != want {
			t.Errorf("suggest(%q) = %q; want %q", in, got, want)
		}
	}
}
