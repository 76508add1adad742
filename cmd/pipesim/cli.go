package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/pipesim/pipesim/internal/sim"
	"github.com/pipesim/pipesim/internal/term"
)

// The command line is github.com/spf13/cobra's (the Go ecosystem's usual CLI library: help for
// every command, `help CMD`, suggestions for a mistyped command, shell completion, --version),
// with pflag's flags. Each subcommand describes itself with a spec; its file keeps its flags and
// what it does once they are parsed.

// spec is one subcommand: its usage line (positional arguments included), its one-line and long
// descriptions, its flags, and what it does with its arguments once the flags are parsed.
type spec struct {
	use, short, long, example string
	args                      cobra.PositionalArgs // nil: no positional arguments
	flags                     func(fs *pflag.FlagSet)
	run                       func(ctx context.Context, args []string) error
	subs                      []spec // subcommands (pipesim dlq list, ...)
	// complete, if set, registers completions for the command's flag values.
	complete func(cmd *cobra.Command)
	// passThrough hands every argument, flags and -h included, to run unparsed: for a command
	// that parses its own (pipesim momento).
	passThrough bool
}

// command builds the cobra command of a spec.
func (s spec) command() *cobra.Command {
	cmd := &cobra.Command{Use: s.use, Short: s.short, Long: s.long, Example: s.example, Args: s.args,
		SilenceErrors: true, SilenceUsage: true}
	if cmd.Args == nil {
		cmd.Args = noArgs
	}
	if len(s.subs) > 0 && s.run == nil {
		cmd.Args, cmd.RunE, cmd.SuggestionsMinimumDistance = cobra.ArbitraryArgs, group, 2
		cmd.DisableFlagsInUseLine = true
	}
	if s.flags != nil {
		s.flags(cmd.Flags())
	}
	if s.run != nil {
		run := s.run
		cmd.RunE = func(cmd *cobra.Command, args []string) error { return run(cmd.Context(), args) }
	}
	if s.complete != nil {
		s.complete(cmd)
	}
	if s.passThrough {
		cmd.DisableFlagParsing, cmd.Args = true, cobra.ArbitraryArgs
	}
	for _, sub := range s.subs {
		cmd.AddCommand(sub.command())
	}
	cmd.SetFlagErrorFunc(flagError)
	return cmd
}

// flagError makes a flag that cannot be parsed exit 2, naming the command.
func flagError(cmd *cobra.Command, err error) error {
	return &exitError{code: 2, err: fmt.Errorf("%s: %w (pipesim %s -h lists its flags)", cmd.Name(), err, commandPath(cmd))}
}

// commandPath is a command's path without "pipesim": "dlq show".
func commandPath(cmd *cobra.Command) string {
	_, rest, _ := strings.Cut(cmd.CommandPath(), " ")
	if rest == "" {
		return cmd.Name()
	}
	return rest
}

// group is what a command that only holds subcommands (pipesim dlq) does: without one it prints
// its help and exits 2; with an unknown one it says so, with the subcommands it may have meant.
func group(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		cmd.SetOut(cmd.ErrOrStderr())
		_ = cmd.Help()
		return &exitError{code: 2}
	}
	msg := fmt.Sprintf("unknown command %q for %q", args[0], "pipesim "+commandPath(cmd))
	if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
		msg += "; did you mean " + strings.Join(s, " or ") + "?"
	}
	return &exitError{code: 2, err: fmt.Errorf("%s (pipesim %s -h lists them)", msg, commandPath(cmd))}
}

// noArgs refuses positional arguments: exit 2, naming the first.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return &exitError{code: 2, err: fmt.Errorf("%s: unexpected argument %q", cmd.Name(), args[0])}
	}
	return nil
}

// execute runs a command with the given arguments (what follows its name on the command line),
// as main does for the whole command line: tests run a subcommand through it.
func execute(ctx context.Context, s streams, cmd *cobra.Command, args []string) error {
	cmd.SetArgs(normalizeArgs(cmd, args))
	cmd.SetIn(s.stdin)
	cmd.SetOut(s.stdout)
	cmd.SetErr(s.stderr)
	_, err := cmd.ExecuteContextC(ctx)
	return usageError(err)
}

// usageError makes cobra's own usage errors (an unknown command, a missing subcommand) exit 2.
func usageError(err error) error {
	var ee *exitError
	if err == nil || errors.As(err, &ee) {
		return err
	}
	msg := err.Error()
	if strings.HasPrefix(msg, "unknown command") || strings.HasPrefix(msg, "unknown flag") || strings.HasPrefix(msg, "unknown shorthand") {
		return &exitError{code: 2, err: errors.New(strings.TrimRight(msg, "\n"))}
	}
	return err
}

// normalizeArgs lets the single-dash spelling of long flags that Go's flag package accepted
// (-pipes x, -state-dir=d) keep working: pflag reads -pipes as the shorthand flags p, i, p, e, s.
// An argument is rewritten to --name only when name is a long flag of the command the
// arguments lead to. The AWS CLI's `--parameter-overrides A=1 B=2` becomes one flag per value.
// Nothing after "--" is touched.
func normalizeArgs(cmd *cobra.Command, args []string) []string {
	target := cmd
	if c, _, err := cmd.Find(args); err == nil && c != nil {
		target = c
	}
	flags := target.Flags()
	out := make([]string, 0, len(args))
	for i, a := range args {
		if a == "--" {
			out = append(out, args[i:]...)
			break
		}
		if len(a) > 2 && a[0] == '-' && a[1] != '-' {
			name, _, _ := strings.Cut(a[1:], "=")
			if len(name) > 1 && (flags.Lookup(name) != nil || target.InheritedFlags().Lookup(name) != nil) {
				a = "-" + a
			}
		}
		out = append(out, a)
	}
	return multiValued(out)
}

// version is the module's version and the commit it was built from, as Go records them in the
// binary (runtime/debug.ReadBuildInfo): "v1.2.3", or "(devel)" for a build from a checkout, with
// "commit 0123456789ab, 2026-11-25T20:00:00Z" and "modified" when the checkout had changes.
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	return formatVersion(info)
}

// formatVersion is version for the given build information.
func formatVersion(info *debug.BuildInfo) string {
	v := info.Main.Version
	if v == "" {
		v = "(devel)"
	}
	var rev, when string
	var modified bool
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			when = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		v += ", commit " + rev
		if when != "" {
			v += " (" + when + ")"
		}
		if modified {
			v += ", modified"
		}
	}
	return v + ", " + info.GoVersion
}

// newTracer is the execution trace written to w, with the request and response when verbose, in
// colour on a terminal.
func newTracer(w io.Writer, verbose bool) *sim.Tracer {
	tr := sim.NewTracer(w)
	tr.Verbose, tr.Colour = verbose, term.Colour(w)
	return tr
}
