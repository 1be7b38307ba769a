/*
 * tests/unit/test_evaluation.c
 *    Price formulas, methods, trimming, deviation alerts, ties and the
 *    score-sheet check, each against a table computed by hand (written
 *    out in the comments; the fractions were checked with Python's
 *    fractions.Fraction, never with floating point).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "engine/core/evaluation.h"
#include "engine/core/fixed.h"
#include "tests/unit/flow_fixture.h"

/* -- builders ---------------------------------------------------------- */

/* A new element (child of 'parent' when not NULL) with key/value pairs. */
/* the shared element builder (tests/unit/flow_fixture.h) */
#define el fx_el

static struct eb_doc *
obid(const char *bidder, int64_t price, int64_t days)
{
	struct eb_doc *o = el(NULL, "opened-bid", "bidder", bidder, "org",
	    bidder, NULL), *b = eb_doc_add(o, "bid");
	char t[32];

	snprintf(t, sizeof(t), "%lld", (long long)price);
	eb_doc_add_text(b, "total-price", t);
	if (days >= 0) {
		snprintf(t, sizeof(t), "%lld", (long long)days);
		eb_doc_add_text(b, "completion-days", t);
	}
	return o;
}

static void
score(struct eb_doc *sheet, const char *bid, const char *crit,
    const char *value, const char *reason)
{
	struct eb_doc *s = el(sheet, "score", "bid", bid, "criterion", crit,
	    "value", value, NULL);

	if (reason != NULL)
		eb_doc_add_text(s, "reason", reason);
}

static void
comply(struct eb_doc *sheet, const char *bid, const char *item, int yes)
{
	struct eb_doc *s = el(sheet, "compliance", "bid", bid, "item", item,
	    "pass", yes ? "yes" : "no", NULL);

	if (!yes)
		eb_doc_add_text(s, "reason", "does not meet the requirement");
}

static void
rounding(struct eb_doc *rules, const char *point, const char *mode,
    const char *decimals)
{
	el(rules, "rounding", "point", point, "mode", mode, "decimals",
	    decimals, NULL);
}

static const struct eb_doc *
bid_of(const struct eb_doc *res, const char *bidder)
{
	const struct eb_doc *b;

	eb_doc_foreach(b, res, "bid")
		if (strcmp(eb_doc_attr(b, "bidder"), bidder) == 0)
			return b;
	fail_msg("no bid %s in the result", bidder);
	return NULL;
}

static const char *
child_attr(const struct eb_doc *d, const char *child, const char *attr)
{
	const struct eb_doc *c = eb_doc_child(d, child);

	assert_non_null(c);
	return eb_doc_attr(c, attr);
}

/* "D:85.0900:none,B:..." from the ranking (total or evaluated price). */
static void
ranking(const struct eb_doc *res, char *out, size_t n)
{
	const struct eb_doc *r;

	out[0] = '\0';
	eb_doc_foreach(r, eb_doc_child(res, "ranking"), "rank") {
		size_t l = strlen(out);
		const char *v = eb_doc_attr(r, "total");

		if (v == NULL)
			v = eb_doc_attr(r, "evaluated-price");
		snprintf(out + l, n - l, "%s%s:%s:%s", l ? "," : "",
		    eb_doc_attr(r, "bidder"), v, eb_doc_attr(r, "tie-break"));
	}
}

static void
candidates(const struct eb_doc *res, char *out, size_t n)
{
	const struct eb_doc *c;

	out[0] = '\0';
	eb_doc_foreach(c, eb_doc_child(res, "candidates"), "candidate") {
		size_t l = strlen(out);

		snprintf(out + l, n - l, "%s%s", l ? "," : "",
		    eb_doc_attr(c, "bidder"));
	}
}

static const uint8_t seed7[32] = {
	7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
	7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7
};

static void
free_all(struct eb_doc **d, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		eb_doc_free(d[i]);
}

/* -- lowest valid price as benchmark ----------------------------------- */

/*
 * max 30, score = 30 * B / price, rounded half-up to 2 decimals;
 * B = lowest valid price = 880,000 fen.  Criterion tech (max 70, step
 * 0.5) scored by three experts.
 *
 *   bid  price      30*B/price          price  tech (3 experts)  total
 *   B1   1,000,000  26.4                26.40  60 62 61 -> 61    87.40
 *   B2     950,000  27.789473...        27.79  55 56 57 -> 56    83.79
 *   B3   1,020,000  25.882352...        25.88  65 66 64 -> 65    90.88
 *   B4     880,000  30                  30.00  50 52 51 -> 51    81.00
 *   B5   1,100,000  24                  24.00  68 69 70 -> 69    93.00
 *   ranking B5 B3 B1 B2 B4; candidates B5 B3 B1
 */
static void
test_lowest_benchmark_five_bids(void **state)
{
	static const char *const names[5] = { "B1", "B2", "B3", "B4", "B5" };
	static const int64_t prices[5] = { 1000000, 950000, 1020000, 880000,
	    1100000 };
	static const char *const tech[5][3] = {
		{ "60", "62", "61" }, { "55", "56", "57" },
		{ "65", "66", "64" }, { "50", "52", "51" },
		{ "68", "69", "70" },
	};
	static const char *const want_price[5] = { "26.4000", "27.7900",
	    "25.8800", "30.0000", "24.0000" };
	static const char *const want_total[5] = { "87.4000", "83.7900",
	    "90.8800", "81.0000", "93.0000" };
	struct eb_doc *rules, *bids[5], *sheets[3], *res = NULL;
	struct eb_error err;
	char sum[512];
	size_t i, e;

	(void)state;
	rules = el(NULL, "evaluation-rules", "method", "comprehensive", NULL);
	el(rules, "price-formula", "kind", "lowest-benchmark", "max", "30",
	    NULL);
	el(rules, "criterion", "id", "tech", "name", "Technical plan", "max",
	    "70", "step", "0.5", NULL);
	rounding(rules, "price-score", "half-up", "2");
	for (i = 0; i < 5; i++)
		bids[i] = obid(names[i], prices[i], -1);
	for (e = 0; e < 3; e++) {
		char ex[8];

		snprintf(ex, sizeof(ex), "e%zu", e + 1);
		sheets[e] = el(NULL, "score-sheet", "expert", ex, NULL);
		for (i = 0; i < 5; i++)
			score(sheets[e], names[i], "tech", tech[i][e], NULL);
	}
	assert_int_equal(eb_evaluation_result(rules,
	    (const struct eb_doc *const *)bids, 5,
	    (const struct eb_doc *const *)sheets, 3, seed7, &res, &err),
	    EB_OK);
	assert_string_equal(eb_doc_attr(res, "benchmark"), "880000");
	for (i = 0; i < 5; i++) {
		const struct eb_doc *b = bid_of(res, names[i]);

		assert_string_equal(child_attr(b, "price-score", "value"),
		    want_price[i]);
		assert_string_equal(child_attr(b, "total", "value"),
		    want_total[i]);
	}
	assert_string_equal(child_attr(bid_of(res, "B2"), "criterion",
	    "score"), "56.0000");
	ranking(res, sum, sizeof(sum));
	assert_string_equal(sum, "B5:93.0000:none,B3:90.8800:none,"
	    "B1:87.4000:none,B2:83.7900:none,B4:81.0000:none");
	candidates(res, sum, sizeof(sum));
	assert_string_equal(sum, "B5,B3,B1");
	eb_doc_free(res);
	free_all(bids, 5);
	free_all(sheets, 3);
	eb_doc_free(rules);
}

/* -- average benchmark with dropped extremes and a drawn K -------------- */

/*
 * Five bids; drop-extremes (5 >= 5) drops D 900,000 and E 1,080,000.
 * A = (1,000,000 + 960,000 + 1,030,000) / 3 = 996,666.666...
 * K = 0.97 (drawn from 0.95 0.96 0.97 0.98): B = 2,900,300/3 =
 * 966,766.666... -> to the fen, half-up: 966,767.
 * d = (P - B) * 100 / B rounded half-up to 2 decimals; score = 40 -
 * 2/percent above, 1/percent below; rounded half-up to 2 decimals.
 *
 *   bid  price      d exact      d      price score      tech  total
 *   A    1,000,000   3.437539..   3.44  40-6.88 = 33.12  50    83.12
 *   B      960,000  -0.699961..  -0.70  40-0.70 = 39.30  45    84.30
 *   C    1,030,000   6.540665..   6.54  40-13.08= 26.92  55    81.92
 *   D      900,000  -6.906214..  -6.91  40-6.91 = 33.09  52    85.09
 *   E    1,080,000  11.712542..  11.71  40-23.42= 16.58  60    76.58
 *   ranking D B A C E
 */
