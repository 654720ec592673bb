/* SPDX-License-Identifier: MIT */
/*
 * Error codes and argument checks: mcast_strerror() names every code,
 * every public call is NULL-safe, and the *_init() defaults are the
 * documented ones.  No network: the only handle opened is a receiver
 * without groups (an epoll fd), and the senders asked for fail their
 * checks before a socket exists.
 */
#include "check.h"
#include "mcast.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* The codes this test knows by name; the range check below also covers
 * any code added later between -10001 and MCAST_ERROR_MIN. */
static const int lib_codes[] = {
	MCAST_EADDR,	  MCAST_ENOTMCAST,     MCAST_ENOIFACE, MCAST_ENEEDIFACE,
	MCAST_EFAMILY,	  MCAST_EROLE,	       MCAST_ELIMIT,   MCAST_ENOTSOURCE,
	MCAST_EIFDOWN,	  MCAST_ENOTMCAST_MSG, MCAST_EVERSION, MCAST_ESHORT,
	MCAST_EMALFORMED, MCAST_ECIPHER,
};
#define NCODES (sizeof(lib_codes) / sizeof(lib_codes[0]))

static void test_strerror_lib_codes(void)
{
	const int ncodes = -10001 - MCAST_ERROR_MIN + 1;
	const char *names[64];

	CHECK(ncodes >= (int)NCODES && ncodes <= 64);
	for (size_t i = 0; i < NCODES; i++)
		CHECK(lib_codes[i] <= -10001 &&
		      lib_codes[i] >= MCAST_ERROR_MIN);
	/* Every code from -10001 to MCAST_ERROR_MIN has its own name. */
	for (int i = 0; i < ncodes && i < 64; i++) {
		int code = -10001 - i;
		char ctx[32];

		snprintf(ctx, sizeof(ctx), "code %d", code);
		check_ctx = ctx;
		names[i] = mcast_strerror(code);
		if (!CHECK(names[i] != NULL)) {
			names[i] = "";
			continue;
		}
		CHECK(names[i][0] != '\0');
		CHECK(strcmp(names[i], "unknown error") != 0);
		CHECK(strcmp(names[i], "success") != 0);
		for (int j = 0; j < i; j++)
			CHECK(strcmp(names[i], names[j]) != 0);
	}
	check_ctx = NULL;
	CHECK_STR(mcast_strerror(MCAST_EADDR), "malformed address");
	CHECK_STR(mcast_strerror(MCAST_ENOIFACE), "no such interface");
}

static void test_strerror_errno(void)
{
	CHECK_STR(mcast_strerror(-ENODEV), "No such device");
	CHECK_STR(mcast_strerror(-EADDRINUSE), "Address already in use");
	CHECK_STR(mcast_strerror(-EINVAL), "Invalid argument");
	CHECK_STR(mcast_strerror(-ETIMEDOUT), "Connection timed out");
	CHECK_STR(mcast_strerror(-ENETUNREACH), "Network is unreachable");
	CHECK_STR(mcast_strerror(0), "success");
	CHECK_STR(mcast_strerror(16), "success"); /* >= 0: a length */

	/* Unknown codes: a string, never NULL, in the gaps and beyond. */
	static const int unknown[] = { -10000, -10010,	-9999,
				       -4000,  -100000, INT_MIN + 1 };
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		const char *s = mcast_strerror(unknown[i]);

		if (CHECK(s != NULL))
			CHECK(s[0] != '\0');
	}
	CHECK_STR(mcast_strerror(MCAST_ERROR_MIN - 1), "unknown error");
	CHECK_STR(mcast_strerror(-10000), "unknown error");
}

/*
 * mcast_strerror(INT_MIN) computes -INT_MIN: signed overflow, undefined
 * behaviour.  A plain build happens to wrap and say "unknown error"; under
 * UBSan (the asan preset) the process aborts.  Run it in a child so the
 * abort is one failed check, not a crashed test.
 */
static void test_strerror_int_min(void)
{
	int status = 0;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (!CHECK(pid >= 0))
		return;
	if (pid == 0) {
		const char *s = mcast_strerror(INT_MIN);

		_exit(s && *s ? 0 : 1);
	}
	if (!CHECK(waitpid(pid, &status, 0) == pid))
		return;
	CHECK_BUG("mcast_strerror(INT_MIN) negates INT_MIN (undefined "
		  "behaviour; UBSan aborts)",
		  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0));
}

