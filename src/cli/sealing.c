/* SPDX-License-Identifier: MIT */
/*
 * Sealed streams in the CLI (docs/SECURITY.md): options, the key file and
 * its reloads, sealing, opening, and what is said about rejects.
 */
#include "sealing.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#define RELOAD_EVERY 1.0 /* seconds between looks at the key file */
#define LOG_EVERY    1.0 /* at most one reject line this often */
/* Default seconds between saves of the replay state file.  Safety does not
 * depend on it (the file is written ahead); it keeps reservations close to
 * each stream's rate, so the datagram path seldom writes. */
#define SAVE_EVERY 1.0

void sealing_cfg_init(struct sealing_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->cipher = MCAST_CIPHER_AES256GCM;
	c->save_every = SAVE_EVERY;
	mcast_opener_opts_init(&c->open);
}

static enum mcast_cipher parse_cipher(const char *opt, const char *s,
				      const char *want)
{
	if (strcmp(s, "aes-256-gcm") == 0 || strcmp(s, "aes") == 0)
		return MCAST_CIPHER_AES256GCM;
	if (strcmp(s, "chacha20-poly1305") == 0 || strcmp(s, "chacha") == 0)
		return MCAST_CIPHER_CHACHA20POLY1305;
	cli_bad_value(opt, s, want);
}

void sealing_opt_key(void *key_file, const char *value)
{
	if (!*value)
		cli_bad_value("--key", value,
			      "a key file; make one with mcast keygen FILE");
	*(const char **)key_file = value;
}

static void sealing_opt_cipher(void *cipher, const char *value)
{
	*(enum mcast_cipher *)cipher = parse_cipher(
		"--cipher", value, "aes-256-gcm or chacha20-poly1305");
}

static void sealing_opt_require(void *require, const char *value)
{
	if (strcmp(value, "any") == 0)
		*(int *)require = MCAST_REQUIRE_ENCRYPTED;
	else
		*(int *)require =
			parse_cipher("--require-cipher", value,
				     "any, aes-256-gcm or chacha20-poly1305") ==
					MCAST_CIPHER_AES256GCM
				? MCAST_REQUIRE_AES256GCM
				: MCAST_REQUIRE_CHACHA20POLY1305;
}

/* What the other key options are useless without. */
#define NEEDS_KEY                                                            \
	.needs = "key", .why = "applies to sealed streams; give --key FILE " \
			       "too (mcast keygen FILE makes one)"
#define OPT(name, kind, field) CLI_OPT(name, kind, struct sealing_cfg, field)

const struct cli_opt sealing_seal_opts[] = {
	{ OPT("cipher", CLI_FN, cipher), NEEDS_KEY, .fn = sealing_opt_cipher,
	  .arg = "NAME", .help = "aes-256-gcm (default) or chacha20-poly1305" },
	{ OPT("auth-only", CLI_FLAG, auth_only), NEEDS_KEY,
	  .help = "authenticate without encrypting" },
	{ 0 }
};

const struct cli_opt sealing_open_opts[] = {
	{ OPT("replay-window", CLI_INT, open.replay_window), NEEDS_KEY,
	  .lo = 64, .hi = 65536, .arg = "N",
	  .help = "sequence numbers remembered per sender, 64-65536\n"
		  "(default 1024): older or repeated ones are replays" },
	/* 0 turns the check off; past a day it guards nothing. */
	{ OPT("max-age", CLI_SECONDS, open.max_age), NEEDS_KEY, .min = 0,
	  .max = 86400, .arg = "SECONDS",
	  .help = "reject datagrams sent longer ago than this (default\n"
		  "30; 0: off, for hosts without synchronised clocks)" },
	{ OPT("require-cipher", CLI_FN, open.require), NEEDS_KEY,
	  .fn = sealing_opt_require, .arg = "C",
	  .help = "accept only encrypted datagrams: any (either\n"
		  "cipher), aes-256-gcm or chacha20-poly1305" },
	{ 0 }
};

