/* SPDX-License-Identifier: MIT */
/* mcast recv --stats: the live line, interval reports and the summary. */
#include "report.h"
#include "format.h"
#include "json.h"
#include "report_stream.h"
#include "sealing.h"

#include <string.h>

double report_loss_pct(const struct mcast_stream_stats *s)
{
	/* Only probes can be missed: plain datagrams must not dilute it. */
	uint64_t expected = s->received - s->plain + s->lost;

	/* MPEG-TS over UDP: its packets, from the continuity gaps. */
	if (s->stream == MCAST_STREAM_TS)
		return s->ts_packets + s->ts_lost
			       ? 100.0 * (double)s->ts_lost /
					 (double)(s->ts_packets + s->ts_lost)
			       : 0.0;
	return expected ? 100.0 * (double)s->lost / (double)expected : 0.0;
}

double report_run_loss_pct(const mcast_tracker_t *t,
			   const struct mcast_stream_stats *tot, uint64_t *lost)
{
	uint64_t expected;

	report_loss_units(t, tot, lost, &expected);
	return expected ? 100.0 * (double)*lost / (double)expected : 0.0;
}

static double span_s(const struct mcast_stream_stats *s)
{
	return (double)(s->last.tv_sec - s->first.tv_sec) +
	       (double)(s->last.tv_nsec - s->first.tv_nsec) / 1e9;
}

/* n arrivals span n - 1 intervals: the rate is intervals / time. */
static double rate_pps(const struct mcast_stream_stats *s)
{
	double span = span_s(s);

	return span > 0 && s->received > 1 ? (double)(s->received - 1) / span
					   : 0;
}

static double avg_bits(const struct mcast_stream_stats *s)
{
	return s->received ? (double)s->bytes * 8 / (double)s->received : 0;
}

static const char *head_name(int head)
{
	return head == MCAST_HEAD_FROM_START	? "from_start"
	       : head == MCAST_HEAD_JOINED_LATE ? "joined_late"
						: "unknown";
}

void report_totals(const mcast_tracker_t *t, struct mcast_stream_stats *out)
{
	mcast_stream_stats_init(out);
	mcast_tracker_totals(t, out);
}

void report_live(FILE *err, const mcast_tracker_t *t, double elapsed)
{
	struct mcast_stream_stats tot;

	report_totals(t, &tot);
	fprintf(err,
		"\r\033[K%7.1fs  received %llu  lost %llu (%.2f%%)  dup %llu  reordered %llu  sessions %llu",
		elapsed, (unsigned long long)tot.received,
		(unsigned long long)tot.lost, report_loss_pct(&tot),
		(unsigned long long)tot.duplicates,
		(unsigned long long)tot.reordered,
		(unsigned long long)tot.sessions);
	fflush(err);
}

void report_interval(FILE *out, bool json, const mcast_tracker_t *t,
		     struct mcast_stream_stats *prev, double from, double to)
{
	struct mcast_stream_stats now;
	double len = to - from > 0 ? to - from : 1;

	report_totals(t, &now);
	unsigned long long rx = now.received - prev->received;
	unsigned long long lost =
		now.lost >= prev->lost ? now.lost - prev->lost : 0;
	unsigned long long bytes = now.bytes - prev->bytes;
	unsigned long long ts_lost = now.ts_lost - prev->ts_lost;
	unsigned long long cc = now.ts_cc_errors - prev->ts_cc_errors;

