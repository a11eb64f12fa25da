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
 * Field offsets, map fds and the options go in as the arrays are built,
 * so one source serves 32- and 64-bit kernels and every option; an option
 * that is off leaves only no-ops, which the verifier removes (OPT below).
 */
#include <string.h>
#include <sys/socket.h>

#include "bpf_insn.h"
#include "icmpcount.h"

/* The stack: the ICMP header, the address family, the map key, scratch. */
#define FP_HDR		(-8)	/* type, code, checksum, id, seq: 8 bytes */
#define FP_FAMILY	(-16)	/* sa_family: 2 bytes */
#define FP_KEY		(-32)	/* the comm, or a stat key: 16 bytes */
#define FP_ONE		(-40)	/* the value 1, for a new map element */
#define FP_IDX		(-44)	/* a u32 key: the thread id, for pending */
#define FP_VAL		(-48)	/* a u32 value: the family, for pending */
#define FP_ARGS		(-96)	/* socketcall: its first five arguments */

/* The width of a tracepoint field as a BPF load size. */
static int ld_size(const struct tp_field *f)
{
	return f->size == 4 ? BPF_W : BPF_DW;
}

/*
 * The options are in the listing, but cost nothing when they are off: each
 * instruction that serves only an option is OPT(option, insn), itself when
 * the option is on and otherwise "goto +0", a no-op that the verifier
 * removes before the program runs (5.1 and later, for a privileged
 * loader; older kernels run it, and it costs next to nothing).  A skip over the code would not do: the
 * verifier refuses a program with an instruction no path can reach.  So
 * what the kernel runs has no trace of an option that is off: bpftool
 * prog dump xlated shows it.  OPT_LD_MAP_FD is the same for the two slots
 * of a map load.
 */
#define NOP			BPF_JMP_A(0)
#define OPT(on, insn)		((on) ? (insn) : NOP)
#define OPT_LD_MAP_FD(on, DST, FD)					\
	OPT(on, ((struct bpf_insn) {					\
		.code  = BPF_LD | BPF_DW | BPF_IMM,			\
		.dst_reg = (DST),					\
		.src_reg = BPF_PSEUDO_MAP_FD,				\
		.off   = 0,						\
		.imm   = (FD) })),					\
	OPT(on, ((struct bpf_insn) {					\
		.code  = 0,						\
		.dst_reg = 0,						\
		.src_reg = 0,						\
		.off   = 0,						\
		.imm   = 0 }))

/*
 * A jump counts from the instruction after it: one at index "from" of an
 * array that goes to index "to" of the same layout is goto +(to - from - 1).
 * The parts are laid out without a gap (prologue, body, tail; or the exit
 * head, tail), so each part names its targets from its own start: the
 * tail's labels below, plus the lengths of the parts before it.
 */
#define JUMP(from, to)		((to) - (from) - 1)

/*
 * The counting tail, shared by both programs.  On entry r8 holds the family
 * the send went to (AF_INET or AF_INET6); "stat" wants a stat key in r9.
 *
 *	count:	key = {}; get_current_comm(&key, 16);
 *		map = IPV6 && r8 != AF_INET ? counts6 : counts;
 *		if ((v = map_lookup_elem(map, &key)))
 *			goto inc;
 *		if (!map_update_elem(map, &key, &one, BPF_ANY))
 *			return 0;
 *		r9 = STAT_KEY(STAT_DROPPED);	// the map is full
 *	stat:	key = { r9, 0 };		// the loader made these keys
 *		if (!(v = map_lookup_elem(counts, &key)))
 *			return 0;
 *	inc:	*v += 1;			// per-CPU value: no atomics
 *		return 0;
 *
 * The key is zeroed first, although the verifier would let
 * get_current_comm() fill stack nothing has written: on some kernels
 * (Debian's 6.1 among them) the helper copies the name with strscpy(),
 * which stops at its NUL and leaves the rest of the buffer as it was, so
 * the key would end in whatever the stack held (vmtest saw one ping of
 * five counted there).  Newer kernels pad the name, as older ones did.
 * A per-CPU hash is exact without atomics: each CPU writes only its own
 * slot, and BPF_ANY on an element another CPU has just made sets this
 * CPU's slot in it.  The programs return 0: a tracepoint program's non-zero
 * return also makes a perf sample, which costs hundreds of nanoseconds.
 */
