package config

// The pipes file's objects. Field names and shapes are the AWS API's own (CreatePipe,
// CreateApiDestination, CreateConnection, CreateTable, CreateQueue), so the output of
// `aws pipes describe-pipe` fits in with little editing; fields AWS prints but that mean nothing
// locally (Arn, RoleArn, CurrentState, ...) are accepted and ignored.

type file struct {
	Region          string            `yaml:"Region"`
	AccountID       string            `yaml:"AccountId"`
	Tables          []tableSpec       `yaml:"Tables"`
	Queues          []queueSpec       `yaml:"Queues"`
	Caches          []string          `yaml:"Caches"`
	Connections     []connectionSpec  `yaml:"Connections"`
	APIDestinations []destinationSpec `yaml:"ApiDestinations"`
	Pipes           []pipeSpec        `yaml:"Pipes"`
}

type tableSpec struct {
	TableName               string         `yaml:"TableName"`
	AttributeDefinitions    []attributeDef `yaml:"AttributeDefinitions"`
	KeySchema               []keyElement   `yaml:"KeySchema"`
	BillingMode             string         `yaml:"BillingMode"`
	ProvisionedThroughput   map[string]int `yaml:"ProvisionedThroughput"`
	StreamSpecification     *streamSpec    `yaml:"StreamSpecification"`
	TimeToLiveSpecification *ttlSpec       `yaml:"TimeToLiveSpecification"`
}

type attributeDef struct {
	AttributeName string `yaml:"AttributeName"`
	AttributeType string `yaml:"AttributeType"`
}

type keyElement struct {
	AttributeName string `yaml:"AttributeName"`
	KeyType       string `yaml:"KeyType"`
}

type streamSpec struct {
	StreamEnabled  bool   `yaml:"StreamEnabled"`
	StreamViewType string `yaml:"StreamViewType"`
}

type ttlSpec struct {
	AttributeName string `yaml:"AttributeName"`
	Enabled       bool   `yaml:"Enabled"`
}

type queueSpec struct {
	QueueName  string            `yaml:"QueueName"`
	Attributes map[string]string `yaml:"Attributes"`
	Tags       map[string]string `yaml:"tags"`
}

type connectionSpec struct {
	Name              string          `yaml:"Name"`
	ConnectionArn     string          `yaml:"ConnectionArn"`
	Description       string          `yaml:"Description"`
	AuthorizationType string          `yaml:"AuthorizationType"`
	AuthParameters    *authParameters `yaml:"AuthParameters"`
	ConnectionState   string          `yaml:"ConnectionState"`
	CreationTime      string          `yaml:"CreationTime"`
	LastModifiedTime  string          `yaml:"LastModifiedTime"`
}

type authParameters struct {
	APIKeyAuthParameters     *apiKeyAuth     `yaml:"ApiKeyAuthParameters"`
	BasicAuthParameters      *basicAuth      `yaml:"BasicAuthParameters"`
	OAuthParameters          map[string]any  `yaml:"OAuthParameters"`
	InvocationHTTPParameters *invocationHTTP `yaml:"InvocationHttpParameters"`
}

type apiKeyAuth struct {
	APIKeyName  string `yaml:"ApiKeyName"`
	APIKeyValue string `yaml:"ApiKeyValue"`
}

type basicAuth struct {
	Username string `yaml:"Username"`
	Password string `yaml:"Password"`
}

type invocationHTTP struct {
	HeaderParameters      []connParam `yaml:"HeaderParameters"`
	QueryStringParameters []connParam `yaml:"QueryStringParameters"`
	BodyParameters        []connParam `yaml:"BodyParameters"`
}

type connParam struct {
	Key           string `yaml:"Key"`
	Value         string `yaml:"Value"`
	IsValueSecret bool   `yaml:"IsValueSecret"`
}

