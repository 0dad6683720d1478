package kube

import (
	"io"
	"regexp"
)

// Credentials that a log line could carry: bearer and basic credentials
// (an Authorization header at high verbosity), EKS tokens, JWTs (OIDC ID
// tokens, service-account tokens), and key=value or "key":"value" pairs
// whose key names a secret.
var secrets = []struct {
	re   *regexp.Regexp
	with string
}{
	{regexp.MustCompile(`(?i)\b(bearer|basic)(\s+)[A-Za-z0-9\-._~+/]{8,}=*`), `$1$2<redacted>`},
	{regexp.MustCompile(`k8s-aws-v1\.[A-Za-z0-9_\-]+`), `k8s-aws-v1.<redacted>`},
	{regexp.MustCompile(`eyJ[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]*`), `<redacted-jwt>`},
	{regexp.MustCompile(`(?i)((?:token|secret|password|passwd|secret_?access_?key|client-key-data)["']?(?:\s*=\s*|"\s*:\s*)["']?)[^\s"',;&}]+`), `$1<redacted>`},
}

// Scrub replaces credentials in s with <redacted>.
func Scrub(s string) string {
	for _, r := range secrets {
		s = r.re.ReplaceAllString(s, r.with)
	}
	return s
}

// ScrubWriter writes through to w with every Write scrubbed (see Scrub).
// klog and slog write one whole record per Write, so a credential is never
// split across two.
func ScrubWriter(w io.Writer) io.Writer { return scrubWriter{w} }

type scrubWriter struct{ w io.Writer }

func (s scrubWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(s.w, Scrub(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}
