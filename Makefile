# eks-node-viewer. The first two targets are the ones a newcomer needs:
#   make demo   build and run the viewer on its embedded demo cluster
#   make test   vet, format check and every test (installs tmux if missing)

GO      ?= go
BIN     := bin/eks-node-viewer
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT  := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
DATE    := $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
LDFLAGS := -X main.version=$(VERSION) -X main.commit=$(COMMIT) -X main.date=$(DATE)
ARGS    ?=

.PHONY: all build demo test unit vet fmt-check tmux golden generate bench-render clean \
	tools release release-snapshot release-assets

all: build

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/eks-node-viewer

## demo: the whole viewer on the embedded Karpenter lab (ARGS="--resources cpu,memory" to add flags)
demo: build
	./$(BIN) --demo $(ARGS)

## test: what CI runs (.ci/run calls this)
test: tmux vet fmt-check tools
	$(GO) test -race -count=1 ./...

unit:
	$(GO) test -count=1 ./...

vet:
	$(GO) vet ./...

fmt-check:
	@out=$$(gofmt -l cmd internal pricing ui); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

# The end-to-end UI tests drive the real binary in tmux.
tmux:
	@command -v tmux >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing tmux (apt-get)"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tmux) >/dev/null || exit 1; \
	  else echo "tmux is needed: install it (e.g. sudo apt-get install tmux)"; exit 1; fi; }

## golden: rewrite the UI golden files after an intended change
golden:
	$(GO) test ./ui/... -update

generate:
	$(GO) generate ./...

bench-render:
	$(GO) test -run '^$$' -bench 'Render|View' -benchmem ./ui/

clean:
	rm -rf bin dist completions manpages

# ---- release: goreleaser and actionlint, built from the module proxy --------
# Cached outside the clone, one folder per version, built only when missing
# (goreleaser takes about 4 minutes on 2 cores, actionlint seconds).
# internal/release's tests find them through the exported variables.
TOOLS_DIR          ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/eks-node-viewer/tools
GORELEASER_VERSION := v2.15.1
ACTIONLINT_VERSION := v1.7.12
GORELEASER         := $(TOOLS_DIR)/goreleaser-$(GORELEASER_VERSION)/goreleaser
ACTIONLINT         := $(TOOLS_DIR)/actionlint-$(ACTIONLINT_VERSION)/actionlint
export GORELEASER ACTIONLINT

## tools: build goreleaser and actionlint into $(TOOLS_DIR) (once per version)
tools: $(GORELEASER) $(ACTIONLINT)

$(GORELEASER):
	$(call go-install-tool,github.com/goreleaser/goreleaser/v2@$(GORELEASER_VERSION))

$(ACTIONLINT):
	$(call go-install-tool,github.com/rhysd/actionlint/cmd/actionlint@$(ACTIONLINT_VERSION))

# go-install-tool builds into a scratch folder and renames it, so an
# interrupted build never leaves a half-written tool that counts as present.
define go-install-tool
@echo "building $(1) into $(@D)"
@rm -rf $(@D).tmp
GOBIN=$(@D).tmp GOFLAGS= GOTOOLCHAIN=local $(GO) install $(1)
@rm -rf $(@D) && mv $(@D).tmp $(@D)
endef

## release-snapshot: every platform's archive, the universal darwin binary, the
## Homebrew cask, the krew manifest and checksums into dist/, nothing published
release-snapshot: $(GORELEASER)
	$(RELEASE_GIT_ENV) $(GORELEASER) release --snapshot --clean

