/* SPDX-License-Identifier: MIT */
/*
 * The stream analyzers' insides (docs/STREAMS.md): RTP (rtp.c), MPEG-TS
 * (ts.c, ts_psi.c), sequence fields and detection (stream.c).  They hang
 * off the tracker: each entry of the tracker's table may carry a struct
 * mc_stream beside it, the way it carries a bitmap and a histogram, and
 * the sequence accounting is the tracker's own (mc_sequence()).  Never
 * installed.
 */
#ifndef STREAM_INTERNAL_H
#define STREAM_INTERNAL_H

#include "stats_internal.h"

/* ---------------------------------------------------------------- */
/* RTP (RFC 3550)                                                    */

/* One parsed RTP header: where its payload lies, never trusted further. */
struct mc_rtp_hdr {
	uint8_t pt, marker;
	uint16_t seq;
	uint32_t ts, ssrc;
	size_t off, len; /* payload */
};

/* The per-session state of RFC 3550 appendix A.1 and A.8. */
struct mc_rtp {
	bool have;
	uint8_t probation;
	uint8_t pt;
	uint16_t max_seq;
	uint32_t bad_seq; /* A.1's RTP_SEQ_MOD + 1: none */
	uint64_t cycles;  /* extended-number offset of max_seq */
	uint32_t rate;	  /* Hz; 0: unknown, no jitter */
	bool have_transit;
	int64_t last_arrival_ns;
	uint32_t last_ts;
	double jitter, jitter_max; /* timestamp units */
};

/* rtp.c */
int mc_rtp_parse(struct mc_rtp_hdr *h, const uint8_t *p, size_t len);
uint32_t mc_rtp_clock(unsigned pt, unsigned dynamic_rate);
bool mc_rtp_plausible_pt(unsigned pt);
/* Account one RTP datagram to entry i (created for its SSRC): sequence
 * (A.1, exact duplicates and reordering by the tracker's bitmap) and
 * jitter (A.8).  Returns MCAST_FEED_STREAM or MCAST_FEED_DUP. */
int mc_rtp_account(struct mcast_tracker *t, uint32_t i,
		   const struct mc_rtp_hdr *h, size_t dgram_len,
		   int64_t now_ns);

/* ---------------------------------------------------------------- */
/* MPEG-TS (ISO/IEC 13818-1, ETSI TR 101 290)                        */

#define MC_TS_PACKET	   188
#define MC_TS_SYNC	   0x47
#define MC_TS_NULL_PID	   0x1fff
#define MC_TS_PIDS	   8192	       /* PID values */
#define MC_TS_SECTION_MAX  1024	       /* PAT/PMT: section_length <= 1021 */
#define MC_TS_PSI_INTERVAL 500000000ll /* PAT/PMT at least every 0.5 s */
#define MC_TS_CHECK_EVERY  100000000ll /* overdue scans, by arrival time */

/* Counters of a TS session, in one array so sums are loops. */
enum mc_ts_count {
	MC_TS_PACKETS,
	MC_TS_LOST,
	MC_TS_CC,
	MC_TS_TEI,
	MC_TS_SYNC_BYTE,
	MC_TS_SYNC_LOSS,
	MC_TS_PAT,
	MC_TS_PMT,
	MC_TS_PID,
	MC_TS_CRC,
	MC_TS_DUP,
	MC_TS_BAD_LEN,
	MC_TS_PID_FULL,
	MC_TS_REF_FULL,
	MC_TS_NCOUNT
};

/* Bits of struct mc_pid.flags. */
enum {
	MC_PID_HAVE_CC = 1 << 0,
	MC_PID_DUP = 1 << 1,	  /* the last packet was the allowed repeat */
	MC_PID_PMT = 1 << 2,	  /* a PMT PID (from the PAT) */
	MC_PID_PCR = 1 << 3,	  /* a PCR PID (from a PMT) */
	MC_PID_REF = 1 << 4,	  /* an elementary stream of a PMT */
	MC_PID_SEEN = 1 << 5,	  /* a packet arrived */
	MC_PID_LATE = 1 << 6,	  /* PMT overdue: counted once */
	MC_PID_GONE = 1 << 7,	  /* referenced PID absent: counted once */
	MC_PID_HAVE_PCR = 1 << 8, /* pcr_ns holds the previous PCR's */
};

/* One PID of one session, in the tracker's shared PID table. */
struct mc_pid {
	uint32_t key;  /* entry << 13 | pid */
	uint32_t next; /* next PID of the session (first-arrival), or free */
	uint16_t pid, program, flags;
	uint8_t cc, stream_type;
	uint64_t packets, cc_errors, lost;
	int64_t first_ns, last_ns;
	int64_t since_ns; /* PMT: last section; REF: referenced since */
	int64_t pcr_ns, pcr_max_ns;
};

