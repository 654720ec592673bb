/* SPDX-License-Identifier: MIT */
/*
 * Command lines from tables.  Each subcommand describes its options once,
 * as rows of struct cli_opt; cli_parse() builds getopt_long's tables and
 * short-option string from them, parses and range-checks each value into
 * the subcommand's config, and refuses repeats; cli_usage() prints the
 * option lines of --help from the same rows.  Short letters come from one
 * table for all subcommands (opts.c), so a letter means one thing
 * everywhere and a long option has the same letter wherever it appears.
 */
#ifndef MCAST_CLI_OPTS_H
#define MCAST_CLI_OPTS_H

#include "cli.h"

#include <stddef.h>

/* What a value is, and so how it is parsed and stored. */
enum cli_kind {
	CLI_FLAG,    /* no value: bool = true */
	CLI_SET,     /* no value: int = lo (--loop 1, --no-loop 0) */
	CLI_BITS,    /* no value: unsigned |= lo (MCAST_OPT_GSO) */
	CLI_STR,     /* const char * = the value, as given */
	CLI_INT,     /* whole number in [lo, hi]: int or long long, unsigned */
	CLI_BYTES,   /* bytes with K/M/G in [lo, hi]: int or long long */
	CLI_SECONDS, /* double in [min, max] */
	CLI_PERCENT, /* double in [min, max] */
	CLI_RATE,    /* double with k/M/G (powers of 1000) in [min, max] */
	CLI_JSON,    /* --format text|json: bool, true for json */
	CLI_FORMAT,  /* --format: enum out_format, from FMT_TEXT to hi */
	CLI_FN,	     /* fn(field, value) parses and stores it */
};

/*
 * A row is an option, or (with group set) the rows of a table of options
 * several subcommands share, whose offsets are within a member of the
 * config at off: see CLI_INCLUDE.
 */

struct cli_opt {
	const char *name; /* long name, without "--" */
	enum cli_kind kind;
	size_t off, size; /* of the field in the subcommand's config */
	long long lo, hi; /* integers; CLI_SET/CLI_BITS: the value */
	double min, max;  /* decimals */
	void (*fn)(void *field, const char *value); /* CLI_FN */
	bool repeat;	   /* may be given more than once (lists) */
	int tag;	   /* the subcommand's own mark, see cli_tagged() */
	const char *needs; /* another option this one is useless without */
	const char *why;   /* message when needs is missing: "--NAME why" */
	const char *arg;   /* the value's name in --help ("SECONDS") */
	const char *help;  /* --help text; '\n' starts a continued line */
	const struct cli_opt *group; /* included rows, ending as a table */
};

/* The rows of group, whose fields are in the member m of type. */
#define CLI_INCLUDE(grp, type, m)                        \
	{                                                \
		.group = (grp), .off = offsetof(type, m) \
	}

/* Name, kind and where the value goes: field is a member (or a member of
 * a member, "opts.iface") of the config type. */
#define CLI_OPT(nm, k, type, field)                              \
	.name = (nm), .kind = (k), .off = offsetof(type, field), \
	.size = sizeof(((type *)0)->field)

/* A subcommand's command line: the start of its --help, its options. */
struct cli_spec {
	const char *head; /* "usage: ..." and what it does, ending "\n\n" */
	const struct cli_opt
		*opts;		 /* ends with a row of neither name nor group */
	void (*tail)(FILE *out); /* more --help after the options, or NULL */
};

#define CLI_MAX_OPTS 64

/* An option of a command line: its row, and where its group is. */
struct cli_row {
	const struct cli_opt *opt;
	size_t base; /* offset of the row's group in the config */
};

/* What cli_parse() saw, for checks between options. */
struct cli_parsed {
	struct cli_row rows[CLI_MAX_OPTS]; /* groups included, in order */
	size_t n;
	unsigned char given[CLI_MAX_OPTS]; /* per row */
};

/* Parse the options of argv into cfg (exits 2 with one line on bad
 * usage, 0 after printing --help); the index of the first operand. */
int cli_parse(int argc, char **argv, const struct cli_spec *spec, void *cfg,
	      struct cli_parsed *p);
/* Exit 2 naming argv[next] when there is one: no more operands wanted. */
void cli_no_more(int argc, char **argv, int next);
/* Whether --name was given. */
bool cli_given(const struct cli_parsed *p, const char *name);
/* The name of the first option given whose row has this tag, or NULL. */
const char *cli_tagged(const struct cli_parsed *p, int tag);
/* The --help text: spec->head, then one line (or more) per option. */
void cli_usage(FILE *out, const struct cli_spec *spec);
/* The short letter of --name in every subcommand, or 0 for none. */
int cli_letter(const char *name);

/* --format's words: FMT_TEXT to last (FMT_JSON, or FMT_RAW for recv). */
int cli_parse_format(const char *value, int last);

/* CLI_FN parsers shared by several subcommands. */
void cli_opt_bind(void *field, const char *value);   /* sockaddr_storage */
void cli_opt_source(void *field, const char *value); /* sockaddr_storage */

/*
 * Options several subcommands share, declared once.  type is the config
 * struct, and the other arguments name its members.
 */
/* clang-format off */
#define CLI_OPT_IFACE(type, field, text) \
	{ CLI_OPT("iface", CLI_STR, type, field), .arg = "IF", .help = (text) }
#define CLI_OPT_TTL(type, field, text) \
	{ CLI_OPT("ttl", CLI_INT, type, field), .lo = 0, .hi = 255, \
	  .arg = "N", .help = (text) }
#define CLI_OPT_BIND(type, field, text) \
	{ CLI_OPT("bind", CLI_FN, type, field), .fn = cli_opt_bind, \
	  .arg = "ADDR[:PORT]", .help = (text) }
#define CLI_OPT_COUNT(type, field, max, text) \
	{ CLI_OPT("count", CLI_INT, type, field), .lo = 1, .hi = (max), \
	  .arg = "N", .help = (text) }
#define CLI_OPT_DURATION(type, field, lo_, hi_, text) \
	{ CLI_OPT("duration", CLI_SECONDS, type, field), .min = (lo_), \
	  .max = (hi_), .arg = "SECONDS", .help = (text) }
#define CLI_OPT_QUIET(type, field, text) \
	{ CLI_OPT("quiet", CLI_FLAG, type, field), .help = (text) }
#define CLI_OPT_JSON(type, field, text) \
	{ CLI_OPT("format", CLI_JSON, type, field), .arg = "FMT", \
	  .help = (text) }
#define CLI_OPT_RCVBUF(type, field, lo_, text) \
	{ CLI_OPT("rcvbuf", CLI_BYTES, type, field), .lo = (lo_), \
	  .hi = 1LL << 30, .arg = "BYTES", .help = (text) }
/* clang-format on */

#endif /* MCAST_CLI_OPTS_H */
