/* SPDX-License-Identifier: MIT */
/*
 * Which interface the kernel's routing table picks for a group, asked over
 * rtnetlink (RTM_GETROUTE, as `ip route get` does).  A join or a send
 * without an explicit interface uses the same lookup, so this is how the
 * CLI can name the interface the kernel chose - or explain an ENODEV.
 */
#include "mc_internal.h"

#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

struct route_req {
	struct nlmsghdr nh;
	struct rtmsg rt;
	char attrs[64];
};

static void add_attr(struct route_req *req, int type, const void *data,
		     size_t len)
{
	struct rtattr *rta =
		(struct rtattr *)((char *)req + NLMSG_ALIGN(req->nh.nlmsg_len));

	rta->rta_type = (unsigned short)type;
	rta->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	req->nh.nlmsg_len =
		NLMSG_ALIGN(req->nh.nlmsg_len) + RTA_ALIGN(rta->rta_len);
}

/* Pull RTA_OIF out of an RTM_NEWROUTE answer; 0 when absent. */
static int parse_answer(const char *buf, size_t len, uint32_t seq)
{
	const struct nlmsghdr *nh = (const void *)buf;

	for (; NLMSG_OK(nh, len); nh = NLMSG_NEXT(nh, len)) {
		if (nh->nlmsg_seq != seq)
			continue;
		if (nh->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = NLMSG_DATA(nh);

			return e->error < 0 ? e->error : -ENOENT;
		}
		if (nh->nlmsg_type != RTM_NEWROUTE)
			continue;
		const struct rtmsg *rt = NLMSG_DATA(nh);
		const struct rtattr *rta = RTM_RTA(rt);
		size_t alen = RTM_PAYLOAD(nh);

		for (; RTA_OK(rta, alen); rta = RTA_NEXT(rta, alen)) {
			if (rta->rta_type == RTA_OIF &&
			    RTA_PAYLOAD(rta) >= sizeof(uint32_t)) {
				uint32_t oif;

				memcpy(&oif, RTA_DATA(rta), sizeof(oif));
				return oif > 0 && oif <= 0x7fffffff ? (int)oif
								    : -ENOENT;
			}
		}
		return -ENOENT;
	}
	return -EBADMSG;
}

int mcast_route_iface(const struct sockaddr *group)
{
	struct route_req req;
	struct sockaddr_nl nl = { .nl_family = AF_NETLINK };
	struct timeval tv = { .tv_sec = 2 };
	char buf[4096];
	const uint32_t seq = 1;
	ssize_t n;
	int fd, rc;

	if (!group ||
	    (group->sa_family != AF_INET && group->sa_family != AF_INET6))
		return -EAFNOSUPPORT;
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg));
	req.nh.nlmsg_type = RTM_GETROUTE;
	req.nh.nlmsg_flags = NLM_F_REQUEST;
	req.nh.nlmsg_seq = seq;
	req.rt.rtm_family = (unsigned char)group->sa_family;
	if (group->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)group;

		req.rt.rtm_dst_len = 32;
		add_attr(&req, RTA_DST, &s4->sin_addr, 4);
	} else {
		const struct sockaddr_in6 *s6 = (const void *)group;

		req.rt.rtm_dst_len = 128;
		add_attr(&req, RTA_DST, &s6->sin6_addr, 16);
		if (s6->sin6_scope_id) {
			uint32_t oif = s6->sin6_scope_id;

			add_attr(&req, RTA_OIF, &oif, sizeof(oif));
		}
	}

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (sendto(fd, &req, req.nh.nlmsg_len, 0, (struct sockaddr *)&nl,
		   sizeof(nl)) < 0) {
		rc = -errno;
		goto out;
	}
	do {
		n = recv(fd, buf, sizeof(buf), 0);
	} while (n < 0 && errno == EINTR);
	rc = n < 0 ? -errno : parse_answer(buf, (size_t)n, seq);
out:
	close(fd);
	return rc;
}
