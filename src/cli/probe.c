/* SPDX-License-Identifier: MIT */
/*
 * mcast send --probe: sequence-numbered probes paced from the monotonic
 * clock, then end-of-stream markers so receivers can see tail loss.
 */
#include "events.h"
#include "format.h"
#include "send.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PROBE_BATCH 64	  /* datagrams per send call at full speed */
#define GSO_BATCH   1024  /* the same with --gso, at most: whole buffers */
#define CATCH_UP    0.005 /* seconds of schedule a late sender may make up */

#define REFRESH_GAP 0.1 /* seconds between looks for a lost interface */

/*
 * A sequence number is spent when its probe is built: a probe the kernel
 * did not take is lost (not_sent), never sent or sealed again under the
 * same number, as SRTP and WireGuard do.  Sealing the same number twice
 * would reuse a nonce; sending it twice would be a duplicate.
 */
struct prober {
	mcast_t *m;
	const struct send_cfg *c;
	struct sealing *t;
	struct mcast_bind bind; /* the group's, when sealed */
	struct mcast_hdr hdr;
	size_t nbufs;	     /* the largest burst: datagrams prepared */
	unsigned char *bufs; /* nbufs datagrams of c->size bytes */
	struct mcast_dgram *v;
	uint64_t next;	      /* sequence numbers spent */
	uint64_t sent, bytes; /* what the kernel took */
	uint64_t not_sent;    /* spent, not taken: next - sent */
	uint64_t t0;	      /* CLOCK_MONOTONIC ns when the session began */
	int last_err;	      /* the latest error that cost probes */
	bool outage;	      /* the interface is away */
	double outage_since, refresh_at;
};

/* The payload never changes; only seq and send time do, per datagram. */
static int prober_init(struct prober *p, mcast_t *m, const struct send_cfg *c,
		       struct sealing *t, size_t nbufs)
{
	struct mcast_info info;
	size_t size = (size_t)c->size;
	int rc;

	memset(p, 0, sizeof(*p));
	p->m = m;
	p->c = c;
	p->t = t;
	p->t0 = cli_monotonic_ns();
	mcast_info_init(&info);
	mcast_get_info(m, &info);
	if (sealing_on(t))
		sealing_bind(&p->bind, &info.group);
	if ((rc = mcast_session_new(p->hdr.session)) < 0)
		return rc;
	p->hdr.type = MCAST_MSG_DATA;
	p->hdr.ttl = (uint8_t)info.ttl;
	p->hdr.payload_len =
		(uint16_t)(size - MCAST_WIRE_HDR_LEN - sealing_overhead(t));
	p->nbufs = nbufs;
	p->bufs = calloc(nbufs, size);
	p->v = calloc(nbufs, sizeof(*p->v));
	if (!p->bufs || !p->v)
		return -ENOMEM;
	for (size_t i = 0; i < nbufs; i++) {
		unsigned char *b = p->bufs + i * size;

		if (c->message_given)
			memcpy(b + MCAST_WIRE_HDR_LEN, c->message,
			       strlen(c->message));
		mcast_hdr_encode(&p->hdr, b, size);
		p->v[i] = (struct mcast_dgram){ .buf = b, .len = size };
	}
	return 0;
}

/* The interface is gone or down for now: the sender rides it out. */
static bool link_away(int rc)
{
	return rc == -ENODEV || rc == -ENXIO || rc == -ENETDOWN ||
	       rc == -ENETUNREACH || rc == -EADDRNOTAVAIL;
}

/* One datagram refused (a firewall's output drop gives EPERM, a full
 * queue ENOBUFS): the next may well go through. */
static bool refused(int rc)
{
	return rc == -EPERM || rc == -ENOBUFS || rc == -EAGAIN;
}

static void outage_begin(struct prober *p, int rc)
{
	struct mcast_info info;

	if (p->outage)
		return;
	p->outage = true;
	p->outage_since = p->refresh_at = cli_now();
	mcast_info_init(&info);
	mcast_get_info(p->m, &info);
	event_print(
		"send_failed", info.iface.index ? info.iface.name : NULL,
		"%s; probes are lost (not sent) until the interface is back",
		mcast_strerror(rc));
}

