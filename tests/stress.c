// SPDX-License-Identifier: GPL-2.0
/*
 * stress.c - the hardening tier.  First, traffic that every tracer sees at
 * once (icmpcount in each mode, and the reference scripts where bpftrace is
 * installed): threads at full speed on every CPU, processes and threads
 * that come and go, comms that change mid-run, and a seeded stream of
 * random sendto() calls whose counts a userspace oracle of the predicate
 * predicts.  Then faults (SIGKILL, a signal during start-up, a -c command
 * that crashes, is killed or does not exist), two instances at once, and
 * a stdout that is closed, full or gone.  After each, nothing of the
 * instance may be left: not its programs and maps (their ids, read from its
 * fdinfo while it ran), not a new "icmpcount" object that no process holds,
 * not a tracefs mount.  Comms start with "st" and our pid in three base-36
 * digits, so another run of these tests at the same time counts apart.
 * Replay the random traffic with ICMPCOUNT_SEED=N.  Needs root.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
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

#include <linux/bpf.h>

#include "icmpcount.h"
#include "bpf.h"
#include "test.h"

static char tag[8];		/* "st" and three base-36 digits of our pid */
static unsigned long long seed;
static struct sockaddr_in lo4;	/* 127.0.0.1, port 9 (discard) */

/*
 * An echo request with every field set; a wrong checksum, so no reply.
 * Writable, and written at set-up: the program reads user memory without
 * faulting it in, so a send from a page the process has not touched yet
 * (a constant, in a child fresh from fork) is not counted, by icmpcount or
 * by the reference.  The senders touch what they send from first, and
 * one workload checks that case on its own.
 */
static unsigned char echo_buf[64] = { 8, 0, 0x12, 0x34, 0x56, 0x78, 0, 1 };
/* The same with seq 0: counted only with -a. */
static unsigned char seq0_buf[64] = { 8, 0, 0x12, 0x34, 0x56, 0x78, 0, 0 };

/* Reads every page of [p, p + n), so each is mapped when sendto() comes. */
static void warm(const void *p, size_t n)
{
	const volatile unsigned char *c = p;
	size_t i;

	for (i = 0; i < n; i += 64)
		(void)c[i];
	(void)c[n - 1];
}

static void __attribute__((format(printf, 2, 3)))
mkcomm(char comm[COMM_LEN], const char *fmt, ...)
{
	char full[64] = "";
	va_list ap;
	int n = snprintf(full, sizeof(full), "%s_", tag);

	va_start(ap, fmt);
	vsnprintf(full + n, sizeof(full) - (size_t)n, fmt, ap);
	va_end(ap);
	/* What the kernel keeps of a longer name. */
	memcpy(comm, full, COMM_LEN - 1);
	comm[COMM_LEN - 1] = '\0';
}

/*
 * What each comm must count, per column, in memory the senders share: the
 * parent names the comms before it forks, the senders add what they sent.
 */
enum column { COL_ENTRY, COL_ALL, COL_EXIT, NCOLS };
enum role { ROLE_ONE, ROLE_SUM, ROLE_PARTNER };	/* SUM: with the next one */

struct expect {
	char comm[COMM_LEN];
	int workload;
	enum role role;
	long n[NCOLS];
};

#define MAX_EXPECT	512

struct shared {
	int n;
	struct expect e[MAX_EXPECT];
};

static struct shared *sh;

static int expect_add(int workload, const char *comm, enum role role)
{
	struct expect *e;

	if (sh->n == MAX_EXPECT)
		abort();
	e = &sh->e[sh->n];
	snprintf(e->comm, sizeof(e->comm), "%s", comm);
	e->workload = workload;
	e->role = role;
	return sh->n++;
}

/* A sender's tally: sends counted by default, with -a, and with -x. */
struct tally {
	long entry, all, exit;
};

static void expect_count(int i, const struct tally *t)
{
	__atomic_add_fetch(&sh->e[i].n[COL_ENTRY], t->entry, __ATOMIC_RELAXED);
	__atomic_add_fetch(&sh->e[i].n[COL_ALL], t->all, __ATOMIC_RELAXED);
	__atomic_add_fetch(&sh->e[i].n[COL_EXIT], t->exit, __ATOMIC_RELAXED);
}

static int raw4_socket(void)
{
	return socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
}

/*
 * n echo requests to 127.0.0.1, one in raw_every on the raw socket and the
 * rest on fd -1: counted on entry, cheap, and failing, so not with -x.
 */
static void send_mix(int raw, long n, int raw_every, struct tally *t)
{
	long i;

	warm(echo_buf, sizeof(echo_buf));
	warm(&lo4, sizeof(lo4));
	for (i = 0; i < n; i++) {
		int fd = raw_every && i % raw_every == 0 ? raw : -1;
		ssize_t r = sendto(fd, echo_buf, sizeof(echo_buf), MSG_DONTWAIT,
				   (struct sockaddr *)&lo4, sizeof(lo4));

		t->entry++;
		t->all++;
		if (r >= 0)
			t->exit++;
	}
}

