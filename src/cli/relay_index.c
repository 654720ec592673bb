/* SPDX-License-Identifier: MIT */
/*
 * mcast relay: addresses to indexes in a hash table built at start.  The
 * relay looks up every datagram's group (and, link to link, its source
 * among its own senders); a range of groups may name thousands, where a
 * scan per datagram would cost more than the relaying.
 */
#include "relay.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

/* What mcast_addr_same(a, b, 1) compares: family, address, port. */
static void key_of(struct addr_key *k, const struct sockaddr_storage *a)
{
	memset(k, 0, sizeof(*k));
	k->family = (uint8_t)a->ss_family;
	k->port = (uint16_t)mcast_addr_port((const struct sockaddr *)a);
	if (a->ss_family == AF_INET6)
		memcpy(k->addr, &((const struct sockaddr_in6 *)a)->sin6_addr,
		       16);
	else if (a->ss_family == AF_INET)
		memcpy(k->addr, &((const struct sockaddr_in *)a)->sin_addr, 4);
}

static size_t slot_of(const struct addr_index *x, const struct addr_key *k)
{
	uint64_t w[2], h;

	memcpy(w, k->addr, 16);
	h = relay_mix(relay_mix(relay_mix(0, w[0]), w[1]),
		      (uint64_t)k->family << 16 | k->port);
	return (size_t)(h >> 32) & x->mask;
}

int addr_index_init(struct addr_index *x, size_t n)
{
	size_t slots = 16;

	while (slots < 2 * n)
		slots *= 2;
	x->mask = slots - 1;
	x->n = 0;
	x->key = calloc(slots, sizeof(*x->key));
	x->val = calloc(slots, sizeof(*x->val));
	return x->key && x->val ? 0 : -1;
}

void addr_index_free(struct addr_index *x)
{
	free(x->key);
	free(x->val);
}

/* Linear probing; the table is at most half full. */
void addr_index_add(struct addr_index *x, const struct sockaddr_storage *a,
		    size_t val)
{
	struct addr_key k;
	size_t i;

	key_of(&k, a);
	k.used = 1;
	for (i = slot_of(x, &k); x->key[i].used; i = (i + 1) & x->mask)
		if (memcmp(&x->key[i], &k, sizeof(k)) == 0)
			return; /* the first one named wins */
	if (x->n + 1 > (x->mask + 1) / 2)
		return; /* more than init was told: cannot happen */
	x->key[i] = k;
	x->val[i] = val;
	x->n++;
}

long addr_index_find(const struct addr_index *x,
		     const struct sockaddr_storage *a)
{
	struct addr_key k;

	key_of(&k, a);
	k.used = 1;
	for (size_t i = slot_of(x, &k); x->key[i].used; i = (i + 1) & x->mask)
		if (memcmp(&x->key[i], &k, sizeof(k)) == 0)
			return (long)x->val[i];
	return -1;
}
