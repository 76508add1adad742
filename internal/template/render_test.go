package template

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pipesim/pipesim/internal/rawjson"
)

func render(t *testing.T, text, record string, opts Options) string {
	t.Helper()
	tpl, err := Compile(text, opts)
	if err != nil {
		t.Fatalf("Compile(%q) = %v", text, err)
	}
	out, err := tpl.Render(nil, rawjson.New([]byte(record)), &Vars{PipeName: "p", IngestionTime: time.Unix(0, 0)})
	if err != nil {
		t.Fatalf("Render(%q, %s) = %v", text, record, err)
	}
	return string(out)
}

func TestRenderMissing(t *testing.T) {
	const record = `{"a": {"b": 1}}`
	const text = `{"v": <$.a.x>, "s": "[<$.a.x>]", "arr": [<$.nope[2]>]}`
	tests := []struct {
		missing Missing
		want    string
	}{
		{MissingAWS, `{"v": "", "s": "[]", "arr": [""]}`},
		{MissingNull, `{"v": null, "s": "[]", "arr": [null]}`},
	}
	for _, tt := range tests {
		if got := render(t, text, record, Options{Missing: tt.missing}); got != tt.want {
			t.Errorf("Render(%q, missing %s) = %s; want %s", text, tt.missing, got, tt.want)
		}
	}
	for _, text := range []string{"x<$.a.x>y", `"<$.a.x>"`} {
		if got := render(t, text, record, Options{Missing: MissingNull}); got != strings.ReplaceAll(strings.ReplaceAll(text, "<$.a.x>", ""), "", "") {
			t.Errorf("Render(%q, missing null) = %s; want the text without the placeholder", text, got)
		}
	}
	tpl, err := Compile(text, Options{Missing: MissingFail})
	if err != nil {
		t.Fatal(err)
	}
	dst := []byte("prefix")
	out, err := tpl.Render(dst, rawjson.New([]byte(record)), nil)
	if !errors.Is(err, ErrMissingPath) || !strings.Contains(err.Error(), "$.a.x") || string(out) != "prefix" {
		t.Errorf("Render(missing fail) = %q, %v; want \"prefix\", ErrMissingPath naming $.a.x", out, err)
	}
}