static void pin(int cpu)
{
	long ncpus = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t set;

	if (cpu < 0 || ncpus < 1)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu % ncpus, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/* Waits for the senders; returns how many did not exit 0. */
static int reap(const pid_t *pids, int n)
{
	int i, bad = 0;

	for (i = 0; i < n; i++) {
		int status;

		if (pids[i] <= 0 || waitpid(pids[i], &status, 0) != pids[i] ||
		    !WIFEXITED(status) || WEXITSTATUS(status) != 0)
			bad++;
	}
	return bad;
}

/*
 * The workloads.  Each names its comms, forks its senders and waits for
 * them; a sender that fails leaves a note in workload_err.
 */
static char workload_err[16][128];

/* 4 processes x 2 threads x 250000 sends: 2 million, each thread pinned. */
#define LOAD_PROCS	4
#define LOAD_THREADS	2
#define LOAD_SENDS	250000
#define LOAD_RAW_EVERY	16

struct worker {
	int cpu;
	long n;
	int raw_every;
	struct tally t;
};

static void *load_worker(void *arg)
{
	struct worker *w = arg;
	int raw = raw4_socket();

	pin(w->cpu);
	send_mix(raw, w->n, w->raw_every, &w->t);
	if (raw >= 0)
		close(raw);
	return NULL;
}

/* Runs workers in this process, adds their tallies to expectation i. */
static int run_workers(struct worker *w, int n, int i)
{
	pthread_t th[16];
	struct tally sum = { 0 };
	int k;

	for (k = 0; k < n; k++)
		if (pthread_create(&th[k], NULL, load_worker, &w[k]) != 0)
			return -1;
	for (k = 0; k < n; k++) {
		pthread_join(th[k], NULL);
		sum.entry += w[k].t.entry;
		sum.all += w[k].t.all;
		sum.exit += w[k].t.exit;
	}
	expect_count(i, &sum);
	return 0;
}

static void run_load(int wl)
{
	pid_t pids[LOAD_PROCS];
	int p;

	for (p = 0; p < LOAD_PROCS; p++) {
		char comm[COMM_LEN];
		int i;

		mkcomm(comm, "ld%d", p);
		i = expect_add(wl, comm, ROLE_ONE);
		pids[p] = fork();
		if (pids[p] == 0) {
			struct worker w[LOAD_THREADS];
			int t;

			prctl(PR_SET_NAME, comm);
			for (t = 0; t < LOAD_THREADS; t++)
				w[t] = (struct worker){ .cpu = p * LOAD_THREADS + t,
							.n = LOAD_SENDS,
							.raw_every = LOAD_RAW_EVERY };
			_exit(run_workers(w, LOAD_THREADS, i) ? 1 : 0);
		}
	}
	if (reap(pids, LOAD_PROCS))
		snprintf(workload_err[wl], sizeof(workload_err[wl]),
			 "a load process failed");
}

/*
 * Names new to the map on every CPU at once: each round, all threads take
 * the same new comm at a barrier and send at once, so their first sends
 * race to make the map element.
 */
#define RACE_ROUNDS	48
#define RACE_THREADS	4
#define RACE_SENDS	4

struct racer {
	pthread_barrier_t *bar;
	int cpu, first;
	struct tally t[RACE_ROUNDS];
};

static void *race_worker(void *arg)
{
	struct racer *r = arg;
	int raw = raw4_socket(), k;

	pin(r->cpu);
	for (k = 0; k < RACE_ROUNDS; k++) {
		prctl(PR_SET_NAME, sh->e[r->first + k].comm);
		pthread_barrier_wait(r->bar);
		send_mix(raw, RACE_SENDS, 2, &r->t[k]);
		pthread_barrier_wait(r->bar);
	}
	if (raw >= 0)
		close(raw);
	return NULL;
}

static void run_race(int wl)
{
	int k, first = -1;
	pid_t pid;

	for (k = 0; k < RACE_ROUNDS; k++) {
		char comm[COMM_LEN];
		int i;

		mkcomm(comm, "new%02d", k);
		i = expect_add(wl, comm, ROLE_ONE);
		if (first < 0)
			first = i;
	}
	pid = fork();
	if (pid == 0) {
		static struct racer r[RACE_THREADS];
		pthread_barrier_t bar;
		pthread_t th[RACE_THREADS];
		int t;

		pthread_barrier_init(&bar, NULL, RACE_THREADS);
		for (t = 0; t < RACE_THREADS; t++) {
			r[t] = (struct racer){ .bar = &bar, .cpu = t, .first = first };
			if (pthread_create(&th[t], NULL, race_worker, &r[t]) != 0)
				_exit(1);
		}
		for (t = 0; t < RACE_THREADS; t++)
			pthread_join(th[t], NULL);
		for (k = 0; k < RACE_ROUNDS; k++)
			for (t = 0; t < RACE_THREADS; t++)
				expect_count(first + k, &r[t].t[k]);
		_exit(0);
	}
	if (reap(&pid, 1))
		snprintf(workload_err[wl], sizeof(workload_err[wl]),
			 "the racing process failed");
}

/* 200 processes, 10 sends each, under 20 comms, all alive at once or not. */
#define CHURN_PROCS	200
#define CHURN_NAMES	20
#define CHURN_SENDS	10

static void run_churn(int wl)
{
	pid_t pids[CHURN_PROCS];
	int k, first = -1;

	for (k = 0; k < CHURN_NAMES; k++) {
		char comm[COMM_LEN];
		int i;

		mkcomm(comm, "ch%d", k);
		i = expect_add(wl, comm, ROLE_ONE);
		if (first < 0)
			first = i;
	}
	for (k = 0; k < CHURN_PROCS; k++) {
		pids[k] = fork();
		if (pids[k] == 0) {
			int i = first + k % CHURN_NAMES;
			struct tally t = { 0 };
			int raw;

			prctl(PR_SET_NAME, sh->e[i].comm);
			raw = raw4_socket();
			send_mix(raw, CHURN_SENDS, 3, &t);
			expect_count(i, &t);
			_exit(0);
		}
	}
	if (reap(pids, CHURN_PROCS))
		snprintf(workload_err[wl], sizeof(workload_err[wl]),
			 "a short-lived process failed");
}

/* 100 threads, 4 at a time, each with its own tid, 12 sends each. */
#define THREAD_WAVES	25
#define THREAD_WIDTH	4

static void run_thread_churn(int wl)
{
	char comm[COMM_LEN];
	pid_t pid;
	int i;

	mkcomm(comm, "thr");
	i = expect_add(wl, comm, ROLE_ONE);
	pid = fork();
	if (pid == 0) {
		int k, t;

		prctl(PR_SET_NAME, comm);
		for (k = 0; k < THREAD_WAVES; k++) {
			struct worker w[THREAD_WIDTH];

			for (t = 0; t < THREAD_WIDTH; t++)
				w[t] = (struct worker){ .cpu = -1, .n = 12,
							.raw_every = 4 };
			if (run_workers(w, THREAD_WIDTH, i) != 0)
				_exit(1);
		}
		_exit(0);
	}
	if (reap(&pid, 1))
		snprintf(workload_err[wl], sizeof(workload_err[wl]),
			 "the thread churn process failed");
}

/*
 * PR_SET_NAME mid-run: one thread sends as "before", renames itself and
 * sends as "after", while another thread of the process sends as "other".
 */
struct renamer {
	int before, after;
	long n, m;
	struct tally tb, ta;
};

static void *rename_worker(void *arg)
{
	struct renamer *r = arg;
	int raw = raw4_socket();

	prctl(PR_SET_NAME, sh->e[r->before].comm);
	send_mix(raw, r->n, 10, &r->tb);
	if (r->after >= 0) {
		prctl(PR_SET_NAME, sh->e[r->after].comm);
		send_mix(raw, r->m, 10, &r->ta);
	}
	if (raw >= 0)
		close(raw);
	return NULL;
}

static void run_rename(int wl)
{
	char b[COMM_LEN], a[COMM_LEN], o[COMM_LEN];
	int ib, ia, io;
	pid_t pid;

	mkcomm(b, "before");
	mkcomm(a, "after");
	mkcomm(o, "other");
	ib = expect_add(wl, b, ROLE_ONE);
	ia = expect_add(wl, a, ROLE_ONE);
	io = expect_add(wl, o, ROLE_ONE);
	pid = fork();
	if (pid == 0) {
		struct renamer ra = { .before = ib, .after = ia, .n = 1000, .m = 700 };
		struct renamer ro = { .before = io, .after = -1, .n = 500 };
		pthread_t t1, t2;

		if (pthread_create(&t1, NULL, rename_worker, &ra) != 0 ||
		    pthread_create(&t2, NULL, rename_worker, &ro) != 0)
			_exit(1);
		pthread_join(t1, NULL);
		pthread_join(t2, NULL);
		expect_count(ib, &ra.tb);
		expect_count(ia, &ra.ta);
		expect_count(io, &ro.tb);
		_exit(0);
	}
	if (reap(&pid, 1))
		snprintf(workload_err[wl], sizeof(workload_err[wl]),
			 "the renaming process failed");
}

/*
 * A comm changed from outside mid-burst, through /proc/self/task/TID/comm:
 * where the change falls is up to the scheduler, but the two names
 * together must count every send.
 */
#define EXT_SENDS	40000

struct ext {
	int tid;
	long done;
	struct tally t;
};

static void *ext_worker(void *arg)
{
	struct ext *e = arg;
	int raw = raw4_socket();
	long k;

	__atomic_store_n(&e->tid, (int)syscall(SYS_gettid), __ATOMIC_RELEASE);
	for (k = 0; k < EXT_SENDS; k++) {
		send_mix(raw, 1, k % 8 == 0, &e->t);
		__atomic_store_n(&e->done, k + 1, __ATOMIC_RELEASE);
	}
	if (raw >= 0)
		close(raw);
	return NULL;
}

static void run_ext_rename(int wl)
{
	char c0[COMM_LEN], c1[COMM_LEN];
	int i0;
	pid_t pid;

	mkcomm(c0, "ext0");
	mkcomm(c1, "ext1");
	i0 = expect_add(wl, c0, ROLE_SUM);
	expect_add(wl, c1, ROLE_PARTNER);
	pid = fork();
	if (pid == 0) {
		struct ext e = { 0 };
		char path[64];
		pthread_t th;
		int fd, ok;

		prctl(PR_SET_NAME, c0);
		if (pthread_create(&th, NULL, ext_worker, &e) != 0)
			_exit(1);
		while (__atomic_load_n(&e.done, __ATOMIC_ACQUIRE) < EXT_SENDS / 4)
			usleep(100);
		snprintf(path, sizeof(path), "/proc/self/task/%d/comm",
			 __atomic_load_n(&e.tid, __ATOMIC_ACQUIRE));
		fd = open(path, O_WRONLY | O_CLOEXEC);
		ok = fd >= 0 && write(fd, c1, strlen(c1)) == (ssize_t)strlen(c1);
		if (fd >= 0)
			close(fd);
		pthread_join(th, NULL);
		expect_count(i0, &e.t);
		_exit(ok ? 0 : 1);
	}
	if (reap(&pid, 1))
		snprintf(workload_err[wl], sizeof(workload_err[wl]),
			 "the process renamed from outside failed");
}

/*
 * The differential test.  Each sender process draws RANDOM_CALLS sendto()
 * calls from the seed, judges each with its own copy of the predicate (it
 * knows which bytes it left readable), makes the call, and tallies the
 * verdicts under a comm that names its buffer and address kinds:
 * st??_r<proc><buffer><address>, o ok, n NULL, u unreadable, t the bytes
 * before a hole, h a pointer into a hole that ends in readable memory.
 *
 * Real sends go to 127.0.0.1 or ::1 only: every readable address holds
 * 127.0.0.1 at sin_addr and ::1 at sin6_addr whatever its family, UDP goes
 * to port 9, the connected sockets are connected there, and ICMP types
 * that would act on the local stack (errors, redirects) are changed to an
 * unused one before the call.
 */
#define RANDOM_PROCS	4
#define RANDOM_CALLS	10000

enum buf_kind { BK_OK, BK_NULL, BK_WILD, BK_TAIL, BK_HEAD, NBK };
enum addr_kind { AK_OK, AK_NULL, AK_WILD, AK_TAIL, AK_HEAD, NAK };
static const char kind_letter[] = "onuth";

enum fd_kind { FK_BAD, FK_CLOSED, FK_NOTSOCK, FK_RAW4, FK_RAW4C, FK_UDP4,
	       FK_UDP4C, FK_RAW6, FK_PING4, NFK };

static const unsigned fd_weights[NFK] = { 22, 5, 5, 25, 8, 13, 5, 10, 7 };
static const unsigned buf_weights[NBK] = { 60, 5, 7, 18, 10 };
static const unsigned addr_weights[NAK] = { 75, 7, 5, 8, 5 };

/* Pointers no user read gets through. */
static const uintptr_t wild_ptrs[] = {
	0x10, 0xfff, UINTPTR_MAX - 4095,
#if UINTPTR_MAX > 0xffffffffu
	(uintptr_t)1 << 63, (uintptr_t)0xffffffffff600000ull,
#endif
};

/* Lengths past 32 bits and past the sign bit: len is a size_t. */
static const uint64_t huge_lens[] = {
	UINT64_MAX, UINT64_MAX - 7, 0x7fffffff, 0x80000000, 0xffffffff,
	0x100000000ull, 0x100000001ull, 0x100000008ull, 0x100000009ull,
	0x8000000000000000ull, 0x8000000000000008ull,
};

struct rng {
	uint64_t s;
};

static uint64_t rnd(struct rng *g)	/* splitmix64 */
{
	uint64_t z = (g->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static unsigned pick(struct rng *g, unsigned n)
{
	return (unsigned)(rnd(g) % n);
}

static int chance(struct rng *g, unsigned percent)
{
	return pick(g, 100) < percent;
}

static int pick_weighted(struct rng *g, const unsigned *w, int n)
{
	unsigned total = 0, x;
	int i;

	for (i = 0; i < n; i++)
		total += w[i];
	if (total == 0)		/* no weights: the first */
		return 0;
	x = pick(g, total);
	for (i = 0; i < n - 1 && x >= w[i]; i++)
		x -= w[i];
	return i;
}

/* A non-zero 16-bit field: its low byte, its high byte, or both. */
static void nonzero16(struct rng *g, unsigned char *p)
{
	switch (pick(g, 3)) {
	case 0:
		p[0] = (unsigned char)(1 + pick(g, 255));
		p[1] = 0;
		break;
	case 1:
		p[0] = 0;
		p[1] = (unsigned char)(1 + pick(g, 255));
		break;
	default:
		p[0] = (unsigned char)(1 + pick(g, 255));
		p[1] = (unsigned char)(1 + pick(g, 255));
	}
}

static void gen_hdr(struct rng *g, unsigned char h[8])
{
	static const unsigned char others[] = { 0, 13, 15, 17, 9, 10, 129, 7 };
	unsigned k = pick(g, 100);
	int i;

	for (i = 0; i < 8; i++)
		h[i] = (unsigned char)rnd(g);
	if (k >= 85)
		return;				/* 15%: random bytes */
	h[0] = 8;
	h[1] = 0;
	nonzero16(g, h + 2);
	nonzero16(g, h + 4);
	nonzero16(g, h + 6);
	if (k < 50)
		return;				/* 50%: a valid echo request */
	if (k < 70) {				/* 20%: zero checksum, id or seq */
		for (i = 2; i < 8; i += 2)
			if (chance(g, 50))
				h[i] = h[i + 1] = 0;
	} else if (k < 75) {
		h[0] = 128;			/* ICMPv6 echo request */
	} else if (k < 80) {
		h[1] = (unsigned char)(1 + pick(g, 255));
	} else {
		h[0] = others[pick(g, sizeof(others))];
	}
}

static size_t gen_len(struct rng *g)
{
	unsigned k = pick(g, 100);

	if (k < 30)
		return pick(g, 17);
	if (k < 88)
		return pick(g, 1501);
	return (size_t)huge_lens[pick(g, ARRAY_SIZE(huge_lens))];
}

static uint16_t gen_family(struct rng *g)
{
	unsigned k = pick(g, 100);

	if (k < 55)
		return AF_INET;
	if (k < 65)
		return AF_INET6;
	if (k < 72)
		return AF_UNSPEC;
	if (k < 77)
		return AF_UNIX;
	if (k < 84)				/* AF_INET's low byte, more above */
		return (uint16_t)(AF_INET | (1 + pick(g, 255)) << 8);
	if (k < 89)
		return AF_INET << 8;
	return (uint16_t)rnd(g);
}

static socklen_t gen_addrlen(struct rng *g)
{
	unsigned k = pick(g, 100);

	if (k < 55)
		return sizeof(struct sockaddr_in);
	if (k < 70)
		return sizeof(struct sockaddr_in6);
	if (k < 75)
		return 0;
	if (k < 85)
		return pick(g, 200);
	if (k < 90)
		return 1 + pick(g, 3);
	return (socklen_t)-1 - pick(g, 3);	/* negative as an int */
}

/* The sockaddr bytes every readable address starts from. */
static void fill_addr(unsigned char a[28], uint16_t family)
{
	struct in6_addr one = IN6ADDR_LOOPBACK_INIT;
	uint16_t port = htons(9);
	uint32_t in4 = htonl(INADDR_LOOPBACK);

	memset(a, 0, 28);
	memcpy(a, &family, 2);
	memcpy(a + 2, &port, 2);
	memcpy(a + 4, &in4, 4);			/* sin_addr; sin6_flowinfo */
	memcpy(a + 8, &one, 16);		/* sin6_addr */
}

/* ICMP types that would make the local stack act go out as type 200. */
static void make_harmless(unsigned char h[8], enum fd_kind fk, uint16_t family)
{
	switch (fk) {
	case FK_RAW4:
	case FK_RAW4C:
		if (h[0] == 3 || h[0] == 4 || h[0] == 5 || h[0] == 11 ||
		    h[0] == 12)
			h[0] = 200;
		break;
	case FK_RAW6:
		if (family != AF_INET && h[0] != 128 && h[0] != 129)
			h[0] = 200;
		break;
	default:
		break;
	}
}

static int open_fd(enum fd_kind fk, int closed)
{
	struct sockaddr_in to = lo4;
	int fd = -1;

	switch (fk) {
	case FK_BAD:
		return -1;
	case FK_CLOSED:
		return closed;
	case FK_NOTSOCK:
		return open("/dev/null", O_RDONLY | O_CLOEXEC);
	case FK_RAW4:
	case FK_RAW4C:
		fd = raw4_socket();
		break;
	case FK_UDP4:
	case FK_UDP4C:
		fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		break;
	case FK_RAW6:
		return socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMPV6);
	case FK_PING4:
		/* Where ping_group_range leaves us out, a raw socket instead. */
		fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_ICMP);
		return fd >= 0 ? fd : raw4_socket();
	case NFK:
		break;
	}
	if (fd >= 0 && (fk == FK_RAW4C || fk == FK_UDP4C) &&
	    connect(fd, (struct sockaddr *)&to, sizeof(to)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Three pages, the middle one a hole. */
static unsigned char *holed_pages(long page)
{
	unsigned char *p = mmap(NULL, 3 * (size_t)page, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED ||
	    mprotect(p + page, (size_t)page, PROT_NONE) != 0)
		return NULL;
	return p;
}

static void __attribute__((noreturn)) random_sender(int p, int first)
{
	static unsigned char okbuf[64 + 2048], addrbuf[16 + 256];
	struct rng g = { seed ^ (0xd1b54a32d192ed03ull * (uint64_t)(p + 1)) };
	long page = sysconf(_SC_PAGESIZE);
	unsigned char *bp = holed_pages(page), *ap = holed_pages(page);
	struct tally t[NBK * NAK];
	int fds[NFK], closed, cur = -1, i;
	size_t k;

	if (!bp || !ap)
		_exit(2);
	memset(t, 0, sizeof(t));
	for (k = 0; k < sizeof(okbuf); k++)
		okbuf[k] = (unsigned char)rnd(&g);
	/* A closed fd: one number that nothing opens again. */
	closed = open("/dev/null", O_RDONLY | O_CLOEXEC);
	for (i = 0; i < NFK; i++)
		fds[i] = open_fd((enum fd_kind)i, closed);
	close(closed);
	if (fds[FK_RAW4] < 0 || fds[FK_UDP4] < 0 || fds[FK_RAW6] < 0)
		_exit(3);

	for (i = 0; i < RANDOM_CALLS; i++) {
		enum fd_kind fk = (enum fd_kind)pick_weighted(&g, fd_weights, NFK);
		enum buf_kind bk = (enum buf_kind)pick_weighted(&g, buf_weights, NBK);
		enum addr_kind ak = (enum addr_kind)pick_weighted(&g, addr_weights, NAK);
		size_t len = gen_len(&g);
		uint16_t family = gen_family(&g);
		socklen_t alen = gen_addrlen(&g);
		int flags = MSG_DONTWAIT | (chance(&g, 20) ? MSG_NOSIGNAL : 0);
		unsigned char h[8], a[28], *b = NULL, *addr = NULL;
		int hdr_readable = 0, family_readable = 0, cls, n;
		int entry, all;
		ssize_t ret;

		gen_hdr(&g, h);
		make_harmless(h, fk, family);
		fill_addr(a, family);

		switch (bk) {
		case BK_OK:
			b = okbuf + pick(&g, 64);
			memcpy(b, h, 8);
			hdr_readable = 1;
			break;
		case BK_NULL:
			break;
		case BK_WILD:
			b = chance(&g, 50) ? bp + page : (unsigned char *)
				wild_ptrs[pick(&g, ARRAY_SIZE(wild_ptrs))];
			break;
		case BK_TAIL:			/* n header bytes, then the hole */
			n = (int)pick(&g, 9);
			memcpy(bp + page - n, h, (size_t)n);
			b = bp + page - n;
			hdr_readable = n == 8;
			break;
		case BK_HEAD:			/* n bytes in the hole, the rest not */
			n = 1 + (int)pick(&g, 7);
			memcpy(bp + 2 * page, h + n, (size_t)(8 - n));
			b = bp + 2 * page - n;
			break;
		case NBK:
			break;
		}
		switch (ak) {
		case AK_OK:
			addr = addrbuf + pick(&g, 16);
			memcpy(addr, a, sizeof(a));
			family_readable = 1;
			break;
		case AK_NULL:
			break;
		case AK_WILD:
			addr = chance(&g, 50) ? ap + page : (unsigned char *)
				wild_ptrs[pick(&g, ARRAY_SIZE(wild_ptrs))];
			break;
		case AK_TAIL:
			n = (int)pick(&g, 5);
			memcpy(ap + page - n, a, (size_t)n);
			addr = ap + page - n;
			family_readable = n >= 2;
			break;
		case AK_HEAD:
			n = 1 + (int)pick(&g, 3);
			memcpy(ap + 2 * page, a + n, sizeof(a) - (size_t)n);
			addr = ap + 2 * page - n;
			break;
		case NAK:
			break;
		}

		/* The oracle: the reference script's predicate, and -a's. */
		all = len > 8 && hdr_readable && h[0] == 8 && h[1] == 0 &&
		      family_readable && family == AF_INET;
		entry = all && (h[2] | h[3]) && (h[4] | h[5]) && (h[6] | h[7]);

		cls = (int)(bk * NAK + ak);
		if (cls != cur) {
			prctl(PR_SET_NAME, sh->e[first + cls].comm);
			cur = cls;
		}
		ret = sendto(fds[fk], b, len, flags, (struct sockaddr *)addr, alen);
		t[cls].entry += entry;
		t[cls].all += all;
		t[cls].exit += entry && ret >= 0;
	}
	for (i = 0; i < NBK * NAK; i++)
		expect_count(first + i, &t[i]);
	_exit(0);
}

static void run_random(int wl)
{
	pid_t pids[RANDOM_PROCS];
	int p;

	for (p = 0; p < RANDOM_PROCS; p++) {
		int b, a, first = -1;

		for (b = 0; b < NBK; b++)
			for (a = 0; a < NAK; a++) {
				char comm[COMM_LEN];
				int i;

				mkcomm(comm, "r%d%c%c", p, kind_letter[b],
				       kind_letter[a]);
				i = expect_add(wl, comm, ROLE_ONE);
				if (first < 0)
					first = i;
			}
		pids[p] = fork();
		if (pids[p] == 0)
			random_sender(p, first);
	}
	if (reap(pids, RANDOM_PROCS))
		snprintf(workload_err[wl], sizeof(workload_err[wl]),
			 "a random sender failed");
}

/*
 * A buffer in a page the process has not touched: a private file mapping,
 * fresh.  sendto() on fd -1 fails before it reads the buffer, so the page
 * stays unmapped, and the program's read fails as on a hole: not counted,
 * in any mode, as the reference counts it.  Once read, it counts.
 */
#define COLD_SENDS	10

static void run_cold(int wl)
{
	char comm[COMM_LEN], path[] = "/tmp/icmpcount-st-XXXXXX";
	int i, fd;
	pid_t pid;

	mkcomm(comm, "cold");
	i = expect_add(wl, comm, ROLE_ONE);
	fd = mkstemp(path);
	if (fd < 0 || write(fd, echo_buf, sizeof(echo_buf)) != sizeof(echo_buf)) {
		snprintf(workload_err[wl], sizeof(workload_err[wl]),
			 "cannot write %s", path);
		if (fd >= 0) {
			close(fd);
			unlink(path);
		}
		return;
	}
	pid = fork();
	if (pid == 0) {
		const unsigned char *p = mmap(NULL, sizeof(echo_buf), PROT_READ,
					      MAP_PRIVATE, fd, 0);
		struct tally t = { 0 };
		int k;

		if (p == MAP_FAILED)
			_exit(1);
		prctl(PR_SET_NAME, comm);
		warm(&lo4, sizeof(lo4));
		for (k = 0; k < COLD_SENDS; k++)
			sendto(-1, p, sizeof(echo_buf), 0,
			       (struct sockaddr *)&lo4, sizeof(lo4));
		warm(p, sizeof(echo_buf));
		for (k = 0; k < COLD_SENDS; k++)
			sendto(-1, p, sizeof(echo_buf), 0,
			       (struct sockaddr *)&lo4, sizeof(lo4));
		t.entry = t.all = COLD_SENDS;
		expect_count(i, &t);
		_exit(0);
	}
	close(fd);
	unlink(path);
	if (reap(&pid, 1))
		snprintf(workload_err[wl], sizeof(workload_err[wl]),
			 "the cold-page sender failed");
}

static char random_name[160];

struct workload {
	const char *name;
	void (*run)(int wl);
};

static const struct workload workloads[] = {
	{ .name = "under load (4 processes x 2 threads x 250000 sends) every count is exact",
	  .run = run_load },
	{ .name = "names new to the map on every CPU at once (48 rounds) count exactly",
	  .run = run_race },
	{ .name = "200 short-lived processes under 20 names count exactly",
	  .run = run_churn },
	{ .name = "100 short-lived threads count exactly",
	  .run = run_thread_churn },
	{ .name = "a thread renamed with PR_SET_NAME counts under its name at each call",
	  .run = run_rename },
	{ .name = "a thread renamed from outside mid-burst: its two names count every send",
	  .run = run_ext_rename },
	{ .name = "a buffer in a page not yet faulted in counts only once touched",
	  .run = run_cold },
	{ .name = random_name, .run = run_random },
};

#define WL_RANDOM	(ARRAY_SIZE(workloads) - 1)
_Static_assert(ARRAY_SIZE(workloads) <= ARRAY_SIZE(workload_err),
	       "a workload without room for its error");

/*
 * The tracers that watch all the workloads at once.  Each bpftrace line
 * compares the reference script with the oracle; on a miss it shows what
 * icmpcount counted too.
 */
struct tracer {
	const char *label;
	const char *args[4];
	int bpftrace;
	enum column col;
	int peer;		/* bpftrace: the icmpcount in the same column */
	struct run run;
	long misses;		/* its programs' recursion_misses at the end */
	const char *skip;
};

static struct tracer tracers[] = {
	{ .label = "icmpcount", .col = COL_ENTRY },
	{ .label = "icmpcount -a", .args = { "-a" }, .col = COL_ALL },
	{ .label = "icmpcount -x", .args = { "-x" }, .col = COL_EXIT },
	{ .label = "icmpcount -P clang", .args = { "-P", "clang" },
	  .col = COL_ENTRY },
	{ .label = "icmpcount -x -P clang", .args = { "-x", "-P", "clang" },
	  .col = COL_EXIT },
	{ .label = "sendto_count.bt", .args = { "sendto_count.bt" },
	  .bpftrace = BPFTRACE_OURS, .col = COL_ENTRY, .peer = 0 },
	{ .label = "sendto_count_exit.bt", .args = { "sendto_count_exit.bt" },
	  .bpftrace = BPFTRACE_OURS, .col = COL_EXIT, .peer = 2 },
};

#define MAX_OBJS	64

struct objs {
	__u32 prog[MAX_OBJS], map[MAX_OBJS];
	int nprog, nmap;
	long misses;
};

/* The bpf objects process pid holds, from its fdinfo. */
static void read_objs(pid_t pid, struct objs *o)
{
	char dir[64], path[320], link[64], line[128];
	struct dirent *de;
	DIR *d;

	memset(o, 0, sizeof(*o));
	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d))) {
		ssize_t n;
		unsigned id;
		long v;
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		if (strncmp(link, "anon_inode:bpf", 14) != 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fdinfo/%s", (int)pid,
			 de->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f)) {
			if (sscanf(line, "prog_id: %u", &id) == 1 &&
			    o->nprog < MAX_OBJS)
				o->prog[o->nprog++] = id;
			else if (sscanf(line, "map_id: %u", &id) == 1 &&
				 o->nmap < MAX_OBJS)
				o->map[o->nmap++] = id;
			else if (sscanf(line, "recursion_misses: %ld", &v) == 1)
				o->misses += v;
		}
		fclose(f);
	}
	closedir(d);
}

