# tests/chroot/chroot.mk - make chroottest, included from the Makefile: the
# README's two set-up commands, as written, in a fresh Debian 12 minbase
# root (debootstrap, cached as build/chroot/minbase.tar) holding a clone of
# this checkout's HEAD commit.  tests/chroot/run says how, and prints
# "N passed, N failed".
#
#   make chroottest
#   make chroottest CHROOT_TRACE_SECS=10   how long the first command traces
#   make chroottest CHROOT_SELF_BIND=0     "/" not a mount point in the root
#
# Needs root, debootstrap, git, ping, and the network to the host's Debian
# mirror.

CHROOT_TRACE_SECS ?= 5
CHROOT_SELF_BIND  ?= 1

.PHONY: chroottest

chroottest:
	$(Q)CHROOT_TRACE_SECS=$(CHROOT_TRACE_SECS) \
		CHROOT_SELF_BIND=$(CHROOT_SELF_BIND) bash tests/chroot/run
