# icmpcount - build a static binary that loads its BPF program with raw bpf().
#
#   make                 static ./icmpcount (musl-gcc when installed, else cc -static)
#   make CC=musl-gcc     pick the compiler yourself
#   make test            unprivileged tests, then (as root) the kernel tests
#   make install         PREFIX=/usr/local, DESTDIR for staging
#   make V=1             show the commands
#   make CROSS=aarch64-linux-gnu-   static build/aarch64-linux-gnu/icmpcount
#                        (or arm-linux-gnueabihf-, i686-linux-gnu-)
#   make vmtest          boot it on four architectures (tests/vm/vm.mk)
#
# The kernel UAPI headers (linux/bpf.h, linux/perf_event.h) come from
# linux-libc-dev.  musl-gcc does not look in /usr/include, so for it we make
# a directory holding only linux/, asm/ and asm-generic/ and pass it -isystem.

VERSION     = 0.1
CLANG      ?= clang
LLVM_STRIP ?= llvm-strip
LLVM_MC    ?= llvm-mc
LLVM_OBJDUMP ?= llvm-objdump
# -Os: icmpcount goes to small systems, and nothing it does in user space
# is bound by the CPU (start-up is system calls; the work is in the kernel).
CFLAGS     ?= -Os -g -Wall -Wextra -Werror
LDFLAGS    ?=
PREFIX     ?= /usr/local
MANDIR     ?= $(PREFIX)/share/man
DESTDIR    ?=
# The tests run on the build machine, with its own libc.
HOSTCC     ?= cc

# CROSS, a prefix such as aarch64-linux-gnu-: Debian's musl-dev:ARCH gives
# the target its own musl-gcc, named for the cross gcc's multiarch triplet
# with musl for gnu (aarch64-linux-musl-gcc, arm-linux-musleabihf-gcc,
# i386-linux-musl-gcc); without it, the cross gcc and its glibc.
ifeq ($(origin CC),default)
ifeq ($(CROSS),)
CC := $(if $(shell command -v musl-gcc 2>/dev/null),musl-gcc,cc)
else
CROSS_MUSL := $(subst -gnu,-musl,$(shell $(CROSS)gcc -print-multiarch 2>/dev/null))-gcc
CC := $(if $(shell command -v $(CROSS_MUSL) 2>/dev/null),$(CROSS_MUSL),$(CROSS)gcc)
endif
endif

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-5s %s\n' $(1) $(2);
endif

# A cross build keeps its objects, UAPI links and binary in build/TRIPLET
# and takes the UAPI headers from the cross toolchain's /usr/TRIPLET/include
# (linux-libc-dev-ARCH-cross).  The BPF program and tools/bpf2h are still
# built by this machine's clang and HOSTCC: BPF bytecode is the same.
ifeq ($(CROSS),)
BUILD  = build
BIN    = icmpcount
UAPI_INC = /usr/include
else
BUILD  = build/$(patsubst %-,%,$(CROSS))
BIN    = $(BUILD)/icmpcount
UAPI_INC = /usr/$(patsubst %-,%,$(CROSS))/include
endif
WARN   = -Wstrict-prototypes -Wmissing-prototypes -Wshadow -Wpointer-arith \
	 -Wcast-qual
HARDEN = -D_FORTIFY_SOURCE=2 -fstack-protector-strong
MULTIARCH := $(shell $(CC) -dumpmachine 2>/dev/null)
UAPI   = $(BUILD)/uapi
# Size: each function in a section of its own, so the linker drops what
# nothing calls; no unwind tables, which C without exceptions does not use;
# and one segment for code and read-only data, not a page-aligned one each.
SMALL  = -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables
SMALL_LDFLAGS := -Wl,--gc-sections $(shell printf 'int main(void){return 0;}' | \
		 $(CC) -Wl,-z,noseparate-code -x c -o /dev/null - 2>/dev/null && \
		 echo -Wl,-z,noseparate-code)
ALL_CFLAGS = $(CFLAGS) $(WARN) $(HARDEN) $(SMALL) -DVERSION='"$(VERSION)"' \
	     -isystem $(UAPI)

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

SRCS = loader.c bpf.c bpf_asm.c tracefs.c caps.c prog.c errors.c compat.c \
       cmdline.c command.c \
       parse.c output.c prog_hand.c prog_clang.c \
       verbose.c check.c disasm.c