/* Waits until pid holds a program (it has loaded), or time runs out. */
static int wait_objs(pid_t pid, struct objs *o, double seconds)
{
	double end = now() + seconds;

	do {
		read_objs(pid, o);
		if (o->nprog > 0)
			return 0;
		usleep(5000);
	} while (now() < end);
	return -1;
}

static int id_alive(int prog, __u32 id)
{
	int fd = prog ? bpf_prog_get_fd_by_id(id) : bpf_map_get_fd_by_id(id);

	if (fd < 0)
		return errno != ENOENT;
	close(fd);
	return 1;
}

static int objs_alive(const struct objs *o, char *ids, size_t size)
{
	int i, n = 0;
	size_t len = 0;

	if (ids && size)
		ids[0] = '\0';
	for (i = 0; i < o->nprog + o->nmap; i++) {
		int prog = i < o->nprog;
		__u32 id = prog ? o->prog[i] : o->map[i - o->nprog];

		if (!id_alive(prog, id))
			continue;
		n++;
		if (ids && len < size)
			len += (size_t)snprintf(ids + len, size - len, " %s %u",
						prog ? "prog" : "map", id);
	}
	return n;
}

struct before {
	__u32 prog_id, map_id;
	int mounts_init, mounts_self;
};

static void note_before(struct before *b)
{
	b->prog_id = last_id(BPF_PROG_GET_NEXT_ID);
	b->map_id = last_id(BPF_MAP_GET_NEXT_ID);
	b->mounts_init = tracefs_mounts("/proc/1/mountinfo");
	b->mounts_self = tracefs_mounts("/proc/self/mountinfo");
}

