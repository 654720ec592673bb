/* SPDX-License-Identifier: MIT */
/*
 * test_replay_state.c - replay state across restarts (replay_state.c):
 * an opener persisted to a file, "restarted" as a new opener on the same
 * file, refuses what the first one accepted - after an exact final save,
 * and after a crash (no final save) too, including what was accepted
 * after the last periodic save and streams that began after it.  A
 * corrupt, truncated or foreign file is refused and never overwritten.
 */
#include "sealing.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/test_replay_state.XXXXXX";
static char path[64];

/* A new opener on the state file: the restarted receiver. */
static mcast_opener_t *restarted(const mcast_keyring_t *k, unsigned window,
				 int want)
{
	mcast_opener_t *o = opener(k, window, 16, 30);

	CHECK_CODE(mcast_opener_persist(o, path), want);
	return o;
}

static size_t slurp(uint8_t *buf, size_t cap)
{
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, cap);

	if (fd >= 0)
		close(fd);
	if (n < 0)
		abort();
	return (size_t)n;
}

static void spill(const char *p, const void *buf, size_t len, mode_t mode)
{
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, mode);

	if (fd < 0 || write(fd, buf, len) != (ssize_t)len)
		abort();
	fchmod(fd, mode);
	close(fd);
}

/* A clean stop: the state is exact, numbers never accepted stay open. */
static void test_final(void)
{
	mcast_keyring_t *k = ring("1 " KEY1 "\n");
	mcast_sealer_t *s = sealer(k, MCAST_CIPHER_AES256GCM, 0);
	struct dgram v[200];
	mcast_opener_t *o;
	struct stat st;

	for (int i = 0; i < 200; i++)
		v[i] = sealed(s, MCAST_MSG_DATA, 1, (uint64_t)i, NOW_NS, 4);
	unlink(path);
	o = restarted(k, 1024, 0); /* first start: no file */
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
	for (int i = 0; i < 100; i++)
		if (i != 30)
			CHECK_CODE(open_dg(o, &v[i]), MCAST_WIRE_HDR_LEN + 4);
	CHECK_CODE(mcast_opener_save(o, 1), 0);
	mcast_opener_free(o);

	o = restarted(k, 1024, 1);
	CHECK_CODE(open_dg(o, &v[99]), MCAST_EREPLAY);
	CHECK_CODE(open_dg(o, &v[0]), MCAST_EREPLAY);
	/* Exact: 30 was never accepted, 100 is the next one. */
	CHECK_CODE(open_dg(o, &v[30]), MCAST_WIRE_HDR_LEN + 4);
	CHECK_CODE(open_dg(o, &v[100]), MCAST_WIRE_HDR_LEN + 4);
	CHECK_CODE(open_dg(o, &v[100]), MCAST_EREPLAY);
	CHECK_EQ_INT(rejects(o).replayed, 3);
	mcast_opener_free(o);
	mcast_sealer_free(s);
	mcast_keyring_free(k);
}

/*
 * A crash: no final save.  What was accepted after the last periodic
 * save - numbers of a known stream, and a stream that began after it - is
 * refused all the same, since the file is written ahead of what it
 * covers.  Without the state file the same datagrams open again.
 */
static void test_crash(void)
{
	mcast_keyring_t *k = ring("1 " KEY1 "\n");
	mcast_sealer_t *s = sealer(k, MCAST_CIPHER_CHACHA20POLY1305, 0);
	struct dgram *v = malloc(3000 * sizeof(*v)), late, next;
	mcast_opener_t *o, *fresh;

	if (!v)
		abort();
	for (int i = 0; i < 3000; i++)
		v[i] = sealed(s, MCAST_MSG_DATA, 2, (uint64_t)i, NOW_NS, 4);
	/* Reservations are at most four times a stream's advance. */
	next = sealed(s, MCAST_MSG_DATA, 2, 5 * 3000, NOW_NS, 4);
	late = sealed(s, MCAST_MSG_DATA, 3, 7, NOW_NS, 4);
	unlink(path);
	o = restarted(k, 1024, 0);
	for (int i = 0; i < 50; i++)
		CHECK_CODE(open_dg(o, &v[i]), MCAST_WIRE_HDR_LEN + 4);
	CHECK_CODE(mcast_opener_save(o, 0), 0);
	/* Past the reservation of the last save: the opener writes first. */
	for (int i = 50; i < 3000; i++)
		CHECK_CODE(open_dg(o, &v[i]), MCAST_WIRE_HDR_LEN + 4);
	CHECK_CODE(open_dg(o, &late), MCAST_WIRE_HDR_LEN + 4);
	mcast_opener_free(o); /* killed: nothing more is written */

	o = restarted(k, 1024, 2);
	for (int i = 0; i < 3000; i += 7)
		CHECK_CODE(open_dg(o, &v[i]), MCAST_EREPLAY);
	CHECK_CODE(open_dg(o, &v[2999]), MCAST_EREPLAY);
	CHECK_CODE(open_dg(o, &late), MCAST_EREPLAY);
	/* The live stream goes on past what was reserved. */
	CHECK_CODE(open_dg(o, &next), MCAST_WIRE_HDR_LEN + 4);
	CHECK_EQ_INT(rejects(o).unsaved, 0);
	mcast_opener_free(o);

	fresh = opener(k, 1024, 16, 30);
	CHECK_CODE(open_dg(fresh, &v[2999]), MCAST_WIRE_HDR_LEN + 4);
	CHECK_CODE(open_dg(fresh, &late), MCAST_WIRE_HDR_LEN + 4);
	mcast_opener_free(fresh);
	free(v);
	mcast_sealer_free(s);
	mcast_keyring_free(k);
}