static void sealing_opt_state(void *state_file, const char *value)
{
	if (!*value)
		cli_bad_value("--replay-state", value,
			      "a file to keep the replay state in");
	*(const char **)state_file = value;
}

const struct cli_opt sealing_state_opts[] = {
	{ OPT("replay-state", CLI_FN, state_file), NEEDS_KEY,
	  .fn = sealing_opt_state, .arg = "FILE",
	  .help = "keep the replay windows in FILE across restarts,\n"
		  "so replays to a restarted receiver are refused" },
	{ OPT("replay-state-every", CLI_SECONDS, save_every),
	  .needs = "replay-state",
	  .why = "applies to the state file; give --replay-state FILE too",
	  .min = 0.01, .max = 86400, .arg = "SECONDS",
	  .help = "save FILE this often (default 1; it is also\n"
		  "written ahead of what it covers, whenever needed)" },
	{ 0 }
};

/*
 * The library keeps the key bytes it holds out of core dumps, but keys
 * also pass through libcrypto's cipher contexts, which it does not
 * allocate.  A process that is not dumpable writes no core file at all and
 * cannot be ptrace()d or have its memory read through /proc by other
 * processes of the same user (OpenSSH's agent does the same).
 */
void sealing_no_core_dumps(void)
{
	(void)prctl(PR_SET_DUMPABLE, 0);
}

/*
 * Load c->key_file; on failure the reason in err, and NULL.  *st is the
 * fstat() of the descriptor that was read, not a stat() of the path made
 * later: a rotation renamed into place between the two would otherwise be
 * taken for the file already loaded, and never loaded.
 */
