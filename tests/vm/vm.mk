# tests/vm/vm.mk - make vmtest, included from the Makefile: the static
# icmpcount for x86_64, arm64, armhf and i386, each run in a qemu VM (TCG)
# with Debian's kernel for that architecture and an initramfs that holds
# only busybox, icmpcount, tests/vm/vmsend and tests/vm/init.  tests/vm/run
# fetches and caches the kernels and busybox in build/vm/cache, boots the
# VMs and prints one line per architecture, then "N passed, N failed".
#
#   make vmtest                    all four
#   make vmtest VM_ARCHES=arm64    some of them
#   make vmtest VM_TIMEOUT=600     seconds each VM may take (default 300)
#
# Needs gcc-aarch64-linux-gnu, gcc-arm-linux-gnueabihf, gcc-i686-linux-gnu,
# libc6-dev-{arm64,armhf,i386}-cross, qemu-system-x86, qemu-system-arm,
# cpio, and root the first time, to add the architectures to apt.

VM_ARCHES ?= x86_64 arm64 armhf i386
VM_DIR     = build/vm
VMSEND_CFLAGS = -O2 -Wall -Wextra -Werror $(WARN) -static

# The cross prefix of each architecture; x86_64 is this machine's.
$(VM_DIR)/x86_64/%: VM_CROSS =
$(VM_DIR)/arm64/%: VM_CROSS = aarch64-linux-gnu-
$(VM_DIR)/armhf/%: VM_CROSS = arm-linux-gnueabihf-
$(VM_DIR)/i386/%: VM_CROSS = i686-linux-gnu-

.PHONY: vmtest FORCE

vmtest: $(VM_ARCHES:%=$(VM_DIR)/%/icmpcount) $(VM_ARCHES:%=$(VM_DIR)/%/vmsend)
	$(Q)VM_TIMEOUT=$(VM_TIMEOUT) tests/vm/run $(VM_ARCHES)

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
