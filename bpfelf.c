// SPDX-License-Identifier: GPL-2.0
/*
 * bpfelf.c - a reader for the one kind of ELF file clang writes for BPF: a
 * little-endian ELF64 relocatable object.  The input is untrusted (it is
 * fuzzed): every offset, size, count and index is checked against the
 * buffer before use, in 64-bit arithmetic, and fields are assembled byte by
 * byte, so no alignment is assumed and the host may be of either order.
 * Limits: no ELF32 (clang never writes it for BPF), no big-endian objects
 * (-target bpfeb), no extended section numbering, REL relocations only.
 */
#include <elf.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "bpfelf.h"

/* Old <elf.h> lack these; the values are fixed by the ELF BPF ABI. */
#ifndef EM_BPF
#define EM_BPF		247
#endif
#ifndef R_BPF_64_64
#define R_BPF_64_64	1
#endif

struct section {
	uint32_t name;			/* offset in the section name table */
	uint32_t type;
	uint64_t flags;
	uint32_t link;
	uint32_t info;
	uint64_t entsize;
	const unsigned char *data;	/* NULL for SHT_NOBITS */
	size_t size;			/* bytes at data: 0 for SHT_NOBITS */
};

struct elf {
	const unsigned char *buf;
	size_t len;
	size_t shoff;			/* section header table */
	unsigned int shnum;
	struct section names;		/* section name table */
};

struct symtab {
	struct section sec;
	struct section str;
	size_t count;
};

/* Little-endian fields, at any alignment. */
static uint16_t le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)le16(p) | (uint32_t)le16(p + 2) << 16;
}

