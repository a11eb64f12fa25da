# config.mk - the toolchain, chosen and probed in one place, included first
# by the Makefile.  Everything given on the command line or in the
# environment wins: CC, CFLAGS, CPPFLAGS, LDFLAGS, CROSS_COMPILE, CLANG,
# LLVM_STRIP, HOSTCC, NO_CLANG=1.
#
# The choice is written to $(BUILD)/toolchain, rewritten only when it
# changes; every object depends on it, so a new compiler or new flags (or
# musl-gcc or clang installed since the last build) rebuild what they
# touch.  tools/probe then asks that toolchain, once, what it can do
# ($(BUILD)/probed.mk) and links the target's UAPI headers into
# $(BUILD)/uapi.

VERSION     = 0.1
PREFIX     ?= /usr/local
MANDIR     ?= $(PREFIX)/share/man
DESTDIR    ?=
CLANG      ?= clang
LLVM_STRIP ?= llvm-strip
# -Os: icmpcount goes to small systems, and nothing it does in user space
# is bound by the CPU (start-up is system calls; the work is in the kernel).
# -Werror for us; a packager's CFLAGS replace all three.
CFLAGS     ?= -Os -g -Werror
LDFLAGS    ?=
CPPFLAGS   ?=
# The tests, bpf2h and the bench run on the build machine, with its libc.
HOSTCC     ?= cc

# The cross prefix as the kernel spells it; CROSS is this project's older
# name for it.  A cross build keeps its objects and binary in build/TRIPLET.
CROSS_COMPILE ?= $(CROSS)

# Without CC given, musl-gcc where it is installed (for a cross build, the
# target's, from Debian's musl-dev:ARCH: aarch64-linux-musl-gcc,
# arm-linux-musleabihf-gcc, i386-linux-musl-gcc), else gcc.  Looked up in
# PATH by make itself, so that installing musl-tools changes the choice.
PATH_DIRS  = $(subst :, ,$(PATH))
MUSL_GCC   = $(patsubst i%86-linux-musl-gcc,i386-linux-musl-gcc,$(if \
	     $(CROSS_COMPILE),$(subst -gnu,-musl,$(CROSS_COMPILE))gcc,musl-gcc))
ifeq ($(origin CC),default)
CC := $(if $(wildcard $(addsuffix /$(MUSL_GCC),$(PATH_DIRS))),$(MUSL_GCC),$(if \
      $(CROSS_COMPILE),$(CROSS_COMPILE)gcc,cc))
endif

ifeq ($(CROSS_COMPILE),)
BUILD = build
BIN   = icmpcount
else
BUILD = build/$(patsubst %-,%,$(CROSS_COMPILE))
BIN   = $(BUILD)/icmpcount
endif
UAPI  = $(BUILD)/uapi

# What the build depends on, one line: the compiler, its flags, and which
# clang and llvm-strip are found (none, until they are installed).
TOOLCHAIN = CC=$(CC) CPPFLAGS=$(CPPFLAGS) CFLAGS=$(CFLAGS) \
	    LDFLAGS=$(LDFLAGS) CROSS_COMPILE=$(CROSS_COMPILE) HOSTCC=$(HOSTCC) \
	    CLANG=$(CLANG) $(firstword $(wildcard $(addsuffix /$(CLANG),$(PATH_DIRS)))) \
	    LLVM_STRIP=$(LLVM_STRIP) \
	    $(firstword $(wildcard $(addsuffix /$(LLVM_STRIP),$(PATH_DIRS)))) \
	    NO_CLANG=$(NO_CLANG) VERSION=$(VERSION)

$(BUILD)/toolchain: FORCE
	@mkdir -p $(@D)
	@printf '%s\n' '$(subst ','\'',$(TOOLCHAIN))' >$@.new
	@if cmp -s $@ $@.new; then rm $@.new; else mv $@.new $@; fi

$(BUILD)/probed.mk: $(BUILD)/toolchain tools/probe
	$(call msg,PROBE,$(CC))
	$(Q)CC='$(CC)' CFLAGS='$(CFLAGS)' LDFLAGS='$(LDFLAGS)' \
		CLANG='$(CLANG)' LLVM_STRIP='$(LLVM_STRIP)' HOSTCC='$(HOSTCC)' \
		NO_CLANG='$(NO_CLANG)' sh tools/probe $(UAPI) >$@.new && mv $@.new $@

# STATIC, SMALL_LDFLAGS, HAVE_CLANG, UAPI_LINUX, UAPI_ASM, HOST_ARCH.
# make clean needs none of it.
ifneq ($(MAKECMDGOALS),clean)
include $(BUILD)/probed.mk
endif

# The cross gcc of this machine's 32-bit ABI (i386 on x86_64, armhf on
# arm64), for the tests' 32-bit sender and the bench's 32-bit load; empty
# where it is not installed.
SENDER32_GCC = $(if $(filter -D__x86_64__,$(HOST_ARCH)),i686-linux-gnu-gcc,$(if \
	       $(filter -D__aarch64__,$(HOST_ARCH)),arm-linux-gnueabihf-gcc))
SENDER32_CC  = $(if $(SENDER32_GCC),$(if $(wildcard $(addsuffix \
	       /$(SENDER32_GCC),$(PATH_DIRS))),$(SENDER32_GCC)))

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-5s %s\n' $(1) $(2);
endif

# Our warnings and hardening come first, so that the user's CPPFLAGS and
# CFLAGS, after them, win where they differ; _FORTIFY_SOURCE only if the
# user's flags do not set it already.
WARN   = -Wstrict-prototypes -Wmissing-prototypes -Wshadow -Wpointer-arith \
	 -Wcast-qual
HARDEN = $(if $(findstring _FORTIFY_SOURCE,$(CPPFLAGS) $(CFLAGS)),,\
	 -D_FORTIFY_SOURCE=2) -fstack-protector-strong
# Size: each function in a section of its own, so the linker drops what
# nothing calls; no unwind tables, which C without exceptions does not use;
# and (SMALL_LDFLAGS) one segment for code and read-only data.
SMALL  = -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables
ALL_CFLAGS = -Wall -Wextra $(WARN) $(HARDEN) $(SMALL) \
	     $(if $(filter -static-pie,$(STATIC)),-fPIE) \
	     -DVERSION='"$(VERSION)"' -isystem $(UAPI) $(CPPFLAGS) $(CFLAGS)
HOST_CFLAGS = -O2 -Wall -Wextra -Werror $(WARN) -I.
