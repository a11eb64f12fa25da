// SPDX-License-Identifier: GPL-2.0
/*
 * prog_hand.c - the BPF programs, assembled by hand with bpf_insn.h.
 *
 * The entry program runs on every sendto() (syscalls:sys_enter_sendto, or
 * raw_syscalls:sys_enter where that is missing, or sys_enter_socketcall on
 * i386) and counts, per process name, the calls the reference bpftrace
 * script counts.  With -x it only remembers them, and the exit program
 * counts those that returned success.  Each is a prologue that finds the
 * arguments, a shared body, and the same counting tail.
 * Field offsets, map fds and the option constants go in as the arrays are
 * built, so one source serves 32- and 64-bit kernels and every option.
 */
#include <string.h>
#include <sys/socket.h>

#include "bpf_insn.h"
#include "icmpcount.h"

/* The stack: the ICMP header, the address family, the comm key, scratch. */
#define FP_HDR		(-8)	/* type, code, checksum, id, seq: 8 bytes */
#define FP_FAMILY	(-16)	/* sa_family: 2 bytes */
#define FP_KEY		(-32)	/* the comm: 16 bytes */
#define FP_ONE		(-40)	/* the value 1, for a new map element */
#define FP_IDX		(-44)	/* a u32 key: stats index, or thread id */
#define FP_VAL		(-48)	/* a u32 value: the family, for pending */
#define FP_ARGS		(-96)	/* socketcall: its first five arguments */

/* The width of a tracepoint field as a BPF load size. */
static int ld_size(const struct tp_field *f)
{
	return f->size == 4 ? BPF_W : BPF_DW;
}

/*
 * The counting tail, shared by both programs.  On entry r8 holds the family
 * the send went to (AF_INET or AF_INET6); "stat" wants a stats index in r9.
 *
 *	count:	key = {}; get_current_comm(&key, 16);
 *		map = r8 == AF_INET ? counts : counts6;
 *		if ((v = map_lookup_elem(map, &key)))
 *			*v += 1;		// per-CPU value: no atomics
 *		else if (map_update_elem(map, &key, &one, BPF_ANY))
 *			r9 = STAT_DROPPED, goto stat;	// the map is full
 *		return 0;
 *	stat:	stats[r9] += 1;  return 0;
 *
 * A per-CPU hash is exact without atomics: each CPU writes only its own
 * slot, and BPF_ANY on an element another CPU has just made sets this
 * CPU's slot in it.  The programs return 0: a tracepoint program's non-zero
 * return also makes a perf sample, which costs hundreds of nanoseconds.
 */
enum { TAIL_COUNT = 0, TAIL_STAT = 30, TAIL_OUT = 40, TAIL_LEN = 42 };