	if (json) {
		struct json j;

		json_record(&j, out, "interval");
		json_double(&j, "from", from, 3);
		json_double(&j, "to", to, 3);
		json_uint(&j, "received", rx);
		json_uint(&j, "lost", lost);
		json_uint(&j, "duplicates", now.duplicates - prev->duplicates);
		json_uint(&j, "reordered", now.reordered - prev->reordered);
		json_uint(&j, "late", now.late - prev->late);
		json_uint(&j, "bytes", bytes);
		json_double(&j, "rate_pps", (double)rx / len, 1);
		json_double(&j, "rate_bps", (double)bytes * 8 / len, 1);
		/* MPEG-TS figures only where there is MPEG-TS. */
		if (now.ts_packets) {
			json_uint(&j, "ts_packets",
				  now.ts_packets - prev->ts_packets);
			json_uint(&j, "ts_lost", ts_lost);
			json_uint(&j, "cc_errors", cc);
		}
		json_end(&j);
	} else if (now.ts_packets)
		fprintf(out,
			"%7.1f-%.1fs  received %llu  lost %llu  %.1f datagrams/s  %.3f Mbit/s  TS lost %llu  cc errors %llu\n",
			from, to, rx, lost, (double)rx / len,
			(double)bytes * 8 / len / 1e6, ts_lost, cc);
	else
		fprintf(out,
			"%7.1f-%.1fs  received %llu  lost %llu  %.1f datagrams/s  %.3f Mbit/s\n",
			from, to, rx, lost, (double)rx / len,
			(double)bytes * 8 / len / 1e6);
	*prev = now;
}

/* "latency_ns": null until a probe carried a send time. */
static void json_latency(struct json *j, const struct mcast_stream_stats *s)
{
	if (!s->latency_count) {
		json_null(j, "latency_ns");
		return;
	}
	json_object(j, "latency_ns");
	json_int(j, "min", s->latency_min_ns);
	json_uint(j, "p50", s->latency_p50_ns);
	json_uint(j, "p99", s->latency_p99_ns);
	json_int(j, "max", s->latency_max_ns);
	json_end(j);
}

static void json_counters(struct json *j, const struct mcast_stream_stats *s,
			  double loss_pct)
{
	json_uint(j, "received", s->received);
	json_uint(j, "lost", s->lost);
	json_uint(j, "duplicates", s->duplicates);
	json_uint(j, "reordered", s->reordered);
	json_uint(j, "late", s->late);
	json_uint(j, "bytes", s->bytes);
	json_double(j, "loss_pct", loss_pct, 4);
}

static void json_session(struct json *j, const mcast_tracker_t *t, size_t i,
			 const struct mcast_stream_stats *s)
{
	json_object(j, NULL);
	json_addr_port(j, "group", "port", (const struct sockaddr *)&s->group);
	json_addr_port(j, "source", "source_port",
		       (const struct sockaddr *)&s->source);
	json_bool(j, "probe", s->is_probe);
	if (s->is_probe) {
		json_string(j, "stream", mcast_stream_name(s->stream));
		json_hex(j, "session", s->session, MCAST_SESSION_LEN);
		json_uint(j, "first_seq", s->first_seq);
		json_uint(j, "max_seq", s->max_seq);
		json_bool(j, "ended", s->ended);
		if (s->ended) {
			json_uint(j, "total_sent", s->total_sent);
			json_uint(j, "not_sent", s->not_sent);
		}
		json_string(j, "head", head_name(s->head));
		json_uint(j, "head_missed", s->head_missed);
	} else {
		report_stream_json_head(j, s);
	}
	json_counters(j, s, report_loss_pct(s));
	json_double(j, "duration", span_s(s), 6);
	json_double(j, "rate_pps", rate_pps(s), 1);
	json_double(j, "rate_bps", rate_pps(s) * avg_bits(s), 1);
	if (s->is_probe) {
		json_latency(j, s);
		json_double(j, "jitter_ns", s->jitter_ns, 0);
		if (s->hops >= 0)
			json_int(j, "hops", s->hops);
	}
	report_stream_json_tail(j, t, i, s);
	json_end(j);
}

/* Kernel drops that were data: the end-of-stream copies known to be
 * missing are set aside first, or a stream whose marker overflowed the
 * buffer would show one drop more than its gaps. */
static uint64_t data_drops(const struct report_host *host)
{
	uint64_t markers = host->end_missed < host->kernel_drops
				   ? host->end_missed
				   : host->kernel_drops;

	return host->kernel_drops - markers;
}

/* Lost on the way: not what this host's kernel dropped, nor what the
 * sender could not send (both are in lost). */
