# ---- end-to-end: a real local control plane (owned by internal/e2e) --------
# Included by the main Makefile (`include internal/e2e/e2e.mk`).
#
#   make e2e-binaries   build etcd, kube-apiserver, kube-controller-manager,
#                       kube-scheduler, kwok and Karpenter's kwok provider from
#                       the Go module proxy into
#                       $${XDG_CACHE_HOME:-$$HOME/.cache}/eks-node-viewer/e2e/<versions>/bin
#                       and metrics-server into .../e2e/metrics-server<version>/bin
#                       (only what is missing; a cold build takes 13-30 minutes)
#   make cluster-up     start a local Karpenter cluster with the seed lab and
#                       metrics-server in the background
#                       (E2E_SIZE=apiserver|full|karpenter; full and karpenter
#                       run metrics-server)
#   make cluster-down   stop it
#   make e2e            build the viewer and run the end-to-end tests
#                       (E2E_RUN=regexp selects tests; E2E_BUILD=0 skips them
#                       instead of building missing binaries)

E2E_CLUSTER ?= go run ./internal/e2e/cmd/cluster
E2E_SIZE ?= karpenter
E2E_RUN ?= .

.PHONY: e2e-binaries cluster-up cluster-down cluster-status e2e

e2e-binaries:
	$(E2E_CLUSTER) build

cluster-up:
	$(E2E_CLUSTER) up --size $(E2E_SIZE)

cluster-down:
	$(E2E_CLUSTER) down

cluster-status:
	$(E2E_CLUSTER) status

e2e:
	@command -v tmux >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "e2e: installing tmux"; apt-get update -qq && apt-get install -y -qq tmux >/dev/null; \
	  else echo "e2e: tmux is required (apt-get install -y tmux)"; exit 1; fi; }
	@if [ "$$E2E_BUILD" != 0 ]; then $(E2E_CLUSTER) build; fi
	go build -o bin/eks-node-viewer ./cmd/eks-node-viewer
	E2E_VIEWER=$(CURDIR)/bin/eks-node-viewer go test -tags e2e -count=1 -timeout 50m -v -run '$(E2E_RUN)' ./internal/e2e/...
