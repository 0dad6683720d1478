package main

import (
	"context"
	"runtime"
	"runtime/debug"
	"testing"
)

func TestReleaseAfterSyncReturns(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	t.Setenv("GOMAXPROCS", "")
	synced := make(chan struct{})
	close(synced)
	releaseAfterSync(context.Background(), synced) // returns once synced
	if n := runtime.GOMAXPROCS(0); n != 1 {
		t.Errorf("GOMAXPROCS %d after the sync", n)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	releaseAfterSync(ctx, make(chan struct{})) // or when the viewer ends first
}

func TestReleaseAfterSyncKeepsAnExplicitGOMAXPROCS(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	t.Setenv("GOMAXPROCS", "2")
	synced := make(chan struct{})
	close(synced)
	releaseAfterSync(context.Background(), synced)
	if n := runtime.GOMAXPROCS(0); n != 2 {
		t.Errorf("GOMAXPROCS %d, want the 2 asked for", n)
	}
}

// gcPercent reads GOGC's current value.
func gcPercent() int {
	p := debug.SetGCPercent(100)
	debug.SetGCPercent(p)
	return p
}

// The collector runs lazier during the sync and at the default after it,
// unless the user set GOGC.
func TestSyncGC(t *testing.T) {
	for _, tt := range []struct {
		env           string
		during, after int
	}{
		{env: "", during: syncGCPercent, after: 100},
		{env: "50", during: 50, after: 50},
	} {
		t.Run("GOGC="+tt.env, func(t *testing.T) {
			defer debug.SetGCPercent(debug.SetGCPercent(100))
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
			if tt.env != "" {
				debug.SetGCPercent(tt.during) // as the runtime did from the environment
			}
			t.Setenv("GOGC", tt.env)
			t.Setenv("GOMAXPROCS", "")
			syncGC()
			if p := gcPercent(); p != tt.during {
				t.Errorf("GOGC %d during the sync, want %d", p, tt.during)
			}
			synced := make(chan struct{})
			close(synced)
			if !releaseAfterSync(context.Background(), synced) {
				t.Error("a completed sync reported as not")
			}
			if p := gcPercent(); p != tt.after {
				t.Errorf("GOGC %d after the sync, want %d", p, tt.after)
			}
		})
	}
}
