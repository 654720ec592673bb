/* SPDX-License-Identifier: MIT */
/*
 * mcast monitor's group file.  It comes from an operator, but it is read
 * again whenever SIGHUP arrives, possibly half written by an editor, so
 * every line is checked in full and any error leaves the caller's set as
 * it was: nothing here exits or prints.
 */
#include "monitor_spec.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The types stream=TYPE takes by name; seq:... is parsed apart.  A type
 * the tracker learns is named here (and in the man page). */
static const int mon_streams[] = {
	MCAST_STREAM_AUTO, MCAST_STREAM_MCAST,	MCAST_STREAM_RTP,
	MCAST_STREAM_TS,   MCAST_STREAM_RTP_TS, MCAST_STREAM_NONE,
};

const char *mon_stream_name(int stream)
{
	return mcast_stream_name(stream);
}

bool mon_same_stream(const struct mon_spec *a, const struct mon_spec *b)
{
	return a->stream == b->stream &&
	       (a->stream != MCAST_STREAM_SEQ ||
		memcmp(&a->seq, &b->seq, sizeof(a->seq)) == 0);
}

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* A label goes into Prometheus labels, JSON and terminal lines: printable
 * ASCII without spaces keeps it one word in the file and safe anywhere. */
static bool good_name(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f)
			return false;
	return n > 0;
}

static int parse_option(const char *w, size_t n, struct mon_spec *out,
			char *err, size_t errlen)
{
	if (n > 5 && memcmp(w, "name=", 5) == 0) {
		if (n - 5 >= MON_NAME_MAX || !good_name(w + 5, n - 5))
			return fail(
				err, errlen,
				"name=LABEL takes 1 to %d printable characters without spaces",
				MON_NAME_MAX - 1);
		memcpy(out->name, w + 5, n - 5);
		out->name[n - 5] = '\0';
		return 0;
	}
	if (n > 7 && memcmp(w, "stream=", 7) == 0) {
		char v[64];

		if (n - 7 >= sizeof(v))
			return fail(err, errlen, "stream=%.32s...: too long",
				    w + 7);
		memcpy(v, w + 7, n - 7);
		v[n - 7] = '\0';
		for (size_t k = 0;
		     k < sizeof(mon_streams) / sizeof(*mon_streams); k++)
			if (strcmp(v, mcast_stream_name(mon_streams[k])) == 0) {
				out->stream = mon_streams[k];
				return 0;
			}
		if (strncmp(v, "seq:", 4) == 0) {
			if (mcast_seq_spec_parse(v, &out->seq) < 0)
				return fail(
					err, errlen,
					"stream=%s: want seq:OFFSET:WIDTH[:be|le][:count=OFFSET:WIDTH], WIDTH 1, 2, 4 or 8",
					v);
			out->stream = MCAST_STREAM_SEQ;
			return 0;
		}
		return fail(
			err, errlen,
			"stream=%s: want auto, mcast, rtp, ts, rtp-ts, none or seq:OFFSET:WIDTH...",
			v);
	}
	return fail(err, errlen, "'%.*s' is neither name=LABEL nor stream=TYPE",
		    (int)(n > 32 ? 32 : n), w);
}

/* [SOURCE@]GROUP:PORT into out. */
static int parse_group(const char *w, size_t n, struct mon_spec *out, char *err,
		       size_t errlen)
{
	char text[MON_TEXT_MAX], src[MCAST_ADDRSTRLEN], *at;
	const char *g = text;

	if (n >= sizeof(text))
		return fail(err, errlen, "'%.32s...' is too long for a group",
			    w);
	memcpy(text, w, n);
	text[n] = '\0';
	if ((at = strchr(text, '@'))) {
		*at = '\0';
		g = at + 1;
		if (mcast_addr_parse(text, MCAST_PARSE_UNICAST, &out->source) <
		    0)
			return fail(err, errlen,
				    "'%s' is not a unicast source address",
				    text);
	}
	if (mcast_addr_parse(g, MCAST_PARSE_GROUP | MCAST_PARSE_PORT,
			     &out->group) < 0)
		return fail(
			err, errlen,
			"'%s' is not GROUP:PORT (239.1.1.1:5000, [ff15::1]:5000)",
			g);
	if (at && out->source.ss_family != out->group.ss_family)
		return fail(
			err, errlen,
			"%s@%s: the source and the group must both be IPv4 or both IPv6",
			text, g);
	/* The canonical text, the same however the file spelled it. */
	if (at)
		mcast_addr_format((const struct sockaddr *)&out->source, 0, src,
				  sizeof(src));
	char gt[MCAST_ADDRSTRLEN];

	mcast_addr_format((const struct sockaddr *)&out->group,
			  MCAST_FMT_PORT | MCAST_FMT_SCOPE, gt, sizeof(gt));
	snprintf(out->text, sizeof(out->text), "%s%s%s", at ? src : "",
		 at ? "@" : "", gt);
	return 0;
}

int mon_spec_parse(const char *line, struct mon_spec *out, char *err,
		   size_t errlen)
{
	const char *p = line;
	bool have_group = false;

	memset(out, 0, sizeof(*out));
	out->source.ss_family = AF_UNSPEC;
	out->stream = MON_STREAM_DEFAULT;
	if (strlen(line) >= MON_LINE_MAX)
		return fail(err, errlen, "longer than %d bytes",
			    MON_LINE_MAX - 1);
	for (;;) {
		while (is_space(*p))
			p++;
		if (*p == '\0' || *p == '#')
			break;
		size_t n = 0;

		while (p[n] && !is_space(p[n]) && p[n] != '#')
			n++;
		if (!have_group) {
			if (parse_group(p, n, out, err, errlen) < 0)
				return -1;
			have_group = true;
		} else if (parse_option(p, n, out, err, errlen) < 0) {
			return -1;
		}
		p += n;
	}
	return have_group ? 1 : 0;
}

