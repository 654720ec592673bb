/* SPDX-License-Identifier: MIT */
/*
 * The wire format: the header every mcast-framed datagram starts with, and
 * the bodies of end-of-stream and pong messages (docs/PROTOCOL.md).
 *
 * Every field is written and read byte by byte in network order
 * (wire_internal.h).  Decoding checks each length before it reads.
 */
#include "mc_internal.h"
#include "wire_internal.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

/* End-of-stream body field offsets. */
enum {
	MC_END_OFF_TOTAL = 0,
	MC_END_OFF_NOT_SENT = 8, /* version 2 */
};

/* Pong body field offsets. */
enum {
	MC_PONG_OFF_SESSION = 0,
	MC_PONG_OFF_SEQ = 16,
	MC_PONG_OFF_SEND_NS = 24,
};

#define MC_HDR_KNOWN_FLAGS                                       \
	((uint16_t)(MCAST_HDR_UNICAST | MCAST_HDR_WANT_MCAST |   \
		    MCAST_HDR_WANT_UCAST | MCAST_HDR_AUTH_ONLY | \
		    MCAST_HDR_CHACHA))

static bool mc_type_known(uint8_t type)
{
	return type >= MCAST_MSG_DATA && type <= MCAST_MSG_TUNNEL;
}

/*
 * Version and header length are not the caller's to choose: senders speak
 * version 2 only, so it writes 2 and 56 whatever h says.  A type or flag
 * this version does not define is refused rather than sent, because every
 * receiver would reject it.
 */
void mcast_hdr_stamp(void *buf, uint64_t seq, uint64_t send_ns,
		     uint64_t elapsed_ns)
{
	uint8_t *p = buf;

	mc_put64(p + MC_HDR_OFF_SEQ, seq);
	mc_put64(p + MC_HDR_OFF_SEND_NS, send_ns);
	mc_put64(p + MC_HDR_OFF_ELAPSED_NS, elapsed_ns);
}

int mcast_hdr_encode(const struct mcast_hdr *h, void *buf, size_t cap)
{
	uint8_t *p = buf;

	if (!h || !buf)
		return -EINVAL;
	if (!mc_type_known(h->type) || (h->flags & ~MC_HDR_KNOWN_FLAGS))
		return MCAST_EMALFORMED;
	if (cap < MCAST_WIRE_HDR_LEN)
		return -ENOSPC;

	mc_put32(p + MC_HDR_OFF_MAGIC, MCAST_WIRE_MAGIC);
	p[MC_HDR_OFF_VERSION] = MCAST_WIRE_VERSION;
	p[MC_HDR_OFF_TYPE] = h->type;
	mc_put16(p + MC_HDR_OFF_FLAGS, h->flags);
	mc_put32(p + MC_HDR_OFF_KEY_ID, h->key_id);
	memcpy(p + MC_HDR_OFF_SESSION, h->session, MCAST_SESSION_LEN);
	mc_put64(p + MC_HDR_OFF_SEQ, h->seq);
	mc_put64(p + MC_HDR_OFF_SEND_NS, h->send_ns);
	p[MC_HDR_OFF_TTL] = h->ttl;
	p[MC_HDR_OFF_HDR_LEN] = MCAST_WIRE_HDR_LEN;
	mc_put16(p + MC_HDR_OFF_PAYLOAD_LEN, h->payload_len);
	mc_put64(p + MC_HDR_OFF_ELAPSED_NS, h->elapsed_ns);
	return MCAST_WIRE_HDR_LEN;
}

/*
 * The checks run in the order a receiver needs the answers: first "is this
 * ours at all" (magic), so plain datagrams are told apart cheaply; then
 * "can we read it" (version); then whether the fields and lengths agree.
 * *h is written only on success, so a failed decode leaves it untouched.
 */
