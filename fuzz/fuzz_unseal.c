/* SPDX-License-Identifier: MIT */
/*
 * fuzz_unseal.c - mcast_unseal() with a fixed test keyring (keys 1, 2).
 *
 * The first byte picks the mode.  Even: the rest of the input is handed
 * to mcast_unseal() as a datagram, which can only be rejected (nobody
 * outside holds the keys).  Odd: the input describes a datagram - cipher,
 * auth-only, key, type, session, sequence number, send time, payload -
 * that is sealed for real, bound to one of four destinations, and then
 * changed as the input says (one bit flipped, or cut short) or left alone.
 * Then:
 *  - left alone, it must open to the same envelope and payload (or be
 *    ESTALE when its send time is more than 30 s away), and a second copy
 *    must be EREPLAY; opened as bound to another destination first, it
 *    must be EBADTAG (and still open where it was bound);
 *  - changed in any way, it must be rejected.
 * A violation aborts, which libFuzzer reports as a crash.
 */
#include "fuzz.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MC_MAX_PAYLOAD 1500
#define MC_NOW_SEC     1700000000LL

static const char ring_text[] =
	"# fuzz keys\n"
	"1 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n"
	"2 202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f\n";

/* Destinations a datagram may be bound to; the raw mode uses the
 * first. */
static struct mcast_bind binds[4];

static const struct mcast_bind *dest(void)
{
	return &binds[0];
}

static void init_binds(void)
{
	static const char *const groups[3] = { "239.1.1.1:5000",
					       "239.1.1.1:5001",
					       "[ff0e::1]:5000" };
	struct sockaddr_storage ss;

	if (binds[0].len)
		return;
	for (int i = 0; i < 3; i++)
		if (mcast_addr_parse(groups[i],
				     MCAST_PARSE_GROUP | MCAST_PARSE_PORT,
				     &ss) < 0 ||
		    mcast_bind_addr(&binds[i], (struct sockaddr *)&ss) < 0)
			abort();
	mcast_bind_tunnel(&binds[3], 5000);
}

/* Keyrings for the life of the process: the sealer uses the newest key,
 * so one ring holds key 1 only and the other both. */
static mcast_keyring_t *ring_both, *ring_one;

static void init_rings(void)
{
	if (ring_both)
		return;
	if (mcast_keyring_parse(&ring_both, ring_text, sizeof(ring_text) - 1,
				NULL, 0) != 0 ||
	    mcast_keyring_parse(
		    &ring_one, ring_text,
		    (size_t)(strstr(ring_text, "\n2 ") - ring_text) + 1, NULL,
		    0) != 0 ||
	    mcast_keyring_newest(ring_one) != 1)
		abort();
}

/* Reads input bytes, then zeros once it runs out. */
struct reader {
	const uint8_t *p;
	size_t n;
};

static uint64_t take(struct reader *r, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes; i++) {
		v = v << 8;
		if (r->n) {
			v |= *r->p++;
			r->n--;
		}
	}
	return v;
}

/* Unseal a heap copy of exactly len bytes (ASan sees overreads). */
static int unseal_copy(mcast_opener_t *o, const struct mcast_bind *to,
		       const uint8_t *src, size_t len,
		       const struct timespec *now, struct mcast_hdr *h,
		       uint8_t *out)
{
	uint8_t *copy = malloc(len ? len : 1);
	int rc;

	if (!copy)
		abort();
	memcpy(copy, src, len);
	rc = mcast_unseal(o, to, copy, len, now, h);
	if (rc >= 0) {
		if ((size_t)rc + MCAST_TAG_LEN != len)
			abort();
		if (out)
			memcpy(out, copy, (size_t)rc);
	}
	free(copy);
	return rc;
}

