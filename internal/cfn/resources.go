package cfn

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// Resource types pipesim runs, or reads for the ones it runs.
const (
	typePipe        = "AWS::Pipes::Pipe"
	typeConnection  = "AWS::Events::Connection"
	typeDestination = "AWS::Events::ApiDestination"
	typeTable       = "AWS::DynamoDB::Table"
	typeGlobalTable = "AWS::DynamoDB::GlobalTable"
	typeQueue       = "AWS::SQS::Queue"
	typeLogGroup    = "AWS::Logs::LogGroup"
	typeSecret      = "AWS::SecretsManager::Secret"
)

// nameProperty is the property that names each supported type's resource, and the longest name
// the service takes (CloudFormation makes a name up when the property is absent).
var nameProperty = map[string]struct {
	prop string
	max  int
}{
	typePipe: {"Name", 64}, typeConnection: {"Name", 64}, typeDestination: {"Name", 64},
	typeTable: {"TableName", 255}, typeGlobalTable: {"TableName", 255}, typeQueue: {"QueueName", 80},
	typeLogGroup: {"LogGroupName", 512}, typeSecret: {"Name", 512},
}

// resource is one entry of Resources.
type resource struct {
	id, typ   string
	props     map[string]any
	condition string
	dependsOn []string

	name     string // physical name, once known
	resolved bool
	busy     bool
}

func (s *stack) readResources() error {
	s.res = map[string]*resource{}
	var errs []error
	for _, id := range s.t.ResourceOrder {
		r, err := readResource(id, s.t.Resources[id])
		if err != nil {
			errs = append(errs, err)
			continue
		}
		s.res[id] = r
	}
	return joinErrs(errs)
}

func readResource(id string, v any) (*resource, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s: want a mapping with Type and Properties", id)
	}
	r := &resource{id: id}
	if r.typ, ok = m["Type"].(string); !ok {
		return nil, fmt.Errorf("%s: Type: missing", id)
	}
	if p, ok := m["Properties"]; ok && p != nil {
		if r.props, ok = p.(map[string]any); !ok {
			return nil, fmt.Errorf("%s: Properties: want a mapping", id)
		}
	}
	if c, ok := m["Condition"]; ok {
		if r.condition, ok = c.(string); !ok {
			return nil, fmt.Errorf("%s: Condition: want a condition's name", id)
		}
	}
	switch d := m["DependsOn"].(type) {
	case string:
		r.dependsOn = []string{d}
	case []any:
		for _, x := range d {
			if str, ok := x.(string); ok {
				r.dependsOn = append(r.dependsOn, str)
			}
		}
	}
	return r, nil
}

// created reports whether a resource exists in this deployment (its Condition holds).
func (s *stack) created(r *resource, path string) (bool, error) {
	if r.condition == "" {
		return true, nil
	}
	return s.conditionNamed(r.condition, path)
}

// ref resolves Ref to a pseudo parameter, a parameter or a resource.
func (s *stack) ref(name, path string) (any, error) {
	if v, ok := s.pseudo(name); ok {
		return v, nil
	}
	if v, ok := s.params[name]; ok {
		return v, nil
	}
	if name == cdkBootstrapParameter {
		if _, declared := s.t.Parameters[name]; declared {
			return "20", nil // any bootstrap version CDK's rule accepts
		}
	}
	if _, ok := s.res[name]; ok {
		return s.resourceAttr(name, "Ref", path)
	}
	if _, declared := s.t.Parameters[name]; declared {
		return nil, errAt(path, "parameter %s has no value", name)
	}
	return nil, errAt(path, "Ref %s: no parameter or resource of that name", name)
}

// resourceAttr is Ref (attr "Ref") or Fn::GetAtt of a resource.
func (s *stack) resourceAttr(id, attr, path string) (any, error) {
	r, ok := s.res[id]
	if !ok {
		if s.samImplicit(id) {
			return s.stub(&resource{id: id, typ: "AWS::Serverless (generated)"}, attr), nil
		}
		return nil, errAt(path, "%s: no resource of that name", id)
	}
	ok, err := s.created(r, path)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errAt(path, "%s is not created: its Condition %s is false", id, r.condition)
	}
	if _, runs := nameProperty[r.typ]; !runs {
		return s.stub(r, attr), nil
	}
	name, err := s.physicalName(r)
	if err != nil {
		return nil, err
	}
	if attr == "StreamArn" && r.props["StreamSpecification"] == nil && (r.typ == typeTable || r.typ == typeGlobalTable) {
		return nil, errAt(path, "%s has no StreamSpecification, so no StreamArn (a pipe needs the table's stream)", id)
	}
	v, ok := s.attribute(r, name, attr)
	if !ok {
		return nil, errAt(path, "%s (%s) has no attribute %s", id, r.typ, attr)
	}
	return v, nil
}

