//go:build unix

package kube

import (
	"errors"
	"syscall"
)

const (
	// openNoFollow: the log file is not opened through a symbolic link.
	openNoFollow = syscall.O_NOFOLLOW
	// openNonblock: an open of a FIFO does not wait for a reader.
	openNonblock = syscall.O_NONBLOCK
)

// isSymlinkErr: O_NOFOLLOW met a symbolic link (ELOOP; EMLINK on some BSDs).
func isSymlinkErr(err error) bool {
	return errors.Is(err, syscall.ELOOP) || errors.Is(err, syscall.EMLINK)
}
