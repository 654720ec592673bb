/* SPDX-License-Identifier: MIT */
/* Printing payloads: escaped text, JSON strings, base64, hexdump. */
#include "format.h"

#include <string.h>

/* RFC 3629 UTF-8: no overlongs, no surrogates, nothing above U+10FFFF. */
bool fmt_utf8_valid(const unsigned char *p, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned c = p[i];
		size_t len;
		unsigned cp;

		if (c < 0x80) {
			i++;
			continue;
		} else if ((c & 0xe0) == 0xc0) {
			len = 2;
			cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			len = 3;
			cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			len = 4;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (i + len > n)
			return false;
		for (size_t k = 1; k < len; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
		    (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += len;
	}
	return true;
}

void fmt_escaped(FILE *out, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned c = p[i];

		if (c == '\\')
			fputs("\\\\", out);
		else if (c == '\n')
			fputs("\\n", out);
		else if (c == '\r')
			fputs("\\r", out);
		else if (c == '\t')
			fputs("\\t", out);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(out, "\\x%02x", c);
		else
			fputc((int)c, out);
	}
}

void fmt_json_string(FILE *out, const unsigned char *p, size_t n)
{
	fputc('"', out);
	for (size_t i = 0; i < n; i++) {
		unsigned c = p[i];

		switch (c) {
		case '"':
			fputs("\\\"", out);
			break;
		case '\\':
			fputs("\\\\", out);
			break;
		case '\n':
			fputs("\\n", out);
			break;
		case '\r':
			fputs("\\r", out);
			break;
		case '\t':
			fputs("\\t", out);
			break;
		default:
			if (c < 0x20 || c == 0x7f)
				fprintf(out, "\\u%04x", c);
			else
				fputc((int)c, out);
		}
	}
	fputc('"', out);
}

void fmt_base64(FILE *out, const unsigned char *p, size_t n)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i;

	for (i = 0; i + 2 < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 |
			     p[i + 2];
		fputc(tab[v >> 18], out);
		fputc(tab[(v >> 12) & 63], out);
		fputc(tab[(v >> 6) & 63], out);
		fputc(tab[v & 63], out);
	}
	if (i < n) {
		unsigned v = (unsigned)p[i] << 16;

		if (i + 1 < n)
			v |= (unsigned)p[i + 1] << 8;
		fputc(tab[v >> 18], out);
		fputc(tab[(v >> 12) & 63], out);
		fputc(i + 1 < n ? tab[(v >> 6) & 63] : '=', out);
		fputc('=', out);
	}
}

void fmt_hexdump(FILE *out, const unsigned char *p, size_t n)
{
	for (size_t off = 0; off < n; off += 16) {
		fprintf(out, "  %04zx  ", off);
		for (size_t k = 0; k < 16; k++) {
			if (off + k < n)
				fprintf(out, "%02x ", p[off + k]);
			else
				fputs("   ", out);
			if (k == 7)
				fputc(' ', out);
		}
		fputs(" |", out);
		for (size_t k = 0; k < 16 && off + k < n; k++) {
			unsigned c = p[off + k];

			fputc(c >= 0x20 && c < 0x7f ? (int)c : '.', out);
		}
		fputs("|\n", out);
	}
}
