/* SPDX-License-Identifier: MIT */
/*
 * mcast monitor --metrics: the Prometheus text exposition format (0.0.4)
 * at /metrics, served by libmicrohttpd's own thread.  The receive loop
 * writes the whole text once a second into the spare of two buffers and
 * swaps it in under a mutex; the HTTP thread only ever copies the current
 * buffer under that mutex, so a slow scraper never holds up a datagram,
 * and the monitor's state is touched by one thread only.
 */
#include "monitor.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A label value: backslash, double quote and newline escaped. */
static void label(FILE *out, const char *key, const char *v, bool comma)
{
	fprintf(out, "%s%s=\"", comma ? "," : "", key);
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			fputc('\\', out);
		if (*v == '\n')
			fputs("\\n", out);
		else
			fputc(*v, out);
	}
	fputc('"', out);
}

/* v escaped as label() does it, into d: room for 2 * strlen(v) + 1
 * (every byte may double). */
static const char *escaped(char *d, const char *v)
{
	char *p = d;

	for (; *v; v++) {
		if (*v == '\\' || *v == '"' || *v == '\n')
			*p++ = '\\';
		*p++ = *v == '\n' ? 'n' : *v;
	}
	*p = '\0';
	return d;
}

/* The group's labels into g->labels, once per publish. */
static void make_labels(struct mon_group *g)
{
	char a[MCAST_ADDRSTRLEN], ifc[2 * IF_NAMESIZE], name[2 * MON_NAME_MAX];
	const struct sockaddr *ga = (const struct sockaddr *)&g->spec.group;

	mcast_addr_format(ga, 0, a, sizeof(a));
	snprintf(g->labels, sizeof(g->labels),
		 "group=\"%s\",port=\"%u\",iface=\"%s\",name=\"%s\"", a,
		 mcast_addr_port(ga), escaped(ifc, g->iface),
		 escaped(name, g->spec.name));
}

static void group_labels(FILE *out, const struct mon_group *g)
{
	fputs(g->labels, out);
}

static void sender_labels(FILE *out, const struct mon_group *g,
			  const struct mon_sender *s)
{
	char a[MCAST_ADDRSTRLEN];

	group_labels(out, g);
	if (s == &g->other)
		snprintf(a, sizeof(a), "other");
	else
		mcast_addr_format((const struct sockaddr *)&s->src,
				  MCAST_FMT_PORT, a, sizeof(a));
	label(out, "source", a, true);
}

/* A number as the format wants it: integers exact (and written by hand:
 * printf was a good part of a publish), NaN spelled. */
static void value(FILE *out, double v)
{
	if (isnan(v)) {
		fputs(" NaN\n", out);
	} else if (v >= 0 && v < 1e15 && (double)(uint64_t)v == v) {
		char d[24], *p = d + sizeof(d);
		uint64_t n = (uint64_t)v;

		*--p = '\0';
		*--p = '\n';
		do
			*--p = (char)('0' + n % 10);
		while (n /= 10);
		*--p = ' ';
		fputs(p, out);
	} else if (v > -1e15 && v < 1e15 && (double)(long long)v == v) {
		fprintf(out, " %.0f\n", v);
	} else {
		fprintf(out, " %.9g\n", v);
	}
}

enum gm {
	GM_UP,
	GM_DGRAMS,
	GM_BYTES,
	GM_LOST,
	GM_DUP,
	GM_REORD,
	GM_BITRATE,
	GM_JITTER,
	GM_OUTAGES,
	GM_OUTAGE_S,
	GM_JOIN,
	GM_SENDERS_OTHER,
	GM_SSRC
};

static const struct family {
	const char *name, *type, *help;
} group_families[] = {
	[GM_UP] = { "mcast_up", "gauge",
		    "1 while datagrams arrive, 0 once silent for --idle" },
	[GM_DGRAMS] = { "mcast_datagrams_received_total", "counter",
			"Datagrams received for the group" },
	[GM_BYTES] = { "mcast_bytes_received_total", "counter",
		       "UDP payload bytes received for the group" },
	[GM_LOST] = { "mcast_datagrams_lost_total", "counter",
		      "Datagrams missing from sequenced streams (probes, RTP, seq)" },
	[GM_DUP] = { "mcast_datagrams_duplicate_total", "counter",
		     "Datagrams of sequenced streams seen before" },
	[GM_REORD] = { "mcast_datagrams_reordered_total", "counter",
		       "Datagrams of sequenced streams out of order (RFC 4737)" },
	/* Bytes, not bits: Prometheus' base unit (promtool insists). */
	[GM_BITRATE] = { "mcast_receive_bytes_per_second", "gauge",
			 "Payload bytes per second over the last --interval-report" },
	[GM_JITTER] = { "mcast_jitter_seconds", "gauge",
			"RFC 3550 interarrival jitter, largest of the senders" },
	[GM_OUTAGES] = { "mcast_outages_total", "counter",
			 "Times the group went silent after receiving (counted as each begins)" },
	[GM_OUTAGE_S] = { "mcast_outage_seconds_total", "counter",
			  "Seconds silent after receiving, the current outage included" },
	[GM_JOIN] = { "mcast_join_latency_seconds", "gauge",
		      "From the join to the first datagram" },
	[GM_SENDERS_OTHER] = { "mcast_senders_overflow_total", "counter",
			       "Senders beyond the per-group limit, counted as source=\"other\"" },
	[GM_SSRC] = { "mcast_rtp_ssrc_changes_total", "counter",
		      "RTP senders of the group that took a new SSRC" },
};

