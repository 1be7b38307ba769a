/*
 * tests/unit/test_clearing.c
 *    Automatic clearing (engine/core/clearing.h): one test per rule with
 *    hand-computed findings (the arithmetic is in the comments), the edge
 *    cases (exactly at each threshold, one bid, zero quantities, a missing
 *    line), determinism, and the sample bids of tests/data/bids/ read
 *    through eb_xml and validated against protocol/xsd/ebid.xsd.
 *
 *    EB_CLEARING_PRINT=1 prints the sample report (pretty XML).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "engine/core/bid.h"
#include "engine/core/clearing.h"
#include "protocol/hash.h"
#include "protocol/xml.h"

#ifndef EB_SRC_DIR
#error "EB_SRC_DIR must name the source tree"
#endif

/* ---- builders ------------------------------------------------------ */

struct tl {
	const char *code;
	const char *qty;
	int64_t price;
	int64_t total;          /* -1: the correct amount */
};

struct bopt {
	const char *party;
	int64_t total;          /* -1: the sum of the line totals */
	const struct tl *lines;
	size_t nlines;
	const char *tech;       /* NULL: empty */
	const char *fp, *created, *phone, *email, *tender;
};

static struct eb_doc *
mk(const struct bopt *o)
{
	struct eb_doc *ob = eb_doc_new("opened-bid"), *b, *ls, *l, *x;
	int64_t sum = 0, q = 0;
	size_t i;
	char v[32];

	eb_doc_set_attr(ob, "bidder", o->party);
	eb_doc_set_attrf(ob, "org", "Org of %s", o->party);
	b = eb_doc_add(ob, "bid");
	eb_doc_set_attr(b, "tender", o->tender ? o->tender : "T-1");
	x = eb_doc_add(b, "total-price");
	ls = eb_doc_add(b, "lines");
	for (i = 0; i < o->nlines; i++) {
		struct eb_bid_line bl;
		int64_t t;

		assert_int_equal(eb_bid_parse_quantity(o->lines[i].qty, &q),
		    EB_OK);
		bl.quantity_milli = q;
		bl.unit_price = o->lines[i].price;
		t = o->lines[i].total >= 0 ? o->lines[i].total :
		    eb_bid_line_amount(&bl);
		sum += t;
		l = eb_doc_add(ls, "line");
		eb_doc_set_attr_i64(l, "no", (int64_t)i + 1);
		eb_doc_set_attr(l, "code", o->lines[i].code);
		eb_doc_set_attr(l, "unit", "m");
		eb_doc_set_attr(l, "quantity", o->lines[i].qty);
		eb_doc_set_attr_i64(l, "unit-price", o->lines[i].price);
		eb_doc_set_attr_i64(l, "total", t);
	}
	snprintf(v, sizeof(v), "%lld",
	    (long long)(o->total >= 0 ? o->total : sum));
	eb_doc_set_text(x, v);
	eb_doc_add(b, "qualifications");
	eb_doc_add(b, "sections");
	eb_doc_add_text(b, "technical", o->tech ? o->tech : "");
	x = eb_doc_add(b, "metadata");
	eb_doc_add_text(x, "client-version", "ebid 0.1.0");
	eb_doc_add_text(x, "machine-fingerprint", o->fp ? o->fp : o->party);
	eb_doc_add_text(x, "created", o->created ? o->created : o->party);
	x = eb_doc_add(b, "contact");
	eb_doc_add_text(x, "name", o->party);
	eb_doc_add_text(x, "phone", o->phone ? o->phone : o->party);
	eb_doc_add_text(x, "email", o->email ? o->email : o->party);
	eb_doc_add_text(x, "address", o->party);
	return ob;
}

/* A single line "L1" of quantity 1 at 'price'. */
static struct eb_doc *
mk1(const char *party, int64_t price)
{
	struct tl l = { "L1", "1", price, -1 };
	struct bopt o = { party, -1, &l, 1, NULL, NULL, NULL, NULL, NULL,
	    NULL };

	return mk(&o);
}

static struct eb_doc *
rules_new(void)
{
	return eb_doc_new("clearing-rules");
}

/* Set (or replace) the threshold <name> of the rules. */
static void
rset(struct eb_doc *r, const char *name, const char *v)
{
	struct eb_doc *c = eb_doc_child(r, name);

	if (c != NULL)
		eb_doc_set_text(c, v);
	else
		eb_doc_add_text(r, name, v);
}

/* Rules with the price rules off, so a test sees only its own rule. */
static struct eb_doc *
quiet_rules(void)
{
	struct eb_doc *r = rules_new();

	rset(r, "low-vs-mean-percent", "0");
	rset(r, "low-vs-next-percent", "0");
	rset(r, "unbalanced-reference", "control");
	rset(r, "price-band-per-mille", "0");
	return r;
}

static void
control(struct eb_doc *r, const char *code, int64_t price)
{
	struct eb_doc *cp = eb_doc_child(r, "control-prices"), *c;

	if (cp == NULL)
		cp = eb_doc_add(r, "control-prices");
	c = eb_doc_add(cp, "control-price");
	eb_doc_set_attr(c, "code", code);
	if (price >= 0)
		eb_doc_set_attr_i64(c, "unit-price", price);
}

/* Run, free the inputs, return the report. */
static struct eb_doc *
run(struct eb_doc *rules, struct eb_doc **ob, size_t n)
{
	struct eb_doc *rep = NULL;
	struct eb_error err;
	size_t i;

	memset(&err, 0, sizeof(err));
	assert_int_equal(eb_clearing_run(rules,
	    (const struct eb_doc *const *)ob, n, &rep, &err), EB_OK);
	assert_non_null(rep);
	for (i = 0; i < n; i++)
		eb_doc_free(ob[i]);
	eb_doc_free(rules);
	return rep;
}

/* ---- report readers ------------------------------------------------ */

static int64_t
nfindings(const struct eb_doc *rep)
{
	int64_t v = -1;

	assert_int_equal(eb_doc_attr_i64(rep, "findings", &v), EB_OK);
	assert_int_equal(v, (int64_t)eb_doc_count(rep, "finding"));
	return v;
}

static size_t
count(const struct eb_doc *rep, const char *rule)
{
	const struct eb_doc *f;
	size_t n = 0;

	eb_doc_foreach(f, rep, "finding")
		if (strcmp(eb_doc_attr(f, "rule"), rule) == 0)
			n++;
	return n;
}

