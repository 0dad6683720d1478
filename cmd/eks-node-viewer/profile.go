package main

import (
	"fmt"
	"os"
	"runtime/pprof"
	"strconv"
	"strings"
)

// profileEnv names a file for a CPU profile of the whole run ("%p" in it
// becomes the process ID, for runs side by side): a developer's tool (make
// bench-scale's figures say how much, a profile says where), not a flag
// users need.
const profileEnv = "EKS_NODE_VIEWER_CPUPROFILE"

// startProfile starts the CPU profile profileEnv asks for; the returned
// function writes it out. A profile that cannot start is said on stderr
// and the run goes on.
func startProfile() (stop func()) {
	path := os.Getenv(profileEnv)
	if path == "" {
		return func() {}
	}
	path = strings.ReplaceAll(path, "%p", strconv.Itoa(os.Getpid()))
	f, err := os.Create(path)
	if err == nil {
		err = pprof.StartCPUProfile(f)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", profileEnv, err)
		if f != nil {
			f.Close()
		}
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}
