package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/spf13/pflag"

	"github.com/pipesim/pipesim/internal/filter"
	"github.com/pipesim/pipesim/internal/rawjson"
)

// testPatternCmd is `pipesim test-pattern`: the local twin of
// `aws events test-event-pattern`.
type testPatternCmd struct {
	streams
	patternArg, eventArg string
	pipes                bool
}

func (c *testPatternCmd) spec() spec {
	return spec{
		use:   "test-pattern --event-pattern P --event E",
		short: "Match one event against one EventBridge pattern, as aws events test-event-pattern does",
		long: `test-pattern prints {"Result": true} or {"Result": false}: whether the event matches the pattern,
in the full EventBridge pattern language, or with --pipes under EventBridge Pipes' FilterCriteria
rules (operators Pipes rejects, fields the poller adds after filtering), with their warnings.`,
		example: `  pipesim test-pattern --event-pattern '{"eventName":["INSERT"]}' --event file://record.json --pipes`,
		flags: func(fs *pflag.FlagSet) {
			fs.StringVar(&c.patternArg, "event-pattern", "", "the event pattern: inline JSON or file://path")
			fs.StringVar(&c.eventArg, "event", "", "the event: inline JSON or file://path")
			fs.BoolVar(&c.pipes, "pipes", false, "apply EventBridge Pipes' FilterCriteria rules (operators Pipes rejects, poller-added fields)")
		},
		run: func(ctx context.Context, _ []string) error { return c.run(ctx) },
	}
}

// Run runs `pipesim test-pattern` with the arguments that follow its name.
func (c *testPatternCmd) Run(ctx context.Context, args []string) error {
	return execute(ctx, c.streams, c.spec().command(), args)
}

// run matches one event against one pattern and prints {"Result": true} or {"Result": false}.
// An invalid pattern, an invalid event or bad flags exit 2 with the reason on stderr. It blocks
// only on reading file:// inputs.
func (c *testPatternCmd) run(ctx context.Context) error {
	patternArg, eventArg, pipes := &c.patternArg, &c.eventArg, &c.pipes
	if *patternArg == "" || *eventArg == "" {
		return &exitError{code: 2, err: errors.New("test-pattern: --event-pattern and --event are required")}
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
		return p.Match(rawjson.New([]byte(event))), nil
	}
	f, err := filter.CompileFilters([]string{pattern}, filter.Options{})
	if err != nil {
		return false, fmt.Errorf("--event-pattern: %w", err)
	}
	for _, w := range f.Warnings() {
		fmt.Fprintf(c.stderr, "pipesim: warning: %s\n", w)
	}
	return f.Match(rawjson.New([]byte(event))), nil
}

func isJSONObject(s string) bool {
	var m map[string]json.RawMessage
	return json.Unmarshal([]byte(s), &m) == nil && m != nil
}
