/* SPDX-License-Identifier: MIT */
/*
 * mcast monitor: recv --stats for every group of a site, always on.  One
 * receiver handle joins every group (recv's join path: sockets per port
 * as the library opens them), one tracker reads every datagram, and the
 * monitor keeps per group and per sender what a dashboard plots: counts,
 * bitrate, silences and outages, join latency.  SIGHUP re-reads the group
 * file and joins or leaves the difference, keeping the counters of the
 * groups that stay.
 */
#include "monitor.h"
#include "events.h"
#include "recv_watch.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BATCH	  64
#define DGRAM_MAX 65536
/*
 * After a batch that emptied the sockets, wait this long before reading
 * again, so that the next read finds a few datagrams on each socket
 * rather than one: with 1000 groups at 100/s each, spread over 50
 * sockets, reading each datagram as it came cost about two system calls
 * a datagram and twice the CPU (bench/monitor.sh).  Arrival times are
 * the kernel's, so jitter is unaffected; a full batch reads on at once.
 */
#define COALESCE_NS 1000000L
/* How often silence is looked for, and the second's work done. */
#define MON_CHECK_EVERY 0.05

static volatile sig_atomic_t reload_asked;

static void on_hup(int sig)
{
	(void)sig;
	reload_asked = 1;
}

static int group_ptr_cmp(const void *a, const void *b)
{
	const struct mon_group *x = *(struct mon_group *const *)a;
	const struct mon_group *y = *(struct mon_group *const *)b;

	return mon_group_cmp(&x->spec.group, &y->spec.group, true);
}

