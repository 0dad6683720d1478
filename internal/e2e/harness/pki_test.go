package harness

import (
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"
)

func TestPKI(t *testing.T) {
	dir := t.TempDir()
	p, err := newPKI(dir)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(p.caPEM)

	serving, err := tls.LoadX509KeyPair(filepath.Join(dir, servingCertFile), filepath.Join(dir, servingKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(serving.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: roots, DNSName: "127.0.0.1"}); err != nil {
		t.Errorf("serving cert for 127.0.0.1: %v", err)
	}

	// A client certificate minted later from the reloaded CA.
	again, err := loadPKI(dir)
	if err != nil {
		t.Fatal(err)
	}
	crt, _, err := again.issue(pkix.Name{CommonName: "viewer", Organization: []string{"readers"}}, false)
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(crt)
	client, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.Verify(x509.VerifyOptions{Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
		t.Errorf("client cert: %v", err)
	}
	if client.Subject.CommonName != "viewer" || len(client.Subject.Organization) != 1 || client.Subject.Organization[0] != "readers" {
		t.Errorf("client subject %v", client.Subject)
	}
	for _, f := range []string{saKeyFile, saPubFile} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
}
