package cfn

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"math/big"
	"regexp"
	"strings"
)

// dynamicRef matches a dynamic reference: {{resolve:service:...}}.
var dynamicRef = regexp.MustCompile(`\{\{resolve:([^{}]*)\}\}`)

// resolveDynamic replaces the dynamic references in every string of v, as CloudFormation does
// when it hands the resource its properties: secrets become markers of pipesim variables (so the
// pipes file holds ${NAME}, never the value), SSM parameters their values.
func (s *stack) resolveDynamic(v any, path string) (any, error) {
	switch v := v.(type) {
	case string:
		return s.resolveDynamicString(v, path)
	case map[string]any:
		for _, k := range sortedKeys(v) {
			x, err := s.resolveDynamic(v[k], join(path, k))
			if err != nil {
				return nil, err
			}
			v[k] = x
		}
	case []any:
		for i := range v {
			x, err := s.resolveDynamic(v[i], join(path, fmt.Sprintf("[%d]", i)))
			if err != nil {
				return nil, err
			}
			v[i] = x
		}
	}
	return v, nil
}

func (s *stack) resolveDynamicString(str, path string) (string, error) {
	if !strings.Contains(str, "{{resolve:") {
		return str, nil
	}
	var firstErr error
	out := dynamicRef.ReplaceAllStringFunc(str, func(m string) string {
		v, err := s.dynamic(m[len("{{resolve:") : len(m)-2])
		if err != nil && firstErr == nil {
			firstErr = errAt(path, "%s: %v", m, err) // a reference names a secret, never holds one
		}
		return v
	})
	return out, firstErr
}

func (s *stack) dynamic(body string) (string, error) {
	service, rest, _ := strings.Cut(body, ":")
	switch service {
	case "secretsmanager":
		return s.secretRef(rest)
	case "ssm":
		name := ssmName(rest)
		return s.ssmValue(name)
	case "ssm-secure":
		name := ssmName(rest)
		if v, ok := s.opts.Parameters[name]; ok {
			return s.secretVar(envName(name), v), nil
		}
		if v, ok := s.lookupEnv(envName(name)); ok {
			return s.secretVar(envName(name), v), nil
		}
		return "", fmt.Errorf("secure SSM parameter %q has no value here: give it with --parameter-overrides %s=VALUE or the environment variable %s", name, name, envName(name))
	}
	return "", fmt.Errorf("dynamic references to %q are not supported (secretsmanager, ssm and ssm-secure are)", service)
}

