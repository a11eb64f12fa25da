// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_format.c - libFuzzer target for the parsers of a tracepoint's
 * format file (parse_sendto_format() and its kin in parse.c); the input
 * goes to each.  Beyond "no crash":
 *  - a field a parser returns is one the verifier takes for a context load:
 *    4 or 8 bytes, aligned to its size, inside the record;
 *  - a parser writes only its own fields of struct sendto_fields;
 *  - the fields it returns, written back as a format file the way the
 *    kernel writes one, parse to the same fields;
 *  - a refusal says why, with ENOENT for a missing field and EINVAL else.
 */
#include <errno.h>
#include <stddef.h>

#include "icmpcount.h"
#include "tests/fuzz/fuzz.h"

#define TP_RECORD_MAX	8192	/* parse.c's bound on a record */
#define UNTOUCHED	0xdeadbeefu

/* The fields of struct sendto_fields, to say which a parser may write. */
enum { F_BUFF, F_LEN, F_ADDR, F_RET, F_ID, F_CALL, F_ARGS, NR_FIELDS };

static struct tp_field *field(struct sendto_fields *f, int i)
{
	switch (i) {
	case F_BUFF:	return &f->buff;
	case F_LEN:	return &f->len;
	case F_ADDR:	return &f->addr;
	case F_RET:	return &f->ret;
	case F_ID:	return &f->id;
	case F_CALL:	return &f->call;
	default:	return &f->args;
	}
}

static const char *const field_names[NR_FIELDS] = {
	"buff", "len", "addr", "ret", "id", "call", "args",
};

/* One field line as the kernel writes it (kernel/trace/trace_events.c). */
static void put_field(char *buf, size_t size, size_t *n, const char *decl,
		      unsigned int offset, unsigned int fsize)
{
	int r = snprintf(buf + *n, size - *n,
			 "\tfield:%s;\toffset:%u;\tsize:%u;\tsigned:0;\n",
			 decl, offset, fsize);

	FUZZ_CHECK(r > 0 && (size_t)r < size - *n, "format too long");
	*n += (size_t)r;
}

/* The format file a kernel would write for fields f of parser p. */
typedef void (*write_back)(char *buf, size_t size, size_t *n,
			   const struct sendto_fields *f);

static void wb_sendto(char *buf, size_t size, size_t *n,
		      const struct sendto_fields *f)
{
	put_field(buf, size, n, "void * buff", f->buff.offset, f->buff.size);
	put_field(buf, size, n, "size_t len", f->len.offset, f->len.size);
	put_field(buf, size, n, "struct sockaddr * addr", f->addr.offset,
		  f->addr.size);
}

static void wb_exit(char *buf, size_t size, size_t *n,
		    const struct sendto_fields *f)
{
	put_field(buf, size, n, "long ret", f->ret.offset, f->ret.size);
}

/* raw_syscalls:sys_enter: buff is args[1], so args starts a word before. */
static void wb_raw_enter(char *buf, size_t size, size_t *n,
			 const struct sendto_fields *f)
{
	put_field(buf, size, n, "long id", f->id.offset, f->id.size);
	put_field(buf, size, n, "unsigned long args[6]",
		  f->buff.offset - f->buff.size, 6 * f->buff.size);
}

static void wb_raw_exit(char *buf, size_t size, size_t *n,
			const struct sendto_fields *f)
{
	put_field(buf, size, n, "long id", f->id.offset, f->id.size);
	put_field(buf, size, n, "long ret", f->ret.offset, f->ret.size);
}

static void wb_socketcall(char *buf, size_t size, size_t *n,
			  const struct sendto_fields *f)
{
	put_field(buf, size, n, "int call", f->call.offset, f->call.size);
	put_field(buf, size, n, "unsigned long * args", f->args.offset,
		  f->args.size);
}

static const struct parser {
	const char *name;
	int (*parse)(const char *, struct sendto_fields *, const char **);
	unsigned int writes;		/* 1 << F_*: the fields it fills */
	write_back again;
} parsers[] = {
	{ "sendto", parse_sendto_format,
	  1u << F_BUFF | 1u << F_LEN | 1u << F_ADDR, wb_sendto },
	{ "exit", parse_exit_format, 1u << F_RET, wb_exit },
	{ "raw_enter", parse_raw_enter_format,
	  1u << F_ID | 1u << F_BUFF | 1u << F_LEN | 1u << F_ADDR,
	  wb_raw_enter },
	{ "raw_exit", parse_raw_exit_format, 1u << F_ID | 1u << F_RET,
	  wb_raw_exit },
	{ "socketcall", parse_socketcall_format, 1u << F_CALL | 1u << F_ARGS,
	  wb_socketcall },
};

static void check_field(const struct parser *p, int i,
			const struct tp_field *f)
{
	FUZZ_CHECK(f->size == 4 || f->size == 8, "%s: %s size %u", p->name,
		   field_names[i], f->size);
	FUZZ_CHECK(f->offset % f->size == 0, "%s: %s offset %u, size %u",
		   p->name, field_names[i], f->offset, f->size);
	FUZZ_CHECK(f->offset + f->size <= TP_RECORD_MAX,
		   "%s: %s offset %u, size %u, past the record", p->name,
		   field_names[i], f->offset, f->size);
}

static void fuzz_parser(const struct parser *p, const char *text)
{
	struct sendto_fields f, g;
	const char *why = "unset";
	char again[1024];
	size_t n = 0;
	int i, r;

	for (i = 0; i < NR_FIELDS; i++) {
		field(&f, i)->offset = UNTOUCHED;
		field(&f, i)->size = UNTOUCHED;
	}
	errno = 0;
	r = p->parse(text, &f, &why);
	if (r != 0) {
		FUZZ_CHECK(r == -1, "%s: returned %d", p->name, r);
		FUZZ_CHECK(why && *why, "%s: failed without saying why",
			   p->name);
		FUZZ_CHECK(errno == EINVAL || errno == ENOENT,
			   "%s: errno %d (%s)", p->name, errno, why);
		FUZZ_CHECK((errno == ENOENT) ==
			   (strncmp(why, "no field", 8) == 0),
			   "%s: errno %d with '%s'", p->name, errno, why);
	} else {
		FUZZ_CHECK(why == NULL, "%s: succeeded, but why is '%s'",
			   p->name, why);
	}
	for (i = 0; i < NR_FIELDS; i++) {
		const struct tp_field *t = field(&f, i);

		if (!(p->writes & 1u << i))
			FUZZ_CHECK(t->offset == UNTOUCHED &&
				   t->size == UNTOUCHED,
				   "%s wrote field %s", p->name,
				   field_names[i]);
		else if (r == 0)
			check_field(p, i, t);
	}
	if (r != 0)
		return;
	/* Each field is loaded at its own width: sizes may differ. */
	put_field(again, sizeof(again), &n, "unsigned short common_type", 0, 2);
	p->again(again, sizeof(again), &n, &f);
	memset(&g, 0, sizeof(g));
	r = p->parse(again, &g, &why);
	FUZZ_CHECK(r == 0, "%s: own output refused (%s):\n%s", p->name, why,
		   again);
	for (i = 0; i < NR_FIELDS; i++)
		FUZZ_CHECK(!(p->writes & 1u << i) ||
			   (field(&f, i)->offset == field(&g, i)->offset &&
			    field(&f, i)->size == field(&g, i)->size),
			   "%s: field %s differs once written back:\n%s",
			   p->name, field_names[i], again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	size_t i;

	for (i = 0; i < ARRAY_SIZE(parsers); i++)
		fuzz_parser(&parsers[i], text);
	free(text);
	return 0;
}
