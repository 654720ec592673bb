/* SPDX-License-Identifier: MIT */
/* mcast doctor: what the checks share. */
#ifndef MCAST_CLI_DOCTOR_H
#define MCAST_CLI_DOCTOR_H

#include "cli.h"

#define DR_TEXT 640

enum dr_status { DR_OK, DR_WARN, DR_FAIL, DR_SKIP };

struct doctor;

/*
 * The checks, in the order they run: X(name, function, help).  The name
 * is the check's in the text lines and in JSON, the help its line in
 * `mcast doctor --help`.  A check is a function in a file of its own (or
 * beside its kin) and a row here: the row declares it, runs it, names it
 * and sizes the array of findings.  Each check reports once (dr_report).
 */
#define DR_CHECKS(X)                                                         \
	X("route", dr_check_route,                                           \
	  "which interface the group's traffic uses, and why")               \
	X("iface-up", dr_check_iface_up, "the interface is up")              \
	X("iface-multicast", dr_check_iface_multicast,                       \
	  "it has the MULTICAST flag")                                       \
	X("iface-address", dr_check_iface_address,                           \
	  "it has an address of the group's family")                         \
	X("carrier", dr_check_carrier, "it has carrier")                     \
	X("rp_filter", dr_check_rp_filter,                                   \
	  "reverse-path filtering lets the sender's datagrams in")           \
	X("rcvbuf", dr_check_rcvbuf, "the receive buffer --rcvbuf asks for") \
	X("igmp-limits", dr_check_igmp_limits,                               \
	  "IGMP/MLD limits on groups and sources per socket")                \
	X("igmp-version", dr_check_igmp_version,                             \
	  "IGMPv3/MLDv2, which source-specific joins need")                  \
	X("memberships", dr_check_memberships,                               \
	  "the groups joined on the interface")                              \
	X("firewall", dr_check_firewall,                                     \
	  "nft and iptables rules that may drop UDP to the port")            \
	X("querier", dr_check_querier,                                       \
	  "an IGMP/MLD querier heard (with --listen)")                       \
	X("self-test", dr_check_self_test,                                   \
	  "3 probes with TTL 0 sent and back (nothing leaves)")

#define DR_DECLARE(name, fn, help) void fn(struct doctor *d);
DR_CHECKS(DR_DECLARE)
#undef DR_DECLARE

#define DR_ONE(name, fn, help) +1
enum { DR_NCHECKS = 0 DR_CHECKS(DR_ONE) };
#undef DR_ONE

/* One finding: a status, what was seen and what to do; name is NULL
 * until its check reports (an interrupted run may leave some out). */
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

	/* One finding per row of DR_CHECKS, in its order. */
	struct dr_check checks[DR_NCHECKS];
	size_t running; /* the row whose check runs now */
};

/* Record the running check's finding (and print it at once in text
 * mode).  A second report from one check is a bug and exits. */
void dr_report(struct doctor *d, enum dr_status st, const char *fix,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

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
