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
#include <sys/wait.h>
#include <grp.h>

#include <linux/bpf.h>

#include "icmpcount.h"
#include "test.h"

#define SENDS		3	/* sendto() calls per sender case */
#define OUT_MAX		(64 * 1024)

static const char *reference_dir = "../shared/reference";

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
};

enum run_flags {
	RUN_NO_TRACEFS = 1 << 0,	/* unmount tracefs first, in a namespace of its own */
	RUN_NOBODY = 1 << 1,		/* run as uid/gid 65534 with no capabilities */
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void umount_tracefs(void)
{
	if (unshare(CLONE_NEWNS) != 0 ||
	    mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
		_exit(126);
	/* Mounted twice over is possible: take them all off. */
	while (umount2("/sys/kernel/tracing", MNT_DETACH) == 0)
		;
	while (umount2("/sys/kernel/debug/tracing", MNT_DETACH) == 0)
		;
	while (umount2("/sys/kernel/debug", MNT_DETACH) == 0)
		;
}

static void become_nobody(void)
{
	if (setgroups(0, NULL) != 0 || setgid(65534) != 0 || setuid(65534) != 0)
		_exit(126);
}

/* execvp() wants char *const *: hand it copies, in the child. */
static void __attribute__((noreturn)) exec_copy(const char *const argv[])
{
	char *v[32];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(v) - 1 && argv[i]; i++)
		v[i] = strdup(argv[i]);
	v[i] = NULL;
	execvp(v[0], v);
	_exit(127);
}

static int run_start(struct run *r, const char *const argv[], int flags)
{
	int out[2], err[2];

	memset(r, 0, sizeof(*r));
	if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0)
		return -1;
	r->pid = fork();
	if (r->pid < 0)
		return -1;
	if (r->pid == 0) {
		dup2(out[1], 1);
		dup2(err[1], 2);
		if (flags & RUN_NO_TRACEFS)
			umount_tracefs();
		if (flags & RUN_NOBODY)
			become_nobody();
		exec_copy(argv);
	}
	close(out[1]);
	close(err[1]);
	r->out_fd = out[0];
	r->err_fd = err[0];
	return 0;
}

/* Reads what is there; returns 0 once both pipes are at EOF. */
static int run_read(struct run *r, int timeout_ms)
{
	struct pollfd p[2] = {
		{ .fd = r->out_fd, .events = POLLIN },
		{ .fd = r->err_fd, .events = POLLIN },
	};
	char *buf[2] = { r->out, r->err };
	size_t *len[2] = { &r->out_len, &r->err_len };
	int i;

	if (r->out_fd < 0 && r->err_fd < 0)
		return 0;
	if (poll(p, 2, timeout_ms) <= 0)
		return 1;
	for (i = 0; i < 2; i++) {
		ssize_t n;

		if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP)))
			continue;
		n = read(p[i].fd, buf[i] + *len[i], OUT_MAX - 1 - *len[i]);
		if (n <= 0) {
			close(p[i].fd);
			if (i == 0)
				r->out_fd = -1;
			else
				r->err_fd = -1;
			continue;
		}
		*len[i] += (size_t)n;
		buf[i][*len[i]] = '\0';
	}
	return r->out_fd >= 0 || r->err_fd >= 0;
}

/* Waits until the tracer prints its first line, or exits, or time runs out. */
static int run_wait_tracing(struct run *r, double seconds)
{
	double end = now() + seconds;

	while (now() < end) {
		if (strstr(r->out, "Tracing sendto() syscalls.\n"))
			return 0;
		if (!run_read(r, 100))
			return -1;
	}
	r->timed_out = 1;
	return -1;
}

/* Sends sig (0: none, wait for a natural end) and collects everything. */
static int run_finish(struct run *r, int sig, double seconds)
{
	double end = now() + seconds;

	if (sig)
		kill(r->pid, sig);
	while (run_read(r, 100))
		if (now() > end) {
			r->timed_out = 1;
			kill(r->pid, SIGKILL);
			end += 5;
		}
	if (waitpid(r->pid, &r->status, 0) != r->pid)
		return -1;
	return 0;
}

