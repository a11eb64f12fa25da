# icmpcount - build a static binary that loads its BPF program with raw bpf().
#
#   make                 static ./icmpcount (musl-gcc when installed, else cc -static)
#   make CC=musl-gcc     pick the compiler yourself
#   make test            unprivileged tests, then (as root) the kernel tests
#   make install         PREFIX=/usr/local, DESTDIR for staging
#   make V=1             show the commands
#
# The kernel UAPI headers (linux/bpf.h, linux/perf_event.h) come from
# linux-libc-dev.  musl-gcc does not look in /usr/include, so for it we make
# a directory holding only linux/, asm/ and asm-generic/ and pass it -isystem.

VERSION     = 0.1
CLANG      ?= clang
LLVM_STRIP ?= llvm-strip
CFLAGS     ?= -O2 -g -Wall -Wextra -Werror
LDFLAGS    ?=
PREFIX     ?= /usr/local
DESTDIR    ?=
# The tests run on the build machine, with its own libc.
HOSTCC     ?= cc

ifeq ($(origin CC),default)
CC := $(if $(shell command -v musl-gcc 2>/dev/null),musl-gcc,cc)
endif

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-5s %s\n' $(1) $(2);
endif

BUILD  = build
WARN   = -Wstrict-prototypes -Wmissing-prototypes -Wshadow -Wpointer-arith \
	 -Wcast-qual
HARDEN = -D_FORTIFY_SOURCE=2 -fstack-protector-strong
MULTIARCH := $(shell $(CC) -dumpmachine 2>/dev/null)
UAPI   = $(BUILD)/uapi
ALL_CFLAGS = $(CFLAGS) $(WARN) $(HARDEN) -DVERSION='"$(VERSION)"' \
	     -isystem $(UAPI) -DNO_CLANG_PROG

# A static PIE where the toolchain links one, else a plain static binary.
# Debian's musl-gcc specs turn -static-pie into a dynamic PIE, so not there.
ifeq ($(findstring musl,$(CC)),musl)
STATIC = -static
else
STATIC := $(shell printf 'int main(void){return 0;}' | \
	    $(CC) -static-pie -fPIE -x c -o /dev/null - 2>/dev/null && \
	    echo -static-pie || echo -static)
endif
ifeq ($(STATIC),-static-pie)
ALL_CFLAGS += -fPIE
endif

SRCS = loader.c parse.c output.c prog_hand.c prog_clang.c verbose.c check.c disasm.c
OBJS = $(SRCS:%.c=$(BUILD)/%.o)
HDRS = icmpcount.h bpf_insn.h disasm.h

TEST_SRCS = tests/main.c tests/unit.c tests/kern.c parse.c output.c prog_hand.c
TEST_HDRS = tests/test.h $(HDRS)
TEST_CFLAGS = -O1 -g -Wall -Wextra -Werror $(WARN) -I.

.PHONY: all static test install uninstall clean
.DELETE_ON_ERROR:

all: icmpcount

static: icmpcount

icmpcount: $(OBJS)
	$(call msg,LD,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $(STATIC) $(LDFLAGS) -o $@ $(OBJS)

$(BUILD)/%.o: %.c $(HDRS) | $(UAPI)
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

# linux/ and asm-generic/ are arch-independent; asm/ is per architecture.
$(UAPI):
	$(Q)mkdir -p $@
	$(Q)ln -sfn /usr/include/linux $@/linux
	$(Q)ln -sfn /usr/include/asm-generic $@/asm-generic
	$(Q)if [ -d /usr/include/$(MULTIARCH)/asm ]; then \
		ln -sfn /usr/include/$(MULTIARCH)/asm $@/asm; \
	else \
		ln -sfn /usr/include/asm $@/asm; \
	fi

$(BUILD)/tests: $(TEST_SRCS) $(TEST_HDRS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(BUILD)
	$(Q)$(HOSTCC) $(TEST_CFLAGS) -o $@ $(TEST_SRCS)

test: icmpcount $(BUILD)/tests
	$(Q)./$(BUILD)/tests

install: icmpcount
	$(Q)install -d $(DESTDIR)$(PREFIX)/sbin
	$(Q)install -m 0755 icmpcount $(DESTDIR)$(PREFIX)/sbin/icmpcount

uninstall:
	$(Q)rm -f $(DESTDIR)$(PREFIX)/sbin/icmpcount

clean:
	$(Q)rm -rf $(BUILD) icmpcount
