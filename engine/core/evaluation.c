/*
 * engine/core/evaluation.c
 *    Score sheets, price formulas, methods, trimming, deviation alerts,
 *    ranking and ties: see evaluation.h for the rules, read to the letter.
 *
 * Owns only per-call memory (struct table, rank arrays), freed before
 * return.  Parsed rules borrow strings from the caller's rules tree.
 * Invariant: no floating point; every quotient is one eb_fix_ratio or
 * eb_round_div call at a named rounding point (or 8 decimals half-up for
 * the intermediate products that evaluation.h lists).
 */
#include "evaluation.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/core/draw.h"
#include "engine/core/fixed.h"
#include "protocol/hash.h"
#include "protocol/mem.h"

#define MAX_COEFFICIENTS 100
/*
 * Plausibility bounds on the rules' figures, so that every intermediate
 * product stays far inside __int128 and int64: points, weights and
 * coefficients at most 10^6 (in absolute value), percents at most 1000.
 */
#define MAX_POINTS ((int64_t)1000000 * EB_FIX_ONE)
#define MAX_PERCENT ((int64_t)1000 * EB_FIX_ONE)
#define IN_POINTS(v) ((v) >= -MAX_POINTS && (v) <= MAX_POINTS)

enum { RP_DEV, RP_BENCH, RP_PRICE, RP_EXPERT, RP_AVG, RP_TOTAL, RP_COUNT };
static const char *const rp_names[RP_COUNT] = {
	"deviation-percent", "benchmark", "price-score", "expert-criterion",
	"criterion-average", "total"
};

struct rpoint {
	enum eb_round mode;
	int decimals;
	int whole;              /* partial percent counts as a whole one */
};

struct crit {
	const char *id;
	int64_t max, min, step, weight, rb, ra;
	int has_rb, has_ra;
};

enum adj_kind { ADJ_COMPLETION, ADJ_PER_UNIT, ADJ_PERCENT };

struct adj {
	const char *id;
	enum adj_kind kind;
	int per_month, whole, charge;
	int missing_worst;      /* if-missing="worst" (else invalid) */
	int need_factor;        /* per-unit/percent: if-missing="invalid" */
	int64_t target, credit, charge_amt, amount;
};

/* A lot (标段/包) of a tender in lots: <lots><lot id name/>. */
struct lot {
	const char *id, *name;
};

/* A trimming tier of the benchmark: from 'from' valid bids on (up to the
 * next tier), the 'hi' highest and 'lo' lowest prices are left out. */
struct tier {
	int64_t from, hi, lo;
};
#define MAX_TIERS 16

struct rules {
	int lep;
	int64_t price_weight, ncand, trim_min, devband;
	int trim, has_devband;
	int dev_all;            /* reference: the mean of all experts */
	int dev_total;          /* scope: the expert's total, not a criterion */
	int dev_of_mean;        /* measure: percent of the mean, not of max */
	int avg_formula;
	int64_t pmax, pmin, ded_above, ded_below, drop_min;
	int drop;
	struct tier tiers[MAX_TIERS];   /* ascending 'from'; drop-extremes is
	                                 * the tier {drop_min, 1, 1} */
	size_t ntiers;
	int has_ref;
	int64_t ref, share, rweight, k;
	struct rpoint rp[RP_COUNT];
	int has_band, has_above, has_below;
	int above_strict, below_strict;     /* bound excluded */
	int need_days;          /* a completion adjustment: invalid if absent */
	int64_t worst_days;     /* if-missing="worst": the most days stated */
	int has_worst, has_worst_days;
	int64_t band_ref, band_above, band_below;
	struct crit crit[EB_EVAL_MAX_CRITERIA];
	size_t ncrit;
	const char *items[EB_EVAL_MAX_ITEMS];
	size_t nitems;
	struct adj adj[EB_EVAL_MAX_ADJUSTMENTS];
	size_t nadj;
	int registering;        /* eb_evaluation_rules_check: K not drawn yet */
	int tie_order[2];               /* TIE_PRICE / TIE_TECHNICAL */
	int ntie;
	/* <lots>: each lot evaluated on its own (see "Lots" below) */
	struct lot lots[EB_EVAL_MAX_LOTS];
	size_t nlots;
	int lowest_total;       /* award="lowest-total" (else separate) */
	int discounted;         /* evaluate="discounted" */
	int64_t lot_min_bids;   /* a lot with fewer opened bids fails */
};

enum { TIE_NONE, TIE_PRICE, TIE_TECHNICAL, TIE_DRAW };
static const char *const tie_names[] = { "none", "price", "technical",
    "draw" };

/* -- parsing the rules ------------------------------------------------- */

static int
bad_rules(struct eb_error *err, const char *what, const char *elem)
{
	return eb_fail(err, EB_ERR_FORMAT, "bad-rules",
	    "Correct the tender's evaluation rules (protocol/xsd/"
	    "evaluation.xsd).", "evaluation rules: %s in <%s>", what, elem);
}

/* Fixed attribute; absent = dflt unless required. */
static int
fattr(const struct eb_doc *d, const char *name, int64_t dflt, int required,
    int64_t *v, struct eb_error *err)
{
	const char *s = eb_doc_attr(d, name);
	char what[96];

	if (s == NULL) {
		if (required) {
			snprintf(what, sizeof(what), "missing %s", name);
			return bad_rules(err, what, d->name);
		}
		*v = dflt;
		return EB_OK;
	}
	if (eb_fix_parse(s, v) != EB_OK) {
		snprintf(what, sizeof(what), "%s is not a decimal", name);
		return bad_rules(err, what, d->name);
	}
	return EB_OK;
}

static int
iattr(const struct eb_doc *d, const char *name, int64_t dflt, int64_t lo,
    int64_t hi, int64_t *v, struct eb_error *err)
{
	int rc = eb_doc_attr_i64(d, name, v);
	char what[96];

	if (rc == EB_ERR_NOTFOUND) {
		*v = dflt;
		return EB_OK;
	}
	if (rc != EB_OK || *v < lo || *v > hi) {
		snprintf(what, sizeof(what), "%s is not a whole number in "
		    "%lld..%lld", name, (long long)lo, (long long)hi);
		return bad_rules(err, what, d->name);
	}
	return EB_OK;
}

static int
yesno(const struct eb_doc *d, const char *name, int dflt, int *v,
    struct eb_error *err)
{
	const char *s = eb_doc_attr(d, name);
	char what[96];

	if (s == NULL)
		*v = dflt;
	else if (strcmp(s, "yes") == 0)
		*v = 1;
	else if (strcmp(s, "no") == 0)
		*v = 0;
	else {
		snprintf(what, sizeof(what), "%s must be yes or no", name);
		return bad_rules(err, what, d->name);
	}
	return EB_OK;
}

/* above-bound / below-bound="inclusive|strict" (default inclusive). */
static int
bound_attr(const struct eb_doc *d, const char *name, int *strict,
    struct eb_error *err)
{
	const char *s = eb_doc_attr(d, name);
	char what[96];

	*strict = 0;
	if (s == NULL || strcmp(s, "inclusive") == 0)
		return EB_OK;
	if (strcmp(s, "strict") == 0) {
		*strict = 1;
		return EB_OK;
	}
	snprintf(what, sizeof(what), "%s must be inclusive or strict", name);
	return bad_rules(err, what, d->name);
}

static const struct eb_doc *
rules_root(const struct eb_doc *d)
{
	if (d == NULL)
		return NULL;
	if (strcmp(d->name, "evaluation-rules") == 0)
		return d;
	return eb_doc_child(d, "evaluation-rules");
}

/*
 * <trim-tier bids-from="6" drop-highest="1" drop-lowest="0"/>...: with
 * at least bids-from valid bids (and fewer than the next tier's), the
 * benchmark average leaves out that many highest and lowest prices.  Fewer
 * bids than the first tier: nothing is left out.  drop-extremes="yes" is
 * the one tier {drop-extremes-min-bids, 1, 1}.
 */
static int
parse_tiers(const struct eb_doc *f, struct rules *r, struct eb_error *err)
{
	const struct eb_doc *c;
	struct tier *t;

	r->ntiers = 0;
	eb_doc_foreach(c, f, "trim-tier") {
		int rc;

		if (!r->avg_formula || r->drop)
			return bad_rules(err, "trim-tier needs kind="
			    "average-benchmark and no drop-extremes (a tier "
			    "table replaces it)", "trim-tier");
		if (r->ntiers == MAX_TIERS)
			return bad_rules(err, "more than 16 trim-tier",
			    "trim-tier");
		t = &r->tiers[r->ntiers];
		if ((rc = iattr(c, "bids-from", -1, 1, 1000, &t->from, err)) ||
		    (rc = iattr(c, "drop-highest", 0, 0, 100, &t->hi, err)) ||
		    (rc = iattr(c, "drop-lowest", 0, 0, 100, &t->lo, err)))
			return rc;
		if (t->from < 1)
			return bad_rules(err, "missing bids-from", "trim-tier");
		if (r->ntiers > 0 && t->from <= r->tiers[r->ntiers - 1].from)
			return bad_rules(err, "bids-from must rise from one "
			    "tier to the next", "trim-tier");
		if (t->hi + t->lo >= t->from)
			return bad_rules(err, "drop-highest + drop-lowest must "
			    "leave at least one bid of bids-from", "trim-tier");
		r->ntiers++;
	}
	if (r->drop) {
		r->tiers[0].from = r->drop_min;
		r->tiers[0].hi = r->tiers[0].lo = 1;
		r->ntiers = 1;
	}
	return EB_OK;
}

static int
parse_formula(const struct eb_doc *f, struct rules *r, struct eb_error *err)
{
	const char *kind = eb_doc_attr(f, "kind");
	const struct eb_doc *c;
	int64_t v;
	size_t n = 0;
	int rc, found = 0;

	if (kind != NULL && strcmp(kind, "average-benchmark") == 0)
		r->avg_formula = 1;
	else if (kind == NULL || strcmp(kind, "lowest-benchmark") != 0)
		return bad_rules(err, "kind must be lowest-benchmark or "
		    "average-benchmark", f->name);
	if ((rc = fattr(f, "max", 0, 1, &r->pmax, err)) ||
	    (rc = fattr(f, "min", 0, 0, &r->pmin, err)) ||
	    (rc = fattr(f, "deduct-above", 0, 0, &r->ded_above, err)) ||
	    (rc = fattr(f, "deduct-below", 0, 0, &r->ded_below, err)) ||
	    (rc = yesno(f, "drop-extremes", 0, &r->drop, err)) ||
	    (rc = iattr(f, "drop-extremes-min-bids", 5, 3, 1000, &r->drop_min,
	    err)) ||
	    (rc = fattr(f, "reference-share", EB_FIX_ONE, 0, &r->share, err)) ||
	    (rc = fattr(f, "reference-weight", 0, 0, &r->rweight, err)))
		return rc;
	if (r->pmin > r->pmax)
		return bad_rules(err, "min is above max (the price score "
		    "could not lie between them)", f->name);
	if (!r->avg_formula && (eb_doc_attr(f, "deduct-above") != NULL ||
	    eb_doc_attr(f, "deduct-below") != NULL ||
	    eb_doc_attr(f, "drop-extremes") != NULL ||
	    eb_doc_attr(f, "reference-price") != NULL ||
	    eb_doc_attr(f, "reference-weight") != NULL ||
	    eb_doc_attr(f, "reference-share") != NULL))
		return bad_rules(err, "deductions, drop-extremes and the "
		    "reference price mean something only with "
		    "kind=average-benchmark (lowest-benchmark uses max * "
		    "lowest / price)", f->name);
	if (r->pmax <= 0 || r->pmin < 0 || r->pmin > r->pmax ||
	    r->ded_above < 0 || r->ded_below < 0 || r->share <= 0 ||
	    r->rweight < 0 || r->rweight > EB_FIX_ONE ||
	    !IN_POINTS(r->pmax) || !IN_POINTS(r->ded_above) ||
	    !IN_POINTS(r->ded_below) || !IN_POINTS(r->share))
		return bad_rules(err, "max, min, deductions, reference share "
		    "or weight out of range", f->name);
	if (eb_doc_attr(f, "reference-price") != NULL) {
		if (eb_doc_attr_i64(f, "reference-price", &r->ref) != EB_OK ||
		    r->ref <= 0)
			return bad_rules(err, "reference-price is not a "
			    "positive amount of fen", f->name);
		r->has_ref = 1;
	}
	if (r->rweight > 0 && !r->has_ref)
		return bad_rules(err, "reference-weight without "
		    "reference-price", f->name);
	r->k = EB_FIX_ONE;
	if ((rc = fattr(f, "drawn-coefficient", EB_FIX_ONE, 0, &r->k, err)))
		return rc;
	eb_doc_foreach(c, f, "coefficient") {
		if (++n > MAX_COEFFICIENTS ||
		    eb_fix_parse(eb_doc_text(c), &v) != EB_OK || v <= 0)
			return bad_rules(err, "a coefficient is malformed",
			    f->name);
		if (v == r->k)
			found = 1;
	}
	if (n > 0 && eb_doc_attr(f, "drawn-coefficient") == NULL &&
	    !r->registering)
		return eb_fail(err, EB_ERR_RULE, "coefficient-not-drawn",
		    "Draw the coefficient at the opening and record it as "
		    "drawn-coefficient.", "the benchmark coefficient has not "
		    "been drawn");
	if (n > 0 && !found && eb_doc_attr(f, "drawn-coefficient") != NULL)
		return bad_rules(err, "drawn-coefficient is not in the list",
		    f->name);
	if (r->k <= 0 || !IN_POINTS(r->k))
		return bad_rules(err, "drawn-coefficient must be positive "
		    "and plausible", f->name);
	return parse_tiers(f, r, err);
}

