// SPDX-License-Identifier: GPL-2.0
/*
 * disasm_check.c - checks disasm_print() against llvm-objdump -d, line by
 * line, over every executable section of little-endian BPF ELF objects.
 * Usage: disasm_check [-v] [-f N] FILE.o...  With -f it first writes N
 * pseudo-random instructions into each FILE.o, to reach the encodings no
 * compiler emits.  Prints one line per file (OK, FAIL or SKIP), then
 * "N passed, N failed, N skipped", and exits 1 on any mismatch.  Set
 * LLVM_OBJDUMP to run another objdump; it must be LLVM 14's.
 */
#define _POSIX_C_SOURCE	200809L	/* getline, popen */

#include <elf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "disasm.h"

#ifndef EM_BPF
#define EM_BPF		247
#endif

/* One instruction line: its index and the line as printed. */
struct line {
	size_t idx;
	char *text;
};

/* The lines of one executable section, ours or objdump's. */
struct listing {
	char *name;
	struct line *lines;
	size_t n;
	int used;
};

struct listings {
	struct listing *v;
	size_t n;
};

static int verbose;
static int passed, failed, skipped, cases;

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (!p) {
		perror("disasm_check");
		exit(1);
	}
	return p;
}

static char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xrealloc(NULL, n), s, n);
}

static void add_line(struct listing *l, size_t idx, const char *text)
{
	l->lines = xrealloc(l->lines, (l->n + 1) * sizeof(*l->lines));
	l->lines[l->n].idx = idx;
	l->lines[l->n].text = xstrdup(text);
	l->n++;
}

static struct listing *add_listing(struct listings *ls, const char *name)
{
	struct listing *l;

	ls->v = xrealloc(ls->v, (ls->n + 1) * sizeof(*ls->v));
	l = &ls->v[ls->n++];
	memset(l, 0, sizeof(*l));
	l->name = xstrdup(name);
	return l;
}

static void free_listings(struct listings *ls)
{
	size_t i, k;

	for (i = 0; i < ls->n; i++) {
		for (k = 0; k < ls->v[i].n; k++)
			free(ls->v[i].lines[k].text);
		free(ls->v[i].lines);
		free(ls->v[i].name);
	}
	free(ls->v);
	memset(ls, 0, sizeof(*ls));
}

/*
 * "      12:\t..." is an instruction line; returns its index, or -1 for the
 * rest (headers, symbol labels, relocations).
 */
static long line_index(const char *s)
{
	char *end;
	long idx;

	while (*s == ' ')
		s++;
	if (*s < '0' || *s > '9')
		return -1;
	idx = strtol(s, &end, 10);
	return end[0] == ':' && end[1] == '\t' ? idx : -1;
}

/*
 * objdump names branch targets after symbols ("goto +3 <LBB0_2>") and our
 * dump has none, so drop a trailing " <...>" that follows a number.  The
 * "<unknown>" text follows a tab, and "if r1 < r2" is not at the end.
 */
static void strip_target(char *s)
{
	size_t n = strlen(s);
	char *lt;

	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = '\0';
	if (!n || s[n - 1] != '>')
		return;
	for (lt = s + n - 1; lt > s + 1; lt--)
		if (lt[0] == '<' && lt[-1] == ' ')
			break;
	if (lt > s + 1 && lt[-2] >= '0' && lt[-2] <= '9')
		lt[-1] = '\0';
}

/* Reads listing lines from f; "Disassembly of section X:" starts one. */
static void read_listing(FILE *f, struct listings *ls, const char *name)
{
	static const char head[] = "Disassembly of section ";
	struct listing *cur = name ? add_listing(ls, name) : NULL;
	char *buf = NULL;
	size_t cap = 0;
	long idx;

	while (getline(&buf, &cap, f) > 0) {
		strip_target(buf);
		if (!strncmp(buf, head, sizeof(head) - 1)) {
			buf[strlen(buf) - 1] = '\0';	/* the ':' */
			cur = add_listing(ls, buf + sizeof(head) - 1);
		} else if ((idx = line_index(buf)) >= 0 && cur) {
			add_line(cur, idx, buf);
		}
	}
	free(buf);
}

