/* SPDX-License-Identifier: MIT */
/*
 * rx_cost: what a receiving core spends on one datagram after the kernel
 * handed it over, piece by piece, without sockets: the copy, the header
 * decode, the tracker, the bare EVP calls of opening (bench/aead -o) and
 * mcast_unseal() around them.  bench/compare.sh measures the whole path
 * through the kernel; when sealed falls short of its yardstick this says
 * whether the library's own work or the cipher is where the time goes.
 *
 * Every step runs over a pool of POOL sealed (or plain) 1400-byte
 * datagrams, copied one by one into a receive buffer as recvmmsg() would;
 * each round gets a new opener and tracker (set up outside the timing), so
 * no datagram is a replay or a duplicate.  Figures are the thread's CPU
 * time per datagram, the median over rounds in which the steps alternate:
 * steadier than wall time on a machine shared with other work.
 *
 * usage: rx_cost [-c aes-256-gcm|chacha20-poly1305] [-r ROUNDS]
 * built by CMake as build/bench/bench_rx_cost; not run by compare.sh.
 */
#define _GNU_SOURCE
#include "aead_one.h"
#include "mcast.h"

#include <netinet/in.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define POOL  4096
#define SIZE  1400
#define HDR   MCAST_WIRE_HDR_LEN
#define TAG   MCAST_TAG_LEN
#define STEPS 7

static unsigned char sealed[POOL][SIZE], bare[POOL][SIZE], plain[POOL][SIZE];
/* Where the datagrams are bound (any binding costs the same). */
static struct mcast_bind to;

enum step { COPY, DECODE, TRACK, TRACK_OLD, EVP, UNSEAL, UNSEAL_TRACK };
static const char *const names[STEPS] = {
	"copy (memcpy of the datagram)",
	"copy + mcast_hdr_decode",
	"copy + decode + mcast_tracker_feed_hdr (recv, unsealed)",
	"copy + mcast_tracker_feed + decode again (recv before)",
	"copy + bare EVP open (bench/aead -o)",
	"copy + mcast_unseal",
	"copy + mcast_unseal + mcast_tracker_feed_hdr (recv, sealed)",
};

static void die(const char *what)
{
	fprintf(stderr, "rx_cost: %s\n", what);
	exit(1);
}

static double cpu_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

/* The EVP calls libmcast makes for one datagram, in place. */
static int evp(EVP_CIPHER_CTX *ctx, int enc, uint64_t seq, unsigned char *d)
{
	return bench_aead_one(ctx, enc, seq, d, d + HDR, SIZE, 0);
}

