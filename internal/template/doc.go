// Package template compiles and renders EventBridge Pipes input templates
// (TargetParameters.InputTemplate) and dynamic HTTP parameters ($.path values in
// TargetParameters.HttpParameters).
//
// Everything a user writes is parsed once by Compile or CompileParam, which return positioned
// errors; rendering a record never parses the template again. Render appends to a caller-owned
// buffer and, for templates whose paths hold no wildcard, allocates nothing itself.
//
// The rules it implements, with their evidence, are in docs/templates.md and
// docs/fidelity.md ("Input templates").
package template
