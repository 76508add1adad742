package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/pipesim/pipesim/internal/pipe"
	"github.com/pipesim/pipesim/internal/sim"
)

const dlqUsage = `usage: pipesim dlq list     [--state-dir DIR] [--queue NAME]
       pipesim dlq show     [--state-dir DIR] --queue NAME [MESSAGE_ID...]
       pipesim dlq redrive  [run flags] --queue NAME [--message ID]

The local dead-letter queues hold what Pipes sends for a DynamoDB stream source: the batch's
shard and sequence range, not its records. redrive reads that range back from the stream and
delivers it again through its pipe; it needs the DynamoDB Local that holds the stream
(--dynamodb-endpoint, or --dynamodb-path for a persistent one).
`

// dlqCmd is `pipesim dlq`: inspect and redrive the local dead-letter queues.
type dlqCmd struct{ streams }

func (c *dlqCmd) Run(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(c.stderr, dlqUsage)
		return &exitError{code: 2}
	}
	switch args[0] {
	case "list":
		return c.list(args[1:])
	case "show":
		return c.show(args[1:])
	case "redrive":
		return c.redrive(ctx, args[1:])
	}
	fmt.Fprint(c.stderr, dlqUsage)
	return &exitError{code: 2, err: fmt.Errorf("dlq: unknown subcommand %q", args[0])}
}

func (c *dlqCmd) flags(name string, stateDir, queue *string) *flag.FlagSet {
	fs := flag.NewFlagSet("dlq "+name, flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	fs.StringVar(stateDir, "state-dir", ".pipesim", "pipesim's state directory")
	fs.StringVar(queue, "queue", "", "dead-letter queue name")
	return fs
}

func (c *dlqCmd) list(args []string) error {
	var stateDir, queue string
	fs := c.flags("list", &stateDir, &queue)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	q := &pipe.FileQueues{Dir: filepath.Join(stateDir, "dlq")}
	names := []string{queue}
	if queue == "" {
		var err error
		if names, err = q.Queues(); err != nil {
			return err
		}
	}
	if len(names) == 0 {
		fmt.Fprintf(c.stdout, "no dead-letter queues in %s\n", q.Dir)
	}
	for _, name := range names {
		msgs, err := q.Messages(name)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "%s: %d message(s)\n", name, len(msgs))
		for _, m := range msgs {
			fmt.Fprintf(c.stdout, "  %s\n", describeDeadLetter(m))
		}
	}
	return nil
}

func describeDeadLetter(m pipe.QueueMessage) string {
	sent := time.UnixMilli(m.SentTimestamp).UTC().Format(time.RFC3339)
	dl, err := pipe.ParseDeadLetter(m.Body)
	if err != nil {
		return fmt.Sprintf("%s  %s  (%v)", m.MessageID, sent, err)
	}
	pipeName := dl.PipeARN[strings.LastIndex(dl.PipeARN, "/")+1:]
	return fmt.Sprintf("%s  %s  %s  %s  %s  %s..%s  (%d record(s))", m.MessageID, sent, pipeName, dl.Condition,
		dl.ShardID(), dl.StartSequenceNumber(), dl.EndSequenceNumber(), dl.BatchSize())
}

func (c *dlqCmd) show(args []string) error {
	var stateDir, queue string
	fs := c.flags("show", &stateDir, &queue)
	if err := fs.Parse(args); err != nil {
		return &exitError{code: 2}
	}
	if queue == "" {
		return &exitError{code: 2, err: errors.New("dlq show: --queue is required")}
	}
	msgs, err := (&pipe.FileQueues{Dir: filepath.Join(stateDir, "dlq")}).Messages(queue)
	if err != nil {
		return err
	}
	ids := map[string]bool{}
	for _, id := range fs.Args() {
		ids[id] = true
	}
	for _, m := range msgs {
		if len(ids) > 0 && !ids[m.MessageID] {
			continue
		}
		delete(ids, m.MessageID)
		var pretty bytes.Buffer
		if json.Indent(&pretty, []byte(m.Body), "", "  ") != nil {
			pretty.WriteString(m.Body)
		}
		fmt.Fprintf(c.stdout, "# %s\n%s\n", m.MessageID, pretty.String())
	}
	if len(ids) > 0 {
		return fmt.Errorf("dlq show: %d message ID(s) not in %s", len(ids), queue)
	}
	return nil
}

func (c *dlqCmd) redrive(ctx context.Context, args []string) error {
	var sf simFlags
	var queue, only string
	fs := flag.NewFlagSet("dlq redrive", flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	sf.register(fs)
	fs.StringVar(&queue, "queue", "", "dead-letter queue name")
	fs.StringVar(&only, "message", "", "redrive only this message ID")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if queue == "" {
		return &exitError{code: 2, err: errors.New("dlq redrive: --queue is required")}
	}
	opts, err := sf.options(c.stderr)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	opts.Trace = sim.NewTracer(c.stdout).Trace
	s, err := sim.Start(ctx, opts)
	if err != nil {
		return err
	}
	defer s.Close()
	return c.redriveAll(ctx, s, queue, only)
}

func (c *dlqCmd) redriveAll(ctx context.Context, s *sim.Sim, queue, only string) error {
	msgs, err := s.DLQ.Messages(queue)
	if err != nil {
		return err
	}
	var failed []error
	n := 0
	for _, m := range msgs {
		if only != "" && m.MessageID != only {
			continue
		}
		n++
		res, err := s.Redrive(ctx, queue, m)
		if err != nil {
			failed = append(failed, err)
			fmt.Fprintf(c.stdout, "%s: not redriven: %v\n", m.MessageID, err)
			continue
		}
		fmt.Fprintf(c.stdout, "%s: %d record(s) through %s: %s\n", m.MessageID, res.Records, res.Pipe, res.Outcome)
	}
	if only != "" && n == 0 {
		return fmt.Errorf("dlq redrive: no message %s in %s", only, queue)
	}
	return errors.Join(failed...)
}
