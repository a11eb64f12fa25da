// SPDX-License-Identifier: GPL-2.0
/*
 * bpf.c - the system-call layer (see bpf.h).  Each wrapper zeroes the
 * whole union bpf_attr, sets the fields its command reads and passes the
 * union's full size: the kernel refuses an attr whose bytes past the
 * fields it knows are not zero, so a zeroed attr works on old kernels and
 * new ones alike.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

#include "bpf.h"

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

const struct bpf_trace_ops *bpf_trace;

static int sys_bpf(enum bpf_cmd cmd, union bpf_attr *attr, unsigned int size)
{
	int ret = (int)syscall(__NR_bpf, cmd, attr, size);

	if (bpf_trace)
		bpf_trace->bpf(cmd, attr, ret);
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

int bpf_map_update_elem(int fd, const void *key, const void *value,
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

int bpf_map_lookup_elem(int fd, const void *key, void *value)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_fd = (__u32)fd;
	attr.key = ptr_to_u64(key);
	attr.value = ptr_to_u64(value);
	return sys_bpf(BPF_MAP_LOOKUP_ELEM, &attr, sizeof(attr));
}

int bpf_map_get_next_key(int fd, const void *key, void *next_key)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_fd = (__u32)fd;
	attr.key = ptr_to_u64(key);
	attr.next_key = ptr_to_u64(next_key);
	return sys_bpf(BPF_MAP_GET_NEXT_KEY, &attr, sizeof(attr));
}

static int bpf_obj_get_next_id(__u32 start_id, __u32 *next_id, int cmd)
{
	union bpf_attr attr;
	int err;

	memset(&attr, 0, sizeof(attr));
	attr.start_id = start_id;
	err = sys_bpf(cmd, &attr, sizeof(attr));
	if (!err)
		*next_id = attr.next_id;
	return err;
}

int bpf_prog_get_next_id(__u32 start_id, __u32 *next_id)
{
	return bpf_obj_get_next_id(start_id, next_id, BPF_PROG_GET_NEXT_ID);
}

int bpf_map_get_next_id(__u32 start_id, __u32 *next_id)
{
	return bpf_obj_get_next_id(start_id, next_id, BPF_MAP_GET_NEXT_ID);
}

int bpf_prog_get_fd_by_id(__u32 id)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.prog_id = id;
	return sys_bpf(BPF_PROG_GET_FD_BY_ID, &attr, sizeof(attr));
}

int bpf_map_get_fd_by_id(__u32 id)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_id = id;
	return sys_bpf(BPF_MAP_GET_FD_BY_ID, &attr, sizeof(attr));
}

int bpf_obj_get_info_by_fd(int bpf_fd, void *info, __u32 *info_len)
{
	union bpf_attr attr;
	int err;

	memset(&attr, 0, sizeof(attr));
	attr.info.bpf_fd = (__u32)bpf_fd;
	attr.info.info_len = *info_len;
	attr.info.info = ptr_to_u64(info);
	err = sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr, sizeof(attr));
	if (!err)
		*info_len = attr.info.info_len;
	return err;
}

int bpf_task_fd_query(int pid, int fd, char *buf, __u32 *buf_len)
{
	union bpf_attr attr;
	int err;

	memset(&attr, 0, sizeof(attr));
	attr.task_fd_query.pid = (__u32)pid;
	attr.task_fd_query.fd = (__u32)fd;
	attr.task_fd_query.buf = ptr_to_u64(buf);
	attr.task_fd_query.buf_len = *buf_len;
	err = sys_bpf(BPF_TASK_FD_QUERY, &attr, sizeof(attr));
	*buf_len = attr.task_fd_query.buf_len;
	return err;
}

int bpf_link_create(int prog_fd, int target_fd,
		    enum bpf_attach_type attach_type, __u32 flags)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.link_create.prog_fd = (__u32)prog_fd;
	attr.link_create.target_fd = (__u32)target_fd;
	attr.link_create.attach_type = attach_type;
	attr.link_create.flags = flags;
	return sys_bpf(BPF_LINK_CREATE, &attr, sizeof(attr));
}

int bpf_enable_stats(enum bpf_stats_type type)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.enable_stats.type = type;
	return sys_bpf(BPF_ENABLE_STATS, &attr, sizeof(attr));
}

int perf_event_open(struct perf_event_attr *attr, pid_t pid, int cpu,
		    int group_fd, unsigned long flags)
{
	int ret = (int)syscall(__NR_perf_event_open, attr, pid, cpu, group_fd,
			       flags);

	if (bpf_trace)
		bpf_trace->perf_event_open(attr, pid, cpu, group_fd, flags,
					   ret);
	return ret;
}

/*
 * A perf event for a tracepoint, to hang a BPF program off: every hit an
 * event (sample_period=1: a period of 0 would make it a counting event,
 * which runs no program), off until the program is in place (disabled=1),
 * for every process (pid -1), kept on CPU 0: the program runs on whichever
 * CPU the tracepoint fires.
 */
int perf_event_open_tracepoint(unsigned int tp_id)
{
	struct perf_event_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.type = PERF_TYPE_TRACEPOINT;
	attr.size = sizeof(attr);
	attr.config = tp_id;
	attr.sample_period = 1;
	attr.disabled = 1;
	return perf_event_open(&attr, -1 /* any pid */, 0 /* cpu 0 */,
			       -1 /* no group */, PERF_FLAG_FD_CLOEXEC);
}

int perf_event_ioctl(int fd, unsigned long request, int arg)
{
	int ret = ioctl(fd, request, arg);

	if (bpf_trace)
		bpf_trace->ioctl(fd, request, arg, ret);
	return ret;
}
