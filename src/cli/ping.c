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
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void ping_reply(void *reply, const char *value)
{
	unsigned *r = reply;

	if (strcmp(value, "unicast") == 0)
		*r = MCAST_HDR_WANT_UCAST;
	else if (strcmp(value, "multicast") == 0)
		*r = MCAST_HDR_WANT_MCAST;
	else if (strcmp(value, "both") == 0)
		*r = MCAST_HDR_WANT_MCAST | MCAST_HDR_WANT_UCAST;
	else
		cli_bad_value("--reply", value, "unicast, multicast or both");
}

static void ping_responder(void *cfg, const char *value)
{
	struct ping_cfg *c = cfg;

	if (c->nnamed == PING_MAX_NAMED)
		cli_die(EXIT_USAGE, "too many --responder (at most %d)",
			PING_MAX_NAMED);
	cli_parse_source("--responder", value, &c->named[c->nnamed++]);
}

/* The tag of the options only the pinger takes. */
#define PINGER		       1
#define OPT(name, kind, field) CLI_OPT(name, kind, struct ping_cfg, field)

static const struct cli_opt ping_opts[] = {
	{ OPT("respond", CLI_FLAG, respond),
	  .help = "answer pings instead of sending them" },
	CLI_OPT_IFACE(struct ping_cfg, opts.iface,
		      "interface by name, index or address"),
	CLI_OPT_TTL(struct ping_cfg, opts.ttl,
		    "TTL / hop limit of pings and replies (default 1)"),
	{ OPT("rate", CLI_RATE, rate), .tag = PINGER, .min = 0.001, .max = 1e6,
	  .arg = "PPS", .help = "pings per second (default 1)" },
	CLI_OPT_COUNT(struct ping_cfg, count, INT64_MAX,
		      "pings to send (responder: to answer, then exit)"),
	CLI_OPT_DURATION(struct ping_cfg, duration, 0.001, 1e7,
			 "stop sending after this long"),
	{ OPT("wait", CLI_SECONDS, wait), .tag = PINGER, .min = 0, .max = 3600,
	  .arg = "SECONDS",
	  .help = "wait for late replies after the last ping (default 1)" },
	{ OPT("pingpong", CLI_FLAG, pingpong), .tag = PINGER,
	  .help = "send the next ping only once the last one is\n"
		  "answered (or --wait has passed), as sockperf pp" },
	{ OPT("size", CLI_INT, size), .tag = PINGER,
	  .lo = MCAST_WIRE_HDR_LEN + MCAST_PONG_BODY_LEN, .hi = CLI_UDP_MAX_V6,
	  .arg = "BYTES",
	  .help = "ping size, UDP payload with header (default 88)" },
	{ OPT("reply", CLI_FN, reply), .tag = PINGER, .fn = ping_reply,
	  .arg = "MODE",
	  .help = "how responders answer: unicast, multicast or both\n"
		  "(default both)" },
	{ .name = "responder",
	  .kind = CLI_FN,
	  .fn = ping_responder,
	  .repeat = true,
	  .tag = PINGER,
	  .arg = "ADDR",
	  .help = "a responder that must answer; repeatable" },
	{ OPT("expect-responders", CLI_INT, expect_responders), .tag = PINGER,
	  .lo = 1, .hi = 1000000, .arg = "N",
	  .help = "exit 1 unless at least N responders answered" },
	{ OPT("max-loss", CLI_PERCENT, max_loss), .tag = PINGER, .min = 0,
	  .max = 100, .arg = "PERCENT",
	  .help = "exit 1 if any responder's loss exceeds PERCENT" },
	CLI_OPT_JSON(struct ping_cfg, json, "text (default) or json"),
	CLI_OPT_BIND(struct ping_cfg, opts.bind,
		     "source address of pings and replies"),
	{ OPT("busy-poll", CLI_FLAG, busy_poll),
	  .help = "spin on reads instead of sleeping: lower latency,\n"
		  "one busy core (see mcast(1) for lo and veth)" },
	SEALING_OPT_KEY(struct ping_cfg, sealing,
			"seal pings and replies with the newest key of FILE,\n"
			"accept only those sealed with one of its keys"),
	CLI_INCLUDE(sealing_seal_opts, struct ping_cfg, sealing),
	CLI_INCLUDE(sealing_open_opts, struct ping_cfg, sealing),
	CLI_OPT_QUIET(struct ping_cfg, quiet,
		      "no line per reply, only the summary"),
	{ 0 }
};

const struct cli_spec ping_spec = {
	.head = "usage: mcast ping [OPTIONS] GROUP:PORT\n"
		"       mcast ping --respond [OPTIONS] GROUP:PORT\n\n"
		"Send pings to a group; every responder answers by multicast and/or\n"
		"unicast, and round-trip times are reported per responder and path.\n\n",
	.opts = ping_opts,
};

