/* SPDX-License-Identifier: GPL-2.0 */
/*
 * disasm.h - print BPF instructions the way llvm-objdump -d (LLVM 14) does,
 * so that a dump of the hand-assembled program can be diffed against the
 * disassembly of a clang-built object.  Needs only libc and <linux/bpf.h>.
 * tests/disasm_check.c compares the output with llvm-objdump itself.
 */
#ifndef ICMPCOUNT_DISASM_H
#define ICMPCOUNT_DISASM_H

#include <stddef.h>
#include <stdio.h>
#include <linux/bpf.h>

/* A buffer this long holds the longest text disasm_insn() writes. */
#define DISASM_TEXT_MAX	64

/*
 * Formats insns[i] (and insns[i+1] for an LD_IMM64, which takes two slots)
 * as llvm-objdump prints it, e.g. "r1 = *(u64 *)(r6 + 32)",
 * "if r1 > r7 goto +46", "call 112", "exit", "r1 = 0 ll".  Returns the
 * number of slots consumed (1 or 2).  Jumps show no "<LBB0_3>": objdump
 * names targets only from an object's symbols.  A map fd load is LLVM's
 * "ld_pseudo\tr1, 1, 3", tab included.  Needs i < cnt.
 */
int disasm_insn(const struct bpf_insn *insns, size_t i, size_t cnt,
		char *buf, size_t size);

/*
 * Prints one line per instruction, laid out as llvm-objdump -d lays it out:
 * the index, the raw bytes (16 for an LD_IMM64), then the text, e.g.
 * "       0:\tbf 16 00 00 00 00 00 00\tr6 = r1".
 */
void disasm_print(FILE *f, const struct bpf_insn *insns, size_t cnt);

/*
 * The same, with notes[i] (where not NULL) after instruction i as an
 * assembler comment, "# ...", which llvm-mc reads past.
 */
void disasm_print_notes(FILE *f, const struct bpf_insn *insns, size_t cnt,
			const char *const *notes);

#endif /* ICMPCOUNT_DISASM_H */
