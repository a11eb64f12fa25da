# tests/chroot/chroot.mk - make chroottest, included from the Makefile: the
# README's two set-up commands, as written, in a fresh Debian 12 minbase
# root (debootstrap, cached as build/chroot/minbase.tar) holding a clone of
# this checkout's HEAD commit.  tests/chroot/run says how, and prints
# "N passed, N failed".
#
#   make chroottest
#   make chroottest CHROOT_TRACE_SECS=10   how long the first command traces
#
# Needs root, debootstrap, git, ping, and the network to the host's Debian
# mirror.

CHROOT_TRACE_SECS ?= 5

.PHONY: chroottest

chroottest:
	$(Q)CHROOT_TRACE_SECS=$(CHROOT_TRACE_SECS) bash tests/chroot/run
