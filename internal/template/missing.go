package template

import "fmt"

// Missing says how a placeholder whose path is absent from the record renders.
type Missing int

const (
	// MissingAWS is the default and follows what AWS was observed to do with input
	// transformers: an empty JSON string ("") in a JSON value position, empty text inside a
	// string literal or a text template.
	MissingAWS Missing = iota
	// MissingNull renders null in a JSON value position and empty text elsewhere, so the body
	// stays valid JSON and the absence is visible.
	MissingNull
	// MissingFail makes Render return ErrMissingPath: the transformation fails, as a pipe
	// whose target rejects the event would.
	MissingFail
)

var missingNames = [...]string{MissingAWS: "aws", MissingNull: "null", MissingFail: "fail"}

// ParseMissing reads a Missing from its name: "aws" (the default, also ""), "null" or "fail".
func ParseMissing(s string) (Missing, error) {
	if s == "" {
		return MissingAWS, nil
	}
	for m, name := range missingNames {
		if s == name {
			return Missing(m), nil
		}
	}
	return MissingAWS, fmt.Errorf("missing-path mode %q: want aws, null or fail", s)
}

// String returns the name ParseMissing reads.
func (m Missing) String() string {
	if m < 0 || int(m) >= len(missingNames) {
		return fmt.Sprintf("Missing(%d)", int(m))
	}
	return missingNames[m]
}

// Options tune how a template renders.
type Options struct {
	Missing Missing
	// StripObjectQuotes renders an object or array that lands inside a string literal of a
	// JSON template with its string quotes dropped ({"a":"b"} as {a:b}), as it renders in a
	// text template. By default such a render fails with ErrObjectInString, which is what AWS
	// was observed to do (the target receives nothing).
	StripObjectQuotes bool
}
