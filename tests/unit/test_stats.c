/* SPDX-License-Identifier: MIT */
/*
 * test_stats.c - the stream tracker (src/lib/stats.c, docs/COUNTERS.md):
 * synthetic streams built with mcast_hdr_encode(), fed with made-up
 * metadata, and the exact counters they must give.
 */
#include "check.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
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
};

static struct sockaddr_storage addr(const char *text, unsigned flags)
{
	struct sockaddr_storage ss;

	if (mcast_addr_parse(text, flags, &ss) < 0) {
		fprintf(stderr, "cannot parse %s\n", text);
		abort();
	}
	return ss;
}

static struct sender sender(const char *src, const char *group, uint8_t id)
{
	struct sender s = { .ttl = 64 };

	s.src = addr(src, MCAST_PARSE_UNICAST | MCAST_PARSE_PORT);
	s.group = addr(group, MCAST_PARSE_GROUP | MCAST_PARSE_PORT);
	memset(s.session, id, sizeof(s.session));
	return s;
}

static struct mcast_meta meta_for(const struct sender *s, int64_t arrive_ns,
				  int rx_ttl, size_t len)
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

static size_t build(uint8_t *buf, const struct sender *s, uint8_t type,
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
	if (mcast_hdr_encode(&h, buf, MCAST_WIRE_HDR_LEN) != MCAST_WIRE_HDR_LEN)
		abort();
	memset(buf + MCAST_WIRE_HDR_LEN, 0xa5, payload_len);
	return MCAST_WIRE_HDR_LEN + (size_t)payload_len;
}

/* A data probe sent at send_ns, arriving at arrive_ns with rx_ttl. */
static int probe_at(mcast_tracker_t *t, const struct sender *s, uint64_t seq,
		    int64_t send_ns, int64_t arrive_ns, int rx_ttl)
{
	uint8_t buf[DGRAM];
	size_t len = build(buf, s, MCAST_MSG_DATA, seq, send_ns,
			   DGRAM - MCAST_WIRE_HDR_LEN);
	struct mcast_meta m = meta_for(s, arrive_ns, rx_ttl, len);

	return mcast_tracker_feed(t, buf, len, &m);
}

/* A data probe with a 1 ms delay, sent 1 ms after the previous one. */
static int probe(mcast_tracker_t *t, const struct sender *s, uint64_t seq)
{
	int64_t sent = T0 + (int64_t)seq * MS;

	return probe_at(t, s, seq, sent, sent + MS, -1);
}

static int end_msg(mcast_tracker_t *t, const struct sender *s, uint64_t copy,
		   uint64_t total)
{
	uint8_t buf[MCAST_WIRE_HDR_LEN + MCAST_END_BODY_LEN];
	size_t len = build(buf, s, MCAST_MSG_END, copy, T0, MCAST_END_BODY_LEN);
	struct mcast_meta m = meta_for(s, T0 + 10000 * MS, -1, len);

	mcast_end_encode(total, buf + MCAST_WIRE_HDR_LEN, MCAST_END_BODY_LEN);
	return mcast_tracker_feed(t, buf, len, &m);
}

static int plain(mcast_tracker_t *t, const struct sender *s, size_t len,
		 int64_t arrive_ns)
{
	uint8_t buf[256] = "hello, not an mcast header";
	struct mcast_meta m = meta_for(s, arrive_ns, 60, len);

	return mcast_tracker_feed(t, buf, len, &m);
}

static mcast_tracker_t *tracker(unsigned max_sessions, unsigned window)
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

static struct mcast_stream_stats get(const mcast_tracker_t *t, size_t i)
{
	struct mcast_stream_stats s = { .size = sizeof(s) };

	CHECK_CODE(mcast_tracker_get(t, i, &s), 0);
	return s;
}

static struct mcast_stream_stats totals(const mcast_tracker_t *t)
{
	struct mcast_stream_stats s = { .size = sizeof(s) };

	CHECK_CODE(mcast_tracker_totals(t, &s), 0);
	return s;
}

/* ---------------------------------------------------------------- */

static void test_opts(void)
{
	struct mcast_tracker_opts o;
	mcast_tracker_t *t = (void *)1;
	static const unsigned bad[][2] = {
		{ 0, 1024 },	    { 65537, 1024 }, { 256, 0 },
		{ 256, 63 },	    { 256, 65537 },  { 256, 1u << 31 },
		{ 1u << 31, 1024 },
	};

	mcast_tracker_opts_init(&o);
	CHECK_EQ_INT(o.size, sizeof(o));
	CHECK_EQ_INT(o.max_sessions, 256);
	CHECK_EQ_INT(o.window, 1024);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		mcast_tracker_opts_init(&o);
		o.max_sessions = bad[i][0];
		o.window = bad[i][1];
		CHECK_CODE(mcast_tracker_new(&t, &o), -EINVAL);
		CHECK(t == NULL);
	}
	o.size = 0;
	CHECK_CODE(mcast_tracker_new(&t, &o), -EINVAL);
	CHECK_CODE(mcast_tracker_new(NULL, NULL), -EINVAL);

	/* The limits themselves are fine; NULL opts means defaults. */
	static const unsigned good[][2] = { { 1, 64 }, { 65536, 65536 } };
	for (size_t i = 0; i < 2; i++) {
		mcast_tracker_opts_init(&o);
		o.max_sessions = good[i][0];
		o.window = good[i][1];
		CHECK_CODE(mcast_tracker_new(&t, &o), 0);
		mcast_tracker_free(t);
	}
	CHECK_CODE(mcast_tracker_new(&t, NULL), 0);
	CHECK_EQ_INT(mcast_tracker_count(t), 0);
	CHECK_EQ_INT(mcast_tracker_all_ended(t), 0);
	mcast_tracker_free(t);
	mcast_tracker_free(NULL);

	/* An older caller's shorter opts: the window takes its default. */
	mcast_tracker_opts_init(&o);
	o.size = offsetof(struct mcast_tracker_opts, window);
	o.max_sessions = 3;
	o.window = 5; /* beyond size: must not be read */
	CHECK_CODE(mcast_tracker_new(&t, &o), 0);
	mcast_tracker_free(t);
}

