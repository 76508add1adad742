package cfn

import (
	"bytes"
	"encoding/base64"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pipesim/pipesim/internal/config"
	"github.com/pipesim/pipesim/internal/httpdest"
	"github.com/pipesim/pipesim/internal/rawjson"
)

var update = flag.Bool("update", false, "rewrite golden files")

const seedTemplate = "../../testdata/weather-stats/weather-stats.template.json"

var seedParameters = map[string]string{"MomentoApiKey": "test-api-key", "MomentoApiEndpoint": "https://api.cache.cell-4-us-west-2-1.prod.a.momentohq.com"}

// momentoBind is what --momento-parameters MomentoApiEndpoint,MomentoApiKey gives.
var momentoBind = map[string]string{"MomentoApiEndpoint": "MOMENTO_API_ENDPOINT", "MomentoApiKey": "MOMENTO_API_KEY"}

func noEnv(string) (string, bool) { return "", false }

// body is a pipes file without its header comment, which names the template.
func body(file []byte) string {
	_, rest, _ := strings.Cut(string(file), "\nRegion:")
	return "Region:" + rest
}

// TestSeedConvert is `pipesim convert` of the seed's template: the pipes file is golden, and it
// reads as the hand-written testdata/weather-stats/pipes.yaml does.
func TestSeedConvert(t *testing.T) {
	r, err := Load(seedTemplate, Options{Bind: momentoBind, Lookup: noEnv})
	if err != nil {
		t.Fatal(err)
	}
	golden := "testdata/seed-convert.golden.yaml"
	if *update {
		if err := os.WriteFile(golden, r.File, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(string(want), string(r.File)); d != "" {
		t.Errorf("convert (-want +got):\n%s", d)
	}
	env := map[string]string{"MOMENTO_API_ENDPOINT": "http://127.0.0.1:9", "MOMENTO_API_KEY": "k"}
	lookup := func(n string) (string, bool) { v, ok := env[n]; return v, ok }
	got, err := r.Config(config.Options{Lookup: lookup})
	if err != nil {
		t.Fatal(err)
	}
	hand, err := config.Load("../../testdata/weather-stats/pipes.yaml", config.Options{Lookup: lookup})
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range hand.Pipes {
		g := got.Pipes[i]
		if d := cmp.Diff(p.Stream, g.Stream); d != "" {
			t.Errorf("pipe %s: stream parameters (-pipes.yaml +template):\n%s", p.Name, d)
		}
		if g.Name != p.Name || g.Source != p.Source || g.TemplateText != p.TemplateText || g.Log != p.Log ||
			g.Target.Dest.Endpoint != p.Target.Dest.Endpoint || g.Target.Dest.Method != p.Target.Dest.Method || g.Running != p.Running {
			t.Errorf("pipe %d from the template = %+v; want %+v as pipes.yaml has it", i, g, p)
		}
	}
	if d := cmp.Diff(hand.Tables, got.Tables); d != "" {
		t.Errorf("tables (-pipes.yaml +template):\n%s", d)
	}
	if d := cmp.Diff(hand.Caches, got.Caches); d != "" {
		t.Errorf("caches (-pipes.yaml +template):\n%s", d)
	}
	if strings.Contains(string(r.File), "test-api-key") {
		t.Error("the secret's value is in the pipes file")
	}
}

// TestYAMLShortForms: the seed written in YAML with short-form tags reads into the same pipes
// file as the JSON that cdk synth wrote.
func TestYAMLShortForms(t *testing.T) {
	opts := Options{Parameters: seedParameters, Lookup: noEnv, Stack: "s"}
	fromJSON, err := Load(seedTemplate, opts)
	if err != nil {
		t.Fatal(err)
	}
	fromYAML, err := Load("testdata/weather-stats.template.yaml", opts)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(body(fromJSON.File), body(fromYAML.File)); d != "" {
		t.Errorf("YAML template's pipes file (-JSON +YAML):\n%s", d)
	}
	for _, r := range []*Result{fromJSON, fromYAML} {
		if v, ok := r.Lookup("MOMENTO_EVENTBRIDGE_API_KEY"); !ok || v != "test-api-key" {
			t.Errorf("%s: secret MOMENTO_EVENTBRIDGE_API_KEY = %q, %v; want the MomentoApiKey parameter", r.Name, v, ok)
		}
	}
}

// TestSeedErrors: the example, a BatchSize AWS refuses for an API destination target,
// is reported by config with the resource's logical ID and the property path.
func TestSeedErrors(t *testing.T) {
	data, err := os.ReadFile(seedTemplate)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ from, to, want string }{
		{`"BatchSize": 1,`, `"BatchSize": 20,`, `weatherstatsdemocacheputpipe: Properties.SourceParameters.DynamoDBStreamParameters.BatchSize: 20: an API destination target has no batch API`},
		{`"BatchSize": 1,`, `"BatchSize": "many",`, `weatherstatsdemocacheputpipe: Properties.SourceParameters.DynamoDBStreamParameters.BatchSize: "many": want a whole number`},
		{`"StartingPosition": "LATEST"`, `"StartingPosition": "AT_TIMESTAMP"`, `weatherstatsdemocacheputpipe: Properties.SourceParameters.DynamoDBStreamParameters.StartingPosition: "AT_TIMESTAMP": want LATEST or TRIM_HORIZON`},
		{`"HttpMethod": "PUT"`, `"HttpMethod": "FETCH"`, `weatherstatsdemocacheputapidestinationApiDestination76F85E80: Properties.HttpMethod: invalid HttpMethod "FETCH"`},
		{`"StreamViewType": "NEW_AND_OLD_IMAGES"`, `"StreamViewType": "ALL"`, `weatherstatsdemotableC1B79871: Properties.StreamSpecification.StreamViewType: "ALL"`},
		{`"AuthorizationType": "API_KEY"`, `"AuthorizationType": "BASIC"`, `weatherstatsdemoconnectionConnection184E5841: Properties.AuthParameters.BasicAuthParameters: missing for AuthorizationType BASIC`},
		{`"DesiredState": "RUNNING"`, `"DesiredState": "RUNNING", "Enrichment": "arn:aws:lambda:us-east-1:000000000000:function:f"`, `weatherstatsdemocacheputpipe: Properties.Enrichment: enrichment is not supported by pipesim yet`},
		{`"DesiredState": "RUNNING"`, `"DesiredState": "RUNNING", "Bogus": 1`, `weatherstatsdemocacheputpipe: Properties.Bogus: unknown property`},
		{`"InputTemplate": "{\n  \"Location\"`, `"SqsQueueParameters": {"MessageGroupId": "g"}, "InputTemplate": "{\n  \"Location\"`, `weatherstatsdemocacheputpipe: Properties.TargetParameters.SqsQueueParameters: not supported by pipesim`},
		{`"RoleArn": {`, `"Description": {"a": 1}, "RoleArn": {`, `weatherstatsdemocacheputpipe: Properties.Description: want a string, got a mapping`},
		{`"Ref": "MomentoApiEndpoint"`, `"Ref": "MomentoApiEndpointX"`, `weatherstatsdemocacheputapidestinationApiDestination76F85E80: Properties.InvocationEndpoint.Fn::Join[1][0].Ref: Ref MomentoApiEndpointX: no parameter or resource of that name`},
		{`"DependsOn": [`, `"DependsOn": ["Nope", `, `weatherstatsdemocacheputpipe: DependsOn: Nope: no resource of that name`},
	} {
		t.Run(tc.to, func(t *testing.T) {
			changed := bytes.Replace(data, []byte(tc.from), []byte(tc.to), 1)
			if bytes.Equal(changed, data) {
				t.Fatalf("%q is not in the template", tc.from)
			}
			r, err := Read("seed.json", changed, Options{Parameters: seedParameters, Lookup: noEnv})
			if err == nil {
				_, err = r.Config(config.Options{})
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v\nwant it to contain %s", err, tc.want)
			}
		})
	}
}

// TestTemplateErrors: templates CloudFormation would refuse, or that pipesim cannot run.
func TestTemplateErrors(t *testing.T) {
	for _, tc := range []struct{ name, tmpl, want string }{
		{"cycle", `
Resources:
  A: {Type: AWS::SQS::Queue, Properties: {QueueName: !GetAtt B.QueueName}}
  B: {Type: AWS::SQS::Queue, Properties: {QueueName: !Sub "${C}"}}
  C: {Type: AWS::SQS::Queue, Properties: {QueueName: !Ref A}}`, `A: circular dependency: A -> B -> C -> A`},
		{"self reference", `
Resources:
  A: {Type: AWS::SQS::Queue, Properties: {QueueName: !GetAtt A.QueueName}}`, `A: circular dependency: A -> A`},
		{"missing parameters", `
Parameters: {X: {Type: String}, Y: {Type: Number}, Z: {Type: String, Default: z}}
Resources: {}`, `parameters without a value: X, Y (give them with --parameter-overrides`},
		{"parameter without Type", `
Parameters: {X: {Default: x}}
Resources: {}`, `Parameters.X: Type: missing`},
		{"unknown section", "Resource: {}\n", `line 1: unknown section Resource`},
		{"no resources", "Parameters: {}\n", `Resources: missing`},
		{"unknown tag", "Resources: {A: {Type: AWS::SQS::Queue, Properties: {QueueName: !Reff X}}}\n", `line 1: unknown tag !Reff`},
		{"duplicate key", "Resources:\n  A: {Type: AWS::SQS::Queue}\n  A: {Type: AWS::SQS::Queue}\n", `line 3: A defined twice`},
		{"not YAML", "Resources: [", `not JSON or YAML`},
		{"not a mapping", "- a\n", `not a mapping of sections`},
		{"YAML alias", "Mappings: {a: &x {k: {v: 1}}, b: *x}\nResources: {}\n", `line 1: YAML aliases are not allowed in CloudFormation templates`},
		{"no Type", "Resources: {A: {Properties: {}}}\n", `A: Type: missing`},
		{"unsupported transform", "Transform: AWS::Include\nResources: {}\n", `Transform AWS::Include: not supported by pipesim`},
		{"condition unknown", "Resources: {A: {Type: AWS::SQS::Queue, Condition: Nope}}\n", `A: Condition: unknown condition "Nope"`},
		{"unknown SSM parameter", `
Parameters: {P: {Type: "AWS::SSM::Parameter::Value<String>", Default: /app/endpoint}}
Resources: {}`, `Parameters.P: SSM parameter "/app/endpoint" has no value here: give it with --parameter-overrides /app/endpoint=VALUE or the environment variable APP_ENDPOINT`},
		{"unsupported dynamic reference", `
Resources:
  C: {Type: AWS::Events::Connection, Properties: {Name: c, AuthorizationType: API_KEY, AuthParameters: {ApiKeyAuthParameters: {ApiKeyName: k, ApiKeyValue: "{{resolve:vault:x}}"}}}}`, `C: Properties.AuthParameters.ApiKeyAuthParameters.ApiKeyValue: {{resolve:vault:x}}: dynamic references to "vault" are not supported`},
		{"required property", `
Resources:
  P: {Type: AWS::Pipes::Pipe, Properties: {Source: s, Target: t}}`, `P: Properties.RoleArn: required property missing`},
		{"secret nowhere", `
Resources:
  C: {Type: AWS::Events::Connection, Properties: {Name: c, AuthorizationType: API_KEY, AuthParameters: {ApiKeyAuthParameters: {ApiKeyName: k, ApiKeyValue: "{{resolve:secretsmanager:prod/api-key}}"}}}}`, `C: Properties.AuthParameters.ApiKeyAuthParameters.ApiKeyValue: {{resolve:secretsmanager:prod/api-key}}: secret "prod/api-key" is not in the template: give it with --secret prod/api-key=VALUE or the environment variable PROD_API_KEY`},
		{"secret in a message", `
Parameters: {Key: {Type: String, NoEcho: true, Default: s3cr3t}}
Resources:
  Q: {Type: AWS::SQS::Queue, Properties: {QueueName: q, DelaySeconds: !Ref Key}}`, `Q: Properties.DelaySeconds: "${Key}": want a whole number`},
		{"secret without the key", `
Resources:
  S: {Type: AWS::SecretsManager::Secret, Properties: {Name: s, SecretString: '{"user":"u"}'}}
  C: {Type: AWS::Events::Connection, Properties: {Name: c, AuthorizationType: API_KEY, AuthParameters: {ApiKeyAuthParameters: {ApiKeyName: k, ApiKeyValue: "{{resolve:secretsmanager:s:SecretString:password}}"}}}}`, `secret s: no key "password" in its JSON`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Read("t.yaml", []byte(tc.tmpl), Options{Lookup: noEnv})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Read = %v\nwant an error containing %s", err, tc.want)
			}
		})
	}
}

