package cfn

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Markers stand for the value of a pipesim variable inside evaluated strings: a NoEcho
// parameter, a parameter bound to a pipesim variable, a secret. They pass through Fn::Join and
// Fn::Sub as text and become ${NAME} in the pipes file, so the value itself never lands there.
const (
	markOpen  = '\uE000'
	markClose = '\uE001'
)

func mark(name string) string { return string(markOpen) + name + string(markClose) }

var markRE = regexp.MustCompile("\uE000([A-Za-z_][A-Za-z0-9_]*)\uE001")

// quotedMarkRE is a marker as %q writes it.
var quotedMarkRE = regexp.MustCompile(`\\ue000([A-Za-z_][A-Za-z0-9_]*)\\ue001`)

// showMarkers writes the markers in a message as the ${NAME} references they stand for.
func showMarkers(msg string) string {
	msg = markRE.ReplaceAllString(msg, "$${$1}")
	return quotedMarkRE.ReplaceAllString(msg, "$${$1}")
}

// plain is s with each marker replaced by its variable's value, for the functions that need the
// value itself (Fn::Equals).
func (s *stack) plain(str string) string {
	if !strings.ContainsRune(str, markOpen) {
		return str
	}
	return markRE.ReplaceAllStringFunc(str, func(m string) string {
		v, _ := s.lookupVar(m[len(string(markOpen)) : len(m)-len(string(markClose))])
		return v
	})
}

func (s *stack) lookupVar(name string) (string, bool) {
	if v, ok := s.vars[name]; ok {
		return v, true
	}
	if s.opts.Lookup != nil {
		return s.opts.Lookup(name)
	}
	return "", false
}

// containsSecret reports whether str holds the marker of a secret variable.
func containsSecret(str string, secret map[string]bool) bool {
	if !strings.ContainsRune(str, markOpen) {
		return false
	}
	for _, m := range markRE.FindAllStringSubmatch(str, -1) {
		if secret[m[1]] {
			return true
		}
	}
	return false
}

// pseudo parameters, as Ref resolves them.
func (s *stack) pseudo(name string) (any, bool) {
	switch name {
	case "AWS::Region":
		return s.region, true
	case "AWS::AccountId":
		return s.account, true
	case "AWS::StackName":
		return s.name, true
	case "AWS::StackId":
		return fmt.Sprintf("arn:%s:cloudformation:%s:%s:stack/%s/%s", s.partition, s.region, s.account, s.name, uuidOf("stack/"+s.name)), true
	case "AWS::Partition":
		return s.partition, true
	case "AWS::URLSuffix":
		return s.urlSuffix, true
	case "AWS::NoValue":
		return noValue{}, true
	case "AWS::NotificationARNs":
		return []any{}, true
	}
	return nil, false
}

// partitionOf is the partition and URL suffix of a region.
func partitionOf(region string) (string, string) {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn", "amazonaws.com.cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov", "amazonaws.com"
	}
	return "aws", "amazonaws.com"
}

// resolveParameters gives every parameter its value: --parameter-overrides, then an environment
// variable of the same name, then .env beside the template (both through Options.Lookup), then
// its Default. Parameters without a value are reported together.
func (s *stack) resolveParameters() error {
	s.params = map[string]any{}
	var missing []string
	var errs []error
	for _, name := range s.t.ParameterOrder {
		if name == cdkBootstrapParameter {
			continue // CDK's: only its CheckBootstrapVersion rule reads it, and rules are not run
		}
		def, _ := s.t.Parameters[name].(map[string]any)
		v, found, err := s.parameter(name, def)
		switch {
		case err != nil:
			//lint:ignore ST1005 the message starts with the field it is about, spelt as the user wrote it
			errs = append(errs, fmt.Errorf("Parameters.%s: %w", name, err))
		case !found:
			missing = append(missing, name)
		default:
			s.params[name] = v
		}
	}
	for name := range s.opts.Parameters {
		if _, declared := s.t.Parameters[name]; !declared && !strings.HasPrefix(name, "/") {
			s.note("--parameter-overrides %s: the template has no such parameter (ignored)", name)
		}
	}
	if len(missing) > 0 {
		errs = append(errs, fmt.Errorf("parameters without a value: %s (give them with --parameter-overrides NAME=VALUE, the environment or .env beside the template)", strings.Join(missing, ", ")))
	}
	return errors.Join(errs...)
}

