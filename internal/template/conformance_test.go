package template

import (
	"bufio"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pipesim/pipesim/internal/rawjson"
)

// transformCase is one line of the shared conformance corpus's transforms.jsonl (schema in its
// README). The corpus is read at test time and never copied into the project.
type transformCase struct {
	Source        string            `json:"source"`
	Name          string            `json:"name"`
	Style         string            `json:"style"`
	InputPathsMap map[string]string `json:"input_paths_map"`
	InputPath     string            `json:"input_path"`
	Template      string            `json:"template"`
	Event         json.RawMessage   `json:"event"`
	Context       map[string]string `json:"context"`
	Expected      json.RawMessage   `json:"expected"`
	ExpectedKind  string            `json:"expected_kind"`
}

// conformanceDir returns the shared corpus directory: $PIPESIM_CONFORMANCE, else
// ../shared/conformance from the module root.
func conformanceDir(t *testing.T) string {
	if dir := os.Getenv("PIPESIM_CONFORMANCE"); dir != "" {
		return dir
	}
	return filepath.Join(moduleRoot(t), "..", "shared", "conformance")
}

func loadTransforms(t *testing.T) []transformCase {
	path := filepath.Join(conformanceDir(t), "transforms.jsonl")
	f, err := os.Open(path)
	if err != nil {
		if os.Getenv("CI") == "true" { // CI has ../shared: a missing corpus is a failure there
			t.Fatalf("conformance corpus not available under CI (%v); set PIPESIM_CONFORMANCE to its directory", err)
		}
		t.Skipf("conformance corpus not available (%v); set PIPESIM_CONFORMANCE to its directory", err)
	}
	defer f.Close()
	var cases []transformCase
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 1<<24)
	for sc.Scan() {
		var c transformCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		cases = append(cases, c)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return cases
}

var rulePlaceholder = regexp.MustCompile(`<([A-Za-z0-9_.-]+)>`)

// adapt turns a case into a Pipes template, or says why it does not apply to Pipes.
func adapt(c transformCase) (text, skip string) {
	switch {
	case strings.HasPrefix(c.Style, "eventbridge-rule-input-path"):
		return "", "a rule's InputPath has no Pipes counterpart (a bare <$.path> template sends a string bare, where InputPath sends it as JSON)"
	case strings.HasPrefix(c.Style, "pipes-input-template"):
		return c.Template, ""
	case strings.Contains(c.Template, "<aws.events."):
		return "", "uses rule-only reserved variables (<aws.events.*>), which differ from <aws.pipes.*> in meaning"
	}
	// A rule transformer: inline each InputPathsMap path as a Pipes <$.path> placeholder; an
	// undefined name stays as it is (Pipes rejects it, as PutTargets did).
	return rulePlaceholder.ReplaceAllStringFunc(c.Template, func(ph string) string {
		if p, ok := c.InputPathsMap[ph[1:len(ph)-1]]; ok {
			return "<" + p + ">"
		}
		return ph
	}), ""
}

func TestConformanceTransforms(t *testing.T) {
	cases := loadTransforms(t)
	ran := 0
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			text, skip := adapt(c)
			if skip != "" {
				t.Skip("not applicable to Pipes: " + skip)
			}
			ran++
			checkTransform(t, c, text)
		})
	}
	if ran == 0 {
		t.Errorf("no conformance case applied to Pipes out of %d", len(cases))
	}
}

func checkTransform(t *testing.T, c transformCase, text string) {
	tpl, err := Compile(text, Options{})
	if c.ExpectedKind == "rejected" {
		if err == nil {
			t.Errorf("Compile(%q) = nil error; want rejected (%s)", text, c.Expected)
		}
		return
	}
	if err != nil {
		t.Fatalf("Compile(%q) = %v; want no error", text, err)
	}
	vars := &Vars{PipeName: c.Context["pipe_name"], PipeARN: c.Context["pipe_arn"]}
	out, err := tpl.Render(nil, rawjson.New(c.Event), vars)
	if c.ExpectedKind == "not_delivered" {
		if !errors.Is(err, ErrObjectInString) {
			t.Errorf("Render(%q) = %s, %v; want ErrObjectInString (AWS delivered nothing)", text, out, err)
		}
		return
	}
	if err != nil {
		t.Fatalf("Render(%q) = %v", text, err)
	}
	var want string
	switch c.ExpectedKind {
	case "json":
		var g, w any
		if err := json.Unmarshal(out, &g); err != nil {
			t.Fatalf("Render(%q) = %s; want JSON: %v", text, out, err)
		}
		json.Unmarshal(c.Expected, &w)
		if diff := cmp.Diff(w, g); diff != "" {
			t.Errorf("Render(%q) = %s; want %s (-want +got):\n%s", text, out, c.Expected, diff)
		}
		return
	case "text":
		json.Unmarshal(c.Expected, &want)
	case "doc_statement":
		// Prose only: the docs do not pin the spacing, so compare without spaces.
		json.Unmarshal(c.Expected, &want)
		want = strings.ReplaceAll(want, " ", "")
	}
	if string(out) != want {
		t.Errorf("Render(%q) = %q; want %q", text, out, want)
	}
}
