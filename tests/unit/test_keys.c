/* SPDX-License-Identifier: MIT */
/*
 * test_keys.c - key files (src/lib/keys.c): a table of good and bad texts
 * with the exact message for each, loading with its permission checks,
 * and mcast_keygen() creating and appending.
 */
#include "check.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <stdbool.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define HEX64 "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define HEX62 "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e"
#define HEX63 HEX62 "f"
#define HEX66 HEX64 "20"
#define HEXUP "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F"

static const struct {
	const char *text;
	size_t count;	 /* good: keys */
	uint32_t newest; /* good: newest id */
} good[] = {
	{ "1 " HEX64 "\n", 1, 1 },
	{ "1 " HEX64, 1, 1 }, /* no final newline */
	{ "# keys\n\n  1\t" HEX64 "  # the first\r\n\n2 " HEXUP "\r\n", 2, 2 },
	{ "7 " HEX64 "\n3 " HEX64 "\n", 2, 3 }, /* the last is the newest */
	{ "4294967295 " HEX64 "\n", 1, 4294967295u },
	{ "0001 " HEX64 "\n", 1, 1 },
	{ "5 " HEX64 "#comment right after\n", 1, 5 },
};

static const struct {
	const char *name;
	const char *text;
	const char *err;
} bad[] = {
	{ "empty", "", "no key in it (lines \"ID HEX\")" },
	{ "comments only", "# nothing\n\n   \n",
	  "no key in it (lines \"ID HEX\")" },
	{ "short key", "\n\n1 " HEX62 "\n",
	  "line 3: key is 31 bytes, need 32" },
	{ "odd digits", "1 " HEX63 "\n",
	  "line 1: key has 63 hex digits, need 64" },
	{ "long key", "1 " HEX66 "\n", "line 1: key is 33 bytes, need 32" },
	{ "bad hex", "1 00010203040506070809g",
	  "line 1: key has 'g' at column 23, not a hex digit" },
	{ "control char", "1 00\x01",
	  "line 1: key has \\x01 at column 5, not a hex digit" },
	{ "id 0", "0 " HEX64,
	  "line 1: the key id at column 1 is not a number from 1 to 4294967295" },
	{ "id too big", "4294967296 " HEX64,
	  "line 1: the key id at column 1 is not a number from 1 to 4294967295" },
	{ "id negative", "-1 " HEX64,
	  "line 1: the key id at column 1 is not a number from 1 to 4294967295" },
	{ "id not a number", "# x\nkey " HEX64,
	  "line 2: the key id at column 1 is not a number from 1 to 4294967295" },
	{ "id with suffix", "1x " HEX64,
	  "line 1: the key id at column 1 is not a number from 1 to 4294967295" },
	{ "hex only", HEX64, "line 1: a key without a key id before it" },
	{ "key as id", HEX64 " " HEX64,
	  "line 1: the key id at column 1 is not a number from 1 to 4294967295" },
	{ "no key", "1\n", "line 1: key id 1 has no key" },
	{ "extra text", "1 " HEX64 " spare\n",
	  "line 1: unexpected text after the key (column 68)" },
	{ "duplicate", "1 " HEX64 "\n2 " HEX64 "\n1 " HEX64 "\n",
	  "line 3: key id 1 appears twice" },
};

static void test_parse_table(void)
{
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		mcast_keyring_t *k = NULL;
		char err[128] = "untouched";

		check_ctx = good[i].text;
		CHECK_CODE(mcast_keyring_parse(&k, good[i].text,
					       strlen(good[i].text), err,
					       sizeof(err)),
			   0);
		CHECK_STR(err, "");
		CHECK_EQ_INT(mcast_keyring_count(k), good[i].count);
		CHECK_EQ_INT(mcast_keyring_newest(k), good[i].newest);
		mcast_keyring_free(k);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		mcast_keyring_t *k = (mcast_keyring_t *)&k;
		char err[128] = "";

		check_ctx = bad[i].name;
		CHECK_CODE(mcast_keyring_parse(&k, bad[i].text,
					       strlen(bad[i].text), err,
					       sizeof(err)),
			   MCAST_EKEYFILE);
		CHECK(k == NULL);
		CHECK_STR(err, bad[i].err);
		/* Never a piece of a key in a message that may be logged. */
		CHECK(strstr(err, "04050607") == NULL);
		/* No message wanted: still the same code. */
		CHECK_CODE(mcast_keyring_parse(&k, bad[i].text,
					       strlen(bad[i].text), NULL, 0),
			   MCAST_EKEYFILE);
	}
	check_ctx = NULL;
}

