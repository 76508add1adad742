package cfn

import (
	"os"
	"testing"

	"github.com/pipesim/pipesim/internal/config"
)

// FuzzRead: no template makes the reader panic or hang, and what it accepts renders to a pipes
// file config can read (or refuse with an error).
func FuzzRead(f *testing.F) {
	for _, path := range []string{seedTemplate, "testdata/weather-stats.template.yaml", "testdata/intrinsics.yaml"} {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(designTemplate))
	f.Add([]byte("Resources: {A: {Type: AWS::SQS::Queue, Properties: {QueueName: !Select [0, !Split [',', !Sub '${AWS::Region},x']]}}}"))
	f.Add([]byte("Conditions: {A: {Condition: B}, B: !Not [{Condition: A}]}\nResources: {Q: {Type: AWS::SQS::Queue, Condition: A}}"))
	f.Add([]byte("Mappings: &a {m: [*a]}\nResources: {}"))
	f.Add([]byte("Mappings: {x: &x [1,1,1,1], y: &y [*x,*x,*x,*x]}\nResources: {A: {Type: T, Properties: {P: [*y,*y,*y,*y]}}}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Read("fuzz.yaml", data, Options{Parameters: seedParameters, Lookup: noEnv, Imports: map[string]string{"x": "y"}})
		if err != nil {
			return
		}
		if len(r.File) == 0 {
			t.Fatal("Read accepted a template and wrote no pipes file")
		}
		_, _ = r.Config(config.Options{Lookup: noEnv})
	})
}
