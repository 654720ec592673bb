/* SPDX-License-Identifier: MIT */
/*
 * netns.h - unit tests that open sockets run in a private network
 * namespace, never on the host's interfaces: a join sends IGMP/MLD reports
 * and a send leaves by the default route.  Exit 77 (skip) without one.
 */
#ifndef NETNS_H
#define NETNS_H

#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#define SKIP_CODE 77

/* Change lo's flags or MTU in this namespace; 0 or -1. */
static inline int netns_lo_ioctl(unsigned long req, int up, int mtu)
{
	struct ifreq ifr;
	int fd, rc = -1;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (req == SIOCSIFMTU) {
		ifr.ifr_mtu = mtu;
		rc = ioctl(fd, SIOCSIFMTU, &ifr);
	} else if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags = (short)(up ? ifr.ifr_flags | IFF_UP
					   : ifr.ifr_flags & ~IFF_UP);
		rc = ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	close(fd);
	return rc;
}

static inline int netns_set_lo_up(void)
{
	return netns_lo_ioctl(SIOCSIFFLAGS, 1, 0);
}

static inline int netns_set_lo_mtu(int mtu)
{
	return netns_lo_ioctl(SIOCSIFMTU, 0, mtu);
}

/* Move into a fresh network namespace or exit 77. */
static inline void netns_enter(void)
{
	if (unshare(CLONE_NEWNET) < 0) {
		printf("SKIP: cannot create a network namespace\n");
		_exit(SKIP_CODE);
	}
}

#endif /* NETNS_H */
