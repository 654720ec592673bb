/* SPDX-License-Identifier: MIT */
/*
 * test_stats_head.c - where a session's loss accounting starts
 * (src/lib/stats_head.c, docs/PROTOCOL.md "Head of a session"), and the
 * senders' not_sent from version 2 end-of-stream bodies.
 *
 * Time in these streams: the session begins at T0 (the sender's clock
 * and the receiver's agree, as durations do), probe q is sent at
 * T0 + q ms with elapsed q ms and arrives 1 ms later.
 */
#include "streams.h"

/* Probe q of a session that began at T0. */
static int probe_v2(mcast_tracker_t *t, struct sender *s, uint64_t q)
{
	int64_t sent = T0 + (int64_t)q * MS;

	s->elapsed_ns = q * (uint64_t)MS;
	return probe_at(t, s, q, sent, sent + MS, -1);
}

static void listen_at(mcast_tracker_t *t, const struct sockaddr_storage *g,
		      int64_t ns)
{
	struct timespec ts = { ns / 1000000000, ns % 1000000000 };

	CHECK_CODE(mcast_tracker_listening(t, (const struct sockaddr *)g, &ts),
		   0);
}

/* END copies arrive after the last probe, with the session's elapsed. */
static int end_v2(mcast_tracker_t *t, struct sender *s, uint64_t total,
		  uint64_t not_sent)
{
	s->elapsed_ns = (total + 5) * (uint64_t)MS;
	return end_at(t, s, 0, total, not_sent, T0 + (int64_t)(total + 6) * MS);
}

