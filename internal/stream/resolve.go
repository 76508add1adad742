package stream

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// StreamARN is a parsed DynamoDB stream ARN:
// arn:PARTITION:dynamodb:REGION:ACCOUNT:table/TABLE/stream/LABEL.
type StreamARN struct {
	Partition, Region, Account, Table, Label string
}

// String returns the ARN.
func (a StreamARN) String() string {
	return "arn:" + a.Partition + ":dynamodb:" + a.Region + ":" + a.Account + ":table/" + a.Table + "/stream/" + a.Label
}

// ParseStreamARN parses a DynamoDB stream ARN. Regions are not checked
// against a list, since DynamoDB Local's is "ddblocal". The error wraps
// ErrBadARN and says which part is wrong.
func ParseStreamARN(s string) (StreamARN, error) {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" {
		return StreamARN{}, fmt.Errorf("%w: %q: want arn:aws:dynamodb:REGION:ACCOUNT:table/TABLE/stream/LABEL", ErrBadARN, s)
	}
	a := StreamARN{Partition: parts[1], Region: parts[3], Account: parts[4]}
	switch {
	case !strings.HasPrefix(a.Partition, "aws"):
		return StreamARN{}, fmt.Errorf("%w: %q: partition %q", ErrBadARN, s, a.Partition)
	case parts[2] != "dynamodb":
		return StreamARN{}, fmt.Errorf("%w: %q: service %q, want dynamodb", ErrBadARN, s, parts[2])
	case !validRegion(a.Region):
		return StreamARN{}, fmt.Errorf("%w: %q: region %q", ErrBadARN, s, a.Region)
	case !validAccount(a.Account):
		return StreamARN{}, fmt.Errorf("%w: %q: account %q, want 12 digits", ErrBadARN, s, a.Account)
	}
	table, label, ok := strings.Cut(strings.TrimPrefix(parts[5], "table/"), "/stream/")
	switch {
	case !strings.HasPrefix(parts[5], "table/") || !ok:
		return StreamARN{}, fmt.Errorf("%w: %q: resource %q, want table/TABLE/stream/LABEL", ErrBadARN, s, parts[5])
	case validTableName(table) != nil:
		return StreamARN{}, fmt.Errorf("%w: %q: %w", ErrBadARN, s, validTableName(table))
	case label == "" || strings.ContainsAny(label, "/ "):
		return StreamARN{}, fmt.Errorf("%w: %q: stream label %q", ErrBadARN, s, label)
	}
	a.Table, a.Label = table, label
	return a, nil
}

func validRegion(r string) bool {
	if r == "" {
		return false
	}
	for _, c := range r {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func validAccount(a string) bool {
	if len(a) != 12 {
		return false
	}
	for _, c := range a {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// validTableName applies DynamoDB's rule: 3 to 255 of a-z A-Z 0-9 _ - .
func validTableName(name string) error {
	if len(name) < 3 || len(name) > 255 {
		return fmt.Errorf("%w %q: want 3 to 255 characters", ErrBadTableName, name)
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return fmt.Errorf("%w %q: character %q is not one of a-z, A-Z, 0-9, _, - and . (dot)", ErrBadTableName, name, c)
		}
	}
	return nil
}

// ResolveStreamARN returns the stream ARN of a source: a stream ARN is
// validated and returned as is (without a call); a table name is looked up
// with DescribeTable and its current stream (LatestStreamArn) returned,
// because DynamoDB Local gives a table a new stream ARN each time it is
// created. It blocks on DescribeTable, and returns errors wrapping
// ErrNoTable or ErrNoStream with the table name, or ErrBadARN /
// ErrBadTableName for a malformed source.
func ResolveStreamARN(ctx context.Context, api DescribeTableAPI, source string) (string, error) {
	if strings.HasPrefix(source, "arn:") {
		if _, err := ParseStreamARN(source); err != nil {
			return "", err
		}
		return source, nil
	}
	if err := validTableName(source); err != nil {
		return "", fmt.Errorf("source: %w (want a table name or a stream ARN)", err)
	}
	out, err := api.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(source)})
	var notFound *types.ResourceNotFoundException
	switch {
	case errors.As(err, &notFound):
		return "", fmt.Errorf("table %q: %w", source, ErrNoTable)
	case err != nil:
		return "", fmt.Errorf("describe table %q: %w", source, err)
	}
	t := out.Table
	spec := t.StreamSpecification
	if t.LatestStreamArn == nil || spec == nil || !aws.ToBool(spec.StreamEnabled) {
		return "", fmt.Errorf("table %q: %w (enable it: StreamSpecification StreamEnabled=true)", source, ErrNoStream)
	}
	return aws.ToString(t.LatestStreamArn), nil
}
