/* SPDX-License-Identifier: MIT */
/*
 * RTP (RFC 3550): the header, read field by field and never trusted, and
 * a session's sequence and jitter accounting (appendix A.1 and A.8).
 *
 * A.1 validates a source before counting it and drops what it cannot
 * place; a receiver's report must instead count every datagram that was
 * delivered, so here every datagram counts: those of a probation that
 * failed, and a stray far from the sequence, are expected numbers of
 * their own (entry.prior), neither received nor lost twice.  Duplicates
 * and reordering come from the tracker's bitmap (mc_sequence()) on the
 * extended sequence numbers, exactly as for mcast's own probes.
 */
#include "stream_internal.h"
#include "wire_internal.h"

#include <string.h>

#define MC_RTP_HDR	  12
#define MC_MAX_DROPOUT	  3000 /* A.1 */
#define MC_MAX_MISORDER	  100
#define MC_MIN_SEQUENTIAL 2
#define MC_RTP_SEQ_MOD	  65536u
#define MC_JITTER_DIVISOR 16
/* Extended numbers start one cycle up, so a datagram reordered from
 * before the first one received still has a number >= 0. */
#define MC_RTP_BASE MC_RTP_SEQ_MOD

/*
 * Version 2, then the CSRC list, the extension (its length in 32-bit
 * words) and the padding (its count in the last byte, which it includes)
 * must all lie inside the datagram.  Returns 0, or MCAST_ESHORT /
 * MCAST_EMALFORMED / MCAST_EVERSION.
 */
int mc_rtp_parse(struct mc_rtp_hdr *h, const uint8_t *p, size_t len)
{
	size_t off, end = len;
	unsigned cc;

	if (len < MC_RTP_HDR)
		return MCAST_ESHORT;
	if (p[0] >> 6 != 2)
		return MCAST_EVERSION;
	cc = p[0] & 0x0f;
	off = MC_RTP_HDR + 4 * (size_t)cc;
	if (off > len)
		return MCAST_ESHORT;
	if (p[0] & 0x10) {
		if (off + 4 > len)
			return MCAST_ESHORT;
		off += 4 + 4 * (size_t)mc_get16(p + off + 2);
		if (off > len)
			return MCAST_ESHORT;
	}
	if (p[0] & 0x20) {
		unsigned pad = p[len - 1];

		if (pad == 0 || pad > len - off)
			return MCAST_EMALFORMED;
		end = len - pad;
	}
	h->marker = p[1] >> 7;
	h->pt = p[1] & 0x7f;
	h->seq = mc_get16(p + 2);
	h->ts = mc_get32(p + 4);
	h->ssrc = mc_get32(p + 8);
	h->off = off;
	h->len = end - off;
	return 0;
}

/* RFC 3551 table 4 and 5: the static payload types' clock rates. */
static const uint32_t mc_rtp_rates[35] = {
	[0] = 8000,   [3] = 8000,   [4] = 8000,	  [5] = 8000,	[6] = 16000,
	[7] = 8000,   [8] = 8000,   [9] = 8000,	  [10] = 44100, [11] = 44100,
	[12] = 8000,  [13] = 8000,  [14] = 90000, [15] = 8000,	[16] = 11025,
	[17] = 22050, [18] = 8000,  [25] = 90000, [26] = 90000, [28] = 90000,
	[31] = 90000, [32] = 90000, [33] = 90000, [34] = 90000,
};

uint32_t mc_rtp_clock(unsigned pt, unsigned dynamic_rate)
{
	if (pt < sizeof(mc_rtp_rates) / sizeof(mc_rtp_rates[0]) &&
	    mc_rtp_rates[pt])
		return mc_rtp_rates[pt];
	return dynamic_rate;
}

/* A payload type some sender would use: a static one, or dynamic.  (72
 * to 76 would be RTCP's packet types 200 to 204 with the marker bit.) */
bool mc_rtp_plausible_pt(unsigned pt)
{
	return (pt < 35 && mc_rtp_rates[pt]) || (pt >= 96 && pt <= 127);
}

