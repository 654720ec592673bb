/* SPDX-License-Identifier: MIT */
/*
 * mcast bench --stream: datagrams of RTP and MPEG-TS, as IPTV sends.  It
 * needs nothing of the CLI's, so bench/alloc_count.c sends the same.
 */
#include "bench_stream.h"

#include <stdbool.h>
#include <string.h>

/* One program (1, PMT on PID 0x1000) of one private stream (type 0x06,
 * PES private_stream_1) on PID 0x100, without PCR (PCR_PID 0x1FFF): with
 * the tables a demuxer such as ffprobe finds the stream, and the
 * receiver's analysis checks its PAT and PMT as it would IPTV's. */
static const unsigned char pat[] = { 0x00, 0x00, 0xb0, 0x0d, 0x00, 0x01,
				     0xc1, 0x00, 0x00, 0x00, 0x01, 0xf0,
				     0x00, 0x2a, 0xb1, 0x04, 0xb2 };
static const unsigned char pmt[] = { 0x00, 0x02, 0xb0, 0x12, 0x00, 0x01,
				     0xc1, 0x00, 0x00, 0xff, 0xff, 0xf0,
				     0x00, 0x06, 0xe1, 0x00, 0xf0, 0x00,
				     0x6a, 0x99, 0xac, 0xe4 };

static void ts_header(unsigned char *p, unsigned pid, bool start, uint64_t cc)
{
	p[0] = 0x47;
	p[1] = (unsigned char)((start ? 0x40 : 0) | pid >> 8);
	p[2] = (unsigned char)pid;
	p[3] = (unsigned char)(0x10 | (cc & 15));
}

static void ts_section(unsigned char *p, unsigned pid, uint64_t cc,
		       const unsigned char *sec, size_t len)
{
	ts_header(p, pid, true, cc);
	memcpy(p + 4, sec, len);
	memset(p + 4 + len, 0xff, TS_LEN - 4 - len);
}

void bench_stream_stamp(int stream, unsigned char *p, size_t size, uint64_t seq)
{
	size_t off = 0;

	if (stream != MCAST_STREAM_TS) {
		uint32_t ts = (uint32_t)(seq * 90), ssrc = 0x6d636173;

		p[0] = 0x80;
		p[1] = stream == MCAST_STREAM_RTP_TS ? 33 : 96;
		p[2] = (unsigned char)(seq >> 8);
		p[3] = (unsigned char)seq;
		for (int k = 0; k < 4; k++) {
			p[4 + k] = (unsigned char)(ts >> (24 - 8 * k));
			p[8 + k] = (unsigned char)(ssrc >> (24 - 8 * k));
		}
		off = RTP_HDR_LEN;
	}
	if (stream == MCAST_STREAM_RTP)
		return;
	uint64_t n = (size - off) / TS_LEN;
	/* Datagrams 0, BENCH_PSI_EVERY, ... open with the PAT and the PMT
	 * when they leave room for the stream. */
	bool psi = n >= 3;
	uint64_t tables =
		psi ? (seq + BENCH_PSI_EVERY - 1) / BENCH_PSI_EVERY : 0;
	uint64_t cc = seq * n - 2 * tables;

	if (psi && seq % BENCH_PSI_EVERY == 0) {
		ts_section(p + off, 0, tables, pat, sizeof(pat));
		ts_section(p + off + TS_LEN, 0x1000, tables, pmt, sizeof(pmt));
		off += 2 * TS_LEN;
	}
	/* A PES packet per datagram: ffprobe counts them. */
	size_t pes = size - off - 4 * ((size - off) / TS_LEN) - 6;

	for (bool start = true; off + TS_LEN <= size;
	     off += TS_LEN, cc++, start = false) {
		ts_header(p + off, 0x100, start, cc);
		if (!start)
			continue;
		static const unsigned char head[] = { 0, 0, 1, 0xbd };

		memcpy(p + off + 4, head, sizeof(head));
		p[off + 8] = (unsigned char)(pes >> 8);
		p[off + 9] = (unsigned char)pes;
		p[off + 10] = 0x80; /* '10', no scrambling, no flags */
		p[off + 11] = 0;
		p[off + 12] = 0; /* PES_header_data_length */
	}
}

int bench_stream_type(const char *name)
{
	static const int types[] = { MCAST_STREAM_MCAST, MCAST_STREAM_RTP,
				     MCAST_STREAM_TS, MCAST_STREAM_RTP_TS };

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(name, mcast_stream_name(types[i])) == 0)
			return types[i];
	return -1;
}
