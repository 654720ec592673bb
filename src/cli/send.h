/* SPDX-License-Identifier: MIT */
/* mcast send's settings, shared by the plain and the probe sender. */
#ifndef MCAST_CLI_SEND_H
#define MCAST_CLI_SEND_H

#include "cli.h"
#include "trust.h"

struct send_cfg {
	struct sockaddr_storage group;
	struct mcast_opts opts;
	const char *group_text;
	const char *message;
	const char *file;
	long long count; /* -1: unlimited */
	double interval;
	long long size;
	bool lines, quiet, interval_set, message_given, size_set;
	bool framed; /* data envelopes and end markers; implied by --key */
	/* probes */
	bool probe;
	double rate;	 /* datagrams/s; 0: from --interval; INFINITY: max */
	double bitrate;	 /* bits/s of UDP payload; 0: not given */
	long long burst; /* datagrams per pacing step */
	double duration; /* seconds; 0: no limit */
	struct trust_cfg trust;
};

/* The end-of-stream markers of the session whose data header is hdr:
 * total data datagrams were sent; sealed when t is on. */
void send_end(mcast_t *m, struct trust *t, const struct mcast_hdr *hdr,
	      uint64_t total);

/* Send sequence-numbered probes as c says, sealed when t is on; returns
 * the exit status. */
int send_probes(mcast_t *m, const struct send_cfg *c, struct trust *t);

#endif /* MCAST_CLI_SEND_H */
