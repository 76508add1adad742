// Command protogen regenerates the Go code of the .proto files in the current directory with no
// protoc installed: github.com/bufbuild/protocompile (a Go module) compiles them into
// descriptors, and the official plugins protoc-gen-go and protoc-gen-go-grpc, run through
// `go tool` (go.mod's tool directives pin their versions), turn the descriptors into code, the
// same request protoc would hand them. Run it through `go generate` in momentopb.
package main