OBJS = $(SRCS:%.c=$(BUILD)/%.o)
HDRS = icmpcount.h bpf.h bpf_asm.h bpf_insn.h disasm.h

TEST_SRCS = tests/main.c tests/run.c tests/unit.c tests/kern.c tests/stress.c \
	    tests/prom.c tests/docs.c parse.c output.c errors.c prog_hand.c bpf_asm.c \
	    bpf.c
TEST_HDRS = tests/test.h $(HDRS)
TEST_CFLAGS = -O1 -g -Wall -Wextra -Werror $(WARN) -I.

.PHONY: all static test test-disasm vmtest install uninstall clean
.DELETE_ON_ERROR:

all: $(BIN)

static: $(BIN)

$(BIN): $(OBJS)
	$(call msg,LD,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $(STATIC) $(SMALL_LDFLAGS) $(LDFLAGS) -o $@ $(OBJS)

# The program in C, when clang can build for BPF: prog.bpf.c becomes
# build/prog.bpf.o, and tools/bpf2h (built for this machine, with our own
# ELF reader, bpfelf.c) turns that into build/prog_clang.h, an instruction
# array that prog_clang.c patches at load time.  Without clang, or with
# NO_CLANG=1, prog_clang.c builds a stand-in that fails with ENOTSUP.
ifeq ($(NO_CLANG),)
HAVE_CLANG := $(shell $(CLANG) -target bpf -x c -c -o /dev/null /dev/null \
		2>/dev/null && echo yes)
endif
HOST_CFLAGS = -O2 -Wall -Wextra -Werror $(WARN) -I.
# The programs' sections, each after = the name that prog_clang.c gives it.
BPF_SEC = tracepoint/syscalls/sys_enter_sendto=entry \
	  tracepoint/syscalls/sys_enter_sendto/plain=plain \
	  tracepoint/syscalls/sys_exit_sendto=exit
# -mcpu=v1: only the instructions every kernel with BPF tracepoint
# programs (4.7) knows; v2 (4.14) or v3 (5.1) would save one instruction.
# -g makes clang emit BTF; llvm-strip -g drops the DWARF, bpf2h reads
# neither.
BPF_CFLAGS = -g -O2 -target bpf -mcpu=v1 -Wall -Wextra -Werror

ifeq ($(HAVE_CLANG),yes)
# The maps prog.bpf.c names, in the order prog_clang.c numbers them.
BPF_MAPS = counts,counts6,pending

$(BUILD)/prog.bpf.o: prog.bpf.c | $(UAPI)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -isystem $(UAPI) -c -o $@ $<
	$(Q)$(LLVM_STRIP) -g $@

$(BUILD)/bpf2h: tools/bpf2h.c bpfelf.c bpfelf.h bpf_insn.h | $(UAPI)
	$(call msg,CC,$@)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -o $@ tools/bpf2h.c bpfelf.c

$(BUILD)/prog_clang.h: $(BUILD)/prog.bpf.o $(BUILD)/bpf2h
	$(call msg,GEN,$@)
	$(Q)$(BUILD)/bpf2h $(BUILD)/prog.bpf.o prog_clang $(BPF_MAPS) \
		$(BPF_SEC) > $@

$(BUILD)/prog_clang.o: prog_clang.c $(BUILD)/prog_clang.h $(HDRS) | $(UAPI)
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -I$(BUILD) -c -o $@ $<

# The unit tier checks prog_clang_build() on the generated header.
TEST_SRCS += prog_clang.c
TEST_CFLAGS += -I$(BUILD)
$(BUILD)/tests: $(BUILD)/prog_clang.h
else
$(BUILD)/prog_clang.o: prog_clang.c $(HDRS) | $(UAPI)
	$(call msg,CC,$@)
	@echo "  clang for BPF not found: building without the -P clang program"
	$(Q)$(CC) $(ALL_CFLAGS) -DNO_CLANG_PROG -c -o $@ $<

TEST_SRCS += prog_clang.c
TEST_CFLAGS += -DNO_CLANG_PROG
endif

$(BUILD)/%.o: %.c $(HDRS) | $(UAPI)
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

# linux/ and asm-generic/ are arch-independent; asm/ is per architecture.
$(UAPI):
	$(Q)mkdir -p $@
	$(Q)ln -sfn $(UAPI_INC)/linux $@/linux
	$(Q)ln -sfn $(UAPI_INC)/asm-generic $@/asm-generic
	$(Q)if [ -d $(UAPI_INC)/$(MULTIARCH)/asm ]; then \
		ln -sfn $(UAPI_INC)/$(MULTIARCH)/asm $@/asm; \
	else \
		ln -sfn $(UAPI_INC)/asm $@/asm; \
	fi

$(BUILD)/tests: $(TEST_SRCS) $(TEST_HDRS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(BUILD)
	$(Q)$(HOSTCC) $(TEST_CFLAGS) -o $@ $(TEST_SRCS)

# The 32-bit sender of the --compat cases: tests/vm/vmsend.c, static, for
# this machine's 32-bit ABI (i386 on x86_64, armhf on arm64), when its
# cross gcc is installed; the cases skip without it.
SENDER32_CC = $(if $(filter x86_64,$(shell uname -m)),i686-linux-gnu-gcc,\
	      $(if $(filter aarch64,$(shell uname -m)),arm-linux-gnueabihf-gcc))
ifneq ($(SENDER32_CC),)
ifneq ($(shell command -v $(SENDER32_CC) 2>/dev/null),)
$(BUILD)/vmsend32: tests/vm/vmsend.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(BUILD)
	$(Q)$(SENDER32_CC) -O2 -Wall -Wextra -Werror -static -o $@ $<
test: $(BUILD)/vmsend32
endif
endif

# disasm_check holds disasm.c's text against llvm-objdump's, on objects
# clang and llvm-mc make; it skips itself when LLVM 14 is not there.
DISASM_DIR  = $(BUILD)/disasm
DISASM_OBJS = $(DISASM_DIR)/kinds-v1.o $(DISASM_DIR)/kinds-v2.o \
	      $(DISASM_DIR)/kinds-v3.o $(DISASM_DIR)/kinds-v2-alu32.o \
	      $(DISASM_DIR)/hand.o

# 32-bit atomics need alu32: v3 has it, v2 gets it as a target feature.
$(DISASM_DIR)/kinds-v1.o: DISASM_CPU = -mcpu=v1
$(DISASM_DIR)/kinds-v2.o: DISASM_CPU = -mcpu=v2
$(DISASM_DIR)/kinds-v3.o: DISASM_CPU = -mcpu=v3 -DHAVE_ALU32
$(DISASM_DIR)/kinds-v2-alu32.o: DISASM_CPU = -mcpu=v2 -DHAVE_ALU32 \
	-Xclang -target-feature -Xclang +alu32

$(DISASM_DIR)/kinds-%.o: tests/disasm/kinds.bpf.c
	$(call msg,CLANG,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) -O2 -g -target bpf $(DISASM_CPU) -c -o $@ $<

$(DISASM_DIR)/hand.o: tests/disasm/hand.s
	$(call msg,MC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(LLVM_MC) -triple bpfel -filetype=obj -o $@ $<

$(BUILD)/disasm_check: tests/disasm_check.c disasm.c disasm.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(BUILD)
	$(Q)$(HOSTCC) $(TEST_CFLAGS) -o $@ tests/disasm_check.c disasm.c

# The fixed objects, then 100000 random instructions (-f writes fuzz.o).
test-disasm: $(BUILD)/disasm_check $(DISASM_OBJS)
	$(Q)LLVM_OBJDUMP=$(LLVM_OBJDUMP) ./$(BUILD)/disasm_check $(DISASM_OBJS)
	$(Q)LLVM_OBJDUMP=$(LLVM_OBJDUMP) ./$(BUILD)/disasm_check \
		-f 100000 $(DISASM_DIR)/fuzz.o

# The disassembler's check first (it needs clang), then the main tiers,
# whose last line is the total.
test: icmpcount $(BUILD)/tests $(if $(HAVE_CLANG),test-disasm)
	$(Q)./$(BUILD)/tests

install: $(BIN)
	$(Q)install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(MANDIR)/man8
	$(Q)install -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/sbin/icmpcount
	$(Q)install -m 0644 icmpcount.8 $(DESTDIR)$(MANDIR)/man8/icmpcount.8

uninstall:
	$(Q)rm -f $(DESTDIR)$(PREFIX)/sbin/icmpcount \
		$(DESTDIR)$(MANDIR)/man8/icmpcount.8

clean:
	$(Q)rm -rf $(BUILD) icmpcount

include tests/vm/vm.mk

include bench/bench.mk
include tests/fuzz/fuzz.mk
