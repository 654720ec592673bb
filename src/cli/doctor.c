/* SPDX-License-Identifier: MIT */
/*
 * mcast doctor: why does multicast not arrive here?  Read-only checks of
 * the route, the interface, the sysctls and the firewall, then one active
 * self-test (join, send with TTL 0 and loopback, see the probes arrive),
 * each printed as one line with its fix, then a verdict.
 */
#include "doctor.h"
#include "format.h"
#include "json.h"
#include "opts.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_GROUP "239.255.0.1:5000"

static const char *const status_words[] = { "ok", "warn", "fail", "skip" };

static const struct dr_row {
	const char *name;
	void (*run)(struct doctor *d);
	const char *help;
} dr_table[] = {
#define DR_ROW(name, fn, help) { name, fn, help },
	DR_CHECKS(DR_ROW)
#undef DR_ROW
};
_Static_assert(sizeof(dr_table) / sizeof(dr_table[0]) == DR_NCHECKS,
	       "struct doctor holds one finding per row of DR_CHECKS");

/* After the options, --help lists the checks from the table. */
static void doctor_help_tail(FILE *out)
{
	fputs("\nchecks:\n", out);
	for (size_t i = 0; i < DR_NCHECKS; i++)
		fprintf(out, "  %-22s  %s\n", dr_table[i].name,
			dr_table[i].help);
}

#define OPT(name, kind, field) CLI_OPT(name, kind, struct doctor, field)

static const struct cli_opt doctor_opts[] = {
	CLI_OPT_IFACE(struct doctor, iface_arg,
		      "interface to check (name, index or address);\n"
		      "default: the one the kernel's route picks"),
	{ OPT("source", CLI_FN, source), .fn = cli_opt_source, .arg = "ADDR",
	  .help = "the sender's address: check rp_filter and\n"
		  "source-specific (IGMPv3/MLDv2) joins" },
	CLI_OPT_RCVBUF(struct doctor, rcvbuf, 1024,
		       "receive buffer the application wants (default 4M)"),
	{ OPT("listen", CLI_SECONDS, listen), .min = 0, .max = 3600,
	  .arg = "SECONDS",
	  .help = "listen this long for IGMP/MLD queries (default 0:\n"
		  "skip the querier check)" },
	CLI_OPT_JSON(struct doctor, json, "text (default) or json"),
	{ OPT("no-self-test", CLI_SET, self_test), .lo = 0,
	  .help = "read-only checks only: join and send nothing" },
	{ 0 }
};

const struct cli_spec doctor_spec = {
	.head = "usage: mcast doctor [OPTIONS] [GROUP:PORT]\n\n"
		"Check why multicast to GROUP:PORT (default " DEFAULT_GROUP
		") might not arrive on\n"
		"this host: the checks below, in order, read-only but the last.  One line\n"
		"per check with its fix; exit 1 when a check fails.\n\n",
	.opts = doctor_opts,
	.tail = doctor_help_tail,
};

void dr_report(struct doctor *d, enum dr_status st, const char *fix,
	       const char *fmt, ...)
{
	char detail[4 * DR_TEXT], fix_text[4 * DR_TEXT];
	struct dr_check *c = &d->checks[d->running];
	va_list ap;

	if (c->name)
		cli_die(EXIT_RUNTIME, "internal error: check %s reported twice",
			c->name);
	c->name = dr_table[d->running].name;
	c->status = st;
	va_start(ap, fmt);
	vsnprintf(c->detail, sizeof(c->detail), fmt, ap);
	va_end(ap);
	snprintf(c->fix, sizeof(c->fix), "%s", fix ? fix : "");
	if (d->json)
		return;
	/* Details name interfaces, whose names may hold ESC. */
	fmt_text_safe(detail, sizeof(detail), c->detail, strlen(c->detail));
	fmt_text_safe(fix_text, sizeof(fix_text), c->fix, strlen(c->fix));
	printf("%-4s  %s: %s%s%s\n", status_words[st], c->name, detail,
	       *fix_text ? "; " : "", fix_text);
}