static void
test_average_benchmark_drop_extremes_coefficient(void **state)
{
	static const char *const names[5] = { "A", "B", "C", "D", "E" };
	static const int64_t prices[5] = { 1000000, 960000, 1030000, 900000,
	    1080000 };
	static const char *const tech[5] = { "50", "45", "55", "52", "60" };
	static const char *const want_dev[5] = { "3.4400", "-0.7000",
	    "6.5400", "-6.9100", "11.7100" };
	static const char *const want_ps[5] = { "33.1200", "39.3000",
	    "26.9200", "33.0900", "16.5800" };
	struct eb_doc *rules, *f, *bids[5], *sheet, *res = NULL;
	struct eb_error err;
	char sum[512];
	size_t i;

	(void)state;
	rules = el(NULL, "evaluation-rules", "method", "comprehensive", NULL);
	f = el(rules, "price-formula", "kind", "average-benchmark", "max",
	    "40", "deduct-above", "2", "deduct-below", "1", "drop-extremes",
	    "yes", "drawn-coefficient", "0.97", NULL);
	eb_doc_add_text(f, "coefficient", "0.95");
	eb_doc_add_text(f, "coefficient", "0.96");
	eb_doc_add_text(f, "coefficient", "0.97");
	eb_doc_add_text(f, "coefficient", "0.98");
	el(rules, "criterion", "id", "tech", "max", "60", "step", "1", NULL);
	rounding(rules, "deviation-percent", "half-up", "2");
	rounding(rules, "price-score", "half-up", "2");
	for (i = 0; i < 5; i++)
		bids[i] = obid(names[i], prices[i], -1);
	sheet = el(NULL, "score-sheet", "expert", "e1", NULL);
	for (i = 0; i < 5; i++)
		score(sheet, names[i], "tech", tech[i], NULL);
	assert_int_equal(eb_evaluation_result(rules,
	    (const struct eb_doc *const *)bids, 5,
	    (const struct eb_doc *const *)&sheet, 1, seed7, &res, &err),
	    EB_OK);
	assert_string_equal(eb_doc_attr(res, "benchmark"), "966767");
	assert_string_equal(eb_doc_attr(res, "coefficient"), "0.97");
	for (i = 0; i < 5; i++) {
		const struct eb_doc *b = bid_of(res, names[i]);

		assert_string_equal(child_attr(b, "price-score",
		    "deviation-percent"), want_dev[i]);
		assert_string_equal(child_attr(b, "price-score", "value"),
		    want_ps[i]);
	}
	ranking(res, sum, sizeof(sum));
	assert_string_equal(sum, "D:85.0900:none,B:84.3000:none,"
	    "A:83.1200:none,C:81.9200:none,E:76.5800:none");
	eb_doc_free(res);
	res = NULL;

	/*
	 * Without drop-extremes all five count: A = 4,970,000/5 = 994,000;
	 * B = 0.97 * 994,000 = 964,180 exactly.  A: d = 35,820/9,641.8 =
	 * 3.715074... -> 3.72 -> 40 - 7.44 = 32.56.
	 */
	eb_doc_set_attr(f, "drop-extremes", "no");
	assert_int_equal(eb_evaluation_result(rules,
	    (const struct eb_doc *const *)bids, 5,
	    (const struct eb_doc *const *)&sheet, 1, seed7, &res, &err),
	    EB_OK);
	assert_string_equal(eb_doc_attr(res, "benchmark"), "964180");
	assert_string_equal(child_attr(bid_of(res, "A"), "price-score",
	    "value"), "32.5600");
	eb_doc_free(res);
	res = NULL;

	/* A coefficient list with no drawn value is refused. */
	eb_doc_set_attr(f, "drawn-coefficient", NULL);
	assert_int_equal(eb_evaluation_result(rules,
	    (const struct eb_doc *const *)bids, 5,
	    (const struct eb_doc *const *)&sheet, 1, seed7, &res, &err),
	    EB_ERR_RULE);
	assert_string_equal(err.reason, "coefficient-not-drawn");
	assert_null(res);
	/* A drawn value not in the list is malformed rules. */
	eb_doc_set_attr(f, "drawn-coefficient", "0.99");
	assert_int_equal(eb_evaluation_result(rules,
	    (const struct eb_doc *const *)bids, 5,
	    (const struct eb_doc *const *)&sheet, 1, seed7, &res, &err),
	    EB_ERR_FORMAT);
	free_all(bids, 5);
	eb_doc_free(sheet);
	eb_doc_free(rules);
}

/*
 * Drawing K: seed = bytes 0x00..0x1f, block 0 = SHA-256(seed ||
 * "ebid-draw" || be64(0)); its first word mod 4 (no rejection: 2^64 mod 4
 * = 0) is 0 -> the first coefficient, 0.95.
 */
static void
test_draw_coefficient(void **state)
{
	struct eb_doc *rules, *f;
	uint8_t seed[32];
	int64_t k = 0;
	size_t idx = 9, i;
	struct eb_error err;

	(void)state;
	for (i = 0; i < 32; i++)
		seed[i] = (uint8_t)i;
	rules = el(NULL, "evaluation-rules", "method", "comprehensive", NULL);
	f = el(rules, "price-formula", "kind", "average-benchmark", "max",
	    "40", NULL);
	assert_int_equal(eb_evaluation_draw_coefficient(rules, seed, &k, &idx,
	    &err), EB_ERR_NOTFOUND);
	eb_doc_add_text(f, "coefficient", "0.95");
	eb_doc_add_text(f, "coefficient", "0.96");
	eb_doc_add_text(f, "coefficient", "0.97");
	eb_doc_add_text(f, "coefficient", "0.98");
	assert_int_equal(eb_evaluation_draw_coefficient(rules, seed, &k, &idx,
	    &err), EB_OK);
	assert_int_equal(idx, 0);
	assert_true(k == 95000000);
	eb_doc_free(rules);
}

/* -- partial percent as a whole percent changes the winner -------------- */

/*
 * Benchmark = the reference price (reference-weight 1, share 1, K 1):
 * B = 1,000,000.  max 30, 1 point per percent above, 0.5 below.
 *
 *                       proportional          partial % as whole
 *   bid  price     d     price  tech  total    d   price  total
 *   X    1,001,000 +0.1  29.90  50.0  79.90    1   29.00  79.00
 *   Y      980,000 -2    29.00  50.5  79.50    2   29.00  79.50
 *   Z    1,050,000 +5    25.00  40.0  65.00    5   25.00  65.00
 *   winner                X                          Y
 */
static void
test_partial_percent_changes_winner(void **state)
{
	struct eb_doc *rules, *bids[3], *sheet, *res = NULL, *dev;
	struct eb_error err;
	char sum[256];

	(void)state;
	rules = el(NULL, "evaluation-rules", "method", "comprehensive", NULL);
	el(rules, "price-formula", "kind", "average-benchmark", "max", "30",
	    "deduct-above", "1", "deduct-below", "0.5", "reference-price",
	    "1000000", "reference-weight", "1", NULL);
	el(rules, "criterion", "id", "tech", "max", "60", "step", "0.5",
	    NULL);
	dev = el(rules, "rounding", "point", "deviation-percent", "mode",
	    "half-up", "decimals", "2", NULL);
	bids[0] = obid("X", 1001000, -1);
	bids[1] = obid("Y", 980000, -1);
	bids[2] = obid("Z", 1050000, -1);
	sheet = el(NULL, "score-sheet", "expert", "e1", NULL);
	score(sheet, "X", "tech", "50", NULL);
	score(sheet, "Y", "tech", "50.5", NULL);
	score(sheet, "Z", "tech", "40", NULL);
	assert_int_equal(eb_evaluation_result(rules,
	    (const struct eb_doc *const *)bids, 3,
	    (const struct eb_doc *const *)&sheet, 1, seed7, &res, &err),
	    EB_OK);
	assert_string_equal(eb_doc_attr(res, "benchmark"), "1000000");
	ranking(res, sum, sizeof(sum));
	assert_string_equal(sum, "X:79.9000:none,Y:79.5000:none,"
	    "Z:65.0000:none");
	eb_doc_free(res);
	res = NULL;

	/* the whole-percent switch is itself the rounding: a mode or
	 * decimals that it would override are refused, not ignored */
	eb_doc_set_attr(dev, "partial-percent-as-whole", "yes");
	assert_int_equal(eb_evaluation_result(rules,
	    (const struct eb_doc *const *)bids, 3,
	    (const struct eb_doc *const *)&sheet, 1, seed7, &res, &err),
	    EB_ERR_FORMAT);
	assert_non_null(strstr(err.primary, "partial-percent-as-whole rounds up"));
	eb_doc_set_attr(dev, "mode", "up");
	eb_doc_set_attr(dev, "decimals", "0");
	assert_int_equal(eb_evaluation_result(rules,
	    (const struct eb_doc *const *)bids, 3,
	    (const struct eb_doc *const *)&sheet, 1, seed7, &res, &err),
	    EB_OK);
	assert_string_equal(child_attr(bid_of(res, "X"), "price-score",
	    "deviation-percent"), "1.0000");
	ranking(res, sum, sizeof(sum));
	assert_string_equal(sum, "Y:79.5000:none,X:79.0000:none,"
	    "Z:65.0000:none");
	eb_doc_free(res);
	free_all(bids, 3);
	eb_doc_free(sheet);
	eb_doc_free(rules);
}

/*
 * docs/evaluation.md, "Worked examples" 1, 2 and 4, checked against the
 * engine (a change of either side fails here).  Prices in fen.
 */
static struct eb_doc *
doc_example(const char *kind, int64_t *prices, size_t n, int tiers,
    struct eb_doc **bids)
{
	struct eb_doc *rules, *f, *sheet, *res = NULL;
	struct eb_error err;
	static const char *const names[] = { "A", "B", "C", "D", "E", "F",
	    "G" };
	size_t i;

	rules = el(NULL, "evaluation-rules", "method", "comprehensive", NULL);
	if (strcmp(kind, "lowest-benchmark") == 0)
		el(rules, "price-formula", "kind", kind, "max", "40", NULL);
	else {
		f = el(rules, "price-formula", "kind", kind, "max", "40",
		    "deduct-above", "2", "deduct-below", "1",
		    "drawn-coefficient", tiers ? "1" : "0.97", NULL);
		if (tiers) {
			el(f, "trim-tier", "bids-from", "6", "drop-highest", "1",
			    NULL);
			el(f, "trim-tier", "bids-from", "7", "drop-highest", "1",
			    "drop-lowest", "1", NULL);
		}
	}
	el(rules, "criterion", "id", "tech", "max", "60", "step", "0.5", NULL);
	el(rules, "rounding", "point", "deviation-percent", "mode", "half-up",
	    "decimals", "2", NULL);
	el(rules, "rounding", "point", "price-score", "mode", "half-up",
	    "decimals", "2", NULL);
	sheet = el(NULL, "score-sheet", "expert", "e1", NULL);
	for (i = 0; i < n; i++) {
		bids[i] = obid(names[i], prices[i], -1);
		score(sheet, names[i], "tech", "50", NULL);
	}
	assert_int_equal(eb_evaluation_result(rules,
	    (const struct eb_doc *const *)bids, n,
	    (const struct eb_doc *const *)&sheet, 1, seed7, &res, &err),
	    EB_OK);
	eb_doc_free(sheet);
	eb_doc_free(rules);
	return res;
}

