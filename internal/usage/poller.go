// Package usage polls metrics.k8s.io (metrics-server, or any server of that
// API) for what nodes and pods really use, and hands each answer to the
// cluster model. The API cannot be watched, so it is polled: node metrics
// every interval for the list screens, pod metrics only for the node the
// views have open. A missing API or a missing permission becomes a note on
// the screen, never an error.
package usage

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metricsv1beta1 "k8s.io/metrics/pkg/apis/metrics/v1beta1"
	metricsclient "k8s.io/metrics/pkg/client/clientset/versioned"

	"golang.org/x/sync/errgroup"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
)

// Note topics: node usage (the API's state) and pod usage (its own
// permission).
const (
	TopicNodes = "usage"
	TopicPods  = "usage-pods"
)

// The notes.
const (
	NoteNotServed     = "usage: metrics.k8s.io not served (install metrics-server)"
	NoteNodeForbidden = "usage: forbidden (needs get, list on nodes in API group metrics.k8s.io)"
	NotePodForbidden  = "usage: pod usage forbidden (needs get, list on pods in API group metrics.k8s.io)"
)

// Model is what the poller feeds: *cluster.Cluster.
type Model interface {
	SetNodeUsage([]cluster.NodeUsage)
	SetPodUsage(node string, pods []cluster.PodUsage)
	SetNote(topic, text string)
	// UsageTarget is the open node and its pods by namespace.
	UsageTarget() cluster.UsageTarget
	// OpenNodeChanged signals that the open node changed.
	OpenNodeChanged() <-chan struct{}
}

// Options configure a poller.
type Options struct {
	Client   metricsclient.Interface
	Interval time.Duration
	// Logger records failures and recoveries (nil: nowhere).
	Logger *slog.Logger
	// Ticker makes the poll's ticker (nil: time.NewTicker's channel and
	// Stop). Tests pass a channel they tick by hand.
	Ticker func(time.Duration) (<-chan time.Time, func())
}

// podsPerGet is how many pod metrics a namespace list may carry per pod of
// the open node before getting those pods one by one is cheaper: a request
// costs the API server, the aggregator and metrics-server about what
// encoding and decoding some 50 pod metrics does. So a DaemonSet's pod in a
// namespace of thousands is fetched alone, and an application's namespace
// is listed once.
const podsPerGet = 50

// maxGets bounds the pod gets in flight.
const maxGets = 8

// Run polls until ctx ends.
func Run(ctx context.Context, m Model, o Options) {
	p := newPoller(m, o)
	tick, stop := p.ticker(o.Interval)
	defer stop()
	p.pollNodes(ctx)
	p.pollPods(ctx)
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick:
			p.pollNodes(ctx)
			p.pollPods(ctx)
		case <-m.OpenNodeChanged():
			p.pollPods(ctx)
		}
	}
}

type poller struct {
	m      Model
	client metricsclient.Interface
	log    *slog.Logger
	ticker func(time.Duration) (<-chan time.Time, func())
	// served: discovery said metrics.k8s.io serves node metrics.
	served bool
	// notes are the notes last set per topic, so that an unchanged state
	// does not signal the model every poll.
	mu    sync.Mutex
	notes map[string]string
}

func newPoller(m Model, o Options) *poller {
	p := &poller{m: m, client: o.Client, log: o.Logger, ticker: o.Ticker, notes: map[string]string{}}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	if p.ticker == nil {
		p.ticker = func(d time.Duration) (<-chan time.Time, func()) {
			t := time.NewTicker(d)
			return t.C, t.Stop
		}
	}
	return p
}

// note sets a topic's note when it changed, and logs the change.
func (p *poller) note(topic, text string) {
	p.mu.Lock()
	same := p.notes[topic] == text
	p.notes[topic] = text
	p.mu.Unlock()
	if same {
		return
	}
	if text == "" {
		p.log.Info("usage recovered", "topic", topic)
	} else {
		p.log.Warn("usage unavailable", "topic", topic, "why", text)
	}
	p.m.SetNote(topic, text)
}

// discover asks whether metrics.k8s.io serves node metrics.
func (p *poller) discover() bool {
	list, err := p.client.Discovery().ServerResourcesForGroupVersion(metricsv1beta1.SchemeGroupVersion.String())
	switch {
	case apierrors.IsNotFound(err):
		p.note(TopicNodes, NoteNotServed)
		return false
	case err != nil:
		p.note(TopicNodes, unavailable(err))
		return false
	}
	for _, r := range list.APIResources {
		if r.Name == "nodes" {
			return true
		}
	}
	p.note(TopicNodes, NoteNotServed)
	return false
}

