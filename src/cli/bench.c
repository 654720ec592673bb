/* SPDX-License-Identifier: MIT */
/*
 * mcast bench: how fast this machine moves multicast through the kernel.
 * A sender thread and a receiver thread, pinned to different cores when
 * there are two, over lo (or --iface) for --duration; sequence-checked so
 * loss is exact, with each thread's CPU time.
 */
#include "cli.h"
#include "format.h"
#include "json.h"
#include "opts.h"
#include "sealing.h"
#include "bench_stream.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define BENCH_GROUP "239.255.77.77:7777"
#define TX_BATCH    1024 /* datagrams per send call in mmsg/gso modes, at most */
#define RX_BATCH    64
#define RX_CAP	    2048 /* per-datagram buffer; GRO splits into these */
#define DRAIN_MS    200	 /* quiet that ends a run once the sender stopped */
/* A paced sender hands the kernel at most what the rate allows in this
 * long, so no call runs ahead of the schedule (or past --duration). */
#define PACE_STEP 0.001

enum bench_mode { MODE_PLAIN, MODE_MMSG, MODE_GSO };

static const char *const mode_names[] = { "plain", "mmsg", "gso" };

struct bench {
	const char *iface;
	struct sockaddr_storage group;
	struct mcast_bind bind; /* sealed: the group's */
	double duration;
	size_t size;
	enum bench_mode mode;
	bool gro, json, busy_poll;
	bool no_analysis; /* --stream traffic counted, not analyzed */
	double rate;	  /* datagrams/s; 0: as fast as the sender can */
	int stream;	  /* MCAST_STREAM_MCAST, _RTP, _TS or _RTP_TS */
	int rcvbuf;
	struct sealing_cfg sealing_cfg;
	struct sealing tx_sealing, rx_sealing; /* one per thread */

	/* results */
	uint64_t sent, tx_errors;
	double tx_secs, tx_cpu, rx_secs, rx_cpu;
	volatile int tx_done; /* set by the sender, read by the receiver */
	mcast_tracker_t *tracker;
	struct mcast_info rx_info, tx_info;
	int rx_rc, tx_rc;
	pthread_barrier_t ready;
};

