/* SPDX-License-Identifier: MIT */
/* mcast recv: its command line, parsed into what the run needs. */
#ifndef MCAST_CLI_RECV_H
#define MCAST_CLI_RECV_H

#include "cli.h"
#include "dgram.h"
#include "sealing.h"

struct group_arg {
	const char *text; /* as given, or made for one group of a range */
	struct sockaddr_storage addr;
	/* room for MCAST_MAX_SOURCES; or NULL */
	struct sockaddr_storage *sources;
	size_t nsources;
};

/* Append "GROUP:PORT" or "SOURCE@GROUP:PORT", where GROUP may be a range,
 * to the array *groups of *n (room for *cap, grown as needed): recv and
 * relay.  Bad text ends the program with status 2. */
void group_args_add(struct group_arg **groups, size_t *n, size_t *cap,
		    const char *text);

/* Append ", [SOURCES@]GROUP:PORT on IFACE" (no comma when first) to the
 * "joined" line recv and relay print, with cli_append's truncation. */
void group_arg_append_joined(char *line, size_t cap, size_t *used, bool first,
			     const struct group_arg *g, const char *on);

/* --stream: how payloads are read (docs/STREAMS.md). */
struct stream_choice {
	int type; /* enum mcast_stream_type */
	struct mcast_seq_spec seq;
};

struct recv_cfg {
	struct mcast_opts opts;
	struct group_arg *groups; /* any number: grows with the arguments */
	size_t ngroups, groups_cap;
	/* --source; room for MCAST_MAX_SOURCES */
	struct sockaddr_storage *sources;
	size_t nsources;
	long long count; /* -1: no limit */
	double timeout;	 /* <0: none */
	enum out_format format;
	bool quiet;
	bool rcvbuf_set; /* --rcvbuf given: a clamp is worth a warning */
	/* --stats and what builds on it */
	bool stats, until_end;
	double interval_report;	     /* seconds; 0: none */
	long long expect;	     /* -1: no verdict */
	double max_loss;	     /* percent; <0: no verdict */
	double rejoin, idle;	     /* seconds; 0: off */
	struct stream_choice stream; /* with --stats; default auto */
	long long rtp_clock;	     /* Hz; 0: unknown */
	struct sealing_cfg sealing;
	/* --amt: an AMT relay instead of joins; AF_UNSPEC: none */
	struct sockaddr_storage amt;
	const char *amt_text;
};

/* Parse argv into c (exits 2 with one line on bad usage, 0 after --help). */
void recv_parse_args(int argc, char **argv, struct recv_cfg *c);

/* recv_join.c: join every group of c, saying so on stderr with the
 * interfaces and the kernel's warnings (exits on a failed join). */
void recv_join_all(mcast_t *m, const struct recv_cfg *c);
/* The receiver's sockets, in the order they opened, into *out (free()
 * it); returns how many.  The kernel counts drops per socket. */
size_t recv_sockets(const mcast_t *m, struct mcast_socket_info **out);

#endif /* MCAST_CLI_RECV_H */
