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

// Start runs the informers until ctx ends. It returns at once; progress and
// problems show up in Snapshots. dyn may be nil (no NodeClaims).
func (c *Cluster) Start(ctx context.Context, kube kubernetes.Interface, dyn dynamic.Interface) {
	selector := c.opts.Selector.String()
	byLabels := func(o *metav1.ListOptions) { o.LabelSelector = selector }
	nonTerminal := func(o *metav1.ListOptions) { o.FieldSelector = nonTerminalPods }
	nodes := c.addSync("nodes")
	pods := c.addSync("pods")
	claims := c.addSync("nodeclaims")
	events := c.addSync("events")

	go startInformer(ctx, c, nodes, kube, kube.CoreV1().Nodes(), byLabels, &corev1.Node{}, c.res.transformNode, c.nodeHandler(nodes))
	go startInformer(ctx, c, pods, kube, kube.CoreV1().Pods(""), nonTerminal, &corev1.Pod{}, c.res.transformPod, c.podHandler(pods))
	go startInformer(ctx, c, events, kube, kube.CoreV1().Events(""), nil, &corev1.Event{}, transformEvent, c.eventHandler(events))
	go func() {
		if msg := c.nodeClaimsAvailable(kube, dyn); msg != "" {
			c.skip(claims, msg)
			return
		}
		if startInformer(ctx, c, claims, dyn, dyn.Resource(NodeClaimResource), byLabels, &unstructured.Unstructured{}, c.res.transformClaim, c.claimHandler(claims)) {
			c.tickLaunching(ctx)
		}
	}()
}

// lister is a typed or dynamic client for one resource.
type lister[L runtime.Object] interface {
	List(ctx context.Context, o metav1.ListOptions) (L, error)
	Watch(ctx context.Context, o metav1.ListOptions) (watch.Interface, error)
}

