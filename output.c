// SPDX-License-Identifier: GPL-2.0
/*
 * output.c - the lines icmpcount writes to stdout.
 *
 * Stdout is a contract: it has the shape of the reference bpftrace script's
 * output (shared/reference/sendto_count.bt), byte for byte, so whatever parsed
 * that keeps working.  A map prints as bpftrace prints one: sorted by count,
 * ascending, and here by name where counts tie.  Each function returns 0, or
 * EOF when the stream failed; the caller flushes and reports.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "icmpcount.h"

static int cmp_count(const void *a, const void *b)
{
	const struct comm_count *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? -1 : 1;
	return strncmp(x->comm, y->comm, COMM_LEN);
}

void sort_counts(struct comm_count *c, size_t n)
{
	if (n > 1)
		qsort(c, n, sizeof(*c), cmp_count);
}

int print_tracing(FILE *f)
{
	if (fputs("Tracing sendto() syscalls.\n", f) == EOF)
		return EOF;
	return fflush(f);
}

/*
 * bpftrace ends with the END probe's line, two empty lines, and then the map:
 * one "@[comm]: N" line per key, or one more empty line when the map is empty.
 */
int print_done(FILE *f, const struct comm_count *c, size_t n)
{
	size_t i;

	if (fputs("Done tracing sendto() syscalls.\n\n\n", f) == EOF)
		return EOF;
	if (n == 0 && fputc('\n', f) == EOF)
		return EOF;
	for (i = 0; i < n; i++) {
		if (fprintf(f, "@[%.*s]: %" PRIu64 "\n", COMM_LEN, c[i].comm,
			    c[i].count) < 0)
			return EOF;
	}
	return fflush(f);
}
