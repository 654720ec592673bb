/* SPDX-License-Identifier: MIT */
/*
 * fuzz_amt.c - what an AMT relay or gateway does with any bytes from the
 * network: the message decoder, then the IGMP/MLD decoder on a query's or
 * update's packet and the UDP decoder on a data message's (and each on
 * the whole input).  Besides crashes it checks that a decoded message
 * encodes again to the same length and decodes to the same fields.
 */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

static void memb(const uint8_t *p, size_t n)
{
	static struct mcast_amt_record rec[8];
	struct mcast_amt_memb m;
	int rc;

	memset(&m, 0, sizeof(m));
	m.records = rec;
	m.cap = 8;
	rc = mcast_amt_memb_decode(&m, p, n);
	if (rc >= 0 && ((size_t)rc > n || m.nrecords > m.cap))
		abort();
}

static void udp(const uint8_t *p, size_t n)
{
	struct sockaddr_storage s, d;
	int ttl, rc = mcast_amt_udp_decode(p, n, &s, &d, &ttl);

	if (rc >= 0 && ((size_t)rc > n || ttl < 0 || ttl > 255 ||
			!mcast_addr_is_multicast((const void *)&d)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[70000];
	struct mcast_amt m, again;
	int rc = mcast_amt_decode(&m, data, size), len = rc;

	memb(data, size);
	udp(data, size);
	if (rc < 0)
		return 0;
	if (m.ip && (m.ip < data || m.ip + m.ip_len > data + size))
		abort();
	if (m.type == MCAST_AMT_QUERY || m.type == MCAST_AMT_UPDATE)
		memb(m.ip, m.ip_len);
	if (m.type == MCAST_AMT_DATA)
		udp(m.ip, m.ip_len);
	rc = mcast_amt_encode(&m, out, sizeof(out));
	if (rc != len || mcast_amt_decode(&again, out, (size_t)rc) != rc ||
	    again.type != m.type || again.nonce != m.nonce ||
	    memcmp(again.mac, m.mac, sizeof(m.mac)) != 0 ||
	    again.ip_len != m.ip_len)
		abort();
	return 0;
}
