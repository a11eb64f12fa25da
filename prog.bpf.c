// SPDX-License-Identifier: GPL-2.0
/*
 * prog.bpf.c - the entry program of prog_hand.c, without its options, in C.
 *
 * Build with clang -g -O2 -target bpf -mcpu=v1 -c, then llvm-strip -g:
 * v1 is the instruction set of the first kernels with BPF tracepoint
 * programs (4.7); v2 (4.14) and v3 (5.1) would save one instruction.
 * tools/bpf2h makes the object build/prog_clang.h; prog_clang.c patches in
 * what only the running kernel tells: the arguments' offsets and widths,
 * the map fd, the helper that reads user memory.  No libbpf here.
 */
#include <linux/types.h>
#include <linux/bpf.h>

#define SEC(name)	__attribute__((section(name), used))

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
 * the code still means what it says.
 */
#define CTX_MAGIC_BUFF	0x7ff8
#define CTX_MAGIC_LEN	0x7ff0
#define CTX_MAGIC_ADDR	0x7fe8
#define CTX_ARG(ctx, magic)						\
	(*(const volatile __u64 *)((const char *)(ctx) + (magic)))

#define AF_INET		2
#define ICMP_ECHO	8

/*
 * Only the symbol matters: clang loads its address with an LD_IMM64 and a
 * relocation, which bpf2h records and prog_clang.c points at the map the
 * loader created.  The fields say what that map is, for the reader.
 */
struct map_def {
	__u32 type;
	__u32 key_size;
	__u32 value_size;
};

struct map_def counts SEC("maps") = {
	.type = BPF_MAP_TYPE_PERCPU_HASH,
	.key_size = 16,			/* TASK_COMM_LEN */
	.value_size = sizeof(__u64),
};

struct icmp_hdr {
	__u8 type;
	__u8 code;
	__u16 checksum;
	__u16 id;
	__u16 seq;
};

/*
 * Count one send for the current process name.  Its stack stores live
 * here, past the filter, so that clang does not hoist them to the start of
 * the program, where every sendto() would pay for them.
 */
static inline __attribute__((always_inline)) void count_comm(void)
{
	__u64 key[2] = { 0, 0 }, one = 1, *count;

	bpf_get_current_comm(key, sizeof(key));
	count = bpf_map_lookup_elem(&counts, key);
	if (count)
		*count += 1;	/* per-CPU value: no atomics */
	else
		bpf_map_update_elem(&counts, key, &one, BPF_ANY);
}

/*
 * The predicate and the order of prog_hand.c: cheap argument checks first,
 * then one read of the 8-byte header, then the address family.  The
 * 16-bit test of type and code is the same test as two byte compares, and
 * lets clang use one load and one jump for both.
 */
SEC("tracepoint/syscalls/sys_enter_sendto")
int sendto_count(void *ctx)
{
	const void *buff, *addr;
	struct icmp_hdr hdr;
	__u16 family;
	__u64 len;

	len = CTX_ARG(ctx, CTX_MAGIC_LEN);
	if (len <= sizeof(hdr))
		return 0;
	buff = (const void *)(unsigned long)CTX_ARG(ctx, CTX_MAGIC_BUFF);
	if (!buff)
		return 0;
	addr = (const void *)(unsigned long)CTX_ARG(ctx, CTX_MAGIC_ADDR);
	if (!addr)
		return 0;

	/* The helper zeroes hdr and family when it cannot read them. */
	bpf_probe_read_user(&hdr, sizeof(hdr), buff);
	if ((hdr.type | hdr.code << 8) != ICMP_ECHO ||
	    !hdr.checksum || !hdr.id || !hdr.seq)
		return 0;
	bpf_probe_read_user(&family, sizeof(family), addr);
	if (family != AF_INET)
		return 0;
	count_comm();

	/* Non-zero would also emit a perf sample, which costs time. */
	return 0;
}

/* The loader passes "GPL" too; bpf2h checks that the two agree. */
char _license[] SEC("license") = "GPL";
