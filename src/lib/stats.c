/* SPDX-License-Identifier: MIT */
/*
 * Stream statistics: the tracker that turns received datagrams into exact
 * per-sender counters (docs/COUNTERS.md defines every one of them).
 *
 * It runs on every datagram of a stream that may carry a million a second,
 * and anyone on the network can send it datagrams from made-up sources, so:
 *  - all memory is allocated in mcast_tracker_new(), sized by max_sessions
 *    and window; nothing is allocated per datagram;
 *  - entries live in a fixed slab, found through an open-addressing hash
 *    table keyed with a per-tracker random seed (so sources chosen to
 *    collide cannot be precomputed), with backward-shift deletion (no
 *    tombstones, so churn cannot clog it);
 *  - when the slab is full, the entry fed least recently is retired into
 *    running sums, so totals stay exact and memory stays fixed.
 * Per datagram: one hash, a probe or two, a bitmap test, a few list links.
 */
#include "mc_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#define MC_NONE		    UINT32_MAX
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

/*
 * What identifies an entry, flattened so that hashing and comparing are
 * plain byte operations: every byte is written (no padding), unused
 * address bytes are zero.  Plain sources have is_probe 0 and a zero
 * session; origins (see struct mc_origin) also zero the source port.
 */
struct mc_key {
	uint8_t group[16];
	uint8_t source[16];
	uint8_t session[MCAST_SESSION_LEN];
	uint32_t group_scope, source_scope;
	uint16_t group_port, source_port;
	uint8_t group_family, source_family; /* 4, 6, or 0: unknown */
	uint8_t is_probe;
	uint8_t zero;
};

_Static_assert(sizeof(struct mc_key) == 64, "struct mc_key has no padding");

/* The part entries and origins share: key, table hash and LRU links. */
struct mc_item {
	struct mc_key key;
	uint32_t hash;
	uint32_t prev, next; /* LRU list; next also links the free list */
};

/* One session or plain source. */
struct mc_entry {
	struct mc_item it;
	uint32_t oslot;	   /* position in the first-arrival order */
	bool have_seq;	   /* a data probe arrived: first/max_seq valid */
	bool have_transit; /* transit holds the previous probe's */
	bool ended;
	bool superseded; /* a newer session came from the same address:port */
	int hops;
	uint64_t first_seq, max_seq;
	uint64_t received, late, duplicates, reordered, bytes, total_sent;
	struct timespec first, last;
	int64_t transit; /* arrival - send of the previous distinct probe */
	double jitter;
	int64_t lat_min, lat_max;
	uint64_t lat_count;
	struct sockaddr_storage group, source;
};

/*
 * A (group, source address) pair that has sent sessions, and the last
 * session id it used: what tells a restarted sender from a first one.
 */
struct mc_origin {
	struct mc_item it;
	uint8_t last_session[MCAST_SESSION_LEN];
	uint16_t last_port; /* source port of last_session */
};

/* A pool of items: slab, hash table, LRU list and free list. */
struct mc_pool {
	void *items;
	size_t stride;
	uint32_t *table; /* item index or MC_NONE */
	uint32_t mask;	 /* table size - 1; size >= 2 * max */
	uint32_t max, used;
	uint32_t head, tail; /* most and least recently used */
	uint32_t free;
};

struct mcast_tracker {
	unsigned window; /* a multiple of 64 */
	unsigned words;	 /* bitmap words per entry */
	uint64_t seed;

	struct mc_pool entries;
	struct mcast_hist *hists; /* per entry: latency */
	uint64_t *bits;		  /* per entry: seen sequence numbers */

	/* First-arrival order: entry indices (MC_NONE once retired) in
	 * slots 0..oused, and a Fenwick tree counting live slots, so that
	 * mcast_tracker_get(i) finds the i-th live one in O(log n). */
	uint32_t *order;
	int32_t *fenwick; /* 1-based, ocap + 1 */
	uint32_t ocap, oused, otop;

	struct mc_pool origins;

