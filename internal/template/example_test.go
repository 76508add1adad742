package template_test

import (
	"fmt"

	"github.com/pipesim/pipesim/internal/rawjson"
	"github.com/pipesim/pipesim/internal/template"
)

// An input template compiled once, then rendered for each record; a path the record lacks
// renders as Pipes renders it (here, a REMOVE record has no NewImage).
func ExampleTemplate_Render() {
	tpl, err := template.Compile(`{"city": <$.dynamodb.Keys.Location.S>, "max": <$.dynamodb.NewImage.MaxTemp.N>, "pipe": <aws.pipes.pipe-name>}`, template.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	vars := &template.Vars{PipeName: "weather"}
	for _, rec := range []string{
		`{"eventName":"MODIFY","dynamodb":{"Keys":{"Location":{"S":"San Diego"}},"NewImage":{"MaxTemp":{"N":"42"}}}}`,
		`{"eventName":"REMOVE","dynamodb":{"Keys":{"Location":{"S":"San Diego"}}}}`,
	} {
		out, err := tpl.Render(nil, rawjson.New([]byte(rec)), vars)
		fmt.Println(string(out), err)
	}
	// Output:
	// {"city": "San Diego", "max": "42", "pipe": "weather"} <nil>
	// {"city": "San Diego", "max": "", "pipe": "weather"} <nil>
}

// A dynamic HTTP parameter: a $.path resolved against the record, or a literal.
func ExampleParam_Resolve() {
	key, _ := template.CompileParam("$.dynamodb.Keys.Location.S")
	lit, _ := template.CompileParam("weather-cache")
	doc := rawjson.New([]byte(`{"dynamodb":{"Keys":{"Location":{"S":"San Diego"}}}}`))
	fmt.Println(key.Resolve(doc))
	fmt.Println(lit.Resolve(doc))
	// Output:
	// San Diego true
	// weather-cache true
}
