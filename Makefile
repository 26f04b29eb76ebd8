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
CFLAGS      ?= -O2 -g
CFLAGS      += -Wall -Wextra -Werror -std=gnu11 -Iinclude -I$(BUILD) -D_GNU_SOURCE
LDLIBS      := -lbpf -lelf -lz -lcares -lm

USER_SRCS   := $(filter-out user/main.c,$(wildcard user/*.c))
USER_OBJS   := $(patsubst user/%.c,$(BUILD)/user/%.o,$(USER_SRCS))
UNIT_SRCS   := $(wildcard tests/unit/test_*.c)
UNIT_BINS   := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(UNIT_SRCS))
BPFT_SRCS   := $(wildcard tests/bpf/test_*.c)
BPFT_BINS   := $(patsubst tests/bpf/%.c,$(BUILD)/tests/bpf/%,$(BPFT_SRCS))
TEST_HELPERS := $(filter-out $(BPFT_SRCS),$(wildcard tests/bpf/*.c))

.PHONY: all clean test test-unit test-bpf test-e2e bench demo deps
all: $(BUILD)/xhop

$(BUILD)/xhop.bpf.o: bpf/xhop.bpf.c bpf/parse.h $(wildcard include/*.h)
	@mkdir -p $(@D)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

# The skeleton is generated, never committed.
$(BUILD)/xhop.skel.h: $(BUILD)/xhop.bpf.o
	$(BPFTOOL) gen skeleton $< name xhop_bpf > $@

$(BUILD)/user/%.o: user/%.c $(wildcard user/*.h) $(wildcard include/*.h) $(BUILD)/xhop.skel.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/xhop: $(BUILD)/user/main.o $(USER_OBJS)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/unit/%: tests/unit/%.c $(USER_OBJS) tests/xhop_test.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Iuser -Itests -o $@ $< $(USER_OBJS) $(LDLIBS)

$(BUILD)/tests/bpf/%: tests/bpf/%.c $(TEST_HELPERS) $(USER_OBJS) tests/xhop_test.h $(BUILD)/xhop.skel.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Iuser -Itests -Itests/bpf -o $@ $< $(TEST_HELPERS) $(USER_OBJS) $(LDLIBS)

test-unit: $(UNIT_BINS)
	@tests/run_suite.sh unit $(UNIT_BINS)

test-bpf: $(BPFT_BINS)
	@tests/run_suite.sh bpf $(BPFT_BINS)

test-e2e: $(BUILD)/xhop
	@tests/run_suite.sh e2e $(wildcard tests/e2e/test_*.sh)

# Every test layer; the last line is the total "N passed, N failed".
test: $(BUILD)/xhop $(UNIT_BINS) $(BPFT_BINS)
	@tests/run_all.sh

bench: $(BUILD)/xhop
	@scripts/bench.sh

demo: $(BUILD)/xhop
	@scripts/demo.sh

deps:
	@scripts/install-deps.sh

clean:
	rm -rf $(BUILD)
