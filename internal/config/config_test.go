package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/pipesim/pipesim/internal/httpdest"
	"github.com/pipesim/pipesim/internal/rawjson"
)

func seedLookup(vars map[string]string) Lookup {
	return func(name string) (string, bool) {
		v, ok := vars[name]
		return v, ok
	}
}

var seedEnv = map[string]string{"MOMENTO_API_KEY": "test-key", "MOMENTO_API_ENDPOINT": "http://127.0.0.1:9080"}

func loadSeed(t *testing.T) *Config {
	t.Helper()
	cfg, err := Load("../../testdata/weather-stats/pipes.yaml", Options{Lookup: seedLookup(seedEnv)})
	if err != nil {
		t.Fatalf("Load(seed) = %v", err)
	}
	return cfg
}

func TestLoadSeed(t *testing.T) {
	cfg := loadSeed(t)
	if len(cfg.Pipes) != 3 {
		t.Fatalf("pipes = %d; want 3", len(cfg.Pipes))
	}
	put := cfg.Pipes[0]
	if put.Name != "weather-stats-demo-cache-put-pipe" || put.ARN != "arn:aws:pipes:us-east-1:000000000000:pipe/weather-stats-demo-cache-put-pipe" {
		t.Errorf("pipe 0 = %s %s", put.Name, put.ARN)
	}
	want := StreamParameters{StartingPosition: "LATEST", BatchSize: 1, MaxRetries: 0, MaxRecordAge: -time.Second,
		Parallelization: 1, PartitionKey: "Location", DLQ: &Queue{Name: "weather-stats-demo-dlq", ARN: "arn:aws:sqs:us-east-1:000000000000:weather-stats-demo-dlq"}}
	if d := cmp.Diff(want, put.Stream); d != "" {
		t.Errorf("stream parameters (-want +got):\n%s", d)
	}
	if put.Target.Dest.Endpoint != "http://127.0.0.1:9080/cache/*" || put.Target.Dest.Method != "PUT" {
		t.Errorf("put target = %s %s", put.Target.Dest.Method, put.Target.Dest.Endpoint)
	}
	if put.Template == nil || cfg.Pipes[2].Template != nil {
		t.Error("templates: want one on the put pipe and none on the delete pipe")
	}
	if put.Log != (LogConfig{Level: "INFO", ExecutionData: true, LogGroup: "weather-stats-demo-logs-us-east-1"}) {
		t.Errorf("log config = %+v", put.Log)
	}
	if cfg.Tables[0].StreamViewType != "NEW_AND_OLD_IMAGES" || cfg.Tables[0].HashKey != "Location" {
		t.Errorf("table = %+v", cfg.Tables[0])
	}
	if cfg.Pipes[0].Target.Dest != cfg.Pipes[2].Target.Dest && cfg.Pipes[0].Target.Dest.Name == cfg.Pipes[2].Target.Dest.Name {
		t.Error("destinations with one name are not shared")
	}
}

func TestSeedBuildsRequests(t *testing.T) {
	cfg := loadSeed(t)
	rec := []byte(`{"eventName":"INSERT","dynamodb":{"Keys":{"Location":{"S":"New York"}},"NewImage":{"Location":{"S":"New York"},"TTL":{"N":"120"}}}}`)
	want := []string{
		"http://127.0.0.1:9080/cache/momento-eventbridge-cache?key=New%20York&ttl_seconds=120",
		"http://127.0.0.1:9080/topics/momento-eventbridge-cache/momento-eventbridge-topic",
		"http://127.0.0.1:9080/cache/momento-eventbridge-cache?key=New%20York",
	}
	for i, p := range cfg.Pipes {
		req := new(httpdest.Request)
		p.Target.Build(req, rawjson.New(rec), nil)
		if req.URL != want[i] {
			t.Errorf("%s URL = %s; want %s", p.Name, req.URL, want[i])
		}
		if req.Header.Get("Authorization") != "test-key" {
			t.Errorf("%s Authorization header not set from ${MOMENTO_API_KEY}", p.Name)
		}
	}
}

