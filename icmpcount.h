/* SPDX-License-Identifier: GPL-2.0 */
/*
 * icmpcount.h - what loader.c shares with the parsers, the output code, the
 * programs and the tests.  Nothing here calls the kernel: the functions
 * declared below work on text and tables, so the unprivileged tests can
 * drive them with fixtures.
 */
#ifndef ICMPCOUNT_H
#define ICMPCOUNT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/bpf.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define COMM_LEN	16	/* TASK_COMM_LEN: the map key */

/* Where one tracepoint argument sits in the record the program gets. */
struct tp_field {
	unsigned int offset;
	unsigned int size;	/* bytes: 8 on 64-bit kernels, 4 on 32-bit */
};

/* The sys_enter_sendto arguments the program reads. */
struct sendto_fields {
	struct tp_field buff;
	struct tp_field len;
	struct tp_field addr;
};

/* parse.c: tracefs and sysfs text, and option values. */
int parse_tracepoint_id(const char *text, unsigned int *id);
int parse_sendto_format(const char *text, struct sendto_fields *f,
			const char **why);
int parse_cpu_list(const char *text, unsigned int *ncpus);
int parse_uint(const char *text, unsigned long max, unsigned long *val);

/* prog_hand.c: the hand-assembled program. */
struct prog_spec {
	const struct sendto_fields *fields;
	int counts_fd;		/* the hash map the program counts into */
	int read_user;		/* helper id: probe_read_user, or probe_read */
};
size_t prog_hand_build(struct bpf_insn *insns, size_t max,
		       const struct prog_spec *spec);
#define PROG_MAX_INSNS	128

/* output.c: the lines on stdout, in the reference script's shape. */
struct comm_count {
	char comm[COMM_LEN];
	uint64_t count;
};
void sort_counts(struct comm_count *c, size_t n);
int print_tracing(FILE *f);
int print_done(FILE *f, const struct comm_count *c, size_t n);

#endif /* ICMPCOUNT_H */
