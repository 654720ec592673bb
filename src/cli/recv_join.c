/* SPDX-License-Identifier: MIT */
/* mcast recv: joining the groups, and the sockets that came with them. */
#include "recv.h"

#include <stdlib.h>
#include <string.h>

/* The interface a group was joined on, by index; the last one looked up
 * is kept, as most groups of a receiver share it. */
struct iface_memo {
	int index;
	char name[IF_NAMESIZE];
};

/* Name of the interface a group was joined on, for the "joined" line. */
static const char *joined_iface(const struct group_arg *g,
				const struct mcast_info *info,
				struct iface_memo *memo)
{
	const struct sockaddr *ga = (const struct sockaddr *)&g->addr;
	struct mcast_iface ifc;
	int idx;

	if (mcast_addr_scope(ga))
		idx = (int)mcast_addr_scope(ga);
	else if (info->iface.index)
		idx = (int)info->iface.index;
	else
		idx = mcast_route_iface((const struct sockaddr *)&g->addr);
	if (idx > 0 && idx == memo->index)
		return memo->name;
	if (idx > 0 && mcast_iface_by_index((unsigned)idx, &ifc) == 0) {
		memo->index = idx;
		memcpy(memo->name, ifc.name, IF_NAMESIZE);
		return memo->name;
	}
	return "(route)";
}

/* Listed one by one in the "joined" line up to this many; more are
 * summed up as how many, from which to which. */
#define JOINED_LISTED 8

/* The kernel grants at most net.core.rmem_max without CAP_NET_ADMIN: a
 * default request that gets less is as good as it gets here (doctor and
 * the summary say how much), while an explicit --rcvbuf deserves to hear. */
void recv_join_all(mcast_t *m, const struct recv_cfg *c)
{
	struct mcast_info info;
	char line[4096] = "joined", a[MCAST_ADDRSTRLEN], b[MCAST_ADDRSTRLEN];
	char first_if[IF_NAMESIZE] = "";
	struct iface_memo memo = { 0 };
	size_t used = strlen(line), ssm = 0;
	bool listed = c->ngroups <= JOINED_LISTED, one_iface = true;

	mcast_info_init(&info);
	mcast_get_info(m, &info);
	for (size_t i = 0; i < c->ngroups; i++) {
		const struct group_arg *g = &c->groups[i];
		int rc = mcast_join(m, (const struct sockaddr *)&g->addr,
				    g->sources, g->nsources);

		if (rc < 0) {
			char what[2 * MCAST_ADDRSTRLEN + 32];

			snprintf(what, sizeof(what), "cannot join %s", g->text);
			/* The step ("join GROUP") would repeat what. */
			cli_fail_step(rc == MCAST_ENOIFACE ? EXIT_USAGE
							   : EXIT_RUNTIME,
				      "", rc, what);
		}
		if (mcast_addr_is_ssm((const struct sockaddr *)&g->addr) &&
		    !g->nsources && ssm++ == 0)
			cli_warn(
				"%s is in the source-specific range; joined without --source, most networks deliver nothing to it",
				g->text);
		const char *on = joined_iface(g, &info, &memo);

		if (i == 0)
			snprintf(first_if, sizeof(first_if), "%s", on);
		else if (strcmp(first_if, on) != 0)
			one_iface = false;
		if (!listed)
			continue;
		group_arg_append_joined(line, sizeof(line), &used, i == 0, g,
					on);
	}
	/* Sockets, and so their warnings, came with the joins. */
	mcast_get_info(m, &info);
	if (listed)
		cli_info("%s", line);
	else
		cli_info(
			"joined %zu groups, %s to %s, on %s (%u sockets)",
			c->ngroups, cli_addr(&c->groups[0].addr, a, sizeof(a)),
			cli_addr(&c->groups[c->ngroups - 1].addr, b, sizeof(b)),
			one_iface ? first_if : "several interfaces",
			info.nsockets);
	if (ssm > 1)
		cli_warn("and %zu more groups in the source-specific range",
			 ssm - 1);
	if (info.warnings & MCAST_WARN_GRO_OFF)
		cli_warn(
			"the kernel refused coalesced receive (UDP_GRO); receiving datagram by datagram");
	if (c->rcvbuf_set && (info.warnings & MCAST_WARN_RCVBUF_CLAMPED)) {
		/* The kernel reports twice what it grants (bookkeeping). */
		cli_warn(
			"receive buffer clamped to %d bytes by net.core.rmem_max (asked for %d); raise net.core.rmem_max or run with CAP_NET_ADMIN",
			info.rcvbuf_effective / 2, info.rcvbuf_requested);
	}
}

size_t recv_sockets(const mcast_t *m, struct mcast_socket_info **out)
{
	struct mcast_info info;
	struct mcast_socket_info *v;
	size_t n = 0;

	*out = NULL;
	mcast_info_init(&info);
	if (mcast_get_info(m, &info) < 0 || info.nsockets == 0)
		return 0;
	v = calloc(info.nsockets, sizeof(*v));
	if (!v)
		cli_die(EXIT_RUNTIME, "out of memory");
	for (unsigned i = 0; i < info.nsockets; i++) {
		v[n].size = sizeof(v[n]);
		if (mcast_get_socket(m, i, &v[n]) == 0)
			n++;
	}
	*out = v;
	return n;
}

void group_arg_append_joined(char *line, size_t cap, size_t *used, bool first,
			     const struct group_arg *g, const char *on)
{
	char a[MCAST_ADDRSTRLEN];

	cli_append(line, cap, used, "%s ", first ? "" : ",");
	for (size_t k = 0; k < g->nsources; k++)
		cli_append(line, cap, used, "%s%s", k ? "," : "",
			   cli_addr_only(&g->sources[k], a, sizeof(a)));
	cli_append(line, cap, used, "%s%s on %s", g->nsources ? "@" : "",
		   cli_addr(&g->addr, a, sizeof(a)), on);
}
