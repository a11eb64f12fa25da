// SPDX-License-Identifier: GPL-2.0
/*
 * kern.c - the privileged tier: icmpcount loads its program into this
 * kernel, real sendto() calls go out on loopback, and the counts it prints
 * are compared with what each case expects and, where bpftrace is
 * installed, with what the reference script counted on the same traffic.
 * Every sender case runs in a process of its own with its own comm, so a
 * wrong count names its case.  Needs root; run through `make test`.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <grp.h>

#include <linux/bpf.h>

#include "bpf.h"
#include "icmpcount.h"
#include "test.h"

#define SENDS		3	/* sendto() calls per sender case */

/*
 * The sender cases.  Each sends SENDS times from a process of its own, and
 * says, per call, whether icmpcount counts it by default (as the reference
 * script does), with -a, with -x (as the exit script does: only calls that
 * succeed), and under ipv6 with -6.
 */
enum sock_kind { S_RAW4, S_RAW4_CONNECTED, S_UDP4, S_RAW6, S_BADFD };
enum buf_kind { B_OK, B_NULL, B_UNMAPPED, B_STRADDLE };
enum addr_kind { A_IN4, A_IN6, A_NULL, A_UNMAPPED, A_STRADDLE, A_UNSPEC };

struct send_case {
	const char *comm;
	const char *name;
	enum sock_kind sock;
	unsigned char hdr[8];
	size_t len;
	enum buf_kind buf;
	int readable;		/* B_STRADDLE: header bytes before the hole */
	enum addr_kind addr;
	int addrlen;		/* -1: the address's own size */
	int counted;		/* by default, as the reference script counts */
	int all;		/* with -a: zero checksum, id or seq count too */
	int exit;		/* with -x: only calls that succeed count */
	int v6;			/* with -6, under ipv6 */
};

#define ECHO	{ 8, 0, 0x12, 0x34, 0x56, 0x78, 0x00, 0x01 }

static const struct send_case send_cases[] = {
	{ .comm = "ic_echo", .name = "a valid echo request is counted",
	  .sock = S_RAW4, .hdr = ECHO, .len = 64, .buf = B_OK, .addr = A_IN4,
	  .addrlen = -1, .counted = 1, .all = 1, .exit = 1 },
	{ .comm = "ic_len9", .name = "a 9-byte echo request is counted",
	  .sock = S_RAW4, .hdr = ECHO, .len = 9, .buf = B_OK, .addr = A_IN4,
	  .addrlen = -1, .counted = 1, .all = 1, .exit = 1 },
	{ .comm = "ic_len1500", .name = "a 1500-byte echo request is counted",
	  .sock = S_RAW4, .hdr = ECHO, .len = 1500, .buf = B_OK, .addr = A_IN4,
	  .addrlen = -1, .counted = 1, .all = 1, .exit = 1 },
	{ .comm = "ic_len8",
	  .name = "an 8-byte echo request (len 8) is not counted",
	  .sock = S_RAW4, .hdr = ECHO, .len = 8, .buf = B_OK, .addr = A_IN4,
	  .addrlen = -1, .counted = 0, .all = 0, .exit = 0 },
	{ .comm = "ic_len1", .name = "a 1-byte send is not counted",
	  .sock = S_RAW4, .hdr = ECHO, .len = 1, .buf = B_OK, .addr = A_IN4,
	  .addrlen = -1, .counted = 0, .all = 0, .exit = 0 },
	{ .comm = "ic_len0", .name = "an empty send is not counted",
	  .sock = S_RAW4, .hdr = ECHO, .len = 0, .buf = B_OK, .addr = A_IN4,
	  .addrlen = -1, .counted = 0, .all = 0, .exit = 0 },
	{ .comm = "ic_type0", .name = "an echo reply (type 0) is not counted",
	  .sock = S_RAW4, .hdr = { 0, 0, 1, 1, 1, 1, 0, 1 }, .len = 64,
	  .buf = B_OK, .addr = A_IN4, .addrlen = -1, .counted = 0, .all = 0,
	  .exit = 0 },
	{ .comm = "ic_type13",
	  .name = "a timestamp request (type 13) is not counted",
	  .sock = S_RAW4, .hdr = { 13, 0, 1, 1, 1, 1, 0, 1 }, .len = 64,
	  .buf = B_OK, .addr = A_IN4, .addrlen = -1, .counted = 0, .all = 0,
	  .exit = 0 },
	{ .comm = "ic_code1",
	  .name = "an echo request with code 1 is not counted", .sock = S_RAW4,
	  .hdr = { 8, 1, 1, 1, 1, 1, 0, 1 }, .len = 64, .buf = B_OK,
	  .addr = A_IN4, .addrlen = -1, .counted = 0, .all = 0, .exit = 0 },
	{ .comm = "ic_csum0",
	  .name = "an echo request with checksum 0 is not counted",
	  .sock = S_RAW4, .hdr = { 8, 0, 0, 0, 1, 1, 0, 1 }, .len = 64,
	  .buf = B_OK, .addr = A_IN4, .addrlen = -1, .counted = 0, .all = 1,
	  .exit = 0 },
	{ .comm = "ic_id0", .name = "an echo request with id 0 is not counted",
	  .sock = S_RAW4, .hdr = { 8, 0, 1, 1, 0, 0, 0, 1 }, .len = 64,
	  .buf = B_OK, .addr = A_IN4, .addrlen = -1, .counted = 0, .all = 1,
	  .exit = 0 },
	{ .comm = "ic_seq0",
	  .name = "an echo request with seq 0 is not counted", .sock = S_RAW4,
	  .hdr = { 8, 0, 1, 1, 1, 1, 0, 0 }, .len = 64, .buf = B_OK,
	  .addr = A_IN4, .addrlen = -1, .counted = 0, .all = 1, .exit = 0 },
	{ .comm = "ic_highbits",
	  .name = "checksum, id and seq with the top bit set count",
	  .sock = S_RAW4, .hdr = { 8, 0, 0xff, 0xff, 0x00, 0x80, 0x00, 0x80 },
	  .len = 64, .buf = B_OK, .addr = A_IN4, .addrlen = -1, .counted = 1,
	  .all = 1, .exit = 1 },
	{ .comm = "ic_in6",
	  .name = "an echo-shaped send to an AF_INET6 address is not counted",
	  .sock = S_RAW6, .hdr = ECHO, .len = 64, .buf = B_OK, .addr = A_IN6,
	  .addrlen = -1, .counted = 0, .all = 0, .exit = 0 },
	{ .comm = "ic_in6on4",
	  .name = "an AF_INET6 address on an IPv4 socket is not counted",
	  .sock = S_RAW4, .hdr = ECHO, .len = 64, .buf = B_OK, .addr = A_IN6,
	  .addrlen = -1, .counted = 0, .all = 0, .exit = 0 },
	{ .comm = "ic_unspec", .name = "an AF_UNSPEC address is not counted",
	  .sock = S_RAW4, .hdr = ECHO, .len = 64, .buf = B_OK,
	  .addr = A_UNSPEC, .addrlen = -1, .counted = 0, .all = 0, .exit = 0 },
	{ .comm = "ic_nulladdr",
	  .name = "a NULL address on a connected socket is not counted",
	  .sock = S_RAW4_CONNECTED, .hdr = ECHO, .len = 64, .buf = B_OK,
	  .addr = A_NULL, .addrlen = 0, .counted = 0, .all = 0, .exit = 0 },
	{ .comm = "ic_connaddr",
	  .name = "an address on a connected socket is counted",
	  .sock = S_RAW4_CONNECTED, .hdr = ECHO, .len = 64, .buf = B_OK,
	  .addr = A_IN4, .addrlen = -1, .counted = 1, .all = 1, .exit = 1 },
	{ .comm = "ic_nullbuf", .name = "a NULL buffer is not counted",
	  .sock = S_RAW4, .hdr = ECHO, .len = 64, .buf = B_NULL, .addr = A_IN4,
	  .addrlen = -1, .counted = 0, .all = 0, .exit = 0 },
	{ .comm = "ic_badbuf", .name = "an unreadable buffer is not counted",
	  .sock = S_RAW4, .hdr = ECHO, .len = 64, .buf = B_UNMAPPED,
	  .addr = A_IN4, .addrlen = -1, .counted = 0, .all = 0, .exit = 0 },
	{ .comm = "ic_badaddr", .name = "an unreadable address is not counted",
	  .sock = S_RAW4, .hdr = ECHO, .len = 64, .buf = B_OK,
	  .addr = A_UNMAPPED, .addrlen = -1, .counted = 0, .all = 0,
	  .exit = 0 },
	{ .comm = "ic_splitaddr",
	  .name = "an address whose family straddles a hole is not counted",
	  .sock = S_RAW4, .hdr = ECHO, .len = 64, .buf = B_OK,
	  .addr = A_STRADDLE, .addrlen = -1, .counted = 0, .all = 0,
	  .exit = 0 },
	{ .comm = "ic_split1",
	  .name = "a header with 1 byte before a hole is not counted",
	  .sock = S_RAW4, .hdr = ECHO, .len = 64, .buf = B_STRADDLE,
	  .readable = 1, .addr = A_IN4, .addrlen = -1, .counted = 0, .all = 0,
	  .exit = 0 },
	{ .comm = "ic_split2",
	  .name = "a header with 2 bytes before a hole is not counted",
	  .sock = S_RAW4, .hdr = ECHO, .len = 64, .buf = B_STRADDLE,
	  .readable = 2, .addr = A_IN4, .addrlen = -1, .counted = 0, .all = 0,
	  .exit = 0 },
	{ .comm = "ic_split4",
	  .name = "a header with 4 bytes before a hole is not counted",
	  .sock = S_RAW4, .hdr = ECHO, .len = 64, .buf = B_STRADDLE,
	  .readable = 4, .addr = A_IN4, .addrlen = -1, .counted = 0, .all = 0,
	  .exit = 0 },
	{ .comm = "ic_split6",
	  .name = "a header with 6 bytes before a hole is not counted",
	  .sock = S_RAW4, .hdr = ECHO, .len = 64, .buf = B_STRADDLE,
	  .readable = 6, .addr = A_IN4, .addrlen = -1, .counted = 0, .all = 0,
	  .exit = 0 },
	{ .comm = "ic_split7",
	  .name = "a header with 7 bytes before a hole is not counted",
	  .sock = S_RAW4, .hdr = ECHO, .len = 64, .buf = B_STRADDLE,
	  .readable = 7, .addr = A_IN4, .addrlen = -1, .counted = 0, .all = 0,
	  .exit = 0 },
	{ .comm = "ic_split8",
	  .name = "a whole header before a hole is counted (the call fails)",
	  .sock = S_RAW4, .hdr = ECHO, .len = 64, .buf = B_STRADDLE,
	  .readable = 8, .addr = A_IN4, .addrlen = -1, .counted = 1, .all = 1,
	  .exit = 0 },
	{ .comm = "ic_udp",
	  .name = "an echo-shaped payload on a UDP socket is counted",
	  .sock = S_UDP4, .hdr = ECHO, .len = 64, .buf = B_OK, .addr = A_IN4,
	  .addrlen = -1, .counted = 1, .all = 1, .exit = 1 },
	{ .comm = "ic_addrlen3",
	  .name = "a bad addrlen (3) is counted though the call fails",
	  .sock = S_RAW4, .hdr = ECHO, .len = 64, .buf = B_OK, .addr = A_IN4,
	  .addrlen = 3, .counted = 1, .all = 1, .exit = 0 },
	{ .comm = "ic_addrlen0",
	  .name = "addrlen 0 with an address is counted", .sock = S_RAW4,
	  .hdr = ECHO, .len = 64, .buf = B_OK, .addr = A_IN4, .addrlen = 0,
	  .counted = 1, .all = 1, .exit = 0 },
	{ .comm = "ic_badfd",
	  .name = "a send on a bad fd is counted though the call fails",
	  .sock = S_BADFD, .hdr = ECHO, .len = 64, .buf = B_OK, .addr = A_IN4,
	  .addrlen = -1, .counted = 1, .all = 1, .exit = 0 },
	{ .comm = "ic_hugelen",
	  .name = "a length of SIZE_MAX is counted though the call fails",
	  .sock = S_RAW4, .hdr = ECHO, .len = (size_t)-1, .buf = B_OK,
	  .addr = A_IN4, .addrlen = -1, .counted = 1, .all = 1, .exit = 0 },
	{ .comm = "ic_echo6",
	  .name = "an ICMPv6 echo request counts only with -6", .sock = S_RAW6,
	  .hdr = { 128, 0, 0, 0, 0x12, 0x34, 0, 1 }, .len = 64, .buf = B_OK,
	  .addr = A_IN6, .addrlen = -1, .counted = 0, .all = 0, .exit = 0,
	  .v6 = 1 },
};

