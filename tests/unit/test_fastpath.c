/* SPDX-License-Identifier: MIT */
/*
 * Every send path (one at a time, sendmmsg, UDP_SEGMENT) into every
 * receive path (recvmmsg, UDP_GRO) delivers every datagram exactly, in
 * order, with the right length and bytes; segmentation falls back when the
 * kernel refuses it; coalesced buffers split with odd-sized last segments
 * and across batches smaller than a buffer.  Runs over lo in a private
 * network namespace.
 */
#include "check.h"
#include "netns.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>

#define GROUP "239.9.8.7:4242"
#define MAXN  300

enum send_mode { SEND_ONE, SEND_MMSG, SEND_GSO };
static const char *const send_names[] = { "one", "mmsg", "gso" };

static unsigned char tx_bufs[MAXN][2048];
static unsigned char rx_bufs[64][65536];

static mcast_t *open_rx(bool gro)
{
	struct sockaddr_storage g;
	struct mcast_opts o;
	mcast_t *rx = NULL;

	mcast_addr_parse(GROUP, MCAST_PARSE_GROUP | MCAST_PARSE_PORT, &g);
	mcast_opts_init(&o);
	o.iface = "lo";
	o.rcvbuf = 8 << 20;
	o.flags = gro ? MCAST_OPT_GRO : 0;
	if (!CHECK(mcast_receiver_open(&rx, &o) == 0))
		return NULL;
	CHECK_CODE(mcast_join(rx, (struct sockaddr *)&g, NULL, 0), 0);
	return rx;
}

static mcast_t *open_tx(bool gso)
{
	struct sockaddr_storage g;
	struct mcast_opts o;
	mcast_t *tx = NULL;

	mcast_addr_parse(GROUP, MCAST_PARSE_GROUP | MCAST_PARSE_PORT, &g);
	mcast_opts_init(&o);
	o.iface = "lo";
	o.loop = 1;
	o.flags = gso ? MCAST_OPT_GSO : 0;
	mcast_addr_parse("127.0.0.1", MCAST_PARSE_UNICAST, &o.bind);
	CHECK(mcast_sender_open(&tx, (struct sockaddr *)&g, &o) == 0);
	return tx;
}

/* Datagram i: a size (all equal but the last, which is odd-sized) and
 * bytes that say which datagram they belong to. */
static size_t fill(size_t n, size_t size, struct mcast_dgram *v)
{
	for (size_t i = 0; i < n; i++) {
		size_t len = i == n - 1 ? size / 2 + 1 : size;

		for (size_t k = 0; k < len; k++)
			tx_bufs[i][k] = (unsigned char)(i * 7 + k);
		v[i] = (struct mcast_dgram){ .buf = tx_bufs[i], .len = len };
	}
	return n;
}

static int send_all(mcast_t *tx, enum send_mode mode, struct mcast_dgram *v,
		    size_t n)
{
	size_t done = 0;

	while (done < n) {
		int rc = mode == SEND_ONE
				 ? mcast_send(tx, v[done].buf, v[done].len)
				 : mcast_send_batch(tx, v + done, n - done);
		if (rc < 0)
			return rc;
		done += mode == SEND_ONE ? 1 : (size_t)rc;
	}
	return (int)done;
}

/* Receive in batches of `batch` until n arrived or 500 ms of silence. */
static size_t recv_all(mcast_t *rx, size_t n, size_t batch,
		       const struct mcast_dgram *sent, size_t *bad)
{
	struct mcast_meta meta[64];
	struct mcast_dgram v[64];
	size_t got = 0;

	*bad = 0;
	while (got < n) {
		for (size_t i = 0; i < batch; i++) {
			mcast_meta_init(&meta[i]);
			v[i] = (struct mcast_dgram){ .buf = rx_bufs[i],
						     .cap = sizeof(rx_bufs[i]),
						     .meta = &meta[i] };
		}
		int rc = mcast_recv_batch(rx, v, batch, 500);

		if (rc <= 0)
			break;
		for (int i = 0; i < rc && got < n; i++, got++) {
			const struct mcast_dgram *s = &sent[got];

			if (v[i].len != s->len || meta[i].len != s->len ||
			    memcmp(v[i].buf, s->buf, s->len) != 0 ||
			    !(meta[i].flags & MCAST_META_DST))
				(*bad)++;
		}
	}
	return got;
}

