package filter

import (
	"fmt"
	"sort"
	"strings"
)

// WarningKind says what a load warning is about, so that a caller (pipesim check) can give each
// kind its own code and advice.
type WarningKind uint8

const (
	// WarnUnsupported: an operator AWS Pipes rejects, accepted with Options.AllowUnsupported.
	WarnUnsupported WarningKind = iota + 1
	// WarnPollerField: a field the Pipes poller adds after filtering, absent when filters run.
	WarnPollerField
	// WarnNoSuchField: a path a DynamoDB stream record cannot have.
	WarnNoSuchField
	// WarnFieldCase: a field that differs only in case from a record field (Warning.Want).
	WarnFieldCase
	// WarnUntypedAttribute: a value test on a DynamoDB attribute rather than on its type (S, N, ...).
	WarnUntypedAttribute
	// WarnNotALeaf: a value test on an object of the record (dynamodb, NewImage, ...), which holds
	// no value to test.
	WarnNotALeaf
	// WarnNumberOnString: numeric, or a number, on a field that holds strings, such as an N
	// attribute's value: it never matches.
	WarnNumberOnString
)

// Warning is one thing a pattern does that does not stop it loading but that the user should
// know: see the kinds.
type Warning struct {
	Kind WarningKind
	// Filter is the pattern's index in its FilterCriteria; -1 for a path checked on its own
	// (RecordPathWarning).
	Filter int
	// Path is the dotted path in the pattern (or the checked path) the warning is about.
	Path string
	// Want is the record's own spelling, for WarnFieldCase; the path to test instead, for
	// WarnUntypedAttribute; the value to write instead of a number, for WarnNumberOnString.
	Want string
	// Reason says what is wrong, without the filter's index.
	Reason string
}

// String is the warning as test-pattern prints it: "filter 0: ...".
func (w Warning) String() string {
	if w.Filter < 0 {
		return w.Reason
	}
	return fmt.Sprintf("filter %d: %s", w.Filter, w.Reason)
}

// shape is what one level of a DynamoDB stream record, as Pipes shows it, can hold. The record's
// fields are documented (DynamoDB Streams Record and StreamRecord); attribute maps (Keys,
// NewImage, OldImage, M) hold any name, each a typed value ({"S": ...}, {"N": ...}, ...).
type shape struct {
	name   string            // what the level is, for messages: "a string", "an attribute map"
	fields map[string]*shape // the level's fields; nil with attrs or for a scalar
	attrs  *shape            // an attribute map: every name holds this shape
	scalar bool              // a value: nothing below it
	str    bool              // a string value (numeric never matches it)
}

var (
	strShape    = &shape{name: "a string", scalar: true, str: true}
	numStrShape = &shape{name: "a number written as a string", scalar: true, str: true}
	numShape    = &shape{name: "a number", scalar: true}
	boolShape   = &shape{name: "true or false", scalar: true}
	typedShape  = &shape{name: "a typed attribute value"}
	attrsShape  = &shape{name: "an attribute map", attrs: typedShape}
	recordShape = &shape{name: "a stream record", fields: map[string]*shape{
		"eventID": strShape, "eventName": strShape, "eventVersion": strShape, "eventSource": strShape,
		"awsRegion": strShape, "eventSourceARN": strShape,
		"dynamodb": {name: "the stream record's dynamodb object", fields: map[string]*shape{
			"ApproximateCreationDateTime": numShape, "Keys": attrsShape, "NewImage": attrsShape,
			"OldImage": attrsShape, "SequenceNumber": strShape, "SizeBytes": numShape, "StreamViewType": strShape,
		}},
		"userIdentity": {name: "the userIdentity object", fields: map[string]*shape{"type": strShape, "principalId": strShape}},
	}}
)

func init() {
	// Typed values refer to attribute maps (M) and to themselves (L, whose elements a pattern
	// reaches as if the list were flattened).
	typedShape.fields = map[string]*shape{
		"S": strShape, "N": numStrShape, "B": strShape, "BOOL": boolShape, "NULL": boolShape,
		"M": attrsShape, "L": typedShape, "SS": strShape, "NS": numStrShape, "BS": strShape,
	}
}

// step is the shape below s at name, or a warning (kind and reason) when a record cannot have it.
func (s *shape) step(name, at string) (*shape, WarningKind, string, string) {
	if s.attrs != nil {
		return s.attrs, 0, "", ""
	}
	if s.scalar {
		return nil, WarnNoSuchField, "", fmt.Sprintf("%s is %s in DynamoDB stream records; it has no field %q", at, s.name, name)
	}
	if next, ok := s.fields[name]; ok {
		return next, 0, "", ""
	}
	for _, known := range s.names() {
		if strings.EqualFold(known, name) {
			return nil, WarnFieldCase, known, fmt.Sprintf("%q differs from the record's %q only in case (field names are case-sensitive)",
				joinPath(at, name), joinPath(at, known))
		}
	}
	if at == "" {
		return nil, WarnNoSuchField, "", fmt.Sprintf("DynamoDB stream records have no top-level field %q (they have %s)", name, strings.Join(s.names(), ", "))
	}
	if s == typedShape {
		return nil, WarnNoSuchField, "", fmt.Sprintf("%q is not a DynamoDB attribute type (want one of %s)", name, strings.Join(s.names(), ", "))
	}
	return nil, WarnNoSuchField, "", fmt.Sprintf("%s has no field %q (it has %s)", at, name, strings.Join(s.names(), ", "))
}

