/* SPDX-License-Identifier: MIT */
/*
 * mcast relay: join groups on one interface and send what arrives out of
 * another (and, with --both, the other way too), through the library's
 * batched receive and send.  Each direction has a receiver joined on its
 * --from interface and one sender per group on its --to interface, with
 * multicast loopback off so the relay never hears itself.
 */
#include "relay.h"
#include "events.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

struct relay_dir {
	const char *from, *to;
	unsigned from_index;
	mcast_t *rx;
	mcast_t **tx;			/* a sender per group (not --peer) */
	unsigned char *joined;		/* per group */
	struct sockaddr_storage *local; /* each sender's source */
	bool down;			/* sends fail: --to is away */
	double next_refresh;
	char name[2 * IF_NAMESIZE + 8];
	struct relay_counts n;
};

struct relay {
	const struct relay_cfg *c;
	struct relay_dir dir[2];
	size_t ndir;
	struct relay_seen seen;
	struct tunnel_out tun;	 /* --peer */
	struct addr_index group; /* group address -> index in c->groups */
	struct addr_index own;	 /* every sender's own source address */
};

static unsigned iface_index(const char *name)
{
	struct mcast_iface ifc;
	int rc = mcast_iface_lookup(name, &ifc);

	if (rc < 0)
		cli_die(EXIT_USAGE, "no interface '%s': %s", name,
			mcast_strerror(rc));
	return ifc.index;
}

/* A link-local scope IPv6 group goes out with the --to interface's scope,
 * whatever scope the command line gave it for --from. */
static struct sockaddr_storage out_group(const struct sockaddr_storage *g,
					 unsigned to_index)
{
	struct sockaddr_storage o = *g;

	if (o.ss_family == AF_INET6 && mcast_addr_needs_iface((void *)&o))
		((struct sockaddr_in6 *)&o)->sin6_scope_id = to_index;
	return o;
}

static void open_dir(struct relay *r, struct relay_dir *d)
{
	const struct relay_cfg *c = r->c;
	struct mcast_opts o;
	char step[MCAST_ERRMSG_MAX] = "", line[1024] = "joined";
	size_t used = strlen(line), joined = 0;
	unsigned to_index = d->to ? iface_index(d->to) : 0;
	int rc;

	d->from_index = iface_index(d->from);
	snprintf(d->name, sizeof(d->name), "%s -> %s", d->from,
		 d->to ? d->to : "tunnel");
	mcast_opts_init(&o);
	o.iface = d->from;
	o.rcvbuf = c->rcvbuf;
	o.meta = MCAST_META_DST | MCAST_META_TTL;
	o.flags = MCAST_OPT_WATCH;
	o.errbuf = step;
	o.errlen = sizeof(step);
	if ((rc = mcast_receiver_open(&d->rx, &o)) < 0)
		cli_fail_step(EXIT_RUNTIME, step, rc, "cannot open receiver");
	d->tx = calloc(c->ngroups, sizeof(*d->tx));
	d->local = calloc(c->ngroups, sizeof(*d->local));
	d->joined = calloc(c->ngroups, 1);
	if (!d->tx || !d->local || !d->joined)
		cli_die(EXIT_RUNTIME, "out of memory");
	for (size_t i = 0; i < c->ngroups; i++) {
		const struct group_arg *g = &c->groups[i];
		struct sockaddr_storage og = out_group(&g->addr, to_index);
		struct mcast_info info;

		mcast_info_init(&info);

		rc = mcast_join(d->rx, (const struct sockaddr *)&g->addr,
				g->sources, g->nsources);
		if (rc < 0) {
			cli_warn("cannot join %s on %s: %s (%s)", g->text,
				 d->from, mcast_strerror(rc),
				 mcast_errmsg(d->rx));
			continue;
		}
		d->joined[i] = 1;
		if (!d->to)
			goto listed;
		mcast_opts_init(&o);
		o.iface = d->to;
		o.loop = 0;
		o.errbuf = step;
		o.errlen = sizeof(step);
		rc = mcast_sender_open(&d->tx[i], (struct sockaddr *)&og, &o);
		if (rc < 0)
			cli_fail_step(EXIT_RUNTIME, step, rc,
				      "cannot open a sender on --to");
		mcast_get_info(d->tx[i], &info);
		d->local[i] = info.local;
	listed:
		if (joined++ >= 8)
			continue;
		group_arg_append_joined(line, sizeof(line), &used, joined == 1,
					g, d->from);
	}
	if (!joined)
		cli_die(EXIT_RUNTIME,
			"every join on %s failed: nothing to relay", d->from);
	if (joined > 8)
		cli_append(line, sizeof(line), &used, " and %zu more",
			   joined - 8);
	if (d->to)
		cli_info("%s, relayed out of %s", line, d->to);
	else
		cli_info("%s, relayed through %zu tunnel%s", line, c->peers.n,
			 c->peers.n == 1 ? "" : "s");
}

