/* SPDX-License-Identifier: MIT */
/*
 * test_rtp.c - the RTP analyzer (src/lib/rtp.c) on crafted datagrams:
 * RFC 3550 A.1 sequence rules (wrap, probation, restart), exact loss,
 * duplicates and reordering, SSRC changes, A.8 jitter against a value
 * computed by hand, clock rates, and malformed headers.
 */
#include "media.h"

#define SRC  "10.0.0.1:5004"
#define SSRC 0x11223344u

static struct mcast_stream_stats rtp_seqs(const uint16_t *seqs, size_t n)
{
	struct sender s = sender(SRC, GROUP, 1);
	mcast_tracker_t *t = stream_tracker(MCAST_STREAM_RTP, NULL);
	struct mcast_stream_stats st;

	for (size_t i = 0; i < n; i++)
		rtp_at(t, &s, 0, seqs[i], 160u * seqs[i], SSRC,
		       T0 + (int64_t)i * 20 * MS);
	CHECK_EQ_INT(mcast_tracker_count(t), 1);
	st = get(t, 0);
	mcast_tracker_free(t);
	return st;
}

#define SEQS(...) ((const uint16_t[]){ __VA_ARGS__ })
#define NSEQ(...) (sizeof(SEQS(__VA_ARGS__)) / sizeof(uint16_t))
#define RUN(...)  rtp_seqs(SEQS(__VA_ARGS__), NSEQ(__VA_ARGS__))

static void test_wrap(void)
{
	struct mcast_stream_stats s = RUN(65533, 65534, 65535, 0, 1, 2);

	CHECK_EQ_INT(s.stream, MCAST_STREAM_RTP);
	CHECK_EQ_INT(s.received, 6);
	CHECK_EQ_INT(s.lost, 0);
	CHECK_EQ_INT(s.reordered, 0);
	CHECK_EQ_INT(s.first_seq, 65533);
	CHECK_EQ_INT(s.max_seq, 65536 + 2); /* extended */
	s = RUN(65533, 65534, 65535, 1, 2);
	CHECK_EQ_INT(s.received, 5);
	CHECK_EQ_INT(s.lost, 1);
	/* Reordered across the wrap: 0 arrives after 1. */
	s = RUN(65534, 65535, 1, 0, 2);
	CHECK_EQ_INT(s.received, 5);
	CHECK_EQ_INT(s.lost, 0);
	CHECK_EQ_INT(s.reordered, 1);
	CHECK_EQ_INT(s.duplicates, 0);
}

static void test_loss_dup_reorder(void)
{
	struct mcast_stream_stats s = RUN(1, 2, 4, 5);

	CHECK_EQ_INT(s.received, 4);
	CHECK_EQ_INT(s.lost, 1);
	s = RUN(1, 2, 3, 3, 4, 2);
	CHECK_EQ_INT(s.received, 4);
	CHECK_EQ_INT(s.duplicates, 2);
	CHECK_EQ_INT(s.lost, 0);
	s = RUN(1, 2, 6, 3, 4, 5);
	CHECK_EQ_INT(s.received, 6);
	CHECK_EQ_INT(s.reordered, 3);
	CHECK_EQ_INT(s.late, 1);
	CHECK_EQ_INT(s.lost, 0);
}

/* A.1: a source is on probation until two datagrams come in sequence;
 * every datagram is still received, none counted lost twice. */
static void test_probation(void)
{
	struct mcast_stream_stats s = RUN(10, 50, 51, 52);

	CHECK_EQ_INT(s.received, 4);
	CHECK_EQ_INT(s.lost, 0);
	CHECK_EQ_INT(s.first_seq, 50);
	/* A stray jump after probation is neither lost nor a restart... */
	s = RUN(1, 2, 3, 5000, 4, 5);
	CHECK_EQ_INT(s.received, 6);
	CHECK_EQ_INT(s.lost, 0);
	CHECK_EQ_INT(s.max_seq, 5);
	/* ...two in sequence after it are: the counting starts again. */
	s = RUN(1, 2, 3, 5000, 5001, 5003);
	CHECK_EQ_INT(s.received, 6);
	CHECK_EQ_INT(s.lost, 1);
	CHECK_EQ_INT(s.first_seq, 5001); /* A.1 restarts at the second */
}

static void test_ssrc_change(void)
{
	struct sender s = sender(SRC, GROUP, 1);
	mcast_tracker_t *t = stream_tracker(MCAST_STREAM_RTP, NULL);
	struct mcast_stream_stats a, b, tot;

	for (unsigned i = 0; i < 5; i++)
		CHECK_EQ_INT(rtp_at(t, &s, 33, (uint16_t)(1 + i), i * 3000,
				    SSRC, T0 + i * MS),
			     MCAST_FEED_STREAM);
	for (unsigned i = 0; i < 5; i++)
		rtp_at(t, &s, 33, (uint16_t)(100 + i), i * 3000, 0xabcdef01u,
		       T0 + (10 + i) * MS);
	CHECK_EQ_INT(mcast_tracker_count(t), 2);
	a = get(t, 0);
	b = get(t, 1);
	tot = totals(t);
	CHECK_EQ_INT(a.ssrc, SSRC);
	CHECK_EQ_INT(b.ssrc, 0xabcdef01u);
	CHECK_EQ_INT(a.payload_type, 33);
	CHECK_EQ_INT(a.clock_rate, 90000);
	CHECK_EQ_INT(a.received + b.received, 10);
	CHECK_EQ_INT(tot.received, 10);
	CHECK_EQ_INT(tot.lost, 0);
	CHECK_EQ_INT(tot.sessions, 2);
	CHECK_EQ_INT(tot.restarts, 1);
	CHECK_EQ_INT(tot.is_probe, 0); /* no mcast probe session */
	CHECK_EQ_INT(tot.stream, MCAST_STREAM_RTP);
	mcast_tracker_free(t);
}

