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
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

const char *icmpcount_path = "./icmpcount";

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

int main(int argc, char **argv)
{
	const char *bin = getenv("ICMPCOUNT");
	size_t i;

	if (bin)
		icmpcount_path = bin;
	if (argc == 3 && strncmp(argv[1], "--send", 6) == 0)
		kern_send_main(argv[1], argv[2]);
	if (argc == 2 && strcmp(argv[1], "--update-docs") == 0)
		return update_docs();
	if (argc > 2 || (argc == 2 && select_cases(argv[1]) != 0)) {
		fprintf(stderr, "usage: tests [TIER | TIER:N | TIER:N-M | TEXT]\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);

	for (i = 0; i < ARRAY_SIZE(tiers); i++) {
		if (want_tier && strcmp(want_tier, tiers[i].name) != 0)
			continue;
		tier_now = tiers[i].name;
		index_now = 0;
		if (tiers[i].root && geteuid() != 0)
			test_skip_rest("needs root: run make test as root");
		tiers[i].run();
	}

	printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
	return failed ? 1 : 0;
}
