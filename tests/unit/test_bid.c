/*
 * tests/unit/test_bid.c
 *    The opened bid model (engine/core/bid.h): parsing, exact quantities,
 *    the half-up line amount, and every refusal (negative, overflowing,
 *    malformed, duplicate, over the limits).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "engine/core/bid.h"

/* A minimal valid <bid> with one line; tests then break one thing. */
static struct eb_doc *
mk_bid(void)
{
	struct eb_doc *b = eb_doc_new("bid"), *l, *x;

	eb_doc_set_attr(b, "tender", "T-1");
	eb_doc_add_text(b, "total-price", "4163");
	l = eb_doc_add(eb_doc_add(b, "lines"), "line");
	eb_doc_set_attr(l, "no", "1");
	eb_doc_set_attr(l, "code", "040101002001");
	eb_doc_set_attr(l, "unit", "m3");
	eb_doc_set_attr(l, "quantity", "12.5");
	eb_doc_set_attr(l, "unit-price", "333");
	eb_doc_set_attr(l, "total", "4163");
	x = eb_doc_add_text(eb_doc_add(b, "qualifications"), "declaration",
	    "我们具有二级资质。");
	eb_doc_set_attr(x, "ref", "licence-grade");
	x = eb_doc_add_text(eb_doc_add(b, "sections"), "section", "方案");
	eb_doc_set_attr(x, "name", "construction-plan");
	eb_doc_add_text(b, "technical", "分段开槽 open trench");
	x = eb_doc_add(b, "metadata");
	eb_doc_add_text(x, "client-version", "ebid 0.1.0");
	eb_doc_add_text(x, "machine-fingerprint", "fp-1");
	eb_doc_add_text(x, "created", "2026-11-20T08:41:07.215Z");
	x = eb_doc_add(b, "contact");
	eb_doc_add_text(x, "name", "王建国");
	eb_doc_add_text(x, "phone", "0531-86912345");
	eb_doc_add_text(x, "email", "a@b.cn");
	eb_doc_add_text(x, "address", "济南");
	return b;
}

static struct eb_doc *
line1(struct eb_doc *b)
{
	return eb_doc_path(b, "lines/line");
}

static int
parse(struct eb_doc *d, struct eb_error *err)
{
	struct eb_bid *b = NULL;
	int rc = eb_bid_from_doc(d, &b, err);

	if (rc == EB_OK)
		assert_non_null(b);
	else
		assert_null(b);
	eb_bid_free(b);
	eb_doc_free(d);
	return rc;
}

static void
test_parse_ok(void **state)
{
	struct eb_doc *d = mk_bid();
	struct eb_bid *b = NULL;
	struct eb_error err;

	(void)state;
	eb_doc_add_text(d, "completion-days", "210");
	assert_int_equal(eb_bid_from_doc(d, &b, &err), EB_OK);
	assert_string_equal(b->tender, "T-1");
	assert_true(b->total_price == 4163);
	assert_int_equal(b->nlines, 1);
	assert_true(b->lines[0].quantity_milli == 12500);
	assert_true(b->lines[0].unit_price == 333);
	assert_string_equal(b->lines[0].description, "");
	/* 12.5 x 333 = 4162.5 fen -> half up 4163 */
	assert_true(eb_bid_line_amount(&b->lines[0]) == 4163);
	assert_int_equal(b->ndeclarations, 1);
	assert_string_equal(b->declarations[0].key, "licence-grade");
	assert_int_equal(b->nsections, 1);
	assert_int_equal(b->ndocuments, 0);
	assert_string_equal(b->contact_name, "王建国");
	assert_string_equal(b->machine_fingerprint, "fp-1");
	assert_true(b->completion_days == 210);
	eb_bid_free(b);
	eb_doc_free(d);

	d = mk_bid();
	assert_int_equal(eb_bid_from_doc(d, &b, &err), EB_OK);
	assert_true(b->completion_days == -1);
	eb_bid_free(b);
	eb_doc_free(d);
	eb_bid_free(NULL);
}

