package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/pipesim/pipesim/internal/term"
)

// command is one subcommand, run with the arguments that follow its name on the command line (as
// tests run them). Run returns an *exitError to choose the exit code; any other error exits 1.
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

// newRoot is the pipesim command with every subcommand.
func newRoot(s streams) *cobra.Command {
	root := spec{
		use:   "pipesim",
		short: "Run Amazon EventBridge Pipes designs (DynamoDB stream -> filter -> template -> API destination) locally",
		long: `pipesim runs an EventBridge Pipes design on your machine: it polls a real DynamoDB Local stream,
applies the pipes' filters, input templates and HTTP parameters as the service does, and sends the
requests their API destinations would send (to Momento's HTTP API, real or embedded), with Pipes'
retries, dead-letter queues, checkpoints and execution logs.

Start with 'pipesim demo', then 'pipesim check --pipes pipes.yaml' and 'pipesim run --pipes pipes.yaml'.`,
		subs: []spec{
			(&runCmd{streams: s}).spec(), (&demoCmd{streams: s}).spec(), (&checkCmd{streams: s}).spec(),
			(&logsCmd{streams: s}).spec(), (&replayCmd{streams: s}).spec(), (&captureCmd{streams: s}).spec(),
			(&testCmd{streams: s}).spec(), (&dlqCmd{streams: s}).spec(), (&transformCmd{streams: s}).spec(),
			(&testPatternCmd{streams: s}).spec(), (&convertCmd{streams: s}).spec(), (&momentoCmd{streams: s}).spec(),
			(&dynamoDBCmd{streams: s}).spec(),
		},
	}.command()
	root.Args, root.RunE = nil, nil // cobra's own: help without a command; an unknown one, with suggestions
	root.Version = version()
	root.Flags().Bool("version", false, "print pipesim's version: the module's, the commit it was built from, Go's") // no -v: it means --verbose below
	root.SetVersionTemplate("pipesim {{.Version}}\n")
	root.CompletionOptions.HiddenDefaultCmd = false
	return root
}

func main() {
	os.Exit(run(os.Args[1:], streams{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr}))
}

// run runs the command line and turns its error into an exit code. The first SIGINT or SIGTERM
// cancels the context; a second one exits at once.
func run(args []string, s streams) int {
	s = newStreams(s.stdin, s.stdout, s.stderr)
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
	return exitCode(execute(ctx, s, newRoot(s), args), s.stderr)
}

func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	prefix := term.Paint(term.Colour(stderr), term.Red, "pipesim:")
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintf(stderr, "%s %v\n", prefix, ee.err)
		}
		return ee.code
	}
	if errors.Is(err, context.Canceled) {
		return 130
	}
	fmt.Fprintf(stderr, "%s %v\n", prefix, err)
	return 1
}
