/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bpfelf.h - take one program out of a BPF object file (clang -target bpf),
 * without libelf: its instructions, and the LD_IMM64 instructions that load
 * the address of one of its maps, each named.  The object is untrusted
 * bytes; see bpfelf.c.
 */
#ifndef ICMPCOUNT_BPFELF_H
#define ICMPCOUNT_BPFELF_H

#include <stddef.h>
#include <linux/bpf.h>

#define BPFELF_MAX_MAP_REFS	32	/* map references we accept */

/* The LD_IMM64 at slot insn loads the address of map number map. */
struct bpfelf_map_ref {
	size_t insn;
	size_t map;			/* an index into the caller's names */
};

struct bpfelf_prog {
	size_t insn_cnt;		/* instruction slots copied out */
	size_t map_cnt;
	struct bpfelf_map_ref map_refs[BPFELF_MAX_MAP_REFS]; /* ascending insn */
	const char *license;		/* into the buffer; NULL if none */
};

/*
 * Copies the instructions of the section named sec into insns (at most max
 * slots) and fills prog.  Every relocation of the section must load the
 * address of a symbol named in maps (nmaps distinct names), defined in a
 * "maps" or ".maps" section.  Returns 0, or -1 with errno set (EINVAL, or
 * E2BIG when the program is longer than max) and *why saying what is wrong
 * with the object, or with the names.
 */
int bpfelf_read_prog(const void *buf, size_t len, const char *sec,
		     const char *const *maps, size_t nmaps,
		     struct bpf_insn *insns, size_t max,
		     struct bpfelf_prog *prog, const char **why);

#endif /* ICMPCOUNT_BPFELF_H */