static void
test_quantity(void **state)
{
	int64_t m = -1;

	(void)state;
	assert_int_equal(eb_bid_parse_quantity("12.5", &m), EB_OK);
	assert_true(m == 12500);
	assert_int_equal(eb_bid_parse_quantity("0", &m), EB_OK);
	assert_true(m == 0);
	assert_int_equal(eb_bid_parse_quantity("0.001", &m), EB_OK);
	assert_true(m == 1);
	assert_int_equal(eb_bid_parse_quantity("4860.250", &m), EB_OK);
	assert_true(m == 4860250);
	assert_int_equal(eb_bid_parse_quantity("999999999.999", &m), EB_OK);
	assert_true(m == INT64_C(999999999999));
	assert_int_equal(eb_bid_parse_quantity("1000000000", &m), EB_ERR_LIMIT);
	assert_int_equal(eb_bid_parse_quantity("99999999999999999999", &m),
	    EB_ERR_LIMIT);
	assert_int_equal(eb_bid_parse_quantity("1.2345", &m), EB_ERR_FORMAT);
	assert_int_equal(eb_bid_parse_quantity("-1", &m), EB_ERR_FORMAT);
	assert_int_equal(eb_bid_parse_quantity(".5", &m), EB_ERR_FORMAT);
	assert_int_equal(eb_bid_parse_quantity("1.", &m), EB_ERR_FORMAT);
	assert_int_equal(eb_bid_parse_quantity("1e3", &m), EB_ERR_FORMAT);
	assert_int_equal(eb_bid_parse_quantity(" 1", &m), EB_ERR_FORMAT);
	assert_int_equal(eb_bid_parse_quantity("", &m), EB_ERR_FORMAT);
	assert_int_equal(eb_bid_parse_quantity(NULL, &m), EB_ERR_FORMAT);
}

static void
test_line_amount_half_up(void **state)
{
	struct eb_bid_line l;

	(void)state;
	memset(&l, 0, sizeof(l));
	l.quantity_milli = 1500; l.unit_price = 3;    /* 4.5 -> 5 */
	assert_true(eb_bid_line_amount(&l) == 5);
	l.quantity_milli = 1; l.unit_price = 499;     /* 0.499 -> 0 */
	assert_true(eb_bid_line_amount(&l) == 0);
	l.quantity_milli = 1; l.unit_price = 500;     /* 0.5 -> 1 */
	assert_true(eb_bid_line_amount(&l) == 1);
	l.quantity_milli = 0; l.unit_price = 98000;   /* zero quantity */
	assert_true(eb_bid_line_amount(&l) == 0);
	/* 4860.25 m3 x 38.50 yuan = 187119.625 yuan = 18711962.5 fen -> 18711963 */
	l.quantity_milli = 4860250; l.unit_price = 3850;
	assert_true(eb_bid_line_amount(&l) == 18711963);
}

static void
test_refused_values(void **state)
{
	struct eb_error err;
	struct eb_doc *d;

	(void)state;
	d = mk_bid();
	eb_doc_set_attr(line1(d), "unit-price", "-1");
	assert_int_equal(parse(d, &err), EB_ERR_FORMAT);
	assert_string_equal(err.reason, "bid-bad-amount");

	d = mk_bid();
	eb_doc_set_text(eb_doc_child(d, "total-price"), "-4163");
	assert_int_equal(parse(d, &err), EB_ERR_FORMAT);

	d = mk_bid();   /* beyond int64 */
	eb_doc_set_attr(line1(d), "total", "9223372036854775808");
	assert_int_equal(parse(d, &err), EB_ERR_FORMAT);

	d = mk_bid();   /* 10^14 + 1 fen */
	eb_doc_set_text(eb_doc_child(d, "total-price"), "100000000000001");
	assert_int_equal(parse(d, &err), EB_ERR_LIMIT);
	assert_string_equal(err.reason, "bid-amount-too-large");

	d = mk_bid();   /* exactly 10^14 is allowed */
	eb_doc_set_text(eb_doc_child(d, "total-price"), "100000000000000");
	assert_int_equal(parse(d, &err), EB_OK);

	d = mk_bid();   /* 999999999.999 x 10^14 overflows int64 */
	eb_doc_set_attr(line1(d), "quantity", "999999999.999");
	eb_doc_set_attr(line1(d), "unit-price", "100000000000000");
	assert_int_equal(parse(d, &err), EB_ERR_LIMIT);

	d = mk_bid();   /* no overflow, but the amount is above 10^14 fen:
			 * 2,000,000 x 10^8 = 2 x 10^14 */
	eb_doc_set_attr(line1(d), "quantity", "2000000");
	eb_doc_set_attr(line1(d), "unit-price", "100000000");
	assert_int_equal(parse(d, &err), EB_ERR_LIMIT);

	d = mk_bid();
	eb_doc_set_attr(line1(d), "quantity", "-2");
	assert_int_equal(parse(d, &err), EB_ERR_FORMAT);
	assert_string_equal(err.reason, "bid-bad-quantity");

	d = mk_bid();
	eb_doc_set_attr(line1(d), "no", "0");
	assert_int_equal(parse(d, &err), EB_ERR_FORMAT);

	d = mk_bid();
	eb_doc_set_attr(line1(d), "code", NULL);
	assert_int_equal(parse(d, &err), EB_ERR_FORMAT);
	assert_string_equal(err.reason, "bid-missing-field");

	d = mk_bid();
	eb_doc_add_text(d, "completion-days", "0");
	assert_int_equal(parse(d, &err), EB_ERR_FORMAT);
}

