package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/pipesim/pipesim/internal/ddblocal/ddblocaltest"
)

// TestDemo runs `pipesim demo` on embedded defaults against the real DynamoDB Local.
func TestDemo(t *testing.T) {
	t.Setenv("MOMENTO_API_ENDPOINT", "")
	t.Setenv("MOMENTO_API_KEY", "")
	endpoint := ddblocaltest.Endpoint(t)
	var out, errOut bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := &demoCmd{streams: newStreams(nil, &out, &errOut)}
	state := t.TempDir()
	err := cmd.Run(ctx, []string{"--dynamodb-endpoint", endpoint, "--state-dir", state, "--poll-interval", "50ms"})
	if err != nil {
		t.Fatalf("demo: %v\nstdout:\n%s\nstderr:\n%s", err, out.String(), errOut.String())
	}
	for _, want := range []string{
		"pipesim's embedded server: HTTP API http://127.0.0.1:",
		"gRPC 127.0.0.1:",
		`read back from the table: {Location: "San Diego", MaxTemp: 42, MinTemp: 31, ChancesOfPrecipitation: 91, TTL: 120}`,
		`"EventType": "INSERT",  "Location": "San Diego"`,
		`"MaxTemp": "42"`,
		"weather-stats-demo-cache-put-pipe: INSERT",
		"PUT http://127.0.0.1:",
		"?key=San%20Diego&ttl_seconds=120 -> 204 succeeded",
		"weather-stats-demo-cache-delete-pipe: INSERT {\"Location\":{\"S\":\"San Diego\"}} -> filtered out",
		"cache momento-eventbridge-cache[San Diego] = {",
		`"EventType": "REMOVE"`,
		"a REMOVE record has no NewImage",
		"cache momento-eventbridge-cache[San Diego]: miss",
		"demo complete",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("demo output lacks %q:\n%s", want, out.String())
		}
	}
	if want := "pipesim: state in " + state + ": fresh start (demo always starts fresh)"; !strings.Contains(errOut.String(), want) {
		t.Errorf("demo's diagnostics lack %q:\n%s", want, errOut.String())
	}
	// The seed's three pipes read one stream: more than DynamoDB Streams advises, said at start.
	if want := "PS009 warning: pipes \"weather-stats-demo-cache-put-pipe\", \"weather-stats-demo-topic-publish-pipe\", \"weather-stats-demo-cache-delete-pipe\": Source: 3 pipes read the stream of table weather-stats-demo; DynamoDB Streams advises no more than 2 readers"; !strings.Contains(errOut.String(), want) {
		t.Errorf("demo's diagnostics lack %q:\n%s", want, errOut.String())
	}
}

func TestStreamReadLimitFlag(t *testing.T) {
	var out, errOut bytes.Buffer
	cmd := &runCmd{streams: newStreams(nil, &out, &errOut)}
	err := cmd.Run(t.Context(), []string{"--stream-read-limit", "-1", "--state-dir", t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "--stream-read-limit -1") {
		t.Errorf("run --stream-read-limit -1 = %v; want an error naming the flag", err)
	}
}
