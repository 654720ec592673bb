/* SPDX-License-Identifier: MIT */
/*
 * test_seal.c - sealing and opening (src/lib/seal.c, docs/SECURITY.md):
 * known-answer vectors computed independently (Python "cryptography"),
 * round trips of both ciphers and auth-only, every single-bit flip and
 * every truncation rejected, unknown keys, rotation, freshness, EWRAP,
 * the counters, and no allocation by libcrypto per datagram.
 */
#include "sealing.h"

#include <openssl/crypto.h>
#include <stdbool.h>
#include <stddef.h>

/* ---------------------------------------------------------------- */
/* Allocation counting: installed before libcrypto allocates at all   */

static unsigned long crypto_allocs;

static void *count_malloc(size_t n, const char *file, int line)
{
	(void)file;
	(void)line;
	crypto_allocs++;
	return malloc(n);
}

static void *count_realloc(void *p, size_t n, const char *file, int line)
{
	(void)file;
	(void)line;
	crypto_allocs++;
	return realloc(p, n);
}

static void count_free(void *p, const char *file, int line)
{
	(void)file;
	(void)line;
	free(p);
}

/* ---------------------------------------------------------------- */

/*
 * Known answers: key 1 = 00 01 .. 1f, session 00112233..eeff, data probe
 * seq 5, send_ns 1700000000000000000, ttl 1, elapsed_ns 1234567890,
 * payload "hello, sealed!", bound to 239.1.1.1:5000.  The 30 bytes after
 * the 56-byte header (ciphertext or clear payload, then the tag), from
 * this script (Python "cryptography"):
 *
 *   bind = bytes([1, 239, 1, 1, 1]) + (5000).to_bytes(2, "big")
 *   info = b"mcast v2 " + bytes([type, cipher]) + kid.to_bytes(4, "big")
 *          + session + bind
 *   key = HKDF(SHA256, length=32, salt=b"mcast seal v2", info=info)
 *         .derive(psk)
 *   nonce = b"\0" * 4 + seq.to_bytes(8, "big")
 *   AESGCM(key).encrypt(nonce, payload, header)          # encrypted
 *   AESGCM(key).encrypt(nonce, b"", header + payload)    # auth-only
 *
 * each header as sealed (key id 1, the cipher's flags).  The sealer seals
 * another session first, so the key is derived the way every stream
 * after a sealer's first is (the HMAC context re-initialised, not keyed).
 */
static const uint8_t kat_session[MCAST_SESSION_LEN] = {
	0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
	0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
};

static const struct {
	enum mcast_cipher cipher;
	int auth_only;
	uint16_t flags;
	uint8_t tail[30];
} kats[] = {
	{ MCAST_CIPHER_AES256GCM,
	  0,
	  0x00,
	  { 0xb6, 0x91, 0x4b, 0x35, 0xae, 0x88, 0xa3, 0xb2, 0xd7, 0xa6,
	    0x4e, 0x87, 0xbe, 0xce, 0xe7, 0x3f, 0xca, 0xa1, 0x30, 0xfc,
	    0xa9, 0x32, 0x7c, 0xdf, 0xda, 0x22, 0xaa, 0x37, 0x76, 0xa8 } },
	{ MCAST_CIPHER_CHACHA20POLY1305,
	  0,
	  0x10,
	  { 0xac, 0xae, 0xf0, 0x5e, 0xd8, 0xc3, 0xb8, 0x4f, 0xa7, 0xef,
	    0x06, 0xcc, 0xaf, 0x54, 0xea, 0xa1, 0x02, 0x67, 0xb9, 0x10,
	    0xbc, 0x17, 0xe1, 0x60, 0xd6, 0x1c, 0x26, 0xca, 0xef, 0xf5 } },
	{ MCAST_CIPHER_AES256GCM,
	  1,
	  0x08,
	  { 0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x2c, 0x20, 0x73, 0x65, 0x61,
	    0x6c, 0x65, 0x64, 0x21, 0xea, 0x16, 0xbf, 0x4a, 0x41, 0x4f,
	    0x59, 0xc0, 0xca, 0x08, 0xa9, 0x83, 0x36, 0x3c, 0x1d, 0x6c } },
};

