package ddblocal

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/testcontainers/testcontainers-go"
)

// startIsolatedJar starts DynamoDB Local the way users often run it themselves: without
// -sharedDb, so it keeps one database per access key and region.
func startIsolatedJar(t *testing.T) string {
	t.Helper()
	java, err := exec.LookPath("java")
	if err != nil {
		t.Fatalf("java: %v", err)
	}
	jarDir, err := jarDirInstalling(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"-Djava.library.path=" + filepath.Join(jarDir, libName), "-jar", filepath.Join(jarDir, jarName),
		"-disableTelemetry", "-inMemory", "-port", strconv.Itoa(port)}
	inst, err := launchJar(t.Context(), java, jarDir, args, port, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { inst.Close() })
	return inst.Endpoint
}

// isolateAWSConfig points every source of the AWS configuration chain at nothing: no variables,
// empty shared files (never the developer's own ~/.aws). It returns the two files' paths.
func isolateAWSConfig(t *testing.T) (configFile, credentialsFile string) {
	t.Helper()
	dir := t.TempDir()
	configFile, credentialsFile = filepath.Join(dir, "config"), filepath.Join(dir, "credentials")
	for _, f := range []string{configFile, credentialsFile} {
		if err := os.WriteFile(f, nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, v := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
		"AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"} {
		t.Setenv(v, "")
	}
	t.Setenv("AWS_CONFIG_FILE", configFile)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", credentialsFile)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	return configFile, credentialsFile
}

// createTableAs creates a table signed with key and region, as a user's application would.
func createTableAs(t *testing.T, endpoint, key, region, name string) {
	t.Helper()
	db := dynamodb.NewFromConfig(aws.Config{Region: region, Credentials: credentials.NewStaticCredentialsProvider(key, "secret", "")},
		func(o *dynamodb.Options) { o.BaseEndpoint = aws.String(endpoint) })
	_, err := db.CreateTable(t.Context(), &dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("K"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("K"), KeyType: types.KeyTypeHash}},
		BillingMode:          types.BillingModePayPerRequest,
	})
	if err != nil {
		t.Fatalf("CreateTable(%s) as %s/%s: %v", name, key, region, err)
	}
}

func tablesSeen(t *testing.T, db *dynamodb.Client) []string {
	t.Helper()
	out, err := db.ListTables(t.Context(), &dynamodb.ListTablesInput{})
	if err != nil {
		t.Fatal(err)
	}
	return out.TableNames
}

