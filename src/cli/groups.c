/* SPDX-License-Identifier: MIT */
/*
 * Groups from the command line.  Receivers of hundreds of groups (and a
 * sender to each) would need hundreds of arguments, so a range names them
 * in one: 239.1.0.1-239.1.8.0:5000, [ff15::1-ff15::200]:5000.
 */
#include "groups.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

static void append(struct group_list *l, const struct sockaddr_storage *g)
{
	cli_grow(&l->addr, &l->cap, l->n, sizeof(*l->addr));
	l->addr[l->n++] = *g;
}

/* The address bytes of a group, to count through a range. */
static unsigned char *addr_bytes(struct sockaddr_storage *g, size_t *len)
{
	if (g->ss_family == AF_INET) {
		*len = 4;
		return (unsigned char *)&((struct sockaddr_in *)g)->sin_addr;
	}
	*len = 16;
	return (unsigned char *)&((struct sockaddr_in6 *)g)->sin6_addr;
}

/* The next address, counting in network order. */
static void next_addr(unsigned char *a, size_t len)
{
	while (len-- > 0 && ++a[len] == 0)
		;
}

/* Where FIRST-LAST has its dash: in the address, not in a %scope (names
 * of interfaces may have dashes) or the port; NULL for a single group. */
static const char *range_dash(const char *text)
{
	size_t end = text[0] == '[' ? strcspn(text, "%]") : strcspn(text, ":");

	return memchr(text, '-', end);
}

/*
 * Split FIRST-LAST into the texts of both ends, each a group with the
 * port (and IPv6 brackets and scope) of the whole: the first end takes
 * the last end's suffix.  0, or -1 when it does not fit.
 */
static int split_range(const char *text, const char *dash, char *lo, char *hi,
		       size_t cap)
{
	size_t start = text[0] == '[' ? 1 : 0;
	const char *suffix = dash + 1 + strcspn(dash + 1, start ? "%]" : ":");

	if (strlen(text) >= cap)
		return -1;
	snprintf(lo, cap, "%.*s%s", (int)(dash - text), text, suffix);
	snprintf(hi, cap, "%.*s%s", (int)start, text, dash + 1);
	return 0;
}

int groups_parse(struct group_list *l, const char *text, bool quiet)
{
	struct sockaddr_storage a, b;
	char lo[2 * MCAST_ADDRSTRLEN + 16], hi[sizeof(lo)];
	unsigned char *pa, *pb;
	size_t len, n = 1;
	unsigned flags = MCAST_PARSE_GROUP | MCAST_PARSE_PORT;
	const char *dash = range_dash(text);

	if (!dash) {
		if (mcast_addr_parse(text, flags, &a) < 0) {
			if (quiet)
				return 0;
			cli_parse_group(text, &a); /* says what is wrong */
		}
		append(l, &a);
		return 1;
	}
	if (split_range(text, dash, lo, hi, sizeof(lo)) < 0 ||
	    mcast_addr_parse(lo, flags, &a) < 0 ||
	    mcast_addr_parse(hi, flags, &b) < 0 || a.ss_family != b.ss_family) {
		if (quiet)
			return 0;
		cli_die(EXIT_USAGE,
			"'%s' is not a range of groups; e.g. 239.1.0.1-239.1.8.0:5000 or [ff15::1-ff15::200]:5000",
			text);
	}
	pa = addr_bytes(&a, &len);
	pb = addr_bytes(&b, &len);
	if (memcmp(pa, pb, len) > 0)
		cli_die(EXIT_USAGE,
			"%s: the range runs backwards; give the lower group first",
			text);
	for (;;) {
		append(l, &a);
		if (memcmp(pa, pb, len) == 0)
			return 1;
		if (++n > GROUP_RANGE_MAX)
			cli_die(EXIT_USAGE,
				"%s names more than %d groups; give several smaller ranges",
				text, GROUP_RANGE_MAX);
		next_addr(pa, len);
	}
}

void groups_free(struct group_list *l)
{
	free(l->addr);
	*l = (struct group_list){ 0 };
}

const char *groups_split_source(const char *text, char *src, size_t cap)
{
	const char *at = strchr(text, '@');
	size_t n;

	src[0] = '\0';
	if (!at)
		return text;
	n = (size_t)(at - text);
	if (n == 0 || n >= cap)
		cli_bad_value("SOURCE@GROUP:PORT", text,
			      "a unicast source, '@', then GROUP:PORT");
	memcpy(src, text, n);
	src[n] = '\0';
	return at + 1;
}