static void test_null_args(void)
{
	mcast_tracker_t *t = tracker(0, 0);
	struct mcast_stream_stats s = { .size = sizeof(s) };
	struct mcast_meta m;
	uint8_t buf[8] = { 0 };

	mcast_meta_init(&m);
	CHECK_CODE(mcast_tracker_feed(NULL, buf, 8, &m), -EINVAL);
	CHECK_CODE(mcast_tracker_feed(t, buf, 8, NULL), -EINVAL);
	CHECK_CODE(mcast_tracker_feed(t, NULL, 8, &m), -EINVAL);
	m.size = offsetof(struct mcast_meta, src);
	CHECK_CODE(mcast_tracker_feed(t, buf, 8, &m), -EINVAL);
	CHECK_CODE(mcast_tracker_get(NULL, 0, &s), -EINVAL);
	CHECK_CODE(mcast_tracker_get(t, 0, NULL), -EINVAL);
	CHECK_CODE(mcast_tracker_get(t, 0, &s), -ERANGE);
	CHECK_CODE(mcast_tracker_totals(NULL, &s), -EINVAL);
	CHECK_CODE(mcast_tracker_totals(t, NULL), -EINVAL);
	s.size = 0;
	CHECK_CODE(mcast_tracker_totals(t, &s), -EINVAL);
	CHECK_EQ_INT(mcast_tracker_count(NULL), 0);
	CHECK_EQ_INT(mcast_tracker_all_ended(NULL), 0);
	/* An empty datagram (NULL, 0) is a plain one. */
	mcast_meta_init(&m);
	CHECK_CODE(mcast_tracker_feed(t, NULL, 0, &m), MCAST_FEED_PLAIN);
	CHECK_EQ_INT(mcast_tracker_count(t), 1);
	mcast_tracker_free(t);
}

static void test_in_order(void)
{
	mcast_tracker_t *t = tracker(0, 0);
	struct sender a = sender("10.0.0.1:5000", GROUP, 1);
	struct mcast_stream_stats s, tot;
	char g[MCAST_ADDRSTRLEN], src[MCAST_ADDRSTRLEN];
	int bad = 0;

	for (uint64_t q = 0; q < 1000; q++)
		bad += probe(t, &a, q) != MCAST_FEED_DATA;
	CHECK_EQ_INT(bad, 0);
	CHECK_EQ_INT(mcast_tracker_count(t), 1);
	s = get(t, 0);
	CHECK_EQ_INT(s.is_probe, 1);
	CHECK(memcmp(s.session, a.session, MCAST_SESSION_LEN) == 0);
	mcast_addr_format((struct sockaddr *)&s.group, MCAST_FMT_PORT, g,
			  sizeof(g));
	mcast_addr_format((struct sockaddr *)&s.source, MCAST_FMT_PORT, src,
			  sizeof(src));
	CHECK_STR(g, GROUP);
	CHECK_STR(src, "10.0.0.1:5000");
	CHECK_EQ_INT(s.first_seq, 0);
	CHECK_EQ_INT(s.max_seq, 999);
	CHECK_EQ_INT(s.received, 1000);
	CHECK_EQ_INT(s.lost, 0);
	CHECK_EQ_INT(s.duplicates, 0);
	CHECK_EQ_INT(s.reordered, 0);
	CHECK_EQ_INT(s.late, 0);
	CHECK_EQ_INT(s.bytes, 1000 * DGRAM);
	CHECK_EQ_INT(s.ended, 0);
	CHECK_EQ_INT(s.first.tv_sec, (T0 + MS) / 1000000000);
	CHECK_EQ_INT(s.first.tv_nsec, (T0 + MS) % 1000000000);
	CHECK_EQ_INT(s.last.tv_nsec, (T0 + 1000 * MS) % 1000000000);
	CHECK_EQ_INT(s.latency_count, 1000);
	CHECK_EQ_INT(s.latency_min_ns, MS);
	CHECK_EQ_INT(s.latency_max_ns, MS);
	CHECK(s.jitter_ns == 0);
	CHECK_EQ_INT(s.hops, -1); /* no received TTL given */
	tot = totals(t);
	CHECK_EQ_INT(tot.received, 1000);
	CHECK_EQ_INT(tot.lost, 0);
	CHECK_EQ_INT(tot.sessions, 1);
	CHECK_EQ_INT(tot.restarts, 0);
	CHECK_EQ_INT(tot.bytes, 1000 * DGRAM);
	CHECK_EQ_INT(tot.is_probe, 1);
	CHECK_EQ_INT(mcast_tracker_all_ended(t), 0);
	mcast_tracker_free(t);
}

static void test_gaps(void)
{
	mcast_tracker_t *t = tracker(0, 0);
	struct sender a = sender("10.0.0.1:5000", GROUP, 1);
	struct mcast_stream_stats s;

	/* Every 10th missing: 5, 15, ..., 995. */
	for (uint64_t q = 0; q < 1000; q++)
		if (q % 10 != 5)
			probe(t, &a, q);
	s = get(t, 0);
	CHECK_EQ_INT(s.received, 900);
	CHECK_EQ_INT(s.lost, 100);
	CHECK_EQ_INT(s.reordered, 0);
	CHECK_EQ_INT(s.late, 0);

	/* A burst bigger than the window: still exact. */
	probe(t, &a, 999 + 5000);
	s = get(t, 0);
	CHECK_EQ_INT(s.received, 901);
	CHECK_EQ_INT(s.lost, 100 + 4999);
	CHECK_EQ_INT(s.max_seq, 5999);
	mcast_tracker_free(t);
}