static int exited_with(const struct run *r, int code)
{
	return WIFEXITED(r->status) && WEXITSTATUS(r->status) == code;
}

/* The count printed for comm after "Done tracing", 0 if none. */
static long count_of(const char *out, const char *comm)
{
	const char *p = strstr(out, "Done tracing sendto() syscalls.\n");
	char pat[64];

	if (!p)
		return -1;
	snprintf(pat, sizeof(pat), "\n@[%s]: ", comm);
	p = strstr(p, pat);
	return p ? strtol(p + strlen(pat), NULL, 10) : 0;
}

/*
 * Objects of ours left in the kernel: programs and maps named "icmpcount*".
 * The kernel frees a program shortly after its last fd closes, so callers
 * poll for a moment before they call it a leak.
 */
static int sys_bpf(int cmd, union bpf_attr *attr)
{
	return (int)syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static int count_named(int get_next, int get_fd, const char *name)
{
	union bpf_attr attr;
	__u32 id = 0;
	int n = 0;

	for (;;) {
		struct bpf_prog_info pinfo;
		struct bpf_map_info minfo;
		int fd;

		memset(&attr, 0, sizeof(attr));
		attr.start_id = id;
		if (sys_bpf(get_next, &attr) != 0)
			break;
		id = attr.next_id;
		memset(&attr, 0, sizeof(attr));
		attr.prog_id = id;	/* prog_id and map_id share the slot */
		fd = sys_bpf(get_fd, &attr);
		if (fd < 0)
			continue;
		memset(&attr, 0, sizeof(attr));
		memset(&pinfo, 0, sizeof(pinfo));
		memset(&minfo, 0, sizeof(minfo));
		attr.info.bpf_fd = (__u32)fd;
		if (get_next == BPF_PROG_GET_NEXT_ID) {
			attr.info.info_len = sizeof(pinfo);
			attr.info.info = (__u64)(unsigned long)&pinfo;
		} else {
			attr.info.info_len = sizeof(minfo);
			attr.info.info = (__u64)(unsigned long)&minfo;
		}
		if (sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr) == 0 &&
		    strncmp(get_next == BPF_PROG_GET_NEXT_ID ? pinfo.name :
			    minfo.name, name, strlen(name)) == 0)
			n++;
		close(fd);
	}
	return n;
}

static int leftovers(void)
{
	double end = now() + 3;
	int n;

	do {
		n = count_named(BPF_PROG_GET_NEXT_ID, BPF_PROG_GET_FD_BY_ID,
				"icmpcount") +
		    count_named(BPF_MAP_GET_NEXT_ID, BPF_MAP_GET_FD_BY_ID,
				"icmpcount");
		if (n == 0)
			return 0;
		usleep(50 * 1000);
	} while (now() < end);
	return n;
}

static int tracefs_mounts(const char *mountinfo)
{
	char line[1024];
	FILE *f = fopen(mountinfo, "r");
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, " - tracefs "))
			n++;
	fclose(f);
	return n;
}

static int have(const char *prog)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", prog);
	return system(cmd) == 0;
}

