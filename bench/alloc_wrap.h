/* SPDX-License-Identifier: MIT */
/*
 * Counters of every malloc, calloc, realloc and free a bench program and
 * the library make, for a program linked with
 *   -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free
 * (bench/CMakeLists.txt).  Shared by alloc_count.c and stream_mem.c; only
 * one file of a program includes it.
 */
#ifndef MCAST_BENCH_ALLOC_WRAP_H
#define MCAST_BENCH_ALLOC_WRAP_H

#include <stddef.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t k, size_t n);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t k, size_t n);
void *__wrap_realloc(void *p, size_t n);
void __wrap_free(void *p);

static unsigned long long allocs, frees;

void *__wrap_malloc(size_t n)
{
	allocs++;
	return __real_malloc(n);
}

void *__wrap_calloc(size_t k, size_t n)
{
	allocs++;
	return __real_calloc(k, n);
}

void *__wrap_realloc(void *p, size_t n)
{
	allocs++;
	return __real_realloc(p, n);
}

void __wrap_free(void *p)
{
	if (p)
		frees++;
	__real_free(p);
}

#endif /* MCAST_BENCH_ALLOC_WRAP_H */
