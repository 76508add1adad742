package filter_test

import (
	"fmt"

	"github.com/pipesim/pipesim/internal/filter"
	"github.com/pipesim/pipesim/internal/rawjson"
)

// A pipe's FilterCriteria compiled once, when the configuration loads, then matched against
// each record through its Doc.
func ExampleCompileFilters() {
	f, err := filter.CompileFilters([]string{
		`{"eventName": ["INSERT", "MODIFY"]}`,
		`{"dynamodb": {"OldImage": {"MaxTemp": {"N": [{"prefix": "1"}]}}}}`,
	}, filter.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, rec := range []string{
		`{"eventName":"INSERT","dynamodb":{"NewImage":{"MaxTemp":{"N":"42"}}}}`,
		`{"eventName":"REMOVE","dynamodb":{"OldImage":{"MaxTemp":{"N":"104"}}}}`,
		`{"eventName":"REMOVE","dynamodb":{"OldImage":{"MaxTemp":{"N":"42"}}}}`,
	} {
		fmt.Println(f.Match(rawjson.New([]byte(rec))))
	}
	// Output:
	// true
	// true
	// false
}

// The pipes that read one stream decide their filters in one read of each record: the verdicts
// stay in the record's Doc, where each pipe's Member finds its own.
func ExampleGroup() {
	hot, _ := filter.CompileFilters([]string{`{"dynamodb": {"NewImage": {"MaxTemp": {"N": [{"prefix": "1"}]}}}}`}, filter.Options{})
	sandiego, _ := filter.CompileFilters([]string{`{"dynamodb": {"Keys": {"Location": {"S": ["San Diego"]}}}}`}, filter.Options{})
	g, err := filter.NewGroup(hot, sandiego, nil) // the third pipe has no filters
	if err != nil {
		fmt.Println(err)
		return
	}
	doc := rawjson.New([]byte(`{"dynamodb":{"Keys":{"Location":{"S":"San Diego"}},"NewImage":{"MaxTemp":{"N":"42"}}}}`))
	fmt.Printf("%03b\n", g.Decide(doc))
	fmt.Println(g.Member(0).Match(doc), g.Member(1).Match(doc), g.Member(2).Match(doc))
	// Output:
	// 110
	// false true true
}
