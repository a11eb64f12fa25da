// SPDX-License-Identifier: GPL-2.0
/*
 * command.c - the command of -c, and the user of -u.  The command is forked
 * before anything else and held on a pipe until the program is attached,
 * so its very first send is counted; if we die first, it reads EOF and exits
 * without running.  It stays in the mount namespace we started in.  A
 * second pipe, closed by a successful exec, carries back the errno of a
 * failed one.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "icmpcount.h"

/*
 * -u: a user name from /etc/passwd, or a number.  We read the file
 * ourselves: a static binary has no NSS, and small systems have no more
 * than the file anyway.
 */
static void find_user(const char *name, uid_t *uid, gid_t *gid)
{
	char line[1024];
	unsigned long u, g, v;
	FILE *f = fopen("/etc/passwd", "re");
	int numeric = parse_uint(name, UINT32_MAX - 1, &v) == 0;

	/*
	 * name:password:uid:gid:...  strsep(), not sscanf("%[^:]"), which
	 * cannot match an empty password; parse_uint(), not "%lu", which takes
	 * "-1" and wraps 4294967296 to 0.
	 */
	while (f && fgets(line, sizeof(line), f)) {
		char *p = line, *user, *us, *gs;

		user = strsep(&p, ":");
		(void)strsep(&p, ":");		/* the password */
		us = strsep(&p, ":");
		gs = strsep(&p, ":");
		if (!p ||			/* fewer than five fields */
		    parse_uint(us, UINT32_MAX - 1, &u) != 0 ||
		    parse_uint(gs, UINT32_MAX - 1, &g) != 0)
			continue;
		if ((numeric && u == v) || strcmp(user, name) == 0) {
			fclose(f);
			*uid = (uid_t)u;
			*gid = (gid_t)g;
			return;
		}
	}
	if (f)
		fclose(f);
	if (!numeric)
		usage_error("no such user: '%s'", name);
	*uid = (uid_t)v;	/* a uid with no entry: its own group */
	*gid = (gid_t)v;
}

/*
 * The words of s, as an argv that is one allocation: the pointers, then a
 * copy of s that they point into.  free(argv) frees it all; argv[0] need
 * not be the start of the copy (" ping" starts with a blank).
 */
static char **split_blanks(const char *s)
{
	size_t n = 0, max = strlen(s) / 2 + 2;
	char **argv = calloc(1, max * sizeof(*argv) + strlen(s) + 1);
	char *copy, *tok, *save;

	if (!argv)
		fail(NULL, "cannot allocate memory");
	copy = (char *)(argv + max);
	memcpy(copy, s, strlen(s) + 1);
	for (tok = strtok_r(copy, " \t", &save); tok;
	     tok = strtok_r(NULL, " \t", &save))
		argv[n++] = tok;
	if (n == 0) {
		free(argv);
		return NULL;
	}
	return argv;
}

/* A file we could exec: executable, and not a directory. */
static int is_program(const char *path)
{
	struct stat st;

	if (access(path, X_OK) != 0 || stat(path, &st) != 0)
		return 0;
	if (!S_ISREG(st.st_mode)) {
		errno = EACCES;
		return 0;
	}
	return 1;
}

/* The path execvp() would run, so a missing command fails before tracing. */
static char *find_command(const char *name)
{
	const char *path = getenv("PATH");
	char buf[PATH_MAX];
	const char *p, *end;

	if (strchr(name, '/'))
		return is_program(name) ? strdup(name) : NULL;
	if (!path || !*path)
		path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	errno = ENOENT;
	for (p = path; ; p = end + 1) {
		int n;

		end = strchrnul(p, ':');
		n = snprintf(buf, sizeof(buf), "%.*s/%s", (int)(end - p), p, name);
		if (n > 0 && (size_t)n < sizeof(buf) && is_program(buf))
			return strdup(buf);
		if (*end == '\0')
			return NULL;
	}
}

/*
 * Whatever ends us, a signal, the duration, or a failure such as a reader
 * gone from stdout, the command does not outlive the trace: every exit()
 * passes here.
 */
pid_t command_pid;

static void end_command(void)
{
	if (command_pid > 0)
		kill(command_pid, SIGTERM);
}

void start_command(struct command *cmd, const char *line,
		   const char *user)
{
	int go[2], err[2];
	sigset_t empty;
	char *file;

	cmd->argv = split_blanks(line);
	if (!cmd->argv)
		usage_error("empty command: '%s'", line);
	if (user)
		find_user(user, &cmd->uid, &cmd->gid);
	file = find_command(cmd->argv[0]);
	if (!file)
		fail(NULL, "cannot run %s", cmd->argv[0]);
	if (pipe2(go, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0)
		fail(NULL, "cannot make a pipe");
	sigemptyset(&empty);
	cmd->pid = fork();
	if (cmd->pid < 0)
		fail(NULL, "cannot fork");
	if (cmd->pid == 0) {
		char c;
		int e;

		close(go[1]);
		close(err[0]);
		if (read(go[0], &c, 1) != 1)
			_exit(127);
		sigprocmask(SIG_SETMASK, &empty, NULL);
		if (!user || (setgroups(1, &cmd->gid) == 0 &&
			      setgid(cmd->gid) == 0 && setuid(cmd->uid) == 0))
			execv(file, cmd->argv);
		e = errno;
		if (write(err[1], &e, sizeof(e)) < 0)
			_exit(127);
		_exit(127);
	}
	free(file);
	close(go[0]);
	close(err[1]);
	cmd->go_fd = go[1];
	cmd->err_fd = err[0];
	command_pid = cmd->pid;
	atexit(end_command);
}

void release_command(struct command *cmd)
{
	ssize_t n;
	int e;

	if (write(cmd->go_fd, "g", 1) != 1)
		fail(NULL, "cannot start %s", cmd->argv[0]);
	close(cmd->go_fd);
	do
		n = read(cmd->err_fd, &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	close(cmd->err_fd);
	if (n == sizeof(e)) {
		errno = e;
		fail(NULL, "cannot run %s", cmd->argv[0]);
	}
}
