# tests/vm/vm.mk - make vmtest, included from the Makefile: the kernel
# matrix.  The static icmpcount for x86_64, arm64, armhf and i386, each
# booted in qemu (TCG) on Debian's own kernels (bullseye 5.10, bookworm
# 6.1, trixie 6.12 and trixie's 6.12 PREEMPT_RT) with an initramfs that
# holds only busybox, icmpcount, tests/vm/vmsend and tests/vm/init (and on
# the 64-bit kernels, the 32-bit busybox, icmpcount and vmsend too).
# tests/vm/run fetches and caches the kernels and busybox in build/vm/cache
# (tests/vm/fetch), boots the VMs two at a time and prints one line per
# kernel and architecture, then "N passed, N failed".  tests/vm/README.md
# says what each VM checks.
#
#   make vmtest                              the whole matrix (12 VMs)
#   make vmtest VM_KERNELS=bullseye-5.10     some kernels
#   make vmtest VM_ARCHES="arm64 i386"       some architectures
#   make vmtest VM_TIMEOUT=900               seconds each VM may take (480)
#   make vmtest VM_JOBS=1                    VMs at once (2)
#
# Needs gcc-aarch64-linux-gnu, gcc-arm-linux-gnueabihf, gcc-i686-linux-gnu,
# libc6-dev-{arm64,armhf,i386}-cross, qemu-system-x86, qemu-system-arm,
# cpio, curl, gpgv and debian-archive-keyring.

VM_KERNELS ?= bullseye-5.10 bookworm-6.1 trixie-6.12 trixie-6.12-rt
VM_ARCHES  ?= x86_64 arm64 armhf i386
VM_TIMEOUT ?= 480
VM_JOBS    ?= 2
VM_DIR      = build/vm
VMSEND_CFLAGS = -O2 -Wall -Wextra -Werror $(WARN) -static

# The cross prefix of each architecture; x86_64 is this machine's.
$(VM_DIR)/x86_64/%: VM_CROSS =
$(VM_DIR)/arm64/%: VM_CROSS = aarch64-linux-gnu-
$(VM_DIR)/armhf/%: VM_CROSS = arm-linux-gnueabihf-
$(VM_DIR)/i386/%: VM_CROSS = i686-linux-gnu-

.PHONY: vmtest FORCE

# The 64-bit VMs also hold the 32-bit icmpcount and vmsend of their family
# (i386's in x86_64 VMs, armhf's in arm64 VMs) for the --compat cases.
VM_BUILDS = $(sort $(VM_ARCHES) $(if $(filter x86_64,$(VM_ARCHES)),i386) \
		   $(if $(filter arm64,$(VM_ARCHES)),armhf))

vmtest: $(VM_BUILDS:%=$(VM_DIR)/%/icmpcount) $(VM_BUILDS:%=$(VM_DIR)/%/vmsend)
	$(Q)VM_KERNELS="$(VM_KERNELS)" VM_ARCHES="$(VM_ARCHES)" \
		VM_TIMEOUT=$(VM_TIMEOUT) VM_JOBS=$(VM_JOBS) tests/vm/run

# icmpcount as `make CROSS=...` builds it (a make of its own, since CROSS
# picks the compiler and the build directory), stripped as it would ship.
$(VM_DIR)/%/icmpcount: FORCE
	$(Q)mkdir -p $(@D)
	$(Q)$(MAKE) --no-print-directory CROSS=$(VM_CROSS) all
	$(call msg,STRIP,$@)
	$(Q)$(VM_CROSS)strip -o $@ \
		$(if $(VM_CROSS),build/$(VM_CROSS:-=)/icmpcount,icmpcount)

# The sender, with the target's glibc as busybox-static has, so that its
# sendto() goes the way busybox ping's does (socketcall() on i386).
$(VM_DIR)/%/vmsend: tests/vm/vmsend.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(VM_CROSS)gcc $(VMSEND_CFLAGS) -o $@ $<
	$(Q)$(VM_CROSS)strip $@

FORCE:
