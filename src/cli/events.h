/* SPDX-License-Identifier: MIT */
/* Event lines: link changes, rejoins, a sender riding out an outage. */
#ifndef MCAST_CLI_EVENTS_H
#define MCAST_CLI_EVENTS_H

#include "cli.h"

/* Print events as JSON lines on stdout (else text lines on stderr). */
extern bool events_json;

void event_print(const char *name, const char *iface, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Print what a watching receiver has queued (mcast_events()); returns
 * how many of them were rejoins of a recreated interface. */
int events_report(mcast_t *m);

#endif /* MCAST_CLI_EVENTS_H */
