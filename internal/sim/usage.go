package sim

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/pipesim/pipesim/internal/config"
	"github.com/pipesim/pipesim/internal/ddblocal"
)

// DynamoDBLines tell a user where the pipes' DynamoDB is and how to reach it from their own tools:
// the endpoint and where its data lives, the access key and region to use, and an
// `aws dynamodb put-item` line to copy that writes an item with table's key (when table is not
// nil). inst is the instance pipesim uses, id who pipesim signs as there.
func DynamoDBLines(inst ddblocal.Instance, id ddblocal.Identity, table *config.Table) []string {
	lines := []string{dynamoDBWhere(inst)}
	sharedDB := inst.Kind != ddblocal.KindEndpoint
	if sharedDB {
		lines = append(lines, fmt.Sprintf("use it with AWS_ENDPOINT_URL_DYNAMODB=%s (or --endpoint-url) and any access key and region: it runs -sharedDb, so every key sees the same tables (pipesim uses %s in %s)",
			inst.Endpoint, id.AccessKeyID, id.Region))
	} else {
		lines = append(lines, fmt.Sprintf("use it with AWS_ENDPOINT_URL_DYNAMODB=%s and the access key and region pipesim signs as, to see the same tables: %s in %s (%s)",
			inst.Endpoint, id.AccessKeyID, id.Region, id.From))
	}
	if table != nil {
		lines = append(lines, "try: "+PutItemCommand(inst.Endpoint, id.Region, sharedDB, *table))
	}
	return lines
}

func dynamoDBWhere(inst ddblocal.Instance) string {
	switch {
	case inst.Kind == ddblocal.KindEndpoint:
		return fmt.Sprintf("DynamoDB at %s (yours)", inst.Endpoint)
	case inst.Kind == ddblocal.KindShared:
		return fmt.Sprintf("DynamoDB Local on %s, started by pipesim process %d (data in %s)", inst.Endpoint, inst.Owner, inst.DBPath)
	case inst.DBPath == "":
		return fmt.Sprintf("DynamoDB Local on %s (in memory)", inst.Endpoint)
	}
	return fmt.Sprintf("DynamoDB Local on %s (data in %s)", inst.Endpoint, inst.DBPath)
}

// PutItemCommand is an `aws dynamodb put-item` command line, quoted for a POSIX shell, that
// writes an item holding only table's key attributes, with example values of their types. For
// a -sharedDb DynamoDB Local it sets dummy credentials, so it works where none are configured.
func PutItemCommand(endpoint, region string, sharedDB bool, table config.Table) string {
	var b strings.Builder
	if sharedDB {
		b.WriteString("AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local ")
	}
	fmt.Fprintf(&b, "aws dynamodb put-item --endpoint-url %s --region %s --table-name %s --item %s",
		shellQuote(endpoint), shellQuote(region), shellQuote(table.Name), shellQuote(exampleKey(table)))
	return b.String()
}

// exampleKey is an item of table's key attributes, hash key first, in DynamoDB JSON.
func exampleKey(t config.Table) string {
	parts := make([]string, 0, 2)
	for _, name := range []string{t.HashKey, t.RangeKey} {
		if name == "" {
			continue
		}
		typ := t.Attributes[name]
		value := map[string]string{"S": "example", "N": "1", "B": "ZXhhbXBsZQ=="}[typ]
		if value == "" {
			typ, value = "S", "example"
		}
		n, _ := json.Marshal(name)
		v, _ := json.Marshal(value)
		parts = append(parts, fmt.Sprintf(`%s: {"%s": %s}`, n, typ, v))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// shellQuote quotes s for a POSIX shell when it holds anything but safe characters.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=@,+", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// DynamoDBLines are DynamoDBLines for the simulation's DynamoDB, with a put-item line for the
// first declared table that has a stream.
func (s *Sim) DynamoDBLines() []string {
	var table *config.Table
	for i, t := range s.Config.Tables {
		if t.StreamViewType != "" {
			table = &s.Config.Tables[i]
			break
		}
	}
	return DynamoDBLines(s.State.DynamoDB, s.DynamoDBIdentity, table)
}
