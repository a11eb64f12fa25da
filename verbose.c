// SPDX-License-Identifier: GPL-2.0
/*
 * verbose.c - what -v prints: each bpf(), perf_event_open() and ioctl() call
 * as strace shows it, decoded, with its result, and a "# " line for each
 * other step (tracefs, files read, mounts, the verifier's statistics).
 * The calls are narrated from the one place each is made (bpf.c's layer,
 * through verbose_trace_ops), so the narration cannot drift from what the
 * kernel sees; tests/kern.c checks it against strace.  Everything goes to
 * stderr.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <linux/bpf.h>
#include <linux/perf_event.h>

#include "bpf.h"
#include "icmpcount.h"

int verbose;

#define NAME(x)	[x] = #x

static const char *const cmd_names[] = {
	NAME(BPF_MAP_CREATE), NAME(BPF_MAP_LOOKUP_ELEM),
	NAME(BPF_MAP_UPDATE_ELEM), NAME(BPF_MAP_DELETE_ELEM),
	NAME(BPF_MAP_GET_NEXT_KEY), NAME(BPF_PROG_LOAD),
	NAME(BPF_PROG_GET_NEXT_ID), NAME(BPF_MAP_GET_NEXT_ID),
	NAME(BPF_PROG_GET_FD_BY_ID), NAME(BPF_MAP_GET_FD_BY_ID),
	NAME(BPF_OBJ_GET_INFO_BY_FD), NAME(BPF_LINK_CREATE),
};

static const char *const map_names[] = {
	NAME(BPF_MAP_TYPE_HASH), NAME(BPF_MAP_TYPE_ARRAY),
	NAME(BPF_MAP_TYPE_PERCPU_HASH), NAME(BPF_MAP_TYPE_PERCPU_ARRAY),
	NAME(BPF_MAP_TYPE_LRU_HASH),
};

static const char *const update_flags[] = {
	NAME(BPF_ANY), NAME(BPF_NOEXIST), NAME(BPF_EXIST),
};

static const char *const errno_names[] = {
	NAME(EPERM), NAME(ENOENT), NAME(ESRCH), NAME(EINTR), NAME(EBADF),
	NAME(EAGAIN), NAME(ENOMEM), NAME(EACCES), NAME(EFAULT), NAME(EBUSY),
	NAME(EEXIST), NAME(ENODEV), NAME(EINVAL), NAME(ENOSPC), NAME(E2BIG),
	NAME(ENOSYS), NAME(EOPNOTSUPP),
};

/*
 * What a map's keys and values are, learnt from its BPF_MAP_CREATE, so
 * that an element's call can show what it holds, not only where.
 */
#define MAX_MAPS	8

static struct {
	int fd;
	__u32 type, key_size, value_size;
} maps[MAX_MAPS];
static unsigned int nmaps;
unsigned int trace_ncpus = 1;	/* a per-CPU value's slots: loader.c sets it */

static const char *lookup(const char *const *names, size_t n, unsigned int i)
{
	return i < n && names[i] ? names[i] : NULL;
}

/* " = 3", or " = -1 EPERM (Operation not permitted)", as strace ends a line. */
static void print_result(int ret, int e)
{
	const char *name = lookup(errno_names, ARRAY_SIZE(errno_names),
				  (unsigned int)e);

	if (ret >= 0)
		fprintf(stderr, " = %d\n", ret);
	else if (name)
		fprintf(stderr, " = -1 %s (%s)\n", name, strerror(e));
	else
		fprintf(stderr, " = -1 errno %d (%s)\n", e, strerror(e));
}

static void print_ptr(const char *field, __u64 p)
{
	if (p)
		fprintf(stderr, ", %s=%#llx", field, (unsigned long long)p);
	else
		fprintf(stderr, ", %s=NULL", field);
}

static const char *const stat_names[NR_STATS] = {
	[STAT_DROPPED] = "dropped", [STAT_CHECKSUM0] = "checksum 0",
	[STAT_ID0] = "id 0", [STAT_SEQ0] = "seq 0",
};