type destinationSpec struct {
	Name                         string `yaml:"Name"`
	ApiDestinationArn            string `yaml:"ApiDestinationArn"`
	Description                  string `yaml:"Description"`
	ConnectionArn                string `yaml:"ConnectionArn"`
	InvocationEndpoint           string `yaml:"InvocationEndpoint"`
	HTTPMethod                   string `yaml:"HttpMethod"`
	InvocationRateLimitPerSecond int    `yaml:"InvocationRateLimitPerSecond"`
	ApiDestinationState          string `yaml:"ApiDestinationState"`
	CreationTime                 string `yaml:"CreationTime"`
	LastModifiedTime             string `yaml:"LastModifiedTime"`
}

type pipeSpec struct {
	Name                 string            `yaml:"Name"`
	Arn                  string            `yaml:"Arn"`
	Description          string            `yaml:"Description"`
	DesiredState         string            `yaml:"DesiredState"`
	CurrentState         string            `yaml:"CurrentState"`
	StateReason          string            `yaml:"StateReason"`
	CreationTime         string            `yaml:"CreationTime"`
	LastModifiedTime     string            `yaml:"LastModifiedTime"`
	RoleArn              string            `yaml:"RoleArn"`
	KmsKeyIdentifier     string            `yaml:"KmsKeyIdentifier"`
	Tags                 map[string]string `yaml:"Tags"`
	Source               string            `yaml:"Source"`
	SourceParameters     sourceParameters  `yaml:"SourceParameters"`
	Enrichment           string            `yaml:"Enrichment"`
	EnrichmentParameters map[string]any    `yaml:"EnrichmentParameters"`
	Target               string            `yaml:"Target"`
	TargetParameters     targetParameters  `yaml:"TargetParameters"`
	LogConfiguration     *logConfiguration `yaml:"LogConfiguration"`
}

type sourceParameters struct {
	FilterCriteria           *filterCriteria `yaml:"FilterCriteria"`
	DynamoDBStreamParameters *ddbParameters  `yaml:"DynamoDBStreamParameters"`
}

type filterCriteria struct {
	Filters []struct {
		Pattern string `yaml:"Pattern"`
	} `yaml:"Filters"`
}

type ddbParameters struct {
	BatchSize                      *int              `yaml:"BatchSize"`
	MaximumBatchingWindowInSeconds *int              `yaml:"MaximumBatchingWindowInSeconds"`
	StartingPosition               string            `yaml:"StartingPosition"`
	MaximumRetryAttempts           *int              `yaml:"MaximumRetryAttempts"`
	MaximumRecordAgeInSeconds      *int              `yaml:"MaximumRecordAgeInSeconds"`
	OnPartialBatchItemFailure      string            `yaml:"OnPartialBatchItemFailure"`
	ParallelizationFactor          *int              `yaml:"ParallelizationFactor"`
	DeadLetterConfig               *deadLetterConfig `yaml:"DeadLetterConfig"`
}

type deadLetterConfig struct {
	Arn string `yaml:"Arn"`
}

type targetParameters struct {
	InputTemplate  *string         `yaml:"InputTemplate"`
	HTTPParameters *httpParameters `yaml:"HttpParameters"`
}

type httpParameters struct {
	PathParameterValues   []string          `yaml:"PathParameterValues"`
	HeaderParameters      map[string]string `yaml:"HeaderParameters"`
	QueryStringParameters map[string]string `yaml:"QueryStringParameters"`
}

type logConfiguration struct {
	Level                        string         `yaml:"Level"`
	IncludeExecutionData         []string       `yaml:"IncludeExecutionData"`
	CloudwatchLogsLogDestination *logGroupDest  `yaml:"CloudwatchLogsLogDestination"`
	FirehoseLogDestination       map[string]any `yaml:"FirehoseLogDestination"`
	S3LogDestination             map[string]any `yaml:"S3LogDestination"`
}

type logGroupDest struct {
	LogGroupArn string `yaml:"LogGroupArn"`
}
