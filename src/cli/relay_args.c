/* SPDX-License-Identifier: MIT */
/* mcast relay: its command line and its summary. */
#include "relay.h"
#include "json.h"
#include "opts.h"

#include <string.h>

#define OPT(name, kind, field) CLI_OPT(name, kind, struct relay_cfg, field)

/* --peer and --allow: an address (with a port for --peer) per use. */
static void add_addr(struct addr_list *l, const char *opt, const char *text,
		     unsigned flags, const char *want)
{
	cli_grow(&l->a, &l->cap, l->n, sizeof(*l->a));
	if (mcast_addr_parse(text, MCAST_PARSE_UNICAST | flags, &l->a[l->n]) <
	    0)
		cli_bad_value(opt, text, want);
	l->n++;
}

static void opt_peer(void *field, const char *value)
{
	add_addr(field, "--peer", value, MCAST_PARSE_PORT,
		 "a tunnel listener's ADDR:PORT or [IPv6]:PORT");
}

static void opt_allow(void *field, const char *value)
{
	add_addr(field, "--allow", value, 0,
		 "a unicast address (no port) that may send to the tunnel");
}

static void parse_listen(void *field, const char *value, const char *opt)
{
	char any[MCAST_ADDRSTRLEN + 8];

	/* ":PORT" listens on every IPv4 address. */
	if (value[0] == ':') {
		snprintf(any, sizeof(any), "0.0.0.0%s", value);
		value = any;
	}
	if (mcast_addr_parse(value,
			     MCAST_PARSE_UNICAST | MCAST_PARSE_ANY_OK |
				     MCAST_PARSE_PORT,
			     field) < 0 ||
	    mcast_addr_port(field) == 0)
		cli_bad_value(opt, value, "[ADDR]:PORT, [IPv6]:PORT or :PORT");
}

static void opt_listen(void *field, const char *value)
{
	parse_listen(field, value, "--tunnel-listen");
}

static void opt_amt(void *field, const char *value)
{
	parse_listen(field, value, "--amt-listen");
}

static const struct cli_opt relay_opts[] = {
	{ OPT("from", CLI_STR, from), .arg = "IF",
	  .help = "interface where the groups are joined" },
	{ OPT("to", CLI_STR, to), .arg = "IF",
	  .help = "interface the datagrams are sent out of" },
	{ OPT("both", CLI_FLAG, both),
	  .help = "relay both ways: also --to's groups out of --from" },
	{ OPT("peer", CLI_FN, peers), .fn = opt_peer, .repeat = true,
	  .arg = "ADDR:PORT",
	  .help = "carry the groups over unicast to this tunnel\n"
		  "listener instead of --to; repeatable" },
	{ OPT("tunnel-listen", CLI_FN, listen), .fn = opt_listen,
	  .arg = "[ADDR]:PORT",
	  .help = "receive tunnels here and send their datagrams out\n"
		  "of --to (only the groups given, when any are)" },
	{ OPT("allow", CLI_FN, allow), .fn = opt_allow, .repeat = true,
	  .arg = "ADDR",
	  .help = "accept tunnel datagrams from ADDR; repeatable,\n"
		  "required with --tunnel-listen unless --key" },
	SEALING_OPT_KEY(
		struct relay_cfg, sealing,
		"seal the tunnel with the newest key of FILE (--peer),\n"
		"or accept only what a key of FILE sealed (listener)"),
	CLI_INCLUDE(sealing_seal_opts, struct relay_cfg, sealing),
	CLI_INCLUDE(sealing_open_opts, struct relay_cfg, sealing),
	{ OPT("tunnel-id", CLI_INT, tunnel_id), .lo = 0, .hi = INT64_MAX,
	  .needs = "key", .why = "binds sealed tunnel messages", .arg = "N",
	  .help = "the id sealed tunnel messages are bound to, the same\n"
		  "at both ends (default 0)" },
	{ OPT("amt-listen", CLI_FN, amt), .fn = opt_amt, .arg = "[ADDR]:PORT",
	  .help = "be an AMT relay (RFC 7450, port 2268) for gateways\n"
		  "such as mcast recv --amt: join what they ask for on\n"
		  "--from and send it to them (needs CAP_NET_RAW)" },
	{ OPT("amt-query-interval", CLI_SECONDS, amt_query_interval), .min = 1,
	  .max = 3600, .needs = "amt-listen", .why = "is the AMT relay's",
	  .arg = "SECONDS",
	  .help = "how often gateways are asked to report (default 125)" },
	CLI_OPT_TTL(struct relay_cfg, ttl,
		    "send with TTL N whatever arrived (default: the\n"
		    "arrival TTL less one; TTL 1 is not relayed)"),
	CLI_OPT_DURATION(struct relay_cfg, duration, 0.001, 1e7,
			 "stop after this long (default: at a signal)"),
	CLI_OPT_RCVBUF(struct relay_cfg, rcvbuf, 1024,
		       "receive buffer to ask for (default 4M)"),
	CLI_OPT_JSON(struct relay_cfg, json,
		     "text (default) or json: the summary at the end"),
	{ 0 }
};