/* The KAT header; the payload follows it.  Returns the header length. */
static size_t kat_header(struct mcast_hdr *h, uint8_t *buf, size_t cap)
{
	static const char msg[] = "hello, sealed!";

	mcast_hdr_encode(h, buf, cap);
	memcpy(buf + MCAST_WIRE_HDR_LEN, msg, sizeof(msg) - 1);
	return MCAST_WIRE_HDR_LEN;
}

static void test_known_answers(void)
{
	mcast_keyring_t *k = ring("1 " KEY1 "\n");

	for (size_t i = 0; i < sizeof(kats) / sizeof(kats[0]); i++) {
		mcast_sealer_t *s =
			sealer(k, kats[i].cipher, kats[i].auth_only);
		mcast_opener_t *o = opener(k, 1024, 16, 0);
		struct mcast_hdr h = {
			.type = MCAST_MSG_DATA,
			.seq = 5,
			.send_ns = 1700000000000000000ull,
			.ttl = 1,
			.payload_len = 14,
			.elapsed_ns = 1234567890,
		};
		uint8_t buf[128], hdr[128];
		struct mcast_hdr got;
		size_t hl;

		sealed(s, MCAST_MSG_DATA, 9, 0, NOW_NS, 10);
		memcpy(h.session, kat_session, sizeof(h.session));
		hl = kat_header(&h, buf, sizeof(buf));
		CHECK_CODE(mcast_seal(s, dest(), buf, hl + 14, sizeof(buf)),
			   (int)(hl + 30));
		/* The header as sealed: key id and cipher flags. */
		h.key_id = 1;
		h.flags = kats[i].flags;
		kat_header(&h, hdr, sizeof(hdr));
		CHECK(memcmp(buf, hdr, hl) == 0);
		CHECK(memcmp(buf + hl, kats[i].tail, 30) == 0);

		CHECK_CODE(mcast_unseal(o, dest(), buf, hl + 30, &now_ts, &got),
			   (int)(hl + 14));
		CHECK(memcmp(buf + hl, "hello, sealed!", 14) == 0);
		CHECK_EQ_INT(got.version, 2);
		CHECK_EQ_INT(got.key_id, 1);
		CHECK_EQ_INT(got.flags, kats[i].flags);
		CHECK_EQ_INT(got.seq, 5);
		CHECK_EQ_INT(got.payload_len, 14);
		CHECK_EQ_INT(got.elapsed_ns, 1234567890);
		mcast_opener_free(o);
		mcast_sealer_free(s);
	}
	mcast_keyring_free(k);
}

static const struct mode {
	const char *name;
	enum mcast_cipher cipher;
	int auth_only;
} modes[] = {
	{ "aes-256-gcm", MCAST_CIPHER_AES256GCM, 0 },
	{ "chacha20-poly1305", MCAST_CIPHER_CHACHA20POLY1305, 0 },
	{ "aes-256-gcm auth-only", MCAST_CIPHER_AES256GCM, 1 },
	{ "chacha20-poly1305 auth-only", MCAST_CIPHER_CHACHA20POLY1305, 1 },
};
#define NMODES (sizeof(modes) / sizeof(modes[0]))

static void test_round_trips(void)
{
	static const size_t sizes[] = { 0, 1, 15, 16, 17, 100, 1400, 1500 };
	mcast_keyring_t *k = ring("1 " KEY1 "\n2 " KEY2 "\n");

	for (size_t m = 0; m < NMODES; m++) {
		mcast_sealer_t *s =
			sealer(k, modes[m].cipher, modes[m].auth_only);
		mcast_opener_t *o = opener(k, 1024, 16, 30);

		check_ctx = modes[m].name;
		for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			struct dgram plain = envelope(MCAST_MSG_DATA, 1, i,
						      NOW_NS, sizes[i]);
			struct dgram d = sealed(s, MCAST_MSG_DATA, 1, i, NOW_NS,
						sizes[i]);
			struct dgram out;
			int clear;

			CHECK_EQ_INT(d.len, plain.len + MCAST_TAG_LEN);
			clear = memcmp(d.b + MCAST_WIRE_HDR_LEN,
				       plain.b + MCAST_WIRE_HDR_LEN,
				       sizes[i]) == 0;
			if (modes[m].auth_only)
				CHECK(clear);
			else if (sizes[i] >= 8)
				CHECK(!clear);
			CHECK_CODE(open_copy(o, &d, d.len, &out),
				   (int)plain.len);
			/* Plaintext back; only key id and flags differ. */
			CHECK(memcmp(out.b + 12, plain.b + 12,
				     plain.len - 12) == 0);
			CHECK(memcmp(out.b, plain.b, 6) == 0);
			CHECK_EQ_INT(out.b[11], 2); /* newest key */
		}
		CHECK_EQ_INT(rejects(o).accepted, 8);
		mcast_opener_free(o);
		mcast_sealer_free(s);
	}
	check_ctx = NULL;
	mcast_keyring_free(k);
}

