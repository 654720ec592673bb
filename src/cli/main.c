/* SPDX-License-Identifier: MIT */
/* mcast: the subcommand table drives dispatch and the top-level help. */
#include "opts.h"

#include <stdlib.h>
#include <string.h>

static const struct cmd cmds[] = {
	{ "send", cmd_send,
	  "send datagrams to a group (the Python multicast tutorial's server)",
	  &send_spec },
	{ "recv", cmd_recv,
	  "join groups and print what arrives (the tutorial's client)",
	  &recv_spec },
	{ "ping", cmd_ping,
	  "multicast ping: round trips to every responder on a group",
	  &ping_spec },
	{ "bench", cmd_bench,
	  "measure multicast throughput through this machine's kernel",
	  &bench_spec },
	{ "keygen", cmd_keygen, "make or rotate a key file for sealed streams",
	  &keygen_spec },
	{ "demo", cmd_demo,
	  "the Python tutorial's sender and receiver on lo, safely",
	  &demo_spec },
	{ "relay", cmd_relay,
	  "carry groups from one link to another that does not route them",
	  &relay_spec },
	{ "monitor", cmd_monitor,
	  "watch every group of a site, always on; Prometheus metrics",
	  &monitor_spec },
	{ "doctor", cmd_doctor,
	  "check why multicast to a group might not arrive on this host",
	  &doctor_spec },
};

#define NCMDS (sizeof(cmds) / sizeof(cmds[0]))

static void usage(FILE *out)
{
	fprintf(out, "usage: mcast COMMAND [OPTIONS] [ARGS]\n"
		     "       mcast help COMMAND | mcast COMMAND --help\n"
		     "       mcast --version\n\n"
		     "IP multicast senders and receivers, IPv4 and IPv6.\n\n"
		     "commands:\n");
	for (size_t i = 0; i < NCMDS; i++)
		fprintf(out, "  %-7s %s\n", cmds[i].name, cmds[i].summary);
	fprintf(out, "\nexit status: 0 success, 1 runtime failure, "
		     "2 bad usage or input.  See mcast(1).\n");
}

static const struct cmd *find_cmd(const char *name)
{
	for (size_t i = 0; i < NCMDS; i++)
		if (strcmp(cmds[i].name, name) == 0)
			return &cmds[i];
	return NULL;
}

int main(int argc, char **argv)
{
	const struct cmd *c;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("mcast %s\n", mcast_version());
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "help")) {
		if (argc == 2) {
			usage(stdout);
			return EXIT_OK;
		}
		if (!(c = find_cmd(argv[2])))
			cli_die(EXIT_USAGE,
				"unknown command '%s'; see mcast --help",
				argv[2]);
		cli_usage(stdout, c->spec);
		return EXIT_OK;
	}
	if (argv[1][0] == '-')
		cli_die(EXIT_USAGE, "unknown option '%s'; see mcast --help",
			argv[1]);
	if (!(c = find_cmd(argv[1])))
		cli_die(EXIT_USAGE, "unknown command '%s'; see mcast --help",
			argv[1]);
	static char prog[32];
	snprintf(prog, sizeof(prog), "mcast %s", c->name);
	cli_prog = prog;
	return c->fn(argc - 1, argv + 1);
}
