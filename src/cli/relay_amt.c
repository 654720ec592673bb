/* SPDX-License-Identifier: MIT */
/*
 * mcast relay --amt-listen: an AMT relay (RFC 7450, docs/PROTOCOL.md
 * "AMT").  Gateways discover it, ask for a membership query and answer
 * with IGMPv3/MLDv2 reports; for each (S,G) or (*,G) reported it joins on
 * --from and sends every UDP datagram of the group to the gateway as
 * Multicast Data.  Reports carry no ports, so the datagrams are read with
 * raw sockets (CAP_NET_RAW).  The response MAC lets the relay keep no
 * state for a gateway until its first valid update: it is a keyed hash of
 * the gateway's address, port and nonce under a secret drawn at start.
 */
#include "relay_amt.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>

static int on(int fd, int level, int opt)
{
	int one = 1;

	return setsockopt(fd, level, opt, &one, sizeof(one));
}

void amt_open_port(struct amt_relay *r)
{
	const struct sockaddr_storage *a = &r->c->amt;
	bool v6 = a->ss_family == AF_INET6;
	char t[MCAST_ADDRSTRLEN + 8];

	r->us = socket(a->ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (r->us < 0)
		cli_die(EXIT_RUNTIME, "cannot open the AMT socket: %s",
			strerror(errno));
	/* Where a discovery arrived is the address to advertise. */
	on(r->us, v6 ? IPPROTO_IPV6 : IPPROTO_IP,
	   v6 ? IPV6_RECVPKTINFO : IP_PKTINFO);
	if (v6)
		on(r->us, IPPROTO_IPV6, IPV6_V6ONLY);
	if (bind(r->us, (const struct sockaddr *)a,
		 v6 ? sizeof(struct sockaddr_in6)
		    : sizeof(struct sockaddr_in)) < 0)
		cli_die(EXIT_RUNTIME, "cannot listen on %s: %s",
			cli_addr(a, t, sizeof(t)), strerror(errno));
}

int amt_open_raw(struct amt_relay *r, int fam)
{
	bool v6 = fam == AF_INET6;
	int fd = socket(fam, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_UDP);
	int buf = r->c->rcvbuf;

	if (fd < 0 && v6 && errno == EAFNOSUPPORT)
		return -1;
	if (fd < 0)
		cli_die(EXIT_RUNTIME,
			"cannot open a raw socket: %s; the AMT relay reads every datagram of a group whatever its port, which needs CAP_NET_RAW: run it as root or give mcast cap_net_raw",
			strerror(errno));
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, r->c->from,
		       (socklen_t)strlen(r->c->from)) < 0)
		cli_die(EXIT_RUNTIME, "cannot bind the raw socket to %s: %s",
			r->c->from, strerror(errno));
	if (v6) {
		on(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO);
		on(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT);
	} else {
		on(fd, IPPROTO_IP, IP_PKTINFO);
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
	return fd;
}

static const char *show(const struct sockaddr_storage *a, char *buf, size_t len)
{
	return a->ss_family == AF_UNSPEC ? "*" : cli_addr_only(a, buf, len);
}

static bool same(const struct sockaddr_storage *a,
		 const struct sockaddr_storage *b)
{
	if (a->ss_family == AF_UNSPEC || b->ss_family == AF_UNSPEC)
		return a->ss_family == b->ss_family;
	return mcast_addr_same((const void *)a, (const void *)b, 0);
}

