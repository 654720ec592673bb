/* SPDX-License-Identifier: MIT */
/*
 * Receiver sockets and group memberships.  One socket serves each
 * (family, port); every membership goes through the protocol-independent
 * RFC 3678 options, so IPv4 and IPv6, any-source and source-specific all
 * take one path.
 */
#include "mc_internal.h"

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#ifndef IP_MULTICAST_ALL
#define IP_MULTICAST_ALL 49
#endif
#ifndef IPV6_MULTICAST_ALL
#define IPV6_MULTICAST_ALL 29
#endif

/* Ask for the metadata each datagram should carry: destination group and
 * interface (pktinfo), received TTL / hop limit, kernel timestamp. */
int mc_want_metadata(int fd, int family, unsigned want)
{
	bool v4 = family == AF_INET;
	int rc = 0;

	if (want & MCAST_META_DST)
		rc = v4 ? mc_setopt_int(fd, IPPROTO_IP, IP_PKTINFO, 1)
			: mc_setopt_int(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1);
	if (rc == 0 && (want & MCAST_META_TTL))
		rc = v4 ? mc_setopt_int(fd, IPPROTO_IP, IP_RECVTTL, 1)
			: mc_setopt_int(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1);
	if (rc == 0 && (want & MCAST_META_TS))
		rc = mc_setopt_int(fd, SOL_SOCKET, SO_TIMESTAMPNS, 1);
	return rc;
}

/*
 * Without IP_MULTICAST_ALL=0 Linux hands a socket bound to the wildcard
 * every group any socket on the host joined on its port - the classic
 * "my receiver sees the other feed" surprise.  The IPv4 switch lives at
 * IPPROTO_IP even on an IPv6 socket, so set both there.
 */
static int only_joined_groups(int fd, int family)
{
	int rc = mc_setopt_int(fd, IPPROTO_IP, IP_MULTICAST_ALL, 0);

	if (family == AF_INET6) {
		/* The IPv6 switch exists since Linux 4.20. */
		int rc6 =
			mc_setopt_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_ALL, 0);
		if (rc6 < 0 && rc6 != -ENOPROTOOPT)
			return rc6;
		/* A v6-only socket may refuse the IPv4 option: harmless. */
		if (rc < 0)
			rc = 0;
	}
	return rc;
}

int mc_receiver_socket(struct mcast *m, int family, unsigned port)
{
	struct sockaddr_storage any;
	struct mc_sock *s;
	int fd, rc, want;

	for (unsigned i = 0; i < m->nsocks; i++)
		if (m->socks[i].family == family && m->socks[i].port == port)
			return (int)i;
	if (m->nsocks == MC_MAX_SOCKETS)
		return mc_fail(m, MCAST_ELIMIT, "open socket for port %u",
			       port);

	/* Blocking, so mcast_recv_batch() can wait inside recvmmsg() (see
	 * wait_socket() in io.c); every other read passes MSG_DONTWAIT. */
	fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP);
	if (fd < 0)
		return mc_fail(m, -errno, "create socket");
	memset(&any, 0, sizeof(any));
	if (family == AF_INET) {
		mc_sin(&any)->sin_family = AF_INET;
		mc_sin(&any)->sin_port = htons((uint16_t)port);
	} else {
		mc_sin6(&any)->sin6_family = AF_INET6;
		mc_sin6(&any)->sin6_port = htons((uint16_t)port);
		/* IPv4 groups get their own socket, so keep this one to v6. */
		if ((rc = mc_setopt_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1)) < 0)
			goto fail_step;
	}
	/* SO_REUSEADDR on a multicast port lets every local receiver get
	 * every datagram, as the tutorial's client allows. */
	if (!(m->opts.flags & MCAST_OPT_NO_REUSEADDR) &&
	    (rc = mc_setopt_int(fd, SOL_SOCKET, SO_REUSEADDR, 1)) < 0)
		goto fail_step;
	if ((rc = only_joined_groups(fd, family)) < 0 ||
	    (rc = mc_want_metadata(fd, family, m->opts.meta)) < 0 ||
	    (m->gro && (rc = mc_gro_socket(m, fd)) < 0))
		goto fail_step;
	if (m->opts.flags & MCAST_OPT_BUSY_POLL)
		mc_busy_poll_socket(m, fd);
	rc = mc_socket_buffers(fd, SO_RCVBUF, SO_RCVBUFFORCE, m->opts.rcvbuf,
			       &want);
	if (rc < 0)
		goto fail_step;
	if (m->rcvbuf_effective == 0 || want < m->rcvbuf_effective)
		m->rcvbuf_effective = want;
	/* The kernel reports twice what it grants (bookkeeping overhead). */
	if (m->opts.rcvbuf > 0 && want / 2 < m->opts.rcvbuf)
		m->warnings |= MCAST_WARN_RCVBUF_CLAMPED;
	if (bind(fd, (struct sockaddr *)&any,
		 mcast_addr_len((struct sockaddr *)&any)) < 0) {
		rc = -errno;
		close(fd);
		return mc_fail(m, rc, "bind port %u", port);
	}
	s = &m->socks[m->nsocks];
	*s = (struct mc_sock){ .fd = fd, .family = family, .port = port };
	m->nsocks++;
	if (m->epoll_sockets && (rc = mc_epoll_sockets(m)) < 0) {
		m->nsocks--;
		close(fd);
		return rc;
	}
	return (int)m->nsocks - 1;
