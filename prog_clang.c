// SPDX-License-Identifier: GPL-2.0
/*
 * prog_clang.c - the BPF programs of prog.bpf.c, as clang compiled them.
 *
 * tools/bpf2h turns build/prog.bpf.o into build/prog_clang.h, the entry
 * program (and its plain form, for a run with no option) and the exit
 * program as instruction arrays with their map references;
 * prog_clang_build() copies one and patches in what only the running
 * kernel and the command line tell us, as prog_hand_build() does for the
 * hand-made arrays: field offsets and widths, map fds, the read_user
 * helper, and the options.  Built with -DNO_CLANG_PROG, where there is no
 * clang, it has no programs, and says so with ENOTSUP.
 */
#include <errno.h>
#include <string.h>

#include "bpf_insn.h"
#include "icmpcount.h"

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
#define CTX_MAGIC_RET	0x7fe0
#define CTX_MAGIC_LOW	0x7fe0

/*
 * The "rX = magic" each option of prog.bpf.c compiles to; keep these in
 * step with its OPT_MAGIC_*.  Every immediate in the OPT_MAGIC_MASK block
 * is theirs: one in any other instruction means clang folded an option
 * into something we cannot patch.
 */
#define OPT_MAGIC_IPV6		0x1c0c0001
#define OPT_MAGIC_ALL		0x1c0c0002
#define OPT_MAGIC_EXIT		0x1c0c0003
#define OPT_MAGIC_PID		0x1c0c0004
#define OPT_MAGIC_RET_SHIFT	0x1c0c0005
#define OPT_MAGIC_MASK		0xffff0000
#define OPT_MAGIC_BLOCK		0x1c0c0000

#define HELPER_READ_USER	112	/* what prog.bpf.c calls */

enum { CTX_BUFF, CTX_LEN, CTX_ADDR, CTX_RET, NR_CTX };
enum { OPT_IPV6, OPT_ALL, OPT_EXIT, OPT_PID, OPT_RET_SHIFT, NR_OPTS };

static const int ctx_magic[NR_CTX] = {
	[CTX_BUFF] = CTX_MAGIC_BUFF, [CTX_LEN] = CTX_MAGIC_LEN,
	[CTX_ADDR] = CTX_MAGIC_ADDR, [CTX_RET] = CTX_MAGIC_RET,
};

static const __s32 opt_magic[NR_OPTS] = {
	[OPT_IPV6] = OPT_MAGIC_IPV6, [OPT_ALL] = OPT_MAGIC_ALL,
	[OPT_EXIT] = OPT_MAGIC_EXIT, [OPT_PID] = OPT_MAGIC_PID,
	[OPT_RET_SHIFT] = OPT_MAGIC_RET_SHIFT,
};

/*
 * The programs, and how often prog.bpf.c writes each patch point in each:
 * we patch exactly that many, or refuse.  A count that changes with
 * a new clang shows in the unit tier, not as a program that misbehaves.
 */
struct clang_prog {
	const struct bpf_insn *insns;
	size_t cnt;
	const struct prog_clang_map_ref *refs;
	size_t nrefs;
	int ctx[NR_CTX];	/* loads of each argument */
	int opts[NR_OPTS];	/* "rX = magic" for each option */
	int read_user;		/* calls of helper 112 */
};

static const struct clang_prog progs[] = {
	[PROG_ENTRY] = {
		prog_clang_entry_insns, ARRAY_SIZE(prog_clang_entry_insns),
		prog_clang_entry_map_refs,
		ARRAY_SIZE(prog_clang_entry_map_refs),
		.ctx = { [CTX_BUFF] = 1, [CTX_LEN] = 1, [CTX_ADDR] = 1 },
		.opts = { [OPT_IPV6] = 1, [OPT_ALL] = 1, [OPT_EXIT] = 1,
			  [OPT_PID] = 1 },
		.read_user = 2,		/* the header, then the family */
	},
	[PROG_EXIT] = {
		prog_clang_exit_insns, ARRAY_SIZE(prog_clang_exit_insns),
		prog_clang_exit_map_refs,
		ARRAY_SIZE(prog_clang_exit_map_refs),
		.ctx = { [CTX_RET] = 1 },
		.opts = { [OPT_RET_SHIFT] = 1 },
	},
};

/* The entry program for a run with no option: they are compiled out. */
static const struct clang_prog plain = {
	prog_clang_plain_insns, ARRAY_SIZE(prog_clang_plain_insns),
	prog_clang_plain_map_refs, ARRAY_SIZE(prog_clang_plain_map_refs),
	.ctx = { [CTX_BUFF] = 1, [CTX_LEN] = 1, [CTX_ADDR] = 1 },
	.read_user = 2,
};

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

static int is_opt_magic(__s32 imm)
{
	return ((__u32)imm & OPT_MAGIC_MASK) == OPT_MAGIC_BLOCK;
}

/* Which of the magic values v is, or -1. */
static int find_magic(const int *magic, int n, int v)
{
	int j;

	for (j = 0; j < n; j++)
		if (magic[j] == v)
			return j;
	return -1;
}

/*
 * Points each magic load at its field.  A 4-byte load zero-extends, and
 * prog.bpf.c treats every value as unsigned 64-bit (and sign-extends ret
 * itself, by RET_SHIFT), so the patched code means on a 32-bit kernel what
 * it means on a 64-bit one.  Counts each load in ctx[]; returns -1 on an
 * access we do not recognize.
 */
