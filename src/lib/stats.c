/* SPDX-License-Identifier: MIT */
/*
 * Stream statistics: the tracker that turns received datagrams into exact
 * per-sender counters (docs/PROTOCOL.md, "Counters" defines every one of them).
 *
 * It runs on every datagram of a stream that may carry a million a second,
 * so all memory is allocated in mcast_tracker_new(), sized by max_sessions
 * and window, and nothing per datagram; the entries live in a bounded
 * table (stats_table.c) that anyone's made-up sources cannot grow.
 * Per datagram: one hash, a probe or two, a bitmap test, a few list links.
 */
#include "stats_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MC_DEFAULT_SESSIONS 256
#define MC_MAX_SESSIONS	    65536
#define MC_DEFAULT_WINDOW   1024
#define MC_MIN_WINDOW	    64
#define MC_MAX_WINDOW	    65536
/* Displacement (in sequence numbers) from which a reordered datagram also
 * counts as late: where a loss detector such as TCP's three-duplicate-ACK
 * fast retransmit (RFC 5681) would already have given it up. */
#define MC_LATE_DISTANCE 3
/* RFC 3550 section 6.4.1: the jitter estimate's gain is 1/16. */
#define MC_JITTER_GAIN 16

/* ---------------------------------------------------------------- */
/* Counters of one entry                                             */

/* Sequence numbers the session should have delivered since first_seq. */
static uint64_t mc_expected(const struct mc_entry *e)
{
	uint64_t hi, lo;

	if (!e->it.key.is_probe)
		return e->it.key.kind ? mc_stream_expected(e) : e->received;
	if (!e->have_seq)
		return e->ended ? e->total_sent : 0;
	hi = e->max_seq;
	if (e->ended && e->total_sent > e->max_seq)
		hi = e->total_sent - 1;
	/* A receiver that heard the session from its start expects it
	 * from 0: loss at the head is loss like any other. */
	lo = e->head == MCAST_HEAD_FROM_START ? 0 : e->first_seq;
	if (hi - lo == UINT64_MAX)
		return UINT64_MAX;
	return hi - lo + 1;
}

static uint64_t mc_lost(const struct mc_entry *e)
{
	uint64_t expected = mc_expected(e);

	return expected > e->received ? expected - e->received : 0;
}

/* Probes sent before a late joiner's first: not counted as lost. */
static uint64_t mc_head_missed(const struct mc_entry *e)
{
	return e->head == MCAST_HEAD_JOINED_LATE && e->have_seq ? e->first_seq
								: 0;
}

/* The table retires entries for space; their counts must live on. */
void mc_fold(struct mcast_tracker *t, const struct mc_entry *e)
{
	t->gone.received += e->received;
	t->gone.lost += mc_lost(e);
	t->gone.late += e->late;
	t->gone.duplicates += e->duplicates;
	t->gone.reordered += e->reordered;
	t->gone.bytes += e->bytes;
	if (e->ended) {
		t->gone.total_sent += e->total_sent;
		t->gone.not_sent += e->not_sent;
	}
	t->gone.head_missed += mc_head_missed(e);
	if (e->it.key.is_probe) {
		t->live_probes--;
		if (e->ended || e->superseded)
			t->live_done--;
	}
}

/* Entry i's window of seen sequence numbers. */
static uint64_t *mc_bitmap(const struct mcast_tracker *t, uint32_t i)
{
	return &t->bits[(size_t)i * t->words];
}

/* ---------------------------------------------------------------- */
/* Feeding                                                           */

static void mc_key_addr(const struct sockaddr_storage *ss, uint8_t addr[16],
			uint32_t *scope, uint16_t *port, uint8_t *family)
{
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)ss;

		memcpy(addr, &sin->sin_addr, 4);
		*port = ntohs(sin->sin_port);
		*family = 4;
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const void *)ss;

		memcpy(addr, &sin6->sin6_addr, 16);
		*scope = sin6->sin6_scope_id;
		*port = ntohs(sin6->sin6_port);
		*family = 6;
	}
}

static bool mc_group_known(const struct mcast_meta *meta)
{
	return meta->flags & MCAST_META_DST;
}

