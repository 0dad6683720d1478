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

.PHONY: all build demo test unit vet fmt-check tmux golden generate bench-render clean

all: build

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/eks-node-viewer

## demo: the whole viewer on the embedded Karpenter lab (ARGS="--resources cpu,memory" to add flags)
demo: build
	./$(BIN) --demo $(ARGS)

## test: what CI runs (.ci/run calls this)
test: tmux vet fmt-check
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
	rm -rf bin

include internal/e2e/e2e.mk

## bench-scale: the viewer against a bare client-go informer on a real apiserver
## at scale (SIZES="NODESxPODS ..."; the 100,000-pod size takes 10-15 minutes)
SIZES ?= 500x10000 5000x100000
BENCH_ARGS ?=
.PHONY: bench-scale
bench-scale: build tmux
	$(GO) run ./internal/bench -sizes "$(SIZES)" -viewer $(BIN) -out bench-results $(BENCH_ARGS)

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