	/* Live probe sessions, and those of them that no longer hold up
	 * mcast_tracker_all_ended(): ended or superseded. */
	uint32_t live_probes, live_done;
	struct { /* sums of retired entries */
		uint64_t received, lost, late, duplicates, reordered, bytes;
		uint64_t total_sent;
	} gone;
	uint64_t restarts, malformed, retired, sessions;
	bool have_time;
	struct timespec first, last;
	struct mcast_hist latency; /* every distinct probe */
	int64_t lat_min, lat_max;
	int hops; /* of the latest data probe */
};

/* ---------------------------------------------------------------- */
/* Pools: hash table with linear probing, LRU list, free list        */

static struct mc_item *mc_item(const struct mc_pool *p, uint32_t i)
{
	return (struct mc_item *)((char *)p->items + (size_t)i * p->stride);
}

static uint32_t mc_hash(const struct mcast_tracker *t, const struct mc_key *k)
{
	const unsigned char *b = (const unsigned char *)k;
	uint64_t h = t->seed, w;

	for (size_t i = 0; i < sizeof(*k); i += sizeof(w)) {
		memcpy(&w, b + i, sizeof(w));
		h = (h ^ w) * 0x9e3779b97f4a7c15ull;
		h ^= h >> 29;
	}
	h *= 0xbf58476d1ce4e5b9ull;
	return (uint32_t)(h ^ h >> 32);
}

static uint32_t mc_pool_find(const struct mc_pool *p, const struct mc_key *k,
			     uint32_t hash)
{
	for (uint32_t b = hash & p->mask;; b = (b + 1) & p->mask) {
		uint32_t i = p->table[b];
		const struct mc_item *it;

		if (i == MC_NONE)
			return MC_NONE;
		it = mc_item(p, i);
		if (it->hash == hash && memcmp(&it->key, k, sizeof(*k)) == 0)
			return i;
	}
}

static void mc_lru_unlink(struct mc_pool *p, struct mc_item *it)
{
	if (it->prev != MC_NONE)
		mc_item(p, it->prev)->next = it->next;
	else
		p->head = it->next;
	if (it->next != MC_NONE)
		mc_item(p, it->next)->prev = it->prev;
	else
		p->tail = it->prev;
}

static void mc_lru_push(struct mc_pool *p, struct mc_item *it, uint32_t i)
{
	it->prev = MC_NONE;
	it->next = p->head;
	if (p->head != MC_NONE)
		mc_item(p, p->head)->prev = i;
	else
		p->tail = i;
	p->head = i;
}

static void mc_lru_touch(struct mc_pool *p, uint32_t i)
{
	struct mc_item *it;

	if (p->head == i)
		return;
	it = mc_item(p, i);
	mc_lru_unlink(p, it);
	mc_lru_push(p, it, i);
}

/* Take a free item (the caller made room), key it, make it most recent. */
static uint32_t mc_pool_add(struct mc_pool *p, const struct mc_key *k,
			    uint32_t hash)
{
	uint32_t i = p->free, b;
	struct mc_item *it = mc_item(p, i);

	p->free = it->next;
	memset(it, 0, p->stride);
	it->key = *k;
	it->hash = hash;
	for (b = hash & p->mask; p->table[b] != MC_NONE; b = (b + 1) & p->mask)
		;
	p->table[b] = i;
	mc_lru_push(p, it, i);
	p->used++;
	return i;
}

/*
 * Remove item i: from the table by backward shift (each later item of the
 * run moves into the hole unless its home bucket lies cyclically in
 * (hole, its bucket]), from the LRU list, onto the free list.
 */
