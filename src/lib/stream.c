/* SPDX-License-Identifier: MIT */
/*
 * The tracker's stream analyzers (docs/STREAMS.md): which analyzer a
 * datagram goes to (opts.stream, or per sender by auto-detection), and
 * the analyzers' share of the tracker's life and of what it reports.
 * RTP is in rtp.c, MPEG-TS in ts.c and ts_psi.c, sequence fields in
 * seqfield.c.
 *
 * Entries are the tracker's (stats_table.c): an RTP session is an entry
 * keyed by (group, source, SSRC), a TS or sequence-field stream one keyed
 * by (group, source), each with its kind in the key, so the bounded
 * table, the retirement into running sums, the first-arrival order and
 * the exact sequence accounting (mc_sequence()) are shared with mcast's
 * own probes.  Everything is allocated in mcast_tracker_new().
 */
#include "stream_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MC_DEFAULT_PIDS	       8192
#define MC_MAX_PIDS	       65536
#define MC_DEFAULT_PID_TIMEOUT 5000 /* ms, TR 101 290 1.6 */

const char *mcast_stream_name(int type)
{
	static const char *const names[] = {
		[MCAST_STREAM_MCAST] = "mcast",
		[MCAST_STREAM_AUTO] = "auto",
		[MCAST_STREAM_RTP] = "rtp",
		[MCAST_STREAM_TS] = "ts",
		[MCAST_STREAM_RTP_TS] = "rtp-ts",
		[MCAST_STREAM_SEQ] = "seq",
		[MCAST_STREAM_NONE] = "none",
		[MCAST_STREAM_UNKNOWN] = "unknown",
	};

	if (type < 0 || type >= (int)(sizeof(names) / sizeof(names[0])))
		return "?";
	return names[type];
}

/* ---------------------------------------------------------------- */
/* Life cycle                                                        */

int mc_stream_new(struct mcast_tracker *t, const struct mcast_tracker_opts *o)
{
	struct mc_streams *st;
	unsigned max_pids = MC_DEFAULT_PIDS, timeout = MC_DEFAULT_PID_TIMEOUT;
	int type = MCAST_STREAM_MCAST;

	if (MC_HAS(o, stream))
		type = o->stream;
	if (type == MCAST_STREAM_MCAST)
		return 0;
	if (type < 0 || type > MCAST_STREAM_NONE)
		return -EINVAL;
	if (MC_HAS(o, max_pids) && o->max_pids)
		max_pids = o->max_pids;
	if (MC_HAS(o, pid_timeout_ms) && o->pid_timeout_ms)
		timeout = o->pid_timeout_ms;
	if (max_pids > MC_MAX_PIDS)
		return -EINVAL;
	if (type == MCAST_STREAM_SEQ &&
	    (!MC_HAS(o, seq) || !mc_seq_width_ok(o->seq.width) ||
	     (o->seq.has_count && !mc_seq_width_ok(o->seq.count_width))))
		return -EINVAL;

	st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	t->st = st;
	st->type = type;
	if (type == MCAST_STREAM_SEQ)
		st->seq = o->seq;
	if (MC_HAS(o, rtp_clock))
		st->rtp_clock = o->rtp_clock;
	st->pid_timeout_ns = (int64_t)timeout * 1000000;
	t->streams = calloc(t->entries.max, sizeof(*t->streams));
	if (!t->streams ||
	    ((type == MCAST_STREAM_TS || type == MCAST_STREAM_RTP_TS ||
	      type == MCAST_STREAM_AUTO) &&
	     mc_pids_init(&st->pids, max_pids) < 0) ||
	    (type == MCAST_STREAM_AUTO &&
	     mc_pool_init(&st->senders, t->entries.max,
			  sizeof(struct mc_sender)) < 0))
		return -ENOMEM;
	return 0;
}

void mc_stream_free(struct mcast_tracker *t)
{
	if (!t->st)
		return;
	mc_pids_free(&t->st->pids);
	mc_pool_free(&t->st->senders);
	free(t->st);
	free(t->streams);
}