static void test_duplicates(void)
{
	mcast_tracker_t *t = tracker(0, 0);
	struct sender a = sender("10.0.0.1:5000", GROUP, 1);
	struct mcast_stream_stats s;
	int dups = 0;

	/* Every 7th sent twice in a row (0, 7, ..., 98: 15 of them), and
	 * seq 50 a third time later. */
	for (uint64_t q = 0; q < 100; q++) {
		probe(t, &a, q);
		if (q % 7 == 0)
			dups += probe(t, &a, q) == MCAST_FEED_DUP;
	}
	dups += probe(t, &a, 50) == MCAST_FEED_DUP;
	CHECK_EQ_INT(dups, 16);
	s = get(t, 0);
	CHECK_EQ_INT(s.duplicates, 16);
	CHECK_EQ_INT(s.received, 100);
	CHECK_EQ_INT(s.bytes, 100 * DGRAM); /* distinct only */
	CHECK_EQ_INT(s.lost, 0);
	CHECK_EQ_INT(s.reordered, 0);
	CHECK_EQ_INT(s.latency_count, 100);
	CHECK_EQ_INT(totals(t).duplicates, 16);
	mcast_tracker_free(t);
}

static void test_reordering(void)
{
	mcast_tracker_t *t = tracker(0, 0);
	struct sender a = sender("10.0.0.1:5000", GROUP, 1);
	struct sender b = sender("10.0.0.2:5000", GROUP, 2);
	struct sender c = sender("10.0.0.3:5000", GROUP, 3);
	struct mcast_stream_stats s;

	/* Pairs swapped: 1 0 3 2 5 4 ... each even one is reordered by 1. */
	for (uint64_t q = 0; q < 100; q += 2) {
		probe(t, &a, q + 1);
		probe(t, &a, q);
	}
	s = get(t, 0);
	CHECK_EQ_INT(s.received, 100);
	CHECK_EQ_INT(s.reordered, 50);
	CHECK_EQ_INT(s.late, 0);
	CHECK_EQ_INT(s.lost, 0);
	CHECK_EQ_INT(s.first_seq, 0); /* 0 arrived after 1 */

	/* Seq 50 displaced by 5 (arrives after 55): reordered and late. */
	for (uint64_t q = 0; q < 100; q++) {
		if (q == 50)
			continue;
		probe(t, &b, q);
		if (q == 55)
			CHECK_CODE(probe(t, &b, 50), MCAST_FEED_DATA);
	}
	s = get(t, 1);
	CHECK_EQ_INT(s.reordered, 1);
	CHECK_EQ_INT(s.late, 1);
	CHECK_EQ_INT(s.lost, 0);
	CHECK_EQ_INT(s.received, 100);

	/* The boundary: displaced by 2 is not late, by 3 is. */
	probe(t, &c, 0);
	probe(t, &c, 3);
	probe(t, &c, 1); /* max 3: displacement 2 */
	s = get(t, 2);
	CHECK_EQ_INT(s.reordered, 1);
	CHECK_EQ_INT(s.late, 0);
	CHECK_EQ_INT(s.lost, 1);
	probe(t, &c, 4);
	probe(t, &c, 2); /* max 4: displacement 2 */
	probe(t, &c, 7);
	probe(t, &c, 5); /* displacement 2 */
	probe(t, &c, 9);
	probe(t, &c, 6); /* displacement 3 */
	s = get(t, 2);
	CHECK_EQ_INT(s.reordered, 4);
	CHECK_EQ_INT(s.late, 1);
	CHECK_EQ_INT(s.lost, 1); /* 8 */
	CHECK_EQ_INT(s.received, 9);
	mcast_tracker_free(t);
}

/* window 64: a duplicate inside it is caught; one older is not. */
static void test_window(void)
{
	mcast_tracker_t *t = tracker(0, 64);
	mcast_tracker_t *t2 = tracker(0, 100); /* rounded up to 128 */
	struct sender a = sender("10.0.0.1:5000", GROUP, 1);
	struct mcast_stream_stats s;

	for (uint64_t q = 0; q < 200; q++)
		if (q != 180 && q != 100)
			probe(t, &a, q);
	/* Inside the window (max 199): 150 again is a duplicate, 136 (the
	 * oldest in it) too; 180 never came: a reordered arrival. */
	CHECK_CODE(probe(t, &a, 150), MCAST_FEED_DUP);
	CHECK_CODE(probe(t, &a, 136), MCAST_FEED_DUP);
	CHECK_CODE(probe(t, &a, 180), MCAST_FEED_DATA);
	s = get(t, 0);
	CHECK_EQ_INT(s.duplicates, 2);
	CHECK_EQ_INT(s.reordered, 1);
	CHECK_EQ_INT(s.late, 1);
	CHECK_EQ_INT(s.lost, 1); /* 100 */

	/* Older than the window (199 - 135 = 64): cannot be checked.  A
	 * genuine late arrival (100) counts; so does a duplicate (120): the
	 * documented limitation. */
	CHECK_CODE(probe(t, &a, 100), MCAST_FEED_DATA);
	CHECK_CODE(probe(t, &a, 120), MCAST_FEED_DATA);
	CHECK_CODE(probe(t, &a, 135), MCAST_FEED_DATA);
	s = get(t, 0);
	CHECK_EQ_INT(s.duplicates, 2);
	CHECK_EQ_INT(s.reordered, 4);
	CHECK_EQ_INT(s.late, 4);
	CHECK_EQ_INT(s.received, 202);
	CHECK_EQ_INT(s.lost, 0); /* clamped: expected 200 */

	/* A window of 100 is rounded up to 128. */
	for (uint64_t q = 0; q < 200; q++)
		probe(t2, &a, q);
	CHECK_CODE(probe(t2, &a, 199 - 127), MCAST_FEED_DUP);
	CHECK_CODE(probe(t2, &a, 199 - 128), MCAST_FEED_DATA);
	mcast_tracker_free(t);
	mcast_tracker_free(t2);
}

