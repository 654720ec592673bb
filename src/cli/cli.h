/* SPDX-License-Identifier: MIT */
/* Shared pieces of the mcast command-line program. */
#ifndef MCAST_CLI_H
#define MCAST_CLI_H

#include "mcast.h"

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

/* Exit statuses, as the man page promises. */
enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

/* The receive buffer recv asks for and doctor checks can be had: the
 * kernel's default (208 KiB) overflows in a few ms at line rate. */
#define CLI_RCVBUF_DEFAULT (4 << 20)

/*
 * The receive loops of recv, ping and the responder: datagrams per
 * mcast_recv_batch() call, and the buffer of each.  A buffer holds the
 * largest UDP payload of either family, so no datagram is ever cut.  16
 * spread recvmmsg()'s per-call cost over enough datagrams for a program
 * that then prints each one; more would only grow the static buffers
 * (1 MiB now).  bench keeps its own: it counts small datagrams at line
 * rate, many per call.
 */
#define CLI_RECV_BATCH 16
#define CLI_DGRAM_MAX  65536

/* Largest UDP payload: 65535 minus the IP and UDP headers (IPv6 has no
 * header in its payload length, hence the larger figure). */
#define CLI_UDP_MAX_V4 65507
#define CLI_UDP_MAX_V6 65527
_Static_assert(CLI_DGRAM_MAX >= CLI_UDP_MAX_V6, "receive buffers cut nothing");

struct cli_spec; /* a subcommand's options and --help (opts.h) */

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
	const struct cli_spec *spec;
};

int cmd_send(int argc, char **argv);
int cmd_recv(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_ping(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_keygen(int argc, char **argv);
int cmd_doctor(int argc, char **argv);
int cmd_relay(int argc, char **argv);
int cmd_monitor(int argc, char **argv);
extern const struct cli_spec send_spec, recv_spec, demo_spec, ping_spec,
	bench_spec, keygen_spec, doctor_spec, relay_spec, monitor_spec;

/* The subcommand that is running, for message prefixes ("mcast recv"). */
extern const char *cli_prog;

/* One-line messages on stderr, prefixed with cli_prog. */
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void cli_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print and exit with status. */
_Noreturn void cli_die(int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* An option's value was wrong: say which, exit 2. */
_Noreturn void cli_bad_value(const char *opt, const char *value,
			     const char *want);
/* Range-checked numbers; any error exits 2 naming the option. */
long long cli_parse_int(const char *opt, const char *s, long long min,
			long long max);
double cli_parse_seconds(const char *opt, const char *s, double min,
			 double max);
/* A decimal number in [min, max]; unit names it in the error message. */
double cli_parse_real(const char *opt, const char *s, double min, double max,
		      const char *unit);
/* Bytes with an optional K/M/G suffix (powers of 1024). */
long long cli_parse_bytes(const char *opt, const char *s, long long min,
			  long long max);

/* A rate with an optional k/M/G suffix (powers of unit, e.g. 1000). */
double cli_parse_rate(const char *opt, const char *s, double min, double max,
		      double unit);

/* Parse a group ("GROUP:PORT"); exits 2 with advice when it is not one. */
void cli_parse_group(const char *text, struct sockaddr_storage *out);
/* --bind ADDR[:PORT] or :PORT; exits 2 on error. */
void cli_parse_bind(const char *text, struct sockaddr_storage *out);
/* A link-local scope IPv6 group needs an interface: %scope or --iface. */
void cli_check_scope(const struct sockaddr_storage *group, const char *text,
		     const char *iface);
/* --size as an option table bounds it is IPv6's limit; exits 2 when it
 * is beyond what one datagram to an IPv4 group carries. */
void cli_check_udp_size(long long size, bool v4);
/* Parse a unicast source address (no port); exits 2 on error. */
void cli_parse_source(const char *opt, const char *text,
		      struct sockaddr_storage *out);

/* Words for a library failure, with advice for the common ones. */
const char *cli_advice(int code);
/* Report a failed library call: "<what>: <reason> (<errmsg>); <advice>". */
_Noreturn void cli_fail_call(int status, mcast_t *m, int code,
			     const char *what);

/* The same with the failed step's text (struct mcast_opts.errbuf). */
_Noreturn void cli_fail_step(int status, const char *step, int code,
			     const char *what);

/* Text of an address, for messages. */
const char *cli_addr(const struct sockaddr_storage *ss, char *buf, size_t len);

/* The address alone, without port or scope. */
const char *cli_addr_only(const struct sockaddr_storage *ss, char *buf,
			  size_t len);
/* snprintf at buf + *used, advancing *used; output past cap is dropped. */
/* Room for element n of a growing array of elem-byte elements, doubling
 * *cap as needed; ends the program when memory runs out. */
void cli_grow(void *arrp, size_t *cap, size_t n, size_t elem);
void cli_append(char *buf, size_t cap, size_t *used, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* SIGINT/SIGTERM set cli_stop; SIGPIPE is ignored so writes see EPIPE. */
extern volatile sig_atomic_t cli_stop;
void cli_signals(void);
/* Readable once a stop signal has arrived (-1 before cli_signals()):
 * poll it beside sockets so the wait ends at once, in any thread. */
int cli_stop_fd(void);
/* The longest a library wait may last between looks at cli_stop: a
 * signal that arrives just before a blocking receive starts cannot
 * interrupt it, so the wait must end by itself soon after. */
#define CLI_STOP_CHECK_MS 100
/* ms capped at CLI_STOP_CHECK_MS; negative (wait forever) becomes it. */
int cli_wait_ms(int ms);

/* Monotonic seconds, for pacing and timeouts. */
double cli_now(void);
/* CLOCK_REALTIME in ns since the epoch: the send time of a header. */
uint64_t cli_realtime_ns(void);
/* CLOCK_MONOTONIC in ns: a session's elapsed time (header version 2). */
uint64_t cli_monotonic_ns(void);
/* Sleep until the monotonic time t; returns at once after a stop signal,
 * in whichever thread it arrived. */
void cli_sleep_until(double t);

/*
 * Every wait is computed in double seconds and every conversion to what the
 * kernel takes goes through these two.  They clamp: an int of milliseconds
 * holds only ~24.8 days, and a wait that is cut short is recomputed by its
 * loop.  A negative or NaN wait is 0.
 */
/* Milliseconds for poll() or a library wait (cli_wait_ms() may cap them
 * further), rounded up (never ends just before a deadline),
 * from 0 to INT_MAX. */
int cli_poll_ms(double seconds);
/* A timespec for ppoll() or clock_nanosleep(), from 0 to CLI_WAIT_MAX. */
struct timespec cli_timespec(double seconds);
#define CLI_WAIT_MAX 1e9 /* seconds: fits a 32-bit time_t */

/* A number for messages: plain decimals, never 1e+07 (buf of 32 bytes). */
const char *cli_num(double v, char *buf, size_t len);

/* Line-buffer stdout when it is not a terminal, so pipes see each line. */
void cli_stdout_lines(void);

#endif /* MCAST_CLI_H */
