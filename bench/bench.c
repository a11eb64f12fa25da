// SPDX-License-Identifier: GPL-2.0
/*
 * bench.c - the harness of `make bench`: what icmpcount costs per sendto(),
 * at start-up and in memory, beside no tracer, the floor (an empty program
 * attached by our own loader) and bpftrace running the reference script.
 * Phase 1 runs every loadgen load under each contender, the order rotating
 * from run to run so noise hits all alike, and checks the counts; phase 2
 * times exec to "Tracing sendto() syscalls."; phase 3 reads the programs
 * with run-time stats on.  Then the table, on stdout.  Needs root; run it
 * with `make bench`.  Another tracer on the same tracepoint skews it all.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
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
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include <linux/bpf.h>

#include "bpf.h"
#include "../tests/mountns.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define MAX_RUNS	100
#define OUT_MAX		(64 * 1024)
#define MAX_PROGS	4
#define TRACING		"Tracing sendto() syscalls.\n"
#define START_TIMEOUT	60.0	/* seconds: bpftrace can be slow */
#define STOP_TIMEOUT	30.0
#define RESEND		0.5	/* seconds before the stop signal is sent again */
#define STATS_SYSCTL	"/proc/sys/kernel/bpf_stats_enabled"

/*
 * The contenders.  What each counts decides the count it must report for
 * a load: ENTRY every matching call, EXIT the matching calls that
 * succeeded, NOTHING no call at all.  Each is compared with its floor: the
 * empty program, on both tracepoints for -x.
 */
enum counting { NO_TRACER, NOTHING, ENTRY, EXIT };

struct contender {
	const char *name;
	char *argv[6];		/* argv[0] NULL: no tracer */
	enum counting counts;
	int floor;		/* index of the contender it is compared with */
	const char *skip;	/* why it does not run, once it failed */
	int compat;		/* counts 32-bit processes (--compat) */
	int no_unmounted;	/* cannot start without tracefs */
	char why[200];
	/* start-up, in microseconds: [0] tracefs mounted, [1] not */
	double attach[2][MAX_RUNS];
	int nattach[2];
	long hwm_kib, maxrss_kib;
	int nprogs;
	unsigned int xlated[MAX_PROGS];
	int count_runs, count_bad;
};

enum { C_NONE, C_FLOOR, C_FLOOR_X, C_HAND, C_CLANG, C_HAND_X, C_CLANG_X,
       C_COMPAT, C_BPFTRACE, NR_CONTENDERS };

#define TRACER(n, c, f, ...)						\
	{ .name = (n), .argv = { NULL, __VA_ARGS__, NULL }, .counts = (c),	\
	  .floor = (f) }

static struct contender cont[NR_CONTENDERS] = {
	[C_NONE]	= { .name = "none", .counts = NO_TRACER },
	[C_FLOOR]	= TRACER("floor", NOTHING, C_FLOOR, "-P", "empty"),
	[C_FLOOR_X]	= TRACER("floor -x", NOTHING, C_FLOOR_X, "-P", "empty", "-x"),
	[C_HAND]	= TRACER("hand", ENTRY, C_FLOOR, "-P", "hand"),
	[C_CLANG]	= TRACER("clang", ENTRY, C_FLOOR, "-P", "clang"),
	[C_HAND_X]	= TRACER("hand -x", EXIT, C_FLOOR_X, "-P", "hand", "-x"),
	[C_CLANG_X]	= TRACER("clang -x", EXIT, C_FLOOR_X, "-P", "clang", "-x"),
	/* --compat: raw_syscalls:sys_enter too, which every call passes */
	[C_COMPAT]	= { .name = "compat", .counts = ENTRY, .floor = C_FLOOR,
			    .compat = 1,
			    .argv = { NULL, "-P", "hand", "--compat", NULL } },
	/* main() puts in the path of bpftrace and of the script */
	[C_BPFTRACE]	= TRACER("bpftrace", ENTRY, C_FLOOR, NULL),
};

/*
 * The loads: a loadgen mode, on one CPU or one thread per CPU (cpu -1).
 * The tracepoint's perf event is opened on CPU 0, and a program that
 * returns non-zero costs more there, so each load runs on both.  stats
 * marks the loads of the run-time phase.  getppid() sends nothing: what
 * any system call pays for a tracer.  The 32-bit loads run loadgen's
 * 32-bit build (i386 on x86_64, armhf on arm64): only --compat sees them.
 */
struct load {
	const char *mode;
	int cpu;
	const char *comm;	/* 15 characters at most */
	int matches;		/* the reference counts these calls */
	int stats;
	int bin32;		/* run by the 32-bit loadgen */
	const char *what;
	double ns[NR_CONTENDERS][MAX_RUNS];
	int n[NR_CONTENDERS];
	double run_ns[NR_CONTENDERS];	/* per event, with stats on */
	int checked[NR_CONTENDERS], wrong[NR_CONTENDERS];	/* counts */
};

#define LOAD(m, cpu_, comm_, match, stats_, what_)			\
	{ .mode = (m), .cpu = (cpu_), .comm = (comm_), .matches = (match),	\
	  .stats = (stats_), .what = (what_) }
#define LOAD32(m, cpu_, comm_, match, stats_, what_)			\
	{ .mode = (m), .cpu = (cpu_), .comm = (comm_), .matches = (match),	\
	  .stats = (stats_), .what = (what_), .bin32 = 1 }

