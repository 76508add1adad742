package webui

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
)

// The page answers only its own user:
//
//   - a request whose Host is not one of Server.Hosts (by default the loopback names) is refused
//     with 421, so a page of another site that points its own name at 127.0.0.1 (DNS rebinding)
//     reads nothing;
//   - a write (PUT, DELETE) needs the run's token, from the cookie that opening the URL pipesim
//     printed sets (?token=...), or from the X-Pipesim-Token header, and an Origin, when the
//     browser sends one, that is the page's own: another site cannot change items even through
//     the user's browser (the cookie is SameSite=Strict, too).

// TokenHeader carries the run's token on a write, for clients other than the page.
const TokenHeader = "X-Pipesim-Token"

// NewToken returns a random token for one run of the page.
func NewToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Hosts are the Host values that name a listener on addr (the address pipesim listens on) and
// may reach the page: localhost, 127.0.0.1 and [::1] with its port, the host given on the
// command line (given, which may be empty), and when addr is every interface (0.0.0.0, ::) the
// machine's name and the addresses of its interfaces.
func Hosts(addr net.Addr, given string) []string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return nil
	}
	port := strconv.Itoa(tcp.Port)
	names := []string{"localhost", "127.0.0.1", "::1", tcp.IP.String()}
	if given != "" {
		names = append(names, given)
	}
	if tcp.IP.IsUnspecified() {
		if name, err := os.Hostname(); err == nil {
			names = append(names, name)
		}
		if addrs, err := net.InterfaceAddrs(); err == nil {
			for _, a := range addrs {
				if ipn, ok := a.(*net.IPNet); ok {
					names = append(names, ipn.IP.String())
				}
			}
		}
	}
	hosts := make([]string, 0, len(names))
	for _, n := range names {
		hosts = append(hosts, strings.ToLower(net.JoinHostPort(n, port)))
		if port == "80" {
			hosts = append(hosts, strings.ToLower(strings.Trim(n, "[]")))
		}
	}
	return hosts
}

// guard wraps the page's handler with the checks above.
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.hostAllowed(r.Host) {
			writeError(w, http.StatusMisdirectedRequest, errors.New("this page answers only the address pipesim listens on"))
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if o := r.Header.Get("Origin"); o != "" && !strings.EqualFold(o, "http://"+r.Host) {
				writeError(w, http.StatusForbidden, errors.New("a write must come from the page itself (Origin)"))
				return
			}
			if !s.tokenOK(r) {
				writeError(w, http.StatusForbidden, errors.New("a write needs this run's token: open the page at the URL 'pipesim run' printed"))
				return
			}
		}
		if t := r.URL.Query().Get("token"); r.Method == http.MethodGet && r.URL.Path == "/" && t != "" {
			if !s.tokenIs(t) {
				writeError(w, http.StatusForbidden, errors.New("not this run's token: open the page at the URL 'pipesim run' printed"))
				return
			}
			// Keep the token in a cookie and take it out of the address bar.
			http.SetCookie(w, &http.Cookie{Name: s.cookieName(r), Value: t, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
			http.Redirect(w, r, "/", http.StatusSeeOther)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// hostAllowed reports whether host (a request's Host) is one of s.Hosts, or a loopback name when
// s.Hosts is empty.
func (s *Server) hostAllowed(host string) bool {
	host = strings.ToLower(host)
	if len(s.Hosts) == 0 {
		h, _, err := net.SplitHostPort(host)
		if err != nil {
			h = strings.Trim(host, "[]")
		}
		return h == "localhost" || net.ParseIP(h) != nil && net.ParseIP(h).IsLoopback()
	}
	for _, h := range s.Hosts {
		if host == h {
			return true
		}
	}
	return false
}

// cookieName holds the port: cookies are not kept apart by port, and two runs on two ports of
// localhost have two tokens.
func (s *Server) cookieName(r *http.Request) string {
	_, port, _ := net.SplitHostPort(r.Host)
	return "pipesim_token_" + port
}

func (s *Server) tokenOK(r *http.Request) bool {
	if t := r.Header.Get(TokenHeader); t != "" {
		return s.tokenIs(t)
	}
	c, err := r.Cookie(s.cookieName(r))
	return err == nil && s.tokenIs(c.Value)
}

// tokenIs compares in constant time; without a token, no write is allowed.
func (s *Server) tokenIs(t string) bool {
	return s.Token != "" && subtle.ConstantTimeCompare([]byte(t), []byte(s.Token)) == 1
}