/* Join (S,G) or (*,G) on --from, or count one more gateway wanting it. */
static int join(struct amt_relay *r, const struct sockaddr_storage *g,
		const struct sockaddr_storage *s)
{
	int fam = g->ss_family == AF_INET6 ? 1 : 0, rc;
	char a[MCAST_ADDRSTRLEN], b[MCAST_ADDRSTRLEN];
	struct group_source_req req;

	for (size_t i = 0; i < r->njoins; i++)
		if (same(&r->joins[i].group, g) &&
		    same(&r->joins[i].source, s)) {
			r->joins[i].refs++;
			return 0;
		}
	if (r->raw[fam] < 0) {
		r->n.join_fail++;
		return -1;
	}
	memset(&req, 0, sizeof(req));
	req.gsr_interface = r->ifindex;
	memcpy(&req.gsr_group, g, sizeof(*g));
	memcpy(&req.gsr_source, s, sizeof(*s));
	if (s->ss_family == AF_UNSPEC)
		rc = setsockopt(r->raw[fam], fam ? IPPROTO_IPV6 : IPPROTO_IP,
				MCAST_JOIN_GROUP, &req,
				sizeof(struct group_req));
	else
		rc = setsockopt(r->raw[fam], fam ? IPPROTO_IPV6 : IPPROTO_IP,
				MCAST_JOIN_SOURCE_GROUP, &req, sizeof(req));
	if (rc < 0) {
		r->n.join_fail++;
		cli_warn("cannot join %s@%s on %s: %s", show(s, a, sizeof(a)),
			 show(g, b, sizeof(b)), r->c->from, strerror(errno));
		return -1;
	}
	cli_grow(&r->joins, &r->joins_cap, r->njoins, sizeof(*r->joins));
	r->joins[r->njoins++] = (struct join){ *g, *s, 1 };
	cli_info("joined %s%s%s on %s for AMT gateways",
		 s->ss_family ? show(s, a, sizeof(a)) : "",
		 s->ss_family ? "@" : "", show(g, b, sizeof(b)), r->c->from);
	return 0;
}

static void leave(struct amt_relay *r, const struct sockaddr_storage *g,
		  const struct sockaddr_storage *s)
{
	char a[MCAST_ADDRSTRLEN], b[MCAST_ADDRSTRLEN];

	for (size_t i = 0; i < r->njoins; i++) {
		struct join *j = &r->joins[i];
		int fam = g->ss_family == AF_INET6 ? 1 : 0;
		struct group_source_req req;

		if (!same(&j->group, g) || !same(&j->source, s) || --j->refs)
			continue;
		memset(&req, 0, sizeof(req));
		req.gsr_interface = r->ifindex;
		memcpy(&req.gsr_group, g, sizeof(*g));
		memcpy(&req.gsr_source, s, sizeof(*s));
		setsockopt(r->raw[fam], fam ? IPPROTO_IPV6 : IPPROTO_IP,
			   s->ss_family ? MCAST_LEAVE_SOURCE_GROUP
					: MCAST_LEAVE_GROUP,
			   &req,
			   s->ss_family ? sizeof(req)
					: sizeof(struct group_req));
		cli_info("left %s%s%s on %s: no gateway wants it",
			 s->ss_family ? show(s, a, sizeof(a)) : "",
			 s->ss_family ? "@" : "", show(g, b, sizeof(b)),
			 r->c->from);
		*j = r->joins[--r->njoins];
		return;
	}
}

/* How long a report holds: RFC 3376's group membership interval with a
 * robustness of 2 and a second to answer. */
static double hold(const struct amt_relay *r)
{
	return 2 * r->c->amt_query_interval + 1;
}

static void memb_set(struct amt_relay *r, struct gateway *w,
		     const struct sockaddr_storage *g,
		     const struct sockaddr_storage *s, double now)
{
	for (size_t i = 0; i < w->n; i++)
		if (same(&w->m[i].group, g) && same(&w->m[i].source, s)) {
			w->m[i].expires = now + hold(r);
			return;
		}
	if (w->n == AMT_MEMBS) {
		r->n.limit++;
		return;
	}
	if (join(r, g, s) < 0)
		return;
	w->m[w->n++] = (struct memb){ *g, *s, now + hold(r) };
}

static void memb_del(struct amt_relay *r, struct gateway *w, size_t i)
{
	leave(r, &w->m[i].group, &w->m[i].source);
	w->m[i] = w->m[--w->n];
}

