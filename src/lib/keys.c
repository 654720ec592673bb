/* SPDX-License-Identifier: MIT */
/*
 * Key files: pre-shared keys of sealed streams (docs/SECURITY.md).
 *
 *   # comment
 *   1 0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0
 *   2 ...
 *
 * One key per line, a decimal id (1..4294967295) and 64 hex digits; '#'
 * starts a comment; the last key is the newest, the one senders use.
 * Loading refuses a file that group or others may read or write, or that
 * someone else owns, as ssh does for private keys: a key that leaked is no
 * key.  The checks are made on the descriptor that is read, not on the
 * path, so a rename in between cannot slip another file past them.  Every
 * error names the line and what is wrong with it, since these files are
 * edited by hand, but never quotes a key id that may be key material.  Key
 * bytes live in memory kept out of core dumps and are wiped from every
 * buffer they passed through.
 */
#include "crypto_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

void mc_errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/*
 * Memory for key bytes: whole pages of their own, marked MADV_DONTDUMP so
 * that a core dump of the process does not carry the keys (the kernel
 * takes the mark per mapping, hence no malloc), zeroed like calloc, wiped
 * on free.  NULL when n is 0 or memory is short.
 */
void *mc_secret_alloc(size_t n)
{
	void *p;

	if (n == 0)
		return NULL;
	p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	/* Old kernels without MADV_DONTDUMP still get working memory. */
	(void)madvise(p, n, MADV_DONTDUMP);
	return p;
}

void mc_secret_free(void *p, size_t n)
{
	if (!p)
		return;
	OPENSSL_cleanse(p, n);
	munmap(p, n);
}

static bool mc_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static int mc_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A character for an error message: itself when printable, else \xNN. */
static const char *mc_showc(char c, char buf[8])
{
	unsigned char u = (unsigned char)c;

	if (u >= 0x20 && u < 0x7f)
		snprintf(buf, 8, "'%c'", c);
	else
		snprintf(buf, 8, "\\x%02x", u);
	return buf;
}

/* "1".."4294967295", digits only. */
static bool mc_parse_id(const char *p, size_t n, uint32_t *id)
{
	uint64_t v = 0;

	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(p[i] - '0');
		if (v > UINT32_MAX)
			return false;
	}
	if (v == 0)
		return false;
	*id = (uint32_t)v;
	return true;
}

struct mc_token {
	const char *p;
	size_t n;
	size_t col; /* 1-based */
};

/*
 * Parse text into keys (file order) and their number; *max_id gets the
 * highest id (0 when none).  allow_empty: a file without keys is fine
 * (mcast_keygen() adding the first).  *out holds *capout entries of
 * secret memory (mc_secret_free()).  On failure *out is NULL.
 */
