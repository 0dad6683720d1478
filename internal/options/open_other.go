//go:build !unix

package options

// openNonblock: no FIFOs to guard against here (see open_unix.go).
const openNonblock = 0
