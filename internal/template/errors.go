package template

import (
	"errors"
	"fmt"
)

var (
	// ErrMissingPath is returned by Render, wrapped with the path, when a path is absent from
	// the record and the template was compiled with MissingFail.
	ErrMissingPath = errors.New("path not found in record")
	// ErrObjectInString is returned by Render, wrapped with the path, when an object or array
	// lands inside a string literal of a JSON template (see Options.StripObjectQuotes).
	ErrObjectInString = errors.New("object or array inside a JSON string literal")
	// ErrRecord is returned, wrapped, when the record is not well-formed JSON where a path walks.
	ErrRecord = errors.New("record is not valid JSON")
)

// Error is a template or parameter that cannot be compiled. Offset is a byte offset into the
// text; Line and Column (both from 1, Column counted in characters) locate the same place.
type Error struct {
	Offset, Line, Column int
	Reason               string
}

func (e *Error) Error() string {
	return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Column, e.Reason)
}

// errorAt builds an *Error for a byte offset into text.
func errorAt(text string, offset int, format string, args ...any) *Error {
	if offset > len(text) {
		offset = len(text)
	}
	line, col := 1, 1
	for _, r := range text[:offset] {
		if r == '\n' {
			line++
			col = 1
			continue
		}
		col++
	}
	return &Error{Offset: offset, Line: line, Column: col, Reason: fmt.Sprintf(format, args...)}
}
