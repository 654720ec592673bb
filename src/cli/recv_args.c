/* SPDX-License-Identifier: MIT */
/* mcast recv: options, groups and sources from the command line. */
#include "recv.h"
#include "groups.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

void usage_recv(FILE *out)
{
	fprintf(out,
		"usage: mcast recv [OPTIONS] GROUP:PORT|SOURCE@GROUP:PORT ...\n\n"
		"Join one or more groups (IPv4 and IPv6 may be mixed) and print each datagram.\n"
		"A GROUP may be a range: 239.1.0.1-239.1.8.0:5000, [ff15::1-ff15::200]:5000.\n\n"
		"  -i, --iface IF          interface for the joins (name, index or address)\n"
		"  -S, --source ADDR       source-specific join for every group of its family;\n"
		"                          repeatable (SOURCE@GROUP:PORT: one group only)\n"
		"  -c, --count N           exit 0 after N datagrams\n"
		"  -w, --timeout SECONDS   stop this long after joining; exit 1 if fewer than\n"
		"                          --count, or no datagram at all, arrived\n"
		"  -q, --quiet             print no datagrams, only the summary\n"
		"  -F, --format FMT        text (default), json, hex or raw (payload bytes only)\n"
		"  -r, --rcvbuf BYTES      receive buffer to ask for (K, M suffixes;\n"
		"                          default 4M, or what net.core.rmem_max allows)\n"
		"  -s, --stats             count loss, duplicates, reordering, latency per\n"
		"                          sender session; print a summary (no datagrams)\n"
		"  -R, --interval-report SECONDS\n"
		"                          a report line (JSON with --format json) this often\n"
		"  -e, --expect N          exit 1 unless at least N datagrams arrived\n"
		"  -L, --max-loss PERCENT  exit 1 if the loss exceeds PERCENT\n"
		"  -E, --until-end         stop once every sender seen has ended its stream\n"
		"  -J, --rejoin SECONDS    leave and join again this often, for IGMP snooping\n"
		"                          switches without a querier\n"
		"  -I, --idle SECONDS      report a group silent this long, and the outage\n"
		"                          when traffic comes back\n"
		"  -G, --gro               let the kernel coalesce datagrams (UDP_GRO); they\n"
		"                          are split again, each with its own metadata\n"
		"  -k, --key FILE          accept only datagrams sealed with a key of FILE;\n"
		"                          print their payloads, count the rest as rejected\n"
		"      --replay-window N   sequence numbers remembered per sender, 64-65536\n"
		"                          (default 1024): older or repeated ones are replays\n"
		"      --max-age SECONDS   reject datagrams sent longer ago than this (default\n"
		"                          30; 0: off, for hosts without synchronised clocks)\n"
		"      --require-cipher C  accept only encrypted datagrams: any (either\n"
		"                          cipher), aes-256-gcm or chacha20-poly1305\n"
		"  -h, --help              this help\n");
}

static void add_source(struct sockaddr_storage **list, size_t *n,
		       const char *opt, const char *text)
{
	if (*n == MAX_SOURCES)
		cli_die(EXIT_USAGE, "too many sources (at most %d)",
			MAX_SOURCES);
	if (!*list && !(*list = calloc(MAX_SOURCES, sizeof(**list))))
		cli_die(EXIT_RUNTIME, "out of memory");
	cli_parse_source(opt, text, &(*list)[(*n)++]);
}

static struct group_arg *new_group(struct recv_cfg *c)
{
	cli_grow(&c->groups, &c->groups_cap, c->ngroups, sizeof(*c->groups));
	c->groups[c->ngroups] = (struct group_arg){ 0 };
	return &c->groups[c->ngroups++];
}

/* "GROUP:PORT" or "SOURCE@GROUP:PORT", where GROUP may be a range. */
static void add_group(struct recv_cfg *c, const char *text)
{
	struct group_list l = { 0 };
	const char *at = strchr(text, '@'), *groups = at ? at + 1 : text;
	char src[MCAST_ADDRSTRLEN];

	if (at) {
		size_t n = (size_t)(at - text);

		if (n == 0 || n >= sizeof(src))
			cli_bad_value("SOURCE@GROUP:PORT", text,
				      "a unicast source, '@', then GROUP:PORT");
		memcpy(src, text, n);
		src[n] = '\0';
	}
	groups_parse(&l, groups, false);
	for (size_t i = 0; i < l.n; i++) {
		struct group_arg *g = new_group(c);
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

static enum out_format parse_format(const char *s)
{
	static const char *const names[] = { "text", "json", "hex", "raw" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i]) == 0)
			return (enum out_format)i;
	cli_bad_value("--format", s, "text, json, hex or raw");
}

