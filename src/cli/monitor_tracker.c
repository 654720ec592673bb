/* SPDX-License-Identifier: MIT */
/*
 * mcast monitor's trackers: one per stream type in use (the library's
 * type is the tracker's), and their counters summed per group and per
 * sender, never going back when a tracker retires an entry for space;
 * and the senders past the per-group limit, counted once each.
 */
#include "monitor.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

/* Entries of a tracker: sessions and plain senders of every group of its
 * type.  All allocated up front (the library's rule against made-up
 * sources); the least recently fed is retired past it. */
#define MON_TRACKER_ENTRIES 4096

/* The tracker for a stream type, made the first time a group asks. */
mcast_tracker_t *mon_tracker_for(struct monitor *mon,
				 const struct mon_spec *spec)
{
	struct mcast_tracker_opts to;
	mcast_tracker_t *t;
	int rc;

	for (size_t i = 0; i < mon->ntrackers; i++)
		if (mon_same_stream(&mon->trackers[i].type, spec))
			return mon->trackers[i].t;
	mcast_tracker_opts_init(&to);
	to.max_sessions = MON_TRACKER_ENTRIES;
	to.stream = spec->stream;
	to.seq = spec->seq;
	if ((rc = mcast_tracker_new(&t, &to)) < 0)
		cli_die(EXIT_RUNTIME, "cannot allocate statistics for %s: %s",
			spec->text, mcast_strerror(rc));
	cli_grow(&mon->trackers, &mon->tcap, mon->ntrackers,
		 sizeof(*mon->trackers));
	mon->trackers[mon->ntrackers++] =
		(struct mon_tracker){ .type = *spec, .t = t };
	return t;
}

/* Entries whose sequence the tracker follows: loss means something. */
static bool sequenced(int stream)
{
	return stream == MCAST_STREAM_MCAST || stream == MCAST_STREAM_RTP ||
	       stream == MCAST_STREAM_RTP_TS || stream == MCAST_STREAM_SEQ;
}

static void probe_add(struct mon_probe *to, const struct mcast_stream_stats *s)
{
	if (sequenced(s->stream)) {
		to->received += s->received;
		to->lost += s->lost;
		to->duplicates += s->duplicates;
		to->reordered += s->reordered;
		if (s->jitter_ns / 1e6 > to->jitter_ms)
			to->jitter_ms = s->jitter_ns / 1e6;
	}
	to->ts_packets += s->ts_packets;
	to->ts_lost += s->ts_lost;
	to->ts_cc_errors += s->ts_cc_errors;
}

static void grow_to(uint64_t *have, uint64_t sum)
{
	if (sum > *have)
		*have = sum;
}

/* Counters only grow: a sum that fell (an entry retired) keeps the old. */
static void probe_take(struct mon_probe *p, const struct mon_probe *sum)
{
	grow_to(&p->received, sum->received);
	grow_to(&p->lost, sum->lost);
	grow_to(&p->duplicates, sum->duplicates);
	grow_to(&p->reordered, sum->reordered);
	grow_to(&p->ts_packets, sum->ts_packets);
	grow_to(&p->ts_lost, sum->ts_lost);
	grow_to(&p->ts_cc_errors, sum->ts_cc_errors);
	p->jitter_ms = sum->jitter_ms;
}

/* Entries come by first arrival: the last RTP one of an address holds
 * its newest SSRC, noted in the group's first sender of that address. */
static void ssrc_note(struct mon_group *g, const struct mcast_stream_stats *s)
{
	for (size_t k = 0; k < g->nsenders; k++) {
		struct mon_sender *o = &g->senders[k];

		if (!mcast_addr_same((const struct sockaddr *)&o->src,
				     (const struct sockaddr *)&s->source, 0))
			continue;
		o->tick_ssrc = s->ssrc;
		o->tick_port = (uint16_t)mcast_addr_port(
			(const struct sockaddr *)&s->source);
		o->tick_has_ssrc = true;
		return;
	}
}

