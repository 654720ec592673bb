/* SPDX-License-Identifier: MIT */
/* mcast recv: the Python multicast tutorial's client - join groups, print what arrives. */
#include "recv.h"
#include "recv_amt.h"
#include "dgram.h"
#include "format.h"
#include "events.h"
#include "recv_stream.h"
#include "recv_watch.h"
#include "report.h"
#include "report_stream.h"
#include "sealing.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Distinct senders remembered for the summary; more are only counted. */
#define MAX_SEEN 256
/* Sessions (streams, SSRCs, plain sources) tracked with --stats. */
#define RECV_STATS_SESSIONS 1024

struct tally {
	long long datagrams, bytes;
	size_t largest; /* payload shown, for what missing ones may hold */
	struct sockaddr_storage seen[MAX_SEEN];
	size_t nseen;
	bool seen_overflow;
	struct ifname_cache ifc;
};

static bool same_endpoint(const struct sockaddr_storage *a,
			  const struct sockaddr_storage *b)
{
	return memcmp(a, b, mcast_addr_len((const struct sockaddr *)a)) == 0;
}

static void count_source(struct tally *t, const struct sockaddr_storage *src)
{
	for (size_t i = 0; i < t->nseen; i++)
		if (same_endpoint(&t->seen[i], src))
			return;
	if (t->nseen < MAX_SEEN)
		t->seen[t->nseen++] = *src;
	else
		t->seen_overflow = true;
}

/* A reader that went away (head, a closed pipe) ends us quietly. */
static void flush_or_quit(void)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		if (errno == EPIPE)
			exit(EXIT_OK);
		cli_die(EXIT_RUNTIME, "writing output: %s", strerror(errno));
	}
}

static int finish(const struct recv_cfg *c, const struct tally *t,
		  const char *why)
{
	cli_info("received %lld datagram%s (%lld bytes) from %zu%s source%s",
		 t->datagrams, t->datagrams == 1 ? "" : "s", t->bytes, t->nseen,
		 t->seen_overflow ? "+" : "",
		 t->nseen == 1 && !t->seen_overflow ? "" : "s");
	if (c->count > 0 && t->datagrams >= c->count)
		return EXIT_OK;
	if (c->count > 0) {
		fprintf(stderr, "%s: %s: received %lld of %lld datagrams\n",
			cli_prog, why, t->datagrams, c->count);
		return EXIT_RUNTIME;
	}
	if (t->datagrams == 0) {
		char s[32];

		if (c->timeout > 0 && strcmp(why, "timeout") == 0)
			fprintf(stderr,
				"%s: timeout: no datagram arrived in %s s\n",
				cli_prog, cli_num(c->timeout, s, sizeof(s)));
		else
			fprintf(stderr, "%s: %s: no datagram arrived\n",
				cli_prog, why);
		return EXIT_RUNTIME;
	}
	return EXIT_OK;
}

/* Verdicts of --expect and --max-loss; returns the exit status. */
static int verdicts(const struct recv_cfg *c, const mcast_tracker_t *tr)
{
	struct mcast_stream_stats tot;
	int status = EXIT_OK;
	uint64_t lost;
	double pct;

	report_totals(tr, &tot);
	pct = report_run_loss_pct(tr, &tot, &lost);
	if (c->expect >= 0 && tot.received < (uint64_t)c->expect) {
		fprintf(stderr,
			"%s: expected %lld datagrams, received %llu (%llu short)\n",
			cli_prog, c->expect, (unsigned long long)tot.received,
			(unsigned long long)c->expect -
				(unsigned long long)tot.received);
		status = EXIT_RUNTIME;
	}
	if (c->max_loss >= 0 && pct > c->max_loss) {
		char s[32];

		fprintf(stderr,
			"%s: loss %.3f%% (%llu %s) exceeds --max-loss %s%% by %.3f points\n",
			cli_prog, pct, (unsigned long long)lost,
			tot.ts_packets ? "datagrams, messages or TS packets"
				       : "datagrams",
			cli_num(c->max_loss, s, sizeof(s)), pct - c->max_loss);
		status = EXIT_RUNTIME;
	}
	return status;
}

