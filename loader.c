// SPDX-License-Identifier: GPL-2.0
/*
 * icmpcount - count, per process name, the ICMP echo requests sent with
 * sendto(), as shared/reference/sendto_count.bt does, with nothing but libc
 * and the kernel's bpf() and perf_event_open() system calls.
 *
 * The story, in the order main() tells it: find tracefs (mounting a private
 * one if none is mounted), read the tracepoints' ids and argument layout,
 * create the maps, load the program, attach it through a perf event, wait,
 * then read the maps and print them.  Build with `make`; run as root.
 * cmdline.c reads the options and command.c runs the -c command; the
 * programs are built in prog_hand.c and prog_clang.c.
 * Bugs: sends made with sendmsg(), or from 32-bit processes on a 64-bit
 * kernel, never reach the sys_enter_sendto tracepoint and are not counted.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include <linux/bpf.h>
#include <linux/capability.h>
#include <linux/perf_event.h>
#include <linux/version.h>

#include "bpf_insn.h"
#include "disasm.h"
#include "icmpcount.h"

#ifndef __NR_bpf
# if defined(__x86_64__)
#  define __NR_bpf 321
# elif defined(__i386__)
#  define __NR_bpf 357
# elif defined(__aarch64__)
#  define __NR_bpf 280
# elif defined(__arm__)
#  define __NR_bpf 386
# else
#  error "__NR_bpf is not defined for this architecture"
# endif
#endif

#define MAX_PENDING	16384	/* -x: threads between entry and exit */
#define TEXT_MAX	8192	/* a tracefs or sysfs file we read, at most */
#define LOG_MIN		((size_t)64 * 1024)
#define LOG_MAX		(UINT32_MAX >> 8)	/* kernels up to 5.1 refuse more */

static const char *const tracefs_dirs[] = {
	"/sys/kernel/tracing",
	"/sys/kernel/debug/tracing",
};
/*
 * Where the programs attach.  sys_enter_sendto is the tracepoint; where the
 * kernel lacks syscall tracepoints for single calls (built without
 * CONFIG_FTRACE_SYSCALLS), raw_syscalls:sys_enter stands in, filtered on
 * __NR_sendto.  On i386, glibc sends through socketcall(), so its
 * tracepoint is hooked too wherever it exists.  -x adds each exit.
 */
struct hook {
	const char *enter, *exit;
	int (*parse_enter)(const char *, struct sendto_fields *, const char **);
	int (*parse_exit)(const char *, struct sendto_fields *, const char **);
	enum prog_kind kind;
	int syscall_nr;
};

static const struct hook hook_sendto = {
	"events/syscalls/sys_enter_sendto", "events/syscalls/sys_exit_sendto",
	parse_sendto_format, parse_exit_format, PROG_ENTRY, 0,
};
static const struct hook hook_raw = {
	"events/raw_syscalls/sys_enter", "events/raw_syscalls/sys_exit",
	parse_raw_enter_format, parse_raw_exit_format, PROG_ENTRY, SYS_sendto,
};
static const struct hook hook_socketcall = {
	"events/syscalls/sys_enter_socketcall",
	"events/syscalls/sys_exit_socketcall",
	parse_socketcall_format, parse_exit_format, PROG_ENTRY_SOCKETCALL, 0,
};

int verbose;

/*
 * The system call layer.  Each wrapper returns what the kernel returns, as
 * libc does: an fd or 0 on success, -1 with errno set on failure.  They print
 * nothing and decide nothing; the caller reports errors.  Names and argument
 * order follow libbpf's tools/lib/bpf/bpf.c.  With -v, sys_bpf() and
 * sys_perf_event_open() narrate each call, as strace would show it.
 */
static inline __u64 ptr_to_u64(const void *ptr)
{
	return (__u64)(unsigned long)ptr;
}

static int sys_bpf(enum bpf_cmd cmd, union bpf_attr *attr, unsigned int size)
{
	int ret = (int)syscall(__NR_bpf, cmd, attr, size);

	if (verbose)
		trace_bpf(cmd, attr, ret);
	return ret;
}

