/* SPDX-License-Identifier: MIT */
/*
 * The body of a tunnel message (type 5, docs/PROTOCOL.md): a multicast
 * datagram's group, port, original source and arrival TTL, so the far
 * relay can send it again as it was.  Fields one by one, network order.
 */
#include "mc_internal.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>

enum { TUN_V4 = 4, TUN_V6 = 6 };

static void put_addr(uint8_t *p, const struct sockaddr_storage *a)
{
	memset(p, 0, 16);
	if (a->ss_family == AF_INET6)
		memcpy(p, &((const struct sockaddr_in6 *)a)->sin6_addr, 16);
	else
		memcpy(p, &((const struct sockaddr_in *)a)->sin_addr, 4);
}

static uint16_t port_of(const struct sockaddr_storage *a)
{
	return (uint16_t)mcast_addr_port((const struct sockaddr *)a);
}

int mcast_tunnel_encode(const struct mcast_tunnel *t, void *buf, size_t cap)
{
	uint8_t *p = buf;
	int fam;

	if (!t || !buf)
		return -EINVAL;
	fam = t->group.ss_family == AF_INET6  ? TUN_V6
	      : t->group.ss_family == AF_INET ? TUN_V4
					      : 0;
	if (!fam || t->source.ss_family != t->group.ss_family)
		return MCAST_EFAMILY;
	if (!mcast_addr_is_multicast((const struct sockaddr *)&t->group))
		return MCAST_ENOTMCAST;
	if (cap < MCAST_TUNNEL_BODY_LEN)
		return -ENOSPC;
	p[0] = (uint8_t)fam;
	p[1] = t->ttl;
	p[2] = (uint8_t)(port_of(&t->group) >> 8);
	p[3] = (uint8_t)port_of(&t->group);
	p[4] = (uint8_t)(port_of(&t->source) >> 8);
	p[5] = (uint8_t)port_of(&t->source);
	p[6] = p[7] = 0;
	put_addr(p + 8, &t->group);
	put_addr(p + 24, &t->source);
	return MCAST_TUNNEL_BODY_LEN;
}

/* An address of fam from 16 bytes (IPv4: the first 4, the rest zero). */
static int get_addr(struct sockaddr_storage *a, int fam, const uint8_t *p,
		    uint16_t port)
{
	static const uint8_t zero[12];

	memset(a, 0, sizeof(*a));
	if (fam == TUN_V6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)a;

		s6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, p, 16);
		s6->sin6_port = htons(port);
		return 0;
	}
	if (memcmp(p + 4, zero, sizeof(zero)) != 0)
		return MCAST_EMALFORMED;
	struct sockaddr_in *s4 = (struct sockaddr_in *)a;

	s4->sin_family = AF_INET;
	memcpy(&s4->sin_addr, p, 4);
	s4->sin_port = htons(port);
	return 0;
}

int mcast_tunnel_decode(struct mcast_tunnel *t, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	struct mcast_tunnel out;
	uint16_t gport, sport;

	if (!t || !buf)
		return -EINVAL;
	if (len < MCAST_TUNNEL_BODY_LEN)
		return MCAST_ESHORT;
	if ((p[0] != TUN_V4 && p[0] != TUN_V6) || p[6] || p[7])
		return MCAST_EMALFORMED;
	gport = (uint16_t)(p[2] << 8 | p[3]);
	sport = (uint16_t)(p[4] << 8 | p[5]);
	if (gport == 0 || get_addr(&out.group, p[0], p + 8, gport) < 0 ||
	    get_addr(&out.source, p[0], p + 24, sport) < 0 ||
	    !mcast_addr_is_multicast((const struct sockaddr *)&out.group))
		return MCAST_EMALFORMED;
	out.ttl = p[1];
	*t = out;
	return MCAST_TUNNEL_BODY_LEN;
}
