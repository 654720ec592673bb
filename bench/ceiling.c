/* SPDX-License-Identifier: MIT */
/*
 * ceiling: what the kernel alone allows for multicast on this machine.
 * A minimal sender (UDP_SEGMENT buffers through sendmmsg) and receiver
 * (recvmmsg into small fixed buffers), one thread each on separate cores,
 * raw syscalls and nothing else: no library, no metadata, no statistics
 * beyond counting sequence numbers.  bench/compare.sh measures mcast
 * against it.
 *
 * usage: ceiling [-i IFACE] [-s SIZE] [-D SECONDS] [-r PPS] [-j]
 *   -r paces the sender (0: full speed), -j prints one JSON object.
 * Only ever run it inside a private network namespace (compare.sh does):
 * it sends to 239.255.77.78:7778 on IFACE (default lo).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define GROUP	 "239.255.77.78"
#define PORT	 7778
#define SEGS	 64 /* datagrams per segmented buffer */
#define MSGS	 16 /* buffers per sendmmsg */
#define RX_BATCH 1024
#define RX_CAP	 2048

static const char *iface = "lo";
static size_t size = 64;
static double duration = 3, rate;
static int json;
static atomic_int tx_done;
static uint64_t sent, received, out_of_order;
static double tx_secs, rx_first, rx_last;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void pin(int cpu)
{
	cpu_set_t set;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void *tx(void *arg)
{
	static unsigned char buf[MSGS][SEGS * RX_CAP];
	struct sockaddr_in g = { .sin_family = AF_INET,
				 .sin_port = htons(PORT) };
	struct ip_mreqn mr = { .imr_ifindex = (int)if_nametoindex(iface) };
	struct mmsghdr m[MSGS];
	struct iovec iov[MSGS];
	union {
		char b[CMSG_SPACE(sizeof(uint16_t))];
		struct cmsghdr a;
	} ctl[MSGS];
	size_t segs = 65000 / size < SEGS ? 65000 / size : SEGS;
	int fd, one = 1;
	double start, next;

	(void)arg;
	pin(0);
	inet_pton(AF_INET, GROUP, &g.sin_addr);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	/* On lo an unbound sender would send from 0.0.0.0, which the
	 * receive path drops as a martian: 127.0.0.1 is host-scoped. */
	if (fd >= 0 && strcmp(iface, "lo") == 0) {
		struct sockaddr_in src = { .sin_family = AF_INET };

		inet_pton(AF_INET, "127.0.0.1", &src.sin_addr);
		if (bind(fd, (struct sockaddr *)&src, sizeof(src)))
			die("sender bind");
	}
	if (fd < 0 ||
	    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mr, sizeof(mr)) ||
	    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &one, sizeof(one)) ||
	    connect(fd, (struct sockaddr *)&g, sizeof(g)))
		die("sender socket");
	memset(m, 0, sizeof(m));
	for (int i = 0; i < MSGS; i++) {
		uint16_t gso = (uint16_t)size;
		struct cmsghdr *c;

		iov[i].iov_base = buf[i];
		iov[i].iov_len = segs * size;
		m[i].msg_hdr.msg_iov = &iov[i];
		m[i].msg_hdr.msg_iovlen = 1;
		m[i].msg_hdr.msg_control = ctl[i].b;
		m[i].msg_hdr.msg_controllen = sizeof(ctl[i].b);
		c = CMSG_FIRSTHDR(&m[i].msg_hdr);
		c->cmsg_level = SOL_UDP;
		c->cmsg_type = UDP_SEGMENT;
		c->cmsg_len = CMSG_LEN(sizeof(gso));
		memcpy(CMSG_DATA(c), &gso, sizeof(gso));
	}
	usleep(100000); /* the receiver joins first */
	start = next = now();
	while (now() - start < duration) {
		for (int i = 0; i < MSGS; i++)
			for (size_t k = 0; k < segs; k++) {
				uint64_t seq = sent + (uint64_t)i * segs + k;

				memcpy(buf[i] + k * size, &seq, sizeof(seq));
			}
		int n = sendmmsg(fd, m, MSGS, 0);

		if (n < 0) {
			if (errno == ENOBUFS || errno == EAGAIN)
				continue;
			die("sendmmsg");
		}
		sent += (uint64_t)n * segs;
		if (rate > 0) {
			next += (double)n * (double)segs / rate;
			while (now() < next)
				;
		}
	}
	tx_secs = now() - start;
	atomic_store(&tx_done, 1);
	close(fd);
	return NULL;
}