/* A fresh entry i (its key set): its state starts empty.  An SSRC is a
 * session, and a new one from the same sender is counted as a restart.
 * A TS or sequence-field stream and a plain (unknown) source are a
 * session each, counted once: a sender whose entry was retired for space
 * and is heard again is not a new one (as far as the origins remember). */
void mc_stream_reset(struct mcast_tracker *t, uint32_t i)
{
	struct mc_entry *e = mc_entry(t, i);
	struct mc_stream *s = mc_stream(t, i);
	int kind = e->it.key.kind;

	memset(&s->rtp, 0, sizeof(s->rtp));
	memset(&s->ts, 0, offsetof(struct mc_ts, sec));
	s->ts.pid_head = s->ts.pid_tail = s->ts.pid_last = MC_NONE;
	if (e->it.key.is_probe)
		return; /* counted by the probe tracker */
	if (kind != MCAST_STREAM_RTP && kind != MCAST_STREAM_RTP_TS &&
	    mc_origin_first(t, &e->it.key))
		t->st->other_sessions++;
	if (!kind)
		return;
	memset(mc_bits(t, i), 0, t->words * sizeof(*t->bits));
	if ((kind == MCAST_STREAM_RTP || kind == MCAST_STREAM_RTP_TS) &&
	    mc_origin_note(t, &e->it.key))
		t->st->rtp_sessions++;
}

void mc_stream_retire(struct mcast_tracker *t, uint32_t i)
{
	const struct mc_ts *ts = &mc_stream(t, i)->ts;

	for (int c = 0; c < MC_TS_NCOUNT; c++)
		t->st->gone_ts[c] += ts->c[c];
	mc_ts_release(t, i);
}

/* ---------------------------------------------------------------- */
/* Feeding                                                           */

/* The entry of this datagram's sender for a kind (and an SSRC). */
uint32_t mc_stream_entry(struct mcast_tracker *t, const struct mcast_meta *meta,
			 int kind, const uint32_t *ssrc)
{
	uint8_t session[MCAST_SESSION_LEN] = { 0 };
	struct mc_key k;

	mc_key_make(&k, meta, NULL);
	k.kind = (uint8_t)kind;
	if (ssrc) {
		memcpy(session, ssrc, sizeof(*ssrc));
		memcpy(k.session, session, sizeof(session));
	}
	return mc_entry_for(t, &k, meta, NULL);
}

int mc_malformed(struct mcast_tracker *t, int rc)
{
	t->malformed++;
	t->st->malformed++;
	return rc;
}

static int mc_feed_rtp(struct mcast_tracker *t, const uint8_t *p,
		       const struct mc_rtp_hdr *h,
		       const struct mcast_meta *meta, int kind)
{
	struct timespec ts = mc_arrival(meta);
	int64_t now = mc_ns(&ts);
	uint32_t i = mc_stream_entry(t, meta, kind, &h->ssrc);
	int rc;

	mc_arrived(t, mc_entry(t, i), &ts);
	rc = mc_rtp_account(t, i, h, meta->len, now);
	if (rc == MCAST_FEED_STREAM && kind == MCAST_STREAM_RTP_TS && p)
		mc_ts_account(t, i, p + h->off, h->len, now);
	return rc;
}

static int mc_feed_ts(struct mcast_tracker *t, const uint8_t *p, size_t len,
		      const struct mcast_meta *meta)
{
	struct timespec ts = mc_arrival(meta);
	uint32_t i = mc_stream_entry(t, meta, MCAST_STREAM_TS, NULL);
	struct mc_entry *e = mc_entry(t, i);

	mc_arrived(t, e, &ts);
	e->received++;
	e->bytes += meta->len;
	mc_ts_account(t, i, p, len, mc_ns(&ts));
	return MCAST_FEED_STREAM;
}

/* ---------------------------------------------------------------- */
/* Auto-detection                                                    */

static bool mc_is_mcast(const uint8_t *p, size_t len)
{
	return len >= 4 && p[0] == 'M' && p[1] == 'C' && p[2] == 'S' &&
	       p[3] == 'T';
}

