/* SPDX-License-Identifier: MIT */
/*
 * mcast bench --stream: what the datagrams carry, and so what the
 * receiver analyzes - mcast probes, or RTP, MPEG-TS or MPEG-TS over RTP
 * (docs/STREAMS.md) - for the cost of the analysis.
 */
#ifndef MCAST_CLI_BENCH_STREAM_H
#define MCAST_CLI_BENCH_STREAM_H

#include "mcast.h"

#include <stddef.h>
#include <stdint.h>

#define RTP_HDR_LEN 12
#define TS_LEN	    188

/* MPEG-TS datagrams 0, 32, 64, ... of 3 or more packets carry the PAT and
 * the PMT: at 1000 datagrams/s, a low IPTV rate, every 32 ms, within
 * TR 101 290's 0.5 s. */
#define BENCH_PSI_EVERY 32

/* Fill datagram seq (size bytes at p) of stream type stream: an RTP
 * header (payload type 33 over MPEG-TS, else 96) and, for MPEG-TS,
 * 188-byte packets - the tables every BENCH_PSI_EVERY datagrams, else of
 * PID 0x100, a PES packet per datagram - whose continuity counters run on
 * from the previous datagram's. */
void bench_stream_stamp(int stream, unsigned char *p, size_t size,
			uint64_t seq);

/* The type named "mcast", "rtp", "ts" or "rtp-ts"; -1 for another name. */
int bench_stream_type(const char *name);

#endif /* MCAST_CLI_BENCH_STREAM_H */