/*
 * tie-break="price technical" (default): the levels after the primary
 * key, in order, each at most once; the draw always comes last.
 */
static int
parse_tie_break(const struct eb_doc *root, struct rules *r,
    struct eb_error *err)
{
	const char *s = eb_doc_attr(root, "tie-break"), *e;
	size_t len;
	int lv, i;

	r->ntie = 0;
	if (s == NULL) {
		r->tie_order[0] = TIE_PRICE;
		r->tie_order[1] = TIE_TECHNICAL;
		r->ntie = 2;
		return EB_OK;
	}
	while (*s != '\0') {
		while (*s == ' ')
			s++;
		if (*s == '\0')
			break;
		for (e = s; *e != '\0' && *e != ' '; e++)
			;
		len = (size_t)(e - s);
		if (len == 5 && strncmp(s, "price", 5) == 0)
			lv = TIE_PRICE;
		else if (len == 9 && strncmp(s, "technical", 9) == 0)
			lv = TIE_TECHNICAL;
		else
			return bad_rules(err, "tie-break lists only price and "
			    "technical", root->name);
		for (i = 0; i < r->ntie; i++)
			if (r->tie_order[i] == lv)
				return bad_rules(err, "tie-break repeats a "
				    "level", root->name);
		r->tie_order[r->ntie++] = lv;
		s = e;
	}
	return EB_OK;
}

/* attribute 'name' is one of a or b (absent: a); *is_b set */
static int
choice_attr(const struct eb_doc *d, const char *name, const char *a,
    const char *b, int *is_b, struct eb_error *err)
{
	const char *v = eb_doc_attr(d, name);
	char what[128];

	*is_b = 0;
	if (v == NULL || strcmp(v, a) == 0)
		return EB_OK;
	if (strcmp(v, b) == 0) {
		*is_b = 1;
		return EB_OK;
	}
	snprintf(what, sizeof(what), "%s must be %s or %s", name, a, b);
	return bad_rules(err, what, d->name);
}

/*
 * <deviation-rule band="20" reference="others|all" scope="criterion|total"
 * measure="max|mean"/>: the expert-deviation rule (偏离); the root's
 * deviation-band="20" is the same as band="20" with the defaults.
 */
static int
parse_deviation_rule(const struct eb_doc *d, struct rules *r,
    struct eb_error *err)
{
	int rc;

	if (r->has_devband)
		return bad_rules(err, "deviation-rule replaces deviation-band "
		    "(give one of them)", d->name);
	if ((rc = fattr(d, "band", 0, 1, &r->devband, err)) ||
	    (rc = choice_attr(d, "reference", "others", "all", &r->dev_all,
	    err)) ||
	    (rc = choice_attr(d, "scope", "criterion", "total", &r->dev_total,
	    err)) ||
	    (rc = choice_attr(d, "measure", "max", "mean", &r->dev_of_mean,
	    err)))
		return rc;
	if (r->devband <= 0 || r->devband > MAX_PERCENT)
		return bad_rules(err, "band out of 0..1000 (a percent above 0)",
		    d->name);
	r->has_devband = 1;
	return EB_OK;
}

/*
 * <lots award="separate|lowest-total" evaluate="undiscounted|discounted"
 *     min-bids="3"><lot id name/>...</lots>: 2 to EB_EVAL_MAX_LOTS lots,
 * ids unique.  A validity band or a reference price names one price for
 * the whole tender and means nothing per lot: refused.  lowest-total
 * compares every combination of the lots' candidates: at most
 * EB_EVAL_MAX_COMBINATIONS of them.
 */
static int
parse_lots(const struct eb_doc *l, struct rules *r, struct eb_error *err)
{
	const struct eb_doc *c;
	const char *a;
	size_t i;
	int64_t combos = 1;
	int rc;

	a = eb_doc_attr(l, "award");
	if (a != NULL && strcmp(a, "lowest-total") == 0)
		r->lowest_total = 1;
	else if (a != NULL && strcmp(a, "separate") != 0)
		return bad_rules(err, "award must be separate or lowest-total",
		    l->name);
	a = eb_doc_attr(l, "evaluate");
	if (a != NULL && strcmp(a, "discounted") == 0)
		r->discounted = 1;
	else if (a != NULL && strcmp(a, "undiscounted") != 0)
		return bad_rules(err, "evaluate must be undiscounted or "
		    "discounted", l->name);
	if ((rc = iattr(l, "min-bids", 3, 1, EB_EVAL_MAX_BIDS,
	    &r->lot_min_bids, err)) != EB_OK)
		return rc;
	eb_doc_foreach(c, l, "lot") {
		struct lot *k;

		if (r->nlots >= EB_EVAL_MAX_LOTS)
			return bad_rules(err, "too many lots", l->name);
		k = &r->lots[r->nlots];
		k->id = eb_doc_attr(c, "id");
		k->name = eb_doc_attr(c, "name");
		if (k->id == NULL || k->id[0] == '\0')
			return bad_rules(err, "a lot has no id", c->name);
		for (i = 0; i < r->nlots; i++)
			if (strcmp(r->lots[i].id, k->id) == 0)
				return bad_rules(err, "duplicate lot id",
				    c->name);
		r->nlots++;
	}
	if (r->nlots < 2)
		return bad_rules(err, "a tender in lots names at least two "
		    "lots (one lot is a tender without <lots>)", l->name);
	if (r->has_band)
		return bad_rules(err, "validity-band names one reference price "
		    "for the whole tender: it cannot apply to each lot",
		    l->name);
	if (r->has_ref)
		return bad_rules(err, "reference-price names one price for the "
		    "whole tender: it cannot apply to each lot", l->name);
	for (i = 0; r->lowest_total && i < r->nlots; i++)
		if ((combos *= r->ncand) > EB_EVAL_MAX_COMBINATIONS)
			return bad_rules(err, "award=\"lowest-total\" would "
			    "compare more than 100000 combinations of the lots' "
			    "candidates: lower candidates= or the number of "
			    "lots", l->name);
	return EB_OK;
}

static int
parse_rules_as(const struct eb_doc *doc, struct rules *r, int registering,
    struct eb_error *err)
{
	const struct eb_doc *root = rules_root(doc), *c, *f;
	const char *m;
	size_t i;
	int rc;

