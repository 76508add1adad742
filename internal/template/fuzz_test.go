package template

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pipesim/pipesim/internal/rawjson"
)

// fuzzRecords are the records every fuzzed template is rendered against.
var fuzzRecords = [][]byte{
	[]byte(`{"a":{"b":"x\"y","c":[1,{"d":null}],"e":true},"body":"{\"k\":\"v\"}","n":-1.5e3,"s":"caf\u00e9\n<"}`),
	[]byte(`{"eventName":"REMOVE","dynamodb":{"Keys":{"Location":{"S":"San Diego"}},"OldImage":{"MaxTemp":{"N":"42"}}}}`),
	[]byte(`[1, "two", {"three": 3}]`),
}

// templateSeeds are the fuzz corpus's starting points: every golden template and a few shapes.
func templateSeeds(f *testing.F) {
	dirs, _ := filepath.Glob(filepath.Join(moduleRoot(f), "testdata", "template", "*", "template.txt"))
	for _, d := range dirs {
		if b, err := os.ReadFile(d); err == nil {
			f.Add(string(b))
		}
	}
	for _, s := range []string{
		`<$.a.b>`, `"x <$.a> y"`, `{"v": <$.a.c[*].d>, "w": "<$.a>"}`, `[<$.n>, <aws.pipes.event>, <aws.pipes.event.json>]`,
		`{"a": "\u00e9\"<$.s>", "b": [<$.body.k>, <$.body>]}`, `{"a":`, `<`, `<$`, `{"\x": <$.a>}`, `{<$.a>:1}`,
	} {
		f.Add(s)
	}
}

// FuzzCompile checks that Compile never panics, reports errors as positioned *Errors, and that a
// template it calls JSON always renders valid JSON (paths missing render "" or null, so the
// property holds whether or not every path is present).
func FuzzCompile(f *testing.F) {
	templateSeeds(f)
	f.Fuzz(func(t *testing.T, text string) {
		tpl, err := Compile(text, Options{})
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Offset < 0 || e.Offset > len(text) || e.Line < 1 || e.Column < 1 {
				t.Fatalf("Compile(%q) = %#v; want an *Error inside the text", text, err)
			}
			return
		}
		for i, m := range []Missing{MissingAWS, MissingNull, MissingFail} {
			tpl.opts = Options{Missing: m, StripObjectQuotes: i == 1}
			for _, rec := range fuzzRecords {
				out, err := tpl.Render(nil, rawjson.New(rec), &Vars{PipeName: "p\"<>"})
				if err != nil {
					if !errors.Is(err, ErrMissingPath) && !errors.Is(err, ErrObjectInString) {
						t.Fatalf("Render(%q, %s) = %v", text, rec, err)
					}
					continue
				}
				if tpl.IsJSON() && !json.Valid(out) {
					t.Fatalf("Render(%q, %s) = %s; want valid JSON (missing %s)", text, rec, out, m)
				}
			}
		}
	})
}

// FuzzRender renders a fixed set of paths over arbitrary records: it must never panic, and on a
// record normalised by encoding/json it must agree with a map walk.
func FuzzRender(f *testing.F) {
	for _, r := range fuzzRecords {
		f.Add(r)
	}
	f.Add([]byte(`{"a":[{"b":1},{"b":"\ud83d\ude00"}],"a2":{"b":{"c":"\\"}}}`))
	f.Add([]byte(`{"a" : { "b" : [ 1 , 2 ] , "b" : 3 } }`))
	const text = `[<$.a>, <$.a.b>, <$.a[0]>, <$.a.b.c>, <$.a.0.b>, "<$.a.b>"]`
	tpl, err := Compile(text, Options{StripObjectQuotes: true})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, record []byte) {
		tpl.Render(nil, rawjson.New(record), nil) // any input: no panic
		var v any
		if json.Unmarshal(record, &v) != nil {
			return
		}
		norm, err := json.Marshal(v)
		if err != nil {
			return
		}
		out, err := tpl.Render(nil, rawjson.New(norm), nil)
		if err != nil {
			t.Fatalf("Render(%q, %s) = %v", text, norm, err)
		}
		var got []any
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("Render(%q, %s) = %s; want valid JSON: %v", text, norm, out, err)
		}
		want := []any{mapWalk(v, "a"), mapWalk(v, "a", "b"), mapWalk(v, "a", 0), mapWalk(v, "a", "b", "c"), mapWalk(v, "a", "0", "b")}
		if diff := cmp.Diff(want, got[:5]); diff != "" {
			t.Errorf("Render(%q, %s) = %s; want %v (-want +got):\n%s", text, norm, out, want, diff)
		}
	})
}

// mapWalk is the plain map walk FuzzRender compares with: a missing value is "", as MissingAWS
// renders it. An int step indexes an array; a string step that is all digits also indexes one.
func mapWalk(v any, steps ...any) any {
	for _, s := range steps {
		var ok bool
		if v, ok = mapStep(v, s); !ok {
			return ""
		}
	}
	return v
}

func mapStep(v, s any) (any, bool) {
	if k, isKey := s.(string); isKey {
		if m, ok := v.(map[string]any); ok {
			v, ok = m[k]
			return v, ok
		}
		s = digits(k)
	}
	a, ok := v.([]any)
	if k := s.(int); !ok || k < 0 || k >= len(a) {
		return nil, false
	}
	return a[s.(int)], true
}

