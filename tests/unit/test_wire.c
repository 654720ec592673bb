/* SPDX-License-Identifier: MIT */
/*
 * test_wire.c - the wire format (src/lib/wire.c, docs/PROTOCOL.md): exact
 * bytes, round trips, and every way a header can be short or wrong.
 *
 * Decodes run on heap copies of exactly the length under test, so under
 * AddressSanitizer a read past buf + len is caught, not just wrong.
 */
#include "check.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The documented example (docs/PROTOCOL.md): a data probe of session
 * 00112233445566778899aabbccddeeff, seq 5, send_ns 1700000000000000000,
 * ttl 1, payload_len 16, elapsed_ns 2500000000 (2.5 s into the session). */
static const uint8_t example_bytes[MCAST_WIRE_HDR_LEN] = {
	0x4d, 0x43, 0x53, 0x54,				/* magic "MCST" */
	0x02,						/* version */
	0x01,						/* type: data probe */
	0x00, 0x00,					/* flags */
	0x00, 0x00, 0x00, 0x00,				/* key_id */
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, /* session */
	0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, /* seq */
	0x17, 0x97, 0x9c, 0xfe, 0x36, 0x2a, 0x00, 0x00, /* send_ns */
	0x01,						/* ttl */
	0x38,						/* hdr_len 56 */
	0x00, 0x10,					/* payload_len 16 */
	0x00, 0x00, 0x00, 0x00, 0x95, 0x02, 0xf9, 0x00, /* elapsed_ns */
};

/* The same probe as a version 1 sender wrote it: no elapsed_ns. */
static const uint8_t example_v1_bytes[MCAST_WIRE_HDR_LEN_V1] = {
	0x4d, 0x43, 0x53, 0x54, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,
	0xcc, 0xdd, 0xee, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05,
	0x17, 0x97, 0x9c, 0xfe, 0x36, 0x2a, 0x00, 0x00, 0x01, 0x30, 0x00, 0x10,
};

static struct mcast_hdr example_hdr(void)
{
	struct mcast_hdr h = {
		.type = MCAST_MSG_DATA,
		.session = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
			     0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff },
		.seq = 5,
		.send_ns = 1700000000000000000ull,
		.ttl = 1,
		.payload_len = 16,
		.has_elapsed = 1,
		.elapsed_ns = 2500000000ull,
	};
	return h;
}

/* Every flag version 1 defines. */
#define MC_TEST_FLAGS                                                      \
	(MCAST_HDR_UNICAST | MCAST_HDR_WANT_MCAST | MCAST_HDR_WANT_UCAST | \
	 MCAST_HDR_AUTH_ONLY | MCAST_HDR_CHACHA)

/* A deterministic generator, so a failure can be reproduced. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	uint64_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

/* Decode a copy of exactly len bytes of src, so that ASan sees any read
 * past the end. */
static int decode_exact(struct mcast_hdr *h, const uint8_t *src, size_t len)
{
	uint8_t *copy = malloc(len ? len : 1);
	int rc;

	if (!copy)
		abort();
	memcpy(copy, src, len);
	rc = mcast_hdr_decode(h, copy, len);
	free(copy);
	return rc;
}

/* The example header followed by its 16 payload bytes. */
static size_t example_datagram(uint8_t *buf)
{
	struct mcast_hdr h = example_hdr();

	memcpy(buf, example_bytes, sizeof(example_bytes));
	for (unsigned i = 0; i < h.payload_len; i++)
		buf[MCAST_WIRE_HDR_LEN + i] = (uint8_t)(0xa0 + i);
	return MCAST_WIRE_HDR_LEN + h.payload_len;
}

static int hdr_equal(const struct mcast_hdr *a, const struct mcast_hdr *b)
{
	return a->type == b->type && a->flags == b->flags &&
	       a->key_id == b->key_id &&
	       memcmp(a->session, b->session, MCAST_SESSION_LEN) == 0 &&
	       a->seq == b->seq && a->send_ns == b->send_ns &&
	       a->ttl == b->ttl && a->payload_len == b->payload_len &&
	       a->elapsed_ns == b->elapsed_ns;
}

