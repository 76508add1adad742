package pipetest

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files")

const seedTests = "../../testdata/weather-stats/pipes_test.yaml"

func TestSeedPipeTests(t *testing.T) {
	f, err := Load(seedTests)
	if err != nil {
		t.Fatal(err)
	}
	results := f.Run(context.Background())
	var out bytes.Buffer
	if !Report(&out, seedTests, results, true, 0) {
		t.Errorf("Report(%s) failed:\n%s", seedTests, out.String())
	}
	if len(results) != 9 {
		t.Errorf("Run(%s) ran %d cases; want 9", seedTests, len(results))
	}
}

// elapsed hides the times, which change from run to run.
var elapsed = regexp.MustCompile(`\d+\.\d{3}s`)

func TestFailureReport(t *testing.T) {
	path := filepath.Join("testdata", "failing_test.yaml")
	f, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if Report(&out, path, f.Run(context.Background()), false, 0) {
		t.Errorf("Report(%s) = true; want false", path)
	}
	// go-cmp randomly uses non-breaking spaces in its diffs, so that nobody pins them: undo that.
	got := strings.ReplaceAll(elapsed.ReplaceAllString(out.String(), "X.XXXs"), "\u00a0", " ")
	if strings.Contains(got, "test-api-key") {
		t.Errorf("Report(%s) shows the API key:\n%s", path, got)
	}
	golden := filepath.Join("testdata", "failing_test.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("Report(%s) (-want +got):\n%s", path, diff)
	}
}

func TestLoadErrors(t *testing.T) {
	head := "pipes: " + seedPipes(t) + "\nenv: {MOMENTO_API_ENDPOINT: https://x.example.com, MOMENTO_API_KEY: k}\n"
	const change = "    change: {eventName: INSERT, Keys: {Location: X}}\n"
	cases := []struct{ name, body, want string }{
		{"unknown field", head + "cases:\n  - name: a\n    chnge: {}\n", "unknown field chnge (did you mean change?)"},
		{"no cases", head + "cases: []\n", "no cases"},
		{"both inputs", head + "cases:\n  - name: a\n    record: '{}'\n" + change + "    expect: {weather-stats-demo-cache-put-pipe: filtered}\n", `case "a": give exactly one of record and change`},
		{"no expect", head + "cases:\n  - name: a\n" + change, "expect is missing"},
		{"unknown pipe", head + "cases:\n  - name: a\n" + change + "    expect: {nope: filtered}\n", `unknown pipe "nope"`},
		{"bad outcome", head + "cases:\n  - name: a\n" + change + "    expect: {weather-stats-demo-cache-put-pipe: delivered}\n", `outcome "delivered"`},
		{"bad respond", head + "cases:\n  - name: a\n" + change + "    expect: {weather-stats-demo-cache-put-pipe: {outcome: succeeded, respond: [{status: 700}]}}\n", "respond[0]: want a status"},
		{"line numbers", head + "cases:\n  - name: a\n" + change + "    expect: {weather-stats-demo-cache-put-pipe: filtered}\n  - name: a\n" + change + "    expect: {weather-stats-demo-cache-put-pipe: filtered}\n", `:7: case "a": duplicate case name`},
		{"unset variable", "pipes: " + seedPipes(t) + "\ncases:\n  - name: a\n" + change + "    expect: {weather-stats-demo-cache-put-pipe: filtered}\n", "MOMENTO_API_ENDPOINT"},
	}
	for _, c := range cases {
		path := filepath.Join(t.TempDir(), "x_test.yaml")
		if err := os.WriteFile(path, []byte(c.body), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Load(path)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: Load(%q) error = %v; want it to contain %q", c.name, c.body, err, c.want)
		}
	}
}

func TestChangeErrors(t *testing.T) {
	cases := []struct{ yaml, want string }{
		{"eventName: PUT\nKeys: {a: 1}", `eventName "PUT"`},
		{"eventName: INSERT", "change.Keys: want a mapping"},
		{"eventName: INSERT\nKeys: {a: 1}\nOldImage: {a: 1}", "an INSERT has none"},
		{"eventName: REMOVE\nKeys: {a: 1}\nNewImage: {a: 1}", "a REMOVE has none"},
		{"eventName: MODIFY\nKeys: {a: 1}\nttl: true", "only a REMOVE can be a TTL deletion"},
		{"eventName: INSERT\nKeys: {a: 1}\ntime: yesterday", `change.time "yesterday"`},
		{"eventName: INSERT\nKeys: {a: 0x1F}", `change.Keys.a: number "0x1F"`},
		{"eventName: INSERT\nKeys: {a: 1}\nNewImage: {b: [1, {c: !!binary aGk=}]}", "change.NewImage.b[1].c: value"},
	}
	for _, c := range cases {
		var f fileSpec
		err := parseChange(c.yaml, &f)
		if err == nil {
			_, err = f.Cases[0].Change.Record("n", 0, "arn", "us-east-1")
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Change(%q).Record error = %v; want it to contain %q", c.yaml, err, c.want)
		}
	}
}

func parseChange(change string, f *fileSpec) error {
	doc := "cases:\n  - name: n\n    change:\n      " + strings.ReplaceAll(change, "\n", "\n      ") + "\n"
	spec, err := parse("x", []byte(doc))
	if err == nil {
		*f = *spec
	}
	return err
}