static int open_socket(enum sock_kind kind)
{
	struct sockaddr_in to = { .sin_family = AF_INET };
	int fd;

	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	switch (kind) {
	case S_RAW4:
		return socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
	case S_RAW4_CONNECTED:
		fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
		if (fd >= 0 && connect(fd, (struct sockaddr *)&to, sizeof(to)))
			return -1;
		return fd;
	case S_UDP4:
		return socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	case S_RAW6:
		return socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMPV6);
	case S_BADFD:
		break;
	}
	return -1;
}

/* Runs in the case's own process: sets the comm, sends n times, exits. */
static void __attribute__((noreturn)) send_n(const struct send_case *c, int n)
{
	static unsigned char buf[2048];
	struct sockaddr_in in4 = { .sin_family = AF_INET, .sin_port = htons(9) };
	struct sockaddr_in6 in6 = { .sin6_family = AF_INET6 };
	struct sockaddr unspec = { .sa_family = AF_UNSPEC };
	long page = sysconf(_SC_PAGESIZE);
	unsigned char *pages, *hole;
	const void *b = buf, *a = NULL;
	socklen_t alen = 0;
	int fd, i;

	prctl(PR_SET_NAME, c->comm);
	in4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	in6.sin6_addr = in6addr_loopback;
	/* Two pages, the second unreadable: the hole. */
	pages = mmap(NULL, 2 * (size_t)page, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (pages == MAP_FAILED || mprotect(pages + page, (size_t)page, PROT_NONE))
		_exit(2);
	hole = pages + page;
	fd = c->sock == S_BADFD ? -1 : open_socket(c->sock);
	if (c->sock != S_BADFD && fd < 0)
		_exit(3);

	memcpy(buf, c->hdr, sizeof(c->hdr));
	switch (c->buf) {
	case B_OK:
		break;
	case B_NULL:
		b = NULL;
		break;
	case B_UNMAPPED:
		b = hole;
		break;
	case B_STRADDLE:
		memcpy(hole - c->readable, c->hdr, (size_t)c->readable);
		b = hole - c->readable;
		break;
	}
	switch (c->addr) {
	case A_IN4:
		a = &in4;
		alen = sizeof(in4);
		break;
	case A_IN6:
		a = &in6;
		alen = sizeof(in6);
		break;
	case A_UNSPEC:
		a = &unspec;
		alen = sizeof(unspec);
		break;
	case A_NULL:
		break;
	case A_UNMAPPED:
		a = hole;
		alen = sizeof(in4);
		break;
	case A_STRADDLE:
		/* sa_family's first byte readable, its second in the hole. */
		hole[-1] = AF_INET;
		a = hole - 1;
		alen = sizeof(in4);
		break;
	}
	if (c->addrlen >= 0)
		alen = (socklen_t)c->addrlen;
	for (i = 0; i < n; i++)
		sendto(fd, b, c->len, MSG_DONTWAIT, a, alen);
	_exit(0);
}

static void __attribute__((noreturn)) send_case(const struct send_case *c)
{
	send_n(c, SENDS);
}

static int run_send_cases(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(send_cases); i++) {
		int status;
		pid_t pid = fork();

		if (pid < 0)
			return -1;
		if (pid == 0)
			send_case(&send_cases[i]);
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0)
			return -1;
	}
	return 0;
}

/* A sender's comm for other tests: one valid echo, sent at once. */
static void __attribute__((noreturn)) send_one_echo(const char *comm)
{
	struct send_case c = send_cases[0];

	c.comm = comm;
	send_case(&c);
}

/*
 * The sender table runs once, traced at the same time by icmpcount in each
 * mode and, where bpftrace is installed, by both reference scripts.  Each
 * icmpcount line checks a case's count against the table; each reference
 * line checks that bpftrace counted what icmpcount counted.  Where
 * ../shared/reference is beside the checkout, its scripts run too and must
 * count what ours count; elsewhere their lines are left out.
 */
enum column { COL_ENTRY, COL_ALL, COL_EXIT, COL_V6 };

struct tracer {
	const char *label;
	const char *args[4];	/* after the binary, or bpftrace's script */
	const char *env;	/* NAME=VALUE for the run */
	int bpftrace;		/* BPFTRACE_OURS or _SHARED: a script */
	enum column col;
	int agree_with;		/* bpftrace: the tracer it must match */
	struct run run;
	const char *skip;
};

static struct tracer tracers[] = {
	{ .label = "icmpcount", .col = COL_ENTRY },
	{ .label = "icmpcount -a", .args = { "-a" }, .col = COL_ALL },
	{ .label = "icmpcount -x", .args = { "-x" }, .col = COL_EXIT },
	{ .label = "icmpcount -6", .args = { "-6" }, .col = COL_V6 },
	{ .label = "icmpcount -P clang", .args = { "-P", "clang" },
	  .col = COL_ENTRY },
	{ .label = "icmpcount -x -P clang", .args = { "-x", "-P", "clang" },
	  .col = COL_EXIT },
	{ .label = "icmpcount on raw_syscalls", .col = COL_ENTRY,
	  .env = "ICMPCOUNT_TEST_RAW_SYSCALLS=1" },
	{ .label = "icmpcount -x on raw_syscalls", .args = { "-x" },
	  .col = COL_EXIT, .env = "ICMPCOUNT_TEST_RAW_SYSCALLS=1" },
	{ .label = "icmpcount with bpf_probe_read", .col = COL_ENTRY,
	  .env = "ICMPCOUNT_TEST_NO_READ_USER=1" },
	{ .label = "sendto_count.bt", .args = { "sendto_count.bt" },
	  .bpftrace = BPFTRACE_OURS, .agree_with = 0 },
	{ .label = "sendto_count_exit.bt", .args = { "sendto_count_exit.bt" },
	  .bpftrace = BPFTRACE_OURS, .agree_with = 2 },
	{ .label = "shared/reference/sendto_count.bt",
	  .args = { "sendto_count.bt" }, .bpftrace = BPFTRACE_SHARED,
	  .agree_with = 9 },
	{ .label = "shared/reference/sendto_count_exit.bt",
	  .args = { "sendto_count_exit.bt" }, .bpftrace = BPFTRACE_SHARED,
	  .agree_with = 10 },
};

/* The shared scripts' lines where there is no ../shared/reference. */
static int left_out(const struct tracer *t)
{
	return t->bpftrace == BPFTRACE_SHARED && !test_shared_reference[0];
}


