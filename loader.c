// SPDX-License-Identifier: GPL-2.0
/*
 * icmpcount - count, per process name, the ICMP echo requests sent with
 * sendto(), as the bpftrace script it grew from does (tests/reference/
 * sendto_count.bt), with nothing but libc and the kernel's bpf() and
 * perf_event_open() system calls.
 *
 * This file is the loading story, in the order main() tells it and -v
 * narrates it:
 *   Step 1  find tracefs (tracefs.c), mounting a private one if need be
 *   Step 2  choose the tracepoints
 *   Step 3  create the maps
 *   Step 4  read each tracepoint's id and format; build and load its program
 *   Step 5  attach each program to its tracepoint
 *   Step 6  keep only the privilege that reading the maps needs
 *   Step 7  trace until the end, printing or saving on each tick
 *   Step 8  detach, read the maps, print the counts
 * The rest lives beside it: bpf.c calls the kernel, tracefs.c reads
 * tracefs, prog.c builds the programs (prog_hand.c, prog_clang.c), caps.c
 * drops privileges, output.c prints, cmdline.c and command.c take the
 * options and run -c's command, check.c is --check, errors.c says what
 * failed.  Build with `make`; run as root.
 * Bugs: sends made with sendmsg() never reach the sys_enter_sendto
 * tracepoint and are not counted.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include <linux/bpf.h>
#include <linux/capability.h>
#include <linux/perf_event.h>
#include <linux/version.h>

#include "bpf.h"
#include "icmpcount.h"

#define MAX_PENDING	16384	/* -x: threads between entry and exit */

/* The steps, as this file's header lists them and -v announces them. */
static const char *const steps[] = {
	NULL,
	"find tracefs",
	"choose the tracepoints",
	"create the maps",
	"read each tracepoint's id and format; build and load its program",
	"attach each program to its tracepoint",
	"keep only the privilege that reading the maps needs",
	"trace until the end",
	"detach, read the maps, print the counts",
};

static void step(unsigned int n)
{
	narrate("Step %u: %s", n, steps[n]);
}
#define LOG_MIN		((size_t)64 * 1024)
#define LOG_MAX		(UINT32_MAX >> 8)	/* kernels up to 5.1 refuse more */

/*
 * Step 2: where the programs attach.  sys_enter_sendto is the tracepoint;
 * where the kernel lacks syscall tracepoints for single calls (built
 * without CONFIG_FTRACE_SYSCALLS), raw_syscalls:sys_enter stands in,
 * filtered on __NR_sendto.  On i386, glibc sends through socketcall(), so
 * its tracepoint is hooked too wherever it exists.  -x adds each exit.
 */
struct hook {
	const char *enter, *exit;
	int (*parse_enter)(const char *, struct sendto_fields *, const char **);
	int (*parse_exit)(const char *, struct sendto_fields *, const char **);
	enum format_kind enter_format;
	enum prog_kind kind;
	int syscall_nr;
};

static const struct hook hook_sendto = {
	TP_SENDTO_ENTER, TP_SENDTO_EXIT,
	parse_sendto_format, parse_exit_format, FORMAT_ENTER, PROG_ENTRY, 0,
};
static const struct hook hook_raw = {
	TP_RAW_ENTER, TP_RAW_EXIT,
	parse_raw_enter_format, parse_raw_exit_format, FORMAT_ENTER,
	PROG_ENTRY, SYS_sendto,
};
static const struct hook hook_socketcall = {
	TP_SOCKETCALL_ENTER, TP_SOCKETCALL_EXIT,
	parse_socketcall_format, parse_exit_format, FORMAT_SOCKETCALL,
	PROG_ENTRY_SOCKETCALL, 0,
};
/* --compat: 32-bit processes on a 64-bit kernel (compat.c). */
static const struct hook hook_compat = {
	TP_RAW_ENTER, TP_RAW_EXIT,
	parse_raw_enter_format, parse_raw_exit_format, FORMAT_ENTER,
	PROG_ENTRY_COMPAT, 0,
};

