/* SPDX-License-Identifier: MIT */
/*
 * mcast recv --stats for streams other than mcast's probes (RTP, MPEG-TS,
 * sequence-field feeds; docs/STREAMS.md): what auto-detection decided,
 * their JSON fields and their text tables, and the loss over every type.
 */
#ifndef MCAST_CLI_REPORT_STREAM_H
#define MCAST_CLI_REPORT_STREAM_H

#include "json.h"
#include "mcast.h"

#include <stdbool.h>
#include <stdio.h>

/*
 * Loss over every stream type, in each one's own unit: datagrams of
 * probes, RTP and MPEG-TS over RTP, messages of sequence feeds, and TS
 * packets of MPEG-TS over UDP (ts_lost of ts_packets + ts_lost), whose
 * datagrams carry no sequence.  tot is the tracker's totals.
 */
void report_loss_units(const mcast_tracker_t *t,
		       const struct mcast_stream_stats *tot, uint64_t *lost,
		       uint64_t *expected);

/* Senders whose type auto-detection decided, said once each on stderr:
 * "stream SOURCE:PORT -> GROUP:PORT: TYPE". */
struct stream_seen {
	size_t count; /* entries at the last look */
	bool any;
	struct sockaddr_storage group, source; /* the newest one said */
	int stream;
	uint32_t ssrc;
};
void report_stream_decided(struct stream_seen *seen, const mcast_tracker_t *t,
			   unsigned max_sessions);

/* A session entry's stream fields before its counters ("stream",
 * sequence numbers, RTP's), and the MPEG-TS ones after them. */
void report_stream_json_head(struct json *j,
			     const struct mcast_stream_stats *s);
void report_stream_json_tail(struct json *j, const mcast_tracker_t *t, size_t i,
			     const struct mcast_stream_stats *s);
/* After the summary table: a block of lines per RTP, MPEG-TS or
 * sequence stream; with table (a terminal), one table of them, a row
 * each, and the PIDs of each MPEG-TS stream. */
void report_stream_text(FILE *out, const mcast_tracker_t *t, bool table);

#endif /* MCAST_CLI_REPORT_STREAM_H */