/* Every single-bit flip of a sealed datagram is rejected, with a reason
 * that fits where the bit was; the intact one is accepted afterwards, so
 * no rejection moved the window; the counters add up. */
static void test_bit_flips(void)
{
	mcast_keyring_t *k = ring("1 " KEY1 "\n2 " KEY2 "\n");

	for (size_t m = 0; m < NMODES; m++) {
		mcast_sealer_t *s =
			sealer(k, modes[m].cipher, modes[m].auth_only);
		mcast_opener_t *o = opener(k, 1024, 16, 30);
		struct dgram d = sealed(s, MCAST_MSG_DATA, 9, 42, NOW_NS, 20);
		struct mcast_rejects r;
		unsigned long counts[5] = { 0 }, other = 0, zeroed = 0;

		check_ctx = modes[m].name;
		for (size_t bit = 0; bit < d.len * 8; bit++) {
			struct dgram f = d, out;
			int rc;

			f.b[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			rc = open_copy(o, &f, f.len, &out);
			switch (rc) {
			case MCAST_EBADTAG:
				counts[0]++;
				if (!modes[m].auth_only && bit / 8 >= 48) {
					static const uint8_t z[20];

					zeroed +=
						memcmp(out.b + 48, z, 20) == 0;
				}
				break;
			case MCAST_EUNKNOWNKEY:
				counts[1]++;
				break;
			case MCAST_EMALFORMED:
				counts[2]++;
				break;
			case MCAST_ESHORT:
				counts[3]++;
				break;
			case MCAST_EVERSION:
			case MCAST_ENOTMCAST_MSG:
			case MCAST_EUNSEALED:
				counts[4]++;
				break;
			default:
				other++;
				fprintf(stderr, "bit %zu: %d (%s)\n", bit, rc,
					mcast_strerror(rc));
			}
		}
		CHECK_EQ_INT(other, 0);
		/* 32 magic + 8 version bits.  Of the key id's 32 bits, 2 -> 0
		 * leaves an "unsealed" datagram with bytes after its payload
		 * (malformed), the 31 others name unknown keys. */
		CHECK_EQ_INT(counts[4], 32 + 8);
		CHECK_EQ_INT(counts[1], 31);
		/* Flips in the payload and tag of an encrypted datagram leave
		 * no unauthenticated plaintext behind. */
		if (!modes[m].auth_only)
			CHECK_EQ_INT(zeroed, (20 + 16) * 8);
		r = rejects(o);
		CHECK_EQ_INT(r.bad_tag, counts[0]);
		CHECK_EQ_INT(r.unknown_key, counts[1]);
		CHECK_EQ_INT(r.malformed, counts[2]);
		CHECK_EQ_INT(r.too_short, counts[3]);
		CHECK_EQ_INT(r.wrong_version + r.not_mcast + r.unsealed,
			     counts[4]);
		CHECK_EQ_INT(r.accepted, 0);
		CHECK_EQ_INT(r.bad_tag + r.unknown_key + r.malformed +
				     r.too_short + r.wrong_version +
				     r.not_mcast + r.unsealed,
			     d.len * 8);
		CHECK_CODE(open_dg(o, &d), (int)(d.len - MCAST_TAG_LEN));
		mcast_opener_free(o);
		mcast_sealer_free(s);
	}
	check_ctx = NULL;
	mcast_keyring_free(k);
}

static void test_truncation(void)
{
	mcast_keyring_t *k = ring("1 " KEY1 "\n");
	mcast_sealer_t *s = sealer(k, MCAST_CIPHER_AES256GCM, 0);
	mcast_opener_t *o = opener(k, 1024, 16, 30);
	struct dgram d = sealed(s, MCAST_MSG_DATA, 3, 0, NOW_NS, 33);
	struct mcast_rejects r;
	size_t rejected = 0;

	for (size_t len = 0; len < d.len; len++) {
		int rc = open_copy(o, &d, len, NULL);

		rejected += rc < 0;
		if (len >= MCAST_WIRE_HDR_LEN)
			CHECK_CODE(rc, MCAST_ESHORT);
	}
	CHECK_EQ_INT(rejected, d.len);
	/* A byte more than the tag: lengths disagree. */
	d.b[d.len] = 0;
	CHECK_CODE(open_copy(o, &d, d.len + 1, NULL), MCAST_EMALFORMED);
	r = rejects(o);
	CHECK_EQ_INT(r.not_mcast, 4);
	CHECK_EQ_INT(r.too_short, d.len - 4);
	CHECK_EQ_INT(r.malformed, 1);
	CHECK_CODE(open_dg(o, &d), (int)(d.len - MCAST_TAG_LEN));
	mcast_opener_free(o);
	mcast_sealer_free(s);
	mcast_keyring_free(k);
}

static void test_unknown_and_unsealed(void)
{
	mcast_keyring_t *k1 = ring("1 " KEY1 "\n");
	mcast_keyring_t *k2 = ring("2 " KEY2 "\n");
	mcast_keyring_t *k1b = ring("1 " KEY2 "\n"); /* same id, other key */
	mcast_sealer_t *s = sealer(k1, MCAST_CIPHER_AES256GCM, 0);
	mcast_opener_t *o2 = opener(k2, 1024, 16, 30);
	mcast_opener_t *o1b = opener(k1b, 1024, 16, 30);
	struct dgram d = sealed(s, MCAST_MSG_DATA, 4, 0, NOW_NS, 10);
	struct dgram plain = envelope(MCAST_MSG_DATA, 4, 1, NOW_NS, 10);
	struct dgram junk = { .len = 10, .b = "plaintext" };
	struct mcast_rejects r;

	CHECK_CODE(open_dg(o2, &d), MCAST_EUNKNOWNKEY);
	CHECK_CODE(open_dg(o1b, &d), MCAST_EBADTAG);
	CHECK_CODE(open_dg(o2, &plain), MCAST_EUNSEALED);
	CHECK_CODE(open_dg(o2, &junk), MCAST_ENOTMCAST_MSG);
	r = rejects(o2);
	CHECK_EQ_INT(r.unknown_key, 1);
	CHECK_EQ_INT(r.unsealed, 1);
	CHECK_EQ_INT(r.not_mcast, 1);
	CHECK_EQ_INT(r.accepted, 0);
	mcast_opener_free(o2);
	mcast_opener_free(o1b);
	mcast_sealer_free(s);
	mcast_keyring_free(k1);
	mcast_keyring_free(k2);
	mcast_keyring_free(k1b);
}

/*
 * A receiver that requires encryption, or one cipher, rejects the rest as
 * wrong_cipher, before the AEAD; a datagram whose flags were changed to
 * pass the check fails its tag.
 */
static void test_require(void)
{
	static const struct {
		int require;
		bool aes, chacha, aes_auth, chacha_auth;
	} want[] = {
		{ MCAST_REQUIRE_SEALED, true, true, true, true },
		{ MCAST_REQUIRE_ENCRYPTED, true, true, false, false },
		{ MCAST_REQUIRE_AES256GCM, true, false, false, false },
		{ MCAST_REQUIRE_CHACHA20POLY1305, false, true, false, false },
	};
	mcast_keyring_t *k = ring("1 " KEY1 "\n");
	mcast_sealer_t *s[4] = {
		sealer(k, MCAST_CIPHER_AES256GCM, 0),
		sealer(k, MCAST_CIPHER_CHACHA20POLY1305, 0),
		sealer(k, MCAST_CIPHER_AES256GCM, 1),
		sealer(k, MCAST_CIPHER_CHACHA20POLY1305, 1),
	};
	struct mcast_opener_opts oo;
	mcast_opener_t *o = NULL;

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const bool ok[4] = { want[i].aes, want[i].chacha,
				     want[i].aes_auth, want[i].chacha_auth };
		uint64_t rejected = 0;

		mcast_opener_opts_init(&oo);
		oo.require = want[i].require;
		CHECK_CODE(mcast_opener_new(&o, k, &oo), 0);
		for (int c = 0; c < 4; c++) {
			struct dgram d =
				sealed(s[c], MCAST_MSG_DATA, (uint8_t)(10 + c),
				       i, NOW_NS, 20);

			CHECK_CODE(open_dg(o, &d),
				   ok[c] ? (int)(d.len - MCAST_TAG_LEN)
					 : MCAST_ECIPHER);
			rejected += !ok[c];
		}
		CHECK_EQ_INT(rejects(o).wrong_cipher, rejected);
		CHECK_EQ_INT(rejects(o).bad_tag, 0);
		mcast_opener_free(o);
	}

	/* Auth-only passed off as encrypted: the flag is in the tag. */
	mcast_opener_opts_init(&oo);
	oo.require = MCAST_REQUIRE_ENCRYPTED;
	CHECK_CODE(mcast_opener_new(&o, k, &oo), 0);
	{
		struct dgram d =
			sealed(s[2], MCAST_MSG_DATA, 30, 0, NOW_NS, 20);

		d.b[7] &= (uint8_t)~MCAST_HDR_AUTH_ONLY; /* flags, low byte */
		CHECK_CODE(open_dg(o, &d), MCAST_EBADTAG);
	}
	mcast_opener_free(o);
	oo.require = 4;
	CHECK_CODE(mcast_opener_new(&o, k, &oo), -EINVAL);
	oo.require = -1;
	CHECK_CODE(mcast_opener_new(&o, k, &oo), -EINVAL);
	for (int c = 0; c < 4; c++)
		mcast_sealer_free(s[c]);
	mcast_keyring_free(k);
}