func TestChangeRecord(t *testing.T) {
	var f fileSpec
	if err := parseChange("eventName: INSERT\nKeys: {id: 7}\nNewImage: {id: 7, name: \"7\", ok: true, gone: null, price: 1.50, tags: [a, 2], m: {x: y}}", &f); err != nil {
		t.Fatal(err)
	}
	rec, err := f.Cases[0].Change.Record("n", 2, "arn:s", "eu-west-1")
	if err != nil {
		t.Fatal(err)
	}
	want := `{"eventID":"7b8b965ad4bca0e41ab51de7b31363a1","eventName":"INSERT","eventVersion":"1.1","eventSource":"aws:dynamodb","awsRegion":"eu-west-1",` +
		`"dynamodb":{"ApproximateCreationDateTime":1722360292,"Keys":{"id":{"N":"7"}},"NewImage":{"gone":{"NULL":true},"id":{"N":"7"},"m":{"M":{"x":{"S":"y"}}},"name":{"S":"7"},"ok":{"BOOL":true},"price":{"N":"1.50"},"tags":{"L":[{"S":"a"},{"N":"2"}]}},` +
		`"SequenceNumber":"000000000000000000300","SizeBytes":47,"StreamViewType":"NEW_AND_OLD_IMAGES"},"eventSourceARN":"arn:s"}`
	if got := rec.Doc.Bytes(); string(got) != want {
		t.Errorf("Change.Record() = %s; want %s", got, want)
	}
}

func TestMaxAttempts(t *testing.T) {
	body := "pipes: " + seedPipes(t) + "\nenv: {MOMENTO_API_ENDPOINT: https://x.example.com, MOMENTO_API_KEY: k}\ncases:\n" +
		"  - name: forever\n    maxAttempts: 5\n    change: {eventName: INSERT, Keys: {Location: X}}\n" +
		"    expect: {weather-stats-demo-cache-put-pipe: {respond: [{error: refused}], outcome: retrying, attempts: 5}}\n"
	path := filepath.Join(t.TempDir(), "x_test.yaml")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	res := f.Run(context.Background())
	if !res[0].Passed() {
		t.Errorf("Run(forever) = %+v; want a pass", res[0])
	}
}

// TestMockedTimeoutCounted: a mocked timeout counts against the seed's MaximumRetryAttempts 0,
// so the first attempt dead-letters the record; a mocked connection failure does not count.
func TestMockedTimeoutCounted(t *testing.T) {
	body := "pipes: " + seedPipes(t) + "\nenv: {MOMENTO_API_ENDPOINT: https://x.example.com, MOMENTO_API_KEY: k}\ncases:\n" +
		"  - name: timeout\n    change: {eventName: INSERT, Keys: {Location: X}}\n" +
		"    expect: {weather-stats-demo-cache-put-pipe: {respond: [{error: timeout}], outcome: dead-lettered, attempts: 1}}\n" +
		"  - name: refused\n    maxAttempts: 3\n    change: {eventName: INSERT, Keys: {Location: X}}\n" +
		"    expect: {weather-stats-demo-cache-put-pipe: {respond: [{error: connection refused}], outcome: retrying, attempts: 3}}\n"
	path := filepath.Join(t.TempDir(), "x_test.yaml")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, res := range f.Run(context.Background()) {
		if !res.Passed() {
			t.Errorf("Run = %+v; want a pass", res)
		}
	}
}

func FuzzParse(f *testing.F) {
	seed, err := os.ReadFile(seedTests)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte("cases:\n  - name: a\n    change: {eventName: INSERT, Keys: {a: [1, {b: null}]}}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		spec, err := parse("fuzz", data)
		if err != nil {
			if !errors.Is(err, ErrBadTestFile) {
				t.Fatalf("parse(%q) error = %v; want ErrBadTestFile", data, err)
			}
			return
		}
		for i, c := range spec.Cases {
			if c != nil && c.Change != nil {
				_, _ = c.Change.Record(c.Name, i, "arn", "r") // must not panic
			}
		}
	})
}

func seedPipes(t *testing.T) string {
	p, err := filepath.Abs("../../testdata/weather-stats/pipes.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestTemplateDesign: a test file's pipes may be a CloudFormation template.
func TestTemplateDesign(t *testing.T) {
	path := filepath.Join("testdata", "template_test.yaml")
	f, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if !Report(&out, path, f.Run(context.Background()), true, 0) {
		t.Errorf("Report(%s) failed:\n%s", path, out.String())
	}
}

// TestBadFileMessages: a test file's type errors and unknown fields are said in its own terms:
// the line, the field's path, types in words, a known field for an unknown one.
func TestBadFileMessages(t *testing.T) {
	_, err := parse("bad_test.yaml", []byte("pipes: pipes.yaml\ncases:\n  - name: x\n    maxAttempts: abc\n    expecst: {}\n"))
	for _, want := range []string{`line 4: cases[0].maxAttempts: "abc" is a string, want a whole number`, "line 5: cases[0]: unknown field expecst (did you mean expect?)"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("parse = %v; want %q", err, want)
		}
	}
	if err != nil && strings.Contains(err.Error(), "pipetest.") {
		t.Errorf("parse = %v; names a Go type", err)
	}
}
