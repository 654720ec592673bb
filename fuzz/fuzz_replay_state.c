/* SPDX-License-Identifier: MIT */
/*
 * fuzz_replay_state.c - mcast_opener_restore() on any bytes: the parser
 * of replay state files (replay_state.c), which reads a file that may be
 * corrupt.  The first input byte chooses the opener (window 64, 128, 256
 * or 1024; 1 to 8 streams) and, in its low bit, whether the harness
 * appends the SHA-256 the format ends with, so that inputs get past the
 * checksum to the records.  A restore either succeeds, holding no more
 * streams than the opener has room for and refusing a second restore, or
 * fails with MCAST_ESTATE and a message, leaving the opener empty (the
 * same bytes then fail the same way).
 */
#include "fuzz.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned windows[] = { 64, 128, 256, 1024 };
	struct mcast_opener_opts oo;
	mcast_keyring_t *k = NULL;
	mcast_opener_t *o = NULL;
	const char *text = "1 000102030405060708090a0b0c0d0e0f"
			   "101112131415161718191a1b1c1d1e1f\n";
	uint8_t *buf;
	size_t len;
	int rc;

	if (size < 1)
		return 0;
	len = size - 1 + (data[0] & 1 ? 32 : 0);
	buf = malloc(len ? len : 1);
	if (!buf)
		return 0;
	memcpy(buf, data + 1, size - 1);
	if ((data[0] & 1) && EVP_Digest(buf, size - 1, buf + size - 1, NULL,
					EVP_sha256(), NULL) != 1)
		abort();
	if (mcast_keyring_parse(&k, text, strlen(text), NULL, 0) != 0)
		abort();
	mcast_opener_opts_init(&oo);
	oo.replay_window = windows[data[0] >> 1 & 3];
	oo.max_sessions = (unsigned)(data[0] >> 3 & 7) + 1;
	if (mcast_opener_new(&o, k, &oo) != 0)
		abort();

	rc = mcast_opener_restore(o, buf, len);
	if (rc >= 0) {
		if ((unsigned)rc > oo.max_sessions ||
		    mcast_opener_errmsg(o)[0] != '\0')
			abort();
		if (rc > 0 && mcast_opener_restore(o, buf, len) != -EBUSY)
			abort();
	} else {
		if (rc != MCAST_ESTATE || mcast_opener_errmsg(o)[0] == '\0')
			abort();
		if (mcast_opener_restore(o, buf, len) != rc)
			abort();
	}
	mcast_opener_free(o);
	mcast_keyring_free(k);
	free(buf);
	return 0;
}
