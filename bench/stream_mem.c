/* SPDX-License-Identifier: MIT */
/*
 * stream_mem: how much memory a tracker's stream analyzers hold at their
 * bounds - 1024 sessions and 8192 MPEG-TS PIDs (issue #16), or -S and
 * -P - and that filling them allocates nothing.  No sockets: crafted
 * datagrams from S sources go straight to mcast_tracker_feed(), each
 * session with P/S PIDs, then as many rounds again in steady state, then
 * one session and one PID beyond the bounds, which must be counted
 * (retired, ts_pid_overflow), not grow the tables.  Linked with
 *   -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free
 * like alloc_count.  The figures: heap in use (mallinfo2) and VmRSS
 * before the tracker, after mcast_tracker_new(), after filling, after
 * the steady rounds.
 *
 * usage: stream_mem [-t rtp|ts|rtp-ts] [-S SESSIONS] [-P PIDS] [-j]
 */
#define _GNU_SOURCE
#include <mcast.h>

#include "alloc_wrap.h"
#include "bench_stream.h"

#include <arpa/inet.h>
#include <malloc.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ROUNDS 8 /* datagrams per session while filling: 56 TS packets */

struct snap {
	unsigned long long allocs;
	size_t heap, rss;
};

static size_t rss_bytes(void)
{
	char line[256];
	size_t kb = 0;
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %zu kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb * 1024;
}

static struct snap take(void)
{
	struct mallinfo2 mi = mallinfo2();
	struct snap s = { allocs, mi.uordblks + mi.hblkhd, 0 };

	s.rss = rss_bytes(); /* stdio allocates: not counted */
	allocs = s.allocs;
	return s;
}

struct feed {
	mcast_tracker_t *t;
	int type;
	unsigned per; /* PIDs per session */
	struct mcast_meta meta;
	uint64_t clock_ns;
	unsigned long long datagrams;
};

/* Datagram `round` of session k (its own source address, and SSRC):
 * 7 TS packets cycling over the session's PIDs, counters running on. */
static void feed_one(struct feed *f, unsigned k, unsigned round,
		     unsigned extra_pid)
{
	unsigned char d[RTP_HDR_LEN + 7 * TS_LEN] = { 0 };
	struct sockaddr_in *src = (struct sockaddr_in *)&f->meta.src;
	size_t off = 0;

	src->sin_addr.s_addr = htonl(0x0a000000u + k);
	if (f->type != MCAST_STREAM_TS) {
		d[0] = 0x80;
		d[1] = f->type == MCAST_STREAM_RTP_TS ? 33 : 96;
		d[2] = (unsigned char)(round >> 8);
		d[3] = (unsigned char)round;
		d[7] = (unsigned char)(round * 90);
		d[6] = (unsigned char)((round * 90) >> 8);
		d[8] = (unsigned char)(k >> 24);
		d[9] = (unsigned char)(k >> 16);
		d[10] = (unsigned char)(k >> 8);
		d[11] = (unsigned char)k;
		off = RTP_HDR_LEN;
	}
	if (f->type != MCAST_STREAM_RTP)
		for (unsigned j = 0; j < 7; j++, off += TS_LEN) {
			unsigned n = round * 7 + j;
			unsigned pid =
				extra_pid ? extra_pid : 0x100 + n % f->per;
			unsigned cc = n / f->per;

			d[off] = 0x47;
			d[off + 1] = (unsigned char)(pid >> 8);
			d[off + 2] = (unsigned char)pid;
			d[off + 3] = (unsigned char)(0x10 | (cc & 15));
		}
	f->clock_ns += 10000;
	f->meta.ts.tv_sec = (time_t)(f->clock_ns / 1000000000u);
	f->meta.ts.tv_nsec = (long)(f->clock_ns % 1000000000u);
	mcast_tracker_feed(f->t, d, off, &f->meta);
	f->datagrams++;
}

