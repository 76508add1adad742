package sim

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/pipesim/pipesim/internal/cdktest"
	"github.com/pipesim/pipesim/internal/cfn"
	"github.com/pipesim/pipesim/internal/ddblocal/ddblocaltest"
	"github.com/pipesim/pipesim/internal/pipe"
)

// TestCDKApp runs what a real `cdk synth` wrote for the project's CDK app: a table (its name
// made up by CloudFormation), a connection whose API key is a secret holding a NoEcho
// parameter, an API destination, and a pipe with a filter and an input template. A matching
// write reaches the API as the template says; a write the filter drops sends nothing.
func TestCDKApp(t *testing.T) {
	out := cdktest.Out(t)
	endpoint := ddblocaltest.Endpoint(t)
	var mu sync.Mutex
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, r.Method+" "+r.URL.RequestURI()+"\nx-api-key: "+r.Header.Get("x-api-key")+"\nX-Source: "+r.Header.Get("X-Source")+"\n"+string(body))
		mu.Unlock()
	}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	tmpl := &Template{Path: out, Options: cfn.Options{Parameters: map[string]string{"ApiEndpoint": srv.URL, "ApiKey": "k-123"}}}
	s, err := Start(ctx, Options{Template: tmpl, DynamoDBEndpoint: endpoint, StateDir: t.TempDir(),
		PollInterval: 50 * time.Millisecond, Retry: pipe.Options{Backoff: time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	table := s.Config.Tables[0]
	if !strings.HasPrefix(table.Name, "OrdersStack-Orders") || table.RangeKey != "placedAt" || table.TTLAttribute != "expiresAt" {
		t.Errorf("table = %+v; want the CDK table with its sort key and TTL", table)
	}
	ready := make(chan struct{})
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, func() { close(ready) }) }()
	<-ready

	put := func(order, status string) {
		item := map[string]types.AttributeValue{
			"orderId": &types.AttributeValueMemberS{Value: order}, "placedAt": &types.AttributeValueMemberN{Value: "1700000000"},
			"customerId": &types.AttributeValueMemberS{Value: "c-9"}, "status": &types.AttributeValueMemberS{Value: status},
		}
		if _, err := s.DynamoDB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table.Name), Item: item}); err != nil {
			t.Fatal(err)
		}
	}
	put("o-1", "PLACED")
	put("o-2", "SHIPPED") // filtered out
	put("o-3", "PLACED")
	waitFor(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(got) >= 2 })
	time.Sleep(200 * time.Millisecond) // let a wrongly unfiltered o-2 arrive, if it would
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run = %v", err)
	}
	want := []string{
		"PUT /orders/o-1?placedAt=1700000000\nx-api-key: k-123\nX-Source: pipesim-cdk-app\n" + `{"order": "o-1", "customer": "c-9", "event": "INSERT"}`,
		"PUT /orders/o-3?placedAt=1700000000\nx-api-key: k-123\nX-Source: pipesim-cdk-app\n" + `{"order": "o-3", "customer": "c-9", "event": "INSERT"}`,
	}
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(got, "\n----\n") != strings.Join(want, "\n----\n") {
		t.Errorf("requests =\n%s\nwant\n%s", strings.Join(got, "\n----\n"), strings.Join(want, "\n----\n"))
	}
}
