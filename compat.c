// SPDX-License-Identifier: GPL-2.0
/*
 * compat.c - 32-bit processes on a 64-bit kernel (--compat).
 *
 * x86_64 and arm64 kernels run i386 and 32-bit ARM programs, and their
 * system calls take another path: syscalls:sys_enter_sendto never fires
 * for them (the kernel's syscall tracepoints ignore compat calls there),
 * but raw_syscalls:sys_enter does, with the 32-bit ABI's numbers.  Those
 * numbers are also native numbers (102 is socketcall() on i386 and
 * getuid() on x86_64; 369, i386's sendto(), is no x86_64 call but still
 * reaches the tracepoint), so the program must know a compat call from a
 * native one.  It asks what the kernel asks itself:
 *
 *   x86_64: in_ia32_syscall(), TS_COMPAT (0x2) in thread_info.status.  It
 *           is set for each 32-bit call, whatever the process: exactly the
 *           calls the 32-bit table serves.
 *   arm64:  is_compat_task(), TIF_32BIT in thread_info.flags.  An AArch32
 *           task can make no AArch64 call, nor the other way round.
 *
 * thread_info is the first member of task_struct (THREAD_INFO_IN_TASK:
 * x86 since 4.9, arm64 since 4.10), so bpf_get_current_task() points at
 * it.  Where the word sits and which bit it is has changed: x86_64's
 * status is at 8 up to 5.10 and at 16 from 5.11 (syscall_work came
 * before it); arm64's TIF_32BIT is bit 22 up to the generic TIF bits, and
 * 18 after.  So we do not take them from a version: calibrate() makes one
 * 32-bit call of its own and one native call, records the task's first
 * words in each, and picks the candidate that is set in the first and
 * clear in the second.  On x86_64 a 64-bit process may make a 32-bit call
 * with int $0x80; on arm64 it cannot, so a tiny AArch32 program, written
 * here byte by byte, makes it.  A 32-bit icmpcount's own calls are compat
 * calls; it has no native sample, and the candidates are such that only
 * the right one can be set in a compat sample: x86_64's 8 is syscall_work
 * from 5.11, but 16, tested first, is status there; on 5.10 16 is the
 * task's state, 0 while it runs.  arm64's other candidate bit is MEMDIE
 * (old) or TAGGED_ADDR (new), neither set in a 32-bit task.  Debian's
 * 5.10, 6.1 and 6.12 kernels (the VM matrix) have status at 8, 16, 16 and
 * TIF_32BIT at 22; this host's 6.18 has status at 16.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <signal.h>
#include <sys/wait.h>

#include "bpf.h"
#include "bpf_asm.h"
#include "bpf_insn.h"
#include "icmpcount.h"

#define SAMPLE_WORDS	4	/* the task's first 32 bytes */
#define NATIVE		0	/* the map's slots */
#define EXEC_FAILED	64	/* the child's exit status: 64 + errno */
#define COMPAT		1

/* The 32-bit ABI of this kernel's machine, or NULL on a 32-bit kernel. */
const char *compat_machine(void)
{
	static struct utsname u;

	if (uname(&u) != 0)
		return NULL;
	if (strcmp(u.machine, "x86_64") == 0)
		return "i386";
	if (strcmp(u.machine, "aarch64") == 0)
		return "arm";
	return NULL;
}

/* Is this icmpcount a 32-bit program on a 64-bit kernel? */
int compat_self(void)
{
	return sizeof(long) == 4 && compat_machine() != NULL;
}

#if defined(__aarch64__)
/*
 * A 32-bit program on arm64: getpid(), then exit(0).  An ELF header, one
 * program header, five ARM instructions; EABI 5, which the kernel wants
 * before it runs an AArch32 program.
 */
