package cfn

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// noValue is what Ref AWS::NoValue evaluates to: the property (or list item) holding it is
// removed.
type noValue struct{}

// pathError is a problem at a property path, such as Properties.SourceParameters.BatchSize.
type pathError struct {
	path string
	err  error
}

func (e *pathError) Error() string {
	if e.path == "" {
		return e.err.Error()
	}
	return e.path + ": " + e.err.Error()
}

func (e *pathError) Unwrap() error { return e.err }

func errAt(path, format string, args ...any) error {
	return &pathError{path: path, err: fmt.Errorf(format, args...)}
}

// join appends a key or index to a property path.
func join(path, key string) string {
	if path == "" {
		return key
	}
	if strings.HasPrefix(key, "[") {
		return path + key
	}
	return path + "." + key
}

// intrinsic returns the function name and argument of {"Ref": x} or {"Fn::X": x}.
func intrinsic(v any) (string, any, bool) {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return "", nil, false
	}
	for k, arg := range m {
		if k == "Ref" || strings.HasPrefix(k, "Fn::") {
			return k, arg, true
		}
	}
	return "", nil, false
}

// eval resolves every intrinsic function in v, as CloudFormation does before it hands a
// resource its properties. Only the branch Fn::If takes is evaluated.
func (s *stack) eval(v any, path string) (any, error) {
	if fn, arg, ok := intrinsic(v); ok {
		out, err := s.call(fn, arg, join(path, fn))
		if err != nil {
			return nil, err
		}
		return out, nil
	}
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for _, k := range sortedKeys(v) {
			x, err := s.eval(v[k], join(path, k))
			if err != nil {
				return nil, err
			}
			if _, drop := x.(noValue); !drop {
				out[k] = x
			}
		}
		return out, nil
	case []any:
		out := make([]any, 0, len(v))
		for i, item := range v {
			x, err := s.eval(item, join(path, fmt.Sprintf("[%d]", i)))
			if err != nil {
				return nil, err
			}
			if _, drop := x.(noValue); !drop {
				out = append(out, x)
			}
		}
		return out, nil
	}
	return v, nil
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// call evaluates one intrinsic function; path ends with the function's name.
func (s *stack) call(fn string, arg any, path string) (any, error) {
	switch fn {
	case "Ref":
		name, ok := arg.(string)
		if !ok {
			return nil, errAt(path, "want the name of a parameter or resource")
		}
		return s.ref(name, path)
	case "Fn::GetAtt":
		return s.getAtt(arg, path)
	case "Fn::Sub":
		return s.sub(arg, path)
	case "Fn::Join":
		return s.join(arg, path)
	case "Fn::Select":
		return s.selectFn(arg, path)
	case "Fn::Split":
		return s.split(arg, path)
	case "Fn::If":
		return s.ifFn(arg, path)
	case "Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or":
		return s.condition(map[string]any{fn: arg}, path)
	case "Fn::FindInMap":
		return s.findInMap(arg, path)
	case "Fn::Base64":
		str, err := s.evalString(arg, path)
		if err != nil {
			return nil, err
		}
		if strings.ContainsRune(str, markOpen) {
			return nil, errAt(path, "pipesim cannot encode a secret or a pipesim variable without showing it")
		}
		return base64.StdEncoding.EncodeToString([]byte(str)), nil
	case "Fn::ImportValue":
		return s.importValue(arg, path)
	case "Fn::GetAZs":
		region, err := s.evalString(arg, path)
		if err != nil {
			return nil, err
		}
		if region == "" {
			region = s.region
		}
		return []any{region + "a", region + "b", region + "c"}, nil
	case "Fn::Length", "Fn::ToJsonString":
		return s.languageExtension(fn, arg, path)
	}
	if strings.HasPrefix(fn, "Fn::") && knownUnsupported[fn] {
		return nil, errAt(path, "not supported by pipesim")
	}
	return nil, errAt(path, "unknown intrinsic function")
}

// knownUnsupported are CloudFormation functions pipesim does not evaluate.
var knownUnsupported = map[string]bool{
	"Fn::Cidr": true, "Fn::Transform": true, "Fn::ForEach": true, "Fn::Contains": true,
	"Fn::EachMemberEquals": true, "Fn::EachMemberIn": true, "Fn::ValueOf": true, "Fn::ValueOfAll": true,
	"Fn::RefAll": true,
}

// evalString evaluates v and wants a string (a number counts, as CloudFormation has it).
func (s *stack) evalString(v any, path string) (string, error) {
	x, err := s.eval(v, path)
	if err != nil {
		return "", err
	}
	str, ok := text(x)
	if !ok {
		return "", errAt(path, "want a string, got %s", describe(x))
	}
	return str, nil
}

