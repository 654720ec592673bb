/* SPDX-License-Identifier: MIT */
/*
 * Watching the kernel's link and address events (rtnetlink) for a
 * receiver, and keeping its memberships on the interface it was given by
 * name.  Linux keeps memberships across link down/up and address changes,
 * so those are only reported.  An interface deleted and created again
 * gets a new index: the memberships on the old index are gone from the
 * device but not from the socket, where they still count against
 * igmp_max_memberships (20 by default), so they are left explicitly and
 * joined again on the new index.
 */
#include "mc_internal.h"

#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

static void push(struct mcast *m, const struct mcast_event *ev)
{
	struct mc_watch *w = &m->watch;

	if (w->count == MC_EVENTS) {
		w->lost++;
		return;
	}
	w->queue[(w->head + w->count) % MC_EVENTS] = *ev;
	w->count++;
}

static void event(struct mcast *m, int type, unsigned ifindex)
{
	struct mcast_event ev = { .type = type, .ifindex = ifindex };

	memcpy(ev.ifname, m->iface.name, IF_NAMESIZE);
	clock_gettime(CLOCK_REALTIME, &ev.ts);
	push(m, &ev);
}

/* The address an ifaddrmsg is about (IFA_LOCAL for IPv4: IFA_ADDRESS is
 * the peer on point-to-point links); false when it has none. */
static bool addr_of(const struct nlmsghdr *nh, struct sockaddr_storage *ss)
{
	const struct ifaddrmsg *ifa = NLMSG_DATA(nh);
	const struct rtattr *rta = IFA_RTA(ifa);
	int alen = (int)IFA_PAYLOAD(nh);
	const void *local = NULL, *address = NULL, *a;
	size_t want = ifa->ifa_family == AF_INET ? 4 : 16;

	if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6)
		return false;
	for (; RTA_OK(rta, alen); rta = RTA_NEXT(rta, alen)) {
		if (RTA_PAYLOAD(rta) != want)
			continue;
		if (rta->rta_type == IFA_LOCAL)
			local = RTA_DATA(rta);
		else if (rta->rta_type == IFA_ADDRESS)
			address = RTA_DATA(rta);
	}
	a = local ? local : address;
	if (!a)
		return false;
	memset(ss, 0, sizeof(*ss));
	ss->ss_family = ifa->ifa_family;
	if (ifa->ifa_family == AF_INET)
		memcpy(&((struct sockaddr_in *)ss)->sin_addr, a, 4);
	else
		memcpy(&mc_sin6(ss)->sin6_addr, a, 16);
	return true;
}

static int known_addr(const struct mc_watch *w,
		      const struct sockaddr_storage *a)
{
	for (unsigned i = 0; i < w->naddrs; i++)
		if (mcast_addr_same((const struct sockaddr *)&w->addrs[i],
				    (const struct sockaddr *)a, 0))
			return (int)i;
	return -1;
}

/*
 * The interface's addresses as the handle opens.  The kernel announces an
 * address again when its duplicate address detection ends or a router
 * renews its lifetimes; only one not seen before is an addition.  A dump
 * that fails leaves the list empty: every address then counts as new.
 */
static void dump_addrs(struct mcast *m)
{
	struct {
		struct nlmsghdr nh;
		struct ifaddrmsg ifa;
	} req = { .nh = { .nlmsg_len = sizeof(req),
			  .nlmsg_type = RTM_GETADDR,
			  .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
			  .nlmsg_seq = 1 } };
	struct timeval tv = { .tv_sec = 1 };
	char buf[8192] __attribute__((aligned(4)));
	struct mc_watch *w = &m->watch;
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	bool done = false;
	ssize_t n;

	if (fd < 0)
		return;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (send(fd, &req, sizeof(req), 0) < 0)
		done = true;
	while (!done && (n = recv(fd, buf, sizeof(buf), 0)) > 0) {
		size_t len = (size_t)n;

		for (const struct nlmsghdr *nh = (const void *)buf;
		     NLMSG_OK(nh, len); nh = NLMSG_NEXT(nh, len)) {
			const struct ifaddrmsg *ifa = NLMSG_DATA(nh);
			struct sockaddr_storage a;

			if (nh->nlmsg_type == NLMSG_DONE ||
			    nh->nlmsg_type == NLMSG_ERROR) {
				done = true;
				break;
			}
			if (nh->nlmsg_type == RTM_NEWADDR &&
			    ifa->ifa_index == m->iface.index &&
			    w->naddrs < MC_WATCH_ADDRS && addr_of(nh, &a) &&
			    known_addr(w, &a) < 0)
				w->addrs[w->naddrs++] = a;
		}
	}
	close(fd);
}

int mc_watch_init(struct mcast *m)
{
	struct sockaddr_nl nl = { .nl_family = AF_NETLINK,
				  .nl_groups = RTMGRP_LINK |
					       RTMGRP_IPV4_IFADDR |
					       RTMGRP_IPV6_IFADDR };
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = MC_WATCH_TAG };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
			NETLINK_ROUTE);

	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&nl, sizeof(nl)) < 0 ||
	    epoll_ctl(m->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		int rc = -errno;

		close(fd);
		return rc;
	}
	m->watch.fd = fd;
	m->watch.up = (m->iface.flags & MCAST_IF_UP) &&
		      (m->iface.flags & MCAST_IF_RUNNING);
	/* After subscribing: an address added meanwhile is then known, not
	 * missed. */
	dump_addrs(m);
	return 0;
}

void mc_watch_free(struct mcast *m)
{
	if (m->watch.fd >= 0)
		close(m->watch.fd);
	m->watch.fd = -1;
}

