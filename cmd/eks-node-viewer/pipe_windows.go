package main

import (
	"errors"
	"io"
	"syscall"
)

// errNoData is ERROR_NO_DATA, "the pipe is being closed" (not in syscall).
const errNoData = syscall.Errno(232)

// brokenPipe: the reader of standard output went away.
func brokenPipe(err error) bool {
	return errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ERROR_BROKEN_PIPE) || errors.Is(err, errNoData)
}

// readerGone is not known without writing on Windows: the next write tells.
func readerGone(io.Writer) bool { return false }
