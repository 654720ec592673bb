/* SPDX-License-Identifier: MIT */
/*
 * Sending and receiving for real: metadata, timeouts, batches,
 * truncation, several sockets behind one handle, source filters, and a
 * unicast handle.
 *
 * SAFETY: this test joins groups and sends datagrams, so before anything
 * else it moves into a private network namespace (unshare(CLONE_NEWNET)),
 * where only "lo" exists.  If that is impossible it exits 77 (skip) and
 * never falls back to the host's network.  Nothing global is changed: the
 * IPv6 route added with ip(8) lives and dies with the namespace.
 */
#include "check.h"
#include "netns.h"
#include "handles.h"

#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define WAIT_MS 2000 /* for a datagram that should arrive */

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* ---------------------------------------------------------------- */

static void test_timeout(void)
{
	mcast_t *r = receiver_on("239.1.2.3:1603");
	struct mcast_meta meta;
	char buf[64];
	long long t0, dt;

	if (!r)
		return;
	mcast_meta_init(&meta);
	t0 = now_ms();
	CHECK_CODE(mcast_recv(r, buf, sizeof(buf), &meta, 50), -ETIMEDOUT);
	dt = now_ms() - t0;
	CHECK(dt >= 45 && dt < 1000);
	CHECK_CODE(mcast_recv(r, buf, sizeof(buf), &meta, 0), -ETIMEDOUT);
	mcast_close(r);
}

static void test_send_recv_meta(void)
{
	static const char payload[] = "Hello multicast";
	mcast_t *r = receiver_on("239.1.2.3:1600");
	mcast_t *s = sender_on("239.1.2.3:1600", 7);
	struct mcast_info info = { .size = sizeof(info) };
	struct mcast_meta meta;
	struct timespec now;
	char buf[256];

	if (!r || !s)
		goto out;
	CHECK_CODE(mcast_get_info(s, &info), 0);
	CHECK_CODE(mcast_send(s, payload, sizeof(payload)),
		   (int)sizeof(payload));
	mcast_meta_init(&meta);
	memset(buf, 0, sizeof(buf));
	if (!CHECK_CODE(mcast_recv(r, buf, sizeof(buf), &meta, WAIT_MS),
			(int)sizeof(payload)))
		goto out;
	CHECK(memcmp(buf, payload, sizeof(payload)) == 0);
	CHECK_EQ_INT(meta.size, sizeof(meta));
	CHECK_EQ_INT(meta.len, sizeof(payload));
	CHECK_EQ_INT(meta.flags & MCAST_META_TRUNC, 0);
	CHECK(is_v4(&meta.src, "127.0.0.1",
		    mcast_addr_port((struct sockaddr *)&info.local)));
	CHECK(meta.flags & MCAST_META_DST);
	CHECK(is_v4(&meta.dst, "239.1.2.3", 1600));
	CHECK_EQ_INT(meta.ifindex, lo_index);
	CHECK(meta.flags & MCAST_META_TTL);
	CHECK_EQ_INT(meta.ttl, 7);
	CHECK(meta.flags & MCAST_META_TS);
	clock_gettime(CLOCK_REALTIME, &now);
	CHECK(meta.ts.tv_sec > 0 && now.tv_sec - meta.ts.tv_sec < 10 &&
	      meta.ts.tv_sec <= now.tv_sec);

	/* Exactly one copy arrives. */
	CHECK_CODE(mcast_recv(r, buf, sizeof(buf), &meta, 100), -ETIMEDOUT);
out:
	mcast_close(r);
	mcast_close(s);
}

