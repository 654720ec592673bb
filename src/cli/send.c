/* SPDX-License-Identifier: MIT */
/* mcast send: the Python multicast tutorial's server, with interface, TTL, files and lines. */
#include "events.h"
#include "send.h"

#include <math.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void send_rate(void *rate, const char *value)
{
	*(double *)rate =
		strcmp(value, "max") == 0
			? INFINITY
			: cli_parse_rate("--rate", value, 0.001, 1e9, 1000);
}

#define OPT(name, kind, field) CLI_OPT(name, kind, struct send_cfg, field)

static const struct cli_opt send_opts[] = {
	CLI_OPT_IFACE(struct send_cfg, opts.iface,
		      "interface by name, index or address"),
	CLI_OPT_TTL(struct send_cfg, opts.ttl,
		    "TTL / hop limit, 0-255 (default 1)"),
	{ OPT("loop", CLI_SET, opts.loop), .lo = 1,
	  .help = "loop datagrams back to local receivers" },
	{ OPT("no-loop", CLI_SET, opts.loop), .lo = 0,
	  .help = "do not loop them back" },
	CLI_OPT_BIND(struct send_cfg, opts.bind,
		     "source address and/or port (e.g. :1501)"),
	CLI_OPT_COUNT(struct send_cfg, count, INT64_MAX,
		      "datagrams to send to each group (default: until\n"
		      "interrupted, or the end of --file)"),
	{ OPT("interval", CLI_SECONDS, interval), .min = 0, .max = 86400,
	  .arg = "SECONDS",
	  .help = "pause between datagrams (default 1; 0.001 with --file)" },
	{ OPT("file", CLI_STR, file), .arg = "FILE|-",
	  .help = "send FILE or standard input in datagrams of --size" },
	{ OPT("size", CLI_INT, size), .lo = 1, .hi = CLI_UDP_MAX_V6,
	  .arg = "BYTES",
	  .help = "UDP payload per datagram: with --file (default 1400)\n"
		  "or --probe (default 64, header included)" },
	{ OPT("lines", CLI_FLAG, lines),
	  .help = "with --file: one datagram per line, newline removed" },
	{ OPT("framed", CLI_FLAG, framed),
	  .help = "put each datagram in an mcast envelope (48 bytes:\n"
		  "sequence number, send time) and end with end-of-\n"
		  "stream markers, so mcast recv stops at the end and\n"
		  "knows what is missing (implied by --key)" },
	{ OPT("probe", CLI_FLAG, probe),
	  .help = "send sequence-numbered probes (see mcast recv --stats)" },
	{ OPT("rate", CLI_FN, rate), .fn = send_rate, .arg = "PPS|max",
	  .help = "probes per second to all groups together, paced\n"
		  "from a monotonic clock" },
	{ OPT("bitrate", CLI_RATE, bitrate), .min = 1, .max = 1e12,
	  .arg = "BITS",
	  .help = "rate as UDP payload bits/s (e.g. 10M, 1.5G)" },
	{ OPT("burst", CLI_INT, burst), .lo = 1, .hi = 1024, .arg = "N",
	  .help = "datagrams sent back to back per pacing step\n(default 1)" },
	CLI_OPT_DURATION(struct send_cfg, duration, 0.001, 1e7,
			 "stop after this long"),
	{ OPT("gso", CLI_BITS, opts.flags), .lo = MCAST_OPT_GSO,
	  .help = "hand each burst to the kernel as one segmented\n"
		  "buffer (UDP_SEGMENT); falls back where refused" },
	SEALING_OPT_KEY(struct send_cfg, sealing,
			"seal every datagram with the newest key of FILE\n"
			"(mcast keygen); 64 bytes of each go to the seal"),
	CLI_INCLUDE(sealing_seal_opts, struct send_cfg, sealing),
	CLI_OPT_JSON(struct send_cfg, json,
		     "text (default) or json: with --probe, the summary\n"
		     "and events as JSON lines on stdout"),
	CLI_OPT_QUIET(struct send_cfg, quiet,
		      "no start and end lines on stderr"),
	{ 0 }
};

