package filter

import (
	"errors"
	"fmt"
)

// Sentinel errors, wrapped by PatternError where a pattern is to blame.
var (
	// ErrTooManyFilters is returned when a FilterCriteria has more than MaxFilters patterns.
	ErrTooManyFilters = errors.New("too many filters")
	// ErrPatternTooLong is returned when a pattern exceeds MaxPatternLength characters.
	ErrPatternTooLong = errors.New("pattern too long")
	// ErrUnsupportedInPipes is returned for an operator EventBridge Pipes rejects.
	ErrUnsupportedInPipes = errors.New("operator not supported by EventBridge Pipes")
)

// PatternError is an invalid event pattern. Its text follows AWS's
// InvalidEventPatternException ("Event pattern is not valid. Reason: ...").
type PatternError struct {
	// Filter is the index of the pattern in a FilterCriteria, or -1 when the
	// pattern came from CompilePattern.
	Filter int
	// Reason says what is wrong and where (a dotted path inside the pattern,
	// or a line and column for JSON syntax errors).
	Reason string
	err    error // optional sentinel
}

// Error returns the message AWS would give, without the pipe or filter name:
// callers add those.
func (e *PatternError) Error() string {
	return "Event pattern is not valid. Reason: " + e.Reason
}

// Unwrap returns the sentinel behind the error, if any.
func (e *PatternError) Unwrap() error { return e.err }

// compileError is raised while compiling and turned into a PatternError.
type compileError struct {
	reason string
	path   string
	err    error
}

func (e *compileError) Error() string { return e.reason }

func failf(path, format string, args ...any) *compileError {
	return &compileError{reason: fmt.Sprintf(format, args...), path: path}
}

func toPatternError(filter int, err error) *PatternError {
	var ce *compileError
	if errors.As(err, &ce) {
		reason := ce.reason
		if ce.path != "" {
			reason += " (at " + ce.path + ")"
		}
		return &PatternError{Filter: filter, Reason: reason, err: ce.err}
	}
	return &PatternError{Filter: filter, Reason: err.Error()}
}
