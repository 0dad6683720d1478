package harness

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// FleetMember is one cluster of a fleet: the kubeconfig context that names
// it and how to start it.
type FleetMember struct {
	// Context names the cluster, its user and its context in the fleet's
	// kubeconfig ("lab", "other").
	Context string
	// Options start the cluster. Dir defaults to the fleet's directory's
	// subdirectory named Context; Progress, Detached and NoBuild are the
	// fleet's.
	Options Options
}

// FleetOptions configure StartFleet.
type FleetOptions struct {
	Members []FleetMember
	// Dir holds one run directory per member and the fleet's kubeconfig.
	// Default: a new temporary directory.
	Dir string
	// Detached, NoBuild and Progress are given to every member (see
	// Options).
	Detached bool
	NoBuild  bool
	Progress io.Writer
}

// Fleet is several independent clusters (each its own etcd and
// kube-apiserver on its own ports, with its own PKI and data directory) and
// one kubeconfig with a context per cluster.
type Fleet struct {
	Dir string
	// Kubeconfig has one context per member, named by its Context; the
	// first member's is the current context.
	Kubeconfig string
	// Contexts are the members' context names, in the order given.
	Contexts []string

	clusters map[string]*Cluster
}

// contextName is what a fleet member may be called: a name that needs no
// quoting in a flag's comma list or a file name.
var contextName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

func checkMembers(members []FleetMember) error {
	if len(members) == 0 {
		return errors.New("a fleet needs at least one member")
	}
	seen := map[string]bool{}
	for _, m := range members {
		if !contextName.MatchString(m.Context) {
			return fmt.Errorf("fleet member %q: want a context name of letters, digits, '.', '_' and '-'", m.Context)
		}
		if seen[m.Context] {
			return fmt.Errorf("fleet member %q given twice", m.Context)
		}
		seen[m.Context] = true
	}
	return nil
}

