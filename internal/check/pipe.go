package check

import (
	"fmt"
	"strings"

	"github.com/pipesim/pipesim/internal/config"
	"github.com/pipesim/pipesim/internal/filter"
	"github.com/pipesim/pipesim/internal/stream"
	"github.com/pipesim/pipesim/internal/template"
)

// Images of a stream record.
const (
	newImage = "NewImage"
	oldImage = "OldImage"
)

// pipeCheck gathers the findings of one pipe.
type pipeCheck struct {
	cfg   *config.Config
	p     *config.Pipe
	table *config.Table // the source table, nil when the design does not declare it
	who   string
	out   []Finding
}

func newPipeCheck(cfg *config.Config, p *config.Pipe) *pipeCheck {
	return &pipeCheck{cfg: cfg, p: p, table: sourceTable(cfg, p.Source), who: quoted("pipe", p.Name)}
}

// sourceTable is the declared table a source (a table name or a stream ARN) reads.
func sourceTable(cfg *config.Config, source string) *config.Table {
	name := sourceTableName(source)
	for i := range cfg.Tables {
		if cfg.Tables[i].Name == name {
			return &cfg.Tables[i]
		}
	}
	return nil
}

// sourceTableName is the table of a source: its name, or the table of its stream ARN.
func sourceTableName(source string) string {
	if arn, err := stream.ParseStreamARN(source); err == nil {
		return arn.Table
	}
	return source
}

func (c *pipeCheck) add(code, field, fix, format string, args ...any) {
	c.out = append(c.out, finding(code, c.who, field, fix, format, args...))
}

func (c *pipeCheck) run() []Finding {
	if c.table != nil && c.table.StreamViewType == "" {
		c.add("PS015", "Source", "enable the table's stream: StreamSpecification: {StreamEnabled: true, StreamViewType: NEW_AND_OLD_IMAGES}",
			"table %s has no stream (StreamSpecification.StreamEnabled is not true), so the pipe has nothing to read", c.table.Name)
	}
	c.filterWarnings()
	c.filterPaths()
	for _, r := range c.reads() {
		c.read(r)
	}
	c.images()
	c.deadLetter()
	return c.out
}

// filterField is the field of the filter at index i.
func filterField(i int) string {
	return fmt.Sprintf("SourceParameters.FilterCriteria.Filters[%d].Pattern", i)
}

// filterWarnings turns the filters' own load warnings into findings.
func (c *pipeCheck) filterWarnings() {
	if c.p.Filters == nil {
		return
	}
	for _, w := range c.p.Filters.Warnings() {
		code, fix := warningRule(w)
		c.add(code, filterField(w.Filter), fix, "%s", w.Reason)
	}
}

// warningRule is the code of a filter warning and what to do about it.
func warningRule(w filter.Warning) (code, fix string) {
	switch w.Kind {
	case filter.WarnNumberOnString:
		if w.Want != "" {
			return "PS001", fmt.Sprintf("write the number as a string: [%s]", w.Want)
		}
		return "PS001", "a range of numbers cannot be tested on a stream record's N attribute: match exact values as strings ([\"42\"]), " +
			"or a prefix of the digits ([{\"prefix\": \"4\"}]), or let the target decide"
	case filter.WarnPollerField:
		return "PS002", "remove the test: every record of the pipe comes from its source, so tell records apart by eventName, " +
			"userIdentity or the dynamodb fields"
	case filter.WarnFieldCase:
		return "PS003", fmt.Sprintf("write %s", w.Want)
	case filter.WarnNoSuchField:
		return "PS004", "test the fields a stream record has: eventName, eventID, userIdentity and dynamodb " +
			"(Keys, NewImage, OldImage, ...); `pipesim transform --event` shows a record"
	case filter.WarnUntypedAttribute:
		return "PS005", fmt.Sprintf("test the typed value: %s (or .N, .BOOL, ... as the attribute's type is)", w.Want)
	case filter.WarnNotALeaf:
		return "PS005", "test a value inside it, such as dynamodb.NewImage.<attribute>.S; to require an attribute, " +
			"test its type with exists: {\"<attribute>\": {\"S\": [{\"exists\": true}]}}"
	}
	return "PS014", "AWS rejects the pattern when the pipe is created or updated: rewrite it without the operator"
}