static int sys_perf_event_open(struct perf_event_attr *attr, pid_t pid,
			       int cpu, int group_fd, unsigned long flags)
{
	int ret = (int)syscall(__NR_perf_event_open, attr, pid, cpu, group_fd,
			       flags);

	if (verbose)
		trace_perf_event_open(attr, pid, cpu, group_fd, flags, ret);
	return ret;
}

static int perf_ioctl(int fd, unsigned long request, int arg)
{
	int ret = ioctl(fd, request, arg);

	if (verbose)
		trace_ioctl(fd, request, arg, ret);
	return ret;
}

int bpf_map_create(enum bpf_map_type map_type, const char *map_name,
		   __u32 key_size, __u32 value_size, __u32 max_entries,
		   __u32 map_flags)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_type = map_type;
	attr.key_size = key_size;
	attr.value_size = value_size;
	attr.max_entries = max_entries;
	attr.map_flags = map_flags;
	if (map_name)
		strncpy(attr.map_name, map_name, sizeof(attr.map_name) - 1);
	return sys_bpf(BPF_MAP_CREATE, &attr, sizeof(attr));
}

int bpf_prog_load(enum bpf_prog_type prog_type, const char *prog_name,
		  const char *license, const struct bpf_insn *insns,
		  size_t insn_cnt, char *log_buf, __u32 log_size,
		  __u32 log_level)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = prog_type;
	attr.insn_cnt = (__u32)insn_cnt;
	attr.insns = ptr_to_u64(insns);
	attr.license = ptr_to_u64(license);
	attr.log_level = log_buf ? log_level : 0;
	attr.log_size = log_buf ? log_size : 0;
	attr.log_buf = ptr_to_u64(log_buf);
	if (prog_name)
		strncpy(attr.prog_name, prog_name, sizeof(attr.prog_name) - 1);
	return sys_bpf(BPF_PROG_LOAD, &attr, sizeof(attr));
}

static int bpf_map_lookup_elem(int fd, const void *key, void *value)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_fd = (__u32)fd;
	attr.key = ptr_to_u64(key);
	attr.value = ptr_to_u64(value);
	return sys_bpf(BPF_MAP_LOOKUP_ELEM, &attr, sizeof(attr));
}

static int bpf_map_update_elem(int fd, const void *key, const void *value,
			       __u64 flags)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_fd = (__u32)fd;
	attr.key = ptr_to_u64(key);
	attr.value = ptr_to_u64(value);
	attr.flags = flags;
	return sys_bpf(BPF_MAP_UPDATE_ELEM, &attr, sizeof(attr));
}

static int bpf_map_get_next_key(int fd, const void *key, void *next_key)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_fd = (__u32)fd;
	attr.key = ptr_to_u64(key);
	attr.next_key = ptr_to_u64(next_key);
	return sys_bpf(BPF_MAP_GET_NEXT_KEY, &attr, sizeof(attr));
}

/*
 * Errors.  Every failure is one line on stderr,
 *	icmpcount: <what failed>: <strerror>[ (<what to do>)]
 * and exit status 1; usage errors exit 2.  The kernel drops our maps,
 * programs and perf events when the process exits, so no failure path can
 * leave anything attached.
 */
static const char *hint_privilege(int e)
{
	return e == EPERM || e == EACCES ?
	       "run as root, or with CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN" :
	       NULL;
}

/* "icmpcount: <message>[: <strerror(e)>][ (<hint>)]" on stderr; e 0: none. */
void vsay(int e, const char *hint, const char *fmt, va_list ap)
{
	fputs("icmpcount: ", stderr);
	vfprintf(stderr, fmt, ap);
	if (e)
		fprintf(stderr, ": %s", strerror(e));
	if (hint)
		fprintf(stderr, " (%s)", hint);
	fputc('\n', stderr);
}

void __attribute__((noreturn, format(printf, 2, 3)))
fail(const char *hint, const char *fmt, ...)
{
	int e = errno;
	va_list ap;

	va_start(ap, fmt);
	vsay(e, hint, fmt, ap);
	va_end(ap);
	exit(EXIT_FAILURE);
}

