/* SPDX-License-Identifier: MIT */
/*
 * Coalesced receive (UDP_GRO, Linux 5.0+).  The kernel may hand over up to
 * 64 KiB of back-to-back datagrams of one flow as a single buffer, with
 * the segment size in a control message; every segment has that size but
 * the last, which may be shorter.  They are split here into the caller's
 * buffers, each with the shared metadata, so callers see datagrams only.
 *
 * Segments that do not fit the caller's batch wait in a staging area.  An
 * eventfd in the epoll set keeps mcast_fd() readable while they wait, so
 * a caller that polls before its next receive is not left hanging.
 *
 * The kernel's drop counter (SK_MEMINFO_DROPS) counts buffers on this path,
 * not datagrams: one dropped buffer may have held many.
 */
#include "mc_internal.h"

#include <errno.h>
#include <netinet/udp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/uio.h>
#include <unistd.h>

#ifndef UDP_GRO
#define UDP_GRO 104
#endif

#define MC_GRO_BUFS  4
#define MC_GRO_BUFSZ 65536

struct mc_gro_buf {
	size_t len, seg, off; /* bytes held, segment size, next segment */
	struct mcast_meta meta;
};

struct mc_gro {
	unsigned char data[MC_GRO_BUFS][MC_GRO_BUFSZ];
	struct mc_gro_buf pend[MC_GRO_BUFS];
	unsigned head, count; /* pending buffers, in arrival order */
	int evfd;
	bool raised; /* evfd is readable */
};

int mc_gro_init(struct mcast *m)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = MC_GRO_TAG };
	struct mc_gro *g = calloc(1, sizeof(*g));

	if (!g)
		return -ENOMEM;
	g->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (g->evfd < 0 ||
	    epoll_ctl(m->epfd, EPOLL_CTL_ADD, g->evfd, &ev) < 0) {
		int rc = -errno;

		if (g->evfd >= 0)
			close(g->evfd);
		free(g);
		return rc;
	}
	m->gro_stage = g;
	m->gro = true;
	return 0;
}

void mc_gro_free(struct mcast *m)
{
	if (!m->gro_stage)
		return;
	close(m->gro_stage->evfd);
	free(m->gro_stage);
	m->gro_stage = NULL;
}

/* Where the kernel has no UDP_GRO the handle simply receives as usual. */
int mc_gro_socket(struct mcast *m, int fd)
{
	if (mc_setopt_int(fd, SOL_UDP, UDP_GRO, 1) == 0)
		return 0;
	m->warnings |= MCAST_WARN_GRO_OFF;
	return 0;
}

/* Keep the eventfd readable exactly while segments wait, with a system
 * call only when that changes, not on every batch. */
static void signal_pending(struct mc_gro *g)
{
	uint64_t v = 1;

	if (g->count && !g->raised) {
		if (write(g->evfd, &v, sizeof(v)) < 0 && errno != EAGAIN)
			return;
		g->raised = true;
	} else if (!g->count && g->raised) {
		while (read(g->evfd, &v, sizeof(v)) > 0)
			;
		g->raised = false;
	}
}

size_t mc_gro_pending(struct mcast *m, struct mcast_dgram *v, size_t n)
{
	struct mc_gro *g = m->gro_stage;
	size_t got = 0;

	while (g->count && got < n) {
		struct mc_gro_buf *b = &g->pend[g->head];
		const unsigned char *seg = g->data[g->head] + b->off;
		size_t len =
			b->len - b->off < b->seg ? b->len - b->off : b->seg;
		struct mcast_dgram *d = &v[got++];

		d->len = len < d->cap ? len : d->cap;
		memcpy(d->buf, seg, d->len);
		if (d->meta) {
			/* The buffer's meta, made this segment's in place:
			 * one copy per segment, into the caller's struct. */
			b->meta.len = len;
			b->meta.flags &= ~(unsigned)MCAST_META_TRUNC;
			if (len > d->cap)
				b->meta.flags |= MCAST_META_TRUNC;
			mc_meta_store(d->meta, &b->meta);
		}
		b->off += len;
		if (b->off >= b->len) {
			g->head = (g->head + 1) % MC_GRO_BUFS;
			g->count--;
		}
	}
	signal_pending(g);
	return got;
}

/* Only called with nothing pending: the staging area is free. */
int mc_recv_gro(struct mcast *m, struct mc_sock *s, struct mcast_dgram *v,
		size_t n)
{
	struct mc_gro *g = m->gro_stage;
	struct mmsghdr msgs[MC_GRO_BUFS];
	struct iovec iov[MC_GRO_BUFS];
	struct sockaddr_storage src[MC_GRO_BUFS];
	union mc_cmsg_buf ctl[MC_GRO_BUFS];
	int rc;
	bool want_src = !(m->opts.flags & MCAST_OPT_NO_SOURCE);

	memset(msgs, 0, sizeof(msgs));
	/* The control messages always: UDP_GRO says where to cut. */
	for (unsigned i = 0; i < MC_GRO_BUFS; i++)
		mc_recv_slot(&msgs[i], &iov[i], want_src ? &src[i] : NULL,
			     &ctl[i], g->data[i], MC_GRO_BUFSZ);
	do {
		rc = recvmmsg(s->fd, msgs, MC_GRO_BUFS, MSG_DONTWAIT, NULL);
	} while (rc < 0 && errno == EINTR);
	if (rc < 0)
		return errno == EAGAIN ? 0 : mc_fail(m, -errno, "receive");
	g->head = 0;
	g->count = (unsigned)rc;
	for (int i = 0; i < rc; i++) {
		struct mc_gro_buf *b = &g->pend[i];
		int seg;

		mcast_meta_init(&b->meta);
		if (msgs[i].msg_hdr.msg_namelen)
			memcpy(&b->meta.src, &src[i],
			       msgs[i].msg_hdr.msg_namelen);
		seg = mc_parse_cmsgs(&msgs[i].msg_hdr, s, &b->meta);
		if (!(b->meta.flags & MCAST_META_TS) &&
		    (m->opts.meta & MCAST_META_TS))
			clock_gettime(CLOCK_REALTIME, &b->meta.ts);
		b->len = msgs[i].msg_len;
		b->seg = seg > 0 ? (size_t)seg : b->len;
		b->off = 0;
		if (b->len == 0) /* an empty datagram is still one */
			b->seg = 0;
	}
	return (int)mc_gro_pending(m, v, n);
}
