package kube

import (
	"strings"
	"testing"

	"k8s.io/klog/v2"
)

// TestQuietLogsWritesEachMessageOnce: klog copies an error to the WARNING
// and INFO outputs too; all three are the log file, so without one_output
// an error appeared three times.
func TestQuietLogsWritesEachMessageOnce(t *testing.T) {
	var log strings.Builder
	QuietLogs(&log)
	defer QuietLogs(nil)
	klog.Errorf("watch failed: %s", "refused")
	klog.Warningf("slow answer")
	klog.Infof("synced")
	klog.ErrorS(nil, "structured", "resource", "pods")
	klog.Flush()
	for _, msg := range []string{"watch failed: refused", "slow answer", "synced", `"structured" resource="pods"`} {
		if n := strings.Count(log.String(), msg); n != 1 {
			t.Errorf("%q appears %d times:\n%s", msg, n, log.String())
		}
	}
}

func TestQuietLogsScrubsCredentials(t *testing.T) {
	var log strings.Builder
	QuietLogs(&log)
	defer QuietLogs(nil)
	klog.Infof("GET https://x/api Authorization: Bearer abcdefgh12345678")
	klog.Flush()
	if strings.Contains(log.String(), "abcdefgh12345678") || !strings.Contains(log.String(), "Authorization: Bearer <redacted>") {
		t.Errorf("log: %q", log.String())
	}
}

func TestScrub(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Authorization: Bearer k8s-aws-v1.aHR0cHM6Ly9zdHM", "Authorization: Bearer <redacted>"},
		{"token k8s-aws-v1.aHR0cHM6Ly9zdHM expired", "token k8s-aws-v1.<redacted> expired"},
		{"authorization: Basic dXNlcjpwYXNzd29yZA==", "authorization: Basic <redacted>"},
		{"id eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJtZSJ9.c2lnbmF0dXJl end", "id <redacted-jwt> end"},
		{`{"token":"s3cr3t","expirationTimestamp":"2026"}`, `{"token":"<redacted>","expirationTimestamp":"2026"}`},
		{"aws_secret_access_key=AbCd/EfGh password = hunter2", "aws_secret_access_key=<redacted> password = <redacted>"},
		// Prose about tokens is kept.
		{"invalid bearer token, token has expired", "invalid bearer token, token has expired"},
		{"failed to get token: exec: exit status 255", "failed to get token: exec: exit status 255"},
	}
	for _, tt := range tests {
		if got := Scrub(tt.in); got != tt.want {
			t.Errorf("Scrub(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCleanLine(t *testing.T) {
	tests := []struct{ in, want string }{
		{"\x1b[31mError\x1b[0m: expired\r", "Error: expired"},
		{"title\x1b]0;pwned\x07 here\x07", "title here"},
		{"  \t ", ""},
		{"a\tb", "a b"},
		{strings.Repeat("é", 300), strings.Repeat("é", 199) + "…"},
	}
	for _, tt := range tests {
		if got := cleanLine(tt.in); got != tt.want {
			t.Errorf("cleanLine(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