/*
 * The sender cases.  Each sends SENDS times; `counted` says whether the
 * reference script counts such a call.
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
	int counted;
};

#define ECHO	{ 8, 0, 0x12, 0x34, 0x56, 0x78, 0x00, 0x01 }

static const struct send_case send_cases[] = {
	{ "ic_echo", "a valid echo request is counted",
	  S_RAW4, ECHO, 64, B_OK, 0, A_IN4, -1, 1 },
	{ "ic_len9", "a 9-byte echo request is counted",
	  S_RAW4, ECHO, 9, B_OK, 0, A_IN4, -1, 1 },
	{ "ic_len1500", "a 1500-byte echo request is counted",
	  S_RAW4, ECHO, 1500, B_OK, 0, A_IN4, -1, 1 },
	{ "ic_len8", "an 8-byte echo request (len 8) is not counted",
	  S_RAW4, ECHO, 8, B_OK, 0, A_IN4, -1, 0 },
	{ "ic_len1", "a 1-byte send is not counted",
	  S_RAW4, ECHO, 1, B_OK, 0, A_IN4, -1, 0 },
	{ "ic_len0", "an empty send is not counted",
	  S_RAW4, ECHO, 0, B_OK, 0, A_IN4, -1, 0 },
	{ "ic_type0", "an echo reply (type 0) is not counted",
	  S_RAW4, { 0, 0, 1, 1, 1, 1, 0, 1 }, 64, B_OK, 0, A_IN4, -1, 0 },
	{ "ic_type13", "a timestamp request (type 13) is not counted",
	  S_RAW4, { 13, 0, 1, 1, 1, 1, 0, 1 }, 64, B_OK, 0, A_IN4, -1, 0 },
	{ "ic_code1", "an echo request with code 1 is not counted",
	  S_RAW4, { 8, 1, 1, 1, 1, 1, 0, 1 }, 64, B_OK, 0, A_IN4, -1, 0 },
	{ "ic_csum0", "an echo request with checksum 0 is not counted",
	  S_RAW4, { 8, 0, 0, 0, 1, 1, 0, 1 }, 64, B_OK, 0, A_IN4, -1, 0 },
	{ "ic_id0", "an echo request with id 0 is not counted",
	  S_RAW4, { 8, 0, 1, 1, 0, 0, 0, 1 }, 64, B_OK, 0, A_IN4, -1, 0 },
	{ "ic_seq0", "an echo request with seq 0 is not counted",
	  S_RAW4, { 8, 0, 1, 1, 1, 1, 0, 0 }, 64, B_OK, 0, A_IN4, -1, 0 },
	{ "ic_highbits", "checksum, id and seq with the top bit set count",
	  S_RAW4, { 8, 0, 0xff, 0xff, 0x00, 0x80, 0x00, 0x80 }, 64, B_OK, 0,
	  A_IN4, -1, 1 },
	{ "ic_in6", "an echo-shaped send to an AF_INET6 address is not counted",
	  S_RAW6, ECHO, 64, B_OK, 0, A_IN6, -1, 0 },
	{ "ic_in6on4", "an AF_INET6 address on an IPv4 socket is not counted",
	  S_RAW4, ECHO, 64, B_OK, 0, A_IN6, -1, 0 },
	{ "ic_unspec", "an AF_UNSPEC address is not counted",
	  S_RAW4, ECHO, 64, B_OK, 0, A_UNSPEC, -1, 0 },
	{ "ic_nulladdr", "a NULL address on a connected socket is not counted",
	  S_RAW4_CONNECTED, ECHO, 64, B_OK, 0, A_NULL, 0, 0 },
	{ "ic_connaddr", "an address on a connected socket is counted",
	  S_RAW4_CONNECTED, ECHO, 64, B_OK, 0, A_IN4, -1, 1 },
	{ "ic_nullbuf", "a NULL buffer is not counted",
	  S_RAW4, ECHO, 64, B_NULL, 0, A_IN4, -1, 0 },
	{ "ic_badbuf", "an unreadable buffer is not counted",
	  S_RAW4, ECHO, 64, B_UNMAPPED, 0, A_IN4, -1, 0 },
	{ "ic_badaddr", "an unreadable address is not counted",
	  S_RAW4, ECHO, 64, B_OK, 0, A_UNMAPPED, -1, 0 },
	{ "ic_splitaddr", "an address whose family straddles a hole is not counted",
	  S_RAW4, ECHO, 64, B_OK, 0, A_STRADDLE, -1, 0 },
	{ "ic_split1", "a header with 1 byte before a hole is not counted",
	  S_RAW4, ECHO, 64, B_STRADDLE, 1, A_IN4, -1, 0 },
	{ "ic_split2", "a header with 2 bytes before a hole is not counted",
	  S_RAW4, ECHO, 64, B_STRADDLE, 2, A_IN4, -1, 0 },
	{ "ic_split4", "a header with 4 bytes before a hole is not counted",
	  S_RAW4, ECHO, 64, B_STRADDLE, 4, A_IN4, -1, 0 },
	{ "ic_split6", "a header with 6 bytes before a hole is not counted",
	  S_RAW4, ECHO, 64, B_STRADDLE, 6, A_IN4, -1, 0 },
	{ "ic_split7", "a header with 7 bytes before a hole is not counted",
	  S_RAW4, ECHO, 64, B_STRADDLE, 7, A_IN4, -1, 0 },
	{ "ic_split8", "a whole header before a hole is counted (the call fails)",
	  S_RAW4, ECHO, 64, B_STRADDLE, 8, A_IN4, -1, 1 },
	{ "ic_udp", "an echo-shaped payload on a UDP socket is counted",
	  S_UDP4, ECHO, 64, B_OK, 0, A_IN4, -1, 1 },
	{ "ic_addrlen3", "a bad addrlen (3) is counted though the call fails",
	  S_RAW4, ECHO, 64, B_OK, 0, A_IN4, 3, 1 },
	{ "ic_addrlen0", "addrlen 0 with an address is counted",
	  S_RAW4, ECHO, 64, B_OK, 0, A_IN4, 0, 1 },
	{ "ic_badfd", "a send on a bad fd is counted though the call fails",
	  S_BADFD, ECHO, 64, B_OK, 0, A_IN4, -1, 1 },
	{ "ic_hugelen", "a length of SIZE_MAX is counted though the call fails",
	  S_RAW4, ECHO, (size_t)-1, B_OK, 0, A_IN4, -1, 1 },
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

/* Runs in the case's own process: sets the comm, sends, exits. */
static void __attribute__((noreturn)) send_case(const struct send_case *c)
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
	for (i = 0; i < SENDS; i++)
		sendto(fd, b, c->len, MSG_DONTWAIT, a, alen);
	_exit(0);
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
 * The sender table, traced by icmpcount and, at the same time, by the
 * reference script when bpftrace is installed.
 */
