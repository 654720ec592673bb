/* SPDX-License-Identifier: MIT */
/*
 * alloc_count: does libmcast allocate per datagram?  A receiver (with a
 * stream tracker) and a sender in one thread, in lock step over lo: send
 * a batch of probes built with mcast_hdr_encode(), receive the batch,
 * feed every datagram to the tracker.  Linked with
 *   -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free
 * so every allocation the library (and this file) makes is counted.
 * Allocations glibc makes inside itself on the library's behalf are not
 * wrapped; mallinfo2()'s bytes in use catch those that stay allocated.
 * The counts are read after setup, after 10k and after N datagrams
 * (default 1M); nothing is printed in between (stdio allocates).
 *
 * usage: alloc_count [-n DATAGRAMS] [-s SIZE] [-t TYPE] [-g] [-G] [-j]
 *   -g receives with UDP_GRO, -G sends with UDP_SEGMENT; -t rtp, ts or
 *   rtp-ts sends the datagrams of mcast bench --stream TYPE (1328 bytes,
 *   ts 1316) and the tracker analyzes them as recv --stream TYPE does.
 * Only ever run it inside a private network namespace (compare.sh does):
 * it sends to 239.255.77.79:7779 on lo.
 */
#define _GNU_SOURCE
#include <mcast.h>

#include "alloc_wrap.h"

#include "bench_stream.h"

#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define GROUP "239.255.77.79:7779"
#define BATCH 64
#define CAP   2048

struct snap {
	unsigned long long allocs, frees, datagrams;
	size_t in_use;
};

static struct snap take(unsigned long long datagrams)
{
	struct mallinfo2 mi = mallinfo2();

	/* uordblks: heap chunks in use; hblkhd: large blocks mmap()ed */
	return (struct snap){ allocs, frees, datagrams,
			      mi.uordblks + mi.hblkhd };
}

