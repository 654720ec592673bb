/* SPDX-License-Identifier: MIT */
/*
 * mcast recv --amt RELAY[:PORT]: an AMT gateway (RFC 7450, docs/PROTOCOL.md
 * "AMT").  Relay Discovery to RELAY, then Request, Membership Query (its
 * MAC and nonce) and Membership Update with IGMPv3/MLDv2 reports of the
 * groups given, again every query interval; Multicast Data is taken
 * apart into what the rest of recv gets from a socket.  When the relay
 * says our address changed (a NAT rebinding), the next update comes from
 * the new one and a Teardown frees what the relay kept for the old one.
 */
#include "recv_amt.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#define AMT_RETRY \
	1.0 /* seconds before a lost discovery or request is sent again */
#define AMT_RETRIES 5 /* requests unanswered before discovering again */

static uint32_t nonce(void)
{
	uint32_t n = 0;

	while (getrandom(&n, sizeof(n), 0) != sizeof(n) || !n)
		;
	return n;
}

static void set_port(struct sockaddr_storage *a, unsigned port)
{
	if (a->ss_family == AF_INET6)
		((struct sockaddr_in6 *)a)->sin6_port = htons((uint16_t)port);
	else
		((struct sockaddr_in *)a)->sin_port = htons((uint16_t)port);
}

static socklen_t len_of(const struct sockaddr_storage *a)
{
	return a->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6)
					: sizeof(struct sockaddr_in);
}

static void send_msg(struct amt_gw *g, const struct mcast_amt *m)
{
	uint8_t buf[2048];
	int n = mcast_amt_encode(m, buf, sizeof(buf));

	/* A lost message is sent again at the next retry. */
	if (n > 0)
		(void)sendto(g->fd, buf, (size_t)n, 0, (const void *)&g->relay,
			     len_of(&g->relay));
}

static void discover(struct amt_gw *g, double now)
{
	struct mcast_amt m = { .type = MCAST_AMT_DISCOVERY };

	g->state = AMT_DISCOVER;
	g->nonce = m.nonce = nonce();
	send_msg(g, &m);
	g->next = now + AMT_RETRY;
}

static void request(struct amt_gw *g, double now)
{
	struct mcast_amt m = { .type = MCAST_AMT_REQUEST, .mld = g->mld };

	if (g->unanswered++ >= AMT_RETRIES) {
		cli_warn("AMT relay %s does not answer: discovering it again",
			 g->c->amt_text);
		g->relay = g->c->amt;
		g->unanswered = 0;
		discover(g, now);
		return;
	}
	g->nonce = m.nonce = nonce();
	send_msg(g, &m);
	g->next = now + AMT_RETRY;
}

/* One report of the groups of a family: (S,G) as INCLUDE, (*,G) as
 * EXCLUDE with no source; leave: TO_INCLUDE with none.  Sent as an
 * update with the last query's MAC and nonce. */
static void update(struct amt_gw *g, int fam, bool leave)
{
	static struct mcast_amt_record rec[64];
	const struct recv_cfg *c = g->c;
	struct mcast_amt_memb r = { .family = fam, .records = rec };
	struct mcast_amt m = { .type = MCAST_AMT_UPDATE };
	uint8_t ip[1400];
	int n;

	for (size_t i = 0; i < c->ngroups; i++) {
		const struct group_arg *a = &c->groups[i];
		struct mcast_amt_record *x = &rec[r.nrecords];

		if (a->addr.ss_family != fam)
			continue;
		/* Another port of a group already reported: the same join. */
		bool dup = false;

		for (size_t k = 0; k < r.nrecords; k++)
			dup |= mcast_addr_same((const void *)&rec[k].group,
					       (const void *)&a->addr, 0) &&
			       rec[k].nsources == a->nsources;
		if (dup)
			continue;
		memset(x, 0, sizeof(*x));
		x->group = a->addr;
		set_port(&x->group, 0);
		x->nsources = leave ? 0 : a->nsources;
		for (size_t k = 0; k < x->nsources; k++)
			x->sources[k] = a->sources[k];
		x->type = leave		? MCAST_REC_TO_INCLUDE
			  : a->nsources ? MCAST_REC_IS_INCLUDE
					: MCAST_REC_IS_EXCLUDE;
		/* A report holds as many records as a datagram does. */
		if (++r.nrecords == sizeof(rec) / sizeof(rec[0]))
			break;
	}
	if (!r.nrecords || (n = mcast_amt_memb_encode(&r, ip, sizeof(ip))) < 0)
		return;
	memcpy(m.mac, g->mac, sizeof(m.mac));
	m.nonce = g->mac_nonce;
	m.ip = ip;
	m.ip_len = (size_t)n;
	send_msg(g, &m);
}

