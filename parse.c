// SPDX-License-Identifier: GPL-2.0
/*
 * parse.c - the text icmpcount reads: a tracepoint's id and format files,
 * the possible-CPU list from sysfs, and numeric option values.
 *
 * Every parser takes a NUL-terminated string, never trusts it, and returns 0
 * or -1 with errno set (EINVAL for malformed text, ERANGE for a value out of
 * range, ENOENT for a field that is not there).  No parser allocates, prints
 * or touches a file, so they are tested on fixtures and fuzzed as they are;
 * read_text(), last, brings a file's text in for them.
 */
#include <ctype.h>
#include <fcntl.h>
#include <unistd.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "icmpcount.h"

/* A decimal number, digits only: no sign, no blanks, no base prefix. */
static int parse_decimal(const char *s, const char **end, unsigned long max,
			 unsigned long *val)
{
	unsigned long v = 0;

	if (!isdigit((unsigned char)*s)) {
		errno = EINVAL;
		return -1;
	}
	for (; isdigit((unsigned char)*s); s++) {
		unsigned int d = (unsigned int)(*s - '0');

		if (d > max || v > (max - d) / 10) {
			errno = ERANGE;
			return -1;
		}
		v = v * 10 + d;
	}
	*end = s;
	*val = v;
	return 0;
}