/* The group a datagram was sent to, by bisection; NULL if none. */
struct mon_group *mon_find_group(const struct monitor *mon,
				 const struct sockaddr_storage *dst)
{
	size_t lo = 0, hi = mon->ng;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = mon_group_cmp(dst, &mon->g[mid]->spec.group, false);

		if (c == 0)
			return mon->g[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static bool same_source(const struct sockaddr_storage *a,
			const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	return a->ss_family == AF_UNSPEC || /* any source, both */
	       mcast_addr_same((const struct sockaddr *)a,
			       (const struct sockaddr *)b, 1);
}

/* The sender's entry in g; past MON_SENDERS_MAX, the "other" one. */
struct mon_sender *mon_find_sender(struct mon_group *g,
				   const struct sockaddr_storage *src, bool add)
{
	for (size_t i = 0; i < g->nsenders; i++)
		if (same_source(&g->senders[i].src, src))
			return &g->senders[i];
	if (!add)
		return NULL;
	if (g->nsenders == MON_SENDERS_MAX) {
		mon_count_other(g, src);
		return &g->other;
	}
	if (g->nsenders == g->senders_cap) {
		size_t cap = g->senders_cap ? 2 * g->senders_cap : 1;
		void *p = realloc(g->senders, cap * sizeof(*g->senders));

		if (!p)
			cli_die(EXIT_RUNTIME, "out of memory");
		g->senders = p;
		g->senders_cap = cap;
	}
	struct mon_sender *s = &g->senders[g->nsenders++];

	memset(s, 0, sizeof(*s));
	s->src = *src;
	s->stream = MCAST_STREAM_UNKNOWN;
	return s;
}

/* Name of the interface the group is joined on, for labels. */
static void join_iface(struct mon_group *g, const char *opt_iface)
{
	const struct sockaddr *ga = (const struct sockaddr *)&g->spec.group;
	struct mcast_iface ifc;
	int idx = (int)mcast_addr_scope(ga);

	if (!idx && opt_iface && mcast_iface_lookup(opt_iface, &ifc) == 0)
		idx = (int)ifc.index;
	if (!idx)
		idx = mcast_route_iface(ga);
	if (idx > 0 && mcast_iface_by_index((unsigned)idx, &ifc) == 0)
		snprintf(g->iface, sizeof(g->iface), "%s", ifc.name);
	else
		snprintf(g->iface, sizeof(g->iface), "%s", "");
}

static bool join_group(struct monitor *mon, struct mon_group *g)
{
	const struct mon_spec *s = &g->spec;
	bool ssm = s->source.ss_family != AF_UNSPEC;
	struct timespec now;
	int rc = mcast_join(mon->m, (const struct sockaddr *)&s->group,
			    ssm ? &s->source : NULL, ssm ? 1 : 0);

	if (rc < 0) {
		cli_warn("cannot join %s: %s%s%s", s->text, mcast_strerror(rc),
			 rc == -ENODEV ? "; " : "",
			 rc == -ENODEV ? cli_advice(rc) : "");
		return false;
	}
	g->joined = true;
	g->tracker = mon_tracker_for(mon, s);
	g->joined_at = cli_now();
	join_iface(g, mon->cfg->opts.iface);
	clock_gettime(CLOCK_REALTIME, &now);
	if (mcast_tracker_listening(
		    g->tracker, (const struct sockaddr *)&s->group, &now) < 0)
		cli_die(EXIT_RUNTIME, "out of memory");
	return true;
}

static void leave_group(struct monitor *mon, struct mon_group *g)
{
	int rc = mcast_leave(mon->m, (const struct sockaddr *)&g->spec.group);

	if (rc < 0)
		cli_warn("leaving %s: %s", g->spec.text, mcast_strerror(rc));
}

/*
 * Make the joined set what want says: groups that stay keep their
 * counters (a new name or stream type is taken over), the others are
 * left - first, since a group whose source changed is left and joined
 * again - and new ones joined.  Returns how many groups are joined.
 */
static size_t reconcile(struct monitor *mon, const struct mon_spec *want,
			size_t n)
{
	struct mon_group **old = mon->g, **slot = calloc(n + 1, sizeof(*slot));
	size_t nold = mon->ng, added = 0, left = 0;

	if (!slot)
		cli_die(EXIT_RUNTIME, "out of memory");
	mon->g = NULL;
	mon->ng = mon->gcap = 0;
	for (size_t i = 0; i < nold; i++)
		old[i]->present = false;
	for (size_t i = 0; i < n && nold; i++) {
		struct mon_group key = { .spec = want[i] }, *kp = &key, **hit;

		hit = bsearch(&kp, old, nold, sizeof(*old), group_ptr_cmp);
		/* A new source or stream type makes a new group. */
		if (hit && same_source(&(*hit)->spec.source, &want[i].source) &&
		    mon_same_stream(&(*hit)->spec, &want[i])) {
			slot[i] = *hit;
			(*hit)->present = true;
		}
	}
	for (size_t i = 0; i < nold; i++) {
		if (old[i]->present)
			continue;
		leave_group(mon, old[i]);
		free(old[i]->ts);
		free(old[i]->senders);
		free(old[i]->other_seen);
		free(old[i]);
		left++;
	}
	free(old);
	for (size_t i = 0; i < n; i++) {
		struct mon_group *g = slot[i];

		if (g) {
			memcpy(g->spec.name, want[i].name,
			       sizeof(g->spec.name));
			g->spec.line = want[i].line;
		} else {
			if (!(g = calloc(1, sizeof(*g))))
				cli_die(EXIT_RUNTIME, "out of memory");
			g->spec = want[i];
			g->silent = true; /* until its first datagram */
			if (!join_group(mon, g)) {
				free(g);
				continue;
			}
			added++;
		}
		cli_grow(&mon->g, &mon->gcap, mon->ng, sizeof(*mon->g));
		mon->g[mon->ng++] = g;
	}
	free(slot);
	if (mon->ng)
		qsort(mon->g, mon->ng, sizeof(*mon->g), group_ptr_cmp);
	if (nold || left)
		cli_info("groups: %zu joined, %zu left, %zu kept", added, left,
			 mon->ng - added);
	return mon->ng;
}

static int spec_cmp(const void *a, const void *b)
{
	return mon_group_cmp(&((const struct mon_spec *)a)->group,
			     &((const struct mon_spec *)b)->group, true);
}

/* The groups wanted now: the command line's and the file's.  -1 with the
 * reason in err when the file cannot be had or repeats a group. */
static int wanted(const struct mon_cfg *c, struct mon_spec **out, size_t *n,
		  char *err, size_t errlen)
{
	struct mon_spec *file = NULL, *all, *sorted;
	size_t nf = 0, na;

	if (c->groups_file &&
	    mon_specs_read(c->groups_file, &file, &nf, err, errlen) < 0)
		return -1;
	na = c->nargs + nf;
	all = malloc((na + 1) * sizeof(*all));
	sorted = malloc((na + 1) * sizeof(*all));
	if (!all || !sorted)
		cli_die(EXIT_RUNTIME, "out of memory");
	if (c->nargs)
		memcpy(all, c->args, c->nargs * sizeof(*all));
	if (nf)
		memcpy(all + c->nargs, file, nf * sizeof(*all));
	free(file);
	memcpy(sorted, all, na * sizeof(*all));
	qsort(sorted, na, sizeof(*sorted), spec_cmp);
	for (size_t i = 1; i < na; i++) {
		if (spec_cmp(&sorted[i - 1], &sorted[i]) != 0)
			continue;
		snprintf(err, errlen, "%s: %s is given twice%s",
			 c->groups_file ? c->groups_file : "command line",
			 sorted[i].text,
			 c->groups_file ? " (file and command line)" : "");
		free(sorted);
		free(all);
		return -1;
	}
	free(sorted);
	*out = all;
	*n = na;
	return 0;
}

static void reload(struct monitor *mon)
{
	struct mon_spec *want;
	size_t n;
	char err[400];

	if (wanted(mon->cfg, &want, &n, err, sizeof(err)) < 0) {
		cli_warn("SIGHUP: %s; keeping the %zu groups joined", err,
			 mon->ng);
		return;
	}
	reconcile(mon, want, n);
	free(want);
}

/* One datagram: the group's and the sender's counts, its silence over. */
static void take(struct monitor *mon, const struct mcast_dgram *d)
{
	const struct mcast_meta *meta = d->meta;
	struct mon_group *g = mon_find_group(mon, &meta->dst);
	struct mon_sender *s;

	if (!g)
		return; /* a group left a moment ago */
	mcast_tracker_feed(g->tracker, d->buf, d->len, meta);
	g->datagrams++;
	g->bytes += meta->len;
	s = mon_find_sender(g, &meta->src, true);
	s->datagrams++;
	s->bytes += meta->len;
	if (!g->first_at) {
		g->first_at = mon->now;
		g->join_latency = mon->now - g->joined_at;
		g->silent = false;
		mon_event(mon, g, "receiving", "join_latency_s",
			  g->join_latency);
	} else if (g->silent) {
		double gap = mon->now - g->last_at;

		g->outage_s += gap;
		g->silent = false;
		mon_event(mon, g, "back", "outage_s", gap);
	}
	g->last_at = mon->now;
}

/* Groups quiet for --idle become silent: one event each. */
static void check_silence(struct monitor *mon)
{
	double idle = mon->cfg->idle;

	for (size_t i = 0; i < mon->ng; i++) {
		struct mon_group *g = mon->g[i];
		double since = g->first_at ? g->last_at : g->joined_at;

		if (g->silent) {
			/* Never heard: said once, after the first --idle. */
			if (!g->first_at && !g->said_silent &&
			    mon->now - g->joined_at >= idle) {
				g->said_silent = true;
				mon_event(mon, g, "silent", "silent_s",
					  mon->now - g->joined_at);
			}
			continue;
		}
		if (mon->now - since >= idle) {
			g->silent = true;
			g->outages++; /* counted as it begins, for alerts */
			mon_event(mon, g, "silent", "silent_s",
				  mon->now - since);
		}
	}
}

/* Bitrates over the interval that just ended, len seconds. */
static void interval_rates(struct monitor *mon, double len)
{
	for (size_t i = 0; i < mon->ng; i++) {
		struct mon_group *g = mon->g[i];

		g->bitrate = (double)(g->bytes - g->prev_bytes) * 8 / len;
		g->rate = (double)(g->datagrams - g->prev_datagrams) / len;
		g->prev_bytes = g->bytes;
		g->prev_datagrams = g->datagrams;
		for (size_t k = 0; k <= g->nsenders; k++) {
			struct mon_sender *s =
				k < g->nsenders ? &g->senders[k] : &g->other;

			s->bitrate =
				(double)(s->bytes - s->prev_bytes) * 8 / len;
			s->prev_bytes = s->bytes;
		}
		mon_ts_rates(g->ts, len);
	}
}

/* --max-loss: exit 1 when a group lost more than that. */
static int verdict(const struct monitor *mon)
{
	int status = EXIT_OK;
	char s[32];

	for (size_t i = 0; i < mon->ng && mon->cfg->max_loss >= 0; i++) {
		const struct mon_group *g = mon->g[i];

		if (mon_loss_pct(g) <= mon->cfg->max_loss)
			continue;
		fprintf(stderr,
			"%s: %s: loss %.3f%% (%llu datagrams) exceeds --max-loss %s%%\n",
			cli_prog, g->spec.text, mon_loss_pct(g),
			(unsigned long long)g->p.lost,
			cli_num(mon->cfg->max_loss, s, sizeof(s)));
		status = EXIT_RUNTIME;
	}
	return status;
}

/* The second's work: counters from the tracker, metrics, the table. */
struct timers {
	double next_check, next_second, next_interval, deadline;
	bool table; /* text on a terminal: the table, redrawn */
};

static void second(struct monitor *mon, const struct timers *t)
{
	mon_from_tracker(mon);
	if (mon->cfg->metrics.text)
		mon_metrics_publish(mon);
	if (!t->table)
		return;
	for (size_t i = 0; i < mon->ng; i++) {
		struct mon_group *g = mon->g[i];
		double len = mon->now - (g->sec_at ? g->sec_at : mon->start);

		g->sec_bitrate =
			len > 0 ? (double)(g->bytes - g->sec_bytes) * 8 / len
				: 0;
		g->sec_bytes = g->bytes;
		g->sec_at = mon->now;
	}
	mon_report_table(mon, stdout);
}

static void interval(struct monitor *mon, double to)
{
	double from = mon->interval_from;

	mon_from_tracker(mon);
	interval_rates(mon, to - from > 0 ? to - from : 1);
	mon_report_interval(mon, stdout, from, to);
	mon_report_sockets(mon, stdout, to);
	mon->interval_from = to;
}

static int wait_ms(const struct monitor *mon, const struct timers *t,
		   const struct watch *w)
{
	double due = t->next_check, wd = watch_due(w);

	if (wd > 0 && wd < due)
		due = wd;
	if (t->deadline > 0 && t->deadline < due)
		due = t->deadline;
	return due <= mon->now ? 0 : cli_poll_ms(due - mon->now);
}

static void run(struct monitor *mon, struct watch *w, struct timers *t)
{
	static unsigned char bufs[BATCH][DGRAM_MAX];
	struct mcast_meta metas[BATCH];
	struct mcast_dgram v[BATCH];

	for (size_t i = 0; i < BATCH; i++) {
		mcast_meta_init(&metas[i]);
		v[i] = (struct mcast_dgram){ .buf = bufs[i],
					     .cap = DGRAM_MAX,
					     .meta = &metas[i] };
	}
	while (!cli_stop) {
		int rc = mcast_recv_batch(mon->m, v, BATCH,
					  cli_wait_ms(wait_ms(mon, t, w)));

		if (rc < 0 && rc != -EINTR)
			cli_fail_call(EXIT_RUNTIME, mon->m, rc, "receive");
		mon->now = cli_now();
		for (int i = 0; i < rc; i++)
			take(mon, &v[i]);
		if (rc > 0 && rc < BATCH)
			nanosleep(&(struct timespec){ .tv_nsec = COALESCE_NS },
				  NULL);
		if (reload_asked) {
			reload_asked = 0;
			reload(mon);
		}
		if (t->deadline > 0 && mon->now >= t->deadline)
			break;
		if (mon->now < t->next_check)
			continue;
		t->next_check = mon->now + MON_CHECK_EVERY;
		check_silence(mon);
		unsigned rejoined = w->rejoined;

		watch_tick(w, mon->now);
		if (w->rejoined != rejoined) {
			struct timespec ts;

			clock_gettime(CLOCK_REALTIME, &ts);
			for (size_t i = 0; i < mon->ng; i++)
				mcast_tracker_listening(
					mon->g[i]->tracker,
					(const struct sockaddr *)&mon->g[i]
						->spec.group,
					&ts);
		}
		if (mon->now >= t->next_interval) {
			interval(mon, t->next_interval - mon->start);
			t->next_interval += mon->cfg->interval;
		}
		if (mon->now >= t->next_second) {
			second(mon, t);
			t->next_second = mon->now + 1.0;
		}
	}
}

int cmd_monitor(int argc, char **argv)
{
	static struct mon_cfg c;
	struct monitor mon = { .cfg = &c };
	struct watch w = { 0 };
	struct timers t = { 0 };
	struct mon_spec *want;
	struct sigaction sa;
	size_t n;
	char err[400], step[MCAST_ERRMSG_MAX] = "";
	int rc, status;

	monitor_parse_args(argc, argv, &c);
	if (wanted(&c, &want, &n, err, sizeof(err)) < 0)
		cli_die(EXIT_USAGE, "%s", err);
	if (n == 0)
		cli_die(EXIT_USAGE, "%s names no group; add GROUP:PORT lines",
			c.groups_file);
	events_json = c.json;
	c.opts.errbuf = step;
	c.opts.errlen = sizeof(step);
	if (c.opts.iface)
		c.opts.flags |= MCAST_OPT_WATCH;
	rc = mcast_receiver_open(&mon.m, &c.opts);
	if (rc < 0)
		cli_fail_step(rc == MCAST_ENOIFACE ? EXIT_USAGE : EXIT_RUNTIME,
			      step, rc, "cannot open receiver");
	if (c.metrics.text &&
	    mon_metrics_start(&c.metrics.addr, err, sizeof(err)) < 0)
		cli_die(EXIT_RUNTIME, "--metrics %s: %s", c.metrics.text, err);
	cli_signals();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_hup;
	sigaction(SIGHUP, &sa, NULL);
	cli_stdout_lines();
	mon.start = mon.now = cli_now();
	if (reconcile(&mon, want, n) == 0)
		cli_die(EXIT_RUNTIME, "no group could be joined");
	free(want);
	cli_info("monitoring %zu group%s", mon.ng, mon.ng == 1 ? "" : "s");
	w.events = c.opts.flags & MCAST_OPT_WATCH;
	w.rejoin = c.rejoin;
	watch_start(&w, mon.m, mon.start);
	t.table = mon.table = !c.json && isatty(STDOUT_FILENO);
	t.next_check = mon.start;
	t.next_second = mon.start + 1.0;
	t.next_interval = mon.start + c.interval;
	if (c.duration > 0)
		t.deadline = mon.start + c.duration;
	if (c.metrics.text)
		mon_metrics_publish(&mon);
	run(&mon, &w, &t);
	/* The last, partial interval too, so the records add up. */
	mon.now = cli_now();
	if (mon.now - mon.start > mon.interval_from + 0.001)
		interval(&mon, mon.now - mon.start);
	status = verdict(&mon);
	mon_metrics_stop();
	watch_free(&w);
	mcast_close(mon.m);
	for (size_t i = 0; i < mon.ntrackers; i++)
		mcast_tracker_free(mon.trackers[i].t);
	free(mon.trackers);
	for (size_t i = 0; i < mon.ng; i++) {
		free(mon.g[i]->ts);
		free(mon.g[i]->senders);
		free(mon.g[i]->other_seen);
		free(mon.g[i]);
	}
	free(mon.g);
	return status;
}