/* Senders move to key 2 while receivers still hold key 1 as well. */
static void test_rotation(void)
{
	mcast_keyring_t *old = ring("1 " KEY1 "\n");
	mcast_keyring_t *both = ring("# rotated\n1 " KEY1 "\n2 " KEY2 "\n");
	mcast_sealer_t *s1 = sealer(old, MCAST_CIPHER_AES256GCM, 0);
	mcast_sealer_t *s2 = sealer(both, MCAST_CIPHER_AES256GCM, 0);
	mcast_opener_t *o = opener(both, 1024, 16, 30);
	struct dgram a = sealed(s1, MCAST_MSG_DATA, 5, 0, NOW_NS, 10);
	struct dgram b = sealed(s2, MCAST_MSG_DATA, 6, 0, NOW_NS, 10);
	struct mcast_hdr h;

	CHECK_EQ_INT(mcast_keyring_count(both), 2);
	CHECK_EQ_INT(mcast_keyring_newest(both), 2);
	CHECK_EQ_INT(a.b[11], 1);
	CHECK_EQ_INT(b.b[11], 2);
	CHECK_CODE(mcast_unseal(o, dest(), a.b, a.len, &now_ts, &h),
		   MCAST_WIRE_HDR_LEN + 10);
	CHECK_EQ_INT(h.key_id, 1);
	CHECK_CODE(mcast_unseal(o, dest(), b.b, b.len, &now_ts, &h),
		   MCAST_WIRE_HDR_LEN + 10);
	CHECK_EQ_INT(h.key_id, 2);
	CHECK_EQ_INT(rejects(o).accepted, 2);
	mcast_opener_free(o);
	mcast_sealer_free(s1);
	mcast_sealer_free(s2);
	mcast_keyring_free(old);
	mcast_keyring_free(both);
}

