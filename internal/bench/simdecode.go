package main

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"slices"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	kruntime "k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer/streaming"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes/scheme"
	restwatch "k8s.io/client-go/rest/watch"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
)

// The decode cost the in-process feed skips: what an informer's watch does
// with each event before its transform. The objects are encoded as an API
// server sends a protobuf watch (each a framed WatchEvent holding the
// encoded pod), and decoded through the decoders the viewer's typed client
// negotiates (client-go's scheme codecs, WithoutConversion, with pods
// slimmed on the wire: cluster.PodCodecs) and the stream watcher that hands
// each event to the reflector over a channel.

// watchStream is the bytes of a protobuf watch of objs, one MODIFIED
// event each.
func watchStream(objs []kruntime.Object) ([]byte, error) {
	info, ok := kruntime.SerializerInfoForMediaType(scheme.Codecs.SupportedMediaTypes(), kruntime.ContentTypeProtobuf)
	if !ok || info.StreamSerializer == nil {
		return nil, errors.New("no protobuf stream serializer")
	}
	objEnc := scheme.Codecs.EncoderForVersion(info.Serializer, corev1.SchemeGroupVersion)
	evEnc := scheme.Codecs.EncoderForVersion(info.StreamSerializer.Serializer, corev1.SchemeGroupVersion)
	var buf bytes.Buffer
	enc := streaming.NewEncoder(info.StreamSerializer.Framer.NewFrameWriter(&buf), evEnc)
	for _, o := range objs {
		raw, err := kruntime.Encode(objEnc, o)
		if err != nil {
			return nil, err
		}
		if err := enc.Encode(&metav1.WatchEvent{Type: string(watch.Modified), Object: kruntime.RawExtension{Raw: raw}}); err != nil {
			return nil, err
		}
	}
	return buf.Bytes(), nil
}

// decodeWatch decodes a watch stream as the informer's watch does, hands
// each object to each, in order, and returns how many there were.
func decodeWatch(stream []byte, each func(kruntime.Object)) (int, error) {
	neg := kruntime.NewClientNegotiator(cluster.PodCodecs(scheme.Codecs.WithoutConversion()), corev1.SchemeGroupVersion)
	objDec, streamDec, framer, err := neg.StreamDecoder(kruntime.ContentTypeProtobuf, nil)
	if err != nil {
		return 0, err
	}
	body := io.NopCloser(bytes.NewReader(stream))
	w := watch.NewStreamWatcher(restwatch.NewDecoder(streaming.NewDecoder(framer.NewFrameReader(body), streamDec), objDec), nopReporter{})
	defer w.Stop()
	n := 0
	for ev := range w.ResultChan() {
		if ev.Type != watch.Modified {
			return n, fmt.Errorf("watch event %s of %T", ev.Type, ev.Object)
		}
		each(ev.Object)
		n++
	}
	return n, nil
}

type nopReporter struct{}

func (nopReporter) AsObject(err error) kruntime.Object {
	return &metav1.Status{Status: metav1.StatusFailure, Message: err.Error()}
}

// eventCost is what one kind of event costs: through the feed, and the
// informer's decode before it.
type eventCost struct{ feed, decode perEvent }

func (e eventCost) total() perEvent {
	return perEvent{ns: e.feed.ns + e.decode.ns, gcNs: e.feed.gcNs + e.decode.gcNs, allocs: e.feed.allocs + e.decode.allocs}
}

// perEvent is a cost per event: CPU time (cpuNow) with the collector's
// share (gcNs of it), and heap allocations.
type perEvent struct {
	ns, gcNs, allocs, bytes float64
}

// The collector's work is charged to what allocates, per byte, at the
// heap's size: timed as it happens it would fall on whichever event is
// unlucky, and on a big heap (collected once per GOGC% of it allocated)
// often outside a measurement altogether, so that the same work would look
// cheaper the bigger the cluster.

// gcCost is the collector's CPU time per allocated byte at the current
// heap: a full collection's CPU time (the median of three) over the bytes
// allocated between two collections (GOGC% of the live heap).
func gcCost() (perByte float64, collection time.Duration) {
	pct := debug.SetGCPercent(100)
	debug.SetGCPercent(pct)
	runtime.GC()
	var took []time.Duration
	for range 3 {
		t0 := cpuNow()
		runtime.GC()
		took = append(took, cpuNow()-t0)
	}
	collection = median(took)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	if pct <= 0 || ms.HeapAlloc == 0 {
		return 0, collection
	}
	return float64(collection) / (float64(ms.HeapAlloc) * float64(pct) / 100), collection
}

// withoutGC runs f after a collection, with the collector off (what f
// allocates is charged by gcCost instead).
func withoutGC(f func() error) error {
	runtime.GC()
	pct := debug.SetGCPercent(-1)
	defer debug.SetGCPercent(pct)
	return f()
}

// measure runs work (which handles n events; the collector off, see
// withoutGC) and returns its cost per event, the collector's share at
// gcPerByte added.
func measure(n int, gcPerByte float64, work func() error) (perEvent, error) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	m0, b0 := ms.Mallocs, ms.TotalAlloc
	t0 := cpuNow()
	if err := work(); err != nil {
		return perEvent{}, err
	}
	took := cpuNow() - t0
	runtime.ReadMemStats(&ms)
	bytes := float64(ms.TotalAlloc - b0)
	gc := gcPerByte * bytes
	return perEvent{
		ns: (float64(took) + gc) / float64(n), gcNs: gc / float64(n),
		allocs: float64(ms.Mallocs-m0) / float64(n), bytes: bytes / float64(n),
	}, nil
}

// medianCost is the run with the median time (its allocations with it).
func medianCost(xs []perEvent) perEvent {
	if len(xs) == 0 {
		return perEvent{}
	}
	s := slices.Clone(xs)
	slices.SortFunc(s, func(a, b perEvent) int { return cmp.Compare(a.ns, b.ns) })
	return s[len(s)/2]
}
