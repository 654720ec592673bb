/* TEMPORARY shim so the CLI links while src/lib/stats.c is written. */
#include "mcast.h"
#include <errno.h>
int mcast_tracker_new(mcast_tracker_t **tp, const struct mcast_tracker_opts *o) { (void)o; *tp = 0; return -ENOSYS; }
void mcast_tracker_free(mcast_tracker_t *t) { (void)t; }
int mcast_tracker_feed(mcast_tracker_t *t, const void *b, size_t l, const struct mcast_meta *m) { (void)t; (void)b; (void)l; (void)m; return 0; }
size_t mcast_tracker_count(const mcast_tracker_t *t) { (void)t; return 0; }
int mcast_tracker_get(const mcast_tracker_t *t, size_t i, struct mcast_stream_stats *o) { (void)t; (void)i; (void)o; return -ERANGE; }
int mcast_tracker_totals(const mcast_tracker_t *t, struct mcast_stream_stats *o) { (void)t; (void)o; return -EINVAL; }
int mcast_tracker_all_ended(const mcast_tracker_t *t) { (void)t; return 0; }
