package main

import (
	"context"
	"slices"
	"sync"
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
	p := pace(ctx, m, pacing{interval: time.Hour, stream: time.Hour, streamAfter: 1 << 30}, time.Hour, clock{after: after, now: time.Now})

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

// TestPaceSlowsForAStream: signals that come within the interval of the
// change before wait for it, and after streamAfter of them the stream
// interval is used; a change after a calm interval passes at once and goes
// back to the first interval.
func TestPaceSlowsForAStream(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m := syncedModel(ctx, t)
	type timer struct {
		d  time.Duration
		ch chan time.Time
	}
	timers := make(chan timer, 4)
	var mu sync.Mutex
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	tick := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	clk := clock{
		after: func(d time.Duration) <-chan time.Time {
			ch := make(chan time.Time, 1)
			timers <- timer{d, ch}
			return ch
		},
		now: func() time.Time { mu.Lock(); defer mu.Unlock(); return now },
	}
	p := pace(ctx, m, pacing{interval: time.Second, stream: time.Minute, streamAfter: 2}, time.Hour, clk)

	m.Notify()
	<-p.Changed()
	tm := <-timers
	got := []time.Duration{tm.d}
	for range 3 { // changes 100 ms apart: a stream
		tick(100 * time.Millisecond)
		m.Notify()
		tm.ch <- now // the interval ends (buffered: whenever the pace looks)
		<-p.Changed()
		tm = <-timers
		got = append(got, tm.d)
	}
	tick(2 * time.Second) // calm
	m.Notify()
	<-p.Changed() // at once: the running interval's timer never fired
	tm = <-timers
	got = append(got, tm.d)
	want := []time.Duration{time.Second, time.Second, time.Minute, time.Minute, time.Second}
	if !slices.Equal(got, want) {
		t.Errorf("intervals %v, want %v", got, want)
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
	p := pace(ctx, m, pacing{interval: time.Hour, stream: time.Hour, streamAfter: 1 << 30}, time.Hour, clock{after: after, now: time.Now})
	for range 3 {
		m.Notify()
		<-p.Changed()
	}
}

func TestPaceRefreshesWhileSyncing(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	m := cluster.New(cluster.Options{}) // never synced, never changed
	p := pace(ctx, m, pacing{interval: time.Hour, stream: time.Hour, streamAfter: 1 << 30}, time.Millisecond, realClock)
	for range 3 {
		<-p.Changed() // refreshes come without any change
	}
}
