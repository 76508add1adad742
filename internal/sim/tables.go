package sim

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/pipesim/pipesim/internal/config"
	"github.com/pipesim/pipesim/internal/stream"
)

// createTables creates each declared table that DynamoDB Local does not have yet and waits until
// it is active. An existing table is left as it is; existing names those.
func (s *Sim) createTables(ctx context.Context) (existing []string, err error) {
	for _, t := range s.Config.Tables {
		created, err := createTable(ctx, s.DynamoDB, t)
		if err != nil {
			return existing, err
		}
		if !created {
			existing = append(existing, t.Name)
		}
	}
	return existing, nil
}

// CreateTable creates t unless a table of that name exists, then waits for it to be active.
func CreateTable(ctx context.Context, db *dynamodb.Client, t config.Table) error {
	_, err := createTable(ctx, db, t)
	return err
}

// createTable is CreateTable; created is false when the table existed.
func createTable(ctx context.Context, db *dynamodb.Client, t config.Table) (created bool, err error) {
	_, err = db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(t.Name)})
	var notFound *types.ResourceNotFoundException
	switch {
	case err == nil:
		return false, nil
	case !errors.As(err, &notFound):
		return false, fmt.Errorf("table %q: describe: %w", t.Name, err)
	}
	return true, create(ctx, db, t)
}

// create creates t and waits until it is active.
func create(ctx context.Context, db *dynamodb.Client, t config.Table) error {
	if _, err := db.CreateTable(ctx, createTableInput(t)); err != nil {
		return fmt.Errorf("table %q: create: %w", t.Name, err)
	}
	w := dynamodb.NewTableExistsWaiter(db, func(o *dynamodb.TableExistsWaiterOptions) { o.MinDelay = 50 * time.Millisecond })
	if err := w.Wait(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(t.Name)}, time.Minute); err != nil {
		return fmt.Errorf("table %q: wait until active: %w", t.Name, err)
	}
	if t.TTLAttribute != "" {
		_, err := db.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{TableName: aws.String(t.Name),
			TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String(t.TTLAttribute), Enabled: aws.Bool(true)}})
		if err != nil {
			return fmt.Errorf("table %q: enable TTL: %w", t.Name, err)
		}
	}
	return nil
}

func createTableInput(t config.Table) *dynamodb.CreateTableInput {
	in := &dynamodb.CreateTableInput{TableName: aws.String(t.Name), BillingMode: types.BillingModePayPerRequest}
	names := make([]string, 0, len(t.Attributes))
	for n := range t.Attributes {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		in.AttributeDefinitions = append(in.AttributeDefinitions, types.AttributeDefinition{
			AttributeName: aws.String(n), AttributeType: types.ScalarAttributeType(t.Attributes[n])})
	}
	in.KeySchema = []types.KeySchemaElement{{AttributeName: aws.String(t.HashKey), KeyType: types.KeyTypeHash}}
	if t.RangeKey != "" {
		in.KeySchema = append(in.KeySchema, types.KeySchemaElement{AttributeName: aws.String(t.RangeKey), KeyType: types.KeyTypeRange})
	}
	if t.StreamViewType != "" {
		in.StreamSpecification = &types.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: types.StreamViewType(t.StreamViewType)}
	}
	return in
}

// PageTables are the tables a person may write to: the design's, then each table a pipe reads
// that the design does not declare (an existing table, described from DynamoDB Local). A table
// that cannot be described is left out.
func (s *Sim) PageTables(ctx context.Context) []config.Table {
	tables := append([]config.Table(nil), s.Config.Tables...)
	for _, p := range s.Config.Pipes {
		name := p.Source
		if arn, err := stream.ParseStreamARN(name); err == nil {
			name = arn.Table
		}
		if slices.ContainsFunc(tables, func(t config.Table) bool { return t.Name == name }) {
			continue
		}
		if t, err := DescribeTable(ctx, s.DynamoDB, name); err == nil {
			tables = append(tables, t)
		}
	}
	return tables
}

// DescribeTable reads an existing table's key schema, attribute types, stream view type and TTL
// attribute as a config.Table.
func DescribeTable(ctx context.Context, db *dynamodb.Client, name string) (config.Table, error) {
	out, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
	if err != nil {
		return config.Table{}, fmt.Errorf("table %q: describe: %w", name, err)
	}
	d := out.Table
	t := config.Table{Name: name, Attributes: map[string]string{}}
	for _, a := range d.AttributeDefinitions {
		t.Attributes[aws.ToString(a.AttributeName)] = string(a.AttributeType)
	}
	for _, k := range d.KeySchema {
		if k.KeyType == types.KeyTypeHash {
			t.HashKey = aws.ToString(k.AttributeName)
		} else {
			t.RangeKey = aws.ToString(k.AttributeName)
		}
	}
	if spec := d.StreamSpecification; spec != nil && aws.ToBool(spec.StreamEnabled) {
		t.StreamViewType = string(spec.StreamViewType)
	}
	if ttl, err := db.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String(name)}); err == nil &&
		ttl.TimeToLiveDescription != nil && ttl.TimeToLiveDescription.TimeToLiveStatus == types.TimeToLiveStatusEnabled {
		t.TTLAttribute = aws.ToString(ttl.TimeToLiveDescription.AttributeName)
	}
	return t, nil
}
