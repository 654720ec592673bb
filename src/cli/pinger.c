/* SPDX-License-Identifier: MIT */
/*
 * mcast ping, the pinging side: pings on a monotonic schedule, replies by
 * multicast (read from a socket joined to the group) and by unicast (read
 * from the sending socket itself), RTT histograms per responder and path.
 */
#include "json.h"
#include "pinger.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct pinger {
	const struct ping_cfg *c;
	mcast_t *tx, *rx;
	struct sealing sealing;
	/* sealed: pings and every pong, unicast ones too, are bound to
	 * the group and port the pings go to */
	struct mcast_bind bind;
	struct mcast_hdr hdr;
	unsigned char *ping_buf;
	uint64_t sent;
	struct responder *resp;
	size_t nresp;
	uint64_t foreign;  /* replies to other pingers' sessions */
	uint64_t overflow; /* replies from responders past MAX_RESPONDERS */
	/* replies to the latest ping waited for (busy polling, --pingpong)
	 * and seen; with none awaited, any reply counts */
	unsigned want, got;
	bool await_any;
	double last_send;   /* monotonic, of the latest ping */
	bool ucast_refused; /* this host turned a unicast datagram away */
};

/* Busy polling spins after a ping for at most this long, then sleeps. */
#define SPIN_BUDGET 0.002
/* A path that missed this many pings in a row is not waited for until it
 * answers again: a responder that went away would otherwise cost every
 * later ping a full --wait in the closed loop, and 2 ms of spinning. */
#define MISS_LIMIT 3

static bool same_host(const struct sockaddr_storage *a,
		      const struct sockaddr_storage *b)
{
	return mcast_addr_same((const struct sockaddr *)a,
			       (const struct sockaddr *)b, 0);
}

/*
 * A responder is its session id, not its address: its multicast and
 * unicast replies may leave from different addresses (an IPv6 link-local
 * group's from fe80::, unicast to a --bind address from a global one), and
 * two responders on one host share an address.  A responder named with
 * --responder takes the first session that answers from its address; a
 * session first heard from another of its addresses takes the name over.
 */
static struct responder *find_responder(struct pinger *p,
					const struct sockaddr_storage *src,
					const uint8_t *session)
{
	size_t same = p->nresp, named = p->nresp;

	for (size_t i = 0; i < p->nresp; i++) {
		struct responder *r = &p->resp[i];

		if (!session && same_host(&r->addr, src))
			return r;
		if (session && r->answered &&
		    !memcmp(r->session, session, MCAST_SESSION_LEN))
			same = i;
		else if (!r->answered && named == p->nresp &&
			 same_host(&r->addr, src))
			named = i;
	}
	if (same < p->nresp && named < p->nresp && !p->resp[same].named) {
		p->resp[same].named = true;
		p->resp[same].addr = p->resp[named].addr;
		memmove(&p->resp[named], &p->resp[named + 1],
			(p->nresp - named - 1) * sizeof(*p->resp));
		p->nresp--;
		if (named < same)
			same--;
	}
	if (same < p->nresp)
		return &p->resp[same];
	if (named < p->nresp) {
		memcpy(p->resp[named].session, session, MCAST_SESSION_LEN);
		return &p->resp[named];
	}
	if (p->nresp == MAX_RESPONDERS) {
		p->overflow++;
		return NULL;
	}
	struct responder *r = &p->resp[p->nresp++];

	memset(r, 0, sizeof(*r));
	r->addr = *src;
	if (session)
		memcpy(r->session, session, MCAST_SESSION_LEN);
	for (int k = 0; k < NPATHS; k++)
		mcast_hist_init(&r->path[k].rtt);
	return r;
}

static void print_reply(const struct pinger *p, const struct responder *r,
			int path, uint64_t seq, double rtt_ms,
			const struct mcast_meta *meta)
{
	const struct sockaddr *src = (const struct sockaddr *)&meta->src;
	char a[MCAST_ADDRSTRLEN];

	mcast_addr_format(src, 0, a, sizeof(a));
	if (p->c->json) {
		struct json j;

		json_record(&j, stdout, "reply");
		json_string(&j, "responder", a);
		json_uint(&j, "port", mcast_addr_port(src));
		json_hex(&j, "session", r->session, MCAST_SESSION_LEN);
		json_string(&j, "path", path_names[path]);
		json_uint(&j, "seq", seq);
		json_double(&j, "rtt_ms", rtt_ms, 4);
		json_uint(&j, "bytes", meta->len);
		if (meta->flags & MCAST_META_TTL)
			json_int(&j, "ttl", meta->ttl);
		json_end(&j);
	} else {
		printf("%zu bytes from %s: seq=%llu %s time=%.3f ms\n",
		       meta->len, a, (unsigned long long)seq, path_names[path],
		       rtt_ms);
	}
}

