/* SPDX-License-Identifier: MIT */
/*
 * mcast doctor's active checks: listen for an IGMP/MLD querier, and the
 * self-test, which joins the group and sends it three probes with TTL 0
 * and loopback on - they come back through the kernel's whole receive
 * path (routing, the input firewall hooks, the socket's filters) but never
 * leave the host.
 */
#include "doctor.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#define PROBES	      3
#define PROBE_WAIT_MS 1000
#define IGMP_QUERY    0x11
#define MLD_QUERY     130

/* The arrival interface of a datagram read with IP(V6)_PKTINFO. */
static unsigned pktinfo_ifindex(struct msghdr *mh)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			return (unsigned)pi.ipi_ifindex;
		}
		if (c->cmsg_level == IPPROTO_IPV6 &&
		    c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			return pi.ipi6_ifindex;
		}
	}
	return 0;
}

/* A raw socket that sees IGMP (IPv4) or only MLD queries (ICMPv6). */
static int querier_socket(bool v6)
{
	int fd, on = 1;

	if (!v6) {
		fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_IGMP);
		if (fd >= 0)
			setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof(on));
		return fd < 0 ? -errno : fd;
	}
	struct icmp6_filter filt;

	fd = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMPV6);
	if (fd < 0)
		return -errno;
	ICMP6_FILTER_SETBLOCKALL(&filt);
	ICMP6_FILTER_SETPASS(MLD_QUERY, &filt);
	setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filt, sizeof(filt));
	setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof(on));
	return fd;
}

/*
 * Wait for one query on the interface.  Returns the protocol version
 * heard (1-3 for IGMP, 1-2 for MLD) with the querier in *from, or 0.
 */
static int hear_query(int fd, bool v6, unsigned ifindex, double deadline,
		      struct sockaddr_storage *from)
{
	unsigned char buf[1500], ctl[256];
	double now;

	while (!cli_stop && (now = cli_now()) < deadline) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		struct iovec iov = { buf, sizeof(buf) };
		struct msghdr mh = { .msg_name = from,
				     .msg_namelen = sizeof(*from),
				     .msg_iov = &iov,
				     .msg_iovlen = 1,
				     .msg_control = ctl,
				     .msg_controllen = sizeof(ctl) };
		ssize_t n;

		if (poll(&p, 1, cli_wait_ms(cli_poll_ms(deadline - now))) <= 0)
			continue;
		if ((n = recvmsg(fd, &mh, MSG_DONTWAIT)) <= 0)
			continue;
		if (pktinfo_ifindex(&mh) != ifindex)
			continue;
		if (v6 && buf[0] == MLD_QUERY)
			return n >= 28 ? 2 : 1;
		if (!v6 && n >= 20) {
			size_t ihl = (size_t)(buf[0] & 0x0f) * 4;

			if ((size_t)n >= ihl + 8 && buf[ihl] == IGMP_QUERY)
				return (size_t)n >= ihl + 12 ? 3
				       : buf[ihl + 1]	     ? 2
							     : 1;
		}
	}
	return 0;
}

void dr_check_querier(struct doctor *d)
{
	bool v6 = dr_is_v6(d);
	struct sockaddr_storage from = { 0 };
	char a[MCAST_ADDRSTRLEN], s[32];
	double start = cli_now();
	int fd, ver;

	if (d->listen <= 0) {
		dr_report(
			d, DR_SKIP, NULL,
			"not checked: give --listen 130 to wait for a general query (sent every 125 s by default)");
		return;
	}
	if (!d->have_iface) {
		dr_report(d, DR_SKIP, NULL,
			  "no interface to listen on (see route)");
		return;
	}
	if ((fd = querier_socket(v6)) < 0) {
		dr_report(
			d, DR_SKIP, "run as root",
			"cannot listen for %s queries: %s (a raw socket needs CAP_NET_RAW)",
			v6 ? "MLD" : "IGMP", mcast_strerror(fd));
		return;
	}
	ver = hear_query(fd, v6, d->ifc.index, start + d->listen, &from);
	close(fd);
	if (!ver && cli_stop)
		dr_report(
			d, DR_SKIP, NULL,
			"interrupted after %.1f of %g s on %s, no querier heard yet",
			cli_now() - start, d->listen, d->ifc.name);
	else if (ver)
		dr_report(d, DR_OK, NULL,
			  "%sv%d querier %s heard on %s after %.1f s",
			  v6 ? "MLD" : "IGMP", ver,
			  cli_addr_only(&from, a, sizeof(a)), d->ifc.name,
			  cli_now() - start);
	else
		dr_report(
			d, DR_WARN,
			"use mcast recv --rejoin SECONDS or enable a querier (a router, or: ip link set BRIDGE type bridge mcast_querier 1)",
			"no querier heard in %s s on %s: IGMP/MLD snooping switches without a querier drop memberships after ~260 s",
			cli_num(d->listen, s, sizeof(s)), d->ifc.name);
}

