/* SPDX-License-Identifier: MIT */
/*
 * Receivers of many groups and many ports: no fixed limit, sockets opened
 * as the kernel's per-socket membership limit (igmp_max_memberships, 20
 * by default) fills them, every group heard once with its own address,
 * rejoin and close over all of them.
 *
 * SAFETY: as test_io.c, this joins and sends for real, so it first moves
 * into a private network namespace (exit 77 when it cannot).  The
 * namespace's own sysctls and routes die with it.
 */
#include "check.h"
#include "netns.h"
#include "handles.h"

#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

#define WAIT_MS 2000

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* This namespace's igmp_max_memberships, or 20 (the default). */
static unsigned max_memberships(void)
{
	FILE *f = fopen("/proc/sys/net/ipv4/igmp_max_memberships", "r");
	unsigned v = 20;

	if (f) {
		if (fscanf(f, "%u", &v) != 1)
			v = 20;
		fclose(f);
	}
	return v;
}

/* Group number i of a test: IPv4 239.7.x.y, or IPv6 ff15::7:i. */
static struct sockaddr_storage nth(int family, unsigned i, unsigned port)
{
	char text[64];

	if (family == AF_INET)
		snprintf(text, sizeof(text), "239.7.%u.%u:%u", (i + 1) >> 8,
			 (i + 1) & 255, port);
	else
		snprintf(text, sizeof(text), "[ff15::7:%x]:%u", i + 1, port);
	return group(text);
}

/* Which of the n groups (on nports ports, by i % nports) dst is, or -1. */
static int which(const struct sockaddr_storage *dst, int family, unsigned n,
		 unsigned port0, unsigned nports)
{
	unsigned port = mcast_addr_port((const struct sockaddr *)dst);

	if (dst->ss_family != family || port < port0 || port >= port0 + nports)
		return -1;
	for (unsigned i = port - port0; i < n; i += nports) {
		struct sockaddr_storage g = nth(family, i, port);

		if (mcast_addr_same(SA(g), (const struct sockaddr *)dst, 1))
			return (int)i;
	}
	return -1;
}

/*
 * n groups spread over nports ports, one datagram to each from a sender
 * that names each destination: every group arrives exactly once, as its
 * own group.  Returns the receiver (joined) for further checks, or NULL.
 */
static mcast_t *join_and_hear(int family, unsigned n, unsigned port0,
			      unsigned nports)
{
	struct mcast_info info = { .size = sizeof(info) };
	struct mcast_opts o;
	mcast_t *r = receiver("lo"), *s = NULL;
	unsigned char *seen = calloc(n, 1);
	unsigned heard = 0, twice = 0, stray = 0;
	double t0;

	if (!r || !seen) {
		free(seen);
		mcast_close(r);
		return NULL;
	}
	t0 = now_s();
	for (unsigned i = 0; i < n; i++) {
		struct sockaddr_storage g = nth(family, i, port0 + i % nports);

		if (!CHECK_CODE(mcast_join(r, SA(g), NULL, 0), 0)) {
			fprintf(stderr, "    join %u: %s\n", i,
				mcast_errmsg(r));
			break;
		}
	}
	printf("note: %u %s joins on %u ports in %.3f s\n", n,
	       family == AF_INET ? "IPv4" : "IPv6", nports, now_s() - t0);
	CHECK_CODE(mcast_get_info(r, &info), 0);
	CHECK_EQ_INT(info.ngroups, n);
	if (family == AF_INET) {
		/* Full sockets, and one partly filled per port. */
		unsigned per = max_memberships(), each = n / nports;

		CHECK_EQ_INT(info.nsockets, nports * ((each + per - 1) / per));
	} else {
		CHECK(info.nsockets >= nports);
	}

	mcast_opts_init(&o);
	o.iface = "lo";
	o.loop = 1;
	o.flags = MCAST_OPT_REPLIES; /* sends to any group */
	o.bind = addr(family == AF_INET ? "127.0.0.1" : "::1",
		      MCAST_PARSE_UNICAST);
	{
		struct sockaddr_storage g0 = nth(family, 0, port0);

		if (!CHECK_CODE(mcast_sender_open(&s, SA(g0), &o), 0))
			goto out;
	}
	/* In rounds no larger than a socket's receive buffer holds. */
	for (unsigned done = 0; done < n;) {
		unsigned round = n - done < 256 ? n - done : 256;

		for (unsigned i = done; i < done + round; i++) {
			struct sockaddr_storage g =
				nth(family, i, port0 + i % nports);
			struct mcast_dgram d = { .buf = &i,
						 .len = sizeof(i),
						 .to = SA(g) };

			CHECK_CODE(mcast_send_batch(s, &d, 1), 1);
		}
		for (unsigned got = 0; got < round;) {
			struct mcast_meta meta[16];
			unsigned bufs[16];
			struct mcast_dgram v[16];
			int k;

			for (int j = 0; j < 16; j++) {
				mcast_meta_init(&meta[j]);
				v[j] = (struct mcast_dgram){ .buf = &bufs[j],
							     .cap = sizeof(
								     bufs[j]),
							     .meta = &meta[j] };
			}
			k = mcast_recv_batch(r, v, 16, WAIT_MS);
			if (!CHECK(k > 0))
				break;
			for (int j = 0; j < k; j++) {
				int w = which(&meta[j].dst, family, n, port0,
					      nports);

				if (w < 0 || (unsigned)w != bufs[j])
					stray++;
				else if (seen[w]++)
					twice++;
				else
					heard++;
			}
			got += (unsigned)k;
		}
		done += round;
	}
	CHECK_EQ_INT(heard, n);
	CHECK_EQ_INT(twice, 0);
	CHECK_EQ_INT(stray, 0);
	CHECK_CODE(mcast_get_info(r, &info), 0);
	CHECK_EQ_INT(info.kernel_drops, 0);
out:
	mcast_close(s);
	free(seen);
	return r;
}

