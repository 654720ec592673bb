/* SPDX-License-Identifier: MIT */
/*
 * mcast monitor's MPEG-TS view of a group: counters per PID and the
 * TR 101 290 priority 1 indicators, summed over the group's TS entries
 * each second.  PIDs get a slot at first sight, up to MON_PIDS_MAX, and
 * keep it: a PID past that, or one the tracker's own table had no room
 * for, is counted under "other", so the PIDs' counts add up to the
 * group's and a stream with made-up PIDs cannot grow the metrics' labels.
 */
#include "monitor.h"
#include "json.h"

#include <stdlib.h>
#include <string.h>

#define TS_PIDS	  8192
#define TS_PACKET 188

/* The standard's names (ETSI TR 101 290 5.2.1) in lower case, as recv's
 * JSON has them: for the "indicator" label and the JSON keys. */
const char *const mon_p1_names[MON_P1_N] = {
	[MON_P1_SYNC_LOSS] = "ts_sync_loss",
	[MON_P1_SYNC_BYTE] = "sync_byte_error",
	[MON_P1_PAT] = "pat_error",
	[MON_P1_CC] = "continuity_count_error",
	[MON_P1_PMT] = "pmt_error",
	[MON_P1_PID] = "pid_error",
};

/* The slot of a PID: its own, a new one, or NULL for "other". */
static struct mon_pid *slot(struct mon_ts *ts, unsigned pid)
{
	for (size_t k = 0; k < ts->npids; k++)
		if (ts->pids[k].pid == pid)
			return &ts->pids[k];
	if (ts->npids == MON_PIDS_MAX) {
		if (!(ts->in_other[pid / 8] & (1u << (pid % 8)))) {
			ts->in_other[pid / 8] |= (uint8_t)(1u << (pid % 8));
			ts->other_pids++;
		}
		return NULL;
	}
	struct mon_pid *p = &ts->pids[ts->npids++];

	memset(p, 0, sizeof(*p));
	p->pid = pid;
	return p;
}

