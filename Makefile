# Build and install wt: `make install` (PREFIX=/usr/local, DESTDIR honoured)
# puts a release binary (on Linux with the Swift runtime linked in), bash,
# zsh and fish completions and a man page under PREFIX; `make uninstall`
# removes exactly those files.

PREFIX ?= /usr/local
DESTDIR ?=
SWIFT ?= swift
SHELL = bash

BINDIR = $(DESTDIR)$(PREFIX)/bin
MAN1DIR = $(DESTDIR)$(PREFIX)/share/man/man1
BASHDIR = $(DESTDIR)$(PREFIX)/share/bash-completion/completions
ZSHDIR = $(DESTDIR)$(PREFIX)/share/zsh/site-functions
FISHDIR = $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
INSTALLED = $(BINDIR)/wt $(MAN1DIR)/wt.1 $(BASHDIR)/wt $(ZSHDIR)/_wt $(FISHDIR)/wt.fish

# Its own scratch folder: the release flags differ from the test build's,
# and sharing .build would rebuild everything whenever one follows the other.
SCRATCH = .build-release
BIN = $(SCRATCH)/release/wt
SHARE = $(SCRATCH)/share

# --disable-sandbox lets the BuildCommit plugin run git on macOS.
BUILDFLAGS = -c release --disable-sandbox --scratch-path $(SCRATCH) --product wt
ifeq ($(shell uname -s),Linux)
# --static-swift-stdlib: the runtime and Foundation are linked in, so wt
# starts without loading 20 shared libraries (hooks run it several times a
# turn) and runs without a Swift toolchain installed. (macOS has them in the
# OS.) Not position-independent: a PIE binary this size spends a third of a
# hook's start-up applying 80,000 relocations. wt is a local command; the
# libraries it loads are still placed at random. (macOS requires PIE.)
BUILDFLAGS += --static-swift-stdlib -Xswiftc -Xclang-linker -Xswiftc -no-pie
endif

.PHONY: all build install uninstall clean test-fast

# `make` builds (the binary, completions, man page): test-fast, written
# first below, must not become the default goal.
.DEFAULT_GOAL := all

# The unit and controller tests (ManifestTests, ReconcilerTests): real git,
# tmux and the scripted agent, but not the built binary, sshd, podman or a real
# agent; every test tagged `e2e`, `ssh`, `podman` or `realAgent` (Tests/TestSupport)
# lives in CLITests. swift test selects by a regular expression over
# `Target.Suite/test()` names, not by tag (Swift 6.3). The whole suite is
# scripts/test.
FAST = '^(ManifestTests|ReconcilerTests)\.'

test-fast:
	$(SWIFT) build --build-tests
	@start=$$(date +%s); $(SWIFT) test --skip-build --filter $(FAST) 2>&1 | grep -vE '^(◇|↳)'; \
	  status=$${PIPESTATUS[0]}; echo "make test-fast: $$(( $$(date +%s) - start ))s of tests (load $$(cut -d' ' -f1 /proc/loadavg 2>/dev/null))"; exit $$status

all: build $(SHARE)/.made

# Always asks SwiftPM, which knows what changed.
build:
	$(SWIFT) build $(BUILDFLAGS)

# Only when missing: `make && sudo make install` must not need swift on
# root's PATH (swiftly installs it for one user).
$(BIN):
	$(SWIFT) build $(BUILDFLAGS)

# The man page comes from argument-parser's generate-manual tool, which
# reads `wt --experimental-dump-help`, so it lists every command there is.
# The tool is built from the checkout SwiftPM already made; its plugin form
# would lock .build, which `swift test` holds while the install test runs.
MANUAL = $(SCRATCH)/tools/debug/generate-manual

$(SHARE)/.made: $(BIN)
	mkdir -p $(SHARE)
	$(BIN) --generate-completion-script bash >$(SHARE)/wt.bash
	$(BIN) --generate-completion-script zsh >$(SHARE)/_wt
	$(BIN) --generate-completion-script fish >$(SHARE)/wt.fish
	$(SWIFT) build --package-path $(SCRATCH)/checkouts/swift-argument-parser --scratch-path $(SCRATCH)/tools --product generate-manual
	$(MANUAL) $(BIN) --output-directory $(SHARE)
	touch $@

install: $(SHARE)/.made
	mkdir -p $(BINDIR) $(MAN1DIR) $(BASHDIR) $(ZSHDIR) $(FISHDIR)
	cp $(BIN) $(BINDIR)/wt
	chmod 755 $(BINDIR)/wt
	cp $(SHARE)/wt.1 $(MAN1DIR)/wt.1
	cp $(SHARE)/wt.bash $(BASHDIR)/wt
	cp $(SHARE)/_wt $(ZSHDIR)/_wt
	cp $(SHARE)/wt.fish $(FISHDIR)/wt.fish
	chmod 644 $(MAN1DIR)/wt.1 $(BASHDIR)/wt $(ZSHDIR)/_wt $(FISHDIR)/wt.fish

uninstall:
	rm -f $(INSTALLED)

clean:
	rm -rf $(SCRATCH)
