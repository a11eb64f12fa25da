// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_id.c - libFuzzer target for parse_tracepoint_id(), which reads
 * events/syscalls/sys_enter_sendto/id: one decimal number, then at most one
 * newline.  Beyond "no crash", every answer is held against an oracle
 * (fuzz_decimal), and a failure must say why in errno and leave *id alone.
 */
#include <errno.h>
#include <limits.h>

#include "icmpcount.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	unsigned long want = 0;
	unsigned int id = 0xdeadbeef;
	size_t len = 0;
	int r, o;

	errno = 0;
	r = parse_tracepoint_id(text, &id);
	o = fuzz_decimal(text, UINT_MAX, &len, &want);
	if (o == 0 && text[len] == '\n')
		len++;
	if (o == 0 && text[len] != '\0')
		o = -1;

	if (o == 0) {
		FUZZ_CHECK(r == 0, "'%s' refused (errno %d)", text, errno);
		FUZZ_CHECK(id == want, "'%s' read as %u, not %lu", text, id,
			   want);
	} else {
		FUZZ_CHECK(r == -1, "'%s' accepted as %u", text, id);
		FUZZ_CHECK(errno == (o < 0 ? EINVAL : ERANGE),
			   "'%s': errno %d, want %d", text, errno,
			   o < 0 ? EINVAL : ERANGE);
		FUZZ_CHECK(id == 0xdeadbeef, "'%s' failed but wrote %u", text,
			   id);
	}
	free(text);
	return 0;
}
