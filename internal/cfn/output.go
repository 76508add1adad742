package cfn

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/awslabs/goformation/v7/cloudformation/dynamodb"
	"github.com/awslabs/goformation/v7/cloudformation/events"
	"github.com/awslabs/goformation/v7/cloudformation/logs"
	"github.com/awslabs/goformation/v7/cloudformation/pipes"
	"github.com/awslabs/goformation/v7/cloudformation/secretsmanager"
	"github.com/awslabs/goformation/v7/cloudformation/sqs"

	"github.com/pipesim/pipesim/internal/config"
)

// The pipes file a template becomes: pipesim's own format (internal/config), in the subset a
// template fills. Sub-objects whose shape is the same in CloudFormation and in the AWS API (and
// so in pipesim's file) are goformation's own types.
type outFile struct {
	Region          string           `json:"Region"`
	AccountID       string           `json:"AccountId"`
	Tables          []outTable       `json:"Tables,omitempty"`
	Queues          []outQueue       `json:"Queues,omitempty"`
	Caches          []string         `json:"Caches,omitempty"`
	Connections     []outConnection  `json:"Connections,omitempty"`
	APIDestinations []outDestination `json:"ApiDestinations,omitempty"`
	Pipes           []outPipe        `json:"Pipes"`
}

type outTable struct {
	TableName               string         `json:"TableName"`
	AttributeDefinitions    []outAttribute `json:"AttributeDefinitions"`
	KeySchema               []outKey       `json:"KeySchema"`
	StreamSpecification     *outStream     `json:"StreamSpecification,omitempty"`
	TimeToLiveSpecification *outTTL        `json:"TimeToLiveSpecification,omitempty"`
}

type outAttribute struct {
	AttributeName string `json:"AttributeName"`
	AttributeType string `json:"AttributeType"`
}

type outKey struct {
	AttributeName string `json:"AttributeName"`
	KeyType       string `json:"KeyType"`
}

type outStream struct {
	StreamEnabled  bool   `json:"StreamEnabled"`
	StreamViewType string `json:"StreamViewType"`
}

type outTTL struct {
	AttributeName string `json:"AttributeName"`
	Enabled       bool   `json:"Enabled"`
}

type outQueue struct {
	QueueName  string            `json:"QueueName"`
	Attributes map[string]string `json:"Attributes,omitempty"`
}

type outConnection struct {
	Name              string   `json:"Name"`
	Description       string   `json:"Description,omitempty"`
	AuthorizationType string   `json:"AuthorizationType"`
	AuthParameters    *outAuth `json:"AuthParameters,omitempty"`
}

type outAuth struct {
	APIKeyAuthParameters     *events.Connection_ApiKeyAuthParameters     `json:"ApiKeyAuthParameters,omitempty"`
	BasicAuthParameters      *events.Connection_BasicAuthParameters      `json:"BasicAuthParameters,omitempty"`
	OAuthParameters          *events.Connection_OAuthParameters          `json:"OAuthParameters,omitempty"`
	InvocationHTTPParameters *events.Connection_ConnectionHttpParameters `json:"InvocationHttpParameters,omitempty"`
}

type outDestination struct {
	Name                         string `json:"Name"`
	Description                  string `json:"Description,omitempty"`
	ConnectionArn                string `json:"ConnectionArn"`
	InvocationEndpoint           string `json:"InvocationEndpoint"`
	HTTPMethod                   string `json:"HttpMethod"`
	InvocationRateLimitPerSecond *int   `json:"InvocationRateLimitPerSecond,omitempty"`
}

type outPipe struct {
	Name                 string                               `json:"Name"`
	Description          string                               `json:"Description,omitempty"`
	DesiredState         string                               `json:"DesiredState,omitempty"`
	Source               string                               `json:"Source"`
	SourceParameters     outSourceParameters                  `json:"SourceParameters"`
	Enrichment           string                               `json:"Enrichment,omitempty"`
	EnrichmentParameters *pipes.Pipe_PipeEnrichmentParameters `json:"EnrichmentParameters,omitempty"`
	Target               string                               `json:"Target"`
	TargetParameters     outTargetParameters                  `json:"TargetParameters"`
	LogConfiguration     *pipes.Pipe_PipeLogConfiguration     `json:"LogConfiguration,omitempty"`
}

type outSourceParameters struct {
	FilterCriteria           *pipes.Pipe_FilterCriteria                     `json:"FilterCriteria,omitempty"`
	DynamoDBStreamParameters *pipes.Pipe_PipeSourceDynamoDBStreamParameters `json:"DynamoDBStreamParameters,omitempty"`
}

type outTargetParameters struct {
	InputTemplate  *string                              `json:"InputTemplate,omitempty"`
	HTTPParameters *pipes.Pipe_PipeTargetHttpParameters `json:"HttpParameters,omitempty"`
}

