/* SPDX-License-Identifier: MIT */
/*
 * Senders and receivers for real: joins, their errors, sending and
 * receiving with metadata, batches, truncation, info, interfaces and the
 * route lookup.
 *
 * SAFETY: this test joins groups and sends datagrams, so before anything
 * else it moves into a private network namespace (unshare(CLONE_NEWNET)),
 * where only "lo" exists.  If that is impossible it exits 77 (skip) and
 * never falls back to the host's network.  Nothing global is changed: the
 * routes added with ip(8) live and die with the namespace.
 */
#include "check.h"
#include "netns.h"
#include "mcast.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define WAIT_MS 2000 /* for a datagram that should arrive */

static unsigned lo_index;

static struct sockaddr_storage addr(const char *text, unsigned flags)
{
	struct sockaddr_storage ss;

	check_ctx = text;
	CHECK(mcast_addr_parse(text, flags, &ss) > 0);
	check_ctx = NULL;
	return ss;
}

static struct sockaddr_storage group(const char *text)
{
	return addr(text, MCAST_PARSE_GROUP | MCAST_PARSE_PORT);
}

#define SA(ss) ((const struct sockaddr *)&(ss))

/* An integer from a /proc file, or -1. */
static int read_int(const char *path)
{
	FILE *f = fopen(path, "r");
	int v = -1;

	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* A receiver on iface (NULL: none) that must open. */
static mcast_t *receiver(const char *iface)
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
static mcast_t *receiver_on(const char *text)
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
static mcast_t *sender_on(const char *text, int ttl)
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

static int is_v4(const struct sockaddr_storage *ss, const char *a,
		 unsigned port)
{
	const struct sockaddr_in *s4 = (const void *)ss;
	struct in_addr want;

	inet_pton(AF_INET, a, &want);
	return s4->sin_family == AF_INET &&
	       s4->sin_addr.s_addr == want.s_addr &&
	       ntohs(s4->sin_port) == port;
}

/* ---------------------------------------------------------------- */

static void test_iface_before_up(void)
{
	struct mcast_iface ifc;

	CHECK_CODE(mcast_iface_lookup("lo", &ifc), 0);
	CHECK(ifc.flags & MCAST_IF_LOOPBACK);
	CHECK(!(ifc.flags & MCAST_IF_UP));
	/* A down lo has no 127.0.0.1 yet. */
	CHECK_CODE(mcast_iface_lookup("127.0.0.1", &ifc), MCAST_ENOIFACE);
}

static void test_iface_lookup(void)
{
	struct mcast_iface ifc;
	char idx[16];

	snprintf(idx, sizeof(idx), "%u", lo_index);
	const char *specs[] = { "lo", idx, "127.0.0.1", "::1" };
	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		check_ctx = specs[i];
		memset(&ifc, 0xa5, sizeof(ifc));
		if (!CHECK_CODE(mcast_iface_lookup(specs[i], &ifc), 0))
			continue;
		CHECK_EQ_INT(ifc.index, lo_index);
		CHECK_STR(ifc.name, "lo");
		CHECK_EQ_INT(ifc.flags & (MCAST_IF_UP | MCAST_IF_LOOPBACK),
			     MCAST_IF_UP | MCAST_IF_LOOPBACK);
		CHECK(ifc.mtu > 0);
	}
	const char *unknown[] = { "nosuchif0", "10.9.8.7",
				  "fd00::99",  "0",
				  "99999",     "",
				  "lo ",       "abcdefghijklmnopqrstuvwxyz" };
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		check_ctx = unknown[i];
		CHECK_CODE(mcast_iface_lookup(unknown[i], &ifc),
			   MCAST_ENOIFACE);
	}
	check_ctx = NULL;

	CHECK_CODE(mcast_iface_by_index(lo_index, &ifc), 0);
	CHECK_STR(ifc.name, "lo");
	CHECK_CODE(mcast_iface_by_index(0, &ifc), MCAST_ENOIFACE);
	CHECK_CODE(mcast_iface_by_index(99999, &ifc), MCAST_ENOIFACE);

	/* SIOCGIFINDEX drops ":label" (old alias names), so "lo:x" is taken
	 * for lo; in an address's %scope this silently eats a port. */
	check_ctx = "lo:x";
	CHECK_BUG("mcast_iface_lookup(\"lo:x\") finds lo",
		  CHECK_CODE(mcast_iface_lookup("lo:x", &ifc), MCAST_ENOIFACE));
	check_ctx = NULL;
}