static void outage_end(struct prober *p)
{
	struct mcast_info info;

	p->outage = false;
	mcast_info_init(&info);
	mcast_get_info(p->m, &info);
	event_print("send_resumed", info.iface.name,
		    "after %.3f s, on index %u", cli_now() - p->outage_since,
		    info.iface.index);
}

/* While the interface is away, look it up again now and then. */
static void outage_refresh(struct prober *p)
{
	double now = cli_now();

	if (!p->outage || now < p->refresh_at)
		return;
	p->refresh_at = now + REFRESH_GAP;
	mcast_sender_refresh(p->m);
}

/*
 * Hand datagrams [0, n) to the kernel.  What it does not take is counted,
 * never offered again.  A partial send means the datagram after the last
 * one taken was refused (sendmmsg() stops at the first error and keeps
 * it to itself), so that one is skipped and the rest go on; so is one
 * refused with EPERM or ENOBUFS at the head of a call.  With the interface
 * away, or with segmentation (one refusal covers a whole buffer), the rest
 * of the burst is given up.  Returns 0, or the error that ends the run.
 */
static int send_spent(struct prober *p, size_t n)
{
	bool gso = p->c->opts.flags & MCAST_OPT_GSO;
	size_t off = 0;
	int rc;

	while (off < n) {
		rc = mcast_send_batch(p->m, p->v + off, n - off);
		if (rc > 0) {
			if (p->outage)
				outage_end(p);
			off += (size_t)rc;
			p->sent += (uint64_t)rc;
			p->bytes += (uint64_t)rc * (uint64_t)p->c->size;
			if (off == n)
				break;
		} else if (rc < 0 && !link_away(rc) && !refused(rc)) {
			return rc;
		} else if (rc < 0) {
			p->last_err = rc;
			if (link_away(rc))
				outage_begin(p, rc);
		}
		if (rc == 0 || link_away(rc) || gso) {
			p->not_sent += n - off;
			break;
		}
		p->not_sent++;
		off++;
	}
	return 0;
}

/* Stamp (or seal) and send n probes back to back.  Returns 0 or the
 * error that ends the run. */
static int send_burst(struct prober *p, size_t n)
{
	uint64_t now = cli_realtime_ns();
	uint64_t elapsed = cli_monotonic_ns() - p->t0;

	outage_refresh(p);
	for (size_t i = 0; i < n; i++) {
		if (!sealing_on(p->t)) {
			mcast_hdr_stamp(p->v[i].buf, p->next + i, now, elapsed);
			continue;
		}
		p->hdr.seq = p->next + i;
		p->hdr.send_ns = now;
		p->hdr.elapsed_ns = elapsed;
		mcast_hdr_encode(&p->hdr, p->v[i].buf, (size_t)p->c->size);
		sealing_reseal(p->t, &p->bind, p->v[i].buf, (size_t)p->c->size,
			       p->c->message,
			       p->c->message_given ? strlen(p->c->message) : 0);
	}
	p->next += n;
	return send_spent(p, n);
}

void send_end_marker(mcast_t *m, struct sealing *t, const struct mcast_hdr *hdr,
		     const struct mcast_end *body, uint64_t t0, unsigned i)
{
	unsigned char
		buf[MCAST_WIRE_HDR_LEN + MCAST_END_BODY_LEN + MCAST_TAG_LEN];
	size_t len = MCAST_WIRE_HDR_LEN + MCAST_END_BODY_LEN;
	struct mcast_hdr h = *hdr;

	h.type = MCAST_MSG_END;
	h.payload_len = MCAST_END_BODY_LEN;
	h.seq = i;
	h.send_ns = cli_realtime_ns();
	h.elapsed_ns = cli_monotonic_ns() - t0;
	mcast_hdr_encode(&h, buf, sizeof(buf));
	mcast_end_encode(body, buf + MCAST_WIRE_HDR_LEN, MCAST_END_BODY_LEN);
	if (sealing_on(t)) {
		struct mcast_bind to;

		sealing_bind_sender(&to, m);
		len = sealing_seal(t, &to, buf, len, sizeof(buf));
	}
	mcast_send(m, buf, len);
}

