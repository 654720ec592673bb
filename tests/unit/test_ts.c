/* SPDX-License-Identifier: MIT */
/*
 * test_ts.c - the MPEG-TS analyzer (src/lib/ts.c, ts_psi.c) on crafted
 * packets with their own clock: continuity counters under ISO/IEC
 * 13818-1's rules (wrap, the one allowed duplicate, adaptation-field-only
 * packets, discontinuity_indicator, the null PID), sync bytes, PAT/PMT
 * parsing, and the time-dependent TR 101 290 checks (PAT and PMT every
 * 0.5 s, a PID gone for 5 s).
 */
#include "media.h"

#define SRC   "10.0.0.1:1234"
#define VIDEO 0x100
#define AUDIO 0x101
#define PMT   0x1000

static struct sender src;

/* Feed counters ccs on pid (payload packets unless afc says) one per
 * datagram, 10 ms apart; returns the entry's stats. */
static struct mcast_stream_stats cc_run(const unsigned *ccs,
					const unsigned *afc, const bool *disc,
					size_t n, unsigned pid)
{
	mcast_tracker_t *t = stream_tracker(MCAST_STREAM_TS, NULL);
	struct mcast_stream_stats s;

	for (size_t i = 0; i < n; i++) {
		struct tsp k = { .pid = pid, .cc = ccs[i] };

		k.afc = afc ? afc[i] : 1;
		k.disc = disc ? disc[i] : false;
		CHECK_EQ_INT(ts_one(t, &src, &k, T0 + (int64_t)i * 10 * MS),
			     MCAST_FEED_STREAM);
	}
	s = get(t, 0);
	mcast_tracker_free(t);
	return s;
}

#define CCS(...) ((const unsigned[]){ __VA_ARGS__ })
#define NCC(...) (sizeof(CCS(__VA_ARGS__)) / sizeof(unsigned))
#define CC(...)	 cc_run(CCS(__VA_ARGS__), NULL, NULL, NCC(__VA_ARGS__), VIDEO)

static void test_cc(void)
{
	struct mcast_stream_stats s;

	s = CC(13, 14, 15, 0, 1, 2); /* wrap */
	CHECK_EQ_INT(s.stream, MCAST_STREAM_TS);
	CHECK_EQ_INT(s.ts_packets, 6);
	CHECK_EQ_INT(s.ts_cc_errors, 0);
	CHECK_EQ_INT(s.ts_lost, 0);
	CHECK_EQ_INT(s.received, 6);
	CHECK_EQ_INT(s.lost, 0); /* no datagram sequence over UDP */
	s = CC(14, 15, 2, 3);	 /* 0 and 1 lost across the wrap */
	CHECK_EQ_INT(s.ts_cc_errors, 1);
	CHECK_EQ_INT(s.ts_lost, 2);
	s = CC(1, 2, 2, 3); /* one duplicate is allowed */
	CHECK_EQ_INT(s.ts_cc_errors, 0);
	CHECK_EQ_INT(s.ts_duplicates, 1);
	s = CC(1, 2, 2, 2, 3); /* a second is not */
	CHECK_EQ_INT(s.ts_cc_errors, 1);
	CHECK_EQ_INT(s.ts_lost, 0);
	s = CC(5, 4); /* backwards: 14 lost, as far as a counter can tell */
	CHECK_EQ_INT(s.ts_cc_errors, 1);
	CHECK_EQ_INT(s.ts_lost, 14);
	/* The null PID carries no counter. */
	s = cc_run(CCS(3, 9, 1, 1, 1), NULL, NULL, 5, 0x1fff);
	CHECK_EQ_INT(s.ts_cc_errors, 0);
	CHECK_EQ_INT(s.ts_packets, 5);
}

/* Adaptation-field-only packets (control 10) keep the counter. */
static void test_af_only(void)
{
	struct mcast_stream_stats s;

	s = cc_run(CCS(1, 2, 2, 3), CCS(1, 1, 2, 1), NULL, 4, VIDEO);
	CHECK_EQ_INT(s.ts_cc_errors, 0);
	CHECK_EQ_INT(s.ts_duplicates, 0);
	/* An AF-only packet that moves it is the error; the payload
	 * packets around it are in order. */
	s = cc_run(CCS(1, 2, 3, 3), CCS(1, 1, 2, 1), NULL, 4, VIDEO);
	CHECK_EQ_INT(s.ts_cc_errors, 1);
	CHECK_EQ_INT(s.ts_duplicates, 0);
	CHECK_EQ_INT(s.ts_lost, 0);
}

