/* SPDX-License-Identifier: MIT */
/*
 * The stream tracker's bounded table of entries (stats.c keeps the
 * counters in them).
 *
 * Anyone on the network can send datagrams from made-up sources, so:
 *  - entries live in a fixed slab, found through an open-addressing hash
 *    table keyed with a per-tracker random seed (so sources chosen to
 *    collide cannot be precomputed), with backward-shift deletion (no
 *    tombstones, so churn cannot clog it);
 *  - when the slab is full, the entry fed least recently is retired into
 *    running sums, so totals stay exact and memory stays fixed;
 *  - the first-arrival order survives retirements without a scan.
 */
#include "stats_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

/* ---------------------------------------------------------------- */
/* Pools: hash table with linear probing, LRU list, free list        */

static uint32_t mc_hash(const struct mcast_tracker *t, const struct mc_key *k)
{
	return mc_hash_bytes(t->seed, k, sizeof(*k));
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
void mc_index_remove(uint32_t *table, uint32_t mask, uint32_t i, uint32_t hash,
		     uint32_t (*hash_of)(const void *, uint32_t),
		     const void *ctx)
{
	uint32_t hole = hash & mask, b;

	while (table[hole] != i)
		hole = (hole + 1) & mask;
	table[hole] = MC_NONE;
	for (b = (hole + 1) & mask; table[b] != MC_NONE; b = (b + 1) & mask) {
		uint32_t home = hash_of(ctx, table[b]) & mask;
		bool stays = hole <= b ? hole < home && home <= b
				       : hole < home || home <= b;

		if (stays)
			continue;
		table[hole] = table[b];
		table[b] = MC_NONE;
		hole = b;
	}
}

static uint32_t mc_item_hash(const void *p, uint32_t i)
{
	return mc_item(p, i)->hash;
}

static void mc_pool_remove(struct mc_pool *p, uint32_t i)
{
	struct mc_item *it = mc_item(p, i);

	mc_index_remove(p->table, p->mask, i, it->hash, mc_item_hash, p);
	mc_lru_unlink(p, it);
	it->next = p->free;
	p->free = i;
	p->used--;
}

int mc_pool_init(struct mc_pool *p, uint32_t max, size_t stride)
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

void mc_pool_free(struct mc_pool *p)
{
	free(p->items);
	free(p->table);
}

/* An auxiliary pool's item for k (stream.c's senders under detection). */
uint32_t mc_pool_get(struct mcast_tracker *t, struct mc_pool *p,
		     const struct mc_key *k, bool *fresh)
{
	uint32_t hash = mc_hash(t, k), i = mc_pool_find(p, k, hash);

	*fresh = i == MC_NONE;
	if (!*fresh) {
		mc_lru_touch(p, i);
		return i;
	}
	if (p->used == p->max)
		mc_pool_remove(p, p->tail);
	return mc_pool_add(p, k, hash);
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

uint32_t mc_order_nth(const struct mcast_tracker *t, uint32_t n)
{
	return t->order[mc_fenwick_find(t, n + 1)];
}

/* ---------------------------------------------------------------- */
/* Entries and origins                                               */

/* Fold a live entry into the running sums and free its slot. */
static void mc_retire(struct mcast_tracker *t, uint32_t i)
{
	mc_fold(t, mc_entry(t, i));
	if (t->st)
		mc_stream_retire(t, i);
	t->retired++;
	mc_order_remove(t, i);
	mc_pool_remove(&t->entries, i);
}

uint32_t mc_entry_get(struct mcast_tracker *t, const struct mc_key *k,
		      bool *fresh)
{
	struct mc_pool *p = &t->entries;
	uint32_t hash, i;

	/* A stream's datagrams arrive in runs, so the entry used last (the
	 * head of the LRU list) is the likely one: no hash for it. */
	if (p->head != MC_NONE &&
	    memcmp(&mc_item(p, p->head)->key, k, sizeof(*k)) == 0) {
		*fresh = false;
		return p->head;
	}
	hash = mc_hash(t, k);
	i = mc_pool_find(p, k, hash);
	*fresh = i == MC_NONE;
	if (!*fresh) {
		mc_lru_touch(p, i);
		return i;
	}
	if (p->used == p->max)
		mc_retire(t, p->tail);
	i = mc_pool_add(p, k, hash);
	mc_order_append(t, i);
	return i;
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
	if (e->it.key.is_probe && !e->ended && !e->superseded)
		t->live_done++;
	e->superseded = true;
}

/*
 * Count a new session against its (group, source address) origin: the
 * first session of an origin is just a session; a later one with another
 * id is a restart.  The same id again is a session that was retired for
 * space and came back: neither.  Origins are kept LRU, max_sessions many.
 */
bool mc_origin_note(struct mcast_tracker *t, const struct mc_key *k)
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
			return false;
		if (o->last_port == k->source_port)
			mc_supersede(t, k, o->last_session);
		memcpy(o->last_session, k->session, MCAST_SESSION_LEN);
		o->last_port = k->source_port;
		t->restarts++;
		t->sessions++;
		return true;
	}
	if (p->used == p->max)
		mc_pool_remove(p, p->tail);
	o = (struct mc_origin *)mc_item(p, mc_pool_add(p, &ok, hash));
	memcpy(o->last_session, k->session, MCAST_SESSION_LEN);
	o->last_port = k->source_port;
	t->sessions++;
	return true;
}

/* Keyed by the whole sender: unlike the origins of probes and RTP
 * (source port 0), so the two never meet. */
bool mc_origin_first(struct mcast_tracker *t, const struct mc_key *k)
{
	struct mc_pool *p = &t->origins;
	struct mc_key ok = *k;
	uint32_t hash, i;

	memset(ok.session, 0, sizeof(ok.session));
	ok.is_probe = 0;
	hash = mc_hash(t, &ok);
	i = mc_pool_find(p, &ok, hash);
	if (i != MC_NONE) {
		mc_lru_touch(p, i);
		return false;
	}
	if (p->used == p->max)
		mc_pool_remove(p, p->tail);
	mc_pool_add(p, &ok, hash);
	return true;
}

/* ---------------------------------------------------------------- */
/* Life cycle                                                        */

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

int mc_table_init(struct mcast_tracker *t, uint32_t n)
{
	t->seed = mc_seed(t);
	t->ocap = 2 * n;
	for (t->otop = 1; t->otop * 2 <= t->ocap; t->otop *= 2)
		;
	t->order = malloc(t->ocap * sizeof(*t->order));
	t->fenwick = calloc(t->ocap + 1, sizeof(*t->fenwick));
	if (!t->order || !t->fenwick ||
	    mc_pool_init(&t->entries, n, sizeof(struct mc_entry)) < 0 ||
	    mc_pool_init(&t->origins, n, sizeof(struct mc_origin)) < 0)
		return -ENOMEM;
	memset(t->order, 0xff, t->ocap * sizeof(*t->order)); /* MC_NONE */
	return 0;
}

void mc_table_free(struct mcast_tracker *t)
{
	mc_pool_free(&t->entries);
	mc_pool_free(&t->origins);
	free(t->order);
	free(t->fenwick);
}
