// SPDX-License-Identifier: GPL-2.0
/*
 * caps.c - what icmpcount keeps once its programs are attached.
 *
 * Creating maps, loading programs and opening tracepoint perf events need
 * privilege (CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN, or root).  Once they
 * are attached, what is left is reading our own maps through fds we hold.
 * Since Linux 5.19 the fd is enough: only map creation and program loading
 * look at kernel.unprivileged_bpf_disabled.  Before 5.19, with that sysctl
 * set (Debian's and Ubuntu's default is 2), the kernel refuses every bpf()
 * command, map reads included, to a caller without CAP_SYS_ADMIN (from 5.8,
 * CAP_BPF will do).  A version number would be a guess (distributions
 * backport), so we ask the kernel: lower the effective set, read the map,
 * and raise CAP_BPF, then CAP_SYS_ADMIN, until the read works.  What the
 * read needed is all we keep, with what the end of the run needs besides.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include <linux/capability.h>

#include "bpf.h"
#include "icmpcount.h"

#ifndef CAP_BPF
# define CAP_BPF	39	/* Linux 5.8 */
#endif

#define CAP(c)		((__u64)1 << (c))

static const struct {
	int cap;
	const char *name;
} cap_names[] = {
	{ CAP_DAC_OVERRIDE, "CAP_DAC_OVERRIDE" },
	{ CAP_KILL, "CAP_KILL" },
	{ CAP_SYS_ADMIN, "CAP_SYS_ADMIN" },
	{ CAP_BPF, "CAP_BPF" },
};

/* "CAP_KILL|CAP_BPF", or "none". */
const char *caps_name(__u64 set, char *buf, size_t size)
{
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(cap_names); i++)
		if (set & CAP(cap_names[i].cap))
			len += (size_t)snprintf(buf + len, size - len, "%s%s",
						len ? "|" : "",
						cap_names[i].name);
	if (!len)
		snprintf(buf, size, "none");
	return buf;
}

int caps_get(__u64 *effective, __u64 *permitted)
{
	struct __user_cap_header_struct head = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &head, data) != 0)
		return -1;
	*effective = data[0].effective | (__u64)data[1].effective << 32;
	*permitted = data[0].permitted | (__u64)data[1].permitted << 32;
	return 0;
}

/*
 * What to do about EPERM or EACCES, from who we are: a user is told to
 * become root; root without CAP_SYS_ADMIN is in a container or under a
 * capability bounding set; root with it was refused by a policy, such as
 * kernel lockdown or a security module.
 */
const char *hint_privilege(int e)
{
	__u64 eff, perm;

	if (e != EPERM && e != EACCES)
		return NULL;
	if (geteuid() != 0)
		return "run as root, or with CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN";
	if (caps_get(&eff, &perm) == 0 && !(eff & CAP(CAP_SYS_ADMIN)))
		return "root here lacks CAP_SYS_ADMIN: run it outside the container, or grant the capability";
	return "refused even with CAP_SYS_ADMIN: kernel lockdown, a security module or seccomp? see dmesg";
}

/* The inheritable set stays empty, as it is for root. */
static int caps_set(__u64 effective, __u64 permitted)
{
	struct __user_cap_header_struct head = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	char e[96], p[96];
	int r;

	memset(data, 0, sizeof(data));
	data[0].effective = (__u32)effective;
	data[1].effective = (__u32)(effective >> 32);
	data[0].permitted = (__u32)permitted;
	data[1].permitted = (__u32)(permitted >> 32);
	r = (int)syscall(SYS_capset, &head, data);
	narrate("capset(effective = %s, permitted = %s) = %d",
		caps_name(effective, e, sizeof(e)),
		caps_name(permitted, p, sizeof(p)), r);
	return r;
}

/*
 * One read of the map, as the end of the run makes them: 0 when the kernel
 * lets us, -1 with errno when not.  ICMPCOUNT_TEST_READ_NEEDS plays an older
 * kernel on a newer one: "CAP_BPF" refuses a caller with neither CAP_BPF nor
 * CAP_SYS_ADMIN (5.8 to 5.18), "CAP_SYS_ADMIN" one without CAP_SYS_ADMIN
 * (before 5.8).
 */
static int try_read(int map_fd)
{
	const char *plays = test_knobs.read_needs;
	unsigned char key[64];
	__u64 eff, perm;

	if (plays && caps_get(&eff, &perm) == 0 && !(eff & CAP(CAP_SYS_ADMIN)) &&
	    (strcmp(plays, "CAP_SYS_ADMIN") == 0 || !(eff & CAP(CAP_BPF)))) {
		errno = EPERM;
		narrate("ICMPCOUNT_TEST_READ_NEEDS=%s: the read is refused", plays);
		return -1;
	}
	if (bpf_map_get_next_key(map_fd, NULL, key) == 0 || errno == ENOENT)
		return 0;
	return -1;
}

int caps_least_for_reading(int map_fd, __u64 keep, __u64 *kept)
{
	static const int candidates[] = { CAP_BPF, CAP_SYS_ADMIN };
	__u64 eff, perm, spare;
	size_t i;

	if (caps_get(&eff, &perm) != 0)
		return -1;
	/* Lower the effective set, but hold what we may raise again. */
	spare = perm & (CAP(CAP_BPF) | CAP(CAP_SYS_ADMIN));
	keep &= perm;
	if (caps_set(keep, keep | spare) != 0)
		return -1;
	if (try_read(map_fd) == 0) {
		narrate("a map read needs no capability here");
		*kept = keep;
		return 0;
	}
	narrate("a map read with no capability: %s (a kernel before 5.19 with kernel.unprivileged_bpf_disabled set)",
		strerror(errno));
	for (i = 0; i < ARRAY_SIZE(candidates); i++) {
		__u64 c = CAP(candidates[i]);

		if (!(spare & c) || caps_set(keep | c, keep | spare) != 0)
			continue;
		if (try_read(map_fd) == 0) {
			*kept = keep | c;
			return 0;
		}
	}
	errno = EPERM;
	return -1;
}

/*
 * Keep no privilege we do not need, and let nothing we might exec regain
 * any: ping's order, acquire, then shrink.  keep is what the end of the run
 * needs besides the reads: CAP_KILL to stop a -u command, CAP_DAC_OVERRIDE
 * to write --prom into another user's directory.
 */
void drop_privileges(int map_fd, __u64 keep)
{
	char names[96];
	__u64 kept;

	if (caps_least_for_reading(map_fd, keep, &kept) != 0)
		fail("the kernel refuses map reads even with CAP_SYS_ADMIN",
		     "cannot read our BPF map");
	if (caps_set(kept, kept) != 0)
		fail(NULL, "cannot drop privileges");
	narrate("keeping %s", caps_name(kept, names, sizeof(names)));
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		fail(NULL, "cannot set no_new_privs");
}