const struct cli_spec send_spec = {
	.head = "usage: mcast send [OPTIONS] GROUP:PORT ... [MESSAGE]\n\n"
		"Send MESSAGE (default \"Hello World\"), a file, or lines to each group.\n"
		"A GROUP may be a range: 239.1.0.1-239.1.8.0:5000, [ff15::1-ff15::200]:5000.\n"
		"With --probe each group is a session of its own; --rate is the total.\n\n",
	.opts = send_opts,
};

/* Probe options only make sense together; sizes must hold the header. */
static void check_probe_args(struct send_cfg *c)
{
	bool paced = c->rate > 0 || c->bitrate > 0;
	bool sealed = c->sealing.key_file != NULL;
	size_t envelope = MCAST_WIRE_HDR_LEN + (sealed ? MCAST_TAG_LEN : 0);
	const char *seal_words = sealed ? " and tag" : "";

	if (!c->probe) {
		if (paced || c->burst > 1 || c->duration > 0 ||
		    (c->opts.flags & MCAST_OPT_GSO))
			cli_die(EXIT_USAGE,
				"--rate, --bitrate, --burst, --duration and --gso need --probe");
		return;
	}
	if (c->file)
		cli_die(EXIT_USAGE,
			"--probe sends probes, not a --file; use one");
	if (c->rate > 0 && c->bitrate > 0)
		cli_die(EXIT_USAGE, "give --rate or --bitrate, not both");
	if (!c->size_set) {
		size_t want =
			envelope + (c->message_given ? strlen(c->message) : 0);
		c->size = want > 64 ? (long long)want : 64;
	}
	if (c->size < (long long)envelope)
		cli_die(EXIT_USAGE,
			"--size %lld is too small for the %zu-byte probe header%s; use --size %zu or more",
			c->size, envelope, seal_words, envelope);
	if (c->message_given && strlen(c->message) > (size_t)c->size - envelope)
		cli_die(EXIT_USAGE,
			"MESSAGE (%zu bytes) does not fit in a --size %lld probe after its %zu-byte header%s",
			strlen(c->message), c->size, envelope, seal_words);
	if (c->bitrate > 0)
		c->rate = c->bitrate / (8.0 * (double)c->size);
	else if (c->rate == 0)
		c->rate = c->interval > 0 ? 1.0 / c->interval : INFINITY;
}

/* IPv4's smaller datagrams bound every size when any group is IPv4. */
static bool any_v4(const struct send_cfg *c)
{
	for (size_t i = 0; i < c->groups.n; i++)
		if (c->groups.addr[i].ss_family == AF_INET)
			return true;
	return false;
}

/* A framed datagram carries a header (and sealed, a tag) besides data. */
static void check_framed_sizes(const struct send_cfg *c)
{
	bool sealed = c->sealing.key_file != NULL;
	int extra = MCAST_WIRE_HDR_LEN + (sealed ? MCAST_TAG_LEN : 0);
	const char *what =
		sealed ? "header and tag of a sealed" : "header of a framed";

	if (!c->framed || c->probe)
		return;
	if (c->file && c->size <= extra)
		cli_die(EXIT_USAGE,
			"--size %lld leaves no room for data after the %d-byte %s datagram; use --size %d or more",
			c->size, extra, what, extra + 1);
	if (!c->file &&
	    strlen(c->message) + (size_t)extra >
		    (size_t)(any_v4(c) ? CLI_UDP_MAX_V4 : CLI_UDP_MAX_V6))
		cli_die(EXIT_USAGE,
			"MESSAGE is too long for one %s datagram (%d bytes of %s go with it)",
			sealed ? "sealed" : "framed", extra,
			sealed ? "header and tag" : "header");
}

