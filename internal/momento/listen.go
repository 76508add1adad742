package momento

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// Running is a server listening on a TCP address; Close stops it.
type Running struct {
	url  string
	srv  *http.Server
	done chan error
}

// Listen serves s on addr ("127.0.0.1:0" for a free port) in a goroutine it owns until Close.
// It returns once the port is bound, or the error binding it. Refuse faults reset the
// client's connection, so clients see real connection failures.
func (s *Server) Listen(addr string) (*Running, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	r := &Running{
		url:  "http://" + ln.Addr().String(),
		srv:  &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second},
		done: make(chan error, 1),
	}
	go func() { r.done <- r.srv.Serve(ln) }()
	return r, nil
}

// URL is the base URL of the API, e.g. "http://127.0.0.1:9080".
func (r *Running) URL() string { return r.url }

// Close stops the server at once: it closes the listener and every connection, which ends
// waiting long polls, and blocks until the serving goroutine returns.
func (r *Running) Close() error {
	err := r.srv.Close()
	if serveErr := <-r.done; !errors.Is(serveErr, http.ErrServerClosed) && serveErr != nil {
		return fmt.Errorf("serve %s: %w", r.url, serveErr)
	}
	return err
}