// filterPaths checks the paths the filters name against the source table: images its stream does
// not carry, key attributes it does not have. A pattern that needs such a path never matches.
func (c *pipeCheck) filterPaths() {
	if c.p.Filters == nil || c.table == nil || c.table.StreamViewType == "" {
		return
	}
	for i := 0; i < c.p.Filters.Len(); i++ {
		for _, img := range []string{newImage, oldImage} {
			absent := "dynamodb." + img
			if !carries(c.table.StreamViewType, img) && !c.p.Filters.FilterMayMatch(i, filter.Facts{Absent: []string{absent}}) {
				c.add("PS006", filterField(i), c.viewFix(img),
					"the filter tests dynamodb.%s, which the %s stream of table %s does not carry, so it never matches",
					img, c.table.StreamViewType, c.table.Name)
			}
		}
		for _, path := range c.p.Filters.Fields(i) {
			steps := strings.Split(path, ".")
			if len(steps) != 3 || steps[0] != "dynamodb" || steps[1] != "Keys" {
				continue
			}
			if c.p.Filters.FilterMayMatch(i, filter.Facts{Absent: []string{path}}) {
				continue
			}
			if code, msg, fix, ok := c.keyProblem(steps); ok {
				c.add(code, filterField(i), fix, "%s, so the filter never matches", msg)
			}
		}
	}
}

// keyProblem says what is wrong with a path dynamodb.Keys.ATTR[.TYPE] for the source table.
func (c *pipeCheck) keyProblem(steps []string) (code, msg, fix string, ok bool) {
	t := c.table
	if t == nil || len(steps) < 3 {
		return "", "", "", false
	}
	attr, keys := steps[2], []string{t.HashKey}
	if t.RangeKey != "" {
		keys = append(keys, t.RangeKey)
	}
	for _, k := range keys {
		switch {
		case attr == k && len(steps) > 3 && t.Attributes[k] != "" && steps[3] != t.Attributes[k]:
			return "PS004", fmt.Sprintf("table %s declares %s as %s, not %s", t.Name, k, t.Attributes[k], steps[3]),
				fmt.Sprintf("write dynamodb.Keys.%s.%s", k, t.Attributes[k]), true
		case attr == k:
			return "", "", "", false
		case strings.EqualFold(attr, k):
			return "PS003", fmt.Sprintf("dynamodb.Keys.%s differs only in case from %s, the key of table %s", attr, k, t.Name),
				fmt.Sprintf("write dynamodb.Keys.%s", k), true
		}
	}
	return "PS004", fmt.Sprintf("dynamodb.Keys holds only the key attributes of table %s (%s), not %s", t.Name, strings.Join(keys, ", "), attr),
		fmt.Sprintf("read a key attribute, or read %s from dynamodb.NewImage or dynamodb.OldImage", attr), true
}

// carries reports whether a stream of the view type carries the image.
func carries(view, image string) bool {
	switch view {
	case "NEW_AND_OLD_IMAGES":
		return true
	case "NEW_IMAGE":
		return image == newImage
	case "OLD_IMAGE":
		return image == oldImage
	}
	return false
}

// viewFix is what to do about an image the stream does not carry.
func (c *pipeCheck) viewFix(image string) string {
	view := "NEW_AND_OLD_IMAGES"
	if c.table.StreamViewType == "KEYS_ONLY" {
		view = map[string]string{newImage: "NEW_IMAGE", oldImage: "OLD_IMAGE"}[image] + " or NEW_AND_OLD_IMAGES"
	}
	return fmt.Sprintf("set StreamSpecification.StreamViewType of table %s to %s (changing it replaces the stream), or read dynamodb.Keys",
		c.table.Name, view)
}

// deadLetter finds a dead-letter queue no batch can reach.
func (c *pipeCheck) deadLetter() {
	sp := c.p.Stream
	if sp.DLQ == nil || sp.MaxRetries >= 0 || sp.MaxRecordAge >= 0 {
		return
	}
	c.add("PS010", "SourceParameters.DynamoDBStreamParameters.DeadLetterConfig.Arn",
		"set MaximumRetryAttempts (such as 3), or MaximumRecordAgeInSeconds below the stream's 24-hour retention (such as 3600)",
		"with MaximumRetryAttempts -1 and MaximumRecordAgeInSeconds -1 (both AWS's defaults), a failing batch is retried until it leaves the stream and never reaches queue %s",
		sp.DLQ.Name)
}

// read is one record path a template or parameter reads.
type read struct {
	field  string   // the pipe's field that holds it
	path   string   // as written: $.dynamodb.NewImage.TTL.N
	steps  []string // its field names
	param  string   // "" for the template; else what the value is: "query parameter ttl_seconds"
	effect string   // what an absent value does to the request
}