static int run_objdump(const char *path, const char *opts,
		       struct listings *ls)
{
	const char *objdump = getenv("LLVM_OBJDUMP");
	char cmd[4096];
	FILE *p;
	int n;

	if (!objdump)
		objdump = "llvm-objdump";
	/* The path goes to the shell in single quotes: it may not hold one. */
	if (strchr(path, '\''))
		return -1;
	n = snprintf(cmd, sizeof(cmd), "%s -d -z %s '%s' 2>/dev/null",
		     objdump, opts, path);
	if (n < 0 || (size_t)n >= sizeof(cmd))
		return -1;
	p = popen(cmd, "r");
	if (!p)
		return -1;
	read_listing(p, ls, NULL);
	return pclose(p) == 0 ? 0 : -1;
}

/* Our listing of one section, through disasm_print() itself. */
static int our_listing(const unsigned char *b, size_t size, const char *name,
		       struct listings *ls)
{
	size_t i, cnt = size / 8;
	struct bpf_insn *insns = xrealloc(NULL, (cnt + 1) * sizeof(*insns));
	FILE *f = tmpfile();

	if (!f) {
		free(insns);
		return -1;
	}
	/* From the bytes, not a memcpy, so the fields are right on any host. */
	for (i = 0; i < cnt; i++, b += 8) {
		insns[i].code = b[0];
		insns[i].dst_reg = b[1] & 0xf;
		insns[i].src_reg = b[1] >> 4;
		insns[i].off = (int16_t)(b[2] | b[3] << 8);
		insns[i].imm = (int32_t)((uint32_t)b[4] | (uint32_t)b[5] << 8 |
					 (uint32_t)b[6] << 16 |
					 (uint32_t)b[7] << 24);
	}
	disasm_print(f, insns, cnt);
	rewind(f);
	read_listing(f, ls, name);
	fclose(f);
	free(insns);
	return 0;
}

/* The executable sections of a BPF ELF64 LSB file, each as our listing. */
static const char *read_elf(const unsigned char *img, size_t size,
			    struct listings *ours)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)img;
	const Elf64_Shdr *sh, *strtab;
	const char *name;
	size_t i;

	if (size < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0)
		return "not an ELF file";
	if (eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_ident[EI_DATA] != ELFDATA2LSB || eh->e_machine != EM_BPF)
		return "not a little-endian 64-bit BPF object";
	if (eh->e_shentsize != sizeof(*sh) || eh->e_shoff > size ||
	    (size - eh->e_shoff) / sizeof(*sh) < eh->e_shnum ||
	    eh->e_shstrndx >= eh->e_shnum)
		return "bad section headers";
	sh = (const Elf64_Shdr *)(img + eh->e_shoff);
	strtab = &sh[eh->e_shstrndx];
	if (strtab->sh_offset > size ||
	    size - strtab->sh_offset < strtab->sh_size)
		return "bad section name table";
	for (i = 0; i < eh->e_shnum; i++) {
		if (sh[i].sh_type != SHT_PROGBITS ||
		    !(sh[i].sh_flags & SHF_EXECINSTR) || !sh[i].sh_size)
			continue;
		if (sh[i].sh_offset > size ||
		    size - sh[i].sh_offset < sh[i].sh_size ||
		    sh[i].sh_name >= strtab->sh_size)
			return "bad section";
		name = (const char *)img + strtab->sh_offset + sh[i].sh_name;
		if (!memchr(name, '\0', strtab->sh_size - sh[i].sh_name))
			return "bad section name";
		if (our_listing(img + sh[i].sh_offset, sh[i].sh_size, name,
				ours))
			return "cannot make a temporary file";
	}
	return NULL;
}

/* Both kinds of listing run in index order, so a binary search finds it. */
static const struct line *find_line(const struct listing *l, size_t idx)
{
	size_t lo = 0, hi = l ? l->n : 0, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (l->lines[mid].idx < idx)
			lo = mid + 1;
		else
			hi = mid;
	}
	return l && lo < l->n && l->lines[lo].idx == idx ? &l->lines[lo] : NULL;
}

