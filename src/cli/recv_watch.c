/* SPDX-License-Identifier: MIT */
/*
 * mcast recv keeps its memberships alive: it reports link and address
 * events (the library rejoins after an interface is recreated), refreshes
 * memberships with --rejoin for IGMP snooping switches that have no
 * querier and forget members after ~260 s, and with --idle reports a
 * group going silent and the length of the outage when traffic returns.
 */
#include "recv_watch.h"
#include "events.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

/* Link events are read at least this often while traffic flows. */
#define EVENTS_EVERY 0.1

/* Groups ordered by family, address and port, for watch_seen() to find a
 * datagram's group by bisection among thousands. */
static int group_cmp(const struct sockaddr_storage *a,
		     const struct sockaddr_storage *b)
{
	const struct sockaddr *sa = (const void *)a, *sb = (const void *)b;
	unsigned pa = mcast_addr_port(sa), pb = mcast_addr_port(sb);
	int c;

	if (a->ss_family != b->ss_family)
		return a->ss_family < b->ss_family ? -1 : 1;
	if (a->ss_family == AF_INET)
		c = memcmp(&((const struct sockaddr_in *)a)->sin_addr,
			   &((const struct sockaddr_in *)b)->sin_addr, 4);
	else
		c = memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
			   &((const struct sockaddr_in6 *)b)->sin6_addr, 16);
	return c ? c : (pa > pb) - (pa < pb);
}

static int watch_group_cmp(const void *a, const void *b)
{
	return group_cmp(&((const struct watch_group *)a)->addr,
			 &((const struct watch_group *)b)->addr);
}

void watch_start(struct watch *w, mcast_t *m, double now)
{
	w->m = m;
	if (w->ngroups) /* none: g is NULL, which qsort may not take */
		qsort(w->g, w->ngroups, sizeof(*w->g), watch_group_cmp);
	w->next_rejoin = w->rejoin > 0 ? now + w->rejoin : 0;
	w->next_events = now + EVENTS_EVERY;
	for (size_t i = 0; i < w->ngroups; i++)
		w->g[i].last = now;
}

void watch_add(struct watch *w, const struct sockaddr_storage *group,
	       const char *text)
{
	cli_grow(&w->g, &w->cap, w->ngroups, sizeof(*w->g));
	w->g[w->ngroups++] =
		(struct watch_group){ .addr = *group, .text = text };
}

void watch_seen(struct watch *w, const struct mcast_meta *meta, double now)
{
	size_t lo = 0, hi = w->ngroups;

	if (w->idle <= 0 || !(meta->flags & MCAST_META_DST))
		return;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		struct watch_group *g = &w->g[mid];
		int c = group_cmp(&meta->dst, &g->addr);

		if (c < 0) {
			hi = mid;
			continue;
		}
		if (c > 0) {
			lo = mid + 1;
			continue;
		}
		if (g->silent) {
			event_print(
				"traffic_back", NULL,
				"%s: datagrams again after an outage of %.3f s",
				g->text, now - g->last);
			g->silent = false;
		}
		g->last = now;
		return;
	}
}

void watch_tick(struct watch *w, double now)
{
	if (w->events && now >= w->next_events) {
		w->rejoined += (unsigned)events_report(w->m);
		w->next_events = now + EVENTS_EVERY;
	}
	if (w->next_rejoin > 0 && now >= w->next_rejoin) {
		int rc = mcast_rejoin(w->m);

		if (rc < 0)
			event_print("rejoin_failed", NULL, "%s (%s)",
				    mcast_strerror(rc), mcast_errmsg(w->m));
		w->next_rejoin = now + w->rejoin;
	}
	for (size_t i = 0; i < w->ngroups && w->idle > 0; i++) {
		struct watch_group *g = &w->g[i];

		if (!g->silent && now - g->last >= w->idle) {
			event_print("idle", NULL, "%s: no datagram for %.1f s",
				    g->text, now - g->last);
			g->silent = true;
		}
	}
}

double watch_due(const struct watch *w)
{
	double due = w->events ? w->next_events : 0;

	if (w->next_rejoin > 0 && (due == 0 || w->next_rejoin < due))
		due = w->next_rejoin;
	for (size_t i = 0; i < w->ngroups && w->idle > 0; i++) {
		double at = w->g[i].last + w->idle;

		if (!w->g[i].silent && (due == 0 || at < due))
			due = at;
	}
	return due;
}

void watch_free(struct watch *w)
{
	free(w->g);
	w->g = NULL;
	w->ngroups = w->cap = 0;
}
