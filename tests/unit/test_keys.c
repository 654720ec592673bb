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
#include <sys/stat.h>
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
	  "line 1: key id \"0\" is not a number from 1 to 4294967295" },
	{ "id too big", "4294967296 " HEX64,
	  "line 1: key id \"4294967296\" is not a number from 1 to 4294967295" },
	{ "id negative", "-1 " HEX64,
	  "line 1: key id \"-1\" is not a number from 1 to 4294967295" },
	{ "id not a number", "# x\nkey " HEX64,
	  "line 2: key id \"key\" is not a number from 1 to 4294967295" },
	{ "id with suffix", "1x " HEX64,
	  "line 1: key id \"1x\" is not a number from 1 to 4294967295" },
	{ "hex only", HEX64,
	  "line 1: key id \"000102030405060708090a0b\" is not a number from 1 to 4294967295" },
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
	rmdir(dir);
	return check_done();
}
