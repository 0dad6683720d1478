package main

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

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
		create bool
		i      int
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
	for k := 0; k < total && ctx.Err() == nil; k++ {
		<-t.C
		i := pairs + k
		for _, o := range []op{{true, i}, {false, i - pairs}} {
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
// create.
func (c *churner) cleanup(ctx context.Context) error {
	err := c.kube.CoreV1().Pods(churnNS).DeleteCollection(ctx,
		metav1.DeleteOptions{GracePeriodSeconds: ptr(int64(0))},
		metav1.ListOptions{LabelSelector: churnLabel + "=true"})
	if err != nil {
		return fmt.Errorf("delete churn pods: %w", err)
	}
	return nil
}
