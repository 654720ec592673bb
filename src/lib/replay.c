/* SPDX-License-Identifier: MIT */
/*
 * The opener's bounded memory of streams, each with its derived key and a
 * sliding anti-replay window (RFC 4303 section 3.4.3, kept as a circular
 * bitmap in the manner of RFC 6479).
 *
 * A stream is (key id, session, message type, cipher): what one derived
 * key and one sequence space cover.  For each, the highest sequence number
 * accepted (top) and a bitmap of window bits, where bit (seq mod window)
 * stands for seq, for the numbers top - window + 1 .. top:
 *  - seq > top: new; the window slides up and the bits it uncovers clear;
 *  - top - seq < window: new when its bit is clear, else a replay;
 *  - top - seq >= window: too old to tell, so refused as a replay.
 *
 * Only datagrams whose tag verified are ever added (seal.c checks first),
 * so forgers cannot push real streams out.  All memory comes from
 * mc_streams_init(); when every entry is in use, the least recently
 * accepted stream is forgotten.  A forgotten stream's window is gone: a
 * replay of its datagrams is then caught only by the freshness check
 * (max_age), which is why that check exists.
 */
#include "crypto_internal.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

static uint32_t mc_stream_hash(const struct mc_streams *s,
			       const struct mc_stream_id *id)
{
	return mc_hash_bytes(s->seed, id, sizeof(*id));
}

int mc_streams_init(struct mc_streams *s, unsigned max, unsigned window)
{
	uint32_t nb = 1;

	memset(s, 0, sizeof(*s));
	s->head = s->tail = MC_STREAM_NONE;
	s->cap = max;
	s->window = ((uint64_t)window + 63) / 64 * 64;
	s->words = (uint32_t)(s->window / 64);
	while (nb < 2 * max)
		nb <<= 1;
	s->mask = nb - 1;
	/* Each stream keeps its derived key: out of core dumps. */
	s->slab = mc_secret_alloc((size_t)max * sizeof(*s->slab));
	s->bits = calloc((size_t)max * s->words, sizeof(*s->bits));
	s->buckets = malloc(nb * sizeof(*s->buckets));
	if (!s->slab || !s->bits || !s->buckets) {
		mc_streams_free(s);
		return -ENOMEM;
	}
	for (uint32_t b = 0; b < nb; b++)
		s->buckets[b] = MC_STREAM_NONE;
	/* The seed only spreads the buckets: a failure costs evenness. */
	if (getrandom(&s->seed, sizeof(s->seed), GRND_NONBLOCK) !=
	    (ssize_t)sizeof(s->seed))
		s->seed = (uint64_t)(uintptr_t)s ^ 0x6a09e667f3bcc909ull;
	return 0;
}

void mc_streams_free(struct mc_streams *s)
{
	mc_state_free(s->state);
	s->state = NULL;
	mc_secret_free(s->slab, (size_t)s->cap * sizeof(*s->slab));
	free(s->bits);
	free(s->buckets);
	s->slab = NULL;
	s->bits = NULL;
	s->buckets = NULL;
}

uint32_t mc_streams_find(const struct mc_streams *s,
			 const struct mc_stream_id *id)
{
	uint32_t h = mc_stream_hash(s, id);

	for (uint32_t i = s->buckets[h & s->mask]; i != MC_STREAM_NONE;
	     i = s->slab[i].chain) {
		const struct mc_stream *e = &s->slab[i];

		if (e->hash == h && memcmp(&e->id, id, sizeof(*id)) == 0)
			return i;
	}
	return MC_STREAM_NONE;
}

static uint64_t *mc_window_bits(const struct mc_streams *s, uint32_t i)
{
	return s->bits + (size_t)i * s->words;
}

bool mc_streams_replayed(const struct mc_streams *s, uint32_t i, uint64_t seq)
{
	const struct mc_stream *e = &s->slab[i];
	uint64_t pos;

	if (seq > e->top)
		return false;
	if (e->top - seq >= s->window)
		return true;
	pos = seq % s->window;
	return mc_window_bits(s, i)[pos / 64] >> (pos % 64) & 1;
}

/* Clear the bits of count sequence numbers from seq on (count < window).
 * The window is a whole number of words, so runs never straddle its end
 * within a word. */
static void mc_window_clear(uint64_t *bits, uint64_t window, uint64_t seq,
			    uint64_t count)
{
	while (count > 0) {
		uint64_t pos = seq % window;
		unsigned bit = (unsigned)(pos % 64);
		uint64_t n = 64 - bit;
		uint64_t mask;

		if (n > count)
			n = count;
		mask = n == 64 ? ~0ull : ((1ull << n) - 1) << bit;
		bits[pos / 64] &= ~mask;
		seq += n;
		count -= n;
	}
}

static void mc_lru_unlink(struct mc_streams *s, struct mc_stream *e)
{
	if (e->prev != MC_STREAM_NONE)
		s->slab[e->prev].next = e->next;
	else
		s->head = e->next;
	if (e->next != MC_STREAM_NONE)
		s->slab[e->next].prev = e->prev;
	else
		s->tail = e->prev;
}

