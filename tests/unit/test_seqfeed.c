/* SPDX-License-Identifier: MIT */
/*
 * test_seqfeed.c - feeds with a sequence number field (src/lib/seqfield.c):
 * the spec's text form, exact loss, duplicates and reordering per source
 * in both byte orders and every width (narrow ones wrap), and
 * MoldUDP64's message count with its heartbeats.
 */
#include "media.h"

#define SRC "10.0.0.1:7000"

static struct mcast_seq_spec spec;

static void use_spec(struct mcast_tracker_opts *o)
{
	o->seq = spec;
}

static void test_parse(void)
{
	static const char *const bad[] = {
		"",
		"seq:",
		"10",
		"10:3",
		"10:8:xx",
		"10:8:be:",
		"x:8",
		"70000:8",
		"10:8:be:count=18",
		"10:8:count=18:3",
		"10:8 ",
		"seq:10:8:be:le",
		"-1:8",
	};
	struct mcast_seq_spec s;

	CHECK_CODE(mcast_seq_spec_parse("seq:10:8:be:count=18:2", &s), 0);
	CHECK_EQ_INT(s.offset, 10);
	CHECK_EQ_INT(s.width, 8);
	CHECK_EQ_INT(s.little_endian, 0);
	CHECK_EQ_INT(s.has_count, 1);
	CHECK_EQ_INT(s.count_offset, 18);
	CHECK_EQ_INT(s.count_width, 2);
	CHECK_CODE(mcast_seq_spec_parse("0:4:le", &s), 0);
	CHECK_EQ_INT(s.little_endian, 1);
	CHECK_EQ_INT(s.has_count, 0);
	CHECK_CODE(mcast_seq_spec_parse("3:1:count=0:1", &s), 0);
	CHECK_EQ_INT(s.little_endian, 0);
	CHECK_EQ_INT(s.count_width, 1);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		check_ctx = bad[i];
		CHECK_CODE(mcast_seq_spec_parse(bad[i], &s), -EINVAL);
	}
	check_ctx = NULL;
	CHECK_CODE(mcast_seq_spec_parse(NULL, &s), -EINVAL);
}

/* A datagram with number v at offset 3 in w bytes, and a count. */
static size_t seq_dgram(uint8_t *b, uint64_t v, unsigned w, bool le,
			unsigned count)
{
	memset(b, 0xee, 32);
	for (unsigned k = 0; k < w; k++)
		b[3 + (le ? k : w - 1 - k)] = (uint8_t)(v >> 8 * k);
	b[12] = (uint8_t)(count >> 8);
	b[13] = (uint8_t)count;
	return 32;
}

static struct mcast_stream_stats seq_run(const uint64_t *v, size_t n,
					 unsigned w, bool le)
{
	struct sender s = sender(SRC, GROUP, 1);
	mcast_tracker_t *t;
	struct mcast_stream_stats st;
	uint8_t b[32];

	spec = (struct mcast_seq_spec){ .offset = 3,
					.width = w,
					.little_endian = le };
	t = stream_tracker(MCAST_STREAM_SEQ, use_spec);
	for (size_t i = 0; i < n; i++)
		feed_at(t, &s, b, seq_dgram(b, v[i], w, le, 0),
			T0 + (int64_t)i * MS);
	st = get(t, 0);
	mcast_tracker_free(t);
	return st;
}

#define V(...)		((const uint64_t[]){ __VA_ARGS__ })
#define NV(...)		(sizeof(V(__VA_ARGS__)) / sizeof(uint64_t))
#define SEQ(w, le, ...) seq_run(V(__VA_ARGS__), NV(__VA_ARGS__), w, le)

