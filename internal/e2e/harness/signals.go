package harness

import (
	"fmt"
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// Clusters being started or running in this process. On SIGINT, SIGTERM or
// SIGHUP they are stopped before the process exits, so an interrupted test
// run (or `cluster up`) leaves nothing behind. (A test binary killed by
// -timeout dies without cleanup; then Pdeathsig kills the components.)
var live = struct {
	sync.Mutex
	clusters map[*Cluster]bool
	once     sync.Once
}{clusters: map[*Cluster]bool{}}

func track(c *Cluster) {
	live.once.Do(func() {
		ch := make(chan os.Signal, 1)
		signal.Notify(ch, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
		go func() {
			sig := <-ch
			fmt.Fprintf(os.Stderr, "e2e: %v: stopping clusters\n", sig)
			StopAll()
			// Die of the same signal, as if nothing had caught it: the
			// caller (go test, a shell) sees how the process ended.
			signal.Reset(sig)
			_ = syscall.Kill(os.Getpid(), sig.(syscall.Signal))
		}()
	})
	live.Lock()
	live.clusters[c] = true
	live.Unlock()
}

func untrack(c *Cluster) {
	live.Lock()
	delete(live.clusters, c)
	live.Unlock()
}

// Detach forgets a started cluster, so that exiting this process leaves it
// running (for `cluster up`). Its components were started detached.
func (c *Cluster) Detach() { untrack(c) }

// StopAll stops every cluster this process started and has not detached.
func StopAll() {
	live.Lock()
	cs := make([]*Cluster, 0, len(live.clusters))
	for c := range live.clusters {
		cs = append(cs, c)
	}
	live.Unlock()
	for _, c := range cs {
		c.Stop()
	}
}
