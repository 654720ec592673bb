/* SPDX-License-Identifier: MIT */
/*
 * MPEG-TS (ISO/IEC 13818-1) over UDP or RTP: 188-byte packets, per PID
 * continuity counters with the standard's rules, and the time-dependent
 * ETSI TR 101 290 priority-1 checks by the caller's arrival clock
 * (docs/STREAMS.md says how each figure is computed).  PAT and PMT
 * sections are read in ts_psi.c.
 *
 * The PIDs of all sessions share one table allocated with the tracker
 * (opts.max_pids): a slab of items, an open-addressing index keyed by
 * (entry, PID) with the tracker's seed, and per session a list in order
 * of first arrival.  A PID that finds the table full is counted, not
 * tracked; a session retired for space gives its PIDs back.
 */
#include "stream_internal.h"
#include "wire_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- */
/* The shared PID table                                              */

int mc_pids_init(struct mc_pids *p, uint32_t max)
{
	uint32_t size = 2;

	while (size < 2 * max)
		size *= 2;
	p->max = max;
	p->mask = size - 1;
	p->items = calloc(max, sizeof(*p->items));
	p->index = malloc(size * sizeof(*p->index));
	if (!p->items || !p->index)
		return -ENOMEM;
	memset(p->index, 0xff, size * sizeof(*p->index)); /* MC_NONE */
	for (uint32_t i = 0; i < max; i++)
		p->items[i].next = i + 1 < max ? i + 1 : MC_NONE;
	p->free = max ? 0 : MC_NONE;
	return 0;
}

void mc_pids_free(struct mc_pids *p)
{
	free(p->items);
	free(p->index);
}

static uint32_t mc_pid_key(uint32_t entry, unsigned pid)
{
	return entry << 13 | (pid & 0x1fff);
}

static uint32_t mc_pid_hash(const struct mcast_tracker *t, uint32_t key)
{
	return mc_hash_bytes(t->seed, &key, sizeof(key));
}

struct mc_pid *mc_ts_pid(const struct mcast_tracker *t, uint32_t i,
			 unsigned pid)
{
	const struct mc_pids *p = &t->st->pids;
	uint32_t key = mc_pid_key(i, pid);

	for (uint32_t b = mc_pid_hash(t, key) & p->mask;;
	     b = (b + 1) & p->mask) {
		uint32_t j = p->index[b];

		if (j == MC_NONE)
			return NULL;
		if (p->items[j].key == key)
			return &p->items[j];
	}
}

/* A new PID of entry i, last in its list; NULL when the table is full
 * (the caller counts what it could not track). */
struct mc_pid *mc_ts_pid_add(struct mcast_tracker *t, uint32_t i, unsigned pid,
			     int64_t now_ns)
{
	struct mc_pids *p = &t->st->pids;
	struct mc_ts *ts = &mc_stream(t, i)->ts;
	struct mc_pid *it;
	uint32_t j = p->free, key = mc_pid_key(i, pid), b;

	if (j == MC_NONE)
		return NULL;
	it = &p->items[j];
	p->free = it->next;
	memset(it, 0, sizeof(*it));
	it->key = key;
	it->pid = (uint16_t)pid;
	it->next = MC_NONE;
	it->since_ns = now_ns;
	for (b = mc_pid_hash(t, key) & p->mask; p->index[b] != MC_NONE;
	     b = (b + 1) & p->mask)
		;
	p->index[b] = j;
	p->used++;
	if (ts->pid_tail == MC_NONE)
		ts->pid_head = j;
	else
		p->items[ts->pid_tail].next = j;
	ts->pid_tail = j;
	ts->npids++;
	return it;
}

static uint32_t mc_pid_hash_of(const void *t, uint32_t j)
{
	const struct mcast_tracker *tr = t;

	return mc_pid_hash(tr, tr->st->pids.items[j].key);
}