static void test_exact(void)
{
	struct mcast_stream_stats s;

	s = SEQ(8, false, 1, 2, 4, 5, 5, 3, 8);
	CHECK_EQ_INT(s.stream, MCAST_STREAM_SEQ);
	CHECK_EQ_INT(s.received, 6);
	CHECK_EQ_INT(s.duplicates, 1);
	CHECK_EQ_INT(s.reordered, 1);
	CHECK_EQ_INT(s.lost, 2); /* 6 and 7 */
	CHECK_EQ_INT(s.first_seq, 1);
	CHECK_EQ_INT(s.max_seq, 8);
	s = SEQ(2, true, 65534, 65535, 0, 2, 1);
	CHECK_EQ_INT(s.received, 5);
	CHECK_EQ_INT(s.lost, 0);
	CHECK_EQ_INT(s.reordered, 1);
	CHECK_EQ_INT(s.first_seq, 65534);
	CHECK_EQ_INT(s.max_seq, 2);
	s = SEQ(1, false, 250, 251, 255, 0, 3, 1);
	CHECK_EQ_INT(s.received, 6);
	CHECK_EQ_INT(s.lost, 4); /* 252-254 and 2; 1 came late */
	s = SEQ(4, false, 0xfffffffe, 0xffffffff, 1, 0);
	CHECK_EQ_INT(s.received, 4);
	CHECK_EQ_INT(s.lost, 0);
	CHECK_EQ_INT(s.reordered, 1);
	/* 8 bytes are taken as they are: no wrap. */
	s = SEQ(8, true, 0xfffffffffffffffeull, 0xffffffffffffffffull);
	CHECK_EQ_INT(s.received, 2);
	CHECK_EQ_INT(s.lost, 0);
}

/* MoldUDP64: seq at 10 (8 bytes BE), count at 18 (2 bytes). */
static size_t mold(uint8_t *b, uint64_t seq, unsigned count)
{
	memset(b, 0, 40);
	memcpy(b, "SESSION001", 10);
	for (unsigned k = 0; k < 8; k++)
		b[10 + k] = (uint8_t)(seq >> 8 * (7 - k));
	b[18] = (uint8_t)(count >> 8);
	b[19] = (uint8_t)count;
	return 40;
}

static void test_moldudp64(void)
{
	struct sender s = sender(SRC, GROUP, 1);
	mcast_tracker_t *t;
	struct mcast_stream_stats st;
	uint8_t b[40];

	if (!CHECK_CODE(mcast_seq_spec_parse("seq:10:8:be:count=18:2", &spec),
			0))
		return;
	t = stream_tracker(MCAST_STREAM_SEQ, use_spec);
	CHECK_EQ_INT(feed_at(t, &s, b, mold(b, 1, 3), T0), MCAST_FEED_STREAM);
	CHECK_EQ_INT(feed_at(t, &s, b, mold(b, 4, 2), T0 + MS),
		     MCAST_FEED_STREAM);
	CHECK_EQ_INT(feed_at(t, &s, b, mold(b, 8, 1), T0 + 2 * MS),
		     MCAST_FEED_STREAM);
	st = get(t, 0);
	CHECK_EQ_INT(st.received, 6);
	CHECK_EQ_INT(st.lost, 2); /* 6, 7 */
	/* A heartbeat names the next number: 9 to 11 were sent. */
	CHECK_EQ_INT(feed_at(t, &s, b, mold(b, 12, 0), T0 + 3 * MS),
		     MCAST_FEED_OTHER);
	CHECK_EQ_INT(feed_at(t, &s, b, mold(b, 12, 0), T0 + 4 * MS),
		     MCAST_FEED_OTHER);
	st = get(t, 0);
	CHECK_EQ_INT(st.received, 6);
	CHECK_EQ_INT(st.lost, 5);
	CHECK_EQ_INT(st.duplicates, 0);
	/* The datagram of 4-5 again: two duplicate messages. */
	CHECK_EQ_INT(feed_at(t, &s, b, mold(b, 4, 2), T0 + 5 * MS),
		     MCAST_FEED_DUP);
	/* 9-11 retransmitted late, and 12 (overlapping 11): one dup. */
	CHECK_EQ_INT(feed_at(t, &s, b, mold(b, 9, 3), T0 + 6 * MS),
		     MCAST_FEED_STREAM);
	CHECK_EQ_INT(feed_at(t, &s, b, mold(b, 11, 2), T0 + 7 * MS),
		     MCAST_FEED_STREAM);
	/* End of session (count 0xFFFF) is a heartbeat too. */
	CHECK_EQ_INT(feed_at(t, &s, b, mold(b, 13, 0xffff), T0 + 8 * MS),
		     MCAST_FEED_OTHER);
	st = get(t, 0);
	CHECK_EQ_INT(st.received, 10);
	CHECK_EQ_INT(st.duplicates, 3);
	CHECK_EQ_INT(st.lost, 2);
	CHECK_EQ_INT(st.max_seq, 12);
	/* Too short for the fields: malformed. */
	CHECK_CODE(feed_at(t, &s, b, 19, T0 + 9 * MS), MCAST_ESHORT);
	CHECK_EQ_INT(totals(t).malformed, 1);
	mcast_tracker_free(t);
}

