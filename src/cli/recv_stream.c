/* SPDX-License-Identifier: MIT */
/* mcast recv: completeness of framed streams, and missed end markers. */
#include "recv_stream.h"

#include <string.h>

void ends_note(struct ends *e, const struct mcast_hdr *h)
{
	size_t i;

	if (h->seq >= 64)
		return; /* senders send 3; a larger seq is not ours to judge */
	for (i = 0; i < e->n; i++)
		if (memcmp(e->s[i].session, h->session, MCAST_SESSION_LEN) == 0)
			break;
	if (i == e->n) {
		if (e->n == ENDS_MAX)
			return;
		memcpy(e->s[e->n++].session, h->session, MCAST_SESSION_LEN);
		e->s[i].seen = 0;
	}
	e->s[i].seen |= 1ULL << h->seq;
}

uint64_t ends_missed(const struct ends *e)
{
	uint64_t missed = 0;

	for (size_t i = 0; i < e->n; i++) {
		uint64_t seen = e->s[i].seen;
		int top = 63 - __builtin_clzll(seen);

		missed += (uint64_t)(top + 1 - __builtin_popcountll(seen));
	}
	return missed;
}

void stream_gaps(const mcast_tracker_t *t, struct stream_gap *g)
{
	size_t n = mcast_tracker_count(t);

	memset(g, 0, sizeof(*g));
	for (size_t i = 0; i < n; i++) {
		struct mcast_stream_stats s;

		mcast_stream_stats_init(&s);
		if (mcast_tracker_get(t, i, &s) < 0 || !s.is_probe)
			continue;
		/* lost covers the gaps and, with an end, the tail; the
		 * tracker decides whether a head can be missing (a receiver
		 * that joined late did not miss what came before). */
		g->streams++;
		g->ended += s.ended != 0;
		g->expected += s.received + s.lost;
		g->missing += s.lost;
	}
}
