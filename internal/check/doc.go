// Package check finds the mistakes of a design that load without error: the service accepts
// them, and they show only as records that never match, requests with empty values, batches that
// never reach a dead-letter queue. It works on a loaded, validated config.Config, so every
// finding is about what the pipes will do, and it reuses what the stages know: the filters' own
// warnings (filter.Filters.Warnings), which records can pass a filter (filter.Filters.MayMatch),
// and the paths templates and parameters read.
//
// Each finding has a stable code (PS001, ...; Rules lists them and docs/check.md says which AWS
// documentation each rests on), names the object and field it is about, and says what to do.
// `pipesim check` prints them and exits non-zero on errors; run, demo, replay and test print them
// at start.
package check
