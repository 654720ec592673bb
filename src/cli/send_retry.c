/* SPDX-License-Identifier: MIT */
/*
 * A send that survives its interface going away: what `send` does when a
 * link flaps or its interface is recreated (the events are reported by
 * events.c, this file only decides when to retry).
 */
#include "events.h"
#include "send.h"

#include <errno.h>

/* Errors a sender rides out: its interface is gone or down for now. */
static bool transient(int rc)
{
	return rc == -ENODEV || rc == -ENXIO || rc == -ENETDOWN ||
	       rc == -ENETUNREACH || rc == -EADDRNOTAVAIL;
}

int send_resilient(mcast_t *m, const struct mcast_dgram *v, size_t n)
{
	int rc = mcast_send_batch(m, v, n);
	double since;

	if (rc >= 0 || !transient(rc))
		return rc;
	struct mcast_info info;

	mcast_info_init(&info);
	mcast_get_info(m, &info);
	event_print("send_failed", info.iface.index ? info.iface.name : NULL,
		    "%s; retrying until the interface is back",
		    mcast_strerror(rc));
	since = cli_now();
	while (!cli_stop) {
		cli_sleep_until(cli_now() + 0.1);
		if (cli_stop || mcast_sender_refresh(m) < 0)
			continue;
		rc = mcast_send_batch(m, v, n);
		if (rc >= 0) {
			mcast_get_info(m, &info);
			event_print("send_resumed", info.iface.name,
				    "after %.3f s, on index %u",
				    cli_now() - since, info.iface.index);
			return rc;
		}
		if (!transient(rc))
			return rc;
	}
	return 0;
}
