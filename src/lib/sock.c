/* SPDX-License-Identifier: MIT */
/*
 * Handles: options, opening a sender, opening and closing any handle,
 * and the socket options both roles share (buffers).
 */
#include "mc_internal.h"

#include <errno.h>
#include <linux/sock_diag.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

void mcast_opts_init(struct mcast_opts *o)
{
	if (!o)
		return;
	memset(o, 0, sizeof(*o));
	o->size = sizeof(*o);
	o->ttl = -1;
	o->loop = -1;
	o->bind.ss_family = AF_UNSPEC;
	o->meta = MCAST_META_DST | MCAST_META_TTL | MCAST_META_TS;
}

int mc_setopt_int(int fd, int level, int name, int value)
{
	return setsockopt(fd, level, name, &value, sizeof(value)) < 0 ? -errno
								      : 0;
}

/*
 * Ask for a buffer size and read back what the kernel granted.  The kernel
 * doubles the request for bookkeeping and clamps it to rmem_max/wmem_max;
 * the *FORCE variant ignores the clamp but needs CAP_NET_ADMIN, so try it
 * first and fall back quietly.
 */
int mc_socket_buffers(int fd, int optname, int forced, int request,
		      int *effective)
{
	socklen_t len = sizeof(*effective);

	if (request > 0 && mc_setopt_int(fd, SOL_SOCKET, forced, request) < 0 &&
	    mc_setopt_int(fd, SOL_SOCKET, optname, request) < 0)
		return -errno;
	if (getsockopt(fd, SOL_SOCKET, optname, effective, &len) < 0)
		return -errno;
	return 0;
}

static struct mcast *mc_handle_new(const struct mcast_opts *opts)
{
	struct mcast *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	mcast_opts_init(&m->opts);
	if (opts)
		mc_copy_sized(&m->opts, opts, opts->size);
	m->fd = -1;
	m->epfd = -1;
	m->reply.fd = -1;
	m->watch.fd = -1;
	return m;
}

/* Close a handle that failed to open, leaving its message for the caller. */
int mc_open_failed(struct mcast *m, const struct mcast_opts *opts, int rc)
{
	if (opts && MC_HAS(opts, errlen) && opts->errbuf && opts->errlen)
		snprintf(opts->errbuf, opts->errlen, "%s", m->errmsg);
	mcast_close(m);
	return rc;
}

/* Resolve opts.iface once per handle; m->iface.index stays 0 without one. */
static int mc_resolve_iface(struct mcast *m)
{
	int rc;

	if (!m->opts.iface || !*m->opts.iface)
		return 0;
	rc = mcast_iface_lookup(m->opts.iface, &m->iface);
	if (rc < 0)
		return mc_fail(m, rc, "find interface %s", m->opts.iface);
	return 0;
}

int mc_sender_new(struct mcast **mp, const struct mcast_opts *opts)
{
	struct mcast *m = mc_handle_new(opts);
	int rc;

	*mp = NULL;
	if (!m)
		return -ENOMEM;
	m->is_sender = true;
	m->ttl = m->opts.ttl < 0 ? 1 : m->opts.ttl;
	if (m->ttl > 255)
		rc = mc_fail(m, -EINVAL, "TTL %d is above 255", m->ttl);
	else if ((rc = mc_resolve_iface(m)) >= 0)
		*mp = m;
	return rc < 0 ? mc_open_failed(m, opts, rc) : 0;
}

/* Send multicast out of ifindex (0: leave it to the route). */
static int set_mcast_if(int fd, int family, unsigned ifindex)
{
	struct ip_mreqn mr = { .imr_ifindex = (int)ifindex };

	if (!ifindex)
		return 0;
	if (family == AF_INET6)
		return mc_setopt_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF,
				     (int)ifindex);
	return setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mr, sizeof(mr)) < 0
		       ? -errno
		       : 0;
}

/* The interface a sender was told to use: --iface, else an IPv6 group's
 * zone; 0 leaves it to the route. */
static unsigned sender_ifindex(const struct mcast *m)
{
	if (m->opts.iface && *m->opts.iface && m->iface.index)
		return m->iface.index;
	if (m->group.ss_family == AF_INET6)
		return ((const struct sockaddr_in6 *)&m->group)->sin6_scope_id;
	return 0;
}