// TestUserClientSignsAsTheUser: against a DynamoDB Local without -sharedDb, pipesim sees the
// tables of the access key and region the AWS configuration chain names (environment, or a
// profile of the shared files), and only falls back to dummy credentials where none is configured.
func TestUserClientSignsAsTheUser(t *testing.T) {
	endpoint := startIsolatedJar(t)
	createTableAs(t, endpoint, "AKIDENVIRONMENT", "eu-west-1", "env-table")
	createTableAs(t, endpoint, "AKIDPROFILE", "ap-south-1", "profile-table")
	createTableAs(t, endpoint, DummyAccessKeyID, "us-west-2", "dummy-table")

	// check gets clients each way pipesim does for a user's DynamoDB Local: capture's UserClient,
	// and run's Start then ClientFor, the endpoint given as the flag or in AWS_ENDPOINT_URL_DYNAMODB.
	check := func(t *testing.T, fallbackRegion string, want Identity, table string) {
		t.Helper()
		clients := []struct {
			how    string
			client func() (*dynamodb.Client, Identity, error)
		}{
			{"UserClient", func() (*dynamodb.Client, Identity, error) {
				db, _, id, err := UserClient(t.Context(), endpoint, fallbackRegion)
				return db, id, err
			}},
			{"Start(Endpoint)+ClientFor", func() (*dynamodb.Client, Identity, error) {
				return startThenClient(t, Options{Endpoint: endpoint}, fallbackRegion)
			}},
			{"Start(" + EnvEndpoint + ")+ClientFor", func() (*dynamodb.Client, Identity, error) {
				t.Setenv(EnvEndpoint, endpoint) // until the subtest ends; the others name the endpoint
				return startThenClient(t, Options{}, fallbackRegion)
			}},
		}
		for _, c := range clients {
			db, id, err := c.client()
			if err != nil {
				t.Fatalf("%s: %v", c.how, err)
			}
			if id != want {
				t.Errorf("%s: identity = %+v; want %+v", c.how, id, want)
			}
			if got := tablesSeen(t, db); !slices.Equal(got, []string{table}) {
				t.Errorf("%s: tables seen = %v; want [%s]", c.how, got, table)
			}
		}
	}
	t.Run("environment", func(t *testing.T) {
		isolateAWSConfig(t)
		t.Setenv("AWS_ACCESS_KEY_ID", "AKIDENVIRONMENT")
		t.Setenv("AWS_SECRET_ACCESS_KEY", "not-printed")
		t.Setenv("AWS_REGION", "eu-west-1")
		check(t, "us-east-1", Identity{AccessKeyID: "AKIDENVIRONMENT", Region: "eu-west-1", From: "environment"}, "env-table")
	})
	t.Run("profile", func(t *testing.T) {
		configFile, credentialsFile := isolateAWSConfig(t)
		writeFile(t, credentialsFile, "[dev]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = not-printed\n")
		writeFile(t, configFile, "[profile dev]\nregion = ap-south-1\n")
		t.Setenv("AWS_PROFILE", "dev")
		check(t, "us-east-1", Identity{AccessKeyID: "AKIDPROFILE", Region: "ap-south-1", From: "shared config, profile dev"}, "profile-table")
	})
	t.Run("nothing configured", func(t *testing.T) {
		isolateAWSConfig(t)
		check(t, "us-west-2", Identity{AccessKeyID: DummyAccessKeyID, Region: "us-west-2", From: "no AWS credentials configured: dummy ones"}, "dummy-table")
	})
	t.Run("bad profile", func(t *testing.T) {
		isolateAWSConfig(t)
		t.Setenv("AWS_PROFILE", "missing")
		if _, _, _, err := UserClient(t.Context(), endpoint, ""); err == nil {
			t.Error("UserClient with AWS_PROFILE naming no profile: no error; want one naming the configuration")
		}
	})
}

// TestOwnInstanceSharedAcrossKeys: the DynamoDB Local pipesim starts runs -sharedDb, so a table a
// user's application creates with any credentials is the table pipesim sees.
func TestOwnInstanceSharedAcrossKeys(t *testing.T) {
	endpoint := ForTest(t) // started as Start starts it, when no endpoint is given
	createTableAs(t, endpoint, "AKIDSOMEAPP", "eu-central-1", "app-table")
	db, _, id, err := ClientFor(t.Context(), &Instance{Endpoint: endpoint, Kind: KindJar}, "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	if got := tablesSeen(t, db); !slices.Contains(got, "app-table") {
		t.Errorf("pipesim's own DynamoDB Local: tables seen as %s/%s = %v; want app-table (created as AKIDSOMEAPP/eu-central-1)", id.AccessKeyID, id.Region, got)
	}
}

// startThenClient gets a DynamoDB Local as `pipesim run` does, and its client.
func startThenClient(t *testing.T, opts Options, region string) (*dynamodb.Client, Identity, error) {
	t.Helper()
	inst, err := Start(t.Context(), opts)
	if err != nil {
		return nil, Identity{}, err
	}
	t.Cleanup(func() { inst.Close() })
	if inst.Kind != KindEndpoint {
		t.Fatalf("Start(%+v) started a DynamoDB Local of kind %s; want the endpoint given", opts, inst.Kind)
	}
	db, _, id, err := ClientFor(t.Context(), inst, region)
	return db, id, err
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestStartedWithSharedDB: both ways pipesim starts a DynamoDB Local of its own, the jar and the
// container (no Docker engine here, so its request is checked), run -sharedDb, in memory and on
// disk alike.
func TestStartedWithSharedDB(t *testing.T) {
	for _, dbPath := range []string{"", t.TempDir()} {
		args, err := jarArgs(t.TempDir(), dbPath)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(args, "-sharedDb") {
			t.Errorf("jar arguments (dbPath %q) = %v; want -sharedDb", dbPath, args)
		}
		copts, err := containerOptions(dbPath, 0, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		var req testcontainers.GenericContainerRequest
		for _, o := range copts {
			if err := o.Customize(&req); err != nil {
				t.Fatal(err)
			}
		}
		if !slices.Contains(req.Cmd, "-sharedDb") {
			t.Errorf("container command (dbPath %q) = %v; want -sharedDb", dbPath, req.Cmd)
		}
	}
}