// evalList evaluates v and wants a list.
func (s *stack) evalList(v any, path string) ([]any, error) {
	x, err := s.eval(v, path)
	if err != nil {
		return nil, err
	}
	list, ok := x.([]any)
	if !ok {
		return nil, errAt(path, "want a list, got %s", describe(x))
	}
	return list, nil
}

// text is a scalar as a string: strings as they are, numbers as written, booleans as true/false.
func text(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case number:
		return string(v), true
	case bool:
		return strconv.FormatBool(v), true
	}
	return "", false
}

func describe(v any) string {
	switch v.(type) {
	case map[string]any:
		return "a mapping"
	case []any:
		return "a list"
	case nil:
		return "null"
	case noValue:
		return "AWS::NoValue"
	}
	return fmt.Sprintf("%v", v)
}

// args checks that arg is a list of n items.
func args(arg any, path string, n int, form string) ([]any, error) {
	list, ok := arg.([]any)
	if !ok || len(list) != n {
		return nil, errAt(path, "want %s", form)
	}
	return list, nil
}

func (s *stack) getAtt(arg any, path string) (any, error) {
	var id string
	var attrArg any
	switch a := arg.(type) {
	case string: // "Resource.Attribute", as some tools write the long form
		var ok bool
		if id, attrArg, ok = strings.Cut(a, "."); !ok {
			return nil, errAt(path, "want [Resource, Attribute]")
		}
	case []any:
		if len(a) != 2 {
			return nil, errAt(path, "want [Resource, Attribute]")
		}
		var ok bool
		if id, ok = a[0].(string); !ok {
			return nil, errAt(path, "want [Resource, Attribute] with the resource's logical ID")
		}
		attrArg = a[1]
	default:
		return nil, errAt(path, "want [Resource, Attribute]")
	}
	attr, err := s.evalString(attrArg, path)
	if err != nil {
		return nil, err
	}
	return s.resourceAttr(id, attr, path)
}

func (s *stack) join(arg any, path string) (any, error) {
	list, err := args(arg, path, 2, "[delimiter, [values]]")
	if err != nil {
		return nil, err
	}
	delim, ok := list[0].(string)
	if !ok {
		return nil, errAt(path, "the delimiter must be a string")
	}
	items, err := s.evalList(list[1], join(path, "[1]"))
	if err != nil {
		return nil, err
	}
	parts := make([]string, 0, len(items))
	for i, it := range items {
		str, ok := text(it)
		if !ok {
			return nil, errAt(path, "item %d: want a string, got %s", i, describe(it))
		}
		parts = append(parts, str)
	}
	return strings.Join(parts, delim), nil
}

func (s *stack) selectFn(arg any, path string) (any, error) {
	list, err := args(arg, path, 2, "[index, [values]]")
	if err != nil {
		return nil, err
	}
	idxText, err := s.evalString(list[0], join(path, "[0]"))
	if err != nil {
		return nil, err
	}
	idx, err := strconv.Atoi(idxText)
	if err != nil {
		return nil, errAt(path, "index %q: want a whole number", idxText)
	}
	items, err := s.evalList(list[1], join(path, "[1]"))
	if err != nil {
		return nil, err
	}
	if idx < 0 || idx >= len(items) {
		return nil, errAt(path, "index %d out of range: the list has %d items", idx, len(items))
	}
	return items[idx], nil
}

func (s *stack) split(arg any, path string) (any, error) {
	list, err := args(arg, path, 2, "[delimiter, string]")
	if err != nil {
		return nil, err
	}
	delim, ok := list[0].(string)
	if !ok || delim == "" {
		return nil, errAt(path, "the delimiter must be a non-empty string")
	}
	str, err := s.evalString(list[1], join(path, "[1]"))
	if err != nil {
		return nil, err
	}
	if containsSecret(str, s.secretVars) {
		return nil, errAt(path, "pipesim cannot split a secret without showing it")
	}
	parts := strings.Split(str, delim)
	out := make([]any, len(parts))
	for i, p := range parts {
		out[i] = p
	}
	return out, nil
}

