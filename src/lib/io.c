/* SPDX-License-Identifier: MIT */
/*
 * Sending and receiving in batches (sendmmsg / recvmmsg) with the metadata
 * the kernel attaches as control messages.  The single-datagram calls wrap
 * the batch calls, so there is one path to keep right.
 */
#include "mc_internal.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/uio.h>
#include <netinet/udp.h>

/* The TTL a datagram asks to be sent with (meta with MCAST_META_TTL and
 * a ttl of 1..255, as a relay passes on what it received), or 0. */
static int send_ttl(const struct mcast_dgram *d)
{
	const struct mcast_meta *mt = d->meta;

	if (!mt ||
	    mt->size < offsetof(struct mcast_meta, ttl) + sizeof(mt->ttl) ||
	    !(mt->flags & MCAST_META_TTL) || mt->ttl < 1 || mt->ttl > 255)
		return 0;
	return mt->ttl;
}

/* A control message setting this datagram's TTL or hop limit: the
 * kernel takes IP_TTL (Linux 4.x and later) and IPV6_HOPLIMIT on
 * sendmsg() in place of the socket's multicast TTL. */
static void put_ttl(struct msghdr *h, union mc_cmsg_buf *ctl, int family,
		    int ttl)
{
	struct cmsghdr *c;

	h->msg_control = ctl->buf;
	h->msg_controllen = CMSG_SPACE(sizeof(int));
	c = CMSG_FIRSTHDR(h);
	c->cmsg_level = family == AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IP;
	c->cmsg_type = family == AF_INET6 ? IPV6_HOPLIMIT : IP_TTL;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &ttl, sizeof(int));
}

static bool any_ttl(const struct mcast_dgram *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (send_ttl(&v[i]))
			return true;
	return false;
}

