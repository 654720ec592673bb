/* SPDX-License-Identifier: MIT */
/*
 * The membership messages AMT carries (docs/PROTOCOL.md, "AMT"): IGMPv3
 * (RFC 3376) in IPv4 with Router Alert, MLDv2 (RFC 3810) in IPv6 with a
 * hop-by-hop Router Alert - general queries from the relay, reports from
 * the gateway - and, received, IGMPv1/v2 and MLDv1 reports and leaves.
 */
#include "mc_internal.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>

enum {
	IGMP_QUERY = 0x11,
	IGMP_V1_REPORT = 0x12,
	IGMP_V2_REPORT = 0x16,
	IGMP_LEAVE = 0x17,
	IGMP_V3_REPORT = 0x22,
	MLD_QUERY = 130,
	MLD_V1_REPORT = 131,
	MLD_DONE = 132,
	MLD_V2_REPORT = 143,
	IP6_HBH_LEN = 8,
};

/* RFC 3376 4.1.1 / 4.1.7: below 128 as it is, then 3 bits of exponent
 * and 4 of mantissa; MLD's 16-bit code (RFC 3810 5.1.3) the same with 12
 * bits of mantissa from 32768. */
static unsigned code_to(unsigned c, unsigned bits)
{
	unsigned top = 1u << (bits - 1), mbits = bits - 4;

	if (c < top)
		return c;
	return ((c & ((1u << mbits) - 1)) | 1u << mbits)
	       << (((c >> mbits) & 7) + 3);
}

static unsigned code_from(unsigned v, unsigned bits)
{
	unsigned top = 1u << (bits - 1), mbits = bits - 4;

	if (v < top)
		return v;
	for (unsigned e = 0; e < 8; e++) {
		unsigned m = v >> (e + 3);

		if (m < (2u << mbits))
			return top | e << mbits | (m & ((1u << mbits) - 1));
	}
	return (1u << bits) - 1; /* the largest there is */
}

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static unsigned get16(const uint8_t *p)
{
	return (unsigned)(p[0] << 8 | p[1]);
}

static void set_dst(struct sockaddr_storage *d, const struct mcast_amt_memb *m)
{
	const char *def = m->family == AF_INET6
				  ? (m->query ? "ff02::1" : "ff02::16")
				  : (m->query ? "224.0.0.1" : "224.0.0.22");

	if (m->dst.ss_family == m->family)
		*d = m->dst;
	else
		mcast_addr_parse(def, 0, d);
}

static void set_src(struct sockaddr_storage *s, const struct mcast_amt_memb *m)
{
	if (m->src.ss_family == m->family) {
		*s = m->src;
		return;
	}
	memset(s, 0, sizeof(*s));
	s->ss_family = (sa_family_t)m->family;
}

static size_t alen(int fam)
{
	return fam == AF_INET6 ? 16 : 4;
}

static const uint8_t *abytes(const struct sockaddr_storage *a)
{
	if (a->ss_family == AF_INET6)
		return (const uint8_t *)&((const struct sockaddr_in6 *)a)
			->sin6_addr;
	return (const uint8_t *)&((const struct sockaddr_in *)a)->sin_addr;
}

/* The IGMP or ICMPv6 body; its length, or a negative code. */
static int body_encode(const struct mcast_amt_memb *m, uint8_t *p, size_t cap)
{
	bool v6 = m->family == AF_INET6;
	size_t a = alen(m->family), n, rec0;

	if (m->query) {
		n = v6 ? 28 : 12;
		if (cap < n)
			return -ENOSPC;
		memset(p, 0, n);
		p[0] = v6 ? MLD_QUERY : IGMP_QUERY;
		if (v6) {
			put16(p + 4, code_from(m->max_resp, 16));
			p[24] = m->qrv & 7;
			p[25] = (uint8_t)code_from(m->qqi, 8);
		} else {
			p[1] = (uint8_t)code_from(m->max_resp, 8);
			p[8] = m->qrv & 7;
			p[9] = (uint8_t)code_from(m->qqi, 8);
		}
		return (int)n;
	}
	rec0 = 8;
	n = rec0;
	for (size_t i = 0; i < m->nrecords; i++) {
		const struct mcast_amt_record *r = &m->records[i];

		if (r->nsources > MCAST_MAX_SOURCES)
			return MCAST_ELIMIT;
		if (r->group.ss_family != m->family)
			return MCAST_EFAMILY;
		for (size_t k = 0; k < r->nsources; k++)
			if (r->sources[k].ss_family != m->family)
				return MCAST_EFAMILY;
		n += 4 + a + a * r->nsources;
	}
	if (cap < n || m->nrecords > 0xffff)
		return cap < n ? -ENOSPC : MCAST_ELIMIT;
	memset(p, 0, rec0);
	p[0] = v6 ? MLD_V2_REPORT : IGMP_V3_REPORT;
	put16(p + 6, (unsigned)m->nrecords);
	uint8_t *q = p + rec0;

	for (size_t i = 0; i < m->nrecords; i++) {
		const struct mcast_amt_record *r = &m->records[i];

		q[0] = r->type;
		q[1] = 0;
		put16(q + 2, (unsigned)r->nsources);
		memcpy(q + 4, abytes(&r->group), a);
		q += 4 + a;
		for (size_t k = 0; k < r->nsources; k++, q += a)
			memcpy(q, abytes(&r->sources[k]), a);
	}
	return (int)n;
}

