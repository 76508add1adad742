package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/pipesim/pipesim/internal/pipe"
	"github.com/pipesim/pipesim/internal/sim"
)

// logsCmd is `pipesim logs`: the execution history pipesim keeps of every pipe (run, demo,
// replay), as readable lines.
type logsCmd struct {
	streams
	stateDir string
	pipe     string
	follow   bool
	verbose  bool
	loc      *time.Location // times are shown in it; nil is the local time zone
	poll     time.Duration  // how often --follow looks for more; 0 is 250ms
}

func (c *logsCmd) spec() spec {
	return spec{
		use:   "logs",
		short: "Print the execution history pipesim keeps of every pipe, as readable lines",
		long: `logs prints, oldest first, every step of every execution run, demo and replay made: the
records a pipe received, the body its template made, the request it sent and what came back,
secrets as ********. pipesim keeps this history under --state-dir whatever a pipe's
LogConfiguration says (that decides only what goes to the log group files, as on AWS).`,
		example: `  pipesim logs
  pipesim logs --pipe weather-stats-demo-cache-put-pipe --follow`,
		flags: func(fs *pflag.FlagSet) {
			fs.StringVar(&c.stateDir, "state-dir", ".pipesim", "the state directory run, demo and replay wrote")
			fs.StringVar(&c.pipe, "pipe", "", "only this pipe's executions")
			fs.BoolVarP(&c.follow, "follow", "f", false, "keep printing executions as they happen, until Ctrl-C")
			fs.BoolVarP(&c.verbose, "verbose", "v", false, "print each execution's records whole, not only their eventName and keys")
		},
		run: func(ctx context.Context, _ []string) error { return c.run(ctx) },
		complete: func(cmd *cobra.Command) {
			_ = cmd.RegisterFlagCompletionFunc("pipe", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
				return c.pipesWithHistory(), cobra.ShellCompDirectiveNoFileComp
			})
		},
	}
}

// pipesWithHistory are the pipes the state dir has a history of: --pipe's completions.
func (c *logsCmd) pipesWithHistory() []string {
	files, _ := filepath.Glob(filepath.Join(c.stateDir, sim.HistoryDir, "*.jsonl"))
	var out []string
	for _, f := range files {
		out = append(out, strings.TrimSuffix(filepath.Base(f), ".jsonl"))
	}
	return out
}

// Run runs `pipesim logs` with the arguments that follow its name.
func (c *logsCmd) Run(ctx context.Context, args []string) error {
	return execute(ctx, c.streams, c.spec().command(), args)
}

// run prints the history of every pipe (or of --pipe), oldest first; with --follow it then waits
// for more until Ctrl-C. A state dir without history exits 1 (not with --follow, which waits for
// it).
func (c *logsCmd) run(ctx context.Context) error {
	if c.loc == nil {
		c.loc = time.Local
	}
	files, err := c.files()
	if err != nil && !c.follow {
		return err
	}
	t := &tailer{cmd: c, offsets: map[string]int64{}}
	if err := t.printAll(files); err != nil {
		return err
	}
	if !c.follow {
		return nil
	}
	return t.follow(ctx)
}

// files are the history files to read: every pipe's, or --pipe's.
func (c *logsCmd) files() ([]string, error) {
	dir := filepath.Join(c.stateDir, sim.HistoryDir)
	all, _ := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	if c.pipe == "" {
		if len(all) == 0 {
			return nil, fmt.Errorf("logs: no execution history in %s (run, demo or replay a design first; --state-dir names another state directory)", dir)
		}
		var withOld []string
		for _, f := range all {
			withOld = append(append(withOld, rotated(f)...), f)
		}
		return withOld, nil
	}
	path, err := sim.HistoryPath(c.stateDir, c.pipe)
	if err != nil {
		return nil, &exitError{code: 2, err: fmt.Errorf("logs: --pipe: %w", err)}
	}
	if _, err := os.Stat(path); err != nil {
		names := c.pipesWithHistory()
		if len(names) == 0 {
			return nil, fmt.Errorf("logs: no execution history of pipe %q in %s (run, demo or replay it first)", c.pipe, dir)
		}
		return nil, fmt.Errorf("logs: no execution history of pipe %q in %s (pipes with history: %s)", c.pipe, dir, strings.Join(names, ", "))
	}
	return append(rotated(path), path), nil
}

// rotated lists the older files of a rotated history file, oldest first: <path>.N ... <path>.1.
func rotated(path string) []string {
	var out []string
	for i := 1; ; i++ {
		p := fmt.Sprintf("%s.%d", path, i)
		if _, err := os.Stat(p); err != nil {
			break
		}
		out = append([]string{p}, out...)
	}
	return out
}

// tailer reads history files from where it last stopped.
type tailer struct {
	cmd     *logsCmd
	offsets map[string]int64 // bytes of each file read, up to its last complete line
}

// printAll prints what the files hold beyond their offsets, merged by time.
func (t *tailer) printAll(files []string) error {
	var entries []pipe.LogEntry
	for _, f := range files {
		es, err := t.read(f)
		if err != nil {
			return err
		}
		entries = append(entries, es...)
	}
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].Timestamp < entries[j].Timestamp })
	var b bytes.Buffer
	for _, e := range entries {
		b.WriteString(e.Format(t.cmd.loc, t.cmd.verbose) + "\n")
	}
	_, err := t.cmd.stdout.Write(b.Bytes())
	return err
}

// read returns the complete lines a file has beyond its offset, and moves the offset past them.
// A line that is not a log record is reported on stderr and skipped.
func (t *tailer) read(path string) ([]pipe.LogEntry, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("logs: %w", err)
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Size() < t.offsets[path] {
		t.offsets[path] = 0 // the file was replaced: start over
	}
	if _, err := f.Seek(t.offsets[path], io.SeekStart); err != nil {
		return nil, fmt.Errorf("logs: %w", err)
	}
	var out []pipe.LogEntry
	r := bufio.NewReaderSize(f, 64<<10)
	for {
		line, err := r.ReadBytes('\n')
		if err != nil { // io.EOF: an incomplete last line is read again next time
			break
		}
		t.offsets[path] += int64(len(line))
		e, perr := pipe.ParseLogEntry(bytes.TrimSpace(line))
		if perr != nil {
			fmt.Fprintf(t.cmd.stderr, "pipesim: %s: %v (skipped)\n", path, perr)
			continue
		}
		out = append(out, e)
	}
	return out, nil
}

// follow prints new history as it is written, until ctx ends; it picks up pipes whose history
// starts later.
func (t *tailer) follow(ctx context.Context) error {
	poll := t.cmd.poll
	if poll <= 0 {
		poll = 250 * time.Millisecond
	}
	tick := time.NewTicker(poll)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		var files []string
		all, _ := t.cmd.files()
		for _, f := range all { // a rotated file is one already read, under a new name
			if strings.HasSuffix(f, ".jsonl") {
				files = append(files, f)
			}
		}
		for path := range t.offsets {
			if strings.HasSuffix(path, ".jsonl") && !slices.Contains(files, path) {
				files = append(files, path)
			}
		}
		if err := t.printAll(files); err != nil {
			return err
		}
	}
}
