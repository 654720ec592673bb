/* SPDX-License-Identifier: MIT */
/*
 * Stream keys and bindings (docs/SECURITY.md, "Construction").
 *
 * Each key of a keyring gets, once when the keyring is parsed,
 *
 *   PRK_K = HKDF-Extract(salt = "mcast seal v2" (13 ASCII bytes),
 *                        IKM  = the pre-shared key K)
 *
 * and each stream (key id, session, type, cipher, binding) its key
 *
 *   key = HKDF-Expand(PRK_K, info, 32)  =  HMAC-SHA256(PRK_K, info || 01)
 *   info = "mcast v2 " || type || cipher || key id (4, BE) || session (16)
 *          || binding (struct mcast_bind's enc: 7, 19 or 9 bytes)
 *
 * Both steps are RFC 5869's; with L = 32, one SHA-256 block, Expand is
 * the single HMAC above.  Why split them: a forged datagram naming a
 * known key id and a new session makes the receiver derive a key before
 * its tag can be checked, so derivation is what a forgery costs.  Done
 * as one HKDF through EVP_KDF, that was ~2.6 us and 26 allocations here;
 * Extract runs once per key instead, and Expand is one HMAC through an
 * EVP_MAC context that keeps PRK_K's inner and outer pad state between
 * calls: ~0.3 us.  (OpenSSL 3.0 copies the digest state per HMAC, two
 * small allocations, which this file cannot avoid; no other allocation.)
 * The binding is in the key, not only in the associated data: otherwise
 * two groups of one session would seal one sequence number under one key
 * and one nonce.
 */
#include "crypto_internal.h"

#include <errno.h>
#include <netinet/in.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <string.h>

#define MC_PRK_SALT   "mcast seal v2"
#define MC_INFO_LABEL "mcast v2 "
#define MC_INFO_MAX                                              \
	(sizeof(MC_INFO_LABEL) - 1 + 2 + 4 + MCAST_SESSION_LEN + \
	 MCAST_BIND_MAX + 1)

int mcast_bind_addr(struct mcast_bind *b, const struct sockaddr *sa)
{
	const struct sockaddr_in6 *s6 = (const void *)sa;
	const struct sockaddr_in *s4 = (const void *)sa;

	if (!b)
		return -EINVAL;
	memset(b, 0, sizeof(*b));
	if (!sa)
		return -EINVAL;
	if (sa->sa_family == AF_INET) {
		b->enc[0] = MCAST_BIND_IPV4;
		memcpy(b->enc + 1, &s4->sin_addr, 4);
		memcpy(b->enc + 5, &s4->sin_port, 2);
		b->len = 7;
	} else if (sa->sa_family == AF_INET6 &&
		   IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
		/* The same destination as its IPv4 form, whichever
		 * socket family received it. */
		b->enc[0] = MCAST_BIND_IPV4;
		memcpy(b->enc + 1, s6->sin6_addr.s6_addr + 12, 4);
		memcpy(b->enc + 5, &s6->sin6_port, 2);
		b->len = 7;
	} else if (sa->sa_family == AF_INET6) {
		b->enc[0] = MCAST_BIND_IPV6;
		memcpy(b->enc + 1, &s6->sin6_addr, 16);
		memcpy(b->enc + 17, &s6->sin6_port, 2);
		b->len = 19;
	} else {
		return -EINVAL;
	}
	return 0;
}

int mcast_bind_tunnel(struct mcast_bind *b, uint64_t id)
{
	if (!b)
		return -EINVAL;
	memset(b, 0, sizeof(*b));
	b->enc[0] = MCAST_BIND_TUNNEL;
	mc_put64(b->enc + 1, id);
	b->len = 9;
	return 0;
}

int mc_bind_check(const struct mcast_bind *b)
{
	static const uint8_t lens[] = { [MCAST_BIND_IPV4] = 7,
					[MCAST_BIND_IPV6] = 19,
					[MCAST_BIND_TUNNEL] = 9 };

	if (!b)
		return -EINVAL;
	if (b->len == 0)
		return MCAST_EUNBOUND;
	if (b->enc[0] >= sizeof(lens) || lens[b->enc[0]] == 0 ||
	    lens[b->enc[0]] != b->len)
		return -EINVAL;
	return 0;
}

