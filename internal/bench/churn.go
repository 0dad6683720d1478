package main

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

const (
	churnLabel = "bench.eks-node-viewer/churn"
	churnNS    = "team-00"
	// churnWorkers bounds the requests in flight: enough for 200/s even
	// when one takes a quarter of a second on a busy apiserver.
	churnWorkers = 64
)

// churnStats is what a churn run achieved.
type churnStats struct {
	creates, deletes, dropped, failed int64
	elapsed                           time.Duration
}

func (c churnStats) rate() float64 {
	if c.elapsed <= 0 {
		return 0
	}
	return float64(c.creates+c.deletes) / c.elapsed.Seconds()
}

// churner creates and deletes pods at a fixed rate (half creates, half
// deletes). Each pod lives about a second: warm-up creates the first
// second's pods before the measured window, so that the window sees creates
// and deletes at the full rate from its start. Churn pods go to nodes past
// the latency nodes and stay Pending (no status write).
type churner struct {
	kube  kubernetes.Interface
	nodes int
	rate  int // creates + deletes per second
	// events is how many Karpenter events a second the churn also posts
	// (a pod nominated to a NodeClaim, a node Karpenter will not
	// consolidate), for the viewer's activity timeline.
	events int
}

func (c *churner) name(i int) string { return fmt.Sprintf("%s%06d", churnPrefix, i) }

func (c *churner) create(ctx context.Context, i int) error {
	node := latencyNodes + i%max(1, c.nodes-latencyNodes)
	p := makePod(i, churnNS, c.name(i), nodeName(node))
	p.Labels[churnLabel] = "true"
	_, err := c.kube.CoreV1().Pods(churnNS).Create(ctx, p, metav1.CreateOptions{})
	return err
}

// warmUp creates the pods the first second of churn deletes.
func (c *churner) warmUp(ctx context.Context) error {
	for i := range c.lag() {
		if err := c.create(ctx, i); err != nil {
			return fmt.Errorf("churn warm-up: %w", err)
		}
	}
	return nil
}

// lag is how many ticks a churn pod lives: about a second.
func (c *churner) lag() int { return max(1, c.rate/2) }

// run churns for d (bounded: rate*d operations at most); call warmUp
// before and cleanup after. A tick whose operations cannot be queued (the
// apiserver falls behind) is dropped and counted, never made up later.
func (c *churner) run(ctx context.Context, d time.Duration) churnStats {
	pairs := c.lag() // create+delete pairs per second
	tick := time.Second / time.Duration(pairs)
	total := int(d / tick)

	type op struct {
		create, event bool
		i             int
	}
	ops := make(chan op, 2*pairs)
	var st churnStats
	var wg sync.WaitGroup
	var creates, deletes, failed atomic.Int64
	for range churnWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for o := range ops {
				var err error
				if o.event {
					if c.event(ctx, o.i) != nil {
						failed.Add(1)
					}
					continue
				}
				if o.create {
					err = c.create(ctx, o.i)
				} else {
					err = deletePod(ctx, c.kube, churnNS, c.name(o.i))
				}
				switch {
				case err != nil:
					failed.Add(1)
				case o.create:
					creates.Add(1)
				default:
					deletes.Add(1)
				}
			}
		}()
	}
	start := time.Now()
	t := time.NewTicker(tick)
	every := 0 // ticks between events
	if c.events > 0 {
		every = max(1, pairs/c.events)
	}
	for k := 0; k < total && ctx.Err() == nil; k++ {
		<-t.C
		i := pairs + k
		batch := []op{{create: true, i: i}, {i: i - pairs}}
		if every > 0 && k%every == 0 {
			batch = append(batch, op{event: true, i: i})
		}
		for _, o := range batch {
			select {
			case ops <- o:
			default:
				st.dropped++
			}
		}
	}
	t.Stop()
	close(ops)
	wg.Wait()
	st.elapsed = time.Since(start)
	st.creates, st.deletes, st.failed = creates.Load(), deletes.Load(), failed.Load()
	return st
}

// cleanup deletes every churn pod, including ones whose delete raced their
// create, and the churn's events.
func (c *churner) cleanup(ctx context.Context) error {
	churned := metav1.ListOptions{LabelSelector: churnLabel + "=true"}
	err := c.kube.CoreV1().Pods(churnNS).DeleteCollection(ctx,
		metav1.DeleteOptions{GracePeriodSeconds: ptr(int64(0))}, churned)
	if err != nil {
		return fmt.Errorf("delete churn pods: %w", err)
	}
	for _, ns := range []string{churnNS, "default"} {
		if err := c.kube.CoreV1().Events(ns).DeleteCollection(ctx, metav1.DeleteOptions{}, churned); err != nil {
			return fmt.Errorf("delete churn events: %w", err)
		}
	}
	return nil
}

// event posts Karpenter event i: even ones nominate churn pod i to a
// NodeClaim, odd ones say a node cannot be consolidated.
func (c *churner) event(ctx context.Context, i int) error {
	node := latencyNodes + i%max(1, c.nodes-latencyNodes)
	now := metav1.NewTime(time.Now())
	e := &corev1.Event{
		ObjectMeta: metav1.ObjectMeta{
			Name:   fmt.Sprintf("%s%06d.karpenter", churnPrefix, i),
			Labels: map[string]string{churnLabel: "true"},
		},
		Source:         corev1.EventSource{Component: "karpenter"},
		Type:           corev1.EventTypeNormal,
		FirstTimestamp: now, LastTimestamp: now, Count: 1,
	}
	if i%2 == 0 {
		e.Namespace = churnNS
		e.InvolvedObject = corev1.ObjectReference{Kind: "Pod", Namespace: churnNS, Name: c.name(i)}
		e.Reason, e.Message = "Nominated", "Pod should schedule on: nodeclaim/"+claimName(node/claimEvery*claimEvery)
	} else {
		e.Namespace = "default"
		e.InvolvedObject = corev1.ObjectReference{Kind: "Node", Name: nodeName(node)}
		e.Reason, e.Message = "Unconsolidatable", "Can't replace with a cheaper node"
	}
	_, err := c.kube.CoreV1().Events(e.Namespace).Create(ctx, e, metav1.CreateOptions{})
	return err
}
