// SPDX-License-Identifier: GPL-2.0
/*
 * mountns.c - a mount namespace of one's own, for the tests and the bench:
 * one with no tracefs mounted is what a user's fresh machine has.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <unistd.h>
#include <sys/mount.h>

#include "mountns.h"

/*
 * A mount namespace of our own whose mounts and unmounts stay in it: "/"
 * made private, or, where "/" is not a mount point (a chroot that was not
 * bound onto itself), /sys, under which every tracefs mount lives.
 */
int private_mount_ns(void)
{
	if (unshare(CLONE_NEWNS) != 0)
		return -1;
	if (mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0)
		return 0;
	if (errno != EINVAL)
		return -1;
	return mount("none", "/sys", NULL, MS_REC | MS_PRIVATE, NULL);
}

void umount_tracefs(void)
{
	if (private_mount_ns() != 0)
		_exit(126);
	/* Mounted twice over is possible: take them all off. */
	while (umount2("/sys/kernel/tracing", MNT_DETACH) == 0)
		;
	while (umount2("/sys/kernel/debug/tracing", MNT_DETACH) == 0)
		;
	while (umount2("/sys/kernel/debug", MNT_DETACH) == 0)
		;
}
