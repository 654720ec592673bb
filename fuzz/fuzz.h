/* SPDX-License-Identifier: MIT */
/* The libFuzzer entry point every target defines (and driver.c calls). */
#ifndef MCAST_FUZZ_H
#define MCAST_FUZZ_H

#include "mcast.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif /* MCAST_FUZZ_H */