static void
test_docs_worked_examples(void **state)
{
	int64_t p4[] = { 100000000, 102000000, 98000000, 105000000 };
	int64_t p6[] = { 100000000, 101000000, 102000000, 103000000, 104000000,
	    130000000, 80000000 };
	struct eb_doc *bids[7], *res;

	(void)state;
	/* 1. average: B = 0.97 * 1,012,500.00 = 982,125.00 */
	res = doc_example("average-benchmark", p4, 4, 0, bids);
	assert_string_equal(eb_doc_attr(res, "benchmark"), "98212500");
	assert_string_equal(child_attr(bid_of(res, "A"), "price-score",
	    "deviation-exact"), "1.82003309");
	assert_string_equal(child_attr(bid_of(res, "A"), "price-score",
	    "deviation-percent"), "1.8200");
	assert_string_equal(child_attr(bid_of(res, "A"), "price-score",
	    "value"), "36.3600");
	assert_string_equal(child_attr(bid_of(res, "B"), "price-score",
	    "value"), "32.2800");
	assert_string_equal(child_attr(bid_of(res, "C"), "price-score",
	    "value"), "39.7800");
	assert_string_equal(child_attr(bid_of(res, "D"), "price-score",
	    "deviation-exact"), "6.91103475");
	assert_string_equal(child_attr(bid_of(res, "D"), "price-score",
	    "value"), "26.1800");
	eb_doc_free(res);
	free_all(bids, 4);
	/* 2. lowest price: B = 980,000.00 */
	res = doc_example("lowest-benchmark", p4, 4, 0, bids);
	assert_string_equal(eb_doc_attr(res, "benchmark"), "98000000");
	assert_string_equal(child_attr(bid_of(res, "A"), "price-score",
	    "value"), "39.2000");
	assert_string_equal(child_attr(bid_of(res, "B"), "price-score",
	    "value"), "38.4300");
	assert_string_equal(child_attr(bid_of(res, "D"), "price-score",
	    "value"), "37.3300");
	eb_doc_free(res);
	free_all(bids, 4);
	/* 4. tiers: six bids drop the highest, seven both: 1,020,000.00 */
	res = doc_example("average-benchmark", p6, 6, 1, bids);
	assert_string_equal(eb_doc_attr(res, "benchmark"), "102000000");
	assert_string_equal(child_attr(bid_of(res, "F"), "price-score",
	    "in-benchmark"), "no");
	assert_non_null(child_attr(bid_of(res, "F"), "price-score", "value"));
	assert_null(child_attr(bid_of(res, "A"), "price-score",
	    "in-benchmark"));
	eb_doc_free(res);
	free_all(bids, 6);
	res = doc_example("average-benchmark", p6, 7, 1, bids);
	assert_string_equal(eb_doc_attr(res, "benchmark"), "102000000");
	assert_string_equal(child_attr(bid_of(res, "G"), "price-score",
	    "in-benchmark"), "no");
	eb_doc_free(res);
	free_all(bids, 7);
	res = doc_example("average-benchmark", p6, 5, 1, bids);
	assert_string_equal(eb_doc_attr(res, "benchmark"), "102000000");
	eb_doc_free(res);
	free_all(bids, 5);
}

/* -- validity band ------------------------------------------------------ */

/*
 * Band: more than 5 % above 1,000,000 or more than 10 % below is invalid.
 *   V1 1,050,000 (exactly +5 %): valid     V2 1,050,001: above the band
 *   V3   900,000 (exactly -10 %): valid    V4   899,999: below the band
 * Lowest benchmark over the valid bids: 900,000 (V3, not V4).
 */
static void
test_validity_band(void **state)
{
	struct eb_doc *rules, *bids[4], *sheet, *res = NULL;
	struct eb_error err;
	char sum[256];

	(void)state;
	rules = el(NULL, "evaluation-rules", "method", "comprehensive", NULL);
	el(rules, "price-formula", "kind", "lowest-benchmark", "max", "10",
	    NULL);
	el(rules, "validity-band", "reference", "1000000", "above", "5",
	    "below", "10", NULL);
	el(rules, "criterion", "id", "tech", "max", "10", "step", "1", NULL);
	bids[0] = obid("V1", 1050000, -1);
	bids[1] = obid("V2", 1050001, -1);
	bids[2] = obid("V3", 900000, -1);
	bids[3] = obid("V4", 899999, -1);
	/* Invalid bids are not scored. */
	sheet = el(NULL, "score-sheet", "expert", "e1", NULL);
	score(sheet, "V1", "tech", "5", NULL);
	score(sheet, "V3", "tech", "5", NULL);
	assert_int_equal(eb_evaluation_result(rules,
	    (const struct eb_doc *const *)bids, 4,
	    (const struct eb_doc *const *)&sheet, 1, seed7, &res, &err),
	    EB_OK);
	assert_string_equal(eb_doc_attr(bid_of(res, "V2"), "invalid-reason"),
	    "above-validity-band");
	assert_string_equal(eb_doc_attr(bid_of(res, "V4"), "invalid-reason"),
	    "below-validity-band");
	assert_string_equal(eb_doc_attr(bid_of(res, "V1"), "valid"), "yes");
	assert_string_equal(eb_doc_attr(res, "benchmark"), "900000");
	/* V1: 10 * 900,000 / 1,050,000 = 8.571428571... (8 decimals). */
	assert_string_equal(child_attr(bid_of(res, "V1"), "price-score",
	    "value"), "8.57142857");
	ranking(res, sum, sizeof(sum));
	assert_string_equal(sum, "V3:15.0000:none,V1:13.57142857:none");
	eb_doc_free(res);
	free_all(bids, 4);
	eb_doc_free(sheet);
	eb_doc_free(rules);
}

/* -- trimming ----------------------------------------------------------- */

/*
 * One bid P (price fixed), criterion q (max 50, step 1), averages rounded
 * half-up to 2 decimals, trim-extremes="yes" (from 5 experts).
 *   5 experts: e1 40, e2 45, e3 42, e4 30, e5 45
 *     highest 45 twice: the later party (e5) is dropped; lowest e4 (30)
 *     kept e1 e2 e3: (40 + 45 + 42) / 3 = 42.333... -> 42.33
 *   4 experts (e1..e4): no trimming: (40 + 45 + 42 + 30) / 4 = 39.25
 */
static void
run_trim(size_t nexp, const char *want_avg, const char *const *want_trim)
{
	static const char *const vals[5] = { "40", "45", "42", "30", "45" };
	struct eb_doc *rules, *bid, *sheets[5], *res = NULL;
	const struct eb_doc *c, *es;
	struct eb_error err;
	size_t e = 0;

	rules = el(NULL, "evaluation-rules", "method", "comprehensive",
	    "trim-extremes", "yes", NULL);
	el(rules, "price-formula", "kind", "lowest-benchmark", "max", "10",
	    NULL);
	el(rules, "criterion", "id", "q", "max", "50", "step", "1", NULL);
	rounding(rules, "criterion-average", "half-up", "2");
	bid = obid("P", 500000, -1);
	for (e = 0; e < nexp; e++) {
		char ex[8];

		snprintf(ex, sizeof(ex), "e%zu", e + 1);
		sheets[e] = el(NULL, "score-sheet", "expert", ex, NULL);
		score(sheets[e], "P", "q", vals[e], NULL);
	}
	assert_int_equal(eb_evaluation_result(rules,
	    (const struct eb_doc *const *)&bid, 1,
	    (const struct eb_doc *const *)sheets, nexp, seed7, &res, &err),
	    EB_OK);
	c = eb_doc_child(bid_of(res, "P"), "criterion");
	assert_string_equal(eb_doc_attr(c, "score"), want_avg);
	e = 0;
	eb_doc_foreach(es, c, "expert-score")
		assert_string_equal(eb_doc_attr(es, "trimmed"), want_trim[e++]);
	assert_int_equal(e, nexp);
	eb_doc_free(res);
	eb_doc_free(bid);
	free_all(sheets, nexp);
	eb_doc_free(rules);
}

static void
test_trimming_five_and_four_experts(void **state)
{
	static const char *const t5[5] = { "no", "no", "no", "yes", "yes" };
	static const char *const t4[4] = { "no", "no", "no", "no" };

	(void)state;
	run_trim(5, "42.3300", t5);
	run_trim(4, "39.2500", t4);
}

/* -- deviation alerts --------------------------------------------------- */

/*
 * deviation-band 20 (% of max 50 = 10 points), one bid P, criterion q:
 *   e1 40: others (42 + 25)/2 = 33.5, |6.5|  <= 10  no alert
 *   e2 42: others (40 + 25)/2 = 32.5, |9.5|  <= 10  no alert
 *   e3 25: others (40 + 42)/2 = 41,   |16|   >  10  ALERT
 * Boundary: 40 40 30 -> e3 |30 - 40| = 10 exactly: no alert.
 */