static const unsigned char aarch32_getpid[] = {
	/* Elf32_Ehdr: ident, ET_EXEC, EM_ARM, version, entry 0x10054 */
	0x7f, 'E', 'L', 'F', 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	2, 0, 40, 0, 1, 0, 0, 0, 0x54, 0, 1, 0,
	52, 0, 0, 0, 0, 0, 0, 0,		/* phoff 52, shoff 0 */
	0, 0, 0, 5,				/* flags: EABI 5 */
	52, 0, 32, 0, 1, 0, 0, 0, 0, 0, 0, 0,	/* sizes; 1 phdr */
	/* Elf32_Phdr: PT_LOAD of the whole file at 0x10000, r-x */
	1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0,
	104, 0, 0, 0, 104, 0, 0, 0, 5, 0, 0, 0, 0, 0x10, 0, 0,
	0x14, 0x70, 0xa0, 0xe3,			/* mov r7, #20 (getpid) */
	0x00, 0x00, 0x00, 0xef,			/* svc #0 */
	0x00, 0x00, 0xa0, 0xe3,			/* mov r0, #0 */
	0x01, 0x70, 0xa0, 0xe3,			/* mov r7, #1 (exit) */
	0x00, 0x00, 0x00, 0xef,			/* svc #0 */
};
#endif

/*
 * The child whose calls are sampled: a native getppid(), then a 32-bit
 * getpid() (int $0x80 on x86_64; on arm64, the program above, run from a
 * memfd).  A 32-bit icmpcount's child needs no trick.  It exits 0 when
 * the 32-bit call ran.
 */
static void __attribute__((noreturn)) sample_child(void)
{
	syscall(SYS_getppid);
#if defined(__x86_64__)
	{
		long r;

		__asm__ volatile ("int $0x80" : "=a" (r) : "a" (20L) :
				  "memory", "r8", "r9", "r10", "r11");
		_exit(r > 0 ? 0 : 1);
	}
#elif defined(__aarch64__)
	{
		char *const argv[] = { "icmpcount-aarch32", NULL };
		char *const envp[] = { NULL };
		char path[64];
		int fd = (int)syscall(SYS_memfd_create, argv[0], 0);

		/*
		 * From a memfd; 5.10 answers execveat(AT_EMPTY_PATH) on one
		 * with ENOENT, but runs it by its /proc path; else a file.
		 */
		if (fd >= 0 && write(fd, aarch32_getpid, sizeof(aarch32_getpid)) ==
			       (ssize_t)sizeof(aarch32_getpid)) {
			syscall(SYS_execveat, fd, "", argv, envp,
				0x1000 /* AT_EMPTY_PATH */);
			snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
			execve(path, argv, envp);
		}
		snprintf(path, sizeof(path), "/tmp/icmpcount-aarch32.%d",
			 (int)getpid());
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0700);
		if (fd >= 0 && write(fd, aarch32_getpid, sizeof(aarch32_getpid)) ==
			       (ssize_t)sizeof(aarch32_getpid) && close(fd) == 0)
			execve(path, argv, envp);
		_exit(EXEC_FAILED + (errno & 0x3f));
	}
#else
	syscall(SYS_getpid);
	_exit(0);
#endif
}

/*
 * The probe: on raw_syscalls:sys_enter, for the child only, copy the
 * task's first words into slot NATIVE or COMPAT of the array, by number.
 *
 *	if (get_current_pid_tgid() >> 32 != CHILD) return 0;
 *	slot = id == NATIVE_NR ? 0 : id == COMPAT_NR ? 1 : return 0;
 *	if ((v = map_lookup_elem(samples, &slot)))
 *		read_kernel(v, 32, get_current_task());
 */
enum { SAMPLE, OUT };

