/* SPDX-License-Identifier: MIT */
/*
 * fuzz_groupfile.c - mcast monitor's group file parser (src/cli/
 * monitor_spec.c) on any bytes.  It is read again on every SIGHUP, from a
 * file an editor may have left half written, so it must refuse anything
 * malformed with a reason and never crash; what it accepts must be a set
 * of distinct multicast groups with ports, labels within their limits,
 * and texts that parse back to the same group.
 */
#include "fuzz.h"
#include "../src/cli/monitor_spec.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mon_spec *v = NULL;
	size_t n = 0;
	char err[256];

	if (size > MON_FILE_MAX)
		return 0;
	err[0] = '\0';
	if (mon_specs_parse((const char *)data, size, &v, &n, err,
			    sizeof(err)) < 0) {
		if (!err[0] || v || strlen(err) >= sizeof(err))
			abort();
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		const struct mon_spec *s = &v[i];
		const struct sockaddr *g = (const struct sockaddr *)&s->group;
		struct mon_spec back;
		char why[256];

		if (!mcast_addr_is_multicast(g) || mcast_addr_port(g) == 0 ||
		    !mon_stream_name(s->stream) ||
		    strlen(s->name) >= MON_NAME_MAX || s->line == 0)
			abort();
		for (const char *c = s->name; *c; c++)
			if ((unsigned char)*c <= ' ' ||
			    (unsigned char)*c >= 0x7f)
				abort();
		/* The canonical text is itself a line that means the same. */
		if (mon_spec_parse(s->text, &back, why, sizeof(why)) != 1 ||
		    mon_group_cmp(&back.group, &s->group, true) != 0 ||
		    back.source.ss_family != s->source.ss_family)
			abort();
		for (size_t k = 0; k < i; k++)
			if (mon_group_cmp(&v[k].group, &s->group, true) == 0)
				abort();
	}
	free(v);
	return 0;
}
