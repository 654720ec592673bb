/* SPDX-License-Identifier: MIT */
/*
 * sealing.h - helpers of the sealed-stream tests (test_seal.c,
 * test_replay.c): keyrings from text, envelopes built with
 * mcast_hdr_encode(), sealed datagrams kept as values.
 */
#ifndef SEALING_H
#define SEALING_H

#include "check.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define KEY1	"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define KEY2	"202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
#define NOW_SEC 1700000000ll
#define SEC	1000000000ull
#define NOW_NS	((uint64_t)NOW_SEC * SEC)
#define MAXDG	(MCAST_WIRE_HDR_LEN + 1500 + MCAST_TAG_LEN)

static const struct timespec now_ts = { NOW_SEC, 0 };

/* A binding: group (with port) as text. */
static inline struct mcast_bind bind_of(const char *group)
{
	struct sockaddr_storage ss;
	struct mcast_bind b;

	if (mcast_addr_parse(group, MCAST_PARSE_GROUP | MCAST_PARSE_PORT, &ss) <
		    0 ||
	    mcast_bind_addr(&b, (struct sockaddr *)&ss) < 0)
		abort();
	return b;
}

/* Where the tests' datagrams go unless they say otherwise. */
static inline const struct mcast_bind *dest(void)
{
	static struct mcast_bind b;

	if (!b.len)
		b = bind_of("239.1.1.1:5000");
	return &b;
}

/* A sealed (or not) datagram, as a value. */
struct dgram {
	size_t len;
	uint8_t b[MAXDG];
};

static inline mcast_keyring_t *ring(const char *text)
{
	mcast_keyring_t *k = NULL;
	char err[128];

	if (mcast_keyring_parse(&k, text, strlen(text), err, sizeof(err))) {
		fprintf(stderr, "keyring: %s\n", err);
		abort();
	}
	return k;
}

static inline mcast_sealer_t *sealer(const mcast_keyring_t *k,
				     enum mcast_cipher c, int auth_only)
{
	mcast_sealer_t *s = NULL;

	if (mcast_sealer_new(&s, k, c, auth_only))
		abort();
	return s;
}

/* An opener with the given window, sessions and max_age. */
static inline mcast_opener_t *opener(const mcast_keyring_t *k, unsigned window,
				     unsigned sessions, double max_age)
{
	struct mcast_opener_opts o;
	mcast_opener_t *op = NULL;

	mcast_opener_opts_init(&o);
	o.replay_window = window;
	o.max_sessions = sessions;
	o.max_age = max_age;
	if (mcast_opener_new(&op, k, &o))
		abort();
	return op;
}

/* An unsealed envelope: header of type, session byte sid (all 16 bytes),
 * seq and send time, then plen payload bytes (a pattern of seq). */
static inline struct dgram envelope(uint8_t type, uint8_t sid, uint64_t seq,
				    uint64_t send_ns, size_t plen)
{
	struct mcast_hdr h = {
		.type = type,
		.seq = seq,
		.send_ns = send_ns,
		.ttl = 1,
		.payload_len = (uint16_t)plen,
	};
	struct dgram d;

	memset(h.session, sid, sizeof(h.session));
	memset(&d, 0, sizeof(d));
	if (mcast_hdr_encode(&h, d.b, sizeof(d.b)) != MCAST_WIRE_HDR_LEN)
		abort();
	for (size_t i = 0; i < plen; i++)
		d.b[MCAST_WIRE_HDR_LEN + i] = (uint8_t)(seq * 7 + i);
	d.len = MCAST_WIRE_HDR_LEN + plen;
	return d;
}

/* envelope() sealed by s; aborts when sealing fails. */
static inline struct dgram sealed(mcast_sealer_t *s, uint8_t type, uint8_t sid,
				  uint64_t seq, uint64_t send_ns, size_t plen)
{
	struct dgram d = envelope(type, sid, seq, send_ns, plen);
	int rc = mcast_seal(s, dest(), d.b, d.len, sizeof(d.b));

	if (rc != (int)(d.len + MCAST_TAG_LEN)) {
		fprintf(stderr, "seal: %s\n", mcast_strerror(rc));
		abort();
	}
	d.len = (size_t)rc;
	return d;
}

/* Unseal a heap copy of exactly d's length (ASan sees overreads); the
 * opened bytes go back to *out when out is not NULL. */
static inline int open_copy(mcast_opener_t *o, const struct dgram *d,
			    size_t len, struct dgram *out)
{
	uint8_t *copy = malloc(len ? len : 1);
	int rc;

	if (!copy)
		abort();
	memcpy(copy, d->b, len);
	rc = mcast_unseal(o, dest(), copy, len, &now_ts, NULL);
	if (out) {
		memcpy(out->b, copy, len);
		out->len = rc >= 0 ? (size_t)rc : len;
	}
	free(copy);
	return rc;
}

static inline int open_dg(mcast_opener_t *o, const struct dgram *d)
{
	return open_copy(o, d, d->len, NULL);
}

static inline struct mcast_rejects rejects(const mcast_opener_t *o)
{
	struct mcast_rejects r = { .size = sizeof(r) };

	if (mcast_opener_rejects(o, &r))
		abort();
	return r;
}

#endif /* SEALING_H */
