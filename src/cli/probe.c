/* SPDX-License-Identifier: MIT */
/*
 * mcast send --probe: sequence-numbered probes paced from the monotonic
 * clock, then end-of-stream markers so receivers can see tail loss.
 */
#include "events.h"
#include "send.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PROBE_BATCH 64	  /* datagrams per send call at full speed */
#define GSO_BATCH   1024  /* the same with --gso, at most: whole buffers */
#define CATCH_UP    0.005 /* seconds of schedule a late sender may make up */

struct prober {
	mcast_t *m;
	const struct send_cfg *c;
	struct trust *t;
	struct mcast_hdr hdr;
	size_t nbufs;	     /* the largest burst: datagrams prepared */
	unsigned char *bufs; /* nbufs datagrams of c->size bytes */
	struct mcast_dgram *v;
	uint64_t sent, bytes;
};

/* The payload never changes; only seq and send time do, per datagram. */
static int prober_init(struct prober *p, mcast_t *m, const struct send_cfg *c,
		       struct trust *t, size_t nbufs)
{
	struct mcast_info info = { .size = sizeof(info) };
	size_t size = (size_t)c->size;
	int rc;

	memset(p, 0, sizeof(*p));
	p->m = m;
	p->c = c;
	p->t = t;
	mcast_get_info(m, &info);
	if ((rc = mcast_session_new(p->hdr.session)) < 0)
		return rc;
	p->hdr.type = MCAST_MSG_DATA;
	p->hdr.ttl = (uint8_t)info.ttl;
	p->hdr.payload_len =
		(uint16_t)(size - MCAST_WIRE_HDR_LEN - trust_overhead(t));
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

/* Sealing encrypts the payload in place: put the plaintext back. */
/* Stamp and send n probes back to back.  Returns how many went out. */
static int send_burst(struct prober *p, size_t n)
{
	uint64_t now = cli_realtime_ns();
	int rc;

	for (size_t i = 0; i < n; i++) {
		if (!trust_on(p->t)) {
			mcast_hdr_stamp(p->v[i].buf, p->sent + i, now);
			continue;
		}
		p->hdr.seq = p->sent + i;
		p->hdr.send_ns = now;
		mcast_hdr_encode(&p->hdr, p->v[i].buf, (size_t)p->c->size);
		trust_reseal(p->t, p->v[i].buf, (size_t)p->c->size,
			     p->c->message,
			     p->c->message_given ? strlen(p->c->message) : 0);
	}
	rc = send_resilient(p->m, p->v, n);
	if (rc > 0) {
		p->sent += (uint64_t)rc;
		p->bytes += (uint64_t)rc * (uint64_t)p->c->size;
	}
	return rc;
}

void send_end_marker(mcast_t *m, struct trust *t, const struct mcast_hdr *hdr,
		     uint64_t total, unsigned i)
{
	unsigned char
		buf[MCAST_WIRE_HDR_LEN + MCAST_END_BODY_LEN + MCAST_TAG_LEN];
	size_t len = MCAST_WIRE_HDR_LEN + MCAST_END_BODY_LEN;
	struct mcast_hdr h = *hdr;

	h.type = MCAST_MSG_END;
	h.payload_len = MCAST_END_BODY_LEN;
	h.seq = i;
	h.send_ns = cli_realtime_ns();
	mcast_hdr_encode(&h, buf, sizeof(buf));
	mcast_end_encode(total, buf + MCAST_WIRE_HDR_LEN, MCAST_END_BODY_LEN);
	if (trust_on(t))
		len = trust_seal(t, buf, len, sizeof(buf));
	mcast_send(m, buf, len);
}

/* The session ids of a run's probers, for the start line: the first and
 * how many more. */
static void say_sessions(const struct prober *p, size_t n,
			 const struct send_cfg *c, bool full_speed)
{
	char sid[2 * MCAST_SESSION_LEN + 1], more[48] = "";

	for (int i = 0; i < MCAST_SESSION_LEN; i++)
		snprintf(sid + 2 * i, 3, "%02x", p[0].hdr.session[i]);
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
		struct trust *t)
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
	uint64_t sent = 0, bytes = 0;
	size_t done = 0; /* sessions that sent --count */
	int rc = ps ? 0 : -ENOMEM;

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
		if (p->sent >= limit)
			continue; /* done; the others use its turns */
		if (limit - p->sent < n)
			n = (size_t)(limit - p->sent);
		trust_tick(t, cli_now());
		rc = send_burst(p, n);
		if (rc < 0) {
			char g[MCAST_ADDRSTRLEN], what[MCAST_ADDRSTRLEN + 16];

			snprintf(what, sizeof(what), "send to %s",
				 cli_addr(&c->groups.addr[p - ps], g,
					  sizeof(g)));
			cli_fail_call(EXIT_RUNTIME, p->m, rc, what);
		}
		if (p->sent >= limit)
			done++;
	}
	double elapsed = cli_now() - start;
	struct mcast_info info = { .size = sizeof(info) };

	mcast_get_info(ms[0], &info);
	if ((c->opts.flags & MCAST_OPT_GSO) &&
	    (info.warnings & MCAST_WARN_GSO_OFF))
		cli_warn(
			"the kernel refused segmented sends (UDP_SEGMENT); sent with sendmmsg instead");

	for (unsigned r = 0; r < END_REPEATS; r++) {
		if (r)
			cli_sleep_until(cli_now() + END_GAP);
		for (size_t i = 0; i < nm; i++)
			send_end_marker(ps[i].m, ps[i].t, &ps[i].hdr,
					ps[i].sent, r);
	}
	for (size_t i = 0; i < nm; i++) {
		sent += ps[i].sent;
		bytes += ps[i].bytes;
		free(ps[i].bufs);
		free(ps[i].v);
	}
	free(ps);
	/* n datagrams span n - 1 intervals: the rate is intervals / time. */
	double per_s =
		elapsed > 0 && sent > 1 ? (double)(sent - 1) / elapsed : 0;

	if (!c->quiet)
		cli_info(
			"sent %llu probe%s (%llu bytes) in %.3f s: %.0f datagrams/s, %.3f Mbit/s",
			(unsigned long long)sent, sent == 1 ? "" : "s",
			(unsigned long long)bytes, elapsed, per_s,
			per_s * (double)c->size * 8 / 1e6);
	return EXIT_OK;
}
