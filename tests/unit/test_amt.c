/* SPDX-License-Identifier: MIT */
/*
 * test_amt.c - AMT messages and the IGMP/MLD they carry (src/lib/amt.c,
 * amt_memb.c, docs/PROTOCOL.md "AMT"): the documented bytes of each of
 * the seven types, round trips, checksums, and short or wrong input.
 */
#include "check.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static struct sockaddr_storage addr(const char *text, unsigned flags)
{
	struct sockaddr_storage a;

	memset(&a, 0, sizeof(a));
	CHECK(mcast_addr_parse(text, flags, &a) > 0);
	return a;
}

static int decode_exact(struct mcast_amt *m, const uint8_t *p, size_t n)
{
	uint8_t *copy = malloc(n ? n : 1);
	int rc;

	memcpy(copy, p, n);
	rc = mcast_amt_decode(m, copy, n);
	free(copy);
	return rc;
}

static void test_fixed(void)
{
	static const uint8_t disc[] = { 0x01, 0, 0, 0, 0x12, 0x34, 0x56, 0x78 };
	static const uint8_t adv[] = { 0x02, 0,	   0,  0, 0x12, 0x34,
				       0x56, 0x78, 10, 0, 0,	7 };
	static const uint8_t req[] = { 0x03, 1, 0, 0, 0xde, 0xad, 0xbe, 0xef };
	static const uint8_t tear[] = { 0x07, 0,    1,	  2,	3,    4,
					5,    6,    0xde, 0xad, 0xbe, 0xef,
					0x9c, 0x40, 0,	  0,	0,    0,
					0,    0,    0,	  0,	0,    0,
					0xff, 0xff, 192,  0,	2,    9 };
	struct mcast_amt m;
	uint8_t out[64];

	memset(&m, 0, sizeof(m));
	m.type = MCAST_AMT_DISCOVERY;
	m.nonce = 0x12345678;
	CHECK_EQ_INT(mcast_amt_encode(&m, out, sizeof(out)), 8);
	CHECK(memcmp(out, disc, 8) == 0);
	m.type = MCAST_AMT_ADVERTISEMENT;
	m.addr = addr("10.0.0.7", MCAST_PARSE_UNICAST);
	CHECK_EQ_INT(mcast_amt_encode(&m, out, sizeof(out)), 12);
	CHECK(memcmp(out, adv, 12) == 0);
	CHECK_EQ_INT(decode_exact(&m, adv, sizeof(adv)), 12);
	CHECK_EQ_INT(m.type, MCAST_AMT_ADVERTISEMENT);
	CHECK_EQ_INT(m.nonce, 0x12345678);
	struct sockaddr_storage want = addr("10.0.0.7", MCAST_PARSE_UNICAST);

	CHECK(mcast_addr_same((void *)&m.addr, (void *)&want, 0));
	CHECK_CODE(decode_exact(&m, adv, 11), MCAST_ESHORT);
	CHECK_CODE(decode_exact(&m, adv, 8), MCAST_ESHORT);

	memset(&m, 0, sizeof(m));
	m.type = MCAST_AMT_REQUEST;
	m.mld = 1;
	m.nonce = 0xdeadbeef;
	CHECK_EQ_INT(mcast_amt_encode(&m, out, sizeof(out)), 8);
	CHECK(memcmp(out, req, 8) == 0);
	CHECK_EQ_INT(decode_exact(&m, req, 8), 8);
	CHECK_EQ_INT(m.mld, 1);
	CHECK_CODE(decode_exact(&m, req, 7), MCAST_ESHORT);

	memset(&m, 0, sizeof(m));
	m.type = MCAST_AMT_TEARDOWN;
	memcpy(m.mac, "\1\2\3\4\5\6", 6);
	m.nonce = 0xdeadbeef;
	m.addr =
		addr("192.0.2.9:40000", MCAST_PARSE_UNICAST | MCAST_PARSE_PORT);
	CHECK_EQ_INT(mcast_amt_encode(&m, out, sizeof(out)), 30);
	CHECK(memcmp(out, tear, 30) == 0);
	memset(&m, 0, sizeof(m));
	CHECK_EQ_INT(decode_exact(&m, tear, 30), 30);
	CHECK_EQ_INT(mcast_addr_port((void *)&m.addr), 40000);
	CHECK_EQ_INT(m.addr.ss_family, AF_INET);
	CHECK_CODE(decode_exact(&m, tear, 29), MCAST_ESHORT);

	static const uint8_t v1[] = { 0x11, 0, 0, 0, 0, 0, 0, 0 };
	static const uint8_t t9[] = { 0x09, 0, 0, 0, 0, 0, 0, 0 };

	CHECK_CODE(decode_exact(&m, v1, 8), MCAST_EVERSION);
	CHECK_CODE(decode_exact(&m, t9, 8), MCAST_EMALFORMED);
	CHECK_CODE(decode_exact(&m, v1, 0), MCAST_ESHORT);
}

