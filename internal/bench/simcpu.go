package main

import (
	"syscall"
	"time"
)

// cpuNow is the CPU time the process has used (user + system, every
// thread: the collector's too). The simulation times its work with it, so
// that a machine busy with other work does not stretch the figures as it
// stretches wall time.
func cpuNow() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

const cpuClock = "process CPU time (user + system, all threads)"
