/* SPDX-License-Identifier: GPL-2.0 */
/*
 * icmpcount.h - what the files of icmpcount share with each other and with
 * the tests.  The parsers, the output code and the programs' builders work
 * on text and tables, so the unprivileged tests can drive them with
 * fixtures; the kernel is called only through bpf.h's layer.
 */
#ifndef ICMPCOUNT_H
#define ICMPCOUNT_H

#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <linux/bpf.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define COMM_LEN	16	/* TASK_COMM_LEN: the map key */

/* Where one tracepoint argument sits in the record the program gets. */
struct tp_field {
	unsigned int offset;
	unsigned int size;	/* bytes: 8 on 64-bit kernels, 4 on 32-bit */
};

/* The tracepoint fields the programs read. */
struct sendto_fields {
	struct tp_field buff;	/* sys_enter_sendto, or raw_syscalls' args[] */
	struct tp_field len;
	struct tp_field addr;
	struct tp_field ret;	/* sys_exit_*, for -x */
	struct tp_field id;	/* raw_syscalls: the syscall number */
	struct tp_field call;	/* sys_enter_socketcall: which call */
	struct tp_field args;	/* sys_enter_socketcall: the user's array */
};

/*
 * The programs' counters beside the per-comm counts: elements of the IPv4
 * counts map under keys that no process name can be.  A comm key is
 * NUL-padded, so its first byte is 0 only when every byte is; a stat key
 * is the 64-bit word STAT_KEY(i) and eight zero bytes, whose first byte is
 * 0 and whose second (or seventh, big-endian) is not.  The loader puts
 * them in before the programs run, so a full map still counts its drops.
 */
enum stat_index {
	STAT_DROPPED,		/* counted, but the map was full */
	STAT_CHECKSUM0,		/* echo requests not counted, and why */
	STAT_ID0,
	STAT_SEQ0,
	NR_STATS,
};

#define STAT_KEY(i)	(((__u64)(i) + 1) << 8)

/* The stat key of index i, as the programs write it. */
static inline void stat_key(unsigned char key[COMM_LEN], unsigned int i)
{
	__u64 word = STAT_KEY(i);

	memset(key, 0, COMM_LEN);
	memcpy(key, &word, sizeof(word));
}

/* The stat index a counts key stands for, or -1 for a process name. */
static inline int stat_of_key(const unsigned char key[COMM_LEN])
{
	unsigned char k[COMM_LEN];
	unsigned int i;

	if (key[0] != 0)
		return -1;
	for (i = 0; i < NR_STATS; i++) {
		stat_key(k, i);
		if (memcmp(key, k, COMM_LEN) == 0)
			return (int)i;
	}
	return -1;
}

/* parse.c: tracefs and sysfs text, and option values. */
int parse_tracepoint_id(const char *text, unsigned int *id);
int parse_sendto_format(const char *text, struct sendto_fields *f,
			const char **why);
int parse_exit_format(const char *text, struct sendto_fields *f,
		      const char **why);
int parse_raw_enter_format(const char *text, struct sendto_fields *f,
			   const char **why);
int parse_raw_exit_format(const char *text, struct sendto_fields *f,
			  const char **why);
int parse_socketcall_format(const char *text, struct sendto_fields *f,
			    const char **why);
int parse_cpu_list(const char *text, unsigned int *ncpus);
int parse_uint(const char *text, unsigned long max, unsigned long *val);
int parse_kernel_release(const char *text, unsigned int *version);
int read_text(const char *path, char *buf, size_t size);

/* What a program is built for: its tracepoint, maps and options. */
enum prog_kind { PROG_ENTRY, PROG_ENTRY_SOCKETCALL, PROG_ENTRY_COMPAT,
		 PROG_EXIT };

/*
 * --compat: 32-bit processes on a 64-bit kernel (compat.c).  Their calls
 * reach raw_syscalls:sys_enter alone, under their own numbers, which a
 * native call can also make: the program tells them apart by a word of
 * the task that the kernel itself tests (TS_COMPAT in thread_info.status
 * on x86_64, TIF_32BIT in thread_info.flags on arm64), at the place and
 * bit compat.c found on this kernel.
 */
struct compat_abi {
	int sendto_nr;		/* its sendto(): 369 on i386, 290 on arm */
	int socketcall_nr;	/* its socketcall(): 102 on i386; 0: none */
	int getpid_nr;		/* its getpid(), for compat.c's probe */
	unsigned int task_off;	/* the word's offset in task_struct */
	unsigned int task_size;	/* and its size: 4 or 8 bytes */
	__u32 task_bit;		/* the bit in it that says "compat" */
	int read_kernel;	/* helper: probe_read_kernel, or probe_read */
	int probe_fds[3];	/* compat.c's probe, held: see compat_release() */
};

