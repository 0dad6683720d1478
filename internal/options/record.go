package options

import (
	"os"
	"path/filepath"

	"github.com/spf13/pflag"
)

// Record are the --record and --replay settings.
type Record struct {
	// Record is the file to record the session into ("" none).
	Record string
	// Replay is the recording to show instead of a cluster ("" none).
	Replay string
	// ReplaySpeed is the replay's speed factor.
	ReplaySpeed float64
	// Explicit holds the flags given on the command line (not from the
	// config file): a replay takes its display settings from the recording
	// unless these say otherwise.
	Explicit map[string]bool
}

func (o *Options) recordFlags() *pflag.FlagSet {
	fs := pflag.NewFlagSet("record and replay", pflag.ContinueOnError)
	fs.StringVar(&o.Record.Record, "record", "", "record what the viewer receives into FILE (gzip NDJSON, written as it goes)")
	fs.StringVar(&o.Record.Replay, "replay", "", "show a recording made with --record instead of a cluster (no kubeconfig, no AWS calls)")
	fs.Float64Var(&o.Record.ReplaySpeed, "replay-speed", 1, "speed factor of --replay (space pauses, ←/→ or </> seek 10s)")
	return fs
}

func (o *Options) validateRecord() error {
	r := &o.Record
	switch {
	case r.Replay != "" && o.Demo:
		return flagErrorf("replay", "--replay and --demo: a replay shows its recording (record the demo with --demo --record FILE)")
	case r.Replay != "" && r.Record != "" && sameFile(r.Replay, r.Record):
		return flagErrorf("record", "--record and --replay name the same file %q", r.Record)
	case r.Replay != "" && r.Record != "":
		return flagErrorf("record", "--record with --replay: a replay has nothing new to record")
	case r.ReplaySpeed <= 0:
		return flagErrorf("replay-speed", "invalid --replay-speed %v: must be above 0", r.ReplaySpeed)
	}
	return nil
}

func sameFile(a, b string) bool {
	fa, errA := os.Stat(a)
	fb, errB := os.Stat(b)
	if errA == nil && errB == nil {
		return os.SameFile(fa, fb)
	}
	absA, errA := filepath.Abs(a)
	absB, errB := filepath.Abs(b)
	return errA == nil && errB == nil && absA == absB
}