static int mc_parse_keys(const char *text, size_t len, bool allow_empty,
			 struct mc_keyent **out, size_t *nout, size_t *capout,
			 uint32_t *max_id, char *err, size_t errlen)
{
	struct mc_keyent *keys;
	size_t n = 0, maxkeys, lineno = 0;
	const char *p = text, *end = text + len;
	char cb[8];

	*out = NULL;
	*nout = 0;
	*capout = 0;
	*max_id = 0;
	if (len > MC_KEYFILE_MAX) {
		mc_errf(err, errlen, "larger than %d bytes", MC_KEYFILE_MAX);
		return MCAST_EKEYFILE;
	}
	/* A key line takes at least 66 bytes: "1 " and 64 digits. */
	maxkeys = len / 66 + 1;
	keys = mc_secret_alloc(maxkeys * sizeof(*keys));
	if (!keys)
		return -ENOMEM;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *stop, *nul;
		struct mc_token tok[3];
		unsigned ntok = 0;
		struct mc_keyent *k;
		uint32_t id;

		if (!eol)
			eol = end;
		lineno++;
		nul = memchr(p, '\0', (size_t)(eol - p));
		if (nul) {
			mc_errf(err, errlen, "line %zu: contains a NUL byte",
				lineno);
			goto bad;
		}
		stop = memchr(p, '#', (size_t)(eol - p));
		if (!stop)
			stop = eol;
		for (const char *q = p; q < stop;) {
			const char *s;

			while (q < stop && mc_blank(*q))
				q++;
			if (q == stop)
				break;
			s = q;
			while (q < stop && !mc_blank(*q))
				q++;
			if (ntok == 3)
				break;
			tok[ntok++] = (struct mc_token){ s, (size_t)(q - s),
							 (size_t)(s - p) + 1 };
		}
		if (ntok == 0)
			goto next;
		/* The id is not quoted: a line holding only a key would
		 * put key bytes into a message that may end up in logs. */
		if (!mc_parse_id(tok[0].p, tok[0].n, &id)) {
			if (ntok == 1 && tok[0].n == 2 * MCAST_KEY_LEN)
				mc_errf(err, errlen,
					"line %zu: a key without a key id "
					"before it",
					lineno);
			else
				mc_errf(err, errlen,
					"line %zu: the key id at column %zu "
					"is not a number from 1 to "
					"4294967295",
					lineno, tok[0].col);
			goto bad;
		}
		if (ntok == 1) {
			mc_errf(err, errlen, "line %zu: key id %u has no key",
				lineno, id);
			goto bad;
		}
		if (ntok == 3) {
			mc_errf(err, errlen,
				"line %zu: unexpected text after the key "
				"(column %zu)",
				lineno, tok[2].col);
			goto bad;
		}
		for (size_t i = 0; i < tok[1].n; i++) {
			if (mc_hexval(tok[1].p[i]) < 0) {
				mc_errf(err, errlen,
					"line %zu: key has %s at column %zu, "
					"not a hex digit",
					lineno, mc_showc(tok[1].p[i], cb),
					tok[1].col + i);
				goto bad;
			}
		}
		if (tok[1].n % 2) {
			mc_errf(err, errlen,
				"line %zu: key has %zu hex digits, need %d",
				lineno, tok[1].n, 2 * MCAST_KEY_LEN);
			goto bad;
		}
		if (tok[1].n != 2 * MCAST_KEY_LEN) {
			mc_errf(err, errlen,
				"line %zu: key is %zu bytes, need %d", lineno,
				tok[1].n / 2, MCAST_KEY_LEN);
			goto bad;
		}
		for (size_t i = 0; i < n; i++) {
			if (keys[i].id == id) {
				mc_errf(err, errlen,
					"line %zu: key id %u appears twice",
					lineno, id);
				goto bad;
			}
		}
		if (n == maxkeys) { /* cannot happen: lines are long */
			mc_errf(err, errlen, "line %zu: too many keys", lineno);
			goto bad;
		}
		k = &keys[n++];
		k->id = id;
		for (size_t i = 0; i < MCAST_KEY_LEN; i++)
			k->key[i] = (uint8_t)(mc_hexval(tok[1].p[2 * i]) << 4 |
					      mc_hexval(tok[1].p[2 * i + 1]));
		if (id > *max_id)
			*max_id = id;
	next:
		p = eol < end ? eol + 1 : end;
	}
	if (n == 0 && !allow_empty) {
		mc_errf(err, errlen, "no key in it (lines \"ID HEX\")");
		goto bad;
	}
	*out = keys;
	*nout = n;
	*capout = maxkeys;
	return 0;
bad:
	mc_secret_free(keys, maxkeys * sizeof(*keys));
	*max_id = 0;
	return MCAST_EKEYFILE;
}

static int mc_key_cmp(const void *a, const void *b)
{
	uint32_t x = ((const struct mc_keyent *)a)->id;
	uint32_t y = ((const struct mc_keyent *)b)->id;

	return x < y ? -1 : x > y;
}