static void test_parse_limits(void)
{
	static const char nul[] = "1 " HEX64 "\n\0\n";
	mcast_keyring_t *k = NULL;
	char err[128];
	size_t big = 65537;
	char *text = malloc(big);

	CHECK_CODE(
		mcast_keyring_parse(&k, nul, sizeof(nul) - 1, err, sizeof(err)),
		MCAST_EKEYFILE);
	CHECK_STR(err, "line 2: contains a NUL byte");
	if (!CHECK(text != NULL))
		return;
	memset(text, '#', big);
	CHECK_CODE(mcast_keyring_parse(&k, text, big, err, sizeof(err)),
		   MCAST_EKEYFILE);
	CHECK_STR(err, "larger than 65536 bytes");
	/* Many keys up to the limit are fine. */
	{
		size_t off = 0;
		unsigned id = 1;

		while (off + 80 < 65536)
			off += (size_t)snprintf(text + off, big - off,
						"%u %s\n", id++, HEX64);
		CHECK_CODE(mcast_keyring_parse(&k, text, off, err, sizeof(err)),
			   0);
		CHECK_EQ_INT(mcast_keyring_count(k), id - 1);
		mcast_keyring_free(k);
	}
	free(text);
	CHECK_CODE(mcast_keyring_parse(NULL, "", 0, NULL, 0), -EINVAL);
	CHECK_CODE(mcast_keyring_parse(&k, NULL, 5, NULL, 0), -EINVAL);
	CHECK_EQ_INT(mcast_keyring_count(NULL), 0);
	CHECK_EQ_INT(mcast_keyring_newest(NULL), 0);
}

static char dir[] = "/tmp/mcast-test-keys-XXXXXX";

static void write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text) ||
	    fchmod(fd, mode) < 0)
		abort();
	close(fd);
}