static void joined_line(struct amt_gw *g)
{
	char line[1024] = "joined", a[MCAST_ADDRSTRLEN + 8];
	size_t used = strlen(line);

	for (size_t i = 0; i < g->c->ngroups && i < 8; i++)
		cli_append(line, sizeof(line), &used, "%s %s", i ? "," : "",
			   g->c->groups[i].text);
	if (g->c->ngroups > 8)
		cli_append(line, sizeof(line), &used, " and %zu more",
			   g->c->ngroups - 8);
	cli_info("%s through AMT relay %s", line,
		 cli_addr(&g->relay, a, sizeof(a)));
	g->said = true;
}

static void on_query(struct amt_gw *g, const struct mcast_amt *m, double now)
{
	struct mcast_amt_memb q = { 0 };

	if (g->state == AMT_DISCOVER || m->nonce != g->nonce)
		return; /* not an answer to our last request */
	if (mcast_amt_memb_decode(&q, m->ip, m->ip_len) < 0 || !q.query)
		return;
	/* The relay saw us elsewhere than before: tear down what it
	 * keeps for the old address, with the MAC it gave that one. */
	if (m->gateway && g->have_mac && g->seen.ss_family &&
	    !mcast_addr_same((const void *)&g->seen, (const void *)&m->addr,
			     1)) {
		struct mcast_amt t = { .type = MCAST_AMT_TEARDOWN,
				       .nonce = g->mac_nonce,
				       .addr = g->seen };
		char a[MCAST_ADDRSTRLEN + 8], b[MCAST_ADDRSTRLEN + 8];

		memcpy(t.mac, g->mac, sizeof(t.mac));
		send_msg(g, &t);
		cli_info(
			"AMT relay now sees this gateway as %s, not %s: tore down the old one",
			cli_addr(&m->addr, a, sizeof(a)),
			cli_addr(&g->seen, b, sizeof(b)));
	}
	if (m->gateway)
		g->seen = m->addr;
	memcpy(g->mac, m->mac, sizeof(g->mac));
	g->mac_nonce = m->nonce;
	g->have_mac = true;
	g->interval = q.qqi ? q.qqi : 125;
	update(g, AF_INET, false);
	update(g, AF_INET6, false);
	g->state = AMT_JOINED;
	g->unanswered = 0;
	g->next = now + g->interval;
	if (!g->said)
		joined_line(g);
}

/* A Multicast Data message's datagram into v, if it is for a group (and
 * port, and source) given; 1 when it was taken. */
static int take(struct amt_gw *g, const struct mcast_amt *m,
		struct mcast_dgram *v)
{
	struct sockaddr_storage src, dst;
	int ttl, off = mcast_amt_udp_decode(m->ip, m->ip_len, &src, &dst, &ttl);
	bool ours = false;
	size_t len;

	if (off < 0)
		return 0;
	for (size_t i = 0; i < g->c->ngroups && !ours; i++) {
		const struct group_arg *a = &g->c->groups[i];

		if (!mcast_addr_same((const void *)&a->addr, (const void *)&dst,
				     1))
			continue;
		ours = !a->nsources;
		for (size_t k = 0; k < a->nsources; k++)
			ours |= mcast_addr_same((const void *)&a->sources[k],
						(const void *)&src, 0);
	}
	if (!ours) {
		g->foreign++;
		return 0;
	}
	len = m->ip_len - (size_t)off;
	v->len = len < v->cap ? len : v->cap;
	memcpy(v->buf, m->ip + off, v->len);
	if (v->meta) {
		struct mcast_meta *x = v->meta;

		x->flags = MCAST_META_DST | MCAST_META_TTL |
			   (len > v->cap ? MCAST_META_TRUNC : 0);
		x->len = len;
		x->src = src;
		x->dst = dst;
		x->ifindex = 0;
		x->ttl = ttl;
		clock_gettime(CLOCK_REALTIME, &x->ts);
	}
	g->data++;
	return 1;
}