// designTemplate is a small design with the parts a test varies.
const designTemplate = `
Transform: AWS::Serverless-2016-10-31
Parameters:
  Env: {Type: String, Default: dev}
  Password: {Type: String, NoEcho: true}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Fn: {Type: AWS::Serverless::Function, Properties: {Runtime: nodejs20.x}}
  Table:
    Type: AWS::DynamoDB::GlobalTable
    Properties:
      AttributeDefinitions: [{AttributeName: pk, AttributeType: S}, {AttributeName: gsi, AttributeType: N}]
      KeySchema: [{AttributeName: pk, KeyType: HASH}]
      Replicas: [{Region: us-west-2}]
      StreamSpecification: {StreamViewType: NEW_IMAGE}
      TimeToLiveSpecification: {AttributeName: expires, Enabled: true}
  Fifo: {Type: AWS::SQS::Queue, Properties: {FifoQueue: true}}
  ProdOnly: {Type: AWS::SQS::Queue, Condition: IsProd}
  Auth:
    Type: AWS::SecretsManager::Secret
    Properties:
      Name: app/auth
      GenerateSecretString: {SecretStringTemplate: '{"user":"app"}', GenerateStringKey: password, PasswordLength: 20, ExcludePunctuation: true}
  Conn:
    Type: AWS::Events::Connection
    Properties:
      AuthorizationType: BASIC
      AuthParameters:
        BasicAuthParameters:
          Username: "{{resolve:secretsmanager:app/auth:SecretString:user}}"
          Password: "{{resolve:secretsmanager:app/auth:SecretString:password}}"
        InvocationHttpParameters:
          HeaderParameters:
            - {Key: X-Token, Value: !Sub "t=${Password}", IsValueSecret: "true"}
            - {Key: X-External, Value: "{{resolve:secretsmanager:external:SecretString:::}}"}
            - {Key: X-Price, Value: "$5 or ${!x}"}
  Dest:
    Type: AWS::Events::ApiDestination
    Properties:
      ConnectionArn: !GetAtt Conn.Arn
      InvocationEndpoint: https://api.example.com/items/*
      HttpMethod: POST
      InvocationRateLimitPerSecond: "10"
  Pipe:
    Type: AWS::Pipes::Pipe
    Properties:
      RoleArn: !GetAtt FnRole.Arn
      Source: !GetAtt Table.StreamArn
      SourceParameters:
        DynamoDBStreamParameters: {StartingPosition: TRIM_HORIZON}
      Target: !GetAtt Dest.Arn
      TargetParameters:
        HttpParameters: {PathParameterValues: [$.dynamodb.Keys.pk.S]}
`

