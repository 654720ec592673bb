/* SPDX-License-Identifier: MIT */
/* Command lines from tables: the letters, the parser, the option help. */
#include "opts.h"
#include "dgram.h"

#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

/*
 * The one table of short options, for every subcommand: a letter means
 * one long option everywhere, and a long option not listed has no letter.
 * Where a peer tool's letter is well known it is the one (ping(8) and
 * mcjoin: -c count, -t ttl, -s size, -q quiet, -i interface, -w deadline,
 * -W wait for replies); -n is "do nothing active" as in make -n.
 * A new subcommand takes its letters from here, adding a row only for a
 * long option that has none yet; tests/doc/t_option_letters.sh checks
 * every --help against one another.
 */
static const struct {
	char letter;
	const char *name;
} letters[] = {
	{ 'a', "respond" },
	{ 'b', "bind" },
	{ 'c', "count" },
	{ 'd', "interval" },
	{ 'e', "expect" },
	{ 'f', "file" },
	{ 'g', "groups" },
	{ 'h', "help" },
	{ 'i', "iface" },
	{ 'k', "key" },
	{ 'l', "loop" },
	{ 'm', "mode" },
	{ 'n', "no-self-test" },
	{ 'p', "probe" },
	{ 'q', "quiet" },
	{ 'r', "rate" },
	{ 's', "size" },
	{ 't', "ttl" },
	{ 'w', "timeout" },
	{ 'B', "bitrate" },
	{ 'D', "duration" },
	{ 'E', "until-end" },
	{ 'F', "format" },
	{ 'G', "gro" },
	{ 'I', "idle" },
	{ 'J', "rejoin" },
	{ 'L', "max-loss" },
	{ 'M', "metrics" },
	{ 'N', "expect-responders" },
	{ 'P', "responder" },
	{ 'R', "interval-report" },
	{ 'S', "source" },
	{ 'W', "wait" },
};

int cli_letter(const char *name)
{
	for (size_t i = 0; i < sizeof(letters) / sizeof(letters[0]); i++)
		if (strcmp(letters[i].name, name) == 0)
			return letters[i].letter;
	return 0;
}

static const char *const format_names[] = { "text", "json", "hex", "raw" };

int cli_parse_format(const char *value, int last)
{
	char want[64] = "";
	size_t used = 0;

	for (int i = 0; i <= last; i++)
		if (strcmp(value, format_names[i]) == 0)
			return i;
	for (int i = 0; i <= last; i++)
		cli_append(want, sizeof(want), &used, "%s%s",
			   i == 0      ? ""
			   : i == last ? " or "
				       : ", ",
			   format_names[i]);
	cli_bad_value("--format", value, want);
}

void cli_opt_bind(void *field, const char *value)
{
	cli_parse_bind(value, field);
}

void cli_opt_source(void *field, const char *value)
{
	cli_parse_source("--source", value, field);
}

/* getopt_long reported a problem (it prints nothing: opterr is 0): an
 * unknown option, or one without its value; code is getopt's optopt. */
static _Noreturn void bad_option(const struct cli_parsed *p, int code,
				 const char *arg)
{
	/* getopt_long sets optopt to a long option's code when its value
	 * is missing, and to 0 when the long option is unknown. */
	if (arg && strncmp(arg, "--", 2) == 0) {
		int len = (int)strcspn(arg, "=");

		if (code && code != '?')
			cli_die(EXIT_USAGE,
				"option '%.*s' needs a value; see %s --help",
				len, arg, cli_prog);
		cli_die(EXIT_USAGE, "unknown option '%.*s'; see %s --help", len,
			arg, cli_prog);
	}
	for (size_t i = 0; code > 0 && code < 256 && i < p->n; i++)
		if (cli_letter(p->rows[i].opt->name) == code)
			cli_die(EXIT_USAGE,
				"option -%c (--%s) needs a value; see %s --help",
				code, p->rows[i].opt->name, cli_prog);
	if (code > 0 && code < 256 && code != '?')
		cli_die(EXIT_USAGE, "unknown option -%c; see %s --help", code,
			cli_prog);
	cli_die(EXIT_USAGE,
		"unknown option or missing value in '%s'; see %s --help",
		arg ? arg : "?", cli_prog);
}

static bool takes_value(const struct cli_opt *o)
{
	return o->kind != CLI_FLAG && o->kind != CLI_SET && o->kind != CLI_BITS;
}

