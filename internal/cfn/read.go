package cfn

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// maxNodes bounds how many values a template may hold, so a hostile or broken file fails instead
// of exhausting memory. (YAML aliases, which could multiply a small file, are refused as
// CloudFormation refuses them.)
const maxNodes = 1 << 20

// number is a template number, kept as written so that "0123" stays a string elsewhere and
// 1209600 joins as "1209600".
type number string

// template is a parsed template: each section as generic values (map[string]any, []any, string,
// number, bool, nil), with the order of the resources and parameters as written.
type template struct {
	Parameters     map[string]any
	ParameterOrder []string
	Mappings       map[string]any
	Conditions     map[string]any
	Resources      map[string]any
	ResourceOrder  []string
	Transforms     []string
}

// Sections a template may have; anything else is an error, as CloudFormation has it.
var sections = map[string]bool{
	"AWSTemplateFormatVersion": true, "Description": true, "Metadata": true, "Parameters": true,
	"Rules": true, "Mappings": true, "Conditions": true, "Transform": true, "Resources": true,
	"Outputs": true, "Globals": true, // Globals: SAM's
}

// readSections are the sections that make the design; the others (Metadata, Rules, Outputs,
// SAM's Globals) change nothing pipesim runs and are not read.
var readSections = map[string]bool{"Parameters": true, "Mappings": true, "Conditions": true, "Transform": true, "Resources": true}

// looksLikeTemplate reports whether data is a CloudFormation template rather than a pipes file:
// its top level has Resources or AWSTemplateFormatVersion.
func looksLikeTemplate(data []byte) bool {
	var top map[string]yaml.Node
	if err := yaml.Unmarshal(data, &top); err != nil {
		return false
	}
	_, res := top["Resources"]
	_, ver := top["AWSTemplateFormatVersion"]
	return res || ver
}

// parseTemplate reads a template in JSON or YAML, with YAML's short-form tags (!Ref, !GetAtt,
// !Sub, ...) turned into their long forms.
func parseTemplate(data []byte) (*template, error) {
	if bytes.ContainsAny(data, string([]rune{markOpen, markClose})) {
		return nil, errors.New("the template contains characters U+E000/U+E001, which pipesim reserves")
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("not JSON or YAML: %w", err)
	}
	if len(root.Content) == 0 {
		return nil, errors.New("empty template")
	}
	r := &reader{}
	top := root.Content[0]
	if top.Kind == yaml.AliasNode {
		top = top.Alias
	}
	if top.Kind != yaml.MappingNode {
		return nil, errors.New("the template is not a mapping of sections")
	}
	t := &template{}
	for i := 0; i+1 < len(top.Content); i += 2 {
		key, val := top.Content[i].Value, top.Content[i+1]
		if !sections[key] {
			return nil, fmt.Errorf("line %d: unknown section %s", top.Content[i].Line, key)
		}
		if !readSections[key] {
			continue
		}
		v, err := r.value(val, 0)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", key, err)
		}
		if err := t.set(key, v, val); err != nil {
			return nil, err
		}
	}
	if t.Resources == nil {
		//lint:ignore ST1005 the message starts with the field it is about, spelt as the user wrote it
		return nil, errors.New("Resources: missing")
	}
	return t, nil
}

func (t *template) set(key string, v any, n *yaml.Node) error {
	if key == "Transform" {
		return t.setTransform(v)
	}
	var m map[string]any
	switch key {
	case "Parameters", "Mappings", "Conditions", "Resources":
		var ok bool
		if m, ok = v.(map[string]any); !ok && v != nil {
			return fmt.Errorf("%s: want a mapping", key)
		}
	}
	switch key {
	case "Parameters":
		t.Parameters, t.ParameterOrder = m, keyOrder(n)
	case "Mappings":
		t.Mappings = m
	case "Conditions":
		t.Conditions = m
	case "Resources":
		t.Resources, t.ResourceOrder = m, keyOrder(n)
		if t.Resources == nil {
			t.Resources = map[string]any{}
		}
	}
	return nil
}

func (t *template) setTransform(v any) error {
	switch v := v.(type) {
	case string:
		t.Transforms = []string{v}
	case []any:
		for _, x := range v {
			s, ok := x.(string)
			if !ok {
				//lint:ignore ST1005 the message starts with the field it is about, spelt as the user wrote it
				return errors.New("Transform: want a name or a list of names (a transform with parameters is not supported)")
			}
			t.Transforms = append(t.Transforms, s)
		}
	case map[string]any:
		//lint:ignore ST1005 the message starts with the field it is about, spelt as the user wrote it
		return errors.New("Transform: a transform with parameters (AWS::Include) is not supported by pipesim")
	default:
		//lint:ignore ST1005 the message starts with the field it is about, spelt as the user wrote it
		return errors.New("Transform: want a name or a list of names")
	}
	for _, name := range t.Transforms {
		if name != samTransform && name != languageExtensions {
			//lint:ignore ST1005 the message starts with the field it is about, spelt as the user wrote it
			return fmt.Errorf("Transform %s: not supported by pipesim (it runs %s and %s)", name, samTransform, languageExtensions)
		}
	}
	return nil
}

