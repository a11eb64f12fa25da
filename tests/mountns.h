/* SPDX-License-Identifier: GPL-2.0 */
/* mountns.h - see mountns.c. */
#ifndef ICMPCOUNT_MOUNTNS_H
#define ICMPCOUNT_MOUNTNS_H

int private_mount_ns(void);
void umount_tracefs(void);

#endif /* ICMPCOUNT_MOUNTNS_H */
