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

#include <string.h>

/* Link events are read at least this often while traffic flows. */
#define EVENTS_EVERY 0.1

void watch_start(struct watch *w, mcast_t *m, double now)
{
	w->m = m;
	w->next_rejoin = w->rejoin > 0 ? now + w->rejoin : 0;
	w->next_events = now + EVENTS_EVERY;
	for (size_t i = 0; i < w->ngroups; i++)
		w->g[i].last = now;
}

void watch_add(struct watch *w, const struct sockaddr_storage *group,
	       const char *text)
{
	if (w->ngroups == WATCH_GROUPS)
		return;
	w->g[w->ngroups].addr = *group;
	w->g[w->ngroups].text = text;
	w->ngroups++;
}

void watch_seen(struct watch *w, const struct mcast_meta *meta, double now)
{
	if (w->idle <= 0 || !(meta->flags & MCAST_META_DST))
		return;
	for (size_t i = 0; i < w->ngroups; i++) {
		struct watch_group *g = &w->g[i];

		if (!mcast_addr_same((const struct sockaddr *)&g->addr,
				     (const struct sockaddr *)&meta->dst, 1))
			continue;
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