static void parse_args(int argc, char **argv, struct send_cfg *c)
{
	struct cli_parsed p;
	int next;

	mcast_opts_init(&c->opts);
	sealing_cfg_init(&c->sealing);
	c->count = -1;
	c->interval = 1.0;
	c->size = 1400;
	c->message = "Hello World";
	c->burst = 1;
	next = cli_parse(argc, argv, &send_spec, c, &p);
	c->interval_set = cli_given(&p, "interval");
	c->size_set = cli_given(&p, "size");
	if (next >= argc)
		cli_die(EXIT_USAGE,
			"missing GROUP:PORT; see mcast send --help");
	groups_parse(&c->groups, argv[next++], false);
	/* More groups, then the MESSAGE: the first argument that is no
	 * group (a message that reads as one goes in with --file -). */
	while (next < argc && !c->message_given) {
		if (groups_parse(&c->groups, argv[next], true))
			next++;
		else {
			c->message = argv[next++];
			c->message_given = true;
		}
	}
	if (next < argc)
		cli_die(EXIT_USAGE,
			"unexpected argument '%s'; the groups come before the MESSAGE, and a MESSAGE with spaces needs quotes",
			argv[next]);
	check_probe_args(c);
	if (c->size_set && !c->file && !c->probe)
		cli_die(EXIT_USAGE,
			"--size applies to --file and --probe; a MESSAGE is sent as it is");
	if (c->lines && !c->file)
		cli_die(EXIT_USAGE, "--lines needs --file FILE (or --file -)");
	if (c->json && !c->probe)
		cli_die(EXIT_USAGE,
			"--format json is for the --probe summary; add --probe");
	if (c->file && c->message_given)
		cli_die(EXIT_USAGE, "give either MESSAGE or --file, not both");
	cli_check_udp_size(c->size, any_v4(c));
	if (c->file && !c->interval_set)
		c->interval = 0.001;
	if (c->framed && c->probe)
		cli_die(EXIT_USAGE,
			"--framed frames messages and files; probes are framed already");
	/* A seal needs the envelope: sealed streams are framed streams. */
	if (c->sealing.key_file)
		c->framed = true;
	check_framed_sizes(c);
	for (size_t i = 0; i < c->groups.n; i++) {
		char g[MCAST_ADDRSTRLEN];

		cli_check_scope(&c->groups.addr[i],
				cli_addr(&c->groups.addr[i], g, sizeof(g)),
				c->opts.iface);
	}
}

/* Fill buf with up to cap bytes: a short count means end of input. */
static ssize_t read_chunk(int fd, char *buf, size_t cap)
{
	size_t got = 0;

	while (got < cap) {
		ssize_t n = read(fd, buf + got, cap - got);

		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EINTR && !cli_stop)
				continue;
			return got ? (ssize_t)got : -errno;
		}
		got += (size_t)n;
	}
	return (ssize_t)got;
}

struct sender_state {
	mcast_t **ms; /* one per group of c->groups */
	struct send_cfg *c;
	long long rounds, sent, bytes; /* a round: a datagram to each group */
	double next;
	/* framed: each datagram's payload goes into an envelope */
	struct sealing *t;
	struct mcast_hdr hdr;
	uint64_t t0;	       /* CLOCK_MONOTONIC ns when the session began */
	unsigned char *env;    /* the envelope, unsealed */
	unsigned char *sealed; /* it sealed for one group */
	struct mcast_bind *binds; /* sealed: each group's */
	size_t env_cap;
};

/* The data each datagram carries: --size less what framing adds. */
static size_t data_room(const struct sender_state *s)
{
	return (size_t)s->c->size - sealing_overhead(s->t) -
	       (s->c->framed ? MCAST_WIRE_HDR_LEN : 0);
}

/* Framed sends wrap each payload in a data envelope of the session. */
static size_t envelope(struct sender_state *s, const void *buf, size_t len)
{
	s->hdr.send_ns = cli_realtime_ns();
	s->hdr.elapsed_ns = cli_monotonic_ns() - s->t0;
	s->hdr.payload_len = (uint16_t)len;
	mcast_hdr_encode(&s->hdr, s->env, s->env_cap);
	memcpy(s->env + MCAST_WIRE_HDR_LEN, buf, len);
	len += MCAST_WIRE_HDR_LEN;
	s->hdr.seq++;
	return len;
}

/* The datagram for group i: the envelope, sealed for that group when
 * sealing (each group its own binding, hence its own key). */
