/* SPDX-License-Identifier: MIT */
/*
 * test_replay.c - the opener's replay protection (src/lib/replay.c):
 * RFC 4303 sliding windows per (key, session, type), and the bounded,
 * least-recently-used memory of streams, through the public API.
 */
#include "sealing.h"

/* n datagrams of session sid, seq 0..n-1, sealed in order. */
static struct dgram *sealed_run(mcast_sealer_t *s, uint8_t sid, size_t n)
{
	struct dgram *v = malloc(n * sizeof(*v));

	if (!v)
		abort();
	for (size_t i = 0; i < n; i++)
		v[i] = sealed(s, MCAST_MSG_DATA, sid, i, NOW_NS, 4);
	return v;
}

static void test_same_twice(void)
{
	mcast_keyring_t *k = ring("1 " KEY1 "\n");
	mcast_sealer_t *s = sealer(k, MCAST_CIPHER_AES256GCM, 0);
	mcast_opener_t *o = opener(k, 1024, 16, 30);
	struct dgram d = sealed(s, MCAST_MSG_DATA, 1, 0, NOW_NS, 4);
	struct dgram e = sealed(s, MCAST_MSG_END, 1, 0, NOW_NS, 8);

	CHECK_CODE(open_dg(o, &d), (MCAST_WIRE_HDR_LEN + 4));
	CHECK_CODE(open_dg(o, &d), MCAST_EREPLAY);
	/* The same sequence number of another type is another stream. */
	CHECK_CODE(open_dg(o, &e), MCAST_WIRE_HDR_LEN + 8);
	CHECK_CODE(open_dg(o, &e), MCAST_EREPLAY);
	CHECK_EQ_INT(rejects(o).replayed, 2);
	CHECK_EQ_INT(rejects(o).accepted, 2);
	mcast_opener_free(o);
	mcast_sealer_free(s);
	mcast_keyring_free(k);
}

static void test_window(void)
{
	mcast_keyring_t *k = ring("1 " KEY1 "\n");
	mcast_sealer_t *s = sealer(k, MCAST_CIPHER_AES256GCM, 0);
	mcast_opener_t *o = opener(k, 1024, 16, 30);
	struct dgram *v = sealed_run(s, 1, 4101);

	CHECK_CODE(open_dg(o, &v[2000]), (MCAST_WIRE_HDR_LEN + 4));
	CHECK_CODE(open_dg(o, &v[1500]),
		   (MCAST_WIRE_HDR_LEN + 4)); /* out of order, in window */
	CHECK_CODE(open_dg(o, &v[1500]), MCAST_EREPLAY);
	CHECK_CODE(open_dg(o, &v[977]),
		   (MCAST_WIRE_HDR_LEN + 4));		/* 1023 behind */
	CHECK_CODE(open_dg(o, &v[976]), MCAST_EREPLAY); /* 1024 behind */
	CHECK_CODE(open_dg(o, &v[0]), MCAST_EREPLAY);
	CHECK_CODE(open_dg(o, &v[1999]), (MCAST_WIRE_HDR_LEN + 4));
	/* A step forward within the window keeps what it still covers. */
	CHECK_CODE(open_dg(o, &v[2100]), (MCAST_WIRE_HDR_LEN + 4));
	CHECK_CODE(open_dg(o, &v[1500]), MCAST_EREPLAY);
	CHECK_CODE(open_dg(o, &v[1999]), MCAST_EREPLAY);
	CHECK_CODE(open_dg(o, &v[2050]), (MCAST_WIRE_HDR_LEN + 4));
	CHECK_CODE(open_dg(o, &v[1077]), (MCAST_WIRE_HDR_LEN + 4));
	CHECK_CODE(open_dg(o, &v[1076]), MCAST_EREPLAY);
	/* A step of 899: the window now covers 1976..2999. */
	CHECK_CODE(open_dg(o, &v[2999]), (MCAST_WIRE_HDR_LEN + 4));
	CHECK_CODE(open_dg(o, &v[2100]), MCAST_EREPLAY);
	for (size_t i = 1976; i < 2999; i++) {
		int want = (i == 2000 || i == 2050 || i == 2100 || i == 1999)
				   ? MCAST_EREPLAY
				   : (MCAST_WIRE_HDR_LEN + 4);

		if (open_dg(o, &v[i]) != want)
			CHECK_EQ_INT(i, -1);
	}
	CHECK_CODE(open_dg(o, &v[1975]), MCAST_EREPLAY);
	/* A jump past the whole window clears it: the numbers it skipped
	 * are new, even where old bits sat in the circular bitmap. */
	CHECK_CODE(open_dg(o, &v[4100]), (MCAST_WIRE_HDR_LEN + 4));
	for (size_t i = 3077; i < 4100; i++)
		if (open_dg(o, &v[i]) != (MCAST_WIRE_HDR_LEN + 4))
			CHECK_EQ_INT(i, -1);
	CHECK_CODE(open_dg(o, &v[3076]), MCAST_EREPLAY);
	CHECK_CODE(open_dg(o, &v[4100]), MCAST_EREPLAY);
	free(v);
	mcast_opener_free(o);
	mcast_sealer_free(s);
	mcast_keyring_free(k);
}

