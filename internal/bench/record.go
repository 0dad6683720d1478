package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
	"github.com/eksnodeviewer/eks-node-viewer/internal/e2e/harness"
	"github.com/eksnodeviewer/eks-node-viewer/internal/options"
)

// The recording rows (issue 12): the size of a recording of the initial
// state, what churn adds to it per second, and the viewer's CPU under churn
// with --record against without.

// Targets.
const (
	// targetRecordInitial is the recording of 5,000 nodes / 100,000 pods;
	// other sizes are judged by the same bytes per object.
	targetRecordInitial = 5 << 20
	targetRecordChurn   = 10 << 10 // bytes per second at 200 pod changes/s
	targetRecordCPU     = 1.2      // x the CPU under churn without --record
)

// recordResult is what the recording rows measured at one size.
type recordResult struct {
	initial   int64   // bytes after the initial sync
	churnBps  float64 // bytes per second added under churn
	churnRate float64 // pod changes per second achieved
	cpu, win  time.Duration
	churn     churnStats    // the churn of the side-by-side runs
	plain     time.Duration // the CPU of the viewer beside it, not recording
	err       error
}

// countingWriter counts what reaches the recording.
type countingWriter struct{ n atomic.Int64 }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n.Add(int64(len(p)))
	return len(p), nil
}

// measureRecordSize records, in this process, the model's initial sync of
// s's nodes and pods (the bench's own objects, through the real informers,
// transforms and codec, from an in-memory clientset), then rate pod
// changes a second for d.
func measureRecordSize(ctx context.Context, s size, rate int, d time.Duration) recordResult {
	var r recordResult
	kube := fake.NewClientset()
	created := time.Now()
	for i := range s.nodes {
		if err := kube.Tracker().Add(makeNode(i, created)); err != nil {
			return recordResult{err: err}
		}
	}
	for i := range s.pods {
		p := makePod(i, namespaceName(i), podName(i), nodeName(podNode(i, s.nodes)))
		if err := kube.Tracker().Add(thin(p)); err != nil {
			return recordResult{err: err}
		}
	}
	var w countingWriter
	rec := cluster.NewRecorder(&w, cluster.RecordInfo{Program: "bench"})
	sort, _ := options.ParseSort(options.DefaultNodeSort)
	m := cluster.New(cluster.Options{Sort: sort, Record: rec})
	mctx, stop := context.WithCancel(ctx)
	defer stop()
	m.Start(mctx, kube, nil)
	select {
	case <-m.Synced():
	case <-ctx.Done():
		return recordResult{err: ctx.Err()}
	}
	// Two flushes: everything of the sync is written.
	time.Sleep(2100 * time.Millisecond)
	r.initial = w.n.Load()
	if snap := m.Snapshot(); len(snap.Nodes) != s.nodes || snap.Pods.Total != s.pods {
		return recordResult{err: fmt.Errorf("the recorded model has %d nodes, %d pods", len(snap.Nodes), snap.Pods.Total)}
	}

	// Churn: half creates, half deletes of pods that live about a second.
	pairs := max(1, rate/2)
	tick := time.Second / time.Duration(pairs)
	t := time.NewTicker(tick)
	defer t.Stop()
	before, t0 := w.n.Load(), time.Now()
	ops := 0
	for i := 0; time.Since(t0) < d && ctx.Err() == nil; i++ {
		<-t.C
		p := makePod(i, churnNS, fmt.Sprintf("%s%06d", churnPrefix, i), nodeName(latencyNodes+i%max(1, s.nodes-latencyNodes)))
		if _, err := kube.CoreV1().Pods(churnNS).Create(ctx, thin(p), metav1.CreateOptions{}); err != nil {
			r.err = err
			break
		}
		ops++
		if j := i - pairs; j >= 0 {
			if err := kube.CoreV1().Pods(churnNS).Delete(ctx, fmt.Sprintf("%s%06d", churnPrefix, j), metav1.DeleteOptions{}); err != nil {
				r.err = err
				break
			}
			ops++
		}
	}
	time.Sleep(1100 * time.Millisecond) // the last second's flush
	took := time.Since(t0) - 1100*time.Millisecond
	r.churnBps = float64(w.n.Load()-before) / took.Seconds()
	r.churnRate = float64(ops) / took.Seconds()
	stop()
	if err := rec.Close(); err != nil && r.err == nil {
		r.err = err
	}
	return r
}

