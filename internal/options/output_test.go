package options

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestOutputFlags(t *testing.T) {
	o, err := Parse([]string{"-o", "ndjson", "--watch", "--timeout", "5s"}, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if o.Output != "ndjson" || !o.Watch || o.Once || o.Timeout != 5*time.Second {
		t.Errorf("parsed %+v", o)
	}
	if o, err = Parse(nil, "", nil); err != nil || o.Output != "" || o.Timeout != DefaultTimeout {
		t.Errorf("defaults: %+v, %v", o, err)
	}
	cfg := writeConfig(t, "output=wide\ntimeout=1m\n")
	if o, err = Parse([]string{"--once"}, cfg, nil); err != nil || o.Output != "wide" || !o.Once || o.Timeout != time.Minute {
		t.Errorf("from the config file: %+v, %v", o, err)
	}
}

func TestOutputFlagErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"-o", "xml"}, `invalid --output "xml": want one of json, yaml, table, wide, ndjson`},
		{[]string{"-o", "JSON"}, `invalid --output "JSON": want one of json, yaml, table, wide, ndjson`},
		{[]string{"--watch"}, `--watch streams changes as NDJSON: use it with -o ndjson`},
		{[]string{"-o", "table", "--watch"}, `--watch streams changes as NDJSON: use it with -o ndjson`},
		{[]string{"-o", "ndjson", "--watch", "--once"}, `--watch and --once do not go together: --watch streams, --once prints one snapshot`},
		{[]string{"--timeout", "0"}, `invalid --timeout 0s: must be above 0 (e.g. 30s)`},
		{[]string{"--timeout", "-1s"}, `invalid --timeout -1s: must be above 0 (e.g. 30s)`},
	}
	for _, tt := range tests {
		_, err := Parse(tt.args, "", nil)
		var ue *UsageError
		if !errors.As(err, &ue) || err.Error() != tt.want {
			t.Errorf("%q: %v, want the usage error %q", tt.args, err, tt.want)
		}
	}
	cfg := writeConfig(t, "output=xml\n")
	if _, err := Parse(nil, cfg, nil); err == nil || !strings.HasSuffix(err.Error(), `:1: invalid --output "xml": want one of json, yaml, table, wide, ndjson`) {
		t.Errorf("config file: %v, want the line named", err)
	}
}

// TestHelpTeachesOutput: --help shows the output flags, an example and
// the exit codes.
func TestHelpTeachesOutput(t *testing.T) {
	var buf bytes.Buffer
	if _, err := Parse([]string{"--help"}, "", &buf); !errors.Is(err, ErrHelp) {
		t.Fatal(err)
	}
	for _, want := range []string{"Output:", "-o, --output", "--once", "--watch", "--timeout", "(default 30s)",
		"eks-node-viewer -o json | jq '.summary.pricePerHour'", "-o ndjson --watch", "Exit codes: 0 ok, 1 runtime failure, 2 bad input, 3 timed out"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("help lacks %q", want)
		}
	}
}