/* A query with the gateway's address, its IGMPv3 general query inside. */
static void test_query_update(int fam)
{
	struct mcast_amt_record rec[2], got[4];
	struct mcast_amt_memb q, r;
	struct mcast_amt m, d;
	uint8_t ip[600], msg[700];
	int n, k;

	memset(&q, 0, sizeof(q));
	q.family = fam;
	q.query = 1;
	q.qrv = 2;
	q.qqi = 125;
	q.max_resp = 100;
	n = mcast_amt_memb_encode(&q, ip, sizeof(ip));
	CHECK_EQ_INT(n, fam == AF_INET ? 36 : 76);
	if (fam == AF_INET) {
		CHECK_EQ_INT(ip[0], 0x46); /* IHL 6: Router Alert */
		CHECK_EQ_INT(ip[20], 0x94);
		CHECK_EQ_INT(ip[8], 1);
		CHECK_EQ_INT(ip[24], 0x11);
	} else {
		CHECK_EQ_INT(ip[6], 0); /* hop-by-hop */
		CHECK_EQ_INT(ip[42], 5);
		CHECK_EQ_INT(ip[48], 130);
	}
	memset(&m, 0, sizeof(m));
	m.type = MCAST_AMT_QUERY;
	m.gateway = 1;
	m.nonce = 7;
	memcpy(m.mac, "abcdef", 6);
	m.addr = addr(fam == AF_INET ? "192.0.2.9:5000" : "[2001:db8::9]:5000",
		      MCAST_PARSE_UNICAST | MCAST_PARSE_PORT);
	m.ip = ip;
	m.ip_len = (size_t)n;
	k = mcast_amt_encode(&m, msg, sizeof(msg));
	CHECK_EQ_INT(k, 12 + n + 18);
	CHECK_EQ_INT(decode_exact(&d, msg, (size_t)k), k);
	CHECK_EQ_INT(d.ip_len, n);
	CHECK_EQ_INT(d.gateway, 1);
	CHECK(mcast_addr_same((void *)&d.addr, (void *)&m.addr, 1));
	CHECK(memcmp(d.mac, "abcdef", 6) == 0);
	memset(&r, 0, sizeof(r));
	CHECK_EQ_INT(mcast_amt_memb_decode(&r, ip, (size_t)n), n);
	CHECK_EQ_INT(r.query, 1);
	CHECK_EQ_INT(r.qqi, 125);
	CHECK_EQ_INT(r.max_resp, 100);
	q.qqi = 300;	   /* from 128: exponent and mantissa */
	q.max_resp = 1000; /* IGMP: 992, the nearest below */
	n = mcast_amt_memb_encode(&q, ip, sizeof(ip));
	CHECK_EQ_INT(mcast_amt_memb_decode(&r, ip, (size_t)n), n);
	CHECK_EQ_INT(r.qqi, 288); /* the nearest below */
	CHECK(r.max_resp >= 992 && r.max_resp <= 1000);
	ip[n - 1] ^= 1; /* the checksum no longer matches */
	CHECK_CODE(mcast_amt_memb_decode(&r, ip, (size_t)n), MCAST_EMALFORMED);

	/* A report: (S,G) and (*,G). */
	memset(rec, 0, sizeof(rec));
	rec[0].type = MCAST_REC_IS_INCLUDE;
	rec[0].group = addr(fam == AF_INET ? "232.1.1.1" : "ff3e::1", 0);
	rec[0].nsources = 1;
	rec[0].sources[0] = addr(fam == AF_INET ? "10.1.0.1" : "2001:db8::1",
				 MCAST_PARSE_UNICAST);
	rec[1].type = MCAST_REC_IS_EXCLUDE;
	rec[1].group = addr(fam == AF_INET ? "239.1.1.1" : "ff0e::1", 0);
	memset(&q, 0, sizeof(q));
	q.family = fam;
	q.records = rec;
	q.nrecords = 2;
	n = mcast_amt_memb_encode(&q, ip, sizeof(ip));
	CHECK_EQ_INT(n, fam == AF_INET ? 24 + 8 + 12 + 8 : 48 + 8 + 36 + 20);
	memset(&r, 0, sizeof(r));
	r.records = got;
	r.cap = 4;
	CHECK_EQ_INT(mcast_amt_memb_decode(&r, ip, (size_t)n), n);
	CHECK_EQ_INT(r.query, 0);
	CHECK_EQ_INT(r.nrecords, 2);
	CHECK_EQ_INT(got[0].type, MCAST_REC_IS_INCLUDE);
	CHECK_EQ_INT(got[0].nsources, 1);
	CHECK(mcast_addr_same((void *)&got[0].sources[0],
			      (void *)&rec[0].sources[0], 0));
	CHECK(mcast_addr_same((void *)&got[1].group, (void *)&rec[1].group, 0));
	r.cap = 1;
	CHECK_CODE(mcast_amt_memb_decode(&r, ip, (size_t)n), MCAST_ELIMIT);
	r.cap = 4;
	for (int cut = 0; cut < n; cut++)
		CHECK(mcast_amt_memb_decode(&r, ip, (size_t)cut) < 0);
}

