/* SPDX-License-Identifier: MIT */
/* Payload printers shared by the subcommands. */
#ifndef MCAST_CLI_FORMAT_H
#define MCAST_CLI_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

bool fmt_utf8_valid(const unsigned char *p, size_t n);
/* True when s is printable ASCII without '"' and '\\': safe as it is in
 * a terminal line and inside a JSON string. */
bool fmt_plain(const char *s);
/* Printable ASCII as is; \\, \n, \r, \t and \xNN for the rest. */
void fmt_escaped(FILE *out, const unsigned char *p, size_t n);
/*
 * Text from outside (interface names, file names, payloads) made safe for
 * a terminal into out (cap bytes, NUL-terminated; cut short at a whole
 * character when full): valid UTF-8 stays as it is, except C0/C1 controls
 * and DEL (\xNN) and bidirectional controls and line separators
 * (\uNNNN); a byte that is not UTF-8 becomes \xNN.  Returns the length.
 */
size_t fmt_text_safe(char *out, size_t cap, const char *in, size_t n);
/* A JSON string literal with quotes, valid UTF-8 whatever p holds: bytes
 * that are not UTF-8 become U+FFFD, and controls, bidirectional controls
 * and line separators are escaped (\uNNNN).  JSON output goes through
 * json.h, which uses this for every string. */
void fmt_json_string(FILE *out, const unsigned char *p, size_t n);
/* A session id (or any n bytes) as 2n lowercase hex digits and a NUL. */
void fmt_hex_text(char *out, const unsigned char *p, size_t n);
/* RFC 4648 base64 with padding, no line breaks. */
void fmt_base64(FILE *out, const unsigned char *p, size_t n);
/* 16 bytes a line: offset, hex in two groups of 8, |ASCII|. */
void fmt_hexdump(FILE *out, const unsigned char *p, size_t n);

#endif /* MCAST_CLI_FORMAT_H */
