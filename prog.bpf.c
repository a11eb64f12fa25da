// SPDX-License-Identifier: GPL-2.0
/*
 * prog.bpf.c - the programs of prog_hand.c, in C: read the two side by side.
 *
 * sendto_enter runs on sys_enter_sendto and counts, per process name, the
 * echo requests the reference bpftrace script counts; with -x it only
 * remembers them, and sendto_exit (sys_exit_sendto) counts those that
 * returned success.  sendto_plain is sendto_enter with every option off,
 * for a run with none.  Build with clang -g -O2 -target bpf -mcpu=v1 -c, then
 * llvm-strip -g; tools/bpf2h makes the object build/prog_clang.h, and
 * prog_clang.c patches in what only the running kernel and the command line
 * tell: the arguments' offsets and widths, the map fds, the helper that
 * reads user memory, and the options.  No libbpf, and no global data.
 * Limits: prog_clang.c finds what it patches by magic numbers, and refuses
 * code where clang merged, split or folded one; the unit tier says so.
 */
#include <linux/types.h>
#include <linux/bpf.h>

#define SEC(name)	__attribute__((section(name), used))
#define INLINE		static inline __attribute__((always_inline))

/*
 * Helpers are called by number; clang turns a call through a constant
 * function pointer into "call N".  prog_clang.c replaces every call 112 by
 * the read_user helper the loader picked (bpf_probe_read, 4, before 5.5).
 */
static long (*bpf_probe_read_user)(void *dst, __u32 size,
				   const void *unsafe_ptr) = (void *)112;
static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;
static long (*bpf_map_update_elem)(void *map, const void *key,
				   const void *value, __u64 flags) = (void *)2;
static __u64 (*bpf_get_current_pid_tgid)(void) = (void *)14;
static long (*bpf_get_current_comm)(void *buf, __u32 size) = (void *)16;

/*
 * The tracepoint's arguments move with the kernel (offsets, and 4 or 8
 * bytes wide), so they are read at made-up offsets that prog_clang.c finds
 * and rewrites from the tracepoint's format file.  Keep these in step with
 * the CTX_MAGIC_* of prog_clang.c.  They are 8-byte aligned, and far past
 * the record the verifier lets a program read (PERF_MAX_TRACE_SIZE, 2048
 * or 8192 bytes), so a load left unpatched is refused, never run.
 * volatile stops clang from narrowing, merging or dropping a load: each
 * must stay one whole 8-byte load.  Each value is used as a full unsigned
 * 64-bit number, so when the load is made 4 bytes wide, and zero-extends,
 * the code still means what it says (ret is sign-extended by hand below).
 */
#define CTX_MAGIC_BUFF	0x7ff8
#define CTX_MAGIC_LEN	0x7ff0
#define CTX_MAGIC_ADDR	0x7fe8
#define CTX_MAGIC_RET	0x7fe0
#define CTX_ARG(ctx, magic)						\
	(*(const volatile __u64 *)((const char *)(ctx) + (magic)))

/*
 * The options are immediates too: each OPTION() is one "rX = magic"
 * instruction, and prog_clang.c writes the option's value over the magic.
 * Inline asm hides the value from clang, so the code behind every option
 * is compiled; once patched, the verifier sees a constant, follows only
 * the branch it selects, and drops the rest from what it loads (the load
 * of the constant stays: sendto_plain has none).  prog_clang.c checks
 * that each option is patched as many times as it is written here, once,
 * so use each only once (see pid below).  Keep these in step with prog_clang.c's OPT_MAGIC_*.
 */
#define OPT_MAGIC_IPV6		0x1c0c0001	/* -6: 0 or 1 */
#define OPT_MAGIC_ALL		0x1c0c0002	/* -a: 0 or 1 */
#define OPT_MAGIC_EXIT		0x1c0c0003	/* -x: 0 or 1 */
#define OPT_MAGIC_PID		0x1c0c0004	/* -p: the tgid, or 0 for any */
#define OPT_MAGIC_RET_SHIFT	0x1c0c0005	/* 64 - the width of ret in bits */
#define OPTION(magic)							\
	({ __u64 v_; asm("%0 = %1" : "=r"(v_) : "i"(magic)); v_; })
