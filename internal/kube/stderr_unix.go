//go:build unix

package kube

import (
	"os"

	"golang.org/x/sys/unix"
)

// redirectStderr points file descriptor 2 at w and returns a dup of the
// former stderr and the function that puts it back.
func redirectStderr(w *os.File) (terminal *os.File, undo func() error, err error) {
	saved, err := unix.Dup(2)
	if err != nil {
		return nil, nil, err
	}
	unix.CloseOnExec(saved)
	if err := unix.Dup2(int(w.Fd()), 2); err != nil {
		unix.Close(saved)
		return nil, nil, err
	}
	terminal = os.NewFile(uintptr(saved), "/dev/stderr")
	return terminal, func() error { return unix.Dup2(saved, 2) }, nil
}