static void test_mid_stream_join(void)
{
	mcast_tracker_t *t = tracker(0, 0);
	struct sender a = sender("10.0.0.1:5000", GROUP, 1);
	struct mcast_stream_stats s;

	for (uint64_t q = 500; q < 1000; q++)
		probe(t, &a, q);
	s = get(t, 0);
	CHECK_EQ_INT(s.first_seq, 500);
	CHECK_EQ_INT(s.received, 500);
	CHECK_EQ_INT(s.lost, 0);

	/* 498 arrives late, from before the first one seen: first_seq
	 * moves down, so 499 now counts as lost. */
	probe(t, &a, 498);
	s = get(t, 0);
	CHECK_EQ_INT(s.first_seq, 498);
	CHECK_EQ_INT(s.received, 501);
	CHECK_EQ_INT(s.reordered, 1);
	CHECK_EQ_INT(s.late, 1);
	CHECK_EQ_INT(s.lost, 1);
	CHECK_CODE(probe(t, &a, 498), MCAST_FEED_DUP);

	/* Tail loss of a joiner counts from its first_seq. */
	end_msg(t, &a, 0, 1010);
	CHECK_EQ_INT(get(t, 0).lost, 1 + 10);
	mcast_tracker_free(t);
}

static void test_restart(void)
{
	mcast_tracker_t *t = tracker(0, 0);
	struct sender a = sender("10.0.0.1:5000", GROUP, 1);
	struct sender a2 = sender("10.0.0.1:5001", GROUP, 2);
	struct sender a3 = sender("10.0.0.1:5001", GROUP, 3);
	struct sender other = sender("10.0.0.2:5000", GROUP, 4);
	struct sender elsewhere = sender("10.0.0.1:5000", "239.1.2.4:1600", 5);
	struct mcast_stream_stats tot;

	for (uint64_t q = 0; q < 100; q++)
		probe(t, &a, q);
	/* The sender restarts: new session, new port, seq from 0. */
	for (uint64_t q = 0; q < 50; q++)
		probe(t, &a2, q);
	tot = totals(t);
	CHECK_EQ_INT(tot.restarts, 1);
	CHECK_EQ_INT(tot.sessions, 2);
	CHECK_EQ_INT(tot.lost, 0);
	CHECK_EQ_INT(tot.duplicates, 0);
	CHECK_EQ_INT(tot.reordered, 0);
	CHECK_EQ_INT(tot.received, 150);
	CHECK_EQ_INT(mcast_tracker_count(t), 2);

	/* Another host, or the same host to another group: not restarts.
	 * The same port with a new session again: a restart. */
	probe(t, &other, 0);
	probe(t, &elsewhere, 0);
	probe(t, &a3, 0);
	tot = totals(t);
	CHECK_EQ_INT(tot.restarts, 2);
	CHECK_EQ_INT(tot.sessions, 5);
	mcast_tracker_free(t);
}

static void test_end(void)
{
	mcast_tracker_t *t = tracker(0, 0);
	struct sender a = sender("10.0.0.1:5000", GROUP, 1);
	struct sender b = sender("10.0.0.2:5000", GROUP, 2);
	struct mcast_stream_stats s, tot;

	/* Tail loss: 0..89 received, the END says 100 were sent. */
	for (uint64_t q = 0; q < 90; q++)
		probe(t, &a, q);
	CHECK_EQ_INT(get(t, 0).lost, 0);
	CHECK_EQ_INT(mcast_tracker_all_ended(t), 0);
	CHECK_CODE(end_msg(t, &a, 0, 100), MCAST_FEED_END);
	s = get(t, 0);
	CHECK_EQ_INT(s.ended, 1);
	CHECK_EQ_INT(s.total_sent, 100);
	CHECK_EQ_INT(s.lost, 10);
	CHECK_EQ_INT(s.received, 90);
	CHECK_EQ_INT(mcast_tracker_all_ended(t), 1);

	/* The two repeats change nothing. */
	CHECK_CODE(end_msg(t, &a, 1, 100), MCAST_FEED_END);
	CHECK_CODE(end_msg(t, &a, 2, 100), MCAST_FEED_END);
	s = get(t, 0);
	CHECK_EQ_INT(s.lost, 10);
	CHECK_EQ_INT(s.received, 90);
	CHECK_EQ_INT(s.duplicates, 0);
	CHECK_EQ_INT(s.bytes, 90 * DGRAM);
	CHECK_EQ_INT(s.total_sent, 100);

	/* An END for a session never seen: every probe of it was lost. */
	CHECK_CODE(end_msg(t, &b, 0, 40), MCAST_FEED_END);
	CHECK_EQ_INT(mcast_tracker_count(t), 2);
	s = get(t, 1);
	CHECK_EQ_INT(s.is_probe, 1);
	CHECK_EQ_INT(s.received, 0);
	CHECK_EQ_INT(s.first_seq, 0);
	CHECK_EQ_INT(s.lost, 40);
	CHECK_EQ_INT(s.ended, 1);
	tot = totals(t);
	CHECK_EQ_INT(tot.lost, 50);
	CHECK_EQ_INT(tot.total_sent, 140);
	CHECK_EQ_INT(tot.sessions, 2);
	CHECK_EQ_INT(tot.ended, 1);
	CHECK_EQ_INT(mcast_tracker_all_ended(t), 1);

	/* A probe of it after all (reordered past the END): counted. */
	CHECK_CODE(probe(t, &b, 39), MCAST_FEED_DATA);
	s = get(t, 1);
	CHECK_EQ_INT(s.first_seq, 39);
	CHECK_EQ_INT(s.received, 1);
	CHECK_EQ_INT(s.lost, 0); /* counted from the first seq seen */

	/* An END with total 0 and nothing received: nothing lost. */
	struct sender c = sender("10.0.0.3:5000", GROUP, 3);
	end_msg(t, &c, 0, 0);
	CHECK_EQ_INT(get(t, 2).lost, 0);
	mcast_tracker_free(t);
}

