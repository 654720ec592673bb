/* SPDX-License-Identifier: MIT */
/*
 * Feeds with a sequence number field (docs/STREAMS.md, "Sequence
 * fields"): the spec's text form, reading the field, and accounting each
 * sender's numbers - or, with a message count, each message's - through
 * the probe tracker's bitmap (mc_sequence()), so loss, duplicates and
 * reordering are exact as for probes.  Also the runs of numbers an RTP
 * session restarts (mc_seq_restart()), whose expected counts live on.
 */
#include "stream_internal.h"

#include <errno.h>
#include <string.h>

/* Messages one datagram may say it holds: more is not a real feed
 * (MoldUDP64's count has 16 bits) and would cost a loop per datagram. */
#define MC_SEQ_COUNT_MAX 65535

/* ---------------------------------------------------------------- */
/* Sequence-field specs                                              */

bool mc_seq_width_ok(unsigned w)
{
	return w == 1 || w == 2 || w == 4 || w == 8;
}

/* A decimal of at most 5 digits up to 65535; *pp moves past it. */
static bool mc_parse_num(const char **pp, unsigned *out)
{
	const char *p = *pp;
	unsigned v = 0, n = 0;

	while (*p >= '0' && *p <= '9' && n < 6) {
		v = v * 10 + (unsigned)(*p++ - '0');
		n++;
	}
	if (n == 0 || n > 5 || v > 65535)
		return false;
	*pp = p;
	*out = v;
	return true;
}

int mcast_seq_spec_parse(const char *text, struct mcast_seq_spec *out)
{
	struct mcast_seq_spec s = { 0 };
	const char *p = text;

	if (!text || !out)
		return -EINVAL;
	if (strncmp(p, "seq:", 4) == 0)
		p += 4;
	if (!mc_parse_num(&p, &s.offset) || *p++ != ':' ||
	    !mc_parse_num(&p, &s.width) || !mc_seq_width_ok(s.width))
		return -EINVAL;
	if (strncmp(p, ":be", 3) == 0 || strncmp(p, ":le", 3) == 0) {
		s.little_endian = p[1] == 'l';
		p += 3;
	}
	if (strncmp(p, ":count=", 7) == 0) {
		p += 7;
		s.has_count = 1;
		if (!mc_parse_num(&p, &s.count_offset) || *p++ != ':' ||
		    !mc_parse_num(&p, &s.count_width) ||
		    !mc_seq_width_ok(s.count_width))
			return -EINVAL;
	}
	if (*p)
		return -EINVAL;
	*out = s;
	return 0;
}

/* An unsigned field of w bytes at p, in the spec's byte order. */
static uint64_t mc_field(const uint8_t *p, unsigned w, bool le)
{
	uint64_t v = 0;

	for (unsigned k = 0; k < w; k++)
		v = v << 8 | p[le ? w - 1 - k : k];
	return v;
}

/* ---------------------------------------------------------------- */
/* Runs of numbers                                                   */

void mc_seq_restart(struct mcast_tracker *t, uint32_t i)
{
	struct mc_entry *e = mc_entry(t, i);

	if (e->have_seq)
		e->prior += e->max_seq - e->first_seq + 1;
	e->have_seq = false;
	e->announced = 0;
	memset(mc_bits(t, i), 0, t->words * sizeof(*t->bits));
}

/* Sequence numbers expected of a stream entry: the earlier runs', and the
 * current run's up to the newest number received or announced. */
uint64_t mc_stream_expected(const struct mc_entry *e)
{
	uint64_t hi, run;

	if (e->it.key.kind == MCAST_STREAM_TS)
		return e->received;
	if (!e->have_seq)
		return e->prior;
	hi = e->max_seq;
	if (e->announced && e->announced - 1 > hi)
		hi = e->announced - 1;
	/* 8-byte numbers may span the whole range: saturate, as stats.c. */
	run = hi - e->first_seq == UINT64_MAX ? UINT64_MAX
					      : hi - e->first_seq + 1;
	return run > UINT64_MAX - e->prior ? UINT64_MAX : e->prior + run;
}

/* A number of w bytes on the stream's line of extended numbers: a
 * narrow field wraps, so it is placed within half its range of the
 * newest number (the first one a whole range up, so that reordering
 * before it stays above 0); 8-byte numbers are taken as they are. */
