/* SPDX-License-Identifier: MIT */
/*
 * The head of a session: did this receiver hear it from its first probe,
 * or join after it began (docs/PROTOCOL.md, "Head of a session")?
 *
 * A version 2 header carries the time since its session began, by the
 * sender's monotonic clock.  A session whose first datagram arrives at
 * T with elapsed E began, by the receiver's clock, no later than T - E:
 * durations need no synchronised clocks, only the receiver's own arrival
 * times and the time it began listening, which its caller tells it.
 */
#include "stats_internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Computed in uint64_t, which wraps where int64_t would overflow: only
 * a kernel's or a caller's nonsense time could get there. */
static int64_t mc_ts_ns(const struct timespec *ts)
{
	return (int64_t)((uint64_t)ts->tv_sec * 1000000000u +
			 (uint64_t)ts->tv_nsec);
}

/* A group as the listening table keeps it; false when neither family. */
static bool mc_listen_key(const struct sockaddr *sa, struct mc_listen *l)
{
	memset(l, 0, sizeof(*l));
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)sa;

		l->family = 4;
		memcpy(l->addr, &sin->sin_addr, 4);
		l->port = ntohs(sin->sin_port);
		return true;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const void *)sa;

		l->family = 6;
		memcpy(l->addr, &sin6->sin6_addr, 16);
		l->port = ntohs(sin6->sin6_port);
		return true;
	}
	return false;
}

/* A listened group matches a datagram's group on its address, and on its
 * port unless the listened port is 0. */
static bool mc_listen_match(const struct mc_listen *l,
			    const struct mc_listen *g)
{
	return l->family == g->family && memcmp(l->addr, g->addr, 16) == 0 &&
	       (l->port == 0 || l->port == g->port);
}

int mcast_tracker_listening(mcast_tracker_t *t, const struct sockaddr *group,
			    const struct timespec *since)
{
	struct mc_listen k;

	if (!t || !since)
		return -EINVAL;
	if (!group) {
		t->listen_all = true;
		t->listen_all_ns = mc_ts_ns(since);
		return 0;
	}
	if (!mc_listen_key(group, &k))
		return -EINVAL;
	k.since_ns = mc_ts_ns(since);
	for (size_t i = 0; i < t->nlisten; i++) {
		struct mc_listen *l = &t->listen[i];

		if (l->family == k.family && l->port == k.port &&
		    memcmp(l->addr, k.addr, 16) == 0) {
			l->since_ns = k.since_ns;
			return 0;
		}
	}
	if (t->nlisten == t->listen_cap) {
		size_t cap = t->listen_cap ? 2 * t->listen_cap : 8;
		struct mc_listen *n = realloc(t->listen, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		t->listen = n;
		t->listen_cap = cap;
	}
	t->listen[t->nlisten++] = k;
	return 0;
}

void mc_listen_free(struct mcast_tracker *t)
{
	free(t->listen);
}

/* Since when the receiver listened to the datagram's group: the group's
 * own time (the latest match), else the default; false when unknown. */
static bool mc_listen_since(const struct mcast_tracker *t,
			    const struct mcast_meta *meta, int64_t *since)
{
	struct mc_listen g;
	bool found = false;

	if ((meta->flags & MCAST_META_DST) &&
	    mc_listen_key((const struct sockaddr *)&meta->dst, &g))
		for (size_t i = 0; i < t->nlisten; i++)
			if (mc_listen_match(&t->listen[i], &g) &&
			    (!found || t->listen[i].since_ns > *since)) {
				*since = t->listen[i].since_ns;
				found = true;
			}
	if (!found && t->listen_all) {
		*since = t->listen_all_ns;
		found = true;
	}
	return found;
}

/*
 * Decided once, on a session's first datagram (probe or END).  The session
 * began no later than arrival - elapsed: a receiver listening by then
 * heard all of it, and counts from 0.  The bound is late by the one-way
 * delay, so a join less than that after the session began also counts as
 * from the start; the probes sent before it were still on their way.
 */
int mc_head_decide(const struct mcast_tracker *t, const struct mcast_hdr *h,
		   const struct mcast_meta *meta, const struct timespec *ts)
{
	int64_t since = 0, began;

	if (!h->has_elapsed || (ts->tv_sec == 0 && ts->tv_nsec == 0) ||
	    !mc_listen_since(t, meta, &since))
		return MCAST_HEAD_UNKNOWN;
	/* Elapsed times beyond 2^63 ns are nonsense: joined late. */
	if (h->elapsed_ns > (uint64_t)INT64_MAX)
		return MCAST_HEAD_JOINED_LATE;
	began = (int64_t)((uint64_t)mc_ts_ns(ts) - h->elapsed_ns);
	return began >= since ? MCAST_HEAD_FROM_START : MCAST_HEAD_JOINED_LATE;
}
