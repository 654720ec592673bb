/* SPDX-License-Identifier: MIT */
/* Event lines, and a send that survives its interface going away. */
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

/*
 * mcast_send_batch(), but through ENODEV, ENXIO, ENETDOWN, ENETUNREACH
 * and EADDRNOTAVAIL: it reports the failure, looks the interface up again
 * by name every 100 ms until a send goes through, and reports the outage.
 * Returns as mcast_send_batch(); 0 when interrupted while waiting.
 */
int send_resilient(mcast_t *m, const struct mcast_dgram *v, size_t n);

#endif /* MCAST_CLI_EVENTS_H */
