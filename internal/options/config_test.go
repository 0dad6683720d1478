package options

import (
	"errors"
	"strings"
	"testing"
)

// TestConfigFileLines: the BOM, comments and quotes, value by value.
func TestConfigFileLines(t *testing.T) {
	cfg := writeConfig(t, "\ufeffnode-selector=karpenter.sh/nodepool # only Karpenter's\n"+
		"style=#04B575,#FFFF00,#FF0000\n"+
		"  # indented comment\n"+
		"extra-labels = topology.kubernetes.io/zone\t# tab before the comment\n"+
		"node-sort = \"creation=asc\" # quoted, then a comment\n"+
		"profile='a #b'\n")
	o, err := Parse(nil, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ got, want string }{
		{o.NodeSelector, "karpenter.sh/nodepool"},
		{o.Style, "#04B575,#FFFF00,#FF0000"},
		{strings.Join(o.ExtraLabels, ","), "topology.kubernetes.io/zone"},
		{o.NodeSort, "creation=asc"},
		{o.Profile, "a #b"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
	// A colour right after "= " is a value, not a comment.
	o, err = Parse(nil, writeConfig(t, "style = #111111,#222222,#333333 # mine\n"), nil)
	if err != nil || o.Colors != [3]string{"#111111", "#222222", "#333333"} {
		t.Errorf("style after '= ': %v %v", err, o)
	}
}

// TestConfigFileErrorStrings: every error names the file and the line,
// values that Validate rejects included.
func TestConfigFileErrorStrings(t *testing.T) {
	long := "node-selector=" + strings.Repeat("a", maxConfigLine) + "\n"
	tests := []struct {
		name, body, want string
	}{
		{"bad selector", "# c\nnode-selector=a in (b\n", `F:2: invalid --node-selector "a in (b": `},
		{"bad sort", "resources=cpu\n\nnode-sort=creation=sideways # hm\n", `F:3: invalid --node-sort "creation=sideways": order must be asc or dsc, not "sideways"`},
		{"bad style", "style=#fff\n", `F:1: invalid --style "#fff": want three colours (good,ok,bad), e.g. #04B575,#FFFF00,#FF0000`},
		{"bad resources", "resources=cpu,cpu\n", `F:1: invalid --resources "cpu,cpu": "cpu" is listed twice`},
		{"bad label", "\ufeffextra-labels=not ok\n", `F:1: invalid --extra-labels: "not ok" is not a label key`},
		{"long line", "# first\n" + long, `F:2: line longer than 64 KiB`},
		{"unterminated quote", "profile=\"abc\n", `F:1: profile: unterminated quote in "abc`},
		{"junk after quote", "profile=\"a\" b\n", `F:1: profile: unexpected "b" after the quoted value`},
		{"utf-16", "\xff\xfen\x00", `F:1: the file is UTF-16; save it as UTF-8`},
		{"no equals", "\ufeffno equals\n", `F:1: expected key=value, got "no equals"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := writeConfig(t, tt.body)
			_, err := Parse(nil, cfg, nil)
			var ue *UsageError
			if !errors.As(err, &ue) {
				t.Fatalf("err = %v, want a UsageError", err)
			}
			got := strings.Replace(err.Error(), cfg, "F", 1)
			if !strings.HasPrefix(got, tt.want) {
				t.Errorf("err = %q\nwant prefix %q", got, tt.want)
			}
		})
	}
	// The same value on the command line names the flag, not a file.
	_, err := Parse([]string{"--node-selector", "a in (b"}, writeConfig(t, "resources=cpu\n"), nil)
	if err == nil || !strings.HasPrefix(err.Error(), `invalid --node-selector "a in (b": `) {
		t.Errorf("flag error: %v", err)
	}
}

func TestHelpSaysHowCommentsWork(t *testing.T) {
	var buf strings.Builder
	if _, err := Parse([]string{"--help"}, "", &buf); !errors.Is(err, ErrHelp) {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"#" starts a comment at the start of a line or after a space`) {
		t.Errorf("help does not say how comments work:\n%s", buf.String())
	}
}
