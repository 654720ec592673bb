/* SPDX-License-Identifier: MIT */
/*
 * Log-bucket histograms: constant memory, O(1) add, quantiles within about
 * 1.6% (half a bucket's width) of the exact value.
 *
 * Layout of the MCAST_HIST_BUCKETS buckets:
 *  - buckets 0..31 hold the values 0..31 exactly;
 *  - for v in [2^e, 2^(e+1)), 5 <= e <= 39, bucket (e - 4) * 32 + s holds
 *    the values whose 5 bits after the leading one are s: 32 buckets of
 *    width 2^(e-5) per power of two, each at most 1/32 of its lower bound;
 *  - values >= 2^40 all go to the last bucket (MCAST_HIST_BUCKETS - 1).
 * Buckets (40 - 4) * 32 .. MCAST_HIST_BUCKETS - 2 stay unused: the header
 * promises the 2^40 limit, and the spare kilobyte buys nothing a caller
 * measuring nanoseconds needs (2^40 ns is 18 minutes).
 */
#include "mc_internal.h"

#include <string.h>

#define MC_HIST_EXACT	32			 /* values below are exact */
#define MC_HIST_SUBBITS 5			 /* log2(MCAST_HIST_SUB) */
#define MC_HIST_TOPBIT	40			 /* values >= 2^40 share... */
#define MC_HIST_TOP	(MCAST_HIST_BUCKETS - 1) /* ...this bucket */

_Static_assert(MCAST_HIST_SUB == 1 << MC_HIST_SUBBITS, "sub-bucket bits");
_Static_assert((MC_HIST_TOPBIT - 4) * MCAST_HIST_SUB <= MC_HIST_TOP,
	       "bucket layout fits");

static unsigned mc_hist_index(uint64_t v)
{
	unsigned e;

	if (v < MC_HIST_EXACT)
		return (unsigned)v;
	if (v >> MC_HIST_TOPBIT)
		return MC_HIST_TOP;
	e = 63 - (unsigned)__builtin_clzll(v);
	return (e - 4) * MCAST_HIST_SUB +
	       (unsigned)((v >> (e - MC_HIST_SUBBITS)) & (MCAST_HIST_SUB - 1));
}

/*
 * The value a bucket stands for: the middle of its range (rounded down),
 * which halves the worst error of the lower bound.  The top bucket has no
 * upper end; it stands for 2^40, and the caller clamps to [min, max].
 */
static uint64_t mc_hist_value(unsigned i)
{
	unsigned row = i / MCAST_HIST_SUB, sub = i % MCAST_HIST_SUB;
	uint64_t width, lower;

	if (i == MC_HIST_TOP)
		return (uint64_t)1 << MC_HIST_TOPBIT;
	if (row == 0)
		return i;
	width = (uint64_t)1 << (row - 1);
	lower = ((uint64_t)MCAST_HIST_SUB + sub) * width;
	return lower + (width - 1) / 2;
}

void mcast_hist_init(struct mcast_hist *h)
{
	if (h)
		memset(h, 0, sizeof(*h));
}

void mcast_hist_add(struct mcast_hist *h, uint64_t v)
{
	if (!h)
		return;
	if (h->count == 0 || v < h->min)
		h->min = v;
	if (h->count == 0 || v > h->max)
		h->max = v;
	h->count++;
	h->buckets[mc_hist_index(v)]++;
}

void mcast_hist_merge(struct mcast_hist *dst, const struct mcast_hist *src)
{
	if (!dst || !src || src->count == 0)
		return;
	if (dst->count == 0 || src->min < dst->min)
		dst->min = src->min;
	if (dst->count == 0 || src->max > dst->max)
		dst->max = src->max;
	dst->count += src->count;
	for (unsigned i = 0; i < MCAST_HIST_BUCKETS; i++)
		dst->buckets[i] += src->buckets[i];
}

/*
 * Nearest-rank quantile: the value of rank ceil(q * count) (at least 1)
 * in sorted order, read as its bucket's middle.  q <= 0 and q >= 1 give
 * the exact min and max.
 */
uint64_t mcast_hist_quantile(const struct mcast_hist *h, double q)
{
	uint64_t rank, seen = 0, v;
	double want;

	if (!h || h->count == 0)
		return 0;
	if (!(q > 0))
		return h->min;
	if (q >= 1)
		return h->max;
	want = q * (double)h->count;
	rank = (uint64_t)want;
	if ((double)rank < want)
		rank++;
	if (rank < 1)
		rank = 1;
	for (unsigned i = 0; i < MCAST_HIST_BUCKETS; i++) {
		seen += h->buckets[i];
		if (seen < rank)
			continue;
		v = mc_hist_value(i);
		if (v < h->min)
			v = h->min;
		if (v > h->max)
			v = h->max;
		return v;
	}
	return h->max; /* counts disagree with count: not reached */
}
