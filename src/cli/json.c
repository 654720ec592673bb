/* SPDX-License-Identifier: MIT */
/* JSON records written straight into a FILE (see json.h). */
#include "json.h"
#include "format.h"
#include "mcast.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void open_container(struct json *j, const char *key, bool array);

void json_begin(struct json *j, FILE *out)
{
	j->out = out;
	j->depth = 0;
	j->has_member = 0;
	j->is_array = 0;
	open_container(j, NULL, false);
}

void json_record(struct json *j, FILE *out, const char *type)
{
	json_begin(j, out);
	json_string(j, "type", type);
}

/* The comma before every member but the first, then the key. */
static void member(struct json *j, const char *key)
{
	uint32_t bit = 1u << j->depth;

	if (j->has_member & bit)
		putc(',', j->out);
	j->has_member |= bit;
	if (key) {
		putc('"', j->out);
		fputs(key, j->out);
		fputs("\":", j->out);
	}
}

static void open_container(struct json *j, const char *key, bool array)
{
	/* Records are a few levels deep: more is a bug, not an input. */
	if (j->depth + 1 >= JSON_MAX_DEPTH)
		abort();
	if (j->depth)
		member(j, key);
	j->depth++;
	j->has_member &= ~(1u << j->depth);
	if (array)
		j->is_array |= 1u << j->depth;
	else
		j->is_array &= ~(1u << j->depth);
	putc(array ? '[' : '{', j->out);
}

void json_object(struct json *j, const char *key)
{
	open_container(j, key, false);
}

void json_array(struct json *j, const char *key)
{
	open_container(j, key, true);
}

void json_end(struct json *j)
{
	if (!j->depth)
		abort();
	putc(j->is_array & (1u << j->depth) ? ']' : '}', j->out);
	if (--j->depth == 0)
		putc('\n', j->out);
}

void json_int(struct json *j, const char *key, long long v)
{
	member(j, key);
	fprintf(j->out, "%lld", v);
}

void json_uint(struct json *j, const char *key, unsigned long long v)
{
	member(j, key);
	fprintf(j->out, "%llu", v);
}

void json_double(struct json *j, const char *key, double v, int decimals)
{
	member(j, key);
	/* JSON has no inf or nan: a reader would reject the whole line. */
	if (isfinite(v))
		fprintf(j->out, "%.*f", decimals, v);
	else
		fputs("null", j->out);
}

void json_bool(struct json *j, const char *key, bool v)
{
	member(j, key);
	fputs(v ? "true" : "false", j->out);
}

void json_null(struct json *j, const char *key)
{
	member(j, key);
	fputs("null", j->out);
}

void json_string(struct json *j, const char *key, const char *s)
{
	if (!s) {
		json_null(j, key);
		return;
	}
	json_bytes(j, key, s, strlen(s));
}

void json_bytes(struct json *j, const char *key, const void *p, size_t n)
{
	member(j, key);
	fmt_json_string(j->out, p, n);
}

void json_base64(struct json *j, const char *key, const void *p, size_t n)
{
	member(j, key);
	putc('"', j->out);
	fmt_base64(j->out, p, n);
	putc('"', j->out);
}

void json_hex(struct json *j, const char *key, const void *p, size_t n)
{
	const unsigned char *b = p;
	char text[2 * 32 + 1];

	member(j, key);
	putc('"', j->out);
	for (size_t i = 0; i < n; i += 32) {
		fmt_hex_text(text, b + i, n - i < 32 ? n - i : 32);
		fputs(text, j->out);
	}
	putc('"', j->out);
}

void json_time(struct json *j, const char *key, const struct timespec *ts)
{
	member(j, key);
	fprintf(j->out, "%lld.%06ld", (long long)ts->tv_sec,
		ts->tv_nsec / 1000);
}

void json_addr(struct json *j, const char *key, const struct sockaddr *a)
{
	char text[MCAST_ADDRSTRLEN];

	/* "?" as cli_addr_only() writes it: no family, nothing to say. */
	json_string(j, key,
		    mcast_addr_format(a, 0, text, sizeof(text)) < 0 ? "?"
								    : text);
}

void json_addr_port(struct json *j, const char *addr_key, const char *port_key,
		    const struct sockaddr *a)
{
	json_addr(j, addr_key, a);
	json_uint(j, port_key, mcast_addr_port(a));
}