static uint64_t network_lost(const struct mcast_stream_stats *tot,
			     const struct report_host *host)
{
	uint64_t own = data_drops(host) + tot->not_sent;

	return tot->lost > own ? tot->lost - own : 0;
}

/* The wildcard a receiver's socket is bound to, with its port. */
static const char *bound_any(const struct mcast_socket_info *si)
{
	return si->family == AF_INET6 ? "::" : "0.0.0.0";
}

static void json_sockets(struct json *j, const struct report_host *host)
{
	json_array(j, "sockets");
	for (size_t i = 0; i < host->nsockets; i++) {
		const struct mcast_socket_info *si = &host->sockets[i];

		json_object(j, NULL);
		json_uint(j, "socket", i);
		json_string(j, "family",
			    si->family == AF_INET6 ? "ipv6" : "ipv4");
		json_string(j, "bound", bound_any(si));
		json_uint(j, "port", si->port);
		if (host->iface)
			json_string(j, "iface", host->iface);
		else
			json_null(j, "iface");
		json_uint(j, "groups", si->ngroups);
		json_uint(j, "kernel_drops", si->kernel_drops);
		json_end(j);
	}
	json_end(j);
}

static void summary_json(FILE *out, const mcast_tracker_t *t,
			 const struct report_host *host, double elapsed,
			 const char *ended_by)
{
	struct mcast_stream_stats tot, s;
	size_t n = mcast_tracker_count(t);
	struct json j;
	uint64_t lost;

	report_totals(t, &tot);
	json_record(&j, out, "summary");
	json_double(&j, "duration", elapsed, 3);
	json_string(&j, "ended_by", ended_by);
	json_object(&j, "totals");
	json_counters(&j, &tot, report_run_loss_pct(t, &tot, &lost));
	json_uint(&j, "sessions", tot.sessions);
	json_uint(&j, "restarts", tot.restarts);
	json_uint(&j, "malformed", tot.malformed);
	json_uint(&j, "retired", tot.retired);
	json_uint(&j, "plain", tot.plain);
	json_uint(&j, "not_sent", tot.not_sent);
	json_uint(&j, "head_missed", tot.head_missed);
	json_int(&j, "rcvbuf", host->rcvbuf);
	json_uint(&j, "kernel_drops", host->kernel_drops);
	json_string(&j, "kernel_drops_unit",
		    host->gro ? "buffers" : "datagrams");
	if (!host->gro) {
		json_uint(&j, "kernel_drops_data", data_drops(host));
		json_uint(&j, "network_lost", network_lost(&tot, host));
	}
	if (host->rejects)
		sealing_json(&j, host->rejects);
	json_latency(&j, &tot);
	if (tot.ts_packets) {
		json_uint(&j, "ts_packets", tot.ts_packets);
		json_uint(&j, "ts_lost", tot.ts_lost);
		json_uint(&j, "cc_errors", tot.ts_cc_errors);
		/* The shared PID table was full: counted, not dropped. */
		json_uint(&j, "pid_overflow", tot.ts_pid_overflow);
		json_uint(&j, "ref_overflow", tot.ts_ref_overflow);
	}
	if (tot.stream_malformed)
		json_uint(&j, "stream_malformed", tot.stream_malformed);
	json_end(&j);
	json_sockets(&j, host);
	json_array(&j, "sessions");
	for (size_t i = 0; i < n; i++) {
		mcast_stream_stats_init(&s);
		if (mcast_tracker_get(t, i, &s) >= 0)
			json_session(&j, t, i, &s);
	}
	json_end(&j);
	json_end(&j);
}

static void fmt_us(char *buf, size_t len, double ns)
{
	snprintf(buf, len, "%.1f", ns / 1000.0);
}

/* Sockets listed one by one in the text summary; more are summed. */
#define SOCKETS_LISTED 8

/* The kernel counts drops per socket, and a socket serves every group of
 * its port: this is as close to a stream as drops can be put. */