static double group_value(const struct monitor *mon, const struct mon_group *g,
			  enum gm m)
{
	switch (m) {
	case GM_UP:
		return g->silent ? 0 : 1;
	case GM_DGRAMS:
		return (double)g->datagrams;
	case GM_BYTES:
		return (double)g->bytes;
	case GM_LOST:
		return (double)g->p.lost;
	case GM_DUP:
		return (double)g->p.duplicates;
	case GM_REORD:
		return (double)g->p.reordered;
	case GM_BITRATE:
		return g->bitrate / 8;
	case GM_JITTER:
		return g->p.jitter_ms / 1e3;
	case GM_OUTAGES:
		return (double)g->outages;
	case GM_OUTAGE_S:
		return g->outage_s +
		       (g->silent && g->first_at ? mon->now - g->last_at : 0);
	case GM_JOIN:
		return g->join_latency;
	case GM_SENDERS_OTHER:
		return (double)g->other_senders;
	case GM_SSRC:
		return (double)g->ssrc_changes;
	}
	return NAN;
}

static const struct family sender_families[] = {
	{ "mcast_sender_datagrams_received_total", "counter",
	  "Datagrams received from the sender" },
	{ "mcast_sender_bytes_received_total", "counter",
	  "UDP payload bytes received from the sender" },
	{ "mcast_sender_datagrams_lost_total", "counter",
	  "Datagrams of the sender's sequenced streams missing" },
	{ "mcast_sender_receive_bytes_per_second", "gauge",
	  "The sender's payload bytes per second over the last --interval-report" },
};

static double sender_value(const struct mon_sender *s, size_t m)
{
	return m == 0	? (double)s->datagrams
	       : m == 1 ? (double)s->bytes
	       : m == 2 ? (double)s->p.lost
			: s->bitrate / 8;
}

static void head(FILE *out, const struct family *f)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", f->name, f->help, f->name,
		f->type);
}

/* MPEG-TS series, of the groups where TS was seen: per PID (a pid label,
 * "other" for the rest), and the TR 101 290 priority 1 indicators as one
 * family with an indicator label, so that their sum is the group's
 * priority 1 error count. */
enum tsm { TM_PACKETS, TM_LOST, TM_CC, TM_RATE, TM_PIDS_OTHER, TM_P1 };

static const struct family ts_families[] = {
	[TM_PACKETS] = { "mcast_ts_packets_received_total", "counter",
			 "MPEG-TS packets received, per PID" },
	[TM_LOST] = { "mcast_ts_packets_lost_total", "counter",
		      "MPEG-TS packets lost, estimated from continuity gaps, per PID" },
	[TM_CC] = { "mcast_ts_cc_errors_total", "counter",
		    "MPEG-TS continuity count errors (TR 101 290 1.4), per PID" },
	[TM_RATE] = { "mcast_ts_receive_bytes_per_second", "gauge",
		      "MPEG-TS bytes per second of the PID over the last --interval-report" },
	[TM_PIDS_OTHER] = { "mcast_ts_pids_overflow_total", "counter",
			    "PIDs beyond the per-group limit, counted as pid=\"other\"" },
	[TM_P1] = { "mcast_ts_tr101290_priority1_errors_total", "counter",
		    "ETSI TR 101 290 priority 1 errors, by indicator" },
};

static double pid_value(const struct mon_pid *p, enum tsm m)
{
	return m == TM_PACKETS ? (double)p->c.packets
	       : m == TM_LOST  ? (double)p->c.lost
	       : m == TM_CC    ? (double)p->c.cc_errors
			       : p->bitrate / 8;
}

static void pid_sample(FILE *out, const struct mon_group *g,
		       const struct mon_pid *p, enum tsm m)
{
	char pid[16];

	if (p == &g->ts->other)
		snprintf(pid, sizeof(pid), "other");
	else
		snprintf(pid, sizeof(pid), "%u", p->pid);
	fprintf(out, "%s{", ts_families[m].name);
	group_labels(out, g);
	label(out, "pid", pid, true);
	fputc('}', out);
	value(out, pid_value(p, m));
}