/*
 * Tell the tracker since when each group has been heard, so that it counts
 * the head of a session that began after this as loss, and reports one
 * that began before as missed.  After a rejoin the time moves on: what was
 * sent while the interface was away was not heard.
 */
static void listening(mcast_tracker_t *t, const struct recv_cfg *c)
{
	struct timespec now;

	if (!t)
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	for (size_t i = 0; i < c->ngroups; i++)
		if (mcast_tracker_listening(
			    t, (const struct sockaddr *)&c->groups[i].addr,
			    &now) < 0)
			cli_die(EXIT_RUNTIME, "out of memory");
}

struct run {
	struct watch watch;
	struct sealing sealing;
	mcast_t *m;
	mcast_tracker_t *tracker;
	double start, deadline, next_report, next_live;
	double next_tick; /* the streams' clock (mcast_tracker_tick()) */
	bool live;	  /* a status line on a terminal */
	struct mcast_stream_stats prev;
	const char *why;
	struct ends ends;
	struct stream_seen seen; /* auto-detection's decisions, said */
	unsigned max_sessions;
	struct amt_gw amt; /* --amt: datagrams come from it */
};

/* Wait no longer than the next thing due: deadline, report, live line. */
static int wait_ms(const struct run *r)
{
	double due = r->deadline, now = cli_now();
	double w = watch_due(&r->watch), k = sealing_due(&r->sealing);

	if (w > 0 && (due == 0 || w < due))
		due = w;
	if (k > 0 && (due == 0 || k < due))
		due = k;

	if (r->next_report > 0 && (due == 0 || r->next_report < due))
		due = r->next_report;
	if (r->live && (due == 0 || r->next_live < due))
		due = r->next_live;
	if (r->next_tick > 0 && (due == 0 || r->next_tick < due))
		due = r->next_tick;
	if (due == 0)
		return -1;
	return due <= now ? 0 : cli_poll_ms(due - now);
}

/* The streams' time-dependent checks (a PAT overdue, a PID gone) run
 * when their datagrams arrive; a stream that stopped altogether sends
 * none, so the clock is given to the tracker once a second too. */
static void tick(mcast_tracker_t *t)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	mcast_tracker_tick(t, &now);
}

static void periodic(const struct recv_cfg *c, struct run *r)
{
	double now = cli_now();

	if (r->next_tick > 0 && now >= r->next_tick) {
		tick(r->tracker);
		r->next_tick = now + 1.0;
	}

	if (r->next_report > 0 && now >= r->next_report) {
		double to = r->next_report - r->start;

		if (r->live)
			fputs("\r\033[K", stderr);
		double from = to - c->interval_report;

		report_interval(stdout, c->format == FMT_JSON, r->tracker,
				&r->prev, from > 0 ? from : 0, to);
		flush_or_quit();
		r->next_report += c->interval_report;
	}
	if (r->live && now >= r->next_live) {
		report_live(stderr, r->tracker, now - r->start);
		r->next_live = now + 1.0;
	}
}

/* What a datagram is to a run that prints: its payload, or nothing. */
struct shown {
	const unsigned char *p;
	size_t len;
	const struct mcast_hdr *h; /* the envelope, when framed */
	bool counts;		   /* toward --count and "received" */
};

/*
 * Classify one datagram (already opened when sealed) by what the tracker
 * made of it; h is its header (END and DATA have one).  Framed data shows
 * only its payload, and duplicates and end markers show nothing: a file
 * sent with --framed comes out as it went in.  Other datagrams show as
 * they are, as before framing existed.
 */
