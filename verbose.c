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
	NAME(BPF_OBJ_GET_INFO_BY_FD),
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

static void trace_bpf(enum bpf_cmd cmd, const union bpf_attr *attr, int ret)
{
	const char *name = lookup(cmd_names, ARRAY_SIZE(cmd_names), cmd);
	int e = errno;

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
		fprintf(stderr, "prog_type=%s, insn_cnt=%u, license=\"%s\", log_level=%u, log_size=%u, prog_name=\"%.*s\"",
			attr->prog_type == BPF_PROG_TYPE_TRACEPOINT ?
			"BPF_PROG_TYPE_TRACEPOINT" : "?", attr->insn_cnt,
			(const char *)(unsigned long)attr->license,
			attr->log_level, attr->log_size,
			(int)sizeof(attr->prog_name), attr->prog_name);
		break;
	case BPF_MAP_LOOKUP_ELEM:
	case BPF_MAP_GET_NEXT_KEY:
		fprintf(stderr, "map_fd=%u", attr->map_fd);
		print_ptr("key", attr->key);
		print_ptr(cmd == BPF_MAP_LOOKUP_ELEM ? "value" : "next_key",
			  attr->value);
		break;
	case BPF_MAP_UPDATE_ELEM:
		fprintf(stderr, "map_fd=%u", attr->map_fd);
		print_ptr("key", attr->key);
		print_ptr("value", attr->value);
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
