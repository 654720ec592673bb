/* SPDX-License-Identifier: MIT */
/* The library's own version, for programs that may load a newer one. */
#include "mc_internal.h"

const char *mcast_version(void)
{
	return MCAST_VERSION;
}

unsigned mcast_version_number(void)
{
	return MCAST_VERSION_NUMBER;
}