static int want(const struct send_case *c, enum column col)
{
	const int per_call[] = { c->counted, c->all, c->exit, c->counted };

	return per_call[col] * SENDS;
}

static void start_tracer(struct tracer *t)
{
	char script[512], name[64];
	const char *argv[8];

	if (left_out(t)) {
		t->skip = "no ../shared/reference";
		return;
	}
	t->skip = tracer_argv(t->args, t->bpftrace, argv, script,
			      sizeof(script));
	if (t->skip)
		return;
	if (t->env)
		put_env(t->env, name, sizeof(name));
	if (run_start(&t->run, argv, 0) != 0 ||
	    run_wait_tracing(&t->run, t->bpftrace ? 60 : 10) != 0)
		t->skip = "did not start";
	if (t->env)
		unsetenv(name);
}

static void check_case(const struct tracer *t, const struct send_case *c)
{
	char key[64];
	long got, exp;

	if (t->bpftrace) {
		got = count_of(t->run.out, c->comm);
		exp = count_of(tracers[t->agree_with].run.out, c->comm);
		test_check(got == exp, "EXP: @[%s]: %ld, as %s counted\nRES: %ld",
			   c->comm, exp, tracers[t->agree_with].label, got);
		return;
	}
	if (t->col != COL_V6) {
		got = count_of(t->run.out, c->comm);
		exp = want(c, t->col);
		test_check(got == exp, "EXP: @[%s]: %ld\nRES: %ld", c->comm,
			   exp, got);
		return;
	}
	snprintf(key, sizeof(key), "%s, ipv4", c->comm);
	got = count_of(t->run.out, key);
	exp = want(c, COL_V6);
	snprintf(key, sizeof(key), "%s, ipv6", c->comm);
	test_check(got == exp && count_of(t->run.out, key) == (long)c->v6 * SENDS,
		   "EXP: @[%s, ipv4]: %ld, @[%s, ipv6]: %d\nRES: %ld, %ld",
		   c->comm, exp, c->comm, c->v6 * SENDS, got,
		   count_of(t->run.out, key));
}

static void test_sender_table(void)
{
	int sent;
	size_t i, j;

	for (j = 0; j < ARRAY_SIZE(tracers); j++)
		start_tracer(&tracers[j]);
	sent = run_send_cases() == 0;
	for (j = 0; j < ARRAY_SIZE(tracers); j++)
		if (!tracers[j].skip)
			run_finish(&tracers[j].run, SIGINT, 30);

	for (j = 0; j < ARRAY_SIZE(tracers); j++) {
		const struct tracer *t = &tracers[j];

		if (left_out(t))
			continue;
		if (t->skip) {
			char name[200];

			snprintf(name, sizeof(name), "%s: every sender case",
				 t->label);
			if (test_start(name))
				test_skip("%s", t->skip);
			continue;
		}
		for (i = 0; i < ARRAY_SIZE(send_cases); i++) {
			const struct send_case *c = &send_cases[i];
			char name[200];

			if (j == 0)
				snprintf(name, sizeof(name), "%s", c->name);
			else
				snprintf(name, sizeof(name), "%s: %s", t->label,
					 c->comm);
			if (!test_start(name))
				continue;
			if (!sent || !exited_with(&t->run, 0))
				test_fail("EXP: the senders ran, %s exited 0\n"
					  "RES: sent %d, status 0x%x\nstderr:\n%s",
					  t->label, sent, t->run.status,
					  t->run.err);
			else
				check_case(t, c);
		}
	}
}

/*
 * Whole runs of the binary: argv, how to run it, how to end it, and what
 * must show.  {COUNT} cases send through "-c".
 */
struct run_case {
	const char *name;
	const char *argv[8];
	int flags;
	int sig;		/* sent once tracing; 0 to let -c end it */
	const char *env;	/* NAME=VALUE set for the run */
	int exit_code;
	const char *comm;	/* whose count to check, if any */
	long count;
	const char *stdout_has, *stderr_has;	/* "a|b": a, then later b */
	const char *needs;	/* a program that must be installed */
	const char *jq;		/* a jq -s filter stdout must pass */
};

