// SPDX-License-Identifier: GPL-2.0
/*
 * kinds.bpf.c - a BPF object holding as many kinds of instruction as clang
 * emits, for tests/disasm_check: ALU and ALU32 with register and immediate
 * operands, every jump condition, loads and stores of each size, byte swaps,
 * atomics, helper and bpf-to-bpf calls, LD_ABS/LD_IND, 64-bit immediates and
 * a map reference.  It is never loaded, so it need not pass the verifier.
 * Build it with -DHAVE_ALU32 for -mcpu=v3: 32-bit atomics need alu32.
 */
/* No system headers: they would need the host's asm/ directory. */
typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef int s32;
typedef unsigned long long u64;
typedef long long s64;

#define SEC(name)	__attribute__((section(name), used))
#define noinline	__attribute__((noinline))

/* The old "maps" section layout (struct bpf_map_def), so no libbpf. */
struct map_def {
	unsigned int type, key_size, value_size, max_entries, map_flags;
};
struct map_def counts SEC("maps") = {
	.type = 1, .key_size = 16, .value_size = 8, .max_entries = 64,
};

static long (*bpf_map_lookup_elem)(void *map, const void *key) = (void *) 1;
static long (*bpf_map_update_elem)(void *map, const void *key,
				   const void *value, u64 flags) = (void *) 2;
static u64 (*bpf_ktime_get_ns)(void) = (void *) 5;
static long (*bpf_get_current_comm)(void *buf, u32 size) = (void *) 16;
static long (*bpf_probe_read_user)(void *dst, u32 size,
				   const void *src) = (void *) 112;

/* The classic packet loads, BPF_LD | BPF_ABS and BPF_LD | BPF_IND. */
unsigned long long load_byte(void *skb, unsigned long long off)
	asm("llvm.bpf.load.byte");
unsigned long long load_half(void *skb, unsigned long long off)
	asm("llvm.bpf.load.half");
unsigned long long load_word(void *skb, unsigned long long off)
	asm("llvm.bpf.load.word");

/* Fields of every size, signed and unsigned, to read and write. */
struct ctx {
	u64 u64a, u64b;
	s64 s64a, s64b;
	u32 u32a, u32b;
	s32 s32a, s32b;
	u16 u16a, u16b;
	u8 u8a, u8b;
	u64 ptr;
	u64 out[16];
	u32 out32[16];
	u16 out16[4];
	u8 out8[4];
};

/* A bpf-to-bpf call: clang emits "call -1" and a relocation. */
static noinline u64 mix(u64 a, u64 b)
{
	return (a ^ (b >> 3)) * 0x9e3779b1;
}

SEC("tracepoint/alu64")
int alu64(struct ctx *c)
{
	u64 a = c->u64a, b = c->u64b;
	s64 s = c->s64a;

	c->out[0] = a + b;
	c->out[1] = a - b;
	c->out[2] = a * b;
	c->out[3] = a / b;
	c->out[4] = a | b;
	c->out[5] = a & b;
	c->out[6] = a << (b & 63);
	c->out[7] = a >> (b & 63);
	c->out[8] = s >> (b & 63);
	c->out[9] = a ^ b;
	c->out[10] = -a;
	c->out[11] = (a + 7) * 13 / 5 - 1000;
	c->out[12] = ((a | 0x70) & 0xff0) ^ 0x55;
	c->out[13] = (a << 3) + (a >> 7) + (s >> 9);
	c->out[14] = 0x123456789abcdef0ULL + a;
	c->out[15] = -0x7fffffffffffffffLL - a + mix(a, b);
	return 0;
}

SEC("tracepoint/alu32")
int alu32(struct ctx *c)
{
	u32 a = c->u32a, b = c->u32b;
	s32 s = c->s32a;

	c->out32[0] = a + b;
	c->out32[1] = a - b * 3;
	c->out32[2] = a * b + 0x12345;
	c->out32[3] = a / b + a / 7;
	c->out32[4] = (a | b) ^ (a & 0xf0f0);
	c->out32[5] = (a << (b & 31)) + (a >> 5);
	c->out32[6] = (s >> (b & 31)) - (s >> 3);
	c->out32[7] = -a + (a & b) - (a ^ 99);
	c->out32[8] = (a | 0x80000000) - 0x7fffffff;
	return 0;
}

SEC("tracepoint/mem")
int mem(struct ctx *c)
{
	char buf[32];

	c->out8[0] = c->u8a;
	c->out8[1] = c->u8b + 1;
	c->out16[0] = c->u16a;
	c->out16[1] = c->u16b + 2;
	c->out32[0] = c->u32a;
	c->out[0] = c->u64a;
	c->out[1] = c->s64a;
	c->out[2] = (s64)c->s32a;
	c->out[3] = (u64)c->u16a << 40 | c->u8b;
	c->out16[2] = __builtin_bswap16(c->u16a);
	c->out32[1] = __builtin_bswap32(c->u32a);
	c->out[4] = __builtin_bswap64(c->u64a);
	/* Stack slots at negative offsets from r10. */
	__builtin_memset(buf, 0, sizeof(buf));
	buf[3] = c->u8a;
	*(u16 *)&buf[6] = c->u16a;
	*(u32 *)&buf[12] = c->u32b;
	bpf_probe_read_user(buf, sizeof(buf), (void *)c->ptr);
	c->out[5] = *(u64 *)&buf[16] + buf[1] + *(u16 *)&buf[2];
	return 0;
}