static void test_route_none(void)
{
	struct sockaddr_storage g = group("239.1.2.3:1600");
	int rc = mcast_route_iface(SA(g));

	CHECK(rc == -ENETUNREACH || rc == -EHOSTUNREACH);
	if (rc >= 0 || (rc != -ENETUNREACH && rc != -EHOSTUNREACH))
		fprintf(stderr, "    route lookup gave %d (%s)\n", rc,
			mcast_strerror(rc));
}

/* No interface and no route: the kernel cannot pick one. */
static void test_join_without_route(void)
{
	struct sockaddr_storage g = group("239.1.2.3:1600");
	struct mcast_info info = { .size = sizeof(info) };
	mcast_t *m = receiver(NULL);

	if (!m)
		return;
	CHECK_CODE(mcast_join(m, SA(g), NULL, 0), -ENODEV);
	CHECK(strstr(mcast_errmsg(m), "239.1.2.3") != NULL);
	CHECK_CODE(mcast_get_info(m, &info), 0);
	CHECK_EQ_INT(info.ngroups, 0);
	CHECK_BUG("a failed join leaves its new socket open (info.nsockets)",
		  CHECK_EQ_INT(info.nsockets, 0));
	mcast_close(m);
}

/* The consequence of the leak above: failed joins on 16 ports use up
 * every socket slot, so a join that would work gets MCAST_ELIMIT. */
static void test_failed_joins_leak_sockets(void)
{
	struct sockaddr_storage ok = group("[ff15::1%lo]:5000");
	mcast_t *m = receiver(NULL);

	if (!m)
		return;
	for (unsigned port = 2000; port < 2016; port++) {
		char text[32];
		struct sockaddr_storage g;

		snprintf(text, sizeof(text), "239.1.2.3:%u", port);
		g = group(text);
		CHECK_CODE(mcast_join(m, SA(g), NULL, 0), -ENODEV);
	}
	CHECK_BUG("after 16 failed joins a good join gets MCAST_ELIMIT",
		  CHECK_CODE(mcast_join(m, SA(ok), NULL, 0), 0));
	mcast_close(m);
}

static void test_join_errors(void)
{
	struct sockaddr_storage g = group("239.1.2.3:1600");
	struct sockaddr_storage u = addr("10.0.0.1:1600", MCAST_PARSE_PORT);
	struct sockaddr_storage src[17], v6src;
	struct mcast_info info = { .size = sizeof(info) };
	mcast_t *m = receiver("lo");

	if (!m)
		return;
	CHECK_CODE(mcast_join(m, SA(g), NULL, 0), 0);
	CHECK_STR(mcast_errmsg(m), "");

	CHECK_CODE(mcast_join(m, SA(g), NULL, 0), -EADDRINUSE);
	CHECK(strstr(mcast_errmsg(m), "239.1.2.3") != NULL);

	/* 17 sources: one more than a group may have. */
	for (int i = 0; i < 17; i++) {
		char text[32];

		snprintf(text, sizeof(text), "10.0.0.%d", i + 1);
		src[i] = addr(text, MCAST_PARSE_UNICAST);
	}
	g = group("232.1.1.1:1600");
	CHECK_CODE(mcast_join(m, SA(g), src, 17), MCAST_ELIMIT);
	CHECK(strstr(mcast_errmsg(m), "232.1.1.1") != NULL);

	v6src = addr("fd00::1", MCAST_PARSE_UNICAST);
	CHECK_CODE(mcast_join(m, SA(g), &v6src, 1), MCAST_EFAMILY);
	src[1] = v6src;
	CHECK_CODE(mcast_join(m, SA(g), src, 2), MCAST_EFAMILY);

	CHECK_CODE(mcast_join(m, SA(u), NULL, 0), MCAST_ENOTMCAST);
	CHECK(strstr(mcast_errmsg(m), "10.0.0.1") != NULL);

	/* The kernel has its own, lower limit for IPv4 (igmp_max_msf, 10 by
	 * default): one source past it is -ENOBUFS, and the group is then
	 * not joined at all (the sources already added are dropped). */
	int msf = read_int("/proc/sys/net/ipv4/igmp_max_msf");
	if (msf > 0 && msf < 16) {
		for (int i = 0; i < 17; i++) {
			char text[32];

			snprintf(text, sizeof(text), "10.0.1.%d", i + 1);
			src[i] = addr(text, MCAST_PARSE_UNICAST);
		}
		CHECK_CODE(mcast_join(m, SA(g), src, (size_t)msf + 1),
			   -ENOBUFS);
		CHECK(strstr(mcast_errmsg(m), "232.1.1.1") != NULL);
		CHECK_CODE(mcast_join(m, SA(g), src + 1, (size_t)msf), 0);
	} else {
		CHECK_CODE(mcast_join(m, SA(g), src, 16), 0);
	}
	g = group("232.1.1.2:1600");
	CHECK_CODE(mcast_join(m, SA(g), src, 1), 0);

	/* The failures left the earlier joins alone. */
	CHECK_CODE(mcast_get_info(m, &info), 0);
	CHECK_EQ_INT(info.ngroups, 3);
	CHECK_EQ_INT(info.nsockets, 1);
	CHECK_EQ_INT(info.iface.index, lo_index);
	CHECK_EQ_INT(info.warnings & MCAST_WARN_SSM_NO_SOURCE, 0);

	/* 232/8 joined for any source works, with a warning. */
	g = group("232.1.1.3:1600");
	CHECK_CODE(mcast_join(m, SA(g), NULL, 0), 0);
	CHECK_CODE(mcast_get_info(m, &info), 0);
	CHECK(info.warnings & MCAST_WARN_SSM_NO_SOURCE);
	mcast_close(m);
}

