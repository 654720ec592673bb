/* SPDX-License-Identifier: MIT */
/*
 * Senders and receivers for real: interfaces, the route lookup, joins and
 * their errors, roles and info.  Sending and receiving are in test_io.c.
 *
 * SAFETY: this test joins groups and sends datagrams, so before anything
 * else it moves into a private network namespace (unshare(CLONE_NEWNET)),
 * where only "lo" exists.  If that is impossible it exits 77 (skip) and
 * never falls back to the host's network.  Nothing global is changed: the
 * routes added with ip(8) live and die with the namespace.
 */
#include "check.h"
#include "netns.h"
#include "handles.h"

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* Failed joins on 16 ports leave no sockets behind: when sockets were
 * limited to 16, such leaks made a join that would work get MCAST_ELIMIT. */
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

/* Leaving forgets the group: joined again it is new, not EADDRINUSE;
 * sockets stay, and say which groups and drops are theirs. */
static void test_leave_and_sockets(void)
{
	struct sockaddr_storage g = group("239.1.2.4:1600");
	struct sockaddr_storage h = group("239.1.2.5:1601");
	struct mcast_info info = { .size = sizeof(info) };
	struct mcast_socket_info si = { .size = sizeof(si) };
	mcast_t *m = receiver("lo");

	if (!m)
		return;
	CHECK_CODE(mcast_leave(m, SA(g)), -ENOENT);
	CHECK(strstr(mcast_errmsg(m), "239.1.2.4") != NULL);
	CHECK_CODE(mcast_join(m, SA(g), NULL, 0), 0);
	CHECK_CODE(mcast_join(m, SA(h), NULL, 0), 0);
	CHECK_CODE(mcast_get_socket(m, 0, &si), 0);
	CHECK(si.size == sizeof(si));
	CHECK(si.family == AF_INET && si.port == 1600 && si.ngroups == 1);
	CHECK(si.kernel_drops == 0);
	CHECK_CODE(mcast_get_socket(m, 1, &si), 0);
	CHECK(si.port == 1601 && si.ngroups == 1);
	CHECK_CODE(mcast_get_socket(m, 2, &si), -ERANGE);
	CHECK_CODE(mcast_leave(m, SA(g)), 0);
	CHECK_CODE(mcast_get_info(m, &info), 0);
	CHECK(info.ngroups == 1 && info.nsockets == 2);
	CHECK_CODE(mcast_get_socket(m, 0, &si), 0);
	CHECK(si.ngroups == 0);
	/* Left for real: the kernel takes the same join again. */
	CHECK_CODE(mcast_join(m, SA(g), NULL, 0), 0);
	CHECK_CODE(mcast_rejoin(m), 0);
	CHECK_CODE(mcast_leave(NULL, SA(g)), -EINVAL);
	CHECK_CODE(mcast_get_socket(NULL, 0, &si), -EINVAL);
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
	test_leave_and_sockets();
	test_need_iface();
	test_bad_iface();
	test_roles();
	test_sender_info();
	test_rcvbuf();
	test_route_lo(); /* last: after it, joins without iface work */
	return check_done();
}