static int
names(const struct eb_doc *f, const char *party)
{
	const struct eb_doc *b;

	eb_doc_foreach(b, f, "bidder")
		if (strcmp(eb_doc_attr(b, "party"), party) == 0)
			return 1;
	return 0;
}

/* The nth (0-based) finding of 'rule' naming 'party'; fails if none. */
static const struct eb_doc *
find(const struct eb_doc *rep, const char *rule, const char *party, int nth)
{
	const struct eb_doc *f;

	eb_doc_foreach(f, rep, "finding")
		if (strcmp(eb_doc_attr(f, "rule"), rule) == 0 &&
		    (party == NULL || names(f, party)) && nth-- == 0)
			return f;
	fail_msg("no finding %s for %s", rule, party ? party : "-");
	return NULL;
}

static const struct eb_doc *
summary(const struct eb_doc *rep, const char *party)
{
	const struct eb_doc *s;

	eb_doc_foreach(s, rep, "bid-summary")
		if (strcmp(eb_doc_attr(s, "bidder"), party) == 0)
			return s;
	fail_msg("no summary for %s", party);
	return NULL;
}

static void
attr_is(const struct eb_doc *d, const char *name, const char *want)
{
	const char *v = eb_doc_attr(d, name);

	assert_non_null(v);
	assert_string_equal(v, want);
}

static void
bidders_are(const struct eb_doc *f, const char *const *want, size_t n)
{
	const struct eb_doc *b;
	size_t i = 0;

	eb_doc_foreach(b, f, "bidder") {
		assert_true(i < n);
		assert_string_equal(eb_doc_attr(b, "party"), want[i]);
		i++;
	}
	assert_int_equal(i, n);
}

/* ---- rules --------------------------------------------------------- */

static void
test_arithmetic_zero_qty_one_bid(void **state)
{
	/*
	 * L1: 12.5 x 333 = 4162.5 -> 4163 (half up); written 4162: diff -1.
	 * L2: 2 x 1000 = 2000, right.
	 * L3: 0 x 5000 = 0; written 100: diff +100.
	 * L4: 0 x 7000 = 0, written 0: right (zero quantity is allowed).
	 * total-price = 4162 + 2000 + 100 + 0 = 6262 (sum of written totals);
	 * corrected = 4163 + 2000 + 0 + 0 = 6163; difference 99.
	 * One bid only: the mean of the others and the next bid are
	 * undefined, so no low-price finding.
	 */
	struct tl l[] = { { "L1", "12.5", 333, 4162 }, { "L2", "2", 1000, -1 },
	    { "L3", "0", 5000, 100 }, { "L4", "0", 7000, 0 } };
	struct bopt o = { "P1", -1, l, 4, NULL, NULL, NULL, NULL, NULL, NULL };
	struct eb_doc *ob[1] = { mk(&o) }, *rep;
	const struct eb_doc *f;

	(void)state;
	rep = run(NULL, ob, 1);
	assert_int_equal(nfindings(rep), 3);
	f = find(rep, "arithmetic-line", "P1", 0);
	attr_is(f, "severity", "needs-explanation");
	attr_is(f, "line-no", "1");
	attr_is(f, "code", "L1");
	attr_is(f, "quantity", "12.5");
	attr_is(f, "submitted", "4162");
	attr_is(f, "corrected", "4163");
	attr_is(f, "difference", "-1");
	f = find(rep, "arithmetic-line", "P1", 1);
	attr_is(f, "line-no", "3");
	attr_is(f, "quantity", "0");
	attr_is(f, "corrected", "0");
	attr_is(f, "difference", "100");
	f = find(rep, "arithmetic-total", "P1", 0);
	attr_is(f, "submitted", "6262");
	attr_is(f, "corrected", "6163");
	attr_is(f, "difference", "99");
	attr_is(summary(rep, "P1"), "corrected-total", "6163");
	attr_is(summary(rep, "P1"), "submitted-total", "6262");
	attr_is(summary(rep, "P1"), "status", "valid");
	attr_is(summary(rep, "P1"), "findings", "3");
	assert_null(eb_doc_attr(rep, "rules-sha256"));
	eb_doc_free(rep);
}

static void
test_ceiling(void **state)
{
	/* ceiling 10000: 10000 passes (not above); 10100 is invalid, excess
	 * 100; P3 writes 10000 but 1 x 10001 corrects to 10001: invalid too,
	 * excess 1. */
	struct eb_doc *r = quiet_rules(), *rep;
	struct tl l3 = { "L1", "1", 10001, 10000 };
	struct bopt o3 = { "P3", -1, &l3, 1, NULL, NULL, NULL, NULL, NULL,
	    NULL };
	struct eb_doc *ob[3] = { mk1("P1", 10000), mk1("P2", 10100), mk(&o3) };
	const struct eb_doc *f;

	(void)state;
	rset(r, "ceiling-price", "10000");
	rep = run(r, ob, 3);
	/* P3 also has an arithmetic-line and -total finding */
	assert_int_equal(nfindings(rep), 4);
	assert_int_equal(count(rep, "ceiling-price"), 2);
	f = find(rep, "ceiling-price", "P2", 0);
	attr_is(f, "severity", "invalid");
	attr_is(f, "excess", "100");
	attr_is(f, "ceiling-price", "10000");
	f = find(rep, "ceiling-price", "P3", 0);
	attr_is(f, "submitted", "10000");
	attr_is(f, "corrected", "10001");
	attr_is(f, "excess", "1");
	attr_is(summary(rep, "P1"), "status", "valid");
	attr_is(summary(rep, "P2"), "status", "invalid");
	attr_is(summary(rep, "P3"), "status", "invalid");
	eb_doc_free(rep);
}

