/*
 * tests/unit/test_fixed.c
 *    Fixed-point decimals: exact parse/format, each rounding mode at the
 *    .5 boundaries and for negatives, ratios, products, overflow.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "engine/core/fixed.h"

static int64_t
fx(const char *s)
{
	int64_t v = 0;

	assert_int_equal(eb_fix_parse(s, &v), EB_OK);
	return v;
}

static void
test_parse_format_exact(void **state)
{
	char t[EB_FIX_TEXT];
	int64_t v = 0;

	(void)state;
	assert_true(fx("12") == 1200000000);
	assert_true(fx("-0.5") == -50000000);
	assert_true(fx("3.14159265") == 314159265);
	assert_true(fx("0.00000001") == 1);
	assert_string_equal(eb_fix_format(fx("1.5"), 4, t), "1.5000");
	assert_string_equal(eb_fix_format(fx("1.23456"), 2, t), "1.23456");
	assert_string_equal(eb_fix_format(fx("-0.0001"), 0, t), "-0.0001");
	assert_string_equal(eb_fix_format(fx("-7"), 0, t), "-7");
	assert_string_equal(eb_fix_format(fx("100"), 2, t), "100.00");
	/* Round trip of the extremes. */
	assert_string_equal(eb_fix_format(INT64_MAX, 0, t),
	    "92233720368.54775807");
	assert_int_equal(eb_fix_parse(t, &v), EB_OK);
	assert_true(v == INT64_MAX);
	assert_string_equal(eb_fix_format(INT64_MIN, 0, t),
	    "-92233720368.54775808");
	assert_int_equal(eb_fix_parse(t, &v), EB_OK);
	assert_true(v == INT64_MIN);
	/* Refused forms. */
	assert_int_equal(eb_fix_parse("1.123456789", &v), EB_ERR_FORMAT);
	assert_int_equal(eb_fix_parse("+1", &v), EB_ERR_FORMAT);
	assert_int_equal(eb_fix_parse("1.", &v), EB_ERR_FORMAT);
	assert_int_equal(eb_fix_parse(".5", &v), EB_ERR_FORMAT);
	assert_int_equal(eb_fix_parse("1e3", &v), EB_ERR_FORMAT);
	assert_int_equal(eb_fix_parse(" 1", &v), EB_ERR_FORMAT);
	assert_int_equal(eb_fix_parse("", &v), EB_ERR_FORMAT);
	assert_int_equal(eb_fix_parse("-", &v), EB_ERR_FORMAT);
	assert_int_equal(eb_fix_parse("92233720368.54775808", &v),
	    EB_ERR_LIMIT);
}

/*
 * Rounding table (value, decimals, half-up, down, up):
 *    2.5      0   3      2      3
 *   -2.5      0  -3     -2     -3
 *    2.4999   0   2      2      3
 *    1.2345   3   1.235  1.234  1.235
 *   -1.2345   3  -1.235 -1.234 -1.235
 *    1.2344   3   1.234  1.234  1.235
 *    7.0000   2   7      7      7
 *   -0.00005  4  -0.0001 0     -0.0001
 */
static void
test_round_modes(void **state)
{
	static const struct {
		const char *v;
		int d;
		const char *hu, *dn, *up;
	} tab[] = {
		{ "2.5", 0, "3", "2", "3" },
		{ "-2.5", 0, "-3", "-2", "-3" },
		{ "2.4999", 0, "2", "2", "3" },
		{ "1.2345", 3, "1.235", "1.234", "1.235" },
		{ "-1.2345", 3, "-1.235", "-1.234", "-1.235" },
		{ "1.2344", 3, "1.234", "1.234", "1.235" },
		{ "7", 2, "7", "7", "7" },
		{ "-0.00005", 4, "-0.0001", "0", "-0.0001" },
	};
	size_t i;
	int64_t r = 0;

	(void)state;
	for (i = 0; i < sizeof(tab) / sizeof(*tab); i++) {
		assert_int_equal(eb_fix_round(fx(tab[i].v), tab[i].d,
		    EB_ROUND_HALF_UP, &r), EB_OK);
		assert_true(r == fx(tab[i].hu));
		assert_int_equal(eb_fix_round(fx(tab[i].v), tab[i].d,
		    EB_ROUND_DOWN, &r), EB_OK);
		assert_true(r == fx(tab[i].dn));
		assert_int_equal(eb_fix_round(fx(tab[i].v), tab[i].d,
		    EB_ROUND_UP, &r), EB_OK);
		assert_true(r == fx(tab[i].up));
	}
	assert_int_equal(eb_fix_round(1, 9, EB_ROUND_UP, &r), EB_ERR_USAGE);
	assert_int_equal(eb_fix_round(INT64_MAX, 0, EB_ROUND_UP, &r),
	    EB_ERR_LIMIT);
}

