/* SPDX-License-Identifier: MIT */
/*
 * A handle with no group: a UDP socket bound to any unicast address that
 * sends wherever each datagram says and reads what is sent to it.  A relay
 * tunnel's ends need exactly this; a sender opened for a placeholder group
 * cannot be it, because opening one asks the route to that group from the
 * bound address, which fails for a loopback address (EINVAL).
 */
#include "mc_internal.h"

#include <errno.h>
#include <sys/socket.h>

/* Bind the wildcard of family and a free port: there is no group port. */
static int bind_any(struct mcast *m, int family)
{
	struct sockaddr_storage any;

	memset(&any, 0, sizeof(any));
	any.ss_family = (sa_family_t)family;
	if (bind(m->fd, (struct sockaddr *)&any,
		 mcast_addr_len((struct sockaddr *)&any)) < 0)
		return mc_fail(m, -errno, "bind a port");
	return 0;
}

int mcast_unicast_open(mcast_t **mp, int family, const struct mcast_opts *opts)
{
	struct mcast *m;
	socklen_t len;
	int rc, unused;

	if (!mp)
		return -EINVAL;
	*mp = NULL;
	if (family != AF_INET && family != AF_INET6)
		return MCAST_EFAMILY;
	if ((rc = mc_sender_new(&m, opts)) < 0)
		return rc;
	/* It hears what is sent to it, as a sender with replies does; the
	 * flag also gives unicast datagrams the handle's TTL. */
	m->opts.flags |= MCAST_OPT_REPLIES;
	m->fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP);
	if (m->fd < 0) {
		rc = mc_fail(m, -errno, "create socket");
		goto fail;
	}
	if ((rc = m->opts.bind.ss_family == AF_UNSPEC
			  ? bind_any(m, family)
			  : mc_sender_bind(m, family)) < 0 ||
	    (rc = mc_sender_mcast_opts(m, family, m->iface.index)) < 0)
		goto fail;
	if ((rc = mc_socket_buffers(m->fd, SO_SNDBUF, SO_SNDBUFFORCE,
				    m->opts.sndbuf, &m->sndbuf_effective)) <
		    0 ||
	    (rc = mc_socket_buffers(m->fd, SO_RCVBUF, SO_RCVBUFFORCE,
				    m->opts.rcvbuf, &unused)) < 0) {
		mc_fail(m, rc, "set socket buffers");
		goto fail;
	}
	len = sizeof(m->local);
	if (getsockname(m->fd, (struct sockaddr *)&m->local, &len) < 0) {
		rc = mc_fail(m, -errno, "read the local address");
		goto fail;
	}
	if ((rc = mc_want_metadata(m->fd, family, m->opts.meta)) < 0) {
		mc_fail(m, rc, "ask for metadata");
		goto fail;
	}
	m->reply.fd = m->fd;
	m->reply.family = family;
	m->reply.port = mcast_addr_port((struct sockaddr *)&m->local);
	*mp = m;
	return 0;
fail:
	return mc_open_failed(m, opts, rc);
}