func TestDesign(t *testing.T) {
	r, err := Read("design.yaml", []byte(designTemplate), Options{Stack: "app", Parameters: map[string]string{"Password": "pw$1"},
		Secrets: map[string]string{"external": "ext-value"}, Lookup: noEnv})
	if err != nil {
		t.Fatal(err)
	}
	file := body(r.File)
	for _, want := range []string{
		"TableName: app-Table-", // a name made up as CloudFormation makes one
		"AttributeName: pk\n        AttributeType: S\n    KeySchema", // gsi is not a key: dropped
		"TimeToLiveSpecification:\n      AttributeName: expires\n      Enabled: true",
		"Name: app-Conn-",
		"Username: ${APP_AUTH_USER}",
		"Password: ${APP_AUTH_PASSWORD}",
		"Value: t=${Password}",
		"IsValueSecret: true\n            Key: X-External\n            Value: ${EXTERNAL}", // a secret: redacted like the key
		"Value: $5 or $${!x}", // not in Fn::Sub: ${!x} is literal text
		"InvocationRateLimitPerSecond: 10",
		"Source: app-Table-",
		"StartingPosition: TRIM_HORIZON",
	} {
		if !strings.Contains(file, want) {
			t.Errorf("pipes file lacks %q:\n%s", want, file)
		}
	}
	for _, secret := range []string{"pw$1", "ext-value"} {
		if strings.Contains(file, secret) {
			t.Errorf("pipes file holds the secret %q", secret)
		}
	}
	if strings.Contains(file, "Fifo") || strings.Contains(file, "ProdOnly") {
		t.Errorf("a FIFO queue no pipe uses, or a queue whose condition is false, is in the file:\n%s", file)
	}
	notes := strings.Join(r.Notes, "\n")
	for _, want := range []string{"Fn (AWS::Serverless::Function)", "Fifo (AWS::SQS::Queue, FIFO)", "FnRole.Arn", "secret app/auth: value made up"} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes lack %q:\n%s", want, notes)
		}
	}
	cfg, err := r.Config(config.Options{})
	if err != nil {
		t.Fatal(err)
	}
	conn := cfg.Pipes[0].Target.Dest.Conn
	req := new(httpdest.Request)
	cfg.Pipes[0].Target.Build(req, rawjson.New([]byte(`{"dynamodb":{"Keys":{"pk":{"S":"a"}}}}`)), nil)
	basic, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(req.Header.Get("Authorization"), "Basic "))
	user, password, _ := strings.Cut(string(basic), ":")
	if user != "app" || len(password) != 20 {
		t.Errorf("connection credentials = %q/%d characters; want app and a generated 20-character password", user, len(password))
	}
	if got := conn.Headers[0].Value; got != "t=pw$1" {
		t.Errorf("X-Token = %q; want the NoEcho parameter's value", got)
	}
	if got := conn.Headers[2].Value; got != "$5 or ${!x}" {
		t.Errorf("X-Price = %q; want the literal text", got)
	}
}

