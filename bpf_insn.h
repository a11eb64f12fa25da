/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bpf_insn.h - macros that build eBPF instructions as C initializers.
 *
 * Each macro expands to one struct bpf_insn compound literal listing all five
 * fields (code, dst_reg, src_reg, off, imm), so an instruction array reads as
 * the program it is.  Names and argument order are the kernel's own
 * (include/linux/filter.h, samples/bpf), so this file can be read side by side
 * with kernel code.  Only <linux/bpf.h> is needed.
 */
#ifndef ICMPCOUNT_BPF_INSN_H
#define ICMPCOUNT_BPF_INSN_H

#include <linux/bpf.h>

/* Old uapi headers lack these; the values are fixed by the kernel ABI. */
#ifndef BPF_JLT
#define BPF_JLT		0xa0
#endif
#ifndef BPF_JLE
#define BPF_JLE		0xb0
#endif
#ifndef BPF_JSLT
#define BPF_JSLT	0xc0
#endif
#ifndef BPF_JSLE
#define BPF_JSLE	0xd0
#endif
#ifndef BPF_ATOMIC
#define BPF_ATOMIC	0xc0
#endif
#ifndef BPF_PSEUDO_MAP_FD
#define BPF_PSEUDO_MAP_FD	1
#endif
#ifndef BPF_FUNC_probe_read_user
#define BPF_FUNC_probe_read_user	112
#endif
/* BPF_XADD was renamed BPF_ATOMIC in 5.12; keep the old name working. */
#ifndef BPF_XADD
#define BPF_XADD	BPF_ATOMIC
#endif

/*
 * NOLINTBEGIN(bugprone-macro-parentheses): every argument below is a whole
 * initializer, as in the kernel's filter.h, where parentheses change nothing.
 */

/* dst = dst OP src */
#define BPF_ALU64_REG(OP, DST, SRC)					\
	((struct bpf_insn) {						\
		.code  = BPF_ALU64 | BPF_OP(OP) | BPF_X,		\
		.dst_reg = DST,						\
		.src_reg = SRC,						\
		.off   = 0,						\
		.imm   = 0 })

/* dst = dst OP imm */
#define BPF_ALU64_IMM(OP, DST, IMM)					\
	((struct bpf_insn) {						\
		.code  = BPF_ALU64 | BPF_OP(OP) | BPF_K,		\
		.dst_reg = DST,						\
		.src_reg = 0,						\
		.off   = 0,						\
		.imm   = IMM })

/* (u32) dst = (u32) dst OP (u32) imm */
#define BPF_ALU32_IMM(OP, DST, IMM)					\
	((struct bpf_insn) {						\
		.code  = BPF_ALU | BPF_OP(OP) | BPF_K,			\
		.dst_reg = DST,						\
		.src_reg = 0,						\
		.off   = 0,						\
		.imm   = IMM })

/* dst = src */
#define BPF_MOV64_REG(DST, SRC)						\
	((struct bpf_insn) {						\
		.code  = BPF_ALU64 | BPF_MOV | BPF_X,			\
		.dst_reg = DST,						\
		.src_reg = SRC,						\
		.off   = 0,						\
		.imm   = 0 })

/* dst = imm (sign-extended to 64 bits) */
#define BPF_MOV64_IMM(DST, IMM)						\
	((struct bpf_insn) {						\
		.code  = BPF_ALU64 | BPF_MOV | BPF_K,			\
		.dst_reg = DST,						\
		.src_reg = 0,						\
		.off   = 0,						\
		.imm   = IMM })

/* (u32) dst = (u32) imm, upper half zeroed */
#define BPF_MOV32_IMM(DST, IMM)						\
	((struct bpf_insn) {						\
		.code  = BPF_ALU | BPF_MOV | BPF_K,			\
		.dst_reg = DST,						\
		.src_reg = 0,						\
		.off   = 0,						\
		.imm   = IMM })

/*
 * dst = imm64.  The LD_IMM64 forms take two instruction slots: the second
 * carries the upper 32 bits in its imm and is otherwise zero.
 */
#define BPF_LD_IMM64(DST, IMM)						\
	BPF_LD_IMM64_RAW(DST, 0, IMM)

