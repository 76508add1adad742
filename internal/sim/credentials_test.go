package sim

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pipesim/pipesim/internal/ddblocal"
	"github.com/pipesim/pipesim/internal/ddblocal/ddblocaltest"
)

// isolateAWSConfig leaves the AWS configuration chain only what the test sets: no variables,
// empty shared files (never the developer's own ~/.aws). It returns the credentials file.
func isolateAWSConfig(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	config, creds := filepath.Join(dir, "config"), filepath.Join(dir, "credentials")
	for _, f := range []string{config, creds} {
		if err := os.WriteFile(f, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, v := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
		"AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", ddblocal.EnvEndpoint} {
		t.Setenv(v, "")
	}
	t.Setenv("AWS_CONFIG_FILE", config)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", creds)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	return creds
}

// TestStartupLineNamesCredentials: against a DynamoDB Local the user gives (the flag or
// AWS_ENDPOINT_URL_DYNAMODB), pipesim signs with what the AWS configuration chain names and says
// so in the lines run prints at start (Sim.DynamoDBLines) and its debug log: the access key ID and
// region, never the secret.
func TestStartupLineNamesCredentials(t *testing.T) {
	endpoint := ddblocaltest.Endpoint(t)
	const secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYSECRET"
	for _, via := range []string{"flag", ddblocal.EnvEndpoint} {
		t.Run(via, func(t *testing.T) {
			creds := isolateAWSConfig(t)
			if err := os.WriteFile(creds, []byte("[team]\naws_access_key_id = AKIDSTARTUPLINE\naws_secret_access_key = "+secret+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			t.Setenv("AWS_PROFILE", "team")
			t.Setenv("AWS_REGION", "eu-north-1")
			opts := Options{DynamoDBEndpoint: endpoint}
			if via == ddblocal.EnvEndpoint {
				opts.DynamoDBEndpoint = ""
				t.Setenv(ddblocal.EnvEndpoint, endpoint)
			}
			var logs bytes.Buffer
			opts.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			opts.PipesFile = pipesOnOneTable(t, tableName("startup-line"), "http://127.0.0.1:1", "only")
			opts.StateDir, opts.Lookup = t.TempDir(), func(string) (string, bool) { return "", false }
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			s, err := Start(ctx, opts)
			if err != nil {
				t.Fatal(err)
			}
			s.Close()
			shown := strings.Join(s.DynamoDBLines(), "\n")
			for _, want := range []string{"DynamoDB at " + endpoint + " (yours)", "AKIDSTARTUPLINE in eu-north-1 (shared config, profile team)"} {
				if !strings.Contains(shown, want) {
					t.Errorf("start-up lines lack %q:\n%s", want, shown)
				}
			}
			line := logs.String() + shown
			for _, want := range []string{`msg="DynamoDB Local"`, "kind=endpoint", "accessKeyId=AKIDSTARTUPLINE", "region=eu-north-1", `credentials="shared config, profile team"`} {
				if !strings.Contains(line, want) {
					t.Errorf("startup line lacks %s:\n%s", want, line)
				}
			}
			if strings.Contains(line, secret) || strings.Contains(line, "SECRET") {
				t.Errorf("startup line shows the secret access key:\n%s", line)
			}
		})
	}
}