static void
test_low_vs_mean(void **state)
{
	struct eb_doc *r, *rep, *ob[3];
	const struct eb_doc *f;

	(void)state;
	/* others 100000 and 100000: S = 200000, n = 2, P = 60000.
	 * 100 (S - nP) = 100 x 80000 = 8000000 = 40 x S: exactly 40 %,
	 * flagged (>= threshold). P1: S = 160000, S - nP < 0: no. */
	r = quiet_rules();
	rset(r, "low-vs-mean-percent", "40");
	ob[0] = mk1("P1", 100000);
	ob[1] = mk1("P2", 100000);
	ob[2] = mk1("P3", 60000);
	rep = run(r, ob, 3);
	assert_int_equal(nfindings(rep), 1);
	f = find(rep, "low-vs-mean", "P3", 0);
	attr_is(f, "percent-below", "40.00");
	attr_is(f, "mean-of-others", "100000");
	attr_is(f, "others", "2");
	attr_is(f, "price", "60000");
	attr_is(f, "threshold-percent", "40");
	attr_is(summary(rep, "P3"), "status", "valid");
	eb_doc_free(rep);

	/* P = 60001: 100 x (200000 - 120002) = 7999800 < 8000000: none */
	r = quiet_rules();
	rset(r, "low-vs-mean-percent", "40");
	ob[0] = mk1("P1", 100000);
	ob[1] = mk1("P2", 100000);
	ob[2] = mk1("P3", 60001);
	rep = run(r, ob, 3);
	assert_int_equal(nfindings(rep), 0);
	eb_doc_free(rep);

	/* P = 61234: (200000 - 122468) / 200000 = 77532 / 200000
	 * = 38.766 % -> "38.77" (half up); threshold 38: flagged. */
	r = quiet_rules();
	rset(r, "low-vs-mean-percent", "38");
	ob[0] = mk1("P1", 100000);
	ob[1] = mk1("P2", 100000);
	ob[2] = mk1("P3", 61234);
	rep = run(r, ob, 3);
	assert_int_equal(nfindings(rep), 1);
	attr_is(find(rep, "low-vs-mean", "P3", 0), "percent-below", "38.77");
	eb_doc_free(rep);
}

static void
test_low_vs_next(void **state)
{
	struct eb_doc *r, *rep, *ob[3];
	const struct eb_doc *f;

	(void)state;
	/* lowest 70000, next 100000 (P1: the lower party id of the tie):
	 * 100 x 30000 = 3000000 = 30 x 100000: exactly 30 %, flagged. */
	r = quiet_rules();
	rset(r, "low-vs-next-percent", "30");
	ob[0] = mk1("P2", 100000);
	ob[1] = mk1("P3", 70000);
	ob[2] = mk1("P1", 100000);
	rep = run(r, ob, 3);
	assert_int_equal(nfindings(rep), 1);
	f = find(rep, "low-vs-next", "P3", 0);
	attr_is(f, "percent-below", "30.00");
	attr_is(f, "next-price", "100000");
	attr_is(f, "next-bidder", "P1");
	eb_doc_free(rep);

	/* 70001: 100 x 29999 < 3000000: none */
	r = quiet_rules();
	rset(r, "low-vs-next-percent", "30");
	ob[0] = mk1("P2", 100000);
	ob[1] = mk1("P3", 70001);
	ob[2] = mk1("P1", 100000);
	rep = run(r, ob, 3);
	assert_int_equal(nfindings(rep), 0);
	eb_doc_free(rep);

	/* defaults (40 / 30) with one bid: nothing to compare with */
	ob[0] = mk1("P1", 1);
	rep = run(NULL, ob, 1);
	assert_int_equal(nfindings(rep), 0);
	eb_doc_free(rep);
}

static void
test_cost_floor(void **state)
{
	/* floor 50000: 50000 is not below; 49999 is, shortfall 1 */
	struct eb_doc *r = quiet_rules(), *rep;
	struct eb_doc *ob[2] = { mk1("P1", 50000), mk1("P2", 49999) };
	const struct eb_doc *f;

	(void)state;
	rset(r, "cost-floor", "50000");
	rep = run(r, ob, 2);
	assert_int_equal(nfindings(rep), 1);
	f = find(rep, "cost-floor", "P2", 0);
	attr_is(f, "severity", "needs-explanation");
	attr_is(f, "shortfall", "1");
	attr_is(f, "cost-floor", "50000");
	eb_doc_free(rep);
}

static void
test_unbalanced_control(void **state)
{
	/*
	 * band 10 %: flagged when 100 |U - C| > 10 C.
	 * L1 (C 10000): P1 11000 = +10.00 % exactly: not flagged;
	 *               P2 11001: +10.01 %; P3 8999: -10.01 %.
	 * L2 (C 30000): P1 33004: 3004/30000 = 10.0133 % -> "10.01".
	 * L3 (C 40000): P1 44002: 4002/40000 = 10.005 % -> "10.01" (half up).
	 * L4 (C 0):     P2 1 > 0: flagged, no percentage; P1, P3 0: not.
	 */
	struct tl l1[] = { { "L1", "1", 11000, -1 }, { "L2", "1", 33004, -1 },
	    { "L3", "1", 44002, -1 }, { "L4", "1", 0, -1 } };
	struct tl l2[] = { { "L1", "1", 11001, -1 }, { "L2", "1", 30000, -1 },
	    { "L3", "1", 40000, -1 }, { "L4", "1", 1, -1 } };
	struct tl l3[] = { { "L1", "1", 8999, -1 }, { "L2", "1", 30000, -1 },
	    { "L3", "1", 40000, -1 }, { "L4", "1", 0, -1 } };
	struct bopt o1 = { "P1", -1, l1, 4, NULL, NULL, NULL, NULL, NULL, NULL };
	struct bopt o2 = { "P2", -1, l2, 4, NULL, NULL, NULL, NULL, NULL, NULL };
	struct bopt o3 = { "P3", -1, l3, 4, NULL, NULL, NULL, NULL, NULL, NULL };
	struct eb_doc *r = quiet_rules(), *rep;
	struct eb_doc *ob[3] = { mk(&o1), mk(&o2), mk(&o3) };
	const struct eb_doc *f;

	(void)state;
	control(r, "L1", 10000);
	control(r, "L2", 30000);
	control(r, "L3", 40000);
	control(r, "L4", 0);
	rep = run(r, ob, 3);
	assert_int_equal(nfindings(rep), 5);
	assert_int_equal(count(rep, "unbalanced-vs-control"), 5);
	f = find(rep, "unbalanced-vs-control", "P1", 0);
	attr_is(f, "code", "L2");
	attr_is(f, "deviation-percent", "10.01");
	attr_is(f, "control-price", "30000");
	f = find(rep, "unbalanced-vs-control", "P1", 1);
	attr_is(f, "code", "L3");
	attr_is(f, "deviation-percent", "10.01");
	f = find(rep, "unbalanced-vs-control", "P2", 0);
	attr_is(f, "code", "L1");
	attr_is(f, "deviation-percent", "10.01");
	f = find(rep, "unbalanced-vs-control", "P2", 1);
	attr_is(f, "code", "L4");
	assert_null(eb_doc_attr(f, "deviation-percent"));
	f = find(rep, "unbalanced-vs-control", "P3", 0);
	attr_is(f, "deviation-percent", "-10.01");
	eb_doc_free(rep);
}

