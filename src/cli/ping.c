/* SPDX-License-Identifier: MIT */
/*
 * mcast ping: options, the shared socket setup, and the responder.
 * Responders answer each ping to the group and/or by unicast to the
 * pinger, so the pinger can tell a multicast problem from a unicast one
 * (omping's trick).
 */
#include "json.h"
#include "ping.h"
#include "format.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RESP_BATCH     16
#define RESP_DGRAM_MAX 65536

void usage_ping(FILE *out)
{
	fprintf(out,
		"usage: mcast ping [OPTIONS] GROUP:PORT\n"
		"       mcast ping --respond [OPTIONS] GROUP:PORT\n\n"
		"Send pings to a group; every responder answers by multicast and/or\n"
		"unicast, and round-trip times are reported per responder and path.\n\n"
		"  -a, --respond           answer pings instead of sending them\n"
		"  -i, --iface IF          interface by name, index or address\n"
		"  -t, --ttl N             TTL / hop limit of pings and replies (default 1)\n"
		"  -r, --rate PPS          pings per second (default 1)\n"
		"  -c, --count N           pings to send (responder: to answer, then exit)\n"
		"  -D, --duration SECONDS  stop sending after this long\n"
		"  -W, --wait SECONDS      wait for late replies after the last ping (default 1)\n"
		"      --pingpong          send the next ping only once the last one is\n"
		"                          answered (or --wait has passed), as sockperf pp\n"
		"  -s, --size BYTES        ping size, UDP payload with header (default 88)\n"
		"      --reply MODE        how responders answer: unicast, multicast or both\n"
		"                          (default both)\n"
		"  -P, --responder ADDR    a responder that must answer; repeatable\n"
		"  -n, --expect-responders N\n"
		"                          exit 1 unless at least N responders answered\n"
		"  -L, --max-loss PERCENT  exit 1 if any responder's loss exceeds PERCENT\n"
		"  -F, --format FMT        text (default) or json\n"
		"  -b, --bind ADDR[:PORT]  source address of pings and replies\n"
		"  -B, --busy-poll         spin on reads instead of sleeping: lower latency,\n"
		"                          one busy core (see mcast(1) for lo and veth)\n"
		"  -k, --key FILE          seal pings and replies with the newest key of FILE,\n"
		"                          accept only those sealed with one of its keys\n"
		"      --cipher NAME       aes-256-gcm (default) or chacha20-poly1305\n"
		"      --auth-only         authenticate without encrypting\n"
		"      --replay-window N   sequence numbers remembered per sender (default 1024)\n"
		"      --max-age SECONDS   reject what was sent longer ago (default 30; 0: off)\n"
		"      --require-cipher C  accept only encrypted pings and replies: any,\n"
		"                          aes-256-gcm or chacha20-poly1305\n"
		"  -q, --quiet             no line per reply, only the summary\n"
		"  -h, --help              this help\n");
}

static unsigned parse_reply(const char *s)
{
	if (strcmp(s, "unicast") == 0)
		return MCAST_HDR_WANT_UCAST;
	if (strcmp(s, "multicast") == 0)
		return MCAST_HDR_WANT_MCAST;
	if (strcmp(s, "both") == 0)
		return MCAST_HDR_WANT_MCAST | MCAST_HDR_WANT_UCAST;
	cli_bad_value("--reply", s, "unicast, multicast or both");
}

