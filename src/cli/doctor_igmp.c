/* SPDX-License-Identifier: MIT */
/*
 * mcast doctor's read-only IGMP/MLD checks: the membership limits, the
 * protocol version the host speaks, and the groups it has joined, from
 * the sysctls and /proc/net/igmp{,6}.
 */
#include "doctor.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

/* Memberships of this host per interface, from /proc/net/igmp{,6}. */
struct dr_memb {
	char dev[IF_NAMESIZE];
	struct sockaddr_storage group;
	long users;
	char mode[4]; /* IPv4: the device's IGMP mode, "V3" */
};

#define DR_MAX_MEMB 256

/*
 * /proc/net/igmp prints each group as the %08X of the raw __be32, so on
 * any host the parsed number is the in_addr's s_addr as stored.
 */
static size_t read_memberships(int family, struct dr_memb *m, size_t cap)
{
	char line[256], dev[IF_NAMESIZE] = "", mode[4] = "", hex[40];
	size_t n = 0;
	FILE *f = fopen(
		family == AF_INET ? "/proc/net/igmp" : "/proc/net/igmp6", "r");
	long users;
	int idx;

	if (!f)
		return 0;
	while (n < cap && fgets(line, sizeof(line), f)) {
		memset(&m[n], 0, sizeof(m[n]));
		if (family == AF_INET6) {
			struct sockaddr_in6 *s6 = (void *)&m[n].group;

			if (sscanf(line, "%d %15s %32s %ld", &idx, m[n].dev,
				   hex, &users) != 4 ||
			    strlen(hex) != 32)
				continue;
			s6->sin6_family = AF_INET6;
			for (int i = 0; i < 16; i++) {
				unsigned byte;

				sscanf(hex + 2 * i, "%2x", &byte);
				s6->sin6_addr.s6_addr[i] = (uint8_t)byte;
			}
			m[n++].users = users;
		} else if (line[0] != '\t') {
			if (sscanf(line, "%d %15s : %*d %3s", &idx, dev, mode) <
			    2)
				continue;
		} else if (sscanf(line, " %8s %ld", hex, &users) == 2) {
			struct sockaddr_in *s4 = (void *)&m[n].group;

			s4->sin_family = AF_INET;
			s4->sin_addr.s_addr = (in_addr_t)strtoul(hex, NULL, 16);
			snprintf(m[n].dev, sizeof(m[n].dev), "%s", dev);
			snprintf(m[n].mode, sizeof(m[n].mode), "%s", mode);
			m[n++].users = users;
		}
	}
	fclose(f);
	return n;
}

static struct dr_memb membs[DR_MAX_MEMB];

void dr_check_igmp_limits(struct doctor *d)
{
	size_t n = read_memberships(AF_INET, membs, DR_MAX_MEMB), on_if = 0;
	long max = -1, msf = -1;

	if (dr_is_v6(d)) {
		if (d->has_source &&
		    dr_read_long("/proc/sys/net/ipv6/mld_max_msf", &msf) &&
		    msf < 1)
			dr_report(
				d, DR_WARN, "sysctl -w net.ipv6.mld_max_msf=64",
				"net.ipv6.mld_max_msf = %ld: source-specific joins fail with ENOBUFS",
				msf);
		else
			dr_report(
				d, DR_OK, NULL,
				"IPv6 has no per-socket membership limit like igmp_max_memberships%s",
				d->has_source
					? "; mld_max_msf allows the source"
					: "");
		return;
	}
	for (size_t i = 0; i < n; i++)
		if (!d->have_iface || !strcmp(membs[i].dev, d->ifc.name))
			on_if++;
	if (!dr_read_long("/proc/sys/net/ipv4/igmp_max_memberships", &max)) {
		dr_report(
			d, DR_SKIP, NULL,
			"cannot read /proc/sys/net/ipv4/igmp_max_memberships");
		return;
	}
	if (d->has_source)
		dr_read_long("/proc/sys/net/ipv4/igmp_max_msf", &msf);
	if (max < 1)
		dr_report(
			d, DR_WARN,
			"sysctl -w net.ipv4.igmp_max_memberships=20",
			"net.ipv4.igmp_max_memberships = %ld: every join fails with ENOBUFS",
			max);
	else if (d->has_source && msf >= 0 && msf < 2)
		dr_report(
			d, DR_WARN, "sysctl -w net.ipv4.igmp_max_msf=10",
			"net.ipv4.igmp_max_msf = %ld: a source-specific join of more than %ld source fails with ENOBUFS",
			msf, msf);
	else if (on_if + 1 >= (size_t)max)
		dr_report(
			d, DR_WARN,
			"sysctl -w net.ipv4.igmp_max_memberships=N, or spread the groups over more sockets",
			"%zu groups are joined on %s and net.ipv4.igmp_max_memberships = %ld per socket: a process holding them on one socket is at the limit (ENOBUFS)",
			on_if, d->ifc.name, max);
	else if (msf >= 0)
		dr_report(
			d, DR_OK, NULL,
			"up to %ld groups per socket (net.ipv4.igmp_max_memberships) and %ld sources per group (igmp_max_msf); %zu joined on %s",
			max, msf, on_if,
			d->have_iface ? d->ifc.name : "this host");
	else
		dr_report(
			d, DR_OK, NULL,
			"up to %ld groups per socket (net.ipv4.igmp_max_memberships); %zu joined on %s",
			max, on_if, d->have_iface ? d->ifc.name : "this host");
}

