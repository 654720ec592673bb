/* SPDX-License-Identifier: MIT */
/* Text to socket addresses and back, and what kind of group an address is. */
#include "mc_internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Ports are decimal 1..65535 with nothing else around them. */
static int parse_port(const char *s, unsigned *port)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return MCAST_EADDR;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < 1 || v > 65535)
		return MCAST_EADDR;
	*port = (unsigned)v;
	return 0;
}

/* "%eth0" or "%3": an interface by name or index. */
static int parse_scope(const char *s, uint32_t *scope)
{
	struct mcast_iface ifc;
	int rc;

	if (!*s)
		return MCAST_EADDR;
	rc = mc_iface_name_or_index(s, &ifc);
	if (rc < 0)
		return rc;
	*scope = ifc.index;
	return 0;
}

static int is_v4_broadcast(const struct in_addr *a)
{
	return a->s_addr == htonl(INADDR_BROADCAST);
}

/* Apply the GROUP / UNICAST requirements to a parsed address. */
static int check_kind(const struct sockaddr *sa, unsigned flags)
{
	int mc = mcast_addr_is_multicast(sa);

	if ((flags & MCAST_PARSE_GROUP) && !mc)
		return MCAST_ENOTMCAST;
	if (flags & MCAST_PARSE_UNICAST) {
		int any;

		if (mc)
			return MCAST_ENOTSOURCE;
		if (sa->sa_family == AF_INET) {
			const struct sockaddr_in *s4 = (const void *)sa;

			if (is_v4_broadcast(&s4->sin_addr))
				return MCAST_ENOTSOURCE;
			any = s4->sin_addr.s_addr == htonl(INADDR_ANY);
		} else {
			const struct sockaddr_in6 *s6 = (const void *)sa;

			any = IN6_IS_ADDR_UNSPECIFIED(&s6->sin6_addr);
		}
		if (any && !(flags & MCAST_PARSE_ANY_OK))
			return MCAST_ENOTSOURCE;
	}
	return 0;
}

int mcast_addr_parse(const char *text, unsigned flags,
		     struct sockaddr_storage *out)
{
	char host[INET6_ADDRSTRLEN + IF_NAMESIZE + 2];
	const char *port_text = NULL;
	char *pct;
	unsigned port = 0;
	size_t hlen;
	int rc, bracketed = 0;

	if (!text || !out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));

	if (text[0] == '[') {
		const char *close = strchr(text, ']');

		if (!close)
			return MCAST_EADDR;
		hlen = (size_t)(close - text - 1);
		if (close[1] == ':')
			port_text = close + 2;
		else if (close[1])
			return MCAST_EADDR;
		text++;
		bracketed = 1;
	} else {
		const char *colon = strchr(text, ':');

		/* One colon: IPv4 with port (or ":port").  More: bare IPv6. */
		if (colon && !strchr(colon + 1, ':')) {
			hlen = (size_t)(colon - text);
			port_text = colon + 1;
		} else {
			hlen = strlen(text);
		}
	}
	if (hlen >= sizeof(host))
		return MCAST_EADDR;
	memcpy(host, text, hlen);
	host[hlen] = '\0';

	if (port_text) {
		if (!(flags & (MCAST_PARSE_PORT | MCAST_PARSE_PORT_OPT)))
			return MCAST_EADDR;
		if ((rc = parse_port(port_text, &port)) < 0)
			return rc;
	} else if (flags & MCAST_PARSE_PORT) {
		return MCAST_EADDR;
	}

	if (!host[0]) {
		/* ":1501" - a port on the wildcard address; senders turn it
		 * into "::" when their group is IPv6. */
		if (bracketed || !port_text ||
		    !(flags & MCAST_PARSE_PORT_OPT) ||
		    (flags & MCAST_PARSE_GROUP))
			return MCAST_EADDR;
		struct sockaddr_in *s4 = mc_sin(out);
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		if ((rc = check_kind((struct sockaddr *)out, flags)) < 0)
			return rc;
		return sizeof(*s4);
	}

	pct = strchr(host, '%');
	if (pct)
		*pct++ = '\0';

	struct sockaddr_in *s4 = mc_sin(out);
	struct sockaddr_in6 *s6 = mc_sin6(out);

	if (!bracketed && !pct &&
	    inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
	} else if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		if (pct && (rc = parse_scope(pct, &s6->sin6_scope_id)) < 0)
			return rc;
	} else {
		return MCAST_EADDR;
	}
	if ((rc = check_kind((struct sockaddr *)out, flags)) < 0)
		return rc;
	return (int)mcast_addr_len((struct sockaddr *)out);
}