static void test_batch(void)
{
	mcast_t *r = receiver_on("239.1.2.3:1604");
	mcast_t *s = sender_on("239.1.2.3:1604", 1);
	struct mcast_dgram out[10], in[16];
	struct mcast_meta meta[16];
	char sbuf[10][32], rbuf[16][64];
	int got = 0;
	long long end = now_ms() + WAIT_MS;

	if (!r || !s)
		goto out;
	for (int i = 0; i < 10; i++) {
		snprintf(sbuf[i], sizeof(sbuf[i]), "datagram %d", i);
		out[i] = (struct mcast_dgram){ .buf = sbuf[i],
					       .len = strlen(sbuf[i]) };
	}
	CHECK_CODE(mcast_send_batch(s, out, 10), 10);

	/* They may come in more than one batch; the order must hold. */
	while (got < 10 && now_ms() < end) {
		for (int i = got; i < 16; i++) {
			mcast_meta_init(&meta[i]);
			in[i] = (struct mcast_dgram){ .buf = rbuf[i],
						      .cap = sizeof(rbuf[i]),
						      .meta = &meta[i] };
		}
		int rc = mcast_recv_batch(r, in + got, (size_t)(16 - got), 200);
		if (!CHECK(rc >= 0))
			break;
		got += rc;
	}
	CHECK_EQ_INT(got, 10);
	for (int i = 0; i < got && i < 10; i++) {
		check_ctx = sbuf[i];
		CHECK_EQ_INT(in[i].len, strlen(sbuf[i]));
		CHECK(in[i].len == strlen(sbuf[i]) &&
		      memcmp(rbuf[i], sbuf[i], in[i].len) == 0);
		CHECK_EQ_INT(meta[i].len, strlen(sbuf[i]));
		CHECK(is_v4(&meta[i].dst, "239.1.2.3", 1604));
	}
	check_ctx = NULL;
	CHECK_CODE(mcast_recv_batch(r, in, 16, 100), 0);

	/* Empty batches. */
	CHECK_CODE(mcast_send_batch(s, NULL, 0), 0);
	CHECK_CODE(mcast_recv_batch(r, NULL, 0, 0), 0);
out:
	mcast_close(r);
	mcast_close(s);
}

static void test_truncation(void)
{
	mcast_t *r = receiver_on("239.1.2.3:1605");
	mcast_t *s = sender_on("239.1.2.3:1605", 1);
	struct mcast_meta meta;
	char payload[100], buf[8];

	if (!r || !s)
		goto out;
	for (int i = 0; i < 100; i++)
		payload[i] = (char)('a' + i % 26);
	CHECK_CODE(mcast_send(s, payload, sizeof(payload)), 100);
	mcast_meta_init(&meta);
	memset(buf, 'Z', sizeof(buf));
	CHECK_CODE(mcast_recv(r, buf, 4, &meta, WAIT_MS), 4);
	CHECK(memcmp(buf, "abcd", 4) == 0);
	CHECK_EQ_INT(buf[4], 'Z'); /* nothing past cap */
	CHECK(meta.flags & MCAST_META_TRUNC);
	CHECK_EQ_INT(meta.len, 100);

	/* An empty datagram is not a truncated one. */
	CHECK_CODE(mcast_send(s, payload, 0), 0);
	mcast_meta_init(&meta);
	CHECK_CODE(mcast_recv(r, buf, sizeof(buf), &meta, WAIT_MS), 0);
	CHECK_EQ_INT(meta.flags & MCAST_META_TRUNC, 0);
	CHECK_EQ_INT(meta.len, 0);
out:
	mcast_close(r);
	mcast_close(s);
}

/* An older caller's shorter struct mcast_meta: nothing past its size. */
static void test_meta_short(void)
{
	mcast_t *r = receiver_on("239.1.2.3:1606");
	mcast_t *s = sender_on("239.1.2.3:1606", 1);
	struct mcast_meta meta;
	const size_t size = offsetof(struct mcast_meta, src);
	const unsigned char *p = (const unsigned char *)&meta;
	int intact = 1;
	char buf[64];

	if (!r || !s)
		goto out;
	CHECK_CODE(mcast_send(s, "12345", 5), 5);
	memset(&meta, 0xa5, sizeof(meta));
	meta.size = size;
	CHECK_CODE(mcast_recv(r, buf, sizeof(buf), &meta, WAIT_MS), 5);
	CHECK_EQ_INT(meta.size, size);
	CHECK_EQ_INT(meta.len, 5);
	CHECK_EQ_INT(meta.flags &
			     ~(unsigned)(MCAST_META_TRUNC | MCAST_META_DST |
					 MCAST_META_TTL | MCAST_META_TS),
		     0);
	for (size_t i = size; i < sizeof(meta); i++)
		if (p[i] != 0xa5)
			intact = 0;
	CHECK(intact);
out:
	mcast_close(r);
	mcast_close(s);
}

