package main

import (
	"context"
	"testing"
)

func TestReleaseAfterSyncReturns(t *testing.T) {
	synced := make(chan struct{})
	close(synced)
	releaseAfterSync(context.Background(), synced) // returns once synced

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	releaseAfterSync(ctx, make(chan struct{})) // or when the viewer ends first
}
