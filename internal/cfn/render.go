package cfn

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// render writes the pipes file as YAML, in pipesim's field order, with each marker as a ${NAME}
// reference and each literal $ that would start one escaped as $$.
func render(f *outFile, name string) ([]byte, error) {
	j, err := json.Marshal(f)
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(j, &doc); err != nil {
		return nil, err
	}
	restyle(&doc, false)
	var b bytes.Buffer
	fmt.Fprintf(&b, "# %s, as pipesim reads it (pipesim convert).\n", oneLine(name))
	b.WriteString("# Secrets are ${NAME} references: pipesim gives them their values; set them in the\n")
	b.WriteString("# environment or .env to run this file with --pipes.\n")
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func oneLine(s string) string { return strings.ReplaceAll(s, "\n", " ") }

// restyle makes the JSON-shaped node block-styled YAML and renders its string values.
func restyle(n *yaml.Node, isKey bool) {
	n.Style = 0
	if n.Kind == yaml.ScalarNode && n.Tag == "!!str" && !isKey {
		n.Value = renderString(n.Value)
	}
	for i, c := range n.Content {
		restyle(c, n.Kind == yaml.MappingNode && i%2 == 0)
	}
}

// renderString turns markers into ${NAME} and escapes a literal $ as $$ where pipesim would
// otherwise read it as the start of a reference (before $ or {).
func renderString(s string) string {
	if !strings.ContainsAny(s, "$"+string(markOpen)) {
		return s
	}
	var b strings.Builder
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		switch r := rs[i]; r {
		case markOpen:
			j := i + 1
			for j < len(rs) && rs[j] != markClose {
				j++
			}
			b.WriteString("${" + string(rs[i+1:j]) + "}")
			i = j
		case '$':
			b.WriteRune('$')
			if i+1 < len(rs) && (rs[i+1] == '$' || rs[i+1] == '{' || rs[i+1] == markOpen) {
				b.WriteRune('$')
			}
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