static void parse_args(int argc, char **argv, struct ping_cfg *c)
{
	enum { OPT_REPLY = 256, OPT_PINGPONG };
	static const struct option longopts[] = {
		{ "respond", no_argument, NULL, 'a' },
		{ "iface", required_argument, NULL, 'i' },
		{ "ttl", required_argument, NULL, 't' },
		{ "rate", required_argument, NULL, 'r' },
		{ "count", required_argument, NULL, 'c' },
		{ "duration", required_argument, NULL, 'D' },
		{ "wait", required_argument, NULL, 'W' },
		{ "size", required_argument, NULL, 's' },
		{ "reply", required_argument, NULL, OPT_REPLY },
		{ "pingpong", no_argument, NULL, OPT_PINGPONG },
		{ "responder", required_argument, NULL, 'P' },
		{ "expect-responders", required_argument, NULL, 'n' },
		{ "max-loss", required_argument, NULL, 'L' },
		{ "format", required_argument, NULL, 'F' },
		{ "busy-poll", no_argument, NULL, 'B' },
		{ "bind", required_argument, NULL, 'b' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		TRUST_KEY_OPTION,
		TRUST_SEAL_OPTIONS,
		TRUST_OPEN_OPTIONS,
		{ 0 }
	};
	int o;

	mcast_opts_init(&c->opts);
	trust_cfg_init(&c->trust);
	c->rate = 1;
	c->count = -1;
	c->wait = 1;
	c->size = MCAST_WIRE_HDR_LEN + MCAST_PONG_BODY_LEN;
	c->reply = MCAST_HDR_WANT_MCAST | MCAST_HDR_WANT_UCAST;
	c->expect_responders = -1;
	c->max_loss = -1;
	struct cli_once once = { .longopts = longopts,
				 .repeatable = (const char *const[]){
					 "responder", NULL } };

	opterr = 0;
	while ((o = getopt_long(argc, argv, "ai:t:r:c:D:W:s:P:n:L:F:Bb:qk:h",
				longopts, NULL)) != -1) {
		cli_once(&once, o);
		if (trust_parse_opt(&c->trust, o, optarg))
			continue;
		switch (o) {
		case 'a':
			c->respond = true;
			break;
		case 'i':
			c->opts.iface = optarg;
			break;
		case 't':
			c->opts.ttl =
				(int)cli_parse_int("--ttl", optarg, 0, 255);
			break;
		case 'r':
			c->pinger_opts++;
			c->rate = cli_parse_rate("--rate", optarg, 0.001, 1e6,
						 1000);
			break;
		case 'c':
			c->count =
				cli_parse_int("--count", optarg, 1, INT64_MAX);
			break;
		case 'D':
			c->duration = cli_parse_seconds("--duration", optarg,
							0.001, 1e7);
			break;
		case OPT_PINGPONG:
			c->pinger_opts++;
			c->pingpong = true;
			break;
		case 'W':
			c->pinger_opts++;
			c->wait = cli_parse_seconds("--wait", optarg, 0, 3600);
			break;
		case 's':
			c->pinger_opts++;
			c->size = cli_parse_int("--size", optarg,
						MCAST_WIRE_HDR_LEN +
							MCAST_PONG_BODY_LEN,
						65507);
			break;
		case OPT_REPLY:
			c->pinger_opts++;
			c->reply = parse_reply(optarg);
			break;
		case 'P':
			c->pinger_opts++;
			if (c->nnamed == PING_MAX_NAMED)
				cli_die(EXIT_USAGE,
					"too many --responder (at most %d)",
					PING_MAX_NAMED);
			cli_parse_source("--responder", optarg,
					 &c->named[c->nnamed++]);
			break;
		case 'n':
			c->pinger_opts++;
			c->expect_responders = cli_parse_int(
				"--expect-responders", optarg, 1, 1000000);
			break;
		case 'L':
			c->pinger_opts++;
			c->max_loss = cli_parse_real("--max-loss", optarg, 0,
						     100, "a percentage");
			break;
		case 'F':
			c->json = cli_parse_json_format(optarg);
			break;
		case 'B':
			c->busy_poll = true;
			break;
		case 'b':
			cli_parse_bind(optarg, &c->opts.bind);
			break;
		case 'q':
			c->quiet = true;
			break;
		case 'h':
			usage_ping(stdout);
			exit(EXIT_OK);
		default:
			cli_bad_option(optopt, argv[optind - 1]);
		}
	}
	if (optind >= argc)
		cli_die(EXIT_USAGE,
			"missing GROUP:PORT; see mcast ping --help");
	c->group_text = argv[optind];
	cli_parse_group(argv[optind++], &c->group);
	if (optind < argc)
		cli_die(EXIT_USAGE,
			"unexpected argument '%s'; see mcast ping --help",
			argv[optind]);
	if (c->respond && c->pinger_opts)
		cli_die(EXIT_USAGE,
			"--respond takes only --iface, --ttl, --bind, --count, --duration, --format, --busy-poll, --quiet and the --key options; the others belong to the pinger");
	trust_cfg_check(&c->trust);
	if (c->trust.key_file &&
	    c->size < MCAST_WIRE_HDR_LEN + MCAST_PONG_BODY_LEN + MCAST_TAG_LEN)
		c->size = MCAST_WIRE_HDR_LEN + MCAST_PONG_BODY_LEN +
			  MCAST_TAG_LEN;
	for (size_t i = 0; i < c->nnamed; i++)
		if (c->named[i].ss_family != c->group.ss_family)
			cli_die(EXIT_USAGE,
				"--responder and the group must both be IPv4 or both IPv6");
	cli_check_scope(&c->group, c->group_text, c->opts.iface);
}

void ping_open(const struct ping_cfg *c, bool join, mcast_t **tx, mcast_t **rx)
{
	struct mcast_opts o = c->opts;
	struct mcast_info info = { .size = sizeof(info) };
	char step[MCAST_ERRMSG_MAX] = "", g[MCAST_ADDRSTRLEN];
	int rc;

	o.errbuf = step;
	o.errlen = sizeof(step);
	o.flags |= MCAST_OPT_REPLIES;
	/* A responder needs only the pinger's address, which always comes;
	 * the pinger the arrival time and TTL.  The rest costs the kernel
	 * work per datagram (IP_PKTINFO a route lookup) on the latency path. */
	o.meta = c->respond ? 0 : MCAST_META_TS | MCAST_META_TTL;
	if (c->busy_poll)
		o.flags |= MCAST_OPT_BUSY_POLL;
	*rx = NULL;
	if (join) {
		if ((rc = mcast_receiver_open(rx, &o)) < 0)
			cli_fail_step(rc == MCAST_ENOIFACE ? EXIT_USAGE
							   : EXIT_RUNTIME,
				      step, rc, "cannot open receiver");
		if ((rc = mcast_join(*rx, (struct sockaddr *)&c->group, NULL,
				     0)) < 0) {
			char what[MCAST_ADDRSTRLEN + 32];

			snprintf(what, sizeof(what), "cannot join %s",
				 c->group_text);
			cli_fail_step(EXIT_RUNTIME, "", rc, what);
		}
	}
	if ((rc = mcast_sender_open(tx, (struct sockaddr *)&c->group, &o)) < 0)
		cli_fail_step(rc == MCAST_ENOIFACE ? EXIT_USAGE : EXIT_RUNTIME,
			      step, rc, "cannot open sender");
	mcast_get_info(*tx, &info);
	cli_info("%s %s on %s", join ? "joined" : "sending to",
		 cli_addr(&c->group, g, sizeof(g)),
		 info.iface.index ? info.iface.name : "(route)");
	if (info.warnings & MCAST_WARN_UNSPEC_SOURCE)
		cli_warn(
			"the interface has no usable IPv4 address, so pings and replies leave from 0.0.0.0 and most hosts drop them; use --bind ADDR");
	if (c->busy_poll)
		cli_info(
			"busy polling: spinning on non-blocking reads in user space; SO_BUSY_POLL %s",
			info.busy_poll == 2
				? "accepted too (it helps only devices with NAPI, not lo or veth)"
				: "refused (needs CAP_NET_ADMIN)");
}

/* What a responder's replies of one kind came to. */
struct reply_tally {
	long long sent, failed;
	int error; /* of the latest failure */
};

/* Answer one ping: to the group, to the pinger, or both.  Each kind is
 * tried on its own, so a failing one does not silence the other; returns
 * how many replies were sent. */
static int answer(mcast_t *tx, struct trust *t, struct mcast_hdr *own,
		  const struct mcast_hdr *ping, const struct mcast_meta *meta,
		  unsigned char *buf, struct reply_tally tally[2])
{
	size_t tag = trust_overhead(t), least;
	struct mcast_pong body;
	size_t len = meta->len;
	int rc, sent = 0;

	/* Replies as large as the ping, so both directions carry the same
	 * bytes, as sockperf's ping-pong does. */
	least = MCAST_WIRE_HDR_LEN + MCAST_PONG_BODY_LEN + tag;
	if (len < least)
		len = least;
	if (len > RESP_DGRAM_MAX)
		len = RESP_DGRAM_MAX;
	memcpy(body.ping_session, ping->session, MCAST_SESSION_LEN);
	body.ping_seq = ping->seq;
	body.ping_send_ns = ping->send_ns;
	own->payload_len = (uint16_t)(len - MCAST_WIRE_HDR_LEN - tag);
	for (unsigned mode = MCAST_HDR_WANT_MCAST; mode <= MCAST_HDR_WANT_UCAST;
	     mode <<= 1) {
		struct mcast_dgram d = { .buf = buf, .len = len };

		if (!(ping->flags & mode))
			continue;
		/* Each reply is sealed anew: sealing encrypts in place. */
		memset(buf, 0, len);
		mcast_pong_encode(&body, buf + MCAST_WIRE_HDR_LEN,
				  own->payload_len);
		own->flags =
			mode == MCAST_HDR_WANT_UCAST ? MCAST_HDR_UNICAST : 0;
		own->send_ns = cli_realtime_ns();
		mcast_hdr_encode(own, buf, len);
		if (trust_on(t))
			trust_seal(t, buf, len - tag, len);
		own->seq++;
		if (mode == MCAST_HDR_WANT_UCAST)
			d.to = (const struct sockaddr *)&meta->src;
		struct reply_tally *y = &tally[mode == MCAST_HDR_WANT_UCAST];

		if ((rc = mcast_send_batch(tx, &d, 1)) < 0) {
			y->failed++;
			y->error = rc;
		} else {
			y->sent++;
			sent++;
		}
	}
	return sent;
}

/* "answered N pings", and for each kind of reply that failed how many and
 * why, as text on stderr or as a JSON object on stdout. */
static void say_answered(const struct ping_cfg *c, long long answered,
			 const struct reply_tally tally[2])
{
	static const char *const kind[2] = { "multicast", "unicast" };
	char why[256] = "";
	size_t n = 0;

	if (c->json) {
		struct json j;

		json_record(&j, stdout, "respond_summary");
		json_int(&j, "answered", answered);
		for (int k = 0; k < 2; k++) {
			json_object(&j, kind[k]);
			json_int(&j, "sent", tally[k].sent);
			json_int(&j, "failed", tally[k].failed);
			json_string(&j, "error",
				    tally[k].failed
					    ? mcast_strerror(tally[k].error)
					    : NULL);
			json_end(&j);
		}
		json_end(&j);
		fflush(stdout);
	}
	for (int k = 0; k < 2 && n < sizeof(why); k++)
		if (tally[k].failed)
			n += (size_t)snprintf(
				why + n, sizeof(why) - n,
				"; %lld %s repl%s could not be sent: %s",
				tally[k].failed, kind[k],
				tally[k].failed == 1 ? "y" : "ies",
				mcast_strerror(tally[k].error));
	cli_info("answered %lld ping%s%s", answered, answered == 1 ? "" : "s",
		 why);
}

int ping_respond(const struct ping_cfg *c)
{
	static unsigned char bufs[RESP_BATCH][RESP_DGRAM_MAX];
	static unsigned char out[RESP_DGRAM_MAX];
	struct mcast_meta metas[RESP_BATCH];
	struct mcast_dgram v[RESP_BATCH];
	struct mcast_hdr own = { .type = MCAST_MSG_PONG };
	struct mcast_info info = { .size = sizeof(info) };
	mcast_t *tx, *rx;
	struct trust trust;
	struct reply_tally tally[2] = { { 0 } };
	long long answered = 0;
	double end_at = c->duration > 0 ? cli_now() + c->duration : 0;
	int rc;

	trust_start(&trust, &c->trust, TRUST_SEAL | TRUST_OPEN);
	ping_open(c, true, &tx, &rx);
	mcast_get_info(tx, &info);
	own.ttl = (uint8_t)info.ttl;
	if ((rc = mcast_session_new(own.session)) < 0)
		cli_die(EXIT_RUNTIME, "cannot make a session id: %s",
			mcast_strerror(rc));
	for (size_t i = 0; i < RESP_BATCH; i++) {
		mcast_meta_init(&metas[i]);
		v[i] = (struct mcast_dgram){ .buf = bufs[i],
					     .cap = RESP_DGRAM_MAX,
					     .meta = &metas[i] };
	}
	cli_signals();
	cli_stdout_lines();
	while (!cli_stop && (c->count < 0 || answered < c->count)) {
		/* A busy-polling wait does not end on a signal: keep it
		 * short so SIGINT and SIGTERM are seen. */
		int wait = c->busy_poll ? 20 : -1;
		struct timespec now;

		/* A changed key file is looked at about once a second. */
		if (trust_on(&trust) && wait < 0)
			wait = 1000;

		if (end_at > 0) {
			double left = end_at - cli_now();

			if (left <= 0)
				break;
			if (wait < 0 || cli_poll_ms(left) < wait)
				wait = cli_poll_ms(left);
		}
		rc = mcast_recv_batch(rx, v, RESP_BATCH, cli_wait_ms(wait));
		if (rc < 0 && rc != -EINTR)
			cli_fail_call(EXIT_RUNTIME, rx, rc, "receive");
		if (rc > 0 && trust_on(&trust))
			clock_gettime(CLOCK_REALTIME, &now);
		for (int i = 0; i < rc; i++) {
			struct mcast_hdr h;

			if (trust_on(&trust)) {
				/* Only pings sealed with our keys are
				 * answered: no reflector for forgeries. */
				if (trust_open(&trust, v[i].buf, v[i].len, &now,
					       &h) < 0 ||
				    h.type != MCAST_MSG_PING)
					continue;
			} else if (mcast_hdr_decode(&h, v[i].buf, v[i].len) <
					   0 ||
				   h.type != MCAST_MSG_PING || h.key_id != 0) {
				continue;
			}
			if (answer(tx, &trust, &own, &h, &metas[i], out,
				   tally) > 0)
				answered++;
		}
		trust_tick(&trust, cli_now());
	}
	say_answered(c, answered, tally);
	trust_say_rejects(&trust);
	trust_stop(&trust);
	mcast_close(rx);
	mcast_close(tx);
	return EXIT_OK;
}

int cmd_ping(int argc, char **argv)
{
	static struct ping_cfg c;

	parse_args(argc, argv, &c);
	return c.respond ? ping_respond(&c) : ping_run(&c);
}