// ssmName drops the version from name:version.
func ssmName(rest string) string {
	if i := strings.LastIndexByte(rest, ':'); i > 0 && isDigits(rest[i+1:]) {
		return rest[:i]
	}
	return rest
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// secretRef resolves secret-id:SecretString:json-key:version-stage:version-id, where secret-id
// is a name or an ARN.
func (s *stack) secretRef(rest string) (string, error) {
	var id string
	var fields []string
	if strings.HasPrefix(rest, "arn:") {
		parts := strings.SplitN(rest, ":", 8)
		if len(parts) < 7 {
			return "", fmt.Errorf("%q is not a secret ARN", rest)
		}
		id = strings.Join(parts[:7], ":")
		if len(parts) == 8 {
			fields = strings.Split(parts[7], ":")
		}
	} else {
		parts := strings.Split(rest, ":")
		id, fields = parts[0], parts[1:]
	}
	if id == "" {
		return "", fmt.Errorf("no secret named")
	}
	if len(fields) > 0 && fields[0] != "" && fields[0] != "SecretString" {
		return "", fmt.Errorf("%q: want SecretString", fields[0])
	}
	key := ""
	if len(fields) > 1 {
		key = fields[1]
	}
	name, value, err := s.secretValue(id)
	if err != nil {
		return "", err
	}
	if key == "" {
		if markRE.MatchString(value) && markRE.FindString(value) == value {
			return value, nil // the secret is a pipesim variable already
		}
		return s.secretVar(envName(name), s.plain(value)), nil
	}
	var obj map[string]any
	if err := json.Unmarshal([]byte(s.plain(value)), &obj); err != nil {
		return "", fmt.Errorf("secret %s: the value is not a JSON object, so it has no key %q", name, key)
	}
	x, ok := obj[key]
	if !ok {
		return "", fmt.Errorf("secret %s: no key %q in its JSON", name, key)
	}
	str, ok := x.(string)
	if !ok {
		b, _ := json.Marshal(x)
		str = string(b)
	}
	return s.secretVar(envName(name)+"_"+envName(key), str), nil
}

// secretValue finds a secret: in the template, else --secret, else the environment.
func (s *stack) secretValue(id string) (name, value string, err error) {
	for _, rid := range s.t.ResourceOrder {
		r := s.res[rid]
		if r == nil || r.typ != typeSecret {
			continue
		}
		if ok, err := s.created(r, "Properties"); err != nil || !ok {
			continue
		}
		n, err := s.physicalName(r)
		if err != nil {
			return "", "", err
		}
		if id == n || id == s.secretARN(n) {
			v, err := s.templateSecret(r, n)
			return n, v, err
		}
	}
	name = id
	if strings.HasPrefix(id, "arn:") {
		name = secretNameOfARN(id)
	}
	for _, k := range []string{id, name} {
		if v, ok := s.opts.Secrets[k]; ok {
			return name, v, nil
		}
	}
	if v, ok := s.lookupEnv(envName(name)); ok {
		return name, v, nil
	}
	return "", "", fmt.Errorf("secret %q is not in the template: give it with --secret %s=VALUE or the environment variable %s", name, name, envName(name))
}

// secretNameOfARN is the name in arn:...:secret:NAME-XXXXXX.
func secretNameOfARN(arn string) string {
	parts := strings.SplitN(arn, ":", 7)
	name := parts[len(parts)-1]
	if i := strings.LastIndexByte(name, '-'); i > 0 && len(name)-i == 7 {
		name = name[:i]
	}
	return name
}

// templateSecret is the value of an AWS::SecretsManager::Secret: its SecretString, else --secret
// or the environment, else one made up from its GenerateSecretString.
func (s *stack) templateSecret(r *resource, name string) (string, error) {
	if v, ok := s.secretValues[r.id]; ok {
		return v, nil
	}
	var value string
	if raw, ok := r.props["SecretString"]; ok {
		v, err := s.evalString(raw, "Properties.SecretString")
		if err != nil {
			return "", fmt.Errorf("secret %s: %w", name, err)
		}
		value = v
	} else if v, ok := s.opts.Secrets[name]; ok {
		value = v
	} else if v, ok := s.lookupEnv(envName(name)); ok {
		value = v
	} else {
		gen, err := s.eval(r.props["GenerateSecretString"], "Properties.GenerateSecretString")
		if err != nil {
			return "", fmt.Errorf("secret %s: %w", name, err)
		}
		if value, err = generateSecret(gen); err != nil {
			return "", fmt.Errorf("secret %s: Properties.GenerateSecretString: %w", name, err)
		}
		s.note("secret %s: value made up from its GenerateSecretString (choose one with --secret %s=VALUE)", name, name)
	}
	s.secretValues[r.id] = value
	return value, nil
}

// secretVar registers a secret's value under a pipesim variable and returns its marker. A
// name taken by another value gets a numbered suffix.
func (s *stack) secretVar(name, value string) string {
	for i := 2; ; i++ {
		old, taken := s.vars[name]
		if !taken || old == value {
			break
		}
		name = fmt.Sprintf("%s_%d", strings.TrimRight(name, "_0123456789"), i)
	}
	s.vars[name], s.secretVars[name] = value, true
	return mark(name)
}

// generateSecret makes a password as Secrets Manager's GenerateSecretString describes it.
func generateSecret(spec any) (string, error) {
	m, _ := spec.(map[string]any)
	length := 32
	if l, ok := text(m["PasswordLength"]); ok {
		if _, err := fmt.Sscan(l, &length); err != nil || length < 1 || length > 4096 {
			return "", fmt.Errorf("PasswordLength %q: want 1 to 4096", l)
		}
	}
	set := passwordAlphabet(m)
	if set == "" {
		return "", fmt.Errorf("every kind of character is excluded")
	}
	b := make([]byte, length)
	for i := range b {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(set))))
		if err != nil {
			return "", err
		}
		b[i] = set[n.Int64()]
	}
	password := string(b)
	tmpl, hasTmpl := m["SecretStringTemplate"].(string)
	key, hasKey := m["GenerateStringKey"].(string)
	if !hasTmpl || !hasKey {
		return password, nil
	}
	var obj map[string]any
	if err := json.Unmarshal([]byte(tmpl), &obj); err != nil {
		return "", fmt.Errorf("SecretStringTemplate: not a JSON object")
	}
	obj[key] = password
	out, _ := json.Marshal(obj)
	return string(out), nil
}

func passwordAlphabet(m map[string]any) string {
	excluded := func(k string) bool { return m[k] == true || m[k] == "true" }
	var set string
	if !excluded("ExcludeLowercase") {
		set += "abcdefghijklmnopqrstuvwxyz"
	}
	if !excluded("ExcludeUppercase") {
		set += "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	}
	if !excluded("ExcludeNumbers") {
		set += "0123456789"
	}
	if !excluded("ExcludePunctuation") {
		set += "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
	}
	if m["IncludeSpace"] == true || m["IncludeSpace"] == "true" {
		set += " "
	}
	if ex, ok := m["ExcludeCharacters"].(string); ok {
		set = strings.Map(func(r rune) rune {
			if strings.ContainsRune(ex, r) {
				return -1
			}
			return r
		}, set)
	}
	return set
}
