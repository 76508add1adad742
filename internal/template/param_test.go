package template

import (
	"errors"
	"strings"
	"testing"

	"github.com/pipesim/pipesim/internal/rawjson"
)

const paramRecord = `{"eventName":"INSERT","dynamodb":{"Keys":{"Location":{"S":"San Diego"}},"NewImage":{"TTL":{"N":"120"},"Tags":{"L":[{"S":"a"},{"S":"b"}]},"Note":{"S":"x\"y\u00e9"}},"SizeBytes":96,"Flag":true,"Obj":{"k" : [1, 2]}}}`

func TestParamResolve(t *testing.T) {
	tests := []struct {
		value     string
		isPath    bool
		want      string
		wantFound bool
	}{
		{"momento-eventbridge-cache", false, "momento-eventbridge-cache", true},
		{"", false, "", true},
		{"$", true, `{"eventName":"INSERT","dynamodb":{"Keys":{"Location":{"S":"San Diego"}},"NewImage":{"TTL":{"N":"120"},"Tags":{"L":[{"S":"a"},{"S":"b"}]},"Note":{"S":"x\"yé"}},"SizeBytes":96,"Flag":true,"Obj":{"k":[1,2]}}}`, true},
		{"$.dynamodb.Keys.Location.S", true, "San Diego", true},
		{"$.dynamodb.NewImage.TTL.N", true, "120", true},
		{"$.dynamodb.NewImage.Note.S", true, "x\"yé", true},
		{"$.dynamodb.SizeBytes", true, "96", true},
		{"$.dynamodb.Flag", true, "true", true},
		{"$.dynamodb.Obj", true, `{"k":[1,2]}`, true},
		{"$.dynamodb.NewImage.Tags.L[*].S", true, `["a","b"]`, true},
		{"$.dynamodb.NewImage.Tags.L[1].S", true, "b", true},
		{"$.dynamodb.NewImage.MaxTemp.N", true, "", false},
		{"$5 off", false, "$5 off", true},
		{"price $", false, "price $", true},
		{"a$.", false, "a$.", true},
	}
	for _, tt := range tests {
		p, err := CompileParam(tt.value)
		if err != nil {
			t.Errorf("CompileParam(%q) = %v; want no error", tt.value, err)
			continue
		}
		got, found := p.Resolve(rawjson.New([]byte(paramRecord)))
		if got != tt.want || found != tt.wantFound || p.IsPath() != tt.isPath || p.String() != tt.value {
			t.Errorf("CompileParam(%q).Resolve = %q, %v (IsPath %v); want %q, %v (IsPath %v)", tt.value, got, found, p.IsPath(), tt.want, tt.wantFound, tt.isPath)
		}
	}
}

func TestParamBadRecord(t *testing.T) {
	p, err := CompileParam("$.a.b")
	if err != nil {
		t.Fatal(err)
	}
	if got, found := p.Resolve(rawjson.New([]byte(`{"x": [`))); found || got != "" {
		t.Errorf("Resolve(bad record) = %q, %v; want \"\", false", got, found)
	}
}

func TestCompileParamErrors(t *testing.T) {
	tests := []struct {
		value  string
		offset int
		reason string
	}{
		{"key-$.dynamodb.Keys.Location.S", 4, `"$.dynamodb.Keys.Location.S" follows other text`},
		{"secret-token $.x", 13, `"$.x" follows other text`},
		{"$.a b", 3, "unexpected ' '"},
		{"$.", 2, "empty name after ."},
		{"$[0]", 1, "want . before a name"},
		{"$.a[", 3, "unterminated ["},
		{"$.a[-1]", 4, "[-1] is neither an index nor *"},
	}
	for _, tt := range tests {
		_, err := CompileParam(tt.value)
		var e *Error
		if !errors.As(err, &e) || e.Offset != tt.offset || !strings.Contains(e.Reason, tt.reason) {
			t.Errorf("CompileParam(%q) = %v; want offset %d and %q", tt.value, err, tt.offset, tt.reason)
			continue
		}
		if strings.Contains(err.Error(), "secret-token") {
			t.Errorf("CompileParam(%q) = %v; the error must not quote the literal part", tt.value, err)
		}
	}
}