// parameter is one parameter's value; found is false when it has none.
func (s *stack) parameter(name string, def map[string]any) (any, bool, error) {
	typ, _ := def["Type"].(string)
	if typ == "" {
		//lint:ignore ST1005 the message starts with the field it is about, spelt as the user wrote it
		return nil, false, errors.New("Type: missing")
	}
	noEcho := def["NoEcho"] == true || def["NoEcho"] == "true"
	var value string
	if variable, ok := s.opts.Bind[name]; ok {
		return mark(variable), true, nil
	} else if v, ok := s.opts.Parameters[name]; ok {
		value = v
	} else if v, ok := s.lookupEnv(name); ok {
		value = v
	} else if d, ok := text(def["Default"]); ok {
		value = d
	} else if def["Default"] != nil {
		//lint:ignore ST1005 the message starts with the field it is about, spelt as the user wrote it
		return nil, false, errors.New("Default: want a string")
	} else {
		return nil, false, nil
	}
	if err := checkParameter(value, typ, def); err != nil {
		if noEcho {
			return nil, false, errors.New("the value does not satisfy the parameter's constraints")
		}
		return nil, false, err
	}
	if strings.HasPrefix(typ, "AWS::SSM::Parameter::Value<") {
		resolved, err := s.ssmValue(value)
		if err != nil {
			return nil, false, err
		}
		value = resolved
		typ = strings.TrimSuffix(strings.TrimPrefix(typ, "AWS::SSM::Parameter::Value<"), ">")
	}
	if noEcho {
		s.vars[name], s.secretVars[name] = value, true
		value = mark(name)
	}
	if strings.HasPrefix(typ, "List<") || typ == "CommaDelimitedList" {
		if noEcho {
			return nil, false, errors.New("a NoEcho list parameter is not supported by pipesim")
		}
		var list []any
		for _, item := range strings.Split(value, ",") {
			list = append(list, strings.TrimSpace(item))
		}
		return list, true, nil
	}
	return value, true, nil
}

// lookupEnv asks Options.Lookup; an empty value counts as unset, as pipesim's ${VAR} has it.
func (s *stack) lookupEnv(name string) (string, bool) {
	if s.opts.Lookup == nil {
		return "", false
	}
	v, ok := s.opts.Lookup(name)
	return v, ok && v != ""
}

// checkParameter applies a parameter's constraints to its value.
func checkParameter(value, typ string, def map[string]any) error {
	if allowed, ok := def["AllowedValues"].([]any); ok {
		if !slices.ContainsFunc(allowed, func(a any) bool { t, _ := text(a); return t == value }) {
			return fmt.Errorf("%q is not one of AllowedValues", value)
		}
	}
	if typ == "Number" {
		if _, err := strconv.ParseFloat(value, 64); err != nil {
			return fmt.Errorf("%q is not a number", value)
		}
		if err := numberRange(value, def); err != nil {
			return err
		}
	}
	if typ == "String" {
		if p, ok := def["AllowedPattern"].(string); ok {
			re, err := regexp.Compile("^(?:" + p + ")$")
			if err != nil {
				return fmt.Errorf("AllowedPattern %q: %v", p, err)
			}
			if !re.MatchString(value) {
				return fmt.Errorf("%q does not match AllowedPattern %s", value, p)
			}
		}
		if err := lengthRange(value, def); err != nil {
			return err
		}
	}
	return nil
}

func numberRange(value string, def map[string]any) error {
	f, _ := strconv.ParseFloat(value, 64)
	if m, ok := text(def["MinValue"]); ok {
		if lim, err := strconv.ParseFloat(m, 64); err == nil && f < lim {
			return fmt.Errorf("%s is less than MinValue %s", value, m)
		}
	}
	if m, ok := text(def["MaxValue"]); ok {
		if lim, err := strconv.ParseFloat(m, 64); err == nil && f > lim {
			return fmt.Errorf("%s is more than MaxValue %s", value, m)
		}
	}
	return nil
}

func lengthRange(value string, def map[string]any) error {
	n := len([]rune(value))
	if m, ok := text(def["MinLength"]); ok {
		if lim, err := strconv.Atoi(m); err == nil && n < lim {
			return fmt.Errorf("%d characters, less than MinLength %d", n, lim)
		}
	}
	if m, ok := text(def["MaxLength"]); ok {
		if lim, err := strconv.Atoi(m); err == nil && n > lim {
			return fmt.Errorf("%d characters, more than MaxLength %d", n, lim)
		}
	}
	return nil
}

// ssmValue is the value of a Systems Manager parameter: --parameter-overrides NAME=VALUE, else
// the environment variable named after it (envName).
func (s *stack) ssmValue(name string) (string, error) {
	if v, ok := s.opts.Parameters[name]; ok {
		return v, nil
	}
	if v, ok := s.lookupEnv(envName(name)); ok {
		return v, nil
	}
	return "", fmt.Errorf("SSM parameter %q has no value here: give it with --parameter-overrides %s=VALUE or the environment variable %s", name, name, envName(name))
}

// envName turns a secret's or an SSM parameter's name into an environment variable's:
// momento-eventbridge-api-key becomes MOMENTO_EVENTBRIDGE_API_KEY, /app/key APP_KEY.
func envName(name string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(name) {
		if r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else if b.Len() > 0 && !strings.HasSuffix(b.String(), "_") {
			b.WriteByte('_')
		}
	}
	out := strings.TrimSuffix(b.String(), "_")
	if out == "" || out[0] >= '0' && out[0] <= '9' {
		out = "_" + out
	}
	return out
}
