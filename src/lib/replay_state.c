/* SPDX-License-Identifier: MIT */
/*
 * The opener's replay state in a file, so that a restarted receiver does
 * not accept again what it accepted before (docs/SECURITY.md, format in
 * docs/PROTOCOL.md).
 *
 * The danger is the gap between the last save and a crash: whatever was
 * accepted then is not in the file, and a restored receiver would take it
 * again.  Saving after every datagram costs an fsync each; a margin added
 * at restore time is a guess at a rate.  So the file is written AHEAD:
 * each stream's record carries a reservation, limit >= top, and the
 * opener accepts nothing above a stream's limit, nor any stream the file
 * lacks, before a file with a higher limit (or the new stream) is on
 * disk.  A restore then refuses everything up to limit, whatever happened
 * after the save.  Reservations grow with each stream's rate - twice what
 * it took since the previous periodic save, four times on an overrun -
 * so that periodic saves keep ahead and the datagram path seldom writes:
 * a new stream, and a stream that speeds up, a few times.  What a
 * receiver that comes back quickly after a crash loses is the reserved
 * numbers its live streams had not reached: about two save intervals'
 * worth, at least MC_STATE_MARGIN_MIN.  A final save (at exit) reserves
 * nothing and keeps the exact windows, so a clean restart loses nothing.
 *
 * The file is never written in place: a temporary file beside it
 * (mkostemp: O_EXCL, mode 0600), fsync, rename over, fsync the directory,
 * so that after a crash the path holds the old file or the new one,
 * whole.  Derived keys are never written.
 */
#include "crypto_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MC_STATE_MAGIC	 "MCASTRPL"
#define MC_STATE_VERSION 1
#define MC_STATE_HDR_LEN 28
#define MC_STATE_SUM_LEN 32 /* SHA-256 of everything before it */
/* A stream id: key id, type, cipher, binding length, session, binding
 * (MCAST_BIND_MAX bytes, zero past its length). */
#define MC_STATE_ID_LEN	    (24 + MCAST_BIND_MAX)
#define MC_STATE_MARGIN_MAX (1ull << 40)
/* A stream table may restore one more stream than it holds: the new one
 * a reservation wrote beside the others. */
#define MC_STATE_COUNT_MAX (MC_STREAMS_MAX + 1)

struct mc_state {
	char *path;
	uint64_t accepted; /* the opener's count at the last save */
	bool saved;
};

static size_t mc_state_rec_len(uint64_t window)
{
	return MC_STATE_ID_LEN + 16 + (size_t)(window / 8);
}

