/* SPDX-License-Identifier: MIT */
/*
 * forge: a flood of forged sealed datagrams, for bench/forgery.sh.  Each
 * is a well-formed version 2 data header naming key id -k (one the
 * receiver holds) and a session of its own, a payload and 16 bytes of
 * "tag": the worst a forger without the key can send, since the receiver
 * must derive the new session's key before it can find the tag wrong.
 *
 *   forge -g GROUP -p PORT -r PPS -n COUNT [-k KEYID] [-s SIZE] [-i IFACE]
 *
 * Paced by CLOCK_MONOTONIC in batches of 1 ms worth (sendmmsg).  Prints
 * {"forged": N, "seconds": S} on stdout.  Only ever run inside a private
 * network namespace (forgery.sh does): it sends to GROUP on IFACE
 * (default lo).
 */
#define _GNU_SOURCE
#include <mcast.h>

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 256

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
	const char *group = NULL, *iface = "lo";
	unsigned long port = 0, count = 0, key_id = 1, size = 172;
	double rate = 0, t0, elapsed;
	static unsigned char bufs[BATCH][1500];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_in dst = { .sin_family = AF_INET };
	struct ip_mreqn mr = { 0 };
	unsigned long sent = 0;
	int opt, fd;

	while ((opt = getopt(argc, argv, "g:p:r:n:k:s:i:")) != -1) {
		switch (opt) {
		case 'g':
			group = optarg;
			break;
		case 'p':
			port = strtoul(optarg, NULL, 10);
			break;
		case 'r':
			rate = strtod(optarg, NULL);
			break;
		case 'n':
			count = strtoul(optarg, NULL, 10);
			break;
		case 'k':
			key_id = strtoul(optarg, NULL, 10);
			break;
		case 's':
			size = strtoul(optarg, NULL, 10);
			break;
		case 'i':
			iface = optarg;
			break;
		default:
			return 2;
		}
	}
	if (!group || inet_pton(AF_INET, group, &dst.sin_addr) != 1 ||
	    port < 1 || port > 65535 || !(rate > 0) || count < 1 ||
	    size < MCAST_WIRE_HDR_LEN + MCAST_TAG_LEN || size > 1500) {
		fprintf(stderr, "usage: forge -g GROUP -p PORT -r PPS -n COUNT "
				"[-k KEYID] [-s SIZE] [-i IFACE]\n");
		return 2;
	}
	dst.sin_port = htons((uint16_t)port);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	mr.imr_ifindex = (int)if_nametoindex(iface);
	if (fd < 0 || !mr.imr_ifindex ||
	    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mr, sizeof(mr)) < 0) {
		perror("forge: socket");
		return 1;
	}
	srandom((unsigned)getpid());
	for (int i = 0; i < BATCH; i++) {
		iov[i] = (struct iovec){ bufs[i], size };
		msgs[i] = (struct mmsghdr){ .msg_hdr = {
						    .msg_name = &dst,
						    .msg_namelen = sizeof(dst),
						    .msg_iov = &iov[i],
						    .msg_iovlen = 1,
					    } };
		for (size_t j = 0; j < size; j++)
			bufs[i][j] = (unsigned char)random();
	}
	t0 = now_s();
	while (sent < count) {
		unsigned long due = (unsigned long)((now_s() - t0) * rate) + 1;
		unsigned n = 0;

		if (due > count)
			due = count;
		while (sent + n < due && n < BATCH) {
			struct mcast_hdr h = {
				.type = MCAST_MSG_DATA,
				.key_id = (uint32_t)key_id,
				.seq = sent + n,
				.ttl = 1,
				.payload_len =
					(uint16_t)(size - MCAST_WIRE_HDR_LEN -
						   MCAST_TAG_LEN),
			};
			uint64_t sid = sent + n + 1;

			memcpy(h.session, &sid, sizeof(sid));
			h.session[15] = (unsigned char)random();
			mcast_hdr_encode(&h, bufs[n], size);
			n++;
		}
		if (n == 0) {
			struct timespec ts = { 0, 200000 };

			nanosleep(&ts, NULL);
			continue;
		}
		int rc = sendmmsg(fd, msgs, n, 0);

		if (rc < 0) {
			perror("forge: sendmmsg");
			return 1;
		}
		sent += (unsigned long)rc;
	}
	elapsed = now_s() - t0;
	printf("{\"forged\": %lu, \"seconds\": %.3f}\n", sent, elapsed);
	close(fd);
	return 0;
}
