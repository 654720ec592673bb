/* SPDX-License-Identifier: MIT */
/*
 * test_bind.c - sealed datagrams bound to their destination (issue 14,
 * point 2; docs/SECURITY.md, "Binding") and the cost of forgeries
 * (point 3): a datagram opens only where it was sealed for (group and
 * port, or tunnel id), one session may seal the same sequence number for
 * two groups, version 1 sealed datagrams are refused as unbound, and a
 * forger repeating one new session makes the receiver derive nothing
 * again (counted as libcrypto allocations, which derivation makes).
 */
#include "sealing.h"

#include <netinet/in.h>
#include <openssl/crypto.h>

static unsigned long crypto_allocs;

static void *count_malloc(size_t n, const char *file, int line)
{
	(void)file;
	(void)line;
	crypto_allocs++;
	return malloc(n);
}

static void *count_realloc(void *p, size_t n, const char *file, int line)
{
	(void)file;
	(void)line;
	crypto_allocs++;
	return realloc(p, n);
}

static void count_free(void *p, const char *file, int line)
{
	(void)file;
	(void)line;
	free(p);
}

/* d sealed for `to`, as a value. */
static struct dgram sealed_to(mcast_sealer_t *s, const struct mcast_bind *to,
			      uint8_t sid, uint64_t seq, size_t plen)
{
	struct dgram d = envelope(MCAST_MSG_DATA, sid, seq, NOW_NS, plen);
	int rc = mcast_seal(s, to, d.b, d.len, sizeof(d.b));

	if (rc < 0) {
		fprintf(stderr, "seal: %s\n", mcast_strerror(rc));
		abort();
	}
	d.len = (size_t)rc;
	return d;
}

static int open_to(mcast_opener_t *o, const struct mcast_bind *to,
		   const struct dgram *d)
{
	struct dgram c = *d;

	return mcast_unseal(o, to, c.b, c.len, &now_ts, NULL);
}

static void test_encoding(void)
{
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6,
				   .sin6_port = htons(6000),
				   .sin6_scope_id = 7 };
	struct sockaddr_un_like {
		sa_family_t family;
		char path[16];
	} un = { .family = AF_UNIX };
	struct mcast_bind a = bind_of("239.2.2.2:6000"), b;
	static const uint8_t v4[] = { 1, 239, 2, 2, 2, 0x17, 0x70 };
	static const uint8_t tun[] = { 3, 0, 0, 0, 0, 0, 0, 0x12, 0x34 };

	CHECK_EQ_INT(a.len, 7);
	CHECK(memcmp(a.enc, v4, sizeof(v4)) == 0);
	/* IPv4-mapped IPv6 is the same destination. */
	memcpy(s6.sin6_addr.s6_addr, "\0\0\0\0\0\0\0\0\0\0\xff\xff\xef\2\2\2",
	       16);
	CHECK_CODE(mcast_bind_addr(&b, (struct sockaddr *)&s6), 0);
	CHECK(b.len == a.len && memcmp(b.enc, a.enc, a.len) == 0);
	/* IPv6: 16 address bytes and the port; not the scope id, which is
	 * an interface index of one host. */
	a = bind_of("[ff0e::1]:6000");
	CHECK_EQ_INT(a.len, 19);
	CHECK_EQ_INT(a.enc[0], MCAST_BIND_IPV6);
	CHECK_EQ_INT(a.enc[1], 0xff);
	CHECK_EQ_INT(a.enc[17], 0x17);
	memcpy(s6.sin6_addr.s6_addr, a.enc + 1, 16);
	CHECK_CODE(mcast_bind_addr(&b, (struct sockaddr *)&s6), 0);
	CHECK(memcmp(b.enc, a.enc, a.len) == 0);
	CHECK_CODE(mcast_bind_tunnel(&b, 0x1234), 0);
	CHECK_EQ_INT(b.len, 9);
	CHECK(memcmp(b.enc, tun, sizeof(tun)) == 0);
	CHECK_CODE(mcast_bind_addr(&b, (struct sockaddr *)&un), -EINVAL);
	CHECK_EQ_INT(b.len, 0);
	CHECK_CODE(mcast_bind_addr(&b, NULL), -EINVAL);
	CHECK_CODE(mcast_bind_addr(NULL, (struct sockaddr *)&s6), -EINVAL);
	CHECK_CODE(mcast_bind_tunnel(NULL, 1), -EINVAL);
}

