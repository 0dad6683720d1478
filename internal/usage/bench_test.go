package usage

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer/protobuf"
	kubefake "k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/rest"
	metricsv1beta1 "k8s.io/metrics/pkg/apis/metrics/v1beta1"
	metricsclient "k8s.io/metrics/pkg/client/clientset/versioned"
	metricsscheme "k8s.io/metrics/pkg/client/clientset/versioned/scheme"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
)

// The cost of one node metrics poll at scale: the response as metrics-server
// sends it (every node's labels copied into its metrics, CPU in nanocores,
// memory in Ki), over HTTP through the real clientset, decoded, converted
// and applied to a model of as many nodes; then, separately, the Snapshot
// the screen takes next (every row rebuilt, as each sample is new).
//
//	go test -run '^$' -bench NodePoll -benchtime 20x ./internal/usage/
//
// One poll per interval (15 s by default): 1% of a core is 150 ms per poll.

const benchNodes = 5000

func benchNodeName(i int) string {
	return fmt.Sprintf("ip-10-%d-%d-%d.us-west-2.compute.internal", i/65536, i/256%256, i%256)
}

// benchLabels are an EKS node's usual labels.
func benchLabels(i int) map[string]string {
	name := benchNodeName(i)
	return map[string]string{
		"beta.kubernetes.io/arch":                  "amd64",
		"beta.kubernetes.io/instance-type":         "m5.xlarge",
		"beta.kubernetes.io/os":                    "linux",
		"eks.amazonaws.com/capacityType":           "ON_DEMAND",
		"failure-domain.beta.kubernetes.io/region": "us-west-2",
		"failure-domain.beta.kubernetes.io/zone":   "us-west-2a",
		"karpenter.sh/capacity-type":               "on-demand",
		"karpenter.sh/nodepool":                    "default",
		"karpenter.sh/registered":                  "true",
		"kubernetes.io/arch":                       "amd64",
		"kubernetes.io/hostname":                   name,
		"kubernetes.io/os":                         "linux",
		"node.kubernetes.io/instance-type":         "m5.xlarge",
		"topology.kubernetes.io/region":            "us-west-2",
		"topology.kubernetes.io/zone":              "us-west-2a",
	}
}

// benchList is a poll's answer at time at.
func benchList(at time.Time) *metricsv1beta1.NodeMetricsList {
	list := &metricsv1beta1.NodeMetricsList{}
	list.Kind, list.APIVersion = "NodeMetricsList", "metrics.k8s.io/v1beta1"
	for i := range benchNodes {
		list.Items = append(list.Items, metricsv1beta1.NodeMetrics{
			ObjectMeta: metav1.ObjectMeta{Name: benchNodeName(i), Labels: benchLabels(i), CreationTimestamp: metav1.NewTime(at)},
			Timestamp:  metav1.NewTime(at.Add(-time.Duration(i%15) * time.Second)),
			Window:     metav1.Duration{Duration: 15*time.Second + time.Duration(i%97)*time.Millisecond},
			Usage: corev1.ResourceList{
				corev1.ResourceCPU:    *resource.NewScaledQuantity(int64(250_000_000+i*7919), resource.Nano),
				corev1.ResourceMemory: *resource.NewQuantity(int64(2_000_000_000+i*4096), resource.BinarySI),
			},
		})
	}
	return list
}

// encoded is a list as the API server sends it in one content type.
type encoded struct {
	contentType string
	body        []byte
}

func encode(tb testing.TB, list *metricsv1beta1.NodeMetricsList) (js, pb encoded) {
	tb.Helper()
	codec := metricsscheme.Codecs.LegacyCodec(metricsv1beta1.SchemeGroupVersion)
	var buf bytes.Buffer
	if err := codec.Encode(list, &buf); err != nil {
		tb.Fatal(err)
	}
	js = encoded{"application/json", append([]byte(nil), buf.Bytes()...)}
	buf.Reset()
	if err := protobuf.NewSerializer(metricsscheme.Scheme, metricsscheme.Scheme).Encode(list, &buf); err != nil {
		tb.Fatal(err)
	}
	pb = encoded{"application/vnd.kubernetes.protobuf", append([]byte(nil), buf.Bytes()...)}
	return js, pb
}