/* Consistent with the datagrams held: same SSRC and payload type, the
 * sequence number a little ahead. */
static bool mc_pend_fits(const struct mc_sender *s, const struct mc_rtp_hdr *h)
{
	const struct mc_rtp_hdr *last;

	if (!s->npend)
		return true;
	last = &s->pend[s->npend - 1].h;
	return h->ssrc == last->ssrc && h->pt == last->pt &&
	       (uint16_t)(h->seq - last->seq) >= 1 &&
	       (uint16_t)(h->seq - last->seq) <= 100;
}

/* The datagrams held stay what they were: plain. */
static void mc_pend_drop(struct mcast_tracker *t, struct mc_sender *s,
			 const struct mcast_meta *meta)
{
	struct mcast_meta m = *meta;

	for (unsigned k = 0; k < s->npend; k++) {
		m.len = s->pend[k].len;
		m.ts = s->pend[k].ts;
		mc_feed_plain(t, &m);
	}
	s->npend = 0;
}

/* A sender about to be forgotten for room (it may be this datagram's
 * own, unknown yet): what it held is counted plain, as a retired
 * entry's counts are, so that no datagram goes uncounted. */
static void mc_pend_evict(struct mcast_tracker *t)
{
	struct mc_pool *p = &t->st->senders;
	struct mc_sender *s;

	if (p->used < p->max)
		return;
	s = (struct mc_sender *)mc_item(p, p->tail);
	for (unsigned n = 0; n < s->npend; n++) {
		t->gone.received++;
		t->gone.bytes += s->pend[n].len;
		t->plain++;
	}
	s->npend = 0;
}

/* Decided RTP: the datagrams held are accounted first, in order. */
static int mc_pend_replay(struct mcast_tracker *t, struct mc_sender *s,
			  const uint8_t *p, const struct mc_rtp_hdr *h,
			  const struct mcast_meta *meta)
{
	struct mcast_meta m = *meta;

	for (unsigned k = 0; k < s->npend; k++) {
		m.len = s->pend[k].len;
		m.ts = s->pend[k].ts;
		mc_feed_rtp(t, NULL, &s->pend[k].h, &m, s->kind);
	}
	s->npend = 0;
	return mc_feed_rtp(t, p, h, meta, s->kind);
}

static int mc_detect(struct mcast_tracker *t, struct mc_sender *s,
		     const uint8_t *p, size_t len,
		     const struct mcast_meta *meta)
{
	struct mc_rtp_hdr h;

	if (++s->seen > MC_DETECT_MAX) {
		mc_pend_drop(t, s, meta);
		s->kind = MCAST_STREAM_UNKNOWN;
		s->decided = true;
		return mc_feed_plain(t, meta);
	}
	if (mc_is_mcast(p, len)) {
		mc_pend_drop(t, s, meta);
		s->kind = MCAST_STREAM_MCAST;
		s->decided = true;
		return MC_FEED_MCAST;
	}
	if (mc_ts_looks(p, len)) {
		mc_pend_drop(t, s, meta);
		s->kind = MCAST_STREAM_TS;
		s->decided = true;
		return mc_feed_ts(t, p, len, meta);
	}
	if (mc_rtp_parse(&h, p, len) == 0 && mc_rtp_plausible_pt(h.pt)) {
		if (!mc_pend_fits(s, &h))
			mc_pend_drop(t, s, meta);
		if (s->npend + 1 >= MC_DETECT_RTP) {
			s->kind = h.pt == 33 || mc_ts_looks(p + h.off, h.len)
					  ? MCAST_STREAM_RTP_TS
					  : MCAST_STREAM_RTP;
			s->decided = true;
			return mc_pend_replay(t, s, p, &h, meta);
		}
		s->pend[s->npend].h = h;
		s->pend[s->npend].len = meta->len;
		s->pend[s->npend].ts = mc_arrival(meta);
		s->npend++;
		return MCAST_FEED_PENDING;
	}
	mc_pend_drop(t, s, meta);
	return mc_feed_plain(t, meta);
}