/* Two IPv4 ports and an IPv6 group: three sockets behind one fd. */
static void test_multi_socket(void)
{
	struct sockaddr_storage g1 = group("239.1.2.3:1610");
	struct sockaddr_storage g2 = group("239.1.2.4:1611");
	struct sockaddr_storage g6 = group("[ff15::1]:5000");
	struct mcast_info info = { .size = sizeof(info) };
	struct mcast_meta meta;
	mcast_t *r = receiver("lo"), *s = NULL;
	struct pollfd p;
	char buf[64];
	int v6 = 1;

	if (!r)
		return;
	CHECK_CODE(mcast_join(r, SA(g1), NULL, 0), 0);
	CHECK_CODE(mcast_join(r, SA(g2), NULL, 0), 0);
	if (!CHECK_CODE(mcast_join(r, SA(g6), NULL, 0), 0)) {
		fprintf(stderr, "    IPv6 join: %s\n", mcast_errmsg(r));
		v6 = 0;
	}
	CHECK_CODE(mcast_get_info(r, &info), 0);
	CHECK_EQ_INT(info.ngroups, 3);
	CHECK_EQ_INT(info.nsockets, 3);

	p = (struct pollfd){ .fd = mcast_fd(r), .events = POLLIN };
	CHECK(p.fd >= 0);
	CHECK_EQ_INT(poll(&p, 1, 0), 0);
	s = sender_on("239.1.2.4:1611", 1);
	if (s) {
		CHECK_CODE(mcast_send(s, "two", 3), 3);
		CHECK_EQ_INT(poll(&p, 1, WAIT_MS), 1);
		CHECK(p.revents & POLLIN);
		mcast_meta_init(&meta);
		CHECK_CODE(mcast_recv(r, buf, sizeof(buf), &meta, 0), 3);
		CHECK(is_v4(&meta.dst, "239.1.2.4", 1611));
		CHECK_EQ_INT(poll(&p, 1, 0), 0);
		mcast_close(s);
	}

	/* IPv6 over lo needs a multicast route in the local table. */
	if (v6 && system("ip -6 route add local ff00::/8 dev lo table local "
			 ">/dev/null 2>&1") != 0) {
		printf("note: cannot add an IPv6 multicast route on lo; IPv6 "
		       "send part skipped\n");
		v6 = 0;
	}
	if (v6) {
		struct mcast_opts o;
		const struct sockaddr_in6 *d6 = (const void *)&meta.dst;
		struct in6_addr want;

		mcast_opts_init(&o);
		o.iface = "lo";
		o.ttl = 3;
		o.bind = addr("::1", MCAST_PARSE_UNICAST);
		if (CHECK_CODE(mcast_sender_open(&s, SA(g6), &o), 0)) {
			CHECK_CODE(mcast_send(s, "six", 3), 3);
			mcast_meta_init(&meta);
			CHECK_CODE(
				mcast_recv(r, buf, sizeof(buf), &meta, WAIT_MS),
				3);
			CHECK_EQ_INT(d6->sin6_family, AF_INET6);
			inet_pton(AF_INET6, "ff15::1", &want);
			CHECK(IN6_ARE_ADDR_EQUAL(&d6->sin6_addr, &want));
			CHECK_EQ_INT(ntohs(d6->sin6_port), 5000);
			CHECK_EQ_INT(meta.ttl, 3);
			CHECK_EQ_INT(meta.ifindex, lo_index);
			mcast_close(s);
		}
	}
	mcast_close(r);
}

