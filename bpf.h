/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bpf.h - the system-call layer: bpf(), perf_event_open() and the perf
 * ioctls, one wrapper per command, named and ordered as in libbpf's
 * tools/lib/bpf/bpf.c.  Each returns what the kernel returns, as libc does:
 * an fd or 0 on success, -1 with errno set on failure.  They print nothing
 * and decide nothing; the caller reports errors.  icmpcount, its tests and
 * its bench all call the kernel through these.
 */
#ifndef ICMPCOUNT_BPF_H
#define ICMPCOUNT_BPF_H

#include <stddef.h>
#include <sys/types.h>

#include <linux/bpf.h>
#include <linux/perf_event.h>

/* What -v hangs on the layer: each call, after it returns, with errno. */
struct bpf_trace_ops {
	void (*bpf)(enum bpf_cmd cmd, const union bpf_attr *attr, int ret);
	void (*perf_event_open)(const struct perf_event_attr *attr, int pid,
				int cpu, int group_fd, unsigned long flags,
				int ret);
	void (*ioctl)(int fd, unsigned long request, int arg, int ret);
};

extern const struct bpf_trace_ops *bpf_trace;	/* NULL: quiet */

static inline __u64 ptr_to_u64(const void *ptr)
{
	return (__u64)(unsigned long)ptr;
}

int bpf_map_create(enum bpf_map_type map_type, const char *map_name,
		   __u32 key_size, __u32 value_size, __u32 max_entries,
		   __u32 map_flags);
int bpf_prog_load(enum bpf_prog_type prog_type, const char *prog_name,
		  const char *license, const struct bpf_insn *insns,
		  size_t insn_cnt, char *log_buf, __u32 log_size,
		  __u32 log_level);
int bpf_map_update_elem(int fd, const void *key, const void *value,
			__u64 flags);
int bpf_map_lookup_elem(int fd, const void *key, void *value);
int bpf_map_get_next_key(int fd, const void *key, void *next_key);
int bpf_prog_get_next_id(__u32 start_id, __u32 *next_id);
int bpf_map_get_next_id(__u32 start_id, __u32 *next_id);
int bpf_prog_get_fd_by_id(__u32 id);
int bpf_map_get_fd_by_id(__u32 id);
int bpf_obj_get_info_by_fd(int bpf_fd, void *info, __u32 *info_len);
int bpf_task_fd_query(int pid, int fd, char *buf, __u32 *buf_len);
int bpf_link_create(int prog_fd, int target_fd,
		    enum bpf_attach_type attach_type, __u32 flags);
int bpf_enable_stats(enum bpf_stats_type type);

int perf_event_open(struct perf_event_attr *attr, pid_t pid, int cpu,
		    int group_fd, unsigned long flags);
int perf_event_open_tracepoint(unsigned int tp_id);
int perf_event_ioctl(int fd, unsigned long request, int arg);

#endif /* ICMPCOUNT_BPF_H */
