/* SPDX-License-Identifier: MIT */
/* One received datagram as text, JSON, hexdump or raw bytes on stdout. */
#include "dgram.h"
#include "format.h"
#include "json.h"

#include <string.h>
#include <time.h>

static const char *ifname_of(struct ifname_cache *t, unsigned index)
{
	/* Names are anyone's with CAP_NET_ADMIN and may hold ESC or quotes:
	 * such a name is shown as its index. */
	if (index != t->index) {
		if (!if_indextoname(index, t->name) || !fmt_plain(t->name))
			snprintf(t->name, sizeof(t->name), "%u", index);
		t->index = index;
	}
	return t->name;
}

static void print_text_head(FILE *out, struct ifname_cache *t,
			    const struct mcast_meta *meta,
			    const struct mcast_hdr *h)
{
	char src[MCAST_ADDRSTRLEN], dst[MCAST_ADDRSTRLEN], ts[32];
	struct tm tm;

	localtime_r(&meta->ts.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%H:%M:%S", &tm);
	fprintf(out, "%s.%06ld %s -> %s %s ", ts, meta->ts.tv_nsec / 1000,
		cli_addr(&meta->src, src, sizeof(src)),
		(meta->flags & MCAST_META_DST)
			? cli_addr(&meta->dst, dst, sizeof(dst))
			: "?",
		ifname_of(t, meta->ifindex));
	if (meta->flags & MCAST_META_TTL)
		fprintf(out, "ttl=%d ", meta->ttl);
	else
		fputs("ttl=? ", out);
	fprintf(out, "len=%zu", meta->len);
	if (h)
		fprintf(out, " key=%u seq=%llu", (unsigned)h->key_id,
			(unsigned long long)h->seq);
}

static void print_json(FILE *out, struct ifname_cache *t,
		       const unsigned char *p, size_t n,
		       const struct mcast_meta *meta, const struct mcast_hdr *h)
{
	const struct sockaddr *dst = (const struct sockaddr *)&meta->dst;
	const struct sockaddr *src = (const struct sockaddr *)&meta->src;
	bool sealed = h && h->key_id;
	struct json j;

	json_record(&j, out, "datagram");
	json_time(&j, "ts", &meta->ts);
	if (meta->flags & MCAST_META_DST)
		json_addr(&j, "group", dst);
	else
		json_string(&j, "group", "");
	json_uint(&j, "port", mcast_addr_port(dst));
	json_addr_port(&j, "source", "source_port", src);
	json_string(&j, "iface", ifname_of(t, meta->ifindex));
	if (meta->flags & MCAST_META_TTL)
		json_int(&j, "ttl", meta->ttl);
	json_uint(&j, "bytes", meta->len);
	if (h) {
		json_uint(&j, "key_id", h->key_id);
		json_uint(&j, "seq", h->seq);
	}
	/* What protected it, so a consumer can insist on encryption. */
	if (sealed)
		json_string(&j, "sealed",
			    h->flags & MCAST_HDR_CHACHA ? "chacha20-poly1305"
							: "aes-256-gcm");
	else
		json_bool(&j, "sealed", false);
	json_bool(&j, "auth_only", sealed && (h->flags & MCAST_HDR_AUTH_ONLY));
	if (fmt_utf8_valid(p, n))
		json_bytes(&j, "data", p, n);
	else
		json_base64(&j, "data_base64", p, n);
	json_end(&j);
}

void print_dgram(enum out_format format, struct ifname_cache *t,
		 const unsigned char *p, size_t n,
		 const struct mcast_meta *meta, const struct mcast_hdr *h)
{
	switch (format) {
	case FMT_TEXT:
		print_text_head(stdout, t, meta, h);
		fputc(' ', stdout);
		fmt_escaped(stdout, p, n);
		fputc('\n', stdout);
		break;
	case FMT_JSON:
		print_json(stdout, t, p, n, meta, h);
		break;
	case FMT_HEX:
		print_text_head(stdout, t, meta, h);
		fputc('\n', stdout);
		fmt_hexdump(stdout, p, n);
		break;
	case FMT_RAW:
		fwrite(p, 1, n, stdout);
		break;
	}
}
