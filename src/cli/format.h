/* SPDX-License-Identifier: MIT */
/* Payload printers shared by the subcommands. */
#ifndef MCAST_CLI_FORMAT_H
#define MCAST_CLI_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

bool fmt_utf8_valid(const unsigned char *p, size_t n);
/* Printable ASCII as is; \\, \n, \r, \t and \xNN for the rest. */
void fmt_escaped(FILE *out, const unsigned char *p, size_t n);
/* A JSON string literal with quotes (p must be valid UTF-8). */
void fmt_json_string(FILE *out, const unsigned char *p, size_t n);
/* RFC 4648 base64 with padding, no line breaks. */
void fmt_base64(FILE *out, const unsigned char *p, size_t n);
/* 16 bytes a line: offset, hex in two groups of 8, |ASCII|. */
void fmt_hexdump(FILE *out, const unsigned char *p, size_t n);

#endif /* MCAST_CLI_FORMAT_H */