static void
test_unbalanced_average_missing_line(void **state)
{
	/*
	 * No control prices.  Line X: P1..P3 10000, P4 12000; line Y only in
	 * P1 (a line the others miss: nobody to compare with, no finding).
	 * P4: others' mean 10000, +20.00 %: flagged.
	 * P1: others (10000 + 10000 + 12000) = 32000 / 3:
	 *     100 |3 x 10000 - 32000| = 200000 <= 10 x 32000: not flagged.
	 * P5 is above the ceiling (invalid): its 50000 on X is left out of
	 * every average (else P1..P3 would be 26 % below).
	 */
	struct tl l1[] = { { "X", "1", 10000, -1 }, { "Y", "1", 5000, -1 } };
	struct bopt o1 = { "P1", -1, l1, 2, NULL, NULL, NULL, NULL, NULL, NULL };
	struct eb_doc *r = quiet_rules(), *rep;
	struct tl lx[] = { { "X", "1", 10000, -1 } }, l4[] = { { "X", "1",
	    12000, -1 } }, l5[] = { { "X", "1", 50000, -1 } };
	struct bopt o2 = { "P2", -1, lx, 1, NULL, NULL, NULL, NULL, NULL, NULL };
	struct bopt o3 = { "P3", -1, lx, 1, NULL, NULL, NULL, NULL, NULL, NULL };
	struct bopt o4 = { "P4", -1, l4, 1, NULL, NULL, NULL, NULL, NULL, NULL };
	struct bopt o5 = { "P5", -1, l5, 1, NULL, NULL, NULL, NULL, NULL, NULL };
	struct eb_doc *ob[5] = { mk(&o5), mk(&o4), mk(&o3), mk(&o2), mk(&o1) };
	const struct eb_doc *f;

	(void)state;
	eb_doc_set_text(eb_doc_child(r, "unbalanced-reference"),
	    "control-or-average");
	rset(r, "ceiling-price", "20000");
	rep = run(r, ob, 5);
	assert_int_equal(nfindings(rep), 2);
	find(rep, "ceiling-price", "P5", 0);
	f = find(rep, "unbalanced-vs-average", "P4", 0);
	attr_is(f, "code", "X");
	attr_is(f, "average-of-others", "10000");
	attr_is(f, "others", "3");
	attr_is(f, "deviation-percent", "20.00");
	eb_doc_free(rep);
}

static void
test_unbalanced_reference_modes(void **state)
{
	/*
	 * One line L1, control 10000; P1 10000, P2 10000, P3 12000.
	 * vs control: P3 +20.00 % (> 10): flagged; P1, P2 0 %.
	 * vs average: P3 against (10000 + 10000) / 2 = 10000: +20.00 %;
	 *   P1 against (10000 + 12000) / 2 = 11000:
	 *   100 |2 x 10000 - 22000| = 200000 <= 10 x 22000: not flagged.
	 * Expected findings per mode: control-or-average 1 (control only,
	 * since L1 has a control price), control 1, average 1, both 2.
	 */
	static const char *const mode[4] = { "control-or-average", "control",
	    "average", "both" };
	static const size_t nctl[4] = { 1, 1, 0, 1 }, navg[4] = { 0, 0, 1, 1 };
	int m;

	(void)state;
	for (m = 0; m < 4; m++) {
		struct eb_doc *r = quiet_rules(), *rep;
		struct eb_doc *ob[3] = { mk1("P1", 10000), mk1("P2", 10000),
		    mk1("P3", 12000) };

		rset(r, "unbalanced-reference", mode[m]);
		control(r, "L1", 10000);
		rep = run(r, ob, 3);
		assert_int_equal(count(rep, "unbalanced-vs-control"), nctl[m]);
		assert_int_equal(count(rep, "unbalanced-vs-average"), navg[m]);
		assert_int_equal(nfindings(rep), (int64_t)(nctl[m] + navg[m]));
		if (navg[m])
			attr_is(find(rep, "unbalanced-vs-average", "P3", 0),
			    "deviation-percent", "20.00");
		if (nctl[m])
			attr_is(find(rep, "unbalanced-vs-control", "P3", 0),
			    "deviation-percent", "20.00");
		eb_doc_free(rep);
	}
}

static void
add_item(struct eb_doc *ob, const char *list, const char *child,
    const char *attr, const char *key, const char *text)
{
	struct eb_doc *b = eb_doc_child(ob, "bid"), *l = eb_doc_child(b, list);
	struct eb_doc *c;

	if (l == NULL) {        /* <documents> is optional: add it in place */
		l = eb_doc_new(list);
		c = eb_doc_child(b, "technical");
		eb_doc_detach(c);
		eb_doc_append(b, l);
		eb_doc_append(b, c);
	}
	c = eb_doc_add_text(l, child, text);
	eb_doc_set_attr(c, attr, key);
}

