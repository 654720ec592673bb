/* SPDX-License-Identifier: MIT */
/*
 * mcast demo: the Python multicast tutorial's server and client in one process, on the
 * loopback interface only, so it is safe to run on any host: nothing it
 * sends can leave the machine.
 */
#include "opts.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define DEMO_GROUP   "224.168.2.9:1600"
#define DEMO_SOURCE  "127.0.0.1:1501"
#define DEMO_IFACE   "lo"
#define DEMO_MESSAGE "Hello World"

struct demo_cfg {
	long long count;
	double interval;
};

static const struct cli_opt demo_opts[] = {
	CLI_OPT_COUNT(struct demo_cfg, count, 1000,
		      "datagrams to send (default 3)"),
	{ CLI_OPT("interval", CLI_SECONDS, struct demo_cfg, interval), .min = 0,
	  .max = 10, .arg = "SECONDS",
	  .help = "pause between them (default 0.2)" },
	{ 0 }
};

const struct cli_spec demo_spec = {
	.head = "usage: mcast demo [OPTIONS]\n\n"
		"The Python multicast tutorial's pair on the loopback interface lo: a\n"
		"receiver joins " DEMO_GROUP ", a sender bound to " DEMO_SOURCE
		"\n"
		"sends \"" DEMO_MESSAGE
		"\" with TTL 255, and each datagram is printed\n"
		"as the tutorial's client does.\n"
		"Exit 0 only if every datagram arrived.\n\n",
	.opts = demo_opts,
};

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
	struct demo_cfg cfg = { .count = 3, .interval = 0.2 };
	struct sockaddr_storage group;
	struct mcast_opts ro, so;
	char step[MCAST_ERRMSG_MAX] = "";
	mcast_t *rx = NULL, *tx = NULL;
	long long count, got = 0, sent = 0;
	double interval;
	struct cli_parsed p;
	int next, rc;

	next = cli_parse(argc, argv, &demo_spec, &cfg, &p);
	cli_no_more(argc, argv, next);
	count = cfg.count;
	interval = cfg.interval;
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