func TestRenderValues(t *testing.T) {
	tests := []struct {
		name, text, record, want string
	}{
		{"appends to dst", `<$.a>`, `{"a":"x"}`, "x"},
		{"pretty record compacts", `{"v": <$.a>}`, "{ \"a\" : { \"b\" : [ 1 , \"x y\" ] } }", `{"v": {"b":[1,"x y"]}}`},
		{"html escapes undone", `{"v": <$.a>, "t": "<$.a>"}`, `{"a":"\u003cb\u003e \u0026 \/"}`, `{"v": "<b> & /", "t": "<b> & /"}`},
		{"surrogate pair", `{"v": <$.a>}`, `{"a":"\ud83d\ude00 \ud800x"}`, "{\"v\": \"😀 \uFFFDx\"}"},
		{"control escapes", `{"v": <$.a>}`, `{"a":"\u0000\u001f\u007f\b\f"}`, "{\"v\": \"\\u0000\\u001F\u007f\\b\\f\"}"},
		{"escaped key", `<$.k-1>`, `{"k\u002d1":"hit"}`, "hit"},
		{"first duplicate wins", `<$.a>`, `{"a":"first","a":"second"}`, "first"},
		{"number text", `"<$.a>"`, `{"a":-1.5e3}`, `"-1.5e3"`},
		{"null in value", `{"v": <$.a>}`, `{"a":null}`, `{"v": null}`},
		{"null in text", `x<$.a>`, `{"a":null}`, `xnull`},
		{"array in text", `<$.a>`, `{"a":["x", {"y": "z w"}]}`, `[x,{y:z w}]`},
		{"escaped quote in stripped object", `"<$.a>"`, `{"a":{"q":"say \"hi\""}}`, `"{q:say \"hi\"}"`},
		{"index", `<$.a[1].b>`, `{"a":[{"b":1},{"b":2}]}`, "2"},
		{"dotted index", `<$.a.1.b>`, `{"a":[{"b":1},{"b":2}]}`, "2"},
		{"dotted digits on object", `<$.a.1>`, `{"a":{"1":"one"}}`, "one"},
		{"index past end", `{"v": <$.a[5]>}`, `{"a":[1]}`, `{"v": ""}`},
		{"index into object", `{"v": <$.a[0]>}`, `{"a":{"0":1}}`, `{"v": ""}`},
		{"key into string", `{"v": <$.a.b>}`, `{"a":"s"}`, `{"v": ""}`},
		{"wildcard over object", `{"v": <$.a[*]>}`, `{"a":{"x":1,"y":"2"}}`, `{"v": [1,"2"]}`},
		{"nested wildcards flatten", `{"v": <$.a[*].b[*]>}`, `{"a":[{"b":[1,2]},{"c":0},{"b":[3]}]}`, `{"v": [1,2,3]}`},
		{"wildcard no matches", `{"v": <$.a[*].b>}`, `{"a":[{"c":1}]}`, `{"v": []}`},
		{"wildcard over nothing", `{"v": <$.x[*]>}`, `{"a":[]}`, `{"v": ""}`},
		{"whole record", `{"v": <$>}`, `{"a" : 1}`, `{"v": {"a":1}}`},
		{"body string not JSON", `{"v": <$.body>}`, `{"body":"plain"}`, `{"v": "plain"}`},
		{"body JSON", `{"v": <$.body.k>, "w": <$.body>}`, `{"body":"{\"k\": [1]}"}`, `{"v": [1], "w": {"k":[1]}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := render(t, tt.text, tt.record, Options{}); got != tt.want {
				t.Errorf("Render(%q, %s) = %s; want %s", tt.text, tt.record, got, tt.want)
			}
		})
	}
}

// TestRenderOrder checks that shared prefixes and sibling hints find members in any order,
// including ones the record lists before the previous path's.
func TestRenderOrder(t *testing.T) {
	const record = `{"x":{"a":{"v":1},"b":{"v":2},"c":{"v":3}},"y":4}`
	tests := []struct{ text, want string }{
		{`[<$.x.c.v>,<$.x.a.v>,<$.x.b.v>,<$.y>,<$.x.a.v>]`, `[3,1,2,4,1]`},
		{`[<$.x.b.v>,<$.x.z.v>,<$.x.a.v>,<$.x.c.v>]`, `[2,"",1,3]`},
		{`[<$.x.b.w>,<$.x.b.v>,<$.x.a>]`, `["",2,{"v":1}]`},
		{`[<$.y>,<$.x[*].v>,<$.x.b.v>]`, `[4,[1,2,3],2]`},
	}
	for _, tt := range tests {
		if got := render(t, tt.text, record, Options{}); got != tt.want {
			t.Errorf("Render(%q) = %s; want %s", tt.text, got, tt.want)
		}
	}
}

func TestRenderBadRecord(t *testing.T) {
	tpl, err := Compile(`{"v": <$.a.b>}`, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, record := range []string{``, `{`, `{"a": {"b"`, `{"a" 1}`, `{"x": "unterminated`, `{"x": 1 "a": 2}`, `{"x": [1,`} {
		out, err := tpl.Render([]byte("keep"), rawjson.New([]byte(record)), nil)
		if !errors.Is(err, ErrRecord) || string(out) != "keep" {
			t.Errorf("Render(%q) = %q, %v; want \"keep\", ErrRecord", record, out, err)
		}
	}
	ev, err := Compile(`{"e": <aws.pipes.event>}`, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ev.Render(nil, rawjson.New([]byte(`{"a":`)), nil); !errors.Is(err, ErrRecord) {
		t.Errorf("Render(<aws.pipes.event>, bad record) = %v; want ErrRecord", err)
	}
}

func TestRenderNilVars(t *testing.T) {
	tpl, err := Compile(`{"t": <aws.pipes.event.ingestion-time>, "n": <aws.pipes.pipe-name>, "e": "<aws.pipes.enrichment-arn>"}`, Options{})
	if err != nil {
		t.Fatal(err)
	}
	before := time.Now().UTC().Truncate(time.Millisecond)
	out, err := tpl.Render(nil, rawjson.New([]byte(`{}`)), nil)
	if err != nil {
		t.Fatal(err)
	}
	var got struct{ T, N, E string }
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("Render(nil vars) = %s: %v", out, err)
	}
	ts, err := time.Parse(ingestionLayout, got.T)
	if err != nil || ts.Before(before) || got.N != "" || got.E != "" {
		t.Errorf("Render(nil vars) = %s; want the current time and empty names", out)
	}
}

func TestRenderVarEscaping(t *testing.T) {
	tpl, err := Compile(`{"n": <aws.pipes.pipe-name>, "s": "<aws.pipes.pipe-name>", "e": "<aws.pipes.event>"}`, Options{})
	if err != nil {
		t.Fatal(err)
	}
	out, err := tpl.Render(nil, rawjson.New([]byte(`{"k": "v\n"}`)), &Vars{PipeName: "a\"b"})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"n": "a\"b", "s": "a\"b", "e": "{\"k\":\"v\\n\"}"}`
	if string(out) != want || !json.Valid(out) {
		t.Errorf("Render = %s; want %s", out, want)
	}
}

func TestRenderObjectInString(t *testing.T) {
	const text = `{"s": "keys: <$.k>", "l": "<$.l>", "ok": "<$.s>"}`
	const record = `{"k": {"a": "b c"}, "l": [1, "x"], "s": "str"}`
	tpl, err := Compile(text, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if out, err := tpl.Render(nil, rawjson.New([]byte(record)), nil); !errors.Is(err, ErrObjectInString) || !strings.Contains(err.Error(), "$.k") || len(out) != 0 {
		t.Errorf("Render(%q) = %q, %v; want ErrObjectInString naming $.k", text, out, err)
	}
	want := `{"s": "keys: {a:b c}", "l": "[1,x]", "ok": "str"}`
	if got := render(t, text, record, Options{StripObjectQuotes: true}); got != want {
		t.Errorf("Render(%q, StripObjectQuotes) = %s; want %s", text, got, want)
	}
}

// TestRenderConcurrent renders one compiled template from many goroutines (run with -race):
// a Template holds no per-render state.
func TestRenderConcurrent(t *testing.T) {
	text, record := seedFixture(t)
	tpl, err := Compile(text, Options{})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan string)
	for range 8 {
		go func() {
			var out []byte
			for range 100 {
				out, _ = tpl.Render(out[:0], rawjson.New(record), nil)
			}
			done <- string(out)
		}()
	}
	for range 8 {
		if got := <-done; got != seedWant {
			t.Errorf("concurrent Render = %q; want %q", got, seedWant)
		}
	}
}