/* A failed self-test step in words, with the fix it points to. */
static void self_test_failed(struct doctor *d, const char *what, int rc,
			     const char *step)
{
	const char *n = d->have_iface ? d->ifc.name : "IF";
	const char *why = "", *fix = cli_advice(rc);
	char buf[160];

	if (rc == -ENODEV || rc == -ENETUNREACH || rc == -EHOSTUNREACH) {
		if (d->have_iface && !(d->ifc.flags & MCAST_IF_UP)) {
			why = ": the interface is down";
			snprintf(buf, sizeof(buf), "ip link set %s up", n);
			fix = buf;
		} else {
			why = ": no multicast route";
			fix = dr_route_fix(d);
		}
	} else if (rc == MCAST_EIFDOWN || rc == -ENETDOWN) {
		snprintf(buf, sizeof(buf), "ip link set %s up", n);
		fix = buf;
	} else if (rc == -EADDRNOTAVAIL) {
		why = ": the address is not on the interface";
		snprintf(buf, sizeof(buf), "ip addr add ADDR/LEN dev %s", n);
		fix = buf;
	} else if (rc == -ENOBUFS) {
		why = ": a membership or source limit";
		fix = dr_is_v6(d)
			      ? "raise net.ipv6.mld_max_msf"
			      : "raise net.ipv4.igmp_max_memberships (or igmp_max_msf)";
	} else if (rc == -EPERM || rc == -EACCES) {
		why = ": an output firewall rule or a security module refused it";
		fix = "look at the output chains: nft list ruleset";
	}
	dr_report(d, DR_FAIL, fix, "%s failed with %s%s%s%s%s", what,
		  mcast_strerror(rc), why, *step ? " (" : "", step,
		  *step ? ")" : "");
}

/* Send PROBES probes of a fresh session; count those that come back. */
static int probe_round(mcast_t *tx, mcast_t *rx, double *rtt_ms, int *err)
{
	struct mcast_hdr h = { .type = MCAST_MSG_DATA };
	static const char text[] = "mcast doctor self-test";
	unsigned char buf[MCAST_WIRE_HDR_LEN + sizeof(text)], in[2048];
	unsigned seen = 0;
	double sent, deadline;
	int got = 0, rc;

	mcast_session_new(h.session);
	h.payload_len = sizeof(text);
	sent = cli_now();
	for (unsigned i = 0; i < PROBES; i++) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		h.seq = i;
		h.send_ns = (uint64_t)ts.tv_sec * 1000000000u +
			    (uint64_t)ts.tv_nsec;
		mcast_hdr_encode(&h, buf, sizeof(buf));
		memcpy(buf + MCAST_WIRE_HDR_LEN, text, sizeof(text));
		if ((rc = mcast_send(tx, buf, sizeof(buf))) < 0) {
			*err = rc;
			return -1;
		}
	}
	deadline = sent + PROBE_WAIT_MS / 1000.0;
	while (got < PROBES && !cli_stop) {
		struct mcast_hdr r;
		int left = cli_poll_ms(deadline - cli_now());

		if (left <= 0)
			break;
		rc = mcast_recv(rx, in, sizeof(in), NULL, cli_wait_ms(left));
		if (rc == -EINTR || rc == -ETIMEDOUT)
			continue;
		if (rc < 0) {
			*err = rc;
			return -1;
		}
		if (mcast_hdr_decode(&r, in, (size_t)rc) < 0 ||
		    memcmp(r.session, h.session, MCAST_SESSION_LEN) != 0 ||
		    r.seq >= PROBES || (seen & (1u << r.seq)))
			continue;
		if (!got)
			*rtt_ms = (cli_now() - sent) * 1000;
		seen |= 1u << r.seq;
		got++;
	}
	return got;
}

