/* SPDX-License-Identifier: MIT */
/*
 * The library's version at run time: mcast_version() and
 * mcast_version_number() agree with each other and with the header's
 * MCAST_VERSION* macros (CMakeLists.txt takes the soname, mcast.pc and
 * the CMake package's version from MCAST_VERSION).
 */
#include "check.h"
#include "mcast.h"

#include <stdio.h>
#include <string.h>

int main(void)
{
	char text[32];
	const char *v = mcast_version();

	CHECK(v != NULL);
	CHECK_STR(v, MCAST_VERSION);
	snprintf(text, sizeof(text), "%d.%d.%d", MCAST_VERSION_MAJOR,
		 MCAST_VERSION_MINOR, MCAST_VERSION_PATCH);
	CHECK_STR(v, text);
	CHECK_EQ_INT(mcast_version_number(), MCAST_VERSION_NUMBER);
	CHECK_EQ_INT(mcast_version_number(),
		     (MCAST_VERSION_MAJOR << 16) | (MCAST_VERSION_MINOR << 8) |
			     MCAST_VERSION_PATCH);
	/* This release changed the wire format: 0.2 or later. */
	CHECK(mcast_version_number() >= 0x000200u);
	return check_done();
}