static const struct run_case run_cases[] = {
	{ .name = "ping -c 3 under -c counts 3 for ping",
	  .argv = { "-c", "ping -c 3 -i 0.2 127.0.0.1" }, .comm = "ping",
	  .count = 3, .stdout_has = "Done tracing", .needs = "ping" },
	{ .name = "the first send of a -c command is counted",
	  .argv = { "-c", "{SELF} --send ic_first" }, .comm = "ic_first",
	  .count = SENDS },
	{ .name = "SIGINT ends tracing with the report and exit 0",
	  .sig = SIGINT,
	  .stdout_has = "Tracing sendto() syscalls.\nDone tracing sendto() syscalls.\n\n\n" },
	{ .name = "SIGTERM ends tracing with the report and exit 0",
	  .sig = SIGTERM, .stdout_has = "Done tracing sendto() syscalls.\n" },
	{ .name = "with no tracefs mounted, it mounts a private one and counts",
	  .argv = { "-c", "{SELF} --send ic_notracefs" },
	  .flags = RUN_NO_TRACEFS, .comm = "ic_notracefs", .count = SENDS },
	{ .name = "with map creation refused until RLIMIT_MEMLOCK is raised, it counts",
	  .argv = { "-v", "-c", "{SELF} --send ic_memlock" },
	  .env = "ICMPCOUNT_TEST_MEMLOCK=1", .comm = "ic_memlock",
	  .count = SENDS, .stderr_has = "# setrlimit(RLIMIT_MEMLOCK" },
	{ .name = "a -c command that does not exist is an error, exit 1",
	  .argv = { "-c", "/nonexistent/cmd" }, .exit_code = 1,
	  .stderr_has = "icmpcount: cannot run /nonexistent/cmd: No such file" },
	{ .name = "a -c command's failure is its own: icmpcount exits 0",
	  .argv = { "-c", "false" }, .stdout_has = "Done tracing" },
	{ .name = "as nobody, it fails with exit 1 and says to run as root",
	  .flags = RUN_NOBODY, .exit_code = 1, .stderr_has = "run as root" },
	{ .name = "as nobody with no tracefs, it fails with exit 1, run as root",
	  .flags = RUN_NOBODY | RUN_NO_TRACEFS, .exit_code = 1,
	  .stderr_has = "run as root" },
	{ .name = "a tracefs id that is not a number is an error, exit 1",
	  .env = "ICMPCOUNT_TRACEFS=tests/fixtures/bad-id", .exit_code = 1,
	  .stderr_has = "cannot parse tests/fixtures/bad-id/events" },
	{ .name = "a tracepoint with no id file says CONFIG_FTRACE_SYSCALLS",
	  .env = "ICMPCOUNT_TRACEFS=tests/fixtures/no-id", .exit_code = 1,
	  .stderr_has = "CONFIG_FTRACE_SYSCALLS" },
	{ .name = "a format file with no len field is an error, exit 1",
	  .env = "ICMPCOUNT_TRACEFS=tests/fixtures/missing-len",
	  .exit_code = 1, .stderr_has = "no field 'len'" },
	{ .name = "busybox ping's seq-0 echo is not counted, and said so",
	  .argv = { "-c", "busybox ping -A -c 3 127.0.0.1" },
	  .comm = "busybox", .count = 2,
	  .stderr_has = "icmpcount: 1 echo request not counted: seq 0 (busybox/inetutils ping start at 0; --all counts it)",
	  .needs = "busybox" },
	{ .name = "-a counts all of busybox ping's echo requests",
	  .argv = { "-a", "-c", "busybox ping -A -c 3 127.0.0.1" },
	  .comm = "busybox", .count = 3, .needs = "busybox" },
	{ .name = "-6 counts ping -6 to ::1 under ipv6",
	  .argv = { "-6", "-c", "ping -6 -c 3 -i 0.2 ::1" },
	  .comm = "ping, ipv6", .count = 3, .needs = "ping" },
	{ .name = "a full map drops sends, counts them, and says so",
	  .argv = { "--max-comms", "1", "-c", "{SELF} --send-comms 3" },
	  .stdout_has = "]: 3\n",
	  .stderr_has = "icmpcount: 6 echo requests not counted: the map of process names was full" },
	{ .name = "-P clang: busybox ping's seq-0 echo is not counted, and said so",
	  .argv = { "-P", "clang", "-c", "busybox ping -A -c 3 127.0.0.1" },
	  .comm = "busybox", .count = 2,
	  .stderr_has = "icmpcount: 1 echo request not counted: seq 0 (busybox/inetutils ping start at 0; --all counts it)",
	  .needs = "busybox" },
	{ .name = "-P clang: a full map drops sends, counts them, and says so",
	  .argv = { "-P", "clang", "--max-comms", "1", "-c", "{SELF} --send-comms 3" },
	  .stdout_has = "]: 3\n",
	  .stderr_has = "icmpcount: 6 echo requests not counted: the map of process names was full",
	  .needs = "clang" },
	{ .name = "-x: a full map drops sends at exit, counts them, and says so",
	  .argv = { "-x", "--max-comms", "1", "-c", "{SELF} --send-comms 3" },
	  .stdout_has = "]: 3\n",
	  .stderr_has = "icmpcount: 6 echo requests not counted: the map of process names was full" },
	{ .name = "-P clang -x: a full map drops sends at exit, counts them, and says so",
	  .argv = { "-P", "clang", "-x", "--max-comms", "1", "-c", "{SELF} --send-comms 3" },
	  .stdout_has = "]: 3\n",
	  .stderr_has = "icmpcount: 6 echo requests not counted: the map of process names was full",
	  .needs = "clang" },
	{ .name = "a full preallocated map (kernels before 6.1) drops sends and says so",
	  .argv = { "--max-comms", "1", "-c", "{SELF} --send-comms 3" },
	  .env = "ICMPCOUNT_TEST_PREALLOC=1", .stdout_has = "]: 3\n",
	  .stderr_has = "icmpcount: 6 echo requests not counted: the map of process names was full" },
	{ .name = "-v: where the kernel has BPF links for perf events, it attaches with one, and closing it detaches",
	  .argv = { "-v", "-c", "{SELF} --send ic_link" }, .comm = "ic_link",
	  .count = SENDS,
	  .stderr_has = "bpf(BPF_LINK_CREATE, {link_create={prog_fd=|attach_type=BPF_PERF_EVENT|ioctl(|PERF_EVENT_IOC_ENABLE|# close(|the link goes" },
	{ .name = "-v: a kernel without BPF links for perf events (before 5.15): it attaches with PERF_EVENT_IOC_SET_BPF and counts",
	  .argv = { "-v", "-c", "{SELF} --send ic_nolink" },
	  .env = "ICMPCOUNT_TEST_NO_LINKS=1", .comm = "ic_nolink",
	  .count = SENDS,
	  .stderr_has = "PERF_EVENT_IOC_SET_BPF|PERF_EVENT_IOC_ENABLE|# close(|the perf event goes, and the program with it" },
	{ .name = "a kernel that reads maps only with CAP_BPF (5.8 to 5.18): it keeps CAP_BPF and counts",
	  .argv = { "-v", "-c", "{SELF} --send ic_needbpf" },
	  .env = "ICMPCOUNT_TEST_READ_NEEDS=CAP_BPF",
	  .comm = "ic_needbpf", .count = SENDS,
	  .stderr_has = "a map read with no capability: Operation not permitted|keeping CAP_BPF\n" },
	{ .name = "a kernel that reads maps only with CAP_SYS_ADMIN (before 5.8): it keeps CAP_SYS_ADMIN and counts",
	  .argv = { "-v", "-c", "{SELF} --send ic_needadm" },
	  .env = "ICMPCOUNT_TEST_READ_NEEDS=CAP_SYS_ADMIN",
	  .comm = "ic_needadm", .count = SENDS,
	  .stderr_has = "a map read with no capability: Operation not permitted|keeping CAP_SYS_ADMIN\n" },
	{ .name = "-u and --prom on a kernel that wants CAP_SYS_ADMIN to read: it keeps that and what -u and --prom need",
	  .argv = { "-v", "-u", "nobody", "--prom", "/tmp/ic_needadm.prom", "-c", "{SELF} --send-udp ic_needadm2" },
	  .env = "ICMPCOUNT_TEST_READ_NEEDS=CAP_SYS_ADMIN",
	  .comm = "ic_needadm2", .count = SENDS,
	  .stderr_has = "keeping CAP_DAC_OVERRIDE|CAP_KILL|CAP_SYS_ADMIN\n" },
	{ .name = "--check on a kernel that wants CAP_SYS_ADMIN to read maps makes its test run keeping it",
	  .argv = { "--check" },
	  .env = "ICMPCOUNT_TEST_READ_NEEDS=CAP_SYS_ADMIN",
	  .stdout_has = "ok  a test run: a program on syscalls/sys_enter_sendto saw this process's sendto(), and its map read back keeping CAP_SYS_ADMIN|icmpcount can run here" },
	{ .name = "with preallocated maps, -6 counts ping -6 to ::1 under ipv6",
	  .argv = { "-6", "-c", "ping -6 -c 3 -i 0.2 ::1" },
	  .env = "ICMPCOUNT_TEST_PREALLOC=1", .comm = "ping, ipv6", .count = 3,
	  .needs = "ping" },
	{ .name = "-i prints each interval's counts, then the whole run's",
	  .argv = { "-i", "1", "-c", "{SELF} --send-paced ic_paced" },
	  .comm = "ic_paced", .count = 5,
	  .stdout_has = "Tracing sendto() syscalls.\n|:|\n@[ic_paced]: 3\n|:|\n@[ic_paced]: 2\n|" "Done tracing sendto() syscalls.\n\n\n|@[ic_paced]: 5\n" },
	{ .name = "-d ends tracing by itself, with the report",
	  .argv = { "-d", "1" },
	  .stdout_has = "Tracing sendto() syscalls.\n|Done tracing sendto() syscalls.\n" },
	{ .name = "-j prints JSON that jq reads: tracing, then done with the counts",
	  .argv = { "-j", "-c", "{SELF} --send ic_json" }, .needs = "jq",
	  .jq = "length == 2 and .[0].event == \"tracing\" and .[1].event == \"done\"" " and .[1].counts == [{\"comm\":\"ic_json\",\"family\":\"ipv4\",\"count\":3}]" " and .[1].dropped == 0 and .[1].not_counted.seq == 0" " and (.[1].time | test(\"^[0-9-]+T[0-9:]+Z$\"))" },
	/* An empty comm is the all-zero key, which no stat key is. */
	{ .name = "a process named \"\" (prctl) is counted as @[], no stat touched",
	  .argv = { "-j", "-c", "{SELF} --send-nameless -" }, .needs = "jq",
	  .jq = ".[1].counts == [{\"comm\":\"\",\"family\":\"ipv4\",\"count\":3}]" " and .[1].dropped == 0 and .[1].not_counted ==" " {\"checksum\":0,\"id\":0,\"seq\":0}" },
	{ .name = "a process named \"\" prints as @[]: 3, hand program",
	  .argv = { "-c", "{SELF} --send-nameless -" }, .comm = "",
	  .count = SENDS },
	{ .name = "a process named \"\" prints as @[]: 3, clang program",
	  .argv = { "-P", "clang", "-c", "{SELF} --send-nameless -" },
	  .comm = "", .count = SENDS, .needs = "clang" },
	{ .name = "-j -i prints one JSON object per interval, per-interval counts",
	  .argv = { "-j", "-i", "1", "-c", "{SELF} --send-paced ic_pjson" },
	  .needs = "jq",
	  .jq = "[.[] | select(.event == \"interval\") | .counts[]" " | select(.comm == \"ic_pjson\") | .count] == [3, 2] and" " [.[-1].counts[] | select(.comm == \"ic_pjson\") | .count] == [5]" },
	{ .name = "-p counts only the given process (with another sender at once)",
	  .argv = { "-p", "{PID}" }, .comm = "ic_pid", .count = SENDS },
	{ .name = "-u nobody runs the command as nobody, and counts its sends",
	  .argv = { "-u", "nobody", "-c", "{SELF} --send-udp ic_nobody" },
	  .comm = "ic_nobody", .count = SENDS },
	{ .name = "-u nobody: the command's own view of its uid is 65534",
	  .argv = { "-u", "nobody", "-c", "id -u" },
	  .stdout_has = "Tracing sendto() syscalls.\n65534\n" },
	{ .name = "-u with an unknown user is a usage error, exit 2",
	  .argv = { "-u", "no-such-user-here", "-c", "true" }, .exit_code = 2,
	  .stderr_has = "icmpcount: no such user: 'no-such-user-here'" },
	{ .name = "--check says icmpcount can run here, exit 0",
	  .argv = { "--check" },
	  .stdout_has = "ok  program type TRACEPOINT\n|icmpcount can run here\n" },
	{ .name = "--check with no tracepoints names the fix, exit 1",
	  .argv = { "--check" }, .env = "ICMPCOUNT_TRACEFS=/nonexistent",
	  .exit_code = 1,
	  .stdout_has = "NO  tracepoint syscalls:sys_enter_sendto|fix: a kernel with CONFIG_FTRACE_SYSCALLS|icmpcount cannot run here" },
	{ .name = "--check as nobody says to run as root, exit 1",
	  .argv = { "--check" }, .flags = RUN_NOBODY, .exit_code = 1,
	  .stdout_has = "fix: run as root|icmpcount cannot run here" },
};


static int jq_passes(const char *out, const char *filter)
{
	char path[] = "/tmp/icmpcount-jq-XXXXXX", cmd[2048];
	int fd = mkstemp(path), r;

	if (fd < 0 || write(fd, out, strlen(out)) < 0) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	close(fd);
	snprintf(cmd, sizeof(cmd), "jq -e -s '%s' %s >/dev/null", filter, path);
	r = system(cmd);
	unlink(path);
	return r == 0;
}

/* Two held senders with the same comm; {PID} is the first one's pid. */
static pid_t held[2];
static int held_go[2];

static void hold_senders(const char *comm)
{
	int i;

	for (i = 0; i < 2; i++) {
		int go[2];
		char c;

		if (pipe(go) != 0)
			return;
		held[i] = fork();
		if (held[i] == 0) {
			close(go[1]);
			if (read(go[0], &c, 1) != 1)
				_exit(1);
			send_one_echo(comm);
		}
		close(go[0]);
		held_go[i] = go[1];
	}
}

static void release_senders(void)
{
	int i;

	for (i = 0; i < 2; i++) {
		if (write(held_go[i], "g", 1) != 1)
			kill(held[i], SIGKILL);
		close(held_go[i]);
		waitpid(held[i], NULL, 0);
	}
}

static int uses_pid(const struct run_case *c)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(c->argv) && c->argv[i]; i++)
		if (strcmp(c->argv[i], "{PID}") == 0)
			return 1;
	return 0;
}

