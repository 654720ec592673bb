/* SPDX-License-Identifier: MIT */
/*
 * fuzz_tracker.c - the stream tracker (src/lib/stats.c, stats_table.c) on
 * any sequence of datagrams, as an unsealed receiver feeds it whatever the
 * network brings.
 *
 * The first byte sizes a small tracker (1 to 8 entries, a window of 64 or
 * 128), so that retirement and window wrap-around are reached quickly.
 * Each following record is one datagram from one of four sources to one of
 * two groups, with or without TTL and arrival time: either raw bytes, or a
 * header encoded from a few input bytes (type, one of four sessions, a
 * 16-bit sequence number, elapsed time, an end-of-stream total and
 * not_sent), which gets deep into
 * the sequence accounting far sooner than random bytes would.
 *
 * Besides crashes it checks what the counters promise (docs/PROTOCOL.md,
 * "Counters"): every datagram fed is counted exactly once in the totals -
 * received, duplicates, plain, malformed and bytes add up to what feed()
 * said of each - retired entries included; the table never holds more
 * entries than it was given.  A twin tracker is fed every datagram through
 * mcast_tracker_feed_hdr(), with the header decoded beforehand as recv
 * does: it must return and count exactly what mcast_tracker_feed() does.
 */
#include "feed.h"

#include <stdbool.h>
#include <stdlib.h>

#define MC_MAX_DGRAM 1500

/* A header from a few input bytes; 0 when the encoder refuses it (an
 * unknown type), and the record is then fed as raw bytes instead. */
static size_t build_framed(struct reader *r, uint8_t *buf)
{
	struct mcast_hdr h = { 0 };
	size_t payload;
	int rc;

	h.type = (uint8_t)(take(r, 1) % 6);
	memset(h.session, 0x11 * (int)(1 + take(r, 1) % 4), MCAST_SESSION_LEN);
	h.seq = take(r, 2);
	h.send_ns = 1700000000000000000ull + (uint64_t)take(r, 2) * 1000;
	h.ttl = (uint8_t)take(r, 1);
	h.elapsed_ns = (uint64_t)take(r, 2) * 1000000;
	payload = take(r, 1);
	if (h.type == MCAST_MSG_END && payload < MCAST_END_BODY_LEN)
		payload = MCAST_END_BODY_LEN;
	h.payload_len = (uint16_t)payload;
	rc = mcast_hdr_encode(&h, buf, MC_MAX_DGRAM);
	if (rc < 0)
		return 0;
	memset(buf + rc, 0, payload);
	if (h.type == MCAST_MSG_END) {
		struct mcast_end e = { .total = take(r, 2),
				       .not_sent = take(r, 1) };

		mcast_end_encode(&e, buf + rc, payload);
	}
	return (size_t)rc + payload;
}

struct expect {
	uint64_t received, duplicates, plain, malformed, bytes;
};

static void feed_one(mcast_tracker_t *t, mcast_tracker_t *twin,
		     struct reader *r, uint64_t *clock_ns, struct expect *x)
{
	static const uint32_t groups[2] = { 0xef010203, 0xef010204 };
	uint8_t buf[MC_MAX_DGRAM];
	struct mcast_meta meta;
	struct mcast_hdr h;
	unsigned ctl = take(r, 1);
	size_t len = 0;
	int rc;

	mcast_meta_init(&meta);
	set_source(&meta.src, ctl);
	set_v4(&meta.dst, groups[(ctl >> 2) & 1], 5000);
	meta.flags = MCAST_META_DST;
	if (ctl & 0x10) {
		meta.flags |= MCAST_META_TTL;
		meta.ttl = (int)take(r, 1);
	}
	if (ctl & 0x20) {
		/* Arrival times may step back: clocks and queues do. */
		*clock_ns += (uint64_t)(int64_t)(int16_t)take(r, 2) * 1000000;
		meta.flags |= MCAST_META_TS;
		meta.ts.tv_sec = (time_t)(*clock_ns / 1000000000u);
		meta.ts.tv_nsec = (long)(*clock_ns % 1000000000u);
	}
	if (ctl & 0x08)
		len = build_framed(r, buf);
	if (!len) {
		len = take(r, 1);
		if (len > r->n)
			len = r->n;
		memcpy(buf, r->p, len);
		r->p += len;
		r->n -= len;
	}
	meta.len = len;

