package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
)

func TestFormatPair(t *testing.T) {
	const (
		ki = int64(1024) * 1000
		mi = 1024 * ki
		g  = 1024 * mi
	)
	tests := []struct {
		resource    string
		used, alloc int64
		want        string
	}{
		{"cpu", 1800, 3560, "1800m/3560m"},
		{"cpu", 0, 0, "0m/0m"},
		{"cpu", 9999, 9999, "9999m/9999m"},
		{"cpu", 12500, 96000, "12.5/96 cores"},
		{"cpu", 10000, 10000, "10/10 cores"},
		{"cpu", 1234, 15820, "1.23/15.82 cores"},
		{"cpu", 1234567, 2000000, "1,234.57/2,000 cores"},
		{"cpu", 12000, 8000, "12/8 cores"}, // overcommitted: unit by the larger side
		{"memory", 123 * g / 10, 314 * g / 10, "12.3Gi/31.4Gi"},
		{"memory", 512 * mi, 19 * g / 10, "0.5Gi/1.9Gi"},
		{"memory", 147198 * mi, 379086072 * ki, "143.7Gi/361.5Gi"},
		{"memory", 0, 0, "0B/0B"},
		{"memory", 512 * 1000, 1000 * 1000, "512B/1,000B"},
		{"memory", 100 * ki, 900 * ki, "100.0Ki/900.0Ki"},
		{"memory", 300 * mi, 900 * mi, "300.0Mi/900.0Mi"},
		{"memory", 3 * 1024 * g, 5 * 1024 * g, "3.0Ti/5.0Ti"},
		{"ephemeral-storage", 10 * g, 95 * g, "10.0Gi/95.0Gi"},
		{"hugepages-2Mi", 0, 2 * g, "0.0Gi/2.0Gi"},
		{"pods", 12000, 110000, "12/110"},
		{"pods", 37000000, 55000000, "37,000/55,000"},
		{"nvidia.com/gpu", 3000, 8000, "3/8"},
		{"example.com/fraction", 1500, 4000, "1.5/4"},
		{"example.com/fraction", 1, 1000, "0.001/1"},
	}
	for _, tc := range tests {
		got := FormatPair(tc.resource, cluster.Quantity{Used: tc.used, Allocatable: tc.alloc})
		if got != tc.want {
			t.Errorf("FormatPair(%q, %d/%d) = %q, want %q", tc.resource, tc.used, tc.alloc, got, tc.want)
		}
	}
}

func TestCostText(t *testing.T) {
	tests := []struct {
		cost cluster.Cost
		want string
	}{
		{cluster.Cost{Hourly: 0.08422, Currency: "USD"}, "$0.084/hour | $61.481/month"},
		{cluster.Cost{Hourly: 2.5, Currency: "USD"}, "$2.500/hour | $1,825.000/month"},
		{cluster.Cost{Hourly: 2.5, Currency: "USD", Unknown: 1}, ">=$2.500/hour | >=$1,825.000/month"},
		{cluster.Cost{Hourly: 2.5, Currency: "USD", Estimated: 2}, "~$2.500/hour | ~$1,825.000/month"},
		{cluster.Cost{Hourly: 2.5, Currency: "USD", Unknown: 1, Estimated: 2}, ">=$2.500/hour | >=$1,825.000/month"},
		{cluster.Cost{Hourly: 10, Currency: "CNY"}, "¥10.000/hour | ¥7,300.000/month"},
		{cluster.Cost{Unknown: 3}, "$?/hour | $?/month"},
		{cluster.Cost{}, "$0.000/hour | $0.000/month"},
		{cluster.Cost{Hourly: 5, Currency: "USD", Disabled: true}, ""},
	}
	for _, tc := range tests {
		hourly, monthly := costText(tc.cost)
		got := hourly
		if monthly != "" {
			got += " | " + monthly
		}
		if got != tc.want {
			t.Errorf("costText(%+v) = %q, want %q", tc.cost, got, tc.want)
		}
	}
}