/* The first listing of that name not yet matched up. */
static struct listing *find_listing(struct listings *ls, const char *name)
{
	size_t i;

	for (i = 0; i < ls->n; i++)
		if (!ls->v[i].used && !strcmp(ls->v[i].name, name)) {
			ls->v[i].used = 1;
			return &ls->v[i];
		}
	return NULL;
}

static const char *insn_text(const char *line)
{
	const char *t = strrchr(line, '\t');

	/* ld_pseudo has a tab of its own: the text starts after the bytes. */
	if (t && strstr(line, "\tld_pseudo\t"))
		t = strstr(line, "\tld_pseudo\t");
	return t ? t + 1 : line;
}

/* Our line's instruction, back from its bytes ("  7:\tc3 21 ..."). */
static unsigned int byte_at(const char *line, int k)
{
	const char *p = strchr(line, '\t');

	return p ? (unsigned int)strtoul(p + 1 + 3 * (size_t)k, NULL, 16) : 0;
}

/*
 * Instructions whose text is not plain objdump's, by design: BPF_ST, MOD
 * and JSET, which LLVM 14 cannot decode, return 1; 32-bit atomics other
 * than add, which only objdump --mattr=+alu32 decodes, return 2.
 */
static int special(const char *line)
{
	unsigned int code = byte_at(line, 0), imm_low = byte_at(line, 4);
	unsigned int cls = BPF_CLASS(code);

	if (code == (BPF_STX | BPF_W | BPF_ATOMIC))
		return imm_low == 0x01 || imm_low >> 4 ? 2 : 0;
	if (cls == BPF_ST && BPF_MODE(code) == BPF_MEM)
		return 1;
	if ((cls == BPF_ALU || cls == BPF_ALU64) && BPF_OP(code) == BPF_MOD)
		return 1;
	if ((cls == BPF_JMP || cls == BPF_JMP32) && BPF_OP(code) == BPF_JSET)
		return 1;
	return 0;
}

static void mismatch(int *bad, const char *path, const char *sec,
		     const char *exp, const char *res)
{
	if (!*bad)
		printf("%s: section %s:\n", path, sec);
	*bad = 1;
	printf("EXP: %s\nRES: %s\n", exp ? exp : "(no line)",
	       res ? res : "(no line)");
}

/*
 * Compares one section line by line.  Returns the number of mismatches;
 * counts the instructions compared, those beyond LLVM 14 and those
 * compared with objdump --mattr=+alu32.
 */
static int compare(const char *path, struct listing *ours,
		   struct listing *plain, struct listing *alu32,
		   size_t *insns, size_t *beyond, size_t *alu32s)
{
	const struct line *o, *e;
	const char *exp;
	int bad = 0, nbad = 0;
	size_t i;

	for (i = 0; i < ours->n; i++) {
		o = &ours->lines[i];
		e = find_line(plain, o->idx);
		exp = e ? e->text : NULL;
		(*insns)++;
		switch (special(o->text)) {
		case 2:
			(*alu32s)++;
			e = find_line(alu32, o->idx);
			exp = e ? e->text : NULL;
			break;
		case 1:
			/* objdump must still agree on the index and bytes. */
			if (exp && !strcmp(insn_text(exp), "<unknown>") &&
			    !strncmp(exp, o->text, insn_text(exp) - exp)) {
				(*beyond)++;
				if (verbose)
					printf("%s: %s: beyond LLVM 14: %s\n",
					       path, ours->name, o->text);
				continue;
			}
			break;
		}
		if (!exp || strcmp(exp, o->text) != 0) {
			mismatch(&bad, path, ours->name, exp, o->text);
			nbad++;
		}
	}
	/* Lines objdump has and we lack: a different instruction length. */
	for (i = 0; plain && i < plain->n; i++)
		if (!find_line(ours, plain->lines[i].idx)) {
			mismatch(&bad, path, ours->name, plain->lines[i].text,
				 NULL);
			nbad++;
		}
	return nbad;
}