/* Entry i is leaving the table (retired) or being reused: free its PIDs. */
void mc_ts_release(struct mcast_tracker *t, uint32_t i)
{
	struct mc_pids *p = &t->st->pids;
	struct mc_ts *ts = &mc_stream(t, i)->ts;
	uint32_t j = ts->pid_head, next;

	while (j != MC_NONE) {
		next = p->items[j].next;
		mc_index_remove(p->index, p->mask, j,
				mc_pid_hash(t, p->items[j].key), mc_pid_hash_of,
				t);
		p->items[j].next = p->free;
		p->free = j;
		p->used--;
		j = next;
	}
	ts->pid_head = ts->pid_tail = ts->pid_last = MC_NONE;
	ts->npids = 0;
}

/* ---------------------------------------------------------------- */
/* Packets                                                           */

/* A datagram (or RTP payload) that is MPEG-TS: whole packets, each with
 * its sync byte. */
bool mc_ts_looks(const uint8_t *p, size_t len)
{
	if (len == 0 || len % MC_TS_PACKET)
		return false;
	for (size_t o = 0; o < len; o += MC_TS_PACKET)
		if (p[o] != MC_TS_SYNC)
			return false;
	return true;
}

/* What one packet's header and adaptation field say. */
struct mc_tsp {
	unsigned pid, afc, cc, tsc;
	bool tei, pusi, discontinuity, has_pcr;
	const uint8_t *payload;
	size_t payload_len;
};

/* Returns false for an adaptation field longer than the packet. */
static bool mc_tsp_parse(struct mc_tsp *k, const uint8_t *p)
{
	size_t off = 4;

	k->tei = p[1] & 0x80;
	k->pusi = p[1] & 0x40;
	k->pid = mc_get16(p + 1) & 0x1fff;
	k->tsc = p[3] >> 6;
	k->afc = (p[3] >> 4) & 3;
	k->cc = p[3] & 0x0f;
	k->discontinuity = k->has_pcr = false;
	k->payload = NULL;
	k->payload_len = 0;
	if (k->afc & 2) {
		unsigned aflen = p[4];

		off = 5 + (size_t)aflen;
		if (off > MC_TS_PACKET)
			return false; /* the header above stays valid */
		if (aflen > 0) {
			k->discontinuity = p[5] & 0x80;
			k->has_pcr = (p[5] & 0x10) && aflen >= 7;
		}
	}
	if (k->afc & 1) {
		k->payload = p + off;
		k->payload_len = MC_TS_PACKET - off;
	}
	return true;
}

/*
 * Continuity (13818-1 2.4.3.3): the counter advances by one with each
 * packet that has a payload and stays put in one without (adaptation
 * field only, control 10); a packet may be sent twice in a row, once;
 * discontinuity_indicator starts afresh; the null PID has no counter.
 */
static void mc_ts_cc(struct mc_ts *ts, struct mc_pid *d, const struct mc_tsp *k)
{
	unsigned expect, gap;

	if (k->pid == MC_TS_NULL_PID || k->afc == 0)
		return;
	if (k->discontinuity || !(d->flags & MC_PID_HAVE_CC)) {
		d->cc = (uint8_t)k->cc;
		d->flags = (d->flags | MC_PID_HAVE_CC) & ~MC_PID_DUP;
		return;
	}
	if (!(k->afc & 1)) {
		/* The counter of a packet without payload says nothing of
		 * the payload packets around it: an error, not a new count. */
		if (k->cc != d->cc) {
			d->cc_errors++;
			ts->c[MC_TS_CC]++;
		}
		return;
	}
	if (k->cc == d->cc) {
		if (!(d->flags & MC_PID_DUP)) {
			d->flags |= MC_PID_DUP;
			ts->c[MC_TS_DUP]++;
			return;
		}
		d->cc_errors++;
		ts->c[MC_TS_CC]++;
		return;
	}
	d->flags &= ~MC_PID_DUP;
	expect = (d->cc + 1u) & 15;
	if (k->cc != expect) {
		gap = (k->cc - expect) & 15;
		d->cc_errors++;
		d->lost += gap;
		ts->c[MC_TS_CC]++;
		ts->c[MC_TS_LOST] += gap;
	}
	d->cc = (uint8_t)k->cc;
}