static void
test_completeness(void **state)
{
	/*
	 * Required: sections s1, s2; declaration d1; document doc1; BoQ lines
	 * L1 (control 10000) and L2 (no control price).
	 * P1: s2 only whitespace, no d1, no doc1, no L2: 3 invalid + 1 line
	 * (needs explanation), in that order.  P2: complete.  P3: complete
	 * but for tender T-2 (the report's tender is T-1, named by most bids).
	 */
	struct eb_doc *r = quiet_rules(), *rep, *ob[3], *l;
	struct tl lines[] = { { "L1", "1", 10000, -1 }, { "L2", "1", 5000, -1 } };
	struct bopt o1 = { "P1", -1, lines, 1, NULL, NULL, NULL, NULL, NULL,
	    NULL };
	struct bopt o2 = { "P2", -1, lines, 2, NULL, NULL, NULL, NULL, NULL,
	    NULL };
	struct bopt o3 = { "P3", -1, lines, 2, NULL, NULL, NULL, NULL, NULL,
	    "T-2" };
	const struct eb_doc *f;
	size_t i;

	(void)state;
	l = eb_doc_add(r, "required-sections");
	eb_doc_set_attr(eb_doc_add(l, "section"), "name", "s1");
	eb_doc_set_attr(eb_doc_add(l, "section"), "name", "s2");
	l = eb_doc_add(r, "required-declarations");
	eb_doc_set_attr(eb_doc_add(l, "declaration"), "ref", "d1");
	l = eb_doc_add(r, "required-documents");
	eb_doc_set_attr(eb_doc_add(l, "document"), "name", "doc1");
	control(r, "L1", 10000);
	control(r, "L2", -1);
	ob[0] = mk(&o1);
	ob[1] = mk(&o2);
	ob[2] = mk(&o3);
	add_item(ob[0], "sections", "section", "name", "s1", "方案");
	add_item(ob[0], "sections", "section", "name", "s2", " \n\t");
	for (i = 1; i < 3; i++) {
		add_item(ob[i], "sections", "section", "name", "s1", "方案");
		add_item(ob[i], "sections", "section", "name", "s2", "措施");
		add_item(ob[i], "qualifications", "declaration", "ref", "d1",
		    "是");
		add_item(ob[i], "documents", "document", "name", "doc1", "");
		eb_doc_set_attr(eb_doc_path(ob[i], "bid/documents/document"),
		    "sha256", "00");
	}
	rep = run(r, ob, 3);
	assert_int_equal(nfindings(rep), 5);
	attr_is(rep, "tender", "T-1");
	f = find(rep, "completeness", "P1", 0);
	attr_is(f, "kind", "section");
	attr_is(f, "item", "s2");
	attr_is(f, "severity", "invalid");
	f = find(rep, "completeness", "P1", 1);
	attr_is(f, "kind", "declaration");
	attr_is(f, "item", "d1");
	f = find(rep, "completeness", "P1", 2);
	attr_is(f, "kind", "document");
	f = find(rep, "completeness", "P1", 3);
	attr_is(f, "kind", "line");
	attr_is(f, "item", "L2");
	attr_is(f, "severity", "needs-explanation");
	f = find(rep, "completeness", "P3", 0);
	attr_is(f, "kind", "tender");
	attr_is(f, "item", "T-2");
	attr_is(summary(rep, "P1"), "status", "invalid");
	attr_is(summary(rep, "P2"), "status", "valid");
	attr_is(summary(rep, "P2"), "findings", "0");
	attr_is(summary(rep, "P3"), "status", "invalid");
	eb_doc_free(rep);
}

static void
test_similarity_chinese(void **state)
{
	/*
	 * 5-character shingles after dropping spaces and punctuation:
	 * P1 "球墨铸铁管安装工程": 球墨铸铁管 墨铸铁管安 铸铁管安装 铁管安装工 管安装工程
	 * P2 "球墨 铸铁管，安装方案。" -> 球墨铸铁管安装方案:
	 *    球墨铸铁管 墨铸铁管安 铸铁管安装 铁管安装方 管安装方案
	 * shared 3, all 7: floor(1000 x 3 / 7) = floor(428.57) = 428.
	 * P3 "OPEN trench" and P4 "open-trench.": both "opentrench", 1000.
	 * Cross pairs share nothing.
	 */
	const char *tx[4] = { "球墨铸铁管安装工程", "球墨 铸铁管，安装方案。",
	    "OPEN trench", "open-trench." };
	const char *party[4] = { "P1", "P2", "P3", "P4" };
	int64_t price[4] = { 10000, 20000, 35000, 55000 };
	int thr;

	(void)state;
	for (thr = 428; thr <= 429; thr++) {
		struct tl l[4];
		struct bopt o[4];
		struct eb_doc *ob[4], *r = quiet_rules(), *rep;
		const struct eb_doc *f;
		char v[16];
		int i;

		for (i = 0; i < 4; i++) {
			l[i] = (struct tl){ "L1", "1", price[i], -1 };
			o[i] = (struct bopt){ party[i], -1, &l[i], 1, tx[i],
			    NULL, NULL, NULL, NULL, NULL };
			ob[i] = mk(&o[i]);
		}
		snprintf(v, sizeof(v), "%d", thr);
		rset(r, "similarity-threshold", v);
		rep = run(r, ob, 4);
		if (thr == 428) {
			assert_int_equal(nfindings(rep), 2);
			f = find(rep, "similar-technical", "P1", 0);
			assert_true(names(f, "P2"));
			attr_is(f, "similarity-per-mille", "428");
			attr_is(f, "shared-shingles", "3");
			attr_is(f, "all-shingles", "7");
		} else {
			assert_int_equal(nfindings(rep), 1);
		}
		f = find(rep, "similar-technical", "P3", 0);
		assert_true(names(f, "P4"));
		attr_is(f, "similarity-per-mille", "1000");
		eb_doc_free(rep);
	}
}

static void
test_same_keys(void **state)
{
	/*
	 * P1 and P3 share a machine fingerprint; P1 and P2 the creation
	 * instant; P2 and P3 the phone ("0538-3219876" and "0538 321 9876"
	 * are the same digits) and the e-mail (case differs).  Input order
	 * P3, P2, P1: bidders still come out sorted by party id.
	 */
	struct tl l1 = { "L1", "1", 10000, -1 }, l2 = { "L1", "1", 20000, -1 },
	    l3 = { "L1", "1", 35000, -1 };
	struct bopt o1 = { "P1", -1, &l1, 1, NULL, "FP-X", "2026-11-21T15:02:44.380Z",
	    NULL, NULL, NULL };
	struct bopt o2 = { "P2", -1, &l2, 1, NULL, NULL, "2026-11-21T15:02:44.380Z",
	    "0538-3219876", "Bid@Huayu.cn", NULL };
	struct bopt o3 = { "P3", -1, &l3, 1, NULL, "FP-X", NULL,
	    "0538 321 9876", "bid@huayu.CN", NULL };
	struct eb_doc *ob[3] = { mk(&o3), mk(&o2), mk(&o1) }, *rep;
	const char *p13[] = { "P1", "P3" }, *p12[] = { "P1", "P2" },
	    *p23[] = { "P2", "P3" };
	const struct eb_doc *f;

	(void)state;
	rep = run(quiet_rules(), ob, 3);
	assert_int_equal(nfindings(rep), 4);
	f = find(rep, "same-fingerprint", NULL, 0);
	bidders_are(f, p13, 2);
	attr_is(f, "machine-fingerprint", "FP-X");
	f = find(rep, "same-metadata", NULL, 0);
	bidders_are(f, p12, 2);
	attr_is(f, "severity", "note");
	f = find(rep, "same-contact", NULL, 0);
	bidders_are(f, p23, 2);
	attr_is(f, "field", "phone");
	attr_is(f, "value", "0538-3219876");
	f = find(rep, "same-contact", NULL, 1);
	attr_is(f, "field", "email");
	eb_doc_free(rep);
}

