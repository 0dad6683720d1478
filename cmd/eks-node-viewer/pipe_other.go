//go:build !windows

package main

import (
	"errors"
	"io"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// brokenPipe: the reader of standard output went away.
func brokenPipe(err error) bool { return errors.Is(err, syscall.EPIPE) }

// readerGone reports whether w is a pipe whose reading end is closed
// (`| head -1` has exited), without writing to it: a quiet stream would
// otherwise only notice at its next change.
func readerGone(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fds := []unix.PollFd{{Fd: int32(f.Fd())}}
	n, err := unix.Poll(fds, 0)
	return err == nil && n > 0 && fds[0].Revents&(unix.POLLERR|unix.POLLHUP) != 0
}
