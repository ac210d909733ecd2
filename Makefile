# tlsengine — build, test and run.
#
#   make demo    build, start `tlsengine serve`, connect to it, stop it
#   make test    install the interop peers if missing, vet, run every test
#
GO       ?= go
FUZZTIME ?= 30s
# RACE is the race detector flag for `make test`; `make test RACE=` turns it off.
RACE     ?= -race
# CONTRIB are the nested modules under contrib/, each with its own go.mod.
CONTRIB  := $(patsubst %/go.mod,%,$(wildcard contrib/*/go.mod))
SUDO     := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all build deps test demo fuzz bench clean

all: build

build:
	$(GO) build ./...
	$(GO) build -o bin/tlsengine ./cmd/tlsengine

# deps installs what the tests need when it is missing: the interop peers
# (openssl, gnutls-cli from gnutls-bin, node from nodejs, curl), redis-server
# for the fleet tests and a C compiler for the race detector. One apt-get update, then one install. On a fresh
# machine unattended-upgrades often holds the dpkg lock for a while after
# boot: apt-get waits for it (up to APT_LOCK_WAIT seconds) instead of failing.
# The node tests compare with may be another binary: TLSENGINE_NODE=/path
# (they hold for Node 18, Debian 12's nodejs, and Node 20).
APT_LOCK_WAIT ?= 120
APT_LOCK := -o DPkg::Lock::Timeout=$(APT_LOCK_WAIT)
deps:
	@missing=""; \
	command -v openssl    >/dev/null 2>&1 || missing="$$missing openssl"; \
	command -v gnutls-cli >/dev/null 2>&1 || missing="$$missing gnutls-bin"; \
	[ -n "$$TLSENGINE_NODE" ] || command -v node >/dev/null 2>&1 || missing="$$missing nodejs"; \
	command -v curl       >/dev/null 2>&1 || missing="$$missing curl"; \
	command -v redis-server >/dev/null 2>&1 || missing="$$missing redis-server"; \
	if [ -n "$(RACE)" ]; then command -v gcc >/dev/null 2>&1 || missing="$$missing gcc libc6-dev"; fi; \
	if [ -n "$$missing" ]; then \
		echo "make deps: installing$$missing"; \
		$(SUDO) apt-get $(APT_LOCK) update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get $(APT_LOCK) install -y -qq --no-install-recommends $$missing; \
	fi

test: deps
	@unformatted=$$(gofmt -l $$(find . -name '*.go' -not -path './.git/*')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) test $(RACE) -count=1 -timeout 9m ./...
	# The nested modules (adapters bringing gRPC and go-redis, which the
	# core module does not depend on): `go test ./...` does not enter them.
	@for m in $(CONTRIB); do \
		echo "== $$m"; \
		(cd $$m && $(GO) vet ./... && $(GO) test $(RACE) -count=1 -timeout 5m ./...) || exit 1; \
	done
	# Allocation counts and stack sizes are meaningless under -race:
	# measure them without it.
	$(GO) test -count=1 -run 'NotAllocate' ./cipher/
	$(GO) test -count=1 -run 'TestServeIdleConnectionStack' ./cmd/tlsengine/
	$(GO) test -count=1 -run 'TestReadAllocations' ./api/

# demo builds the binary, starts `tlsengine serve` on a free port with a
# generated certificate, pipes a line through `tlsengine connect` and stops
# the server with SIGTERM. The server's log is printed at the end.
demo: build
	@log=$$(mktemp); \
	./bin/tlsengine serve -addr 127.0.0.1:0 >$$log 2>&1 & pid=$$!; \
	trap 'kill $$pid 2>/dev/null; rm -f $$log' EXIT; \
	addr=""; for i in $$(seq 100); do \
		addr=$$(sed -n 's/^listening on //p' $$log); [ -n "$$addr" ] && break; sleep 0.1; \
	done; \
	[ -n "$$addr" ] || { cat $$log; echo "demo: the server did not start"; exit 1; }; \
	echo "$$ echo 'hello over TLS' | tlsengine connect $$addr -insecure"; \
	echo "hello over TLS" | ./bin/tlsengine connect $$addr -insecure; status=$$?; \
	kill -TERM $$pid; wait $$pid; \
	echo; echo "server log:"; sed 's/^/  /' $$log; \
	exit $$status

# fuzz runs every native fuzz target for FUZZTIME each. Minimization is
# bounded (FUZZMINIMIZE runs per new input): by default Go spends up to a
# minute shrinking each interesting multi-kilobyte transcript, and the
# engine targets then stall for most of their time.
FUZZMINIMIZE ?= 200x
fuzz:
	@found=0; for pkg in $$($(GO) list ./...); do \
		for t in $$($(GO) test -list '^Fuzz' $$pkg 2>/dev/null | grep '^Fuzz'); do \
			found=1; echo "== $$pkg $$t"; \
			$(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZE) $$pkg || exit 1; \
		done; \
	done; \
	[ $$found = 1 ] || { echo "make fuzz: no fuzz targets found"; exit 1; }

# bench runs `tlsengine bench` (every case against crypto/tls and the
# primitive floor), writing the table to bench/results.txt and a bar chart
# of the ratios to bench/ratios.svg. BENCHTIME sets each measurement.
BENCHTIME ?= 1s
bench: build
	./bin/tlsengine bench -time $(BENCHTIME) -svg bench/ratios.svg | tee bench/results.txt

clean:
	rm -rf bin
