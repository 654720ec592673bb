/* SPDX-License-Identifier: MIT */
/*
 * unseal_cost: what mcast_unseal() costs per datagram, in one thread, no
 * network: a valid stream; forgeries naming the known key id and a new
 * session each (what a forger without the key sends: the receiver must
 * derive a key before it can find the tag wrong); forgeries repeating one
 * new session; and the valid stream with forgeries interleaved, one each.
 * Prints one line per case: ns per datagram (the best of -r rounds of -n
 * datagrams each, as the machine is shared and noisy).
 *
 *   cc -O2 -I include -o unseal_cost bench/unseal_cost.c build/libmcast.a -lcrypto
 *   unseal_cost [-n DATAGRAMS] [-r ROUNDS] [-s PAYLOAD] [-c aes|chacha]
 *
 * Builds against the library before bindings (0.2, no struct mcast_bind)
 * too, for before/after figures.  Nothing is sent anywhere.
 */
#include <mcast.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifdef MCAST_BIND_MAX
static struct mcast_bind to;
#define SEAL(s, b, l, c)      mcast_seal(s, &to, b, l, c)
#define UNSEAL(o, b, l, n, h) mcast_unseal(o, &to, b, l, n, h)
#else
#define SEAL(s, b, l, c)      mcast_seal(s, b, l, c)
#define UNSEAL(o, b, l, n, h) mcast_unseal(o, b, l, n, h)
#endif

#define KEY \
	"1 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n"
#define CAP 2048

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* n sealed datagrams of session byte sid, seq from 0, in bufs. */
static void seal_n(mcast_sealer_t *s, unsigned char *bufs, size_t *lens,
		   size_t n, unsigned sid, size_t plen)
{
	for (size_t i = 0; i < n; i++) {
		struct mcast_hdr h = { .type = MCAST_MSG_DATA,
				       .seq = i,
				       .ttl = 1,
				       .payload_len = (uint16_t)plen };
		unsigned char *b = bufs + i * CAP;
		int rc;

		memset(h.session, (int)sid, sizeof(h.session));
		h.send_ns = 0;
		mcast_hdr_encode(&h, b, CAP);
		memset(b + MCAST_WIRE_HDR_LEN, 0x5a, plen);
		rc = SEAL(s, b, MCAST_WIRE_HDR_LEN + plen, CAP);
		if (rc < 0) {
			fprintf(stderr, "seal: %s\n", mcast_strerror(rc));
			exit(1);
		}
		lens[i] = (size_t)rc;
	}
}

int main(int argc, char **argv)
{
	size_t n = 100000, plen = 100, rounds = 5;
	enum mcast_cipher cipher = MCAST_CIPHER_AES256GCM;
	const char *names[4] = { "valid", "forged, new session each",
				 "forged, one session repeated",
				 "valid + forged (new session) interleaved" };
	double best[4] = { 1e9, 1e9, 1e9, 1e9 };
	struct mcast_opener_opts oo;
	mcast_keyring_t *k;
	mcast_sealer_t *s;
	unsigned char *valid, *forged, *tmp;
	size_t *vlen, *flen;
	int opt;

	while ((opt = getopt(argc, argv, "n:r:s:c:")) != -1) {
		if (opt == 'n')
			n = strtoul(optarg, NULL, 10);
		else if (opt == 'r')
			rounds = strtoul(optarg, NULL, 10);
		else if (opt == 's')
			plen = strtoul(optarg, NULL, 10);
		else if (opt == 'c')
			cipher = strcmp(optarg, "chacha") == 0
					 ? MCAST_CIPHER_CHACHA20POLY1305
					 : MCAST_CIPHER_AES256GCM;
		else
			return 2;
	}
	if (n < 1 || n > 1000000 || plen > 1400 || rounds < 1)
		return 2;
#ifdef MCAST_BIND_MAX
	mcast_bind_tunnel(&to, 1);
#endif
	valid = malloc(n * CAP);
	forged = malloc(n * CAP);
	tmp = malloc(CAP);
	vlen = malloc(n * sizeof(*vlen));
	flen = malloc(n * sizeof(*flen));
	if (!valid || !forged || !tmp || !vlen || !flen ||
	    mcast_keyring_parse(&k, KEY, strlen(KEY), NULL, 0) < 0 ||
	    mcast_sealer_new(&s, k, cipher, 0) < 0)
		return 1;
	seal_n(s, valid, vlen, n, 1, plen);
	/* Forgeries: real datagrams of session 2 with the tag's last byte
	 * changed, each given a session of its own (bytes 12..27). */
	seal_n(s, forged, flen, n, 2, plen);
	for (size_t i = 0; i < n; i++) {
		unsigned char *f = forged + i * CAP;

		f[flen[i] - 1] ^= 1;
	}
	mcast_opener_opts_init(&oo);
	oo.max_age = 0;
	for (size_t r = 0; r < rounds; r++) {
		for (int c = 0; c < 4; c++) {
			mcast_opener_t *o;
			size_t count = 0;
			double t0;

			if (mcast_opener_new(&o, k, &oo) < 0)
				return 1;
			t0 = now_s();
			for (size_t i = 0; i < n; i++) {
				unsigned char *v = valid + i * CAP;
				unsigned char *f = forged + i * CAP;

				if (c == 0 || c == 3) {
					memcpy(tmp, v, vlen[i]);
					count += UNSEAL(o, tmp, vlen[i], NULL,
							NULL) >= 0;
				}
				if (c >= 1) {
					memcpy(tmp, f, flen[i]);
					/* A new session, or always the same. */
					memcpy(tmp + 12, &i, sizeof(i));
					if (c == 2)
						memset(tmp + 12, 0, sizeof(i));
					count += UNSEAL(o, tmp, flen[i], NULL,
							NULL) >= 0;
				}
			}
			t0 = (now_s() - t0) / (double)(c == 3 ? 2 * n : n);
			if (count != (c == 0 || c == 3 ? n : 0)) {
				fprintf(stderr, "case %d: %zu opened\n", c,
					count);
				return 1;
			}
			if (t0 < best[c])
				best[c] = t0;
			mcast_opener_free(o);
		}
	}
	printf("%s, %zu-byte payload, best of %zu rounds of %zu:\n",
	       cipher == MCAST_CIPHER_AES256GCM ? "aes-256-gcm"
						: "chacha20-poly1305",
	       plen, rounds, n);
	for (int c = 0; c < 4; c++)
		printf("  %-42s %7.0f ns/datagram\n", names[c], best[c] * 1e9);
	mcast_sealer_free(s);
	mcast_keyring_free(k);
	free(valid);
	free(forged);
	free(tmp);
	free(vlen);
	free(flen);
	return 0;
}