static void take_reply(struct pinger *p, unsigned char *buf, size_t len,
		       const struct mcast_meta *meta, const struct timespec *rt)
{
	struct mcast_hdr h;
	struct mcast_pong body;
	struct responder *r;
	int off;

	if (sealing_on(&p->sealing)) {
		int n = sealing_open(&p->sealing, &p->bind, buf, len, rt, &h);

		if (n < 0)
			return;
		off = h.hdr_len;
	} else {
		off = mcast_hdr_decode(&h, buf, len);
		if (off < 0 || h.key_id != 0)
			return;
	}
	if (h.type != MCAST_MSG_PONG ||
	    mcast_pong_decode(&body, buf + off, h.payload_len) < 0)
		return;
	if (memcmp(body.ping_session, p->hdr.session, MCAST_SESSION_LEN) != 0 ||
	    body.ping_seq >= p->sent) {
		p->foreign++;
		return;
	}
	if (!(r = find_responder(p, &meta->src, h.session)))
		return;
	int path = (h.flags & MCAST_HDR_UNICAST) ? PATH_UCAST : PATH_MCAST;
	struct path_stats *ps = &r->path[path];
	uint64_t bit = body.ping_seq % SEEN_BITS;

	if (!r->answered || body.ping_seq < r->first_seq)
		r->first_seq = body.ping_seq;
	r->answered = true;
	/* The window holds the last SEEN_BITS pings; a reply older than that
	 * is counted, not checked, and pings are far apart in practice. */
	if (p->sent - body.ping_seq <= SEEN_BITS &&
	    (ps->seen[bit / 64] >> (bit % 64)) & 1) {
		ps->duplicates++;
		return;
	}
	ps->seen[bit / 64] |= 1ull << (bit % 64);
	if (!ps->replies++)
		ps->src = meta->src;
	if (ps->replies == 1 || body.ping_seq > ps->last_seq)
		ps->last_seq = body.ping_seq;
	if (body.ping_seq + 1 == p->sent && (ps->awaited || p->await_any))
		p->got++;
	uint64_t now = (meta->flags & MCAST_META_TS)
			       ? (uint64_t)meta->ts.tv_sec * 1000000000u +
					 (uint64_t)meta->ts.tv_nsec
			       : cli_realtime_ns();
	uint64_t rtt = now > body.ping_send_ns ? now - body.ping_send_ns : 0;

	mcast_hist_add(&ps->rtt, rtt);
	if (!p->c->quiet)
		print_reply(p, r, path, body.ping_seq, (double)rtt / 1e6, meta);
}

static void send_ping(struct pinger *p)
{
	struct mcast_dgram d = { .buf = p->ping_buf,
				 .len = (size_t)p->c->size };
	uint64_t seq = p->sent;
	int rc;

	/* A new ping clears the duplicate bit its slot held SEEN_BITS ago. */
	for (size_t i = 0; i < p->nresp; i++)
		for (int k = 0; k < NPATHS; k++)
			p->resp[i].path[k].seen[(seq % SEEN_BITS) / 64] &=
				~(1ull << (seq % 64));
	p->hdr.seq = seq;
	p->hdr.send_ns = cli_realtime_ns();
	mcast_hdr_encode(&p->hdr, p->ping_buf, (size_t)p->c->size);
	if (sealing_on(&p->sealing))
		sealing_reseal(&p->sealing, &p->bind, p->ping_buf, d.len, "",
			       0);
	rc = mcast_send_batch(p->tx, &d, 1);
	if (rc < 0)
		cli_fail_call(EXIT_RUNTIME, p->tx, rc, "send ping");
	p->sent++;
	/* Each responder heard lately answers on each path asked for. */
	p->got = 0;
	p->want = 0;
	bool heard = false;

	for (size_t i = 0; i < p->nresp; i++)
		for (int k = 0; k < NPATHS; k++) {
			struct path_stats *ps = &p->resp[i].path[k];
			unsigned asked = k == PATH_MCAST ? MCAST_HDR_WANT_MCAST
							 : MCAST_HDR_WANT_UCAST;

			ps->awaited = (p->c->reply & asked) && ps->replies &&
				      seq - ps->last_seq <= MISS_LIMIT;
			p->want += ps->awaited;
			heard |= p->resp[i].answered;
		}
	/* Until a first reply any reply is waited for; once all heard so far
	 * have gone quiet, none is. */
	p->await_any = !heard;
	if (p->await_any)
		p->want = 1;
	p->last_send = cli_now();
}