static void expand_argv(const struct run_case *c, const char **argv, char *store,
			size_t size)
{
	size_t i, n = 0;

	argv[n++] = icmpcount_path;
	for (i = 0; i < ARRAY_SIZE(c->argv) && c->argv[i]; i++) {
		const char *s = c->argv[i], *self = strstr(s, "{SELF}");

		if (strcmp(s, "{PID}") == 0) {
			snprintf(store, size, "%d", (int)held[0]);
			s = store;
		} else if (self) {
			snprintf(store, size, "%.*s%s%s", (int)(self - s), s,
				 test_self, self + 6);
			s = store;
		}
		argv[n++] = s;
	}
	argv[n] = NULL;
}

static void test_runs(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(run_cases); i++) {
		const struct run_case *c = &run_cases[i];
		const char *argv[ARRAY_SIZE(c->argv) + 2];
		char store[4352], env[256];
		static struct run r;
		long got = 0;
		int ok;

		if (!test_start(c->name))
			continue;
		if (c->needs && !have(c->needs)) {
			test_skip("%s is not installed", c->needs);
			continue;
		}
		if (c->jq && !have("jq")) {
			test_skip("jq is not installed");
			continue;
		}
		memset(held, 0, sizeof(held));
		if (uses_pid(c))
			hold_senders(c->comm);
		expand_argv(c, argv, store, sizeof(store));
		if (c->env)
			put_env(c->env, env, sizeof(env));
		ok = run_start(&r, argv, c->flags) == 0;
		if (c->env)
			unsetenv(env);
		if (ok && held[0]) {
			/* -p: both senders send; only the first is counted. */
			ok = run_wait_tracing(&r, 10) == 0;
			release_senders();
			run_finish(&r, SIGINT, 10);
		} else if (ok && c->sig) {
			ok = run_wait_tracing(&r, 10) == 0;
			run_finish(&r, c->sig, 10);
		} else if (ok) {
			run_finish(&r, 0, 30);
		}
		if (c->comm)
			got = count_of(r.out, c->comm);
		test_check(ok && !r.timed_out && exited_with(&r, c->exit_code) &&
			   (!c->comm || got == c->count) &&
			   (!c->stdout_has || has_in_order(r.out, c->stdout_has)) &&
			   (!c->stderr_has || has_in_order(r.err, c->stderr_has)) &&
			   (!c->jq || jq_passes(r.out, c->jq)),
			   "EXP: exit %d%s%s, count %ld, stdout has \"%s\", stderr has \"%s\"\n"
			   "RES: status 0x%x%s, count %ld\nstdout:\n%s\nstderr:\n%s",
			   c->exit_code, c->comm ? " for " : "", c->comm ? c->comm : "",
			   c->count, c->stdout_has ? c->stdout_has : "",
			   c->stderr_has ? c->stderr_has : "", r.status,
			   r.timed_out ? " (timed out)" : "", got, r.out, r.err);
	}
}

/*
 * -v against strace: the calls icmpcount narrates, in order, must be the
 * bpf(), perf_event_open() and perf ioctl() calls strace saw, with the same
 * results.  A call is keyed by its name and first argument (the bpf
 * command, or the fd and request) and its result, as both print them.
 */
static int call_key(const char *line, char *key, size_t size)
{
	const char *res = NULL, *p, *end;
	size_t n, eol = strcspn(line, "\n");

	while (*line == ' ')
		line++;
	if (strncmp(line, "bpf(", 4) != 0 &&
	    strncmp(line, "perf_event_open(", 16) != 0 &&
	    !(strncmp(line, "ioctl(", 6) == 0 &&
	      (p = strstr(line, "PERF_EVENT_IOC")) && (size_t)(p - line) < eol))
		return 0;
	/* The result follows the line's last " = "; strace pads before it. */
	for (p = line; (p = strstr(p, " = ")) && (size_t)(p - line) < eol; p++)
		res = p + 3;
	if (!res)
		return 0;
	end = res + strcspn(res, "(\n");
	while (end > res && end[-1] == ' ')
		end--;
	n = strcspn(line, line[0] == 'i' ? ")" : ",");
	snprintf(key, size, "%.*s = %.*s", (int)n, line, (int)(end - res), res);
	return 1;
}

static size_t call_keys(const char *text, char keys[][96], size_t max)
{
	size_t n = 0;

	while (*text && n < max) {
		if (call_key(text, keys[n], sizeof(keys[n])))
			n++;
		text = strchr(text, '\n');
		if (!text)
			break;
		text++;
	}
	return n;
}

static void test_verbose_vs_strace(void)
{
	static char seen[512][96], told[512][96], trace[OUT_MAX];
	char path[] = "/tmp/icmpcount-strace-XXXXXX", cmd[4200];
	const char *asan = getenv("ASAN_OPTIONS");
	char nolsan[600];
	/* LeakSanitizer cannot stop a process that strace already traces. */
	const char *argv[] = { "strace", "-qq", "-E", nolsan, "-o", path,
			       "-e", "trace=bpf,perf_event_open,ioctl",
			       icmpcount_path, "-v", "-x", "-c", cmd, NULL };
	static struct run r;
	size_t ns, nt, i;
	ssize_t len;
	int fd;

	snprintf(nolsan, sizeof(nolsan), "ASAN_OPTIONS=%s%sdetect_leaks=0",
		 asan ? asan : "", asan ? ":" : "");

	if (!test_start("-v narrates the bpf, perf_event_open and ioctl calls strace sees"))
		return;
	if (!have("strace")) {
		test_skip("strace is not installed");
		return;
	}
	fd = mkstemp(path);
	if (fd < 0) {
		test_fail("EXP: a temporary file\nRES: %s", strerror(errno));
		return;
	}
	snprintf(cmd, sizeof(cmd), "%s --send ic_strace", test_self);
	if (run_start(&r, argv, 0) == 0)
		run_finish(&r, 0, 30);
	len = read(fd, trace, sizeof(trace) - 1);
	close(fd);
	unlink(path);
	trace[len > 0 ? len : 0] = '\0';
	ns = call_keys(trace, seen, ARRAY_SIZE(seen));
	nt = call_keys(r.err, told, ARRAY_SIZE(told));
	for (i = 0; i < ns && i < nt && strcmp(seen[i], told[i]) == 0; i++)
		;
	test_check(exited_with(&r, 0) && ns > 10 && ns == nt && i == ns,
		   "EXP: %zu calls as strace saw them; call %zu: %s\n"
		   "RES: %zu calls narrated; call %zu: %s (status 0x%x)",
		   ns, i, i < ns ? seen[i] : "(none)", nt, i,
		   i < nt ? told[i] : "(none)", r.status);
}



/*
 * -S against LLVM.  Every line of a dump is fed, as the bytes it shows, to
 * llvm-mc's disassembler, whose text must be ours (LLVM 14 cannot decode a
 * store of an immediate, BPF_ST, so those are only counted).  And the clang
 * program's dump must be llvm-objdump's listing of build/prog.bpf.o,
 * instruction by instruction, but for the fields the loader patches: where
 * the bytes differ, the opcode must not.
 */
static int run_capture(const char *cmd, char *out, size_t size);

struct dump_line {
	unsigned char bytes[16];
	int nbytes;
	char text[96];
	char note[64];		/* -S's "# ..." after the text, if any */
};

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' :
	       c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* "  12:\t79 12 f0 7f 00 00 00 00\tr2 = ..." lines: llvm-objdump's and ours. */
static size_t parse_listing(const char *text, struct dump_line *d, size_t max)
{
	size_t n = 0, len;

	for (; text && *text && n < max;
	     text = strchr(text, '\n') ? strchr(text, '\n') + 1 : NULL) {
		const char *p = text, *tab;
		char *cut;
		int k = 0;

		while (*p == ' ')
			p++;
		tab = strstr(p, ":\t");
		if (*p < '0' || *p > '9' || !tab || tab > p + strcspn(p, "\n"))
			continue;
		p = tab + 2;
		while (k < 16 && hexval(p[0]) >= 0 && hexval(p[1]) >= 0) {
			d[n].bytes[k++] = (unsigned char)(hexval(p[0]) << 4 |
							  hexval(p[1]));
			p += 2;
			if (*p != ' ')
				break;
			p++;
		}
		while (*p == ' ' || *p == '\t')
			p++;
		/* objdump's " <LBB0_3>" label goes, with the blank before it;
		 * "<=" and "<<=" stay. */
		snprintf(d[n].text, sizeof(d[n].text), "%.*s",
			 (int)strcspn(p, "\n"), p);
		d[n].note[0] = '\0';
		if ((cut = strstr(d[n].text, " # ")) != NULL) {
			snprintf(d[n].note, sizeof(d[n].note), "%s", cut + 3);
			*cut = '\0';
		}
		for (cut = d[n].text; (cut = strstr(cut, " <")); cut++)
			if (cut[2] == '_' || (cut[2] >= 'A' && cut[2] <= 'z' &&
					      cut[2] != '<' && cut[2] != '='))
				*cut = '\0';
		len = strlen(d[n].text);
		while (len > 0 && d[n].text[len - 1] == ' ')
			d[n].text[--len] = '\0';
		d[n].nbytes = k;
		n++;
	}
	return n;
}

static int run_capture(const char *cmd, char *out, size_t size)
{
	FILE *f = popen(cmd, "r");
	size_t n;

	if (!f)
		return -1;
	n = fread(out, 1, size - 1, f);
	out[n] = '\0';
	return pclose(f);
}

/*
 * -S's notes are assembler comments: llvm-mc assembles the listing's text
 * with them as it does without (the same lines, the same errors: LLVM 14
 * cannot assemble every BPF instruction it prints).
 */
