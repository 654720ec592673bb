/* SPDX-License-Identifier: MIT */
/*
 * test_stats_session.c - the counters of one session (src/lib/stats.c,
 * docs/PROTOCOL.md, "Counters"): loss, duplicates, reordering and lateness from the
 * sequence numbers, tail loss from the END, and the timing of each probe
 * (latency, jitter, hops).
 */
#include "streams.h"

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

int main(void)
{
	test_in_order();
	test_gaps();
	test_duplicates();
	test_reordering();
	test_window();
	test_mid_stream_join();
	test_end();
	test_latency();
	test_jitter();
	test_hops();
	return check_done();
}