/* A receiver reloads its key file: the new key is accepted, a removed
 * one no longer is, and what it saw before is still a replay. */
static void test_reload(void)
{
	mcast_keyring_t *old = ring("1 " KEY1 "\n");
	mcast_keyring_t *both = ring("1 " KEY1 "\n2 " KEY2 "\n");
	mcast_keyring_t *newer = ring("2 " KEY2 "\n");
	mcast_sealer_t *s1 = sealer(old, MCAST_CIPHER_AES256GCM, 0);
	mcast_sealer_t *s2 = sealer(both, MCAST_CIPHER_AES256GCM, 0);
	mcast_opener_t *o = opener(old, 1024, 16, 30);
	struct dgram a = sealed(s1, MCAST_MSG_DATA, 5, 0, NOW_NS, 10);
	struct dgram a1 = sealed(s1, MCAST_MSG_DATA, 5, 1, NOW_NS, 10);
	struct dgram b = sealed(s2, MCAST_MSG_DATA, 5, 2, NOW_NS, 10);

	CHECK_CODE(mcast_opener_set_keyring(NULL, both), -EINVAL);
	CHECK_CODE(mcast_opener_set_keyring(o, NULL), -EINVAL);
	CHECK_CODE(open_dg(o, &a), MCAST_WIRE_HDR_LEN + 10);
	CHECK_CODE(open_dg(o, &b), MCAST_EUNKNOWNKEY);
	CHECK_CODE(mcast_opener_set_keyring(o, both), 0);
	mcast_keyring_free(old);
	CHECK_CODE(open_dg(o, &a), MCAST_EREPLAY);
	CHECK_CODE(open_dg(o, &b), MCAST_WIRE_HDR_LEN + 10);
	CHECK_CODE(open_dg(o, &b), MCAST_EREPLAY);
	CHECK_CODE(mcast_opener_set_keyring(o, newer), 0);
	CHECK_CODE(open_dg(o, &a1), MCAST_EUNKNOWNKEY);
	CHECK_EQ_INT(rejects(o).accepted, 2);
	mcast_opener_free(o);
	mcast_sealer_free(s1);
	mcast_sealer_free(s2);
	mcast_keyring_free(both);
	mcast_keyring_free(newer);
}

