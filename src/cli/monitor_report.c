/* SPDX-License-Identifier: MIT */
/* mcast monitor's output: interval records or lines, events, the table. */
#include "monitor.h"
#include "format.h"
#include "json.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Of sequenced datagrams where there are any; else, for MPEG-TS over UDP,
 * of TS packets (issue 16: ts_lost / (ts_packets + ts_lost)). */
double mon_loss_pct(const struct mon_group *g)
{
	uint64_t expected = g->p.received + g->p.lost;
	uint64_t ts = g->p.ts_packets + g->p.ts_lost;

	if (expected)
		return 100.0 * (double)g->p.lost / (double)expected;
	return ts ? 100.0 * (double)g->p.ts_lost / (double)ts : 0;
}

static const char *state(const struct mon_group *g)
{
	return g->silent ? "silent" : "receiving";
}

/* Outage time so far: the completed ones and the one under way. */
static double outage_total(const struct monitor *mon, const struct mon_group *g)
{
	if (g->silent && g->first_at)
		return g->outage_s + (mon->now - g->last_at);
	return g->outage_s;
}

static void json_group_id(struct json *j, const struct mon_group *g)
{
	json_addr_port(j, "group", "port",
		       (const struct sockaddr *)&g->spec.group);
	if (g->spec.source.ss_family != AF_UNSPEC)
		json_addr(j, "source",
			  (const struct sockaddr *)&g->spec.source);
	json_string(j, "name", g->spec.name);
	json_string(j, "iface", g->iface);
	json_string(j, "stream", mon_stream_name(g->spec.stream));
}

static void json_probe(struct json *j, const struct mon_probe *p)
{
	json_uint(j, "lost", p->lost);
	json_uint(j, "duplicates", p->duplicates);
	json_uint(j, "reordered", p->reordered);
	json_double(j, "jitter_ms", p->jitter_ms, 3);
	json_uint(j, "ts_packets", p->ts_packets);
	json_uint(j, "ts_lost", p->ts_lost);
	json_uint(j, "cc_errors", p->ts_cc_errors);
}

static void json_sender(struct json *j, const struct mon_sender *s,
			const char *other)
{
	json_object(j, NULL);
	if (other)
		json_string(j, "source", other);
	else
		json_addr_port(j, "source", "source_port",
			       (const struct sockaddr *)&s->src);
	/* What the tracker made of it (auto decides per sender). */
	json_string(j, "stream", mon_stream_name(s->stream));
	json_uint(j, "datagrams", s->datagrams);
	json_uint(j, "bytes", s->bytes);
	json_double(j, "bitrate", s->bitrate, 1);
	json_probe(j, &s->p);
	json_end(j);
}

static void interval_json(const struct monitor *mon, FILE *out,
			  const struct mon_group *g, double from, double to)
{
	struct json j;

	json_record(&j, out, "interval");
	json_double(&j, "from", from, 3);
	json_double(&j, "to", to, 3);
	json_group_id(&j, g);
	json_string(&j, "state", state(g));
	json_double(&j, "datagrams_per_s", g->rate, 1);
	json_double(&j, "bitrate", g->bitrate, 1);
	json_uint(&j, "datagrams", g->datagrams);
	json_uint(&j, "bytes", g->bytes);
	json_uint(&j, "sequenced", g->p.received);
	json_probe(&j, &g->p);
	json_double(&j, "loss_pct", mon_loss_pct(g), 4);
	json_uint(&j, "outages", g->outages);
	json_double(&j, "outage_s", outage_total(mon, g), 3);
	json_uint(&j, "ssrc_changes", g->ssrc_changes);
	mon_ts_json(&j, g->ts);
	if (g->first_at)
		json_double(&j, "join_latency_s", g->join_latency, 6);
	else
		json_null(&j, "join_latency_s");
	json_array(&j, "senders");
	for (size_t k = 0; k < g->nsenders; k++)
		json_sender(&j, &g->senders[k], NULL);
	if (g->other_senders)
		json_sender(&j, &g->other, "other");
	json_end(&j);
	json_uint(&j, "senders_other", g->other_senders);
	json_end(&j);
}

/* A label or text that came from a file, safe on a terminal. */
static const char *safe(const char *s, char *buf, size_t cap)
{
	fmt_text_safe(buf, cap, s, strlen(s));
	return buf;
}

static void interval_text(const struct monitor *mon, FILE *out,
			  const struct mon_group *g, double from, double to)
{
	char name[4 * MON_NAME_MAX];

	fprintf(out,
		"%.1f-%.1fs %s%s%s %s %.1f datagrams/s %.3f Mbit/s datagrams %llu lost %llu dup %llu reordered %llu jitter %.3f ms outages %llu (%.3f s)",
		from, to, g->spec.text, g->spec.name[0] ? " " : "",
		safe(g->spec.name, name, sizeof(name)), state(g), g->rate,
		g->bitrate / 1e6, (unsigned long long)g->datagrams,
		(unsigned long long)g->p.lost,
		(unsigned long long)g->p.duplicates,
		(unsigned long long)g->p.reordered, g->p.jitter_ms,
		(unsigned long long)g->outages, outage_total(mon, g));
	if (g->first_at)
		fprintf(out, " join %.3f s\n", g->join_latency);
	else
		fputs(" join -\n", out);
}

void mon_report_interval(struct monitor *mon, FILE *out, double from, double to)
{
	if (mon->table)
		return;
	for (size_t i = 0; i < mon->ng; i++) {
		if (mon->cfg->json)
			interval_json(mon, out, mon->g[i], from, to);
		else
			interval_text(mon, out, mon->g[i], from, to);
	}
	fflush(out);
}

