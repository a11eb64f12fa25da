// SPDX-License-Identifier: GPL-2.0
/*
 * output.c - everything icmpcount writes about its counts.
 *
 * Stdout is a contract.  By default it has the shape of the reference
 * bpftrace script's output, byte for byte: "Tracing ...", and at the end
 * "Done ...", two empty lines and the map, sorted by count ascending (then
 * by name) as bpftrace prints one.  With -j it is one JSON object per line
 * instead (the schema is in README.md).  --prom writes the counts for
 * Prometheus' node_exporter, in its text format, to a file replaced whole.
 * Each print function returns 0, or EOF when the stream failed; the caller
 * reports it.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>

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

/*
 * The length of the valid UTF-8 sequence at s (at most n bytes), or 0 if
 * the byte there does not start one: comms are bytes, not text.
 */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len, i;
	unsigned int cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates, and past U+10FFFF are not UTF-8. */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

/*
 * A comm as a quoted string for JSON or a Prometheus label, in out (at
 * least COMM_QUOTED bytes): quotes and backslashes escaped, a newline as
 * \n, other control bytes as \u00XX in JSON (a label holds them as they
 * are), valid UTF-8 as it is, and each byte that is not UTF-8 as U+FFFD, so
 * the output is always valid UTF-8.  Returns 1 if the comm was all UTF-8.
 */
#define COMM_QUOTED	(COMM_LEN * 6 + 3)