fail_step:
	close(fd);
	return mc_fail(m, rc, "set socket options for port %u", port);
}

/*
 * Sockets join the epoll set only once something waits on it.  A socket
 * in an epoll set has the epoll callback on its wait queue for good, and
 * then every datagram queued to it takes the wake-up path (a lock with
 * interrupts off, the callback) on the sending side: about a tenth of
 * the sending core on lo at a million datagrams a second.  A lone socket
 * is waited on inside recvmmsg() instead (io.c).
 */
int mc_epoll_sockets(struct mcast *m)
{
	m->epoll_sockets = true;
	for (unsigned i = 0; i < m->nsocks; i++) {
		struct mc_sock *s = &m->socks[i];
		struct epoll_event ev = { .events = EPOLLIN, .data.u32 = i };

		if (s->in_epoll)
			continue;
		if (epoll_ctl(m->epfd, EPOLL_CTL_ADD, s->fd, &ev) < 0)
			return mc_fail(m, -errno, "add socket to epoll");
		s->in_epoll = true;
	}
	return 0;
}

/* Close the newest socket, which no membership uses yet. */
static void drop_socket(struct mcast *m, unsigned si)
{
	if (m->socks[si].in_epoll)
		epoll_ctl(m->epfd, EPOLL_CTL_DEL, m->socks[si].fd, NULL);
	close(m->socks[si].fd);
	m->nsocks--;
}

/* The interface a join goes to: %scope, else opts.iface, else 0 (route). */
static unsigned join_ifindex(const struct mcast *m, const struct sockaddr *g)
{
	if (g->sa_family == AF_INET6) {
		const struct sockaddr_in6 *g6 = (const void *)g;

		if (g6->sin6_scope_id)
			return g6->sin6_scope_id;
	}
	return m->iface.index;
}

/* Join (or leave) one (group, source) on one socket; RFC 3678 options. */
static int membership(int fd, int family, unsigned ifindex,
		      const struct sockaddr *group,
		      const struct sockaddr_storage *source, bool join)
{
	int level = family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6;
	socklen_t glen = mcast_addr_len(group);

	if (!source) {
		struct group_req gr = { .gr_interface = ifindex };

		memcpy(&gr.gr_group, group, glen);
		return setsockopt(fd, level,
				  join ? MCAST_JOIN_GROUP : MCAST_LEAVE_GROUP,
				  &gr, sizeof(gr)) < 0
			       ? -errno
			       : 0;
	}
	struct group_source_req gsr = { .gsr_interface = ifindex };

	memcpy(&gsr.gsr_group, group, glen);
	memcpy(&gsr.gsr_source, source,
	       mcast_addr_len((const struct sockaddr *)source));
	return setsockopt(fd, level,
			  join ? MCAST_JOIN_SOURCE_GROUP
			       : MCAST_LEAVE_SOURCE_GROUP,
			  &gsr, sizeof(gsr)) < 0
		       ? -errno
		       : 0;
}

