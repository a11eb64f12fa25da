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
#include <sys/types.h>
#include <linux/bpf.h>

#include "mountns.h"

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
void run_stress_tests(void);	/* stress.c: load, faults, random traffic */
void run_prom_tests(void);	/* prom.c: node_exporter and Prometheus */
void run_docs_tests(void);	/* docs.c: the transcripts of the docs */
int update_docs(void);		/* docs.c: tests --update-docs */
/* `tests --send... ARG`: the senders the run cases start with -c. */
void kern_send_main(const char *mode, const char *arg)
	__attribute__((noreturn));

/*
 * The icmpcount binary under test (default "./icmpcount", or $ICMPCOUNT)
 * and this binary, each as a copy in a directory anyone can read; the
 * directories of the reference scripts (ours, and ../shared/reference's
 * or "" where there is none).  main() settles them before any case runs.
 */
extern const char *icmpcount_path;
extern char test_self[];
extern char test_reference[];
extern char test_shared_reference[];

/* run.c: tracers as child processes. */
#define OUT_MAX		(64 * 1024)

/*
 * A traced run: a tracer (icmpcount or bpftrace) started with its stdout
 * and stderr on pipes, read until it says it is tracing, stopped later.
 */
struct run {
	pid_t pid;
	int out_fd, err_fd;
	char out[OUT_MAX], err[OUT_MAX];
	size_t out_len, err_len;
	int status;		/* from waitpid */
	int timed_out;
	int resend;		/* bpftrace: see run_finish() */
};

enum run_flags {
	RUN_NO_TRACEFS = 1 << 0,	/* unmount tracefs first, in a namespace of its own */
	RUN_NOBODY = 1 << 1,		/* run as uid/gid 65534 with no capabilities */
};

double now(void);
int run_start(struct run *r, const char *const argv[], int flags);
int run_read(struct run *r, int timeout_ms);
int run_wait_tracing(struct run *r, double seconds);
int run_finish(struct run *r, int sig, double seconds);
int exited_with(const struct run *r, int code);
long count_of(const char *out, const char *comm);
size_t bpf_ids_of(pid_t pid, unsigned int *ids, int *is_map, size_t max);
size_t bpf_ids_alive(const unsigned int *ids, const int *is_map, size_t n);
int tracefs_mounts(const char *mountinfo);
int have(const char *prog);
int is_static(const char *path);
int have_clang_prog(void);
enum { BPFTRACE_OURS = 1, BPFTRACE_SHARED = 2 };
const char *tracer_argv(const char *const args[], int bpftrace,
			const char **argv, char *script, size_t size);
int has_in_order(const char *text, const char *spec);
__u32 last_id(int cmd);
int orphans(__u32 prog_base, __u32 map_base, char *ids, size_t size);
void app(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void put_env(const char *nv, char *name, size_t size);

#endif /* ICMPCOUNT_TEST_H */