static struct load loads[] = {
	LOAD("ebadf-echo",   0, "lg.bf-echo.0",  1, 1, "echo request, fd -1"),
	LOAD("ebadf-echo",   1, "lg.bf-echo.1",  1, 0, "echo request, fd -1"),
	LOAD("ebadf-other",  0, "lg.bf-other.0", 0, 1, "other payload to AF_INET, fd -1"),
	LOAD("ebadf-other",  1, "lg.bf-other.1", 0, 0, "other payload to AF_INET, fd -1"),
	LOAD("ebadf-null",   0, "lg.bf-null.0",  0, 1, "echo request, NULL address, fd -1"),
	LOAD("ebadf-null",   1, "lg.bf-null.1",  0, 0, "echo request, NULL address, fd -1"),
	LOAD("echo",	     0, "lg.echo.0",	 1, 1, "raw ICMP echo to 127.0.0.1"),
	LOAD("echo",	     1, "lg.echo.1",	 1, 0, "raw ICMP echo to 127.0.0.1"),
	LOAD("echo",	    -1, "lg.echo.all",	 1, 0, "raw ICMP echo to 127.0.0.1"),
	LOAD("udp",	     0, "lg.udp.0",	 0, 1, "UDP to a closed port of 127.0.0.1"),
	LOAD("udp",	     1, "lg.udp.1",	 0, 0, "UDP to a closed port of 127.0.0.1"),
	LOAD("getppid",	     0, "lg.getppid.0",	 0, 0, "getppid(): no send at all"),
	LOAD("getppid",	     1, "lg.getppid.1",	 0, 0, "getppid(): no send at all"),
	LOAD32("ebadf-echo", 0, "lg32.bf-echo.0", 1, 0, "echo request, fd -1, from a 32-bit process"),
	LOAD32("ebadf-echo", 1, "lg32.bf-echo.1", 1, 0, "echo request, fd -1, from a 32-bit process"),
	LOAD32("getppid",    0, "lg32.getppid.0", 0, 0, "getppid() from a 32-bit process"),
};

#define NR_LOADS	((int)ARRAY_SIZE(loads))

/* A running tracer, or loadgen: stdout on a pipe, stderr to a file. */
struct proc {
	pid_t pid;
	int out;
	char buf[OUT_MAX];
	size_t len;
	long hwm_kib;
	struct rusage ru;
	int status;
};

static const char *loadgen = "build/bench/loadgen";
static const char *loadgen32;	/* -L: the 32-bit build, if any */
static const char *workdir = "build/bench";
static const char *stripped;
static const char *cc_label = "";
static char errpath[PATH_MAX];	/* the tracer's stderr */
static char lgerrpath[PATH_MAX];	/* loadgen's */
static int runs = 5;
static double secs = 0.3;
static volatile int *shared_t0_valid;
static volatile double *shared_t0;
static FILE *raw;
static int stats_old = -1;	/* the sysctl's value, when we set it */
static int failures;
static double wait_secs = 60;	/* -q: for other tracers to go, in all */
static int use_wall;		/* -W: wall-clock time, not the thread's CPU time */
static int tainted, sessions;	/* sessions run beside another tracer */
static char taint_who[256];
static int startup_skewed;	/* phases 2 and 3 beside another tracer */

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;

	fputs("bench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The number after key at the start of line ("VmHWM:\t 180 kB"), or -1. */
static long long field(const char *line, const char *key)
{
	size_t n = strlen(key);
	char *end;
	long long v;

	if (strncmp(line, key, n) != 0)
		return -1;
	errno = 0;
	v = strtoll(line + n, &end, 10);
	return errno || end == line + n ? -1 : v;
}

/* A whole decimal number in [min, max], or -1. */
static long number(const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	return errno || end == s || *end || v < min || v > max ? -1 : v;
}

/* The sysctl fallback for run-time stats, put back however we end. */
static void restore_stats(void)
{
	int fd;

	if (stats_old < 0)
		return;
	fd = open(STATS_SYSCTL, O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, stats_old ? "1" : "0", 1) != 1)
			stats_old = -1;
		close(fd);
	}
	stats_old = -1;
}

