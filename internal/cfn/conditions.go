package cfn

import (
	"encoding/json"
	"errors"
	"strings"
)

func (s *stack) ifFn(arg any, path string) (any, error) {
	list, err := args(arg, path, 3, "[condition, value if true, value if false]")
	if err != nil {
		return nil, err
	}
	name, ok := list[0].(string)
	if !ok {
		return nil, errAt(path, "the condition must be a condition's name")
	}
	yes, err := s.conditionNamed(name, path)
	if err != nil {
		return nil, err
	}
	if yes {
		return s.eval(list[1], join(path, "[1]"))
	}
	return s.eval(list[2], join(path, "[2]"))
}

// condition evaluates a condition expression: Fn::Equals, Fn::Not, Fn::And, Fn::Or and
// {"Condition": name}.
func (s *stack) condition(v any, path string) (bool, error) {
	m, ok := v.(map[string]any)
	if ok && len(m) == 1 {
		if name, ok := m["Condition"].(string); ok {
			return s.conditionNamed(name, path)
		}
	}
	fn, arg, ok := intrinsic(v)
	if !ok {
		return false, errAt(path, "want a condition function (Fn::Equals, Fn::Not, Fn::And, Fn::Or or Condition)")
	}
	p := join(path, fn)
	switch fn {
	case "Fn::Equals":
		list, err := args(arg, p, 2, "[value, value]")
		if err != nil {
			return false, err
		}
		a, err := s.eval(list[0], join(p, "[0]"))
		if err != nil {
			return false, err
		}
		b, err := s.eval(list[1], join(p, "[1]"))
		if err != nil {
			return false, err
		}
		return s.equal(a, b), nil
	case "Fn::Not":
		list, err := args(arg, p, 1, "[condition]")
		if err != nil {
			return false, err
		}
		c, err := s.condition(list[0], p)
		return !c, err
	case "Fn::And", "Fn::Or":
		list, ok := arg.([]any)
		if !ok || len(list) < 2 || len(list) > 10 {
			return false, errAt(p, "want 2 to 10 conditions")
		}
		for _, c := range list {
			x, err := s.condition(c, p)
			if err != nil {
				return false, err
			}
			if x != (fn == "Fn::And") {
				return x, nil
			}
		}
		return fn == "Fn::And", nil
	case "Fn::If", "Fn::FindInMap", "Ref":
		x, err := s.call(fn, arg, p)
		if err != nil {
			return false, err
		}
		if b, ok := x.(bool); ok {
			return b, nil
		}
		if str, ok := text(x); ok && (str == "true" || str == "false") {
			return str == "true", nil
		}
		return false, errAt(p, "want true or false, got %s", describe(x))
	}
	return false, errAt(p, "not a condition function")
}

// equal compares two evaluated values as Fn::Equals does: as strings when both are scalars.
func (s *stack) equal(a, b any) bool {
	as, aok := text(a)
	bs, bok := text(b)
	if aok && bok {
		return s.plain(as) == s.plain(bs)
	}
	ja, _ := json.Marshal(jsonable(a))
	jb, _ := json.Marshal(jsonable(b))
	return string(ja) == string(jb)
}

// conditionNamed evaluates a condition of the Conditions section once.
func (s *stack) conditionNamed(name, path string) (bool, error) {
	if v, ok := s.conds[name]; ok {
		return v, nil
	}
	def, ok := s.t.Conditions[name]
	if !ok {
		return false, errAt(path, "unknown condition %q", name)
	}
	if s.condBusy[name] {
		return false, errAt(path, "condition %q depends on itself", name)
	}
	s.condBusy[name] = true
	v, err := s.condition(def, "Conditions."+name)
	delete(s.condBusy, name)
	if err != nil {
		var pe *pathError
		if errors.As(err, &pe) && strings.HasPrefix(pe.path, "Conditions.") {
			return false, err
		}
		return false, errAt(path, "%v", err)
	}
	s.conds[name] = v
	return v, nil
}
