/* SPDX-License-Identifier: MIT */
/*
 * mcast doctor's read-only checks of the route, the interface, reverse-path
 * filtering and the receive buffer.  None of them joins, sends or changes
 * anything.
 */
#include "doctor.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

bool dr_is_v6(const struct doctor *d)
{
	return d->group.ss_family == AF_INET6;
}

bool dr_read_long(const char *path, long *out)
{
	FILE *f = fopen(path, "r");
	bool ok;

	if (!f)
		return false;
	ok = fscanf(f, "%ld", out) == 1;
	fclose(f);
	return ok;
}

bool dr_conf(const char *fam, const char *ifname, const char *key, long *out)
{
	char path[128];

	snprintf(path, sizeof(path), "/proc/sys/net/%s/conf/%s/%s", fam, ifname,
		 key);
	return dr_read_long(path, out);
}

const char *dr_group_only(const struct doctor *d)
{
	static char buf[MCAST_ADDRSTRLEN];

	return cli_addr_only(&d->group, buf, sizeof(buf));
}

const char *dr_route_fix(const struct doctor *d)
{
	return dr_is_v6(d)
		       ? "give --iface IF or add a route: ip -6 route add ff00::/8 dev IF"
		       : "give --iface IF or add a route: ip route add 224.0.0.0/4 dev IF";
}

/*
 * An address of the group's family on the interface, for the self-test's
 * sender to bind: 127.0.0.1 on lo, else the first one, and for IPv6 a
 * global address before a link-local one.
 */
static void find_ifaddr(struct doctor *d)
{
	struct ifaddrs *ifa, *p;
	int family = d->group.ss_family;
	size_t len = family == AF_INET ? sizeof(struct sockaddr_in)
				       : sizeof(struct sockaddr_in6);

	if (getifaddrs(&ifa) < 0)
		return;
	for (p = ifa; p; p = p->ifa_next) {
		if (!p->ifa_addr || p->ifa_addr->sa_family != family ||
		    strcmp(p->ifa_name, d->ifc.name) != 0)
			continue;
		bool better = !d->have_ifaddr;

		if (family == AF_INET) {
			const struct sockaddr_in *s4 = (void *)p->ifa_addr;

			better |= s4->sin_addr.s_addr == htonl(INADDR_LOOPBACK);
		} else {
			const struct sockaddr_in6 *s6 = (void *)p->ifa_addr;

			better |= !IN6_IS_ADDR_LINKLOCAL(&s6->sin6_addr) &&
				  IN6_IS_ADDR_LINKLOCAL(
					  &((struct sockaddr_in6 *)&d->ifaddr)
						   ->sin6_addr);
		}
		if (better) {
			memset(&d->ifaddr, 0, sizeof(d->ifaddr));
			memcpy(&d->ifaddr, p->ifa_addr, len);
			d->have_ifaddr = true;
		}
	}
	freeifaddrs(ifa);
}

void dr_check_route(struct doctor *d)
{
	const struct sockaddr *g = (const struct sockaddr *)&d->group;
	struct mcast_iface via = { 0 };
	unsigned scope = mcast_addr_scope(g);
	int rc = mcast_route_iface(g);

	if (rc > 0 && mcast_iface_by_index((unsigned)rc, &via) < 0)
		snprintf(via.name, sizeof(via.name), "#%d", rc);
	if (d->iface_arg) {
		mcast_iface_lookup(d->iface_arg,
				   &d->ifc); /* checked at parse */
		d->have_iface = true;
		if (rc > 0 && via.index == d->ifc.index)
			dr_report(
				d, DR_OK, NULL,
				"--iface says %s, and the route for %s goes there too",
				d->ifc.name, dr_group_only(d));
		else if (rc > 0)
			dr_report(
				d, DR_OK, NULL,
				"--iface says %s (without it the route for %s would go via %s)",
				d->ifc.name, dr_group_only(d), via.name);
		else
			dr_report(
				d, DR_OK, NULL,
				"--iface says %s; there is no route for %s, so programs that do not name the interface fail with ENODEV (add one: ip%s route add %s dev %s)",
				d->ifc.name, dr_group_only(d),
				dr_is_v6(d) ? " -6" : "",
				dr_is_v6(d) ? "ff00::/8" : "224.0.0.0/4",
				d->ifc.name);
	} else if (scope && mcast_iface_by_index(scope, &d->ifc) == 0) {
		d->have_iface = true;
		dr_report(d, DR_OK, NULL, "the group's %%scope says %s",
			  d->ifc.name);
	} else if (rc > 0) {
		d->ifc = via;
		d->have_iface = true;
		dr_report(
			d, DR_OK, NULL,
			"the route for %s goes via %s, so joins and sends without --iface use it",
			dr_group_only(d), via.name);
	} else {
		dr_report(
			d, DR_FAIL, dr_route_fix(d),
			"no multicast route for %s (%s): joins fail with ENODEV and sends with ENETUNREACH",
			dr_group_only(d), mcast_strerror(rc));
	}
	if (d->have_iface)
		find_ifaddr(d);
}