enum { TAIL_COUNT = 0, TAIL_STAT = 26, TAIL_INC = 34, TAIL_OUT = 37,
       TAIL_LEN = 39 };

static size_t emit_tail(struct bpf_insn *insns, const struct prog_spec *spec)
{
	int v6 = spec->ipv6;
	const struct bpf_insn tail[] = {
		/* count: */
		BPF_ST_MEM(BPF_DW, BPF_REG_10, FP_KEY, 0),	/* key[0..7] = 0 */
		BPF_ST_MEM(BPF_DW, BPF_REG_10, FP_KEY + 8, 0),	/* key[8..15] = 0 */
		BPF_MOV64_REG(BPF_REG_1, BPF_REG_10),
		BPF_ALU64_IMM(BPF_ADD, BPF_REG_1, FP_KEY),	/* r1 = &key */
		BPF_MOV64_IMM(BPF_REG_2, COMM_LEN),		/* r2 = sizeof(key) */
		BPF_EMIT_CALL(BPF_FUNC_get_current_comm),	/* key = comm */
		BPF_LD_MAP_FD(BPF_REG_9, spec->counts_fd),	/* r9 = counts (2 slots) */
		OPT(v6, BPF_JMP_IMM(BPF_JEQ, BPF_REG_8, AF_INET, 2)), /* IPV6: if r8 == AF_INET goto +2 */
		OPT_LD_MAP_FD(v6, BPF_REG_9, spec->counts6_fd),	/* IPV6: r9 = counts6 (2 slots) */
		BPF_MOV64_REG(BPF_REG_1, BPF_REG_9),		/* r1 = map */
		BPF_MOV64_REG(BPF_REG_2, BPF_REG_10),
		BPF_ALU64_IMM(BPF_ADD, BPF_REG_2, FP_KEY),	/* r2 = &key */
		BPF_EMIT_CALL(BPF_FUNC_map_lookup_elem),	/* r0 = lookup(map, &key) */
		BPF_JMP_IMM(BPF_JNE, BPF_REG_0, 0, JUMP(15, TAIL_INC)), /* if r0 != 0 goto inc */
		BPF_ST_MEM(BPF_DW, BPF_REG_10, FP_ONE, 1),	/* one = 1 */
		BPF_MOV64_REG(BPF_REG_1, BPF_REG_9),		/* r1 = map */
		BPF_MOV64_REG(BPF_REG_2, BPF_REG_10),
		BPF_ALU64_IMM(BPF_ADD, BPF_REG_2, FP_KEY),	/* r2 = &key */
		BPF_MOV64_REG(BPF_REG_3, BPF_REG_10),
		BPF_ALU64_IMM(BPF_ADD, BPF_REG_3, FP_ONE),	/* r3 = &one */
		BPF_MOV64_IMM(BPF_REG_4, BPF_ANY),		/* r4 = flags */
		BPF_EMIT_CALL(BPF_FUNC_map_update_elem),	/* r0 = update(map, &key, &one) */
		BPF_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, JUMP(24, TAIL_OUT)), /* if r0 == 0 goto out */
		BPF_MOV64_IMM(BPF_REG_9, STAT_KEY(STAT_DROPPED)), /* r9 = the drop key */
		/* stat: */
		BPF_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_9, FP_KEY), /* key[0..7] = r9 */
		BPF_ST_MEM(BPF_DW, BPF_REG_10, FP_KEY + 8, 0),	/* key[8..15] = 0 */
		BPF_LD_MAP_FD(BPF_REG_1, spec->counts_fd),	/* r1 = counts (2 slots) */
		BPF_MOV64_REG(BPF_REG_2, BPF_REG_10),
		BPF_ALU64_IMM(BPF_ADD, BPF_REG_2, FP_KEY),	/* r2 = &key */
		BPF_EMIT_CALL(BPF_FUNC_map_lookup_elem),	/* r0 = lookup(counts, &key) */
		BPF_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, JUMP(33, TAIL_OUT)), /* if r0 == 0 goto out */
		/* inc: */
		BPF_LDX_MEM(BPF_DW, BPF_REG_1, BPF_REG_0, 0),	/* r1 = *v */
		BPF_ALU64_IMM(BPF_ADD, BPF_REG_1, 1),		/* r1 += 1 */
		BPF_STX_MEM(BPF_DW, BPF_REG_0, BPF_REG_1, 0),	/* *v = r1 */
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
 * after a check of the syscall number (NR, 0 on sys_enter_sendto):
 *
 *	if (NR && ctx->id != NR) return 0;
 *	if (ctx->len <= 8 || !ctx->buff || !ctx->addr)
 *		return 0;			// arguments alone: no helper call
 *
 * The body and tail follow, so a prologue's out is at its own length +
 * BODY_LEN + TAIL_OUT.
 */
