// SPDX-License-Identifier: GPL-2.0
/*
 * check.c - `icmpcount --check`: can icmpcount run here, and if not, what
 * is the fix?  Like `ply -T` and `bpftrace --info`, it looks at the kernel
 * version and config, privileges, tracefs and the two tracepoints, asks the
 * kernel to load tiny programs and maps of each kind icmpcount uses, and
 * reads the JIT and unprivileged-BPF settings.  Last, it does what a run
 * does, small: it attaches a program that marks a map when this process
 * calls sendto(), makes one such call (on a bad fd: nothing is sent),
 * gives up its privileges as a run does and reads the mark back.  One line
 * per item on stdout: "ok", "NO" (icmpcount cannot run; the fix follows),
 * "--" (for your information) or "??" (a check it could not make, and why).
 * Exit 0 when icmpcount can run, 1 when it cannot.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/utsname.h>

#include <linux/bpf.h>

#include "bpf.h"
#include "bpf_insn.h"
#include "icmpcount.h"

static int blocking;

static void __attribute__((format(printf, 2, 3)))
item(const char *status, const char *fmt, ...)
{
	va_list ap;

	if (strcmp(status, "NO") == 0)
		blocking++;
	printf("%-3s ", status);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static int read_line(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "re");
	int ok;

	if (!f)
		return -1;
	ok = fgets(buf, (int)size, f) != NULL;
	fclose(f);
	if (!ok)
		return -1;
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* The kernel config: /boot/config-<release>, else /proc/config.gz. */
static void check_config(const char *release)
{
	static const char *const wanted[] = {
		"CONFIG_BPF_SYSCALL", "CONFIG_BPF_EVENTS",
		"CONFIG_FTRACE_SYSCALLS", "CONFIG_PERF_EVENTS",
	};
	char path[300], line[256], found[ARRAY_SIZE(wanted)][8];
	const char *source = path;
	FILE *f;
	size_t i;

	snprintf(path, sizeof(path), "/boot/config-%s", release);
	f = fopen(path, "re");
	if (!f && access("/proc/config.gz", R_OK) == 0) {
		/* A fixed command line, for --check only: no user input. */
		f = popen("gzip -dc /proc/config.gz 2>/dev/null", "r"); /* NOLINT(cert-env33-c) */
		source = "/proc/config.gz";
	}
	if (!f) {
		item("--", "kernel config: not found in /boot or /proc/config.gz; skipping the CONFIG_ checks");
		return;
	}
	memset(found, 0, sizeof(found));
	while (fgets(line, sizeof(line), f))
		for (i = 0; i < ARRAY_SIZE(wanted); i++) {
			size_t n = strlen(wanted[i]);

			if (strncmp(line, wanted[i], n) == 0 && line[n] == '=')
				snprintf(found[i], sizeof(found[i]), "%.1s",
					 line + n + 1);
		}
	if (source == path)
		fclose(f);
	else
		pclose(f);
	for (i = 0; i < ARRAY_SIZE(wanted); i++) {
		if (found[i][0] == 'y')
			item("ok", "%s=y (%s)", wanted[i], source);
		else
			item("NO", "%s is not set (%s): fix: a kernel built with it",
			     wanted[i], source);
	}
}

/* The effective capabilities. */
static void check_privileges(void)
{
	static const struct { int bit; const char *name; } caps[] = {
		{ 39, "CAP_BPF" }, { 38, "CAP_PERFMON" }, { 21, "CAP_SYS_ADMIN" },
	};
	__u64 eff = 0, perm;
	int have = 0;
	size_t i;

	if (caps_get(&eff, &perm) != 0) {
		item("??", "privileges: cannot read them: %s", strerror(errno));
		return;
	}
	for (i = 0; i < ARRAY_SIZE(caps); i++)
		have += (int)((eff >> caps[i].bit) & 1);
	if (have == (int)ARRAY_SIZE(caps) || (eff >> 21) & 1)
		item("ok", "privileges: CAP_SYS_ADMIN%s (uid %d)",
		     have == (int)ARRAY_SIZE(caps) ? ", CAP_BPF, CAP_PERFMON" : "",
		     (int)geteuid());
	else if ((eff >> 39) & 1 && (eff >> 38) & 1)
		item("--", "privileges: CAP_BPF and CAP_PERFMON, no CAP_SYS_ADMIN (uid %d): tracefs must be mounted and readable",
		     (int)geteuid());
	else
		item("NO", "privileges: %s%s%s missing (uid %d): fix: %s",
		     (eff >> 39) & 1 ? "" : "CAP_BPF ",
		     (eff >> 38) & 1 ? "" : "CAP_PERFMON ",
		     (eff >> 21) & 1 ? "" : "CAP_SYS_ADMIN ", (int)geteuid(),
		     hint_privilege(EPERM));
}