int mcast_send_batch(mcast_t *m, const struct mcast_dgram *v, size_t n)
{
	struct mmsghdr msgs[MC_BATCH_MAX];
	struct iovec iov[MC_BATCH_MAX];
	union mc_cmsg_buf ctl[MC_BATCH_MAX];
	size_t done = 0;

	if (!m || (n && !v))
		return -EINVAL;
	if (!m->is_sender)
		return mc_fail(m, MCAST_EROLE, "send on a receiver");
	/* A unicast handle has no group to send to by default. */
	if (m->group.ss_family == AF_UNSPEC)
		for (size_t i = 0; i < n; i++)
			if (!v[i].to)
				return mc_fail(m, -EDESTADDRREQ,
					       "send without a destination");
	/* A segmented buffer has one TTL for all its datagrams. */
	if (m->gso && n > 1 && !any_ttl(v, n)) {
		int rc = mc_send_gso(m, v, n);

		if (rc >= 0)
			return rc;
		/* Refusals of segmentation itself (a segment above the MTU,
		 * a device or path without it): go on without, for good. */
		if (rc != -EINVAL && rc != -EIO && rc != -EOPNOTSUPP &&
		    rc != -ENOPROTOOPT && rc != -EMSGSIZE)
			return mc_fail(m, rc, "send (segmented)");
		m->gso = false;
		m->warnings |= MCAST_WARN_GSO_OFF;
	}
	while (done < n) {
		size_t k = n - done < MC_BATCH_MAX ? n - done : MC_BATCH_MAX;
		int rc;

		memset(msgs, 0, k * sizeof(msgs[0]));
		for (size_t i = 0; i < k; i++) {
			const struct sockaddr *to = v[done + i].to;

			if (!to && m->reply.fd >= 0)
				to = (const struct sockaddr *)&m->group;
			iov[i].iov_base = v[done + i].buf;
			iov[i].iov_len = v[done + i].len;
			msgs[i].msg_hdr.msg_iov = &iov[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
			msgs[i].msg_hdr.msg_name = (void *)to;
			msgs[i].msg_hdr.msg_namelen = mcast_addr_len(to);
			if (send_ttl(&v[done + i]))
				put_ttl(&msgs[i].msg_hdr, &ctl[i],
					to ? to->sa_family : m->group.ss_family,
					send_ttl(&v[done + i]));
		}
		do {
			rc = sendmmsg(m->fd, msgs, (unsigned)k, 0);
		} while (rc < 0 && errno == EINTR);
		if (rc < 0) {
			rc = -errno;
			if (done)
				break;
			return mc_fail(m, rc, "send");
		}
		done += (size_t)rc;
		if ((size_t)rc < k)
			break;
	}
	return (int)done;
}

int mcast_send(mcast_t *m, const void *buf, size_t len)
{
	struct mcast_dgram d = { .buf = (void *)buf, .len = len };
	int rc = mcast_send_batch(m, &d, 1);

	return rc < 0 ? rc : (int)len;
}

int mc_parse_cmsgs(struct msghdr *h, struct mc_sock *s, struct mcast_meta *meta)
{
	int gso_size = 0;

	for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c; c = CMSG_NXTHDR(h, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;
			struct sockaddr_in *d = (void *)&meta->dst;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			d->sin_family = AF_INET;
			d->sin_addr = pi.ipi_addr;
			d->sin_port = htons((uint16_t)s->port);
			meta->ifindex = (unsigned)pi.ipi_ifindex;
			meta->flags |= MCAST_META_DST;
		} else if (c->cmsg_level == IPPROTO_IPV6 &&
			   c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;
			struct sockaddr_in6 *d = (void *)&meta->dst;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			d->sin6_family = AF_INET6;
			d->sin6_addr = pi.ipi6_addr;
			d->sin6_port = htons((uint16_t)s->port);
			if (IN6_IS_ADDR_MC_LINKLOCAL(&pi.ipi6_addr) ||
			    IN6_IS_ADDR_MC_NODELOCAL(&pi.ipi6_addr))
				d->sin6_scope_id = pi.ipi6_ifindex;
			meta->ifindex = pi.ipi6_ifindex;
			meta->flags |= MCAST_META_DST;
		} else if ((c->cmsg_level == IPPROTO_IP &&
			    c->cmsg_type == IP_TTL) ||
			   (c->cmsg_level == IPPROTO_IPV6 &&
			    c->cmsg_type == IPV6_HOPLIMIT)) {
			int ttl;

			memcpy(&ttl, CMSG_DATA(c), sizeof(ttl));
			meta->ttl = ttl;
			meta->flags |= MCAST_META_TTL;
		} else if (c->cmsg_level == SOL_SOCKET &&
			   c->cmsg_type == SCM_TIMESTAMPNS) {
			memcpy(&meta->ts, CMSG_DATA(c), sizeof(meta->ts));
			meta->flags |= MCAST_META_TS;
		} else if (c->cmsg_level == SOL_UDP &&
			   c->cmsg_type == UDP_GRO) {
			memcpy(&gso_size, CMSG_DATA(c), sizeof(gso_size));
		}
	}
	return gso_size;
}

/*
 * Reset a full-sized meta (size kept) for a datagram of len bytes: what
 * mcast_meta_init() does, without clearing the two address structs (a
 * family of AF_UNSPEC says "none"), which is most of the struct and was a
 * measurable share of a 64-byte receiver's time.
 */
void mc_meta_reset(struct mcast_meta *meta, size_t len)
{
	meta->flags = 0;
	meta->len = len;
	meta->src.ss_family = AF_UNSPEC;
	meta->dst.ss_family = AF_UNSPEC;
	meta->ifindex = 0;
	meta->ttl = -1;
	meta->ts = (struct timespec){ 0, 0 };
}

/* Copy the full metadata into the caller's struct, as far as it reaches. */
void mc_meta_store(struct mcast_meta *dst, const struct mcast_meta *src)
{
	mc_copy_sized(dst, src, sizeof(*src));
}

/* Receive up to n datagrams: flags MSG_DONTWAIT, or MSG_WAITFORONE to
 * block (SO_RCVTIMEO bounding it) until the first, when an interrupted
 * wait returns -EINTR. */
