/* SPDX-License-Identifier: MIT */
/* mcast recv --stats: RTP, MPEG-TS and sequence-field streams. */
#include "report_stream.h"
#include "cli.h"
#include "report.h"

#include <string.h>

#define TS_NULL_PID 0x1FFF
#define TS_MAX_PID  8191

static bool is_rtp(int stream)
{
	return stream == MCAST_STREAM_RTP || stream == MCAST_STREAM_RTP_TS;
}

static bool has_ts(int stream)
{
	return stream == MCAST_STREAM_TS || stream == MCAST_STREAM_RTP_TS;
}

static double seconds(const struct timespec *from, const struct timespec *to)
{
	return (double)(to->tv_sec - from->tv_sec) +
	       (double)(to->tv_nsec - from->tv_nsec) / 1e9;
}

/* "SOURCE:PORT" and "GROUP:PORT" of an entry, for its lines. */
static void ends_format(const struct mcast_stream_stats *s,
			char src[MCAST_ADDRSTRLEN], char g[MCAST_ADDRSTRLEN])
{
	mcast_addr_format((const struct sockaddr *)&s->source, MCAST_FMT_PORT,
			  src, MCAST_ADDRSTRLEN);
	mcast_addr_format((const struct sockaddr *)&s->group, MCAST_FMT_PORT, g,
			  MCAST_ADDRSTRLEN);
}

void report_loss_units(const mcast_tracker_t *t,
		       const struct mcast_stream_stats *tot, uint64_t *lost,
		       uint64_t *expected)
{
	struct mcast_stream_stats s;
	size_t n = mcast_tracker_count(t);

	*lost = tot->lost;
	*expected = tot->received - tot->plain + tot->lost;
	/* Only MPEG-TS over UDP changes unit: its datagrams were counted
	 * received, never lost, which would dilute the others' loss. */
	if (!tot->ts_packets)
		return;
	for (size_t i = 0; i < n; i++) {
		mcast_stream_stats_init(&s);
		if (mcast_tracker_get(t, i, &s) < 0 ||
		    s.stream != MCAST_STREAM_TS)
			continue;
		*lost += s.ts_lost;
		*expected += s.ts_packets + s.ts_lost - s.received;
	}
}

static bool same_entry(const struct stream_seen *seen,
		       const struct mcast_stream_stats *s)
{
	return seen->any && seen->stream == s->stream &&
	       seen->ssrc == s->ssrc &&
	       memcmp(&seen->group, &s->group, sizeof(s->group)) == 0 &&
	       memcmp(&seen->source, &s->source, sizeof(s->source)) == 0;
}

static void say_decided(const struct mcast_stream_stats *s)
{
	char g[MCAST_ADDRSTRLEN], src[MCAST_ADDRSTRLEN];

	ends_format(s, src, g);
	if (is_rtp(s->stream))
		cli_info("stream %s -> %s: %s (ssrc 0x%08x, payload type %d)",
			 src, g, mcast_stream_name(s->stream),
			 (unsigned)s->ssrc, s->payload_type);
	else
		cli_info("stream %s -> %s: %s", src, g,
			 mcast_stream_name(s->stream));
}

/*
 * Entries come in order of first arrival, so new ones are at the end:
 * those after the newest one said are new.  Looked at only when the
 * count moved, or the table is full (a retired entry made room), so the
 * datagram path pays nothing.
 */
void report_stream_decided(struct stream_seen *seen, const mcast_tracker_t *t,
			   unsigned max_sessions)
{
	struct mcast_stream_stats s;
	size_t n = mcast_tracker_count(t), k;

	if (n == 0 || (n == seen->count && n < max_sessions))
		return;
	seen->count = n;
	for (k = n; k > 0; k--) {
		mcast_stream_stats_init(&s);
		if (mcast_tracker_get(t, k - 1, &s) < 0 || same_entry(seen, &s))
			break;
	}
	for (; k < n; k++) {
		mcast_stream_stats_init(&s);
		if (mcast_tracker_get(t, k, &s) < 0)
			continue;
		say_decided(&s);
		seen->any = true;
		seen->group = s.group;
		seen->source = s.source;
		seen->stream = s.stream;
		seen->ssrc = s.ssrc;
	}
}

