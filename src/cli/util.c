/* SPDX-License-Identifier: MIT */
/* Messages, number and address parsing, signals and clocks for the CLI. */
#include "cli.h"
#include "format.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

const char *cli_prog = "mcast";
volatile sig_atomic_t cli_stop;

/*
 * Every message is one line on a terminal, and its arguments come from
 * outside: interface names (any bytes but '/', ':' and white space), file
 * names, the command line.  So the line is written as fmt_text_safe()
 * makes it, with nothing a terminal would interpret.
 */
static void vline(const char *prefix, const char *fmt, va_list ap)
{
	char raw[2048], safe[4 * sizeof(raw)];
	int n = vsnprintf(raw, sizeof(raw), fmt, ap);

	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(raw))
		n = sizeof(raw) - 1;
	fmt_text_safe(safe, sizeof(safe), raw, (size_t)n);
	fprintf(stderr, "%s%s\n", prefix, safe);
}

static void vmsg(const char *tag, const char *fmt, va_list ap)
{
	char prefix[64];

	snprintf(prefix, sizeof(prefix), "%s: %s", cli_prog, tag);
	vline(prefix, fmt, ap);
}

void cli_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("warning: ", fmt, ap);
	va_end(ap);
}

void cli_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline("", fmt, ap);
	va_end(ap);
}

void cli_die(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
	exit(status);
}

void cli_bad_value(const char *opt, const char *value, const char *want)
{
	cli_die(EXIT_USAGE, "invalid value '%s' for %s: expected %s", value,
		opt, want);
}

/*
 * The man page promises decimal numbers: digits and, where fraction
 * allows, one decimal point (no option takes a negative value).  strtoll
 * and strtod take more (blanks, signs, hex, exponents, "inf"), which is
 * refused here.  n is the length of the number (a unit suffix may follow).
 */
static bool is_decimal(const char *s, size_t n, bool fraction)
{
	size_t digits = 0;
	bool point = false;

	for (size_t i = 0; i < n; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			digits++;
		else if (s[i] == '.' && fraction && !point)
			point = true;
		else
			return false;
	}
	return digits > 0;
}

const char *cli_num(double v, char *buf, size_t len)
{
	int n;

	if (v > -1e18 && v < 1e18 && v == (double)(long long)v) {
		snprintf(buf, len, "%.0f", v);
		return buf;
	}
	n = snprintf(buf, len, "%.6f", v);
	while (n > 1 && (size_t)n < len && buf[n - 1] == '0')
		buf[--n] = '\0';
	if (n > 1 && (size_t)n < len && buf[n - 1] == '.')
		buf[--n] = '\0';
	return buf;
}

long long cli_parse_int(const char *opt, const char *s, long long min,
			long long max)
{
	char want[96];
	char *end;
	long long v;

	snprintf(want, sizeof(want), "a whole number from %lld to %lld", min,
		 max);
	errno = 0;
	v = strtoll(s, &end, 10);
	if (!is_decimal(s, strlen(s), false) || *end || errno || v < min ||
	    v > max)
		cli_bad_value(opt, s, want);
	return v;
}

double cli_parse_seconds(const char *opt, const char *s, double min, double max)
{
	return cli_parse_real(opt, s, min, max, "seconds");
}

double cli_parse_real(const char *opt, const char *s, double min, double max,
		      const char *unit)
{
	char want[128], lo[32], hi[32];
	char *end;
	double v;

	snprintf(want, sizeof(want), "%s from %s to %s (decimal)", unit,
		 cli_num(min, lo, sizeof(lo)), cli_num(max, hi, sizeof(hi)));
	errno = 0;
	v = strtod(s, &end);
	if (!is_decimal(s, strlen(s), true) || *end || errno || !isfinite(v) ||
	    v < min || v > max)
		cli_bad_value(opt, s, want);
	return v;
}

/* The multiplier of a K/M/G suffix, 0 for anything else. */
static double suffix_mult(char c, double unit)
{
	switch (c) {
	case 'k':
	case 'K':
		return unit;
	case 'm':
	case 'M':
		return unit * unit;
	case 'g':
	case 'G':
		return unit * unit * unit;
	}
	return 0;
}

long long cli_parse_bytes(const char *opt, const char *s, long long min,
			  long long max)
{
	char want[96];
	char *end;
	long long v, mult = 1;
	size_t n = strlen(s);

	snprintf(want, sizeof(want),
		 "bytes from %lld to %lld (K, M, G allowed)", min, max);
	if (n > 1 && suffix_mult(s[n - 1], 1024) > 0)
		mult = (long long)suffix_mult(s[--n], 1024);
	errno = 0;
	v = strtoll(s, &end, 10);
	if (!is_decimal(s, n, false) || end != s + n || errno || v < 0 ||
	    v > max / mult || v * mult < min)
		cli_bad_value(opt, s, want);
	return v * mult;
}