static void test_example_bytes(void)
{
	struct mcast_hdr h = example_hdr(), d;
	uint8_t buf[MCAST_WIRE_HDR_LEN + 16];
	size_t len;

	memset(buf, 0xee, sizeof(buf));
	CHECK_CODE(mcast_hdr_encode(&h, buf, sizeof(buf)), MCAST_WIRE_HDR_LEN);
	CHECK(memcmp(buf, example_bytes, MCAST_WIRE_HDR_LEN) == 0);
	CHECK_EQ_INT(buf[MCAST_WIRE_HDR_LEN], 0xee); /* nothing past 56 */

	/* version, hdr_len and has_elapsed in h are ignored by the encoder */
	h.version = 7;
	h.hdr_len = 99;
	h.has_elapsed = 0;
	CHECK_CODE(mcast_hdr_encode(&h, buf, sizeof(buf)), MCAST_WIRE_HDR_LEN);
	CHECK(memcmp(buf, example_bytes, MCAST_WIRE_HDR_LEN) == 0);

	/* Print it in the form docs/PROTOCOL.md shows. */
	printf("example header:");
	for (size_t i = 0; i < MCAST_WIRE_HDR_LEN; i++)
		printf("%s%02x", i % 16 ? " " : "\n  ", buf[i]);
	printf("\n");

	len = example_datagram(buf);
	CHECK_CODE(decode_exact(&d, buf, len), MCAST_WIRE_HDR_LEN);
	h = example_hdr();
	CHECK(hdr_equal(&d, &h));
	CHECK_EQ_INT(d.version, 2);
	CHECK_EQ_INT(d.hdr_len, 56);
	CHECK_EQ_INT(d.has_elapsed, 1);
}

/* Receivers still read a version 1 sender's header: the same fields at
 * the same offsets, 48 bytes, and no elapsed time. */
static void test_version_1(void)
{
	uint8_t buf[MCAST_WIRE_HDR_LEN_V1 + 16 + 8];
	struct mcast_hdr d, h = example_hdr();

	memcpy(buf, example_v1_bytes, sizeof(example_v1_bytes));
	memset(buf + 48, 0xa0, 16);
	CHECK_CODE(decode_exact(&d, buf, 64), 48);
	h.elapsed_ns = 0;
	CHECK(hdr_equal(&d, &h));
	CHECK_EQ_INT(d.version, 1);
	CHECK_EQ_INT(d.hdr_len, 48);
	CHECK_EQ_INT(d.has_elapsed, 0);
	/* Cut short, or a header shorter than version 1's */
	for (size_t len = 5; len < 48; len++)
		CHECK_CODE(decode_exact(&d, buf, len), MCAST_ESHORT);
	buf[45] = 47;
	CHECK_CODE(decode_exact(&d, buf, 64), MCAST_EMALFORMED);
	/* A version 1 header with an extension: skipped, never read as an
	 * elapsed time */
	buf[45] = 56;
	memset(buf + 48, 0xe5, 8);
	memset(buf + 56, 0xa0, 16);
	CHECK_CODE(decode_exact(&d, buf, 72), 56);
	CHECK_EQ_INT(d.has_elapsed, 0);
	CHECK_EQ_INT(d.elapsed_ns, 0);
	/* Version 2 needs its 56 bytes: 48 to 55 are too few. */
	memcpy(buf, example_bytes, 48);
	for (uint8_t hl = 48; hl < 56; hl++) {
		buf[45] = hl;
		CHECK_CODE(decode_exact(&d, buf, 72), MCAST_EMALFORMED);
	}
	buf[45] = 56;
	for (size_t len = 48; len < 56; len++)
		CHECK_CODE(decode_exact(&d, buf, len), MCAST_ESHORT);
}

