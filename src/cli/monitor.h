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
/* PIDs shown per MPEG-TS group, by first sight; the packets of the others
 * (and of PIDs the tracker's table had no room for) go to pid="other". */
#define MON_PIDS_MAX 32
/* Those are counted once each by a bit per hash of address and port:
 * memory stays bounded whatever comes (two that share a bit count once,
 * so past a few hundred the count is an estimate, and low). */
#define MON_OTHER_BITS 4096
/* group="...",port="...",iface="...",name="..." with every byte of the
 * name escaped: room for the longest. */
#define MON_LABELS_MAX (96 + MCAST_ADDRSTRLEN + IF_NAMESIZE + 2 * MON_NAME_MAX)

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
	/* RTP, in the group's first sender of each address: the newest
	 * SSRC of that address (any port: a restarted encoder has a new
	 * socket), by first arrival, and the port it came from */
	uint32_t ssrc, tick_ssrc;
	uint16_t ssrc_port, tick_port;
	bool has_ssrc, tick_has_ssrc;
};

/* TR 101 290 priority 1 indicators (1.1 to 1.6), in the standard's order */
enum mon_p1 {
	MON_P1_SYNC_LOSS,
	MON_P1_SYNC_BYTE,
	MON_P1_PAT,
	MON_P1_CC,
	MON_P1_PMT,
	MON_P1_PID,
	MON_P1_N
};
extern const char *const mon_p1_names[MON_P1_N];

struct mon_pid_counts {
	uint64_t packets, lost, cc_errors;
};

struct mon_pid {
	unsigned pid;
	struct mon_pid_counts c, sum; /* never going back; this second's */
	uint64_t prev_packets;	      /* at the start of the interval */
	double bitrate;		      /* bit/s over the last interval */
};

/* An MPEG-TS group's PIDs and TR 101 290 counts, made on first TS entry. */
struct mon_ts {
	uint64_t p1[MON_P1_N], p1_sum[MON_P1_N];
	struct mon_pid pids[MON_PIDS_MAX];
	size_t npids;
	struct mon_pid other;	    /* pid="other": the rest */
	uint64_t other_pids;	    /* PIDs that went there */
	uint8_t in_other[8192 / 8]; /* which, so each counts once */
	/* The PID walk is skipped while nothing can be new: one entry, as
	 * many PIDs as at the last walk, all of them seen. */
	unsigned entries, entries_prev; /* TS entries this second, the last */
	unsigned walked_pids;		/* ts_pids at the last walk */
	bool walked_all_seen;
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
	/* grown as senders come, to at most MON_SENDERS_MAX: most groups
	 * have one, and room for 16 in each of 2048 groups was 10 MB */
	struct mon_sender *senders;
	size_t nsenders, senders_cap;
	struct mon_sender other; /* senders past MON_SENDERS_MAX */
	uint64_t other_senders;	 /* how many went there */
	struct mon_ts *ts;	 /* NULL until an MPEG-TS entry shows up */
	uint64_t ssrc_changes;	 /* of its senders */
	uint64_t pat_reported;	 /* PAT_error count last said in an event */
	uint8_t *other_seen;	 /* MON_OTHER_BITS, made on the first */
	/* Its metric labels, escaped, remade at each publish: every series
	 * repeats them, and making them for each (~20 a group) was most of
	 * a publish's work at 1000 groups. */
	char labels[MON_LABELS_MAX];
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
/* A sender of g past MON_SENDERS_MAX, in other_senders once. */
void mon_count_other(struct mon_group *g, const struct sockaddr_storage *src);

/* monitor_ts.c: an MPEG-TS entry's PIDs and TR 101 290 counts into its
 * group's sums; the sums taken (counters never going back); PID bitrates
 * over an interval of len seconds; the group's TS part of a JSON record */
void mon_ts_add(struct mon_group *g, const mcast_tracker_t *t, size_t i,
		const struct mcast_stream_stats *s);
void mon_ts_take(struct mon_ts *ts);
void mon_ts_rates(struct mon_ts *ts, double len);
struct json;
void mon_ts_json(struct json *j, const struct mon_ts *ts);

/* monitor_args.c */
void monitor_parse_args(int argc, char **argv, struct mon_cfg *c);

/* monitor_report.c: records and lines, at the interval or each second */
void mon_report_interval(struct monitor *mon, FILE *out, double from,
			 double to);
void mon_report_table(struct monitor *mon, FILE *out);
void mon_event(struct monitor *mon, const struct mon_group *g,
	       const char *event, const char *num_key, double num);
/* An RTP sender's new SSRC; a group's PAT_error count rising. */
void mon_event_ssrc(struct monitor *mon, const struct mon_group *g,
		    const struct mon_sender *s, uint32_t old);
void mon_event_pat(struct monitor *mon, const struct mon_group *g,
		   uint64_t pat_errors);
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
