/* SPDX-License-Identifier: MIT */
/*
 * AMT (RFC 7450) messages, field by field in network order
 * (docs/PROTOCOL.md, "AMT"), the relay's response MAC, and the IP and UDP
 * headers around a tunnelled multicast datagram.
 */
#include "mc_internal.h"

#include <errno.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <string.h>

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

uint32_t mc_csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	return sum;
}

uint16_t mc_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* 16 bytes of address: IPv6 as it is, IPv4 mapped (::ffff:a.b.c.d). */
int mc_amt_put_addr16(uint8_t *p, const struct sockaddr *a)
{
	if (a->sa_family == AF_INET6) {
		memcpy(p, &((const struct sockaddr_in6 *)a)->sin6_addr, 16);
		return 0;
	}
	if (a->sa_family != AF_INET)
		return MCAST_EFAMILY;
	memset(p, 0, 10);
	p[10] = p[11] = 0xff;
	memcpy(p + 12, &((const struct sockaddr_in *)a)->sin_addr, 4);
	return 0;
}

void mc_amt_get_addr16(struct sockaddr_storage *a, const uint8_t *p,
		       uint16_t port)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };

	memset(a, 0, sizeof(*a));
	if (memcmp(p, mapped, sizeof(mapped)) == 0) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)a;

		s4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, p + 12, 4);
		s4->sin_port = htons(port);
		return;
	}
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)a;

	s6->sin6_family = AF_INET6;
	memcpy(&s6->sin6_addr, p, 16);
	s6->sin6_port = htons(port);
}

/* Bytes before the encapsulated packet (4, 5, 6) or in all (1, 2, 3, 7). */
static size_t fixed_len(const struct mcast_amt *m)
{
	switch (m->type) {
	case MCAST_AMT_DISCOVERY:
	case MCAST_AMT_REQUEST:
		return 8;
	case MCAST_AMT_ADVERTISEMENT:
		return m->addr.ss_family == AF_INET6 ? 24 : 12;
	case MCAST_AMT_QUERY:
	case MCAST_AMT_UPDATE:
		return 12;
	case MCAST_AMT_DATA:
		return 2;
	case MCAST_AMT_TEARDOWN:
		return 12 + MCAST_AMT_GW_LEN;
	}
	return 0;
}

int mcast_amt_encode(const struct mcast_amt *m, void *buf, size_t cap)
{
	uint8_t *p = buf;
	size_t fix, len;
	bool inner;

	if (!m || !buf)
		return -EINVAL;
	if (!(fix = fixed_len(m)))
		return MCAST_EMALFORMED;
	inner = m->type == MCAST_AMT_QUERY || m->type == MCAST_AMT_UPDATE ||
		m->type == MCAST_AMT_DATA;
	if (inner && (!m->ip || !m->ip_len))
		return MCAST_EMALFORMED;
	len = fix + (inner ? m->ip_len : 0) +
	      (m->type == MCAST_AMT_QUERY && m->gateway ? MCAST_AMT_GW_LEN : 0);
	if (len > cap)
		return -ENOSPC;
	memset(p, 0, fix);
	p[0] = m->type; /* version 0 in the high nibble */
	switch (m->type) {
	case MCAST_AMT_ADVERTISEMENT:
		if (m->addr.ss_family == AF_INET6)
			memcpy(p + 8,
			       &((const struct sockaddr_in6 *)&m->addr)
					->sin6_addr,
			       16);
		else if (m->addr.ss_family == AF_INET)
			memcpy(p + 8,
			       &((const struct sockaddr_in *)&m->addr)
					->sin_addr,
			       4);
		else
			return MCAST_EMALFORMED;
		/* the discovery nonce, as in a discovery */
		/* fall through */
	case MCAST_AMT_DISCOVERY:
		put32(p + 4, m->nonce);
		break;
	case MCAST_AMT_REQUEST:
		p[1] = m->mld ? 1 : 0;
		put32(p + 4, m->nonce);
		break;
	case MCAST_AMT_QUERY:
	case MCAST_AMT_UPDATE:
	case MCAST_AMT_TEARDOWN:
		if (m->type == MCAST_AMT_QUERY)
			p[1] = (uint8_t)((m->limit ? 2 : 0) |
					 (m->gateway ? 1 : 0));
		memcpy(p + 2, m->mac, MCAST_AMT_MAC_LEN);
		put32(p + 8, m->nonce);
		break;
	}
	if (inner)
		memcpy(p + fix, m->ip, m->ip_len);
	if (m->type == MCAST_AMT_TEARDOWN ||
	    (m->type == MCAST_AMT_QUERY && m->gateway)) {
		uint8_t *g = p + len - MCAST_AMT_GW_LEN;
		uint16_t port =
			(uint16_t)mcast_addr_port((const void *)&m->addr);

		g[0] = (uint8_t)(port >> 8);
		g[1] = (uint8_t)port;
		if (mc_amt_put_addr16(g + 2, (const void *)&m->addr) < 0)
			return MCAST_EMALFORMED;
	}
	return (int)len;
}