static void test_all_ended(void)
{
	mcast_tracker_t *t = tracker(0, 0);
	struct sender a = sender("10.0.0.1:5000", GROUP, 1);
	struct sender b = sender("10.0.0.2:5000", GROUP, 2);

	/* Plain datagrams alone never end anything. */
	plain(t, &a, 10, T0);
	CHECK_EQ_INT(mcast_tracker_all_ended(t), 0);
	probe(t, &a, 0);
	probe(t, &b, 0);
	end_msg(t, &a, 0, 1);
	CHECK_EQ_INT(mcast_tracker_all_ended(t), 0);
	end_msg(t, &b, 0, 1);
	CHECK_EQ_INT(mcast_tracker_all_ended(t), 1);
	CHECK_EQ_INT(totals(t).ended, 1);
	mcast_tracker_free(t);

	/* A sender crashes (no END) and restarts on the same address and
	 * port: the crashed session no longer holds the end up, and still
	 * reads as not ended. */
	struct sender crashed = sender("10.0.0.1:1501", GROUP, 7);
	struct sender again = sender("10.0.0.1:1501", GROUP, 8);
	struct sender other_port = sender("10.0.0.1:1502", GROUP, 9);

	t = tracker(0, 0);
	for (uint64_t q = 0; q < 10; q++)
		probe(t, &crashed, q);
	probe(t, &again, 0);
	CHECK_EQ_INT(mcast_tracker_all_ended(t), 0);
	end_msg(t, &again, 0, 1);
	CHECK_EQ_INT(mcast_tracker_all_ended(t), 1);
	CHECK_EQ_INT(get(t, 0).ended, 0);
	CHECK_EQ_INT(get(t, 0).lost, 0);
	CHECK_EQ_INT(totals(t).restarts, 1);
	/* A late END of the crashed one changes nothing here. */
	end_msg(t, &crashed, 0, 10);
	CHECK_EQ_INT(mcast_tracker_all_ended(t), 1);
	/* A session from another port of that host may be a second sender
	 * still running: it is not superseded by the next one. */
	probe(t, &other_port, 0);
	CHECK_EQ_INT(mcast_tracker_all_ended(t), 0);
	struct sender after = sender("10.0.0.1:1503", GROUP, 10);
	probe(t, &after, 0);
	end_msg(t, &after, 0, 1);
	CHECK_EQ_INT(mcast_tracker_all_ended(t), 0);
	CHECK_EQ_INT(totals(t).restarts, 3);
	mcast_tracker_free(t);
}

static void test_plain_and_other(void)
{
	mcast_tracker_t *t = tracker(0, 0);
	struct sender a = sender("10.0.0.1:5000", GROUP, 0);
	struct sender a2 = sender("10.0.0.1:5001", GROUP, 0);
	struct sender b = sender("10.0.0.2:5000", GROUP, 0);
	struct sender v6 = sender("[2001:db8::1]:5000", "[ff15::1]:5000", 0);
	struct mcast_stream_stats s, tot;
	uint8_t buf[MCAST_WIRE_HDR_LEN + MCAST_PONG_BODY_LEN];
	struct mcast_meta m;
	size_t len;

	for (int i = 0; i < 5; i++)
		CHECK_CODE(plain(t, &a, 100, T0 + i), MCAST_FEED_PLAIN);
	for (int i = 0; i < 3; i++)
		plain(t, &a2, 10, T0 + 10 + i);
	for (int i = 0; i < 2; i++)
		plain(t, &b, 1, T0 + 20 + i);
	plain(t, &v6, 3, T0 + 30);
	/* Three bytes "MCS" are not the magic: plain. */
	CHECK_EQ_INT(mcast_tracker_count(t), 4);
	s = get(t, 0);
	CHECK_EQ_INT(s.is_probe, 0);
	CHECK_EQ_INT(s.received, 5);
	CHECK_EQ_INT(s.bytes, 500);
	CHECK_EQ_INT(s.lost, 0);
	CHECK_EQ_INT(s.hops, -1);
	CHECK_EQ_INT(s.latency_count, 0);
	CHECK_EQ_INT(s.first.tv_nsec, T0 % 1000000000);
	CHECK_EQ_INT(s.last.tv_nsec, (T0 + 4) % 1000000000);
	CHECK_EQ_INT(get(t, 1).received, 3);
	CHECK_EQ_INT(get(t, 2).received, 2);
	CHECK_EQ_INT(get(t, 3).received, 1);
	CHECK_EQ_INT(get(t, 3).source.ss_family, AF_INET6);
	CHECK_CODE(mcast_tracker_get(t, 4, &s), -ERANGE);
	CHECK_CODE(mcast_tracker_get(t, (size_t)-1, &s), -ERANGE);

	/* Pings and pongs are not stream data. */
	len = build(buf, &b, MCAST_MSG_PING, 0, T0, 0);
	m = meta_for(&b, T0, -1, len);
	CHECK_CODE(mcast_tracker_feed(t, buf, len, &m), MCAST_FEED_OTHER);
	len = build(buf, &b, MCAST_MSG_PONG, 0, T0, MCAST_PONG_BODY_LEN);
	m = meta_for(&b, T0, -1, len);
	CHECK_CODE(mcast_tracker_feed(t, buf, len, &m), MCAST_FEED_OTHER);
	CHECK_EQ_INT(mcast_tracker_count(t), 4);

	tot = totals(t);
	CHECK_EQ_INT(tot.received, 11);
	CHECK_EQ_INT(tot.bytes, 500 + 30 + 2 + 3);
	CHECK_EQ_INT(tot.sessions, 0);
	CHECK_EQ_INT(tot.is_probe, 0);
	CHECK_EQ_INT(tot.first.tv_nsec, T0 % 1000000000);
	CHECK_EQ_INT(tot.last.tv_nsec, (T0 + 30) % 1000000000);
	mcast_tracker_free(t);
}