static void on_signal(int sig)
{
	restore_stats();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void spawn(struct proc *p, char *const argv[], int unmounted,
		  const char *err)
{
	int pipefd[2], errfd;

	memset(p, 0, sizeof(*p));
	if (pipe2(pipefd, O_CLOEXEC) != 0)
		die("cannot make a pipe: %s", strerror(errno));
	errfd = open(err, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (errfd < 0)
		die("cannot open %s: %s", err, strerror(errno));
	*shared_t0_valid = 0;
	fflush(NULL);
	p->pid = fork();
	if (p->pid < 0)
		die("cannot fork: %s", strerror(errno));
	if (p->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (dup2(pipefd[1], 1) < 0 || dup2(errfd, 2) < 0)
			_exit(126);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		if (unmounted)
			umount_tracefs();
		*shared_t0 = now();
		*shared_t0_valid = 1;
		execvp(argv[0], argv);
		fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(pipefd[1]);
	close(errfd);
	p->out = pipefd[0];
}

/* Reads what is there; 0 at EOF. */
static ssize_t read_some(struct proc *p)
{
	ssize_t n;

	if (p->len >= sizeof(p->buf) - 1)
		p->len = 0;	/* more than we need: keep the tail */
	n = read(p->out, p->buf + p->len, sizeof(p->buf) - 1 - p->len);
	if (n > 0) {
		p->len += (size_t)n;
		p->buf[p->len] = '\0';
	}
	return n;
}

/* Waits for the line; returns its time, or -1 if it never came. */
static double wait_tracing(struct proc *p, double timeout)
{
	double end = now() + timeout;

	for (;;) {
		struct pollfd pfd = { .fd = p->out, .events = POLLIN };
		double left = end - now();
		ssize_t n;

		if (strstr(p->buf, TRACING))
			return now();
		if (left <= 0)
			return -1;
		if (poll(&pfd, 1, (int)(left * 1000) + 1) < 0 && errno != EINTR)
			die("poll: %s", strerror(errno));
		if (pfd.revents == 0)
			continue;
		n = read_some(p);
		if (n == 0)
			return -1;
		if (n < 0 && errno != EINTR)
			die("read: %s", strerror(errno));
	}
}

static long read_hwm_kib(pid_t pid)
{
	char path[64], line[256];
	long kib = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if ((kib = (long)field(line, "VmHWM:")) >= 0)
			break;
	fclose(f);
	return kib;
}

/*
 * From now until it exits, a tracer stops once more, at its exit, with
 * its memory still there: VmHWM then is the peak of the program itself.
 */
static void seize(struct proc *p)
{
	ptrace(PTRACE_SEIZE, p->pid, NULL, (void *)PTRACE_O_TRACEEXIT);
}

/*
 * Ends a process: sends sig (0: none, it ends by itself), resumes its
 * ptrace stops, reads its output to EOF, reaps it.  Returns 0 when it
 * exited with status 0.
 */
static int finish(struct proc *p, int sig)
{
	double end = now() + STOP_TIMEOUT, again = now() + RESEND;
	int eof = 0, exiting = 0;

	if (sig)
		kill(p->pid, sig);
	for (;;) {
		struct pollfd pfd = { .fd = p->out, .events = POLLIN };
		int st;
		pid_t r;

		if (now() > end) {
			kill(p->pid, SIGKILL);
			end = now() + STOP_TIMEOUT;
		}
		/* bpftrace 0.17 loses a SIGINT that comes just after BEGIN. */
		if (sig && !exiting && now() > again) {
			kill(p->pid, sig);
			again = now() + RESEND;
		}
		if (eof)
			poll(NULL, 0, 1);
		else if (poll(&pfd, 1, 5) > 0 && read_some(p) == 0)
			eof = 1;
		r = wait4(p->pid, &st, WNOHANG | __WALL, &p->ru);
		if (r != p->pid)
			continue;
		if (WIFSTOPPED(st)) {
			int sigpass = WSTOPSIG(st);

			if (st >> 8 == (SIGTRAP | (PTRACE_EVENT_EXIT << 8))) {
				p->hwm_kib = read_hwm_kib(p->pid);
				sigpass = 0;
				exiting = 1;
			} else if (st >> 16) {
				sigpass = 0;	/* another event stop */
			}
			ptrace(PTRACE_CONT, p->pid, NULL,
			       (void *)(long)sigpass);
			continue;
		}
		p->status = st;
		break;
	}
	/* It is gone: read what it left in the pipe. */
	while (!eof) {
		struct pollfd pfd = { .fd = p->out, .events = POLLIN };

		if (poll(&pfd, 1, 1000) <= 0 || read_some(p) <= 0)
			eof = 1;
	}
	close(p->out);
	return WIFEXITED(p->status) && WEXITSTATUS(p->status) == 0 ? 0 : -1;
}

/* The first line the tracer wrote to stderr, to say why it failed. */
static void first_err_line(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "re");

	buf[0] = '\0';
	if (f) {
		if (!fgets(buf, (int)size, f))
			buf[0] = '\0';
		fclose(f);
	}
	buf[strcspn(buf, "\n")] = '\0';
}

/* The count the tracer printed for comm: "@[comm]: N". */
static unsigned long long count_of(const struct proc *p, const char *comm)
{
	char key[64];
	const char *s;

	snprintf(key, sizeof(key), "@[%s]: ", comm);
	s = strstr(p->buf, key);
	return s ? strtoull(s + strlen(key), NULL, 10) : 0;
}

/* "CPU 1", or "one thread per CPU". */
static const char *where(const struct load *l)
{
	static char buf[32];

	if (l->cpu < 0)
		return "one thread per CPU";
	snprintf(buf, sizeof(buf), "CPU %d", l->cpu);
	return buf;
}

struct sent {
	unsigned long long calls, ok;
	double ns, cpu_ns;
};

static void run_load(const struct load *l, double duration, struct sent *s)
{
	char cpu[16], d[32];
	char *argv[] = { NULL, "-n", NULL, "-d", d, "-C", cpu, NULL, NULL };
	struct proc p;
	const char *v;
	char *end;

	argv[0] = (char *)(uintptr_t)(l->bin32 ? loadgen32 : loadgen);
	argv[2] = (char *)(uintptr_t)l->comm;
	snprintf(d, sizeof(d), "%g", duration);
	snprintf(cpu, sizeof(cpu), "%d", l->cpu);
	if (l->cpu < 0) {
		argv[5] = (char *)(uintptr_t)l->mode;
		argv[6] = NULL;
	} else {
		argv[7] = (char *)(uintptr_t)l->mode;
	}
	spawn(&p, argv, 0, lgerrpath);
	if (finish(&p, 0) != 0) {
		char why[256];

		first_err_line(lgerrpath, why, sizeof(why));
		die("loadgen %s failed: %s", l->mode, why);
	}
	if (!(v = strstr(p.buf, " calls=")) ||
	    (s->calls = strtoull(v + 7, &end, 10), !(v = strstr(end, " ok="))) ||
	    (s->ok = strtoull(v + 4, &end, 10), !(v = strstr(end, " ns="))) ||
	    (s->ns = strtod(v + 4, &end), !(v = strstr(end, " cpu_ns="))) ||
	    (s->cpu_ns = strtod(v + 8, &end), end == v + 8))
		die("cannot parse loadgen's output: %s", p.buf);
}

/* Starts a contender's tracer; returns -1 and marks it skipped if it fails. */
static int start_tracer(struct contender *c, struct proc *p, int unmounted,
			double *attach_us)
{
	double t1;

	spawn(p, c->argv, unmounted, errpath);
	t1 = wait_tracing(p, START_TIMEOUT);
	if (t1 < 0) {
		finish(p, SIGKILL);
		first_err_line(errpath, c->why, sizeof(c->why));
		return -1;
	}
	if (attach_us)
		*attach_us = *shared_t0_valid ? (t1 - *shared_t0) * 1e6 : -1;
	return 0;
}

static unsigned long long expected(const struct contender *c,
				   const struct load *l, const struct sent *s)
{
	if (l->bin32 && !c->compat)
		return 0;
	switch (c->counts) {
	case ENTRY:
		return l->matches ? s->calls : 0;
	case EXIT:
		return l->matches ? s->ok : 0;
	default:
		return 0;
	}
}

/*
 * Stops the tracer of a session and checks its count for the load against
 * what the load sent; returns 1 if it counted wrong.
 */
static int check_count(int ci, struct proc *p, struct load *l,
		       const struct sent *s, int run)
{
	struct contender *c = &cont[ci];
	unsigned long long want, got;

	if (finish(p, SIGINT) != 0)
		fprintf(stderr, "bench: %s exited with status 0x%x\n", c->name,
			p->status);
	if (p->hwm_kib > c->hwm_kib)
		c->hwm_kib = p->hwm_kib;
	if (p->ru.ru_maxrss > c->maxrss_kib)
		c->maxrss_kib = p->ru.ru_maxrss;
	want = expected(c, l, s);
	got = count_of(p, l->comm);
	c->count_runs++;
	l->checked[ci]++;
	if (got == want)
		return 0;
	c->count_bad++;
	l->wrong[ci]++;
	fprintf(stderr, "\nbench: COUNT MISMATCH: %s, run %d, %s, %s: sent %llu (%llu ok), expected %llu, counted %llu\n",
		c->name, run + 1, l->mode, where(l), s->calls, s->ok, want,
		got);
	return 1;
}

static const char *comm_of(pid_t pid)
{
	static char comm[32];
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	comm[0] = '\0';
	if ((f = fopen(path, "re"))) {
		if (!fgets(comm, sizeof(comm), f))
			comm[0] = '\0';
		fclose(f);
	}
	comm[strcspn(comm, "\n")] = '\0';
	return comm;
}

/*
 * Another tracer on the sendto() tracepoints (a test run, another bench)
 * adds its cost to every contender and hides the floor's, so wait for it
 * to go away.  Its perf event fds say where their programs hang:
 * BPF_TASK_FD_QUERY names the tracepoint (or kprobe) of each.
 */
static int foreign_tracer(pid_t ours, char *who, size_t size)
{
	char path[PATH_MAX], link[128], name[128];
	struct dirent *pe, *fe;
	DIR *proc, *fds;
	int found = 0;

	proc = opendir("/proc");
	if (!proc)
		return 0;
	while (!found && (pe = readdir(proc))) {
		pid_t pid = (pid_t)number(pe->d_name, 1, INT_MAX);

		if (pid <= 0 || pid == ours || pid == getpid())
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
		if (!(fds = opendir(path)))
			continue;
		while (!found && (fe = readdir(fds))) {
			long fd = number(fe->d_name, 0, INT_MAX);
			__u32 len;
			ssize_t n;

			snprintf(path, sizeof(path), "/proc/%d/fd/%s", (int)pid,
				 fe->d_name);
			n = readlink(path, link, sizeof(link) - 1);
			if (fd < 0 || n <= 0)
				continue;
			link[n] = '\0';
			if (!strstr(link, "perf_event") && !strstr(link, "bpf"))
				continue;
			len = sizeof(name);
			if (bpf_task_fd_query((int)pid, (int)fd, name, &len) != 0)
				continue;
			if (strstr(name, "sendto") ||
			    strcmp(name, "sys_enter") == 0 ||
			    strcmp(name, "sys_exit") == 0) {
				snprintf(who, size, "pid %d (%s) on %s",
					 (int)pid, comm_of(pid), name);
				found = 1;
			}
		}
		closedir(fds);
	}
	closedir(proc);
	return found;
}

/*
 * Waits for the tracepoints to be ours alone.  The waits of the whole
 * bench share wait_secs, so a machine that is never quiet cannot keep it
 * going for ever.  Returns 0 when they are ours, -1 when it gave up (the
 * numbers to come are skewed).
 */
static int wait_quiet(void)
{
	char who[256];
	int said = 0;

	while (foreign_tracer(0, who, sizeof(who))) {
		if (wait_secs <= 0) {
			snprintf(taint_who, sizeof(taint_who), "%s", who);
			return -1;
		}
		if (!said++)
			fprintf(stderr, " [waiting for %s]", who);
		usleep(200000);
		wait_secs -= 0.2;
	}
	return 0;
}

/*
 * Phase 1: one load under one contender: start the tracer, run the load,
 * stop the tracer and check its count.  If another tracer shows up
 * meanwhile, the session is made again, up to ATTEMPTS times; after that
 * it counts, and the table says so.  Returns the ns per call, or -1.
 */
#define ATTEMPTS	3

static double session(int ci, int li, int run)
{
	struct contender *c = &cont[ci];
	struct load *l = &loads[li];
	static struct proc p;
	int attempt, dirty;
	char who[256];
	struct sent s;

	if (c->skip || (l->bin32 && !loadgen32))
		return -1;
	for (attempt = 1; ; attempt++) {
		dirty = wait_quiet() != 0;
		if (c->argv[0]) {
			if (start_tracer(c, &p, 0, NULL) != 0) {
				c->skip = c->why;
				fprintf(stderr, "bench: %s does not start, left out: %s\n",
					c->name, c->why);
				return -1;
			}
			seize(&p);
		}
		run_load(l, secs, &s);
		if (!dirty && foreign_tracer(c->argv[0] ? p.pid : 0, who,
					     sizeof(who))) {
			snprintf(taint_who, sizeof(taint_who), "%s", who);
			dirty = 1;
		}
		if (c->argv[0])
			check_count(ci, &p, l, &s, run);
		if (!dirty || attempt == ATTEMPTS || wait_secs <= 0)
			break;
	}
	sessions++;
	if (dirty) {
		tainted++;
		fprintf(stderr, " [skewed: %s]", taint_who);
	}
	l->ns[ci][l->n[ci]++] = use_wall ? s.ns : s.cpu_ns;
	fprintf(raw, "run %d\t%s\t%s\tcpu %d\tcalls %llu\tok %llu\twall_ns %.2f\tcpu_ns %.2f%s\n",
		run + 1, c->name, l->mode, l->cpu, s.calls, s.ok, s.ns,
		s.cpu_ns, dirty ? "\tskewed" : "");
	return use_wall ? s.ns : s.cpu_ns;
}

/* Phase 2: exec to attached, with tracefs mounted ([0]) and without ([1]). */
static void startup(int ci)
{
	struct contender *c = &cont[ci];
	static struct proc p;
	int u;

	if (c->skip || !c->argv[0])
		return;
	for (u = 0; u < 2; u++) {
		double us;

		if (u && c->no_unmounted)
			continue;
		if (wait_quiet() != 0)
			startup_skewed++;
		if (start_tracer(c, &p, u, &us) != 0) {
			if (!u) {
				c->skip = c->why;
				return;
			}
			c->no_unmounted = 1;
			continue;
		}
		finish(&p, SIGINT);
		c->attach[u][c->nattach[u]++] = us;
	}
}

/*
 * Phase 3's tools.  The tracer's programs are the BPF_PROG_TYPE_TRACEPOINT
 * fds in its /proc/PID/fdinfo, in the order of their ids (for -x: the
 * entry program, then the exit one).
 */
struct prog_stat {
	unsigned int xlated;
	unsigned long long run_ns, run_cnt;
};

static int find_progs(pid_t pid, unsigned int *ids, int max)
{
	char path[PATH_MAX], line[256];
	struct dirent *e;
	int n = 0, i, j;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo", (int)pid);
	d = opendir(path);
	if (!d)
		return 0;
	while ((e = readdir(d)) && n < max) {
		long long id = 0, type = -1, v;
		FILE *f;

		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fdinfo/%s", (int)pid,
			 e->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f)) {
			if ((v = field(line, "prog_type:")) >= 0)
				type = v;
			if ((v = field(line, "prog_id:")) >= 0)
				id = v;
		}
		fclose(f);
		if (id > 0 && id <= UINT_MAX && type == BPF_PROG_TYPE_TRACEPOINT) {
			for (j = 0; j < n && ids[j] != (unsigned int)id; j++)
				;
			if (j == n)
				ids[n++] = (unsigned int)id;
		}
	}
	closedir(d);
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && ids[j - 1] > ids[j]; j--) {
			unsigned int t = ids[j];

			ids[j] = ids[j - 1];
			ids[j - 1] = t;
		}
	return n;
}