int mcast_amt_decode(struct mcast_amt *m, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	struct mcast_amt out;
	size_t fix, tail = 0;

	if (!m || !buf)
		return -EINVAL;
	if (len < 1)
		return MCAST_ESHORT;
	if (p[0] >> 4)
		return MCAST_EVERSION;
	memset(&out, 0, sizeof(out));
	out.type = p[0] & 0x0f;
	if (out.type == MCAST_AMT_ADVERTISEMENT) {
		if (len != 12 && len != 24)
			return len < 12 ? MCAST_ESHORT : MCAST_EMALFORMED;
		out.addr.ss_family = len == 24 ? AF_INET6 : AF_INET;
	}
	if (!(fix = fixed_len(&out)))
		return MCAST_EMALFORMED;
	if (out.type == MCAST_AMT_QUERY && len >= 2 && (p[1] & 1)) {
		out.gateway = 1;
		tail = MCAST_AMT_GW_LEN;
	}
	if (len < fix + tail)
		return MCAST_ESHORT;
	switch (out.type) {
	case MCAST_AMT_ADVERTISEMENT:
		if (out.addr.ss_family == AF_INET6)
			memcpy(&((struct sockaddr_in6 *)&out.addr)->sin6_addr,
			       p + 8, 16);
		else
			memcpy(&((struct sockaddr_in *)&out.addr)->sin_addr,
			       p + 8, 4);
		if (mcast_addr_is_multicast((const void *)&out.addr))
			return MCAST_EMALFORMED;
		/* fall through */
	case MCAST_AMT_DISCOVERY:
		out.nonce = get32(p + 4);
		break;
	case MCAST_AMT_REQUEST:
		out.mld = p[1] & 1;
		out.nonce = get32(p + 4);
		break;
	case MCAST_AMT_QUERY:
		out.limit = (p[1] >> 1) & 1;
		/* fall through */
	case MCAST_AMT_UPDATE:
	case MCAST_AMT_TEARDOWN:
		memcpy(out.mac, p + 2, MCAST_AMT_MAC_LEN);
		out.nonce = get32(p + 8);
		break;
	}
	if (out.type == MCAST_AMT_QUERY || out.type == MCAST_AMT_UPDATE ||
	    out.type == MCAST_AMT_DATA) {
		out.ip = p + fix;
		out.ip_len = len - fix - tail;
		if (!out.ip_len)
			return MCAST_ESHORT;
	}
	if (out.type == MCAST_AMT_TEARDOWN || out.gateway) {
		const uint8_t *g = p + len - MCAST_AMT_GW_LEN;

		if (out.type == MCAST_AMT_TEARDOWN)
			g = p + 12;
		mc_amt_get_addr16(&out.addr, g + 2,
				  (uint16_t)(g[0] << 8 | g[1]));
	}
	*m = out;
	return out.ip ? (int)len : (int)(fix + tail);
}

int mcast_amt_mac(const uint8_t *key, size_t keylen, const struct sockaddr *gw,
		  uint32_t nonce, uint8_t mac[MCAST_AMT_MAC_LEN])
{
	uint8_t msg[22], out[32];
	size_t outlen = 0;
	uint16_t port;

	if (!key || keylen < 16 || !gw || !mac ||
	    mc_amt_put_addr16(msg, gw) < 0)
		return -EINVAL;
	port = (uint16_t)mcast_addr_port(gw);
	msg[16] = (uint8_t)(port >> 8);
	msg[17] = (uint8_t)port;
	put32(msg + 18, nonce);
	if (!EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key, keylen, msg,
		       sizeof(msg), out, sizeof(out), &outlen) ||
	    outlen < MCAST_AMT_MAC_LEN)
		return -ENOMEM;
	memcpy(mac, out, MCAST_AMT_MAC_LEN);
	return 0;
}

