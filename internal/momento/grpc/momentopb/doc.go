// Package momentopb is the generated Go code of pipesim's own definition of the part of
// Momento's SDK protocol (gRPC) that the embedded server speaks: the cache data plane
// (cache_client.Scs), topics (cache_client.pubsub.Pubsub) and the control plane
// (control_client.ScsControl). The .proto files beside it are the source; edit them and run
// `go generate ./internal/momento/grpc/momentopb` to regenerate.
package momentopb

//go:generate go run ./internal/protogen
