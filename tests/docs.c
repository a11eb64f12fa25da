// SPDX-License-Identifier: GPL-2.0
/*
 * docs.c - the transcripts in README.md and docs/ are what the tool prints
 * today.  Each is a fenced block under a marker:
 *
 *	<!-- transcript: COMMAND -->		the whole output
 *	<!-- transcript excerpt: COMMAND -->	these lines, in this order
 *
 * COMMAND runs with /bin/sh, with this build's icmpcount first in PATH.
 * A line of the block that starts with "$ " shows the command, and "..."
 * stands for lines left out; both are not compared.  What must vary from
 * run to run is made the same on both sides first (normalize()):
 * addresses, fds, times, tracepoint ids, the kernel's release, how the
 * per-CPU slots split a sum, the verifier's statistics.
 * `tests --update-docs` writes each block afresh from a run.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "icmpcount.h"
#include "test.h"

#define DOC_MAX		(256 * 1024)
#define LINE_MAX_	512

static const char *const doc_files[] = {
	"README.md", "docs/tutorial.md", "docs/operations.md",
	"docs/design.md",
};

/* What may vary, and what it becomes. */
static const struct {
	const char *re;
	const char *as;
} rules[] = {
	{ "0x[0-9a-f]+", "0x?" },
	/* Which mount is made private: "/", or in a chroot the one above. */
	{ "mount\\(\"none\", \"[^\"]*\", NULL, MS_REC\\|MS_PRIVATE, NULL\\) = .*",
	  "mount(\"none\", ?, NULL, MS_REC|MS_PRIVATE, NULL) = ?" },
	/* A hash map's walk goes in the order of its hash, seeded anew. */
	{ "key=NULL, next_key=0x\\? (\"[^\"]*\"|<[^>]*>)", "key=NULL, next_key=0x? (first)" },
	{ "key=0x\\? (\"[^\"]*\"|<[^>]*>), next_key=0x\\?\\}, 144\\) = -1 ENOENT",
	  "key=0x? (last), next_key=0x?}, 144) = -1 ENOENT" },
	{ "\\[[0-9, .]+\\] \\(sum", "[?] (sum" },
	{ "(map_fd|prog_fd|target_fd)=[0-9]+", "\\1=?" },
	{ "(close|ioctl)\\([0-9]+", "\\1(?" },
	{ "PERF_EVENT_IOC_SET_BPF, [0-9]+", "PERF_EVENT_IOC_SET_BPF, ?" },
	{ "\\) = [1-9][0-9]*", ") = ?" },
	{ "(config=|id: |tracepoint )[0-9]+", "\\1?" },
	{ "kernel [0-9][^ :]*", "kernel ?" },
	{ "[0-9]+ possible CPU", "? possible CPU" },
	{ "time[= ][0-9.]+ ?m?s", "time ?" },
	{ "= [0-9.]+/[0-9.]+/[0-9.]+/[0-9.]+ ms", "= ? ms" },
	{ "^# verifier: .*", "# verifier: ?" },
	{ "pid [0-9]+", "pid ?" },
	{ "\\(id [0-9]+\\)", "(id ?)" },
	{ "[0-9]+ (running now)", "? \\1" },
	{ " uid [0-9]+", " uid ?" },
};

static regex_t compiled[ARRAY_SIZE(rules)];

/* One line, made the same wherever a rule says it may vary. */
static void normalize(char *line, size_t size)
{
	char out[LINE_MAX_ * 2];
	size_t r;

	for (r = 0; r < ARRAY_SIZE(rules); r++) {
		regmatch_t m[3];
		const char *p = line;
		size_t o = 0;
		int flags = 0;

		out[0] = '\0';
		while (regexec(&compiled[r], p, 3, m, flags) == 0 &&
		       m[0].rm_eo > 0) {
			const char *as = rules[r].as;

			o += (size_t)snprintf(out + o, sizeof(out) - o, "%.*s",
					      (int)m[0].rm_so, p);
			for (; *as && o < sizeof(out) - 1; as++) {
				if (as[0] == '\\' && as[1] == '1' &&
				    m[1].rm_so >= 0) {
					o += (size_t)snprintf(out + o,
						sizeof(out) - o, "%.*s",
						(int)(m[1].rm_eo - m[1].rm_so),
						p + m[1].rm_so);
					as++;
				} else {
					out[o++] = *as;
					out[o] = '\0';
				}
			}
			p += m[0].rm_eo;
			flags = REG_NOTBOL;
			if (o >= sizeof(out) - 1)
				break;
		}
		snprintf(out + o, sizeof(out) - o, "%s", p);
		snprintf(line, size, "%s", out);
	}
}

struct block {
	char cmd[512];
	int excerpt;
	const char *start, *end;	/* the block's text, in the file */
};

/* The next marked block after *pos, or 0. */
static int next_block(const char **pos, struct block *b)
{
	const char *m = strstr(*pos, "<!-- transcript");
	const char *c, *e, *fence;

	if (!m)
		return 0;
	b->excerpt = strncmp(m, "<!-- transcript excerpt:", 24) == 0;
	c = strchr(m, ':');
	e = strstr(m, "-->");
	fence = e ? strstr(e, "```") : NULL;
	if (!c || !e || !fence || !strchr(fence, '\n')) {
		*pos = m + 4;
		return -1;
	}
	snprintf(b->cmd, sizeof(b->cmd), "%.*s", (int)(e - c - 1), c + 1);
	while (b->cmd[0] == ' ')
		memmove(b->cmd, b->cmd + 1, strlen(b->cmd));
	while (*b->cmd && b->cmd[strlen(b->cmd) - 1] == ' ')
		b->cmd[strlen(b->cmd) - 1] = '\0';
	b->start = strchr(fence, '\n') + 1;
	b->end = strstr(b->start, "```");
	if (!b->end) {
		*pos = m + 4;
		return -1;
	}
	*pos = b->end + 3;
	return 1;
}