/* PCR interval by arrival time; a discontinuity starts a new timeline. */
static void mc_ts_pcr(struct mc_pid *d, const struct mc_tsp *k, int64_t now_ns)
{
	if (!k->has_pcr || !now_ns)
		return;
	if ((d->flags & MC_PID_HAVE_PCR) && !k->discontinuity &&
	    now_ns - d->pcr_ns > d->pcr_max_ns)
		d->pcr_max_ns = now_ns - d->pcr_ns;
	d->pcr_ns = now_ns;
	d->flags |= MC_PID_HAVE_PCR;
}

/* TR 101 290 1.1: sync is lost after two corrupt sync bytes in a row and
 * found again after five good ones. */
static bool mc_ts_sync(struct mc_ts *ts, uint8_t b)
{
	if (b != MC_TS_SYNC) {
		ts->c[MC_TS_SYNC_BYTE]++;
		ts->sync_good = 0;
		if (ts->sync_bad < 2)
			ts->sync_bad++;
		if (ts->sync_bad >= 2 && !ts->lost_sync) {
			ts->lost_sync = true;
			ts->c[MC_TS_SYNC_LOSS]++;
		}
		return false;
	}
	ts->sync_bad = 0;
	if (ts->lost_sync && ++ts->sync_good >= 5) {
		ts->lost_sync = false;
		ts->sync_good = 0;
	}
	return true;
}

/* The entry of a packet's PID in entry i, added if new; NULL when the
 * table is full.  The last one found is remembered: consecutive packets
 * and datagrams are mostly of one PID. */
static struct mc_pid *mc_ts_pid_cached(struct mcast_tracker *t, uint32_t i,
				       struct mc_ts *ts, unsigned pid,
				       int64_t now_ns)
{
	struct mc_pid *items = t->st->pids.items, *d;

	if (ts->pid_last != MC_NONE && items[ts->pid_last].pid == pid)
		return &items[ts->pid_last];
	d = mc_ts_pid(t, i, pid);
	if (!d && !(d = mc_ts_pid_add(t, i, pid, now_ns)))
		return NULL;
	ts->pid_last = (uint32_t)(d - items);
	return d;
}

/* All of a packet past its PID's packet count: continuity, PCR, and the
 * PAT and PMTs.  The common packet (payload only, the next counter, not
 * a PSI PID) does not come here: see mc_ts_account(). */
static void mc_ts_packet(struct mcast_tracker *t, uint32_t i, struct mc_ts *ts,
			 struct mc_pid *d, const uint8_t *p, int64_t now_ns)
{
	struct mc_tsp k;

	if (!mc_tsp_parse(&k, p))
		return; /* adaptation field past the packet: nothing to trust */
	mc_ts_cc(ts, d, &k);
	mc_ts_pcr(d, &k, now_ns);
	if (k.pid == 0 && k.tsc) {
		ts->c[MC_TS_PAT]++; /* PAT scrambled */
		return;
	}
	if ((d->flags & MC_PID_PMT) && k.tsc) {
		ts->c[MC_TS_PMT]++; /* PMT scrambled */
		return;
	}
	if ((k.pid == 0 || (d->flags & MC_PID_PMT)) && k.payload && !k.tei)
		mc_psi_payload(t, i, k.pid, k.pusi, k.payload, k.payload_len,
			       now_ns);
}

/* The overdue checks: PAT or a PMT not seen for 0.5 s, a PID of a PMT
 * absent for pid_timeout.  Each absence is counted once, when it is
 * first noticed - by the next datagram of the session to arrive. */
static void mc_ts_overdue(struct mcast_tracker *t, uint32_t i, int64_t now_ns)
{
	struct mc_ts *ts = &mc_stream(t, i)->ts;
	struct mc_pids *p = &t->st->pids;

	if (!ts->pat_late && now_ns - ts->pat_ns > MC_TS_PSI_INTERVAL) {
		ts->pat_late = true;
		ts->c[MC_TS_PAT]++;
	}
	for (uint32_t j = ts->pid_head; j != MC_NONE; j = p->items[j].next) {
		struct mc_pid *d = &p->items[j];
		int64_t last;

		if ((d->flags & (MC_PID_PMT | MC_PID_LATE)) == MC_PID_PMT &&
		    now_ns - d->since_ns > MC_TS_PSI_INTERVAL) {
			d->flags |= MC_PID_LATE;
			ts->c[MC_TS_PMT]++;
		}
		if ((d->flags & (MC_PID_REF | MC_PID_GONE)) != MC_PID_REF)
			continue;
		last = d->last_ns > d->since_ns ? d->last_ns : d->since_ns;
		if (now_ns - last > t->st->pid_timeout_ns) {
			d->flags |= MC_PID_GONE;
			ts->c[MC_TS_PID]++;
		}
	}
}

