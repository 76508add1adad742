package webui

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pipesim/pipesim/internal/config"
)

// TestAttributesRead: the page's sample item is made of the image attributes a pipe's filter,
// template and HTTP parameters read, with their types and the string the filter wants.
func TestAttributesRead(t *testing.T) {
	const design = `
Connections:
  - {Name: c, AuthorizationType: API_KEY, AuthParameters: {ApiKeyAuthParameters: {ApiKeyName: k, ApiKeyValue: v}}}
ApiDestinations:
  - {Name: d, ConnectionArn: c, InvocationEndpoint: "http://127.0.0.1:1/*", HttpMethod: POST}
Pipes:
  - Name: p
    Source: orders
    SourceParameters:
      DynamoDBStreamParameters: {StartingPosition: LATEST}
      FilterCriteria: {Filters: [{Pattern: '{"eventName": ["INSERT"], "dynamodb": {"NewImage": {"status": {"S": ["big"]}, "total": {"N": [{"exists": true}]}}}}'}]}
    Target: d
    TargetParameters:
      InputTemplate: '{"total": <$.dynamodb.NewImage.total.N>, "note": <$.dynamodb.NewImage.note.S>, "key": <$.dynamodb.Keys.id.S>}'
      HttpParameters:
        PathParameterValues: [$.dynamodb.NewImage.region.S]
        QueryStringParameters: {ttl: $.dynamodb.NewImage.ttl.N}
        HeaderParameters: {x-who: $.dynamodb.OldImage.who.S}
  - Name: plain
    Source: orders
    SourceParameters: {DynamoDBStreamParameters: {StartingPosition: LATEST}}
    Target: d
    TargetParameters: {HttpParameters: {PathParameterValues: [fixed]}}
`
	cfg, err := config.Parse("pipes.yaml", []byte(design), config.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []ImageAttribute{{Name: "status", Type: "S", Example: "big", By: "filter"}, {Name: "total", Type: "N", By: "filter"},
		{Name: "note", Type: "S", By: "template"}, {Name: "region", Type: "S", By: "HTTP parameter"},
		{Name: "ttl", Type: "N", By: "HTTP parameter"}, {Name: "who", Type: "S", By: "HTTP parameter"}}
	if diff := cmp.Diff(want, attributesRead(cfg.Pipes[0])); diff != "" {
		t.Errorf("attributesRead(p) (-want +got):\n%s", diff)
	}
	if got := attributesRead(cfg.Pipes[1]); len(got) != 0 {
		t.Errorf("attributesRead(plain) = %v; want none", got)
	}
}
