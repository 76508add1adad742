package stream

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/go-cmp/cmp"
)

func TestParseStreamARN(t *testing.T) {
	got, err := ParseStreamARN(testStreamARN)
	if err != nil {
		t.Fatalf("ParseStreamARN(%q) error: %v", testStreamARN, err)
	}
	want := StreamARN{Partition: "aws", Region: "ddblocal", Account: "000000000000", Table: "weather-stats-demo", Label: "2026-11-25T20:10:18.455"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ParseStreamARN(%q) (-want +got):\n%s", testStreamARN, diff)
	}
	if got.String() != testStreamARN {
		t.Errorf("ParseStreamARN(%q).String() = %s; want the input", testStreamARN, got.String())
	}
}

func TestParseStreamARNErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "want arn:aws:dynamodb"},
		{"weather-stats-demo", "want arn:aws:dynamodb"},
		{"arn:aws:dynamodb:us-east-1:123456789012:table/T1x", `resource "table/T1x"`},
		{"arn:aws:kinesis:us-east-1:123456789012:stream/s", `service "kinesis"`},
		{"arn:aws:dynamodb:US_EAST:123456789012:table/abc/stream/L", `region "US_EAST"`},
		{"arn:aws:dynamodb:us-east-1:1234:table/abc/stream/L", `account "1234"`},
		{"arn:gcp:dynamodb:us-east-1:123456789012:table/abc/stream/L", `partition "gcp"`},
		{"arn:aws:dynamodb:us-east-1:123456789012:table/a/stream/L", `invalid table name "a"`},
		{"arn:aws:dynamodb:us-east-1:123456789012:table/abc/stream/", `stream label ""`},
	}
	for _, tt := range tests {
		_, err := ParseStreamARN(tt.in)
		if !errors.Is(err, ErrBadARN) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseStreamARN(%q) error = %v; want ErrBadARN containing %q", tt.in, err, tt.want)
		}
	}
}

func FuzzParseStreamARN(f *testing.F) {
	f.Add(testStreamARN)
	f.Add("arn:aws-cn:dynamodb:cn-north-1:123456789012:table/my.table_1/stream/2024-07-30T17:20:48.118")
	f.Add("arn:aws:dynamodb:us-east-1:123456789012:table/T/stream/x/stream/y")
	f.Add("arn:aws:dynamodb:::table//stream/")
	f.Add("weather-stats-demo")
	f.Fuzz(func(t *testing.T, in string) {
		a, err := ParseStreamARN(in)
		if err != nil {
			if !errors.Is(err, ErrBadARN) {
				t.Errorf("ParseStreamARN(%q) error = %v; want it to wrap ErrBadARN", in, err)
			}
			return
		}
		if a.String() != in {
			t.Errorf("ParseStreamARN(%q).String() = %q; want the input back", in, a.String())
		}
		if validTableName(a.Table) != nil || a.Label == "" {
			t.Errorf("ParseStreamARN(%q) = %+v; accepted a bad table or label", in, a)
		}
	})
}

func TestResolveStreamARN(t *testing.T) {
	db, _ := testClients(t)
	streamTable := uniqueName(t, "with")
	want := createTable(t, db, streamTable, ddbtypes.StreamViewTypeNewAndOldImages)
	plainTable := uniqueName(t, "plain")
	createTable(t, db, plainTable, "")

	got, err := ResolveStreamARN(t.Context(), db, streamTable)
	if err != nil || got != want {
		t.Errorf("ResolveStreamARN(%q) = %s, %v; want %s", streamTable, got, err, want)
	}
	if got, err := ResolveStreamARN(t.Context(), db, want); err != nil || got != want {
		t.Errorf("ResolveStreamARN(stream ARN) = %s, %v; want it back unchanged", got, err)
	}
	_, err = ResolveStreamARN(t.Context(), db, plainTable)
	if !errors.Is(err, ErrNoStream) || !strings.Contains(err.Error(), plainTable) {
		t.Errorf("ResolveStreamARN(%q) error = %v; want ErrNoStream naming the table", plainTable, err)
	}
	missing := uniqueName(t, "missing")
	_, err = ResolveStreamARN(t.Context(), db, missing)
	if !errors.Is(err, ErrNoTable) || !strings.Contains(err.Error(), missing) {
		t.Errorf("ResolveStreamARN(%q) error = %v; want ErrNoTable naming the table", missing, err)
	}
	if _, err := ResolveStreamARN(t.Context(), db, "no spaces allowed"); !errors.Is(err, ErrBadTableName) {
		t.Errorf("ResolveStreamARN(%q) error = %v; want ErrBadTableName", "no spaces allowed", err)
	}
}

func TestResolveStreamARNDisabledStream(t *testing.T) {
	db, _ := testClients(t)
	name := uniqueName(t, "off")
	createTable(t, db, name, ddbtypes.StreamViewTypeNewImage)
	_, err := db.UpdateTable(t.Context(), &dynamodb.UpdateTableInput{
		TableName:           aws.String(name),
		StreamSpecification: &ddbtypes.StreamSpecification{StreamEnabled: aws.Bool(false)},
	})
	if err != nil {
		t.Fatalf("UpdateTable(%s) disable stream: %v", name, err)
	}
	if _, err := ResolveStreamARN(t.Context(), db, name); !errors.Is(err, ErrNoStream) {
		t.Errorf("ResolveStreamARN(%q) with stream disabled error = %v; want ErrNoStream", name, err)
	}
}