static void
test_refused_shape(void **state)
{
	struct eb_error err;
	struct eb_doc *d, *l;
	struct eb_bid *b = NULL;
	char big[EB_BID_MAX_SHORT + 2];
	size_t i;

	(void)state;
	d = mk_bid();   /* same line number twice */
	l = eb_doc_clone(line1(d));
	eb_doc_set_attr(l, "code", "040101002002");
	eb_doc_append(eb_doc_child(d, "lines"), l);
	assert_int_equal(parse(d, &err), EB_ERR_FORMAT);
	assert_string_equal(err.reason, "bid-duplicate-line");

	d = mk_bid();   /* same code twice */
	l = eb_doc_clone(line1(d));
	eb_doc_set_attr(l, "no", "2");
	eb_doc_append(eb_doc_child(d, "lines"), l);
	assert_int_equal(parse(d, &err), EB_ERR_FORMAT);
	assert_string_equal(err.reason, "bid-duplicate-line");

	d = mk_bid();   /* 2001 lines */
	for (i = 2; i <= EB_BID_MAX_LINES + 1; i++) {
		l = eb_doc_clone(line1(d));
		eb_doc_set_attrf(l, "no", "%zu", i);
		eb_doc_set_attrf(l, "code", "C%zu", i);
		eb_doc_append(eb_doc_child(d, "lines"), l);
	}
	assert_int_equal(parse(d, &err), EB_ERR_LIMIT);
	assert_string_equal(err.reason, "bid-too-many-lines");

	d = mk_bid();   /* no lines */
	l = line1(d);
	eb_doc_detach(l);
	eb_doc_free(l);
	assert_int_equal(parse(d, &err), EB_ERR_FORMAT);

	d = mk_bid();   /* a code longer than the limit */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	eb_doc_set_attr(line1(d), "code", big);
	assert_int_equal(parse(d, &err), EB_ERR_LIMIT);

	d = mk_bid();
	l = eb_doc_child(d, "metadata");
	eb_doc_detach(l);
	eb_doc_free(l);
	assert_int_equal(parse(d, &err), EB_ERR_FORMAT);

	d = eb_doc_new("tender");
	assert_int_equal(eb_bid_from_doc(d, &b, &err), EB_ERR_FORMAT);
	assert_null(b);
	eb_doc_free(d);
}

/* mk_bid() priced in lots A 1000 and B 3163 (total 4163), with a 5 %
 * discount on B if A is won too. */
static struct eb_doc *
mk_lot_bid(void)
{
	struct eb_doc *d = mk_bid(), *ls = eb_doc_add(d, "lots"), *l, *x;

	l = eb_doc_add(ls, "lot");
	eb_doc_set_attr(l, "id", "A");
	eb_doc_add_text(l, "total-price", "1000");
	eb_doc_add_text(l, "completion-days", "90");
	x = eb_doc_add(l, "factor");
	eb_doc_set_attr(x, "id", "night");
	eb_doc_set_attr(x, "quantity", "2.5");
	l = eb_doc_add(ls, "lot");
	eb_doc_set_attr(l, "id", "B");
	eb_doc_add_text(l, "total-price", "3163");
	x = eb_doc_add(ls, "linked-discount");
	eb_doc_set_attr(x, "lot", "B");
	eb_doc_set_attr(x, "if-won", "A");
	eb_doc_set_attr(x, "percent", "5");
	return d;
}

