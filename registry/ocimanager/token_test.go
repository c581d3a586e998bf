package ocimanager_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/modelreg/modelreg/registry"
)

// tokenServer is a token service as the Docker registry token
// authentication specification describes it (distribution's
// docs/spec/auth/token.md), written for the tests: it checks the client's
// basic credentials and issues an ES256 JWT, with its certificate in the
// x5c header, granting the scopes asked for.
type tokenServer struct {
	user, password string
	key            *ecdsa.PrivateKey
	cert           []byte // DER
	issued         atomic.Int32
}

// newTokenServer starts a token server and returns it, its URL and the
// registry auth config that trusts it.
func newTokenServer(t *testing.T, user, password string) (*tokenServer, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "modelreg-test-token"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	ts := &tokenServer{user: user, password: password, key: key, cert: der}
	srv := httptest.NewServer(ts)
	t.Cleanup(srv.Close)
	bundle := filepath.Join(t.TempDir(), "root.pem")
	if err := os.WriteFile(bundle, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := fmt.Sprintf("auth:\n  token:\n    realm: %s/token\n    service: modelreg-test\n    issuer: modelreg-test-issuer\n    rootcertbundle: %s\n", srv.URL, bundle)
	return ts, cfg
}

func (ts *tokenServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	u, p, ok := r.BasicAuth()
	if !ok || u != ts.user || p != ts.password {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"errors": [{"code": "UNAUTHORIZED", "message": "bad credentials"}]}`)
		return
	}
	var access []map[string]any
	for _, scope := range r.URL.Query()["scope"] {
		parts := strings.Split(scope, ":") // repository:NAME:ACTIONS
		if len(parts) == 3 {
			access = append(access, map[string]any{"type": parts[0], "name": parts[1], "actions": strings.Split(parts[2], ",")})
		}
	}
	now := time.Now().Unix()
	claims, _ := json.Marshal(map[string]any{"iss": "modelreg-test-issuer", "sub": u, "aud": r.URL.Query().Get("service"),
		"exp": now + 300, "nbf": now - 10, "iat": now, "jti": fmt.Sprint(ts.issued.Add(1)), "access": access})
	header, _ := json.Marshal(map[string]any{"alg": "ES256", "typ": "JWT", "x5c": []string{base64.StdEncoding.EncodeToString(ts.cert)}})
	enc := base64.RawURLEncoding
	signing := enc.EncodeToString(header) + "." + enc.EncodeToString(claims)
	h := sha256.Sum256([]byte(signing))
	rs, ss, err := ecdsa.Sign(rand.Reader, ts.key, h[:])
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	sig := make([]byte, 64)
	rs.FillBytes(sig[:32])
	ss.FillBytes(sig[32:])
	token := signing + "." + enc.EncodeToString(sig)
	json.NewEncoder(w).Encode(map[string]any{"token": token, "access_token": token, "expires_in": 300})
}

// TestTokenAuth: a registry with token authentication (a bearer
// challenge naming a token service): the manager gets a token with the
// Docker config's credentials and publishes and pulls; a wrong password
// is a permanent error.
func TestTokenAuth(t *testing.T) {
	registryHost(t)
	ts, cfg := newTokenServer(t, "fleet", "t0ken-pa55")
	host, _ := startRegistry(t, cfg, true)
	repo := uniqueRepo(host)
	f, data, _ := writeFile(t, "token.bin", 300_000)
	for _, tt := range []struct {
		name, password string
		ok             bool
	}{
		{"right password", "t0ken-pa55", true},
		{"wrong password", "wr0ng-t0ken-pa55", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dc := t.TempDir()
			auth := base64.StdEncoding.EncodeToString([]byte("fleet:" + tt.password))
			os.WriteFile(filepath.Join(dc, "config.json"), []byte(fmt.Sprintf(`{"auths": {%q: {"auth": %q}}}`, host, auth)), 0o600)
			t.Setenv("DOCKER_CONFIG", dc)
			r, _ := newRegistry(t, false)
			_, err := r.Publish(t.Context(), f, &registry.Model{BaseName: "token", Version: "1", Manager: ociSpec(repo + ":1")}, &registry.PublishOptions{Force: true})
			if !tt.ok {
				if !errors.Is(err, registry.ErrPermanent) || strings.Contains(fmt.Sprint(err), tt.password) {
					t.Fatalf("Publish with a wrong password = %v; want a permanent error without the password", err)
				}
				t.Logf("refused: %v", err)
				return
			}
			if err != nil {
				t.Fatalf("Publish: %v", err)
			}
			if _, err := r.Flush(t.Context(), "token@1", nil); err != nil {
				t.Fatal(err)
			}
			p, err := r.Download(t.Context(), "token@1", nil)
			if err != nil {
				t.Fatalf("Download: %v", err)
			}
			checkFile(t, p, data)
			if ts.issued.Load() == 0 {
				t.Errorf("no token was issued: the registry did not ask for one")
			}
		})
	}
}