/*
 * The command as a user runs it: no tracefs mounted (the tests' own mount
 * is left behind in a namespace of the child's), this icmpcount in PATH.
 */
static int run_cmd(const char *cmd, char *out, size_t size)
{
	char dir[4096], line[8192];
	size_t n = 0;
	ssize_t k;
	char *slash;
	int fds[2];
	pid_t pid;

	if (!realpath(icmpcount_path, dir) || pipe(fds) != 0)
		return -1;
	slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	snprintf(line, sizeof(line), "PATH='%s':\"$PATH\"; export PATH; %s",
		 dir, cmd);
	pid = fork();
	if (pid == 0) {
		umount_tracefs();
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		execl("/bin/sh", "sh", "-c", line, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	while (pid > 0 && n < size - 1 &&
	       (k = read(fds[0], out + n, size - 1 - n)) > 0)
		n += (size_t)k;
	out[n] = '\0';
	close(fds[0]);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	return pid > 0 ? 0 : -1;
}

/* The next line of text into line; returns where the one after starts. */
static const char *take_line(const char *s, const char *end, char *line,
			     size_t size)
{
	size_t len = strcspn(s, "\n");

	if (end && s + len > end)
		len = (size_t)(end - s);
	snprintf(line, size, "%.*s", (int)len, s);
	s += len;
	return *s == '\n' ? s + 1 : s;
}

/*
 * Compares a block with a run's output, both normalized: line for line,
 * or, for an excerpt, each line of the block somewhere after the last.
 */
static int compare(const struct block *b, const char *out, char *why,
		   size_t size)
{
	char want[LINE_MAX_], got[LINE_MAX_];
	const char *s = b->start, *o = out;

	while (s < b->end) {
		s = take_line(s, b->end, want, sizeof(want));
		if (strncmp(want, "$ ", 2) == 0 || strcmp(want, "...") == 0)
			continue;
		normalize(want, sizeof(want));
		for (;;) {
			if (!*o) {
				snprintf(why, size, "no line \"%s\" %s", want,
					 b->excerpt ? "after the last matched" :
					 "at the end of the output");
				return -1;
			}
			o = take_line(o, NULL, got, sizeof(got));
			normalize(got, sizeof(got));
			if (strcmp(want, got) == 0)
				break;
			if (!b->excerpt) {
				snprintf(why, size, "EXP: %s\nRES: %s", want, got);
				return -1;
			}
		}
	}
	if (!b->excerpt && *o) {
		take_line(o, NULL, got, sizeof(got));
		snprintf(why, size, "more output than the block: %s", got);
		return -1;
	}
	return 0;
}

static char *read_doc(const char *path)
{
	static char text[DOC_MAX];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return NULL;
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	return text;
}

void run_docs_tests(void)
{
	static char out[DOC_MAX];
	size_t i, r;

	for (r = 0; r < ARRAY_SIZE(rules); r++)
		if (regcomp(&compiled[r], rules[r].re, REG_EXTENDED) != 0) {
			test_start("the transcripts' rules compile");
			test_fail("cannot compile %s", rules[r].re);
			return;
		}
	for (i = 0; i < ARRAY_SIZE(doc_files); i++) {
		const char *text = read_doc(doc_files[i]), *pos = text;
		struct block b;
		char name[700], why[1200];
		int k, nb = 0;

		if (!text)
			continue;
		while ((k = next_block(&pos, &b)) != 0) {
			nb++;
			snprintf(name, sizeof(name), "%s: transcript %d (%.60s) is what it prints today",
				 doc_files[i], nb, b.cmd);
			if (!test_start(name))
				continue;
			if (k < 0) {
				test_fail("a marker without its ``` block");
				continue;
			}
			if (run_cmd(b.cmd, out, sizeof(out)) != 0) {
				test_fail("cannot run: %s", strerror(errno));
				continue;
			}
			why[0] = '\0';
			test_check(compare(&b, out, why, sizeof(why)) == 0,
				   "%s\ncommand: %s\noutput:\n%s", why, b.cmd, out);
		}
	}
}

/* tests --update-docs: each block written afresh from a run. */
int update_docs(void)
{
	static char out[DOC_MAX], text[DOC_MAX];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(doc_files); i++) {
		const char *doc = read_doc(doc_files[i]), *pos, *last;
		struct block b;
		FILE *f;

		if (!doc)
			continue;
		snprintf(text, sizeof(text), "%s", doc);
		pos = last = text;
		f = fopen(doc_files[i], "w");
		if (!f)
			return 1;
		while (next_block(&pos, &b) == 1) {
			const char *s = b.start;

			/* The block's "$ command" lines stay. */
			while (s < b.end && strncmp(s, "$ ", 2) == 0)
				s = strchr(s, '\n') ? strchr(s, '\n') + 1 : b.end;
			fwrite(last, 1, (size_t)(s - last), f);
			b.start = s;
			if (b.excerpt || run_cmd(b.cmd, out, sizeof(out)) != 0)
				fwrite(b.start, 1, (size_t)(b.end - b.start), f);
			else
				fputs(out, f);
			last = b.end;
		}
		fputs(last, f);
		fclose(f);
	}
	return 0;
}