static void
test_same_errors(void **state)
{
	/*
	 * P1 and P2 are wrong on L1 and L3 (by different amounts), P3 on L1
	 * only: one same-errors finding for P1, P2 with lines "L1 L3".
	 * Also 5 arithmetic-line findings and 2 arithmetic-total: P1's
	 * errors cancel (999 + 2000 + 3001 = 6000 = corrected), P2 writes
	 * 990 + 2000 + 3100 = 6090 and P3 999 + 2000 + 3000 = 5999.
	 */
	struct tl a[] = { { "L1", "1", 1000, 999 }, { "L2", "1", 2000, -1 },
	    { "L3", "1", 3000, 3001 } };
	struct tl b[] = { { "L1", "1", 1000, 990 }, { "L2", "1", 2000, -1 },
	    { "L3", "1", 3000, 3100 } };
	struct tl c[] = { { "L1", "1", 1000, 999 }, { "L2", "1", 2000, -1 },
	    { "L3", "1", 3000, -1 } };
	struct bopt o1 = { "P1", -1, a, 3, NULL, NULL, NULL, NULL, NULL, NULL };
	struct bopt o2 = { "P2", -1, b, 3, NULL, NULL, NULL, NULL, NULL, NULL };
	struct bopt o3 = { "P3", -1, c, 3, NULL, NULL, NULL, NULL, NULL, NULL };
	struct eb_doc *ob[3] = { mk(&o1), mk(&o2), mk(&o3) }, *rep;
	const char *p12[] = { "P1", "P2" };
	const struct eb_doc *f;

	(void)state;
	rep = run(quiet_rules(), ob, 3);
	assert_int_equal(count(rep, "arithmetic-line"), 5);
	assert_int_equal(count(rep, "arithmetic-total"), 2);
	assert_int_equal(count(rep, "same-errors"), 1);
	assert_int_equal(nfindings(rep), 8);
	f = find(rep, "same-errors", NULL, 0);
	bidders_are(f, p12, 2);
	attr_is(f, "lines", "L1 L3");
	eb_doc_free(rep);
}

static void
test_same_unusual_price(void **state)
{
	/*
	 * L1 12345 for P1 and P2: not whole yuan, unusual: flagged.
	 * L3 12300 for both: whole yuan, no control price: usual.
	 * L2 12300 for both, control 10000: +23 % is outside the 10 % band:
	 * unusual, flagged (and each is unbalanced-vs-control).
	 */
	struct tl l[] = { { "L1", "1", 12345, -1 }, { "L2", "1", 12300, -1 },
	    { "L3", "1", 12300, -1 } };
	struct bopt o1 = { "P1", -1, l, 3, NULL, NULL, NULL, NULL, NULL, NULL };
	struct bopt o2 = { "P2", -1, l, 3, NULL, NULL, NULL, NULL, NULL, NULL };
	struct eb_doc *r = quiet_rules(), *rep;
	struct eb_doc *ob[2] = { mk(&o2), mk(&o1) };
	const struct eb_doc *f;

	(void)state;
	control(r, "L2", 10000);
	rep = run(r, ob, 2);
	assert_int_equal(count(rep, "same-unusual-price"), 2);
	assert_int_equal(count(rep, "unbalanced-vs-control"), 2);
	assert_int_equal(nfindings(rep), 4);
	f = find(rep, "same-unusual-price", NULL, 0);
	attr_is(f, "code", "L1");
	attr_is(f, "unit-price", "12345");
	assert_true(names(f, "P1") && names(f, "P2"));
	f = find(rep, "same-unusual-price", NULL, 1);
	attr_is(f, "code", "L2");
	eb_doc_free(rep);
}

static void
test_price_progression(void **state)
{
	/* 100000 (P2), 110000 (P4), 120000 (P3), 130000 (P1): step 10000,
	 * 4 bids; 200000 (P5) breaks the run. */
	struct eb_doc *ob[5] = { mk1("P1", 130000), mk1("P2", 100000),
	    mk1("P3", 120000), mk1("P4", 110000), mk1("P5", 200000) }, *rep;
	const char *want[] = { "P1", "P2", "P3", "P4" };
	const struct eb_doc *f;

	(void)state;
	rep = run(quiet_rules(), ob, 5);
	assert_int_equal(nfindings(rep), 1);
	f = find(rep, "price-progression", NULL, 0);
	bidders_are(f, want, 4);
	attr_is(f, "step", "10000");
	attr_is(f, "count", "4");
	attr_is(f, "lowest", "100000");
	attr_is(f, "highest", "130000");
	eb_doc_free(rep);

	/* only two in step: 100000, 110000, 150000: none */
	ob[0] = mk1("P1", 100000);
	ob[1] = mk1("P2", 110000);
	ob[2] = mk1("P3", 150000);
	rep = run(quiet_rules(), ob, 3);
	assert_int_equal(nfindings(rep), 0);
	eb_doc_free(rep);
}

static void
test_price_band(void **state)
{
	struct eb_doc *r, *rep, *ob[3];
	const struct eb_doc *f;

	(void)state;
	/* 100000, 100400, 100500: (100500 - 100000) x 1000 = 500000
	 * = 5 x 100000: exactly 5 per mille, flagged (<= band). */
	r = quiet_rules();
	eb_doc_set_text(eb_doc_child(r, "price-band-per-mille"), "5");
	ob[0] = mk1("P1", 100000);
	ob[1] = mk1("P2", 100500);
	ob[2] = mk1("P3", 100400);
	rep = run(r, ob, 3);
	assert_int_equal(nfindings(rep), 1);
	f = find(rep, "price-band", NULL, 0);
	attr_is(f, "count", "3");
	attr_is(f, "spread-per-mille", "5");
	attr_is(f, "severity", "note");
	eb_doc_free(rep);

	/* 100000, 100200, 100501: 501000 > 500000, and 100200..100501 is
	 * only two bids (minimum 3): none. */
	r = quiet_rules();
	eb_doc_set_text(eb_doc_child(r, "price-band-per-mille"), "5");
	ob[0] = mk1("P1", 100000);
	ob[1] = mk1("P2", 100501);
	ob[2] = mk1("P3", 100200);
	rep = run(r, ob, 3);
	assert_int_equal(nfindings(rep), 0);
	eb_doc_free(rep);
}

