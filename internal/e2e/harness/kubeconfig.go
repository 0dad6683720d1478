package harness

import (
	"crypto/x509/pkix"
	"fmt"
	"os"
	"path/filepath"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// writeKubeconfig writes a kubeconfig with the certificates embedded, so it
// keeps working when copied elsewhere.
func writeKubeconfig(path, server string, caPEM, certPEM, keyPEM []byte, user string) error {
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["e2e"] = &clientcmdapi.Cluster{Server: server, CertificateAuthorityData: caPEM}
	cfg.AuthInfos[user] = &clientcmdapi.AuthInfo{ClientCertificateData: certPEM, ClientKeyData: keyPEM}
	cfg.Contexts["e2e"] = &clientcmdapi.Context{Cluster: "e2e", AuthInfo: user}
	cfg.CurrentContext = "e2e"
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		return fmt.Errorf("write kubeconfig: %w", err)
	}
	return os.Chmod(path, 0o600)
}

// UserKubeconfig mints a client certificate for user (CN) in groups (O) and
// writes a kubeconfig for it into the run directory. Such a user has no
// rights until RBAC grants some: use it to test restricted access.
func (c *Cluster) UserKubeconfig(user string, groups ...string) (string, error) {
	p, err := loadPKI(filepath.Join(c.Dir, "pki"))
	if err != nil {
		return "", err
	}
	crt, key, err := p.issue(pkix.Name{CommonName: user, Organization: groups}, false)
	if err != nil {
		return "", err
	}
	path := filepath.Join(c.Dir, "kubeconfig-"+user)
	return path, writeKubeconfig(path, c.Server, p.caPEM, crt, key, user)
}

// RESTConfig loads the admin kubeconfig.
func (c *Cluster) RESTConfig() (*rest.Config, error) {
	cfg, err := clientcmd.BuildConfigFromFlags("", c.Kubeconfig)
	if err != nil {
		return nil, fmt.Errorf("load kubeconfig: %w", err)
	}
	cfg.QPS, cfg.Burst = 100, 200
	return cfg, nil
}

// KubeconfigVia writes a copy of the admin kubeconfig (same CA, same client
// certificate) whose server is server: a proxy in front of the API server,
// say. The serving certificate is for IP 127.0.0.1, so server must be on
// 127.0.0.1 too (any port) for TLS to verify.
func (c *Cluster) KubeconfigVia(name, server string) (string, error) {
	cfg, err := clientcmd.LoadFromFile(c.Kubeconfig)
	if err != nil {
		return "", fmt.Errorf("load kubeconfig: %w", err)
	}
	for _, cl := range cfg.Clusters {
		cl.Server = server
	}
	path := filepath.Join(c.Dir, "kubeconfig-"+name)
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		return "", fmt.Errorf("write kubeconfig: %w", err)
	}
	return path, os.Chmod(path, 0o600)
}

// TokenKubeconfig writes a kubeconfig that authenticates with a bearer
// token (a ServiceAccount's, from CreateToken) at server ("" is the API
// server itself), trusting the cluster's CA.
func (c *Cluster) TokenKubeconfig(name, server, token string) (string, error) {
	if server == "" {
		server = c.Server
	}
	p, err := loadPKI(filepath.Join(c.Dir, "pki"))
	if err != nil {
		return "", err
	}
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["e2e"] = &clientcmdapi.Cluster{Server: server, CertificateAuthorityData: p.caPEM}
	cfg.AuthInfos[name] = &clientcmdapi.AuthInfo{Token: token}
	cfg.Contexts["e2e"] = &clientcmdapi.Context{Cluster: "e2e", AuthInfo: name}
	cfg.CurrentContext = "e2e"
	path := filepath.Join(c.Dir, "kubeconfig-"+name)
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		return "", fmt.Errorf("write kubeconfig: %w", err)
	}
	return path, os.Chmod(path, 0o600)
}