static void mc_pool_remove(struct mc_pool *p, uint32_t i)
{
	struct mc_item *it = mc_item(p, i);
	uint32_t hole = it->hash & p->mask, b;

	while (p->table[hole] != i)
		hole = (hole + 1) & p->mask;
	p->table[hole] = MC_NONE;
	for (b = (hole + 1) & p->mask; p->table[b] != MC_NONE;
	     b = (b + 1) & p->mask) {
		uint32_t home = mc_item(p, p->table[b])->hash & p->mask;
		bool stays = hole <= b ? hole < home && home <= b
				       : hole < home || home <= b;

		if (stays)
			continue;
		p->table[hole] = p->table[b];
		p->table[b] = MC_NONE;
		hole = b;
	}
	mc_lru_unlink(p, it);
	it->next = p->free;
	p->free = i;
	p->used--;
}

static int mc_pool_init(struct mc_pool *p, uint32_t max, size_t stride)
{
	uint32_t size = 2;

	while (size < 2 * max)
		size *= 2;
	p->stride = stride;
	p->max = max;
	p->mask = size - 1;
	p->head = p->tail = MC_NONE;
	p->items = calloc(max, stride);
	p->table = malloc(size * sizeof(*p->table));
	if (!p->items || !p->table)
		return -ENOMEM;
	memset(p->table, 0xff, size * sizeof(*p->table)); /* MC_NONE */
	for (uint32_t i = 0; i < max; i++)
		mc_item(p, i)->next = i + 1 < max ? i + 1 : MC_NONE;
	p->free = 0;
	return 0;
}

static void mc_pool_free(struct mc_pool *p)
{
	free(p->items);
	free(p->table);
}

static struct mc_entry *mc_entry(const struct mcast_tracker *t, uint32_t i)
{
	return (struct mc_entry *)mc_item(&t->entries, i);
}

/* Entry i's window of seen sequence numbers. */
static uint64_t *mc_bitmap(const struct mcast_tracker *t, uint32_t i)
{
	return &t->bits[(size_t)i * t->words];
}

/* ---------------------------------------------------------------- */
/* First-arrival order                                               */

static void mc_fenwick_add(struct mcast_tracker *t, uint32_t slot, int32_t d)
{
	for (uint32_t i = slot + 1; i <= t->ocap; i += i & -i)
		t->fenwick[i] += d;
}

/* Slot of the k-th live entry (k from 1), by descending the tree. */
static uint32_t mc_fenwick_find(const struct mcast_tracker *t, uint32_t k)
{
	uint32_t pos = 0;

	for (uint32_t step = t->otop; step; step >>= 1) {
		if (pos + step <= t->ocap &&
		    (uint32_t)t->fenwick[pos + step] < k) {
			pos += step;
			k -= (uint32_t)t->fenwick[pos];
		}
	}
	return pos;
}

/* Squeeze out retired slots.  With ocap = 2 * max_sessions this runs at
 * most once per max_sessions new entries: O(1) amortised. */
static void mc_order_compact(struct mcast_tracker *t)
{
	uint32_t n = 0;

	for (uint32_t s = 0; s < t->oused; s++) {
		if (t->order[s] == MC_NONE)
			continue;
		t->order[n] = t->order[s];
		mc_entry(t, t->order[n])->oslot = n;
		n++;
	}
	for (uint32_t s = n; s < t->ocap; s++)
		t->order[s] = MC_NONE;
	t->oused = n;
	memset(t->fenwick, 0, (t->ocap + 1) * sizeof(*t->fenwick));
	for (uint32_t s = 0; s < n; s++)
		mc_fenwick_add(t, s, 1);
}

static void mc_order_append(struct mcast_tracker *t, uint32_t i)
{
	if (t->oused == t->ocap)
		mc_order_compact(t);
	t->order[t->oused] = i;
	mc_entry(t, i)->oslot = t->oused;
	mc_fenwick_add(t, t->oused, 1);
	t->oused++;
}

static void mc_order_remove(struct mcast_tracker *t, uint32_t i)
{
	uint32_t slot = mc_entry(t, i)->oslot;

	t->order[slot] = MC_NONE;
	mc_fenwick_add(t, slot, -1);
}

/* ---------------------------------------------------------------- */
/* Counters of one entry                                             */