int mon_group_cmp(const struct sockaddr_storage *x,
		  const struct sockaddr_storage *y, bool scope)
{
	const struct sockaddr *sx = (const void *)x, *sy = (const void *)y;
	int c;

	if (x->ss_family != y->ss_family)
		return x->ss_family < y->ss_family ? -1 : 1;
	if (x->ss_family == AF_INET)
		c = memcmp(&((const struct sockaddr_in *)x)->sin_addr,
			   &((const struct sockaddr_in *)y)->sin_addr, 4);
	else
		c = memcmp(&((const struct sockaddr_in6 *)x)->sin6_addr,
			   &((const struct sockaddr_in6 *)y)->sin6_addr, 16);
	if (c)
		return c;
	if (mcast_addr_port(sx) != mcast_addr_port(sy))
		return mcast_addr_port(sx) < mcast_addr_port(sy) ? -1 : 1;
	if (scope && mcast_addr_scope(sx) != mcast_addr_scope(sy))
		return mcast_addr_scope(sx) < mcast_addr_scope(sy) ? -1 : 1;
	return 0;
}

/* Groups in a total order, so duplicates sit side by side. */
static int spec_cmp(const void *a, const void *b)
{
	return mon_group_cmp(&((const struct mon_spec *)a)->group,
			     &((const struct mon_spec *)b)->group, true);
}

int mon_specs_parse(const char *text, size_t len, struct mon_spec **out,
		    size_t *n, char *err, size_t errlen)
{
	struct mon_spec *v = NULL, *sorted;
	size_t cnt = 0, cap = 0, pos = 0;
	unsigned lineno = 0;
	char line[MON_LINE_MAX], why[160];

	if (memchr(text, '\0', len))
		return fail(err, errlen, "holds a NUL byte: not a text file");
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t ll = nl ? (size_t)(nl - (text + pos)) : len - pos;
		struct mon_spec s;
		int rc;

		lineno++;
		if (ll >= sizeof(line)) {
			free(v);
			return fail(err, errlen,
				    "line %u: longer than %d bytes", lineno,
				    MON_LINE_MAX - 1);
		}
		memcpy(line, text + pos, ll);
		line[ll] = '\0';
		pos += ll + 1;
		rc = mon_spec_parse(line, &s, why, sizeof(why));
		if (rc < 0) {
			free(v);
			return fail(err, errlen, "line %u: %s", lineno, why);
		}
		if (rc == 0)
			continue;
		if (cnt == MON_SPECS_MAX) {
			free(v);
			return fail(err, errlen, "more than %d groups",
				    MON_SPECS_MAX);
		}
		if (cnt == cap) {
			size_t nc = cap ? cap * 2 : 16;
			struct mon_spec *nv = realloc(v, nc * sizeof(*v));

			if (!nv) {
				free(v);
				return fail(err, errlen, "out of memory");
			}
			v = nv;
			cap = nc;
		}
		s.line = lineno;
		v[cnt++] = s;
	}
	/* A group twice is a mistake whichever line meant it. */
	if (cnt > 1) {
		if (!(sorted = malloc(cnt * sizeof(*v)))) {
			free(v);
			return fail(err, errlen, "out of memory");
		}
		memcpy(sorted, v, cnt * sizeof(*v));
		qsort(sorted, cnt, sizeof(*v), spec_cmp);
		for (size_t i = 1; i < cnt; i++) {
			if (spec_cmp(&sorted[i - 1], &sorted[i]) != 0)
				continue;
			unsigned a = sorted[i - 1].line, b = sorted[i].line;

			fail(err, errlen,
			     "line %u: %s is listed already (line %u)",
			     a > b ? a : b, sorted[i].text, a > b ? b : a);
			free(sorted);
			free(v);
			return -1;
		}
		free(sorted);
	}
	*out = v;
	*n = cnt;
	return 0;
}

int mon_specs_read(const char *path, struct mon_spec **out, size_t *n,
		   char *err, size_t errlen)
{
	char why[300];
	struct stat st;
	char *buf;
	ssize_t got;
	size_t len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return fail(err, errlen, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_size > MON_FILE_MAX) {
		close(fd);
		return fail(err, errlen,
			    "%s: not a regular file of at most %d bytes", path,
			    MON_FILE_MAX);
	}
	if (!(buf = malloc(MON_FILE_MAX + 1))) {
		close(fd);
		return fail(err, errlen, "out of memory");
	}
	/* Read to the end, not st_size: the file may grow meanwhile. */
	while ((got = read(fd, buf + len, MON_FILE_MAX + 1 - len)) > 0)
		len += (size_t)got;
	close(fd);
	if (got < 0 || len > MON_FILE_MAX) {
		free(buf);
		return fail(err, errlen, "%s: %s", path,
			    got < 0 ? strerror(errno) : "grew too large");
	}
	if (mon_specs_parse(buf, len, out, n, why, sizeof(why)) < 0) {
		free(buf);
		return fail(err, errlen, "%s: %s", path, why);
	}
	free(buf);
	return 0;
}