static void test_sender_table(void)
{
	char script[512];
	const char *ic_argv[] = { icmpcount_path, NULL };
	const char *bt_argv[] = { "bpftrace", script, NULL };
	static struct run ic, bt;
	const char *no_bt = NULL;
	int setup_ok, bt_ok = 0;
	size_t i;

	snprintf(script, sizeof(script), "%s/sendto_count.bt", reference_dir);
	if (!have("bpftrace"))
		no_bt = "bpftrace is not installed";
	else if (access(script, R_OK) != 0)
		no_bt = "no reference script (set ICMPCOUNT_REFERENCE)";
	else
		bt_ok = run_start(&bt, bt_argv, 0) == 0 &&
			run_wait_tracing(&bt, 60) == 0;

	setup_ok = run_start(&ic, ic_argv, 0) == 0 &&
		   run_wait_tracing(&ic, 10) == 0 &&
		   run_send_cases() == 0;
	if (ic.pid > 0)
		run_finish(&ic, SIGINT, 10);
	if (bt.pid > 0)
		run_finish(&bt, SIGINT, 30);
	if (!no_bt && !bt_ok)
		no_bt = "bpftrace did not start";

	for (i = 0; i < ARRAY_SIZE(send_cases); i++) {
		const struct send_case *c = &send_cases[i];
		long want = c->counted ? SENDS : 0;
		long got = count_of(ic.out, c->comm);

		if (!test_start(c->name))
			continue;
		if (!setup_ok || !exited_with(&ic, 0)) {
			test_fail("EXP: icmpcount traces the senders and exits 0\n"
				  "RES: status %d\nstdout:\n%s\nstderr:\n%s",
				  ic.status, ic.out, ic.err);
			continue;
		}
		test_check(got == want, "EXP: @[%s]: %ld\nRES: %ld",
			   c->comm, want, got);
	}
	for (i = 0; i < ARRAY_SIZE(send_cases); i++) {
		const struct send_case *c = &send_cases[i];
		char name[160];
		long ref, got;

		snprintf(name, sizeof(name), "reference script agrees: %s",
			 c->comm);
		if (!test_start(name))
			continue;
		if (no_bt) {
			test_skip("%s", no_bt);
			continue;
		}
		ref = count_of(bt.out, c->comm);
		got = count_of(ic.out, c->comm);
		test_check(ref == got, "EXP: bpftrace @[%s]: %ld\nRES: icmpcount %ld",
			   c->comm, ref, got);
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
	const char *stdout_has, *stderr_has;
	const char *needs;	/* a program that must be installed */
};

static const struct run_case run_cases[] = {
	{ "ping -c 3 under -c counts 3 for ping",
	  { "-c", "ping -c 3 -i 0.2 127.0.0.1" }, 0, 0, NULL, 0, "ping", 3,
	  "Done tracing", NULL, "ping" },
	{ "the first send of a -c command is counted",
	  { "-c", "{SELF} --send ic_first" }, 0, 0, NULL, 0, "ic_first", SENDS,
	  NULL, NULL, NULL },
	{ "SIGINT ends tracing with the report and exit 0",
	  { NULL }, 0, SIGINT, NULL, 0, NULL, 0,
	  "Tracing sendto() syscalls.\nDone tracing sendto() syscalls.\n\n\n",
	  NULL, NULL },
	{ "SIGTERM ends tracing with the report and exit 0",
	  { NULL }, 0, SIGTERM, NULL, 0, NULL, 0,
	  "Done tracing sendto() syscalls.\n", NULL, NULL },
	{ "with no tracefs mounted, it mounts a private one and counts",
	  { "-c", "{SELF} --send ic_notracefs" }, RUN_NO_TRACEFS, 0, NULL, 0,
	  "ic_notracefs", SENDS, NULL, NULL, NULL },
	{ "with bpf_probe_read forced instead of _user, it still counts",
	  { "-c", "{SELF} --send ic_probe_read" }, 0, 0,
	  "ICMPCOUNT_TEST_NO_READ_USER=1", 0, "ic_probe_read", SENDS,
	  NULL, NULL, NULL },
	{ "a -c command that does not exist is an error, exit 1",
	  { "-c", "/nonexistent/cmd" }, 0, 0, NULL, 1, NULL, 0,
	  NULL, "icmpcount: cannot run /nonexistent/cmd: No such file", NULL },
	{ "a -c command's failure is its own: icmpcount exits 0",
	  { "-c", "false" }, 0, 0, NULL, 0, NULL, 0,
	  "Done tracing", NULL, NULL },
	{ "as nobody, it fails with exit 1 and says to run as root",
	  { NULL }, RUN_NOBODY, 0, NULL, 1, NULL, 0,
	  NULL, "run as root", NULL },
	{ "as nobody with no tracefs, it fails with exit 1, run as root",
	  { NULL }, RUN_NOBODY | RUN_NO_TRACEFS, 0, NULL, 1, NULL, 0,
	  NULL, "run as root", NULL },
	{ "a tracefs id that is not a number is an error, exit 1",
	  { NULL }, 0, 0, "ICMPCOUNT_TRACEFS=tests/fixtures/bad-id", 1,
	  NULL, 0, NULL, "cannot parse tests/fixtures/bad-id/events", NULL },
	{ "a tracepoint with no id file says CONFIG_FTRACE_SYSCALLS",
	  { NULL }, 0, 0, "ICMPCOUNT_TRACEFS=tests/fixtures/no-id", 1,
	  NULL, 0, NULL, "CONFIG_FTRACE_SYSCALLS", NULL },
	{ "a format file with no len field is an error, exit 1",
	  { NULL }, 0, 0, "ICMPCOUNT_TRACEFS=tests/fixtures/missing-len", 1,
	  NULL, 0, NULL, "no field 'len'", NULL },
};

static char self_path[4096];

static void expand_argv(const struct run_case *c, const char **argv, char *store,
			size_t size)
{
	size_t i, n = 0;

	argv[n++] = icmpcount_path;
	for (i = 0; i < ARRAY_SIZE(c->argv) && c->argv[i]; i++) {
		const char *s = c->argv[i], *self = strstr(s, "{SELF}");

		if (self) {
			snprintf(store, size, "%.*s%s%s", (int)(self - s), s,
				 self_path, self + 6);
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
		expand_argv(c, argv, store, sizeof(store));
		if (c->env) {
			snprintf(env, sizeof(env), "%s", c->env);
			*strchr(env, '=') = '\0';
			setenv(env, env + strlen(env) + 1, 1);
		}
		ok = run_start(&r, argv, c->flags) == 0;
		if (c->env)
			unsetenv(env);
		if (ok && c->sig) {
			ok = run_wait_tracing(&r, 10) == 0;
			run_finish(&r, c->sig, 10);
		} else if (ok) {
			run_finish(&r, 0, 30);
		}
		if (c->comm)
			got = count_of(r.out, c->comm);
		test_check(ok && !r.timed_out && exited_with(&r, c->exit_code) &&
			   (!c->comm || got == c->count) &&
			   (!c->stdout_has || strstr(r.out, c->stdout_has)) &&
			   (!c->stderr_has || strstr(r.err, c->stderr_has)),
			   "EXP: exit %d%s%s, count %ld, stdout has \"%s\", stderr has \"%s\"\n"
			   "RES: status 0x%x%s, count %ld\nstdout:\n%s\nstderr:\n%s",
			   c->exit_code, c->comm ? " for " : "", c->comm ? c->comm : "",
			   c->count, c->stdout_has ? c->stdout_has : "",
			   c->stderr_has ? c->stderr_has : "", r.status,
			   r.timed_out ? " (timed out)" : "", got, r.out, r.err);
	}
}

/* SIGKILL while attached: the kernel must drop everything with the fds. */
static void test_sigkill(void)
{
	const char *argv[] = { icmpcount_path, NULL };
	static struct run r;
	int ok, left;

	if (!test_start("SIGKILL while attached leaves no program or map"))
		return;
	ok = run_start(&r, argv, 0) == 0 && run_wait_tracing(&r, 10) == 0;
	run_finish(&r, SIGKILL, 10);
	left = leftovers();
	test_check(ok && left == 0, "EXP: tracing, then 0 objects named icmpcount\n"
		   "RES: started %d, %d left", ok, left);
}

static void test_no_leftovers(void)
{
	int left, mounts_before, mounts_after;

	if (!test_start("no program or map of ours is left after all runs"))
		return;
	left = leftovers();
	test_check(left == 0, "EXP: 0 objects named icmpcount\nRES: %d", left);

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

	if (unshare(CLONE_NEWNS) != 0 ||
	    mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
		return -1;
	if (stat("/sys/kernel/tracing/events", &st) == 0)
		return 0;
	return mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, NULL);
}

void run_kern_tests(void)
{
	const char *ref = getenv("ICMPCOUNT_REFERENCE");
	ssize_t n;

	if (ref)
		reference_dir = ref;
	n = readlink("/proc/self/exe", self_path, sizeof(self_path) - 1);
	if (n > 0)
		self_path[n] = '\0';
	if (geteuid() == 0 && private_tracefs() != 0)
		test_skip_rest("cannot mount tracefs in a private namespace");

	test_sender_table();
	test_runs();
	test_sigkill();
	test_no_leftovers();
}

/* `tests --send COMM`: the -c command of the run cases. */
void kern_send_main(const char *comm)
{
	send_one_echo(comm);
}
