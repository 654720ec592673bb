/* SPDX-License-Identifier: MIT */
/*
 * mcast relay over unicast: the near end (--peer) wraps each datagram in
 * a tunnel message (docs/PROTOCOL.md, type 5) - a session per peer, so
 * the far end counts what the tunnel lost - and the far end
 * (--tunnel-listen) checks who sent it, feeds it to a stream tracker and
 * sends the payload to its group out of --to.  Both ends use the
 * library's unicast handles, which send to any address and read the
 * unicast datagrams sent to their own (any local address, loopback too).
 */
#include "relay.h"
#include "events.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#define TUN_HDR		(MCAST_WIRE_HDR_LEN + MCAST_TUNNEL_BODY_LEN)
#define UDP_MAX		65507 /* the largest UDP payload over IPv4 */
#define TUN_TTL		64    /* unicast hops between the two ends */
#define LISTEN_SESSIONS 64    /* tunnel sessions a listener remembers */

static int open_sock(mcast_t **m, int family, const char *iface,
		     const struct sockaddr_storage *bind, unsigned meta)
{
	char step[MCAST_ERRMSG_MAX] = "";
	struct mcast_opts o;
	int rc;

	mcast_opts_init(&o);
	o.iface = iface;
	o.ttl = TUN_TTL;
	o.loop = 0;
	o.flags = bind ? MCAST_OPT_NO_REUSEADDR : 0;
	o.meta = meta;
	o.rcvbuf = CLI_RCVBUF_DEFAULT;
	if (bind)
		o.bind = *bind;
	o.errbuf = step;
	o.errlen = sizeof(step);
	rc = mcast_unicast_open(m, family, &o);
	if (rc == -EADDRINUSE)
		cli_die(EXIT_RUNTIME,
			"cannot listen: the port is in use (%s); choose another --tunnel-listen port",
			step);
	return rc < 0 ? rc : 0;
}

static int fam_slot(const struct sockaddr_storage *a)
{
	return a->ss_family == AF_INET6;
}

void tunnel_out_open(struct tunnel_out *t, const struct relay_cfg *c)
{
	t->session = calloc(c->peers.n, sizeof(*t->session));
	t->seq = calloc(c->peers.n, sizeof(*t->seq));
	t->down = calloc(c->peers.n, sizeof(*t->down));
	if (!t->session || !t->seq || !t->down)
		cli_die(EXIT_RUNTIME, "out of memory");
	t->t0 = cli_monotonic_ns();
	sealing_start(&t->sealing, &c->sealing, SEALING_SEAL);
	mcast_bind_tunnel(&t->bind, (uint64_t)c->tunnel_id);
	for (size_t i = 0; i < c->peers.n; i++) {
		int f = fam_slot(&c->peers.a[i]), rc;
		char a[MCAST_ADDRSTRLEN];

		mcast_session_new(t->session[i]);
		if (t->sock[f])
			continue;
		rc = open_sock(&t->sock[f], c->peers.a[i].ss_family, c->from,
			       NULL, 0);
		if (rc < 0)
			cli_die(EXIT_RUNTIME,
				"cannot open a socket to send to %s: %s",
				cli_addr(&c->peers.a[i], a, sizeof(a)),
				mcast_strerror(rc));
	}
}

/* The header of message type for peer p, at buf. */
static void put_hdr(struct tunnel_out *t, size_t p, int type, uint64_t seq,
		    size_t payload, void *buf)
{
	struct mcast_hdr h = { .type = (uint8_t)type, .seq = seq };
	uint64_t now = cli_monotonic_ns();

	memcpy(h.session, t->session[p], MCAST_SESSION_LEN);
	h.send_ns = cli_realtime_ns();
	h.elapsed_ns = now - t->t0;
	h.ttl = TUN_TTL;
	h.payload_len = (uint16_t)payload;
	mcast_hdr_encode(&h, buf, MCAST_WIRE_HDR_LEN);
}

void tunnel_out_send(struct tunnel_out *t, const struct relay_cfg *c,
		     const struct mcast_dgram *v, size_t n,
		     struct relay_counts *cnt)
{
	static unsigned char out[RELAY_BATCH][UDP_MAX];
	struct mcast_dgram d[RELAY_BATCH];
	size_t k = 0, from[RELAY_BATCH], tag = sealing_overhead(&t->sealing);

