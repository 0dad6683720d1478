// Package kube builds Kubernetes clients from kubeconfig files the way
// kubectl does, and keeps client-go's logging off the terminal.
package kube

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"time"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
	_ "k8s.io/client-go/plugin/pkg/client/auth" // exec, OIDC and other auth plugins
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/client-go/util/flowcontrol"
	metricsclient "k8s.io/metrics/pkg/client/clientset/versioned"
)

// Clients are what the model needs.
type Clients struct {
	// Kube is the typed clientset. The pods it reads carry only what the
	// model uses (cluster.PodCodecs): it is the model's, not for showing
	// a pod's spec.
	Kube    kubernetes.Interface
	Dynamic dynamic.Interface
	// Where describes the cluster for messages ("context prod (https://...)").
	Where string
	// Server is the API server's URL.
	Server string
	// Clock follows the API server's clock (see ServerClock).
	Clock *ServerClock
	// Metrics reads metrics.k8s.io (protobuf, which metrics-server serves,
	// else JSON).
	Metrics metricsclient.Interface
}

// Config resolves a rest.Config. kubeconfig may be a single file or a list
// separated by the OS list separator (like $KUBECONFIG); "" uses the standard
// rules ($KUBECONFIG, then ~/.kube/config), and in-cluster credentials when
// no file exists at all.
func Config(kubeconfig, context string) (*rest.Config, string, error) {
	rules := loadingRules(kubeconfig)
	overrides := &clientcmd.ConfigOverrides{CurrentContext: context}
	cc := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, overrides)
	cfg, err := cc.ClientConfig()
	if err != nil {
		if clientcmd.IsEmptyConfig(err) {
			return nil, "", fmt.Errorf("no kubeconfig found (set --kubeconfig or KUBECONFIG, or try --demo)")
		}
		return nil, "", fmt.Errorf("kubeconfig: %w", err)
	}
	raw, _ := cc.RawConfig()
	name := context
	if name == "" {
		name = raw.CurrentContext
	}
	where := cfg.Host
	if name != "" {
		where = fmt.Sprintf("context %s (%s)", name, cfg.Host)
	}
	return cfg, where, nil
}

// loadingRules are kubectl's rules for a --kubeconfig value ("" for the
// defaults).
func loadingRules(kubeconfig string) *clientcmd.ClientConfigLoadingRules {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	if kubeconfig != "" {
		list := filepath.SplitList(kubeconfig)
		if len(list) == 1 {
			rules.ExplicitPath = list[0]
		} else {
			rules.Precedence = list
		}
	}
	return rules
}

// Contexts lists the context names of the kubeconfig that Config would
// load for kubeconfig, sorted (for shell completion of --context).
func Contexts(kubeconfig string) ([]string, error) {
	list, err := ListContexts(kubeconfig)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(list))
	for i, c := range list {
		names[i] = c.Name
	}
	return names, nil
}

// Context is one context of a kubeconfig.
type Context struct {
	Name string
	// Server is its cluster's API server URL ("" when the context names no
	// cluster the kubeconfig defines: Config then says what is wrong).
	Server string
}

// ListContexts lists the contexts of the kubeconfig that Config would load
// for kubeconfig, sorted by name, with their API servers. It reads the
// files only: no credentials are asked for and no server is called.
func ListContexts(kubeconfig string) ([]Context, error) {
	cfg, err := loadingRules(kubeconfig).Load()
	if err != nil {
		return nil, fmt.Errorf("kubeconfig: %w", err)
	}
	out := make([]Context, 0, len(cfg.Contexts))
	for name, c := range cfg.Contexts {
		ctx := Context{Name: name}
		if c != nil {
			if cl := cfg.Clusters[c.Cluster]; cl != nil {
				ctx.Server = cl.Server
			}
		}
		out = append(out, ctx)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// NewClients builds typed and dynamic clients tuned for a read-only viewer:
// protobuf for core types, and enough QPS for a quick start. Each call has
// its own connections, rate limits and server clock: a fleet's clusters
// share nothing.
func NewClients(cfg *rest.Config, where string) (*Clients, error) {
	cfg = rest.CopyConfig(cfg)
	cfg.UserAgent = "eks-node-viewer"
	cfg.QPS, cfg.Burst = 50, 100
	cfg.WarningHandlerWithContext = rest.NoWarnings{}
	clock := &ServerClock{}
	cfg.Wrap(clock.wrap)
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("dynamic client: %w", err)
	}
	pcfg := rest.CopyConfig(cfg)
	pcfg.ContentType = "application/vnd.kubernetes.protobuf"
	pcfg.AcceptContentTypes = "application/vnd.kubernetes.protobuf,application/json"
	kube, err := slimPodClients(pcfg)
	if err != nil {
		return nil, fmt.Errorf("kubernetes client: %w", err)
	}
	metrics, err := metricsclient.NewForConfig(pcfg)
	if err != nil {
		return nil, fmt.Errorf("metrics client: %w", err)
	}
	return &Clients{Kube: kube, Dynamic: dyn, Where: where, Server: cfg.Host, Clock: clock, Metrics: metrics}, nil
}

// slimPods is a clientset whose core/v1 client decodes pods slimmed.
type slimPods struct {
	kubernetes.Interface
	core corev1client.CoreV1Interface
}

func (s slimPods) CoreV1() corev1client.CoreV1Interface { return s.core }

// slimPodClients builds the clientset for cfg, with its core/v1 client
// decoding through cluster.PodCodecs; both share one HTTP client (one
// connection) and one rate limit.
func slimPodClients(cfg *rest.Config) (kubernetes.Interface, error) {
	cfg = rest.CopyConfig(cfg)
	if cfg.RateLimiter == nil && cfg.QPS > 0 {
		cfg.RateLimiter = flowcontrol.NewTokenBucketRateLimiter(cfg.QPS, cfg.Burst)
	}
	hc, err := rest.HTTPClientFor(cfg)
	if err != nil {
		return nil, err
	}
	kube, err := kubernetes.NewForConfigAndClient(cfg, hc)
	if err != nil {
		return nil, err
	}
	core := rest.CopyConfig(cfg)
	gv := corev1.SchemeGroupVersion
	core.GroupVersion, core.APIPath = &gv, "/api"
	core.NegotiatedSerializer = cluster.PodCodecs(rest.CodecFactoryForGeneratedClient(scheme.Scheme, scheme.Codecs).WithoutConversion())
	rc, err := rest.RESTClientForConfigAndClient(core, hc)
	if err != nil {
		return nil, err
	}
	return slimPods{Interface: kube, core: corev1client.New(rc)}, nil
}

// Check asks the server for its version, so that a wrong context, an
// unreachable server or failing credentials are reported before the UI starts.
func (c *Clients) Check(ctx context.Context, timeout time.Duration) error {
	done := make(chan error, 1)
	go func() {
		_, err := c.Kube.Discovery().ServerVersion()
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("cannot reach %s: %w", c.Where, err)
		}
		return nil
	case <-time.After(timeout):
		return fmt.Errorf("cannot reach %s: no answer in %s", c.Where, timeout)
	case <-ctx.Done():
		return ctx.Err()
	}
}