void mc_key_make(struct mc_key *k, const struct mcast_meta *meta,
		 const uint8_t *session)
{
	memset(k, 0, sizeof(*k));
	if (mc_group_known(meta))
		mc_key_addr(&meta->dst, k->group, &k->group_scope,
			    &k->group_port, &k->group_family);
	mc_key_addr(&meta->src, k->source, &k->source_scope, &k->source_port,
		    &k->source_family);
	if (session) {
		memcpy(k->session, session, MCAST_SESSION_LEN);
		k->is_probe = 1;
	}
}

/* The arrival time, or {0, 0} when the caller's meta has none. */
struct timespec mc_arrival(const struct mcast_meta *meta)
{
	if (MC_HAS(meta, ts))
		return meta->ts;
	return (struct timespec){ 0, 0 };
}

static bool mc_ts_known(const struct timespec *ts)
{
	return ts->tv_sec != 0 || ts->tv_nsec != 0;
}

static bool mc_ts_before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec ||
	       (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/* The entry for key k; a new one starts its counters from meta (and,
 * for a probe session, its head from h). */
uint32_t mc_entry_for(struct mcast_tracker *t, const struct mc_key *k,
		      const struct mcast_meta *meta, const struct mcast_hdr *h)
{
	bool fresh;
	uint32_t i = mc_entry_get(t, k, &fresh);
	struct mc_entry *e = mc_entry(t, i);

	if (!fresh)
		return i;
	e->hops = -1;
	if (mc_group_known(meta))
		e->group = meta->dst;
	e->source = meta->src;
	e->first = mc_arrival(meta);
	if (t->st)
		mc_stream_reset(t, i);
	if (k->is_probe) {
		/* A 10 KB clear, skipped when it holds no samples. */
		if (t->hists[i].count)
			mcast_hist_init(&t->hists[i]);
		memset(mc_bitmap(t, i), 0, t->words * sizeof(*t->bits));
		t->live_probes++;
		/* A session heard again after its entry was retired
		 * continues where it is: its head is not known. */
		if (mc_origin_note(t, k))
			e->head =
				(uint8_t)mc_head_decide(t, h, meta, &e->first);
	}
	return i;
}

/* Every datagram accounted to an entry moves its last arrival. */
void mc_arrived(struct mcast_tracker *t, struct mc_entry *e,
		const struct timespec *ts)
{
	e->last = *ts;
	if (!mc_ts_known(ts))
		return;
	if (!t->have_time || mc_ts_before(ts, &t->first))
		t->first = *ts;
	if (!t->have_time || mc_ts_before(&t->last, ts))
		t->last = *ts;
	t->have_time = true;
}

/* Clear n bits from position pos of a circular bitmap of nbits (a
 * multiple of 64, so no word straddles the wrap). */
static void mc_bits_clear(uint64_t *w, unsigned nbits, unsigned pos, unsigned n)
{
	while (n) {
		unsigned bit = pos & 63, take = 64 - bit;
		uint64_t mask;

		if (take > n)
			take = n;
		mask = take == 64 ? ~0ull : ((1ull << take) - 1) << bit;
		w[pos >> 6] &= ~mask;
		pos += take;
		if (pos == nbits)
			pos = 0;
		n -= take;
	}
}

/*
 * Sequence accounting of one data probe (docs/PROTOCOL.md, "Counters").  The bitmap
 * remembers which of the window sequence numbers up to max_seq arrived;
 * bit (seq mod window) stands for seq.  Returns false for a duplicate.
 */
bool mc_sequence(struct mcast_tracker *t, uint32_t i, uint64_t s)
{
	struct mc_entry *e = mc_entry(t, i);
	uint64_t *bits = mc_bitmap(t, i);
	unsigned pos = (unsigned)(s % t->window);
	uint64_t bit = 1ull << (pos & 63), d;

	if (!e->have_seq) {
		e->have_seq = true;
		e->first_seq = e->max_seq = s;
	} else if (s > e->max_seq) {
		d = s - e->max_seq;
		if (d >= t->window)
			memset(bits, 0, t->words * sizeof(*bits));
		else
			mc_bits_clear(bits, t->window,
				      (unsigned)((e->max_seq + 1) % t->window),
				      (unsigned)d);
		e->max_seq = s;
	} else {
		d = e->max_seq - s;
		if (d < t->window && (bits[pos >> 6] & bit))
			return false;
		e->reordered++;
		if (d >= MC_LATE_DISTANCE)
			e->late++;
		if (s < e->first_seq)
			e->first_seq = s;
		if (d >= t->window)
			return true; /* no bit: it stands for a newer one */
	}
	bits[pos >> 6] |= bit;
	return true;
}

/* One-way latency, RFC 3550 jitter and hops of a distinct probe. */
static void mc_timing(struct mcast_tracker *t, uint32_t i,
		      const struct mcast_hdr *h, const struct mcast_meta *meta,
		      const struct timespec *ts)
{
	struct mc_entry *e = mc_entry(t, i);
	uint64_t arrival;
	int64_t lat, d;

	if (MC_HAS(meta, ttl) && (meta->flags & MCAST_META_TTL) &&
	    meta->ttl >= 0 && meta->ttl <= h->ttl)
		e->hops = h->ttl - meta->ttl;
	else
		e->hops = -1;
	t->hops = e->hops;

	if (!mc_ts_known(ts))
		return;
	arrival = (uint64_t)ts->tv_sec * 1000000000u + (uint64_t)ts->tv_nsec;
	/* Differences are taken in uint64_t, where they wrap instead of
	 * overflowing; read as int64_t they are exact whenever the true
	 * value fits, whatever send_ns a datagram carries. */
	lat = (int64_t)(arrival - h->send_ns);
	if (e->lat_count == 0 || lat < e->lat_min)
		e->lat_min = lat;
	if (e->lat_count == 0 || lat > e->lat_max)
		e->lat_max = lat;
	e->lat_count++;
	mcast_hist_add(&t->hists[i], lat > 0 ? (uint64_t)lat : 0);
	if (t->latency.count == 0 || lat < t->lat_min)
		t->lat_min = lat;
	if (t->latency.count == 0 || lat > t->lat_max)
		t->lat_max = lat;
	mcast_hist_add(&t->latency, lat > 0 ? (uint64_t)lat : 0);

	/* D(i,j) = (Rj - Ri) - (Sj - Si) = transit j - transit i. */
	if (e->have_transit) {
		double ad;

		d = (int64_t)((uint64_t)lat - (uint64_t)e->transit);
		ad = d < 0 ? -(double)d : (double)d;
		e->jitter += (ad - e->jitter) / MC_JITTER_GAIN;
	}
	e->transit = lat;
	e->have_transit = true;
}

static int mc_feed_data(struct mcast_tracker *t, const struct mcast_hdr *h,
			const struct mcast_meta *meta)
{
	struct timespec ts = mc_arrival(meta);
	struct mc_key k;
	struct mc_entry *e;
	uint32_t i;

	mc_key_make(&k, meta, h->session);
	i = mc_entry_for(t, &k, meta, h);
	e = mc_entry(t, i);
	mc_arrived(t, e, &ts);
	if (!mc_sequence(t, i, h->seq)) {
		e->duplicates++;
		return MCAST_FEED_DUP;
	}
	e->received++;
	e->bytes += meta->len;
	mc_timing(t, i, h, meta, &ts);
	return MCAST_FEED_DATA;
}

static int mc_feed_end(struct mcast_tracker *t, const struct mcast_hdr *h,
		       const struct mcast_end *body,
		       const struct mcast_meta *meta)
{
	struct timespec ts = mc_arrival(meta);
	struct mc_key k;
	struct mc_entry *e;

	mc_key_make(&k, meta, h->session);
	e = mc_entry(t, mc_entry_for(t, &k, meta, h));
	mc_arrived(t, e, &ts);
	if (!e->ended) {
		if (!e->superseded)
			t->live_done++;
		e->ended = true;
		e->total_sent = body->total;
		e->not_sent = body->not_sent;
	}
	return MCAST_FEED_END;
}

int mc_feed_plain(struct mcast_tracker *t, const struct mcast_meta *meta)
{
	struct timespec ts = mc_arrival(meta);
	struct mc_key k;
	struct mc_entry *e;

	mc_key_make(&k, meta, NULL);
	e = mc_entry(t, mc_entry_for(t, &k, meta, NULL));
	mc_arrived(t, e, &ts);
	e->received++;
	e->bytes += meta->len;
	t->plain++;
	return MCAST_FEED_PLAIN;
}

int mcast_tracker_feed_hdr(mcast_tracker_t *t, const void *buf, size_t len,
			   const struct mcast_meta *meta, int decoded,
			   const struct mcast_hdr *h)
{
	struct mcast_end end;
	int body, rc;

	if (!t || !meta || (!buf && len) || !MC_HAS(meta, dst))
		return -EINVAL;
	/* Another stream type (RTP, MPEG-TS, a sequence field) is read
	 * from the payload whatever the header decode found. */
	if (t->st && (rc = mc_stream_feed(t, buf, len, meta)) != MC_FEED_MCAST)
		return rc;
	/* The END body is read at hdr_len: a header that does not fit the
	 * bytes given must not send it past them. */
	if (decoded >= 0 &&
	    (!h || !buf || (size_t)h->hdr_len + h->payload_len > len))
		return -EINVAL;
	if (decoded == MCAST_ENOTMCAST_MSG)
		return mc_feed_plain(t, meta);
	if (decoded < 0) {
		t->malformed++;
		return decoded;
	}
	switch (h->type) {
	case MCAST_MSG_DATA:
	case MCAST_MSG_TUNNEL: /* a tunnel session counts like a stream */
		return mc_feed_data(t, h, meta);
	case MCAST_MSG_END:
		body = mcast_end_decode(&end, (const uint8_t *)buf + h->hdr_len,
					h->payload_len);
		if (body < 0) {
			t->malformed++;
			return body;
		}
		return mc_feed_end(t, h, &end, meta);
	default:
		return MCAST_FEED_OTHER;
	}
}

int mcast_tracker_feed(mcast_tracker_t *t, const void *buf, size_t len,
		       const struct mcast_meta *meta)
{
	struct mcast_hdr h;
	int rc = buf ? mcast_hdr_decode(&h, buf, len) : MCAST_ENOTMCAST_MSG;

	return mcast_tracker_feed_hdr(t, buf, len, meta, rc, &h);
}

/* ---------------------------------------------------------------- */
/* Life cycle                                                        */

void mcast_tracker_opts_init(struct mcast_tracker_opts *o)
{
	if (!o)
		return;
	*o = (struct mcast_tracker_opts){
		.size = sizeof(*o),
		.max_sessions = MC_DEFAULT_SESSIONS,
		.window = MC_DEFAULT_WINDOW,
	};
}

int mcast_tracker_new(mcast_tracker_t **tp, const struct mcast_tracker_opts *o)
{
	struct mcast_tracker_opts d;
	struct mcast_tracker *t;
	uint32_t n;
	int rc;

	if (!tp)
		return -EINVAL;
	*tp = NULL;
	mcast_tracker_opts_init(&d);
	if (o) {
		if (o->size < sizeof(o->size))
			return -EINVAL;
		if (MC_HAS(o, max_sessions))
			d.max_sessions = o->max_sessions;
		if (MC_HAS(o, window))
			d.window = o->window;
	}
	if (d.max_sessions < 1 || d.max_sessions > MC_MAX_SESSIONS ||
	    d.window < MC_MIN_WINDOW || d.window > MC_MAX_WINDOW)
		return -EINVAL;
	n = d.max_sessions;

	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->window = (d.window + 63) / 64 * 64;
	t->words = t->window / 64;
	t->hops = -1;
	t->hists = calloc(n, sizeof(*t->hists)); /* zero: initialised */
	t->bits = malloc((size_t)n * t->words * sizeof(*t->bits));
	if (!t->hists || !t->bits || mc_table_init(t, n) < 0) {
		mcast_tracker_free(t);
		return -ENOMEM;
	}
	if (o && (rc = mc_stream_new(t, o)) < 0) {
		mcast_tracker_free(t);
		return rc;
	}
	mcast_hist_init(&t->latency);
	*tp = t;
	return 0;
}

void mcast_tracker_free(mcast_tracker_t *t)
{
	if (!t)
		return;
	mc_stream_free(t);
	mc_table_free(t);
	mc_listen_free(t);
	free(t->hists);
	free(t->bits);
	free(t);
}

/* ---------------------------------------------------------------- */
/* Reading                                                           */

size_t mcast_tracker_count(const mcast_tracker_t *t)
{
	return t ? t->entries.used : 0;
}

int mcast_tracker_all_ended(const mcast_tracker_t *t)
{
	return t && t->live_probes > 0 && t->live_done == t->live_probes;
}

static int mc_copy_out(struct mcast_stream_stats *out,
		       const struct mcast_stream_stats *s)
{
	return mc_copy_sized(out, s, sizeof(*s)) ? 0 : -EINVAL;
}

void mcast_stream_stats_init(struct mcast_stream_stats *s)
{
	if (!s)
		return;
	memset(s, 0, sizeof(*s));
	s->size = sizeof(*s);
}

int mcast_tracker_get(const mcast_tracker_t *t, size_t i,
		      struct mcast_stream_stats *out)
{
	struct mcast_stream_stats s = { .size = sizeof(s) };
	const struct mc_entry *e;
	uint32_t idx;

	if (!t || !out)
		return -EINVAL;
	if (i >= t->entries.used)
		return -ERANGE;
	idx = mc_order_nth(t, (uint32_t)i);
	e = mc_entry(t, idx);

	s.is_probe = e->it.key.is_probe;
	s.group = e->group;
	s.source = e->source;
	memcpy(s.session, e->it.key.session, MCAST_SESSION_LEN);
	s.first_seq = e->first_seq;
	s.max_seq = e->max_seq;
	s.received = e->received;
	s.lost = mc_lost(e);
	s.late = e->late;
	s.duplicates = e->duplicates;
	s.reordered = e->reordered;
	s.bytes = e->bytes;
	s.ended = e->ended;
	s.total_sent = e->total_sent;
	s.not_sent = e->not_sent;
	s.head = e->head;
	s.head_missed = mc_head_missed(e);
	s.first = e->first;
	s.last = e->last;
	s.hops = e->hops;
	s.jitter_ns = e->jitter;
	if (e->lat_count) {
		s.latency_min_ns = e->lat_min;
		s.latency_max_ns = e->lat_max;
		s.latency_p50_ns = mcast_hist_quantile(&t->hists[idx], 0.5);
		s.latency_p99_ns = mcast_hist_quantile(&t->hists[idx], 0.99);
		s.latency_count = e->lat_count;
	}
	mc_stream_get(t, idx, &s);
	return mc_copy_out(out, &s);
}

int mcast_tracker_totals(const mcast_tracker_t *t,
			 struct mcast_stream_stats *out)
{
	struct mcast_stream_stats s = { .size = sizeof(s) };
	const struct mc_pool *p;

	if (!t || !out)
		return -EINVAL;
	s.received = t->gone.received;
	s.lost = t->gone.lost;
	s.late = t->gone.late;
	s.duplicates = t->gone.duplicates;
	s.reordered = t->gone.reordered;
	s.bytes = t->gone.bytes;
	s.total_sent = t->gone.total_sent;
	s.not_sent = t->gone.not_sent;
	s.head_missed = t->gone.head_missed;
	p = &t->entries;
	for (uint32_t i = p->head; i != MC_NONE; i = mc_item(p, i)->next) {
		const struct mc_entry *e = mc_entry(t, i);

		s.received += e->received;
		s.lost += mc_lost(e);
		s.late += e->late;
		s.duplicates += e->duplicates;
		s.reordered += e->reordered;
		s.bytes += e->bytes;
		if (e->ended) {
			s.total_sent += e->total_sent;
			s.not_sent += e->not_sent;
		}
		s.head_missed += mc_head_missed(e);
		if (e->it.key.is_probe && e->jitter > s.jitter_ns)
			s.jitter_ns = e->jitter;
	}
	s.is_probe = t->sessions > 0;
	s.restarts = t->restarts;
	s.malformed = t->malformed;
	s.retired = t->retired;
	s.sessions = t->sessions;
	s.plain = t->plain;
	s.ended = mcast_tracker_all_ended(t);
	if (t->have_time) {
		s.first = t->first;
		s.last = t->last;
	}
	s.hops = t->hops;
	if (t->latency.count) {
		s.latency_min_ns = t->lat_min;
		s.latency_max_ns = t->lat_max;
		s.latency_p50_ns = mcast_hist_quantile(&t->latency, 0.5);
		s.latency_p99_ns = mcast_hist_quantile(&t->latency, 0.99);
		s.latency_count = t->latency.count;
	}
	mc_stream_totals(t, &s);
	return mc_copy_out(out, &s);
}