static void __attribute__((noreturn, format(printf, 1, 2)))
failx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(0, NULL, fmt, ap);
	va_end(ap);
	exit(EXIT_FAILURE);
}

/* Reads a small file whole into buf, NUL-terminated. */
static int read_text(const char *path, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while (len < size - 1 &&
	       (n = read(fd, buf + len, size - 1 - len)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			close(fd);
			return -1;
		}
		len += (size_t)n;
	}
	close(fd);
	if (len == size - 1) {
		errno = EFBIG;
		return -1;
	}
	buf[len] = '\0';
	return 0;
}

/* dir/a/b, or dir/a when b is NULL; a path too long for buf is an error. */
static void path_join(char *buf, size_t size, const char *dir, const char *a,
		      const char *b)
{
	int n = snprintf(buf, size, "%s/%s%s%s", dir, a, b ? "/" : "",
			 b ? b : "");

	if (n < 0 || (size_t)n >= size) {
		errno = ENAMETOOLONG;
		fail(NULL, "cannot build a path from %s", dir);
	}
}

/*
 * Step 1: tracefs.  Look where it is usually mounted, and accept a directory
 * only if it has events/ (an unmounted mount point is an empty directory).
 * When none is mounted, as on many small systems, mount one in a mount
 * namespace of our own: the rest of the system never sees it, and it goes
 * away with us.  ICMPCOUNT_TRACEFS names another tree, for the tests.
 */
static int has_events(const char *dir, int quiet)
{
	char path[PATH_MAX];
	struct stat st;

	path_join(path, sizeof(path), dir, "events", NULL);
	if (stat(path, &st) == 0)
		return S_ISDIR(st.st_mode);
	if ((errno == EACCES || errno == EPERM) && !quiet)
		fail(hint_privilege(errno), "cannot look at %s", path);
	return 0;
}

const char *look_for_tracefs(int quiet)
{
	const char *dir = secure_getenv("ICMPCOUNT_TRACEFS");
	size_t i;

	if (dir)
		return dir;
	for (i = 0; i < ARRAY_SIZE(tracefs_dirs); i++)
		if (has_events(tracefs_dirs[i], quiet))
			return tracefs_dirs[i];
	return NULL;
}

int mount_private_tracefs(void)
{
	int r;

	r = unshare(CLONE_NEWNS);
	narrate("unshare(CLONE_NEWNS) = %d", r);
	if (r != 0)
		return -1;
	/* Keep our mounts from propagating back to the parent namespace. */
	r = mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL);
	narrate("mount(\"none\", \"/\", NULL, MS_REC|MS_PRIVATE, NULL) = %d", r);
	if (r != 0)
		return -1;
	r = mount("tracefs", tracefs_dirs[0], "tracefs", 0, NULL);
	narrate("mount(\"tracefs\", \"%s\", \"tracefs\", 0, NULL) = %d",
		tracefs_dirs[0], r);
	if (r == 0)
		return 0;
	/* Before 4.1, tracefs lived only inside debugfs. */
	r = mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	narrate("mount(\"debugfs\", \"/sys/kernel/debug\", \"debugfs\", 0, NULL) = %d", r);
	return r;
}

static const char *find_tracefs(void)
{
	const char *hint = "run as root, or mount tracefs on /sys/kernel/tracing";
	const char *dir = look_for_tracefs(0);

	if (!dir) {
		if (mount_private_tracefs() != 0)
			fail(hint, "no tracefs is mounted, and cannot mount one in a private namespace");
		dir = look_for_tracefs(0);
	}
	if (!dir) {
		errno = ENOENT;
		fail("is tracefs enabled in this kernel?",
		     "mounted tracefs, but found no events/ in it");
	}
	narrate("tracefs: %s", dir);
	return dir;
}

