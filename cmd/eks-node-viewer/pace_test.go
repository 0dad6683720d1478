package main

import (
	"context"
	"testing"
	"time"

	"k8s.io/client-go/kubernetes/fake"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
)

func TestPaceForwardsAtOnceThenAtMostOncePerInterval(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m := syncedModel(ctx, t)
	timers := make(chan chan time.Time, 4)
	after := func(time.Duration) <-chan time.Time {
		ch := make(chan time.Time)
		timers <- ch
		return ch
	}
	p := pace(ctx, m, time.Hour, time.Hour, after)

	m.Notify()
	<-p.Changed() // the first change passes at once
	timer := <-timers

	// Changes during the interval wait for it, and coalesce into one.
	m.Notify()
	m.Notify()
	select {
	case <-p.Changed():
		t.Fatal("a change passed before the interval ended")
	default:
	}
	timer <- time.Now()
	<-p.Changed()
	<-timers
	select {
	case <-p.Changed():
		t.Fatal("two signals for one burst")
	default:
	}
	if got := p.SnapshotFor(cluster.Query{}); !got.Synced {
		t.Fatal("snapshots do not come from the model")
	}
}

// syncedModel is a model whose informers synced (over an empty fake cluster).
func syncedModel(ctx context.Context, t *testing.T) *cluster.Cluster {
	m := cluster.New(cluster.Options{})
	m.Start(ctx, fake.NewClientset(), nil)
	select {
	case <-m.Synced():
	case <-time.After(time.Minute):
		t.Fatal("the model did not sync")
	}
	for len(m.Changed()) > 0 { // the sync's own signals
		<-m.Changed()
	}
	return m
}

func TestPaceDoesNotHoldBackTheInitialSync(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m := cluster.New(cluster.Options{}) // never synced
	after := func(time.Duration) <-chan time.Time {
		t.Error("a pace interval before the sync")
		return nil
	}
	p := pace(ctx, m, time.Hour, time.Hour, after)
	for range 3 {
		m.Notify()
		<-p.Changed()
	}
}

func TestPaceRefreshesWhileSyncing(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m := cluster.New(cluster.Options{}) // never synced, never changed
	p := pace(ctx, m, time.Hour, time.Millisecond, time.After)
	for range 3 {
		<-p.Changed() // refreshes come without any change
	}
}