static void ts_family(const struct monitor *mon, FILE *out, enum tsm m)
{
	head(out, &ts_families[m]);
	for (size_t i = 0; i < mon->ng; i++) {
		const struct mon_group *g = mon->g[i];
		const struct mon_ts *ts = g->ts;

		if (!ts)
			continue;
		if (m == TM_P1) {
			for (int k = 0; k < MON_P1_N; k++) {
				fprintf(out, "%s{", ts_families[m].name);
				group_labels(out, g);
				label(out, "indicator", mon_p1_names[k], true);
				fputc('}', out);
				value(out, (double)ts->p1[k]);
			}
			continue;
		}
		if (m == TM_PIDS_OTHER) {
			fprintf(out, "%s{", ts_families[m].name);
			group_labels(out, g);
			fputc('}', out);
			value(out, (double)ts->other_pids);
			continue;
		}
		for (size_t k = 0; k < ts->npids; k++)
			pid_sample(out, g, &ts->pids[k], m);
		if (ts->other_pids || ts->other.c.packets)
			pid_sample(out, g, &ts->other, m);
	}
}

static void kernel_drops(const struct monitor *mon, FILE *out)
{
	struct mcast_info info = { .size = sizeof(info) };
	struct mcast_socket_info si;
	const char *iface = mon->ng ? mon->g[0]->iface : "";

	fputs("# HELP mcast_kernel_drops_total Datagrams this host's kernel dropped at the socket (receive buffer full)\n"
	      "# TYPE mcast_kernel_drops_total counter\n",
	      out);
	if (mcast_get_info(mon->m, &info) < 0)
		return;
	if (mon->cfg->opts.iface)
		iface = mon->cfg->opts.iface;
	for (unsigned i = 0; i < info.nsockets; i++) {
		char port[16], sock[16];

		si.size = sizeof(si);
		if (mcast_get_socket(mon->m, i, &si) < 0)
			continue;
		snprintf(port, sizeof(port), "%u", si.port);
		snprintf(sock, sizeof(sock), "%u", i);
		fputs("mcast_kernel_drops_total{", out);
		label(out, "iface", iface, false);
		label(out, "port", port, true);
		label(out, "family", si.family == AF_INET ? "ipv4" : "ipv6",
		      true);
		label(out, "socket", sock, true);
		fputc('}', out);
		value(out, (double)si.kernel_drops);
	}
}

void mon_metrics_write(struct monitor *mon, FILE *out)
{
	for (size_t i = 0; i < mon->ng; i++)
		make_labels(mon->g[i]);
	fputs("# HELP mcast_groups Groups joined\n# TYPE mcast_groups gauge\n",
	      out);
	fprintf(out, "mcast_groups %zu\n", mon->ng);
	for (size_t m = 0; m < sizeof(group_families) / sizeof(*group_families);
	     m++) {
		head(out, &group_families[m]);
		for (size_t i = 0; i < mon->ng; i++) {
			const struct mon_group *g = mon->g[i];

			if (m == GM_JOIN && !g->first_at)
				continue; /* no value yet, not a made-up one */
			fprintf(out, "%s{", group_families[m].name);
			group_labels(out, g);
			fputc('}', out);
			value(out, group_value(mon, g, (enum gm)m));
		}
	}
	for (size_t m = 0;
	     m < sizeof(sender_families) / sizeof(*sender_families); m++) {
		head(out, &sender_families[m]);
		for (size_t i = 0; i < mon->ng; i++) {
			const struct mon_group *g = mon->g[i];

			for (size_t k = 0; k <= g->nsenders; k++) {
				const struct mon_sender *s =
					k < g->nsenders ? &g->senders[k]
							: &g->other;

				if (s == &g->other && !g->other_senders)
					continue;
				fprintf(out, "%s{", sender_families[m].name);
				sender_labels(out, g, s);
				fputc('}', out);
				value(out, sender_value(s, m));
			}
		}
	}
	for (size_t m = 0; m < sizeof(ts_families) / sizeof(*ts_families); m++)
		ts_family(mon, out, (enum tsm)m);
	kernel_drops(mon, out);
}

#ifdef MCAST_HAVE_MICROHTTPD
#include <microhttpd.h>
#include <netinet/in.h>
#include <sys/socket.h>

/* A text that grows and is written again from the start, never shrunk:
 * the exposition is megabytes at thousands of groups, and a fresh buffer
 * each second (open_memstream) spent more time faulting in and zeroing
 * new pages than writing the text. */
struct text {
	char *p;
	size_t len, cap;
	bool failed;
};