/* Pick the outgoing interface and TTL for the sender's socket. */
int mc_sender_mcast_opts(struct mcast *m, int family, unsigned ifindex)
{
	int v6 = family == AF_INET6;
	int rc = 0;

	if ((rc = set_mcast_if(m->fd, family, ifindex)) < 0)
		return mc_fail(m, rc, "set multicast interface %s",
			       m->iface.name);
	rc = mc_setopt_int(m->fd, v6 ? IPPROTO_IPV6 : IPPROTO_IP,
			   v6 ? IPV6_MULTICAST_HOPS : IP_MULTICAST_TTL, m->ttl);
	if (rc < 0)
		return mc_fail(m, rc, "set %s %d", v6 ? "hop limit" : "TTL",
			       m->ttl);
	/* A sender that also answers by unicast (MCAST_OPT_REPLIES) gives
	 * those datagrams the same TTL, so a ping's two paths match. */
	if ((m->opts.flags & MCAST_OPT_REPLIES) && m->ttl > 0) {
		rc = mc_setopt_int(m->fd, v6 ? IPPROTO_IPV6 : IPPROTO_IP,
				   v6 ? IPV6_UNICAST_HOPS : IP_TTL, m->ttl);
		if (rc < 0)
			return mc_fail(m, rc, "set unicast TTL %d", m->ttl);
	}
	if (m->opts.loop >= 0) {
		rc = mc_setopt_int(m->fd, v6 ? IPPROTO_IPV6 : IPPROTO_IP,
				   v6 ? IPV6_MULTICAST_LOOP : IP_MULTICAST_LOOP,
				   m->opts.loop ? 1 : 0);
		if (rc < 0)
			return mc_fail(m, rc, "set multicast loopback");
	}
	return 0;
}

/* Bind the sender's source address/port; ":PORT" adapts to the family. */
int mc_sender_bind(struct mcast *m, int family)
{
	struct sockaddr_storage b = m->opts.bind;
	int rc;

	if (b.ss_family == AF_UNSPEC)
		return 0;
	if (b.ss_family == AF_INET && family == AF_INET6 &&
	    mc_sin(&b)->sin_addr.s_addr == htonl(INADDR_ANY)) {
		unsigned port = mc_sin(&b)->sin_port;

		memset(&b, 0, sizeof(b));
		mc_sin6(&b)->sin6_family = AF_INET6;
		mc_sin6(&b)->sin6_port = (in_port_t)port;
	}
	if (b.ss_family != family)
		return mc_fail(m, MCAST_EFAMILY,
			       "bind: address family differs from the group's");
	/* Several senders may share a source port, as receivers share;
	 * one that listens (a tunnel's far end) must have it alone. */
	if (!(m->opts.flags & MCAST_OPT_NO_REUSEADDR))
		mc_setopt_int(m->fd, SOL_SOCKET, SO_REUSEADDR, 1);
	if (bind(m->fd, (struct sockaddr *)&b,
		 mcast_addr_len((struct sockaddr *)&b)) < 0) {
		char text[MCAST_ADDRSTRLEN];

		rc = -errno;
		mcast_addr_format((struct sockaddr *)&b,
				  MCAST_FMT_PORT | MCAST_FMT_SCOPE, text,
				  sizeof(text));
		return mc_fail(m, rc, "bind %s", text);
	}
	return 0;
}

static bool addr_is_any(const struct sockaddr_storage *a)
{
	if (a->ss_family == AF_INET6)
		return IN6_IS_ADDR_UNSPECIFIED(
			&((const struct sockaddr_in6 *)a)->sin6_addr);
	return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
	       htonl(INADDR_ANY);
}

/*
 * The kernel's source address for the group, as its route picks it now:
 * connecting a throwaway socket with the sender's interface and bound
 * address asks the route without sending anything.  The sender's own
 * socket is never connected when it must hear unicast replies: a
 * connected UDP socket accepts datagrams only from its peer, and undoing
 * that with an AF_UNSPEC connect does not work for IPv6 (Linux's
 * __udp_disconnect clears the IPv4 peer but leaves sk_v6_daddr, and the
 * UDPv6 socket lookup still demands it as the source: every unicast reply
 * was refused with ICMPv6 port unreachable).  Nor does it keep a port
 * bound to 0 (no SOCK_BINDPORT_LOCK): the next send took another one.
 */