int mcast_amt_ip_header(void *buf, size_t cap, const struct sockaddr *src,
			const struct sockaddr *dst, int ttl, size_t udp_len)
{
	uint8_t *p = buf;

	if (!buf || !src || !dst || ttl < 0 || ttl > 255)
		return -EINVAL;
	if (src->sa_family != dst->sa_family)
		return MCAST_EFAMILY;
	if (src->sa_family == AF_INET6) {
		if (cap < 40)
			return -ENOSPC;
		if (udp_len > 0xffff)
			return -EINVAL;
		memset(p, 0, 8);
		p[0] = 0x60;
		p[4] = (uint8_t)(udp_len >> 8);
		p[5] = (uint8_t)udp_len;
		p[6] = IPPROTO_UDP;
		p[7] = (uint8_t)ttl;
		memcpy(p + 8, &((const struct sockaddr_in6 *)src)->sin6_addr,
		       16);
		memcpy(p + 24, &((const struct sockaddr_in6 *)dst)->sin6_addr,
		       16);
		return 40;
	}
	if (src->sa_family != AF_INET)
		return MCAST_EFAMILY;
	if (cap < 20)
		return -ENOSPC;
	if (udp_len > 0xffff - 20)
		return -EINVAL;
	return mc_amt_ip4(p, src, dst, (uint8_t)ttl, IPPROTO_UDP, false,
			  20 + udp_len);
}

/* An IPv4 header with or without the Router Alert option; its length. */
int mc_amt_ip4(uint8_t *p, const struct sockaddr *src,
	       const struct sockaddr *dst, uint8_t ttl, uint8_t proto, bool ra,
	       size_t total)
{
	int hl = ra ? 24 : 20;
	uint16_t c;

	memset(p, 0, (size_t)hl);
	p[0] = (uint8_t)(0x40 | hl / 4);
	p[1] = ra ? 0xc0 : 0; /* IGMP goes as internetwork control */
	p[2] = (uint8_t)(total >> 8);
	p[3] = (uint8_t)total;
	p[6] = 0x40; /* don't fragment */
	p[8] = ttl;
	p[9] = proto;
	memcpy(p + 12, &((const struct sockaddr_in *)src)->sin_addr, 4);
	memcpy(p + 16, &((const struct sockaddr_in *)dst)->sin_addr, 4);
	if (ra) {
		p[20] = 0x94; /* Router Alert: copied, class 0, number 20 */
		p[21] = 4;
	}
	c = mc_csum_fold(mc_csum_add(0, p, (size_t)hl));
	p[10] = (uint8_t)(c >> 8);
	p[11] = (uint8_t)c;
	return hl;
}

static void set_addr(struct sockaddr_storage *a, int fam, const uint8_t *p,
		     const uint8_t *port)
{
	memset(a, 0, sizeof(*a));
	if (fam == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)a;

		s6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, p, 16);
		if (port)
			memcpy(&s6->sin6_port, port, 2);
		return;
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *)a;

	s4->sin_family = AF_INET;
	memcpy(&s4->sin_addr, p, 4);
	if (port)
		memcpy(&s4->sin_port, port, 2);
}

int mcast_amt_udp_decode(const void *ip, size_t len,
			 struct sockaddr_storage *src,
			 struct sockaddr_storage *dst, int *ttl)
{
	const uint8_t *p = ip, *u;
	size_t hl, total;
	int fam;

	if (!ip || !src || !dst || !ttl)
		return -EINVAL;
	if (len < 1)
		return MCAST_ESHORT;
	if (p[0] >> 4 == 4) {
		fam = AF_INET;
		hl = (size_t)(p[0] & 15) * 4;
		if (len < 20 || len < hl)
			return MCAST_ESHORT;
		total = (size_t)(p[2] << 8 | p[3]);
		if (hl < 20 || p[9] != IPPROTO_UDP || total < hl + 8 ||
		    (p[6] & 0x3f) || p[7]) /* a fragment */
			return MCAST_EMALFORMED;
	} else if (p[0] >> 4 == 6) {
		fam = AF_INET6;
		hl = 40;
		if (len < 40)
			return MCAST_ESHORT;
		total = 40 + (size_t)(p[4] << 8 | p[5]);
		if (p[6] != IPPROTO_UDP || total < hl + 8)
			return MCAST_EMALFORMED;
	} else {
		return MCAST_EMALFORMED;
	}
	if (len < total)
		return MCAST_ESHORT;
	if (len > total)
		return MCAST_EMALFORMED;
	u = p + hl;
	if ((size_t)(u[4] << 8 | u[5]) != total - hl)
		return MCAST_EMALFORMED;
	set_addr(src, fam, fam == AF_INET ? p + 12 : p + 8, u);
	set_addr(dst, fam, fam == AF_INET ? p + 16 : p + 24, u + 2);
	if (!mcast_addr_is_multicast((const void *)dst))
		return MCAST_EMALFORMED;
	*ttl = fam == AF_INET ? p[8] : p[7];
	return (int)(hl + 8);
}