/* Sent by one of this relay's senders: a loop brought it back. */
static bool own(const struct relay *r, const struct sockaddr_storage *src)
{
	return addr_index_find(&r->own, src) >= 0;
}

/* The group a datagram was sent to, among the relay's; -1 if none. */
static long find_group(const struct relay *r,
		       const struct sockaddr_storage *dst)
{
	return addr_index_find(&r->group, dst);
}

/* Send the run v[0..n) to group g's sender; count what went. */
static void send_run(struct relay *r, struct relay_dir *d, size_t g,
		     struct mcast_dgram *v, size_t n, const uint64_t *hash,
		     uint64_t now)
{
	int rc = mcast_send_batch(d->tx[g], v, n);
	size_t sent = rc > 0 ? (size_t)rc : 0;

	for (size_t i = 0; i < sent; i++) {
		relay_seen_add(&r->seen, hash[i], now);
		d->n.relayed++;
		d->n.bytes += v[i].len;
	}
	d->n.send_fail += n - sent;
	relay_send_state(&d->down, d->to, rc);
}

void relay_send_state(bool *down, const char *what, int rc)
{
	if (rc >= 0 && *down) {
		*down = false;
		event_print("send_resumed", what, "relaying again");
	} else if (rc < 0 && relay_link_error(rc) && !*down) {
		*down = true;
		event_print("send_failed", what,
			    "%s; dropping until it is back",
			    mcast_strerror(rc));
	}
}

/* Decide for each datagram received in d, then send the keepers in runs
 * of one group. */
static void relay_batch(struct relay *r, struct relay_dir *d,
			struct mcast_dgram *v, size_t n)
{
	struct mcast_dgram out[RELAY_BATCH];
	uint64_t hash[RELAY_BATCH], now = cli_monotonic_ns();
	long group[RELAY_BATCH];
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		struct mcast_meta *m = v[i].meta;
		long g;

		if (m->flags & MCAST_META_TRUNC) {
			d->n.truncated++;
			continue;
		}
		/* An IPv6 socket hears a group joined on any interface. */
		if (m->ifindex && m->ifindex != d->from_index) {
			d->n.other_if++;
			continue;
		}
		if (own(r, &m->src)) {
			d->n.own++;
			continue;
		}
		if ((g = find_group(r, &m->dst)) < 0 || !d->joined[g]) {
			d->n.unknown++;
			continue;
		}
		/* The tunnel carries the arrival TTL; its far end decides. */
		if (r->c->peers.n) {
			if (!(m->flags & MCAST_META_TTL))
				m->ttl = 0;
		} else if (r->c->ttl > 0) {
			m->ttl = r->c->ttl;
		} else if (!(m->flags & MCAST_META_TTL) || m->ttl <= 1) {
			d->n.ttl++;
			continue;
		} else {
			m->ttl--;
		}
		m->flags |= MCAST_META_TTL;
		hash[k] =
			relay_seen_hash(&r->seen, &m->dst, v[i].buf, v[i].len);
		if (relay_seen_recent(&r->seen, hash[k], now)) {
			d->n.seen++;
			continue;
		}
		/* A copy later in this batch is a copy too. */
		relay_seen_add(&r->seen, hash[k], now);
		out[k] = v[i];
		out[k].to = NULL;
		group[k++] = g;
	}
	if (r->c->peers.n) {
		tunnel_out_send(&r->tun, r->c, out, k, &d->n);
		return;
	}
	for (size_t s = 0, e; s < k; s = e) {
		for (e = s + 1; e < k && group[e] == group[s]; e++)
			;
		send_run(r, d, (size_t)group[s], &out[s], e - s, &hash[s], now);
	}
}

