package cluster

import (
	"fmt"
	"sync"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/cache"
)

// Feed hands the model objects in-process instead of from an API server,
// for simulations past what an API server can hold (make bench-sim). Each
// object takes the path an informer's watch event takes after decoding:
// the informer's transform (the same watch declarations as Start's), a
// client-go store of the same kind as the informer's (which keeps the
// transformed object, so that memory held includes what an informer
// keeps), then the informers' shared handler (lock, apply, notify).
//
// Use a Feed instead of Start, never with it, from one goroutine or many
// (each resource's objects are applied one at a time, as by its informer).
// Objects added before Synced are the initial list (Snapshot.Syncing
// counts them). Nothing is filtered server-side: the model's own checks
// apply (the node selector, terminal pods). A Feed does not follow price
// changes (call PricesChanged) nor re-notify launching NodeClaims.
type Feed struct {
	c                                  *Cluster
	nodes, pods, claims, events, pools *feedWatch
}

// feedWatch is one resource's informer, minus the API server.
type feedWatch struct {
	// mu: an informer processes one event at a time (its queue's lock).
	mu        sync.Mutex
	spec      watchSpec
	transform cache.TransformFunc
	handler   cache.ResourceEventHandler
	store     cache.Store
	synced    bool
}

// Feed returns the model's in-process input and starts the model's clock
// as Start does. Call it once, instead of Start (it panics otherwise: the
// model would count two sets of informers).
func (c *Cluster) Feed() *Feed {
	c.mu.Lock()
	started := len(c.syncs) > 0
	c.mu.Unlock()
	if started {
		panic("cluster: Feed on a model already started (Start or Feed)")
	}
	w := c.watches()
	f := &Feed{c: c}
	for _, x := range []struct {
		to   **feedWatch
		spec watchSpec
	}{{&f.nodes, w.nodes}, {&f.pods, w.pods}, {&f.claims, w.claims}, {&f.events, w.events}, {&f.pools, w.pools}} {
		*x.to = &feedWatch{
			spec:      x.spec,
			transform: c.transformOf(x.spec),
			handler:   c.handler(x.spec),
			store:     cache.NewStore(cache.DeletionHandlingMetaNamespaceKeyFunc),
		}
	}
	c.begin()
	return f
}

// Add delivers obj as an informer delivers an added object (before Synced,
// one of the initial list). Like the informer, it updates an object the
// store already holds.
func (f *Feed) Add(obj runtime.Object) error { return f.put(obj) }

// Update delivers obj as an informer delivers a modified object (an add
// when the store does not hold it, as the informer does).
func (f *Feed) Update(obj runtime.Object) error { return f.put(obj) }

// Delete delivers obj as an informer delivers a deleted one: obj is the
// object's final state.
func (f *Feed) Delete(obj runtime.Object) error {
	return f.deliver(obj, func(w *feedWatch, t any) error {
		if err := w.store.Delete(t); err != nil {
			return err
		}
		w.handler.OnDelete(t)
		return nil
	})
}

// put is client-go's processing of an added or modified object.
func (f *Feed) put(obj runtime.Object) error {
	return f.deliver(obj, func(w *feedWatch, t any) error {
		if old, ok, err := w.store.Get(t); err == nil && ok {
			if err := w.store.Update(t); err != nil {
				return err
			}
			w.handler.OnUpdate(old, t)
			return nil
		}
		if err := w.store.Add(t); err != nil {
			return err
		}
		w.handler.OnAdd(t, !w.synced)
		return nil
	})
}

// deliver transforms obj as its informer would and, under that watch's
// lock, hands it to apply (the store's and the handler's part); a store
// error is named by the resource.
func (f *Feed) deliver(obj runtime.Object, apply func(w *feedWatch, t any) error) error {
	w, err := f.watchOf(obj)
	if err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	t, err := w.transform(obj)
	if err != nil {
		return fmt.Errorf("transform %s: %w", w.spec.sync.name, err)
	}
	if err := apply(w, t); err != nil {
		return fmt.Errorf("%s store: %w", w.spec.sync.name, err)
	}
	return nil
}

// Synced completes the initial sync of every resource: what is added from
// now on is news, and Snapshot.Synced turns true.
func (f *Feed) Synced() {
	for _, w := range f.all() {
		w.mu.Lock()
		done := w.synced
		w.synced = true
		w.mu.Unlock()
		if !done {
			f.c.markSynced(w.spec.sync)
		}
	}
}

// Stored is how many objects the store of a resource holds ("nodes",
// "pods", "nodeclaims", "events", "nodepools"; 0 for another name).
func (f *Feed) Stored(resource string) int {
	for _, w := range f.all() {
		if w.spec.sync.name == resource {
			return len(w.store.ListKeys())
		}
	}
	return 0
}

func (f *Feed) all() []*feedWatch { return []*feedWatch{f.nodes, f.pods, f.claims, f.events, f.pools} }

// watchOf is the resource of obj.
func (f *Feed) watchOf(obj runtime.Object) (*feedWatch, error) {
	switch o := obj.(type) {
	case *corev1.Node:
		return f.nodes, nil
	case *corev1.Pod:
		return f.pods, nil
	case *corev1.Event:
		return f.events, nil
	case *unstructured.Unstructured:
		gvk := o.GroupVersionKind()
		switch {
		case gvk.Group == NodeClaimResource.Group && gvk.Kind == "NodeClaim":
			return f.claims, nil
		case gvk.Group == NodePoolResource.Group && gvk.Kind == "NodePool":
			return f.pools, nil
		}
		return nil, fmt.Errorf("feed: unstructured %s is neither a karpenter.sh NodeClaim nor a NodePool", gvk)
	}
	return nil, fmt.Errorf("feed: %T is not a Node, Pod, Event, NodeClaim or NodePool", obj)
}
