/* SPDX-License-Identifier: MIT */
/*
 * The stream tracker's insides, shared by its two files and never
 * installed: stats_table.c keeps the bounded table of entries, stats.c the
 * counters in them.
 */
#ifndef STATS_INTERNAL_H
#define STATS_INTERNAL_H

#include "mc_internal.h"

#include <stdint.h>

#define MC_NONE UINT32_MAX

/*
 * What identifies an entry, flattened so that hashing and comparing are
 * plain byte operations: every byte is written (no padding), unused
 * address bytes are zero.  Plain sources have is_probe 0 and a zero
 * session; origins (see struct mc_origin) also zero the source port.
 * Streams other than probes (stream.c) set kind, and RTP its SSRC in
 * session.
 */
struct mc_key {
	uint8_t group[16];
	uint8_t source[16];
	uint8_t session[MCAST_SESSION_LEN];
	uint32_t group_scope, source_scope;
	uint16_t group_port, source_port;
	uint8_t group_family, source_family; /* 4, 6, or 0: unknown */
	uint8_t is_probe;
	uint8_t kind; /* enum mcast_stream_type; 0 for probes and plain */
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
	uint8_t head;	 /* enum mcast_head */
	int hops;
	uint64_t first_seq, max_seq;
	uint64_t received, late, duplicates, reordered, bytes, total_sent;
	uint64_t not_sent; /* from the END */
	struct timespec first, last;
	int64_t transit; /* arrival - send of the previous distinct probe */
	double jitter;
	int64_t lat_min, lat_max;
	uint64_t lat_count;
	struct sockaddr_storage group, source;
	/* Sequence-numbered streams (stream.c): numbers expected in earlier
	 * runs (before an RTP restart), and the next number a heartbeat
	 * announced (0: none). */
	uint64_t prior, announced;
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

/* Since when the receiver has listened to a group (port 0: any port). */
struct mc_listen {
	uint8_t family; /* 4 or 6 */
	uint8_t addr[16];
	uint16_t port;
	int64_t since_ns; /* CLOCK_REALTIME */
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
		uint64_t total_sent, not_sent, head_missed;
	} gone;
	uint64_t restarts, malformed, retired, sessions;
	uint64_t plain; /* datagrams without the mcast header, all entries */
	bool have_time;
	struct timespec first, last;
	struct mcast_hist latency; /* every distinct probe */
	int64_t lat_min, lat_max;
	int hops; /* of the latest data probe */

	/* mcast_tracker_listening(): per group, and the default.  Grows
	 * with the caller's joins, never with traffic. */
	struct mc_listen *listen;
	size_t nlisten, listen_cap;
	bool listen_all;
	int64_t listen_all_ns;

	/* Streams other than mcast's own (stream.c); NULL when the tracker
	 * reads only probes (MCAST_STREAM_MCAST). */
	struct mc_streams *st;
	struct mc_stream *streams; /* per entry, beside bits and hists */
};

static inline struct mc_item *mc_item(const struct mc_pool *p, uint32_t i)
{
	return (struct mc_item *)((char *)p->items + (size_t)i * p->stride);
}

static inline struct mc_entry *mc_entry(const struct mcast_tracker *t,
					uint32_t i)
{
	return (struct mc_entry *)mc_item(&t->entries, i);
}

/* stats_table.c: the seeded hash, both pools and the first-arrival order
 * for max_sessions n; mc_table_free() copes with a half-done init. */
int mc_table_init(struct mcast_tracker *t, uint32_t n);
void mc_table_free(struct mcast_tracker *t);

/* stats_table.c: the entry for key k, made most recently used.  A new one
 * (*fresh set) is zeroed but for its key and placed last in the order; to
 * make room, the least recently used entry is retired first. */
uint32_t mc_entry_get(struct mcast_tracker *t, const struct mc_key *k,
		      bool *fresh);

/* stats_table.c: the n-th live entry (from 0) in first-arrival order. */
uint32_t mc_order_nth(const struct mcast_tracker *t, uint32_t n);

/* stats_table.c: count a new session as a first one or a restart.
 * Returns false for a session the origin sent last (an entry retired
 * for space and heard again), true for a new one. */
bool mc_origin_note(struct mcast_tracker *t, const struct mc_key *k);
/* stats_table.c: a stream without session ids (MPEG-TS, a sequence
 * field, a plain source) from a (group, source address and port): true
 * the first time, false while the origins remember it. */
bool mc_origin_first(struct mcast_tracker *t, const struct mc_key *k);

/* stats_head.c: where the accounting of a new session starts (enum
 * mcast_head), from its first datagram's header and arrival time ts. */
int mc_head_decide(const struct mcast_tracker *t, const struct mcast_hdr *h,
		   const struct mcast_meta *meta, const struct timespec *ts);
void mc_listen_free(struct mcast_tracker *t);

/* stats.c: add a retiring entry's counters to the running sums. */
void mc_fold(struct mcast_tracker *t, const struct mc_entry *e);

/* stats.c, for the stream analyzers (stream.c) */
void mc_key_make(struct mc_key *k, const struct mcast_meta *meta,
		 const uint8_t *session);
struct timespec mc_arrival(const struct mcast_meta *meta);
uint32_t mc_entry_for(struct mcast_tracker *t, const struct mc_key *k,
		      const struct mcast_meta *meta, const struct mcast_hdr *h);
void mc_arrived(struct mcast_tracker *t, struct mc_entry *e,
		const struct timespec *ts);
bool mc_sequence(struct mcast_tracker *t, uint32_t i, uint64_t s);
int mc_feed_plain(struct mcast_tracker *t, const struct mcast_meta *meta);

/* stats_table.c: remove item i (of hash) from an open-addressing index
 * by backward shift, hash_of(ctx, j) giving item j's hash: no tombstones,
 * so churn cannot clog it. */
void mc_index_remove(uint32_t *table, uint32_t mask, uint32_t i, uint32_t hash,
		     uint32_t (*hash_of)(const void *, uint32_t),
		     const void *ctx);

/* stats_table.c: find or add key k in an auxiliary pool (a new item is
 * zeroed but for its key; the least recently used makes room). */
int mc_pool_init(struct mc_pool *p, uint32_t max, size_t stride);
void mc_pool_free(struct mc_pool *p);
uint32_t mc_pool_get(struct mcast_tracker *t, struct mc_pool *p,
		     const struct mc_key *k, bool *fresh);

/* stream.c: the analyzers' side of the tracker's life and feeding.
 * mc_stream_feed() returns MC_FEED_MCAST for a datagram the probe
 * tracker reads as before. */
#define MC_FEED_MCAST 1000
int mc_stream_new(struct mcast_tracker *t, const struct mcast_tracker_opts *o);
void mc_stream_free(struct mcast_tracker *t);
int mc_stream_feed(struct mcast_tracker *t, const void *buf, size_t len,
		   const struct mcast_meta *meta);
void mc_stream_reset(struct mcast_tracker *t, uint32_t i);
void mc_stream_retire(struct mcast_tracker *t, uint32_t i);
uint64_t mc_stream_expected(const struct mc_entry *e);
void mc_stream_get(const struct mcast_tracker *t, uint32_t i,
		   struct mcast_stream_stats *s);
void mc_stream_totals(const struct mcast_tracker *t,
		      struct mcast_stream_stats *s);

#endif /* STATS_INTERNAL_H */
