// SPDX-License-Identifier: GPL-2.0
/*
 * output.c - everything icmpcount writes about its counts.
 *
 * Stdout is a contract.  By default it has the shape of the reference
 * bpftrace script's output, byte for byte: "Tracing ...", and at the end
 * "Done ...", two empty lines and the map, sorted by count ascending (then
 * by name) as bpftrace prints one.  With -j it is one JSON object per line
 * instead (the schema is in README.md).  Each print function returns 0, or
 * EOF when the stream failed; the caller reports it.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "icmpcount.h"

static int cmp_count(const void *a, const void *b)
{
	const struct comm_count *x = a, *y = b;
	int r;

	if (x->count != y->count)
		return x->count < y->count ? -1 : 1;
	r = strncmp(x->comm, y->comm, COMM_LEN);
	return r ? r : x->family - y->family;
}

void sort_counts(struct comm_count *c, size_t n)
{
	if (n > 1)
		qsort(c, n, sizeof(*c), cmp_count);
}

static const char *family_name(int family)
{
	return family == AF_INET6 ? "ipv6" : "ipv4";
}

/* A comm as a JSON string: quotes, backslashes and control bytes escaped,
 * and bytes past ASCII as \u00XX, so the output is valid UTF-8 whatever the
 * comm holds. */
static void json_string(FILE *f, const char *s, size_t max)
{
	size_t i;

	fputc('"', f);
	for (i = 0; i < max && s[i]; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20 || ch >= 0x7f)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

int print_tracing(FILE *f, int json)
{
	if (fputs(json ? "{\"event\":\"tracing\"}\n" :
		  "Tracing sendto() syscalls.\n", f) == EOF)
		return EOF;
	return fflush(f);
}

/* The map as bpftrace prints it: "@[ping]: 3", or "@[ping, ipv6]: 3" when
 * the families are told apart (-6). */
static void print_map_plain(FILE *f, const struct report *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		fprintf(f, "@[%.*s", COMM_LEN, r->c[i].comm);
		if (r->families)
			fprintf(f, ", %s", family_name(r->c[i].family));
		fprintf(f, "]: %" PRIu64 "\n", r->c[i].count);
	}
}

static void print_report_json(FILE *f, const struct report *r)
{
	static const char *const reasons[] = {
		[STAT_CHECKSUM0] = "checksum",
		[STAT_ID0] = "id",
		[STAT_SEQ0] = "seq",
	};
	size_t i;

	fprintf(f, "{\"event\":\"%s\",\"time\":\"%s\",\"counts\":[",
		r->final ? "done" : "interval", r->time_utc);
	for (i = 0; i < r->n; i++) {
		fprintf(f, "%s{\"comm\":", i ? "," : "");
		json_string(f, r->c[i].comm, COMM_LEN);
		fprintf(f, ",\"family\":\"%s\",\"count\":%" PRIu64 "}",
			family_name(r->c[i].family), r->c[i].count);
	}
	fputs("],\"not_counted\":{", f);
	for (i = STAT_CHECKSUM0; i < NR_STATS; i++)
		fprintf(f, "%s\"%s\":%" PRIu64, i > STAT_CHECKSUM0 ? "," : "",
			reasons[i], r->stats[i]);
	fprintf(f, "},\"dropped\":%" PRIu64 "}\n", r->stats[STAT_DROPPED]);
}

/*
 * An interval prints its time and the counts of that interval, as BCC's
 * tools do; the final report prints "Done", two empty lines, and the counts
 * of the whole run (bpftrace adds one more empty line when the map is empty).
 */
int print_report(FILE *f, const struct report *r, int json)
{
	if (json)
		print_report_json(f, r);
	else if (r->final) {
		fputs("Done tracing sendto() syscalls.\n\n\n", f);
		if (r->n == 0)
			fputc('\n', f);
		print_map_plain(f, r);
	} else {
		fprintf(f, "%s\n", r->time_local);
		print_map_plain(f, r);
		fputc('\n', f);
	}
	if (ferror(f))
		return EOF;
	return fflush(f);
}

/* On stderr, at the end: the echo requests the predicate left out, and why. */
void print_not_counted(FILE *f, const uint64_t *stats)
{
	static const char *const why[] = {
		[STAT_DROPPED] = "the map of process names was full (--max-comms raises it)",
		[STAT_CHECKSUM0] = "checksum 0 (--all counts it)",
		[STAT_ID0] = "id 0 (ping sockets of older iputils leave it to the kernel; --all counts it)",
		[STAT_SEQ0] = "seq 0 (busybox/inetutils ping start at 0; --all counts it)",
	};
	size_t i;

	for (i = 0; i < NR_STATS; i++)
		if (stats[i])
			fprintf(f, "icmpcount: %" PRIu64 " echo request%s not counted: %s\n",
				stats[i], stats[i] == 1 ? "" : "s", why[i]);
}