static void test_wrap(void)
{
	mcast_keyring_t *k = ring("1 " KEY1 "\n");
	mcast_sealer_t *s = sealer(k, MCAST_CIPHER_CHACHA20POLY1305, 0);
	struct dgram d;

	d = envelope(MCAST_MSG_DATA, 1, 5, NOW_NS, 8);
	CHECK_CODE(mcast_seal(s, dest(), d.b, d.len, sizeof(d.b)),
		   MCAST_WIRE_HDR_LEN + 8 + MCAST_TAG_LEN);
	d = envelope(MCAST_MSG_DATA, 1, 5, NOW_NS, 8);
	CHECK_CODE(mcast_seal(s, dest(), d.b, d.len, sizeof(d.b)), MCAST_EWRAP);
	/* Refused means untouched. */
	CHECK(memcmp(d.b, envelope(MCAST_MSG_DATA, 1, 5, NOW_NS, 8).b,
		     MCAST_WIRE_HDR_LEN + 8) == 0);
	d = envelope(MCAST_MSG_DATA, 1, 4, NOW_NS, 8);
	CHECK_CODE(mcast_seal(s, dest(), d.b, d.len, sizeof(d.b)), MCAST_EWRAP);
	d = envelope(MCAST_MSG_DATA, 1, 0, NOW_NS, 8);
	CHECK_CODE(mcast_seal(s, dest(), d.b, d.len, sizeof(d.b)), MCAST_EWRAP);
	d = envelope(MCAST_MSG_DATA, 1, 6, NOW_NS, 8);
	CHECK_CODE(mcast_seal(s, dest(), d.b, d.len, sizeof(d.b)),
		   MCAST_WIRE_HDR_LEN + 8 + MCAST_TAG_LEN);
	/* Other types and sessions count on their own, from 0. */
	d = envelope(MCAST_MSG_END, 1, 0, NOW_NS, 8);
	CHECK_CODE(mcast_seal(s, dest(), d.b, d.len, sizeof(d.b)),
		   MCAST_WIRE_HDR_LEN + 8 + MCAST_TAG_LEN);
	d = envelope(MCAST_MSG_DATA, 2, 0, NOW_NS, 8);
	CHECK_CODE(mcast_seal(s, dest(), d.b, d.len, sizeof(d.b)),
		   MCAST_WIRE_HDR_LEN + 8 + MCAST_TAG_LEN);
	/* The last sequence number is never used. */
	d = envelope(MCAST_MSG_DATA, 3, UINT64_MAX, NOW_NS, 8);
	CHECK_CODE(mcast_seal(s, dest(), d.b, d.len, sizeof(d.b)), MCAST_EWRAP);
	d = envelope(MCAST_MSG_DATA, 3, UINT64_MAX - 1, NOW_NS, 8);
	CHECK_CODE(mcast_seal(s, dest(), d.b, d.len, sizeof(d.b)),
		   MCAST_WIRE_HDR_LEN + 8 + MCAST_TAG_LEN);
	d = envelope(MCAST_MSG_DATA, 3, UINT64_MAX, NOW_NS, 8);
	CHECK_CODE(mcast_seal(s, dest(), d.b, d.len, sizeof(d.b)), MCAST_EWRAP);
	mcast_sealer_free(s);
	mcast_keyring_free(k);
}