// names are the level's field names, sorted.
func (s *shape) names() []string {
	out := make([]string, 0, len(s.fields))
	for k := range s.fields {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// lintRecordShape warns about the tests of a pattern that can never match a DynamoDB stream
// record: paths the record cannot have, tests on objects, untyped attribute values and numbers
// tested on strings. Hidden poller fields have their own warning.
func lintRecordShape(n *node, i int, pollerHidden bool, warnings *[]Warning) {
	lintNode(n, recordShape, "", i, pollerHidden, warnings)
}

func lintNode(n *node, at *shape, path string, i int, pollerHidden bool, warnings *[]Warning) {
	for k := range n.fields {
		f := &n.fields[k]
		sub := joinPath(path, f.name)
		if path == "" && pollerFields[f.name] && pollerHidden {
			continue
		}
		next, kind, want, reason := at.step(f.name, path)
		if kind != 0 {
			if kind == WarnFieldCase {
				reason += ", so the test never matches"
			}
			*warnings = append(*warnings, Warning{Kind: kind, Filter: i, Path: sub, Want: wantPath(path, want), Reason: reason})
			continue
		}
		if f.leaf != nil {
			lintLeaf(f.leaf, next, sub, i, warnings)
		}
		if f.child != nil {
			if next.scalar {
				*warnings = append(*warnings, Warning{Kind: WarnNoSuchField, Filter: i, Path: sub,
					Reason: fmt.Sprintf("%s is %s in DynamoDB stream records, not an object", sub, next.name)})
				continue
			}
			lintNode(f.child, next, sub, i, pollerHidden, warnings)
		}
	}
	for _, alts := range n.ors {
		for _, a := range alts {
			lintNode(a, at, path, i, pollerHidden, warnings)
		}
	}
}

// lintLeaf checks a field's value tests against what the record holds there.
func lintLeaf(lf *leaf, at *shape, path string, i int, warnings *[]Warning) {
	onlyAbsent := lf.existsFalse && len(lf.strs) == 0 && len(lf.nums) == 0 && lf.lits == 0 && len(lf.ips) == 0 &&
		len(lf.ops) == 0 && !lf.existsTrue
	switch {
	case at == typedShape && !onlyAbsent:
		*warnings = append(*warnings, Warning{Kind: WarnUntypedAttribute, Filter: i, Path: path, Want: path + ".S",
			Reason: fmt.Sprintf("%s is a typed attribute value such as {\"S\": \"...\"} or {\"N\": \"42\"}, so a value test on it never matches; test %s.S, %s.N, ...", path, path, path)})
	case !at.scalar && !onlyAbsent:
		*warnings = append(*warnings, Warning{Kind: WarnNotALeaf, Filter: i, Path: path,
			Reason: fmt.Sprintf("%s is %s, which holds no value, so a value test on it (exists included) never matches; test a field inside it", path, at.name)})
	case at.str && lf.hasNumeric():
		reason := fmt.Sprintf("%s holds %s, so numeric never matches it", path, at.name)
		if at == numStrShape {
			reason = fmt.Sprintf("%s holds numbers as strings in DynamoDB stream records ({\"N\": \"42\"}), so numeric never matches it", path)
		}
		*warnings = append(*warnings, Warning{Kind: WarnNumberOnString, Filter: i, Path: path, Reason: reason})
	case at.str && len(lf.nums) > 0:
		*warnings = append(*warnings, Warning{Kind: WarnNumberOnString, Filter: i, Path: path, Want: `"` + lf.nums[0].text + `"`,
			Reason: fmt.Sprintf("%s holds %s, so the number %s never matches it", path, at.name, lf.nums[0].text)})
	}
}

func (lf *leaf) hasNumeric() bool {
	for _, o := range lf.ops {
		if o.kind == opNumeric {
			return true
		}
	}
	return false
}

// RecordPathWarning checks a path of a DynamoDB stream record, given as its field names (array
// indexes left out), against what a record can hold, as the filters' warnings do; ok is false
// when a record can have it. The poller's fields count as present: a template sees them.
func RecordPathWarning(steps []string) (w Warning, ok bool) {
	at, path := recordShape, ""
	for _, name := range steps {
		next, kind, want, reason := at.step(name, path)
		if kind != 0 {
			return Warning{Kind: kind, Filter: -1, Path: joinPath(path, name), Want: wantPath(path, want), Reason: reason}, true
		}
		at, path = next, joinPath(path, name)
	}
	return Warning{}, false
}

// wantPath is the path of the record's spelling of a field, "" when there is none.
func wantPath(at, want string) string {
	if want == "" {
		return ""
	}
	return joinPath(at, want)
}