static struct mcast_dgram for_group(struct sender_state *s,
				    const struct mcast_dgram *d, size_t i)
{
	struct mcast_dgram g = *d;

	if (!s->c->framed || !sealing_on(s->t))
		return g;
	memcpy(s->sealed, d->buf, d->len);
	g.buf = s->sealed;
	g.len = sealing_seal(s->t, &s->binds[i], s->sealed, d->len, s->env_cap);
	return g;
}

/* A session of data envelopes; the buffer holds the largest. */
static void start_session(struct sender_state *s)
{
	struct mcast_info info;
	int rc;

	mcast_info_init(&info);
	mcast_get_info(s->ms[0], &info);
	s->hdr = (struct mcast_hdr){ .type = MCAST_MSG_DATA,
				     .ttl = (uint8_t)info.ttl };
	s->t0 = cli_monotonic_ns();
	if ((rc = mcast_session_new(s->hdr.session)) < 0)
		cli_die(EXIT_RUNTIME, "cannot make a session id: %s",
			mcast_strerror(rc));
	s->env_cap = (s->c->file ? data_room(s) : strlen(s->c->message)) +
		     MCAST_WIRE_HDR_LEN + MCAST_TAG_LEN;
	s->env = malloc(s->env_cap);
	s->sealed = malloc(s->env_cap);
	s->binds = calloc(s->c->groups.n, sizeof(*s->binds));
	if (!s->env || !s->sealed || !s->binds)
		cli_die(EXIT_RUNTIME, "out of memory");
	for (size_t i = 0; sealing_on(s->t) && i < s->c->groups.n; i++)
		sealing_bind(&s->binds[i], &s->c->groups.addr[i]);
}

/* Send one datagram on schedule; returns false when the run must end. */
static bool send_one(struct sender_state *s, const void *buf, size_t len)
{
	int rc;

	if (s->rounds > 0 && s->c->interval > 0) {
		s->next += s->c->interval;
		cli_sleep_until(s->next);
	}
	if (cli_stop)
		return false;
	sealing_tick(s->t, cli_now());
	struct mcast_dgram d = { .buf = (void *)buf, .len = len };

	if (s->c->framed) {
		d.len = envelope(s, buf, len);
		d.buf = s->env;
	}

	/* One session for every group; sealed, each its own stream. */
	for (size_t i = 0; i < s->c->groups.n; i++) {
		struct mcast_dgram out = for_group(s, &d, i);

		rc = send_resilient(s->ms[i], &out, 1);
		if (rc == 0)
			return false; /* interrupted while the interface was away */
		if (rc < 0) {
			char g[MCAST_ADDRSTRLEN], what[MCAST_ADDRSTRLEN + 16];

			snprintf(what, sizeof(what), "send to %s",
				 cli_addr(&s->c->groups.addr[i], g, sizeof(g)));
			cli_fail_call(EXIT_RUNTIME, s->ms[i], rc, what);
		}
		s->sent++;
		s->bytes += (long long)len;
	}
	s->rounds++;
	return s->c->count < 0 || s->rounds < s->c->count;
}

/*
 * Lines are read into a buffer of one datagram's data and its newline, no
 * more: a line that does not fit is found at that size, however long it
 * is (/dev/zero has no newline at all).  The bytes after a line stay in
 * the buffer for the next.
 */
struct line_reader {
	int fd;
	char *buf;
	size_t cap, start, end;
	bool eof;
	int err; /* errno of a failed read */
};

enum { LINE_END = -1, LINE_TOO_LONG = -2, LINE_ERROR = -3 };

/* The next line's length and *text, or LINE_END at the end of input or on
 * a signal, LINE_TOO_LONG, or LINE_ERROR when a read fails. */
static ssize_t next_line(struct line_reader *r, const char **text)
{
	for (;;) {
		char *nl = memchr(r->buf + r->start, '\n', r->end - r->start);
		size_t len = nl ? (size_t)(nl - (r->buf + r->start))
				: r->end - r->start;

		if (nl || (r->eof && len > 0)) {
			*text = r->buf + r->start;
			r->start += len + (nl ? 1 : 0);
			return len < r->cap ? (ssize_t)len : LINE_TOO_LONG;
		}
		if (r->eof)
			return LINE_END;
		if (len == r->cap)
			return LINE_TOO_LONG;
		memmove(r->buf, r->buf + r->start, len);
		r->start = 0;
		r->end = len;

		ssize_t n = read(r->fd, r->buf + r->end, r->cap - r->end);

		if (n < 0 && errno == EINTR && !cli_stop)
			continue;
		if (n < 0) {
			r->err = errno;
			return cli_stop ? LINE_END : LINE_ERROR;
		}
		r->end += (size_t)n;
		r->eof = n == 0;
	}
}

