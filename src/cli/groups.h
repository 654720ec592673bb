/* SPDX-License-Identifier: MIT */
/* Groups from the command line: GROUP:PORT, or a range of groups. */
#ifndef MCAST_CLI_GROUPS_H
#define MCAST_CLI_GROUPS_H

#include "cli.h"

/* The most groups one range may name: a longer one is more likely a typo
 * (239.0.0.1-239.255.0.1) than a wish; several ranges may follow. */
#define GROUP_RANGE_MAX 65536

struct group_list {
	struct sockaddr_storage *addr;
	size_t n, cap;
};

/*
 * Append the groups text names: GROUP:PORT, or FIRST-LAST:PORT (IPv4) or
 * [FIRST-LAST]:PORT (IPv6, a %scope after LAST) for every group from
 * FIRST to LAST.  Returns 1 when text named groups, 0 when it is no group
 * at all (nothing appended; only with quiet).  A malformed range, or any
 * text without quiet that is no group, ends the program with status 2.
 */
int groups_parse(struct group_list *l, const char *text, bool quiet);

void groups_free(struct group_list *l);

/*
 * SOURCE@GROUP:PORT: copy SOURCE into src (cap bytes; "" when text has no
 * '@') and return what follows the '@', or text itself.  An empty or
 * overlong source ends the program with status 2.
 */
const char *groups_split_source(const char *text, char *src, size_t cap);

#endif /* MCAST_CLI_GROUPS_H */
