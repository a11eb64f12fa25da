# icmpcount - build a static binary that loads its BPF program with raw bpf().
#
#   make                 static ./icmpcount (musl-gcc when installed, else gcc)
#   make CC=... CFLAGS=... LDFLAGS=...   the packager's toolchain and flags
#   make CROSS_COMPILE=aarch64-linux-gnu-   static build/aarch64-linux-gnu/icmpcount
#                        (or arm-linux-gnueabihf-, i686-linux-gnu-; CROSS= too)
#   make NO_CLANG=1      without the program clang compiles from prog.bpf.c
#   make install         PREFIX=/usr/local, DESTDIR for staging
#   make V=1             show the commands
#   make test            unprivileged tests, then (as root) the kernel tests
#   make test-build      the packagers' builds above, for each architecture
#   make chroottest      the README's set-up, run in a fresh Debian root
#   make vmtest          boot it on four architectures (tests/vm/vm.mk)
#
# config.mk chooses and probes the toolchain; each tests/*/*.mk and
# bench/bench.mk adds the targets named in its header.

.DEFAULT_GOAL = all
include config.mk

SRCS = loader.c bpf.c bpf_asm.c tracefs.c caps.c prog.c errors.c compat.c \
       cmdline.c command.c parse.c output.c prog_hand.c prog_clang.c \
       verbose.c check.c disasm.c
OBJS = $(SRCS:%.c=$(BUILD)/%.o)
HDRS = icmpcount.h bpf.h bpf_asm.h bpf_insn.h disasm.h

TEST_SRCS = tests/main.c tests/run.c tests/mountns.c tests/unit.c tests/kern.c \
	    tests/stress.c tests/prom.c tests/docs.c parse.c output.c errors.c \
	    prog_hand.c prog_clang.c bpf_asm.c bpf.c
TEST_HDRS = tests/test.h tests/mountns.h $(HDRS)
TEST_CFLAGS = -O1 -g -Wall -Wextra -Werror $(WARN) -I. \
	      $(if $(HAVE_CLANG),-I$(BUILD),-DNO_CLANG_PROG)

.PHONY: all static test install uninstall clean FORCE
.DELETE_ON_ERROR:

all: $(BIN)

static: $(BIN)

$(BIN): $(OBJS)
	$(call msg,LD,$@)
	$(Q)$(CC) $(ALL_CFLAGS) $(STATIC) $(SMALL_LDFLAGS) $(LDFLAGS) -o $@ $(OBJS)

$(BUILD)/%.o: %.c $(HDRS) $(BUILD)/toolchain
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

# The program in C, when clang can build for BPF: prog.bpf.c becomes
# build/prog.bpf.o, and tools/bpf2h (built for this machine, with our own
# ELF reader, bpfelf.c) turns that into build/prog_clang.h, an instruction
# array that prog_clang.c patches at load time.  Without clang, or with
# NO_CLANG=1, prog_clang.c builds a stand-in that fails with ENOTSUP.  BPF
# bytecode is the same for every target; the UAPI headers are the
# target's, as for the C compiler.
# The programs' sections, each after = the name that prog_clang.c gives it.
BPF_SEC = tracepoint/syscalls/sys_enter_sendto=entry \
	  tracepoint/syscalls/sys_enter_sendto/plain=plain \
	  tracepoint/syscalls/sys_exit_sendto=exit
# The maps prog.bpf.c names, in the order prog_clang.c numbers them.
BPF_MAPS = counts,counts6,pending
# -mcpu=v1: only the instructions every kernel with BPF tracepoint
# programs (4.7) knows; v2 (4.14) or v3 (5.1) would save one instruction.
# -g makes clang emit BTF; llvm-strip -g drops the DWARF, bpf2h reads
# neither.
BPF_CFLAGS = -g -O2 -target bpf -mcpu=v1 -Wall -Wextra -Werror

ifeq ($(HAVE_CLANG),yes)
$(BUILD)/prog.bpf.o: prog.bpf.c $(BUILD)/toolchain
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -isystem $(UAPI) -c -o $@ $<
	$(Q)$(LLVM_STRIP) -g $@

$(BUILD)/bpf2h: tools/bpf2h.c bpfelf.c bpfelf.h bpf_insn.h $(BUILD)/toolchain
	$(call msg,CC,$@)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -o $@ tools/bpf2h.c bpfelf.c

$(BUILD)/prog_clang.h: $(BUILD)/prog.bpf.o $(BUILD)/bpf2h
	$(call msg,GEN,$@)
	$(Q)$(BUILD)/bpf2h $(BUILD)/prog.bpf.o prog_clang $(BPF_MAPS) \
		$(BPF_SEC) > $@

$(BUILD)/prog_clang.o: prog_clang.c $(BUILD)/prog_clang.h $(HDRS) \
		       $(BUILD)/toolchain
	$(call msg,CC,$@)
	$(Q)$(CC) $(ALL_CFLAGS) -I$(BUILD) -c -o $@ $<

# The unit tier checks prog_clang_build() on the generated header.
$(BUILD)/tests: $(BUILD)/prog_clang.h
else
$(BUILD)/prog_clang.o: prog_clang.c $(HDRS) $(BUILD)/toolchain
	$(call msg,CC,$@)
	@echo "  clang for BPF not found: building without the -P clang program"
	$(Q)$(CC) $(ALL_CFLAGS) -DNO_CLANG_PROG -c -o $@ $<
endif

$(BUILD)/tests: $(TEST_SRCS) $(TEST_HDRS) $(BUILD)/toolchain
	$(call msg,CC,$@)
	$(Q)$(HOSTCC) $(TEST_CFLAGS) -o $@ $(TEST_SRCS)

# The 32-bit sender of the --compat cases: tests/vm/vmsend.c, static, for
# this machine's 32-bit ABI, with SENDER32_CC (config.mk); the cases skip
# where that cross gcc is not installed.
ifneq ($(SENDER32_CC),)
$(BUILD)/vmsend32: tests/vm/vmsend.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(BUILD)
	$(Q)$(SENDER32_CC) -O2 -Wall -Wextra -Werror -static -o $@ $<

test: $(BUILD)/vmsend32
endif

# Its native build, for the collisions (vmsend -C) of the same cases.
$(BUILD)/vmsend: tests/vm/vmsend.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(BUILD)
	$(Q)$(HOSTCC) -O2 -Wall -Wextra -Werror -static -o $@ $<

test: $(BUILD)/vmsend

# The disassembler's check first (it needs clang), then the main tiers,
# whose last line is the total.
test: icmpcount $(BUILD)/tests $(if $(HAVE_CLANG),test-disasm)
	$(Q)./$(BUILD)/tests

# install takes what make built, and builds only when nothing is built: a
# packager's `make CC=...`, then `make DESTDIR=... install` with the
# toolchain no longer given, must install the first make's binary.
install: $(if $(wildcard $(BIN)),,$(BIN))
	$(Q)install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(MANDIR)/man8
	$(Q)install -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/sbin/icmpcount
	$(Q)install -m 0644 icmpcount.8 $(DESTDIR)$(MANDIR)/man8/icmpcount.8

uninstall:
	$(Q)rm -f $(DESTDIR)$(PREFIX)/sbin/icmpcount \
		$(DESTDIR)$(MANDIR)/man8/icmpcount.8

clean:
	$(Q)rm -rf $(BUILD) icmpcount

FORCE:

include tests/disasm/disasm.mk tests/build/build.mk tests/chroot/chroot.mk \
	tests/fuzz/fuzz.mk bench/bench.mk
include tests/vm/vm.mk
