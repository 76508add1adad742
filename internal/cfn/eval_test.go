package cfn

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
)

// testStack is the stack of testdata/intrinsics.yaml, with its parameters resolved.
func testStack(t *testing.T, opts Options) *stack {
	t.Helper()
	data, err := os.ReadFile("testdata/intrinsics.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := parseTemplate(data)
	if err != nil {
		t.Fatal(err)
	}
	if opts.Stack == "" {
		opts.Stack = "test"
	}
	if opts.Parameters == nil {
		opts.Parameters = map[string]string{"Endpoint": "https://api.example.com"}
	}
	s, err := newStack(tmpl, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.readResources(); err != nil {
		t.Fatal(err)
	}
	if err := s.resolveParameters(); err != nil {
		t.Fatal(err)
	}
	return s
}

// expr reads one YAML value, short forms included.
func expr(t *testing.T, src string) any {
	t.Helper()
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(src), &n); err != nil {
		t.Fatalf("expression %q: %v", src, err)
	}
	v, err := (&reader{}).value(n.Content[0], 0)
	if err != nil {
		t.Fatalf("expression %q: %v", src, err)
	}
	return v
}

// show renders an evaluated value as JSON, with markers as ${NAME}, for comparison.
func show(v any) string {
	b, _ := json.Marshal(jsonable(v))
	return renderString(string(b))
}

func TestIntrinsics(t *testing.T) {
	for _, tc := range []struct{ expr, want string }{
		// Ref: parameters, pseudo parameters and resources.
		{`!Ref Env`, `"prod"`},
		{`{"Ref": "Size"}`, `"5"`},
		{`!Ref Subnets`, `["a","b","c"]`},
		{`!Ref AWS::Region`, `"us-east-1"`},
		{`!Ref AWS::AccountId`, `"000000000000"`},
		{`!Ref AWS::StackName`, `"test"`},
		{`!Ref AWS::Partition`, `"aws"`},
		{`!Ref AWS::URLSuffix`, `"amazonaws.com"`},
		{`!Ref AWS::NotificationARNs`, `[]`},
		{`!Ref Table`, `"prod-table"`},
		{`!Ref Queue`, `"https://sqs.us-east-1.amazonaws.com/000000000000/dlq"`},
		{`!Ref Conn`, `"c"`},
		{`!Ref Dest`, `"d"`},
		{`!Ref Logs`, `"lg"`},
		{`!Ref Pipe`, `"p"`},
		{`!Ref Global`, `"g"`},
		{`!Ref Unnamed`, `"https://sqs.us-east-1.amazonaws.com/000000000000/test-Unnamed-<suffix>"`},
		{`!GetAtt Unnamed.QueueName`, `"test-Unnamed-<suffix>"`},
		// Fn::GetAtt, both forms.
		{`!GetAtt Table.Arn`, `"arn:aws:dynamodb:us-east-1:000000000000:table/prod-table"`},
		{`!GetAtt Table.StreamArn`, `"arn:aws:dynamodb:us-east-1:000000000000:table/prod-table/stream/2024-01-01T00:00:00.000"`},
		{`{"Fn::GetAtt": ["Queue", "Arn"]}`, `"arn:aws:sqs:us-east-1:000000000000:dlq"`},
		{`!GetAtt Queue.QueueName`, `"dlq"`},
		{`!GetAtt Queue.QueueUrl`, `"https://sqs.us-east-1.amazonaws.com/000000000000/dlq"`},
		{`!GetAtt Conn.Arn`, `"arn:aws:events:us-east-1:000000000000:connection/c/<uuid>"`},
		{`!GetAtt Dest.Arn`, `"arn:aws:events:us-east-1:000000000000:api-destination/d/<uuid>"`},
		{`!GetAtt Logs.Arn`, `"arn:aws:logs:us-east-1:000000000000:log-group:lg:*"`},
		{`!Ref Secret`, `"arn:aws:secretsmanager:us-east-1:000000000000:secret:s1-<6>"`},
		{`!GetAtt Pipe.Arn`, `"arn:aws:pipes:us-east-1:000000000000:pipe/p"`},
		{`!GetAtt Global.StreamArn`, `"arn:aws:dynamodb:us-east-1:000000000000:table/g/stream/2024-01-01T00:00:00.000"`},
		{`!GetAtt [Table, !Ref AWS::NoValue]`, ``},
		// Resources pipesim does not run get stand-ins.
		{`!GetAtt Role.Arn`, `"arn:aws:iam::000000000000:role/my-role"`},
		{`!Ref Role`, `"my-role"`},
		{`!GetAtt Fn.Arn`, `"arn:aws:lambda:us-east-1:000000000000:function:test-Fn-<suffix>"`},
		// Fn::Join, Fn::Sub (both forms), Fn::Select, Fn::Split.
		{`!Join [":", [a, !Ref Env, 5]]`, `"a:prod:5"`},
		{`!Join ["", !Ref Subnets]`, `"abc"`},
		{`!Sub "${AWS::Region}/${Env}/${Table.Arn}/${!Literal}"`, `"us-east-1/prod/arn:aws:dynamodb:us-east-1:000000000000:table/prod-table/$${Literal}"`}, // $$: a literal $ before { in pipesim's file
		{`!Sub ["${A}-${Env}", {A: !Ref Size}]`, `"5-prod"`},
		{`{"Fn::Sub": ["${Queue}", {}]}`, `"https://sqs.us-east-1.amazonaws.com/000000000000/dlq"`},
		{`!Select [1, [x, y]]`, `"y"`},
		{`!Select ["0", !Ref Subnets]`, `"a"`},
		{`!Split [",", "a,,b"]`, `["a","","b"]`},
		{`!Select [1, !Split [",", !Join [",", !Ref Subnets]]]`, `"b"`},
		// CDK's way to a secret's name: Select over Split over Select over Split over Ref.
		{`!Select [0, !Split ["-", !Select [6, !Split [":", !Ref Secret]]]]`, `"s1"`},
		// Conditions and Fn::If; AWS::NoValue removes a property or an item.
		{`!If [IsProd, yes, no]`, `"yes"`},
		{`!If [IsDev, yes, no]`, `"no"`},
		{`!If [Both, !If [Either, nested, x], y]`, `"nested"`},
		{`{a: !If [IsDev, x, !Ref AWS::NoValue], b: 1}`, `{"b":1}`},
		{`[a, !If [IsProd, !Ref AWS::NoValue, b]]`, `["a"]`},
		{`!Equals [!Ref Env, prod]`, `true`},
		{`!Or [!Condition IsDev, !Condition IsProd]`, `true`},
		// Fn::FindInMap, Fn::Base64, Fn::ImportValue, Fn::GetAZs.
		{`!FindInMap [Regions, !Ref AWS::Region, Name]`, `"virginia"`},
		{`!FindInMap [Regions, us-east-1, Zones]`, `["a","b"]`},
		{`!Base64 hello`, `"aGVsbG8="`},
		{`!Base64 {"Fn::Sub": "${Env}"}`, `"cHJvZA=="`},
		{`!ImportValue Shared`, `"imported"`},
		{`!GetAZs ""`, `["us-east-1a","us-east-1b","us-east-1c"]`},
		// A NoEcho parameter is a ${NAME} reference wherever it lands, and compares by value.
		{`!Sub "key=${Password}"`, `"key=${Password}"`},
		{`!Join ["", ["Bearer ", !Ref Password]]`, `"Bearer ${Password}"`},
		{`!If [IsProd, !Equals [!Ref Password, s3cr3t], x]`, `true`},
		// Plain values pass through.
		{`{a: [1, true, null]}`, `{"a":[1,true,null]}`},
	} {
		t.Run(tc.expr, func(t *testing.T) {
			s := testStack(t, Options{Imports: map[string]string{"Shared": "imported"}})
			got, err := s.eval(expr(t, tc.expr), "X")
			if tc.want == "" {
				if err == nil {
					t.Errorf("eval(%s) = %s; want an error", tc.expr, show(got))
				}
				return
			}
			if err != nil {
				t.Fatalf("eval(%s) = %v", tc.expr, err)
			}
			g := show(got)
			g = regexp.MustCompile(`-[0-9A-F]{13}`).ReplaceAllString(g, "-<suffix>")
			g = regexp.MustCompile(`/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`).ReplaceAllString(g, "/<uuid>")
			g = regexp.MustCompile(`secret:s1-[A-Za-z0-9]{6}`).ReplaceAllString(g, "secret:s1-<6>")
			if g != tc.want {
				t.Errorf("eval(%s) = %s; want %s", tc.expr, g, tc.want)
			}
		})
	}
}

func TestIntrinsicErrors(t *testing.T) {
	for _, tc := range []struct{ expr, want string }{
		{`!Ref Nope`, `X.Ref: Ref Nope: no parameter or resource of that name`},
		{`{"Ref": ["Env"]}`, `want the name of a parameter or resource`},
		{`!GetAtt Nope.Arn`, `Nope: no resource of that name`},
		{`!GetAtt Unnamed.Nope`, `Unnamed (AWS::SQS::Queue) has no attribute Nope`},
		{`!GetAtt NoStream.StreamArn`, `NoStream has no StreamSpecification, so no StreamArn`},
		{`!GetAtt Table.Nope`, `Table (AWS::DynamoDB::Table) has no attribute Nope`},
		{`{"Fn::GetAtt": "Queue"}`, `want [Resource, Attribute]`},
		{`!Ref Off`, `Off is not created: its Condition IsDev is false`},
		{`!Select [5, [a]]`, `index 5 out of range: the list has 1 items`},
		{`!Select [x, [a]]`, `index "x": want a whole number`},
		{`!Select [0, notalist]`, `want a list`},
		{`!Join [",", notalist]`, `want a list`},
		{`!Join [",", [[a]]]`, `item 0: want a string, got a list`},
		{`!Split [",", [a]]`, `want a string, got a list`},
		{`!Sub "${Unclosed"`, `unterminated ${`},
		{`!Sub "${Nope}"`, `Ref Nope: no parameter or resource`},
		{`!If [Nope, a, b]`, `unknown condition "Nope"`},
		{`!If [Loop1, a, b]`, `depends on itself`},
		{`!If [IsProd, a]`, `want [condition, value if true, value if false]`},
		{`!FindInMap [Regions, eu-west-1, Name]`, `no value for Regions/eu-west-1/Name in Mappings`},
		{`!ImportValue Missing`, `"Missing" is exported by another stack: give its value with --import Missing=VALUE`},
		{`!Cidr [10.0.0.0/16, 2, 8]`, `X.Fn::Cidr: not supported by pipesim`},
		{`{"Fn::Bogus": 1}`, `X.Fn::Bogus: unknown intrinsic function`},
		{`!Length [a]`, `needs Transform: AWS::LanguageExtensions`},
		{`!Split [",", !Ref Password]`, `cannot split a secret`},
		{`!Base64 {Ref: Password}`, `cannot encode a secret`},
		{`!And [!Condition IsProd]`, `want 2 to 10 conditions`},
		{`{k: [!Ref Nope]}`, `X.k[0].Ref: Ref Nope`},
	} {
		t.Run(tc.expr, func(t *testing.T) {
			s := testStack(t, Options{})
			got, err := s.eval(expr(t, tc.expr), "X")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("eval(%s) = %s, %v; want an error containing %q", tc.expr, show(got), err, tc.want)
			}
		})
	}
}