// physicalName is a resource's name: its name property, else one made up as CloudFormation
// does (stack-LogicalID-SUFFIX), the same on every run.
func (s *stack) physicalName(r *resource) (string, error) {
	if r.resolved {
		return r.name, nil
	}
	if r.busy {
		return "", fmt.Errorf("%s: its name depends on itself", r.id)
	}
	r.busy = true
	defer func() { r.busy = false }()
	np := nameProperty[r.typ]
	if raw, ok := r.props[np.prop]; ok {
		name, err := s.evalString(raw, "Properties."+np.prop)
		if err != nil {
			return "", fmt.Errorf("%s: %w", r.id, err)
		}
		r.name = s.plain(name)
	} else {
		r.name = s.generatedName(r, np.max)
	}
	r.resolved = true
	return r.name, nil
}

func (s *stack) generatedName(r *resource, max int) string {
	suffix := strings.ToUpper(hashOf(s.name + "/" + r.id)[:13])
	if r.typ == typeSecret {
		return r.id + "-" + suffix[:12]
	}
	fifo := r.typ == typeQueue && (r.props["FifoQueue"] == true || r.props["FifoQueue"] == "true")
	if fifo {
		max -= len(".fifo")
	}
	base := s.name + "-" + r.id
	if len(base) > max-len(suffix)-1 {
		base = base[:max-len(suffix)-1]
	}
	name := base + "-" + suffix
	if fifo {
		name += ".fifo"
	}
	return name
}

