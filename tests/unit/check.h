/* SPDX-License-Identifier: MIT */
/*
 * check.h - the unit tests' tiny helper.  A failed CHECK prints file:line,
 * the expression and the values, and counts; the test goes on, so one run
 * shows every failure.  check_done() prints "N passed, N failed" and gives
 * main() its exit code: 0, or 1 when anything failed.
 *
 * Table-driven tests set check_ctx to the row's input, so a failure says
 * which row it was.  A case that documents a library bug is written with
 * CHECK_BUG(): it fails (and says "KNOWN BUG") until the library is fixed.
 *
 * Exit codes: 0 pass, 1 fail, 77 skip.  test_handles exits 77 when it
 * cannot move into a private network namespace (unshare(CLONE_NEWNET)
 * needs CAP_SYS_ADMIN), so unit tests need SKIP_RETURN_CODE 77 in
 * tests/CMakeLists.txt as the net tests have.
 */
#ifndef CHECK_H
#define CHECK_H

#include "mcast.h"

#include <stdio.h>
#include <string.h>

static int check_passed, check_failed;
static const char *check_ctx; /* the table row under test, or NULL */

static inline void check_where(const char *file, int line)
{
	fprintf(stderr, "%s:%d: FAIL", file, line);
	if (check_ctx)
		fprintf(stderr, " [input \"%s\"]", check_ctx);
	fputs(": ", stderr);
}

static inline int check_true(int ok, const char *expr, const char *file,
			     int line)
{
	if (ok) {
		check_passed++;
		return 1;
	}
	check_failed++;
	check_where(file, line);
	fprintf(stderr, "%s\n", expr);
	return 0;
}

static inline int check_int(long long got, long long want, const char *expr,
			    const char *file, int line)
{
	if (got == want) {
		check_passed++;
		return 1;
	}
	check_failed++;
	check_where(file, line);
	fprintf(stderr, "%s: got %lld, expected %lld\n", expr, got, want);
	return 0;
}

/* Return codes: print them with their names, which say far more. */
static inline int check_code(int got, int want, const char *expr,
			     const char *file, int line)
{
	if (got == want) {
		check_passed++;
		return 1;
	}
	check_failed++;
	check_where(file, line);
	fprintf(stderr, "%s: got %d (%s), expected %d (%s)\n", expr, got,
		mcast_strerror(got), want, mcast_strerror(want));
	return 0;
}

static inline int check_str(const char *got, const char *want, const char *expr,
			    const char *file, int line)
{
	if (got && want && strcmp(got, want) == 0) {
		check_passed++;
		return 1;
	}
	check_failed++;
	check_where(file, line);
	fprintf(stderr, "%s: got \"%s\", expected \"%s\"\n", expr,
		got ? got : "(null)", want ? want : "(null)");
	return 0;
}

static inline int check_done(void)
{
	printf("%d passed, %d failed\n", check_passed, check_failed);
	return check_failed ? 1 : 0;
}

/* Each returns 1 when the check held, so a test can skip what depends on
 * it: if (!CHECK(fd >= 0)) return; */
#define CHECK(cond) check_true(!!(cond), #cond, __FILE__, __LINE__)
#define CHECK_EQ_INT(a, b)                                                \
	check_int((long long)(a), (long long)(b), #a " == " #b, __FILE__, \
		  __LINE__)
#define CHECK_CODE(a, b) check_code((a), (b), #a " == " #b, __FILE__, __LINE__)
#define CHECK_STR(a, b)	 check_str((a), (b), #a " == " #b, __FILE__, __LINE__)

/* A library bug: prints a banner so the failure is not mistaken for a
 * broken test, then checks what the correct behaviour would be. */
#define CHECK_BUG(what, check)                                      \
	do {                                                        \
		int before_ = check_failed;                         \
		check;                                              \
		if (check_failed != before_)                        \
			fprintf(stderr,                             \
				"    ^ KNOWN BUG (fails until the " \
				"library is fixed): %s\n",          \
				what);                              \
	} while (0)

#endif /* CHECK_H */