/*
 * Whether nothing of a finished instance is left: its own objects (own may
 * be NULL), new unheld ones, new tracefs mounts.  The kernel frees objects
 * shortly after the last reference goes, so it waits up to 3 s for them.
 * Appends the EXP:/RES: lines of whatever is left to msg.
 */
static int nothing_left(const struct before *b, const struct objs *own,
			char *msg, size_t size)
{
	char ids[512] = "", orphan_ids[512] = "";
	double end = now() + 3;
	int mine = 0, unheld = 0, m1, ms;
	size_t len = strlen(msg);

	do {
		mine = own ? objs_alive(own, ids, sizeof(ids)) : 0;
		unheld = orphans(b->prog_id, b->map_id, orphan_ids,
				 sizeof(orphan_ids));
		if (mine == 0 && unheld == 0)
			break;
		usleep(50 * 1000);
	} while (now() < end);
	m1 = tracefs_mounts("/proc/1/mountinfo");
	ms = tracefs_mounts("/proc/self/mountinfo");
	if (mine && len < size)
		len += (size_t)snprintf(msg + len, size - len,
					"EXP: its programs and maps freed\nRES: still loaded:%s\n",
					ids);
	if (unheld && len < size)
		len += (size_t)snprintf(msg + len, size - len,
					"EXP: no new icmpcount object without a holder\nRES:%s\n",
					orphan_ids);
	if ((m1 != b->mounts_init || ms != b->mounts_self) && len < size)
		snprintf(msg + len, size - len,
			 "EXP: tracefs mounts: %d in /proc/1, %d here\nRES: %d, %d\n",
			 b->mounts_init, b->mounts_self, m1, ms);
	return !mine && !unheld && m1 == b->mounts_init && ms == b->mounts_self;
}