/* The session ids of a run's probers, for the start line: the first and
 * how many more. */
static void say_sessions(const struct prober *p, size_t n,
			 const struct send_cfg *c, bool full_speed)
{
	char sid[2 * MCAST_SESSION_LEN + 1], more[48] = "";

	fmt_hex_text(sid, p[0].hdr.session, MCAST_SESSION_LEN);
	if (n > 1)
		snprintf(more, sizeof(more), " and %zu more, one per group",
			 n - 1);
	if (full_speed)
		cli_info(
			"probe session %s%s, %lld-byte datagrams at full speed",
			sid, more, c->size);
	else
		cli_info("probe session %s%s, %lld-byte datagrams at %.10g/s",
			 sid, more, c->size, c->rate);
}

/* One session's summary as a JSON record on stdout. */
static void report_json(const struct prober *p,
			const struct sockaddr_storage *g, double elapsed)
{
	/* n datagrams span n - 1 intervals: the rate is intervals / time. */
	double per_s = elapsed > 0 && p->sent > 1
			       ? (double)(p->sent - 1) / elapsed
			       : 0;
	struct json j;

	json_record(&j, stdout, "send_summary");
	json_addr_port(&j, "group", "port", (const struct sockaddr *)g);
	json_hex(&j, "session", p->hdr.session, MCAST_SESSION_LEN);
	json_uint(&j, "total", p->next);
	json_uint(&j, "sent", p->sent);
	json_uint(&j, "not_sent", p->not_sent);
	json_uint(&j, "bytes", p->bytes);
	json_double(&j, "seconds", elapsed, 6);
	json_double(&j, "rate_pps", per_s, 3);
	json_string(&j, "last_error",
		    p->last_err ? mcast_strerror(p->last_err) : NULL);
	json_end(&j);
	fflush(stdout);
}

/* The run's summary: a JSON record per session on stdout, or the sums
 * in a line (two with probes not sent) on stderr. */
static void report(const struct prober *ps, size_t n, const struct send_cfg *c,
		   double elapsed)
{
	uint64_t spent = 0, sent = 0, not_sent = 0, bytes = 0;
	int last_err = 0;
	double per_s;

	for (size_t i = 0; i < n; i++) {
		if (c->json)
			report_json(&ps[i], &c->groups.addr[i], elapsed);
		spent += ps[i].next;
		sent += ps[i].sent;
		not_sent += ps[i].not_sent;
		bytes += ps[i].bytes;
		if (ps[i].last_err)
			last_err = ps[i].last_err;
	}
	if (c->quiet || c->json)
		return;
	per_s = elapsed > 0 && sent > 1 ? (double)(sent - 1) / elapsed : 0;
	cli_info(
		"sent %llu probe%s (%llu bytes) in %.3f s: %.0f datagrams/s, %.3f Mbit/s",
		(unsigned long long)sent, sent == 1 ? "" : "s",
		(unsigned long long)bytes, elapsed, per_s,
		per_s * (double)c->size * 8 / 1e6);
	if (not_sent)
		cli_info(
			"not sent %llu of %llu probes (the kernel did not take them; last error: %s): receivers count them lost",
			(unsigned long long)not_sent, (unsigned long long)spent,
			mcast_strerror(last_err));
}

/*
 * Bursts of --burst datagrams at start + k * burst / rate, each to the
 * next group's session in turn, so --rate is the total of all groups.  A
 * sender woken late (descheduled, a loaded machine) catches up on what it
 * owes, but never on more than CATCH_UP seconds or one step of it:
 * further behind, it re-anchors the schedule instead of flooding, so no
 * window ever holds more than the rate allows plus that much; the summary
 * shows the rate achieved.
 */
