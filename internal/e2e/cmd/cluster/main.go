// Command cluster runs the end-to-end control plane for people:
//
//	go run ./internal/e2e/cmd/cluster build [NAME...]  # build/cached binaries only
//	go run ./internal/e2e/cmd/cluster up [--size S]    # start detached (+ the seed lab)
//	go run ./internal/e2e/cmd/cluster status
//	go run ./internal/e2e/cmd/cluster down
//
// State, logs and the kubeconfig live in
// ${XDG_CACHE_HOME:-$HOME/.cache}/eks-node-viewer/e2e/cluster.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/eksnodeviewer/eks-node-viewer/internal/e2e/harness"
)

const usage = `usage: cluster <command> [flags]

commands:
  build [NAME...]            build the missing control-plane binaries (cached;
                             default all: etcd kube-apiserver kube-controller-manager
                             kube-scheduler kwok karpenter-kwok metrics-server)
  up [--size S] [--no-lab]   start a local cluster in the background; S is
                             apiserver, full or karpenter (default karpenter);
                             full and karpenter run metrics-server
  status                     show whether the cluster runs
  down                       stop the cluster and delete its state
`

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "cluster:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, usage)
		return errors.New("no command")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	switch args[0] {
	case "build":
		if _, err := harness.EnsureBinaries(ctx, harness.BuildOptions{Names: args[1:]}); err != nil {
			return err
		}
		names := args[1:]
		if len(names) == 0 {
			names = harness.AllBinaries()
		}
		for _, n := range names {
			p, err := harness.BinPath(n)
			if err != nil {
				return err
			}
			fmt.Println(p)
		}
		return nil
	case "up":
		return up(ctx, args[1:])
	case "status":
		return status()
	case "down":
		return down()
	case "-h", "--help", "help":
		fmt.Print(usage)
		return nil
	}
	fmt.Fprint(os.Stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}

func stateDir() (string, error) {
	c, err := harness.CacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(c, "cluster"), nil
}

func up(ctx context.Context, args []string) error {
	fl := flag.NewFlagSet("up", flag.ContinueOnError)
	sizeName := fl.String("size", string(harness.SizeKarpenter), "apiserver, full or karpenter")
	noLab := fl.Bool("no-lab", false, "do not create the seed lab's nodes and deployment")
	if err := fl.Parse(args); err != nil {
		return err
	}
	size, err := harness.ParseSize(*sizeName)
	if err != nil {
		return err
	}
	dir, err := stateDir()
	if err != nil {
		return err
	}
	if old, err := harness.Load(dir); err == nil && old.Running() {
		return fmt.Errorf("a cluster is already up (KUBECONFIG=%s); stop it with `make cluster-down`", old.Kubeconfig)
	}
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	start := time.Now()
	c, err := harness.Start(ctx, harness.Options{Size: size, Dir: dir, Detached: true, NoBuild: harness.BuildDisabled()})
	if err != nil {
		return err
	}
	if !*noLab && size != harness.SizeAPIServer {
		if err := c.CreateLab(ctx); err != nil {
			fmt.Fprintln(os.Stderr, c.LogTails(30))
			_ = c.Remove()
			return fmt.Errorf("create the lab: %w", err)
		}
	}
	c.Detach()
	fmt.Printf(`
Local %s cluster is up (%s). Logs: %s
Point kubectl and the viewer at it:

  export KUBECONFIG=%s
`, size, time.Since(start).Round(100*time.Millisecond), filepath.Join(dir, "logs"), c.Kubeconfig)
	if !*noLab && size != harness.SizeAPIServer {
		fmt.Printf(`  bin/eks-node-viewer --node-selector %s    (after: go build -o bin/eks-node-viewer ./cmd/eks-node-viewer)

Then, in a second terminal (same KUBECONFIG), make the lab's deployment grow
past the static node and watch Karpenter launch a node, then shrink it again:

  kubectl -n %s scale deployment %s --replicas 9
  kubectl -n %s scale deployment %s --replicas 1
`, harness.LabSelector, harness.LabNamespace, harness.LabDeployment, harness.LabNamespace, harness.LabDeployment)
	}
	if size != harness.SizeAPIServer {
		fmt.Printf(`
metrics-server scrapes kwok's emulated kubelets every %s; the first samples
come about 45 s after start-up. A pod's usage is its kwok.x-k8s.io/usage-cpu
and kwok.x-k8s.io/usage-memory annotations (per container; else 1m and 1Mi):

  kubectl top nodes
  kubectl top pods -A
`, harness.MetricsResolution)
	}
	fmt.Println("\nStop it with: make cluster-down")
	return nil
}

func status() error {
	dir, err := stateDir()
	if err != nil {
		return err
	}
	c, err := harness.Load(dir)
	if errors.Is(err, fs.ErrNotExist) {
		fmt.Println("no cluster")
		return nil
	} else if err != nil {
		return err
	}
	if dead := c.Dead(); len(dead) > 0 {
		fmt.Printf("%s cluster started %s: NOT running: %s (logs in %s)\n", c.Size, c.Started.Format(time.RFC3339), strings.Join(dead, ", "), filepath.Join(dir, "logs"))
		return nil
	}
	fmt.Printf("%s cluster up since %s\nexport KUBECONFIG=%s\n", c.Size, c.Started.Format(time.RFC3339), c.Kubeconfig)
	return nil
}

func down() error {
	dir, err := stateDir()
	if err != nil {
		return err
	}
	c, err := harness.Load(dir)
	if errors.Is(err, fs.ErrNotExist) {
		fmt.Println("no cluster to stop")
		return nil
	} else if err != nil {
		return err
	}
	c.Stop()
	if c.Running() {
		return fmt.Errorf("some components still run: %s", dir)
	}
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	fmt.Println("cluster stopped")
	return nil
}
