package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/pflag"

	"github.com/pipesim/pipesim/internal/sim"
)

const seedTemplate = "../../testdata/weather-stats/weather-stats.template.json"

func runConvert(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd := &convertCmd{streams: newStreams(strings.NewReader(""), &out, &errOut)}
	err := cmd.Run(context.Background(), args)
	return out.String(), errOut.String(), err
}

// TestConvert: `pipesim convert` prints the seed's template as pipesim's pipes file, the
// parameters in the AWS CLI's spelling, the secret as a ${NAME} reference; the skipped IAM
// resources and the role's stand-in are said once on stderr.
func TestConvert(t *testing.T) {
	out, stderr, err := runConvert(t, "--template", seedTemplate, "--parameter-overrides", "MomentoApiKey=s3cr3t-key",
		"MomentoApiEndpoint=https://api.cache.cell-4-us-west-2-1.prod.a.momentohq.com", "--region", "eu-west-1")
	if err != nil {
		t.Fatalf("convert = %v\n%s", err, stderr)
	}
	for _, want := range []string{"Region: eu-west-1", "ApiKeyValue: ${MOMENTO_EVENTBRIDGE_API_KEY}",
		"InvocationEndpoint: https://api.cache.cell-4-us-west-2-1.prod.a.momentohq.com/cache/*", "weather-stats-demo-logs-eu-west-1",
		"Caches:\n  - momento-eventbridge-cache"} {
		if !strings.Contains(out, want) {
			t.Errorf("convert output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out+stderr, "s3cr3t-key") {
		t.Error("the secret's value is printed")
	}
	if strings.Count(stderr, "AWS::IAM::Role") != 2 || !strings.Contains(stderr, "skipped 2 resources") {
		t.Errorf("stderr = %s; want the skipped resources and the stand-in, once each", stderr)
	}
}

// TestConvertBound: with --momento-parameters the file is the hand-written seed pipes file's
// design: ${MOMENTO_API_ENDPOINT} and ${MOMENTO_API_KEY}.
func TestConvertBound(t *testing.T) {
	out, stderr, err := runConvert(t, "--template", seedTemplate, "--momento-parameters", "MomentoApiEndpoint,MomentoApiKey")
	if err != nil {
		t.Fatalf("convert = %v\n%s", err, stderr)
	}
	golden, err := os.ReadFile("../../internal/cfn/testdata/seed-convert.golden.yaml")
	if err != nil {
		t.Fatal(err)
	}
	_, wantBody, _ := strings.Cut(string(golden), "\nRegion:")
	_, gotBody, _ := strings.Cut(out, "\nRegion:")
	if d := cmp.Diff(wantBody, gotBody); d != "" {
		t.Errorf("convert (-golden +got):\n%s", d)
	}
}

func TestConvertErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	data, err := os.ReadFile(seedTemplate)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, bytes.Replace(data, []byte(`"BatchSize": 1,`), []byte(`"BatchSize": 20,`), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{}, 2, "convert: give --template"},
		{[]string{"--pipes", "../../testdata/weather-stats/pipes.yaml"}, 2, "convert: give --template"},
		{[]string{"--template", seedTemplate}, 1, "parameters without a value: MomentoApiKey, MomentoApiEndpoint"},
		{[]string{"--template", seedTemplate, "--pipes", "x.yaml"}, 2, "give --pipes or --template, not both"},
		{[]string{"--template", seedTemplate, "--parameter-overrides", "novalue"}, 2, ""},
		{[]string{"--template", bad, "--parameter-overrides", "MomentoApiKey=k", "MomentoApiEndpoint=http://h"}, 1,
			"weatherstatsdemocacheputpipe: Properties.SourceParameters.DynamoDBStreamParameters.BatchSize: 20: an API destination target has no batch API"},
	} {
		_, stderr, err := runConvert(t, tc.args...)
		var ee *exitError
		code := 1
		if errors.As(err, &ee) {
			code = ee.code
		}
		if err == nil || code != tc.code || !strings.Contains(err.Error()+stderr, tc.want) {
			t.Errorf("convert %q = %v (exit %d); want exit %d and %q", tc.args, err, code, tc.code, tc.want)
		}
	}
}

func TestMultiValued(t *testing.T) {
	got := multiValued([]string{"--parameter-overrides", "A=1", "B=2", "--region", "x", "-parameter-overrides", "C=3", "file_test.yaml", "--v"})
	want := []string{"--parameter-overrides", "A=1", "--parameter-overrides", "B=2", "--region", "x", "-parameter-overrides", "C=3", "file_test.yaml", "--v"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("multiValued (-want +got):\n%s", d)
	}
}

// TestTemplateFlagsEverywhere: run, demo and replay take the template flags (they share
// pipeFlags) and refuse a template-only flag without a template.
func TestTemplateFlagsEverywhere(t *testing.T) {
	var f simFlags
	opts, err := parseSimFlags(&f, []string{"--template", seedTemplate, "--stack", "s", "--parameter-overrides", "A=1", "B=2", "--import", "X=y",
		"--secret", "n=v", "--account", "123456789012", "--momento-parameters", "MomentoApiEndpoint"})
	if err != nil {
		t.Fatal(err)
	}
	tmpl := opts.Template
	if tmpl == nil || tmpl.Path != seedTemplate || tmpl.Options.Stack != "s" || tmpl.Options.Parameters["B"] != "2" ||
		tmpl.Options.Imports["X"] != "y" || tmpl.Options.Secrets["n"] != "v" || tmpl.Options.Account != "123456789012" ||
		tmpl.Options.Bind["MomentoApiEndpoint"] != "MOMENTO_API_ENDPOINT" {
		t.Errorf("template options = %+v", tmpl)
	}
	var g simFlags
	if _, err := parseSimFlags(&g, []string{"--stack", "s"}); err == nil || !strings.Contains(err.Error(), "--stack needs --template") {
		t.Errorf("--stack without --template = %v", err)
	}
	var h simFlags
	opts, err = parseSimFlags(&h, []string{"--pipes", seedTemplate})
	if err != nil || opts.Template == nil {
		t.Errorf("--pipes with a template = %+v, %v; want it read as a template", opts.Template, err)
	}
}

// parseSimFlags parses args as run's flags and returns the simulation's options.
func parseSimFlags(f *simFlags, args []string) (sim.Options, error) {
	fs := pflag.NewFlagSet("run", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	f.register(fs)
	if err := fs.Parse(multiValued(args)); err != nil {
		return sim.Options{}, err
	}
	return f.settings(io.Discard)
}

// TestConvertDotEnv: a parameter not given on the command line comes from the environment, then
// from .env beside the template.
func TestConvertDotEnv(t *testing.T) {
	dir := t.TempDir()
	data, err := os.ReadFile(seedTemplate)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "stack.template.json")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ".env"), []byte("MomentoApiEndpoint=https://from-dotenv.example.com\nMomentoApiKey=k\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("MomentoApiKey", "from-env")
	r, stderr, err := runConvert(t, "--template", path)
	if err != nil {
		t.Fatalf("convert = %v\n%s", err, stderr)
	}
	if !strings.Contains(r, "InvocationEndpoint: https://from-dotenv.example.com/cache/*") {
		t.Errorf("convert did not take MomentoApiEndpoint from .env:\n%s", r)
	}
}
