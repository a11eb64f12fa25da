// SPDX-License-Identifier: GPL-2.0
/*
 * run.c - the test tiers' process control: start a tracer (icmpcount or
 * bpftrace) with its output on pipes, wait until it says it is tracing,
 * end it with a signal and collect everything; read a count out of its
 * report; and look for objects or mounts it may have left behind.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <link.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <linux/bpf.h>

#include "icmpcount.h"
#include "bpf.h"
#include "test.h"

double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
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
	if (v[0])	/* no argv[0], or no memory: nothing to run */
		execvp(v[0], v);
	_exit(127);
}

int run_start(struct run *r, const char *const argv[], int flags)
{
	int out[2], err[2];

	memset(r, 0, sizeof(*r));
	r->resend = strcmp(argv[0], "bpftrace") == 0;
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
int run_read(struct run *r, int timeout_ms)
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
int run_wait_tracing(struct run *r, double seconds)
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

/*
 * Sends sig (0: none, wait for a natural end) and collects everything.
 * icmpcount gets one signal: one that it loses fails its case.  bpftrace
 * 0.17 can lose a SIGINT (bench/bench.c saw it just after BEGIN; the
 * stress tier, once, at its end) and then waits for ever, so for bpftrace
 * the signal goes again each second until its END has printed "Done
 * tracing".
 */
int run_finish(struct run *r, int sig, double seconds)
{
	double end = now() + seconds, again = now() + 1;

	if (sig)
		kill(r->pid, sig);
	while (run_read(r, 100)) {
		if (r->resend && sig && now() > again &&
		    !strstr(r->out, "Done tracing")) {
			kill(r->pid, sig);
			again = now() + 1;
		}
		if (now() > end) {
			r->timed_out = 1;
			kill(r->pid, SIGKILL);
			end += 5;
		}
	}
	if (waitpid(r->pid, &r->status, 0) != r->pid)
		return -1;
	return 0;
}

int exited_with(const struct run *r, int code)
{
	return WIFEXITED(r->status) && WEXITSTATUS(r->status) == code;
}

/* The count printed for comm after "Done tracing", 0 if none. */
long count_of(const char *out, const char *comm)
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
 * BPF objects, through bpf.c's wrappers, as icmpcount calls the kernel.
 * last_id() gives a baseline; orphans() then finds the programs and maps
 * named icmpcount* made since, that no process holds: what an instance
 * that is gone left behind.  Other instances running at the same time do
 * not count, since they hold theirs.
 */
__u32 last_id(int cmd)
{
	__u32 id = 0, next;

	for (;;) {
		if ((cmd == BPF_MAP_GET_NEXT_ID ? bpf_map_get_next_id(id, &next) :
		     bpf_prog_get_next_id(id, &next)) != 0)
			return id;
		id = next;
	}
}

/* Every prog and map id that some process holds an fd of. */
#define MAX_HELD	8192

static __u32 held_prog[MAX_HELD], held_map[MAX_HELD];
static int nheld_prog, nheld_map;

static void scan_held(void)
{
	struct dirent *de;
	DIR *d = opendir("/proc");

	nheld_prog = nheld_map = 0;
	if (!d)
		return;
	while ((de = readdir(d))) {
		unsigned int ids[64];
		int is_map[64];
		size_t i, n;

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		n = bpf_ids_of(atoi(de->d_name), ids, is_map, ARRAY_SIZE(ids));
		for (i = 0; i < n; i++) {
			if (!is_map[i] && nheld_prog < MAX_HELD)
				held_prog[nheld_prog++] = ids[i];
			else if (is_map[i] && nheld_map < MAX_HELD)
				held_map[nheld_map++] = ids[i];
		}
	}
	closedir(d);
}

static int is_held(const __u32 *set, int n, __u32 id)
{
	int i;

	for (i = 0; i < n; i++)
		if (set[i] == id)
			return 1;
	return 0;
}

/*
 * Objects named icmpcount* made since the baseline that no process holds,
 * directly or (a program) through a map: what a dead instance left.
 */
struct candidate {
	__u32 id, maps[8];
	__u32 nmaps;
};

int orphans(__u32 prog_base, __u32 map_base, char *ids, size_t size)
{
	static struct candidate progs[256], maps[256];
	int np = 0, nm = 0, i, n = 0, pass;
	size_t len = 0;

	ids[0] = '\0';
	for (pass = 0; pass < 2; pass++) {
		__u32 id = pass ? map_base : prog_base;

		for (;;) {
			struct bpf_prog_info pinfo;
			struct bpf_map_info minfo;
			struct candidate c = { 0 };
			const char *name;
			void *info;
			__u32 info_len, next;
			int fd;

			if ((pass ? bpf_map_get_next_id(id, &next) :
			     bpf_prog_get_next_id(id, &next)) != 0)
				break;
			id = next;
			fd = pass ? bpf_map_get_fd_by_id(id) :
			     bpf_prog_get_fd_by_id(id);
			if (fd < 0)
				continue;
			memset(&pinfo, 0, sizeof(pinfo));
			memset(&minfo, 0, sizeof(minfo));
			if (pass) {
				info = &minfo;
				info_len = sizeof(minfo);
				name = minfo.name;
			} else {
				pinfo.nr_map_ids = ARRAY_SIZE(c.maps);
				pinfo.map_ids = (__u64)(unsigned long)c.maps;
				info = &pinfo;
				info_len = sizeof(pinfo);
				name = pinfo.name;
			}
			if (bpf_obj_get_info_by_fd(fd, info, &info_len) == 0 &&
			    strncmp(name, "icmpcount", 9) == 0) {
				c.id = id;
				c.nmaps = pinfo.nr_map_ids < ARRAY_SIZE(c.maps) ?
					  pinfo.nr_map_ids : ARRAY_SIZE(c.maps);
				if (pass && nm < (int)ARRAY_SIZE(maps))
					maps[nm++] = c;
				else if (!pass && np < (int)ARRAY_SIZE(progs))
					progs[np++] = c;
			}
			close(fd);
		}
	}
	if (np + nm == 0)
		return 0;

	scan_held();
	for (i = 0; i < np; i++) {
		__u32 k;
		int held = is_held(held_prog, nheld_prog, progs[i].id);

		for (k = 0; k < progs[i].nmaps && !held; k++)
			held = is_held(held_map, nheld_map, progs[i].maps[k]);
		/* A held program holds its maps: mark them held too. */
		for (k = 0; held && k < progs[i].nmaps; k++)
			if (nheld_map < MAX_HELD)
				held_map[nheld_map++] = progs[i].maps[k];
		if (held)
			continue;
		n++;
		if (len < size)
			len += (size_t)snprintf(ids + len, size - len, " prog %u",
						progs[i].id);
	}
	for (i = 0; i < nm; i++) {
		if (is_held(held_map, nheld_map, maps[i].id))
			continue;
		n++;
		if (len < size)
			len += (size_t)snprintf(ids + len, size - len, " map %u",
						maps[i].id);
	}
	return n;
}

/* What was there before a run: the last ids, the tracefs mounts. */

int tracefs_mounts(const char *mountinfo)
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

/* Whether the ELF file at path asks for no program interpreter. */
int is_static(const char *path)
{
	ElfW(Ehdr) eh;
	ElfW(Phdr) ph;
	int fd = open(path, O_RDONLY | O_CLOEXEC), i, interp = 1;

	if (fd < 0)
		return 0;
	if (pread(fd, &eh, sizeof(eh), 0) == (ssize_t)sizeof(eh) &&
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) == 0) {
		interp = 0;
		for (i = 0; i < eh.e_phnum && !interp; i++)
			interp = pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff +
				       (size_t)i * eh.e_phentsize)) !=
				 (ssize_t)sizeof(ph) || ph.p_type == PT_INTERP;
	}
	close(fd);
	return !interp;
}

