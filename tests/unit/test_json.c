/* SPDX-License-Identifier: MIT */
/*
 * test_json.c - the CLI's JSON writer (src/cli/json.c): commas and
 * nesting, every kind of value, and strings that stay valid JSON on one
 * line whatever bytes they hold.
 */
#include "check.h"
#include "../../src/cli/json.h"

#include <math.h>
#include <stdlib.h>

static char *buf;
static size_t len;

static struct json *start(struct json *j)
{
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		abort();
	json_begin(j, f);
	return j;
}

/* Close the record and compare the whole line. */
static void expect(struct json *j, const char *want)
{
	json_end(j);
	fclose(j->out);
	CHECK_STR(buf, want);
	free(buf);
	buf = NULL;
}

static void test_nesting(void)
{
	struct json j;

	start(&j);
	expect(&j, "{}\n");

	start(&j);
	json_string(&j, "type", "t");
	json_object(&j, "o");
	json_end(&j);
	json_array(&j, "a");
	json_end(&j);
	json_array(&j, "b");
	json_object(&j, NULL);
	json_uint(&j, "x", 1);
	json_end(&j);
	json_object(&j, NULL);
	json_array(&j, "y");
	json_int(&j, NULL, -2);
	json_null(&j, NULL);
	json_end(&j);
	json_end(&j);
	json_end(&j);
	json_bool(&j, "z", true);
	expect(&j,
	       "{\"type\":\"t\",\"o\":{},\"a\":[],\"b\":[{\"x\":1},{\"y\":[-2,null]}],\"z\":true}\n");
}

static void test_numbers(void)
{
	struct json j;
	struct timespec ts = { 1700000000, 5000 };

	start(&j);
	json_int(&j, "i", -9223372036854775807LL - 1);
	json_uint(&j, "u", 18446744073709551615ULL);
	json_double(&j, "d0", 2.5, 0);
	json_double(&j, "d4", 1.0 / 3, 4);
	json_double(&j, "inf", INFINITY, 1);
	json_double(&j, "nan", NAN, 3);
	json_time(&j, "ts", &ts);
	json_bool(&j, "f", false);
	expect(&j,
	       "{\"i\":-9223372036854775808,\"u\":18446744073709551615,\"d0\":2,\"d4\":0.3333,\"inf\":null,\"nan\":null,\"ts\":1700000000.000005,\"f\":false}\n");
}

static void test_strings(void)
{
	static const unsigned char bytes[] = { 0xff, 0x00, 0x01, 'b' };
	struct json j;

	start(&j);
	json_string(&j, "null", NULL);
	json_string(&j, "q", "a\"b\\c\nd\te\r");
	/* C1 CSI, a bidi override, the line separator, ESC, DEL. */
	json_string(&j, "u",
		    "\xc2\x9b\xe2\x80\xae\xe2\x80\xa8\x1b\x7f\xc3\xa9");
	json_bytes(&j, "bad", bytes, sizeof(bytes));
	json_base64(&j, "b64", bytes, sizeof(bytes));
	json_base64(&j, "b64_1", "a", 1);
	json_base64(&j, "b64_0", "", 0);
	json_hex(&j, "hex", bytes, sizeof(bytes));
	expect(&j, "{\"null\":null,\"q\":\"a\\\"b\\\\c\\nd\\te\\r\","
		   "\"u\":\"\\u009b\\u202e\\u2028\\u001b\\u007f\xc3\xa9\","
		   "\"bad\":\"\\ufffd\\u0000\\u0001b\","
		   "\"b64\":\"/wABYg==\",\"b64_1\":\"YQ==\",\"b64_0\":\"\","
		   "\"hex\":\"ff000162\"}\n");
}

static void test_addr(void)
{
	struct sockaddr_storage ss = { .ss_family = AF_UNSPEC };
	struct json j;

	CHECK(mcast_addr_parse("[ff15::1]:5000", MCAST_PARSE_PORT, &ss) > 0);
	start(&j);
	json_addr(&j, "a", (const struct sockaddr *)&ss);
	json_addr_port(&j, "g", "p", (const struct sockaddr *)&ss);
	ss.ss_family = AF_UNSPEC;
	json_addr(&j, "none", (const struct sockaddr *)&ss);
	expect(&j,
	       "{\"a\":\"ff15::1\",\"g\":\"ff15::1\",\"p\":5000,\"none\":\"?\"}\n");
}

static void test_record(void)
{
	struct json j;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		abort();
	json_record(&j, f, "t");
	json_bool(&j, "b", true);
	expect(&j, "{\"type\":\"t\",\"b\":true}\n");
}

int main(void)
{
	test_nesting();
	test_numbers();
	test_strings();
	test_addr();
	test_record();
	return check_done();
}
