package httpdest

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
)

// Connection is an EventBridge connection: the authorization added to every request and the
// InvocationHttpParameters merged into it. Its secret values are kept out of String and of every
// error.
type Connection struct {
	Name     string
	AuthType string // API_KEY, BASIC or OAUTH_CLIENT_CREDENTIALS (not supported yet)

	authHeader string
	authValue  string // secret
	password   string // secret: a Basic connection's, searched for in answers

	// Invocation parameters; the connection's values win over the target's.
	Headers []KeyValue
	Query   []KeyValue
	Body    []KeyValue
}

// KeyValue is one InvocationHttpParameters entry. Secret values are redacted in logs.
type KeyValue struct {
	Key, Value string
	Secret     bool
}

// String names the connection without its secrets.
func (c *Connection) String() string { return fmt.Sprintf("connection %q (%s)", c.Name, c.AuthType) }

// NewAPIKeyConnection is an API_KEY connection: every request carries the header name: value.
func NewAPIKeyConnection(name, header, value string) (*Connection, error) {
	if err := checkAPIKey(header, value); err != nil {
		return nil, fmt.Errorf("%w %q: %v", ErrBadConnection, name, err)
	}
	return &Connection{Name: name, AuthType: "API_KEY", authHeader: http.CanonicalHeaderKey(header), authValue: value}, nil
}

// NewBasicConnection is a BASIC connection: Authorization: Basic base64(user:password).
func NewBasicConnection(name, user, password string) (*Connection, error) {
	if user == "" || password == "" {
		return nil, fmt.Errorf("%w %q: BasicAuthParameters need Username and Password", ErrBadConnection, name)
	}
	token := base64.StdEncoding.EncodeToString([]byte(user + ":" + password))
	return &Connection{Name: name, AuthType: "BASIC", authHeader: "Authorization", authValue: "Basic " + token, password: password}, nil
}

// checkAPIKey applies CreateConnection's rules: both 1-512 characters, no ':' in the name and no
// control characters. The value itself never appears in the message.
func checkAPIKey(header, value string) error {
	switch {
	case header == "" || len(header) > 512:
		return fmt.Errorf("ApiKeyName must be 1-512 characters")
	case strings.ContainsAny(header, ":") || hasControl(header) || strings.ContainsAny(header, " \t"):
		return fmt.Errorf("ApiKeyName %q is not a valid header name", header)
	case value == "":
		return fmt.Errorf("ApiKeyValue is empty (is its ${VAR} set?)")
	case len(value) > 512:
		return fmt.Errorf("ApiKeyValue is longer than 512 characters")
	case hasControl(value):
		return fmt.Errorf("ApiKeyValue contains a control character")
	}
	return nil
}

func hasControl(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			return true
		}
	}
	return false
}