static void *rx(void *arg)
{
	static unsigned char buf[RX_BATCH][RX_CAP];
	static struct mmsghdr m[RX_BATCH];
	static struct iovec iov[RX_BATCH];
	struct sockaddr_in any = { .sin_family = AF_INET,
				   .sin_port = htons(PORT) };
	struct ip_mreqn mr = { .imr_ifindex = (int)if_nametoindex(iface) };
	int fd, one = 1, big = 64 << 20;
	uint64_t expect = 0;
	double quiet = 0;

	(void)arg;
	pin(1);
	inet_pton(AF_INET, GROUP, &mr.imr_multiaddr);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
		die("receiver socket");
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	/* recvmmsg()'s own timeout is only checked between datagrams, so
	 * a silent socket would block it forever: time out the reads. */
	struct timeval rto = { 0, 50000 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &rto, sizeof(rto));
	if (bind(fd, (struct sockaddr *)&any, sizeof(any)) ||
	    setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof(mr)))
		die("receiver join");
	for (int i = 0; i < RX_BATCH; i++) {
		iov[i].iov_base = buf[i];
		iov[i].iov_len = RX_CAP;
		m[i].msg_hdr.msg_iov = &iov[i];
		m[i].msg_hdr.msg_iovlen = 1;
	}
	for (;;) {
		int n = recvmmsg(fd, m, RX_BATCH, MSG_WAITFORONE, NULL);

		if (n > 0) {
			rx_last = now();
			if (!rx_first)
				rx_first = rx_last;
			for (int i = 0; i < n; i++) {
				uint64_t seq;

				memcpy(&seq, buf[i], sizeof(seq));
				if (seq != expect)
					out_of_order++;
				expect = seq + 1;
			}
			received += (uint64_t)n;
		}
		if (atomic_load(&tx_done)) {
			if (!quiet)
				quiet = now() + 0.2;
			else if (now() > quiet)
				break;
		}
	}
	close(fd);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t[2];
	int o;

	while ((o = getopt(argc, argv, "i:s:D:r:j")) != -1) {
		switch (o) {
		case 'i':
			iface = optarg;
			break;
		case 's':
			size = (size_t)atoi(optarg);
			break;
		case 'D':
			duration = atof(optarg);
			break;
		case 'r':
			rate = atof(optarg);
			break;
		case 'j':
			json = 1;
			break;
		default:
			fprintf(stderr,
				"usage: ceiling [-i IFACE] [-s SIZE] [-D SECONDS] [-r PPS] [-j]\n");
			return 2;
		}
	}
	if (size < 8 || size > RX_CAP || duration <= 0 ||
	    !if_nametoindex(iface)) {
		fprintf(stderr, "ceiling: bad size, duration or interface\n");
		return 2;
	}
	pthread_create(&t[0], NULL, rx, NULL);
	pthread_create(&t[1], NULL, tx, NULL);
	pthread_join(t[1], NULL);
	pthread_join(t[0], NULL);
	double rx_secs = rx_last - rx_first;
	double tx_pps = (double)sent / tx_secs;
	double rx_pps = rx_secs > 0 ? (double)received / rx_secs : 0;
	uint64_t lost = sent > received ? sent - received : 0;

	if (json)
		printf("{\"type\":\"ceiling\",\"size\":%zu,\"sent\":%llu,\"received\":%llu,"
		       "\"lost\":%llu,\"tx_pps\":%.0f,\"rx_pps\":%.0f,\"rx_gbps\":%.3f}\n",
		       size, (unsigned long long)sent,
		       (unsigned long long)received, (unsigned long long)lost,
		       tx_pps, rx_pps, rx_pps * (double)size * 8 / 1e9);
	else
		printf("ceiling %zu B: sent %llu (%.0f/s), received %llu (%.0f/s, %.3f Gbit/s), lost %llu, out of order %llu\n",
		       size, (unsigned long long)sent, tx_pps,
		       (unsigned long long)received, rx_pps,
		       rx_pps * (double)size * 8 / 1e9,
		       (unsigned long long)lost,
		       (unsigned long long)out_of_order);
	return 0;
}
