/* SPDX-License-Identifier: MIT */
/* mcast monitor: every group of a site, always on, in one process. */
#ifndef MCAST_CLI_MONITOR_H
#define MCAST_CLI_MONITOR_H

#include "cli.h"
#include "monitor_spec.h"

#include <net/if.h>

/* Senders shown per group; more are summed into one "other" entry, so
 * that made-up sources cannot grow the output or the metrics' labels. */
#define MON_SENDERS_MAX 16

/* What the tracker counts where there is a sequence (mcast probes, RTP,
 * sequence fields) and for MPEG-TS. */
struct mon_probe {
	uint64_t received, lost, duplicates, reordered;
	double jitter_ms; /* RFC 3550 estimate, the largest of its sessions */
	uint64_t ts_packets, ts_lost, ts_cc_errors;
};

struct mon_sender {
	struct sockaddr_storage src; /* address and port */
	int stream; /* enum mcast_stream_type the tracker found */
	uint64_t datagrams, bytes; /* every datagram delivered */
	uint64_t prev_bytes;	   /* at the start of the interval */
	double bitrate;		   /* bit/s over the last interval */
	/* from the tracker, summed over its sessions; never going back
	 * (a session the tracker retired for space leaves its sums) */
	struct mon_probe p, sum;
};

struct mon_group {
	struct mon_spec spec;
	mcast_tracker_t *tracker; /* the one for its stream type */
	char iface[IF_NAMESIZE];  /* where it was joined, for labels */
	bool joined, from_file, present;
	/* monotonic seconds; 0: not yet */
	double joined_at, first_at, last_at, join_latency;
	bool silent;	  /* no datagram for --idle (or never yet) */
	bool said_silent; /* never heard, and said so */
	uint64_t outages; /* receiving, then silent */
	double outage_s;  /* completed outages, seconds */
	uint64_t datagrams, bytes;
	uint64_t prev_datagrams, prev_bytes; /* at the interval's start */
	double bitrate, rate;		     /* over the last interval */
	/* the table's bitrate: over the last second */
	uint64_t sec_bytes;
	double sec_bitrate, sec_at;
	struct mon_probe p, sum; /* as for senders */
	struct mon_sender senders[MON_SENDERS_MAX];
	size_t nsenders;
	struct mon_sender other; /* senders past MON_SENDERS_MAX */
	uint64_t other_senders;	 /* how many went there */
};

struct mon_cfg {
	struct mcast_opts opts;
	struct mon_spec *args; /* groups of the command line */
	size_t nargs, args_cap;
	const char *groups_file;
	double duration; /* seconds; 0: until a signal */
	double idle;	 /* seconds of silence that make a group silent */
	double interval; /* seconds between interval records */
	double rejoin;	 /* seconds; 0: never */
	double max_loss; /* percent; <0: no verdict */
	bool json;
	struct mon_metrics_arg {
		const char *text; /* [ADDR]:PORT as given, or NULL */
		struct sockaddr_storage addr;
	} metrics;
};

struct monitor {
	const struct mon_cfg *cfg;
	mcast_t *m;
	/* a tracker per stream type in use (the type is the tracker's) */
	struct mon_tracker {
		struct mon_spec type; /* stream and seq */
		mcast_tracker_t *t;
	} * trackers;
	size_t ntrackers, tcap;
	/* sorted by group (address, port), for a datagram's lookup */
	struct mon_group **g;
	size_t ng, gcap;
	double start, now;
	double interval_from; /* seconds since start */
	bool table;	      /* text on a terminal: a table, not lines */
};

/* monitor.c: the group a datagram or entry belongs to (NULL if none);
 * a sender's entry in g, added when add (past MON_SENDERS_MAX the
 * "other" one), or NULL */
struct mon_group *mon_find_group(const struct monitor *mon,
				 const struct sockaddr_storage *dst);
struct mon_sender *mon_find_sender(struct mon_group *g,
				   const struct sockaddr_storage *src,
				   bool add);

/* monitor_tracker.c: the tracker of a stream type (made on first use);
 * the trackers' counters into the groups and senders */
mcast_tracker_t *mon_tracker_for(struct monitor *mon,
				 const struct mon_spec *spec);
void mon_from_tracker(struct monitor *mon);

/* monitor_args.c */
void monitor_parse_args(int argc, char **argv, struct mon_cfg *c);

/* monitor_report.c: records and lines, at the interval or each second */
void mon_report_interval(struct monitor *mon, FILE *out, double from,
			 double to);
void mon_report_table(struct monitor *mon, FILE *out);
void mon_event(struct monitor *mon, const struct mon_group *g,
	       const char *event, const char *num_key, double num);
void mon_report_sockets(struct monitor *mon, FILE *out, double to);
double mon_loss_pct(const struct mon_group *g);

/* monitor_metrics.c: the exposition text, and its HTTP server */
/* Write every metric of mon to out (Prometheus text format 0.0.4). */
void mon_metrics_write(struct monitor *mon, FILE *out);
/* Start serving; 0, or exit-worthy -errno with a message in err. */
int mon_metrics_start(const struct sockaddr_storage *addr, char *err,
		      size_t errlen);
/* Replace what /metrics serves by what mon shows now. */
void mon_metrics_publish(struct monitor *mon);
void mon_metrics_stop(void);
/* false when built without libmicrohttpd */
bool mon_metrics_available(void);

#endif /* MCAST_CLI_MONITOR_H */
