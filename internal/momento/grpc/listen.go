package momentogrpc

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/peer"
)

// tlsRecordHandshake is the first byte of every TLS connection (a handshake record); the first
// byte of an HTTP/2 connection in the clear is the 'P' of its preface.
const tlsRecordHandshake = 0x16

// sniffCreds serves TLS and plain-text clients on one port: it reads the connection's first
// byte, and runs the TLS handshake only when the client started one. The AuthInfo it returns
// says which it was (peer.FromContext), so the key check can tell them apart. It also keeps
// every open connection by its remote address, so a refuse fault can drop the connection a
// request came on.
type sniffCreds struct {
	tls   *tls.Config // nil: plain text only
	mu    sync.Mutex
	conns map[string]net.Conn
}

func newSniffCreds(cfg *tls.Config) *sniffCreds {
	return &sniffCreds{tls: cfg, conns: map[string]net.Conn{}}
}

// plainInfo is the AuthInfo of a plain-text connection.
type plainInfo struct{ credentials.CommonAuthInfo }

func (plainInfo) AuthType() string { return "insecure" }

// ServerHandshake is called by grpc-go in the connection's own goroutine, under its
// connection timeout.
func (c *sniffCreds) ServerHandshake(raw net.Conn) (net.Conn, credentials.AuthInfo, error) {
	br := bufio.NewReader(raw)
	first, err := br.Peek(1)
	if err != nil {
		return nil, nil, err
	}
	conn := net.Conn(&peekedConn{Conn: raw, r: br})
	var info credentials.AuthInfo = plainInfo{credentials.CommonAuthInfo{SecurityLevel: credentials.NoSecurity}}
	if first[0] == tlsRecordHandshake {
		if c.tls == nil {
			return nil, nil, errors.New("TLS is not configured on this server")
		}
		tc := tls.Server(conn, c.tls)
		if err := tc.Handshake(); err != nil {
			return nil, nil, err
		}
		conn = tc
		info = credentials.TLSInfo{State: tc.ConnectionState(), CommonAuthInfo: credentials.CommonAuthInfo{SecurityLevel: credentials.PrivacyAndIntegrity}}
	}
	tracked := &trackedConn{Conn: conn, raw: raw, creds: c}
	c.mu.Lock()
	c.conns[raw.RemoteAddr().String()] = tracked
	c.mu.Unlock()
	return tracked, info, nil
}

func (c *sniffCreds) ClientHandshake(context.Context, string, net.Conn) (net.Conn, credentials.AuthInfo, error) {
	return nil, nil, errors.New("sniffCreds is a server-side credential")
}

func (c *sniffCreds) Info() credentials.ProtocolInfo {
	return credentials.ProtocolInfo{SecurityProtocol: "tls-or-plaintext"}
}

func (c *sniffCreds) Clone() credentials.TransportCredentials { return newSniffCreds(c.tls) }

func (c *sniffCreds) OverrideServerName(string) error { return nil }

// drop closes, with a TCP reset, the connection the request of ctx arrived on; it reports
// whether it found it.
func (c *sniffCreds) drop(ctx context.Context) bool {
	p, ok := peer.FromContext(ctx)
	if !ok || p.Addr == nil {
		return false
	}
	c.mu.Lock()
	conn := c.conns[p.Addr.String()]
	c.mu.Unlock()
	if conn == nil {
		return false
	}
	if t, ok := conn.(*trackedConn); ok {
		if tcp, ok := t.raw.(*net.TCPConn); ok {
			_ = tcp.SetLinger(0)
		}
	}
	_ = conn.Close()
	return true
}

// isTLS reports whether the request of ctx came over TLS.
func isTLS(ctx context.Context) bool {
	p, ok := peer.FromContext(ctx)
	if !ok {
		return false
	}
	_, tlsInfo := p.AuthInfo.(credentials.TLSInfo)
	return tlsInfo
}

// peekedConn reads through the buffer that holds the peeked byte.
type peekedConn struct {
	net.Conn
	r *bufio.Reader
}

func (p *peekedConn) Read(b []byte) (int, error) { return p.r.Read(b) }

// trackedConn forgets itself when closed.
type trackedConn struct {
	net.Conn
	raw   net.Conn
	creds *sniffCreds
	once  sync.Once
}

func (t *trackedConn) Close() error {
	t.once.Do(func() {
		t.creds.mu.Lock()
		if t.creds.conns[t.raw.RemoteAddr().String()] == t {
			delete(t.creds.conns, t.raw.RemoteAddr().String())
		}
		t.creds.mu.Unlock()
	})
	return t.Conn.Close()
}

// Running is a gRPC server listening on a TCP address; Close stops it.
type Running struct {
	addr string
	srv  *grpc.Server
	done chan error
}

// Listen serves s on addr ("127.0.0.1:0" for a free port), TLS and plain text on the same
// port, in a goroutine it owns until Close. It returns once the port is bound, or the error
// binding it.
func (s *Server) Listen(addr string) (*Running, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	return s.Serve(ln), nil
}

// Serve serves s on ln in a goroutine it owns until Close.
func (s *Server) Serve(ln net.Listener) *Running {
	r := &Running{addr: ln.Addr().String(), srv: s.grpc, done: make(chan error, 1)}
	go func() { r.done <- s.grpc.Serve(ln) }()
	return r
}

// Addr is the address the server listens on, host:port.
func (r *Running) Addr() string { return r.addr }

// Close stops the server at once: it closes the listener and every connection, which ends
// open subscriptions, and blocks until the serving goroutine returns.
func (r *Running) Close() error {
	stopped := make(chan struct{})
	go func() { r.srv.Stop(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(5 * time.Second): // Stop waits for handlers; they all watch their context
	}
	if err := <-r.done; err != nil && !errors.Is(err, grpc.ErrServerStopped) {
		return fmt.Errorf("serve gRPC on %s: %w", r.addr, err)
	}
	return nil
}