static int quote_comm(char *out, const char *comm, int json)
{
	const unsigned char *s = (const unsigned char *)comm;
	size_t i = 0, n = strnlen(comm, COMM_LEN), len;
	char *o = out;
	int valid = 1;

	*o++ = '"';
	while (i < n) {
		unsigned char ch = s[i];

		len = utf8_len(s + i, n - i);
		if (len == 0) {
			memcpy(o, "\xef\xbf\xbd", 3);	/* U+FFFD */
			o += 3;
			valid = 0;
			i++;
			continue;
		}
		if (ch == '"' || ch == '\\')
			o += sprintf(o, "\\%c", ch);
		else if (ch == '\n')
			o += sprintf(o, "\\n");
		else if (json && (ch < 0x20 || ch == 0x7f))
			o += sprintf(o, "\\u%04x", ch);
		else {
			memcpy(o, s + i, len);
			o += len;
		}
		i += len;
	}
	*o++ = '"';
	*o = '\0';
	return valid;
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
		char comm[COMM_QUOTED];

		quote_comm(comm, r->c[i].comm, 1);
		fprintf(f, "%s{\"comm\":%s,\"family\":\"%s\",\"count\":%" PRIu64 "}",
			i ? "," : "", comm, family_name(r->c[i].family),
			r->c[i].count);
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

/*
 * --prom: the counts since the start, as Prometheus counters, for
 * node_exporter's textfile collector.  Each byte that is not UTF-8 becomes
 * U+FFFD, so different comms can get the same label: "a\xff" and "a\xfe",
 * and either of them and "a" followed by a real U+FFFD.  Their counts are
 * summed into one line, the first of them in the order of r->c, so no
 * series appears twice and no count is lost.  Only labels that hold U+FFFD
 * can be the same for two comms, so only they are compared.
 */
static int same_label(const struct comm_count *a, const struct comm_count *b)
{
	char x[COMM_QUOTED], y[COMM_QUOTED];

	quote_comm(x, a->comm, 0);
	quote_comm(y, b->comm, 0);
	return a->family == b->family && strcmp(x, y) == 0;
}

static void print_prom(FILE *f, const struct report *r)
{
	static const char *const reasons[] = {
		[STAT_CHECKSUM0] = "checksum",
		[STAT_ID0] = "id",
		[STAT_SEQ0] = "seq",
	};
	char label[COMM_QUOTED];
	size_t i, j;

	fputs("# HELP icmpcount_echo_requests_total ICMP echo requests sent with sendto(), by process name and address family.\n"
	      "# TYPE icmpcount_echo_requests_total counter\n", f);
	for (i = 0; i < r->n; i++) {
		uint64_t sum = r->c[i].count;

		quote_comm(label, r->c[i].comm, 0);
		if (strstr(label, "\xef\xbf\xbd")) {
			for (j = 0; j < i && !same_label(&r->c[j], &r->c[i]); j++)
				;
			if (j < i)		/* printed with an earlier one */
				continue;
			for (j = i + 1; j < r->n; j++)
				if (same_label(&r->c[j], &r->c[i]))
					sum += r->c[j].count;
		}
		fprintf(f, "icmpcount_echo_requests_total{comm=%s,family=\"%s\"} %" PRIu64 "\n",
			label, family_name(r->c[i].family), sum);
	}
	fputs("# HELP icmpcount_not_counted_total Echo requests the reference predicate leaves out, by reason (--all counts them).\n"
	      "# TYPE icmpcount_not_counted_total counter\n", f);
	for (i = STAT_CHECKSUM0; i < NR_STATS; i++)
		fprintf(f, "icmpcount_not_counted_total{reason=\"%s\"} %" PRIu64 "\n",
			reasons[i], r->stats[i]);
	fprintf(f, "# HELP icmpcount_dropped_total Echo requests not counted because the map of process names was full.\n"
		"# TYPE icmpcount_dropped_total counter\n"
		"icmpcount_dropped_total %" PRIu64 "\n", r->stats[STAT_DROPPED]);
}

/*
 * Replaces path whole: writes a temporary file beside it, then renames it
 * over path, so node_exporter never reads half a file.  The temporary name
 * starts with a dot and does not end in .prom, so the collector skips it
 * even while it exists.  Returns 0, or -1 with errno set and nothing left.
 */
int write_prom(const char *path, const struct report *r)
{
	char tmp[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int n, fd, e;
	FILE *f;

	if (slash)
		n = snprintf(tmp, sizeof(tmp), "%.*s/.%s.XXXXXX",
			     (int)(slash - path), path, slash + 1);
	else
		n = snprintf(tmp, sizeof(tmp), ".%s.XXXXXX", path);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = mkstemp(tmp);
	if (fd < 0)
		return -1;
	f = fdopen(fd, "w");
	if (!f) {
		e = errno;
		close(fd);
		goto fail;
	}
	print_prom(f, r);
	if (fchmod(fd, 0644) != 0 || fflush(f) != 0 || ferror(f) ||
	    fsync(fd) != 0) {
		e = errno ? errno : EIO;
		fclose(f);
		goto fail;
	}
	if (fclose(f) != 0) {
		e = errno;
		goto fail;
	}
	if (rename(tmp, path) != 0) {
		e = errno;
		goto fail;
	}
	return 0;
fail:
	unlink(tmp);
	errno = e;
	return -1;
}

/*
 * The totals, as loader.c reads them from the maps at each tick and at the
 * end, sorted by key: an interval prints what moved since the last tick.
 */
int cmp_count_key(const void *a, const void *b)
{
	const struct comm_count *x = a, *y = b;
	int r = memcmp(x->comm, y->comm, COMM_LEN);

	return r ? r : x->family - y->family;
}

/* An interval's counts: now minus before, leaving out what did not move. */
static size_t diff_totals(const struct totals *now, const struct totals *before,
			  struct comm_count *out, uint64_t *stats)
{
	size_t i, n = 0;

	for (i = 0; i < now->n; i++) {
		const struct comm_count *b = before->n ?
			bsearch(&now->c[i], before->c, before->n,
				sizeof(*before->c), cmp_count_key) : NULL;
		uint64_t d = now->c[i].count - (b ? b->count : 0);

		if (d) {
			out[n] = now->c[i];
			out[n++].count = d;
		}
	}
	for (i = 0; i < NR_STATS; i++)
		stats[i] = now->stats[i] - before->stats[i];
	return n;
}

/* A failed write to stdout ends us; a reader that went away is no error to report. */
void check_stdout(int r)
{
	if (r == 0)
		return;
	if (errno != EPIPE)
		fail(NULL, "cannot write to stdout");
	exit(EXIT_FAILURE);
}

void print_totals(const struct totals *now, const struct totals *before,
			 const struct options *o, int final)
{
	struct comm_count *c = calloc(now->n + 1, sizeof(*c));
	struct report r = { .final = final, .families = o->ipv6, .c = c };
	time_t t = time(NULL);
	struct tm tm;

	if (!c)
		fail(NULL, "cannot allocate memory");
	r.n = diff_totals(now, before, c, r.stats);
	sort_counts(c, r.n);
	/* By hand: strftime() would bring 4 KiB of locale code to the binary. */
	localtime_r(&t, &tm);
	snprintf(r.time_local, sizeof(r.time_local), "%02d:%02d:%02d",
		 tm.tm_hour, tm.tm_min, tm.tm_sec);
	gmtime_r(&t, &tm);
	snprintf(r.time_utc, sizeof(r.time_utc), "%04d-%02d-%02dT%02d:%02d:%02dZ",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec);
	check_stdout(print_report(stdout, &r, o->json));
	free(c);
}

/*
 * --prom: the counts since the start, written whole at each tick and at the
 * end.  A write that fails is said once per kind of failure and tried again
 * at the next tick; tracing goes on.
 */
void save_prom(const struct totals *t, const struct options *o)
{
	static int said[8];
	struct report r = { .c = t->c, .n = t->n, .families = o->ipv6 };
	size_t i;

	memcpy(r.stats, t->stats, sizeof(r.stats));
	if (write_prom(o->prom, &r) == 0)
		return;
	for (i = 0; i < ARRAY_SIZE(said) && said[i] && said[i] != errno; i++)
		;
	if (i < ARRAY_SIZE(said) && said[i] == errno)
		return;
	if (i < ARRAY_SIZE(said))
		said[i] = errno;
	warn("trying again at the next interval", "cannot write %s", o->prom);
}
