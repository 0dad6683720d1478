package demo

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
)

// The demo's usage: it has no metrics.k8s.io, so it is its own source. Its
// pods carry kwok's usage annotations, the ones the e2e test bed's kwok
// turns into kubelet resource metrics for a real metrics-server; the demo
// reads them every interval of demo time and hands the samples to the
// model through the setters the metrics poller (internal/usage) uses:
// SetNodeUsage for every node, SetPodUsage for the open node's pods.

// kwok's usage annotations: what each of a pod's containers uses.
const (
	AnnotationUsageCPU    = "kwok.x-k8s.io/usage-cpu"
	AnnotationUsageMemory = "kwok.x-k8s.io/usage-memory"
)

// What a container uses without the annotations (kwok's defaults).
const (
	defaultCPU    = "1m"
	defaultMemory = "1Mi"
)

// UsageModel is what the demo's usage feeds: *cluster.Cluster.
type UsageModel interface {
	SetNodeUsage([]cluster.NodeUsage)
	SetPodUsage(node string, pods []cluster.PodUsage)
	// UsageTarget is the open node and its pods by namespace.
	UsageTarget() cluster.UsageTarget
	// OpenNodeChanged signals that the open node changed.
	OpenNodeChanged() <-chan struct{}
}

// RunUsage samples the cluster's usage every interval of demo time
// (interval/speed of real time) until ctx ends, at once first: every node
// uses what its running pods use, and the open node's pods are sampled
// too, at once when another node opens. A sample is stamped with the
// demo's clock to the second, as metrics-server stamps its own. Call it
// once the model has synced (a sample of a node it has not seen is
// dropped).
func (c *Cluster) RunUsage(ctx context.Context, m UsageModel, interval time.Duration) error {
	if interval <= 0 {
		return fmt.Errorf("demo usage: interval %v", interval)
	}
	tick := time.NewTicker(time.Duration(float64(interval) / c.speed))
	defer tick.Stop()
	var at time.Time
	sample := func() error {
		at = c.now().UTC().Truncate(time.Second)
		pods, err := c.podUsage(at, interval)
		if err != nil {
			return err
		}
		nodes, err := c.nodeNames()
		if err != nil {
			return err
		}
		m.SetNodeUsage(nodeUsage(nodes, pods, at, interval))
		openPods(m, pods)
		return nil
	}
	if err := sample(); err != nil {
		return err
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
			if err := sample(); err != nil {
				return err
			}
		case <-m.OpenNodeChanged():
			// The node's pods as of the last sample (metrics-server
			// answers with its latest scrape too).
			pods, err := c.podUsage(at, interval)
			if err != nil {
				return err
			}
			openPods(m, pods)
		}
	}
}

// podSample is a running pod's sample and its node.
type podSample struct {
	node string
	cluster.PodUsage
}

// podUsage samples the running pods bound to a node: each container uses
// its pod's annotations (or kwok's defaults).
func (c *Cluster) podUsage(at time.Time, window time.Duration) ([]podSample, error) {
	k := kinds["Pod"]
	obj, err := c.Kube.Tracker().List(k.gvr, corev1.SchemeGroupVersion.WithKind("Pod"), "")
	if err != nil {
		return nil, fmt.Errorf("demo usage: %w", err)
	}
	list, ok := obj.(*corev1.PodList)
	if !ok {
		return nil, fmt.Errorf("demo usage: pods listed as %T", obj)
	}
	var out []podSample
	for i := range list.Items {
		p := &list.Items[i]
		if p.Spec.NodeName == "" || p.Status.Phase != corev1.PodRunning {
			continue
		}
		cpu := annotation(p, AnnotationUsageCPU, defaultCPU)
		mem := annotation(p, AnnotationUsageMemory, defaultMemory)
		n := int64(max(len(p.Spec.Containers), 1))
		out = append(out, podSample{node: p.Spec.NodeName, PodUsage: cluster.PodUsage{
			Namespace: p.Namespace, Name: p.Name, At: at, Window: window,
			CPU: satMul(cluster.Milli(cpu), n), Memory: satMul(cluster.Milli(mem), n),
		}})
	}
	return out, nil
}

// annotation is the quantity in the pod's annotation key, or def when it is
// absent or not a quantity.
func annotation(p *corev1.Pod, key, def string) resource.Quantity {
	if v, ok := p.Annotations[key]; ok {
		if q, err := resource.ParseQuantity(v); err == nil && q.Sign() >= 0 {
			return q
		}
	}
	return resource.MustParse(def)
}

// nodeNames are the cluster's nodes.
func (c *Cluster) nodeNames() ([]string, error) {
	k := kinds["Node"]
	obj, err := c.Kube.Tracker().List(k.gvr, corev1.SchemeGroupVersion.WithKind("Node"), "")
	if err != nil {
		return nil, fmt.Errorf("demo usage: %w", err)
	}
	list, ok := obj.(*corev1.NodeList)
	if !ok {
		return nil, fmt.Errorf("demo usage: nodes listed as %T", obj)
	}
	names := make([]string, len(list.Items))
	for i := range list.Items {
		names[i] = list.Items[i].Name
	}
	return names, nil
}

// nodeUsage is each node's sample: what its running pods use (kwok's
// emulated kubelet sums them the same way).
func nodeUsage(nodes []string, pods []podSample, at time.Time, window time.Duration) []cluster.NodeUsage {
	out := make([]cluster.NodeUsage, len(nodes))
	index := make(map[string]int, len(nodes))
	for i, name := range nodes {
		out[i] = cluster.NodeUsage{Name: name, At: at, Window: window}
		index[name] = i
	}
	for _, p := range pods {
		if i, ok := index[p.node]; ok {
			out[i].CPU += p.CPU
			out[i].Memory += p.Memory
		}
	}
	return out
}

// openPods hands the open node's pods' samples to the model.
func openPods(m UsageModel, pods []podSample) {
	t := m.UsageTarget()
	if t.Node == "" {
		return
	}
	var out []cluster.PodUsage
	for _, p := range pods {
		if p.node == t.Node {
			out = append(out, p.PodUsage)
		}
	}
	m.SetPodUsage(t.Node, out)
}

// satMul is v*n for v >= 0 and n >= 1, saturated (an absurd annotation
// times the containers never wraps).
func satMul(v, n int64) int64 {
	if v > (1<<63-1)/n {
		return 1<<63 - 1
	}
	return v * n
}