static void
test_deviation_alert(void **state)
{
	static const char *const vals[3] = { "40", "42", "25" };
	struct eb_doc *rules, *bid, *sheets[3], *res = NULL, *al = NULL;
	const struct eb_doc *a;
	struct eb_error err;
	size_t e;

	(void)state;
	rules = el(NULL, "evaluation-rules", "method", "comprehensive",
	    "deviation-band", "20", NULL);
	el(rules, "price-formula", "kind", "lowest-benchmark", "max", "10",
	    NULL);
	el(rules, "criterion", "id", "q", "max", "50", "step", "1", NULL);
	bid = obid("P", 500000, -1);
	for (e = 0; e < 3; e++) {
		char ex[8];

		snprintf(ex, sizeof(ex), "e%zu", e + 1);
		sheets[e] = el(NULL, "score-sheet", "expert", ex, NULL);
		score(sheets[e], "P", "q", vals[e], NULL);
	}
	assert_int_equal(eb_evaluation_alerts(rules,
	    (const struct eb_doc *const *)sheets, 3, &al, &err), EB_OK);
	assert_int_equal(eb_doc_count(al, "alert"), 1);
	a = eb_doc_child(al, "alert");
	assert_string_equal(eb_doc_attr(a, "expert"), "e3");
	assert_string_equal(eb_doc_attr(a, "bid"), "P");
	assert_string_equal(eb_doc_attr(a, "criterion"), "q");
	assert_string_equal(eb_doc_attr(a, "others-mean"), "41.0000");
	assert_string_equal(eb_doc_attr(a, "reason"), "no");
	eb_doc_free(al);
	al = NULL;
	/* Without a reason the committee cannot close. */
	assert_int_equal(eb_evaluation_result(rules,
	    (const struct eb_doc *const *)&bid, 1,
	    (const struct eb_doc *const *)sheets, 3, seed7, &res, &err),
	    EB_ERR_RULE);
	assert_string_equal(err.reason, "deviation-reason-required");
	assert_string_equal(err.detail, "expert=e3 bid=P criterion=q");
	assert_null(res);
	/* With a written reason it can; the alert stays in the result. */
	eb_doc_add_text(sheets[2]->first, "reason",
	    "the method statement omits the dewatering plan");
	assert_int_equal(eb_evaluation_result(rules,
	    (const struct eb_doc *const *)&bid, 1,
	    (const struct eb_doc *const *)sheets, 3, seed7, &res, &err),
	    EB_OK);
	a = eb_doc_child(res, "alert");
	assert_non_null(a);
	assert_string_equal(eb_doc_attr(a, "expert"), "e3");
	assert_string_equal(eb_doc_attr(a, "reason"), "yes");
	eb_doc_free(res);
	/* Boundary: exactly the band is not a deviation. */
	eb_doc_set_attr(sheets[1]->first, "value", "40");
	eb_doc_set_attr(sheets[2]->first, "value", "30");
	assert_int_equal(eb_evaluation_alerts(rules,
	    (const struct eb_doc *const *)sheets, 3, &al, &err), EB_OK);
	assert_int_equal(eb_doc_count(al, "alert"), 0);
	eb_doc_free(al);
	eb_doc_free(bid);
	free_all(sheets, 3);
	eb_doc_free(rules);
}

/* -- lowest evaluated price --------------------------------------------- */

/*
 * Items qual and spec; 3 experts; majority = at least 2 of 3 say yes.
 *   L4 qual: yes no no -> fails (not compliant, not ranked)
 *   L2 spec: yes yes no -> passes; L3 qual: yes no yes -> passes
 * Adjustments:
 *   completion: target 365 days, per month, credit 5,000 fen/month early,
 *     charge 10,000 fen/month late
 *   dev: per-unit charge 3,000 fen per deviation (L3 has 2)
 *   disc: percent credit (L1 offers 1.5 %)
 *
 * partial month as whole = yes:
 *   L1 1,000,000, 300 d: 65 d early -> 3 months -> -15,000; 1.5 % -> -15,000
 *      = 970,000
 *   L2   980,000, 365 d: 0 -> 980,000
 *   L3   950,000, 400 d: 35 d late -> 2 months -> +20,000; 2 * 3,000 =
 *      +6,000 -> 976,000
 *   ranking L1 970,000, L3 976,000, L2 980,000
 * partial month as whole = no (months = days / 30, fen half-up):
 *   L1 65/30 * 5,000 = 10,833.33 -> -10,833; -15,000 -> 974,167
 *   L3 35/30 * 10,000 = 11,666.67 -> +11,667; +6,000 -> 967,667
 *   ranking L3 967,667, L1 974,167, L2 980,000
 */
static void
test_lowest_evaluated_price(void **state)
{
	static const char *const names[4] = { "L1", "L2", "L3", "L4" };
	static const int64_t prices[4] = { 1000000, 980000, 950000, 900000 };
	static const int64_t days[4] = { 300, 365, 400, 365 };
	/* [bid][expert] for qual, spec */
	static const int qual[4][3] = { { 1, 1, 1 }, { 1, 1, 1 }, { 1, 0, 1 },
	    { 1, 0, 0 } };
	static const int spec[4][3] = { { 1, 1, 1 }, { 1, 1, 0 }, { 1, 1, 1 },
	    { 1, 1, 1 } };
	struct eb_doc *rules, *adj, *bids[4], *sheets[3], *res = NULL;
	const char *valid[4] = { "L1", "L2", "L3", "L4" };
	struct eb_error err;
	char sum[256];
	size_t i, e;

	(void)state;
	rules = el(NULL, "evaluation-rules", "method",
	    "lowest-evaluated-price", NULL);
	el(rules, "compliance-item", "id", "qual", "name", "Qualification",
	    NULL);
	el(rules, "compliance-item", "id", "spec", "name", "Specification",
	    NULL);
	adj = el(rules, "adjustment", "id", "completion", "kind", "completion",
	    "target-days", "365", "per", "month", "credit", "5000", "charge",
	    "10000", "partial-month-as-whole", "yes", NULL);
	el(rules, "adjustment", "id", "dev", "kind", "per-unit", "amount",
	    "3000", "direction", "charge", NULL);
	el(rules, "adjustment", "id", "disc", "kind", "percent", "direction",
	    "credit", NULL);
	for (i = 0; i < 4; i++)
		bids[i] = obid(names[i], prices[i], days[i]);
	el(bids[2], "adjustment", "factor", "dev", "quantity", "2", NULL);
	el(bids[0], "adjustment", "factor", "disc", "quantity", "1.5", NULL);
	for (e = 0; e < 3; e++) {
		char ex[8];

		snprintf(ex, sizeof(ex), "e%zu", e + 1);
		sheets[e] = el(NULL, "score-sheet", "expert", ex, NULL);
		for (i = 0; i < 4; i++) {
			comply(sheets[e], names[i], "qual", qual[i][e]);
			comply(sheets[e], names[i], "spec", spec[i][e]);
		}
		assert_int_equal(eb_score_sheet_check(rules, sheets[e], valid,
		    4, &err), EB_OK);
	}
	assert_int_equal(eb_evaluation_result(rules,
	    (const struct eb_doc *const *)bids, 4,
	    (const struct eb_doc *const *)sheets, 3, seed7, &res, &err),
	    EB_OK);
	assert_string_equal(eb_doc_attr(bid_of(res, "L4"), "compliant"), "no");
	assert_string_equal(eb_doc_attr(bid_of(res, "L2"), "compliant"),
	    "yes");
	assert_string_equal(child_attr(bid_of(res, "L4"), "compliance",
	    "yes"), "1");
	assert_string_equal(child_attr(bid_of(res, "L1"), "adjustment",
	    "amount"), "-15000");
	assert_string_equal(child_attr(bid_of(res, "L3"), "evaluated-price",
	    "value"), "976000");
	ranking(res, sum, sizeof(sum));
	assert_string_equal(sum, "L1:970000:none,L3:976000:none,"
	    "L2:980000:none");
	candidates(res, sum, sizeof(sum));
	assert_string_equal(sum, "L1,L3,L2");
	eb_doc_free(res);
	res = NULL;

	eb_doc_set_attr(adj, "partial-month-as-whole", "no");
	assert_int_equal(eb_evaluation_result(rules,
	    (const struct eb_doc *const *)bids, 4,
	    (const struct eb_doc *const *)sheets, 3, seed7, &res, &err),
	    EB_OK);
	ranking(res, sum, sizeof(sum));
	assert_string_equal(sum, "L3:967667:none,L1:974167:none,"
	    "L2:980000:none");
	eb_doc_free(res);
	free_all(bids, 4);
	free_all(sheets, 3);
	eb_doc_free(rules);
}

/*
 * A tie vote is not a majority: with 2 experts, M1 gets yes + no on the
 * item and fails; M2 gets yes + yes and is the only one ranked.
 */
static void
test_compliance_tie_vote_fails(void **state)
{
	struct eb_doc *rules, *bids[2], *sheets[2], *res = NULL;
	struct eb_error err;
	char sum[128];

	(void)state;
	rules = el(NULL, "evaluation-rules", "method",
	    "lowest-evaluated-price", NULL);
	el(rules, "compliance-item", "id", "qual", NULL);
	bids[0] = obid("M1", 900000, -1);
	bids[1] = obid("M2", 950000, -1);
	sheets[0] = el(NULL, "score-sheet", "expert", "e1", NULL);
	sheets[1] = el(NULL, "score-sheet", "expert", "e2", NULL);
	comply(sheets[0], "M1", "qual", 1);
	comply(sheets[1], "M1", "qual", 0);
	comply(sheets[0], "M2", "qual", 1);
	comply(sheets[1], "M2", "qual", 1);
	assert_int_equal(eb_evaluation_result(rules,
	    (const struct eb_doc *const *)bids, 2,
	    (const struct eb_doc *const *)sheets, 2, seed7, &res, &err),
	    EB_OK);
	assert_string_equal(eb_doc_attr(bid_of(res, "M1"), "compliant"), "no");
	ranking(res, sum, sizeof(sum));
	assert_string_equal(sum, "M2:950000:none");
	eb_doc_free(res);
	free_all(bids, 2);
	free_all(sheets, 2);
	eb_doc_free(rules);
}

/* -- ties --------------------------------------------------------------- */