// newerProperties are properties CloudFormation added after goformation's specification; they
// are checked here instead of against the schema. Those mapped to true are accepted and have no
// local meaning; the others are errors.
var newerProperties = map[string]map[string]bool{
	typePipe:       {"KmsKeyIdentifier": true},
	typeConnection: {"KmsKeyIdentifier": true, "InvocationConnectivityParameters": false},
}

// supported lists, per type, the properties of objects pipesim runs; a property set outside
// them (SourceParameters.SqsQueueParameters, a Lambda target's parameters) is an error, since
// pipesim would otherwise run a different design than the one deployed.
var supported = map[string]map[string][]string{
	typePipe: {
		"SourceParameters": {"FilterCriteria", "DynamoDBStreamParameters"},
		"TargetParameters": {"InputTemplate", "HttpParameters"},
	},
	typeConnection: {
		"AuthParameters": {"ApiKeyAuthParameters", "BasicAuthParameters", "OAuthParameters", "InvocationHttpParameters"},
	},
}

// properties evaluates a resource's properties, resolves its dynamic references, and decodes
// them into out (a goformation struct), checking them against the type's schema.
func (s *stack) properties(r *resource, out any) error {
	v, err := s.eval(orEmpty(r.props), "Properties")
	if err != nil {
		return err
	}
	props := v.(map[string]any)
	if _, err = s.resolveDynamic(props, "Properties"); err != nil { // a map: resolved in place
		return err
	}
	for name, ignored := range newerProperties[r.typ] {
		if _, set := props[name]; set {
			if !ignored {
				return errAt("Properties."+name, "not supported by pipesim")
			}
			delete(props, name)
		}
	}
	for prop, allowed := range supported[r.typ] {
		sub, _ := props[prop].(map[string]any)
		for _, k := range sortedKeys(sub) {
			if !slices.Contains(allowed, k) {
				return errAt("Properties."+prop+"."+k, "not supported by pipesim (%s)", strings.Join(allowed, " and ")+" are")
			}
		}
	}
	return typed(props, r.typ, out)
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// build turns the resources pipesim runs into its pipes file; errors name the logical ID and
// the property path.
func (s *stack) build() (*outFile, error) {
	f := &outFile{Region: s.region, AccountID: s.account}
	var errs []error
	fail := func(r *resource, err error) { errs = append(errs, fmt.Errorf("%s: %w", r.id, err)) }
	var queues []*resource
	for _, id := range s.t.ResourceOrder {
		r := s.res[id]
		if r == nil {
			continue
		}
		if ok, err := s.created(r, "Condition"); err != nil {
			fail(r, err)
			continue
		} else if !ok {
			continue
		}
		if r.typ == typeQueue {
			queues = append(queues, r)
			continue
		}
		if err := s.buildResource(f, r); err != nil {
			fail(r, err)
		}
	}
	for _, r := range queues { // after the pipes, which say which queues are dead-letter queues
		if err := s.buildQueue(f, r); err != nil {
			fail(r, err)
		}
	}
	f.Caches = momentoCaches(f)
	return f, joinErrs(errs)
}

func (s *stack) buildResource(f *outFile, r *resource) error {
	if _, runs := nameProperty[r.typ]; !runs {
		if r.typ != "AWS::CDK::Metadata" {
			s.skipped = append(s.skipped, r.id+" ("+r.typ+")")
		}
		return nil
	}
	name, err := s.physicalName(r)
	if err != nil {
		return err
	}
	s.origins[originKey(r.typ, name)] = r.id
	switch r.typ {
	case typePipe:
		return s.buildPipe(f, r, name)
	case typeConnection:
		return s.buildConnection(f, r, name)
	case typeDestination:
		return s.buildDestination(f, r, name)
	case typeTable:
		return s.buildTable(f, r, name)
	case typeGlobalTable:
		return s.buildGlobalTable(f, r, name)
	case typeLogGroup:
		var lg logs.LogGroup
		return s.properties(r, &lg) // checked; pipes name the group through its ARN
	case typeSecret:
		var sec secretsmanager.Secret
		if err := s.properties(withoutSecret(r), &sec); err != nil {
			return err
		}
	}
	return nil
}

// withoutSecret is r without its SecretString, which is evaluated only when a dynamic
// reference reads it (and never lands in the pipes file).
func withoutSecret(r *resource) *resource {
	c := *r
	c.props = map[string]any{}
	for k, v := range r.props {
		if k != "SecretString" && k != "GenerateSecretString" {
			c.props[k] = v
		}
	}
	return &c
}

func (s *stack) buildPipe(f *outFile, r *resource, name string) error {
	var p pipes.Pipe
	if err := s.properties(r, &p); err != nil {
		return err
	}
	out := outPipe{Name: name, Description: deref(p.Description), DesiredState: deref(p.DesiredState),
		Source: p.Source, Enrichment: deref(p.Enrichment), EnrichmentParameters: p.EnrichmentParameters,
		Target: p.Target, LogConfiguration: p.LogConfiguration}
	if table, ok := s.streamTables[p.Source]; ok {
		out.Source = table // the table's live stream in DynamoDB Local, whatever its label
	}
	if sp := p.SourceParameters; sp != nil {
		out.SourceParameters = outSourceParameters{FilterCriteria: sp.FilterCriteria, DynamoDBStreamParameters: sp.DynamoDBStreamParameters}
		if d := sp.DynamoDBStreamParameters; d != nil && d.DeadLetterConfig != nil && d.DeadLetterConfig.Arn != nil {
			s.deadLetterARNs[*d.DeadLetterConfig.Arn] = true
		}
	}
	if tp := p.TargetParameters; tp != nil {
		out.TargetParameters = outTargetParameters{InputTemplate: tp.InputTemplate, HTTPParameters: tp.HttpParameters}
	}
	f.Pipes = append(f.Pipes, out)
	return nil
}

func (s *stack) buildConnection(f *outFile, r *resource, name string) error {
	var c events.Connection
	if err := s.properties(r, &c); err != nil {
		return err
	}
	out := outConnection{Name: name, Description: deref(c.Description), AuthorizationType: deref(c.AuthorizationType)}
	if a := c.AuthParameters; a != nil {
		s.markSecretParameters(a.InvocationHttpParameters)
		out.AuthParameters = &outAuth{APIKeyAuthParameters: a.ApiKeyAuthParameters, BasicAuthParameters: a.BasicAuthParameters,
			OAuthParameters: a.OAuthParameters, InvocationHTTPParameters: a.InvocationHttpParameters}
	}
	f.Connections = append(f.Connections, out)
	return nil
}

// markSecretParameters makes a connection parameter whose value holds a secret IsValueSecret,
// so that pipesim redacts it wherever it shows requests, as it redacts the API key.
func (s *stack) markSecretParameters(p *events.Connection_ConnectionHttpParameters) {
	if p == nil {
		return
	}
	yes := true
	for _, list := range [][]events.Connection_Parameter{p.HeaderParameters, p.QueryStringParameters, p.BodyParameters} {
		for i := range list {
			if containsSecret(list[i].Value, s.secretVars) {
				list[i].IsValueSecret = &yes
			}
		}
	}
}

func (s *stack) buildDestination(f *outFile, r *resource, name string) error {
	var d events.ApiDestination
	if err := s.properties(r, &d); err != nil {
		return err
	}
	f.APIDestinations = append(f.APIDestinations, outDestination{Name: name, Description: deref(d.Description),
		ConnectionArn: d.ConnectionArn, InvocationEndpoint: d.InvocationEndpoint, HTTPMethod: d.HttpMethod,
		InvocationRateLimitPerSecond: d.InvocationRateLimitPerSecond})
	return nil
}

func (s *stack) buildTable(f *outFile, r *resource, name string) error {
	var t dynamodb.Table
	if err := s.properties(r, &t); err != nil {
		return err
	}
	out := outTable{TableName: name}
	for _, k := range t.KeySchema {
		out.KeySchema = append(out.KeySchema, outKey{AttributeName: k.AttributeName, KeyType: k.KeyType})
	}
	for _, a := range t.AttributeDefinitions {
		out.AttributeDefinitions = append(out.AttributeDefinitions, outAttribute{AttributeName: a.AttributeName, AttributeType: a.AttributeType})
	}
	if ss := t.StreamSpecification; ss != nil {
		out.StreamSpecification = &outStream{StreamEnabled: true, StreamViewType: ss.StreamViewType}
	}
	if ttl := t.TimeToLiveSpecification; ttl != nil {
		out.TimeToLiveSpecification = &outTTL{AttributeName: deref(ttl.AttributeName), Enabled: ttl.Enabled}
	}
	f.Tables = append(f.Tables, keyAttributesOnly(out))
	return nil
}

func (s *stack) buildGlobalTable(f *outFile, r *resource, name string) error {
	var t dynamodb.GlobalTable
	if err := s.properties(r, &t); err != nil {
		return err
	}
	out := outTable{TableName: name}
	for _, k := range t.KeySchema {
		out.KeySchema = append(out.KeySchema, outKey{AttributeName: k.AttributeName, KeyType: k.KeyType})
	}
	for _, a := range t.AttributeDefinitions {
		out.AttributeDefinitions = append(out.AttributeDefinitions, outAttribute{AttributeName: a.AttributeName, AttributeType: a.AttributeType})
	}
	if ss := t.StreamSpecification; ss != nil {
		out.StreamSpecification = &outStream{StreamEnabled: true, StreamViewType: ss.StreamViewType}
	}
	if ttl := t.TimeToLiveSpecification; ttl != nil {
		out.TimeToLiveSpecification = &outTTL{AttributeName: deref(ttl.AttributeName), Enabled: ttl.Enabled}
	}
	f.Tables = append(f.Tables, keyAttributesOnly(out))
	return nil
}

// keyAttributesOnly drops the attribute definitions no key uses: CloudFormation's include the
// secondary indexes' keys, and pipesim creates tables without their indexes (DynamoDB refuses
// a definition no key uses).
func keyAttributesOnly(t outTable) outTable {
	var keep []outAttribute
	for _, a := range t.AttributeDefinitions {
		if slices.ContainsFunc(t.KeySchema, func(k outKey) bool { return k.AttributeName == a.AttributeName }) {
			keep = append(keep, a)
		}
	}
	t.AttributeDefinitions = keep
	return t
}

func (s *stack) buildQueue(f *outFile, r *resource) error {
	name, err := s.physicalName(r)
	if err != nil {
		return err
	}
	var q sqs.Queue
	if err := s.properties(r, &q); err != nil {
		return err
	}
	arn, _ := s.attribute(r, name, "Arn")
	if q.FifoQueue != nil && *q.FifoQueue && !s.deadLetterARNs[arn.(string)] {
		s.skipped = append(s.skipped, r.id+" ("+r.typ+", FIFO)")
		return nil
	}
	s.origins[originKey(r.typ, name)] = r.id
	attrs := map[string]string{}
	for k, v := range map[string]*int{"MessageRetentionPeriod": q.MessageRetentionPeriod, "VisibilityTimeout": q.VisibilityTimeout,
		"DelaySeconds": q.DelaySeconds, "MaximumMessageSize": q.MaximumMessageSize, "ReceiveMessageWaitTimeSeconds": q.ReceiveMessageWaitTimeSeconds} {
		if v != nil {
			attrs[k] = strconv.Itoa(*v)
		}
	}
	f.Queues = append(f.Queues, outQueue{QueueName: name, Attributes: attrs})
	return nil
}

// momentoCaches lists the Momento caches the pipes write to, so that pipesim's embedded Momento
// server has them: a pipesim file lists them under Caches, but Momento caches are not
// CloudFormation resources. A cache is the first path parameter of a pipe whose destination is
// Momento's HTTP API (/cache/* or /topics/*/* at ${MOMENTO_API_ENDPOINT} or a momentohq.com
// host).
func momentoCaches(f *outFile) []string {
	momento := map[string]bool{}
	for _, d := range f.APIDestinations {
		if isMomentoEndpoint(d.InvocationEndpoint) {
			momento[d.Name] = true
		}
	}
	var caches []string
	for _, p := range f.Pipes {
		if !momento[lastPart(p.Target, "api-destination/")] || p.TargetParameters.HTTPParameters == nil {
			continue
		}
		pv := p.TargetParameters.HTTPParameters.PathParameterValues
		if len(pv) > 0 && !strings.HasPrefix(pv[0], "$") && !slices.Contains(caches, pv[0]) {
			caches = append(caches, pv[0])
		}
	}
	return caches
}

func isMomentoEndpoint(endpoint string) bool {
	rest, ok := strings.CutPrefix(endpoint, mark(momentoEndpointVar))
	if !ok {
		u, err := url.Parse(strings.ReplaceAll(endpoint, "*", "x"))
		if err != nil || !strings.HasSuffix(u.Hostname(), ".momentohq.com") {
			return false
		}
		rest = u.Path
	}
	return strings.HasPrefix(rest, "/cache/") || strings.HasPrefix(rest, "/topics/")
}

// lastPart is the name in a name or an ARN such as ...:api-destination/NAME/UUID.
func lastPart(nameOrARN, kind string) string {
	_, rest, ok := strings.Cut(nameOrARN, ":"+kind)
	if !ok {
		return nameOrARN
	}
	name, _, _ := strings.Cut(rest, "/")
	return name
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// originKey keys the origins of the objects the file holds, by the kind config names them with.
func originKey(typ, name string) string {
	return configKind(typ) + "\x00" + name
}

func configKind(typ string) string {
	switch typ {
	case typePipe:
		return config.KindPipe
	case typeTable, typeGlobalTable:
		return config.KindTable
	case typeQueue:
		return config.KindQueue
	case typeConnection:
		return config.KindConnection
	case typeDestination:
		return config.KindDestination
	}
	return typ
}
