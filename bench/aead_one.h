/* SPDX-License-Identifier: MIT */
/*
 * bench_aead_one(): the EVP calls libmcast makes to seal or open one
 * datagram of size bytes (src/lib/aead.c), shared by bench/aead.c and
 * bench/rx_cost.c so both time the same work.  The header is 56 bytes and
 * the tag 16, as in docs/PROTOCOL.md; the payload goes to out.
 */
#ifndef MCAST_BENCH_AEAD_ONE_H
#define MCAST_BENCH_AEAD_ONE_H

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <stddef.h>
#include <stdint.h>

static inline int bench_aead_one(EVP_CIPHER_CTX *ctx, int enc, uint64_t seq,
				 unsigned char *d, unsigned char *out,
				 size_t size, int auth_only)
{
	enum { HDR_LEN = 56, TAG_LEN = 16 };
	unsigned char nonce[12] = { 0 }, fin[16];
	size_t plen = size - HDR_LEN - TAG_LEN;
	size_t aad = auth_only ? HDR_LEN + plen : HDR_LEN;
	int outl;
	OSSL_PARAM p[2] = { OSSL_PARAM_construct_octet_string(
				    OSSL_CIPHER_PARAM_AEAD_TAG,
				    d + size - TAG_LEN, TAG_LEN),
			    OSSL_PARAM_construct_end() };

	for (int i = 0; i < 8; i++)
		nonce[4 + i] = (uint8_t)(seq >> (56 - 8 * i));
	return EVP_CipherInit_ex2(ctx, NULL, NULL, nonce, enc, NULL) == 1 &&
	       (enc || EVP_CIPHER_CTX_set_params(ctx, p) == 1) &&
	       EVP_CipherUpdate(ctx, NULL, &outl, d, (int)aad) == 1 &&
	       (auth_only || EVP_CipherUpdate(ctx, out, &outl, d + HDR_LEN,
					      (int)plen) == 1) &&
	       EVP_CipherFinal_ex(ctx, fin, &outl) == 1 &&
	       (!enc || EVP_CIPHER_CTX_get_params(ctx, p) == 1);
}

#endif /* MCAST_BENCH_AEAD_ONE_H */