/* Step 2: the tracepoints' ids, and where their fields sit in the record. */
static unsigned int find_tracepoint_id(const char *tracefs, const char *tp)
{
	char path[PATH_MAX], text[64];
	unsigned int id;

	path_join(path, sizeof(path), tracefs, tp, "id");
	if (read_text(path, text, sizeof(text)) != 0)
		fail(errno == ENOENT ?
		     "kernel built without CONFIG_FTRACE_SYSCALLS?" :
		     hint_privilege(errno), "cannot read %s", path);
	if (parse_tracepoint_id(text, &id) != 0)
		failx("cannot parse %s: not a tracepoint id", path);
	narrate("read %s: %u", path, id);
	return id;
}

static int tracepoint_exists(const char *tracefs, const char *tp)
{
	char path[PATH_MAX];

	path_join(path, sizeof(path), tracefs, tp, "id");
	return access(path, R_OK) == 0;
}

static void read_fields(const char *tracefs, const char *tp,
			struct sendto_fields *f,
			int (*parse)(const char *, struct sendto_fields *,
				     const char **))
{
	char path[PATH_MAX], text[TEXT_MAX];
	const char *why;

	path_join(path, sizeof(path), tracefs, tp, "format");
	if (read_text(path, text, sizeof(text)) != 0)
		fail(errno == ENOENT ?
		     "kernel built without CONFIG_FTRACE_SYSCALLS?" :
		     hint_privilege(errno), "cannot read %s", path);
	if (parse(text, f, &why) != 0)
		failx("cannot parse %s: %s", path, why);
	if (parse == parse_exit_format || parse == parse_raw_exit_format)
		narrate("read %s: ret at %u (%u bytes)", path, f->ret.offset,
			f->ret.size);
	else if (parse == parse_socketcall_format)
		narrate("read %s: call at %u, args at %u (%u, %u bytes)", path,
			f->call.offset, f->args.offset, f->call.size,
			f->args.size);
	else
		narrate("read %s: buff at %u, len at %u, addr at %u (%u, %u, %u bytes)",
			path, f->buff.offset, f->len.offset, f->addr.offset,
			f->buff.size, f->len.size, f->addr.size);
}

/*
 * The layout a kernel of this word size uses, for --dump without tracefs:
 * an 8-byte common header, the syscall number, then one long per argument.
 */