	memset(r, 0, sizeof(*r));
	r->registering = registering;
	if (root == NULL)
		return bad_rules(err, "no <evaluation-rules>", doc ? doc->name :
		    "?");
	for (i = 0; i < RP_COUNT; i++) {
		r->rp[i].mode = EB_ROUND_HALF_UP;
		r->rp[i].decimals = EB_FIX_DECIMALS;
	}
	r->rp[RP_BENCH].decimals = 2;
	m = eb_doc_attr(root, "method");
	if (m != NULL && strcmp(m, "lowest-evaluated-price") == 0)
		r->lep = 1;
	else if (m == NULL || strcmp(m, "comprehensive") != 0)
		return bad_rules(err, "method must be comprehensive or "
		    "lowest-evaluated-price", root->name);
	if ((rc = fattr(root, "price-weight", EB_FIX_ONE, 0, &r->price_weight,
	    err)) ||
	    (rc = iattr(root, "candidates", 3, 1, 10, &r->ncand, err)) ||
	    (rc = yesno(root, "trim-extremes", 0, &r->trim, err)) ||
	    (rc = iattr(root, "trim-min-experts", 5, 3, EB_EVAL_MAX_SHEETS,
	    &r->trim_min, err)))
		return rc;
	if (r->price_weight < 0 || !IN_POINTS(r->price_weight))
		return bad_rules(err, "price-weight out of range", root->name);
	if ((rc = parse_tie_break(root, r, err)) != EB_OK)
		return rc;
	if (eb_doc_attr(root, "deviation-band") != NULL) {
		if ((rc = fattr(root, "deviation-band", 0, 1, &r->devband,
		    err)))
			return rc;
		if (r->devband < 0 || r->devband > MAX_PERCENT)
			return bad_rules(err, "deviation-band out of 0..1000",
			    root->name);
		r->has_devband = 1;
	}
	if ((f = eb_doc_child(root, "deviation-rule")) != NULL &&
	    (rc = parse_deviation_rule(f, r, err)) != EB_OK)
		return rc;
	f = eb_doc_child(root, "price-formula");
	if (!r->lep) {
		if (f == NULL)
			return bad_rules(err, "comprehensive scoring needs a "
			    "<price-formula>", root->name);
		if ((rc = parse_formula(f, r, err)) != EB_OK)
			return rc;
	}
	eb_doc_foreach(c, root, "rounding") {
		const char *pt = eb_doc_attr(c, "point");
		struct rpoint *p = NULL;
		int64_t d;

		for (i = 0; pt != NULL && i < RP_COUNT; i++)
			if (strcmp(pt, rp_names[i]) == 0)
				p = &r->rp[i];
		if (p == NULL)
			return bad_rules(err, "unknown rounding point",
			    c->name);
		/* mode: absent = half-up (up with partial-percent-as-whole) */
		p->mode = EB_ROUND_HALF_UP;
		if (eb_doc_attr(c, "mode") != NULL &&
		    eb_round_parse(eb_doc_attr(c, "mode"), &p->mode) != EB_OK)
			return bad_rules(err, "mode must be half-up, down or up",
			    c->name);
		if ((rc = iattr(c, "decimals", EB_FIX_DECIMALS, 0,
		    p == &r->rp[RP_BENCH] ? 2 : EB_FIX_DECIMALS, &d, err)))
			return rc;
		if (p == &r->rp[RP_BENCH] && eb_doc_attr(c, "decimals") ==
		    NULL)
			d = 2;
		p->decimals = (int)d;
		if ((rc = yesno(c, "partial-percent-as-whole", 0, &p->whole,
		    err)))
			return rc;
		if (eb_doc_attr(c, "partial-percent-as-whole") != NULL &&
		    p != &r->rp[RP_DEV])
			return bad_rules(err, "partial-percent-as-whole belongs "
			    "to point=\"deviation-percent\" only", c->name);
		/* 不足1%按1%计 is itself the rounding (up, to a whole
		 * percent): a mode or decimals saying otherwise would be
		 * ignored, so they are refused */
		if (p->whole && ((eb_doc_attr(c, "mode") != NULL &&
		    p->mode != EB_ROUND_UP) || (eb_doc_attr(c, "decimals") !=
		    NULL && d != 0)))
			return bad_rules(err, "partial-percent-as-whole rounds "
			    "up to a whole percent: leave out mode and decimals "
			    "(or write mode=\"up\" decimals=\"0\")", c->name);
		if (p->whole) {
			p->mode = EB_ROUND_UP;
			p->decimals = 0;
		}
	}
	if ((c = eb_doc_child(root, "validity-band")) != NULL) {
		if (eb_doc_attr_i64(c, "reference", &r->band_ref) != EB_OK ||
		    r->band_ref <= 0)
			return bad_rules(err, "reference is not a positive "
			    "amount of fen", c->name);
		r->has_band = 1;
		r->has_above = eb_doc_attr(c, "above") != NULL;
		r->has_below = eb_doc_attr(c, "below") != NULL;
		if (!r->has_above && !r->has_below)
			return bad_rules(err, "validity-band names neither "
			    "above nor below (it would exclude nothing)", c->name);
		if ((!r->has_above && eb_doc_attr(c, "above-bound") != NULL) ||
		    (!r->has_below && eb_doc_attr(c, "below-bound") != NULL))
			return bad_rules(err, "above-bound/below-bound without "
			    "the percent it qualifies", c->name);
		if ((rc = fattr(c, "above", 0, 0, &r->band_above, err)) ||
		    (rc = fattr(c, "below", 0, 0, &r->band_below, err)))
			return rc;
		if ((rc = bound_attr(c, "above-bound", &r->above_strict,
		    err)) ||
		    (rc = bound_attr(c, "below-bound", &r->below_strict,
		    err)))
			return rc;
		if (r->band_above < 0 || r->band_below < 0 ||
		    r->band_above > MAX_PERCENT ||
		    r->band_below > 100 * EB_FIX_ONE)
			return bad_rules(err, "band percents out of range",
			    c->name);
	}
	eb_doc_foreach(c, root, "criterion") {
		struct crit *k;

		if (r->ncrit >= EB_EVAL_MAX_CRITERIA)
			return bad_rules(err, "too many criteria", root->name);
		k = &r->crit[r->ncrit];
		k->id = eb_doc_attr(c, "id");
		if (k->id == NULL || k->id[0] == '\0')
			return bad_rules(err, "a criterion has no id", c->name);
		for (i = 0; i < r->ncrit; i++)
			if (strcmp(r->crit[i].id, k->id) == 0)
				return bad_rules(err, "duplicate criterion id",
				    c->name);
		if ((rc = fattr(c, "max", 0, 1, &k->max, err)) ||
		    (rc = fattr(c, "min", 0, 0, &k->min, err)) ||
		    (rc = fattr(c, "step", 0, 0, &k->step, err)) ||
		    (rc = fattr(c, "weight", EB_FIX_ONE, 0, &k->weight, err)) ||
		    (rc = fattr(c, "reason-below", 0, 0, &k->rb, err)) ||
		    (rc = fattr(c, "reason-above", 0, 0, &k->ra, err)))
			return rc;
		k->has_rb = eb_doc_attr(c, "reason-below") != NULL;
		k->has_ra = eb_doc_attr(c, "reason-above") != NULL;
		if (k->min >= k->max)
			return bad_rules(err, "criterion min is not below max",
			    c->name);
		if ((k->has_rb && (k->rb < k->min || k->rb > k->max)) ||
		    (k->has_ra && (k->ra < k->min || k->ra > k->max)))
			return bad_rules(err, "criterion reason-below/"
			    "reason-above lies outside min..max", c->name);
		if (k->has_rb && k->has_ra && k->rb > k->ra)
			return bad_rules(err, "criterion reason-below is above "
			    "reason-above", c->name);
		if (k->max <= k->min || k->step < 0 || k->weight <= 0 ||
		    !IN_POINTS(k->max) || !IN_POINTS(k->min) ||
		    !IN_POINTS(k->step) || !IN_POINTS(k->weight))
			return bad_rules(err, "criterion needs max > min, "
			    "step >= 0 and weight > 0, within 10^6", c->name);
		r->ncrit++;
	}
	eb_doc_foreach(c, root, "compliance-item") {
		const char *id = eb_doc_attr(c, "id");

		if (!r->lep)
			return bad_rules(err, "compliance items are judged only "
			    "under method=lowest-evaluated-price", c->name);

		if (r->nitems >= EB_EVAL_MAX_ITEMS || id == NULL ||
		    id[0] == '\0')
			return bad_rules(err, "compliance item without id or "
			    "too many items", c->name);
		for (i = 0; i < r->nitems; i++)
			if (strcmp(r->items[i], id) == 0)
				return bad_rules(err, "duplicate compliance "
				    "item", c->name);
		r->items[r->nitems++] = id;
	}
	eb_doc_foreach(c, root, "adjustment") {
		struct adj *a;
		const char *kind = eb_doc_attr(c, "kind");
		const char *dir = eb_doc_attr(c, "direction");

		if (!r->lep || r->nadj >= EB_EVAL_MAX_ADJUSTMENTS)
			return bad_rules(err, "adjustments belong to lowest "
			    "evaluated price (at most 32)", c->name);
		a = &r->adj[r->nadj];
		memset(a, 0, sizeof(*a));
		a->id = eb_doc_attr(c, "id");
		if (a->id == NULL || a->id[0] == '\0' || kind == NULL)
			return bad_rules(err, "adjustment needs id and kind",
			    c->name);
		if (strcmp(kind, "completion") == 0) {
			const char *per = eb_doc_attr(c, "per");

			a->kind = ADJ_COMPLETION;
			if (per == NULL || (strcmp(per, "day") != 0 &&
			    strcmp(per, "month") != 0))
				return bad_rules(err, "per must be day or month",
				    c->name);
			a->per_month = per[0] == 'm';
			if ((rc = iattr(c, "target-days", -1, 0, 100000,
			    &a->target, err)) ||
			    (rc = iattr(c, "credit", 0, 0, INT64_MAX / 4,
			    &a->credit, err)) ||
			    (rc = iattr(c, "charge", 0, 0, INT64_MAX / 4,
			    &a->charge_amt, err)) ||
			    (rc = yesno(c, "partial-month-as-whole", 0,
			    &a->whole, err)))
				return rc;
			if (a->target < 0)
				return bad_rules(err, "completion needs "
				    "target-days", c->name);
			{
				const char *im = eb_doc_attr(c, "if-missing");

				if (im != NULL && strcmp(im, "worst") == 0)
					a->missing_worst = 1;
				else if (im != NULL && strcmp(im, "invalid") != 0)
					return bad_rules(err, "if-missing must be "
					    "invalid or worst", c->name);
				if (a->missing_worst)
					r->has_worst = 1;
				else
					r->need_days = 1;
			}
		} else if (strcmp(kind, "per-unit") == 0 ||
		    strcmp(kind, "percent") == 0) {
			a->kind = kind[1] == 'e' && kind[2] == 'r' &&
			    kind[3] == '-' ? ADJ_PER_UNIT : ADJ_PERCENT;
			if (dir == NULL || (strcmp(dir, "charge") != 0 &&
			    strcmp(dir, "credit") != 0))
				return bad_rules(err, "direction must be charge "
				    "or credit", c->name);
			a->charge = dir[1] == 'h';
			{
				/* the bid's <factor id=ID>: absent counts as
				 * 0 (default) or makes the bid invalid.  Its
				 * own attribute: if-missing was always ignored
				 * here, and old logs must replay the same */
				const char *im = eb_doc_attr(c, "if-no-factor");

				if (im != NULL && strcmp(im, "invalid") == 0)
					a->need_factor = 1;
				else if (im != NULL && strcmp(im, "zero") != 0)
					return bad_rules(err, "if-no-factor must be "
					    "zero or invalid", c->name);
			}
			if (a->kind == ADJ_PER_UNIT && (eb_doc_attr_i64(c,
			    "amount", &a->amount) != EB_OK || a->amount < 0))
				return bad_rules(err, "per-unit needs an amount "
				    "in fen", c->name);
		} else
			return bad_rules(err, "unknown adjustment kind",
			    c->name);
		for (i = 0; i < r->nadj; i++)
			if (strcmp(r->adj[i].id, a->id) == 0)
				return bad_rules(err, "duplicate adjustment id",
				    c->name);
		r->nadj++;
	}
	if ((c = eb_doc_child(root, "lots")) != NULL &&
	    (rc = parse_lots(c, r, err)) != EB_OK)
		return rc;
	return EB_OK;
}

static int
parse_rules(const struct eb_doc *doc, struct rules *r, struct eb_error *err)
{
	return parse_rules_as(doc, r, 0, err);
}

int
eb_evaluation_rules_check(const struct eb_doc *rules, int64_t committee,
    struct eb_error *err)
{
	struct rules *r = eb_malloc(sizeof(*r));
	int rc;

	rc = parse_rules_as(rules, r, 1, err);
	if (rc == EB_OK && r->trim && committee > 0 &&
	    r->trim_min > committee)
		rc = bad_rules(err, "trim-min-experts is above the "
		    "committee-size, so trim-extremes could never apply",
		    "evaluation-rules");
	if (rc == EB_OK && r->has_devband && committee > 0 && committee < 2)
		rc = bad_rules(err, "deviation-band needs at least two "
		    "experts", "evaluation-rules");
	free(r);
	return rc;
}

/* -- score sheets ------------------------------------------------------ */

static int
find_str(const char *const *list, size_t n, const char *s)
{
	size_t i;

	for (i = 0; s != NULL && i < n; i++)
		if (strcmp(list[i], s) == 0)
			return (int)i;
	return -1;
}

static int
find_crit(const struct rules *r, const char *id)
{
	size_t i;

	for (i = 0; id != NULL && i < r->ncrit; i++)
		if (strcmp(r->crit[i].id, id) == 0)
			return (int)i;
	return -1;
}

static int
has_reason(const struct eb_doc *score)
{
	const char *t = eb_doc_child_text(score, "reason");

	while (t != NULL && (*t == ' ' || *t == '\t' || *t == '\n' ||
	    *t == '\r'))
		t++;
	return t != NULL && *t != '\0';
}

static int
check_sheet(const struct rules *r, const struct eb_doc *sheet,
    const char *const *bidders, size_t n, struct eb_error *err)
{
	uint8_t *seen = NULL, *iseen = NULL;
	const struct eb_doc *c;
	const char *expert;
	char a[EB_FIX_TEXT];
	size_t b, k;
	int rc = EB_OK, bi, ci;
	int64_t v;

	if (sheet == NULL || strcmp(sheet->name, "score-sheet") != 0 ||
	    (expert = eb_doc_attr(sheet, "expert")) == NULL ||
	    expert[0] == '\0')
		return eb_fail(err, EB_ERR_FORMAT, "bad-score-sheet",
		    "Send a <score-sheet expert=...>.",
		    "not a score sheet with an expert");
	if (n > EB_EVAL_MAX_BIDS)
		return eb_fail(err, EB_ERR_LIMIT, "too-many-bids", NULL,
		    "more than %d bids", EB_EVAL_MAX_BIDS);
	seen = eb_calloc(n * r->ncrit + 1, 1);
	iseen = eb_calloc(n * r->nitems + 1, 1);
	eb_doc_foreach(c, sheet, NULL) {
		const char *bid = eb_doc_attr(c, "bid");
		int score = strcmp(c->name, "score") == 0;

		/* a written explanation of a deviation (explain-deviation,
		 * kept with the sheet): read by the alerts only */
		if (strcmp(c->name, "explanation") == 0)
			continue;
		if (!score && strcmp(c->name, "compliance") != 0) {
			rc = eb_fail(err, EB_ERR_FORMAT, "bad-score-sheet",
			    "A sheet holds only <score> and <compliance>.",
			    "unexpected <%s> in the score sheet of %s", c->name,
			    expert);
			goto out;
		}
		if ((bi = find_str(bidders, n, bid)) < 0) {
			rc = eb_fail(err, EB_ERR_RULE, "unknown-bid",
			    "Score only the valid bids listed for evaluation.",
			    "%s scored bid %s, which is not a valid bid", expert,
			    bid ? bid : "(none)");
			goto out;
		}
		if (!score) {
			const char *item = eb_doc_attr(c, "item");
			const char *pass = eb_doc_attr(c, "pass");
			int ii = find_str(r->items, r->nitems, item);

			if (ii < 0) {
				rc = eb_fail(err, EB_ERR_RULE,
				    "unknown-compliance-item",
				    "Use the compliance items of the rules.",
				    "%s judged bid %s on unknown item %s",
				    expert, bid, item ? item : "(none)");
				goto out;
			}
			if (pass == NULL || (strcmp(pass, "yes") != 0 &&
			    strcmp(pass, "no") != 0)) {
				rc = eb_fail(err, EB_ERR_FORMAT, "bad-score",
				    "Judge each compliance item with "
				    "pass=\"yes\" or pass=\"no\".",
				    "%s: bid %s item %s "
				    "has no valid pass", expert, bid, item);
				goto out;
			}
			if (iseen[(size_t)bi * r->nitems + (size_t)ii]++) {
				rc = eb_fail(err, EB_ERR_RULE,
				    "score-duplicate", "Judge each item once.",
				    "%s judged bid %s on item %s twice", expert,
				    bid, item);
				goto out;
			}
			if (pass[0] == 'n' && !has_reason(c)) {
				rc = eb_fail(err, EB_ERR_RULE,
				    "reason-required",
				    "Write why the bid fails this item.",
				    "%s failed bid %s on item %s without a "
				    "reason", expert, bid, item);
				goto out;
			}
			continue;
		}
		ci = find_crit(r, eb_doc_attr(c, "criterion"));
		if (ci < 0) {
			rc = eb_fail(err, EB_ERR_RULE, "unknown-criterion",
			    "Use the criteria of the rules.",
			    "%s scored bid %s on unknown criterion %s", expert,
			    bid, eb_doc_attr(c, "criterion") ?
			    eb_doc_attr(c, "criterion") : "(none)");
			goto out;
		}
		const struct crit *k2 = &r->crit[ci];

		if (eb_fix_parse(eb_doc_attr(c, "value"), &v) != EB_OK) {
			rc = eb_fail(err, EB_ERR_FORMAT, "bad-score",
			    "A score is a decimal with at most 8 decimals.",
			    "%s: bid %s criterion %s has no valid value",
			    expert, bid, k2->id);
			goto out;
		}
		if (seen[(size_t)bi * r->ncrit + (size_t)ci]++) {
			rc = eb_fail(err, EB_ERR_RULE, "score-duplicate",
			    "Score each bid on each criterion once.",
			    "%s scored bid %s on %s twice", expert, bid,
			    k2->id);
			goto out;
		}
		if (v < k2->min || v > k2->max) {
			char lo[EB_FIX_TEXT], hi[EB_FIX_TEXT];

			rc = eb_fail(err, EB_ERR_RULE, "score-out-of-bounds",
			    "Give a score within the criterion's bounds.",
			    "%s: score %s of bid %s on %s is outside %s..%s",
			    expert, eb_fix_format(v, 0, a), bid, k2->id,
			    eb_fix_format(k2->min, 0, lo),
			    eb_fix_format(k2->max, 0, hi));
			goto out;
		}
		if (k2->step > 0 && (v - k2->min) % k2->step != 0) {
			char st[EB_FIX_TEXT];

			rc = eb_fail(err, EB_ERR_RULE, "score-off-step",
			    "Give a score on the criterion's steps.",
			    "%s: score %s of bid %s on %s is not a multiple "
			    "of the step %s", expert, eb_fix_format(v, 0, a),
			    bid, k2->id, eb_fix_format(k2->step, 0, st));
			goto out;
		}
		if (((k2->has_rb && v < k2->rb) || (k2->has_ra && v > k2->ra))
		    && !has_reason(c)) {
			rc = eb_fail(err, EB_ERR_RULE, "reason-required",
			    "Write the reason the rules require for this "
			    "score.", "%s: score %s of bid %s on %s needs a "
			    "reason", expert, eb_fix_format(v, 0, a), bid,
			    k2->id);
			goto out;
		}
	}
	for (b = 0; b < n; b++) {
		for (k = 0; k < r->ncrit; k++)
			if (!seen[b * r->ncrit + k]) {
				rc = eb_fail(err, EB_ERR_RULE, "score-missing",
				    "Score every valid bid on every criterion.",
				    "%s has not scored bid %s on %s", expert,
				    bidders[b], r->crit[k].id);
				goto out;
			}
		for (k = 0; k < r->nitems; k++)
			if (!iseen[b * r->nitems + k]) {
				rc = eb_fail(err, EB_ERR_RULE, "score-missing",
				    "Judge every valid bid on every item.",
				    "%s has not judged bid %s on item %s",
				    expert, bidders[b], r->items[k]);
				goto out;
			}
	}
out:
	free(seen);
	free(iseen);
	return rc;
}

