// SPDX-License-Identifier: GPL-2.0
/*
 * unit.c - the unprivileged tier: no bpf(), no tracefs, no root.  It checks
 * bpf_insn.h against hand-computed bytes, the shape of the hand-assembled
 * programs for three record layouts, the parsers on strings and on the
 * fixture trees in tests/fixtures (which the kernel tier also hands to the
 * binary via ICMPCOUNT_TRACEFS), the exact bytes output.c prints, and the
 * command line, by running the binary on options that need no privilege.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "bpf_insn.h"
#include "icmpcount.h"
#include "test.h"

/* Relative to the top directory, where make test runs us. */
#ifndef FIXTURES
#define FIXTURES	"tests/fixtures"
#endif
#define TP_ENTER	"events/syscalls/sys_enter_sendto"
#define TP_EXIT		"events/syscalls/sys_exit_sendto"

static void hex(char *buf, size_t size, const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < n; i++)
		/* The analyzer takes bytes of bit-fields as uninitialized. */
		/* NOLINTNEXTLINE(clang-analyzer-core.CallAndMessage) */
		app(buf, size, "%s%02x", i == 0 ? "" : i % 8 ? " " : ", ", b[i]);
}

static const char *errname(int e)
{
	switch (e) {
	case 0:		return "none";
	case EINVAL:	return "EINVAL";
	case ERANGE:	return "ERANGE";
	case ENOENT:	return "ENOENT";
	default:	return strerror(e);
	}
}

/* Reads FIXTURES/tree/tp/file whole; -1 with errno when it cannot. */
static int read_fixture(const char *tree, const char *tp, const char *file,
			char *buf, size_t size)
{
	char path[PATH_MAX];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/%s/%s", FIXTURES, tree, tp, file);
	f = fopen(path, "r");
	if (!f)
		return -1;
	n = fread(buf, 1, size - 1, f);
	fclose(f);
	if (n == size - 1) {
		errno = EFBIG;
		return -1;
	}
	buf[n] = '\0';
	return 0;
}

/*
 * 1. bpf_insn.h.  Each expected byte string is worked out by hand from the
 * ISA (code = class | size/op | mode/source; byte 1 = dst | src << 4; then
 * off and imm little-endian), so a macro that swaps or drops a field fails.
 */
struct enc_case {
	const char *name;
	struct bpf_insn insn[2];
	unsigned char bytes[16];
	size_t slots;
};

static const struct enc_case enc_cases[] = {
	{ .name = "BPF_ALU64_REG(BPF_ADD, r1, r2) encodes as 0f 21 00 00 00 00 00 00",
	  .insn = { BPF_ALU64_REG(BPF_ADD, BPF_REG_1, BPF_REG_2) },
	  .bytes = { 0x0f, 0x21, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 },
	  .slots = 1 },
	{ .name = "BPF_ALU64_REG(BPF_SUB, r9, r3) encodes as 1f 39 00 00 00 00 00 00",
	  .insn = { BPF_ALU64_REG(BPF_SUB, BPF_REG_9, BPF_REG_3) },
	  .bytes = { 0x1f, 0x39, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 },
	  .slots = 1 },
	{ .name = "BPF_ALU64_IMM(BPF_ADD, r1, -8) encodes as 07 01 00 00 f8 ff ff ff",
	  .insn = { BPF_ALU64_IMM(BPF_ADD, BPF_REG_1, -8) },
	  .bytes = { 0x07, 0x01, 0x00, 0x00, 0xf8, 0xff, 0xff, 0xff },
	  .slots = 1 },
	{ .name = "BPF_ALU64_IMM(BPF_AND, r2, 0x12345678) encodes as 57 02 00 00 78 56 34 12",
	  .insn = { BPF_ALU64_IMM(BPF_AND, BPF_REG_2, 0x12345678) },
	  .bytes = { 0x57, 0x02, 0x00, 0x00, 0x78, 0x56, 0x34, 0x12 },
	  .slots = 1 },
	{ .name = "BPF_ALU32_IMM(BPF_XOR, r4, 0x7f) encodes as a4 04 00 00 7f 00 00 00",
	  .insn = { BPF_ALU32_IMM(BPF_XOR, BPF_REG_4, 0x7f) },
	  .bytes = { 0xa4, 0x04, 0x00, 0x00, 0x7f, 0x00, 0x00, 0x00 },
	  .slots = 1 },
	{ .name = "BPF_ALU32_IMM(BPF_LSH, r0, 31) encodes as 64 00 00 00 1f 00 00 00",
	  .insn = { BPF_ALU32_IMM(BPF_LSH, BPF_REG_0, 31) },
	  .bytes = { 0x64, 0x00, 0x00, 0x00, 0x1f, 0x00, 0x00, 0x00 },
	  .slots = 1 },
	{ .name = "BPF_MOV64_REG(r6, r1) encodes as bf 16 00 00 00 00 00 00",
	  .insn = { BPF_MOV64_REG(BPF_REG_6, BPF_REG_1) },
	  .bytes = { 0xbf, 0x16, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 },
	  .slots = 1 },
	{ .name = "BPF_MOV64_REG(r1, r10) encodes as bf a1 00 00 00 00 00 00",
	  .insn = { BPF_MOV64_REG(BPF_REG_1, BPF_REG_10) },
	  .bytes = { 0xbf, 0xa1, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 },
	  .slots = 1 },
	{ .name = "BPF_MOV64_IMM(r1, -8) encodes as b7 01 00 00 f8 ff ff ff",
	  .insn = { BPF_MOV64_IMM(BPF_REG_1, -8) },
	  .bytes = { 0xb7, 0x01, 0x00, 0x00, 0xf8, 0xff, 0xff, 0xff },
	  .slots = 1 },
	{ .name = "BPF_MOV64_IMM(r2, 16) encodes as b7 02 00 00 10 00 00 00",
	  .insn = { BPF_MOV64_IMM(BPF_REG_2, 16) },
	  .bytes = { 0xb7, 0x02, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00 },
	  .slots = 1 },
	{ .name = "BPF_MOV32_IMM(r2, 0x7fffffff) encodes as b4 02 00 00 ff ff ff 7f",
	  .insn = { BPF_MOV32_IMM(BPF_REG_2, 0x7fffffff) },
	  .bytes = { 0xb4, 0x02, 0x00, 0x00, 0xff, 0xff, 0xff, 0x7f },
	  .slots = 1 },
	{ .name = "BPF_MOV32_IMM(r0, -1) encodes as b4 00 00 00 ff ff ff ff",
	  .insn = { BPF_MOV32_IMM(BPF_REG_0, -1) },
	  .bytes = { 0xb4, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff },
	  .slots = 1 },
	{ .name = "BPF_LD_IMM64(r3, 0x1122334455667788) takes two slots: 18 03 00 00 88 77 66 55, 00 00 00 00 44 33 22 11",
	  .insn = { BPF_LD_IMM64(BPF_REG_3, 0x1122334455667788ULL) },
	  .bytes = { 0x18, 0x03, 0x00, 0x00, 0x88, 0x77, 0x66, 0x55, 0x00, 0x00, 0x00, 0x00, 0x44, 0x33, 0x22, 0x11 },
	  .slots = 2 },
	{ .name = "BPF_LD_IMM64(r0, 0xdeadbeefcafef00d) keeps both halves: 18 00 00 00 0d f0 fe ca, 00 00 00 00 ef be ad de",
	  .insn = { BPF_LD_IMM64(BPF_REG_0, 0xdeadbeefcafef00dULL) },
	  .bytes = { 0x18, 0x00, 0x00, 0x00, 0x0d, 0xf0, 0xfe, 0xca, 0x00, 0x00, 0x00, 0x00, 0xef, 0xbe, 0xad, 0xde },
	  .slots = 2 },
	{ .name = "BPF_LD_IMM64_RAW(r2, 2, 0x100000007) encodes as 18 22 00 00 07 00 00 00, 00 00 00 00 01 00 00 00",
	  .insn = { BPF_LD_IMM64_RAW(BPF_REG_2, 2, 0x100000007ULL) },
	  .bytes = { 0x18, 0x22, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00 },
	  .slots = 2 },
	{ .name = "BPF_LD_MAP_FD(r1, 5) encodes as 18 11 00 00 05 00 00 00, 00 00 00 00 00 00 00 00",
	  .insn = { BPF_LD_MAP_FD(BPF_REG_1, 5) },
	  .bytes = { 0x18, 0x11, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 },
	  .slots = 2 },
	{ .name = "BPF_LD_MAP_FD(r1, 70000) encodes as 18 11 00 00 70 11 01 00, 00 00 00 00 00 00 00 00",
	  .insn = { BPF_LD_MAP_FD(BPF_REG_1, 70000) },
	  .bytes = { 0x18, 0x11, 0x00, 0x00, 0x70, 0x11, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 },
	  .slots = 2 },
	{ .name = "BPF_LDX_MEM(BPF_B, r1, r10, -8) encodes as 71 a1 f8 ff 00 00 00 00",
	  .insn = { BPF_LDX_MEM(BPF_B, BPF_REG_1, BPF_REG_10, -8) },
	  .bytes = { 0x71, 0xa1, 0xf8, 0xff, 0x00, 0x00, 0x00, 0x00 },
	  .slots = 1 },
	{ .name = "BPF_LDX_MEM(BPF_H, r1, r10, -6) encodes as 69 a1 fa ff 00 00 00 00",
	  .insn = { BPF_LDX_MEM(BPF_H, BPF_REG_1, BPF_REG_10, -6) },
	  .bytes = { 0x69, 0xa1, 0xfa, 0xff, 0x00, 0x00, 0x00, 0x00 },
	  .slots = 1 },
	{ .name = "BPF_LDX_MEM(BPF_W, r7, r6, 20) encodes as 61 67 14 00 00 00 00 00",
	  .insn = { BPF_LDX_MEM(BPF_W, BPF_REG_7, BPF_REG_6, 20) },
	  .bytes = { 0x61, 0x67, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00 },
	  .slots = 1 },
	{ .name = "BPF_LDX_MEM(BPF_DW, r3, r6, 24) encodes as 79 63 18 00 00 00 00 00",
	  .insn = { BPF_LDX_MEM(BPF_DW, BPF_REG_3, BPF_REG_6, 24) },
	  .bytes = { 0x79, 0x63, 0x18, 0x00, 0x00, 0x00, 0x00, 0x00 },
	  .slots = 1 },
	{ .name = "BPF_LDX_MEM(BPF_DW, r0, r1, 0x1234) encodes as 79 10 34 12 00 00 00 00",
	  .insn = { BPF_LDX_MEM(BPF_DW, BPF_REG_0, BPF_REG_1, 0x1234) },
	  .bytes = { 0x79, 0x10, 0x34, 0x12, 0x00, 0x00, 0x00, 0x00 },
	  .slots = 1 },
	{ .name = "BPF_STX_MEM(BPF_DW, r0, r1, 0) encodes as 7b 10 00 00 00 00 00 00",
	  .insn = { BPF_STX_MEM(BPF_DW, BPF_REG_0, BPF_REG_1, 0) },
	  .bytes = { 0x7b, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 },
	  .slots = 1 },
	{ .name = "BPF_STX_MEM(BPF_W, r10, r2, -4) encodes as 63 2a fc ff 00 00 00 00",
	  .insn = { BPF_STX_MEM(BPF_W, BPF_REG_10, BPF_REG_2, -4) },
	  .bytes = { 0x63, 0x2a, 0xfc, 0xff, 0x00, 0x00, 0x00, 0x00 },
	  .slots = 1 },
	{ .name = "BPF_ST_MEM(BPF_DW, r10, -40, 1) encodes as 7a 0a d8 ff 01 00 00 00",
	  .insn = { BPF_ST_MEM(BPF_DW, BPF_REG_10, -40, 1) },
	  .bytes = { 0x7a, 0x0a, 0xd8, 0xff, 0x01, 0x00, 0x00, 0x00 },
	  .slots = 1 },
	{ .name = "BPF_ST_MEM(BPF_B, r10, -1, 0xff) encodes as 72 0a ff ff ff 00 00 00",
	  .insn = { BPF_ST_MEM(BPF_B, BPF_REG_10, -1, 0xff) },
	  .bytes = { 0x72, 0x0a, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00 },
	  .slots = 1 },
	{ .name = "BPF_ATOMIC_OP(BPF_DW, BPF_ADD, r0, r1, 0) encodes as db 10 00 00 00 00 00 00",
	  .insn = { BPF_ATOMIC_OP(BPF_DW, BPF_ADD, BPF_REG_0, BPF_REG_1, 0) },
	  .bytes = { 0xdb, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 },
	  .slots = 1 },
	{ .name = "BPF_ATOMIC_OP(BPF_W, BPF_OR, r10, r2, -8) encodes as c3 2a f8 ff 40 00 00 00",
	  .insn = { BPF_ATOMIC_OP(BPF_W, BPF_OR, BPF_REG_10, BPF_REG_2, -8) },
	  .bytes = { 0xc3, 0x2a, 0xf8, 0xff, 0x40, 0x00, 0x00, 0x00 },
	  .slots = 1 },
	{ .name = "BPF_JMP_REG(BPF_JEQ, r1, r2, 3) encodes as 1d 21 03 00 00 00 00 00",
	  .insn = { BPF_JMP_REG(BPF_JEQ, BPF_REG_1, BPF_REG_2, 3) },
	  .bytes = { 0x1d, 0x21, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00 },
	  .slots = 1 },
	{ .name = "BPF_JMP_REG(BPF_JLT, r4, r5, -2) encodes as ad 54 fe ff 00 00 00 00",
	  .insn = { BPF_JMP_REG(BPF_JLT, BPF_REG_4, BPF_REG_5, -2) },
	  .bytes = { 0xad, 0x54, 0xfe, 0xff, 0x00, 0x00, 0x00, 0x00 },
	  .slots = 1 },
	{ .name = "BPF_JMP_IMM(BPF_JNE, r1, 8, -3) encodes as 55 01 fd ff 08 00 00 00",
	  .insn = { BPF_JMP_IMM(BPF_JNE, BPF_REG_1, 8, -3) },
	  .bytes = { 0x55, 0x01, 0xfd, 0xff, 0x08, 0x00, 0x00, 0x00 },
	  .slots = 1 },
	{ .name = "BPF_JMP_IMM(BPF_JLE, r7, 8, 50) encodes as b5 07 32 00 08 00 00 00",
	  .insn = { BPF_JMP_IMM(BPF_JLE, BPF_REG_7, 8, 50) },
	  .bytes = { 0xb5, 0x07, 0x32, 0x00, 0x08, 0x00, 0x00, 0x00 },
	  .slots = 1 },
	{ .name = "BPF_JMP_IMM(BPF_JSLE, r1, -1, -32768) encodes as d5 01 00 80 ff ff ff ff",
	  .insn = { BPF_JMP_IMM(BPF_JSLE, BPF_REG_1, -1, -32768) },
	  .bytes = { 0xd5, 0x01, 0x00, 0x80, 0xff, 0xff, 0xff, 0xff },
	  .slots = 1 },
	{ .name = "BPF_JMP_A(9) encodes as 05 00 09 00 00 00 00 00",
	  .insn = { BPF_JMP_A(9) },
	  .bytes = { 0x05, 0x00, 0x09, 0x00, 0x00, 0x00, 0x00, 0x00 },
	  .slots = 1 },
	{ .name = "BPF_JMP_A(-1) encodes as 05 00 ff ff 00 00 00 00",
	  .insn = { BPF_JMP_A(-1) },
	  .bytes = { 0x05, 0x00, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00 },
	  .slots = 1 },
	{ .name = "BPF_EMIT_CALL(BPF_FUNC_probe_read_user) encodes as 85 00 00 00 70 00 00 00",
	  .insn = { BPF_EMIT_CALL(BPF_FUNC_probe_read_user) },
	  .bytes = { 0x85, 0x00, 0x00, 0x00, 0x70, 0x00, 0x00, 0x00 },
	  .slots = 1 },
	{ .name = "BPF_EMIT_CALL(BPF_FUNC_get_current_comm) encodes as 85 00 00 00 10 00 00 00",
	  .insn = { BPF_EMIT_CALL(BPF_FUNC_get_current_comm) },
	  .bytes = { 0x85, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00 },
	  .slots = 1 },
	{ .name = "BPF_EXIT_INSN() encodes as 95 00 00 00 00 00 00 00",
	  .insn = { BPF_EXIT_INSN() },
	  .bytes = { 0x95, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 },
	  .slots = 1 },
};

