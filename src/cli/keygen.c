/* SPDX-License-Identifier: MIT */
/* mcast keygen: a new random key for sealed streams, or the next one. */
#include "cli.h"
#include "sealing.h"

#include <stdlib.h>

#define DEFAULT_KEYFILE "mcast.key"

static const struct cli_opt keygen_opts[] = { { 0 } };

const struct cli_spec keygen_spec = {
	.head = "usage: mcast keygen [FILE]\n\n"
		"Add a new random 256-bit key to FILE (default " DEFAULT_KEYFILE
		"), with an id one above\n"
		"the highest there.  A new file is created with mode 0600; an existing\n"
		"one must not be readable by group or others.  Senders seal with the\n"
		"newest key, receivers accept every key in the file: to rotate, add a\n"
		"key, give the file to every receiver, then to the senders.\n\n",
	.opts = keygen_opts,
};

int cmd_keygen(int argc, char **argv)
{
	const char *path = DEFAULT_KEYFILE;
	char err[256] = "";
	struct cli_parsed p;
	long long id;
	int next = cli_parse(argc, argv, &keygen_spec, NULL, &p);

	if (next < argc)
		path = argv[next++];
	cli_no_more(argc, argv, next);
	sealing_no_core_dumps();
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