func TestGroupThousands(t *testing.T) {
	for in, want := range map[string]string{
		"0": "0", "999": "999", "1000": "1,000", "123456.789": "123,456.789",
		"-1234567": "-1,234,567", "-12": "-12", "1234567890": "1,234,567,890",
	} {
		if got := groupThousands(in); got != want {
			t.Errorf("groupThousands(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestReadyCell(t *testing.T) {
	tests := []struct {
		node cluster.Node
		want string
	}{
		{cluster.Node{Ready: true}, "Ready"},
		{cluster.Node{ReadySince: testNow.Add(-3 * time.Minute)}, "NotReady/3m"},
		{cluster.Node{}, "NotReady"},
		{cluster.Node{Launching: true, Created: testNow.Add(-95 * time.Second)}, "Launching/95s"},
		{cluster.Node{Launching: true, Created: testNow.Add(-93 * 24 * time.Hour)}, "NoNode/93d"},
		{cluster.Node{Launching: true, Created: testNow.Add(-cluster.LaunchStuckAfter)}, "Launching/15m"},
		{cluster.Node{Launching: true, Created: testNow.Add(-cluster.LaunchStuckAfter - time.Second)}, "NoNode/15m"},
		// Clock skew never shows "<invalid>".
		{cluster.Node{Launching: true, Created: testNow.Add(time.Hour)}, "Launching/0s"},
	}
	for _, tc := range tests {
		if got := readyCell(&tc.node, testNow, false); got != tc.want {
			t.Errorf("readyCell(%+v) = %q, want %q", tc.node, got, tc.want)
		}
	}
}

func TestSanitize(t *testing.T) {
	for in, want := range map[string]string{
		"plain":         "plain",
		"a\nb\tc":       "a b c",
		"x\x1b[31mred":  "x?red",
		"c1\u009b31m":   "c1?",
		"日本 ok":         "日本 ok",
		"\u00e9t\u00e9": "\u00e9t\u00e9",
		// Whole sequences go: the title, the screen, the clipboard.
		"a\x1b]0;pwned\ab":                    "a?b",
		"a\x1b]0;pwned\x1b\\b":                "a?b",
		"\x1b[2J\x1b[Hx":                      "??x",
		"\x1b]52;c;cHduZWQ=\a!":               "?!",
		"\x1bPq#0;2;0;0;0\x1b\\after":         "?after",
		"\x1b_apc\x1b\\|\x1b^pm\a|\x1bXsos\a": "?|?|?",
		"\u009d0;t\u009cok":                   "?ok",
		"\u009d0;t\a\u0090dcs\u009c.":         "??.",
		"\x1b]8;;http://x\x1b\\link":          "?link",
		"\x1bc reset":                         "? reset",
		"\x1b(Bcharset":                       "?charset",
		"\x1b[?1049l\x1b[?25l":                "??",
		"unterminated \x1b]0;title":           "unterminated ?",
		"lone\x1b":                            "lone?",
		"csi\x1b[12":                          "csi?",
		"\x1b]0;a\x1b[2Jb":                    "??b",
		// Other controls: '?'; whitespace: a space.
		"bell\a bs\b del\x7f nul\x00":   "bell? bs? del? nul?",
		"cr\rnel\u0085ls\u2028ps\u2029": "cr nel ls ps ",
		// Bidi and other invisible format characters.
		"abc\u202edcba":                   "abc?dcba",
		"\u2066x\u2069\u200e\u200f\u061c": "?x????",
		"zw\u200bsp\ufeff\u00ad":          "zw?sp??",
		"bad\xffutf8\xc2":                 "bad?utf8?",
	} {
		if got := sanitize(in); got != want {
			t.Errorf("sanitize(%q) = %q, want %q", in, got, want)
		}
		if got := sanitize(sanitize(in)); got != sanitize(in) {
			t.Errorf("sanitize is not idempotent on %q: %q", in, got)
		}
	}
}

func TestLineWidth(t *testing.T) {
	st := newStyles([3]string{}, true)
	var sb strings.Builder
	st.bar(nodeBarWidth).write(&sb, 0.4)
	for _, s := range []string{
		"", "plain", sb.String(), st.nodePercent(0.9), "日本 • ○ x", "e\u0301", "a\x1b]8;;http://x\x1b\\link", "←/→ page • q: quit", "tab\there", "👍🏽 ok",
	} {
		if got, want := lineWidth(s), ansi.StringWidth(s); got != want {
			t.Errorf("lineWidth(%q) = %d, want %d", s, got, want)
		}
	}
}

func TestShortenMiddle(t *testing.T) {
	for _, tt := range []struct {
		in   string
		w    int
		want string
	}{
		{"i-0123456789abcdef0", 12, "i-0123…cdef0"},
		{"i-0123456789abcdef0", 19, "i-0123456789abcdef0"},
		{"i-0123456789abcdef0", 40, "i-0123456789abcdef0"},
		{"abcdef", 2, "a…"},
		{"abcdef", 1, "a"},
		{"abcdef", 0, ""},
		{"日本語のノード", 7, ""}, // wide runes: only the width is checked
	} {
		if got := shortenMiddle(tt.in, tt.w); tt.want != "" && got != tt.want {
			t.Errorf("shortenMiddle(%q, %d) = %q, want %q", tt.in, tt.w, got, tt.want)
		}
		if got := shortenMiddle(tt.in, tt.w); dispWidth(got) > max(tt.w, 0) {
			t.Errorf("shortenMiddle(%q, %d) = %q is %d wide", tt.in, tt.w, got, dispWidth(got))
		}
	}
}

func TestShortenNames(t *testing.T) {
	for _, tt := range []struct {
		names []string
		width int
		want  string
	}{
		{[]string{"ip-10-0-0-10.ec2.internal", "ip-10-0-0-9.ec2.internal"}, 14, "ip-10-0-0-10…,ip-10-0-0-9…"},
		{[]string{"ip-10-0-0-10.ec2.internal", "ip-10-0-0-9.ec2.internal"}, 30, "ip-10-0-0-10.ec2.internal,ip-10-0-0-9.ec2.internal"},
		// Still too long without the domain: shortened in the middle.
		{[]string{"ip-192-168-10-1.us-west-2.compute.internal", "ip-192-168-10-2.us-west-2.compute.internal"}, 12, "ip-192…-10-1,ip-192…-10-2"},
		{[]string{"i-0123456789abcdef0", "i-0123456789abcdef2"}, 12, "i-0123…cdef0,i-0123…cdef2"},
		// A shared suffix that is not at a dot is no domain.
		{[]string{"node-10", "node-110"}, 5, "no…10,no…10"},
		{[]string{"a.x.example", "b.y.example"}, 4, "a.x…,b.y…"},
		{[]string{".example", "a.example"}, 4, ".e…e,a.…e"},
		{nil, 4, ""},
	} {
		if got := strings.Join(shortenNames(tt.names, tt.width), ","); got != tt.want {
			t.Errorf("shortenNames(%q, %d) = %q, want %q", tt.names, tt.width, got, tt.want)
		}
	}
}