/* IGMPv1/v2 and MLDv1 carry no sources: SSM needs v3 / MLDv2. */
void dr_check_igmp_version(struct doctor *d)
{
	bool v6 = dr_is_v6(d);
	const char *fam = v6 ? "ipv6" : "ipv4";
	const char *key = v6 ? "force_mld_version" : "force_igmp_version";
	const char *proto = v6 ? "MLD" : "IGMP";
	const char *dev = d->have_iface ? d->ifc.name : "all";
	long all = 0, ifv = 0, forced;
	char fix[160], mode[4] = "";

	if (!dr_conf(fam, "all", key, &all) ||
	    (d->have_iface && !dr_conf(fam, dev, key, &ifv))) {
		dr_report(d, DR_SKIP, NULL, "cannot read net.%s.conf.%s.%s",
			  fam, dev, key);
		return;
	}
	/* The kernel honours a forced v1 on either, then a forced v2. */
	forced = (all == 1 || ifv == 1) ? 1 : (all == 2 || ifv == 2) ? 2 : 0;
	if (!v6 && d->have_iface) {
		size_t n = read_memberships(AF_INET, membs, DR_MAX_MEMB);

		for (size_t i = 0; i < n; i++)
			if (!strcmp(membs[i].dev, dev))
				memcpy(mode, membs[i].mode, sizeof(mode));
	}
	snprintf(fix, sizeof(fix),
		 "sysctl -w net.%s.conf.%s.%s=0 net.%s.conf.all.%s=0", fam, dev,
		 key, fam, key);
	if (forced && d->has_source)
		dr_report(
			d, DR_FAIL, fix,
			"source-specific joins need %s, but %s forces %s%ld (all=%ld, %s=%ld): reports carry no sources",
			v6 ? "MLDv2" : "IGMPv3", key, v6 ? "MLDv" : "IGMPv",
			forced, all, dev, ifv);
	else if (forced)
		dr_report(
			d, DR_OK, NULL,
			"%s forced to version %ld (all=%ld, %s=%ld): fine for any-source joins, not for source-specific ones",
			proto, forced, all, dev, ifv);
	else if (d->has_source && mode[0] && strcmp(mode, "V3") != 0)
		dr_report(
			d, DR_WARN, "make the router or querier speak IGMPv3",
			"an IGMP%s querier was heard on %s, so this host reports in %s and source-specific joins lose their sources",
			mode, dev, mode);
	else
		dr_report(d, DR_OK, NULL, "%s version not forced (%s=0)%s%s",
			  proto, key,
			  mode[0] ? "; in use on the interface: " : "", mode);
}

void dr_check_memberships(struct doctor *d)
{
	size_t n = read_memberships(d->group.ss_family, membs, DR_MAX_MEMB);
	char list[DR_TEXT / 2], a[MCAST_ADDRSTRLEN];
	size_t used = 0, shown = 0, on_if = 0;
	long users = 0;
	const char *dev = d->have_iface ? d->ifc.name : NULL;

	list[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		bool same = mcast_addr_same((struct sockaddr *)&membs[i].group,
					    (struct sockaddr *)&d->group, 0);

		if (dev && strcmp(membs[i].dev, dev) != 0)
			continue;
		on_if++;
		if (same)
			users += membs[i].users;
		if (shown++ < 8)
			cli_append(
				list, sizeof(list), &used, "%s%s",
				used ? ", " : "",
				cli_addr_only(&membs[i].group, a, sizeof(a)));
	}
	if (shown > 8)
		cli_append(list, sizeof(list), &used, " and %zu more",
			   shown - 8);
	if (users)
		dr_report(
			d, DR_OK, NULL,
			"%s is already joined on %s by %ld socket%s: some process here receives it; %zu groups there: %s",
			dr_group_only(d), dev ? dev : "this host", users,
			users == 1 ? "" : "s", on_if, list);
	else
		dr_report(
			d, DR_OK, NULL,
			"%s is not joined on %s yet; %zu group%s joined there%s%s",
			dr_group_only(d), dev ? dev : "this host", on_if,
			on_if == 1 ? "" : "s", on_if ? ": " : "", list);
}
