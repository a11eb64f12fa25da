// SPDX-License-Identifier: GPL-2.0
/*
 * icmpcount - count, per process name, the ICMP echo requests sent with
 * sendto(), as shared/reference/sendto_count.bt does, with nothing but libc
 * and the kernel's bpf() and perf_event_open() system calls.
 *
 * The story, in the order main() tells it: find tracefs (mounting a private
 * one if none is mounted), read the tracepoint's id and argument layout,
 * create the counting map, load the program, attach it through a perf event,
 * wait, then read the map and print it.  Build with `make`; run as root.
 * Bugs: sends made with sendmsg(), or from 32-bit processes on a 64-bit
 * kernel, never reach the sys_enter_sendto tracepoint and are not counted.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <linux/bpf.h>
#include <linux/perf_event.h>

#include "bpf_insn.h"
#include "icmpcount.h"

#ifndef VERSION
#define VERSION "0.1"
#endif

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

#define MAP_NAME	"icmpcount"
#define PROG_NAME	"icmpcount"
#define MAX_COMMS	10240	/* distinct process names the map holds */
#define TEXT_MAX	8192	/* a tracefs or sysfs file we read, at most */
#define LOG_MIN		(64 * 1024)
#define LOG_MAX		(UINT32_MAX >> 8)	/* kernels up to 5.1 refuse more */

static const char *const tracefs_dirs[] = {
	"/sys/kernel/tracing",
	"/sys/kernel/debug/tracing",
};

/*
 * The system call wrappers.  Each returns what the kernel returns, as libc
 * does: an fd or 0 on success, -1 with errno set on failure.  They print
 * nothing and decide nothing; the caller reports errors.  Names and argument
 * order follow libbpf's tools/lib/bpf/bpf.c.
 */
static inline __u64 ptr_to_u64(const void *ptr)
{
	return (__u64)(unsigned long)ptr;
}

static int sys_bpf(enum bpf_cmd cmd, union bpf_attr *attr, unsigned int size)
{
	return (int)syscall(__NR_bpf, cmd, attr, size);
}

static int sys_perf_event_open(struct perf_event_attr *attr, pid_t pid,
			       int cpu, int group_fd, unsigned long flags)
{
	return (int)syscall(__NR_perf_event_open, attr, pid, cpu, group_fd,
			    flags);
}

static int bpf_map_create(enum bpf_map_type map_type, const char *map_name,
			  __u32 key_size, __u32 value_size, __u32 max_entries)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_type = map_type;
	attr.key_size = key_size;
	attr.value_size = value_size;
	attr.max_entries = max_entries;
	if (map_name)
		strncpy(attr.map_name, map_name, sizeof(attr.map_name) - 1);
	return sys_bpf(BPF_MAP_CREATE, &attr, sizeof(attr));
}

static int bpf_prog_load(enum bpf_prog_type prog_type, const char *prog_name,
			 const char *license, const struct bpf_insn *insns,
			 size_t insn_cnt, char *log_buf, __u32 log_size)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = prog_type;
	attr.insn_cnt = (__u32)insn_cnt;
	attr.insns = ptr_to_u64(insns);
	attr.license = ptr_to_u64(license);
	attr.log_level = log_buf ? 1 : 0;
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
 * and exit status 1.  Usage errors exit 2.  The kernel drops our maps,
 * program and perf event when the process exits, so no failure path can
 * leave anything attached.
 */
#define EXIT_USAGE	2

static const char *hint_privilege(int e)
{
	return e == EPERM || e == EACCES ?
	       "run as root, or with CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN" :
	       NULL;
}

static void __attribute__((noreturn, format(printf, 2, 3)))
fail(const char *hint, const char *fmt, ...)
{
	int e = errno;
	va_list ap;

	fputs("icmpcount: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s", strerror(e));
	if (hint)
		fprintf(stderr, " (%s)", hint);
	fputc('\n', stderr);
	exit(EXIT_FAILURE);
}