static int prog_info(unsigned int id, struct prog_stat *st)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);
	int fd;

	fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0)
		return -1;
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len) != 0) {
		close(fd);
		return -1;
	}
	close(fd);
	st->xlated = info.xlated_prog_len / sizeof(struct bpf_insn);
	st->run_ns = info.run_time_ns;
	st->run_cnt = info.run_cnt;
	return 0;
}

/*
 * Run-time stats: BPF_ENABLE_STATS (5.8) keeps them on while its fd is
 * open, and off again however we end; else the sysctl, put back after.
 */
static int stats_on(void)
{
	char v = '0';
	int fd;

	fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (fd >= 0)
		return fd;
	fd = open(STATS_SYSCTL, O_RDWR | O_CLOEXEC);
	if (fd < 0 || read(fd, &v, 1) != 1)
		die("cannot turn on BPF run-time stats: %s", strerror(errno));
	stats_old = v == '1';
	if (pwrite(fd, "1", 1, 0) != 1)
		die("cannot write %s: %s", STATS_SYSCTL, strerror(errno));
	close(fd);
	return -1;
}

/* Phase 3: the programs as loaded, and their run time per event. */
static void prog_stats(int ci)
{
	struct contender *c = &cont[ci];
	unsigned int ids[MAX_PROGS];
	static struct proc p;
	int i, k;

	if (c->skip || !c->argv[0])
		return;
	if (wait_quiet() != 0)
		startup_skewed++;
	if (start_tracer(c, &p, 0, NULL) != 0)
		return;
	c->nprogs = find_progs(p.pid, ids, MAX_PROGS);
	for (k = 0; k < c->nprogs; k++) {
		struct prog_stat st;

		if (prog_info(ids[k], &st) == 0)
			c->xlated[k] = st.xlated;
	}
	for (i = 0; i < NR_LOADS; i++) {
		struct prog_stat before[MAX_PROGS], after[MAX_PROGS];
		unsigned long long ns = 0, cnt = 0;
		struct sent s;
		int failed = 0;

		memset(before, 0, sizeof(before));
		memset(after, 0, sizeof(after));
		if (!loads[i].stats || c->nprogs == 0)
			continue;
		for (k = 0; k < c->nprogs; k++)
			failed |= prog_info(ids[k], &before[k]);
		run_load(&loads[i], secs, &s);
		for (k = 0; k < c->nprogs; k++) {
			failed |= prog_info(ids[k], &after[k]);
			ns += after[k].run_ns - before[k].run_ns;
			if (k == 0)
				cnt = after[k].run_cnt - before[k].run_cnt;
		}
		/* Per sendto(): the entry and exit programs both run. */
		loads[i].run_ns[ci] = cnt && !failed ?
				      (double)ns / (double)cnt : -1;
	}
	finish(&p, SIGINT);
}