static int load_sampler(int map, int id_off, int native_nr, int compat_nr,
			int child, int read_kernel)
{
	struct bpf_insn insns[32];
	struct asm_prog p;
	size_t n;

	asm_init(&p, insns, ARRAY_SIZE(insns));
	emit(&p, BPF_MOV64_REG(BPF_REG_6, BPF_REG_1));
	emit(&p, BPF_EMIT_CALL(BPF_FUNC_get_current_pid_tgid));
	emit(&p, BPF_ALU64_IMM(BPF_RSH, BPF_REG_0, 32));
	jump(&p, BPF_JMP_IMM(BPF_JNE, BPF_REG_0, child, 0), OUT);
	emit(&p, BPF_LDX_MEM(BPF_DW, BPF_REG_1, BPF_REG_6, (__s16)id_off));
	emit(&p, BPF_MOV64_IMM(BPF_REG_2, NATIVE));
	jump(&p, BPF_JMP_IMM(BPF_JEQ, BPF_REG_1, native_nr, 0), SAMPLE);
	emit(&p, BPF_MOV64_IMM(BPF_REG_2, COMPAT));
	jump(&p, BPF_JMP_IMM(BPF_JNE, BPF_REG_1, compat_nr, 0), OUT);
	place(&p, SAMPLE);
	emit(&p, BPF_STX_MEM(BPF_W, BPF_REG_10, BPF_REG_2, -4));
	emit(&p, BPF_EMIT_CALL(BPF_FUNC_get_current_task));
	emit(&p, BPF_MOV64_REG(BPF_REG_7, BPF_REG_0));
	ld_map_fd(&p, BPF_REG_1, map);
	emit(&p, BPF_MOV64_REG(BPF_REG_2, BPF_REG_10));
	emit(&p, BPF_ALU64_IMM(BPF_ADD, BPF_REG_2, -4));
	emit(&p, BPF_EMIT_CALL(BPF_FUNC_map_lookup_elem));
	jump(&p, BPF_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 0), OUT);
	emit(&p, BPF_MOV64_REG(BPF_REG_1, BPF_REG_0));
	emit(&p, BPF_MOV64_IMM(BPF_REG_2, SAMPLE_WORDS * 8));
	emit(&p, BPF_MOV64_REG(BPF_REG_3, BPF_REG_7));
	emit(&p, BPF_EMIT_CALL(read_kernel));
	place(&p, OUT);
	emit(&p, BPF_MOV64_IMM(BPF_REG_0, 0));
	emit(&p, BPF_EXIT_INSN());
	n = finish(&p);
	if (n == 0)
		return -1;
	return bpf_prog_load(BPF_PROG_TYPE_TRACEPOINT, NULL, "GPL", insns, n,
			     NULL, 0, 0);
}

static const struct {
	const char *machine;
	int sendto, socketcall, getpid;
} abis[] = {
	{ "i386", 369, 102, 20 },
	{ "arm", 290, 0, 20 },		/* EABI: no socketcall() */
};

/* The candidates, likeliest first: (offset, size, bit) of the word. */
static const struct {
	const char *machine;
	unsigned int off, size;
	__u32 bit;
} candidates[] = {
	{ "i386", 16, 4, 0x2 },		/* x86_64 5.11+: status, TS_COMPAT */
	{ "i386", 8, 4, 0x2 },		/* x86_64 4.9-5.10 */
	{ "arm", 0, 8, 1U << 22 },	/* arm64: flags, TIF_32BIT */
	{ "arm", 0, 8, 1U << 18 },	/* arm64, generic TIF bits */
};

static __u64 word_at(const __u64 *sample, unsigned int off, unsigned int size)
{
	__u64 w = sample[off / 8];

	if (size == 4)
		w = off % 8 ? w >> 32 : w & 0xffffffffU;
	return w;
}

/* Forks the child, held on a pipe until the sampler is attached. */
static pid_t fork_held(int *go)
{
	int fds[2];
	pid_t pid;
	char c;

	if (pipe(fds) != 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		close(fds[1]);
		if (read(fds[0], &c, 1) != 1)
			_exit(2);
		sample_child();
	}
	close(fds[0]);
	*go = fds[1];
	return pid;
}