static size_t emit_tail(struct bpf_insn *insns, const struct prog_spec *spec)
{
	const struct bpf_insn tail[] = {
		/* count: */
		BPF_ST_MEM(BPF_DW, BPF_REG_10, FP_KEY, 0),	/* key[0..7] = 0 */
		BPF_ST_MEM(BPF_DW, BPF_REG_10, FP_KEY + 8, 0),	/* key[8..15] = 0 */
		BPF_MOV64_REG(BPF_REG_1, BPF_REG_10),
		BPF_ALU64_IMM(BPF_ADD, BPF_REG_1, FP_KEY),	/* r1 = &key */
		BPF_MOV64_IMM(BPF_REG_2, COMM_LEN),		/* r2 = sizeof(key) */
		BPF_EMIT_CALL(BPF_FUNC_get_current_comm),	/* key = comm */
		BPF_LD_MAP_FD(BPF_REG_9, spec->counts_fd),	/* r9 = counts (2 slots) */
		BPF_JMP_IMM(BPF_JEQ, BPF_REG_8, AF_INET, 2),	/* if r8 == AF_INET goto +2 */
		BPF_LD_MAP_FD(BPF_REG_9, spec->counts6_fd),	/* r9 = counts6 (2 slots) */
		BPF_MOV64_REG(BPF_REG_1, BPF_REG_9),		/* r1 = map */
		BPF_MOV64_REG(BPF_REG_2, BPF_REG_10),
		BPF_ALU64_IMM(BPF_ADD, BPF_REG_2, FP_KEY),	/* r2 = &key */
		BPF_EMIT_CALL(BPF_FUNC_map_lookup_elem),	/* r0 = lookup(map, &key) */
		BPF_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 4),		/* if r0 == 0 goto insert (+4) */
		BPF_LDX_MEM(BPF_DW, BPF_REG_1, BPF_REG_0, 0),	/* r1 = *count */
		BPF_ALU64_IMM(BPF_ADD, BPF_REG_1, 1),		/* r1 += 1 */
		BPF_STX_MEM(BPF_DW, BPF_REG_0, BPF_REG_1, 0),	/* *count = r1 */
		BPF_JMP_A(20),					/* goto out (+20) */
		/* insert: */
		BPF_ST_MEM(BPF_DW, BPF_REG_10, FP_ONE, 1),	/* one = 1 */
		BPF_MOV64_REG(BPF_REG_1, BPF_REG_9),		/* r1 = map */
		BPF_MOV64_REG(BPF_REG_2, BPF_REG_10),
		BPF_ALU64_IMM(BPF_ADD, BPF_REG_2, FP_KEY),	/* r2 = &key */
		BPF_MOV64_REG(BPF_REG_3, BPF_REG_10),
		BPF_ALU64_IMM(BPF_ADD, BPF_REG_3, FP_ONE),	/* r3 = &one */
		BPF_MOV64_IMM(BPF_REG_4, BPF_ANY),		/* r4 = flags */
		BPF_EMIT_CALL(BPF_FUNC_map_update_elem),	/* r0 = update(map, &key, &one) */
		BPF_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 11),		/* if r0 == 0 goto out (+11) */
		BPF_MOV64_IMM(BPF_REG_9, STAT_DROPPED),		/* r9 = STAT_DROPPED */
		/* stat: */
		BPF_STX_MEM(BPF_W, BPF_REG_10, BPF_REG_9, FP_IDX), /* idx = r9 */
		BPF_LD_MAP_FD(BPF_REG_1, spec->stats_fd),	/* r1 = stats (2 slots) */
		BPF_MOV64_REG(BPF_REG_2, BPF_REG_10),
		BPF_ALU64_IMM(BPF_ADD, BPF_REG_2, FP_IDX),	/* r2 = &idx */
		BPF_EMIT_CALL(BPF_FUNC_map_lookup_elem),	/* r0 = lookup(stats, &idx) */
		BPF_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 3),		/* if r0 == 0 goto out (+3) */
		BPF_LDX_MEM(BPF_DW, BPF_REG_1, BPF_REG_0, 0),	/* r1 = *stat */
		BPF_ALU64_IMM(BPF_ADD, BPF_REG_1, 1),		/* r1 += 1 */
		BPF_STX_MEM(BPF_DW, BPF_REG_0, BPF_REG_1, 0),	/* *stat = r1 */
		/* out: */
		BPF_MOV64_IMM(BPF_REG_0, 0),			/* r0 = 0 */
		BPF_EXIT_INSN(),				/* return r0 */
	};

	_Static_assert(ARRAY_SIZE(tail) == TAIL_LEN, "tail labels are stale");
	memcpy(insns, tail, sizeof(tail));
	return ARRAY_SIZE(tail);
}

/*
 * The entry prologues find sendto()'s arguments and leave buff in r3 and
 * addr in r7 for the body, or go to out.  On sys_enter_sendto they are
 * fields of the record; on raw_syscalls:sys_enter, elements of its args[],
 * after a check of the syscall number (an immediate: 0 on sys_enter_sendto,
 * where the verifier folds the check away):
 *
 *	if (NR && ctx->id != NR) return 0;
 *	if (ctx->len <= 8 || !ctx->buff || !ctx->addr)
 *		return 0;			// arguments alone: no helper call
 *
 * The body and tail follow without a gap, so a prologue's "goto out" is
 * its own length + BODY_LEN + TAIL_OUT from its start.
 */
enum { BODY_LEN = 52, SENDTO_LEN = 11, SOCKETCALL_LEN = 15 };