/* Bits cleared as the window slides must be exactly those it uncovers,
 * across word and wrap boundaries: a small window, every step size. */
static void test_slide(void)
{
	mcast_keyring_t *k = ring("1 " KEY1 "\n");
	mcast_sealer_t *s = sealer(k, MCAST_CIPHER_AES256GCM, 0);
	struct dgram *v = sealed_run(s, 1, 1200);
	int bad = 0;

	for (size_t step = 1; step <= 130; step += 3) {
		mcast_opener_t *o = opener(k, 128, 4, 30);
		size_t top = 0;

		/* Every other number, stepping by step; then all numbers
		 * within the window: each seen one is a replay, each unseen
		 * one new. */
		for (size_t i = 0; i + step < 1200; i += step) {
			bad |= open_dg(o, &v[i]) != (MCAST_WIRE_HDR_LEN + 4);
			top = i;
		}
		for (size_t i = top >= 127 ? top - 127 : 0; i <= top; i++) {
			int seen = i % step == 0;

			bad |= open_dg(o, &v[i]) !=
			       (seen ? MCAST_EREPLAY
				     : (MCAST_WIRE_HDR_LEN + 4));
		}
		if (top >= 128)
			bad |= open_dg(o, &v[top - 128]) != MCAST_EREPLAY;
		mcast_opener_free(o);
	}
	CHECK(!bad);
	free(v);
	mcast_sealer_free(s);
	mcast_keyring_free(k);
}