int
eb_score_sheet_check(const struct eb_doc *rules, const struct eb_doc *sheet,
    const char *const *valid_bidders, size_t n, struct eb_error *err)
{
	struct rules *r = eb_malloc(sizeof(*r));
	int rc;

	if ((rc = parse_rules(rules, r, err)) == EB_OK)
		rc = check_sheet(r, sheet, valid_bidders, n, err);
	free(r);
	return rc;
}

/* -- the score table --------------------------------------------------- */

struct table {
	size_t ns, nb, nc, ni;
	const struct eb_doc **sheets;   /* sorted by expert party */
	int64_t *val;                   /* [s][b][c] raw score */
	uint8_t *reason;                /* [s][b][c] has a reason */
	uint8_t *pass;                  /* [s][b][i] 1 = yes */
};

#define TIX(t, s, b, c) ((((s) * (t)->nb) + (b)) * (t)->nc + (c))
#define TIXI(t, s, b, i) ((((s) * (t)->nb) + (b)) * (t)->ni + (i))

static void
table_free(struct table *t)
{
	free(t->sheets);
	free(t->val);
	free(t->reason);
	free(t->pass);
	memset(t, 0, sizeof(*t));
}

static int
cmp_sheet(const void *a, const void *b)
{
	const struct eb_doc *x = *(const struct eb_doc *const *)a;
	const struct eb_doc *y = *(const struct eb_doc *const *)b;

	return strcmp(eb_doc_attr(x, "expert"), eb_doc_attr(y, "expert"));
}

/* Sheets must have an expert attribute (checked by the caller). */
static int
table_build(const struct rules *r, const struct eb_doc *const *sheets,
    size_t ns, const char *const *bidders, size_t nb, struct table *t)
{
	const struct eb_doc *c;
	size_t s;
	int bi, ci, ii;

	memset(t, 0, sizeof(*t));
	t->ns = ns;
	t->nb = nb;
	t->nc = r->ncrit;
	t->ni = r->nitems;
	t->sheets = eb_calloc(ns + 1, sizeof(*t->sheets));
	t->val = eb_calloc(ns * nb * t->nc + 1, sizeof(*t->val));
	t->reason = eb_calloc(ns * nb * t->nc + 1, 1);
	t->pass = eb_calloc(ns * nb * t->ni + 1, 1);
	for (s = 0; s < ns; s++)
		t->sheets[s] = sheets[s];
	qsort(t->sheets, ns, sizeof(*t->sheets), cmp_sheet);
	for (s = 0; s < ns; s++) {
		eb_doc_foreach(c, t->sheets[s], NULL) {
			if ((bi = find_str(bidders, nb, eb_doc_attr(c, "bid"))) <
			    0)
				continue;
			if (strcmp(c->name, "score") == 0 &&
			    (ci = find_crit(r, eb_doc_attr(c, "criterion"))) >=
			    0) {
				int64_t v = 0;

				if (eb_fix_parse(eb_doc_attr(c, "value"), &v) !=
				    EB_OK)
					continue;
				t->val[TIX(t, s, (size_t)bi, (size_t)ci)] = v;
				t->reason[TIX(t, s, (size_t)bi, (size_t)ci)] =
				    (uint8_t)has_reason(c);
			} else if (strcmp(c->name, "compliance") == 0 &&
			    (ii = find_str(r->items, r->nitems,
			    eb_doc_attr(c, "item"))) >= 0) {
				const char *p = eb_doc_attr(c, "pass");

				t->pass[TIXI(t, s, (size_t)bi, (size_t)ii)] =
				    (uint8_t)(p != NULL && strcmp(p, "yes") == 0);
			}
		}
	}
	return EB_OK;
}

static int
overflow(struct eb_error *err)
{
	return eb_fail(err, EB_ERR_LIMIT, "arithmetic-overflow",
	    "Check the amounts and scores for implausible magnitudes.",
	    "an evaluation figure exceeds the exact arithmetic range");
}

/*
 * Alerts into 'out' (may be NULL: only count).  Returns EB_OK and sets
 * *missing to the index of the first alert without a reason (or -1);
 * the first such alert's expert/bid/criterion go to 'first'.
 */
/* Does 'sheet' hold an <explanation bid= criterion=> for this alert
 * (criterion NULL: the total)? */
static const struct eb_doc *
explanation_of(const struct eb_doc *sheet, const char *bid,
    const char *criterion)
{
	const struct eb_doc *x;
	const char *xc;

	eb_doc_foreach(x, sheet, "explanation") {
		xc = eb_doc_attr(x, "criterion");
		if (eb_doc_attr(x, "bid") == NULL ||
		    strcmp(eb_doc_attr(x, "bid"), bid) != 0)
			continue;
		if (criterion == NULL ? xc == NULL : xc != NULL &&
		    strcmp(xc, criterion) == 0)
			return x;
	}
	return NULL;
}

/*
 * One expert's value v among the panel's (sum S of n values), the
 * criterion's (or the total's) maximum 'max': flagged when |v - M| >
 * band % of max (measure max) or of M (measure mean), M being the mean of
 * the others ((S - v) / (n - 1)) or of all (S / n).  Exact: with M =
 * Mn / Md, |v * Md - Mn| * 100 * 1e8 > band * max * Md, or > band * Mn.
 * *mean gets M to 4 decimals.
 */
static int
deviates(const struct rules *r, int64_t v, __int128 sum, size_t n,
    int64_t max, int *flag, int64_t *mean)
{
	__int128 mn = r->dev_all ? sum : sum - v;
	__int128 md = r->dev_all ? (__int128)n : (__int128)n - 1;
	__int128 lhs = (__int128)v * md - mn, rhs;

	if (lhs < 0)
		lhs = -lhs;
	lhs *= 100 * (__int128)EB_FIX_ONE;
	rhs = r->dev_of_mean ? (__int128)r->devband * mn :
	    (__int128)r->devband * max * md;
	*flag = lhs > rhs;
	return eb_fix_ratio(mn, md * EB_FIX_ONE, 4, EB_ROUND_HALF_UP, mean);
}

/*
 * Alerts into 'out' (may be NULL: only count).  Returns EB_OK and sets
 * *missing when an alert has neither a reason on its score (criterion
 * scope) nor an <explanation> (explain-deviation); the first such
 * alert's expert/bid/criterion go to 'first' (*miss_c = nc: the total).
 */
static int
alerts_build(const struct rules *r, const struct table *t,
    const char *const *bidders, struct eb_doc *out,
    const struct eb_doc **miss_sheet, size_t *miss_b, size_t *miss_c,
    int *missing, struct eb_error *err)
{
	size_t s, b, c, nc = r->dev_total ? 1 : t->nc;
	char a[EB_FIX_TEXT];
	int64_t *vals = NULL, max;

	*missing = 0;
	if (!r->has_devband || t->ns < 2)
		return EB_OK;
	vals = eb_calloc(t->ns, sizeof(*vals));
	for (b = 0; b < t->nb; b++) {
		for (c = 0; c < nc; c++) {
			__int128 sum = 0;
			const char *cid = r->dev_total ? NULL : r->crit[c].id;

			max = 0;
			for (s = 0; s < t->ns; s++) {
				if (r->dev_total) {
					size_t k;

					vals[s] = 0;
					for (k = 0; k < t->nc; k++)
						vals[s] += t->val[TIX(t, s, b,
						    k)];
				} else {
					vals[s] = t->val[TIX(t, s, b, c)];
				}
				sum += vals[s];
			}
			if (r->dev_total) {
				size_t k;

				for (k = 0; k < t->nc; k++)
					max += r->crit[k].max;
			} else {
				max = r->crit[c].max;
			}
			for (s = 0; s < t->ns; s++) {
				const struct eb_doc *xp;
				struct eb_doc *al;
				int64_t mean;
				int flag, rs;

				if (deviates(r, vals[s], sum, t->ns, max,
				    &flag, &mean) != EB_OK) {
					free(vals);
					return overflow(err);
				}
				if (!flag)
					continue;
				xp = explanation_of(t->sheets[s], bidders[b],
				    cid);
				rs = xp != NULL || (!r->dev_total &&
				    t->reason[TIX(t, s, b, c)]);
				if (!rs && !*missing) {
					*missing = 1;
					*miss_sheet = t->sheets[s];
					*miss_b = b;
					*miss_c = r->dev_total ? t->nc : c;
				}
				if (out == NULL)
					continue;
				al = eb_doc_add(out, "alert");
				eb_doc_set_attr(al, "expert",
				    eb_doc_attr(t->sheets[s], "expert"));
				eb_doc_set_attr(al, "bid", bidders[b]);
				if (cid != NULL)
					eb_doc_set_attr(al, "criterion", cid);
				eb_doc_set_attr(al, "scope", r->dev_total ?
				    "total" : "criterion");
				eb_doc_set_attr(al, "value",
				    eb_fix_format(vals[s], 4, a));
				eb_doc_set_attr(al, r->dev_all ? "mean" :
				    "others-mean", eb_fix_format(mean, 4, a));
				eb_doc_set_attr(al, "reason", rs ? "yes" :
				    "no");
				if (xp != NULL)
					eb_doc_add_text(al, "explanation",
					    eb_doc_text(xp));
			}
		}
	}
	free(vals);
	return EB_OK;
}

static int
check_sheet_set(const struct eb_doc *const *sheets, size_t ns,
    struct eb_error *err)
{
	size_t i, j;
	const char *e;

	if (ns > EB_EVAL_MAX_SHEETS)
		return eb_fail(err, EB_ERR_LIMIT, "too-many-sheets", NULL,
		    "more than %d score sheets", EB_EVAL_MAX_SHEETS);
	for (i = 0; i < ns; i++) {
		if (sheets[i] == NULL || (e = eb_doc_attr(sheets[i],
		    "expert")) == NULL || e[0] == '\0')
			return eb_fail(err, EB_ERR_FORMAT, "bad-score-sheet",
			    "Every score sheet names its expert.",
			    "score sheet %zu has no expert", i + 1);
		for (j = 0; j < i; j++)
			if (strcmp(eb_doc_attr(sheets[j], "expert"), e) == 0)
				return eb_fail(err, EB_ERR_FORMAT,
				    "bad-score-sheet",
				    "Pass one sheet per expert.",
				    "two score sheets of expert %s", e);
	}
	return EB_OK;
}

int
eb_evaluation_alerts(const struct eb_doc *rules,
    const struct eb_doc *const *sheets, size_t nsheets,
    struct eb_doc **alerts, struct eb_error *err)
{
	struct rules *r = NULL;
	struct table t;
	const char **bidders = NULL;
	const struct eb_doc *c, *ms = NULL;
	struct eb_doc *out = NULL;
	size_t nb = 0, cap = 0, s, mb, mc;
	int rc, missing;