/*
 * B = 1,000,000 (the reference), max 30, 1 point per percent either way;
 * the total is rounded half-up to 0 decimals.  One expert, tech max 60.
 *
 *   bid  price      price  tech   exact   total  tie level
 *   P1     990,000  29     50     79      79     price (lower price)
 *   P2   1,010,000  29     50     79      79     price
 *   Q1   1,000,000  30     45.2   75.2    75     technical
 *   Q2   1,000,000  30     45.4   75.4    75     technical (higher first)
 *   R1   1,020,000  28     40     68      68     draw
 *   R2   1,020,000  28     40     68      68     draw
 *   S    1,030,000  27     10     37      37     none
 * Draw with tie_seed = 32 x 0x07:
 *   SHA-256(seed || "R1") = a7da00de...   SHA-256(seed || "R2") = 37377301...
 *   so R2 comes first.
 * Ranking: P1 P2 Q2 Q1 R2 R1 S.
 */
static void
test_ties_each_level(void **state)
{
	static const char *const names[7] = { "P1", "P2", "Q1", "Q2", "R1",
	    "R2", "S" };
	static const int64_t prices[7] = { 990000, 1010000, 1000000, 1000000,
	    1020000, 1020000, 1030000 };
	static const char *const tech[7] = { "50", "50", "45.2", "45.4", "40",
	    "40", "10" };
	struct eb_doc *rules, *bids[7], *sheet, *res = NULL;
	struct eb_error err;
	char sum[512];
	size_t i;

	(void)state;
	rules = el(NULL, "evaluation-rules", "method", "comprehensive", NULL);
	el(rules, "price-formula", "kind", "average-benchmark", "max", "30",
	    "deduct-above", "1", "deduct-below", "1", "reference-price",
	    "1000000", "reference-weight", "1", NULL);
	el(rules, "criterion", "id", "tech", "max", "60", "step", "0.1",
	    NULL);
	rounding(rules, "total", "half-up", "0");
	sheet = el(NULL, "score-sheet", "expert", "e1", NULL);
	for (i = 0; i < 7; i++) {
		bids[i] = obid(names[i], prices[i], -1);
		score(sheet, names[i], "tech", tech[i], NULL);
	}
	assert_int_equal(eb_evaluation_result(rules,
	    (const struct eb_doc *const *)bids, 7,
	    (const struct eb_doc *const *)&sheet, 1, seed7, &res, &err),
	    EB_OK);
	ranking(res, sum, sizeof(sum));
	assert_string_equal(sum, "P1:79.0000:price,P2:79.0000:price,"
	    "Q2:75.0000:technical,Q1:75.0000:technical,"
	    "R2:68.0000:draw,R1:68.0000:draw,S:37.0000:none");
	candidates(res, sum, sizeof(sum));
	assert_string_equal(sum, "P1,P2,Q2");
	eb_doc_free(res);
	free_all(bids, 7);
	eb_doc_free(sheet);
	eb_doc_free(rules);
}

/*
 * The tie-break order is the tender's: tie-break="technical price" puts
 * the technical score before the price; tie-break="" goes straight to the
 * draw.  B = 1,000,000, 1 point per percent, total rounded to 0 decimals:
 *   U1   990,000  price 29  tech 45.6  74.6 -> 75
 *   U2 1,010,000  price 29  tech 46.1  75.1 -> 75
 *   default (price technical): U1 (lower price) then U2, tie-break price
 *   technical price:           U2 (higher tech) then U1, tie-break technical
 *   "" (draw only): SHA-256(seed7 || "U2") = 3d1be61c... < bc1f2c6b...
 *                   (U1): U2 then U1, tie-break draw
 * And with no score sheet at all the result is refused.
 */
static void
test_tie_break_order_from_rules(void **state)
{
	struct eb_doc *rules, *bids[2], *sheet, *res = NULL;
	struct eb_error err;
	char sum[256];

	(void)state;
	rules = el(NULL, "evaluation-rules", "method", "comprehensive", NULL);
	el(rules, "price-formula", "kind", "average-benchmark", "max", "30",
	    "deduct-above", "1", "deduct-below", "1", "reference-price",
	    "1000000", "reference-weight", "1", NULL);
	el(rules, "criterion", "id", "tech", "max", "60", "step", "0.1",
	    NULL);
	rounding(rules, "total", "half-up", "0");
	bids[0] = obid("U1", 990000, -1);
	bids[1] = obid("U2", 1010000, -1);
	sheet = el(NULL, "score-sheet", "expert", "e1", NULL);
	score(sheet, "U1", "tech", "45.6", NULL);
	score(sheet, "U2", "tech", "46.1", NULL);
	assert_int_equal(eb_evaluation_result(rules,
	    (const struct eb_doc *const *)bids, 2,
	    (const struct eb_doc *const *)&sheet, 1, seed7, &res, &err),
	    EB_OK);
	ranking(res, sum, sizeof(sum));
	assert_string_equal(sum, "U1:75.0000:price,U2:75.0000:price");
	eb_doc_free(res);
	res = NULL;
	eb_doc_set_attr(rules, "tie-break", "technical price");
	assert_int_equal(eb_evaluation_result(rules,
	    (const struct eb_doc *const *)bids, 2,
	    (const struct eb_doc *const *)&sheet, 1, seed7, &res, &err),
	    EB_OK);
	ranking(res, sum, sizeof(sum));
	assert_string_equal(sum, "U2:75.0000:technical,U1:75.0000:technical");
	eb_doc_free(res);
	res = NULL;
	eb_doc_set_attr(rules, "tie-break", "");
	assert_int_equal(eb_evaluation_result(rules,
	    (const struct eb_doc *const *)bids, 2,
	    (const struct eb_doc *const *)&sheet, 1, seed7, &res, &err),
	    EB_OK);
	ranking(res, sum, sizeof(sum));
	assert_string_equal(sum, "U2:75.0000:draw,U1:75.0000:draw");
	eb_doc_free(res);
	res = NULL;
	eb_doc_set_attr(rules, "tie-break", "price price");
	assert_int_equal(eb_evaluation_result(rules,
	    (const struct eb_doc *const *)bids, 2,
	    (const struct eb_doc *const *)&sheet, 1, seed7, &res, &err),
	    EB_ERR_FORMAT);
	eb_doc_set_attr(rules, "tie-break", NULL);
	assert_int_equal(eb_evaluation_result(rules,
	    (const struct eb_doc *const *)bids, 2, NULL, 0, seed7, &res, &err),
	    EB_ERR_RULE);
	assert_string_equal(err.reason, "no-score-sheets");
	assert_null(res);
	free_all(bids, 2);
	eb_doc_free(sheet);
	eb_doc_free(rules);
}

/* -- the score sheet check ---------------------------------------------- */

static void
expect_sheet(const struct eb_doc *rules, const struct eb_doc *sheet,
    int rc, const char *reason)
{
	static const char *const valid[2] = { "B1", "B2" };
	struct eb_error err;

	memset(&err, 0, sizeof(err));
	assert_int_equal(eb_score_sheet_check(rules, sheet, valid, 2, &err),
	    rc);
	if (reason != NULL)
		assert_string_equal(err.reason, reason);
}

/*
 * Criterion t: 0..20 step 0.5, a reason below 5 or above 18.
 * Criterion s: 0..10 step 1.
 */
static void
test_score_sheet_check(void **state)
{
	struct eb_doc *rules, *s;

	(void)state;
	rules = el(NULL, "evaluation-rules", "method", "comprehensive", NULL);
	el(rules, "price-formula", "kind", "lowest-benchmark", "max", "10",
	    NULL);
	el(rules, "criterion", "id", "t", "max", "20", "step", "0.5",
	    "reason-below", "5", "reason-above", "18", NULL);
	el(rules, "criterion", "id", "s", "max", "10", "step", "1", NULL);

#define SHEET(b1t, b1s, b2t, b2s) do { \
	s = el(NULL, "score-sheet", "expert", "e1", NULL); \
	score(s, "B1", "t", b1t, NULL); score(s, "B1", "s", b1s, NULL); \
	score(s, "B2", "t", b2t, NULL); score(s, "B2", "s", b2s, NULL); \
} while (0)

	SHEET("12.5", "7", "18", "0");
	expect_sheet(rules, s, EB_OK, NULL);
	eb_doc_free(s);
	SHEET("20.5", "7", "10", "3");          /* above max */
	expect_sheet(rules, s, EB_ERR_RULE, "score-out-of-bounds");
	eb_doc_free(s);
	SHEET("10", "-1", "10", "3");           /* below min */
	expect_sheet(rules, s, EB_ERR_RULE, "score-out-of-bounds");
	eb_doc_free(s);
	SHEET("12.25", "7", "10", "3");         /* off the 0.5 step */
	expect_sheet(rules, s, EB_ERR_RULE, "score-off-step");
	eb_doc_free(s);
	SHEET("10", "7.5", "10", "3");          /* off the step 1 */
	expect_sheet(rules, s, EB_ERR_RULE, "score-off-step");
	eb_doc_free(s);
	SHEET("4.5", "7", "10", "3");           /* below 5 needs a reason */
	expect_sheet(rules, s, EB_ERR_RULE, "reason-required");
	eb_doc_add_text(s->first, "reason", "no quality plan");
	expect_sheet(rules, s, EB_OK, NULL);
	eb_doc_free(s);
	SHEET("18.5", "7", "10", "3");          /* above 18 needs one */
	expect_sheet(rules, s, EB_ERR_RULE, "reason-required");
	eb_doc_add_text(s->first, "reason", "   ");  /* blank is none */
	expect_sheet(rules, s, EB_ERR_RULE, "reason-required");
	eb_doc_free(s);
	SHEET("ten", "7", "10", "3");
	expect_sheet(rules, s, EB_ERR_FORMAT, "bad-score");
	eb_doc_free(s);
	/* Missing, duplicate, unknown. */
	s = el(NULL, "score-sheet", "expert", "e1", NULL);
	score(s, "B1", "t", "10", NULL);
	score(s, "B1", "s", "5", NULL);
	score(s, "B2", "t", "10", NULL);
	expect_sheet(rules, s, EB_ERR_RULE, "score-missing");
	score(s, "B2", "t", "11", NULL);
	expect_sheet(rules, s, EB_ERR_RULE, "score-duplicate");
	eb_doc_free(s);
	SHEET("10", "5", "10", "5");
	score(s, "B9", "t", "10", NULL);
	expect_sheet(rules, s, EB_ERR_RULE, "unknown-bid");
	eb_doc_free(s);
	SHEET("10", "5", "10", "5");
	el(s, "score", "bid", "B1", "criterion", "zz", "value", "1", NULL);
	expect_sheet(rules, s, EB_ERR_RULE, "unknown-criterion");
	eb_doc_free(s);
	s = el(NULL, "score-sheet", NULL);
	expect_sheet(rules, s, EB_ERR_FORMAT, "bad-score-sheet");
	eb_doc_free(s);
	/* Malformed rules are reported as such. */
	SHEET("10", "5", "10", "5");
	el(rules, "criterion", "id", "u", "max", "5", "min", "6", NULL);
	expect_sheet(rules, s, EB_ERR_FORMAT, "bad-rules");
	eb_doc_free(s);