static void test_null_handles(void)
{
	struct mcast_info info = { .size = sizeof(info) };
	struct mcast_dgram d = { 0 };
	struct mcast_meta meta;
	struct mcast_iface ifc;
	struct sockaddr_storage group;
	mcast_t *m = (mcast_t *)&m; /* must be overwritten with NULL */
	char buf[16] = "x";

	mcast_close(NULL);
	CHECK_STR(mcast_errmsg(NULL), "");
	CHECK(mcast_fd(NULL) < 0);
	CHECK(mcast_get_info(NULL, &info) < 0);
	CHECK_CODE(mcast_send(NULL, buf, 1), -EINVAL);
	CHECK_CODE(mcast_send_batch(NULL, &d, 1), -EINVAL);
	mcast_meta_init(&meta);
	CHECK_CODE(mcast_recv(NULL, buf, sizeof(buf), &meta, 0), -EINVAL);
	CHECK_CODE(mcast_recv_batch(NULL, &d, 1, 0), -EINVAL);

	CHECK(mcast_addr_parse("239.1.2.3:1600",
			       MCAST_PARSE_GROUP | MCAST_PARSE_PORT,
			       &group) > 0);
	CHECK_CODE(mcast_join(NULL, (struct sockaddr *)&group, NULL, 0),
		   -EINVAL);
	CHECK_CODE(mcast_sender_open(NULL, (struct sockaddr *)&group, NULL),
		   -EINVAL);
	CHECK_CODE(mcast_sender_open(&m, NULL, NULL), -EINVAL);
	CHECK(m == NULL);
	CHECK_CODE(mcast_receiver_open(NULL, NULL), -EINVAL);

	CHECK_CODE(mcast_iface_lookup(NULL, &ifc), -EINVAL);
	CHECK_CODE(mcast_iface_lookup("lo", NULL), -EINVAL);
	CHECK_CODE(mcast_iface_by_index(1, NULL), -EINVAL);
	CHECK_CODE(mcast_iface_by_index(0, &ifc), MCAST_ENOIFACE);
	CHECK(mcast_route_iface(NULL) < 0);
	mcast_opts_init(NULL);
}

static void test_opts_init(void)
{
	struct mcast_opts o;
	struct mcast_meta meta;

	memset(&o, 0xa5, sizeof(o));
	mcast_opts_init(&o);
	CHECK_EQ_INT(o.size, sizeof(struct mcast_opts));
	CHECK(o.iface == NULL);
	CHECK_EQ_INT(o.ttl, -1);
	CHECK_EQ_INT(o.loop, -1);
	CHECK_EQ_INT(o.bind.ss_family, AF_UNSPEC);
	CHECK_EQ_INT(o.rcvbuf, 0);
	CHECK_EQ_INT(o.sndbuf, 0);
	CHECK_EQ_INT(o.flags, 0);
	CHECK(o.errbuf == NULL);
	CHECK_EQ_INT(o.errlen, 0);

	memset(&meta, 0xa5, sizeof(meta));
	mcast_meta_init(&meta);
	CHECK_EQ_INT(meta.size, sizeof(struct mcast_meta));
	CHECK_EQ_INT(meta.flags, 0);
	CHECK_EQ_INT(meta.ttl, -1);
	CHECK_EQ_INT(meta.len, 0);
	CHECK_EQ_INT(meta.ifindex, 0);
}

/* Every size-versioned struct the library fills has an init function that
 * sets its size and zeroes the rest, and ignores NULL. */
static void test_sized_inits(void)
{
	struct mcast_info info;
	struct mcast_stream_stats ss;
	struct mcast_pid_stats ps;
	struct mcast_rejects r;

	memset(&info, 0xa5, sizeof(info));
	mcast_info_init(&info);
	CHECK_EQ_INT(info.size, sizeof(info));
	CHECK_EQ_INT(info.warnings, 0);
	CHECK_EQ_INT(info.kernel_drops, 0);
	memset(&ss, 0xa5, sizeof(ss));
	mcast_stream_stats_init(&ss);
	CHECK_EQ_INT(ss.size, sizeof(ss));
	CHECK_EQ_INT(ss.received, 0);
	CHECK_EQ_INT(ss.stream_malformed, 0);
	memset(&ps, 0xa5, sizeof(ps));
	mcast_pid_stats_init(&ps);
	CHECK_EQ_INT(ps.size, sizeof(ps));
	CHECK_EQ_INT(ps.packets, 0);
	memset(&r, 0xa5, sizeof(r));
	mcast_rejects_init(&r);
	CHECK_EQ_INT(r.size, sizeof(r));
	CHECK_EQ_INT(r.bad_tag, 0);
	CHECK_EQ_INT(r.unbound, 0);
	mcast_info_init(NULL);
	mcast_stream_stats_init(NULL);
	mcast_pid_stats_init(NULL);
	mcast_rejects_init(NULL);
}

