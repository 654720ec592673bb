/* SPDX-License-Identifier: MIT */
/*
 * Segmented send (UDP_SEGMENT, Linux 4.18+): runs of equal-sized datagrams
 * go to the kernel as one large buffer that it cuts into datagrams after
 * routing, so a whole run costs one trip down the stack.  The kernel
 * accepts it for multicast too.  Several such buffers travel per
 * sendmmsg() call.
 */
#include "mc_internal.h"

#include <errno.h>
#include <netinet/udp.h>
#include <string.h>
#include <sys/uio.h>

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif

/* The kernel's UDP_MAX_SEGMENTS was 64 until Linux 5.14 raised it to 128;
 * 64 works everywhere. */
#define MC_GSO_SEGS 64
#define MC_GSO_MSGS 16
/* One buffer must fit one IP datagram before the kernel cuts it. */
#define MC_GSO_BYTES 65507

size_t mcast_gso_batch(size_t len)
{
	size_t segs = len ? MC_GSO_BYTES / len : MC_GSO_SEGS;

	if (segs > MC_GSO_SEGS)
		segs = MC_GSO_SEGS;
	return MC_GSO_MSGS * (segs ? segs : 1);
}

int mc_gso_probe(int fd)
{
	/* Size 0 means "per call", and the option's existence is the test. */
	return mc_setopt_int(fd, SOL_UDP, UDP_SEGMENT, 0);
}

struct gso_batch {
	struct mmsghdr msgs[MC_GSO_MSGS];
	struct iovec iov[MC_GSO_MSGS * MC_GSO_SEGS];
	union {
		char buf[CMSG_SPACE(sizeof(uint16_t))];
		struct cmsghdr align;
	} ctl[MC_GSO_MSGS];
	size_t segs[MC_GSO_MSGS];
};

/*
 * Gather datagrams from v[*pos] into one message: equal lengths, a shorter
 * last one allowed (the kernel permits it), none with its own destination.
 */
static void gather(struct mcast *m, struct gso_batch *b, size_t nm, size_t *ni,
		   const struct mcast_dgram *v, size_t n, size_t *pos)
{
	struct msghdr *h = &b->msgs[nm].msg_hdr;
	size_t i = *pos, k = 0, seg = v[i].len, total = 0;
	size_t first = *ni;

	memset(&b->msgs[nm], 0, sizeof(b->msgs[nm]));
	while (i < n && k < MC_GSO_SEGS && !v[i].to && v[i].len > 0 &&
	       v[i].len <= seg && total + v[i].len <= MC_GSO_BYTES) {
		bool shorter = v[i].len < seg;
		struct iovec *prev = *ni > first ? &b->iov[*ni - 1] : NULL;

		/* Datagrams laid out back to back in memory travel as one
		 * iovec: the kernel walks far fewer of them per buffer. */
		if (prev && (char *)prev->iov_base + prev->iov_len ==
				    (char *)v[i].buf) {
			prev->iov_len += v[i].len;
		} else {
			b->iov[*ni].iov_base = v[i].buf;
			b->iov[*ni].iov_len = v[i].len;
			(*ni)++;
		}
		total += v[i].len;
		k++;
		i++;
		if (shorter)
			break;
	}
	if (k == 0) { /* a datagram of its own: empty, or addressed */
		b->iov[*ni].iov_base = v[i].buf;
		b->iov[*ni].iov_len = v[i].len;
		(*ni)++;
		k = 1;
		i++;
	}
	h->msg_iov = &b->iov[first];
	h->msg_iovlen = *ni - first;
	const struct sockaddr *to = v[*pos].to;

	if (!to && m->reply.fd >= 0)
		to = (const struct sockaddr *)&m->group;
	h->msg_name = (void *)to;
	h->msg_namelen = mcast_addr_len(to);
	if (k > 1) {
		struct cmsghdr *c;
		uint16_t size = (uint16_t)seg;

		h->msg_control = b->ctl[nm].buf;
		h->msg_controllen = sizeof(b->ctl[nm].buf);
		c = CMSG_FIRSTHDR(h);
		c->cmsg_level = SOL_UDP;
		c->cmsg_type = UDP_SEGMENT;
		c->cmsg_len = CMSG_LEN(sizeof(size));
		memcpy(CMSG_DATA(c), &size, sizeof(size));
	}
	b->segs[nm] = k;
	*pos = i;
}

int mc_send_gso(struct mcast *m, const struct mcast_dgram *v, size_t n)
{
	struct gso_batch b;
	size_t done = 0;

	while (done < n) {
		size_t nm = 0, ni = 0, pos = done;
		int rc;

		while (pos < n && nm < MC_GSO_MSGS) {
			gather(m, &b, nm, &ni, v, n, &pos);
			nm++;
		}
		do {
			rc = sendmmsg(m->fd, b.msgs, (unsigned)nm, 0);
		} while (rc < 0 && errno == EINTR);
		if (rc < 0)
			return done ? (int)done : -errno;
		for (int j = 0; j < rc; j++)
			done += b.segs[j];
		if ((size_t)rc < nm)
			break;
	}
	return (int)done;
}