#undef SHEET
	eb_doc_free(rules);
}

/*
 * Rounding points chain: expert-criterion, criterion-average, total.
 * Criterion c, weight 0.35, three experts 7, 8, 8; the only bid gets the
 * full price score 10.
 *   expert-criterion down to 1 decimal: 2.45 -> 2.4, 2.8, 2.8
 *   average (default 8 decimals half-up): 8.0 / 3 = 2.66666667
 *     (without the expert point it would be 8.05 / 3 = 2.68333333)
 *   total up to 1 decimal: 12.66666667 -> 12.7
 * then criterion-average down to 0 decimals: 2 -> total 12.0
 */
static void
test_rounding_points(void **state)
{
	struct eb_doc *rules, *bid, *sheets[3], *res = NULL, *avgp;
	struct eb_error err;
	static const char *const v[3] = { "7", "8", "8" };
	size_t e;

	(void)state;
	rules = el(NULL, "evaluation-rules", "method", "comprehensive", NULL);
	el(rules, "price-formula", "kind", "lowest-benchmark", "max", "10",
	    NULL);
	el(rules, "criterion", "id", "c", "max", "10", "step", "1", "weight",
	    "0.35", NULL);
	rounding(rules, "expert-criterion", "down", "1");
	rounding(rules, "total", "up", "1");
	bid = obid("B", 123457, -1);
	for (e = 0; e < 3; e++) {
		char ex[8];

		snprintf(ex, sizeof(ex), "e%zu", e + 1);
		sheets[e] = el(NULL, "score-sheet", "expert", ex, NULL);
		score(sheets[e], "B", "c", v[e], NULL);
	}
	assert_int_equal(eb_evaluation_result(rules,
	    (const struct eb_doc *const *)&bid, 1,
	    (const struct eb_doc *const *)sheets, 3, seed7, &res, &err),
	    EB_OK);
	assert_string_equal(child_attr(bid_of(res, "B"), "criterion", "score"),
	    "2.66666667");
	assert_string_equal(eb_doc_attr(eb_doc_child(eb_doc_child(bid_of(res,
	    "B"), "criterion"), "expert-score"), "weighted"), "2.4000");
	assert_string_equal(child_attr(bid_of(res, "B"), "total", "value"),
	    "12.7000");
	eb_doc_free(res);
	res = NULL;
	avgp = el(rules, "rounding", "point", "criterion-average", "mode",
	    "down", "decimals", "0", NULL);
	assert_int_equal(eb_evaluation_result(rules,
	    (const struct eb_doc *const *)&bid, 1,
	    (const struct eb_doc *const *)sheets, 3, seed7, &res, &err),
	    EB_OK);
	assert_string_equal(child_attr(bid_of(res, "B"), "criterion", "score"),
	    "2.0000");
	assert_string_equal(child_attr(bid_of(res, "B"), "total", "value"),
	    "12.0000");
	(void)avgp;
	eb_doc_free(res);
	eb_doc_free(bid);
	free_all(sheets, 3);
	eb_doc_free(rules);
}

/* -- issue 14: the bids to score, band bounds, a missing factor ------- */

/*
 * Point 5: eb_evaluation_scored_bids is the set the sheet check and the
 * result use.  Point 1: band +5 % / -10 % of 1,000,000: 1,050,000 is
 * exactly on the upper bound and 900,000 exactly on the lower one.
 *   inclusive (default): V1 1,050,000 valid, V3 900,000 valid
 *   above-bound="strict" (超出标底不满5%): V1 invalid; below-bound strict:
 *   V3 invalid; V2 1,050,001 and V4 899,999 are invalid either way.
 */
static void
scored_names(struct eb_doc *rules, struct eb_doc **bids, size_t n,
    char *out, size_t cap)
{
	const char *names[8], *why[8];
	struct eb_error err;
	size_t k, i, l;

	assert_int_equal(eb_evaluation_scored_bids(rules,
	    (const struct eb_doc *const *)bids, n, names, &k, why, &err),
	    EB_OK);
	out[0] = '\0';
	for (i = 0; i < n; i++) {
		l = strlen(out);
		snprintf(out + l, cap - l, "%s%s=%s", i ? "," : "",
		    eb_doc_attr(bids[i], "bidder"), why[i] ? why[i] : "scored");
	}
	assert_true(k <= n);
}

static void
test_scored_bids_and_band_bounds(void **state)
{
	struct eb_doc *rules, *band, *bids[4], *sheet, *res = NULL;
	struct eb_error err;
	const char *names[4];
	size_t k;
	char sum[512];

	(void)state;
	rules = el(NULL, "evaluation-rules", "method", "comprehensive", NULL);
	el(rules, "price-formula", "kind", "lowest-benchmark", "max", "10",
	    NULL);
	band = el(rules, "validity-band", "reference", "1000000", "above", "5",
	    "below", "10", NULL);
	el(rules, "criterion", "id", "tech", "max", "10", "step", "1", NULL);
	bids[0] = obid("V1", 1050000, -1);
	bids[1] = obid("V2", 1050001, -1);
	bids[2] = obid("V3", 900000, -1);
	bids[3] = obid("V4", 899999, -1);
	scored_names(rules, bids, 4, sum, sizeof(sum));
	assert_string_equal(sum, "V1=scored,V2=above-validity-band,"
	    "V3=scored,V4=below-validity-band");
	eb_doc_set_attr(band, "above-bound", "strict");
	scored_names(rules, bids, 4, sum, sizeof(sum));
	assert_string_equal(sum, "V1=above-validity-band,V2=above-validity-"
	    "band,V3=scored,V4=below-validity-band");
	eb_doc_set_attr(band, "below-bound", "strict");
	scored_names(rules, bids, 4, sum, sizeof(sum));
	assert_string_equal(sum, "V1=above-validity-band,V2=above-validity-"
	    "band,V3=below-validity-band,V4=below-validity-band");
	/* with both strict no bid is left: the result says so */
	sheet = el(NULL, "score-sheet", "expert", "e1", NULL);
	assert_int_equal(eb_evaluation_result(rules,
	    (const struct eb_doc *const *)bids, 4,
	    (const struct eb_doc *const *)&sheet, 1, seed7, &res, &err),
	    EB_ERR_RULE);
	assert_string_equal(err.reason, "no-valid-bid");
	/* the sheet of the scored set is the one the result accepts */
	eb_doc_set_attr(band, "below-bound", "inclusive");
	assert_int_equal(eb_evaluation_scored_bids(rules,
	    (const struct eb_doc *const *)bids, 4, names, &k, NULL, &err),
	    EB_OK);
	assert_int_equal(k, 1);
	assert_string_equal(names[0], "V3");
	score(sheet, "V3", "tech", "5", NULL);
	assert_int_equal(eb_score_sheet_check(rules, sheet, names, k, &err),
	    EB_OK);
	assert_int_equal(eb_evaluation_result(rules,
	    (const struct eb_doc *const *)bids, 4,
	    (const struct eb_doc *const *)&sheet, 1, seed7, &res, &err),
	    EB_OK);
	assert_string_equal(eb_doc_attr(bid_of(res, "V1"), "invalid-reason"),
	    "above-validity-band");
	eb_doc_set_attr(band, "below-bound", "maybe");
	assert_int_equal(eb_evaluation_scored_bids(rules,
	    (const struct eb_doc *const *)bids, 4, names, &k, NULL, &err),
	    EB_ERR_FORMAT);
	assert_non_null(strstr(err.primary, "below-bound"));
	eb_doc_free(res);
	free_all(bids, 4);
	eb_doc_free(sheet);
	eb_doc_free(rules);
}

/*
 * Point 6: a completion adjustment (target 365 days, per day, credit
 * 100, charge 200 fen); M2 states no completion-days.
 *   if-missing absent/"invalid": M2 is invalid (missing-completion-days),
 *     not scored, and the others are ranked: M1 1,000,000 at 300 days =
 *     1,000,000 - 65 * 100 = 993,500; M3 990,000 at 400 days = 990,000 +
 *     35 * 200 = 997,000.
 *   if-missing="worst": M2 counts with the most days stated (400):
 *     980,000 + 35 * 200 = 987,000, ranked first.
 */
