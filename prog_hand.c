// SPDX-License-Identifier: GPL-2.0
/*
 * prog_hand.c - the BPF program, assembled by hand with bpf_insn.h.
 *
 * It runs on every sendto() entry (tracepoint syscalls:sys_enter_sendto) and
 * counts, per process name, the calls the reference bpftrace script counts.
 * The offsets and sizes of the arguments come from the tracepoint's format
 * file and the map fd from bpf(BPF_MAP_CREATE); both go in as the array is
 * built, so the same code serves 32- and 64-bit kernels.
 */
#include <string.h>
#include <sys/socket.h>

#include "bpf_insn.h"
#include "icmpcount.h"

/* The width of a tracepoint field as a BPF load size. */
static int ld_size(const struct tp_field *f)
{
	return f->size == 4 ? BPF_W : BPF_DW;
}

/*
 * The program in C (stack: hdr at fp-8, family at fp-16, key at fp-32,
 * one at fp-40):
 *
 *	if (ctx->len <= 8 || !ctx->buff || !ctx->addr)
 *		return 0;
 *	read_user(&hdr, 8, ctx->buff);		// zeroes hdr if unreadable
 *	if (hdr.type != 8 || hdr.code != 0 ||
 *	    !hdr.checksum || !hdr.id || !hdr.seq)
 *		return 0;
 *	read_user(&family, 2, ctx->addr);	// zeroes family if unreadable
 *	if (family != AF_INET)
 *		return 0;
 *	key = {}; get_current_comm(&key, 16);
 *	if ((count = map_lookup_elem(&counts, &key)))
 *		*count += 1;			// per-CPU value: no atomics
 *	else
 *		map_update_elem(&counts, &key, &one, BPF_ANY);
 *	return 0;
 *
 * The cheap argument checks come first, and the 8-byte header is read before
 * the address, so most sends cost no helper call or one.  A per-CPU hash is
 * exact without atomic adds: each CPU writes only its own slot, and
 * BPF_ANY on an element another CPU has just created updates this CPU's slot.
 * The program returns 0: a tracepoint program's non-zero return also emits a
 * perf sample, which costs hundreds of nanoseconds.
 */