	memset(&t, 0, sizeof(t));
	*alerts = NULL;
	r = eb_malloc(sizeof(*r));
	if ((rc = parse_rules(rules, r, err)) != EB_OK ||
	    (rc = check_sheet_set(sheets, nsheets, err)) != EB_OK)
		goto out;
	/* The bids are those the sheets score, in byte order. */
	for (s = 0; s < nsheets; s++)
		cap += eb_doc_count(sheets[s], NULL);
	bidders = eb_calloc(cap + 1, sizeof(*bidders));
	for (s = 0; s < nsheets; s++)
		eb_doc_foreach(c, sheets[s], "score") {
			const char *b = eb_doc_attr(c, "bid");
			size_t i;

			if (b == NULL || find_str(bidders, nb, b) >= 0)
				continue;
			for (i = nb; i > 0 && strcmp(bidders[i - 1], b) > 0;
			    i--)
				bidders[i] = bidders[i - 1];
			bidders[i] = b;
			nb++;
		}
	if ((rc = table_build(r, sheets, nsheets, bidders, nb, &t)) != EB_OK)
		goto out;
	out = eb_doc_new("deviation-alerts");
	if ((rc = alerts_build(r, &t, bidders, out, &ms, &mb, &mc, &missing,
	    err)) != EB_OK)
		goto out;
	*alerts = out;
	out = NULL;
out:
	eb_doc_free(out);
	table_free(&t);
	free(bidders);
	free(r);
	return rc;
}

/* -- the result -------------------------------------------------------- */

struct bidrow {
	const char *bidder, *org;
	int64_t price, days;
	int has_days, valid, compliant;
	const char *invalid;
	int vix;                        /* index among valid bids or -1 */
	int64_t dev, pscore, ppart, tech, total, evp;
	int64_t dev_exact;              /* to 8 decimals, before its rounding */
	int has_dev;
	int bench_out;                  /* left out of the benchmark average */
};

struct rk {
	size_t row;
	int lep;
	const struct rules *r;
	int64_t key, price, tech;
	uint8_t h[32];
};

/*
 * Compare two ranks; *level is the position of the level at which they
 * differ: 0 the primary key, 1..ntie the rules' tie-break levels, ntie+1
 * the draw.
 */
static int
rk_cmp_level(const struct rk *a, const struct rk *b, int *level)
{
	const struct rules *r = a->r;
	int i;

	*level = 0;
	if (a->key != b->key)
		return a->lep ? (a->key < b->key ? -1 : 1) :
		    (a->key > b->key ? -1 : 1);
	for (i = 0; i < r->ntie; i++) {
		*level = i + 1;
		if (r->tie_order[i] == TIE_PRICE && a->price != b->price)
			return a->price < b->price ? -1 : 1;
		if (r->tie_order[i] == TIE_TECHNICAL && a->tech != b->tech)
			return a->tech > b->tech ? -1 : 1;
	}
	*level = r->ntie + 1;
	return memcmp(a->h, b->h, 32);
}

static const char *
level_name(const struct rules *r, int level)
{
	if (level == 0)
		return tie_names[TIE_NONE];
	if (level <= r->ntie)
		return tie_names[r->tie_order[level - 1]];
	return tie_names[TIE_DRAW];
}

static int
rk_cmp(const void *a, const void *b)
{
	int level;

	return rk_cmp_level(a, b, &level);
}

static int
round_at(const struct rules *r, int point, int64_t v, int64_t *out)
{
	return eb_fix_round(v, r->rp[point].decimals, r->rp[point].mode, out);
}

/* Benchmark in fen (see evaluation.h, step 2). */
/* Order of valid rows for trimming: price, then input order. */
struct price_ix {
	int64_t price;
	size_t row;
};

static int
cmp_row_price(const void *a, const void *b)
{
	const struct price_ix *x = a, *y = b;

	if (x->price != y->price)
		return x->price < y->price ? -1 : 1;
	return x->row < y->row ? -1 : x->row > y->row;
}

static int
benchmark(const struct rules *r, struct bidrow *rows, size_t nrows,
    int64_t *bench, struct eb_error *err)
{
	__int128 sum = 0, num, den, part;
	int64_t lo = INT64_MAX, hi = INT64_MIN, unit = 1;
	size_t i, m = 0;
	int d;

	for (i = 0; i < nrows; i++) {
		if (!rows[i].valid)
			continue;
		sum += rows[i].price;
		m++;
		if (rows[i].price < lo)
			lo = rows[i].price;
		if (rows[i].price > hi)
			hi = rows[i].price;
	}
	if (m == 0)
		return eb_fail(err, EB_ERR_RULE, "no-valid-bid",
		    "The tender has failed for want of valid bids.",
		    "no valid bid to compute a benchmark from");
	if (!r->avg_formula) {
		*bench = lo;
		return EB_OK;
	}
	{
		/* the trimming tier for m valid bids: the last from <= m */
		const struct tier *tr = NULL;
		struct price_ix *ix;
		size_t k, n = 0;

		for (k = 0; k < r->ntiers; k++)
			if ((size_t)r->tiers[k].from <= m)
				tr = &r->tiers[k];
		if (tr != NULL && tr->hi + tr->lo > 0) {
			ix = eb_calloc(m, sizeof(*ix));
			for (i = 0; i < nrows; i++)
				if (rows[i].valid) {
					ix[n].price = rows[i].price;
					ix[n++].row = i;
				}
			qsort(ix, n, sizeof(*ix), cmp_row_price);
			for (k = 0; k < n; k++) {
				if (k < (size_t)tr->lo ||
				    k >= n - (size_t)tr->hi) {
					rows[ix[k].row].bench_out = 1;
					sum -= ix[k].price;
					m--;
				}
			}
			free(ix);
		}
	}
	/* num/den = K * (w*s*R*m + (1-w)*1e8*sum) / (1e24 * m) fen. */
	if (__builtin_mul_overflow((__int128)r->rweight * r->share,
	    (__int128)r->ref * (__int128)m, &part))
		return overflow(err);
	if (__builtin_mul_overflow((__int128)(EB_FIX_ONE - r->rweight) *
	    EB_FIX_ONE, sum, &num) ||
	    __builtin_add_overflow(num, part, &num) ||
	    __builtin_mul_overflow(num, (__int128)r->k, &num))
		return overflow(err);
	for (d = r->rp[RP_BENCH].decimals; d < 2; d++)
		unit *= 10;
	den = (__int128)EB_FIX_ONE * EB_FIX_ONE * EB_FIX_ONE * (__int128)m *
	    unit;
	if (eb_round_div(num, den, r->rp[RP_BENCH].mode, bench) != EB_OK ||
	    __builtin_mul_overflow(*bench, unit, bench))
		return overflow(err);
	if (*bench <= 0)
		return eb_fail(err, EB_ERR_RULE, "no-valid-bid",
		    "Check the reference price and coefficient.",
		    "the benchmark price is not positive");
	return EB_OK;
}

static int
price_score(const struct rules *r, struct bidrow *b, int64_t bench,
    struct eb_error *err)
{
	const struct rpoint *p = &r->rp[RP_PRICE];
	__int128 num;
	int64_t dev, ad, ded;

	if (!r->avg_formula) {
		if (eb_fix_ratio((__int128)r->pmax * bench,
		    (__int128)b->price * EB_FIX_ONE, p->decimals, p->mode,
		    &b->pscore) != EB_OK)
			return overflow(err);
		goto weighted;
	}
	num = ((__int128)b->price - bench) * 100;
	if (eb_fix_ratio(num, bench, EB_FIX_DECIMALS, EB_ROUND_HALF_UP,
	    &b->dev_exact) != EB_OK)
		return overflow(err);
	if (r->rp[RP_DEV].whole) {
		if (eb_fix_ratio(num, bench, 0, EB_ROUND_UP, &dev) != EB_OK)
			return overflow(err);
	} else if (eb_fix_ratio(num, bench, r->rp[RP_DEV].decimals,
	    r->rp[RP_DEV].mode, &dev) != EB_OK)
		return overflow(err);
	b->dev = dev;
	b->has_dev = 1;
	ad = dev < 0 ? -dev : dev;
	ded = dev > 0 ? r->ded_above : r->ded_below;
	num = (__int128)r->pmax * EB_FIX_ONE - (__int128)ad * ded;
	if (num < (__int128)r->pmin * EB_FIX_ONE)
		num = (__int128)r->pmin * EB_FIX_ONE;
	if (eb_fix_ratio(num, (__int128)EB_FIX_ONE * EB_FIX_ONE, p->decimals,
	    p->mode, &b->pscore) != EB_OK)
		return overflow(err);
weighted:
	if (eb_fix_mul(b->pscore, r->price_weight, EB_FIX_DECIMALS,
	    EB_ROUND_HALF_UP, &b->ppart) != EB_OK)
		return overflow(err);
	return EB_OK;
}

/* Criterion scores of valid bid row 'b' (index vb in the table). */
static int
criteria_scores(const struct rules *r, const struct table *t, size_t vb,
    struct bidrow *b, struct eb_doc *out, struct eb_error *err)
{
	int64_t *w = NULL;
	uint8_t *trim = NULL;
	size_t s, c, hi, lo, kept;
	char a[EB_FIX_TEXT];
	int rc = EB_OK;

	b->tech = 0;
	w = eb_calloc(t->ns + 1, sizeof(*w));
	trim = eb_calloc(t->ns + 1, 1);
	for (c = 0; c < t->nc; c++) {
		const struct crit *k = &r->crit[c];
		__int128 sum = 0;
		int64_t avg = 0;
		struct eb_doc *ce;

		memset(trim, 0, t->ns);
		for (s = 0; s < t->ns; s++)
			if (eb_fix_mul(t->val[TIX(t, s, vb, c)], k->weight,
			    r->rp[RP_EXPERT].decimals, r->rp[RP_EXPERT].mode,
			    &w[s]) != EB_OK) {
				rc = overflow(err);
				goto out;
			}
		if (r->trim && t->ns >= (size_t)r->trim_min) {
			hi = lo = 0;
			for (s = 1; s < t->ns; s++) {
				if (t->val[TIX(t, s, vb, c)] >=
				    t->val[TIX(t, hi, vb, c)])
					hi = s;
				if (t->val[TIX(t, s, vb, c)] <
				    t->val[TIX(t, lo, vb, c)])
					lo = s;
			}
			trim[hi] = trim[lo] = 1;
		}
		kept = 0;
		for (s = 0; s < t->ns; s++)
			if (!trim[s]) {
				sum += w[s];
				kept++;
			}
		if (kept > 0 && eb_fix_ratio(sum, (__int128)kept * EB_FIX_ONE,
		    r->rp[RP_AVG].decimals, r->rp[RP_AVG].mode, &avg) !=
		    EB_OK) {
			rc = overflow(err);
			goto out;
		}
		if (eb_fix_add(b->tech, avg, &b->tech) != EB_OK) {
			rc = overflow(err);
			goto out;
		}
		ce = eb_doc_add(out, "criterion");
		eb_doc_set_attr(ce, "id", k->id);
		eb_doc_set_attr(ce, "score", eb_fix_format(avg, 4, a));
		for (s = 0; s < t->ns; s++) {
			struct eb_doc *es = eb_doc_add(ce, "expert-score");

			eb_doc_set_attr(es, "expert",
			    eb_doc_attr(t->sheets[s], "expert"));
			eb_doc_set_attr(es, "value",
			    eb_fix_format(t->val[TIX(t, s, vb, c)], 4, a));
			eb_doc_set_attr(es, "weighted",
			    eb_fix_format(w[s], 4, a));
			eb_doc_set_attr(es, "trimmed", trim[s] ? "yes" : "no");
		}
	}
out:
	free(w);
	free(trim);
	return rc;
}

/*
 * Quantity of factor 'id' of an <opened-bid>: the bid's own <factor id=
 * quantity=> (declared in bid.xsd, sealed with the bid), else an
 * <adjustment factor= quantity=> child of the <opened-bid>; 0 when
 * neither is there (*found 0).
 */
static int
factor_quantity(const struct eb_doc *ob, const char *id, int64_t *q,
    int *found)
{
	const struct eb_doc *c;

	*q = 0;
	*found = 0;
	eb_doc_foreach(c, eb_doc_child(ob, "bid"), "factor") {
		const char *f = eb_doc_attr(c, "id");

		if (f != NULL && strcmp(f, id) == 0) {
			*found = 1;
			return eb_fix_parse(eb_doc_attr(c, "quantity"), q);
		}
	}
	eb_doc_foreach(c, ob, "adjustment") {
		const char *f = eb_doc_attr(c, "factor");

		if (f != NULL && strcmp(f, id) == 0) {
			*found = 1;
			return eb_fix_parse(eb_doc_attr(c, "quantity"), q);
		}
	}
	return EB_OK;
}

static int
evaluated_price(const struct rules *r, const struct eb_doc *ob,
    struct bidrow *b, struct eb_doc *out, struct eb_error *err)
{
	size_t i;
	int64_t amt, q, evp = b->price;
	int found;

