package main

import (
	"context"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// workers is how many requests the loader keeps in flight.
const workers = 32

// expected is what the viewer must show for the objects created.
type expected struct {
	nodes    int
	pods     int
	cpuUsed  int64 // milli-CPU requested by the pods
	cpuAlloc int64 // milli-CPU allocatable on the nodes
}

// size is one benchmark size: N nodes and M pods.
type size struct{ nodes, pods int }

func (s size) String() string { return fmt.Sprintf("%dx%d", s.nodes, s.pods) }

// plan computes what a size creates, without creating it.
func plan(s size) expected {
	e := expected{nodes: s.nodes, pods: s.pods}
	created := time.Now()
	for i := range s.nodes {
		e.cpuAlloc += nodeCPU(makeNode(i, created))
	}
	for i := range s.pods {
		e.cpuUsed += podCPU(makePod(i, namespaceName(i), podName(i), ""))
	}
	return e
}

// fastClient is a protobuf clientset without client-side throttling.
func fastClient(cfg *rest.Config) (kubernetes.Interface, error) {
	cfg = rest.CopyConfig(cfg)
	cfg.ContentType = "application/vnd.kubernetes.protobuf"
	cfg.AcceptContentTypes = "application/vnd.kubernetes.protobuf,application/json"
	cfg.QPS, cfg.Burst = -1, 0 // no rate limiter: the worker count bounds the load
	cfg.UserAgent = "bench-scale"
	return kubernetes.NewForConfig(cfg)
}

// parallel runs fn(i) for i in [0, n) on workers goroutines and reports
// progress every few seconds. It stops at the first error.
func parallel(ctx context.Context, what string, n int, progress io.Writer, fn func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var next, done atomic.Int64
	var once sync.Once
	var firstErr error
	var wg sync.WaitGroup
	start := time.Now()
	stop := make(chan struct{})
	go func() {
		t := time.NewTicker(10 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				d := done.Load()
				fmt.Fprintf(progress, "bench: %s %d/%d (%.0f/s)\n", what, d, n, float64(d)/time.Since(start).Seconds())
			}
		}
	}()
	for range min(workers, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				if err := fn(ctx, i); err != nil {
					once.Do(func() { firstErr = err; cancel() })
					return
				}
				done.Add(1)
			}
		}()
	}
	wg.Wait()
	close(stop)
	if firstErr != nil {
		return fmt.Errorf("%s: %w", what, firstErr)
	}
	if err := ctx.Err(); err != nil && done.Load() < int64(n) {
		return err
	}
	fmt.Fprintf(progress, "bench: %s %d in %s (%.0f/s)\n", what, n, time.Since(start).Round(100*time.Millisecond), float64(n)/time.Since(start).Seconds())
	return nil
}

// load creates the namespaces, nodes and pods of s (what already exists is
// kept, so an interrupted load can be resumed) and sets the pods Running.
func load(ctx context.Context, kube kubernetes.Interface, s size, progress io.Writer) error {
	for i := range namespaces {
		ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespaceName(i)}}
		if _, err := kube.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
			return fmt.Errorf("create namespace: %w", err)
		}
	}
	created := time.Now()
	if err := parallel(ctx, "nodes", s.nodes, progress, func(ctx context.Context, i int) error {
		_, err := kube.CoreV1().Nodes().Create(ctx, makeNode(i, created), metav1.CreateOptions{})
		if apierrors.IsAlreadyExists(err) {
			return nil
		}
		return err
	}); err != nil {
		return err
	}
	return parallel(ctx, "pods (create + status Running)", s.pods, progress, func(ctx context.Context, i int) error {
		return createRunning(ctx, kube, makePod(i, namespaceName(i), podName(i), nodeName(podNode(i, s.nodes))))
	})
}

// restore recreates what an earlier run of the same size deleted (the
// latency phase's pods) on a reused cluster.
func restore(ctx context.Context, kube kubernetes.Interface, s size, progress io.Writer) error {
	var idx []int
	for k := range min(latencyNodes, s.nodes) {
		for i := k; i < s.pods; i += s.nodes {
			idx = append(idx, i)
		}
	}
	return parallel(ctx, "restore latency pods", len(idx), progress, func(ctx context.Context, j int) error {
		i := idx[j]
		return createRunning(ctx, kube, makePod(i, namespaceName(i), podName(i), nodeName(podNode(i, s.nodes))))
	})
}

// createRunning creates a pod and then writes its status (the API resets
// the status of a new pod to Pending).
func createRunning(ctx context.Context, kube kubernetes.Interface, p *corev1.Pod) error {
	status := p.Status
	got, err := kube.CoreV1().Pods(p.Namespace).Create(ctx, p, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		return nil
	}
	if err != nil {
		return err
	}
	got.Status = status
	_, err = kube.CoreV1().Pods(p.Namespace).UpdateStatus(ctx, got, metav1.UpdateOptions{})
	return err
}

// count returns how many objects a list would return, from the first page.
func count(ctx context.Context, list func(context.Context, metav1.ListOptions) (int, *int64, error)) (int, error) {
	n, remaining, err := list(ctx, metav1.ListOptions{Limit: 1})
	if err != nil {
		return 0, err
	}
	if remaining != nil {
		n += int(*remaining)
	}
	return n, nil
}

func countNodes(ctx context.Context, kube kubernetes.Interface) (int, error) {
	return count(ctx, func(ctx context.Context, o metav1.ListOptions) (int, *int64, error) {
		l, err := kube.CoreV1().Nodes().List(ctx, o)
		if err != nil {
			return 0, nil, err
		}
		return len(l.Items), l.RemainingItemCount, nil
	})
}

func countPods(ctx context.Context, kube kubernetes.Interface) (int, error) {
	return count(ctx, func(ctx context.Context, o metav1.ListOptions) (int, *int64, error) {
		l, err := kube.CoreV1().Pods("").List(ctx, o)
		if err != nil {
			return 0, nil, err
		}
		return len(l.Items), l.RemainingItemCount, nil
	})
}

// deletePod removes a pod at once (grace 0: no kubelet would confirm).
func deletePod(ctx context.Context, kube kubernetes.Interface, ns, name string) error {
	err := kube.CoreV1().Pods(ns).Delete(ctx, name, metav1.DeleteOptions{GracePeriodSeconds: ptr(int64(0))})
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}
