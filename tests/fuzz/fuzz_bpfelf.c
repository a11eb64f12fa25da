// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_bpfelf.c - libFuzzer target for bpfelf_read_prog(), the ELF reader
 * tools/bpf2h runs on clang's object.  The input is the object file; the
 * target asks for each program and the map names prog.bpf.c uses.  Each call
 * gets an instruction array of exactly max slots from malloc, so ASan
 * catches a write past it.  What it checks beyond "no crash":
 *  - on success: 1 <= insn_cnt <= max; the map references are at most
 *    BPFELF_MAX_MAP_REFS, in ascending slots, each an empty LD_IMM64 whose
 *    two slots lie in the program, naming one of the maps asked for; the
 *    license, if any, is a string inside the input;
 *  - on failure: why says something, errno is EINVAL or E2BIG, and prog
 *    says nothing was read;
 *  - the same object read with max = insn_cnt gives the same program, and
 *    with max = insn_cnt - 1 fails with E2BIG.
 */
#include <errno.h>

#include "bpfelf.h"
#include "icmpcount.h"
#include "tests/fuzz/fuzz.h"

#define INSNS_MAX	4096	/* what tools/bpf2h passes */

static const char *const sections[] = {
	"tracepoint/syscalls/sys_enter_sendto",
	"tracepoint/syscalls/sys_enter_sendto/plain",
	"tracepoint/syscalls/sys_exit_sendto",
};
static const char *const maps[] = { "counts", "counts6", "pending" };

static int read_prog(const uint8_t *data, size_t size, const char *sec,
		     size_t max,
		     struct bpf_insn **insns, struct bpfelf_prog *prog,
		     const char **why)
{
	/* malloc(0) may return NULL; one slot more would hide an overflow. */
	*insns = malloc(max ? max * sizeof(**insns) : 1);
	if (!*insns)
		abort();
	*why = NULL;
	errno = 0;
	return bpfelf_read_prog(data, size, sec, maps, ARRAY_SIZE(maps),
				*insns, max, prog, why);
}

static void check_prog(const uint8_t *data, size_t size, size_t max,
		       const struct bpf_insn *insns,
		       const struct bpfelf_prog *prog)
{
	size_t i, slot;

	FUZZ_CHECK(prog->insn_cnt >= 1 && prog->insn_cnt <= max,
		   "%zu instructions, max %zu", prog->insn_cnt, max);
	FUZZ_CHECK(prog->map_cnt <= BPFELF_MAX_MAP_REFS, "%zu map references",
		   prog->map_cnt);
	for (i = 0; i < prog->map_cnt; i++) {
		slot = prog->map_refs[i].insn;
		FUZZ_CHECK(slot + 1 < prog->insn_cnt,
			   "map reference %zu at slot %zu of %zu", i, slot,
			   prog->insn_cnt);
		FUZZ_CHECK(i == 0 || prog->map_refs[i - 1].insn < slot,
			   "map references not ascending at %zu", i);
		FUZZ_CHECK(prog->map_refs[i].map < ARRAY_SIZE(maps),
			   "map reference %zu to map %zu of %zu", i,
			   prog->map_refs[i].map, ARRAY_SIZE(maps));
		FUZZ_CHECK(insns[slot].code == (BPF_LD | BPF_IMM | BPF_DW) &&
			   insns[slot].src_reg == 0 && insns[slot].imm == 0 &&
			   insns[slot + 1].code == 0 &&
			   insns[slot + 1].imm == 0,
			   "map reference at slot %zu is not an empty LD_IMM64",
			   slot);
	}
	if (prog->license) {
		const uint8_t *l = (const uint8_t *)prog->license;

		FUZZ_CHECK(l >= data && l < data + size,
			   "license outside the object");
		FUZZ_CHECK(memchr(l, '\0', (size_t)(data + size - l)) != NULL,
			   "license runs past the object");
	}
}

static void fuzz_section(const uint8_t *obj, size_t size, const char *sec)
{
	struct bpfelf_prog prog, again;
	struct bpf_insn *insns, *insns2;
	const char *why;
	int r;

	r = read_prog(obj, size, sec, INSNS_MAX, &insns, &prog, &why);
	if (r != 0) {
		FUZZ_CHECK(r == -1, "returned %d", r);
		FUZZ_CHECK(why && *why, "failed without saying why");
		FUZZ_CHECK(errno == EINVAL || errno == E2BIG, "errno %d (%s)",
			   errno, why);
		FUZZ_CHECK(prog.insn_cnt == 0 && prog.map_cnt == 0,
			   "failed (%s) but says %zu instructions, %zu maps",
			   why, prog.insn_cnt, prog.map_cnt);
		free(insns);
		return;
	}
	FUZZ_CHECK(why == NULL, "succeeded, but why is '%s'", why);
	check_prog(obj, size, INSNS_MAX, insns, &prog);

	/* Just enough room: the same program. */
	r = read_prog(obj, size, sec, prog.insn_cnt, &insns2, &again, &why);
	FUZZ_CHECK(r == 0, "max %zu refused: %s", prog.insn_cnt, why);
	FUZZ_CHECK(memcmp(&again, &prog, sizeof(prog)) == 0 &&
		   memcmp(insns2, insns, prog.insn_cnt * sizeof(*insns)) == 0,
		   "max %zu reads another program", prog.insn_cnt);
	free(insns2);

	/* One slot short: E2BIG, and nothing read. */
	r = read_prog(obj, size, sec, prog.insn_cnt - 1, &insns2, &again,
		      &why);
	FUZZ_CHECK(r == -1 && errno == E2BIG,
		   "max %zu for %zu instructions: returned %d, errno %d",
		   prog.insn_cnt - 1, prog.insn_cnt, r, errno);
	FUZZ_CHECK(again.insn_cnt == 0 && again.map_cnt == 0,
		   "too long, but says %zu instructions", again.insn_cnt);
	free(insns2);
	free(insns);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A private copy: ASan then sees a read past the object's end. */
	uint8_t *obj = malloc(size ? size : 1);
	size_t i;

	if (!obj)
		abort();
	memcpy(obj, data, size);
	for (i = 0; i < ARRAY_SIZE(sections); i++)
		fuzz_section(obj, size, sections[i]);
	free(obj);
	return 0;
}