/* A window's worth in any order arrives once each. */
static void test_shuffled(void)
{
	mcast_keyring_t *k = ring("1 " KEY1 "\n");
	mcast_sealer_t *s = sealer(k, MCAST_CIPHER_CHACHA20POLY1305, 1);
	mcast_opener_t *o = opener(k, 1024, 16, 30);
	struct dgram *v = sealed_run(s, 7, 1024);
	size_t order[1024], accepted = 0, replayed = 0;
	uint64_t x = 0x9e3779b97f4a7c15ull;

	for (size_t i = 0; i < 1024; i++)
		order[i] = i;
	for (size_t i = 1023; i > 0; i--) {
		size_t j, t;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		j = (size_t)(x % (i + 1));
		t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	for (size_t i = 0; i < 1024; i++)
		accepted +=
			open_dg(o, &v[order[i]]) == (MCAST_WIRE_HDR_LEN + 4);
	for (size_t i = 0; i < 1024; i++)
		replayed += open_dg(o, &v[order[i]]) == MCAST_EREPLAY;
	CHECK_EQ_INT(accepted, 1024);
	CHECK_EQ_INT(replayed, 1024);
	CHECK_EQ_INT(rejects(o).accepted, 1024);
	CHECK_EQ_INT(rejects(o).replayed, 1024);
	free(v);
	mcast_opener_free(o);
	mcast_sealer_free(s);
	mcast_keyring_free(k);
}

/* A window of 100 is rounded up to 128 numbers. */
static void test_window_rounding(void)
{
	mcast_keyring_t *k = ring("1 " KEY1 "\n");
	mcast_sealer_t *s = sealer(k, MCAST_CIPHER_AES256GCM, 0);
	mcast_opener_t *o = opener(k, 100, 16, 30);
	struct dgram *v = sealed_run(s, 1, 200);

	CHECK_CODE(open_dg(o, &v[199]), (MCAST_WIRE_HDR_LEN + 4));
	CHECK_CODE(open_dg(o, &v[72]), (MCAST_WIRE_HDR_LEN + 4));
	CHECK_CODE(open_dg(o, &v[71]), MCAST_EREPLAY);
	free(v);
	mcast_opener_free(o);
	mcast_sealer_free(s);
	mcast_keyring_free(k);
}

/* Sessions are remembered up to max_sessions, least recently accepted
 * forgotten first; a forgotten one replayed is caught by freshness
 * only; forgeries never push a real one out. */
static void test_sessions(void)
{
	mcast_keyring_t *k = ring("1 " KEY1 "\n");
	mcast_sealer_t *s = sealer(k, MCAST_CIPHER_AES256GCM, 0);
	mcast_opener_t *o = opener(k, 64, 2, 30);
	struct dgram a = sealed(s, MCAST_MSG_DATA, 0xa, 0, NOW_NS, 4);
	struct dgram b = sealed(s, MCAST_MSG_DATA, 0xb, 0, NOW_NS, 4);
	struct dgram c = sealed(s, MCAST_MSG_DATA, 0xc, 0, NOW_NS, 4);
	struct dgram a1 = sealed(s, MCAST_MSG_DATA, 0xa, 1, NOW_NS, 4);
	struct dgram forged = c;

	forged.b[20] ^= 0x40; /* another session, bad tag */
	CHECK_CODE(open_dg(o, &a), (MCAST_WIRE_HDR_LEN + 4));
	CHECK_CODE(open_dg(o, &b), (MCAST_WIRE_HDR_LEN + 4));
	CHECK_CODE(open_dg(o, &a), MCAST_EREPLAY); /* earlier session */
	CHECK_CODE(open_dg(o, &forged), MCAST_EBADTAG);
	CHECK_CODE(open_dg(o, &a), MCAST_EREPLAY);
	CHECK_CODE(open_dg(o, &b), MCAST_EREPLAY);
	CHECK_CODE(open_dg(o, &a1),
		   (MCAST_WIRE_HDR_LEN + 4)); /* a is now the most recent */
	CHECK_CODE(open_dg(o, &c),
		   (MCAST_WIRE_HDR_LEN + 4)); /* b is forgotten */
	CHECK_CODE(open_dg(o, &a), MCAST_EREPLAY);
	CHECK_CODE(open_dg(o, &c), MCAST_EREPLAY);
	/* The documented limit: b's datagram is accepted again ... */
	CHECK_CODE(open_dg(o, &b), (MCAST_WIRE_HDR_LEN + 4));
	mcast_opener_free(o);

	/* ... unless it is older than max_age by then. */
	{
		struct dgram d =
			sealed(s, MCAST_MSG_DATA, 0xd, 0, NOW_NS - 20 * SEC, 4);
		struct dgram e = sealed(s, MCAST_MSG_DATA, 0xe, 0, NOW_NS, 4);
		mcast_opener_t *p = opener(k, 64, 1, 10);
		mcast_opener_t *q = opener(k, 64, 1, 30);

		CHECK_CODE(open_dg(q, &d), (MCAST_WIRE_HDR_LEN + 4));
		CHECK_CODE(open_dg(q, &e),
			   (MCAST_WIRE_HDR_LEN + 4)); /* d forgotten */
		CHECK_CODE(open_dg(q, &d),
			   (MCAST_WIRE_HDR_LEN + 4)); /* replay not caught */
		CHECK_CODE(open_dg(p, &d), MCAST_ESTALE);
		mcast_opener_free(p);
		mcast_opener_free(q);
	}
	mcast_sealer_free(s);
	mcast_keyring_free(k);
}

/* Counters by reason, summed over a mixed run. */
static void test_counters(void)
{
	mcast_keyring_t *k = ring("1 " KEY1 "\n2 " KEY2 "\n");
	mcast_keyring_t *k3 = ring("3 " KEY1 "\n");
	mcast_sealer_t *s = sealer(k, MCAST_CIPHER_AES256GCM, 0);
	mcast_sealer_t *s3 = sealer(k3, MCAST_CIPHER_AES256GCM, 0);
	mcast_opener_t *o = opener(k, 1024, 16, 30);
	struct dgram good[3], bad, unknown, stale, plain, old;
	struct dgram junk = { .len = 3, .b = "abc" };
	struct mcast_rejects r;

	for (int i = 0; i < 3; i++)
		good[i] = sealed(s, MCAST_MSG_DATA, 1, (uint64_t)i, NOW_NS, 4);
	bad = good[2];
	bad.b[bad.len - 1] ^= 1;
	unknown = sealed(s3, MCAST_MSG_DATA, 1, 0, NOW_NS, 4);
	stale = sealed(s, MCAST_MSG_DATA, 2, 0, NOW_NS - 60 * SEC, 4);
	plain = envelope(MCAST_MSG_DATA, 1, 9, NOW_NS, 4);
	old = envelope(MCAST_MSG_DATA, 1, 9, NOW_NS, 4);
	old.b[4] = 3; /* version 3 */

	open_dg(o, &good[0]);
	open_dg(o, &good[1]);
	open_dg(o, &good[1]);
	open_dg(o, &bad);
	open_dg(o, &good[2]);
	open_dg(o, &unknown);
	open_dg(o, &stale);
	open_dg(o, &plain);
	open_dg(o, &old);
	open_dg(o, &junk);
	open_copy(o, &good[0], 30, NULL);
	r = rejects(o);
	CHECK_EQ_INT(r.accepted, 3);
	CHECK_EQ_INT(r.replayed, 1);
	CHECK_EQ_INT(r.bad_tag, 1);
	CHECK_EQ_INT(r.unknown_key, 1);
	CHECK_EQ_INT(r.stale, 1);
	CHECK_EQ_INT(r.unsealed, 1);
	CHECK_EQ_INT(r.wrong_version, 1);
	CHECK_EQ_INT(r.not_mcast, 1);
	CHECK_EQ_INT(r.too_short, 1);
	CHECK_EQ_INT(r.malformed, 0);
	mcast_opener_free(o);
	mcast_sealer_free(s);
	mcast_sealer_free(s3);
	mcast_keyring_free(k);
	mcast_keyring_free(k3);
}

int main(void)
{
	test_same_twice();
	test_window();
	test_slide();
	test_shuffled();
	test_window_rounding();
	test_sessions();
	test_counters();
	return check_done();
}
