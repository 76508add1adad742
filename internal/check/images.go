package check

import (
	"strings"

	"github.com/pipesim/pipesim/internal/filter"
)

// lacking is a kind of record that lacks an image: REMOVE records have no NewImage, INSERT
// records no OldImage (DynamoDB StreamRecord).
var lacking = map[string]string{newImage: "REMOVE", oldImage: "INSERT"}

// images finds the template and parameters that read an image some records will not have: one
// the stream's view type does not carry (PS006), or one the records of an event kind the filters
// let through lack (PS007). Paths are grouped by field and image, so a template reading three
// NewImage attributes gets one finding.
func (c *pipeCheck) images() {
	type group struct {
		field, image string
		paths        []string
		param        bool
	}
	var groups []*group
	for _, r := range c.reads() {
		if len(r.steps) < 2 || r.steps[0] != "dynamodb" || (r.steps[1] != newImage && r.steps[1] != oldImage) {
			continue
		}
		var g *group
		for _, x := range groups {
			if x.field == r.field && x.image == r.steps[1] {
				g = x
			}
		}
		if g == nil {
			g = &group{field: r.field, image: r.steps[1], param: r.param != ""}
			groups = append(groups, g)
		}
		g.paths = append(g.paths, r.path)
	}
	for _, g := range groups {
		c.image(g.field, g.image, g.paths, g.param)
	}
}

// image reports one field's reads of one image.
func (c *pipeCheck) image(field, image string, paths []string, param bool) {
	reads := strings.Join(paths, ", ")
	effect := `these paths render as missing ("" by default; see --missing)`
	if len(paths) == 1 {
		effect = `the path renders as missing ("" by default; see --missing)`
	}
	if param {
		effect = "the parameter has no value"
	}
	if c.table != nil && c.table.StreamViewType != "" && !carries(c.table.StreamViewType, image) {
		c.add("PS006", field, c.viewFix(image), "reads %s, but the %s stream of table %s carries no %s: for every record, %s",
			reads, c.table.StreamViewType, c.table.Name, image, effect)
		return
	}
	kind := lacking[image]
	facts := filter.Facts{Values: map[string]string{"eventName": kind}, Absent: []string{"dynamodb." + image}}
	if !c.p.Filters.MayMatch(facts) {
		return
	}
	fix := `let only INSERT and MODIFY records through (a filter {"eventName": ["INSERT", "MODIFY"]}), and handle REMOVE records, which carry dynamodb.OldImage, in a pipe of their own`
	if image == oldImage {
		fix = `let only MODIFY and REMOVE records through (a filter {"eventName": ["MODIFY", "REMOVE"]}), or read dynamodb.NewImage for INSERT records`
	}
	c.add("PS007", field, fix, "reads %s, but %s, and they have no %s: for them %s",
		reads, c.lets(kind+" records"), image, effect)
}
