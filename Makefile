# SPDX-License-Identifier: GPL-2.0
# xhop: build the BPF object, its skeleton, the xhop binary and the tests.

ARCH        := $(shell uname -m)
BUILD       := build
CLANG       ?= clang
BPFTOOL     ?= bpftool
CC          ?= gcc

# Debian keeps asm/types.h under the multiarch directory, which
# clang -target bpf does not search by itself.
BPF_CFLAGS  := -g -O2 -target bpf -Wall -Werror -Iinclude -I/usr/include/$(ARCH)-linux-gnu
# CPPFLAGS and LDFLAGS, empty here, carry dpkg-buildflags' hardening
# into the package's build (debian/rules)
CFLAGS      ?= -O2 -g
CFLAGS      += -Wall -Wextra -Werror -std=gnu11 -Iinclude -Iuser -I$(BUILD) -D_GNU_SOURCE
# every object names the headers it was built from (build/**/*.d)
DEPFLAGS    := -MMD -MP
LDLIBS      := -lbpf -lxdp -lelf -lz -lcares -lmaxminddb -lm -lncurses -lmicrohttpd -lcurl -pthread

# user/ is in folders by layer; a header is included by its path below
# user/ ("send/sender.h"), so -Iuser is all any file needs
USER_SRCS   := $(filter-out user/main.c,$(sort $(shell find user -name '*.c')))
USER_OBJS   := $(patsubst user/%.c,$(BUILD)/user/%.o,$(USER_SRCS))
UNIT_SRCS   := $(wildcard tests/unit/test_*.c)
UNIT_BINS   := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(UNIT_SRCS))
BPFT_SRCS   := $(wildcard tests/bpf/test_*.c)
BPFT_BINS   := $(patsubst tests/bpf/%.c,$(BUILD)/tests/bpf/%,$(BPFT_SRCS))
# testkit/: what tests/ and bench/ both build from (reply frames of
# routers, a counting far end), so neither compiles the other's files
TEST_HELPERS := $(filter-out $(BPFT_SRCS),$(wildcard tests/bpf/*.c)) testkit/pkt.c
# Generated skeletons: the receiver/stamper and the probe generator
SKELS       := $(BUILD)/xhop.skel.h $(BUILD)/xhop_gen.skel.h

# Sanitizer and fuzzing builds keep their own trees, so the normal
# objects in $(BUILD) are never rebuilt with other flags. They share the
# skeleton in $(BUILD) (-I$(BUILD) is in CFLAGS): it is generated from
# the BPF object, which no userspace sanitizer touches.
ASAN_BUILD  := build-asan
SAN_FLAGS   := -fsanitize=address,undefined -fno-omit-frame-pointer
ASAN_CFLAGS := $(CFLAGS) -O1 $(SAN_FLAGS)
ASAN_OBJS   := $(patsubst user/%.c,$(ASAN_BUILD)/user/%.o,$(USER_SRCS))
ASAN_UNIT   := $(patsubst tests/unit/%.c,$(ASAN_BUILD)/tests/unit/%,$(UNIT_SRCS))
ASAN_BPFT   := $(patsubst tests/bpf/%.c,$(ASAN_BUILD)/tests/bpf/%,$(BPFT_SRCS))

# libFuzzer targets: clang only. The user objects get the fuzzer's
# coverage hooks (fuzzer-no-link); libFuzzer's main() comes at link time.
FUZZ_BUILD  := build-fuzz
FUZZ_SAN    := address,undefined
# -fno-sanitize-recover: a UBSan report is a crash libFuzzer keeps
FUZZ_CFLAGS := -g -O1 -Wall -Wextra -Werror -std=gnu11 -Iinclude -Iuser -I$(BUILD) -D_GNU_SOURCE \
	       -fno-omit-frame-pointer -fno-sanitize-recover=all
FUZZ_SRCS   := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS   := $(patsubst tests/fuzz/%.c,$(FUZZ_BUILD)/%,$(FUZZ_SRCS))
FUZZ_OBJS   := $(patsubst user/%.c,$(FUZZ_BUILD)/user/%.o,$(USER_SRCS))
FUZZ_TIME   ?= 20
# Reached only through pattern rules: keep them, or make deletes them
.SECONDARY: $(ASAN_OBJS) $(FUZZ_OBJS)

.PHONY: all clean test test-build test-unit test-bpf test-e2e test-dist bench demo deps
.PHONY: test-asan test-e2e-asan test-valgrind cppcheck fuzz-user fuzz-build
all: $(BUILD)/xhop $(BUILD)/xhop-sim $(BUILD)/sim_pass.bpf.o

$(BUILD)/xhop.bpf.o: bpf/xhop.bpf.c bpf/parse.h bpf/gen.h $(wildcard include/*.h)
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

# The skeleton is generated, never committed.
$(BUILD)/xhop.skel.h: $(BUILD)/xhop.bpf.o
	$(BPFTOOL) gen skeleton $< name xhop_bpf > $@

$(BUILD)/xhop_gen.bpf.o: bpf/xhop_gen.bpf.c bpf/gen.h $(wildcard include/*.h)
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/xhop_gen.skel.h: $(BUILD)/xhop_gen.bpf.o
	$(BPFTOOL) gen skeleton $< name xhop_gen_bpf > $@

$(BUILD)/user/%.o: user/%.c $(SKELS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(DEPFLAGS) -c $< -o $@

$(BUILD)/xhop: $(BUILD)/user/main.o $(USER_OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/unit/%: tests/unit/%.c $(USER_OBJS) tests/xhop_test.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Iuser -Itests -Itestkit -o $@ $< $(USER_OBJS) $(LDLIBS)

$(BUILD)/tests/bpf/%: tests/bpf/%.c $(TEST_HELPERS) $(USER_OBJS) tests/xhop_test.h $(SKELS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Iuser -Itests -Itestkit -o $@ $< $(TEST_HELPERS) $(USER_OBJS) $(LDLIBS)

# The same sources with ASan + UBSan (gcc runtime)
$(ASAN_BUILD)/user/%.o: user/%.c $(SKELS)
	@mkdir -p $(@D)
	$(CC) $(ASAN_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(ASAN_BUILD)/xhop: $(ASAN_BUILD)/user/main.o $(ASAN_OBJS)
	$(CC) $(ASAN_CFLAGS) -o $@ $^ $(LDLIBS)

# test_rx is its runner plus the parts of tests/bpf/rx/, one per concern
RX_PARTS    := $(wildcard tests/bpf/rx/*.c)
$(BUILD)/tests/bpf/test_rx: tests/bpf/test_rx.c $(RX_PARTS) $(TEST_HELPERS) $(USER_OBJS) \
		tests/xhop_test.h tests/subtest.h $(SKELS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Iuser -Itests -Itests/bpf -Itests/bpf/rx -Itestkit -o $@ $< $(RX_PARTS) \
		$(TEST_HELPERS) $(USER_OBJS) $(LDLIBS)

$(ASAN_BUILD)/tests/unit/%: tests/unit/%.c $(ASAN_OBJS) tests/xhop_test.h
	@mkdir -p $(@D)
	$(CC) $(ASAN_CFLAGS) -Iuser -Itests -Itestkit -o $@ $< $(ASAN_OBJS) $(LDLIBS)

# The packet builders of testkit/ cast wire headers at their Ethernet
# offsets (an IP header at byte 14 is 2 mod 4): fine on x86 but UB that
# UBSan's alignment check reports. Only these test sources skip that one
# check; the user objects they link keep it.
$(ASAN_BUILD)/tests/bpf/%: tests/bpf/%.c $(TEST_HELPERS) $(ASAN_OBJS) tests/xhop_test.h $(SKELS)
	@mkdir -p $(@D)
	$(CC) $(ASAN_CFLAGS) -fno-sanitize=alignment -Iuser -Itests -Itestkit -o $@ $< $(TEST_HELPERS) $(ASAN_OBJS) $(LDLIBS)

$(ASAN_BUILD)/tests/bpf/test_rx: tests/bpf/test_rx.c $(RX_PARTS) $(TEST_HELPERS) $(ASAN_OBJS) \
		tests/xhop_test.h tests/subtest.h $(SKELS)
	@mkdir -p $(@D)
	$(CC) $(ASAN_CFLAGS) -fno-sanitize=alignment -Iuser -Itests -Itests/bpf -Itests/bpf/rx \
		-Itestkit -o $@ $< $(RX_PARTS) $(TEST_HELPERS) $(ASAN_OBJS) $(LDLIBS)

$(FUZZ_BUILD)/user/%.o: user/%.c $(SKELS)
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_CFLAGS) $(DEPFLAGS) -fsanitize=fuzzer-no-link,$(FUZZ_SAN) -c $< -o $@

$(FUZZ_BUILD)/%: tests/fuzz/%.c tests/fuzz/fuzz.h $(FUZZ_OBJS)
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer,$(FUZZ_SAN) -Iuser -Itests/fuzz -o $@ $< \
		$(FUZZ_OBJS) $(LDLIBS)

test-unit: $(UNIT_BINS)
	@tests/run_suite.sh unit $(UNIT_BINS)

test-bpf: $(BPFT_BINS)
	@tests/run_suite.sh bpf $(BPFT_BINS)

E2E_BINS    := $(BUILD)/tests/e2e/gen_e2e $(BUILD)/tests/e2e/seccomp_run $(BUILD)/xhop-sim \
	       $(BUILD)/sim_pass.bpf.o

test-e2e: $(BUILD)/xhop $(E2E_BINS)
	@tests/run_suite.sh e2e $(wildcard tests/e2e/test_*.sh)

# What make install and the Debian package ship, checked without root:
# man page, bash completion, install/uninstall, alert rules, dashboard
test-dist: $(BUILD)/xhop
	@tests/run_suite.sh dist $(wildcard tests/dist/test_*.sh)

# Unit and BPF tests under ASan + UBSan; any report is a failure
test-asan: $(ASAN_BUILD)/xhop $(ASAN_UNIT) $(ASAN_BPFT)
	@tests/unit/asan.sh asan $(ASAN_UNIT) $(ASAN_BPFT)

# The end-to-end traces with build-asan/xhop: the engine, loader and
# resolver under ASan + UBSan with real packets. Not in `make test` (it
# doubles the e2e time); xhop's reports go to files, since its stderr is
# the test's to judge, and any file is a failure.
test-e2e-asan: $(ASAN_BUILD)/xhop
	@rm -rf $(ASAN_BUILD)/e2e-reports && mkdir -p $(ASAN_BUILD)/e2e-reports
	@XHOP=$(CURDIR)/$(ASAN_BUILD)/xhop \
	 ASAN_OPTIONS=detect_leaks=1:log_path=$(CURDIR)/$(ASAN_BUILD)/e2e-reports/asan \
	 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:log_path=$(CURDIR)/$(ASAN_BUILD)/e2e-reports/ubsan \
	 tests/run_suite.sh e2e-asan $(wildcard tests/e2e/test_*.sh); rc=$$?; \
	 if [ -n "$$(ls $(ASAN_BUILD)/e2e-reports)" ]; then \
		cat $(ASAN_BUILD)/e2e-reports/*; echo "e2e-asan: sanitizer reports above"; exit 1; \
	 fi; exit $$rc

# The threaded code's unit tests under ThreadSanitizer: the send queue's
# hand-over between the planner and the sending thread, and the
# ClickHouse sink's between the engine and its delivery thread
TSAN_BUILD  := build-tsan
TSAN_TESTS  := $(TSAN_BUILD)/tests/unit/test_txq $(TSAN_BUILD)/tests/unit/test_clickhouse
$(TSAN_BUILD)/tests/unit/test_txq: tests/unit/test_txq.c user/send/txq.c user/net/addr.c user/core/log.c | $(BUILD)/xhop
	@mkdir -p $(@D)
	$(CC) -g -O1 -fsanitize=thread -Wall -Wextra -Werror -std=gnu11 -D_GNU_SOURCE -Iinclude \
		-I$(BUILD) -Iuser -Itests -o $@ $^ -pthread

$(TSAN_BUILD)/tests/unit/test_clickhouse: tests/unit/test_clickhouse.c user/sink/ch_deliver.c \
		user/sink/ch_rows.c user/sink/ch_schema.c user/sink/json.c user/net/addr.c \
		user/core/log.c user/core/reply.c | $(BUILD)/xhop
	@mkdir -p $(@D)
	$(CC) -g -O1 -fsanitize=thread -Wall -Wextra -Werror -std=gnu11 -D_GNU_SOURCE -Iinclude \
		-I$(BUILD) -Iuser -Itests -o $@ $^ -pthread

test-tsan: $(TSAN_TESTS)
	@TSAN_OPTIONS=halt_on_error=1:exitcode=66 tests/run_suite.sh tsan $(TSAN_TESTS)

# Unit tests under memcheck (the plain -O2 binaries)
test-valgrind: $(UNIT_BINS)
	@tests/unit/valgrind.sh $(UNIT_BINS)

cppcheck:
	@tests/unit/cppcheck.sh

fuzz-build: $(FUZZ_BINS)

# Each target for FUZZ_TIME seconds from its seeds; crashes land in
# $(FUZZ_BUILD)/crash-* (make fuzz-user FUZZ_TIME=600 for a longer run)
fuzz-user: $(FUZZ_BINS)
	@tests/fuzz/run_fuzz.sh -max_total_time=$(FUZZ_TIME)

# Every test layer; the last line is the total "N passed, N failed".
# everything make test runs, built without running it
test-build: $(BUILD)/xhop $(E2E_BINS) $(UNIT_BINS) $(BPFT_BINS) $(ASAN_BUILD)/xhop $(ASAN_UNIT) \
	$(ASAN_BPFT) $(FUZZ_BINS) $(TSAN_TESTS)

test: test-build
	@tests/run_all.sh

bench: $(BUILD)/xhop $(BUILD)/bench/xdp_cost $(BUILD)/bench/send_rate \
	$(BUILD)/bench/flood $(BUILD)/bench/trace_out $(BUILD)/xhop-sim $(BUILD)/sim_pass.bpf.o
	@scripts/bench.sh

# this checkout's speed against a base revision's (BASE_REV=..., default
# the merge-base with main), interleaved in one run; it builds both itself
.PHONY: bench-compare
bench-compare:
	@scripts/bench_compare.sh $(BASE_REV)

demo: $(BUILD)/xhop
	@scripts/demo.sh

deps:
	@scripts/install-deps.sh

# --- make install / uninstall ------------------------------------------------
# PREFIX (default /usr/local) and DESTDIR as GNU make's conventions have
# them; with PREFIX=/usr the configuration goes to /etc and the unit to
# /lib/systemd/system (Debian 12's places), else both below PREFIX.
PREFIX      ?= /usr/local
BINDIR      ?= $(PREFIX)/bin
MANDIR      ?= $(PREFIX)/share/man
DATADIR     ?= $(PREFIX)/share/xhop
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ifeq ($(PREFIX),/usr)
SYSCONFDIR  ?= /etc
UNITDIR     ?= /lib/systemd/system
else
SYSCONFDIR  ?= $(PREFIX)/etc
UNITDIR     ?= $(PREFIX)/lib/systemd/system
endif
INSTALL     ?= install
# the paths the unit and its configuration name, as installed
SUBST_PATHS  = sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g'
# installed files, SOURCE:DESTINATION (below DESTDIR); a .in source has
# its @BINDIR@ and @SYSCONFDIR@ replaced as it is installed
DATA_FILES   = man/xhop.8:$(MANDIR)/man8/xhop.8 \
	       dist/bash-completion/xhop:$(BASHCOMPDIR)/xhop \
	       dist/prometheus/xhop.rules.yml:$(DATADIR)/prometheus/xhop.rules.yml \
	       dist/grafana/xhop-dashboard.json:$(DATADIR)/grafana/xhop-dashboard.json \
	       dist/systemd/xhop-monitor.service.in:$(UNITDIR)/xhop-monitor.service
# the configuration: installed where absent, removed where unchanged
CONF_FILES   = dist/etc/monitor.conf.in:$(SYSCONFDIR)/xhop/monitor.conf \
	       dist/etc/targets:$(SYSCONFDIR)/xhop/targets
# emit SRC: its text as installed
emit         = case $(1) in *.in) $(SUBST_PATHS) $(1);; *) cat $(1);; esac

.PHONY: install uninstall
install: $(BUILD)/xhop
	$(INSTALL) -D -m 0755 $(BUILD)/xhop $(DESTDIR)$(BINDIR)/xhop
	@set -e; for f in $(DATA_FILES) $(CONF_FILES); do \
		src=$${f%%:*}; dst="$(DESTDIR)$${f#*:}"; \
		case " $(CONF_FILES) " in *" $$f "*) \
			if [ -e "$$dst" ]; then echo "keeping $$dst"; continue; fi;; esac; \
		echo "install -m 0644 $$src $$dst"; \
		mkdir -p "$$(dirname "$$dst")"; \
		$(call emit,$$src) > "$$dst.tmp"; chmod 0644 "$$dst.tmp"; mv "$$dst.tmp" "$$dst"; \
	done

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/xhop
	@set -e; for f in $(DATA_FILES); do echo "rm -f $(DESTDIR)$${f#*:}"; rm -f "$(DESTDIR)$${f#*:}"; done
	@set -e; for f in $(CONF_FILES); do \
		src=$${f%%:*}; dst="$(DESTDIR)$${f#*:}"; \
		if [ ! -e "$$dst" ]; then continue; fi; \
		if $(call emit,$$src) | cmp -s - "$$dst"; then echo "rm -f $$dst"; rm -f "$$dst"; \
		else echo "keeping $$dst (changed)"; fi; \
	done
	-@rmdir $(DESTDIR)$(DATADIR)/prometheus $(DESTDIR)$(DATADIR)/grafana $(DESTDIR)$(DATADIR) \
		$(DESTDIR)$(SYSCONFDIR)/xhop 2>/dev/null || true

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD) $(TSAN_BUILD)

# the headers each object was built from, as the compiler listed them
-include $(shell find $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD) -name '*.d' 2>/dev/null)

# xhop-sim (bench/sim/): the simulated Internet's XDP responder and its
# truth, one topology header compiled into both; built, never installed
SIM_SRCS    := bench/sim/main.c bench/sim/sim_attach.c bench/sim/sim_truth.c
SIM_HDRS    := $(wildcard bench/sim/*.h)

$(BUILD)/sim.bpf.o: bench/sim/sim.bpf.c $(SIM_HDRS) include/xhop_proto.h
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -Ibench/sim -c $< -o $@

$(BUILD)/sim_pass.bpf.o: bench/sim/sim_pass.bpf.c
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/sim.skel.h: $(BUILD)/sim.bpf.o
	$(BPFTOOL) gen skeleton $< name sim_bpf > $@

$(BUILD)/xhop-sim: $(SIM_SRCS) $(SIM_HDRS) $(BUILD)/sim.skel.h
	$(CC) $(CFLAGS) -Ibench/sim -o $@ $(SIM_SRCS) -lbpf -lelf -lz

# the topology's unit test and the responder's BPF test build with the
# simulator's truth module, which user/ does not have
$(BUILD)/tests/unit/test_sim_topo: tests/unit/test_sim_topo.c bench/sim/sim_truth.c $(SIM_HDRS) \
		tests/xhop_test.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Ibench/sim -Itests -o $@ $< bench/sim/sim_truth.c

$(BUILD)/tests/bpf/test_sim: tests/bpf/test_sim.c bench/sim/sim_truth.c $(SIM_HDRS) $(TEST_HELPERS) \
		$(USER_OBJS) tests/xhop_test.h $(BUILD)/sim.skel.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Ibench/sim -Itests -Itestkit -o $@ $< bench/sim/sim_truth.c $(TEST_HELPERS) \
		$(USER_OBJS) $(LDLIBS)

$(ASAN_BUILD)/tests/bpf/test_sim: tests/bpf/test_sim.c bench/sim/sim_truth.c $(SIM_HDRS) \
		$(TEST_HELPERS) $(ASAN_OBJS) tests/xhop_test.h $(BUILD)/sim.skel.h
	@mkdir -p $(@D)
	$(CC) $(ASAN_CFLAGS) -fno-sanitize=alignment -Ibench/sim -Itests -Itestkit -o $@ $< \
		bench/sim/sim_truth.c $(TEST_HELPERS) $(ASAN_OBJS) $(LDLIBS)

$(ASAN_BUILD)/tests/unit/test_sim_topo: tests/unit/test_sim_topo.c bench/sim/sim_truth.c \
		$(SIM_HDRS) tests/xhop_test.h
	@mkdir -p $(@D)
	$(CC) $(ASAN_CFLAGS) -Ibench/sim -Itests -o $@ $< bench/sim/sim_truth.c

# The benchmark's and the e2e test's BPF programs: a counting far end,
# and the bare live-frames sender the generator is measured against
$(BUILD)/%.bpf.o: bench/%.bpf.c
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/%.bpf.o: testkit/%.bpf.c
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BUILD)/xdp_count.skel.h: $(BUILD)/xdp_count.bpf.o
	$(BPFTOOL) gen skeleton $< name xdp_count_bpf > $@

$(BUILD)/send_bare.skel.h: $(BUILD)/send_bare.bpf.o
	$(BPFTOOL) gen skeleton $< name send_bare_bpf > $@

$(BUILD)/xdp_floor.skel.h: $(BUILD)/xdp_floor.bpf.o
	$(BPFTOOL) gen skeleton $< name xdp_floor_bpf > $@

BENCH_SKELS := $(BUILD)/xdp_count.skel.h $(BUILD)/send_bare.skel.h

$(BUILD)/bench/send_rate: bench/send_rate.c bench/bare_send.c bench/bare_send.h bench/rounds.c \
		bench/rounds.h testkit/peer_count.c \
		testkit/peer_count.h $(USER_OBJS) $(SKELS) $(BENCH_SKELS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Iuser -Ibench -Itestkit -o $@ bench/send_rate.c bench/bare_send.c \
		bench/rounds.c testkit/peer_count.c \
		$(USER_OBJS) $(LDLIBS) -lpthread

# The lab's ceiling from whichever bare sender the kernel allows (live
# frames, else AF_XDP, else AF_PACKET): scripts/bench_scan.sh
$(BUILD)/bench/flood: bench/flood.c bench/bare_send.c bench/bare_send.h bench/rounds.c \
		bench/rounds.h $(USER_OBJS) $(SKELS) \
		$(BENCH_SKELS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Iuser -Ibench -o $@ bench/flood.c bench/bare_send.c bench/rounds.c \
		$(USER_OBJS) $(LDLIBS)

# A trace's cost to write, JSON against warts: scripts/bench_warts.sh
$(BUILD)/bench/trace_out: bench/trace_out.c testkit/trace_synth.h $(USER_OBJS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Iuser -Itestkit -o $@ bench/trace_out.c $(USER_OBJS) $(LDLIBS)

# Runs a command with BPF test runs or AF_XDP/AF_PACKET sockets refused
# (seccomp), so the e2e tests walk the sender ladder on any kernel
$(BUILD)/tests/e2e/seccomp_run: tests/e2e/seccomp_run.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $<

$(BUILD)/tests/e2e/gen_e2e: tests/e2e/gen_e2e.c testkit/peer_count.c testkit/peer_count.h \
		$(USER_OBJS) $(SKELS) $(BUILD)/xdp_count.skel.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Iuser -Itestkit -o $@ tests/e2e/gen_e2e.c testkit/peer_count.c $(USER_OBJS) \
		$(LDLIBS)

$(BUILD)/bench/xdp_cost: bench/xdp_cost.c testkit/pkt.c $(USER_OBJS) $(SKELS) $(BUILD)/xdp_floor.skel.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Iuser -Itestkit -o $@ bench/xdp_cost.c testkit/pkt.c $(USER_OBJS) $(LDLIBS)

# The BPF fuzz harness at ten times the packets of make test
.PHONY: fuzz
fuzz: $(BUILD)/tests/bpf/test_fuzz
	XHOP_FUZZ_COUNT=10000000 $<

# A tc egress generator that multiplies one trigger with bpf_clone_redirect,
# against AF_XDP copy (bench/clone_rate.c); root, namespaces of its own:
#   build/bench/clone_rate [SECONDS [ROUNDS [ONLY]]]
$(BUILD)/clone_send.bpf.o: bench/clone_send.h

$(BUILD)/clone_send.skel.h: $(BUILD)/clone_send.bpf.o
	$(BPFTOOL) gen skeleton $< name clone_send_bpf > $@

$(BUILD)/bench/clone_rate: bench/clone_rate.c bench/clone_send.h bench/bare_send.c bench/bare_send.h \
		bench/rounds.c bench/rounds.h \
		testkit/peer_count.c testkit/peer_count.h $(USER_OBJS) $(SKELS) $(BENCH_SKELS) \
		$(BUILD)/clone_send.skel.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Iuser -Ibench -Itestkit -o $@ bench/clone_rate.c bench/bare_send.c bench/rounds.c \
		testkit/peer_count.c $(USER_OBJS) $(LDLIBS)
