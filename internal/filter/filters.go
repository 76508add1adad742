package filter

import (
	"fmt"
	"slices"
	"unicode/utf8"

	"github.com/pipesim/pipesim/internal/rawjson"
)

// Limits of a pipe's FilterCriteria (AWS::Pipes::Pipe FilterList and Filter.Pattern).
const (
	MaxFilters       = 5
	MaxPatternLength = 4096
)

// Options tunes how CompileFilters applies EventBridge Pipes' restrictions.
type Options struct {
	// AllowUnsupported accepts operators AWS Pipes rejects (anything-but with
	// prefix, suffix, equals-ignore-case or wildcard, and wildcard), reporting
	// each in Warnings. False rejects them at load, as AWS would.
	AllowUnsupported bool
	// MatchPollerFields lets patterns match the fields the Pipes poller adds
	// to a DynamoDB record after filtering (awsRegion, eventSource,
	// eventSourceARN, eventVersion). False, the default, treats them as absent
	// at filter time, as on AWS.
	MatchPollerFields bool
}

// Filters is a pipe's FilterCriteria: up to MaxFilters patterns, ORed. It is
// immutable and safe for concurrent use.
type Filters struct {
	patterns []*Pattern
	warnings []Warning
	slots    *slotTrie // nil: walk each pattern
	// srcs and opts are what the patterns were compiled from: a Group compiles them again
	// for its own trie (a trie numbers the fields of the patterns it holds).
	srcs []string
	opts Options
}

// pollerFields are added by the Pipes poller after filtering (AWS docs,
// eb-pipes-event-filtering: "fields added by the polling operation").
// eventID and eventName are on that list too, yet filtering on eventName
// demonstrably works, so both stay matchable.
var pollerFields = map[string]bool{
	"awsRegion": true, "eventSource": true, "eventSourceARN": true, "eventVersion": true,
}

// CompileFilters compiles a pipe's FilterCriteria patterns. An invalid
// pattern gives a *PatternError whose Filter is its index; more than
// MaxFilters patterns gives an error wrapping ErrTooManyFilters.
func CompileFilters(patterns []string, opts Options) (*Filters, error) {
	if len(patterns) > MaxFilters {
		return nil, fmt.Errorf("FilterCriteria has %d filters, more than the %d EventBridge Pipes allows: %w",
			len(patterns), MaxFilters, ErrTooManyFilters)
	}
	return compileFilters(patterns, opts)
}

// compileFilters is CompileFilters without Pipes' limit on the number of filters: the matcher
// answers right for any number of them.
func compileFilters(patterns []string, opts Options) (*Filters, error) {
	f := &Filters{srcs: slices.Clone(patterns), opts: opts}
	for i, src := range patterns {
		p, err := compileFilter(i, src, opts, &f.warnings)
		if err != nil {
			return nil, err
		}
		f.patterns = append(f.patterns, p)
	}
	if len(f.patterns) > 1 {
		f.slots = buildSlots(f.patterns, nil)
	}
	return f, nil
}

func compileFilter(i int, src string, opts Options, warnings *[]Warning) (*Pattern, error) {
	if n := utf8.RuneCountInString(src); n > MaxPatternLength {
		return nil, &PatternError{Filter: i, err: ErrPatternTooLong,
			Reason: fmt.Sprintf("pattern is %d characters long; Pipes allows at most %d", n, MaxPatternLength)}
	}
	p, err := compile(src)
	if err != nil {
		return nil, toPatternError(i, err)
	}
	for _, u := range p.unsupported {
		if !opts.AllowUnsupported {
			return nil, &PatternError{Filter: i, err: ErrUnsupportedInPipes,
				Reason: u.String() + " is not supported by EventBridge Pipes (AWS rejects this pattern; pipesim accepts it with --allow-unsupported-filters)"}
		}
		*warnings = append(*warnings, Warning{Kind: WarnUnsupported, Filter: i, Path: u.path,
			Reason: u.String() + " is not supported by EventBridge Pipes; AWS would reject this pattern"})
	}
	if !opts.MatchPollerFields {
		hidePollerFields(p.root, i, warnings)
	}
	lintRecordShape(p.root, i, !opts.MatchPollerFields, warnings)
	return p, nil
}

