/* SPDX-License-Identifier: MIT */
/* Printing stream statistics (mcast recv --stats). */
#ifndef MCAST_CLI_REPORT_H
#define MCAST_CLI_REPORT_H

#include "mcast.h"

#include <stdbool.h>
#include <stdio.h>

/* lost / (received + lost), in percent; 0 when nothing was expected. */
double report_loss_pct(const struct mcast_stream_stats *s);
/* The run's loss in percent over every stream type (report_loss_units()),
 * and in *lost how many were lost, in their units. */
double report_run_loss_pct(const mcast_tracker_t *t,
			   const struct mcast_stream_stats *tot,
			   uint64_t *lost);
/* The tracker's totals into *out (size set here). */
void report_totals(const mcast_tracker_t *t, struct mcast_stream_stats *out);
/* One status line, rewritten in place (for a terminal). */
void report_live(FILE *err, const mcast_tracker_t *t, double elapsed);
/* Counts since *prev (updated) over [from, to] seconds of the run. */
void report_interval(FILE *out, bool json, const mcast_tracker_t *t,
		     struct mcast_stream_stats *prev, double from, double to);
/* What this host's kernel says about the receiver. */
struct report_host {
	uint64_t kernel_drops; /* SO_MEMINFO: receive buffer overflows */
	/* end-of-stream copies known to be missing: when the kernel dropped
	 * any, they are taken to be among its drops, which are not data */
	uint64_t end_missed;
	bool gro;   /* drops count coalesced buffers, not datagrams */
	int rcvbuf; /* bytes, as the kernel reports it */
	/* sealed streams: what was opened and rejected; NULL without --key */
	const struct mcast_rejects *rejects;
	/* the receiver's sockets, whose drops add up to kernel_drops: a
	 * socket may serve many groups, so drops are never a stream's */
	const struct mcast_socket_info *sockets;
	size_t nsockets;
	const char *iface; /* the receiver's --iface; NULL: by route */
	bool table;	   /* text for a terminal: streams as one table */
};

/* The final table, or one JSON object of "type":"summary". */
void report_summary(FILE *out, bool json, const mcast_tracker_t *t,
		    const struct report_host *host, double elapsed,
		    const char *ended_by);

#endif /* MCAST_CLI_REPORT_H */
