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
 * that is off leaves only no-ops, which the verifier removes (opt(), in
 * bpf_asm.c).  Jumps go to labels that bpf_asm.c places and counts.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/net.h>

#include "bpf_asm.h"
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

#define HDR_LEN		8	/* an ICMP echo header; the reference
				 * counts sends longer than this */
#define SOCKETCALL_ARGS	5	/* fd, buff, len, flags, addr */

/* The width of a tracepoint field as a BPF load size. */
static int ld_size(const struct tp_field *f)
{
	return f->size == 4 ? BPF_W : BPF_DW;
}

/* r = ctx->field */
static void ld_field(struct asm_prog *p, int reg, const struct tp_field *f)
{
	emit(p, BPF_LDX_MEM(ld_size(f), reg, BPF_REG_6, (__s16)f->offset));
}

/* reg = fp + off, a pointer to the stack */
static void fp_ptr(struct asm_prog *p, int reg, int off)
{
	emit(p, BPF_MOV64_REG(reg, BPF_REG_10));
	emit(p, BPF_ALU64_IMM(BPF_ADD, reg, off));
}

/* Where an argument is: the load's size, its base register and offset. */
struct arg {
	int size, reg, off;
};

/*
 * The arguments' tests, the same in every prologue, with no helper called:
 *	if (len <= 8 || !buff || !addr) return 0;
 * leaving buff in r3 and addr in r7 for the body.
 */
static void test_args(struct asm_prog *p, struct arg len, struct arg buff,
		      struct arg addr)
{
	emit(p, BPF_LDX_MEM(len.size, BPF_REG_7, len.reg, (__s16)len.off));
	jump(p, BPF_JMP_IMM(BPF_JLE, BPF_REG_7, HDR_LEN, 0), L_OUT);
	emit(p, BPF_LDX_MEM(buff.size, BPF_REG_3, buff.reg, (__s16)buff.off));
	jump(p, BPF_JMP_IMM(BPF_JEQ, BPF_REG_3, 0, 0), L_OUT);
	emit(p, BPF_LDX_MEM(addr.size, BPF_REG_7, addr.reg, (__s16)addr.off));
	jump(p, BPF_JMP_IMM(BPF_JEQ, BPF_REG_7, 0, 0), L_OUT);
}

/* A tracepoint field, read through r6 (ctx). */
static struct arg field_arg(const struct tp_field *f)
{
	return (struct arg){ ld_size(f), BPF_REG_6, (int)f->offset };
}

/*
 * The entry prologues find sendto()'s arguments and leave buff in r3 and
 * addr in r7 for the body, or go to out.  On sys_enter_sendto they are
 * fields of the record; on raw_syscalls:sys_enter, elements of its args[],
 * after a check of the syscall number (NR, 0 on sys_enter_sendto):
 *
 *	if (NR && ctx->id != NR) return 0;
 *	if (ctx->len <= 8 || !ctx->buff || !ctx->addr)
 *		return 0;		// arguments alone: no helper call
 */
static void emit_enter_sendto(struct asm_prog *p, const struct prog_spec *spec)
{
	const struct sendto_fields *f = spec->fields;
	int nr = spec->syscall_nr;

	emit(p, BPF_MOV64_REG(BPF_REG_6, BPF_REG_1));		/* r6 = ctx */
	/* NR: r1 = ctx->id; if (r1 != NR) goto out */
	opt(p, nr, BPF_LDX_MEM(ld_size(&f->id), BPF_REG_1, BPF_REG_6,
			       (__s16)f->id.offset));
	opt_jump(p, nr, BPF_JMP_IMM(BPF_JNE, BPF_REG_1, nr, 0), L_OUT);
	test_args(p, field_arg(&f->len), field_arg(&f->buff),
		  field_arg(&f->addr));
}

/*
 * On i386, glibc's sendto() is socketcall(SYS_SENDTO, args): the arguments
 * are in user memory, an array of words that one read brings in.
 *
 *	if (ctx->call != SYS_SENDTO || !ctx->args) return 0;
 *	read_user(&a, 5 * W, ctx->args);	// fd, buff, len, flags, addr
 *	if (a.len <= 8 || !a.buff || !a.addr) return 0;
 */
