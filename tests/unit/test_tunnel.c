/* SPDX-License-Identifier: MIT */
/*
 * test_tunnel.c - the tunnel body (src/lib/tunnel.c, docs/PROTOCOL.md
 * "5 - tunnel"): the documented bytes, IPv6 round trip, and every way a
 * body can be short or wrong.  Decodes run on heap copies of exactly the
 * length under test, so AddressSanitizer catches a read past the end.
 */
#include "check.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* 239.1.2.3:1600 from 10.0.1.1:40000, arrived with TTL 5. */
static const uint8_t example[MCAST_TUNNEL_BODY_LEN] = {
	0x04, 0x05, 0x06, 0x40, 0x9c, 0x40, 0x00, 0x00, /* v4, ttl, ports */
	0xef, 0x01, 0x02, 0x03, 0,    0,    0,	  0,	0, 0, 0, 0, 0, 0, 0, 0,
	0x0a, 0x00, 0x01, 0x01, 0,    0,    0,	  0,	0, 0, 0, 0, 0, 0, 0, 0,
};

static int decode_exact(struct mcast_tunnel *t, const uint8_t *p, size_t n)
{
	uint8_t *copy = malloc(n ? n : 1);
	int rc;

	memcpy(copy, p, n);
	rc = mcast_tunnel_decode(t, copy, n);
	free(copy);
	return rc;
}

static struct mcast_tunnel example_tunnel(void)
{
	struct mcast_tunnel t;

	memset(&t, 0, sizeof(t));
	CHECK(mcast_addr_parse("239.1.2.3:1600", MCAST_PARSE_PORT, &t.group) >
	      0);
	CHECK(mcast_addr_parse("10.0.1.1:40000", MCAST_PARSE_PORT, &t.source) >
	      0);
	t.ttl = 5;
	return t;
}

static void test_example(void)
{
	struct mcast_tunnel t = example_tunnel(), d;
	uint8_t buf[64];

	CHECK_CODE(mcast_tunnel_encode(&t, buf, sizeof(buf)),
		   MCAST_TUNNEL_BODY_LEN);
	CHECK(memcmp(buf, example, sizeof(example)) == 0);
	CHECK_CODE(decode_exact(&d, example, sizeof(example)),
		   MCAST_TUNNEL_BODY_LEN);
	CHECK(mcast_addr_same((void *)&d.group, (void *)&t.group, 1));
	CHECK(mcast_addr_same((void *)&d.source, (void *)&t.source, 1));
	CHECK_EQ_INT(d.ttl, 5);
	CHECK_CODE(mcast_tunnel_encode(&t, buf, MCAST_TUNNEL_BODY_LEN - 1),
		   -ENOSPC);
}

static void test_v6(void)
{
	struct mcast_tunnel t, d;
	uint8_t buf[MCAST_TUNNEL_BODY_LEN];

	memset(&t, 0, sizeof(t));
	CHECK(mcast_addr_parse("[ff3e::1:2]:1601", MCAST_PARSE_PORT, &t.group) >
	      0);
	CHECK(mcast_addr_parse("[fd01::1]:9", MCAST_PARSE_PORT, &t.source) > 0);
	t.ttl = 255;
	CHECK_CODE(mcast_tunnel_encode(&t, buf, sizeof(buf)),
		   MCAST_TUNNEL_BODY_LEN);
	CHECK_EQ_INT(buf[0], 6);
	CHECK_CODE(decode_exact(&d, buf, sizeof(buf)), MCAST_TUNNEL_BODY_LEN);
	CHECK(mcast_addr_same((void *)&d.group, (void *)&t.group, 1));
	CHECK(mcast_addr_same((void *)&d.source, (void *)&t.source, 1));
	CHECK_EQ_INT(d.ttl, 255);
}

static void test_bad(void)
{
	struct mcast_tunnel t = example_tunnel(), d;
	uint8_t buf[MCAST_TUNNEL_BODY_LEN];

	for (size_t n = 0; n < sizeof(example); n++)
		CHECK_CODE(decode_exact(&d, example, n), MCAST_ESHORT);
	/* family, reserved bytes, IPv4 padding, port 0, unicast group */
	static const struct {
		size_t off;
		uint8_t v;
	} bad[] = { { 0, 5 },  { 6, 1 }, { 7, 1 }, { 12, 1 },
		    { 39, 1 }, { 2, 0 }, { 8, 10 } };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memcpy(buf, example, sizeof(buf));
		if (bad[i].off == 2)
			buf[3] = 0;
		buf[bad[i].off] = bad[i].v;
		CHECK_CODE(decode_exact(&d, buf, sizeof(buf)),
			   MCAST_EMALFORMED);
	}
	t.source.ss_family = AF_INET6;
	CHECK_CODE(mcast_tunnel_encode(&t, buf, sizeof(buf)), MCAST_EFAMILY);
	t = example_tunnel();
	t.group = t.source;
	CHECK_CODE(mcast_tunnel_encode(&t, buf, sizeof(buf)), MCAST_ENOTMCAST);
	CHECK_CODE(mcast_tunnel_encode(NULL, buf, sizeof(buf)), -EINVAL);
	CHECK_CODE(mcast_tunnel_decode(&d, NULL, 40), -EINVAL);
}

int main(void)
{
	test_example();
	test_v6();
	test_bad();
	return check_done();
}
