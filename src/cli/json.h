/* SPDX-License-Identifier: MIT */
/*
 * JSON records, one a line, written straight into a FILE: the writer
 * keeps the commas and the nesting, so a field is one call.  Nothing is
 * allocated, which keeps recv's per-datagram line as cheap as printf.
 *
 *	struct json j;
 *
 *	json_begin(&j, stdout);			{
 *	json_string(&j, "type", "summary");	"type":"summary"
 *	json_object(&j, "totals");		,"totals":{
 *	json_uint(&j, "received", n);		"received":12
 *	json_end(&j);				}
 *	json_end(&j);				}\n
 *
 * Keys are the program's own literals (printable ASCII without '"' or
 * '\\') and are written as they are; a key is NULL for an array's
 * elements.  Every string value goes through fmt_json_string(): valid
 * UTF-8 whatever it holds, controls and bidirectional overrides escaped.
 */
#ifndef MCAST_CLI_JSON_H
#define MCAST_CLI_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>
#include <time.h>

#define JSON_MAX_DEPTH 16

struct json {
	FILE *out;
	unsigned depth;
	uint32_t has_member; /* bit d: the container at depth d has one */
	uint32_t is_array;   /* bit d: the container at depth d is [ ] */
};

/* A record: an object that json_end() closes with a newline. */
void json_begin(struct json *j, FILE *out);
/* The same, starting with "type":TYPE as every record of mcast does. */
void json_record(struct json *j, FILE *out, const char *type);
void json_object(struct json *j, const char *key);
void json_array(struct json *j, const char *key);
/* Close the innermost object or array; the outermost ends the line. */
void json_end(struct json *j);

void json_int(struct json *j, const char *key, long long v);
void json_uint(struct json *j, const char *key, unsigned long long v);
/* Fixed point with `decimals` digits ("%.*f"); null when not finite. */
void json_double(struct json *j, const char *key, double v, int decimals);
void json_bool(struct json *j, const char *key, bool v);
void json_null(struct json *j, const char *key);
/* A string, or null when s is NULL. */
void json_string(struct json *j, const char *key, const char *s);
/* n bytes from anywhere (payloads, names) as a string. */
void json_bytes(struct json *j, const char *key, const void *p, size_t n);
/* n bytes as a base64 string (RFC 4648, padded). */
void json_base64(struct json *j, const char *key, const void *p, size_t n);
/* n bytes as a string of 2n lowercase hex digits (session ids). */
void json_hex(struct json *j, const char *key, const void *p, size_t n);
/* A time as seconds with microseconds: 1700000000.123456. */
void json_time(struct json *j, const char *key, const struct timespec *ts);
/* An address without its port, as mcast_addr_format() writes it; "?"
 * for an address of no family. */
void json_addr(struct json *j, const char *key, const struct sockaddr *a);
/* The address under addr_key and its port under port_key. */
void json_addr_port(struct json *j, const char *addr_key, const char *port_key,
		    const struct sockaddr *a);

#endif /* MCAST_CLI_JSON_H */