// benchModel is a synced model of benchNodes nodes, usage on.
func benchModel(b *testing.B) (*cluster.Cluster, context.CancelFunc) {
	b.Helper()
	objs := make([]runtime.Object, benchNodes)
	for i := range benchNodes {
		n := kubeNode(benchNodeName(i))
		n.Labels = benchLabels(i)
		objs[i] = n
	}
	m := cluster.New(cluster.Options{Resources: []string{"cpu", "memory"}, UsageInterval: 15 * time.Second})
	ctx, cancel := context.WithCancel(context.Background())
	m.Start(ctx, kubefake.NewClientset(objs...), nil)
	<-m.Synced()
	return m, cancel
}

// serve answers node metrics lists with the two answers in turn (so that
// every poll carries new samples), in the content type asked for.
func serve(b *testing.B, answers [2][2]encoded) *httptest.Server {
	b.Helper()
	n := 0
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/apis/metrics.k8s.io/v1beta1/nodes" {
			http.NotFound(w, r)
			return
		}
		a := answers[n%2]
		n++
		e := a[0]
		if strings.HasPrefix(r.Header.Get("Accept"), "application/vnd.kubernetes.protobuf") {
			e = a[1]
		}
		w.Header().Set("Content-Type", e.contentType)
		_, _ = w.Write(e.body)
	}))
}

func BenchmarkNodePoll(b *testing.B) {
	js1, pb1 := encode(b, benchList(t0))
	js2, pb2 := encode(b, benchList(t0.Add(15*time.Second)))
	b.Logf("%d nodes: JSON %d KiB, protobuf %d KiB per answer", benchNodes, len(js1.body)>>10, len(pb1.body)>>10)
	for _, ct := range []string{"json", "protobuf"} {
		b.Run("decode+apply/"+ct, func(b *testing.B) {
			m, cancel := benchModel(b)
			defer cancel()
			srv := serve(b, [2][2]encoded{{js1, pb1}, {js2, pb2}})
			defer srv.Close()
			// The clientset asks for protobuf by default (kube.NewClients
			// does too); JSON is what a client without protobuf gets.
			cfg := &rest.Config{Host: srv.URL, QPS: -1}
			cfg.ContentType = "application/vnd.kubernetes.protobuf"
			cfg.AcceptContentTypes = "application/vnd.kubernetes.protobuf,application/json"
			if ct == "json" {
				cfg.ContentType, cfg.AcceptContentTypes = "application/json", "application/json"
			}
			client, err := metricsclient.NewForConfig(cfg)
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				list, err := client.MetricsV1beta1().NodeMetricses().List(ctx, metav1.ListOptions{})
				if err != nil {
					b.Fatal(err)
				}
				m.SetNodeUsage(NodeSamples(list.Items))
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(15*time.Second)*100, "%core@15s")
			b.StopTimer()
			if s := m.Snapshot(); s.Usage.Nodes != benchNodes {
				b.Fatalf("%d nodes measured", s.Usage.Nodes)
			}
		})
	}
	// The Snapshot after a poll: every row rebuilt (each sample is new) and
	// priced shares summed. The screen takes one per change anyway; this is
	// what the poll adds to it.
	b.Run("snapshot-after-poll", func(b *testing.B) {
		m, cancel := benchModel(b)
		defer cancel()
		polls := [2][]cluster.NodeUsage{NodeSamples(benchList(t0).Items), NodeSamples(benchList(t0.Add(15 * time.Second)).Items)}
		i := 0
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			b.StopTimer()
			m.SetNodeUsage(polls[i%2])
			i++
			b.StartTimer()
			if s := m.Snapshot(); s.Usage.Nodes != benchNodes {
				b.Fatalf("%d nodes measured", s.Usage.Nodes)
			}
		}
	})
}