int have(const char *prog)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", prog);
	return system(cmd) == 0;
}

/* Whether this build has the clang program: -S says so without privileges. */
int have_clang_prog(void)
{
	char cmd[4200];

	snprintf(cmd, sizeof(cmd), "%s -P clang -S >/dev/null 2>&1",
		 icmpcount_path);
	return system(cmd) == 0;
}

/*
 * A tracer's command line, for the tiers that run several at once:
 * icmpcount with the options in args, or bpftrace with the reference
 * script args[0], ours (BPFTRACE_OURS, from tests/reference) or the one
 * in ../shared/reference (BPFTRACE_SHARED).  argv wants room for the
 * options and a NULL.  Returns NULL, or why the tracer cannot run here:
 * -P clang wants a build with the clang program.
 */
const char *tracer_argv(const char *const args[], int bpftrace,
			const char **argv, char *script, size_t size)
{
	int clang = 0;
	size_t i;

	if (bpftrace) {
		snprintf(script, size, "%s/%s", bpftrace == BPFTRACE_SHARED ?
			 test_shared_reference : test_reference, args[0]);
		argv[0] = "bpftrace";
		argv[1] = script;
		argv[2] = NULL;
		if (!have("bpftrace"))
			return "bpftrace is not installed";
		if (access(script, R_OK) != 0)
			return "no reference script (set ICMPCOUNT_REFERENCE)";
		return NULL;
	}
	argv[0] = icmpcount_path;
	for (i = 0; args[i]; i++) {
		argv[i + 1] = args[i];
		clang |= strcmp(args[i], "clang") == 0;
	}
	argv[i + 1] = NULL;
	if (clang && !have_clang_prog())
		return "this icmpcount was built without clang";
	return NULL;
}