// reads lists the paths the pipe's template and dynamic HTTP parameters read.
func (c *pipeCheck) reads() []read {
	var out []read
	if t := c.p.Template; t != nil {
		for _, path := range t.Paths() {
			out = append(out, read{field: "TargetParameters.InputTemplate", path: path, steps: template.PathFields(path)})
		}
	}
	tg := c.p.Target
	if tg == nil {
		return out
	}
	const hp = "TargetParameters.HttpParameters."
	for i, prm := range tg.PathParams() {
		out = appendParam(out, prm, fmt.Sprintf(hp+"PathParameterValues[%d]", i), fmt.Sprintf("path parameter %d", i),
			"the URL gets an empty path segment")
	}
	for _, np := range tg.Query() {
		out = appendParam(out, np.Value, hp+"QueryStringParameters."+np.Key, "query parameter "+np.Key,
			fmt.Sprintf("the request is then sent with %s=", np.Key))
	}
	for _, np := range tg.Headers() {
		out = appendParam(out, np.Value, hp+"HeaderParameters."+np.Key, "header "+np.Key,
			fmt.Sprintf("the request is then sent with an empty %s header", np.Key))
	}
	return out
}

func appendParam(out []read, p any, field, what, effect string) []read {
	tp, ok := p.(template.Param)
	if !ok || !tp.IsPath() {
		return out
	}
	return append(out, read{field: field, path: tp.String(), steps: tp.Fields(), param: what, effect: effect})
}

// read checks one path against the record's shape, the source table's keys and what the
// filters let through.
func (c *pipeCheck) read(r read) {
	if w, bad := filter.RecordPathWarning(r.steps); bad {
		code, fix := "PS004", "read a field a stream record has; `pipesim transform --event` shows one"
		if w.Kind == filter.WarnFieldCase {
			code, fix = "PS003", fmt.Sprintf("write %s where the path has %s", w.Want, w.Path)
		}
		c.add(code, r.field, fix, "%s: %s, so it is never found", r.path, w.Reason)
		return
	}
	if len(r.steps) >= 3 && r.steps[0] == "dynamodb" && r.steps[1] == "Keys" {
		if code, msg, fix, ok := c.keyProblem(r.steps); ok {
			c.add(code, r.field, fix, "%s: %s, so it is never found", r.path, msg)
		}
		return
	}
	if r.param != "" {
		c.mayBeAbsent(r)
	}
}

// mayBeAbsent finds a parameter that reads an attribute some records lack: a non-key attribute
// of an image, or the userIdentity of TTL deletes.
func (c *pipeCheck) mayBeAbsent(r read) {
	s := r.steps
	var which, fix string
	switch {
	case len(s) >= 3 && s[0] == "dynamodb" && (s[1] == newImage || s[1] == oldImage):
		if c.table == nil || !carries(c.table.StreamViewType, s[1]) || s[2] == c.table.HashKey || s[2] == c.table.RangeKey {
			return // not known, or PS006's; key attributes are in every image
		}
		which = fmt.Sprintf("items without %s lack", s[2])
		fix = "require it in the pipe's filter with exists, or make sure every item has it"
		if len(s) >= 4 {
			fix = fmt.Sprintf("require it in the pipe's filter (%s), or make sure every item has it", existsPattern(s))
		}
	case len(s) >= 2 && s[0] == "userIdentity":
		which = "only the records of TTL deletes have"
		fix = fmt.Sprintf("require it in the pipe's filter (%s), or read a field every record has", existsPattern(s))
	default:
		return
	}
	if !c.p.Filters.MayMatch(filter.Facts{Absent: []string{strings.Join(s, ".")}}) {
		return // the filters require it
	}
	c.add("PS008", r.field, fix,
		"%s reads %s, which %s, and %s: %s (an API that requires the value answers 400; the batch is retried, then dead-lettered)",
		r.param, r.path, which, c.lets("records without it"), r.effect)
}

// existsPattern is the pattern that requires the path: {"a": {"b": [{"exists": true}]}}.
func existsPattern(steps []string) string {
	var b strings.Builder
	for _, s := range steps {
		fmt.Fprintf(&b, "{%q: ", s)
	}
	b.WriteString(`[{"exists": true}]`)
	b.WriteString(strings.Repeat("}", len(steps)))
	return b.String()
}

// lets says that the pipe lets some records through: "the pipe's filters let REMOVE records
// through", or "the pipe has no filter, so REMOVE records reach its target".
func (c *pipeCheck) lets(records string) string {
	if c.p.Filters == nil || c.p.Filters.Len() == 0 {
		return fmt.Sprintf("the pipe has no filter, so %s reach its target", records)
	}
	return fmt.Sprintf("the pipe's filters let %s through", records)
}