static void test_discontinuity(void)
{
	static const bool disc[] = { false, false, true, false };
	struct mcast_stream_stats s;

	s = cc_run(CCS(1, 2, 9, 10), CCS(1, 1, 3, 1), disc, 4, VIDEO);
	CHECK_EQ_INT(s.ts_cc_errors, 0);
	s = cc_run(CCS(1, 2, 9, 10), CCS(1, 1, 3, 1), NULL, 4, VIDEO);
	CHECK_EQ_INT(s.ts_cc_errors, 1);
	CHECK_EQ_INT(s.ts_lost, 6);
}

static void test_sync_tei(void)
{
	mcast_tracker_t *t = stream_tracker(MCAST_STREAM_TS, NULL);
	uint8_t d[188 * 7];
	struct mcast_stream_stats s;
	struct tsp k = { .pid = VIDEO };

	for (unsigned i = 0; i < 7; i++) {
		k.cc = i;
		k.tei = i == 6;
		ts_build(d + 188 * i, &k);
	}
	d[188 * 2] = 0x48;
	feed_at(t, &src, d, sizeof(d), T0);
	s = get(t, 0);
	CHECK_EQ_INT(s.ts_packets, 6);
	CHECK_EQ_INT(s.ts_sync_byte_errors, 1);
	CHECK_EQ_INT(s.ts_sync_loss, 0);
	CHECK_EQ_INT(s.ts_tei, 1);
	CHECK_EQ_INT(s.ts_cc_errors, 1); /* packet 2 never counted */
	d[188 * 3] = 0x00;		 /* two in a row: sync lost */
	feed_at(t, &src, d, sizeof(d), T0 + MS);
	/* A datagram that is not whole packets is counted, its whole
	 * packets read. */
	feed_at(t, &src, d, 188 + 100, T0 + 2 * MS);
	s = get(t, 0);
	CHECK_EQ_INT(s.ts_sync_loss, 1);
	CHECK_EQ_INT(s.ts_sync_byte_errors, 3);
	CHECK_EQ_INT(s.ts_bad_length, 1);
	mcast_tracker_free(t);
}

/* A PAT, a PMT, video with PCR and audio: 100 ms apart from `from` for
 * `n` rounds; PAT and PMT only while with_psi(round). */
struct plan {
	bool pat, pmt, audio;
};

static void play(mcast_tracker_t *t, int64_t from, unsigned n, unsigned *cc,
		 struct plan p)
{
	static const unsigned es[][2] = { { 0x1b, VIDEO }, { 0x0f, AUDIO } };
	uint8_t pay[188];
	struct tsp k;

	for (unsigned r = 0; r < n; r++) {
		int64_t now = from + (int64_t)r * 100 * MS;

		if (p.pat) {
			k = (struct tsp){ .pid = 0,
					  .cc = cc[0]++,
					  .pusi = true,
					  .payload = pay };
			k.payload_len = pat_payload(pay, 1, PMT);
			ts_one(t, &src, &k, now);
		}
		if (p.pmt) {
			k = (struct tsp){ .pid = PMT,
					  .cc = cc[1]++,
					  .pusi = true,
					  .payload = pay };
			k.payload_len = pmt_payload(pay, 1, VIDEO, es, 2);
			ts_one(t, &src, &k, now);
		}
		k = (struct tsp){
			.pid = VIDEO, .cc = cc[2]++, .afc = 3, .pcr = true
		};
		ts_one(t, &src, &k, now + 10 * MS);
		if (p.audio) {
			k = (struct tsp){ .pid = AUDIO, .cc = cc[3]++ };
			ts_one(t, &src, &k, now + 20 * MS);
		}
	}
}