static void check_tracepoint(const char *tracefs, const char *name,
			     int needed)
{
	char path[512], text[64];
	unsigned int id;

	snprintf(path, sizeof(path), "%s/events/syscalls/%s/id", tracefs, name);
	if (read_line(path, text, sizeof(text)) == 0 &&
	    parse_tracepoint_id(text, &id) == 0)
		item("ok", "tracepoint syscalls:%s (id %u)", name, id);
	else
		item(needed ? "NO" : "--", "tracepoint syscalls:%s: %s%s", name,
		     strerror(errno),
		     needed ? ": fix: a kernel with CONFIG_FTRACE_SYSCALLS" :
		     " (only -x needs it)");
}

/* Where a run would find tracefs, or NULL; what it says when it cannot. */
static const char *check_tracefs(void)
{
	const char *dir = look_for_tracefs(1);

	if (dir) {
		item("ok", "tracefs mounted at %s", dir);
	} else if (mount_private_tracefs() == 0 &&
		   (dir = look_for_tracefs(1)) != NULL) {
		item("ok", "tracefs is not mounted; icmpcount mounts one in a private namespace");
	} else {
		item("NO", "tracefs: not mounted, and cannot mount one: %s: fix: %s",
		     strerror(errno), hint_mount(errno));
		return NULL;
	}
	if (tracepoint_exists(dir, TP_SENDTO_ENTER)) {
		check_tracepoint(dir, "sys_enter_sendto", 1);
	} else if (tracepoint_exists(dir, TP_RAW_ENTER)) {
		item("--", "tracepoint syscalls:sys_enter_sendto is missing: icmpcount hooks raw_syscalls:sys_enter (every system call) instead");
	} else {
		check_tracepoint(dir, "sys_enter_sendto", 1);
		dir = NULL;	/* nothing to hook */
	}
	check_tracepoint(look_for_tracefs(1), "sys_exit_sendto", 0);
	return dir;
}

static void check_map(enum bpf_map_type type, const char *name,
		      __u32 key_size, int needed)
{
	int fd = bpf_map_create(type, NULL, key_size, sizeof(__u64), 1, 0);

	if (fd >= 0) {
		close(fd);
		item("ok", "map type %s", name);
		return;
	}
	item(needed ? "NO" : "--", "map type %s: %s%s%s", name, strerror(errno),
	     errno == EPERM ? ": fix: " : needed ? ": fix: a newer kernel" :
	     " (only -x needs it)",
	     errno == EPERM ? hint_privilege(errno) : "");
}

static int check_bpf(void)
{
	const struct bpf_insn ret0[] = {
		BPF_MOV64_IMM(BPF_REG_0, 0),
		BPF_EXIT_INSN(),
	};
	int fd = bpf_prog_load(BPF_PROG_TYPE_TRACEPOINT, NULL, "GPL", ret0,
			       ARRAY_SIZE(ret0), NULL, 0, 0);

	/* As a run does: before 5.11, EPERM may mean RLIMIT_MEMLOCK. */
	if (fd < 0 && errno == EPERM && raise_memlock() == 0)
		fd = bpf_prog_load(BPF_PROG_TYPE_TRACEPOINT, NULL, "GPL", ret0,
				   ARRAY_SIZE(ret0), NULL, 0, 0);
	if (fd < 0) {
		item("NO", "program type TRACEPOINT: %s: fix: %s", strerror(errno),
		     errno == EPERM ? hint_privilege(errno) :
		     "a kernel with CONFIG_BPF_SYSCALL and CONFIG_BPF_EVENTS");
		return -1;
	}
	close(fd);
	item("ok", "program type TRACEPOINT");
	check_map(BPF_MAP_TYPE_PERCPU_HASH, "PERCPU_HASH", COMM_LEN, 1);
	check_map(BPF_MAP_TYPE_LRU_HASH, "LRU_HASH", sizeof(__u32), 0);
	if (helper_works(BPF_FUNC_probe_read_user))
		item("ok", "helper bpf_probe_read_user");
	else if (helper_works(BPF_FUNC_probe_read))
		item("ok", "helper bpf_probe_read (bpf_probe_read_user is missing; icmpcount falls back)");
	else
		item("NO", "helpers bpf_probe_read_user and bpf_probe_read: both refused: fix: a kernel with CONFIG_BPF_EVENTS");
	return 0;
}