static void run_enc_cases(void)
{
	const unsigned int one = 1;
	int big_endian = *(const unsigned char *)&one == 0;
	char exp[64], res[64];
	size_t i, n;

	for (i = 0; i < ARRAY_SIZE(enc_cases); i++) {
		const struct enc_case *c = &enc_cases[i];

		if (!test_start(c->name))
			continue;
		/* The bitfields and off/imm are host-order; the bytes are LE. */
		if (big_endian) {
			test_skip("the expected bytes are little-endian");
			continue;
		}
		n = c->slots * sizeof(struct bpf_insn);
		hex(exp, sizeof(exp), c->bytes, n);
		hex(res, sizeof(res), c->insn, n);
		test_check(memcmp(c->insn, c->bytes, n) == 0,
			   "EXP: %s\nRES: %s", exp, res);
	}
}

/*
 * 2. The hand-assembled programs.  Their exact bytes are the kernel tier's
 * business; here we check what must hold for every layout: jumps land on
 * instructions, the end is "r0 = 0; exit", the ctx loads follow the spec,
 * and the helper id and map fds are the ones the spec asked for.  The map
 * fds are base, base + 1, ... so a load of the wrong map shows.
 */
/* id is raw_syscalls' syscall number: the programs load it (dead code
 * unless a syscall number is asked for), so the layouts place it too. */
static const struct sendto_fields layout64 = {
	.buff = { 24, 8 }, .len = { 32, 8 }, .addr = { 48, 8 }, .ret = { 16, 8 },
	.id = { 8, 8 },
};
static const struct sendto_fields layout32 = {
	.buff = { 16, 4 }, .len = { 20, 4 }, .addr = { 28, 4 }, .ret = { 12, 4 },
	.id = { 8, 4 },
};
static const struct sendto_fields layout_rt = {
	.buff = { 32, 8 }, .len = { 40, 8 }, .addr = { 56, 8 }, .ret = { 24, 8 },
	.id = { 16, 8 },
};

#define IS_LD_IMM64(in)	((in).code == (BPF_LD | BPF_DW | BPF_IMM))

struct prog_case;
typedef int prog_check(const struct bpf_insn *p, size_t n,
		       const struct prog_case *c, char *msg, size_t size);

struct prog_case {
	const char *name;
	enum prog_kind kind;
	const struct sendto_fields *fields;
	int read_user;
	int fd_base;		/* counts, counts6, pending: base + 0, 1, 3 */
	prog_check *check;
};

static void make_spec(struct prog_spec *s, const struct prog_case *c)
{
	memset(s, 0, sizeof(*s));
	s->kind = c->kind;
	s->fields = c->fields;
	s->counts_fd = c->fd_base;
	s->counts6_fd = c->fd_base + 1;
	s->pending_fd = c->fd_base + 3;
	s->read_user = c->read_user;
	/* raw_syscalls: the program checks the syscall number first. */
	s->syscall_nr = c->fields == &layout_rt ? 44 : 0;
}

static int check_jumps(const struct bpf_insn *p, size_t n,
		       const struct prog_case *c, char *msg, size_t size)
{
	unsigned char second[PROG_MAX_INSNS] = { 0 };
	size_t i, jumps = 0;

	(void)c;
	for (i = 0; i < n; i++) {
		if (!IS_LD_IMM64(p[i]))
			continue;
		if (i + 1 == n) {
			snprintf(msg, size, "EXP: insn %zu (LD_IMM64) has a second slot\nRES: it is the last of %zu",
				 i, n);
			return 0;
		}
		second[++i] = 1;
	}
	for (i = 0; i < n; i++) {
		int op = BPF_OP(p[i].code), cls = BPF_CLASS(p[i].code);
		long t;

		if (second[i] || (cls != BPF_JMP && cls != BPF_JMP32) ||
		    op == BPF_CALL || op == BPF_EXIT)
			continue;
		jumps++;
		t = (long)i + 1 + p[i].off;
		if (t < 0 || t >= (long)n || second[t]) {
			snprintf(msg, size, "EXP: insn %zu (off %d) jumps to an instruction in [0, %zu)\nRES: target %ld%s",
				 i, p[i].off, n, t,
				 t >= 0 && t < (long)n ?
				 ", the second slot of an LD_IMM64" : "");
			return 0;
		}
	}
	snprintf(msg, size, "EXP: at least one jump\nRES: none in %zu insns", n);
	return jumps > 0;
}

static int check_exit(const struct bpf_insn *p, size_t n,
		      const struct prog_case *c, char *msg, size_t size)
{
	static const struct bpf_insn want[] = {
		BPF_MOV64_IMM(BPF_REG_0, 0),
		BPF_EXIT_INSN(),
	};
	char exp[64], res[64];

	(void)c;
	if (n < ARRAY_SIZE(want)) {
		snprintf(msg, size, "EXP: at least 2 insns\nRES: %zu", n);
		return 0;
	}
	p += n - ARRAY_SIZE(want);
	hex(exp, sizeof(exp), want, sizeof(want));
	hex(res, sizeof(res), p, sizeof(want));
	snprintf(msg, size, "EXP: last two insns %s\nRES: last two insns %s",
		 exp, res);
	return memcmp(p, want, sizeof(want)) == 0;
}

/*
 * Every load through r6, the copy of ctx made first, must be one of the
 * program's fields at exactly its offset and width, and each field is
 * loaded once.  Which register each lands in is left to the kernel tier.
 */
static int check_ctx(const struct bpf_insn *p, size_t n,
		     const struct prog_case *c, char *msg, size_t size)
{
	const struct sendto_fields *f = c->fields;
	const struct tp_field *entry[] = { &f->id, &f->buff, &f->len, &f->addr };
	const struct tp_field *exit_fl[] = { &f->id, &f->ret };
	const char *entry_names[] = { "id", "buff", "len", "addr" };
	const char *exit_names[] = { "id", "ret" };
	const struct tp_field *const *fl = entry;
	const char *const *names = entry_names;
	size_t i, j, nf = ARRAY_SIZE(entry);
	char exp[128] = "", res[256] = "";
	int seen[ARRAY_SIZE(entry)] = { 0 }, ok = 1;

	if (c->kind == PROG_EXIT) {
		fl = exit_fl;
		names = exit_names;
		nf = ARRAY_SIZE(exit_fl);
	}
	for (j = c->fields == &layout_rt ? 0 : 1; j < nf; j++)
		app(exp, sizeof(exp), "%s%s %u/%s", exp[0] ? ", " : "",
		    names[j], fl[j]->offset, fl[j]->size == 4 ? "W" : "DW");
	if (n == 0 || memcmp(&p[0], &BPF_MOV64_REG(BPF_REG_6, BPF_REG_1),
			     sizeof(p[0])) != 0) {
		snprintf(msg, size, "EXP: insn 0 is r6 = r1\nRES: it is not");
		return 0;
	}
	for (i = 1; i < n; i++) {
		int sz = BPF_SIZE(p[i].code);

		if (BPF_CLASS(p[i].code) != BPF_LDX || p[i].src_reg != BPF_REG_6)
			continue;
		app(res, sizeof(res), "%s%d/%s", res[0] ? ", " : "", p[i].off,
		    sz == BPF_W ? "W" : sz == BPF_DW ? "DW" : "B/H");
		for (j = 0; j < nf; j++)
			if (p[i].off == (int)fl[j]->offset)
				break;
		if (j == nf || seen[j]++ || BPF_MODE(p[i].code) != BPF_MEM ||
		    sz != (fl[j]->size == 4 ? BPF_W : BPF_DW))
			ok = 0;
	}
	/* The syscall number (field 0) only where there is one to check. */
	for (j = 0; j < nf; j++)
		ok &= seen[j] == (j > 0 || c->fields == &layout_rt);
	snprintf(msg, size, "EXP: ctx loads %s\nRES: ctx loads %s", exp, res);
	return ok;
}

/* The helpers that copy memory: probe_read{,_user,_kernel}{,_str}. */
static int reads_memory(int helper)
{
	return helper == 4 || helper == 45 ||
	       (helper >= 112 && helper <= 115);
}

/*
 * The calls that read memory, and how many of them are not the helper
 * want; res gets every helper called, in order.
 */
static size_t read_calls(const struct bpf_insn *p, size_t n, int want,
			 size_t *wrong, char *res, size_t size)
{
	size_t i, reads = 0;

	*wrong = 0;
	for (i = 0; i < n; i++) {
		if (p[i].code != (BPF_JMP | BPF_CALL))
			continue;
		app(res, size, " %d", p[i].imm);
		if (reads_memory(p[i].imm)) {
			reads++;
			*wrong += p[i].imm != want;
		}
	}
	return reads;
}

static int check_read_user(const struct bpf_insn *p, size_t n,
			   const struct prog_case *c, char *msg, size_t size)
{
	char res[128] = "";
	size_t wrong, reads = read_calls(p, n, c->read_user, &wrong, res,
					 sizeof(res));

	snprintf(msg, size, "EXP: every memory-reading call is helper %d\nRES: calls%s",
		 c->read_user, res);
	return reads > 0 && wrong == 0;
}

/* Every map load names one of the spec's three maps; counts is among them. */
static int check_map_fd(const struct bpf_insn *p, size_t n,
			const struct prog_case *c, char *msg, size_t size)
{
	char res[160] = "";
	size_t i, counts = 0, wrong = 0;

	for (i = 0; i + 1 < n; i++) {
		if (!IS_LD_IMM64(p[i]))
			continue;
		if (p[i].src_reg == BPF_PSEUDO_MAP_FD) {
			app(res, sizeof(res), " %d:%d", p[i].imm, p[i + 1].imm);
			counts += p[i].imm == c->fd_base;
			wrong += p[i].imm < c->fd_base ||
				 p[i].imm > c->fd_base + 3 ||
				 p[i].imm == c->fd_base + 2 || p[i + 1].imm != 0;
		}
		i++;
	}
	snprintf(msg, size, "EXP: map loads of fds %d, %d or %d (imm:imm2 fd:0), counts_fd %d among them\nRES: map loads%s",
		 c->fd_base, c->fd_base + 1, c->fd_base + 3, c->fd_base, res);
	return counts > 0 && wrong == 0;
}