static void emit_enter_socketcall(struct asm_prog *p,
				  const struct prog_spec *spec)
{
	const struct sendto_fields *f = spec->fields;
	int w = (int)f->args.size;		/* the user's word: 4 or 8 */
	int size = w == 4 ? BPF_W : BPF_DW;

	emit(p, BPF_MOV64_REG(BPF_REG_6, BPF_REG_1));		/* r6 = ctx */
	ld_field(p, BPF_REG_1, &f->call);	/* r1 = ctx->call */
	jump(p, BPF_JMP_IMM(BPF_JNE, BPF_REG_1, SYS_SENDTO, 0), L_OUT);
	ld_field(p, BPF_REG_3, &f->args);	/* r3 = ctx->args */
	jump(p, BPF_JMP_IMM(BPF_JEQ, BPF_REG_3, 0, 0), L_OUT);
	fp_ptr(p, BPF_REG_1, FP_ARGS);				/* r1 = &a */
	/* r2 = 5 words */
	emit(p, BPF_MOV64_IMM(BPF_REG_2, SOCKETCALL_ARGS * w));
	/* read_user(&a, 5 * W, args) */
	emit(p, BPF_EMIT_CALL(spec->read_user));
	/* a.len, a.buff, a.addr */
	test_args(p, (struct arg){ size, BPF_REG_10, FP_ARGS + 2 * w },
		  (struct arg){ size, BPF_REG_10, FP_ARGS + 1 * w },
		  (struct arg){ size, BPF_REG_10, FP_ARGS + 4 * w });
}

/*
 * --compat: a 32-bit process on a 64-bit kernel (compat.c), on
 * raw_syscalls:sys_enter, where every system call of every process comes
 * by.  Its numbers are its own ABI's, and a native call may use the same
 * ones (102 is getuid on x86_64), so a number alone proves nothing: the
 * task's compat word must say so too, read from the task as the kernel
 * reads it for itself (TS_COMPAT, TIF_32BIT).  Its arguments are 32-bit
 * values in 64-bit slots: the low half of each, read as a word.
 *
 *	if (ctx->id != SENDTO32 && ctx->id != SOCKETCALL32) return 0;
 *	read_kernel(&w, SIZE, (void *)get_current_task() + OFF);
 *	if (!(w & BIT)) return 0;		// a native call
 *	if (ctx->id == SOCKETCALL32) {
 *		if ((u32)args[0] != SYS_SENDTO || !(u32)args[1]) return 0;
 *		read_user(&a, 5 * 4, (u32)args[1]);
 *		buff = a.buff, len = a.len, addr = a.addr;
 *	} else
 *		buff = (u32)args[1], len = (u32)args[2], addr = (u32)args[4];
 *	if (len <= 8 || !buff || !addr) return 0;
 *
 * The word goes through FP_HDR, which the body writes afresh.
 */