	for (i = 0; i < r->nadj; i++) {
		const struct adj *a = &r->adj[i];
		struct eb_doc *e;

		amt = 0;
		if (a->kind == ADJ_COMPLETION) {
			int64_t diff, ad, rate;

			if (!b->has_days && !(a->missing_worst &&
			    r->has_worst_days))
				return eb_fail(err, EB_ERR_RULE,
				    "missing-completion-days",
				    "Set if-missing=\"worst\" or \"invalid\" on the "
				    "completion adjustment.",
				    "bid of %s has no completion-days and no bid "
				    "states one to take the worst of",
				    b->bidder);
			diff = a->target - (b->has_days ? b->days :
			    r->worst_days);
			ad = diff < 0 ? -diff : diff;
			rate = diff > 0 ? a->credit : a->charge_amt;
			if (!a->per_month) {
				if (__builtin_mul_overflow(ad, rate, &amt))
					return overflow(err);
			} else if (a->whole) {
				if (__builtin_mul_overflow((ad + 29) / 30, rate,
				    &amt))
					return overflow(err);
			} else if (eb_round_div((__int128)ad * rate, 30,
			    EB_ROUND_HALF_UP, &amt) != EB_OK)
				return overflow(err);
			if (diff > 0)
				amt = -amt;
		} else {
			if (factor_quantity(ob, a->id, &q, &found) != EB_OK)
				return eb_fail(err, EB_ERR_FORMAT, "bad-bid",
				    "A quantity is a decimal.",
				    "bid of %s: malformed quantity of %s",
				    b->bidder, a->id);
			if (a->kind == ADJ_PER_UNIT) {
				if (eb_round_div((__int128)q * a->amount,
				    EB_FIX_ONE, EB_ROUND_HALF_UP, &amt) != EB_OK)
					return overflow(err);
			} else if (eb_round_div((__int128)q * b->price,
			    (__int128)100 * EB_FIX_ONE, EB_ROUND_HALF_UP,
			    &amt) != EB_OK)
				return overflow(err);
			if (!a->charge)
				amt = -amt;
		}
		if (__builtin_add_overflow(evp, amt, &evp))
			return overflow(err);
		e = eb_doc_add(out, "adjustment");
		eb_doc_set_attr(e, "factor", a->id);
		eb_doc_set_attr_i64(e, "amount", amt);
		if (a->kind == ADJ_COMPLETION && !b->has_days)
			eb_doc_set_attr_i64(e, "assumed-days", r->worst_days);
	}
	b->evp = evp;
	return EB_OK;
}

static int
read_bid(const struct eb_doc *ob, struct bidrow *b, struct eb_error *err)
{
	const struct eb_doc *bid;
	int rc;

	memset(b, 0, sizeof(*b));
	b->vix = -1;
	if (ob == NULL || strcmp(ob->name, "opened-bid") != 0 ||
	    (b->bidder = eb_doc_attr(ob, "bidder")) == NULL ||
	    b->bidder[0] == '\0' || (bid = eb_doc_child(ob, "bid")) == NULL ||
	    eb_doc_child_i64(bid, "total-price", &b->price) != EB_OK ||
	    b->price <= 0)
		return eb_fail(err, EB_ERR_FORMAT, "bad-bid",
		    "Pass <opened-bid bidder=> with <bid><total-price>.",
		    "an opened bid lacks its bidder or a positive total-price");
	b->org = eb_doc_attr(ob, "org");
	rc = eb_doc_child_i64(bid, "completion-days", &b->days);
	if (rc == EB_OK && b->days >= 0)
		b->has_days = 1;
	else if (rc != EB_ERR_NOTFOUND)
		return eb_fail(err, EB_ERR_FORMAT, "bad-bid",
		    "Give completion-days as a whole number of days, e.g. "
		    "<completion-days>180</completion-days>.",
		    "bid of %s: malformed completion-days", b->bidder);
	return EB_OK;
}

static void
band_check(const struct rules *r, struct bidrow *b, const struct eb_doc *ob)
{
	__int128 p = (__int128)b->price * 100 * EB_FIX_ONE;
	size_t i;
	int64_t q;
	int found;

	__int128 hi = (__int128)r->band_ref * (100 * EB_FIX_ONE +
	    r->band_above);
	__int128 lo = (__int128)r->band_ref * (100 * EB_FIX_ONE -
	    r->band_below);

	b->valid = 1;
	if (r->need_days && !b->has_days) {
		b->valid = 0;
		b->invalid = "missing-completion-days";
		return;
	}
	/* a factor an adjustment needs (if-missing="invalid"): absent or
	 * malformed in the bid */
	for (i = 0; i < r->nadj; i++)
		if (r->adj[i].need_factor &&
		    (factor_quantity(ob, r->adj[i].id, &q, &found) != EB_OK ||
		    !found)) {
			b->valid = 0;
			b->invalid = "missing-factor";
			return;
		}
	if (!r->has_band)
		return;
	if (r->has_above && (p > hi || (r->above_strict && p == hi))) {
		b->valid = 0;
		b->invalid = "above-validity-band";
	} else if (r->has_below && (p < lo || (r->below_strict && p == lo))) {
		b->valid = 0;
		b->invalid = "below-validity-band";
	}
}

/* The scored set of one lot, or of a tender without lots. */
static int
scored_one(const struct rules *r, const struct eb_doc *const *bids,
    size_t nbids, const char **scored, size_t *nscored, const char **reasons,
    struct eb_error *err)
{
	struct bidrow row;
	size_t i;
	int rc = EB_OK;

	*nscored = 0;
	for (i = 0; i < nbids; i++) {
		if ((rc = read_bid(bids[i], &row, err)) != EB_OK)
			break;
		band_check(r, &row, bids[i]);
		if (reasons != NULL)
			reasons[i] = row.valid ? NULL : row.invalid;
		if (row.valid)
			scored[(*nscored)++] = row.bidder;
	}
	return rc;
}

static struct eb_doc *lot_bid(const struct eb_doc *ob, const char *id,
    int64_t discount, int64_t *price);

/*
 * In lots: a bid is scored when one of the lots it prices keeps it; the
 * reason of one that is not is that of the first lot it prices, or
 * "no-lot-priced".
 */
static int
scored_lots(const struct rules *r, const struct eb_doc *const *bids,
    size_t nbids, const char **scored, size_t *nscored, const char **reasons,
    struct eb_error *err)
{
	const char **why = eb_calloc(nbids + 1, sizeof(*why));
	const char *one[1], *reason[1];
	struct eb_doc *lb;
	size_t i, k, n;
	int64_t price;
	int rc = EB_OK, in;

	*nscored = 0;
	for (i = 0; i < nbids && rc == EB_OK; i++) {
		why[i] = "no-lot-priced";
		in = 0;
		for (k = r->nlots; k-- > 0 && rc == EB_OK;) {
			if ((lb = lot_bid(bids[i], r->lots[k].id, 0, &price)) ==
			    NULL)
				continue;
			rc = scored_one(r, (const struct eb_doc *const *)&lb, 1,
			    one, &n, reason, err);
			if (rc == EB_OK && n == 1)
				in = 1;
			else if (rc == EB_OK)
				why[i] = reason[0];
			eb_doc_free(lb);
		}
		if (rc == EB_OK && in)
			scored[(*nscored)++] = eb_doc_attr(bids[i], "bidder");
		if (reasons != NULL)
			reasons[i] = in ? NULL : why[i];
	}
	free(why);
	return rc;
}

int
eb_evaluation_scored_bids(const struct eb_doc *rules,
    const struct eb_doc *const *bids, size_t nbids, const char **scored,
    size_t *nscored, const char **reasons, struct eb_error *err)
{
	struct rules *r;
	int rc = EB_OK;

	*nscored = 0;
	r = eb_malloc(sizeof(*r));
	if ((rc = parse_rules(rules, r, err)) == EB_OK)
		rc = r->nlots == 0 ? scored_one(r, bids, nbids, scored, nscored,
		    reasons, err) : scored_lots(r, bids, nbids, scored, nscored,
		    reasons, err);
	free(r);
	return rc;
}

/* One lot, or a tender without lots: steps 0 to 6 of evaluation.h. */
static int
eval_single(const struct eb_doc *rules,
    const struct eb_doc *const *bids, size_t nbids,
    const struct eb_doc *const *sheets, size_t nsheets,
    const uint8_t tie_seed[32], struct eb_doc **result, struct eb_error *err)
{
	struct rules *r = NULL;
	struct bidrow *rows = NULL;
	struct rk *rk = NULL;
	const char **valid = NULL;
	struct table t;
	struct eb_doc *out = NULL, *be, *x, *rank, *cands;
	const struct eb_doc *ms = NULL;
	size_t i, j, nv = 0, nr = 0, mb = 0, mc = 0, s;
	int64_t bench = 0;
	char a[EB_FIX_TEXT];
	int rc = EB_ERR_INTERNAL, missing = 0;

	memset(&t, 0, sizeof(t));
	*result = NULL;
	if (nbids > EB_EVAL_MAX_BIDS) {
		rc = eb_fail(err, EB_ERR_LIMIT, "too-many-bids", NULL,
		    "more than %d bids", EB_EVAL_MAX_BIDS);
		goto out;
	}
	r = eb_malloc(sizeof(*r));
	rows = eb_calloc(nbids + 1, sizeof(*rows));
	rk = eb_calloc(nbids + 1, sizeof(*rk));
	valid = eb_calloc(nbids + 1, sizeof(*valid));
	if ((rc = parse_rules(rules, r, err)) != EB_OK ||
	    (rc = check_sheet_set(sheets, nsheets, err)) != EB_OK)
		goto out;
	for (i = 0; i < nbids; i++) {
		if ((rc = read_bid(bids[i], &rows[i], err)) != EB_OK)
			goto out;
		for (j = 0; j < i; j++)
			if (strcmp(rows[j].bidder, rows[i].bidder) == 0) {
				rc = eb_fail(err, EB_ERR_FORMAT, "bad-bid",
				    "Pass each bidder's bid once.",
				    "two bids of %s", rows[i].bidder);
				goto out;
			}
		band_check(r, &rows[i], bids[i]);
		if (rows[i].valid) {
			rows[i].vix = (int)nv;
			valid[nv++] = rows[i].bidder;
		}
	}
	for (i = 0; i < nbids; i++)
		if (rows[i].has_days && (!r->has_worst_days ||
		    rows[i].days > r->worst_days)) {
			r->worst_days = rows[i].days;
			r->has_worst_days = 1;
		}
	if (nsheets == 0 && nv > 0 && (r->ncrit > 0 || r->nitems > 0)) {
		rc = eb_fail(err, EB_ERR_RULE, "no-score-sheets",
		    "The committee must submit its score sheets first.",
		    "the rules have expert-scored criteria or compliance items "
		    "but no score sheet was given");
		goto out;
	}
	for (s = 0; s < nsheets; s++)
		if ((rc = check_sheet(r, sheets[s], valid, nv, err)) != EB_OK)
			goto out;
	if ((rc = table_build(r, sheets, nsheets, valid, nv, &t)) != EB_OK)
		goto out;
	out = eb_doc_new("evaluation-result");
	eb_doc_set_attr(out, "method", r->lep ? "lowest-evaluated-price" :
	    "comprehensive");
	eb_doc_set_attr_i64(out, "valid-bids", (int64_t)nv);
	/* Alerts first: a missing reason stops everything. */
	{
		struct eb_doc *al = eb_doc_new("alerts");

		rc = alerts_build(r, &t, valid, al, &ms, &mb, &mc, &missing,
		    err);
		if (rc == EB_OK && missing) {
			rc = eb_fail(err, EB_ERR_RULE,
			    "deviation-reason-required",
			    "The expert must write a reason for this score "
			    "(or correct it) before the committee closes.",
			    "expert %s's score of bid %s on %s deviates from "
			    "the panel and has no written reason "
			    "(explain-deviation)",
			    eb_doc_attr(ms, "expert"), valid[mb],
			    mc < r->ncrit ? r->crit[mc].id : "the total");
			eb_error_detail(err, "expert=%s bid=%s criterion=%s",
			    eb_doc_attr(ms, "expert"), valid[mb],
			    mc < r->ncrit ? r->crit[mc].id : "(total)");
		}
		if (rc != EB_OK) {
			eb_doc_free(al);
			goto out;
		}
		/* Moved to the end of the result below. */
		x = al;
		if (!r->lep && (rc = benchmark(r, rows, nbids, &bench, err)) !=
		    EB_OK) {
			eb_doc_free(x);
			goto out;
		}
		if (!r->lep) {
			eb_doc_set_attr_i64(out, "benchmark", bench);
			eb_doc_set_attr(out, "coefficient",
			    eb_fix_format(r->k, 2, a));
		}
		for (i = 0; i < nbids; i++) {
			struct bidrow *b = &rows[i];

			be = eb_doc_add(out, "bid");
			eb_doc_set_attr(be, "bidder", b->bidder);
			if (b->org != NULL)
				eb_doc_set_attr(be, "org", b->org);
			eb_doc_set_attr_i64(be, "price", b->price);
			eb_doc_set_attr(be, "valid", b->valid ? "yes" : "no");
			if (!b->valid) {
				eb_doc_set_attr(be, "invalid-reason",
				    b->invalid);
				continue;
			}
			if (!r->lep) {
				struct eb_doc *ps;

				if ((rc = price_score(r, b, bench, err)) !=
				    EB_OK)
					break;
				ps = eb_doc_add(be, "price-score");
				if (b->has_dev) {
					eb_doc_set_attr(ps, "deviation-percent",
					    eb_fix_format(b->dev, 4, a));
					eb_doc_set_attr(ps, "deviation-exact",
					    eb_fix_format(b->dev_exact, 8, a));
				}
				if (b->bench_out)
					eb_doc_set_attr(ps, "in-benchmark",
					    "no");
				eb_doc_set_attr(ps, "value",
				    eb_fix_format(b->pscore, 4, a));
				eb_doc_set_attr(ps, "weighted",
				    eb_fix_format(b->ppart, 4, a));
			}
			if ((rc = criteria_scores(r, &t, (size_t)b->vix, b, be,
			    err)) != EB_OK)
				break;
			eb_doc_set_attr(eb_doc_add(be, "technical-score"),
			    "value", eb_fix_format(b->tech, 4, a));
			if (!r->lep) {
				int64_t tot;

				if (eb_fix_add(b->ppart, b->tech, &tot) !=
				    EB_OK || round_at(r, RP_TOTAL, tot,
				    &b->total) != EB_OK) {
					rc = overflow(err);
					break;
				}
				eb_doc_set_attr(eb_doc_add(be, "total"),
				    "value", eb_fix_format(b->total, 4, a));
				b->compliant = 1;
				continue;
			}
			b->compliant = 1;
			for (j = 0; j < r->nitems; j++) {
				size_t yes = 0;
				struct eb_doc *ce = eb_doc_add(be,
				    "compliance");
				int pass;

				for (s = 0; s < t.ns; s++)
					yes += t.pass[TIXI(&t, s,
					    (size_t)b->vix, j)];
				pass = yes * 2 > t.ns;
				if (!pass)
					b->compliant = 0;
				eb_doc_set_attr(ce, "item", r->items[j]);
				eb_doc_set_attr_i64(ce, "yes", (int64_t)yes);
				eb_doc_set_attr_i64(ce, "no",
				    (int64_t)(t.ns - yes));
				eb_doc_set_attr(ce, "pass", pass ? "yes" :
				    "no");
			}
			eb_doc_set_attr(be, "compliant", b->compliant ? "yes" :
			    "no");
			if ((rc = evaluated_price(r, bids[i], b, be, err)) !=
			    EB_OK)
				break;
			eb_doc_set_attr_i64(eb_doc_add(be, "evaluated-price"),
			    "value", b->evp);
		}
		if (rc != EB_OK) {
			eb_doc_free(x);
			goto out;
		}
		while ((be = x->first) != NULL) {
			eb_doc_detach(be);
			eb_doc_append(out, be);
		}
		eb_doc_free(x);
	}
	/* Ranking. */
	for (i = 0; i < nbids; i++) {
		struct bidrow *b = &rows[i];
		uint8_t buf[32 + 256];
		size_t bl = strlen(b->bidder);

		if (!b->valid || !b->compliant)
			continue;
		if (bl > sizeof(buf) - 32)
			bl = sizeof(buf) - 32;
		rk[nr].row = i;
		rk[nr].lep = r->lep;
		rk[nr].r = r;
		rk[nr].key = r->lep ? b->evp : b->total;
		rk[nr].price = b->price;
		rk[nr].tech = b->tech;
		memcpy(buf, tie_seed, 32);
		memcpy(buf + 32, b->bidder, bl);
		eb_sha256(buf, 32 + bl, rk[nr].h);
		nr++;
	}
	if (nr == 0) {
		rc = eb_fail(err, EB_ERR_RULE, "no-valid-bid",
		    "The tender has failed for want of valid bids.",
		    "no bid is valid%s", r->lep ? " and compliant" : "");
		goto out;
	}
	qsort(rk, nr, sizeof(*rk), rk_cmp);
	rank = eb_doc_add(out, "ranking");
	cands = eb_doc_new("candidates");
	for (i = 0; i < nr; i++) {
		int lv = 0, l2 = 0;
		struct bidrow *b = &rows[rk[i].row];
		struct eb_doc *re;

		if (i > 0)
			(void)rk_cmp_level(&rk[i - 1], &rk[i], &lv);
		if (i + 1 < nr)
			(void)rk_cmp_level(&rk[i], &rk[i + 1], &l2);
		if (l2 > lv)
			lv = l2;
		re = eb_doc_add(rank, "rank");
		eb_doc_set_attr_i64(re, "position", (int64_t)i + 1);
		eb_doc_set_attr(re, "bidder", b->bidder);
		eb_doc_set_attr_i64(re, "price", b->price);
		if (r->lep)
			eb_doc_set_attr_i64(re, "evaluated-price", b->evp);
		else
			eb_doc_set_attr(re, "total",
			    eb_fix_format(b->total, 4, a));
		eb_doc_set_attr(re, "tie-break", level_name(r, lv));
		if ((int64_t)i < r->ncand) {
			struct eb_doc *ce = eb_doc_add(cands, "candidate");

			eb_doc_set_attr_i64(ce, "position", (int64_t)i + 1);
			eb_doc_set_attr(ce, "bidder", b->bidder);
		}
	}
	eb_doc_append(out, cands);
	*result = out;
	out = NULL;
	rc = EB_OK;
out:
	eb_doc_free(out);
	table_free(&t);
	free(valid);
	free(rk);
	free(rows);
	free(r);
	return rc;
}