	for (size_t i = 0; i < n && i < RELAY_BATCH; i++) {
		const struct mcast_meta *m = v[i].meta;
		struct mcast_tunnel tb = { .group = m->dst,
					   .source = m->src,
					   .ttl = (uint8_t)m->ttl };

		if (v[i].len + TUN_HDR + tag > UDP_MAX ||
		    mcast_tunnel_encode(&tb, out[k] + MCAST_WIRE_HDR_LEN,
					MCAST_TUNNEL_BODY_LEN) < 0) {
			cnt->too_big++;
			continue;
		}
		memcpy(out[k] + TUN_HDR, v[i].buf, v[i].len);
		d[k] = (struct mcast_dgram){ .buf = out[k],
					     .len = v[i].len + TUN_HDR };
		from[k++] = i;
	}
	for (size_t p = 0; p < c->peers.n; p++) {
		mcast_t *s = t->sock[fam_slot(&c->peers.a[p])];
		int rc;

		for (size_t i = 0; i < k; i++) {
			size_t len = v[from[i]].len + TUN_HDR;

			/* Sealing encrypted the last peer's copy in place. */
			if (tag && p > 0)
				memcpy(out[i] + TUN_HDR, v[from[i]].buf,
				       v[from[i]].len);
			put_hdr(t, p, MCAST_MSG_TUNNEL, t->seq[p]++,
				len - MCAST_WIRE_HDR_LEN, out[i]);
			if (tag)
				len = sealing_seal(&t->sealing, &t->bind,
						   out[i], len, UDP_MAX);
			d[i].len = len;
			d[i].to = (const struct sockaddr *)&c->peers.a[p];
		}
		rc = mcast_send_batch(s, d, k);
		if ((rc < 0) != t->down[p]) {
			char a[MCAST_ADDRSTRLEN];

			relay_send_state(&t->down[p],
					 cli_addr(&c->peers.a[p], a, sizeof(a)),
					 rc);
		}
		if (p == 0) {
			size_t sent = rc > 0 ? (size_t)rc : 0;

			cnt->relayed += sent;
			for (size_t i = 0; i < sent; i++)
				cnt->bytes += v[from[i]].len;
			cnt->send_fail += k - sent;
		}
	}
}

void tunnel_out_close(struct tunnel_out *t, const struct relay_cfg *c)
{
	unsigned char
		buf[MCAST_WIRE_HDR_LEN + MCAST_END_BODY_LEN + MCAST_TAG_LEN];

	for (size_t p = 0; p < c->peers.n; p++) {
		struct mcast_end e = { .total = t->seq[p] };
		struct mcast_dgram d = {
			.buf = buf,
			.len = MCAST_WIRE_HDR_LEN + MCAST_END_BODY_LEN,
			.to = (const struct sockaddr *)&c->peers.a[p]
		};

		for (uint64_t i = 0; i < 3; i++) {
			mcast_end_encode(&e, buf + MCAST_WIRE_HDR_LEN,
					 MCAST_END_BODY_LEN);
			put_hdr(t, p, MCAST_MSG_END, i, MCAST_END_BODY_LEN,
				buf);
			if (sealing_on(&t->sealing))
				d.len = sealing_seal(&t->sealing, &t->bind, buf,
						     MCAST_WIRE_HDR_LEN +
							     MCAST_END_BODY_LEN,
						     sizeof(buf));
			mcast_send_batch(t->sock[fam_slot(&c->peers.a[p])], &d,
					 1);
		}
	}
	mcast_close(t->sock[0]);
	mcast_close(t->sock[1]);
	free(t->session);
	free(t->seq);
	free(t->down);
	sealing_stop(&t->sealing);
}

/* ---------------------------------------------------------------- */
/* The far end                                                        */

struct listener {
	const struct relay_cfg *c;
	mcast_t *in;
	mcast_t *emit[2]; /* IPv4 and IPv6 groups out of --to */
	unsigned to_index;
	mcast_tracker_t *tracker;
	struct relay_counts n;
	struct sealing sealing; /* --key */
	struct mcast_bind bind;
	struct mcast_rejects rejects;
	struct addr_index groups; /* the groups named, when any are */
	bool down;		  /* sends out of --to fail */
	double next_refresh;
	/* the tunnel sessions heard, newest at [next - 1] */
	uint8_t session[LISTEN_SESSIONS][MCAST_SESSION_LEN];
	size_t nsessions, next;
};

/* Say so when a tunnel session is heard first: a near relay that started
 * (sequence 0), or one that was running before this listener (a restart
 * of this end; the tracker counts nothing sent before it as lost). */
