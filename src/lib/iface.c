/* SPDX-License-Identifier: MIT */
/* Interfaces by name, index or address, with their flags and MTU. */
#include "mc_internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* Flags and MTU come from ioctls on any socket of the namespace. */
static int fill_details(struct mcast_iface *out)
{
	struct ifreq ifr;
	int fd, rc = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, out->name, IF_NAMESIZE);
	ifr.ifr_name[IF_NAMESIZE - 1] = '\0';
	out->flags = 0;
	out->mtu = -1;
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0) {
		if (ifr.ifr_flags & IFF_UP)
			out->flags |= MCAST_IF_UP;
		if (ifr.ifr_flags & IFF_RUNNING)
			out->flags |= MCAST_IF_RUNNING;
		if (ifr.ifr_flags & IFF_MULTICAST)
			out->flags |= MCAST_IF_MULTICAST;
		if (ifr.ifr_flags & IFF_LOOPBACK)
			out->flags |= MCAST_IF_LOOPBACK;
	} else {
		rc = errno == ENODEV ? MCAST_ENOIFACE : -errno;
	}
	if (rc == 0 && ioctl(fd, SIOCGIFMTU, &ifr) == 0)
		out->mtu = ifr.ifr_mtu;
	close(fd);
	return rc;
}

int mcast_iface_by_index(unsigned index, struct mcast_iface *out)
{
	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (index == 0 || !if_indextoname(index, out->name))
		return MCAST_ENOIFACE;
	out->index = index;
	return fill_details(out);
}

int mc_iface_name_or_index(const char *spec, struct mcast_iface *out)
{
	char *end;
	unsigned long v;
	unsigned index;

	/* Linux names never hold ':', but SIOCGIFINDEX cuts a name at the
	 * first one (old alias labels), so "lo:x" would find lo. */
	if (!spec || !*spec || strlen(spec) >= IF_NAMESIZE || strchr(spec, ':'))
		return MCAST_ENOIFACE;
	index = if_nametoindex(spec);
	if (index == 0 && spec[0] >= '0' && spec[0] <= '9') {
		errno = 0;
		v = strtoul(spec, &end, 10);
		if (errno == 0 && *end == '\0' && v > 0 && v <= 0x7fffffff)
			index = (unsigned)v;
	}
	return mcast_iface_by_index(index, out);
}

/* The interface holding a local address, found with getifaddrs(). */
static int iface_by_address(const char *spec, struct mcast_iface *out)
{
	struct in6_addr a6;
	struct in_addr a4;
	struct ifaddrs *ifa, *p;
	int family;
	unsigned index = 0;

	if (inet_pton(AF_INET, spec, &a4) == 1)
		family = AF_INET;
	else if (inet_pton(AF_INET6, spec, &a6) == 1)
		family = AF_INET6;
	else
		return MCAST_ENOIFACE;
	if (getifaddrs(&ifa) < 0)
		return -errno;
	for (p = ifa; p && !index; p = p->ifa_next) {
		if (!p->ifa_addr || p->ifa_addr->sa_family != family)
			continue;
		if (family == AF_INET) {
			const struct sockaddr_in *s = (void *)p->ifa_addr;

			if (s->sin_addr.s_addr == a4.s_addr)
				index = if_nametoindex(p->ifa_name);
		} else {
			const struct sockaddr_in6 *s = (void *)p->ifa_addr;

			if (IN6_ARE_ADDR_EQUAL(&s->sin6_addr, &a6))
				index = if_nametoindex(p->ifa_name);
		}
	}
	freeifaddrs(ifa);
	return mcast_iface_by_index(index, out);
}

int mcast_iface_lookup(const char *spec, struct mcast_iface *out)
{
	int rc;

	if (!spec || !out)
		return -EINVAL;
	rc = mc_iface_name_or_index(spec, out);
	if (rc == MCAST_ENOIFACE && (strchr(spec, '.') || strchr(spec, ':')))
		rc = iface_by_address(spec, out);
	return rc;
}
