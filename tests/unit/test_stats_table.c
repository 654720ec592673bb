/* SPDX-License-Identifier: MIT */
/*
 * test_stats_table.c - many senders at once (src/lib/stats_table.c): what
 * tells entries apart, plain sources, restarts, the end of all sessions,
 * retirement of idle entries when the table is full, and a flood of
 * made-up sources that must not grow anything.
 */
#include "streams.h"

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
	CHECK_EQ_INT(tot.plain, 11);
	CHECK_EQ_INT(tot.bytes, 500 + 30 + 2 + 3);
	CHECK_EQ_INT(tot.sessions, 0);
	CHECK_EQ_INT(tot.is_probe, 0);
	CHECK_EQ_INT(tot.first.tv_nsec, T0 % 1000000000);
	CHECK_EQ_INT(tot.last.tv_nsec, (T0 + 30) % 1000000000);
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
	test_restart();
	test_all_ended();
	test_plain_and_other();
	test_keys();
	test_retire();
	test_spoofed_flood();
	return check_done();
}