static size_t choose_hooks(const char *tracefs, const struct hook **hooks,
			   int compat)
{
	size_t n = 0;

	if (!test_knobs.raw_syscalls &&
	    tracepoint_exists(tracefs, hook_sendto.enter))
		hooks[n++] = &hook_sendto;
	else if (tracepoint_exists(tracefs, hook_raw.enter))
		hooks[n++] = &hook_raw;
	else {
		/* Says why, and exits; should it find the id, use it. */
		tracepoint_id(tracefs, hook_sendto.enter);
		hooks[n++] = &hook_sendto;
	}
	narrate("hook: %s", hooks[0]->enter);
	if (tracepoint_exists(tracefs, hook_socketcall.enter)) {
		hooks[n++] = &hook_socketcall;
		narrate("hook: %s", hook_socketcall.enter);
	}
	if (compat) {
		hooks[n++] = &hook_compat;
		narrate("hook: %s, for 32-bit processes", hook_compat.enter);
	}
	return n;
}

/*
 * Step 3: the maps.  counts (and counts6 for -6) map a comm to a count.
 * They are per-CPU hashes: each CPU counts in a slot of its own, so the
 * program needs no atomic add (which 32-bit JITs refuse), and we sum the
 * slots of all possible CPUs when we read them.  The sends left out, and
 * why, are four keys of counts that no comm can be (icmpcount.h).  pending
 * (-x) remembers a send from entry to exit; it is an LRU hash, so threads
 * that die in between cannot fill it.  The hand program names counts6 only
 * for -6 and pending only for -x, so without them they are not made.  For
 * -P clang they are always made, with one entry where the option is off:
 * its program with options names both (its plain one names neither, but
 * which one runs is prog_clang.c's to say).  Before 5.11 the kernel charged BPF
 * memory to RLIMIT_MEMLOCK, so on EPERM try once more with the limit
 * raised; before 4.15 maps had no names, so on EINVAL try once more
 * without one.
 */
struct maps {
	int counts, counts6, pending;
};

/* A per-CPU map's value holds a slot for each possible CPU. */
static unsigned int possible_cpus(void)
{
	const char *path = "/sys/devices/system/cpu/possible";
	char text[256];
	unsigned int n;

	if (read_text(path, text, sizeof(text)) != 0)
		fail(NULL, "cannot read %s", path);
	if (parse_cpu_list(text, &n) != 0 || n == 0)
		failx("cannot parse %s: '%s'", path, text);
	narrate("read %s: %u possible CPUs", path, n);
	return n;
}

static int raise_memlock(void)
{
	struct rlimit r = { RLIM_INFINITY, RLIM_INFINITY };
	int ret = setrlimit(RLIMIT_MEMLOCK, &r);

	/* Without CAP_SYS_RESOURCE, the hard limit is as far as it goes. */
	if (ret != 0 && getrlimit(RLIMIT_MEMLOCK, &r) == 0) {
		r.rlim_cur = r.rlim_max;
		ret = setrlimit(RLIMIT_MEMLOCK, &r);
	}
	narrate("setrlimit(RLIMIT_MEMLOCK, %s) = %d",
		r.rlim_cur == RLIM_INFINITY ? "RLIM_INFINITY" : "hard limit",
		ret);
	return ret;
}

static int create_map(enum bpf_map_type type, const char *name,
		      __u32 key_size, __u32 value_size, __u32 max_entries,
		      __u32 flags)
{
	int fd = -1;

	/* ICMPCOUNT_TEST_MEMLOCK plays a kernel that says EPERM first. */
	if (test_knobs.memlock)
		errno = EPERM;
	else
		fd = bpf_map_create(type, name, key_size, value_size,
				    max_entries, flags);
	if (fd < 0 && errno == EPERM && raise_memlock() == 0)
		fd = bpf_map_create(type, name, key_size, value_size,
				    max_entries, flags);
	if (fd < 0 && errno == EINVAL)
		fd = bpf_map_create(type, NULL, key_size, value_size,
				    max_entries, flags);
	if (fd < 0)
		fail(hint_privilege(errno), "cannot create BPF map %s", name);
	return fd;
}

