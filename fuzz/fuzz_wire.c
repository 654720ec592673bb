/* SPDX-License-Identifier: MIT */
/*
 * fuzz_wire.c - the header and body decoders (src/lib/wire.c) on any
 * bytes.  Besides crashes it checks what a decode promises: the payload
 * lies inside the input, an unsealed datagram has nothing after it, and
 * encoding what was decoded gives the same bytes back.
 */
#include "fuzz.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t out[MCAST_WIRE_HDR_LEN > MCAST_PONG_BODY_LEN
			    ? MCAST_WIRE_HDR_LEN
			    : MCAST_PONG_BODY_LEN];
	struct mcast_pong pong;
	struct mcast_hdr h;
	uint64_t total;
	int rc;

	rc = mcast_hdr_decode(&h, data, size);
	if (rc >= 0) {
		size_t end = (size_t)rc + h.payload_len;

		if (rc != h.hdr_len || rc < MCAST_WIRE_HDR_LEN || end > size)
			abort();
		if (h.key_id == 0 && end != size)
			abort();
		if (mcast_hdr_encode(&h, out, sizeof(out)) !=
		    MCAST_WIRE_HDR_LEN)
			abort();
		if (h.hdr_len == MCAST_WIRE_HDR_LEN &&
		    memcmp(out, data, MCAST_WIRE_HDR_LEN) != 0)
			abort();
		if (h.type == MCAST_MSG_END)
			mcast_end_decode(&total, data + rc, h.payload_len);
		if (h.type == MCAST_MSG_PONG)
			mcast_pong_decode(&pong, data + rc, h.payload_len);
	} else if (rc != MCAST_ENOTMCAST_MSG && rc != MCAST_ESHORT &&
		   rc != MCAST_EVERSION && rc != MCAST_EMALFORMED &&
		   !(rc == -EINVAL && !data)) {
		abort();
	}

	if (mcast_end_decode(&total, data, size) == MCAST_END_BODY_LEN) {
		if (mcast_end_encode(total, out, sizeof(out)) !=
			    MCAST_END_BODY_LEN ||
		    memcmp(out, data, MCAST_END_BODY_LEN) != 0)
			abort();
	} else if (size >= MCAST_END_BODY_LEN && data) {
		abort();
	}
	if (mcast_pong_decode(&pong, data, size) == MCAST_PONG_BODY_LEN) {
		if (mcast_pong_encode(&pong, out, sizeof(out)) !=
			    MCAST_PONG_BODY_LEN ||
		    memcmp(out, data, MCAST_PONG_BODY_LEN) != 0)
			abort();
	}
	return 0;
}
