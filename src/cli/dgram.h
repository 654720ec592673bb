/* SPDX-License-Identifier: MIT */
/* Printing one received datagram (mcast recv). */
#ifndef MCAST_CLI_DGRAM_H
#define MCAST_CLI_DGRAM_H

#include "cli.h"

enum out_format { FMT_TEXT, FMT_JSON, FMT_HEX, FMT_RAW };

/* The last interface index seen and its name, saving a lookup per
 * datagram on the common single-interface stream. */
struct ifname_cache {
	unsigned index;
	char name[IF_NAMESIZE];
};

/* p, n: what to show; h: the envelope of an opened sealed datagram whose
 * payload p is, or NULL. */
void print_dgram(enum out_format format, struct ifname_cache *ic,
		 const unsigned char *p, size_t n,
		 const struct mcast_meta *meta, const struct mcast_hdr *h);

#endif /* MCAST_CLI_DGRAM_H */