/* Sequence numbers the session should have delivered since first_seq. */
static uint64_t mc_expected(const struct mc_entry *e)
{
	uint64_t hi;

	if (!e->it.key.is_probe)
		return e->received;
	if (!e->have_seq)
		return e->ended ? e->total_sent : 0;
	hi = e->max_seq;
	if (e->ended && e->total_sent > e->max_seq)
		hi = e->total_sent - 1;
	if (hi - e->first_seq == UINT64_MAX)
		return UINT64_MAX;
	return hi - e->first_seq + 1;
}

static uint64_t mc_lost(const struct mc_entry *e)
{
	uint64_t expected = mc_expected(e);

	return expected > e->received ? expected - e->received : 0;
}

/* Fold a live entry into the running sums and free its slot. */
static void mc_retire(struct mcast_tracker *t, uint32_t i)
{
	struct mc_entry *e = mc_entry(t, i);

	t->gone.received += e->received;
	t->gone.lost += mc_lost(e);
	t->gone.late += e->late;
	t->gone.duplicates += e->duplicates;
	t->gone.reordered += e->reordered;
	t->gone.bytes += e->bytes;
	if (e->ended)
		t->gone.total_sent += e->total_sent;
	if (e->it.key.is_probe) {
		t->live_probes--;
		if (e->ended || e->superseded)
			t->live_done--;
	}
	t->retired++;
	mc_order_remove(t, i);
	mc_pool_remove(&t->entries, i);
}

/*
 * A sender that crashed sent no end-of-stream; when a new session comes
 * from its very address and port, it was restarted, so the old session
 * no longer keeps mcast_tracker_all_ended() waiting.  (Only the same port:
 * another port may be a second sender still running on that host.)
 */
static void mc_supersede(struct mcast_tracker *t, const struct mc_key *k,
			 const uint8_t *old_session)
{
	struct mc_key ok = *k;
	struct mc_entry *e;
	uint32_t i;

	memcpy(ok.session, old_session, MCAST_SESSION_LEN);
	i = mc_pool_find(&t->entries, &ok, mc_hash(t, &ok));
	if (i == MC_NONE)
		return;
	e = mc_entry(t, i);
	if (!e->ended && !e->superseded)
		t->live_done++;
	e->superseded = true;
}

/*
 * Count a new session against its (group, source address) origin: the
 * first session of an origin is just a session; a later one with another
 * id is a restart.  The same id again is a session that was retired for
 * space and came back: neither.  Origins are kept LRU, max_sessions many.
 */
static void mc_origin_note(struct mcast_tracker *t, const struct mc_key *k)
{
	struct mc_pool *p = &t->origins;
	struct mc_key ok = *k;
	struct mc_origin *o;
	uint32_t hash, i;

	memset(ok.session, 0, sizeof(ok.session));
	ok.source_port = 0;
	ok.is_probe = 0;
	hash = mc_hash(t, &ok);
	i = mc_pool_find(p, &ok, hash);
	if (i != MC_NONE) {
		o = (struct mc_origin *)mc_item(p, i);
		mc_lru_touch(p, i);
		if (memcmp(o->last_session, k->session, MCAST_SESSION_LEN) == 0)
			return;
		if (o->last_port == k->source_port)
			mc_supersede(t, k, o->last_session);
		memcpy(o->last_session, k->session, MCAST_SESSION_LEN);
		o->last_port = k->source_port;
		t->restarts++;
		t->sessions++;
		return;
	}
	if (p->used == p->max)
		mc_pool_remove(p, p->tail);
	o = (struct mc_origin *)mc_item(p, mc_pool_add(p, &ok, hash));
	memcpy(o->last_session, k->session, MCAST_SESSION_LEN);
	o->last_port = k->source_port;
	t->sessions++;
}

/* ---------------------------------------------------------------- */
/* Feeding                                                           */

/* Does the caller's meta (of meta->size bytes) reach this member? */
#define MC_META_HAS(m, member) \
	((m)->size >= offsetof(struct mcast_meta, member) + sizeof((m)->member))

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