static void test_psi(void)
{
	mcast_tracker_t *t = stream_tracker(MCAST_STREAM_TS, NULL);
	unsigned cc[4] = { 0 };
	struct mcast_stream_stats s;
	struct mcast_pid_stats d;
	int rc;

	play(t, T0, 10, cc, (struct plan){ true, true, true });
	s = get(t, 0);
	CHECK_EQ_INT(s.ts_programs, 1);
	CHECK_EQ_INT(s.ts_pids, 4);
	CHECK_EQ_INT(s.ts_pat_errors + s.ts_pmt_errors + s.ts_pid_errors +
			     s.ts_cc_errors + s.ts_crc_errors,
		     0);
	d = pid_get(t, 0, PMT, &rc);
	CHECK_CODE(rc, 0);
	CHECK_EQ_INT(d.flags, MCAST_PID_PMT | MCAST_PID_SEEN);
	CHECK_EQ_INT(d.program, 1);
	CHECK_EQ_INT(d.stream_type, -1);
	d = pid_get(t, 0, VIDEO, &rc);
	CHECK_EQ_INT(d.flags,
		     MCAST_PID_PCR | MCAST_PID_REFERENCED | MCAST_PID_SEEN);
	CHECK_EQ_INT(d.stream_type, 0x1b);
	CHECK_EQ_INT(d.packets, 10);
	CHECK_EQ_INT(d.bytes, 1880);
	CHECK_EQ_INT(d.pcr_interval_max_ns, 100 * MS);
	d = pid_get(t, 0, AUDIO, &rc);
	CHECK_EQ_INT(d.stream_type, 0x0f);
	pid_get(t, 0, 0x200, &rc);
	CHECK_CODE(rc, -ENOENT);
	pid_get(t, 1, 0, &rc);
	CHECK_CODE(rc, -ERANGE);
	pid_get(t, 0, 8192, &rc);
	CHECK_CODE(rc, -EINVAL);

	/* The PAT stops for a second: one PAT_error, however long. */
	play(t, T0 + 1000 * MS, 10, cc, (struct plan){ false, true, true });
	CHECK_EQ_INT(get(t, 0).ts_pat_errors, 1);
	play(t, T0 + 2000 * MS, 5, cc, (struct plan){ true, true, true });
	s = get(t, 0);
	CHECK_EQ_INT(s.ts_pat_errors, 1);
	CHECK_EQ_INT(s.ts_pmt_errors, 0);
	/* Then the PMT. */
	play(t, T0 + 2500 * MS, 10, cc, (struct plan){ true, false, true });
	CHECK_EQ_INT(get(t, 0).ts_pmt_errors, 1);
	/* Audio disappears: PID_error after 5 s, not before. */
	play(t, T0 + 3500 * MS, 50, cc, (struct plan){ true, true, false });
	s = get(t, 0);
	CHECK_EQ_INT(s.ts_pid_errors, 0); /* 4.9 s */
	play(t, T0 + 8500 * MS, 3, cc, (struct plan){ true, true, false });
	s = get(t, 0);
	CHECK_EQ_INT(s.ts_pid_errors, 1);
	CHECK_EQ_INT(s.ts_pmt_errors, 1);
	CHECK_EQ_INT(s.ts_cc_errors, 0);
	mcast_tracker_free(t);
}

static void pid_1s(struct mcast_tracker_opts *o)
{
	o->pid_timeout_ms = 1000;
}

/* A PID a PMT lists but that never comes; the timeout is the caller's. */
static void test_pid_never(void)
{
	mcast_tracker_t *t = stream_tracker(MCAST_STREAM_TS, pid_1s);
	unsigned cc[4] = { 0 };
	struct mcast_pid_stats d;
	int rc;

	play(t, T0, 12, cc, (struct plan){ true, true, false });
	CHECK_EQ_INT(get(t, 0).ts_pid_errors, 1);
	d = pid_get(t, 0, AUDIO, &rc);
	CHECK_CODE(rc, 0);
	CHECK_EQ_INT(d.flags, MCAST_PID_REFERENCED);
	CHECK_EQ_INT(d.packets, 0);
	mcast_tracker_free(t);
}

/* PAT_error also for a scrambled PID 0 and another table on it; a bad
 * CRC is counted and the section ignored. */
static void test_pat_errors(void)
{
	mcast_tracker_t *t = stream_tracker(MCAST_STREAM_TS, NULL);
	uint8_t pay[188];
	struct tsp k = { .pid = 0, .pusi = true, .payload = pay };
	struct mcast_stream_stats s;

	k.payload_len = pat_payload(pay, 1, PMT);
	pay[12] ^= 1; /* the PMT PID, under the CRC */
	ts_one(t, &src, &k, T0);
	s = get(t, 0);
	CHECK_EQ_INT(s.ts_crc_errors, 1);
	CHECK_EQ_INT(s.ts_programs, 0);
	pay[12] ^= 1;
	pay[1] = 0x02; /* a PMT's table_id on PID 0 */
	k.cc = 1;
	ts_one(t, &src, &k, T0 + MS);
	pay[1] = 0x00;
	k.cc = 2;
	k.tsc = 2;
	ts_one(t, &src, &k, T0 + 2 * MS);
	s = get(t, 0);
	CHECK_EQ_INT(s.ts_pat_errors, 2);
	CHECK_EQ_INT(s.ts_programs, 0);
	k.cc = 3;
	k.tsc = 0;
	ts_one(t, &src, &k, T0 + 3 * MS);
	CHECK_EQ_INT(get(t, 0).ts_programs, 1);
	mcast_tracker_free(t);
}