static void heard(struct listener *l, const struct mcast_hdr *h,
		  const struct mcast_meta *m)
{
	char a[MCAST_ADDRSTRLEN];
	size_t last = (l->next + LISTEN_SESSIONS - 1) % LISTEN_SESSIONS;

	if (l->nsessions &&
	    !memcmp(l->session[last], h->session, MCAST_SESSION_LEN))
		return;
	for (size_t i = 0; i < l->nsessions; i++)
		if (!memcmp(l->session[i], h->session, MCAST_SESSION_LEN))
			return;
	memcpy(l->session[l->next], h->session, MCAST_SESSION_LEN);
	l->next = (l->next + 1) % LISTEN_SESSIONS;
	if (l->nsessions < LISTEN_SESSIONS)
		l->nsessions++;
	cli_addr(&m->src, a, sizeof(a));
	if (h->seq == 0)
		event_print("tunnel_session", NULL, "a new session from %s", a);
	else
		event_print(
			"tunnel_session", NULL,
			"a session from %s already under way, first heard at sequence %llu",
			a, (unsigned long long)h->seq);
}

static bool allowed(const struct relay_cfg *c, const struct mcast_meta *m)
{
	if (!c->allow.n) /* sealed, and open to all who hold the key */
		return true;
	for (size_t i = 0; i < c->allow.n; i++)
		if (mcast_addr_same((const void *)&m->src,
				    (const void *)&c->allow.a[i], 0))
			return true;
	return false;
}

static bool named(const struct listener *l, const struct sockaddr_storage *g)
{
	return !l->c->ngroups || addr_index_find(&l->groups, g) >= 0;
}

/* One datagram from the tunnel: checked, accounted, sent on. */
static void take(struct listener *l, struct mcast_dgram *v)
{
	struct mcast_meta *m = v->meta, out_meta;
	struct mcast_tunnel tb;
	struct mcast_hdr h;
	int rc;

	if (!allowed(l->c, m)) {
		l->n.unallowed++;
		return;
	}
	if (m->flags & MCAST_META_TRUNC) {
		l->n.truncated++;
		return;
	}
	if (sealing_on(&l->sealing)) {
		struct timespec now;

		clock_gettime(CLOCK_REALTIME, &now);
		rc = sealing_open(&l->sealing, &l->bind, v->buf, v->len, &now,
				  NULL);
		if (rc < 0)
			return; /* counted by reason */
		v->len = (size_t)rc;
	}
	rc = mcast_hdr_decode(&h, v->buf, v->len);
	if (rc < 0 || (h.key_id != 0) != sealing_on(&l->sealing) ||
	    (h.type != MCAST_MSG_TUNNEL && h.type != MCAST_MSG_END)) {
		l->n.malformed++;
		return;
	}
	if (h.type == MCAST_MSG_TUNNEL &&
	    mcast_tunnel_decode(&tb, (uint8_t *)v->buf + rc, h.payload_len) <
		    0) {
		l->n.malformed++;
		return;
	}
	rc = mcast_tracker_feed_hdr(l->tracker, v->buf, v->len, m, rc, &h);
	if (rc == MCAST_FEED_DUP) {
		l->n.seen++;
		return;
	}
	if (h.type != MCAST_MSG_TUNNEL || rc < 0)
		return;
	heard(l, &h, m);
	if (!named(l, &tb.group)) {
		l->n.unknown++;
		return;
	}
	mcast_meta_init(&out_meta);
	out_meta.flags = MCAST_META_TTL;
	if (l->c->ttl > 0) {
		out_meta.ttl = l->c->ttl;
	} else if (tb.ttl <= 1) {
		l->n.ttl++;
		return;
	} else {
		out_meta.ttl = tb.ttl - 1;
	}
	if (tb.group.ss_family == AF_INET6 &&
	    mcast_addr_needs_iface((void *)&tb.group))
		((struct sockaddr_in6 *)&tb.group)->sin6_scope_id = l->to_index;
	size_t off = (size_t)h.hdr_len + MCAST_TUNNEL_BODY_LEN;
	struct mcast_dgram d = { .buf = (uint8_t *)v->buf + off,
				 .len = h.payload_len - MCAST_TUNNEL_BODY_LEN,
				 .meta = &out_meta,
				 .to = (struct sockaddr *)&tb.group };
	mcast_t *e = l->emit[fam_slot(&tb.group)];

	rc = e ? mcast_send_batch(e, &d, 1) : -EAFNOSUPPORT;
	if (rc == 1) {
		l->n.relayed++;
		l->n.bytes += d.len;
	} else {
		l->n.send_fail++;
	}
	if ((rc < 0) != l->down)
		relay_send_state(&l->down, l->c->to, rc);
}