static double thread_cpu(void)
{
	struct rusage ru;

	getrusage(RUSAGE_THREAD, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* Two threads each busy a core; sharing one would halve both. */
static void pin(int cpu)
{
	cpu_set_t set;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

static void *sender(void *arg)
{
	struct bench *b = arg;
	struct mcast_opts o;
	struct mcast_hdr h = { .type = MCAST_MSG_DATA };
	struct mcast_dgram *v = calloc(TX_BATCH, sizeof(*v));
	unsigned char *bufs = calloc(TX_BATCH, b->size);
	size_t whole = mcast_gso_batch(b->size);
	size_t batch = b->mode == MODE_PLAIN			 ? 1
		       : b->mode == MODE_GSO && whole < TX_BATCH ? whole
								 : TX_BATCH;
	mcast_t *tx = NULL;
	double start, end, cpu0;
	uint64_t limit = UINT64_MAX;
	uint64_t t0 = 0;

	pin(0);
	mcast_opts_init(&o);
	o.iface = b->iface;
	o.loop = 1; /* the receiver is on this host */
	o.flags = b->mode == MODE_GSO ? MCAST_OPT_GSO : 0;
	if (strcmp(b->iface, "lo") == 0)
		mcast_addr_parse("127.0.0.1", MCAST_PARSE_UNICAST, &o.bind);
	b->tx_rc = !v || !bufs ? -ENOMEM
			       : mcast_sender_open(
					 &tx, (struct sockaddr *)&b->group, &o);
	pthread_barrier_wait(&b->ready);
	if (b->tx_rc < 0 || b->rx_rc < 0)
		goto out;
	mcast_session_new(h.session);
	h.payload_len = (uint16_t)(b->size - MCAST_WIRE_HDR_LEN -
				   sealing_overhead(&b->tx_sealing));
	for (size_t i = 0; i < TX_BATCH; i++) {
		v[i] = (struct mcast_dgram){ .buf = bufs + i * b->size,
					     .len = b->size };
		mcast_hdr_encode(&h, v[i].buf, b->size);
	}
	cpu0 = thread_cpu();
	start = cli_now();
	t0 = cli_monotonic_ns();
	end = start + b->duration;
	if (b->rate > 0) {
		double step = b->rate * PACE_STEP;
		double share = b->rate * b->duration - 1e-9; /* rounded up */

		if (step < (double)batch)
			batch = step < 1 ? 1 : (size_t)step;
		limit = (uint64_t)share + ((double)(uint64_t)share < share);
	}
	while (!cli_stop && b->sent < limit) {
		size_t n = batch;
		double now = cli_now();

		if (now >= end)
			break;
		/* Paced runs find the highest rate delivered without loss:
		 * datagram k is due at start + k / rate. */
		if (b->rate > 0) {
			uint64_t due = (uint64_t)((now - start) * b->rate) + 1;

			if (due > limit)
				due = limit;
			if (due <= b->sent) {
				double next = start + (double)b->sent / b->rate;

				cli_sleep_until(next < end ? next : end);
				continue;
			}
			if (due - b->sent < n)
				n = (size_t)(due - b->sent);
		}
		/* Opening checks freshness against the send time. */
		h.send_ns = cli_realtime_ns();
		h.elapsed_ns = cli_monotonic_ns() - t0;
		for (size_t i = 0; i < n; i++) {
			if (b->stream != MCAST_STREAM_MCAST) {
				bench_stream_stamp(b->stream, v[i].buf, b->size,
						   b->sent + i);
				continue;
			}
			if (!sealing_on(&b->tx_sealing)) {
				mcast_hdr_stamp(v[i].buf, b->sent + i,
						h.send_ns, h.elapsed_ns);
				continue;
			}
			h.seq = b->sent + i;
			mcast_hdr_encode(&h, v[i].buf, b->size);
			sealing_reseal(&b->tx_sealing, &b->bind, v[i].buf,
				       b->size, "", 0);
		}
		/* What the kernel did not take yet goes again as it is: a
		 * sealed datagram is never sealed twice under one number. */
		size_t off = 0;

		while (off < n && !cli_stop && !b->tx_rc) {
			int rc = mcast_send_batch(tx, v + off, n - off);

			if (rc >= 0) {
				off += (size_t)rc;
			} else if (rc == -ENOBUFS || rc == -EAGAIN ||
				   rc == -EINTR) {
				b->tx_errors++;
			} else {
				b->tx_rc = rc;
			}
		}
		b->sent += off;
		if (b->tx_rc)
			break;
	}
	/* A paced run that sent its share early still lasted --duration. */
	if (b->rate > 0 && !cli_stop)
		cli_sleep_until(end);
	b->tx_secs = cli_now() - start;
	b->tx_cpu = thread_cpu() - cpu0;
	mcast_info_init(&b->tx_info);
	mcast_get_info(tx, &b->tx_info);
	/* The end-of-stream marker lets the tracker count tail loss; other
	 * streams have none (their receiver stops when it goes quiet). */
	if (b->stream != MCAST_STREAM_MCAST)
		goto out;
	unsigned char end_msg[MCAST_WIRE_HDR_LEN + MCAST_END_BODY_LEN +
			      MCAST_TAG_LEN];
	size_t end_len;

	end_len = MCAST_WIRE_HDR_LEN + MCAST_END_BODY_LEN;
	h.type = MCAST_MSG_END;
	h.seq = 0;
	h.payload_len = MCAST_END_BODY_LEN;
	h.elapsed_ns = cli_monotonic_ns() - t0;
	mcast_hdr_encode(&h, end_msg, sizeof(end_msg));
	mcast_end_encode(&(struct mcast_end){ .total = b->sent },
			 end_msg + MCAST_WIRE_HDR_LEN, MCAST_END_BODY_LEN);
	if (sealing_on(&b->tx_sealing))
		end_len = sealing_seal(&b->tx_sealing, &b->bind, end_msg,
				       end_len, sizeof(end_msg));
	mcast_send(tx, end_msg, end_len);
out:
	__atomic_store_n(&b->tx_done, 1, __ATOMIC_RELEASE);
	mcast_close(tx);
	free(v);
	free(bufs);
	return NULL;
}

static void *receiver(void *arg)
{
	static unsigned char bufs[RX_BATCH][RX_CAP];
	struct bench *b = arg;
	struct mcast_meta meta[RX_BATCH];
	struct mcast_dgram v[RX_BATCH];
	struct mcast_opts o;
	mcast_t *rx = NULL;
	double first = 0, last = 0, cpu0, quiet_until = 0;

	pin(1);
	mcast_opts_init(&o);
	o.iface = b->iface;
	o.rcvbuf = b->rcvbuf;
	/* One known sender: its address per datagram would be wasted work. */
	o.flags = MCAST_OPT_NO_SOURCE | (b->gro ? MCAST_OPT_GRO : 0);
	if (b->busy_poll)
		o.flags |= MCAST_OPT_BUSY_POLL;
	/* The sequence numbers are all it counts: no per-datagram metadata
	 * (each kind costs the kernel work; see struct mcast_opts.meta). */
	o.meta = 0;
	/* Jitter and the TR 101 290 timing need arrival times. */
	if (b->stream != MCAST_STREAM_MCAST)
		o.meta = MCAST_META_TS;
	b->rx_rc = mcast_receiver_open(&rx, &o);
	if (b->rx_rc == 0)
		b->rx_rc =
			mcast_join(rx, (struct sockaddr *)&b->group, NULL, 0);
	pthread_barrier_wait(&b->ready);
	if (b->rx_rc < 0 || b->tx_rc < 0)
		goto out;
	for (size_t i = 0; i < RX_BATCH; i++) {
		mcast_meta_init(&meta[i]);
		v[i] = (struct mcast_dgram){ .buf = bufs[i],
					     .cap = RX_CAP,
					     .meta = &meta[i] };
	}
	cpu0 = thread_cpu();
	for (;;) {
		struct timespec now;
		int rc;

		rc = mcast_recv_batch(rx, v, RX_BATCH, 50);
		if (rc < 0 && rc != -EINTR) {
			b->rx_rc = rc;
			break;
		}
		if (rc > 0) {
			last = cli_now();
			if (first == 0)
				first = last;
		}
		if (rc > 0 && sealing_on(&b->rx_sealing))
			clock_gettime(CLOCK_REALTIME, &now);
		for (int i = 0; i < rc; i++) {
			struct mcast_hdr h;
			int n;

			if (!sealing_on(&b->rx_sealing)) {
				mcast_tracker_feed(b->tracker, v[i].buf,
						   v[i].len, &meta[i]);
				continue;
			}
			/* The opener decoded the header: not again. */
			n = sealing_open(&b->rx_sealing, &b->bind, v[i].buf,
					 v[i].len, &now, &h);
			if (n >= 0)
				mcast_tracker_feed_hdr(b->tracker, v[i].buf,
						       (size_t)n, &meta[i],
						       h.hdr_len, &h);
		}
		if (__atomic_load_n(&b->tx_done, __ATOMIC_ACQUIRE)) {
			/* A receiver that lags behind its sender is still
			 * draining its queue: the quiet period starts at the
			 * last arrival, or what was queued would go unread. */
			if (quiet_until == 0 || rc > 0)
				quiet_until = cli_now() + DRAIN_MS / 1000.0;
			if (mcast_tracker_all_ended(b->tracker) ||
			    cli_now() > quiet_until)
				break;
		}
	}
	b->rx_cpu = thread_cpu() - cpu0;
	b->rx_secs = last > first ? last - first : 0;
	mcast_info_init(&b->rx_info);
	mcast_get_info(rx, &b->rx_info);
out:
	mcast_close(rx);
	return NULL;
}

static int bench_report(const struct bench *b)
{
	struct mcast_stream_stats tot;
	double bits = (double)b->size * 8;

	mcast_stream_stats_init(&tot);
	mcast_tracker_totals(b->tracker, &tot);
	double tx_pps = b->tx_secs > 0 ? (double)b->sent / b->tx_secs : 0;
	double rx_pps = b->rx_secs > 0 ? (double)tot.received / b->rx_secs : 0;
	double cpu_tx = b->tx_secs > 0 ? 100 * b->tx_cpu / b->tx_secs : 0;
	double cpu_rx = b->rx_secs > 0 ? 100 * b->rx_cpu / b->rx_secs : 0;
	const char *mode = mode_names[b->mode];
	/* Streams without a sequence per datagram (MPEG-TS over UDP), or
	 * whose sequence is not read (--no-analysis): the sender's count says
	 * what was lost. */
	uint64_t lost =
		b->stream == MCAST_STREAM_TS || b->no_analysis
			? (b->sent > tot.received ? b->sent - tot.received : 0)
			: tot.lost;

	/* The mode that really ran: the kernel may have refused GSO/GRO. */
	if (b->mode == MODE_GSO && (b->tx_info.warnings & MCAST_WARN_GSO_OFF))
		mode = "mmsg (gso refused)";
	bool gro = b->gro && !(b->rx_info.warnings & MCAST_WARN_GRO_OFF);

	struct mcast_rejects rej;
	char how[96], words[512];
	uint64_t bad = 0;

	sealing_describe(&b->tx_sealing, how, sizeof(how));
	if (sealing_rejects(&b->rx_sealing, &rej))
		bad = sealing_reject_words(&rej, words, sizeof(words));
	if (b->json) {
		bool sealed = sealing_on(&b->tx_sealing);
		struct json j;

		json_record(&j, stdout, "bench");
		json_string(&j, "iface", b->iface);
		json_uint(&j, "size", b->size);
		if (sealed)
			json_string(&j, "sealed",
				    b->sealing_cfg.cipher ==
						    MCAST_CIPHER_AES256GCM
					    ? "aes-256-gcm"
					    : "chacha20-poly1305");
		else
			json_bool(&j, "sealed", false);
		json_bool(&j, "auth_only", sealed && b->sealing_cfg.auth_only);
		json_uint(&j, "rejected", bad);
		json_string(&j, "mode", mode);
		if (b->stream != MCAST_STREAM_MCAST) {
			json_string(&j, "stream", mcast_stream_name(b->stream));
			json_bool(&j, "analysis", !b->no_analysis);
		}
		json_bool(&j, "gro", gro);
		json_double(&j, "duration", b->tx_secs, 3);
		json_uint(&j, "sent", b->sent);
		json_uint(&j, "received", tot.received);
		json_uint(&j, "lost", lost);
		json_uint(&j, "duplicates", tot.duplicates);
		json_double(&j, "tx_pps", tx_pps, 0);
		json_double(&j, "rx_pps", rx_pps, 0);
		json_double(&j, "tx_gbps", tx_pps * bits / 1e9, 3);
		json_double(&j, "rx_gbps", rx_pps * bits / 1e9, 3);
		json_double(&j, "cpu_tx_pct", cpu_tx, 1);
		json_double(&j, "cpu_rx_pct", cpu_rx, 1);
		json_int(&j, "rcvbuf", b->rx_info.rcvbuf_effective);
		if (!b->no_analysis &&
		    (tot.ts_packets || b->stream == MCAST_STREAM_TS)) {
			json_uint(&j, "ts_packets", tot.ts_packets);
			json_uint(&j, "cc_errors", tot.ts_cc_errors);
		}
		json_end(&j);
	} else {
		char iface[4 * IF_NAMESIZE + 8];

		fmt_text_safe(iface, sizeof(iface), b->iface, strlen(b->iface));
		printf("%s, %zu-byte %s%sdatagrams%s, send %s, receive %s, %.1f s%s\n",
		       iface, b->size,
		       b->stream == MCAST_STREAM_MCAST
			       ? ""
			       : mcast_stream_name(b->stream),
		       b->stream == MCAST_STREAM_MCAST ? "" : " ",
		       b->no_analysis ? " (not analyzed)" : "", mode,
		       gro ? "gro" : "recvmmsg", b->tx_secs, how);
		printf("sent      %12llu  %10.0f datagrams/s  %7.3f Gbit/s  cpu %5.1f%%\n",
		       (unsigned long long)b->sent, tx_pps, tx_pps * bits / 1e9,
		       cpu_tx);
		printf("delivered %12llu  %10.0f datagrams/s  %7.3f Gbit/s  cpu %5.1f%%\n",
		       (unsigned long long)tot.received, rx_pps,
		       rx_pps * bits / 1e9, cpu_rx);
		printf("lost      %12llu  (%.4f%%), duplicates %llu\n",
		       (unsigned long long)lost,
		       b->sent ? 100.0 * (double)lost / (double)b->sent : 0,
		       (unsigned long long)tot.duplicates);
		if (tot.ts_packets)
			printf("TS packets %llu, cc errors %llu\n",
			       (unsigned long long)tot.ts_packets,
			       (unsigned long long)tot.ts_cc_errors);
	}
	if (bad) {
		fprintf(stderr, "%s: rejected %llu datagrams: %s\n", cli_prog,
			(unsigned long long)bad, words);
		return EXIT_RUNTIME;
	}
	if (tot.received == 0) {
		fprintf(stderr, "%s: nothing was delivered\n", cli_prog);
		return EXIT_RUNTIME;
	}
	return EXIT_OK;
}

static void bench_mode(void *mode, const char *value)
{
	int m = 0;

	while (m < 3 && strcmp(value, mode_names[m]) != 0)
		m++;
	if (m == 3)
		cli_bad_value("--mode", value, "plain, mmsg or gso");
	*(enum bench_mode *)mode = (enum bench_mode)m;
}

static void bench_stream_parse(void *field, const char *value)
{
	if ((*(int *)field = bench_stream_type(value)) < 0)
		cli_bad_value("--stream", value, "mcast, rtp, ts or rtp-ts");
}

#define OPT(name, kind, field) CLI_OPT(name, kind, struct bench, field)

static const struct cli_opt bench_opts[] = {
	CLI_OPT_IFACE(struct bench, iface, "interface (default lo)"),
	CLI_OPT_DURATION(struct bench, duration, 0.1, 3600,
			 "how long the sender sends (default 3)"),
	{ OPT("size", CLI_INT, size), .lo = MCAST_WIRE_HDR_LEN, .hi = RX_CAP,
	  .arg = "BYTES",
	  .help = "UDP payload per datagram, 56-2048 (default 64;\n72 with --key)" },
	{ OPT("mode", CLI_FN, mode), .fn = bench_mode, .arg = "MODE",
	  .help = "send path: plain (one datagram per call), mmsg\n"
		  "(sendmmsg batches) or gso (UDP_SEGMENT); default mmsg" },
	{ OPT("gro", CLI_FLAG, gro),
	  .help = "receive coalesced buffers (UDP_GRO) and split them" },
	{ OPT("busy-poll", CLI_FLAG, busy_poll),
	  .help = "the receiver spins instead of sleeping, which also\n"
		  "spares the sender the cost of waking it" },
	{ OPT("stream", CLI_FN, stream), .fn = bench_stream_parse,
	  .arg = "TYPE",
	  .help = "datagrams of mcast probes (default), rtp, ts or\n"
		  "rtp-ts, analyzed as recv --stream does (size 1328,\n"
		  "ts 1316)" },
	{ OPT("no-analysis", CLI_FLAG, no_analysis),
	  .help = "with --stream: the receiver counts the datagrams\n"
		  "without analyzing them (recv --stream none), the\n"
		  "baseline of what the analysis costs" },
	{ OPT("rate", CLI_RATE, rate), .min = 1, .max = 1e9, .arg = "PPS",
	  .help = "pace the sender (k, M suffixes); default: full speed" },
	CLI_OPT_RCVBUF(struct bench, rcvbuf, 4096,
		       "receive buffer (default 32M; K, M suffixes)"),
	SEALING_OPT_KEY(struct bench, sealing_cfg,
			"seal every datagram (and open it) with a key of FILE"),
	CLI_INCLUDE(sealing_seal_opts, struct bench, sealing_cfg),
	CLI_OPT_JSON(struct bench, json, "text (default) or json"),
	{ 0 }
};

const struct cli_spec bench_spec = {
	.head = "usage: mcast bench [OPTIONS]\n\n"
		"Measure multicast throughput through this machine's kernel: a sender\n"
		"and a receiver thread on separate cores, over lo unless --iface says\n"
		"otherwise, with exact sequence-checked loss.\n\n",
	.opts = bench_opts,
};

static void parse_args(int argc, char **argv, struct bench *b)
{
	struct cli_parsed p;
	int next;

	sealing_cfg_init(&b->sealing_cfg);
	b->iface = "lo";
	b->duration = 3;
	b->size = 64;
	b->mode = MODE_MMSG;
	b->rcvbuf = 32 << 20;
	next = cli_parse(argc, argv, &bench_spec, b, &p);
	cli_no_more(argc, argv, next);
	/* What IPTV sends: 7 TS packets, after an RTP header or not. */
	if (b->stream != MCAST_STREAM_MCAST && !cli_given(&p, "size"))
		b->size = (b->stream == MCAST_STREAM_TS ? 0 : RTP_HDR_LEN) +
			  7 * TS_LEN;
	if (b->no_analysis && b->stream == MCAST_STREAM_MCAST)
		cli_die(EXIT_USAGE,
			"--no-analysis needs --stream rtp, ts or rtp-ts: mcast probes are always counted by their sequence");
	if (b->stream != MCAST_STREAM_MCAST && b->sealing_cfg.key_file)
		cli_die(EXIT_USAGE,
			"--stream %s measures a stream's analysis, not sealing: give --stream or --key, not both",
			mcast_stream_name(b->stream));
	if ((b->stream == MCAST_STREAM_TS && b->size % TS_LEN) ||
	    (b->stream == MCAST_STREAM_RTP_TS &&
	     (b->size - RTP_HDR_LEN) % TS_LEN))
		cli_die(EXIT_USAGE,
			"--size %zu does not hold whole 188-byte TS packets%s; try %d",
			b->size,
			b->stream == MCAST_STREAM_TS ? ""
						     : " after the RTP header",
			(b->stream == MCAST_STREAM_TS ? 0 : RTP_HDR_LEN) +
				7 * TS_LEN);
	/* The default 64 bytes hold a header, not also a tag. */
	if (b->sealing_cfg.key_file && !cli_given(&p, "size"))
		b->size = MCAST_WIRE_HDR_LEN + MCAST_TAG_LEN;
	if (b->sealing_cfg.key_file &&
	    b->size < MCAST_WIRE_HDR_LEN + MCAST_TAG_LEN)
		cli_die(EXIT_USAGE,
			"--size %zu is too small for the %d-byte header and %d-byte tag of a sealed datagram",
			b->size, MCAST_WIRE_HDR_LEN, MCAST_TAG_LEN);
}

int cmd_bench(int argc, char **argv)
{
	static struct bench b;
	pthread_t t[2];
	int rc;

	parse_args(argc, argv, &b);
	mcast_addr_parse(BENCH_GROUP, MCAST_PARSE_GROUP | MCAST_PARSE_PORT,
			 &b.group);
	struct mcast_tracker_opts topts;

	mcast_tracker_opts_init(&topts);
	/* Without analysis the same datagrams arrive the same way, with
	 * arrival times, and each is counted as a plain one: what is left is
	 * the analyzers' own cost. */
	topts.stream = b.no_analysis ? MCAST_STREAM_NONE : b.stream;
	if ((rc = mcast_tracker_new(&b.tracker, &topts)) < 0)
		cli_die(EXIT_RUNTIME, "cannot allocate statistics: %s",
			mcast_strerror(rc));
	sealing_start(&b.tx_sealing, &b.sealing_cfg, SEALING_SEAL);
	if (sealing_on(&b.tx_sealing))
		sealing_bind(&b.bind, &b.group);
	sealing_start(&b.rx_sealing, &b.sealing_cfg, SEALING_OPEN);
	cli_signals();
	pthread_barrier_init(&b.ready, NULL, 2);
	if (pthread_create(&t[0], NULL, receiver, &b) != 0 ||
	    pthread_create(&t[1], NULL, sender, &b) != 0)
		cli_die(EXIT_RUNTIME, "cannot start threads");
	pthread_join(t[1], NULL);
	pthread_join(t[0], NULL);
	if (b.rx_rc < 0)
		cli_fail_step(b.rx_rc == MCAST_ENOIFACE ? EXIT_USAGE
							: EXIT_RUNTIME,
			      "", b.rx_rc, "receiver");
	if (b.tx_rc < 0)
		cli_fail_step(b.tx_rc == MCAST_ENOIFACE ? EXIT_USAGE
							: EXIT_RUNTIME,
			      "", b.tx_rc, "sender");
	rc = bench_report(&b);
	mcast_tracker_free(b.tracker);
	sealing_stop(&b.tx_sealing);
	sealing_stop(&b.rx_sealing);
	return rc;
}