/* Captured on 239.1.1.1:5000, replayed elsewhere: rejected, counted as
 * bad tags, and the stream at home is not disturbed. */
static void test_elsewhere(void)
{
	mcast_keyring_t *k = ring("1 " KEY1 "\n");
	static const char *const other[] = { "239.2.2.2:6000", "239.1.1.1:5001",
					     "239.1.1.2:5000",
					     "[ff0e::1]:5000" };
	struct mcast_bind home = bind_of("239.1.1.1:5000"), tun;

	for (int c = 0; c < 2; c++) {
		mcast_sealer_t *s = sealer(k, (enum mcast_cipher)c, 0);
		mcast_opener_t *o = opener(k, 1024, 16, 30);
		struct dgram d = sealed_to(s, &home, 1, 0, 100);
		size_t n = sizeof(other) / sizeof(other[0]);

		for (size_t i = 0; i < n; i++) {
			struct mcast_bind b = bind_of(other[i]);

			check_ctx = other[i];
			CHECK_CODE(open_to(o, &b, &d), MCAST_EBADTAG);
		}
		check_ctx = NULL;
		mcast_bind_tunnel(&tun, 5000);
		CHECK_CODE(open_to(o, &tun, &d), MCAST_EBADTAG);
		CHECK_EQ_INT(rejects(o).bad_tag, n + 1);
		CHECK_CODE(open_to(o, &home, &d), MCAST_WIRE_HDR_LEN + 100);
		CHECK_CODE(open_to(o, &home, &d), MCAST_EREPLAY);
		/* A tunnel's datagrams open only for that tunnel. */
		d = sealed_to(s, &tun, 2, 0, 10);
		CHECK_CODE(open_to(o, &home, &d), MCAST_EBADTAG);
		mcast_bind_tunnel(&tun, 5001);
		CHECK_CODE(open_to(o, &tun, &d), MCAST_EBADTAG);
		mcast_bind_tunnel(&tun, 5000);
		CHECK_CODE(open_to(o, &tun, &d), MCAST_WIRE_HDR_LEN + 10);
		CHECK_EQ_INT(rejects(o).accepted, 2);
		mcast_opener_free(o);
		mcast_sealer_free(s);
	}
	mcast_keyring_free(k);
}

/* One session sending to two groups seals each sequence number once per
 * group: two keys, so no nonce is reused and no EWRAP; one receiver of
 * both groups sees two streams, neither a replay of the other. */
static void test_two_groups(void)
{
	mcast_keyring_t *k = ring("1 " KEY1 "\n");
	mcast_sealer_t *s = sealer(k, MCAST_CIPHER_AES256GCM, 0);
	mcast_opener_t *o = opener(k, 1024, 16, 30);
	struct mcast_bind a = bind_of("239.1.1.1:5000");
	struct mcast_bind b = bind_of("239.2.2.2:6000");

	for (uint64_t seq = 0; seq < 3; seq++) {
		struct dgram x = sealed_to(s, &a, 1, seq, 64);
		struct dgram y = sealed_to(s, &b, 1, seq, 64);

		/* Same header, same plaintext, different key stream. */
		CHECK(memcmp(x.b, y.b, MCAST_WIRE_HDR_LEN) == 0);
		CHECK(memcmp(x.b + MCAST_WIRE_HDR_LEN, y.b + MCAST_WIRE_HDR_LEN,
			     64) != 0);
		CHECK_CODE(open_to(o, &a, &x), MCAST_WIRE_HDR_LEN + 64);
		CHECK_CODE(open_to(o, &b, &x), MCAST_EBADTAG);
		CHECK_CODE(open_to(o, &b, &y), MCAST_WIRE_HDR_LEN + 64);
	}
	/* Each group's sequence still only goes up. */
	{
		struct dgram d = envelope(MCAST_MSG_DATA, 1, 2, NOW_NS, 8);

		CHECK_CODE(mcast_seal(s, &a, d.b, d.len, sizeof(d.b)),
			   MCAST_EWRAP);
	}
	CHECK_EQ_INT(rejects(o).accepted, 6);
	CHECK_EQ_INT(rejects(o).replayed, 0);
	mcast_opener_free(o);
	mcast_sealer_free(s);
	mcast_keyring_free(k);
}