static int notes_assemble(const struct dump_line *d, size_t n)
{
	static char a[OUT_MAX], b[OUT_MAX];
	char path[2][64] = { "/tmp/icmpcount-asm-XXXXXX", "/tmp/icmpcount-asm-XXXXXX" };
	char cmd[200], *out[2] = { a, b };
	size_t i, notes = 0;
	int k, ok = 1;

	for (k = 0; k < 2; k++) {
		FILE *f;
		int fd = mkstemp(path[k]);

		if (fd < 0 || !(f = fdopen(fd, "w")))
			return 0;
		for (i = 0; i < n; i++) {
			fprintf(f, "%s", d[i].text);
			if (k && d[i].note[0]) {
				fprintf(f, " # %s", d[i].note);
				notes++;
			}
			fputc('\n', f);
		}
		fclose(f);
		snprintf(cmd, sizeof(cmd),
			 "llvm-mc -triple bpfel -show-encoding %s 2>&1 | grep -c 'error:'",
			 path[k]);
		run_capture(cmd, out[k], (size_t)OUT_MAX);
		unlink(path[k]);
	}
	ok = notes > 0 && strcmp(a, b) == 0;
	if (!ok)
		fprintf(stdout, "notes: %zu; llvm-mc errors without notes %s, with %s",
			notes, a, b);
	return ok;
}

static void test_dump_vs_llvm_mc(const char *name, const char *opts)
{
	static char out[OUT_MAX], mc[OUT_MAX], in[OUT_MAX], mc_err[OUT_MAX];
	static struct dump_line d[256];
	char cmd[4400], inpath[64] = "/tmp/icmpcount-mc-XXXXXX";
	size_t n, i, k, bad = 0, st = 0;
	const char *p;
	int fd;

	if (!test_start(name))
		return;
	if (!have("llvm-mc")) {
		test_skip("llvm-mc is not installed");
		return;
	}
	snprintf(cmd, sizeof(cmd), "%s %s -S 2>/dev/null", icmpcount_path, opts);
	if (run_capture(cmd, out, sizeof(out)) != 0) {
		test_skip("this icmpcount cannot dump '%s'", opts);
		return;
	}
	n = parse_listing(out, d, ARRAY_SIZE(d));
	in[0] = '\0';
	for (i = 0; i < n; i++) {
		for (k = 0; k < (size_t)d[i].nbytes; k++)
			snprintf(in + strlen(in), sizeof(in) - strlen(in),
				 "0x%02x ", d[i].bytes[k]);
		snprintf(in + strlen(in), sizeof(in) - strlen(in), "\n");
	}
	fd = mkstemp(inpath);
	if (fd < 0 || write(fd, in, strlen(in)) < 0) {
		test_fail("EXP: a temporary file\nRES: %s", strerror(errno));
		return;
	}
	close(fd);
	/* Instructions on stdout, in order; "FILE:LINE:1: warning" on stderr
	 * for each line it cannot decode. */
	snprintf(cmd, sizeof(cmd),
		 "llvm-mc -triple bpfel -disassemble %s 2>%s.err", inpath, inpath);
	run_capture(cmd, mc, sizeof(mc));
	snprintf(cmd, sizeof(cmd), "cat %s.err", inpath);
	run_capture(cmd, mc_err, sizeof(mc_err));
	unlink(inpath);
	snprintf(inpath + strlen(inpath), sizeof(inpath) - strlen(inpath), ".err");
	unlink(inpath);
	p = mc;
	for (i = 0; i < n; i++) {
		char tag[48], line[96];

		snprintf(tag, sizeof(tag), ":%zu:1: warning", i + 1);
		if (strstr(mc_err, tag)) {
			/* Only a store of an immediate may be beyond LLVM 14. */
			if (BPF_CLASS(d[i].bytes[0]) == BPF_ST)
				st++;
			else
				bad++;
			continue;
		}
		while (p && (*p != '\t' || strncmp(p, "\t.text", 6) == 0))
			p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL;
		if (!p)
			break;
		snprintf(line, sizeof(line), "%.*s", (int)strcspn(p + 1, "\n"),
			 p + 1);
		p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL;
		if (strcmp(d[i].text, line) != 0) {
			test_fail("EXP: insn %zu as llvm-mc reads its bytes: %s\nRES: %s",
				  i, line, d[i].text);
			return;
		}
	}
	test_check(n > 10 && i == n && bad == 0 && notes_assemble(d, n),
		   "EXP: %zu instructions read back by llvm-mc, and each note an assembler comment\n"
		   "RES: %zu read, %zu stores beyond LLVM 14, %zu unreadable",
		   n, i, st, bad);
}

static void test_dump_vs_objdump(void)
{
	static char out[OUT_MAX], od[OUT_MAX];
	static struct dump_line d[256], o[256];
	char cmd[4400];
	size_t n, m, i, same = 0, patched = 0;

	if (!test_start("-P clang -S is llvm-objdump's listing of prog.bpf.o but for patched fields"))
		return;
	if (!have("llvm-objdump") || access("build/prog.bpf.o", R_OK) != 0) {
		test_skip("no llvm-objdump or no build/prog.bpf.o");
		return;
	}
	snprintf(cmd, sizeof(cmd), "%s -P clang -S 2>/dev/null", icmpcount_path);
	if (run_capture(cmd, out, sizeof(out)) != 0) {
		test_skip("this icmpcount was built without clang");
		return;
	}
	/* With no option, the entry program is the object's plain one. */
	if (strstr(out, "; sys_exit_sendto"))
		*strstr(out, "; sys_exit_sendto") = '\0';
	run_capture("llvm-objdump -d -j tracepoint/syscalls/sys_enter_sendto/plain build/prog.bpf.o",
		    od, sizeof(od));
	n = parse_listing(out, d, ARRAY_SIZE(d));
	m = parse_listing(od, o, ARRAY_SIZE(o));
	for (i = 0; i < n && i < m; i++) {
		if (d[i].nbytes == o[i].nbytes &&
		    memcmp(d[i].bytes, o[i].bytes, (size_t)d[i].nbytes) == 0) {
			if (strcmp(d[i].text, o[i].text) != 0)
				break;
			same++;
		} else if (d[i].bytes[0] == o[i].bytes[0]) {
			patched++;
		} else {
			break;
		}
	}
	test_check(n > 10 && n == m && i == n,
		   "EXP: %zu instructions; insn %zu: %s\n"
		   "RES: %zu instructions (%zu the same, %zu patched); insn %zu: %s",
		   m, i, i < m ? o[i].text : "(none)", n, same, patched, i,
		   i < n ? d[i].text : "(none)");
}

/*
 * The man page documents every option --help lists, and both give the
 * exit codes.  Options in --help look like "  -x, --exit" or "      --check".
 */
static void test_man_page(void)
{
	static char help[OUT_MAX], man[OUT_MAX], missing[512];
	char cmd[4200], opt[64];
	const char *p;
	int opts = 0;
	FILE *f;
	size_t n;

	if (!test_start("the man page has every option --help lists, and the exit codes"))
		return;
	snprintf(cmd, sizeof(cmd), "%s --help", icmpcount_path);
	run_capture(cmd, help, sizeof(help));
	f = fopen("icmpcount.8", "r");
	n = f ? fread(man, 1, sizeof(man) - 1, f) : 0;
	man[n] = '\0';
	if (f)
		fclose(f);
	missing[0] = '\0';
	for (p = help; (p = strstr(p, "\n  ")); p++) {
		const char *o = p + 1 + strspn(p + 1, " ");
		char shrt = 0, lng[32] = "";

		if (o[0] == '-' && o[1] != '-') {
			shrt = o[1];
			o = strstr(o, "--");
		} else if (strncmp(o, "--", 2) != 0) {
			continue;
		}
		if (o && o < p + 40)
			sscanf(o + 2, "%31[a-z0-9-]", lng);
		if (shrt) {
			snprintf(opt, sizeof(opt), ".It Fl %c", shrt);
			if (!strstr(man, opt))
				snprintf(missing + strlen(missing),
					 sizeof(missing) - strlen(missing), " -%c", shrt);
		}
		if (lng[0]) {
			snprintf(opt, sizeof(opt), "Fl Fl %s", lng);
			if (!strstr(man, opt))
				snprintf(missing + strlen(missing),
					 sizeof(missing) - strlen(missing), " --%s", lng);
		}
		opts++;
	}
	test_check(opts >= 17 && !missing[0] &&
		   strstr(help, "Exit status: 0 success, 1 runtime failure, 2 usage error") &&
		   strstr(man, ".Sh EXIT STATUS\n.Bl -tag -width Ds -compact\n.It 0") &&
		   strstr(man, ".It 1\n") && strstr(man, ".It 2\n"),
		   "EXP: >= 17 options, all in icmpcount.8, exit codes in both\n"
		   "RES: %d options, missing from the man page:%s", opts,
		   missing[0] ? missing : " none");
}

/*
 * 32-bit processes on this 64-bit kernel (--compat): the i386 (or armhf)
 * build of the VM tests' sender, build/vmsend32, runs its table, through
 * sendto() and socketcall(), and checks icmpcount's counts itself.  A
 * native process making the 32-bit numbers' calls with an echo request
 * (369 and 102 on x86_64, 290 on arm64) is counted by no one.  Without
 * --compat nothing of the sender's is counted, and a 32-bit process that
 * runs as tracing starts is named on stderr.
 */
