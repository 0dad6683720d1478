// Package e2e holds the end-to-end tests of eks-node-viewer against a real
// control plane on 127.0.0.1 (see package harness). They are behind the
// build tag e2e: `make e2e`, or
//
//	go test -tags e2e -count=1 -timeout 50m ./internal/e2e/...
//
// Missing control-plane binaries are built first (minutes, cached); with
// E2E_BUILD=0 the tests skip instead.
package e2e