/* Factors and lots (issue 14 point 4): what the schema cannot check,
 * the model does, so clearing marks such a bid invalid (bid-format). */
static void
test_factors_and_lots(void **state)
{
	struct eb_error err;
	struct eb_doc *d, *x;
	struct eb_bid *b = NULL;

	(void)state;
	d = mk_lot_bid();
	x = eb_doc_add(d, "factor");
	eb_doc_set_attr(x, "id", "night");
	eb_doc_set_attr(x, "quantity", "12.12345678");
	assert_int_equal(eb_bid_from_doc(d, &b, &err), EB_OK);
	assert_int_equal(b->nlots, 2);
	eb_bid_free(b);
	eb_doc_free(d);

	d = mk_bid();   /* a malformed quantity */
	x = eb_doc_add(d, "factor");
	eb_doc_set_attr(x, "id", "night");
	eb_doc_set_attr(x, "quantity", "1.123456789");
	assert_int_equal(parse(d, &err), EB_ERR_FORMAT);
	assert_string_equal(err.reason, "bid-bad-factor");

	d = mk_bid();   /* the same factor twice */
	x = eb_doc_add(d, "factor");
	eb_doc_set_attr(x, "id", "night");
	eb_doc_set_attr(x, "quantity", "1");
	eb_doc_append(d, eb_doc_clone(x));
	assert_int_equal(parse(d, &err), EB_ERR_FORMAT);
	assert_string_equal(err.reason, "bid-bad-factor");

	d = mk_lot_bid();   /* the lot prices do not add up */
	eb_doc_set_text(eb_doc_path(d, "lots/lot/total-price"), "999");
	assert_int_equal(parse(d, &err), EB_ERR_FORMAT);
	assert_string_equal(err.reason, "bid-bad-lots");
	assert_non_null(strstr(err.primary, "add up"));

	d = mk_lot_bid();   /* a lot priced twice */
	eb_doc_set_attr(eb_doc_path(d, "lots/lot")->next, "id", "A");
	assert_int_equal(parse(d, &err), EB_ERR_FORMAT);
	assert_string_equal(err.reason, "bid-bad-lots");

	d = mk_lot_bid();   /* a discount on its own lot */
	eb_doc_set_attr(eb_doc_path(d, "lots/linked-discount"), "if-won", "A B");
	assert_int_equal(parse(d, &err), EB_ERR_FORMAT);
	assert_string_equal(err.reason, "bid-bad-lots");

	d = mk_lot_bid();   /* a discount depending on a lot not priced */
	eb_doc_set_attr(eb_doc_path(d, "lots/linked-discount"), "if-won", "C");
	assert_int_equal(parse(d, &err), EB_ERR_FORMAT);
	assert_string_equal(err.reason, "bid-bad-lots");

	d = mk_lot_bid();   /* 0 % */
	eb_doc_set_attr(eb_doc_path(d, "lots/linked-discount"), "percent", "0");
	assert_int_equal(parse(d, &err), EB_ERR_FORMAT);

	d = mk_lot_bid();   /* two discounts on B adding up to 100.5 % */
	x = eb_doc_clone(eb_doc_path(d, "lots/linked-discount"));
	eb_doc_set_attr(x, "percent", "95.5");
	eb_doc_append(eb_doc_child(d, "lots"), x);
	assert_int_equal(parse(d, &err), EB_ERR_FORMAT);
	assert_non_null(strstr(err.primary, "100 %"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_ok),
		cmocka_unit_test(test_quantity),
		cmocka_unit_test(test_line_amount_half_up),
		cmocka_unit_test(test_refused_values),
		cmocka_unit_test(test_refused_shape),
		cmocka_unit_test(test_factors_and_lots),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
