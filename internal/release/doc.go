// Package release holds the checks of the release plumbing, run by make test:
// the goreleaser config (.goreleaser.yaml) is valid and builds the host binary
// with its version stamped, the krew manifest and the Homebrew cask it
// generates name every archive with its checksum, the workflows pass
// actionlint, and `go install .../cmd/eks-node-viewer@version` works from a
// module proxy.
//
// goreleaser and actionlint are built from the module proxy by `make tools`
// into a cache outside the clone; the tests find them through $GORELEASER and
// $ACTIONLINT (make exports both) and skip without them.
package release
