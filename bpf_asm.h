/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bpf_asm.h - a small assembler for bpf_insn.h's instructions.  A program
 * is a run of emit() calls; a jump names a label (a small number the
 * caller chooses), place() puts a label at the next instruction, and
 * finish() writes each jump's offset, counted from the instruction after
 * it, once every label is placed.  So no offset or index is typed by hand,
 * and moving an instruction moves the labels after it.
 *
 * The options of a program cost nothing when they are off: an instruction
 * that serves only an option is emitted with opt(), as itself when the
 * option is on and otherwise as "goto +0", a no-op that the verifier
 * removes before the program runs (5.1 and later, for a privileged
 * loader; older kernels run it, and it costs next to nothing).  A skip
 * over the code would not do: the verifier refuses a program with an
 * instruction no path can reach.  So what the kernel runs has no trace of
 * an option that is off: bpftool prog dump xlated shows it.
 */
#ifndef ICMPCOUNT_BPF_ASM_H
#define ICMPCOUNT_BPF_ASM_H

#include <stddef.h>
#include <linux/bpf.h>

#define ASM_MAX_LABELS	16
#define ASM_MAX_JUMPS	48

struct asm_prog {
	struct bpf_insn *insns;
	size_t n, max;
	int at[ASM_MAX_LABELS];		/* each label's index; -1: unplaced */
	struct {
		size_t insn;
		int to;
	} jumps[ASM_MAX_JUMPS];
	size_t njumps;
	int bad;			/* out of room, or a label unplaced */
};

void asm_init(struct asm_prog *p, struct bpf_insn *insns, size_t max);
void emit(struct asm_prog *p, struct bpf_insn insn);
void opt(struct asm_prog *p, int on, struct bpf_insn insn);
void jump(struct asm_prog *p, struct bpf_insn insn, int to);
void opt_jump(struct asm_prog *p, int on, struct bpf_insn insn, int to);
void ld_map_fd(struct asm_prog *p, int reg, int fd);
void opt_ld_map_fd(struct asm_prog *p, int on, int reg, int fd);
void place(struct asm_prog *p, int label);
/* The number of instructions, or 0 with errno E2BIG. */
size_t finish(struct asm_prog *p);

#endif /* ICMPCOUNT_BPF_ASM_H */