static void check_sysctl(const char *path, const char *name,
			 const char *const *meaning, size_t n)
{
	char text[32];
	unsigned long v;

	if (read_line(path, text, sizeof(text)) != 0 ||
	    parse_uint(text, 255, &v) != 0) {
		item("--", "%s: cannot read %s", name, path);
		return;
	}
	item("--", "%s = %lu (%s)", name, v, v < n ? meaning[v] : "?");
}

/* 32-bit programs on a 64-bit kernel: does it run them, are they counted? */
static void check_compat(const char *tracefs)
{
	const char *machine = compat_machine();
	struct compat_abi abi;
	char why[160], name[32];
	int r, n;

	if (!machine) {
		item("--", "32-bit programs: a 32-bit kernel, where every program is native");
		return;
	}
	r = compat_calibrate(tracefs, &abi, why, sizeof(why));
	compat_release(&abi);
	n = compat_count_running(name, sizeof(name));
	if (r == 0)
		item("--", "32-bit programs: %s", why);
	else if (r < 0)
		item("??", "32-bit programs: %s; their pings would not be counted",
		     why);
	else
		item("--", "32-bit programs: this kernel runs %s programs (%d running now%s%s); icmpcount counts them %s",
		     machine, n < 0 ? 0 : n, n > 0 ? ", " : "", n > 0 ? name : "",
		     compat_self() ? "by default (it is one)" :
		     "with --compat, at a cost to every system call");
}

/* if (pid == tgid) { key = 0; v = lookup(map, &key); if (v) *v = 1; } */
static int load_marker(int map, __u32 tgid)
{
	const struct bpf_insn marker[] = {
		BPF_EMIT_CALL(BPF_FUNC_get_current_pid_tgid),	/* 0 */
		BPF_ALU64_IMM(BPF_RSH, BPF_REG_0, 32),		/* 1 */
		BPF_JMP_IMM(BPF_JNE, BPF_REG_0, (__s32)tgid, 9),/* 2: to 12 */
		BPF_ST_MEM(BPF_W, BPF_REG_10, -4, 0),		/* 3 */
		BPF_MOV64_REG(BPF_REG_2, BPF_REG_10),		/* 4 */
		BPF_ALU64_IMM(BPF_ADD, BPF_REG_2, -4),		/* 5 */
		BPF_LD_MAP_FD(BPF_REG_1, map),			/* 6, 7 */
		BPF_EMIT_CALL(BPF_FUNC_map_lookup_elem),	/* 8 */
		BPF_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 2),		/* 9: to 12 */
		BPF_MOV64_IMM(BPF_REG_1, 1),			/* 10 */
		BPF_STX_MEM(BPF_DW, BPF_REG_0, BPF_REG_1, 0),	/* 11 */
		BPF_MOV64_IMM(BPF_REG_0, 0),			/* 12 */
		BPF_EXIT_INSN(),				/* 13 */
	};

	return bpf_prog_load(BPF_PROG_TYPE_TRACEPOINT, NULL, "GPL", marker,
			     ARRAY_SIZE(marker), NULL, 0, 0);
}