static int route_source(struct mcast *m)
{
	int family = m->group.ss_family;
	struct sockaddr_storage own, probe;
	socklen_t len = sizeof(own);
	int fd, rc = 0;

	if (getsockname(m->fd, (struct sockaddr *)&own, &len) < 0)
		return mc_fail(m, -errno, "read the local address");
	fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP);
	if (fd < 0)
		return mc_fail(m, -errno, "create socket");
	probe = own;
	if (family == AF_INET6)
		mc_sin6(&probe)->sin6_port = 0;
	else
		mc_sin(&probe)->sin_port = 0;
	/* A --bind address is the source whatever the route says. */
	if (!addr_is_any(&own) &&
	    bind(fd, (struct sockaddr *)&probe,
		 mcast_addr_len((struct sockaddr *)&probe)) < 0)
		rc = mc_fail(m, -errno, "bind a route probe");
	else if ((rc = set_mcast_if(fd, family, sender_ifindex(m))) < 0)
		rc = mc_fail(m, rc, "set multicast interface %s",
			     m->iface.name);
	else if (connect(fd, (struct sockaddr *)&m->group,
			 mcast_addr_len((struct sockaddr *)&m->group)) < 0)
		rc = mc_fail(m, -errno, "route lookup for the group");
	len = sizeof(m->local);
	if (rc == 0 && getsockname(fd, (struct sockaddr *)&m->local, &len) < 0)
		rc = mc_fail(m, -errno, "read the local address");
	close(fd);
	if (rc < 0)
		return rc;
	if (family == AF_INET6)
		mc_sin6(&m->local)->sin6_port = mc_sin6(&own)->sin6_port;
	else
		mc_sin(&m->local)->sin_port = mc_sin(&own)->sin_port;
	return 0;
}

/*
 * Connecting fixes the route, so the kernel's source address and interface
 * are known now, not at the first send.  A sender that must also hear
 * unicast replies binds a port and stays unconnected (see route_source).
 */
static int sender_connect(struct mcast *m, int family)
{
	struct sockaddr_storage any;
	socklen_t len = sizeof(m->local);
	int rc;

	if (!(m->opts.flags & MCAST_OPT_REPLIES)) {
		if (connect(m->fd, (struct sockaddr *)&m->group,
			    mcast_addr_len((struct sockaddr *)&m->group)) < 0)
			return mc_fail(m, -errno, "route lookup for the group");
		if (getsockname(m->fd, (struct sockaddr *)&m->local, &len) < 0)
			return mc_fail(m, -errno, "read the local address");
		return 0;
	}
	if (m->opts.bind.ss_family == AF_UNSPEC) {
		memset(&any, 0, sizeof(any));
		any.ss_family = (sa_family_t)family;
		if (bind(m->fd, (struct sockaddr *)&any,
			 mcast_addr_len((struct sockaddr *)&any)) < 0)
			return mc_fail(m, -errno, "bind a reply port");
	}
	if ((rc = route_source(m)) < 0)
		return rc;
	if ((rc = mc_want_metadata(m->fd, family, m->opts.meta)) < 0)
		return mc_fail(m, rc, "ask for reply metadata");
	if (m->opts.flags & MCAST_OPT_BUSY_POLL)
		mc_busy_poll_socket(m, m->fd);
	m->reply.fd = m->fd;
	m->reply.family = family;
	m->reply.port = mcast_addr_port((struct sockaddr *)&m->local);
	return 0;
}