const struct cli_spec relay_spec = {
	.head = "usage: mcast relay --from IF --to IF [OPTIONS] GROUP:PORT|SOURCE@GROUP:PORT ...\n"
		"       mcast relay --from IF --peer ADDR:PORT ... [OPTIONS] GROUP:PORT ...\n"
		"       mcast relay --tunnel-listen [ADDR]:PORT --allow ADDR ... --to IF\n"
		"                   [OPTIONS] [GROUP:PORT ...]\n"
		"       mcast relay --amt-listen [ADDR]:PORT --from IF [OPTIONS]\n\n"
		"Join the groups on one interface and send what arrives out of another,\n"
		"for links that multicast routing does not join.  The TTL is decreased by\n"
		"one, datagrams that arrive with TTL 1 are not relayed, and a datagram\n"
		"relayed within the last second is not relayed again.  Downstream the\n"
		"datagrams come from the relay's address.\n\n",
	.opts = relay_opts,
};

void relay_parse_args(int argc, char **argv, struct relay_cfg *c)
{
	struct cli_parsed p;
	int next;

	c->ttl = -1;
	c->rcvbuf = CLI_RCVBUF_DEFAULT;
	c->amt_query_interval = 125;
	sealing_cfg_init(&c->sealing);
	next = cli_parse(argc, argv, &relay_spec, c, &p);
	if (c->amt.ss_family != AF_UNSPEC) {
		if (!c->from || c->to || c->peers.n || c->both ||
		    c->listen.ss_family != AF_UNSPEC || c->sealing.key_file ||
		    c->allow.n || c->ttl > 0)
			cli_die(EXIT_USAGE,
				"--amt-listen takes --from IF (where the groups are joined) and no --to, --peer, --both, --tunnel-listen, --key, --allow or --ttl");
		if (next < argc)
			cli_die(EXIT_USAGE,
				"--amt-listen takes no GROUP:PORT: the gateways say which groups they want");
		return;
	}
	if (c->listen.ss_family != AF_UNSPEC) {
		if (c->from || c->peers.n || c->both)
			cli_die(EXIT_USAGE,
				"--tunnel-listen takes --to IF, not --from, --peer or --both");
		if (!c->to)
			cli_die(EXIT_USAGE,
				"--tunnel-listen needs --to IF: where its datagrams go");
		/* Anyone who can reach the port could otherwise send
		 * multicast into the --to link. */
		if (!c->allow.n && !c->sealing.key_file)
			cli_die(EXIT_USAGE,
				"refusing to listen without --key FILE or --allow ADDR: anyone who can reach the port could inject multicast into %s",
				c->to);
	} else if (c->allow.n) {
		cli_die(EXIT_USAGE, "--allow needs --tunnel-listen");
	} else if (c->sealing.key_file && !c->peers.n) {
		cli_die(EXIT_USAGE,
			"--key seals a tunnel: it needs --peer or --tunnel-listen");
	} else if (c->peers.n) {
		if (!c->from || c->to || c->both)
			cli_die(EXIT_USAGE,
				"--peer takes --from IF, not --to or --both");
	} else if (!c->from || !c->to) {
		cli_die(EXIT_USAGE,
			"relay needs --from IF and --to IF (or --peer, or --tunnel-listen); see mcast relay --help");
	}
	if (c->from && c->to && strcmp(c->from, c->to) == 0)
		cli_die(EXIT_USAGE,
			"--from and --to name the same interface: nothing to relay between");
	if (c->ttl == 0)
		cli_die(EXIT_USAGE,
			"--ttl 0 would relay nothing past this host; give 1 to 255");
	if (next >= argc && c->listen.ss_family == AF_UNSPEC)
		cli_die(EXIT_USAGE,
			"missing GROUP:PORT; see mcast relay --help");
	while (next < argc)
		group_args_add(&c->groups, &c->ngroups, &c->groups_cap,
			       argv[next++]);
	for (size_t i = 0; i < c->ngroups; i++)
		cli_check_scope(&c->groups[i].addr, c->groups[i].text,
				c->from ? c->from : c->to);
}

