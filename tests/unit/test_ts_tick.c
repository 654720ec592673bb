/* SPDX-License-Identifier: MIT */
/*
 * test_ts_tick.c - mcast_tracker_tick(): the time-dependent TR 101 290
 * checks (PAT and PMT every 0.5 s, a PID gone for 5 s) for a stream that
 * stops altogether, on crafted packets with their own clock; the
 * totals' sessions, which count every stream type; and the end of a run
 * (recv --until-end), which streams without an end marker neither hold
 * up nor bring.
 */
#include "media.h"

#define SRC   "10.0.0.1:1234"
#define VIDEO 0x100
#define AUDIO 0x101
#define PMT   0x1000

static struct sender src;

static struct timespec at(int64_t ns)
{
	return (struct timespec){ .tv_sec = (time_t)(ns / 1000000000),
				  .tv_nsec = (long)(ns % 1000000000) };
}

static int tick(mcast_tracker_t *t, int64_t ns)
{
	struct timespec now = at(ns);

	return mcast_tracker_tick(t, &now);
}

/* A PAT, a PMT naming video and audio, a video and an audio packet, each
 * round 100 ms after the previous one from `from`. */
static void rounds(mcast_tracker_t *t, int64_t from, unsigned n, unsigned *cc)
{
	static const unsigned es[][2] = { { 0x1b, VIDEO }, { 0x0f, AUDIO } };
	uint8_t pay[188];
	struct tsp k;

	for (unsigned r = 0; r < n; r++) {
		int64_t now = from + (int64_t)r * 100 * MS;

		k = (struct tsp){
			.pid = 0, .cc = cc[0]++, .pusi = true, .payload = pay
		};
		k.payload_len = pat_payload(pay, 1, PMT);
		ts_one(t, &src, &k, now);
		k = (struct tsp){
			.pid = PMT, .cc = cc[1]++, .pusi = true, .payload = pay
		};
		k.payload_len = pmt_payload(pay, 1, VIDEO, es, 2);
		ts_one(t, &src, &k, now);
		k = (struct tsp){ .pid = VIDEO, .cc = cc[2]++ };
		ts_one(t, &src, &k, now + 10 * MS);
		k = (struct tsp){ .pid = AUDIO, .cc = cc[3]++ };
		ts_one(t, &src, &k, now + 20 * MS);
	}
}

static uint64_t errors(const mcast_tracker_t *t)
{
	struct mcast_stream_stats s = get(t, 0);

	return s.ts_pat_errors + s.ts_pmt_errors + s.ts_pid_errors;
}

/* The stream stops after 0.92 s and nothing arrives again: only the
 * clock tells. */
static void test_stops(void)
{
	mcast_tracker_t *t = stream_tracker(MCAST_STREAM_TS, NULL);
	const int64_t last_psi = T0 + 900 * MS; /* the last PAT and PMT */
	unsigned cc[4] = { 0 };
	struct mcast_stream_stats s, tot;

	CHECK_CODE(tick(t, T0), 0); /* nothing to check yet */
	rounds(t, T0, 10, cc);
	CHECK_EQ_INT(errors(t), 0);
	/* A tick before the session began, or within 0.5 s: nothing. */
	CHECK_CODE(tick(t, T0 - 10000 * MS), 0);
	CHECK_CODE(tick(t, last_psi + 500 * MS), 0);
	CHECK_EQ_INT(errors(t), 0);
	/* Past 0.5 s: one PAT_error and one PMT_error ... */
	CHECK_CODE(tick(t, last_psi + 501 * MS), 0);
	s = get(t, 0);
	CHECK_EQ_INT(s.ts_pat_errors, 1);
	CHECK_EQ_INT(s.ts_pmt_errors, 1);
	CHECK_EQ_INT(s.ts_pid_errors, 0);
	/* ... once per absence, however many ticks notice it. */
	for (int i = 1; i <= 4; i++)
		CHECK_CODE(tick(t, last_psi + i * 1000 * MS), 0);
	s = get(t, 0);
	CHECK_EQ_INT(s.ts_pat_errors, 1);
	CHECK_EQ_INT(s.ts_pmt_errors, 1);
	CHECK_EQ_INT(s.ts_pid_errors, 0);
	/* Video (last at +0.91 s) and audio (+0.92 s) gone for 5 s. */
	CHECK_CODE(tick(t, T0 + 910 * MS + 5000 * MS), 0);
	CHECK_EQ_INT(get(t, 0).ts_pid_errors, 0);
	CHECK_CODE(tick(t, T0 + 915 * MS + 5000 * MS), 0);
	CHECK_EQ_INT(get(t, 0).ts_pid_errors, 1);
	CHECK_CODE(tick(t, T0 + 921 * MS + 5000 * MS), 0);
	CHECK_EQ_INT(get(t, 0).ts_pid_errors, 2);
	tot = totals(t);
	CHECK_EQ_INT(tot.ts_pat_errors, 1);
	CHECK_EQ_INT(tot.ts_pid_errors, 2);
	/* The stream comes back: its late PAT is the absence already
	 * counted, not a second one. */
	rounds(t, T0 + 7000 * MS, 3, cc);
	s = get(t, 0);
	CHECK_EQ_INT(s.ts_pat_errors, 1);
	CHECK_EQ_INT(s.ts_pmt_errors, 1);
	CHECK_EQ_INT(s.ts_pid_errors, 2);
	CHECK_EQ_INT(s.ts_cc_errors, 0);
	mcast_tracker_free(t);
}

