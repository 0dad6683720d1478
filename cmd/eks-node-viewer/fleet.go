package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"k8s.io/client-go/rest"

	"github.com/eksnodeviewer/eks-node-viewer/internal/cluster"
	"github.com/eksnodeviewer/eks-node-viewer/internal/kube"
	"github.com/eksnodeviewer/eks-node-viewer/internal/options"
	"github.com/eksnodeviewer/eks-node-viewer/ui"
)

// Several contexts at once: one model per cluster, each with its own
// clients, pricing provider and usage poller. Nothing is shared between
// them but the process: one cluster that is slow, unreachable or
// misconfigured never holds up the others.

// connectTimeout bounds the connection check (kube.Clients.Check).
const connectTimeout = 20 * time.Second

// connectNote is the note topic of a fleet cluster's failed connection
// check (cleared once it synced).
const connectNote = "connection"

// fleetContexts resolves the cluster flags against the kubeconfig: the
// contexts of a fleet, or nil for the single-cluster viewer (then
// o.Context is the one context, "" for the current one). An unknown
// context or a selector matching nothing is bad input (exit 2).
func fleetContexts(o *options.Options) ([]kube.Context, error) {
	if !o.Fleet() {
		return nil, nil
	}
	all, err := kube.ListContexts(o.Kubeconfig)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(all))
	for i, c := range all {
		names[i] = c.Name
	}
	picked, err := o.ResolveContexts(names)
	if err != nil {
		return nil, err
	}
	if len(picked) == 1 {
		o.Context = picked[0]
		return nil, nil
	}
	out := make([]kube.Context, len(picked))
	for i, name := range picked {
		for _, c := range all {
			if c.Name == name {
				out[i] = c
			}
		}
	}
	return out, nil
}

// member is one cluster of a fleet run.
type member struct {
	kube.Context
	m     *cluster.Cluster
	clock func() time.Time // its API server's (nil: not connected)
	// setupErr: the kubeconfig's entry for the context cannot be used
	// (its cluster or credentials are missing); m is not started, and
	// says so in a note.
	setupErr error
	// settled is closed once the cluster synced, or is known not to
	// connect (the check failed, or setupErr).
	settled    chan struct{}
	settleOnce sync.Once
}

func (mem *member) settle() { mem.settleOnce.Do(func() { close(mem.settled) }) }

// startFleet starts a model per context, all at once: none waits for
// another, nor for its own connection check. Only what every cluster
// shares fails the run (the AWS configuration for the prices).
func startFleet(ctx context.Context, o *options.Options, logger *slog.Logger, contexts []kube.Context) ([]*member, error) {
	syncGC()
	members := make([]*member, len(contexts))
	for i, c := range contexts {
		mem, err := startMember(ctx, o, logger.With("context", c.Name), c)
		if err != nil {
			return nil, err
		}
		members[i] = mem
	}
	go func() {
		if releaseAfterSync(ctx, allSettled(ctx, members)) {
			logger.Info("fleet settled", "after", time.Since(started).Round(time.Millisecond), "clusters", len(members))
		}
	}()
	return members, nil
}

// startMember builds the cluster's clients and model and starts its
// informers, connection check and usage poller.
func startMember(ctx context.Context, o *options.Options, logger *slog.Logger, c kube.Context) (*member, error) {
	mem := &member{Context: c, settled: make(chan struct{})}
	var clients *kube.Clients
	var err error
	if c.Server == "" {
		// kube.Config would say "no kubeconfig found" (client-go's
		// empty-config error): true of the context, not of the file.
		err = fmt.Errorf("kubeconfig: context %s names no cluster with a server", c.Name)
	} else {
		var cfg *rest.Config
		var where string
		if cfg, where, err = kube.Config(o.Kubeconfig, c.Name); err == nil {
			clients, err = kube.NewClients(cfg, where)
		}
	}
	if err != nil {
		logger.Warn("context not started", "err", err)
		mem.setupErr = err
		if mem.m, err = newModel(ctx, o, logger, nil, nil); err != nil {
			return nil, err
		}
		mem.m.SetNote(connectNote, oneLine(mem.setupErr.Error()))
		mem.settle()
		return mem, nil
	}
	m, err := newModel(ctx, o, logger, clients.Clock.Now, nil)
	if err != nil {
		return nil, err
	}
	mem.m, mem.clock = m, clients.Clock.Now
	m.Start(ctx, clients.Kube, clients.Dynamic)
	go mem.check(ctx, clients, logger)
	if m.UsageInterval() > 0 {
		go pollUsage(ctx, m, clients, logger)
	}
	return mem, nil
}

// check is the single-cluster viewer's connection check as the cluster's
// state: its error becomes a note (cleared once the cluster synced)
// instead of failing the run.
func (mem *member) check(ctx context.Context, clients *kube.Clients, logger *slog.Logger) {
	if err := clients.Check(ctx, connectTimeout); err != nil {
		if ctx.Err() != nil {
			return
		}
		logger.Warn("cluster unreachable", "err", err)
		mem.m.SetNote(connectNote, oneLine(err.Error()))
		mem.settle()
	}
	select {
	case <-mem.m.Synced():
	case <-ctx.Done():
		return
	}
	mem.m.SetNote(connectNote, "")
	mem.settle()
	s := mem.m.Snapshot()
	logger.Info("initial sync complete", "after", time.Since(started).Round(time.Millisecond), "nodes", len(s.Nodes), "pods", s.Pods.Total)
}

// allSettled is closed once every member settled (or ctx ended).
func allSettled(ctx context.Context, members []*member) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		for _, mem := range members {
			select {
			case <-mem.settled:
			case <-ctx.Done():
				return
			}
		}
	}()
	return done
}

// uiMembers are the fleet's clusters as the screen reads them, each paced
// like the single-cluster screen's model.
func uiMembers(ctx context.Context, members []*member) []ui.Member {
	out := make([]ui.Member, len(members))
	for i, mem := range members {
		out[i] = ui.Member{Context: mem.Name, Server: mem.Server, Clock: mem.clock,
			Source: paceUntil(ctx, mem.m, framePace, syncRefresh, realClock, mem.settled)}
	}
	return out
}

// oneLine keeps a message to one line (a note, a line on stderr).
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