static size_t emit_enter_sendto(struct bpf_insn *insns,
				const struct prog_spec *spec)
{
	const struct sendto_fields *f = spec->fields;
	const struct bpf_insn prologue[] = {
		BPF_MOV64_REG(BPF_REG_6, BPF_REG_1),		/* r6 = ctx */
		BPF_MOV64_IMM(BPF_REG_1, spec->syscall_nr),	/* r1 = NR */
		BPF_JMP_IMM(BPF_JEQ, BPF_REG_1, 0, 2),		/* if r1 == 0 goto len (+2) */
		BPF_LDX_MEM(ld_size(&f->id), BPF_REG_1, BPF_REG_6,
			    f->id.offset),			/* r1 = ctx->id */
		BPF_JMP_IMM(BPF_JNE, BPF_REG_1, spec->syscall_nr, 98), /* if r1 != NR goto out (+98) */
		/* len: */
		BPF_LDX_MEM(ld_size(&f->len), BPF_REG_7, BPF_REG_6,
			    f->len.offset),			/* r7 = ctx->len */
		BPF_JMP_IMM(BPF_JLE, BPF_REG_7, 8, 96),		/* if r7 <= 8 goto out (+96) */
		BPF_LDX_MEM(ld_size(&f->buff), BPF_REG_3, BPF_REG_6,
			    f->buff.offset),			/* r3 = ctx->buff */
		BPF_JMP_IMM(BPF_JEQ, BPF_REG_3, 0, 94),		/* if r3 == 0 goto out (+94) */
		BPF_LDX_MEM(ld_size(&f->addr), BPF_REG_7, BPF_REG_6,
			    f->addr.offset),			/* r7 = ctx->addr */
		BPF_JMP_IMM(BPF_JEQ, BPF_REG_7, 0, 92),		/* if r7 == 0 goto out (+92) */
	};

	_Static_assert(ARRAY_SIZE(prologue) == SENDTO_LEN, "sendto jumps are stale");
	memcpy(insns, prologue, sizeof(prologue));
	return ARRAY_SIZE(prologue);
}

/*
 * On i386, glibc's sendto() is socketcall(SYS_SENDTO, args): the arguments
 * are in user memory, an array of words that one read brings in.
 *
 *	if (ctx->call != SYS_SENDTO || !ctx->args) return 0;
 *	read_user(&a, 5 * W, ctx->args);	// fd, buff, len, flags, addr
 *	if (a.len <= 8 || !a.buff || !a.addr) return 0;
 */
static size_t emit_enter_socketcall(struct bpf_insn *insns,
				    const struct prog_spec *spec)
{
	const struct sendto_fields *f = spec->fields;
	int w = (int)f->args.size;		/* the user's word: 4 or 8 */
	int size = w == 4 ? BPF_W : BPF_DW;
	const struct bpf_insn prologue[] = {
		BPF_MOV64_REG(BPF_REG_6, BPF_REG_1),		/* r6 = ctx */
		BPF_LDX_MEM(ld_size(&f->call), BPF_REG_1, BPF_REG_6,
			    f->call.offset),			/* r1 = ctx->call */
		BPF_JMP_IMM(BPF_JNE, BPF_REG_1, 11, 104),	/* if r1 != SYS_SENDTO goto out (+104) */
		BPF_LDX_MEM(ld_size(&f->args), BPF_REG_3, BPF_REG_6,
			    f->args.offset),			/* r3 = ctx->args */
		BPF_JMP_IMM(BPF_JEQ, BPF_REG_3, 0, 102),	/* if r3 == 0 goto out (+102) */
		BPF_MOV64_REG(BPF_REG_1, BPF_REG_10),
		BPF_ALU64_IMM(BPF_ADD, BPF_REG_1, FP_ARGS),	/* r1 = &a */
		BPF_MOV64_IMM(BPF_REG_2, 5 * w),		/* r2 = 5 words */
		BPF_EMIT_CALL(spec->read_user),			/* read_user(&a, 5 * W, args) */
		BPF_LDX_MEM(size, BPF_REG_7, BPF_REG_10, FP_ARGS + 2 * w), /* r7 = a.len */
		BPF_JMP_IMM(BPF_JLE, BPF_REG_7, 8, 96),		/* if r7 <= 8 goto out (+96) */
		BPF_LDX_MEM(size, BPF_REG_3, BPF_REG_10, FP_ARGS + 1 * w), /* r3 = a.buff */
		BPF_JMP_IMM(BPF_JEQ, BPF_REG_3, 0, 94),		/* if r3 == 0 goto out (+94) */
		BPF_LDX_MEM(size, BPF_REG_7, BPF_REG_10, FP_ARGS + 4 * w), /* r7 = a.addr */
		BPF_JMP_IMM(BPF_JEQ, BPF_REG_7, 0, 92),		/* if r7 == 0 goto out (+92) */
	};

	_Static_assert(ARRAY_SIZE(prologue) == SOCKETCALL_LEN,
		       "socketcall jumps are stale");
	memcpy(insns, prologue, sizeof(prologue));
	return ARRAY_SIZE(prologue);
}

