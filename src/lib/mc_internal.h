/* SPDX-License-Identifier: MIT */
/* Internal declarations shared by the library's files; never installed. */
#ifndef MC_INTERNAL_H
#define MC_INTERNAL_H

#include "mcast.h"

#include <netinet/in.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <sys/uio.h>
#include <string.h>

#define MC_BATCH_MAX 64 /* datagrams per recvmmsg/sendmmsg call */

/* Enough control-message room for pktinfo, ttl/hoplimit and a timestamp. */
#define MC_CMSG_SPACE 256

struct mc_group {
	struct sockaddr_storage addr;	  /* group and port */
	struct sockaddr_storage *sources; /* nsources, owned; NULL: none */
	unsigned nsources;
	unsigned ifindex; /* as passed to the kernel; 0: kernel's route */
	unsigned sock;	  /* index into mcast.socks */
};

struct mc_sock {
	int fd;
	int family;
	unsigned port;
	int rcvtimeo_ms; /* SO_RCVTIMEO as last set; 0: never set */
	bool in_epoll;	 /* registered with the handle's epoll fd */
	/* The kernel refused it another group (igmp_max_memberships, or
	 * optmem_max for IPv6): new groups of its port go to a new socket. */
	bool full;
};

#define MC_EVENTS 64 /* queued link/address events */
/* epoll tags of the netlink fd and the GRO eventfd, beyond any socket
 * index (a socket's tag is its index in mcast.socks). */
#define MC_WATCH_TAG UINT32_MAX
#define MC_GRO_TAG   (UINT32_MAX - 1)

#define MC_WATCH_ADDRS 64 /* addresses of the watched interface known */

struct mc_watch {
	int fd;	 /* rtnetlink socket; -1 when not watching */
	bool up; /* the watched interface was up with carrier */
	/* its addresses now, so that a renewed one is not "added" */
	struct sockaddr_storage addrs[MC_WATCH_ADDRS];
	unsigned naddrs;
	struct mcast_event queue[MC_EVENTS];
	unsigned head, count;
	uint64_t lost;
};

struct mcast {
	bool is_sender;
	struct mcast_opts opts;
	struct mcast_iface iface; /* resolved opts.iface; index 0 if none */
	char errmsg[MCAST_ERRMSG_MAX];
	unsigned warnings;

	/* sender */
	int fd;
	struct sockaddr_storage group;
	struct sockaddr_storage local;
	struct mc_sock reply; /* MCAST_OPT_REPLIES: the socket as a reader */
	int ttl;
	int sndbuf_effective;
	bool gso; /* UDP_SEGMENT in use */

	/* receiver */
	int epfd;
	bool epoll_sockets; /* sockets go into epfd as they open */
	/* Both grow as joins need them, and shrink only at close. */
	struct mc_sock *socks;
	unsigned nsocks, socks_cap;
	struct mc_group *groups;
	unsigned ngroups, groups_cap;
	unsigned next_sock; /* round-robin start, so no socket starves */
	int rcvbuf_effective;
	bool gro;		  /* UDP_GRO on every socket */
	int busy_poll;		  /* as struct mcast_info.busy_poll */
	struct mc_gro *gro_stage; /* coalesced buffers being split */
	struct mc_watch watch;
};

/*
 * Size-versioned structs (mcast.h: size first, members only added at the
 * end) are read and filled through these two, nowhere by hand.
 *
 * MC_HAS(p, member): does the caller's struct *p, of p->size bytes, reach
 * member?  A member it does not reach keeps the library's default.
 */
#define MC_HAS(p, member) \
	((p)->size >= offsetof(__typeof__(*(p)), member) + sizeof((p)->member))

/*
 * Copy between two versions of one size-versioned struct, as far as both
 * reach: dst's size member says how far it does (and is left alone),
 * src_size how far src does.  Out to a caller, src is the library's own
 * (src_size its sizeof); in from a caller, dst is.  Returns the bytes dst
 * now holds, or 0 when either size is too small to be one.
 */
static inline size_t mc_copy_sized(void *dst, const void *src, size_t src_size)
{
	size_t n;

	memcpy(&n, dst, sizeof(n));
	if (n < sizeof(size_t) || src_size < sizeof(size_t))
		return 0;
	if (n > src_size)
		n = src_size;
	memcpy((char *)dst + sizeof(size_t), (const char *)src + sizeof(size_t),
	       n - sizeof(size_t));
	return n;
}