static int recv_flags(struct mcast *m, struct mc_sock *s, struct mcast_dgram *v,
		      size_t n, int flags)
{
	struct mmsghdr msgs[MC_BATCH_MAX];
	struct iovec iov[MC_BATCH_MAX];
	struct sockaddr_storage src[MC_BATCH_MAX];
	union mc_cmsg_buf ctl[MC_BATCH_MAX];
	/* Each address and control message the kernel writes costs it a
	 * copy to user space per datagram: ask only for what is wanted. */
	bool want_src = !(m->opts.flags & MCAST_OPT_NO_SOURCE);
	bool want_ctl = m->opts.meta != 0;
	int rc;

	if (n > MC_BATCH_MAX)
		n = MC_BATCH_MAX;
	memset(msgs, 0, n * sizeof(msgs[0]));
	for (size_t i = 0; i < n; i++) {
		bool meta = v[i].meta != NULL;

		mc_recv_slot(
			&msgs[i], &iov[i], meta && want_src ? &src[i] : NULL,
			meta && want_ctl ? &ctl[i] : NULL, v[i].buf, v[i].cap);
	}
	do {
		rc = recvmmsg(s->fd, msgs, (unsigned)n, flags | MSG_TRUNC,
			      NULL);
	} while (rc < 0 && errno == EINTR && (flags & MSG_DONTWAIT));
	if (rc < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		if (errno == EINTR)
			return -EINTR;
		return mc_fail(m, -errno, "receive");
	}
	for (int i = 0; i < rc; i++) {
		struct mcast_meta local, *mp;
		size_t wire = msgs[i].msg_len;

		v[i].len = wire < v[i].cap ? wire : v[i].cap;
		if (!v[i].meta)
			continue;
		/* A caller built against this header gets its struct filled
		 * in place; an older, shorter one through a copy. */
		mp = v[i].meta->size >= sizeof(local) ? v[i].meta : &local;
		if (mp == &local)
			mcast_meta_init(&local);
		mc_meta_reset(mp, wire);
		if (wire > v[i].cap || (msgs[i].msg_hdr.msg_flags & MSG_TRUNC))
			mp->flags |= MCAST_META_TRUNC;
		if (msgs[i].msg_hdr.msg_namelen)
			memcpy(&mp->src, &src[i], msgs[i].msg_hdr.msg_namelen);
		mc_parse_cmsgs(&msgs[i].msg_hdr, s, mp);
		if (!(mp->flags & MCAST_META_TS) &&
		    (m->opts.meta & MCAST_META_TS))
			clock_gettime(CLOCK_REALTIME, &mp->ts);
		if (mp == &local)
			mc_meta_store(v[i].meta, &local);
	}
	return rc;
}

/* Read what one socket has queued, without waiting. */
static int recv_socket(struct mcast *m, struct mc_sock *s,
		       struct mcast_dgram *v, size_t n)
{
	return recv_flags(m, s, v, n, MSG_DONTWAIT);
}

/* The longest wait asked of the kernel at once; an endless one is made
 * of these, so a signal still ends it (a socket call with SO_RCVTIMEO set
 * is never restarted, whatever SA_RESTART says). */
#define MC_WAIT_SLICE_MS 3600000

/*
 * One socket and nothing else to watch: wait inside recvmmsg() itself
 * (MSG_WAITFORONE, bounded by SO_RCVTIMEO) instead of in poll().  A task
 * woken there leaves the socket's wait queue at once (autoremove), so the
 * datagrams that follow cost the sender nothing more; a poll() entry stays
 * queued until the woken task runs again, and meanwhile every datagram
 * takes the wake-up path on the sender's side - on lo at a million
 * datagrams a second, about a fifth of the sending core on a 2-vCPU VM.
 */
static int wait_socket(struct mcast *m, struct mc_sock *s,
		       struct mcast_dgram *v, size_t n, int timeout_ms)
{
	int ms = timeout_ms < 0 || timeout_ms > MC_WAIT_SLICE_MS
			 ? MC_WAIT_SLICE_MS
			 : timeout_ms;

