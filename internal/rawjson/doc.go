// Package rawjson is pipesim's one JSON reader and string writer, and the Doc every stage reads a
// record through. Records are read in place: nothing is decoded into Go values, a path's value is
// a span of the record's bytes, and strings are scanned eight bytes at a time. Everything else
// pipesim does with JSON (stream records, filters, templates, HTTP parameters, replay's readers,
// the dry run and the execution logs) goes through this package, so there is one scanner, one
// string unescaper and one string writer to get right.
//
//   - The scanner (scan.go) finds where a string or value ends, the member of an object with a
//     given key (the first of duplicate keys, as Pipes' JSONPath and EventBridge patterns take
//     it), the n-th element of an array, and the next member or element. It allocates nothing.
//     ValueEnd and StringEnd only find extents (the bytes between are not checked beyond what
//     finding the end needs); ScanString and CompactEnd check what they pass over.
//   - AppendUnescaped decodes a string's escapes; AppendString and AppendStringContent write a
//     Go string as a JSON string in one of a few named Modes: the places that write JSON differ on
//     purpose (a DynamoDB record as AWS's Java serializer writes it, a template's output, what
//     pipesim itself prints), and each picks its Mode by name rather than carrying its own writer.
//   - A Doc is a record's bytes and a small, bounded memo of what readers found in them: where
//     the values of paths are (or that they are absent), and notes that a package keeps about the
//     record under its own Key. A filter that found $.dynamodb.NewImage leaves it in the Doc, and
//     the template rendered next starts from there instead of searching again.
//
// It is hand-written rather than built on encoding/json or gjson because the stages need what
// neither gives: positions of values in the original bytes (to resume a walk, to share it between
// stages) and appending to caller-owned buffers without allocating.
//
// This is the one package of pipesim that uses unsafe: to read eight bytes of a string as a word,
// and to view a Doc's immutable bytes as strings without copying.
package rawjson
