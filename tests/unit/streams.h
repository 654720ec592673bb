/* SPDX-License-Identifier: MIT */
/*
 * streams.h - synthetic streams for the stream tracker's tests
 * (test_stats*.c): datagrams built with mcast_hdr_encode() and fed with
 * made-up metadata, so every counter they give is known exactly.
 */
#ifndef STREAMS_H
#define STREAMS_H

#include "check.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define GROUP "239.1.2.3:1600"
#define DGRAM 64		    /* header + 16 bytes of payload */
#define T0    1700000000000000000ll /* ns since the epoch */
#define MS    1000000ll

/* One sender: where it sends from and to, its session and TTL. */
struct sender {
	struct sockaddr_storage src, group;
	uint8_t session[MCAST_SESSION_LEN];
	uint8_t ttl;
	bool v1;	     /* write version 1 headers (no elapsed_ns) */
	uint64_t elapsed_ns; /* what the next datagram carries */
};

static inline struct sockaddr_storage addr(const char *text, unsigned flags)
{
	struct sockaddr_storage ss;

	if (mcast_addr_parse(text, flags, &ss) < 0) {
		fprintf(stderr, "cannot parse %s\n", text);
		abort();
	}
	return ss;
}

static inline struct sender sender(const char *src, const char *group,
				   uint8_t id)
{
	struct sender s = { .ttl = 64 };

	s.src = addr(src, MCAST_PARSE_UNICAST | MCAST_PARSE_PORT);
	s.group = addr(group, MCAST_PARSE_GROUP | MCAST_PARSE_PORT);
	memset(s.session, id, sizeof(s.session));
	return s;
}

static inline struct mcast_meta
meta_for(const struct sender *s, int64_t arrive_ns, int rx_ttl, size_t len)
{
	struct mcast_meta m;

	mcast_meta_init(&m);
	m.flags = MCAST_META_DST | MCAST_META_TS;
	m.len = len;
	m.src = s->src;
	m.dst = s->group;
	m.ts.tv_sec = arrive_ns / 1000000000;
	m.ts.tv_nsec = arrive_ns % 1000000000;
	if (rx_ttl >= 0) {
		m.ttl = rx_ttl;
		m.flags |= MCAST_META_TTL;
	}
	return m;
}

static inline size_t build(uint8_t *buf, const struct sender *s, uint8_t type,
			   uint64_t seq, int64_t send_ns, uint16_t payload_len)
{
	struct mcast_hdr h = {
		.type = type,
		.seq = seq,
		.send_ns = (uint64_t)send_ns,
		.ttl = s->ttl,
		.payload_len = payload_len,
	};

	memcpy(h.session, s->session, sizeof(h.session));
	h.elapsed_ns = s->elapsed_ns;
	if (mcast_hdr_encode(&h, buf, MCAST_WIRE_HDR_LEN) != MCAST_WIRE_HDR_LEN)
		abort();
	if (s->v1) { /* what a version 1 sender wrote: no elapsed_ns */
		buf[4] = 1;
		buf[45] = MCAST_WIRE_HDR_LEN_V1;
		memset(buf + MCAST_WIRE_HDR_LEN_V1, 0xa5, payload_len);
		return MCAST_WIRE_HDR_LEN_V1 + (size_t)payload_len;
	}
	memset(buf + MCAST_WIRE_HDR_LEN, 0xa5, payload_len);
	return MCAST_WIRE_HDR_LEN + (size_t)payload_len;
}

/* A data probe sent at send_ns, arriving at arrive_ns with rx_ttl. */
static inline int probe_at(mcast_tracker_t *t, const struct sender *s,
			   uint64_t seq, int64_t send_ns, int64_t arrive_ns,
			   int rx_ttl)
{
	uint8_t buf[DGRAM];
	size_t len = build(buf, s, MCAST_MSG_DATA, seq, send_ns,
			   DGRAM - MCAST_WIRE_HDR_LEN);
	struct mcast_meta m = meta_for(s, arrive_ns, rx_ttl, len);

	return mcast_tracker_feed(t, buf, len, &m);
}

/* A data probe with a 1 ms delay, sent 1 ms after the previous one. */
static inline int probe(mcast_tracker_t *t, const struct sender *s,
			uint64_t seq)
{
	int64_t sent = T0 + (int64_t)seq * MS;

	return probe_at(t, s, seq, sent, sent + MS, -1);
}

/* An end-of-stream copy arriving at arrive_ns; a version 1 sender's has
 * the 8-byte body (no not_sent). */
static inline int end_at(mcast_tracker_t *t, const struct sender *s,
			 uint64_t copy, uint64_t total, uint64_t not_sent,
			 int64_t arrive_ns)
{
	uint8_t buf[MCAST_WIRE_HDR_LEN + MCAST_END_BODY_LEN];
	uint16_t body = s->v1 ? MCAST_END_BODY_LEN_V1 : MCAST_END_BODY_LEN;
	size_t len = build(buf, s, MCAST_MSG_END, copy, T0, body);
	struct mcast_meta m = meta_for(s, arrive_ns, -1, len);
	struct mcast_end e = { .total = total, .not_sent = not_sent };
	uint8_t tmp[MCAST_END_BODY_LEN];

	mcast_end_encode(&e, tmp, sizeof(tmp));
	memcpy(buf + len - body, tmp, body);
	return mcast_tracker_feed(t, buf, len, &m);
}

static inline int end_msg(mcast_tracker_t *t, const struct sender *s,
			  uint64_t copy, uint64_t total)
{
	return end_at(t, s, copy, total, 0, T0 + 10000 * MS);
}

static inline int plain(mcast_tracker_t *t, const struct sender *s, size_t len,
			int64_t arrive_ns)
{
	uint8_t buf[256] = "hello, not an mcast header";
	struct mcast_meta m = meta_for(s, arrive_ns, 60, len);

	return mcast_tracker_feed(t, buf, len, &m);
}

static inline mcast_tracker_t *tracker(unsigned max_sessions, unsigned window)
{
	struct mcast_tracker_opts o;
	mcast_tracker_t *t;

	mcast_tracker_opts_init(&o);
	if (max_sessions)
		o.max_sessions = max_sessions;
	if (window)
		o.window = window;
	if (mcast_tracker_new(&t, &o) < 0)
		abort();
	return t;
}

static inline struct mcast_stream_stats get(const mcast_tracker_t *t, size_t i)
{
	struct mcast_stream_stats s = { .size = sizeof(s) };

	CHECK_CODE(mcast_tracker_get(t, i, &s), 0);
	return s;
}

static inline struct mcast_stream_stats totals(const mcast_tracker_t *t)
{
	struct mcast_stream_stats s = { .size = sizeof(s) };

	CHECK_CODE(mcast_tracker_totals(t, &s), 0);
	return s;
}

#endif /* STREAMS_H */
