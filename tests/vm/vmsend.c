// SPDX-License-Identifier: GPL-2.0
/*
 * vmsend - the sender case table for the VM tests (make vmtest).  With no
 * argument it runs each case in a forked process that names itself (its
 * comm) after the case and makes SENDS sendto() calls on loopback; with -k
 * (and -a, as icmpcount was given) it reads icmpcount's output on stdin and
 * checks each case's @[comm]: N line against the table (-x: only the sends
 * that succeed count).  It is built static
 * for each target with that target's cross gcc and glibc, as busybox-static
 * is, so its sendto() takes the same path as busybox ping's.
 * Usage: vmsend [-1 CASE | -k [-a] [-x] | -C COMM] (-1: only the case of
 * that comm).  Exits 0 when every send ran or every count was right, 1
 * otherwise.
 *
 * -C COMM (64-bit builds only): the collisions of --compat.  As COMM, a
 * native process makes the system calls whose numbers are the 32-bit
 * ABI's sendto() and socketcall() (369 and 102 on x86_64, 290 on arm64),
 * SENDS times each, with an echo request and an address below 4 GiB, as
 * tests/kern.c's send_collide() does on the host: a program that took them
 * for 32-bit calls would read the very echo request, so only the task's
 * compat word keeps them from being counted.  No icmpcount may count them.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define SENDS		3	/* sendto() calls per case */
#define SYS_SENDTO_CALL	11	/* socketcall()'s number for sendto */

enum sock_kind { S_RAW, S_RAW_CONNECTED, S_UDP, S_PING, S_BADFD };
enum buf_kind { B_OK, B_UNMAPPED };
enum addr_kind { A_IN4, A_NULL };
/* How the call reaches the kernel: libc's sendto(), or a system call. */
enum via { V_LIBC, V_SENDTO, V_SOCKETCALL };

struct send_case {
	const char *comm;
	const char *name;
	enum sock_kind sock;
	unsigned char hdr[8];
	size_t len;
	enum buf_kind buf;
	enum addr_kind addr;
	enum via via;
	int counted;		/* by default */
	int all;		/* with -a */
	int fails;		/* sendto() fails: -x counts none */
	int named;		/* runs only when named (-1), and is not checked */
};

#define ECHO	{ 8, 0, 0x12, 0x34, 0x56, 0x78, 0x00, 0x01 }

static const struct send_case send_cases[] = {
	{ "vs_echo", "a valid echo request to 127.0.0.1 is counted",
	  S_RAW, ECHO, 64, B_OK, A_IN4, V_LIBC, 1, 1, 0, 0 },
	{ "vs_len8", "an 8-byte echo request is not counted",
	  S_RAW, ECHO, 8, B_OK, A_IN4, V_LIBC, 0, 0, 0, 0 },
	{ "vs_type0", "an echo reply (type 0) is not counted",
	  S_RAW, { 0, 0, 1, 1, 1, 1, 0, 1 }, 64, B_OK, A_IN4, V_LIBC, 0, 0, 0, 0 },
	{ "vs_seq0", "seq 0 is counted only with -a",
	  S_RAW, { 8, 0, 1, 1, 1, 1, 0, 0 }, 64, B_OK, A_IN4, V_LIBC, 0, 1, 0, 0 },
	{ "vs_nulladdr", "a NULL address on a connected socket is not counted",
	  S_RAW_CONNECTED, ECHO, 64, B_OK, A_NULL, V_LIBC, 0, 0, 0, 0 },
	{ "vs_badbuf", "an unreadable buffer is not counted",
	  S_RAW, ECHO, 64, B_UNMAPPED, A_IN4, V_LIBC, 0, 0, 1, 0 },
	{ "vs_udp", "an echo payload on a UDP socket is counted",
	  S_UDP, ECHO, 64, B_OK, A_IN4, V_LIBC, 1, 1, 0, 0 },
	{ "vs_badfd", "an echo request on a bad fd is counted (not with -x)",
	  S_BADFD, ECHO, 64, B_OK, A_IN4, V_LIBC, 1, 1, 1, 0 },
	{ "vs_sys", "an echo request by the sendto system call is counted",
	  S_RAW, ECHO, 64, B_OK, A_IN4, V_SENDTO, 1, 1, 0, 0 },
	/* Only when named (-1): ping sockets need net.ipv4.ping_group_range. */
	{ "vs_pingsock", "an echo request on a ping socket (no CAP_NET_RAW) is counted",
	  S_PING, ECHO, 64, B_OK, A_IN4, V_LIBC, 1, 1, 0, 1 },
#ifdef __i386__
	{ "vs_sockcall", "an echo request by socketcall(SYS_SENDTO) is counted",
	  S_RAW, ECHO, 64, B_OK, A_IN4, V_SOCKETCALL, 1, 1, 0, 0 },
#endif
};

