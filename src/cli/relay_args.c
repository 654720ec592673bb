/* SPDX-License-Identifier: MIT */
/* mcast relay: its command line and its summary. */
#include "relay.h"
#include "json.h"
#include "opts.h"

#include <string.h>

#define OPT(name, kind, field) CLI_OPT(name, kind, struct relay_cfg, field)

static const struct cli_opt relay_opts[] = {
	{ OPT("from", CLI_STR, from), .arg = "IF",
	  .help = "interface where the groups are joined" },
	{ OPT("to", CLI_STR, to), .arg = "IF",
	  .help = "interface the datagrams are sent out of" },
	{ OPT("both", CLI_FLAG, both),
	  .help = "relay both ways: also --to's groups out of --from" },
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
	.head = "usage: mcast relay --from IF --to IF [OPTIONS] GROUP:PORT|SOURCE@GROUP:PORT ...\n\n"
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
	next = cli_parse(argc, argv, &relay_spec, c, &p);
	if (!c->from || !c->to)
		cli_die(EXIT_USAGE,
			"relay needs --from IF and --to IF; see mcast relay --help");
	if (strcmp(c->from, c->to) == 0)
		cli_die(EXIT_USAGE,
			"--from and --to name the same interface: nothing to relay between");
	if (c->ttl == 0)
		cli_die(EXIT_USAGE,
			"--ttl 0 would relay nothing past this host; give 1 to 255");
	if (next >= argc)
		cli_die(EXIT_USAGE,
			"missing GROUP:PORT; see mcast relay --help");
	while (next < argc)
		group_args_add(&c->groups, &c->ngroups, &c->groups_cap,
			       argv[next++]);
	for (size_t i = 0; i < c->ngroups; i++)
		cli_check_scope(&c->groups[i].addr, c->groups[i].text, c->from);
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
	json_end(j);
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
	}
	fflush(stdout);
}