size_t prog_hand_build(struct bpf_insn *insns, size_t max,
		       const struct prog_spec *spec)
{
	const struct sendto_fields *f = spec->fields;
	const struct bpf_insn prog[] = {
		BPF_MOV64_REG(BPF_REG_6, BPF_REG_1),		/* r6 = ctx */
		BPF_LDX_MEM(ld_size(&f->len), BPF_REG_7, BPF_REG_6,
			    f->len.offset),			/* r7 = ctx->len */
		BPF_JMP_IMM(BPF_JLE, BPF_REG_7, 8, 50),		/* if r7 <= 8 goto out (+50) */
		BPF_LDX_MEM(ld_size(&f->buff), BPF_REG_3, BPF_REG_6,
			    f->buff.offset),			/* r3 = ctx->buff */
		BPF_JMP_IMM(BPF_JEQ, BPF_REG_3, 0, 48),		/* if r3 == 0 goto out (+48) */
		BPF_LDX_MEM(ld_size(&f->addr), BPF_REG_7, BPF_REG_6,
			    f->addr.offset),			/* r7 = ctx->addr */
		BPF_JMP_IMM(BPF_JEQ, BPF_REG_7, 0, 46),		/* if r7 == 0 goto out (+46) */
		BPF_MOV64_REG(BPF_REG_1, BPF_REG_10),
		BPF_ALU64_IMM(BPF_ADD, BPF_REG_1, -8),		/* r1 = fp - 8: &hdr */
		BPF_MOV64_IMM(BPF_REG_2, 8),			/* r2 = sizeof(hdr) */
		BPF_EMIT_CALL(spec->read_user),			/* r0 = read_user(&hdr, 8, buff) */
		BPF_LDX_MEM(BPF_B, BPF_REG_1, BPF_REG_10, -8),	/* r1 = hdr.type */
		BPF_JMP_IMM(BPF_JNE, BPF_REG_1, 8, 40),		/* if r1 != 8 goto out (+40) */
		BPF_LDX_MEM(BPF_B, BPF_REG_1, BPF_REG_10, -7),	/* r1 = hdr.code */
		BPF_JMP_IMM(BPF_JNE, BPF_REG_1, 0, 38),		/* if r1 != 0 goto out (+38) */
		BPF_LDX_MEM(BPF_H, BPF_REG_1, BPF_REG_10, -6),	/* r1 = hdr.checksum */
		BPF_JMP_IMM(BPF_JEQ, BPF_REG_1, 0, 36),		/* if r1 == 0 goto out (+36) */
		BPF_LDX_MEM(BPF_H, BPF_REG_1, BPF_REG_10, -4),	/* r1 = hdr.id */
		BPF_JMP_IMM(BPF_JEQ, BPF_REG_1, 0, 34),		/* if r1 == 0 goto out (+34) */
		BPF_LDX_MEM(BPF_H, BPF_REG_1, BPF_REG_10, -2),	/* r1 = hdr.seq */
		BPF_JMP_IMM(BPF_JEQ, BPF_REG_1, 0, 32),		/* if r1 == 0 goto out (+32) */
		BPF_MOV64_REG(BPF_REG_1, BPF_REG_10),
		BPF_ALU64_IMM(BPF_ADD, BPF_REG_1, -16),		/* r1 = fp - 16: &family */
		BPF_MOV64_IMM(BPF_REG_2, 2),			/* r2 = sizeof(family) */
		BPF_MOV64_REG(BPF_REG_3, BPF_REG_7),		/* r3 = addr */
		BPF_EMIT_CALL(spec->read_user),			/* r0 = read_user(&family, 2, addr) */
		BPF_LDX_MEM(BPF_H, BPF_REG_1, BPF_REG_10, -16),	/* r1 = family */
		BPF_JMP_IMM(BPF_JNE, BPF_REG_1, AF_INET, 25),	/* if r1 != AF_INET goto out (+25) */
		BPF_ST_MEM(BPF_DW, BPF_REG_10, -32, 0),		/* key[0..7] = 0 */
		BPF_ST_MEM(BPF_DW, BPF_REG_10, -24, 0),		/* key[8..15] = 0 */
		BPF_MOV64_REG(BPF_REG_1, BPF_REG_10),
		BPF_ALU64_IMM(BPF_ADD, BPF_REG_1, -32),		/* r1 = fp - 32: &key */
		BPF_MOV64_IMM(BPF_REG_2, COMM_LEN),		/* r2 = sizeof(key) */
		BPF_EMIT_CALL(BPF_FUNC_get_current_comm),	/* key = comm */
		BPF_LD_MAP_FD(BPF_REG_1, spec->counts_fd),	/* r1 = &counts (2 slots) */
		BPF_MOV64_REG(BPF_REG_2, BPF_REG_10),
		BPF_ALU64_IMM(BPF_ADD, BPF_REG_2, -32),		/* r2 = fp - 32: &key */
		BPF_EMIT_CALL(BPF_FUNC_map_lookup_elem),	/* r0 = lookup(counts, &key) */
		BPF_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 4),		/* if r0 == 0 goto insert (+4) */
		BPF_LDX_MEM(BPF_DW, BPF_REG_1, BPF_REG_0, 0),	/* r1 = *count */
		BPF_ALU64_IMM(BPF_ADD, BPF_REG_1, 1),		/* r1 += 1 */
		BPF_STX_MEM(BPF_DW, BPF_REG_0, BPF_REG_1, 0),	/* *count = r1 */
		BPF_JMP_A(9),					/* goto out (+9) */
		/* insert: */
		BPF_ST_MEM(BPF_DW, BPF_REG_10, -40, 1),		/* one = 1 */
		BPF_LD_MAP_FD(BPF_REG_1, spec->counts_fd),	/* r1 = &counts (2 slots) */
		BPF_MOV64_REG(BPF_REG_2, BPF_REG_10),
		BPF_ALU64_IMM(BPF_ADD, BPF_REG_2, -32),		/* r2 = fp - 32: &key */
		BPF_MOV64_REG(BPF_REG_3, BPF_REG_10),
		BPF_ALU64_IMM(BPF_ADD, BPF_REG_3, -40),		/* r3 = fp - 40: &one */
		BPF_MOV64_IMM(BPF_REG_4, BPF_ANY),		/* r4 = flags */
		BPF_EMIT_CALL(BPF_FUNC_map_update_elem),	/* r0 = update(counts, &key, &one) */
		/* out: */
		BPF_MOV64_IMM(BPF_REG_0, 0),			/* r0 = 0 */
		BPF_EXIT_INSN(),				/* return r0 */
	};

	if (ARRAY_SIZE(prog) > max)
		return 0;
	memcpy(insns, prog, sizeof(prog));
	return ARRAY_SIZE(prog);
}
