// Package momentogrpc serves the part of Momento's SDK protocol (gRPC) that applications use
// to read what pipes write: the cache data plane (cache_client.Scs: Get, Set, Delete,
// SetIfNotExists, KeysExist, Increment, UpdateTtl, ItemGetTtl), topics
// (cache_client.pubsub.Pubsub: Publish, Subscribe) and the control plane
// (control_client.ScsControl: CreateCache, DeleteCache, ListCaches, FlushCache). Every other
// method answers UNIMPLEMENTED with its name.
//
// It serves the store of an embedded Momento HTTP server (momento.Server), so both APIs share
// one state: an item a pipe PUTs over HTTP is a hit for an SDK's get, and a message published
// on either side reaches subscribers on both. It also checks keys with that server's rule and
// takes its fault injection (--momento-fault), route by route.
//
// One port serves TLS (for applications that build their client from an API key, which always
// connects over TLS) and plain text (for CredentialProvider.forMomentoLocal): the first byte of
// a connection tells which. A plain-text request may come without a key, as
// forMomentoLocal sends an empty one and Momento's own local server needs none; a key that is
// sent must be valid. Config.RequireKey makes the key required on plain text too.
//
// The messages are Go code generated from pipesim's own .proto files (package momentopb) with
// protoc-gen-go and protoc-gen-go-grpc, driven by github.com/bufbuild/protocompile since no
// protoc is installed: generated code is checked by the protobuf runtime and the plugins'
// authors, where hand-written protowire code would have to be checked by us, field by field.
// The package is named momentogrpc so that it does not clash with google.golang.org/grpc.
package momentogrpc