struct prog_spec {
	enum prog_kind kind;
	const struct sendto_fields *fields;
	int counts_fd;		/* comm -> IPv4 echo requests, and the stats */
	int counts6_fd;		/* comm -> IPv6 echo requests */
	int pending_fd;		/* -x: thread id -> family, until sendto returns */
	int read_user;		/* helper id: probe_read_user, or probe_read */
	int ipv6;		/* -6: count ICMPv6 echo requests too */
	int all;		/* -a: count echo requests whatever their fields */
	int exit;		/* -x: count on return, when sendto succeeded */
	int pid;		/* -p: only this process (0: any) */
	int syscall_nr;		/* raw_syscalls: __NR_sendto (0: no check) */
	const struct compat_abi *compat;	/* PROG_ENTRY_COMPAT, and its
						 * exit program */
	int unchecked;		/* tests: leave out a NULL check, so that
				 * the verifier must refuse the program */
};

/*
 * prog_hand.c: the hand-assembled programs.  Their jumps go to labels,
 * which prog_hand_assemble() also reports, for the tests: where each
 * landed, or -1 where a program has no such label.
 */
enum hand_label {
	L_COMPAT,	/* entry, --compat: a 32-bit number: is it compat? */
	L_COMPAT_SOCKETCALL, /* entry, --compat: a compat socketcall() */
	L_BODY,		/* entry: the body, after a prologue */
	L_PENDING,	/* exit, --compat: a compat number: look it up */
	L_FAMILY,	/* entry: the address family's read */
	L_ID,		/* entry: the id's test (-6 skips the checksum's) */
	L_NEW,		/* entry, -x: a new pending element */
	L_COUNT,	/* the tail: the comm, and its count */
	L_MAP_CHOSEN,	/* the tail: after -6 picks counts6 */
	L_STAT,		/* the tail: a stat key's count */
	L_INC,		/* the tail: *v += 1 */
	L_OUT,		/* the tail: return 0 */
	NR_HAND_LABELS,
};

size_t prog_hand_build(struct bpf_insn *insns, size_t max,
		       const struct prog_spec *spec);
size_t prog_hand_assemble(struct bpf_insn *insns, size_t max,
			  const struct prog_spec *spec,
			  int at[NR_HAND_LABELS]);
#define PROG_MAX_INSNS	192

/* output.c: what icmpcount prints about its counts. */
struct options;

struct comm_count {
	char comm[COMM_LEN];
	int family;		/* AF_INET or AF_INET6 */
	uint64_t count;
};

struct report {
	const struct comm_count *c;
	size_t n;
	uint64_t stats[NR_STATS];
	int final;		/* the end of tracing, not an interval */
	int families;		/* -6: print the family in each key */
	char time_local[40];	/* "HH:MM:SS", for interval lines */
	char time_utc[80];	/* ISO 8601, for JSON (room for any int) */
};

void sort_counts(struct comm_count *c, size_t n);
int print_tracing(FILE *f, int json);
int print_report(FILE *f, const struct report *r, int json);
void print_not_counted(FILE *f, const uint64_t *stats);
int write_prom(const char *path, const struct report *r);

/* The totals since the start: each key's count, and the stats. */
struct totals {
	struct comm_count *c;
	size_t n, max;
	uint64_t stats[NR_STATS];
};

int cmp_count_key(const void *a, const void *b);
void check_stdout(int r);
void print_totals(const struct totals *now, const struct totals *before,
		  const struct options *o, int final);
void save_prom(const struct totals *t, const struct options *o);

/* cmdline.c: the command line, and the test knobs of the environment. */
enum { PROGRAM_HAND, PROGRAM_CLANG, PROGRAM_EMPTY };

struct options {
	const char *command;
	const char *user;	/* -u: run the command as this user */
	const char *prom;	/* --prom: the node_exporter textfile */
	int program;		/* -P */
	int exit, all, ipv6, json, dump, check;
	int compat;		/* 32-bit processes: 1 on, 0 off, -1 as fits */
	unsigned long pid, duration, interval, max_comms;
};

/*
 * ICMPCOUNT_* variables with which the tests play a kernel or a system
 * other than the one they run on, read once at start (secure_getenv(): a
 * set-uid icmpcount ignores them).
 */