// hidePollerFields makes the top-level poller fields absent at match time.
func hidePollerFields(n *node, i int, warnings *[]Warning) {
	for k := range n.fields {
		f := &n.fields[k]
		if pollerFields[f.name] && !f.hidden {
			f.hidden = true
			*warnings = append(*warnings, Warning{Kind: WarnPollerField, Filter: i, Path: f.name,
				Reason: f.name + " is added by the Pipes poller after filtering, so the pattern sees it as absent"})
		}
	}
	for _, alts := range n.ors {
		for _, a := range alts {
			hidePollerFields(a, i, warnings)
		}
	}
}

// Match reports whether a Pipes-shaped DynamoDB stream record (raw JSON)
// matches any of the filters. With no filters every record matches. A record
// that matches none is skipped without an execution, as on AWS.
//
// One filter is matched like Pattern.Match, reading only as far as needed.
// Several filters share one read of the record, guided by the paths they
// name, which stops once one filter matched or all failed; records with an
// array where a filter expects an object, or with dotted keys that may name
// a path, are walked once per filter instead.
// Match allocates nothing in either case (the walks' memo is pooled).
func (f *Filters) Match(doc *rawjson.Doc) bool {
	switch len(f.patterns) {
	case 0:
		return true
	case 1:
		return f.patterns[0].match(doc.Bytes())
	}
	if f.slots != nil {
		return f.matchShared(doc)
	}
	return f.matchWalks(doc.Bytes())
}

// matchShared is Match through one read of the record shared by the filters,
// which leaves what it found in doc's memo. It is a function of its own so
// that the single-filter path does not set up its large frame.
func (f *Filters) matchShared(doc *rawjson.Doc) bool {
	r := newSlotRead(f.slots, f.patterns, doc.Bytes())
	switch r.read() {
	case readOK, readDecided:
		r.remember(doc)
		return r.answer != 0
	case readBad:
		return false
	}
	return f.matchWalks(doc.Bytes())
}

// matchWalks walks the record once per pattern, sharing a memo of what was
// read.
func (f *Filters) matchWalks(record []byte) bool {
	set := indexPool.Get().(*indexSet)
	defer indexPool.Put(set)
	set.n = 0
	for _, p := range f.patterns {
		st := matchState{idx: set}
		ok := p.root.matchDocument(record, &st)
		if st.dotted {
			ok = p.matchNormalized(record)
		}
		if ok {
			return true
		}
	}
	return false
}

// Len returns the number of filters.
func (f *Filters) Len() int { return len(f.patterns) }

// Warnings returns what the user should know about the filters that does not
// stop them loading: operators AWS would reject (with AllowUnsupported),
// fields the poller adds after filtering, and tests that can never match a
// DynamoDB record (see Warning's kinds).
func (f *Filters) Warnings() []Warning {
	return append([]Warning(nil), f.warnings...)
}

// TopStrings reports whether every filter constrains one and the same top-level field, and only
// to exact strings, as the seed's {"eventName": ["INSERT", "MODIFY"]} does: a record whose field
// is a string then matches exactly when the string is among values (the filters' values
// together). A caller that already holds the field's string, as a stream record holds its
// eventName, can decide without reading the record.
func (f *Filters) TopStrings() (field string, values []string, ok bool) {
	for i, p := range f.patterns {
		name, strs, only := p.topStrings()
		if !only || i > 0 && name != field {
			return "", nil, false
		}
		field = name
		for _, s := range strs {
			if !slices.Contains(values, s) {
				values = append(values, s)
			}
		}
	}
	return field, values, len(f.patterns) > 0
}

// topStrings is TopStrings for one pattern.
func (p *Pattern) topStrings() (string, []string, bool) {
	n := p.root
	if len(n.fields) != 1 || len(n.ors) > 0 {
		return "", nil, false
	}
	fd := &n.fields[0]
	l := fd.leaf
	if fd.child != nil || fd.hidden || l == nil || len(l.nums) > 0 || l.lits != 0 || len(l.ips) > 0 ||
		len(l.ops) > 0 || l.existsTrue || l.existsFalse || len(l.strs) == 0 {
		return "", nil, false
	}
	return fd.name, l.strs, true
}
