package template

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCompileErrors(t *testing.T) {
	long := strings.Repeat("é", maxTemplateChars+1)
	tests := []struct {
		name, text string
		want       Error // Reason is matched as a substring
	}{
		{"empty", "", Error{0, 1, 1, "empty template"}},
		{"too long", long, Error{2 * maxTemplateChars, 1, maxTemplateChars + 1, "8193 characters; the limit is 8192"}},
		{"unterminated path", "{\"a\": <$.b.c", Error{6, 1, 7, "unterminated placeholder \"<$.b.c\""}},
		{"unterminated var", "x <aws.pipes.pipe-name", Error{2, 1, 3, "unterminated placeholder <aws.pipes.pipe-name"}},
		{"not closed", "{\n  \"a\": <$.b c>\n}", Error{13, 2, 12, "is not closed"}},
		{"empty name", "<$.>", Error{3, 1, 4, "empty name after ."}},
		{"no dot", "<$a>", Error{2, 1, 3, "want . before a name"}},
		{"bracket first", "<$[0]>", Error{2, 1, 3, "want . before a name"}},
		{"bad index", "<$.a[x]>", Error{5, 1, 6, "[x] is neither an index nor *"}},
		{"unclosed bracket", "<$.a[1>", Error{4, 1, 5, "unterminated ["}},
		{"quoted name", "<$.a['b']>", Error{5, 1, 6, "is not closed"}},
		{"unknown reserved", "<aws.pipes.nope>", Error{0, 1, 1, "unknown placeholder <aws.pipes.nope>"}},
		{"rule variable", "\"<instance> is up\"", Error{1, 1, 2, "unknown placeholder <instance>"}},
		{"rule reserved", "<aws.events.rule-name>", Error{0, 1, 1, "unknown placeholder <aws.events.rule-name>"}},
		{"key placeholder", "{\"a\": 1, <$.k>: 2}", Error{9, 1, 10, "used as an object key"}},
		{"key string placeholder", "[{\"x<$.k>\": 2}]", Error{4, 1, 5, "used in an object key"}},
		{"event.json in text", "<aws.pipes.event.json>", Error{0, 1, 1, "can only be a JSON value"}},
		{"event.json in string", "{\"a\": \"x <aws.pipes.event.json>\"}", Error{9, 1, 10, "can only be a JSON value"}},
		{"column counts characters", "{\"é\": <$.a b>}", Error{11, 1, 11, "is not closed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Compile(tt.text, Options{})
			var got *Error
			if !errors.As(err, &got) {
				t.Fatalf("Compile(%q) = %v; want *Error", tt.text, err)
			}
			if got.Offset != tt.want.Offset || got.Line != tt.want.Line || got.Column != tt.want.Column || !strings.Contains(got.Reason, tt.want.Reason) {
				t.Errorf("Compile(%q) = %+v; want %+v", tt.text, *got, tt.want)
			}
		})
	}
}

func TestErrorString(t *testing.T) {
	_, err := Compile("{\n  \"a\": <$.b\n}", Options{})
	want := "line 2, column 12: placeholder \"<$.b\" is not closed: '\\n' is neither a path character (letters, digits, _ - / . [n] [*]) nor the closing >"
	if err == nil || err.Error() != want {
		t.Errorf("Compile error = %v; want %s", err, want)
	}
}

func TestCompileAccepts(t *testing.T) {
	tests := []struct {
		text   string
		isJSON bool
		how    string // describe(): each placeholder's path, offset and context (0 text, 1 value, 2 string)
	}{
		{"Hello, sender", false, "json=false"},
		{"a < b and c > d, x <= 3, <3, </b>", false, "json=false"},
		{"<$>", false, "json=false $@0:0"},
		{"<$.a-b/c_d.e[0][*]>", false, "json=false $.a-b/c_d.e[0][*]@0:0"},
		{"  {\"a\": <$.a>}\n", true, "json=true $.a@8:1"},
		{"[<$.a>, \"<$.b>\"]", true, "json=true $.a@1:1 $.b@9:2"},
		{"{\"a\": \"\\\"<$.a>\\\"\"}", true, "json=true $.a@9:2"},
		{"{\"a\": 1,}", false, "json=false"},
		{"{\"a\": <$.a> <$.b>}", false, "json=false $.a@6:1 $.b@12:1"},
		{"{\"a\": \"unterminated <$.a>}", false, "json=false $.a@20:2"},
		{"{\"a\": 1} trailing", false, "json=false"},
		{"\"<$.a>\"", false, "json=false $.a@1:0"},
		{"{\"a\": [1, 2.5e3, true, null, {}, []]}", true, "json=true"},
		{"{\"a\": tru}", false, "json=false"},
		{"{\"a\": < b>}", false, "json=false"}, // "< b" is not a placeholder: it breaks the JSON
	}
	for _, tt := range tests {
		tpl, err := Compile(tt.text, Options{})
		if err != nil {
			t.Errorf("Compile(%q) = %v; want no error", tt.text, err)
			continue
		}
		if got := tpl.describe(); got != tt.how || tpl.IsJSON() != tt.isJSON {
			t.Errorf("Compile(%q) = %s (IsJSON %v); want %s (IsJSON %v)", tt.text, got, tpl.IsJSON(), tt.how, tt.isJSON)
		}
		if tpl.String() != tt.text {
			t.Errorf("Compile(%q).String() = %q; want the text", tt.text, tpl.String())
		}
	}
}

func TestParseMissing(t *testing.T) {
	for _, name := range []string{"aws", "null", "fail"} {
		m, err := ParseMissing(name)
		if err != nil || m.String() != name {
			t.Errorf("ParseMissing(%q) = %v, %v; want %s", name, m, err, name)
		}
	}
	if m, err := ParseMissing(""); err != nil || m != MissingAWS {
		t.Errorf("ParseMissing(\"\") = %v, %v; want aws", m, err)
	}
	if _, err := ParseMissing("drop"); err == nil || !strings.Contains(err.Error(), "aws, null or fail") {
		t.Errorf("ParseMissing(\"drop\") error = %v; want one naming the modes", err)
	}
	if got := Missing(9).String(); got != "Missing(9)" {
		t.Errorf("Missing(9).String() = %s; want Missing(9)", got)
	}
}

func TestSharedSteps(t *testing.T) {
	tpl, err := Compile("{\"a\": <$.x.y.z>, \"b\": <$.x.y.w>, \"c\": <aws.pipes.pipe-name>, \"d\": <$.x.q>, \"e\": <$.r>}", Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	for _, s := range tpl.segs {
		if s.path != nil {
			got = append(got, s.shared)
		}
	}
	if diff := cmp.Diff([]int{0, 2, 1, 0}, got); diff != "" {
		t.Errorf("shared steps = %v; want [0 2 1 0]", got)
	}
}

// describe says how a template was read: IsJSON, then each placeholder's path ("var" for a
// reserved variable), offset and context.
func (t *Template) describe() string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "json=%v", t.isJSON)
	for _, s := range t.segs {
		if !s.isPH {
			continue
		}
		name := "var"
		if s.path != nil {
			name = s.path.text
		}
		fmt.Fprintf(&b, " %s@%d:%d", name, s.where, s.ctx)
	}
	return b.String()
}
