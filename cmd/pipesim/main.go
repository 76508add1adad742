// Command pipesim runs Amazon EventBridge Pipes designs (DynamoDB stream source, API destination
// targets) on a developer's machine.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"

	"github.com/pipesim/pipesim/internal/term"
)

// command is one subcommand. Run returns an *exitError to choose the exit code; any other error
// exits 1.
type command interface {
	Run(ctx context.Context, args []string) error
}

// exitError carries the exit code a subcommand wants; err may be nil when the command already
// printed what it had to say.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

func (e *exitError) Unwrap() error { return e.err }

// streams are the process's standard streams, passed to every command so tests can capture them.
// stdout and stderr share one lock (see newStreams): commands write to them from several
// goroutines at once.
type streams struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

// newStreams puts stdout and stderr behind one lock (term.New), so that a command's own lines,
// the execution trace and the diagnostics, written from different goroutines, never tear or
// interleave. Streams made by newStreams pass through it unchanged.
func newStreams(stdin io.Reader, stdout, stderr io.Writer) streams {
	o := term.New(stdout, stderr)
	return streams{stdin: stdin, stdout: o.Stdout, stderr: o.Stderr}
}

func commands(s streams) map[string]command {
	s = newStreams(s.stdin, s.stdout, s.stderr)
	return map[string]command{
		"run":          &runCmd{streams: s},
		"demo":         &demoCmd{streams: s},
		"dlq":          &dlqCmd{streams: s},
		"momento":      &momentoCmd{streams: s},
		"transform":    &transformCmd{streams: s},
		"test-pattern": &testPatternCmd{streams: s},
		"replay":       &replayCmd{streams: s},
		"test":         &testCmd{streams: s},
		"capture":      &captureCmd{streams: s},
		"convert":      &convertCmd{streams: s},
		"check":        &checkCmd{streams: s},
		"logs":         &logsCmd{streams: s},
	}
}

func usage(w io.Writer, cmds map[string]command) {
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintln(w, "usage: pipesim <command> [flags]")
	fmt.Fprintln(w, "commands:")
	for _, n := range names {
		fmt.Fprintln(w, "  "+n)
	}
	fmt.Fprintln(w, "run 'pipesim <command> -h' for a command's flags")
}

func main() {
	os.Exit(run(os.Args[1:], streams{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr}))
}

// run dispatches to a subcommand and turns its error into an exit code. The first SIGINT or
// SIGTERM cancels the context; a second one exits at once.
func run(args []string, s streams) int {
	s = newStreams(s.stdin, s.stdout, s.stderr)
	cmds := commands(s)
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(s.stderr, cmds)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cmd, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(s.stderr, "pipesim: unknown command %q\n", args[0])
		usage(s.stderr, cmds)
		return 2
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	go func() {
		<-sigs
		cancel()
		<-sigs
		fmt.Fprintln(s.stderr, "pipesim: second interrupt, exiting now")
		os.Exit(130)
	}()
	return exitCode(cmd.Run(ctx, args[1:]), s.stderr)
}

func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintf(stderr, "pipesim: %v\n", ee.err)
		}
		return ee.code
	}
	if errors.Is(err, context.Canceled) {
		return 130
	}
	fmt.Fprintf(stderr, "pipesim: %v\n", err)
	return 1
}
