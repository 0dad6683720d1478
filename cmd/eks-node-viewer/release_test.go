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

func TestSyncRunsALazierCollectorUntilDone(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	t.Setenv("GOGC", "")
	t.Setenv("GOMAXPROCS", "")
	syncGC()
	if p := gcPercent(); p != syncGCPercent {
		t.Errorf("GOGC %d during the sync, want %d", p, syncGCPercent)
	}
	synced := make(chan struct{})
	close(synced)
	if !releaseAfterSync(context.Background(), synced) {
		t.Error("a completed sync reported as not")
	}
	if p := gcPercent(); p != 100 {
		t.Errorf("GOGC %d after the sync, want 100", p)
	}
}

func TestSyncKeepsAnExplicitGOGC(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(50))
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	t.Setenv("GOGC", "50")
	t.Setenv("GOMAXPROCS", "")
	syncGC()
	synced := make(chan struct{})
	close(synced)
	releaseAfterSync(context.Background(), synced)
	if p := gcPercent(); p != 50 {
		t.Errorf("GOGC %d, want the 50 asked for", p)
	}
}