/* Every type, random field values, and the extremes of every field. */
static void test_round_trip(void)
{
	static uint8_t buf[MCAST_WIRE_HDR_LEN + 65535 + 16];
	static const uint8_t types[] = { MCAST_MSG_DATA, MCAST_MSG_END,
					 MCAST_MSG_PING, MCAST_MSG_PONG };

	for (int round = 0; round < 3000; round++) {
		struct mcast_hdr h = { 0 }, d;
		size_t len, extra = 0;
		int rc;

		h.type = types[round % 4];
		if (round < 8) {
			/* rounds 0..3 all zero, 4..7 all ones */
			int ones = round >= 4;

			h.flags = ones ? MC_TEST_FLAGS : 0;
			h.key_id = ones ? UINT32_MAX : 0;
			memset(h.session, ones ? 0xff : 0, MCAST_SESSION_LEN);
			h.seq = ones ? UINT64_MAX : 0;
			h.send_ns = ones ? UINT64_MAX : 0;
			h.ttl = ones ? 255 : 0;
			h.payload_len = ones ? UINT16_MAX : 0;
			h.elapsed_ns = ones ? UINT64_MAX : 0;
		} else {
			h.flags = (uint16_t)(rng() & MC_TEST_FLAGS);
			h.key_id = rng() & 1 ? (uint32_t)rng() : 0;
			for (int i = 0; i < MCAST_SESSION_LEN; i++)
				h.session[i] = (uint8_t)rng();
			h.seq = rng();
			h.send_ns = rng();
			h.ttl = (uint8_t)rng();
			h.payload_len = (uint16_t)(rng() % 2048);
			h.elapsed_ns = rng();
		}
		/* sealed messages may carry a trailer after the payload */
		if (h.key_id != 0)
			extra = rng() % 17;

		rc = mcast_hdr_encode(&h, buf, sizeof(buf));
		if (!CHECK_CODE(rc, MCAST_WIRE_HDR_LEN))
			continue;
		len = MCAST_WIRE_HDR_LEN + h.payload_len + extra;
		memset(buf + MCAST_WIRE_HDR_LEN, 0x5a,
		       len - MCAST_WIRE_HDR_LEN);
		memset(&d, 0xcc, sizeof(d));
		CHECK_CODE(decode_exact(&d, buf, len), MCAST_WIRE_HDR_LEN);
		if (!CHECK(hdr_equal(&d, &h)))
			fprintf(stderr, "    round %d type %u seq %llu\n",
				round, h.type, (unsigned long long)h.seq);
		CHECK_EQ_INT(d.version, MCAST_WIRE_VERSION);
		CHECK_EQ_INT(d.hdr_len, MCAST_WIRE_HDR_LEN);
		CHECK_EQ_INT(d.has_elapsed, 1);
		/* Stamping changes the sequence number, send and elapsed
		 * time only, to exactly what encoding them would have
		 * written. */
		h.seq = rng();
		h.send_ns = round < 8 ? ~h.send_ns : rng();
		h.elapsed_ns = round < 8 ? ~h.elapsed_ns : rng();
		mcast_hdr_stamp(buf, h.seq, h.send_ns, h.elapsed_ns);
		CHECK_CODE(decode_exact(&d, buf, len), MCAST_WIRE_HDR_LEN);
		CHECK(hdr_equal(&d, &h));
	}
}

/* A valid header cut short: no magic yet below 4 bytes, short after. */
static void test_truncation(void)
{
	uint8_t buf[96];
	struct mcast_hdr d;

	example_datagram(buf);
	for (size_t len = 0; len < MCAST_WIRE_HDR_LEN; len++) {
		int want = len < 4 ? MCAST_ENOTMCAST_MSG : MCAST_ESHORT;

		if (!CHECK_CODE(decode_exact(&d, buf, len), want))
			fprintf(stderr, "    at len %zu\n", len);
	}
	/* A whole header whose payload was cut */
	for (size_t len = MCAST_WIRE_HDR_LEN; len < MCAST_WIRE_HDR_LEN + 16;
	     len++)
		CHECK_CODE(decode_exact(&d, buf, len), MCAST_ESHORT);
	CHECK_CODE(decode_exact(&d, buf, MCAST_WIRE_HDR_LEN + 16),
		   MCAST_WIRE_HDR_LEN);
}