/* " (=\"ping\")", " (=<stat: seq 0>)", " (=4242)": what a key holds. */
static void print_key(__u32 size, __u64 p)
{
	const unsigned char *k = (const unsigned char *)(unsigned long)p;
	int stat;

	if (!k)
		return;
	if (size == COMM_LEN && (stat = stat_of_key(k)) >= 0) {
		fprintf(stderr, " <stat: %s>", stat_names[stat]);
	} else if (size == COMM_LEN) {
		fputs(" \"", stderr);
		for (; size && *k; size--, k++)
			fprintf(stderr, *k >= 0x20 && *k < 0x7f && *k != '"' &&
				*k != '\\' ? "%c" : "\\x%02x", *k);
		fputc('"', stderr);
	} else if (size == sizeof(__u32)) {
		__u32 u;

		memcpy(&u, k, sizeof(u));
		fprintf(stderr, " %u", u);
	}
}

/* " [1, 0] (sum 1)": a value, per CPU where the map is per-CPU. */
static void print_value(__u32 type, __u32 size, __u64 p)
{
	const unsigned char *v = (const unsigned char *)(unsigned long)p;
	unsigned int i, n = type == BPF_MAP_TYPE_PERCPU_HASH ? trace_ncpus : 1;
	__u64 x, sum = 0;

	if (!v || (size != 8 && size != 4))
		return;
	fputs(" [", stderr);
	for (i = 0; i < n; i++) {
		if (size == 8) {
			memcpy(&x, v + 8 * (size_t)i, 8);
		} else {
			__u32 u;

			memcpy(&u, v + 8 * (size_t)i, 4);
			x = u;
		}
		sum += x;
		if (i < 8)
			fprintf(stderr, "%s%llu", i ? ", " : "",
				(unsigned long long)x);
	}
	fprintf(stderr, "%s]", n > 8 ? ", ..." : "");
	if (n > 1)
		fprintf(stderr, " (sum %llu)", (unsigned long long)sum);
}

static int map_of(__u32 fd)
{
	unsigned int i;

	for (i = 0; i < nmaps; i++)
		if (maps[i].fd == (int)fd)
			return (int)i;
	return -1;
}

/*
 * An element's call: the pointers as strace shows them, each followed by
 * what it points to once the call has run, where that teaches something.
 */
static void print_elem(enum bpf_cmd cmd, const union bpf_attr *attr, int ret)
{
	int m = map_of(attr->map_fd);
	__u32 ks = m >= 0 ? maps[m].key_size : 0;

	fprintf(stderr, "map_fd=%u", attr->map_fd);
	print_ptr("key", attr->key);
	print_key(ks, attr->key);
	if (cmd == BPF_MAP_GET_NEXT_KEY) {
		print_ptr("next_key", attr->next_key);
		if (ret == 0)
			print_key(ks, attr->next_key);
		return;
	}
	print_ptr("value", attr->value);
	if (m >= 0 && (ret == 0 || cmd == BPF_MAP_UPDATE_ELEM))
		print_value(maps[m].type, maps[m].value_size, attr->value);
}