static void window_64(struct mcast_tracker_opts *o)
{
	o->window = 64;
	o->seq = (struct mcast_seq_spec){ .offset = 10,
					  .width = 8,
					  .has_count = 1,
					  .count_offset = 18,
					  .count_width = 2 };
}

/* A datagram of many messages counts as the messages one by one would,
 * in any order, however far from the window (the range is taken in
 * steps of at most two windows). */
static void test_counts_equal_singles(void)
{
	struct sender s = sender(SRC, GROUP, 1);
	mcast_tracker_t *many = stream_tracker(MCAST_STREAM_SEQ, window_64);
	mcast_tracker_t *one = stream_tracker(MCAST_STREAM_SEQ, window_64);
	struct mcast_stream_stats a, b;
	uint32_t rnd = 12345;
	uint8_t d[40];

	for (unsigned n = 0; n < 300; n++) {
		uint64_t seq, count;

		rnd = rnd * 1103515245u + 12345u;
		seq = 1000 + (rnd >> 8) % 5000;
		count = 1 + (rnd >> 20) % (n % 7 ? 40 : 3000);
		feed_at(many, &s, d, mold(d, seq, (unsigned)count), T0 + n);
		for (uint64_t k = 0; k < count; k++)
			feed_at(one, &s, d, mold(d, seq + k, 1), T0 + n);
	}
	a = get(many, 0);
	b = get(one, 0);
	CHECK_EQ_INT(a.received, b.received);
	CHECK_EQ_INT(a.duplicates, b.duplicates);
	CHECK_EQ_INT(a.reordered, b.reordered);
	CHECK_EQ_INT(a.late, b.late);
	CHECK_EQ_INT(a.lost, b.lost);
	CHECK_EQ_INT(a.first_seq, b.first_seq);
	CHECK_EQ_INT(a.max_seq, b.max_seq);
	CHECK(a.received > 1000 && a.duplicates > 0 && a.reordered > 0);
	mcast_tracker_free(many);
	mcast_tracker_free(one);
}

/* Senders are separate; a bad spec is refused at creation. */
static void test_per_source(void)
{
	struct sender a = sender(SRC, GROUP, 1);
	struct sender c = sender("10.0.0.9:7000", GROUP, 2);
	struct mcast_tracker_opts o;
	mcast_tracker_t *t;
	uint8_t b[32];

	spec = (struct mcast_seq_spec){ .offset = 3, .width = 4 };
	t = stream_tracker(MCAST_STREAM_SEQ, use_spec);
	for (unsigned i = 0; i < 10; i++) {
		feed_at(t, &a, b, seq_dgram(b, i, 4, false, 0), T0 + i * MS);
		if (i != 4)
			feed_at(t, &c, b, seq_dgram(b, 100 + i, 4, false, 0),
				T0 + i * MS);
	}
	CHECK_EQ_INT(mcast_tracker_count(t), 2);
	CHECK_EQ_INT(get(t, 0).lost, 0);
	CHECK_EQ_INT(get(t, 1).lost, 1);
	CHECK_EQ_INT(totals(t).received, 19);
	mcast_tracker_free(t);

	mcast_tracker_opts_init(&o);
	o.stream = MCAST_STREAM_SEQ;
	o.seq.width = 3;
	CHECK_CODE(mcast_tracker_new(&t, &o), -EINVAL);
	CHECK(t == NULL);
	o.stream = 42;
	CHECK_CODE(mcast_tracker_new(&t, &o), -EINVAL);
}

int main(void)
{
	test_parse();
	test_exact();
	test_moldudp64();
	test_counts_equal_singles();
	test_per_source();
	return check_done();
}