static void mc_key_make(struct mc_key *k, const struct mcast_meta *meta,
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
static struct timespec mc_arrival(const struct mcast_meta *meta)
{
	if (MC_META_HAS(meta, ts))
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

/*
 * The entry for key k, created when new: the least recently fed entry is
 * retired first when every slot is taken.
 */
static uint32_t mc_entry_get(struct mcast_tracker *t, const struct mc_key *k,
			     const struct mcast_meta *meta)
{
	struct mc_pool *p = &t->entries;
	uint32_t hash = mc_hash(t, k), i;
	struct mc_entry *e;

	i = mc_pool_find(p, k, hash);
	if (i != MC_NONE) {
		mc_lru_touch(p, i);
		return i;
	}
	if (p->used == p->max)
		mc_retire(t, p->tail);
	i = mc_pool_add(p, k, hash);
	e = mc_entry(t, i);
	e->hops = -1;
	if (mc_group_known(meta))
		e->group = meta->dst;
	e->source = meta->src;
	e->first = mc_arrival(meta);
	mc_order_append(t, i);
	if (k->is_probe) {
		/* A 10 KB clear, skipped when it holds no samples. */
		if (t->hists[i].count)
			mcast_hist_init(&t->hists[i]);
		memset(mc_bitmap(t, i), 0, t->words * sizeof(*t->bits));
		t->live_probes++;
		mc_origin_note(t, k);
	}
	return i;
}

/* Every datagram accounted to an entry moves its last arrival. */
static void mc_arrived(struct mcast_tracker *t, struct mc_entry *e,
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
 * Sequence accounting of one data probe (docs/COUNTERS.md).  The bitmap
 * remembers which of the window sequence numbers up to max_seq arrived;
 * bit (seq mod window) stands for seq.  Returns false for a duplicate.
 */
static bool mc_sequence(struct mcast_tracker *t, uint32_t i, uint64_t s)
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

	if (MC_META_HAS(meta, ttl) && (meta->flags & MCAST_META_TTL) &&
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
	i = mc_entry_get(t, &k, meta);
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
		       uint64_t total, const struct mcast_meta *meta)
{
	struct timespec ts = mc_arrival(meta);
	struct mc_key k;
	struct mc_entry *e;

	mc_key_make(&k, meta, h->session);
	e = mc_entry(t, mc_entry_get(t, &k, meta));
	mc_arrived(t, e, &ts);
	if (!e->ended) {
		if (!e->superseded)
			t->live_done++;
		e->ended = true;
		e->total_sent = total;
	}
	return MCAST_FEED_END;
}

static int mc_feed_plain(struct mcast_tracker *t, const struct mcast_meta *meta)
{
	struct timespec ts = mc_arrival(meta);
	struct mc_key k;
	struct mc_entry *e;

	mc_key_make(&k, meta, NULL);
	e = mc_entry(t, mc_entry_get(t, &k, meta));
	mc_arrived(t, e, &ts);
	e->received++;
	e->bytes += meta->len;
	return MCAST_FEED_PLAIN;
}

int mcast_tracker_feed(mcast_tracker_t *t, const void *buf, size_t len,
		       const struct mcast_meta *meta)
{
	struct mcast_hdr h;
	uint64_t total;
	int rc, body;

	if (!t || !meta || (!buf && len) || !MC_META_HAS(meta, dst))
		return -EINVAL;
	rc = buf ? mcast_hdr_decode(&h, buf, len) : MCAST_ENOTMCAST_MSG;
	if (rc == MCAST_ENOTMCAST_MSG)
		return mc_feed_plain(t, meta);
	if (rc < 0) {
		t->malformed++;
		return rc;
	}
	switch (h.type) {
	case MCAST_MSG_DATA:
		return mc_feed_data(t, &h, meta);
	case MCAST_MSG_END:
		body = mcast_end_decode(&total, (const uint8_t *)buf + rc,
					h.payload_len);
		if (body < 0) {
			t->malformed++;
			return body;
		}
		return mc_feed_end(t, &h, total, meta);
	default:
		return MCAST_FEED_OTHER;
	}
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

/* Does the caller's opts (of o->size bytes) reach this member? */
#define MC_OPTS_HAS(o, member) \
	((o)->size >=          \
	 offsetof(struct mcast_tracker_opts, member) + sizeof((o)->member))

static uint64_t mc_seed(const void *t)
{
	uint64_t seed;
	struct timespec now;

	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) == sizeof(seed))
		return seed;
	/* No entropy yet (early boot): weaker, still per tracker. */
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)(uintptr_t)t ^ (uint64_t)now.tv_nsec ^
	       (uint64_t)now.tv_sec << 32;
}

int mcast_tracker_new(mcast_tracker_t **tp, const struct mcast_tracker_opts *o)
{
	struct mcast_tracker_opts d;
	struct mcast_tracker *t;
	uint32_t n;

	if (!tp)
		return -EINVAL;
	*tp = NULL;
	mcast_tracker_opts_init(&d);
	if (o) {
		if (o->size < sizeof(o->size))
			return -EINVAL;
		if (MC_OPTS_HAS(o, max_sessions))
			d.max_sessions = o->max_sessions;
		if (MC_OPTS_HAS(o, window))
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
	t->seed = mc_seed(t);
	t->hops = -1;
	t->ocap = 2 * n;
	for (t->otop = 1; t->otop * 2 <= t->ocap; t->otop *= 2)
		;
	t->hists = calloc(n, sizeof(*t->hists)); /* zero: initialised */
	t->bits = malloc((size_t)n * t->words * sizeof(*t->bits));
	t->order = malloc(t->ocap * sizeof(*t->order));
	t->fenwick = calloc(t->ocap + 1, sizeof(*t->fenwick));
	if (!t->hists || !t->bits || !t->order || !t->fenwick ||
	    mc_pool_init(&t->entries, n, sizeof(struct mc_entry)) < 0 ||
	    mc_pool_init(&t->origins, n, sizeof(struct mc_origin)) < 0) {
		mcast_tracker_free(t);
		return -ENOMEM;
	}
	memset(t->order, 0xff, t->ocap * sizeof(*t->order)); /* MC_NONE */
	mcast_hist_init(&t->latency);
	*tp = t;
	return 0;
}

void mcast_tracker_free(mcast_tracker_t *t)
{
	if (!t)
		return;
	mc_pool_free(&t->entries);
	mc_pool_free(&t->origins);
	free(t->hists);
	free(t->bits);
	free(t->order);
	free(t->fenwick);
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

/* Copy what fits in the caller's out->size; out->size itself stays. */
static int mc_copy_out(struct mcast_stream_stats *out,
		       const struct mcast_stream_stats *s)
{
	size_t n = out->size;

	if (n < sizeof(out->size))
		return -EINVAL;
	if (n > sizeof(*s))
		n = sizeof(*s);
	memcpy((char *)out + sizeof(out->size),
	       (const char *)s + sizeof(s->size), n - sizeof(s->size));
	return 0;
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
	idx = t->order[mc_fenwick_find(t, (uint32_t)i + 1)];
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
	p = &t->entries;
	for (uint32_t i = p->head; i != MC_NONE; i = mc_item(p, i)->next) {
		const struct mc_entry *e = mc_entry(t, i);

		s.received += e->received;
		s.lost += mc_lost(e);
		s.late += e->late;
		s.duplicates += e->duplicates;
		s.reordered += e->reordered;
		s.bytes += e->bytes;
		if (e->ended)
			s.total_sent += e->total_sent;
		if (e->it.key.is_probe && e->jitter > s.jitter_ns)
			s.jitter_ns = e->jitter;
	}
	s.is_probe = t->sessions > 0;
	s.restarts = t->restarts;
	s.malformed = t->malformed;
	s.retired = t->retired;
	s.sessions = t->sessions;
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
	return mc_copy_out(out, &s);
}