static void send_lines(struct sender_state *s, int fd)
{
	size_t room = data_room(s);
	struct line_reader r = { .fd = fd, .cap = room + 1 };
	long long lineno = 0;
	const char *text;
	ssize_t n;

	if (!(r.buf = malloc(r.cap)))
		cli_die(EXIT_RUNTIME, "out of memory");
	while (!cli_stop && (n = next_line(&r, &text)) >= 0) {
		lineno++;
		if (!send_one(s, text, (size_t)n))
			break;
	}
	free(r.buf);
	if (n == LINE_TOO_LONG)
		cli_die(EXIT_RUNTIME,
			"line %lld is longer than the %zu bytes a%s --size %lld datagram carries; raise --size (at most %d) or split the line",
			lineno + 1, room,
			sealing_on(s->t) ? " sealed"
			: s->c->framed	 ? " framed"
					 : "",
			s->c->size,
			any_v4(s->c) ? CLI_UDP_MAX_V4 : CLI_UDP_MAX_V6);
	if (n == LINE_ERROR)
		cli_die(EXIT_RUNTIME, "reading %s: %s", s->c->file,
			strerror(r.err));
}

static void send_file(struct sender_state *s, int fd)
{
	size_t room = data_room(s);
	char *buf = malloc(room);
	ssize_t n;

	if (!buf)
		cli_die(EXIT_RUNTIME, "out of memory");
	while (!cli_stop && (n = read_chunk(fd, buf, room)) > 0) {
		if (!send_one(s, buf, (size_t)n) || (size_t)n < room)
			break;
	}
	free(buf);
	if (n < 0 && !cli_stop)
		cli_die(EXIT_RUNTIME, "reading %s: %s", s->c->file,
			strerror((int)-n));
}

/* Bad input is found before anything is sent: a directory opens for
 * reading and fails only at the first read(). */
static int open_input(const char *file)
{
	struct stat st;
	int fd = STDIN_FILENO;

	if (strcmp(file, "-") != 0)
		fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		cli_die(EXIT_USAGE, "cannot open %s: %s", file,
			strerror(errno));
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode))
		cli_die(EXIT_USAGE,
			"cannot send %s: it is a directory; give a file, or - for standard input",
			file);
	return fd;
}

static void announce(mcast_t *m, const struct send_cfg *c,
		     const struct sealing *t, size_t largest)
{
	struct mcast_info info;
	char g[MCAST_ADDRSTRLEN], l[MCAST_ADDRSTRLEN], how[96], more[48] = "";
	int overhead = c->groups.addr[0].ss_family == AF_INET ? 28 : 48;

	mcast_info_init(&info);
	mcast_get_info(m, &info);
	if (c->groups.n > 1)
		snprintf(more, sizeof(more), " and %zu more group%s",
			 c->groups.n - 1, c->groups.n == 2 ? "" : "s");
	if (!c->quiet)
		cli_info("sending to %s%s from %s on %s ttl %d%s",
			 cli_addr(&c->groups.addr[0], g, sizeof(g)), more,
			 cli_addr(&info.local, l, sizeof(l)),
			 info.iface.index ? info.iface.name : "(route)",
			 info.ttl, sealing_describe(t, how, sizeof(how)));
	if (info.warnings & MCAST_WARN_UNSPEC_SOURCE)
		cli_warn(
			"the interface has no usable IPv4 address, so datagrams leave from 0.0.0.0 and most receivers drop them; use --bind ADDR");
	if (info.iface.mtu > overhead &&
	    largest > (size_t)(info.iface.mtu - overhead))
		cli_warn(
			"%zu-byte datagrams exceed the MTU of %s (%d, so at most %d bytes of payload) and will be fragmented",
			largest, info.iface.name, info.iface.mtu,
			info.iface.mtu - overhead);
	if (info.warnings & MCAST_WARN_SNDBUF_CLAMPED)
		cli_warn("send buffer clamped to %d bytes by net.core.wmem_max",
			 info.sndbuf_effective);
}

