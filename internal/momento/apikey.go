package momento

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/pipesim/pipesim/internal/atomicfile"
)

// KeySecretFile is the file, in a state directory, holding the secret that signs development
// keys; created with mode 0600 on first use.
const KeySecretFile = "momento-key-secret"

// keyClaims are the claims of a legacy-format Momento API key, the format whose endpoints the
// SDKs read from the key itself: c is the cache endpoint and cp the control endpoint
// (host:port), used verbatim. The SDKs never check the signature.
type keyClaims struct {
	Subject string `json:"sub"`
	Issuer  string `json:"iss"`
	Cache   string `json:"c"`
	Control string `json:"cp"`
}

// DevKey returns pipesim's development API key for a gRPC server at addr (host:port): a JWT
// whose c and cp claims are addr, so an application that builds its client from the key
// (StringMomentoTokenProvider, CredentialProvider.fromString) connects there over TLS. It is
// signed with secret (HMAC-SHA256), so the same secret and address always give the same key
// and nobody without the secret can make one.
func DevKey(secret []byte, addr string) string {
	header := b64json(map[string]string{"alg": "HS256", "typ": "JWT"})
	claims := b64json(keyClaims{Subject: "pipesim-local", Issuer: "pipesim", Cache: addr, Control: addr})
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(header + "." + claims))
	return header + "." + claims + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

func b64json(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // maps and structs of strings always marshal
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// KeyEndpoint returns the cache endpoint (host:port) a legacy-format key names in its c claim,
// or "" when key is not such a JWT (a v1 base64 key, a v2 key, any other string).
func KeyEndpoint(key string) string {
	parts := strings.Split(key, ".")
	if len(parts) != 3 {
		return ""
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return ""
	}
	var c keyClaims
	if json.Unmarshal(raw, &c) != nil {
		return ""
	}
	return c.Cache
}

// LoadKeySecret returns the secret that signs development keys, kept in dir/KeySecretFile;
// the first call makes it (32 random bytes, mode 0600). Two processes starting at once agree
// on one secret: the file is created exclusively and the loser reads the winner's.
func LoadKeySecret(dir string) ([]byte, error) {
	path := filepath.Join(dir, KeySecretFile)
	if b, err := readSecret(path); err == nil || !errors.Is(err, fs.ErrNotExist) {
		return b, err
	}
	var secret [32]byte
	if _, err := rand.Read(secret[:]); err != nil {
		return nil, err
	}
	encoded := []byte(base64.StdEncoding.EncodeToString(secret[:]) + "\n")
	if err := atomicfile.Create(path, encoded, 0o600); err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("momento key secret: %w", err)
	}
	return readSecret(path)
}

func readSecret(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	secret, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(secret) < 16 {
		return nil, fmt.Errorf("%s is not a key secret pipesim wrote; delete it to make a new one (keys made from it stop working)", path)
	}
	return secret, nil
}