static void mc_lru_push(struct mc_streams *s, struct mc_stream *e, uint32_t i)
{
	e->prev = MC_STREAM_NONE;
	e->next = s->head;
	if (s->head != MC_STREAM_NONE)
		s->slab[s->head].prev = i;
	else
		s->tail = i;
	s->head = i;
}

void mc_streams_accept(struct mc_streams *s, uint32_t i, uint64_t seq)
{
	struct mc_stream *e = &s->slab[i];
	uint64_t *bits = mc_window_bits(s, i);
	uint64_t pos;

	if (seq > e->top) {
		uint64_t d = seq - e->top;

		if (d >= s->window)
			memset(bits, 0, s->words * sizeof(*bits));
		else
			mc_window_clear(bits, s->window, e->top + 1, d);
		e->top = seq;
	}
	pos = seq % s->window;
	bits[pos / 64] |= 1ull << (pos % 64);
	if (s->head != i) {
		mc_lru_unlink(s, e);
		mc_lru_push(s, e, i);
	}
}

/* Take the least recently used entry out of its bucket and the list. */
static uint32_t mc_streams_evict(struct mc_streams *s)
{
	uint32_t i = s->tail;
	struct mc_stream *e = &s->slab[i];
	uint32_t *link = &s->buckets[e->hash & s->mask];

	while (*link != i)
		link = &s->slab[*link].chain;
	*link = e->chain;
	mc_lru_unlink(s, e);
	OPENSSL_cleanse(e->key, sizeof(e->key));
	s->evicted++;
	return i;
}

/* A new entry for id, linked in and made the most recently used. */
static uint32_t mc_streams_insert(struct mc_streams *s,
				  const struct mc_stream_id *id)
{
	uint32_t i = s->used < s->cap ? s->used++ : mc_streams_evict(s);
	struct mc_stream *e = &s->slab[i];
	uint32_t b;

	e->id = *id;
	e->gen = 0; /* the caller names the new key (seal.c) */
	e->hash = mc_stream_hash(s, id);
	b = e->hash & s->mask;
	e->chain = s->buckets[b];
	s->buckets[b] = i;
	mc_lru_push(s, e, i);
	return i;
}

uint32_t mc_streams_add(struct mc_streams *s, const struct mc_stream_id *id,
			const uint8_t key[MCAST_KEY_LEN], uint64_t seq)
{
	uint32_t i = mc_streams_insert(s, id);
	struct mc_stream *e = &s->slab[i];

	memcpy(e->key, key, MCAST_KEY_LEN);
	e->keyed = true;
	e->top = seq;
	/* mc_state_reserve() wrote the file with this margin. */
	e->at_save = seq;
	e->limit = !s->state ? seq
		   : seq > UINT64_MAX - MC_STATE_MARGIN_MIN
			   ? UINT64_MAX
			   : seq + MC_STATE_MARGIN_MIN;
	memset(mc_window_bits(s, i), 0, s->words * sizeof(uint64_t));
	mc_streams_accept(s, i, seq);
	return i;
}

void mc_streams_set_key(struct mc_streams *s, uint32_t i,
			const uint8_t key[MCAST_KEY_LEN])
{
	memcpy(s->slab[i].key, key, MCAST_KEY_LEN);
	s->slab[i].keyed = true;
}

uint32_t mc_streams_restore(struct mc_streams *s, const struct mc_stream_id *id,
			    uint64_t top, uint64_t limit, const uint8_t *fbits,
			    uint64_t fwindow)
{
	uint32_t i = mc_streams_insert(s, id);
	struct mc_stream *e = &s->slab[i];
	uint64_t *bits = mc_window_bits(s, i);
	uint64_t n = fwindow < s->window ? fwindow : s->window;

	OPENSSL_cleanse(e->key, sizeof(e->key));
	e->keyed = false;
	/* Refuse all, then free what the saved window knew was free. */
	memset(bits, 0xff, s->words * sizeof(*bits));
	if (limit > top) {
		/* Saved while running: anything up to limit may have been
		 * accepted after the save. */
		top = limit;
	} else {
		for (uint64_t k = 0; k < n && k <= top; k++) {
			uint64_t pos = (top - k) % s->window;

			if (!(fbits[k / 8] >> (k % 8) & 1))
				bits[pos / 64] &= ~(1ull << (pos % 64));
		}
	}
	e->top = e->limit = e->at_save = top;
	return i;
}

void mc_streams_clear(struct mc_streams *s)
{
	for (uint32_t b = 0; b <= s->mask; b++)
		s->buckets[b] = MC_STREAM_NONE;
	OPENSSL_cleanse(s->slab, (size_t)s->cap * sizeof(*s->slab));
	s->used = 0;
	s->head = s->tail = MC_STREAM_NONE;
}
