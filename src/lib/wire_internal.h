/* SPDX-License-Identifier: MIT */
/*
 * The header's layout and the network-order readers and writers every
 * parser of the library uses (wire.c, seal.c, derive.c, aead.c and the
 * stream analyzers); never installed.  Byte by byte, so no packed structs,
 * no unaligned loads, and the same result on every host.
 */
#ifndef MC_WIRE_INTERNAL_H
#define MC_WIRE_INTERNAL_H

#include <stdint.h>

/* Header field offsets (docs/PROTOCOL.md): version 1, and what version 2
 * appends.  The sealer patches flags and key id in place. */
enum {
	MC_HDR_OFF_MAGIC = 0,
	MC_HDR_OFF_VERSION = 4,
	MC_HDR_OFF_TYPE = 5,
	MC_HDR_OFF_FLAGS = 6,
	MC_HDR_OFF_KEY_ID = 8,
	MC_HDR_OFF_SESSION = 12,
	MC_HDR_OFF_SEQ = 28,
	MC_HDR_OFF_SEND_NS = 36,
	MC_HDR_OFF_TTL = 44,
	MC_HDR_OFF_HDR_LEN = 45,
	MC_HDR_OFF_PAYLOAD_LEN = 46,
	MC_HDR_OFF_ELAPSED_NS = 48, /* version 2 */
};

static inline void mc_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void mc_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline void mc_put64(uint8_t *p, uint64_t v)
{
	mc_put32(p, (uint32_t)(v >> 32));
	mc_put32(p + 4, (uint32_t)v);
}

static inline uint16_t mc_get16(const uint8_t *p)
{
	return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}

static inline uint32_t mc_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static inline uint64_t mc_get64(const uint8_t *p)
{
	return (uint64_t)mc_get32(p) << 32 | mc_get32(p + 4);
}

#endif /* MC_WIRE_INTERNAL_H */
