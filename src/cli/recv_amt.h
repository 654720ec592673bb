/* SPDX-License-Identifier: MIT */
/* mcast recv --amt: an AMT gateway (RFC 7450) in place of joins. */
#ifndef MCAST_CLI_RECV_AMT_H
#define MCAST_CLI_RECV_AMT_H

#include "recv.h"

enum amt_state { AMT_DISCOVER, AMT_REQUEST, AMT_JOINED };

struct amt_gw {
	const struct recv_cfg *c;
	int fd;
	enum amt_state state;
	struct sockaddr_storage relay; /* discovered, or --amt's own */
	struct sockaddr_storage seen;  /* our address as the relay saw it */
	uint32_t nonce;		       /* the discovery's or request's */
	uint8_t mac[MCAST_AMT_MAC_LEN];
	uint32_t mac_nonce;	/* the nonce mac goes with */
	bool have_mac, said;	/* said: the "joined" line is out */
	double next;		/* when to send again (retry or refresh) */
	double interval;	/* the relay's query interval, seconds */
	unsigned unanswered;	/* requests in a row with no query */
	bool mld;		/* ask for MLDv2 queries (IPv6 groups only) */
	uint64_t data, foreign; /* data messages; not for our groups */
};

/* Open the socket and send the first Relay Discovery; exits 1 when the
 * socket cannot be opened. */
void amt_gw_start(struct amt_gw *g, const struct recv_cfg *c);
/* Run the protocol for up to ms (-1: a short wait), and put the payloads
 * of the Multicast Data for the groups asked for into v[0..n) as
 * mcast_recv_batch() would; returns how many. */
int amt_gw_recv(struct amt_gw *g, struct mcast_dgram *v, size_t n, int ms);
/* Tell the relay the groups are left, and close. */
void amt_gw_stop(struct amt_gw *g);

#endif /* MCAST_CLI_RECV_AMT_H */
