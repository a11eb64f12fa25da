// SPDX-License-Identifier: GPL-2.0
/*
 * prog.c - the program -P names, as an instruction array: hand-assembled
 * (prog_hand.c), compiled by clang (prog.bpf.c, through prog_clang.c), or
 * the empty one; what the kernel's helpers allow; and -S, which prints
 * the programs as they would be loaded, and loads nothing.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bpf.h"
#include "bpf_insn.h"
#include "disasm.h"
#include "icmpcount.h"

size_t prog_build(struct bpf_insn *insns, const struct prog_spec *spec,
		  int program)
{
	/* -P empty: the floor of this design, for benchmarks; counts nothing. */
	const struct bpf_insn empty[] = {
		BPF_MOV64_IMM(BPF_REG_0, 0),		/* r0 = 0 */
		BPF_EXIT_INSN(),			/* return r0 */
	};
	size_t cnt;

	if (program == PROGRAM_EMPTY) {
		memcpy(insns, empty, sizeof(empty));
		return ARRAY_SIZE(empty);
	}
	if (program == PROGRAM_HAND)
		return prog_hand_build(insns, PROG_MAX_INSNS, spec);
	cnt = prog_clang_build(insns, PROG_MAX_INSNS, spec);
	if (cnt == 0 && errno == ENOTSUP)
		failx("-P clang: this icmpcount was built without clang");
	if (cnt == 0)
		fail(NULL, "cannot build the clang program");
	return cnt;
}

/*
 * The programs read user memory with bpf_probe_read_user (5.5 and later).
 * Older kernels have only bpf_probe_read.  Rather than guess from the
 * version, ask the kernel, with a tiny program that calls the helper.
 */
int helper_works(int helper)
{
	const struct bpf_insn probe[] = {
		BPF_MOV64_REG(BPF_REG_1, BPF_REG_10),
		BPF_ALU64_IMM(BPF_ADD, BPF_REG_1, -8),	/* r1 = fp - 8 */
		BPF_MOV64_IMM(BPF_REG_2, 8),		/* r2 = 8 */
		BPF_MOV64_IMM(BPF_REG_3, 0),		/* r3 = NULL */
		BPF_EMIT_CALL(helper),	/* helper(fp - 8, 8, NULL) */
		BPF_MOV64_IMM(BPF_REG_0, 0),
		BPF_EXIT_INSN(),
	};
	int fd = bpf_prog_load(BPF_PROG_TYPE_TRACEPOINT, NULL, "GPL", probe,
			       ARRAY_SIZE(probe), NULL, 0, 0);

	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

/* -S: as root, the real layout; without privileges, the usual one. */
void prog_dump(const struct options *o)
{
	const char *tracefs = look_for_tracefs(1);
	struct bpf_insn insns[PROG_MAX_INSNS];
	struct sendto_fields fields;
	struct prog_spec spec = {
		.fields = &fields, .read_user = BPF_FUNC_probe_read_user,
		.ipv6 = o->ipv6, .all = o->all, .exit = o->exit,
		.pid = (int)o->pid,
	};
	size_t cnt;

	default_fields(&fields);
	if (!tracefs && mount_private_tracefs() == 0)
		tracefs = look_for_tracefs(1);
	if (tracefs) {
		read_fields(tracefs, TP_SENDTO_ENTER, FORMAT_ENTER,
			    parse_sendto_format, &fields);
		if (o->exit)
			read_fields(tracefs, TP_SENDTO_EXIT, FORMAT_EXIT,
				    parse_exit_format, &fields);
	} else {
		warnx("tracefs is not readable: using the usual %zu-bit layout",
		      8 * sizeof(long));
	}
	printf("; map fds are put in at load time: counts %d, counts6 %d, pending %d\n",
	       spec.counts_fd, spec.counts6_fd, spec.pending_fd);
	cnt = prog_build(insns, &spec, o->program);
	printf("; sys_enter_sendto: %zu instructions\n", cnt);
	disasm_print(stdout, insns, cnt);
	if (o->exit) {
		spec.kind = PROG_EXIT;
		cnt = prog_build(insns, &spec, o->program);
		printf("; sys_exit_sendto: %zu instructions\n", cnt);
		disasm_print(stdout, insns, cnt);
	}
	check_stdout(fflush(stdout));
}