// TestErrors checks that bad pipes files fail at load with a message naming the object and
// field; each case is a file under testdata/errors/ and its expected message fragments.
func TestErrors(t *testing.T) {
	cases := []struct {
		file string
		want []string
	}{
		{"unknown-destination.yaml", []string{`pipe "p1": Target: unknown API destination "nope"`}},
		{"unknown-connection.yaml", []string{`API destination "d1": ConnectionArn: unknown connection "arn:aws:events:us-east-1:123456789012:connection/missing/abc"`}},
		{"bad-values.yaml", []string{
			`pipe "p1": SourceParameters.DynamoDBStreamParameters.BatchSize: 0: want 1 to 10000`,
			`pipe "p1": SourceParameters.DynamoDBStreamParameters.StartingPosition: "AT_TIMESTAMP": want LATEST or TRIM_HORIZON`,
			`pipe "p1": LogConfiguration.Level: "DEBUG"`,
			`pipe "p1": DesiredState: "PAUSED"`,
			`pipe "p1": SourceParameters.DynamoDBStreamParameters.DeadLetterConfig.Arn: unknown queue "other"`,
		}},
		{"batch-size.yaml", []string{`pipe "p1": SourceParameters.DynamoDBStreamParameters.BatchSize: 10: an API destination target has no batch API`}},
		{"unknown-field.yaml", []string{`line 5: pipe "p1": unknown field Sourc (did you mean Source?)`}},
		{"bad-template.yaml", []string{`pipe "p1": TargetParameters.InputTemplate:`}},
		{"bad-filter.yaml", []string{`pipe "p1": SourceParameters.FilterCriteria.Filters[1].Pattern:`}},
		{"bad-param.yaml", []string{`pipe "p1": TargetParameters.HttpParameters.QueryStringParameters.key:`}},
		{"wildcards.yaml", []string{`pipe "p1": TargetParameters.HttpParameters: PathParameterValues do not match`}},
		{"unset-var.yaml", []string{"line 9: ${PIPESIM_TEST_UNSET} is not set"}},
		{"not-yaml.yaml", []string{"not-yaml.yaml: "}},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			_, err := Load(filepath.Join("testdata", "errors", tc.file), Options{Lookup: seedLookup(nil)})
			if err == nil {
				t.Fatalf("Load(%s) = nil error", tc.file)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Load(%s) error =\n%v\nwant it to contain %q", tc.file, err, w)
				}
			}
		})
	}
}

func TestMissingFile(t *testing.T) {
	_, err := Load("testdata/does-not-exist.yaml", Options{})
	if err == nil || !strings.Contains(err.Error(), "does-not-exist.yaml") {
		t.Errorf("Load(missing) = %v; want an error naming the file", err)
	}
}

func TestJSONAccepted(t *testing.T) {
	cfg, err := Load("testdata/describe-pipe.json", Options{Lookup: seedLookup(nil)})
	if err != nil {
		t.Fatalf("Load(json) = %v", err)
	}
	p := cfg.Pipes[0]
	if p.Source != "arn:aws:dynamodb:us-east-1:123456789012:table/weather-stats-demo/stream/2024-06-05T00:00:00.000" {
		t.Errorf("Source = %s", p.Source)
	}
	if p.TargetARN != "arn:aws:events:us-east-1:123456789012:api-destination/d1/0b8c2f5e-1111-2222-3333-444455556666" {
		t.Errorf("TargetARN = %s", p.TargetARN)
	}
}

func TestDotEnv(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, ".env")
	content := "# comment\nexport A=1\nB = \"two words\"\nC='x=y'\n\nD=\n"
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := ReadDotEnv(path)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"A": "1", "B": "two words", "C": "x=y", "D": ""}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("ReadDotEnv (-want +got):\n%s", d)
	}
	if err := os.WriteFile(path, []byte("A=1\nnot a var\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadDotEnv(path); err == nil || !strings.Contains(err.Error(), ".env:2") {
		t.Errorf("ReadDotEnv(bad) = %v; want an error at line 2", err)
	}
}