static char *read_file(const char *path)
{
	static char buf[8192];
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static void test_load(void)
{
	char path[128], want[512], err[MCAST_ERRMSG_MAX];
	mcast_keyring_t *k = NULL;

	snprintf(path, sizeof(path), "%s/keys", dir);
	write_file(path, "# test\n1 " HEX64 "\n2 " HEX64 "\n", 0600);
	CHECK_CODE(mcast_keyring_load(&k, path, err, sizeof(err)), 0);
	CHECK_EQ_INT(mcast_keyring_count(k), 2);
	CHECK_EQ_INT(mcast_keyring_newest(k), 2);
	mcast_keyring_free(k);

	static const mode_t open_modes[] = { 0644, 0640, 0604, 0620,
					     0602, 0601, 0610 };
	for (size_t i = 0; i < sizeof(open_modes) / sizeof(open_modes[0]);
	     i++) {
		chmod(path, open_modes[i]);
		CHECK_CODE(mcast_keyring_load(&k, path, err, sizeof(err)),
			   MCAST_EKEYPERM);
		CHECK(k == NULL);
	}
	chmod(path, 0644);
	mcast_keyring_load(&k, path, err, sizeof(err));
	snprintf(want, sizeof(want),
		 "%s has mode 0644: group or others may use it; run chmod "
		 "600 %s",
		 path, path);
	CHECK_STR(err, want);
	chmod(path, 0400); /* read-only for the owner is fine */
	CHECK_CODE(mcast_keyring_load(&k, path, err, sizeof(err)), 0);
	mcast_keyring_free(k);

	/* A parse error names the file and the line. */
	write_file(path, "1 " HEX64 "\n2 " HEX62 "\n", 0600);
	CHECK_CODE(mcast_keyring_load(&k, path, err, sizeof(err)),
		   MCAST_EKEYFILE);
	snprintf(want, sizeof(want), "%s: line 2: key is 31 bytes, need 32",
		 path);
	CHECK_STR(err, want);

	/* Not a regular file; missing. */
	CHECK_CODE(mcast_keyring_load(&k, dir, err, sizeof(err)),
		   MCAST_EKEYFILE);
	snprintf(want, sizeof(want), "%s is not a regular file", dir);
	CHECK_STR(err, want);
	snprintf(path, sizeof(path), "%s/fifo", dir);
	if (mkfifo(path, 0600) == 0) {
		CHECK_CODE(mcast_keyring_load(&k, path, err, sizeof(err)),
			   MCAST_EKEYFILE);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/missing", dir);
	CHECK_CODE(mcast_keyring_load(&k, path, err, sizeof(err)), -ENOENT);
	snprintf(want, sizeof(want), "cannot open %s: %s", path,
		 mcast_strerror(-ENOENT));
	CHECK_STR(err, want);
	CHECK_CODE(mcast_keyring_load(&k, NULL, err, sizeof(err)), -EINVAL);
	snprintf(path, sizeof(path), "%s/keys", dir);
	unlink(path);
}

/* The line "ID HEX" of id in text, or NULL. */
static const char *key_line(const char *text, unsigned id)
{
	char pfx[16];
	size_t n = (size_t)snprintf(pfx, sizeof(pfx), "%u ", id);

	for (const char *p = text; p && *p;
	     p = strchr(p, '\n'), p = p ? p + 1 : p)
		if (strncmp(p, pfx, n) == 0)
			return p;
	return NULL;
}

static void test_keygen(void)
{
	char path[256], err[MCAST_ERRMSG_MAX], k1[80] = "", k2[80] = "";
	mcast_keyring_t *k = NULL;
	struct stat st;
	const char *text, *l;

	snprintf(path, sizeof(path), "%s/new", dir);
	umask(022);
	CHECK_EQ_INT(mcast_keygen(path, err, sizeof(err)), 1);
	CHECK(stat(path, &st) == 0);
	CHECK_EQ_INT(st.st_mode & 07777, 0600);
	text = read_file(path);
	CHECK(text[0] == '#'); /* a comment line heads a new file */
	if ((l = key_line(text, 1)))
		snprintf(k1, sizeof(k1), "%.66s", l);
	CHECK_EQ_INT(strlen(k1), 66);
	CHECK_EQ_INT(mcast_keygen(path, err, sizeof(err)), 2);
	text = read_file(path);
	if ((l = key_line(text, 2)))
		snprintf(k2, sizeof(k2), "%.66s", l);
	CHECK_EQ_INT(strlen(k2), 66);
	CHECK(strcmp(k1 + 2, k2 + 2) != 0); /* random, not repeated */
	CHECK(strncmp(read_file(path), "#", 1) == 0);
	CHECK_CODE(mcast_keyring_load(&k, path, err, sizeof(err)), 0);
	CHECK_EQ_INT(mcast_keyring_count(k), 2);
	CHECK_EQ_INT(mcast_keyring_newest(k), 2);
	mcast_keyring_free(k);

	/* Appends one above the highest id, after a missing newline. */
	write_file(path, "7 " HEX64 "\n3 " HEX64, 0600);
	CHECK_EQ_INT(mcast_keygen(path, err, sizeof(err)), 8);
	CHECK_CODE(mcast_keyring_load(&k, path, err, sizeof(err)), 0);
	CHECK_EQ_INT(mcast_keyring_count(k), 3);
	CHECK_EQ_INT(mcast_keyring_newest(k), 8);
	mcast_keyring_free(k);

	/* A file with comments only gets key 1. */
	write_file(path, "# empty so far\n", 0600);
	CHECK_EQ_INT(mcast_keygen(path, err, sizeof(err)), 1);

	/* Refusals leave the file as it was. */
	write_file(path, "1 " HEX64 "\n", 0644);
	CHECK_EQ_INT(mcast_keygen(path, err, sizeof(err)), MCAST_EKEYPERM);
	CHECK_STR(read_file(path), "1 " HEX64 "\n");
	write_file(path, "1 " HEX62 "\n", 0600);
	CHECK_EQ_INT(mcast_keygen(path, err, sizeof(err)), MCAST_EKEYFILE);
	CHECK_STR(read_file(path), "1 " HEX62 "\n");
	write_file(path, "4294967295 " HEX64 "\n", 0600);
	CHECK_EQ_INT(mcast_keygen(path, err, sizeof(err)), MCAST_EKEYFILE);
	unlink(path);

	snprintf(path, sizeof(path), "%s/no/such/dir", dir);
	CHECK_EQ_INT(mcast_keygen(path, err, sizeof(err)), -ENOENT);
	CHECK_EQ_INT(mcast_keygen(NULL, err, sizeof(err)), -EINVAL);
}

/* Ownership is checked on the file that is read: another user's 0600
 * file is refused, ours or root's is fine.  Needs root to chown. */
static void test_owner(void)
{
	char path[128], want[512], err[MCAST_ERRMSG_MAX];
	mcast_keyring_t *k = NULL;

	if (geteuid() != 0) {
		printf("skip: owner checks need root\n");
		return;
	}
	snprintf(path, sizeof(path), "%s/owned", dir);
	write_file(path, "1 " HEX64 "\n", 0600);
	if (!CHECK(chown(path, 65534, 65534) == 0))
		return;
	CHECK_CODE(mcast_keyring_load(&k, path, err, sizeof(err)),
		   MCAST_EKEYPERM);
	snprintf(want, sizeof(want),
		 "%s is owned by uid 65534, not by you (uid 0) or root; run "
		 "chown 0 %s",
		 path, path);
	CHECK_STR(err, want);
	CHECK_EQ_INT(mcast_keygen(path, err, sizeof(err)), MCAST_EKEYPERM);
	CHECK(chown(path, 0, 0) == 0);
	CHECK_CODE(mcast_keyring_load(&k, path, err, sizeof(err)), 0);
	mcast_keyring_free(k);
	unlink(path);
}

/* mcast_keyring_load_fd(): the checks and the identity are those of the
 * descriptor, whatever the path names by then. */
static void test_load_fd(void)
{
	char path[128], other[128], err[MCAST_ERRMSG_MAX];
	mcast_keyring_t *k = NULL;
	struct stat st, now;
	int fd;

	snprintf(path, sizeof(path), "%s/fd", dir);
	snprintf(other, sizeof(other), "%s/fd.new", dir);
	write_file(path, "1 " HEX64 "\n", 0600);
	write_file(other, "1 " HEX64 "\n2 " HEX64 "\n", 0600);
	fd = open(path, O_RDONLY);
	if (!CHECK(fd >= 0))
		return;
	/* A rotation lands between the open and the read. */
	CHECK(rename(other, path) == 0);
	CHECK_CODE(mcast_keyring_load_fd(&k, fd, path, &st, err, sizeof(err)),
		   0);
	CHECK_EQ_INT(mcast_keyring_newest(k), 1);
	mcast_keyring_free(k);
	CHECK(stat(path, &now) == 0);
	CHECK(st.st_ino != now.st_ino); /* so the caller sees the change */
	close(fd);

	fd = open(path, O_RDONLY);
	fchmod(fd, 0640);
	CHECK_CODE(
		mcast_keyring_load_fd(&k, fd, "name", NULL, err, sizeof(err)),
		MCAST_EKEYPERM);
	CHECK(strncmp(err, "name has mode 0640", 18) == 0);
	close(fd);
	CHECK_CODE(mcast_keyring_load_fd(&k, -1, "x", NULL, err, sizeof(err)),
		   -EINVAL);
	unlink(path);
}

/*
 * Several keygen runs on a file that does not exist yet: each must get its
 * own id.  The one that creates the file can lose the race for its lock,
 * and must then read what the winner wrote instead of assuming it empty.
 */
static void test_keygen_race(void)
{
	enum { ROUNDS = 60, RUNS = 4 };
	char path[128], err[MCAST_ERRMSG_MAX];
	int failed = 0;

	snprintf(path, sizeof(path), "%s/race", dir);
	for (int r = 0; r < ROUNDS && !failed; r++) {
		int go[2];
		pid_t pid[RUNS];
		mcast_keyring_t *k = NULL;

		unlink(path);
		if (pipe(go) < 0)
			abort();
		for (int i = 0; i < RUNS; i++) {
			pid[i] = fork();
			if (pid[i] == 0) {
				char c;

				close(go[1]);
				if (read(go[0], &c, 1) < 0)
					_exit(3);
				_exit(mcast_keygen(path, NULL, 0) > 0 ? 0 : 1);
			}
		}
		close(go[0]);
		close(go[1]); /* all start at once */
		for (int i = 0; i < RUNS; i++) {
			int status = 0;

			waitpid(pid[i], &status, 0);
			if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
				failed++;
		}
		if (mcast_keyring_load(&k, path, err, sizeof(err)) != 0 ||
		    mcast_keyring_count(k) != RUNS)
			failed++;
		mcast_keyring_free(k);
	}
	CHECK_EQ_INT(failed, 0);
	unlink(path);
}

/* The key's first bytes XOR 0x5a, so that this needle is not itself a
 * copy of the key in the memory searched. */
static const uint8_t needle_x[] = { 0xaa, 0x57, 0xa0, 0x94, 0x90, 0xa4,
				    0xe4, 0xb5, 0x5b, 0x79, 0x1f, 0x3d };
#define NEEDLE_LEN sizeof(needle_x)

static bool at(const uint8_t *p)
{
	for (size_t i = 0; i < NEEDLE_LEN; i++)
		if ((uint8_t)(p[i] ^ 0x5a) != needle_x[i])
			return false;
	return true;
}

/* Does memory [lo, hi) of this process hold the key's bytes?  buf is
 * itself kept out of core dumps, so what it read does not count. */
static int holds(int mem, uint8_t *buf, size_t cap, unsigned long lo,
		 unsigned long hi)
{
	for (unsigned long a = lo; a < hi; a += cap - NEEDLE_LEN) {
		size_t want = hi - a < cap ? hi - a : cap;
		ssize_t got = pread(mem, buf, want, (off_t)a);

		if (got < (ssize_t)NEEDLE_LEN)
			break;
		for (size_t i = 0; i + NEEDLE_LEN <= (size_t)got; i++)
			if (at(buf + i))
				return 1;
		if ((size_t)got < cap)
			break;
	}
	return 0;
}

/*
 * Key bytes are kept out of core dumps: after parsing a key, its bytes are
 * found only in mappings the kernel marks "dd" (MADV_DONTDUMP), none in
 * the heap or anywhere else a core dump would carry.
 */
static void test_no_dump(void)
{
	static const char text[] = "9 f00dfacecafebeef0123456789abcdef"
				   "fedcba98765432100f1e2d3c4b5a6978\n";
	FILE *maps = fopen("/proc/self/smaps", "r");
	int mem = open("/proc/self/mem", O_RDONLY);
	size_t cap = 1 << 16;
	uint8_t *buf = mmap(NULL, cap, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	mcast_keyring_t *k = NULL;
	unsigned long lo = 0, hi = 0;
	int in_dd = 0, elsewhere = 0, readable = 0;
	char line[512];

	if (!maps || mem < 0 || buf == MAP_FAILED ||
	    madvise(buf, cap, MADV_DONTDUMP) < 0) {
		printf("skip: no /proc/self/smaps, mem or MADV_DONTDUMP\n");
		if (maps)
			fclose(maps);
		return;
	}
	CHECK_CODE(mcast_keyring_parse(&k, text, sizeof(text) - 1, NULL, 0), 0);
	while (fgets(line, sizeof(line), maps)) {
		unsigned long a, b;
		char perms[8];

		/* Not into lo, hi: "Anonymous:" scans as the number 0xa. */
		if (sscanf(line, "%lx-%lx %7s", &a, &b, perms) == 3) {
			lo = a;
			hi = b;
			readable = perms[0] == 'r';
			continue;
		}
		/* AddressSanitizer reserves terabytes of shadow memory:
		 * reading it all would take hours.  The keyring, the heap
		 * and the stack of this small program are far smaller. */
		if (strncmp(line, "VmFlags:", 8) != 0 || !readable ||
		    hi - lo > (64ul << 20))
			continue;
		/* [vvar] and the like cannot be read; skip what fails. */
		if (holds(mem, buf, cap, lo, hi)) {
			if (strstr(line, " dd"))
				in_dd++;
			else
				elsewhere++;
		}
	}
	fclose(maps);
	close(mem);
	munmap(buf, cap);
	mcast_keyring_free(k);
	CHECK(in_dd >= 1);
	CHECK_EQ_INT(elsewhere, 0);
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_parse_table();
	test_parse_limits();
	test_load();
	test_keygen();
	test_owner();
	test_load_fd();
	test_keygen_race();
	test_no_dump();
	rmdir(dir);
	return check_done();
}