int mcast_keyring_parse(mcast_keyring_t **kp, const char *text, size_t len,
			char *err, size_t errlen)
{
	struct mcast_keyring *k;
	uint32_t max_id;
	int rc;

	if (err && errlen)
		err[0] = '\0';
	if (!kp || (!text && len))
		return -EINVAL;
	*kp = NULL;
	k = calloc(1, sizeof(*k));
	if (!k)
		return -ENOMEM;
	rc = mc_parse_keys(text ? text : "", len, false, &k->keys, &k->n,
			   &k->cap, &max_id, err, errlen);
	if (rc < 0) {
		free(k);
		return rc;
	}
	/* Each key's HKDF-Extract, once: streams then derive with one HMAC
	 * (derive.c). */
	for (size_t i = 0; i < k->n; i++) {
		if (mc_prk(k->keys[i].key, k->keys[i].prk) < 0) {
			mc_errf(err, errlen, "libcrypto cannot derive keys");
			mcast_keyring_free(k);
			return -EIO;
		}
	}
	k->newest = k->keys[k->n - 1].id;
	qsort(k->keys, k->n, sizeof(*k->keys), mc_key_cmp);
	*kp = k;
	return 0;
}

/* Read a whole key file (at most MC_KEYFILE_MAX bytes) from fd into
 * secret memory of MC_KEYFILE_MAX + 1 bytes (mc_secret_free()). */