static void test_freshness(void)
{
	mcast_keyring_t *k = ring("1 " KEY1 "\n");
	mcast_sealer_t *s = sealer(k, MCAST_CIPHER_AES256GCM, 0);
	mcast_opener_t *o = opener(k, 1024, 16, 30);
	mcast_opener_t *off = opener(k, 1024, 16, 0);
	struct dgram old =
		sealed(s, MCAST_MSG_DATA, 1, 0, NOW_NS - 31 * SEC, 4);
	struct dgram ahead =
		sealed(s, MCAST_MSG_DATA, 1, 1, NOW_NS + 31 * SEC, 4);
	struct dgram edge =
		sealed(s, MCAST_MSG_DATA, 1, 2, NOW_NS - 30 * SEC, 4);
	struct dgram ok = sealed(s, MCAST_MSG_DATA, 1, 3, NOW_NS - 29 * SEC, 4);

	CHECK_CODE(open_dg(o, &old), MCAST_ESTALE);
	CHECK_CODE(open_dg(o, &ahead), MCAST_ESTALE);
	CHECK_CODE(open_dg(o, &edge), MCAST_WIRE_HDR_LEN + 4);
	CHECK_CODE(open_dg(o, &ok), MCAST_WIRE_HDR_LEN + 4);
	CHECK_EQ_INT(rejects(o).stale, 2);
	CHECK_EQ_INT(rejects(o).accepted, 2);
	/* A stale datagram did not move the window: still not a replay, and
	 * still stale. */
	CHECK_CODE(open_dg(o, &old), MCAST_ESTALE);
	/* max_age 0: no freshness check at all; now may then be NULL. */
	CHECK_CODE(open_dg(off, &old), MCAST_WIRE_HDR_LEN + 4);
	CHECK_CODE(mcast_unseal(off, dest(), ahead.b, ahead.len, NULL, NULL),
		   MCAST_WIRE_HDR_LEN + 4);
	CHECK_CODE(mcast_unseal(o, dest(), ahead.b, ahead.len, NULL, NULL),
		   -EINVAL);
	mcast_opener_free(o);
	mcast_opener_free(off);
	mcast_sealer_free(s);
	mcast_keyring_free(k);
}

static void test_arguments(void)
{
	mcast_keyring_t *k = ring("1 " KEY1 "\n");
	mcast_sealer_t *s = sealer(k, MCAST_CIPHER_AES256GCM, 0), *bad;
	mcast_opener_t *o = opener(k, 1024, 16, 30), *ob;
	struct mcast_opener_opts oo;
	struct dgram d = envelope(MCAST_MSG_DATA, 1, 0, NOW_NS, 8);
	struct mcast_rejects r;

	CHECK_CODE(mcast_sealer_new(&bad, NULL, MCAST_CIPHER_AES256GCM, 0),
		   -EINVAL);
	CHECK(bad == NULL);
	CHECK_CODE(mcast_sealer_new(&bad, k, (enum mcast_cipher)7, 0), -EINVAL);
	CHECK_CODE(mcast_seal(s, dest(), d.b, d.len, d.len + MCAST_TAG_LEN - 1),
		   -ENOSPC);
	CHECK_CODE(mcast_seal(NULL, dest(), d.b, d.len, sizeof(d.b)), -EINVAL);
	CHECK_CODE(mcast_seal(s, dest(), d.b, d.len - 1, sizeof(d.b)),
		   MCAST_ESHORT);
	CHECK_CODE(mcast_seal(s, dest(), d.b, d.len, sizeof(d.b)),
		   MCAST_WIRE_HDR_LEN + 8 + MCAST_TAG_LEN);
	/* Sealed already. */
	CHECK_CODE(mcast_seal(s, dest(), d.b, 72, sizeof(d.b)), -EINVAL);
	CHECK_CODE(mcast_unseal(NULL, dest(), d.b, 72, &now_ts, NULL), -EINVAL);

	mcast_opener_opts_init(&oo);
	CHECK_EQ_INT(oo.replay_window, 1024);
	CHECK_EQ_INT(oo.max_sessions, 1024);
	CHECK(oo.max_age == 30);
	oo.replay_window = 63;
	CHECK_CODE(mcast_opener_new(&ob, k, &oo), -EINVAL);
	CHECK(ob == NULL);
	oo.replay_window = 65537;
	CHECK_CODE(mcast_opener_new(&ob, k, &oo), -EINVAL);
	oo.replay_window = 64;
	oo.max_sessions = 0;
	CHECK_CODE(mcast_opener_new(&ob, k, &oo), -EINVAL);
	oo.max_sessions = 1;
	oo.max_age = -1;
	CHECK_CODE(mcast_opener_new(&ob, k, &oo), -EINVAL);
	/* An older, smaller opts: the missing members keep defaults. */
	oo.size = offsetof(struct mcast_opener_opts, max_age);
	CHECK_CODE(mcast_opener_new(&ob, k, &oo), 0);
	mcast_opener_free(ob);
	CHECK_CODE(mcast_opener_new(&ob, k, NULL), 0);
	mcast_opener_free(ob);

	/* Counters copy out only as far as the caller's struct reaches. */
	CHECK_CODE(mcast_unseal(o, dest(), d.b,
				MCAST_WIRE_HDR_LEN + 8 + MCAST_TAG_LEN, &now_ts,
				NULL),
		   MCAST_WIRE_HDR_LEN + 8);
	memset(&r, 0xff, sizeof(r));
	r.size = offsetof(struct mcast_rejects, accepted);
	CHECK_CODE(mcast_opener_rejects(o, &r), 0);
	CHECK_EQ_INT(r.size, offsetof(struct mcast_rejects, accepted));
	CHECK_EQ_INT(r.bad_tag, 0);
	CHECK(r.accepted == UINT64_MAX);
	r.size = 2;
	CHECK_CODE(mcast_opener_rejects(o, &r), -EINVAL);
	CHECK_CODE(mcast_opener_rejects(NULL, &r), -EINVAL);
	mcast_opener_free(o);
	mcast_sealer_free(s);
	mcast_keyring_free(k);
	/* NULL-safe frees. */
	mcast_opener_free(NULL);
	mcast_sealer_free(NULL);
	mcast_keyring_free(NULL);
}

