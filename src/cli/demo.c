/* SPDX-License-Identifier: MIT */
/*
 * mcast demo: the tutorial's server and client in one process, on the
 * loopback interface only, so it is safe to run on any host: nothing it
 * sends can leave the machine.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#define DEMO_GROUP   "224.168.2.9:1600"
#define DEMO_SOURCE  "127.0.0.1:1501"
#define DEMO_IFACE   "lo"
#define DEMO_MESSAGE "Hello World"

void usage_demo(FILE *out)
{
	fprintf(out,
		"usage: mcast demo [OPTIONS]\n\n"
		"The tutorial's pair on the loopback interface lo: a receiver joins\n"
		"" DEMO_GROUP ", a sender bound to " DEMO_SOURCE
		" sends \"" DEMO_MESSAGE "\"\n"
		"with TTL 255, and each datagram is printed as the tutorial's client does.\n"
		"Exit 0 only if every datagram arrived.\n\n"
		"  -c, --count N           datagrams to send (default 3)\n"
		"  -d, --interval SECONDS  pause between them (default 0.2)\n"
		"  -h, --help              this help\n");
}

static void check_lo(void)
{
	struct mcast_iface lo;
	int rc = mcast_iface_lookup(DEMO_IFACE, &lo);

	if (rc < 0)
		cli_die(EXIT_RUNTIME, "no loopback interface '%s': %s",
			DEMO_IFACE, mcast_strerror(rc));
	if (!(lo.flags & MCAST_IF_UP))
		cli_die(EXIT_RUNTIME,
			"interface lo is down; bring it up with: ip link set lo up");
}

int cmd_demo(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "count", required_argument, NULL, 'c' },
		{ "interval", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct sockaddr_storage group;
	struct mcast_opts ro, so;
	char step[MCAST_ERRMSG_MAX] = "";
	mcast_t *rx = NULL, *tx = NULL;
	long long count = 3, got = 0, sent = 0;
	double interval = 0.2;
	struct cli_once once = { .longopts = longopts, .repeatable = NULL };
	int o, rc;

	opterr = 0;
	while ((o = getopt_long(argc, argv, "c:d:h", longopts, NULL)) != -1) {
		cli_once(&once, o);
		switch (o) {
		case 'c':
			count = cli_parse_int("--count", optarg, 1, 1000);
			break;
		case 'd':
			interval =
				cli_parse_seconds("--interval", optarg, 0, 10);
			break;
		case 'h':
			usage_demo(stdout);
			return EXIT_OK;
		default:
			cli_bad_option(optopt, argv[optind - 1]);
		}
	}
	if (optind < argc)
		cli_die(EXIT_USAGE,
			"unexpected argument '%s'; see mcast demo --help",
			argv[optind]);
	check_lo();
	cli_signals();
	cli_stdout_lines();
	mcast_addr_parse(DEMO_GROUP, MCAST_PARSE_GROUP | MCAST_PARSE_PORT,
			 &group);

	/* Join before sending: a datagram sent before the join is gone. */
	mcast_opts_init(&ro);
	ro.iface = DEMO_IFACE;
	ro.errbuf = step;
	ro.errlen = sizeof(step);
	if ((rc = mcast_receiver_open(&rx, &ro)) < 0)
		cli_fail_step(EXIT_RUNTIME, step, rc, "cannot open receiver");
	if ((rc = mcast_join(rx, (struct sockaddr *)&group, NULL, 0)) < 0)
		cli_fail_call(EXIT_RUNTIME, rx, rc, "cannot join " DEMO_GROUP);

	mcast_opts_init(&so);
	so.iface = DEMO_IFACE;
	so.ttl = 255;
	so.loop = 1;
	so.errbuf = step;
	so.errlen = sizeof(step);
	/* On lo an unbound sender would send from 0.0.0.0: 127.0.0.1 is
	 * host-scoped, so the kernel will not pick it by itself. */
	mcast_addr_parse(DEMO_SOURCE,
			 MCAST_PARSE_UNICAST | MCAST_PARSE_PORT_OPT, &so.bind);
	if ((rc = mcast_sender_open(&tx, (struct sockaddr *)&group, &so)) < 0)
		cli_fail_step(EXIT_RUNTIME, step, rc, "cannot open sender");
	cli_info("%s: joined " DEMO_GROUP
		 " on lo; sending %lld datagram%s from " DEMO_SOURCE
		 " with TTL 255",
		 cli_prog, count, count == 1 ? "" : "s");

	for (long long i = 0; i < count && !cli_stop; i++) {
		struct mcast_meta meta;
		char buf[2048], from[MCAST_ADDRSTRLEN];

		if ((rc = mcast_send(tx, DEMO_MESSAGE, strlen(DEMO_MESSAGE))) <
		    0)
			cli_fail_call(EXIT_RUNTIME, tx, rc, "send");
		sent++;
		/* Loopback delivery is immediate; a second is generous. */
		mcast_meta_init(&meta);
		rc = mcast_recv(rx, buf, sizeof(buf) - 1, &meta, 1000);
		/* Interrupted: what was sent is queued already. */
		if (rc == -EINTR)
			rc = mcast_recv(rx, buf, sizeof(buf) - 1, &meta, 0);
		if (rc == -ETIMEDOUT || rc == -EINTR)
			continue;
		if (rc < 0)
			cli_fail_call(EXIT_RUNTIME, rx, rc, "receive");
		buf[rc] = '\0';
		got++;
		printf("We got data!\nFROM: %s\nDATA: %s\n",
		       cli_addr(&meta.src, from, sizeof(from)), buf);
		if (i + 1 < count)
			cli_sleep_until(cli_now() + interval);
	}
	mcast_close(tx);
	mcast_close(rx);
	/* An interrupted run is judged on what it sent. */
	if (sent < count)
		cli_info("%s: interrupted after sending %lld of %lld datagrams",
			 cli_prog, sent, count);
	if (got < sent || got == 0) {
		fprintf(stderr, "%s: %lld of %lld datagrams arrived\n",
			cli_prog, got, sent);
		return EXIT_RUNTIME;
	}
	cli_info("%s: %lld of %lld datagrams arrived", cli_prog, got, sent);
	return EXIT_OK;
}