static const struct prog_case prog_cases[] = {
	{ .name = "the 64-bit program's jumps all land on instructions inside it",
	  .kind = PROG_ENTRY, .fields = &layout64,
	  .read_user = BPF_FUNC_probe_read_user, .fd_base = 3,
	  .check = check_jumps },
	{ .name = "the 64-bit program ends with r0 = 0; exit",
	  .kind = PROG_ENTRY, .fields = &layout64,
	  .read_user = BPF_FUNC_probe_read_user, .fd_base = 3,
	  .check = check_exit },
	{ .name = "the 64-bit program loads buff 24, len 32 and addr 48 from ctx as BPF_DW",
	  .kind = PROG_ENTRY, .fields = &layout64,
	  .read_user = BPF_FUNC_probe_read_user, .fd_base = 3,
	  .check = check_ctx },
	{ .name = "the 64-bit program reads user memory with helper 112 when asked for 112",
	  .kind = PROG_ENTRY, .fields = &layout64,
	  .read_user = BPF_FUNC_probe_read_user, .fd_base = 3,
	  .check = check_read_user },
	{ .name = "the 64-bit program reads user memory with helper 4 when asked for 4",
	  .kind = PROG_ENTRY, .fields = &layout64,
	  .read_user = BPF_FUNC_probe_read, .fd_base = 3,
	  .check = check_read_user },
	{ .name = "the 64-bit program loads counts_fd 3 and no fd outside the spec's",
	  .kind = PROG_ENTRY, .fields = &layout64,
	  .read_user = BPF_FUNC_probe_read_user, .fd_base = 3,
	  .check = check_map_fd },
	{ .name = "the 32-bit program's jumps all land on instructions inside it",
	  .kind = PROG_ENTRY, .fields = &layout32,
	  .read_user = BPF_FUNC_probe_read, .fd_base = 1000,
	  .check = check_jumps },
	{ .name = "the 32-bit program ends with r0 = 0; exit",
	  .kind = PROG_ENTRY, .fields = &layout32,
	  .read_user = BPF_FUNC_probe_read, .fd_base = 1000,
	  .check = check_exit },
	{ .name = "the 32-bit program loads buff 16, len 20 and addr 28 from ctx as BPF_W",
	  .kind = PROG_ENTRY, .fields = &layout32,
	  .read_user = BPF_FUNC_probe_read, .fd_base = 1000,
	  .check = check_ctx },
	{ .name = "the 32-bit program reads user memory with helper 4 when asked for 4",
	  .kind = PROG_ENTRY, .fields = &layout32,
	  .read_user = BPF_FUNC_probe_read, .fd_base = 1000,
	  .check = check_read_user },
	{ .name = "the 32-bit program reads user memory with helper 112 when asked for 112",
	  .kind = PROG_ENTRY, .fields = &layout32,
	  .read_user = BPF_FUNC_probe_read_user, .fd_base = 1000,
	  .check = check_read_user },
	{ .name = "the 32-bit program loads counts_fd 1000 and no fd outside the spec's",
	  .kind = PROG_ENTRY, .fields = &layout32,
	  .read_user = BPF_FUNC_probe_read, .fd_base = 1000,
	  .check = check_map_fd },
	{ .name = "the RT-layout program's jumps all land on instructions inside it",
	  .kind = PROG_ENTRY, .fields = &layout_rt,
	  .read_user = BPF_FUNC_probe_read_user, .fd_base = 70000,
	  .check = check_jumps },
	{ .name = "the RT-layout program ends with r0 = 0; exit",
	  .kind = PROG_ENTRY, .fields = &layout_rt,
	  .read_user = BPF_FUNC_probe_read_user, .fd_base = 70000,
	  .check = check_exit },
	{ .name = "the RT-layout program loads buff 32, len 40 and addr 56 from ctx as BPF_DW",
	  .kind = PROG_ENTRY, .fields = &layout_rt,
	  .read_user = BPF_FUNC_probe_read_user, .fd_base = 70000,
	  .check = check_ctx },
	{ .name = "the RT-layout program reads user memory with helper 112 when asked for 112",
	  .kind = PROG_ENTRY, .fields = &layout_rt,
	  .read_user = BPF_FUNC_probe_read_user, .fd_base = 70000,
	  .check = check_read_user },
	{ .name = "the RT-layout program loads counts_fd 70000 and no fd outside the spec's",
	  .kind = PROG_ENTRY, .fields = &layout_rt,
	  .read_user = BPF_FUNC_probe_read_user, .fd_base = 70000,
	  .check = check_map_fd },
	{ .name = "the 64-bit exit program's jumps all land on instructions inside it",
	  .kind = PROG_EXIT, .fields = &layout64,
	  .read_user = BPF_FUNC_probe_read_user, .fd_base = 3,
	  .check = check_jumps },
	{ .name = "the 64-bit exit program ends with r0 = 0; exit",
	  .kind = PROG_EXIT, .fields = &layout64,
	  .read_user = BPF_FUNC_probe_read_user, .fd_base = 3,
	  .check = check_exit },
	{ .name = "the 64-bit exit program loads ret 16 from ctx as BPF_DW",
	  .kind = PROG_EXIT, .fields = &layout64,
	  .read_user = BPF_FUNC_probe_read_user, .fd_base = 3,
	  .check = check_ctx },
	{ .name = "the 32-bit exit program's jumps all land on instructions inside it",
	  .kind = PROG_EXIT, .fields = &layout32,
	  .read_user = BPF_FUNC_probe_read, .fd_base = 1000,
	  .check = check_jumps },
	{ .name = "the 32-bit exit program loads ret 12 from ctx as BPF_W",
	  .kind = PROG_EXIT, .fields = &layout32,
	  .read_user = BPF_FUNC_probe_read, .fd_base = 1000,
	  .check = check_ctx },
	{ .name = "the 32-bit exit program loads counts_fd 1000 and no fd outside the spec's",
	  .kind = PROG_EXIT, .fields = &layout32,
	  .read_user = BPF_FUNC_probe_read, .fd_base = 1000,
	  .check = check_map_fd },
};

/* max is the program's length plus delta, or delta alone when !from_len. */
static const struct prog_max_case {
	const char *name;
	enum prog_kind kind;
	int from_len;
	int delta;
} prog_max_cases[] = {
	{ .name = "prog_hand_build returns 0 and writes nothing when max is 0",
	  .kind = PROG_ENTRY, .from_len = 0, .delta = 0 },
	{ .name = "prog_hand_build returns 0 and writes nothing when max is one short",
	  .kind = PROG_ENTRY, .from_len = 1, .delta = -1 },
	{ .name = "prog_hand_build fills an array of exactly the program's length",
	  .kind = PROG_ENTRY, .from_len = 1, .delta = 0 },
	{ .name = "prog_hand_build's program fits in PROG_MAX_INSNS",
	  .kind = PROG_ENTRY, .from_len = 0, .delta = PROG_MAX_INSNS },
	{ .name = "prog_hand_build returns 0 and writes nothing when max is one short of the exit program",
	  .kind = PROG_EXIT, .from_len = 1, .delta = -1 },
	{ .name = "prog_hand_build's exit program fits in PROG_MAX_INSNS",
	  .kind = PROG_EXIT, .from_len = 0, .delta = PROG_MAX_INSNS },
};

static void run_prog_cases(void)
{
	struct bpf_insn p[PROG_MAX_INSNS], fill;
	struct prog_spec spec;
	char msg[512];
	size_t i, j, n, len, max, want;

	for (i = 0; i < ARRAY_SIZE(prog_cases); i++) {
		const struct prog_case *c = &prog_cases[i];

		if (!test_start(c->name))
			continue;
		make_spec(&spec, c);
		n = prog_hand_build(p, ARRAY_SIZE(p), &spec);
		if (n == 0 || n > ARRAY_SIZE(p)) {
			test_fail("EXP: 1 to %zu insns\nRES: %zu", ARRAY_SIZE(p), n);
			continue;
		}
		msg[0] = '\0';
		test_check(c->check(p, n, c, msg, sizeof(msg)), "%s", msg);
	}

	memset(&fill, 0xa5, sizeof(fill));
	for (i = 0; i < ARRAY_SIZE(prog_max_cases); i++) {
		const struct prog_max_case *m = &prog_max_cases[i];
		const struct prog_case c = {
			.kind = m->kind, .fields = &layout64,
			.read_user = BPF_FUNC_probe_read_user, .fd_base = 3,
		};

		if (!test_start(m->name))
			continue;
		make_spec(&spec, &c);
		len = prog_hand_build(p, ARRAY_SIZE(p), &spec);
		max = (size_t)((m->from_len ? (long)len : 0) + m->delta);
		want = max >= len && len > 0 ? len : 0;
		for (j = 0; j < ARRAY_SIZE(p); j++)
			p[j] = fill;
		n = prog_hand_build(p, max, &spec);
		/* A refusal must not write, nor may a fit run past max. */
		for (j = n; j < ARRAY_SIZE(p); j++)
			if (memcmp(&p[j], &fill, sizeof(fill)) != 0)
				break;
		test_check(len > 0 && n == want && j == ARRAY_SIZE(p),
			   "EXP: max %zu returns %zu, writes insns [0, %zu)\nRES: returns %zu, program length %zu, first write past that at %zu",
			   max, want, want, n, len, j);
	}
}

/*
 * 3, 5, 6. The number parsers share one table shape: text in, a value or an
 * errno out.  max is parse_uint's only.
 */
struct num_case {
	const char *name;
	const char *text;
	unsigned long max;
	int err;		/* 0: returns 0 and sets want */
	unsigned long want;
};

typedef int num_parser(const char *text, unsigned long max, unsigned long *v);

static int id_parser(const char *text, unsigned long max, unsigned long *v)
{
	unsigned int id;

	(void)max;
	if (parse_tracepoint_id(text, &id))
		return -1;
	*v = id;
	return 0;
}

static int cpu_parser(const char *text, unsigned long max, unsigned long *v)
{
	unsigned int n;

	(void)max;
	if (parse_cpu_list(text, &n))
		return -1;
	*v = n;
	return 0;
}

static const struct num_case id_cases[] = {
	{ .name = "parse_tracepoint_id reads \"2224\\n\" as 2224",
	  .text = "2224\n", .max = 0, .err = 0, .want = 2224 },
	{ .name = "parse_tracepoint_id reads \"0\" as 0", .text = "0",
	  .max = 0, .err = 0, .want = 0 },
	{ .name = "parse_tracepoint_id reads \"4294967295\\n\" as UINT_MAX",
	  .text = "4294967295\n", .max = 0, .err = 0, .want = 4294967295UL },
	{ .name = "parse_tracepoint_id rejects \"\" with EINVAL", .text = "",
	  .max = 0, .err = EINVAL, .want = 0 },
	{ .name = "parse_tracepoint_id rejects \"\\n\" with EINVAL",
	  .text = "\n", .max = 0, .err = EINVAL, .want = 0 },
	{ .name = "parse_tracepoint_id rejects \"abc\" with EINVAL",
	  .text = "abc", .max = 0, .err = EINVAL, .want = 0 },
	{ .name = "parse_tracepoint_id rejects \"-1\" with EINVAL",
	  .text = "-1", .max = 0, .err = EINVAL, .want = 0 },
	{ .name = "parse_tracepoint_id rejects \"+5\" with EINVAL",
	  .text = "+5", .max = 0, .err = EINVAL, .want = 0 },
	{ .name = "parse_tracepoint_id rejects \" 5\" with EINVAL",
	  .text = " 5", .max = 0, .err = EINVAL, .want = 0 },
	{ .name = "parse_tracepoint_id rejects \"5 \" with EINVAL",
	  .text = "5 ", .max = 0, .err = EINVAL, .want = 0 },
	{ .name = "parse_tracepoint_id rejects \"12\\n\\n\" with EINVAL",
	  .text = "12\n\n", .max = 0, .err = EINVAL, .want = 0 },
	{ .name = "parse_tracepoint_id rejects \"0x10\" with EINVAL",
	  .text = "0x10", .max = 0, .err = EINVAL, .want = 0 },
	{ .name = "parse_tracepoint_id rejects \"4294967296\" with ERANGE",
	  .text = "4294967296", .max = 0, .err = ERANGE, .want = 0 },
	{ .name = "parse_tracepoint_id rejects \"99999999999999999999999\" with ERANGE",
	  .text = "99999999999999999999999", .max = 0, .err = ERANGE,
	  .want = 0 },
};

static const struct num_case cpu_cases[] = {
	{ .name = "parse_cpu_list counts \"0-1\\n\" as 2 CPUs",
	  .text = "0-1\n", .max = 0, .err = 0, .want = 2 },
	{ .name = "parse_cpu_list counts \"0\" as 1 CPU", .text = "0",
	  .max = 0, .err = 0, .want = 1 },
	{ .name = "parse_cpu_list counts \"0-3,5,7-9\\n\" as 8 CPUs",
	  .text = "0-3,5,7-9\n", .max = 0, .err = 0, .want = 8 },
	{ .name = "parse_cpu_list counts \"2-2\\n\" as 1 CPU", .text = "2-2\n",
	  .max = 0, .err = 0, .want = 1 },
	{ .name = "parse_cpu_list counts \"0-1048575\\n\" as 1048576 CPUs",
	  .text = "0-1048575\n", .max = 0, .err = 0, .want = 1048576 },
	{ .name = "parse_cpu_list rejects \"\" with EINVAL", .text = "",
	  .max = 0, .err = EINVAL, .want = 0 },
	{ .name = "parse_cpu_list rejects \"1-0\" with EINVAL", .text = "1-0",
	  .max = 0, .err = EINVAL, .want = 0 },
	{ .name = "parse_cpu_list rejects \"a\" with EINVAL", .text = "a",
	  .max = 0, .err = EINVAL, .want = 0 },
	{ .name = "parse_cpu_list rejects \"0-\" with EINVAL", .text = "0-",
	  .max = 0, .err = EINVAL, .want = 0 },
	{ .name = "parse_cpu_list rejects \"0,,1\" with EINVAL",
	  .text = "0,,1", .max = 0, .err = EINVAL, .want = 0 },
	{ .name = "parse_cpu_list rejects \"0-1 \" with EINVAL",
	  .text = "0-1 ", .max = 0, .err = EINVAL, .want = 0 },
	{ .name = "parse_cpu_list rejects \"-1\" with EINVAL", .text = "-1",
	  .max = 0, .err = EINVAL, .want = 0 },
	{ .name = "parse_cpu_list rejects \"0,\\n\" with EINVAL",
	  .text = "0,\n", .max = 0, .err = EINVAL, .want = 0 },
	{ .name = "parse_cpu_list rejects \"0-1\\n\\n\" with EINVAL",
	  .text = "0-1\n\n", .max = 0, .err = EINVAL, .want = 0 },
	{ .name = "parse_cpu_list rejects \"0-1048576\" (2^20 + 1 CPUs) with EINVAL",
	  .text = "0-1048576", .max = 0, .err = EINVAL, .want = 0 },
};

static int release_parser(const char *text, unsigned long max,
			  unsigned long *v)
{
	unsigned int version;

	(void)max;
	if (parse_kernel_release(text, &version))
		return -1;
	*v = version;
	return 0;
}

/* uname's release: KERNEL_VERSION(major, minor, 0), or EINVAL/ERANGE. */
#define KV(a, b)	((unsigned long)(a) << 16 | (unsigned long)(b) << 8)
static const struct num_case release_cases[] = {
	{ .name = "this VM's \"6.18.44-fc-v1045\" is 6.18",
	  .text = "6.18.44-fc-v1045", .max = 0, .err = 0, .want = KV(6, 18) },
	{ .name = "Debian's \"6.1.0-57-amd64\" is 6.1",
	  .text = "6.1.0-57-amd64", .max = 0, .err = 0, .want = KV(6, 1) },
	{ .name = "Ubuntu's \"5.15.0-91-generic\" is 5.15",
	  .text = "5.15.0-91-generic", .max = 0, .err = 0, .want = KV(5, 15) },
	{ .name = "\"6.0\" is 6.0", .text = "6.0", .max = 0, .err = 0,
	  .want = KV(6, 0) },
	{ .name = "\"4.19-rc1\" is 4.19", .text = "4.19-rc1", .max = 0,
	  .err = 0, .want = KV(4, 19) },
	{ .name = "\"6.9+\" is 6.9", .text = "6.9+", .max = 0, .err = 0,
	  .want = KV(6, 9) },
	{ .name = "\"6\" has no minor: EINVAL", .text = "6", .max = 0,
	  .err = EINVAL, .want = 0 },
	{ .name = "\"6.x\" has no minor: EINVAL", .text = "6.x", .max = 0,
	  .err = EINVAL, .want = 0 },
	{ .name = "\"6.1x\" ends badly: EINVAL", .text = "6.1x", .max = 0,
	  .err = EINVAL, .want = 0 },
	{ .name = "an empty release is EINVAL", .text = "", .max = 0,
	  .err = EINVAL, .want = 0 },
	{ .name = "\"256.1\" is out of range: ERANGE", .text = "256.1",
	  .max = 0, .err = ERANGE, .want = 0 },
};
#undef KV