int mc_group_leave(struct mcast *m, const struct mc_group *g)
{
	const struct mc_sock *s = &m->socks[g->sock];
	int rc = 0;

	/* Leaving the last source leaves the group: one call per source,
	 * or one for an any-source membership. */
	for (unsigned i = 0; i == 0 || i < g->nsources; i++) {
		int r = membership(s->fd, s->family, g->ifindex,
				   (const struct sockaddr *)&g->addr,
				   g->nsources ? &g->sources[i] : NULL, false);
		if (r < 0 && rc == 0)
			rc = r;
	}
	return rc;
}

int mc_group_join(struct mcast *m, const struct mc_group *g)
{
	const struct mc_sock *s = &m->socks[g->sock];

	for (unsigned i = 0; i == 0 || i < g->nsources; i++) {
		int rc = membership(s->fd, s->family, g->ifindex,
				    (const struct sockaddr *)&g->addr,
				    g->nsources ? &g->sources[i] : NULL, true);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int mcast_rejoin(mcast_t *m)
{
	int first = 0;

	if (!m)
		return -EINVAL;
	if (m->is_sender)
		return mc_fail(m, MCAST_EROLE, "rejoin on a sender");
	for (unsigned i = 0; i < m->ngroups; i++) {
		struct mc_group *g = &m->groups[i];
		char text[MCAST_ADDRSTRLEN];
		int rc = mc_group_leave(m, g);

		if (rc == 0)
			rc = mc_group_join(m, g);
		if (rc < 0 && first == 0) {
			mcast_addr_format((struct sockaddr *)&g->addr,
					  MCAST_FMT_PORT | MCAST_FMT_SCOPE,
					  text, sizeof(text));
			first = mc_fail(m, rc, "rejoin %s", text);
		}
	}
	return first;
}

int mcast_join(mcast_t *m, const struct sockaddr *group,
	       const struct sockaddr_storage *sources, size_t nsources)
{
	char text[MCAST_ADDRSTRLEN];
	struct mc_group *g;
	unsigned ifindex;
	int family, si, rc;

	if (!m || !group || (nsources && !sources))
		return -EINVAL;
	if (m->is_sender)
		return mc_fail(m, MCAST_EROLE, "join on a sender");
	mcast_addr_format(group, MCAST_FMT_PORT | MCAST_FMT_SCOPE, text,
			  sizeof(text));
	if (!mcast_addr_is_multicast(group))
		return mc_fail(m, MCAST_ENOTMCAST, "join %s", text);
	family = group->sa_family;
	if (m->ngroups == MC_MAX_GROUPS || nsources > MC_MAX_SOURCES)
		return mc_fail(m, MCAST_ELIMIT, "join %s", text);
	for (size_t i = 0; i < nsources; i++)
		if (sources[i].ss_family != family)
			return mc_fail(m, MCAST_EFAMILY, "join %s: source",
				       text);
	ifindex = join_ifindex(m, group);
	if (mcast_addr_needs_iface(group) && !ifindex)
		return mc_fail(m, MCAST_ENEEDIFACE, "join %s", text);

	unsigned had = m->nsocks;

	si = mc_receiver_socket(m, family, mcast_addr_port(group));
	if (si < 0)
		return si;
	for (size_t i = 0; i == 0 || i < nsources; i++) {
		rc = membership(m->socks[si].fd, family, ifindex, group,
				nsources ? &sources[i] : NULL, true);
		if (rc < 0) {
			/* Keep the handle consistent: a group is either fully
			 * joined or not at all, so drop what this call did. */
			struct group_req gr = { .gr_interface = ifindex };

			memcpy(&gr.gr_group, group, mcast_addr_len(group));
			if (i > 0)
				setsockopt(m->socks[si].fd,
					   family == AF_INET ? IPPROTO_IP
							     : IPPROTO_IPV6,
					   MCAST_LEAVE_GROUP, &gr, sizeof(gr));
			/* A socket opened for this join alone goes too. */
			if (m->nsocks > had)
				drop_socket(m, (unsigned)si);
			return mc_fail(m, rc, "join %s", text);
		}
	}
	g = &m->groups[m->ngroups++];
	memset(g, 0, sizeof(*g));
	memcpy(&g->addr, group, mcast_addr_len(group));
	if (nsources)
		memcpy(g->sources, sources, nsources * sizeof(*sources));
	g->nsources = (unsigned)nsources;
	g->ifindex = ifindex;
	g->sock = si;
	if (mcast_addr_is_ssm(group) && nsources == 0)
		m->warnings |= MCAST_WARN_SSM_NO_SOURCE;
	return 0;
}
