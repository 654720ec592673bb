/* SPDX-License-Identifier: MIT */
/*
 * fuzz_rtp.c - the RTP analyzer (src/lib/rtp.c) and auto-detection
 * (src/lib/stream.c) on any sequence of datagrams.
 *
 * The first byte chooses the tracker: RTP, MPEG-TS over RTP or AUTO, 1 to
 * 8 sessions (retirement comes soon), a window of 64 or 128, a clock for
 * dynamic payload types or none.  Each record is a datagram from one of
 * four senders: raw bytes, or an RTP header built from a few input bytes
 * (version, padding, extension and CSRC bits as given, one of four SSRCs,
 * a sequence number near the last), which reaches the A.1 rules far
 * sooner than random bytes would.
 *
 * Besides crashes it checks what the counters promise: with an explicit
 * type, every datagram is counted exactly once - received, duplicates or
 * malformed as feed() said; with AUTO, never more than were fed.
 */
#include "feed.h"

#include <stdlib.h>

#define MC_MAX_DGRAM 1500

struct expect {
	uint64_t fed, received, duplicates, malformed;
};

static size_t build_rtp(struct reader *r, uint8_t *buf, uint16_t *seq)
{
	unsigned b0 = take(r, 1), pt = take(r, 1), step = take(r, 1);
	size_t payload = take(r, 1), len;

	/* Mostly version 2 with a sequence number a little ahead. */
	buf[0] = (uint8_t)(b0 & 0x80 ? b0 : 0x80 | (b0 & 0x3f));
	buf[1] = (uint8_t)pt;
	*seq = (uint16_t)(*seq + (step < 200 ? step % 4 : step * 97));
	buf[2] = (uint8_t)(*seq >> 8);
	buf[3] = (uint8_t)*seq;
	for (int i = 4; i < 8; i++)
		buf[i] = (uint8_t)take(r, 1);
	memset(buf + 8, 0, 4);
	buf[11] = (uint8_t)(take(r, 1) & 3);
	len = 12 + take_bytes(r, buf + 12, payload);
	return len;
}

static void feed_one(mcast_tracker_t *t, struct reader *r, uint64_t *clock_ns,
		     uint16_t *seq, struct expect *x)
{
	uint8_t buf[MC_MAX_DGRAM];
	struct mcast_meta meta;
	unsigned ctl = take(r, 1);
	size_t len;
	int rc;

	feed_meta(&meta, r, ctl, clock_ns);
	if (ctl & 0x08)
		len = build_rtp(r, buf, &seq[ctl & 3]);
	else
		len = take_bytes(r, buf, take(r, 1));
	meta.len = len;
	rc = mcast_tracker_feed(t, buf, len, &meta);
	x->fed++;
	if (rc == MCAST_FEED_STREAM || rc == MCAST_FEED_PLAIN)
		x->received++;
	else if (rc == MCAST_FEED_DUP)
		x->duplicates++;
	else if (rc < 0)
		x->malformed++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int types[4] = { MCAST_STREAM_RTP, MCAST_STREAM_RTP_TS,
				      MCAST_STREAM_AUTO, MCAST_STREAM_AUTO };
	struct reader r = { data, size };
	struct mcast_tracker_opts o;
	struct mcast_stream_stats tot = { .size = sizeof(tot) };
	struct expect x = { 0 };
	uint64_t clock_ns = 1700000000000000000ull;
	uint16_t seq[4] = { 0, 100, 65500, 30000 };
	mcast_tracker_t *t;
	unsigned cfg = take(&r, 1);

	mcast_tracker_opts_init(&o);
	o.stream = types[cfg & 3];
	o.max_sessions = 1 + ((cfg >> 2) & 7);
	o.window = 64u << ((cfg >> 5) & 1);
	o.rtp_clock = cfg & 0x40 ? 90000 : 0;
	o.max_pids = 16; /* a small table is quicker to make and to check */
	if (mcast_tracker_new(&t, &o) != 0)
		abort();
	while (r.n) {
		feed_one(t, &r, &clock_ns, seq, &x);
		if (mcast_tracker_count(t) > o.max_sessions)
			abort();
	}
	if (mcast_tracker_totals(t, &tot) != 0 || check_pids(t, size) != 0)
		abort();
	if (o.stream == MCAST_STREAM_AUTO) {
		if (tot.received + tot.duplicates + tot.malformed > x.fed)
			abort();
	} else if (tot.received != x.received ||
		   tot.duplicates != x.duplicates ||
		   tot.malformed != x.malformed) {
		abort();
	}
	mcast_tracker_free(t);
	return 0;
}