# A checkout without a remote names origin through git's environment config,
# or goreleaser's snapshot stamps commit "none" and a zero date.
RELEASE_GIT_ENV = $(if $(shell git remote 2>/dev/null),,GIT_CONFIG_COUNT=1 \
	GIT_CONFIG_KEY_0=remote.origin.url GIT_CONFIG_VALUE_0=https://github.com/eksnodeviewer/eks-node-viewer.git)

## release: publish a tagged release (.github/workflows/release.yml runs it
## with GITHUB_TOKEN and HOMEBREW_TAP_GITHUB_TOKEN)
release: $(GORELEASER)
	$(GORELEASER) release --clean

# release-assets: goreleaser's before hook. Shell completions and the man page
# from the binary itself, into completions/ and manpages/ (gitignored), which
# the archives and the cask ship (the man page is the committed $(MAN_PAGE)).
# A completion the binary cannot print is skipped with a note.
release-assets:
	@rm -rf completions manpages && mkdir -p completions manpages bin/release
	CGO_ENABLED=0 $(GO) build -trimpath -o bin/release/eks-node-viewer ./cmd/eks-node-viewer
	@for sh in bash zsh fish; do \
	  case $$sh in zsh) f=completions/_eks-node-viewer;; *) f=completions/eks-node-viewer.$$sh;; esac; \
	  if bin/release/eks-node-viewer completion $$sh </dev/null >$$f 2>/dev/null && [ -s $$f ]; then echo "release-assets: $$f"; \
	  else rm -f $$f; echo "release-assets: skipped $$f ('eks-node-viewer completion $$sh' failed)"; fi; \
	done
	@if [ -n "$(MAN_PAGE)" ] && [ -f "$(MAN_PAGE)" ]; then \
	  cp $(MAN_PAGE) manpages/ && echo "release-assets: manpages/$(notdir $(MAN_PAGE)) (kept in step by make man's test)"; \
	else echo "release-assets: skipped manpages/ (no MAN_PAGE)"; fi

include internal/e2e/e2e.mk

## bench-scale: the viewer against a bare client-go informer on a real apiserver
## at scale (SIZES="NODESxPODS ..."; the 100,000-pod size takes 10-15 minutes),
## then the fleet row: three API servers of 500x10000, the viewer on all three
## against each alone (BENCH_ARGS=-fleet-only runs only that row)
SIZES ?= 500x10000 5000x100000
BENCH_ARGS ?=
.PHONY: bench-scale
bench-scale: build tmux
	$(GO) run ./internal/bench -sizes "$(SIZES)" -viewer $(BIN) -out bench-results $(BENCH_ARGS)

## bench-sim: the model and the screen fed in-process (cluster.Feed, no API
## server) at 5,000 / 20,000 / 100,000 nodes, 20 pods each (SIM_SIZES="5000"
## for one size; the three take a few minutes and ~8 GB at the largest)
SIM_SIZES ?= 5000 20000 100000
.PHONY: bench-sim
bench-sim:
	$(GO) run ./internal/bench -sim -sizes "$(SIM_SIZES)" -out bench-results $(BENCH_ARGS)

## man: regenerate the man page from the flag definitions and README.md
## (internal/manpage's test fails while it is out of step)
MAN_PAGE := internal/manpage/eks-node-viewer.1
.PHONY: man shells
man:
	$(GO) run ./internal/manpage/gen -readme README.md -o $(MAN_PAGE)

# The completion tests source the bash script with the bash-completion
# package (as users have it) and parse the zsh and fish scripts.
test: shells
shells:
	@missing=""; [ -f /usr/share/bash-completion/bash_completion ] || missing="bash-completion"; \
	for sh in zsh fish; do command -v $$sh >/dev/null 2>&1 || missing="$$missing $$sh"; done; \
	[ -z "$$missing" ] || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing$$missing (apt-get)"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing) >/dev/null || exit 1; \
	  else echo "the completion tests need:$$missing (e.g. sudo apt-get install$$missing)"; exit 1; fi; }

## fuzz: every fuzz target (func Fuzz* in a _test.go file) for FUZZTIME each; their
## corpora under testdata/fuzz/<Name>/ run as plain tests in make test
FUZZTIME ?= 10s
.PHONY: fuzz
fuzz:
	@set -e; for dir in $$(grep -rlE '^func Fuzz' --include='*_test.go' cmd internal pricing ui | xargs -n1 dirname | sort -u); do \
	  for name in $$(grep -hoE '^func Fuzz[A-Za-z0-9_]*' $$dir/*_test.go | sed 's/^func //'); do \
	    echo "== ./$$dir $$name"; \
	    $(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) ./$$dir; \
	  done; \
	done