func TestCDKOut(t *testing.T) {
	dir := t.TempDir()
	seed, err := os.ReadFile(seedTemplate)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"A.template.json", "B.template.json"} {
		if err := os.WriteFile(filepath.Join(dir, name), seed, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	manifest := `{"version": "36.0.0", "artifacts": {
  "A": {"type": "aws:cloudformation:stack", "environment": "aws://111122223333/eu-west-1", "properties": {"templateFile": "A.template.json"}, "displayName": "A"},
  "B": {"type": "aws:cloudformation:stack", "environment": "aws://unknown-account/unknown-region", "properties": {"templateFile": "B.template.json", "stackName": "b-stack"}, "displayName": "Stage/B"},
  "Tree": {"type": "cdk:tree", "properties": {"file": "tree.json"}}}}`
	if err := os.WriteFile(filepath.Join(dir, "manifest.json"), []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	opts := Options{Parameters: seedParameters, Lookup: noEnv}
	if _, err := Load(dir, opts); err == nil || !strings.Contains(err.Error(), "has 2 stacks: choose one with --stack (A, Stage/B (b-stack))") {
		t.Errorf("Load(two stacks) = %v; want an error listing them", err)
	}
	opts.Stack = "nope"
	if _, err := Load(dir, opts); err == nil || !strings.Contains(err.Error(), `no stack "nope"`) {
		t.Errorf("Load(--stack nope) = %v", err)
	}
	opts.Stack = "A"
	r, err := Load(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(r.File), "AccountId: \"111122223333\"") || !strings.Contains(string(r.File), "weather-stats-demo-logs-eu-west-1") {
		t.Errorf("stack A's environment not applied:\n%s", r.File)
	}
	for _, stack := range []string{"Stage/B", "b-stack", "B"} {
		opts.Stack = stack
		r, err := Load(filepath.Join(dir, "manifest.json"), opts)
		if err != nil || !strings.Contains(r.Name, "(stack b-stack)") || !strings.Contains(string(r.File), "Region: us-east-1") {
			t.Errorf("Load(--stack %s) = %v, %v", stack, r, err)
		}
	}
	if is, err := IsTemplate(dir); !is || err != nil {
		t.Errorf("IsTemplate(cdk.out) = %v, %v", is, err)
	}
	if is, err := IsTemplate("../../testdata/weather-stats/pipes.yaml"); is || err != nil {
		t.Errorf("IsTemplate(pipes.yaml) = %v, %v; want false", is, err)
	}
}