/* Sizes: a static binary has no PT_INTERP. */
static int is_static(const char *path)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	int fd = open(path, O_RDONLY | O_CLOEXEC), i, st = 1;

	if (fd < 0 || pread(fd, &eh, sizeof(eh), 0) != sizeof(eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	for (i = 0; i < eh.e_phnum; i++) {
		if (pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff +
		    (Elf64_Off)i * eh.e_phentsize)) != sizeof(ph))
			break;
		if (ph.p_type == PT_INTERP)
			st = 0;
	}
	close(fd);
	return st;
}

static long long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

/* bpftrace and the shared libraries it loads, as ldd lists them. */
static long long bpftrace_files(const char *path, int *nlibs)
{
	char *argv[] = { "ldd", NULL, NULL };
	long long total = file_size(path);
	static struct proc p;
	char *line, *save;

	*nlibs = 0;
	argv[1] = (char *)(uintptr_t)path;
	spawn(&p, argv, 0, lgerrpath);
	finish(&p, 0);
	for (line = strtok_r(p.buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *s = strstr(line, "=> ");
		long long sz;

		s = s ? s + 3 : line + strspn(line, " \t");
		if (*s != '/')
			continue;
		s[strcspn(s, " \t")] = '\0';
		if ((sz = file_size(s)) > 0) {
			total += sz;
			(*nlibs)++;
		}
	}
	return total;
}

/* Statistics over the runs. */
static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double stat_of(const double *v, int n, int median)
{
	double s[MAX_RUNS];

	if (n == 0)
		return -1;
	memcpy(s, v, (size_t)n * sizeof(*s));
	qsort(s, (size_t)n, sizeof(*s), cmp_double);
	if (!median)
		return s[0];
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/* ns added per call over no tracer: by the minimum ([0]) or median ([1]). */
static int added(const struct load *l, int ci, double a[2])
{
	int m;

	if (l->n[ci] == 0 || l->n[C_NONE] == 0)
		return -1;
	for (m = 0; m < 2; m++)
		a[m] = stat_of(l->ns[ci], l->n[ci], m) -
		       stat_of(l->ns[C_NONE], l->n[C_NONE], m);
	return 0;
}

/* a over b, "-" when either is missing or b is not positive. */
static const char *ratio(char *buf, size_t size, double a, double b, int ok)
{
	if (!ok || b <= 0)
		snprintf(buf, size, "-");
	else
		snprintf(buf, size, "%.2f", a / b);
	return buf;
}

static void print_load(const struct load *l)
{
	int ci;

	printf("\n%s, %s: %s%s\n", l->mode, where(l), l->what,
	       l->matches ? " (counted)" : "");
	printf("  %-9s %17s %17s %15s %15s %9s\n", "contender", "ns/call min/med",
	       "added min/med", "x floor min/med", "bpftrace/x", "counts");
	for (ci = 0; ci < NR_CONTENDERS; ci++) {
		const struct contender *c = &cont[ci];
		double a[2] = { 0, 0 }, f[2] = { 0, 0 }, b[2] = { 0, 0 };
		char cell[5][64], r[4][16];
		int ha, hf, hb;

		if (l->n[ci] == 0)
			continue;
		ha = added(l, ci, a) == 0 && ci != C_NONE;
		hf = added(l, c->floor, f) == 0 && ci != c->floor;
		hb = added(l, C_BPFTRACE, b) == 0 && ci != C_BPFTRACE;
		snprintf(cell[0], sizeof(cell[0]), "%.1f/%.1f",
			 stat_of(l->ns[ci], l->n[ci], 0),
			 stat_of(l->ns[ci], l->n[ci], 1));
		if (ha)
			snprintf(cell[1], sizeof(cell[1]), "%.1f/%.1f", a[0], a[1]);
		else
			snprintf(cell[1], sizeof(cell[1]), "-");
		snprintf(cell[2], sizeof(cell[2]), "%s/%s",
			 ratio(r[0], sizeof(r[0]), a[0], f[0], ha && hf),
			 ratio(r[1], sizeof(r[1]), a[1], f[1], ha && hf));
		snprintf(cell[3], sizeof(cell[3]), "%s/%s",
			 ratio(r[2], sizeof(r[2]), b[0], a[0], ha && hb),
			 ratio(r[3], sizeof(r[3]), b[1], a[1], ha && hb));
		if (!l->checked[ci])
			snprintf(cell[4], sizeof(cell[4]), "-");
		else if (l->wrong[ci])
			snprintf(cell[4], sizeof(cell[4]), "WRONG %d/%d",
				 l->wrong[ci], l->checked[ci]);
		else
			snprintf(cell[4], sizeof(cell[4]), "ok %d/%d",
				 l->checked[ci], l->checked[ci]);
		printf("  %-9s %17s %17s %15s %15s %9s\n", c->name, cell[0],
		       cell[1], strcmp(cell[2], "-/-") ? cell[2] : "-",
		       strcmp(cell[3], "-/-") ? cell[3] : "-", cell[4]);
	}
}

static void print_footprint(void)
{
	int ci, u, i;

	printf("\nstart-up, exec to \"Tracing sendto() syscalls.\" (ms, min/med), memory, programs\n");
	printf("  %-9s %15s %15s %8s %9s %8s", "contender", "tracefs mounted",
	       "not mounted", "VmHWM", "ru_maxrss", "xlated");
	for (i = 0; i < NR_LOADS; i++)
		if (loads[i].stats)
			printf(" %11.11s", loads[i].mode);
	printf("\n  %-9s %15s %15s %8s %9s %8s", "", "", "", "KiB", "KiB",
	       "insns");
	for (i = 0; i < NR_LOADS; i++)
		if (loads[i].stats)
			printf(" %11s", "ns/run");
	printf("\n");
	for (ci = 0; ci < NR_CONTENDERS; ci++) {
		const struct contender *c = &cont[ci];
		char cell[2][48], x[48];
		int k, len = 0;

		if (!c->argv[0])
			continue;
		if (c->skip && c->nattach[0] == 0 && c->hwm_kib == 0) {
			printf("  %-9s not run: %s\n", c->name, c->skip);
			continue;
		}
		for (u = 0; u < 2; u++) {
			if (c->nattach[u] == 0)
				snprintf(cell[u], sizeof(cell[u]), u ?
					 "fails" : "-");
			else
				snprintf(cell[u], sizeof(cell[u]), "%.2f/%.2f",
					 stat_of(c->attach[u], c->nattach[u], 0) / 1e3,
					 stat_of(c->attach[u], c->nattach[u], 1) / 1e3);
		}
		x[0] = '\0';
		for (k = 0; k < c->nprogs; k++)
			len += snprintf(x + len, sizeof(x) - (size_t)len, "%s%u",
					k ? "+" : "", c->xlated[k]);
		printf("  %-9s %15s %15s %8ld %9ld %8s", c->name, cell[0],
		       cell[1], c->hwm_kib, c->maxrss_kib, c->nprogs ? x : "-");
		for (i = 0; i < NR_LOADS; i++)
			if (loads[i].stats) {
				if (loads[i].run_ns[ci] > 0)
					printf(" %11.1f", loads[i].run_ns[ci]);
				else
					printf(" %11s", "-");
			}
		printf("\n");
	}
	printf("  (VmHWM: the tracer's own peak, read at its exit; ru_maxrss from wait4 also\n"
	       "  counts the pre-exec image of the forking harness.  ns/run: the programs'\n"
	       "  run_time_ns/run_cnt with stats on, entry and exit together for -x.)\n");
}

/* The targets, judged on the median; the minimum in brackets. */
static const struct load *find_load(const char *mode, int cpu)
{
	int i;

	for (i = 0; i < NR_LOADS; i++)
		if (strcmp(loads[i].mode, mode) == 0 && loads[i].cpu == cpu)
			return &loads[i];
	return NULL;
}

static void target_ratio(const char *what, const char *mode, int cpu,
			 double max, int vs_bpftrace)
{
	const struct load *l = find_load(mode, cpu);
	static const int who[] = { C_HAND, C_CLANG };
	size_t k;

	printf("  %-44s", what);
	for (k = 0; k < ARRAY_SIZE(who); k++) {
		double a[2], f[2], v[2];
		int m;

		if (!l || added(l, who[k], a) != 0 ||
		    added(l, vs_bpftrace ? C_BPFTRACE : C_FLOOR, f) != 0 ||
		    a[0] <= 0 || a[1] <= 0 || f[0] <= 0 || f[1] <= 0) {
			printf("  %-5s %-22s", cont[who[k]].name, "n/a");
			continue;
		}
		for (m = 0; m < 2; m++)
			v[m] = vs_bpftrace ? f[m] / a[m] : a[m] / f[m];
		printf("  %-5s %5.2fx (%5.2fx) %-5s", cont[who[k]].name, v[0],
		       v[1], (vs_bpftrace ? v[0] >= max : v[0] <= max) ?
		       "met" : "MISS");
	}
	printf("\n");
}

static void print_targets(const char *bpftrace_path)
{
	const struct contender *h = &cont[C_HAND], *b = &cont[C_BPFTRACE];
	long long sz = stripped ? file_size(stripped) : -1;
	double up = stat_of(h->attach[0], h->nattach[0], 1);
	unsigned int bx = b->nprogs ? b->xlated[0] : 84;
	long long files;
	int nlibs, st;

	printf("\ntargets (x: our overhead over the floor's, or bpftrace's over ours;\n"
	       "judged on the minima, the medians in brackets)\n");
	target_ratio("matching, fd -1, CPU 0: <= 2.0x floor", "ebadf-echo", 0, 2.0, 0);
	target_ratio("matching, fd -1, CPU 1: <= 2.0x floor", "ebadf-echo", 1, 2.0, 0);
	target_ratio("matching, raw echo, CPU 0: <= 2.0x floor", "echo", 0, 2.0, 0);
	target_ratio("matching, raw echo, CPU 1: <= 2.0x floor", "echo", 1, 2.0, 0);
	target_ratio("matching, fd -1, CPU 0: bpftrace >= 2x ours", "ebadf-echo", 0, 2.0, 1);
	target_ratio("matching, fd -1, CPU 1: bpftrace >= 2x ours", "ebadf-echo", 1, 2.0, 1);
	target_ratio("non-matching AF_INET, CPU 0: <= 1.6x", "ebadf-other", 0, 1.6, 0);
	target_ratio("non-matching AF_INET, CPU 1: <= 1.6x", "ebadf-other", 1, 1.6, 0);
	target_ratio("NULL address, CPU 0: <= 1.1x", "ebadf-null", 0, 1.1, 0);
	target_ratio("NULL address, CPU 1: <= 1.1x", "ebadf-null", 1, 1.1, 0);
	if (up >= 0)
		printf("  %-44s  hand  %.2f ms (min %.2f) %s\n",
		       "exec to attached, tracefs mounted: < 2 ms", up / 1e3,
		       stat_of(h->attach[0], h->nattach[0], 0) / 1e3,
		       up < 2000 ? "met" : "MISS");
	printf("  %-44s  hand  %ld KiB %s\n", "peak RSS (VmHWM): < 256 KiB",
	       h->hwm_kib, h->hwm_kib > 0 && h->hwm_kib < 256 ? "met" : "MISS");
	if (sz >= 0) {
		st = is_static(stripped);
		printf("  %-44s  %lld bytes (%.1f KiB, %s, %s) %s\n",
		       "stripped static binary: < 64 KiB", sz, (double)sz / 1024,
		       st == 1 ? "static" : st == 0 ? "dynamic" : "not ELF64",
		       cc_label, sz < 64LL * 1024 && st == 1 ? "met" : "MISS");
	}
	printf("  %-44s  hand  %u, clang %u, bpftrace %u%s %s\n",
	       "xlated insns: fewer than bpftrace's", cont[C_HAND].xlated[0],
	       cont[C_CLANG].xlated[0], bx, b->nprogs ? "" : " (the issue's)",
	       cont[C_HAND].xlated[0] && cont[C_HAND].xlated[0] < bx &&
	       (!cont[C_CLANG].nprogs || cont[C_CLANG].xlated[0] < bx) ?
	       "met" : "MISS");
	if (bpftrace_path) {
		files = bpftrace_files(bpftrace_path, &nlibs);
		printf("  %-44s  %.1f MiB (%s and %d libraries)\n",
		       "bpftrace's files, for comparison", (double)files / 1048576,
		       bpftrace_path, nlibs);
	}
}

static void print_header(void)
{
	char model[256] = "unknown", line[512], date[64];
	struct utsname u;
	time_t t = time(NULL);
	FILE *f = fopen("/proc/cpuinfo", "re");

	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, "model name", 10) == 0) {
			char *s = strchr(line, ':');

			if (s) {
				snprintf(model, sizeof(model), "%s", s + 2);
				model[strcspn(model, "\n")] = '\0';
			}
			break;
		}
	if (f)
		fclose(f);
	uname(&u);
	strftime(date, sizeof(date), "%Y-%m-%d %H:%M UTC", gmtime(&t));
	printf("\nicmpcount bench, %s: Linux %s %s, %s, %ld CPUs\n", date,
	       u.release, u.machine, model, sysconf(_SC_NPROCESSORS_ONLN));
	printf("%d runs interleaved, %g s per load; ns/call: the %s per call of each thread;\n"
	       "added: over no tracer; x floor: added over the floor's added (-x rows: over floor -x);\n"
	       "bpftrace/x: bpftrace's added over this one's.  Each cell: min/median over the runs.\n",
	       runs, secs, use_wall ? "wall-clock time" : "CPU time (CLOCK_THREAD_CPUTIME_ID)");
	if (tainted || startup_skewed)
		printf("WARNING: %d of %d runs (and %d start-ups or program runs) went on beside\n"
		       "another tracer on the same tracepoint (%s): their numbers are skewed\n",
		       tainted, sessions, startup_skewed, taint_who);
}