/* The interface checks need one: without it each says so and skips. */
static bool have_iface(struct doctor *d)
{
	if (!d->have_iface)
		dr_report(d, DR_SKIP, NULL,
			  "no interface to check (see route)");
	return d->have_iface;
}

void dr_check_iface_up(struct doctor *d)
{
	char fix[DR_TEXT];
	const char *n = d->ifc.name;

	if (!have_iface(d))
		return;
	snprintf(fix, sizeof(fix), "ip link set %s up", n);
	if (d->ifc.flags & MCAST_IF_UP)
		dr_report(d, DR_OK, NULL, "%s is up", n);
	else
		dr_report(d, DR_FAIL, fix,
			  "%s is down: nothing is sent or received on it", n);
}

void dr_check_iface_multicast(struct doctor *d)
{
	char fix[DR_TEXT];
	const char *n = d->ifc.name;
	unsigned fl = d->ifc.flags;

	if (!have_iface(d))
		return;
	snprintf(fix, sizeof(fix), "ip link set %s multicast on", n);
	if (fl & MCAST_IF_MULTICAST)
		dr_report(d, DR_OK, NULL, "%s has the MULTICAST flag", n);
	else if ((fl & MCAST_IF_LOOPBACK) && !dr_is_v6(d))
		dr_report(
			d, DR_OK, NULL,
			"%s lacks the MULTICAST flag, which IPv4 ignores on loopback",
			n);
	else
		dr_report(
			d, DR_FAIL, fix,
			"%s lacks the MULTICAST flag: drivers may filter multicast out and switches see no membership reports",
			n);
}

void dr_check_iface_address(struct doctor *d)
{
	char fix[DR_TEXT], a[MCAST_ADDRSTRLEN];
	const char *n = d->ifc.name;

	if (!have_iface(d))
		return;
	if (d->have_ifaddr) {
		dr_report(d, DR_OK, NULL,
			  "%s has %s, the source address of what is sent on it",
			  n, cli_addr_only(&d->ifaddr, a, sizeof(a)));
	} else if (!dr_is_v6(d)) {
		snprintf(fix, sizeof(fix), "ip addr add ADDR/LEN dev %s", n);
		dr_report(
			d, DR_FAIL, fix,
			"%s has no IPv4 address: a sender would send from 0.0.0.0 and receivers drop it",
			n);
	} else {
		snprintf(
			fix, sizeof(fix),
			"sysctl -w net.ipv6.conf.%s.disable_ipv6=0, or ip -6 addr add ADDR/LEN dev %s",
			n, n);
		dr_report(
			d, DR_FAIL, fix,
			"%s has no IPv6 address, neither link-local nor global: MLD reports and datagrams cannot leave from it",
			n);
	}
}

void dr_check_carrier(struct doctor *d)
{
	const char *n = d->ifc.name;
	unsigned fl = d->ifc.flags;

	if (!have_iface(d))
		return;
	if (!(fl & MCAST_IF_UP))
		dr_report(d, DR_SKIP, NULL, "%s is down (see iface-up)", n);
	else if (fl & MCAST_IF_RUNNING)
		dr_report(d, DR_OK, NULL, "%s has carrier", n);
	else
		dr_report(
			d, DR_WARN,
			"check the cable, the switch port, or the other end of the veth pair",
			"%s is up but has no carrier (NO-CARRIER): nothing reaches the wire",
			n);
}

static const char *rpf_word(long v)
{
	return v == 0 ? "off" : v == 1 ? "strict" : "loose";
}

/*
 * The kernel applies max(conf/all/rp_filter, conf/IF/rp_filter); strict
 * (1) drops a datagram whose source's route back leaves by another
 * interface, loose (2) only one whose source has no route at all.
 */
