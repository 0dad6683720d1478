package options

import (
	"reflect"
	"testing"
)

// A replay takes its display settings from the recording unless the
// command line gives them: Explicit names those, not the config file's.
func TestExplicitFlagsAreTheCommandLines(t *testing.T) {
	cfg := writeConfig(t, "resources=cpu,memory\nnode-sort=karpenter.sh/nodepool\n")
	o, err := Parse([]string{"--replay", "x.rec", "--extra-labels", "a", "-l", "b=c", "--replay-speed", "10"}, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"replay": true, "extra-labels": true, "node-selector": true, "replay-speed": true}
	if !reflect.DeepEqual(o.Record.Explicit, want) {
		t.Errorf("Explicit %v, want %v", o.Record.Explicit, want)
	}
	if o.Record.Replay != "x.rec" || o.Record.ReplaySpeed != 10 {
		t.Errorf("record options %+v", o.Record)
	}
}