static void die(const char *what, int rc, const mcast_t *m)
{
	fprintf(stderr, "alloc_count: %s: %s%s%s\n", what, mcast_strerror(rc),
		m ? ": " : "", m ? mcast_errmsg(m) : "");
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	static unsigned char txbuf[BATCH][CAP], rxbuf[BATCH][CAP];
	struct mcast_dgram tx[BATCH], rx[BATCH];
	struct mcast_meta meta[BATCH];
	struct mcast_hdr h = { .type = MCAST_MSG_DATA, .ttl = 1 };
	struct sockaddr_storage group;
	struct mcast_opts o;
	mcast_t *snd = NULL, *rcv = NULL;
	mcast_tracker_t *trk = NULL;
	unsigned long long total = 1000000, sent = 0, got = 0, waits = 0;
	size_t size = 64;
	struct snap s[3];
	int json = 0, gro = 0, gso = 0, k = 0, rc, c;
	int stream = MCAST_STREAM_MCAST;
	struct mcast_tracker_opts topts;

	while ((c = getopt(argc, argv, "n:s:t:gGj")) != -1) {
		switch (c) {
		case 'n':
			total = strtoull(optarg, NULL, 10);
			break;
		case 's':
			size = (size_t)atoi(optarg);
			break;
		case 'g':
			gro = 1;
			break;
		case 'G':
			gso = 1;
			break;
		case 't':
			if ((stream = bench_stream_type(optarg)) <=
			    MCAST_STREAM_MCAST) {
				fprintf(stderr,
					"alloc_count: -t rtp, ts or rtp-ts\n");
				return 2;
			}
			if (size == 64)
				size = (stream == MCAST_STREAM_TS
						? 0
						: RTP_HDR_LEN) +
				       7 * TS_LEN;
			break;
		case 'j':
			json = 1;
			break;
		default:
			fprintf(stderr,
				"usage: alloc_count [-n DATAGRAMS] [-s SIZE] [-t TYPE] [-g] [-G] [-j]\n");
			return 2;
		}
	}
	if (total < 10000 || size < MCAST_WIRE_HDR_LEN || size > CAP) {
		fprintf(stderr, "alloc_count: -n >= 10000, -s 48..%d\n", CAP);
		return 2;
	}

	/* Setup: everything a long-running receiver and sender open. */
	if ((rc = mcast_addr_parse(GROUP, MCAST_PARSE_GROUP | MCAST_PARSE_PORT,
				   &group)) < 0)
		die("parse", rc, NULL);
	mcast_opts_init(&o);
	o.iface = "lo";
	o.rcvbuf = 4 << 20;
	o.flags = gro ? MCAST_OPT_GRO : 0;
	if ((rc = mcast_receiver_open(&rcv, &o)) < 0)
		die("receiver", rc, NULL);
	if ((rc = mcast_join(rcv, (struct sockaddr *)&group, NULL, 0)) < 0)
		die("join", rc, rcv);
	mcast_tracker_opts_init(&topts);
	topts.stream = stream;
	if ((rc = mcast_tracker_new(&trk, &topts)) < 0)
		die("tracker", rc, NULL);
	mcast_opts_init(&o);
	o.iface = "lo";
	o.loop = 1;
	o.flags = gso ? MCAST_OPT_GSO : 0;
	mcast_addr_parse("127.0.0.1", MCAST_PARSE_UNICAST, &o.bind);
	if ((rc = mcast_sender_open(&snd, (struct sockaddr *)&group, &o)) < 0)
		die("sender", rc, NULL);
	if ((rc = mcast_session_new(h.session)) < 0)
		die("session", rc, NULL);
	h.payload_len = (uint16_t)(size - MCAST_WIRE_HDR_LEN);
	for (int i = 0; i < BATCH; i++) {
		tx[i] = (struct mcast_dgram){ .buf = txbuf[i], .len = size };
		rx[i] = (struct mcast_dgram){ .buf = rxbuf[i],
					      .cap = CAP,
					      .meta = &meta[i] };
	}
	s[k++] = take(0);

	/* Steady state: send a batch, take it all back, account it. */
	while (got < total) {
		size_t n =
			total - sent < BATCH ? (size_t)(total - sent) : BATCH;
		unsigned long long want;

		for (size_t i = 0; i < n; i++) {
			if (stream != MCAST_STREAM_MCAST) {
				bench_stream_stamp(stream, txbuf[i], size,
						   sent + i);
				continue;
			}
			h.seq = sent + i;
			h.send_ns = now_ns();
			mcast_hdr_encode(&h, txbuf[i], CAP);
		}
		if ((rc = mcast_send_batch(snd, tx, n)) < 0)
			die("send", rc, snd);
		sent += (unsigned long long)rc;
		want = sent;
		while (got < want) {
			for (int i = 0; i < BATCH; i++)
				mcast_meta_init(&meta[i]);
			rc = mcast_recv_batch(rcv, rx, BATCH, 1000);
			if (rc < 0)
				die("receive", rc, rcv);
			if (rc == 0) {
				fprintf(stderr,
					"alloc_count: %llu of %llu datagrams lost on lo\n",
					want - got, want);
				return 1;
			}
			waits++;
			for (int i = 0; i < rc; i++)
				if (mcast_tracker_feed(trk, rx[i].buf,
						       rx[i].len, &meta[i]) < 0)
					die("feed", rc, NULL);
			got += (unsigned long long)rc;
		}
		if (k == 1 && got >= 10000)
			s[k++] = take(got);
	}
	s[k++] = take(got);

	struct mcast_stream_stats tot = { .size = sizeof(tot) };

	mcast_tracker_totals(trk, &tot);
	mcast_tracker_free(trk);
	mcast_close(snd);
	mcast_close(rcv);
	if (json) {
		printf("{\"type\":\"alloc_count\",\"stream\":\"%s\","
		       "\"size\":%zu,\"gro\":%s,\"gso\":%s",
		       mcast_stream_name(stream), size, gro ? "true" : "false",
		       gso ? "true" : "false");
		for (int i = 0; i < 3; i++)
			printf(",\"at_%llu\":{\"allocs\":%llu,\"frees\":%llu,"
			       "\"in_use\":%zu}",
			       s[i].datagrams, s[i].allocs, s[i].frees,
			       s[i].in_use);
		printf(",\"received\":%llu,\"lost\":%llu,\"duplicates\":%llu}\n",
		       (unsigned long long)tot.received,
		       (unsigned long long)tot.lost,
		       (unsigned long long)tot.duplicates);
	} else {
		for (int i = 0; i < 3; i++)
			printf("after %8llu datagrams: %llu allocations, %llu frees, %zu bytes in use\n",
			       s[i].datagrams, s[i].allocs, s[i].frees,
			       s[i].in_use);
		printf("tracker: %llu received, %llu lost, %llu duplicates (%llu receive calls)\n",
		       (unsigned long long)tot.received,
		       (unsigned long long)tot.lost,
		       (unsigned long long)tot.duplicates, waits);
	}
	return s[1].allocs == s[2].allocs && s[1].frees == s[2].frees ? 0 : 1;
}
