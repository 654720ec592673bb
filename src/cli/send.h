/* SPDX-License-Identifier: MIT */
/* mcast send's settings, shared by the plain and the probe sender. */
#ifndef MCAST_CLI_SEND_H
#define MCAST_CLI_SEND_H

#include "cli.h"
#include "groups.h"
#include "sealing.h"

struct send_cfg {
	struct group_list groups; /* each gets every datagram, or a session */
	struct mcast_opts opts;
	const char *message;
	const char *file;
	long long count; /* -1: unlimited */
	double interval;
	long long size;
	bool lines, quiet, interval_set, message_given, size_set;
	bool framed; /* data envelopes and end markers; implied by --key */
	bool json;   /* --format json: summary and events as JSON lines */
	/* probes */
	bool probe;
	double rate;	 /* datagrams/s; 0: from --interval; INFINITY: max */
	double bitrate;	 /* bits/s of UDP payload; 0: not given */
	long long burst; /* datagrams per pacing step */
	double duration; /* seconds; 0: no limit */
	struct sealing_cfg sealing;
};

/* End-of-stream marker i (of END_REPEATS, sent END_GAP apart by the
 * caller) of the session whose data header is hdr and which began at
 * CLOCK_MONOTONIC t0 (ns); sealed when t is on. */
#define END_REPEATS 3	  /* end-of-stream markers; one may be lost */
#define END_GAP	    0.005 /* seconds between them */
void send_end_marker(mcast_t *m, struct sealing *t, const struct mcast_hdr *hdr,
		     const struct mcast_end *body, uint64_t t0, unsigned i);

/* Send sequence-numbered probes as c says, a session to each of the n
 * senders (one per group of c->groups), sealed when t is on; returns the
 * exit status. */
int send_probes(mcast_t **ms, size_t n, const struct send_cfg *c,
		struct sealing *t);

/*
 * mcast_send_batch(), but through ENODEV, ENXIO, ENETDOWN, ENETUNREACH
 * and EADDRNOTAVAIL: it reports the failure, looks the interface up again
 * by name every 100 ms until a send goes through, and reports the outage.
 * Returns as mcast_send_batch(); 0 when interrupted while waiting.
 */
int send_resilient(mcast_t *m, const struct mcast_dgram *v, size_t n);

#endif /* MCAST_CLI_SEND_H */