static void test_malformed(void)
{
	mcast_tracker_t *t = tracker(0, 0);
	struct sender a = sender("10.0.0.1:5000", GROUP, 1);
	uint8_t buf[DGRAM];
	struct mcast_meta m = meta_for(&a, T0, -1, DGRAM);
	size_t len;

	build(buf, &a, MCAST_MSG_DATA, 0, T0, DGRAM - MCAST_WIRE_HDR_LEN);
	buf[4] = 2; /* version */
	CHECK_CODE(mcast_tracker_feed(t, buf, DGRAM, &m), MCAST_EVERSION);
	buf[4] = 1;
	CHECK_CODE(mcast_tracker_feed(t, buf, 20, &m), MCAST_ESHORT);
	buf[5] = 9; /* type */
	CHECK_CODE(mcast_tracker_feed(t, buf, DGRAM, &m), MCAST_EMALFORMED);
	/* An END whose body is too short. */
	len = build(buf, &a, MCAST_MSG_END, 0, T0, 4);
	m = meta_for(&a, T0, -1, len);
	CHECK_CODE(mcast_tracker_feed(t, buf, len, &m), MCAST_ESHORT);
	CHECK_EQ_INT(totals(t).malformed, 4);
	CHECK_EQ_INT(totals(t).received, 0);
	CHECK_EQ_INT(mcast_tracker_count(t), 0);
	mcast_tracker_free(t);
}

/* max_sessions 4, 10 senders one after another, each losing one. */
static void test_retire(void)
{
	mcast_tracker_t *t = tracker(4, 0);
	struct mcast_stream_stats tot, s;
	char src[32];

	for (int k = 0; k < 10; k++) {
		snprintf(src, sizeof(src), "10.0.1.%d:5000", k + 1);
		struct sender x = sender(src, GROUP, (uint8_t)(k + 1));

		for (uint64_t q = 0; q < 10; q++)
			if (q != 4)
				probe(t, &x, q);
		if (k % 2)
			end_msg(t, &x, 0, 12); /* and 2 lost at the tail */
	}
	CHECK_EQ_INT(mcast_tracker_count(t), 4);
	tot = totals(t);
	CHECK_EQ_INT(tot.retired, 6);
	CHECK_EQ_INT(tot.sessions, 10);
	CHECK_EQ_INT(tot.received, 90);
	CHECK_EQ_INT(tot.lost, 10 + 5 * 2);
	CHECK_EQ_INT(tot.bytes, 90 * DGRAM);
	CHECK_EQ_INT(tot.total_sent, 5 * 12);
	CHECK_EQ_INT(tot.latency_count, 90);
	/* The live ones, in order of first arrival: senders 7..10. */
	for (size_t i = 0; i < 4; i++) {
		s = get(t, i);
		CHECK_EQ_INT(s.session[0], 7 + i);
	}
	/* Live sessions 8 and 10 ended, 7 and 9 did not. */
	CHECK_EQ_INT(mcast_tracker_all_ended(t), 0);
	mcast_tracker_free(t);

	/* The one retired is the one idle longest, not the oldest. */
	t = tracker(4, 0);
	struct sender x[5];
	for (int k = 0; k < 5; k++) {
		snprintf(src, sizeof(src), "10.0.2.%d:5000", k + 1);
		x[k] = sender(src, GROUP, (uint8_t)(k + 1));
	}
	for (int k = 0; k < 4; k++)
		probe(t, &x[k], 0);
	probe(t, &x[0], 1); /* A is busy again; B idles longest */
	probe(t, &x[4], 0);
	CHECK_EQ_INT(get(t, 0).session[0], 1);
	CHECK_EQ_INT(get(t, 1).session[0], 3);
	CHECK_EQ_INT(get(t, 2).session[0], 4);
	CHECK_EQ_INT(get(t, 3).session[0], 5);
	CHECK_EQ_INT(get(t, 0).received, 2);

	/* B comes back: a new entry from its next seq (no false loss), but
	 * not a new session and not a restart. */
	probe(t, &x[1], 5);
	tot = totals(t);
	CHECK_EQ_INT(tot.sessions, 5);
	CHECK_EQ_INT(tot.restarts, 0);
	CHECK_EQ_INT(tot.retired, 2);
	CHECK_EQ_INT(tot.received, 7);
	CHECK_EQ_INT(tot.lost, 0);
	mcast_tracker_free(t);
}