/* Version 1 sealed datagrams carry no binding: refused, counted as
 * unbound; so is every datagram when the receiver knows no binding. */
static void test_unbound(void)
{
	mcast_keyring_t *k = ring("1 " KEY1 "\n");
	mcast_sealer_t *s = sealer(k, MCAST_CIPHER_AES256GCM, 0);
	mcast_opener_t *o = opener(k, 1024, 16, 30);
	struct mcast_bind none = { 0 }, bad = *dest();
	struct dgram d = sealed(s, MCAST_MSG_DATA, 1, 0, NOW_NS, 20), v1;

	/* As a version 1 sender wrote it: version 1, a 48-byte header. */
	v1 = d;
	v1.b[4] = 1;
	v1.b[45] = MCAST_WIRE_HDR_LEN_V1;
	CHECK_CODE(open_to(o, dest(), &v1), MCAST_EUNBOUND);
	CHECK_EQ_INT(rejects(o).unbound, 1);
	CHECK_EQ_INT(rejects(o).bad_tag, 0);
	CHECK_CODE(open_to(o, &none, &d), MCAST_EUNBOUND);
	CHECK_EQ_INT(rejects(o).unbound, 2);
	/* A binding of no known kind is the caller's mistake. */
	bad.enc[0] = 9;
	CHECK_CODE(open_to(o, &bad, &d), -EINVAL);
	bad = *dest();
	bad.len = 8;
	CHECK_CODE(open_to(o, &bad, &d), -EINVAL);
	CHECK_CODE(mcast_unseal(o, NULL, d.b, d.len, &now_ts, NULL), -EINVAL);
	CHECK_EQ_INT(rejects(o).unbound, 2);
	CHECK_CODE(open_to(o, dest(), &d), MCAST_WIRE_HDR_LEN + 20);

	/* The sealer binds every datagram, and only version 2 ones. */
	d = envelope(MCAST_MSG_DATA, 2, 0, NOW_NS, 20);
	CHECK_CODE(mcast_seal(s, &none, d.b, d.len, sizeof(d.b)), -EINVAL);
	CHECK_CODE(mcast_seal(s, NULL, d.b, d.len, sizeof(d.b)), -EINVAL);
	d.b[4] = 1;
	d.b[45] = MCAST_WIRE_HDR_LEN_V1;
	memmove(d.b + MCAST_WIRE_HDR_LEN_V1, d.b + MCAST_WIRE_HDR_LEN, 20);
	d.len = MCAST_WIRE_HDR_LEN_V1 + 20;
	CHECK_CODE(mcast_seal(s, dest(), d.b, d.len, sizeof(d.b)),
		   MCAST_EVERSION);
	CHECK(strcmp(mcast_strerror(MCAST_EUNBOUND), "unknown error") != 0);
	mcast_opener_free(o);
	mcast_sealer_free(s);
	mcast_keyring_free(k);
}

