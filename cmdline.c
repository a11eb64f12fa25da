// SPDX-License-Identifier: GPL-2.0
/*
 * cmdline.c - icmpcount's command line: the options, their values checked
 * and quoted back when bad (exit 2, with the synopsis), --help and -V; and
 * the tests' knobs in the environment.  Nothing here touches the kernel;
 * main() in loader.c acts on the result.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "icmpcount.h"

#ifndef VERSION
#define VERSION "0.1"
#endif

#define SECS_MAX	(366UL * 24 * 3600)
#define MAX_COMMS	4096	/* process names a map holds: bpftrace's map size too */

#define SYNOPSIS \
	"usage: icmpcount [-6ahjSVvx] [-c command] [-d secs] [-i secs] [-P program]\n" \
	"                 [-p pid] [-u user] [--check] [--[no-]compat] [--max-comms n]\n" \
	"                 [--prom file]\n"

struct test_knobs test_knobs;

void read_test_knobs(void)
{
	test_knobs.tracefs = secure_getenv("ICMPCOUNT_TRACEFS");
	test_knobs.read_needs = secure_getenv("ICMPCOUNT_TEST_READ_NEEDS");
	test_knobs.memlock = secure_getenv("ICMPCOUNT_TEST_MEMLOCK") != NULL;
	test_knobs.prealloc = secure_getenv("ICMPCOUNT_TEST_PREALLOC") != NULL;
	test_knobs.no_read_user =
		secure_getenv("ICMPCOUNT_TEST_NO_READ_USER") != NULL;
	test_knobs.raw_syscalls =
		secure_getenv("ICMPCOUNT_TEST_RAW_SYSCALLS") != NULL;
	test_knobs.no_links = secure_getenv("ICMPCOUNT_TEST_NO_LINKS") != NULL;
	test_knobs.reject = secure_getenv("ICMPCOUNT_TEST_REJECT") != NULL;
}

void __attribute__((noreturn)) usage(void)
{
	fputs(SYNOPSIS, stderr);
	exit(EXIT_USAGE);
}

void __attribute__((noreturn, format(printf, 1, 2)))
usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(0, NULL, fmt, ap);
	va_end(ap);
	usage();
}

static void help(void)
{
	fputs(SYNOPSIS
	      "\n"
	      "Count, per process name, the ICMP echo requests sent with sendto(),\n"
	      "until Ctrl-C, SIGTERM, the end of the command, or the duration.\n"
	      "\n"
	      "  -c, --command CMD    run CMD (split on blanks, no shell) once tracing\n"
	      "                       has started, and stop when it exits\n"
	      "  -u, --user USER      run the command as USER (default: as root)\n"
	      "  -x, --exit           count a send only when sendto() succeeds\n"
	      "  -a, --all            count every echo request, even with a zero\n"
	      "                       checksum, id or seq (busybox ping's first)\n"
	      "  -6, --ipv6           count ICMPv6 echo requests too: @[comm, ipv6]\n"
	      "  -p, --pid PID        count only sends from process PID\n"
	      "  -d, --duration SECS  stop after SECS seconds\n"
	      "  -i, --interval SECS  print the counts of each SECS seconds\n"
	      "  -j, --json           print JSON objects, one per line\n"
	      "  -P, --program WHICH  load the hand-assembled program (hand, the\n"
	      "                       default), the one clang compiled (clang), or\n"
	      "                       one that counts nothing (empty, for benchmarks)\n"
	      "  -v, --verbose        narrate each step and system call on stderr;\n"
	      "                       twice (-vv), the verifier's log too\n"
	      "  -S, --dump           print the instructions that would be loaded\n"
	      "      --check          tell whether icmpcount can run here, and exit\n"
	      "      --compat         count the sends of 32-bit processes on a 64-bit\n"
	      "                       kernel too, hooking every system call (the\n"
	      "                       default for a 32-bit icmpcount there)\n"
	      "      --no-compat      do not\n"
	      "      --max-comms N    room for N process names (default 4096)\n"
	      "      --prom FILE      write the counts since the start to FILE for\n"
	      "                       node_exporter, every -i SECS (default 15)\n"
	      "  -h, --help           show this help and exit\n"
	      "  -V, --version        show the version and exit\n"
	      "\n"
	      "Exit status: 0 success, 1 runtime failure, 2 usage error.\n",
	      stdout);
}