static void test_igmpv2(void)
{
	/* IGMPv2 report of 239.1.1.1, IPv4 header without options. */
	uint8_t p[28] = {
		0x45, 0, 0,   28, 0, 0, 0,    0, 1, 2, 0,   0, 10, 0,
		0,    2, 239, 1,  1, 1, 0x16, 0, 0, 0, 239, 1, 1,  1
	};
	struct mcast_amt_record rec[1];
	struct mcast_amt_memb r;
	uint32_t s = 0;

	for (int i = 0; i < 20; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	p[10] = (uint8_t)(~s >> 8);
	p[11] = (uint8_t)~s;
	s = 0;
	for (int i = 20; i < 28; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	p[22] = (uint8_t)(~s >> 8);
	p[23] = (uint8_t)~s;
	memset(&r, 0, sizeof(r));
	r.records = rec;
	r.cap = 1;
	CHECK_EQ_INT(mcast_amt_memb_decode(&r, p, sizeof(p)), 28);
	CHECK_EQ_INT(r.nrecords, 1);
	CHECK_EQ_INT(rec[0].type, MCAST_REC_IS_EXCLUDE);
}

static void test_data(void)
{
	struct sockaddr_storage src = addr("10.1.0.1:4000",
					   MCAST_PARSE_PORT |
						   MCAST_PARSE_UNICAST),
				dst = addr("[ff0e::5]:5000", MCAST_PARSE_PORT),
				s6 = addr("[2001:db8::1]:4000",
					  MCAST_PARSE_PORT |
						  MCAST_PARSE_UNICAST),
				a, b;
	uint8_t p[100] = { 0 };
	int ttl, n;

	CHECK_CODE(mcast_amt_ip_header(p, sizeof(p), (void *)&src, (void *)&dst,
				       5, 12),
		   MCAST_EFAMILY);
	n = mcast_amt_ip_header(p, sizeof(p), (void *)&s6, (void *)&dst, 5, 12);
	CHECK_EQ_INT(n, 40);
	p[40] = 0x0f, p[41] = 0xa0, p[42] = 0x13, p[43] = 0x88;
	p[45] = 12;
	CHECK_EQ_INT(mcast_amt_udp_decode(p, 52, &a, &b, &ttl), 48);
	CHECK_EQ_INT(ttl, 5);
	CHECK(mcast_addr_same((void *)&a, (void *)&s6, 1));
	CHECK(mcast_addr_same((void *)&b, (void *)&dst, 1));
	CHECK_CODE(mcast_amt_udp_decode(p, 51, &a, &b, &ttl), MCAST_ESHORT);
	CHECK_CODE(mcast_amt_udp_decode(p, 53, &a, &b, &ttl), MCAST_EMALFORMED);
}

static void test_mac(void)
{
	uint8_t key[32] = { 1 }, a[6], b[6];
	struct sockaddr_storage g =
		addr("192.0.2.9:5000", MCAST_PARSE_PORT | MCAST_PARSE_UNICAST);

	CHECK_EQ_INT(mcast_amt_mac(key, sizeof(key), (void *)&g, 1, a), 0);
	CHECK_EQ_INT(mcast_amt_mac(key, sizeof(key), (void *)&g, 2, b), 0);
	CHECK(memcmp(a, b, 6) != 0);
	((struct sockaddr_in *)&g)->sin_port = htons(5001);
	CHECK_EQ_INT(mcast_amt_mac(key, sizeof(key), (void *)&g, 1, b), 0);
	CHECK(memcmp(a, b, 6) != 0);
	CHECK_CODE(mcast_amt_mac(key, 8, (void *)&g, 1, b), -EINVAL);
}

int main(void)
{
	test_fixed();
	test_query_update(AF_INET);
	test_query_update(AF_INET6);
	test_igmpv2();
	test_data();
	test_mac();
	return check_done();
}