/* 2048 IPv4 groups (mcjoin's most) on four ports; rejoin; close. */
static void test_many_v4(void)
{
	double t0;
	mcast_t *r = join_and_hear(AF_INET, 2048, 6000, 4);

	if (!r)
		return;
	t0 = now_s();
	CHECK_CODE(mcast_rejoin(r), 0);
	printf("note: 2048 rejoins in %.3f s\n", now_s() - t0);
	t0 = now_s();
	mcast_close(r);
	printf("note: close (2048 leaves) in %.3f s\n", now_s() - t0);
}

/* Set once the IPv6 multicast route on lo is in place (needs ip(8)). */
static int v6_route;

/* 512 IPv6 groups on two ports. */
static void test_many_v6(void)
{
	/* IPv6 over lo needs a multicast route in the local table. */
	if (system("ip -6 route add local ff00::/8 dev lo table local "
		   ">/dev/null 2>&1") != 0) {
		printf("note: cannot add an IPv6 multicast route on lo; IPv6 "
		       "part skipped\n");
		return;
	}
	v6_route = 1;
	mcast_close(join_and_hear(AF_INET6, 512, 7000, 2));
}

/*
 * IPv6 has no membership limit of its own: a socket's memberships come
 * out of its option memory, net.core.optmem_max (128 KiB: some 2000
 * groups).  With 4 KiB the kernel refuses the 30th or so group (ENOMEM),
 * and the groups after it go to more sockets of the port.  optmem_max
 * belongs to the network namespace only since Linux 6.9: on older
 * kernels it is the host's, and this part is skipped.
 */
static void test_v6_optmem(void)
{
	struct mcast_info info = { .size = sizeof(info) };
	struct utsname u;
	unsigned major = 0, minor = 0;
	FILE *f;
	mcast_t *r;

	if (!v6_route) /* without ip(8), an optional tool */
		return;
	if (uname(&u) != 0 || sscanf(u.release, "%u.%u", &major, &minor) != 2 ||
	    major * 100 + minor < 609) {
		printf("note: optmem_max is not per namespace here; IPv6 "
		       "spill part skipped\n");
		return;
	}
	if (!(f = fopen("/proc/sys/net/core/optmem_max", "w")) ||
	    fputs("4096\n", f) < 0 || fclose(f) != 0) {
		printf("note: cannot lower optmem_max; IPv6 spill part "
		       "skipped\n");
		return;
	}
	r = join_and_hear(AF_INET6, 200, 7100, 1);
	if (r && CHECK_CODE(mcast_get_info(r, &info), 0))
		CHECK(info.nsockets > 1);
	mcast_close(r);
}