/* One tracker's entries into the sums of its groups and senders. */
static void sum_tracker(struct monitor *mon, mcast_tracker_t *t)
{
	struct mcast_stream_stats s = { .size = sizeof(s) };
	size_t n = mcast_tracker_count(t);

	for (size_t i = 0; i < n; i++) {
		struct mon_group *g;
		struct mon_sender *snd;

		/* A group's entries in another tracker are from before its
		 * stream type changed: it is a new group since. */
		if (mcast_tracker_get(t, i, &s) < 0 ||
		    !(g = mon_find_group(mon, &s.group)) || g->tracker != t)
			continue;
		probe_add(&g->sum, &s);
		if (s.stream == MCAST_STREAM_TS ||
		    s.stream == MCAST_STREAM_RTP_TS)
			mon_ts_add(g, t, i, &s);
		snd = mon_find_sender(g, &s.source, false);
		if (snd && s.stream != MCAST_STREAM_UNKNOWN)
			snd->stream = s.stream;
		if (s.stream == MCAST_STREAM_RTP ||
		    s.stream == MCAST_STREAM_RTP_TS)
			ssrc_note(g, &s);
		probe_add(snd ? &snd->sum : &g->other.sum, &s);
	}
}

/* An address whose newest SSRC is another than last second's: an event.
 * (An SSRC it had before and takes up again goes unnoticed: its entry
 * keeps its place in the order.) */
static void ssrc_check(struct monitor *mon, struct mon_group *g,
		       struct mon_sender *s)
{
	uint32_t old = s->ssrc;

	if (!s->tick_has_ssrc)
		return;
	s->tick_has_ssrc = false;
	if (s->has_ssrc && s->tick_ssrc == old)
		return;
	s->ssrc = s->tick_ssrc;
	s->ssrc_port = s->tick_port;
	if (!s->has_ssrc) {
		s->has_ssrc = true;
		return;
	}
	g->ssrc_changes++;
	mon_event_ssrc(mon, g, s, old);
}

/* The group's PAT_error count rose: once per rise (the tracker counts a
 * PAT's absence once, when it passes 0.5 s, not for every packet). */
static void pat_check(struct monitor *mon, struct mon_group *g)
{
	uint64_t n = g->ts ? g->ts->p1[MON_P1_PAT] : 0;

	if (n <= g->pat_reported)
		return;
	g->pat_reported = n;
	mon_event_pat(mon, g, n);
}

/* The trackers' counters into the groups and senders.  First the
 * trackers' clocks move: the TR 101 290 time checks (a PAT overdue, a
 * PID gone) otherwise run only when a datagram arrives, and a stream
 * that stopped altogether sends none. */
void mon_from_tracker(struct monitor *mon)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	for (size_t i = 0; i < mon->ntrackers; i++)
		mcast_tracker_tick(mon->trackers[i].t, &now);
	for (size_t i = 0; i < mon->ng; i++) {
		struct mon_group *g = mon->g[i];

		memset(&g->sum, 0, sizeof(g->sum));
		for (size_t k = 0; k < g->nsenders; k++)
			memset(&g->senders[k].sum, 0, sizeof(g->sum));
		memset(&g->other.sum, 0, sizeof(g->sum));
	}
	for (size_t i = 0; i < mon->ntrackers; i++)
		sum_tracker(mon, mon->trackers[i].t);
	for (size_t i = 0; i < mon->ng; i++) {
		struct mon_group *g = mon->g[i];

		probe_take(&g->p, &g->sum);
		for (size_t k = 0; k < g->nsenders; k++) {
			probe_take(&g->senders[k].p, &g->senders[k].sum);
			ssrc_check(mon, g, &g->senders[k]);
		}
		probe_take(&g->other.p, &g->other.sum);
		mon_ts_take(g->ts);
		pat_check(mon, g);
	}
}

/* A sender past MON_SENDERS_MAX: counted the first time it comes. */
void mon_count_other(struct mon_group *g, const struct sockaddr_storage *src)
{
	const struct sockaddr *sa = (const struct sockaddr *)src;
	const unsigned char *b;
	uint32_t h = 2166136261u; /* FNV-1a */
	unsigned port = mcast_addr_port(sa), n;

	if (src->ss_family == AF_INET6) {
		b = ((const struct sockaddr_in6 *)src)->sin6_addr.s6_addr;
		n = 16;
	} else {
		b = (const unsigned char *)&((const struct sockaddr_in *)src)
			    ->sin_addr;
		n = 4;
	}
	for (unsigned i = 0; i < n; i++)
		h = (h ^ b[i]) * 16777619u;
	h = ((h ^ (port & 0xff)) * 16777619u ^ (port >> 8)) * 16777619u;
	h %= MON_OTHER_BITS;
	if (!g->other_seen && !(g->other_seen = calloc(MON_OTHER_BITS / 8, 1)))
		cli_die(EXIT_RUNTIME, "out of memory");
	if (g->other_seen[h / 8] & (1u << (h % 8)))
		return;
	g->other_seen[h / 8] |= (uint8_t)(1u << (h % 8));
	g->other_senders++;
}