int mcast_addr_format(const struct sockaddr *sa, unsigned flags, char *buf,
		      size_t len)
{
	char host[INET6_ADDRSTRLEN];
	char scope[IF_NAMESIZE + 2] = "";
	char port[8] = "";
	int n;

	if (!sa || !buf)
		return -EINVAL;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)sa;

		inet_ntop(AF_INET, &s4->sin_addr, host, sizeof(host));
		if (flags & MCAST_FMT_PORT)
			snprintf(port, sizeof(port), ":%u",
				 ntohs(s4->sin_port));
		n = snprintf(buf, len, "%s%s", host, port);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)sa;
		char name[IF_NAMESIZE];

		inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof(host));
		if ((flags & MCAST_FMT_SCOPE) && s6->sin6_scope_id) {
			if (if_indextoname(s6->sin6_scope_id, name))
				snprintf(scope, sizeof(scope), "%%%s", name);
			else
				snprintf(scope, sizeof(scope), "%%%u",
					 s6->sin6_scope_id);
		}
		if (flags & MCAST_FMT_PORT)
			n = snprintf(buf, len, "[%s%s]:%u", host, scope,
				     ntohs(s6->sin6_port));
		else
			n = snprintf(buf, len, "%s%s", host, scope);
	} else {
		return -EAFNOSUPPORT;
	}
	if (n < 0 || (size_t)n >= len)
		return -ENOSPC;
	return n;
}

int mcast_addr_is_multicast(const struct sockaddr *sa)
{
	if (!sa)
		return 0;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)sa;

		return IN_MULTICAST(ntohl(s4->sin_addr.s_addr)) ? 1 : 0;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)sa;

		return IN6_IS_ADDR_MULTICAST(&s6->sin6_addr) ? 1 : 0;
	}
	return 0;
}

int mcast_addr_is_ssm(const struct sockaddr *sa)
{
	if (!mcast_addr_is_multicast(sa))
		return 0;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)sa;

		/* RFC 4607: 232.0.0.0/8 */
		return (ntohl(s4->sin_addr.s_addr) >> 24) == 232;
	}
	const uint8_t *a = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;

	/* RFC 4607: FF3x::/32 */
	return (a[1] & 0xf0) == 0x30 && a[2] == 0 && a[3] == 0;
}

int mcast_addr_needs_iface(const struct sockaddr *sa)
{
	if (!sa || sa->sa_family != AF_INET6 || !mcast_addr_is_multicast(sa))
		return 0;
	const uint8_t *a = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
	unsigned scope = a[1] & 0x0f;

	/* RFC 4291 scopes 1 (interface-local) and 2 (link-local) only make
	 * sense on one named link. */
	return scope == 1 || scope == 2;
}

int mcast_addr_same(const struct sockaddr *a, const struct sockaddr *b,
		    int with_port)
{
	if (!a || !b || a->sa_family != b->sa_family)
		return 0;
	if (with_port && mcast_addr_port(a) != mcast_addr_port(b))
		return 0;
	if (a->sa_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	if (a->sa_family == AF_INET6)
		return IN6_ARE_ADDR_EQUAL(
			&((const struct sockaddr_in6 *)a)->sin6_addr,
			&((const struct sockaddr_in6 *)b)->sin6_addr);
	return 0;
}

unsigned mcast_addr_scope(const struct sockaddr *sa)
{
	if (!sa || sa->sa_family != AF_INET6)
		return 0;
	return ((const struct sockaddr_in6 *)sa)->sin6_scope_id;
}

unsigned mcast_addr_port(const struct sockaddr *sa)
{
	if (!sa)
		return 0;
	if (sa->sa_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)sa)->sin_port);
	if (sa->sa_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
	return 0;
}

socklen_t mcast_addr_len(const struct sockaddr *sa)
{
	if (!sa)
		return 0;
	if (sa->sa_family == AF_INET)
		return sizeof(struct sockaddr_in);
	if (sa->sa_family == AF_INET6)
		return sizeof(struct sockaddr_in6);
	return 0;
}
