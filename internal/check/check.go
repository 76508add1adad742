package check

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/pipesim/pipesim/internal/config"
	"github.com/pipesim/pipesim/internal/term"
)

// Severity is how bad a finding is.
type Severity uint8

const (
	// Warning: the design does something the user may not mean.
	Warning Severity = iota + 1
	// Error: part of the design can never work as written (a filter that never matches, a path
	// that never exists).
	Error
)

func (s Severity) String() string {
	if s == Error {
		return "error"
	}
	return "warning"
}

// Finding is one mistake of a design.
type Finding struct {
	Code     string
	Severity Severity
	// Object is what the finding is about, as messages name it: pipe "name", queue "name", ...
	Object string
	// Field is the field of Object, as the pipes file writes it; "" for the object as a whole.
	Field string
	// Message says what is wrong; Fix what to do about it.
	Message string
	Fix     string
}

// String is the finding on one line.
func (f Finding) String() string {
	where := f.Object
	if f.Field != "" {
		where += ": " + f.Field
	}
	return fmt.Sprintf("%s %s: %s: %s", f.Code, f.Severity, where, f.Message)
}

// Design returns the findings of a loaded design: each pipe's in the order the design declares
// the pipes, then those about several pipes or about resources.
func Design(cfg *config.Config) []Finding {
	var out []Finding
	for _, p := range cfg.Pipes {
		pc := newPipeCheck(cfg, p)
		out = append(out, pc.run()...)
	}
	out = append(out, readers(cfg)...)
	out = append(out, unused(cfg)...)
	return out
}

// Count returns how many of the findings are errors and how many warnings.
func Count(findings []Finding) (errors, warnings int) {
	for _, f := range findings {
		if f.Severity == Error {
			errors++
		} else {
			warnings++
		}
	}
	return errors, warnings
}

// Write prints the findings, each on its line with its fix on the next, every line starting with
// prefix (pipesim's "pipesim: " at the start of run; "" for check); with colour, errors are red
// and warnings yellow.
func Write(w io.Writer, prefix string, colour bool, findings []Finding) error {
	var b strings.Builder
	for _, f := range findings {
		line := f.String()
		if colour {
			code := term.Yellow
			if f.Severity == Error {
				code = term.Red
			}
			head := f.Code + " " + f.Severity.String()
			line = term.Paint(true, code, head) + strings.TrimPrefix(line, head)
		}
		fmt.Fprintf(&b, "%s%s\n", prefix, line)
		if f.Fix != "" {
			fmt.Fprintf(&b, "%s    %s %s\n", prefix, term.Paint(colour, term.Bold, "fix:"), f.Fix)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Summary is a one-line count: "2 errors, 1 warning", or "no findings".
func Summary(findings []Finding) string {
	errs, warns := Count(findings)
	if errs+warns == 0 {
		return "no findings"
	}
	var parts []string
	if errs > 0 {
		parts = append(parts, plural(errs, "error"))
	}
	if warns > 0 {
		parts = append(parts, plural(warns, "warning"))
	}
	return strings.Join(parts, ", ")
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// finding builds a finding of rule code, with the rule's severity.
func finding(code, object, field, fix, format string, args ...any) Finding {
	return Finding{Code: code, Severity: ruleByCode(code).Severity, Object: object, Field: field,
		Message: fmt.Sprintf(format, args...), Fix: fix}
}

// quoted names an object: pipe "name".
func quoted(kind, name string) string { return fmt.Sprintf("%s %q", kind, name) }

// sortedKeys returns a map's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