static void emit_enter_compat(struct asm_prog *p, const struct prog_spec *spec)
{
	const struct compat_abi *c = spec->compat;
	const struct sendto_fields *f = spec->fields;
	int sc = c->socketcall_nr, w = (int)f->buff.size;
	int args = (int)f->buff.offset - w;	/* args[0] */
	int wsize = c->task_size == 4 ? BPF_W : BPF_DW;

	emit(p, BPF_MOV64_REG(BPF_REG_6, BPF_REG_1));		/* r6 = ctx */
	ld_field(p, BPF_REG_8, &f->id);				/* r8 = ctx->id */
	jump(p, BPF_JMP_IMM(BPF_JEQ, BPF_REG_8, c->sendto_nr, 0), L_COMPAT);
	if (sc)
		jump(p, BPF_JMP_IMM(BPF_JNE, BPF_REG_8, sc, 0), L_OUT);
	else
		jump(p, BPF_JMP_A(0), L_OUT);
	place(p, L_COMPAT);
	emit(p, BPF_EMIT_CALL(BPF_FUNC_get_current_task));	/* r0 = task */
	fp_ptr(p, BPF_REG_1, FP_HDR);				/* r1 = &w */
	emit(p, BPF_MOV64_IMM(BPF_REG_2, (int)c->task_size));
	emit(p, BPF_MOV64_REG(BPF_REG_3, BPF_REG_0));
	emit(p, BPF_ALU64_IMM(BPF_ADD, BPF_REG_3, (int)c->task_off));
	emit(p, BPF_EMIT_CALL(c->read_kernel));	/* read_kernel(&w, SIZE, task + OFF) */
	emit(p, BPF_LDX_MEM(wsize, BPF_REG_1, BPF_REG_10, FP_HDR)); /* r1 = w */
	emit(p, BPF_ALU64_IMM(BPF_AND, BPF_REG_1, (int)c->task_bit));
	jump(p, BPF_JMP_IMM(BPF_JEQ, BPF_REG_1, 0, 0), L_OUT);	/* native */
	if (sc)
		jump(p, BPF_JMP_IMM(BPF_JEQ, BPF_REG_8, sc, 0),
		     L_COMPAT_SOCKETCALL);
	/* sendto(fd, buff, len, flags, addr, addrlen), each a word */
	test_args(p, (struct arg){ BPF_W, BPF_REG_6, args + 2 * w },
		  (struct arg){ BPF_W, BPF_REG_6, args + 1 * w },
		  (struct arg){ BPF_W, BPF_REG_6, args + 4 * w });
	if (!sc)
		return;
	jump(p, BPF_JMP_A(0), L_BODY);
	place(p, L_COMPAT_SOCKETCALL);
	/* socketcall(SYS_SENDTO, args): five words in user memory */
	emit(p, BPF_LDX_MEM(BPF_W, BPF_REG_1, BPF_REG_6, args));
	jump(p, BPF_JMP_IMM(BPF_JNE, BPF_REG_1, SYS_SENDTO, 0), L_OUT);
	emit(p, BPF_LDX_MEM(BPF_W, BPF_REG_3, BPF_REG_6, args + w));
	jump(p, BPF_JMP_IMM(BPF_JEQ, BPF_REG_3, 0, 0), L_OUT);
	fp_ptr(p, BPF_REG_1, FP_ARGS);				/* r1 = &a */
	emit(p, BPF_MOV64_IMM(BPF_REG_2, SOCKETCALL_ARGS * 4));
	emit(p, BPF_EMIT_CALL(spec->read_user));	/* read_user(&a, 20, args) */
	test_args(p, (struct arg){ BPF_W, BPF_REG_10, FP_ARGS + 2 * 4 },
		  (struct arg){ BPF_W, BPF_REG_10, FP_ARGS + 1 * 4 },
		  (struct arg){ BPF_W, BPF_REG_10, FP_ARGS + 4 * 4 });
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
 *	if ((p = map_lookup_elem(pending, &tid)))  // -x: the exit
 *		*p = r8;		// program counts it.  A thread's
 *	else				// element stays, so its later sends
 *		map_update_elem(pending, &tid, &r8, BPF_ANY);  // write it
 *	return 0;			// in place: cheaper than an update
 *
 * IPV6, PID, ALL and EXIT are the options (opt); without -6, the type test
 * is the one jump "if (hdr.type != 8) goto out".  With -x, the last jump
 * tests r8, which is never 0, rather than going to out outright: count
 * must stay reachable, or the verifier would refuse the program; it sees
 * that the jump is always taken, and (from 5.1) drops count from what it
 * loads.
 */
static void emit_body(struct asm_prog *p, const struct prog_spec *spec)
{
	int v6 = spec->ipv6, pid = spec->pid, all = spec->all, x = spec->exit;

	place(p, L_BODY);
	fp_ptr(p, BPF_REG_1, FP_HDR);				/* r1 = &hdr */
	emit(p, BPF_MOV64_IMM(BPF_REG_2, HDR_LEN));	/* r2 = sizeof(hdr) */
	emit(p, BPF_EMIT_CALL(spec->read_user)); /* read_user(&hdr, 8, buff) */
	/* r1 = hdr.code; if (r1 != 0) goto out */
	emit(p, BPF_LDX_MEM(BPF_B, BPF_REG_1, BPF_REG_10, FP_HDR + 1));
	jump(p, BPF_JMP_IMM(BPF_JNE, BPF_REG_1, 0, 0), L_OUT);
	emit(p, BPF_MOV64_IMM(BPF_REG_8, AF_INET));	/* r8 = AF_INET */
	/* r1 = type */
	emit(p, BPF_LDX_MEM(BPF_B, BPF_REG_1, BPF_REG_10, FP_HDR));
	if (v6)		/* IPV6: if (r1 == 8) goto family */
		jump(p, BPF_JMP_IMM(BPF_JEQ, BPF_REG_1, ICMP_ECHO, 0),
		     L_FAMILY);
	else		/* if (r1 != 8) goto out */
		jump(p, BPF_JMP_IMM(BPF_JNE, BPF_REG_1, ICMP_ECHO, 0), L_OUT);
	/* IPV6: r8 = AF_INET6 */
	opt(p, v6, BPF_MOV64_IMM(BPF_REG_8, AF_INET6));
	/* IPV6: if (r1 != 128) goto out */
	opt_jump(p, v6, BPF_JMP_IMM(BPF_JNE, BPF_REG_1, ICMPV6_ECHO_REQUEST, 0),
		 L_OUT);
	place(p, L_FAMILY);
	fp_ptr(p, BPF_REG_1, FP_FAMILY);	/* r1 = &family */
	emit(p, BPF_MOV64_IMM(BPF_REG_2, 2));	/* r2 = sizeof(family) */
	emit(p, BPF_MOV64_REG(BPF_REG_3, BPF_REG_7));		/* r3 = addr */
	/* read_user(&family, 2, addr) */
	emit(p, BPF_EMIT_CALL(spec->read_user));
	/* r1 = family; if (r1 != r8) goto out */
	emit(p, BPF_LDX_MEM(BPF_H, BPF_REG_1, BPF_REG_10, FP_FAMILY));
	jump(p, BPF_JMP_REG(BPF_JNE, BPF_REG_1, BPF_REG_8, 0), L_OUT);
	/* PID: if (get_current_pid_tgid() >> 32 != PID) goto out */
	opt(p, pid, BPF_EMIT_CALL(BPF_FUNC_get_current_pid_tgid));
	opt(p, pid, BPF_ALU64_IMM(BPF_RSH, BPF_REG_0, 32));
	opt_jump(p, pid, BPF_JMP_IMM(BPF_JNE, BPF_REG_0, pid, 0), L_OUT);
	/* !ALL: r9 = the checksum key; if (r8 == AF_INET && !hdr.checksum)
	 * goto stat (the checksum of ICMPv6 is the kernel's to fill) */
	opt(p, !all, BPF_MOV64_IMM(BPF_REG_9, STAT_KEY(STAT_CHECKSUM0)));
	opt_jump(p, v6 && !all, BPF_JMP_IMM(BPF_JNE, BPF_REG_8, AF_INET, 0),
		 L_ID);
	opt(p, !all, BPF_LDX_MEM(BPF_H, BPF_REG_1, BPF_REG_10, FP_HDR + 2));
	opt_jump(p, !all, BPF_JMP_IMM(BPF_JEQ, BPF_REG_1, 0, 0), L_STAT);
	place(p, L_ID);
	/* !ALL: r9 = the id key; if (!hdr.id) goto stat */
	opt(p, !all, BPF_MOV64_IMM(BPF_REG_9, STAT_KEY(STAT_ID0)));
	opt(p, !all, BPF_LDX_MEM(BPF_H, BPF_REG_1, BPF_REG_10, FP_HDR + 4));
	opt_jump(p, !all, BPF_JMP_IMM(BPF_JEQ, BPF_REG_1, 0, 0), L_STAT);
	/* !ALL: r9 = the seq key; if (!hdr.seq) goto stat */
	opt(p, !all, BPF_MOV64_IMM(BPF_REG_9, STAT_KEY(STAT_SEQ0)));
	opt(p, !all, BPF_LDX_MEM(BPF_H, BPF_REG_1, BPF_REG_10, FP_HDR + 6));
	opt_jump(p, !all, BPF_JMP_IMM(BPF_JEQ, BPF_REG_1, 0, 0), L_STAT);
	/* counted: without -x, on to count; with it, tid = the thread id */
	opt(p, x, BPF_EMIT_CALL(BPF_FUNC_get_current_pid_tgid));
	opt(p, x, BPF_STX_MEM(BPF_W, BPF_REG_10, BPF_REG_0, FP_IDX));
	/* EXIT: if (!(r0 = lookup(pending, &tid))) goto new */
	opt_ld_map_fd(p, x, BPF_REG_1, spec->pending_fd);
	opt(p, x, BPF_MOV64_REG(BPF_REG_2, BPF_REG_10));
	opt(p, x, BPF_ALU64_IMM(BPF_ADD, BPF_REG_2, FP_IDX));
	opt(p, x, BPF_EMIT_CALL(BPF_FUNC_map_lookup_elem));
	opt_jump(p, x, BPF_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 0), L_NEW);
	/* EXIT: *r0 = r8; goto out */
	opt(p, x, BPF_STX_MEM(BPF_W, BPF_REG_0, BPF_REG_8, 0));
	opt_jump(p, x, BPF_JMP_A(0), L_OUT);
	place(p, L_NEW);
	/* EXIT: val = r8; update(pending, &tid, &val, BPF_ANY) */
	opt(p, x, BPF_STX_MEM(BPF_W, BPF_REG_10, BPF_REG_8, FP_VAL));
	opt_ld_map_fd(p, x, BPF_REG_1, spec->pending_fd);
	opt(p, x, BPF_MOV64_REG(BPF_REG_2, BPF_REG_10));
	opt(p, x, BPF_ALU64_IMM(BPF_ADD, BPF_REG_2, FP_IDX));
	opt(p, x, BPF_MOV64_REG(BPF_REG_3, BPF_REG_10));
	opt(p, x, BPF_ALU64_IMM(BPF_ADD, BPF_REG_3, FP_VAL));
	opt(p, x, BPF_MOV64_IMM(BPF_REG_4, BPF_ANY));
	opt(p, x, BPF_EMIT_CALL(BPF_FUNC_map_update_elem));
	/* EXIT: if (r8 != 0) goto out: always taken, yet count is reachable */
	opt_jump(p, x, BPF_JMP_IMM(BPF_JNE, BPF_REG_8, 0, 0), L_OUT);
}