/* The interface came back under its name with a new index. */
static void moved(struct mcast *m, unsigned old, unsigned now)
{
	struct mcast_event ev = { .type = MCAST_EV_REJOINED,
				  .ifindex = now,
				  .old_ifindex = old };

	memcpy(ev.ifname, m->iface.name, IF_NAMESIZE);
	m->iface.index = now;
	for (unsigned i = 0; i < m->ngroups; i++) {
		struct mc_group *g = &m->groups[i];
		int rc;

		if (g->ifindex != old)
			continue;
		/* Errors leaving are expected (the kernel may have let go
		 * already); the socket's list is what must be emptied. */
		mc_group_leave(m, g);
		g->ifindex = now;
		if (g->addr.ss_family == AF_INET6 &&
		    mc_sin6(&g->addr)->sin6_scope_id == old)
			mc_sin6(&g->addr)->sin6_scope_id = now;
		rc = mc_group_join(m, g);
		if (rc < 0) {
			ev.type = MCAST_EV_REJOIN_FAILED;
			ev.error = rc;
		} else {
			ev.groups++;
		}
	}
	clock_gettime(CLOCK_REALTIME, &ev.ts);
	push(m, &ev);
}

static void on_link(struct mcast *m, const struct nlmsghdr *nh)
{
	const struct ifinfomsg *ifi = NLMSG_DATA(nh);
	const struct rtattr *rta = IFLA_RTA(ifi);
	int alen = (int)IFLA_PAYLOAD(nh);
	char name[IF_NAMESIZE] = "";
	unsigned index = (unsigned)ifi->ifi_index;

	for (; RTA_OK(rta, alen); rta = RTA_NEXT(rta, alen))
		if (rta->rta_type == IFLA_IFNAME) {
			size_t n = RTA_PAYLOAD(rta) < IF_NAMESIZE
					   ? RTA_PAYLOAD(rta)
					   : IF_NAMESIZE - 1;

			memcpy(name, RTA_DATA(rta), n);
			name[n < IF_NAMESIZE ? n : IF_NAMESIZE - 1] = '\0';
		}
	if (nh->nlmsg_type == RTM_DELLINK) {
		if (index == m->iface.index)
			event(m, MCAST_EV_LINK_GONE, index);
		return;
	}
	if (strcmp(name, m->iface.name) != 0)
		return;
	if (index != m->iface.index) {
		moved(m, m->iface.index, index);
		m->watch.up = false;
	}
	bool up = (ifi->ifi_flags & IFF_UP) && (ifi->ifi_flags & IFF_RUNNING);

	if (up != m->watch.up) {
		m->watch.up = up;
		event(m, up ? MCAST_EV_LINK_UP : MCAST_EV_LINK_DOWN, index);
	}
}

static void on_addr(struct mcast *m, const struct nlmsghdr *nh)
{
	const struct ifaddrmsg *ifa = NLMSG_DATA(nh);
	struct mc_watch *w = &m->watch;
	struct mcast_event ev = { .ifindex = ifa->ifa_index,
				  .prefixlen = ifa->ifa_prefixlen };
	int i;

	if (ifa->ifa_index != m->iface.index || !addr_of(nh, &ev.addr))
		return;
	i = known_addr(w, &ev.addr);
	if (nh->nlmsg_type == RTM_NEWADDR) {
		if (i >= 0)
			return; /* announced again, not added */
		if (w->naddrs < MC_WATCH_ADDRS)
			w->addrs[w->naddrs++] = ev.addr;
		ev.type = MCAST_EV_ADDR_ADDED;
	} else {
		if (i >= 0)
			w->addrs[i] = w->addrs[--w->naddrs];
		ev.type = MCAST_EV_ADDR_REMOVED;
	}
	memcpy(ev.ifname, m->iface.name, IF_NAMESIZE);
	clock_gettime(CLOCK_REALTIME, &ev.ts);
	push(m, &ev);
}

int mc_watch_process(struct mcast *m)
{
	char buf[8192] __attribute__((aligned(4)));
	ssize_t n;

	while ((n = recv(m->watch.fd, buf, sizeof(buf), 0)) > 0 ||
	       (n < 0 && errno == ENOBUFS)) {
		if (n < 0) {
			/* The kernel overran our queue: events were lost,
			 * but the interface's state can be read afresh. */
			m->watch.lost++;
			unsigned now = if_nametoindex(m->iface.name);

			if (now && now != m->iface.index)
				moved(m, m->iface.index, now);
			continue;
		}
		size_t len = (size_t)n;

		for (const struct nlmsghdr *nh = (const void *)buf;
		     NLMSG_OK(nh, len); nh = NLMSG_NEXT(nh, len)) {
			if (nh->nlmsg_type == RTM_NEWLINK ||
			    nh->nlmsg_type == RTM_DELLINK)
				on_link(m, nh);
			else if (nh->nlmsg_type == RTM_NEWADDR ||
				 nh->nlmsg_type == RTM_DELADDR)
				on_addr(m, nh);
		}
	}
	return (int)m->watch.count;
}

int mcast_events(mcast_t *m, struct mcast_event *ev, size_t n, uint64_t *lost)
{
	size_t got = 0;

	if (!m || (n && !ev))
		return -EINVAL;
	if (m->watch.fd >= 0)
		mc_watch_process(m);
	while (got < n && m->watch.count) {
		ev[got++] = m->watch.queue[m->watch.head];
		m->watch.head = (m->watch.head + 1) % MC_EVENTS;
		m->watch.count--;
	}
	if (lost)
		*lost = m->watch.lost;
	return (int)got;
}