func hashOf(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// uuidOf is a UUID-shaped identifier made from s, the same on every run.
func uuidOf(s string) string {
	h := hashOf(s)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// attribute is the value CloudFormation gives Ref (attr "Ref") or Fn::GetAtt of a resource
// pipesim runs.
func (s *stack) attribute(r *resource, name, attr string) (any, bool) {
	arn := func(service, resource string) string {
		return fmt.Sprintf("arn:%s:%s:%s:%s:%s", s.partition, service, s.region, s.account, resource)
	}
	switch r.typ + "." + attr {
	case typeTable + ".Ref", typeGlobalTable + ".Ref", typeConnection + ".Ref", typeDestination + ".Ref",
		typePipe + ".Ref", typeLogGroup + ".Ref", typeQueue + ".QueueName":
		return name, true
	case typeTable + ".Arn", typeGlobalTable + ".Arn":
		return arn("dynamodb", "table/"+name), true
	case typeTable + ".StreamArn", typeGlobalTable + ".StreamArn":
		return s.streamARN(name), true
	case typeGlobalTable + ".TableId":
		return uuidOf("table/" + name), true
	case typeQueue + ".Ref", typeQueue + ".QueueUrl":
		return fmt.Sprintf("https://sqs.%s.%s/%s/%s", s.region, s.urlSuffix, s.account, name), true
	case typeQueue + ".Arn":
		return arn("sqs", name), true
	case typeLogGroup + ".Arn":
		return arn("logs", "log-group:"+name+":*"), true
	case typeConnection + ".Arn", typeConnection + ".ArnForPolicy":
		return arn("events", "connection/"+name+"/"+uuidOf("connection/"+name)), true
	case typeConnection + ".SecretArn":
		return arn("secretsmanager", "secret:events!connection/"+name+"/"+uuidOf("connection/"+name)+"-"+secretSuffix(name)), true
	case typeDestination + ".Arn", typeDestination + ".ArnForPolicy":
		return arn("events", "api-destination/"+name+"/"+uuidOf("api-destination/"+name)), true
	case typePipe + ".Arn":
		return arn("pipes", "pipe/"+name), true
	case typePipe + ".CurrentState":
		return "RUNNING", true
	case typePipe + ".StateReason":
		return "", true
	case typePipe + ".CreationTime", typePipe + ".LastModifiedTime":
		return "2024-01-01T00:00:00.000Z", true
	case typeSecret + ".Ref", typeSecret + ".Id":
		return s.secretARN(name), true
	}
	return nil, false
}

// streamLabel is the label of the stream ARNs pipesim makes up; a pipe whose source is one reads
// the table's live stream in DynamoDB Local instead.
const streamLabel = "2024-01-01T00:00:00.000"

func (s *stack) streamARN(table string) string {
	a := fmt.Sprintf("arn:%s:dynamodb:%s:%s:table/%s/stream/%s", s.partition, s.region, s.account, table, streamLabel)
	s.streamTables[a] = table
	return a
}

func (s *stack) secretARN(name string) string {
	return fmt.Sprintf("arn:%s:secretsmanager:%s:%s:secret:%s-%s", s.partition, s.region, s.account, name, secretSuffix(name))
}

// secretSuffix is the six characters Secrets Manager appends to a secret's name in its ARN.
func secretSuffix(name string) string {
	const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	h := hashOf("secret/" + name)
	out := make([]byte, 6)
	for i := range out {
		out[i] = letters[int(h[i*2])%len(letters)]
	}
	return string(out)
}

// stub is a plausible value for Ref or Fn::GetAtt of a resource pipesim does not run; each is
// listed once.
func (s *stack) stub(r *resource, attr string) any {
	v := s.plausible(r, attr)
	key := r.id + "." + attr
	if !s.stubSeen[key] {
		s.stubSeen[key] = true
		what := r.id
		if attr != "Ref" {
			what += "." + attr
		}
		s.stubs = append(s.stubs, fmt.Sprintf("%s (%s) = %s", what, r.typ, v))
	}
	return v
}

// plausible makes up what CloudFormation would return, in the shape of the real thing, for the
// types pipes commonly refer to; a generic ARN otherwise.
func (s *stack) plausible(r *resource, attr string) string {
	name := s.stubName(r)
	regional := func(service, res string) string {
		return fmt.Sprintf("arn:%s:%s:%s:%s:%s", s.partition, service, s.region, s.account, res)
	}
	global := func(service, res string) string {
		return fmt.Sprintf("arn:%s:%s::%s:%s", s.partition, service, s.account, res)
	}
	switch r.typ {
	case "AWS::IAM::Role":
		if attr == "Arn" {
			return global("iam", "role/"+name)
		}
		if attr == "RoleId" {
			return "AROA" + strings.ToUpper(hashOf(name)[:17])
		}
	case "AWS::IAM::ManagedPolicy":
		return global("iam", "policy/"+name)
	case "AWS::Lambda::Function", "AWS::Serverless::Function":
		if attr == "Arn" {
			return regional("lambda", "function:"+name)
		}
	case "AWS::SNS::Topic":
		if attr == "Ref" || attr == "TopicArn" {
			return regional("sns", name)
		}
	case "AWS::S3::Bucket":
		if attr == "Arn" {
			return fmt.Sprintf("arn:%s:s3:::%s", s.partition, strings.ToLower(name))
		}
		if attr == "Ref" {
			return strings.ToLower(name)
		}
	case "AWS::Kinesis::Stream":
		if attr == "Arn" {
			return regional("kinesis", "stream/"+name)
		}
	case "AWS::Events::EventBus":
		if attr == "Arn" {
			return regional("events", "event-bus/"+name)
		}
	case "AWS::StepFunctions::StateMachine":
		if attr == "Ref" || attr == "Arn" {
			return regional("states", "stateMachine:"+name)
		}
	case "AWS::KMS::Key":
		if attr == "Arn" {
			return regional("kms", "key/"+uuidOf(name))
		}
		return uuidOf(name)
	}
	if attr == "Ref" {
		return name
	}
	if strings.HasSuffix(attr, "Arn") {
		service, kind := serviceOf(r.typ)
		return regional(service, kind+"/"+name)
	}
	return name + "." + attr
}

// stubName is a resource's name for a stand-in: a name property the types commonly have when it
// is a plain string, else one made up.
func (s *stack) stubName(r *resource) string {
	for _, p := range []string{"RoleName", "FunctionName", "TopicName", "BucketName", "Name", "StateMachineName", "PolicyName", "ManagedPolicyName"} {
		if v, ok := r.props[p].(string); ok && v != "" {
			return v
		}
	}
	return s.generatedName(r, 64)
}

// serviceOf is "dynamodb", "table" for "AWS::DynamoDB::Table".
func serviceOf(typ string) (string, string) {
	parts := strings.Split(typ, "::")
	if len(parts) != 3 {
		return "custom", strings.ToLower(typ)
	}
	return strings.ToLower(parts[1]), strings.ToLower(parts[2])
}

// samImplicit reports whether id is a resource the SAM transform would generate from one of the
// template's AWS::Serverless resources (MyFunctionRole from MyFunction).
func (s *stack) samImplicit(id string) bool {
	if !s.t.has(samTransform) {
		return false
	}
	for _, r := range s.res {
		if strings.HasPrefix(r.typ, "AWS::Serverless::") && strings.HasPrefix(id, r.id) {
			return true
		}
	}
	return false
}

// checkCycles reports a circular dependency among the resources (through Ref, Fn::GetAtt,
// Fn::Sub and DependsOn), which CloudFormation refuses, and a DependsOn naming no resource.
func (s *stack) checkCycles() error {
	deps := map[string][]string{}
	var errs []error
	for _, id := range s.t.ResourceOrder {
		r, ok := s.res[id]
		if !ok {
			continue
		}
		seen := map[string]bool{}
		s.refsIn(r.props, seen)
		for _, d := range r.dependsOn {
			if _, ok := s.res[d]; !ok {
				errs = append(errs, fmt.Errorf("%s: DependsOn: %s: no resource of that name", id, d))
			}
			seen[d] = true
		}
		for d := range seen {
			if _, ok := s.res[d]; ok {
				deps[id] = append(deps[id], d)
			}
		}
	}
	const (
		visiting = 1
		done     = 2
	)
	state := map[string]int{}
	var stack []string
	var visit func(id string) error
	visit = func(id string) error {
		switch state[id] {
		case visiting:
			i := indexOf(stack, id)
			return fmt.Errorf("%s: circular dependency: %s -> %s", id, strings.Join(stack[i:], " -> "), id)
		case done:
			return nil
		}
		state[id] = visiting
		stack = append(stack, id)
		for _, d := range sortedStrings(deps[id]) {
			if err := visit(d); err != nil {
				return err
			}
		}
		stack = stack[:len(stack)-1]
		state[id] = done
		return nil
	}
	for _, id := range s.t.ResourceOrder {
		if err := visit(id); err != nil {
			return err
		}
	}
	return joinErrs(errs)
}

// refsIn collects the logical IDs v refers to.
func (s *stack) refsIn(v any, out map[string]bool) {
	if fn, arg, ok := intrinsic(v); ok {
		switch fn {
		case "Ref":
			if name, ok := arg.(string); ok {
				out[name] = true
			}
			return
		case "Fn::GetAtt":
			switch a := arg.(type) {
			case []any:
				if len(a) > 0 {
					if id, ok := a[0].(string); ok {
						out[id] = true
					}
				}
			case string:
				id, _, _ := strings.Cut(a, ".")
				out[id] = true
			}
			return
		case "Fn::Sub":
			subRefs(arg, out)
		}
		s.refsIn(arg, out)
		return
	}
	switch v := v.(type) {
	case map[string]any:
		for _, x := range v {
			s.refsIn(x, out)
		}
	case []any:
		for _, x := range v {
			s.refsIn(x, out)
		}
	}
}

func subRefs(arg any, out map[string]bool) {
	tmpl, _ := arg.(string)
	var vars map[string]any
	if list, ok := arg.([]any); ok && len(list) > 0 {
		tmpl, _ = list[0].(string)
		if len(list) > 1 {
			vars, _ = list[1].(map[string]any)
		}
	}
	for {
		i := strings.Index(tmpl, "${")
		if i < 0 {
			return
		}
		end := strings.IndexByte(tmpl[i:], '}')
		if end < 0 {
			return
		}
		name := tmpl[i+2 : i+end]
		tmpl = tmpl[i+end+1:]
		name = strings.TrimSpace(name)
		if _, isVar := vars[name]; !isVar && !strings.HasPrefix(name, "!") {
			id, _, _ := strings.Cut(name, ".")
			out[id] = true
		}
	}
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return 0
}
