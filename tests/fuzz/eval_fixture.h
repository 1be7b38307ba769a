/*
 * tests/fuzz/eval_fixture.h
 *    Shared by scoresheet_fuzzer.c and rules_fuzzer.c: the opened bids of
 *    the demo tender (tests/data/bids: six bidders, their total prices)
 *    as <opened-bid bidder org><bid><total-price/><completion-days/></bid>
 *    <adjustment factor quantity/></opened-bid>, and a generated score
 *    sheet that satisfies given rules (every criterion at a value on its
 *    grid, every compliance item passed) for the fuzzers to reach the
 *    arithmetic behind eb_score_sheet_check().  Header-only.
 */
#ifndef EB_FUZZ_EVAL_FIXTURE_H
#define EB_FUZZ_EVAL_FIXTURE_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "engine/core/fixed.h"
#include "protocol/doc.h"

#define FX_NBIDS 6

static const char *const fx_bidders[FX_NBIDS] = { "bidder1", "bidder2",
    "bidder3", "bidder4", "bidder5", "bidder6" };
static const int64_t fx_prices[FX_NBIDS] = { 570368000, 598200000,
    599400000, 600600000, 330421345, 585000000 };
static const int64_t fx_days[FX_NBIDS] = { 360, 365, 300, 400, 365, 390 };

/* The opened bids (caller frees each). */
static void
fx_bids(struct eb_doc *out[FX_NBIDS])
{
	for (size_t i = 0; i < FX_NBIDS; i++) {
		struct eb_doc *ob = eb_doc_new("opened-bid"), *b, *a;
		char t[32];


		eb_doc_set_attr(ob, "bidder", fx_bidders[i]);
		eb_doc_set_attr(ob, "org", "Org");
		b = eb_doc_add(ob, "bid");
		eb_doc_set_attr(b, "tender", "T1");
		snprintf(t, sizeof(t), "%lld", (long long)fx_prices[i]);
		eb_doc_add_text(b, "total-price", t);
		snprintf(t, sizeof(t), "%lld", (long long)fx_days[i]);
		eb_doc_add_text(b, "completion-days", t);
		a = eb_doc_add(ob, "adjustment");
		eb_doc_set_attr(a, "factor", i % 2 ? "steel" : "labour");
		eb_doc_set_attr_i64(a, "quantity", (int64_t)i);
		out[i] = ob;
	}
}

/*
 * Is bid i inside the rules' validity band (evaluation.h, step 1)?  The
 * documented comparison, exactly; 1 when there is no band.
 */
static int
fx_valid(const struct eb_doc *rules, size_t i)
{
	const struct eb_doc *vb = eb_doc_child(rules, "validity-band");
	int64_t ref = 0, above = 0, below = 0;
	const char *a, *b;
	__int128 p;

	if (vb == NULL)
		return 1;
	if (eb_doc_attr_i64(vb, "reference", &ref) != EB_OK)
		return 1;
	a = eb_doc_attr(vb, "above");
	b = eb_doc_attr(vb, "below");
	if ((a != NULL && eb_fix_parse(a, &above) != EB_OK) ||
	    (b != NULL && eb_fix_parse(b, &below) != EB_OK))
		return 1;
	p = (__int128)fx_prices[i] * 100 * EB_FIX_ONE;
	if (a != NULL && p > (__int128)ref * (100 * EB_FIX_ONE + above))
		return 0;
	if (b != NULL && p < (__int128)ref * (100 * EB_FIX_ONE - below))
		return 0;
	return 1;
}

/*
 * A sheet by 'expert' for the valid bids: each criterion's value on its
 * grid near the middle of [min, max] (varied by 'bump' and the bid), with
 * a reason; every compliance item "yes".
 */
static struct eb_doc *
fx_sheet(const struct eb_doc *rules, const char *expert, unsigned bump)
{
	struct eb_doc *s = eb_doc_new("score-sheet"), *x;
	const struct eb_doc *c;

	eb_doc_set_attr(s, "tender", "T1");
	eb_doc_set_attr(s, "expert", expert);
	for (size_t i = 0; i < FX_NBIDS; i++) {
		if (!fx_valid(rules, i))
			continue;
		eb_doc_foreach(c, rules, "criterion") {
			const char *mn = eb_doc_attr(c, "min");
			const char *st = eb_doc_attr(c, "step");
			const char *mx = eb_doc_attr(c, "max");
			int64_t v = 0, step = 0, max = 0, w;
			char t[EB_FIX_TEXT];

			if (mn != NULL && eb_fix_parse(mn, &v) != EB_OK)
				v = 0;
			/* near the middle of the grid: min + step * k */
			if (st != NULL && eb_fix_parse(st, &step) == EB_OK &&
			    mx != NULL && eb_fix_parse(mx, &max) == EB_OK &&
			    step > 0 && max > v) {
				int64_t n = (max - v) / step, k;

				k = n / 2 + (int64_t)((bump + i) % 3) - 1;
				k = k < 0 ? 0 : k > n ? n : k;
				if (eb_fix_add(v, step * k, &w) == EB_OK)
					v = w;
			}
			x = eb_doc_add(s, "score");
			eb_doc_set_attr(x, "bid", fx_bidders[i]);
			eb_doc_set_attr(x, "criterion", eb_doc_attr(c, "id"));
			eb_doc_set_attr(x, "value", eb_fix_format(v, 0, t));
			eb_doc_add_text(x, "reason", "as the rules ask");
		}
		eb_doc_foreach(c, rules, "compliance-item") {
			x = eb_doc_add(s, "compliance");
			eb_doc_set_attr(x, "bid", fx_bidders[i]);
			eb_doc_set_attr(x, "item", eb_doc_attr(c, "id"));
			eb_doc_set_attr(x, "pass", "yes");
		}
	}
	return s;
}

#endif
