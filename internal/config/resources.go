package config

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/pipesim/pipesim/internal/httpdest"
	"github.com/pipesim/pipesim/internal/names"
)

var (
	tableName    = regexp.MustCompile(`^[a-zA-Z0-9_.-]{3,255}$`)
	resourceName = regexp.MustCompile(`^[\.\-_A-Za-z0-9]{1,64}$`)
	queueName    = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,80}$`)
)

var viewTypes = map[string]bool{"NEW_IMAGE": true, "OLD_IMAGE": true, "NEW_AND_OLD_IMAGES": true, "KEYS_ONLY": true}

func (b *builder) buildTables(specs []tableSpec) {
	for _, s := range specs {
		if t, ok := b.buildTable(s); ok {
			b.cfg.Tables = append(b.cfg.Tables, t)
		}
	}
}

func (b *builder) buildTable(s tableSpec) (Table, bool) {
	where := s.TableName
	n := len(b.errs)
	if !tableName.MatchString(s.TableName) {
		b.failAt(KindTable, where, "TableName", "want 3-255 characters of a-z, A-Z, 0-9, '_', '-', '.'")
	}
	t := Table{Name: s.TableName, Attributes: map[string]string{}}
	for _, a := range s.AttributeDefinitions {
		if a.AttributeType != "S" && a.AttributeType != "N" && a.AttributeType != "B" {
			b.failAt(KindTable, where, "AttributeDefinitions", "%q has AttributeType %q, want S, N or B", a.AttributeName, a.AttributeType)
		}
		t.Attributes[a.AttributeName] = a.AttributeType
	}
	for _, k := range s.KeySchema {
		b.keyElement(where, &t, k)
	}
	if t.HashKey == "" {
		b.failAt(KindTable, where, "KeySchema", "no HASH key")
	}
	if s.StreamSpecification != nil && s.StreamSpecification.StreamEnabled {
		t.StreamViewType = s.StreamSpecification.StreamViewType
		if !viewTypes[t.StreamViewType] {
			b.failAt(KindTable, where, "StreamSpecification.StreamViewType", "%q: want NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES or KEYS_ONLY", t.StreamViewType)
		}
	}
	if s.TimeToLiveSpecification != nil && s.TimeToLiveSpecification.Enabled {
		t.TTLAttribute = s.TimeToLiveSpecification.AttributeName
	}
	return t, len(b.errs) == n
}

func (b *builder) keyElement(where string, t *Table, k keyElement) {
	if _, ok := t.Attributes[k.AttributeName]; !ok {
		b.failAt(KindTable, where, "KeySchema", "%q is not in AttributeDefinitions", k.AttributeName)
	}
	switch k.KeyType {
	case "HASH":
		t.HashKey = k.AttributeName
	case "RANGE":
		t.RangeKey = k.AttributeName
	default:
		b.failAt(KindTable, where, "KeySchema", "%q has KeyType %q, want HASH or RANGE", k.AttributeName, k.KeyType)
	}
}

func (b *builder) buildQueues(specs []queueSpec) {
	b.queues = map[string]*Queue{}
	for _, s := range specs {
		if !queueName.MatchString(s.QueueName) {
			b.failAt(KindQueue, s.QueueName, "QueueName", "want 1-80 characters of a-z, A-Z, 0-9, '_', '-' (FIFO queues cannot be a pipe's DLQ)")
			continue
		}
		q := Queue{Name: s.QueueName, ARN: fmt.Sprintf("arn:aws:sqs:%s:%s:%s", b.cfg.Region, b.cfg.AccountID, s.QueueName)}
		b.cfg.Queues = append(b.cfg.Queues, q)
	}
	// Pointers into cfg.Queues must be taken after it stops growing.
	for i := range b.cfg.Queues {
		b.queues[b.cfg.Queues[i].Name] = &b.cfg.Queues[i]
	}
}

// buildCaches checks the caches' names, which become URL path segments.
func (b *builder) buildCaches(caches []string) {
	for _, c := range caches {
		if err := names.Cache.Check(c); err != nil {
			b.fail("Caches: %v", err)
			continue
		}
		b.cfg.Caches = append(b.cfg.Caches, c)
	}
}

func (b *builder) buildConnections(specs []connectionSpec) {
	b.connections = map[string]*httpdest.Connection{}
	for _, s := range specs {
		if !resourceName.MatchString(s.Name) {
			b.failAt(KindConnection, s.Name, "Name", "want 1-64 characters of a-z, A-Z, 0-9, '.', '-', '_'")
			continue
		}
		c, err := newConnection(s)
		if err != nil {
			var fe *fieldError
			if errors.As(err, &fe) {
				b.failAt(KindConnection, s.Name, fe.field, "%v", fe.err)
			} else {
				b.failAt(KindConnection, s.Name, "", "%v", err)
			}
			continue
		}
		b.connections[s.Name] = c
		b.cfg.Connections = append(b.cfg.Connections, c)
	}
}

func newConnection(s connectionSpec) (*httpdest.Connection, error) {
	if s.AuthParameters == nil {
		return nil, &fieldError{"AuthParameters", errors.New("missing")}
	}
	var c *httpdest.Connection
	var err error
	switch s.AuthorizationType {
	case "API_KEY":
		p := s.AuthParameters.APIKeyAuthParameters
		if p == nil {
			return nil, &fieldError{"AuthParameters.ApiKeyAuthParameters", errors.New("missing for AuthorizationType API_KEY")}
		}
		c, err = httpdest.NewAPIKeyConnection(s.Name, p.APIKeyName, p.APIKeyValue)
	case "BASIC":
		p := s.AuthParameters.BasicAuthParameters
		if p == nil {
			return nil, &fieldError{"AuthParameters.BasicAuthParameters", errors.New("missing for AuthorizationType BASIC")}
		}
		c, err = httpdest.NewBasicConnection(s.Name, p.Username, p.Password)
	case "OAUTH_CLIENT_CREDENTIALS":
		return nil, &fieldError{"AuthorizationType", errors.New("OAUTH_CLIENT_CREDENTIALS: not supported by pipesim yet")}
	default:
		return nil, &fieldError{"AuthorizationType", fmt.Errorf("%q: want API_KEY, BASIC or OAUTH_CLIENT_CREDENTIALS", s.AuthorizationType)}
	}
	if err != nil {
		return nil, err
	}
	if ih := s.AuthParameters.InvocationHTTPParameters; ih != nil {
		c.Headers, c.Query, c.Body = keyValues(ih.HeaderParameters), keyValues(ih.QueryStringParameters), keyValues(ih.BodyParameters)
	}
	return c, nil
}

func keyValues(ps []connParam) []httpdest.KeyValue {
	out := make([]httpdest.KeyValue, len(ps))
	for i, p := range ps {
		out[i] = httpdest.KeyValue{Key: p.Key, Value: p.Value, Secret: p.IsValueSecret}
	}
	return out
}

func (b *builder) buildDestinations(specs []destinationSpec) {
	b.cfg.Destinations = map[string]*httpdest.Destination{}
	b.declared = map[string]bool{}
	for _, s := range specs {
		b.declared[s.Name] = true
		if !resourceName.MatchString(s.Name) {
			b.failAt(KindDestination, s.Name, "Name", "want 1-64 characters of a-z, A-Z, 0-9, '.', '-', '_'")
			continue
		}
		connName := lastNamePart(s.ConnectionArn, "connection/")
		conn, ok := b.connections[connName]
		if !ok {
			b.failAt(KindDestination, s.Name, "ConnectionArn", "unknown connection %q (declare it under Connections)", s.ConnectionArn)
			continue
		}
		arn := fmt.Sprintf("arn:aws:events:%s:%s:api-destination/%s", b.cfg.Region, b.cfg.AccountID, s.Name)
		d, err := httpdest.NewDestination(s.Name, arn, s.HTTPMethod, s.InvocationEndpoint, s.InvocationRateLimitPerSecond, conn)
		if err != nil {
			b.failAt(KindDestination, s.Name, destinationField(err), "%v", err)
			continue
		}
		b.cfg.Destinations[s.Name] = d
	}
}

// lastNamePart takes a resource name from a name or an ARN such as
// arn:aws:events:us-east-1:123456789012:connection/NAME/UUID.
func lastNamePart(nameOrARN, kind string) string {
	if !strings.HasPrefix(nameOrARN, "arn:") {
		return nameOrARN
	}
	_, rest, ok := strings.Cut(nameOrARN, ":"+kind)
	if !ok {
		return nameOrARN
	}
	name, _, _ := strings.Cut(rest, "/")
	return name
}

// fieldError is a problem with one field of an object.
type fieldError struct {
	field string
	err   error
}

func (e *fieldError) Error() string { return e.field + ": " + e.err.Error() }

// destinationField is the field an error of httpdest.NewDestination is about; "" when it is not
// one field (the message names it).
func destinationField(err error) string {
	switch {
	case errors.Is(err, httpdest.ErrBadMethod):
		return "HttpMethod"
	case errors.Is(err, httpdest.ErrBadEndpoint):
		return "InvocationEndpoint"
	}
	return ""
}