/* The size of the field a kind of value goes to; 0: the row says. */
static size_t field_size(enum cli_kind kind)
{
	switch (kind) {
	case CLI_FLAG:
	case CLI_JSON:
		return sizeof(bool);
	case CLI_BITS:
		return sizeof(unsigned);
	case CLI_STR:
		return sizeof(const char *);
	case CLI_SECONDS:
	case CLI_PERCENT:
	case CLI_RATE:
		return sizeof(double);
	case CLI_FORMAT:
		return sizeof(enum out_format);
	default:
		return 0;
	}
}

/* A row whose field cannot hold its values is a bug in the table, found
 * by the first run that uses the option. */
static _Noreturn void bad_row(const struct cli_opt *o)
{
	fprintf(stderr,
		"%s: internal error: option table row --%s does not fit its field\n",
		cli_prog, o->name);
	abort();
}

/* An integer into a field of bool, int or long long size (signed or
 * not: the ranges are never negative). */
static void store_int(const struct cli_opt *o, void *field, long long v)
{
	if (o->size == sizeof(bool) && o->kind == CLI_SET) {
		*(bool *)field = v != 0;
	} else if (o->size == sizeof(int) && o->hi <= INT_MAX) {
		int i = (int)v;

		memcpy(field, &i, sizeof(i));
	} else if (o->size == sizeof(v)) {
		memcpy(field, &v, sizeof(v));
	} else {
		bad_row(o);
	}
}

static void take(const struct cli_opt *o, void *cfg, const char *value)
{
	char *field = (char *)cfg + o->off, opt[64];
	double d = 0;

	snprintf(opt, sizeof(opt), "--%s", o->name);
	if (field_size(o->kind) && field_size(o->kind) != o->size)
		bad_row(o);
	switch (o->kind) {
	case CLI_FLAG:
		*(bool *)field = true;
		return;
	case CLI_SET:
		store_int(o, field, o->lo);
		return;
	case CLI_BITS:
		*(unsigned *)field |= (unsigned)o->lo;
		return;
	case CLI_STR:
		*(const char **)field = value;
		return;
	case CLI_INT:
		store_int(o, field, cli_parse_int(opt, value, o->lo, o->hi));
		return;
	case CLI_BYTES:
		store_int(o, field, cli_parse_bytes(opt, value, o->lo, o->hi));
		return;
	case CLI_SECONDS:
		d = cli_parse_seconds(opt, value, o->min, o->max);
		break;
	case CLI_PERCENT:
		d = cli_parse_real(opt, value, o->min, o->max, "a percentage");
		break;
	case CLI_RATE:
		d = cli_parse_rate(opt, value, o->min, o->max, 1000);
		break;
	case CLI_JSON:
		*(bool *)field = cli_parse_format(value, FMT_JSON) == FMT_JSON;
		return;
	case CLI_FORMAT:
		*(enum out_format *)field =
			(enum out_format)cli_parse_format(value, (int)o->hi);
		return;
	case CLI_FN:
		o->fn(field, value);
		return;
	}
	memcpy(field, &d, sizeof(d));
}

/*
 * A table's rows with the groups it includes put in their place, each
 * with the offset of its group in the config; n rows are there already.
 */
static size_t flatten(const struct cli_opt *opts, size_t base,
		      struct cli_row *rows, size_t n)
{
	for (; opts->name || opts->group; opts++) {
		if (opts->group) {
			n = flatten(opts->group, base + opts->off, rows, n);
			continue;
		}
		if (n == CLI_MAX_OPTS)
			abort(); /* a table this long needs a larger rows[] */
		rows[n++] = (struct cli_row){ opts, base };
	}
	return n;
}

/* The row getopt_long's code stands for: a letter, or 256 + its index. */
static size_t row_of(const struct cli_parsed *p, int code)
{
	if (code >= 256)
		return (size_t)(code - 256);
	for (size_t i = 0; i < p->n; i++)
		if (cli_letter(p->rows[i].opt->name) == code)
			return i;
	return p->n;
}