func TestConditions(t *testing.T) {
	s := testStack(t, Options{Parameters: map[string]string{"Env": "dev", "Endpoint": "x"}})
	got := map[string]bool{}
	for _, name := range []string{"IsProd", "IsDev", "Both", "Either"} {
		v, err := s.conditionNamed(name, "X")
		if err != nil {
			t.Fatal(err)
		}
		got[name] = v
	}
	want := map[string]bool{"IsProd": false, "IsDev": true, "Both": false, "Either": true}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("conditions with Env=dev (-want +got):\n%s", d)
	}
	if v, err := s.eval(expr(t, `!Ref Off`), "X"); err != nil || !strings.HasSuffix(show(v), `-Off-`+show(v)[len(show(v))-14:]) {
		t.Errorf("Ref Off with IsDev true = %s, %v; want the queue's URL", show(v), err)
	}
}

func TestBoundParameter(t *testing.T) {
	s := testStack(t, Options{Bind: map[string]string{"Endpoint": "MOMENTO_API_ENDPOINT"},
		Lookup: func(name string) (string, bool) { return "http://127.0.0.1:1", name == "MOMENTO_API_ENDPOINT" }})
	v, err := s.eval(expr(t, `!Join ["", [!Ref Endpoint, /cache/*]]`), "X")
	if err != nil || show(v) != `"${MOMENTO_API_ENDPOINT}/cache/*"` {
		t.Errorf("Join over a bound parameter = %s, %v; want the ${MOMENTO_API_ENDPOINT} reference", show(v), err)
	}
	if v, _ := s.eval(expr(t, `!Equals [!Ref Endpoint, "http://127.0.0.1:1"]`), "X"); v != true {
		t.Errorf("Equals over a bound parameter = %v; want it compared by value", v)
	}
}

