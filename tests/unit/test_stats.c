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
	test_versioned_out();
	return check_done();
}