/* Listening before the session began: the head is counted as loss. */
static void test_from_start(void)
{
	static const struct {
		uint64_t from, to; /* probes that arrive */
		uint64_t lost;
	} cases[] = {
		{ 99, 99, 99 }, /* the first 99 of 100 dropped */
		{ 5, 99, 5 },	/* the first 5 */
		{ 5, 94, 10 },	/* 5 at the head and 5 at the tail */
		{ 0, 99, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		mcast_tracker_t *t = tracker(0, 0);
		struct sender a = sender("10.0.0.1:5000", GROUP, 1);
		struct mcast_stream_stats s;

		listen_at(t, NULL, T0 - 1000 * MS);
		for (uint64_t q = cases[i].from; q <= cases[i].to; q++)
			probe_v2(t, &a, q);
		s = get(t, 0);
		CHECK_EQ_INT(s.head, MCAST_HEAD_FROM_START);
		CHECK_EQ_INT(s.head_missed, 0);
		CHECK_EQ_INT(s.first_seq, cases[i].from);
		/* before the END: the head is already known to be lost */
		CHECK_EQ_INT(s.lost, cases[i].from);
		CHECK_EQ_INT(end_v2(t, &a, 100, 0), MCAST_FEED_END);
		s = get(t, 0);
		CHECK_EQ_INT(s.lost, cases[i].lost);
		CHECK_EQ_INT(s.received + s.lost, 100);
		CHECK_EQ_INT(totals(t).lost, cases[i].lost);
		mcast_tracker_free(t);
	}
}

/* Joined while the session ran: what was sent before is not loss, and
 * the missed head is reported. */
static void test_joined_late(void)
{
	mcast_tracker_t *t = tracker(0, 0);
	struct sender a = sender("10.0.0.1:5000", GROUP, 1);
	struct mcast_stream_stats s;

	listen_at(t, NULL, T0 + 50 * MS);
	for (uint64_t q = 60; q < 100; q++)
		probe_v2(t, &a, q);
	end_v2(t, &a, 100, 0);
	s = get(t, 0);
	CHECK_EQ_INT(s.head, MCAST_HEAD_JOINED_LATE);
	CHECK_EQ_INT(s.head_missed, 60);
	CHECK_EQ_INT(s.first_seq, 60);
	CHECK_EQ_INT(s.lost, 0);
	CHECK_EQ_INT(totals(t).head_missed, 60);
	CHECK_EQ_INT(totals(t).lost, 0);
	/* an earlier probe arriving late lowers the missed head */
	probe_v2(t, &a, 58);
	s = get(t, 0);
	CHECK_EQ_INT(s.head_missed, 58);
	CHECK_EQ_INT(s.lost, 1); /* 59 */
	mcast_tracker_free(t);
}

/*
 * The estimate of when the session began (arrival - elapsed) is late by
 * the one-way delay: a join within that delay after the start counts as
 * from the start; probes sent before it were still on their way.
 */
static void test_within_one_way_delay(void)
{
	mcast_tracker_t *t = tracker(0, 0);
	struct sender a = sender("10.0.0.1:5000", GROUP, 1);

	listen_at(t, NULL, T0 + MS / 2); /* delay is 1 ms */
	probe_v2(t, &a, 3);
	CHECK_EQ_INT(get(t, 0).head, MCAST_HEAD_FROM_START);
	CHECK_EQ_INT(get(t, 0).lost, 3);
	mcast_tracker_free(t);

	t = tracker(0, 0);
	listen_at(t, NULL, T0 + MS + 1); /* after the bound: late */
	probe_v2(t, &a, 3);
	CHECK_EQ_INT(get(t, 0).head, MCAST_HEAD_JOINED_LATE);
	CHECK_EQ_INT(get(t, 0).lost, 0);
	mcast_tracker_free(t);
}

/* Unknown: never told when listening began, a version 1 sender, or no
 * arrival time.  Then loss counts from first_seq, as before. */
static void test_unknown(void)
{
	mcast_tracker_t *t = tracker(0, 0);
	struct sender a = sender("10.0.0.1:5000", GROUP, 1);
	struct sender b = sender("10.0.0.2:5000", GROUP, 2);
	struct sender c = sender("10.0.0.3:5000", GROUP, 3);
	uint8_t buf[DGRAM];
	struct mcast_meta m;
	size_t len;

	for (uint64_t q = 5; q < 10; q++)
		probe_v2(t, &a, q);
	CHECK_EQ_INT(get(t, 0).head, MCAST_HEAD_UNKNOWN);
	CHECK_EQ_INT(get(t, 0).lost, 0);
	CHECK_EQ_INT(get(t, 0).head_missed, 0);

	listen_at(t, NULL, T0 - 1000 * MS);
	b.v1 = true;
	for (uint64_t q = 5; q < 10; q++)
		probe_v2(t, &b, q);
	CHECK_EQ_INT(get(t, 1).head, MCAST_HEAD_UNKNOWN);
	CHECK_EQ_INT(get(t, 1).lost, 0);
	/* a version 1 END: 8 bytes, not_sent unknown (0) */
	CHECK_EQ_INT(end_v2(t, &b, 12, 0), MCAST_FEED_END);
	CHECK_EQ_INT(get(t, 1).total_sent, 12);
	CHECK_EQ_INT(get(t, 1).not_sent, 0);
	CHECK_EQ_INT(get(t, 1).lost, 2);

	c.elapsed_ns = 5 * MS;
	len = build(buf, &c, MCAST_MSG_DATA, 5, T0, DGRAM - MCAST_WIRE_HDR_LEN);
	m = meta_for(&c, 0, -1, len);
	m.ts.tv_sec = m.ts.tv_nsec = 0;
	m.flags &= ~MCAST_META_TS;
	CHECK_CODE(mcast_tracker_feed(t, buf, len, &m), MCAST_FEED_DATA);
	CHECK_EQ_INT(get(t, 2).head, MCAST_HEAD_UNKNOWN);
	mcast_tracker_free(t);
}

/* Each group has its own time; port 0 stands for any port; NULL for every
 * group not named; a later call (a rejoin) replaces a group's time. */
static void test_per_group(void)
{
	mcast_tracker_t *t = tracker(0, 0);
	struct sender a = sender("10.0.0.1:5000", "239.1.1.1:1600", 1);
	struct sender b = sender("10.0.0.1:5000", "239.2.2.2:1600", 2);
	struct sender c = sender("10.0.0.1:5000", "239.3.3.3:7000", 3);
	struct sender d = sender("10.0.0.1:5000", "239.1.1.1:1600", 4);
	struct sockaddr_storage ga = addr("239.1.1.1:1600", MCAST_PARSE_PORT);
	struct sockaddr_storage gc = addr("239.3.3.3", 0);
	struct timespec ts = { 1, 0 };

	listen_at(t, &ga, T0 - 1000 * MS);
	listen_at(t, NULL, T0 + 50 * MS);
	listen_at(t, &gc, T0 - 1000 * MS);
	probe_v2(t, &a, 70);
	probe_v2(t, &b, 70);
	probe_v2(t, &c, 70);
	CHECK_EQ_INT(get(t, 0).head, MCAST_HEAD_FROM_START);
	CHECK_EQ_INT(get(t, 1).head, MCAST_HEAD_JOINED_LATE);
	CHECK_EQ_INT(get(t, 2).head, MCAST_HEAD_FROM_START);
	/* a rejoin: sessions that began before it joined late */
	listen_at(t, &ga, T0 + 20 * MS);
	probe_v2(t, &d, 70);
	CHECK_EQ_INT(get(t, 3).head, MCAST_HEAD_JOINED_LATE);
	CHECK_EQ_INT(get(t, 3).head_missed, 70);
	CHECK_EQ_INT(totals(t).head_missed, 140);
	/* decided once: later calls do not change a session's head */
	CHECK_EQ_INT(get(t, 0).head, MCAST_HEAD_FROM_START);

	CHECK_CODE(mcast_tracker_listening(NULL, NULL, &ts), -EINVAL);
	CHECK_CODE(mcast_tracker_listening(t, NULL, NULL), -EINVAL);
	ts.tv_sec = 0;
	{
		struct sockaddr_storage un = { .ss_family = AF_UNIX };

		CHECK_CODE(mcast_tracker_listening(
				   t, (const struct sockaddr *)&un, &ts),
			   -EINVAL);
	}
	mcast_tracker_free(t);
}

/* A session retired for space and heard again continues where it is: its
 * head is unknown, never counted from 0 a second time. */
static void test_retired_returns(void)
{
	mcast_tracker_t *t = tracker(2, 0);
	struct sender a = sender("10.0.0.1:5000", GROUP, 1);
	struct sender b = sender("10.0.0.2:5000", GROUP, 2);
	struct sender c = sender("10.0.0.2:5001", GROUP, 3);

	listen_at(t, NULL, T0 - 1000 * MS);
	for (uint64_t q = 0; q < 10; q++)
		probe_v2(t, &a, q);
	probe_v2(t, &b, 0);
	probe_v2(t, &c, 0); /* retires a; its origin remembers it */
	for (uint64_t q = 10; q < 20; q++)
		probe_v2(t, &a, q); /* retires b */
	CHECK_EQ_INT(totals(t).retired, 2);
	CHECK_EQ_INT(get(t, 1).head, MCAST_HEAD_UNKNOWN);
	CHECK_EQ_INT(get(t, 1).first_seq, 10);
	CHECK_EQ_INT(totals(t).lost, 0);
	CHECK_EQ_INT(totals(t).received, 22);
	mcast_tracker_free(t);
}

/* Probes the sender could not send: in lost, and reported per session
 * and in the totals, retired sessions included. */
static void test_not_sent(void)
{
	mcast_tracker_t *t = tracker(1, 0);
	struct sender a = sender("10.0.0.1:5000", GROUP, 1);
	struct sender b = sender("10.0.0.2:5000", GROUP, 2);
	struct mcast_stream_stats s;

	listen_at(t, NULL, T0 - 1000 * MS);
	for (uint64_t q = 0; q < 100; q++)
		if (q < 40 || q >= 47)
			probe_v2(t, &a, q);
	CHECK_EQ_INT(end_v2(t, &a, 100, 7), MCAST_FEED_END);
	/* another copy saying otherwise changes nothing */
	CHECK_EQ_INT(end_v2(t, &a, 100, 9), MCAST_FEED_END);
	s = get(t, 0);
	CHECK_EQ_INT(s.not_sent, 7);
	CHECK_EQ_INT(s.lost, 7);
	CHECK_EQ_INT(totals(t).not_sent, 7);
	probe_v2(t, &b, 0); /* retires a */
	end_v2(t, &b, 3, 2);
	CHECK_EQ_INT(totals(t).not_sent, 9);
	CHECK_EQ_INT(totals(t).lost, 9);
	mcast_tracker_free(t);
}

int main(void)
{
	test_from_start();
	test_joined_late();
	test_within_one_way_delay();
	test_unknown();
	test_per_group();
	test_retired_returns();
	test_not_sent();
	return check_done();
}