/* Any change to any magic byte makes the datagram a plain one. */
static void test_magic(void)
{
	uint8_t buf[96];
	struct mcast_hdr d;
	size_t len = example_datagram(buf);

	for (int i = 0; i < 4; i++) {
		for (int v = 0; v < 256; v++) {
			if (v == example_bytes[i])
				continue;
			buf[i] = (uint8_t)v;
			if (!CHECK_CODE(decode_exact(&d, buf, len),
					MCAST_ENOTMCAST_MSG))
				fprintf(stderr, "    byte %d = %#x\n", i, v);
			/* also with too few bytes for anything else */
			CHECK_CODE(decode_exact(&d, buf, 4),
				   MCAST_ENOTMCAST_MSG);
		}
		buf[i] = example_bytes[i];
	}
	/* Plain text that happens to be long enough */
	CHECK_CODE(decode_exact(&d,
				(const uint8_t *)"Hello World, this is "
						 "plain text, not a probe",
				44),
		   MCAST_ENOTMCAST_MSG);
}

static void test_version(void)
{
	static const uint8_t versions[] = { 0, 3, 255 };
	uint8_t buf[96];
	struct mcast_hdr d;
	size_t len = example_datagram(buf);

	for (size_t i = 0; i < sizeof(versions); i++) {
		buf[4] = versions[i];
		CHECK_CODE(decode_exact(&d, buf, len), MCAST_EVERSION);
		/* a later version may have a shorter header: the version
		 * is told as soon as its byte is there */
		CHECK_CODE(decode_exact(&d, buf, 5), MCAST_EVERSION);
		CHECK_CODE(decode_exact(&d, buf, 20), MCAST_EVERSION);
	}
}

static void test_type(void)
{
	static const uint8_t bad[] = { 0, 6, 255 };
	uint8_t buf[96];
	struct mcast_hdr d, h = example_hdr();
	size_t len = example_datagram(buf);

	for (size_t i = 0; i < sizeof(bad); i++) {
		buf[5] = bad[i];
		CHECK_CODE(decode_exact(&d, buf, len), MCAST_EMALFORMED);
		h.type = bad[i];
		CHECK_CODE(mcast_hdr_encode(&h, buf, sizeof(buf)),
			   MCAST_EMALFORMED);
		example_datagram(buf);
	}
}

static void test_flags(void)
{
	static const uint16_t defined[] = { MCAST_HDR_UNICAST,
					    MCAST_HDR_WANT_MCAST,
					    MCAST_HDR_WANT_UCAST,
					    MCAST_HDR_WANT_MCAST |
						    MCAST_HDR_WANT_UCAST,
					    0x7,
					    MCAST_HDR_AUTH_ONLY,
					    MCAST_HDR_CHACHA,
					    0x1f };
	uint8_t buf[96];
	struct mcast_hdr d, h = example_hdr();
	size_t len = example_datagram(buf);

	/* bits 0..4 are defined */
	for (size_t i = 0; i < sizeof(defined) / sizeof(defined[0]); i++) {
		buf[7] = (uint8_t)defined[i];
		CHECK_CODE(decode_exact(&d, buf, len), MCAST_WIRE_HDR_LEN);
		CHECK_EQ_INT(d.flags, defined[i]);
		h.flags = defined[i];
		CHECK_CODE(mcast_hdr_encode(&h, buf, sizeof(buf)),
			   MCAST_WIRE_HDR_LEN);
		CHECK_EQ_INT(buf[6], 0);
		CHECK_EQ_INT(buf[7], defined[i]);
		example_datagram(buf);
	}

	/* the rest are reserved, alone or next to a defined one */
	for (int bit = 5; bit < 16; bit++) {
		uint16_t f = (uint16_t)(1u << bit);

		for (int with = 0; with < 2; with++) {
			uint16_t g =
				with ? (uint16_t)(f | MCAST_HDR_UNICAST) : f;

			buf[6] = (uint8_t)(g >> 8);
			buf[7] = (uint8_t)g;
			if (!CHECK_CODE(decode_exact(&d, buf, len),
					MCAST_EMALFORMED))
				fprintf(stderr, "    flags %#x\n", g);
			h.flags = g;
			CHECK_CODE(mcast_hdr_encode(&h, buf, sizeof(buf)),
				   MCAST_EMALFORMED);
			example_datagram(buf);
		}
	}
}

