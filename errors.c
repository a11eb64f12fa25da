// SPDX-License-Identifier: GPL-2.0
/*
 * errors.c - every message icmpcount prints on stderr, but -v's narration:
 *	icmpcount: <what failed>[: <strerror>][ (<what to do>)]
 * fail() and failx() then exit with status 1 (usage errors exit 2, from
 * cmdline.c); warn() and warnx() go on.  The kernel drops our maps,
 * programs and perf events when the process exits, so no failure path can
 * leave anything attached.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "icmpcount.h"

/* "icmpcount: <message>[: <strerror(e)>][ (<hint>)]" on stderr; e 0: none. */
void vsay(int e, const char *hint, const char *fmt, va_list ap)
{
	fputs("icmpcount: ", stderr);
	vfprintf(stderr, fmt, ap);
	if (e)
		fprintf(stderr, ": %s", strerror(e));
	if (hint)
		fprintf(stderr, " (%s)", hint);
	fputc('\n', stderr);
}

void fail(const char *hint, const char *fmt, ...)
{
	int e = errno;
	va_list ap;

	va_start(ap, fmt);
	vsay(e, hint, fmt, ap);
	va_end(ap);
	exit(EXIT_FAILURE);
}

void failx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(0, NULL, fmt, ap);
	va_end(ap);
	exit(EXIT_FAILURE);
}

void warn(const char *hint, const char *fmt, ...)
{
	int e = errno;
	va_list ap;

	va_start(ap, fmt);
	vsay(e, hint, fmt, ap);
	va_end(ap);
	errno = e;
}

void warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(0, NULL, fmt, ap);
	va_end(ap);
}
