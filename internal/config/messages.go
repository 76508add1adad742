package config

import (
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// The YAML decoder's messages, read so that pipesim can say them in the pipes file's terms: the
// object and field, the types in words, a known field for an unknown one. Go's names of pipesim's
// types never reach the user.
var (
	typeErrorLine = regexp.MustCompile("^line (\\d+): cannot unmarshal !!(\\w+) (?:`(.*)` )?into (.+)$")
	unknownLine   = regexp.MustCompile(`^line (\d+): field (\S+) not found in type (.+)$`)
)

// YAMLMessage says what is wrong with a YAML file that the decoder refused when decoding it into
// a value of v's type (pipesim's pipe test files, say) as decodeMessage says it of a pipes file:
// each problem once, on its line, with the path of its field, types in words and a known field
// for an unknown one.
func YAMLMessage(data []byte, err error, v any) string {
	ix := indexFile(data)
	ix.known = fieldsOf(reflect.TypeOf(v))
	return decodeMessage(ix, err)
}

// decodeMessage says what is wrong with a pipes file the YAML decoder refused. Each problem is
// on its line, once: a problem inside a YAML anchor is reported where the anchor is, not once
// per alias.
func decodeMessage(ix *fileIndex, err error) string {
	if errors.Is(err, io.EOF) {
		return "the file is empty: a pipes file declares its Pipes (and the Tables, Queues, Connections and ApiDestinations they use); testdata/weather-stats/pipes.yaml is one"
	}
	msg := err.Error()
	rest, isUnmarshal := strings.CutPrefix(msg, "yaml: unmarshal errors:\n")
	if !isUnmarshal {
		return strings.TrimPrefix(msg, "yaml: ")
	}
	var out []string
	for _, line := range strings.Split(rest, "\n") {
		m := ix.problem(strings.TrimSpace(line))
		if m != "" && !containsString(out, m) {
			out = append(out, m)
		}
	}
	return strings.Join(out, "\n")
}

// problem rewrites one of the decoder's problems.
func (ix *fileIndex) problem(p string) string {
	if m := typeErrorLine.FindStringSubmatch(p); m != nil {
		line, _ := strconv.Atoi(m[1])
		got := tagWords(m[2])
		if m[3] != "" {
			got = strconv.Quote(m[3]) + " is " + got
		} else {
			got = "the value is " + got
		}
		return ix.located(line, valueText(m[3]), tagKind[m[2]], "", fmt.Sprintf("%s, want %s", got, typeWords(m[4])))
	}
	if m := unknownLine.FindStringSubmatch(p); m != nil {
		line, _ := strconv.Atoi(m[1])
		msg := "unknown field " + m[2]
		if s := suggest(m[2], ix.knownFields()[m[3]]); s != "" {
			msg += fmt.Sprintf(" (did you mean %s?)", s)
		}
		return ix.located(line, m[2], 0, m[2], msg)
	}
	return p
}

// valueText is the value the decoder quoted, without the "..." it puts after 7 characters of a
// longer one: a prefix to look for.
func valueText(v string) string { return strings.TrimSuffix(v, "...") }

// located writes a problem on line as "line N: pipe "x": Field: msg", naming the object and
// field of the node on that line whose value (or key) is text; leaf, when given, is the key the
// problem is about, left out of the field.
func (ix *fileIndex) located(line int, text string, nodeKind yaml.Kind, leaf, msg string) string {
	kind, name, field, ok := ix.atKind(line, text, nodeKind)
	if !ok {
		kind, name, field, ok = ix.atPrefix(line, text)
	}
	if !ok { // the value came from a ${VAR}: the file holds the reference
		kind, name, field, ok = ix.atPrefix(line, "${")
		if !ok {
			kind, name, field, ok = ix.atContaining(line, "${")
		}
	}
	where := fmt.Sprintf("line %d: ", line)
	if !ok {
		return where + msg
	}
	if leaf != "" {
		field = strings.TrimSuffix(strings.TrimSuffix(field, leaf), ".")
	}
	if kind != "" {
		where += fmt.Sprintf("%s %q: ", kind, name)
	}
	if field != "" {
		where += field + ": "
	}
	return where + msg
}

// atPrefix is at for a value the decoder shortened: the first node on line whose value starts
// with text.
func (ix *fileIndex) atPrefix(line int, text string) (kind, name, field string, ok bool) {
	if text == "" || ix.root == nil {
		return "", "", "", false
	}
	for _, v := range scalarsOn(ix.root, line) {
		if strings.HasPrefix(v, text) {
			return ix.at(line, v)
		}
	}
	return "", "", "", false
}

// atContaining is at for the first node on line whose value holds text.
func (ix *fileIndex) atContaining(line int, text string) (kind, name, field string, ok bool) {
	if ix.root == nil {
		return "", "", "", false
	}
	for _, v := range scalarsOn(ix.root, line) {
		if strings.Contains(v, text) {
			return ix.at(line, v)
		}
	}
	return "", "", "", false
}

// tagKind is the node kind of a YAML tag that is not a scalar's.
var tagKind = map[string]yaml.Kind{"seq": yaml.SequenceNode, "map": yaml.MappingNode}

// tagWords says a YAML tag in words.
func tagWords(tag string) string {
	switch tag {
	case "str":
		return "a string"
	case "int", "float":
		return "a number"
	case "bool":
		return "true or false"
	case "seq":
		return "a list"
	case "map":
		return "a mapping"
	case "null":
		return "null"
	case "timestamp":
		return "a timestamp"
	case "binary":
		return "binary data"
	}
	return tag
}

// typeWords says a Go type the decoder named in words.
func typeWords(t string) string {
	t = strings.TrimPrefix(t, "*")
	switch {
	case strings.HasPrefix(t, "[]"):
		if elem := typeWords(t[2:]); elem != "a mapping" {
			return "a list of " + strings.TrimPrefix(strings.TrimPrefix(elem, "a "), "an ") + "s"
		}
		return "a list"
	case strings.HasPrefix(t, "map["):
		return "a mapping"
	case strings.HasPrefix(t, "int"), strings.HasPrefix(t, "uint"):
		return "a whole number"
	case strings.HasPrefix(t, "float"):
		return "a number"
	case t == "bool":
		return "true or false"
	case t == "string":
		return "a string"
	}
	return "a mapping"
}

// knownFields lists the fields of each type the file decodes into, by the name the decoder gives
// the type: the pipes file's unless the index says other.
func (ix *fileIndex) knownFields() map[string][]string {
	if ix.known != nil {
		return ix.known
	}
	return pipesFileFields
}

// pipesFileFields lists the fields of each type of the pipes file.
var pipesFileFields = fieldsOf(reflect.TypeOf(file{}))

// fieldsOf lists the YAML fields of t and of every struct type it holds, by type name.
func fieldsOf(t reflect.Type) map[string][]string {
	out := map[string][]string{}
	var visit func(t reflect.Type)
	visit = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || out[t.String()] != nil {
			return
		}
		names := []string{}
		out[t.String()] = names
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if tag, _, _ := strings.Cut(f.Tag.Get("yaml"), ","); tag != "" && tag != "-" {
				names = append(names, tag)
			}
			visit(f.Type)
		}
		out[t.String()] = names
	}
	visit(t)
	return out
}

// suggest is the known name closest to name: the same but for case, else within a few edits.
func suggest(name string, known []string) string {
	best, bestDist := "", len(name)/3+2
	for _, k := range known {
		if strings.EqualFold(k, name) {
			return k
		}
		if d := editDistance(strings.ToLower(name), strings.ToLower(k)); d < bestDist {
			best, bestDist = k, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b (bytes).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