static void text_sockets(FILE *out, const struct report_host *host)
{
	uint64_t rest = 0;

	for (size_t i = 0; i < host->nsockets; i++) {
		const struct mcast_socket_info *si = &host->sockets[i];

		if (i >= SOCKETS_LISTED) {
			rest += si->kernel_drops;
			continue;
		}
		fprintf(out,
			"socket %zu: %s%s%s:%u on %s, %u group%s: kernel drops %llu\n",
			i, si->family == AF_INET6 ? "[" : "", bound_any(si),
			si->family == AF_INET6 ? "]" : "", si->port,
			host->iface ? host->iface : "(route)", si->ngroups,
			si->ngroups == 1 ? "" : "s",
			(unsigned long long)si->kernel_drops);
	}
	if (host->nsockets > SOCKETS_LISTED)
		fprintf(out, "and %zu more sockets: kernel drops %llu\n",
			host->nsockets - SOCKETS_LISTED,
			(unsigned long long)rest);
}

/* Losses this host caused itself are not the network's: say which. */
static void text_drops(FILE *out, const struct mcast_stream_stats *tot,
		       const struct report_host *host)
{
	fprintf(out,
		"receive buffer %d bytes as the kernel counts it (twice what --rcvbuf asked for, default 4M; at most twice net.core.rmem_max without CAP_NET_ADMIN); kernel drops %llu\n",
		host->rcvbuf, (unsigned long long)host->kernel_drops);
	text_sockets(out, host);
	if (!host->kernel_drops)
		return;
	if (host->gro)
		fprintf(out,
			"this host's kernel dropped %llu coalesced buffers (each may have held many datagrams) because the receive buffer (%d bytes) was full; raise --rcvbuf or net.core.rmem_max\n",
			(unsigned long long)host->kernel_drops, host->rcvbuf);
	else
		fprintf(out,
			"of the %llu lost, this host's kernel dropped %llu%s because the receive buffer (%d bytes) was full, so %llu were lost on the way; raise --rcvbuf or net.core.rmem_max\n",
			(unsigned long long)tot->lost,
			(unsigned long long)data_drops(host),
			data_drops(host) < host->kernel_drops
				? " (its other drops were end-of-stream markers)"
				: "",
			host->rcvbuf,
			(unsigned long long)network_lost(tot, host));
}

/* What the table's columns cannot say: a missed head, a sender's outage. */
static void text_notes(FILE *out, const mcast_tracker_t *t)
{
	struct mcast_stream_stats s;
	size_t n = mcast_tracker_count(t);

	for (size_t i = 0; i < n; i++) {
		char sid[2 * MCAST_SESSION_LEN + 1];

		mcast_stream_stats_init(&s);
		if (mcast_tracker_get(t, i, &s) < 0 || !s.is_probe)
			continue;
		fmt_hex_text(sid, s.session, MCAST_SESSION_LEN);
		sid[8] = '\0';
		if (s.head == MCAST_HEAD_JOINED_LATE)
			fprintf(out,
				"session %s: joined after it began: missed its first %llu probe%s (first_seq %llu), not counted lost\n",
				sid, (unsigned long long)s.head_missed,
				s.head_missed == 1 ? "" : "s",
				(unsigned long long)s.first_seq);
		if (s.not_sent)
			fprintf(out,
				"session %s: its sender could not send %llu of %llu probes (counted in lost)\n",
				sid, (unsigned long long)s.not_sent,
				(unsigned long long)s.total_sent);
	}
}

