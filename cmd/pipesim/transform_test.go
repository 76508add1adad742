package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const transformRecord = `{"eventID":"1","eventName":"REMOVE","dynamodb":{"Keys":{"Location":{"S":"San Diego"}}},"eventSourceARN":"arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/s"}`

func runTransform(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd := &transformCmd{streams: newStreams(strings.NewReader(""), &out, &errOut)}
	err := cmd.Run(context.Background(), args)
	return out.String(), errOut.String(), err
}

func TestTransform(t *testing.T) {
	dir := t.TempDir()
	tplFile := filepath.Join(dir, "t.json")
	evFile := filepath.Join(dir, "e.json")
	if err := os.WriteFile(tplFile, []byte("{\n  \"Location\": <$.dynamodb.Keys.Location.S>, \n  \"Max\": <$.dynamodb.NewImage.MaxTemp.N>\n}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(evFile, []byte("[ "+transformRecord+" ]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"files, byte for byte", []string{"--input-template", "file://" + tplFile, "--event", "file://" + evFile},
			"{\n  \"Location\": \"San Diego\", \n  \"Max\": \"\"\n}"},
		{"missing null", []string{"--input-template", "file://" + tplFile, "--event", transformRecord, "--missing", "null"},
			"{\n  \"Location\": \"San Diego\", \n  \"Max\": null\n}"},
		{"reserved variables", []string{"--input-template", `<aws.pipes.pipe-arn> <aws.pipes.source-arn> <aws.pipes.event.ingestion-time>`,
			"--event", transformRecord, "--pipe-name", "p1", "--region", "eu-west-1", "--account", "123456789012", "--ingestion-time", "2026-11-25T20:00:00Z"},
			"arn:aws:pipes:eu-west-1:123456789012:pipe/p1 arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/s 2026-11-25T20:00:00.000Z"},
		{"default pipe name", []string{"--input-template", `{"n": <aws.pipes.pipe-name>}`, "--event", transformRecord}, `{"n": "pipe"}`},
		{"strip object quotes", []string{"--input-template", `{"k": "<$.dynamodb.Keys>"}`, "--event", transformRecord, "--strip-object-quotes"},
			`{"k": "{Location:{S:San Diego}}"}`},
	}
	for _, tt := range tests {
		got, _, err := runTransform(t, tt.args...)
		if err != nil || got != tt.want {
			t.Errorf("transform %s = %q, %v; want %q", tt.name, got, err, tt.want)
		}
	}
}

func TestTransformErrors(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		code     int    // exitError code, or 0 for a plain error
		contains string // in the error
	}{
		{"no flags", nil, 2, "both required"},
		{"extra argument", []string{"--input-template", "x", "--event", "{}", "more"}, 2, `unexpected argument "more"`},
		{"unknown flag", []string{"--nope"}, 2, ""},
		{"help", []string{"-h"}, 0, ""},
		{"bad template", []string{"--input-template", "{\"a\": <$.a b>}", "--event", "{}"}, -1, "--input-template: line 1, column 11:"},
		{"bad event", []string{"--input-template", "x", "--event", "{"}, -1, "--event is not JSON"},
		{"batch", []string{"--input-template", "x", "--event", "[{},{}]"}, -1, "holds 2 records"},
		{"bad missing", []string{"--input-template", "x", "--event", "{}", "--missing", "drop"}, -1, "--missing"},
		{"bad time", []string{"--input-template", "x", "--event", "{}", "--ingestion-time", "noon"}, -1, "--ingestion-time"},
		{"no file", []string{"--input-template", "file:///nonexistent/t", "--event", "{}"}, -1, "--input-template"},
		{"missing fail", []string{"--input-template", "<$.a>", "--event", "{}", "--missing", "fail"}, -1, "path not found"},
	}
	for _, tt := range tests {
		out, _, err := runTransform(t, tt.args...)
		var ee *exitError
		switch {
		case tt.name == "help": // help asked for goes to stdout
			if err != nil || !strings.Contains(out, "Usage:\n  transform --input-template T --event E") || !strings.Contains(out, "--missing string") {
				t.Errorf("transform -h = %v, %q; want its help on stdout", err, out)
			}
		case out != "":
			t.Errorf("transform %s wrote %q; want nothing", tt.name, out)
		case tt.code >= 0 && (!errors.As(err, &ee) || ee.code != tt.code):
			t.Errorf("transform %s = %v; want exit code %d", tt.name, err, tt.code)
		case tt.code < 0 && (err == nil || errors.As(err, &ee)):
			t.Errorf("transform %s = %v; want a plain error", tt.name, err)
		case tt.contains != "" && !strings.Contains(err.Error(), tt.contains):
			t.Errorf("transform %s = %v; want it to mention %q", tt.name, err, tt.contains)
		}
	}
}
