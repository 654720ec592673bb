/* SPDX-License-Identifier: MIT */
/* mcast keygen: a new random key for sealed streams, or the next one. */
#include "cli.h"
#include "trust.h"

#include <getopt.h>
#include <stdlib.h>

#define DEFAULT_KEYFILE "mcast.key"

void usage_keygen(FILE *out)
{
	fprintf(out,
		"usage: mcast keygen [FILE]\n\n"
		"Add a new random 256-bit key to FILE (default " DEFAULT_KEYFILE
		"), with an id one above\n"
		"the highest there.  A new file is created with mode 0600; an existing\n"
		"one must not be readable by group or others.  Senders seal with the\n"
		"newest key, receivers accept every key in the file: to rotate, add a\n"
		"key, give the file to every receiver, then to the senders.\n\n"
		"  -h, --help   this help\n");
}

int cmd_keygen(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' }, { 0 }
	};
	const char *path = DEFAULT_KEYFILE;
	char err[256] = "";
	long long id;
	int o;

	opterr = 0;
	while ((o = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (o) {
		case 'h':
			usage_keygen(stdout);
			exit(EXIT_OK);
		default:
			cli_bad_option(optopt, argv[optind - 1]);
		}
	}
	if (optind < argc)
		path = argv[optind++];
	if (optind < argc)
		cli_die(EXIT_USAGE,
			"unexpected argument '%s'; see mcast keygen --help",
			argv[optind]);
	cli_no_core_dumps();
	id = mcast_keygen(path, err, sizeof(err));
	if (id < 0) {
		int status = id == MCAST_EKEYPERM || id == MCAST_EKEYFILE
				     ? EXIT_USAGE
				     : EXIT_RUNTIME;

		cli_die(status, "%s", *err ? err : mcast_strerror((int)id));
	}
	cli_info("added key %lld to %s (mode 0600)", id, path);
	return EXIT_OK;
}
