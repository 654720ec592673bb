/* SPDX-License-Identifier: MIT */
/* Error codes to words, and the per-handle note of which step failed. */
#include "mc_internal.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

static const char *const mc_errnames[] = {
	[-MCAST_EADDR - 10001] = "malformed address",
	[-MCAST_ENOTMCAST - 10001] = "not a multicast group address",
	[-MCAST_ENOIFACE - 10001] = "no such interface",
	[-MCAST_ENEEDIFACE - 10001] =
		"link-local scope group needs an interface",
	[-MCAST_EFAMILY - 10001] = "address families do not match",
	[-MCAST_EROLE - 10001] = "operation not valid for this handle",
	[-MCAST_ELIMIT - 10001] = "too many sources for one join",
	[-MCAST_ENOTSOURCE - 10001] = "not a unicast host address",
	[-MCAST_EIFDOWN - 10001] = "interface is down",
	[-MCAST_ENOTMCAST_MSG - 10001] = "not an mcast-framed datagram",
	[-MCAST_EVERSION - 10001] = "unknown mcast wire format version",
	[-MCAST_ESHORT - 10001] = "datagram shorter than its header says",
	[-MCAST_EMALFORMED - 10001] = "malformed mcast header",
	[-MCAST_EKEYFILE - 10001] = "key file malformed or too short",
	[-MCAST_EKEYPERM - 10001] = "key file readable by group or others",
	[-MCAST_EBADTAG - 10001] = "authentication failed (bad tag)",
	[-MCAST_EUNKNOWNKEY - 10001] = "unknown key id",
	[-MCAST_EREPLAY - 10001] = "replayed datagram",
	[-MCAST_ESTALE - 10001] = "datagram older than the freshness window",
	[-MCAST_EUNSEALED - 10001] =
		"datagram not sealed, but a key is required",
	[-MCAST_EWRAP - 10001] = "sequence number would reuse a nonce",
	[-MCAST_ECIPHER - 10001] = "not sealed with the cipher required",
	[-MCAST_EUNBOUND - 10001] =
		"sealed datagram not bound to its destination",
	[-MCAST_ESTATE - 10001] = "replay state file corrupt or not one",
};

const char *mcast_strerror(int code)
{
	if (code >= 0)
		return "success";
	if (code <= -10001 && code >= MCAST_ERROR_MIN)
		return mc_errnames[-code - 10001];
	if (code == INT_MIN)
		return "unknown error";
	/* strerror() may use a static buffer for unknown codes, but never
	 * for the ones the kernel defines; strerrordesc_np() avoids even
	 * that and returns NULL for unknown values. */
	const char *s = strerrordesc_np(-code);
	return s ? s : "unknown error";
}

int mc_fail(struct mcast *m, int code, const char *fmt, ...)
{
	va_list ap;

	if (!m)
		return code;
	va_start(ap, fmt);
	vsnprintf(m->errmsg, sizeof(m->errmsg), fmt, ap);
	va_end(ap);
	return code;
}

const char *mcast_errmsg(const mcast_t *m)
{
	return m ? m->errmsg : "";
}
