package harness

import (
	"context"
	"crypto/tls"
	"crypto/x509/pkix"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// Size is how much of a cluster to run.
type Size string

// The sizes, each a superset of the previous one.
const (
	// SizeAPIServer is etcd and kube-apiserver: objects but no behaviour.
	SizeAPIServer Size = "apiserver"
	// SizeFull adds the scheduler, the controller-manager, kwok and
	// metrics-server (scraping kwok's emulated kubelet resource metrics).
	SizeFull Size = "full"
	// SizeKarpenter adds Karpenter's CRDs, its kwok cloud provider, a
	// KWOKNodeClass and a NodePool.
	SizeKarpenter Size = "karpenter"
)

// ParseSize validates a size name.
func ParseSize(s string) (Size, error) {
	switch Size(s) {
	case SizeAPIServer, SizeFull, SizeKarpenter:
		return Size(s), nil
	}
	return "", fmt.Errorf("unknown cluster size %q (want apiserver, full or karpenter)", s)
}

func (s Size) atLeast(o Size) bool {
	rank := map[Size]int{SizeAPIServer: 0, SizeFull: 1, SizeKarpenter: 2}
	return rank[s] >= rank[o]
}

// Binaries are the binaries this size runs.
func (s Size) Binaries() []string {
	names := []string{BinEtcd, BinAPIServer}
	if s.atLeast(SizeFull) {
		names = append(names, BinCM, BinScheduler, BinKwok)
	}
	if s.runsMetrics() {
		names = append(names, BinMetricsServer)
	}
	if s.atLeast(SizeKarpenter) {
		names = append(names, BinKarpenter)
	}
	return names
}

// Options configure Start.
type Options struct {
	Size Size
	// Dir is the run directory (PKI, etcd data, logs, kubeconfig). Default:
	// a new temporary directory.
	Dir string
	// Detached components outlive this process (for `cluster up`).
	Detached bool
	// NoBuild fails with ErrMissing instead of building missing binaries.
	NoBuild bool
	// Progress receives progress lines (default os.Stderr).
	Progress io.Writer
	// APIServerArgs are extra kube-apiserver flags (feature gates, say).
	APIServerArgs []string
	// ReadyTimeout bounds each readiness wait (default 3 minutes: the box
	// may be busy compiling).
	ReadyTimeout time.Duration
}

// Cluster is a running control plane. Its exported fields are saved as
// state.json in Dir so that another process can stop it.
type Cluster struct {
	Size       Size      `json:"size"`
	Dir        string    `json:"dir"`
	Kubeconfig string    `json:"kubeconfig"`
	Server     string    `json:"server"`
	Started    time.Time `json:"started"`
	Procs      []*proc   `json:"procs"`

	opts     Options
	ports    map[string]int
	client   kubernetes.Interface
	stopOnce sync.Once
	progress io.Writer
}

// Start builds what is missing, starts the components in order and waits
// until each is ready. On error everything started so far is stopped and
// the error carries the tails of the component logs.
func Start(ctx context.Context, opts Options) (_ *Cluster, err error) {
	if opts.Size == "" {
		opts.Size = SizeAPIServer
	}
	if opts.Progress == nil {
		opts.Progress = os.Stderr
	}
	if opts.ReadyTimeout == 0 {
		opts.ReadyTimeout = 3 * time.Minute
	}
	if _, err := EnsureBinaries(ctx, BuildOptions{Names: opts.Size.Binaries(), NoBuild: opts.NoBuild, Progress: opts.Progress}); err != nil {
		return nil, err
	}
	if opts.Dir == "" {
		if opts.Dir, err = os.MkdirTemp("", "e2e-cluster-"); err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(filepath.Join(opts.Dir, "logs"), 0o755); err != nil {
		return nil, err
	}
	c := &Cluster{
		Size: opts.Size, Dir: opts.Dir, Kubeconfig: filepath.Join(opts.Dir, "kubeconfig"),
		Started: time.Now(), opts: opts, progress: opts.Progress,
	}
	track(c)
	defer func() {
		if err != nil {
			interrupted := ctx.Err() != nil
			tails := c.LogTails(40)
			c.Stop()
			if !interrupted {
				err = fmt.Errorf("%w\n%s", err, tails)
			}
		}
	}()
	if err := c.start(ctx); err != nil {
		return nil, err
	}
	if err := c.save(); err != nil {
		return nil, err
	}
	c.logf("cluster (%s) ready in %s: KUBECONFIG=%s", c.Size, time.Since(c.Started).Round(100*time.Millisecond), c.Kubeconfig)
	return c, nil
}

func (c *Cluster) logf(format string, args ...any) {
	fmt.Fprintf(c.progress, "e2e: "+format+"\n", args...)
}

func (c *Cluster) start(ctx context.Context) error {
	names := []string{"etcd", "etcd-peer", "apiserver", "cm", "scheduler", "kwok", "karpenter-metrics", "karpenter-health", "metrics-server"}
	ports, err := freePorts(len(names))
	if err != nil {
		return err
	}
	c.ports = map[string]int{}
	for i, n := range names {
		c.ports[n] = ports[i]
	}
	p, err := newPKI(filepath.Join(c.Dir, "pki"))
	if err != nil {
		return fmt.Errorf("pki: %w", err)
	}
	c.Server = fmt.Sprintf("https://127.0.0.1:%d", c.ports["apiserver"])
	crt, key, err := p.issue(pkix.Name{CommonName: "e2e-admin", Organization: []string{"system:masters"}}, false)
	if err != nil {
		return err
	}
	if err := writeKubeconfig(c.Kubeconfig, c.Server, p.caPEM, crt, key, "e2e-admin"); err != nil {
		return err
	}
	if c.Size.runsMetrics() {
		if err := c.writeMetricsPKI(p); err != nil {
			return fmt.Errorf("pki: %w", err)
		}
	}
	if err := c.startEtcd(ctx); err != nil {
		return err
	}
	if err := c.startAPIServer(ctx); err != nil {
		return err
	}
	if c.Size.atLeast(SizeFull) {
		if err := c.startFull(ctx); err != nil {
			return err
		}
	}
	if c.Size.atLeast(SizeKarpenter) {
		if err := c.startKarpenter(ctx); err != nil {
			return err
		}
	}
	if c.Size.runsMetrics() {
		if err := c.startMetricsServer(ctx); err != nil {
			return err
		}
	}
	return nil
}

// run starts a component and records it.
func (c *Cluster) run(name string, args, env []string) (*proc, error) {
	bin, err := BinPath(name)
	if err != nil {
		return nil, err
	}
	p, err := startProc(name, bin, args, env, filepath.Join(c.Dir, "logs", name+".log"), c.opts.Detached)
	if err != nil {
		return nil, err
	}
	c.Procs = append(c.Procs, p)
	// Saved at every start, so that `cluster down` finds even a cluster
	// whose start-up was killed half-way.
	return p, c.save()
}

func (c *Cluster) startEtcd(ctx context.Context) error {
	client := fmt.Sprintf("http://127.0.0.1:%d", c.ports["etcd"])
	peer := fmt.Sprintf("http://127.0.0.1:%d", c.ports["etcd-peer"])
	p, err := c.run(BinEtcd, []string{
		"--name=e2e", "--data-dir=" + filepath.Join(c.Dir, "etcd"),
		"--listen-client-urls=" + client, "--advertise-client-urls=" + client,
		"--listen-peer-urls=" + peer, "--initial-advertise-peer-urls=" + peer,
		"--initial-cluster=e2e=" + peer, "--unsafe-no-fsync", "--quota-backend-bytes=8589934592",
		"--log-level=warn",
	}, nil)
	if err != nil {
		return err
	}
	return c.waitFor(ctx, "etcd", p, func(ctx context.Context) error {
		return httpOK(ctx, client+"/health", `"health":"true"`)
	})
}

func (c *Cluster) startAPIServer(ctx context.Context) error {
	pki := filepath.Join(c.Dir, "pki")
	args := []string{
		fmt.Sprintf("--etcd-servers=http://127.0.0.1:%d", c.ports["etcd"]),
		"--bind-address=127.0.0.1", "--advertise-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(c.ports["apiserver"]),
		"--endpoint-reconciler-type=none",
		"--tls-cert-file=" + filepath.Join(pki, servingCertFile),
		"--tls-private-key-file=" + filepath.Join(pki, servingKeyFile),
		"--client-ca-file=" + filepath.Join(pki, caCertFile),
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file=" + filepath.Join(pki, saPubFile),
		"--service-account-signing-key-file=" + filepath.Join(pki, saKeyFile),
		"--authorization-mode=Node,RBAC",
		"--service-cluster-ip-range=10.0.0.0/24",
		"--enable-priority-and-fairness=false",
		"--profiling=false",
	}
	if !c.Size.atLeast(SizeFull) {
		// No controller-manager creates `default` ServiceAccounts, which the
		// admission plugin would require for every pod.
		args = append(args, "--disable-admission-plugins=ServiceAccount")
	}
	if c.Size.runsMetrics() {
		args = append(args, aggregationArgs(pki)...)
	}
	args = append(args, c.opts.APIServerArgs...)
	p, err := c.run(BinAPIServer, args, nil)
	if err != nil {
		return err
	}
	cfg, err := c.RESTConfig()
	if err != nil {
		return err
	}
	if c.client, err = kubernetes.NewForConfig(cfg); err != nil {
		return err
	}
	return c.waitFor(ctx, "kube-apiserver", p, func(ctx context.Context) error {
		body, err := c.client.Discovery().RESTClient().Get().AbsPath("/readyz").DoRaw(ctx)
		if err != nil {
			return err
		}
		if string(body) != "ok" {
			return fmt.Errorf("readyz: %s", body)
		}
		return nil
	})
}

func (c *Cluster) startFull(ctx context.Context) error {
	pki := filepath.Join(c.Dir, "pki")
	cm, err := c.run(BinCM, []string{
		"--kubeconfig=" + c.Kubeconfig, "--bind-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(c.ports["cm"]), "--leader-elect=false",
		"--service-account-private-key-file=" + filepath.Join(pki, saKeyFile),
		"--root-ca-file=" + filepath.Join(pki, caCertFile),
		"--controllers=*", "--profiling=false",
	}, nil)
	if err != nil {
		return err
	}
	sched, err := c.run(BinScheduler, []string{
		"--kubeconfig=" + c.Kubeconfig, "--bind-address=127.0.0.1",
		"--secure-port=" + strconv.Itoa(c.ports["scheduler"]), "--leader-elect=false",
		"--profiling=false",
	}, nil)
	if err != nil {
		return err
	}
	kwokConfig := filepath.Join(c.Dir, "kwok-config.yaml")
	if err := writeKwokConfig(ctx, kwokConfig, c.Size.runsMetrics()); err != nil {
		return err
	}
	kwokArgs := []string{
		"--kubeconfig=" + c.Kubeconfig, "--config=" + kwokConfig,
		"--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
		"--cidr=100.64.0.0/10", "--node-ip=127.0.0.1", "--node-lease-duration-seconds=40",
		fmt.Sprintf("--server-address=127.0.0.1:%d", c.ports["kwok"]),
	}
	if c.Size.runsMetrics() {
		kwokArgs = append(kwokArgs, c.kwokMetricsArgs()...)
	}
	kwok, err := c.run(BinKwok, kwokArgs, nil)
	if err != nil {
		return err
	}
	// The controller-manager is useful once its service-account controller
	// runs: pods need the `default` ServiceAccount.
	if err := c.waitFor(ctx, "kube-controller-manager", cm, func(ctx context.Context) error {
		_, err := c.client.CoreV1().ServiceAccounts("default").Get(ctx, "default", metav1.GetOptions{})
		return err
	}); err != nil {
		return err
	}
	if err := c.waitFor(ctx, "kube-scheduler", sched, func(ctx context.Context) error {
		return httpOK(ctx, fmt.Sprintf("https://127.0.0.1:%d/healthz", c.ports["scheduler"]), "ok")
	}); err != nil {
		return err
	}
	return c.waitFor(ctx, "kwok", kwok, func(ctx context.Context) error {
		return httpOK(ctx, fmt.Sprintf("http://127.0.0.1:%d/healthz", c.ports["kwok"]), "")
	})
}

// waitFor polls check until it succeeds, the timeout passes or p exits.
func (c *Cluster) waitFor(ctx context.Context, what string, p *proc, check func(context.Context) error) error {
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, c.opts.ReadyTimeout)
	defer cancel()
	var last error
	for {
		if p != nil && !p.alive() {
			return fmt.Errorf("%s exited during start-up (%s); log %s", what, p.exitErr(), p.LogPath)
		}
		cctx, ccancel := context.WithTimeout(ctx, 5*time.Second)
		last = check(cctx)
		ccancel()
		if last == nil {
			c.logf("%s ready (%s)", what, time.Since(start).Round(10*time.Millisecond))
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s not ready after %s: %v", what, time.Since(start).Round(time.Second), last)
		case <-time.After(150 * time.Millisecond):
		}
	}
}

var insecureHTTP = &http.Client{
	Timeout: 5 * time.Second,
	// Component health endpoints serve self-signed certificates; we only
	// talk to 127.0.0.1.
	Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}, //nolint:gosec
}

