/* SPDX-License-Identifier: MIT */
/*
 * test_hist.c - log-bucket histograms (src/lib/hist.c): quantiles of known
 * distributions against the exact nearest-rank value, the edges (empty,
 * huge values, q outside [0, 1]) and merging.
 */
#include "check.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

/* The histogram's promise is one bucket (1/32); 3.2% leaves float room. */
#define TOLERANCE 0.032

static struct mcast_hist *hist_new(void)
{
	struct mcast_hist *h = malloc(sizeof(*h));

	if (!h)
		abort();
	mcast_hist_init(h);
	return h;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Exact nearest-rank quantile of sorted v[0..n). */
static uint64_t exact_quantile(const uint64_t *v, size_t n, double q)
{
	double want = q * (double)n;
	size_t rank = (size_t)want;

	if ((double)rank < want)
		rank++; /* ceil(), without needing libm */
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return v[rank - 1];
}

static int within(uint64_t got, uint64_t want)
{
	double d = (double)got - (double)want;

	if (d < 0)
		d = -d;

	return d <= TOLERANCE * (double)want;
}

static const double qs[] = { 0,	   0.001, 0.01, 0.1,   0.25,   0.5,
			     0.75, 0.9,	  0.99, 0.999, 0.9999, 1 };

/* Feed v[0..n) (any order), then compare every q against the exact. */
static void check_distribution(const char *name, uint64_t *v, size_t n)
{
	struct mcast_hist *h = hist_new();
	char ctx[96];

	for (size_t i = 0; i < n; i++)
		mcast_hist_add(h, v[i]);
	qsort(v, n, sizeof(*v), cmp_u64);
	CHECK_EQ_INT(h->count, n);
	CHECK_EQ_INT(h->min, v[0]);
	CHECK_EQ_INT(h->max, v[n - 1]);
	for (size_t i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
		uint64_t got = mcast_hist_quantile(h, qs[i]);
		uint64_t want = exact_quantile(v, n, qs[i]);

		snprintf(ctx, sizeof(ctx), "%s q=%g got %llu want %llu", name,
			 qs[i], (unsigned long long)got,
			 (unsigned long long)want);
		check_ctx = ctx;
		CHECK(within(got, want));
		CHECK(got >= h->min && got <= h->max);
	}
	check_ctx = NULL;
	free(h);
}

static uint64_t rng_state = 0x2545f4914f6cdd1dull;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void test_uniform(void)
{
	size_t n = 1000000;
	uint64_t *v = malloc(n * sizeof(*v));

	if (!v)
		abort();
	/* Every value 1..1e6 once, shuffled. */
	for (size_t i = 0; i < n; i++)
		v[i] = i + 1;
	for (size_t i = n - 1; i > 0; i--) {
		size_t j = (size_t)(rng() % (i + 1));
		uint64_t x = v[i];

		v[i] = v[j];
		v[j] = x;
	}
	check_distribution("uniform 1..1e6", v, n);

	/* Random values spread over many powers of two (log-uniform). */
	for (size_t i = 0; i < n; i++)
		v[i] = rng() >> (24 + rng() % 40);
	check_distribution("log-uniform", v, n);
	free(v);
}

static void test_constant(void)
{
	static const uint64_t values[] = { 0,  1,    31,     32,
					   33, 1000, 123457, 999999937ull };

	for (size_t k = 0; k < sizeof(values) / sizeof(values[0]); k++) {
		struct mcast_hist *h = hist_new();

		for (int i = 0; i < 1000; i++)
			mcast_hist_add(h, values[k]);
		/* min == max: every quantile is clamped to the exact value. */
		CHECK_EQ_INT(mcast_hist_quantile(h, 0), values[k]);
		CHECK_EQ_INT(mcast_hist_quantile(h, 0.5), values[k]);
		CHECK_EQ_INT(mcast_hist_quantile(h, 0.99), values[k]);
		CHECK_EQ_INT(mcast_hist_quantile(h, 1), values[k]);
		free(h);
	}
}

static void test_two_point(void)
{
	uint64_t v[1000];

	/* 90% at 1 ms, 10% at 50 ms: p50 is the low one, p95 the high. */
	for (int i = 0; i < 1000; i++)
		v[i] = i % 10 == 9 ? 50000000 : 1000000;
	check_distribution("two-point", v, 1000);

	struct mcast_hist *h = hist_new();

	for (int i = 0; i < 1000; i++)
		mcast_hist_add(h, v[i]);
	CHECK(within(mcast_hist_quantile(h, 0.5), 1000000));
	CHECK(within(mcast_hist_quantile(h, 0.9), 1000000));
	CHECK(within(mcast_hist_quantile(h, 0.95), 50000000));
	free(h);
}

/* Below 32 every value has its own bucket: quantiles are exact. */
static void test_small_exact(void)
{
	struct mcast_hist *h = hist_new();

	for (uint64_t x = 0; x < 64; x++)
		mcast_hist_add(h, x);
	for (uint64_t x = 0; x < 64; x++)
		CHECK_EQ_INT(mcast_hist_quantile(h, (double)(x + 1) / 64), x);
	free(h);
}

static void test_empty(void)
{
	struct mcast_hist *h = hist_new();

	CHECK_EQ_INT(h->count, 0);
	CHECK_EQ_INT(mcast_hist_quantile(h, 0), 0);
	CHECK_EQ_INT(mcast_hist_quantile(h, 0.5), 0);
	CHECK_EQ_INT(mcast_hist_quantile(h, 1), 0);
	CHECK_EQ_INT(mcast_hist_quantile(NULL, 0.5), 0);
	free(h);
}

/* Out-of-range q is clamped; NaN reads as 0 (the minimum). */
static void test_q_edges(void)
{
	struct mcast_hist *h = hist_new();

	for (uint64_t x = 100; x <= 200; x++)
		mcast_hist_add(h, x);
	CHECK_EQ_INT(mcast_hist_quantile(h, -1), 100);
	CHECK_EQ_INT(mcast_hist_quantile(h, NAN), 100);
	CHECK_EQ_INT(mcast_hist_quantile(h, 2), 200);
	free(h);
}

static void test_huge(void)
{
	struct mcast_hist *h = hist_new();
	uint64_t two40 = (uint64_t)1 << 40;

	mcast_hist_add(h, UINT64_MAX);
	CHECK_EQ_INT(h->min, UINT64_MAX);
	CHECK(h->max == UINT64_MAX);
	CHECK(mcast_hist_quantile(h, 0.5) == UINT64_MAX);

	/* Values at and above 2^40 share the top bucket; the answer stays
	 * within [min, max]. */
	mcast_hist_init(h);
	mcast_hist_add(h, two40);
	mcast_hist_add(h, two40 * 8);
	mcast_hist_add(h, UINT64_MAX / 2);
	CHECK(mcast_hist_quantile(h, 0.5) >= two40);
	CHECK(mcast_hist_quantile(h, 0.5) <= UINT64_MAX / 2);
	CHECK(mcast_hist_quantile(h, 1) == UINT64_MAX / 2);
	CHECK_EQ_INT(mcast_hist_quantile(h, 0), two40);

	/* Just below 2^40 still has ~3% resolution. */
	mcast_hist_init(h);
	for (int i = 0; i < 100; i++)
		mcast_hist_add(h, i < 50 ? two40 - 1 : two40 / 3);
	CHECK(within(mcast_hist_quantile(h, 0.25), two40 / 3));
	CHECK(within(mcast_hist_quantile(h, 0.75), two40 - 1));
	free(h);
}

static void test_merge(void)
{
	struct mcast_hist *a = hist_new(), *b = hist_new(), *both = hist_new();
	struct mcast_hist *empty = hist_new(), *copy = hist_new();

	for (int i = 0; i < 100000; i++) {
		uint64_t x = rng() >> (20 + rng() % 40);

		mcast_hist_add(i % 3 ? a : b, x);
		mcast_hist_add(both, x);
	}
	mcast_hist_merge(a, b);
	CHECK(memcmp(a, both, sizeof(*a)) == 0);
	CHECK_EQ_INT(a->count, 100000);

	/* Merging an empty histogram changes nothing; merging into an
	 * empty one copies (min/max included, not min 0). */
	*copy = *a;
	mcast_hist_merge(a, empty);
	CHECK(memcmp(a, copy, sizeof(*a)) == 0);
	mcast_hist_merge(empty, a);
	CHECK(memcmp(empty, a, sizeof(*a)) == 0);
	mcast_hist_merge(NULL, a);
	mcast_hist_merge(a, NULL);
	free(a);
	free(b);
	free(both);
	free(empty);
	free(copy);
}

int main(void)
{
	test_uniform();
	test_constant();
	test_two_point();
	test_small_exact();
	test_empty();
	test_q_edges();
	test_huge();
	test_merge();
	return check_done();
}