/*
 * A hash map is preallocated unless told otherwise: all its elements are
 * made at creation, which was most of our start-up (1.5 ms for the 4100
 * per-CPU elements of counts, here).  From 6.1 on, a tracing program may
 * insert into a hash that allocates as it goes; before that, the verifier
 * answers such a program with a kernel warning (a panic where
 * panic_on_warn is set), or refuses it on PREEMPT_RT.  Nothing can ask the
 * kernel without risking that warning, so its version decides.
 */
static __u32 counts_map_flags(void)
{
	struct utsname u;
	unsigned int v;

	/* ICMPCOUNT_TEST_PREALLOC plays a kernel older than 6.1. */
	if (test_knobs.prealloc || uname(&u) != 0 ||
	    parse_kernel_release(u.release, &v) != 0 ||
	    v < KERNEL_VERSION(6, 1, 0))
		return 0;
	narrate("kernel %s: counts is not preallocated", u.release);
	return BPF_F_NO_PREALLOC;
}

/*
 * The stats live in the IPv4 counts map, under keys no comm can be
 * (icmpcount.h): room for them beside --max-comms names, and each put in
 * now, with zeros, so that a program can always find it.
 */
static void create_maps(struct maps *m, const struct options *o,
			unsigned int ncpus)
{
	__u32 comms = (__u32)o->max_comms, flags = counts_map_flags();
	int clang = o->program == PROGRAM_CLANG;
	unsigned char key[COMM_LEN];
	__u64 *zeros = calloc(ncpus, sizeof(*zeros));
	unsigned int i;

	if (!zeros)
		fail(NULL, "cannot allocate memory");
	m->counts = create_map(BPF_MAP_TYPE_PERCPU_HASH, "icmpcount",
			       COMM_LEN, sizeof(__u64), comms + NR_STATS,
			       flags);
	for (i = 0; i < NR_STATS; i++) {
		stat_key(key, i);
		if (bpf_map_update_elem(m->counts, key, zeros, BPF_NOEXIST) != 0)
			fail(NULL, "cannot put the stat keys in BPF map icmpcount");
	}
	free(zeros);
	m->counts6 = m->pending = -1;
	if (o->ipv6)
		m->counts6 = create_map(BPF_MAP_TYPE_PERCPU_HASH, "icmpcount6",
					COMM_LEN, sizeof(__u64), comms, flags);
	else if (clang)
		m->counts6 = create_map(BPF_MAP_TYPE_PERCPU_HASH, "icmpcount6",
					COMM_LEN, sizeof(__u64), 1, flags);
	/* An LRU hash is always preallocated: it evicts from its free list. */
	if (o->exit)
		m->pending = create_map(BPF_MAP_TYPE_LRU_HASH, "icmpcount_pend",
					sizeof(__u32), sizeof(__u32),
					MAX_PENDING, 0);
	else if (clang)
		m->pending = create_map(BPF_MAP_TYPE_HASH, "icmpcount_pend",
					sizeof(__u32), sizeof(__u32), 1, 0);
}

/*
 * Step 4: the programs.  For each hook, read its tracepoint's id and the
 * layout of its record, then build the instruction array, hand-assembled
 * (prog_hand.c) or compiled by clang (prog.bpf.c, via prog_clang.c), with
 * the field offsets, map fds and options put in (prog.c), and load it.
 * load_once() loads without a log, which is fastest; only when the kernel
 * refuses the program does load_with_log() load it again with a log,
 * growing the buffer while the kernel says ENOSPC, and print the log.
 */
/*
 * The verifier's log levels are bits: 1 (BPF_LOG_LEVEL1) its reasoning
 * where it rejects a program, 2 (BPF_LOG_LEVEL2) its state at every
 * instruction it walks, 4 (BPF_LOG_STATS, 5.2 and later) the totals.  -v
 * asks for 4, -vv for 2 and 4; a load that fails asks for 1 (load_with_log).
 */
#define VLOG_SIZE	(1024 * 1024)