static int patch_ctx(struct bpf_insn *in, const struct tp_field *fields[],
		     int ctx[])
{
	int j = find_magic(ctx_magic, NR_CTX, in->off);

	if (in->code != (BPF_LDX | BPF_MEM | BPF_DW) || j < 0)
		return -1;
	in->code = BPF_LDX | BPF_MEM | field_size(fields[j]);
	in->off = (__s16)fields[j]->offset;
	ctx[j]++;
	return 0;
}

/* Writes an option's value over its magic, counting each in opts[]. */
static int patch_option(struct bpf_insn *in, const __s32 value[],
			int opts[])
{
	int j = find_magic(opt_magic, NR_OPTS, in->imm);

	if (in->code != (BPF_ALU64 | BPF_MOV | BPF_K) ||
	    in->src_reg != 0 || in->off != 0 || j < 0)
		return -1;
	in->imm = value[j];
	opts[j]++;
	return 0;
}

/* The kernel wants the fd of each map where clang left its address. */
static int patch_maps(struct bpf_insn *insns, const struct clang_prog *p,
		      const struct prog_spec *spec)
{
	const int fds[PROG_CLANG_NR_MAPS] = {
		[PROG_CLANG_MAP_COUNTS] = spec->counts_fd,
		[PROG_CLANG_MAP_COUNTS6] = spec->counts6_fd,
		[PROG_CLANG_MAP_PENDING] = spec->pending_fd,
	};
	size_t i;

	_Static_assert(PROG_CLANG_NR_MAPS == 3, "BPF_MAPS names a new map");
	for (i = 0; i < p->nrefs; i++) {
		size_t at = p->refs[i].insn;

		if (at + 1 >= p->cnt || p->refs[i].map >= PROG_CLANG_NR_MAPS ||
		    insns[at].code != (BPF_LD | BPF_IMM | BPF_DW) ||
		    insns[at].src_reg != 0 || insns[at].imm != 0 ||
		    insns[at + 1].imm != 0)
			return -1;
		insns[at].src_reg = BPF_PSEUDO_MAP_FD;
		insns[at].imm = fds[p->refs[i].map];
	}
	return 0;
}

size_t prog_clang_build(struct bpf_insn *insns, size_t max,
			const struct prog_spec *spec)
{
	const struct sendto_fields *f = spec->fields;
	const struct tp_field *fields[NR_CTX] = {
		[CTX_BUFF] = &f->buff, [CTX_LEN] = &f->len,
		[CTX_ADDR] = &f->addr, [CTX_RET] = &f->ret,
	};
	const __s32 value[NR_OPTS] = {
		[OPT_IPV6] = spec->ipv6, [OPT_ALL] = spec->all,
		[OPT_EXIT] = spec->exit, [OPT_PID] = spec->pid,
		[OPT_RET_SHIFT] = f->ret.size == 4 ? 32 : 0,	/* 64 - bits */
	};
	int ctx[NR_CTX] = { 0 }, opts[NR_OPTS] = { 0 }, calls = 0;
	const struct clang_prog *p;
	size_t i;
	int j;

	/* No socketcall prologue, nor raw_syscalls' syscall number check. */
	if ((spec->kind != PROG_ENTRY && spec->kind != PROG_EXIT) ||
	    spec->syscall_nr != 0)
		goto invalid;
	p = &progs[spec->kind];
	if (spec->kind == PROG_ENTRY && !spec->ipv6 && !spec->all &&
	    !spec->exit && !spec->pid)
		p = &plain;
	if (p->cnt > max) {
		errno = E2BIG;
		return 0;
	}
	/* Only the fields this program reads need a load that fits. */
	for (j = 0; j < NR_CTX; j++)
		if (p->ctx[j] && field_size(fields[j]) < 0)
			goto invalid;
	memcpy(insns, p->insns, p->cnt * sizeof(*insns));

	for (i = 0; i < p->cnt; i++) {
		struct bpf_insn *in = &insns[i];

		if (in->code == (BPF_LD | BPF_IMM | BPF_DW)) {
			/* 64-bit constants are not options: both halves. */
			if (i + 1 == p->cnt || is_opt_magic(in->imm) ||
			    is_opt_magic(in[1].imm))
				goto invalid;
			i++;
		} else if (is_mem_access(in->code) && in->off >= CTX_MAGIC_LOW) {
			if (patch_ctx(in, fields, ctx) != 0)
				goto invalid;
		} else if (is_opt_magic(in->imm)) {
			if (patch_option(in, value, opts) != 0)
				goto invalid;
		} else if (in->code == (BPF_JMP | BPF_CALL) &&
			   in->src_reg == 0 && in->imm == HELPER_READ_USER) {
			in->imm = spec->read_user;
			calls++;
		}
	}
	if (memcmp(ctx, p->ctx, sizeof(ctx)) != 0 ||
	    memcmp(opts, p->opts, sizeof(opts)) != 0 ||
	    calls != p->read_user)
		goto invalid;
	if (patch_maps(insns, p, spec) != 0)
		goto invalid;
	return p->cnt;

invalid:
	errno = EINVAL;
	return 0;
}

#endif /* NO_CLANG_PROG */