static uint64_t mc_rd(const uint8_t *p, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

static uint8_t *mc_wr(uint8_t *p, uint64_t v, int n)
{
	for (int i = n - 1; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
	return p + n;
}

static uint64_t mc_sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* A reservation margin: factor times an advance, within bounds. */
static uint64_t mc_margin(uint64_t advance, uint64_t factor)
{
	uint64_t m = advance > MC_STATE_MARGIN_MAX / factor
			     ? MC_STATE_MARGIN_MAX
			     : advance * factor;

	return m < MC_STATE_MARGIN_MIN ? MC_STATE_MARGIN_MIN : m;
}

/* What a write reserves: final, nothing; periodic, from each stream's
 * rate; a reservation, what was reserved before (unchanged). */
enum mc_save_kind { MC_SAVE_PERIODIC, MC_SAVE_FINAL, MC_SAVE_RESERVE };

static uint64_t mc_limit(const struct mc_stream *e, enum mc_save_kind kind)
{
	switch (kind) {
	case MC_SAVE_FINAL:
		return e->top;
	case MC_SAVE_PERIODIC:
		return mc_sat_add(e->top, mc_margin(e->top - e->at_save, 2));
	default:
		return e->limit;
	}
}

static uint8_t *mc_put_record(uint8_t *p, const struct mc_stream_id *id,
			      uint64_t top, uint64_t limit)
{
	p = mc_wr(p, id->key_id, 4);
	p = mc_wr(p, id->type, 1);
	p = mc_wr(p, id->cipher, 1);
	p = mc_wr(p, id->bind_len, 2);
	memcpy(p, id->session, MCAST_SESSION_LEN);
	p += MCAST_SESSION_LEN;
	memcpy(p, id->bind, MCAST_BIND_MAX);
	p += MCAST_BIND_MAX;
	p = mc_wr(p, top, 8);
	return mc_wr(p, limit, 8);
}

/*
 * The file's bytes: every stream, least recently used first (a restore
 * adds them in order, so it rebuilds the same order), then a pending new
 * one (id, at seq) when not NULL.  Stream pend_i, when not
 * MC_STREAM_NONE, is written with limit pend_limit.
 */
static uint8_t *mc_state_encode(const struct mc_streams *s,
				enum mc_save_kind kind, uint32_t pend_i,
				uint64_t pend_limit,
				const struct mc_stream_id *id, uint64_t seq,
				size_t *lenp)
{
	size_t rec = mc_state_rec_len(s->window);
	uint32_t n = s->used + (id != NULL);
	size_t len = MC_STATE_HDR_LEN + (size_t)n * rec + MC_STATE_SUM_LEN;
	uint8_t *buf = calloc(1, len), *p = buf;
	struct timespec now;

	if (!buf)
		return NULL;
	clock_gettime(CLOCK_REALTIME, &now);
	memcpy(p, MC_STATE_MAGIC, 8);
	p = mc_wr(p + 8, MC_STATE_VERSION, 2);
	p = mc_wr(p, 0, 2);
	p = mc_wr(p, s->window, 4);
	p = mc_wr(p, n, 4);
	p = mc_wr(p, (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec,
		  8);
	for (uint32_t i = s->tail; i != MC_STREAM_NONE; i = s->slab[i].prev) {
		const struct mc_stream *e = &s->slab[i];

		p = mc_put_record(p, &e->id, e->top,
				  i == pend_i ? pend_limit : mc_limit(e, kind));
		for (uint64_t k = 0; k < s->window && k <= e->top; k++)
			if (mc_streams_replayed(s, i, e->top - k))
				p[k / 8] |= (uint8_t)(1u << (k % 8));
		p += s->window / 8;
	}
	if (id) {
		p = mc_put_record(p, id, seq,
				  mc_sat_add(seq, MC_STATE_MARGIN_MIN));
		p[0] = 1; /* seq itself */
		p += s->window / 8;
	}
	if (EVP_Digest(buf, (size_t)(p - buf), p, NULL, EVP_sha256(), NULL) !=
	    1) {
		free(buf);
		return NULL;
	}
	*lenp = len;
	return buf;
}

/* The directory part of path ("." when none), for syncing the rename. */
static int mc_sync_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? strndup(path,
				    slash == path ? 1 : (size_t)(slash - path))
			  : strdup(".");
	int fd, rc = 0;

	if (!dir)
		return -ENOMEM;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	if (fd < 0)
		return -errno;
	/* Some file systems cannot sync a directory; they need not. */
	if (fsync(fd) < 0 && errno != EINVAL)
		rc = -errno;
	close(fd);
	return rc;
}

/* Replace path with buf, whole or not at all. */
static int mc_state_write(const char *path, const uint8_t *buf, size_t len,
			  char *err, size_t errlen)
{
	size_t n = strlen(path);
	char *tmp = malloc(n + 8);
	const char *step = "create a temporary file beside";
	int fd, rc;

	if (!tmp)
		return -ENOMEM;
	snprintf(tmp, n + 8, "%s.XXXXXX", path);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		goto fail;
	}
	step = "write";
	/* Exactly 0600, whatever the umask took away. */
	if (fchmod(fd, 0600) < 0 ||
	    (rc = mc_write_all(fd, (const char *)buf, len)) < 0 ||
	    fsync(fd) < 0) {
		rc = rc < 0 ? rc : -errno;
		close(fd);
		unlink(tmp);
		goto fail;
	}
	if (close(fd) < 0 || rename(tmp, path) < 0) {
		rc = -errno;
		unlink(tmp);
		goto fail;
	}
	step = "sync the directory of";
	rc = mc_sync_dir(path);
	if (rc < 0)
		goto fail;
	free(tmp);
	return 0;
fail:
	mc_errf(err, errlen, "cannot %s %s: %s", step, path,
		mcast_strerror(rc));
	free(tmp);
	return rc;
}

/* Encode and write; on success the limits written become the streams'. */
static int mc_state_store(struct mc_streams *s, enum mc_save_kind kind,
			  uint32_t pend_i, uint64_t pend_limit,
			  const struct mc_stream_id *id, uint64_t seq,
			  char *err, size_t errlen)
{
	size_t len;
	uint8_t *buf =
		mc_state_encode(s, kind, pend_i, pend_limit, id, seq, &len);
	int rc;

	if (!buf) /* or libcrypto failed: nothing is written either way */
		return -ENOMEM;
	rc = mc_state_write(s->state->path, buf, len, err, errlen);
	free(buf);
	if (rc < 0)
		return rc;
	for (uint32_t i = 0; i < s->used && kind != MC_SAVE_RESERVE; i++) {
		struct mc_stream *e = &s->slab[i];

		e->limit = mc_limit(e, kind);
		e->at_save = e->top;
	}
	if (pend_i != MC_STREAM_NONE)
		s->slab[pend_i].limit = pend_limit;
	return 0;
}

int mc_state_reserve(struct mc_streams *s, uint32_t i,
		     const struct mc_stream_id *id, uint64_t seq, char *err,
		     size_t errlen)
{
	const struct mc_stream *e;

	if (i == MC_STREAM_NONE)
		return mc_state_store(s, MC_SAVE_RESERVE, MC_STREAM_NONE, 0, id,
				      seq, err, errlen);
	e = &s->slab[i];
	if (seq <= e->limit)
		return 0;
	/* Overrun: four times the advance since the last periodic save, so
	 * a stream that speeds up writes a few times, not at every step. */
	return mc_state_store(s, MC_SAVE_RESERVE, i,
			      mc_sat_add(seq, mc_margin(seq - e->at_save, 4)),
			      NULL, 0, err, errlen);
}

int mc_state_save(struct mc_streams *s, bool final, uint64_t accepted,
		  char *err, size_t errlen)
{
	struct mc_state *st = s->state;
	int rc;

	if (!st) {
		mc_errf(err, errlen,
			"no replay state file to save to (persist first)");
		return -EINVAL;
	}
	if (!final && st->saved && accepted == st->accepted)
		return 0;
	rc = mc_state_store(s, final ? MC_SAVE_FINAL : MC_SAVE_PERIODIC,
			    MC_STREAM_NONE, 0, NULL, 0, err, errlen);
	if (rc == 0) {
		st->saved = true;
		st->accepted = accepted;
	}
	return rc;
}

static int mc_bad(char *err, size_t errlen, const char *what)
{
	mc_errf(err, errlen, "%s", what);
	return MCAST_ESTATE;
}

/* The binding length fits, and the bytes past it are zero: ids compare
 * with memcmp, so stray bytes would make another stream of the same. */
static bool mc_bind_tail_clear(const uint8_t *rec)
{
	uint64_t n = mc_rd(rec + 6, 2);

	if (n > MCAST_BIND_MAX)
		return false;
	for (uint64_t k = n; k < MCAST_BIND_MAX; k++)
		if (rec[24 + k])
			return false;
	return true;
}

/* Check every field of the records before any is used. */
static int mc_state_check(const uint8_t *p, uint32_t n, size_t rec, char *err,
			  size_t errlen)
{
	for (uint32_t k = 0; k < n; k++, p += rec) {
		uint8_t type = p[4], cipher = p[5];
		const char *why = NULL;

		if (mc_rd(p, 4) == 0)
			why = "key id 0";
		else if (type < MCAST_MSG_DATA || type > MCAST_MSG_PONG)
			why = "an unknown message type";
		else if (cipher > MCAST_CIPHER_CHACHA20POLY1305)
			why = "an unknown cipher";
		else if (!mc_bind_tail_clear(p))
			why = "a destination binding out of range";
		else if (mc_rd(p + MC_STATE_ID_LEN + 8, 8) <
			 mc_rd(p + MC_STATE_ID_LEN, 8))
			why = "a limit below its top";
		if (why) {
			mc_errf(err, errlen, "stream %u of %u has %s", k + 1, n,
				why);
			return MCAST_ESTATE;
		}
	}
	return 0;
}

int mc_state_parse(struct mc_streams *s, const uint8_t *p, size_t len,
		   char *err, size_t errlen)
{
	uint8_t sum[MC_STATE_SUM_LEN];
	uint64_t window;
	uint32_t n;
	size_t rec;
	int rc;

	if (s->used) {
		mc_errf(err, errlen,
			"restore before the first datagram is opened");
		return -EBUSY;
	}
	if (len < MC_STATE_HDR_LEN + MC_STATE_SUM_LEN ||
	    memcmp(p, MC_STATE_MAGIC, 8) != 0)
		return mc_bad(
			err, errlen,
			"not an mcast replay state file (no " MC_STATE_MAGIC
			" header)");
	if (mc_rd(p + 8, 2) != MC_STATE_VERSION) {
		mc_errf(err, errlen,
			"format version %u; this mcast reads version %d",
			(unsigned)mc_rd(p + 8, 2), MC_STATE_VERSION);
		return MCAST_ESTATE;
	}
	window = mc_rd(p + 12, 4);
	n = (uint32_t)mc_rd(p + 16, 4);
	if (mc_rd(p + 10, 2) != 0 || window < MC_REPLAY_MIN ||
	    window > MC_REPLAY_MAX || window % 64 || n > MC_STATE_COUNT_MAX)
		return mc_bad(err, errlen,
			      "header out of range (flags, window or count)");
	rec = mc_state_rec_len(window);
	if (len != MC_STATE_HDR_LEN + (size_t)n * rec + MC_STATE_SUM_LEN) {
		mc_errf(err, errlen,
			"%zu bytes where its header says %zu: truncated "
			"or corrupt",
			len,
			MC_STATE_HDR_LEN + (size_t)n * rec + MC_STATE_SUM_LEN);
		return MCAST_ESTATE;
	}
	if (EVP_Digest(p, len - MC_STATE_SUM_LEN, sum, NULL, EVP_sha256(),
		       NULL) != 1)
		return -EIO;
	if (memcmp(sum, p + len - MC_STATE_SUM_LEN, sizeof(sum)) != 0)
		return mc_bad(err, errlen, "checksum mismatch: corrupt");
	rc = mc_state_check(p + MC_STATE_HDR_LEN, n, rec, err, errlen);
	if (rc < 0)
		return rc;
	p += MC_STATE_HDR_LEN;
	for (uint32_t k = 0; k < n; k++, p += rec) {
		struct mc_stream_id id;

		memset(&id, 0, sizeof(id));
		id.key_id = (uint32_t)mc_rd(p, 4);
		id.type = p[4];
		id.cipher = p[5];
		memcpy(id.session, p + 8, MCAST_SESSION_LEN);
		id.bind_len = p[7];
		memcpy(id.bind, p + 24, MCAST_BIND_MAX);
		if (mc_streams_find(s, &id) != MC_STREAM_NONE) {
			mc_streams_clear(s);
			mc_errf(err, errlen, "stream %u of %u appears twice",
				k + 1, n);
			return MCAST_ESTATE;
		}
		mc_streams_restore(s, &id, mc_rd(p + MC_STATE_ID_LEN, 8),
				   mc_rd(p + MC_STATE_ID_LEN + 8, 8),
				   p + MC_STATE_ID_LEN + 16, window);
	}
	return (int)s->used;
}

/* Read path into memory when it exists: 1, 0 when missing, or < 0. */
static int mc_state_read(const char *path, uint8_t **bufp, size_t *lenp,
			 char *err, size_t errlen)
{
	struct stat st;
	size_t len = 0, max;
	uint8_t *buf;
	int fd, rc;

	/* O_NOFOLLOW: a link would be replaced, not followed, by the first
	 * save; O_NONBLOCK: a FIFO must not hang the open. */
	fd = open(path,
		  O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW);
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0) {
		rc = -errno;
		mc_errf(err, errlen, "cannot open %s: %s%s", path,
			mcast_strerror(rc),
			rc == -ELOOP ? " (a symbolic link: give the "
				       "file's own path)"
				     : "");
		return rc;
	}
	rc = mc_check_keyfile(fd, path, &st, err, errlen);
	if (rc == MCAST_EKEYFILE)
		rc = MCAST_ESTATE;
	max = MC_STATE_HDR_LEN +
	      MC_STATE_COUNT_MAX * mc_state_rec_len(MC_REPLAY_MAX) +
	      MC_STATE_SUM_LEN;
	if (rc == 0 && (uint64_t)st.st_size > max) {
		mc_errf(err, errlen, "%s: larger than any state file", path);
		rc = MCAST_ESTATE;
	}
	buf = rc == 0 ? malloc(st.st_size ? (size_t)st.st_size : 1) : NULL;
	if (rc == 0 && !buf)
		rc = -ENOMEM;
	while (rc == 0 && len < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + len, (size_t)st.st_size - len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			rc = r < 0 ? -errno : MCAST_ESTATE;
			mc_errf(err, errlen, "cannot read %s: %s", path,
				r < 0 ? mcast_strerror(rc)
				      : "shorter than it was");
		}
		len += r > 0 ? (size_t)r : 0;
	}
	close(fd);
	if (rc < 0) {
		free(buf);
		return rc;
	}
	*bufp = buf;
	*lenp = len;
	return 1;
}