static void test_hdr_len(void)
{
	uint8_t buf[128];
	struct mcast_hdr d;
	size_t len = example_datagram(buf);

	buf[45] = 0;
	CHECK_CODE(decode_exact(&d, buf, len), MCAST_EMALFORMED);
	buf[45] = 55;
	CHECK_CODE(decode_exact(&d, buf, len), MCAST_EMALFORMED);

	/* hdr_len beyond the datagram, with and without a payload */
	buf[45] = 73;
	buf[46] = buf[47] = 0;
	CHECK_CODE(decode_exact(&d, buf, 72), MCAST_ESHORT);
	buf[45] = 255;
	CHECK_CODE(decode_exact(&d, buf, 72), MCAST_ESHORT);
	buf[45] = 72;
	CHECK_CODE(decode_exact(&d, buf, 72), 72);
	buf[47] = 16;
	CHECK_CODE(decode_exact(&d, buf, 72), MCAST_ESHORT);
}

static void test_payload_len(void)
{
	uint8_t buf[96];
	struct mcast_hdr d;
	size_t len = example_datagram(buf);

	buf[47] = 17; /* one more than there is */
	CHECK_CODE(decode_exact(&d, buf, len), MCAST_ESHORT);
	buf[46] = 0xff;
	buf[47] = 0xff;
	CHECK_CODE(decode_exact(&d, buf, len), MCAST_ESHORT);
	/* the largest length must not wrap hdr_len + payload_len */
	buf[45] = 0xff;
	CHECK_CODE(decode_exact(&d, buf, len), MCAST_ESHORT);
}

/* Bytes after the payload: a sealed message's tag, else malformed. */
static void test_trailer(void)
{
	uint8_t buf[96];
	struct mcast_hdr d;
	size_t len = example_datagram(buf);

	memset(buf + len, 0x77, 16);
	CHECK_CODE(decode_exact(&d, buf, len + 1), MCAST_EMALFORMED);
	CHECK_CODE(decode_exact(&d, buf, len + 16), MCAST_EMALFORMED);

	buf[11] = 1; /* key_id 1 */
	CHECK_CODE(decode_exact(&d, buf, len + 16), MCAST_WIRE_HDR_LEN);
	CHECK_EQ_INT(d.key_id, 1);
	CHECK_EQ_INT(d.payload_len, 16);
	buf[8] = 0x80; /* key_id 0x80000001 */
	CHECK_CODE(decode_exact(&d, buf, len + 1), MCAST_WIRE_HDR_LEN);
	CHECK_EQ_INT(d.key_id, 0x80000001u);
	/* a sealed message is still short if its payload is cut */
	CHECK_CODE(decode_exact(&d, buf, len - 1), MCAST_ESHORT);
}

/* A longer header from a compatible later sender: skip its extension. */
static void test_extension(void)
{
	uint8_t buf[128];
	struct mcast_hdr d, h = example_hdr();
	size_t len;

	memcpy(buf, example_bytes, MCAST_WIRE_HDR_LEN);
	buf[45] = 64;
	memset(buf + 56, 0xe5, 8); /* 8 unknown extension bytes */
	for (int i = 0; i < 16; i++)
		buf[64 + i] = (uint8_t)i;
	len = 64 + 16;
	CHECK_CODE(decode_exact(&d, buf, len), 64);
	CHECK_EQ_INT(d.hdr_len, 64);
	CHECK(hdr_equal(&d, &h));
	CHECK_EQ_INT(buf[d.hdr_len], 0);
	CHECK_EQ_INT(buf[d.hdr_len + d.payload_len - 1], 15);
	/* hdr_len counts in the length check */
	CHECK_CODE(decode_exact(&d, buf, len - 1), MCAST_ESHORT);
}

