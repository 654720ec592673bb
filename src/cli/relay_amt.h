/* SPDX-License-Identifier: MIT */
/* mcast relay --amt-listen: what relay_amt.c (the AMT messages and the
 * gateways' memberships) and relay_amt_fwd.c (the datagrams, the run and
 * its summary) share. */
#ifndef MCAST_CLI_RELAY_AMT_H
#define MCAST_CLI_RELAY_AMT_H

#include "relay.h"

#define AMT_GATEWAYS 256   /* served at once; more are refused, counted */
#define AMT_MEMBS    64	   /* (S,G) and (*,G) per gateway */
#define AMT_RECORDS  64	   /* group records read from one update */
#define AMT_ROOM     65600 /* a datagram, an IPv6 header, the AMT header */

struct memb {
	struct sockaddr_storage group, source; /* source AF_UNSPEC: (*,G) */
	double expires;
};

struct gateway {
	struct sockaddr_storage addr;  /* as seen here, after any NAT */
	struct sockaddr_storage local; /* where its messages came to */
	size_t n;
	struct memb m[AMT_MEMBS];
};

/* A join on --from, shared by the gateways that asked for it. */
struct join {
	struct sockaddr_storage group, source;
	unsigned refs;
};

struct amt_counts {
	uint64_t relayed, bytes, discoveries, requests, updates, teardowns;
	uint64_t mac, malformed, limit, join_fail, send_fail, timeouts;
	size_t peak;
};

struct amt_relay {
	const struct relay_cfg *c;
	int us;	    /* the AMT port */
	int raw[2]; /* IPv4 and IPv6 raw UDP sockets; -1: none */
	unsigned ifindex;
	uint8_t key[32];
	struct gateway *gw;
	size_t ngw;
	struct join *joins;
	size_t njoins, joins_cap;
	struct amt_counts n;
};

/* Bind the AMT port (--amt-listen); exits 1 when it cannot. */
void amt_open_port(struct amt_relay *r);
/* A raw UDP socket of fam bound to --from; -1 when the kernel has no
 * IPv6; exits 1 without CAP_NET_RAW. */
int amt_open_raw(struct amt_relay *r, int fam);
/* Read and answer one message on the AMT port. */
void amt_from_gateway(struct amt_relay *r, double now);
/* Send to a gateway from local (the address its messages came to);
 * 0, or -1 counted as a failed send. */
int amt_send(struct amt_relay *r, const void *buf, size_t len,
	     const struct sockaddr_storage *to,
	     const struct sockaddr_storage *local);
/* Forget memberships not reported again in time, and their gateways. */
void amt_expire(struct amt_relay *r, double now);

#endif /* MCAST_CLI_RELAY_AMT_H */