int send_probes(mcast_t **ms, size_t nm, const struct send_cfg *c,
		struct sealing *t)
{
	struct prober *ps = calloc(nm, sizeof(*ps));
	bool full_speed = isinf(c->rate);
	bool gso = c->opts.flags & MCAST_OPT_GSO;
	size_t whole = mcast_gso_batch((size_t)c->size);
	size_t burst = !full_speed	   ? (size_t)c->burst
		       : !gso		   ? PROBE_BATCH
		       : whole < GSO_BATCH ? whole
					   : GSO_BATCH;
	double step = full_speed ? 0 : (double)burst / c->rate;
	double slack = step > CATCH_UP ? step : CATCH_UP;
	double start = cli_now(), anchor = start, end_at = 0;
	uint64_t k = 0, limit = c->count > 0 ? (uint64_t)c->count : UINT64_MAX;
	uint64_t sent = 0, not_sent = 0;
	size_t done = 0; /* sessions that spent --count */
	int rc = ps ? 0 : -ENOMEM, last_err = 0;

	for (size_t i = 0; i < nm && rc == 0; i++)
		rc = prober_init(&ps[i], ms[i], c, t, burst);
	if (rc < 0)
		cli_die(EXIT_RUNTIME, "cannot start probes: %s",
			mcast_strerror(rc));
	if (!c->quiet)
		say_sessions(ps, nm, c, full_speed);
	if (c->duration > 0)
		end_at = start + c->duration;

	while (!cli_stop && done < nm) {
		double due = anchor + (double)k * step;
		struct prober *p = &ps[k % nm];
		size_t n = burst;

		if (end_at > 0 && (full_speed ? cli_now() : due) >= end_at)
			break;
		if (!full_speed) {
			double now = cli_now();

			if (now < due)
				cli_sleep_until(due);
			else if (now - due > slack)
				anchor = now - (double)k * step;
			if (cli_stop)
				break;
		}
		k++;
		if (p->next >= limit)
			continue; /* done; the others use its turns */
		if (limit - p->next < n)
			n = (size_t)(limit - p->next);
		/* Without a schedule, an outage would spend numbers as
		 * fast as sends fail: try once per REFRESH_GAP instead. */
		if (full_speed && p->outage)
			cli_sleep_until(p->refresh_at);
		if (cli_stop)
			break;
		sealing_tick(t, cli_now());
		rc = send_burst(p, n);
		if (rc < 0) {
			char g[MCAST_ADDRSTRLEN], what[MCAST_ADDRSTRLEN + 16];

			snprintf(what, sizeof(what), "send to %s",
				 cli_addr(&c->groups.addr[p - ps], g,
					  sizeof(g)));
			cli_fail_call(EXIT_RUNTIME, p->m, rc, what);
		}
		if (p->next >= limit)
			done++;
	}
	double elapsed = cli_now() - start;
	struct mcast_info info;

	mcast_info_init(&info);
	mcast_get_info(ms[0], &info);
	if ((c->opts.flags & MCAST_OPT_GSO) &&
	    (info.warnings & MCAST_WARN_GSO_OFF))
		cli_warn(
			"the kernel refused segmented sends (UDP_SEGMENT); sent with sendmmsg instead");

	for (unsigned r = 0; r < END_REPEATS; r++) {
		if (r)
			cli_sleep_until(cli_now() + END_GAP);
		for (size_t i = 0; i < nm; i++) {
			struct mcast_end body = { .total = ps[i].next,
						  .not_sent = ps[i].not_sent };

			send_end_marker(ps[i].m, ps[i].t, &ps[i].hdr, &body,
					ps[i].t0, r);
		}
	}
	report(ps, nm, c, elapsed);
	for (size_t i = 0; i < nm; i++) {
		sent += ps[i].sent;
		not_sent += ps[i].not_sent;
		if (ps[i].last_err)
			last_err = ps[i].last_err;
		free(ps[i].bufs);
		free(ps[i].v);
	}
	free(ps);
	if (sent == 0 && not_sent > 0)
		cli_die(EXIT_RUNTIME,
			"no probe could be sent (%s); see mcast doctor",
			last_err ? mcast_strerror(last_err)
				 : "refused by the kernel");
	return EXIT_OK;
}