/*
 * A run, small.  The program marks element 0 of an array map when this
 * process enters sendto() (on the tracepoint a run would hook), attached
 * as a run attaches.  One sendto() on a bad fd fires it and sends nothing.
 * Then the privileges go as in a run (caps.c), and the mark must read back.
 */
static void check_run(const char *tracefs)
{
	__u32 tgid = (__u32)getpid();
	/*
	 * A 32-bit icmpcount's own calls are compat calls, which only
	 * raw_syscalls:sys_enter sees on a 64-bit kernel.
	 */
	const char *tp = tracepoint_exists(tracefs, TP_SENDTO_ENTER) &&
			 !compat_self() ? TP_SENDTO_ENTER : TP_RAW_ENTER;
	char names[96];
	__u64 mark = 0, kept;
	__u32 key = 0;
	int map, prog, perf, r;
	unsigned int id;

	map = bpf_map_create(BPF_MAP_TYPE_ARRAY, NULL, sizeof(key),
			     sizeof(mark), 1, 0);
	if (map < 0) {
		item("??", "a test run: cannot create its map: %s", strerror(errno));
		return;
	}
	prog = load_marker(map, tgid);
	if (prog < 0) {
		item("??", "a test run: cannot load its program: %s", strerror(errno));
		return;
	}
	id = tracepoint_id(tracefs, tp);
	perf = perf_event_open_tracepoint(id);
	if (perf < 0 || perf_event_ioctl(perf, PERF_EVENT_IOC_SET_BPF, prog) != 0 ||
	    perf_event_ioctl(perf, PERF_EVENT_IOC_ENABLE, 0) != 0) {
		item("NO", "a test run: cannot attach to %s: %s: fix: %s", tp,
		     strerror(errno), errno == EPERM || errno == EACCES ?
		     hint_privilege(errno) : "a kernel with CONFIG_BPF_EVENTS");
		return;
	}
	(void)syscall(SYS_sendto, -1, "", 0, 0, NULL, 0);
	close(perf);
	if (caps_least_for_reading(map, 0, &kept) != 0) {
		item("NO", "a test run: with privileges dropped, the kernel refuses to read its map: %s: fix: sysctl kernel.unprivileged_bpf_disabled=0",
		     strerror(errno));
		return;
	}
	r = bpf_map_lookup_elem(map, &key, &mark);
	if (r != 0)
		item("NO", "a test run: cannot read its map: %s", strerror(errno));
	else if (mark != 1)
		item("NO", "a test run: its program never ran on %s: fix: a kernel whose syscall tracepoints fire", tp);
	else
		item("ok", "a test run: a program on %s saw this process's sendto(), and its map read back keeping %s",
		     tp + strlen("events/"), caps_name(kept, names, sizeof(names)));
}

int run_check(void)
{
	static const char *const jit[] = {
		"off: the interpreter runs the program", "on", "on, with debug output",
	};
	static const char *const unpriv[] = {
		"any user may use bpf()", "only privileged users, until reboot",
		"only privileged users",
	};
	const char *tracefs;
	struct utsname u;
	int loads;

	if (uname(&u) == 0) {
		item("--", "kernel %s %s", u.release, u.machine);
		check_config(u.release);
	}
	check_privileges();
	tracefs = check_tracefs();
	loads = check_bpf() == 0;
	check_sysctl("/proc/sys/net/core/bpf_jit_enable", "JIT", jit,
		     ARRAY_SIZE(jit));
	check_sysctl("/proc/sys/kernel/unprivileged_bpf_disabled",
		     "kernel.unprivileged_bpf_disabled", unpriv,
		     ARRAY_SIZE(unpriv));
	if (tracefs && loads)
		check_compat(tracefs);
	/* Last: it gives up the privileges the checks above use. */
	if (tracefs && loads)
		check_run(tracefs);
	else
		item("??", "a test run: not made, for want of %s",
		     tracefs ? "a program that loads" : "a tracepoint to hook");
	if (blocking)
		printf("icmpcount cannot run here: %d item%s above need%s a fix\n",
		       blocking, blocking == 1 ? "" : "s", blocking == 1 ? "s" : "");
	else
		printf("icmpcount can run here\n");
	fflush(stdout);
	return blocking ? 1 : 0;
}