/* Read whatever replies are waiting on fd (the group or the unicast port). */
static void drain(struct pinger *p, mcast_t *m)
{
	static unsigned char bufs[CLI_RECV_BATCH][CLI_DGRAM_MAX];
	struct mcast_meta metas[CLI_RECV_BATCH];
	struct mcast_dgram v[CLI_RECV_BATCH];
	int rc;

	for (size_t i = 0; i < CLI_RECV_BATCH; i++) {
		mcast_meta_init(&metas[i]);
		v[i] = (struct mcast_dgram){ .buf = bufs[i],
					     .cap = CLI_DGRAM_MAX,
					     .meta = &metas[i] };
	}
	struct timespec now;

	rc = mcast_recv_batch(m, v, CLI_RECV_BATCH, 0);
	if (rc < 0 && rc != -EINTR)
		cli_fail_call(EXIT_RUNTIME, m, rc, "receive replies");
	if (rc > 0 && sealing_on(&p->sealing))
		clock_gettime(CLOCK_REALTIME, &now);
	for (int i = 0; i < rc; i++)
		take_reply(p, v[i].buf, v[i].len, &metas[i], &now);
	if (rc > 0 && !p->c->quiet)
		fflush(stdout);
}

/*
 * Busy polling: both sockets read without sleeping, but only while the
 * replies to the latest ping are due - until every responder heard lately
 * has answered on each path, or SPIN_BUDGET has passed.  Spinning through
 * the whole gap to the next ping would keep a second core busy besides a
 * busy responder's, and any other task on the machine would then take
 * one of them for a scheduler slice: milliseconds in the tail.
 */
static void spin_replies(struct pinger *p, double until)
{
	/* Only unicast replies come to the sending socket: with none asked
	 * for, a read of it would only lengthen each turn of the loop. */
	bool ucast = p->c->reply & MCAST_HDR_WANT_UCAST;
	double now;

	while (!cli_stop && (now = cli_now()) < until && p->got < p->want &&
	       now < p->last_send + SPIN_BUDGET) {
		if (ucast)
			drain(p, p->tx);
		if (p->rx)
			drain(p, p->rx);
	}
}

/* Read replies until `until`; with answered, return as soon as every
 * reply to the latest ping is in. */
static void wait_replies(struct pinger *p, double until, bool answered)
{
	if (p->c->busy_poll)
		spin_replies(p, until);
	/* The stop pipe ends the wait even for a signal that came just
	 * before it began. */
	struct pollfd fds[3] = { { .fd = mcast_fd(p->tx), .events = POLLIN },
				 { .fd = p->rx ? mcast_fd(p->rx) : -1,
				   .events = POLLIN },
				 { .fd = cli_stop_fd(), .events = POLLIN } };

	while (!cli_stop) {
		double left = until - cli_now();

		if (left <= 0 || (answered && p->got >= p->want))
			return;
		/* Nanoseconds, not poll()'s milliseconds: above 1000 pings/s
		 * a rounded-up wait would send pings late and in bunches. */
		struct timespec ts = cli_timespec(left);
		int n = ppoll(fds, 3, &ts, NULL);

		if (n < 0 && errno != EINTR)
			cli_die(EXIT_RUNTIME, "poll: %s", strerror(errno));
		if (n <= 0)
			continue;
		if (fds[0].revents & POLLIN)
			drain(p, p->tx);
		if (p->rx && (fds[1].revents & POLLIN))
			drain(p, p->rx);
	}
}

#define SELF_CHECK "mcast ping: is this socket open to unicast?"

/*
 * Unicast replies come to the sending socket.  Send it one datagram from
 * this host before the first ping: if it does not arrive, this host turns
 * unicast datagrams to the socket away (a firewall here, or the socket
 * itself, as an IPv6 socket kept connected to the group once did), and a
 * unicast path that stays silent is not the network's fault.  It arrives
 * at once when it does; the wait is only for a loaded machine.
 */
