package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"

	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/klog/v2"
)

// syncedLine is what the reference process prints once its informers have
// synced: "synced <nodes> <pods>".
const syncedLine = "synced"

// reference is the bare informer the viewer is compared with: client-go's
// shared informers for nodes and pods, full objects, protobuf, client-go's
// defaults otherwise (WatchList streaming where the server offers it). It
// prints syncedLine and then waits until stdin closes, so that the parent
// can read its memory after the sync.
func reference(kubeconfig string) error {
	klog.SetOutput(io.Discard)
	klog.LogToStderr(false)
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return err
	}
	cfg.ContentType = "application/vnd.kubernetes.protobuf"
	cfg.AcceptContentTypes = "application/vnd.kubernetes.protobuf,application/json"
	kube, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f := informers.NewSharedInformerFactory(kube, 0)
	nodes := f.Core().V1().Nodes().Informer()
	pods := f.Core().V1().Pods().Informer()
	f.Start(ctx.Done())
	if !cache.WaitForCacheSync(ctx.Done(), nodes.HasSynced, pods.HasSynced) {
		return fmt.Errorf("informers did not sync")
	}
	fmt.Printf("%s %d %d\n", syncedLine, len(nodes.GetStore().ListKeys()), len(pods.GetStore().ListKeys()))
	_, _ = io.Copy(io.Discard, os.Stdin) // until the parent closes stdin
	cancel()
	f.Shutdown()
	return nil
}

// refResult is one measured reference sync.
type refResult struct {
	sync      time.Duration // process start to synced
	rss, peak int64         // bytes: VmRSS settle after the sync, VmHWM
	cpu       time.Duration // CPU time used up to the sync
	nodes     int
	pods      int
}

// runReference starts this program in reference mode and measures it.
func runReference(ctx context.Context, kubeconfig string, settle time.Duration) (refResult, error) {
	self, err := os.Executable()
	if err != nil {
		return refResult{}, err
	}
	cmd := exec.CommandContext(ctx, self, "-reference", "-kubeconfig", kubeconfig)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return refResult{}, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return refResult{}, err
	}
	cmd.Stderr = os.Stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return refResult{}, err
	}
	defer func() {
		stdin.Close()
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	}()
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var r refResult
	select {
	case line, ok := <-lines:
		if !ok || !strings.HasPrefix(line, syncedLine) {
			return r, fmt.Errorf("reference: unexpected output %q", line)
		}
		r.sync = time.Since(start)
		r.cpu, _ = readCPU(cmd.Process.Pid)
		if _, err := fmt.Sscanf(line, syncedLine+" %d %d", &r.nodes, &r.pods); err != nil {
			return r, fmt.Errorf("reference: %q: %w", line, err)
		}
	case <-time.After(10 * time.Minute):
		return r, fmt.Errorf("reference: no sync within 10 minutes")
	case <-ctx.Done():
		return r, ctx.Err()
	}
	time.Sleep(settle)
	m, err := readMem(cmd.Process.Pid)
	if err != nil {
		return r, err
	}
	r.rss, r.peak = m.rss, m.hwm
	return r, nil
}