static int load_once(const struct bpf_insn *insns, size_t cnt)
{
	static char stats[VLOG_SIZE];
	__u32 level = verbose > 1 ? 2 | 4 : 4;
	__u32 size = verbose > 1 ? VLOG_SIZE : 1024;
	int fd;

	/* -v: the verifier's statistics (BPF_LOG_STATS, 5.2 and later). */
	stats[0] = '\0';
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACEPOINT, "icmpcount", "GPL",
			   insns, cnt, verbose ? stats : NULL, size, level);
	if (fd < 0 && verbose)
		fd = bpf_prog_load(BPF_PROG_TYPE_TRACEPOINT, "icmpcount", "GPL",
				   insns, cnt, NULL, 0, 0);
	if (fd < 0 && errno == EINVAL)	/* before 4.15: no program names */
		fd = bpf_prog_load(BPF_PROG_TYPE_TRACEPOINT, NULL, "GPL",
				   insns, cnt, NULL, 0, 0);
	if (fd >= 0 && stats[0])
		narrate_text("verifier: ", stats);
	return fd;
}

static void __attribute__((noreturn))
load_with_log(const struct bpf_insn *insns, size_t cnt)
{
	int e = errno;
	size_t size;

	for (size = LOG_MIN; size <= LOG_MAX; size *= 4) {
		char *log = calloc(1, size);

		if (!log)
			break;
		if (bpf_prog_load(BPF_PROG_TYPE_TRACEPOINT, NULL, "GPL", insns,
				  cnt, log, (__u32)size, 1) >= 0 ||
		    errno != ENOSPC) {
			if (log[0])
				/* the verifier's own words */
				fputs(log, stderr);
			free(log);
			break;
		}
		free(log);
	}
	errno = e;
	fail(e == EINVAL || e == EACCES ? "see the verifier log above" :
	     hint_privilege(e), "cannot load BPF program (%zu insns)", cnt);
}

/*
 * The programs read user memory with bpf_probe_read_user (5.5 and later).
 * Older kernels have only bpf_probe_read: when a load fails, ask the
 * kernel which it has (prog.c) rather than guess from its version.
 */
static int pick_read_user(void)
{
	if (test_knobs.no_read_user ||
	    !helper_works(BPF_FUNC_probe_read_user)) {
		narrate("bpf_probe_read_user is missing: using bpf_probe_read");
		return BPF_FUNC_probe_read;
	}
	return BPF_FUNC_probe_read_user;
}

static int build_and_load(struct prog_spec *spec, int program)
{
	struct bpf_insn insns[PROG_MAX_INSNS];
	size_t cnt;
	int fd;

	cnt = prog_build(insns, spec, program);
	fd = load_once(insns, cnt);
	if (fd < 0 && errno == EINVAL &&
	    spec->read_user == BPF_FUNC_probe_read_user &&
	    pick_read_user() != BPF_FUNC_probe_read_user) {
		spec->read_user = BPF_FUNC_probe_read;
		cnt = prog_build(insns, spec, program);
		fd = load_once(insns, cnt);
	}
	if (fd < 0)
		load_with_log(insns, cnt);
	return fd;
}

/*
 * Step 5: attach.  A tracepoint's BPF program hangs off a perf event for
 * that tracepoint: perf_event_open() makes the event (bpf.c's
 * perf_event_open_tracepoint() says how), and the program is tied to it
 * one of two ways.  From Linux 5.15 a BPF link does it
 * (BPF_LINK_CREATE with attach_type BPF_PERF_EVENT): the link is an fd of
 * its own, which bpftool link list shows, and closing it detaches.  Before
 * 5.15 the kernel answers that with EINVAL, and the older way is the
 * PERF_EVENT_IOC_SET_BPF ioctl on the event, which lives as long as the
 * event's fd.  We try the link and fall back, and say which under -v.
 * Either way PERF_EVENT_IOC_ENABLE starts the event: it was opened with
 * disabled=1 so that no event comes before the program is in place.
 */
struct attachment {
	int perf;		/* the perf event's fd */
	int link;		/* the BPF link's fd, or -1 (the ioctl way) */
};

static struct attachment attach_prog(int prog_fd, unsigned int tp_id)
{
	static int no_links;	/* this kernel has no links for perf events */
	struct attachment at = { .link = -1 };