/* Once a stream's key is derived, sealing and opening allocate nothing
 * in libcrypto (the library itself allocates only in *_new). */
static void test_no_allocation(int counting)
{
	mcast_keyring_t *k = ring("1 " KEY1 "\n");

	if (!counting) {
		fprintf(stderr, "note: libcrypto allocated before main; "
				"allocation count skipped\n");
		mcast_keyring_free(k);
		return;
	}
	/* The hook sees libcrypto's allocations (contexts in *_new). */
	CHECK(crypto_allocs > 0);
	for (size_t m = 0; m < NMODES; m++) {
		mcast_sealer_t *s =
			sealer(k, modes[m].cipher, modes[m].auth_only);
		mcast_opener_t *o = opener(k, 1024, 16, 30);
		struct dgram d = sealed(s, MCAST_MSG_DATA, 1, 0, NOW_NS, 100);
		unsigned long before;
		int ok = 1;

		check_ctx = modes[m].name;
		CHECK_CODE(open_dg(o, &d), MCAST_WIRE_HDR_LEN + 100);
		before = crypto_allocs;
		for (uint64_t seq = 1; seq <= 200; seq++) {
			struct dgram f;

			d = envelope(MCAST_MSG_DATA, 1, seq, NOW_NS, 100);
			ok &= mcast_seal(s, dest(), d.b, d.len, sizeof(d.b)) ==
			      MCAST_WIRE_HDR_LEN + 100 + MCAST_TAG_LEN;
			d.len = MCAST_WIRE_HDR_LEN + 100 + MCAST_TAG_LEN;
			f = d;
			f.b[60] ^= 1; /* a forgery first, rejected */
			ok &= mcast_unseal(o, dest(), f.b, f.len, &now_ts,
					   NULL) == MCAST_EBADTAG;
			ok &= mcast_unseal(o, dest(), d.b, d.len, &now_ts,
					   NULL) == MCAST_WIRE_HDR_LEN + 100;
			ok &= mcast_unseal(o, dest(), d.b, d.len, &now_ts,
					   NULL) == MCAST_EREPLAY;
		}
		CHECK(ok);
		CHECK_EQ_INT(crypto_allocs - before, 0);
		mcast_opener_free(o);
		mcast_sealer_free(s);
	}
	check_ctx = NULL;
	mcast_keyring_free(k);
}

int main(void)
{
	int counting = CRYPTO_set_mem_functions(count_malloc, count_realloc,
						count_free);

	test_known_answers();
	test_round_trips();
	test_bit_flips();
	test_truncation();
	test_unknown_and_unsealed();
	test_require();
	test_rotation();
	test_reload();
	test_wrap();
	test_freshness();
	test_arguments();
	test_no_allocation(counting);
	return check_done();
}
