/* SPDX-License-Identifier: MIT */
/*
 * aead: the cipher alone, one datagram at a time, on one core.
 *
 * `openssl speed -evp` is the yardstick for "the cipher alone",
 * but it does not time the same work for every cipher: with OpenSSL 3.0
 * its AES-256-GCM loop sets a nonce, encrypts and finishes with a tag per
 * buffer, while its ChaCha20-Poly1305 loop only calls EVP_EncryptUpdate()
 * again and again on one running stream - no nonce, no tag (count the
 * calls with an LD_PRELOAD shim to see it).  A sealed datagram must be
 * verifiable on its own, so it always pays for a nonce, a Poly1305 key
 * and a tag.  This program times exactly that, with the EVP calls
 * libmcast's sealer makes: per datagram a nonce from the sequence number,
 * the 56-byte header as associated data, the payload encrypted in place,
 * the tag.  No libmcast, no sockets: bench/compare.sh prints it next to
 * `openssl speed` so both references are on the table.
 *
 * usage: aead [-c aes-256-gcm|chacha20-poly1305] [-s SIZE] [-D SECONDS]
 *             [-a] [-o] [-j]
 *   SIZE is the sealed datagram on the wire (header + payload + tag),
 *   -a authenticates the payload without encrypting it (--auth-only),
 *   -o opens (verifies and decrypts) instead of sealing,
 *   -j prints one JSON object.
 *
 * With -o it times opening instead, as a receiver does (mcast_unseal()):
 * per datagram the nonce, the expected tag, the header as associated
 * data, the payload decrypted, the tag checked - every one must open.
 * The datagrams are sealed beforehand, OPEN_RING of them with their own
 * sequence numbers, and decrypted into a separate buffer so that they
 * stay sealed for the next round; a receiver decrypts in place, which
 * moves the same bytes.  This is the "aead" of the receive side's
 * yardstick in bench/compare.sh: 1 / (1/unsealed + 1/aead).
 */
#define _GNU_SOURCE
#include "aead_one.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define HDR	56 /* MCAST_WIRE_HDR_LEN */
#define TAG	16 /* MCAST_TAG_LEN */
#define NONCE	12
#define MAXSIZE 65507
/* Sealed datagrams that -o opens in turn: 64 of 1400 bytes sit in L2, as
 * a receive batch does. */
#define OPEN_RING 64

static double clock_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double now(void)
{
	return clock_s(CLOCK_MONOTONIC);
}

static void die(const char *what)
{
	fprintf(stderr, "aead: %s\n", what);
	exit(1);
}

int main(int argc, char **argv)
{
	static unsigned char ring[OPEN_RING][MAXSIZE], out[MAXSIZE];
	const char *name = "aes-256-gcm";
	size_t size = 1400;
	double duration = 3, start, t, cpu0, cpu;
	int json = 0, auth_only = 0, open = 0, o;
	unsigned char key[32], nonce[NONCE] = { 0 };
	uint64_t n = 0;
	const EVP_CIPHER *c;
	EVP_CIPHER_CTX *ctx;
	cpu_set_t set;

	while ((o = getopt(argc, argv, "c:s:D:aoj")) != -1) {
		switch (o) {
		case 'c':
			name = optarg;
			break;
		case 's':
			size = (size_t)atol(optarg);
			break;
		case 'D':
			duration = atof(optarg);
			break;
		case 'a':
			auth_only = 1;
			break;
		case 'o':
			open = 1;
			break;
		case 'j':
			json = 1;
			break;
		default:
			fprintf(stderr, "usage: aead [-c CIPHER] [-s SIZE] "
					"[-D SECONDS] [-a] [-o] [-j]\n");
			return 2;
		}
	}
	if (size < HDR + TAG || size > MAXSIZE || duration <= 0)
		die("SIZE must be 72..65507 and SECONDS above 0");
	c = strcmp(name, "chacha20-poly1305") == 0 ? EVP_chacha20_poly1305()
	    : strcmp(name, "aes-256-gcm") == 0	   ? EVP_aes_256_gcm()
						   : NULL;
	if (!c)
		die("cipher: aes-256-gcm or chacha20-poly1305");
	/* One core, as `openssl speed` without -multi. */
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	sched_setaffinity(0, sizeof(set), &set);
	ctx = EVP_CIPHER_CTX_new();
	if (!ctx || RAND_bytes(key, sizeof(key)) != 1 ||
	    EVP_CipherInit_ex(ctx, c, NULL, key, nonce, 1) != 1)
		die("libcrypto set-up failed");
	for (size_t i = 0; i < OPEN_RING; i++) {
		memset(ring[i], 0x5a, size);
		if (open && !bench_aead_one(ctx, 1, i, ring[i], ring[i] + HDR,
					    size, auth_only))
			die("sealing failed");
	}

	cpu0 = clock_s(CLOCK_THREAD_CPUTIME_ID);
	start = now();
	do {
		for (int k = 0; k < 1000; k++, n++) {
			/* Sealing reuses one buffer under ever new nonces;
			 * opening goes round the ring sealed above. */
			size_t r = open ? n % OPEN_RING : 0;

			if (!bench_aead_one(ctx, !open, open ? r : n, ring[r],
					    open ? out : ring[r] + HDR, size,
					    auth_only))
				die(open ? "opening failed" : "sealing failed");
		}
		t = now();
	} while (t - start < duration);
	/* On a shared machine the thread's CPU time is the steadier figure:
	 * what one datagram costs the core that opens it. */
	cpu = clock_s(CLOCK_THREAD_CPUTIME_ID) - cpu0;
	EVP_CIPHER_CTX_free(ctx);
	if (json)
		printf("{\"type\":\"aead\",\"cipher\":\"%s\",\"auth_only\":%s,"
		       "\"op\":\"%s\",\"size\":%zu,\"payload\":%zu,"
		       "\"datagrams\":%llu,\"secs\":%.3f,\"per_s\":%.0f,"
		       "\"ns_each\":%.0f,\"cpu_secs\":%.3f,"
		       "\"cpu_ns_each\":%.0f}\n",
		       name, auth_only ? "true" : "false",
		       open ? "open" : "seal", size, size - HDR - TAG,
		       (unsigned long long)n, t - start,
		       (double)n / (t - start), (t - start) / (double)n * 1e9,
		       cpu, cpu / (double)n * 1e9);
	else
		printf("%s%s, %s: %zu-byte datagrams (%zu-byte payload): "
		       "%.0f/s, %.0f ns each (%.0f ns of CPU)\n",
		       name, auth_only ? " (auth only)" : "",
		       open ? "open" : "seal", size, size - HDR - TAG,
		       (double)n / (t - start), (t - start) / (double)n * 1e9,
		       cpu / (double)n * 1e9);
	return 0;
}
