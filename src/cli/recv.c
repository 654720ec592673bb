/* SPDX-License-Identifier: MIT */
/* mcast recv: the tutorial's client - join groups, print what arrives. */
#include "cli.h"
#include "format.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_GROUPS 64
#define MAX_SOURCES 16
#define BATCH 16
#define DGRAM_MAX 65536
/* Distinct senders remembered for the summary; more are only counted. */
#define MAX_SEEN 256

enum out_format { FMT_TEXT, FMT_JSON, FMT_HEX, FMT_RAW };

void usage_recv(FILE *out)
{
	fprintf(out,
		"usage: mcast recv [OPTIONS] GROUP:PORT|SOURCE@GROUP:PORT ...\n\n"
		"Join one or more groups (IPv4 and IPv6 may be mixed) and print each datagram.\n\n"
		"  -i, --iface IF          interface for the joins (name, index or address)\n"
		"  -S, --source ADDR       source-specific join for every group of its family;\n"
		"                          repeatable (SOURCE@GROUP:PORT: one group only)\n"
		"  -c, --count N           exit 0 after N datagrams\n"
		"  -w, --timeout SECONDS   stop this long after joining; exit 1 if fewer than\n"
		"                          --count, or no datagram at all, arrived\n"
		"  -q, --quiet             print no datagrams, only the summary\n"
		"  -F, --format FMT        text (default), json, hex or raw (payload bytes only)\n"
		"  -r, --rcvbuf BYTES      receive buffer to ask for (K, M suffixes)\n"
		"  -h, --help              this help\n");
}

struct group_arg {
	const char *text;
	struct sockaddr_storage addr;
	struct sockaddr_storage sources[MAX_SOURCES];
	size_t nsources;
};

struct recv_cfg {
	struct mcast_opts opts;
	struct group_arg groups[MAX_GROUPS];
	size_t ngroups;
	struct sockaddr_storage sources[MAX_SOURCES]; /* --source */
	size_t nsources;
	long long count; /* -1: no limit */
	double timeout;	 /* <0: none */
	enum out_format format;
	bool quiet;
};

static void add_source(struct sockaddr_storage *list, size_t *n,
		       const char *opt, const char *text)
{
	if (*n == MAX_SOURCES)
		cli_die(EXIT_USAGE, "too many sources (at most %d)", MAX_SOURCES);
	cli_parse_source(opt, text, &list[(*n)++]);
}

/* "GROUP:PORT" or "SOURCE@GROUP:PORT". */
static void add_group(struct recv_cfg *c, const char *text)
{
	struct group_arg *g;
	const char *at = strchr(text, '@');

	if (c->ngroups == MAX_GROUPS)
		cli_die(EXIT_USAGE, "too many groups (at most %d)", MAX_GROUPS);
	g = &c->groups[c->ngroups++];
	g->text = text;
	if (at) {
		char src[MCAST_ADDRSTRLEN];
		size_t n = (size_t)(at - text);

		if (n == 0 || n >= sizeof(src))
			cli_bad_value("SOURCE@GROUP:PORT", text,
				      "a unicast source, '@', then GROUP:PORT");
		memcpy(src, text, n);
		src[n] = '\0';
		add_source(g->sources, &g->nsources, "SOURCE@GROUP", src);
		text = at + 1;
	}
	cli_parse_group(text, &g->addr);
	if (g->nsources && g->sources[0].ss_family != g->addr.ss_family)
		cli_die(EXIT_USAGE,
			"%s: the source and the group must both be IPv4 or both IPv6",
			g->text);
}

static enum out_format parse_format(const char *s)
{
	static const char *const names[] = { "text", "json", "hex", "raw" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i]) == 0)
			return (enum out_format)i;
	cli_bad_value("--format", s, "text, json, hex or raw");
}

