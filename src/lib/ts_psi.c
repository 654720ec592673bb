/* SPDX-License-Identifier: MIT */
/*
 * MPEG-TS program tables: PAT and PMT sections (ISO/IEC 13818-1 2.4.4),
 * assembled across packets, bounds-checked field by field and taken only
 * when their CRC_32 holds; and the TR 101 290 checks that read them
 * (PAT_error, PMT_error, and the PIDs PID_error watches).
 *
 * One section per session is assembled at a time: PAT and PMT sections
 * nearly always fit one packet, and one that spans packets while another
 * PID's is in progress is dropped rather than given a buffer of its own,
 * so memory stays one section per session.
 */
#include "stream_internal.h"
#include "wire_internal.h"

#define MC_TID_PAT	   0x00
#define MC_TID_PMT	   0x02
#define MC_TID_STUFFING	   0xff
#define MC_SECTION_MIN	   12	/* 8 header bytes and CRC_32 */
#define MC_SECTION_LEN_MAX 1021 /* PAT and PMT: 2.4.4.3, 2.4.4.8 */

/* CRC_32 of 13818-1 annex A: polynomial 0x04C11DB7, initial all ones,
 * not reflected, no final xor; over a whole section, CRC included, 0.
 * Bitwise: sections are rare next to packets, so no table is kept. */
uint32_t mc_crc32_mpeg(const uint8_t *p, size_t len)
{
	uint32_t crc = 0xffffffffu;

	for (size_t i = 0; i < len; i++) {
		crc ^= (uint32_t)p[i] << 24;
		for (int b = 0; b < 8; b++)
			crc = crc & 0x80000000u ? crc << 1 ^ 0x04c11db7u
						: crc << 1;
	}
	return crc;
}

static struct mc_pid *mc_pid_get(struct mcast_tracker *t, uint32_t i,
				 unsigned pid, int64_t now_ns)
{
	struct mc_pid *d = mc_ts_pid(t, i, pid);

	if (!d && !(d = mc_ts_pid_add(t, i, pid, now_ns)))
		mc_stream(t, i)->ts.c[MC_TS_REF_FULL]++;
	return d;
}

/* A table that should come every 0.5 s came: was it late?  (An absence
 * the overdue scan already counted is not counted again.) */
static bool mc_psi_late(int64_t last_ns, bool flagged, int64_t now_ns)
{
	return now_ns && !flagged && now_ns - last_ns > MC_TS_PSI_INTERVAL;
}

static void mc_pat(struct mcast_tracker *t, uint32_t i, const uint8_t *s,
		   size_t n, int64_t now_ns)
{
	struct mc_ts *ts = &mc_stream(t, i)->ts;
	unsigned programs = 0;

	if (mc_psi_late(ts->pat_ns, ts->pat_late, now_ns))
		ts->c[MC_TS_PAT]++;
	ts->pat_late = false;
	ts->pat_ns = now_ns;
	ts->have_pat = true;
	for (size_t o = 8; o + 4 <= n - 4; o += 4) {
		unsigned program = mc_get16(s + o), pid = mc_get16(s + o + 2);
		struct mc_pid *d;

		if (program == 0)
			continue; /* the network PID (NIT) */
		programs++;
		d = mc_pid_get(t, i, pid & 0x1fff, now_ns);
		if (!d)
			continue;
		if (!(d->flags & MC_PID_PMT))
			d->since_ns = now_ns;
		d->flags |= MC_PID_PMT;
		d->program = (uint16_t)program;
	}
	/* A PAT of several sections: each adds its programs. */
	ts->programs = s[6] == 0 ? programs : ts->programs + programs;
}

static void mc_pmt(struct mcast_tracker *t, uint32_t i, struct mc_pid *pmt,
		   const uint8_t *s, size_t n, int64_t now_ns)
{
	struct mc_ts *ts = &mc_stream(t, i)->ts;
	unsigned program = mc_get16(s + 3), pcr = mc_get16(s + 8) & 0x1fff;
	size_t o = 12 + (mc_get16(s + 10) & 0x0fff), end = n - 4;
	struct mc_pid *d;

	if (mc_psi_late(pmt->since_ns, pmt->flags & MC_PID_LATE, now_ns))
		ts->c[MC_TS_PMT]++;
	pmt->flags &= ~MC_PID_LATE;
	pmt->since_ns = now_ns;
	if (pcr != MC_TS_NULL_PID && (d = mc_pid_get(t, i, pcr, now_ns))) {
		d->flags |= MC_PID_PCR;
		d->program = (uint16_t)program;
	}
	while (o + 5 <= end) {
		unsigned type = s[o], pid = mc_get16(s + o + 1) & 0x1fff;
		size_t info = mc_get16(s + o + 3) & 0x0fff;

		if (o + 5 + info > end)
			break; /* descriptors past the section: stop trusting */
		d = mc_pid_get(t, i, pid, now_ns);
		if (d) {
			if (!(d->flags & MC_PID_REF))
				d->since_ns = now_ns;
			d->flags |= MC_PID_REF;
			d->stream_type = (uint8_t)type;
			d->program = (uint16_t)program;
		}
		o += 5 + info;
	}
}