/* The harness's own mount namespace, with tracefs mounted (bpftrace needs it). */
static void setup_tracefs(void)
{
	struct stat st;

	if (unshare(CLONE_NEWNS) != 0 ||
	    mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
		die("cannot make a mount namespace: %s", strerror(errno));
	if (stat("/sys/kernel/tracing/events", &st) == 0)
		return;
	if (mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, NULL) != 0)
		die("cannot mount tracefs: %s", strerror(errno));
}

/* Run-time stats left on by someone else slow every program down. */
static void warn_stats(void)
{
	FILE *f = fopen(STATS_SYSCTL, "re");

	if (f && fgetc(f) == '1')
		fprintf(stderr, "bench: warning: kernel.bpf_stats_enabled is 1: every program pays for it\n");
	if (f)
		fclose(f);
}

static char *in_path(const char *name)
{
	const char *path = getenv("PATH"), *p, *end;
	static char buf[PATH_MAX];

	if (strchr(name, '/'))
		return access(name, X_OK) == 0 ? (char *)(uintptr_t)name : NULL;
	for (p = path ? path : "/usr/bin:/bin"; ; p = end + 1) {
		end = strchrnul(p, ':');
		snprintf(buf, sizeof(buf), "%.*s/%s", (int)(end - p), p, name);
		if (access(buf, X_OK) == 0)
			return buf;
		if (!*end)
			return NULL;
	}
}

