package momento

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// parseKey reads the cache key from q: exactly one of key (a UTF-8 string, already
// percent-decoded, '+' read as a space) or key_base64 (binary, base64). The error names the
// parameter and the rule it breaks.
func parseKey(q url.Values) ([]byte, error) {
	plain, hasPlain := q["key"]
	encoded, hasEncoded := q["key_base64"]
	switch {
	case hasPlain && hasEncoded:
		return nil, errors.New("set key or key_base64, not both")
	case hasPlain:
		v, err := single("key", plain)
		if err != nil {
			return nil, err
		}
		return []byte(v), nil
	case hasEncoded:
		v, err := single("key_base64", encoded)
		if err != nil {
			return nil, err
		}
		return decodeKeyBase64(v)
	}
	return nil, errors.New("missing key: set the key or key_base64 query parameter")
}

// single returns the one non-empty value of a query parameter.
func single(name string, values []string) (string, error) {
	if len(values) != 1 {
		return "", fmt.Errorf("%s given %d times; give it once", name, len(values))
	}
	if values[0] == "" {
		return "", fmt.Errorf("%s is empty", name)
	}
	return values[0], nil
}

// decodeKeyBase64 decodes a key_base64 value. Momento documents base64url without padding; it
// also accepts padding and the standard alphabet, and reads a space as '+', which is what an
// unencoded '+' becomes in a query string.
func decodeKeyBase64(s string) ([]byte, error) {
	s = strings.ReplaceAll(s, " ", "+")
	trimmed := strings.TrimRight(s, "=")
	if pad := len(s) - len(trimmed); pad > 0 && (pad > 2 || len(s)%4 != 0) {
		return nil, errors.New("key_base64: bad padding")
	}
	std := strings.ContainsAny(trimmed, "+/")
	if std && strings.ContainsAny(trimmed, "-_") {
		return nil, errors.New("key_base64: mixes the standard (+/) and URL (-_) alphabets")
	}
	enc := base64.RawURLEncoding
	if std {
		enc = base64.RawStdEncoding
	}
	b, err := enc.DecodeString(trimmed)
	if err != nil {
		var corrupt base64.CorruptInputError
		if errors.As(err, &corrupt) {
			return nil, fmt.Errorf("key_base64: not base64 at byte %d", int64(corrupt))
		}
		return nil, fmt.Errorf("key_base64: %w", err)
	}
	if len(b) == 0 {
		return nil, errors.New("key_base64 decodes to an empty key")
	}
	return b, nil
}

// parseTTL reads ttl_seconds: a required non-negative integer number of seconds, clamped to
// max when max > 0. Digits too many for a uint64 are clamped as well.
func parseTTL(q url.Values, max time.Duration) (time.Duration, error) {
	values, ok := q["ttl_seconds"]
	if !ok {
		return 0, errors.New("missing ttl_seconds: Momento requires a TTL on every set")
	}
	v, err := single("ttl_seconds", values)
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseUint(v, 10, 64)
	switch {
	case err == nil:
	case errors.Is(err, strconv.ErrRange):
		n = ^uint64(0)
	default:
		return 0, fmt.Errorf("ttl_seconds %q is not a non-negative integer", clip(v, 32))
	}
	if max > 0 && n >= uint64(max/time.Second) {
		return max, nil
	}
	if n > uint64(maxDurationSeconds) {
		n = uint64(maxDurationSeconds)
	}
	return time.Duration(n) * time.Second, nil
}

// maxDurationSeconds is the largest whole number of seconds a time.Duration holds.
const maxDurationSeconds = int64(1<<63-1) / int64(time.Second)

// clip shortens s for an error message.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
