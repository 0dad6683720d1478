package cluster

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
)

// NodeClaimResource is Karpenter's NodeClaim (karpenter.sh/v1).
var NodeClaimResource = schema.GroupVersionResource{Group: "karpenter.sh", Version: "v1", Resource: "nodeclaims"}

// nonTerminalPods excludes finished pods server-side: they hold no resources,
// and on big clusters they are many. (Fakes ignore field selectors; the
// model re-checks the phase.)
var nonTerminalPods = fields.AndSelectors(
	fields.OneTermNotEqualSelector("status.phase", string(corev1.PodSucceeded)),
	fields.OneTermNotEqualSelector("status.phase", string(corev1.PodFailed)),
).String()

// watchSpec declares one informer: what it lists, how each object is made small,
// and how the model applies it. apply runs under the model's lock; the
// shared handler counts the initial objects and signals the change.
type watchSpec struct {
	sync      *syncState
	client    any // for the WatchList semantics check
	list      listFunc
	watch     watchFunc
	opts      func(*metav1.ListOptions) // nil: list everything
	object    runtime.Object
	transform cache.TransformFunc
	// apply installs obj (old is nil for an add, obj nil for a delete); it
	// reports whether the model changed.
	apply func(old, obj any) bool
}

type (
	listFunc  func(context.Context, metav1.ListOptions) (runtime.Object, error)
	watchFunc func(context.Context, metav1.ListOptions) (watch.Interface, error)
)

// api adapts a typed or dynamic client of one resource.
func api[L runtime.Object](c interface {
	List(ctx context.Context, o metav1.ListOptions) (L, error)
	Watch(ctx context.Context, o metav1.ListOptions) (watch.Interface, error)
}) (listFunc, watchFunc) {
	return func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) { return c.List(ctx, o) }, c.Watch
}

// watches are the model's five informers, declared once: Start gives them
// their API calls, Feed (feed.go) hands them objects in-process. Each
// declaration registers its sync state, in this order.
type watches struct {
	nodes, pods, claims, events, pools watchSpec
}

// watches declares the informers (without their list and watch calls).
func (c *Cluster) watches() watches {
	selector := c.opts.Selector.String()
	byLabels := func(o *metav1.ListOptions) { o.LabelSelector = selector }
	return watches{
		nodes: watchSpec{sync: c.addSync("nodes"), opts: byLabels, object: &corev1.Node{},
			transform: c.res.transformNode, apply: c.applyNode},
		pods: watchSpec{sync: c.addSync("pods"), object: &corev1.Pod{},
			opts:      func(o *metav1.ListOptions) { o.FieldSelector = nonTerminalPods },
			transform: c.res.transformPod, apply: c.applyPod},
		claims: watchSpec{sync: c.addSync("nodeclaims"), opts: byLabels, object: &unstructured.Unstructured{},
			transform: c.res.transformClaim, apply: c.applyClaim},
		events: watchSpec{sync: c.addSync("events"), object: &corev1.Event{},
			transform: transformEvent, apply: c.applyEvent},
		pools: watchSpec{sync: c.addSync("nodepools"), object: &unstructured.Unstructured{},
			transform: transformPool, apply: c.applyPool},
	}
}

// begin marks the moment the model starts watching (Start, Feed).
func (c *Cluster) begin() {
	c.mu.Lock()
	c.started = c.opts.Now()
	c.ledger.since = c.started
	c.opts.Record.start(c.started)
	c.mu.Unlock()
}

// Start runs the informers until ctx ends. It returns at once; progress and
// problems show up in Snapshots. dyn may be nil (no NodeClaims).
func (c *Cluster) Start(ctx context.Context, kube kubernetes.Interface, dyn dynamic.Interface) {
	w := c.watches()
	nodes, pods, claims, events, pools := w.nodes, w.pods, w.claims, w.events, w.pools
	nodes.client, pods.client, events.client = kube, kube, kube
	claims.client, pools.client = dyn, dyn
	nodes.list, nodes.watch = api(kube.CoreV1().Nodes())
	pods.list, pods.watch = api(kube.CoreV1().Pods(""))
	events.list, events.watch = api(kube.CoreV1().Events(""))

	c.begin()
	for _, w := range []watchSpec{nodes, pods, events} {
		go c.startInformer(ctx, w)
	}
	go func() {
		served := c.karpenterServed(kube, dyn)
		if !served[NodePoolResource.Resource] {
			// Without Karpenter the NodeClaims' note says so; the NodePools
			// view then groups nodes by their labels.
			msg := ""
			if served[NodeClaimResource.Resource] {
				msg = "no Karpenter NodePools (karpenter.sh/v1 nodepools not served)"
			}
			c.skip(pools.sync, msg)
		} else {
			pools.list, pools.watch = api(dyn.Resource(NodePoolResource))
			go c.startInformer(ctx, pools)
		}
		if !served[NodeClaimResource.Resource] {
			msg := "no Karpenter NodeClaims (karpenter.sh/v1 not served)"
			if dyn == nil {
				msg = "no NodeClaims: no dynamic client"
			}
			c.skip(claims.sync, msg)
			return
		}
		claims.list, claims.watch = api(dyn.Resource(NodeClaimResource))
		if c.startInformer(ctx, claims) {
			c.tickLaunching(ctx)
		}
	}()
	go c.followPrices(ctx)
}

