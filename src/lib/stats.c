/* SPDX-License-Identifier: MIT */
#include "mc_internal.h"
