package webui

import (
	"strings"

	"github.com/pipesim/pipesim/internal/config"
	"github.com/pipesim/pipesim/internal/template"
)

// The page's sample item is made from the design, not from any one design's names: the
// attributes of the stream images that a pipe's filter, input template or HTTP parameters read,
// with their DynamoDB types, and the exact string a filter wants where it wants one, so that the
// sample passes the filter as written.

// ImageAttribute is an item attribute a pipe reads from its records' NewImage or OldImage.
type ImageAttribute struct {
	Name string `json:"name"`
	// Type is the DynamoDB type the path reads (S, N, BOOL, M, L, ...); "" when the path stops at
	// the attribute.
	Type string `json:"type,omitempty"`
	// Example is a string the pipe's first filter wants the attribute to hold, when it wants one.
	Example string `json:"example,omitempty"`
	// By says what reads it: "filter", "template" or "HTTP parameter".
	By string `json:"by"`
}

// attributesRead lists the image attributes the pipe's filters, template and dynamic HTTP
// parameters read, each name once (the filter's first), in the order they appear.
func attributesRead(p *config.Pipe) []ImageAttribute {
	var out []ImageAttribute
	add := func(steps []string, by, example string) {
		if len(steps) < 3 || steps[0] != "dynamodb" || (steps[1] != "NewImage" && steps[1] != "OldImage") {
			return
		}
		a := ImageAttribute{Name: steps[2], By: by, Example: example}
		if len(steps) > 3 {
			a.Type = steps[3]
		}
		for i := range out {
			if out[i].Name == a.Name { // a filter names "status", then "status.S"
				if out[i].Type == "" {
					out[i].Type = a.Type
				}
				if out[i].Example == "" && out[i].Type == a.Type {
					out[i].Example = a.Example
				}
				return
			}
		}
		out = append(out, a)
	}
	if f := p.Filters; f != nil {
		examples := f.ExampleStrings()
		for i := range f.Len() {
			for _, path := range f.Fields(i) {
				add(strings.Split(path, "."), "filter", examples[path])
			}
		}
	}
	if t := p.Template; t != nil {
		for _, path := range t.Paths() {
			add(template.PathFields(path), "template", "")
		}
	}
	if tg := p.Target; tg != nil {
		for _, prm := range tg.Params() {
			if tp, ok := prm.(template.Param); ok && tp.IsPath() {
				add(tp.Fields(), "HTTP parameter", "")
			}
		}
	}
	return out
}
