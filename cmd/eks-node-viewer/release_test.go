package main

import (
	"context"
	"runtime"
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