static mcast_keyring_t *load(const char *path, struct stat *st, char *err,
			     size_t errlen, int *code)
{
	mcast_keyring_t *k = NULL;
	int fd, rc;

	*err = '\0';
	/* O_NONBLOCK: a FIFO must not hang the open; it fails the check. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot open %s: %s", path,
			 mcast_strerror(rc));
	} else {
		rc = mcast_keyring_load_fd(&k, fd, path, st, err, errlen);
		close(fd);
	}
	*code = rc;
	return rc < 0 ? NULL : k;
}

static void die_keyfile(const char *path, int rc, const char *err)
{
	const char *advice = "";

	if (rc == -ENOENT)
		advice = "; make one with: mcast keygen FILE";
	else if (rc == MCAST_EKEYFILE)
		advice = "; lines are \"ID HEX\" (see mcast keygen)";
	if (*err)
		cli_die(EXIT_USAGE, "--key: %s%s", err, advice);
	cli_die(EXIT_USAGE, "--key %s: %s%s", path, mcast_strerror(rc), advice);
}

static void make_sealer(struct sealing *t)
{
	int rc = mcast_sealer_new(&t->sealer, t->keys, t->cfg->cipher,
				  t->cfg->auth_only);

	if (rc < 0)
		cli_die(EXIT_RUNTIME, "cannot seal with %s: %s",
			t->cfg->key_file, mcast_strerror(rc));
}

/* Restore the replay state file and keep it from now on. */
static void persist(struct sealing *t)
{
	const char *path = t->cfg->state_file;
	int rc = mcast_opener_persist(t->opener, path);
	char err[MCAST_ERRMSG_MAX];

	if (rc > 0)
		cli_info("replay state of %d stream%s restored from %s", rc,
			 rc == 1 ? "" : "s", path);
	if (rc >= 0)
		return;
	snprintf(err, sizeof(err), "%s",
		 *mcast_opener_errmsg(t->opener)
			 ? mcast_opener_errmsg(t->opener)
			 : mcast_strerror(rc));
	/* Nothing to save: free the keys and the opener before leaving. */
	sealing_stop(t);
	if (rc == MCAST_ESTATE)
		cli_die(EXIT_USAGE,
			"--replay-state: %s; if it is damaged, move it away "
			"(the receiver then starts with no memory of what it "
			"accepted, guarded by --max-age only)",
			err);
	cli_die(rc == -ENOMEM || rc == -EIO || rc == -ENOSPC || rc == -EDQUOT
			? EXIT_RUNTIME
			: EXIT_USAGE,
		"--replay-state: %s", err);
}

/* Write the state file; one warning per run of failures. */
static void save_state(struct sealing *t, int final)
{
	int rc;

	if (!t->persisted)
		return;
	rc = mcast_opener_save(t->opener, final);
	if (rc < 0 && !t->save_failed)
		cli_warn("cannot save the replay state: %s; the file keeps "
			 "the last state saved, and datagrams it does not "
			 "cover are refused until a save succeeds",
			 mcast_opener_errmsg(t->opener));
	t->save_failed = rc < 0;
}

void sealing_start(struct sealing *t, const struct sealing_cfg *c, int roles)
{
	char err[MCAST_ERRMSG_MAX];
	int rc;

	memset(t, 0, sizeof(*t));
	t->cfg = c;
	if (!c->key_file)
		return;
	sealing_no_core_dumps();
	t->keys = load(c->key_file, &t->st, err, sizeof(err), &rc);
	if (!t->keys)
		die_keyfile(c->key_file, rc, err);
	if (roles & SEALING_SEAL)
		make_sealer(t);
	if ((roles & SEALING_OPEN) &&
	    (rc = mcast_opener_new(&t->opener, t->keys, &c->open)) < 0)
		cli_die(EXIT_RUNTIME, "cannot open sealed datagrams: %s",
			mcast_strerror(rc));
	if (t->opener && c->state_file) {
		persist(t);
		t->persisted = true;
		t->next_save = cli_now() + c->save_every;
	}
	t->next_check = cli_now() + RELOAD_EVERY;
	t->next_log = cli_now();
	if (t->opener)
		sealing_rejects(t, &t->at_log);
}

const char *sealing_describe(const struct sealing *t, char *buf, size_t len)
{
	*buf = '\0';
	if (sealing_on(t) && t->sealer)
		snprintf(buf, len, ", %s with key id %" PRIu32 " (%s)",
			 t->cfg->auth_only ? "authenticated" : "sealed",
			 mcast_keyring_newest(t->keys),
			 t->cfg->cipher == MCAST_CIPHER_CHACHA20POLY1305
				 ? "chacha20-poly1305"
				 : "aes-256-gcm");
	return buf;
}

void sealing_bind(struct mcast_bind *b, const struct sockaddr_storage *group)
{
	if (mcast_bind_addr(b, (const struct sockaddr *)group) < 0)
		cli_die(EXIT_RUNTIME,
			"cannot bind sealed datagrams to a non-IP address");
}

void sealing_bind_sender(struct mcast_bind *b, mcast_t *m)
{
	struct mcast_info info;

	mcast_info_init(&info);
	mcast_get_info(m, &info);
	sealing_bind(b, &info.group);
}

void sealing_bind_meta(struct mcast_bind *b, const struct mcast_meta *meta,
		       const struct sockaddr_storage *fallback)
{
	const struct sockaddr *to =
		(meta->flags & MCAST_META_DST)
			? (const struct sockaddr *)&meta->dst
			: (const struct sockaddr *)fallback;

	/* On failure b is empty: every datagram is then counted unbound. */
	(void)mcast_bind_addr(b, to);
}

size_t sealing_seal(struct sealing *t, const struct mcast_bind *to, void *buf,
		    size_t len, size_t cap)
{
	int rc = mcast_seal(t->sealer, to, buf, len, cap);

	if (rc < 0)
		cli_die(EXIT_RUNTIME, "cannot seal a datagram: %s",
			mcast_strerror(rc));
	return (size_t)rc;
}

void sealing_reseal(struct sealing *t, const struct mcast_bind *to,
		    unsigned char *buf, size_t size, const void *msg,
		    size_t msglen)
{
	unsigned char *p = buf + MCAST_WIRE_HDR_LEN;

	if (!t->cfg->auth_only) {
		memcpy(p, msg, msglen);
		memset(p + msglen, 0,
		       size - MCAST_WIRE_HDR_LEN - MCAST_TAG_LEN - msglen);
	}
	sealing_seal(t, to, buf, size - MCAST_TAG_LEN, size);
}

int sealing_open(struct sealing *t, const struct mcast_bind *to, void *buf,
		 size_t len, const struct timespec *now, struct mcast_hdr *h)
{
	return mcast_unseal(t->opener, to, buf, len, now, h);
}

void sealing_sniff(struct sealing *t, const void *buf, size_t len,
		   const struct sockaddr_storage *src)
{
	const unsigned char *p = buf;
	uint32_t magic, id;
	char a[MCAST_ADDRSTRLEN];

	if (t->warned_sealed || len < MCAST_WIRE_HDR_LEN_V1)
		return;
	magic = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		(uint32_t)p[2] << 8 | p[3];
	id = (uint32_t)p[8] << 24 | (uint32_t)p[9] << 16 |
	     (uint32_t)p[10] << 8 | p[11];
	if (magic != MCAST_WIRE_MAGIC || id == 0)
		return;
	t->warned_sealed = true;
	cli_warn(
		"sealed datagrams (key id %" PRIu32
		") arrive from %s; they are shown unverified: give --key FILE to verify and open them",
		id, cli_addr(src, a, sizeof(a)));
}

/* The key file changed: use it, or keep the keys in use and say why. */
static void reload(struct sealing *t, const struct stat *st)
{
	char err[MCAST_ERRMSG_MAX];
	uint32_t was = mcast_keyring_newest(t->keys);
	mcast_keyring_t *k, *old_keys;
	mcast_sealer_t *old_sealer;
	int rc;

	k = load(t->cfg->key_file, &t->st, err, sizeof(err), &rc);
	if (!k) {
		t->st = *st; /* one warning per change, not per second */
		cli_warn(
			"key file %s changed but cannot be used (%s); keeping the %zu key%s loaded",
			t->cfg->key_file, *err ? err : mcast_strerror(rc),
			mcast_keyring_count(t->keys),
			mcast_keyring_count(t->keys) == 1 ? "" : "s");
		return;
	}
	old_keys = t->keys;
	old_sealer = t->sealer;
	t->keys = k;
	if (t->opener)
		mcast_opener_set_keyring(t->opener, k);
	/* The old sealer points into the old keyring. */
	if (old_sealer)
		make_sealer(t);
	mcast_sealer_free(old_sealer);
	mcast_keyring_free(old_keys);
	cli_info("key file %s reloaded: %zu key%s, newest id %" PRIu32 "%s",
		 t->cfg->key_file, mcast_keyring_count(k),
		 mcast_keyring_count(k) == 1 ? "" : "s",
		 mcast_keyring_newest(k),
		 t->sealer && mcast_keyring_newest(k) != was
			 ? " (sealing with it from now on)"
			 : "");
}

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_ino == b->st_ino && a->st_dev == b->st_dev &&
	       a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	       a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	       a->st_ctim.tv_sec == b->st_ctim.tv_sec &&
	       a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

static const struct {
	const char *name, *words;
	size_t off;
} reasons[] = {
#define REASON(f, w)                                     \
	{                                                \
#f, w, offsetof(struct mcast_rejects, f) \
	}
	REASON(bad_tag, "bad tag"),	REASON(unknown_key, "unknown key id"),
	REASON(replayed, "replayed"),	REASON(stale, "stale"),
	REASON(unsealed, "not sealed"), REASON(malformed, "malformed"),
	REASON(too_short, "too short"), REASON(wrong_version, "wrong version"),
	REASON(not_mcast, "not mcast"), REASON(wrong_cipher, "wrong cipher"),
	REASON(unbound, "unbound"),	REASON(unsaved, "not saved"),
#undef REASON
};

#define NREASONS (sizeof(reasons) / sizeof(reasons[0]))

static uint64_t reason(const struct mcast_rejects *r, size_t i)
{
	uint64_t v;

	memcpy(&v, (const char *)r + reasons[i].off, sizeof(v));
	return v;
}

uint64_t sealing_reject_words(const struct mcast_rejects *r, char *buf,
			      size_t len)
{
	uint64_t total = 0;
	size_t used = 0;

	*buf = '\0';
	for (size_t i = 0; i < NREASONS; i++) {
		uint64_t v = reason(r, i);

		if (!v)
			continue;
		cli_append(buf, len, &used, "%s%" PRIu64 " %s",
			   total ? ", " : "", v, reasons[i].words);
		total += v;
	}
	return total;
}

void sealing_json(struct json *j, const struct mcast_rejects *r)
{
	uint64_t total = 0;

	for (size_t i = 0; i < NREASONS; i++)
		total += reason(r, i);
	json_uint(j, "accepted", r->accepted);
	json_object(j, "rejected");
	json_uint(j, "total", total);
	for (size_t i = 0; i < NREASONS; i++)
		json_uint(j, reasons[i].name, reason(r, i));
	json_end(j);
}

/* Rejects since the last line, by reason: at most one line a second. */
static void log_rejects(struct sealing *t, double now)
{
	struct mcast_rejects r, d;
	char words[512];
	uint64_t n;

	if (!t->opener || now < t->next_log)
		return;
	sealing_rejects(t, &r);
	d = r;
	for (size_t i = 0; i < NREASONS; i++) {
		uint64_t v = reason(&r, i) - reason(&t->at_log, i);

		memcpy((char *)&d + reasons[i].off, &v, sizeof(v));
	}
	n = sealing_reject_words(&d, words, sizeof(words));
	if (!n)
		return;
	cli_warn("rejected %" PRIu64 " datagram%s: %s", n, n == 1 ? "" : "s",
		 words);
	t->at_log = r;
	t->next_log = now + LOG_EVERY;
}

void sealing_tick(struct sealing *t, double now)
{
	struct stat st;

	if (!sealing_on(t))
		return;
	log_rejects(t, now);
	if (t->next_save > 0 && now >= t->next_save) {
		t->next_save = now + t->cfg->save_every;
		save_state(t, 0);
	}
	if (now < t->next_check)
		return;
	t->next_check = now + RELOAD_EVERY;
	/* A key file that went away keeps the keys in use, silently: an
	 * editor may be replacing it. */
	if (stat(t->cfg->key_file, &st) == 0 && !same_file(&st, &t->st))
		reload(t, &st);
}

double sealing_due(const struct sealing *t)
{
	/* Pending rejects are logged then at the latest. */
	if (!sealing_on(t))
		return 0;
	return t->next_save > 0 && t->next_save < t->next_check ? t->next_save
								: t->next_check;
}

bool sealing_rejects(const struct sealing *t, struct mcast_rejects *r)
{
	mcast_rejects_init(r);
	if (!t->opener)
		return false;
	mcast_opener_rejects(t->opener, r);
	return true;
}

void sealing_say_rejects(const struct sealing *t)
{
	struct mcast_rejects r;
	char words[512];
	uint64_t n;

	if (!sealing_rejects(t, &r))
		return;
	n = sealing_reject_words(&r, words, sizeof(words));
	if (n)
		cli_warn("rejected %" PRIu64 " datagram%s in all: %s", n,
			 n == 1 ? "" : "s", words);
}

void sealing_stop(struct sealing *t)
{
	save_state(t, 1);
	mcast_sealer_free(t->sealer);
	mcast_opener_free(t->opener);
	mcast_keyring_free(t->keys);
	memset(t, 0, sizeof(*t));
}