static const struct num_case uint_cases[] = {
	{ .name = "parse_uint reads \"0\" under max 0 as 0", .text = "0",
	  .max = 0, .err = 0, .want = 0 },
	{ .name = "parse_uint reads \"42\" under max 100 as 42", .text = "42",
	  .max = 100, .err = 0, .want = 42 },
	{ .name = "parse_uint reads \"100\" under max 100 as 100",
	  .text = "100", .max = 100, .err = 0, .want = 100 },
	{ .name = "parse_uint reads \"007\" under max 10 as 7", .text = "007",
	  .max = 10, .err = 0, .want = 7 },
	{ .name = "parse_uint reads \"4294967295\" under max UINT_MAX",
	  .text = "4294967295", .max = UINT_MAX, .err = 0, .want = UINT_MAX },
#if ULONG_MAX > 0xffffffffUL
	{ .name = "parse_uint reads \"18446744073709551615\" under max ULONG_MAX",
	  .text = "18446744073709551615", .max = ULONG_MAX, .err = 0,
	  .want = ULONG_MAX },
#endif
	{ .name = "parse_uint rejects \"101\" over max 100 with ERANGE",
	  .text = "101", .max = 100, .err = ERANGE, .want = 0 },
	{ .name = "parse_uint rejects \"1000\" over max 999 with ERANGE",
	  .text = "1000", .max = 999, .err = ERANGE, .want = 0 },
	{ .name = "parse_uint rejects \"7\" over max 5 with ERANGE",
	  .text = "7", .max = 5, .err = ERANGE, .want = 0 },
	{ .name = "parse_uint rejects \"1\" over max 0 with ERANGE",
	  .text = "1", .max = 0, .err = ERANGE, .want = 0 },
	{ .name = "parse_uint rejects \"4294967296\" over max UINT_MAX with ERANGE",
	  .text = "4294967296", .max = UINT_MAX, .err = ERANGE, .want = 0 },
	{ .name = "parse_uint rejects \"18446744073709551616\" (past ULONG_MAX) with ERANGE",
	  .text = "18446744073709551616", .max = ULONG_MAX, .err = ERANGE,
	  .want = 0 },
	{ .name = "parse_uint rejects \"\" with EINVAL", .text = "", .max = 10,
	  .err = EINVAL, .want = 0 },
	{ .name = "parse_uint rejects \"-1\" with EINVAL", .text = "-1",
	  .max = 10, .err = EINVAL, .want = 0 },
	{ .name = "parse_uint rejects \"+1\" with EINVAL", .text = "+1",
	  .max = 10, .err = EINVAL, .want = 0 },
	{ .name = "parse_uint rejects \" 1\" with EINVAL", .text = " 1",
	  .max = 10, .err = EINVAL, .want = 0 },
	{ .name = "parse_uint rejects \"1\\n\" with EINVAL (option values have no newline)",
	  .text = "1\n", .max = 10, .err = EINVAL, .want = 0 },
	{ .name = "parse_uint rejects \"12a\" with EINVAL", .text = "12a",
	  .max = 100, .err = EINVAL, .want = 0 },
};

static void run_num_cases(const struct num_case *t, size_t n, num_parser *fn)
{
	unsigned long v;
	size_t i;
	int r, e;

	for (i = 0; i < n; i++) {
		const struct num_case *c = &t[i];

		if (!test_start(c->name))
			continue;
		v = 0;
		errno = 0;
		r = fn(c->text, c->max, &v);
		e = errno;
		if (c->err == 0)
			test_check(r == 0 && v == c->want,
				   "EXP: 0, value %lu\nRES: %d, value %lu, errno %s",
				   c->want, r, v, errname(r ? e : 0));
		else
			test_check(r == -1 && e == c->err,
				   "EXP: -1, errno %s\nRES: %d, errno %s (value %lu)",
				   errname(c->err), r, errname(r ? e : 0), v);
	}
}

/*
 * 4. parse_sendto_format, on the fixture trees and on strings.  A tree case
 * also reads the tree's id file, since the kernel tier runs the binary on
 * the same trees and expects it to fail at the right step.  Line ends: CRLF
 * is accepted, because the parser stops reading a field line at "size:N;"
 * and never looks at the "\r".  Blanks between the parts of a field line and
 * before the name's ";" are accepted; blanks inside "offset:N;" are not.
 * parse_exit_format shares the line parser, so it gets only a few cases.
 */
struct fmt_case {
	const char *name;
	const char *tree;	/* a tree under FIXTURES, or NULL: use text */
	const char *text;
	int err;		/* 0: parses to want */
	struct sendto_fields want;
	const char *why;	/* part of the reason, when err != 0 */
	int id_err;		/* for a tree: its id file, 0: parses to id */
	unsigned int id;
};

#define L64	{ .buff = { 24, 8 }, .len = { 32, 8 }, .addr = { 48, 8 } }
#define NOF	{ .buff = { 0, 0 } }

#define F_BUFF	"\tfield:void * buff;\toffset:24;\tsize:8;\tsigned:0;\n"
#define F_LEN	"\tfield:size_t len;\toffset:32;\tsize:8;\tsigned:0;\n"
#define F_ADDR	"\tfield:struct sockaddr * addr;\toffset:48;\tsize:8;\tsigned:0;\n"

static const struct fmt_case fmt_cases[] = {
	{ .name = "the x86_64 tree (copied from a 6.18 kernel) has buff 24/8, len 32/8, addr 48/8 and id 2224",
	  .tree = "x86_64", .err = 0, .want = L64, .id_err = 0, .id = 2224 },
	{ .name = "the i386 tree has buff 16/4, len 20/4, addr 28/4",
	  .tree = "i386", .err = 0,
	  .want = { .buff = { 16, 4 }, .len = { 20, 4 }, .addr = { 28, 4 } },
	  .id_err = 0, .id = 2224 },
	{ .name = "the rt-shifted tree has buff 32/8, len 40/8, addr 56/8",
	  .tree = "rt-shifted", .err = 0,
	  .want = { .buff = { 32, 8 }, .len = { 40, 8 }, .addr = { 56, 8 } },
	  .id_err = 0, .id = 2224 },
	{ .name = "the missing-len tree fails with ENOENT: no field 'len'",
	  .tree = "missing-len", .err = ENOENT, .want = NOF,
	  .why = "no field 'len'", .id_err = 0, .id = 2224 },
	{ .name = "the bad-size tree (len size:3) fails with EINVAL: unusable offset or size",
	  .tree = "bad-size", .err = EINVAL, .want = NOF,
	  .why = "unusable offset or size", .id_err = 0, .id = 2224 },
	{ .name = "the misaligned tree (len offset:33) fails with EINVAL: unusable offset or size",
	  .tree = "misaligned", .err = EINVAL, .want = NOF,
	  .why = "unusable offset or size", .id_err = 0, .id = 2224 },
	{ .name = "the malformed tree (len has no offset) fails with EINVAL: malformed field line",
	  .tree = "malformed", .err = EINVAL, .want = NOF,
	  .why = "malformed field line", .id_err = 0, .id = 2224 },
	{ .name = "the duplicate tree (len twice) fails with EINVAL: a field appears twice",
	  .tree = "duplicate", .err = EINVAL, .want = NOF,
	  .why = "appears twice", .id_err = 0, .id = 2224 },
	{ .name = "the empty tree's empty format fails with ENOENT: no field 'buff'",
	  .tree = "empty", .err = ENOENT, .want = NOF,
	  .why = "no field 'buff'", .id_err = 0, .id = 2224 },
	{ .name = "the bad-id tree parses, but its id \"abc\" fails with EINVAL",
	  .tree = "bad-id", .err = 0, .want = L64, .id_err = EINVAL, .id = 0 },
	{ .name = "the no-id tree parses, but has no id file (ENOENT)",
	  .tree = "no-id", .err = 0, .want = L64, .id_err = ENOENT, .id = 0 },

	{ .name = "three plain field lines parse", .text = F_BUFF F_LEN F_ADDR,
	  .err = 0, .want = L64, .id_err = 0, .id = 0 },
	{ .name = "fields in another order parse the same",
	  .text = F_ADDR F_BUFF F_LEN, .err = 0, .want = L64, .id_err = 0,
	  .id = 0 },
	{ .name = "an array field such as \"field:char comm[16];\" is skipped",
	  .text = "\tfield:char comm[16];\toffset:8;\tsize:16;\tsigned:0;\n" F_BUFF F_LEN F_ADDR,
	  .err = 0, .want = L64, .id_err = 0, .id = 0 },
	{ .name = "an array field named buff[8] is read as buff",
	  .text = "\tfield:char buff[8];\toffset:24;\tsize:8;\tsigned:0;\n" F_LEN F_ADDR,
	  .err = 0, .want = L64, .id_err = 0, .id = 0 },
	{ .name = "an array field with ']' but no '[' is malformed",
	  .text = "\tfield:char comm16];\toffset:8;\tsize:16;\tsigned:0;\n" F_BUFF F_LEN F_ADDR,
	  .err = EINVAL, .want = NOF, .why = "malformed field line",
	  .id_err = 0, .id = 0 },
	{ .name = "blanks between the parts of a field line are accepted",
	  .text = "  field:void *   buff ;   offset:24;  size:8;  signed:0;\n" F_LEN F_ADDR,
	  .err = 0, .want = L64, .id_err = 0, .id = 0 },
	{ .name = "a blank after \"offset:\" is malformed",
	  .text = F_BUFF "\tfield:size_t len;\toffset: 32;\tsize:8;\tsigned:0;\n" F_ADDR,
	  .err = EINVAL, .want = NOF, .why = "malformed field line",
	  .id_err = 0, .id = 0 },
	{ .name = "a last line without a newline (or signed:) parses",
	  .text = F_BUFF F_LEN "\tfield:struct sockaddr * addr;\toffset:48;\tsize:8;",
	  .err = 0, .want = L64, .id_err = 0, .id = 0 },
	{ .name = "CRLF line ends are accepted",
	  .text = "format:\r\n" "\tfield:void * buff;\toffset:24;\tsize:8;\tsigned:0;\r\n" "\tfield:size_t len;\toffset:32;\tsize:8;\tsigned:0;\r\n" "\tfield:struct sockaddr * addr;\toffset:48;\tsize:8;\tsigned:0;\r\n" "\r\n",
	  .err = 0, .want = L64, .id_err = 0, .id = 0 },
	{ .name = "a field line cut after the offset is malformed",
	  .text = F_BUFF "\tfield:size_t len;\toffset:32\n" F_ADDR,
	  .err = EINVAL, .want = NOF, .why = "malformed field line",
	  .id_err = 0, .id = 0 },
	{ .name = "a field line with no ';' after the name is malformed",
	  .text = F_BUFF F_LEN "\tfield:struct sockaddr * addr\n",
	  .err = EINVAL, .want = NOF, .why = "malformed field line",
	  .id_err = 0, .id = 0 },
	{ .name = "a negative offset is malformed",
	  .text = F_BUFF "\tfield:size_t len;\toffset:-32;\tsize:8;\tsigned:0;\n" F_ADDR,
	  .err = EINVAL, .want = NOF, .why = "malformed field line",
	  .id_err = 0, .id = 0 },
	{ .name = "an offset past INT_MAX is malformed",
	  .text = F_BUFF "\tfield:size_t len;\toffset:4294967296;\tsize:8;\tsigned:0;\n" F_ADDR,
	  .err = EINVAL, .want = NOF, .why = "malformed field line",
	  .id_err = 0, .id = 0 },
	{ .name = "a field ending past the 8192-byte record is unusable",
	  .text = F_BUFF "\tfield:size_t len;\toffset:8192;\tsize:8;\tsigned:0;\n" F_ADDR,
	  .err = EINVAL, .want = NOF, .why = "unusable offset or size",
	  .id_err = 0, .id = 0 },
	{ .name = "a field ending exactly at byte 8192 is usable",
	  .text = F_BUFF "\tfield:size_t len;\toffset:8184;\tsize:8;\tsigned:0;\n" F_ADDR,
	  .err = 0,
	  .want = { .buff = { 24, 8 }, .len = { 8184, 8 }, .addr = { 48, 8 } },
	  .id_err = 0, .id = 0 },
	{ .name = "a 4-byte field at offset 26 is misaligned",
	  .text = F_BUFF "\tfield:size_t len;\toffset:26;\tsize:4;\tsigned:0;\n" F_ADDR,
	  .err = EINVAL, .want = NOF, .why = "unusable offset or size",
	  .id_err = 0, .id = 0 },
	{ .name = "a field named buffer is not buff",
	  .text = "\tfield:void * buffer;\toffset:24;\tsize:8;\tsigned:0;\n" F_LEN F_ADDR,
	  .err = ENOENT, .want = NOF, .why = "no field 'buff'", .id_err = 0,
	  .id = 0 },
	{ .name = "a format with no addr fails with ENOENT: no field 'addr'",
	  .text = F_BUFF F_LEN, .err = ENOENT, .want = NOF,
	  .why = "no field 'addr'", .id_err = 0, .id = 0 },
	{ .name = "\"field:\" inside the print fmt line is not a field",
	  .text = F_BUFF F_LEN "print fmt: \"field:size_t addr;\toffset:8;\tsize:8;\"\n",
	  .err = ENOENT, .want = NOF, .why = "no field 'addr'", .id_err = 0,
	  .id = 0 },
};

#define F_RET	"\tfield:long ret;\toffset:16;\tsize:8;\tsigned:1;\n"

static const struct fmt_case exit_fmt_cases[] = {
	{ .name = "the x86_64 tree's sys_exit_sendto has ret 16/8 and id 2223",
	  .tree = "x86_64", .err = 0, .want = { .ret = { 16, 8 } },
	  .id_err = 0, .id = 2223 },
	{ .name = "parse_exit_format reads a 4-byte ret at 12",
	  .text = "\tfield:long ret;\toffset:12;\tsize:4;\tsigned:1;\n",
	  .err = 0, .want = { .ret = { 12, 4 } }, .id_err = 0, .id = 0 },
	{ .name = "parse_exit_format on an entry format fails with ENOENT: no field 'ret'",
	  .text = F_BUFF F_LEN F_ADDR, .err = ENOENT, .want = NOF,
	  .why = "no field 'ret'", .id_err = 0, .id = 0 },
	{ .name = "parse_exit_format rejects ret twice", .text = F_RET F_RET,
	  .err = EINVAL, .want = NOF, .why = "appears twice", .id_err = 0,
	  .id = 0 },
	{ .name = "parse_exit_format rejects a 2-byte ret",
	  .text = "\tfield:short ret;\toffset:16;\tsize:2;\tsigned:1;\n",
	  .err = EINVAL, .want = NOF, .why = "unusable offset or size",
	  .id_err = 0, .id = 0 },
};