void dr_check_self_test(struct doctor *d)
{
	const struct sockaddr *g = (const struct sockaddr *)&d->group;
	struct sockaddr_storage src[2];
	struct mcast_info info;
	struct mcast_opts o;
	struct mcast_iface tmp;
	char step[MCAST_ERRMSG_MAX] = "", a[MCAST_ADDRSTRLEN], s[64];
	mcast_t *rx = NULL, *tx = NULL;
	size_t nsrc = 0;
	double rtt = 0;
	int rc, got, err = 0;

	if (!d->self_test || cli_stop) {
		dr_report(d, DR_SKIP, NULL, "not run (%s)",
			  cli_stop ? "interrupted" : "--no-self-test");
		return;
	}
	mcast_opts_init(&o);
	o.iface = d->have_iface ? d->ifc.name : NULL;
	o.ttl = 0; /* the loopback copy only: nothing goes on the wire */
	o.loop = 1;
	o.errbuf = step;
	o.errlen = sizeof(step);
	/* Send from the source itself when it is ours, else from the
	 * interface's address; an SSM join must then admit that too. */
	if (d->has_source &&
	    mcast_iface_lookup(cli_addr_only(&d->source, s, sizeof(s)), &tmp) ==
		    0)
		o.bind = d->source;
	else if (d->have_ifaddr)
		o.bind = d->ifaddr;
	if (d->has_source) {
		src[nsrc++] = d->source;
		if (o.bind.ss_family &&
		    !mcast_addr_same((struct sockaddr *)&o.bind,
				     (struct sockaddr *)&d->source, 0))
			src[nsrc++] = o.bind;
	}
	if ((rc = mcast_receiver_open(&rx, &o)) < 0) {
		self_test_failed(d, "opening the receiver", rc, step);
		return;
	}
	if ((rc = mcast_join(rx, g, src, nsrc)) < 0) {
		self_test_failed(d, "the join", rc, mcast_errmsg(rx));
		goto out;
	}
	if ((rc = mcast_sender_open(&tx, g, &o)) < 0) {
		self_test_failed(d, "opening the sender", rc, step);
		goto out;
	}
	mcast_info_init(&info);
	mcast_get_info(tx, &info);
	got = probe_round(tx, rx, &rtt, &err);
	if (got < 0)
		self_test_failed(d, "a probe", err, mcast_errmsg(tx));
	else if (got < PROBES && cli_stop)
		dr_report(d, DR_SKIP, NULL,
			  "interrupted: %d of %d probes back so far", got,
			  PROBES);
	else if (got == PROBES)
		dr_report(
			d, DR_OK, NULL,
			"joined%s on %s and sent %d probes from %s with TTL 0: all came back through the kernel in %.2f ms (nothing left the host)",
			nsrc ? " source-specific" : "",
			info.iface.index ? info.iface.name : "(route)", PROBES,
			cli_addr_only(&info.local, a, sizeof(a)), rtt);
	else
		dr_report(
			d, DR_FAIL,
			"look at the input and prerouting chains (nft list ruleset) and at the other checks",
			"%d of %d probes sent from %s on %s came back within %d ms: something on this host drops them (an input firewall rule?)",
			got, PROBES, cli_addr_only(&info.local, a, sizeof(a)),
			info.iface.index ? info.iface.name : "(route)",
			PROBE_WAIT_MS);
out:
	mcast_close(tx);
	mcast_close(rx);
}