/*
 * The exit program, for -x, on sys_exit_sendto (or raw_syscalls:sys_exit,
 * with the same syscall-number check as the entry, or sys_exit_socketcall):
 *
 *	if (NR && ctx->id != NR) return 0;
 *	if (COMPAT && ctx->id != SENDTO32 && ctx->id != SOCKETCALL32)
 *		return 0;			// (the entry checked the task)
 *	if (!(p = map_lookup_elem(pending, &tid)) || !(r8 = *p))
 *		return 0;			// not a send we counted
 *	*p = 0;					// taken: cheaper than a delete
 *	if (ctx->ret < 0)			// sign-extended from its width
 *		return 0;			// (SHIFT: 32 on 32-bit kernels)
 *	goto count;
 */
static void emit_exit(struct asm_prog *p, const struct prog_spec *spec)
{
	const struct sendto_fields *f = spec->fields;
	const struct compat_abi *c = spec->compat;
	int nr = spec->syscall_nr;
	/* 64 - the width of ret; a compat call's result is an int */
	int shift = c ? 32 : 64 - 8 * (int)f->ret.size;

	emit(p, BPF_MOV64_REG(BPF_REG_6, BPF_REG_1));		/* r6 = ctx */
	/* NR: r1 = ctx->id; if (r1 != NR) goto out */
	opt(p, nr || c, BPF_LDX_MEM(ld_size(&f->id), BPF_REG_1, BPF_REG_6,
				    (__s16)f->id.offset));
	opt_jump(p, nr, BPF_JMP_IMM(BPF_JNE, BPF_REG_1, nr, 0), L_OUT);
	if (c && c->socketcall_nr) {
		jump(p, BPF_JMP_IMM(BPF_JEQ, BPF_REG_1, c->sendto_nr, 0),
		     L_PENDING);
		jump(p, BPF_JMP_IMM(BPF_JNE, BPF_REG_1, c->socketcall_nr, 0),
		     L_OUT);
	} else if (c) {
		jump(p, BPF_JMP_IMM(BPF_JNE, BPF_REG_1, c->sendto_nr, 0),
		     L_OUT);
	}
	place(p, L_PENDING);
	/* tid = get_current_pid_tgid(); if (!(r0 = lookup(pending, &tid)))
	 * goto out */
	emit(p, BPF_EMIT_CALL(BPF_FUNC_get_current_pid_tgid));
	emit(p, BPF_STX_MEM(BPF_W, BPF_REG_10, BPF_REG_0, FP_IDX));
	ld_map_fd(p, BPF_REG_1, spec->pending_fd);
	fp_ptr(p, BPF_REG_2, FP_IDX);
	emit(p, BPF_EMIT_CALL(BPF_FUNC_map_lookup_elem));
	jump(p, BPF_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 0), L_OUT);
	/* r8 = *r0, the family; if (r8 == 0) goto out; *r0 = 0 */
	emit(p, BPF_LDX_MEM(BPF_W, BPF_REG_8, BPF_REG_0, 0));
	jump(p, BPF_JMP_IMM(BPF_JEQ, BPF_REG_8, 0, 0), L_OUT);
	emit(p, BPF_ST_MEM(BPF_W, BPF_REG_0, 0, 0));
	ld_field(p, BPF_REG_1, &f->ret);	/* r1 = ctx->ret */
	/* r1 <<= SHIFT */
	opt(p, shift, BPF_ALU64_IMM(BPF_LSH, BPF_REG_1, shift));
	/* r1 s>>= SHIFT */
	opt(p, shift, BPF_ALU64_IMM(BPF_ARSH, BPF_REG_1, shift));
	jump(p, BPF_JMP_IMM(BPF_JSGE, BPF_REG_1, 0, 0), L_COUNT); /* r1 s>= 0 */
	jump(p, BPF_JMP_A(0), L_OUT);
}

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
static void emit_tail(struct asm_prog *p, const struct prog_spec *spec)
{
	int v6 = spec->ipv6;

	place(p, L_COUNT);
	emit(p, BPF_ST_MEM(BPF_DW, BPF_REG_10, FP_KEY, 0)); /* key[0..7] = 0 */
	/* key[8..] = 0 */
	emit(p, BPF_ST_MEM(BPF_DW, BPF_REG_10, FP_KEY + 8, 0));
	fp_ptr(p, BPF_REG_1, FP_KEY);				/* r1 = &key */
	emit(p, BPF_MOV64_IMM(BPF_REG_2, COMM_LEN));	/* r2 = sizeof(key) */
	emit(p, BPF_EMIT_CALL(BPF_FUNC_get_current_comm));	/* key = comm */
	ld_map_fd(p, BPF_REG_9, spec->counts_fd);	/* r9 = counts */
	/* IPV6: if (r8 != AF_INET) r9 = counts6 */
	opt_jump(p, v6, BPF_JMP_IMM(BPF_JEQ, BPF_REG_8, AF_INET, 0),
		 L_MAP_CHOSEN);
	opt_ld_map_fd(p, v6, BPF_REG_9, spec->counts6_fd);
	place(p, L_MAP_CHOSEN);
	/* if ((r0 = lookup(r9, &key))) goto inc */
	emit(p, BPF_MOV64_REG(BPF_REG_1, BPF_REG_9));
	fp_ptr(p, BPF_REG_2, FP_KEY);
	emit(p, BPF_EMIT_CALL(BPF_FUNC_map_lookup_elem));
	jump(p, BPF_JMP_IMM(BPF_JNE, BPF_REG_0, 0, 0), L_INC);
	/* one = 1; if (!update(r9, &key, &one, BPF_ANY)) goto out */
	emit(p, BPF_ST_MEM(BPF_DW, BPF_REG_10, FP_ONE, 1));
	emit(p, BPF_MOV64_REG(BPF_REG_1, BPF_REG_9));
	fp_ptr(p, BPF_REG_2, FP_KEY);
	fp_ptr(p, BPF_REG_3, FP_ONE);
	emit(p, BPF_MOV64_IMM(BPF_REG_4, BPF_ANY));
	emit(p, BPF_EMIT_CALL(BPF_FUNC_map_update_elem));
	jump(p, BPF_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 0), L_OUT);
	/* the map is full: r9 = the drop key */
	emit(p, BPF_MOV64_IMM(BPF_REG_9, STAT_KEY(STAT_DROPPED)));
	place(p, L_STAT);
	/* key = { r9, 0 }; if (!(r0 = lookup(counts, &key))) goto out */
	emit(p, BPF_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_9, FP_KEY));
	emit(p, BPF_ST_MEM(BPF_DW, BPF_REG_10, FP_KEY + 8, 0));
	ld_map_fd(p, BPF_REG_1, spec->counts_fd);
	fp_ptr(p, BPF_REG_2, FP_KEY);
	emit(p, BPF_EMIT_CALL(BPF_FUNC_map_lookup_elem));
	/* (the tests leave this test out, for the verifier to refuse) */
	opt_jump(p, !spec->unchecked, BPF_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 0),
		 L_OUT);
	place(p, L_INC);
	emit(p, BPF_LDX_MEM(BPF_DW, BPF_REG_1, BPF_REG_0, 0));	/* r1 = *v */
	emit(p, BPF_ALU64_IMM(BPF_ADD, BPF_REG_1, 1));		/* r1 += 1 */
	emit(p, BPF_STX_MEM(BPF_DW, BPF_REG_0, BPF_REG_1, 0));	/* *v = r1 */
	place(p, L_OUT);
	emit(p, BPF_MOV64_IMM(BPF_REG_0, 0));			/* r0 = 0 */
	emit(p, BPF_EXIT_INSN());				/* return r0 */
}