#define RET_SHIFT	OPTION(OPT_MAGIC_RET_SHIFT)

/*
 * The entry program is built twice: sendto_enter takes the options, and
 * sendto_plain, for a run with none (the usual one), has them as 0s that
 * clang folds, so it carries no trace of them.  "plain" is a constant in
 * each; prog_clang.c picks the program.
 */
#define IPV6		(plain ? 0 : OPTION(OPT_MAGIC_IPV6))
#define ALL		(plain ? 0 : OPTION(OPT_MAGIC_ALL))
#define EXIT		(plain ? 0 : OPTION(OPT_MAGIC_EXIT))
#define PID		(plain ? 0 : OPTION(OPT_MAGIC_PID))

#define AF_INET			2
#define AF_INET6		10
#define ICMP_ECHO		8
#define ICMPV6_ECHO_REQUEST	128

/*
 * icmpcount.h's enum stat_index and STAT_KEY: the stats are elements of
 * counts under keys no process name can be, which the loader puts in.
 */
enum { STAT_DROPPED, STAT_CHECKSUM0, STAT_ID0, STAT_SEQ0, COUNTED = -1 };
#define STAT_KEY(i)	(((__u64)(i) + 1) << 8)

/*
 * Only the symbols matter: clang loads a map's address with an LD_IMM64
 * and a relocation, which bpf2h records by name and prog_clang.c points at
 * the map the loader created.  The fields say what each map is.
 */
struct map_def {
	__u32 type;
	__u32 key_size;
	__u32 value_size;
};

struct map_def counts SEC("maps") = {		/* comm -> IPv4 sends; stats */
	.type = BPF_MAP_TYPE_PERCPU_HASH,
	.key_size = 16,			/* TASK_COMM_LEN */
	.value_size = sizeof(__u64),
};

struct map_def counts6 SEC("maps") = {		/* comm -> IPv6 sends */
	.type = BPF_MAP_TYPE_PERCPU_HASH,
	.key_size = 16,
	.value_size = sizeof(__u64),
};

struct map_def pending SEC("maps") = {		/* -x: thread id -> family */
	.type = BPF_MAP_TYPE_LRU_HASH,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u32),
};

struct icmp_hdr {
	__u8 type;
	__u8 code;
	__u16 checksum;
	__u16 id;
	__u16 seq;
};

/* stat: counts[STAT_KEY(idx)] += 1, in this CPU's slot. */
INLINE void stat_add(int idx)
{
	__u64 key[2] = { STAT_KEY(idx), 0 }, *v;

	v = bpf_map_lookup_elem(&counts, key);
	if (v)
		*v += 1;
}

/*
 * count: one send to family, for the current process name.  A per-CPU hash
 * is exact without atomics: each CPU writes only its own slot, and BPF_ANY
 * on an element another CPU has just made sets this CPU's slot in it.  The
 * stack stores live here, past the filter, so that clang does not hoist
 * them to the start of the program, where every sendto() would pay.
 * Returns 0, or the error of an insert into a full map.
 */
INLINE long count_comm(__u32 family)
{
	__u64 key[2] = { 0, 0 }, one = 1, *v;	/* the helper may not pad */
	void *map = family == AF_INET ? &counts : &counts6;

	bpf_get_current_comm(key, sizeof(key));
	v = bpf_map_lookup_elem(map, key);
	if (v) {
		*v += 1;		/* per-CPU value: no atomics */
		return 0;
	}
	return bpf_map_update_elem(map, key, &one, BPF_ANY);
}