/*
 * The entry body, after a prologue (r3 = buff, r7 = addr; then r8 holds the
 * family, r9 a stat index):
 *
 *	read_user(&hdr, 8, buff);		// zeroes hdr if unreadable
 *	if (hdr.code != 0) return 0;
 *	if (hdr.type == 8) r8 = AF_INET;
 *	else if (IPV6 && hdr.type == 128) r8 = AF_INET6;
 *	else return 0;
 *	read_user(&family, 2, addr);		// zeroes family if unreadable
 *	if (family != r8) return 0;
 *	if (PID && get_current_pid_tgid() >> 32 != PID) return 0;
 *	if ((r8 == AF_INET && !hdr.checksum && (r9 = STAT_CHECKSUM0)) ||
 *	    (!hdr.id && (r9 = STAT_ID0)) || (!hdr.seq && (r9 = STAT_SEQ0)))
 *		if (!ALL) goto stat;		// an echo request not counted
 *	if (!EXIT) goto count;
 *	pending[tid] = r8;			// -x: the exit program counts it
 *	return 0;
 *
 * IPV6, PID, ALL and EXIT are immediates.  When one is 0 the verifier sees a
 * constant branch, and drops the code behind it from what it loads.
 */
static size_t emit_body(struct bpf_insn *insns, const struct prog_spec *spec)
{
	const struct bpf_insn body[] = {
		BPF_MOV64_REG(BPF_REG_1, BPF_REG_10),
		BPF_ALU64_IMM(BPF_ADD, BPF_REG_1, FP_HDR),	/* r1 = &hdr */
		BPF_MOV64_IMM(BPF_REG_2, 8),			/* r2 = sizeof(hdr) */
		BPF_EMIT_CALL(spec->read_user),			/* read_user(&hdr, 8, buff) */
		BPF_LDX_MEM(BPF_B, BPF_REG_1, BPF_REG_10, FP_HDR + 1), /* r1 = hdr.code */
		BPF_JMP_IMM(BPF_JNE, BPF_REG_1, 0, 86),		/* if r1 != 0 goto out (+86) */
		BPF_MOV64_IMM(BPF_REG_8, AF_INET),		/* r8 = AF_INET */
		BPF_LDX_MEM(BPF_B, BPF_REG_1, BPF_REG_10, FP_HDR), /* r1 = hdr.type */
		BPF_JMP_IMM(BPF_JEQ, BPF_REG_1, 8, 4),		/* if r1 == 8 goto family (+4) */
		BPF_MOV64_IMM(BPF_REG_8, AF_INET6),		/* r8 = AF_INET6 */
		BPF_MOV64_IMM(BPF_REG_2, spec->ipv6),		/* r2 = IPV6 */
		BPF_JMP_IMM(BPF_JEQ, BPF_REG_2, 0, 80),		/* if r2 == 0 goto out (+80) */
		BPF_JMP_IMM(BPF_JNE, BPF_REG_1, 128, 79),	/* if r1 != 128 goto out (+79) */
		/* family: */
		BPF_MOV64_REG(BPF_REG_1, BPF_REG_10),
		BPF_ALU64_IMM(BPF_ADD, BPF_REG_1, FP_FAMILY),	/* r1 = &family */
		BPF_MOV64_IMM(BPF_REG_2, 2),			/* r2 = sizeof(family) */
		BPF_MOV64_REG(BPF_REG_3, BPF_REG_7),		/* r3 = addr */
		BPF_EMIT_CALL(spec->read_user),			/* read_user(&family, 2, addr) */
		BPF_LDX_MEM(BPF_H, BPF_REG_1, BPF_REG_10, FP_FAMILY), /* r1 = family */
		BPF_JMP_REG(BPF_JNE, BPF_REG_1, BPF_REG_8, 72),	/* if r1 != r8 goto out (+72) */
		BPF_MOV64_IMM(BPF_REG_1, spec->pid),		/* r1 = PID */
		BPF_JMP_IMM(BPF_JEQ, BPF_REG_1, 0, 3),		/* if r1 == 0 goto reasons (+3) */
		BPF_EMIT_CALL(BPF_FUNC_get_current_pid_tgid),	/* r0 = tgid << 32 | tid */
		BPF_ALU64_IMM(BPF_RSH, BPF_REG_0, 32),		/* r0 = tgid */
		BPF_JMP_IMM(BPF_JNE, BPF_REG_0, spec->pid, 67),	/* if r0 != PID goto out (+67) */
		/* reasons: */
		BPF_MOV64_IMM(BPF_REG_9, STAT_CHECKSUM0),	/* r9 = STAT_CHECKSUM0 */
		BPF_JMP_IMM(BPF_JNE, BPF_REG_8, AF_INET, 2),	/* if r8 != AF_INET goto id (+2) */
		BPF_LDX_MEM(BPF_H, BPF_REG_1, BPF_REG_10, FP_HDR + 2), /* r1 = hdr.checksum */
		BPF_JMP_IMM(BPF_JEQ, BPF_REG_1, 0, 7),		/* if r1 == 0 goto not_counted (+7) */
		/* id: */
		BPF_MOV64_IMM(BPF_REG_9, STAT_ID0),		/* r9 = STAT_ID0 */
		BPF_LDX_MEM(BPF_H, BPF_REG_1, BPF_REG_10, FP_HDR + 4), /* r1 = hdr.id */
		BPF_JMP_IMM(BPF_JEQ, BPF_REG_1, 0, 4),		/* if r1 == 0 goto not_counted (+4) */
		BPF_MOV64_IMM(BPF_REG_9, STAT_SEQ0),		/* r9 = STAT_SEQ0 */
		BPF_LDX_MEM(BPF_H, BPF_REG_1, BPF_REG_10, FP_HDR + 6), /* r1 = hdr.seq */
		BPF_JMP_IMM(BPF_JEQ, BPF_REG_1, 0, 1),		/* if r1 == 0 goto not_counted (+1) */
		BPF_JMP_A(2),					/* goto counted (+2) */
		/* not_counted: */
		BPF_MOV64_IMM(BPF_REG_1, spec->all),		/* r1 = ALL */
		BPF_JMP_IMM(BPF_JEQ, BPF_REG_1, 0, 44),		/* if r1 == 0 goto stat (+44) */
		/* counted: */
		BPF_MOV64_IMM(BPF_REG_1, spec->exit),		/* r1 = EXIT */
		BPF_JMP_IMM(BPF_JEQ, BPF_REG_1, 0, 12),		/* if r1 == 0 goto count (+12) */
		BPF_EMIT_CALL(BPF_FUNC_get_current_pid_tgid),	/* r0 = tgid << 32 | tid */
		BPF_STX_MEM(BPF_W, BPF_REG_10, BPF_REG_0, FP_IDX), /* idx = tid */
		BPF_STX_MEM(BPF_W, BPF_REG_10, BPF_REG_8, FP_VAL), /* val = r8 */
		BPF_LD_MAP_FD(BPF_REG_1, spec->pending_fd),	/* r1 = pending (2 slots) */
		BPF_MOV64_REG(BPF_REG_2, BPF_REG_10),
		BPF_ALU64_IMM(BPF_ADD, BPF_REG_2, FP_IDX),	/* r2 = &tid */
		BPF_MOV64_REG(BPF_REG_3, BPF_REG_10),
		BPF_ALU64_IMM(BPF_ADD, BPF_REG_3, FP_VAL),	/* r3 = &family */
		BPF_MOV64_IMM(BPF_REG_4, BPF_ANY),		/* r4 = flags */
		BPF_EMIT_CALL(BPF_FUNC_map_update_elem),	/* update(pending, &tid, &family) */
		BPF_JMP_A(40),					/* goto out (+40) */
	};

	_Static_assert(ARRAY_SIZE(body) == BODY_LEN, "body jumps are stale");
	memcpy(insns, body, sizeof(body));
	return ARRAY_SIZE(body);
}