static int open_socket(enum sock_kind kind, const struct sockaddr_in *to)
{
	int fd;

	switch (kind) {
	case S_RAW:
		return socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	case S_RAW_CONNECTED:
		fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
		if (fd >= 0 && connect(fd, (const struct sockaddr *)to, sizeof(*to)))
			return -1;
		return fd;
	case S_UDP:
		return socket(AF_INET, SOCK_DGRAM, 0);
	case S_PING:	/* as iputils ping does without privilege */
		return socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
	case S_BADFD:
		break;
	}
	return -1;
}

static void send_one(const struct send_case *c, int fd, const void *buf,
		     const struct sockaddr_in *to, socklen_t tolen)
{
	switch (c->via) {
	case V_LIBC:
		sendto(fd, buf, c->len, MSG_DONTWAIT, (const struct sockaddr *)to,
		       tolen);
		break;
	case V_SENDTO:
		syscall(SYS_sendto, fd, buf, c->len, MSG_DONTWAIT, to, tolen);
		break;
	case V_SOCKETCALL:
#ifdef SYS_socketcall
		{
			unsigned long args[6] = {
				(unsigned long)fd, (unsigned long)buf, c->len,
				MSG_DONTWAIT, (unsigned long)to, tolen,
			};

			syscall(SYS_socketcall, SYS_SENDTO_CALL, args);
		}
#endif
		break;
	}
}

/* Runs in the case's own process: sets the comm, sends SENDS times, exits. */
static void __attribute__((noreturn)) send_case(const struct send_case *c)
{
	static unsigned char buf[256];
	struct sockaddr_in in4 = { .sin_family = AF_INET, .sin_port = htons(9) };
	const struct sockaddr_in *to = &in4;
	socklen_t tolen = sizeof(in4);
	const void *b = buf;
	int fd, i;

	prctl(PR_SET_NAME, c->comm);
	in4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	memcpy(buf, c->hdr, sizeof(c->hdr));
	if (c->buf == B_UNMAPPED) {
		b = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (b == MAP_FAILED)
			_exit(2);
	}
	fd = open_socket(c->sock, &in4);
	if (c->sock != S_BADFD && fd < 0)
		_exit(3);
	if (c->addr == A_NULL) {
		to = NULL;
		tolen = 0;
	}
	for (i = 0; i < SENDS; i++)
		send_one(c, fd, b, to, tolen);
	_exit(0);
}

/* Runs each case, or only the one named only, each in a process of its own. */
static int run_cases(const char *only)
{
	int bad = 0, ran = 0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(send_cases); i++) {
		int status;
		pid_t pid;

		if (only ? strcmp(only, send_cases[i].comm) != 0 :
			   send_cases[i].named)
			continue;
		ran++;
		pid = fork();
		if (pid < 0) {
			perror("vmsend: fork");
			return 1;
		}
		if (pid == 0)
			send_case(&send_cases[i]);
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0) {
			fprintf(stderr, "vmsend: case %s could not send (status %#x)\n",
				send_cases[i].comm, (unsigned int)status);
			bad = 1;
		}
	}
	if (!ran) {
		fprintf(stderr, "vmsend: no case %s\n", only);
		return 1;
	}
	return bad;
}

/*
 * -C COMM: native calls that carry the 32-bit ABI's sendto() and
 * socketcall() numbers.  On x86_64, 369 is no call (ENOSYS) and 102 is
 * getuid(); on arm64, 290 is no call either.  The buffer and the address
 * are mapped at 0x20000000, so that their addresses fit the 32-bit
 * arguments a compat reading of the call would take.
 */
