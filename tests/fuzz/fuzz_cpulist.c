// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_cpulist.c - libFuzzer target for parse_cpu_list(), which reads
 * /sys/devices/system/cpu/possible ("0-3,5,7-9\n") to size the buffer a
 * per-CPU map lookup fills.  Too small a count would let the kernel write
 * past that buffer, so the count must never be below the number of CPUs
 * the list names (sorted and merged here), and must equal it for the ascending,
 * disjoint ranges the kernel prints.  Accept and refuse as the grammar says.
 */
#include <errno.h>

#include "icmpcount.h"
#include "tests/fuzz/fuzz.h"

#define CPU_LIMIT	(1UL << 20)	/* parse.c's bound on a CPU number */

struct range {
	unsigned long lo, hi;
};

static int cmp_range(const void *a, const void *b)
{
	const struct range *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* How many CPUs n ranges name, each counted once: sort, then merge. */
static unsigned long count_distinct(struct range *r, size_t n)
{
	unsigned long count = 0, end = 0;	/* one past the last counted */
	size_t i;

	qsort(r, n, sizeof(*r), cmp_range);
	for (i = 0; i < n; i++) {
		unsigned long lo = r[i].lo > end ? r[i].lo : end;

		if (i == 0)
			lo = r[i].lo;
		if (r[i].hi + 1 > lo) {
			count += r[i].hi + 1 - lo;
			end = r[i].hi + 1;
		}
	}
	return count;
}

/*
 * The oracle: 1 and the count of distinct CPUs when text is a list, with
 * *ordered 0 if a range overlaps or comes before the one it follows; 0 when
 * text is not a list parse_cpu_list() must accept.  r has room for every
 * range the text can hold.
 */
static int oracle(const char *p, struct range *r, unsigned long *distinct,
		  int *ordered)
{
	unsigned long lo, hi, sum = 0;
	size_t len, n = 0;

	*ordered = 1;
	for (;;) {
		if (fuzz_decimal(p, CPU_LIMIT, &len, &lo) != 0)
			return 0;
		p += len;
		hi = lo;
		if (*p == '-') {
			if (fuzz_decimal(p + 1, CPU_LIMIT, &len, &hi) != 0)
				return 0;
			p += 1 + len;
		}
		if (hi < lo)
			return 0;
		if (n > 0 && lo <= r[n - 1].hi)
			*ordered = 0;
		r[n].lo = lo;
		r[n].hi = hi;
		n++;
		sum += hi - lo + 1;
		if (*p != ',')
			break;
		p++;
	}
	if (*p == '\n')
		p++;
	if (*p != '\0' || sum > CPU_LIMIT)
		return 0;
	*distinct = count_distinct(r, n);
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	struct range *ranges = calloc(size / 2 + 1, sizeof(*ranges));
	unsigned long distinct = 0;
	unsigned int n = 0xdeadbeef;
	int r, ok, ordered;

	if (!ranges)
		abort();
	errno = 0;
	r = parse_cpu_list(text, &n);
	ok = oracle(text, ranges, &distinct, &ordered);
	if (ok) {
		FUZZ_CHECK(r == 0, "'%s' refused (errno %d)", text, errno);
		FUZZ_CHECK(n >= 1 && n <= CPU_LIMIT, "'%s': %u CPUs", text, n);
		FUZZ_CHECK(n >= distinct, "'%s': %u CPUs, below the %lu named",
			   text, n, distinct);
		FUZZ_CHECK(!ordered || n == distinct,
			   "'%s': %u CPUs, not the %lu named", text, n,
			   distinct);
	} else {
		FUZZ_CHECK(r == -1, "'%s' accepted as %u CPUs", text, n);
		FUZZ_CHECK(errno == EINVAL, "'%s': errno %d, want EINVAL",
			   text, errno);
		FUZZ_CHECK(n == 0xdeadbeef, "'%s' failed but wrote %u", text,
			   n);
	}
	free(ranges);
	free(text);
	return 0;
}