/* The ICMPv6 checksum's pseudo-header (RFC 8200 8.1). */
static uint32_t pseudo6(const uint8_t *src, const uint8_t *dst, size_t len)
{
	uint8_t tail[8] = { 0 };

	tail[2] = (uint8_t)(len >> 8);
	tail[3] = (uint8_t)len;
	tail[7] = IPPROTO_ICMPV6;
	return mc_csum_add(mc_csum_add(mc_csum_add(0, src, 16), dst, 16), tail,
			   8);
}

int mcast_amt_memb_encode(const struct mcast_amt_memb *m, void *buf, size_t cap)
{
	struct sockaddr_storage src, dst;
	uint8_t *p = buf;
	size_t hl;
	int n;
	uint16_t c;

	if (!m || !buf || (!m->query && m->nrecords && !m->records))
		return -EINVAL;
	if (m->family != AF_INET && m->family != AF_INET6)
		return MCAST_EFAMILY;
	set_src(&src, m);
	set_dst(&dst, m);
	hl = m->family == AF_INET6 ? 40 + IP6_HBH_LEN : 24;
	if (cap < hl)
		return -ENOSPC;
	if ((n = body_encode(m, p + hl, cap - hl)) < 0)
		return n;
	if (m->family == AF_INET) {
		c = mc_csum_fold(mc_csum_add(0, p + hl, (size_t)n));
		put16(p + hl + 2, c);
		mc_amt_ip4(p, (const void *)&src, (const void *)&dst, 1,
			   IPPROTO_IGMP, true, hl + (size_t)n);
		return (int)hl + n;
	}
	memset(p, 0, hl);
	p[0] = 0x60;
	put16(p + 4, IP6_HBH_LEN + (unsigned)n);
	p[6] = 0; /* hop-by-hop options */
	p[7] = 1;
	memcpy(p + 8, abytes(&src), 16);
	memcpy(p + 24, abytes(&dst), 16);
	p[40] = IPPROTO_ICMPV6;
	p[41] = 0; /* 8 bytes */
	p[42] = 5; /* Router Alert (RFC 2711) */
	p[43] = 2; /* its length; value 0: MLD */
	p[46] = 1; /* PadN */
	p[47] = 0;
	c = mc_csum_fold(mc_csum_add(pseudo6(p + 8, p + 24, (size_t)n), p + hl,
				     (size_t)n));
	put16(p + hl + 2, c);
	return (int)hl + n;
}

static void addr_of(struct sockaddr_storage *a, int fam, const uint8_t *p)
{
	memset(a, 0, sizeof(*a));
	a->ss_family = (sa_family_t)fam;
	memcpy((uint8_t *)abytes(a), p, alen(fam));
}

static int records_decode(struct mcast_amt_memb *m, const uint8_t *p, size_t n,
			  unsigned count)
{
	size_t a = alen(m->family), off = 0;

	if (count > m->cap)
		return MCAST_ELIMIT;
	for (unsigned i = 0; i < count; i++) {
		struct mcast_amt_record *r = &m->records[i];
		unsigned ns, aux;

		if (n - off < 4 + a)
			return MCAST_EMALFORMED;
		ns = get16(p + off + 2);
		if (n - off - 4 - a < (size_t)ns * a + (size_t)p[off + 1] * 4)
			return MCAST_EMALFORMED;
		if (ns > MCAST_MAX_SOURCES)
			return MCAST_ELIMIT;
		if (p[off] < MCAST_REC_IS_INCLUDE || p[off] > MCAST_REC_BLOCK)
			return MCAST_EMALFORMED;
		r->type = p[off];
		aux = p[off + 1];
		addr_of(&r->group, m->family, p + off + 4);
		r->nsources = ns;
		off += 4 + a;
		for (unsigned k = 0; k < ns; k++, off += a)
			addr_of(&r->sources[k], m->family, p + off);
		off += (size_t)aux * 4; /* auxiliary data: none defined */
	}
	m->nrecords = count;
	return 0;
}

