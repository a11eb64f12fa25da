// SPDX-License-Identifier: GPL-2.0
/*
 * tracefs.c - where the kernel describes its tracepoints.  Each tracepoint
 * is a directory under tracefs, events/<group>/<name>/, with an id (what
 * perf_event_open() takes) and a format (where each field sits in the
 * record a program gets).  Both differ between kernels and builds, which
 * is why icmpcount reads them rather than hard-code them.
 *
 * tracefs is usually mounted at /sys/kernel/tracing, or inside debugfs at
 * /sys/kernel/debug/tracing; on many small systems it is not mounted at
 * all.  Then icmpcount mounts one in a mount namespace of its own: the
 * rest of the system never sees it, and it goes away with us.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "icmpcount.h"

#define TEXT_MAX	8192	/* a tracefs or sysfs file we read, at most */

static const char *const tracefs_dirs[] = {
	"/sys/kernel/tracing",
	"/sys/kernel/debug/tracing",
};

/* dir/a/b, or dir/a when b is NULL; a path too long for buf is an error. */
static void path_join(char *buf, size_t size, const char *dir, const char *a,
		      const char *b)
{
	int n = snprintf(buf, size, "%s/%s%s%s", dir, a, b ? "/" : "",
			 b ? b : "");

	if (n < 0 || (size_t)n >= size) {
		errno = ENAMETOOLONG;
		fail(NULL, "cannot build a path from %s", dir);
	}
}

/* A directory is tracefs if it has events/: a bare mount point has not. */
static int has_events(const char *dir, int quiet)
{
	char path[PATH_MAX];
	struct stat st;

	path_join(path, sizeof(path), dir, "events", NULL);
	if (stat(path, &st) == 0)
		return S_ISDIR(st.st_mode);
	if ((errno == EACCES || errno == EPERM) && !quiet)
		fail(hint_privilege(errno), "cannot look at %s", path);
	return 0;
}

/* ICMPCOUNT_TRACEFS names another tree, for the tests. */
const char *look_for_tracefs(int quiet)
{
	size_t i;

	if (test_knobs.tracefs)
		return test_knobs.tracefs;
	for (i = 0; i < ARRAY_SIZE(tracefs_dirs); i++)
		if (has_events(tracefs_dirs[i], quiet))
			return tracefs_dirs[i];
	return NULL;
}

/*
 * Our new mounts must not propagate back to the namespace we came from.
 * Usually "/" is a mount point, and making it and everything under it
 * private does that.  In a chroot, "/" is only a directory, and the kernel
 * answers EINVAL.  Then the mount that will hold ours is the deepest mount
 * point above it (/sys, where a chroot binds it in): making that one
 * private is enough, since a mount propagates through its parent mount's
 * peers and nothing else.  Where no directory above is a mount point, we
 * cannot name our parent mount, so we mount nothing.
 */
static void narrate_mount(const char *what, const char *dir, const char *how,
			  int r)
{
	narrate("mount(\"%s\", \"%s\", %s) = %d%s%s", what, dir, how, r,
		r ? " " : "", r ? strerror(errno) : "");
}

static int make_private(const char *target)
{
	char dir[PATH_MAX];
	char *slash;
	int r;

	r = mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL);
	narrate_mount("none", "/", "NULL, MS_REC|MS_PRIVATE, NULL", r);
	if (r == 0 || errno != EINVAL)
		return r;
	snprintf(dir, sizeof(dir), "%s", target);
	while ((slash = strrchr(dir, '/')) != NULL && slash != dir) {
		*slash = '\0';
		r = mount("none", dir, NULL, MS_REC | MS_PRIVATE, NULL);
		narrate_mount("none", dir, "NULL, MS_REC|MS_PRIVATE, NULL", r);
		if (r == 0 || errno != EINVAL)
			return r;
	}
	errno = ENOTDIR;	/* no mount point between us and "/" */
	return -1;
}

int mount_private_tracefs(void)
{
	int r;

	r = unshare(CLONE_NEWNS);
	narrate("unshare(CLONE_NEWNS) = %d%s%s", r, r ? " " : "",
		r ? strerror(errno) : "");
	if (r != 0)
		return -1;
	if (make_private(tracefs_dirs[0]) != 0)
		return -1;
	r = mount("tracefs", tracefs_dirs[0], "tracefs", 0, NULL);
	narrate_mount("tracefs", tracefs_dirs[0], "\"tracefs\", 0, NULL", r);
	if (r == 0)
		return 0;
	/* Before 4.1, tracefs lived only inside debugfs. */
	r = mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	narrate_mount("debugfs", "/sys/kernel/debug", "\"debugfs\", 0, NULL", r);
	return r;
}

