/* SPDX-License-Identifier: MIT */
/*
 * mcast relay --amt-listen: the datagrams of the groups gateways joined,
 * read with raw sockets on --from and sent to each gateway that wants
 * them as AMT Multicast Data; the run and its summary.
 */
#include "relay_amt.h"
#include "json.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#define AMT_READS 64 /* datagrams read per wakeup */

static bool wants(const struct gateway *w, const struct sockaddr_storage *src,
		  const struct sockaddr_storage *dst)
{
	for (size_t i = 0; i < w->n; i++)
		if (mcast_addr_same((const void *)&w->m[i].group,
				    (const void *)dst, 0) &&
		    (w->m[i].source.ss_family == AF_UNSPEC ||
		     mcast_addr_same((const void *)&w->m[i].source,
				     (const void *)src, 0)))
			return true;
	return false;
}

/* The arrival interface, and for IPv6 the destination and hop limit, which
 * an IPv6 raw socket gives only as ancillary data. */
static unsigned ancillary(struct msghdr *mh, struct sockaddr_storage *dst,
			  int *hops)
{
	unsigned ifindex = 0;

	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			ifindex = (unsigned)pi.ipi_ifindex;
		} else if (c->cmsg_level == IPPROTO_IPV6 &&
			   c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			ifindex = pi.ipi6_ifindex;
			memset(dst, 0, sizeof(*dst));
			dst->ss_family = AF_INET6;
			((struct sockaddr_in6 *)dst)->sin6_addr = pi.ipi6_addr;
		} else if (c->cmsg_level == IPPROTO_IPV6 &&
			   c->cmsg_type == IPV6_HOPLIMIT) {
			memcpy(hops, CMSG_DATA(c), sizeof(*hops));
		}
	}
	return ifindex;
}

/* Read one datagram from the raw socket of fam into pkt + 2 as a whole IP
 * packet; its length, or -1 when there is none (or it is not for us). */
static ssize_t read_raw(struct amt_relay *r, int fam, uint8_t *pkt)
{
	bool v6 = fam == AF_INET6;
	struct sockaddr_storage from, dst = { 0 };
	uint8_t *at = pkt + 2 + (v6 ? 40 : 0);
	char cbuf[256];
	struct iovec iov = { at, AMT_ROOM - 42 };
	struct msghdr mh = { .msg_name = &from,
			     .msg_namelen = sizeof(from),
			     .msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf) };
	int hops = 1;
	ssize_t n = recvmsg(r->raw[v6], &mh, MSG_DONTWAIT);

	if (n < 0)
		return -1;
	if (ancillary(&mh, &dst, &hops) != r->ifindex)
		return 0;
	if (!v6)
		return n;
	/* The kernel took the IPv6 header off: put one back from what the
	 * ancillary data says, so the gateway sees the original packet.
	 * The UDP checksum covers the same addresses, so it still holds. */
	if (dst.ss_family != AF_INET6 ||
	    mcast_amt_ip_header(pkt + 2, 40, (const void *)&from,
				(const void *)&dst, hops, (size_t)n) < 0)
		return 0;
	return n + 40;
}

static void forward(struct amt_relay *r, int fam)
{
	static uint8_t pkt[AMT_ROOM];

	for (int k = 0; k < AMT_READS; k++) {
		struct sockaddr_storage src, dst;
		ssize_t n = read_raw(r, fam, pkt);
		int ttl;

		if (n < 0)
			return;
		/* Only multicast UDP; the AMT port's own unicast too comes
		 * to a raw socket, and is not for a gateway. */
		if (n == 0 || mcast_amt_udp_decode(pkt + 2, (size_t)n, &src,
						   &dst, &ttl) < 0)
			continue;
		/* RFC 7450 5.1.6: version 0, type 6, a reserved byte; the
		 * packet is already after them, so no copy. */
		pkt[0] = MCAST_AMT_DATA;
		pkt[1] = 0;
		for (size_t i = 0; i < r->ngw; i++) {
			const struct sockaddr_storage *to = &r->gw[i].addr;

			if (!wants(&r->gw[i], &src, &dst))
				continue;
			if (amt_send(r, pkt, (size_t)n + 2, to,
				     &r->gw[i].local) < 0)
				continue;
			r->n.relayed++;
			r->n.bytes += (uint64_t)n;
		}
	}
}