/* One record for an old-style report or leave: (*,G) joined or left. */
static int old_style(struct mcast_amt_memb *m, const uint8_t *group, bool join)
{
	if (m->cap < 1)
		return MCAST_ELIMIT;
	m->records[0].type = join ? MCAST_REC_IS_EXCLUDE : MCAST_REC_TO_INCLUDE;
	addr_of(&m->records[0].group, m->family, group);
	m->records[0].nsources = 0;
	m->nrecords = 1;
	return 0;
}

static int body_decode(struct mcast_amt_memb *m, const uint8_t *p, size_t n)
{
	bool v6 = m->family == AF_INET6;

	if (n < (v6 ? 24 : 8))
		return MCAST_ESHORT;
	switch (p[0]) {
	case IGMP_QUERY:
	case MLD_QUERY:
		if ((p[0] == MLD_QUERY) != v6)
			return MCAST_EMALFORMED;
		m->query = 1;
		m->max_resp = v6 ? code_to(get16(p + 4), 16) : code_to(p[1], 8);
		if (n >= (v6 ? 28 : 12)) { /* version 3 / 2 */
			m->qrv = p[v6 ? 24 : 8] & 7;
			m->qqi = code_to(p[v6 ? 25 : 9], 8);
		}
		return 0;
	case IGMP_V3_REPORT:
	case MLD_V2_REPORT:
		if ((p[0] == MLD_V2_REPORT) != v6)
			return MCAST_EMALFORMED;
		return records_decode(m, p + 8, n - 8, get16(p + 6));
	case IGMP_V1_REPORT:
	case IGMP_V2_REPORT:
	case IGMP_LEAVE:
		if (v6)
			return MCAST_EMALFORMED;
		return old_style(m, p + 4, p[0] != IGMP_LEAVE);
	case MLD_V1_REPORT:
	case MLD_DONE:
		if (!v6)
			return MCAST_EMALFORMED;
		return old_style(m, p + 8, p[0] == MLD_V1_REPORT);
	}
	return MCAST_EMALFORMED;
}

int mcast_amt_memb_decode(struct mcast_amt_memb *m, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	size_t hl, total;
	int rc;

	if (!m || !buf || (m->cap && !m->records))
		return -EINVAL;
	m->query = 0;
	m->qrv = 0;
	m->qqi = m->max_resp = 0;
	m->nrecords = 0;
	if (len < 1)
		return MCAST_ESHORT;
	if (p[0] >> 4 == 4) {
		m->family = AF_INET;
		hl = (size_t)(p[0] & 15) * 4;
		if (len < 20 || len < hl)
			return MCAST_ESHORT;
		total = get16(p + 2);
		if (hl < 20 || p[9] != IPPROTO_IGMP || total < hl)
			return MCAST_EMALFORMED;
		if (len < total)
			return MCAST_ESHORT;
		if (mc_csum_fold(mc_csum_add(0, p, hl)) ||
		    mc_csum_fold(mc_csum_add(0, p + hl, total - hl)))
			return MCAST_EMALFORMED;
		addr_of(&m->src, AF_INET, p + 12);
		addr_of(&m->dst, AF_INET, p + 16);
	} else if (p[0] >> 4 == 6) {
		m->family = AF_INET6;
		if (len < 40)
			return MCAST_ESHORT;
		total = 40 + get16(p + 4);
		if (len < total)
			return MCAST_ESHORT;
		hl = 40;
		if (p[6] == 0) { /* hop-by-hop options first */
			if (total < 48 || total < 48 + (size_t)p[41] * 8)
				return MCAST_EMALFORMED;
			hl = 48 + (size_t)p[41] * 8;
			if (p[40] != IPPROTO_ICMPV6)
				return MCAST_EMALFORMED;
		} else if (p[6] != IPPROTO_ICMPV6) {
			return MCAST_EMALFORMED;
		}
		if (mc_csum_fold(mc_csum_add(pseudo6(p + 8, p + 24, total - hl),
					     p + hl, total - hl)))
			return MCAST_EMALFORMED;
		addr_of(&m->src, AF_INET6, p + 8);
		addr_of(&m->dst, AF_INET6, p + 24);
	} else {
		return MCAST_EMALFORMED;
	}
	if ((rc = body_decode(m, p + hl, total - hl)) < 0)
		return rc;
	return (int)total;
}