static const unsigned char *pool_for(int step, int i)
{
	return step == EVP ? bare[i] : step >= UNSEAL ? sealed[i] : plain[i];
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	static const char keys[] = "1 000102030405060708090a0b0c0d0e0f"
				   "101112131415161718191a1b1c1d1e1f\n";
	static unsigned char buf[2048];
	static double ns[STEPS][1000];
	enum mcast_cipher cipher = MCAST_CIPHER_AES256GCM;
	struct mcast_hdr h = { .type = MCAST_MSG_DATA, .ttl = 1 };
	struct mcast_opener_opts oo;
	struct mcast_meta meta;
	unsigned char key[32];
	mcast_keyring_t *k;
	mcast_sealer_t *s;
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int rounds = 21, o;

	while ((o = getopt(argc, argv, "c:r:")) != -1) {
		if (o == 'c' && strcmp(optarg, "chacha20-poly1305") == 0)
			cipher = MCAST_CIPHER_CHACHA20POLY1305;
		else if (o == 'c' && strcmp(optarg, "aes-256-gcm") == 0)
			cipher = MCAST_CIPHER_AES256GCM;
		else if (o == 'r' && atoi(optarg) > 0 && atoi(optarg) <= 1000)
			rounds = atoi(optarg);
		else
			die("usage: rx_cost [-c aes-256-gcm|chacha20-poly1305] "
			    "[-r ROUNDS (1-1000)]");
	}
	if (!ctx || RAND_bytes(key, sizeof(key)) != 1 ||
	    EVP_CipherInit_ex(ctx,
			      cipher == MCAST_CIPHER_AES256GCM
				      ? EVP_aes_256_gcm()
				      : EVP_chacha20_poly1305(),
			      NULL, key, NULL, 1) != 1 ||
	    mcast_keyring_parse(&k, keys, strlen(keys), NULL, 0) < 0 ||
	    mcast_sealer_new(&s, k, cipher, 0) < 0 ||
	    mcast_bind_tunnel(&to, 1) < 0 || mcast_session_new(h.session) < 0)
		die("set-up failed");
	/* send_ns 0 is decades old: max_age is turned off below. */
	for (uint64_t i = 0; i < POOL; i++) {
		h.seq = i;
		h.payload_len = SIZE - HDR;
		mcast_hdr_encode(&h, plain[i], SIZE);
		memset(plain[i] + HDR, 0x5a, SIZE - HDR);
		h.payload_len = SIZE - HDR - TAG;
		mcast_hdr_encode(&h, sealed[i], SIZE);
		memset(sealed[i] + HDR, 0x5a, SIZE - HDR - TAG);
		memcpy(bare[i], sealed[i], SIZE);
		if (mcast_seal(s, &to, sealed[i], SIZE - TAG, SIZE) != SIZE ||
		    !evp(ctx, 1, i, bare[i]))
			die("sealing failed");
	}
	mcast_meta_init(&meta);
	meta.flags = MCAST_META_DST;
	meta.len = SIZE;
	meta.src.ss_family = meta.dst.ss_family = AF_INET;
	mcast_opener_opts_init(&oo);
	oo.max_age = 0;

	for (int r = 0; r < rounds; r++) {
		for (int st = 0; st < STEPS; st++) {
			mcast_opener_t *op;
			mcast_tracker_t *tr;
			struct mcast_hdr d;
			double t0;
			int n = 0;

			if (mcast_opener_new(&op, k, &oo) < 0 ||
			    mcast_tracker_new(&tr, NULL) < 0)
				die("out of memory");
			/* Warm: the kernel has just written what recvmmsg()
			 * returns, and the step before used another pool. */
			for (int i = 0; i < POOL; i++)
				memcpy(buf, pool_for(st, i), SIZE);
			t0 = cpu_ns();
			for (int i = 0; i < POOL; i++) {
				const unsigned char *src = pool_for(st, i);

				memcpy(buf, src, SIZE);
				switch ((enum step)st) {
				case COPY:
					break;
				case DECODE:
					n = mcast_hdr_decode(&d, buf, SIZE);
					break;
				case TRACK:
					n = mcast_hdr_decode(&d, buf, SIZE);
					n = mcast_tracker_feed_hdr(
						tr, buf, SIZE, &meta, n, &d);
					break;
				case TRACK_OLD:
					n = mcast_tracker_feed(tr, buf, SIZE,
							       &meta);
					n = mcast_hdr_decode(&d, buf, SIZE);
					break;
				case EVP:
					n = evp(ctx, 0, (uint64_t)i, buf) ? 0
									  : -1;
					break;
				case UNSEAL:
				case UNSEAL_TRACK:
					n = mcast_unseal(op, &to, buf, SIZE,
							 NULL, &d);
					if (n >= 0 && st == UNSEAL_TRACK)
						n = mcast_tracker_feed_hdr(
							tr, buf, (size_t)n,
							&meta, d.hdr_len, &d);
					break;
				}
				if (n < 0)
					die(names[st]);
			}
			ns[st][r] = (cpu_ns() - t0) / POOL;
			mcast_opener_free(op);
			mcast_tracker_free(tr);
		}
	}
	printf("%s, %d-byte datagrams, CPU ns per datagram (median of %d "
	       "rounds; min-max)\n",
	       cipher == MCAST_CIPHER_AES256GCM ? "aes-256-gcm"
						: "chacha20-poly1305",
	       SIZE, rounds);
	for (int st = 0; st < STEPS; st++) {
		qsort(ns[st], (size_t)rounds, sizeof(double), cmp);
		printf("  %-62s %7.1f  (%.1f-%.1f)\n", names[st],
		       ns[st][rounds / 2], ns[st][0], ns[st][rounds - 1]);
	}
	mcast_sealer_free(s);
	mcast_keyring_free(k);
	EVP_CIPHER_CTX_free(ctx);
	return 0;
}
