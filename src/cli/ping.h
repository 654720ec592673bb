/* SPDX-License-Identifier: MIT */
/* mcast ping: settings shared by the pinger and the responder. */
#ifndef MCAST_CLI_PING_H
#define MCAST_CLI_PING_H

#include "cli.h"
#include "sealing.h"

#define PING_MAX_NAMED 64

struct ping_cfg {
	struct sockaddr_storage group;
	const char *group_text;
	struct mcast_opts opts;
	bool respond, quiet, json, busy_poll;
	bool pingpong; /* the next ping waits for the replies to the last */
	double rate;   /* pings per second */
	long long
		count; /* pings to send (responder: to answer); -1: no limit */
	double duration; /* seconds; 0: no limit */
	double wait;	 /* seconds to wait for replies after the last ping */
	long long size;	 /* UDP payload of a ping, header included */
	unsigned reply;	 /* MCAST_HDR_WANT_MCAST | MCAST_HDR_WANT_UCAST */
	struct sockaddr_storage named[PING_MAX_NAMED]; /* --responder */
	size_t nnamed;
	long long expect_responders; /* -1: no verdict */
	double max_loss;	     /* percent; < 0: no verdict */
	struct sealing_cfg sealing;
};

/* Open the sender (replies enabled) and, when asked, a receiver joined to
 * the group; print the "joined" line.  Exits on failure. */
void ping_open(const struct ping_cfg *c, bool join, mcast_t **tx, mcast_t **rx);

int ping_respond(const struct ping_cfg *c);
int ping_run(const struct ping_cfg *c);

#endif /* MCAST_CLI_PING_H */