double cli_parse_rate(const char *opt, const char *s, double min, double max,
		      double unit)
{
	char want[128], lo[32], hi[32];
	char *end;
	double v, mult = 1;
	size_t n = strlen(s);

	snprintf(want, sizeof(want),
		 "a decimal number from %s to %s (k, M, G allowed)",
		 cli_num(min, lo, sizeof(lo)), cli_num(max, hi, sizeof(hi)));
	if (n > 1 && suffix_mult(s[n - 1], unit) > 0)
		mult = suffix_mult(s[--n], unit);
	errno = 0;
	v = strtod(s, &end) * mult;
	if (!is_decimal(s, n, true) || end != s + n || errno || !isfinite(v) ||
	    v < min || v > max)
		cli_bad_value(opt, s, want);
	return v;
}

void cli_parse_group(const char *text, struct sockaddr_storage *out)
{
	int rc = mcast_addr_parse(text, MCAST_PARSE_GROUP | MCAST_PARSE_PORT,
				  out);

	if (rc >= 0)
		return;
	if (rc == MCAST_ENOTMCAST)
		cli_die(EXIT_USAGE,
			"%s is not a multicast group; use an address in 224.0.0.0/4 (IPv4) or ff00::/8 (IPv6)",
			text);
	if (rc == MCAST_ENOIFACE)
		cli_die(EXIT_USAGE,
			"unknown interface in '%s'; list interfaces with: ip link",
			text);
	cli_die(EXIT_USAGE,
		"'%s' is not GROUP:PORT with a port from 1 to 65535; e.g. 239.1.2.3:1600 or [ff15::1]:5000",
		text);
}

void cli_parse_bind(const char *text, struct sockaddr_storage *out)
{
	if (mcast_addr_parse(text,
			     MCAST_PARSE_UNICAST | MCAST_PARSE_ANY_OK |
				     MCAST_PARSE_PORT_OPT,
			     out) < 0)
		cli_bad_value(
			"--bind", text,
			"a local unicast ADDR, ADDR:PORT, [IPv6]:PORT or :PORT");
}

void cli_check_scope(const struct sockaddr_storage *group, const char *text,
		     const char *iface)
{
	const struct sockaddr *g = (const struct sockaddr *)group;

	if (mcast_addr_needs_iface(g) && !mcast_addr_scope(g) && !iface)
		cli_die(EXIT_USAGE,
			"%s has link-local scope and needs an interface; give --iface NAME or [GROUP%%NAME]:PORT",
			text);
}

void cli_check_udp_size(long long size, bool v4)
{
	if (v4 && size > CLI_UDP_MAX_V4)
		cli_die(EXIT_USAGE,
			"--size %lld is too large for an IPv4 group: a UDP datagram carries at most %d bytes (65535 less the 20-byte IP and 8-byte UDP headers); use --size %d or less",
			size, CLI_UDP_MAX_V4, CLI_UDP_MAX_V4);
}

void cli_parse_source(const char *opt, const char *text,
		      struct sockaddr_storage *out)
{
	int rc = mcast_addr_parse(text, MCAST_PARSE_UNICAST, out);

	if (rc == MCAST_ENOTSOURCE)
		cli_die(EXIT_USAGE,
			"%s %s: a source must be the unicast address of a sender, not a group, broadcast or wildcard address",
			opt, text);
	if (rc < 0)
		cli_bad_value(opt, text, "a unicast IPv4 or IPv6 address");
}

const char *cli_advice(int code)
{
	switch (code) {
	case -ENODEV:
		return "no multicast route for the group (`mcast doctor GROUP:PORT` shows why); try --iface NAME";
	case -ENETUNREACH:
	case -EHOSTUNREACH:
		return "no route to the group (`mcast doctor GROUP:PORT` shows why); try --iface NAME";
	case MCAST_ENOIFACE:
		return "list interfaces with: ip link";
	case MCAST_ENEEDIFACE:
		return "give one with --iface NAME or GROUP%NAME";
	case -EADDRINUSE:
		return "already joined, or the port is bound without SO_REUSEADDR";
	case -EADDRNOTAVAIL:
		return "the address is not on this host or the interface has no address of that family; check with: mcast doctor --iface NAME GROUP:PORT";
	case -ENOBUFS:
		return "too many memberships; see sysctl net.ipv4.igmp_max_memberships (`mcast doctor` shows the limits)";
	case -EPERM:
	case -EACCES:
		return "denied; check firewall rules and permissions";
	case -EMSGSIZE:
		return "the datagram is too large; lower --size";
	case -ENETDOWN:
	case MCAST_EIFDOWN:
		return "the interface is down; bring it up with: ip link set NAME up (then `mcast doctor` checks the rest)";
	case MCAST_EFAMILY:
		return "use addresses of one family (IPv4 or IPv6)";
	default:
		return NULL;
	}
}

