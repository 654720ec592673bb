/* SPDX-License-Identifier: MIT */
/*
 * fuzz_seq.c - sequence-field specs (mcast_seq_spec_parse()) and feeds
 * (src/lib/seqfield.c).  The input up to its first newline is a spec; when
 * it parses (and else MoldUDP64's), each following record is a datagram
 * from one of four senders, raw bytes.  Besides crashes: a spec that
 * parses is a valid one, and the table holds no more entries than given.
 */
#include "feed.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reader r = { data, size };
	struct mcast_tracker_opts o;
	struct mcast_stream_stats tot = { .size = sizeof(tot) };
	uint64_t clock_ns = 1700000000000000000ull;
	uint8_t buf[1500];
	char text[64];
	size_t n = 0;
	mcast_tracker_t *t;

	while (r.n && *r.p != '\n' && n < sizeof(text) - 1)
		text[n++] = (char)take(&r, 1);
	text[n] = 0;
	take(&r, 1);
	mcast_tracker_opts_init(&o);
	o.stream = MCAST_STREAM_SEQ;
	o.max_sessions = 2;
	o.window = 64;
	if (mcast_seq_spec_parse(text, &o.seq) == 0) {
		const struct mcast_seq_spec *s = &o.seq;

		if ((s->width != 1 && s->width != 2 && s->width != 4 &&
		     s->width != 8) ||
		    s->offset > 65535)
			abort();
	} else if (mcast_seq_spec_parse("seq:10:8:be:count=18:2", &o.seq)) {
		abort();
	}
	if (mcast_tracker_new(&t, &o) != 0)
		abort();
	while (r.n) {
		struct mcast_meta meta;
		unsigned ctl = take(&r, 1);

		feed_meta(&meta, &r, ctl, &clock_ns);
		meta.len = take_bytes(&r, buf, take(&r, 1));
		mcast_tracker_feed(t, buf, meta.len, &meta);
		if (mcast_tracker_count(t) > o.max_sessions)
			abort();
	}
	if (mcast_tracker_totals(t, &tot) != 0)
		abort();
	mcast_tracker_free(t);
	return 0;
}
