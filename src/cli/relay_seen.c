/* SPDX-License-Identifier: MIT */
/* mcast relay: the bounded memory of datagrams relayed in the last second. */
#include "relay.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

int relay_seen_init(struct relay_seen *s)
{
	s->hash = calloc(RELAY_SEEN_SLOTS, sizeof(*s->hash));
	s->when = calloc(RELAY_SEEN_SLOTS, sizeof(*s->when));
	if (!s->hash || !s->when)
		return -1;
	if (getrandom(&s->seed, sizeof(s->seed), 0) != sizeof(s->seed))
		s->seed = (uint64_t)(uintptr_t)s ^ cli_monotonic_ns();
	return 0;
}

void relay_seen_free(struct relay_seen *s)
{
	free(s->hash);
	free(s->when);
}

uint64_t relay_seen_hash(const struct relay_seen *s,
			 const struct sockaddr_storage *group, const void *buf,
			 size_t len)
{
	const unsigned char *p = buf;
	uint64_t h = relay_mix(s->seed, len), w;

	if (group->ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const void *)group;

		memcpy(&w, &a->sin6_addr, 8);
		h = relay_mix(h, w);
		memcpy(&w, (const char *)&a->sin6_addr + 8, 8);
		h = relay_mix(h, w);
		h = relay_mix(h, a->sin6_port);
	} else {
		const struct sockaddr_in *a = (const void *)group;

		h = relay_mix(h, ((uint64_t)a->sin_addr.s_addr << 16) |
					 a->sin_port);
	}
	for (; len >= 8; p += 8, len -= 8) {
		memcpy(&w, p, 8);
		h = relay_mix(h, w);
	}
	w = 0;
	memcpy(&w, p, len);
	h = relay_mix(h, w);
	return h ? h : 1; /* 0 marks a free slot */
}

static size_t bucket(uint64_t h)
{
	return (size_t)(h >> 32) % (RELAY_SEEN_SLOTS / RELAY_SEEN_WAYS) *
	       RELAY_SEEN_WAYS;
}

bool relay_seen_recent(const struct relay_seen *s, uint64_t h, uint64_t now)
{
	size_t b = bucket(h);

	for (size_t i = b; i < b + RELAY_SEEN_WAYS; i++)
		if (s->hash[i] == h && now - s->when[i] < RELAY_SEEN_NS)
			return true;
	return false;
}

void relay_seen_add(struct relay_seen *s, uint64_t h, uint64_t now)
{
	size_t b = bucket(h), pick = b;

	for (size_t i = b; i < b + RELAY_SEEN_WAYS; i++) {
		if (s->hash[i] == h || !s->hash[i]) {
			pick = i;
			break;
		}
		if (s->when[i] < s->when[pick])
			pick = i;
	}
	s->hash[pick] = h;
	s->when[pick] = now;
}