static ssize_t text_write(void *cookie, const char *data, size_t n)
{
	struct text *t = cookie;

	if (n > t->cap - t->len) {
		size_t cap = t->cap ? t->cap : 65536;
		char *p;

		while (cap - t->len < n)
			cap *= 2;
		if (!(p = realloc(t->p, cap))) {
			t->failed = true;
			return 0;
		}
		t->p = p;
		t->cap = cap;
	}
	memcpy(t->p + t->len, data, n);
	t->len += n;
	return (ssize_t)n;
}

static struct {
	pthread_mutex_t lock;
	struct text served; /* what /metrics serves, under lock */
	struct text spare;  /* the next, written by the receive loop */
	struct MHD_Daemon *daemon;
	int fd;
} srv = { .lock = PTHREAD_MUTEX_INITIALIZER, .fd = -1 };

bool mon_metrics_available(void)
{
	return true;
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *conn,
			      const char *url, const char *method,
			      const char *version, const char *upload,
			      size_t *upload_len, void **state)
{
	static const char not_found[] = "not found: try /metrics\n";
	struct MHD_Response *r;
	enum MHD_Result rc;
	unsigned code = MHD_HTTP_OK;

	(void)cls, (void)version, (void)upload, (void)upload_len, (void)state;
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return MHD_NO;
	if (strcmp(url, "/metrics") == 0) {
		pthread_mutex_lock(&srv.lock);
		r = MHD_create_response_from_buffer(
			srv.served.len, srv.served.p, MHD_RESPMEM_MUST_COPY);
		pthread_mutex_unlock(&srv.lock);
	} else {
		code = MHD_HTTP_NOT_FOUND;
		r = MHD_create_response_from_buffer(strlen(not_found),
						    (void *)not_found,
						    MHD_RESPMEM_PERSISTENT);
	}
	if (!r)
		return MHD_NO;
	MHD_add_response_header(
		r, "Content-Type",
		code == MHD_HTTP_OK ? "text/plain; version=0.0.4; charset=utf-8"
				    : "text/plain");
	rc = MHD_queue_response(conn, code, r);
	MHD_destroy_response(r);
	return rc;
}

/* The listening socket is ours, so a port in use says so (EADDRINUSE)
 * rather than the daemon failing without a reason. */
int mon_metrics_start(const struct sockaddr_storage *addr, char *err,
		      size_t errlen)
{
	const struct sockaddr *sa = (const struct sockaddr *)addr;
	int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, sa, mcast_addr_len(sa)) < 0 || listen(fd, 64) < 0) {
		int e = errno;

		snprintf(
			err, errlen, "%s%s", strerror(e),
			e == EADDRINUSE
				? "; another program (or monitor) listens there: choose another port"
				: "");
		if (fd >= 0)
			close(fd);
		return -e;
	}
	srv.daemon = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL, 0, NULL, NULL,
		answer, NULL, MHD_OPTION_LISTEN_SOCKET, fd,
		MHD_OPTION_CONNECTION_LIMIT, 16U, MHD_OPTION_CONNECTION_TIMEOUT,
		10U, MHD_OPTION_END);
	if (!srv.daemon) {
		close(fd);
		snprintf(err, errlen, "libmicrohttpd could not start");
		return -EIO;
	}
	srv.fd = fd;
	return 0;
}

void mon_metrics_publish(struct monitor *mon)
{
	static const cookie_io_functions_t io = { .write = text_write };
	struct text t;
	FILE *f;

	srv.spare.len = 0;
	srv.spare.failed = false;
	if (!(f = fopencookie(&srv.spare, "w", io)))
		return;
	/* Ours alone: no lock taken for each of its ~10^5 writes. */
	__fsetlocking(f, FSETLOCKING_BYCALLER);
	mon_metrics_write(mon, f);
	if (fclose(f) != 0 || srv.spare.failed)
		return; /* out of memory: the last text stays */
	pthread_mutex_lock(&srv.lock);
	t = srv.served;
	srv.served = srv.spare;
	srv.spare = t;
	pthread_mutex_unlock(&srv.lock);
}

void mon_metrics_stop(void)
{
	/* The daemon closes the listening socket it was given. */
	if (srv.daemon)
		MHD_stop_daemon(srv.daemon);
	else if (srv.fd >= 0)
		close(srv.fd);
	srv.daemon = NULL;
	srv.fd = -1;
	free(srv.served.p);
	free(srv.spare.p);
	srv.served = srv.spare = (struct text){ 0 };
}

#else /* !MCAST_HAVE_MICROHTTPD */

bool mon_metrics_available(void)
{
	return false;
}

int mon_metrics_start(const struct sockaddr_storage *addr, char *err,
		      size_t errlen)
{
	(void)addr;
	snprintf(err, errlen, "built without libmicrohttpd");
	return -ENOSYS;
}

void mon_metrics_publish(struct monitor *mon)
{
	(void)mon;
}

void mon_metrics_stop(void)
{
}

#endif