static uint64_t le64(const unsigned char *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

#define FIELD16(p, type, field)	le16((p) + offsetof(type, field))
#define FIELD32(p, type, field)	le32((p) + offsetof(type, field))
#define FIELD64(p, type, field)	le64((p) + offsetof(type, field))

static int bad(const char **why, const char *what)
{
	*why = what;
	errno = EINVAL;
	return -1;
}

/*
 * Whether the string at off in string table str is name.  Comparing with
 * a known name, rather than finding where the string ends, keeps every
 * lookup as short as the name, however long the table.
 */
static int string_is(const struct section *str, uint64_t off,
		     const char *name)
{
	size_t n = strlen(name) + 1;

	if (!str->data || off > str->size || n > str->size - off)
		return 0;
	return memcmp(str->data + off, name, n) == 0;
}

/* Section idx: its header, and its bytes, checked to lie in the file. */
static int section(const struct elf *e, unsigned int idx, struct section *s,
		   const char **why)
{
	const unsigned char *h;
	uint64_t off, size;

	if (idx == SHN_UNDEF || idx >= e->shnum)
		return bad(why, "section index out of range");
	h = e->buf + e->shoff + (size_t)idx * sizeof(Elf64_Shdr);
	s->name = FIELD32(h, Elf64_Shdr, sh_name);
	s->type = FIELD32(h, Elf64_Shdr, sh_type);
	s->flags = FIELD64(h, Elf64_Shdr, sh_flags);
	s->link = FIELD32(h, Elf64_Shdr, sh_link);
	s->info = FIELD32(h, Elf64_Shdr, sh_info);
	s->entsize = FIELD64(h, Elf64_Shdr, sh_entsize);
	off = FIELD64(h, Elf64_Shdr, sh_offset);
	size = FIELD64(h, Elf64_Shdr, sh_size);
	if (s->type == SHT_NOBITS) {
		s->data = NULL;
		s->size = 0;
		return 0;
	}
	if (off > e->len || size > e->len - off)
		return bad(why, "section contents outside the file");
	s->data = e->buf + off;
	s->size = (size_t)size;
	return 0;
}

static int elf_open(struct elf *e, const void *buf, size_t len,
		    const char **why)
{
	const unsigned char *p = buf;
	unsigned int shstrndx;
	uint64_t shoff;

	if (!buf || len < sizeof(Elf64_Ehdr))
		return bad(why, "too short for an ELF header");
	if (memcmp(p, ELFMAG, SELFMAG) != 0)
		return bad(why, "not an ELF file");
	if (p[EI_CLASS] != ELFCLASS64)
		return bad(why, "not a 64-bit ELF file");
	if (p[EI_DATA] != ELFDATA2LSB)
		return bad(why, "not little-endian (built with -target bpfeb?)");
	if (p[EI_VERSION] != EV_CURRENT)
		return bad(why, "unknown ELF version");
	if (FIELD16(p, Elf64_Ehdr, e_type) != ET_REL)
		return bad(why, "not a relocatable object");
	if (FIELD16(p, Elf64_Ehdr, e_machine) != EM_BPF)
		return bad(why, "not a BPF object");
	if (FIELD16(p, Elf64_Ehdr, e_shentsize) != sizeof(Elf64_Shdr))
		return bad(why, "unexpected section header size");

	e->buf = p;
	e->len = len;
	e->shnum = FIELD16(p, Elf64_Ehdr, e_shnum);
	shstrndx = FIELD16(p, Elf64_Ehdr, e_shstrndx);
	shoff = FIELD64(p, Elf64_Ehdr, e_shoff);
	/* e_shnum 0 and e_shstrndx SHN_XINDEX mean extended numbering. */
	if (e->shnum == 0)
		return bad(why, "no section headers");
	if (shoff > len ||
	    (uint64_t)e->shnum * sizeof(Elf64_Shdr) > len - shoff)
		return bad(why, "section headers outside the file");
	e->shoff = (size_t)shoff;
	if (section(e, shstrndx, &e->names, why) != 0)
		return -1;
	if (e->names.type != SHT_STRTAB)
		return bad(why, "section name table is not a string table");
	return 0;
}

/*
 * The one section named name: 0 when found, 1 when there is none, -1 when
 * two have the name or a section header is bad.
 */
static int find_section(const struct elf *e, const char *name,
			unsigned int *idx, struct section *s,
			const char **why)
{
	struct section t;
	unsigned int i;

	*idx = SHN_UNDEF;
	for (i = 1; i < e->shnum; i++) {
		if (section(e, i, &t, why) != 0)
			return -1;
		if (!string_is(&e->names, t.name, name))
			continue;
		if (*idx != SHN_UNDEF)
			return bad(why, "two sections have the same name");
		*idx = i;
		*s = t;
	}
	return *idx == SHN_UNDEF ? 1 : 0;
}

static int symtab_open(const struct elf *e, unsigned int idx,
		       struct symtab *st, const char **why)
{
	if (section(e, idx, &st->sec, why) != 0)
		return -1;
	if (st->sec.type != SHT_SYMTAB)
		return bad(why, "relocations do not point to a symbol table");
	if (st->sec.entsize != sizeof(Elf64_Sym) ||
	    st->sec.size % sizeof(Elf64_Sym) != 0)
		return bad(why, "unexpected symbol size");
	if (section(e, st->sec.link, &st->str, why) != 0)
		return -1;
	if (st->str.type != SHT_STRTAB)
		return bad(why, "symbol names are not in a string table");
	st->count = st->sec.size / sizeof(Elf64_Sym);
	return 0;
}

/*
 * Checks that symbol idx is one of the maps: named in maps, and defined in
 * a maps section (legacy "maps", or BTF-style ".maps").  Sets *map to the
 * index of its name.
 */
static int find_map_symbol(const struct elf *e, const struct symtab *st,
			   uint64_t idx, const char *const *maps,
			   size_t nmaps, size_t *map, const char **why)
{
	const unsigned char *sym;
	struct section def;
	unsigned int shndx;
	uint32_t name;

	if (idx == 0 || idx >= st->count)
		return bad(why, "relocation symbol out of range");
	sym = st->sec.data + (size_t)idx * sizeof(Elf64_Sym);
	name = FIELD32(sym, Elf64_Sym, st_name);
	for (*map = 0; *map < nmaps; (*map)++)
		if (string_is(&st->str, name, maps[*map]))
			break;
	if (*map == nmaps)
		return bad(why, "relocation against a symbol that is not a map");
	shndx = FIELD16(sym, Elf64_Sym, st_shndx);
	if (shndx == SHN_UNDEF || shndx >= SHN_LORESERVE)
		return bad(why, "map symbol is not defined in a section");
	if (section(e, shndx, &def, why) != 0)
		return -1;
	if (!string_is(&e->names, def.name, "maps") &&
	    !string_is(&e->names, def.name, ".maps"))
		return bad(why, "map symbol is not in a maps section");
	return 0;
}

/*
 * Records slot as a reference to map number map: an LD_IMM64 with nothing
 * in it yet, since the loader fills in the map fd.  REL relocations keep
 * their addend in the instruction, so a non-zero imm would be an offset
 * into the map.
 */
static int add_map_ref(struct bpfelf_prog *prog, const struct bpf_insn *insns,
		       uint64_t off, size_t map, const char **why)
{
	size_t slot, i;

	if (off % sizeof(struct bpf_insn) != 0)
		return bad(why, "relocation inside an instruction");
	/* An LD_IMM64 takes two slots: the last one cannot start one. */
	if (off / sizeof(struct bpf_insn) + 1 >= prog->insn_cnt)
		return bad(why, "relocation outside the program");
	slot = (size_t)(off / sizeof(struct bpf_insn));
	if (insns[slot].code != (BPF_LD | BPF_IMM | BPF_DW) ||
	    insns[slot].src_reg != 0 || insns[slot].imm != 0 ||
	    insns[slot + 1].imm != 0)
		return bad(why, "map relocation not on a plain 64-bit load");
	for (i = 0; i < prog->map_cnt; i++)
		if (prog->map_refs[i].insn == slot)
			return bad(why, "two relocations of one instruction");
	if (prog->map_cnt == BPFELF_MAX_MAP_REFS)
		return bad(why, "too many map references");
	/* Insertion keeps the list ascending. */
	for (i = prog->map_cnt; i > 0 && prog->map_refs[i - 1].insn > slot; i--)
		prog->map_refs[i] = prog->map_refs[i - 1];
	prog->map_refs[i].insn = slot;
	prog->map_refs[i].map = map;
	prog->map_cnt++;
	return 0;
}

/* Every relocation section aimed at section target must relocate maps. */
static int read_relocations(const struct elf *e, unsigned int target,
			    const char *const *maps, size_t nmaps,
			    const struct bpf_insn *insns,
			    struct bpfelf_prog *prog, const char **why)
{
	struct section rel;
	struct symtab st;
	unsigned int i;
	size_t j, map;

	for (i = 1; i < e->shnum; i++) {
		if (section(e, i, &rel, why) != 0)
			return -1;
		if (rel.info != target)
			continue;
		if (rel.type == SHT_RELA)
			return bad(why, "RELA relocations; BPF objects use REL");
		if (rel.type != SHT_REL)
			continue;
		if (rel.entsize != sizeof(Elf64_Rel) ||
		    rel.size % sizeof(Elf64_Rel) != 0)
			return bad(why, "unexpected relocation size");
		if (symtab_open(e, rel.link, &st, why) != 0)
			return -1;
		for (j = 0; j < rel.size / sizeof(Elf64_Rel); j++) {
			const unsigned char *r;
			uint64_t info;

			r = rel.data + j * sizeof(Elf64_Rel);
			info = FIELD64(r, Elf64_Rel, r_info);
			if (ELF64_R_TYPE(info) != R_BPF_64_64)
				return bad(why, "relocation of an unsupported type");
			if (find_map_symbol(e, &st, ELF64_R_SYM(info), maps,
					    nmaps, &map, why) != 0)
				return -1;
			if (add_map_ref(prog, insns,
					FIELD64(r, Elf64_Rel, r_offset), map,
					why) != 0)
				return -1;
		}
	}
	return 0;
}

/*
 * Copies the instructions out, in host order, rejecting what only a loader
 * with more features than ours could handle: calls to BPF functions rather
 * than helpers, and 64-bit loads already marked as map or BTF references.
 */
static int read_insns(const struct section *s, struct bpf_insn *insns,
		      size_t max, struct bpfelf_prog *prog, const char **why)
{
	size_t i, n;

	if (s->type != SHT_PROGBITS || !(s->flags & SHF_EXECINSTR))
		return bad(why, "program section holds no code");
	if (s->size == 0 || s->size % sizeof(struct bpf_insn) != 0)
		return bad(why, "program size is not whole instructions");
	n = s->size / sizeof(struct bpf_insn);
	if (n > max) {
		*why = "program too long";
		errno = E2BIG;
		return -1;
	}
	for (i = 0; i < n; i++) {
		const unsigned char *p = s->data + i * sizeof(struct bpf_insn);

		insns[i].code = p[0];
		insns[i].dst_reg = p[1] & 0x0f;	/* little-endian order */
		insns[i].src_reg = p[1] >> 4;
		insns[i].off = (__s16)le16(p + 2);
		insns[i].imm = (__s32)le32(p + 4);
	}
	for (i = 0; i < n; i++) {
		if (insns[i].code == (BPF_JMP | BPF_CALL) &&
		    insns[i].src_reg != 0)
			return bad(why, "program calls a BPF function, not a helper");
		if (insns[i].code != (BPF_LD | BPF_IMM | BPF_DW))
			continue;
		/* Two slots: the second is all zero but for the high imm. */
		if (i + 1 == n || insns[i + 1].code != 0 ||
		    insns[i + 1].dst_reg != 0 || insns[i + 1].src_reg != 0 ||
		    insns[i + 1].off != 0)
			return bad(why, "malformed 64-bit load");
		if (insns[i].src_reg != 0)
			return bad(why, "64-bit load of an unsupported kind");
		i++;
	}
	prog->insn_cnt = n;
	return 0;
}

/* The caller's map names: each a string, none twice, so each is one map. */
static int check_names(const char *const *maps, size_t nmaps,
		       const char **why)
{
	size_t i, j;

	if (nmaps > 0 && !maps)
		return bad(why, "no map names");
	for (i = 0; i < nmaps; i++) {
		if (!maps[i] || !maps[i][0])
			return bad(why, "a map name is empty");
		for (j = 0; j < i; j++)
			if (strcmp(maps[i], maps[j]) == 0)
				return bad(why, "a map name is given twice");
	}
	return 0;
}

int bpfelf_read_prog(const void *buf, size_t len, const char *sec,
		     const char *const *maps, size_t nmaps,
		     struct bpf_insn *insns, size_t max,
		     struct bpfelf_prog *prog, const char **why)
{
	struct section s, lic;
	unsigned int idx;
	struct elf e;
	int r;

	memset(prog, 0, sizeof(*prog));
	*why = NULL;
	if (check_names(maps, nmaps, why) != 0)
		return -1;
	if (elf_open(&e, buf, len, why) != 0)
		return -1;
	r = find_section(&e, sec, &idx, &s, why);
	if (r != 0)
		return r < 0 ? -1 : bad(why, "no section has the program's name");
	if (read_insns(&s, insns, max, prog, why) != 0)
		return -1;
	if (read_relocations(&e, idx, maps, nmaps, insns, prog, why) != 0)
		goto fail;
	/* The license is optional, but must be a string if present. */
	r = find_section(&e, "license", &idx, &lic, why);
	if (r < 0)
		goto fail;
	if (r == 0) {
		if (!lic.data || !memchr(lic.data, '\0', lic.size)) {
			bad(why, "license is not a string");
			goto fail;
		}
		prog->license = (const char *)lic.data;
	}
	return 0;
fail:
	prog->insn_cnt = 0;
	prog->map_cnt = 0;
	return -1;
}