static void test_need_iface(void)
{
	struct sockaddr_storage g = group("[ff02::1]:5000");
	struct sockaddr_storage scoped = group("[ff02::1%lo]:5000");
	mcast_t *m = receiver(NULL), *s = (mcast_t *)&s;

	if (!m)
		return;
	CHECK_CODE(mcast_join(m, SA(g), NULL, 0), MCAST_ENEEDIFACE);
	CHECK(strstr(mcast_errmsg(m), "ff02::1") != NULL);
	/* The %scope is enough. */
	CHECK_CODE(mcast_join(m, SA(scoped), NULL, 0), 0);
	mcast_close(m);

	CHECK_CODE(mcast_sender_open(&s, SA(g), NULL), MCAST_ENEEDIFACE);
	CHECK(s == NULL);
}

static void test_bad_iface(void)
{
	struct sockaddr_storage g = group("239.1.2.3:1600");
	struct mcast_opts o;
	char step[MCAST_ERRMSG_MAX];
	mcast_t *m = (mcast_t *)&m;

	mcast_opts_init(&o);
	o.iface = "nosuchif0";
	o.errbuf = step;
	o.errlen = sizeof(step);
	strcpy(step, "untouched");
	CHECK_CODE(mcast_receiver_open(&m, &o), MCAST_ENOIFACE);
	CHECK(m == NULL);
	CHECK(strstr(step, "nosuchif0") != NULL);
	CHECK(strstr(step, "interface") != NULL);

	m = (mcast_t *)&m;
	strcpy(step, "untouched");
	CHECK_CODE(mcast_sender_open(&m, SA(g), &o), MCAST_ENOIFACE);
	CHECK(m == NULL);
	CHECK(strstr(step, "nosuchif0") != NULL);

	/* Bind address of the other family. */
	mcast_opts_init(&o);
	o.iface = "lo";
	o.errbuf = step;
	o.errlen = sizeof(step);
	o.bind = addr("::1", MCAST_PARSE_UNICAST);
	CHECK_CODE(mcast_sender_open(&m, SA(g), &o), MCAST_EFAMILY);
	CHECK(m == NULL);
	CHECK(strstr(step, "bind") != NULL);
}

static void test_roles(void)
{
	struct sockaddr_storage g = group("239.1.2.3:1602");
	mcast_t *s = sender_on("239.1.2.3:1602", 1), *r = receiver("lo");
	char buf[8] = "x";

	if (s) {
		CHECK_CODE(mcast_join(s, SA(g), NULL, 0), MCAST_EROLE);
		CHECK(mcast_errmsg(s)[0] != '\0');
		CHECK_CODE(mcast_recv(s, buf, sizeof(buf), NULL, 0),
			   MCAST_EROLE);
	}
	if (r) {
		CHECK_CODE(mcast_send(r, buf, 1), MCAST_EROLE);
		CHECK(mcast_errmsg(r)[0] != '\0');
	}
	mcast_close(s);
	mcast_close(r);
}

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