static int mc_read_keyfile(int fd, const char *path, char **textp, size_t *lenp,
			   char *err, size_t errlen)
{
	size_t cap = MC_KEYFILE_MAX + 1, len = 0;
	char *text = mc_secret_alloc(cap);

	if (!text)
		return -ENOMEM;
	while (len < cap) {
		ssize_t r = read(fd, text + len, cap - len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;

			mc_errf(err, errlen, "cannot read %s: %s", path,
				mcast_strerror(-e));
			mc_secret_free(text, cap);
			return -e;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	if (len > MC_KEYFILE_MAX) {
		mc_errf(err, errlen, "%s: larger than %d bytes", path,
			MC_KEYFILE_MAX);
		mc_secret_free(text, cap);
		return MCAST_EKEYFILE;
	}
	*textp = text;
	*lenp = len;
	return 0;
}

/*
 * A key file must be a regular file that only its owner can use, and the
 * owner must be us or root: a 0600 file that another user owns is theirs
 * to read and to replace (OpenSSH refuses such identity files alike).
 */
int mc_check_keyfile(int fd, const char *path, struct stat *st, char *err,
		     size_t errlen)
{
	uid_t me = geteuid();

	if (fstat(fd, st) < 0) {
		int e = errno;

		mc_errf(err, errlen, "cannot stat %s: %s", path,
			mcast_strerror(-e));
		return -e;
	}
	if (!S_ISREG(st->st_mode)) {
		mc_errf(err, errlen, "%s is not a regular file", path);
		return MCAST_EKEYFILE;
	}
	if (st->st_uid != me && st->st_uid != 0) {
		mc_errf(err, errlen,
			"%s is owned by uid %u, not by you (uid %u) or root; "
			"run chown %u %s",
			path, (unsigned)st->st_uid, (unsigned)me, (unsigned)me,
			path);
		return MCAST_EKEYPERM;
	}
	if (st->st_mode & 077) {
		mc_errf(err, errlen,
			"%s has mode %04o: group or others may use it; "
			"run chmod 600 %s",
			path, (unsigned)(st->st_mode & 07777), path);
		return MCAST_EKEYPERM;
	}
	return 0;
}

/* Prefix a parse error ("line 3: ...") with the path. */
static void mc_prefix_path(char *err, size_t errlen, const char *path)
{
	char tmp[MCAST_ERRMSG_MAX];

	if (!err || !errlen)
		return;
	snprintf(tmp, sizeof(tmp), "%s", err);
	mc_errf(err, errlen, "%s: %s", path, tmp);
}

int mcast_keyring_load_fd(mcast_keyring_t **kp, int fd, const char *name,
			  struct stat *st, char *err, size_t errlen)
{
	struct stat own;
	char *text = NULL;
	size_t len = 0;
	int rc;

	if (err && errlen)
		err[0] = '\0';
	if (!kp || fd < 0)
		return -EINVAL;
	*kp = NULL;
	if (!name)
		name = "key file";
	rc = mc_check_keyfile(fd, name, st ? st : &own, err, errlen);
	if (rc == 0)
		rc = mc_read_keyfile(fd, name, &text, &len, err, errlen);
	if (rc < 0)
		return rc;
	rc = mcast_keyring_parse(kp, text, len, err, errlen);
	if (rc == MCAST_EKEYFILE)
		mc_prefix_path(err, errlen, name);
	mc_secret_free(text, MC_KEYFILE_MAX + 1);
	return rc;
}

int mcast_keyring_load(mcast_keyring_t **kp, const char *path, char *err,
		       size_t errlen)
{
	int fd, rc;

	if (err && errlen)
		err[0] = '\0';
	if (!kp || !path)
		return -EINVAL;
	*kp = NULL;
	/* O_NONBLOCK: a FIFO must not hang the open; it fails the check. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		int e = errno;

		mc_errf(err, errlen, "cannot open %s: %s", path,
			mcast_strerror(-e));
		return -e;
	}
	rc = mcast_keyring_load_fd(kp, fd, path, NULL, err, errlen);
	close(fd);
	return rc;
}

const struct mc_keyent *mc_keyring_find(const struct mcast_keyring *k,
					uint32_t id)
{
	size_t lo = 0, hi = k->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (k->keys[mid].id == id)
			return &k->keys[mid];
		if (k->keys[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

size_t mcast_keyring_count(const mcast_keyring_t *k)
{
	return k ? k->n : 0;
}

uint32_t mcast_keyring_newest(const mcast_keyring_t *k)
{
	return k ? k->newest : 0;
}

void mcast_keyring_free(mcast_keyring_t *k)
{
	if (!k)
		return;
	mc_secret_free(k->keys, k->cap * sizeof(*k->keys));
	free(k);
}

int mc_write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, buf, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

#define MC_KEYFILE_HEADER                                             \
	"# mcast key file: one key per line, \"ID HEX\" (32 bytes); " \
	"the last is used to send.\n# Keep it secret: mode 0600.\n"

/* How often keygen opens the path again when the file it locked was
 * removed meanwhile (another keygen that created it failed). */
#define MC_KEYGEN_TRIES 8

/*
 * Open path for keygen and lock it.  *created says whether this call made
 * the file.  The file locked must still be the one at path: a keygen that
 * created it and failed removes it again, and a key appended to a removed
 * file would be reported but lost.
 */
static int mc_keygen_open(const char *path, bool *created, char *err,
			  size_t errlen)
{
	for (int tries = 0; tries < MC_KEYGEN_TRIES; tries++) {
		struct stat a, b;
		int fd, e;

		*created = true;
		fd = open(path,
			  O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY,
			  0600);
		if (fd < 0 && errno == EEXIST) {
			*created = false;
			fd = open(path,
				  O_RDWR | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
			if (fd < 0 && errno == ENOENT)
				continue;
		}
		if (fd < 0) {
			e = errno;
			mc_errf(err, errlen, "cannot open %s: %s", path,
				mcast_strerror(-e));
			return -e;
		}
		if (flock(fd, LOCK_EX) < 0) {
			e = errno;
			mc_errf(err, errlen, "cannot lock %s: %s", path,
				mcast_strerror(-e));
			close(fd);
			return -e;
		}
		if (fstat(fd, &a) == 0 && stat(path, &b) == 0 &&
		    a.st_dev == b.st_dev && a.st_ino == b.st_ino)
			return fd;
		close(fd);
	}
	mc_errf(err, errlen, "%s keeps being removed while it is locked", path);
	return -EAGAIN;
}

/*
 * The new key goes to the end of the file under an exclusive lock, and the
 * file is read under that lock whoever created it, so two runs at once
 * cannot hand out the same id (one that created the file may lock it
 * second); the file is synced before the id is returned, so a key that was
 * reported exists.  A file this call created is removed again when
 * anything fails before a key is in it.
 */
long long mcast_keygen(const char *path, char *err, size_t errlen)
{
	char line[sizeof(MC_KEYFILE_HEADER) + 16 + 2 * MCAST_KEY_LEN + 4];
	uint8_t key[MCAST_KEY_LEN];
	struct mc_keyent *old = NULL;
	size_t nold = 0, capold = 0, len = 0, off = 0;
	uint32_t max_id = 0;
	char *text = NULL;
	bool created;
	struct stat st;
	int fd, rc = 0;

	if (err && errlen)
		err[0] = '\0';
	if (!path)
		return -EINVAL;
	fd = mc_keygen_open(path, &created, err, errlen);
	if (fd < 0)
		return fd;
	/* Exactly 0600, whatever the umask took away. */
	if (created && fchmod(fd, 0600) < 0) {
		rc = -errno;
		mc_errf(err, errlen, "cannot chmod %s: %s", path,
			mcast_strerror(rc));
		goto out;
	}
	rc = mc_check_keyfile(fd, path, &st, err, errlen);
	if (rc == 0)
		rc = mc_read_keyfile(fd, path, &text, &len, err, errlen);
	if (rc < 0)
		goto out;
	rc = mc_parse_keys(text, len, true, &old, &nold, &capold, &max_id, err,
			   errlen);
	if (rc < 0) {
		mc_prefix_path(err, errlen, path);
		goto out;
	}
	if (len == 0)
		off = (size_t)snprintf(line, sizeof(line), "%s",
				       MC_KEYFILE_HEADER);
	else if (text[len - 1] != '\n')
		line[off++] = '\n';
	if (max_id == UINT32_MAX) {
		mc_errf(err, errlen,
			"%s: key id 4294967295 is taken: no id "
			"above it",
			path);
		rc = MCAST_EKEYFILE;
		goto out;
	}
	if (RAND_bytes(key, sizeof(key)) != 1) {
		mc_errf(err, errlen, "no random bytes from libcrypto");
		rc = -EIO;
		goto out;
	}
	off += (size_t)snprintf(line + off, sizeof(line) - off, "%u ",
				max_id + 1);
	for (size_t i = 0; i < sizeof(key); i++)
		off += (size_t)snprintf(line + off, sizeof(line) - off, "%02x",
					key[i]);
	line[off++] = '\n';
	if (len + off > MC_KEYFILE_MAX) {
		mc_errf(err, errlen, "%s: would grow past %d bytes", path,
			MC_KEYFILE_MAX);
		rc = MCAST_EKEYFILE;
		goto out;
	}
	if (lseek(fd, 0, SEEK_END) < 0 || (rc = mc_write_all(fd, line, off)) ||
	    fsync(fd) < 0) {
		rc = rc ? rc : -errno;
		mc_errf(err, errlen, "cannot write %s: %s", path,
			mcast_strerror(rc));
		goto out;
	}
	rc = 0;
out:
	/* Still locked: a keygen waiting for it sees the file gone and
	 * creates it anew (mc_keygen_open()). */
	if (rc < 0 && created && fstat(fd, &st) == 0 && st.st_size == 0)
		unlink(path);
	close(fd);
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(line, sizeof(line));
	if (text)
		mc_secret_free(text, MC_KEYFILE_MAX + 1);
	mc_secret_free(old, capold * sizeof(*old));
	return rc < 0 ? rc : (long long)max_id + 1;
}
