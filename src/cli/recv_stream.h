/* SPDX-License-Identifier: MIT */
/*
 * mcast recv over framed streams (send --framed, --probe, --key): what
 * the end-of-stream markers tell about completeness, and which of the
 * markers themselves went missing.
 */
#ifndef MCAST_CLI_RECV_STREAM_H
#define MCAST_CLI_RECV_STREAM_H

#include "cli.h"

/* Sessions whose end-of-stream copies are remembered; more are ignored. */
#define ENDS_MAX 256

struct ends {
	struct {
		uint8_t session[MCAST_SESSION_LEN];
		uint64_t seen; /* bit k: copy k (its seq) arrived */
	} s[ENDS_MAX];
	size_t n;
};

/* An end-of-stream copy arrived (h: its decoded header). */
void ends_note(struct ends *e, const struct mcast_hdr *h);
/* Copies that were sent before the last one that arrived but never came:
 * a receiver that stops at the first copy does not count the later ones,
 * which it never waited for. */
uint64_t ends_missed(const struct ends *e);

/* What the framed streams in t lack. */
struct stream_gap {
	uint64_t streams, ended; /* framed sessions; those with an end */
	uint64_t expected;	 /* datagrams sent, as far as known */
	uint64_t missing;	 /* of them, never received */
};

/* Sum over t's live probe sessions: an ended one expects its total, one
 * without an end everything up to the highest sequence number seen. */
void stream_gaps(const mcast_tracker_t *t, struct stream_gap *g);

#endif /* MCAST_CLI_RECV_STREAM_H */