static struct shown classify(const struct recv_cfg *c, struct run *r,
			     const unsigned char *buf, size_t len, int kind,
			     bool sealed, const struct mcast_hdr *h)
{
	struct shown w = { .p = buf, .len = len };

	if (kind == MCAST_FEED_END) {
		ends_note(&r->ends, h);
		return w;
	}
	if (kind == MCAST_FEED_DUP)
		return w;
	if (kind == MCAST_FEED_DATA) {
		w.p = buf + h->hdr_len;
		w.len = h->payload_len;
		w.h = h;
		w.counts = true;
		return w;
	}
	/* With --stats only probes, plain datagrams and the streams'
	 * count, as always; sealed, only what opened as data. */
	if (sealed)
		return w;
	w.counts = !c->stats || kind == MCAST_FEED_PLAIN ||
		   kind == MCAST_FEED_STREAM || kind == MCAST_FEED_PENDING;
	w.h = NULL;
	return w;
}

/* Account one batch; returns false when the run has what it waited for. */
static bool take(const struct recv_cfg *c, struct run *r, struct tally *t,
		 struct mcast_dgram *v, int n)
{
	bool sealed = sealing_on(&r->sealing);
	struct timespec now;

	if (sealed)
		clock_gettime(CLOCK_REALTIME, &now);
	for (int i = 0; i < n; i++) {
		const struct mcast_meta *meta = v[i].meta;
		size_t len = v[i].len;
		struct mcast_hdr h;
		struct shown w;
		int kind, dec;

		/* Each header is decoded once, here or by the opener, and
		 * handed to the tracker and to classify(). */
		if (sealed) {
			/* A rejected datagram is counted and forgotten: it is
			 * not traffic, and its bytes are never shown. */
			struct mcast_bind to;
			int rc;

			/* Bound to the group and port it was sent to: a
			 * datagram replayed from another group fails. */
			sealing_bind_meta(&to, meta, NULL);
			rc = sealing_open(&r->sealing, &to, v[i].buf, len, &now,
					  &h);

			if (rc < 0)
				continue;
			len = (size_t)rc;
			dec = h.hdr_len;
		} else {
			sealing_sniff(&r->sealing, v[i].buf, len, &meta->src);
			dec = mcast_hdr_decode(&h, v[i].buf, len);
		}
		kind = mcast_tracker_feed_hdr(r->tracker, v[i].buf, len, meta,
					      dec, &h);
		w = classify(c, r, v[i].buf, len, kind, sealed, &h);
		if (w.counts) {
			t->datagrams++;
			/* Without --stats, the data written: a file's size. */
			t->bytes += (long long)(w.h && !c->stats ? w.len
								 : meta->len);
			if (w.len > t->largest)
				t->largest = w.len;
			count_source(t, &meta->src);
			if (!c->quiet && !c->stats)
				print_dgram(c->format, &t->ifc, w.p, w.len,
					    meta, w.h);
		}
		if (r->watch.idle > 0)
			watch_seen(&r->watch, meta, cli_now());
		if (c->count > 0 && t->datagrams >= c->count)
			return false;
	}
	if (n > 0 && !c->quiet && !c->stats)
		flush_or_quit();
	if (c->stats && c->stream.type == MCAST_STREAM_AUTO)
		report_stream_decided(&r->seen, r->tracker, r->max_sessions);
	/* A framed stream says where it ends: the run ends there, unless
	 * --count says how much to wait for, or --stats, which watches
	 * many streams, was not asked to (--until-end). */
	if ((c->stats ? c->until_end : c->count < 0) &&
	    mcast_tracker_all_ended(r->tracker)) {
		r->why = "end of stream";
		return false;
	}
	return true;
}

/* Without --stats: exit 1 when bytes are known to be missing, whether the
 * kernel dropped them here or framed streams have gaps. */