int main(int argc, char **argv)
{
	struct mcast_tracker_opts o;
	struct mcast_stream_stats tot;
	struct feed f = { .type = MCAST_STREAM_RTP_TS };
	struct sockaddr_in *dst = (struct sockaddr_in *)&f.meta.dst;
	struct sockaddr_in *src = (struct sockaddr_in *)&f.meta.src;
	unsigned sessions = 1024, pids = 8192;
	struct snap s[4];
	int json = 0, c, rc;

	while ((c = getopt(argc, argv, "t:S:P:j")) != -1) {
		switch (c) {
		case 't':
			if ((f.type = bench_stream_type(optarg)) <=
			    MCAST_STREAM_MCAST)
				goto usage;
			break;
		case 'S':
			sessions = (unsigned)atoi(optarg);
			break;
		case 'P':
			pids = (unsigned)atoi(optarg);
			break;
		case 'j':
			json = 1;
			break;
		default:
			goto usage;
		}
	}
	if (sessions < 1 || sessions > 65536 || pids < sessions || pids > 65536)
		goto usage;
	f.per = pids / sessions;
	if (f.per > 0x1000)
		goto usage;

	mcast_meta_init(&f.meta);
	f.meta.flags = MCAST_META_DST | MCAST_META_TS;
	dst->sin_family = AF_INET;
	dst->sin_addr.s_addr = htonl(0xef010101u); /* 239.1.1.1 */
	dst->sin_port = htons(5000);
	src->sin_family = AF_INET;
	src->sin_port = htons(5000);
	f.clock_ns = 1800000000ull * 1000000000u;

	s[0] = take();
	mcast_tracker_opts_init(&o);
	o.stream = f.type;
	o.max_sessions = sessions;
	o.max_pids = pids;
	if ((rc = mcast_tracker_new(&f.t, &o)) < 0) {
		fprintf(stderr, "stream_mem: tracker: %s\n",
			mcast_strerror(rc));
		return 1;
	}
	s[1] = take();
	for (unsigned r = 0; r < ROUNDS; r++)
		for (unsigned k = 0; k < sessions; k++)
			feed_one(&f, k, r, 0);
	s[2] = take();
	unsigned long long filled = f.datagrams;

	for (unsigned r = ROUNDS; r < 2 * ROUNDS; r++)
		for (unsigned k = 0; k < sessions; k++)
			feed_one(&f, k, r, 0);
	s[3] = take();
	unsigned long long steady = f.datagrams - filled;
	size_t live = mcast_tracker_count(f.t);

	/* Beyond the bounds: a PID more in session 0, a session more. */
	mcast_stream_stats_init(&tot);
	mcast_tracker_totals(f.t, &tot);
	uint64_t over0 = tot.ts_pid_overflow, retired0 = tot.retired;

	if (f.type != MCAST_STREAM_RTP)
		feed_one(&f, 0, 2 * ROUNDS, 0x1ff0);
	for (unsigned r = 0; r < 4; r++)
		feed_one(&f, sessions, r, 0);
	mcast_stream_stats_init(&tot);
	mcast_tracker_totals(f.t, &tot);
	mcast_tracker_free(f.t);

	size_t heap = s[1].heap - s[0].heap;
	size_t rss = s[3].rss > s[0].rss ? s[3].rss - s[0].rss : 0;

	if (json) {
		printf("{\"type\":\"stream_mem\",\"stream\":\"%s\","
		       "\"sessions\":%u,\"pids\":%u,\"live\":%zu,"
		       "\"heap_bytes\":%zu,\"rss_growth_bytes\":%zu,"
		       "\"rss_after_new\":%zu,\"rss_filled\":%zu,"
		       "\"allocs_new\":%llu,\"allocs_fill\":%llu,"
		       "\"allocs_steady\":%llu,\"datagrams\":%llu,"
		       "\"pid_overflow\":%llu,\"retired\":%llu,"
		       "\"cc_errors\":%llu}\n",
		       mcast_stream_name(f.type), sessions, pids, live, heap,
		       rss, s[1].rss - s[0].rss, s[2].rss - s[0].rss,
		       s[1].allocs - s[0].allocs, s[2].allocs - s[1].allocs,
		       s[3].allocs - s[2].allocs, filled + steady,
		       (unsigned long long)(tot.ts_pid_overflow - over0),
		       (unsigned long long)(tot.retired - retired0),
		       (unsigned long long)tot.ts_cc_errors);
	} else {
		printf("%s tracker, %u sessions, %u PIDs (%u each): %zu live\n",
		       mcast_stream_name(f.type), sessions, pids, f.per, live);
		printf("heap allocated by mcast_tracker_new(): %.2f MiB in %llu allocations\n",
		       heap / 1048576.0, s[1].allocs - s[0].allocs);
		printf("VmRSS growth: %.2f MiB after new, %.2f MiB filled (%llu datagrams), %.2f MiB after %llu more\n",
		       (double)(s[1].rss - s[0].rss) / 1048576.0,
		       (double)(s[2].rss - s[0].rss) / 1048576.0, filled,
		       rss / 1048576.0, steady);
		printf("allocations while filling: %llu, in steady state: %llu\n",
		       s[2].allocs - s[1].allocs, s[3].allocs - s[2].allocs);
		printf("beyond the bounds: %llu TS packets of an untracked PID, %llu sessions retired\n",
		       (unsigned long long)(tot.ts_pid_overflow - over0),
		       (unsigned long long)(tot.retired - retired0));
	}
	return s[2].allocs == s[1].allocs && s[3].allocs == s[2].allocs &&
			       live == sessions
		       ? 0
		       : 1;
usage:
	fprintf(stderr,
		"usage: stream_mem [-t rtp|ts|rtp-ts] [-S SESSIONS] [-P PIDS] [-j]\n"
		"  1 <= SESSIONS <= PIDS <= 65536, PIDS/SESSIONS <= 4096\n");
	return 2;
}
