package sim

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"

	"github.com/pipesim/pipesim/internal/config"
	"github.com/pipesim/pipesim/internal/ddblocal"
)

// TestPutItemCommand: the put-item line is one a shell splits into the AWS CLI's arguments, its
// item DynamoDB JSON of the table's key attributes, whatever the names hold.
func TestPutItemCommand(t *testing.T) {
	table := config.Table{Name: "orders", HashKey: "customer's id", RangeKey: "N", Attributes: map[string]string{"customer's id": "S", "N": "N"}}
	line := PutItemCommand("http://127.0.0.1:8000", "us-east-1", true, table)
	want := `AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local aws dynamodb put-item --endpoint-url http://127.0.0.1:8000 --region us-east-1 --table-name orders --item '{"customer'\''s id": {"S": "example"}, "N": {"N": "1"}}'`
	if line != want {
		t.Errorf("PutItemCommand =\n%s\nwant\n%s", line, want)
	}
	// What a shell makes of it: the arguments the AWS CLI would get.
	out, err := exec.Command("sh", "-c", strings.Replace(line, "aws ", `printf '%s\n' `, 1)).Output()
	if err != nil {
		t.Fatal(err)
	}
	args := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	var item map[string]map[string]string
	if len(args) != 10 || args[8] != "--item" || json.Unmarshal([]byte(args[9]), &item) != nil {
		t.Fatalf("the shell split the line into %q; want 10 arguments ending with --item and DynamoDB JSON", args)
	}
	if item["customer's id"]["S"] != "example" || item["N"]["N"] != "1" {
		t.Errorf("item = %v; want the table's two key attributes with values of their types", item)
	}
}

func TestDynamoDBLines(t *testing.T) {
	id := ddblocal.Identity{AccessKeyID: "local", Region: "us-east-1"}
	table := &config.Table{Name: "weather-stats-demo", HashKey: "Location", Attributes: map[string]string{"Location": "S"}}
	got := DynamoDBLines(ddblocal.Instance{Kind: ddblocal.KindJar, Endpoint: "http://127.0.0.1:8000", DBPath: "/s/dynamodb"}, id, table)
	want := []string{
		"DynamoDB Local on http://127.0.0.1:8000 (data in /s/dynamodb)",
		"use it with AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:8000 (or --endpoint-url) and any access key and region: it runs -sharedDb, so every key sees the same tables (pipesim uses local in us-east-1)",
		`try: AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local aws dynamodb put-item --endpoint-url http://127.0.0.1:8000 --region us-east-1 --table-name weather-stats-demo --item '{"Location": {"S": "example"}}'`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("DynamoDBLines =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	user := DynamoDBLines(ddblocal.Instance{Kind: ddblocal.KindEndpoint, Endpoint: "http://localhost:8000"},
		ddblocal.Identity{AccessKeyID: "AKIDEXAMPLE", Region: "eu-west-1", From: "environment"}, table)
	if !strings.Contains(user[1], "the access key and region pipesim signs as, to see the same tables: AKIDEXAMPLE in eu-west-1 (environment)") || strings.Contains(user[2], "AWS_ACCESS_KEY_ID") {
		t.Errorf("lines for the user's DynamoDB Local = %q; want the key and region pipesim signs as, and a put-item line with the user's own credentials", user)
	}
}