// FuzzCompileParam checks that CompileParam never panics and that what it accepts resolves.
func FuzzCompileParam(f *testing.F) {
	for _, s := range []string{"lit", "$", "$.a.b", "$.a[*]", "$.a[0].b", "x $.a", "$.a b", "$[", "$.body.k"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, value string) {
		p, err := CompileParam(value)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Offset < 0 || e.Offset > len(value) {
				t.Fatalf("CompileParam(%q) = %#v; want an *Error inside the value", value, err)
			}
			return
		}
		for _, rec := range fuzzRecords {
			got, found := p.Resolve(rawjson.New(rec))
			if !p.IsPath() && (got != value || !found) {
				t.Fatalf("CompileParam(%q).Resolve = %q, %v; want the literal", value, got, found)
			}
		}
	})
}

// FuzzDocMemo renders a template and resolves parameters through one Doc, whose memo the
// earlier ones fill, and through a Doc seeded as replay seeds it: every value must be the one a
// Doc with nothing in its memo gives (a frozen fresh Doc: nothing known, nothing remembered),
// malformed records and duplicate keys included. The body must be too, except with duplicate
// keys: a render without the memo looks for a member from its sibling's key on, which may find a
// later duplicate where the memo knows the first.
func FuzzDocMemo(f *testing.F) {
	for _, r := range fuzzRecords {
		f.Add(r)
	}
	f.Add([]byte(`{"d":{"K":{"L":{"S":"x"}},"I":{"C":{"N":"1"},"L":{"S":"x"},"M":{"N":"2"},"T":{"N":"3"}}}}`))
	f.Add([]byte(`{"d":{"K":{"L":{"S":"x"}},"I":{"M":{"N":"2"},"C":{"N":"1"},"T":{"N":"3"},"M":{"N":"4"}},"K":{"L":{"S":"y"}}}}`))
	f.Add([]byte(`{"d":{"I":{"T":{"N":"0"}},"K":{"L":{"S":"x"}},"I":{"M":{"N":"2"},"T":{"N":"3"}}}}`))
	f.Add([]byte(`{"d":{"K":{"L":{"S":"x\"y"}},"I":{"M":{"N":2}} ,"I":1}`))
	f.Add([]byte(`{"d":{"K":{"L":{"S":"x"}}},"d":{"I":{"M":{"N":"2"}}}}`))
	const text = `{"k": <$.d.K.L.S>, "m": <$.d.I.M.N>, "c": <$.d.I.C.N>, "t": "<$.d.I.T>", "l": <$.d.K.L.S>, "x": <$.d.I.X.N>}`
	tpl, err := Compile(text, Options{})
	if err != nil {
		f.Fatal(err)
	}
	params := compileParams(f, "$.d.K.L.S", "$.d.I.T.N", "$.d.I.M.N", "$.d.I.M", "$.d.K", "$.d.I.T.N", "lit", "$.d.I[*]", "$", "$.d.I.X.N", "$.d.I.X")
	seeds := []*rawjson.Path{rawjson.KeyPath("d"), rawjson.KeyPath("d", "I"), rawjson.KeyPath("d", "K"), rawjson.KeyPath("d", "K", "L")}
	f.Fuzz(func(t *testing.T, record []byte) {
		bare := rawjson.New(record)
		bare.Freeze()
		wantBody, wantErr := tpl.Render(nil, bare, nil)
		var want []string
		for _, p := range params {
			v, ok := p.Resolve(bare)
			want = append(want, fmt.Sprint(v, ok))
		}
		sameBody := json.Valid(record) && uniqueKeys(record)
		check := func(doc *rawjson.Doc, how string) {
			for round := range 2 { // the second time, the memo holds what the first found
				got, err := tpl.Render(nil, doc, nil)
				if sameBody && (string(got) != string(wantBody) || (err == nil) != (wantErr == nil)) {
					t.Fatalf("Render(%s) %s, round %d = %q, %v; want %q, %v", record, how, round, got, err, wantBody, wantErr)
				}
				for i, p := range params {
					v, ok := p.Resolve(doc)
					if got := fmt.Sprint(v, ok); got != want[i] {
						t.Fatalf("%s.Resolve(%s) %s, round %d = %s; want %s", p, record, how, round, got, want[i])
					}
				}
			}
		}
		check(rawjson.New(record), "through one Doc")
		seeded := rawjson.New(record)
		for _, p := range seeds {
			seeded.Find(p)
		}
		check(seeded, "through a seeded Doc")
		seeded.Freeze()
		check(seeded, "through a seeded, frozen Doc")
	})
}

func compileParams(tb testing.TB, values ...string) []Param {
	tb.Helper()
	var params []Param
	for _, v := range values {
		p, err := CompileParam(v)
		if err != nil {
			tb.Fatal(err)
		}
		params = append(params, p)
	}
	return params
}

// uniqueKeys reports whether no object of valid JSON b has a key twice.
func uniqueKeys(b []byte) bool {
	d := json.NewDecoder(bytes.NewReader(b))
	type level struct {
		keys   map[string]bool
		object bool
		key    bool // the next string token is a key
	}
	var stack []level
	for {
		tok, err := d.Token()
		if err != nil {
			return true
		}
		if n := len(stack); n > 0 && stack[n-1].object {
			if k, isKey := tok.(string); isKey && stack[n-1].key {
				if stack[n-1].keys[k] {
					return false
				}
				stack[n-1].keys[k] = true
				stack[n-1].key = false
				continue
			}
			stack[n-1].key = true // after this value, a key (or the end)
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, level{keys: map[string]bool{}, object: true, key: true})
		case json.Delim('['):
			stack = append(stack, level{})
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
	}
}
