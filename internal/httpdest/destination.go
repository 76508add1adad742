package httpdest

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// Methods an API destination accepts (CreateApiDestination HttpMethod).
var methods = map[string]bool{
	"POST": true, "GET": true, "HEAD": true, "OPTIONS": true, "PUT": true, "PATCH": true, "DELETE": true,
}

var (
	// ErrBadEndpoint: the InvocationEndpoint is not an absolute http(s) URL.
	ErrBadEndpoint = errors.New("invalid InvocationEndpoint")
	// ErrBadMethod: HttpMethod is not one API destinations accept.
	ErrBadMethod = errors.New("invalid HttpMethod")
	// ErrPathParameters: PathParameterValues do not fill the endpoint's wildcards one for one.
	ErrPathParameters = errors.New("PathParameterValues do not match the endpoint's wildcards")
	// ErrBadConnection: the connection's authorization settings are incomplete or invalid.
	ErrBadConnection = errors.New("invalid connection")
	// ErrBadHeader: a header name or value cannot be sent.
	ErrBadHeader = errors.New("invalid header")
)

// DefaultRateLimit is InvocationRateLimitPerSecond when a destination does not set it.
const DefaultRateLimit = 300

// Destination is one API destination: where and how requests go. A Destination is shared by every
// pipe that targets it, and so is its rate limiter.
type Destination struct {
	Name     string
	ARN      string
	Method   string
	Endpoint string
	// RateLimit is InvocationRateLimitPerSecond.
	RateLimit int
	Conn      *Connection

	segments []string // Endpoint split at its '*' wildcards
	limiter  *Limiter
	answers  Redactor // of the connection's secrets, for what the destination answers
}

// NewDestination validates an API destination's settings.
func NewDestination(name, arn, method, endpoint string, rateLimit int, conn *Connection) (*Destination, error) {
	method = strings.ToUpper(method)
	if !methods[method] {
		return nil, fmt.Errorf("%w %q: want one of POST, GET, HEAD, OPTIONS, PUT, PATCH, DELETE", ErrBadMethod, method)
	}
	if err := checkEndpoint(endpoint); err != nil {
		return nil, err
	}
	if rateLimit == 0 {
		rateLimit = DefaultRateLimit
	}
	if rateLimit < 1 {
		return nil, fmt.Errorf("InvocationRateLimitPerSecond %d: must be at least 1", rateLimit)
	}
	if conn == nil {
		return nil, fmt.Errorf("%w: no connection", ErrBadConnection)
	}
	return &Destination{
		Name: name, ARN: arn, Method: method, Endpoint: endpoint, RateLimit: rateLimit, Conn: conn,
		segments: strings.Split(endpoint, "*"),
		limiter:  NewLimiter(rateLimit),
		answers:  NewRedactor(conn.Secrets()),
	}, nil
}

// Wildcards is the number of '*' path wildcards in the endpoint.
func (d *Destination) Wildcards() int { return len(d.segments) - 1 }

func checkEndpoint(endpoint string) error {
	u, err := url.Parse(strings.ReplaceAll(endpoint, "*", "x"))
	if err != nil {
		return fmt.Errorf("%w %q: %v", ErrBadEndpoint, endpoint, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%w %q: want an absolute http:// or https:// URL", ErrBadEndpoint, endpoint)
	}
	return nil
}
