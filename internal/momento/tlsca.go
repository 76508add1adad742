package momento

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/pipesim/pipesim/internal/atomicfile"
)

// Files of the local certificate authority in a state directory. CAFile is what applications
// trust (GRPC_DEFAULT_SSL_ROOTS_FILE_PATH); the keys are mode 0600.
const (
	CAFile        = "momento-ca.pem"
	caKeyFile     = "momento-ca-key.pem"
	serverFile    = "momento-server.pem"
	serverKeyFile = "momento-server-key.pem"
)

// Lifetimes of the certificates; a server certificate this close to its end is made anew.
const (
	caLifetime     = 10 * 365 * 24 * time.Hour
	serverLifetime = 365 * 24 * time.Hour
	renewBefore    = 30 * 24 * time.Hour
)

// LocalTLS is the TLS side of the embedded gRPC server: a certificate authority kept in a
// state directory, reused across runs so that an application trusts it once, and a server
// certificate it signed for the loopback names.
type LocalTLS struct {
	CAPath string      // the CA certificate, PEM, for GRPC_DEFAULT_SSL_ROOTS_FILE_PATH
	Config *tls.Config // the server's: its certificate, HTTP/2 (h2) by ALPN
	Pool   *x509.CertPool
}

// LoadTLS returns the local CA of dir, making it on first use, and a server certificate valid
// for localhost, 127.0.0.1, ::1 and hosts (made anew when one of those is missing from it, or
// it is near its end). Two processes starting at once agree on one CA.
func LoadTLS(dir string, hosts ...string) (*LocalTLS, error) {
	caKey, err := loadOrCreateKey(filepath.Join(dir, caKeyFile))
	if err != nil {
		return nil, fmt.Errorf("local CA: %w", err)
	}
	caCert, err := loadOrCreateCA(filepath.Join(dir, CAFile), caKey)
	if err != nil {
		return nil, fmt.Errorf("local CA: %w", err)
	}
	names := append([]string{"localhost", "127.0.0.1", "::1"}, hosts...)
	cert, err := loadOrCreateServerCert(dir, caCert, caKey, names)
	if err != nil {
		return nil, fmt.Errorf("server certificate: %w", err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(caCert)
	return &LocalTLS{
		CAPath: filepath.Join(dir, CAFile),
		Pool:   pool,
		Config: &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"h2"}, MinVersion: tls.VersionTLS12},
	}, nil
}

func loadOrCreateKey(path string) (*ecdsa.PrivateKey, error) {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, err
		}
		der, err := x509.MarshalECPrivateKey(key)
		if err != nil {
			return nil, err
		}
		if err := atomicfile.Create(path, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}), 0o600); err != nil && !errors.Is(err, fs.ErrExist) {
			return nil, err
		}
	}
	return readKey(path)
}

func readKey(path string) (*ecdsa.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(b)
	if block == nil {
		return nil, fmt.Errorf("%s holds no PEM key; delete the momento-* files of the state dir to start over", path)
	}
	return x509.ParseECPrivateKey(block.Bytes)
}

// loadOrCreateCA returns the CA certificate at path, making it with key when missing; a
// certificate that does not match key is an error.
func loadOrCreateCA(path string, key *ecdsa.PrivateKey) (*x509.Certificate, error) {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		now := time.Now()
		tmpl := &x509.Certificate{
			SerialNumber:          serial(),
			Subject:               pkix.Name{CommonName: "pipesim local CA (embedded Momento)", Organization: []string{"pipesim"}},
			NotBefore:             now.Add(-time.Hour),
			NotAfter:              now.Add(caLifetime),
			KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
			BasicConstraintsValid: true,
			IsCA:                  true,
			MaxPathLenZero:        true,
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		if err != nil {
			return nil, err
		}
		if err := atomicfile.Create(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil && !errors.Is(err, fs.ErrExist) {
			return nil, err
		}
	}
	cert, err := readCert(path)
	if err != nil {
		return nil, err
	}
	if !key.PublicKey.Equal(cert.PublicKey) {
		return nil, fmt.Errorf("%s was not made with %s; delete the momento-* files of the state dir to start over", path, caKeyFile)
	}
	return cert, nil
}

func readCert(path string) (*x509.Certificate, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(b)
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, fmt.Errorf("%s holds no PEM certificate", path)
	}
	return x509.ParseCertificate(block.Bytes)
}

// loadOrCreateServerCert reuses the server certificate of dir when the CA signed it, it covers
// names and is not near its end; otherwise it makes one and writes it over the old.
func loadOrCreateServerCert(dir string, ca *x509.Certificate, caKey *ecdsa.PrivateKey, names []string) (tls.Certificate, error) {
	certPath, keyPath := filepath.Join(dir, serverFile), filepath.Join(dir, serverKeyFile)
	if pair, err := tls.LoadX509KeyPair(certPath, keyPath); err == nil && usable(pair.Leaf, ca, names) {
		return pair, nil
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: "pipesim embedded Momento", Organization: []string{"pipesim"}},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(serverLifetime),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, n := range names {
		if ip := net.ParseIP(n); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else if n != "" {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return tls.Certificate{}, err
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return tls.Certificate{}, err
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})
	// Another process may write its own pair at the same time: each serves the pair it made,
	// both signed by the one CA, so clients trust either.
	if err := atomicfile.Replace(keyPath, keyPEM, 0o600); err != nil {
		return tls.Certificate{}, err
	}
	if err := atomicfile.Replace(certPath, certPEM, 0o644); err != nil {
		return tls.Certificate{}, err
	}
	return tls.X509KeyPair(certPEM, keyPEM)
}

// usable reports whether leaf was signed by ca, names every one of names and has time left.
func usable(leaf, ca *x509.Certificate, names []string) bool {
	if leaf == nil || leaf.CheckSignatureFrom(ca) != nil || time.Until(leaf.NotAfter) < renewBefore {
		return false
	}
	for _, n := range names {
		if n == "" {
			continue
		}
		if ip := net.ParseIP(n); ip != nil {
			if !slices.ContainsFunc(leaf.IPAddresses, ip.Equal) {
				return false
			}
		} else if leaf.VerifyHostname(n) != nil {
			return false
		}
	}
	return true
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		panic(err) // crypto/rand does not fail
	}
	return n
}