	at.perf = perf_event_open_tracepoint(tp_id);
	if (at.perf < 0)
		fail(hint_privilege(errno), "cannot open perf event for tracepoint %u",
		     tp_id);
	if (!no_links && !test_knobs.no_links) {
		at.link = bpf_link_create(prog_fd, at.perf, BPF_PERF_EVENT, 0);
		if (at.link < 0 && errno != EINVAL)
			fail(hint_privilege(errno), "cannot link BPF program to tracepoint %u",
			     tp_id);
		if (at.link < 0) {
			no_links = 1;
			narrate("no BPF links for perf events here (before 5.15): attaching with PERF_EVENT_IOC_SET_BPF");
		}
	}
	if (at.link < 0 &&
	    perf_event_ioctl(at.perf, PERF_EVENT_IOC_SET_BPF, prog_fd) != 0)
		fail(hint_privilege(errno), "cannot attach BPF program to tracepoint %u",
		     tp_id);
	if (perf_event_ioctl(at.perf, PERF_EVENT_IOC_ENABLE, 0) != 0)
		fail(hint_privilege(errno), "cannot enable perf event for tracepoint %u",
		     tp_id);
	return at;
}

/* Closing the link, or the event, detaches the program. */
static void detach_prog(const struct attachment *at)
{
	int r;

	if (at->link >= 0) {
		r = close(at->link);
		narrate("close(%d) = %d: the link goes, and the program with it",
			at->link, r);
	}
	r = close(at->perf);
	narrate("close(%d) = %d: the perf event goes%s", at->perf, r,
		at->link >= 0 ? "" : ", and the program with it");
}

/*
 * Steps 4, 5 and 8 for each hook: read its tracepoints' ids and layout,
 * load its entry program (and with -x its exit program), attach them, and
 * at the end detach them.  The socketcall prologue exists only by hand.
 */
struct attached {
	const struct hook *hook;
	unsigned int enter_id, exit_id;
	int enter_prog, exit_prog;
	struct attachment enter, exit;
};

static void load_hook(const char *tracefs, const struct hook *h,
		      const struct options *o, const struct maps *m,
		      const struct compat_abi *abi, struct attached *a)
{
	struct sendto_fields fields;
	struct prog_spec spec = {
		.kind = h->kind, .fields = &fields,
		.counts_fd = m->counts, .counts6_fd = m->counts6,
		.pending_fd = m->pending,
		.read_user = test_knobs.no_read_user ?
			     BPF_FUNC_probe_read : BPF_FUNC_probe_read_user,
		.ipv6 = o->ipv6, .all = o->all, .exit = o->exit,
		.pid = (int)o->pid, .syscall_nr = h->syscall_nr,
		.compat = h->kind == PROG_ENTRY_COMPAT ? abi : NULL,
		.unchecked = test_knobs.reject,
	};
	/* The socketcall and compat prologues exist only by hand. */
	int program = o->program;

	if ((h->kind == PROG_ENTRY_SOCKETCALL || h->kind == PROG_ENTRY_COMPAT) &&
	    program == PROGRAM_CLANG)
		program = PROGRAM_HAND;

	if (program == PROGRAM_CLANG && h->syscall_nr)
		failx("-P clang needs the syscalls:sys_enter_sendto tracepoint; this kernel has only raw_syscalls (use -P hand)");
	memset(&fields, 0, sizeof(fields));
	memset(a, 0, sizeof(*a));
	a->hook = h;
	a->exit_prog = -1;
	a->enter_id = tracepoint_id(tracefs, h->enter);
	read_fields(tracefs, h->enter, h->enter_format, h->parse_enter,
		    &fields);
	a->enter_prog = build_and_load(&spec, program);
	if (!o->exit)
		return;
	a->exit_id = tracepoint_id(tracefs, h->exit);
	read_fields(tracefs, h->exit, FORMAT_EXIT, h->parse_exit, &fields);
	spec.kind = PROG_EXIT;
	a->exit_prog = build_and_load(&spec, program);
}

/* The exit program first, so no send the entry remembers is lost. */
static void attach_hook(struct attached *a)
{
	if (a->exit_prog >= 0)
		a->exit = attach_prog(a->exit_prog, a->exit_id);
	a->enter = attach_prog(a->enter_prog, a->enter_id);
}

/* The entry program first, so no send it remembers misses its exit. */
static void detach_hook(const struct attached *a)
{
	detach_prog(&a->enter);
	if (a->exit_prog >= 0)
		detach_prog(&a->exit);
}