static int completeness(const struct recv_cfg *c, const struct tally *t,
			const struct mcast_info *info,
			const mcast_tracker_t *tr)
{
	struct stream_gap g;
	int status = EXIT_OK;

	if (c->stats)
		return EXIT_OK;
	if (info->kernel_drops) {
		fprintf(stderr,
			"%s: incomplete: this host's kernel dropped %llu datagram%s because the receive buffer (%d bytes as the kernel counts it) was full; raise --rcvbuf or net.core.rmem_max, or send slower\n",
			cli_prog, (unsigned long long)info->kernel_drops,
			info->kernel_drops == 1 ? "" : "s",
			info->rcvbuf_effective);
		status = EXIT_RUNTIME;
	}
	stream_gaps(tr, &g);
	if (g.missing) {
		fprintf(stderr,
			"%s: incomplete: %llu of %llu framed datagrams %s missing (at most %llu bytes)%s\n",
			cli_prog, (unsigned long long)g.missing,
			(unsigned long long)g.expected,
			g.missing == 1 ? "is" : "are",
			(unsigned long long)(g.missing * t->largest),
			g.ended < g.streams
				? "; a stream did not end, so more may be"
				: "");
		status = EXIT_RUNTIME;
	}
	return status;
}

int cmd_recv(int argc, char **argv)
{
	static struct recv_cfg c;
	static struct tally t;
	static unsigned char bufs[CLI_RECV_BATCH][CLI_DGRAM_MAX];
	struct mcast_meta metas[CLI_RECV_BATCH];
	struct mcast_dgram v[CLI_RECV_BATCH];
	char step[MCAST_ERRMSG_MAX] = "";
	struct run r = { .why = "interrupted" };
	int rc, status;

	recv_parse_args(argc, argv, &c);
	c.opts.errbuf = step;
	c.opts.errlen = sizeof(step);
	/* Given an interface, follow it through link changes. */
	if (c.opts.iface)
		c.opts.flags |= MCAST_OPT_WATCH;
	events_json = c.format == FMT_JSON;
	sealing_start(&r.sealing, &c.sealing, SEALING_OPEN);
	rc = mcast_receiver_open(&r.m, &c.opts);
	if (rc < 0)
		cli_fail_step(rc == MCAST_ENOIFACE ? EXIT_USAGE : EXIT_RUNTIME,
			      step, rc, "cannot open receiver");
	/* Framed streams are tracked without --stats too: their ends stop
	 * the run, their gaps decide its exit status.  Other streams are
	 * read with --stats only: auto-detection holds RTP-like datagrams
	 * for a few, which a run printing them cannot wait for. */
	struct mcast_tracker_opts topts;

	mcast_tracker_opts_init(&topts);
	if (c.stats) {
		topts.stream = c.stream.type;
		topts.seq = c.stream.seq;
		topts.rtp_clock = (unsigned)c.rtp_clock;
		/* docs/STREAMS.md: 1024 sessions, 8192 PIDs; more retire
		 * the oldest idle ones into the totals (retired). */
		topts.max_sessions = RECV_STATS_SESSIONS;
	}
	r.max_sessions = topts.max_sessions;
	if ((rc = mcast_tracker_new(&r.tracker, &topts)) < 0)
		cli_die(EXIT_RUNTIME, "cannot allocate statistics: %s",
			mcast_strerror(rc));
	cli_signals();
	cli_stdout_lines();
	if (c.amt.ss_family)
		amt_gw_start(&r.amt, &c);
	else
		recv_join_all(r.m, &c);
	listening(r.tracker, &c);
	r.start = cli_now();
	r.watch.events = c.opts.flags & MCAST_OPT_WATCH;
	r.watch.rejoin = c.rejoin;
	r.watch.idle = c.idle;
	for (size_t i = 0; i < c.ngroups; i++)
		watch_add(&r.watch, &c.groups[i].addr, c.groups[i].text);
	watch_start(&r.watch, r.m, r.start);
	if (c.timeout > 0)
		r.deadline = r.start + c.timeout;
	if (c.interval_report > 0)
		r.next_report = r.start + c.interval_report;
	r.live = c.stats && isatty(STDERR_FILENO);
	r.next_live = r.start + 1.0;
	if (c.stats)
		r.next_tick = r.start + 1.0;
	if (c.stats)
		report_totals(r.tracker, &r.prev);
	for (size_t i = 0; i < CLI_RECV_BATCH; i++) {
		mcast_meta_init(&metas[i]);
		v[i] = (struct mcast_dgram){ .buf = bufs[i],
					     .cap = CLI_DGRAM_MAX,
					     .meta = &metas[i] };
	}

	for (;;) {
		if (cli_stop)
			break;
		if (r.deadline > 0 && cli_now() >= r.deadline) {
			r.why = "timeout";
			break;
		}
		size_t want = CLI_RECV_BATCH;
		if (c.count > 0 && (long long)want > c.count - t.datagrams)
			want = (size_t)(c.count - t.datagrams);
		rc = c.amt.ss_family
			     ? amt_gw_recv(&r.amt, v, want, wait_ms(&r))
			     : mcast_recv_batch(r.m, v, want,
						cli_wait_ms(wait_ms(&r)));
		if (rc < 0 && rc != -EINTR)
			cli_fail_call(EXIT_RUNTIME, r.m, rc, "receive");
		if (rc > 0 && !take(&c, &r, &t, v, rc)) {
			if (strcmp(r.why, "interrupted") == 0)
				r.why = "count";
			break;
		}
		if (c.stats)
			periodic(&c, &r);
		unsigned rejoined = r.watch.rejoined;

		watch_tick(&r.watch, cli_now());
		if (r.watch.rejoined != rejoined)
			listening(r.tracker, &c);
		sealing_tick(&r.sealing, cli_now());
	}
	struct mcast_info info;
	struct mcast_rejects rej;
	struct report_host host;
	struct mcast_socket_info *socks;
	size_t nsocks = recv_sockets(r.m, &socks);

	mcast_info_init(&info);
	mcast_get_info(r.m, &info);
	host = (struct report_host){
		.sockets = socks,
		.nsockets = nsocks,
		.iface = info.iface.index ? info.iface.name : NULL,
		.table = isatty(STDOUT_FILENO),
		.kernel_drops = info.kernel_drops,
		.end_missed = ends_missed(&r.ends),
		.gro = (c.opts.flags & MCAST_OPT_GRO) &&
		       !(info.warnings & MCAST_WARN_GRO_OFF),
		.rcvbuf = info.rcvbuf_effective,
		.rejects = sealing_rejects(&r.sealing, &rej) ? &rej : NULL,
	};
	mcast_close(r.m);
	if (c.amt.ss_family)
		amt_gw_stop(&r.amt);
	watch_free(&r.watch);
	if (r.live)
		fputs("\r\033[K", stderr);
	if (c.stats) {
		double end = cli_now();

		tick(r.tracker);
		/* The last, partial interval too: the reports add up to the
		 * totals. */
		if (r.next_report > 0 &&
		    end > r.next_report - c.interval_report)
			report_interval(stdout, c.format == FMT_JSON, r.tracker,
					&r.prev,
					r.next_report - c.interval_report -
						r.start,
					end - r.start);
		report_summary(stdout, c.format == FMT_JSON, r.tracker, &host,
			       end - r.start, r.why);
		flush_or_quit();
	}
	if (!c.stats) /* the summary shows them otherwise */
		sealing_say_rejects(&r.sealing);
	sealing_stop(&r.sealing);
	status = finish(&c, &t, r.why);
	if (status == EXIT_OK)
		status = completeness(&c, &t, &info, r.tracker);
	if (c.stats) {
		int verdict = verdicts(&c, r.tracker);

		if (verdict != EXIT_OK)
			status = verdict;
	}
	mcast_tracker_free(r.tracker);
	free(socks);
	return status;
}