void mc_stream_id_set(struct mc_stream_id *id, const struct mcast_hdr *h,
		      uint8_t cipher, const struct mcast_bind *b)
{
	memset(id, 0, sizeof(*id));
	memcpy(id->session, h->session, MCAST_SESSION_LEN);
	id->key_id = h->key_id;
	id->type = h->type;
	id->cipher = cipher;
	id->bind_len = b->len;
	memcpy(id->bind, b->enc, b->len);
}

int mc_prk(const uint8_t key[MCAST_KEY_LEN], uint8_t prk[MCAST_KEY_LEN])
{
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, OSSL_KDF_NAME_HKDF, NULL);
	EVP_KDF_CTX *ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
	int mode = EVP_KDF_HKDF_MODE_EXTRACT_ONLY, rc = -EIO;
	OSSL_PARAM p[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
						 (char *)"SHA256", 0),
		OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
						  (void *)key, MCAST_KEY_LEN),
		OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
						  (void *)MC_PRK_SALT,
						  sizeof(MC_PRK_SALT) - 1),
		OSSL_PARAM_construct_end(),
	};

	if (ctx && EVP_KDF_derive(ctx, prk, MCAST_KEY_LEN, p) == 1)
		rc = 0;
	EVP_KDF_CTX_free(ctx);
	EVP_KDF_free(kdf);
	return rc;
}

int mc_kdf_init(struct mc_kdf *k)
{
	EVP_MAC *mac = EVP_MAC_fetch(NULL, OSSL_MAC_NAME_HMAC, NULL);
	OSSL_PARAM p[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
						 (char *)"SHA256", 0),
		OSSL_PARAM_construct_end(),
	};

	k->key_id = 0;
	k->mac = mac ? EVP_MAC_CTX_new(mac) : NULL;
	EVP_MAC_free(mac); /* the context keeps its own reference */
	if (k->mac && EVP_MAC_CTX_set_params(k->mac, p) != 1) {
		EVP_MAC_CTX_free(k->mac);
		k->mac = NULL;
	}
	return k->mac ? 0 : -ENOMEM;
}

void mc_kdf_free(struct mc_kdf *k)
{
	EVP_MAC_CTX_free(k->mac);
	k->mac = NULL;
	k->key_id = 0;
}

int mc_kdf_stream_key(struct mc_kdf *k, const struct mc_keyent *key,
		      const struct mc_stream_id *id, uint8_t out[MCAST_KEY_LEN])
{
	uint8_t info[MC_INFO_MAX];
	size_t n = sizeof(MC_INFO_LABEL) - 1, outl;
	int ok;

	memcpy(info, MC_INFO_LABEL, n);
	info[n++] = id->type;
	info[n++] = id->cipher;
	mc_put32(info + n, id->key_id);
	n += 4;
	memcpy(info + n, id->session, MCAST_SESSION_LEN);
	n += MCAST_SESSION_LEN;
	memcpy(info + n, id->bind, id->bind_len);
	n += id->bind_len;
	info[n++] = 0x01; /* HKDF-Expand's counter: T(1) is all 32 bytes */
	/* Keyed once per key id: re-initialising without a key keeps the
	 * HMAC pads already hashed. */
	if (k->key_id == key->id)
		ok = EVP_MAC_init(k->mac, NULL, 0, NULL);
	else
		ok = EVP_MAC_init(k->mac, key->prk, MCAST_KEY_LEN, NULL);
	k->key_id = ok == 1 ? key->id : 0;
	ok = ok == 1 && EVP_MAC_update(k->mac, info, n) == 1 &&
	     EVP_MAC_final(k->mac, out, &outl, MCAST_KEY_LEN) == 1 &&
	     outl == MCAST_KEY_LEN;
	return ok ? 0 : -EIO;
}
