/* SPDX-License-Identifier: MIT */
/* mcast send: the tutorial's server, with interface, TTL, files and lines. */
#include "events.h"
#include "send.h"

#include <math.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Largest UDP payload: 65535 minus the IP and UDP headers (IPv6 has no
 * header in its payload length, hence the larger figure). */
#define MAX_PAYLOAD_V4 65507
#define MAX_PAYLOAD_V6 65527

void usage_send(FILE *out)
{
	fprintf(out,
		"usage: mcast send [OPTIONS] GROUP:PORT [MESSAGE]\n\n"
		"Send MESSAGE (default \"Hello World\"), a file, or lines to a group.\n\n"
		"  -i, --iface IF         interface by name, index or address\n"
		"  -t, --ttl N            TTL / hop limit, 0-255 (default 1)\n"
		"  -l, --loop             loop datagrams back to local receivers\n"
		"      --no-loop          do not loop them back\n"
		"  -b, --bind ADDR[:PORT] source address and/or port (e.g. :1501)\n"
		"  -c, --count N          datagrams to send (default: until interrupted,\n"
		"                         or the end of --file)\n"
		"  -d, --interval SECONDS pause between datagrams (default 1; 0.001 with --file)\n"
		"  -f, --file FILE|-      send FILE or standard input in datagrams of --size\n"
		"  -s, --size BYTES       UDP payload per datagram: with --file (default 1400)\n"
		"                         or --probe (default 64, header included)\n"
		"      --lines            with --file: one datagram per line, newline removed\n"
		"  -p, --probe            send sequence-numbered probes (see mcast recv --stats)\n"
		"  -r, --rate PPS|max     probes per second, paced from a monotonic clock\n"
		"  -B, --bitrate BITS     rate as UDP payload bits/s (e.g. 10M, 1.5G)\n"
		"      --burst N          datagrams sent back to back per pacing step (default 1)\n"
		"  -D, --duration SECONDS stop after this long\n"
		"      --gso              hand each burst to the kernel as one segmented\n"
		"                         buffer (UDP_SEGMENT); falls back where refused\n"
		"  -k, --key FILE         seal every datagram with the newest key of FILE\n"
		"                         (mcast keygen); 64 bytes of each go to the seal\n"
		"      --cipher NAME      aes-256-gcm (default) or chacha20-poly1305\n"
		"      --auth-only        authenticate without encrypting\n"
		"  -F, --format FMT       text (default) or json: with --probe, the summary\n"
		"                         and events as JSON lines on stdout\n"
		"  -q, --quiet            no start and end lines on stderr\n"
		"  -h, --help             this help\n");
}