/* A PMT of 40 streams spans two packets: assembled, then read. */
static void test_section_span(void)
{
	mcast_tracker_t *t = stream_tracker(MCAST_STREAM_TS, NULL);
	unsigned es[40][2];
	uint8_t sec[400];
	size_t len;
	struct tsp k = { .pid = PMT, .pusi = true, .payload = sec };
	struct mcast_pid_stats d;
	int rc;

	for (unsigned i = 0; i < 40; i++) {
		es[i][0] = 0x06;
		es[i][1] = 0x300 + i;
	}
	k.payload_len = pat_payload(sec, 1, PMT);
	k.pid = 0;
	ts_one(t, &src, &k, T0);
	len = pmt_payload(sec, 1, 0x300, es, 40);
	CHECK(len > 184);
	k.pid = PMT;
	k.payload_len = 184;
	ts_one(t, &src, &k, T0 + MS);
	k.pusi = false;
	k.cc = 1;
	k.payload = sec + 184;
	k.payload_len = len - 184;
	ts_one(t, &src, &k, T0 + 2 * MS);
	d = pid_get(t, 0, 0x300 + 39, &rc);
	CHECK_CODE(rc, 0);
	CHECK_EQ_INT(d.flags, MCAST_PID_REFERENCED);
	CHECK_EQ_INT(get(t, 0).ts_pids, 42);
	mcast_tracker_free(t);
}

static void pids_4(struct mcast_tracker_opts *o)
{
	o->max_pids = 4;
	o->max_sessions = 2;
}

/* The PID table is bounded and shared; overflow is counted, and a
 * retired session gives its PIDs back. */
static void test_pid_table(void)
{
	mcast_tracker_t *t = stream_tracker(MCAST_STREAM_TS, pids_4);
	struct sender b = sender("10.0.0.2:1234", GROUP, 2);
	struct sender c = sender("10.0.0.3:1234", GROUP, 3);
	struct mcast_stream_stats s;
	struct tsp k = { 0 };

	for (unsigned pid = 0x100; pid < 0x106; pid++) {
		k.pid = pid;
		ts_one(t, &src, &k, T0);
	}
	s = get(t, 0);
	CHECK_EQ_INT(s.ts_pids, 4);
	CHECK_EQ_INT(s.ts_pid_overflow, 2);
	CHECK_EQ_INT(s.ts_packets, 6);
	ts_one(t, &b, &k, T0 + MS); /* table full: not tracked */
	CHECK_EQ_INT(get(t, 1).ts_pid_overflow, 1);
	ts_one(t, &c, &k, T0 + 2 * MS); /* retires src: 4 PIDs free */
	ts_one(t, &c, &k, T0 + 3 * MS);
	CHECK_EQ_INT(mcast_tracker_count(t), 2);
	s = get(t, 1);
	CHECK_EQ_INT(s.ts_pids, 1);
	CHECK_EQ_INT(s.ts_pid_overflow, 0);
	s = totals(t);
	CHECK_EQ_INT(s.ts_packets, 9);
	CHECK_EQ_INT(s.ts_pid_overflow, 3);
	CHECK_EQ_INT(s.retired, 1);
	mcast_tracker_free(t);
}

/* A datagram of packets of several PIDs, interleaved, then a session
 * that takes over a retired one's entry: each packet counts for its own
 * PID and session, however the analyzer remembers the last one. */
static void ts_dgram(mcast_tracker_t *t, const struct sender *s,
		     const unsigned (*pc)[2], size_t n, int64_t arrive_ns)
{
	uint8_t d[188 * 7];

	for (size_t i = 0; i < n; i++) {
		struct tsp k = { .pid = pc[i][0], .cc = pc[i][1] };

		ts_build(d + 188 * i, &k);
	}
	feed_at(t, s, d, 188 * n, arrive_ns);
}

