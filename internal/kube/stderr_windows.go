//go:build windows

package kube

import (
	"os"

	"golang.org/x/sys/windows"
)

// redirectStderr makes w the process's standard error handle and os.Stderr
// (there is no dup2 for a handle that others hold: a client built before
// this keeps the old os.Stderr), and returns the former one and the
// function that puts it back.
func redirectStderr(w *os.File) (terminal *os.File, undo func() error, err error) {
	old := os.Stderr
	var dup windows.Handle
	p := windows.CurrentProcess()
	if err := windows.DuplicateHandle(p, windows.Handle(old.Fd()), p, &dup, 0, false, windows.DUPLICATE_SAME_ACCESS); err != nil {
		return nil, nil, err
	}
	var wdup windows.Handle
	if err := windows.DuplicateHandle(p, windows.Handle(w.Fd()), p, &wdup, 0, true, windows.DUPLICATE_SAME_ACCESS); err != nil {
		windows.CloseHandle(dup)
		return nil, nil, err
	}
	if err := windows.SetStdHandle(windows.STD_ERROR_HANDLE, wdup); err != nil {
		windows.CloseHandle(dup)
		windows.CloseHandle(wdup)
		return nil, nil, err
	}
	os.Stderr = os.NewFile(uintptr(wdup), "stderr")
	terminal = os.NewFile(uintptr(dup), "stderr")
	return terminal, func() error {
		err := windows.SetStdHandle(windows.STD_ERROR_HANDLE, windows.Handle(old.Fd()))
		captured := os.Stderr
		os.Stderr = old
		captured.Close()
		return err
	}, nil
}
