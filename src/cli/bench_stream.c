/* SPDX-License-Identifier: MIT */
/* mcast bench --stream: datagrams of RTP and MPEG-TS, as IPTV sends. */
#include "bench_stream.h"
#include "cli.h"

#include <string.h>

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
	uint64_t cc = seq * ((size - off) / TS_LEN);

	for (; off + TS_LEN <= size; off += TS_LEN, cc++) {
		p[off] = 0x47;
		p[off + 1] = 0x01;
		p[off + 2] = 0x00;
		p[off + 3] = (unsigned char)(0x10 | (cc & 15));
	}
}

void bench_stream_parse(void *field, const char *value)
{
	static const int types[] = { MCAST_STREAM_MCAST, MCAST_STREAM_RTP,
				     MCAST_STREAM_TS, MCAST_STREAM_RTP_TS };

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(value, mcast_stream_name(types[i])) == 0) {
			*(int *)field = types[i];
			return;
		}
	cli_bad_value("--stream", value, "mcast, rtp, ts or rtp-ts");
}