static void default_fields(struct sendto_fields *f)
{
	unsigned int l = sizeof(long), args = 8 + l;	/* nr in a long slot */

	f->buff = (struct tp_field){ args + 1 * l, l };
	f->len = (struct tp_field){ args + 2 * l, l };
	f->addr = (struct tp_field){ args + 4 * l, l };
	f->ret = (struct tp_field){ args, l };
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
	if (secure_getenv("ICMPCOUNT_TEST_MEMLOCK"))
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
	if (secure_getenv("ICMPCOUNT_TEST_PREALLOC") || uname(&u) != 0 ||
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
	m->counts6 = o->ipv6 || clang ?
		create_map(BPF_MAP_TYPE_PERCPU_HASH, "icmpcount6", COMM_LEN,
			   sizeof(__u64), o->ipv6 ? comms : 1, flags) : -1;
	/* An LRU hash is always preallocated: it evicts from its free list. */
	m->pending = o->exit ?
		create_map(BPF_MAP_TYPE_LRU_HASH, "icmpcount_pend",
			   sizeof(__u32), sizeof(__u32), MAX_PENDING, 0) :
		clang ? create_map(BPF_MAP_TYPE_HASH, "icmpcount_pend",
				   sizeof(__u32), sizeof(__u32), 1, 0) : -1;
}

/*
 * Step 4: the programs.  Build the instruction array, hand-assembled
 * (prog_hand.c) or compiled by clang (prog.bpf.c, via prog_clang.c), with
 * the field offsets, map fds and options put in.  Load it without a log,
 * which is fastest; only when the kernel refuses it, load it again with a
 * log, growing the buffer while the kernel says ENOSPC, and print the log.
 */
static size_t build_prog(struct bpf_insn *insns, const struct prog_spec *spec,
			 int program)
{
	/* -P empty: the floor of this design, for benchmarks; counts nothing. */
	const struct bpf_insn empty[] = {
		BPF_MOV64_IMM(BPF_REG_0, 0),		/* r0 = 0 */
		BPF_EXIT_INSN(),			/* return r0 */
	};
	size_t cnt;

	if (program == PROGRAM_EMPTY) {
		memcpy(insns, empty, sizeof(empty));
		return ARRAY_SIZE(empty);
	}
	if (program == PROGRAM_HAND)
		return prog_hand_build(insns, PROG_MAX_INSNS, spec);
	cnt = prog_clang_build(insns, PROG_MAX_INSNS, spec);
	if (cnt == 0 && errno == ENOTSUP)
		failx("-P clang: this icmpcount was built without clang");
	if (cnt == 0)
		fail(NULL, "cannot build the clang program");
	return cnt;
}

static int prog_load(const struct bpf_insn *insns, size_t cnt)
{
	char stats[1024];
	int fd;

	/* -v: the verifier's statistics (BPF_LOG_STATS, 5.2 and later). */
	stats[0] = '\0';
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACEPOINT, "icmpcount", "GPL",
			   insns, cnt, verbose ? stats : NULL, sizeof(stats), 4);
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
fail_load(const struct bpf_insn *insns, size_t cnt)
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
				fprintf(stderr, "%s", log);
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
 * Older kernels have only bpf_probe_read.  Rather than guess from the
 * version, ask the kernel once, with a tiny program that calls the helper.
 */
int helper_works(int helper)
{
	const struct bpf_insn probe[] = {
		BPF_MOV64_REG(BPF_REG_1, BPF_REG_10),
		BPF_ALU64_IMM(BPF_ADD, BPF_REG_1, -8),	/* r1 = fp - 8 */
		BPF_MOV64_IMM(BPF_REG_2, 8),		/* r2 = 8 */
		BPF_MOV64_IMM(BPF_REG_3, 0),		/* r3 = NULL */
		BPF_EMIT_CALL(helper),			/* helper(fp - 8, 8, NULL) */
		BPF_MOV64_IMM(BPF_REG_0, 0),
		BPF_EXIT_INSN(),
	};
	int fd = bpf_prog_load(BPF_PROG_TYPE_TRACEPOINT, NULL, "GPL", probe,
			       ARRAY_SIZE(probe), NULL, 0, 0);

	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

static int pick_read_user(void)
{
	if (secure_getenv("ICMPCOUNT_TEST_NO_READ_USER") ||
	    !helper_works(BPF_FUNC_probe_read_user)) {
		narrate("bpf_probe_read_user is missing: using bpf_probe_read");
		return BPF_FUNC_probe_read;
	}
	return BPF_FUNC_probe_read_user;
}

static int load_prog(struct prog_spec *spec, int program)
{
	struct bpf_insn insns[PROG_MAX_INSNS];
	size_t cnt;
	int fd;

	cnt = build_prog(insns, spec, program);
	fd = prog_load(insns, cnt);
	if (fd < 0 && errno == EINVAL &&
	    spec->read_user == BPF_FUNC_probe_read_user &&
	    pick_read_user() != BPF_FUNC_probe_read_user) {
		spec->read_user = BPF_FUNC_probe_read;
		cnt = build_prog(insns, spec, program);
		fd = prog_load(insns, cnt);
	}
	if (fd < 0)
		fail_load(insns, cnt);
	return fd;
}

/*
 * Step 5: attach.  A tracepoint's BPF program hangs off a perf event for
 * that tracepoint.  The program then runs on every CPU; the event's CPU
 * only decides where perf samples would go, and our programs make none.
 */
static int attach_prog(int prog_fd, unsigned int tp_id)
{
	struct perf_event_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.type = PERF_TYPE_TRACEPOINT;
	attr.size = sizeof(attr);
	attr.config = tp_id;
	attr.sample_period = 1;
	attr.disabled = 1;
	fd = sys_perf_event_open(&attr, -1 /* any pid */, 0 /* cpu 0 */,
				 -1 /* no group */, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0)
		fail(hint_privilege(errno), "cannot open perf event for tracepoint %u",
		     tp_id);
	if (perf_ioctl(fd, PERF_EVENT_IOC_SET_BPF, prog_fd) != 0)
		fail(hint_privilege(errno), "cannot attach BPF program to tracepoint %u",
		     tp_id);
	if (perf_ioctl(fd, PERF_EVENT_IOC_ENABLE, 0) != 0)
		fail(hint_privilege(errno), "cannot enable perf event for tracepoint %u",
		     tp_id);
	return fd;
}

/*
 * Steps 2 to 5 for each hook: read its tracepoints' ids and layout, load
 * its entry program (and with -x its exit program), attach them, and at
 * the end detach them.  The socketcall prologue exists only by hand.
 */
struct attached {
	const struct hook *hook;
	unsigned int enter_id, exit_id;
	int enter_prog, exit_prog;
	int enter_perf, exit_perf;
};

static size_t choose_hooks(const char *tracefs, const struct hook **hooks)
{
	size_t n = 0;

	if (!secure_getenv("ICMPCOUNT_TEST_RAW_SYSCALLS") &&
	    tracepoint_exists(tracefs, hook_sendto.enter))
		hooks[n++] = &hook_sendto;
	else if (tracepoint_exists(tracefs, hook_raw.enter))
		hooks[n++] = &hook_raw;
	else {
		/* Says why, and exits; should it find the id, use it. */
		find_tracepoint_id(tracefs, hook_sendto.enter);
		hooks[n++] = &hook_sendto;
	}
	narrate("hook: %s", hooks[0]->enter);
	if (tracepoint_exists(tracefs, hook_socketcall.enter)) {
		hooks[n++] = &hook_socketcall;
		narrate("hook: %s", hook_socketcall.enter);
	}
	return n;
}

static void load_hook(const char *tracefs, const struct hook *h,
		      const struct options *o, const struct maps *m,
		      struct attached *a)
{
	struct sendto_fields fields;
	struct prog_spec spec = {
		.kind = h->kind, .fields = &fields,
		.counts_fd = m->counts, .counts6_fd = m->counts6,
		.pending_fd = m->pending,
		.read_user = secure_getenv("ICMPCOUNT_TEST_NO_READ_USER") ?
			     BPF_FUNC_probe_read : BPF_FUNC_probe_read_user,
		.ipv6 = o->ipv6, .all = o->all, .exit = o->exit,
		.pid = (int)o->pid, .syscall_nr = h->syscall_nr,
	};
	int program = h->kind == PROG_ENTRY_SOCKETCALL ? PROGRAM_HAND :
		      o->program;

	if (program == PROGRAM_CLANG && h->syscall_nr)
		failx("-P clang needs the syscalls:sys_enter_sendto tracepoint; this kernel has only raw_syscalls (use -P hand)");
	memset(&fields, 0, sizeof(fields));
	memset(a, 0, sizeof(*a));
	a->hook = h;
	a->exit_prog = a->exit_perf = -1;
	a->enter_id = find_tracepoint_id(tracefs, h->enter);
	read_fields(tracefs, h->enter, &fields, h->parse_enter);
	a->enter_prog = load_prog(&spec, program);
	if (!o->exit)
		return;
	a->exit_id = find_tracepoint_id(tracefs, h->exit);
	read_fields(tracefs, h->exit, &fields, h->parse_exit);
	spec.kind = PROG_EXIT;
	a->exit_prog = load_prog(&spec, program);
}

/* The exit program first, so no send the entry remembers is lost. */
static void attach_hook(struct attached *a)
{
	if (a->exit_prog >= 0)
		a->exit_perf = attach_prog(a->exit_prog, a->exit_id);
	a->enter_perf = attach_prog(a->enter_prog, a->enter_id);
}

static void detach_hook(struct attached *a)
{
	close(a->enter_perf);
	if (a->exit_perf >= 0)
		close(a->exit_perf);
}

/*
 * Attached, we need no privilege to read our maps: the fds are ours.  So
 * give up every capability but what the end still needs (CAP_KILL to stop
 * a -u command, CAP_DAC_OVERRIDE to write --prom into another user's
 * directory), and let nothing we might exec regain any: ping's order,
 * acquire, then shrink.
 */
static void drop_privileges(const struct options *o)
{
	struct __user_cap_header_struct head = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	__u32 keep = 0;
	int r;

	if (o->user)
		keep |= 1U << CAP_KILL;
	if (o->prom)
		keep |= 1U << CAP_DAC_OVERRIDE;
	memset(data, 0, sizeof(data));
	data[0].effective = data[0].permitted = keep;
	r = (int)syscall(SYS_capset, &head, data);
	narrate("capset(effective = permitted = %s%s%s) = %d",
		keep ? "" : "none", o->user ? "CAP_KILL" : "",
		o->user && o->prom ? "|CAP_DAC_OVERRIDE" :
		o->prom ? "CAP_DAC_OVERRIDE" : "", r);
	if (r != 0)
		fail(NULL, "cannot drop privileges");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		fail(NULL, "cannot set no_new_privs");
}

/*
 * Step 7 (used from step 6 too): read the maps.  Walk the keys with
 * BPF_MAP_GET_NEXT_KEY and sum each key's per-CPU slots, one per possible
 * CPU, as BPF_MAP_LOOKUP_ELEM returns them.
 */
struct totals {
	struct comm_count *c;
	size_t n, max;
	uint64_t stats[NR_STATS];
};

static unsigned int possible_cpus(void)
{
	const char *path = "/sys/devices/system/cpu/possible";
	char text[256];
	unsigned int n;

	if (read_text(path, text, sizeof(text)) != 0)
		fail(NULL, "cannot read %s", path);
	if (parse_cpu_list(text, &n) != 0 || n == 0)
		failx("cannot parse %s: '%s'", path, text);
	return n;
}

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

static int cmp_key(const void *a, const void *b)
{
	const struct comm_count *x = a, *y = b;
	int r = memcmp(x->comm, y->comm, COMM_LEN);

	return r ? r : x->family - y->family;
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
		qsort(t->c, t->n, sizeof(*t->c), cmp_key);
	free(values);
}

/* An interval's counts: now minus before, leaving out what did not move. */
static size_t diff_totals(const struct totals *now, const struct totals *before,
			  struct comm_count *out, uint64_t *stats)
{
	size_t i, n = 0;

	for (i = 0; i < now->n; i++) {
		const struct comm_count *b = before->n ?
			bsearch(&now->c[i], before->c, before->n,
				sizeof(*before->c), cmp_key) : NULL;
		uint64_t d = now->c[i].count - (b ? b->count : 0);

		if (d) {
			out[n] = now->c[i];
			out[n++].count = d;
		}
	}
	for (i = 0; i < NR_STATS; i++)
		stats[i] = now->stats[i] - before->stats[i];
	return n;
}

/* A failed write to stdout ends us; a reader that went away is no error to report. */
static void check_stdout(int r)
{
	if (r == 0)
		return;
	if (errno != EPIPE)
		fail(NULL, "cannot write to stdout");
	exit(EXIT_FAILURE);
}

static void print_totals(const struct totals *now, const struct totals *before,
			 const struct options *o, int final)
{
	struct comm_count *c = calloc(now->n + 1, sizeof(*c));
	struct report r = { .final = final, .families = o->ipv6, .c = c };
	time_t t = time(NULL);
	struct tm tm;

	if (!c)
		fail(NULL, "cannot allocate memory");
	r.n = diff_totals(now, before, c, r.stats);
	sort_counts(c, r.n);
	/* By hand: strftime() would bring 4 KiB of locale code to the binary. */
	localtime_r(&t, &tm);
	snprintf(r.time_local, sizeof(r.time_local), "%02d:%02d:%02d",
		 tm.tm_hour, tm.tm_min, tm.tm_sec);
	gmtime_r(&t, &tm);
	snprintf(r.time_utc, sizeof(r.time_utc), "%04d-%02d-%02dT%02d:%02d:%02dZ",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec);
	check_stdout(print_report(stdout, &r, o->json));
	free(c);
}

/*
 * --prom: the counts since the start, written whole at each tick and at the
 * end.  A write that fails is said once per kind of failure and tried again
 * at the next tick; tracing goes on.
 */
static void save_prom(const struct totals *t, const struct options *o)
{
	static int said[8];
	struct report r = { .c = t->c, .n = t->n, .families = o->ipv6 };
	size_t i;

	memcpy(r.stats, t->stats, sizeof(r.stats));
	if (write_prom(o->prom, &r) == 0)
		return;
	for (i = 0; i < ARRAY_SIZE(said) && said[i] && said[i] != errno; i++)
		;
	if (i < ARRAY_SIZE(said) && said[i] == errno)
		return;
	if (i < ARRAY_SIZE(said))
		said[i] = errno;
	fprintf(stderr, "icmpcount: cannot write %s: %s (trying again at the next interval)\n",
		o->prom, strerror(errno));
}

/*
 * Step 6: wait.  The end is SIGINT, SIGTERM, the command's exit, or the
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

/* -S: print the programs as they would be loaded, and load nothing. */
static void dump_progs(const struct options *o)
{
	const char *tracefs = look_for_tracefs(1);
	struct bpf_insn insns[PROG_MAX_INSNS];
	struct sendto_fields fields;
	struct prog_spec spec = {
		.fields = &fields, .read_user = BPF_FUNC_probe_read_user,
		.ipv6 = o->ipv6, .all = o->all, .exit = o->exit,
		.pid = (int)o->pid,
	};
	size_t cnt;

	default_fields(&fields);
	/* As root, read the real layout; without privileges, say what we use. */
	if (!tracefs && mount_private_tracefs() == 0)
		tracefs = look_for_tracefs(1);
	if (tracefs) {
		read_fields(tracefs, hook_sendto.enter, &fields,
			    parse_sendto_format);
		if (o->exit)
			read_fields(tracefs, hook_sendto.exit, &fields,
				    parse_exit_format);
	} else {
		fprintf(stderr, "icmpcount: tracefs is not readable: using the usual %zu-bit layout\n",
			8 * sizeof(long));
	}
	printf("; map fds are put in at load time: counts %d, counts6 %d, pending %d\n",
	       spec.counts_fd, spec.counts6_fd, spec.pending_fd);
	cnt = build_prog(insns, &spec, o->program);
	printf("; sys_enter_sendto: %zu instructions\n", cnt);
	disasm_print(stdout, insns, cnt);
	if (o->exit) {
		spec.kind = PROG_EXIT;
		cnt = build_prog(insns, &spec, o->program);
		printf("; sys_exit_sendto: %zu instructions\n", cnt);
		disasm_print(stdout, insns, cnt);
	}
	check_stdout(fflush(stdout));
}

int main(int argc, char **argv)
{
	struct options opt = { 0 };
	struct command cmd = { .pid = 0 };
	struct totals start = { 0 }, end = { 0 };
	const struct hook *hooks[2];
	struct attached att[2];
	struct maps maps;
	unsigned int ncpus;
	const char *tracefs;
	size_t i, nhooks;
	sigset_t set;

	open_std_fds();
	parse_args(argc, argv, &opt);
	if (opt.check)
		return run_check();
	if (opt.dump) {
		dump_progs(&opt);
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

	/* Find the tracepoints to hook. */
	tracefs = find_tracefs();
	nhooks = choose_hooks(tracefs, hooks);
	ncpus = possible_cpus();

	/* Create the maps; load the programs that count into them; attach. */
	create_maps(&maps, &opt, ncpus);
	for (i = 0; i < nhooks; i++)
		load_hook(tracefs, hooks[i], &opt, &maps, &att[i]);
	for (i = 0; i < nhooks; i++)
		attach_hook(&att[i]);

	/* Keep no privilege we do not need, say we are tracing, let the
	 * command run, and trace until it exits or a signal comes. */
	drop_privileges(&opt);
	check_stdout(print_tracing(stdout, opt.json));
	if (opt.command)
		release_command(&cmd);
	wait_for_end(&set, &cmd, &opt, &maps, ncpus, &start);

	/* Detach, so the counts stand still, then print them. */
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