// followPrices prices rows anew whenever the pricing provider says its
// answers may have changed.
func (c *Cluster) followPrices(ctx context.Context) {
	if c.opts.Pricing == nil {
		return
	}
	ch := c.opts.Pricing.Changed()
	if ch == nil {
		return
	}
	for {
		select {
		case <-ctx.Done():
			return
		case _, ok := <-ch:
			if !ok {
				return
			}
			if rp, ok := c.opts.Pricing.(*pricesRecorder); ok {
				rp.refresh()
			}
			c.PricesChanged()
		}
	}
}

// startInformer runs the resource's informer and, alongside, probes whether
// the resource may be listed: a missing permission stops the informer and
// becomes a note instead of an endless retry. (Probing first would put a
// round trip before the initial sync.) It reports whether the informer runs.
func (c *Cluster) startInformer(ctx context.Context, w watchSpec) bool {
	mod := w.opts
	if mod == nil {
		mod = func(*metav1.ListOptions) {}
	}
	ictx, stop := context.WithCancel(ctx)
	context.AfterFunc(ctx, stop)
	lw := &cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			mod(&o)
			pagedList(&o)
			obj, err := w.list(ctx, o)
			c.observe(w.sync, err)
			return obj, err
		},
		WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
			mod(&o)
			wi, err := w.watch(ctx, o)
			c.observe(w.sync, err)
			return wi, err
		},
	}
	c.run(ictx, w, lw)
	if msg := c.probe(ctx, w.sync.name, func(ctx context.Context) error {
		_, err := w.list(ctx, metav1.ListOptions{Limit: 1})
		return err
	}); msg != "" {
		stop()
		c.skip(w.sync, msg)
		return false
	}
	return true
}

// pagedList makes a list without WatchList streaming (servers before 1.32,
// 1.33, or with the WatchList feature off) come in pages. The reflector asks
// for resourceVersion "0" with a page size, and the apiserver's cache ignores
// the size for "0": every pod of the cluster in one response, the one that
// times out on big clusters. A list at the latest version (""), as kubectl's,
// honours the limit: 500 objects a page, served from the cache where the
// server can, else from etcd.
func pagedList(o *metav1.ListOptions) {
	if o.ResourceVersion == "0" && o.Limit > 0 && o.Continue == "" {
		o.ResourceVersion = ""
		o.ResourceVersionMatch = ""
	}
}

// karpenterServed returns the karpenter.sh/v1 resources the cluster serves
// (none without a dynamic client).
func (c *Cluster) karpenterServed(kube kubernetes.Interface, dyn dynamic.Interface) map[string]bool {
	served := map[string]bool{}
	if dyn == nil {
		return served
	}
	list, err := kube.Discovery().ServerResourcesForGroupVersion(NodeClaimResource.GroupVersion().String())
	if err == nil {
		for _, r := range list.APIResources {
			served[r.Name] = true
		}
	}
	return served
}

// probe lists one object to learn early whether we may; it returns a note
// when we may not (RBAC) and "" otherwise (other errors are retried by the
// informer itself).
func (c *Cluster) probe(ctx context.Context, what string, list func(context.Context) error) string {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	err := list(ctx)
	switch {
	case apierrors.IsForbidden(err):
		return fmt.Sprintf("%s: forbidden (needs get, list, watch on %s)", what, what)
	case apierrors.IsNotFound(err):
		return fmt.Sprintf("%s: not served by this cluster", what)
	}
	return ""
}