/* While --to is away, look it up again by name every 100 ms: when it was
 * deleted and created again, the senders must take its new index.  The
 * next send that goes through says it is back. */
static void refresh(const struct relay *r, struct relay_dir *d, double now)
{
	if (!d->down || now < d->next_refresh)
		return;
	d->next_refresh = now + 0.1;
	for (size_t i = 0; i < r->c->ngroups; i++)
		if (d->tx[i])
			mcast_sender_refresh(d->tx[i]);
}

int cmd_relay(int argc, char **argv)
{
	static struct relay_cfg c;
	static struct relay r;
	static unsigned char bufs[RELAY_BATCH][CLI_DGRAM_MAX];
	struct mcast_meta metas[RELAY_BATCH];
	struct mcast_dgram v[RELAY_BATCH];
	double deadline = 0;

	relay_parse_args(argc, argv, &c);
	events_json = c.json;
	cli_signals();
	cli_stdout_lines();
	if (c.listen.ss_family != AF_UNSPEC)
		return relay_listen(&c);
	if (c.amt.ss_family != AF_UNSPEC)
		return relay_amt(&c);
	r.c = &c;
	r.dir[0] = (struct relay_dir){ .from = c.from, .to = c.to };
	r.dir[1] = (struct relay_dir){ .from = c.to, .to = c.from };
	r.ndir = c.both ? 2 : 1;
	if (relay_seen_init(&r.seen) < 0)
		cli_die(EXIT_RUNTIME, "out of memory");
	if (c.peers.n)
		tunnel_out_open(&r.tun, &c);
	for (size_t k = 0; k < r.ndir; k++)
		open_dir(&r, &r.dir[k]);
	if (addr_index_init(&r.group, c.ngroups) < 0 ||
	    addr_index_init(&r.own, r.ndir * c.ngroups) < 0)
		cli_die(EXIT_RUNTIME, "out of memory");
	for (size_t i = 0; i < c.ngroups; i++) {
		addr_index_add(&r.group, &c.groups[i].addr, i);
		for (size_t k = 0; k < r.ndir; k++)
			if (r.dir[k].tx[i])
				addr_index_add(&r.own, &r.dir[k].local[i], 0);
	}
	if (c.duration > 0)
		deadline = cli_now() + c.duration;
	relay_slots(v, metas, bufs);
	while (!cli_stop) {
		struct pollfd p[3];
		double now = cli_now(), wait = 1.0;

		if (deadline > 0 && now >= deadline)
			break;
		if (deadline > 0 && deadline - now < wait)
			wait = deadline - now;
		for (size_t k = 0; k < r.ndir; k++)
			p[k] = (struct pollfd){ .fd = mcast_fd(r.dir[k].rx),
						.events = POLLIN };
		p[r.ndir] = (struct pollfd){ .fd = cli_stop_fd(),
					     .events = POLLIN };
		if (poll(p, r.ndir + 1, cli_poll_ms(wait)) < 0 &&
		    errno != EINTR)
			cli_die(EXIT_RUNTIME, "poll: %s", strerror(errno));
		for (size_t k = 0; k < r.ndir; k++) {
			struct relay_dir *d = &r.dir[k];
			int n;

			events_report(d->rx);
			refresh(&r, d, now);
			if (!(p[k].revents & POLLIN))
				continue;
			n = mcast_recv_batch(d->rx, v, RELAY_BATCH, 0);
			if (n < 0 && n != -EINTR)
				cli_fail_call(EXIT_RUNTIME, d->rx, n,
					      "receive");
			if (n > 0)
				relay_batch(&r, d, v, (size_t)n);
		}
	}
	const char *names[2];
	struct relay_counts counts[2];

	for (size_t k = 0; k < r.ndir; k++) {
		names[k] = r.dir[k].name;
		counts[k] = r.dir[k].n;
		mcast_close(r.dir[k].rx);
		for (size_t i = 0; i < c.ngroups; i++)
			mcast_close(r.dir[k].tx[i]);
		free(r.dir[k].tx);
		free(r.dir[k].local);
		free(r.dir[k].joined);
	}
	if (c.peers.n) {
		tunnel_out_close(&r.tun, &c);
		counts[0].tunnel = true;
	}
	relay_summary(&c, names, counts, r.ndir);
	relay_seen_free(&r.seen);
	addr_index_free(&r.group);
	addr_index_free(&r.own);
	return EXIT_OK;
}