/*
 * Starting icmpcount as the fault and stdout cases want it: stdout on a
 * pipe, closed, or an fd we give; stderr on a pipe or closed; optionally
 * with tracefs unmounted first; optionally returning only once it has
 * exec'd, so a signal can follow the exec closely.
 */
enum out_mode { OUT_PIPE, OUT_CLOSED, OUT_GIVEN };

struct spawn_opts {
	enum out_mode out;
	int out_fd;		/* OUT_GIVEN */
	int close_err;
	int no_tracefs;
	int sync;
};

static void __attribute__((noreturn))
exec_child(const char *const argv[], const struct spawn_opts *o, int out_w,
	   int err_w)
{
	char *v[16];
	size_t i;

	if (o->out == OUT_PIPE)
		dup2(out_w, 1);
	else if (o->out == OUT_GIVEN)
		dup2(o->out_fd, 1);
	else
		close(1);
	if (o->close_err)
		close(2);
	else
		dup2(err_w, 2);
	if (o->no_tracefs)
		umount_tracefs();
	for (i = 0; i < ARRAY_SIZE(v) - 1 && argv[i]; i++)
		v[i] = strdup(argv[i]);
	v[i] = NULL;
	if (v[0])	/* no argv[0], or no memory: nothing to run */
		execvp(v[0], v);
	_exit(127);
}

static int spawn(struct run *r, const char *const argv[],
		 const struct spawn_opts *o)
{
	int out[2] = { -1, -1 }, err[2] = { -1, -1 }, sync[2] = { -1, -1 };
	char c;

	memset(r, 0, sizeof(*r));
	r->out_fd = r->err_fd = -1;
	if ((o->out == OUT_PIPE && pipe2(out, O_CLOEXEC) != 0) ||
	    (!o->close_err && pipe2(err, O_CLOEXEC) != 0) ||
	    (o->sync && pipe2(sync, O_CLOEXEC) != 0))
		return -1;
	r->pid = fork();
	if (r->pid < 0)
		return -1;
	if (r->pid == 0)
		exec_child(argv, o, out[1], err[1]);
	if (out[1] >= 0)
		close(out[1]);
	if (err[1] >= 0)
		close(err[1]);
	r->out_fd = out[0];
	r->err_fd = err[0];
	if (o->sync) {
		/* EOF once the exec closed the child's end (or it died). */
		close(sync[1]);
		while (read(sync[0], &c, 1) < 0 && errno == EINTR)
			;
		close(sync[0]);
	}
	return 0;
}

/* Takes what output is left, for up to a second, and closes the pipes. */
static void drain(struct run *r)
{
	double end = now() + 1;

	while (run_read(r, 50) && now() < end)
		;
	if (r->out_fd >= 0)
		close(r->out_fd);
	if (r->err_fd >= 0)
		close(r->err_fd);
	r->out_fd = r->err_fd = -1;
}

/*
 * Sends sig (0: none) and waits for the process itself, not for its pipes
 * to close: a command it left behind may hold them.
 */
static void finish(struct run *r, int sig, double seconds)
{
	double end = now() + seconds;

	if (sig)
		kill(r->pid, sig);
	for (;;) {
		if (waitpid(r->pid, &r->status, WNOHANG) == r->pid)
			break;
		if (now() > end) {
			r->timed_out = 1;
			kill(r->pid, SIGKILL);
			waitpid(r->pid, &r->status, 0);
			break;
		}
		if (!run_read(r, 20))
			usleep(10 * 1000);
	}
	drain(r);
}

static void describe(const struct run *r, char *buf, size_t size)
{
	if (r->timed_out)
		snprintf(buf, size, "hung (killed after the time limit)");
	else if (WIFSIGNALED(r->status))
		snprintf(buf, size, "killed by signal %d", WTERMSIG(r->status));
	else
		snprintf(buf, size, "exit %d", WEXITSTATUS(r->status));
}

/* The pid of a live process whose first argument is arg1, or 0. */
static pid_t find_cmdline(const char *arg1)
{
	struct dirent *de;
	DIR *d = opendir("/proc");
	pid_t found = 0;

	if (!d)
		return 0;
	while (!found && (de = readdir(d))) {
		char path[300], buf[256];
		ssize_t n;
		size_t l;
		int fd;

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/cmdline", de->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		l = strlen(buf) + 1;
		if (l < (size_t)n && strcmp(buf + l, arg1) == 0)
			found = atoi(de->d_name);
	}
	closedir(d);
	return found;
}

/* A sleep argument no one else uses: 29.<pid><n> seconds. */
static void unique_sleep(char *arg, size_t size)
{
	static int n;

	snprintf(arg, size, "29.%d%03d", (int)getpid(), ++n);
}

/* Waits up to seconds for the command to go; kills it if it stays. */
static int command_outlived(const char *arg1, double seconds)
{
	double end = now() + seconds;
	pid_t pid;

	while ((pid = find_cmdline(arg1)) != 0 && now() < end)
		usleep(20 * 1000);
	if (pid) {
		kill(pid, SIGKILL);
		return 1;
	}
	return 0;
}

/* Phase A: the workloads under every tracer at once. */
static int phase_ran;

static void start_tracers(void)
{
	size_t j;

	for (j = 0; j < ARRAY_SIZE(tracers); j++) {
		struct tracer *t = &tracers[j];
		const char *argv[8];
		char script[512];

		t->skip = tracer_argv(t->args, t->bpftrace, argv, script,
				      sizeof(script));
		if (!t->skip && run_start(&t->run, argv, 0) != 0)
			t->skip = "cannot fork";
	}
	for (j = 0; j < ARRAY_SIZE(tracers); j++) {
		struct tracer *t = &tracers[j];

		if (!t->skip &&
		    run_wait_tracing(&t->run, t->bpftrace ? 60 : 10) != 0) {
			t->skip = "did not start";
			run_finish(&t->run, SIGKILL, 5);
		}
	}
}

static void run_phase(void)
{
	size_t w, j;

	if (phase_ran)
		return;
	phase_ran = 1;
	start_tracers();
	for (w = 0; w < ARRAY_SIZE(workloads); w++)
		workloads[w].run((int)w);
	for (j = 0; j < ARRAY_SIZE(tracers); j++) {
		struct tracer *t = &tracers[j];
		struct objs o;

		if (t->skip)
			continue;
		if (!t->bpftrace) {
			read_objs(t->run.pid, &o);
			t->misses = o.misses;
		}
		run_finish(&t->run, SIGINT, t->bpftrace ? 60 : 30);
	}
}

static void check_workload(size_t wl, const struct tracer *t)
{
	char msg[4096] = "";
	size_t len = 0;
	int i, bad = 0;

	if (workload_err[wl][0]) {
		test_fail("EXP: the senders ran\nRES: %s", workload_err[wl]);
		return;
	}
	if (t->run.timed_out || !exited_with(&t->run, 0)) {
		size_t o = t->run.out_len > 300 ? t->run.out_len - 300 : 0;

		test_fail("EXP: %s exited 0\nRES: status 0x%x%s\n"
			  "stdout (its end):\n%s\nstderr:\n%s",
			  t->label, t->run.status,
			  t->run.timed_out ? " (timed out)" : "",
			  t->run.out + o, t->run.err);
		return;
	}
	for (i = 0; i < sh->n; i++) {
		const struct expect *e = &sh->e[i];
		const struct run *peer = &tracers[t->peer].run;
		long got, want;

		if (e->workload != (int)wl || e->role == ROLE_PARTNER)
			continue;
		got = count_of(t->run.out, e->comm);
		if (e->role == ROLE_SUM)
			got += count_of(t->run.out, sh->e[i + 1].comm);
		want = e->n[t->col];
		if (got == want)
			continue;
		if (++bad > 12 || len >= sizeof(msg))
			continue;
		len += (size_t)snprintf(msg + len, sizeof(msg) - len,
					"EXP: @[%s]%s%s%s: %ld\nRES: %ld",
					e->comm, e->role == ROLE_SUM ? " + @[" : "",
					e->role == ROLE_SUM ? sh->e[i + 1].comm : "",
					e->role == ROLE_SUM ? "]" : "", want, got);
		if (len < sizeof(msg) && t->bpftrace && !tracers[t->peer].skip)
			len += (size_t)snprintf(msg + len, sizeof(msg) - len,
						" (%s: %ld)", tracers[t->peer].label,
						count_of(peer->out, e->comm));
		if (len < sizeof(msg))
			len += (size_t)snprintf(msg + len, sizeof(msg) - len, "\n");
	}
	if (bad && len < sizeof(msg) && t->misses)
		len += (size_t)snprintf(msg + len, sizeof(msg) - len,
					"its programs' recursion_misses: %ld\n",
					t->misses);
	if (bad && wl == WL_RANDOM && len < sizeof(msg))
		snprintf(msg + len, sizeof(msg) - len,
			 "%d comms wrong; replay with ICMPCOUNT_SEED=%llu\n", bad,
			 seed);
	test_check(bad == 0, "%s", msg);
}