/* While --to is away, apply it again every 100 ms (see relay.c). */
static void listener_refresh(struct listener *l, double now)
{
	if (!l->down || now < l->next_refresh)
		return;
	l->next_refresh = now + 0.1;
	for (int f = 0; f < 2; f++)
		if (l->emit[f])
			mcast_sender_refresh(l->emit[f]);
}

static void listener_open(struct listener *l, const struct relay_cfg *c)
{
	struct mcast_iface ifc;
	char a[MCAST_ADDRSTRLEN];
	int rc;

	if ((rc = mcast_iface_lookup(c->to, &ifc)) < 0)
		cli_die(EXIT_USAGE, "no interface '%s': %s", c->to,
			mcast_strerror(rc));
	l->to_index = ifc.index;
	rc = open_sock(&l->in, c->listen.ss_family, c->to, &c->listen,
		       MCAST_META_DST | MCAST_META_TS);
	if (rc < 0)
		cli_die(EXIT_RUNTIME, "cannot listen on %s: %s",
			cli_addr(&c->listen, a, sizeof(a)), mcast_strerror(rc));
	for (int f = 0; f < 2; f++)
		if (open_sock(&l->emit[f], f ? AF_INET6 : AF_INET, c->to, NULL,
			      0) < 0)
			cli_warn("cannot send %s groups out of %s",
				 f ? "IPv6" : "IPv4", c->to);
	sealing_start(&l->sealing, &c->sealing, SEALING_OPEN);
	mcast_bind_tunnel(&l->bind, (uint64_t)c->tunnel_id);
	if (addr_index_init(&l->groups, c->ngroups) < 0)
		cli_die(EXIT_RUNTIME, "out of memory");
	for (size_t i = 0; i < c->ngroups; i++)
		addr_index_add(&l->groups, &c->groups[i].addr, i);
	if ((rc = mcast_tracker_new(&l->tracker, NULL)) < 0)
		cli_die(EXIT_RUNTIME, "cannot allocate statistics: %s",
			mcast_strerror(rc));
	cli_info("listening for tunnels on %s, relayed out of %s",
		 cli_addr(&c->listen, a, sizeof(a)), c->to);
}

int relay_listen(const struct relay_cfg *c)
{
	static unsigned char bufs[RELAY_BATCH][CLI_DGRAM_MAX];
	static struct listener l;
	struct mcast_meta metas[RELAY_BATCH];
	struct mcast_dgram v[RELAY_BATCH];
	struct mcast_stream_stats tot;
	double deadline = c->duration > 0 ? cli_now() + c->duration : 0;
	char name[MCAST_ADDRSTRLEN + IF_NAMESIZE + 16], a[MCAST_ADDRSTRLEN];
	const char *names[1] = { name };

	l.c = c;
	listener_open(&l, c);
	relay_slots(v, metas, bufs);
	while (!cli_stop) {
		struct pollfd p[2] = {
			{ .fd = mcast_fd(l.in), .events = POLLIN },
			{ .fd = cli_stop_fd(), .events = POLLIN },
		};
		double now = cli_now(), wait = 1.0;
		int n;

		if (deadline > 0 && now >= deadline)
			break;
		if (deadline > 0 && deadline - now < wait)
			wait = deadline - now;
		listener_refresh(&l, now);
		if (poll(p, 2, cli_poll_ms(wait)) <= 0 ||
		    !(p[0].revents & POLLIN))
			continue;
		n = mcast_recv_batch(l.in, v, RELAY_BATCH, 0);
		if (n < 0 && n != -EINTR)
			cli_fail_call(EXIT_RUNTIME, l.in, n, "receive");
		for (int i = 0; i < n; i++)
			take(&l, &v[i]);
		sealing_tick(&l.sealing, cli_now());
	}
	mcast_stream_stats_init(&tot);
	mcast_tracker_totals(l.tracker, &tot);
	l.n.lost = tot.lost;
	l.n.tunnel = true;
	mcast_rejects_init(&l.rejects);
	if (sealing_rejects(&l.sealing, &l.rejects))
		l.n.rejects = &l.rejects;
	snprintf(name, sizeof(name), "tunnel %s -> %s",
		 cli_addr(&c->listen, a, sizeof(a)), c->to);
	relay_summary(c, names, &l.n, 1);
	mcast_tracker_free(l.tracker);
	addr_index_free(&l.groups);
	sealing_stop(&l.sealing);
	mcast_close(l.in);
	mcast_close(l.emit[0]);
	mcast_close(l.emit[1]);
	return EXIT_OK;
}