static void structured(mcast_opener_t *o, const struct timespec *now,
		       const uint8_t *data, size_t size)
{
	static uint8_t buf[MCAST_WIRE_HDR_LEN + MC_MAX_PAYLOAD + MCAST_TAG_LEN];
	static uint8_t plain[sizeof(buf)], opened[sizeof(buf)];
	struct reader r = { data, size };
	unsigned ctl = (unsigned)take(&r, 1);
	unsigned change = (unsigned)take(&r, 2);
	int16_t delta = (int16_t)take(&r, 2); /* tenths of a second */
	enum mcast_cipher cipher = ctl & 1 ? MCAST_CIPHER_CHACHA20POLY1305
					   : MCAST_CIPHER_AES256GCM;
	const struct mcast_bind *to = &binds[ctl >> 5 & 3];
	const struct mcast_bind *other = &binds[((ctl >> 5) + 1) & 3];
	struct mcast_hdr h = { 0 }, got;
	mcast_sealer_t *s = NULL;
	size_t plen, len, bits;
	int rc;

	h.type = (uint8_t)(MCAST_MSG_DATA + (ctl >> 3 & 3));
	h.flags = (uint16_t)(take(&r, 1) &
			     (MCAST_HDR_UNICAST | MCAST_HDR_WANT_MCAST |
			      MCAST_HDR_WANT_UCAST));
	for (int i = 0; i < MCAST_SESSION_LEN; i++)
		h.session[i] = (uint8_t)take(&r, 1);
	h.seq = take(&r, 8);
	h.send_ns = (uint64_t)(MC_NOW_SEC * 1000000000LL +
			       (long long)delta * 100000000LL);
	h.ttl = (uint8_t)take(&r, 1);
	plen = r.n > MC_MAX_PAYLOAD ? MC_MAX_PAYLOAD : r.n;
	h.payload_len = (uint16_t)plen;
	if (mcast_hdr_encode(&h, plain, sizeof(plain)) != MCAST_WIRE_HDR_LEN)
		abort();
	memcpy(plain + MCAST_WIRE_HDR_LEN, r.p, plen);
	len = MCAST_WIRE_HDR_LEN + plen;

	if (mcast_sealer_new(&s, ctl & 4 ? ring_one : ring_both, cipher,
			     ctl & 2) != 0)
		abort();
	memcpy(buf, plain, len);
	rc = mcast_seal(s, to, buf, len, sizeof(buf));
	if (h.seq == UINT64_MAX) {
		if (rc != MCAST_EWRAP)
			abort();
		mcast_sealer_free(s);
		return;
	}
	if (rc != (int)(len + MCAST_TAG_LEN))
		abort();
	/* The same sequence number again would reuse the nonce. */
	memcpy(opened, plain, len);
	if (mcast_seal(s, to, opened, len, sizeof(opened)) != MCAST_EWRAP)
		abort();
	mcast_sealer_free(s);
	/* Encrypted payloads must not travel in the clear (a payload of a
	 * few bytes may match by chance). */
	if (!(ctl & 2) && plen >= 16 &&
	    memcmp(buf + MCAST_WIRE_HDR_LEN, r.p, plen) == 0)
		abort();
	if ((ctl & 2) && memcmp(buf + MCAST_WIRE_HDR_LEN, r.p, plen) != 0)
		abort();
	len += MCAST_TAG_LEN;
	bits = len * 8;

	if (change < bits) { /* one bit flipped */
		buf[change / 8] ^= (uint8_t)(1u << (change % 8));
		if (unseal_copy(o, to, buf, len, now, &got, NULL) >= 0)
			abort();
	} else if (change < bits + len) { /* cut short */
		if (unseal_copy(o, to, buf, change - bits, now, &got, NULL) >=
		    0)
			abort();
	} else { /* intact */
		if ((ctl & 0x80) && unseal_copy(o, other, buf, len, now, &got,
						NULL) != MCAST_EBADTAG)
			abort();
		rc = unseal_copy(o, to, buf, len, now, &got, opened);
		if (delta > 300 || delta < -300) {
			if (rc != MCAST_ESTALE)
				abort();
			return;
		}
		if (rc != (int)(len - MCAST_TAG_LEN) || got.seq != h.seq ||
		    got.key_id != (ctl & 4 ? 1u : 2u))
			abort();
		/* The opened envelope is the plaintext, key id and cipher
		 * flags aside (bytes 6..11). */
		if (memcmp(opened + 12, plain + 12, len - MCAST_TAG_LEN - 12) ||
		    memcmp(opened, plain, 6))
			abort();
		if (unseal_copy(o, to, buf, len, now, &got, NULL) !=
		    MCAST_EREPLAY)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct timespec now = { MC_NOW_SEC, 0 };
	struct mcast_opener_opts oo;
	mcast_opener_t *o = NULL;
	struct mcast_hdr h;
	struct mcast_rejects rej = { .size = sizeof(rej) };
	int rc;

	init_rings();
	init_binds();
	mcast_opener_opts_init(&oo);
	oo.max_sessions = 4;
	oo.replay_window = 64;
	if (mcast_opener_new(&o, ring_both, &oo) != 0)
		abort();
	if (size > 0 && (data[0] & 1)) {
		structured(o, &now, data + 1, size - 1);
	} else {
		size_t n = size ? size - 1 : 0;

		rc = unseal_copy(o, dest(), size ? data + 1 : data, n, &now, &h,
				 NULL);
		if (rc >= 0)
			abort(); /* a forgery */
	}
	if (mcast_opener_rejects(o, &rej) != 0 || rej.accepted > 1)
		abort();
	mcast_opener_free(o);
	return 0;
}
