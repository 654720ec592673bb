/* SPDX-License-Identifier: MIT */
/*
 * test_stream_detect.c - MCAST_STREAM_AUTO deciding per sender (mcast
 * probe, RTP, MPEG-TS over RTP, MPEG-TS over UDP, unknown), with every
 * datagram counted exactly once whatever was decided; and no allocation
 * at all per datagram in any analyzer (the library's calls to malloc,
 * calloc and realloc are wrapped at link time: tests/CMakeLists.txt).
 */
#include "media.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t m);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t m);
void *__wrap_realloc(void *p, size_t n);

static unsigned long lib_allocs;

void *__wrap_malloc(size_t n)
{
	lib_allocs++;
	return __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t m)
{
	lib_allocs++;
	return __real_calloc(n, m);
}

void *__wrap_realloc(void *p, size_t n)
{
	lib_allocs++;
	return __real_realloc(p, n);
}

static struct sender s_probe, s_rtp, s_rtpts, s_ts, s_junk, s_flip;

static void senders(void)
{
	s_probe = sender("10.0.0.1:1000", GROUP, 1);
	s_rtp = sender("10.0.0.2:1000", GROUP, 2);
	s_rtpts = sender("10.0.0.3:1000", GROUP, 3);
	s_ts = sender("10.0.0.4:1000", GROUP, 4);
	s_junk = sender("10.0.0.5:1000", GROUP, 5);
	s_flip = sender("10.0.0.6:1000", GROUP, 6);
}

/* Datagram n of each kind of sender. */
static int send_one(mcast_tracker_t *t, const struct sender *s, unsigned n,
		    unsigned *cc)
{
	uint8_t d[12 + 188 * 7];
	int64_t at = T0 + (int64_t)n * MS;
	size_t len;

	if (s == &s_probe)
		return probe(t, s, n);
	if (s == &s_rtp)
		return rtp_at(t, s, 96, (uint16_t)(500 + n), 0, 0x777, at);
	if (s == &s_flip) /* RTP-like, but a new SSRC every time */
		return rtp_at(t, s, 0, (uint16_t)n, 0, n, at);
	if (s == &s_junk) {
		memset(d, (int)n, 100);
		return feed_at(t, s, d, 100, at);
	}
	len = 0;
	if (s == &s_rtpts)
		len = rtp_build(d, 33, (uint16_t)n, 3000 * n, 0x888, 0);
	for (unsigned i = 0; i < 7; i++) {
		struct tsp k = { .pid = 0x44, .cc = (*cc)++ & 15 };

		ts_build(d + len, &k);
		len += 188;
	}
	return feed_at(t, s, d, len, at);
}

static int kind_of(const mcast_tracker_t *t, const struct sender *s)
{
	size_t n = mcast_tracker_count(t);

	for (size_t i = 0; i < n; i++) {
		struct mcast_stream_stats st = get(t, i);

		if (mcast_addr_same((const struct sockaddr *)&st.source,
				    (const struct sockaddr *)&s->src, 1))
			return st.stream;
	}
	return -1;
}

static void test_auto(void)
{
	mcast_tracker_t *t = stream_tracker(MCAST_STREAM_AUTO, NULL);
	const struct sender *all[] = { &s_probe, &s_rtp,  &s_rtpts,
				       &s_ts,	 &s_junk, &s_flip };
	unsigned cc[6] = { 0 }, sent = 0;
	struct mcast_stream_stats tot;
	int rc;

	for (unsigned n = 0; n < 20; n++)
		for (unsigned k = 0; k < 6; k++) {
			rc = send_one(t, all[k], n, &cc[k]);
			sent++;
			if (all[k] == &s_rtp || all[k] == &s_rtpts)
				CHECK_EQ_INT(rc, n < 2 ? MCAST_FEED_PENDING
						       : MCAST_FEED_STREAM);
			if (all[k] == &s_ts)
				CHECK_EQ_INT(rc, MCAST_FEED_STREAM);
			if (all[k] == &s_probe)
				CHECK_EQ_INT(rc, MCAST_FEED_DATA);
			if (all[k] == &s_junk || all[k] == &s_flip)
				CHECK(rc == MCAST_FEED_PLAIN ||
				      rc == MCAST_FEED_PENDING);
		}
	CHECK_EQ_INT(kind_of(t, &s_probe), MCAST_STREAM_MCAST);
	CHECK_EQ_INT(kind_of(t, &s_rtp), MCAST_STREAM_RTP);
	CHECK_EQ_INT(kind_of(t, &s_rtpts), MCAST_STREAM_RTP_TS);
	CHECK_EQ_INT(kind_of(t, &s_ts), MCAST_STREAM_TS);
	CHECK_EQ_INT(kind_of(t, &s_junk), MCAST_STREAM_UNKNOWN);
	CHECK_EQ_INT(kind_of(t, &s_flip), MCAST_STREAM_UNKNOWN);
	CHECK_EQ_INT(mcast_tracker_count(t), 6);
	tot = totals(t);
	/* Every datagram counted once, the ones held for RTP included;
	 * the TS layer of RTP starts at the datagram that decided. */
	CHECK_EQ_INT(tot.received, sent);
	CHECK_EQ_INT(tot.lost, 0);
	CHECK_EQ_INT(tot.ts_packets, 20 * 7 + 18 * 7);
	CHECK_EQ_INT(tot.ts_cc_errors, 0);
	CHECK_EQ_INT(tot.stream, MCAST_STREAM_AUTO);
	mcast_tracker_free(t);
}

/* The bounds: 1024 sessions, 8192 PIDs; a sequence field where
 * RTP has its sequence number. */
static void big(struct mcast_tracker_opts *o)
{
	o->max_sessions = 1024;
	o->max_pids = 8192;
	o->seq = (struct mcast_seq_spec){ .offset = 2, .width = 2 };
}

/* After creation, nothing is allocated, whatever comes. */
static void test_no_allocation(void)
{
	static const int types[] = { MCAST_STREAM_AUTO, MCAST_STREAM_RTP_TS,
				     MCAST_STREAM_TS, MCAST_STREAM_SEQ };
	const struct sender *all[] = { &s_probe, &s_rtp,  &s_rtpts,
				       &s_ts,	 &s_junk, &s_flip };

	for (size_t ty = 0; ty < sizeof(types) / sizeof(types[0]); ty++) {
		unsigned long before;
		unsigned cc[6] = { 0 };
		mcast_tracker_t *t;

		t = stream_tracker(types[ty], big);
		before = lib_allocs;
		for (unsigned n = 0; n < 200; n++)
			for (unsigned k = 0; k < 6; k++)
				send_one(t, all[k], n, &cc[k]);
		CHECK_EQ_INT(lib_allocs - before, 0);
		CHECK(totals(t).received > 0);
		mcast_tracker_free(t);
	}
	/* The wrapping works: creating a tracker is seen. */
	CHECK(lib_allocs > 0);
}

int main(void)
{
	senders();
	test_auto();
	test_no_allocation();
	return check_done();
}
