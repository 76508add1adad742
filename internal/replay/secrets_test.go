package replay

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/pipesim/pipesim/internal/config"
	"github.com/pipesim/pipesim/internal/secrettest"
)

// secretPipes has one secret (%[1]s, a JSON-quoted string) as the API key and as a secret
// header, query-string and body parameter of the connection.
const secretPipes = `
Connections:
  - Name: conn
    AuthorizationType: API_KEY
    AuthParameters:
      ApiKeyAuthParameters: {ApiKeyName: x-api-key, ApiKeyValue: %[1]s}
      InvocationHttpParameters:
        HeaderParameters: [{Key: X-Token, Value: %[1]s, IsValueSecret: true}, {Key: X-Plain, Value: visible}]
        QueryStringParameters: [{Key: sig, Value: %[1]s, IsValueSecret: true}]
        BodyParameters: [{Key: password, Value: %[1]s, IsValueSecret: true}, {Key: user, Value: ann}]
ApiDestinations:
  - {Name: dest, ConnectionArn: conn, InvocationEndpoint: "https://api.example.com/items", HttpMethod: POST}
Pipes:
  - Name: secret-pipe
    Source: weather-stats-demo
    SourceParameters:
      DynamoDBStreamParameters: {BatchSize: 1, StartingPosition: LATEST}
    Target: dest
    TargetParameters:
      InputTemplate: '{"key": <$.dynamodb.Keys.Location.S>}'
      HttpParameters:
        QueryStringParameters: {city: $.dynamodb.Keys.Location.S}
`

func dryRunSecret(t *testing.T, secret string) string {
	t.Helper()
	quoted, _ := json.Marshal(secret)
	cfg, err := config.Parse("secret.yaml", []byte(fmt.Sprintf(secretPipes, quoted)), config.Options{Lookup: func(string) (string, bool) { return "", false }})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if _, err := (&Run{Config: cfg, DryRun: &out}).Replay(context.Background(), bytes.NewReader(fixture(t, "seed.jsonl"))); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

// TestDryRunHidesSecretsInAnyEncoding: a secret with characters that JSON or URLs escape does
// not appear in the dry-run output in any form.
func TestDryRunHidesSecretsInAnyEncoding(t *testing.T) {
	for _, secret := range secrettest.Values {
		out := dryRunSecret(t, secret)
		if form := secrettest.Leak(out, secret); form != "" {
			t.Errorf("secret %q: dry-run output shows it as %q:\n%s", secret, form, out)
		}
		line, _, _ := strings.Cut(out, "\n")
		for _, want := range []string{`"X-Api-Key":"********"`, `"X-Token":"********"`, `"X-Plain":"visible"`,
			`?city=New%20York&sig=********"`, `"body":"{\"key\":\"New York\",\"password\":\"********\",\"user\":\"ann\"}"`} {
			if !strings.Contains(line, want) {
				t.Errorf("secret %q: dry-run line\n%s\nwant it to contain %s", secret, line, want)
			}
		}
	}
}

// TestDryRunSecretInsideOtherValues: a secret that is part of other values (the record's
// Location, in the URL and the body) hides only itself.
func TestDryRunSecretInsideOtherValues(t *testing.T) {
	line, _, _ := strings.Cut(dryRunSecret(t, "York"), "\n")
	for _, want := range []string{`?city=New%20York&sig=********"`, `"body":"{\"key\":\"New York\",\"password\":\"********\",\"user\":\"ann\"}"`} {
		if !strings.Contains(line, want) {
			t.Errorf("dry-run line\n%s\nwant it to contain %s", line, want)
		}
	}
}