int mc_state_persist(struct mc_streams *s, const char *path, char *err,
		     size_t errlen)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	char msg[MCAST_ERRMSG_MAX];
	int rc, restored = 0;

	if (s->used || s->state) {
		mc_errf(err, errlen,
			"a state file must be given before the first "
			"datagram is opened, and once");
		return -EBUSY;
	}
	rc = mc_state_read(path, &buf, &len, err, errlen);
	if (rc > 0) {
		rc = restored = mc_state_parse(s, buf, len, msg, sizeof(msg));
		if (rc == MCAST_ESTATE)
			mc_errf(err, errlen, "%s: %s", path, msg);
		free(buf);
	}
	if (rc < 0)
		return rc;
	s->state = calloc(1, sizeof(*s->state));
	if (!s->state || !(s->state->path = strdup(path))) {
		rc = -ENOMEM;
	} else {
		/* Now: a place that cannot be written fails at the start. */
		rc = mc_state_store(s, MC_SAVE_PERIODIC, MC_STREAM_NONE, 0,
				    NULL, 0, err, errlen);
	}
	if (rc < 0) {
		mc_state_free(s->state);
		s->state = NULL;
		mc_streams_clear(s);
		return rc;
	}
	return restored;
}

void mc_state_free(struct mc_state *st)
{
	if (!st)
		return;
	free(st->path);
	free(st);
}