/* The program, and where its labels landed (at may be NULL). */
size_t prog_hand_assemble(struct bpf_insn *insns, size_t max,
			  const struct prog_spec *spec,
			  int at[NR_HAND_LABELS])
{
	struct bpf_insn buf[PROG_MAX_INSNS];
	struct asm_prog p;
	size_t n;

	_Static_assert(NR_HAND_LABELS <= ASM_MAX_LABELS, "too many labels");
	asm_init(&p, buf, ARRAY_SIZE(buf));
	switch (spec->kind) {
	case PROG_EXIT:
		emit_exit(&p, spec);
		break;
	case PROG_ENTRY_SOCKETCALL:
		emit_enter_socketcall(&p, spec);
		emit_body(&p, spec);
		break;
	case PROG_ENTRY_COMPAT:
		if (!spec->compat) {
			errno = EINVAL;
			return 0;
		}
		emit_enter_compat(&p, spec);
		emit_body(&p, spec);
		break;
	case PROG_ENTRY:
		emit_enter_sendto(&p, spec);
		emit_body(&p, spec);
		break;
	}
	emit_tail(&p, spec);
	n = finish(&p);
	if (at)
		memcpy(at, p.at, NR_HAND_LABELS * sizeof(*at));
	if (n > max) {		/* then write nothing */
		errno = E2BIG;
		return 0;
	}
	memcpy(insns, buf, n * sizeof(*buf));
	return n;
}

size_t prog_hand_build(struct bpf_insn *insns, size_t max,
		       const struct prog_spec *spec)
{
	return prog_hand_assemble(insns, max, spec, NULL);
}
