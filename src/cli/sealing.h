/* SPDX-License-Identifier: MIT */
/*
 * Sealed streams in the CLI: the --key family of options, the key file
 * (reloaded when it changes, for rotation), sealing what a subcommand
 * sends and opening what it receives, and the reject counters.
 */
#ifndef MCAST_CLI_SEALING_H
#define MCAST_CLI_SEALING_H

#include "json.h"
#include "opts.h"

#include <sys/stat.h>

/* The CLI_FN parser of --key (opts.h). */
void sealing_opt_key(void *key_file, const char *value);

/*
 * The key options, for a subcommand's table: --key (its help says what it
 * does there; type is the config struct, m its struct sealing_cfg member),
 * then the sealing and the opening options, included with
 * CLI_INCLUDE(sealing_seal_opts, type, m) and the same for sealing_open_opts.
 */
#define SEALING_OPT_KEY(type, m, text)                                       \
	{                                                                    \
		CLI_OPT("key", CLI_FN, type, m.key_file),                    \
			.fn = sealing_opt_key, .arg = "FILE", .help = (text) \
	}
extern const struct cli_opt sealing_seal_opts[], sealing_open_opts[];
/* recv's --replay-state and --replay-state-every (with CLI_INCLUDE). */
extern const struct cli_opt sealing_state_opts[];

struct sealing_cfg {
	const char *key_file;	/* NULL: nothing sealed or opened */
	const char *state_file; /* --replay-state; NULL: none */
	double save_every;	/* seconds between saves of state_file */
	enum mcast_cipher cipher;
	bool auth_only;
	struct mcast_opener_opts open;
};

void sealing_cfg_init(struct sealing_cfg *c);

enum { SEALING_SEAL = 1, SEALING_OPEN = 2 };

struct sealing {
	const struct sealing_cfg *cfg;
	mcast_keyring_t *keys;
	mcast_sealer_t *sealer;
	mcast_opener_t *opener;
	struct stat st;	   /* of the key file when loaded */
	double next_check; /* monotonic: next look at the key file */
	double next_log;   /* the next reject line may come then */
	double next_save;  /* monotonic: next save of the state file */
	struct mcast_rejects at_log;
	bool warned_sealed; /* receiving without --key */
	bool persisted;	    /* the opener keeps cfg->state_file */
	bool save_failed;   /* the last save of the state file failed */
};

/* Load the key file for roles (SEALING_SEAL | SEALING_OPEN); a bad file exits
 * 2 with the reason.  Without --key, t is off and the rest do nothing. */
void sealing_start(struct sealing *t, const struct sealing_cfg *c, int roles);
static inline bool sealing_on(const struct sealing *t)
{
	return t->keys != NULL;
}
/* The space a seal adds to a datagram. */
static inline size_t sealing_overhead(const struct sealing *t)
{
	return sealing_on(t) ? MCAST_TAG_LEN : 0;
}
/* ", sealed with key id N (CIPHER)" for a start line, or "" when off. */
const char *sealing_describe(const struct sealing *t, char *buf, size_t len);
/* The binding of datagrams sent to (or received on) a group and port:
 * what sealing_seal() and sealing_open() take. */
void sealing_bind(struct mcast_bind *b, const struct sockaddr_storage *group);
/* The binding of a sender's datagrams: its group and port. */
void sealing_bind_sender(struct mcast_bind *b, mcast_t *m);
/* Seal the envelope in buf (len bytes, cap room) for `to`; the new
 * length.  A failure ends the program (status 1): nothing unsealed may
 * leave. */
size_t sealing_seal(struct sealing *t, const struct mcast_bind *to, void *buf,
		    size_t len, size_t cap);
/* Seal a datagram of size bytes on the wire whose header is encoded and
 * whose payload is msg (msglen bytes) then zeros, as it is sent again and
 * again: the payload is written back first, since sealing encrypts it in
 * place (auth-only leaves it as it is). */
void sealing_reseal(struct sealing *t, const struct mcast_bind *to,
		    unsigned char *buf, size_t size, const void *msg,
		    size_t msglen);
/* Verify and open a received datagram in place: its envelope's length,
 * or a negative code when rejected (counted; the bytes must not be
 * used).  `to`: where it was sent (see sealing_bind_meta()).  now:
 * CLOCK_REALTIME. */
int sealing_open(struct sealing *t, const struct mcast_bind *to, void *buf,
		 size_t len, const struct timespec *now, struct mcast_hdr *h);
/* The binding of a received datagram: the group and port it was sent to,
 * as IP_PKTINFO says, else fallback (may be NULL: then none, and the
 * datagram is rejected as unbound). */
void sealing_bind_meta(struct mcast_bind *b, const struct mcast_meta *meta,
		       const struct sockaddr_storage *fallback);
/* Without --key: warn once when sealed datagrams arrive anyway. */
void sealing_sniff(struct sealing *t, const void *buf, size_t len,
		   const struct sockaddr_storage *src);
/* Reload a changed key file; at most one line a second about rejects. */
void sealing_tick(struct sealing *t, double now);
/* When sealing_tick() wants to run next (0: never). */
double sealing_due(const struct sealing *t);
/* Counters so far; false when nothing is opened. */
bool sealing_rejects(const struct sealing *t, struct mcast_rejects *r);
/* At the end of a run: one line on stderr about every reject, if any. */
void sealing_say_rejects(const struct sealing *t);
/* Total rejected, and a list of the nonzero reasons ("3 bad tag, ..."). */
uint64_t sealing_reject_words(const struct mcast_rejects *r, char *buf,
			      size_t len);
/* The counters as JSON members ("accepted":N,"rejected":{...}). */
void sealing_json(struct json *j, const struct mcast_rejects *r);
/* Save the replay state file a last time (exactly), free everything. */
void sealing_stop(struct sealing *t);
/* Before keys are read: no core dumps, no ptrace by other users. */
void sealing_no_core_dumps(void);

#endif /* MCAST_CLI_SEALING_H */