/*
 * Ratios, rounded once:
 *   2/3 to 4 decimals: 0.6667 half-up, 0.6666 down, 0.6667 up
 *   -2/3 to 4: -0.6667, -0.6666, -0.6667
 *   1/8 to 2: 0.125 -> 0.13 half-up, 0.12 down, 0.13 up
 *   (price - bench)*100/bench with 1,040,000 fen vs 1,000,000 = 4 exactly
 */
static void
test_ratio_and_products(void **state)
{
	int64_t r = 0;
	char t[EB_FIX_TEXT];

	(void)state;
	assert_int_equal(eb_fix_ratio(2, 3, 4, EB_ROUND_HALF_UP, &r), EB_OK);
	assert_string_equal(eb_fix_format(r, 0, t), "0.6667");
	assert_int_equal(eb_fix_ratio(2, 3, 4, EB_ROUND_DOWN, &r), EB_OK);
	assert_string_equal(eb_fix_format(r, 0, t), "0.6666");
	assert_int_equal(eb_fix_ratio(-2, 3, 4, EB_ROUND_HALF_UP, &r), EB_OK);
	assert_string_equal(eb_fix_format(r, 0, t), "-0.6667");
	assert_int_equal(eb_fix_ratio(2, -3, 4, EB_ROUND_DOWN, &r), EB_OK);
	assert_string_equal(eb_fix_format(r, 0, t), "-0.6666");
	assert_int_equal(eb_fix_ratio(-2, 3, 4, EB_ROUND_UP, &r), EB_OK);
	assert_string_equal(eb_fix_format(r, 0, t), "-0.6667");
	assert_int_equal(eb_fix_ratio(1, 8, 2, EB_ROUND_HALF_UP, &r), EB_OK);
	assert_string_equal(eb_fix_format(r, 0, t), "0.13");
	assert_int_equal(eb_fix_ratio(1, 8, 2, EB_ROUND_DOWN, &r), EB_OK);
	assert_string_equal(eb_fix_format(r, 0, t), "0.12");
	assert_int_equal(eb_fix_ratio((1040000 - 1000000) * 100, 1000000, 2,
	    EB_ROUND_HALF_UP, &r), EB_OK);
	assert_string_equal(eb_fix_format(r, 2, t), "4.00");
	assert_int_equal(eb_fix_ratio(1, 0, 2, EB_ROUND_DOWN, &r),
	    EB_ERR_USAGE);
	/* 1.5 * 2.25 = 3.375 -> 3.38 / 3.37 */
	assert_int_equal(eb_fix_mul(fx("1.5"), fx("2.25"), 2, EB_ROUND_HALF_UP,
	    &r), EB_OK);
	assert_string_equal(eb_fix_format(r, 0, t), "3.38");
	assert_int_equal(eb_fix_mul(fx("-1.5"), fx("2.25"), 2, EB_ROUND_DOWN,
	    &r), EB_OK);
	assert_string_equal(eb_fix_format(r, 0, t), "-3.37");
	/* Integer rounding of fen: 10/4 = 2.5 -> 3, 2, 3; -10/4 -> -3, -2. */
	assert_int_equal(eb_round_div(10, 4, EB_ROUND_HALF_UP, &r), EB_OK);
	assert_true(r == 3);
	assert_int_equal(eb_round_div(10, 4, EB_ROUND_DOWN, &r), EB_OK);
	assert_true(r == 2);
	assert_int_equal(eb_round_div(-10, 4, EB_ROUND_HALF_UP, &r), EB_OK);
	assert_true(r == -3);
	assert_int_equal(eb_round_div(-10, 4, EB_ROUND_DOWN, &r), EB_OK);
	assert_true(r == -2);
	assert_int_equal(eb_round_div(9, 4, EB_ROUND_UP, &r), EB_OK);
	assert_true(r == 3);
	/* Overflow is reported, not wrapped. */
	assert_int_equal(eb_fix_add(INT64_MAX, 1, &r), EB_ERR_LIMIT);
	assert_int_equal(eb_fix_sub(INT64_MIN, 1, &r), EB_ERR_LIMIT);
	assert_int_equal(eb_fix_mul(fx("90000000000"), fx("2"), 0,
	    EB_ROUND_DOWN, &r), EB_ERR_LIMIT);
	assert_int_equal(eb_fix_from_int(INT64_MAX / 10, &r), EB_ERR_LIMIT);
	assert_int_equal(eb_fix_from_int(-3, &r), EB_OK);
	assert_true(r == -300000000);
}

static void
test_round_names(void **state)
{
	enum eb_round m = EB_ROUND_DOWN;

	(void)state;
	assert_int_equal(eb_round_parse("half-up", &m), EB_OK);
	assert_int_equal(m, EB_ROUND_HALF_UP);
	assert_int_equal(eb_round_parse("up", &m), EB_OK);
	assert_int_equal(m, EB_ROUND_UP);
	assert_int_equal(eb_round_parse("nearest", &m), EB_ERR_FORMAT);
	assert_string_equal(eb_round_name(EB_ROUND_DOWN), "down");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_format_exact),
		cmocka_unit_test(test_round_modes),
		cmocka_unit_test(test_ratio_and_products),
		cmocka_unit_test(test_round_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