func (c *Cluster) addSync(name string) *syncState {
	s := &syncState{name: name}
	c.mu.Lock()
	c.syncs = append(c.syncs, s)
	c.opts.Record.strings(opWatch, name)
	c.mu.Unlock()
	return s
}

// skip records that an informer will not run and why (a note; "" for
// none, when another note says it).
func (c *Cluster) skip(s *syncState, why string) {
	c.mu.Lock()
	s.skipped = nonEmpty(why, "not served")
	s.conn = connection{}
	if why != "" {
		c.notes[s.name] = why
	}
	c.opts.Record.strings(opSkip, s.name, why)
	c.mu.Unlock()
	c.markSynced(s)
}

func (c *Cluster) run(ctx context.Context, w watchSpec, lw *cache.ListWatch) {
	s := w.sync
	_, ctrl := cache.NewInformerWithOptions(cache.InformerOptions{
		ListerWatcher: cache.ToListWatcherWithWatchListSemantics(plainAfterInitialEvents(lw), w.client),
		ObjectType:    w.object,
		Handler:       c.handler(w),
		Transform:     c.transformOf(w),
	})
	go ctrl.RunWithContext(ctx)
	go func() {
		if cache.WaitForCacheSync(ctx.Done(), ctrl.HasSynced) {
			c.markSynced(s)
		}
	}()
}

// transformOf is what an informer of w runs on each object it receives:
// w's transform, counting the initial sync's objects.
func (c *Cluster) transformOf(w watchSpec) cache.TransformFunc {
	return c.counting(w.sync, w.transform)
}

// progressEvery is how many streamed objects make the screen show progress.
const progressEvery = 2000

// counting wraps a transform to count decoded objects while the initial
// sync runs. A streamed initial list (WatchList) reaches the handlers only
// once complete, so the transform is the one place that sees it progress.
func (c *Cluster) counting(s *syncState, transform cache.TransformFunc) cache.TransformFunc {
	return func(obj any) (any, error) {
		if _, decoded := obj.(runtime.Object); decoded && !s.done.Load() {
			if n := s.streamed.Add(1); n%progressEvery == 0 {
				c.opts.Record.streamed(s.name, n)
				c.Notify()
			}
		}
		return transform(obj)
	}
}

// markSynced records that an informer finished its initial sync (or will
// not run), and closes Synced after the last one.
func (c *Cluster) markSynced(s *syncState) {
	c.mu.Lock()
	c.opts.Record.strings(opSync, s.name)
	c.setSynced(s)
	c.mu.Unlock()
	c.Notify()
}

// setSynced marks s synced (under c.mu) and closes Synced after the last.
func (c *Cluster) setSynced(s *syncState) {
	s.synced = true
	s.done.Store(true)
	all := true
	for _, st := range c.syncs {
		all = all && st.synced
	}
	if all && !c.allSynced {
		c.allSynced = true
		c.flushBacklog()
		close(c.synced)
	}
}

// tickLaunching re-notifies while NodeClaims are launching, so that "stuck"
// appears without another change.
func (c *Cluster) tickLaunching(ctx context.Context) {
	t := time.NewTicker(30 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			c.mu.Lock()
			n := len(c.claims)
			c.mu.Unlock()
			if n > 0 {
				c.Notify()
			}
		}
	}
}

// unwrap returns the last known object of a delete.
func unwrap(obj any) any {
	if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
		return d.Obj
	}
	return obj
}

// handler is every informer's event handler: lock, count the initial
// objects, apply, unlock, and signal a change when there was one.
func (c *Cluster) handler(w watchSpec) cache.ResourceEventHandler {
	do := func(initial bool, old, obj any) {
		c.mu.Lock()
		if initial {
			w.sync.count++
		}
		if c.opts.Record != nil {
			// The model's clock stands still while it applies what it
			// records, at the record's time: a replay applies it at that
			// time too, so what the apply stamps (activity, ledger) agrees.
			c.frozen = c.opts.Now().Truncate(time.Millisecond)
		}
		changed := w.apply(old, obj)
		c.opts.Record.object(c.frozen, w.sync.name, initial, old, obj)
		c.frozen = time.Time{}
		c.mu.Unlock()
		if changed {
			c.Notify()
		}
	}
	return cache.ResourceEventHandlerDetailedFuncs{
		AddFunc:    func(obj any, initial bool) { do(initial, nil, obj) },
		UpdateFunc: func(old, obj any) { do(false, old, obj) },
		DeleteFunc: func(obj any) { do(false, unwrap(obj), nil) },
	}
}