static const struct compat_case {
	const char *name;
	const char *opts[4];
	const char *check;	/* vmsend's -k options; NULL: none counted */
	int exit;		/* -x: the sends that succeed, by name */
	int hold32;		/* a 32-bit process runs as tracing starts */
	const char *stderr_has;
} compat_cases[] = {
	{ .name = "--compat counts a 32-bit sender's table exactly",
	  .opts = { "--compat" }, .check = "" },
	{ .name = "--compat -a counts a 32-bit sender's seq 0 too",
	  .opts = { "--compat", "-a" }, .check = "-a" },
	{ .name = "--compat -x counts a 32-bit sender's successful sends",
	  .opts = { "--compat", "-x" }, .exit = 1 },
	{ .name = "--compat -P clang: the compat hook is the hand program's, and counts",
	  .opts = { "--compat", "-P", "clang" }, .check = "" },
	{ .name = "--compat -x -P clang counts exactly",
	  .opts = { "--compat", "-x", "-P", "clang" }, .exit = 1 },
	{ .name = "without --compat a 32-bit sender is not counted, and a running one is named",
	  .opts = { NULL }, .check = NULL, .hold32 = 1,
	  .stderr_has = "1 32-bit process is running (vmsend32): its pings are not counted without --compat" },
};

/* A sender built beside the test binary: vmsend32, or the native vmsend. */
static int sender(const char *name, char *path, size_t size)
{
	char *slash;

	snprintf(path, size, "%s", test_self);
	slash = strrchr(path, '/');
	if (!slash)
		return -1;
	snprintf(slash + 1, size - (size_t)(slash + 1 - path), "%s", name);
	return access(path, X_OK);
}

static void test_compat(void)
{
	char s32[4200], s64[4200], file[] = "/tmp/icmpcount-compat.XXXXXX";
	char cmd[8600];
	char script[] = "/tmp/icmpcount-compat-cmd.XXXXXX";
	static struct run r;
	size_t i, j;

	struct utsname u;

	if (uname(&u) != 0 || (strcmp(u.machine, "x86_64") != 0 &&
			       strcmp(u.machine, "aarch64") != 0)) {
		test_start("--compat cases");
		test_skip("a 32-bit kernel: no 32-bit processes to tell apart");
		return;
	}
	for (i = 0; i < ARRAY_SIZE(compat_cases); i++) {
		const struct compat_case *c = &compat_cases[i];
		const char *argv[12] = { icmpcount_path };
		FILE *hold = NULL;
		int ok, fd, kok = 1;
		long collide;

		if (!test_start(c->name))
			continue;
		if (sender("vmsend32", s32, sizeof(s32)) != 0 ||
		    sender("vmsend", s64, sizeof(s64)) != 0) {
			test_skip("no build/vmsend32 or build/vmsend (needs gcc-i686-linux-gnu or gcc-arm-linux-gnueabihf)");
			continue;
		}
		for (j = 0; j < ARRAY_SIZE(c->opts) && c->opts[j]; j++)
			argv[1 + j] = c->opts[j];
		/* The 32-bit sender, then the native collisions. */
		snprintf(cmd, sizeof(cmd), "#!/bin/sh\n%s\n%s -C ic_collide\n",
			 s32, s64);
		fd = mkstemp(script);
		ok = fd >= 0 && write(fd, cmd, strlen(cmd)) == (ssize_t)strlen(cmd) &&
		     fchmod(fd, 0755) == 0;
		if (fd >= 0)
			close(fd);
		argv[1 + j] = "-c";
		argv[2 + j] = script;
		/* A 32-bit process blocked on its stdin, while tracing starts. */
		if (ok && c->hold32) {
			snprintf(cmd, sizeof(cmd), "%s -k > /dev/null", s32);
			hold = popen(cmd, "w");	/* it reads until we close */
			ok = hold != NULL;
			usleep(100 * 1000);
		}
		ok = ok && run_start(&r, argv, 0) == 0;
		if (ok)
			run_finish(&r, 0, 60);
		if (hold)
			pclose(hold);
		unlink(script);
		snprintf(script, sizeof(script), "/tmp/icmpcount-compat-cmd.XXXXXX");
		collide = count_of(r.out, "ic_collide");
		if (ok && c->check) {
			fd = mkstemp(file);
			kok = fd >= 0 && write(fd, r.out, r.out_len) ==
					   (ssize_t)r.out_len;
			if (fd >= 0)
				close(fd);
			snprintf(cmd, sizeof(cmd), "%s -k %s < %s > /dev/null",
				 s32, c->check, file);
			kok = kok && system(cmd) == 0;
			unlink(file);
			snprintf(file, sizeof(file), "/tmp/icmpcount-compat.XXXXXX");
		} else if (ok && c->exit) {
			kok = count_of(r.out, "vs_echo") == 3 &&
			      count_of(r.out, "vs_sockcall") == 3 &&
			      count_of(r.out, "vs_sys") == 3 &&
			      count_of(r.out, "vs_badfd") == 0;
		} else if (ok) {
			kok = !strstr(r.out, "@[vs_");
		}
		test_check(ok && exited_with(&r, 0) && kok && collide == 0 &&
			   (!c->stderr_has || has_in_order(r.err, c->stderr_has)),
			   "EXP: exit 0, the sender's table %s, ic_collide 0%s%s\n"
			   "RES: status 0x%x, table %s, ic_collide %ld\nstdout:\n%s\nstderr:\n%s",
			   c->check || c->exit ? "exact" : "not counted",
			   c->stderr_has ? ", stderr has " : "",
			   c->stderr_has ? c->stderr_has : "", r.status,
			   kok ? "as expected" : "wrong", collide, r.out, r.err);
	}
}

/*
 * In a chroot, "/" is not a mount point, so the private tracefs cannot
 * start by making "/" private.  The root here is a directory with the
 * static binary and /sys and /proc bound in; its /sys is made shared, so a
 * mount icmpcount failed to keep private would show in our namespace too.
 * A sender outside the root is counted, and no tracefs mount is left.
 */
static void test_chroot(void)
{
	char root[] = "/tmp/icmpcount-chroot.XXXXXX", dir[256], bin[256];
	char cmd[8192], tail[128];
	const char *argv[] = { "chroot", root, "/bin/icmpcount", "-d", "3",
			       NULL };
	static struct run r;
	int ok = 0, leaked = -1, mounted = 0, before;
	long got = -1;

	if (!test_start("in a chroot, where / is not a mount point, it mounts a private tracefs, counts and leaves no mount"))
		return;
	if (!is_static(icmpcount_path)) {
		test_skip("%s is not static: it cannot run in an empty root (make asan's)",
			  icmpcount_path);
		return;
	}
	if (!mkdtemp(root)) {
		test_fail("cannot make %s: %s", root, strerror(errno));
		return;
	}
	snprintf(cmd, sizeof(cmd),
		 "mkdir -p %s/bin %s/sys %s/proc && cp %s %s/bin/icmpcount && "
		 "mount --bind /sys %s/sys && mount --make-shared %s/sys && "
		 "mount --bind /proc %s/proc",
		 root, root, root, icmpcount_path, root, root, root, root);
	before = tracefs_mounts("/proc/self/mountinfo");
	if (system(cmd) == 0) {
		mounted = 1;
		ok = run_start(&r, argv, 0) == 0 && run_wait_tracing(&r, 10) == 0;
		if (ok) {
			snprintf(cmd, sizeof(cmd), "%s --send ic_chroot", test_self);
			ok = system(cmd) == 0;
		}
		run_finish(&r, ok ? 0 : SIGINT, 15);
		got = count_of(r.out, "ic_chroot");
		leaked = tracefs_mounts("/proc/self/mountinfo") - before;
	}
	snprintf(dir, sizeof(dir), "%s/sys", root);
	snprintf(bin, sizeof(bin), "%s/proc", root);
	if (mounted) {
		umount2(dir, MNT_DETACH);
		umount2(bin, MNT_DETACH);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	if (system(cmd) != 0)
		snprintf(tail, sizeof(tail), " (and cannot remove %s)", root);
	else
		tail[0] = '\0';
	test_check(ok && exited_with(&r, 0) && got == SENDS && leaked == 0,
		   "EXP: exit 0, ic_chroot %d, no tracefs mount left\n"
		   "RES: %s, status 0x%x, ic_chroot %ld, %d more tracefs mounts%s\n"
		   "stdout:\n%s\nstderr:\n%s",
		   SENDS, ok ? "ran" : "did not run", r.status, got, leaked,
		   tail, r.out, r.err);
}

/* Attached, the tracer holds no capability: it reads its maps by fd. */
static void test_caps_dropped(void)
{
	const char *argv[] = { icmpcount_path, NULL };
	char path[64], line[256];
	static struct run r;
	unsigned long long eff = ~0ULL;
	FILE *f;

	if (!test_start("once attached, icmpcount keeps no capability"))
		return;
	if (run_start(&r, argv, 0) == 0 && run_wait_tracing(&r, 10) == 0) {
		snprintf(path, sizeof(path), "/proc/%d/status", (int)r.pid);
		f = fopen(path, "r");
		while (f && fgets(line, sizeof(line), f))
			if (sscanf(line, "CapEff: %llx", &eff) == 1)
				break;
		if (f)
			fclose(f);
	}
	run_finish(&r, SIGINT, 10);
	test_check(eff == 0 && exited_with(&r, 0),
		   "EXP: CapEff 0 while tracing, exit 0\nRES: CapEff %llx, status 0x%x",
		   eff, r.status);
}

/*
 * What the kernel runs: the program's instructions after the verifier
 * (xlated), against bpftrace's 84 for the reference script, and against
 * the same program with no option: an option that is off must leave
 * nothing behind (the verifier removes dead code from 5.1 on).  Without
 * -x there is one program, on sys_enter_sendto.  The hand program writes
 * an option that is off as "goto +0" (prog_hand.c's OPT): none of those
 * may be left in what the kernel runs.
 */
enum { NO_NOPS = 2 };

static const struct xlated_case {
	const char *name;
	const char *program;
	const char *opt;	/* NULL: no option */
	int cmp;		/* -1 fewer, 1 more than with no option; 0: < 84;
				 * NO_NOPS: no goto +0 with this option */
} xlated_cases[] = {
	{ .name = "the hand program with no option runs fewer than 84 instructions (bpftrace's)",
	  .program = "hand", .cmp = 0 },
	{ .name = "the clang program with no option runs fewer than 84 instructions (bpftrace's)",
	  .program = "clang", .cmp = 0 },
	{ .name = "the hand program runs more with -6 than with no option",
	  .program = "hand", .opt = "-6", .cmp = 1 },
	{ .name = "the hand program runs more with -p than with no option",
	  .program = "hand", .opt = "-p", .cmp = 1 },
	{ .name = "the hand program runs fewer with -a than with no option",
	  .program = "hand", .opt = "-a", .cmp = -1 },
	{ .name = "the clang program runs more with -6 than with no option",
	  .program = "clang", .opt = "-6", .cmp = 1 },
	{ .name = "the hand program with no option: no goto +0 of an option is left",
	  .program = "hand", .cmp = NO_NOPS },
	{ .name = "the hand program with -6: no goto +0 of another option is left",
	  .program = "hand", .opt = "-6", .cmp = NO_NOPS },
	{ .name = "the hand program with -a: no goto +0 of another option is left",
	  .program = "hand", .opt = "-a", .cmp = NO_NOPS },
};

/*
 * The program's size after the verifier, while it is attached, and how
 * many of its instructions are "goto +0".
 */
static int xlated_size(const char *program, const char *opt,
		       unsigned int *xlated, unsigned int *nops)
{
	static struct bpf_insn insns[4096];
	const char *argv[8] = { icmpcount_path, "-P", program };
	unsigned int ids[16] = { 0 };
	int is_map[16] = { 0 }, ok, n = 3;
	static struct run r;
	char pid[16];
	size_t i, nids = 0;

	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	if (opt) {
		argv[n++] = opt;
		if (strcmp(opt, "-p") == 0)
			argv[n++] = pid;
	}
	*xlated = 0;
	ok = run_start(&r, argv, 0) == 0 && run_wait_tracing(&r, 10) == 0;
	if (ok)
		nids = bpf_ids_of(r.pid, ids, is_map, ARRAY_SIZE(ids));
	for (i = 0; i < nids && !*xlated; i++) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);
		int fd;

		if (is_map[i])
			continue;
		fd = bpf_prog_get_fd_by_id(ids[i]);
		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		info.xlated_prog_len = sizeof(insns);
		info.xlated_prog_insns = (__u64)(unsigned long)insns;
		if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0 &&
		    info.xlated_prog_len <= sizeof(insns))
			*xlated = info.xlated_prog_len / 8;
		close(fd);
	}
	*nops = 0;
	for (i = 0; i < *xlated; i++)
		if (insns[i].code == (BPF_JMP | BPF_JA) && insns[i].off == 0 &&
		    insns[i].imm == 0)
			(*nops)++;
	run_finish(&r, SIGINT, 10);
	return ok && *xlated ? 0 : -1;
}

