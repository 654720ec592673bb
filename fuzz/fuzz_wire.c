/* SPDX-License-Identifier: MIT */
/*
 * fuzz_wire.c - the header and body decoders (src/lib/wire.c) on any
 * bytes.  Besides crashes it checks what a decode promises: the payload
 * lies inside the input, an unsealed datagram has nothing after it, and
 * encoding what was decoded gives the same bytes back (version 2, whose
 * header the encoder writes; a version 1 header comes back as version 2
 * with the same first 48 bytes but the version and hdr_len).
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
	struct mcast_end body;
	int rc;

	rc = mcast_hdr_decode(&h, data, size);
	if (rc >= 0) {
		size_t end = (size_t)rc + h.payload_len;

		if (rc != h.hdr_len || end > size ||
		    (h.version != 1 && h.version != 2) ||
		    rc < (h.version == 1 ? MCAST_WIRE_HDR_LEN_V1
					 : MCAST_WIRE_HDR_LEN) ||
		    h.has_elapsed != (h.version == 2))
			abort();
		if (h.key_id == 0 && end != size)
			abort();
		if (mcast_hdr_encode(&h, out, sizeof(out)) !=
		    MCAST_WIRE_HDR_LEN)
			abort();
		if (h.version == 2 && h.hdr_len == MCAST_WIRE_HDR_LEN &&
		    memcmp(out, data, MCAST_WIRE_HDR_LEN) != 0)
			abort();
		if (h.version == 1 && (memcmp(out, data, 4) != 0 ||
				       memcmp(out + 5, data + 5, 40) != 0 ||
				       memcmp(out + 46, data + 46, 2) != 0))
			abort();
		if (h.type == MCAST_MSG_END)
			mcast_end_decode(&body, data + rc, h.payload_len);
		if (h.type == MCAST_MSG_PONG)
			mcast_pong_decode(&pong, data + rc, h.payload_len);
	} else if (rc != MCAST_ENOTMCAST_MSG && rc != MCAST_ESHORT &&
		   rc != MCAST_EVERSION && rc != MCAST_EMALFORMED &&
		   !(rc == -EINVAL && !data)) {
		abort();
	}

	rc = mcast_end_decode(&body, data, size);
	if (rc == MCAST_END_BODY_LEN || rc == MCAST_END_BODY_LEN_V1) {
		if (rc != (size >= MCAST_END_BODY_LEN
				   ? MCAST_END_BODY_LEN
				   : MCAST_END_BODY_LEN_V1) ||
		    body.has_not_sent != (rc == MCAST_END_BODY_LEN) ||
		    mcast_end_encode(&body, out, sizeof(out)) !=
			    MCAST_END_BODY_LEN ||
		    memcmp(out, data, (size_t)rc) != 0)
			abort();
	} else if (size >= MCAST_END_BODY_LEN_V1 && data) {
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