struct test_knobs {
	const char *tracefs;	/* ICMPCOUNT_TRACEFS: this tree is tracefs */
	const char *read_needs;	/* ICMPCOUNT_TEST_READ_NEEDS: a kernel before
				 * 5.19 that wants CAP_BPF or CAP_SYS_ADMIN
				 * to read a map */
	int memlock;		/* ICMPCOUNT_TEST_MEMLOCK: maps first say EPERM */
	int prealloc;		/* ICMPCOUNT_TEST_PREALLOC: before 6.1 */
	int no_read_user;	/* ICMPCOUNT_TEST_NO_READ_USER: before 5.5 */
	int raw_syscalls;	/* ICMPCOUNT_TEST_RAW_SYSCALLS: no
				 * syscalls:sys_enter_sendto */
	int no_links;		/* ICMPCOUNT_TEST_NO_LINKS: before 5.15, no
				 * BPF links for perf events */
	int reject;		/* ICMPCOUNT_TEST_REJECT: a program the
				 * verifier refuses, to see its log */
};

#define EXIT_USAGE	2

extern struct test_knobs test_knobs;
void read_test_knobs(void);
void parse_args(int argc, char **argv, struct options *o);
void usage(void) __attribute__((noreturn));
void usage_error(const char *fmt, ...)
	__attribute__((noreturn, format(printf, 1, 2)));

/* command.c: the command of -c, run as the user of -u. */
struct command {
	char **argv;
	pid_t pid;
	int go_fd;
	int err_fd;
	uid_t uid;		/* -u: whom the command runs as */
	gid_t gid;
};

extern pid_t command_pid;	/* while it runs: ended at every exit() */
void start_command(struct command *cmd, const char *line, const char *user);
void release_command(struct command *cmd);

/* errors.c: every message on stderr but -v's. */
void vsay(int e, const char *hint, const char *fmt, va_list ap);
void fail(const char *hint, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 2, 3)));
void failx(const char *fmt, ...)
	__attribute__((noreturn, format(printf, 1, 2)));
void warn(const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* tracefs.c: the tracepoints' ids and formats. */
#define TP_SENDTO_ENTER		"events/syscalls/sys_enter_sendto"
#define TP_SENDTO_EXIT		"events/syscalls/sys_exit_sendto"
#define TP_RAW_ENTER		"events/raw_syscalls/sys_enter"
#define TP_RAW_EXIT		"events/raw_syscalls/sys_exit"
#define TP_SOCKETCALL_ENTER	"events/syscalls/sys_enter_socketcall"
#define TP_SOCKETCALL_EXIT	"events/syscalls/sys_exit_socketcall"

enum format_kind { FORMAT_ENTER, FORMAT_SOCKETCALL, FORMAT_EXIT };

const char *look_for_tracefs(int quiet);
int mount_private_tracefs(void);
const char *hint_mount(int e);
const char *find_tracefs(void);
unsigned int tracepoint_id(const char *tracefs, const char *tp);
int tracepoint_exists(const char *tracefs, const char *tp);
void read_fields(const char *tracefs, const char *tp, enum format_kind kind,
		 int (*parse)(const char *, struct sendto_fields *,
			      const char **),
		 struct sendto_fields *f);
void default_fields(struct sendto_fields *f);

/* caps.c: the capabilities kept once attached. */
const char *hint_privilege(int e);
const char *caps_name(__u64 set, char *buf, size_t size);
int caps_get(__u64 *effective, __u64 *permitted);
int caps_least_for_reading(int map_fd, __u64 keep, __u64 *kept);
void drop_privileges(int map_fd, __u64 keep);

/* compat.c: 32-bit processes on a 64-bit kernel. */
const char *compat_machine(void);
int compat_self(void);
int compat_calibrate(const char *tracefs, struct compat_abi *abi,
		     char *why, size_t size);
int compat_count_running(char *name, size_t size);
void compat_release(struct compat_abi *abi);
int compat_wanted(const struct options *o, const char *tracefs,
		  struct compat_abi *abi);

/* prog.c: the program -P names; -S. */
size_t prog_build(struct bpf_insn *insns, const struct prog_spec *spec,
		  int program);
int helper_works(int helper);
void prog_dump(const struct options *o);

/*
 * prog_clang.c: the programs, written in C (prog.bpf.c) and compiled by
 * clang.  The same contract as prog_hand_build(), for every spec it takes.
 * On failure it returns 0 with errno set: ENOTSUP when built without
 * clang, E2BIG when max is too small (and then writes nothing), EINVAL
 * when the spec asks for what it cannot do (the socketcall kind, or a
 * syscall number to check), has a field no load can read, or the compiled
 * code is not what it expects.
 */
size_t prog_clang_build(struct bpf_insn *insns, size_t max,
			const struct prog_spec *spec);

/* check.c: --check. */
int run_check(void);

/* verbose.c: what -v prints. */
struct bpf_trace_ops;
extern int verbose;
extern unsigned int trace_ncpus;
extern const struct bpf_trace_ops verbose_trace_ops;
void narrate(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void narrate_text(const char *prefix, const char *text);

#endif /* ICMPCOUNT_H */