static void test_xlated(void)
{
	unsigned int base[2], x, nops;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(xlated_cases); i++) {
		const struct xlated_case *c = &xlated_cases[i];
		int k = strcmp(c->program, "clang") == 0;

		if (!test_start(c->name))
			continue;
		if (c->cmp == NO_NOPS) {
			test_check(xlated_size(c->program, c->opt, &x, &nops) == 0 &&
				   nops == 0,
				   "EXP: no goto +0 in the %s program after the verifier\n"
				   "RES: %u of %u instructions", c->program, nops, x);
			continue;
		}
		if (xlated_size(c->program, NULL, &base[k], &nops) != 0) {
			test_skip("icmpcount -P %s cannot trace here", c->program);
			continue;
		}
		if (!c->opt) {
			test_check(base[k] < 84,
				   "EXP: fewer than 84 instructions after the verifier\nRES: %u",
				   base[k]);
			continue;
		}
		if (xlated_size(c->program, c->opt, &x, &nops) != 0) {
			test_fail("EXP: icmpcount -P %s %s traces\nRES: it did not",
				  c->program, c->opt);
			continue;
		}
		test_check(c->cmp > 0 ? x > base[k] : x < base[k],
			   "EXP: %s than %u instructions (no option)\nRES: %u with %s",
			   c->cmp > 0 ? "more" : "fewer", base[k], x, c->opt);
	}
}

/* SIGKILL while attached: the kernel must drop everything with the fds. */
static void test_sigkill(void)
{
	const char *argv[] = { icmpcount_path, "-x", NULL };
	unsigned int ids[16];
	int is_map[16], ok;
	static struct run r;
	size_t n = 0, left;

	if (!test_start("SIGKILL while attached leaves none of its programs or maps"))
		return;
	ok = run_start(&r, argv, 0) == 0 && run_wait_tracing(&r, 10) == 0;
	if (ok)
		n = bpf_ids_of(r.pid, ids, is_map, ARRAY_SIZE(ids));
	run_finish(&r, SIGKILL, 10);
	left = bpf_ids_alive(ids, is_map, n);
	test_check(ok && n >= 4 && left == 0,
		   "EXP: tracing with 2 programs and 2 maps, then none of them left\n"
		   "RES: started %d, held %zu, %zu left", ok, n, left);
}

/* The ids before the tier's first run: what came after is ours to check. */
static __u32 prog_base, map_base;

static void test_no_leftovers(void)
{
	char ids[256];
	int left, mounts_before, mounts_after;

	if (!test_start("no program or map of this tier's runs is left unheld"))
		return;
	left = orphans(prog_base, map_base, ids, sizeof(ids));
	test_check(left == 0, "EXP: 0 objects named icmpcount* that no process holds\n"
		   "RES: %d:%s", left, ids);

	if (!test_start("no tracefs mount is left in the first mount namespace"))
		return;
	mounts_before = tracefs_mounts("/proc/1/mountinfo");
	{
		const char *argv[] = { icmpcount_path, "-c", "true", NULL };
		static struct run r;

		if (run_start(&r, argv, RUN_NO_TRACEFS) == 0)
			run_finish(&r, 0, 10);
	}
	mounts_after = tracefs_mounts("/proc/1/mountinfo");
	test_check(mounts_before >= 0 && mounts_before == mounts_after,
		   "EXP: %d tracefs mounts in /proc/1/mountinfo\nRES: %d",
		   mounts_before, mounts_after);
}

/*
 * The tier runs in a mount namespace of its own with tracefs mounted, which
 * bpftrace needs; cases that want it unmounted take it away in theirs.
 */
static int private_tracefs(void)
{
	struct stat st;

	if (private_mount_ns() != 0)
		return -1;
	if (stat("/sys/kernel/tracing/events", &st) == 0)
		return 0;
	return mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, NULL);
}

void run_kern_tests(void)
{
	if (geteuid() == 0 && private_tracefs() != 0)
		test_skip_rest("cannot mount tracefs in a private namespace");

	prog_base = last_id(BPF_PROG_GET_NEXT_ID);
	map_base = last_id(BPF_MAP_GET_NEXT_ID);
	test_sender_table();
	test_runs();
	test_caps_dropped();
	test_chroot();
	test_compat();
	test_verbose_vs_strace();
	test_dump_vs_llvm_mc("-S text is what llvm-mc reads from its bytes (hand)", "");
	test_dump_vs_llvm_mc("-S text is what llvm-mc reads from its bytes (hand -x -6 -a -p 1)",
			     "-x -6 -a -p 1");
	test_dump_vs_llvm_mc("-S text is what llvm-mc reads from its bytes (clang -x)",
			     "-P clang -x");
	test_dump_vs_objdump();
	test_man_page();
	test_xlated();
	test_sigkill();
	test_no_leftovers();
}

/*
 * The -c commands of the run cases:
 *	tests --send COMM	SENDS echo requests as COMM
 *	tests --send-comms N	the same from N processes, ic_m0 to ic_mN-1
 *	tests --send-paced COMM	SENDS at once, 2 more at 1.5 s, exit at 2.5 s
 *	tests --send-udp COMM	SENDS echo-shaped UDP payloads: no privilege
 *	tests --send-nameless -	SENDS echo requests with an empty comm
 */
void kern_send_main(const char *mode, const char *arg)
{
	struct send_case c = send_cases[0];
	int i, n;

	if (strcmp(mode, "--send-comms") == 0) {
		n = atoi(arg);
		for (i = 0; i < n; i++) {
			char comm[16];
			pid_t pid;

			snprintf(comm, sizeof(comm), "ic_m%d", i);
			pid = fork();
			if (pid == 0)
				send_one_echo(comm);
			waitpid(pid, NULL, 0);
		}
		exit(0);
	}
	if (strcmp(mode, "--send-udp") == 0) {
		for (i = 0; i < (int)ARRAY_SIZE(send_cases); i++)
			if (send_cases[i].sock == S_UDP4)
				c = send_cases[i];
		c.comm = arg;
		send_case(&c);
	}
	if (strcmp(mode, "--send-nameless") == 0)
		send_one_echo("");
	if (strcmp(mode, "--send-paced") == 0) {
		pid_t pid = fork();

		if (pid == 0)
			send_one_echo(arg);
		waitpid(pid, NULL, 0);
		usleep(1500 * 1000);
		c.comm = arg;
		pid = fork();
		if (pid == 0) {
			prctl(PR_SET_NAME, arg);
			send_n(&c, 2);
		}
		waitpid(pid, NULL, 0);
		usleep(1000 * 1000);
		exit(0);
	}
	send_one_echo(arg);
}