static int handle(struct amt_gw *g, const uint8_t *buf, size_t n,
		  bool from_relay, struct mcast_dgram *v, double now)
{
	struct mcast_amt m;

	if (mcast_amt_decode(&m, buf, n) < 0 ||
	    (!from_relay && m.type != MCAST_AMT_ADVERTISEMENT))
		return 0;
	switch (m.type) {
	case MCAST_AMT_ADVERTISEMENT:
		if (g->state != AMT_DISCOVER || m.nonce != g->nonce)
			return 0;
		/* The relay named: the address it advertises, our port. */
		g->relay = m.addr;
		set_port(&g->relay, mcast_addr_port((const void *)&g->c->amt));
		g->state = AMT_REQUEST;
		g->unanswered = 0;
		request(g, now);
		return 0;
	case MCAST_AMT_QUERY:
		on_query(g, &m, now);
		return 0;
	case MCAST_AMT_DATA:
		return take(g, &m, v);
	}
	return 0;
}

void amt_gw_start(struct amt_gw *g, const struct recv_cfg *c)
{
	char a[MCAST_ADDRSTRLEN + 8];

	memset(g, 0, sizeof(*g));
	g->c = c;
	g->relay = c->amt;
	g->interval = 125;
	g->mld = true;
	for (size_t i = 0; i < c->ngroups; i++)
		if (c->groups[i].addr.ss_family == AF_INET)
			g->mld = false;
	g->fd = socket(c->amt.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (g->fd < 0)
		cli_die(EXIT_RUNTIME, "cannot open the AMT socket: %s",
			strerror(errno));
	if (c->opts.rcvbuf > 0)
		setsockopt(g->fd, SOL_SOCKET, SO_RCVBUF, &c->opts.rcvbuf,
			   sizeof(c->opts.rcvbuf));
	cli_info("discovering AMT relay %s", cli_addr(&c->amt, a, sizeof(a)));
	discover(g, cli_now());
}

int amt_gw_recv(struct amt_gw *g, struct mcast_dgram *v, size_t n, int ms)
{
	static uint8_t buf[65600];
	double now = cli_now();
	int wait = g->next > now ? cli_poll_ms(g->next - now) : 0;
	struct pollfd p[2] = { { .fd = g->fd, .events = POLLIN },
			       { .fd = cli_stop_fd(), .events = POLLIN } };
	size_t got = 0;

	if (ms >= 0 && ms < wait)
		wait = ms;
	if (poll(p, 2, wait) < 0 && errno != EINTR)
		return -errno;
	now = cli_now();
	while (got < n) {
		struct sockaddr_storage from;
		socklen_t fl = sizeof(from);
		bool from_relay;
		ssize_t k = recvfrom(g->fd, buf, sizeof(buf), MSG_DONTWAIT,
				     (void *)&from, &fl);

		if (k < 0)
			break;
		/* Only the relay speaks to us; while discovering, whoever
		 * answers the discovery's nonce may advertise one. */
		from_relay = mcast_addr_same((const void *)&from,
					     (const void *)&g->relay, 1);
		if (!from_relay && g->state != AMT_DISCOVER)
			continue;
		got += (size_t)handle(g, buf, (size_t)k, from_relay, &v[got],
				      now);
	}
	if (now >= g->next) {
		if (g->state == AMT_DISCOVER)
			discover(g, now);
		else
			request(g, now);
	}
	return (int)got;
}

void amt_gw_stop(struct amt_gw *g)
{
	if (g->have_mac) {
		update(g, AF_INET, true);
		update(g, AF_INET6, true);
	}
	close(g->fd);
}
