/* SPDX-License-Identifier: MIT */
/*
 * feed.h - what the tracker fuzzers share: reading the input as fields,
 * and the made-up senders and groups their datagrams come from.
 */
#ifndef MCAST_FUZZ_FEED_H
#define MCAST_FUZZ_FEED_H

#include "fuzz.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

struct reader {
	const uint8_t *p;
	size_t n;
};

/* The next bytes as a big-endian number; zeros once the input ends. */
static inline unsigned take(struct reader *r, unsigned bytes)
{
	unsigned v = 0;

	for (unsigned i = 0; i < bytes; i++) {
		v <<= 8;
		if (r->n) {
			v |= *r->p++;
			r->n--;
		}
	}
	return v;
}

/* Up to len bytes of input into buf; returns how many there were. */
static inline size_t take_bytes(struct reader *r, uint8_t *buf, size_t len)
{
	if (len > r->n)
		len = r->n;
	memcpy(buf, r->p, len);
	r->p += len;
	r->n -= len;
	return len;
}

static inline void set_v4(struct sockaddr_storage *ss, uint32_t addr,
			  uint16_t port)
{
	struct sockaddr_in *s = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	s->sin_family = AF_INET;
	s->sin_addr.s_addr = htonl(addr);
	s->sin_port = htons(port);
}

/* One of four senders: two ports of one host, another host, IPv6. */
static inline void set_source(struct sockaddr_storage *ss, unsigned which)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	switch (which & 3) {
	case 0:
		set_v4(ss, 0x0a000001, 1000);
		break;
	case 1:
		set_v4(ss, 0x0a000001, 1001);
		break;
	case 2:
		set_v4(ss, 0x0a000002, 1000);
		break;
	default:
		memset(ss, 0, sizeof(*ss));
		s6->sin6_family = AF_INET6;
		s6->sin6_addr.s6_addr[0] = 0xfe;
		s6->sin6_addr.s6_addr[1] = 0x80;
		s6->sin6_addr.s6_addr[15] = 1;
		s6->sin6_port = htons(1000);
		break;
	}
}

/* Metadata of a datagram from sender ctl & 3 to one of two groups, its
 * arrival moved by a signed 16-bit number of ms from the input (clocks
 * and queues do step back) when ctl & 0x20. */
static inline void feed_meta(struct mcast_meta *meta, struct reader *r,
			     unsigned ctl, uint64_t *clock_ns)
{
	static const uint32_t groups[2] = { 0xef010203, 0xef010204 };

	mcast_meta_init(meta);
	set_source(&meta->src, ctl);
	set_v4(&meta->dst, groups[(ctl >> 2) & 1], 5000);
	meta->flags = MCAST_META_DST;
	if (ctl & 0x20) {
		*clock_ns += (uint64_t)(int64_t)(int16_t)take(r, 2) * 1000000;
		meta->flags |= MCAST_META_TS;
		meta->ts.tv_sec = (time_t)(*clock_ns / 1000000000u);
		meta->ts.tv_nsec = (long)(*clock_ns % 1000000000u);
	}
}

/* The per-PID counters of entry which (of the live ones) add up to its
 * TS packets.  One entry per input: asking all 8192 PIDs of every entry
 * would take most of the fuzzer's time. */
static inline int check_pids(const mcast_tracker_t *t, size_t which)
{
	struct mcast_stream_stats s = { .size = sizeof(s) };
	struct mcast_pid_stats d = { .size = sizeof(d) };
	size_t n = mcast_tracker_count(t), i;
	uint64_t packets = 0;
	unsigned pids = 0;

	if (!n)
		return 0;
	i = which % n;
	if (mcast_tracker_get(t, i, &s) != 0)
		return -1;
	if (!s.ts_pids && !s.ts_packets)
		return 0; /* no PIDs: 8192 lookups would say so */
	for (unsigned pid = 0; pid < 8192; pid++) {
		int rc = mcast_tracker_get_pid(t, i, pid, &d);

		if (rc == -ENOENT)
			continue;
		if (rc != 0 || d.pid != pid)
			return -1;
		packets += d.packets;
		pids++;
	}
	return pids == s.ts_pids && packets + s.ts_pid_overflow == s.ts_packets
		       ? 0
		       : -1;
}

#endif /* MCAST_FUZZ_FEED_H */