static void parse_args(int argc, char **argv, struct recv_cfg *c)
{
	static const struct option longopts[] = {
		{ "iface", required_argument, NULL, 'i' },
		{ "source", required_argument, NULL, 'S' },
		{ "count", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 'w' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "format", required_argument, NULL, 'F' },
		{ "rcvbuf", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int o;

	mcast_opts_init(&c->opts);
	c->count = -1;
	c->timeout = -1;
	opterr = 0;
	while ((o = getopt_long(argc, argv, "+i:S:c:w:qF:r:h", longopts,
				NULL)) != -1) {
		switch (o) {
		case 'i': c->opts.iface = optarg; break;
		case 'S':
			add_source(c->sources, &c->nsources, "--source", optarg);
			break;
		case 'c':
			c->count = cli_parse_int("--count", optarg, 1, INT64_MAX);
			break;
		case 'w':
			c->timeout = cli_parse_seconds("--timeout", optarg,
						       0.001, 1e7);
			break;
		case 'q': c->quiet = true; break;
		case 'F': c->format = parse_format(optarg); break;
		case 'r':
			c->opts.rcvbuf = (int)cli_parse_bytes(
				"--rcvbuf", optarg, 1024, 1LL << 30);
			break;
		case 'h': usage_recv(stdout); exit(EXIT_OK);
		default: cli_bad_option(optopt, argv[optind - 1]);
		}
	}
	if (optind >= argc)
		cli_die(EXIT_USAGE,
			"missing GROUP:PORT; see mcast recv --help");
	while (optind < argc)
		add_group(c, argv[optind++]);
	for (size_t i = 0; i < c->ngroups; i++) {
		struct group_arg *g = &c->groups[i];

		if (mcast_addr_needs_iface((struct sockaddr *)&g->addr) &&
		    !mcast_addr_scope((struct sockaddr *)&g->addr) &&
		    !c->opts.iface)
			cli_die(EXIT_USAGE,
				"%s has link-local scope and needs an interface; give --iface NAME or [GROUP%%NAME]:PORT",
				g->text);
		/* --source applies to every group of its family. */
		for (size_t k = 0; k < c->nsources; k++)
			if (c->sources[k].ss_family == g->addr.ss_family &&
			    g->nsources < MAX_SOURCES)
				g->sources[g->nsources++] = c->sources[k];
	}
}

/* Name of the interface a group was joined on, for the "joined" line. */
static const char *joined_iface(const struct group_arg *g,
				const struct mcast_info *info, char *buf)
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
	if (idx > 0 && mcast_iface_by_index((unsigned)idx, &ifc) == 0) {
		memcpy(buf, ifc.name, IF_NAMESIZE);
		return buf;
	}
	return "(route)";
}

static void join_all(mcast_t *m, const struct recv_cfg *c)
{
	struct mcast_info info = { .size = sizeof(info) };
	char line[4096] = "joined";
	size_t used = strlen(line);

	mcast_get_info(m, &info);
	for (size_t i = 0; i < c->ngroups; i++) {
		const struct group_arg *g = &c->groups[i];
		char a[MCAST_ADDRSTRLEN], ifn[IF_NAMESIZE];
		int rc = mcast_join(m, (const struct sockaddr *)&g->addr,
				    g->sources, g->nsources);

		if (rc < 0) {
			char what[MCAST_ADDRSTRLEN + 32];

			snprintf(what, sizeof(what), "cannot join %s", g->text);
			/* The step ("join GROUP") would repeat what. */
			cli_fail_step(rc == MCAST_ENOIFACE ? EXIT_USAGE
							   : EXIT_RUNTIME,
				      "", rc, what);
		}
		if (mcast_addr_is_ssm((const struct sockaddr *)&g->addr) &&
		    !g->nsources)
			cli_warn("%s is in the source-specific range; joined without --source, most networks deliver nothing to it",
				 g->text);
		cli_append(line, sizeof(line), &used, "%s ", i ? "," : "");
		for (size_t k = 0; k < g->nsources; k++)
			cli_append(line, sizeof(line), &used, "%s%s",
				   k ? "," : "",
				   cli_addr_only(&g->sources[k], a, sizeof(a)));
		cli_append(line, sizeof(line), &used, "%s%s on %s",
			   g->nsources ? "@" : "",
			   cli_addr(&g->addr, a, sizeof(a)),
			   joined_iface(g, &info, ifn));
	}
	cli_info("%s", line);
	if (info.warnings & MCAST_WARN_RCVBUF_CLAMPED) {
		mcast_get_info(m, &info);
		cli_warn("receive buffer clamped to %d bytes (asked for %d); raise net.core.rmem_max or run with CAP_NET_ADMIN",
			 info.rcvbuf_effective, info.rcvbuf_requested);
	}
}

struct tally {
	long long datagrams, bytes;
	struct sockaddr_storage seen[MAX_SEEN];
	size_t nseen;
	bool seen_overflow;
	unsigned last_ifindex;
	char last_ifname[IF_NAMESIZE];
};

static bool same_endpoint(const struct sockaddr_storage *a,
			  const struct sockaddr_storage *b)
{
	return memcmp(a, b, mcast_addr_len((const struct sockaddr *)a)) == 0;
}

static void count_source(struct tally *t, const struct sockaddr_storage *src)
{
	for (size_t i = 0; i < t->nseen; i++)
		if (same_endpoint(&t->seen[i], src))
			return;
	if (t->nseen < MAX_SEEN)
		t->seen[t->nseen++] = *src;
	else
		t->seen_overflow = true;
}

static const char *ifname_of(struct tally *t, unsigned index)
{
	if (index != t->last_ifindex) {
		if (!if_indextoname(index, t->last_ifname))
			snprintf(t->last_ifname, sizeof(t->last_ifname), "%u",
				 index);
		t->last_ifindex = index;
	}
	return t->last_ifname;
}

static void print_text_head(FILE *out, struct tally *t,
			    const struct mcast_meta *meta)
{
	char src[MCAST_ADDRSTRLEN], dst[MCAST_ADDRSTRLEN], ts[32];
	struct tm tm;

	localtime_r(&meta->ts.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%H:%M:%S", &tm);
	fprintf(out, "%s.%06ld %s -> %s %s ", ts, meta->ts.tv_nsec / 1000,
		cli_addr(&meta->src, src, sizeof(src)),
		(meta->flags & MCAST_META_DST)
			? cli_addr(&meta->dst, dst, sizeof(dst))
			: "?",
		ifname_of(t, meta->ifindex));
	if (meta->flags & MCAST_META_TTL)
		fprintf(out, "ttl=%d ", meta->ttl);
	else
		fputs("ttl=? ", out);
	fprintf(out, "len=%zu", meta->len);
}

static void print_json(FILE *out, struct tally *t, const unsigned char *p,
		       size_t n, const struct mcast_meta *meta)
{
	char src[MCAST_ADDRSTRLEN], dst[MCAST_ADDRSTRLEN];

	mcast_addr_format((const struct sockaddr *)&meta->dst, 0, dst,
			  sizeof(dst));
	mcast_addr_format((const struct sockaddr *)&meta->src, 0, src,
			  sizeof(src));
	fprintf(out,
		"{\"type\":\"datagram\",\"ts\":%lld.%06ld,\"group\":\"%s\","
		"\"port\":%u,\"source\":\"%s\",\"source_port\":%u,"
		"\"iface\":",
		(long long)meta->ts.tv_sec, meta->ts.tv_nsec / 1000,
		(meta->flags & MCAST_META_DST) ? dst : "",
		mcast_addr_port((const struct sockaddr *)&meta->dst), src,
		mcast_addr_port((const struct sockaddr *)&meta->src));
	const char *ifn = ifname_of(t, meta->ifindex);
	fmt_json_string(out, (const unsigned char *)ifn, strlen(ifn));
	if (meta->flags & MCAST_META_TTL)
		fprintf(out, ",\"ttl\":%d", meta->ttl);
	fprintf(out, ",\"bytes\":%zu,", meta->len);
	if (fmt_utf8_valid(p, n)) {
		fputs("\"data\":", out);
		fmt_json_string(out, p, n);
	} else {
		fputs("\"data_base64\":\"", out);
		fmt_base64(out, p, n);
		fputc('"', out);
	}
	fputs("}\n", out);
}

static void print_dgram(const struct recv_cfg *c, struct tally *t,
			const unsigned char *p, size_t n,
			const struct mcast_meta *meta)
{
	switch (c->format) {
	case FMT_TEXT:
		print_text_head(stdout, t, meta);
		fputc(' ', stdout);
		fmt_escaped(stdout, p, n);
		fputc('\n', stdout);
		break;
	case FMT_JSON:
		print_json(stdout, t, p, n, meta);
		break;
	case FMT_HEX:
		print_text_head(stdout, t, meta);
		fputc('\n', stdout);
		fmt_hexdump(stdout, p, n);
		break;
	case FMT_RAW:
		fwrite(p, 1, n, stdout);
		break;
	}
}

/* A reader that went away (head, a closed pipe) ends us quietly. */
static void flush_or_quit(void)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		if (errno == EPIPE)
			exit(EXIT_OK);
		cli_die(EXIT_RUNTIME, "writing output: %s", strerror(errno));
	}
}