/* Kernel drops belong to sockets, which may serve many groups. */
void mon_report_sockets(struct monitor *mon, FILE *out, double to)
{
	struct mcast_info info = { .size = sizeof(info) };
	struct mcast_socket_info si = { .size = sizeof(si) };
	struct json j;

	if (!mon->cfg->json || mcast_get_info(mon->m, &info) < 0)
		return;
	json_record(&j, out, "sockets");
	json_double(&j, "to", to, 3);
	json_uint(&j, "kernel_drops", info.kernel_drops);
	json_array(&j, "sockets");
	for (unsigned i = 0; i < info.nsockets; i++) {
		si.size = sizeof(si);
		if (mcast_get_socket(mon->m, i, &si) < 0)
			continue;
		json_object(&j, NULL);
		json_uint(&j, "socket", i);
		json_string(&j, "family",
			    si.family == AF_INET ? "ipv4" : "ipv6");
		json_uint(&j, "port", si.port);
		json_uint(&j, "groups", si.ngroups);
		json_uint(&j, "kernel_drops", si.kernel_drops);
		json_end(&j);
	}
	json_end(&j);
	json_end(&j);
	fflush(out);
}

/* The head every event record (or line) starts with. */
static bool event_head(const struct monitor *mon, struct json *j,
		       const struct mon_group *g, const char *event,
		       const char *detail)
{
	struct timespec ts;
	char name[4 * MON_NAME_MAX];

	if (!mon->cfg->json) {
		cli_info("event: %s %s%s%s: %s", event, g->spec.text,
			 g->spec.name[0] ? " " : "",
			 safe(g->spec.name, name, sizeof(name)), detail);
		return false;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	json_record(j, stdout, "event");
	json_time(j, "ts", &ts);
	json_string(j, "event", event);
	json_group_id(j, g);
	return true;
}

/* A sender's RTP SSRC changed: an encoder restarted, or another took over. */
void mon_event_ssrc(struct monitor *mon, const struct mon_group *g,
		    const struct mon_sender *s, uint32_t old)
{
	char a[MCAST_ADDRSTRLEN], d[MCAST_ADDRSTRLEN + 64];
	struct json j;

	/* s is the address's first sender; the new SSRC's port is its own */
	mcast_addr_format((const struct sockaddr *)&s->src, 0, a, sizeof(a));
	snprintf(d, sizeof(d), "sender %s port %u ssrc 0x%08x -> 0x%08x", a,
		 (unsigned)s->ssrc_port, (unsigned)old, (unsigned)s->ssrc);
	if (!event_head(mon, &j, g, "ssrc_change", d))
		return;
	json_addr(&j, "sender", (const struct sockaddr *)&s->src);
	json_uint(&j, "sender_port", s->ssrc_port);
	json_uint(&j, "ssrc_old", old);
	json_uint(&j, "ssrc", s->ssrc);
	json_uint(&j, "ssrc_changes", g->ssrc_changes);
	json_end(&j);
	fflush(stdout);
}

/* TR 101 290 PAT_error rose: most often the PAT missing for 0.5 s. */
void mon_event_pat(struct monitor *mon, const struct mon_group *g,
		   uint64_t pat_errors)
{
	char d[64];
	struct json j;

	snprintf(d, sizeof(d), "pat_errors %llu",
		 (unsigned long long)pat_errors);
	if (!event_head(mon, &j, g, "pat_lost", d))
		return;
	json_uint(&j, "pat_errors", pat_errors);
	json_end(&j);
	fflush(stdout);
}

void mon_event(struct monitor *mon, const struct mon_group *g,
	       const char *event, const char *num_key, double num)
{
	char d[64];
	struct json j;

	snprintf(d, sizeof(d), "%s %.3f", num_key, num);
	if (!event_head(mon, &j, g, event, d))
		return;
	json_double(&j, num_key, num, 3);
	json_end(&j);
	fflush(stdout);
}

/* Trouble first: silent, then lossy, then by group. */
static int trouble_cmp(const void *a, const void *b)
{
	const struct mon_group *x = *(struct mon_group *const *)a;
	const struct mon_group *y = *(struct mon_group *const *)b;

	if (x->silent != y->silent)
		return x->silent ? -1 : 1;
	double lx = mon_loss_pct(x), ly = mon_loss_pct(y);

	if (lx != ly)
		return lx > ly ? -1 : 1;
	return mon_group_cmp(&x->spec.group, &y->spec.group, true);
}

void mon_report_table(struct monitor *mon, FILE *out)
{
	struct mon_group **v = malloc((mon->ng + 1) * sizeof(*v));
	char name[4 * MON_NAME_MAX];

	if (!v)
		return;
	if (mon->ng) {
		memcpy(v, mon->g, mon->ng * sizeof(*v));
		qsort(v, mon->ng, sizeof(*v), trouble_cmp);
	}
	fputs("\033[H\033[2J", out);
	fprintf(out, "mcast monitor: %zu groups, %.0f s\n", mon->ng,
		mon->now - mon->start);
	fprintf(out, "%-28s %-16s %-9s %10s %10s %8s %8s %9s %8s\n", "group",
		"name", "state", "datagrams", "Mbit/s", "lost", "loss%",
		"jitter_ms", "outages");
	for (size_t i = 0; i < mon->ng; i++) {
		const struct mon_group *g = v[i];

		fprintf(out,
			"%-28s %-16.16s %-9s %10llu %10.3f %8llu %8.3f %9.3f %8llu\n",
			g->spec.text, safe(g->spec.name, name, sizeof(name)),
			state(g), (unsigned long long)g->datagrams,
			g->sec_bitrate / 1e6, (unsigned long long)g->p.lost,
			mon_loss_pct(g), g->p.jitter_ms,
			(unsigned long long)g->outages);
	}
	fflush(out);
	free(v);
}
