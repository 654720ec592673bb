/* SPDX-License-Identifier: MIT */
/* mcast recv: options, groups and sources from the command line. */
#include "recv.h"
#include "groups.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

static void add_source(struct sockaddr_storage **list, size_t *n,
		       const char *opt, const char *text)
{
	if (*n == MCAST_MAX_SOURCES)
		cli_die(EXIT_USAGE, "too many sources (at most %d)",
			MCAST_MAX_SOURCES);
	if (!*list && !(*list = calloc(MCAST_MAX_SOURCES, sizeof(**list))))
		cli_die(EXIT_RUNTIME, "out of memory");
	cli_parse_source(opt, text, &(*list)[(*n)++]);
}

static struct group_arg *new_group(struct group_arg **groups, size_t *n,
				   size_t *cap)
{
	cli_grow(groups, cap, *n, sizeof(**groups));
	(*groups)[*n] = (struct group_arg){ 0 };
	return &(*groups)[(*n)++];
}

void group_args_add(struct group_arg **arr, size_t *count, size_t *cap,
		    const char *text)
{
	struct group_list l = { 0 };
	char src[MCAST_ADDRSTRLEN];
	const char *groups = groups_split_source(text, src, sizeof(src));
	bool at = groups != text;

	groups_parse(&l, groups, false);
	for (size_t i = 0; i < l.n; i++) {
		struct group_arg *g = new_group(arr, count, cap);
		char a[MCAST_ADDRSTRLEN], own[2 * MCAST_ADDRSTRLEN + 2];

		g->addr = l.addr[i];
		g->text = text;
		if (l.n > 1) {
			snprintf(own, sizeof(own), "%s%s%s", at ? src : "",
				 at ? "@" : "",
				 cli_addr(&g->addr, a, sizeof(a)));
			if (!(g->text = strdup(own)))
				cli_die(EXIT_RUNTIME, "out of memory");
		}
		if (!at)
			continue;
		add_source(&g->sources, &g->nsources, "SOURCE@GROUP", src);
		if (g->sources[0].ss_family != g->addr.ss_family)
			cli_die(EXIT_USAGE,
				"%s: the source and the group must both be IPv4 or both IPv6",
				text);
	}
	groups_free(&l);
}

/* --source: for every group of its family (see recv_parse_args). */
static void recv_source(void *cfg, const char *value)
{
	struct recv_cfg *c = cfg;

	add_source(&c->sources, &c->nsources, "--source", value);
}

/*
 * --stream TYPE.  The words are the library's names, so the JSON's
 * "stream" and the option read the same.
 */
static void recv_stream(void *field, const char *value)
{
	static const int types[] = { MCAST_STREAM_AUTO,	  MCAST_STREAM_MCAST,
				     MCAST_STREAM_RTP,	  MCAST_STREAM_TS,
				     MCAST_STREAM_RTP_TS, MCAST_STREAM_NONE };
	struct stream_choice *s = field;

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(value, mcast_stream_name(types[i])) == 0) {
			s->type = types[i];
			return;
		}
	if (strncmp(value, "seq:", 4) == 0 &&
	    mcast_seq_spec_parse(value, &s->seq) == 0) {
		s->type = MCAST_STREAM_SEQ;
		return;
	}
	cli_bad_value(
		"--stream", value,
		"auto, mcast, rtp, ts, rtp-ts, none or seq:OFFSET:WIDTH[:be|le][:count=OFFSET:WIDTH] (WIDTH 1, 2, 4 or 8)");
}

#define OPT(name, kind, field) CLI_OPT(name, kind, struct recv_cfg, field)

/* --amt RELAY[:PORT]: an address, as a relay has no name here. */
static void recv_amt(void *cfg, const char *value)
{
	struct recv_cfg *c = cfg;

	if (mcast_addr_parse(value, MCAST_PARSE_UNICAST | MCAST_PARSE_PORT_OPT,
			     &c->amt) < 0)
		cli_bad_value("--amt", value,
			      "an AMT relay's ADDR[:PORT] or [IPv6][:PORT]");
	if (!mcast_addr_port((const void *)&c->amt)) {
		if (c->amt.ss_family == AF_INET6)
			((struct sockaddr_in6 *)&c->amt)->sin6_port =
				htons(MCAST_AMT_PORT);
		else
			((struct sockaddr_in *)&c->amt)->sin_port =
				htons(MCAST_AMT_PORT);
	}
	c->amt_text = value;
}