/* Drop G's entries of w whose source is not among keep[0..n) (all of
 * them when n is 0). */
static void memb_keep(struct amt_relay *r, struct gateway *w,
		      const struct sockaddr_storage *g,
		      const struct sockaddr_storage *keep, size_t n)
{
	for (size_t i = w->n; i-- > 0;) {
		bool kept = false;

		if (!same(&w->m[i].group, g))
			continue;
		for (size_t k = 0; k < n; k++)
			kept |= same(&w->m[i].source, &keep[k]);
		if (!kept)
			memb_del(r, w, i);
	}
}

/*
 * A report's records, as RFC 3376 6.4 reads them for a router that
 * forwards by (S,G): INCLUDE sources are joined source by source, EXCLUDE
 * joins (*,G) (the sources it excludes are forwarded too: the relay
 * does not filter them), TO_INCLUDE and IS_INCLUDE also drop what they no
 * longer name - with no source, the group - and BLOCK drops its sources.
 */
static void apply(struct amt_relay *r, struct gateway *w,
		  const struct mcast_amt_record *rec, size_t n, double now)
{
	static const struct sockaddr_storage any;

	for (size_t i = 0; i < n; i++) {
		const struct mcast_amt_record *x = &rec[i];

		if (!mcast_addr_is_multicast((const void *)&x->group)) {
			r->n.malformed++;
			continue;
		}
		switch (x->type) {
		case MCAST_REC_IS_EXCLUDE:
		case MCAST_REC_TO_EXCLUDE:
			memb_keep(r, w, &x->group, &any, 1);
			memb_set(r, w, &x->group, &any, now);
			break;
		case MCAST_REC_IS_INCLUDE:
		case MCAST_REC_TO_INCLUDE:
			memb_keep(r, w, &x->group, x->sources, x->nsources);
			/* fall through */
		case MCAST_REC_ALLOW:
			for (size_t k = 0; k < x->nsources; k++)
				memb_set(r, w, &x->group, &x->sources[k], now);
			break;
		case MCAST_REC_BLOCK:
			for (size_t k = 0; k < x->nsources; k++)
				for (size_t j = w->n; j-- > 0;)
					if (same(&w->m[j].group, &x->group) &&
					    same(&w->m[j].source,
						 &x->sources[k]))
						memb_del(r, w, j);
			break;
		}
	}
}

static struct gateway *find_gw(struct amt_relay *r,
			       const struct sockaddr_storage *a, bool make)
{
	for (size_t i = 0; i < r->ngw; i++)
		if (mcast_addr_same((const void *)&r->gw[i].addr,
				    (const void *)a, 1))
			return &r->gw[i];
	if (!make)
		return NULL;
	if (r->ngw == AMT_GATEWAYS) {
		r->n.limit++;
		return NULL;
	}
	r->gw[r->ngw] = (struct gateway){ .addr = *a };
	if (++r->ngw > r->n.peak)
		r->n.peak = r->ngw;
	return &r->gw[r->ngw - 1];
}

static void drop_gw(struct amt_relay *r, struct gateway *w, const char *why)
{
	char a[MCAST_ADDRSTRLEN + 8];

	while (w->n)
		memb_del(r, w, w->n - 1);
	cli_info("AMT gateway %s %s", cli_addr(&w->addr, a, sizeof(a)), why);
	*w = r->gw[--r->ngw];
}

void amt_expire(struct amt_relay *r, double now)
{
	for (size_t i = r->ngw; i-- > 0;) {
		struct gateway *w = &r->gw[i];

		for (size_t k = w->n; k-- > 0;)
			if (w->m[k].expires <= now)
				memb_del(r, w, k);
		if (!w->n) {
			r->n.timeouts++;
			drop_gw(r, w, "no longer reports: forgotten");
		}
	}
}