void relay_slots(struct mcast_dgram *v, struct mcast_meta *metas,
		 unsigned char (*bufs)[CLI_DGRAM_MAX])
{
	for (size_t i = 0; i < RELAY_BATCH; i++) {
		mcast_meta_init(&metas[i]);
		v[i] = (struct mcast_dgram){ .buf = bufs[i],
					     .cap = CLI_DGRAM_MAX,
					     .meta = &metas[i] };
	}
}

static void counts_json(struct json *j, const struct relay_counts *n)
{
	json_uint(j, "relayed", n->relayed);
	json_uint(j, "bytes", n->bytes);
	json_object(j, "dropped");
	json_uint(j, "ttl", n->ttl);
	json_uint(j, "seen", n->seen);
	json_end(j);
	json_object(j, "rejected");
	json_uint(j, "own", n->own);
	json_uint(j, "other_iface", n->other_if);
	json_uint(j, "unknown_group", n->unknown);
	json_uint(j, "truncated", n->truncated);
	json_uint(j, "send_failed", n->send_fail);
	if (n->tunnel) {
		json_uint(j, "unallowed", n->unallowed);
		json_uint(j, "malformed", n->malformed);
		json_uint(j, "too_big", n->too_big);
	}
	json_end(j);
	if (n->tunnel)
		json_uint(j, "lost", n->lost);
	if (n->rejects) {
		json_object(j, "sealing");
		sealing_json(j, n->rejects);
		json_end(j);
	}
}

void relay_summary(const struct relay_cfg *c, const char *const *names,
		   const struct relay_counts *n, size_t count)
{
	if (c->json) {
		struct json j;

		json_record(&j, stdout, "relay_summary");
		json_array(&j, "directions");
		for (size_t i = 0; i < count; i++) {
			json_object(&j, NULL);
			json_string(&j, "name", names[i]);
			counts_json(&j, &n[i]);
			json_end(&j);
		}
		json_end(&j);
		json_end(&j);
	} else {
		for (size_t i = 0; i < count; i++)
			printf("%s: relayed %llu datagrams (%llu bytes); dropped: ttl %llu, seen %llu; rejected: own %llu, other interface %llu, unknown group %llu, truncated %llu, send failed %llu\n",
			       names[i], (unsigned long long)n[i].relayed,
			       (unsigned long long)n[i].bytes,
			       (unsigned long long)n[i].ttl,
			       (unsigned long long)n[i].seen,
			       (unsigned long long)n[i].own,
			       (unsigned long long)n[i].other_if,
			       (unsigned long long)n[i].unknown,
			       (unsigned long long)n[i].truncated,
			       (unsigned long long)n[i].send_fail);
		for (size_t i = 0; i < count; i++)
			if (n[i].tunnel)
				printf("%s: rejected: unallowed %llu, malformed %llu, too big %llu; lost in the tunnel %llu\n",
				       names[i],
				       (unsigned long long)n[i].unallowed,
				       (unsigned long long)n[i].malformed,
				       (unsigned long long)n[i].too_big,
				       (unsigned long long)n[i].lost);
		for (size_t i = 0; i < count; i++) {
			char words[256];

			if (n[i].rejects &&
			    sealing_reject_words(n[i].rejects, words,
						 sizeof(words)))
				printf("%s: sealing rejected %s\n", names[i],
				       words);
		}
	}
	fflush(stdout);
}