void dr_check_rp_filter(struct doctor *d)
{
	char fix[256], src[MCAST_ADDRSTRLEN];
	const char *n = d->ifc.name;
	long all = 0, dev = 0, eff;
	struct mcast_iface back;
	int rc;

	if (dr_is_v6(d)) {
		dr_report(d, DR_SKIP, NULL,
			  "IPv6 has no reverse-path filter sysctl");
		return;
	}
	if (!d->have_iface) {
		dr_report(d, DR_SKIP, NULL,
			  "no interface to check (see route)");
		return;
	}
	if (!dr_conf("ipv4", "all", "rp_filter", &all) ||
	    !dr_conf("ipv4", n, "rp_filter", &dev)) {
		dr_report(
			d, DR_SKIP, NULL,
			"cannot read /proc/sys/net/ipv4/conf/{all,%s}/rp_filter",
			n);
		return;
	}
	eff = all > dev ? all : dev;
	snprintf(
		fix, sizeof(fix),
		"set net.ipv4.conf.%s.rp_filter=2 (loose) or 0, and net.ipv4.conf.all.rp_filter likewise",
		n);
	if (!d->has_source) {
		if (eff == 1)
			dr_report(
				d, DR_WARN, fix,
				"strict reverse-path filtering on %s (all=%ld, %s=%ld): datagrams from senders whose route back goes via another interface are dropped; check one with --source ADDR",
				n, all, n, dev);
		else
			dr_report(
				d, DR_OK, NULL,
				"reverse-path filtering %s on %s (all=%ld, %s=%ld)",
				rpf_word(eff), n, all, n, dev);
		return;
	}
	cli_addr_only(&d->source, src, sizeof(src));
	rc = mcast_route_iface((const struct sockaddr *)&d->source);
	if (rc > 0 && mcast_iface_by_index((unsigned)rc, &back) < 0)
		snprintf(back.name, sizeof(back.name), "#%d", rc);
	if (eff == 0) {
		dr_report(
			d, DR_OK, NULL,
			"reverse-path filtering off on %s (all=%ld, %s=%ld): datagrams from %s are not checked",
			n, all, n, dev, src);
	} else if (rc > 0 && (unsigned)rc == d->ifc.index) {
		dr_report(
			d, DR_OK, NULL,
			"%s reverse-path filtering on %s, and the route back to %s goes via %s",
			rpf_word(eff), n, src, n);
	} else if (rc > 0 && eff == 2) {
		dr_report(
			d, DR_OK, NULL,
			"loose reverse-path filtering on %s: %s has a route back (via %s)",
			n, src, back.name);
	} else if (rc > 0) {
		dr_report(
			d, DR_FAIL, fix,
			"reverse-path filtering drops datagrams from %s arriving on %s (route back goes via %s; rp_filter all=%ld, %s=%ld)",
			src, n, back.name, all, n, dev);
	} else {
		snprintf(
			fix, sizeof(fix),
			"add a route to %s via %s, or set net.ipv4.conf.%s.rp_filter=0 and net.ipv4.conf.all.rp_filter=0",
			src, n, n);
		dr_report(
			d, eff == 1 ? DR_FAIL : DR_WARN, fix,
			"%s reverse-path filtering on %s (all=%ld, %s=%ld) and no route back to %s at all: its datagrams are dropped",
			rpf_word(eff), n, all, n, dev, src);
	}
}

void dr_check_rcvbuf(struct doctor *d)
{
	int want = (int)d->rcvbuf, got = 0;
	socklen_t len = sizeof(got);
	char fix[128];
	long rmem_max = -1;
	bool forced;
	int fd;

	dr_read_long("/proc/sys/net/core/rmem_max", &rmem_max);
	fd = socket(d->group.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		dr_report(d, DR_SKIP, NULL,
			  "cannot open a UDP socket to try: %s",
			  mcast_strerror(-errno));
		return;
	}
	forced = setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &want,
			    sizeof(want)) == 0;
	if (!forced)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &want, sizeof(want));
	getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &got, &len);
	close(fd);
	/* The kernel doubles the request for its bookkeeping (and caps it
	 * at INT_MAX / 2 first, hence the slack). */
	if (forced)
		dr_report(
			d, DR_OK, NULL,
			"%d bytes asked and granted: SO_RCVBUFFORCE is permitted here (CAP_NET_ADMIN)%s",
			want,
			rmem_max >= 0 && rmem_max < want
				? "; programs without that capability get at most net.core.rmem_max"
				: "");
	else if ((long long)got >= 2LL * want - 2)
		dr_report(
			d, DR_OK, NULL,
			"%d bytes asked and granted (net.core.rmem_max = %ld)",
			want, rmem_max);
	else {
		snprintf(
			fix, sizeof(fix),
			"raise it (a host-wide setting): sysctl -w net.core.rmem_max=%d",
			want);
		dr_report(
			d, DR_WARN, fix,
			"the kernel clamps a %d-byte receive buffer to net.core.rmem_max = %ld, and SO_RCVBUFFORCE needs CAP_NET_ADMIN: bursts overflow the buffer sooner and datagrams are dropped",
			want, rmem_max);
	}
}