/* Senders refused before any socket exists, with the step in errbuf. */
static void test_sender_refusals(void)
{
	struct sockaddr_storage group, unicast;
	struct mcast_opts o;
	char step[MCAST_ERRMSG_MAX];
	mcast_t *m = (mcast_t *)&m;

	CHECK(mcast_addr_parse("239.1.2.3:1600",
			       MCAST_PARSE_GROUP | MCAST_PARSE_PORT,
			       &group) > 0);
	CHECK(mcast_addr_parse("10.0.0.1:1600", MCAST_PARSE_PORT, &unicast) >
	      0);

	CHECK_CODE(mcast_sender_open(&m, (struct sockaddr *)&unicast, NULL),
		   MCAST_ENOTMCAST);
	CHECK(m == NULL);

	mcast_opts_init(&o);
	o.ttl = 256;
	o.errbuf = step;
	o.errlen = sizeof(step);
	m = (mcast_t *)&m;
	CHECK_CODE(mcast_sender_open(&m, (struct sockaddr *)&group, &o),
		   -EINVAL);
	CHECK(m == NULL);
	CHECK(strstr(step, "256") != NULL);

	/* errbuf is optional and truncated to errlen. */
	o.errlen = 4;
	CHECK_CODE(mcast_sender_open(&m, (struct sockaddr *)&group, &o),
		   -EINVAL);
	CHECK_EQ_INT(strlen(step), 3);
	o.errbuf = NULL;
	o.errlen = sizeof(step);
	CHECK_CODE(mcast_sender_open(&m, (struct sockaddr *)&group, &o),
		   -EINVAL);
}

/* A receiver without groups has no sockets: argument checks only. */
static void test_receiver_arguments(void)
{
	struct sockaddr_storage unicast, group;
	struct mcast_info info;
	struct mcast_dgram d = { 0 };
	char buf[8] = "abc";
	mcast_t *m = NULL;

	if (!CHECK_CODE(mcast_receiver_open(&m, NULL), 0) || !CHECK(m))
		return;
	CHECK_STR(mcast_errmsg(m), "");
	CHECK(mcast_fd(m) >= 0);

	CHECK(mcast_addr_parse("239.1.2.3:1600",
			       MCAST_PARSE_GROUP | MCAST_PARSE_PORT,
			       &group) > 0);
	CHECK_CODE(mcast_join(m, NULL, NULL, 0), -EINVAL);
	CHECK_CODE(mcast_join(m, (struct sockaddr *)&group, NULL, 2), -EINVAL);
	CHECK(mcast_addr_parse("10.0.0.1:1600", MCAST_PARSE_PORT, &unicast) >
	      0);
	CHECK_CODE(mcast_join(m, (struct sockaddr *)&unicast, NULL, 0),
		   MCAST_ENOTMCAST);
	CHECK(strstr(mcast_errmsg(m), "10.0.0.1") != NULL);

	CHECK_CODE(mcast_send(m, buf, 3), MCAST_EROLE);
	CHECK(mcast_errmsg(m)[0] != '\0');
	CHECK_CODE(mcast_recv_batch(m, &d, 0, 0), 0);
	CHECK_CODE(mcast_recv_batch(m, NULL, 1, 0), -EINVAL);
	CHECK_CODE(mcast_recv(m, buf, sizeof(buf), NULL, 0), -ETIMEDOUT);

	/* info: size too small is -EINVAL; a short struct gets its part. */
	info.size = 0;
	CHECK_CODE(mcast_get_info(m, &info), -EINVAL);
	memset(&info, 0xa5, sizeof(info));
	info.size = offsetof(struct mcast_info, iface);
	CHECK_CODE(mcast_get_info(m, &info), 0);
	CHECK_EQ_INT(info.size, offsetof(struct mcast_info, iface));
	CHECK_EQ_INT(info.is_sender, 0);
	CHECK_EQ_INT(info.iface.index, 0xa5a5a5a5u); /* untouched */
	memset(&info, 0, sizeof(info));
	info.size = sizeof(info);
	CHECK_CODE(mcast_get_info(m, &info), 0);
	CHECK_EQ_INT(info.size, sizeof(info));
	CHECK_EQ_INT(info.ngroups, 0);
	CHECK_EQ_INT(info.nsockets, 0);
	CHECK_EQ_INT(info.iface.index, 0);
	mcast_close(m);
}

int main(void)
{
	test_strerror_lib_codes();
	test_strerror_errno();
	test_null_handles();
	test_opts_init();
	test_sized_inits();
	test_sender_refusals();
	test_receiver_arguments();
	test_strerror_int_min();
	return check_done();
}