static void test_workloads(void)
{
	size_t w, j;

	for (w = 0; w < ARRAY_SIZE(workloads); w++)
		for (j = 0; j < ARRAY_SIZE(tracers); j++) {
			char name[320];

			snprintf(name, sizeof(name), "%s: %s", workloads[w].name,
				 tracers[j].label);
			if (!test_start(name))
				continue;
			run_phase();
			if (tracers[j].skip)
				test_skip("%s", tracers[j].skip);
			else
				check_workload(w, &tracers[j]);
		}
}

/*
 * Faults.  Each runs one instance, does something to it or its command,
 * and checks how it ended and that nothing of it is left.
 */
enum fault {
	F_KILL,		/* SIGKILL once tracing */
	F_STARTUP,	/* sig delay_us after the exec */
	F_CRASH,	/* -c a script that sends, then dies of SIGSEGV */
	F_CMD_KILLED,	/* -c sleep, killed from outside with SIGKILL */
	F_MISSING,	/* -c a command that is not there */
	F_SIGNALS,	/* -c grep: the command's blocked and ignored signals */
};

struct fault_case {
	const char *name;
	enum fault how;
	const char *args[3];	/* options before -c */
	const char *cmd;	/* -c: "{SLEEP}", or as is; NULL: none */
	int sig, delay_us, no_tracefs;
	int busy;		/* a sender in a loop meanwhile */
};

static const struct fault_case fault_cases[] = {
	{ .name = "SIGKILL while attached leaves none of its programs or maps",
	  .how = F_KILL, .sig = SIGKILL, .delay_us = 0, .no_tracefs = 0,
	  .busy = 0 },
	{ .name = "SIGKILL of -x with its own tracefs mount leaves nothing",
	  .how = F_KILL, .args = { "-x" }, .sig = SIGKILL, .delay_us = 0,
	  .no_tracefs = 1, .busy = 0 },
	{ .name = "SIGKILL in the middle of a flood of sends leaves nothing",
	  .how = F_KILL, .args = { "-x" }, .sig = SIGKILL, .delay_us = 0,
	  .no_tracefs = 0, .busy = 1 },
	{ .name = "SIGINT at exec: a clean end, nothing left",
	  .how = F_STARTUP, .sig = SIGINT, .delay_us = 0, .no_tracefs = 0,
	  .busy = 0 },
	{ .name = "SIGINT 100 us after exec: a clean end, nothing left",
	  .how = F_STARTUP, .sig = SIGINT, .delay_us = 100, .no_tracefs = 0,
	  .busy = 0 },
	{ .name = "SIGINT 200 us after exec: a clean end, nothing left",
	  .how = F_STARTUP, .sig = SIGINT, .delay_us = 200, .no_tracefs = 0,
	  .busy = 0 },
	{ .name = "SIGINT 300 us after exec: a clean end, nothing left",
	  .how = F_STARTUP, .sig = SIGINT, .delay_us = 300, .no_tracefs = 0,
	  .busy = 0 },
	{ .name = "SIGINT 500 us after exec: a clean end, nothing left",
	  .how = F_STARTUP, .sig = SIGINT, .delay_us = 500, .no_tracefs = 0,
	  .busy = 0 },
	{ .name = "SIGINT 800 us after exec: a clean end, nothing left",
	  .how = F_STARTUP, .sig = SIGINT, .delay_us = 800, .no_tracefs = 0,
	  .busy = 0 },
	{ .name = "SIGINT 1.2 ms after exec: a clean end, nothing left",
	  .how = F_STARTUP, .sig = SIGINT, .delay_us = 1200, .no_tracefs = 0,
	  .busy = 0 },
	{ .name = "SIGINT 2 ms after exec: a clean end, nothing left",
	  .how = F_STARTUP, .sig = SIGINT, .delay_us = 2000, .no_tracefs = 0,
	  .busy = 0 },
	{ .name = "SIGINT 3.5 ms after exec: a clean end, nothing left",
	  .how = F_STARTUP, .sig = SIGINT, .delay_us = 3500, .no_tracefs = 0,
	  .busy = 0 },
	{ .name = "SIGTERM 300 us after exec: a clean end, nothing left",
	  .how = F_STARTUP, .sig = SIGTERM, .delay_us = 300, .no_tracefs = 0,
	  .busy = 0 },
	{ .name = "SIGTERM 1.5 ms after exec: a clean end, nothing left",
	  .how = F_STARTUP, .sig = SIGTERM, .delay_us = 1500, .no_tracefs = 0,
	  .busy = 0 },
	{ .name = "SIGINT 300 us after exec, mounting its own tracefs: nothing left",
	  .how = F_STARTUP, .sig = SIGINT, .delay_us = 300, .no_tracefs = 1,
	  .busy = 0 },
	{ .name = "SIGINT 1 ms after exec, mounting its own tracefs: nothing left",
	  .how = F_STARTUP, .sig = SIGINT, .delay_us = 1000, .no_tracefs = 1,
	  .busy = 0 },
	{ .name = "SIGINT 3 ms after exec, mounting its own tracefs: nothing left",
	  .how = F_STARTUP, .sig = SIGINT, .delay_us = 3000, .no_tracefs = 1,
	  .busy = 0 },
	{ .name = "SIGINT 2 ms after exec of -x: a clean end, nothing left",
	  .how = F_STARTUP, .args = { "-x" }, .sig = SIGINT, .delay_us = 2000,
	  .no_tracefs = 0, .busy = 0 },
	{ .name = "SIGINT 30 ms after exec of -x: a clean end, nothing left",
	  .how = F_STARTUP, .args = { "-x" }, .sig = SIGINT, .delay_us = 30000,
	  .no_tracefs = 0, .busy = 0 },
	{ .name = "SIGINT 80 ms after exec of -x: a clean end, nothing left",
	  .how = F_STARTUP, .args = { "-x" }, .sig = SIGINT, .delay_us = 80000,
	  .no_tracefs = 0, .busy = 0 },
	{ .name = "SIGINT 500 us after exec with -c: the held command does not outlive it",
	  .how = F_STARTUP, .cmd = "{SLEEP}", .sig = SIGINT, .delay_us = 500,
	  .no_tracefs = 0, .busy = 0 },
	{ .name = "SIGINT 3 ms after exec with -c: the held command does not outlive it",
	  .how = F_STARTUP, .cmd = "{SLEEP}", .sig = SIGINT, .delay_us = 3000,
	  .no_tracefs = 0, .busy = 0 },
	{ .name = "a -c command that dies of SIGSEGV ends tracing with its counts, exit 0",
	  .how = F_CRASH, .sig = 0, .delay_us = 0, .no_tracefs = 0,
	  .busy = 0 },
	{ .name = "a -c command SIGKILLed from outside ends tracing with the report",
	  .how = F_CMD_KILLED, .cmd = "{SLEEP}", .sig = 0, .delay_us = 0,
	  .no_tracefs = 0, .busy = 0 },
	{ .name = "-c /nonexistent: exit 1, one line on stderr, no Tracing, nothing left",
	  .how = F_MISSING, .cmd = "/nonexistent", .sig = 0, .delay_us = 0,
	  .no_tracefs = 0, .busy = 0 },
	{ .name = "-x -c with a command not in PATH: exit 1, one line, nothing left",
	  .how = F_MISSING, .args = { "-x" }, .cmd = "st-no-such-command",
	  .sig = 0, .delay_us = 0, .no_tracefs = 0, .busy = 0 },
	{ .name = "-v -c /nonexistent makes no bpf() call before it fails",
	  .how = F_MISSING, .args = { "-v" }, .cmd = "/nonexistent", .sig = 0,
	  .delay_us = 0, .no_tracefs = 0, .busy = 0 },
	{ .name = "the -c command starts with no signal blocked or ignored by icmpcount",
	  .how = F_SIGNALS, .cmd = "grep -E ^Sig(Blk|Ign): /proc/self/status",
	  .sig = 0, .delay_us = 0, .no_tracefs = 0, .busy = 0 },
};

#define TRACING	"Tracing sendto() syscalls.\n"
#define DONE	"Done tracing sendto() syscalls.\n"

/* The signals this process ignores, which an exec'd icmpcount inherits. */
static unsigned long long our_ignored(void)
{
	char line[128];
	unsigned long long ign = ~0ull;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return ign;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "SigIgn:", 7) == 0)
			ign = strtoull(line + 7, NULL, 16);
	fclose(f);
	return ign;
}

/* A script for -c that sends as comm, then dies of SIGSEGV. */
static int crash_script(char *path, size_t size, const char *comm)
{
	char body[4400];
	int fd, n;

	snprintf(path, size, "/tmp/icmpcount-st-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	n = snprintf(body, sizeof(body),
		     "#!/bin/sh\nulimit -c 0\n'%s' --send %s\nkill -SEGV $$\n",
		     test_self, comm);
	if (write(fd, body, (size_t)n) != n || fchmod(fd, 0755) != 0) {
		close(fd);
		unlink(path);
		return -1;
	}
	close(fd);
	return 0;
}