/* One sender per group: enough descriptors for them all, as far as the
 * hard limit allows (the soft limit is often 1024). */
static void room_for_senders(size_t n)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < n + 64 &&
	    rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = n + 64 < rl.rlim_max ? n + 64 : rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static mcast_t **open_senders(struct send_cfg *c)
{
	mcast_t **ms = calloc(c->groups.n, sizeof(*ms));
	char step[MCAST_ERRMSG_MAX] = "";

	if (!ms)
		cli_die(EXIT_RUNTIME, "out of memory");
	room_for_senders(c->groups.n);
	c->opts.errbuf = step;
	c->opts.errlen = sizeof(step);
	for (size_t i = 0; i < c->groups.n; i++) {
		const struct sockaddr_storage *ga = &c->groups.addr[i];
		int rc = mcast_sender_open(&ms[i], (const struct sockaddr *)ga,
					   &c->opts);

		if (rc < 0) {
			char g[MCAST_ADDRSTRLEN], what[MCAST_ADDRSTRLEN + 32];
			int status = rc == MCAST_ENOIFACE || rc == MCAST_EFAMILY
					     ? EXIT_USAGE
					     : EXIT_RUNTIME;

			snprintf(what, sizeof(what), "cannot send to %s",
				 cli_addr(ga, g, sizeof(g)));
			cli_fail_step(status, step, rc, what);
		}
	}
	c->opts.errbuf = NULL;
	c->opts.errlen = 0;
	return ms;
}

static void close_senders(mcast_t **ms, size_t n)
{
	for (size_t i = 0; i < n; i++)
		mcast_close(ms[i]);
	free(ms);
}

int cmd_send(int argc, char **argv)
{
	struct send_cfg c = { 0 };
	struct sender_state s = { 0 };
	struct sealing sealing;
	int fd = -1, rc;

	parse_args(argc, argv, &c);
	sealing_start(&sealing, &c.sealing, SEALING_SEAL);
	if (c.file)
		fd = open_input(c.file);
	s.ms = open_senders(&c);
	cli_signals();
	announce(s.ms[0], &c, &sealing,
		 c.file || c.probe
			 ? (size_t)c.size
			 : strlen(c.message) + sealing_overhead(&sealing) +
				   (c.framed ? MCAST_WIRE_HDR_LEN : 0));
	if (c.probe) {
		events_json = c.json;
		rc = send_probes(s.ms, c.groups.n, &c, &sealing);
		close_senders(s.ms, c.groups.n);
		sealing_stop(&sealing);
		groups_free(&c.groups);
		return rc;
	}
	s.c = &c;
	s.next = cli_now();
	s.t = &sealing;
	if (c.framed)
		start_session(&s);
	if (c.file && c.lines) {
		send_lines(&s, fd);
		close(fd);
	} else if (c.file) {
		send_file(&s, fd);
		close(fd);
	} else {
		while (send_one(&s, c.message, strlen(c.message)))
			;
	}
	/* After an interrupt too: what was sent is complete as it is. */
	/* A framed send that fails ends the run, so nothing is not_sent. */
	struct mcast_end end = { .total = s.hdr.seq };

	if (c.framed)
		for (unsigned r = 0; r < END_REPEATS; r++) {
			if (r)
				cli_sleep_until(cli_now() + END_GAP);
			for (size_t i = 0; i < c.groups.n; i++)
				send_end_marker(s.ms[i], s.t, &s.hdr, &end,
						s.t0, r);
		}
	if (!c.quiet)
		cli_info("sent %lld datagram%s (%lld bytes)%s", s.sent,
			 s.sent == 1 ? "" : "s", s.bytes,
			 c.framed ? " and the end-of-stream markers" : "");
	close_senders(s.ms, c.groups.n);
	free(s.env);
	free(s.sealed);
	free(s.binds);
	sealing_stop(&sealing);
	groups_free(&c.groups);
	return EXIT_OK;
}