static unsigned char *slurp(const char *path, size_t *size)
{
	unsigned char *img = NULL;
	size_t n = 0, got;
	FILE *f = fopen(path, "rb");

	if (!f)
		return NULL;
	do {
		img = xrealloc(img, n + 65536);
		got = fread(img + n, 1, 65536, f);
		n += got;
	} while (got == 65536);
	fclose(f);
	*size = n;
	return img;
}

static void check_file(const char *path)
{
	struct listings ours = { 0 }, plain = { 0 }, alu32 = { 0 };
	struct listing *p;
	size_t size, i, insns = 0, beyond = 0, alu32s = 0;
	unsigned char *img;
	const char *why;
	int nbad = 0;

	cases++;
	img = slurp(path, &size);
	if (!img) {
		printf("#%d %s FAIL: cannot read it\n", cases, path);
		failed++;
		return;
	}
	why = read_elf(img, size, &ours);
	free(img);
	if (why) {
		printf("#%d %s FAIL: %s\n", cases, path, why);
		failed++;
		goto out;
	}
	if (run_objdump(path, "", &plain) ||
	    run_objdump(path, "--mattr=+alu32", &alu32)) {
		printf("#%d %s FAIL: llvm-objdump failed on it\n", cases, path);
		failed++;
		goto out;
	}
	for (i = 0; i < ours.n; i++) {
		p = find_listing(&plain, ours.v[i].name);
		nbad += compare(path, &ours.v[i], p,
				find_listing(&alu32, ours.v[i].name),
				&insns, &beyond, &alu32s);
	}
	for (i = 0; i < plain.n; i++)
		if (!plain.v[i].used && plain.v[i].n) {
			printf("%s: objdump has section %s, we do not\n",
			       path, plain.v[i].name);
			nbad++;
		}
	if (nbad) {
		printf("#%d %s matches llvm-objdump FAIL: %d of %zu "
		       "instructions differ\n", cases, path, nbad, insns);
		failed++;
	} else {
		printf("#%d %s matches llvm-objdump OK: %zu instructions "
		       "(%zu with +alu32), %zu beyond LLVM 14\n", cases, path,
		       insns, alu32s, beyond);
		passed++;
	}
out:
	free_listings(&ours);
	free_listings(&plain);
	free_listings(&alu32);
}

/* xorshift64: the same instructions on every run and every host. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static unsigned int rnd(unsigned int n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (unsigned int)(rng_state >> 32) % n;
}

/* Mostly registers LLVM knows, sometimes r12-r15, which it refuses. */
static unsigned int rnd_reg(void)
{
	return rnd(8) ? rnd(12) : rnd(16);
}

/* Values at the edges of each field's decoding, and plain noise. */
static void rnd_insn(unsigned char *b)
{
	static const int imms[] = { 16, 32, 64, 8, 0x01, 0x41, 0x51, 0xa1,
				    0xe1, 0xf1, 0x40, 0x50, 0xa0, 0x03 };
	unsigned int off, imm;

	b[0] = rnd(256);
	b[1] = rnd_reg() | rnd_reg() << 4;
	switch (rnd(4)) {
	case 0:
		off = rnd(64) - 32;
		break;
	case 1:
		off = rnd(65536);
		break;
	default:
		off = 0;
	}
	switch (rnd(5)) {
	case 0:
		imm = rnd(64) - 32;
		break;
	case 1:
		imm = imms[rnd(sizeof(imms) / sizeof(imms[0]))];
		break;
	case 2:
		imm = rnd(65536) << 16 | rnd(65536);
		break;
	case 3:
		imm = rnd(256) | (rnd(2) ? 0x80000000 : 0);
		break;
	default:
		imm = 0;
	}
	/*
	 * LLVM 14's objdump crashes on "ld_pseudo r0, 2, 0", which it takes
	 * for its internal frame-address pseudo (FI_ri): never write it.
	 */
	if (b[0] == (BPF_LD | BPF_IMM | BPF_DW) && b[1] == 0x20 &&
	    !(off & 0xffff) && !imm)
		imm = 1;
	b[2] = off;
	b[3] = off >> 8;
	b[4] = imm;
	b[5] = imm >> 8;
	b[6] = imm >> 16;
	b[7] = imm >> 24;
}