// thin keeps of a pod what the model reads (its metadata, node, phase and
// requests): the in-memory clientset then holds 100,000 of them in little
// memory, and the recording is the same.
func thin(p *corev1.Pod) *corev1.Pod {
	out := &corev1.Pod{ObjectMeta: p.ObjectMeta, Status: corev1.PodStatus{Phase: p.Status.Phase}}
	out.Spec.NodeName = p.Spec.NodeName
	for _, c := range p.Spec.Containers {
		out.Spec.Containers = append(out.Spec.Containers, corev1.Container{Name: c.Name, Resources: corev1.ResourceRequirements{Requests: c.Resources.Requests}})
	}
	for _, c := range p.Spec.InitContainers {
		out.Spec.InitContainers = append(out.Spec.InitContainers, corev1.Container{Name: c.Name, Resources: corev1.ResourceRequirements{Requests: c.Resources.Requests}})
	}
	out.Spec.Overhead = p.Spec.Overhead
	return out
}

// measureRecordCPU runs two more viewers side by side, one recording and
// one not, through the same churn: their CPU over the same window, under
// the same load (a machine shared with others makes two windows differ
// more than recording does).
func measureRecordCPU(ctx context.Context, cfg config, c *harness.Cluster, ch *churner, want expected) (rec *recordResult, err error) {
	rec = &recordResult{}
	file := filepath.Join(cfg.out, "churn.rec")
	defer os.Remove(file)
	with, err := startOurs(cfg.viewer, c.Kubeconfig, cfg.out, cfg.runs+1, "--record", file)
	if err != nil {
		return rec, err
	}
	defer with.stop()
	without, err := startOurs(cfg.viewer, c.Kubeconfig, cfg.out, cfg.runs+2)
	if err != nil {
		return rec, err
	}
	defer without.stop()
	for _, o := range []*ours{with, without} {
		if _, screen, err := o.firstFrame(want); err != nil {
			return rec, fmt.Errorf("%w\nlast screen:\n%s", err, screen)
		}
	}
	if err := sleep(ctx, cfg.settle); err != nil {
		return rec, err
	}
	if err := ch.warmUp(ctx); err != nil {
		return rec, err
	}
	if err := sleep(ctx, 2*time.Second); err != nil {
		return rec, err
	}
	var plain time.Duration
	rec.cpu, rec.win, err = with.cpuOver(func() error {
		var err error
		plain, _, err = without.cpuOver(func() error {
			rec.churn = ch.run(ctx, cfg.churn)
			return ctx.Err()
		})
		return err
	})
	rec.plain = plain
	if err != nil {
		return rec, err
	}
	return rec, ch.cleanup(ctx)
}

func (r *sizeResult) recordRows() []row {
	rec := r.rec
	if rec == nil {
		return nil
	}
	var rows []row
	if rec.initial > 0 {
		objects := float64(r.size.nodes + r.size.pods)
		target := targetRecordInitial * objects / float64(baselineSize.nodes+baselineSize.pods)
		shown := fmt.Sprintf("%.2f MB", float64(rec.initial)/(1<<20))
		rows = append(rows, row{"recording: initial state", "-", shown, "-",
			fmt.Sprintf("<= %.2f MB", target/(1<<20)), verdict(float64(rec.initial) <= target)})
	}
	if rec.churnRate > 0 {
		rows = append(rows, row{fmt.Sprintf("recording: added under churn (%.0f/s)", rec.churnRate), "-",
			fmt.Sprintf("%.1f KB/s", rec.churnBps/1024), "-", "<= 10 KB/s at 200/s",
			verdict(rec.churnBps*200/rec.churnRate <= targetRecordChurn)})
	}
	if rec.win > 0 && rec.plain > 0 {
		with, without := pct(rec.cpu, rec.win), pct(rec.plain, rec.win)
		ratio := with / without
		rows = append(rows, row{fmt.Sprintf("CPU under churn with --record (%.0f/s, side by side)", rec.churn.rate()), fmt.Sprintf("%.1f%% without", 100*without),
			fmt.Sprintf("%.1f%% (%.2f s)", 100*with, rec.cpu.Seconds()), fmt.Sprintf("%.2fx", ratio),
			"<= 1.2x", verdict(ratio <= targetRecordCPU)})
	}
	if rec.err != nil {
		rows = append(rows, row{"recording: stopped early: " + oneLine(rec.err), "-", "-", "-", "-", "missed"})
	}
	return rows
}