/* Conditional stores keep each comparison a branch of its own. */
SEC("tracepoint/jmp64")
int jmp64(struct ctx *c)
{
	u64 a = c->u64a, b = c->u64b;
	s64 s = c->s64a, t = c->s64b;

	if (a == b)
		c->out[0] = 1;
	if (a != b + 1)
		c->out[1] = 2;
	if (a > b)
		c->out[2] = 3;
	if (a >= t)
		c->out[3] = 4;
	if (a < (u64)s)
		c->out[4] = 5;
	if (a <= (u64)t)
		c->out[5] = 6;
	if (s > t)
		c->out[6] = 7;
	if (s >= (s64)b)
		c->out[7] = 8;
	if (s < t)
		c->out[8] = 9;
	if (s <= (s64)a)
		c->out[9] = 10;
	if (a == 17)
		c->out[10] = 11;
	if (b != 0x7fffffff)
		c->out[11] = 12;
	if (a > 1000)
		c->out[12] = 13;
	if (b < 4000)
		c->out[13] = 14;
	if (s > -5)
		c->out[14] = 15;
	if (t < -100)
		c->out[15] = 16;
	if (s >= 0)
		c->out32[0] = 17;
	if (t <= -2147483647 - 1)
		c->out32[1] = 18;
	if (b >= 0x1000)
		c->out32[2] = 19;
	if (a <= 0x2000)
		c->out32[3] = 20;
	return 0;
}

SEC("tracepoint/jmp32")
int jmp32(struct ctx *c)
{
	u32 a = c->u32a, b = c->u32b;
	s32 s = c->s32a, t = c->s32b;

	if (a == b)
		c->out[0] = 1;
	if (a != b + 1)
		c->out[1] = 2;
	if (a > b)
		c->out[2] = 3;
	if (a >= (u32)t)
		c->out[3] = 4;
	if (a < (u32)s)
		c->out[4] = 5;
	if (a <= (u32)t)
		c->out[5] = 6;
	if (s > t)
		c->out[6] = 7;
	if (s >= (s32)b)
		c->out[7] = 8;
	if (s < t)
		c->out[8] = 9;
	if (s <= (s32)a)
		c->out[9] = 10;
	if (a == 17)
		c->out[10] = 11;
	if (b != 0x7fffffff)
		c->out[11] = 12;
	if (a > 1000)
		c->out[12] = 13;
	if (b < 4000)
		c->out[13] = 14;
	if (s > -5)
		c->out[14] = 15;
	if (t < -100)
		c->out[15] = 16;
	if (s >= 0)
		c->out32[0] = 17;
	if (t <= -2147483647 - 1)
		c->out32[1] = 18;
	return 0;
}

SEC("tracepoint/atomics")
int atomics(struct ctx *c)
{
	u64 a = c->u64a, *p = c->out;
	u32 b = c->u32a, *q = c->out32;

	/* Results unused: "lock ... +=", the only form before v3. */
	__sync_fetch_and_add(p, a);
	__sync_fetch_and_add(&p[1], 1);
	__sync_fetch_and_add(q, b);
#ifdef HAVE_ALU32
	__sync_fetch_and_or(&p[2], a);
	__sync_fetch_and_and(&p[3], a);
	__sync_fetch_and_xor(&p[4], a);
	p[5] = __sync_fetch_and_add(&p[6], a);
	p[7] = __sync_fetch_and_or(&p[8], a);
	p[9] = __sync_fetch_and_and(&p[10], a);
	p[11] = __sync_fetch_and_xor(&p[12], a);
	p[13] = __sync_lock_test_and_set(&p[14], a);
	p[15] = __sync_val_compare_and_swap(&p[0], a, p[1]);
	__sync_fetch_and_or(&q[1], b);
	__sync_fetch_and_and(&q[2], b);
	__sync_fetch_and_xor(&q[3], b);
	q[4] = __sync_fetch_and_add(&q[5], b);
	q[6] = __sync_fetch_and_or(&q[7], b);
	q[8] = __sync_fetch_and_and(&q[9], b);
	q[10] = __sync_fetch_and_xor(&q[11], b);
	q[12] = __sync_lock_test_and_set(&q[13], b);
	q[14] = __sync_val_compare_and_swap(&q[15], b, q[0]);
#endif
	return 0;
}

/* The loader's program, as C: helper calls and a map reference. */
SEC("tracepoint/syscalls/sys_enter_sendto")
int sendto(struct ctx *c)
{
	struct {
		u8 type, code;
		u16 checksum, id, seq;
	} hdr;
	char key[16] = {};
	u64 one = 1, *val;

	if (bpf_probe_read_user(&hdr, sizeof(hdr), (void *)c->ptr))
		return 0;
	if (hdr.type != 8 || hdr.code != 0 || !hdr.checksum)
		return 0;
	bpf_get_current_comm(key, sizeof(key));
	val = (u64 *)bpf_map_lookup_elem(&counts, key);
	if (val)
		*val += 1;
	else
		bpf_map_update_elem(&counts, key, &one, 0);
	c->out[0] = bpf_ktime_get_ns();
	return 0;
}

SEC("socket")
int sock(void *skb)
{
	unsigned long long ihl = (load_byte(skb, 14) & 0xf) * 4;

	return load_half(skb, 12) + load_word(skb, 26) +
	       load_byte(skb, ihl + 14) + load_half(skb, ihl + 16) +
	       load_word(skb, ihl + 20);
}