static void test_encode_space(void)
{
	uint8_t buf[MCAST_WIRE_HDR_LEN + 1];
	struct mcast_hdr h = example_hdr();

	for (size_t cap = 0; cap < MCAST_WIRE_HDR_LEN; cap++) {
		memset(buf, 0xee, sizeof(buf));
		CHECK_CODE(mcast_hdr_encode(&h, buf, cap), -ENOSPC);
		CHECK_EQ_INT(buf[0], 0xee); /* nothing written */
	}
	CHECK_CODE(mcast_hdr_encode(&h, buf, MCAST_WIRE_HDR_LEN),
		   MCAST_WIRE_HDR_LEN);
}

static void test_null(void)
{
	uint8_t buf[64];
	struct mcast_hdr h = example_hdr();
	struct mcast_pong p = { 0 };
	struct mcast_end e = { 0 };

	CHECK_CODE(mcast_hdr_encode(NULL, buf, sizeof(buf)), -EINVAL);
	CHECK_CODE(mcast_hdr_encode(&h, NULL, sizeof(buf)), -EINVAL);
	CHECK_CODE(mcast_hdr_decode(NULL, example_bytes, 48), -EINVAL);
	CHECK_CODE(mcast_hdr_decode(&h, NULL, 48), -EINVAL);
	CHECK_CODE(mcast_end_encode(&e, NULL, 16), -EINVAL);
	CHECK_CODE(mcast_end_encode(NULL, buf, 16), -EINVAL);
	CHECK_CODE(mcast_end_decode(NULL, buf, 16), -EINVAL);
	CHECK_CODE(mcast_end_decode(&e, NULL, 16), -EINVAL);
	CHECK_CODE(mcast_pong_encode(NULL, buf, 32), -EINVAL);
	CHECK_CODE(mcast_pong_encode(&p, NULL, 32), -EINVAL);
	CHECK_CODE(mcast_pong_decode(NULL, buf, 32), -EINVAL);
	CHECK_CODE(mcast_pong_decode(&p, NULL, 32), -EINVAL);
	CHECK_CODE(mcast_session_new(NULL), -EINVAL);
}

static void test_end_body(void)
{
	static const uint64_t values[] = { 0, 1, 0x0102030405060708ull,
					   UINT64_MAX };
	static const uint8_t want[16] = { 1, 2, 3, 4, 5, 6, 7,	  8,
					  0, 0, 0, 0, 0, 0, 0x02, 0x9a };
	uint8_t buf[24], *copy;
	struct mcast_end e, d;

	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		e = (struct mcast_end){ .total = values[i],
					.not_sent = values[3 - i] };
		memset(buf, 0xee, sizeof(buf));
		CHECK_CODE(mcast_end_encode(&e, buf, sizeof(buf)),
			   MCAST_END_BODY_LEN);
		CHECK_EQ_INT(buf[MCAST_END_BODY_LEN], 0xee);
		memset(&d, 0x42, sizeof(d));
		CHECK_CODE(mcast_end_decode(&d, buf, MCAST_END_BODY_LEN),
			   MCAST_END_BODY_LEN);
		CHECK(d.total == values[i]);
		CHECK(d.not_sent == values[3 - i]);
		CHECK_EQ_INT(d.has_not_sent, 1);
		/* bytes after the body are ignored */
		CHECK_CODE(mcast_end_decode(&d, buf, sizeof(buf)),
			   MCAST_END_BODY_LEN);
		CHECK(d.not_sent == values[3 - i]);
	}
	e = (struct mcast_end){ .total = 0x0102030405060708ull,
				.not_sent = 666 };
	CHECK_CODE(mcast_end_encode(&e, buf, 16), 16);
	CHECK(memcmp(buf, want, 16) == 0);

	/* A version 1 body: total only, 8 to 15 bytes; not_sent unknown. */
	for (size_t len = 8; len < MCAST_END_BODY_LEN; len++) {
		memset(&d, 0x42, sizeof(d));
		CHECK_CODE(mcast_end_decode(&d, buf, len),
			   MCAST_END_BODY_LEN_V1);
		CHECK(d.total == 0x0102030405060708ull);
		CHECK(d.not_sent == 0);
		CHECK_EQ_INT(d.has_not_sent, 0);
	}
	for (size_t len = 0; len < MCAST_END_BODY_LEN_V1; len++) {
		copy = malloc(len ? len : 1);
		if (!copy)
			abort();
		memcpy(copy, buf, len);
		CHECK_CODE(mcast_end_decode(&d, copy, len), MCAST_ESHORT);
		free(copy);
	}
	for (size_t len = 0; len < MCAST_END_BODY_LEN; len++)
		CHECK_CODE(mcast_end_encode(&e, buf, len), -ENOSPC);
}