static void
test_bid_format_and_refusals(void **state)
{
	struct eb_doc *ob[2], *rep = NULL, *r;
	struct eb_error err;
	struct eb_buf b = EB_BUF_INIT;
	char hex[EB_SHA256_HEX];
	const struct eb_doc *f;

	(void)state;
	/* a bid the model refuses is a finding, not a failed run */
	ob[0] = mk1("P1", 100);
	eb_doc_set_text(eb_doc_path(ob[0], "bid/total-price"), "-5");
	ob[1] = mk1("P2", 100);
	rep = run(NULL, ob, 2);
	assert_int_equal(nfindings(rep), 1);
	f = find(rep, "bid-format", "P1", 0);
	attr_is(f, "reason", "bid-bad-amount");
	attr_is(f, "severity", "invalid");
	attr_is(summary(rep, "P1"), "status", "invalid");
	assert_null(eb_doc_attr(summary(rep, "P1"), "submitted-total"));
	eb_doc_free(rep);

	/* the same bidder twice */
	ob[0] = mk1("P1", 100);
	ob[1] = mk1("P1", 200);
	assert_int_equal(eb_clearing_run(NULL, (const struct eb_doc *const *)ob,
	    2, &rep, &err), EB_ERR_FORMAT);
	assert_string_equal(err.reason, "clearing-bad-input");
	assert_null(rep);
	/* not an opened-bid */
	assert_int_equal(eb_clearing_run(NULL, (const struct eb_doc *const *)
	    &ob[0]->first, 1, &rep, &err), EB_ERR_FORMAT);
	/* a threshold out of range */
	r = rules_new();
	rset(r, "low-vs-mean-percent", "101");
	assert_int_equal(eb_clearing_run(r, (const struct eb_doc *const *)ob,
	    1, &rep, &err), EB_ERR_FORMAT);
	assert_string_equal(err.reason, "clearing-bad-rule");
	eb_doc_free(r);
	r = rules_new();
	rset(r, "similarity-threshold", "0");
	assert_int_equal(eb_clearing_run(r, (const struct eb_doc *const *)ob,
	    1, &rep, &err), EB_ERR_FORMAT);
	eb_doc_free(r);
	eb_doc_free(ob[0]);
	eb_doc_free(ob[1]);

	/* no bids: an empty report; rules-sha256 = SHA-256 of the rules'
	 * canonical form */
	r = quiet_rules();
	assert_int_equal(eb_doc_serialize(r, &b), EB_OK);
	eb_sha256_hex(b.data, b.len, hex);
	eb_buf_free(&b);
	rep = run(r, NULL, 0);
	attr_is(rep, "bids", "0");
	attr_is(rep, "findings", "0");
	attr_is(rep, "rules-sha256", hex);
	assert_null(eb_doc_attr(rep, "tender"));
	eb_doc_free(rep);
	/* the rules' tender attribute names the report */
	r = rules_new();
	eb_doc_set_attr(r, "tender", "T-9");
	ob[0] = mk1("P1", 100);
	rep = run(r, ob, 1);
	attr_is(rep, "tender", "T-9");
	f = find(rep, "completeness", "P1", 0);
	attr_is(f, "kind", "tender");
	attr_is(f, "item", "T-1");
	eb_doc_free(rep);
	assert_string_equal(eb_clearing_rule_name(EB_CR_PRICE_BAND),
	    "price-band");
	assert_null(eb_clearing_rule_name(EB_CR_COUNT));
}

/* ---- the sample bids ----------------------------------------------- */

static struct eb_schema *schema;

static struct eb_doc *
load(const char *name)
{
	char path[512];
	FILE *fp;
	uint8_t *buf = malloc(1 << 20);
	size_t n;
	struct eb_doc *d = NULL;
	struct eb_error err;

	assert_non_null(buf);
	snprintf(path, sizeof(path), "%s/tests/data/bids/%s", EB_SRC_DIR, name);
	fp = fopen(path, "rb");
	assert_non_null(fp);
	n = fread(buf, 1, 1 << 20, fp);
	fclose(fp);
	if (eb_xml_parse(schema, NULL, buf, n, &d, &err) != EB_OK)
		fail_msg("%s: %s (%s)", name, err.primary, err.detail);
	free(buf);
	return d;
}

#define NSAMPLES 6
static const char *const sample_party[NSAMPLES] = { "P-1001", "P-1002",
	"P-1003", "P-1004", "P-1005", "P-1006" };
static const char *const sample_file[NSAMPLES] = { "bid-1-quancheng.xml",
	"bid-2-huayu.xml", "bid-3-jinlu.xml", "bid-4-taishan.xml",
	"bid-5-hengda.xml", "bid-6-lutong.xml" };
static const char *const sample_org[NSAMPLES] = {
	"山东泉城市政工程有限公司 Shandong Quancheng Municipal Engineering Co., Ltd.",
	"泰安华宇建设集团有限公司 Tai'an Huayu Construction Group Co., Ltd.",
	"肥城金路管道工程有限公司 Feicheng Jinlu Pipeline Engineering Co., Ltd.",
	"济南泰山水务建设有限公司 Jinan Taishan Water Works Construction Co., Ltd.",
	"德州恒达市政建设有限公司 Dezhou Hengda Municipal Construction Co., Ltd.",
	"山东鲁通路桥工程有限公司 Shandong Lutong Road and Bridge Engineering Co., Ltd.",
};

/* Clear the samples, the bids given in the order 'order'. */
static struct eb_doc *
clear_samples(const int *order, struct eb_buf *canon)
{
	struct eb_doc *ob[NSAMPLES], *rules = load("clearing-rules.xml"), *rep;
	int i;

	for (i = 0; i < NSAMPLES; i++) {
		int k = order[i];

		ob[i] = eb_doc_new("opened-bid");
		eb_doc_set_attr(ob[i], "bidder", sample_party[k]);
		eb_doc_set_attr(ob[i], "org", sample_org[k]);
		eb_doc_append(ob[i], load(sample_file[k]));
	}
	rep = run(rules, ob, NSAMPLES);
	assert_int_equal(eb_doc_serialize(rep, canon), EB_OK);
	return rep;
}

