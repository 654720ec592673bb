/* SPDX-License-Identifier: MIT */
/*
 * Events - link changes, rejoins, silence, a sender riding out a lost
 * interface - as a text line on stderr, or a JSON line of type "event" on
 * stdout next to the other JSON records.  And the sender's retry loop.
 */
#include "events.h"
#include "json.h"

#include <errno.h>
#include <stdarg.h>
#include <time.h>

bool events_json;

/* An event stamped with when it happened, not when it was printed. */
static const struct timespec *event_ts;

void event_print(const char *name, const char *iface, const char *fmt, ...)
{
	char detail[512];
	struct timespec ts;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	if (event_ts)
		ts = *event_ts;
	else
		clock_gettime(CLOCK_REALTIME, &ts);
	if (!events_json) {
		cli_info("%s: event: %s%s%s: %s", cli_prog, name,
			 iface ? " " : "", iface ? iface : "", detail);
		return;
	}
	struct json j;

	json_record(&j, stdout, "event");
	json_time(&j, "ts", &ts);
	json_string(&j, "event", name);
	if (iface)
		json_string(&j, "iface", iface);
	json_string(&j, "detail", detail);
	json_end(&j);
	fflush(stdout);
}

int events_report(mcast_t *m)
{
	struct mcast_event ev[16];
	uint64_t lost;
	int n, rejoins = 0;

	while ((n = mcast_events(m, ev, 16, &lost)) > 0)
		for (int i = 0; i < n; i++) {
			const struct mcast_event *e = &ev[i];

			event_ts = &e->ts;
			switch (e->type) {
			case MCAST_EV_LINK_DOWN:
				event_print("link_down", e->ifname,
					    "index %u down or without carrier",
					    e->ifindex);
				break;
			case MCAST_EV_LINK_UP:
				event_print("link_up", e->ifname,
					    "index %u up; memberships kept",
					    e->ifindex);
				break;
			case MCAST_EV_LINK_GONE:
				event_print(
					"link_gone", e->ifname,
					"index %u deleted; waiting for it to come back",
					e->ifindex);
				break;
			case MCAST_EV_REJOINED:
				rejoins++;
				event_print(
					"rejoined", e->ifname,
					"recreated as index %u (was %u): left the stale memberships, joined %u group%s again",
					e->ifindex, e->old_ifindex, e->groups,
					e->groups == 1 ? "" : "s");
				break;
			case MCAST_EV_REJOIN_FAILED:
				event_print(
					"rejoin_failed", e->ifname,
					"recreated as index %u, but a join failed: %s",
					e->ifindex, mcast_strerror(e->error));
				break;
			case MCAST_EV_ADDR_ADDED:
			case MCAST_EV_ADDR_REMOVED: {
				char a[MCAST_ADDRSTRLEN];

				mcast_addr_format(
					(const struct sockaddr *)&e->addr, 0, a,
					sizeof(a));
				event_print(
					e->type == MCAST_EV_ADDR_ADDED
						? "addr_added"
						: "addr_removed",
					e->ifname,
					"%s/%u on index %u; memberships kept",
					a, e->prefixlen, e->ifindex);
				break;
			}
			}
		}
	event_ts = NULL;
	static uint64_t reported;
	if (lost > reported) {
		event_print(
			"events_lost", NULL,
			"%llu link events were lost; the interface state was read afresh",
			(unsigned long long)(lost - reported));
		reported = lost;
	}
	return rejoins;
}