static void __attribute__((noreturn)) usage(void)
{
	fprintf(stderr, "usage: bench [-b bpftrace] [-c label] [-i icmpcount] [-l loadgen]\n"
		"             [-L loadgen32] [-q secs] [-r runs] [-s secs] [-S stripped]\n"
		"             [-t script] [-W] [-w dir]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *icmpcount = "./icmpcount", *bpftrace = "bpftrace";
	const char *script = "tests/reference/sendto_count.bt";
	char rawpath[PATH_MAX], *bt_path = NULL, *end;
	double t_start = now();
	int r, i, k, ch, stats_fd;
	void *shm;

	while ((ch = getopt(argc, argv, "b:c:i:l:L:q:r:s:S:t:Ww:")) != -1) {
		switch (ch) {
		case 'b': bpftrace = optarg; break;
		case 'c': cc_label = optarg; break;
		case 'i': icmpcount = optarg; break;
		case 'l': loadgen = optarg; break;
		case 'L': loadgen32 = optarg; break;
		case 'q':
			wait_secs = strtod(optarg, &end);
			if (end == optarg || *end || !(wait_secs >= 0))
				usage();
			break;
		case 'r':
			runs = (int)number(optarg, 1, MAX_RUNS);
			if (runs < 0)
				usage();
			break;
		case 's':
			secs = strtod(optarg, &end);
			if (end == optarg || *end || !(secs > 0 && secs <= 60))
				usage();
			break;
		case 'S': stripped = optarg; break;
		case 't': script = optarg; break;
		case 'W': use_wall = 1; break;
		case 'w': workdir = optarg; break;
		default: usage();
		}
	}
	if (optind != argc)
		usage();
	if (geteuid() != 0)
		die("run as root: the tracers load BPF programs");
	if (access(icmpcount, X_OK) != 0)
		die("cannot run %s: %s", icmpcount, strerror(errno));
	if (access(loadgen, X_OK) != 0)
		die("cannot run %s: %s", loadgen, strerror(errno));
	if (loadgen32 && access(loadgen32, X_OK) != 0) {
		fprintf(stderr, "bench: no %s: the 32-bit loads are left out\n",
			loadgen32);
		loadgen32 = NULL;
	}
	snprintf(errpath, sizeof(errpath), "%s/tracer.err", workdir);
	snprintf(lgerrpath, sizeof(lgerrpath), "%s/loadgen.err", workdir);
	snprintf(rawpath, sizeof(rawpath), "%s/raw.txt", workdir);
	if (!(raw = fopen(rawpath, "we")))
		die("cannot write %s: %s", rawpath, strerror(errno));

	shm = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		   -1, 0);
	if (shm == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	shared_t0 = shm;
	shared_t0_valid = (volatile int *)((char *)shm + 64);

	for (k = 0; k < NR_CONTENDERS; k++)
		if (k != C_NONE)
			cont[k].argv[0] = (char *)(uintptr_t)icmpcount;
	bt_path = in_path(bpftrace);
	if (bt_path && access(script, R_OK) == 0) {
		bt_path = strdup(bt_path);
		cont[C_BPFTRACE].argv[0] = bt_path;
		cont[C_BPFTRACE].argv[1] = (char *)(uintptr_t)script;
	} else {
		cont[C_BPFTRACE].skip = bt_path ? "the reference script is missing" :
					 "bpftrace is not installed";
		bt_path = NULL;
	}

	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	setup_tracefs();
	warn_stats();

	/*
	 * 1: overhead.  Each load runs under every contender in turn, the
	 * order rotating from load to load and run to run.
	 */
	for (r = 0; r < runs; r++)
		for (i = 0; i < NR_LOADS; i++) {
			fprintf(stderr, "bench: run %d/%d, %s, %s:", r + 1,
				runs, loads[i].mode, where(&loads[i]));
			for (k = 0; k < NR_CONTENDERS; k++) {
				int ci = (k + r + i) % NR_CONTENDERS;
				double ns = session(ci, i, r);

				if (ns >= 0)
					fprintf(stderr, " %s %.1f", cont[ci].name, ns);
			}
			fprintf(stderr, " (%.0f s)\n", now() - t_start);
		}

	/* 2: start-up, interleaved the same way. */
	for (r = 0; r < runs; r++)
		for (k = 0; k < NR_CONTENDERS; k++)
			startup((k + r) % NR_CONTENDERS);
	fprintf(stderr, "bench: start-up measured (%.0f s)\n", now() - t_start);

	/* 3: the programs, with run-time stats on only now. */
	stats_fd = stats_on();
	for (k = 0; k < NR_CONTENDERS; k++)
		prog_stats(k);
	if (stats_fd >= 0)
		close(stats_fd);
	restore_stats();
	fprintf(stderr, "bench: programs measured (%.0f s)\n", now() - t_start);

	/* 4: the table. */
	print_header();
	for (k = 0; k < NR_LOADS; k++)
		print_load(&loads[k]);
	print_footprint();
	print_targets(bt_path);
	for (k = 0; k < NR_CONTENDERS; k++) {
		/* clang and bpftrace may be missing; the rest must run. */
		if (cont[k].skip && k != C_CLANG && k != C_CLANG_X &&
		    k != C_COMPAT && k != C_BPFTRACE)
			failures++;
		if (cont[k].count_bad && k != C_BPFTRACE)
			failures++;
		if (cont[k].skip)
			printf("  %s left out: %s\n", cont[k].name, cont[k].skip);
		if (cont[k].count_bad)
			printf("  %s: counts WRONG in %d of %d runs (see above)\n",
			       cont[k].name, cont[k].count_bad, cont[k].count_runs);
	}
	printf("  raw numbers: %s; whole bench %.0f s\n", rawpath, now() - t_start);
	fclose(raw);
	return failures ? 1 : 0;
}
