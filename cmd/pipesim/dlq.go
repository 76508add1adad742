package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/pipesim/pipesim/internal/config"
	"github.com/pipesim/pipesim/internal/dlq"
	"github.com/pipesim/pipesim/internal/names"
	"github.com/pipesim/pipesim/internal/pipe"
	"github.com/pipesim/pipesim/internal/sim"
)

const dlqLong = `The dead-letter queues hold what Pipes sends for a DynamoDB stream source: the batch's shard and
sequence range, not its records. They are files under the state directory, or real SQS queues
with --sqs-endpoint (list and show then see at most 10 messages, each hidden for a second).
redrive reads a message's range back from the stream and delivers it again through its pipe; it
needs the DynamoDB Local that holds the stream: the one pipesim keeps in the state directory
(used at once when a 'pipesim run' serves it), or --dynamodb-endpoint. A message is removed once
its batch is delivered or dead-lettered anew; one whose records are no longer in the stream stays,
and purge removes every message of a queue.
`

// dlqCmd is `pipesim dlq`: inspect and redrive dead-letter queues.
type dlqCmd struct{ streams }

func (c *dlqCmd) spec() spec {
	var list, show, purge storeFlags
	var redrive simFlags
	var queue, only string
	return spec{
		use:   "dlq",
		short: "List, show, redrive and purge the dead-letter queues",
		long:  dlqLong,
		subs: []spec{
			{use: "list", short: "List the dead-letter queues and their messages", flags: list.register,
				run: func(ctx context.Context, _ []string) error { return c.list(ctx, &list) }},
			{use: "show --queue NAME [MESSAGE_ID...]", short: "Print a queue's messages (or the ones named) as JSON", flags: show.register,
				args: cobra.ArbitraryArgs, run: func(ctx context.Context, ids []string) error { return c.show(ctx, &show, ids) }},
			{use: "redrive --queue NAME", short: "Read each message's batch back from the stream and deliver it again through its pipe",
				long: "redrive takes run's flags: the design, the DynamoDB Local that holds the stream (the one pipesim keeps in --state-dir, or --dynamodb-endpoint), the state dir. A message whose records are no longer in the stream gets one line saying so and stays in the queue; a queue that does not exist is an error.",
				flags: func(fs *pflag.FlagSet) {
					redrive.register(fs)
					fs.StringVar(&queue, "queue", "", "dead-letter queue `name`")
					fs.StringVar(&only, "message", "", "redrive only this message `ID`")
				},
				run: func(ctx context.Context, _ []string) error { return c.redrive(ctx, &redrive, queue, only) }},
			{use: "purge --queue NAME", short: "Remove every message of a dead-letter queue", flags: purge.register,
				example: "  pipesim dlq purge --queue weather-stats-dlq",
				run:     func(ctx context.Context, _ []string) error { return c.purge(ctx, &purge) }},
		},
	}
}

// Run runs `pipesim dlq` with the arguments that follow its name.
func (c *dlqCmd) Run(ctx context.Context, args []string) error {
	return execute(ctx, c.streams, c.spec().command(), args)
}

// storeFlags are the flags that pick the queues.
type storeFlags struct {
	stateDir, queue, sqsEndpoint, sqsProtocol, region string
}

func (f *storeFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.stateDir, "state-dir", ".pipesim", "pipesim's state directory (local queue files)")
	fs.StringVar(&f.queue, "queue", "", "dead-letter queue name")
	fs.StringVar(&f.sqsEndpoint, "sqs-endpoint", os.Getenv("AWS_ENDPOINT_URL_SQS"), "read SQS queues at this endpoint instead of local files")
	fs.StringVar(&f.sqsProtocol, "sqs-protocol", "json", "protocol the SQS endpoint speaks: json or query")
	fs.StringVar(&f.region, "region", config.DefaultRegion, "SQS region")
}

func (f *storeFlags) store(ctx context.Context, peek bool) (dlq.Store, error) {
	if err := checkQueueFlag(f.queue); err != nil {
		return nil, err
	}
	return dlq.Open(ctx, dlq.Options{StateDir: f.stateDir, SQSEndpoint: f.sqsEndpoint, SQSProtocol: f.sqsProtocol, Region: f.region, Peek: peek})
}

// checkQueueFlag refuses a --queue that is not a queue name (a path such as ../../etc/passwd):
// exit status 2.
func checkQueueFlag(queue string) error {
	if queue == "" {
		return nil
	}
	if err := names.Queue.Check(queue); err != nil {
		return &exitError{code: 2, err: fmt.Errorf("--queue: %w", err)}
	}
	return nil
}

