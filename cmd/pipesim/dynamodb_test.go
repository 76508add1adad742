package main

import (
	"context"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/pipesim/pipesim/internal/ddblocal"
)

// TestDynamoDBServe: `pipesim dynamodb serve` runs DynamoDB Local alone on the port given (8000
// by default; a free one here), with its data in the state directory, and prints the endpoint,
// the credentials and a put-item line. A `pipesim run` on the same state directory uses that
// DynamoDB Local instead of starting its own, and says so; the table it creates is there for the
// user's tools, and outlives the run.
func TestDynamoDBServe(t *testing.T) {
	if os.Getenv(ddblocal.EnvEndpoint) != "" {
		t.Skipf("%s is set: this test needs the DynamoDB Local pipesim starts itself", ddblocal.EnvEndpoint)
	}
	t.Setenv("MOMENTO_API_ENDPOINT", "")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	state := t.TempDir()
	port, err := freeTCPPort()
	if err != nil {
		t.Fatal(err)
	}
	endpoint := "http://127.0.0.1:" + strconv.Itoa(port)
	var serveOut syncBuffer
	serveCtx, stopServe := context.WithCancel(ctx)
	defer stopServe()
	served := make(chan error, 1)
	go func() {
		served <- (&dynamoDBCmd{newStreams(nil, &serveOut, &serveOut)}).Run(serveCtx, []string{"serve", "--port", strconv.Itoa(port), "--state-dir", state})
	}()
	waitForLine(t, &serveOut, served, "DynamoDB Local serving; Ctrl-C stops")
	for _, want := range []string{
		"pipesim: DynamoDB Local on " + endpoint + " (data in " + state + "/dynamodb)",
		"use it with AWS_ENDPOINT_URL_DYNAMODB=" + endpoint + " (or --endpoint-url) and any access key and region",
		"pipesim: 'pipesim run --state-dir " + state + "' uses it",
	} {
		if !strings.Contains(serveOut.String(), want) {
			t.Errorf("dynamodb serve printed:\n%s\nwant a line with %q", serveOut.String(), want)
		}
	}

	var runOut syncBuffer
	runCtx, stopRun := context.WithCancel(ctx)
	ran := make(chan error, 1)
	go func() {
		ran <- (&runCmd{streams: newStreams(nil, &runOut, &runOut)}).Run(runCtx, []string{"--state-dir", state, "--poll-interval", "50ms", "--quiet"})
	}()
	waitForLine(t, &runOut, ran, "all pipes polling")
	if want := "pipesim: DynamoDB Local on " + endpoint + ", started by pipesim process " + strconv.Itoa(os.Getpid()); !strings.Contains(runOut.String(), want) {
		t.Errorf("run beside dynamodb serve printed:\n%s\nwant %q", runOut.String(), want)
	}
	if want := "try: AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local aws dynamodb put-item --endpoint-url " + endpoint + " --region us-east-1 --table-name weather-stats-demo --item '{\"Location\": {\"S\": \"example\"}}'"; !strings.Contains(runOut.String(), want) {
		t.Errorf("run printed:\n%s\nwant %q", runOut.String(), want)
	}
	stopRun()
	<-ran

	// The run is gone; the table it created is still served, for any access key and region.
	db, _, err := ddblocal.Client(ctx, endpoint, "eu-west-3")
	if err != nil {
		t.Fatal(err)
	}
	item := map[string]types.AttributeValue{"Location": &types.AttributeValueMemberS{Value: "example"}}
	if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("weather-stats-demo"), Item: item}); err != nil {
		t.Errorf("put-item into the run's table after the run stopped: %v", err)
	}
	stopServe()
	if err := <-served; err != nil {
		t.Errorf("dynamodb serve = %v", err)
	}
}

// TestDynamoDBServeFlags: flags that mean nothing together are refused before anything starts.
func TestDynamoDBServeFlags(t *testing.T) {
	for _, args := range [][]string{
		{"serve", "--in-memory", "--fresh"},
		{"serve", "--port", "70000"},
		{"serve", "extra"},
		{"frobnicate"},
	} {
		s, _, _ := testStreams()
		err := (&dynamoDBCmd{s}).Run(context.Background(), args)
		if code := exitCode(err, s.stderr); code != 2 {
			t.Errorf("pipesim dynamodb %q = exit %d (%v); want 2", args, code, err)
		}
	}
	s, _, _ := testStreams()
	err := (&runCmd{streams: s}).Run(context.Background(), []string{"--dynamodb-endpoint", "http://127.0.0.1:1", "--dynamodb-port", "8000"})
	if code := exitCode(err, s.stderr); code != 2 || !strings.Contains(err.Error(), "--dynamodb-port") {
		t.Errorf("run --dynamodb-endpoint URL --dynamodb-port 8000 = exit %d, %v; want 2 naming --dynamodb-port", code, err)
	}
}

// freeTCPPort asks the kernel for a free loopback port.
func freeTCPPort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