/* -- lots (标段 / 分包) ------------------------------------------------ */

/* The <lot id=ID> of an opened bid's <bid><lots>, or NULL. */
static const struct eb_doc *
bid_lot(const struct eb_doc *ob, const char *id)
{
	const struct eb_doc *c;

	eb_doc_foreach(c, eb_doc_path(ob, "bid/lots"), "lot")
		if (eb_doc_attr(c, "id") != NULL &&
		    strcmp(eb_doc_attr(c, "id"), id) == 0)
			return c;
	return NULL;
}

/*
 * The <opened-bid> as lot 'id' sees it, or NULL when the bid does not
 * price the lot: its <bid> holds the lot's total-price less 'discount'
 * fen, the lot's completion-days (else the bid's), the lot's factors,
 * then the bid's others; the <opened-bid>'s own <adjustment>s stay.
 * *price is the lot's undiscounted price (0 when malformed: the
 * evaluation refuses it as a bad bid).
 */
static struct eb_doc *
lot_bid(const struct eb_doc *ob, const char *id, int64_t discount,
    int64_t *price)
{
	const struct eb_doc *l = bid_lot(ob, id), *bid = eb_doc_child(ob, "bid");
	const struct eb_doc *c, *x;
	const char *days;
	struct eb_doc *o, *b;
	char fen[24];

	*price = 0;
	if (l == NULL)
		return NULL;
	if (eb_doc_child_i64(l, "total-price", price) != EB_OK || *price < 0)
		*price = 0;
	o = eb_doc_new("opened-bid");
	eb_doc_set_attr(o, "bidder", eb_doc_attr(ob, "bidder"));
	eb_doc_set_attr(o, "org", eb_doc_attr(ob, "org"));
	b = eb_doc_add(o, "bid");
	snprintf(fen, sizeof(fen), "%lld", (long long)(*price - discount));
	eb_doc_add_text(b, "total-price", fen);
	days = eb_doc_child_text(l, "completion-days");
	if (days == NULL)
		days = eb_doc_child_text(bid, "completion-days");
	if (days != NULL)
		eb_doc_add_text(b, "completion-days", days);
	eb_doc_foreach(c, l, "factor")
		eb_doc_append(b, eb_doc_clone(c));
	eb_doc_foreach(c, bid, "factor") {
		int mine = 0;

		eb_doc_foreach(x, l, "factor")
			if (eb_doc_attr(x, "id") != NULL &&
			    eb_doc_attr(c, "id") != NULL &&
			    strcmp(eb_doc_attr(x, "id"),
			    eb_doc_attr(c, "id")) == 0)
				mine = 1;
		if (!mine)
			eb_doc_append(b, eb_doc_clone(c));
	}
	eb_doc_foreach(c, ob, "adjustment")
		eb_doc_append(o, eb_doc_clone(c));
	return o;
}

/* Is lot 'id' among the space-separated ids of 'list'? */
static int
in_list(const char *list, const char *id)
{
	size_t n = strlen(id);
	const char *p = list;

	while (p != NULL && *p != '\0') {
		while (*p == ' ')
			p++;
		if (strncmp(p, id, n) == 0 && (p[n] == ' ' || p[n] == '\0'))
			return 1;
		p = strchr(p, ' ');
	}
	return 0;
}

/*
 * The linked discounts (组合优惠) of bid 'ob' on lot 'lot' (index k)
 * that apply when lot m goes to bidder who[m] (NULL: nobody): each
 * <linked-discount lot=LOT if-won="A B" percent=> whose if-won lots all
 * go to this bidder, LOT itself too when 'self' (the award plan; the
 * discounted evaluation asks about the other lots only).  Adds up
 * price * percent / 100, each rounded half-up to the fen, into *amount;
 * when 'out' is not NULL, one <discount if-won percent amount/> per
 * discount applied.
 */
static int
lot_discounts(const struct rules *r, const struct eb_doc *ob, size_t k,
    int64_t price, const char *const *who, int self, int64_t *amount,
    struct eb_doc *out, struct eb_error *err)
{
	const char *me = eb_doc_attr(ob, "bidder");
	const struct eb_doc *d;
	size_t m;

	*amount = 0;
	if (self && (who[k] == NULL || strcmp(who[k], me) != 0))
		return EB_OK;
	eb_doc_foreach(d, eb_doc_path(ob, "bid/lots"), "linked-discount") {
		const char *lot = eb_doc_attr(d, "lot");
		const char *won = eb_doc_attr(d, "if-won");
		int64_t pct, amt;
		int all = won != NULL && *won != '\0';

		if (lot == NULL || strcmp(lot, r->lots[k].id) != 0 || !all)
			continue;
		for (m = 0; m < r->nlots && all; m++)
			if (in_list(won, r->lots[m].id) && (m == k ||
			    who[m] == NULL || strcmp(who[m], me) != 0))
				all = 0;
		if (!all)
			continue;
		if (eb_fix_parse(eb_doc_attr(d, "percent"), &pct) != EB_OK ||
		    pct <= 0 || pct > 100 * EB_FIX_ONE)
			return eb_fail(err, EB_ERR_FORMAT, "bad-bid",
			    "A linked discount is a percent above 0, at most 100.",
			    "bid of %s: malformed linked-discount on lot %s",
			    me, lot);
		if (eb_round_div((__int128)price * pct,
		    (__int128)100 * EB_FIX_ONE, EB_ROUND_HALF_UP, &amt) != EB_OK ||
		    __builtin_add_overflow(*amount, amt, amount))
			return overflow(err);
		if (out != NULL) {
			struct eb_doc *x = eb_doc_add(out, "discount");
			char a[EB_FIX_TEXT];

			eb_doc_set_attr(x, "if-won", won);
			eb_doc_set_attr(x, "percent", eb_fix_format(pct, 4, a));
			eb_doc_set_attr_i64(x, "amount", amt);
		}
	}
	if (*amount > price)
		*amount = price;
	return EB_OK;
}

/* A sheet as one lot sees it: scores, compliance votes and explanations
 * of the lot's scored bids only. */
static struct eb_doc *
lot_sheet(const struct eb_doc *sheet, const char *const *scored, size_t n)
{
	struct eb_doc *o = eb_doc_clone(sheet), *c, *next;
	size_t i;

	for (c = o->first; c != NULL; c = next) {
		const char *b = eb_doc_attr(c, "bid");
		int keep = b == NULL;

		next = c->next;
		for (i = 0; b != NULL && i < n; i++)
			if (strcmp(scored[i], b) == 0)
				keep = 1;
		if (!keep) {
			eb_doc_detach(c);
			eb_doc_free(c);
		}
	}
	return o;
}

/* What one lot's evaluation leaves for the award plan. */
struct lotres {
	struct eb_doc *res;             /* its <evaluation-result> or NULL */
	const char *failed;             /* why it has none */
	const char *cand[10];           /* its candidates, in rank order */
	size_t ncand;
	size_t nbids;                   /* bids that price the lot */
};

/*
 * Evaluate lot k on the bids that price it, each less disc[i] fen (the
 * discounted evaluation; NULL: none).  A lot priced by fewer than
 * min-bids bids, or with no valid bid, fails on its own (failed=);
 * anything else wrong stops the whole evaluation.
 */