int mcast_sender_open(mcast_t **mp, const struct sockaddr *group,
		      const struct mcast_opts *opts)
{
	struct mcast *m;
	unsigned ifindex;
	int family, rc;

	if (!mp)
		return -EINVAL;
	*mp = NULL;
	if (!group || !mcast_addr_is_multicast(group))
		return group ? MCAST_ENOTMCAST : -EINVAL;
	if ((rc = mc_sender_new(&m, opts)) < 0)
		return rc;
	family = group->sa_family;
	memcpy(&m->group, group, mcast_addr_len(group));
	ifindex = m->iface.index;
	if (family == AF_INET6) {
		struct sockaddr_in6 *g6 = mc_sin6(&m->group);

		if (g6->sin6_scope_id && !ifindex)
			ifindex = g6->sin6_scope_id;
		if (!g6->sin6_scope_id && mcast_addr_needs_iface(group))
			g6->sin6_scope_id = ifindex;
		if (mcast_addr_needs_iface(group) && !g6->sin6_scope_id) {
			rc = mc_fail(m, MCAST_ENEEDIFACE,
				     "send to a link-local scope group");
			goto fail;
		}
		if (ifindex && !m->iface.index &&
		    (rc = mcast_iface_by_index(ifindex, &m->iface)) < 0)
			goto fail;
	}

	m->fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP);
	if (m->fd < 0) {
		rc = mc_fail(m, -errno, "create socket");
		goto fail;
	}
	if ((rc = mc_sender_bind(m, family)) < 0 ||
	    (rc = mc_sender_mcast_opts(m, family, ifindex)) < 0)
		goto fail;
	rc = mc_socket_buffers(m->fd, SO_SNDBUF, SO_SNDBUFFORCE, m->opts.sndbuf,
			       &m->sndbuf_effective);
	if (rc < 0) {
		mc_fail(m, rc, "set send buffer");
		goto fail;
	}
	if (m->opts.sndbuf > 0 && m->sndbuf_effective / 2 < m->opts.sndbuf)
		m->warnings |= MCAST_WARN_SNDBUF_CLAMPED;

	if ((rc = sender_connect(m, family)) < 0)
		goto fail;
	if (m->opts.flags & MCAST_OPT_GSO) {
		m->gso = mc_gso_probe(m->fd) == 0;
		if (!m->gso)
			m->warnings |= MCAST_WARN_GSO_OFF;
	}
	if (family == AF_INET &&
	    mc_sin(&m->local)->sin_addr.s_addr == htonl(INADDR_ANY))
		m->warnings |= MCAST_WARN_UNSPEC_SOURCE;
	if (!m->iface.index) {
		rc = mcast_route_iface((struct sockaddr *)&m->group);
		if (rc > 0)
			mcast_iface_by_index((unsigned)rc, &m->iface);
	}
	*mp = m;
	return 0;
fail:
	return mc_open_failed(m, opts, rc);
}

int mcast_sender_refresh(mcast_t *m)
{
	struct mcast_iface ifc;
	socklen_t len = sizeof(m->local);
	int family, rc;

	if (!m)
		return -EINVAL;
	if (!m->is_sender)
		return mc_fail(m, MCAST_EROLE, "refresh a receiver");
	/* A unicast handle (mcast_unicast_open()) has no group. */
	family = m->group.ss_family != AF_UNSPEC ? m->group.ss_family
						 : m->reply.family;
	if (m->opts.iface && *m->opts.iface) {
		rc = mcast_iface_lookup(m->opts.iface, &ifc);
		if (rc < 0)
			return mc_fail(m, rc, "find interface %s",
				       m->opts.iface);
		if (family == AF_INET6 &&
		    mc_sin6(&m->group)->sin6_scope_id == m->iface.index)
			mc_sin6(&m->group)->sin6_scope_id = ifc.index;
		m->iface = ifc;
		if ((rc = mc_sender_mcast_opts(m, family, ifc.index)) < 0)
			return rc;
	}
	if (m->group.ss_family == AF_UNSPEC)
		return 0;
	/* Connecting again routes afresh, and so picks the source anew. */
	if (m->reply.fd >= 0)
		return route_source(m);
	if (connect(m->fd, (struct sockaddr *)&m->group,
		    mcast_addr_len((struct sockaddr *)&m->group)) < 0)
		return mc_fail(m, -errno, "route lookup for the group");
	getsockname(m->fd, (struct sockaddr *)&m->local, &len);
	return 0;
}