/* MPEG-TS over RTP is ticked too; RTP alone has nothing to tick. */
static void test_over_rtp(void)
{
	mcast_tracker_t *t = stream_tracker(MCAST_STREAM_RTP_TS, NULL);
	uint8_t buf[12 + 188], pay[188];
	struct tsp k = { .pid = 0, .pusi = true, .payload = pay };

	k.payload_len = pat_payload(pay, 1, PMT);
	for (uint16_t i = 0; i < 3; i++) {
		rtp_build(buf, 33, i, i * 9000u, 7, 0);
		k.cc = i;
		ts_build(buf + 12, &k);
		feed_at(t, &src, buf, sizeof(buf), T0 + i * 100 * MS);
	}
	CHECK_EQ_INT(get(t, 0).ts_pat_errors, 0);
	CHECK_CODE(tick(t, T0 + 800 * MS), 0);
	CHECK_EQ_INT(get(t, 0).ts_pat_errors, 1);
	mcast_tracker_free(t);
}

static void test_args(void)
{
	mcast_tracker_t *t = stream_tracker(MCAST_STREAM_MCAST, NULL);
	struct timespec bad = { .tv_sec = 1, .tv_nsec = 1000000000 };

	CHECK_CODE(tick(t, T0), 0); /* a probe tracker: nothing to do */
	CHECK_CODE(mcast_tracker_tick(NULL, &bad), -EINVAL);
	CHECK_CODE(mcast_tracker_tick(t, NULL), -EINVAL);
	CHECK_CODE(mcast_tracker_tick(t, &bad), -EINVAL);
	mcast_tracker_free(t);
}

static void one_ts(mcast_tracker_t *t, const struct sender *s, int64_t ns)
{
	struct tsp k = { .pid = VIDEO };

	ts_one(t, s, &k, ns);
}

/* sessions counts every stream: TS and plain sources as RTP and probes,
 * each sender once however often it is retired for space. */
static void test_sessions(void)
{
	struct sender a = sender("10.0.0.2:5000", GROUP, 2),
		      b = sender("10.0.0.3:5000", GROUP, 3);
	mcast_tracker_t *t = stream_tracker(MCAST_STREAM_TS, NULL);
	struct mcast_stream_stats tot;

	one_ts(t, &src, T0);
	one_ts(t, &a, T0 + MS);
	one_ts(t, &src, T0 + 2 * MS);
	tot = totals(t);
	CHECK_EQ_INT(tot.sessions, 2);
	CHECK_EQ_INT(tot.is_probe, 0);
	mcast_tracker_free(t);

	/* Auto: a TS sender, an RTP one, a probe and an unknown one. */
	t = stream_tracker(MCAST_STREAM_AUTO, NULL);
	one_ts(t, &src, T0);
	for (uint16_t i = 0; i < 4; i++)
		rtp_at(t, &a, 96, i, i * 3000u, 9, T0 + i * MS);
	probe(t, &b, 0);
	for (int i = 0; i < 20; i++) {
		struct sender u = sender("10.0.0.4:6000", GROUP, 4);
		uint8_t junk[40] = { 0x12, 0x34 };

		feed_at(t, &u, junk, sizeof(junk), T0 + i * MS);
	}
	tot = totals(t);
	CHECK_EQ_INT(mcast_tracker_count(t), 4);
	CHECK_EQ_INT(tot.sessions, 4);
	CHECK_EQ_INT(tot.is_probe, 1);
	mcast_tracker_free(t);
}

static void two_sessions(struct mcast_tracker_opts *o)
{
	o->max_sessions = 2;
}

/* Three TS senders in a table of two: B retired to make room for C comes
 * back, and is still the session it was (its origin remembered). */
static void test_sessions_retired(void)
{
	mcast_tracker_t *t = stream_tracker(MCAST_STREAM_TS, two_sessions);
	struct sender s[3] = { sender("10.0.0.2:5000", GROUP, 2),
			       sender("10.0.0.3:5000", GROUP, 3),
			       sender("10.0.0.4:5000", GROUP, 4) };
	static const int order[] = { 0, 1, 0, 2, 1 };
	struct mcast_stream_stats tot;

	for (int i = 0; i < 5; i++)
		one_ts(t, &s[order[i]], T0 + i * MS);
	tot = totals(t);
	CHECK_EQ_INT(mcast_tracker_count(t), 2);
	CHECK_EQ_INT(tot.retired, 2);
	CHECK_EQ_INT(tot.sessions, 3);
	CHECK_EQ_INT(tot.ts_packets, 5);
	mcast_tracker_free(t);
}

/* RTP, TS and sequence feeds have no end-of-stream marker. */
static void test_all_ended(void)
{
	mcast_tracker_t *t = stream_tracker(MCAST_STREAM_AUTO, NULL);
	struct sender p = sender("10.0.0.5:5000", GROUP, 5),
		      r = sender("10.0.0.6:5000", GROUP, 6);

	one_ts(t, &src, T0);
	for (uint16_t i = 0; i < 4; i++)
		rtp_at(t, &r, 33, i, i * 3000u, 9, T0 + i * MS);
	CHECK_EQ_INT(mcast_tracker_count(t), 2);
	CHECK_EQ_INT(mcast_tracker_all_ended(t), 0); /* they never end */
	probe(t, &p, 0);
	probe(t, &p, 1);
	CHECK_EQ_INT(mcast_tracker_all_ended(t), 0);
	end_msg(t, &p, 0, 2);
	CHECK_EQ_INT(mcast_tracker_all_ended(t), 1); /* nor hold it up */
	one_ts(t, &src, T0 + 10 * MS);
	CHECK_EQ_INT(mcast_tracker_all_ended(t), 1);
	mcast_tracker_free(t);
}

int main(void)
{
	src = sender(SRC, GROUP, 1);
	test_stops();
	test_over_rtp();
	test_args();
	test_sessions();
	test_sessions_retired();
	test_all_ended();
	return check_done();
}