static void summary(const struct amt_relay *r, bool json)
{
	const struct amt_counts *n = &r->n;

	if (json) {
		struct json j;

		json_record(&j, stdout, "relay_summary");
		json_object(&j, "amt");
		json_uint(&j, "relayed", n->relayed);
		json_uint(&j, "bytes", n->bytes);
		json_uint(&j, "discoveries", n->discoveries);
		json_uint(&j, "requests", n->requests);
		json_uint(&j, "updates", n->updates);
		json_uint(&j, "teardowns", n->teardowns);
		json_uint(&j, "timeouts", n->timeouts);
		json_uint(&j, "gateways_peak", n->peak);
		json_object(&j, "rejected");
		json_uint(&j, "mac", n->mac);
		json_uint(&j, "malformed", n->malformed);
		json_uint(&j, "limit", n->limit);
		json_uint(&j, "join_failed", n->join_fail);
		json_uint(&j, "send_failed", n->send_fail);
		json_end(&j);
		json_end(&j);
		json_end(&j);
	} else {
		printf("amt: relayed %llu datagrams (%llu bytes) to gateways (at most %zu at once); answered %llu discoveries, %llu requests, %llu updates, %llu teardowns; %llu gateways timed out\n",
		       (unsigned long long)n->relayed,
		       (unsigned long long)n->bytes, n->peak,
		       (unsigned long long)n->discoveries,
		       (unsigned long long)n->requests,
		       (unsigned long long)n->updates,
		       (unsigned long long)n->teardowns,
		       (unsigned long long)n->timeouts);
		printf("amt: rejected: wrong MAC or nonce %llu, malformed %llu, over limits %llu, join failed %llu, send failed %llu\n",
		       (unsigned long long)n->mac,
		       (unsigned long long)n->malformed,
		       (unsigned long long)n->limit,
		       (unsigned long long)n->join_fail,
		       (unsigned long long)n->send_fail);
	}
	fflush(stdout);
}

int relay_amt(const struct relay_cfg *c)
{
	static struct amt_relay r;
	struct mcast_iface ifc;
	char a[MCAST_ADDRSTRLEN + 8];
	double deadline = 0;
	int rc;

	r.c = c;
	if ((rc = mcast_iface_lookup(c->from, &ifc)) < 0)
		cli_die(EXIT_USAGE, "no interface '%s': %s", c->from,
			mcast_strerror(rc));
	r.ifindex = ifc.index;
	if (getrandom(r.key, sizeof(r.key), 0) != (ssize_t)sizeof(r.key))
		cli_die(EXIT_RUNTIME, "cannot draw the MAC secret: %s",
			strerror(errno));
	if (!(r.gw = calloc(AMT_GATEWAYS, sizeof(*r.gw))))
		cli_die(EXIT_RUNTIME, "out of memory");
	r.raw[0] = amt_open_raw(&r, AF_INET);
	r.raw[1] = amt_open_raw(&r, AF_INET6);
	amt_open_port(&r);
	cli_info(
		"listening for AMT gateways on %s, joining on %s what they ask for (query interval %g s)",
		cli_addr(&c->amt, a, sizeof(a)), c->from,
		c->amt_query_interval);
	if (c->duration > 0)
		deadline = cli_now() + c->duration;
	while (!cli_stop) {
		struct pollfd p[4] = {
			{ .fd = r.us, .events = POLLIN },
			{ .fd = r.raw[0], .events = POLLIN },
			{ .fd = r.raw[1], .events = POLLIN },
			{ .fd = cli_stop_fd(), .events = POLLIN },
		};
		double now = cli_now(), wait = 0.2;

		if (deadline > 0 && now >= deadline)
			break;
		if (deadline > 0 && deadline - now < wait)
			wait = deadline - now;
		if (poll(p, 4, cli_poll_ms(wait)) < 0 && errno != EINTR)
			cli_die(EXIT_RUNTIME, "poll: %s", strerror(errno));
		now = cli_now();
		for (int k = 0; k < AMT_READS && (p[0].revents & POLLIN); k++)
			amt_from_gateway(&r, now);
		for (int f = 0; f < 2; f++)
			if (p[1 + f].revents & POLLIN)
				forward(&r, f ? AF_INET6 : AF_INET);
		amt_expire(&r, now);
	}
	summary(&r, c->json);
	close(r.us);
	for (int f = 0; f < 2; f++)
		if (r.raw[f] >= 0)
			close(r.raw[f]);
	free(r.gw);
	free(r.joins);
	return EXIT_OK;
}