/*
 * A forger naming a known key id and one new session over and over: the
 * receiver derives that session's key once (derivation allocates in
 * libcrypto; opening under a key already derived does not), and a valid
 * stream beside the forgeries keeps opening without a single allocation.
 */
static void test_forgery_cache(int counting)
{
	mcast_keyring_t *k = ring("1 " KEY1 "\n");
	mcast_sealer_t *s = sealer(k, MCAST_CIPHER_AES256GCM, 0);
	mcast_opener_t *o = opener(k, 1024, 16, 30);
	struct dgram d = sealed(s, MCAST_MSG_DATA, 1, 0, NOW_NS, 100);
	struct dgram f = sealed(s, MCAST_MSG_DATA, 2, 0, NOW_NS, 100);
	unsigned long before;
	int ok = 1;

	if (!counting) {
		fprintf(stderr, "note: libcrypto allocated before main; "
				"allocation count skipped\n");
		goto out;
	}
	CHECK_CODE(open_dg(o, &d), MCAST_WIRE_HDR_LEN + 100);
	f.b[70] ^= 1; /* session 2: a forgery */
	CHECK_CODE(open_dg(o, &f), MCAST_EBADTAG);
	before = crypto_allocs;
	for (uint64_t seq = 1; seq <= 100; seq++) {
		struct dgram g = f;

		g.b[31] = (uint8_t)seq; /* a new sequence number each time */
		d = sealed(s, MCAST_MSG_DATA, 1, seq, NOW_NS, 100);
		ok &= open_dg(o, &g) == MCAST_EBADTAG;
		ok &= open_dg(o, &d) == MCAST_WIRE_HDR_LEN + 100;
	}
	CHECK(ok);
	CHECK_EQ_INT(crypto_allocs - before, 0);
	CHECK_EQ_INT(rejects(o).bad_tag, 101);
	CHECK_EQ_INT(rejects(o).accepted, 101);
out:
	mcast_opener_free(o);
	mcast_sealer_free(s);
	mcast_keyring_free(k);
}

/* A flood of new forged sessions, more than the key cache holds, between
 * the datagrams of two real streams: every real one still opens, and the
 * first datagram of a real new session does too. */
static void test_forgery_flood(void)
{
	mcast_keyring_t *k = ring("1 " KEY1 "\n");
	mcast_sealer_t *s = sealer(k, MCAST_CIPHER_CHACHA20POLY1305, 0);
	mcast_opener_t *o = opener(k, 1024, 16, 30);
	int ok = 1;

	for (uint64_t seq = 0; seq < 50; seq++) {
		struct dgram a = sealed(s, MCAST_MSG_DATA, 1, seq, NOW_NS, 40);
		struct dgram b = sealed(s, MCAST_MSG_DATA, 2, seq, NOW_NS, 40);

		for (int j = 0; j < 3; j++) {
			struct dgram f =
				sealed(s, MCAST_MSG_DATA,
				       (uint8_t)(100 + (seq * 3 + j) % 50), seq,
				       NOW_NS, 40);

			f.b[60] ^= 0x80;
			ok &= open_dg(o, &f) == MCAST_EBADTAG;
		}
		ok &= open_dg(o, &a) == MCAST_WIRE_HDR_LEN + 40;
		ok &= open_dg(o, &b) == MCAST_WIRE_HDR_LEN + 40;
		ok &= open_dg(o, &a) == MCAST_EREPLAY;
	}
	CHECK(ok);
	CHECK_EQ_INT(rejects(o).accepted, 100);
	CHECK_EQ_INT(rejects(o).bad_tag, 150);
	mcast_opener_free(o);
	mcast_sealer_free(s);
	mcast_keyring_free(k);
}

int main(void)
{
	int counting = CRYPTO_set_mem_functions(count_malloc, count_realloc,
						count_free);

	test_encoding();
	test_elsewhere();
	test_two_groups();
	test_unbound();
	test_forgery_cache(counting);
	test_forgery_flood();
	return check_done();
}
