// Package momento is a local stand-in for Momento: a Store of caches and topics, an http.Handler
// serving Momento's HTTP API over it (GET, PUT, DELETE /cache/{cache}; POST, GET
// /topics/{cache}/{topic}) the way Momento documents it, with per-route fault injection, the
// development API keys and local certificate authority its gRPC side (internal/momento/grpc)
// uses, and a small client that speaks the HTTP API to the embedded server or the real service.
package momento