enum { BODY_LEN = 51, SENDTO_LEN = 9, SOCKETCALL_LEN = 15 };

static size_t emit_enter_sendto(struct bpf_insn *insns,
				const struct prog_spec *spec)
{
	const struct sendto_fields *f = spec->fields;
	int nr = spec->syscall_nr;
	enum { OUT = SENDTO_LEN + BODY_LEN + TAIL_OUT };
	const struct bpf_insn prologue[] = {
		BPF_MOV64_REG(BPF_REG_6, BPF_REG_1),		/* r6 = ctx */
		OPT(nr, BPF_LDX_MEM(ld_size(&f->id), BPF_REG_1, BPF_REG_6,
				    f->id.offset)),		/* NR: r1 = ctx->id */
		OPT(nr, BPF_JMP_IMM(BPF_JNE, BPF_REG_1, nr, JUMP(2, OUT))), /* NR: if r1 != NR goto out */
		BPF_LDX_MEM(ld_size(&f->len), BPF_REG_7, BPF_REG_6,
			    f->len.offset),			/* r7 = ctx->len */
		BPF_JMP_IMM(BPF_JLE, BPF_REG_7, 8, JUMP(4, OUT)), /* if r7 <= 8 goto out */
		BPF_LDX_MEM(ld_size(&f->buff), BPF_REG_3, BPF_REG_6,
			    f->buff.offset),			/* r3 = ctx->buff */
		BPF_JMP_IMM(BPF_JEQ, BPF_REG_3, 0, JUMP(6, OUT)), /* if r3 == 0 goto out */
		BPF_LDX_MEM(ld_size(&f->addr), BPF_REG_7, BPF_REG_6,
			    f->addr.offset),			/* r7 = ctx->addr */
		BPF_JMP_IMM(BPF_JEQ, BPF_REG_7, 0, JUMP(8, OUT)), /* if r7 == 0 goto out */
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
	enum { OUT = SOCKETCALL_LEN + BODY_LEN + TAIL_OUT };
	const struct bpf_insn prologue[] = {
		BPF_MOV64_REG(BPF_REG_6, BPF_REG_1),		/* r6 = ctx */
		BPF_LDX_MEM(ld_size(&f->call), BPF_REG_1, BPF_REG_6,
			    f->call.offset),			/* r1 = ctx->call */
		BPF_JMP_IMM(BPF_JNE, BPF_REG_1, 11, JUMP(2, OUT)), /* if r1 != SYS_SENDTO goto out */
		BPF_LDX_MEM(ld_size(&f->args), BPF_REG_3, BPF_REG_6,
			    f->args.offset),			/* r3 = ctx->args */
		BPF_JMP_IMM(BPF_JEQ, BPF_REG_3, 0, JUMP(4, OUT)), /* if r3 == 0 goto out */
		BPF_MOV64_REG(BPF_REG_1, BPF_REG_10),
		BPF_ALU64_IMM(BPF_ADD, BPF_REG_1, FP_ARGS),	/* r1 = &a */
		BPF_MOV64_IMM(BPF_REG_2, 5 * w),		/* r2 = 5 words */
		BPF_EMIT_CALL(spec->read_user),			/* read_user(&a, 5 * W, args) */
		BPF_LDX_MEM(size, BPF_REG_7, BPF_REG_10, FP_ARGS + 2 * w), /* r7 = a.len */
		BPF_JMP_IMM(BPF_JLE, BPF_REG_7, 8, JUMP(10, OUT)), /* if r7 <= 8 goto out */
		BPF_LDX_MEM(size, BPF_REG_3, BPF_REG_10, FP_ARGS + 1 * w), /* r3 = a.buff */
		BPF_JMP_IMM(BPF_JEQ, BPF_REG_3, 0, JUMP(12, OUT)), /* if r3 == 0 goto out */
		BPF_LDX_MEM(size, BPF_REG_7, BPF_REG_10, FP_ARGS + 4 * w), /* r7 = a.addr */
		BPF_JMP_IMM(BPF_JEQ, BPF_REG_7, 0, JUMP(14, OUT)), /* if r7 == 0 goto out */
	};

	_Static_assert(ARRAY_SIZE(prologue) == SOCKETCALL_LEN,
		       "socketcall jumps are stale");
	memcpy(insns, prologue, sizeof(prologue));
	return ARRAY_SIZE(prologue);
}

/*
 * The entry body, after a prologue (r3 = buff, r7 = addr; then r8 holds the
 * family, r9 a stat key):
 *
 *	read_user(&hdr, 8, buff);		// zeroes hdr if unreadable
 *	if (hdr.code != 0) return 0;
 *	if (hdr.type == 8) r8 = AF_INET;
 *	else if (IPV6 && hdr.type == 128) r8 = AF_INET6;
 *	else return 0;
 *	read_user(&family, 2, addr);		// zeroes family if unreadable
 *	if (family != r8) return 0;
 *	if (PID && get_current_pid_tgid() >> 32 != PID) return 0;
 *	if (!ALL && ((r8 == AF_INET && !hdr.checksum && (r9 = CHECKSUM0)) ||
 *		     (!hdr.id && (r9 = ID0)) || (!hdr.seq && (r9 = SEQ0))))
 *		goto stat;			// an echo request not counted
 *	if (!EXIT) goto count;
 *	if ((p = map_lookup_elem(pending, &tid)))	// -x: the exit program
 *		*p = r8;			// counts it.  A thread's element
 *	else					// stays, so its later sends
 *		map_update_elem(pending, &tid, &r8, BPF_ANY);	// write it in
 *	return 0;				// place: cheaper than an update
 *
 * IPV6, PID, ALL and EXIT are the options (OPT); without -6, the type test
 * is the one jump "if (hdr.type != 8) goto out".  With -x, the last jump
 * tests r8, which is never 0, rather than going to out outright: count
 * must stay reachable, or the verifier would refuse the program; it sees
 * that the jump is always taken, and (from 5.1) drops count from what it
 * loads.
 */
static size_t emit_body(struct bpf_insn *insns, const struct prog_spec *spec)
{
	int v6 = spec->ipv6, pid = spec->pid, all = spec->all, x = spec->exit;
	enum { FAMILY = 11, ID = 25, NEW = 41,
	       STAT = BODY_LEN + TAIL_STAT, OUT = BODY_LEN + TAIL_OUT };
	const struct bpf_insn body[] = {
		BPF_MOV64_REG(BPF_REG_1, BPF_REG_10),
		BPF_ALU64_IMM(BPF_ADD, BPF_REG_1, FP_HDR),	/* r1 = &hdr */
		BPF_MOV64_IMM(BPF_REG_2, 8),			/* r2 = sizeof(hdr) */
		BPF_EMIT_CALL(spec->read_user),			/* read_user(&hdr, 8, buff) */
		BPF_LDX_MEM(BPF_B, BPF_REG_1, BPF_REG_10, FP_HDR + 1), /* r1 = hdr.code */
		BPF_JMP_IMM(BPF_JNE, BPF_REG_1, 0, JUMP(5, OUT)), /* if r1 != 0 goto out */
		BPF_MOV64_IMM(BPF_REG_8, AF_INET),		/* r8 = AF_INET */
		BPF_LDX_MEM(BPF_B, BPF_REG_1, BPF_REG_10, FP_HDR), /* r1 = hdr.type */
		v6 ? BPF_JMP_IMM(BPF_JEQ, BPF_REG_1, 8, JUMP(8, FAMILY)) : /* IPV6: if r1 == 8 goto family */
		BPF_JMP_IMM(BPF_JNE, BPF_REG_1, 8, JUMP(8, OUT)), /* else: if r1 != 8 goto out */
		OPT(v6, BPF_MOV64_IMM(BPF_REG_8, AF_INET6)),	/* IPV6: r8 = AF_INET6 */
		OPT(v6, BPF_JMP_IMM(BPF_JNE, BPF_REG_1, 128, JUMP(10, OUT))), /* IPV6: if r1 != 128 goto out */
		/* family: */
		BPF_MOV64_REG(BPF_REG_1, BPF_REG_10),
		BPF_ALU64_IMM(BPF_ADD, BPF_REG_1, FP_FAMILY),	/* r1 = &family */
		BPF_MOV64_IMM(BPF_REG_2, 2),			/* r2 = sizeof(family) */
		BPF_MOV64_REG(BPF_REG_3, BPF_REG_7),		/* r3 = addr */
		BPF_EMIT_CALL(spec->read_user),			/* read_user(&family, 2, addr) */
		BPF_LDX_MEM(BPF_H, BPF_REG_1, BPF_REG_10, FP_FAMILY), /* r1 = family */
		BPF_JMP_REG(BPF_JNE, BPF_REG_1, BPF_REG_8, JUMP(17, OUT)), /* if r1 != r8 goto out */
		OPT(pid, BPF_EMIT_CALL(BPF_FUNC_get_current_pid_tgid)), /* PID: r0 = tgid << 32 | tid */
		OPT(pid, BPF_ALU64_IMM(BPF_RSH, BPF_REG_0, 32)), /* PID: r0 = tgid */
		OPT(pid, BPF_JMP_IMM(BPF_JNE, BPF_REG_0, pid, JUMP(20, OUT))), /* PID: if r0 != PID goto out */
		/* reasons: */
		OPT(!all, BPF_MOV64_IMM(BPF_REG_9, STAT_KEY(STAT_CHECKSUM0))), /* !ALL: r9 = checksum key */
		OPT(v6 && !all, BPF_JMP_IMM(BPF_JNE, BPF_REG_8, AF_INET, JUMP(22, ID))), /* !ALL, IPV6: if r8 != AF_INET goto id */
		OPT(!all, BPF_LDX_MEM(BPF_H, BPF_REG_1, BPF_REG_10, FP_HDR + 2)), /* !ALL: r1 = hdr.checksum */
		OPT(!all, BPF_JMP_IMM(BPF_JEQ, BPF_REG_1, 0, JUMP(24, STAT))), /* !ALL: if r1 == 0 goto stat */
		/* id: */
		OPT(!all, BPF_MOV64_IMM(BPF_REG_9, STAT_KEY(STAT_ID0))), /* !ALL: r9 = id key */
		OPT(!all, BPF_LDX_MEM(BPF_H, BPF_REG_1, BPF_REG_10, FP_HDR + 4)), /* !ALL: r1 = hdr.id */
		OPT(!all, BPF_JMP_IMM(BPF_JEQ, BPF_REG_1, 0, JUMP(27, STAT))), /* !ALL: if r1 == 0 goto stat */
		OPT(!all, BPF_MOV64_IMM(BPF_REG_9, STAT_KEY(STAT_SEQ0))), /* !ALL: r9 = seq key */
		OPT(!all, BPF_LDX_MEM(BPF_H, BPF_REG_1, BPF_REG_10, FP_HDR + 6)), /* !ALL: r1 = hdr.seq */
		OPT(!all, BPF_JMP_IMM(BPF_JEQ, BPF_REG_1, 0, JUMP(30, STAT))), /* !ALL: if r1 == 0 goto stat */
		/* counted: without -x, on to count */
		OPT(x, BPF_EMIT_CALL(BPF_FUNC_get_current_pid_tgid)), /* EXIT: r0 = tgid << 32 | tid */
		OPT(x, BPF_STX_MEM(BPF_W, BPF_REG_10, BPF_REG_0, FP_IDX)), /* EXIT: idx = tid */
		OPT_LD_MAP_FD(x, BPF_REG_1, spec->pending_fd),	/* EXIT: r1 = pending (2 slots) */
		OPT(x, BPF_MOV64_REG(BPF_REG_2, BPF_REG_10)),
		OPT(x, BPF_ALU64_IMM(BPF_ADD, BPF_REG_2, FP_IDX)), /* EXIT: r2 = &tid */
		OPT(x, BPF_EMIT_CALL(BPF_FUNC_map_lookup_elem)), /* EXIT: r0 = lookup(pending, &tid) */
		OPT(x, BPF_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, JUMP(38, NEW))), /* EXIT: if r0 == 0 goto new */
		OPT(x, BPF_STX_MEM(BPF_W, BPF_REG_0, BPF_REG_8, 0)), /* EXIT: *p = r8 */
		OPT(x, BPF_JMP_A(JUMP(40, OUT))),		/* EXIT: goto out */
		/* new: */
		OPT(x, BPF_STX_MEM(BPF_W, BPF_REG_10, BPF_REG_8, FP_VAL)), /* EXIT: val = r8 */
		OPT_LD_MAP_FD(x, BPF_REG_1, spec->pending_fd),	/* EXIT: r1 = pending (2 slots) */
		OPT(x, BPF_MOV64_REG(BPF_REG_2, BPF_REG_10)),
		OPT(x, BPF_ALU64_IMM(BPF_ADD, BPF_REG_2, FP_IDX)), /* EXIT: r2 = &tid */
		OPT(x, BPF_MOV64_REG(BPF_REG_3, BPF_REG_10)),
		OPT(x, BPF_ALU64_IMM(BPF_ADD, BPF_REG_3, FP_VAL)), /* EXIT: r3 = &family */
		OPT(x, BPF_MOV64_IMM(BPF_REG_4, BPF_ANY)),	/* EXIT: r4 = flags */
		OPT(x, BPF_EMIT_CALL(BPF_FUNC_map_update_elem)), /* EXIT: update(pending, &tid, &family) */
		OPT(x, BPF_JMP_IMM(BPF_JNE, BPF_REG_8, 0, JUMP(50, OUT))), /* EXIT: if r8 != 0 goto out */
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
 *	if (!(p = map_lookup_elem(pending, &tid)) || !(r8 = *p))
 *		return 0;			// not a send we counted
 *	*p = 0;					// taken: cheaper than a delete
 *	if (ctx->ret < 0)			// sign-extended from its width
 *		return 0;			// (SHIFT: 32 on 32-bit kernels)
 *	goto count;
 */
enum { EXIT_LEN = 19 };

static size_t emit_exit(struct bpf_insn *insns, const struct prog_spec *spec)
{
	const struct sendto_fields *f = spec->fields;
	int nr = spec->syscall_nr;
	int shift = 64 - 8 * (int)f->ret.size;	/* 64 - the width of ret */
	enum { COUNT = EXIT_LEN + TAIL_COUNT, OUT = EXIT_LEN + TAIL_OUT };
	const struct bpf_insn exit_head[] = {
		BPF_MOV64_REG(BPF_REG_6, BPF_REG_1),		/* r6 = ctx */
		OPT(nr, BPF_LDX_MEM(ld_size(&f->id), BPF_REG_1, BPF_REG_6,
				    f->id.offset)),		/* NR: r1 = ctx->id */
		OPT(nr, BPF_JMP_IMM(BPF_JNE, BPF_REG_1, nr, JUMP(2, OUT))), /* NR: if r1 != NR goto out */
		BPF_EMIT_CALL(BPF_FUNC_get_current_pid_tgid),	/* r0 = tgid << 32 | tid */
		BPF_STX_MEM(BPF_W, BPF_REG_10, BPF_REG_0, FP_IDX), /* idx = tid */
		BPF_LD_MAP_FD(BPF_REG_1, spec->pending_fd),	/* r1 = pending (2 slots) */
		BPF_MOV64_REG(BPF_REG_2, BPF_REG_10),
		BPF_ALU64_IMM(BPF_ADD, BPF_REG_2, FP_IDX),	/* r2 = &tid */
		BPF_EMIT_CALL(BPF_FUNC_map_lookup_elem),	/* r0 = lookup(pending, &tid) */
		BPF_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, JUMP(10, OUT)), /* if r0 == 0 goto out */
		BPF_LDX_MEM(BPF_W, BPF_REG_8, BPF_REG_0, 0),	/* r8 = *p: the family */
		BPF_JMP_IMM(BPF_JEQ, BPF_REG_8, 0, JUMP(12, OUT)), /* if r8 == 0 goto out */
		BPF_ST_MEM(BPF_W, BPF_REG_0, 0, 0),		/* *p = 0 */
		BPF_LDX_MEM(ld_size(&f->ret), BPF_REG_1, BPF_REG_6,
			    f->ret.offset),			/* r1 = ctx->ret */
		OPT(shift, BPF_ALU64_IMM(BPF_LSH, BPF_REG_1, shift)), /* SHIFT: r1 <<= SHIFT */
		OPT(shift, BPF_ALU64_IMM(BPF_ARSH, BPF_REG_1, shift)), /* SHIFT: r1 s>>= SHIFT */
		BPF_JMP_IMM(BPF_JSGE, BPF_REG_1, 0, JUMP(17, COUNT)), /* if r1 s>= 0 goto count */
		BPF_JMP_A(JUMP(18, OUT)),			/* goto out */
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
