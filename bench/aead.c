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
 *             [-a] [-j]
 *   SIZE is the sealed datagram on the wire (header + payload + tag),
 *   -a authenticates the payload without encrypting it (--auth-only),
 *   -j prints one JSON object.
 */
#define _GNU_SOURCE
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

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "aead: %s\n", what);
	exit(1);
}

int main(int argc, char **argv)
{
	static unsigned char buf[MAXSIZE];
	const char *name = "aes-256-gcm";
	size_t size = 1400;
	double duration = 3, start, t;
	int json = 0, auth_only = 0, o, outl;
	unsigned char key[32], nonce[NONCE] = { 0 }, fin[16];
	uint64_t n = 0;
	const EVP_CIPHER *c;
	EVP_CIPHER_CTX *ctx;
	cpu_set_t set;

	while ((o = getopt(argc, argv, "c:s:D:aj")) != -1) {
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
		case 'j':
			json = 1;
			break;
		default:
			fprintf(stderr, "usage: aead [-c CIPHER] [-s SIZE] "
					"[-D SECONDS] [-a] [-j]\n");
			return 2;
		}
	}
	if (size < HDR + TAG || size > MAXSIZE || duration <= 0)
		die("SIZE must be 64..65507 and SECONDS above 0");
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
	memset(buf, 0x5a, size);

	size_t plen = size - HDR - TAG;
	size_t aad = auth_only ? HDR + plen : HDR;
	OSSL_PARAM p[2] = { OSSL_PARAM_construct_octet_string(
				    OSSL_CIPHER_PARAM_AEAD_TAG,
				    buf + size - TAG, TAG),
			    OSSL_PARAM_construct_end() };

	start = now();
	do {
		for (int k = 0; k < 1000; k++, n++) {
			for (int i = 0; i < 8; i++)
				nonce[4 + i] = (uint8_t)(n >> (56 - 8 * i));
			if (EVP_CipherInit_ex2(ctx, NULL, NULL, nonce, 1,
					       NULL) != 1 ||
			    EVP_CipherUpdate(ctx, NULL, &outl, buf, (int)aad) !=
				    1 ||
			    (!auth_only &&
			     EVP_CipherUpdate(ctx, buf + HDR, &outl, buf + HDR,
					      (int)plen) != 1) ||
			    EVP_CipherFinal_ex(ctx, fin, &outl) != 1 ||
			    EVP_CIPHER_CTX_get_params(ctx, p) != 1)
				die("sealing failed");
		}
		t = now();
	} while (t - start < duration);
	EVP_CIPHER_CTX_free(ctx);
	if (json)
		printf("{\"type\":\"aead\",\"cipher\":\"%s\",\"auth_only\":%s,"
		       "\"size\":%zu,\"payload\":%zu,\"sealed\":%llu,"
		       "\"secs\":%.3f,\"per_s\":%.0f,\"ns_each\":%.0f}\n",
		       name, auth_only ? "true" : "false", size, plen,
		       (unsigned long long)n, t - start,
		       (double)n / (t - start), (t - start) / (double)n * 1e9);
	else
		printf("%s%s: %zu-byte datagrams (%zu-byte payload): %.0f/s, "
		       "%.0f ns each\n",
		       name, auth_only ? " (auth only)" : "", size, plen,
		       (double)n / (t - start), (t - start) / (double)n * 1e9);
	return 0;
}