static int
eval_lot(const struct eb_doc *rules, const struct rules *r, size_t k,
    const struct eb_doc *const *bids, size_t nbids, const int64_t *disc,
    const struct eb_doc *const *sheets, size_t nsheets,
    const uint8_t tie_seed[32], struct lotres *lr, struct eb_error *err)
{
	struct eb_doc **db = eb_calloc(nbids + 1, sizeof(*db));
	struct eb_doc **fs = eb_calloc(nsheets + 1, sizeof(*fs));
	const char **scored = eb_calloc(nbids + 1, sizeof(*scored));
	const struct eb_doc *c;
	size_t i, n = 0, ns = 0;
	int64_t price;
	int rc = EB_OK;

	memset(lr, 0, sizeof(*lr));
	for (i = 0; i < nbids; i++)
		if ((db[n] = lot_bid(bids[i], r->lots[k].id,
		    disc != NULL ? disc[i] : 0, &price)) != NULL)
			n++;
	lr->nbids = n;
	if ((int64_t)n < r->lot_min_bids) {
		lr->failed = "fewer-bids";
		goto out;
	}
	if ((rc = scored_one(r, (const struct eb_doc *const *)db, n, scored,
	    &ns, NULL, err)) != EB_OK)
		goto out;
	for (i = 0; i < nsheets; i++)
		fs[i] = lot_sheet(sheets[i], scored, ns);
	rc = eval_single(rules, (const struct eb_doc *const *)db, n,
	    (const struct eb_doc *const *)fs, nsheets, tie_seed, &lr->res,
	    err);
	if (rc == EB_ERR_RULE && strcmp(err != NULL ? err->reason : "",
	    "no-valid-bid") == 0) {
		lr->failed = "no-valid-bid";
		rc = EB_OK;
		goto out;
	}
	if (rc != EB_OK)
		goto out;
	eb_doc_set_attr(lr->res, "lot", r->lots[k].id);
	eb_doc_foreach(c, eb_doc_child(lr->res, "candidates"), "candidate")
		if (lr->ncand < sizeof(lr->cand) / sizeof(lr->cand[0]))
			lr->cand[lr->ncand++] = eb_doc_attr(c, "bidder");
out:
	for (i = 0; db != NULL && i < n; i++)
		eb_doc_free(db[i]);
	for (i = 0; fs != NULL && i < nsheets; i++)
		eb_doc_free(fs[i]);
	free(db);
	free(fs);
	free(scored);
	return rc;
}

/* The index in 'bids' of bidder 'who', or nbids. */
static size_t
bid_of(const struct eb_doc *const *bids, size_t nbids, const char *who)
{
	size_t i;

	for (i = 0; who != NULL && i < nbids; i++)
		if (strcmp(eb_doc_attr(bids[i], "bidder"), who) == 0)
			return i;
	return nbids;
}

/* The cost to the tenderer of giving lot m to who[m] (every lot that
 * has a winner): lot prices less the linked discounts that apply. */
static int
plan_cost(const struct rules *r, const struct eb_doc *const *bids,
    size_t nbids, const char *const *who, int64_t *cost,
    struct eb_error *err)
{
	size_t m, i;
	int64_t price, d;
	int rc;

	*cost = 0;
	for (m = 0; m < r->nlots; m++) {
		if (who[m] == NULL)
			continue;
		i = bid_of(bids, nbids, who[m]);
		if (i == nbids || eb_doc_child_i64(bid_lot(bids[i],
		    r->lots[m].id), "total-price", &price) != EB_OK)
			return eb_fail(err, EB_ERR_FORMAT, "bad-bid", NULL,
			    "lot %s: no price of %s", r->lots[m].id, who[m]);
		if ((rc = lot_discounts(r, bids[i], m, price, who, 1, &d, NULL,
		    err)) != EB_OK)
			return rc;
		if (__builtin_add_overflow(*cost, price - d, cost))
			return overflow(err);
	}
	return EB_OK;
}

/*
 * A tender in lots: each lot evaluated on its own (the same rules, the
 * lot's price), then the award plan: each lot to its first candidate
 * (award="separate"), or the combination of the lots' candidates that
 * costs the tenderer least once the linked discounts that combination
 * triggers are taken off (award="lowest-total"; ties: the smaller sum of
 * rank positions, then the earlier lots' better ranks).  With
 * evaluate="discounted" a bid's lot price in its lot's evaluation is
 * less the linked discounts of the lots it ranks first in on undiscounted
 * prices.
 */
static int
eval_lots(const struct eb_doc *rules, const struct rules *r,
    const struct eb_doc *const *bids, size_t nbids,
    const struct eb_doc *const *sheets, size_t nsheets,
    const uint8_t tie_seed[32], struct eb_doc **result, struct eb_error *err)
{
	struct lotres lr[EB_EVAL_MAX_LOTS];
	const char *who[EB_EVAL_MAX_LOTS], *best[EB_EVAL_MAX_LOTS];
	size_t pos[EB_EVAL_MAX_LOTS], k, i, nk = r->nlots;
	int64_t *disc = NULL, cost, best_cost = 0, sep_cost, sum, best_sum = 0;
	struct eb_doc *out = NULL, *le, *plan, *cands, *x;
	int rc = EB_OK, pass, any = 0, have = 0;

	memset(lr, 0, sizeof(lr));
	*result = NULL;
	if (nbids > EB_EVAL_MAX_BIDS)
		return eb_fail(err, EB_ERR_LIMIT, "too-many-bids", NULL,
		    "more than %d bids", EB_EVAL_MAX_BIDS);
	for (pass = 0; pass < (r->discounted ? 2 : 1); pass++) {
		for (k = 0; k < nk; k++)
			if ((rc = eval_lot(rules, r, k, bids, nbids,
			    disc != NULL ? disc + k * (nbids + 1) : NULL, sheets,
			    nsheets, tie_seed, &lr[k], err)) != EB_OK)
				goto out;
		if (pass == 1 || !r->discounted)
			break;
		/* the discounted evaluation: each bid's lot price less the
		 * linked discounts of the lots it won undiscounted */
		disc = eb_calloc(nk * (nbids + 1), sizeof(*disc));
		for (k = 0; k < nk; k++)
			who[k] = lr[k].ncand > 0 ? lr[k].cand[0] : NULL;
		for (k = 0; k < nk; k++) {
			int64_t price;

			for (i = 0; i < nbids; i++) {
				if (eb_doc_child_i64(bid_lot(bids[i],
				    r->lots[k].id), "total-price", &price) !=
				    EB_OK)
					continue;
				if ((rc = lot_discounts(r, bids[i], k, price,
				    who, 0, &disc[k * (nbids + 1) + i],
				    NULL, err)) != EB_OK)
					goto out;
			}
		}
		/* who[] borrows from the results: free them only now */
		for (k = 0; k < nk; k++) {
			eb_doc_free(lr[k].res);
			lr[k].res = NULL;
		}
	}
	out = eb_doc_new("evaluation-result");
	eb_doc_set_attr(out, "method", r->lep ? "lowest-evaluated-price" :
	    "comprehensive");
	eb_doc_set_attr_i64(out, "lots", (int64_t)nk);
	eb_doc_set_attr(out, "award", r->lowest_total ? "lowest-total" :
	    "separate");
	eb_doc_set_attr(out, "evaluate", r->discounted ? "discounted" :
	    "undiscounted");
	for (k = 0; k < nk; k++) {
		le = eb_doc_add(out, "lot");
		eb_doc_set_attr(le, "id", r->lots[k].id);
		eb_doc_set_attr(le, "name", r->lots[k].name);
		eb_doc_set_attr_i64(le, "bids", (int64_t)lr[k].nbids);
		if (lr[k].failed != NULL) {
			eb_doc_set_attr(le, "failed", lr[k].failed);
			continue;
		}
		if (disc != NULL)
			for (i = 0; i < nbids; i++)
				if (disc[k * (nbids + 1) + i] > 0) {
					x = eb_doc_add(le, "evaluated-discount");
					eb_doc_set_attr(x, "bidder",
					    eb_doc_attr(bids[i], "bidder"));
					eb_doc_set_attr_i64(x, "amount",
					    disc[k * (nbids + 1) + i]);
				}
		any = 1;
	}
	if (!any) {
		rc = eb_fail(err, EB_ERR_RULE, "no-valid-bid",
		    "The tender has failed for want of valid bids.",
		    "no lot has a bid to rank");
		goto out;
	}
	/* the award plan: separate, and with lowest-total every
	 * combination of the lots' candidates (odometer, first lot most
	 * significant) */
	for (k = 0; k < nk; k++) {
		pos[k] = 0;
		who[k] = lr[k].ncand > 0 ? lr[k].cand[0] : NULL;
	}
	if ((rc = plan_cost(r, bids, nbids, who, &sep_cost, err)) != EB_OK)
		goto out;
	best_cost = sep_cost;
	memcpy(best, who, sizeof(best));
	for (;;) {
		if (r->lowest_total) {
			sum = 0;
			for (k = 0; k < nk; k++) {
				who[k] = lr[k].ncand > 0 ? lr[k].cand[pos[k]] :
				    NULL;
				sum += (int64_t)pos[k];
			}
			if ((rc = plan_cost(r, bids, nbids, who, &cost, err)) !=
			    EB_OK)
				goto out;
			if (!have || cost < best_cost || (cost == best_cost &&
			    sum < best_sum)) {
				best_cost = cost;
				best_sum = sum;
				memcpy(best, who, sizeof(best));
				have = 1;
			}
		}
		for (k = nk; k-- > 0;) {
			if (lr[k].ncand > 0 && ++pos[k] < lr[k].ncand)
				break;
			pos[k] = 0;
		}
		if (!r->lowest_total || k == (size_t)-1)
			break;
	}
	plan = eb_doc_add(out, "award-plan");
	eb_doc_set_attr(plan, "basis", r->lowest_total ? "lowest-total" :
	    "separate");
	eb_doc_set_attr_i64(plan, "cost", best_cost);
	eb_doc_set_attr_i64(plan, "separate-cost", sep_cost);
	for (k = 0; k < nk; k++) {
		int64_t price = 0, d = 0;
		size_t j;

		if (best[k] == NULL)
			continue;
		i = bid_of(bids, nbids, best[k]);
		(void)eb_doc_child_i64(bid_lot(bids[i], r->lots[k].id),
		    "total-price", &price);
		x = eb_doc_add(plan, "award");
		eb_doc_set_attr(x, "lot", r->lots[k].id);
		eb_doc_set_attr(x, "bidder", best[k]);
		for (j = 0; j < lr[k].ncand; j++)
			if (strcmp(lr[k].cand[j], best[k]) == 0)
				eb_doc_set_attr_i64(x, "position",
				    (int64_t)j + 1);
		eb_doc_set_attr_i64(x, "price", price);
		if ((rc = lot_discounts(r, bids[i], k, price, best, 1, &d, x,
		    err)) != EB_OK)
			goto out;
		eb_doc_set_attr_i64(x, "discount", d);
		eb_doc_set_attr_i64(x, "cost", price - d);
	}
	/* each lot's result, and its candidates for the publicity */
	cands = eb_doc_new("candidates");
	for (k = 0, le = eb_doc_child(out, "lot"); k < nk;
	    k++, le = eb_doc_next(le, "lot")) {
		const struct eb_doc *c;

		if (lr[k].res == NULL)
			continue;
		eb_doc_foreach(c, eb_doc_child(lr[k].res, "candidates"),
		    "candidate") {
			x = eb_doc_add(cands, "candidate");
			eb_doc_set_attr(x, "lot", r->lots[k].id);
			eb_doc_set_attr(x, "position",
			    eb_doc_attr(c, "position"));
			eb_doc_set_attr(x, "bidder", eb_doc_attr(c, "bidder"));
		}
		eb_doc_append(le, lr[k].res);
		lr[k].res = NULL;
	}
	eb_doc_append(out, cands);
	*result = out;
	out = NULL;
out:
	for (k = 0; k < nk; k++)
		eb_doc_free(lr[k].res);
	eb_doc_free(out);
	free(disc);
	return rc;
}

int
eb_evaluation_result(const struct eb_doc *rules,
    const struct eb_doc *const *bids, size_t nbids,
    const struct eb_doc *const *sheets, size_t nsheets,
    const uint8_t tie_seed[32], struct eb_doc **result, struct eb_error *err)
{
	struct rules *r = eb_malloc(sizeof(*r));
	int rc;

	*result = NULL;
	if ((rc = parse_rules(rules, r, err)) == EB_OK)
		rc = r->nlots == 0 ? eval_single(rules, bids, nbids, sheets,
		    nsheets, tie_seed, result, err) : eval_lots(rules, r, bids,
		    nbids, sheets, nsheets, tie_seed, result, err);
	free(r);
	return rc;
}

int
eb_evaluation_draw_coefficient(const struct eb_doc *rules,
    const uint8_t seed[32], int64_t *k, size_t *index, struct eb_error *err)
{
	const struct eb_doc *root = rules_root(rules), *f, *c;
	struct eb_draw_stream st;
	size_t n, i = 0, pick;

	f = root ? eb_doc_child(root, "price-formula") : NULL;
	n = f ? eb_doc_count(f, "coefficient") : 0;
	if (n == 0)
		return eb_fail(err, EB_ERR_NOTFOUND, "no-coefficients",
		    "List <coefficient>s in the price formula to draw one.",
		    "the rules list no benchmark coefficient");
	if (n > MAX_COEFFICIENTS)
		return bad_rules(err, "too many coefficients", f->name);
	eb_draw_stream_init(&st, seed);
	pick = (size_t)eb_draw_uniform(&st, n);
	eb_doc_foreach(c, f, "coefficient") {
		if (i++ != pick)
			continue;
		if (eb_fix_parse(eb_doc_text(c), k) != EB_OK || *k <= 0)
			return bad_rules(err, "a coefficient is malformed",
			    f->name);
		*index = pick;
		return EB_OK;
	}
	return EB_ERR_INTERNAL;
}
