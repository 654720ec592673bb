/* SPDX-License-Identifier: MIT */
/*
 * test_stats.c - the stream tracker's interface (src/lib/stats.c): options
 * and their limits, bad arguments, malformed datagrams, and callers'
 * older, shorter structs.  The counters themselves are tested in
 * test_stats_session.c and test_stats_table.c.
 */
#include "streams.h"

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

static void test_malformed(void)
{
	mcast_tracker_t *t = tracker(0, 0);
	struct sender a = sender("10.0.0.1:5000", GROUP, 1);
	uint8_t buf[DGRAM];
	struct mcast_meta m = meta_for(&a, T0, -1, DGRAM);
	size_t len;

	build(buf, &a, MCAST_MSG_DATA, 0, T0, DGRAM - MCAST_WIRE_HDR_LEN);
	buf[4] = 3; /* version */
	CHECK_CODE(mcast_tracker_feed(t, buf, DGRAM, &m), MCAST_EVERSION);
	buf[4] = 2;
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

/* Feed buf both ways: decoded here and handed over, and decoded by the
 * tracker; both must say the same. */
static int feed_twice(mcast_tracker_t *by_hdr, mcast_tracker_t *plain_feed,
		      const uint8_t *buf, size_t len,
		      const struct mcast_meta *m)
{
	struct mcast_hdr h;
	int dec = mcast_hdr_decode(&h, buf, len);
	int rc = mcast_tracker_feed_hdr(by_hdr, buf, len, m, dec, &h);

	CHECK_CODE(mcast_tracker_feed(plain_feed, buf, len, m), rc);
	return rc;
}

/* mcast_tracker_feed_hdr(): the accounting of mcast_tracker_feed() from a
 * header the caller decoded (recv and bench decode each datagram once). */
static void test_feed_hdr(void)
{
	mcast_tracker_t *t = tracker(0, 0), *u = tracker(0, 0);
	struct sender a = sender("10.0.0.1:5000", GROUP, 1);
	uint8_t buf[MCAST_WIRE_HDR_LEN + MCAST_END_BODY_LEN + 16];
	struct mcast_stream_stats x, y;
	struct mcast_meta m;
	struct mcast_hdr h;
	struct mcast_end e = { .total = 5 };
	size_t len;

	static const uint64_t seqs[] = { 0, 2, 1, 2, 4 };
	for (size_t i = 0; i < sizeof(seqs) / sizeof(seqs[0]); i++) {
		len = build(buf, &a, MCAST_MSG_DATA, seqs[i], T0 + 1000,
			    DGRAM - MCAST_WIRE_HDR_LEN);
		m = meta_for(&a, T0 + 2000 + (int64_t)i, 60, len);
		CHECK_CODE(feed_twice(t, u, buf, len, &m),
			   i == 3 ? MCAST_FEED_DUP : MCAST_FEED_DATA);
	}
	len = build(buf, &a, MCAST_MSG_END, 0, T0, MCAST_END_BODY_LEN);
	mcast_end_encode(&e, buf + MCAST_WIRE_HDR_LEN, MCAST_END_BODY_LEN);
	m = meta_for(&a, T0 + 9000, -1, len);
	CHECK_CODE(feed_twice(t, u, buf, len, &m), MCAST_FEED_END);
	/* A too-short END body is malformed either way. */
	len = build(buf, &a, MCAST_MSG_END, 1, T0, 4);
	CHECK_CODE(feed_twice(t, u, buf, len, &m), MCAST_ESHORT);
	memcpy(buf, "plain", 5);
	CHECK_CODE(feed_twice(t, u, buf, 5, &m), MCAST_FEED_PLAIN);
	CHECK_CODE(mcast_tracker_feed_hdr(t, buf, 5, &m, MCAST_ENOTMCAST_MSG,
					  NULL),
		   MCAST_FEED_PLAIN);
	CHECK_CODE(mcast_tracker_feed(u, buf, 5, &m), MCAST_FEED_PLAIN);
	CHECK_CODE(mcast_tracker_feed_hdr(t, buf, 5, &m, MCAST_EVERSION, NULL),
		   MCAST_EVERSION);
	memcpy(buf, "\x4d\x43\x53\x54", 4); /* the magic, version 0 */
	buf[4] = 0;
	CHECK_CODE(mcast_tracker_feed(u, buf, 8, &m), MCAST_EVERSION);

	x = totals(t);
	y = totals(u);
	CHECK_EQ_INT(x.received, 6); /* 4 probes, 2 plain */
	CHECK_EQ_INT(x.received, y.received);
	CHECK_EQ_INT(x.lost, 1); /* 3 of 0..4 */
	CHECK_EQ_INT(x.lost, y.lost);
	CHECK_EQ_INT(x.duplicates, 1);
	CHECK_EQ_INT(x.duplicates, y.duplicates);
	CHECK_EQ_INT(x.reordered, y.reordered);
	CHECK_EQ_INT(x.malformed, 2);
	CHECK_EQ_INT(x.malformed, y.malformed);
	CHECK_EQ_INT(x.plain, 2);
	CHECK_EQ_INT(x.plain, y.plain);
	CHECK_EQ_INT(x.bytes, y.bytes);
	CHECK_EQ_INT(x.total_sent, 5);
	CHECK_EQ_INT(x.total_sent, y.total_sent);
	CHECK_EQ_INT(x.latency_count, y.latency_count);
	CHECK_EQ_INT(x.latency_p50_ns, y.latency_p50_ns);
	CHECK_EQ_INT(mcast_tracker_all_ended(t), mcast_tracker_all_ended(u));

	/* A header that does not describe the bytes given is refused:
	 * the END body would be read past them. */
	len = build(buf, &a, MCAST_MSG_END, 2, T0, MCAST_END_BODY_LEN);
	CHECK_CODE(mcast_hdr_decode(&h, buf, len), MCAST_WIRE_HDR_LEN);
	CHECK_CODE(mcast_tracker_feed_hdr(t, buf, len - 1, &m,
					  MCAST_WIRE_HDR_LEN, &h),
		   -EINVAL);
	CHECK_CODE(mcast_tracker_feed_hdr(t, buf, len, &m, MCAST_WIRE_HDR_LEN,
					  NULL),
		   -EINVAL);
	CHECK_CODE(
		mcast_tracker_feed_hdr(t, NULL, 0, &m, MCAST_WIRE_HDR_LEN, &h),
		-EINVAL);
	CHECK_CODE(mcast_tracker_feed_hdr(NULL, buf, len, &m,
					  MCAST_WIRE_HDR_LEN, &h),
		   -EINVAL);
	CHECK_CODE(mcast_tracker_feed_hdr(t, buf, len, NULL, MCAST_WIRE_HDR_LEN,
					  &h),
		   -EINVAL);
	CHECK_EQ_INT(totals(t).malformed, 2);
	/* A sealed datagram, once opened, is handed over without its tag. */
	h.key_id = 7;
	CHECK_CODE(
		mcast_tracker_feed_hdr(t, buf, len, &m, MCAST_WIRE_HDR_LEN, &h),
		MCAST_FEED_END);
	mcast_tracker_free(t);
	mcast_tracker_free(u);
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

int main(void)
{
	test_opts();
	test_null_args();
	test_malformed();
	test_feed_hdr();
	test_versioned_out();
	return check_done();
}