static void run_fault(const struct fault_case *c)
{
	static struct run r;
	struct spawn_opts so = { .out = OUT_PIPE, .no_tracefs = c->no_tracefs,
				 .sync = c->how == F_STARTUP };
	const char *argv[12] = { icmpcount_path };
	char cmd[4400] = "", arg1[64] = "", script[64] = "", comm[COMM_LEN];
	char msg[4096] = "", how[64];
	struct objs own = { 0 }, child = { 0 };
	struct before b;
	size_t n = 1, i;
	int ok = 1, outlived = 0;
	long got = 0;

	mkcomm(comm, "crash");
	for (i = 0; c->args[i]; i++)
		argv[n++] = c->args[i];
	if (c->cmd && strcmp(c->cmd, "{SLEEP}") == 0) {
		unique_sleep(arg1, sizeof(arg1));
		snprintf(cmd, sizeof(cmd), "sleep %s", arg1);
	} else if (c->cmd) {
		snprintf(cmd, sizeof(cmd), "%s", c->cmd);
	} else if (c->how == F_CRASH) {
		if (crash_script(script, sizeof(script), comm) != 0) {
			test_fail("EXP: a script in /tmp\nRES: %s", strerror(errno));
			return;
		}
		snprintf(cmd, sizeof(cmd), "%s", script);
	}
	if (cmd[0]) {
		argv[n++] = "-c";
		argv[n++] = cmd;
	}
	argv[n] = NULL;

	note_before(&b);
	if (spawn(&r, argv, &so) != 0) {
		test_fail("EXP: started\nRES: %s", strerror(errno));
		return;
	}
	switch (c->how) {
	case F_KILL: {
		pid_t sender = 0;

		ok = run_wait_tracing(&r, 10) == 0;
		read_objs(r.pid, &own);
		if (c->busy) {
			sender = fork();
			if (sender == 0) {
				struct tally t = { 0 };
				int raw = raw4_socket();
				double end = now() + 20;

				mkcomm(comm, "flood");
				prctl(PR_SET_NAME, comm);
				while (now() < end)
					send_mix(raw, 1000, 8, &t);
				_exit(0);
			}
			usleep(100 * 1000);
		}
		finish(&r, SIGKILL, 10);
		if (sender > 0) {
			kill(sender, SIGKILL);
			waitpid(sender, NULL, 0);
		}
		ok = ok && own.nprog > 0 && WIFSIGNALED(r.status) &&
		     WTERMSIG(r.status) == SIGKILL;
		break;
	}
	case F_STARTUP:
		if (c->delay_us)
			usleep((useconds_t)c->delay_us);
		finish(&r, c->sig, 10);
		/* Either it took the signal at once, before it attached, or
		 * it ended as a signal at any time ends it. */
		ok = !r.timed_out &&
		     ((exited_with(&r, 0) && has_in_order(r.out, TRACING "|" DONE)) ||
		      (WIFSIGNALED(r.status) && WTERMSIG(r.status) == c->sig &&
		       !strstr(r.out, TRACING)));
		break;
	case F_CRASH:
		finish(&r, 0, 20);
		got = count_of(r.out, comm);
		ok = !r.timed_out && exited_with(&r, 0) &&
		     has_in_order(r.out, TRACING "|" DONE) && got > 0;
		break;
	case F_CMD_KILLED: {
		double end = now() + 5;
		pid_t pid = 0;

		ok = run_wait_tracing(&r, 10) == 0;
		read_objs(r.pid, &own);
		while (ok && !(pid = find_cmdline(arg1)) && now() < end)
			usleep(10 * 1000);
		if (pid) {
			read_objs(pid, &child);
			kill(pid, SIGKILL);
		}
		finish(&r, 0, 10);
		ok = ok && pid && own.nprog > 0 && child.nprog + child.nmap == 0 &&
		     !r.timed_out && exited_with(&r, 0) &&
		     has_in_order(r.out, TRACING "|" DONE);
		break;
	}
	case F_SIGNALS: {
		const char *blk, *ign;

		finish(&r, 0, 10);
		blk = strstr(r.out, "SigBlk:");
		ign = strstr(r.out, "SigIgn:");
		ok = !r.timed_out && exited_with(&r, 0) && blk && ign &&
		     strtoull(blk + 7, NULL, 16) == 0 &&
		     strtoull(ign + 7, NULL, 16) == our_ignored();
		break;
	}
	case F_MISSING: {
		const char *nl;

		finish(&r, 0, 10);
		nl = strchr(r.err, '\n');
		ok = !r.timed_out && exited_with(&r, 1) && r.out_len == 0 &&
		     strncmp(r.err, "icmpcount: ", 11) == 0 &&
		     !strstr(r.err, "bpf(") &&
		     c->cmd && strstr(r.err, c->cmd) && nl && nl[1] == '\0';
		break;
	}
	}
	if (arg1[0])
		outlived = command_outlived(arg1, 2);
	if (script[0])
		unlink(script);
	describe(&r, how, sizeof(how));
	if (!ok || outlived) {
		size_t len = (size_t)snprintf(msg, sizeof(msg),
			"EXP: %s\nRES: %s%s, %d programs and %d maps seen%s\n",
			c->how == F_KILL ? "tracing, then killed by SIGKILL" :
			c->how == F_STARTUP ? "exit 0 with the report, or killed by the signal before \"Tracing\"" :
			c->how == F_MISSING ? "exit 1, no stdout, one \"icmpcount: \" line naming the command" :
			c->how == F_SIGNALS ? "exit 0, the command's SigBlk 0 and SigIgn ours" :
			"exit 0 with the report",
			how, outlived ? ", the command outlived it" : "",
			own.nprog, own.nmap,
			(child.nprog + child.nmap) ? ", the command holds bpf fds" : "");
		if (c->how == F_CRASH && len < sizeof(msg))
			len += (size_t)snprintf(msg + len, sizeof(msg) - len,
						"@[%s]: %ld\n", comm, got);
		if (len < sizeof(msg))
			snprintf(msg + len, sizeof(msg) - len,
				 "stdout:\n%.1200s\nstderr:\n%.1200s\n", r.out, r.err);
	}
	ok = nothing_left(&b, own.nprog ? &own : NULL, msg, sizeof(msg)) &&
	     ok && !outlived;
	test_check(ok, "%s", msg);
}

static void test_faults(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(fault_cases); i++)
		if (test_start(fault_cases[i].name))
			run_fault(&fault_cases[i]);
}

/*
 * Two instances, then three: A (default) and B (-a) from the start, A
 * stopped halfway, C (default) started then.  Each must count exactly its
 * own window, and stopping A must free A's objects and nothing of B's.
 */
static void burst(const char *comm, const unsigned char *buf, int n)
{
	pid_t pid = fork();
	int i;

	if (pid == 0) {
		prctl(PR_SET_NAME, comm);
		warm(buf, 64);
		warm(&lo4, sizeof(lo4));
		for (i = 0; i < n; i++)
			sendto(-1, buf, 64, 0, (struct sockaddr *)&lo4, sizeof(lo4));
		_exit(0);
	}
	reap(&pid, 1);
}

static int twins_ran, twins_ok;
static struct run twin[3];
static struct objs twin_objs[3];
static char twins_msg[1024];
static char ok_comm[COMM_LEN], zero_comm[COMM_LEN];
static int a_freed, b_kept, all_freed;

static void run_twins(void)
{
	const char *argv_def[] = { icmpcount_path, NULL };
	const char *argv_all[] = { icmpcount_path, "-a", NULL };
	struct before b;
	char ids[256];
	int i;

	if (twins_ran)
		return;
	twins_ran = 1;
	mkcomm(ok_comm, "twin_ok");
	mkcomm(zero_comm, "twin_seq0");
	note_before(&b);
	twins_ok = run_start(&twin[0], argv_def, 0) == 0 &&
		   run_start(&twin[1], argv_all, 0) == 0 &&
		   run_wait_tracing(&twin[0], 10) == 0 &&
		   run_wait_tracing(&twin[1], 10) == 0;
	if (!twins_ok) {
		for (i = 0; i < 2; i++)
			if (twin[i].pid > 0)
				finish(&twin[i], SIGKILL, 5);
		return;
	}
	read_objs(twin[0].pid, &twin_objs[0]);
	read_objs(twin[1].pid, &twin_objs[1]);
	burst(ok_comm, echo_buf, 5);
	burst(zero_comm, seq0_buf, 4);
	finish(&twin[0], SIGINT, 10);
	{
		double end = now() + 3;

		while (objs_alive(&twin_objs[0], NULL, 0) && now() < end)
			usleep(20 * 1000);
	}
	a_freed = objs_alive(&twin_objs[0], ids, sizeof(ids)) == 0;
	b_kept = objs_alive(&twin_objs[1], NULL, 0) ==
		 twin_objs[1].nprog + twin_objs[1].nmap &&
		 twin_objs[1].nprog > 0;
	twins_ok = run_start(&twin[2], argv_def, 0) == 0 &&
		   run_wait_tracing(&twin[2], 10) == 0;
	if (!twins_ok) {
		finish(&twin[1], SIGKILL, 5);
		if (twin[2].pid > 0)
			finish(&twin[2], SIGKILL, 5);
		return;
	}
	read_objs(twin[2].pid, &twin_objs[2]);
	burst(ok_comm, echo_buf, 7);
	burst(zero_comm, seq0_buf, 2);
	finish(&twin[1], SIGINT, 10);
	finish(&twin[2], SIGINT, 10);
	twins_msg[0] = '\0';
	all_freed = 1;
	for (i = 1; i < 3; i++)
		all_freed &= nothing_left(&b, &twin_objs[i], twins_msg,
					  sizeof(twins_msg));
}

struct twin_case {
	const char *name;
	int which;		/* 0 A, 1 B, 2 C, -1 the objects */
	long ok, zero;
};

static const struct twin_case twin_cases[] = {
	{ .name = "two instances at once: the default one counts its own window exactly",
	  .which = 0, .ok = 5, .zero = 0 },
	{ .name = "two instances at once: the -a one counts seq-0 requests too, exactly",
	  .which = 1, .ok = 12, .zero = 6 },
	{ .name = "an instance started while another runs counts only what follows",
	  .which = 2, .ok = 7, .zero = 0 },
	{ .name = "stopping one instance frees its objects and leaves the other's loaded",
	  .which = -1, .ok = 0, .zero = 0 },
};