/* A smaller saved window restored into a larger one: what the old one
 * refused as too old stays refused. */
static void test_window_sizes(void)
{
	mcast_keyring_t *k = ring("1 " KEY1 "\n");
	mcast_sealer_t *s = sealer(k, MCAST_CIPHER_AES256GCM, 1);
	struct dgram a = sealed(s, MCAST_MSG_DATA, 4, 100, NOW_NS, 4);
	struct dgram c = sealed(s, MCAST_MSG_DATA, 4, 990, NOW_NS, 4);
	struct dgram b = sealed(s, MCAST_MSG_DATA, 4, 1000, NOW_NS, 4);
	mcast_opener_t *o;

	unlink(path);
	o = restarted(k, 64, 0);
	CHECK_CODE(open_dg(o, &b), MCAST_WIRE_HDR_LEN + 4);
	CHECK_CODE(mcast_opener_save(o, 1), 0);
	mcast_opener_free(o);
	o = restarted(k, 4096, 1);
	CHECK_CODE(open_dg(o, &a), MCAST_EREPLAY); /* behind the old window */
	CHECK_CODE(open_dg(o, &c), MCAST_WIRE_HDR_LEN + 4); /* inside it */
	mcast_opener_free(o);
	mcast_sealer_free(s);
	mcast_keyring_free(k);
}

/* Damaged and foreign files are refused, named, and left alone. */
static void test_bad_files(void)
{
	mcast_keyring_t *k = ring("1 " KEY1 "\n");
	mcast_sealer_t *s = sealer(k, MCAST_CIPHER_AES256GCM, 0);
	struct dgram d = sealed(s, MCAST_MSG_DATA, 5, 9, NOW_NS, 4);
	uint8_t good[4096], bad[4096], back[4096];
	mcast_opener_t *o;
	char link_path[80];
	size_t n;

	unlink(path);
	o = restarted(k, 64, 0);
	CHECK_CODE(open_dg(o, &d), MCAST_WIRE_HDR_LEN + 4);
	CHECK_CODE(mcast_opener_save(o, 1), 0);
	mcast_opener_free(o);
	n = slurp(good, sizeof(good));
	CHECK_EQ_INT(n, 28 + 1 * (24 + MCAST_BIND_MAX + 16 + 8) + 32);

	/* One bit flipped anywhere, or cut short: refused. */
	for (size_t i = 0; i < n; i += 5) {
		memcpy(bad, good, n);
		bad[i] ^= 0x10;
		spill(path, bad, n, 0600);
		o = restarted(k, 64, MCAST_ESTATE);
		CHECK(strstr(mcast_opener_errmsg(o), path) != NULL);
		mcast_opener_free(o);
		/* Left as it was, for someone to look at. */
		CHECK(slurp(back, sizeof(back)) == n &&
		      memcmp(back, bad, n) == 0);
	}
	spill(path, good, n - 1, 0600);
	o = restarted(k, 64, MCAST_ESTATE);
	CHECK(strstr(mcast_opener_errmsg(o), "truncated") != NULL);
	mcast_opener_free(o);
	/* Someone else's file: a key file given by mistake. */
	spill(path, "1 " KEY1 "\n", strlen("1 " KEY1 "\n"), 0600);
	o = restarted(k, 64, MCAST_ESTATE);
	CHECK(strstr(mcast_opener_errmsg(o), "not an mcast replay state") !=
	      NULL);
	mcast_opener_free(o);
	CHECK(slurp(back, sizeof(back)) == strlen("1 " KEY1 "\n"));
	/* Checked as key files are. */
	spill(path, good, n, 0644);
	o = restarted(k, 64, MCAST_EKEYPERM);
	mcast_opener_free(o);
	spill(path, good, n, 0600);
	snprintf(link_path, sizeof(link_path), "%s/link", dir);
	CHECK(symlink(path, link_path) == 0);
	o = opener(k, 64, 16, 30);
	CHECK_CODE(mcast_opener_persist(o, link_path), -ELOOP);
	mcast_opener_free(o);
	unlink(link_path);

	/* The same from memory; restore only into a fresh opener. */
	o = opener(k, 64, 16, 30);
	CHECK_CODE(mcast_opener_restore(o, good, n - 1), MCAST_ESTATE);
	CHECK_CODE(mcast_opener_restore(o, good, n), 1);
	CHECK_CODE(open_dg(o, &d), MCAST_EREPLAY);
	CHECK_CODE(mcast_opener_restore(o, good, n), -EBUSY);
	CHECK_CODE(mcast_opener_save(o, 0), -EINVAL);
	mcast_opener_free(o);
	mcast_sealer_free(s);
	mcast_keyring_free(k);
}

int main(void)
{
	if (!mkdtemp(dir))
		abort();
	snprintf(path, sizeof(path), "%s/state", dir);
	test_final();
	test_crash();
	test_window_sizes();
	test_bad_files();
	unlink(path);
	rmdir(dir);
	return check_done();
}