/* A.8: J += (|D| - J) / 16, D in timestamp units from the arrival times
 * (the kernel's) and the RTP timestamps of consecutive datagrams. */
static void mc_rtp_jitter(struct mc_rtp *r, const struct mc_rtp_hdr *h,
			  int64_t now_ns)
{
	double d;

	if (!r->rate || !now_ns)
		return;
	if (r->have_transit) {
		d = (double)(now_ns - r->last_arrival_ns) * r->rate / 1e9 -
		    (double)(int32_t)(h->ts - r->last_ts);
		if (d < 0)
			d = -d;
		r->jitter += (d - r->jitter) / MC_JITTER_DIVISOR;
		if (r->jitter > r->jitter_max)
			r->jitter_max = r->jitter;
	}
	r->last_arrival_ns = now_ns;
	r->last_ts = h->ts;
	r->have_transit = true;
}

/* Count a datagram that A.1 would not place: expected by itself. */
static int mc_rtp_stray(struct mc_entry *e, size_t len)
{
	e->received++;
	e->prior++;
	e->bytes += len;
	return MCAST_FEED_STREAM;
}

/* The extended number of seq under A.1's rules, or false for a stray
 * (a jump A.1 waits to see confirmed by the next datagram). */
static bool mc_rtp_extend(struct mcast_tracker *t, uint32_t i, struct mc_rtp *r,
			  uint16_t seq, uint64_t *ext)
{
	uint16_t udelta;

	if (!r->have || r->probation) {
		if (r->have && seq == (uint16_t)(r->max_seq + 1)) {
			r->probation--;
		} else {
			/* A new source, or a probation that failed: a new
			 * run from this datagram. */
			if (r->have)
				mc_seq_restart(t, i);
			r->have = true;
			r->probation = MC_MIN_SEQUENTIAL - 1;
			r->cycles = MC_RTP_BASE;
			r->bad_seq = MC_RTP_SEQ_MOD + 1;
		}
		r->max_seq = seq;
		*ext = r->cycles + seq;
		return true;
	}
	udelta = (uint16_t)(seq - r->max_seq);
	if (udelta < MC_MAX_DROPOUT) {
		if (seq < r->max_seq)
			r->cycles += MC_RTP_SEQ_MOD;
		r->max_seq = seq;
		r->bad_seq = MC_RTP_SEQ_MOD + 1;
		*ext = r->cycles + seq;
		return true;
	}
	if (udelta <= MC_RTP_SEQ_MOD - MC_MAX_MISORDER) {
		if (seq != r->bad_seq) {
			r->bad_seq = (uint16_t)(seq + 1);
			return false;
		}
		/* Two in sequence after a jump: the source restarted. */
		mc_seq_restart(t, i);
		r->cycles = MC_RTP_BASE;
		r->max_seq = seq;
		r->bad_seq = MC_RTP_SEQ_MOD + 1;
		*ext = r->cycles + seq;
		return true;
	}
	/* Reordered or duplicated: behind max_seq, maybe across a wrap. */
	*ext = r->cycles + seq;
	if (seq > r->max_seq)
		*ext -= MC_RTP_SEQ_MOD;
	return true;
}

int mc_rtp_account(struct mcast_tracker *t, uint32_t i,
		   const struct mc_rtp_hdr *h, size_t dgram_len, int64_t now_ns)
{
	struct mc_entry *e = mc_entry(t, i);
	struct mc_rtp *r = &mc_stream(t, i)->rtp;
	uint64_t ext;

	if (!r->have || h->pt != r->pt)
		r->rate = mc_rtp_clock(h->pt, t->st->rtp_clock);
	r->pt = h->pt;
	if (!mc_rtp_extend(t, i, r, h->seq, &ext))
		return mc_rtp_stray(e, dgram_len);
	if (!mc_sequence(t, i, ext)) {
		e->duplicates++;
		return MCAST_FEED_DUP;
	}
	e->received++;
	e->bytes += dgram_len;
	mc_rtp_jitter(r, h, now_ns);
	return MCAST_FEED_STREAM;
}
