package cluster

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/tools/cache"
	"k8s.io/utils/ptr"
)

func fakeLW(w watch.Interface) *cache.ListWatch {
	return plainAfterInitialEvents(&cache.ListWatch{
		WatchFuncWithContext: func(context.Context, metav1.ListOptions) (watch.Interface, error) { return w, nil },
	})
}

func initialEventsEnd() *corev1.Pod {
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{ResourceVersion: "10",
		Annotations: map[string]string{metav1.InitialEventsAnnotationKey: "true"}}}
}

func TestPlainWatchesAreLeftAlone(t *testing.T) {
	fw := watch.NewFake()
	w, err := fakeLW(fw).WatchWithContext(context.Background(), metav1.ListOptions{ResourceVersion: "5"})
	if err != nil || w != watch.Interface(fw) {
		t.Fatalf("a plain watch was wrapped: %T, %v", w, err)
	}
}

func TestWatchListStreamEndsOneEventAfterTheInitialEvents(t *testing.T) {
	fw := watch.NewFake()
	w, err := fakeLW(fw).WatchWithContext(context.Background(), metav1.ListOptions{SendInitialEvents: ptr.To(true)})
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		fw.Add(pod("ns", "a", "n", "1m", corev1.PodRunning))
		fw.Action(watch.Bookmark, initialEventsEnd())
		fw.Modify(pod("ns", "a", "n", "2m", corev1.PodRunning))
	}()
	var got []watch.EventType
	for ev := range w.ResultChan() {
		got = append(got, ev.Type)
	}
	if len(got) != 3 || got[0] != watch.Added || got[1] != watch.Bookmark || got[2] != watch.Modified {
		t.Fatalf("events %v", got)
	}
	if !fw.IsStopped() {
		t.Fatal("the stream was not stopped")
	}
}

func TestWatchListStreamStoppedByItsReader(t *testing.T) {
	fw := watch.NewFake()
	w, _ := fakeLW(fw).WatchWithContext(context.Background(), metav1.ListOptions{SendInitialEvents: ptr.To(true)})
	go fw.Add(pod("ns", "a", "n", "1m", corev1.PodRunning))
	<-w.ResultChan()
	w.Stop()
	w.Stop() // idempotent
	for range w.ResultChan() {
	}
	if !fw.IsStopped() {
		t.Fatal("the stream was not stopped")
	}
}

func TestWatchListErrorEndsTheStream(t *testing.T) {
	fw := watch.NewFake()
	w, _ := fakeLW(fw).WatchWithContext(context.Background(), metav1.ListOptions{SendInitialEvents: ptr.To(true)})
	go fw.Error(&metav1.Status{Status: metav1.StatusFailure, Reason: metav1.StatusReasonExpired})
	n := 0
	for range w.ResultChan() {
		n++
	}
	if n != 1 || !fw.IsStopped() {
		t.Fatalf("%d events, stopped %v", n, fw.IsStopped())
	}
}