static bool mac_ok(const struct amt_relay *r, const struct mcast_amt *m,
		   const struct sockaddr_storage *gw)
{
	uint8_t mac[MCAST_AMT_MAC_LEN];

	return mcast_amt_mac(r->key, sizeof(r->key), (const void *)gw, m->nonce,
			     mac) == 0 &&
	       memcmp(mac, m->mac, sizeof(mac)) == 0;
}

static bool is_any(const struct sockaddr_storage *a)
{
	if (a->ss_family == AF_INET6)
		return IN6_IS_ADDR_UNSPECIFIED(
			&((const struct sockaddr_in6 *)a)->sin6_addr);
	return ((const struct sockaddr_in *)a)->sin_addr.s_addr == INADDR_ANY;
}

int amt_send(struct amt_relay *r, const void *buf, size_t len,
	     const struct sockaddr_storage *to,
	     const struct sockaddr_storage *local)
{
	char cbuf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	struct iovec iov = { (void *)buf, len };
	struct msghdr mh = { .msg_name = (void *)to,
			     .msg_namelen =
				     to->ss_family == AF_INET6
					     ? sizeof(struct sockaddr_in6)
					     : sizeof(struct sockaddr_in),
			     .msg_iov = &iov,
			     .msg_iovlen = 1 };

	/* Listening on every address, answer from the one the gateway
	 * wrote to: it takes only what comes from there. */
	if (is_any(&r->c->amt) && local->ss_family == to->ss_family) {
		struct cmsghdr *c;

		memset(cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf;
		if (local->ss_family == AF_INET6) {
			struct in6_pktinfo pi = {
				.ipi6_addr =
					((const struct sockaddr_in6 *)local)
						->sin6_addr
			};

			mh.msg_controllen = CMSG_SPACE(sizeof(pi));
			c = CMSG_FIRSTHDR(&mh);
			c->cmsg_level = IPPROTO_IPV6;
			c->cmsg_type = IPV6_PKTINFO;
			c->cmsg_len = CMSG_LEN(sizeof(pi));
			memcpy(CMSG_DATA(c), &pi, sizeof(pi));
		} else {
			struct in_pktinfo pi = {
				.ipi_spec_dst =
					((const struct sockaddr_in *)local)
						->sin_addr
			};

			mh.msg_controllen = CMSG_SPACE(sizeof(pi));
			c = CMSG_FIRSTHDR(&mh);
			c->cmsg_level = IPPROTO_IP;
			c->cmsg_type = IP_PKTINFO;
			c->cmsg_len = CMSG_LEN(sizeof(pi));
			memcpy(CMSG_DATA(c), &pi, sizeof(pi));
		}
	}
	if (sendmsg(r->us, &mh, 0) < 0) {
		r->n.send_fail++;
		return -1;
	}
	return 0;
}

static void reply(struct amt_relay *r, const struct mcast_amt *m,
		  const struct sockaddr_storage *to,
		  const struct sockaddr_storage *here)
{
	uint8_t out[512];
	int n = mcast_amt_encode(m, out, sizeof(out));

	if (n < 0)
		r->n.send_fail++;
	else
		amt_send(r, out, (size_t)n, to, here);
}

/* A general query of the family the request asks for, with the MAC of
 * the gateway's address, port and nonce, and that address and port. */
static void query(struct amt_relay *r, const struct mcast_amt *req,
		  const struct sockaddr_storage *from,
		  const struct sockaddr_storage *here)
{
	struct mcast_amt_memb q;
	struct mcast_amt m;
	uint8_t ip[128];
	int n;

	memset(&q, 0, sizeof(q));
	q.family = req->mld ? AF_INET6 : AF_INET;
	q.query = 1;
	q.qrv = 2;
	q.qqi = (unsigned)r->c->amt_query_interval;
	q.max_resp = req->mld ? 1000 : 10; /* a second */
	if (from->ss_family == q.family)
		q.src = r->c->amt;
	if ((n = mcast_amt_memb_encode(&q, ip, sizeof(ip))) < 0)
		return;
	memset(&m, 0, sizeof(m));
	m.type = MCAST_AMT_QUERY;
	m.gateway = 1;
	m.addr = *from;
	m.nonce = req->nonce;
	m.ip = ip;
	m.ip_len = (size_t)n;
	mcast_amt_mac(r->key, sizeof(r->key), (const void *)from, req->nonce,
		      m.mac);
	reply(r, &m, from, here);
}

static void update(struct amt_relay *r, const struct mcast_amt *m,
		   const struct sockaddr_storage *from,
		   const struct sockaddr_storage *here, double now)
{
	static struct mcast_amt_record rec[AMT_RECORDS];
	struct mcast_amt_memb u;
	struct gateway *w;
	bool known;

	if (!mac_ok(r, m, from)) {
		r->n.mac++;
		return;
	}
	memset(&u, 0, sizeof(u));
	u.records = rec;
	u.cap = AMT_RECORDS;
	if (mcast_amt_memb_decode(&u, m->ip, m->ip_len) < 0 || u.query) {
		r->n.malformed++;
		return;
	}
	r->n.updates++;
	known = find_gw(r, from, false) != NULL;
	if (!(w = find_gw(r, from, true)))
		return;
	w->local = *here;
	if (!known) {
		char a[MCAST_ADDRSTRLEN + 8];

		cli_info("AMT gateway %s reports",
			 cli_addr(from, a, sizeof(a)));
	}
	apply(r, w, rec, u.nrecords, now);
	if (!w->n)
		drop_gw(r, w, "left every group");
}

/* The local address a datagram came to, from IP(V6)_PKTINFO. */
static void local_addr(struct msghdr *mh, struct sockaddr_storage *a)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			memset(a, 0, sizeof(*a));
			a->ss_family = AF_INET;
			((struct sockaddr_in *)a)->sin_addr = pi.ipi_addr;
		} else if (c->cmsg_level == IPPROTO_IPV6 &&
			   c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			memset(a, 0, sizeof(*a));
			a->ss_family = AF_INET6;
			((struct sockaddr_in6 *)a)->sin6_addr = pi.ipi6_addr;
		}
	}
}