/* Source-specific joins hear only their sources. */
static void test_ssm(void)
{
	struct sockaddr_storage g1 = group("232.1.1.1:1620");
	struct sockaddr_storage g2 = group("232.1.1.2:1620");
	struct sockaddr_storage ours = addr("127.0.0.1", MCAST_PARSE_UNICAST);
	struct sockaddr_storage other = addr("10.9.9.9", MCAST_PARSE_UNICAST);
	mcast_t *r = receiver("lo");
	mcast_t *s1 = sender_on("232.1.1.1:1620", 1);
	mcast_t *s2 = sender_on("232.1.1.2:1620", 1);
	struct mcast_meta meta;
	char buf[64];

	if (!r || !s1 || !s2)
		goto out;
	CHECK_CODE(mcast_join(r, SA(g1), &ours, 1), 0);
	CHECK_CODE(mcast_join(r, SA(g2), &other, 1), 0);
	CHECK_CODE(mcast_send(s2, "filtered", 8), 8);
	CHECK_CODE(mcast_send(s1, "wanted", 6), 6);
	mcast_meta_init(&meta);
	CHECK_CODE(mcast_recv(r, buf, sizeof(buf), &meta, WAIT_MS), 6);
	CHECK(is_v4(&meta.dst, "232.1.1.1", 1620));
	CHECK_CODE(mcast_recv(r, buf, sizeof(buf), &meta, 100), -ETIMEDOUT);
out:
	mcast_close(r);
	mcast_close(s1);
	mcast_close(s2);
}

/* MCAST_OPT_NO_SOURCE (with and without the other metadata, with and
 * without GRO) leaves src empty and everything else as it was; without
 * it, src names the sender even when no other metadata is asked for. */
static void test_no_source(void)
{
	static const char payload[] = "no source";
	struct sockaddr_storage g = group("239.1.2.3:1607");
	static const struct {
		unsigned flags;
		unsigned meta;
	} cases[] = {
		{ MCAST_OPT_NO_SOURCE, MCAST_META_DST | MCAST_META_TTL },
		{ MCAST_OPT_NO_SOURCE, 0 },
		{ MCAST_OPT_NO_SOURCE | MCAST_OPT_GRO, 0 },
		{ 0, 0 },
	};

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		mcast_t *r = NULL, *s = sender_on("239.1.2.3:1607", 3);
		struct mcast_opts o;
		struct mcast_info info = { .size = sizeof(info) };
		struct mcast_meta meta;
		char buf[64];

		mcast_opts_init(&o);
		o.iface = "lo";
		o.flags = cases[c].flags;
		o.meta = cases[c].meta;
		if (!s || !CHECK_CODE(mcast_get_info(s, &info), 0) ||
		    !CHECK_CODE(mcast_receiver_open(&r, &o), 0) ||
		    !CHECK_CODE(mcast_join(r, SA(g), NULL, 0), 0))
			goto next;
		CHECK_CODE(mcast_send(s, payload, sizeof(payload)),
			   (int)sizeof(payload));
		mcast_meta_init(&meta);
		/* Stale bytes must not survive into the next datagram's meta. */
		memset(&meta.src, 0xa5, sizeof(meta.src));
		memset(&meta.dst, 0xa5, sizeof(meta.dst));
		meta.ttl = 99;
		if (!CHECK_CODE(mcast_recv(r, buf, sizeof(buf), &meta, WAIT_MS),
				(int)sizeof(payload)))
			goto next;
		CHECK(memcmp(buf, payload, sizeof(payload)) == 0);
		CHECK_EQ_INT(meta.len, sizeof(payload));
		if (cases[c].flags & MCAST_OPT_NO_SOURCE)
			CHECK_EQ_INT(meta.src.ss_family, AF_UNSPEC);
		else
			CHECK(is_v4(&meta.src, "127.0.0.1",
				    mcast_addr_port(
					    (struct sockaddr *)&info.local)));
		if (cases[c].meta & MCAST_META_DST) {
			CHECK(meta.flags & MCAST_META_DST);
			CHECK(is_v4(&meta.dst, "239.1.2.3", 1607));
			CHECK_EQ_INT(meta.ttl, 3);
		} else {
			CHECK_EQ_INT(meta.flags & MCAST_META_DST, 0);
			CHECK_EQ_INT(meta.dst.ss_family, AF_UNSPEC);
			CHECK_EQ_INT(meta.ttl, -1);
		}
	next:
		mcast_close(r);
		mcast_close(s);
	}
}