func TestParameters(t *testing.T) {
	for _, tc := range []struct {
		params map[string]string
		env    map[string]string
		want   string // error; "" means Endpoint resolves to "from-env"
	}{
		{nil, nil, "parameters without a value: Endpoint (give them with --parameter-overrides"},
		{nil, map[string]string{"Endpoint": "from-env"}, ""},
		{map[string]string{"Endpoint": "from-env"}, map[string]string{"Endpoint": "other"}, ""},
		{map[string]string{"Endpoint": "x", "Env": "staging"}, nil, `Parameters.Env: "staging" is not one of AllowedValues`},
		{map[string]string{"Endpoint": "x", "Size": "five"}, nil, `Parameters.Size: "five" is not a number`},
	} {
		data, _ := os.ReadFile("testdata/intrinsics.yaml")
		tmpl, err := parseTemplate(data)
		if err != nil {
			t.Fatal(err)
		}
		s, _ := newStack(tmpl, Options{Parameters: tc.params, Lookup: func(n string) (string, bool) { v, ok := tc.env[n]; return v, ok }})
		err = s.resolveParameters()
		if tc.want == "" {
			if err != nil || s.params["Endpoint"] != "from-env" {
				t.Errorf("parameters %v env %v: Endpoint = %v, %v; want from-env", tc.params, tc.env, s.params["Endpoint"], err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("parameters %v env %v: %v; want %q", tc.params, tc.env, err, tc.want)
		}
	}
}

func TestRenderString(t *testing.T) {
	for in, want := range map[string]string{
		"$.dynamodb.Keys":     "$.dynamodb.Keys",
		"a$$b":                "a$$$b",
		"${X}":                "$${X}",
		"$":                   "$",
		"pre$" + mark("K"):    "pre$$${K}",
		mark("A") + mark("B"): "${A}${B}",
	} {
		if got := renderString(in); got != want {
			t.Errorf("renderString(%q) = %q; want %q", in, got, want)
		}
	}
}

// TestSubVariablesAreNotDependencies: a Fn::Sub variable named like a resource is the variable.
func TestSubVariablesAreNotDependencies(t *testing.T) {
	tmpl := `
Resources:
  A: {Type: AWS::SQS::Queue, Properties: {QueueName: !Sub ["${A}-x", {A: name}]}}`
	r, err := Read("t.yaml", []byte(tmpl), Options{Lookup: noEnv, Stack: "s"})
	if err != nil {
		t.Fatalf("Read = %v; want no cycle", err)
	}
	if len(r.File) == 0 {
		t.Fatal("no pipes file")
	}
}
