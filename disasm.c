// SPDX-License-Identifier: GPL-2.0
/*
 * disasm.c - BPF instructions as text, in the syntax of llvm-objdump -d
 * from LLVM 14.  One switch on the instruction class picks a format, and two
 * small tables give the operator of each ALU and jump opcode.  Encodings
 * LLVM 14 refuses print as its "<unknown>".  Limits: LLVM 14 cannot decode
 * BPF_ST stores, BPF_MOD or BPF_JSET, and decodes the 32-bit atomics other
 * than add only with -mattr=+alu32; for these we print what later LLVMs and
 * that option print, since "<unknown>" would hide our own program's stores.
 */
#include <stdio.h>
#include <linux/bpf.h>

#include "disasm.h"

/* Old uapi headers lack these; the values are fixed by the kernel ABI. */
#ifndef BPF_JMP32
#define BPF_JMP32	0x06
#endif
#ifndef BPF_ATOMIC
#define BPF_ATOMIC	0xc0
#endif
#ifndef BPF_FETCH
#define BPF_FETCH	0x01
#endif
#ifndef BPF_XCHG
#define BPF_XCHG	(0xe0 | BPF_FETCH)
#endif
#ifndef BPF_CMPXCHG
#define BPF_CMPXCHG	(0xf0 | BPF_FETCH)
#endif

/* LLVM knows r0-r11 (r11 is the verifier's scratch register) and no more. */
#define REG_MAX		11

/*
 * Operators by BPF_OP() >> 4.  "" marks an op with a format of its own
 * (neg, end; ja, call, exit) or no op at all; MOD and JSET are here though
 * LLVM 14 lacks them (see above).  BPF_ADD, BPF_OR, BPF_AND and BPF_XOR
 * double as the atomic op codes, so "lock ... op= reg" takes its operator
 * from here too.
 */
static const char alu_ops[16][5] = {
	"+=", "-=", "*=", "/=", "|=", "&=", "<<=", ">>=",
	"", "%=", "^=", "=", "s>>=", "", "", ""
};
static const char jmp_ops[16][4] = {
	"", "==", ">", ">=", "&", "!=", "s>", "s>=",
	"", "", "<", "<=", "s<", "s<=", "", ""
};

/* By BPF_SIZE() >> 3: BPF_W, BPF_H, BPF_B, BPF_DW. */
static const char sizes[4][4] = { "u32", "u16", "u8", "u64" };

/* The atomic read-modify-write ops LLVM 14 knows, by imm >> 4. */
static const char *atomic_name(unsigned int op)
{
	switch (op) {
	case BPF_ADD >> 4:
		return "add";
	case BPF_OR >> 4:
		return "or";
	case BPF_AND >> 4:
		return "and";
	case BPF_XOR >> 4:
		return "xor";
	}
	return NULL;
}

/*
 * The decoder matches only the low byte of an atomic's imm, as LLVM 14's
 * does: exactly BPF_FETCH | op for the fetching forms, and just op (the high
 * nibble) for the plain ones, so imm 0x03 is still "lock ... +=".
 */
static int print_atomic(char *buf, size_t size, const struct bpf_insn *in)
{
	unsigned int dst = in->dst_reg, src = in->src_reg;
	unsigned int low = in->imm & 0xff, op = low >> 4;
	int is32 = BPF_SIZE(in->code) == BPF_W;
	char w = is32 ? 'w' : 'r', sign = in->off < 0 ? '-' : '+';
	int off = in->off < 0 ? -in->off : in->off;
	const char *name = atomic_name(op);

	if (low == BPF_XCHG)
		return snprintf(buf, size, "%c%u = xchg%s_%s(r%u %c %d, %c%u)",
				w, src, is32 ? "32" : "", is32 ? "32" : "64",
				dst, sign, off, w, src);
	if (low == BPF_CMPXCHG)
		return snprintf(buf, size,
				"%c0 = cmpxchg%s_%s(r%u %c %d, %c0, %c%u)",
				w, is32 ? "32" : "", is32 ? "32" : "64",
				dst, sign, off, w, w, src);
	if (!name)
		return -1;
	if ((low & 0x0f) == BPF_FETCH)
		return snprintf(buf, size,
				"%c%u = atomic_fetch_%s((%s *)(r%u %c %d), "
				"%c%u)", w, src, name, is32 ? "u32" : "u64",
				dst, sign, off, w, src);
	/* Plain objdump decodes the 32-bit add alone, naming an r register. */
	if (op == BPF_ADD >> 4)
		w = 'r';
	return snprintf(buf, size, "lock *(%s *)(r%u %c %d) %s %c%u",
			is32 ? "u32" : "u64", dst, sign, off, alu_ops[op],
			w, src);
}

