// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - runs icmpcount's tests: the unprivileged tier (encodings,
 * parsers, output, options) and then, as root, the kernel tier (real loads,
 * real traffic on loopback).  Usage: tests [N | N-M] to run case N, or cases
 * N to M.  Exits 0 when no case failed, 1 otherwise.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/sendfile.h>
#include <sys/stat.h>

#include "test.h"

const char *icmpcount_path = "./icmpcount";
char test_self[PATH_MAX];
char test_reference[PATH_MAX];
char test_shared_reference[PATH_MAX];
static char copies[] = "/tmp/icmpcount-tests-XXXXXX";
static char icmpcount_copy[PATH_MAX];

static int passed, failed, skipped;
static int index_now, first = 1, last = 1 << 30;
static const char *current, *skip_reason;
static int in_case;

int test_start(const char *name)
{
	index_now++;
	current = name;
	if (index_now < first || index_now > last)
		return 0;
	if (skip_reason) {
		in_case = 1;
		test_skip("%s", skip_reason);
		return 0;
	}
	in_case = 1;
	return 1;
}

static void end_case(const char *verdict)
{
	printf("#%d %s %s\n", index_now, current, verdict);
	fflush(stdout);
	in_case = 0;
}

void test_pass(void)
{
	if (!in_case)
		return;
	passed++;
	end_case("OK");
}

static void vfail(const char *fmt, va_list ap)
{
	if (!in_case)
		return;
	failed++;
	end_case("FAIL");
	vprintf(fmt, ap);
	if (*fmt && fmt[strlen(fmt) - 1] != '\n')
		putchar('\n');
	fflush(stdout);
}

void test_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(fmt, ap);
	va_end(ap);
}

void test_check(int ok, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		test_pass();
		return;
	}
	va_start(ap, fmt);
	vfail(fmt, ap);
	va_end(ap);
}

void test_skip(const char *fmt, ...)
{
	char why[512];
	va_list ap;

	if (!in_case)
		return;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	skipped++;
	printf("#%d %s SKIP: %s\n", index_now, current, why);
	fflush(stdout);
	in_case = 0;
}

void test_skip_rest(const char *why)
{
	skip_reason = why;
}

/* Copies src to dir/name with mode 0755; 0, or -1. */
static int copy_exec(const char *src, const char *dir, const char *name,
		     char *dst, size_t size)
{
	struct stat st;
	int in, out, ok;

	if ((size_t)snprintf(dst, size, "%s/%s", dir, name) >= size)
		return -1;
	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -1;
	out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
	ok = out >= 0 && fstat(in, &st) == 0 &&
	     sendfile(out, in, NULL, (size_t)st.st_size) == st.st_size &&
	     fchmod(out, 0755) == 0;
	close(in);
	if (out >= 0)
		close(out);
	return ok ? 0 : -1;
}

/*
 * Paths, settled before any case runs: the kernel tier moves to a mount
 * namespace of its own, after which /proc/self/exe can name a path of the
 * first namespace (in a chroot, the host's).  The binaries that run as
 * another user (nobody) are copied to a directory anyone can read, since
 * the checkout may live under a 0700 home.  The reference scripts are the
 * tests' own (tests/reference), ICMPCOUNT_REFERENCE overriding; the ones
 * in ../shared/reference (or ICMPCOUNT_SHARED_REFERENCE) are an extra
 * cross-check where they exist.
 */
static void settle_paths(void)
{
	const char *bin = getenv("ICMPCOUNT");
	const char *ref = getenv("ICMPCOUNT_REFERENCE");
	const char *shared = getenv("ICMPCOUNT_SHARED_REFERENCE");
	char exe[PATH_MAX], path[PATH_MAX], *slash;
	ssize_t n;

	if (bin)
		icmpcount_path = bin;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	snprintf(test_self, sizeof(test_self), "%s", exe);
	if (!realpath(ref ? ref : "tests/reference", test_reference))
		snprintf(test_reference, sizeof(test_reference), "%s",
			 ref ? ref : "tests/reference");
	if (!realpath(shared ? shared : "../shared/reference",
		      test_shared_reference))
		test_shared_reference[0] = '\0';

	if (!mkdtemp(copies) || chmod(copies, 0755) != 0) {
		copies[0] = '\0';
		return;
	}
	if (exe[0] && copy_exec(exe, copies, "tests", test_self,
				sizeof(test_self)) != 0)
		snprintf(test_self, sizeof(test_self), "%s", exe);
	/* The 32-bit sender the --compat cases find beside this binary. */
	slash = strrchr(exe, '/');
	if (slash && (size_t)(slash - exe) + sizeof("/vmsend32") <= sizeof(exe)) {
		snprintf(slash, sizeof(exe) - (size_t)(slash - exe), "/vmsend32");
		if (access(exe, X_OK) == 0)
			copy_exec(exe, copies, "vmsend32", path, sizeof(path));
	}
	if (copy_exec(icmpcount_path, copies, "icmpcount", icmpcount_copy,
		      sizeof(icmpcount_copy)) == 0)
		icmpcount_path = icmpcount_copy;
}

static void remove_copies(void)
{
	char path[PATH_MAX];

	if (!copies[0])
		return;
	snprintf(path, sizeof(path), "%s/tests", copies);
	unlink(path);
	snprintf(path, sizeof(path), "%s/icmpcount", copies);
	unlink(path);
	snprintf(path, sizeof(path), "%s/vmsend32", copies);
	unlink(path);
	rmdir(copies);
}

int main(int argc, char **argv)
{
	int code;

	if (argc == 3 && strncmp(argv[1], "--send", 6) == 0)
		kern_send_main(argv[1], argv[2]);
	if (argc > 2 || (argc == 2 && sscanf(argv[1], "%d-%d", &first, &last) < 1)) {
		fprintf(stderr, "usage: tests [N | N-M]\n");
		return 2;
	}
	if (argc == 2 && !strchr(argv[1], '-'))
		last = first;
	setvbuf(stdout, NULL, _IOLBF, 0);
	settle_paths();

	run_unit_tests();
	if (geteuid() != 0)
		test_skip_rest("needs root: run make test as root");
	run_kern_tests();
	run_stress_tests();
	run_prom_tests();

	remove_copies();
	code = failed ? 1 : 0;
	printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
	return code;
}