/*
 * Step 6: attached, keep only what the rest of the run needs (caps.c):
 * what reading the maps needs on this kernel, CAP_KILL to stop a -u
 * command, CAP_DAC_OVERRIDE to write --prom into another user's directory.
 */
static void keep_least_privilege(const struct options *o, const struct maps *m)
{
	__u64 keep = 0;

	if (o->user)
		keep |= (__u64)1 << CAP_KILL;
	if (o->prom)
		keep |= (__u64)1 << CAP_DAC_OVERRIDE;
	drop_privileges(m->counts, keep);
}

/* Step 8's reading of the maps, which step 7 uses on each tick too. */
struct maps;
static void read_totals(const struct maps *m, unsigned int ncpus,
			struct totals *t);

/*
 * Step 7: wait.  The end is SIGINT, SIGTERM, the command's exit, or the
 * duration; -i prints what each interval counted on the way.  The signals
 * are blocked and taken with sigtimedwait(), so none can interrupt a print.
 */
static double now_secs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void wait_for_end(const sigset_t *set, struct command *cmd,
			 const struct options *o, const struct maps *m,
			 unsigned int ncpus, struct totals *prev)
{
	/* A tick: -i prints the interval; --prom writes the totals. */
	unsigned long period = o->interval ? o->interval : o->prom ? 15 : 0;
	double start = now_secs(), next = start + (double)period;
	double end = start + (double)o->duration;

	for (;;) {
		double t = now_secs(), until = -1;
		struct timespec ts, *timeout = NULL;
		siginfo_t info;
		int sig;

		if (o->duration && t >= end)
			break;
		if (period && t >= next) {
			struct totals cur = { 0 };

			read_totals(m, ncpus, &cur);
			if (o->interval)
				print_totals(&cur, prev, o, 0);
			if (o->prom)
				save_prom(&cur, o);
			free(prev->c);
			*prev = cur;
			next += (double)period;
			continue;
		}
		if (period)
			until = next;
		if (o->duration && (until < 0 || end < until))
			until = end;
		if (until >= 0) {
			double d = until - t;

			ts.tv_sec = (time_t)d;
			ts.tv_nsec = (long)((d - (double)ts.tv_sec) * 1e9);
			timeout = &ts;
		}
		sig = sigtimedwait(set, &info, timeout);
		if (sig < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			fail(NULL, "cannot wait for signals");
		}
		if (sig != SIGCHLD)
			break;
		if (cmd->pid > 0 && waitpid(cmd->pid, NULL, WNOHANG) == cmd->pid) {
			cmd->pid = command_pid = 0;
			break;
		}
	}
}

/*
 * Step 8 (and step 7, on each tick): read the maps.  Walk the keys with
 * BPF_MAP_GET_NEXT_KEY and sum each key's per-CPU slots, one per possible
 * CPU, as BPF_MAP_LOOKUP_ELEM returns them.
 */
static uint64_t sum_cpus(const __u64 *values, unsigned int ncpus)
{
	uint64_t sum = 0;
	unsigned int i;

	for (i = 0; i < ncpus; i++)
		sum += values[i];
	return sum;
}

static void read_counts(int map_fd, int family, __u64 *values,
			unsigned int ncpus, struct totals *t)
{
	unsigned char key[COMM_LEN], next[COMM_LEN];
	const void *prev = NULL;
	int stat;

	while (bpf_map_get_next_key(map_fd, prev, next) == 0) {
		memcpy(key, next, sizeof(key));
		prev = key;
		if (bpf_map_lookup_elem(map_fd, key, values) != 0) {
			if (errno == ENOENT)	/* deleted since: skip it */
				continue;
			fail(NULL, "cannot read BPF map");
		}
		stat = family == AF_INET ? stat_of_key(key) : -1;
		if (stat >= 0) {
			t->stats[stat] = sum_cpus(values, ncpus);
			continue;
		}
		if (t->n == t->max) {
			t->max = t->max ? 2 * t->max : 64;
			t->c = realloc(t->c, t->max * sizeof(*t->c));
			if (!t->c)
				fail(NULL, "cannot allocate memory");
		}
		memcpy(t->c[t->n].comm, key, COMM_LEN);
		t->c[t->n].family = family;
		t->c[t->n].count = sum_cpus(values, ncpus);
		t->n++;
	}
	if (errno != ENOENT)
		fail(NULL, "cannot walk BPF map");
}