static void test_latency(void)
{
	mcast_tracker_t *t = tracker(0, 0);
	struct sender a = sender("10.0.0.1:5000", GROUP, 1);
	struct sender b = sender("10.0.0.2:5000", GROUP, 2);
	struct mcast_stream_stats s, tot;

	/* Delays 100..199 us, then one from a clock 5 us ahead. */
	for (int64_t q = 0; q < 100; q++) {
		int64_t sent = T0 + q * MS;

		probe_at(t, &a, (uint64_t)q, sent, sent + (100 + q) * 1000, -1);
	}
	probe_at(t, &a, 100, T0 + 100 * MS, T0 + 100 * MS - 5000, -1);
	s = get(t, 0);
	CHECK_EQ_INT(s.latency_count, 101);
	CHECK_EQ_INT(s.latency_min_ns, -5000);
	CHECK_EQ_INT(s.latency_max_ns, 199000);
	/* Nearest rank 51 of 101: -5000 (as 0), 100..199 us -> 149 us. */
	CHECK(s.latency_p50_ns >= 149000 * 0.97 &&
	      s.latency_p50_ns <= 149000 * 1.03);
	/* Rank 100 of 101: 198 us. */
	CHECK(s.latency_p99_ns >= 198000 * 0.97 && s.latency_p99_ns <= 199000);

	/* Totals merge every session's probes. */
	for (int64_t q = 0; q < 100; q++) {
		int64_t sent = T0 + q * MS;

		probe_at(t, &b, (uint64_t)q, sent, sent + 10 * MS, -1);
	}
	tot = totals(t);
	CHECK_EQ_INT(tot.latency_count, 201);
	CHECK_EQ_INT(tot.latency_min_ns, -5000);
	CHECK_EQ_INT(tot.latency_max_ns, 10 * MS);
	/* Rank 101 of 201: the largest of a's (199 us). */
	CHECK(tot.latency_p50_ns >= 199000 * 0.97 &&
	      tot.latency_p50_ns <= 199000 * 1.03);
	CHECK(tot.latency_p99_ns >= 10 * MS * 0.97 &&
	      tot.latency_p99_ns <= 10 * MS);
	CHECK_EQ_INT(get(t, 1).latency_p50_ns, 10 * MS); /* clamped: exact */
	mcast_tracker_free(t);
}

static void test_jitter(void)
{
	mcast_tracker_t *t = tracker(0, 0);
	struct sender a = sender("10.0.0.1:5000", GROUP, 1);
	struct sender b = sender("10.0.0.2:5000", GROUP, 2);
	struct sender c = sender("10.0.0.3:5000", GROUP, 3);
	double want = 0;

	/* Constant delay, even with gaps and irregular sending: 0. */
	for (int64_t q = 0; q < 100; q++) {
		int64_t sent = T0 + q * q * 1000;

		if (q % 9 != 3)
			probe_at(t, &a, (uint64_t)q, sent, sent + 7 * MS, -1);
	}
	CHECK(get(t, 0).jitter_ns == 0);

	/* Delays alternating 1 ms and 3 ms: |D| = 2 ms from the second
	 * probe on; J += (|D| - J) / 16 (RFC 3550 6.4.1). */
	for (int64_t q = 0; q < 50; q++) {
		int64_t sent = T0 + q * 20 * MS;

		probe_at(t, &b, (uint64_t)q, sent, sent + (q % 2 ? 3 : 1) * MS,
			 -1);
		if (q > 0)
			want += (2.0 * MS - want) / 16;
	}
	double got = get(t, 1).jitter_ns;
	CHECK(got > want - 1e-6 && got < want + 1e-6);
	/* J_n = A (1 - (15/16)^n): after 49 differences, 95.7% of 2 ms. */
	CHECK(got > 0.95 * 2 * MS && got < 2.0 * MS);
	/* Jitter of totals: the largest of the live sessions. */
	CHECK(totals(t).jitter_ns == got);

	/* A duplicate is not an arrival: it leaves the estimate alone. */
	probe_at(t, &c, 0, T0, T0 + MS, -1);
	probe_at(t, &c, 0, T0, T0 + 50 * MS, -1);
	probe_at(t, &c, 1, T0 + MS, T0 + 2 * MS, -1);
	CHECK(get(t, 2).jitter_ns == 0);
	mcast_tracker_free(t);
}

static void test_hops(void)
{
	mcast_tracker_t *t = tracker(0, 0);
	struct sender a = sender("10.0.0.1:5000", GROUP, 1);
	struct sender b = sender("10.0.0.2:5000", GROUP, 2);

	probe_at(t, &a, 0, T0, T0 + MS, 61); /* a.ttl is 64 */
	CHECK_EQ_INT(get(t, 0).hops, 3);
	CHECK_EQ_INT(totals(t).hops, 3);
	b.ttl = 1;
	probe_at(t, &b, 0, T0, T0 + MS, 1);
	CHECK_EQ_INT(get(t, 1).hops, 0);
	CHECK_EQ_INT(totals(t).hops, 0); /* the latest probe's */
	/* Unknown received TTL: unknown hops (the latest value counts). */
	probe_at(t, &a, 1, T0, T0 + MS, -1);
	CHECK_EQ_INT(get(t, 0).hops, -1);
	/* A received TTL above the sent one makes no sense: unknown. */
	probe_at(t, &b, 1, T0, T0 + MS, 5);
	CHECK_EQ_INT(get(t, 1).hops, -1);
	mcast_tracker_free(t);
}

