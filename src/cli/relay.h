/* SPDX-License-Identifier: MIT */
/* mcast relay: multicast from one link to another, or over unicast. */
#ifndef MCAST_CLI_RELAY_H
#define MCAST_CLI_RELAY_H

#include "recv.h"
#include <errno.h>
#include "sealing.h"

/*
 * The datagrams a relay has sent on, for a second: a copy that comes back
 * (two relays facing each other, a looped topology) is not sent again.
 * A datagram is known by a 64-bit hash of its group, port and payload -
 * not its source, which each relay rewrites - keyed with a random seed per
 * run.  The table has RELAY_SEEN_SLOTS slots in buckets of
 * RELAY_SEEN_WAYS; a bucket full of entries younger than a second gives
 * up its oldest, so at more than about that many distinct datagrams a
 * second a copy may be forgotten early and relayed again (the TTL still
 * ends a loop).  256 KiB, allocated once.
 */
#define RELAY_SEEN_SLOTS 16384
#define RELAY_SEEN_WAYS	 4
#define RELAY_SEEN_NS	 1000000000ull

struct relay_seen {
	uint64_t seed;
	uint64_t *hash; /* 0: a free slot */
	uint64_t *when; /* monotonic ns it was relayed */
};

/* Multiply-xorshift over 8-byte words: a relay hashes every payload it
 * forwards, so this must cost far less than the copy the kernel makes. */
static inline uint64_t relay_mix(uint64_t h, uint64_t w)
{
	h = (h ^ w) * 0x9e3779b97f4a7c15ull;
	return h ^ (h >> 29);
}

int relay_seen_init(struct relay_seen *s);
void relay_seen_free(struct relay_seen *s);
/* The hash of a datagram to group (address and port). */
uint64_t relay_seen_hash(const struct relay_seen *s,
			 const struct sockaddr_storage *group, const void *buf,
			 size_t len);
/* true when h was relayed less than a second before now (ns). */
bool relay_seen_recent(const struct relay_seen *s, uint64_t h, uint64_t now);
/* Remember h as relayed at now. */
void relay_seen_add(struct relay_seen *s, uint64_t h, uint64_t now);

/* Addresses (family, address, port) to indexes: the relay's groups, its
 * own senders.  Built once at start; lookups cost one hash. */
struct addr_key {
	uint8_t addr[16];
	uint16_t port;
	uint8_t family, used;
};
struct addr_index {
	struct addr_key *key;
	size_t *val;
	size_t mask, n;
};
/* Room for n addresses; 0, or -1 out of memory. */
int addr_index_init(struct addr_index *x, size_t n);
void addr_index_free(struct addr_index *x);
/* a -> val; an address added again keeps its first val. */
void addr_index_add(struct addr_index *x, const struct sockaddr_storage *a,
		    size_t val);
/* a's val, or -1. */
long addr_index_find(const struct addr_index *x,
		     const struct sockaddr_storage *a);

/* What one direction (or a tunnel end) did with what it received. */
struct relay_counts {
	uint64_t relayed, bytes;
	uint64_t ttl;	    /* arrived with TTL <= 1 */
	uint64_t seen;	    /* relayed less than a second ago */
	uint64_t own;	    /* sent by this relay */
	uint64_t other_if;  /* arrived on another interface */
	uint64_t truncated; /* longer than the buffer */
	uint64_t unknown;   /* for a group not named */
	uint64_t send_fail; /* the kernel refused to send */
	uint64_t unallowed; /* tunnel: from an address not --allow'ed */
	uint64_t malformed; /* tunnel: not a tunnel datagram */
	uint64_t lost;	    /* tunnel: sequence numbers missing */
	uint64_t too_big;   /* tunnel: no room for the tunnel's header */
	bool tunnel;	    /* the tunnel counters mean something */
	const struct mcast_rejects *rejects; /* --key at the far end */
};

/* A list of addresses from a repeatable option. */
struct addr_list {
	struct sockaddr_storage *a;
	size_t n, cap;
};

struct relay_cfg {
	const char *from, *to;	/* interfaces */
	struct addr_list peers; /* --peer: tunnel listeners to send to */
	struct addr_list allow; /* --allow: who may send to the listener */
	struct sockaddr_storage listen; /* --tunnel-listen; AF_UNSPEC: none */
	struct sockaddr_storage amt;	/* --amt-listen; AF_UNSPEC: none */
	double amt_query_interval;	/* seconds */
	struct sealing_cfg sealing;	/* --key: the tunnel is sealed */
	long long tunnel_id; /* what sealed tunnel messages are bound to */
	bool both, json;
	int ttl; /* -1: what arrived, less one */
	double duration;
	int rcvbuf;
	struct group_arg *groups;
	size_t ngroups, groups_cap;
};

void relay_parse_args(int argc, char **argv, struct relay_cfg *c);

#define RELAY_BATCH 64 /* datagrams per receive */
/* Point each of v's RELAY_BATCH slots at its buffer and metadata. */
void relay_slots(struct mcast_dgram *v, struct mcast_meta *metas,
		 unsigned char (*bufs)[CLI_DGRAM_MAX]);

/* The far end of a tunnel, --tunnel-listen: runs until the end and
 * returns the exit status. */
int relay_listen(const struct relay_cfg *c);

/* Errors that mean the link (or the route over it) is away for now. */
static inline bool relay_link_error(int rc)
{
	return rc == -ENODEV || rc == -ENXIO || rc == -ENETDOWN ||
	       rc == -ENETUNREACH || rc == -EADDRNOTAVAIL ||
	       rc == -EHOSTUNREACH;
}

/* Say once when sends through what (an interface, a peer) start failing
 * for a link error and once when they go through again; *down holds the
 * state.  rc: what the send returned. */
void relay_send_state(bool *down, const char *what, int rc);

/* An AMT relay, --amt-listen (relay_amt.c): runs until the end and
 * returns the exit status. */
int relay_amt(const struct relay_cfg *c);

/* The near end, --peer: a session per peer, over one socket per family. */
struct tunnel_out {
	mcast_t *sock[2];		       /* [0] IPv4 peers, [1] IPv6 */
	uint8_t (*session)[MCAST_SESSION_LEN]; /* per peer */
	uint64_t *seq;			       /* next, per peer */
	bool *down;		/* per peer: sends fail for a link error */
	uint64_t t0;		/* monotonic ns at start */
	struct sealing sealing; /* --key */
	struct mcast_bind bind; /* the tunnel id */
};
void tunnel_out_open(struct tunnel_out *t, const struct relay_cfg *c);
/* Send v[0..n) (meta: arrival TTL, source and group) to every peer;
 * returns how many went to the first peer (all or none, per peer). */
void tunnel_out_send(struct tunnel_out *t, const struct relay_cfg *c,
		     const struct mcast_dgram *v, size_t n,
		     struct relay_counts *cnt);
/* End every session (three end-of-stream markers each) and close. */
void tunnel_out_close(struct tunnel_out *t, const struct relay_cfg *c);
/* The summary of the directions (or tunnel ends), on stdout. */
void relay_summary(const struct relay_cfg *c, const char *const *names,
		   const struct relay_counts *n, size_t count);

#endif /* MCAST_CLI_RELAY_H */