/* getopt_long's tables for the rows, and --help. */
static void getopt_tables(const struct cli_parsed *p, struct option *longopts,
			  char *shorts)
{
	size_t len = 0, i;

	for (i = 0; i < p->n; i++) {
		const struct cli_opt *o = p->rows[i].opt;
		int letter = cli_letter(o->name);

		longopts[i] =
			(struct option){ o->name,
					 takes_value(o) ? required_argument
							: no_argument,
					 NULL, letter ? letter : 256 + (int)i };
		if (letter) {
			shorts[len++] = (char)letter;
			if (takes_value(o))
				shorts[len++] = ':';
		}
	}
	longopts[i] = (struct option){ "help", no_argument, NULL, 'h' };
	longopts[i + 1] = (struct option){ 0 };
	shorts[len++] = 'h';
	shorts[len] = '\0';
}

int cli_parse(int argc, char **argv, const struct cli_spec *spec, void *cfg,
	      struct cli_parsed *p)
{
	struct option longopts[CLI_MAX_OPTS + 2];
	char shorts[2 * CLI_MAX_OPTS + 2];
	int code;

	memset(p, 0, sizeof(*p));
	p->n = flatten(spec->opts, 0, p->rows, 0);
	getopt_tables(p, longopts, shorts);
	opterr = 0;
	while ((code = getopt_long(argc, argv, shorts, longopts, NULL)) != -1) {
		size_t i = row_of(p, code);

		if (code == 'h') {
			cli_usage(stdout, spec);
			exit(EXIT_OK);
		}
		if (code == '?' || i >= p->n)
			bad_option(p, optopt, argv[optind - 1]);
		/* A single value given twice ("-i lo -i eth1") is refused
		 * rather than the last one silently winning. */
		if (p->given[i] && takes_value(p->rows[i].opt) &&
		    !p->rows[i].opt->repeat)
			cli_die(EXIT_USAGE,
				"--%s given more than once; give it once (see %s --help)",
				p->rows[i].opt->name, cli_prog);
		p->given[i] = 1;
		take(p->rows[i].opt, (char *)cfg + p->rows[i].base, optarg);
	}
	for (size_t i = 0; i < p->n; i++) {
		const struct cli_opt *o = p->rows[i].opt;

		if (p->given[i] && o->needs && !cli_given(p, o->needs))
			cli_die(EXIT_USAGE, "--%s %s", o->name, o->why);
	}
	return optind;
}

void cli_no_more(int argc, char **argv, int next)
{
	if (next < argc)
		cli_die(EXIT_USAGE, "unexpected argument '%s'; see %s --help",
			argv[next], cli_prog);
}

bool cli_given(const struct cli_parsed *p, const char *name)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->rows[i].opt->name, name) == 0)
			return p->given[i];
	return false;
}

const char *cli_tagged(const struct cli_parsed *p, int tag)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->given[i] && p->rows[i].opt->tag == tag)
			return p->rows[i].opt->name;
	return NULL;
}

/* The text of an option starts in this column; longer names put it on
 * the next line. */
#define HELP_COLUMN 26

static void usage_line(FILE *out, int letter, const char *name, const char *arg,
		       const char *help)
{
	char left[80];
	int n;

	if (letter)
		n = snprintf(left, sizeof(left), "  -%c, --%s%s%s", letter,
			     name, arg ? " " : "", arg ? arg : "");
	else
		n = snprintf(left, sizeof(left), "      --%s%s%s", name,
			     arg ? " " : "", arg ? arg : "");
	if (n > HELP_COLUMN - 2)
		fprintf(out, "%s\n%*s", left, HELP_COLUMN, "");
	else
		fprintf(out, "%-*s", HELP_COLUMN, left);
	for (const char *s = help; *s;) {
		size_t k = strcspn(s, "\n");

		fprintf(out, "%.*s\n", (int)k, s);
		s += k;
		if (*s == '\n' && *++s)
			fprintf(out, "%*s", HELP_COLUMN, "");
	}
}

void cli_usage(FILE *out, const struct cli_spec *spec)
{
	struct cli_row rows[CLI_MAX_OPTS];
	size_t n = flatten(spec->opts, 0, rows, 0);

	fputs(spec->head, out);
	for (size_t i = 0; i < n; i++)
		usage_line(out, cli_letter(rows[i].opt->name),
			   rows[i].opt->name,
			   takes_value(rows[i].opt) ? rows[i].opt->arg : NULL,
			   rows[i].opt->help);
	usage_line(out, 'h', "help", NULL, "this help");
	if (spec->tail)
		spec->tail(out);
}
