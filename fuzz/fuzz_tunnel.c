/* SPDX-License-Identifier: MIT */
/*
 * fuzz_tunnel.c - what a tunnel listener does with any bytes from the
 * network: the header decoder, then the tunnel body decoder on the
 * payload of a type 5 message (and on the whole input).  Besides crashes
 * it checks that a decoded body encodes back to the same 40 bytes.
 */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

static void body(const uint8_t *p, size_t n)
{
	struct mcast_tunnel t;
	uint8_t out[MCAST_TUNNEL_BODY_LEN];

	if (mcast_tunnel_decode(&t, p, n) != MCAST_TUNNEL_BODY_LEN)
		return;
	if (t.group.ss_family != t.source.ss_family ||
	    !mcast_addr_is_multicast((const struct sockaddr *)&t.group))
		abort();
	if (mcast_tunnel_encode(&t, out, sizeof(out)) !=
		    MCAST_TUNNEL_BODY_LEN ||
	    memcmp(out, p, sizeof(out)) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mcast_hdr h;
	int rc = mcast_hdr_decode(&h, data, size);

	if (rc >= 0 && h.type == MCAST_MSG_TUNNEL)
		body(data + rc, h.payload_len);
	body(data, size);
	return 0;
}
