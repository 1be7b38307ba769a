/*
 * tests/unit/test_log.c
 *    engine/server/log.c: eb_log_msg() (a message already put together,
 *    its prefix written by hand and kept per call site) writes the line
 *    eb_log_write(lvl, file, line, func, "%s", msg) writes, but for the
 *    time: plain messages, newlines and carriage returns made spaces, a
 *    message over 2047 bytes cut there, a long function name (the prefix
 *    cut at 254 bytes), several call sites one after the other, and in
 *    JSON form.  And the prefix itself: "TIME ebidd[PID] LEVEL FILE:LINE
 *    FUNC: ".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "engine/server/log.h"

static char path[] = "/tmp/test_log.XXXXXX";

/* The log file's lines, each without its time (up to the first space). */
static size_t
read_lines(char lines[][4400], size_t max)
{
	FILE *f = fopen(path, "r");
	char buf[9000];
	size_t n = 0;

	assert_non_null(f);
	while (n < max && fgets(buf, sizeof(buf), f) != NULL) {
		const char *sp;

		if (buf[0] == '{') {            /* JSON: "ts" is the first field */
			sp = strstr(buf, "\",\"pid\"");
			assert_non_null(sp);
		} else {
			sp = strchr(buf, ' ');
			assert_non_null(sp);
		}
		assert_true(strlen(sp) < 4400);
		strcpy(lines[n++], sp);
	}
	fclose(f);
	return n;
}

static void
truncate_log(void)
{
	eb_log_flush();
	assert_int_equal(truncate(path, 0), 0);
}

/* Both writers on 'msg' from the same call site; the two lines equal. */
static void
pair(enum eb_log_level lvl, const char *file, int line, const char *func,
    const char *msg)
{
	static char lines[4][4400];

	truncate_log();
	eb_log_write(lvl, file, line, func, "%s", msg);
	eb_log_msg(lvl, file, line, func, msg, strlen(msg));
	eb_log_flush();
	assert_int_equal(read_lines(lines, 4), 2);
	assert_string_equal(lines[0], lines[1]);
}

static void
test_same_lines(void **state)
{
	char big[3000], func[300];

	(void)state;
	pair(EB_LOG_INFO, "engine/server/http.c", 199, "log_request",
	    "req id=0b95ceef-15 peer=registrar role=registrar addr=127.0.0.1 "
	    "method=GET path=/v1/whoami status=200 bytes_out=192 us=23");
	pair(EB_LOG_INFO, "engine/server/http.c", 199, "log_request",
	    "two\nlines\r\nand a\rreturn");
	pair(EB_LOG_WARN, "http.c", 7, "f", "");
	pair(EB_LOG_ERROR, "a/b/c.c", 2147483647, "g", "x");
	pair(EB_LOG_DEBUG, "c.c", 0, "h", "debug");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	big[2000] = '\n';
	pair(EB_LOG_INFO, "engine/server/http.c", 199, "log_request", big);
	memset(func, 'f', sizeof(func) - 1);
	func[sizeof(func) - 1] = '\0';
	pair(EB_LOG_INFO, "engine/server/http.c", 199, func, "cut prefix");
	/* call sites one after another: each keeps its own prefix */
	pair(EB_LOG_INFO, "x.c", 1, "one", "a");
	pair(EB_LOG_INFO, "x.c", 2, "one", "b");
	pair(EB_LOG_INFO, "y.c", 2, "one", "c");
	pair(EB_LOG_INFO, "y.c", 2, "two", "d");
	pair(EB_LOG_WARN, "y.c", 2, "two", "e");
}

static void
test_prefix(void **state)
{
	static char lines[2][4400];
	char want[128];
	FILE *f;
	char raw[512];

	(void)state;
	truncate_log();
	eb_log_msg(EB_LOG_INFO, "engine/server/http.c", 199, "log_request",
	    "req id=1\nx", 8);
	eb_log_flush();
	assert_int_equal(read_lines(lines, 2), 1);
	snprintf(want, sizeof(want), " ebidd[%ld] info http.c:199 "
	    "log_request: req id=1\n", (long)getpid());
	assert_string_equal(lines[0], want);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(raw, sizeof(raw), f));
	fclose(f);
	/* 2026-12-06T21:07:21.087Z */
	assert_true(strlen(raw) > 24);
	assert_int_equal(raw[4], '-');
	assert_int_equal(raw[10], 'T');
	assert_int_equal(raw[19], '.');
	assert_int_equal(raw[23], 'Z');
	assert_int_equal(raw[24], ' ');
}

static void
test_json(void **state)
{
	(void)state;
	eb_log_set_json(1);
	pair(EB_LOG_INFO, "engine/server/http.c", 199, "log_request",
	    "req id=0b95ceef-15 peer=registrar status=200 us=23");
	pair(EB_LOG_INFO, "engine/server/http.c", 199, "log_request",
	    "two\nlines \"q\" \\");
	eb_log_set_json(0);
}

static int
setup(void **state)
{
	int fd = mkstemp(path);
	struct eb_error e;

	(void)state;
	if (fd < 0)
		return -1;
	close(fd);
	return eb_log_open(path, &e) == EB_OK ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	eb_log_close();
	unlink(path);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_lines),
		cmocka_unit_test(test_prefix),
		cmocka_unit_test(test_json),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
