/* SPDX-License-Identifier: MIT */
/* mcast ping: the per-responder summary and the scriptable verdicts. */
#include "format.h"
#include "json.h"
#include "pinger.h"

#include <stdio.h>
#include <string.h>

const char *const path_names[NPATHS] = { "multicast", "unicast" };

static const double quantiles[] = { 0.5, 0.9, 0.99, 0.999 };

/* Where a path's replies came from: their source, or before any came
 * the address the responder is known by. */
static const struct sockaddr *path_src(const struct responder *r, int path)
{
	return (const struct sockaddr *)(r->path[path].replies
						 ? &r->path[path].src
						 : &r->addr);
}

/* Another responder answers from r's address: two on one host. */
static bool shares_host(const struct responder *resp, size_t nresp,
			const struct responder *r)
{
	for (size_t i = 0; i < nresp; i++)
		if (&resp[i] != r &&
		    mcast_addr_same((const struct sockaddr *)&resp[i].addr,
				    (const struct sockaddr *)&r->addr, 0))
			return true;
	return false;
}

/* Pings a responder could have answered: all for one we were told to
 * expect, else those since the first it answered (it may start late). */
static uint64_t expected(const struct responder *r, uint64_t sent)
{
	if (r->named || !r->answered)
		return sent;
	return sent - r->first_seq;
}

static double loss_pct(const struct responder *r, int path, uint64_t sent)
{
	uint64_t want = expected(r, sent);
	uint64_t got = r->path[path].replies;

	if (want == 0)
		return 0;
	return got >= want ? 0 : 100.0 * (double)(want - got) / (double)want;
}

static bool path_wanted(const struct ping_cfg *c, int path)
{
	return c->reply & (path == PATH_MCAST ? MCAST_HDR_WANT_MCAST
					      : MCAST_HDR_WANT_UCAST);
}

static void json_path(struct json *j, const struct responder *r, int path,
		      uint64_t sent)
{
	const struct path_stats *ps = &r->path[path];
	uint64_t want = expected(r, sent);
	static const char *const names[] = { "p50", "p90", "p99", "p999" };

	json_object(j, path_names[path]);
	json_addr(j, "source", path_src(r, path));
	json_uint(j, "source_port",
		  ps->replies ? mcast_addr_port(path_src(r, path)) : 0);
	json_uint(j, "replies", ps->replies);
	json_uint(j, "lost", want > ps->replies ? want - ps->replies : 0);
	json_double(j, "loss_pct", loss_pct(r, path, sent), 3);
	json_uint(j, "duplicates", ps->duplicates);
	if (!ps->rtt.count) {
		json_null(j, "rtt_ms");
	} else {
		json_object(j, "rtt_ms");
		json_double(j, "min", (double)ps->rtt.min / 1e6, 4);
		for (size_t q = 0; q < sizeof(names) / sizeof(names[0]); q++)
			json_double(j, names[q],
				    (double)mcast_hist_quantile(&ps->rtt,
								quantiles[q]) /
					    1e6,
				    4);
		json_double(j, "max", (double)ps->rtt.max / 1e6, 4);
		json_end(j);
	}
	json_end(j);
}

static void report_json(const struct ping_cfg *c, uint64_t sent,
			const struct responder *resp, size_t nresp)
{
	struct json j;

	json_record(&j, stdout, "ping_summary");
	json_addr_port(&j, "group", "port", (const struct sockaddr *)&c->group);
	json_uint(&j, "sent", sent);
	json_bool(&j, "pingpong", c->pingpong);
	json_array(&j, "responders");
	for (size_t i = 0; i < nresp; i++) {
		const struct responder *r = &resp[i];

		json_object(&j, NULL);
		json_addr(&j, "address", (const struct sockaddr *)&r->addr);
		json_bool(&j, "named", r->named);
		if (r->answered)
			json_hex(&j, "session", r->session, MCAST_SESSION_LEN);
		else
			json_null(&j, "session");
		for (int k = 0; k < NPATHS; k++)
			if (path_wanted(c, k))
				json_path(&j, r, k, sent);
		json_end(&j);
	}
	json_end(&j);
	json_end(&j);
}