static uint64_t less(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

static void pid_add(struct mon_pid *p, const struct mcast_pid_stats *ps,
		    struct mon_pid_counts *in_slots)
{
	p->sum.packets += ps->packets;
	p->sum.lost += ps->lost;
	p->sum.cc_errors += ps->cc_errors;
	in_slots->packets += ps->packets;
	in_slots->lost += ps->lost;
	in_slots->cc_errors += ps->cc_errors;
}

/* Every PID of entry i, slots given to new ones.  They come in ascending
 * order, and ts_pids says when all were had; but the null PID (8191) is
 * common, so the walk costs 8192 lookups - hence slotted_pids(). */
static void walk_pids(struct mon_ts *ts, const mcast_tracker_t *t, size_t i,
		      const struct mcast_stream_stats *s,
		      struct mon_pid_counts *in_slots)
{
	struct mcast_pid_stats ps;
	unsigned found = 0;
	bool all_seen = true;

	for (unsigned pid = 0; pid < TS_PIDS && found < s->ts_pids; pid++) {
		struct mon_pid *p;

		mcast_pid_stats_init(&ps);
		if (mcast_tracker_get_pid(t, i, pid, &ps) != 0)
			continue;
		found++;
		if (!(ps.flags & MCAST_PID_SEEN))
			all_seen = false;
		else if ((p = slot(ts, pid)))
			pid_add(p, &ps, in_slots);
	}
	ts->walked_pids = s->ts_pids;
	ts->walked_all_seen = all_seen;
}

/* The PIDs that have slots, when no other can be new: at most
 * MON_PIDS_MAX lookups a second instead of 8192. */
static void slotted_pids(struct mon_ts *ts, const mcast_tracker_t *t, size_t i,
			 struct mon_pid_counts *in_slots)
{
	struct mcast_pid_stats ps;

	for (size_t k = 0; k < ts->npids; k++) {
		mcast_pid_stats_init(&ps);
		if (mcast_tracker_get_pid(t, i, ts->pids[k].pid, &ps) == 0)
			pid_add(&ts->pids[k], &ps, in_slots);
	}
}

/* Entry i (of stream TS or RTP_TS, group g) into g's sums this second. */
void mon_ts_add(struct mon_group *g, const mcast_tracker_t *t, size_t i,
		const struct mcast_stream_stats *s)
{
	const uint64_t p1[MON_P1_N] = {
		[MON_P1_SYNC_LOSS] = s->ts_sync_loss,
		[MON_P1_SYNC_BYTE] = s->ts_sync_byte_errors,
		[MON_P1_PAT] = s->ts_pat_errors,
		[MON_P1_CC] = s->ts_cc_errors,
		[MON_P1_PMT] = s->ts_pmt_errors,
		[MON_P1_PID] = s->ts_pid_errors,
	};
	struct mon_pid_counts in_slots = { 0 };
	struct mon_ts *ts;

	if (!g->ts && !(g->ts = calloc(1, sizeof(*g->ts))))
		cli_die(EXIT_RUNTIME, "out of memory");
	ts = g->ts;
	for (int k = 0; k < MON_P1_N; k++)
		ts->p1_sum[k] += p1[k];
	if (ts->entries++ == 0 && ts->entries_prev == 1 &&
	    s->ts_pids == ts->walked_pids && ts->walked_all_seen)
		slotted_pids(ts, t, i, &in_slots);
	else
		walk_pids(ts, t, i, s, &in_slots);
	ts->other.sum.packets += less(s->ts_packets, in_slots.packets);
	ts->other.sum.lost += less(s->ts_lost, in_slots.lost);
	ts->other.sum.cc_errors += less(s->ts_cc_errors, in_slots.cc_errors);
}

static void grow_to(uint64_t *have, uint64_t sum)
{
	if (sum > *have)
		*have = sum;
}

static void pid_take(struct mon_pid *p)
{
	grow_to(&p->c.packets, p->sum.packets);
	grow_to(&p->c.lost, p->sum.lost);
	grow_to(&p->c.cc_errors, p->sum.cc_errors);
	memset(&p->sum, 0, sizeof(p->sum));
}

/* This second's sums into the counters; an entry the tracker retired for
 * space takes its counts out of the sums, not out of the counters. */
void mon_ts_take(struct mon_ts *ts)
{
	if (!ts)
		return;
	ts->entries_prev = ts->entries;
	ts->entries = 0;
	for (int k = 0; k < MON_P1_N; k++) {
		grow_to(&ts->p1[k], ts->p1_sum[k]);
		ts->p1_sum[k] = 0;
	}
	for (size_t k = 0; k < ts->npids; k++)
		pid_take(&ts->pids[k]);
	pid_take(&ts->other);
}

static void pid_rate(struct mon_pid *p, double len)
{
	p->bitrate =
		(double)(p->c.packets - p->prev_packets) * TS_PACKET * 8 / len;
	p->prev_packets = p->c.packets;
}

void mon_ts_rates(struct mon_ts *ts, double len)
{
	if (!ts)
		return;
	for (size_t k = 0; k < ts->npids; k++)
		pid_rate(&ts->pids[k], len);
	pid_rate(&ts->other, len);
}

static void json_pid(struct json *j, const struct mon_pid *p, bool other)
{
	json_object(j, NULL);
	if (other)
		json_string(j, "pid", "other");
	else
		json_uint(j, "pid", p->pid);
	json_uint(j, "packets", p->c.packets);
	json_uint(j, "lost", p->c.lost);
	json_uint(j, "cc_errors", p->c.cc_errors);
	json_double(j, "bitrate", p->bitrate, 1);
	json_end(j);
}

/* "tr101290" and "pids" of an interval record, as the metrics have them. */
void mon_ts_json(struct json *j, const struct mon_ts *ts)
{
	if (!ts)
		return;
	json_object(j, "tr101290");
	for (int k = 0; k < MON_P1_N; k++)
		json_uint(j, mon_p1_names[k], ts->p1[k]);
	json_end(j);
	json_array(j, "pids");
	for (size_t k = 0; k < ts->npids; k++)
		json_pid(j, &ts->pids[k], false);
	if (ts->other_pids || ts->other.c.packets)
		json_pid(j, &ts->other, true);
	json_end(j);
	json_uint(j, "pids_other", ts->other_pids);
}
