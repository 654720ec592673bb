/* SPDX-License-Identifier: MIT */
/*
 * Receiver sockets and group memberships.  A socket serves the groups of
 * one (family, port), as many as the kernel lets one socket join; more
 * sockets open as needed.  Every membership goes through the
 * protocol-independent RFC 3678 options, so IPv4 and IPv6, any-source and
 * source-specific all take one path.
 */
#include "mc_internal.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
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

/* Room for one more element in a growing array; 0 or -ENOMEM. */
static int grow(void **arr, unsigned *cap, unsigned used, size_t elem)
{
	unsigned want = *cap ? *cap * 2 : 4;
	void *p;

	if (used < *cap)
		return 0;
	if (want < *cap || (size_t)want > SIZE_MAX / elem)
		return -ENOMEM;
	if (!(p = realloc(*arr, (size_t)want * elem)))
		return -ENOMEM;
	*arr = p;
	*cap = want;
	return 0;
}

/* A new socket for (family, port), appended to the handle's sockets;
 * returns its index. */
static int open_socket(struct mcast *m, int family, unsigned port)
{
	struct sockaddr_storage any;
	int fd, rc, want;

	if (grow((void **)&m->socks, &m->socks_cap, m->nsocks,
		 sizeof(*m->socks)) < 0)
		return mc_fail(m, -ENOMEM, "open socket for port %u", port);
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
	 * every datagram, as the tutorial's client allows - and lets this
	 * handle open more sockets on a port whose first one is full. */
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
	m->socks[m->nsocks] =
		(struct mc_sock){ .fd = fd, .family = family, .port = port };
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

/* The socket that takes the next group of (family, port): the newest one
 * the kernel has not called full, or a new one.  *opened says which. */
static int port_socket(struct mcast *m, int family, unsigned port, bool *opened)
{
	*opened = false;
	for (unsigned i = m->nsocks; i-- > 0;) {
		const struct mc_sock *s = &m->socks[i];

		if (s->family == family && s->port == port && !s->full)
			return (int)i;
	}
	*opened = true;
	return open_socket(m, family, port);
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

/*
 * Join a group's memberships on one socket, all or nothing: a group is
 * either fully joined or not at all.  *first says the kernel refused the
 * group's first membership, when nothing needs undoing.
 */
static int join_on(const struct mc_sock *s, unsigned ifindex,
		   const struct sockaddr *group,
		   const struct sockaddr_storage *sources, size_t nsources,
		   bool *first)
{
	for (size_t i = 0; i == 0 || i < nsources; i++) {
		int rc = membership(s->fd, s->family, ifindex, group,
				    nsources ? &sources[i] : NULL, true);

		*first = i == 0;
		if (rc == 0)
			continue;
		if (i > 0) {
			/* Leaving the group drops the sources added. */
			struct group_req gr = { .gr_interface = ifindex };

			memcpy(&gr.gr_group, group, mcast_addr_len(group));
			setsockopt(s->fd,
				   s->family == AF_INET ? IPPROTO_IP
							: IPPROTO_IPV6,
				   MCAST_LEAVE_GROUP, &gr, sizeof(gr));
		}
		return rc;
	}
	return 0;
}

int mc_group_join(struct mcast *m, const struct mc_group *g)
{
	bool first;

	return join_on(&m->socks[g->sock], g->ifindex,
		       (const struct sockaddr *)&g->addr, g->sources,
		       g->nsources, &first);
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

		/* The group's own slot on its socket was just given back,
		 * so the socket's membership limit cannot refuse it. */
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

/*
 * Find a socket that takes the group and join it there.  The kernel caps
 * the groups one socket may join (igmp_max_memberships, 20 by default;
 * for IPv6 the socket's option memory, optmem_max): when it refuses a
 * socket its next group (ENOBUFS, ENOMEM), that socket is full and the
 * group goes to a new socket on the same port.  Each socket receives only
 * its own groups (IP_MULTICAST_ALL off), so a datagram still arrives once.
 */
static int join_somewhere(struct mcast *m, const struct sockaddr *group,
			  const struct sockaddr_storage *sources,
			  size_t nsources, unsigned ifindex)
{
	int family = group->sa_family;

	/* The group again (more sources, or a mistake) goes to the socket
	 * that has it, for the kernel to add to or refuse (EADDRINUSE). */
	for (unsigned i = 0; i < m->ngroups; i++) {
		const struct mc_group *g = &m->groups[i];
		bool first;
		int rc;

		if (g->ifindex != ifindex ||
		    !mcast_addr_same((const struct sockaddr *)&g->addr, group,
				     1))
			continue;
		rc = join_on(&m->socks[g->sock], ifindex, group, sources,
			     nsources, &first);
		return rc < 0 ? rc : (int)g->sock;
	}
	for (;;) {
		bool opened, first;
		int si =
			port_socket(m, family, mcast_addr_port(group), &opened);
		int rc;

		if (si < 0)
			return si;
		rc = join_on(&m->socks[si], ifindex, group, sources, nsources,
			     &first);
		if (rc == 0)
			return si;
		/* Every socket that was open holds a group: it is full, and
		 * a new one is worth trying.  A new one refused is an error. */
		if (first && !opened && (rc == -ENOBUFS || rc == -ENOMEM)) {
			m->socks[si].full = true;
			continue;
		}
		/* A socket opened for this join alone goes too. */
		if (opened)
			drop_socket(m, (unsigned)si);
		return rc;
	}
}

int mcast_join(mcast_t *m, const struct sockaddr *group,
	       const struct sockaddr_storage *sources, size_t nsources)
{
	char text[MCAST_ADDRSTRLEN];
	struct sockaddr_storage *copy = NULL;
	struct mc_group *g;
	unsigned ifindex;
	int family, si;

	if (!m || !group || (nsources && !sources))
		return -EINVAL;
	if (m->is_sender)
		return mc_fail(m, MCAST_EROLE, "join on a sender");
	mcast_addr_format(group, MCAST_FMT_PORT | MCAST_FMT_SCOPE, text,
			  sizeof(text));
	if (!mcast_addr_is_multicast(group))
		return mc_fail(m, MCAST_ENOTMCAST, "join %s", text);
	family = group->sa_family;
	if (nsources > MCAST_MAX_SOURCES)
		return mc_fail(m, MCAST_ELIMIT, "join %s", text);
	for (size_t i = 0; i < nsources; i++)
		if (sources[i].ss_family != family)
			return mc_fail(m, MCAST_EFAMILY, "join %s: source",
				       text);
	ifindex = join_ifindex(m, group);
	if (mcast_addr_needs_iface(group) && !ifindex)
		return mc_fail(m, MCAST_ENEEDIFACE, "join %s", text);
	/* Memory first, so a join the kernel made never needs undoing. */
	if (grow((void **)&m->groups, &m->groups_cap, m->ngroups,
		 sizeof(*m->groups)) < 0 ||
	    (nsources && !(copy = malloc(nsources * sizeof(*sources)))))
		return mc_fail(m, -ENOMEM, "join %s", text);
	si = join_somewhere(m, group, sources, nsources, ifindex);
	if (si < 0) {
		free(copy);
		return mc_fail(m, si, "join %s", text);
	}
	g = &m->groups[m->ngroups++];
	memset(g, 0, sizeof(*g));
	memcpy(&g->addr, group, mcast_addr_len(group));
	if (nsources)
		memcpy(copy, sources, nsources * sizeof(*sources));
	g->sources = copy;
	g->nsources = (unsigned)nsources;
	g->ifindex = ifindex;
	g->sock = (unsigned)si;
	if (mcast_addr_is_ssm(group) && nsources == 0)
		m->warnings |= MCAST_WARN_SSM_NO_SOURCE;
	return 0;
}

/*
 * A long-running receiver (mcast monitor re-reading its group file)
 * drops groups without closing the handle.  The socket stays open, as
 * sockets only shrink at close, but its slot is free again: it is no
 * longer full.  Groups keep their order, which is the order of the joins.
 */
int mcast_leave(mcast_t *m, const struct sockaddr *group)
{
	char text[MCAST_ADDRSTRLEN];

	if (!m || !group)
		return -EINVAL;
	if (m->is_sender)
		return mc_fail(m, MCAST_EROLE, "leave on a sender");
	mcast_addr_format(group, MCAST_FMT_PORT | MCAST_FMT_SCOPE, text,
			  sizeof(text));
	for (unsigned i = 0; i < m->ngroups; i++) {
		struct mc_group *g = &m->groups[i];
		int rc;

		if (!mcast_addr_same((const struct sockaddr *)&g->addr, group,
				     1))
			continue;
		rc = mc_group_leave(m, g);
		m->socks[g->sock].full = false;
		free(g->sources);
		memmove(g, g + 1, (m->ngroups - i - 1) * sizeof(*g));
		m->ngroups--;
		/* Gone from the handle either way: the kernel's refusal
		 * (the interface went away, say) leaves nothing to retry. */
		return rc < 0 ? mc_fail(m, rc, "leave %s", text) : 0;
	}
	return mc_fail(m, -ENOENT, "leave %s", text);
}

void mc_receiver_free(struct mcast *m)
{
	/* Closing a socket drops its memberships in the kernel, which sends
	 * the IGMP/MLD leave for groups no other local socket holds. */
	for (unsigned i = 0; i < m->nsocks; i++)
		close(m->socks[i].fd);
	for (unsigned i = 0; i < m->ngroups; i++)
		free(m->groups[i].sources);
	free(m->socks);
	free(m->groups);
	m->socks = NULL;
	m->groups = NULL;
	m->nsocks = m->ngroups = 0;
}