static void test_matrix(void)
{
	static const size_t sizes[] = { 64, 333, 1400 };
	struct mcast_dgram v[MAXN];

	for (int mode = SEND_ONE; mode <= SEND_GSO; mode++)
		for (int gro = 0; gro <= 1; gro++)
			for (size_t s = 0; s < 3; s++) {
				char ctx[64];
				size_t n = fill(MAXN, sizes[s], v), bad;
				mcast_t *rx = open_rx(gro),
					*tx = open_tx(mode == SEND_GSO);

				snprintf(ctx, sizeof(ctx),
					 "send %s, gro %d, size %zu",
					 send_names[mode], gro, sizes[s]);
				check_ctx = ctx;
				CHECK_CODE(send_all(tx, mode, v, n), (int)n);
				CHECK_EQ_INT(recv_all(rx, n, 16, v, &bad), n);
				CHECK_EQ_INT(bad, 0);
				check_ctx = NULL;
				mcast_close(tx);
				mcast_close(rx);
			}
}

/* A batch of 3 from coalesced buffers of ~46 segments: the rest waits,
 * and the handle's fd stays readable while it does. */
static void test_gro_small_batches(void)
{
	struct mcast_dgram v[MAXN];
	size_t n = fill(MAXN, 1400, v), bad;
	mcast_t *rx = open_rx(true), *tx = open_tx(true);
	struct mcast_meta meta;
	struct mcast_dgram one = { .buf = rx_bufs[0],
				   .cap = 65536,
				   .meta = &meta };

	CHECK_CODE(send_all(tx, SEND_GSO, v, n), (int)n);
	mcast_meta_init(&meta);
	CHECK_EQ_INT(mcast_recv_batch(rx, &one, 1, 500), 1);
	struct pollfd p = { .fd = mcast_fd(rx), .events = POLLIN };
	CHECK_EQ_INT(poll(&p, 1, 0), 1);
	/* The first one was taken above: compare the rest from v[1]. */
	CHECK_EQ_INT(recv_all(rx, n - 1, 3, v + 1, &bad), n - 1);
	CHECK_EQ_INT(bad, 0);
	CHECK_EQ_INT(poll(&p, 1, 0), 0);
	/* And again: the fd is raised and lowered once per cycle. */
	CHECK_CODE(send_all(tx, SEND_GSO, v, n), (int)n);
	CHECK_EQ_INT(mcast_recv_batch(rx, &one, 1, 500), 1);
	CHECK_EQ_INT(poll(&p, 1, 0), 1);
	CHECK_EQ_INT(recv_all(rx, n - 1, 5, v + 1, &bad), n - 1);
	CHECK_EQ_INT(bad, 0);
	CHECK_EQ_INT(poll(&p, 1, 0), 0);
	mcast_close(tx);
	mcast_close(rx);
}

/* Segments larger than the MTU: the kernel refuses UDP_SEGMENT, the
 * sender falls back to sendmmsg (fragmenting), says so, loses nothing. */
static void test_gso_fallback(void)
{
	struct mcast_dgram v[MAXN];
	struct mcast_info info = { .size = sizeof(info) };
	size_t n = fill(40, 1400, v), bad;
	mcast_t *rx, *tx;

	if (!CHECK(netns_set_lo_mtu(1200) == 0))
		return;
	rx = open_rx(false);
	tx = open_tx(true);
	mcast_get_info(tx, &info);
	CHECK(!(info.warnings & MCAST_WARN_GSO_OFF));
	CHECK_CODE(send_all(tx, SEND_GSO, v, n), (int)n);
	mcast_get_info(tx, &info);
	CHECK(info.warnings & MCAST_WARN_GSO_OFF);
	CHECK_EQ_INT(recv_all(rx, n, 16, v, &bad), n);
	CHECK_EQ_INT(bad, 0);
	mcast_close(tx);
	mcast_close(rx);
	netns_set_lo_mtu(65536);
}

/* Whole buffers per call: 16 buffers of at most 64 segments and at most
 * 65507 bytes, at least one datagram each. */
static void test_gso_batch(void)
{
	CHECK_EQ_INT(mcast_gso_batch(64), 16 * 64);
	CHECK_EQ_INT(mcast_gso_batch(1023), 16 * 64);
	CHECK_EQ_INT(mcast_gso_batch(1024), 16 * 63);
	CHECK_EQ_INT(mcast_gso_batch(1400), 16 * 46);
	CHECK_EQ_INT(mcast_gso_batch(32753), 16 * 2);
	CHECK_EQ_INT(mcast_gso_batch(32754), 16);
	CHECK_EQ_INT(mcast_gso_batch(65507), 16);
	CHECK_EQ_INT(mcast_gso_batch(100000), 16);
	CHECK_EQ_INT(mcast_gso_batch(0), 16 * 64);
}

int main(void)
{
	netns_enter();
	test_gso_batch();
	if (!CHECK(netns_set_lo_up() == 0))
		return check_done();
	test_matrix();
	test_gro_small_batches();
	test_gso_fallback();
	return check_done();
}
