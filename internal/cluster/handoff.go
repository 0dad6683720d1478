package cluster

import (
	"context"
	"sync"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/tools/cache"
)

// An initial state streamed with WatchList arrives gzip-compressed when the
// server offers it (WatchListCompression), which saves bandwidth on the big
// first sync. The server keeps compressing that stream afterwards, though,
// flushing a gzip block per event: decompressing each small event then costs
// more than decoding it. So once the initial state is in, the stream is
// ended and the reflector carries on with a plain watch from the resource
// version it reached (what it does whenever a watch times out): nothing is
// listed again and nothing is missed.

// plainAfterInitialEvents wraps the watch function of lw so that a WatchList
// stream ends after its initial events.
func plainAfterInitialEvents(lw *cache.ListWatch) *cache.ListWatch {
	next := lw.WatchFuncWithContext
	lw.WatchFuncWithContext = func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
		w, err := next(ctx, o)
		if err != nil || o.SendInitialEvents == nil || !*o.SendInitialEvents {
			return w, err
		}
		return endAfterInitialEvents(w), nil
	}
	return lw
}

// handoff forwards a WatchList stream until one event after the bookmark
// that ends the initial events, then stops it. That one event is delivered
// before the stream ends, so the reflector's watch has seen an event (a
// stream that ends at once, empty, would count as failed and make it list
// everything again); on a quiet cluster it is the server's next periodic
// bookmark.
type handoff struct {
	w    watch.Interface
	out  chan watch.Event
	stop chan struct{}
	once sync.Once
}

func endAfterInitialEvents(w watch.Interface) watch.Interface {
	h := &handoff{w: w, out: make(chan watch.Event), stop: make(chan struct{})}
	go h.run()
	return h
}

func (h *handoff) ResultChan() <-chan watch.Event { return h.out }

func (h *handoff) Stop() {
	h.once.Do(func() {
		close(h.stop)
		h.w.Stop()
	})
}

func (h *handoff) run() {
	defer close(h.out)
	defer h.Stop()
	initialDone := false
	for {
		var ev watch.Event
		var ok bool
		select {
		case ev, ok = <-h.w.ResultChan():
			if !ok {
				return
			}
		case <-h.stop:
			return
		}
		select {
		case h.out <- ev:
		case <-h.stop:
			return
		}
		if initialDone || ev.Type == watch.Error {
			return
		}
		initialDone = isInitialEventsEnd(ev)
	}
}

func isInitialEventsEnd(ev watch.Event) bool {
	if ev.Type != watch.Bookmark {
		return false
	}
	m, err := meta.Accessor(ev.Object)
	return err == nil && m.GetAnnotations()[metav1.InitialEventsAnnotationKey] == "true"
}