static void one_session(struct mcast_tracker_opts *o)
{
	o->max_sessions = 1;
}

static void test_pids_mixed(void)
{
	static const unsigned a[7][2] = { { VIDEO, 0 }, { VIDEO, 1 },
					  { AUDIO, 5 }, { VIDEO, 2 },
					  { VIDEO, 2 }, { VIDEO, 2 },
					  { AUDIO, 7 } };
	static const unsigned b[3][2] = { { AUDIO, 8 },
					  { VIDEO, 3 },
					  { VIDEO, 4 } };
	static const unsigned c[2][2] = { { VIDEO, 9 }, { VIDEO, 10 } };
	mcast_tracker_t *t = stream_tracker(MCAST_STREAM_TS, one_session);
	struct sender other = sender("10.0.0.2:1234", GROUP, 2);
	struct mcast_stream_stats s;
	struct mcast_pid_stats d;
	int rc;

	ts_dgram(t, &src, a, 7, T0);
	ts_dgram(t, &src, b, 3, T0 + MS);
	s = get(t, 0);
	CHECK_EQ_INT(s.ts_packets, 10);
	CHECK_EQ_INT(s.ts_duplicates, 1);
	CHECK_EQ_INT(s.ts_cc_errors, 2); /* VIDEO's third 2, AUDIO's 7 */
	CHECK_EQ_INT(s.ts_lost, 1);
	d = pid_get(t, 0, VIDEO, &rc);
	CHECK_CODE(rc, 0);
	CHECK_EQ_INT(d.packets, 7);
	CHECK_EQ_INT(d.cc_errors, 1);
	CHECK_EQ_INT(d.last.tv_nsec, (T0 + MS) % 1000000000);
	d = pid_get(t, 0, AUDIO, &rc);
	CHECK_EQ_INT(d.packets, 3);
	CHECK_EQ_INT(d.lost, 1);
	ts_dgram(t, &other, c, 2, T0 + 2 * MS); /* retires src */
	s = get(t, 0);
	CHECK_EQ_INT(totals(t).retired, 1);
	CHECK_EQ_INT(s.ts_pids, 1);
	CHECK_EQ_INT(s.ts_packets, 2);
	CHECK_EQ_INT(s.ts_cc_errors, 0);
	d = pid_get(t, 0, VIDEO, &rc);
	CHECK_EQ_INT(d.packets, 2);
	CHECK_EQ_INT(d.first.tv_nsec, (T0 + 2 * MS) % 1000000000);
	CHECK_EQ_INT(totals(t).ts_packets, 12);
	mcast_tracker_free(t);
}

/* MPEG-TS over RTP: both layers, the RTP datagrams for loss. */
static void test_over_rtp(void)
{
	mcast_tracker_t *t = stream_tracker(MCAST_STREAM_RTP_TS, NULL);
	uint8_t d[12 + 188 * 7];
	struct mcast_stream_stats s;
	unsigned cc = 0;

	for (unsigned n = 0; n < 10; n++) {
		rtp_build(d, 33, (uint16_t)n, n * 3000, 0x5150, 0);
		for (unsigned i = 0; i < 7; i++) {
			struct tsp k = { .pid = VIDEO, .cc = cc++ & 15 };

			ts_build(d + 12 + 188 * i, &k);
		}
		if (n == 5)
			continue; /* lost on the way: 7 TS packets too */
		feed_at(t, &src, d, sizeof(d), T0 + n * 10 * MS);
	}
	s = get(t, 0);
	CHECK_EQ_INT(s.stream, MCAST_STREAM_RTP_TS);
	CHECK_EQ_INT(s.received, 9);
	CHECK_EQ_INT(s.lost, 1);
	CHECK_EQ_INT(s.ts_packets, 63);
	CHECK_EQ_INT(s.ts_cc_errors, 1);
	CHECK_EQ_INT(s.ts_lost, 7);
	CHECK_EQ_INT(s.clock_rate, 90000);
	mcast_tracker_free(t);
}

int main(void)
{
	src = sender(SRC, GROUP, 1);
	test_cc();
	test_af_only();
	test_discontinuity();
	test_sync_tei();
	test_psi();
	test_pid_never();
	test_pat_errors();
	test_section_span();
	test_pid_table();
	test_pids_mixed();
	test_over_rtp();
	return check_done();
}