/* One sender to two groups, and IPv6: separate entries. */
static void test_keys(void)
{
	mcast_tracker_t *t = tracker(0, 0);
	struct sender a = sender("10.0.0.1:5000", GROUP, 1);
	struct sender a_other = sender("10.0.0.1:5000", "239.1.2.3:1601", 1);
	struct sender v6 = sender("[2001:db8::1]:5000", "[ff15::1]:5000", 1);
	struct sender v6b = sender("[2001:db8::2]:5000", "[ff15::1]:5000", 1);

	probe(t, &a, 0);
	probe(t, &a_other, 0);
	probe(t, &v6, 0);
	probe(t, &v6b, 0);
	CHECK_CODE(probe(t, &v6, 0), MCAST_FEED_DUP);
	CHECK_EQ_INT(mcast_tracker_count(t), 4);
	/* Without MCAST_META_DST the group is unknown: one entry for all. */
	uint8_t buf[DGRAM];
	struct mcast_meta m = meta_for(&a, T0, -1, DGRAM);

	m.flags &= ~MCAST_META_DST;
	build(buf, &a, MCAST_MSG_DATA, 1, T0, DGRAM - MCAST_WIRE_HDR_LEN);
	CHECK_CODE(mcast_tracker_feed(t, buf, DGRAM, &m), MCAST_FEED_DATA);
	m.dst = a_other.group;
	CHECK_CODE(mcast_tracker_feed(t, buf, DGRAM, &m), MCAST_FEED_DUP);
	CHECK_EQ_INT(get(t, 4).group.ss_family, AF_UNSPEC);
	mcast_tracker_free(t);
}

/* A caller's older, shorter struct gets only what fits. */
static void test_versioned_out(void)
{
	mcast_tracker_t *t = tracker(0, 0);
	struct sender a = sender("10.0.0.1:5000", GROUP, 1);
	struct mcast_stream_stats s;
	size_t cut = offsetof(struct mcast_stream_stats, lost);

	for (uint64_t q = 0; q < 10; q++)
		probe(t, &a, q);
	memset(&s, 0x5a, sizeof(s));
	s.size = cut;
	CHECK_CODE(mcast_tracker_get(t, 0, &s), 0);
	CHECK_EQ_INT(s.size, cut);
	CHECK_EQ_INT(s.received, 10);
	CHECK_EQ_INT(((uint8_t *)&s)[cut], 0x5a);
	CHECK_EQ_INT(((uint8_t *)&s)[sizeof(s) - 1], 0x5a);
	memset(&s, 0x5a, sizeof(s));
	s.size = cut;
	CHECK_CODE(mcast_tracker_totals(t, &s), 0);
	CHECK_EQ_INT(s.received, 10);
	CHECK_EQ_INT(((uint8_t *)&s)[cut], 0x5a);
	mcast_tracker_free(t);
}

/*
 * 100k datagrams from 100k made-up sources must not grow anything: 256
 * entries stay, the rest are retired with exact sums, and the survivors
 * are still found (no stale table slots) in first-arrival order.
 */
static void test_spoofed_flood(void)
{
	mcast_tracker_t *t = tracker(256, 0);
	struct sender x = sender("10.0.0.1:5000", GROUP, 0);
	struct sockaddr_in *sin = (struct sockaddr_in *)&x.src;
	struct mcast_stream_stats tot, s;
	const uint32_t n = 100000;
	int ok = 1;

	for (uint32_t i = 0; i < n; i++) {
		sin->sin_addr.s_addr = htonl(0x0a000000 + i);
		sin->sin_port = htons((uint16_t)(i * 7));
		memcpy(x.session, &i, sizeof(i));
		if (i % 2)
			plain(t, &x, 100, T0 + i);
		else
			probe_at(t, &x, i, T0, T0 + i, -1);
		if (mcast_tracker_count(t) > 256)
			ok = 0;
	}
	CHECK(ok);
	CHECK_EQ_INT(mcast_tracker_count(t), 256);
	tot = totals(t);
	CHECK_EQ_INT(tot.received, n);
	CHECK_EQ_INT(tot.retired, n - 256);
	CHECK_EQ_INT(tot.sessions, n / 2);
	CHECK_EQ_INT(tot.lost, 0);
	CHECK_EQ_INT(tot.bytes, n / 2 * 100 + n / 2 * DGRAM);
	for (size_t i = 0; i < 256; i++) {
		s = get(t, i);
		ok &= s.first.tv_nsec ==
		      (T0 + n - 256 + (int64_t)i) % 1000000000;
	}
	CHECK(ok);

	/* Feed the survivors again: found, nothing retired or added. */
	for (uint32_t i = n - 256; i < n; i++) {
		sin->sin_addr.s_addr = htonl(0x0a000000 + i);
		sin->sin_port = htons((uint16_t)(i * 7));
		memcpy(x.session, &i, sizeof(i));
		if (i % 2)
			plain(t, &x, 100, T0 + n + i);
		else
			CHECK_CODE(probe_at(t, &x, i, T0, T0 + i, -1),
				   MCAST_FEED_DUP);
	}
	CHECK_EQ_INT(mcast_tracker_count(t), 256);
	CHECK_EQ_INT(totals(t).retired, n - 256);
	mcast_tracker_free(t);
}

int main(void)
{
	test_opts();
	test_null_args();
	test_in_order();
	test_gaps();
	test_duplicates();
	test_reordering();
	test_window();
	test_mid_stream_join();
	test_restart();
	test_end();
	test_all_ended();
	test_plain_and_other();
	test_malformed();
	test_retire();
	test_latency();
	test_jitter();
	test_hops();
	test_keys();
	test_versioned_out();
	test_spoofed_flood();
	return check_done();
}
