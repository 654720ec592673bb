/* SPDX-License-Identifier: MIT */
/*
 * media.h - crafted RTP, MPEG-TS and sequence-field datagrams for the
 * stream analyzers' tests (test_rtp.c, test_ts.c, test_seqfeed.c,
 * test_stream_detect.c), fed with their own clock so every figure they
 * give is known exactly.
 */
#ifndef MEDIA_H
#define MEDIA_H

#include "streams.h"

/* A tracker reading `type`; tweak (may be NULL) adjusts its options. */
static inline mcast_tracker_t *
stream_tracker(int type, void (*tweak)(struct mcast_tracker_opts *))
{
	struct mcast_tracker_opts o;
	mcast_tracker_t *t;

	mcast_tracker_opts_init(&o);
	o.stream = type;
	if (tweak)
		tweak(&o);
	if (mcast_tracker_new(&t, &o) < 0)
		abort();
	return t;
}

static inline int feed_at(mcast_tracker_t *t, const struct sender *s,
			  const uint8_t *buf, size_t len, int64_t arrive_ns)
{
	struct mcast_meta m = meta_for(s, arrive_ns, -1, len);

	return mcast_tracker_feed(t, buf, len, &m);
}

static inline void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

/* An RTP header (no CSRC, extension or padding) and payload bytes. */
static inline size_t rtp_build(uint8_t *buf, unsigned pt, uint16_t seq,
			       uint32_t ts, uint32_t ssrc, size_t payload)
{
	buf[0] = 0x80;
	buf[1] = (uint8_t)pt;
	put16(buf + 2, seq);
	put32(buf + 4, ts);
	put32(buf + 8, ssrc);
	memset(buf + 12, 0xa5, payload);
	return 12 + payload;
}

static inline int rtp_at(mcast_tracker_t *t, const struct sender *s,
			 unsigned pt, uint16_t seq, uint32_t ts, uint32_t ssrc,
			 int64_t arrive_ns)
{
	uint8_t buf[64];
	size_t len = rtp_build(buf, pt, seq, ts, ssrc, 20);

	return feed_at(t, s, buf, len, arrive_ns);
}

/* One TS packet's options. */
struct tsp {
	unsigned pid, cc;
	unsigned afc; /* 1 payload, 2 adaptation field only, 3 both */
	bool pusi, disc, pcr, tei;
	unsigned tsc;
	const uint8_t *payload; /* NULL: 0xff stuffing */
	size_t payload_len;
};

static inline void ts_build(uint8_t *p, const struct tsp *k)
{
	unsigned afc = k->afc ? k->afc : 1;
	size_t off = 4;

	memset(p, 0xff, 188);
	p[0] = 0x47;
	p[1] = (uint8_t)((k->tei ? 0x80 : 0) | (k->pusi ? 0x40 : 0) |
			 (k->pid >> 8));
	p[2] = (uint8_t)k->pid;
	p[3] = (uint8_t)(k->tsc << 6 | afc << 4 | (k->cc & 15));
	if (afc & 2) {
		size_t aflen = afc == 2 ? 183 : 8;

		p[4] = (uint8_t)aflen;
		p[5] = (uint8_t)((k->disc ? 0x80 : 0) | (k->pcr ? 0x10 : 0));
		off = 5 + aflen;
	}
	if ((afc & 1) && k->payload)
		memcpy(p + off, k->payload,
		       k->payload_len < 188 - off ? k->payload_len : 188 - off);
}

/* A datagram of one TS packet on pid with counter cc. */
static inline int ts_one(mcast_tracker_t *t, const struct sender *s,
			 const struct tsp *k, int64_t arrive_ns)
{
	uint8_t p[188];

	ts_build(p, k);
	return feed_at(t, s, p, sizeof(p), arrive_ns);
}

/* CRC_32 of 13818-1 annex A, written here again so the test does not
 * take the library's word for it. */
static inline uint32_t crc32_mpeg(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffffu;

	while (n--) {
		c ^= (uint32_t)*p++ << 24;
		for (int b = 0; b < 8; b++)
			c = (c & 0x80000000u) ? (c << 1) ^ 0x04c11db7u : c << 1;
	}
	return c;
}

/* Finish a section whose body (after the 3-byte header) is n bytes
 * without CRC: section_length and CRC_32.  Returns its total length. */
static inline size_t section_seal(uint8_t *s, size_t body)
{
	size_t len = 3 + body + 4;

	s[1] = (uint8_t)(0xb0 | ((body + 4) >> 8));
	s[2] = (uint8_t)(body + 4);
	put32(s + 3 + body, crc32_mpeg(s, 3 + body));
	return len;
}

/* A PAT section: program -> PMT pid, with a pointer_field before it. */
static inline size_t pat_payload(uint8_t *p, unsigned program, unsigned pmt)
{
	uint8_t *s = p + 1;

	p[0] = 0; /* pointer_field */
	s[0] = 0x00;
	put16(s + 3, 1); /* transport_stream_id */
	s[5] = 0xc1;	 /* version 0, current */
	s[6] = s[7] = 0;
	put16(s + 8, program);
	put16(s + 10, 0xe000 | pmt);
	return 1 + section_seal(s, 9);
}

/* A PMT section with n elementary streams (type, pid). */
static inline size_t pmt_payload(uint8_t *p, unsigned program, unsigned pcr,
				 const unsigned (*es)[2], size_t n)
{
	uint8_t *s = p + 1;
	size_t o = 12;

	p[0] = 0;
	s[0] = 0x02;
	put16(s + 3, program);
	s[5] = 0xc1;
	s[6] = s[7] = 0;
	put16(s + 8, 0xe000 | pcr);
	put16(s + 10, 0xf000);
	for (size_t i = 0; i < n; i++) {
		s[o] = (uint8_t)es[i][0];
		put16(s + o + 1, 0xe000 | es[i][1]);
		put16(s + o + 3, 0xf000);
		o += 5;
	}
	return 1 + section_seal(s, o - 3);
}

static inline struct mcast_pid_stats pid_get(const mcast_tracker_t *t, size_t i,
					     unsigned pid, int *rc)
{
	struct mcast_pid_stats s = { .size = sizeof(s) };

	*rc = mcast_tracker_get_pid(t, i, pid, &s);
	return s;
}

#endif /* MEDIA_H */
