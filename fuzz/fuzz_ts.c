/* SPDX-License-Identifier: MIT */
/*
 * fuzz_ts.c - the MPEG-TS analyzer (src/lib/ts.c, ts_psi.c) on any
 * sequence of datagrams, over UDP or RTP.
 *
 * The first byte chooses the tracker: TS, MPEG-TS over RTP or AUTO, 1 to
 * 4 sessions, 1 to 64 PIDs (so the shared PID table fills and is given
 * back on retirement), a PID timeout of 1 s or the default.  Each record
 * is a datagram of up to 7 packets from one of four senders, its arrival
 * moved by the input (the TR 101 290 checks run on it, and, when the
 * first bytes say so, on mcast_tracker_tick() between datagrams).  A packet is raw
 * bytes, or a header built from input bytes (one of a few PIDs, counter,
 * flags, adaptation field) around a payload that may be a PAT or PMT
 * section with a correct CRC_32, so the section parser is reached.
 *
 * Besides crashes: every entry's per-PID packets add up to its TS
 * packets (with those the full table could not track), and the table
 * never holds more entries than it was given.
 */
#include "feed.h"

#include <stdlib.h>

#define TS 188

static uint32_t crc32_mpeg(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffffu;

	while (n--) {
		c ^= (uint32_t)*p++ << 24;
		for (int b = 0; b < 8; b++)
			c = (c & 0x80000000u) ? (c << 1) ^ 0x04c11db7u : c << 1;
	}
	return c;
}

/* A section (PAT or PMT by tid) with body bytes from the input and a
 * valid CRC, after a pointer_field of 0.  Returns the payload length. */
static size_t build_section(struct reader *r, uint8_t *p, size_t room)
{
	size_t body = take(r, 1) % 120, n;
	uint8_t *s = p + 1;
	uint32_t crc;

	p[0] = 0;
	s[0] = (uint8_t)(take(r, 1) & 1 ? 0x02 : 0x00);
	n = take_bytes(r, s + 3, body);
	s[1] = (uint8_t)(0xb0 | ((n + 4) >> 8));
	s[2] = (uint8_t)(n + 4);
	if (n >= 3)
		s[5] |= 1; /* current */
	crc = crc32_mpeg(s, 3 + n);
	for (int i = 0; i < 4; i++)
		s[3 + n + i] = (uint8_t)(crc >> (24 - 8 * i));
	n += 1 + 3 + 4;
	return n < room ? n : room;
}

static void build_packet(struct reader *r, uint8_t *p)
{
	static const unsigned pids[8] = { 0,	 0x20,	 0x21, 0x100,
					  0x101, 0x1fff, 0x30, 0x31 };
	unsigned ctl = take(r, 1), flags = take(r, 1), afc, off = 4;

	memset(p, 0xff, TS);
	if (!(ctl & 0x80)) {
		take_bytes(r, p, TS);
		return;
	}
	afc = 1 + (flags & 3) % 3;
	p[0] = 0x47;
	p[1] = (uint8_t)((flags & 0x80) | (ctl & 0x40) | pids[ctl & 7] >> 8);
	p[2] = (uint8_t)pids[ctl & 7];
	p[3] = (uint8_t)((flags & 0x30) << 2 | afc << 4 | ((ctl >> 3) & 7));
	if (afc & 2) {
		unsigned aflen = afc == 2 ? 183 : take(r, 1) % 190;

		p[4] = (uint8_t)aflen;
		p[5] = (uint8_t)take(r, 1);
		off = 5 + aflen;
	}
	if ((afc & 1) && off < TS) {
		if (flags & 0x40)
			build_section(r, p + off, TS - off);
		else
			take_bytes(r, p + off, take(r, 1) % (TS - off + 1));
	}
}

static void feed_one(mcast_tracker_t *t, struct reader *r, uint64_t *clock_ns,
		     uint16_t *seq)
{
	uint8_t buf[12 + 7 * TS + 100];
	struct mcast_meta meta;
	unsigned ctl = take(r, 1), n = take(r, 1) % 8;
	size_t len = 0;

	feed_meta(&meta, r, ctl, clock_ns);
	if (ctl & 0x08) { /* an RTP header, PT 33 */
		buf[0] = 0x80;
		buf[1] = 33;
		buf[2] = (uint8_t)(*seq >> 8);
		buf[3] = (uint8_t)(*seq)++;
		memset(buf + 4, 0, 8);
		len = 12;
	}
	for (unsigned i = 0; i < n; i++, len += TS)
		build_packet(r, buf + len);
	if (ctl & 0x10) /* a ragged end */
		len += take_bytes(r, buf + len, take(r, 1) % 100);
	meta.len = len;
	mcast_tracker_feed(t, buf, len, &meta);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int types[4] = { MCAST_STREAM_TS, MCAST_STREAM_RTP_TS,
				      MCAST_STREAM_AUTO, MCAST_STREAM_TS };
	struct reader r = { data, size };
	struct mcast_tracker_opts o;
	struct mcast_stream_stats tot = { .size = sizeof(tot) };
	uint64_t clock_ns = 1700000000000000000ull;
	uint16_t seq = 0;
	mcast_tracker_t *t;
	unsigned cfg = take(&r, 2);

	mcast_tracker_opts_init(&o);
	o.stream = types[cfg & 3];
	o.max_sessions = 1 + ((cfg >> 2) & 3);
	o.max_pids = 1 + ((cfg >> 4) & 63);
	o.pid_timeout_ms = cfg & 0x400 ? 1000 : 0;
	if (mcast_tracker_new(&t, &o) != 0)
		abort();
	while (r.n) {
		feed_one(t, &r, &clock_ns, &seq);
		if (mcast_tracker_count(t) > o.max_sessions)
			abort();
		if (cfg & 0x800) { /* a receiver's clock between datagrams */
			struct timespec now = {
				.tv_sec = (time_t)(clock_ns / 1000000000u) +
					  (time_t)(take(&r, 1) % 8),
				.tv_nsec = (long)(clock_ns % 1000000000u),
			};

			if (mcast_tracker_tick(t, &now) != 0)
				abort();
		}
	}
	if (mcast_tracker_totals(t, &tot) != 0 || check_pids(t, size) != 0)
		abort();
	mcast_tracker_free(t);
	return 0;
}