int mcast_receiver_open(mcast_t **mp, const struct mcast_opts *opts)
{
	struct mcast *m;
	int rc;

	if (!mp)
		return -EINVAL;
	*mp = NULL;
	if (!(m = mc_handle_new(opts)))
		return -ENOMEM;
	if ((rc = mc_resolve_iface(m)) < 0)
		goto fail;
	m->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (m->epfd < 0) {
		rc = mc_fail(m, -errno, "create epoll fd");
		goto fail;
	}
	if (m->opts.flags & MCAST_OPT_BUSY_POLL)
		m->busy_poll = 1;
	if ((m->opts.flags & MCAST_OPT_WATCH) && (rc = mc_watch_init(m)) < 0) {
		mc_fail(m, rc, "watch link events (rtnetlink)");
		goto fail;
	}
	if ((m->opts.flags & MCAST_OPT_GRO) && (rc = mc_gro_init(m)) < 0) {
		mc_fail(m, rc, "set up coalesced receive");
		goto fail;
	}
	*mp = m;
	return 0;
fail:
	return mc_open_failed(m, opts, rc);
}

/*
 * What the kernel dropped at this socket (a full receive buffer, mostly),
 * read when asked (SO_MEMINFO) rather than with every datagram
 * (SO_RXQ_OVFL): once the first drop happened, that one puts a control
 * message on every datagram after it, which slows an overloaded receiver
 * further.  This one also sees drops after the last datagram received.
 */
static uint64_t mc_socket_drops(int fd)
{
	uint32_t mem[SK_MEMINFO_VARS] = { 0 };
	socklen_t len = sizeof(mem);

	if (getsockopt(fd, SOL_SOCKET, SO_MEMINFO, mem, &len) < 0 ||
	    len <= SK_MEMINFO_DROPS * sizeof(mem[0]))
		return 0;
	return mem[SK_MEMINFO_DROPS];
}

int mcast_fd(const mcast_t *m)
{
	int rc;

	if (!m)
		return -EINVAL;
	if (m->is_sender)
		return m->fd;
	/* The caller will wait on the epoll fd: its sockets must be in it
	 * (mc_epoll_sockets() says why they are not from the start).  The
	 * handle changes, but not in any way a caller can see. */
	if (!m->epoll_sockets &&
	    (rc = mc_epoll_sockets((struct mcast *)(uintptr_t)m)) < 0)
		return rc;
	return m->epfd;
}

void mcast_info_init(struct mcast_info *info)
{
	if (!info)
		return;
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
}

int mcast_get_info(const mcast_t *m, struct mcast_info *info)
{
	struct mcast_info i;

	if (!m || !info || info->size < sizeof(size_t))
		return -EINVAL;
	memset(&i, 0, sizeof(i));
	i.size = sizeof(i);
	i.is_sender = m->is_sender;
	i.iface = m->iface;
	i.warnings = m->warnings;
	i.busy_poll = m->busy_poll;
	if (m->is_sender) {
		i.local = m->local;
		i.group = m->group;
		i.ttl = m->ttl;
		i.sndbuf_requested = m->opts.sndbuf;
		i.sndbuf_effective = m->sndbuf_effective;
	} else {
		i.rcvbuf_requested = m->opts.rcvbuf;
		i.rcvbuf_effective = m->rcvbuf_effective;
		i.ngroups = m->ngroups;
		i.nsockets = m->nsocks;
		for (unsigned k = 0; k < m->nsocks; k++)
			i.kernel_drops += mc_socket_drops(m->socks[k].fd);
	}
	/* Unlike the other getters, the size member says how much was filled. */
	info->size = mc_copy_sized(info, &i, sizeof(i));
	return 0;
}

int mcast_get_socket(const mcast_t *m, unsigned i,
		     struct mcast_socket_info *out)
{
	struct mcast_socket_info s;

	if (!m || !out || out->size < sizeof(size_t) || m->is_sender)
		return -EINVAL;
	if (i >= m->nsocks)
		return -ERANGE;
	memset(&s, 0, sizeof(s));
	s.size = sizeof(s);
	s.family = m->socks[i].family;
	s.port = m->socks[i].port;
	for (unsigned k = 0; k < m->ngroups; k++)
		if (m->groups[k].sock == i)
			s.ngroups++;
	s.kernel_drops = mc_socket_drops(m->socks[i].fd);
	out->size = mc_copy_sized(out, &s, sizeof(s));
	return 0;
}

void mcast_close(mcast_t *m)
{
	if (!m)
		return;
	mc_receiver_free(m);
	if (m->fd >= 0)
		close(m->fd);
	if (m->epfd >= 0)
		close(m->epfd);
	mc_gro_free(m);
	mc_watch_free(m);
	free(m);
}