/* Datagrams of a decided sender go straight to their analyzer. */
static int mc_feed_kind(struct mcast_tracker *t, int kind, const uint8_t *p,
			size_t len, const struct mcast_meta *meta)
{
	struct mc_rtp_hdr h;
	int rc;

	switch (kind) {
	case MCAST_STREAM_MCAST:
		return MC_FEED_MCAST;
	case MCAST_STREAM_RTP:
	case MCAST_STREAM_RTP_TS:
		rc = mc_rtp_parse(&h, p, len);
		if (rc < 0)
			return mc_malformed(t, MCAST_EMALFORMED);
		return mc_feed_rtp(t, p, &h, meta, kind);
	case MCAST_STREAM_TS:
		return mc_feed_ts(t, p, len, meta);
	case MCAST_STREAM_SEQ:
		return mc_feed_seq(t, p, len, meta);
	default:
		return mc_feed_plain(t, meta);
	}
}

int mc_stream_feed(struct mcast_tracker *t, const void *buf, size_t len,
		   const struct mcast_meta *meta)
{
	static const uint8_t none;
	const uint8_t *p = buf ? buf : &none;
	struct mc_sender *s;
	struct mc_key k;
	bool fresh;

	if (t->st->type != MCAST_STREAM_AUTO)
		return mc_feed_kind(t, t->st->type, p, len, meta);
	mc_key_make(&k, meta, NULL);
	mc_pend_evict(t);
	s = (struct mc_sender *)mc_item(
		&t->st->senders, mc_pool_get(t, &t->st->senders, &k, &fresh));
	if (s->decided)
		return mc_feed_kind(t, s->kind, p, len, meta);
	return mc_detect(t, s, p, len, meta);
}

/* ---------------------------------------------------------------- */
/* Reading                                                           */

static void mc_ts_out(struct mcast_stream_stats *s, const uint64_t *c)
{
	s->ts_packets += c[MC_TS_PACKETS];
	s->ts_lost += c[MC_TS_LOST];
	s->ts_cc_errors += c[MC_TS_CC];
	s->ts_duplicates += c[MC_TS_DUP];
	s->ts_tei += c[MC_TS_TEI];
	s->ts_sync_loss += c[MC_TS_SYNC_LOSS];
	s->ts_sync_byte_errors += c[MC_TS_SYNC_BYTE];
	s->ts_pat_errors += c[MC_TS_PAT];
	s->ts_pmt_errors += c[MC_TS_PMT];
	s->ts_pid_errors += c[MC_TS_PID];
	s->ts_crc_errors += c[MC_TS_CRC];
	s->ts_bad_length += c[MC_TS_BAD_LEN];
	s->ts_pid_overflow += c[MC_TS_PID_FULL];
	s->ts_ref_overflow += c[MC_TS_REF_FULL];
}

void mc_stream_get(const struct mcast_tracker *t, uint32_t i,
		   struct mcast_stream_stats *s)
{
	const struct mc_entry *e = mc_entry(t, i);
	const struct mc_stream *st;
	int kind = e->it.key.kind;

	s->payload_type = -1;
	s->stream = e->it.key.is_probe ? MCAST_STREAM_MCAST
		    : kind	       ? kind
				       : MCAST_STREAM_UNKNOWN;
	if (!kind)
		return;
	st = mc_stream(t, i);
	if (kind == MCAST_STREAM_RTP || kind == MCAST_STREAM_RTP_TS) {
		memcpy(&s->ssrc, e->it.key.session, sizeof(s->ssrc));
		s->payload_type = st->rtp.pt;
		s->clock_rate = st->rtp.rate;
		if (st->rtp.rate) {
			s->jitter_ns = st->rtp.jitter * 1e9 / st->rtp.rate;
			s->jitter_max_ns =
				st->rtp.jitter_max * 1e9 / st->rtp.rate;
		}
		s->first_seq -= s->first_seq >= 65536 ? 65536 : 0;
		s->max_seq -= s->max_seq >= 65536 ? 65536 : 0;
	}
	if (kind == MCAST_STREAM_SEQ && t->st->seq.width < 8) {
		s->first_seq &= (1ull << 8 * t->st->seq.width) - 1;
		s->max_seq &= (1ull << 8 * t->st->seq.width) - 1;
	}
	if (kind == MCAST_STREAM_TS || kind == MCAST_STREAM_RTP_TS) {
		mc_ts_out(s, st->ts.c);
		s->ts_programs = st->ts.programs;
		s->ts_pids = st->ts.npids;
	}
}