/* Sets NAME=VALUE in the environment; name gets NAME, to unset it after. */
void put_env(const char *nv, char *name, size_t size)
{
	snprintf(name, size, "%s", nv);
	name[strcspn(name, "=")] = '\0';
	setenv(name, nv + strlen(name) + 1, 1);
}

/*
 * The ids of the BPF programs and maps a process holds, from the fdinfo of
 * its fds ("prog_id:" and "map_id:" lines), and whether they are all gone
 * from the kernel (polled for a while: the kernel frees a program shortly
 * after its last fd closes).  Precise where other tracers run at once.
 */
size_t bpf_ids_of(pid_t pid, unsigned int *ids, int *is_map, size_t max)
{
	char path[320], line[128];
	struct dirent *de;
	size_t n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo", (int)pid);
	d = opendir(path);
	while (d && n < max && (de = readdir(d))) {
		FILE *f;

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fdinfo/%s", (int)pid,
			 de->d_name);
		f = fopen(path, "r");
		while (f && fgets(line, sizeof(line), f) && n < max) {
			if (sscanf(line, "prog_id: %u", &ids[n]) == 1)
				is_map[n++] = 0;
			else if (sscanf(line, "map_id: %u", &ids[n]) == 1)
				is_map[n++] = 1;
		}
		if (f)
			fclose(f);
	}
	if (d)
		closedir(d);
	return n;
}

size_t bpf_ids_alive(const unsigned int *ids, const int *is_map, size_t n)
{
	double end = now() + 3;
	size_t i, alive;

	do {
		for (i = 0, alive = 0; i < n; i++) {
			int fd = is_map[i] ? bpf_map_get_fd_by_id(ids[i]) :
				 bpf_prog_get_fd_by_id(ids[i]);

			if (fd >= 0) {
				close(fd);
				alive++;
			}
		}
		if (alive == 0)
			return 0;
		usleep(50 * 1000);
	} while (now() < end);
	return alive;
}

/* "a|b|c": a, then b after it, then c after that. */
int has_in_order(const char *text, const char *spec)
{
	char part[512];
	const char *p = text;

	while (*spec) {
		size_t n = strcspn(spec, "|");

		snprintf(part, sizeof(part), "%.*s", (int)n, spec);
		p = strstr(p, part);
		if (!p)
			return 0;
		p += n;
		spec += n;
		if (*spec == '|')
			spec++;
	}
	return 1;
}

/* Appends to a NUL-terminated message buffer, truncating quietly. */
void app(char *buf, size_t size, const char *fmt, ...)
{
	size_t len = strlen(buf);
	va_list ap;

	if (len + 1 >= size)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + len, size - len, fmt, ap);
	va_end(ap);
}