static void
test_missing_completion_days(void **state)
{
	struct eb_doc *rules, *adj, *bids[3], *res = NULL;
	struct eb_error err;
	char sum[512];

	(void)state;
	rules = el(NULL, "evaluation-rules", "method",
	    "lowest-evaluated-price", NULL);
	adj = el(rules, "adjustment", "id", "completion", "kind", "completion",
	    "target-days", "365", "per", "day", "credit", "100", "charge",
	    "200", NULL);
	bids[0] = obid("M1", 1000000, 300);
	bids[1] = obid("M2", 980000, -1);
	bids[2] = obid("M3", 990000, 400);
	scored_names(rules, bids, 3, sum, sizeof(sum));
	assert_string_equal(sum, "M1=scored,M2=missing-completion-days,"
	    "M3=scored");
	assert_int_equal(eb_evaluation_result(rules,
	    (const struct eb_doc *const *)bids, 3, NULL, 0, seed7, &res, &err),
	    EB_OK);
	assert_string_equal(eb_doc_attr(bid_of(res, "M2"), "invalid-reason"),
	    "missing-completion-days");
	ranking(res, sum, sizeof(sum));
	assert_string_equal(sum, "M1:993500:none,M3:997000:none");
	eb_doc_free(res);
	eb_doc_set_attr(adj, "if-missing", "worst");
	scored_names(rules, bids, 3, sum, sizeof(sum));
	assert_string_equal(sum, "M1=scored,M2=scored,M3=scored");
	assert_int_equal(eb_evaluation_result(rules,
	    (const struct eb_doc *const *)bids, 3, NULL, 0, seed7, &res, &err),
	    EB_OK);
	assert_string_equal(child_attr(bid_of(res, "M2"), "adjustment",
	    "assumed-days"), "400");
	ranking(res, sum, sizeof(sum));
	assert_string_equal(sum,
	    "M2:987000:none,M1:993500:none,M3:997000:none");
	eb_doc_free(res);
	eb_doc_set_attr(adj, "if-missing", "zero");
	assert_int_equal(eb_evaluation_result(rules,
	    (const struct eb_doc *const *)bids, 3, NULL, 0, seed7, &res, &err),
	    EB_ERR_FORMAT);
	assert_non_null(strstr(err.primary, "if-missing"));
	free_all(bids, 3);
	eb_doc_free(rules);
}

/*
 * Point 7: contradictory rules are refused before any bid, each with a
 * message naming the attribute; good rules with an undrawn coefficient
 * list pass (the coefficient is drawn at the opening).
 */
static void
expect_refused(struct eb_doc *rules, int64_t committee, const char *word)
{
	struct eb_error err;

	memset(&err, 0, sizeof(err));
	assert_int_equal(eb_evaluation_rules_check(rules, committee, &err),
	    EB_ERR_FORMAT);
	assert_string_equal(err.reason, "bad-rules");
	if (strstr(err.primary, word) == NULL)
		fail_msg("'%s' does not name %s", err.primary, word);
}

static void
test_rules_check_contradictions(void **state)
{
	struct eb_doc *rules, *f, *c, *x;
	struct eb_error err;

	(void)state;
	rules = el(NULL, "evaluation-rules", "method", "comprehensive",
	    "trim-extremes", "yes", "trim-min-experts", "5", NULL);
	f = el(rules, "price-formula", "kind", "average-benchmark", "max",
	    "30", "min", "10", NULL);
	eb_doc_add_text(f, "coefficient", "0.95");
	eb_doc_add_text(f, "coefficient", "0.97");
	c = el(rules, "criterion", "id", "tech", "max", "30", NULL);
	assert_int_equal(eb_evaluation_rules_check(rules, 5, &err), EB_OK);
	expect_refused(rules, 3, "trim-min-experts");
	eb_doc_set_attr(f, "min", "40");
	expect_refused(rules, 5, "min is above max");
	eb_doc_set_attr(f, "min", "0");
	eb_doc_set_attr(f, "reference-weight", "0.5");
	expect_refused(rules, 5, "reference-weight without reference-price");
	eb_doc_set_attr(f, "reference-weight", "0");
	eb_doc_set_attr(f, "kind", "lowest-benchmark");
	expect_refused(rules, 5, "average-benchmark");
	eb_doc_set_attr(f, "kind", "average-benchmark");
	eb_doc_set_attr(c, "min", "30");
	expect_refused(rules, 5, "min is not below max");
	eb_doc_set_attr(c, "min", "0");
	eb_doc_set_attr(c, "reason-below", "31");
	expect_refused(rules, 5, "reason-below");
	eb_doc_set_attr(c, "reason-below", "5");
	x = el(rules, "validity-band", "reference", "1000", NULL);
	expect_refused(rules, 5, "neither above nor below");
	eb_doc_set_attr(x, "above", "5");
	assert_int_equal(eb_evaluation_rules_check(rules, 5, &err), EB_OK);
	x = el(rules, "rounding", "point", "total", "mode", "up",
	    "partial-percent-as-whole", "yes", NULL);
	expect_refused(rules, 5, "partial-percent-as-whole");
	eb_doc_set_attr(x, "point", "deviation-percent");
	assert_int_equal(eb_evaluation_rules_check(rules, 5, &err), EB_OK);
	el(rules, "compliance-item", "id", "q", NULL);
	expect_refused(rules, 5, "lowest-evaluated-price");
	eb_doc_free(rules);
}

/* -- factors declared in the bid, lots and linked discounts ----------- */

/*
 * Factors sealed in the bid (<factor id quantity>, bid.xsd) feed the
 * per-unit and percent adjustments; with if-no-factor="invalid" a bid
 * without the factor is not scored ("missing-factor"), flagged with the
 * scored set the clearing view shows.
 *   F1 1,000,000, night 2 x 3,000 = +6,000      -> 1,006,000
 *   F2   990,000, night 4.5 x 3,000 = +13,500   ->   1,003,500
 *   F3   980,000, no factor: counts 0 (zero) -> 980,000; invalid with
 *        if-no-factor="invalid"
 */
static void
test_factors_from_the_bid(void **state)
{
	struct eb_doc *rules, *adj, *bids[3], *res = NULL;
	struct eb_error err;
	char sum[512];

	(void)state;
	rules = el(NULL, "evaluation-rules", "method",
	    "lowest-evaluated-price", NULL);
	adj = el(rules, "adjustment", "id", "night", "kind", "per-unit",
	    "amount", "3000", "direction", "charge", NULL);
	bids[0] = obid("F1", 1000000, -1);
	bids[1] = obid("F2", 990000, -1);
	bids[2] = obid("F3", 980000, -1);
	el(eb_doc_child(bids[0], "bid"), "factor", "id", "night", "quantity",
	    "2", NULL);
	el(eb_doc_child(bids[1], "bid"), "factor", "id", "night", "quantity",
	    "4.5", NULL);
	assert_int_equal(eb_evaluation_result(rules,
	    (const struct eb_doc *const *)bids, 3, NULL, 0, seed7, &res, &err),
	    EB_OK);
	ranking(res, sum, sizeof(sum));
	assert_string_equal(sum,
	    "F3:980000:none,F2:1003500:none,F1:1006000:none");
	eb_doc_free(res);
	eb_doc_set_attr(adj, "if-no-factor", "invalid");
	scored_names(rules, bids, 3, sum, sizeof(sum));
	assert_string_equal(sum, "F1=scored,F2=scored,F3=missing-factor");
	assert_int_equal(eb_evaluation_result(rules,
	    (const struct eb_doc *const *)bids, 3, NULL, 0, seed7, &res, &err),
	    EB_OK);
	assert_string_equal(eb_doc_attr(bid_of(res, "F3"), "invalid-reason"),
	    "missing-factor");
	ranking(res, sum, sizeof(sum));
	assert_string_equal(sum, "F2:1003500:none,F1:1006000:none");
	eb_doc_free(res);
	eb_doc_set_attr(adj, "if-no-factor", "worst");
	expect_refused(rules, 0, "if-no-factor");
	free_all(bids, 3);
	eb_doc_free(rules);
}

/* An opened bid in lots: prices[k] for lot ids[k] (0: not priced); the
 * bid's total-price is their sum. */
static struct eb_doc *
lbid(const char *bidder, const char *const *ids, const int64_t *prices,
    size_t n)
{
	struct eb_doc *o = el(NULL, "opened-bid", "bidder", bidder, "org",
	    bidder, NULL), *b = eb_doc_add(o, "bid"), *ls, *l;
	int64_t total = 0;
	char t[32];
	size_t k;

	for (k = 0; k < n; k++)
		total += prices[k];
	snprintf(t, sizeof(t), "%lld", (long long)total);
	eb_doc_add_text(b, "total-price", t);
	ls = eb_doc_add(b, "lots");
	for (k = 0; k < n; k++) {
		if (prices[k] == 0)
			continue;
		l = el(ls, "lot", "id", ids[k], NULL);
		snprintf(t, sizeof(t), "%lld", (long long)prices[k]);
		eb_doc_add_text(l, "total-price", t);
	}
	return o;
}

/* "A:P:1:1000000:0:1000000,..." (lot, bidder, position, price, discount,
 * cost) and the plan's cost and separate cost. */
static void
plan_of(const struct eb_doc *res, char *out, size_t n)
{
	const struct eb_doc *p = eb_doc_child(res, "award-plan"), *a;

	assert_non_null(p);
	snprintf(out, n, "%s cost=%s separate=%s", eb_doc_attr(p, "basis"),
	    eb_doc_attr(p, "cost"), eb_doc_attr(p, "separate-cost"));
	eb_doc_foreach(a, p, "award") {
		size_t l = strlen(out);

		snprintf(out + l, n - l, " %s:%s:%s:%s:%s:%s",
		    eb_doc_attr(a, "lot"), eb_doc_attr(a, "bidder"),
		    eb_doc_attr(a, "position"), eb_doc_attr(a, "price"),
		    eb_doc_attr(a, "discount"), eb_doc_attr(a, "cost"));
	}
}

