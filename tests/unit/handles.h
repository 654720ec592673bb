/* SPDX-License-Identifier: MIT */
/*
 * handles.h - receivers and senders on lo for the tests that open real
 * sockets (test_handles.c, test_io.c).  A file that includes it must call
 * netns_enter() first thing in main(): these join and send for real, and
 * must never do so on the host's network.
 */
#ifndef HANDLES_H
#define HANDLES_H

#include "check.h"
#include "mcast.h"
#include "netns.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

static unsigned lo_index;

static inline struct sockaddr_storage addr(const char *text, unsigned flags)
{
	struct sockaddr_storage ss;

	check_ctx = text;
	CHECK(mcast_addr_parse(text, flags, &ss) > 0);
	check_ctx = NULL;
	return ss;
}

static inline struct sockaddr_storage group(const char *text)
{
	return addr(text, MCAST_PARSE_GROUP | MCAST_PARSE_PORT);
}

#define SA(ss) ((const struct sockaddr *)&(ss))

/* A receiver on iface (NULL: none) that must open. */
static inline mcast_t *receiver(const char *iface)
{
	struct mcast_opts o;
	mcast_t *m = NULL;

	mcast_opts_init(&o);
	o.iface = iface;
	if (!CHECK_CODE(mcast_receiver_open(&m, &o), 0))
		return NULL;
	CHECK(m != NULL);
	return m;
}

/* A receiver on lo joined to text, or NULL. */
static inline mcast_t *receiver_on(const char *text)
{
	struct sockaddr_storage g = group(text);
	mcast_t *m = receiver("lo");

	if (m && !CHECK_CODE(mcast_join(m, SA(g), NULL, 0), 0)) {
		fprintf(stderr, "    join %s: %s\n", text, mcast_errmsg(m));
		mcast_close(m);
		return NULL;
	}
	return m;
}

/* A sender to text on lo from 127.0.0.1 (lo's only IPv4 address is host-
 * scoped, so an unbound sender would send from 0.0.0.0). */
static inline mcast_t *sender_on(const char *text, int ttl)
{
	struct sockaddr_storage g = group(text);
	struct mcast_opts o;
	char step[MCAST_ERRMSG_MAX] = "";
	mcast_t *m = NULL;

	mcast_opts_init(&o);
	o.iface = "lo";
	o.ttl = ttl;
	o.loop = 1;
	o.errbuf = step;
	o.errlen = sizeof(step);
	o.bind = addr("127.0.0.1", MCAST_PARSE_UNICAST);
	if (!CHECK_CODE(mcast_sender_open(&m, SA(g), &o), 0)) {
		fprintf(stderr, "    sender %s: %s\n", text, step);
		return NULL;
	}
	return m;
}

/* Move into a private namespace (or exit 77) with lo up; 0, or 1 when lo
 * cannot be brought up.  Not CHECKs: test_handles checks these very steps,
 * and a count of its own elsewhere would only repeat them. */
static inline int lo_namespace(void)
{
	netns_enter();
	lo_index = if_nametoindex("lo");
	if (lo_index == 0 || netns_set_lo_up() != 0) {
		fprintf(stderr, "FAIL: no lo to bring up in the namespace\n");
		return 1;
	}
	return 0;
}

static inline int is_v4(const struct sockaddr_storage *ss, const char *a,
			unsigned port)
{
	const struct sockaddr_in *s4 = (const void *)ss;
	struct in_addr want;

	inet_pton(AF_INET, a, &want);
	return s4->sin_family == AF_INET &&
	       s4->sin_addr.s_addr == want.s_addr &&
	       ntohs(s4->sin_port) == port;
}

#endif /* HANDLES_H */