void recv_parse_args(int argc, char **argv, struct recv_cfg *c)
{
	static const struct option longopts[] = {
		{ "iface", required_argument, NULL, 'i' },
		{ "source", required_argument, NULL, 'S' },
		{ "count", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 'w' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "format", required_argument, NULL, 'F' },
		{ "rcvbuf", required_argument, NULL, 'r' },
		{ "stats", no_argument, NULL, 's' },
		{ "interval-report", required_argument, NULL, 'R' },
		{ "expect", required_argument, NULL, 'e' },
		{ "max-loss", required_argument, NULL, 'L' },
		{ "until-end", no_argument, NULL, 'E' },
		{ "gro", no_argument, NULL, 'G' },
		{ "rejoin", required_argument, NULL, 'J' },
		{ "idle", required_argument, NULL, 'I' },
		{ "help", no_argument, NULL, 'h' },
		TRUST_KEY_OPTION,
		TRUST_OPEN_OPTIONS,
		{ 0 }
	};
	int o;

	mcast_opts_init(&c->opts);
	trust_cfg_init(&c->trust);
	c->opts.rcvbuf = CLI_RCVBUF_DEFAULT;
	c->count = -1;
	c->timeout = -1;
	c->expect = -1;
	c->max_loss = -1;
	struct cli_once once = { .longopts = longopts,
				 .repeatable = (const char *const[]){ "source",
								      NULL } };

	opterr = 0;
	while ((o = getopt_long(argc, argv, "i:S:c:w:qF:r:sR:e:L:EGJ:I:k:h",
				longopts, NULL)) != -1) {
		cli_once(&once, o);
		if (trust_parse_opt(&c->trust, o, optarg))
			continue;
		switch (o) {
		case 'i':
			c->opts.iface = optarg;
			break;
		case 'S':
			add_source(&c->sources, &c->nsources, "--source",
				   optarg);
			break;
		case 'c':
			c->count =
				cli_parse_int("--count", optarg, 1, INT64_MAX);
			break;
		case 'w':
			c->timeout = cli_parse_seconds("--timeout", optarg,
						       0.001, 1e7);
			break;
		case 'q':
			c->quiet = true;
			break;
		case 'F':
			c->format = parse_format(optarg);
			break;
		case 'r':
			c->opts.rcvbuf = (int)cli_parse_bytes(
				"--rcvbuf", optarg, 1024, 1LL << 30);
			c->rcvbuf_set = true;
			break;
		case 's':
			c->stats = true;
			break;
		case 'R':
			c->interval_report = cli_parse_seconds(
				"--interval-report", optarg, 0.01, 86400);
			break;
		case 'e':
			c->expect =
				cli_parse_int("--expect", optarg, 0, INT64_MAX);
			break;
		case 'L':
			c->max_loss = cli_parse_real("--max-loss", optarg, 0,
						     100, "a percentage");
			break;
		case 'E':
			c->until_end = true;
			break;
		case 'J':
			c->rejoin = cli_parse_seconds("--rejoin", optarg, 0.1,
						      86400);
			break;
		case 'I':
			c->idle = cli_parse_seconds("--idle", optarg, 0.01,
						    86400);
			break;
		case 'G':
			c->opts.flags |= MCAST_OPT_GRO;
			break;
		case 'h':
			usage_recv(stdout);
			exit(EXIT_OK);
		default:
			cli_bad_option(optopt, argv[optind - 1]);
		}
	}
	if (optind >= argc)
		cli_die(EXIT_USAGE,
			"missing GROUP:PORT; see mcast recv --help");
	trust_cfg_check(&c->trust);
	/* Verdicts and reports are computed from the statistics. */
	if (c->expect >= 0 || c->max_loss >= 0 || c->until_end ||
	    c->interval_report > 0)
		c->stats = true;
	if (c->stats && (c->format == FMT_HEX || c->format == FMT_RAW))
		cli_die(EXIT_USAGE,
			"--stats prints a summary as text or json, not %s",
			c->format == FMT_HEX ? "hex" : "raw");
	while (optind < argc)
		add_group(c, argv[optind++]);
	for (size_t i = 0; i < c->ngroups; i++) {
		struct group_arg *g = &c->groups[i];

		cli_check_scope(&g->addr, g->text, c->opts.iface);
		/* --source applies to every group of its family. */
		for (size_t k = 0; k < c->nsources; k++) {
			if (c->sources[k].ss_family != g->addr.ss_family ||
			    g->nsources == MAX_SOURCES)
				continue;
			if (!g->sources &&
			    !(g->sources =
				      calloc(MAX_SOURCES, sizeof(*g->sources))))
				cli_die(EXIT_RUNTIME, "out of memory");
			g->sources[g->nsources++] = c->sources[k];
		}
	}
}