static const struct cli_opt recv_opts[] = {
	CLI_OPT_IFACE(struct recv_cfg, opts.iface,
		      "interface for the joins (name, index or address)"),
	{ .name = "source",
	  .kind = CLI_FN,
	  .fn = recv_source,
	  .repeat = true,
	  .arg = "ADDR",
	  .help = "source-specific join for every group of its family;\n"
		  "repeatable (SOURCE@GROUP:PORT: one group only)" },
	CLI_OPT_COUNT(struct recv_cfg, count, INT64_MAX,
		      "exit 0 after N datagrams"),
	{ OPT("timeout", CLI_SECONDS, timeout), .min = 0.001, .max = 1e7,
	  .arg = "SECONDS",
	  .help = "stop this long after joining; exit 1 if fewer than\n"
		  "--count, or no datagram at all, arrived" },
	CLI_OPT_QUIET(struct recv_cfg, quiet,
		      "print no datagrams, only the summary"),
	{ OPT("format", CLI_FORMAT, format), .hi = FMT_RAW, .arg = "FMT",
	  .help = "text (default), json, hex or raw (payload bytes only)" },
	CLI_OPT_RCVBUF(struct recv_cfg, opts.rcvbuf, 1024,
		       "receive buffer to ask for (K, M suffixes;\n"
		       "default 4M, or what net.core.rmem_max allows)"),
	{ OPT("stats", CLI_FLAG, stats),
	  .help = "count loss, duplicates, reordering, latency per\n"
		  "sender session; print a summary (no datagrams)" },
	{ OPT("interval-report", CLI_SECONDS, interval_report), .min = 0.01,
	  .max = 86400, .arg = "SECONDS",
	  .help = "a report line (JSON with --format json) this often" },
	{ OPT("expect", CLI_INT, expect), .lo = 0, .hi = INT64_MAX, .arg = "N",
	  .help = "exit 1 unless at least N datagrams arrived" },
	{ OPT("max-loss", CLI_PERCENT, max_loss), .min = 0, .max = 100,
	  .arg = "PERCENT", .help = "exit 1 if the loss exceeds PERCENT" },
	{ OPT("until-end", CLI_FLAG, until_end),
	  .help = "stop once every sender seen has ended its stream" },
	{ OPT("stream", CLI_FN, stream), .fn = recv_stream, .arg = "TYPE",
	  .help = "read payloads as auto (default), mcast, rtp, ts,\n"
		  "rtp-ts, none or seq:OFFSET:WIDTH[:be|le][:count=O:W]\n"
		  "(implies --stats)" },
	{ OPT("rtp-clock", CLI_INT, rtp_clock), .lo = 1, .hi = 1000000000,
	  .arg = "HZ",
	  .help = "RTP clock rate of dynamic payload types (96-127),\n"
		  "for their jitter (implies --stats)" },
	{ OPT("rejoin", CLI_SECONDS, rejoin), .min = 0.1, .max = 86400,
	  .arg = "SECONDS",
	  .help = "leave and join again this often, for IGMP snooping\n"
		  "switches without a querier" },
	{ OPT("idle", CLI_SECONDS, idle), .min = 0.01, .max = 86400,
	  .arg = "SECONDS",
	  .help = "report a group silent this long, and the outage\n"
		  "when traffic comes back" },
	{ OPT("gro", CLI_BITS, opts.flags), .lo = MCAST_OPT_GRO,
	  .help = "let the kernel coalesce datagrams (UDP_GRO); they\n"
		  "are split again, each with its own metadata" },
	{ .name = "amt",
	  .kind = CLI_FN,
	  .fn = recv_amt,
	  .arg = "RELAY[:PORT]",
	  .help = "receive through an AMT relay (RFC 7450; port 2268\n"
		  "by default) instead of joining on an interface" },
	SEALING_OPT_KEY(struct recv_cfg, sealing,
			"accept only datagrams sealed with a key of FILE;\n"
			"print their payloads, count the rest as rejected"),
	CLI_INCLUDE(sealing_open_opts, struct recv_cfg, sealing),
	CLI_INCLUDE(sealing_state_opts, struct recv_cfg, sealing),
	{ 0 }
};

const struct cli_spec recv_spec = {
	.head = "usage: mcast recv [OPTIONS] GROUP:PORT|SOURCE@GROUP:PORT ...\n\n"
		"Join one or more groups (IPv4 and IPv6 may be mixed) and print each datagram.\n"
		"A GROUP may be a range: 239.1.0.1-239.1.8.0:5000, [ff15::1-ff15::200]:5000.\n\n",
	.opts = recv_opts,
};

void recv_parse_args(int argc, char **argv, struct recv_cfg *c)
{
	struct cli_parsed p;
	int next;

	mcast_opts_init(&c->opts);
	sealing_cfg_init(&c->sealing);
	c->opts.rcvbuf = CLI_RCVBUF_DEFAULT;
	c->count = -1;
	c->timeout = -1;
	c->expect = -1;
	c->max_loss = -1;
	c->stream.type = MCAST_STREAM_AUTO;
	next = cli_parse(argc, argv, &recv_spec, c, &p);
	c->rcvbuf_set = cli_given(&p, "rcvbuf");
	if (next >= argc)
		cli_die(EXIT_USAGE,
			"missing GROUP:PORT; see mcast recv --help");
	/* Verdicts and reports are computed from the statistics. */
	if (c->expect >= 0 || c->max_loss >= 0 || c->until_end ||
	    c->interval_report > 0 || cli_given(&p, "stream") ||
	    c->rtp_clock > 0)
		c->stats = true;
	if (c->stats && (c->format == FMT_HEX || c->format == FMT_RAW))
		cli_die(EXIT_USAGE,
			"--stats prints a summary as text or json, not %s",
			c->format == FMT_HEX ? "hex" : "raw");
	if (c->amt.ss_family &&
	    (c->opts.iface || c->rejoin > 0 || cli_given(&p, "gro")))
		cli_die(EXIT_USAGE,
			"--amt receives through the relay: no --iface, --rejoin or --gro");
	while (next < argc)
		group_args_add(&c->groups, &c->ngroups, &c->groups_cap,
			       argv[next++]);
	for (size_t i = 0; i < c->ngroups; i++) {
		struct group_arg *g = &c->groups[i];

		cli_check_scope(&g->addr, g->text, c->opts.iface);
		/* --source applies to every group of its family. */
		for (size_t k = 0; k < c->nsources; k++) {
			if (c->sources[k].ss_family != g->addr.ss_family ||
			    g->nsources == MCAST_MAX_SOURCES)
				continue;
			if (!g->sources &&
			    !(g->sources = calloc(MCAST_MAX_SOURCES,
						  sizeof(*g->sources))))
				cli_die(EXIT_RUNTIME, "out of memory");
			g->sources[g->nsources++] = c->sources[k];
		}
	}
}