static bool unicast_reaches_us(mcast_t *tx)
{
	struct mcast_info info;
	struct sockaddr_storage to;
	unsigned char buf[sizeof(SELF_CHECK)];
	struct mcast_dgram d = { .buf = buf, .cap = sizeof(buf) };
	double until = cli_now() + 1;
	bool ok = false;
	int fd;

	mcast_info_init(&info);
	mcast_get_info(tx, &info);
	to = info.local;
	/* No IPv4 source (0.0.0.0): the socket is still reachable on lo. */
	if (to.ss_family == AF_INET &&
	    ((struct sockaddr_in *)&to)->sin_addr.s_addr == htonl(INADDR_ANY))
		((struct sockaddr_in *)&to)->sin_addr.s_addr =
			htonl(INADDR_LOOPBACK);
	fd = socket(to.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return true; /* no verdict without the check */
	if (sendto(fd, SELF_CHECK, sizeof(SELF_CHECK), 0,
		   (struct sockaddr *)&to,
		   mcast_addr_len((struct sockaddr *)&to)) < 0) {
		close(fd);
		return true;
	}
	while (!ok && !cli_stop) {
		int ms = (int)((until - cli_now()) * 1000);

		if (ms <= 0 || mcast_recv_batch(tx, &d, 1, ms) <= 0)
			break;
		ok = d.len == sizeof(SELF_CHECK) &&
		     !memcmp(buf, SELF_CHECK, sizeof(SELF_CHECK));
	}
	close(fd);
	return ok || cli_stop;
}

int ping_run(const struct ping_cfg *c)
{
	static struct pinger p;
	struct mcast_info info;
	double start, step = 1.0 / c->rate, end_at;
	int rc;

	p.c = c;
	p.resp = calloc(MAX_RESPONDERS, sizeof(*p.resp));
	p.ping_buf = calloc(1, (size_t)c->size);
	if (!p.resp || !p.ping_buf)
		cli_die(EXIT_RUNTIME, "out of memory");
	for (size_t i = 0; i < c->nnamed; i++)
		find_responder(&p, &c->named[i], NULL)->named = true;
	sealing_start(&p.sealing, &c->sealing, SEALING_SEAL | SEALING_OPEN);
	if (sealing_on(&p.sealing))
		sealing_bind(&p.bind, &c->group);
	ping_open(c, (c->reply & MCAST_HDR_WANT_MCAST) != 0, &p.tx, &p.rx);
	mcast_info_init(&info);
	mcast_get_info(p.tx, &info);
	if ((c->reply & MCAST_HDR_WANT_UCAST) && !unicast_reaches_us(p.tx)) {
		char a[MCAST_ADDRSTRLEN];

		p.ucast_refused = true;
		cli_warn(
			"this host does not let a unicast datagram through to the pinger's socket %s, so unicast replies will be lost here whatever the network does (a firewall on this host, or a fault in mcast)",
			cli_addr(&info.local, a, sizeof(a)));
	}
	if ((rc = mcast_session_new(p.hdr.session)) < 0)
		cli_die(EXIT_RUNTIME, "cannot make a session id: %s",
			mcast_strerror(rc));
	p.hdr.type = MCAST_MSG_PING;
	p.hdr.flags = (uint16_t)c->reply;
	p.hdr.ttl = (uint8_t)info.ttl;
	p.hdr.payload_len = (uint16_t)(c->size - MCAST_WIRE_HDR_LEN -
				       sealing_overhead(&p.sealing));
	cli_signals();
	cli_stdout_lines();

	start = cli_now();
	end_at = c->duration > 0 ? start + c->duration : 0;
	for (uint64_t k = 0; !cli_stop; k++) {
		double due = start + (double)k * step;

		if (c->count > 0 && p.sent >= (uint64_t)c->count)
			break;
		/* In the closed loop the schedule falls behind the clock
		 * while pings wait for replies: --duration is the clock's. */
		if (end_at > 0 && (due >= end_at || cli_now() >= end_at))
			break;
		/*
		 * Closed loop, as sockperf's ping-pong: a late reply holds the
		 * next ping back, so a stall shows in one round trip.  The
		 * default open loop keeps the schedule, and every ping sent
		 * during a stall shows it (what a stream would suffer).
		 * Pings held back go out as soon as they are answered until
		 * the schedule is caught up.
		 */
		if (c->pingpong && p.sent > 0) {
			double until = p.last_send + c->wait;

			wait_replies(&p,
				     end_at > 0 && end_at < until ? end_at
								  : until,
				     true);
			if (end_at > 0 && cli_now() >= end_at)
				break;
		}
		wait_replies(&p, due, false);
		if (cli_stop)
			break;
		sealing_tick(&p.sealing, cli_now());
		send_ping(&p);
	}
	if (!cli_stop)
		wait_replies(&p, cli_now() + c->wait, false);
	rc = pinger_report(c, p.sent, p.resp, p.nresp, p.foreign, p.overflow,
			   p.ucast_refused);
	sealing_say_rejects(&p.sealing);
	sealing_stop(&p.sealing);
	mcast_close(p.rx);
	mcast_close(p.tx);
	free(p.resp);
	free(p.ping_buf);
	return rc;
}
