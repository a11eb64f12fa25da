/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fuzz.h - what the libFuzzer targets in tests/fuzz share: a NUL-terminated
 * copy of the input, since every parser takes a C string as loader.c reads
 * it from a file, and a check that aborts with a message, so a property that
 * does not hold is a crash the fuzzer keeps, not a line nobody reads.
 */
#ifndef ICMPCOUNT_FUZZ_H
#define ICMPCOUNT_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as a string: malloc'd, so ASan sees a read past its end. */
static inline char *fuzz_text(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* Fails the input when a property does not hold, saying which one. */
#define FUZZ_CHECK(cond, ...)						\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "%s:%d: property '%s' broken: ",\
				__FILE__, __LINE__, #cond);		\
			fprintf(stderr, __VA_ARGS__);			\
			fputc('\n', stderr);				\
			abort();					\
		}							\
	} while (0)

/*
 * The oracle for parse.c's decimal numbers, by another method: compare the
 * digits as a string with max printed, rather than multiply and add.  Reads
 * the digits at s; returns 0 and sets *len and *val when they are a number
 * no greater than max, -1 when there are no digits (EINVAL), 1 when the
 * number is greater than max (ERANGE).
 */
static inline int fuzz_decimal(const char *s, unsigned long max, size_t *len,
			       unsigned long *val)
{
	size_t n = 0, z = 0, mlen, i;
	unsigned long v = 0;
	char m[24];

	while (s[n] >= '0' && s[n] <= '9')
		n++;
	if (n == 0)
		return -1;
	while (z + 1 < n && s[z] == '0')
		z++;
	mlen = (size_t)snprintf(m, sizeof(m), "%lu", max);
	if (n - z > mlen || (n - z == mlen && memcmp(s + z, m, mlen) > 0))
		return 1;
	for (i = z; i < n; i++)		/* no more than max: no overflow */
		v = v * 10 + (unsigned long)(s[i] - '0');
	*len = n;
	*val = v;
	return 0;
}

#endif /* ICMPCOUNT_FUZZ_H */