/* Probe options only make sense together; sizes must hold the header. */
static void check_probe_args(struct send_cfg *c)
{
	bool paced = c->rate > 0 || c->bitrate > 0;
	bool sealed = c->trust.key_file != NULL;
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

static void parse_args(int argc, char **argv, struct send_cfg *c)
{
	enum { OPT_NO_LOOP = 256, OPT_LINES, OPT_BURST, OPT_GSO };
	static const struct option longopts[] = {
		{ "iface", required_argument, NULL, 'i' },
		{ "ttl", required_argument, NULL, 't' },
		{ "loop", no_argument, NULL, 'l' },
		{ "no-loop", no_argument, NULL, OPT_NO_LOOP },
		{ "bind", required_argument, NULL, 'b' },
		{ "count", required_argument, NULL, 'c' },
		{ "interval", required_argument, NULL, 'd' },
		{ "file", required_argument, NULL, 'f' },
		{ "size", required_argument, NULL, 's' },
		{ "lines", no_argument, NULL, OPT_LINES },
		{ "probe", no_argument, NULL, 'p' },
		{ "rate", required_argument, NULL, 'r' },
		{ "bitrate", required_argument, NULL, 'B' },
		{ "burst", required_argument, NULL, OPT_BURST },
		{ "gso", no_argument, NULL, OPT_GSO },
		{ "duration", required_argument, NULL, 'D' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "format", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		TRUST_KEY_OPTION,
		TRUST_SEAL_OPTIONS,
		{ 0 }
	};
	int o;

	mcast_opts_init(&c->opts);
	trust_cfg_init(&c->trust);
	c->count = -1;
	c->interval = 1.0;
	c->size = 1400;
	c->message = "Hello World";
	c->burst = 1;
	struct cli_once once = { .longopts = longopts, .repeatable = NULL };

	opterr = 0;
	while ((o = getopt_long(argc, argv, "i:t:lb:c:d:f:s:pr:B:D:qF:k:h",
				longopts, NULL)) != -1) {
		cli_once(&once, o);
		if (trust_parse_opt(&c->trust, o, optarg))
			continue;
		switch (o) {
		case 'i':
			c->opts.iface = optarg;
			break;
		case 't':
			c->opts.ttl =
				(int)cli_parse_int("--ttl", optarg, 0, 255);
			break;
		case 'l':
			c->opts.loop = 1;
			break;
		case OPT_NO_LOOP:
			c->opts.loop = 0;
			break;
		case 'b':
			cli_parse_bind(optarg, &c->opts.bind);
			break;
		case 'c':
			c->count =
				cli_parse_int("--count", optarg, 1, INT64_MAX);
			break;
		case 'd':
			c->interval = cli_parse_seconds("--interval", optarg, 0,
							86400);
			c->interval_set = true;
			break;
		case 'f':
			c->file = optarg;
			break;
		case 's':
			c->size = cli_parse_int("--size", optarg, 1,
						MAX_PAYLOAD_V6);
			c->size_set = true;
			break;
		case OPT_LINES:
			c->lines = true;
			break;
		case 'p':
			c->probe = true;
			break;
		case 'r':
			c->rate = strcmp(optarg, "max") == 0
					  ? INFINITY
					  : cli_parse_rate("--rate", optarg,
							   0.001, 1e9, 1000);
			break;
		case 'B':
			c->bitrate = cli_parse_rate("--bitrate", optarg, 1,
						    1e12, 1000);
			break;
		case OPT_GSO:
			c->opts.flags |= MCAST_OPT_GSO;
			break;
		case OPT_BURST:
			c->burst = cli_parse_int("--burst", optarg, 1, 1024);
			break;
		case 'D':
			c->duration = cli_parse_seconds("--duration", optarg,
							0.001, 1e7);
			break;
		case 'q':
			c->quiet = true;
			break;
		case 'F':
			if (strcmp(optarg, "json") == 0)
				c->json = true;
			else if (strcmp(optarg, "text") != 0)
				cli_bad_value("--format", optarg,
					      "text or json");
			break;
		case 'h':
			usage_send(stdout);
			exit(EXIT_OK);
		default:
			cli_bad_option(optopt, argv[optind - 1]);
		}
	}
	if (optind >= argc)
		cli_die(EXIT_USAGE,
			"missing GROUP:PORT; see mcast send --help");
	c->group_text = argv[optind];
	cli_parse_group(argv[optind++], &c->group);
	if (optind < argc) {
		c->message = argv[optind++];
		c->message_given = true;
	}
	if (optind < argc)
		cli_die(EXIT_USAGE,
			"unexpected argument '%s'; quote a MESSAGE with spaces",
			argv[optind]);
	trust_cfg_check(&c->trust);
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
	if (c->group.ss_family == AF_INET && c->size > MAX_PAYLOAD_V4)
		cli_die(EXIT_USAGE,
			"--size %lld is too large for an IPv4 group: a UDP datagram carries at most %d bytes (65535 less the 20-byte IP and 8-byte UDP headers); use --size %d or less",
			c->size, MAX_PAYLOAD_V4, MAX_PAYLOAD_V4);
	if (c->file && !c->interval_set)
		c->interval = 0.001;
	if (c->trust.key_file && c->file &&
	    c->size <= MCAST_WIRE_HDR_LEN + MCAST_TAG_LEN)
		cli_die(EXIT_USAGE,
			"--size %lld leaves no room for data after the %d-byte header and %d-byte tag of a sealed datagram; use --size %d or more",
			c->size, MCAST_WIRE_HDR_LEN, MCAST_TAG_LEN,
			MCAST_WIRE_HDR_LEN + MCAST_TAG_LEN + 1);
	if (c->trust.key_file && !c->file && !c->probe &&
	    strlen(c->message) + MCAST_WIRE_HDR_LEN + MCAST_TAG_LEN >
		    (size_t)(c->group.ss_family == AF_INET ? MAX_PAYLOAD_V4
							   : MAX_PAYLOAD_V6))
		cli_die(EXIT_USAGE,
			"MESSAGE is too long for one sealed datagram (%d bytes of header and tag go with it)",
			MCAST_WIRE_HDR_LEN + MCAST_TAG_LEN);
	cli_check_scope(&c->group, c->group_text, c->opts.iface);
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
	mcast_t *m;
	struct send_cfg *c;
	long long sent, bytes;
	double next;
	/* sealed: each datagram's payload goes into an envelope */
	struct trust *t;
	struct mcast_hdr hdr;
	unsigned char *env;
	size_t env_cap;
};

/* The data each datagram carries: --size less what a seal adds. */
static size_t data_room(const struct sender_state *s)
{
	return (size_t)s->c->size - trust_overhead(s->t) -
	       (trust_on(s->t) ? MCAST_WIRE_HDR_LEN : 0);
}

/* Sealed sends wrap each payload in a data envelope of the session. */
static size_t envelope(struct sender_state *s, const void *buf, size_t len)
{
	s->hdr.send_ns = cli_realtime_ns();
	s->hdr.payload_len = (uint16_t)len;
	mcast_hdr_encode(&s->hdr, s->env, s->env_cap);
	memcpy(s->env + MCAST_WIRE_HDR_LEN, buf, len);
	len = trust_seal(s->t, s->env, MCAST_WIRE_HDR_LEN + len, s->env_cap);
	s->hdr.seq++;
	return len;
}

/* A session of data envelopes; the buffer holds the largest. */
static void start_session(struct sender_state *s)
{
	struct mcast_info info = { .size = sizeof(info) };
	int rc;

	mcast_get_info(s->m, &info);
	s->hdr = (struct mcast_hdr){ .type = MCAST_MSG_DATA,
				     .ttl = (uint8_t)info.ttl };
	if ((rc = mcast_session_new(s->hdr.session)) < 0)
		cli_die(EXIT_RUNTIME, "cannot make a session id: %s",
			mcast_strerror(rc));
	s->env_cap = (s->c->file ? data_room(s) : strlen(s->c->message)) +
		     MCAST_WIRE_HDR_LEN + MCAST_TAG_LEN;
	if (!(s->env = malloc(s->env_cap)))
		cli_die(EXIT_RUNTIME, "out of memory");
}

/* Send one datagram on schedule; returns false when the run must end. */
static bool send_one(struct sender_state *s, const void *buf, size_t len)
{
	int rc;

	if (s->sent > 0 && s->c->interval > 0) {
		s->next += s->c->interval;
		cli_sleep_until(s->next);
	}
	if (cli_stop)
		return false;
	trust_tick(s->t, cli_now());
	struct mcast_dgram d = { .buf = (void *)buf, .len = len };

	if (trust_on(s->t)) {
		d.len = envelope(s, buf, len);
		d.buf = s->env;
	}

	rc = send_resilient(s->m, &d, 1);
	if (rc == 0)
		return false; /* interrupted while the interface was away */
	if (rc < 0) {
		char g[MCAST_ADDRSTRLEN], what[MCAST_ADDRSTRLEN + 16];

		snprintf(what, sizeof(what), "send to %s",
			 cli_addr(&s->c->group, g, sizeof(g)));
		cli_fail_call(EXIT_RUNTIME, s->m, rc, what);
	}
	s->sent++;
	s->bytes += (long long)len;
	return s->c->count < 0 || s->sent < s->c->count;
}

static void send_lines(struct sender_state *s, FILE *in)
{
	char *line = NULL;
	size_t cap = 0;
	long long lineno = 0;
	ssize_t n;

	while (!cli_stop && (n = getline(&line, &cap, in)) >= 0) {
		lineno++;
		if (n > 0 && line[n - 1] == '\n')
			n--;
		if ((size_t)n > data_room(s)) {
			free(line);
			if (trust_on(s->t))
				cli_die(EXIT_USAGE,
					"line %lld is longer than a sealed --size %lld datagram carries (%zd > %zu bytes)",
					lineno, s->c->size, n, data_room(s));
			cli_die(EXIT_USAGE,
				"line %lld is longer than --size (%zd > %zu bytes)",
				lineno, n, data_room(s));
		}
		if (!send_one(s, line, (size_t)n))
			break;
	}
	free(line);
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
		     const struct trust *t, size_t largest)
{
	struct mcast_info info = { .size = sizeof(info) };
	char g[MCAST_ADDRSTRLEN], l[MCAST_ADDRSTRLEN], how[96];
	int overhead = c->group.ss_family == AF_INET ? 28 : 48;

	mcast_get_info(m, &info);
	if (!c->quiet)
		cli_info("sending to %s from %s on %s ttl %d%s",
			 cli_addr(&c->group, g, sizeof(g)),
			 cli_addr(&info.local, l, sizeof(l)),
			 info.iface.index ? info.iface.name : "(route)",
			 info.ttl, trust_describe(t, how, sizeof(how)));
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

int cmd_send(int argc, char **argv)
{
	struct send_cfg c = { 0 };
	struct sender_state s = { 0 };
	struct trust trust;
	int fd = -1, rc;

	parse_args(argc, argv, &c);
	trust_start(&trust, &c.trust, TRUST_SEAL);
	if (c.file)
		fd = open_input(c.file);
	char step[MCAST_ERRMSG_MAX] = "";

	c.opts.errbuf = step;
	c.opts.errlen = sizeof(step);
	rc = mcast_sender_open(&s.m, (struct sockaddr *)&c.group, &c.opts);
	if (rc < 0) {
		char g[MCAST_ADDRSTRLEN], what[MCAST_ADDRSTRLEN + 32];
		int status = rc == MCAST_ENOIFACE || rc == MCAST_EFAMILY
				     ? EXIT_USAGE
				     : EXIT_RUNTIME;

		snprintf(what, sizeof(what), "cannot send to %s",
			 cli_addr(&c.group, g, sizeof(g)));
		cli_fail_step(status, step, rc, what);
	}
	cli_signals();
	announce(s.m, &c, &trust,
		 c.file || c.probe
			 ? (size_t)c.size
			 : strlen(c.message) + trust_overhead(&trust) +
				   (trust_on(&trust) ? MCAST_WIRE_HDR_LEN : 0));
	if (c.probe) {
		events_json = c.json;
		rc = send_probes(s.m, &c, &trust);
		mcast_close(s.m);
		trust_stop(&trust);
		return rc;
	}
	s.c = &c;
	s.next = cli_now();
	s.t = &trust;
	if (trust_on(&trust))
		start_session(&s);
	if (c.file && c.lines) {
		FILE *in = fdopen(fd, "r");

		if (!in)
			cli_die(EXIT_RUNTIME, "cannot read %s", c.file);
		send_lines(&s, in);
		fclose(in);
	} else if (c.file) {
		send_file(&s, fd);
		close(fd);
	} else {
		while (send_one(&s, c.message, strlen(c.message)))
			;
	}
	if (!c.quiet)
		cli_info("sent %lld datagram%s (%lld bytes)", s.sent,
			 s.sent == 1 ? "" : "s", s.bytes);
	mcast_close(s.m);
	free(s.env);
	trust_stop(&trust);
	return EXIT_OK;
}