// startInformer runs the resource's informer and, alongside, probes whether
// the resource may be listed: a missing permission stops the informer and
// becomes a note instead of an endless retry. (Probing first would put a
// round trip before the initial sync.) It reports whether the informer runs.
func startInformer[L runtime.Object](ctx context.Context, c *Cluster, s *syncState, client any, api lister[L], mod func(*metav1.ListOptions),
	objType runtime.Object, transform cache.TransformFunc, h cache.ResourceEventHandler) bool {
	if mod == nil {
		mod = func(*metav1.ListOptions) {}
	}
	ictx, stop := context.WithCancel(ctx)
	context.AfterFunc(ctx, stop)
	c.run(ictx, s, client, &cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			mod(&o)
			pagedList(&o)
			return api.List(ctx, o)
		},
		WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
			mod(&o)
			return api.Watch(ctx, o)
		},
	}, objType, transform, h)
	if msg := c.probe(ctx, s.name, func(ctx context.Context) error {
		_, err := api.List(ctx, metav1.ListOptions{Limit: 1})
		return err
	}); msg != "" {
		stop()
		c.skip(s, msg)
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

// nodeClaimsAvailable returns "" when the cluster serves NodeClaims, else a note.
func (c *Cluster) nodeClaimsAvailable(kube kubernetes.Interface, dyn dynamic.Interface) string {
	if dyn == nil {
		return "no NodeClaims: no dynamic client"
	}
	list, err := kube.Discovery().ServerResourcesForGroupVersion(NodeClaimResource.GroupVersion().String())
	if err == nil {
		for _, r := range list.APIResources {
			if r.Name == NodeClaimResource.Resource {
				return ""
			}
		}
	}
	return "no Karpenter NodeClaims (karpenter.sh/v1 not served)"
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
	c.mu.Unlock()
	return s
}

func (c *Cluster) skip(s *syncState, why string) {
	c.mu.Lock()
	s.skipped = why
	c.notes[s.name] = why
	c.mu.Unlock()
	c.markSynced(s)
}

func (c *Cluster) run(ctx context.Context, s *syncState, client any, lw *cache.ListWatch, objType runtime.Object, transform cache.TransformFunc, h cache.ResourceEventHandler) {
	_, ctrl := cache.NewInformerWithOptions(cache.InformerOptions{
		ListerWatcher: cache.ToListWatcherWithWatchListSemantics(plainAfterInitialEvents(lw), client),
		ObjectType:    objType,
		Handler:       h,
		Transform:     c.counting(s, transform),
	})
	go ctrl.RunWithContext(ctx)
	go func() {
		if cache.WaitForCacheSync(ctx.Done(), ctrl.HasSynced) {
			c.markSynced(s)
		}
	}()
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
	s.synced = true
	s.done.Store(true)
	all := true
	for _, st := range c.syncs {
		all = all && st.synced
	}
	if all && !c.allSynced {
		c.allSynced = true
		close(c.synced)
	}
	c.mu.Unlock()
	c.Notify()
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

func (c *Cluster) counted(s *syncState, initial bool) {
	if initial {
		s.count++
	}
}

func (c *Cluster) podHandler(s *syncState) cache.ResourceEventHandler {
	return cache.ResourceEventHandlerDetailedFuncs{
		AddFunc: func(obj any, initial bool) {
			p, _ := obj.(*podObj)
			c.mu.Lock()
			c.counted(s, initial)
			c.podDelta(p, 1)
			c.mu.Unlock()
			c.Notify()
		},
		UpdateFunc: func(oldObj, newObj any) {
			o, _ := oldObj.(*podObj)
			n, _ := newObj.(*podObj)
			c.mu.Lock()
			c.podDelta(o, -1)
			c.podDelta(n, 1)
			c.mu.Unlock()
			c.Notify()
		},
		DeleteFunc: func(obj any) {
			p, _ := unwrap(obj).(*podObj)
			c.mu.Lock()
			c.podDelta(p, -1)
			c.mu.Unlock()
			c.Notify()
		},
	}
}

func (c *Cluster) nodeHandler(s *syncState) cache.ResourceEventHandler {
	// Fakes ignore label selectors on watches: re-check here.
	shown := func(n *nodeObj) *nodeObj {
		if n == nil || !c.opts.Selector.Matches(labelSet(n.labels)) {
			return nil
		}
		return n
	}
	return cache.ResourceEventHandlerDetailedFuncs{
		AddFunc: func(obj any, initial bool) {
			n, _ := obj.(*nodeObj)
			if n = shown(n); n == nil {
				return
			}
			c.mu.Lock()
			c.counted(s, initial)
			c.setNode(n.name, n)
			c.mu.Unlock()
			c.Notify()
		},
		UpdateFunc: func(_, newObj any) {
			n, _ := newObj.(*nodeObj)
			if n == nil {
				return
			}
			c.mu.Lock()
			c.setNode(n.name, shown(n))
			c.mu.Unlock()
			c.Notify()
		},
		DeleteFunc: func(obj any) {
			n, _ := unwrap(obj).(*nodeObj)
			if n == nil {
				return
			}
			c.mu.Lock()
			if e := c.nodes[n.name]; e != nil && e.node != nil {
				c.setNode(n.name, nil)
			}
			c.mu.Unlock()
			c.Notify()
		},
	}
}

func (c *Cluster) claimHandler(s *syncState) cache.ResourceEventHandler {
	set := func(obj any, initial bool) {
		n, _ := obj.(*claimObj)
		if n == nil {
			return
		}
		c.mu.Lock()
		c.counted(s, initial)
		if c.opts.Selector.Matches(labelSet(n.labels)) {
			c.claims[n.name] = n
		} else {
			delete(c.claims, n.name)
		}
		c.mu.Unlock()
		c.Notify()
	}
	return cache.ResourceEventHandlerDetailedFuncs{
		AddFunc:    set,
		UpdateFunc: func(_, newObj any) { set(newObj, false) },
		DeleteFunc: func(obj any) {
			n, _ := unwrap(obj).(*claimObj)
			if n == nil {
				return
			}
			c.mu.Lock()
			delete(c.claims, n.name)
			c.mu.Unlock()
			c.Notify()
		},
	}
}

func (c *Cluster) eventHandler(s *syncState) cache.ResourceEventHandler {
	set := func(obj any, initial bool) {
		e, _ := obj.(*eventObj)
		c.mu.Lock()
		c.counted(s, initial)
		if e != nil && e.ev != nil {
			c.addEvent(e.ev)
		}
		c.mu.Unlock()
		if e != nil && e.ev != nil {
			c.Notify()
		}
	}
	return cache.ResourceEventHandlerDetailedFuncs{
		AddFunc:    set,
		UpdateFunc: func(_, newObj any) { set(newObj, false) },
		DeleteFunc: func(any) {},
	}
}