static void
test_samples(void **state)
{
	static const int fwd[NSAMPLES] = { 0, 1, 2, 3, 4, 5 },
	    rev[NSAMPLES] = { 4, 2, 5, 0, 3, 1 };
	struct eb_buf c1 = EB_BUF_INIT, c2 = EB_BUF_INIT, out = EB_BUF_INIT;
	struct eb_doc *rep, *rep2, *rules;
	const struct eb_doc *f;
	struct eb_error err;
	int rule;

	(void)state;
	eb_xml_init();
	schema = eb_schema_load(EB_SRC_DIR "/protocol/xsd/ebid.xsd", &err);
	if (schema == NULL)
		fail_msg("schema: %s (%s)", err.primary, err.detail);
	rep = clear_samples(fwd, &c1);
	rep2 = clear_samples(rev, &c2);
	/* deterministic: same bytes whatever the input order */
	assert_int_equal(c1.len, c2.len);
	assert_memory_equal(c1.data, c2.data, c1.len);
	/* the report is valid against clearing.xsd */
	assert_int_equal(eb_xml_write(rep, 0, &out), EB_OK);
	eb_doc_free(rep2);
	rep2 = NULL;
	if (eb_xml_parse(schema, NULL, out.data, out.len, &rep2, &err) != EB_OK)
		fail_msg("report invalid: %s (%s)", err.primary, err.detail);
	eb_doc_free(rep2);
	if (getenv("EB_CLEARING_PRINT") != NULL) {
		eb_buf_reset(&out);
		assert_int_equal(eb_xml_write(rep, 1, &out), EB_OK);
		printf("%s\n", eb_buf_str(&out));
	}
	attr_is(rep, "tender", "FC-2026-WS-017-L1");
	attr_is(rep, "bids", "6");
	rules = load("clearing-rules.xml");
	eb_buf_reset(&out);
	assert_int_equal(eb_doc_serialize(rules, &out), EB_OK);
	{
		char hex[EB_SHA256_HEX];

		eb_sha256_hex(out.data, out.len, hex);
		attr_is(rep, "rules-sha256", hex);
	}
	eb_doc_free(rules);

	/* every rule fires at least once on the five other bids, except
	 * bid-format: the samples
	 * are schema-valid bids, which the model always reads */
	for (rule = EB_CR_COMPLETENESS; rule < EB_CR_COUNT; rule++)
		if (count(rep, eb_clearing_rule_name(rule)) == 0)
			fail_msg("rule %s did not fire",
			    eb_clearing_rule_name(rule));
	assert_int_equal(count(rep, "bid-format"), 0);
	/* the clean bid is named by no finding */
	eb_doc_foreach(f, rep, "finding")
		assert_false(names(f, "P-1001"));
	attr_is(summary(rep, "P-1001"), "status", "valid");
	attr_is(summary(rep, "P-1001"), "findings", "0");
	attr_is(summary(rep, "P-1001"), "corrected-total", "570368000");
	/* Taishan: 6,006,000.00 yuan > 6,000,000.00 ceiling, incomplete */
	attr_is(summary(rep, "P-1004"), "status", "invalid");
	attr_is(find(rep, "ceiling-price", "P-1004", 0), "excess", "600000");
	assert_int_equal(count(rep, "completeness"), 5);
	/* Lutong: no bid-bond declaration (invalid), Hengda's address */
	attr_is(summary(rep, "P-1006"), "status", "invalid");
	attr_is(find(rep, "completeness", "P-1006", 0), "item", "bid-bond");
	f = find(rep, "same-contact", "P-1006", 0);
	assert_true(names(f, "P-1005"));
	attr_is(f, "field", "address");
	/* Hengda: valid but abnormally low.  Corrected 330,412,345 fen;
	 * others valid (Taishan and Lutong are invalid, left out): Quancheng 570,368,000, Huayu and Jinlu corrected
	 * (their errors: 0.5 m x unit price on line 3 and 0.75 m3 x unit
	 * price on line 6, half up):
	 *   Huayu 598,200,000 + 0.5 x 49800 + 0.75 x 4450
	 *        = 598,200,000 + 24,900 + 3,337.5 -> 3,338 = 598,228,238
	 *   Jinlu 599,400,000 + 0.5 x 49900 + 0.75 x 4480
	 *        = 599,400,000 + 24,950 + 3,360 = 599,428,310 */
	attr_is(summary(rep, "P-1002"), "corrected-total", "598228238");
	attr_is(summary(rep, "P-1003"), "corrected-total", "599428310");
	attr_is(summary(rep, "P-1005"), "status", "valid");
	attr_is(summary(rep, "P-1005"), "submitted-total", "330421345");
	attr_is(summary(rep, "P-1005"), "corrected-total", "330412345");
	f = find(rep, "low-vs-mean", "P-1005", 0);
	/* S = 570368000 + 598228238 + 599428310 = 1768024548, n = 3,
	 * S - 3P = 1768024548 - 991237035 = 776787513;
	 * 100 x 776787513 / 1768024548 = 43.9352... -> "43.94";
	 * mean = 1768024548 / 3 = 589341516 */
	attr_is(f, "percent-below", "43.94");
	attr_is(f, "mean-of-others", "589341516");
	f = find(rep, "low-vs-next", "P-1005", 0);
	/* (570368000 - 330412345) / 570368000 = 239955655 / 570368000
	 * = 42.0703... -> "42.07" */
	attr_is(f, "percent-below", "42.07");
	attr_is(f, "next-bidder", "P-1001");
	f = find(rep, "price-progression", NULL, 0);
	attr_is(f, "step", "1200000");
	attr_is(f, "count", "3");
	f = find(rep, "similar-technical", NULL, 0);
	assert_true(names(f, "P-1002") && names(f, "P-1003"));
	f = find(rep, "same-errors", NULL, 0);
	attr_is(f, "lines", "040103001001 040501004002");
	eb_doc_free(rep);
	eb_buf_free(&c1);
	eb_buf_free(&c2);
	eb_buf_free(&out);
	eb_schema_free(schema);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arithmetic_zero_qty_one_bid),
		cmocka_unit_test(test_ceiling),
		cmocka_unit_test(test_low_vs_mean),
		cmocka_unit_test(test_low_vs_next),
		cmocka_unit_test(test_cost_floor),
		cmocka_unit_test(test_unbalanced_control),
		cmocka_unit_test(test_unbalanced_average_missing_line),
		cmocka_unit_test(test_unbalanced_reference_modes),
		cmocka_unit_test(test_completeness),
		cmocka_unit_test(test_similarity_chinese),
		cmocka_unit_test(test_same_keys),
		cmocka_unit_test(test_same_errors),
		cmocka_unit_test(test_same_unusual_price),
		cmocka_unit_test(test_price_progression),
		cmocka_unit_test(test_price_band),
		cmocka_unit_test(test_bid_format_and_refusals),
		cmocka_unit_test(test_samples),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