static void parse_args(int argc, char **argv, struct ping_cfg *c)
{
	struct cli_parsed p;
	int next;

	mcast_opts_init(&c->opts);
	sealing_cfg_init(&c->sealing);
	c->rate = 1;
	c->count = -1;
	c->wait = 1;
	c->size = MCAST_WIRE_HDR_LEN + MCAST_PONG_BODY_LEN;
	c->reply = MCAST_HDR_WANT_MCAST | MCAST_HDR_WANT_UCAST;
	c->expect_responders = -1;
	c->max_loss = -1;
	next = cli_parse(argc, argv, &ping_spec, c, &p);
	if (next >= argc)
		cli_die(EXIT_USAGE,
			"missing GROUP:PORT; see mcast ping --help");
	c->group_text = argv[next];
	cli_parse_group(argv[next++], &c->group);
	cli_no_more(argc, argv, next);
	cli_check_udp_size(c->size, c->group.ss_family == AF_INET);
	if (c->respond && cli_tagged(&p, PINGER))
		cli_die(EXIT_USAGE,
			"--respond takes only --iface, --ttl, --bind, --count, --duration, --format, --busy-poll, --quiet and the --key options; the others belong to the pinger");
	if (c->sealing.key_file &&
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
	struct mcast_info info;
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
	mcast_info_init(&info);
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
static int answer(mcast_t *tx, struct sealing *t, const struct mcast_bind *to,
		  struct mcast_hdr *own, const struct mcast_hdr *ping,
		  const struct mcast_meta *meta, unsigned char *buf,
		  struct reply_tally tally[2])
{
	size_t tag = sealing_overhead(t), least;
	struct mcast_pong body;
	size_t len = meta->len;
	int rc, sent = 0;

	/* Replies as large as the ping, so both directions carry the same
	 * bytes, as sockperf's ping-pong does. */
	least = MCAST_WIRE_HDR_LEN + MCAST_PONG_BODY_LEN + tag;
	if (len < least)
		len = least;
	if (len > CLI_DGRAM_MAX)
		len = CLI_DGRAM_MAX;
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
		/* Unicast too, bound to the group the ping came to: the
		 * pinger's address may be rewritten on the way (NAT). */
		if (sealing_on(t))
			sealing_seal(t, to, buf, len - tag, len);
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
	static unsigned char bufs[CLI_RECV_BATCH][CLI_DGRAM_MAX];
	static unsigned char out[CLI_DGRAM_MAX];
	struct mcast_meta metas[CLI_RECV_BATCH];
	struct mcast_dgram v[CLI_RECV_BATCH];
	struct mcast_hdr own = { .type = MCAST_MSG_PONG };
	struct mcast_info info;
	mcast_t *tx, *rx;
	struct sealing sealing;
	struct reply_tally tally[2] = { { 0 } };
	long long answered = 0;
	double end_at = c->duration > 0 ? cli_now() + c->duration : 0;
	int rc;

	sealing_start(&sealing, &c->sealing, SEALING_SEAL | SEALING_OPEN);
	ping_open(c, true, &tx, &rx);
	mcast_info_init(&info);
	mcast_get_info(tx, &info);
	own.ttl = (uint8_t)info.ttl;
	if ((rc = mcast_session_new(own.session)) < 0)
		cli_die(EXIT_RUNTIME, "cannot make a session id: %s",
			mcast_strerror(rc));
	for (size_t i = 0; i < CLI_RECV_BATCH; i++) {
		mcast_meta_init(&metas[i]);
		v[i] = (struct mcast_dgram){ .buf = bufs[i],
					     .cap = CLI_DGRAM_MAX,
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
		if (sealing_on(&sealing) && wait < 0)
			wait = 1000;

		if (end_at > 0) {
			double left = end_at - cli_now();

			if (left <= 0)
				break;
			if (wait < 0 || cli_poll_ms(left) < wait)
				wait = cli_poll_ms(left);
		}
		rc = mcast_recv_batch(rx, v, CLI_RECV_BATCH, cli_wait_ms(wait));
		if (rc < 0 && rc != -EINTR)
			cli_fail_call(EXIT_RUNTIME, rx, rc, "receive");
		if (rc > 0 && sealing_on(&sealing))
			clock_gettime(CLOCK_REALTIME, &now);
		for (int i = 0; i < rc; i++) {
			struct mcast_bind to = { 0 };
			struct mcast_hdr h;

			if (sealing_on(&sealing)) {
				/* Only pings sealed with our keys for this
				 * group are answered: no reflector for
				 * forgeries, nor for pings replayed from
				 * another group. */
				sealing_bind_meta(&to, &metas[i], &c->group);
				if (sealing_open(&sealing, &to, v[i].buf,
						 v[i].len, &now, &h) < 0 ||
				    h.type != MCAST_MSG_PING)
					continue;
			} else if (mcast_hdr_decode(&h, v[i].buf, v[i].len) <
					   0 ||
				   h.type != MCAST_MSG_PING || h.key_id != 0) {
				continue;
			}
			if (answer(tx, &sealing, &to, &own, &h, &metas[i], out,
				   tally) > 0)
				answered++;
		}
		sealing_tick(&sealing, cli_now());
	}
	say_answered(c, answered, tally);
	sealing_say_rejects(&sealing);
	sealing_stop(&sealing);
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
