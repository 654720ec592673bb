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
	bool json; /* --format json: summary and events as JSON lines */
	/* probes */
	bool probe;
	double rate;	 /* datagrams/s; 0: from --interval; INFINITY: max */
	double bitrate;	 /* bits/s of UDP payload; 0: not given */
	long long burst; /* datagrams per pacing step */
	double duration; /* seconds; 0: no limit */
	struct trust_cfg trust;
};

/* Send sequence-numbered probes as c says, sealed when t is on; returns
 * the exit status. */
int send_probes(mcast_t *m, const struct send_cfg *c, struct trust *t);

#endif /* MCAST_CLI_SEND_H */