	if (ms != s->rcvtimeo_ms) {
		struct timeval tv = { .tv_sec = ms / 1000,
				      .tv_usec = (ms % 1000) * 1000 };

		if (setsockopt(s->fd, SOL_SOCKET, SO_RCVTIMEO, &tv,
			       sizeof(tv)) < 0)
			return mc_fail(m, -errno, "set receive timeout");
		s->rcvtimeo_ms = ms;
	}
	return recv_flags(m, s, v, n, MSG_WAITFORONE);
}

/* Take what every socket has queued, starting after the last one served
 * so a busy port cannot starve the others. */
static int drain(struct mcast *m, struct mcast_dgram *v, size_t n)
{
	size_t got = 0;

	if (m->is_sender)
		return recv_socket(m, &m->reply, v, n);
	if (m->gro)
		got = mc_gro_pending(m, v, n);
	for (unsigned k = 0; k < m->nsocks && got < n; k++) {
		unsigned i = (m->next_sock + k) % m->nsocks;
		int rc =
			m->gro ? mc_recv_gro(m, &m->socks[i], v + got, n - got)
			       : recv_socket(m, &m->socks[i], v + got, n - got);

		if (rc < 0)
			return got ? (int)got : rc;
		got += (size_t)rc;
	}
	if (m->nsocks)
		m->next_sock = (m->next_sock + 1) % m->nsocks;
	return (int)got;
}

/* Kernel busy polling spins in the driver for this long per read. */
#define MC_BUSY_POLL_US 50

void mc_busy_poll_socket(struct mcast *m, int fd)
{
	m->busy_poll = 1;
	if (mc_setopt_int(fd, SOL_SOCKET, SO_BUSY_POLL, MC_BUSY_POLL_US) == 0)
		m->busy_poll = 2;
}

static long ms_left(const struct timespec *end)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (end->tv_sec - now.tv_sec) * 1000L +
	       (end->tv_nsec - now.tv_nsec) / 1000000L;
}

/* Busy polling on lo or veth: no driver to poll, so the spinning is ours. */
static int spin(struct mcast *m, struct mcast_dgram *v, size_t n,
		int timeout_ms, const struct timespec *end)
{
	for (unsigned i = 0;; i++) {
		int rc = drain(m, v, n);

		if (rc != 0 || timeout_ms == 0)
			return rc;
		/* Reading the clock costs more than a failed read. */
		if ((i & 63) == 63 && m->watch.fd >= 0 &&
		    mc_watch_process(m) > 0)
			return 0;
		if (timeout_ms > 0 && (i & 63) == 63 && ms_left(end) <= 0)
			return 0;
	}
}

/* Up to this many sockets are simply read in turn; more are asked of
 * epoll, which knows which are readable, so a receiver of a hundred
 * sockets does not make a hundred system calls per batch. */
#define MC_SCAN_SOCKETS 8
#define MC_EPOLL_EVENTS 64

/*
 * Many sockets: read those epoll says are readable.  epoll hands back a
 * level-triggered socket that still holds datagrams at the end of its
 * ready list, in the same order each time, so the reads start at a
 * rotating place in that list: a busy socket cannot starve the others.
 */
static int recv_ready(struct mcast *m, struct mcast_dgram *v, size_t n,
		      int timeout_ms, const struct timespec *end)
{
	struct epoll_event ev[MC_EPOLL_EVENTS];
	size_t got = m->gro ? mc_gro_pending(m, v, n) : 0;
	int wait = timeout_ms, rc;

	if (got == n)
		return (int)got;
	if (!m->epoll_sockets && (rc = mc_epoll_sockets(m)) < 0)
		return rc;
	for (;;) {
		bool event = false;
		int k = epoll_wait(m->epfd, ev, MC_EPOLL_EVENTS,
				   got ? 0 : wait);

		if (k < 0)
			return got		? (int)got
			       : errno == EINTR ? -EINTR
						: mc_fail(m, -errno, "wait");
		for (int j = 0; j < k && got < n; j++) {
			uint32_t tag =
				ev[(m->next_sock + (unsigned)j) % (unsigned)k]
					.data.u32;

			if (tag == MC_WATCH_TAG) {
				event = mc_watch_process(m) > 0;
				continue;
			}
			if (tag >= m->nsocks) /* MC_GRO_TAG: taken above */
				continue;
			rc = m->gro ? mc_recv_gro(m, &m->socks[tag], v + got,
						  n - got)
				    : recv_socket(m, &m->socks[tag], v + got,
						  n - got);
			if (rc < 0)
				return got ? (int)got : rc;
			got += (size_t)rc;
		}
		m->next_sock++;
		/* A link event ends the wait, so the caller hears of it
		 * (mcast_events()) while the link may still be down. */
		if (got || event || k == 0 || timeout_ms == 0)
			return (int)got;
		/* Woken for nothing (another reader of a shared port took
		 * it): wait on, without restarting the clock. */
		if (timeout_ms > 0 && (wait = (int)ms_left(end)) <= 0)
			return 0;
	}
}

