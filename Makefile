# tlsengine — build, test and run.
#
#   make demo    build, start `tlsengine serve`, connect to it, stop it
#   make test    install the interop peers if missing, vet, run every test
#
GO       ?= go
FUZZTIME ?= 30s
SUDO     := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all build deps test demo fuzz bench clean

all: build

build:
	$(GO) build ./...
	$(GO) build -o bin/tlsengine ./cmd/tlsengine

# deps installs the real peers the interop tests run: openssl, gnutls-cli
# and node. Only what is missing is installed.
deps:
	@missing=""; \
	command -v openssl    >/dev/null 2>&1 || missing="$$missing openssl"; \
	command -v gnutls-cli >/dev/null 2>&1 || missing="$$missing gnutls-bin"; \
	command -v node       >/dev/null 2>&1 || missing="$$missing nodejs"; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

test: deps
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 9m ./...
	$(GO) test -race -count=1 -timeout 5m ./api/... ./engine/... ./cmd/...

demo: build
	@log=$$(mktemp); ./bin/tlsengine serve -addr 127.0.0.1:8443 >$$log 2>&1 & pid=$$!; \
	trap "kill $$pid 2>/dev/null; rm -f $$log" EXIT; \
	for i in $$(seq 50); do grep -q '^listening' $$log && break; sleep 0.1; done; \
	cat $$log; \
	echo "hello over TLS" | ./bin/tlsengine connect 127.0.0.1:8443 -insecure

fuzz:
	@for pkg in $$($(GO) list ./... ); do \
		for t in $$($(GO) test -list 'Fuzz.*' $$pkg 2>/dev/null | grep '^Fuzz'); do \
			echo "== $$pkg $$t"; $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
		done; \
	done

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

clean:
	rm -rf bin