void mc_stream_totals(const struct mcast_tracker *t,
		      struct mcast_stream_stats *s)
{
	const struct mc_pool *p = &t->entries;

	s->payload_type = -1;
	s->stream = t->st ? t->st->type : MCAST_STREAM_MCAST;
	if (!t->st)
		return;
	s->stream_malformed = t->st->malformed;
	/* sessions counts SSRCs too; is_probe still means probes.  The
	 * other streams and plain sources are sessions here too. */
	s->is_probe = t->sessions > t->st->rtp_sessions;
	s->sessions += t->st->other_sessions;
	mc_ts_out(s, t->st->gone_ts);
	for (uint32_t i = p->head; i != MC_NONE; i = mc_item(p, i)->next) {
		const struct mc_stream *st = mc_stream(t, i);
		double jmax;

		if (!mc_entry(t, i)->it.key.kind)
			continue;
		mc_ts_out(s, st->ts.c);
		s->ts_pids += st->ts.npids;
		if (!st->rtp.rate)
			continue;
		jmax = st->rtp.jitter_max * 1e9 / st->rtp.rate;
		if (jmax > s->jitter_max_ns)
			s->jitter_max_ns = jmax;
	}
}

int mcast_tracker_tick(mcast_tracker_t *t, const struct timespec *now)
{
	if (!t || !now || now->tv_nsec < 0 || now->tv_nsec >= 1000000000)
		return -EINVAL;
	if (t->st && t->st->pids.index)
		mc_ts_tick(t, mc_ns(now));
	return 0;
}

static struct timespec mc_timespec(int64_t ns)
{
	return (struct timespec){ .tv_sec = (time_t)(ns / 1000000000),
				  .tv_nsec = (long)(ns % 1000000000) };
}

void mcast_pid_stats_init(struct mcast_pid_stats *s)
{
	if (!s)
		return;
	memset(s, 0, sizeof(*s));
	s->size = sizeof(*s);
}

int mcast_tracker_get_pid(const mcast_tracker_t *t, size_t i, unsigned pid,
			  struct mcast_pid_stats *out)
{
	struct mcast_pid_stats s = { .size = sizeof(s) };
	const struct mc_pid *d;
	uint32_t idx;

	if (!t || !out || pid >= MC_TS_PIDS)
		return -EINVAL;
	if (i >= t->entries.used)
		return -ERANGE;
	idx = mc_order_nth(t, (uint32_t)i);
	if (!t->st || !t->st->pids.index || !(d = mc_ts_pid(t, idx, pid)))
		return -ENOENT;
	s.pid = pid;
	s.flags = (d->flags & MC_PID_PMT ? MCAST_PID_PMT : 0) |
		  (d->flags & MC_PID_PCR ? MCAST_PID_PCR : 0) |
		  (d->flags & MC_PID_REF ? MCAST_PID_REFERENCED : 0) |
		  (d->flags & MC_PID_SEEN ? MCAST_PID_SEEN : 0);
	s.stream_type = d->flags & MC_PID_REF ? d->stream_type : -1;
	s.program = d->program;
	s.packets = d->packets;
	s.bytes = d->packets * MC_TS_PACKET;
	s.cc_errors = d->cc_errors;
	s.lost = d->lost;
	s.pcr_interval_max_ns = d->pcr_max_ns;
	s.first = mc_timespec(d->first_ns);
	s.last = mc_timespec(d->last_ns);
	return mc_copy_sized(out, &s, sizeof(s)) ? 0 : -EINVAL;
}