static int calibrate_once(const char *tracefs, struct compat_abi *abi,
			  char *why, size_t size)
{
	const char *machine = compat_machine();
	__u64 samples[2][SAMPLE_WORDS];
	struct sendto_fields f;
	int map, prog = -1, perf = -1, go = -1, status = 0, found = -1;
	pid_t child, child_pid __attribute__((unused));
	size_t i;
	__u32 key;

	memset(abi, 0, sizeof(*abi));
	abi->probe_fds[0] = abi->probe_fds[1] = abi->probe_fds[2] = -1;
	if (!machine) {
		snprintf(why, size, "a 32-bit kernel: every program is native");
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(abis); i++)
		if (strcmp(abis[i].machine, machine) == 0) {
			abi->sendto_nr = abis[i].sendto;
			abi->socketcall_nr = abis[i].socketcall;
			abi->getpid_nr = abis[i].getpid;
		}
	abi->read_kernel = helper_works(BPF_FUNC_probe_read_kernel) ?
			   BPF_FUNC_probe_read_kernel : BPF_FUNC_probe_read;
	memset(&f, 0, sizeof(f));
	read_fields(tracefs, TP_RAW_ENTER, FORMAT_ENTER, parse_raw_enter_format,
		    &f);
	map = bpf_map_create(BPF_MAP_TYPE_ARRAY, NULL, sizeof(key),
			     sizeof(samples[0]), 2, 0);
	/* Before 5.11, EPERM may mean RLIMIT_MEMLOCK, as for the loader. */
	if (map < 0 && errno == EPERM && raise_memlock() == 0)
		map = bpf_map_create(BPF_MAP_TYPE_ARRAY, NULL, sizeof(key),
				     sizeof(samples[0]), 2, 0);
	child = fork_held(&go);
	if (map < 0 || child < 0) {
		snprintf(why, size, "cannot set up the probe: %s", strerror(errno));
		goto out;
	}
	prog = load_sampler(map, (int)f.id.offset,
			    compat_self() ? -1 : SYS_getppid, abi->getpid_nr,
			    child, abi->read_kernel);
	if (prog < 0 && errno == EPERM && raise_memlock() == 0)
		prog = load_sampler(map, (int)f.id.offset,
				    compat_self() ? -1 : SYS_getppid,
				    abi->getpid_nr, child, abi->read_kernel);
	if (prog >= 0)
		perf = perf_event_open_tracepoint(tracepoint_id(tracefs,
								TP_RAW_ENTER));
	if (perf < 0 || perf_event_ioctl(perf, PERF_EVENT_IOC_SET_BPF, prog) != 0 ||
	    perf_event_ioctl(perf, PERF_EVENT_IOC_ENABLE, 0) != 0) {
		snprintf(why, size, "cannot attach the probe: %s", strerror(errno));
		goto out;
	}
	child_pid = child;
	if (write(go, "g", 1) != 1 || waitpid(child, &status, 0) != child) {
		snprintf(why, size, "the probe's child was lost");
		goto out;
	}
	child = -1;
	perf_event_ioctl(perf, PERF_EVENT_IOC_DISABLE, 0);
#if defined(__aarch64__)
	{
		char path[64];

		snprintf(path, sizeof(path), "/tmp/icmpcount-aarch32.%d",
			 (int)child_pid);
		unlink(path);
	}
#endif
	if (WIFEXITED(status) && WEXITSTATUS(status) >= EXEC_FAILED) {
		narrate("compat probe: the 32-bit program did not start: %s",
			strerror(WEXITSTATUS(status) - EXEC_FAILED));
	} else if (WIFSIGNALED(status)) {
		narrate("compat probe: the 32-bit call ended in signal %d",
			WTERMSIG(status));
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		snprintf(why, size, "this kernel runs no %s programs", machine);
		found = 0;
		goto out;
	}
	for (key = 0; key < 2; key++)
		if (bpf_map_lookup_elem(map, &key, samples[key]) != 0)
			memset(samples[key], 0, sizeof(samples[key]));
	narrate("compat probe: native %016llx %016llx %016llx, %s %016llx %016llx %016llx",
		(unsigned long long)samples[NATIVE][0],
		(unsigned long long)samples[NATIVE][1],
		(unsigned long long)samples[NATIVE][2], machine,
		(unsigned long long)samples[COMPAT][0],
		(unsigned long long)samples[COMPAT][1],
		(unsigned long long)samples[COMPAT][2]);
	for (i = 0; i < ARRAY_SIZE(candidates); i++) {
		unsigned int off = candidates[i].off, sz = candidates[i].size;
		__u32 bit = candidates[i].bit;

		if (strcmp(candidates[i].machine, machine) != 0 ||
		    !(word_at(samples[COMPAT], off, sz) & bit) ||
		    (!compat_self() && (word_at(samples[NATIVE], off, sz) & bit)))
			continue;
		abi->task_off = off;
		abi->task_size = sz;
		abi->task_bit = bit;
		found = 1;
		break;
	}
	if (found < 0)
		snprintf(why, size, "no known word of the task tells a %s call from a native one",
			 machine);
	else
		narrate("compat: %s calls have bit %#x set in the task's word at %u (%u bytes)",
			machine, abi->task_bit, abi->task_off, abi->task_size);
out:
	if (child > 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
	}
	if (go >= 0)
		close(go);
	abi->probe_fds[0] = perf;
	abi->probe_fds[1] = prog;
	abi->probe_fds[2] = map;
	if (found != 1)
		compat_release(abi);
	return found;
}