int disasm_insn(const struct bpf_insn *insns, size_t i, size_t cnt,
		char *buf, size_t size)
{
	const struct bpf_insn *in = &insns[i];
	unsigned int code, op, dst, src;
	const char *sz;
	char w = 'r', sign;
	int imm, off;
	unsigned long long imm64;

	if (i >= cnt) {
		if (size)
			buf[0] = '\0';
		return 1;
	}
	code = in->code;
	op = BPF_OP(code) >> 4;
	dst = in->dst_reg;
	src = in->src_reg;
	sz = sizes[BPF_SIZE(code) >> 3];
	imm = in->imm;
	/* Memory operands print as "(r1 - 8)", never "(r1 + -8)". */
	sign = in->off < 0 ? '-' : '+';
	off = in->off < 0 ? -in->off : in->off;

	switch (BPF_CLASS(code)) {
	case BPF_ALU:
		w = 'w';
		/* Byte swaps name the 64-bit register, as LLVM does. */
		if (op == BPF_END >> 4) {
			if (dst > REG_MAX ||
			    (imm != 16 && imm != 32 && imm != 64))
				break;
			snprintf(buf, size, "r%u = %s%d r%u", dst,
				 BPF_SRC(code) == BPF_TO_BE ? "be" : "le",
				 imm, dst);
			return 1;
		}
		/* fall through */
	case BPF_ALU64:
		if (dst > REG_MAX)
			break;
		if (op == BPF_NEG >> 4) {
			if (BPF_SRC(code) != BPF_K)
				break;
			snprintf(buf, size, "%c%u = -%c%u", w, dst, w, dst);
			return 1;
		}
		if (!alu_ops[op][0])
			break;
		if (BPF_SRC(code) == BPF_K)
			snprintf(buf, size, "%c%u %s %d", w, dst, alu_ops[op],
				 imm);
		else if (src <= REG_MAX)
			snprintf(buf, size, "%c%u %s %c%u", w, dst, alu_ops[op],
				 w, src);
		else
			break;
		return 1;
	case BPF_JMP32:
		/* ja, call and exit have no 32-bit forms: jmp_ops[] has "". */
		w = 'w';
		/* fall through */
	case BPF_JMP:
		if (code == (BPF_JMP | BPF_JA)) {
			snprintf(buf, size, "goto %+d", in->off);
			return 1;
		}
		if (code == (BPF_JMP | BPF_CALL)) {
			snprintf(buf, size, "call %d", imm);
			return 1;
		}
		/* LLVM 14 puts callx's register in imm. */
		if (code == (BPF_JMP | BPF_CALL | BPF_X)) {
			if ((unsigned int)imm > REG_MAX)
				break;
			snprintf(buf, size, "callx r%d", imm);
			return 1;
		}
		if (code == (BPF_JMP | BPF_EXIT)) {
			if (imm)
				break;
			snprintf(buf, size, "exit");
			return 1;
		}
		if (!jmp_ops[op][0] || dst > REG_MAX)
			break;
		if (BPF_SRC(code) == BPF_K)
			snprintf(buf, size, "if %c%u %s %d goto %+d", w, dst,
				 jmp_ops[op], imm, in->off);
		else if (src <= REG_MAX)
			snprintf(buf, size, "if %c%u %s %c%u goto %+d", w, dst,
				 jmp_ops[op], w, src, in->off);
		else
			break;
		return 1;
	case BPF_LD:
		/*
		 * LD_IMM64 takes the next slot's imm as its upper half and
		 * ignores the rest of that slot.  A pseudo source (a map fd,
		 * say) prints as LLVM's ld_pseudo, low half only, as objdump
		 * does.
		 */
		if (code == (BPF_LD | BPF_IMM | BPF_DW)) {
			if (dst > REG_MAX || in->off || i + 1 >= cnt)
				break;
			imm64 = (__u32)insns[i + 1].imm;
			imm64 = imm64 << 32 | (__u32)imm;
			if (src)
				snprintf(buf, size, "ld_pseudo\tr%u, %u, %u",
					 dst, src, (__u32)imm);
			else
				snprintf(buf, size, "r%u = %lld ll", dst,
					 (long long)imm64);
			return 2;
		}
		if (BPF_SIZE(code) == BPF_DW)
			break;
		if (BPF_MODE(code) == BPF_ABS) {
			snprintf(buf, size, "r0 = *(%s *)skb[%d]", sz, imm);
			return 1;
		}
		if (BPF_MODE(code) != BPF_IND || src > REG_MAX)
			break;
		snprintf(buf, size, "r0 = *(%s *)skb[r%u]", sz, src);
		return 1;
	case BPF_LDX:
		if (BPF_MODE(code) != BPF_MEM ||
		    dst > REG_MAX || src > REG_MAX)
			break;
		snprintf(buf, size, "r%u = *(%s *)(r%u %c %d)", dst, sz, src,
			 sign, off);
		return 1;
	case BPF_ST:
		/* Not in LLVM 14; this is the syntax of LLVM 18 and later. */
		if (BPF_MODE(code) != BPF_MEM || dst > REG_MAX)
			break;
		snprintf(buf, size, "*(%s *)(r%u %c %d) = %d", sz, dst, sign,
			 off, imm);
		return 1;
	case BPF_STX:
		if (dst > REG_MAX || src > REG_MAX)
			break;
		if (BPF_MODE(code) == BPF_MEM) {
			snprintf(buf, size, "*(%s *)(r%u %c %d) = r%u", sz, dst,
				 sign, off, src);
			return 1;
		}
		if (BPF_MODE(code) != BPF_ATOMIC ||
		    (BPF_SIZE(code) != BPF_W && BPF_SIZE(code) != BPF_DW) ||
		    print_atomic(buf, size, in) < 0)
			break;
		return 1;
	}
	snprintf(buf, size, "<unknown>");
	return 1;
}

void disasm_print_notes(FILE *f, const struct bpf_insn *insns, size_t cnt,
			const char *const *notes)
{
	char text[DISASM_TEXT_MAX];
	const unsigned char *p;
	size_t i, k, n;

	for (i = 0; i < cnt; i += n) {
		n = (size_t)disasm_insn(insns, i, cnt, text, sizeof(text));
		/* The bytes as they sit in memory: what objdump shows. */
		p = (const unsigned char *)&insns[i];
		fprintf(f, "%8zu:\t", i);
		for (k = 0; k < n * sizeof(*insns); k++)
			fprintf(f, k ? " %02x" : "%02x", p[k]);
		if (notes && notes[i])
			fprintf(f, "\t%-24s # %s\n", text, notes[i]);
		else
			fprintf(f, "\t%s\n", text);
	}
}

void disasm_print(FILE *f, const struct bpf_insn *insns, size_t cnt)
{
	disasm_print_notes(f, insns, cnt, NULL);
}
