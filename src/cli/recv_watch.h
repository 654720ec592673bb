/* SPDX-License-Identifier: MIT */
/* mcast recv: link events, periodic rejoins and silence on a group. */
#ifndef MCAST_CLI_RECV_WATCH_H
#define MCAST_CLI_RECV_WATCH_H

#include "cli.h"

struct watch_group {
	struct sockaddr_storage addr;
	const char *text;
	double last; /* monotonic time of the last datagram (or start) */
	bool silent; /* reported idle, not yet back */
};

struct watch {
	mcast_t *m;
	bool events;   /* link events are being watched */
	double rejoin; /* seconds between rejoins; 0: never */
	double idle;   /* seconds of silence reported; 0: never */
	double next_rejoin, next_events;
	unsigned rejoined; /* interfaces recreated and groups joined again */
	struct watch_group *g; /* grows with watch_add() */
	size_t ngroups, cap;
};

void watch_start(struct watch *w, mcast_t *m, double now);
void watch_add(struct watch *w, const struct sockaddr_storage *group,
	       const char *text);
/* A datagram for its group arrived (only needed with idle). */
void watch_seen(struct watch *w, const struct mcast_meta *meta, double now);
/* Do what is due: events, rejoin, silence. */
void watch_tick(struct watch *w, double now);
/* Free what watch_add() took. */
void watch_free(struct watch *w);
/* Monotonic time the next thing is due; 0 when nothing is. */
double watch_due(const struct watch *w);

#endif /* MCAST_CLI_RECV_WATCH_H */