#define BPF_LD_IMM64_RAW(DST, SRC, IMM)					\
	((struct bpf_insn) {						\
		.code  = BPF_LD | BPF_DW | BPF_IMM,			\
		.dst_reg = DST,						\
		.src_reg = SRC,						\
		.off   = 0,						\
		.imm   = (__u32) (IMM) }),				\
	((struct bpf_insn) {						\
		.code  = 0,						\
		.dst_reg = 0,						\
		.src_reg = 0,						\
		.off   = 0,						\
		.imm   = ((__u64) (IMM)) >> 32 })

/* dst = map (the kernel swaps the fd for the map's address at load time) */
#define BPF_LD_MAP_FD(DST, MAP_FD)					\
	BPF_LD_IMM64_RAW(DST, BPF_PSEUDO_MAP_FD, MAP_FD)

/* dst = *(size *)(src + off) */
#define BPF_LDX_MEM(SIZE, DST, SRC, OFF)				\
	((struct bpf_insn) {						\
		.code  = BPF_LDX | BPF_SIZE(SIZE) | BPF_MEM,		\
		.dst_reg = DST,						\
		.src_reg = SRC,						\
		.off   = OFF,						\
		.imm   = 0 })

/* *(size *)(dst + off) = src */
#define BPF_STX_MEM(SIZE, DST, SRC, OFF)				\
	((struct bpf_insn) {						\
		.code  = BPF_STX | BPF_SIZE(SIZE) | BPF_MEM,		\
		.dst_reg = DST,						\
		.src_reg = SRC,						\
		.off   = OFF,						\
		.imm   = 0 })

/* *(size *)(dst + off) = imm */
#define BPF_ST_MEM(SIZE, DST, OFF, IMM)					\
	((struct bpf_insn) {						\
		.code  = BPF_ST | BPF_SIZE(SIZE) | BPF_MEM,		\
		.dst_reg = DST,						\
		.src_reg = 0,						\
		.off   = OFF,						\
		.imm   = IMM })

/* atomically: *(size *)(dst + off) OP= src (OP is BPF_ADD, BPF_OR, ...) */
#define BPF_ATOMIC_OP(SIZE, OP, DST, SRC, OFF)				\
	((struct bpf_insn) {						\
		.code  = BPF_STX | BPF_SIZE(SIZE) | BPF_ATOMIC,		\
		.dst_reg = DST,						\
		.src_reg = SRC,						\
		.off   = OFF,						\
		.imm   = OP })

/* if (dst OP src) goto pc + off */
#define BPF_JMP_REG(OP, DST, SRC, OFF)					\
	((struct bpf_insn) {						\
		.code  = BPF_JMP | BPF_OP(OP) | BPF_X,			\
		.dst_reg = DST,						\
		.src_reg = SRC,						\
		.off   = OFF,						\
		.imm   = 0 })

/* if (dst OP imm) goto pc + off */
#define BPF_JMP_IMM(OP, DST, IMM, OFF)					\
	((struct bpf_insn) {						\
		.code  = BPF_JMP | BPF_OP(OP) | BPF_K,			\
		.dst_reg = DST,						\
		.src_reg = 0,						\
		.off   = OFF,						\
		.imm   = IMM })

/* goto pc + off */
#define BPF_JMP_A(OFF)							\
	((struct bpf_insn) {						\
		.code  = BPF_JMP | BPF_JA,				\
		.dst_reg = 0,						\
		.src_reg = 0,						\
		.off   = OFF,						\
		.imm   = 0 })

/* r0 = helper(r1, ..., r5) */
#define BPF_EMIT_CALL(FUNC)						\
	((struct bpf_insn) {						\
		.code  = BPF_JMP | BPF_CALL,				\
		.dst_reg = 0,						\
		.src_reg = 0,						\
		.off   = 0,						\
		.imm   = FUNC })

/* return r0 */
#define BPF_EXIT_INSN()							\
	((struct bpf_insn) {						\
		.code  = BPF_JMP | BPF_EXIT,				\
		.dst_reg = 0,						\
		.src_reg = 0,						\
		.off   = 0,						\
		.imm   = 0 })

/* NOLINTEND(bugprone-macro-parentheses) */

#endif /* ICMPCOUNT_BPF_INSN_H */