/*
 * A probe whose 32-bit sample holds no candidate is made again, once: it
 * happened once in three VM matrix runs (bullseye arm64, a 32-bit
 * icmpcount), for a reason not yet known, and one more probe is cheap.
 */
int compat_calibrate(const char *tracefs, struct compat_abi *abi,
		     char *why, size_t size)
{
	int r = calibrate_once(tracefs, abi, why, size);

	if (r < 0 && strncmp(why, "no known word", 13) == 0) {
		narrate("compat: %s; probing again", why);
		r = calibrate_once(tracefs, abi, why, size);
	}
	return r;
}

/*
 * The probe's perf event is closed only once the real programs hold the
 * tracepoint: closing the last event on a tracepoint waits for an RCU
 * grace period (80 ms here), which a start-up need not wait for.
 */
void compat_release(struct compat_abi *abi)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(abi->probe_fds); i++) {
		if (abi->probe_fds[i] >= 0)
			close(abi->probe_fds[i]);
		abi->probe_fds[i] = -1;
	}
}

/*
 * The 32-bit processes running now: the ELF class of each /proc/PID/exe
 * (kernel threads have none).  *name gets one of their comms.
 */
int compat_count_running(char *name, size_t size)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	name[0] = '\0';
	while ((e = readdir(d)) != NULL) {
		char path[64], comm[32] = "";
		unsigned char ident[5];
		int fd;

		unsigned long pid;

		if (parse_uint(e->d_name, INT32_MAX, &pid) != 0 ||
		    pid == (unsigned long)getpid())
			continue;
		snprintf(path, sizeof(path), "/proc/%.20s/exe", e->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (read(fd, ident, sizeof(ident)) != (ssize_t)sizeof(ident) ||
		    memcmp(ident, "\177ELF", 4) != 0 || ident[4] != 1) {
			close(fd);
			continue;
		}
		close(fd);
		n++;
		snprintf(path, sizeof(path), "/proc/%.20s/comm", e->d_name);
		if (!name[0] && read_text(path, comm, sizeof(comm)) == 0) {
			comm[strcspn(comm, "\n")] = '\0';
			snprintf(name, size, "%s", comm);
		}
	}
	closedir(d);
	return n;
}

/*
 * --compat is on where icmpcount is itself a 32-bit program on a 64-bit
 * kernel (the Raspberry Pi OS case: all of user space is 32-bit), and
 * where asked; it costs every system call on the machine a program run,
 * so elsewhere it is off, and we say so when 32-bit processes are there
 * to miss.  Its program needs to know the kernel's compat word: compat.c
 * finds it, or finds that this kernel runs no 32-bit programs.
 */
int compat_wanted(const struct options *o, const char *tracefs,
		       struct compat_abi *abi)
{
	char why[160], name[32];
	int on = o->compat < 0 ? compat_self() : o->compat, r, n;

	if (!on) {
		if (compat_machine() &&
		    (n = compat_count_running(name, sizeof(name))) > 0)
			warnx("%d 32-bit process%s running (%s%s): %s pings are not counted without --compat",
			      n, n == 1 ? " is" : "es are", name,
			      n == 1 ? "" : " among them", n == 1 ? "its" : "their");
		return 0;
	}
	r = compat_calibrate(tracefs, abi, why, sizeof(why));
	if (r == 1)
		return 1;
	if (r == 0 && o->compat > 0)
		warnx("--compat: %s", why);
	else if (r == 0)
		narrate("compat: %s", why);
	else if (o->compat > 0)
		failx("--compat: %s", why);
	else
		warnx("32-bit processes are not counted: %s", why);
	return 0;
}
