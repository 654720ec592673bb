/* SPDX-License-Identifier: MIT */
/* Printing payloads: escaped text, JSON strings, base64, hexdump. */
#include "format.h"

#include <string.h>

/*
 * Length of the RFC 3629 UTF-8 sequence at p (at most n bytes), with its
 * code point in *cp; 0 when it is not one: a stray byte, a truncated
 * sequence, an overlong form, a surrogate or above U+10FFFF.
 */
static size_t utf8_next(const unsigned char *p, size_t n, unsigned *cp)
{
	unsigned c = p[0];
	size_t len;

	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if ((c & 0xe0) == 0xc0) {
		len = 2;
		*cp = c & 0x1f;
	} else if ((c & 0xf0) == 0xe0) {
		len = 3;
		*cp = c & 0x0f;
	} else if ((c & 0xf8) == 0xf0) {
		len = 4;
		*cp = c & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t k = 1; k < len; k++) {
		if ((p[k] & 0xc0) != 0x80)
			return 0;
		*cp = (*cp << 6) | (p[k] & 0x3f);
	}
	if ((len == 2 && *cp < 0x80) || (len == 3 && *cp < 0x800) ||
	    (len == 4 && *cp < 0x10000) || *cp > 0x10ffff ||
	    (*cp >= 0xd800 && *cp <= 0xdfff))
		return 0;
	return len;
}

bool fmt_utf8_valid(const unsigned char *p, size_t n)
{
	unsigned cp;

	for (size_t i = 0, len; i < n; i += len)
		if (!(len = utf8_next(p + i, n - i, &cp)))
			return false;
	return true;
}

bool fmt_plain(const char *s)
{
	for (; *s; s++)
		if (*s < 0x21 || *s > 0x7e || *s == '"' || *s == '\\')
			return false;
	return true;
}

/*
 * Code points that are valid but must not reach a reader unescaped: C0 and
 * C1 controls and DEL, which terminals interpret (U+009B is a one-byte
 * CSI), the bidirectional overrides and isolates that make text display in
 * another order than it is read (CVE-2021-42574), and the line and
 * paragraph separators, which JavaScript takes for line ends inside a
 * string.
 */
static bool cp_unsafe(unsigned cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x61c ||
	       cp == 0x200e || cp == 0x200f || (cp >= 0x2028 && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069);
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

size_t fmt_text_safe(char *out, size_t cap, const char *in, size_t n)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t used = 0;

	if (!cap)
		return 0;
	for (size_t i = 0, len; i < n; i += len) {
		char tmp[12];
		unsigned cp;
		size_t t;

		len = utf8_next(p + i, n - i, &cp);
		if (!len) {
			len = 1;
			t = (size_t)snprintf(tmp, sizeof(tmp), "\\x%02x", p[i]);
		} else if (cp_unsafe(cp)) {
			t = (size_t)snprintf(tmp, sizeof(tmp),
					     cp < 0x100 ? "\\x%02x" : "\\u%04x",
					     cp);
		} else {
			memcpy(tmp, p + i, len);
			t = len;
		}
		if (used + t >= cap)
			break;
		memcpy(out + used, tmp, t);
		used += t;
	}
	out[used] = '\0';
	return used;
}

void fmt_json_string(FILE *out, const unsigned char *p, size_t n)
{
	fputc('"', out);
	for (size_t i = 0, len; i < n; i += len) {
		unsigned cp;

		/* Plain ASCII, most of any text, goes out in one write. */
		for (len = 0;
		     i + len < n && p[i + len] >= 0x20 && p[i + len] < 0x7f &&
		     p[i + len] != '"' && p[i + len] != '\\';
		     len++)
			;
		if (len) {
			fwrite(p + i, 1, len, out);
			continue;
		}
		len = utf8_next(p + i, n - i, &cp);
		if (!len) {
			/* Not UTF-8: the replacement character keeps every
			 * line decodable (RFC 8259 section 8.1). */
			fputs("\\ufffd", out);
			len = 1;
		} else if (cp == '"') {
			fputs("\\\"", out);
		} else if (cp == '\\') {
			fputs("\\\\", out);
		} else if (cp == '\n') {
			fputs("\\n", out);
		} else if (cp == '\r') {
			fputs("\\r", out);
		} else if (cp == '\t') {
			fputs("\\t", out);
		} else if (cp_unsafe(cp)) {
			fprintf(out, "\\u%04x", cp);
		} else {
			fwrite(p + i, 1, len, out);
		}
	}
	fputc('"', out);
}

void fmt_hex_text(char *out, const unsigned char *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
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