/*
 * The exit program, for -x, on sys_exit_sendto (or raw_syscalls:sys_exit,
 * with the same syscall-number check as the entry, or sys_exit_socketcall):
 *
 *	if (NR && ctx->id != NR) return 0;
 *	if (!(p = map_lookup_elem(pending, &tid)))
 *		return 0;			// not a send we counted
 *	r8 = *p;
 *	map_delete_elem(pending, &tid);
 *	if (ctx->ret < 0)			// sign-extended from its width
 *		return 0;
 *	goto count;
 */
enum { EXIT_LEN = 24 };

static size_t emit_exit(struct bpf_insn *insns, const struct prog_spec *spec)
{
	const struct sendto_fields *f = spec->fields;
	int shift = 64 - 8 * (int)f->ret.size;	/* 32 on 32-bit kernels, else 0 */
	const struct bpf_insn exit_head[] = {
		BPF_MOV64_REG(BPF_REG_6, BPF_REG_1),		/* r6 = ctx */
		BPF_MOV64_IMM(BPF_REG_1, spec->syscall_nr),	/* r1 = NR */
		BPF_JMP_IMM(BPF_JEQ, BPF_REG_1, 0, 2),		/* if r1 == 0 goto tid (+2) */
		BPF_LDX_MEM(ld_size(&f->id), BPF_REG_1, BPF_REG_6,
			    f->id.offset),			/* r1 = ctx->id */
		BPF_JMP_IMM(BPF_JNE, BPF_REG_1, spec->syscall_nr, 59), /* if r1 != NR goto out (+59) */
		/* tid: */
		BPF_EMIT_CALL(BPF_FUNC_get_current_pid_tgid),	/* r0 = tgid << 32 | tid */
		BPF_STX_MEM(BPF_W, BPF_REG_10, BPF_REG_0, FP_IDX), /* idx = tid */
		BPF_LD_MAP_FD(BPF_REG_1, spec->pending_fd),	/* r1 = pending (2 slots) */
		BPF_MOV64_REG(BPF_REG_2, BPF_REG_10),
		BPF_ALU64_IMM(BPF_ADD, BPF_REG_2, FP_IDX),	/* r2 = &tid */
		BPF_EMIT_CALL(BPF_FUNC_map_lookup_elem),	/* r0 = lookup(pending, &tid) */
		BPF_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 51),		/* if r0 == 0 goto out (+51) */
		BPF_LDX_MEM(BPF_W, BPF_REG_8, BPF_REG_0, 0),	/* r8 = *p: the family */
		BPF_LD_MAP_FD(BPF_REG_1, spec->pending_fd),	/* r1 = pending (2 slots) */
		BPF_MOV64_REG(BPF_REG_2, BPF_REG_10),
		BPF_ALU64_IMM(BPF_ADD, BPF_REG_2, FP_IDX),	/* r2 = &tid */
		BPF_EMIT_CALL(BPF_FUNC_map_delete_elem),	/* delete(pending, &tid) */
		BPF_LDX_MEM(ld_size(&f->ret), BPF_REG_1, BPF_REG_6,
			    f->ret.offset),			/* r1 = ctx->ret */
		BPF_ALU64_IMM(BPF_LSH, BPF_REG_1, shift),	/* r1 <<= 64 - width */
		BPF_ALU64_IMM(BPF_ARSH, BPF_REG_1, shift),	/* r1 s>>= 64 - width */
		BPF_JMP_IMM(BPF_JSGE, BPF_REG_1, 0, 1),		/* if r1 s>= 0 goto count (+1) */
		BPF_JMP_A(TAIL_OUT),				/* goto out (+40) */
	};

	_Static_assert(ARRAY_SIZE(exit_head) == EXIT_LEN, "exit jumps are stale");
	memcpy(insns, exit_head, sizeof(exit_head));
	return ARRAY_SIZE(exit_head);
}

size_t prog_hand_build(struct bpf_insn *insns, size_t max,
		       const struct prog_spec *spec)
{
	size_t head = spec->kind == PROG_EXIT ? EXIT_LEN :
		      spec->kind == PROG_ENTRY_SOCKETCALL ?
		      SOCKETCALL_LEN + BODY_LEN : SENDTO_LEN + BODY_LEN;
	size_t n;

	if (max < head + TAIL_LEN)
		return 0;
	switch (spec->kind) {
	case PROG_EXIT:
		n = emit_exit(insns, spec);
		break;
	case PROG_ENTRY_SOCKETCALL:
		n = emit_enter_socketcall(insns, spec);
		n += emit_body(insns + n, spec);
		break;
	default:
		n = emit_enter_sendto(insns, spec);
		n += emit_body(insns + n, spec);
		break;
	}
	return n + emit_tail(insns + n, spec);
}
