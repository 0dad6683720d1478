//go:build !unix

package kube

// No O_NOFOLLOW here: OpenLog's Lstat before the open is the only check
// against a symbolic link (a race with whoever swaps the path remains).
const (
	openNoFollow = 0
	openNonblock = 0
)

func isSymlinkErr(error) bool { return false }