int mcast_recv_batch(mcast_t *m, struct mcast_dgram *v, size_t n,
		     int timeout_ms)
{
	struct epoll_event ev[MC_EPOLL_EVENTS];
	struct timespec end = { 0 };
	int rc;

	if (!m || (n && !v))
		return -EINVAL;
	if (m->is_sender && m->reply.fd < 0)
		return mc_fail(m, MCAST_EROLE, "receive on a sender");
	if (n == 0)
		return 0;
	if (timeout_ms > 0) {
		clock_gettime(CLOCK_MONOTONIC, &end);
		end.tv_sec += timeout_ms / 1000;
		end.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	}
	if (m->busy_poll)
		return spin(m, v, n, timeout_ms, &end);
	if (!m->is_sender && m->nsocks > MC_SCAN_SOCKETS)
		return recv_ready(m, v, n, timeout_ms, &end);
	/* A lone socket is waited on inside recvmmsg() (wait_socket()). */
	bool in_recv = !m->is_sender && !m->gro && m->nsocks == 1 &&
		       m->watch.fd < 0 && timeout_ms != 0;

	for (;;) {
		rc = in_recv ? wait_socket(m, &m->socks[0], v, n, timeout_ms)
			     : drain(m, v, n);
		if (rc != 0 || timeout_ms == 0)
			return rc;
		if (timeout_ms > 0) {
			/* A wakeup that found nothing (another reader of a
			 * shared port took it) must not restart the clock. */
			long ms = ms_left(&end);

			if (ms <= 0)
				return 0;
			timeout_ms = (int)ms;
		}
		if (in_recv)
			continue;
		/* One socket: wait on it directly, saving the epoll hop
		 * (not when link events must wake us too). */
		if ((m->nsocks == 1 && m->watch.fd < 0) || m->is_sender) {
			struct pollfd p = { .fd = m->is_sender ? m->fd
							       : m->socks[0].fd,
					    .events = POLLIN };
			rc = poll(&p, 1, timeout_ms);
		} else {
			if (!m->epoll_sockets && (rc = mc_epoll_sockets(m)) < 0)
				return rc;
			rc = epoll_wait(m->epfd, ev, MC_EPOLL_EVENTS,
					timeout_ms);
		}
		if (rc < 0)
			return errno == EINTR ? -EINTR
					      : mc_fail(m, -errno, "wait");
		if (rc == 0)
			return 0;
		/* A link event ends the wait, so the caller hears of it
		 * (mcast_events()) while the link may still be down. */
		for (int i = 0; i < rc && !m->is_sender; i++)
			if (ev[i].data.u32 == MC_WATCH_TAG &&
			    mc_watch_process(m) > 0)
				return drain(m, v, n);
	}
}

int mcast_recv(mcast_t *m, void *buf, size_t cap, struct mcast_meta *meta,
	       int timeout_ms)
{
	struct mcast_dgram d = { .buf = buf, .cap = cap, .meta = meta };
	int rc = mcast_recv_batch(m, &d, 1, timeout_ms);

	if (rc < 0)
		return rc;
	if (rc == 0)
		return -ETIMEDOUT;
	return (int)d.len;
}