static void report_text(const struct ping_cfg *c, uint64_t sent,
			const struct responder *resp, size_t nresp)
{
	char g[MCAST_ADDRSTRLEN], a[MCAST_ADDRSTRLEN];

	printf("--- %s mcast ping: %llu pings sent, %zu responder%s ---\n",
	       cli_addr(&c->group, g, sizeof(g)), (unsigned long long)sent,
	       nresp, nresp == 1 ? "" : "s");
	for (size_t i = 0; i < nresp; i++) {
		const struct responder *r = &resp[i];

		bool twin = r->answered && shares_host(resp, nresp, r);

		for (int k = 0; k < NPATHS; k++) {
			const struct path_stats *ps = &r->path[k];

			if (!path_wanted(c, k))
				continue;
			/* Two responders on one host: their source ports and
			 * session ids tell them apart. */
			mcast_addr_format(path_src(r, k),
					  twin && ps->replies ? MCAST_FMT_PORT
							      : 0,
					  a, sizeof(a));
			if (twin) {
				char sid[2 * MCAST_SESSION_LEN + 1];
				size_t n = strlen(a);

				fmt_hex_text(sid, r->session,
					     MCAST_SESSION_LEN);
				snprintf(a + n, sizeof(a) - n, " id %.8s", sid);
			}
			printf("%-24s %-9s %llu replies, %.1f%% loss", a,
			       path_names[k], (unsigned long long)ps->replies,
			       loss_pct(r, k, sent));
			if (ps->duplicates)
				printf(", %llu duplicates",
				       (unsigned long long)ps->duplicates);
			if (ps->rtt.count) {
				printf(", rtt min/p50/p90/p99/p99.9/max = %.3f",
				       (double)ps->rtt.min / 1e6);
				for (size_t q = 0;
				     q <
				     sizeof(quantiles) / sizeof(quantiles[0]);
				     q++)
					printf("/%.3f",
					       (double)mcast_hist_quantile(
						       &ps->rtt, quantiles[q]) /
						       1e6);
				printf("/%.3f ms", (double)ps->rtt.max / 1e6);
			}
			putchar('\n');
		}
	}
}

int pinger_report(const struct ping_cfg *c, uint64_t sent,
		  const struct responder *resp, size_t nresp, uint64_t foreign,
		  uint64_t overflow, bool ucast_refused)
{
	const char *why[NPATHS] = {
		"multicast does not make it between you (check the TTL, IGMP snooping, routes and firewalls)",
		ucast_refused
			? "this host turned unicast away before it reached the pinger (see the warning at the start; not a fault on the way back)"
			: "unicast replies do not come back (check routes and firewalls on the way back)"
	};
	char a[MCAST_ADDRSTRLEN];
	size_t answered = 0;
	int status = EXIT_OK;

	if (c->json)
		report_json(c, sent, resp, nresp);
	else
		report_text(c, sent, resp, nresp);
	fflush(stdout);
	for (size_t i = 0; i < nresp; i++) {
		const struct responder *r = &resp[i];

		mcast_addr_format((const struct sockaddr *)&r->addr, 0, a,
				  sizeof(a));
		if (r->answered) {
			answered++;
			/* One path silent while the other answers is the
			 * fault this tool exists to find: fail by default. */
			for (int k = 0; k < NPATHS; k++)
				if (path_wanted(c, k) && !r->path[k].replies) {
					fprintf(stderr,
						"%s: %s answered by %s but never by %s: %s\n",
						cli_prog, a, path_names[1 - k],
						path_names[k], why[k]);
					status = EXIT_RUNTIME;
				}
		} else if (r->named) {
			fprintf(stderr,
				"%s: responder %s did not answer (100%% loss)\n",
				cli_prog, a);
			status = EXIT_RUNTIME;
		}
		for (int k = 0; k < NPATHS && c->max_loss >= 0; k++) {
			double l = loss_pct(r, k, sent);

			if (path_wanted(c, k) && l > c->max_loss) {
				char s[32];

				fprintf(stderr,
					"%s: %s %s loss %.1f%% exceeds --max-loss %s%%\n",
					cli_prog, a, path_names[k], l,
					cli_num(c->max_loss, s, sizeof(s)));
				status = EXIT_RUNTIME;
			}
		}
	}
	if (c->expect_responders > 0 &&
	    answered < (size_t)c->expect_responders) {
		fprintf(stderr,
			"%s: %zu of %lld expected responders answered\n",
			cli_prog, answered, c->expect_responders);
		status = EXIT_RUNTIME;
	}
	if (foreign)
		fprintf(stderr,
			"%s: ignored %llu replies to other pingers on the group\n",
			cli_prog, (unsigned long long)foreign);
	if (overflow)
		fprintf(stderr,
			"%s: more than %d responders: %llu replies from the rest were not counted\n",
			cli_prog, MAX_RESPONDERS, (unsigned long long)overflow);
	if (answered == 0 && status == EXIT_OK) {
		fprintf(stderr, "%s: no responder answered %llu pings\n",
			cli_prog, (unsigned long long)sent);
		status = EXIT_RUNTIME;
	}
	return status;
}