static void summary_text(FILE *out, const mcast_tracker_t *t,
			 const struct report_host *host, double elapsed)
{
	struct mcast_stream_stats tot, s;
	size_t n = mcast_tracker_count(t);
	uint64_t lost;

	fprintf(out,
		"%-22s %-26s %-8s %9s %7s %6s %5s %5s %8s %10s %9s %9s %9s %5s\n",
		"group", "source", "session", "received", "lost", "loss%",
		"dup", "reord", "late", "Mbit/s", "lat_p50us", "lat_p99us",
		"jitter_us", "hops");
	for (size_t i = 0; i < n; i++) {
		char g[MCAST_ADDRSTRLEN], src[MCAST_ADDRSTRLEN];
		char sid[2 * MCAST_SESSION_LEN + 1] = "-";
		char p50[24] = "-", p99[24] = "-", jit[24] = "-",
		     hops[16] = "-";

		mcast_stream_stats_init(&s);
		if (mcast_tracker_get(t, i, &s) < 0)
			continue;
		mcast_addr_format((const struct sockaddr *)&s.group,
				  MCAST_FMT_PORT, g, sizeof(g));
		mcast_addr_format((const struct sockaddr *)&s.source,
				  MCAST_FMT_PORT, src, sizeof(src));
		if (s.is_probe) {
			fmt_hex_text(sid, s.session, MCAST_SESSION_LEN);
			sid[8] = '\0';
			if (s.latency_count) {
				fmt_us(p50, sizeof(p50),
				       (double)s.latency_p50_ns);
				fmt_us(p99, sizeof(p99),
				       (double)s.latency_p99_ns);
			}
			fmt_us(jit, sizeof(jit), s.jitter_ns);
			if (s.hops >= 0)
				snprintf(hops, sizeof(hops), "%d", s.hops);
		} else if (s.payload_type >= 0) { /* RTP: its SSRC */
			snprintf(sid, sizeof(sid), "%08x", (unsigned)s.ssrc);
			if (s.clock_rate)
				fmt_us(jit, sizeof(jit), s.jitter_ns);
		}
		fprintf(out,
			"%-22s %-26s %-8s %9llu %7llu %6.2f %5llu %5llu %8llu %10.3f %9s %9s %9s %5s\n",
			g, src, sid, (unsigned long long)s.received,
			(unsigned long long)s.lost, report_loss_pct(&s),
			(unsigned long long)s.duplicates,
			(unsigned long long)s.reordered,
			(unsigned long long)s.late,
			rate_pps(&s) * avg_bits(&s) / 1e6, p50, p99, jit, hops);
	}
	text_notes(out, t);
	report_stream_text(out, t, host->table);
	report_totals(t, &tot);
	double pct = report_run_loss_pct(t, &tot, &lost);

	fprintf(out,
		"total: received %llu, lost %llu (%.2f%%), duplicates %llu, reordered %llu, late %llu, %llu bytes in %.3f s; sessions %llu, restarts %llu, malformed %llu, retired %llu\n",
		(unsigned long long)tot.received, (unsigned long long)lost, pct,
		(unsigned long long)tot.duplicates,
		(unsigned long long)tot.reordered, (unsigned long long)tot.late,
		(unsigned long long)tot.bytes, elapsed,
		(unsigned long long)tot.sessions,
		(unsigned long long)tot.restarts,
		(unsigned long long)tot.malformed,
		(unsigned long long)tot.retired);
	if (tot.not_sent)
		fprintf(out,
			"not sent: %llu of the %llu lost were never sent by their senders (link outages, firewall drops on the sender's host)\n",
			(unsigned long long)tot.not_sent,
			(unsigned long long)tot.lost);
	text_drops(out, &tot, host);
	if (host->rejects) {
		char words[512];
		uint64_t bad = sealing_reject_words(host->rejects, words,
						    sizeof(words));

		fprintf(out, "sealed: accepted %llu, rejected %llu%s%s%s\n",
			(unsigned long long)host->rejects->accepted,
			(unsigned long long)bad, bad ? " (" : "", words,
			bad ? ")" : "");
	}
	if (tot.latency_count)
		fprintf(out,
			"one-way latency (needs synchronised clocks across hosts): min %.1f us, p50 %.1f us, p99 %.1f us, max %.1f us\n",
			(double)tot.latency_min_ns / 1000,
			(double)tot.latency_p50_ns / 1000,
			(double)tot.latency_p99_ns / 1000,
			(double)tot.latency_max_ns / 1000);
}

void report_summary(FILE *out, bool json, const mcast_tracker_t *t,
		    const struct report_host *host, double elapsed,
		    const char *ended_by)
{
	if (json)
		summary_json(out, t, host, elapsed, ended_by);
	else
		summary_text(out, t, host, elapsed);
}
