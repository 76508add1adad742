package check

// Rule is one kind of finding. Codes are stable: a code is never reused for another rule.
type Rule struct {
	Code     string
	Severity Severity
	Title    string
	// Source is the AWS documentation the rule rests on.
	Source string
}

// AWS documentation the rules cite.
const (
	docFiltering    = "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-event-filtering.html"
	docPatterns     = "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html"
	docPipesDDB     = "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-dynamodb.html"
	docStreamRecord = "https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_StreamRecord.html"
	docAttribute    = "https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_AttributeValue.html"
	docStreams      = "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.html"
	docTransform    = "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-input-transformation.html"
	docStreamParams = "https://docs.aws.amazon.com/eventbridge/latest/pipes-reference/API_PipeSourceDynamoDBStreamParameters.html"
	docCreatePipe   = "https://docs.aws.amazon.com/eventbridge/latest/pipes-reference/API_CreatePipe.html"
	docLimit        = "https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_GetRecords.html"
)

// Rules lists every rule, in code order; docs/check.md describes each.
var Rules = []Rule{
	{"PS001", Error, "a filter tests a number on a field that holds strings (an N attribute)", docAttribute},
	{"PS002", Error, "a filter tests a field the Pipes poller adds after filtering", docFiltering},
	{"PS003", Error, "a field name differs only in case from the record's", docPatterns},
	{"PS004", Error, "a path a DynamoDB stream record cannot have", docStreamRecord},
	{"PS005", Error, "a filter tests a value where the record holds an object or a typed attribute", docAttribute},
	{"PS006", Error, "an image the stream's view type does not carry", docStreams},
	{"PS007", Warning, "a template or parameter reads an image that records passing the filters lack (NewImage on REMOVE, OldImage on INSERT)", docStreamRecord},
	{"PS008", Warning, "an HTTP parameter reads an attribute that records passing the filters may lack", docTransform},
	{"PS009", Warning, "more than two pipes read one stream", docLimit},
	{"PS010", Warning, "a dead-letter queue no failed batch can reach", docStreamParams},
	{"PS011", Warning, "a queue no pipe uses as its dead-letter queue", docCreatePipe},
	{"PS012", Warning, "a connection no pipe uses", docCreatePipe},
	{"PS013", Warning, "an API destination no pipe targets", docCreatePipe},
	{"PS014", Warning, "a filter operator AWS Pipes rejects, accepted by --allow-unsupported-filters", docFiltering},
	{"PS015", Error, "a pipe's source table has no stream", docPipesDDB},
}

// ruleByCode returns the rule of a code; it panics on an unknown code, a bug.
func ruleByCode(code string) Rule {
	for _, r := range Rules {
		if r.Code == code {
			return r
		}
	}
	panic("check: unknown rule " + code)
}