static void parse_args(int argc, char **argv, struct doctor *d)
{
	const char *text = DEFAULT_GROUP;
	struct mcast_iface ifc;
	struct cli_parsed p;
	int next, rc;

	d->rcvbuf = CLI_RCVBUF_DEFAULT;
	d->self_test = true;
	next = cli_parse(argc, argv, &doctor_spec, d, &p);
	d->has_source = cli_given(&p, "source");
	if (next < argc)
		text = argv[next++];
	else
		d->group_default = true;
	cli_no_more(argc, argv, next);
	cli_parse_group(text, &d->group);
	snprintf(d->group_text, sizeof(d->group_text), "%s", text);
	if (d->has_source && d->source.ss_family != d->group.ss_family)
		cli_die(EXIT_USAGE,
			"--source and the group must both be IPv4 or both IPv6");
	cli_check_scope(&d->group, text, d->iface_arg);
	if (d->iface_arg && (rc = mcast_iface_lookup(d->iface_arg, &ifc)) < 0)
		cli_die(EXIT_USAGE,
			"unknown interface '%s' for --iface; list interfaces with: ip link",
			d->iface_arg);
}

static enum dr_status verdict(const struct doctor *d, size_t *count)
{
	enum dr_status v = DR_OK;

	for (size_t i = 0; i < DR_NCHECKS; i++) {
		enum dr_status st = d->checks[i].status;

		if (!d->checks[i].name)
			continue;
		count[st]++;
		if (st == DR_FAIL || (st == DR_WARN && v == DR_OK))
			v = st;
	}
	return v;
}

static void print_json(const struct doctor *d, enum dr_status v)
{
	struct json j;

	json_record(&j, stdout, "doctor");
	json_addr_port(&j, "group", "port", (const struct sockaddr *)&d->group);
	json_bool(&j, "group_default", d->group_default);
	json_string(&j, "iface", d->have_iface ? d->ifc.name : NULL);
	json_array(&j, "checks");
	for (size_t i = 0; i < DR_NCHECKS; i++) {
		const struct dr_check *c = &d->checks[i];

		if (!c->name)
			continue;
		json_object(&j, NULL);
		json_string(&j, "name", c->name);
		json_string(&j, "status", status_words[c->status]);
		json_string(&j, "detail", c->detail);
		json_string(&j, "fix", c->fix);
		json_end(&j);
	}
	json_end(&j);
	json_string(&j, "verdict", status_words[v]);
	json_end(&j);
}

/* The failed and warned checks by name, for the verdict line. */
static void names_with(const struct doctor *d, enum dr_status st, char *buf,
		       size_t cap)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < DR_NCHECKS; i++)
		if (d->checks[i].name && d->checks[i].status == st)
			cli_append(buf, cap, &used, "%s%s", used ? ", " : "",
				   d->checks[i].name);
}

int cmd_doctor(int argc, char **argv)
{
	static struct doctor d;
	size_t count[4] = { 0 };
	char g[MCAST_ADDRSTRLEN], failed[256], warned[256];
	enum dr_status v;

	parse_args(argc, argv, &d);
	cli_stdout_lines();
	cli_signals();
	if (!d.json)
		printf("checking %s%s\n", cli_addr(&d.group, g, sizeof(g)),
		       d.group_default
			       ? " (the default group: none was given; give GROUP:PORT to check yours)"
			       : "");
	for (d.running = 0; d.running < DR_NCHECKS; d.running++)
		dr_table[d.running].run(&d);

	v = verdict(&d, count);
	if (d.json) {
		print_json(&d, v);
		return v == DR_FAIL ? EXIT_RUNTIME : EXIT_OK;
	}
	names_with(&d, DR_FAIL, failed, sizeof(failed));
	names_with(&d, DR_WARN, warned, sizeof(warned));
	printf("verdict: %s: %zu ok, %zu warn, %zu fail, %zu skipped",
	       status_words[v], count[DR_OK], count[DR_WARN], count[DR_FAIL],
	       count[DR_SKIP]);
	if (cli_stop)
		printf("; interrupted before every check ran");
	if (*failed)
		printf("; fix first: %s", failed);
	if (*warned)
		printf("; %s: %s", *failed ? "then look at" : "look at",
		       warned);
	if (v == DR_OK && !cli_stop)
		printf("; multicast to this group should arrive here");
	printf("\n");
	return v == DR_FAIL ? EXIT_RUNTIME : EXIT_OK;
}
