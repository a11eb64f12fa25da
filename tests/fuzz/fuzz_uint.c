// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_uint.c - libFuzzer target for parse_uint(), which reads the values
 * of -d, -i, -p and --max-comms.  The first 8 bytes of the input are the
 * maximum (little-endian; fewer bytes make a smaller one), the rest is the
 * text.  The value must be no more than max, and printing it again must
 * give back the text, leading zeros aside; a refusal must be EINVAL for
 * anything but digits and ERANGE for a number over max, as the oracle says.
 */
#include <errno.h>

#include "icmpcount.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned long max = 0, val = 0xdeadbeef, want = 0;
	size_t i, len = 0;
	char *text, again[24];
	const char *digits;
	int r, o;

	for (i = 0; i < 8 && i < size; i++)
		max |= (unsigned long)data[i] << (8 * i);
	text = fuzz_text(data + i, size - i);

	errno = 0;
	r = parse_uint(text, max, &val);
	o = fuzz_decimal(text, max, &len, &want);
	if (o == 0 && text[len] != '\0')
		o = -1;

	if (o == 0) {
		FUZZ_CHECK(r == 0, "'%s' (max %lu) refused (errno %d)", text,
			   max, errno);
		FUZZ_CHECK(val <= max, "'%s' read as %lu, over max %lu", text,
			   val, max);
		FUZZ_CHECK(val == want, "'%s' read as %lu, not %lu", text, val,
			   want);
		snprintf(again, sizeof(again), "%lu", val);
		for (digits = text; digits[0] == '0' && digits[1]; digits++)
			;
		FUZZ_CHECK(strcmp(again, digits) == 0,
			   "'%s' read as %lu, which prints as '%s'", text,
			   val, again);
	} else {
		FUZZ_CHECK(r == -1, "'%s' (max %lu) accepted as %lu", text,
			   max, val);
		FUZZ_CHECK(errno == (o < 0 ? EINVAL : ERANGE),
			   "'%s' (max %lu): errno %d, want %d", text, max,
			   errno, o < 0 ? EINVAL : ERANGE);
		/* "12x" leaves 12 in *val: no caller reads it on failure. */
	}
	free(text);
	return 0;
}
