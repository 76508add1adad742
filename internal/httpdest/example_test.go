package httpdest_test

import (
	"fmt"
	"sort"

	"github.com/pipesim/pipesim/internal/httpdest"
	"github.com/pipesim/pipesim/internal/rawjson"
	"github.com/pipesim/pipesim/internal/template"
)

// The request an API destination sends for one record: the endpoint's wildcard and the query
// string filled from the record (escaped), the connection's API key as a header, and the
// rendered body, with the headers every API destination request carries. The key never shows
// in the request's redacted forms.
func ExampleTarget_Build() {
	conn, _ := httpdest.NewAPIKeyConnection("momento", "Authorization", "secret-key")
	dest, err := httpdest.NewDestination("cache", "arn:aws:events:us-east-1:111122223333:api-destination/cache",
		"PUT", "https://api.cache.example.com/cache/*", 0, conn)
	if err != nil {
		fmt.Println(err)
		return
	}
	cache, _ := template.CompileParam("weather")
	key, _ := template.CompileParam("$.dynamodb.Keys.Location.S")
	target, err := httpdest.NewTarget(dest, []httpdest.Param{cache}, []httpdest.NamedParam{{Key: "key", Value: key}}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	doc := rawjson.New([]byte(`{"dynamodb":{"Keys":{"Location":{"S":"San Diego"}}}}`))
	var req httpdest.Request
	target.Build(&req, doc, []byte(`{"MaxTemp":"42"}`))
	fmt.Println(req.Method, req.URL)
	h := req.RedactedHeader()
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		fmt.Printf("%s: %s\n", k, h.Get(k))
	}
	fmt.Println(string(req.Body))
	// Output:
	// PUT https://api.cache.example.com/cache/weather?key=San%20Diego
	// Accept-Encoding: gzip,deflate
	// Authorization: ********
	// Connection: close
	// Content-Type: application/json; charset=utf-8
	// Range: bytes=0-1048575
	// User-Agent: Amazon/EventBridge/ApiDestinations
	// {"MaxTemp":"42"}
}
