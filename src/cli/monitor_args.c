/* SPDX-License-Identifier: MIT */
/* mcast monitor: its command line. */
#include "monitor.h"
#include "groups.h"
#include "opts.h"

#include <stdlib.h>
#include <string.h>

/* [ADDR]:PORT, ADDR:PORT or :PORT (127.0.0.1). */
static void parse_metrics(void *field, const char *text)
{
	struct mon_metrics_arg *m = field;
	unsigned flags =
		MCAST_PARSE_UNICAST | MCAST_PARSE_ANY_OK | MCAST_PARSE_PORT;
	char buf[64];

	if (!mon_metrics_available())
		cli_die(EXIT_USAGE,
			"built without libmicrohttpd: install libmicrohttpd-dev and rebuild");
	if (text[0] == ':' && strlen(text) < 16) {
		snprintf(buf, sizeof(buf), "127.0.0.1%s", text);
		text = buf;
	}
	if (mcast_addr_parse(text, flags, &m->addr) < 0)
		cli_bad_value(
			"--metrics", text,
			"[ADDR]:PORT, e.g. :9611, 127.0.0.1:9611 or [::1]:9611");
	m->text = text == buf ? strdup(buf) : text;
	if (!m->text)
		cli_die(EXIT_RUNTIME, "out of memory");
}

static void help_tail(FILE *out)
{
	if (!mon_metrics_available())
		fputs("\n--metrics: this build is without libmicrohttpd\n",
		      out);
}

#define OPT(name, kind, field) CLI_OPT(name, kind, struct mon_cfg, field)

static const struct cli_opt monitor_opts[] = {
	{ OPT("groups", CLI_STR, groups_file), .arg = "FILE",
	  .help = "groups, one a line: [SOURCE@]GROUP:PORT\n"
		  "[name=LABEL] [stream=TYPE] (auto, mcast, rtp, ts,\n"
		  "rtp-ts, none, seq:OFFSET:WIDTH...); # comments;\n"
		  "SIGHUP reads it again (joins, leaves)" },
	CLI_OPT_IFACE(struct mon_cfg, opts.iface,
		      "interface for the joins (name, index or address)"),
	CLI_OPT_DURATION(struct mon_cfg, duration, 0.001, 1e9,
			 "stop after this long (default: until a signal)"),
	{ OPT("idle", CLI_SECONDS, idle), .min = 0.01, .max = 86400,
	  .arg = "SECONDS",
	  .help = "a group without datagrams this long is silent\n"
		  "(default 2)" },
	{ OPT("interval-report", CLI_SECONDS, interval), .min = 0.01,
	  .max = 86400, .arg = "SECONDS",
	  .help = "a record per group this often (default 10)" },
	CLI_OPT_JSON(struct mon_cfg, json, "text (default) or json"),
	{ OPT("metrics", CLI_FN, metrics), .fn = parse_metrics,
	  .arg = "[ADDR]:PORT",
	  .help = "serve Prometheus metrics at /metrics (default\n"
		  "address 127.0.0.1)" },
	{ OPT("max-loss", CLI_PERCENT, max_loss), .min = 0, .max = 100,
	  .arg = "PERCENT",
	  .help = "exit 1 if a group's loss exceeded PERCENT" },
	{ OPT("rejoin", CLI_SECONDS, rejoin), .min = 0.1, .max = 86400,
	  .arg = "SECONDS",
	  .help = "leave and join again this often, for IGMP snooping\n"
		  "switches without a querier" },
	CLI_OPT_RCVBUF(struct mon_cfg, opts.rcvbuf, 1024,
		       "receive buffer to ask for (K, M suffixes;\n"
		       "default 4M, or what net.core.rmem_max allows)"),
	{ 0 }
};

const struct cli_spec monitor_spec = {
	.head = "usage: mcast monitor [OPTIONS] [GROUP:PORT|SOURCE@GROUP:PORT ...] [--groups FILE]\n\n"
		"Join every group and watch it until SIGINT or SIGTERM: datagrams, bytes,\n"
		"bitrate, loss, duplicates, reordering, jitter and CC errors, per group and\n"
		"per sender; silences and outages; join latency; kernel drops per socket.\n\n",
	.opts = monitor_opts,
	.tail = help_tail,
};

static void add_arg(struct mon_cfg *c, const char *text)
{
	struct group_list l = { 0 };
	char src[MCAST_ADDRSTRLEN + 1];
	const char *groups = groups_split_source(text, src, sizeof(src));
	bool at = groups != text;

	/* Ranges as for recv; each group then parses as a file line would. */
	groups_parse(&l, groups, false);
	for (size_t i = 0; i < l.n; i++) {
		char line[MON_TEXT_MAX + 8], a[MCAST_ADDRSTRLEN], why[200];

		cli_grow(&c->args, &c->args_cap, c->nargs, sizeof(*c->args));
		snprintf(line, sizeof(line), "%s%s%s", src, at ? "@" : "",
			 cli_addr(&l.addr[i], a, sizeof(a)));
		if (mon_spec_parse(line, &c->args[c->nargs], why,
				   sizeof(why)) != 1)
			cli_die(EXIT_USAGE, "%s: %s", text, why);
		cli_check_scope(&c->args[c->nargs].group, text, c->opts.iface);
		c->nargs++;
	}
	groups_free(&l);
}

void monitor_parse_args(int argc, char **argv, struct mon_cfg *c)
{
	struct cli_parsed p;
	int next;

	mcast_opts_init(&c->opts);
	c->opts.rcvbuf = CLI_RCVBUF_DEFAULT;
	c->idle = 2;
	c->interval = 10;
	c->max_loss = -1;
	next = cli_parse(argc, argv, &monitor_spec, c, &p);
	while (next < argc)
		add_arg(c, argv[next++]);
	if (!c->nargs && !c->groups_file)
		cli_die(EXIT_USAGE,
			"no groups: give GROUP:PORT or --groups FILE; see mcast monitor --help");
}