/* A TS session's state, beside its entry. */
struct mc_ts {
	uint32_t pid_head, pid_tail, npids;
	/* The item of the PID last looked up, MC_NONE: none.  A stream is
	 * mostly one PID (video), so this spares most packets the hash. */
	uint32_t pid_last;
	uint64_t c[MC_TS_NCOUNT];
	uint32_t programs;
	uint8_t sync_bad, sync_good;
	bool lost_sync, have_pat, pat_late;
	int64_t start_ns, pat_ns, check_ns;
	/* One section in assembly (PAT or PMT spanning packets). */
	uint16_t sec_pid, sec_have, sec_need;
	bool sec_on;
	uint8_t sec[MC_TS_SECTION_MAX + 4];
};

/* The shared PID table: slab, open-addressing index, free list. */
struct mc_pids {
	struct mc_pid *items;
	uint32_t *index; /* item or MC_NONE */
	uint32_t mask, max, used, free;
};

/* ts.c */
int mc_pids_init(struct mc_pids *p, uint32_t max);
void mc_pids_free(struct mc_pids *p);
void mc_ts_release(struct mcast_tracker *t, uint32_t i);
struct mc_pid *mc_ts_pid(const struct mcast_tracker *t, uint32_t i,
			 unsigned pid);
struct mc_pid *mc_ts_pid_add(struct mcast_tracker *t, uint32_t i, unsigned pid,
			     int64_t now_ns);
/* Analyze a datagram's (or an RTP payload's) TS packets for entry i. */
void mc_ts_account(struct mcast_tracker *t, uint32_t i, const uint8_t *p,
		   size_t len, int64_t now_ns);
bool mc_ts_looks(const uint8_t *p, size_t len);
/* The overdue checks of every live TS session at now_ns. */
void mc_ts_tick(struct mcast_tracker *t, int64_t now_ns);
/* ts_psi.c: one TS packet's payload on a PSI PID (0 or a PMT's). */
void mc_psi_payload(struct mcast_tracker *t, uint32_t i, unsigned pid,
		    bool unit_start, const uint8_t *p, size_t len,
		    int64_t now_ns);
uint32_t mc_crc32_mpeg(const uint8_t *p, size_t len);

/* ---------------------------------------------------------------- */
/* Per entry, and detection per sender                               */

struct mc_stream {
	struct mc_rtp rtp;
	struct mc_ts ts;
};

/* An RTP datagram held while auto-detection watches a sender. */
struct mc_pend {
	struct mc_rtp_hdr h;
	size_t len;
	struct timespec ts;
};

#define MC_DETECT_RTP 3	 /* consistent RTP datagrams that decide */
#define MC_DETECT_MAX 16 /* datagrams after which a sender is unknown */

/* A sender (group, source address and port) under auto-detection. */
struct mc_sender {
	struct mc_item it;
	uint8_t kind; /* enum mcast_stream_type; 0 (MCAST_STREAM_MCAST)
		       * with seen 0: undecided */
	bool decided;
	uint8_t seen, npend;
	struct mc_pend pend[MC_DETECT_RTP - 1];
};

/* The analyzers' part of a tracker (opts and shared tables). */
struct mc_streams {
	int type; /* enum mcast_stream_type */
	struct mcast_seq_spec seq;
	unsigned rtp_clock;
	int64_t pid_timeout_ns;
	struct mc_pids pids;
	struct mc_pool senders;		/* struct mc_sender, AUTO only */
	uint64_t gone_ts[MC_TS_NCOUNT]; /* sums of retired entries */
	uint64_t malformed;
	uint64_t rtp_sessions;	 /* of the tracker's sessions */
	uint64_t other_sessions; /* TS, SEQ and plain: not in t->sessions,
				  * which decides the totals' is_probe */
};

static inline int64_t mc_ns(const struct timespec *ts)
{
	return (int64_t)((uint64_t)ts->tv_sec * 1000000000u +
			 (uint64_t)ts->tv_nsec);
}

static inline struct mc_stream *mc_stream(const struct mcast_tracker *t,
					  uint32_t i)
{
	return &t->streams[i];
}

static inline uint64_t *mc_bits(const struct mcast_tracker *t, uint32_t i)
{
	return &t->bits[(size_t)i * t->words];
}

/* stream.c: the entry of a datagram's sender for a kind (and SSRC);
 * counting a datagram not of the tracker's type as malformed. */
uint32_t mc_stream_entry(struct mcast_tracker *t, const struct mcast_meta *meta,
			 int kind, const uint32_t *ssrc);
int mc_malformed(struct mcast_tracker *t, int rc);

/* seqfield.c: start a new run of sequence numbers in entry i (a restart
 * or a failed probation): the numbers expected so far are kept. */
void mc_seq_restart(struct mcast_tracker *t, uint32_t i);
bool mc_seq_width_ok(unsigned w);
int mc_feed_seq(struct mcast_tracker *t, const uint8_t *p, size_t len,
		const struct mcast_meta *meta);

#endif /* STREAM_INTERNAL_H */