static int send_collide(const char *comm)
{
#if defined(__x86_64__)
	static const long numbers[] = { 369, 102 };	/* i386's */
#elif defined(__aarch64__)
	static const long numbers[] = { 290 };		/* arm's */
#else
	static const long numbers[] = { 0 };
#endif
	static const unsigned char hdr[8] = ECHO;
	unsigned char *low, *echo;
	struct sockaddr_in *to;
	unsigned int *words;
	size_t i;
	int fd, k;

	if (!numbers[0]) {
		fprintf(stderr, "vmsend: -C is for 64-bit builds (x86_64, arm64)\n");
		return 2;
	}
	low = mmap((void *)0x20000000, 4096, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (low == MAP_FAILED) {
		perror("vmsend: mmap at 0x20000000");
		return 1;
	}
	echo = low;
	to = (struct sockaddr_in *)(low + 64);
	words = (unsigned int *)(low + 128);
	prctl(PR_SET_NAME, comm);
	memcpy(echo, hdr, sizeof(hdr));
	to->sin_family = AF_INET;
	to->sin_port = htons(9);
	to->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
	if (fd < 0) {
		perror("vmsend: socket");
		return 1;
	}
	/* socketcall(SYS_SENDTO, words): the six 32-bit words of i386. */
	words[0] = (unsigned int)fd;
	words[1] = (unsigned int)(unsigned long)echo;
	words[2] = 64;
	words[3] = MSG_DONTWAIT;
	words[4] = (unsigned int)(unsigned long)to;
	words[5] = sizeof(*to);
	for (k = 0; k < SENDS; k++)
		for (i = 0; i < ARRAY_SIZE(numbers); i++) {
			if (numbers[i] == 102)
				syscall(numbers[i], SYS_SENDTO_CALL, words);
			else
				syscall(numbers[i], fd, echo, 64, MSG_DONTWAIT,
					to, sizeof(*to));
		}
	return 0;
}

/* The count of comm in icmpcount's output, or 0 without a line for it. */
static long count_of(char lines[][128], size_t n, const char *comm)
{
	size_t i, len = strlen(comm);

	for (i = 0; i < n; i++)
		if (!strncmp(lines[i], "@[", 2) &&
		    !strncmp(lines[i] + 2, comm, len) &&
		    !strncmp(lines[i] + 2 + len, "]: ", 3))
			return strtol(lines[i] + 5 + len, NULL, 10);
	return 0;
}

static int known(const char *line)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(send_cases); i++) {
		size_t len = strlen(send_cases[i].comm);

		if (!strncmp(line + 2, send_cases[i].comm, len) &&
		    line[2 + len] == ']')
			return 1;
	}
	return 0;
}

/* Why a case's count may be 0 where it should not be, on this target. */
static const char *hint(const struct send_case *c)
{
#ifdef __i386__
	if (c->via == V_LIBC)
		return " (on i386 libc's sendto() goes through socketcall():"
		       " is syscalls:sys_enter_socketcall hooked?)";
	if (c->via == V_SOCKETCALL)
		return " (is syscalls:sys_enter_socketcall hooked?)";
#else
	(void)c;
#endif
	return "";
}

static int check_counts(int all, int xonly)
{
	static char lines[256][128];
	size_t n = 0, i;
	int passed = 0, failed = 0;

	while (n < ARRAY_SIZE(lines) && fgets(lines[n], sizeof(lines[n]), stdin))
		n++;
	for (i = 0; i < ARRAY_SIZE(send_cases); i++) {
		const struct send_case *c = &send_cases[i];
		long want = (all ? c->all : c->counted) &&
			    !(xonly && c->fails) ? SENDS : 0;
		long got = count_of(lines, n, c->comm);

		if (c->named)
			continue;
		if (got == want) {
			printf("  ok   %-12s %ld  %s\n", c->comm, got, c->name);
			passed++;
		} else {
			printf("  FAIL %-12s %s\n       EXP: %ld\n       RES: %ld%s\n",
			       c->comm, c->name, want, got,
			       got ? "" : hint(c));
			failed++;
		}
	}
	/* A line for a comm we did not send from means a stray count. */
	for (i = 0; i < n; i++)
		if (!strncmp(lines[i], "@[vs_", 5) && !known(lines[i])) {
			printf("  FAIL unexpected line: %s", lines[i]);
			failed++;
		}
	printf("  vmsend: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}

int main(int argc, char **argv)
{
	int all = 0, xonly = 0, i;

	if (argc == 1)
		return run_cases(NULL);
	if (argc == 3 && !strcmp(argv[1], "-1"))
		return run_cases(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "-C"))
		return send_collide(argv[2]);
	if (strcmp(argv[1], "-k") != 0)
		goto usage;
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "-a"))
			all = 1;
		else if (!strcmp(argv[i], "-x"))
			xonly = 1;
		else
			goto usage;
	}
	return check_counts(all, xonly);
usage:
	fprintf(stderr, "usage: vmsend [-1 CASE | -k [-a] [-x] | -C COMM]\n");
	return 2;
}
