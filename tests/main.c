// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - runs icmpcount's tests: the unprivileged tier (encodings,
 * parsers, output, options) and then, as root, the kernel tier (real loads,
 * real traffic on loopback), the stress tier, the Prometheus tier and the
 * transcripts of the docs.  Each tier numbers its own cases, so a case's
 * address, TIER:N, stays when another tier grows.  Usage:
 *	tests			every case
 *	tests TIER		one tier (unit, kern, stress, prom, docs)
 *	tests TIER:N[-M]	case N of a tier, or cases N to M
 *	tests TEXT		the cases whose name holds TEXT
 * Exits 0 when no case failed, 1 otherwise, 2 on a usage error.
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

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

const char *icmpcount_path = "./icmpcount";
char test_self[PATH_MAX];
char test_reference[PATH_MAX];
char test_shared_reference[PATH_MAX];
static char copies[] = "/tmp/icmpcount-tests-XXXXXX";
static char icmpcount_copy[PATH_MAX];

static int passed, failed, skipped;
static int index_now, first = 1, last = 1 << 30;
static const char *current, *skip_reason, *tier_now;
static const char *want_tier, *want_text;	/* the selection */
static int in_case;

static const struct {
	const char *name;
	void (*run)(void);
	int root;		/* the tier needs root */
} tiers[] = {
	{ "unit", run_unit_tests, 0 },
	{ "kern", run_kern_tests, 1 },
	{ "stress", run_stress_tests, 1 },
	{ "prom", run_prom_tests, 1 },
	{ "docs", run_docs_tests, 1 },
};

int test_start(const char *name)
{
	index_now++;
	current = name;
	if ((want_tier && strcmp(want_tier, tier_now) != 0) ||
	    index_now < first || index_now > last ||
	    (want_text && !strstr(name, want_text)))
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
	printf("#%s:%d %s %s\n", tier_now, index_now, current, verdict);
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
	printf("#%s:%d %s SKIP: %s\n", tier_now, index_now, current, why);
	fflush(stdout);
	in_case = 0;
}

void test_skip_rest(const char *why)
{
	skip_reason = why;
}

/* TIER, TIER:N, TIER:N-M, or text to find in the cases' names. */
static int select_cases(const char *arg)
{
	static char tier[16];
	const char *colon = strchr(arg, ':');
	size_t i, len = colon ? (size_t)(colon - arg) : strlen(arg);

	for (i = 0; i < ARRAY_SIZE(tiers); i++)
		if (strlen(tiers[i].name) == len &&
		    strncmp(tiers[i].name, arg, len) == 0)
			break;
	if (i == ARRAY_SIZE(tiers)) {
		want_text = arg;
		return 0;
	}
	snprintf(tier, sizeof(tier), "%s", tiers[i].name);
	want_tier = tier;
	if (!colon)
		return 0;
	if (sscanf(colon + 1, "%d-%d", &first, &last) < 1 || first < 1)
		return -1;
	if (!strchr(colon + 1, '-'))
		last = first;
	return 0;
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
/* The senders built beside the test binary: 32-bit, and native. */
static const char *const companions[] = { "vmsend32", "vmsend" };

static void settle_paths(void)
{
	const char *bin = getenv("ICMPCOUNT");
	const char *ref = getenv("ICMPCOUNT_REFERENCE");
	const char *shared = getenv("ICMPCOUNT_SHARED_REFERENCE");
	char exe[PATH_MAX], path[PATH_MAX], *slash;
	size_t i;
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
	/* The senders the --compat cases find beside this binary. */
	slash = strrchr(exe, '/');
	for (i = 0; slash && i < ARRAY_SIZE(companions); i++) {
		snprintf(slash, sizeof(exe) - (size_t)(slash - exe), "/%s",
			 companions[i]);
		if (access(exe, X_OK) == 0)
			copy_exec(exe, copies, companions[i], path, sizeof(path));
	}
	if (copy_exec(icmpcount_path, copies, "icmpcount", icmpcount_copy,
		      sizeof(icmpcount_copy)) == 0)
		icmpcount_path = icmpcount_copy;
}

static void remove_copies(void)
{
	char path[PATH_MAX];
	size_t i;

	if (!copies[0])
		return;
	snprintf(path, sizeof(path), "%s/tests", copies);
	unlink(path);
	snprintf(path, sizeof(path), "%s/icmpcount", copies);
	unlink(path);
	for (i = 0; i < ARRAY_SIZE(companions); i++) {
		snprintf(path, sizeof(path), "%s/%s", copies, companions[i]);
		unlink(path);
	}
	rmdir(copies);
}

int main(int argc, char **argv)
{
	size_t i;
	int code;

	if (argc == 3 && strncmp(argv[1], "--send", 6) == 0)
		kern_send_main(argv[1], argv[2]);
	if (argc == 2 && strcmp(argv[1], "--update-docs") == 0) {
		settle_paths();
		code = update_docs();
		remove_copies();
		return code;
	}
	if (argc > 2 || (argc == 2 && select_cases(argv[1]) != 0)) {
		fprintf(stderr, "usage: tests [TIER | TIER:N | TIER:N-M | TEXT]\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	settle_paths();

	for (i = 0; i < ARRAY_SIZE(tiers); i++) {
		if (want_tier && strcmp(want_tier, tiers[i].name) != 0)
			continue;
		tier_now = tiers[i].name;
		index_now = 0;
		if (tiers[i].root && geteuid() != 0)
			test_skip_rest("needs root: run make test as root");
		tiers[i].run();
	}

	remove_copies();
	code = failed ? 1 : 0;
	printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
	return code;
}
