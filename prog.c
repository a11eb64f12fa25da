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

/*
 * -S explains itself: each map load names its map, each jump its label
 * (or, in clang's program, its target), and each no-op the option that
 * would fill it, found by building the program again with that option
 * turned over and seeing which slots change.  The notes are assembler
 * comments, so the listing still assembles.
 */
#define NOTE_MAX	48

static const char *const label_names[NR_HAND_LABELS] = {
	[L_COMPAT] = "compat", [L_COMPAT_SOCKETCALL] = "compat_socketcall",
	[L_BODY] = "body", [L_PENDING] = "pending", [L_FAMILY] = "family",
	[L_ID] = "id", [L_NEW] = "new", [L_COUNT] = "count",
	[L_MAP_CHOSEN] = "map_chosen", [L_STAT] = "stat", [L_INC] = "inc",
	[L_OUT] = "out",
};

static int is_nop(const struct bpf_insn *in)
{
	return in->code == (BPF_JMP | BPF_JA) && in->off == 0 && in->imm == 0;
}

static int is_jump(const struct bpf_insn *in)
{
	int op = BPF_OP(in->code);

	return (BPF_CLASS(in->code) == BPF_JMP ||
		BPF_CLASS(in->code) == BPF_JMP32) &&
	       op != BPF_CALL && op != BPF_EXIT && !is_nop(in);
}

/* What the program would have here with one thing turned over. */
enum turn { TURN_IPV6, TURN_ALL, TURN_EXIT, TURN_PID, TURN_RAW, TURN_RET32,
	    NR_TURNS };

static const char *const turned[NR_TURNS][2] = {	/* { off, on } */
	[TURN_IPV6] = { "filled by -6", "left out by -6" },
	[TURN_ALL] = { "filled by -a", "left out by -a" },
	[TURN_EXIT] = { "filled by -x", "left out by -x" },
	[TURN_PID] = { "filled by -p", "left out by -p" },
	[TURN_RAW] = { "filled on raw_syscalls (the number's test)", "" },
	[TURN_RET32] = { "filled on a 32-bit kernel (ret's sign)", "" },
};

static int turn_over(struct prog_spec *t, struct sendto_fields *f, int k)
{
	switch (k) {
	case TURN_IPV6:
		return (t->ipv6 = !t->ipv6) == 0;
	case TURN_ALL:
		return (t->all = !t->all) == 0;
	case TURN_EXIT:
		return (t->exit = !t->exit) == 0;
	case TURN_PID:
		return (t->pid = !t->pid) == 0;
	case TURN_RAW:
		t->syscall_nr = t->syscall_nr ? 0 : 1;
		return t->syscall_nr == 0;
	default:
		*f = *t->fields;
		f->ret.size = 4;
		t->fields = f;
		return 0;
	}
}

/* The thing whose turning over fills slot i, as a note. */
static void note_nop(char *note, const struct prog_spec *spec, int program,
		     size_t i, size_t cnt)
{
	struct bpf_insn other[PROG_MAX_INSNS];
	struct sendto_fields f;
	int k, was;

	for (k = 0; k < NR_TURNS; k++) {
		struct prog_spec t = *spec;

		was = turn_over(&t, &f, k);
		if (prog_build(other, &t, program) != cnt || is_nop(&other[i]) ||
		    !turned[k][was][0])
			continue;
		snprintf(note, NOTE_MAX, "%s", turned[k][was]);
		return;
	}
	snprintf(note, NOTE_MAX, "no-op");
}

static const char *helper_name(int id)
{
	switch (id) {
	case BPF_FUNC_map_lookup_elem: return "bpf_map_lookup_elem";
	case BPF_FUNC_map_update_elem: return "bpf_map_update_elem";
	case BPF_FUNC_probe_read: return "bpf_probe_read";
	case BPF_FUNC_get_current_pid_tgid: return "bpf_get_current_pid_tgid";
	case BPF_FUNC_get_current_comm: return "bpf_get_current_comm";
	case BPF_FUNC_get_current_task: return "bpf_get_current_task";
	case BPF_FUNC_probe_read_user: return "bpf_probe_read_user";
	case BPF_FUNC_probe_read_kernel: return "bpf_probe_read_kernel";
	default: return NULL;
	}
}

static void annotate(const struct bpf_insn *insns, size_t cnt,
		     const struct prog_spec *spec, int program,
		     char (*notes)[NOTE_MAX], const char **ptrs)
{
	struct bpf_insn again[PROG_MAX_INSNS];
	int at[NR_HAND_LABELS];
	size_t i, l;

	for (l = 0; l < NR_HAND_LABELS; l++)
		at[l] = -1;
	if (program == PROGRAM_HAND)
		prog_hand_assemble(again, ARRAY_SIZE(again), spec, at);
	for (i = 0; i < cnt; i++) {
		const struct bpf_insn *in = &insns[i];

		ptrs[i] = notes[i];
		notes[i][0] = '\0';
		if (BPF_CLASS(in->code) == BPF_LD &&
		    BPF_MODE(in->code) == BPF_IMM &&
		    in->src_reg == BPF_PSEUDO_MAP_FD) {
			snprintf(notes[i], NOTE_MAX, "map %s",
				 in->imm == spec->counts_fd ? "counts" :
				 in->imm == spec->counts6_fd ? "counts6" :
				 in->imm == spec->pending_fd ? "pending" : "?");
		} else if (is_nop(in)) {
			note_nop(notes[i], spec, program, i, cnt);
		} else if (in->code == (BPF_JMP | BPF_CALL) &&
			   helper_name(in->imm)) {
			snprintf(notes[i], NOTE_MAX, "%s", helper_name(in->imm));
		} else if (is_jump(in)) {
			long to = (long)i + 1 + in->off;

			snprintf(notes[i], NOTE_MAX, "to %ld", to);
			for (l = 0; l < NR_HAND_LABELS; l++)
				if (at[l] == to)
					snprintf(notes[i], NOTE_MAX, "to %s",
						 label_names[l]);
		}
		if (!notes[i][0])
			ptrs[i] = NULL;
	}
}

static void dump_one(const char *what, const struct bpf_insn *insns,
		     size_t cnt, const struct prog_spec *spec, int program)
{
	static char notes[PROG_MAX_INSNS][NOTE_MAX];
	const char *ptrs[PROG_MAX_INSNS];

	printf("; %s: %zu instructions\n", what, cnt);
	annotate(insns, cnt, spec, program, notes, ptrs);
	disasm_print_notes(stdout, insns, cnt, ptrs);
}

/* -S: as root, the real layout; without privileges, the usual one. */
void prog_dump(const struct options *o)
{
	const char *tracefs = look_for_tracefs(1);
	struct bpf_insn insns[PROG_MAX_INSNS];
	struct sendto_fields fields;
	struct prog_spec spec = {
		.fields = &fields, .read_user = BPF_FUNC_probe_read_user,
		.counts_fd = 3, .counts6_fd = 4, .pending_fd = 5,
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
	printf("; map fds are put in at load time; here, as a first run gets them:\n"
	       "; counts %d, counts6 %d, pending %d\n",
	       spec.counts_fd, spec.counts6_fd, spec.pending_fd);
	cnt = prog_build(insns, &spec, o->program);
	dump_one("sys_enter_sendto", insns, cnt, &spec, o->program);
	if (o->exit) {
		spec.kind = PROG_EXIT;
		cnt = prog_build(insns, &spec, o->program);
		dump_one("sys_exit_sendto", insns, cnt, &spec, o->program);
	}
	check_stdout(fflush(stdout));
}
