//go:build unix

package options

import "syscall"

// openNonblock keeps an open of a FIFO from waiting for a writer, should the
// path become one between the Stat and the open.
const openNonblock = syscall.O_NONBLOCK
