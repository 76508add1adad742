package webui

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/pipesim/pipesim/internal/config"
)

// itemOf types a plain JSON object as a DynamoDB item: strings are S, numbers N (with the text
// they were written with), booleans BOOL, null NULL, arrays L and objects M.
func itemOf(body []byte) (map[string]types.AttributeValue, error) {
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	var plain map[string]any
	if err := d.Decode(&plain); err != nil {
		return nil, fmt.Errorf("item: want a JSON object: %v", err)
	}
	if d.More() {
		return nil, fmt.Errorf("item: want one JSON object, found more after it")
	}
	item := make(map[string]types.AttributeValue, len(plain))
	for k, v := range plain {
		item[k] = attributeOf(v)
	}
	return item, nil
}

func attributeOf(v any) types.AttributeValue {
	switch v := v.(type) {
	case string:
		return &types.AttributeValueMemberS{Value: v}
	case json.Number:
		return &types.AttributeValueMemberN{Value: v.String()}
	case bool:
		return &types.AttributeValueMemberBOOL{Value: v}
	case []any:
		l := make([]types.AttributeValue, len(v))
		for i, e := range v {
			l[i] = attributeOf(e)
		}
		return &types.AttributeValueMemberL{Value: l}
	case map[string]any:
		m := make(map[string]types.AttributeValue, len(v))
		for k, e := range v {
			m[k] = attributeOf(e)
		}
		return &types.AttributeValueMemberM{Value: m}
	}
	return &types.AttributeValueMemberNULL{Value: true}
}

// plainOf is an item as plain JSON values: numbers keep their text, binary is base64, sets are
// arrays in sorted order.
func plainOf(item map[string]types.AttributeValue) map[string]any {
	m := make(map[string]any, len(item))
	for k, v := range item {
		m[k] = plainValue(v)
	}
	return m
}

func plainValue(v types.AttributeValue) any {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return v.Value
	case *types.AttributeValueMemberN:
		return json.Number(v.Value)
	case *types.AttributeValueMemberBOOL:
		return v.Value
	case *types.AttributeValueMemberB:
		return base64.StdEncoding.EncodeToString(v.Value)
	case *types.AttributeValueMemberM:
		return plainOf(v.Value)
	case *types.AttributeValueMemberL:
		l := make([]any, len(v.Value))
		for i, e := range v.Value {
			l[i] = plainValue(e)
		}
		return l
	case *types.AttributeValueMemberSS:
		return sorted(v.Value, func(s string) any { return s })
	case *types.AttributeValueMemberNS:
		return sorted(v.Value, func(s string) any { return json.Number(s) })
	case *types.AttributeValueMemberBS:
		enc := make([]string, len(v.Value))
		for i, b := range v.Value {
			enc[i] = base64.StdEncoding.EncodeToString(b)
		}
		return sorted(enc, func(s string) any { return s })
	}
	return nil
}

func sorted(s []string, as func(string) any) []any {
	s = append([]string(nil), s...)
	sort.Strings(s)
	out := make([]any, len(s))
	for i, e := range s {
		out[i] = as(e)
	}
	return out
}

// keyOf is the key of item in table t, or an error naming the missing key attribute.
func keyOf(t config.Table, item map[string]types.AttributeValue) (map[string]types.AttributeValue, error) {
	key := map[string]types.AttributeValue{}
	for _, name := range keyNames(t) {
		v, ok := item[name]
		if !ok {
			return nil, fmt.Errorf("table %s: the key attribute %q is missing", t.Name, name)
		}
		key[name] = v
	}
	return key, nil
}

// number is the text of a DynamoDB number.
var number = regexp.MustCompile(`^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$`)

// typeKeys gives item's key attributes the types of t's key schema. The page's form sends each
// key value as text: "42" becomes N for a number key, base64 text B for a binary one. A value
// that is not of its key's type is an error naming the attribute; a missing one is keyOf's.
func typeKeys(t config.Table, item map[string]types.AttributeValue) error {
	for _, name := range keyNames(t) {
		text, ok := item[name].(*types.AttributeValueMemberS)
		if !ok {
			continue
		}
		switch t.Attributes[name] {
		case "N":
			if !number.MatchString(text.Value) {
				return fmt.Errorf("table %s: the key attribute %q is a number (N): %q is not one", t.Name, name, text.Value)
			}
			item[name] = &types.AttributeValueMemberN{Value: text.Value}
		case "B":
			b, err := base64.StdEncoding.DecodeString(text.Value)
			if err != nil {
				return fmt.Errorf("table %s: the key attribute %q is binary (B): want base64, got %q", t.Name, name, text.Value)
			}
			item[name] = &types.AttributeValueMemberB{Value: b}
		}
	}
	return nil
}