static void fmt_result(char *buf, size_t size, int r, int e,
		       const struct sendto_fields *f, const char *why)
{
	if (r == 0)
		snprintf(buf, size, "0, buff %u/%u, len %u/%u, addr %u/%u, ret %u/%u",
			 f->buff.offset, f->buff.size, f->len.offset,
			 f->len.size, f->addr.offset, f->addr.size,
			 f->ret.offset, f->ret.size);
	else
		snprintf(buf, size, "%d, errno %s, why \"%s\"", r, errname(e),
			 why ? why : "(null)");
}

static void id_result(char *buf, size_t size, int r, int e, unsigned int id)
{
	if (r == 0)
		snprintf(buf, size, "id %u", id);
	else
		snprintf(buf, size, "id errno %s", errname(e));
}

typedef int fmt_parser(const char *text, struct sendto_fields *f,
		       const char **why);

/* tp: the tracepoint directory a tree case reads; parse: its parser. */
static void run_fmt_cases(const struct fmt_case *t, size_t nt, const char *tp,
			  fmt_parser *parse)
{
	char text[8192], exp[256], res[256], ide[64], idr[64];
	struct sendto_fields f;
	const char *why;
	unsigned int id;
	size_t i;
	int r, e, ir, ie, ok;

	for (i = 0; i < nt; i++) {
		const struct fmt_case *c = &t[i];

		if (!test_start(c->name))
			continue;
		if (c->tree) {
			if (read_fixture(c->tree, tp, "format", text,
					 sizeof(text))) {
				test_fail("EXP: a readable %s/%s/%s/format\nRES: %s (run from the top directory)",
					  FIXTURES, c->tree, tp,
					  strerror(errno));
				continue;
			}
		} else {
			snprintf(text, sizeof(text), "%s", c->text);
		}
		/* Fields the parser does not fill stay 0, as in want. */
		memset(&f, 0, sizeof(f));
		why = NULL;
		errno = 0;
		r = parse(text, &f, &why);
		e = r ? errno : 0;
		if (c->err == 0)
			ok = r == 0 && memcmp(&f, &c->want, sizeof(f)) == 0;
		else
			ok = r == -1 && e == c->err && why &&
			     strstr(why, c->why);
		fmt_result(exp, sizeof(exp), c->err ? -1 : 0, c->err, &c->want,
			   c->why);
		fmt_result(res, sizeof(res), r, e, &f, why);

		ide[0] = idr[0] = '\0';
		if (c->tree) {
			id = 0;
			ir = read_fixture(c->tree, tp, "id", text,
					  sizeof(text));
			if (ir == 0)
				ir = parse_tracepoint_id(text, &id);
			ie = ir ? errno : 0;
			ok &= c->id_err ? ir == -1 && ie == c->id_err :
			      ir == 0 && id == c->id;
			id_result(ide, sizeof(ide), c->id_err ? -1 : 0,
				  c->id_err, c->id);
			id_result(idr, sizeof(idr), ir, ie, id);
		}
		test_check(ok, "EXP: %s%s%s\nRES: %s%s%s", exp, c->tree ? "; " : "",
			   ide, res, c->tree ? "; " : "", idr);
	}
}

/*
 * 7. output.c.  Stdout is a contract with whatever parsed bpftrace's output
 * (and, with -j, with whatever reads the JSON), so the exact bytes are
 * compared, captured with open_memstream.
 */
/* NOLINTBEGIN(bugprone-macro-parentheses): .comm takes a string literal. */
#define CNT(s, n)	{ .comm = s, .family = AF_INET, .count = n }
#define CNT6(s, n)	{ .comm = s, .family = AF_INET6, .count = n }
/* NOLINTEND(bugprone-macro-parentheses) */

struct sort_case {
	const char *name;
	size_t n;
	struct comm_count in[6];
	struct comm_count want[6];
};

static const struct sort_case sort_cases[] = {
	{ .name = "sort_counts leaves an empty array alone", .n = 0,
	  .in = { CNT("", 0) }, .want = { CNT("", 0) } },
	{ .name = "sort_counts leaves one entry alone", .n = 1,
	  .in = { CNT("ping", 3) }, .want = { CNT("ping", 3) } },
	{ .name = "sort_counts orders c:3 b:2 a:1 as a:1 b:2 c:3", .n = 3,
	  .in = { CNT("c", 3), CNT("b", 2), CNT("a", 1) },
	  .want = { CNT("a", 1), CNT("b", 2), CNT("c", 3) } },
	{ .name = "sort_counts breaks ties by name: ping, curl, arping at 2",
	  .n = 3, .in = { CNT("ping", 2), CNT("curl", 2), CNT("arping", 2) },
	  .want = { CNT("arping", 2), CNT("curl", 2), CNT("ping", 2) } },
	{ .name = "sort_counts orders mixed counts and ties", .n = 5,
	  .in = { CNT("ping", 5), CNT("zz", 1), CNT("b", 5), CNT("m", 3), CNT("a", 1) },
	  .want = { CNT("a", 1), CNT("zz", 1), CNT("m", 3), CNT("b", 5), CNT("ping", 5) } },
	{ .name = "sort_counts compares all 64 bits: 2^32 sorts after 2^32 - 1",
	  .n = 3,
	  .in = { CNT("x", 1ULL << 32), CNT("y", 1), CNT("z", 0xffffffffULL) },
	  .want = { CNT("y", 1), CNT("z", 0xffffffffULL), CNT("x", 1ULL << 32) } },
	{ .name = "sort_counts puts ping before pingx at the same count",
	  .n = 2, .in = { CNT("pingx", 4), CNT("ping", 4) },
	  .want = { CNT("ping", 4), CNT("pingx", 4) } },
	{ .name = "sort_counts puts ipv4 before ipv6 for the same name and count",
	  .n = 2, .in = { CNT6("ping", 2), CNT("ping", 2) },
	  .want = { CNT("ping", 2), CNT6("ping", 2) } },
};

static void list_counts(char *buf, size_t size, const struct comm_count *c,
			size_t n)
{
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < n; i++)
		app(buf, size, "%s%.*s/%d:%llu", i ? " " : "", COMM_LEN,
		    c[i].comm, c[i].family, (unsigned long long)c[i].count);
}

static void run_sort_cases(void)
{
	struct comm_count c[6];
	char exp[256], res[256];
	size_t i, j;

	for (i = 0; i < ARRAY_SIZE(sort_cases); i++) {
		const struct sort_case *s = &sort_cases[i];
		int ok = 1;

		if (!test_start(s->name))
			continue;
		memcpy(c, s->in, sizeof(c));
		sort_counts(c, s->n);
		for (j = 0; j < s->n; j++)
			ok &= c[j].count == s->want[j].count &&
			      c[j].family == s->want[j].family &&
			      strncmp(c[j].comm, s->want[j].comm, COMM_LEN) == 0;
		list_counts(exp, sizeof(exp), s->want, s->n);
		list_counts(res, sizeof(res), c, s->n);
		test_check(ok, "EXP: %s\nRES: %s", exp, res);
	}
}

/*
 * The stat keys of the counts map (icmpcount.h), byte by byte as the BPF
 * programs write them: the 64-bit word (i + 1) << 8, then eight zeros.  The
 * bytes below are a little-endian machine's; on a big-endian one the word's
 * eight bytes come reversed.  Each key must read back as its stat, and
 * stat_key() must write exactly it; no comm bpf_get_current_comm() can
 * give (NUL-padded: "" is all zeros) may read as a stat.
 */