void report_stream_json_head(struct json *j, const struct mcast_stream_stats *s)
{
	json_string(j, "stream", mcast_stream_name(s->stream));
	if (is_rtp(s->stream) || s->stream == MCAST_STREAM_SEQ) {
		json_uint(j, "first_seq", s->first_seq);
		json_uint(j, "max_seq", s->max_seq);
	}
	if (!is_rtp(s->stream))
		return;
	json_uint(j, "ssrc", s->ssrc);
	json_int(j, "payload_type", s->payload_type);
	json_uint(j, "clock_rate", s->clock_rate);
	/* Without a clock rate there is no jitter, which is not 0. */
	if (s->clock_rate) {
		json_double(j, "jitter_ms", s->jitter_ns / 1e6, 4);
		json_double(j, "jitter_max_ms", s->jitter_max_ns / 1e6, 4);
	} else {
		json_null(j, "jitter_ms");
		json_null(j, "jitter_max_ms");
	}
}

/* The stream_type of ISO/IEC 13818-1 table 2-34 most often met. */
static const char *es_name(int stream_type)
{
	switch (stream_type) {
	case 0x01:
		return "mpeg1-video";
	case 0x02:
		return "mpeg2-video";
	case 0x03:
		return "mpeg1-audio";
	case 0x04:
		return "mpeg2-audio";
	case 0x06:
		return "private-pes";
	case 0x0f:
		return "aac";
	case 0x11:
		return "aac-latm";
	case 0x15:
		return "metadata";
	case 0x1b:
		return "h264";
	case 0x24:
		return "hevc";
	case 0x81:
		return "ac3";
	case 0x86:
		return "scte35";
	default:
		return "es";
	}
}

static const char *pid_type(const struct mcast_pid_stats *p)
{
	if (p->pid == 0)
		return "pat";
	if (p->pid == TS_NULL_PID)
		return "null";
	if (p->flags & MCAST_PID_PMT)
		return "pmt";
	if (p->stream_type >= 0)
		return es_name(p->stream_type);
	if (p->flags & MCAST_PID_PCR)
		return "pcr";
	return p->pid < 0x20 ? "si" : "unknown";
}

static double ts_loss_pct(const struct mcast_stream_stats *s)
{
	uint64_t expected = s->ts_packets + s->ts_lost;

	return expected ? 100.0 * (double)s->ts_lost / (double)expected : 0;
}

static void json_pid(struct json *j, const struct mcast_pid_stats *p,
		     double span)
{
	json_object(j, NULL);
	json_uint(j, "pid", p->pid);
	json_string(j, "type", pid_type(p));
	if (p->stream_type >= 0)
		json_int(j, "stream_type", p->stream_type);
	else
		json_null(j, "stream_type");
	if (p->flags & (MCAST_PID_PMT | MCAST_PID_REFERENCED))
		json_uint(j, "program", p->program);
	json_uint(j, "packets", p->packets);
	json_uint(j, "cc_errors", p->cc_errors);
	json_uint(j, "lost", p->lost);
	json_double(j, "bitrate", span > 0 ? (double)p->bytes * 8 / span : 0,
		    1);
	if (p->flags & MCAST_PID_PCR)
		json_double(j, "pcr_interval_max_ms",
			    (double)p->pcr_interval_max_ns / 1e6, 3);
	json_end(j);
}