/* A handle with no group (mcast_unicast_open): bound to a loopback
 * address - where a sender opened for a placeholder group failed with
 * EINVAL - it sends to and hears unicast, and sends to a group too. */
static mcast_t *unicast_on(const char *bind_text, int ttl, unsigned flags)
{
	struct mcast_opts o;
	mcast_t *m = NULL;

	mcast_opts_init(&o);
	o.iface = "lo";
	o.ttl = ttl;
	o.flags = flags;
	o.meta = MCAST_META_DST | MCAST_META_TTL;
	o.bind = addr(bind_text,
		      MCAST_PARSE_UNICAST |
			      (strchr(bind_text, ':') ? MCAST_PARSE_PORT : 0));
	if (!CHECK_CODE(mcast_unicast_open(&m, o.bind.ss_family, &o), 0))
		return NULL;
	return m;
}

static void test_unicast(void)
{
	mcast_t *a = unicast_on("127.0.0.1:7300", 9, MCAST_OPT_NO_REUSEADDR);
	mcast_t *b = unicast_on("127.0.0.1", 5, 0), *dup = NULL;
	mcast_t *r = receiver_on("239.1.2.3:1605");
	struct sockaddr_storage g = group("239.1.2.3:1605");
	struct mcast_info ia, ib;
	struct mcast_meta meta;
	struct mcast_opts o;
	struct mcast_dgram d = { .buf = "tunnel", .len = 6, .meta = NULL };
	char buf[64];

	if (!a || !b || !r)
		goto out;
	mcast_info_init(&ia);
	mcast_info_init(&ib);
	CHECK_CODE(mcast_get_info(a, &ia), 0);
	CHECK_CODE(mcast_get_info(b, &ib), 0);
	CHECK(is_v4(&ia.local, "127.0.0.1", 7300));
	CHECK_EQ_INT(ia.group.ss_family, AF_UNSPEC);
	CHECK(mcast_addr_port((struct sockaddr *)&ib.local) != 0);

	/* No destination: refused, nothing sent. */
	CHECK_CODE(mcast_send_batch(b, &d, 1), -EDESTADDRREQ);
	d.to = SA(ia.local);
	CHECK_CODE(mcast_send_batch(b, &d, 1), 1);
	mcast_meta_init(&meta);
	if (CHECK_CODE(mcast_recv(a, buf, sizeof(buf), &meta, WAIT_MS), 6)) {
		CHECK(memcmp(buf, "tunnel", 6) == 0);
		CHECK(is_v4(&meta.src, "127.0.0.1",
			    mcast_addr_port((struct sockaddr *)&ib.local)));
		CHECK(is_v4(&meta.dst, "127.0.0.1", 7300));
		CHECK_EQ_INT(meta.ttl, 5);
	}
	/* To a group, out of opts.iface. */
	d.to = SA(g);
	CHECK_CODE(mcast_send_batch(a, &d, 1), 1);
	mcast_meta_init(&meta);
	if (CHECK_CODE(mcast_recv(r, buf, sizeof(buf), &meta, WAIT_MS), 6))
		CHECK_EQ_INT(meta.ttl, 9);

	/* The listening port is its own; a bad family is refused. */
	mcast_opts_init(&o);
	o.flags = MCAST_OPT_NO_REUSEADDR;
	o.bind = ia.local;
	CHECK_CODE(mcast_unicast_open(&dup, AF_INET, &o), -EADDRINUSE);
	CHECK(dup == NULL);
	CHECK_CODE(mcast_unicast_open(&dup, AF_UNIX, NULL), MCAST_EFAMILY);
	CHECK_CODE(mcast_unicast_open(&dup, AF_INET6, &o), MCAST_EFAMILY);
	CHECK_CODE(mcast_sender_refresh(a), 0);
out:
	mcast_close(a);
	mcast_close(b);
	mcast_close(r);
}

int main(void)
{
	/* Never touch the host's network: a private namespace or nothing. */
	if (lo_namespace() != 0)
		return 1;
	test_timeout();
	test_send_recv_meta();
	test_batch();
	test_truncation();
	test_meta_short();
	test_multi_socket();
	test_ssm();
	test_no_source();
	test_unicast();
	return check_done();
}