/* Forty ports, one group each: a socket per port, past any old limit. */
static void test_many_ports(void)
{
	struct mcast_info info = { .size = sizeof(info) };
	mcast_t *r = receiver("lo");

	if (!r)
		return;
	for (unsigned p = 0; p < 40; p++) {
		struct sockaddr_storage g = nth(AF_INET, p, 8000 + p);

		CHECK_CODE(mcast_join(r, SA(g), NULL, 0), 0);
	}
	CHECK_CODE(mcast_get_info(r, &info), 0);
	CHECK_EQ_INT(info.ngroups, 40);
	CHECK_EQ_INT(info.nsockets, 40);
	mcast_close(r);
}

/*
 * Ten sockets, so epoll says which are readable: a port with a queue of
 * 200 datagrams must not starve one with a single datagram that came
 * after them.  It is read by the second batch at the latest.
 */
static void test_fair_over_ready(void)
{
	struct sockaddr_storage g[10];
	mcast_t *r = receiver("lo"), *s = NULL;
	struct mcast_opts o;
	unsigned calls = 0, found = 0;

	if (!r)
		return;
	for (unsigned p = 0; p < 10; p++) {
		g[p] = nth(AF_INET, p, 8200 + p);
		CHECK_CODE(mcast_join(r, SA(g[p]), NULL, 0), 0);
	}
	mcast_opts_init(&o);
	o.iface = "lo";
	o.loop = 1;
	o.flags = MCAST_OPT_REPLIES;
	o.bind = addr("127.0.0.1", MCAST_PARSE_UNICAST);
	if (!CHECK_CODE(mcast_sender_open(&s, SA(g[0]), &o), 0))
		goto out;
	for (unsigned i = 0; i < 201; i++) {
		struct mcast_dgram d = { .buf = &i,
					 .len = sizeof(i),
					 .to = SA(g[i < 200 ? 0 : 9]) };

		CHECK_CODE(mcast_send_batch(s, &d, 1), 1);
	}
	while (!found && calls < 20) {
		struct mcast_meta meta[16];
		unsigned bufs[16];
		struct mcast_dgram v[16];
		int k;

		for (int j = 0; j < 16; j++) {
			mcast_meta_init(&meta[j]);
			v[j] = (struct mcast_dgram){ .buf = &bufs[j],
						     .cap = sizeof(bufs[j]),
						     .meta = &meta[j] };
		}
		k = mcast_recv_batch(r, v, 16, WAIT_MS);
		calls++;
		if (!CHECK(k > 0))
			break;
		for (int j = 0; j < k; j++)
			found |= bufs[j] == 200;
	}
	CHECK(found);
	CHECK(calls <= 2);
out:
	mcast_close(s);
	mcast_close(r);
}

/* A group joined twice is refused by its own socket, not sent on to a
 * new one: EADDRINUSE is not a full socket. */
static void test_duplicate_not_spilled(void)
{
	struct mcast_info info = { .size = sizeof(info) };
	unsigned per = max_memberships();
	mcast_t *r = receiver("lo");

	if (!r)
		return;
	/* The first socket full, the second holding one group. */
	for (unsigned i = 0; i <= per; i++) {
		struct sockaddr_storage g = nth(AF_INET, i, 8100);

		CHECK_CODE(mcast_join(r, SA(g), NULL, 0), 0);
	}
	for (unsigned i = 0; i <= per; i += per) {
		struct sockaddr_storage g = nth(AF_INET, i, 8100);

		CHECK_CODE(mcast_join(r, SA(g), NULL, 0), -EADDRINUSE);
	}
	CHECK_CODE(mcast_get_info(r, &info), 0);
	CHECK_EQ_INT(info.ngroups, per + 1);
	CHECK_EQ_INT(info.nsockets, 2);
	mcast_close(r);
}

int main(void)
{
	/* Never touch the host's network: a private namespace or nothing. */
	if (lo_namespace() != 0)
		return 1;
	test_many_ports();
	test_duplicate_not_spilled();
	test_fair_over_ready();
	test_many_v4();
	test_many_v6();
	test_v6_optmem(); /* last: it lowers optmem_max for good */
	return check_done();
}
