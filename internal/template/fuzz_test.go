package template

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
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
				out, err := tpl.Render(nil, rec, &Vars{PipeName: "p\"<>"})
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
		tpl.Render(nil, record, nil) // any input: no panic
		var v any
		if json.Unmarshal(record, &v) != nil {
			return
		}
		norm, err := json.Marshal(v)
		if err != nil {
			return
		}
		out, err := tpl.Render(nil, norm, nil)
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
			got, found := p.Resolve(rec)
			if !p.IsPath() && (got != value || !found) {
				t.Fatalf("CompileParam(%q).Resolve = %q, %v; want the literal", value, got, found)
			}
		}
	})
}

// FuzzCursor renders a template through a Cursor and resolves parameters after it: the body
// must be Render's and every value Param.Resolve's, duplicate keys and malformed records
// included (a member found from a sibling's hint may be a later duplicate, which the cursor
// must not hand on).
func FuzzCursor(f *testing.F) {
	for _, r := range fuzzRecords {
		f.Add(r)
	}
	f.Add([]byte(`{"d":{"K":{"L":{"S":"x"}},"I":{"C":{"N":"1"},"L":{"S":"x"},"M":{"N":"2"},"T":{"N":"3"}}}}`))
	f.Add([]byte(`{"d":{"K":{"L":{"S":"x"}},"I":{"M":{"N":"2"},"C":{"N":"1"},"T":{"N":"3"},"M":{"N":"4"}},"K":{"L":{"S":"y"}}}}`))
	f.Add([]byte(`{"d":{"I":{"T":{"N":"0"}},"K":{"L":{"S":"x"}},"I":{"M":{"N":"2"},"T":{"N":"3"}}}}`))
	f.Add([]byte(`{"d":{"K":{"L":{"S":"x\"y"}},"I":{"M":{"N":2}} ,"I":1}`))
	const text = `{"k": <$.d.K.L.S>, "m": <$.d.I.M.N>, "c": <$.d.I.C.N>, "t": "<$.d.I.T>"}`
	tpl, err := Compile(text, Options{})
	if err != nil {
		f.Fatal(err)
	}
	var params []Param
	for _, v := range []string{"$.d.K.L.S", "$.d.I.T.N", "$.d.I.M.N", "$.d.I.M", "$.d.K", "$.d.I.T.N", "lit", "$.d.I[*]", "$"} {
		p, err := CompileParam(v)
		if err != nil {
			f.Fatal(err)
		}
		params = append(params, p)
	}
	var marks []Param
	for _, v := range []string{"$.d", "$.d.I", "$.d.K", "$.d.K.L"} {
		p, err := CompileParam(v)
		if err != nil {
			f.Fatal(err)
		}
		marks = append(marks, p)
	}
	f.Fuzz(func(t *testing.T, record []byte) {
		var c Cursor
		c.Reset(record)
		checkCursor(t, tpl, params, &c, record)
		if !json.Valid(record) || !uniqueKeys(record) {
			return // marks are for records whose shape was checked (replay's Pipes-shaped lines)
		}
		c.Reset(record) // marked where a walk from the start finds each value, as replay marks
		for _, m := range marks {
			if pos := walkPositions(m.path, record); pos != nil {
				c.Mark(m, pos...)
			}
		}
		checkCursor(t, tpl, params, &c, record)
	})
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

// walkPositions returns where a walk from record's start finds the value of each of p's steps,
// or nil when it does not reach the end of p.
func walkPositions(p *path, record []byte) []int {
	var w walk
	if _, st := p.walkFrom(record, skipWS(record, 0), 0, &w, -1); st != hit || w.n != len(p.steps) {
		return nil
	}
	return w.pos[:w.n]
}

// checkCursor renders tpl through c, bound to record, then resolves params through it, and
// compares each result with Render's and Param.Resolve's.
func checkCursor(t *testing.T, tpl *Template, params []Param, c *Cursor, record []byte) {
	t.Helper()
	marked := c.n
	got, gotErr := tpl.RenderCursor(nil, c, nil)
	want, wantErr := tpl.Render(nil, record, nil)
	if string(got) != string(want) || (gotErr == nil) != (wantErr == nil) {
		t.Fatalf("RenderCursor(%s) (%d marks) = %q, %v; want %q, %v", record, marked, got, gotErr, want, wantErr)
	}
	for _, p := range params {
		v, found := c.AppendParam(nil, p)
		w, wFound := p.Resolve(record)
		if string(v) != w || found != wFound {
			t.Fatalf("AppendParam(%s) over %s (%d marks) = %q, %v; want %q, %v", p, record, marked, v, found, w, wFound)
		}
	}
}
