/* SPDX-License-Identifier: GPL-2.0 */
/*
 * test.h - the table-driven test runner's reporting.
 *
 * Every case calls test_start() with its name; when that returns 1 the case
 * runs and ends in exactly one of test_pass(), test_fail() or test_skip().
 * Each prints one line, "#N name OK|FAIL|SKIP: why", and main() ends with
 * "N passed, N failed, N skipped".  test_fail() takes the EXP:/RES: lines.
 */
#ifndef ICMPCOUNT_TEST_H
#define ICMPCOUNT_TEST_H

#include <stddef.h>

int test_start(const char *name);
void test_pass(void);
void test_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void test_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Ends the current case from its outcome: ok != 0 passes, else fails. */
void test_check(int ok, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Marks every case that follows as skipped, for this reason (NULL: none). */
void test_skip_rest(const char *why);

/* The tiers, each a set of tables. */
void run_unit_tests(void);
void run_kern_tests(void);
/* `tests --send... ARG`: the senders the run cases start with -c. */
void kern_send_main(const char *mode, const char *arg)
	__attribute__((noreturn));

/* The directory of the icmpcount binary under test (default "."). */
extern const char *icmpcount_path;

#endif /* ICMPCOUNT_TEST_H */
