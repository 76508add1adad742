package sim

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/pipesim/pipesim/internal/ddblocal/ddblocaltest"
)

// TestMain keeps the developer's AWS configuration out of the tests. They give DynamoDB Local as
// an endpoint, so pipesim signs through the AWS configuration chain, which would otherwise read
// ~/.aws and AWS_PROFILE: an SSO profile or a credential_process could reach the network or run a
// program, and a profile named but missing would fail every test. Tests that need credentials
// set their own (isolateAWSConfig).
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "pipesim-sim-aws-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for _, v := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
		"AWS_DEFAULT_PROFILE", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"} {
		os.Unsetenv(v)
	}
	for v, name := range map[string]string{"AWS_CONFIG_FILE": "config", "AWS_SHARED_CREDENTIALS_FILE": "credentials"} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, nil, 0o600); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Setenv(v, path)
	}
	os.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	code := ddblocaltest.Run(m) // one DynamoDB Local for the package's tests
	os.RemoveAll(dir)
	os.Exit(code)
}
