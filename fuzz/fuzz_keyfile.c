/* SPDX-License-Identifier: MIT */
/*
 * fuzz_keyfile.c - mcast_keyring_parse() on any text.  A keyring that
 * parses holds at least one key and names its newest; a failure leaves a
 * message; either way nothing leaks (ASan/LSan).
 */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mcast_keyring_t *k = NULL;
	char err[128];
	int rc;

	memset(err, 'x', sizeof(err));
	rc = mcast_keyring_parse(&k, (const char *)data, size, err,
				 sizeof(err));
	if (rc == 0) {
		/* Each key takes a line of at least 66 bytes. */
		if (!k || mcast_keyring_count(k) < 1 ||
		    mcast_keyring_count(k) > size / 66 + 1 ||
		    mcast_keyring_newest(k) == 0)
			abort();
		mcast_sealer_t *s = NULL;

		if (mcast_sealer_new(&s, k, MCAST_CIPHER_AES256GCM, 0) != 0)
			abort();
		mcast_sealer_free(s);
	} else {
		if (k || rc != MCAST_EKEYFILE ||
		    !memchr(err, '\0', sizeof(err)) || err[0] == '\0')
			abort();
	}
	mcast_keyring_free(k);
	return 0;
}
