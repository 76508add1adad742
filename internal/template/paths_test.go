package template

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pipesim/pipesim/internal/rawjson"
)

func TestPathsAndAbsent(t *testing.T) {
	tpl, err := Compile(`{"k": <$.dynamodb.Keys.Location.S>, "max": <$.dynamodb.NewImage.MaxTemp.N>, "again": "<$.dynamodb.NewImage.MaxTemp.N>", "e": <aws.pipes.pipe-name>, "t": <$.dynamodb.NewImage.tags.L[0].S>}`, Options{})
	if err != nil {
		t.Fatal(err)
	}
	wantPaths := []string{"$.dynamodb.Keys.Location.S", "$.dynamodb.NewImage.MaxTemp.N", "$.dynamodb.NewImage.tags.L[0].S"}
	if diff := cmp.Diff(wantPaths, tpl.Paths()); diff != "" {
		t.Errorf("Paths() mismatch (-want +got):\n%s", diff)
	}
	if got, want := PathFields("$.dynamodb.NewImage.tags.L[0].S"), []string{"dynamodb", "NewImage", "tags", "L", "S"}; !cmp.Equal(got, want) {
		t.Errorf("PathFields() = %q; want %q", got, want)
	}
	remove := []byte(`{"eventName":"REMOVE","dynamodb":{"Keys":{"Location":{"S":"San Diego"}},"OldImage":{"MaxTemp":{"N":"42"}}}}`)
	want := []string{"$.dynamodb.NewImage.MaxTemp.N", "$.dynamodb.NewImage.tags.L[0].S"}
	if diff := cmp.Diff(want, tpl.Absent(rawjson.New(remove))); diff != "" {
		t.Errorf("Absent(REMOVE) mismatch (-want +got):\n%s", diff)
	}
	p, err := CompileParam("$.dynamodb.NewImage.TTL.N")
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Fields(); !cmp.Equal(got, []string{"dynamodb", "NewImage", "TTL", "N"}) {
		t.Errorf("Param.Fields() = %q", got)
	}
	if lit, _ := CompileParam("momento-cache"); lit.Fields() != nil {
		t.Errorf("Param(literal).Fields() = %q; want nil", lit.Fields())
	}
}