int parse_uint(const char *text, unsigned long max, unsigned long *val)
{
	const char *end;

	if (parse_decimal(text, &end, max, val))
		return -1;
	if (*end != '\0') {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

/*
 * uname's release, "6.18.44-fc-v1045" or "5.15.0-91-generic": the major and
 * minor version, as KERNEL_VERSION(major, minor, 0) numbers them.
 */
int parse_kernel_release(const char *text, unsigned int *version)
{
	unsigned long major, minor;
	const char *end;

	if (parse_decimal(text, &end, 255, &major))
		return -1;
	if (*end != '.') {
		errno = EINVAL;
		return -1;
	}
	if (parse_decimal(end + 1, &end, 255, &minor))
		return -1;
	if (*end != '\0' && *end != '.' && *end != '-' && *end != '+') {
		errno = EINVAL;
		return -1;
	}
	*version = (unsigned int)(major << 16 | minor << 8);
	return 0;
}

/* events/<group>/<name>/id holds one decimal number and a newline. */
int parse_tracepoint_id(const char *text, unsigned int *id)
{
	unsigned long v;
	const char *end;

	if (parse_decimal(text, &end, UINT_MAX, &v))
		return -1;
	if (*end == '\n')
		end++;
	if (*end != '\0') {
		errno = EINVAL;
		return -1;
	}
	*id = (unsigned int)v;
	return 0;
}

/*
 * A format file line reads
 *	"\tfield:void * buff;\toffset:24;\tsize:8;\tsigned:0;"
 * The name is the last identifier of the declaration, before any "[N]".
 * Returns 1 and fills name, offset and size for a field line, 0 for any other
 * line, and -1 for a field line that is malformed.
 */
static int parse_field_line(const char *line, const char *eol,
			    char *name, size_t namesz, struct tp_field *fl)
{
	const char *p, *decl, *semi, *nend, *nstart;
	unsigned long off, size;

	p = line;
	while (p < eol && (*p == '\t' || *p == ' '))
		p++;
	if ((size_t)(eol - p) < 6 || strncmp(p, "field:", 6) != 0)
		return 0;
	decl = p + 6;
	semi = memchr(decl, ';', (size_t)(eol - decl));
	if (!semi)
		return -1;

	nend = semi;
	if (nend > decl && nend[-1] == ']') {
		while (nend > decl && *nend != '[')
			nend--;
		if (nend == decl)
			return -1;
	}
	while (nend > decl && nend[-1] == ' ')
		nend--;
	nstart = nend;
	while (nstart > decl &&
	       (isalnum((unsigned char)nstart[-1]) || nstart[-1] == '_'))
		nstart--;
	if (nstart == nend || (size_t)(nend - nstart) >= namesz)
		return -1;
	memcpy(name, nstart, (size_t)(nend - nstart));
	name[nend - nstart] = '\0';

	p = semi + 1;
	while (p < eol && (*p == '\t' || *p == ' '))
		p++;
	if ((size_t)(eol - p) < 7 || strncmp(p, "offset:", 7) != 0)
		return -1;
	if (parse_decimal(p + 7, &p, INT_MAX, &off) || p >= eol || *p != ';')
		return -1;
	p++;
	while (p < eol && (*p == '\t' || *p == ' '))
		p++;
	if ((size_t)(eol - p) < 5 || strncmp(p, "size:", 5) != 0)
		return -1;
	if (parse_decimal(p + 5, &p, INT_MAX, &size) || p >= eol || *p != ';')
		return -1;
	fl->offset = (unsigned int)off;
	fl->size = (unsigned int)size;
	return 1;
}

/* The record a tracepoint program reads is at most this long. */
#define TP_RECORD_MAX	8192

/*
 * Finds each of the n named fields in a format file.  A field that is
 * missing, appears twice, or has a width or offset the verifier would refuse
 * for a context load (aligned loads of 4 or 8 bytes) fails the whole file.
 * Where elems is given and elems[i] > 1, field i is an array of that many
 * words, like raw_syscalls' args[6].
 */
static int parse_array_fields(const char *text, const char *const *names,
			      struct tp_field *const *slot,
			      const unsigned int *elems, size_t n,
			      const char **why)
{
	static char missing[48];
	int seen[4] = { 0 };
	const char *line, *eol;
	size_t i;

	*why = NULL;
	if (n > ARRAY_SIZE(seen)) {
		errno = EINVAL;
		return -1;
	}
	for (line = text; *line; line = *eol ? eol + 1 : eol) {
		struct tp_field fl;
		unsigned int word;
		char name[64];
		int r;

		eol = strchr(line, '\n');
		if (!eol)
			eol = line + strlen(line);
		r = parse_field_line(line, eol, name, sizeof(name), &fl);
		if (r < 0) {
			*why = "malformed field line";
			errno = EINVAL;
			return -1;
		}
		for (i = 0; r > 0 && i < n; i++) {
			if (strcmp(name, names[i]) != 0)
				continue;
			if (seen[i]) {
				*why = "a field appears twice";
				errno = EINVAL;
				return -1;
			}
			word = elems ? fl.size / elems[i] : fl.size;
			if ((word != 4 && word != 8) ||
			    (elems && fl.size != word * elems[i]) ||
			    fl.offset % word != 0 ||
			    fl.offset + fl.size > TP_RECORD_MAX) {
				*why = "a field has an unusable offset or size";
				errno = EINVAL;
				return -1;
			}
			*slot[i] = fl;
			seen[i] = 1;
		}
	}
	for (i = 0; i < n; i++) {
		if (!seen[i]) {
			snprintf(missing, sizeof(missing), "no field '%s'",
				 names[i]);
			*why = missing;
			errno = ENOENT;
			return -1;
		}
	}
	return 0;
}

/* Named fields that are each one word. */
static int parse_fields(const char *text, const char *const *names,
			struct tp_field *const *slot, size_t n, const char **why)
{
	return parse_array_fields(text, names, slot, NULL, n, why);
}

/* sys_enter_sendto: the three arguments the entry program reads. */
int parse_sendto_format(const char *text, struct sendto_fields *f,
			const char **why)
{
	static const char *const names[] = { "buff", "len", "addr" };
	struct tp_field *const slot[] = { &f->buff, &f->len, &f->addr };

	return parse_fields(text, names, slot, ARRAY_SIZE(names), why);
}

/*
 * raw_syscalls:sys_enter: the syscall number, and args[6], of which buff,
 * len and addr are elements 1, 2 and 4.
 */
int parse_raw_enter_format(const char *text, struct sendto_fields *f,
			   const char **why)
{
	static const char *const names[] = { "id", "args" };
	static const unsigned int elems[] = { 1, 6 };
	struct tp_field args;
	struct tp_field *const slot[] = { &f->id, &args };
	unsigned int w;

	if (parse_array_fields(text, names, slot, elems, ARRAY_SIZE(names),
			       why) != 0)
		return -1;
	w = args.size / 6;
	f->buff = (struct tp_field){ args.offset + 1 * w, w };
	f->len = (struct tp_field){ args.offset + 2 * w, w };
	f->addr = (struct tp_field){ args.offset + 4 * w, w };
	return 0;
}

/* raw_syscalls:sys_exit: the syscall number and the return value. */
int parse_raw_exit_format(const char *text, struct sendto_fields *f,
			  const char **why)
{
	static const char *const names[] = { "id", "ret" };
	struct tp_field *const slot[] = { &f->id, &f->ret };

	return parse_fields(text, names, slot, ARRAY_SIZE(names), why);
}

/* sys_enter_socketcall: the call number and the user's argument array. */
int parse_socketcall_format(const char *text, struct sendto_fields *f,
			    const char **why)
{
	static const char *const names[] = { "call", "args" };
	struct tp_field *const slot[] = { &f->call, &f->args };

	return parse_fields(text, names, slot, ARRAY_SIZE(names), why);
}

/* sys_exit_sendto: the return value the exit program reads. */
int parse_exit_format(const char *text, struct sendto_fields *f,
		      const char **why)
{
	static const char *const names[] = { "ret" };
	struct tp_field *const slot[] = { &f->ret };

	return parse_fields(text, names, slot, ARRAY_SIZE(names), why);
}

/* /sys/devices/system/cpu/possible: "0-3,5,7-9\n".  Counts the CPUs. */
int parse_cpu_list(const char *text, unsigned int *ncpus)
{
	unsigned long lo, hi, n = 0;
	const char *p = text;

	for (;;) {
		if (parse_decimal(p, &p, 1UL << 20, &lo))
			goto bad;
		hi = lo;
		if (*p == '-' && parse_decimal(p + 1, &p, 1UL << 20, &hi))
			goto bad;
		if (hi < lo)
			goto bad;
		n += hi - lo + 1;
		if (*p != ',')
			break;
		p++;
	}
	if (*p == '\n')
		p++;
	if (*p != '\0' || n > 1UL << 20)
		goto bad;
	*ncpus = (unsigned int)n;
	return 0;
bad:
	errno = EINVAL;
	return -1;
}

/*
 * Reads a small file whole into buf, NUL-terminated: 0, or -1 with errno
 * (EFBIG when it fills buf, which then holds what fitted).
 */
int read_text(const char *path, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while (len < size - 1 &&
	       (n = read(fd, buf + len, size - 1 - len)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			close(fd);
			return -1;
		}
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	if (len == size - 1) {
		errno = EFBIG;		/* what was read is there, cut short */
		return -1;
	}
	return 0;
}