void amt_from_gateway(struct amt_relay *r, double now)
{
	static uint8_t buf[AMT_ROOM];
	struct sockaddr_storage from, here = r->c->amt;
	char cbuf[256];
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr mh = { .msg_name = &from,
			     .msg_namelen = sizeof(from),
			     .msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf) };
	struct mcast_amt m, out;
	ssize_t n = recvmsg(r->us, &mh, MSG_DONTWAIT);

	if (n < 0)
		return;
	if (mcast_amt_decode(&m, buf, (size_t)n) < 0) {
		r->n.malformed++;
		return;
	}
	memset(&out, 0, sizeof(out));
	if (is_any(&here))
		local_addr(&mh, &here);
	switch (m.type) {
	case MCAST_AMT_DISCOVERY:
		r->n.discoveries++;
		out.type = MCAST_AMT_ADVERTISEMENT;
		out.nonce = m.nonce;
		out.addr = here;
		reply(r, &out, &from, &here);
		break;
	case MCAST_AMT_REQUEST:
		r->n.requests++;
		query(r, &m, &from, &here);
		break;
	case MCAST_AMT_UPDATE:
		update(r, &m, &from, &here, now);
		break;
	case MCAST_AMT_TEARDOWN: {
		/* From the gateway's new address, about its old one. */
		struct gateway *w;

		if (!mac_ok(r, &m, &m.addr)) {
			r->n.mac++;
			break;
		}
		r->n.teardowns++;
		if ((w = find_gw(r, &m.addr, false)))
			drop_gw(r, w, "torn down");
		break;
	}
	default: /* what only a relay sends */
		r->n.malformed++;
	}
}