static void test_twins(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(twin_cases); i++) {
		const struct twin_case *c = &twin_cases[i];
		const struct run *r;
		long ok, zero;

		if (!test_start(c->name))
			continue;
		run_twins();
		if (!twins_ok) {
			test_fail("EXP: three instances tracing\nRES: not");
			continue;
		}
		if (c->which < 0) {
			test_check(a_freed && b_kept && all_freed,
				   "EXP: the first one's objects freed, the -a one's all loaded, then none left\n"
				   "RES: freed %d, kept %d, then %s\n%s",
				   a_freed, b_kept, all_freed ? "none left" : "some left",
				   twins_msg);
			continue;
		}
		r = &twin[c->which];
		ok = count_of(r->out, ok_comm);
		zero = count_of(r->out, zero_comm);
		test_check(exited_with(r, 0) && ok == c->ok && zero == c->zero,
			   "EXP: exit 0, @[%s]: %ld, @[%s]: %ld\nRES: status 0x%x, %ld, %ld\nstdout:\n%s",
			   ok_comm, c->ok, zero_comm, c->zero, r->status, ok, zero,
			   r->out);
	}
}

/*
 * stdout closed, full, or gone.  icmpcount ignores SIGPIPE: a reader that
 * goes makes its next write fail with EPIPE, and it exits 1 without a
 * word, as a failed write of the report is a failure; with stdout closed
 * it puts /dev/null there, so it never writes into its own fds.
 */
enum out_case {
	D_CLOSED,	/* >&- */
	D_CLOSED_BOTH,	/* >&- 2>&- */
	D_HEAD,		/* the reader goes after the first line */
	D_GONE_EARLY,	/* the reader is gone before the first line */
	D_FULL_DRAIN,	/* a full pipe, drained later */
	D_FULL_GONE,	/* a full pipe whose reader goes */
	D_HEAD_CMD,	/* -i 1 -c sleep: the reader goes mid-run */
};

struct stdout_case {
	const char *name;
	enum out_case how;
	int exit_code;
};

static const struct stdout_case stdout_cases[] = {
	{ .name = "with stdout closed it traces, exits 0 and leaves nothing",
	  .how = D_CLOSED, .exit_code = 0 },
	{ .name = "with stdout and stderr closed it traces, exits 0, leaves nothing",
	  .how = D_CLOSED_BOTH, .exit_code = 0 },
	{ .name = "a reader gone after the first line: no signal death, exit 1, nothing left",
	  .how = D_HEAD, .exit_code = 1 },
	{ .name = "a reader gone before the first line: exit 1, the command never runs",
	  .how = D_GONE_EARLY, .exit_code = 1 },
	{ .name = "a full pipe holds its output; SIGINT meanwhile still ends it with the report",
	  .how = D_FULL_DRAIN, .exit_code = 0 },
	{ .name = "a full pipe whose reader goes: no signal death, exit 1, nothing left",
	  .how = D_FULL_GONE, .exit_code = 1 },
	{ .name = "-i with -c, the reader gone mid-run: exit 1, the command does not outlive it",
	  .how = D_HEAD_CMD, .exit_code = 1 },
};

/* A pipe of 4 KiB, filled: the next write blocks. */
static int full_pipe(int p[2], size_t *filled)
{
	char junk[512];
	ssize_t n;

	memset(junk, 'x', sizeof(junk));
	*filled = 0;
	if (pipe2(p, O_CLOEXEC) != 0)
		return -1;
	fcntl(p[1], F_SETPIPE_SZ, 4096);
	fcntl(p[1], F_SETFL, O_NONBLOCK);
	while ((n = write(p[1], junk, sizeof(junk))) > 0)
		*filled += (size_t)n;
	/* Blocking again, for the writer that comes. */
	fcntl(p[1], F_SETFL, 0);
	return 0;
}

static void run_stdout_case(const struct stdout_case *c)
{
	static struct run r;
	struct spawn_opts so = { .out = OUT_PIPE };
	const char *argv[8] = { icmpcount_path, NULL };
	char msg[4096] = "", arg1[64] = "", cmd[128], how[64], junk[4096];
	struct objs own = { 0 };
	struct before b;
	int p[2] = { -1, -1 }, ok = 1, outlived = 0, blocked = 1;
	size_t filled = 0;

	switch (c->how) {
	case D_CLOSED:
	case D_CLOSED_BOTH:
		so.out = OUT_CLOSED;
		so.close_err = c->how == D_CLOSED_BOTH;
		argv[1] = "-d";
		argv[2] = "1";
		break;
	case D_GONE_EARLY:
	case D_HEAD_CMD:
		unique_sleep(arg1, sizeof(arg1));
		snprintf(cmd, sizeof(cmd), "sleep %s", arg1);
		argv[1] = "-i";
		argv[2] = "1";
		argv[3] = "-c";
		argv[4] = cmd;
		if (c->how == D_HEAD_CMD)
			break;
		if (pipe2(p, O_CLOEXEC) != 0) {
			test_fail("EXP: a pipe\nRES: %s", strerror(errno));
			return;
		}
		close(p[0]);
		p[0] = -1;
		so.out = OUT_GIVEN;
		so.out_fd = p[1];
		break;
	case D_FULL_DRAIN:
	case D_FULL_GONE:
		if (full_pipe(p, &filled) != 0) {
			test_fail("EXP: a pipe\nRES: %s", strerror(errno));
			return;
		}
		so.out = OUT_GIVEN;
		so.out_fd = p[1];
		break;
	case D_HEAD:
		break;
	}

	note_before(&b);
	if (spawn(&r, argv, &so) != 0) {
		test_fail("EXP: started\nRES: %s", strerror(errno));
		return;
	}
	if (p[1] >= 0)
		close(p[1]);

	switch (c->how) {
	case D_CLOSED:
	case D_CLOSED_BOTH:
		ok = wait_objs(r.pid, &own, 5) == 0;
		finish(&r, 0, 10);
		if (!c->exit_code && strstr(r.err, "icmpcount:"))
			ok = 0;
		break;
	case D_HEAD:
	case D_HEAD_CMD:
		ok = run_wait_tracing(&r, 10) == 0;
		read_objs(r.pid, &own);
		close(r.out_fd);
		r.out_fd = -1;
		/* D_HEAD_CMD: its next interval's line meets the EPIPE. */
		finish(&r, c->how == D_HEAD ? SIGINT : 0, 10);
		break;
	case D_GONE_EARLY:
		finish(&r, 0, 10);
		break;
	case D_FULL_DRAIN:
	case D_FULL_GONE:
		ok = wait_objs(r.pid, &own, 5) == 0;
		usleep(200 * 1000);
		kill(r.pid, SIGINT);
		usleep(300 * 1000);
		/* Blocked in its write, it must still be there. */
		blocked = waitpid(r.pid, &r.status, WNOHANG) == 0;
		if (c->how == D_FULL_GONE) {
			close(p[0]);
		} else {
			while (filled > 0) {
				ssize_t n = read(p[0], junk, filled < sizeof(junk) ?
						 filled : sizeof(junk));

				if (n <= 0)
					break;
				filled -= (size_t)n;
			}
			r.out_fd = p[0];
		}
		if (blocked)
			finish(&r, 0, 10);
		else
			drain(&r);		/* already reaped */
		if (c->how == D_FULL_DRAIN && !has_in_order(r.out, TRACING "|" DONE))
			ok = 0;
		ok = ok && blocked;
		break;
	}
	if (arg1[0])
		outlived = command_outlived(arg1, 2);
	describe(&r, how, sizeof(how));
	ok = ok && !r.timed_out && exited_with(&r, c->exit_code) &&
	     !strstr(r.err, "cannot write") && !outlived;
	if (!ok)
		snprintf(msg, sizeof(msg),
			 "EXP: exit %d, no \"cannot write\"%s\n"
			 "RES: %s%s%s, %d programs seen\nstdout:\n%.1200s\nstderr:\n%.1200s\n",
			 c->exit_code, arg1[0] ? ", the command gone with it" : "",
			 how, outlived ? ", the command outlived it (killed now)" : "",
			 blocked ? "" : ", it did not wait for the full pipe",
			 own.nprog, r.out, r.err);
	ok = nothing_left(&b, own.nprog ? &own : NULL, msg, sizeof(msg)) && ok;
	test_check(ok, "%s", msg);
}

static void test_stdout(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(stdout_cases); i++)
		if (test_start(stdout_cases[i].name))
			run_stdout_case(&stdout_cases[i]);
}

static void setup(void)
{
	const char *s = getenv("ICMPCOUNT_SEED");
	static const char digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
	unsigned pid = (unsigned)getpid();
	snprintf(tag, sizeof(tag), "st%c%c%c", digits[pid / 1296 % 36],
		 digits[pid / 36 % 36], digits[pid % 36]);
	if (s && *s)
		seed = strtoull(s, NULL, 0);
	else
		seed = (unsigned long long)time(NULL) * 1000003ull ^
		       (unsigned long long)(now() * 1e6) ^ pid;
	snprintf(random_name, sizeof(random_name),
		 "random sendto() calls (seed %llu) count as the oracle says",
		 seed);
	/* Our own copies of these pages, so every child has them mapped. */
	echo_buf[63] = seq0_buf[63] = 0;
	lo4.sin_family = AF_INET;
	lo4.sin_port = htons(9);
	lo4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		test_skip_rest("cannot map shared memory");
}

void run_stress_tests(void)
{
	setup();
	test_workloads();
	test_faults();
	test_twins();
	test_stdout();
}