func (s *stack) findInMap(arg any, path string) (any, error) {
	list, ok := arg.([]any)
	if !ok || (len(list) != 3 && len(list) != 4) {
		return nil, errAt(path, "want [MapName, TopLevelKey, SecondLevelKey]")
	}
	var keys [3]string
	for i := range 3 {
		k, err := s.evalString(list[i], join(path, fmt.Sprintf("[%d]", i)))
		if err != nil {
			return nil, err
		}
		keys[i] = k
	}
	v, found := lookupMapping(s.t.Mappings, keys)
	if found {
		return v, nil
	}
	if len(list) == 4 && s.t.has(languageExtensions) {
		if d, ok := list[3].(map[string]any); ok && len(d) == 1 && d["DefaultValue"] != nil {
			return s.eval(d["DefaultValue"], path)
		}
	}
	return nil, errAt(path, "no value for %s/%s/%s in Mappings", keys[0], keys[1], keys[2])
}

func lookupMapping(mappings map[string]any, keys [3]string) (any, bool) {
	var cur any = mappings
	for _, k := range keys {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[k]; !ok {
			return nil, false
		}
	}
	return cur, true
}

func (s *stack) importValue(arg any, path string) (any, error) {
	name, err := s.evalString(arg, path)
	if err != nil {
		return nil, err
	}
	if v, ok := s.opts.Imports[name]; ok {
		return v, nil
	}
	return nil, errAt(path, "%q is exported by another stack: give its value with --import %s=VALUE", name, name)
}

func (s *stack) languageExtension(fn string, arg any, path string) (any, error) {
	if !s.t.has(languageExtensions) {
		return nil, errAt(path, "needs Transform: %s", languageExtensions)
	}
	v, err := s.eval(arg, path)
	if err != nil {
		return nil, err
	}
	if fn == "Fn::Length" {
		list, ok := v.([]any)
		if !ok {
			return nil, errAt(path, "want a list, got %s", describe(v))
		}
		return number(strconv.Itoa(len(list))), nil
	}
	if str, ok := v.(string); ok {
		return str, nil
	}
	b, err := json.Marshal(jsonable(v))
	if err != nil {
		return nil, errAt(path, "%v", err)
	}
	return string(b), nil
}

// jsonable turns numbers into json.Number so json.Marshal writes them as numbers.
func jsonable(v any) any {
	switch v := v.(type) {
	case number:
		return json.Number(v)
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = jsonable(x)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = jsonable(x)
		}
		return out
	}
	return v
}

// sub evaluates Fn::Sub in either form: "text" or ["text", {Var: value}]. ${Name} is a
// parameter, a pseudo parameter or a resource's Ref, ${Resource.Attribute} a GetAtt and ${!X}
// the literal ${X}.
func (s *stack) sub(arg any, path string) (any, error) {
	var tmpl string
	vars := map[string]any{}
	switch a := arg.(type) {
	case string:
		tmpl = a
	case []any:
		if len(a) != 2 {
			return nil, errAt(path, "want a string or [string, {Name: value}]")
		}
		var ok bool
		if tmpl, ok = a[0].(string); !ok {
			return nil, errAt(path, "want a string or [string, {Name: value}]")
		}
		m, ok := a[1].(map[string]any)
		if !ok {
			return nil, errAt(path, "the variables must be a mapping")
		}
		for k, v := range m {
			x, err := s.eval(v, join(path, k))
			if err != nil {
				return nil, err
			}
			vars[k] = x
		}
	default:
		return nil, errAt(path, "want a string or [string, {Name: value}]")
	}
	return s.substitute(tmpl, vars, path)
}

func (s *stack) substitute(tmpl string, vars map[string]any, path string) (string, error) {
	var b strings.Builder
	for {
		i := strings.Index(tmpl, "${")
		if i < 0 {
			b.WriteString(tmpl)
			return b.String(), nil
		}
		b.WriteString(tmpl[:i])
		end := strings.IndexByte(tmpl[i:], '}')
		if end < 0 {
			return "", errAt(path, "unterminated ${ in %q", tmpl)
		}
		name := tmpl[i+2 : i+end]
		tmpl = tmpl[i+end+1:]
		if strings.HasPrefix(name, "!") {
			b.WriteString("${" + name[1:] + "}")
			continue
		}
		v, err := s.subVar(strings.TrimSpace(name), vars, path)
		if err != nil {
			return "", err
		}
		b.WriteString(v)
	}
}

func (s *stack) subVar(name string, vars map[string]any, path string) (string, error) {
	var v any
	var err error
	if x, ok := vars[name]; ok {
		v = x
	} else if id, attr, ok := strings.Cut(name, "."); ok && !strings.HasPrefix(name, "AWS::") {
		v, err = s.resourceAttr(id, attr, path)
	} else {
		v, err = s.ref(name, path)
	}
	if err != nil {
		return "", err
	}
	str, ok := text(v)
	if !ok {
		return "", errAt(path, "${%s} is %s, want a string", name, describe(v))
	}
	return str, nil
}
