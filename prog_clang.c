// SPDX-License-Identifier: GPL-2.0
/*
 * prog_clang.c - the BPF program of prog.bpf.c, as clang compiled it.
 *
 * tools/bpf2h turns build/prog.bpf.o into build/prog_clang.h, an array of
 * instructions; prog_clang_build() copies it and patches in what only the
 * running kernel tells us, as prog_hand_build() does for the hand-made
 * array.  Built with -DNO_CLANG_PROG, where there is no clang, it has no
 * program, and says so with ENOTSUP.
 */
#include <errno.h>
#include <string.h>

#include "bpf_insn.h"
#include "icmpcount.h"

/*
 * For icmpcount.h, beside prog_hand_build():
 *
 * prog_clang.c: the entry program, written in C (prog.bpf.c) and compiled
 * by clang.  The same contract as prog_hand_build(), for a spec without
 * options (kind PROG_ENTRY, no ipv6, all, exit or pid), and it does not
 * count into stats_fd.  On failure it returns 0 with errno set: ENOTSUP
 * when built without clang, E2BIG when max is too small, EINVAL when spec
 * asks for what it cannot do or the compiled code is not what it expects.
 */
size_t prog_clang_build(struct bpf_insn *insns, size_t max,
			const struct prog_spec *spec);

#ifdef NO_CLANG_PROG

size_t prog_clang_build(struct bpf_insn *insns, size_t max,
			const struct prog_spec *spec)
{
	(void)insns;
	(void)max;
	(void)spec;
	errno = ENOTSUP;
	return 0;
}

#else /* !NO_CLANG_PROG */

#include "prog_clang.h"		/* generated: build/prog_clang.h */

/*
 * Where prog.bpf.c reads each tracepoint argument, in place of the real
 * offset; keep these in step with its CTX_MAGIC_*.  Everything from
 * CTX_MAGIC_LOW up is theirs: an access there in any other form means
 * clang changed a load we rely on, and we refuse rather than guess.
 */
#define CTX_MAGIC_BUFF	0x7ff8
#define CTX_MAGIC_LEN	0x7ff0
#define CTX_MAGIC_ADDR	0x7fe8
#define CTX_MAGIC_LOW	0x7fe8
#define HELPER_READ_USER	112	/* what prog.bpf.c calls */

/*
 * The load size for a field, or -1 if no load can read it: the verifier
 * wants context loads aligned, and an offset must fit the 16-bit off.
 */
static int field_size(const struct tp_field *f)
{
	if (f->size != 4 && f->size != 8)
		return -1;
	if (f->offset > INT16_MAX || f->offset % f->size != 0)
		return -1;
	return f->size == 8 ? BPF_DW : BPF_W;
}

static int is_mem_access(__u8 code)
{
	switch (BPF_CLASS(code)) {
	case BPF_LDX:
	case BPF_ST:
	case BPF_STX:
		return 1;
	case BPF_LD:
		return BPF_MODE(code) != BPF_IMM;
	default:
		return 0;
	}
}

/*
 * Points each magic load at its field.  A 4-byte load zero-extends, and
 * prog.bpf.c treats every value as unsigned 64-bit, so the patched code
 * means on a 32-bit kernel what it means on a 64-bit one.  Returns the
 * number of loads patched, or -1 on an access we do not recognize.
 */
static int patch_fields(struct bpf_insn *insns, size_t cnt,
			const struct sendto_fields *f, int found[3])
{
	const struct {
		int magic;
		const struct tp_field *field;
	} map[3] = {
		{ CTX_MAGIC_BUFF, &f->buff },
		{ CTX_MAGIC_LEN, &f->len },
		{ CTX_MAGIC_ADDR, &f->addr },
	};
	size_t i, j;

	for (i = 0; i < cnt; i++) {
		struct bpf_insn *in = &insns[i];

		if (!is_mem_access(in->code) || in->off < CTX_MAGIC_LOW)
			continue;
		if (in->code != (BPF_LDX | BPF_MEM | BPF_DW))
			return -1;
		for (j = 0; j < 3 && in->off != map[j].magic; j++)
			;
		if (j == 3)
			return -1;
		in->code = BPF_LDX | BPF_MEM | field_size(map[j].field);
		in->off = (__s16)map[j].field->offset;
		found[j]++;
	}
	return 0;
}

size_t prog_clang_build(struct bpf_insn *insns, size_t max,
			const struct prog_spec *spec)
{
	const struct sendto_fields *f = spec->fields;
	size_t i, cnt = ARRAY_SIZE(prog_clang_insns);
	int found[3] = { 0, 0, 0 }, calls = 0;

	if (cnt > max) {
		errno = E2BIG;
		return 0;
	}
	/* prog.bpf.c is the plain entry program: none of the options. */
	if (spec->kind != PROG_ENTRY || spec->ipv6 || spec->all ||
	    spec->exit || spec->pid)
		goto invalid;
	if (field_size(&f->buff) < 0 || field_size(&f->len) < 0 ||
	    field_size(&f->addr) < 0)
		goto invalid;
	memcpy(insns, prog_clang_insns, sizeof(prog_clang_insns));

	/* Each argument is read at least once, or we misread prog.bpf.c. */
	if (patch_fields(insns, cnt, f, found) != 0 ||
	    !found[0] || !found[1] || !found[2])
		goto invalid;

	/* Helper calls have src_reg 0; others are not helpers. */
	for (i = 0; i < cnt; i++) {
		if (insns[i].code == (BPF_JMP | BPF_CALL) &&
		    insns[i].src_reg == 0 && insns[i].imm == HELPER_READ_USER) {
			insns[i].imm = spec->read_user;
			calls++;
		}
	}
	if (calls == 0)
		goto invalid;

	/* bpf2h checked these are bare LD_IMM64s; the kernel wants an fd. */
	for (i = 0; i < ARRAY_SIZE(prog_clang_map_insns); i++) {
		size_t at = prog_clang_map_insns[i];

		if (at + 1 >= cnt ||
		    insns[at].code != (BPF_LD | BPF_IMM | BPF_DW))
			goto invalid;
		insns[at].src_reg = BPF_PSEUDO_MAP_FD;
		insns[at].imm = spec->counts_fd;
		insns[at + 1].imm = 0;
	}
	return cnt;

invalid:
	errno = EINVAL;
	return 0;
}

#endif /* NO_CLANG_PROG */