func FuzzParse(f *testing.F) {
	seed, err := os.ReadFile("../../testdata/weather-stats/pipes.yaml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte("Pipes: [{Name: p}]"))
	f.Add([]byte("{\"Pipes\": 1}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse("fuzz.yaml", data, Options{Lookup: seedLookup(seedEnv)})
		if err == nil && len(cfg.Pipes) == 0 {
			t.Errorf("Parse accepted a file with no pipes")
		}
	})
}

func TestSourceStreamARN(t *testing.T) {
	const file = `
Connections:
  - {Name: c1, AuthorizationType: API_KEY, AuthParameters: {ApiKeyAuthParameters: {ApiKeyName: Authorization, ApiKeyValue: k}}}
ApiDestinations:
  - {Name: d1, ConnectionArn: c1, InvocationEndpoint: "http://h/x", HttpMethod: POST}
Tables:
  - {TableName: weather, AttributeDefinitions: [{AttributeName: City, AttributeType: S}], KeySchema: [{AttributeName: City, KeyType: HASH}]}
Pipes:
  - {Name: p1, Source: "%s", SourceParameters: {DynamoDBStreamParameters: {StartingPosition: LATEST}}, Target: d1}
`
	cfg, err := Parse("t.yaml", []byte(fmt.Sprintf(file, "arn:aws:dynamodb:ddblocal:000000000000:table/weather/stream/2026-11-25T20:00:00.000")), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Pipes[0].Stream.PartitionKey; got != "City" {
		t.Errorf("PartitionKey = %q; want the declared table's hash key City", got)
	}
	_, err = Parse("t.yaml", []byte(fmt.Sprintf(file, "arn:aws:dynamodb:us-east-1:123:table/weather/stream/x")), Options{})
	if err == nil || !strings.Contains(err.Error(), `pipe "p1": Source:`) || !strings.Contains(err.Error(), "account") {
		t.Errorf("Parse(bad stream ARN) = %v; want an error naming the pipe, Source and the account", err)
	}
}

// TestOrigin: with Options.Origin, messages name an object as its origin does (a CloudFormation
// resource's logical ID and property path) instead of pipesim's own `pipe "NAME"`.
func TestOrigin(t *testing.T) {
	const file = `
Tables:
  - {TableName: weather, AttributeDefinitions: [{AttributeName: City, AttributeType: X}], KeySchema: [{AttributeName: City, KeyType: HASH}]}
Connections:
  - {Name: c1, AuthorizationType: BASIC, AuthParameters: {}}
  - {Name: c2, AuthorizationType: API_KEY, AuthParameters: {ApiKeyAuthParameters: {ApiKeyName: k, ApiKeyValue: v}}}
ApiDestinations:
  - {Name: d1, ConnectionArn: c2, InvocationEndpoint: "ftp://h/x", HttpMethod: POST}
Pipes:
  - {Name: p1, Source: weather, SourceParameters: {DynamoDBStreamParameters: {StartingPosition: LATEST, BatchSize: 0}}, Target: d1}
  - {Name: p2, Source: weather, SourceParameters: {DynamoDBStreamParameters: {StartingPosition: LATEST, BatchSize: 0}}, Target: d1}
`
	origin := func(kind, name string) (string, string, bool) {
		if name == "p2" {
			return "", "", false
		}
		return "Res_" + strings.ReplaceAll(kind, " ", "") + "_" + name, "Properties.", true
	}
	_, err := Parse("t.yaml", []byte(file), Options{Origin: origin})
	if err == nil {
		t.Fatal("Parse = nil error")
	}
	for _, want := range []string{
		"Res_table_weather: Properties.AttributeDefinitions: \"City\" has AttributeType \"X\"",
		"Res_connection_c1: Properties.AuthParameters.BasicAuthParameters: missing for AuthorizationType BASIC",
		"Res_APIdestination_d1: Properties.InvocationEndpoint: invalid InvocationEndpoint \"ftp://h/x\"",
		"Res_pipe_p1: Properties.SourceParameters.DynamoDBStreamParameters.BatchSize: 0: want 1 to 10000",
		`pipe "p2": SourceParameters.DynamoDBStreamParameters.BatchSize: 0: want 1 to 10000`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Parse error =\n%v\nwant it to contain %s", err, want)
		}
	}
}
