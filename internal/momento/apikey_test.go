package momento

import (
	"crypto/x509"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDevKey(t *testing.T) {
	dir := t.TempDir()
	secret, err := LoadKeySecret(dir)
	if err != nil {
		t.Fatal(err)
	}
	again, err := LoadKeySecret(dir)
	if err != nil || !cmp.Equal(secret, again) {
		t.Fatalf("LoadKeySecret twice = %x, %v; want the same secret %x", again, err, secret)
	}
	if fi, err := os.Stat(filepath.Join(dir, KeySecretFile)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("secret file mode = %v, %v; want 0600", fi.Mode(), err)
	}
	key := DevKey(secret, "127.0.0.1:9081")
	if got := DevKey(secret, "127.0.0.1:9081"); got != key {
		t.Errorf("DevKey is not stable: %s then %s", key, got)
	}
	if DevKey([]byte("another secret 0123456789"), "127.0.0.1:9081") == key {
		t.Error("DevKey does not depend on the secret")
	}
	if got := KeyEndpoint(key); got != "127.0.0.1:9081" {
		t.Errorf("KeyEndpoint(DevKey) = %q; want 127.0.0.1:9081", got)
	}
	parts := strings.Split(key, ".")
	claims, _ := base64.RawURLEncoding.DecodeString(parts[1])
	if !strings.Contains(string(claims), `"c":"127.0.0.1:9081"`) || !strings.Contains(string(claims), `"cp":"127.0.0.1:9081"`) || strings.Contains(string(claims), `"t"`) {
		t.Errorf("claims = %s; want c and cp as the SDKs read them, and no v2 marker", claims)
	}
	for _, notDev := range []string{"", "plain-token", "a.b", "eyJhcGlfa2V5IjoieCJ9", "x.!!!.y"} {
		if got := KeyEndpoint(notDev); got != "" {
			t.Errorf("KeyEndpoint(%q) = %q; want none", notDev, got)
		}
	}
}

func TestKeySecretCorrupt(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, KeySecretFile), []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadKeySecret(dir); err == nil || !strings.Contains(err.Error(), "delete it") {
		t.Errorf("LoadKeySecret of a corrupt file = %v; want an error saying what to do", err)
	}
}

func TestLocalTLSReused(t *testing.T) {
	dir := t.TempDir()
	first, err := LoadTLS(dir)
	if err != nil {
		t.Fatal(err)
	}
	ca1, _ := os.ReadFile(first.CAPath)
	second, err := LoadTLS(dir)
	if err != nil {
		t.Fatal(err)
	}
	ca2, _ := os.ReadFile(second.CAPath)
	if string(ca1) != string(ca2) {
		t.Error("the CA was made anew on the second run; applications trusting it would break")
	}
	leaf1, leaf2 := first.Config.Certificates[0].Leaf, second.Config.Certificates[0].Leaf
	if leaf1 == nil || leaf2 == nil || !leaf1.Equal(leaf2) {
		t.Error("the server certificate was not reused")
	}
	for _, host := range []string{"127.0.0.1", "localhost", "::1"} {
		if _, err := leaf1.Verify(x509.VerifyOptions{Roots: first.Pool, DNSName: host}); err != nil {
			t.Errorf("server certificate for %s: %v", host, err)
		}
	}
	third, err := LoadTLS(dir, "pipesim.test")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := third.Config.Certificates[0].Leaf.Verify(x509.VerifyOptions{Roots: third.Pool, DNSName: "pipesim.test"}); err != nil {
		t.Errorf("a new host gets a new certificate from the same CA: %v", err)
	}
	if fi, _ := os.Stat(filepath.Join(dir, caKeyFile)); fi.Mode().Perm() != 0o600 {
		t.Errorf("CA key mode = %v; want 0600", fi.Mode())
	}
}

func TestParseLimits(t *testing.T) {
	tests := []struct {
		spec    string
		want    *Limits
		wantErr string
	}{
		{"on", &DocumentedLimits, ""},
		{"true", &DocumentedLimits, ""},
		{"off", nil, ""},
		{"cache-ops=5", &Limits{CacheOpsPerSecond: 5, TopicOpsPerSecond: 100, Subscriptions: 100}, ""},
		{"subscriptions=0, topic-ops=10", &Limits{CacheOpsPerSecond: 100, TopicOpsPerSecond: 10}, ""},
		{"cache-ops=-1", nil, "want NAME=N"},
		{"cache-ops", nil, "want NAME=N"},
		{"speed=3", nil, `unknown limit "speed"`},
	}
	for _, tt := range tests {
		got, err := ParseLimits(tt.spec)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("ParseLimits(%q) = %v; want an error containing %q", tt.spec, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !cmp.Equal(got, tt.want) {
			t.Errorf("ParseLimits(%q) = %+v, %v; want %+v", tt.spec, got, err, tt.want)
		}
	}
}

func FuzzKeyEndpoint(f *testing.F) {
	f.Add(DevKey([]byte("secret-0123456789"), "127.0.0.1:9081"))
	f.Add("a.b.c")
	f.Add("")
	f.Fuzz(func(t *testing.T, key string) {
		ep := KeyEndpoint(key)
		if ep != "" && strings.Count(key, ".") != 2 {
			t.Errorf("KeyEndpoint(%q) = %q from a key that is not a JWT", key, ep)
		}
	})
}

func FuzzParseLimits(f *testing.F) {
	for _, s := range []string{"on", "off", "cache-ops=5", "subscriptions=0, topic-ops=10", "x=", "=1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		l, err := ParseLimits(spec)
		if err != nil || l == nil {
			return
		}
		again, err := ParseLimits(l.String())
		if err != nil || *again != *l {
			t.Errorf("ParseLimits(%q).String() = %q parses back as %+v, %v", spec, l.String(), again, err)
		}
	})
}
