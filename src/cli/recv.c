/* SPDX-License-Identifier: MIT */
/* mcast recv: the tutorial's client - join groups, print what arrives. */
#include "recv.h"
#include "dgram.h"
#include "format.h"
#include "events.h"
#include "recv_watch.h"
#include "report.h"
#include "trust.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BATCH	  16
#define DGRAM_MAX 65536
/* Distinct senders remembered for the summary; more are only counted. */
#define MAX_SEEN 256

/* Name of the interface a group was joined on, for the "joined" line. */
static const char *joined_iface(const struct group_arg *g,
				const struct mcast_info *info, char *buf)
{
	const struct sockaddr *ga = (const struct sockaddr *)&g->addr;
	struct mcast_iface ifc;
	int idx;

	if (mcast_addr_scope(ga))
		idx = (int)mcast_addr_scope(ga);
	else if (info->iface.index)
		idx = (int)info->iface.index;
	else
		idx = mcast_route_iface((const struct sockaddr *)&g->addr);
	if (idx > 0 && mcast_iface_by_index((unsigned)idx, &ifc) == 0) {
		memcpy(buf, ifc.name, IF_NAMESIZE);
		return buf;
	}
	return "(route)";
}

static void join_all(mcast_t *m, const struct recv_cfg *c)
{
	struct mcast_info info = { .size = sizeof(info) };
	char line[4096] = "joined";
	size_t used = strlen(line);

	mcast_get_info(m, &info);
	for (size_t i = 0; i < c->ngroups; i++) {
		const struct group_arg *g = &c->groups[i];
		char a[MCAST_ADDRSTRLEN], ifn[IF_NAMESIZE];
		int rc = mcast_join(m, (const struct sockaddr *)&g->addr,
				    g->sources, g->nsources);

		if (rc < 0) {
			char what[MCAST_ADDRSTRLEN + 32];

			snprintf(what, sizeof(what), "cannot join %s", g->text);
			/* The step ("join GROUP") would repeat what. */
			cli_fail_step(rc == MCAST_ENOIFACE ? EXIT_USAGE
							   : EXIT_RUNTIME,
				      "", rc, what);
		}
		if (mcast_addr_is_ssm((const struct sockaddr *)&g->addr) &&
		    !g->nsources)
			cli_warn(
				"%s is in the source-specific range; joined without --source, most networks deliver nothing to it",
				g->text);
		cli_append(line, sizeof(line), &used, "%s ", i ? "," : "");
		for (size_t k = 0; k < g->nsources; k++)
			cli_append(line, sizeof(line), &used, "%s%s",
				   k ? "," : "",
				   cli_addr_only(&g->sources[k], a, sizeof(a)));
		cli_append(line, sizeof(line), &used, "%s%s on %s",
			   g->nsources ? "@" : "",
			   cli_addr(&g->addr, a, sizeof(a)),
			   joined_iface(g, &info, ifn));
	}
	cli_info("%s", line);
	/* Sockets, and so their warnings, came with the joins. */
	mcast_get_info(m, &info);
	if (info.warnings & MCAST_WARN_GRO_OFF)
		cli_warn(
			"the kernel refused coalesced receive (UDP_GRO); receiving datagram by datagram");
	if (info.warnings & MCAST_WARN_RCVBUF_CLAMPED) {
		/* The kernel reports twice what it grants (bookkeeping). */
		cli_warn(
			"receive buffer clamped to %d bytes by net.core.rmem_max (asked for %d); raise net.core.rmem_max or run with CAP_NET_ADMIN",
			info.rcvbuf_effective / 2, info.rcvbuf_requested);
	}
}

struct tally {
	long long datagrams, bytes;
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
		if (c->timeout > 0 && strcmp(why, "timeout") == 0)
			fprintf(stderr,
				"%s: timeout: no datagram arrived in %g s\n",
				cli_prog, c->timeout);
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

	report_totals(tr, &tot);
	if (c->expect >= 0 && tot.received < (uint64_t)c->expect) {
		fprintf(stderr,
			"%s: expected %lld datagrams, received %llu (%llu short)\n",
			cli_prog, c->expect, (unsigned long long)tot.received,
			(unsigned long long)c->expect -
				(unsigned long long)tot.received);
		status = EXIT_RUNTIME;
	}
	if (c->max_loss >= 0 && report_loss_pct(&tot) > c->max_loss) {
		fprintf(stderr,
			"%s: loss %.3f%% (%llu datagrams) exceeds --max-loss %g%% by %.3f points\n",
			cli_prog, report_loss_pct(&tot),
			(unsigned long long)tot.lost, c->max_loss,
			report_loss_pct(&tot) - c->max_loss);
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
	struct trust trust;
	mcast_t *m;
	mcast_tracker_t *tracker;
	double start, deadline, next_report, next_live;
	bool live; /* a status line on a terminal */
	struct mcast_stream_stats prev;
	const char *why;
};

/* Wait no longer than the next thing due: deadline, report, live line. */
static int wait_ms(const struct run *r)
{
	double due = r->deadline, now = cli_now();
	double w = watch_due(&r->watch), k = trust_due(&r->trust);

	if (w > 0 && (due == 0 || w < due))
		due = w;
	if (k > 0 && (due == 0 || k < due))
		due = k;

	if (r->next_report > 0 && (due == 0 || r->next_report < due))
		due = r->next_report;
	if (r->live && (due == 0 || r->next_live < due))
		due = r->next_live;
	if (due == 0)
		return -1;
	return due <= now ? 0 : (int)((due - now) * 1000) + 1;
}

static void periodic(const struct recv_cfg *c, struct run *r)
{
	double now = cli_now();

	if (r->next_report > 0 && now >= r->next_report) {
		double to = r->next_report - r->start;

		if (r->live)
			fputs("\r\033[K", stderr);
		report_interval(stdout, c->format == FMT_JSON, r->tracker,
				&r->prev, to - c->interval_report, to);
		flush_or_quit();
		r->next_report += c->interval_report;
	}
	if (r->live && now >= r->next_live) {
		report_live(stderr, r->tracker, now - r->start);
		r->next_live = now + 1.0;
	}
}

/* Account one batch; returns false when the run has what it waited for. */
static bool take(const struct recv_cfg *c, struct run *r, struct tally *t,
		 struct mcast_dgram *v, int n)
{
	bool sealed = trust_on(&r->trust);
	struct timespec now;