static void test_sender_info(void)
{
	mcast_t *s = sender_on("239.1.2.3:1607", 9);
	struct mcast_info info;
	struct mcast_opts o;
	struct sockaddr_storage g = group("239.1.2.3:1607");

	if (!s)
		return;
	memset(&info, 0, sizeof(info));
	info.size = sizeof(info);
	CHECK_CODE(mcast_get_info(s, &info), 0);
	CHECK_EQ_INT(info.size, sizeof(info));
	CHECK_EQ_INT(info.is_sender, 1);
	CHECK_EQ_INT(info.iface.index, lo_index);
	CHECK_STR(info.iface.name, "lo");
	CHECK_EQ_INT(info.local.ss_family, AF_INET);
	CHECK(is_v4(&info.local, "127.0.0.1",
		    mcast_addr_port((struct sockaddr *)&info.local)));
	CHECK(mcast_addr_port((struct sockaddr *)&info.local) > 0);
	CHECK(is_v4(&info.group, "239.1.2.3", 1607));
	CHECK_EQ_INT(info.ttl, 9);
	CHECK_EQ_INT(info.warnings & MCAST_WARN_UNSPEC_SOURCE, 0);
	CHECK(mcast_fd(s) >= 0);
	mcast_close(s);

	/* Unbound on lo the kernel has no source address to pick: warned. */
	mcast_opts_init(&o);
	o.iface = "lo";
	if (!CHECK_CODE(mcast_sender_open(&s, SA(g), &o), 0))
		return;
	CHECK_CODE(mcast_get_info(s, &info), 0);
	CHECK(info.warnings & MCAST_WARN_UNSPEC_SOURCE);
	CHECK_EQ_INT(info.ttl, 1); /* the default */
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

static void test_rcvbuf(void)
{
	struct sockaddr_storage g = group("239.1.2.3:1630");
	struct mcast_info info = { .size = sizeof(info) };
	struct mcast_opts o;
	mcast_t *r = NULL;

	mcast_opts_init(&o);
	o.iface = "lo";
	o.rcvbuf = 1 << 20;
	if (!CHECK_CODE(mcast_receiver_open(&r, &o), 0))
		return;
	CHECK_CODE(mcast_join(r, SA(g), NULL, 0), 0);
	CHECK_CODE(mcast_get_info(r, &info), 0);
	CHECK_EQ_INT(info.rcvbuf_requested, 1 << 20);
	if (geteuid() == 0) {
		/* SO_RCVBUFFORCE passes rmem_max by. */
		CHECK(info.rcvbuf_effective >= 1 << 20);
		CHECK_EQ_INT(info.warnings & MCAST_WARN_RCVBUF_CLAMPED, 0);
	} else {
		CHECK(info.rcvbuf_effective > 0);
	}
	mcast_close(r);
}

/* With a route the kernel's choice is known, and joins need no iface. */
static void test_route_lo(void)
{
	struct sockaddr_storage g = group("239.1.2.3:1640");
	mcast_t *r;

	if (system("ip route add 224.0.0.0/4 dev lo >/dev/null 2>&1") != 0) {
		printf("note: cannot add a route with ip(8); route part "
		       "skipped\n");
		return;
	}
	CHECK_CODE(mcast_route_iface(SA(g)), (int)lo_index);
	r = receiver(NULL);
	if (r)
		CHECK_CODE(mcast_join(r, SA(g), NULL, 0), 0);
	mcast_close(r);
}

int main(void)
{
	/* Never touch the host's network: a private namespace or nothing. */
	netns_enter();
	lo_index = if_nametoindex("lo");
	if (!CHECK(lo_index > 0))
		return check_done();

	test_iface_before_up();
	if (!CHECK(netns_set_lo_up() == 0))
		return check_done();
	test_iface_lookup();
	test_route_none();
	test_join_without_route();
	test_failed_joins_leak_sockets();
	test_join_errors();
	test_need_iface();
	test_bad_iface();
	test_roles();
	test_timeout();
	test_send_recv_meta();
	test_batch();
	test_truncation();
	test_meta_short();
	test_sender_info();
	test_multi_socket();
	test_ssm();
	test_rcvbuf();
	test_route_lo(); /* last: after it, joins without iface work */
	return check_done();
}