// pollNodes lists node metrics and hands them to the model.
func (p *poller) pollNodes(ctx context.Context) {
	if !p.served {
		if p.served = p.discover(); !p.served {
			return
		}
	}
	list, err := p.client.MetricsV1beta1().NodeMetricses().List(ctx, metav1.ListOptions{})
	if err != nil {
		if ctx.Err() != nil {
			return
		}
		switch {
		case apierrors.IsForbidden(err):
			p.note(TopicNodes, NoteNodeForbidden)
		case apierrors.IsNotFound(err):
			// The APIService went away: ask discovery again next time.
			p.served = false
			p.note(TopicNodes, NoteNotServed)
		default:
			p.note(TopicNodes, unavailable(err))
		}
		return
	}
	p.note(TopicNodes, "")
	p.m.SetNodeUsage(NodeSamples(list.Items))
}

// NodeSamples converts node metrics to the model's samples.
func NodeSamples(items []metricsv1beta1.NodeMetrics) []cluster.NodeUsage {
	out := make([]cluster.NodeUsage, len(items))
	for i := range items {
		nm := &items[i]
		out[i] = cluster.NodeUsage{
			Name:   nm.Name,
			At:     nm.Timestamp.Time,
			Window: nm.Window.Duration,
			CPU:    milli(nm.Usage, corev1.ResourceCPU),
			Memory: milli(nm.Usage, corev1.ResourceMemory),
		}
	}
	return out
}

// PodSample sums a pod's containers into the model's sample.
func PodSample(pm *metricsv1beta1.PodMetrics) cluster.PodUsage {
	s := cluster.PodUsage{Namespace: pm.Namespace, Name: pm.Name, At: pm.Timestamp.Time, Window: pm.Window.Duration}
	for _, c := range pm.Containers {
		s.CPU = satAdd(s.CPU, milli(c.Usage, corev1.ResourceCPU))
		s.Memory = satAdd(s.Memory, milli(c.Usage, corev1.ResourceMemory))
	}
	return s
}

func milli(l corev1.ResourceList, name corev1.ResourceName) int64 {
	q, ok := l[name]
	if !ok {
		return 0
	}
	return cluster.Milli(q)
}

func satAdd(a, b int64) int64 {
	if s := a + b; s >= a {
		return s
	}
	return 1<<63 - 1
}

// unavailable is the note for any other failure (metrics-server down, a
// timeout): the samples shown age until they are marked stale.
func unavailable(err error) string {
	return fmt.Sprintf("usage: metrics.k8s.io unavailable: %v", err)
}

// pollPods fetches the open node's pods' metrics, namespace by namespace:
// one list for a namespace the node has many of the pods of, one get per
// pod otherwise. Nothing when no node is open or the API is not served.
func (p *poller) pollPods(ctx context.Context) {
	t := p.m.UsageTarget()
	if t.Node == "" || !p.served {
		return
	}
	var (
		mu        sync.Mutex
		out       []cluster.PodUsage
		forbidden bool
		failed    error
	)
	add := func(s cluster.PodUsage) {
		mu.Lock()
		out = append(out, s)
		mu.Unlock()
	}
	fail := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case apierrors.IsNotFound(err):
			// A pod without metrics yet (just started), or gone.
		case apierrors.IsForbidden(err):
			forbidden = true
		case failed == nil:
			failed = err
		}
	}
	pods := p.client.MetricsV1beta1().PodMetricses
	var g errgroup.Group
	g.SetLimit(maxGets)
	for _, ns := range t.Namespaces {
		if ns.Total > podsPerGet*len(ns.Pods) {
			for _, name := range ns.Pods {
				g.Go(func() error {
					pm, err := pods(ns.Namespace).Get(ctx, name, metav1.GetOptions{})
					if err != nil {
						fail(err)
						return nil
					}
					add(PodSample(pm))
					return nil
				})
			}
			continue
		}
		g.Go(func() error {
			list, err := pods(ns.Namespace).List(ctx, metav1.ListOptions{})
			if err != nil {
				fail(err)
				return nil
			}
			for i := range list.Items {
				add(PodSample(&list.Items[i]))
			}
			return nil
		})
	}
	_ = g.Wait()
	if ctx.Err() != nil {
		return
	}
	switch {
	case forbidden:
		p.note(TopicPods, NotePodForbidden)
	case failed != nil:
		p.note(TopicPods, unavailable(failed))
	default:
		p.note(TopicPods, "")
	}
	if len(out) == 0 && (forbidden || failed != nil) {
		return // keep the last samples: they age until marked stale
	}
	p.m.SetPodUsage(t.Node, out)
}
