package cluster

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
	clienttesting "k8s.io/client-go/testing"
)

// failing makes the fake's pod lists and watches fail while err is set.
type failing struct {
	mu  sync.Mutex
	err error
	// watches are the pod watches handed out, to end them (a dropped
	// connection ends the watch; the reflector watches again).
	watches []*watch.RaceFreeFakeWatcher
}

func (f *failing) set(err error) {
	f.mu.Lock()
	f.err = err
	ws := f.watches
	f.watches = nil
	f.mu.Unlock()
	if err != nil {
		for _, w := range ws {
			w.Stop()
		}
	}
}

func (f *failing) get() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.err
}

func (f *failing) install(e *env) {
	e.kube.PrependReactor("list", "pods", func(clienttesting.Action) (bool, runtime.Object, error) {
		if err := f.get(); err != nil {
			return true, nil, err
		}
		return false, nil, nil
	})
	e.kube.PrependWatchReactor("pods", func(a clienttesting.Action) (bool, watch.Interface, error) {
		if err := f.get(); err != nil {
			return true, nil, err
		}
		w := watch.NewRaceFreeFake()
		f.mu.Lock()
		f.watches = append(f.watches, w)
		f.mu.Unlock()
		return true, w, nil
	})
}

func TestStaleWhileTheAPIServerFailsAndRecovers(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: &os.SyscallError{Syscall: "connect", Err: syscall.ECONNREFUSED}}
	unauthorized := apierrors.NewUnauthorized("token expired")
	forbidden := apierrors.NewForbidden(schema.GroupResource{Resource: "pods"}, "", errors.New("RBAC: access denied"))
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"refused", fmt.Errorf("Get \"https://127.0.0.1:6443/api/v1/pods\": %w", refused), "API server unreachable (connection refused)"},
		{"401", unauthorized, "credentials expired or rejected (401): log in again (e.g. aws sso login) or refresh the kubeconfig: aws: token has expired"},
		{"403", forbidden, "forbidden: needs get, list, watch on pods"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &failing{}
			e := startWith(t, Options{AuthHint: func() string { return "aws: token has expired" }}, f.install,
				[]runtime.Object{node("a", "2", t0), pod("ns", "p", "a", "100m", corev1.PodRunning)})
			if s := e.c.Snapshot(); s.Stale != nil {
				t.Fatalf("stale at start: %+v", s.Stale)
			}
			f.set(tc.err)
			s := e.waitFor("stale", func(s Snapshot) bool { return s.Stale != nil })
			if s.Stale.Reason != tc.want || fmt.Sprint(s.Stale.Resources) != "[pods]" || !s.Stale.Since.Equal(e.now) {
				t.Errorf("stale = %+v, want reason %q for pods since %v", s.Stale, tc.want, e.now)
			}
			// Meanwhile a pod was added and one deleted: after the recovery
			// the relist shows exactly what is there.
			if err := e.kube.Tracker().Add(pod("ns", "q", "a", "300m", corev1.PodRunning)); err != nil {
				t.Fatal(err)
			}
			if err := e.kube.Tracker().Delete(schema.GroupVersionResource{Version: "v1", Resource: "pods"}, "ns", "p", metav1.DeleteOptions{}); err != nil {
				t.Fatal(err)
			}
			f.set(nil)
			s = e.waitFor("recovered", func(s Snapshot) bool { return s.Stale == nil && s.Totals[0].Used == 300 })
			if s.Pods.Total != 1 {
				t.Errorf("after recovery: %s", describe(s))
			}
		})
	}
}

func TestReasonsInWords(t *testing.T) {
	c := New(Options{})
	for _, tc := range []struct {
		err  error
		want string
	}{
		{&net.DNSError{Err: "no such host", Name: "x.eks.amazonaws.com"}, "cannot resolve the API server's host name"},
		{fmt.Errorf("x: %w", syscall.ECONNRESET), "API server connection reset"},
		{apierrors.NewTooManyRequests("slow down", 1), "API server overloaded (429), backing off"},
		{errors.New("getting credentials: exec: executable aws not found\nplease install aws"), "credentials: the exec plugin failed: please install aws"},
		{errors.New("something\nodd happened"), "API server error: odd happened"},
	} {
		if got := c.reasonFor("pods", tc.err); got != tc.want {
			t.Errorf("reasonFor(%v) = %q, want %q", tc.err, got, tc.want)
		}
	}
	if got := c.reasonFor("pods", errors.New(strings.Repeat("x", 500))); len(got) > 250 {
		t.Errorf("a long message is kept whole: %d bytes", len(got))
	}
}
