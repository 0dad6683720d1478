package main

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// fakeAPI is a small in-process API server for the command's tests: it
// answers /version and lists and watches nodes, pods and events in JSON
// (WatchList streams with their closing bookmark, and plain watches from a
// resource version, replayed from its log), and serves no Karpenter and
// no metrics. Every object is stamped with the server's own resource
// versions.
type fakeAPI struct {
	*httptest.Server
	mu      sync.Mutex
	rv      int
	objects map[string][]event // by resource: the current objects' ADDED events
	log     map[string][]event // every event, in order
	wake    chan struct{}      // closed and replaced at each event
}

type event struct {
	rv   int
	Type string          `json:"type"`
	Obj  json.RawMessage `json:"object"`
}

// fakeResources are the collections the fake serves, with their kinds.
var fakeResources = map[string]string{"nodes": "Node", "pods": "Pod", "events": "Event"}

func newFakeAPI(t *testing.T) *fakeAPI {
	t.Helper()
	f := &fakeAPI{objects: map[string][]event{}, log: map[string][]event{}, wake: make(chan struct{})}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(func() {
		f.CloseClientConnections()
		f.Close()
	})
	return f
}

// add adds an object (a *corev1.Node or *corev1.Pod) and tells the
// watches.
func (f *fakeAPI) add(t *testing.T, resource string, obj interface {
	SetResourceVersion(string)
}) {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rv++
	obj.SetResourceVersion(strconv.Itoa(f.rv))
	raw, err := json.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	ev := event{rv: f.rv, Type: "ADDED", Obj: raw}
	f.objects[resource] = append(f.objects[resource], ev)
	f.log[resource] = append(f.log[resource], ev)
	close(f.wake)
	f.wake = make(chan struct{})
}

func (f *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/version" {
		writeJSON(w, map[string]string{"major": "1", "minor": "37", "gitVersion": "v1.37.0"})
		return
	}
	resource, ok := strings.CutPrefix(r.URL.Path, "/api/v1/")
	kind := fakeResources[resource]
	if !ok || kind == "" || r.Method != http.MethodGet {
		w.WriteHeader(http.StatusNotFound)
		writeJSON(w, map[string]any{"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound", "code": 404})
		return
	}
	q := r.URL.Query()
	if q.Get("watch") != "1" && q.Get("watch") != "true" {
		f.mu.Lock()
		items := make([]json.RawMessage, 0, len(f.objects[resource]))
		for _, ev := range f.objects[resource] {
			items = append(items, ev.Obj)
		}
		list := map[string]any{"kind": kind + "List", "apiVersion": "v1", "metadata": map[string]string{"resourceVersion": strconv.Itoa(f.rv)}, "items": items}
		f.mu.Unlock()
		writeJSON(w, list)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	flusher := w.(http.Flusher)
	send := func(ev event) bool {
		b, _ := json.Marshal(ev)
		if _, err := w.Write(append(b, '\n')); err != nil {
			return false
		}
		flusher.Flush()
		return true
	}
	from, _ := strconv.Atoi(q.Get("resourceVersion"))
	if q.Get("sendInitialEvents") == "true" {
		f.mu.Lock()
		initial, rv := append([]event(nil), f.objects[resource]...), f.rv
		f.mu.Unlock()
		for _, ev := range initial {
			send(ev)
		}
		end := func(annotations map[string]string) event {
			b, _ := json.Marshal(map[string]any{"kind": kind, "apiVersion": "v1",
				"metadata": map[string]any{"resourceVersion": strconv.Itoa(rv), "annotations": annotations}})
			return event{Type: "BOOKMARK", Obj: b}
		}
		// The bookmark ending the initial events, then the next one.
		send(end(map[string]string{metav1.InitialEventsAnnotationKey: "true"}))
		send(end(nil))
		from = rv
	} else {
		flusher.Flush()
	}
	for {
		f.mu.Lock()
		var next []event
		for _, ev := range f.log[resource] {
			if ev.rv > from {
				next = append(next, ev)
			}
		}
		wake := f.wake
		f.mu.Unlock()
		for _, ev := range next {
			if !send(ev) {
				return
			}
			from = ev.rv
		}
		select {
		case <-wake:
		case <-r.Context().Done():
			return
		}
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// fakeNode is a Ready node with 2 cpus and 4Gi, priced by its
// eks-node-viewer/instance-price label (no region: no AWS call).
func fakeNode(name, price string) *corev1.Node {
	alloc := corev1.ResourceList{
		corev1.ResourceCPU:    resource.MustParse("2"),
		corev1.ResourceMemory: resource.MustParse("4Gi"),
		corev1.ResourcePods:   resource.MustParse("17"),
	}
	return &corev1.Node{
		TypeMeta: metav1.TypeMeta{Kind: "Node", APIVersion: "v1"},
		ObjectMeta: metav1.ObjectMeta{Name: name, CreationTimestamp: metav1.NewTime(time.Now().Add(-time.Hour)),
			Labels: map[string]string{"node.kubernetes.io/instance-type": "m5.large", "eks-node-viewer/instance-price": price}},
		Status: corev1.NodeStatus{Allocatable: alloc, Capacity: alloc,
			Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue, LastTransitionTime: metav1.NewTime(time.Now().Add(-time.Hour))}}},
	}
}

// fakePod is a running pod on node requesting cpu.
func fakePod(name, node, cpu string) *corev1.Pod {
	return &corev1.Pod{
		TypeMeta:   metav1.TypeMeta{Kind: "Pod", APIVersion: "v1"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default", CreationTimestamp: metav1.NewTime(time.Now().Add(-time.Hour))},
		Spec: corev1.PodSpec{NodeName: node, Containers: []corev1.Container{{Name: "c",
			Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpu)}}}}},
		Status: corev1.PodStatus{Phase: corev1.PodRunning},
	}
}

// refusedURL is the URL of a port nothing listens on.
func refusedURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr
}

// fleetKubeconfig writes a kubeconfig with a context per server (name:
// URL), plus "broken", whose cluster is not in the file. It returns its
// path.
func fleetKubeconfig(t *testing.T, servers map[string]string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("apiVersion: v1\nkind: Config\nusers:\n- name: u\n  user: {token: t}\nclusters:\n")
	for name, url := range servers {
		fmt.Fprintf(&b, "- name: %s\n  cluster: {server: %q}\n", name, url)
	}
	b.WriteString("contexts:\n- name: broken\n  context: {cluster: gone, user: u}\n")
	for name := range servers {
		fmt.Fprintf(&b, "- name: %s\n  context: {cluster: %s, user: u}\n", name, name)
	}
	p := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(p, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// hermeticAWS keeps the pricing provider off the network and away from the
// machine's AWS configuration.
func hermeticAWS(t *testing.T) {
	t.Helper()
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_CONFIG_FILE": filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"),
		"AWS_REGION": "", "AWS_DEFAULT_REGION": "", "AWS_PROFILE": "", "AWS_EC2_METADATA_DISABLED": "true",
		"HOME": dir, "KUBECONFIG": "",
	} {
		t.Setenv(k, v)
	}
}