// StartFleet starts the members one after the other (each start waits
// until its components listen, so no two pick the same free port, and the
// box's cores go to one start-up at a time) and writes the fleet's
// kubeconfig. On error the members started so far are stopped.
func StartFleet(ctx context.Context, opts FleetOptions) (_ *Fleet, err error) {
	if err := checkMembers(opts.Members); err != nil {
		return nil, err
	}
	if opts.Progress == nil {
		opts.Progress = os.Stderr
	}
	if opts.Dir == "" {
		if opts.Dir, err = os.MkdirTemp("", "e2e-fleet-"); err != nil {
			return nil, err
		}
	}
	// Build what any member lacks once, before the first start.
	var names []string
	for _, m := range opts.Members {
		size := m.Options.Size
		if size == "" {
			size = SizeAPIServer
		}
		for _, n := range size.Binaries() {
			if !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
	}
	if _, err := EnsureBinaries(ctx, BuildOptions{Names: names, NoBuild: opts.NoBuild, Progress: opts.Progress}); err != nil {
		return nil, err
	}
	f := &Fleet{Dir: opts.Dir, Kubeconfig: filepath.Join(opts.Dir, "kubeconfig"), clusters: map[string]*Cluster{}}
	defer func() {
		if err != nil {
			f.Stop()
		}
	}()
	var kubeconfigs []NamedKubeconfig
	for _, m := range opts.Members {
		o := m.Options
		if o.Dir == "" {
			o.Dir = filepath.Join(opts.Dir, m.Context)
		}
		o.Detached, o.NoBuild, o.Progress = opts.Detached, opts.NoBuild, opts.Progress
		start := time.Now()
		c, err := Start(ctx, o)
		if err != nil {
			return nil, fmt.Errorf("fleet member %s: %w", m.Context, err)
		}
		f.clusters[m.Context] = c
		f.Contexts = append(f.Contexts, m.Context)
		kubeconfigs = append(kubeconfigs, NamedKubeconfig{Context: m.Context, Path: c.Kubeconfig})
		fmt.Fprintf(opts.Progress, "e2e: fleet member %s (%s) at %s up in %s\n", m.Context, c.Size, c.Server, time.Since(start).Round(100*time.Millisecond))
	}
	if err := WriteFleetKubeconfig(f.Kubeconfig, kubeconfigs); err != nil {
		return nil, err
	}
	return f, nil
}

// Cluster is the member called context (nil if there is none).
func (f *Fleet) Cluster(context string) *Cluster { return f.clusters[context] }

// Clusters are the members in the order given.
func (f *Fleet) Clusters() []*Cluster {
	out := make([]*Cluster, 0, len(f.Contexts))
	for _, name := range f.Contexts {
		out = append(out, f.clusters[name])
	}
	return out
}

// RESTConfig is the fleet kubeconfig's context, as a client (the viewer
// with --context) loads it.
func (f *Fleet) RESTConfig(context string) (*rest.Config, error) {
	if f.clusters[context] == nil {
		return nil, fmt.Errorf("no fleet member %q (have %v)", context, f.Contexts)
	}
	return ContextRESTConfig(f.Kubeconfig, context)
}

// Client is a clientset for the fleet kubeconfig's context.
func (f *Fleet) Client(context string) (kubernetes.Interface, error) {
	cfg, err := f.RESTConfig(context)
	if err != nil {
		return nil, err
	}
	return kubernetes.NewForConfig(cfg)
}

// Stop stops every member (the last started first). Idempotent.
func (f *Fleet) Stop() {
	for i := len(f.Contexts) - 1; i >= 0; i-- {
		f.clusters[f.Contexts[i]].Stop()
	}
}

// Remove stops the fleet and deletes its directory (and with it the
// members' run directories that are under it).
func (f *Fleet) Remove() error {
	f.Stop()
	var errs []error
	for _, c := range f.Clusters() {
		errs = append(errs, c.Remove())
	}
	errs = append(errs, os.RemoveAll(f.Dir))
	return errors.Join(errs...)
}

// Detach forgets every member, so that exiting this process leaves them
// running (they were started with FleetOptions.Detached).
func (f *Fleet) Detach() {
	for _, c := range f.Clusters() {
		c.Detach()
	}
}

// NamedKubeconfig is one cluster's own kubeconfig (its current context is
// used) and the context name it gets in a merged kubeconfig.
type NamedKubeconfig struct {
	Context string
	Path    string
}

// WriteFleetKubeconfig writes one kubeconfig with a context per member:
// each member's current context's cluster (server and CA) and user
// (credentials), all renamed to the member's context name so that nothing
// of one member shadows another's. The first member's context is the
// current one.
func WriteFleetKubeconfig(path string, members []NamedKubeconfig) error {
	fm := make([]FleetMember, len(members))
	for i, m := range members {
		fm[i].Context = m.Context
	}
	if err := checkMembers(fm); err != nil {
		return err
	}
	out := clientcmdapi.NewConfig()
	for _, m := range members {
		in, err := clientcmd.LoadFromFile(m.Path)
		if err != nil {
			return fmt.Errorf("fleet kubeconfig: %s: %w", m.Context, err)
		}
		ctx, ok := in.Contexts[in.CurrentContext]
		if !ok {
			return fmt.Errorf("fleet kubeconfig: %s: %s has no current context", m.Context, m.Path)
		}
		cl, ok := in.Clusters[ctx.Cluster]
		if !ok {
			return fmt.Errorf("fleet kubeconfig: %s: %s has no cluster %q", m.Context, m.Path, ctx.Cluster)
		}
		user, ok := in.AuthInfos[ctx.AuthInfo]
		if !ok {
			return fmt.Errorf("fleet kubeconfig: %s: %s has no user %q", m.Context, m.Path, ctx.AuthInfo)
		}
		out.Clusters[m.Context] = cl.DeepCopy()
		out.AuthInfos[m.Context] = user.DeepCopy()
		out.Contexts[m.Context] = &clientcmdapi.Context{Cluster: m.Context, AuthInfo: m.Context, Namespace: ctx.Namespace}
		if out.CurrentContext == "" {
			out.CurrentContext = m.Context
		}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	if err := clientcmd.WriteToFile(*out, path); err != nil {
		return fmt.Errorf("write fleet kubeconfig: %w", err)
	}
	return os.Chmod(path, 0o600)
}

// ContextRESTConfig loads context from the kubeconfig at path.
func ContextRESTConfig(path, context string) (*rest.Config, error) {
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(
		&clientcmd.ClientConfigLoadingRules{ExplicitPath: path},
		&clientcmd.ConfigOverrides{CurrentContext: context},
	).ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("kubeconfig %s, context %s: %w", path, context, err)
	}
	cfg.QPS, cfg.Burst = 100, 200
	return cfg, nil
}

// StopComponent stops one running component of the cluster (BinAPIServer,
// say) as Stop would, and returns once it has exited: the cluster's API is
// then unreachable while the rest (etcd, its data) stays. Stop later skips
// it.
func (c *Cluster) StopComponent(name string) error {
	for _, p := range c.Procs {
		if p.Name == name {
			if !p.alive() {
				return fmt.Errorf("%s is not running", name)
			}
			p.stop(5 * time.Second)
			if p.alive() {
				return fmt.Errorf("%s did not exit", name)
			}
			c.logf("%s stopped", name)
			return nil
		}
	}
	return fmt.Errorf("no component %s in this cluster", name)
}
