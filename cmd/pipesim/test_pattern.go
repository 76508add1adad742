package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"

	"github.com/pipesim/pipesim/internal/filter"
)

// testPatternCmd is `pipesim test-pattern`: the local twin of
// `aws events test-event-pattern`.
type testPatternCmd struct{ streams }

// Run matches one event against one pattern and prints {"Result": true} or
// {"Result": false}. An invalid pattern, an invalid event or bad flags exit
// 2 with the reason on stderr. It blocks only on reading file:// inputs.
func (c *testPatternCmd) Run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("test-pattern", flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	patternArg := fs.String("event-pattern", "", "the event pattern: inline JSON or file://path")
	eventArg := fs.String("event", "", "the event: inline JSON or file://path")
	pipes := fs.Bool("pipes", false, "apply EventBridge Pipes' FilterCriteria rules (operators Pipes rejects, poller-added fields)")
	fs.Usage = func() {
		fmt.Fprintln(c.stderr, "usage: pipesim test-pattern --event-pattern P --event E [--pipes]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return &exitError{code: 2}
	}
	if fs.NArg() > 0 || *patternArg == "" || *eventArg == "" {
		fs.Usage()
		return &exitError{code: 2, err: errors.New("test-pattern: --event-pattern and --event are required, and nothing else")}
	}
	pattern, err := readArg("--event-pattern", *patternArg)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	event, err := readArg("--event", *eventArg)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	match, err := c.match(pattern, event, *pipes)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	_, err = fmt.Fprintf(c.stdout, "{\"Result\": %t}\n", match)
	return err
}

// match compiles the pattern (with Pipes' rules when pipes is set) and
// matches the event.
func (c *testPatternCmd) match(pattern, event string, pipes bool) (bool, error) {
	if !isJSONObject(event) {
		return false, errors.New("--event: Parameter Event is not valid: it must be a JSON object")
	}
	if !pipes {
		p, err := filter.CompilePattern(pattern)
		if err != nil {
			return false, fmt.Errorf("--event-pattern: %w", err)
		}
		return p.Match([]byte(event)), nil
	}
	f, err := filter.CompileFilters([]string{pattern}, filter.Options{})
	if err != nil {
		return false, fmt.Errorf("--event-pattern: %w", err)
	}
	for _, w := range f.Warnings() {
		fmt.Fprintf(c.stderr, "pipesim: warning: %s\n", w)
	}
	return f.Match([]byte(event)), nil
}

func isJSONObject(s string) bool {
	var m map[string]json.RawMessage
	return json.Unmarshal([]byte(s), &m) == nil && m != nil
}
