/* SPDX-License-Identifier: MIT */
/* mcast doctor: what the checks share. */
#ifndef MCAST_CLI_DOCTOR_H
#define MCAST_CLI_DOCTOR_H

#include "cli.h"

#define DR_MAX_CHECKS 16
#define DR_TEXT	      640

enum dr_status { DR_OK, DR_WARN, DR_FAIL, DR_SKIP };

/* One finding: a stable name, a status, what was seen and what to do. */
struct dr_check {
	const char *name;
	enum dr_status status;
	char detail[DR_TEXT];
	char fix[DR_TEXT];
};

struct doctor {
	/* What was asked. */
	struct sockaddr_storage group;
	char group_text[MCAST_ADDRSTRLEN];
	bool group_default;
	const char *iface_arg; /* --iface, NULL when not given */
	struct sockaddr_storage source;
	bool has_source;
	long long rcvbuf; /* bytes wanted */
	double listen;	  /* seconds to listen for a querier; 0: skip */
	bool json;
	bool self_test;

	/* What was found: the interface the group's traffic uses. */
	bool have_iface;
	struct mcast_iface ifc;
	struct sockaddr_storage ifaddr; /* an address of the family on it */
	bool have_ifaddr;

	struct dr_check checks[DR_MAX_CHECKS];
	size_t nchecks;
};

/* Record a finding (and print it at once in text mode). */
void dr_report(struct doctor *d, const char *name, enum dr_status st,
	       const char *fix, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* The read-only checks, in the order they run (doctor_checks.c,
 * doctor_igmp.c, doctor_fw.c). */
void dr_check_route(struct doctor *d);
void dr_check_iface(struct doctor *d);
void dr_check_rp_filter(struct doctor *d);
void dr_check_rcvbuf(struct doctor *d);
void dr_check_igmp_limits(struct doctor *d);
void dr_check_igmp_version(struct doctor *d);
void dr_check_memberships(struct doctor *d);
void dr_check_firewall(struct doctor *d);
/* The active ones, which listen and send (doctor_active.c). */
void dr_check_querier(struct doctor *d);
void dr_check_self_test(struct doctor *d);

/* Small helpers shared by the check files. */
bool dr_is_v6(const struct doctor *d);
/* The group's address alone, as text (a static buffer). */
const char *dr_group_only(const struct doctor *d);
/* How to get a multicast route: --iface, or the `ip route` command. */
const char *dr_route_fix(const struct doctor *d);
/* Read a whole number from a /proc or /sys file; false when unreadable. */
bool dr_read_long(const char *path, long *out);
/* A per-interface sysctl: /proc/sys/net/ipv{4,6}/conf/IF/KEY. */
bool dr_conf(const char *fam, const char *ifname, const char *key, long *out);

#endif /* MCAST_CLI_DOCTOR_H */