void report_stream_json_tail(struct json *j, const mcast_tracker_t *t, size_t i,
			     const struct mcast_stream_stats *s)
{
	struct mcast_pid_stats p;
	double span = seconds(&s->first, &s->last);

	if (!has_ts(s->stream))
		return;
	json_uint(j, "ts_packets", s->ts_packets);
	json_uint(j, "ts_lost", s->ts_lost);
	json_double(j, "ts_loss_pct", ts_loss_pct(s), 4);
	json_uint(j, "cc_errors", s->ts_cc_errors);
	json_uint(j, "ts_duplicates", s->ts_duplicates);
	json_uint(j, "transport_errors", s->ts_tei);
	json_uint(j, "crc_errors", s->ts_crc_errors);
	json_uint(j, "bad_length", s->ts_bad_length);
	json_uint(j, "pid_overflow", s->ts_pid_overflow);
	json_uint(j, "ref_overflow", s->ts_ref_overflow);
	json_uint(j, "programs", s->ts_programs);
	/* ETSI TR 101 290 priority 1, by the indicators' own names. */
	json_object(j, "tr101290");
	json_uint(j, "ts_sync_loss", s->ts_sync_loss);
	json_uint(j, "sync_byte_error", s->ts_sync_byte_errors);
	json_uint(j, "pat_error", s->ts_pat_errors);
	json_uint(j, "continuity_count_error", s->ts_cc_errors);
	json_uint(j, "pmt_error", s->ts_pmt_errors);
	json_uint(j, "pid_error", s->ts_pid_errors);
	json_end(j);
	json_array(j, "pids");
	for (unsigned pid = 0; pid <= TS_MAX_PID; pid++) {
		mcast_pid_stats_init(&p);
		if (mcast_tracker_get_pid(t, i, pid, &p) == 0)
			json_pid(j, &p, span);
	}
	json_end(j);
}

static void text_pids(FILE *out, const mcast_tracker_t *t, size_t i,
		      double span)
{
	struct mcast_pid_stats p;

	fprintf(out, "  %6s %-12s %10s %9s %8s %9s %10s\n", "pid", "type",
		"packets", "cc_errors", "lost", "Mbit/s", "pcr_max_ms");
	for (unsigned pid = 0; pid <= TS_MAX_PID; pid++) {
		char pcr[24] = "-";

		mcast_pid_stats_init(&p);
		if (mcast_tracker_get_pid(t, i, pid, &p) != 0)
			continue;
		if (p.flags & MCAST_PID_PCR)
			snprintf(pcr, sizeof(pcr), "%.3f",
				 (double)p.pcr_interval_max_ns / 1e6);
		fprintf(out, "  %6u %-12s %10llu %9llu %8llu %9.3f %10s\n",
			p.pid, pid_type(&p), (unsigned long long)p.packets,
			(unsigned long long)p.cc_errors,
			(unsigned long long)p.lost,
			span > 0 ? (double)p.bytes * 8 / span / 1e6 : 0, pcr);
	}
}

static void text_one(FILE *out, const mcast_tracker_t *t, size_t i,
		     const struct mcast_stream_stats *s)
{
	char g[MCAST_ADDRSTRLEN], src[MCAST_ADDRSTRLEN];
	uint64_t expected = s->received + s->lost;

	ends_format(s, src, g);
	fprintf(out, "%s %s -> %s", mcast_stream_name(s->stream), src, g);
	if (is_rtp(s->stream))
		fprintf(out, " ssrc 0x%08x payload type %d", (unsigned)s->ssrc,
			s->payload_type);
	if (s->stream != MCAST_STREAM_TS)
		fprintf(out,
			": %s %llu..%llu, received %llu, lost %llu (%.2f%%), duplicates %llu, reordered %llu, late %llu",
			s->stream == MCAST_STREAM_SEQ ? "seq" : "rtp seq",
			(unsigned long long)s->first_seq,
			(unsigned long long)s->max_seq,
			(unsigned long long)s->received,
			(unsigned long long)s->lost,
			expected ? 100.0 * (double)s->lost / (double)expected
				 : 0,
			(unsigned long long)s->duplicates,
			(unsigned long long)s->reordered,
			(unsigned long long)s->late);
	else
		fprintf(out, ": %llu datagrams",
			(unsigned long long)s->received);
	if (is_rtp(s->stream) && s->clock_rate)
		fprintf(out, "; jitter %.3f ms (max %.3f ms) at %u Hz",
			s->jitter_ns / 1e6, s->jitter_max_ns / 1e6,
			s->clock_rate);
	else if (is_rtp(s->stream))
		fprintf(out,
			"; jitter unknown (payload type %d has no static clock rate: give --rtp-clock)",
			s->payload_type);
	fputc('\n', out);
	if (!has_ts(s->stream))
		return;
	fprintf(out,
		"  TS packets %llu, lost %llu (%.2f%%, from counter gaps), cc errors %llu, duplicates %llu, transport errors %llu, programs %u\n",
		(unsigned long long)s->ts_packets,
		(unsigned long long)s->ts_lost, ts_loss_pct(s),
		(unsigned long long)s->ts_cc_errors,
		(unsigned long long)s->ts_duplicates,
		(unsigned long long)s->ts_tei, s->ts_programs);
	fprintf(out,
		"  TR 101 290 priority 1: TS_sync_loss %llu, Sync_byte_error %llu, PAT_error %llu, Continuity_count_error %llu, PMT_error %llu, PID_error %llu\n",
		(unsigned long long)s->ts_sync_loss,
		(unsigned long long)s->ts_sync_byte_errors,
		(unsigned long long)s->ts_pat_errors,
		(unsigned long long)s->ts_cc_errors,
		(unsigned long long)s->ts_pmt_errors,
		(unsigned long long)s->ts_pid_errors);
	text_pids(out, t, i, seconds(&s->first, &s->last));
}