/* What to do when no tracefs is mounted and we could not mount one. */
const char *hint_mount(int e)
{
	if (e == ENOTDIR)
		return "no mount point holds /sys/kernel/tracing here (a chroot?): bind-mount /sys into it, or mount tracefs on /sys/kernel/tracing first";
	if (e == ENOENT)
		return "no /sys/kernel/tracing: mount sysfs on /sys";
	if (e == ENODEV)
		return "this kernel has no tracefs: build it with CONFIG_FTRACE";
	if (e == EPERM || e == EACCES)
		return geteuid() != 0 ? "run as root, or mount tracefs on /sys/kernel/tracing" :
		       "root here may not mount (a container?): mount tracefs on /sys/kernel/tracing from outside";
	return "mount tracefs on /sys/kernel/tracing";
}

const char *find_tracefs(void)
{
	const char *dir = look_for_tracefs(0);

	if (!dir) {
		if (mount_private_tracefs() != 0)
			fail(hint_mount(errno), "no tracefs is mounted, and cannot mount one in a private namespace");
		dir = look_for_tracefs(0);
	}
	if (!dir) {
		errno = ENOENT;
		fail("is tracefs enabled in this kernel?",
		     "mounted tracefs, but found no events/ in it");
	}
	narrate("tracefs: %s", dir);
	return dir;
}

unsigned int tracepoint_id(const char *tracefs, const char *tp)
{
	char path[PATH_MAX], text[64];
	unsigned int id;

	path_join(path, sizeof(path), tracefs, tp, "id");
	if (read_text(path, text, sizeof(text)) != 0)
		fail(errno == ENOENT ?
		     "kernel built without CONFIG_FTRACE_SYSCALLS?" :
		     hint_privilege(errno), "cannot read %s", path);
	if (parse_tracepoint_id(text, &id) != 0)
		failx("cannot parse %s: not a tracepoint id", path);
	narrate("read %s: %u", path, id);
	return id;
}

int tracepoint_exists(const char *tracefs, const char *tp)
{
	char path[PATH_MAX];

	path_join(path, sizeof(path), tracefs, tp, "id");
	return access(path, R_OK) == 0;
}

/* -v: what a format told us, in the words of the fields it gave. */
static void narrate_fields(const char *path, enum format_kind kind,
			   const struct sendto_fields *f)
{
	switch (kind) {
	case FORMAT_EXIT:
		narrate("read %s: ret at %u (%u bytes)", path, f->ret.offset,
			f->ret.size);
		break;
	case FORMAT_SOCKETCALL:
		narrate("read %s: call at %u, args at %u (%u, %u bytes)", path,
			f->call.offset, f->args.offset, f->call.size,
			f->args.size);
		break;
	case FORMAT_ENTER:
		narrate("read %s: buff at %u, len at %u, addr at %u (%u, %u, %u bytes)",
			path, f->buff.offset, f->len.offset, f->addr.offset,
			f->buff.size, f->len.size, f->addr.size);
		break;
	}
}

void read_fields(const char *tracefs, const char *tp, enum format_kind kind,
		 int (*parse)(const char *, struct sendto_fields *,
			      const char **),
		 struct sendto_fields *f)
{
	char path[PATH_MAX], text[TEXT_MAX];
	const char *why;

	path_join(path, sizeof(path), tracefs, tp, "format");
	if (read_text(path, text, sizeof(text)) != 0)
		fail(errno == ENOENT ?
		     "kernel built without CONFIG_FTRACE_SYSCALLS?" :
		     hint_privilege(errno), "cannot read %s", path);
	if (parse(text, f, &why) != 0)
		failx("cannot parse %s: %s", path, why);
	narrate_fields(path, kind, f);
}

/*
 * The layout a kernel of this word size uses, for -S without tracefs:
 * an 8-byte common header, the syscall number, then one long per argument.
 */
void default_fields(struct sendto_fields *f)
{
	unsigned int l = sizeof(long), args = 8 + l;	/* nr in a long slot */

	f->buff = (struct tp_field){ args + 1 * l, l };
	f->len = (struct tp_field){ args + 2 * l, l };
	f->addr = (struct tp_field){ args + 4 * l, l };
	f->ret = (struct tp_field){ args, l };
}
