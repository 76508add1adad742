package check

import (
	"fmt"
	"strings"

	"github.com/pipesim/pipesim/internal/config"
)

// maxReaders is how many processes DynamoDB Streams lets read one shard at a time without
// throttling: "More than 2 processes are reading from the same streams shard at the same time.
// Exceeding this limit may result in request throttling." (GetRecords, LimitExceededException).
const maxReaders = 2

// readers finds streams that more than maxReaders running pipes read.
func readers(cfg *config.Config) []Finding {
	byTable := map[string][]string{}
	var order []string
	for _, p := range cfg.Pipes {
		if !p.Running {
			continue
		}
		t := sourceTableName(p.Source)
		if byTable[t] == nil {
			order = append(order, t)
		}
		byTable[t] = append(byTable[t], p.Name)
	}
	var out []Finding
	for _, t := range order {
		pipes := byTable[t]
		if len(pipes) <= maxReaders {
			continue
		}
		names := make([]string, len(pipes))
		for i, n := range pipes {
			names[i] = fmt.Sprintf("%q", n)
		}
		out = append(out, finding("PS009", "pipes "+strings.Join(names, ", "), "Source",
			"keep at most two pipes per stream: fan out from one pipe (for example to an EventBridge event bus, with a rule per target), or merge pipes whose targets can share a request",
			"%d pipes read the stream of table %s; DynamoDB Streams advises no more than %d readers of a shard and throttles their reads (LimitExceededException), which slows every pipe; pipesim does the same (--stream-read-limit)",
			len(pipes), t, maxReaders))
	}
	return out
}

// unused finds queues, connections and API destinations no pipe uses.
func unused(cfg *config.Config) []Finding {
	dlqs, targets, conns := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, p := range cfg.Pipes {
		if p.Stream.DLQ != nil {
			dlqs[p.Stream.DLQ.Name] = true
		}
		if p.Target != nil && p.Target.Dest != nil {
			targets[p.Target.Dest.Name] = true
			if p.Target.Dest.Conn != nil {
				conns[p.Target.Dest.Conn.Name] = true
			}
		}
	}
	var out []Finding
	for _, q := range cfg.Queues {
		if !dlqs[q.Name] {
			out = append(out, finding("PS011", quoted("queue", q.Name), "",
				"point a pipe's SourceParameters.DynamoDBStreamParameters.DeadLetterConfig.Arn at it ("+q.ARN+"), or remove it",
				"no pipe uses it as its dead-letter queue"))
		}
	}
	for _, c := range cfg.Connections {
		if !conns[c.Name] {
			out = append(out, finding("PS012", quoted("connection", c.Name), "", "use it from an API destination a pipe targets, or remove it",
				"no pipe uses it (%s)", connectionUsers(cfg, c.Name)))
		}
	}
	for _, name := range sortedKeys(cfg.Destinations) {
		if !targets[name] {
			out = append(out, finding("PS013", quoted("API destination", name), "", "make it a pipe's Target, or remove it",
				"no pipe targets it"))
		}
	}
	return out
}

// connectionUsers says which API destinations use a connection no pipe uses.
func connectionUsers(cfg *config.Config, conn string) string {
	var users []string
	for _, name := range sortedKeys(cfg.Destinations) {
		if d := cfg.Destinations[name]; d.Conn != nil && d.Conn.Name == conn {
			users = append(users, fmt.Sprintf("%q", name))
		}
	}
	if len(users) == 0 {
		return "no API destination names it"
	}
	return "only API destinations no pipe targets name it: " + strings.Join(users, ", ")
}