/* One row of the terminal's table: what text_one() says, in columns. */
static void table_row(FILE *out, const struct mcast_stream_stats *s)
{
	char src[MCAST_ADDRSTRLEN], g[MCAST_ADDRSTRLEN], id[16] = "-",
							 jit[24] = "-";
	char ts[80] = "-";

	ends_format(s, src, g);
	if (is_rtp(s->stream)) {
		snprintf(id, sizeof(id), "%08x/%d", (unsigned)s->ssrc,
			 s->payload_type);
		if (s->clock_rate)
			snprintf(jit, sizeof(jit), "%.3f", s->jitter_ns / 1e6);
	}
	if (has_ts(s->stream))
		snprintf(ts, sizeof(ts), "%llu/%llu %llu %llu/%llu/%llu",
			 (unsigned long long)s->ts_lost,
			 (unsigned long long)s->ts_packets,
			 (unsigned long long)s->ts_cc_errors,
			 (unsigned long long)s->ts_pat_errors,
			 (unsigned long long)s->ts_pmt_errors,
			 (unsigned long long)s->ts_pid_errors);
	fprintf(out,
		"%-7s %-22s %-22s %-11s %9llu %7llu %6.2f %5llu %5llu %9s %s\n",
		mcast_stream_name(s->stream), src, g, id,
		(unsigned long long)s->received, (unsigned long long)s->lost,
		report_loss_pct(s), (unsigned long long)s->duplicates,
		(unsigned long long)s->reordered, jit, ts);
}

/* On a terminal: the streams as one table, a row each, then the PIDs of
 * each MPEG-TS stream; elsewhere (a file, a pipe, a log) a block of
 * lines per stream, for grep. */
void report_stream_text(FILE *out, const mcast_tracker_t *t, bool table)
{
	struct mcast_stream_stats s;
	size_t n = mcast_tracker_count(t), rows = 0;

	for (size_t i = 0; i < n; i++) {
		mcast_stream_stats_init(&s);
		if (mcast_tracker_get(t, i, &s) < 0 ||
		    s.stream == MCAST_STREAM_MCAST ||
		    s.stream == MCAST_STREAM_UNKNOWN)
			continue;
		if (!table) {
			text_one(out, t, i, &s);
			continue;
		}
		if (rows++ == 0)
			fprintf(out,
				"%-7s %-22s %-22s %-11s %9s %7s %6s %5s %5s %9s %s\n",
				"stream", "source", "group", "ssrc/pt",
				"received", "lost", "loss%", "dup", "reord",
				"jitter_ms",
				"ts_lost/ts_packets cc_errors pat/pmt/pid_errors");
		table_row(out, &s);
	}
	if (!table)
		return;
	for (size_t i = 0; i < n; i++) {
		char src[MCAST_ADDRSTRLEN], g[MCAST_ADDRSTRLEN];

		mcast_stream_stats_init(&s);
		if (mcast_tracker_get(t, i, &s) < 0 || !has_ts(s.stream))
			continue;
		ends_format(&s, src, g);
		fprintf(out, "%s %s -> %s:\n", mcast_stream_name(s.stream), src,
			g);
		text_pids(out, t, i, seconds(&s.first, &s.last));
	}
}