static int finish(const struct recv_cfg *c, const struct tally *t,
		  const char *why)
{
	cli_info("received %lld datagram%s (%lld bytes) from %zu%s source%s",
		 t->datagrams, t->datagrams == 1 ? "" : "s", t->bytes, t->nseen, t->seen_overflow ? "+" : "",
		 t->nseen == 1 && !t->seen_overflow ? "" : "s");
	if (c->count > 0 && t->datagrams >= c->count)
		return EXIT_OK;
	if (c->count > 0) {
		fprintf(stderr, "%s: %s: received %lld of %lld datagrams\n",
			cli_prog, why, t->datagrams, c->count);
		return EXIT_RUNTIME;
	}
	if (t->datagrams == 0) {
		if (c->timeout > 0 && strcmp(why, "timeout") == 0)
			fprintf(stderr,
				"%s: timeout: no datagram arrived in %g s\n",
				cli_prog, c->timeout);
		else
			fprintf(stderr, "%s: %s: no datagram arrived\n",
				cli_prog, why);
		return EXIT_RUNTIME;
	}
	return EXIT_OK;
}

int cmd_recv(int argc, char **argv)
{
	static struct recv_cfg c;
	static struct tally t;
	static unsigned char bufs[BATCH][DGRAM_MAX];
	struct mcast_meta metas[BATCH];
	struct mcast_dgram v[BATCH];
	char step[MCAST_ERRMSG_MAX] = "";
	mcast_t *m;
	double deadline = 0;
	const char *why = "interrupted";
	int rc;

	parse_args(argc, argv, &c);
	c.opts.errbuf = step;
	c.opts.errlen = sizeof(step);
	rc = mcast_receiver_open(&m, &c.opts);
	if (rc < 0)
		cli_fail_step(rc == MCAST_ENOIFACE ? EXIT_USAGE : EXIT_RUNTIME,
			      step, rc, "cannot open receiver");
	cli_signals();
	cli_stdout_lines();
	join_all(m, &c);
	if (c.timeout > 0)
		deadline = cli_now() + c.timeout;
	for (size_t i = 0; i < BATCH; i++)
		v[i] = (struct mcast_dgram){ .buf = bufs[i], .cap = DGRAM_MAX,
					     .meta = &metas[i] };

	while (!cli_stop && (c.count < 0 || t.datagrams < c.count)) {
		int wait_ms = -1;

		if (deadline > 0) {
			double left = deadline - cli_now();

			if (left <= 0) {
				why = "timeout";
				break;
			}
			wait_ms = (int)(left * 1000) + 1;
		}
		for (size_t i = 0; i < BATCH; i++)
			mcast_meta_init(&metas[i]);
		size_t want = BATCH;
		if (c.count > 0 && (long long)want > c.count - t.datagrams)
			want = (size_t)(c.count - t.datagrams);
		rc = mcast_recv_batch(m, v, want, wait_ms);
		if (rc == -EINTR)
			continue;
		if (rc < 0)
			cli_fail_call(EXIT_RUNTIME, m, rc, "receive");
		for (int i = 0; i < rc; i++) {
			t.datagrams++;
			t.bytes += (long long)metas[i].len;
			count_source(&t, &metas[i].src);
			if (!c.quiet)
				print_dgram(&c, &t, v[i].buf, v[i].len,
					    &metas[i]);
		}
		if (rc > 0 && !c.quiet)
			flush_or_quit();
	}
	mcast_close(m);
	return finish(&c, &t, why);
}