func (c *dlqCmd) list(ctx context.Context, sf *storeFlags) error {
	st, err := sf.store(ctx, true)
	if err != nil {
		return err
	}
	names := []string{sf.queue}
	if sf.queue == "" {
		if names, err = st.Queues(); err != nil {
			return err
		}
	}
	if len(names) == 0 {
		fmt.Fprintln(c.stdout, "no dead-letter queues")
	}
	for _, name := range names {
		msgs, err := st.Messages(ctx, name)
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
	sent := "-"
	if m.SentTimestamp > 0 {
		sent = time.UnixMilli(m.SentTimestamp).UTC().Format(time.RFC3339)
	}
	dl, err := pipe.ParseDeadLetter(m.Body)
	if err != nil {
		return fmt.Sprintf("%s  %s  (%v)", m.MessageID, sent, err)
	}
	pipeName := dl.PipeARN[strings.LastIndex(dl.PipeARN, "/")+1:]
	return fmt.Sprintf("%s  %s  %s  %s  %s  %s..%s  (%d record(s))", m.MessageID, sent, pipeName, dl.Condition,
		dl.ShardID(), dl.StartSequenceNumber(), dl.EndSequenceNumber(), dl.BatchSize())
}

func (c *dlqCmd) show(ctx context.Context, sf *storeFlags, args []string) error {
	if sf.queue == "" {
		return &exitError{code: 2, err: errors.New("dlq show: --queue is required")}
	}
	st, err := sf.store(ctx, true)
	if err != nil {
		return err
	}
	msgs, err := st.Messages(ctx, sf.queue)
	if err != nil {
		return err
	}
	ids := map[string]bool{}
	for _, id := range args {
		ids[id] = true
	}
	for _, m := range msgs {
		if len(args) > 0 && !ids[m.MessageID] {
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
		return fmt.Errorf("dlq show: %d message ID(s) not in %s", len(ids), sf.queue)
	}
	return nil
}

func (c *dlqCmd) purge(ctx context.Context, sf *storeFlags) error {
	if sf.queue == "" {
		return &exitError{code: 2, err: errors.New("dlq purge: --queue is required")}
	}
	st, err := sf.store(ctx, false)
	if err != nil {
		return err
	}
	n, err := st.Purge(ctx, sf.queue)
	switch {
	case err != nil:
		return fmt.Errorf("dlq purge: %w", err)
	case n < 0:
		fmt.Fprintf(c.stdout, "%s: purged (SQS removes the messages within 60 seconds)\n", sf.queue)
	default:
		fmt.Fprintf(c.stdout, "%s: purged %d message(s)\n", sf.queue, n)
	}
	return nil
}

func (c *dlqCmd) redrive(ctx context.Context, sf *simFlags, queue, only string) error {
	opts, err := sf.settings(c.stderr)
	if err != nil {
		return err
	}
	if queue == "" {
		return &exitError{code: 2, err: errors.New("dlq redrive: --queue is required")}
	}
	if err := checkQueueFlag(queue); err != nil {
		return err
	}
	if opts.Fresh {
		return &exitError{code: 2, err: errors.New("dlq redrive: --fresh would remove the dead letters it is to redrive")}
	}
	opts.Trace = newTracer(c.stdout, sf.verbose).Trace
	s, err := sim.Start(ctx, opts)
	if err != nil {
		return err
	}
	defer s.Close()
	st, err := (&storeFlags{stateDir: sf.stateDir, sqsEndpoint: sf.sqsEndpoint, sqsProtocol: sf.sqsProtocol, region: s.Config.Region}).store(ctx, false)
	if err != nil {
		return err
	}
	return c.redriveAll(ctx, s, st, queue, only)
}

// redriveAll redrives the queue's messages (or only the one), one line per message: what its
// batch did, or why it was not redriven (a message whose records are no longer in the stream
// stays in the queue). A queue of the design that nothing was dead-lettered to has nothing to
// redrive; any other queue that does not exist is an error.
func (c *dlqCmd) redriveAll(ctx context.Context, s *sim.Sim, st dlq.Store, queue, only string) error {
	msgs, err := st.Messages(ctx, queue)
	if errors.Is(err, dlq.ErrNoQueue) && designHasQueue(s, queue) {
		msgs, err = nil, nil
	}
	if err != nil {
		return fmt.Errorf("dlq redrive: %w", err)
	}
	n, failed := 0, 0
	for _, m := range msgs {
		if only != "" && m.MessageID != only {
			continue
		}
		n++
		res, err := s.Redrive(ctx, m)
		if err == nil {
			err = st.Remove(ctx, queue, m)
		}
		if err != nil {
			failed++
			fmt.Fprintf(c.stdout, "%s: not redriven: %v\n", m.MessageID, err)
			continue
		}
		fmt.Fprintf(c.stdout, "%s: %d record(s) through %s: %s\n", m.MessageID, res.Records, res.Pipe, res.Outcome)
	}
	switch {
	case only != "" && n == 0:
		return fmt.Errorf("dlq redrive: no message %s in %s", only, queue)
	case n == 0:
		fmt.Fprintf(c.stdout, "%s: no messages to redrive\n", queue)
	case failed > 0: // each was said on its line: the error only counts them
		return &exitError{code: 1, err: fmt.Errorf("dlq redrive: %d of %d message(s) not redriven; they stay in %s ('pipesim dlq purge --queue %s' removes them)", failed, n, queue, queue)}
	}
	return nil
}

// designHasQueue reports whether the design declares the dead-letter queue.
func designHasQueue(s *sim.Sim, queue string) bool {
	for _, q := range s.Config.Queues {
		if q.Name == queue {
			return true
		}
	}
	return false
}