/* The totals since the start, sorted by key so intervals can diff them. */
static void read_totals(const struct maps *m, unsigned int ncpus,
			struct totals *t)
{
	__u64 *values = calloc(ncpus, sizeof(*values));

	if (!values)
		fail(NULL, "cannot allocate memory");
	t->n = 0;
	memset(t->stats, 0, sizeof(t->stats));
	read_counts(m->counts, AF_INET, values, ncpus, t);
	if (m->counts6 >= 0)	/* made for -6, and for -P clang */
		read_counts(m->counts6, AF_INET6, values, ncpus, t);
	if (t->n > 1)	/* t->c is NULL while nothing was counted */
		qsort(t->c, t->n, sizeof(*t->c), cmp_count_key);
	free(values);
}

/* With fd 0, 1 or 2 closed, our first fds would take their place. */
static void open_std_fds(void)
{
	int fd;

	for (fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
			continue;
		if (open("/dev/null", O_RDWR) != fd)
			exit(EXIT_FAILURE);
	}
}

int main(int argc, char **argv)
{
	struct options opt = { 0 };
	struct command cmd = { .pid = 0 };
	struct totals start = { 0 }, end = { 0 };
	const struct hook *hooks[3];
	struct attached att[3];
	struct compat_abi abi = { .probe_fds = { -1, -1, -1 } };
	struct maps maps;
	unsigned int ncpus;
	const char *tracefs;
	size_t i, nhooks;
	sigset_t set;

	open_std_fds();
	read_test_knobs();
	parse_args(argc, argv, &opt);
	if (verbose)
		bpf_trace = &verbose_trace_ops;
	if (opt.check)
		return run_check();
	if (opt.dump) {
		prog_dump(&opt);
		return EXIT_SUCCESS;
	}
	if (opt.pid && kill((pid_t)opt.pid, 0) != 0 && errno == ESRCH)
		failx("no process with pid %lu", opt.pid);

	/*
	 * Take the end signals only when we wait for them, so a Ctrl-C during
	 * start-up still ends in a clean report.  Block them before the fork,
	 * so the command's SIGCHLD cannot be lost.
	 */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);

	/* Fork the command first, held until we are attached. */
	if (opt.command)
		start_command(&cmd, opt.command, opt.user);

	/* A reader that goes away makes writes fail with EPIPE, not kill us. */
	signal(SIGPIPE, SIG_IGN);

	step(1);
	tracefs = find_tracefs();
	step(2);
	nhooks = choose_hooks(tracefs, hooks,
			      compat_wanted(&opt, tracefs, &abi));
	step(3);
	ncpus = possible_cpus();
	trace_ncpus = ncpus;
	create_maps(&maps, &opt, ncpus);
	step(4);
	for (i = 0; i < nhooks; i++)
		load_hook(tracefs, hooks[i], &opt, &maps, &abi, &att[i]);
	step(5);
	for (i = 0; i < nhooks; i++)
		attach_hook(&att[i]);
	compat_release(&abi);
	step(6);
	keep_least_privilege(&opt, &maps);

	/* Say we are tracing, let the command run, and trace until it exits
	 * or a signal comes. */
	step(7);
	check_stdout(print_tracing(stdout, opt.json));
	if (opt.command)
		release_command(&cmd);
	wait_for_end(&set, &cmd, &opt, &maps, ncpus, &start);

	/* Detach, so the counts stand still, then print them. */
	step(8);
	for (i = 0; i < nhooks; i++)
		detach_hook(&att[i]);
	read_totals(&maps, ncpus, &end);
	if (opt.prom)
		save_prom(&end, &opt);
	if (!opt.json)
		print_not_counted(stderr, end.stats);
	free(start.c);
	start = (struct totals){ 0 };
	print_totals(&end, &start, &opt, 1);
	free(end.c);
	free(cmd.argv);		/* and the words: one allocation */
	return EXIT_SUCCESS;
}