	rc = mcast_tracker_feed(t, buf, len, &meta);
	if (mcast_tracker_feed_hdr(twin, buf, len, &meta,
				   mcast_hdr_decode(&h, buf, len), &h) != rc)
		abort();
	if (rc == MCAST_FEED_PLAIN)
		x->plain++;
	switch (rc) {
	case MCAST_FEED_PLAIN: /* a plain datagram is received as well */
	case MCAST_FEED_DATA:
		x->received++;
		x->bytes += len;
		break;
	case MCAST_FEED_DUP:
		x->duplicates++;
		break;
	case MCAST_FEED_END:
	case MCAST_FEED_OTHER:
		break;
	default:
		if (rc >= 0)
			abort();
		x->malformed++;
	}
}

/* The counters of two trackers fed alike (padding aside). */
static bool same(const struct mcast_stream_stats *a,
		 const struct mcast_stream_stats *b)
{
	return a->received == b->received && a->lost == b->lost &&
	       a->late == b->late && a->duplicates == b->duplicates &&
	       a->reordered == b->reordered && a->bytes == b->bytes &&
	       a->total_sent == b->total_sent && a->not_sent == b->not_sent &&
	       a->head == b->head && a->head_missed == b->head_missed &&
	       a->first_seq == b->first_seq && a->max_seq == b->max_seq &&
	       a->hops == b->hops && a->jitter_ns == b->jitter_ns &&
	       a->latency_count == b->latency_count &&
	       a->latency_p99_ns == b->latency_p99_ns &&
	       a->malformed == b->malformed && a->plain == b->plain &&
	       a->restarts == b->restarts && a->ended == b->ended &&
	       memcmp(a->session, b->session, MCAST_SESSION_LEN) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reader r = { data, size };
	struct mcast_tracker_opts o;
	struct mcast_stream_stats s = { .size = sizeof(s) };
	struct mcast_stream_stats tot = { .size = sizeof(tot) };
	struct mcast_stream_stats s2 = { .size = sizeof(s2) };
	struct expect x = { 0 };
	uint64_t clock_ns = 1700000000000000000ull, live = 0;
	mcast_tracker_t *t, *twin;
	unsigned cfg = take(&r, 1);
	size_t n;

	mcast_tracker_opts_init(&o);
	o.max_sessions = 1 + (cfg & 7);
	o.window = 64u << ((cfg >> 3) & 1);
	if (mcast_tracker_new(&t, &o) != 0 || mcast_tracker_new(&twin, &o) != 0)
		abort();
	/* Listening since a little after the first arrivals, for one group
	 * or all: sessions fall on both sides of it (the head rules). */
	if (cfg & 0x10) {
		struct timespec since = { 1700000000, 500000000 };
		struct sockaddr_storage g;

		set_v4(&g, 0xef010203, cfg & 0x20 ? 0 : 5000);
		if (mcast_tracker_listening(
			    t, cfg & 0x40 ? NULL : (struct sockaddr *)&g,
			    &since) != 0 ||
		    mcast_tracker_listening(
			    twin, cfg & 0x40 ? NULL : (struct sockaddr *)&g,
			    &since) != 0)
			abort();
	}
	while (r.n) {
		feed_one(t, twin, &r, &clock_ns, &x);
		if (mcast_tracker_count(t) > o.max_sessions)
			abort();
	}

	n = mcast_tracker_count(t);
	for (size_t i = 0; i < n; i++) {
		if (mcast_tracker_get(t, i, &s) != 0 ||
		    mcast_tracker_get(twin, i, &s2) != 0 || !same(&s, &s2))
			abort();
		if (s.is_probe && s.received && s.first_seq > s.max_seq)
			abort();
		if (s.head > MCAST_HEAD_JOINED_LATE ||
		    (s.head != MCAST_HEAD_JOINED_LATE && s.head_missed))
			abort();
		live += s.received;
	}
	if (mcast_tracker_get(t, n, &s) != -ERANGE)
		abort();
	if (mcast_tracker_totals(t, &tot) != 0 || tot.received != x.received ||
	    tot.duplicates != x.duplicates || tot.plain != x.plain ||
	    tot.malformed != x.malformed || tot.bytes != x.bytes ||
	    live > tot.received)
		abort();
	if ((unsigned)mcast_tracker_all_ended(t) > 1 ||
	    mcast_tracker_count(twin) != n ||
	    mcast_tracker_totals(twin, &s2) != 0 || !same(&tot, &s2) ||
	    mcast_tracker_all_ended(t) != mcast_tracker_all_ended(twin))
		abort();
	mcast_tracker_free(t);
	mcast_tracker_free(twin);
	return 0;
}
