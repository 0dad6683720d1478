//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"k8s.io/client-go/kubernetes"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
	"github.com/eksnodeviewer/eks-node-viewer/internal/e2e/harness"
)

// TestPagedInitialListWithoutWatchList runs the model against an apiserver
// without WatchList streaming (as every server before 1.32, and 1.33 by
// default): the initial pod list must come in pages, never as one response
// of every pod, and the model must still hold every pod to the millicore.
func TestPagedInitialListWithoutWatchList(t *testing.T) {
	c := startClusterWith(t, harness.Options{Size: harness.SizeAPIServer, APIServerArgs: []string{"--feature-gates=WatchList=false"}})
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	a := nodeClaimAPI(t, ctx, c)

	const pods = 1234 // three pages of 500
	a.node(readyNode("page-node-1", "m5.24xlarge", "95690m", "370Gi"))
	for i := range pods {
		a.pod(boundPod("paged", fmt.Sprintf("p-%04d", i), "page-node-1", "10m"))
	}

	cfg, err := c.RESTConfig()
	if err != nil {
		t.Fatal(err)
	}
	rec := &listRecorder{}
	cfg.Wrap(func(rt http.RoundTripper) http.RoundTripper { rec.next = rt; return rec })
	kube, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	model := cluster.New(cluster.Options{Resources: []string{"cpu", "memory", "pods"}})
	model.Start(ctx, kube, a.dyn)
	a.check(model, "after a paged initial list")

	lists := rec.podLists()
	var pages, continued int
	for _, q := range lists {
		if q.Get("limit") == "1" {
			continue // the permission probe
		}
		if q.Get("watch") == "true" || q.Get("sendInitialEvents") == "true" {
			continue
		}
		pages++
		if q.Get("resourceVersion") == "0" {
			t.Errorf("pod list at resourceVersion 0 (the cache ignores the page size then): %s", q.Encode())
		}
		if q.Get("limit") != "500" {
			t.Errorf("pod list without a page size of 500: %s", q.Encode())
		}
		if q.Get("continue") != "" {
			continued++
		}
	}
	t.Logf("pod requests: %d list pages (%d continued) for %d pods", pages, continued, pods)
	if pages < 3 || continued < 2 {
		t.Errorf("want the %d pods in at least 3 pages (2 continued); got %d pages, %d continued: %v", pods, pages, continued, lists)
	}
}

// listRecorder records the query of every pod request that is not a watch.
type listRecorder struct {
	next    http.RoundTripper
	mu      sync.Mutex
	queries []url.Values
}

func (r *listRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method == http.MethodGet && strings.HasSuffix(req.URL.Path, "/pods") {
		r.mu.Lock()
		r.queries = append(r.queries, req.URL.Query())
		r.mu.Unlock()
	}
	return r.next.RoundTrip(req)
}

func (r *listRecorder) podLists() []url.Values {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]url.Values(nil), r.queries...)
}