/*
 * A relocatable ELF file with one section, .text, holding n random
 * instructions and then exit, so no LD_IMM64 is cut short at the end.
 */
static int write_fuzz(const char *path, size_t n)
{
	static const char names[] = "\0.text\0.shstrtab";
	Elf64_Ehdr eh = { 0 };
	Elf64_Shdr sh[3] = { { 0 } };
	size_t text = sizeof(eh), i;
	unsigned char insn[8];
	FILE *f = fopen(path, "wb");

	if (!f)
		return -1;
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_REL;
	eh.e_machine = EM_BPF;
	eh.e_version = EV_CURRENT;
	eh.e_ehsize = sizeof(eh);
	eh.e_shentsize = sizeof(sh[0]);
	eh.e_shnum = 3;
	eh.e_shstrndx = 2;
	sh[1].sh_name = 1;
	sh[1].sh_type = SHT_PROGBITS;
	sh[1].sh_flags = SHF_ALLOC | SHF_EXECINSTR;
	sh[1].sh_offset = text;
	sh[1].sh_size = (n + 1) * 8;
	sh[1].sh_addralign = 8;
	sh[2].sh_name = 7;
	sh[2].sh_type = SHT_STRTAB;
	sh[2].sh_offset = text + sh[1].sh_size;
	sh[2].sh_size = sizeof(names);
	sh[2].sh_addralign = 1;
	eh.e_shoff = (sh[2].sh_offset + sizeof(names) + 7) & ~7UL;
	fwrite(&eh, sizeof(eh), 1, f);
	for (i = 0; i < n; i++) {
		rnd_insn(insn);
		fwrite(insn, 8, 1, f);
	}
	memset(insn, 0, sizeof(insn));
	insn[0] = BPF_JMP | BPF_EXIT;
	fwrite(insn, 8, 1, f);
	fwrite(names, sizeof(names), 1, f);
	fwrite("\0\0\0\0\0\0\0", eh.e_shoff - sh[2].sh_offset - sizeof(names),
	       1, f);
	fwrite(sh, sizeof(sh), 1, f);
	return fclose(f) ? -1 : 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: disasm_check [-v] [-f count] file.o ...\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *objdump = getenv("LLVM_OBJDUMP");
	const uint16_t one = 1;
	unsigned long fuzz = 0;
	char cmd[1024], *end;
	int c, i;

	while ((c = getopt(argc, argv, "vf:")) != -1) {
		switch (c) {
		case 'v':
			verbose = 1;
			break;
		case 'f':
			fuzz = strtoul(optarg, &end, 10);
			if (*end || !fuzz || fuzz > 10000000)
				usage();
			break;
		default:
			usage();
		}
	}
	if (optind == argc)
		usage();
	/*
	 * Our dump shows the bytes as they sit in memory, which are the
	 * file's bytes only on a little-endian host.  Without LLVM 14's
	 * objdump there is nothing to compare with: a skip, not a failure.
	 */
	snprintf(cmd, sizeof(cmd), "%s --version 2>/dev/null | "
		 "grep -q 'LLVM version 14\\.'",
		 objdump ? objdump : "llvm-objdump");
	for (i = optind; i < argc; i++) {
		if (*(const unsigned char *)&one != 1 || system(cmd)) {
			printf("#%d %s SKIP: %s\n", ++cases, argv[i],
			       *(const unsigned char *)&one != 1 ?
			       "big-endian host" : "no llvm-objdump 14");
			skipped++;
			continue;
		}
		if (fuzz && write_fuzz(argv[i], fuzz)) {
			printf("#%d %s FAIL: cannot write it\n", ++cases,
			       argv[i]);
			failed++;
			continue;
		}
		check_file(argv[i]);
	}
	printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
	return failed ? 1 : 0;
}