/*
 * A.8 by hand, PCMU (8000 Hz), 20 ms of samples (160) per datagram:
 * arrivals 0, 20, 45, 60, 80 ms give D = 0, +40, -40, 0 units, so
 * J = 0, 2.5, 2.5 + 37.5/16 = 4.84375, then 4.84375 * 15/16 =
 * 4.541015625 units; in ms divide by 8.  The largest is 4.84375.
 */
static void test_jitter(void)
{
	static const int64_t arrive_ms[] = { 0, 20, 45, 60, 80 };
	struct sender s = sender(SRC, GROUP, 1);
	mcast_tracker_t *t = stream_tracker(MCAST_STREAM_RTP, NULL);
	struct mcast_stream_stats st;

	for (unsigned i = 0; i < 5; i++)
		rtp_at(t, &s, 0, (uint16_t)i, 1000 + 160 * i, SSRC,
		       T0 + arrive_ms[i] * MS);
	st = get(t, 0);
	CHECK_EQ_INT(st.clock_rate, 8000);
	CHECK(st.jitter_ns > 4.541015625 / 8 * 1e6 - 0.01 &&
	      st.jitter_ns < 4.541015625 / 8 * 1e6 + 0.01);
	CHECK(st.jitter_max_ns > 4.84375 / 8 * 1e6 - 0.01 &&
	      st.jitter_max_ns < 4.84375 / 8 * 1e6 + 0.01);
	CHECK(totals(t).jitter_max_ns == st.jitter_max_ns);
	mcast_tracker_free(t);
}

static void clock_90k(struct mcast_tracker_opts *o)
{
	o->rtp_clock = 90000;
}

/* A dynamic payload type has no rate unless the caller gives one. */
static void test_dynamic_clock(void)
{
	struct sender s = sender(SRC, GROUP, 1);
	mcast_tracker_t *t = stream_tracker(MCAST_STREAM_RTP, NULL);
	struct mcast_stream_stats st;

	for (unsigned i = 0; i < 4; i++)
		rtp_at(t, &s, 96, (uint16_t)i, 3000 * i, SSRC,
		       T0 + (int64_t)i * 41 * MS);
	st = get(t, 0);
	CHECK_EQ_INT(st.payload_type, 96);
	CHECK_EQ_INT(st.clock_rate, 0);
	CHECK(st.jitter_ns == 0 && st.jitter_max_ns == 0);
	mcast_tracker_free(t);

	t = stream_tracker(MCAST_STREAM_RTP, clock_90k);
	for (unsigned i = 0; i < 4; i++)
		rtp_at(t, &s, 96, (uint16_t)i, 3000 * i, SSRC,
		       T0 + (int64_t)i * 41 * MS);
	st = get(t, 0);
	CHECK_EQ_INT(st.clock_rate, 90000);
	/* 41 ms is 3690 units against 3000: D = 690 each time. */
	CHECK(st.jitter_ns > 0);
	mcast_tracker_free(t);
}

/* Headers are parsed, not trusted: each of these is counted malformed. */
static void test_malformed(void)
{
	struct sender s = sender(SRC, GROUP, 1);
	mcast_tracker_t *t = stream_tracker(MCAST_STREAM_RTP, NULL);
	uint8_t b[64];
	size_t len;

	len = rtp_build(b, 0, 1, 0, SSRC, 4);
	CHECK_CODE(feed_at(t, &s, b, 11, T0), MCAST_EMALFORMED); /* short */
	b[0] = 0x40;						 /* version 1 */
	CHECK_CODE(feed_at(t, &s, b, len, T0), MCAST_EMALFORMED);
	b[0] = 0x8f; /* 15 CSRCs, 60 bytes, in 16 */
	CHECK_CODE(feed_at(t, &s, b, len, T0), MCAST_EMALFORMED);
	b[0] = 0x90; /* extension of 0x a5a5 words */
	CHECK_CODE(feed_at(t, &s, b, len, T0), MCAST_EMALFORMED);
	b[0] = 0xa0; /* padding 0xa5 bytes in a 4-byte payload */
	CHECK_CODE(feed_at(t, &s, b, len, T0), MCAST_EMALFORMED);
	b[len - 1] = 0;
	CHECK_CODE(feed_at(t, &s, b, len, T0), MCAST_EMALFORMED);
	/* Well-formed: a CSRC, an empty extension and 3 bytes of padding. */
	b[0] = 0xb1;
	put32(b + 12, 7);
	put16(b + 16, 0xbede);
	put16(b + 18, 0);
	memset(b + 20, 0, 8);
	b[27] = 3;
	CHECK_CODE(feed_at(t, &s, b, 28, T0), MCAST_FEED_STREAM);
	CHECK_EQ_INT(totals(t).malformed, 6);
	CHECK_EQ_INT(totals(t).stream_malformed, 6);
	CHECK_EQ_INT(totals(t).received, 1);
	mcast_tracker_free(t);
}

static void test_names(void)
{
	CHECK_STR(mcast_stream_name(MCAST_STREAM_RTP_TS), "rtp-ts");
	CHECK_STR(mcast_stream_name(MCAST_STREAM_UNKNOWN), "unknown");
	CHECK_STR(mcast_stream_name(99), "?");
	CHECK_STR(mcast_stream_name(-1), "?");
}

int main(void)
{
	test_wrap();
	test_loss_dup_reorder();
	test_probation();
	test_ssrc_change();
	test_jitter();
	test_dynamic_clock();
	test_malformed();
	test_names();
	return check_done();
}
