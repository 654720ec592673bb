/* SPDX-License-Identifier: MIT */
/*
 * stream_cost: what the stream analysis alone costs per datagram, without
 * sockets or the kernel: the datagrams of mcast bench --stream TYPE (it
 * links src/cli/bench_stream.c) fed to a tracker that analyzes them, and
 * to one that counts them as plain datagrams (--no-analysis's tracker),
 * in alternating rounds.  Figures are the thread's CPU time per datagram,
 * the median of the rounds: a shared machine moves them far less than
 * the rates bench/compare.sh measures through the kernel, whose rows on
 * and off differ by this cost plus noise.
 *
 * usage: stream_cost [-t rtp|ts|rtp-ts] [-r ROUNDS] [-n DATAGRAMS] [-j]
 */
#define _GNU_SOURCE
#include <mcast.h>

#include "bench_stream.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define POOL 4096 /* distinct datagrams, re-stamped between rounds */
#define CAP  2048

static unsigned char pool[POOL][CAP];

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* CPU ns per datagram of n datagrams, numbered from *seq on, through a
 * fresh tracker of type `type` (set up outside the timing). */
static double one_round(int stream, int type, size_t size, unsigned long n,
			uint64_t *seq, struct mcast_meta *meta)
{
	struct mcast_tracker_opts o;
	mcast_tracker_t *t;
	double t0, cpu = 0;

	mcast_tracker_opts_init(&o);
	o.stream = type;
	if (mcast_tracker_new(&t, &o) < 0) {
		fprintf(stderr, "stream_cost: cannot allocate a tracker\n");
		exit(1);
	}
	for (unsigned long done = 0; done < n; done += POOL) {
		unsigned long k = n - done < POOL ? n - done : POOL;

		for (unsigned long i = 0; i < k; i++)
			bench_stream_stamp(stream, pool[i], size, *seq + i);
		t0 = cpu_now();
		for (unsigned long i = 0; i < k; i++) {
			/* 100 us apart: 10k datagrams/s of arrival times */
			meta->ts.tv_nsec += 100000;
			if (meta->ts.tv_nsec >= 1000000000) {
				meta->ts.tv_nsec -= 1000000000;
				meta->ts.tv_sec++;
			}
			mcast_tracker_feed(t, pool[i], size, meta);
		}
		cpu += cpu_now() - t0;
		*seq += k;
	}
	mcast_tracker_free(t);
	return cpu / (double)n * 1e9;
}

int main(int argc, char **argv)
{
	int stream = MCAST_STREAM_TS, rounds = 9, json = 0, c;
	unsigned long n = 200000;
	struct mcast_meta meta;
	struct sockaddr_in *dst = (struct sockaddr_in *)&meta.dst;
	struct sockaddr_in *src = (struct sockaddr_in *)&meta.src;
	uint64_t seq = 0;

	while ((c = getopt(argc, argv, "t:r:n:j")) != -1) {
		switch (c) {
		case 't':
			if ((stream = bench_stream_type(optarg)) <=
			    MCAST_STREAM_MCAST)
				goto usage;
			break;
		case 'r':
			rounds = atoi(optarg);
			break;
		case 'n':
			n = strtoul(optarg, NULL, 10);
			break;
		case 'j':
			json = 1;
			break;
		default:
			goto usage;
		}
	}
	if (rounds < 1 || rounds > 99 || n < 1000)
		goto usage;
	size_t size =
		(stream == MCAST_STREAM_TS ? 0 : RTP_HDR_LEN) + 7 * TS_LEN;
	double *on = calloc((size_t)rounds, sizeof(*on));
	double *off = calloc((size_t)rounds, sizeof(*off));

	if (!on || !off)
		return 1;
	mcast_meta_init(&meta);
	meta.flags = MCAST_META_DST | MCAST_META_TS;
	dst->sin_family = src->sin_family = AF_INET;
	dst->sin_addr.s_addr = htonl(0xeffe4d4du); /* 239.254.77.77 */
	dst->sin_port = htons(7777);
	src->sin_addr.s_addr = htonl(0x7f000001u);
	src->sin_port = htons(40000);
	meta.ts.tv_sec = 1800000000;
	/* Rounds alternate which goes first, so that neither always meets a
	 * cold cache or the other's leftovers. */
	for (int r = 0; r < rounds; r++) {
		if (r % 2) {
			off[r] = one_round(stream, MCAST_STREAM_NONE, size, n,
					   &seq, &meta);
			on[r] = one_round(stream, stream, size, n, &seq, &meta);
		} else {
			on[r] = one_round(stream, stream, size, n, &seq, &meta);
			off[r] = one_round(stream, MCAST_STREAM_NONE, size, n,
					   &seq, &meta);
		}
	}
	qsort(on, (size_t)rounds, sizeof(*on), cmp);
	qsort(off, (size_t)rounds, sizeof(*off), cmp);
	double m_on = on[rounds / 2], m_off = off[rounds / 2];

	if (json)
		printf("{\"type\":\"stream_cost\",\"stream\":\"%s\",\"size\":%zu,"
		       "\"rounds\":%d,\"datagrams\":%lu,\"on_ns\":%.1f,"
		       "\"off_ns\":%.1f,\"on_min_ns\":%.1f,\"on_max_ns\":%.1f}\n",
		       mcast_stream_name(stream), size, rounds, n, m_on, m_off,
		       on[0], on[rounds - 1]);
	else
		printf("%s, %zu-byte datagrams, %d rounds of %lu: analysis %.1f ns per datagram (%.1f-%.1f), plain counting %.1f ns\n",
		       mcast_stream_name(stream), size, rounds, n, m_on, on[0],
		       on[rounds - 1], m_off);
	free(on);
	free(off);
	return 0;
usage:
	fprintf(stderr,
		"usage: stream_cost [-t rtp|ts|rtp-ts] [-r 1-99] [-n DATAGRAMS>=1000] [-j]\n");
	return 2;
}