func (t *template) has(transform string) bool {
	for _, x := range t.Transforms {
		if x == transform {
			return true
		}
	}
	return false
}

// keyOrder is the keys of a mapping node in the order written.
func keyOrder(n *yaml.Node) []string {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n.Kind != yaml.MappingNode {
		return nil
	}
	keys := make([]string, 0, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		keys = append(keys, n.Content[i].Value)
	}
	return keys
}

// reader turns YAML nodes into generic values, counting them against maxNodes.
type reader struct{ nodes int }

// shortForms maps YAML's short-form tags to the long form's key.
var shortForms = map[string]string{
	"!Ref": "Ref", "!Condition": "Condition", "!GetAtt": "Fn::GetAtt", "!Sub": "Fn::Sub", "!Join": "Fn::Join",
	"!Select": "Fn::Select", "!Split": "Fn::Split", "!If": "Fn::If", "!Equals": "Fn::Equals", "!Not": "Fn::Not",
	"!And": "Fn::And", "!Or": "Fn::Or", "!FindInMap": "Fn::FindInMap", "!Base64": "Fn::Base64",
	"!ImportValue": "Fn::ImportValue", "!GetAZs": "Fn::GetAZs", "!Cidr": "Fn::Cidr", "!Transform": "Fn::Transform",
	"!Length": "Fn::Length", "!ToJsonString": "Fn::ToJsonString", "!Contains": "Fn::Contains",
	"!EachMemberEquals": "Fn::EachMemberEquals", "!EachMemberIn": "Fn::EachMemberIn", "!ValueOf": "Fn::ValueOf",
	"!ValueOfAll": "Fn::ValueOfAll", "!RefAll": "Fn::RefAll", "!ForEach": "Fn::ForEach",
}

func (r *reader) value(n *yaml.Node, depth int) (any, error) {
	r.nodes++
	if r.nodes > maxNodes || depth > 200 {
		return nil, fmt.Errorf("line %d: the template is too large or too deeply nested", n.Line)
	}
	if n.Kind == yaml.AliasNode {
		return nil, fmt.Errorf("line %d: YAML aliases are not allowed in CloudFormation templates", n.Line)
	}
	if long, ok := shortForms[n.Tag]; ok {
		return r.shortForm(n, long, depth)
	}
	if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
		return nil, fmt.Errorf("line %d: unknown tag %s", n.Line, n.Tag)
	}
	switch n.Kind {
	case yaml.MappingNode:
		return r.mapping(n, depth)
	case yaml.SequenceNode:
		list := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := r.value(c, depth+1)
			if err != nil {
				return nil, err
			}
			list = append(list, v)
		}
		return list, nil
	case yaml.ScalarNode:
		return scalar(n)
	}
	return nil, fmt.Errorf("line %d: unexpected YAML node", n.Line)
}

func (r *reader) mapping(n *yaml.Node, depth int) (any, error) {
	m := make(map[string]any, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if k.Kind == yaml.AliasNode {
			k = k.Alias
		}
		if k.Kind != yaml.ScalarNode {
			return nil, fmt.Errorf("line %d: a key must be a string", k.Line)
		}
		if k.Tag == "!!merge" {
			return nil, fmt.Errorf("line %d: YAML merge keys (<<) are not part of CloudFormation templates", k.Line)
		}
		if _, dup := m[k.Value]; dup {
			return nil, fmt.Errorf("line %d: %s defined twice", k.Line, k.Value)
		}
		v, err := r.value(n.Content[i+1], depth+1)
		if err != nil {
			return nil, err
		}
		m[k.Value] = v
	}
	return m, nil
}

// shortForm reads !Tag value as {"Long": value}. !GetAtt takes "Resource.Attribute" as a
// scalar; the others take the value as it is (a scalar, a sequence or a mapping).
func (r *reader) shortForm(n *yaml.Node, long string, depth int) (any, error) {
	var v any
	var err error
	switch n.Kind {
	case yaml.ScalarNode:
		v = n.Value // a tagged scalar is always text: !Ref 123 names "123"
	case yaml.SequenceNode, yaml.MappingNode:
		c := *n
		c.Tag = ""
		v, err = r.value(&c, depth+1)
	default:
		return nil, fmt.Errorf("line %d: %s: unexpected value", n.Line, n.Tag)
	}
	if err != nil {
		return nil, err
	}
	if s, ok := v.(string); ok && long == "Fn::GetAtt" {
		res, attr, ok := strings.Cut(s, ".")
		if !ok {
			return nil, fmt.Errorf("line %d: !GetAtt %s: want Resource.Attribute", n.Line, s)
		}
		v = []any{res, attr}
	}
	return map[string]any{long: v}, nil
}

func scalar(n *yaml.Node) (any, error) {
	switch n.Tag {
	case "!!str", "!!binary", "!!timestamp":
		return n.Value, nil
	case "!!int", "!!float":
		return number(n.Value), nil
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err != nil {
			return nil, fmt.Errorf("line %d: %w", n.Line, err)
		}
		return b, nil
	case "!!null":
		return nil, nil
	}
	return n.Value, nil
}
