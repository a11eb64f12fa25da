# tests/build/build.mk - make test-build, included from the Makefile: the
# packagers' builds (CC=, CFLAGS=, LDFLAGS=, then DESTDIR= install;
# CROSS_COMPILE= and CROSS=) for this machine, aarch64, armhf and i386,
# with and without clang, and builds after musl-gcc or clang is installed.
# tests/build/run does them in copies of the tree, checks each binary's
# ELF machine and that it is static, and prints "N passed, N failed".
#
#   make test-build
#
# Needs gcc-aarch64-linux-gnu, gcc-arm-linux-gnueabihf, gcc-i686-linux-gnu,
# libc6-dev-{arm64,armhf,i386}-cross, musl-tools, clang and llvm.

.PHONY: test-build

test-build:
	$(Q)sh tests/build/run
