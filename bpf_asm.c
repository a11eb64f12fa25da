// SPDX-License-Identifier: GPL-2.0
/* bpf_asm.c - the small assembler of bpf_asm.h. */
#include <errno.h>

#include "bpf_asm.h"
#include "bpf_insn.h"

#define NOP	BPF_JMP_A(0)

void asm_init(struct asm_prog *p, struct bpf_insn *insns, size_t max)
{
	size_t i;

	p->insns = insns;
	p->n = 0;
	p->max = max;
	p->njumps = 0;
	p->bad = 0;
	for (i = 0; i < ASM_MAX_LABELS; i++)
		p->at[i] = -1;
}

void emit(struct asm_prog *p, struct bpf_insn insn)
{
	if (p->n < p->max)
		p->insns[p->n] = insn;
	else
		p->bad = 1;
	p->n++;
}

void opt(struct asm_prog *p, int on, struct bpf_insn insn)
{
	emit(p, on ? insn : NOP);
}

/* A jump to a label; an option's jump that is off is a no-op like any. */
void opt_jump(struct asm_prog *p, int on, struct bpf_insn insn, int to)
{
	if (on && p->njumps < ASM_MAX_JUMPS && to >= 0 &&
	    to < ASM_MAX_LABELS) {
		p->jumps[p->njumps].insn = p->n;
		p->jumps[p->njumps++].to = to;
	} else if (on) {
		p->bad = 1;
	}
	opt(p, on, insn);
}

void jump(struct asm_prog *p, struct bpf_insn insn, int to)
{
	opt_jump(p, 1, insn, to);
}

/* A map's fd in a register: two slots, the fd in the first. */
void opt_ld_map_fd(struct asm_prog *p, int on, int reg, int fd)
{
	const struct bpf_insn ld[] = { BPF_LD_MAP_FD(reg, fd) };

	opt(p, on, ld[0]);
	opt(p, on, ld[1]);
}

void ld_map_fd(struct asm_prog *p, int reg, int fd)
{
	opt_ld_map_fd(p, 1, reg, fd);
}

void place(struct asm_prog *p, int label)
{
	if (label >= 0 && label < ASM_MAX_LABELS)
		p->at[label] = (int)p->n;
	else
		p->bad = 1;
}

size_t finish(struct asm_prog *p)
{
	size_t i;

	for (i = 0; i < p->njumps && !p->bad; i++) {
		int to = p->at[p->jumps[i].to];

		if (to < 0)
			p->bad = 1;
		else
			p->insns[p->jumps[i].insn].off =
				(__s16)(to - (int)p->jumps[i].insn - 1);
	}
	if (p->bad) {
		errno = E2BIG;
		return 0;
	}
	return p->n;
}