/* A complete section of n bytes (3 + section_length) on pid. */
static void mc_section(struct mcast_tracker *t, uint32_t i, unsigned pid,
		       const uint8_t *s, size_t n, int64_t now_ns)
{
	struct mc_ts *ts = &mc_stream(t, i)->ts;
	struct mc_pid *d;

	if (pid == 0 && s[0] != MC_TID_PAT) {
		ts->c[MC_TS_PAT]++; /* another table on PID 0 */
		return;
	}
	if (n < MC_SECTION_MIN || !(s[1] & 0x80))
		return;
	if (mc_crc32_mpeg(s, n) != 0) {
		ts->c[MC_TS_CRC]++;
		return;
	}
	if (!(s[5] & 1))
		return; /* current_next_indicator 0: not yet in force */
	if (pid == 0)
		mc_pat(t, i, s, n, now_ns);
	else if (s[0] == MC_TID_PMT && (d = mc_ts_pid(t, i, pid)))
		mc_pmt(t, i, d, s, n, now_ns);
}

/* Add n bytes to the section in assembly; hand it on when complete. */
static void mc_section_add(struct mcast_tracker *t, uint32_t i,
			   const uint8_t *p, size_t n, int64_t now_ns)
{
	struct mc_ts *ts = &mc_stream(t, i)->ts;
	size_t room = sizeof(ts->sec) - ts->sec_have, take;

	take = n < room ? n : room;
	memcpy(ts->sec + ts->sec_have, p, take);
	ts->sec_have = (uint16_t)(ts->sec_have + take);
	if (!ts->sec_need && ts->sec_have >= 3) {
		unsigned len = mc_get16(ts->sec + 1) & 0x0fff;

		if (len > MC_SECTION_LEN_MAX) {
			ts->sec_on = false;
			return;
		}
		ts->sec_need = (uint16_t)(3 + len);
	}
	if (ts->sec_need && ts->sec_have >= ts->sec_need) {
		ts->sec_on = false;
		mc_section(t, i, ts->sec_pid, ts->sec, ts->sec_need, now_ns);
	}
}

static void mc_section_start(struct mc_ts *ts, unsigned pid)
{
	ts->sec_on = true;
	ts->sec_pid = (uint16_t)pid;
	ts->sec_have = ts->sec_need = 0;
}

void mc_psi_payload(struct mcast_tracker *t, uint32_t i, unsigned pid,
		    bool unit_start, const uint8_t *p, size_t len,
		    int64_t now_ns)
{
	struct mc_ts *ts = &mc_stream(t, i)->ts;
	size_t ptr;

	if (!unit_start) {
		if (ts->sec_on && ts->sec_pid == pid)
			mc_section_add(t, i, p, len, now_ns);
		return;
	}
	/* pointer_field: the bytes before the first new section end the
	 * one in progress. */
	ptr = p[0];
	if (1 + ptr > len) {
		ts->sec_on = false;
		return;
	}
	if (ts->sec_on && ts->sec_pid == pid)
		mc_section_add(t, i, p + 1, ptr, now_ns);
	ts->sec_on = false;
	p += 1 + ptr;
	len -= 1 + ptr;
	while (len > 0 && p[0] != MC_TID_STUFFING) {
		size_t need;

		if (len < 3) {
			mc_section_start(ts, pid);
			mc_section_add(t, i, p, len, now_ns);
			return;
		}
		need = 3 + (mc_get16(p + 1) & 0x0fff);
		if (need > 3 + MC_SECTION_LEN_MAX)
			return;
		if (need > len) {
			mc_section_start(ts, pid);
			mc_section_add(t, i, p, len, now_ns);
			return;
		}
		mc_section(t, i, pid, p, need, now_ns);
		p += need;
		len -= need;
	}
}