/* The nested result of lot 'id'. */
static const struct eb_doc *
lot_result(const struct eb_doc *res, const char *id)
{
	const struct eb_doc *l;

	eb_doc_foreach(l, res, "lot")
		if (strcmp(eb_doc_attr(l, "id"), id) == 0)
			return eb_doc_child(l, "evaluation-result");
	fail_msg("no lot %s", id);
	return NULL;
}

/*
 * Three lots, lowest evaluated price (no adjustment: the lot price).
 *
 *   bidder  lot A       lot B       lot C    linked discount
 *   P       1,000,000   2,000,000   -        5 % off B if it wins A
 *   Q       1,050,000   1,950,000   -
 *   R       1,100,000   2,100,000   -
 *   S       -           1,990,000   500,000
 *
 * Lot C has one bid, fewer than min-bids (3): it fails on its own.
 *   separate: A -> P (1,000,000), B -> Q (1,950,000); P does not win B,
 *     so no discount: cost 2,950,000.
 *   lowest-total: the candidates of A (P Q R) x of B (Q S P): A -> P and
 *     B -> P costs 1,000,000 + 2,000,000 - 100,000 = 2,900,000, the
 *     least (A -> P, B -> Q 2,950,000; A -> P, B -> S 2,990,000; any
 *     A -> Q or R at least 3,000,000); B goes to its third candidate.
 *   evaluate="discounted": P wins A undiscounted, so its B price counts
 *     2,000,000 - 100,000 = 1,900,000 and P ranks first in B; the plan
 *     (separate) is then A -> P, B -> P, 2,900,000.
 */
static void
test_lots_linked_discount(void **state)
{
	static const char *const ids[3] = { "A", "B", "C" };
	static const int64_t p[4][3] = { { 1000000, 2000000, 0 },
	    { 1050000, 1950000, 0 }, { 1100000, 2100000, 0 },
	    { 0, 1990000, 500000 } };
	static const char *const who[4] = { "P", "Q", "R", "S" };
	struct eb_doc *rules, *lots, *bids[5], *res = NULL;
	const struct eb_doc *lr, *l;
	struct eb_error err;
	char sum[512];
	size_t i;

	(void)state;
	rules = el(NULL, "evaluation-rules", "method",
	    "lowest-evaluated-price", NULL);
	lots = el(rules, "lots", "award", "separate", NULL);
	el(lots, "lot", "id", "A", "name", "Section 1", NULL);
	el(lots, "lot", "id", "B", "name", "Section 2", NULL);
	el(lots, "lot", "id", "C", "name", "Lighting", NULL);
	assert_int_equal(eb_evaluation_rules_check(rules, 5, &err), EB_OK);
	for (i = 0; i < 4; i++)
		bids[i] = lbid(who[i], ids, p[i], 3);
	el(eb_doc_path(bids[0], "bid/lots"), "linked-discount", "lot", "B",
	    "if-won", "A", "percent", "5", NULL);
	/* a bid that prices no lot is not scored */
	bids[4] = obid("T", 900000, -1);
	scored_names(rules, bids, 5, sum, sizeof(sum));
	assert_string_equal(sum, "P=scored,Q=scored,R=scored,S=scored,"
	    "T=no-lot-priced");

	assert_int_equal(eb_evaluation_result(rules,
	    (const struct eb_doc *const *)bids, 4, NULL, 0, seed7, &res, &err),
	    EB_OK);
	assert_string_equal(eb_doc_attr(res, "lots"), "3");
	lr = lot_result(res, "A");
	ranking(lr, sum, sizeof(sum));
	assert_string_equal(sum,
	    "P:1000000:none,Q:1050000:none,R:1100000:none");
	ranking(lot_result(res, "B"), sum, sizeof(sum));
	assert_string_equal(sum, "Q:1950000:none,S:1990000:none,"
	    "P:2000000:none,R:2100000:none");
	l = eb_doc_child(res, "lot");
	l = eb_doc_next(eb_doc_next(l, "lot"), "lot");
	assert_string_equal(eb_doc_attr(l, "id"), "C");
	assert_string_equal(eb_doc_attr(l, "failed"), "fewer-bids");
	assert_string_equal(eb_doc_attr(l, "bids"), "1");
	plan_of(res, sum, sizeof(sum));
	assert_string_equal(sum, "separate cost=2950000 separate=2950000 "
	    "A:P:1:1000000:0:1000000 B:Q:1:1950000:0:1950000");
	candidates(res, sum, sizeof(sum));
	assert_string_equal(sum, "P,Q,R,Q,S,P");
	eb_doc_free(res);

	eb_doc_set_attr(lots, "award", "lowest-total");
	assert_int_equal(eb_evaluation_result(rules,
	    (const struct eb_doc *const *)bids, 4, NULL, 0, seed7, &res, &err),
	    EB_OK);
	plan_of(res, sum, sizeof(sum));
	assert_string_equal(sum, "lowest-total cost=2900000 separate=2950000 "
	    "A:P:1:1000000:0:1000000 B:P:3:2000000:100000:1900000");
	l = eb_doc_path(res, "award-plan/award");
	l = eb_doc_next(l, "award");
	assert_string_equal(child_attr(l, "discount", "if-won"), "A");
	assert_string_equal(child_attr(l, "discount", "percent"), "5.0000");
	assert_string_equal(child_attr(l, "discount", "amount"), "100000");
	eb_doc_free(res);

	eb_doc_set_attr(lots, "award", "separate");
	eb_doc_set_attr(lots, "evaluate", "discounted");
	assert_int_equal(eb_evaluation_result(rules,
	    (const struct eb_doc *const *)bids, 4, NULL, 0, seed7, &res, &err),
	    EB_OK);
	ranking(lot_result(res, "B"), sum, sizeof(sum));
	assert_string_equal(sum, "P:1900000:none,Q:1950000:none,"
	    "S:1990000:none,R:2100000:none");
	l = eb_doc_next(eb_doc_child(res, "lot"), "lot");
	assert_string_equal(child_attr(l, "evaluated-discount", "bidder"),
	    "P");
	assert_string_equal(child_attr(l, "evaluated-discount", "amount"),
	    "100000");
	plan_of(res, sum, sizeof(sum));
	assert_string_equal(sum, "separate cost=2900000 separate=2900000 "
	    "A:P:1:1000000:0:1000000 B:P:1:2000000:100000:1900000");
	eb_doc_free(res);

	/* the same bids, the discount conditional on a lot P does not win:
	 * nothing changes hands */
	eb_doc_set_attr(eb_doc_path(bids[0], "bid/lots/linked-discount"),
	    "if-won", "A C");
	eb_doc_set_attr(lots, "evaluate", "undiscounted");
	eb_doc_set_attr(lots, "award", "lowest-total");
	assert_int_equal(eb_evaluation_result(rules,
	    (const struct eb_doc *const *)bids, 4, NULL, 0, seed7, &res, &err),
	    EB_OK);
	plan_of(res, sum, sizeof(sum));
	assert_string_equal(sum, "lowest-total cost=2950000 separate=2950000 "
	    "A:P:1:1000000:0:1000000 B:Q:1:1950000:0:1950000");
	eb_doc_free(res);
	free_all(bids, 5);
	eb_doc_free(rules);
}

/* Rules in lots that contradict themselves are refused at registration. */
static void
test_lots_rules_check(void **state)
{
	struct eb_doc *rules, *lots, *x;
	struct eb_error err;

	(void)state;
	rules = el(NULL, "evaluation-rules", "method",
	    "lowest-evaluated-price", "candidates", "10", NULL);
	lots = el(rules, "lots", NULL);
	el(lots, "lot", "id", "A", NULL);
	expect_refused(rules, 5, "at least two lots");
	el(lots, "lot", "id", "A", NULL);
	expect_refused(rules, 5, "duplicate lot id");
	eb_doc_set_attr(lots->last, "id", "B");
	assert_int_equal(eb_evaluation_rules_check(rules, 5, &err), EB_OK);
	x = el(rules, "validity-band", "reference", "1000", "above", "5", NULL);
	expect_refused(rules, 5, "validity-band");
	eb_doc_detach(x);
	eb_doc_free(x);
	eb_doc_set_attr(lots, "award", "cheapest");
	expect_refused(rules, 5, "award must be");
	/* 10 candidates in 6 lots: 10^6 combinations */
	eb_doc_set_attr(lots, "award", "lowest-total");
	el(lots, "lot", "id", "C", NULL);
	el(lots, "lot", "id", "D", NULL);
	el(lots, "lot", "id", "E", NULL);
	el(lots, "lot", "id", "F", NULL);
	expect_refused(rules, 5, "combinations");
	eb_doc_set_attr(rules, "candidates", "3");
	assert_int_equal(eb_evaluation_rules_check(rules, 5, &err), EB_OK);
	eb_doc_free(rules);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lowest_benchmark_five_bids),
		cmocka_unit_test(test_average_benchmark_drop_extremes_coefficient),
		cmocka_unit_test(test_draw_coefficient),
		cmocka_unit_test(test_partial_percent_changes_winner),
		cmocka_unit_test(test_docs_worked_examples),
		cmocka_unit_test(test_validity_band),
		cmocka_unit_test(test_trimming_five_and_four_experts),
		cmocka_unit_test(test_deviation_alert),
		cmocka_unit_test(test_lowest_evaluated_price),
		cmocka_unit_test(test_compliance_tie_vote_fails),
		cmocka_unit_test(test_ties_each_level),
		cmocka_unit_test(test_tie_break_order_from_rules),
		cmocka_unit_test(test_score_sheet_check),
		cmocka_unit_test(test_rounding_points),
		cmocka_unit_test(test_scored_bids_and_band_bounds),
		cmocka_unit_test(test_missing_completion_days),
		cmocka_unit_test(test_rules_check_contradictions),
		cmocka_unit_test(test_factors_from_the_bid),
		cmocka_unit_test(test_lots_linked_discount),
		cmocka_unit_test(test_lots_rules_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