/*
 * -x: pending[tid] = family, for sendto_exit to count.  A thread's element
 * stays from its first counted send on, so later ones write it in place:
 * a lookup costs less than an update.
 */
INLINE void remember(__u32 family)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid(), *p;

	p = bpf_map_lookup_elem(&pending, &tid);
	if (p)
		*p = family;
	else
		bpf_map_update_elem(&pending, &tid, &family, BPF_ANY);
}

/*
 * The predicate and the order of prog_hand.c: argument checks first, with
 * no helper call; then one read of the 8-byte header, which is all that a
 * send that is not an echo request costs; then the address family.
 */
INLINE int enter(void *ctx, const int plain)
{
	const void *buff, *addr;
	struct icmp_hdr hdr;
	__u64 pid;
	__u16 sa_family;
	__u32 family;
	int reason;

	if (CTX_ARG(ctx, CTX_MAGIC_LEN) <= sizeof(hdr))
		return 0;
	buff = (const void *)(unsigned long)CTX_ARG(ctx, CTX_MAGIC_BUFF);
	if (!buff)
		return 0;
	addr = (const void *)(unsigned long)CTX_ARG(ctx, CTX_MAGIC_ADDR);
	if (!addr)
		return 0;

	/* The helper zeroes hdr and sa_family when it cannot read them. */
	bpf_probe_read_user(&hdr, sizeof(hdr), buff);
	if (hdr.code != 0)
		return 0;
	if (hdr.type == ICMP_ECHO)
		family = AF_INET;
	else if (IPV6 && hdr.type == ICMPV6_ECHO_REQUEST)
		family = AF_INET6;
	else
		return 0;
	bpf_probe_read_user(&sa_family, sizeof(sa_family), addr);
	if (sa_family != family)
		return 0;
	pid = PID;
	if (pid && bpf_get_current_pid_tgid() >> 32 != pid)
		return 0;

	/*
	 * prog_hand.c tests the family first: the same test, but written
	 * that way clang computes flags where this order gets a branch.
	 */
	if (!hdr.checksum && family == AF_INET)
		reason = STAT_CHECKSUM0;
	else if (!hdr.id)
		reason = STAT_ID0;
	else if (!hdr.seq)
		reason = STAT_SEQ0;
	else
		reason = COUNTED;
	if (reason != COUNTED && !ALL)
		goto stat;		/* an echo request not counted */
	if (EXIT) {
		remember(family);	/* -x: sendto_exit counts it */
		return 0;
	}
	if (!count_comm(family))
		return 0;
	reason = STAT_DROPPED;		/* the map is full */
stat:
	stat_add(reason);

	/* Non-zero would also emit a perf sample, which costs time. */
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_sendto")
int sendto_enter(void *ctx)
{
	return enter(ctx, 0);
}

SEC("tracepoint/syscalls/sys_enter_sendto/plain")
int sendto_plain(void *ctx)
{
	return enter(ctx, 1);
}

/* -x: count the sends sendto_enter remembered, if sendto() succeeded. */
SEC("tracepoint/syscalls/sys_exit_sendto")
int sendto_exit(void *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid(), family, *p;
	__u64 shift;
	__s64 ret;

	p = bpf_map_lookup_elem(&pending, &tid);
	if (!p)
		return 0;		/* not a thread that sent one */
	family = *p;
	if (!family)
		return 0;		/* not a send we counted */
	*p = 0;				/* taken: cheaper than a delete */
	/* Sign-extend ret from its width: 32 bits on 32-bit kernels. */
	shift = RET_SHIFT;
	ret = (__s64)(CTX_ARG(ctx, CTX_MAGIC_RET) << shift) >> shift;
	if (ret < 0)
		return 0;
	if (count_comm(family))
		stat_add(STAT_DROPPED);	/* the map is full */
	return 0;
}

/* The loader passes "GPL" too; bpf2h checks that the two agree. */
char _license[] SEC("license") = "GPL";