static uint64_t mc_seq_extend(const struct mc_entry *e, uint64_t raw,
			      unsigned w)
{
	uint64_t mod, d;

	if (w >= 8)
		return raw;
	mod = 1ull << 8 * w;
	if (!e->have_seq)
		return raw + mod;
	d = (raw - e->max_seq) & (mod - 1);
	return d < mod / 2 ? e->max_seq + d : e->max_seq - (mod - d);
}

/* Numbers first..last through the bitmap one by one; returns the new
 * ones. */
static uint64_t mc_seq_each(struct mcast_tracker *t, uint32_t i, uint64_t first,
			    uint64_t last)
{
	struct mc_entry *e = mc_entry(t, i);
	uint64_t fresh = 0;

	for (uint64_t s = first;; s++) {
		if (mc_sequence(t, i, s)) {
			e->received++;
			fresh++;
		} else {
			e->duplicates++;
		}
		if (s == last)
			return fresh;
	}
}

/*
 * Account count (>= 1) numbers from seq as mc_sequence() would one by
 * one, in at most about two windows of steps whatever the count: numbers
 * older than the window are late arrivals by arithmetic, and of a run
 * ahead of max_seq only the last window's numbers can ever be looked up
 * again.  Returns the new ones.
 */
static uint64_t mc_seq_range(struct mcast_tracker *t, uint32_t i, uint64_t seq,
			     uint64_t count)
{
	struct mc_entry *e = mc_entry(t, i);
	uint64_t last =
		seq > UINT64_MAX - (count - 1) ? UINT64_MAX : seq + count - 1;
	uint64_t fresh = 0, n, stop;

	if (!e->have_seq) {
		fresh += mc_seq_each(t, i, seq, seq);
		if (seq++ == last)
			return fresh;
	}
	if (e->max_seq >= t->window && seq <= e->max_seq - t->window) {
		stop = last < e->max_seq - t->window ? last
						     : e->max_seq - t->window;
		n = stop - seq + 1;
		e->received += n;
		e->reordered += n;
		e->late += n;
		if (seq < e->first_seq)
			e->first_seq = seq;
		fresh += n;
		if (stop == last)
			return fresh;
		seq = stop + 1;
	}
	if (seq <= e->max_seq) {
		stop = last < e->max_seq ? last : e->max_seq;
		fresh += mc_seq_each(t, i, seq, stop);
		if (stop == last)
			return fresh;
		seq = stop + 1;
	}
	if (last - seq >= t->window) {
		n = last - seq + 1 - t->window;
		e->received += n;
		fresh += n;
		seq += n;
	}
	return fresh + mc_seq_each(t, i, seq, last);
}

/*
 * A sequence field: each datagram holds one number, or with a count,
 * count numbers from its own.  A count of 0 (or all ones, MoldUDP64's
 * end of session) is a heartbeat naming the next number: what was sent
 * before it is expected even when none of it arrived after the last.
 */
int mc_feed_seq(struct mcast_tracker *t, const uint8_t *p, size_t len,
		const struct mcast_meta *meta)
{
	const struct mcast_seq_spec *sp = &t->st->seq;
	struct timespec ts = mc_arrival(meta);
	uint64_t seq, count = 1, fresh = 0, ones;
	struct mc_entry *e;
	uint32_t i;

	if ((size_t)sp->offset + sp->width > len ||
	    (sp->has_count && (size_t)sp->count_offset + sp->count_width > len))
		return mc_malformed(t, MCAST_ESHORT);
	seq = mc_field(p + sp->offset, sp->width, sp->little_endian);
	if (sp->has_count) {
		count = mc_field(p + sp->count_offset, sp->count_width,
				 sp->little_endian);
		ones = sp->count_width == 8 ? UINT64_MAX
					    : (1ull << 8 * sp->count_width) - 1;
		if (count == ones)
			count = 0;
	}
	if (count > MC_SEQ_COUNT_MAX)
		return mc_malformed(t, MCAST_EMALFORMED);
	i = mc_stream_entry(t, meta, MCAST_STREAM_SEQ, NULL);
	e = mc_entry(t, i);
	mc_arrived(t, e, &ts);
	seq = mc_seq_extend(e, seq, sp->width);
	if (count == 0) {
		if (seq > e->announced)
			e->announced = seq;
		e->bytes += meta->len;
		return MCAST_FEED_OTHER;
	}
	fresh = count == 1 ? mc_seq_each(t, i, seq, seq)
			   : mc_seq_range(t, i, seq, count);
	if (!fresh)
		return MCAST_FEED_DUP;
	e->bytes += meta->len;
	return MCAST_FEED_STREAM;
}