/* error.c: record which step failed; returns code for tail calls. */
int mc_fail(struct mcast *m, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* iface.c: by name or decimal index only (no address match). */
int mc_iface_name_or_index(const char *spec, struct mcast_iface *out);

/* sock.c: the steps of opening a handle, shared with unicast.c. */
int mc_setopt_int(int fd, int level, int name, int value);
int mc_open_failed(struct mcast *m, const struct mcast_opts *opts, int rc);
/* A sender's handle, its TTL checked and opts.iface resolved; on failure
 * *mp is NULL and opts.errbuf says why. */
int mc_sender_new(struct mcast **mp, const struct mcast_opts *opts);
int mc_sender_bind(struct mcast *m, int family);
int mc_sender_mcast_opts(struct mcast *m, int family, unsigned ifindex);
int mc_socket_buffers(int fd, int optname, int forced, int request,
		      int *effective);

/* gso.c: 0 when the kernel has UDP_SEGMENT; a send of n datagrams in
 * segmented buffers, returning how many went or -errno for none. */
int mc_gso_probe(int fd);
int mc_send_gso(struct mcast *m, const struct mcast_dgram *v, size_t n);

/* io.c: metadata from control messages; returns UDP_GRO's segment size
 * (0 when the buffer holds one datagram). */
int mc_parse_cmsgs(struct msghdr *h, struct mc_sock *s,
		   struct mcast_meta *meta);
void mc_meta_store(struct mcast_meta *dst, const struct mcast_meta *src);
void mc_meta_reset(struct mcast_meta *meta, size_t len);

/* gro.c: coalesced receive.  mc_gro_init() allocates the staging area and
 * the eventfd that keeps mcast_fd() readable while segments wait. */
int mc_gro_init(struct mcast *m);
int mc_gro_socket(struct mcast *m, int fd);
void mc_gro_free(struct mcast *m);
size_t mc_gro_pending(struct mcast *m, struct mcast_dgram *v, size_t n);
int mc_recv_gro(struct mcast *m, struct mc_sock *s, struct mcast_dgram *v,
		size_t n);

/* io.c: SO_BUSY_POLL on a socket of a busy-polling handle. */
void mc_busy_poll_socket(struct mcast *m, int fd);

/* watch.c: rtnetlink events for MCAST_OPT_WATCH; process returns the
 * number of events queued. */
int mc_watch_init(struct mcast *m);
void mc_watch_free(struct mcast *m);
int mc_watch_process(struct mcast *m);

/* join.c: (re)apply or drop one group's memberships on its socket. */
int mc_group_join(struct mcast *m, const struct mc_group *g);
int mc_group_leave(struct mcast *m, const struct mc_group *g);

/* join.c: put every socket in the handle's epoll set (done only when
 * something waits on it: mcast_fd(), several sockets, link events). */
int mc_epoll_sockets(struct mcast *m);

/* join.c: free the receiver's sockets and groups (mcast_close()). */
void mc_receiver_free(struct mcast *m);
int mc_want_metadata(int fd, int family, unsigned want);

/* A seeded hash of a table key: the seed is random per table, so spoofed
 * senders cannot aim at one bucket.  Bytes past a multiple of 8 count as
 * zeros. */
static inline uint32_t mc_hash_bytes(uint64_t seed, const void *key, size_t len)
{
	const unsigned char *b = key;
	uint64_t h = seed, w;

	for (size_t i = 0; i < len; i += sizeof(w)) {
		w = 0;
		memcpy(&w, b + i, len - i < sizeof(w) ? len - i : sizeof(w));
		h = (h ^ w) * 0x9e3779b97f4a7c15ull;
		h ^= h >> 29;
	}
	h *= 0xbf58476d1ce4e5b9ull;
	return (uint32_t)(h ^ h >> 32);
}

/* Room for one datagram's control messages, aligned for cmsghdr. */
union mc_cmsg_buf {
	char buf[MC_CMSG_SPACE];
	struct cmsghdr align;
};

/* Point one recvmmsg() slot at a buffer, a source address and control
 * message room; src or ctl NULL when the caller wants neither. */
static inline void mc_recv_slot(struct mmsghdr *msg, struct iovec *iov,
				struct sockaddr_storage *src,
				union mc_cmsg_buf *ctl, void *buf, size_t cap)
{
	iov->iov_base = buf;
	iov->iov_len = cap;
	msg->msg_hdr.msg_name = src;
	msg->msg_hdr.msg_namelen = src ? sizeof(*src) : 0;
	msg->msg_hdr.msg_iov = iov;
	msg->msg_hdr.msg_iovlen = 1;
	msg->msg_hdr.msg_control = ctl ? ctl->buf : NULL;
	msg->msg_hdr.msg_controllen = ctl ? sizeof(ctl->buf) : 0;
}

/* Views of a sockaddr_storage by family. */
static inline struct sockaddr_in *mc_sin(struct sockaddr_storage *ss)
{
	return (struct sockaddr_in *)ss;
}

static inline struct sockaddr_in6 *mc_sin6(struct sockaddr_storage *ss)
{
	return (struct sockaddr_in6 *)ss;
}

/* AMT (amt.c, amt_memb.c): the Internet checksum, summed then folded;
 * 16-byte addresses (IPv4 mapped); an IPv4 header (ra: with the Router
 * Alert option) for total bytes, returning its length. */
uint32_t mc_csum_add(uint32_t sum, const uint8_t *p, size_t n);
uint16_t mc_csum_fold(uint32_t sum);
int mc_amt_put_addr16(uint8_t *p, const struct sockaddr *a);
void mc_amt_get_addr16(struct sockaddr_storage *a, const uint8_t *p,
		       uint16_t port);
int mc_amt_ip4(uint8_t *p, const struct sockaddr *src,
	       const struct sockaddr *dst, uint8_t ttl, uint8_t proto, bool ra,
	       size_t total);

#endif /* MC_INTERNAL_H */