static void test_pong_body(void)
{
	struct mcast_pong p, q;
	uint8_t buf[40], *copy;
	static const uint8_t want[32] = {
		0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
		0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05,
		0x17, 0x97, 0x9c, 0xfe, 0x36, 0x2a, 0x00, 0x00,
	};

	memcpy(p.ping_session, want, MCAST_SESSION_LEN);
	p.ping_seq = 5;
	p.ping_send_ns = 1700000000000000000ull;
	memset(buf, 0xee, sizeof(buf));
	CHECK_CODE(mcast_pong_encode(&p, buf, sizeof(buf)),
		   MCAST_PONG_BODY_LEN);
	CHECK(memcmp(buf, want, sizeof(want)) == 0);
	CHECK_EQ_INT(buf[MCAST_PONG_BODY_LEN], 0xee);

	for (int round = 0; round < 500; round++) {
		for (int i = 0; i < MCAST_SESSION_LEN; i++)
			p.ping_session[i] = (uint8_t)rng();
		p.ping_seq = round == 0 ? UINT64_MAX : round == 1 ? 0 : rng();
		p.ping_send_ns = round == 0   ? UINT64_MAX
				 : round == 1 ? 0
					      : rng();
		CHECK_CODE(mcast_pong_encode(&p, buf, MCAST_PONG_BODY_LEN),
			   MCAST_PONG_BODY_LEN);
		memset(&q, 0xcc, sizeof(q));
		CHECK_CODE(mcast_pong_decode(&q, buf, MCAST_PONG_BODY_LEN),
			   MCAST_PONG_BODY_LEN);
		CHECK(memcmp(q.ping_session, p.ping_session,
			     MCAST_SESSION_LEN) == 0);
		CHECK(q.ping_seq == p.ping_seq);
		CHECK(q.ping_send_ns == p.ping_send_ns);
	}

	for (size_t len = 0; len < MCAST_PONG_BODY_LEN; len++) {
		copy = malloc(len ? len : 1);
		if (!copy)
			abort();
		memcpy(copy, buf, len);
		CHECK_CODE(mcast_pong_decode(&q, copy, len), MCAST_ESHORT);
		free(copy);
		CHECK_CODE(mcast_pong_encode(&p, buf, len), -ENOSPC);
	}
}

static void test_session_new(void)
{
	uint8_t a[MCAST_SESSION_LEN], b[MCAST_SESSION_LEN];
	static const uint8_t zero[MCAST_SESSION_LEN];

	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	CHECK_CODE(mcast_session_new(a), 0);
	CHECK_CODE(mcast_session_new(b), 0);
	CHECK(memcmp(a, zero, sizeof(a)) != 0);
	CHECK(memcmp(b, zero, sizeof(b)) != 0);
	CHECK(memcmp(a, b, sizeof(a)) != 0);
}

int main(void)
{
	test_example_bytes();
	test_version_1();
	test_round_trip();
	test_truncation();
	test_magic();
	test_version();
	test_type();
	test_flags();
	test_hdr_len();
	test_payload_len();
	test_trailer();
	test_extension();
	test_encode_space();
	test_null();
	test_end_body();
	test_pong_body();
	test_session_new();
	return check_done();
}
