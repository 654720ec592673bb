/* SPDX-License-Identifier: MIT */
/* mcast ping: per-responder accounting shared by the pinger and its report. */
#ifndef MCAST_CLI_PINGER_H
#define MCAST_CLI_PINGER_H

#include "ping.h"

#define MAX_RESPONDERS 256
#define SEEN_BITS      4096 /* ping seqs remembered per path, for duplicates */

enum { PATH_MCAST, PATH_UCAST, NPATHS };
extern const char *const path_names[NPATHS];

struct path_stats {
	struct sockaddr_storage src; /* of its first reply */
	uint64_t replies, duplicates;
	uint64_t last_seq; /* newest ping answered, once replies > 0 */
	bool awaited;	   /* its reply to the latest ping is waited for */
	uint64_t seen[SEEN_BITS / 64];
	struct mcast_hist rtt; /* ns */
};

/* Keyed by the responder's session, so two responders on one host stay
 * apart; a named one takes the first session from its address. */
struct responder {
	struct sockaddr_storage addr;	    /* named, or of its first reply */
	uint8_t session[MCAST_SESSION_LEN]; /* valid once answered */
	bool named;
	bool answered;
	uint64_t first_seq; /* first ping it answered, for late joiners */
	struct path_stats path[NPATHS];
};

/* Print the summary (text or JSON) and return the exit status from the
 * verdicts: named responders, --expect-responders, --max-loss.
 * ucast_refused: this host turned away a unicast datagram to the pinger's
 * socket, so silent unicast replies are blamed on it, not the network. */
int pinger_report(const struct ping_cfg *c, uint64_t sent,
		  const struct responder *resp, size_t nresp, uint64_t foreign,
		  uint64_t overflow, bool ucast_refused);

#endif /* MCAST_CLI_PINGER_H */
