package harness

import (
	"context"
	"fmt"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// CreateToken asks the TokenRequest API for a token of the ServiceAccount
// ns/name, valid for ttl (the API server's minimum is 10 minutes). The token
// is bound to the ServiceAccount: deleting it invalidates the token at once.
func (c *Cluster) CreateToken(ctx context.Context, ns, name string, ttl time.Duration) (string, error) {
	secs := int64(ttl / time.Second)
	tr, err := c.client.CoreV1().ServiceAccounts(ns).CreateToken(ctx, name, &authenticationv1.TokenRequest{
		Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: &secs},
	}, metav1.CreateOptions{})
	if err != nil {
		return "", fmt.Errorf("create token for %s/%s: %w", ns, name, err)
	}
	return tr.Status.Token, nil
}
