// Package cfn reads the design from its real infrastructure: a CloudFormation template (JSON or
// YAML with its short-form tags, SAM included) or a cdk.out directory, with parameters, pseudo
// parameters, conditions, mappings, intrinsic functions and dynamic references resolved as
// CloudFormation resolves them. It turns the resources pipesim runs into pipesim's own pipes
// file (the one internal/config reads and validates: config stays the only place that checks a
// pipe), with every secret as a ${NAME} reference and a config.Lookup that holds the values.
// Errors name the resource's logical ID and the property path.
//
// github.com/awslabs/goformation/v7 serves here for its typed resources: its structs, generated
// from CloudFormation's resource specification, are the schema each property is checked
// against (names, types, required) and what the properties decode into. Its template parser and
// intrinsic handling are not used, because measured (v7.14.9) on the seed's template they fall
// short: Ref and Fn::GetAtt to resources resolve to empty strings (the seed's pipes get Source
// "" and Target ""), and so does ${Resource} in Fn::Sub; Fn::Select over Fn::Split over the
// secret's Ref yields nothing (the API key's reference becomes
// {{resolve:secretsmanager::SecretString:::}}); dynamic references are left unresolved; there
// are no stand-ins for resources pipesim does not run and no property paths in errors. The
// resolver here evaluates the template before the typed decode instead, and reads YAML with
// go.yaml.in/yaml/v3's Node API, which exposes the short-form tags.
package cfn