// httpOK GETs url and wants 200 and, if want is set, a body containing it.
func httpOK(ctx context.Context, url, want string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := insecureHTTP.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s: %s", url, resp.Status, strings.TrimSpace(string(body)))
	}
	if want != "" && !strings.Contains(string(body), want) {
		return fmt.Errorf("%s: %s", url, strings.TrimSpace(string(body)))
	}
	return nil
}

// Client is an admin clientset.
func (c *Cluster) Client() kubernetes.Interface { return c.client }

// LogTails returns the last n lines of every component log.
func (c *Cluster) LogTails(n int) string {
	var b strings.Builder
	for _, p := range c.Procs {
		fmt.Fprintf(&b, "----- %s (%s), last %d lines -----\n%s\n", p.Name, p.LogPath, n, p.tail(n))
	}
	return b.String()
}

// Stop stops the components in reverse order of start (so the apiserver
// goes before etcd). It is idempotent.
func (c *Cluster) Stop() {
	c.stopOnce.Do(func() {
		for i := len(c.Procs) - 1; i >= 0; i-- {
			c.Procs[i].stop(5 * time.Second)
		}
		// Untrack only now: a signal arriving meanwhile must find the
		// cluster and wait (in stopOnce) for this stop to finish.
		untrack(c)
	})
}

// Remove stops the cluster and deletes its run directory.
func (c *Cluster) Remove() error {
	c.Stop()
	return os.RemoveAll(c.Dir)
}

// stateFile is where a cluster's state is kept in its run directory.
const stateFile = "state.json"

func (c *Cluster) save() error {
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	tmp := filepath.Join(c.Dir, stateFile+".tmp")
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(c.Dir, stateFile))
}

// Load reads the state of a cluster started (detached) by another process.
func Load(dir string) (*Cluster, error) {
	b, err := os.ReadFile(filepath.Join(dir, stateFile))
	if err != nil {
		return nil, err
	}
	c := &Cluster{progress: io.Discard}
	if err := json.Unmarshal(b, c); err != nil {
		return nil, fmt.Errorf("%s: %w", stateFile, err)
	}
	return c, nil
}

// Running tells whether any component of the cluster still runs.
func (c *Cluster) Running() bool {
	for _, p := range c.Procs {
		if p.alive() {
			return true
		}
	}
	return false
}

// Dead lists the components that are no longer running.
func (c *Cluster) Dead() []string {
	var out []string
	for _, p := range c.Procs {
		if !p.alive() {
			out = append(out, p.Name)
		}
	}
	return out
}