/*
 * The packets of one datagram.  What is the same for every packet of a
 * PID in one datagram (its arrival time, seen, not gone) is set once per
 * run of packets of that PID, and a packet with only a payload, the next
 * counter and no PSI is finished here: mc_ts_packet() would do nothing
 * else with it.
 */
void mc_ts_account(struct mcast_tracker *t, uint32_t i, const uint8_t *p,
		   size_t len, int64_t now_ns)
{
	struct mc_ts *ts = &mc_stream(t, i)->ts;
	struct mc_pid *d = NULL;
	uint64_t packets = 0;

	if (!ts->start_ns && !ts->check_ns) {
		ts->start_ns = ts->pat_ns = now_ns;
		ts->check_ns = now_ns + MC_TS_CHECK_EVERY;
	}
	if (len % MC_TS_PACKET)
		ts->c[MC_TS_BAD_LEN]++;
	for (size_t o = 0; o + MC_TS_PACKET <= len; o += MC_TS_PACKET) {
		const uint8_t *q = p + o;
		unsigned pid = mc_get16(q + 1) & 0x1fff, cc = q[3] & 0x0f;

		if ((q[0] != MC_TS_SYNC || ts->sync_bad || ts->lost_sync) &&
		    !mc_ts_sync(ts, q[0]))
			continue;
		packets++;
		if (q[1] & 0x80)
			ts->c[MC_TS_TEI]++;
		if (!d || d->pid != pid) {
			d = mc_ts_pid_cached(t, i, ts, pid, now_ns);
			if (!d) {
				ts->c[MC_TS_PID_FULL]++;
				continue;
			}
			if (!(d->flags & MC_PID_SEEN))
				d->first_ns = now_ns;
			d->flags = (d->flags | MC_PID_SEEN) & ~MC_PID_GONE;
			d->last_ns = now_ns;
		}
		d->packets++;
		if ((q[3] & 0x30) == 0x10 && pid != 0 &&
		    (d->flags & (MC_PID_HAVE_CC | MC_PID_PMT)) ==
			    MC_PID_HAVE_CC &&
		    cc == ((d->cc + 1u) & 15)) {
			d->cc = (uint8_t)cc;
			d->flags &= ~MC_PID_DUP;
			continue;
		}
		mc_ts_packet(t, i, ts, d, q, now_ns);
	}
	ts->c[MC_TS_PACKETS] += packets;
	if (now_ns && now_ns >= ts->check_ns) {
		mc_ts_overdue(t, i, now_ns);
		ts->check_ns = now_ns + MC_TS_CHECK_EVERY;
	}
}

/* The clock moves without datagrams: a stream that stopped altogether
 * still has its PAT, PMTs and PIDs missed.  Sessions without arrival
 * times (start 0) have no clock to judge by. */
void mc_ts_tick(struct mcast_tracker *t, int64_t now_ns)
{
	const struct mc_pool *p = &t->entries;

	for (uint32_t i = p->head; i != MC_NONE; i = mc_item(p, i)->next) {
		int kind = mc_entry(t, i)->it.key.kind;
		struct mc_ts *ts = &mc_stream(t, i)->ts;

		if ((kind != MCAST_STREAM_TS && kind != MCAST_STREAM_RTP_TS) ||
		    !ts->start_ns || now_ns < ts->start_ns)
			continue;
		mc_ts_overdue(t, i, now_ns);
		ts->check_ns = now_ns + MC_TS_CHECK_EVERY;
	}
}
