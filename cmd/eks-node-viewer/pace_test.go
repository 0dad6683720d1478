package main

import (
	"context"
	"testing"
	"time"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
)

func TestPaceForwardsAtOnceThenAtMostOncePerInterval(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m := cluster.New(cluster.Options{})
	timers := make(chan chan time.Time, 4)
	after := func(time.Duration) <-chan time.Time {
		ch := make(chan time.Time)
		timers <- ch
		return ch
	}
	p := pace(ctx, m, time.Hour, after)

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
	if got := p.Snapshot(); got.Synced {
		t.Fatal("snapshots do not come from the model")
	}
}