int mcast_hdr_decode(struct mcast_hdr *h, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	struct mcast_hdr d;
	size_t end, min_len;

	if (!h || !buf)
		return -EINVAL;
	if (len < 4 || mc_get32(p + MC_HDR_OFF_MAGIC) != MCAST_WIRE_MAGIC)
		return MCAST_ENOTMCAST_MSG;
	if (len < MC_HDR_OFF_VERSION + 1)
		return MCAST_ESHORT;
	/* Version 2 is version 1 with fields appended: one decoder reads
	 * both, each with its own minimum header length. */
	if (p[MC_HDR_OFF_VERSION] == 1)
		min_len = MCAST_WIRE_HDR_LEN_V1;
	else if (p[MC_HDR_OFF_VERSION] == 2)
		min_len = MCAST_WIRE_HDR_LEN;
	else
		return MCAST_EVERSION;
	if (len < min_len)
		return MCAST_ESHORT;

	d.version = p[MC_HDR_OFF_VERSION];
	d.type = p[MC_HDR_OFF_TYPE];
	d.flags = mc_get16(p + MC_HDR_OFF_FLAGS);
	d.key_id = mc_get32(p + MC_HDR_OFF_KEY_ID);
	memcpy(d.session, p + MC_HDR_OFF_SESSION, MCAST_SESSION_LEN);
	d.seq = mc_get64(p + MC_HDR_OFF_SEQ);
	d.send_ns = mc_get64(p + MC_HDR_OFF_SEND_NS);
	d.ttl = p[MC_HDR_OFF_TTL];
	d.hdr_len = p[MC_HDR_OFF_HDR_LEN];
	d.payload_len = mc_get16(p + MC_HDR_OFF_PAYLOAD_LEN);
	d.has_elapsed = d.version >= 2;
	d.elapsed_ns = d.has_elapsed ? mc_get64(p + MC_HDR_OFF_ELAPSED_NS) : 0;

	/* Tunnel messages came with version 2: a version 1 one is forged. */
	if (!mc_type_known(d.type) || (d.flags & ~MC_HDR_KNOWN_FLAGS) ||
	    d.hdr_len < min_len ||
	    (d.version == 1 && d.type == MCAST_MSG_TUNNEL))
		return MCAST_EMALFORMED;
	/* Both terms are small (<= 255 + 65535): no overflow in size_t. */
	end = (size_t)d.hdr_len + d.payload_len;
	if (d.hdr_len > len || end > len)
		return MCAST_ESHORT;
	/* Bytes after the payload are room for a sealed message's
	 * authentication tag; an unsealed message has no reason for them. */
	if (end < len && d.key_id == 0)
		return MCAST_EMALFORMED;

	*h = d;
	return d.hdr_len;
}

int mcast_end_encode(const struct mcast_end *e, void *buf, size_t cap)
{
	uint8_t *p = buf;

	if (!e || !buf)
		return -EINVAL;
	if (cap < MCAST_END_BODY_LEN)
		return -ENOSPC;
	mc_put64(p + MC_END_OFF_TOTAL, e->total);
	mc_put64(p + MC_END_OFF_NOT_SENT, e->not_sent);
	return MCAST_END_BODY_LEN;
}

/* A version 1 sender's body stops after total: what it did not send is
 * unknown, which reads as 0 with has_not_sent saying so. */
int mcast_end_decode(struct mcast_end *e, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	if (!e || !buf)
		return -EINVAL;
	if (len < MCAST_END_BODY_LEN_V1)
		return MCAST_ESHORT;
	e->total = mc_get64(p + MC_END_OFF_TOTAL);
	if (len < MCAST_END_BODY_LEN) {
		e->not_sent = 0;
		e->has_not_sent = 0;
		return MCAST_END_BODY_LEN_V1;
	}
	e->not_sent = mc_get64(p + MC_END_OFF_NOT_SENT);
	e->has_not_sent = 1;
	return MCAST_END_BODY_LEN;
}

int mcast_pong_encode(const struct mcast_pong *pong, void *buf, size_t cap)
{
	uint8_t *p = buf;

	if (!pong || !buf)
		return -EINVAL;
	if (cap < MCAST_PONG_BODY_LEN)
		return -ENOSPC;
	memcpy(p + MC_PONG_OFF_SESSION, pong->ping_session, MCAST_SESSION_LEN);
	mc_put64(p + MC_PONG_OFF_SEQ, pong->ping_seq);
	mc_put64(p + MC_PONG_OFF_SEND_NS, pong->ping_send_ns);
	return MCAST_PONG_BODY_LEN;
}

int mcast_pong_decode(struct mcast_pong *pong, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	if (!pong || !buf)
		return -EINVAL;
	if (len < MCAST_PONG_BODY_LEN)
		return MCAST_ESHORT;
	memcpy(pong->ping_session, p + MC_PONG_OFF_SESSION, MCAST_SESSION_LEN);
	pong->ping_seq = mc_get64(p + MC_PONG_OFF_SEQ);
	pong->ping_send_ns = mc_get64(p + MC_PONG_OFF_SEND_NS);
	return MCAST_PONG_BODY_LEN;
}

static bool mc_all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/*
 * A session id only has to differ from every other sender's, so the
 * kernel's random pool is plenty.  getrandom() may return fewer bytes or
 * fail with EINTR when a signal arrives; both just mean "ask again".  The
 * all-zero id is kept free so that it can mean "no session" to callers.
 */
int mcast_session_new(uint8_t session[MCAST_SESSION_LEN])
{
	if (!session)
		return -EINVAL;
	do {
		size_t got = 0;

		while (got < MCAST_SESSION_LEN) {
			ssize_t n = getrandom(session + got,
					      MCAST_SESSION_LEN - got, 0);

			if (n < 0) {
				if (errno == EINTR)
					continue;
				return -errno;
			}
			got += (size_t)n;
		}
	} while (mc_all_zero(session, MCAST_SESSION_LEN));
	return 0;
}