void cli_fail_call(int status, mcast_t *m, int code, const char *what)
{
	cli_fail_step(status, mcast_errmsg(m), code, what);
}

void cli_fail_step(int status, const char *step, int code, const char *what)
{
	const char *advice = cli_advice(code);

	if (step && *step)
		cli_die(status, "%s: %s (%s)%s%s", what, mcast_strerror(code),
			step, advice ? "; " : "", advice ? advice : "");
	cli_die(status, "%s: %s%s%s", what, mcast_strerror(code),
		advice ? "; " : "", advice ? advice : "");
}

/*
 * An interface name may hold any byte but '/', ':' and white space - ESC
 * and quotes too - and the address goes into terminal lines and JSON
 * strings alike: a scope whose name is not plain is written as its index,
 * which names the interface as well ("fe80::1%3").
 */
const char *cli_addr(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	const struct sockaddr *sa = (const struct sockaddr *)ss;
	char a[MCAST_ADDRSTRLEN];

	if (mcast_addr_format(sa, MCAST_FMT_PORT | MCAST_FMT_SCOPE, buf, len) <
	    0)
		snprintf(buf, len, "?");
	else if (!fmt_plain(buf) && mcast_addr_format(sa, 0, a, sizeof(a)) >= 0)
		snprintf(buf, len, "[%s%%%u]:%u", a, mcast_addr_scope(sa),
			 mcast_addr_port(sa));
	return buf;
}

const char *cli_addr_only(const struct sockaddr_storage *ss, char *buf,
			  size_t len)
{
	if (mcast_addr_format((const struct sockaddr *)ss, 0, buf, len) < 0)
		snprintf(buf, len, "?");
	return buf;
}

void cli_grow(void *arrp, size_t *cap, size_t n, size_t elem)
{
	void **arr = arrp;
	size_t want = *cap ? 2 * *cap : 16;
	void *p;

	if (n < *cap)
		return;
	if (!(p = realloc(*arr, want * elem)))
		cli_die(EXIT_RUNTIME, "out of memory");
	*arr = p;
	*cap = want;
}

void cli_append(char *buf, size_t cap, size_t *used, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*used + 1 >= cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *used, cap - *used, fmt, ap);
	va_end(ap);
	if (n > 0)
		*used = *used + (size_t)n < cap ? *used + (size_t)n : cap - 1;
}

/* The read end becomes readable on the first SIGINT or SIGTERM and stays
 * so: a wait that polls it cannot miss a signal that lands just before
 * the wait begins, nor one that another thread took. */
static int stop_pipe[2] = { -1, -1 };

static void on_signal(int sig)
{
	int saved = errno;

	(void)sig;
	cli_stop = 1;
	if (stop_pipe[1] >= 0 && write(stop_pipe[1], "", 1) < 0) {
		/* full: it is readable already */
	}
	errno = saved;
}

void cli_signals(void)
{
	struct sigaction sa;

	if (stop_pipe[0] < 0 && pipe2(stop_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		stop_pipe[0] = stop_pipe[1] = -1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	/* No SA_RESTART: a blocked receive or sleep must return so we can
	 * leave; the library's receive waits return -EINTR. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int cli_stop_fd(void)
{
	return stop_pipe[0];
}

int cli_wait_ms(int ms)
{
	return ms < 0 || ms > CLI_STOP_CHECK_MS ? CLI_STOP_CHECK_MS : ms;
}

uint64_t cli_realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t cli_monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

double cli_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int cli_poll_ms(double seconds)
{
	double ms = seconds * 1000;
	int whole;

	if (!(ms > 0)) /* also NaN */
		return 0;
	if (ms >= (double)INT_MAX)
		return INT_MAX;
	whole = (int)ms;
	return whole < ms ? whole + 1 : whole; /* rounded up */
}

struct timespec cli_timespec(double seconds)
{
	struct timespec ts = { 0, 0 };

	if (!(seconds > 0))
		return ts;
	if (seconds > CLI_WAIT_MAX)
		seconds = CLI_WAIT_MAX;
	ts.tv_sec = (time_t)seconds;
	ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
	if (ts.tv_nsec >= 1000000000L) { /* rounding of the fraction */
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return ts;
}

void cli_sleep_until(double t)
{
	struct pollfd p = { .fd = stop_pipe[0], .events = POLLIN };

	/* Polling the stop pipe, not clock_nanosleep(): a signal taken by
	 * another thread, or one that came just before the sleep, ends it. */
	while (!cli_stop) {
		double left = t - cli_now();
		struct timespec ts = cli_timespec(left);

		if (left <= 0)
			return;
		if (ppoll(&p, 1, &ts, NULL) > 0)
			return;
	}
}

void cli_stdout_lines(void)
{
	static char buf[1 << 16];

	if (!isatty(STDOUT_FILENO))
		setvbuf(stdout, buf, _IOLBF, sizeof(buf));
}