static const struct stat_key_case {
	const char *name;
	unsigned char key[COMM_LEN];
	int stat;		/* -1: a process name */
} stat_key_cases[] = {
	{ .name = "{0, 1, 0...} is STAT_DROPPED, and stat_key() writes it",
	  .key = { 0, 1 }, .stat = STAT_DROPPED },
	{ .name = "{0, 2, 0...} is STAT_CHECKSUM0, and stat_key() writes it",
	  .key = { 0, 2 }, .stat = STAT_CHECKSUM0 },
	{ .name = "{0, 3, 0...} is STAT_ID0, and stat_key() writes it",
	  .key = { 0, 3 }, .stat = STAT_ID0 },
	{ .name = "{0, 4, 0...} is STAT_SEQ0, and stat_key() writes it",
	  .key = { 0, 4 }, .stat = STAT_SEQ0 },
	{ .name = "the empty comm (all zeros) is a process name", .key = { 0 },
	  .stat = -1 },
	{ .name = "the comm \"ping\" is a process name",
	  .key = { 'p', 'i', 'n', 'g' }, .stat = -1 },
	{ .name = "a 15-byte comm is a process name",
	  .key = { 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o' },
	  .stat = -1 },
	{ .name = "a key of byte 0 = 0 and an unknown byte 1 is no stat",
	  .key = { 0, NR_STATS + 1 }, .stat = -1 },
	{ .name = "a stat key with a stray byte after it is no stat",
	  .key = { 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 },
	  .stat = -1 },
};

static void run_stat_key_cases(void)
{
	unsigned char key[COMM_LEN], made[COMM_LEN];
	char exp[64], res[64];
	size_t i, j;
	int got;

	for (i = 0; i < ARRAY_SIZE(stat_key_cases); i++) {
		const struct stat_key_case *c = &stat_key_cases[i];

		if (!test_start(c->name))
			continue;
		memcpy(key, c->key, sizeof(key));
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
		for (j = 0; j < 4; j++) {
			unsigned char t = key[j];

			key[j] = key[7 - j];
			key[7 - j] = t;
		}
#endif
		got = stat_of_key(key);
		if (got != c->stat) {
			test_fail("EXP: stat_of_key = %d\nRES: %d", c->stat, got);
			continue;
		}
		if (c->stat < 0) {
			test_pass();
			continue;
		}
		stat_key(made, (unsigned int)c->stat);
		hex(exp, sizeof(exp), key, sizeof(key));
		hex(res, sizeof(res), made, sizeof(made));
		(void)j;
		test_check(memcmp(made, key, sizeof(key)) == 0,
			   "EXP: stat_key(%d) = %s\nRES: %s", c->stat, exp, res);
	}
}

enum print_kind { TRACING, REPORT, NOT_COUNTED };

struct print_case {
	const char *name;
	enum print_kind kind;
	int json;
	int full;		/* write to /dev/full: expect EOF */
	struct report r;
	const char *want;	/* the output, exactly; or with lines, ... */
	int lines;		/* ... its start, and the number of lines */
};

#define DONE_HEAD	"Done tracing sendto() syscalls.\n\n\n"
#define TIME_UTC	"2024-01-02T03:04:05Z"
#define NO_STATS	"\"not_counted\":{\"checksum\":0,\"id\":0,\"seq\":0},\"dropped\":0}\n"

static const struct print_case print_cases[] = {
	{ .name = "print_tracing writes \"Tracing sendto() syscalls.\\n\"",
	  .kind = TRACING, .json = 0, .full = 0, .r = { .n = 0 },
	  .want = "Tracing sendto() syscalls.\n", .lines = 0 },
	{ .name = "print_tracing with -j writes {\"event\":\"tracing\"}",
	  .kind = TRACING, .json = 1, .full = 0, .r = { .n = 0 },
	  .want = "{\"event\":\"tracing\"}\n", .lines = 0 },
	{ .name = "the final report of an empty map is the END line and three empty lines",
	  .kind = REPORT, .json = 0, .full = 0, .r = { .n = 0, .final = 1 },
	  .want = DONE_HEAD "\n", .lines = 0 },
	{ .name = "the final report of one entry is \"@[ping]: 3\" after two empty lines",
	  .kind = REPORT, .json = 0, .full = 0,
	  .r = { .c = (const struct comm_count[]){ CNT("ping", 3) }, .n = 1, .final = 1 },
	  .want = DONE_HEAD "@[ping]: 3\n", .lines = 0 },
	{ .name = "the final report prints several entries in the order given",
	  .kind = REPORT, .json = 0, .full = 0,
	  .r = { .c = (const struct comm_count[]){ CNT("b", 10), CNT("ping", 3), CNT("a", 1) }, .n = 3, .final = 1 },
	  .want = DONE_HEAD "@[b]: 10\n@[ping]: 3\n@[a]: 1\n", .lines = 0 },
	{ .name = "the final report prints a 15-character comm whole",
	  .kind = REPORT, .json = 0, .full = 0,
	  .r = { .c = (const struct comm_count[]){ CNT("abcdefghijklmno", 1) }, .n = 1, .final = 1 },
	  .want = DONE_HEAD "@[abcdefghijklmno]: 1\n", .lines = 0 },
	/* The key is 16 bytes with no room for a NUL; print no more. */
	{ .name = "the final report prints a 16-byte comm with no NUL as 16 characters",
	  .kind = REPORT, .json = 0, .full = 0,
	  .r = { .c = (const struct comm_count[]){ { .comm = { 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o', 'p' }, .family = AF_INET, .count = 7 } }, .n = 1, .final = 1 },
	  .want = DONE_HEAD "@[abcdefghijklmnop]: 7\n", .lines = 0 },
	{ .name = "the final report prints a count of 2^64 - 1 in full",
	  .kind = REPORT, .json = 0, .full = 0,
	  .r = { .c = (const struct comm_count[]){ CNT("ping", UINT64_MAX) }, .n = 1, .final = 1 },
	  .want = DONE_HEAD "@[ping]: 18446744073709551615\n", .lines = 0 },
	{ .name = "with -6 the final report names the family in each key",
	  .kind = REPORT, .json = 0, .full = 0,
	  .r = { .c = (const struct comm_count[]){ CNT("ping", 3), CNT6("ping", 4) }, .n = 2, .final = 1, .families = 1 },
	  .want = DONE_HEAD "@[ping, ipv4]: 3\n@[ping, ipv6]: 4\n",
	  .lines = 0 },
	{ .name = "an interval report is the time, the counts and an empty line",
	  .kind = REPORT, .json = 0, .full = 0,
	  .r = { .c = (const struct comm_count[]){ CNT("ping", 3) }, .n = 1, .time_local = "12:34:56" },
	  .want = "12:34:56\n@[ping]: 3\n\n", .lines = 0 },
	{ .name = "an empty interval report is the time and an empty line",
	  .kind = REPORT, .json = 0, .full = 0,
	  .r = { .n = 0, .time_local = "12:34:56" }, .want = "12:34:56\n\n",
	  .lines = 0 },
	{ .name = "the final -j report is one JSON line with counts, reasons and drops",
	  .kind = REPORT, .json = 1, .full = 0,
	  .r = { .c = (const struct comm_count[]){ CNT("ping", 3), CNT6("ping6", 1) }, .n = 2, .final = 1, .time_utc = TIME_UTC, .stats = { [STAT_DROPPED] = 1, [STAT_CHECKSUM0] = 2, [STAT_ID0] = 3, [STAT_SEQ0] = 4 } },
	  .want = "{\"event\":\"done\",\"time\":\"" TIME_UTC "\",\"counts\":[" "{\"comm\":\"ping\",\"family\":\"ipv4\",\"count\":3}," "{\"comm\":\"ping6\",\"family\":\"ipv6\",\"count\":1}]," "\"not_counted\":{\"checksum\":2,\"id\":3,\"seq\":4},\"dropped\":1}\n",
	  .lines = 0 },
	{ .name = "an empty -j interval report has an empty counts array",
	  .kind = REPORT, .json = 1, .full = 0,
	  .r = { .n = 0, .time_utc = TIME_UTC },
	  .want = "{\"event\":\"interval\",\"time\":\"" TIME_UTC "\",\"counts\":[]," NO_STATS,
	  .lines = 0 },
	{ .name = "a -j comm escapes quotes, backslashes, control and non-ASCII bytes",
	  .kind = REPORT, .json = 1, .full = 0,
	  .r = { .c = (const struct comm_count[]){ CNT("a\"b\\c\x01\xe9", 1) }, .n = 1, .final = 1, .time_utc = TIME_UTC },
	  .want = "{\"event\":\"done\",\"time\":\"" TIME_UTC "\",\"counts\":[" "{\"comm\":\"a\\\"b\\\\c\\u0001\xef\xbf\xbd\",\"family\":\"ipv4\",\"count\":1}]," NO_STATS,
	  .lines = 0 },
	{ .name = "print_not_counted prints nothing when every reason is 0",
	  .kind = NOT_COUNTED, .json = 0, .full = 0, .r = { .n = 0 },
	  .want = "", .lines = 0 },
	{ .name = "print_not_counted prints one line per non-zero reason, singular for 1",
	  .kind = NOT_COUNTED, .json = 0, .full = 0,
	  .r = { .stats = { [STAT_ID0] = 1 } },
	  .want = "icmpcount: 1 echo request not counted: id 0", .lines = 1 },
	{ .name = "print_not_counted says \"requests\" for more than one",
	  .kind = NOT_COUNTED, .json = 0, .full = 0,
	  .r = { .stats = { [STAT_SEQ0] = 2 } },
	  .want = "icmpcount: 2 echo requests not counted: seq 0",
	  .lines = 1 },
	{ .name = "print_tracing returns EOF when the stream cannot be written",
	  .kind = TRACING, .json = 0, .full = 1, .r = { .n = 0 }, .lines = 0 },
	{ .name = "print_report returns EOF when the stream cannot be written",
	  .kind = REPORT, .json = 0, .full = 1,
	  .r = { .c = (const struct comm_count[]){ CNT("ping", 3) }, .n = 1, .final = 1 },
	  .lines = 0 },
};

static int print_one(const struct print_case *c, FILE *f)
{
	switch (c->kind) {
	case TRACING:
		return print_tracing(f, c->json);
	case REPORT:
		return print_report(f, &c->r, c->json);
	case NOT_COUNTED:
		print_not_counted(f, c->r.stats);
		return fflush(f);
	}
	return EOF;
}

/* Shows a captured string in C notation, for EXP/RES lines. */
static void quote(char *buf, size_t size, const char *s, size_t n)
{
	size_t i;

	snprintf(buf, size, "\"");
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '\n')
			app(buf, size, "\\n");
		else if (ch == '\t')
			app(buf, size, "\\t");
		else if (ch < ' ' || ch >= 0x7f)
			app(buf, size, "\\x%02x", ch);
		else
			app(buf, size, "%c", ch);
	}
	app(buf, size, "\"");
}

static int count_lines(const char *s, size_t n)
{
	int lines = 0;

	while (n--)
		lines += *s++ == '\n';
	return lines;
}

static void run_print_cases(void)
{
	char exp[512], res[512], *out;
	size_t i, len, wlen;
	FILE *f;
	int r, ok;

	for (i = 0; i < ARRAY_SIZE(print_cases); i++) {
		const struct print_case *c = &print_cases[i];

		if (!test_start(c->name))
			continue;
		if (c->full) {
			f = fopen("/dev/full", "w");
			if (!f) {
				test_skip("cannot open /dev/full: %s",
					  strerror(errno));
				continue;
			}
			r = print_one(c, f);
			fclose(f);
			test_check(r == EOF, "EXP: EOF (%d)\nRES: %d", EOF, r);
			continue;
		}
		out = NULL;
		len = 0;
		f = open_memstream(&out, &len);
		if (!f) {
			test_fail("EXP: open_memstream works\nRES: %s",
				  strerror(errno));
			continue;
		}
		r = print_one(c, f);
		fclose(f);
		wlen = strlen(c->want);
		if (c->lines)
			ok = len >= wlen && memcmp(out, c->want, wlen) == 0 &&
			     count_lines(out, len) == c->lines &&
			     out[len - 1] == '\n';
		else
			ok = len == wlen && memcmp(out, c->want, len) == 0;
		quote(exp, sizeof(exp), c->want, wlen);
		quote(res, sizeof(res), out, len);
		test_check(r == 0 && ok, "EXP: 0, %s%s\nRES: %d, %s",
			   exp, c->lines ? "... (whole lines)" : "", r, res);
		free(out);
	}
}

/*
 * 8. The command line, through the real binary.  Each case fails (or
 * finishes) before tracefs, so no root is needed.  In case one does not,
 * the child gets a tracefs that does not exist and an alarm, so a wrong
 * answer is a quick failure, never a trace that runs until killed.
 */
struct cli_case {
	const char *name;
	char *argv[5];
	int status;
	const char *out[3];	/* stdout holds each; none: stdout is empty */
	const char *err[3];	/* the same for stderr */
	int version;		/* stdout is exactly the version line */
};

static const struct cli_case cli_cases[] = {
	{ .name = "an unknown option exits 2 with the usage line on stderr",
	  .argv = { "icmpcount", "-Z", NULL }, .status = 2,
	  .err = { "usage: icmpcount" }, .version = 0 },
	{ .name = "an unknown long option exits 2 with the usage line on stderr",
	  .argv = { "icmpcount", "--no-such-option", NULL }, .status = 2,
	  .err = { "usage: icmpcount" }, .version = 0 },
	{ .name = "-c with no argument exits 2 with the usage line on stderr",
	  .argv = { "icmpcount", "-c", NULL }, .status = 2,
	  .err = { "usage: icmpcount" }, .version = 0 },
	{ .name = "--command with no argument exits 2 with the usage line on stderr",
	  .argv = { "icmpcount", "--command", NULL }, .status = 2,
	  .err = { "usage: icmpcount" }, .version = 0 },
	{ .name = "-c '' exits 2 with \"empty command\" on stderr",
	  .argv = { "icmpcount", "-c", "", NULL }, .status = 2,
	  .err = { "empty command", "usage: icmpcount" }, .version = 0 },
	{ .name = "-c '   ' exits 2 with \"empty command\" on stderr",
	  .argv = { "icmpcount", "-c", "   ", NULL }, .status = 2,
	  .err = { "empty command", "usage: icmpcount" }, .version = 0 },
	{ .name = "-c of tabs exits 2 with \"empty command\" on stderr",
	  .argv = { "icmpcount", "-c", "\t \t", NULL }, .status = 2,
	  .err = { "empty command", "usage: icmpcount" }, .version = 0 },
	{ .name = "an extra argument exits 2 and names it on stderr",
	  .argv = { "icmpcount", "extra", NULL }, .status = 2,
	  .err = { "unexpected argument: 'extra'", "usage: icmpcount" },
	  .version = 0 },
	{ .name = "an extra argument after -c CMD exits 2",
	  .argv = { "icmpcount", "-c", "true", "extra", NULL }, .status = 2,
	  .err = { "unexpected argument: 'extra'", "usage: icmpcount" },
	  .version = 0 },
	{ .name = "--help exits 0 with usage and exit statuses on stdout",
	  .argv = { "icmpcount", "--help", NULL }, .status = 0,
	  .out = { "usage: icmpcount", "Exit status: 0 success, 1 runtime failure, 2 usage error." },
	  .version = 0 },
	{ .name = "-h exits 0 with usage and exit statuses on stdout",
	  .argv = { "icmpcount", "-h", NULL }, .status = 0,
	  .out = { "usage: icmpcount", "Exit status: 0 success, 1 runtime failure, 2 usage error." },
	  .version = 0 },
	{ .name = "-V exits 0 and prints \"icmpcount VERSION\"",
	  .argv = { "icmpcount", "-V", NULL }, .status = 0, .version = 1 },
	{ .name = "--version exits 0 and prints \"icmpcount VERSION\"",
	  .argv = { "icmpcount", "--version", NULL }, .status = 0,
	  .version = 1 },
};

#define CAPTURE_MAX	4096

struct cli_run {
	int status;		/* as from waitpid */
	char out[CAPTURE_MAX];
	char err[CAPTURE_MAX];
};

static void slurp(FILE *f, char *buf)
{
	size_t n;

	rewind(f);
	n = fread(buf, 1, CAPTURE_MAX - 1, f);
	buf[n] = '\0';
}

/* Runs icmpcount_path with argv; 0, or -1 with errno if it could not. */
static int run_icmpcount(char *const argv[], struct cli_run *r)
{
	FILE *out = tmpfile(), *err = tmpfile();
	int ret = -1, null;
	pid_t pid;

	if (!out || !err)
		goto done;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		goto done;
	if (pid == 0) {
		null = open("/dev/null", O_RDONLY);
		if (null < 0 || dup2(null, 0) < 0 ||
		    dup2(fileno(out), 1) < 0 || dup2(fileno(err), 2) < 0)
			_exit(126);
		setenv("ICMPCOUNT_TRACEFS", "/nonexistent/icmpcount-unit", 1);
		alarm(10);
		execv(icmpcount_path, argv);
		_exit(127);
	}
	if (waitpid(pid, &r->status, 0) != pid)
		goto done;
	slurp(out, r->out);
	slurp(err, r->err);
	ret = 0;
done:
	if (out)
		fclose(out);
	if (err)
		fclose(err);
	return ret;
}

/* Checks that s holds every string of want; with none, that s is empty. */
static int holds_all(const char *s, const char *const want[3],
		     char *exp, size_t size)
{
	int ok = 1, i;

	exp[0] = '\0';
	if (!want[0]) {
		snprintf(exp, size, "empty");
		return s[0] == '\0';
	}
	for (i = 0; i < 3 && want[i]; i++) {
		app(exp, size, "%s\"%s\"", i ? " and " : "holds ", want[i]);
		ok &= strstr(s, want[i]) != NULL;
	}
	return ok;
}

/*
 * The version comes from the Makefile; when this file is built without it,
 * accept "icmpcount " and one word on one line.
 */
static int is_version_line(const char *s, char *exp, size_t size)
{
#ifdef VERSION
	snprintf(exp, size, "\"icmpcount %s\\n\"", VERSION);
	return strcmp(s, "icmpcount " VERSION "\n") == 0;
#else
	const char *v = s + strlen("icmpcount ");

	snprintf(exp, size, "\"icmpcount <version>\\n\"");
	return strncmp(s, "icmpcount ", strlen("icmpcount ")) == 0 &&
	       *v != '\n' && *v != '\0' && strcspn(v, " \t\n") == strlen(v) - 1 &&
	       v[strlen(v) - 1] == '\n';
#endif
}

static void status_text(char *buf, size_t size, int status)
{
	if (WIFEXITED(status))
		snprintf(buf, size, "exit %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, size, "killed by signal %d", WTERMSIG(status));
	else
		snprintf(buf, size, "status 0x%x", status);
}

static void run_cli_cases(void)
{
	char eout[256], eerr[256], st[64], qout[512], qerr[512];
	static struct cli_run r;
	size_t i;
	int ok, have_binary = access(icmpcount_path, X_OK) == 0;

	for (i = 0; i < ARRAY_SIZE(cli_cases); i++) {
		const struct cli_case *c = &cli_cases[i];

		if (!test_start(c->name))
			continue;
		if (!have_binary) {
			test_skip("no executable at %s (make icmpcount, or set ICMPCOUNT)",
				  icmpcount_path);
			continue;
		}
		if (run_icmpcount(c->argv, &r)) {
			test_fail("EXP: %s runs\nRES: %s", icmpcount_path,
				  strerror(errno));
			continue;
		}
		ok = WIFEXITED(r.status) && WEXITSTATUS(r.status) == c->status;
		if (c->version)
			ok &= is_version_line(r.out, eout, sizeof(eout));
		else
			ok &= holds_all(r.out, c->out, eout, sizeof(eout));
		ok &= holds_all(r.err, c->err, eerr, sizeof(eerr));
		status_text(st, sizeof(st), r.status);
		quote(qout, sizeof(qout), r.out, strlen(r.out));
		quote(qerr, sizeof(qerr), r.err, strlen(r.err));
		test_check(ok, "EXP: exit %d, stdout %s, stderr %s\nRES: %s, stdout %s, stderr %s",
			   c->status, eout, eerr, st, qout, qerr);
	}
}

static void run_clang_cases(void);

/*
 * prog_hand.c's labels: each lands on the instruction its name says, in
 * the program with every option that places it, and a program that has no
 * such place has no such label.  finish() already refuses a jump to a
 * label never placed; this holds the places themselves.
 */
static const struct label_case {
	const char *name;
	enum prog_kind kind;
	enum hand_label label;
	int ipv6, exit;
	struct bpf_insn want;	/* the instruction at the label */
	int absent;		/* this program has no such label */
} label_cases[] = {
	{ .name = "label family: r1 = r10, to point at the family",
	  .kind = PROG_ENTRY, .label = L_FAMILY,
	  .want = BPF_MOV64_REG(BPF_REG_1, BPF_REG_10) },
	{ .name = "label id: r9 = the id stat key",
	  .kind = PROG_ENTRY, .label = L_ID, .ipv6 = 1,
	  .want = BPF_MOV64_IMM(BPF_REG_9, STAT_KEY(STAT_ID0)) },
	{ .name = "label new (-x): the family is stored for pending",
	  .kind = PROG_ENTRY, .label = L_NEW, .exit = 1,
	  .want = BPF_STX_MEM(BPF_W, BPF_REG_10, BPF_REG_8, -48) },
	{ .name = "label count: key[0..7] = 0, before the comm",
	  .kind = PROG_ENTRY, .label = L_COUNT,
	  .want = BPF_ST_MEM(BPF_DW, BPF_REG_10, -32, 0) },
	{ .name = "label count in the exit program: key[0..7] = 0",
	  .kind = PROG_EXIT, .label = L_COUNT, .exit = 1,
	  .want = BPF_ST_MEM(BPF_DW, BPF_REG_10, -32, 0) },
	{ .name = "label map_chosen (-6): r1 = r9, the map counts6 or counts",
	  .kind = PROG_ENTRY, .label = L_MAP_CHOSEN, .ipv6 = 1,
	  .want = BPF_MOV64_REG(BPF_REG_1, BPF_REG_9) },
	{ .name = "label stat: key[0..7] = r9, the stat key",
	  .kind = PROG_ENTRY_SOCKETCALL, .label = L_STAT,
	  .want = BPF_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_9, -32) },
	{ .name = "label inc: r1 = *v",
	  .kind = PROG_ENTRY, .label = L_INC,
	  .want = BPF_LDX_MEM(BPF_DW, BPF_REG_1, BPF_REG_0, 0) },
	{ .name = "label out: r0 = 0, then exit",
	  .kind = PROG_EXIT, .label = L_OUT, .exit = 1,
	  .want = BPF_MOV64_IMM(BPF_REG_0, 0) },
	{ .name = "the exit program has no label family",
	  .kind = PROG_EXIT, .label = L_FAMILY, .exit = 1, .absent = 1 },
};

static void run_label_cases(void)
{
	struct bpf_insn p[PROG_MAX_INSNS];
	int at[NR_HAND_LABELS];
	size_t i, n;

	for (i = 0; i < ARRAY_SIZE(label_cases); i++) {
		const struct label_case *c = &label_cases[i];
		struct prog_spec s = {
			.kind = c->kind, .fields = &layout64,
			.counts_fd = 3, .counts6_fd = 4, .pending_fd = 5,
			.read_user = BPF_FUNC_probe_read_user,
			.ipv6 = c->ipv6, .exit = c->exit,
		};
		int l;

		if (!test_start(c->name))
			continue;
		n = prog_hand_assemble(p, ARRAY_SIZE(p), &s, at);
		l = at[c->label];
		if (c->absent) {
			test_check(n > 0 && l == -1,
				   "EXP: built, no such label\nRES: %zu insns, label at %d",
				   n, l);
			continue;
		}
		test_check(n > 0 && l >= 0 && (size_t)l < n &&
			   memcmp(&p[l], &c->want, sizeof(c->want)) == 0 &&
			   (c->label != L_OUT || (size_t)l + 2 == n),
			   "EXP: the label's instruction (%02x %d %d %d %d)\n"
			   "RES: %zu insns, label at %d: %02x %d %d %d %d",
			   c->want.code, c->want.dst_reg, c->want.src_reg,
			   c->want.off, c->want.imm, n, l,
			   l >= 0 ? p[l].code : 0, l >= 0 ? p[l].dst_reg : 0,
			   l >= 0 ? p[l].src_reg : 0, l >= 0 ? p[l].off : 0,
			   l >= 0 ? p[l].imm : 0);
	}
}

void run_unit_tests(void)
{
	run_enc_cases();
	run_prog_cases();
	run_label_cases();
	run_num_cases(id_cases, ARRAY_SIZE(id_cases), id_parser);
	run_fmt_cases(fmt_cases, ARRAY_SIZE(fmt_cases), TP_ENTER,
		      parse_sendto_format);
	run_fmt_cases(exit_fmt_cases, ARRAY_SIZE(exit_fmt_cases), TP_EXIT,
		      parse_exit_format);
	run_num_cases(cpu_cases, ARRAY_SIZE(cpu_cases), cpu_parser);
	run_num_cases(uint_cases, ARRAY_SIZE(uint_cases), parse_uint);
	run_num_cases(release_cases, ARRAY_SIZE(release_cases), release_parser);
	run_sort_cases();
	run_stat_key_cases();
	run_print_cases();
	run_cli_cases();
	run_clang_cases();
}

/*
 * 9. prog_clang_build: clang's programs, patched.  Most cases build a
 * program twice, differing in one thing (the layout, or the options), and
 * hold every instruction that differs to what that thing may patch: ctx
 * loads to the fields at the spec's offsets and widths, "rX = imm" to the
 * option values.  The rest hold for any build: jumps land inside, it ends
 * in "r0 = 0; exit", no magic value of prog_clang.c is left (ctx offsets
 * from 0x7fe0, option immediates 0x1c0cNNNN), and every LD_IMM64 loads one
 * of the spec's three map fds, each of which is loaded (but for the plain
 * entry program, for a run with no option, which needs counts alone).
 */
static const struct sendto_fields layout64_alt = {	/* 8 bytes, moved */
	.buff = { 64, 8 }, .len = { 72, 8 }, .addr = { 88, 8 }, .ret = { 56, 8 },
};
static const struct sendto_fields layout32_alt = {	/* 4 bytes, moved */
	.buff = { 40, 4 }, .len = { 44, 4 }, .addr = { 52, 4 }, .ret = { 36, 4 },
};

struct clang_case;
typedef int clang_check(const struct clang_case *c, char *msg, size_t size);

struct clang_case {
	const char *name;
	enum prog_kind kind;
	const struct sendto_fields *fields;
	int ipv6, all, exit, pid;
	int read_user;
	int fd_base;		/* counts, counts6, pending: base + 0, 1, 3 */
	clang_check *check;
	const struct sendto_fields *fields2;	/* the second build's layout */
};

static void clang_spec(struct prog_spec *s, const struct clang_case *c,
		       const struct sendto_fields *f, int options)
{
	memset(s, 0, sizeof(*s));
	s->kind = c->kind;
	s->fields = f;
	s->counts_fd = c->fd_base;
	s->counts6_fd = c->fd_base + 1;
	s->pending_fd = c->fd_base + 3;
	s->read_user = c->read_user;
	if (options) {
		s->ipv6 = c->ipv6;
		s->all = c->all;
		s->exit = c->exit;
		s->pid = c->pid;
	}
}

/* Builds into p; on failure says why in msg and returns 0. */
static size_t clang_build(struct bpf_insn *p, const struct prog_spec *s,
			  char *msg, size_t size)
{
	size_t n;

	errno = 0;
	n = prog_clang_build(p, PROG_MAX_INSNS, s);
	if (n == 0 || n > PROG_MAX_INSNS)
		snprintf(msg, size, "EXP: 1 to %d insns\nRES: %zu (errno %s)",
			 PROG_MAX_INSNS, n, errname(errno));
	return n > PROG_MAX_INSNS ? 0 : n;
}

static int same_insn(const struct bpf_insn *a, const struct bpf_insn *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

/* The field a ctx load reads, by offset and width, or -1. */
static int ctx_field(const struct bpf_insn *in,
		     const struct tp_field *const *fl, int nf)
{
	int j;

	for (j = 0; j < nf; j++)
		if (in->code == (BPF_LDX | BPF_MEM |
				 (fl[j]->size == 4 ? BPF_W : BPF_DW)) &&
		    in->off == (int)fl[j]->offset)
			return j;
	return -1;
}

/*
 * Layout against fields2: each instruction that differs is a load of one
 * of the program's fields, at its offset and width in each layout, and
 * each field is loaded once.  Where ret's width differs, the one other
 * difference is its shift, "rX = 64 - width".
 */
static int check_clang_ctx(const struct clang_case *c, char *msg,
			   size_t size)
{
	const struct sendto_fields *f = c->fields, *g = c->fields2;
	const struct tp_field *entry_f[] = { &f->buff, &f->len, &f->addr };
	const struct tp_field *entry_g[] = { &g->buff, &g->len, &g->addr };
	const struct tp_field *exit_f[] = { &f->ret }, *exit_g[] = { &g->ret };
	const struct tp_field *const *ff = entry_f, *const *gf = entry_g;
	struct bpf_insn p[PROG_MAX_INSNS], q[PROG_MAX_INSNS];
	int seen[3] = { 0 }, nf = 3, shifts = 0, want_shifts, j;
	struct prog_spec s;
	size_t i, n, m;

	if (c->kind == PROG_EXIT) {
		ff = exit_f;
		gf = exit_g;
		nf = 1;
	}
	want_shifts = c->kind == PROG_EXIT && f->ret.size != g->ret.size;
	clang_spec(&s, c, f, 1);
	if (!(n = clang_build(p, &s, msg, size)))
		return 0;
	clang_spec(&s, c, g, 1);
	if (!(m = clang_build(q, &s, msg, size)))
		return 0;
	if (n != m) {
		snprintf(msg, size, "EXP: the same length for both layouts\nRES: %zu and %zu",
			 n, m);
		return 0;
	}
	for (i = 0; i < n; i++) {
		if (same_insn(&p[i], &q[i]))
			continue;
		if (p[i].code == (BPF_ALU64 | BPF_MOV | BPF_K) &&
		    q[i].code == p[i].code && p[i].dst_reg == q[i].dst_reg &&
		    p[i].imm == 64 - 8 * (int)f->ret.size &&
		    q[i].imm == 64 - 8 * (int)g->ret.size) {
			shifts++;
			continue;
		}
		j = ctx_field(&p[i], ff, nf);
		if (j < 0 || ctx_field(&q[i], gf, nf) != j ||
		    p[i].dst_reg != q[i].dst_reg ||
		    p[i].src_reg != q[i].src_reg) {
			snprintf(msg, size, "EXP: insn %zu differs only as a ctx load of a field\nRES: off %d code 0x%02x, and off %d code 0x%02x",
				 i, p[i].off, p[i].code, q[i].off, q[i].code);
			return 0;
		}
		seen[j]++;
	}
	for (j = 0; j < nf; j++)
		if (seen[j] != 1)
			break;
	snprintf(msg, size, "EXP: each field loaded once, %d shift\nRES: field %d loaded %d times, %d shifts",
		 want_shifts, j < nf ? j : 0, j < nf ? seen[j] : 1, shifts);
	return j == nf && shifts == want_shifts;
}

/*
 * Options off against the case's options: each instruction that differs
 * is "rX = 0" become "rX = value", and the values are the options set,
 * each once (none for the exit program, which has no such option).
 */
#define PID_BASE	1	/* -p in both builds of check_clang_opts */

static int check_clang_opts(const struct clang_case *c, char *msg,
			    size_t size)
{
	struct bpf_insn p[PROG_MAX_INSNS], q[PROG_MAX_INSNS];
	int want[4], got[4], nw = 0, ng = 0, k;
	const int set[4] = { c->ipv6, c->all, c->exit, c->pid };
	char exp[64] = "", res[64] = "";
	struct prog_spec s;
	size_t i, n;

	/*
	 * With no option at all the entry program is the plain one, so both
	 * builds have -p: PID_BASE in the first, the case's (or PID_BASE
	 * again) in the second.
	 */
	for (k = 0; k < 4; k++)
		if (c->kind != PROG_EXIT && set[k] && !(k == 3 && set[k] == PID_BASE))
			want[nw++] = set[k];
	clang_spec(&s, c, c->fields, 0);
	s.pid = PID_BASE;
	if (!(n = clang_build(p, &s, msg, size)))
		return 0;
	clang_spec(&s, c, c->fields, 1);
	if (!s.pid)
		s.pid = PID_BASE;
	if (clang_build(q, &s, msg, size) != n)
		return 0;
	for (i = 0; i < n; i++) {
		if (same_insn(&p[i], &q[i]))
			continue;
		if (ng == 4 || p[i].code != (BPF_ALU64 | BPF_MOV | BPF_K) ||
		    q[i].code != p[i].code || p[i].dst_reg != q[i].dst_reg ||
		    (p[i].imm != 0 && p[i].imm != PID_BASE)) {
			snprintf(msg, size, "EXP: only option immediates differ\nRES: insn %zu, code 0x%02x imm %d, and code 0x%02x imm %d",
				 i, p[i].code, p[i].imm, q[i].code, q[i].imm);
			return 0;
		}
		got[ng++] = q[i].imm;
	}
	for (k = 0; k < nw; k++)
		app(exp, sizeof(exp), " %d", want[k]);
	for (k = 0; k < ng; k++)
		app(res, sizeof(res), " %d", got[k]);
	snprintf(msg, size, "EXP: the option values, each once:%s\nRES:%s",
		 exp, res);
	if (ng != nw)
		return 0;
	for (k = 0; k < nw; k++) {
		int i2, found = 0;

		for (i2 = 0; i2 < ng; i2++)
			if (got[i2] == want[k]) {
				got[i2] = 0;
				found = 1;
				break;
			}
		if (!found)
			return 0;
	}
	return 1;
}

/* No magic left: no access at 0x7fe0 and up, no immediate 0x1c0cNNNN. */
static int check_clang_magic(const struct clang_case *c, char *msg,
			     size_t size)
{
	struct bpf_insn p[PROG_MAX_INSNS];
	struct prog_spec s;
	size_t i, n;

	clang_spec(&s, c, c->fields, 1);
	if (!(n = clang_build(p, &s, msg, size)))
		return 0;
	for (i = 0; i < n; i++) {
		if (p[i].off >= 0x7fe0 ||
		    ((__u32)p[i].imm & 0xffff0000) == 0x1c0c0000) {
			snprintf(msg, size, "EXP: no magic offset or immediate\nRES: insn %zu: off 0x%x, imm 0x%x",
				 i, (unsigned int)p[i].off,
				 (unsigned int)p[i].imm);
			return 0;
		}
	}
	return 1;
}

/* Every LD_IMM64 is a map fd of the spec's, and each of the four is used. */
static int check_clang_maps(const struct clang_case *c, char *msg,
			    size_t size)
{
	struct bpf_insn p[PROG_MAX_INSNS];
	int used[4] = { 0 }, k;
	char res[200] = "";
	struct prog_spec s;
	size_t i, n, wrong = 0;

	clang_spec(&s, c, c->fields, 1);
	if (!(n = clang_build(p, &s, msg, size)))
		return 0;
	for (i = 0; i + 1 < n; i++) {
		if (!IS_LD_IMM64(p[i]))
			continue;
		app(res, sizeof(res), " %d/%d:%d", p[i].src_reg, p[i].imm,
		    p[i + 1].imm);
		k = p[i].imm - c->fd_base;
		if (p[i].src_reg != BPF_PSEUDO_MAP_FD || k < 0 || k > 3 ||
		    k == 2 || p[i + 1].imm != 0)
			wrong++;
		else
			used[k]++;
		i++;
	}
	/* The plain program (no option) needs counts alone. */
	if (c->kind == PROG_ENTRY && !c->ipv6 && !c->all && !c->exit &&
	    !c->pid) {
		snprintf(msg, size, "EXP: map loads (src/imm:imm2) %d/%d:0 only\nRES: map loads%s",
			 BPF_PSEUDO_MAP_FD, c->fd_base, res);
		return !wrong && used[0] && !used[1] && !used[3];
	}
	snprintf(msg, size, "EXP: map loads (src/imm:imm2) %d/%d, %d and %d:0, each at least once\nRES: map loads%s",
		 BPF_PSEUDO_MAP_FD, c->fd_base, c->fd_base + 1, c->fd_base + 3,
		 res);
	return !wrong && used[0] && used[1] && used[3];
}

/* Every memory-reading call is the spec's helper; the entry has two. */
static int check_clang_read_user(const struct clang_case *c, char *msg,
				 size_t size)
{
	struct bpf_insn p[PROG_MAX_INSNS];
	size_t n, reads, wrong;
	char res[128] = "";
	struct prog_spec s;

	clang_spec(&s, c, c->fields, 1);
	if (!(n = clang_build(p, &s, msg, size)))
		return 0;
	reads = read_calls(p, n, c->read_user, &wrong, res, sizeof(res));
	snprintf(msg, size, "EXP: %d calls of helper %d, no other reads\nRES: calls%s",
		 c->kind == PROG_EXIT ? 0 : 2, c->read_user, res);
	return !wrong && reads == (c->kind == PROG_EXIT ? 0u : 2u);
}

/* check_jumps and check_exit of the hand-made programs, which ignore c. */
static int check_clang_shape(const struct clang_case *c, char *msg,
			     size_t size)
{
	struct bpf_insn p[PROG_MAX_INSNS];
	struct prog_spec s;
	size_t n;

	clang_spec(&s, c, c->fields, 1);
	if (!(n = clang_build(p, &s, msg, size)))
		return 0;
	return check_jumps(p, n, NULL, msg, size) &&
	       check_exit(p, n, NULL, msg, size);
}

#define U	BPF_FUNC_probe_read_user
#define R	BPF_FUNC_probe_read

static const struct clang_case clang_cases[] = {
	{ .name = "clang's x86_64 entry program loads buff, len and addr at the spec's offsets as BPF_DW",
	  .kind = PROG_ENTRY, .fields = &layout64, .ipv6 = 0, .all = 0,
	  .exit = 0, .pid = 0, .read_user = U, .fd_base = 3,
	  .check = check_clang_ctx, .fields2 = &layout64_alt },
	{ .name = "clang's i386 entry program loads buff, len and addr at the spec's offsets as BPF_W",
	  .kind = PROG_ENTRY, .fields = &layout32, .ipv6 = 0, .all = 0,
	  .exit = 0, .pid = 0, .read_user = R, .fd_base = 1000,
	  .check = check_clang_ctx, .fields2 = &layout32_alt },
	{ .name = "clang's x86_64 exit program loads ret at the spec's offset as BPF_DW",
	  .kind = PROG_EXIT, .fields = &layout64, .ipv6 = 0, .all = 0,
	  .exit = 0, .pid = 0, .read_user = U, .fd_base = 3,
	  .check = check_clang_ctx, .fields2 = &layout64_alt },
	{ .name = "clang's i386 exit program loads ret at the spec's offset as BPF_W",
	  .kind = PROG_EXIT, .fields = &layout32, .ipv6 = 0, .all = 0,
	  .exit = 0, .pid = 0, .read_user = R, .fd_base = 1000,
	  .check = check_clang_ctx, .fields2 = &layout32_alt },
	{ .name = "clang's exit program shifts ret by 32 when it is 4 bytes, by 0 when 8",
	  .kind = PROG_EXIT, .fields = &layout32, .ipv6 = 0, .all = 0,
	  .exit = 0, .pid = 0, .read_user = U, .fd_base = 3,
	  .check = check_clang_ctx, .fields2 = &layout64 },
	{ .name = "clang's entry program with options on loads its fields at the spec's offsets",
	  .kind = PROG_ENTRY, .fields = &layout64, .ipv6 = 1, .all = 1,
	  .exit = 1, .pid = 4242, .read_user = U, .fd_base = 3,
	  .check = check_clang_ctx, .fields2 = &layout_rt },
	{ .name = "clang's entry program patches -6 into one immediate",
	  .kind = PROG_ENTRY, .fields = &layout64, .ipv6 = 1, .all = 0,
	  .exit = 0, .pid = 0, .read_user = U, .fd_base = 3,
	  .check = check_clang_opts },
	{ .name = "clang's entry program patches -a into one immediate",
	  .kind = PROG_ENTRY, .fields = &layout64, .ipv6 = 0, .all = 1,
	  .exit = 0, .pid = 0, .read_user = U, .fd_base = 3,
	  .check = check_clang_opts },
	{ .name = "clang's entry program patches -x into one immediate",
	  .kind = PROG_ENTRY, .fields = &layout64, .ipv6 = 0, .all = 0,
	  .exit = 1, .pid = 0, .read_user = U, .fd_base = 3,
	  .check = check_clang_opts },
	{ .name = "clang's entry program patches -p 4242 into one immediate",
	  .kind = PROG_ENTRY, .fields = &layout32, .ipv6 = 0, .all = 0,
	  .exit = 0, .pid = 4242, .read_user = R, .fd_base = 1000,
	  .check = check_clang_opts },
	{ .name = "clang's entry program patches -6 -a -x -p 77 and nothing else",
	  .kind = PROG_ENTRY, .fields = &layout64, .ipv6 = 1, .all = 1,
	  .exit = 1, .pid = 77, .read_user = U, .fd_base = 3,
	  .check = check_clang_opts },
	{ .name = "clang's exit program is the same whatever -6 -a -x -p say",
	  .kind = PROG_EXIT, .fields = &layout64, .ipv6 = 1, .all = 1,
	  .exit = 1, .pid = 77, .read_user = U, .fd_base = 3,
	  .check = check_clang_opts },
	{ .name = "clang's x86_64 entry program has no magic value left, options off",
	  .kind = PROG_ENTRY, .fields = &layout64, .ipv6 = 0, .all = 0,
	  .exit = 0, .pid = 0, .read_user = U, .fd_base = 3,
	  .check = check_clang_magic },
	{ .name = "clang's i386 entry program has no magic value left, options on",
	  .kind = PROG_ENTRY, .fields = &layout32, .ipv6 = 1, .all = 1,
	  .exit = 1, .pid = 4242, .read_user = R, .fd_base = 1000,
	  .check = check_clang_magic },
	{ .name = "clang's x86_64 exit program has no magic value left",
	  .kind = PROG_EXIT, .fields = &layout64, .ipv6 = 0, .all = 0,
	  .exit = 1, .pid = 0, .read_user = U, .fd_base = 3,
	  .check = check_clang_magic },
	{ .name = "clang's i386 exit program has no magic value left",
	  .kind = PROG_EXIT, .fields = &layout32, .ipv6 = 0, .all = 0,
	  .exit = 1, .pid = 0, .read_user = R, .fd_base = 1000,
	  .check = check_clang_magic },
	{ .name = "clang's entry program loads only the spec's three map fds, and each",
	  .kind = PROG_ENTRY, .fields = &layout64, .ipv6 = 1, .all = 1,
	  .exit = 1, .pid = 4242, .read_user = U, .fd_base = 3,
	  .check = check_clang_maps },
	{ .name = "clang's plain entry program (no option) loads counts alone",
	  .kind = PROG_ENTRY, .fields = &layout64, .ipv6 = 0, .all = 0,
	  .exit = 0, .pid = 0, .read_user = U, .fd_base = 3,
	  .check = check_clang_maps },
	{ .name = "clang's exit program loads only the spec's three map fds, and each",
	  .kind = PROG_EXIT, .fields = &layout32, .ipv6 = 0, .all = 0,
	  .exit = 1, .pid = 0, .read_user = R, .fd_base = 70000,
	  .check = check_clang_maps },
	{ .name = "clang's entry program reads user memory with helper 112 when asked for 112",
	  .kind = PROG_ENTRY, .fields = &layout64, .ipv6 = 0, .all = 0,
	  .exit = 0, .pid = 0, .read_user = U, .fd_base = 3,
	  .check = check_clang_read_user },
	{ .name = "clang's entry program reads user memory with helper 4 when asked for 4",
	  .kind = PROG_ENTRY, .fields = &layout32, .ipv6 = 0, .all = 0,
	  .exit = 0, .pid = 0, .read_user = R, .fd_base = 1000,
	  .check = check_clang_read_user },
	{ .name = "clang's exit program reads no user memory",
	  .kind = PROG_EXIT, .fields = &layout64, .ipv6 = 0, .all = 0,
	  .exit = 1, .pid = 0, .read_user = U, .fd_base = 3,
	  .check = check_clang_read_user },
	{ .name = "clang's entry program's jumps land inside it, and it ends r0 = 0; exit",
	  .kind = PROG_ENTRY, .fields = &layout64, .ipv6 = 1, .all = 1,
	  .exit = 1, .pid = 4242, .read_user = U, .fd_base = 3,
	  .check = check_clang_shape },
	{ .name = "clang's exit program's jumps land inside it, and it ends r0 = 0; exit",
	  .kind = PROG_EXIT, .fields = &layout32, .ipv6 = 0, .all = 0,
	  .exit = 1, .pid = 0, .read_user = R, .fd_base = 1000,
	  .check = check_clang_shape },
};

#undef U
#undef R

/* Refusals: max too small, or a field no load can read. */
static const struct sendto_fields layout_odd = {	/* misaligned len */
	.buff = { 24, 8 }, .len = { 36, 8 }, .addr = { 48, 8 }, .ret = { 16, 8 },
};
static const struct sendto_fields layout_short = {	/* 2-byte ret */
	.buff = { 24, 8 }, .len = { 32, 8 }, .addr = { 48, 8 }, .ret = { 16, 2 },
};

static const struct clang_err_case {
	const char *name;
	enum prog_kind kind;
	const struct sendto_fields *fields;
	int short_by;		/* max: the program's length less this */
	int syscall_nr;
	int err;
} clang_err_cases[] = {
	{ .name = "prog_clang_build fails with E2BIG, writing nothing, when max is one short",
	  .kind = PROG_ENTRY, .fields = &layout64, .short_by = 1,
	  .syscall_nr = 0, .err = E2BIG },
	{ .name = "prog_clang_build fails with E2BIG, writing nothing, when max is 0 (exit)",
	  .kind = PROG_EXIT, .fields = &layout64, .short_by = -1,
	  .syscall_nr = 0, .err = E2BIG },
	{ .name = "prog_clang_build fails with EINVAL on a len at a misaligned offset",
	  .kind = PROG_ENTRY, .fields = &layout_odd, .short_by = 0,
	  .syscall_nr = 0, .err = EINVAL },
	{ .name = "prog_clang_build fails with EINVAL on a 2-byte ret",
	  .kind = PROG_EXIT, .fields = &layout_short, .short_by = 0,
	  .syscall_nr = 0, .err = EINVAL },
	{ .name = "prog_clang_build takes an entry spec with a 2-byte ret, which it does not read",
	  .kind = PROG_ENTRY, .fields = &layout_short, .short_by = 0,
	  .syscall_nr = 0, .err = 0 },
	{ .name = "prog_clang_build fails with EINVAL on the socketcall kind",
	  .kind = PROG_ENTRY_SOCKETCALL, .fields = &layout64, .short_by = 0,
	  .syscall_nr = 0, .err = EINVAL },
	{ .name = "prog_clang_build fails with EINVAL on a syscall number to check",
	  .kind = PROG_ENTRY, .fields = &layout64, .short_by = 0,
	  .syscall_nr = 44, .err = EINVAL },
};

static void run_clang_cases(void)
{
	struct bpf_insn p[PROG_MAX_INSNS], fill;
	struct prog_spec s;
	char msg[600];
	size_t i, j, n, len, max;
	int e;

	for (i = 0; i < ARRAY_SIZE(clang_cases); i++) {
		const struct clang_case *c = &clang_cases[i];

		if (!test_start(c->name))
			continue;
		clang_spec(&s, c, &layout64, 0);
		errno = 0;
		if (prog_clang_build(p, ARRAY_SIZE(p), &s) == 0 &&
		    errno == ENOTSUP) {
			test_skip("this build has no clang program");
			continue;
		}
		msg[0] = '\0';
		test_check(c->check(c, msg, sizeof(msg)), "%s", msg);
	}

	memset(&fill, 0xa5, sizeof(fill));
	for (i = 0; i < ARRAY_SIZE(clang_err_cases); i++) {
		const struct clang_err_case *c = &clang_err_cases[i];
		const struct clang_case base = {
			.kind = c->kind, .read_user = BPF_FUNC_probe_read_user,
			.fd_base = 3,
		};

		if (!test_start(c->name))
			continue;
		clang_spec(&s, &base, &layout64, 0);
		if (s.kind == PROG_ENTRY_SOCKETCALL)
			s.kind = PROG_ENTRY;	/* its length, for max */
		errno = 0;
		len = prog_clang_build(p, ARRAY_SIZE(p), &s);
		if (len == 0) {
			if (errno == ENOTSUP)
				test_skip("this build has no clang program");
			else
				test_fail("EXP: the program builds\nRES: errno %s",
					  errname(errno));
			continue;
		}
		max = c->short_by < 0 ? 0 : len - (size_t)c->short_by;
		clang_spec(&s, &base, c->fields, 0);
		s.syscall_nr = c->syscall_nr;
		for (j = 0; j < ARRAY_SIZE(p); j++)
			p[j] = fill;
		errno = 0;
		n = prog_clang_build(p, max, &s);
		e = n ? 0 : errno;
		for (j = 0; j < ARRAY_SIZE(p); j++)
			if (!same_insn(&p[j], &fill))
				break;
		if (c->err == 0)
			test_check(n == len, "EXP: %zu insns\nRES: %zu (errno %s)",
				   len, n, errname(e));
		else
			test_check(n == 0 && e == c->err &&
				   (c->err != E2BIG || j == ARRAY_SIZE(p)),
				   "EXP: returns 0, errno %s%s\nRES: returns %zu, errno %s, first write at %zu",
				   errname(c->err),
				   c->err == E2BIG ? ", writes nothing" : "",
				   n, errname(e), j);
	}
}
