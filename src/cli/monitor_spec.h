/* SPDX-License-Identifier: MIT */
/*
 * mcast monitor's group file: one group a line, parsed without exiting,
 * since a re-read on SIGHUP that fails must leave the running set alone.
 * Depends on mcast.h alone, so the fuzzer links it with the library.
 *
 *	# comment
 *	239.1.1.1:5000 name=news stream=auto
 *	10.0.0.1@232.1.1.1:5000 name=feed-a
 *	[ff15::1]:5000
 */
#ifndef MCAST_CLI_MONITOR_SPEC_H
#define MCAST_CLI_MONITOR_SPEC_H

#include "mcast.h"

#include <stdbool.h>
#include <stddef.h>

#define MON_NAME_MAX  64	/* name=LABEL, bytes with the NUL */
#define MON_LINE_MAX  1024	/* longer lines are refused */
#define MON_FILE_MAX  (4 << 20) /* bytes; a bigger file is refused */
#define MON_SPECS_MAX 65536	/* groups in one file */
#define MON_TEXT_MAX  (2 * MCAST_ADDRSTRLEN + 2)

/*
 * stream=TYPE is how the tracker reads a group's payloads: one of the
 * library's enum mcast_stream_type (auto, mcast, rtp, ts, rtp-ts, none,
 * or seq:OFFSET:WIDTH[:be|le][:count=OFFSET:WIDTH]); the default is auto,
 * which decides per sender.
 */
#define MON_STREAM_DEFAULT MCAST_STREAM_AUTO

struct mon_spec {
	struct sockaddr_storage group;	/* address and port */
	struct sockaddr_storage source; /* AF_UNSPEC: any source */
	int stream;			/* enum mcast_stream_type */
	struct mcast_seq_spec seq;	/* stream=seq:... */
	char name[MON_NAME_MAX];	/* "" when not given */
	char text[MON_TEXT_MAX];	/* [SOURCE@]GROUP:PORT, canonical */
	unsigned line;			/* in its file; 0: command line */
};

/* Order of groups: family, address, port (and scope when asked). */
int mon_group_cmp(const struct sockaddr_storage *a,
		  const struct sockaddr_storage *b, bool scope);

/* The stream type's name ("auto", "rtp", "seq", ...); never NULL. */
const char *mon_stream_name(int stream);
/* Whether two specs read their payloads the same way (type and seq). */
bool mon_same_stream(const struct mon_spec *a, const struct mon_spec *b);

/*
 * Parse one line (NUL-terminated, no newline).  Returns 1 with *out
 * filled, 0 for a blank or comment line, -1 with the reason in err.
 */
int mon_spec_parse(const char *line, struct mon_spec *out, char *err,
		   size_t errlen);

/*
 * Parse a whole file's text (len bytes, NUL bytes refused) into a new
 * array *out of *n specs (free() it).  A group given twice is an error.
 * Returns 0, or -1 with "line N: reason" in err (nothing allocated).
 */
int mon_specs_parse(const char *text, size_t len, struct mon_spec **out,
		    size_t *n, char *err, size_t errlen);

/* Read and parse path; as mon_specs_parse(), errors naming the file. */
int mon_specs_read(const char *path, struct mon_spec **out, size_t *n,
		   char *err, size_t errlen);

#endif /* MCAST_CLI_MONITOR_SPEC_H */
