/* SPDX-License-Identifier: MIT */
/*
 * fuzz_addr.c - mcast_addr_parse() on any text, with every combination of
 * flags.  What parses must format, and the formatted text must parse back
 * to the same address and port.  A "%scope" may name a real interface and
 * be resolved: that is fine.
 */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

#define MC_ALL_FLAGS 32 /* MCAST_PARSE_* are 5 bits */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[512];

	if (size >= sizeof(text))
		size = sizeof(text) - 1;
	memcpy(text, data, size);
	text[size] = '\0';

	for (unsigned f = 0; f < MC_ALL_FLAGS; f++) {
		struct sockaddr_storage ss, back;
		const struct sockaddr *sa = (const struct sockaddr *)&ss;
		char buf[MCAST_ADDRSTRLEN];
		unsigned fmt = MCAST_FMT_SCOPE;
		int rc, w;

		memset(&ss, 0, sizeof(ss));
		rc = mcast_addr_parse(text, f, &ss);
		if (rc < 0)
			continue;
		if (rc != (int)mcast_addr_len(sa))
			abort();
		if ((f & MCAST_PARSE_GROUP) && !mcast_addr_is_multicast(sa))
			abort();
		/* Port 0 is what an absent optional port gives; written out
		 * as ":0" it would not parse. */
		if (mcast_addr_port(sa) != 0)
			fmt |= MCAST_FMT_PORT;
		else if (f & MCAST_PARSE_PORT)
			abort(); /* a required port of 0 */
		w = mcast_addr_format(sa, fmt, buf, sizeof(buf));
		if (w < 0 || (size_t)w >= sizeof(buf))
			abort();
		memset(&back, 0, sizeof(back));
		rc = mcast_addr_parse(buf, f, &back);
		if (rc < 0 && rc != MCAST_ENOIFACE) /* interface gone since */
			abort();
		if (rc >= 0 &&
		    (!mcast_addr_same(sa, (const struct sockaddr *)&back, 1) ||
		     mcast_addr_scope(sa) !=
			     mcast_addr_scope((const struct sockaddr *)&back)))
			abort();
	}
	return 0;
}
