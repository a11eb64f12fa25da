// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - runs icmpcount's tests: the unprivileged tier (encodings,
 * parsers, output, options) and then, as root, the kernel tier (real loads,
 * real traffic on loopback).  Usage: tests [N | N-M] to run case N, or cases
 * N to M.  Exits 0 when no case failed, 1 otherwise.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test.h"

const char *icmpcount_path = "./icmpcount";

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

int main(int argc, char **argv)
{
	const char *bin = getenv("ICMPCOUNT");

	if (bin)
		icmpcount_path = bin;
	if (argc == 3 && strncmp(argv[1], "--send", 6) == 0)
		kern_send_main(argv[1], argv[2]);
	if (argc == 2 && strcmp(argv[1], "--update-docs") == 0)
		return update_docs();
	if (argc > 2 || (argc == 2 && sscanf(argv[1], "%d-%d", &first, &last) < 1)) {
		fprintf(stderr, "usage: tests [N | N-M]\n");
		return 2;
	}
	if (argc == 2 && !strchr(argv[1], '-'))
		last = first;
	setvbuf(stdout, NULL, _IOLBF, 0);

	run_unit_tests();
	if (geteuid() != 0)
		test_skip_rest("needs root: run make test as root");
	run_kern_tests();
	run_stress_tests();
	run_prom_tests();
	run_docs_tests();

	printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
	return failed ? 1 : 0;
}