static void trace_bpf(enum bpf_cmd cmd, const union bpf_attr *attr, int ret)
{
	const char *name = lookup(cmd_names, ARRAY_SIZE(cmd_names), cmd);
	int e = errno;

	if (cmd == BPF_MAP_CREATE && ret >= 0 && nmaps < MAX_MAPS) {
		maps[nmaps].fd = ret;
		maps[nmaps].type = attr->map_type;
		maps[nmaps].key_size = attr->key_size;
		maps[nmaps++].value_size = attr->value_size;
	}

	if (name)
		fprintf(stderr, "bpf(%s, {", name);
	else
		fprintf(stderr, "bpf(%d, {", cmd);
	switch (cmd) {
	case BPF_MAP_CREATE:
		name = lookup(map_names, ARRAY_SIZE(map_names), attr->map_type);
		if (name)
			fprintf(stderr, "map_type=%s", name);
		else
			fprintf(stderr, "map_type=%u", attr->map_type);
		fprintf(stderr, ", key_size=%u, value_size=%u, max_entries=%u",
			attr->key_size, attr->value_size, attr->max_entries);
		if (attr->map_flags == BPF_F_NO_PREALLOC)
			fputs(", map_flags=BPF_F_NO_PREALLOC", stderr);
		else if (attr->map_flags)
			fprintf(stderr, ", map_flags=%#x", attr->map_flags);
		fprintf(stderr, ", map_name=\"%.*s\"",
			(int)sizeof(attr->map_name), attr->map_name);
		break;
	case BPF_PROG_LOAD:
		fprintf(stderr, "prog_type=%s, insn_cnt=%u",
			attr->prog_type == BPF_PROG_TYPE_TRACEPOINT ?
			"BPF_PROG_TYPE_TRACEPOINT" : "?", attr->insn_cnt);
		print_ptr("insns", attr->insns);
		fprintf(stderr, ", license=\"%s\", log_level=%u, log_size=%u",
			(const char *)(unsigned long)attr->license,
			attr->log_level, attr->log_size);
		print_ptr("log_buf", attr->log_buf);
		fprintf(stderr, ", kern_version=%u, prog_flags=%u, prog_name=\"%.*s\"",
			attr->kern_version, attr->prog_flags,
			(int)sizeof(attr->prog_name), attr->prog_name);
		break;
	case BPF_MAP_LOOKUP_ELEM:
	case BPF_MAP_GET_NEXT_KEY:
		print_elem(cmd, attr, ret);
		break;
	case BPF_LINK_CREATE:
		fprintf(stderr, "link_create={prog_fd=%u, target_fd=%u, attach_type=%s, flags=%u}",
			attr->link_create.prog_fd, attr->link_create.target_fd,
			attr->link_create.attach_type == BPF_PERF_EVENT ?
			"BPF_PERF_EVENT" : "?", attr->link_create.flags);
		break;
	case BPF_MAP_UPDATE_ELEM:
		print_elem(cmd, attr, ret);
		name = attr->flags <= UINT_MAX ?
			lookup(update_flags, ARRAY_SIZE(update_flags),
			       (unsigned int)attr->flags) : NULL;
		if (name)
			fprintf(stderr, ", flags=%s", name);
		else
			fprintf(stderr, ", flags=%llu",
				(unsigned long long)attr->flags);
		break;
	default:
		fputs("...", stderr);
		break;
	}
	fprintf(stderr, "}, %zu)", sizeof(*attr));
	print_result(ret, e);
	errno = e;
}

static void trace_perf_event_open(const struct perf_event_attr *attr,
				  int pid, int cpu, int group_fd,
				  unsigned long flags, int ret)
{
	int e = errno;

	fprintf(stderr, "perf_event_open({type=PERF_TYPE_TRACEPOINT, size=%u, config=%llu, sample_period=%llu, disabled=%u}, %d, %d, %d, %s)",
		attr->size, (unsigned long long)attr->config,
		(unsigned long long)attr->sample_period, attr->disabled, pid,
		cpu, group_fd,
		flags == PERF_FLAG_FD_CLOEXEC ? "PERF_FLAG_FD_CLOEXEC" : "0");
	print_result(ret, e);
	errno = e;
}

static void trace_ioctl(int fd, unsigned long request, int arg, int ret)
{
	int e = errno;

	fprintf(stderr, "ioctl(%d, %s, %d)", fd,
		request == PERF_EVENT_IOC_SET_BPF ? "PERF_EVENT_IOC_SET_BPF" :
		request == PERF_EVENT_IOC_ENABLE ? "PERF_EVENT_IOC_ENABLE" :
		request == PERF_EVENT_IOC_DISABLE ? "PERF_EVENT_IOC_DISABLE" :
		"?", arg);
	print_result(ret, e);
	errno = e;
}

const struct bpf_trace_ops verbose_trace_ops = {
	.bpf = trace_bpf,
	.perf_event_open = trace_perf_event_open,
	.ioctl = trace_ioctl,
};

void narrate(const char *fmt, ...)
{
	int e = errno;
	va_list ap;

	if (!verbose)
		return;
	fputs("# ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	errno = e;
}

/* Each line of text, as "# <prefix><line>". */
void narrate_text(const char *prefix, const char *text)
{
	const char *p = text, *nl;

	while (*p) {
		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p);
		if (nl > p)
			narrate("%s%.*s", prefix, (int)(nl - p), p);
		p = *nl ? nl + 1 : nl;
	}
}