	if (sealed)
		clock_gettime(CLOCK_REALTIME, &now);
	for (int i = 0; i < n; i++) {
		const struct mcast_meta *meta = v[i].meta;
		const unsigned char *show = v[i].buf;
		size_t len = v[i].len, shown = len;
		int kind = MCAST_FEED_PLAIN;
		struct mcast_hdr h;

		if (sealed) {
			/* A rejected datagram is counted and forgotten: it is
			 * not traffic, and its bytes are never shown. */
			int rc = trust_open(&r->trust, v[i].buf, len, &now, &h);

			if (rc < 0)
				continue;
			len = (size_t)rc;
			show = v[i].buf + h.hdr_len;
			shown = h.payload_len;
			kind = h.type == MCAST_MSG_DATA ? MCAST_FEED_DATA
							: MCAST_FEED_OTHER;
		} else {
			trust_sniff(&r->trust, v[i].buf, len, &meta->src);
		}
		if (c->stats)
			kind = mcast_tracker_feed(r->tracker, v[i].buf, len,
						  meta);
		if (kind == MCAST_FEED_PLAIN || kind == MCAST_FEED_DATA) {
			t->datagrams++;
			t->bytes += (long long)meta->len;
			count_source(t, &meta->src);
		}
		if (!c->quiet && !c->stats &&
		    (!sealed || h.type == MCAST_MSG_DATA))
			print_dgram(c->format, &t->ifc, show, shown, meta,
				    sealed ? &h : NULL);
		if (r->watch.idle > 0)
			watch_seen(&r->watch, meta, cli_now());
		if (c->count > 0 && t->datagrams >= c->count)
			return false;
	}
	if (n > 0 && !c->quiet && !c->stats)
		flush_or_quit();
	if (c->until_end && mcast_tracker_all_ended(r->tracker)) {
		r->why = "end of stream";
		return false;
	}
	return true;
}

int cmd_recv(int argc, char **argv)
{
	static struct recv_cfg c;
	static struct tally t;
	static unsigned char bufs[BATCH][DGRAM_MAX];
	struct mcast_meta metas[BATCH];
	struct mcast_dgram v[BATCH];
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
	trust_start(&r.trust, &c.trust, TRUST_OPEN);
	rc = mcast_receiver_open(&r.m, &c.opts);
	if (rc < 0)
		cli_fail_step(rc == MCAST_ENOIFACE ? EXIT_USAGE : EXIT_RUNTIME,
			      step, rc, "cannot open receiver");
	if (c.stats && (rc = mcast_tracker_new(&r.tracker, NULL)) < 0)
		cli_die(EXIT_RUNTIME, "cannot allocate statistics: %s",
			mcast_strerror(rc));
	cli_signals();
	cli_stdout_lines();
	join_all(r.m, &c);
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
		report_totals(r.tracker, &r.prev);
	for (size_t i = 0; i < BATCH; i++) {
		mcast_meta_init(&metas[i]);
		v[i] = (struct mcast_dgram){ .buf = bufs[i],
					     .cap = DGRAM_MAX,
					     .meta = &metas[i] };
	}

	for (;;) {
		if (cli_stop)
			break;
		if (r.deadline > 0 && cli_now() >= r.deadline) {
			r.why = "timeout";
			break;
		}
		size_t want = BATCH;
		if (c.count > 0 && (long long)want > c.count - t.datagrams)
			want = (size_t)(c.count - t.datagrams);
		rc = mcast_recv_batch(r.m, v, want, wait_ms(&r));
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
		trust_tick(&r.trust, cli_now());
	}
	struct mcast_info info = { .size = sizeof(info) };
	struct mcast_rejects rej;
	struct report_host host;

	mcast_get_info(r.m, &info);
	host = (struct report_host){
		.kernel_drops = info.kernel_drops,
		.gro = (c.opts.flags & MCAST_OPT_GRO) &&
		       !(info.warnings & MCAST_WARN_GRO_OFF),
		.rcvbuf = info.rcvbuf_effective,
		.rejects = trust_rejects(&r.trust, &rej) ? &rej : NULL,
	};
	mcast_close(r.m);
	if (r.live)
		fputs("\r\033[K", stderr);
	if (c.stats) {
		report_summary(stdout, c.format == FMT_JSON, r.tracker, &host,
			       cli_now() - r.start, r.why);
		flush_or_quit();
	} else if (info.kernel_drops) {
		cli_warn(
			"the kernel dropped %llu datagrams because the receive buffer (%d bytes) was full; raise --rcvbuf or net.core.rmem_max",
			(unsigned long long)info.kernel_drops,
			info.rcvbuf_effective);
	}
	if (!c.stats) /* the summary shows them otherwise */
		trust_say_rejects(&r.trust);
	trust_stop(&r.trust);
	status = finish(&c, &t, r.why);
	if (c.stats) {
		int v2 = verdicts(&c, r.tracker);

		if (v2 != EXIT_OK)
			status = v2;
		mcast_tracker_free(r.tracker);
	}
	return status;
}