static void __attribute__((noreturn, format(printf, 1, 2)))
failx(const char *fmt, ...)
{
	va_list ap;

	fputs("icmpcount: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(EXIT_FAILURE);
}

static void __attribute__((noreturn)) usage(void)
{
	fputs("usage: icmpcount [-hV] [-c command]\n", stderr);
	exit(EXIT_USAGE);
}

static void help(void)
{
	fputs("usage: icmpcount [-hV] [-c command]\n"
	      "\n"
	      "Count, per process name, the ICMP echo requests sent with sendto(),\n"
	      "until Ctrl-C, SIGTERM, or the end of the command.\n"
	      "\n"
	      "  -c, --command CMD  run CMD (split on blanks, no shell) once tracing\n"
	      "                     has started, and stop when it exits\n"
	      "  -h, --help         show this help and exit\n"
	      "  -V, --version      show the version and exit\n"
	      "\n"
	      "Exit status: 0 success, 1 runtime failure, 2 usage error.\n",
	      stdout);
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
static int has_events(const char *dir)
{
	char path[PATH_MAX];
	struct stat st;

	path_join(path, sizeof(path), dir, "events", NULL);
	if (stat(path, &st) == 0)
		return S_ISDIR(st.st_mode);
	if (errno == EACCES || errno == EPERM)
		fail(hint_privilege(errno), "cannot look at %s", path);
	return 0;
}

static void mount_private_tracefs(void)
{
	const char *hint = "run as root, or mount tracefs on /sys/kernel/tracing";

	if (unshare(CLONE_NEWNS) != 0)
		fail(hint, "no tracefs is mounted, and cannot make a mount namespace to mount one");
	/* Keep our mounts from propagating back to the parent namespace. */
	if (mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
		fail(hint, "cannot make the private mount namespace private");
	if (mount("tracefs", tracefs_dirs[0], "tracefs", 0, NULL) == 0)
		return;
	/* Before 4.1, tracefs lived only inside debugfs. */
	if (mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL) != 0)
		fail(hint, "cannot mount tracefs on %s or debugfs on /sys/kernel/debug",
		     tracefs_dirs[0]);
}

static const char *find_tracefs(void)
{
	const char *dir = secure_getenv("ICMPCOUNT_TRACEFS");
	size_t i;

	if (dir)
		return dir;
	for (i = 0; i < ARRAY_SIZE(tracefs_dirs); i++)
		if (has_events(tracefs_dirs[i]))
			return tracefs_dirs[i];
	mount_private_tracefs();
	for (i = 0; i < ARRAY_SIZE(tracefs_dirs); i++)
		if (has_events(tracefs_dirs[i]))
			return tracefs_dirs[i];
	errno = ENOENT;
	fail("is tracefs enabled in this kernel?", "mounted tracefs, but found no events/ in it");
}

/* Step 2: the tracepoint's id, and where its arguments sit in its record. */
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
	return id;
}

static void read_sendto_fields(const char *tracefs, const char *tp,
			       struct sendto_fields *f)
{
	char path[PATH_MAX], text[TEXT_MAX];
	const char *why;

	path_join(path, sizeof(path), tracefs, tp, "format");
	if (read_text(path, text, sizeof(text)) != 0)
		fail(hint_privilege(errno), "cannot read %s", path);
	if (parse_sendto_format(text, f, &why) != 0)
		failx("cannot parse %s: %s", path, why);
}

/*
 * Step 3: the map, comm -> count.  A per-CPU hash: each CPU counts in a slot
 * of its own, so the program needs no atomic add (which 32-bit JITs refuse),
 * and we sum the slots of all possible CPUs when we read it.  Before 5.11 the
 * kernel charged BPF memory to RLIMIT_MEMLOCK; if the kernel says EPERM, try
 * once more with the limit raised.  Before 4.15 maps had no names.
 */
static int create_counts_map(void)
{
	struct rlimit unlimited = { RLIM_INFINITY, RLIM_INFINITY };
	int fd;

	fd = bpf_map_create(BPF_MAP_TYPE_PERCPU_HASH, MAP_NAME, COMM_LEN,
			    sizeof(__u64), MAX_COMMS);
	if (fd < 0 && errno == EPERM &&
	    setrlimit(RLIMIT_MEMLOCK, &unlimited) == 0)
		fd = bpf_map_create(BPF_MAP_TYPE_PERCPU_HASH, MAP_NAME,
				    COMM_LEN, sizeof(__u64), MAX_COMMS);
	if (fd < 0 && errno == EINVAL)
		fd = bpf_map_create(BPF_MAP_TYPE_PERCPU_HASH, NULL, COMM_LEN,
				    sizeof(__u64), MAX_COMMS);
	if (fd < 0)
		fail(hint_privilege(errno), "cannot create BPF map %s", MAP_NAME);
	return fd;
}

/*
 * Step 4: the program.  Load it without a log, which is fastest; only when
 * the kernel refuses it, load it again with a log, growing the buffer while
 * the kernel says ENOSPC, and print the log as the verifier wrote it.
 */
static int prog_load(const struct bpf_insn *insns, size_t cnt)
{
	int fd;

	fd = bpf_prog_load(BPF_PROG_TYPE_TRACEPOINT, PROG_NAME, "GPL", insns,
			   cnt, NULL, 0);
	if (fd < 0 && errno == EINVAL)	/* before 4.15: no program names */
		fd = bpf_prog_load(BPF_PROG_TYPE_TRACEPOINT, NULL, "GPL",
				   insns, cnt, NULL, 0);
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
				  cnt, log, (__u32)size) >= 0 || errno != ENOSPC) {
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
 * The program reads user memory with bpf_probe_read_user (5.5 and later).
 * Older kernels have only bpf_probe_read.  Rather than guess from the
 * version, load the program; if the kernel refuses it, ask whether it knows
 * the helper at all, with a three-instruction program, and fall back if not.
 */
static int helper_works(int helper)
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
	int fd = prog_load(probe, ARRAY_SIZE(probe));

	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

static int load_prog(const struct sendto_fields *f, int counts_fd)
{
	struct bpf_insn insns[PROG_MAX_INSNS];
	struct prog_spec spec = {
		.fields = f,
		.counts_fd = counts_fd,
		.read_user = BPF_FUNC_probe_read_user,
	};
	size_t cnt;
	int fd = -1;

	if (secure_getenv("ICMPCOUNT_TEST_NO_READ_USER"))
		spec.read_user = BPF_FUNC_probe_read;
	cnt = prog_hand_build(insns, ARRAY_SIZE(insns), &spec);
	fd = prog_load(insns, cnt);
	if (fd < 0 && errno == EINVAL &&
	    spec.read_user == BPF_FUNC_probe_read_user &&
	    !helper_works(BPF_FUNC_probe_read_user)) {
		spec.read_user = BPF_FUNC_probe_read;
		cnt = prog_hand_build(insns, ARRAY_SIZE(insns), &spec);
		fd = prog_load(insns, cnt);
	}
	if (fd < 0)
		fail_load(insns, cnt);
	return fd;
}

/*
 * Step 5: attach.  A tracepoint's BPF program hangs off a perf event for
 * that tracepoint.  The program then runs on every CPU; the event's CPU
 * only decides where perf samples would go, and our program emits none.
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
	if (ioctl(fd, PERF_EVENT_IOC_SET_BPF, prog_fd) != 0)
		fail(hint_privilege(errno), "cannot attach BPF program to tracepoint %u",
		     tp_id);
	if (ioctl(fd, PERF_EVENT_IOC_ENABLE, 0) != 0)
		fail(hint_privilege(errno), "cannot enable perf event for tracepoint %u",
		     tp_id);
	return fd;
}

/*
 * The command of -c.  It is forked before anything else and held on a pipe
 * until the program is attached, so its very first send is counted; if we
 * die first, it reads EOF and exits without running.  It stays in the mount
 * namespace we started in.  A second pipe, closed by a successful exec,
 * carries back the errno of a failed one.
 */
struct command {
	char **argv;
	pid_t pid;
	int go_fd;
	int err_fd;
};

static char **split_blanks(const char *s)
{
	size_t n = 0, max = strlen(s) / 2 + 2;
	char **argv = calloc(max, sizeof(*argv));
	char *copy = strdup(s), *tok, *save;

	if (!argv || !copy)
		fail(NULL, "cannot allocate memory");
	for (tok = strtok_r(copy, " \t", &save); tok;
	     tok = strtok_r(NULL, " \t", &save))
		argv[n++] = tok;
	if (n == 0) {
		free(copy);
		free(argv);
		return NULL;
	}
	return argv;
}

/* The path execvp() would run, so a missing command fails before tracing. */
static char *find_command(const char *name)
{
	const char *path = getenv("PATH");
	char buf[PATH_MAX];
	const char *p, *end;

	if (strchr(name, '/'))
		return access(name, X_OK) == 0 ? strdup(name) : NULL;
	if (!path || !*path)
		path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	errno = ENOENT;
	for (p = path; ; p = end + 1) {
		int n;

		end = strchrnul(p, ':');
		n = snprintf(buf, sizeof(buf), "%.*s/%s", (int)(end - p), p, name);
		if (n > 0 && (size_t)n < sizeof(buf) && access(buf, X_OK) == 0)
			return strdup(buf);
		if (*end == '\0')
			return NULL;
	}
}

static void start_command(struct command *cmd, const char *line)
{
	int go[2], err[2];
	sigset_t empty;
	char *file;

	sigemptyset(&empty);

	cmd->argv = split_blanks(line);
	if (!cmd->argv) {
		fprintf(stderr, "icmpcount: empty command: '%s'\n", line);
		usage();
	}
	file = find_command(cmd->argv[0]);
	if (!file)
		fail(NULL, "cannot run %s", cmd->argv[0]);
	if (pipe2(go, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0)
		fail(NULL, "cannot make a pipe");
	cmd->pid = fork();
	if (cmd->pid < 0)
		fail(NULL, "cannot fork");
	if (cmd->pid == 0) {
		char c;
		int e;

		close(go[1]);
		close(err[0]);
		if (read(go[0], &c, 1) != 1)
			_exit(127);
		sigprocmask(SIG_SETMASK, &empty, NULL);
		execv(file, cmd->argv);
		e = errno;
		if (write(err[1], &e, sizeof(e)) < 0)
			_exit(127);
		_exit(127);
	}
	free(file);
	close(go[0]);
	close(err[1]);
	cmd->go_fd = go[1];
	cmd->err_fd = err[0];
}

static void release_command(struct command *cmd)
{
	ssize_t n;
	int e;

	if (write(cmd->go_fd, "g", 1) != 1)
		fail(NULL, "cannot start %s", cmd->argv[0]);
	close(cmd->go_fd);
	do
		n = read(cmd->err_fd, &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	close(cmd->err_fd);
	if (n == sizeof(e)) {
		errno = e;
		fail(NULL, "cannot run %s", cmd->argv[0]);
	}
}

/*
 * Step 6: wait.  The end is SIGINT, SIGTERM, or the command's exit.  The
 * signals are blocked and taken with sigwaitinfo(), so none can interrupt
 * the printing that follows.
 */
static void wait_for_end(const sigset_t *set, struct command *cmd)
{
	siginfo_t info;
	int sig;

	for (;;) {
		sig = sigwaitinfo(set, &info);
		if (sig < 0) {
			if (errno == EINTR)
				continue;
			fail(NULL, "cannot wait for signals");
		}
		if (sig != SIGCHLD)
			break;
		if (cmd->pid > 0 && waitpid(cmd->pid, NULL, WNOHANG) == cmd->pid) {
			cmd->pid = 0;
			break;
		}
	}
	/* Stopped by a signal: the command does not outlive the trace. */
	if (cmd->pid > 0) {
		kill(cmd->pid, SIGTERM);
		cmd->pid = 0;
	}
}

/*
 * Step 7: read the map.  Walk the keys with BPF_MAP_GET_NEXT_KEY and sum
 * each key's per-CPU slots, one per possible CPU, as BPF_MAP_LOOKUP_ELEM
 * returns them.
 */
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

static size_t read_counts(int map_fd, struct comm_count **out)
{
	unsigned int i, ncpus = possible_cpus();
	__u64 *values = calloc(ncpus, sizeof(*values));
	struct comm_count *c = NULL;
	char key[COMM_LEN], next[COMM_LEN];
	size_t n = 0, max = 0;
	const void *prev = NULL;

	if (!values)
		fail(NULL, "cannot allocate memory");
	while (bpf_map_get_next_key(map_fd, prev, next) == 0) {
		memcpy(key, next, sizeof(key));
		prev = key;
		if (bpf_map_lookup_elem(map_fd, key, values) != 0) {
			if (errno == ENOENT)	/* deleted since: skip it */
				continue;
			fail(NULL, "cannot read BPF map %s", MAP_NAME);
		}
		if (n == max) {
			max = max ? 2 * max : 64;
			c = realloc(c, max * sizeof(*c));
			if (!c)
				fail(NULL, "cannot allocate memory");
		}
		memcpy(c[n].comm, key, COMM_LEN);
		c[n].count = 0;
		for (i = 0; i < ncpus; i++)
			c[n].count += values[i];
		n++;
	}
	if (errno != ENOENT)
		fail(NULL, "cannot walk BPF map %s", MAP_NAME);
	free(values);
	*out = c;
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

static const struct option long_options[] = {
	{ "command",	required_argument,	NULL, 'c' },
	{ "help",	no_argument,		NULL, 'h' },
	{ "version",	no_argument,		NULL, 'V' },
	{ NULL,		0,			NULL, 0 },
};

int main(int argc, char **argv)
{
	const char *tp = "events/syscalls/sys_enter_sendto";
	struct command cmd = { .pid = 0 };
	const char *command = NULL, *tracefs;
	struct sendto_fields fields;
	struct comm_count *counts;
	unsigned int tp_id;
	int map_fd, prog_fd, perf_fd, ch;
	sigset_t set;
	size_t n;

	open_std_fds();
	while ((ch = getopt_long(argc, argv, "c:hV", long_options, NULL)) != -1) {
		switch (ch) {
		case 'c':
			command = optarg;
			break;
		case 'h':
			help();
			return EXIT_SUCCESS;
		case 'V':
			printf("icmpcount %s\n", VERSION);
			return EXIT_SUCCESS;
		default:
			usage();
		}
	}
	if (optind != argc) {
		fprintf(stderr, "icmpcount: unexpected argument: '%s'\n", argv[optind]);
		usage();
	}

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
	if (command)
		start_command(&cmd, command);

	/* A reader that goes away makes writes fail with EPIPE, not kill us. */
	signal(SIGPIPE, SIG_IGN);

	/* Find the tracepoint and the layout of its arguments. */
	tracefs = find_tracefs();
	tp_id = find_tracepoint_id(tracefs, tp);
	read_sendto_fields(tracefs, tp, &fields);

	/* Create the map, load the program that counts into it, attach it. */
	map_fd = create_counts_map();
	prog_fd = load_prog(&fields, map_fd);
	perf_fd = attach_prog(prog_fd, tp_id);
	check_stdout(print_tracing(stdout));

	/* Let the command run; trace until it exits or a signal comes. */
	if (command)
		release_command(&cmd);
	wait_for_end(&set, &cmd);

	/* Detach, so the counts stand still, then print them. */
	close(perf_fd);
	close(prog_fd);
	n = read_counts(map_fd, &counts);
	sort_counts(counts, n);
	check_stdout(print_done(stdout, counts, n));
	close(map_fd);
	free(counts);
	if (cmd.argv) {
		free(cmd.argv[0]);
		free(cmd.argv);
	}
	return EXIT_SUCCESS;
}
