package sim

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pipesim/pipesim/internal/ddblocal"
)

// The state directory holds what makes one run follow on from the last: DynamoDB Local's data
// (when pipesim starts DynamoDB Local, by default), the checkpoints and the local dead-letter
// queues, all together, so that a checkpoint always names a stream that still exists and a dead
// letter's records can still be read back. Options.Fresh clears them; execution logs are kept.
const (
	dynamoDBDir    = "dynamodb"
	checkpointsDir = "checkpoints"
	dlqDir         = "dlq"
)

// State says what a simulation found in its state directory: what it reuses, or what it removed
// to start fresh. Line renders it for the start of a run.
type State struct {
	Dir   string
	Fresh bool // started clean: Options.Fresh
	// Why says why it started fresh when the user did not ask ("demo always starts fresh").
	Why string

	// Where DynamoDB's data is: DynamoDBLocal's Kind and DBPath (ddblocal.Instance), or the
	// user's endpoint.
	DynamoDB ddblocal.Instance
	// DynamoDBData: the database directory held DynamoDB Local data when pipesim started (so it is
	// reused, or was removed when Fresh).
	DynamoDBData bool
	// Tables are the declared tables that existed already.
	Tables []string

	Checkpoints int // checkpoint files: of the design's pipes, or all those removed when Fresh
	DeadLetters int // messages in the local dead-letter queues: the design's, or all when Fresh
	// DeadLettersOnSQS: the dead-letter queues are SQS queues, which the state does not hold.
	DeadLettersOnSQS bool
}

// surveyState counts what the state directory holds for the design (before anything starts):
// the pipes' checkpoint files and the messages of its local dead-letter queues; every one of
// them when fresh, since a fresh start removes them all.
func (s *Sim) surveyState() State {
	st := State{Dir: s.opts.StateDir, Fresh: s.opts.Fresh, Why: s.opts.FreshReason, DeadLettersOnSQS: s.opts.SQSEndpoint != ""}
	if s.opts.DynamoDBPath != "" {
		st.DynamoDBData = ddblocal.HasData(s.opts.DynamoDBPath)
	}
	if st.Fresh {
		files, _ := filepath.Glob(filepath.Join(st.Dir, checkpointsDir, "*.json"))
		st.Checkpoints = len(files)
		queues, _ := s.DLQ.Queues()
		for _, q := range queues {
			msgs, _ := s.DLQ.Messages(q)
			st.DeadLetters += len(msgs)
		}
		return st
	}
	for _, p := range s.Config.Pipes {
		if _, err := os.Stat(filepath.Join(st.Dir, checkpointsDir, p.Name+".json")); err == nil {
			st.Checkpoints++
		}
	}
	if !st.DeadLettersOnSQS {
		for _, q := range s.Config.Queues {
			msgs, _ := s.DLQ.Messages(q.Name)
			st.DeadLetters += len(msgs)
		}
	}
	return st
}

// clearState removes the checkpoints and the local dead-letter queues, for a fresh start.
func clearState(dir string) error {
	for _, sub := range []string{checkpointsDir, dlqDir} {
		if err := os.RemoveAll(filepath.Join(dir, sub)); err != nil {
			return fmt.Errorf("start fresh: %w", err)
		}
	}
	return nil
}

// Line says in one line where the state is and what this run reuses (or removed, when fresh),
// for the start of a run.
func (st State) Line() string {
	var b strings.Builder
	fmt.Fprintf(&b, "state in %s: ", st.Dir)
	if st.Fresh {
		b.WriteString("fresh start")
		if st.Why != "" {
			fmt.Fprintf(&b, " (%s)", st.Why)
		}
		if removed := st.things(); removed != "" {
			fmt.Fprintf(&b, ": removed %s", removed)
		}
		if where := st.dynamoDBWhere(); where != "" {
			fmt.Fprintf(&b, "; %s", where)
		}
		b.WriteString("; execution logs kept")
		return b.String()
	}
	reused := st.things()
	switch {
	case reused != "":
		fmt.Fprintf(&b, "reusing %s", reused)
	case st.ownsData():
		b.WriteString("nothing to reuse yet; DynamoDB Local's data, checkpoints and dead-letter queues stay there for the next run")
	default:
		b.WriteString("nothing to reuse yet; checkpoints and dead-letter queues stay there for the next run")
	}
	if where := st.dynamoDBWhere(); where != "" && (reused != "" || !st.ownsData()) {
		fmt.Fprintf(&b, "; %s", where)
	}
	b.WriteString(" (--fresh starts clean)")
	return b.String()
}

// ownsData reports whether DynamoDB's data is in the state directory, where pipesim keeps it.
func (st State) ownsData() bool {
	return st.DynamoDB.DBPath != "" && st.DynamoDB.Kind != ddblocal.KindEndpoint
}

// things lists what is reused (or removed): DynamoDB Local's data, checkpoints, dead letters.
func (st State) things() string {
	var parts []string
	if st.ownsData() && st.DynamoDBData {
		data := "DynamoDB Local's data"
		if len(st.Tables) > 0 && !st.Fresh {
			data += fmt.Sprintf(" (%s %s)", plural(len(st.Tables), "table", "tables"), strings.Join(st.Tables, ", "))
		}
		parts = append(parts, data)
	}
	if st.Checkpoints > 0 {
		parts = append(parts, fmt.Sprintf("the checkpoints of %d %s", st.Checkpoints, plural(st.Checkpoints, "pipe", "pipes")))
	}
	if st.DeadLetters > 0 {
		parts = append(parts, fmt.Sprintf("%d dead-letter %s", st.DeadLetters, plural(st.DeadLetters, "message", "messages")))
	}
	switch len(parts) {
	case 0:
		return ""
	case 1:
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

// dynamoDBWhere says where DynamoDB's data is when it is not simply kept in the state directory.
func (st State) dynamoDBWhere() string {
	var where string
	switch {
	case st.DynamoDB.Kind == ddblocal.KindEndpoint:
		where = fmt.Sprintf("DynamoDB at %s is yours, with its own data", st.DynamoDB.Endpoint)
	case st.DynamoDB.Kind == ddblocal.KindShared:
		where = fmt.Sprintf("DynamoDB Local of pipesim process %d on %s, which serves this data", st.DynamoDB.Owner, st.DynamoDB.Endpoint)
	case st.DynamoDB.DBPath == "":
		where = "DynamoDB Local in memory"
	}
	if st.DeadLettersOnSQS {
		if where != "" {
			where += "; "
		}
		where += "dead-letter queues on SQS, not here"
	}
	return where
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
