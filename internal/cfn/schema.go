package cfn

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/awslabs/goformation/v7/cloudformation/dynamodb"
	"github.com/awslabs/goformation/v7/cloudformation/events"
	"github.com/awslabs/goformation/v7/cloudformation/logs"
	"github.com/awslabs/goformation/v7/cloudformation/pipes"
	"github.com/awslabs/goformation/v7/cloudformation/secretsmanager"
	"github.com/awslabs/goformation/v7/cloudformation/sqs"
)

// schemas are goformation's structs for the types pipesim runs: generated from CloudFormation's
// resource specification, they give each property's name, type and whether it is required.
var schemas = map[string]reflect.Type{
	typePipe:        reflect.TypeFor[pipes.Pipe](),
	typeConnection:  reflect.TypeFor[events.Connection](),
	typeDestination: reflect.TypeFor[events.ApiDestination](),
	typeTable:       reflect.TypeFor[dynamodb.Table](),
	typeGlobalTable: reflect.TypeFor[dynamodb.GlobalTable](),
	typeQueue:       reflect.TypeFor[sqs.Queue](),
	typeLogGroup:    reflect.TypeFor[logs.LogGroup](),
	typeSecret:      reflect.TypeFor[secretsmanager.Secret](),
}

// typed checks evaluated properties against the resource type's schema and decodes them into
// out (a pointer to the goformation struct). Values are converted as CloudFormation converts
// them ("5" for an integer, "true" for a boolean, 5 for a string); an unknown property, a value
// of the wrong shape or a missing required property is an error at its path.
func typed(props map[string]any, typ string, out any) error {
	v, err := coerce(props, schemas[typ], "Properties")
	if err != nil {
		return err
	}
	b, err := json.Marshal(map[string]any{"Type": typ, "Properties": v})
	if err != nil {
		return errAt("Properties", "%v", err)
	}
	if err := json.NewDecoder(bytes.NewReader(b)).Decode(out); err != nil {
		return errAt("Properties", "%v", err) // coerce let through what the struct refuses: a bug
	}
	return nil
}

func coerce(v any, t reflect.Type, path string) (any, error) {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		return coerceStruct(v, t, path)
	case reflect.Slice:
		list, ok := v.([]any)
		if !ok {
			return nil, errAt(path, "want a list, got %s", describe(v))
		}
		out := make([]any, len(list))
		for i, x := range list {
			c, err := coerce(x, t.Elem(), fmt.Sprintf("%s[%d]", path, i))
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	case reflect.Map:
		m, ok := v.(map[string]any)
		if !ok {
			return nil, errAt(path, "want a mapping, got %s", describe(v))
		}
		out := make(map[string]any, len(m))
		for k, x := range m {
			c, err := coerce(x, t.Elem(), join(path, k))
			if err != nil {
				return nil, err
			}
			out[k] = c
		}
		return out, nil
	case reflect.Interface:
		return jsonable(v), nil
	}
	return coerceScalar(v, t.Kind(), path)
}

func coerceScalar(v any, kind reflect.Kind, path string) (any, error) {
	str, ok := text(v)
	if !ok {
		return nil, errAt(path, "want a %s, got %s", kindName(kind), describe(v))
	}
	switch kind {
	case reflect.String:
		return str, nil
	case reflect.Int, reflect.Int64:
		n, err := strconv.Atoi(str)
		if err != nil {
			return nil, errAt(path, "%q: want a whole number", str)
		}
		return n, nil
	case reflect.Float64:
		f, err := strconv.ParseFloat(str, 64)
		if err != nil {
			return nil, errAt(path, "%q: want a number", str)
		}
		return f, nil
	case reflect.Bool:
		switch strings.ToLower(str) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
		return nil, errAt(path, "%q: want true or false", str)
	}
	return nil, errAt(path, "unexpected property type %s", kind)
}

func kindName(k reflect.Kind) string {
	switch k {
	case reflect.Int, reflect.Int64:
		return "whole number"
	case reflect.Float64:
		return "number"
	case reflect.Bool:
		return "boolean"
	}
	return "string"
}

func coerceStruct(v any, t reflect.Type, path string) (any, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, errAt(path, "want a mapping, got %s", describe(v))
	}
	fields := structFields(t)
	out := make(map[string]any, len(m))
	for _, k := range sortedKeys(m) {
		f, ok := fields[k]
		if !ok {
			return nil, errAt(join(path, k), "unknown property%s (want one of %s)", didYouMean(k, fields), strings.Join(fieldNames(fields), ", "))
		}
		c, err := coerce(m[k], f.Type, join(path, k))
		if err != nil {
			return nil, err
		}
		out[k] = c
	}
	for _, name := range fieldNames(fields) {
		if _, set := m[name]; !set && fields[name].required {
			return nil, errAt(join(path, name), "required property missing")
		}
	}
	return out, nil
}

type field struct {
	reflect.StructField
	required bool
}

// structFields are a goformation struct's properties by their CloudFormation names; a property
// without omitempty is required.
func structFields(t reflect.Type) map[string]field {
	fields := map[string]field{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" || name == "-" {
			continue
		}
		fields[name] = field{StructField: f, required: !strings.Contains(opts, "omitempty")}
	}
	return fields
}

func fieldNames(fields map[string]field) []string {
	names := make([]string, 0, len(fields))
	for n := range fields {
		names = append(names, n)
	}
	return sortedStrings(names)
}

func didYouMean(k string, fields map[string]field) string {
	for name := range fields {
		if strings.EqualFold(name, k) {
			return fmt.Sprintf(": did you mean %s?", name)
		}
	}
	return ""
}