static unsigned long number_arg(const char *what, const char *s,
				unsigned long min, unsigned long max)
{
	unsigned long v;

	if (parse_uint(s, max, &v) != 0) {
		if (errno == ERANGE)
			usage_error("%s is too large: '%s'", what, s);
		usage_error("%s is not a number: '%s'", what, s);
	}
	if (v < min)
		usage_error("%s is too small: '%s'", what, s);
	return v;
}

enum { OPT_CHECK = 256, OPT_COMPAT, OPT_NO_COMPAT, OPT_MAX_COMMS, OPT_PROM };

static const struct option long_options[] = {
	{ "ipv6",	no_argument,		NULL, '6' },
	{ "all",	no_argument,		NULL, 'a' },
	{ "command",	required_argument,	NULL, 'c' },
	{ "duration",	required_argument,	NULL, 'd' },
	{ "help",	no_argument,		NULL, 'h' },
	{ "interval",	required_argument,	NULL, 'i' },
	{ "json",	no_argument,		NULL, 'j' },
	{ "pid",	required_argument,	NULL, 'p' },
	{ "program",	required_argument,	NULL, 'P' },
	{ "dump",	no_argument,		NULL, 'S' },
	{ "verbose",	no_argument,		NULL, 'v' },
	{ "user",	required_argument,	NULL, 'u' },
	{ "version",	no_argument,		NULL, 'V' },
	{ "exit",	no_argument,		NULL, 'x' },
	{ "check",	no_argument,		NULL, OPT_CHECK },
	{ "compat",	no_argument,		NULL, OPT_COMPAT },
	{ "no-compat",	no_argument,		NULL, OPT_NO_COMPAT },
	{ "max-comms",	required_argument,	NULL, OPT_MAX_COMMS },
	{ "prom",	required_argument,	NULL, OPT_PROM },
	{ NULL,		0,			NULL, 0 },
};

void parse_args(int argc, char **argv, struct options *o)
{
	int ch;

	o->max_comms = MAX_COMMS;
	o->compat = -1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":6ac:d:hi:jp:P:Su:vVx",
				 long_options, NULL)) != -1) {
		switch (ch) {
		case '6':
			o->ipv6 = 1;
			break;
		case 'a':
			o->all = 1;
			break;
		case 'c':
			o->command = optarg;
			break;
		case 'd':
			o->duration = number_arg("duration", optarg, 1, SECS_MAX);
			break;
		case 'h':
			help();
			exit(EXIT_SUCCESS);
		case 'i':
			o->interval = number_arg("interval", optarg, 1, SECS_MAX);
			break;
		case 'j':
			o->json = 1;
			break;
		case 'p':
			o->pid = number_arg("pid", optarg, 1, INT_MAX);
			break;
		case 'P':
			if (strcmp(optarg, "hand") == 0)
				o->program = PROGRAM_HAND;
			else if (strcmp(optarg, "clang") == 0)
				o->program = PROGRAM_CLANG;
			else if (strcmp(optarg, "empty") == 0)
				o->program = PROGRAM_EMPTY;
			else
				usage_error("program is not hand, clang or empty: '%s'",
					    optarg);
			break;
		case 'S':
			o->dump = 1;
			break;
		case 'u':
			o->user = optarg;
			break;
		case 'v':
			verbose++;
			break;
		case 'V':
			printf("icmpcount %s\n", VERSION);
			exit(EXIT_SUCCESS);
		case 'x':
			o->exit = 1;
			break;
		case OPT_COMPAT:
			o->compat = 1;
			break;
		case OPT_NO_COMPAT:
			o->compat = 0;
			break;
		case OPT_CHECK:
			o->check = 1;
			break;
		case OPT_MAX_COMMS:
			o->max_comms = number_arg("max-comms", optarg, 1, 1UL << 20);
			break;
		case OPT_PROM:
			if (!*optarg)
				usage_error("--prom needs a file name");
			o->prom = optarg;
			break;
		case ':':
			usage_error("option needs a value: '%s'", argv[optind - 1]);
		default:
			usage_error("unknown option: '%s'", argv[optind - 1]);
		}
	}
	if (optind != argc)
		usage_error("unexpected argument: '%s'", argv[optind]);
	if (o->user && !o->command)
		usage_error("-u needs -c: it names the command's user");
}
