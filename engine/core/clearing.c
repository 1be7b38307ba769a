/*
 * engine/core/clearing.c
 *    Automatic bid clearing (清标): completeness, bill-of-quantities
 *    arithmetic, ceiling price, abnormally low prices, unbalanced pricing
 *    and signs of collusion, written as a <clearing-report> tree.
 *
 * Owner: the clearing engineer.  The rules, their defaults and the exact
 * arithmetic are documented in docs/clearing.md; keep the two in step.
 *
 * Invariants:
 *  - pure and deterministic: no I/O, no clock, no floating point; ratios
 *    are compared by cross-multiplication in 128-bit integers (exact), and
 *    printed figures are fixed-point decimals with a stated rounding;
 *  - bids are processed sorted by party id, so the input order of the
 *    bids never changes the output;
 *  - a bid is "invalid" exactly when a finding of severity "invalid" names
 *    it (bid-format, completeness except a missing line, ceiling-price);
 *    the abnormal-price and unbalanced-pricing rules look at valid bids
 *    only, the collusion rules at every bid that could be read.
 *
 * INTERFACE (engine/core/clearing.h)
 *    eb_clearing_run(), eb_clearing_rule_name()
 *
 * Pure: libc, protocol/doc.h, protocol/hash.h (rules digest).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/core/bid.h"
#include "engine/core/clearing.h"
#include "protocol/hash.h"
#include "protocol/mem.h"

/* 128-bit intermediate for exact cross-multiplication (gcc and clang). */
__extension__ typedef __int128 wide;

#define SEV_INVALID "invalid"
#define SEV_EXPLAIN "needs-explanation"
#define SEV_NOTE    "note"

static const char *const rule_names[EB_CR_COUNT] = {
	"bid-format", "completeness", "arithmetic-line", "arithmetic-total",
	"ceiling-price", "low-vs-mean", "low-vs-next", "cost-floor",
	"unbalanced-vs-control", "unbalanced-vs-average", "similar-technical",
	"same-fingerprint", "same-metadata", "same-errors",
	"same-unusual-price", "price-progression", "price-band",
	"same-contact",
};

const char *
eb_clearing_rule_name(int rule)
{
	if (rule < 0 || rule >= EB_CR_COUNT)
		return NULL;
	return rule_names[rule];
}

enum ref_mode { REF_CONTROL_OR_AVERAGE, REF_CONTROL, REF_AVERAGE, REF_BOTH };

struct ctl {
	const char *code;
	int64_t price;
	int has_price;
};

struct rules {
	const char *tender;             /* NULL: taken from the bids */
	int has_ceiling, has_floor;
	int64_t ceiling, floor;
	int64_t low_mean, low_next, band, sim, shingle, pband, pband_min;
	int64_t round_fen;
	int ref;
	const char **sections, **decls, **docs;
	size_t nsections, ndecls, ndocs;
	struct ctl *ctl;                /* sorted by code */
	size_t nctl;
};

struct entry {
	const char *party, *org;
	const struct eb_doc *doc;       /* the <bid> element */
	struct eb_bid *bid;             /* NULL when eb_bid_from_doc refused */
	struct eb_error perr;
	int invalid;
	int64_t corrected;              /* sum of corrected line amounts */
	const struct eb_bid_line **by_code;  /* lines sorted by code */
	uint64_t *sh;                   /* sorted unique shingle hashes */
	size_t nsh;
	char *errkey;                   /* codes of erroneous lines */
	int nfind;
};

struct finding {
	int rule;
	size_t seq;
	const char *first;              /* party of the first bidder */
	struct eb_doc *d;
};

struct run {
	struct rules r;
	struct entry *e;
	size_t n;
	struct finding *f;
	size_t nf, cap;
};

/* protocol/mem.h: OOM aborts, as everywhere */
#define xcalloc eb_calloc

/* ---- figures ------------------------------------------------------- */

/*
 * 100 * num / den as a decimal with 2 fraction digits, the magnitude
 * rounded half up (so -12.345 -> "-12.35"), den > 0.
 */
static void
fmt_pct(char *buf, size_t sz, wide num, wide den)
{
	wide a = num < 0 ? -num : num, v, q, r;

	v = a * 10000;
	q = v / den;
	r = v % den;
	if (2 * r >= den)
		q++;
	snprintf(buf, sz, "%s%lld.%02lld", (num < 0 && q != 0) ? "-" : "",
	    (long long)(q / 100), (long long)(q % 100));
}

/* sum / n rounded half up to a whole fen (sum >= 0, n > 0). */
static int64_t
mean_fen(wide sum, wide n)
{
	return (int64_t)((2 * sum + n) / (2 * n));
}

static void
fmt_qty(char *buf, size_t sz, int64_t milli)
{
	int64_t f = milli % 1000;

	if (f == 0)
		snprintf(buf, sz, "%lld", (long long)(milli / 1000));
	else if (f % 100 == 0)
		snprintf(buf, sz, "%lld.%01lld", (long long)(milli / 1000),
		    (long long)(f / 100));
	else if (f % 10 == 0)
		snprintf(buf, sz, "%lld.%02lld", (long long)(milli / 1000),
		    (long long)(f / 10));
	else
		snprintf(buf, sz, "%lld.%03lld", (long long)(milli / 1000),
		    (long long)f);
}

/* ---- findings ------------------------------------------------------ */

/* A new finding naming the bidders who[0..nwho) (indexes, ascending). */
static struct eb_doc *
add_finding(struct run *run, int rule, const char *severity,
    const size_t *who, size_t nwho)
{
	struct eb_doc *d = eb_doc_new("finding"), *b;
	size_t i;

	eb_doc_set_attr(d, "rule", rule_names[rule]);
	eb_doc_set_attr(d, "severity", severity);
	for (i = 0; i < nwho; i++) {
		struct entry *e = &run->e[who[i]];

		b = eb_doc_add(d, "bidder");
		eb_doc_set_attr(b, "party", e->party);
		if (e->org != NULL)
			eb_doc_set_attr(b, "org", e->org);
		e->nfind++;
		if (strcmp(severity, SEV_INVALID) == 0)
			e->invalid = 1;
	}
	if (run->nf == run->cap) {
		run->cap = run->cap ? 2 * run->cap : 32;
		run->f = eb_realloc(run->f, run->cap * sizeof(*run->f));
	}
	run->f[run->nf].rule = rule;
	run->f[run->nf].seq = run->nf;
	run->f[run->nf].first = nwho ? run->e[who[0]].party : "";
	run->f[run->nf].d = d;
	run->nf++;
	return d;
}

static struct eb_doc *
add_finding1(struct run *run, int rule, const char *severity, size_t who)
{
	return add_finding(run, rule, severity, &who, 1);
}

static int
cmp_finding(const void *a, const void *b)
{
	const struct finding *x = a, *y = b;
	int c;

	if (x->rule != y->rule)
		return x->rule < y->rule ? -1 : 1;
	if ((c = strcmp(x->first, y->first)) != 0)
		return c;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

/* ---- rules --------------------------------------------------------- */

static int
rule_num(const struct eb_doc *rd, const char *name, int64_t dflt,
    int64_t lo, int64_t hi, int64_t *out, int *present,
    struct eb_error *err)
{
	int64_t v = 0;
	int rc;

	if (present != NULL)
		*present = 0;
	*out = dflt;
	if (rd == NULL)
		return EB_OK;
	rc = eb_doc_child_i64(rd, name, &v);
	if (rc == EB_ERR_NOTFOUND)
		return EB_OK;
	if (rc != EB_OK || v < lo || v > hi)
		return eb_fail(err, EB_ERR_FORMAT, "clearing-bad-rule",
		    "Correct the tender's clearing rules; every threshold and "
		    "its range is listed in docs/clearing.md.",
		    "clearing-rules: <%s> must be an integer from %lld to %lld",
		    name, (long long)lo, (long long)hi);
	*out = v;
	if (present != NULL)
		*present = 1;
	return EB_OK;
}

/* The attribute 'attr' of every child 'child' of <list>. */
static int
rule_list(const struct eb_doc *rd, const char *list, const char *child,
    const char *attr, const char ***out, size_t *n, struct eb_error *err)
{
	const struct eb_doc *l = rd ? eb_doc_child(rd, list) : NULL, *c;
	size_t cnt, i = 0;

	*n = 0;
	if (l == NULL)
		return EB_OK;
	cnt = eb_doc_count(l, child);
	if (cnt > EB_BID_MAX_ITEMS)
		return eb_fail(err, EB_ERR_FORMAT, "clearing-bad-rule",
		    "List at most 200 required items.",
		    "clearing-rules: too many <%s> in <%s>", child, list);
	*out = xcalloc(cnt, sizeof(**out));
	eb_doc_foreach(c, l, child) {
		const char *v = eb_doc_attr(c, attr);

		if (v == NULL || *v == '\0')
			return eb_fail(err, EB_ERR_FORMAT, "clearing-bad-rule",
			    "Name every required item.",
			    "clearing-rules: a <%s> in <%s> has no %s", child,
			    list, attr);
		(*out)[i++] = v;
		*n = i;
	}
	return EB_OK;
}

static int
cmp_ctl(const void *a, const void *b)
{
	return strcmp(((const struct ctl *)a)->code,
	    ((const struct ctl *)b)->code);
}

static const struct ctl *
find_ctl(const struct rules *r, const char *code)
{
	struct ctl key = { code, 0, 0 };

	if (r->nctl == 0)
		return NULL;
	return bsearch(&key, r->ctl, r->nctl, sizeof(*r->ctl), cmp_ctl);
}

static int
parse_rules(const struct eb_doc *rd, struct rules *r, struct eb_error *err)
{
	const struct eb_doc *cp, *c;
	const char *v;
	size_t cnt, i = 0;
	int rc;

	if (rd != NULL && (rd->name == NULL ||
	    strcmp(rd->name, "clearing-rules") != 0))
		return eb_fail(err, EB_ERR_FORMAT, "clearing-bad-rule",
		    "Pass the tender's <clearing-rules> element.",
		    "clearing: the rules document is not <clearing-rules>");
	r->tender = rd ? eb_doc_attr(rd, "tender") : NULL;
	if ((rc = rule_num(rd, "ceiling-price", 0, 0, EB_BID_MAX_FEN,
	    &r->ceiling, &r->has_ceiling, err)) != EB_OK ||
	    (rc = rule_num(rd, "cost-floor", 0, 0, EB_BID_MAX_FEN,
	    &r->floor, &r->has_floor, err)) != EB_OK ||
	    (rc = rule_num(rd, "low-vs-mean-percent",
	    EB_CLEARING_LOW_VS_MEAN_PERCENT, 0, 100, &r->low_mean, NULL,
	    err)) != EB_OK ||
	    (rc = rule_num(rd, "low-vs-next-percent",
	    EB_CLEARING_LOW_VS_NEXT_PERCENT, 0, 100, &r->low_next, NULL,
	    err)) != EB_OK ||
	    (rc = rule_num(rd, "unbalanced-band-percent",
	    EB_CLEARING_UNBALANCED_BAND_PERCENT, 0, 1000, &r->band, NULL,
	    err)) != EB_OK ||
	    (rc = rule_num(rd, "similarity-threshold",
	    EB_CLEARING_SIMILARITY_PER_MILLE, 1, 1000, &r->sim, NULL,
	    err)) != EB_OK ||
	    (rc = rule_num(rd, "shingle-size", EB_CLEARING_SHINGLE_SIZE, 1, 32,
	    &r->shingle, NULL, err)) != EB_OK ||
	    (rc = rule_num(rd, "price-band-per-mille",
	    EB_CLEARING_PRICE_BAND_PER_MILLE, 0, 1000, &r->pband, NULL,
	    err)) != EB_OK ||
	    (rc = rule_num(rd, "price-band-min-bids",
	    EB_CLEARING_PRICE_BAND_MIN_BIDS, 2, EB_CLEARING_MAX_BIDS,
	    &r->pband_min, NULL, err)) != EB_OK ||
	    (rc = rule_num(rd, "unusual-price-round-fen",
	    EB_CLEARING_UNUSUAL_ROUND_FEN, 0, EB_BID_MAX_FEN, &r->round_fen,
	    NULL, err)) != EB_OK)
		return rc;
	r->ref = REF_CONTROL_OR_AVERAGE;
	if (rd != NULL && (v = eb_doc_child_text(rd, "unbalanced-reference"))
	    != NULL) {
		if (strcmp(v, "control-or-average") == 0)
			r->ref = REF_CONTROL_OR_AVERAGE;
		else if (strcmp(v, "control") == 0)
			r->ref = REF_CONTROL;
		else if (strcmp(v, "average") == 0)
			r->ref = REF_AVERAGE;
		else if (strcmp(v, "both") == 0)
			r->ref = REF_BOTH;
		else
			return eb_fail(err, EB_ERR_FORMAT, "clearing-bad-rule",
			    "Use control-or-average, control, average or both.",
			    "clearing-rules: unknown <unbalanced-reference>");
	}
	if ((rc = rule_list(rd, "required-sections", "section", "name",
	    &r->sections, &r->nsections, err)) != EB_OK ||
	    (rc = rule_list(rd, "required-declarations", "declaration", "ref",
	    &r->decls, &r->ndecls, err)) != EB_OK ||
	    (rc = rule_list(rd, "required-documents", "document", "name",
	    &r->docs, &r->ndocs, err)) != EB_OK)
		return rc;

	cp = rd ? eb_doc_child(rd, "control-prices") : NULL;
	if (cp == NULL)
		return EB_OK;
	cnt = eb_doc_count(cp, "control-price");
	if (cnt > EB_BID_MAX_LINES)
		return eb_fail(err, EB_ERR_FORMAT, "clearing-bad-rule",
		    "A bill of quantities may have at most 2000 lines.",
		    "clearing-rules: too many <control-price>");
	r->ctl = xcalloc(cnt, sizeof(*r->ctl));
	eb_doc_foreach(c, cp, "control-price") {
		struct ctl *k = &r->ctl[i++];
		int64_t p = 0;

		r->nctl = i;
		k->code = eb_doc_attr(c, "code");
		if (k->code == NULL || *k->code == '\0')
			return eb_fail(err, EB_ERR_FORMAT, "clearing-bad-rule",
			    "Give every control price its line code.",
			    "clearing-rules: a <control-price> has no code");
		rc = eb_doc_attr_i64(c, "unit-price", &p);
		if (rc == EB_OK && p >= 0 && p <= EB_BID_MAX_FEN) {
			k->price = p;
			k->has_price = 1;
		} else if (rc != EB_ERR_NOTFOUND)
			return eb_fail(err, EB_ERR_FORMAT, "clearing-bad-rule",
			    "Write control prices as whole fen.",
			    "clearing-rules: bad unit-price for code %.64s",
			    k->code);
	}
	qsort(r->ctl, r->nctl, sizeof(*r->ctl), cmp_ctl);
	for (i = 1; i < r->nctl; i++)
		if (strcmp(r->ctl[i].code, r->ctl[i - 1].code) == 0)
			return eb_fail(err, EB_ERR_FORMAT, "clearing-bad-rule",
			    "List each line code once in <control-prices>.",
			    "clearing-rules: code %.64s listed twice",
			    r->ctl[i].code);
	return EB_OK;
}

static void
free_rules(struct rules *r)
{
	free(r->sections);
	free(r->decls);
	free(r->docs);
	free(r->ctl);
}

/* ---- per-bid lookups ----------------------------------------------- */

static int
cmp_line_ptr_code(const void *a, const void *b)
{
	return strcmp((*(const struct eb_bid_line *const *)a)->code,
	    (*(const struct eb_bid_line *const *)b)->code);
}

static const struct eb_bid_line *
find_line(const struct entry *e, const char *code)
{
	struct eb_bid_line key;
	const struct eb_bid_line *kp = &key, *const *hit;

	key.code = (char *)code;
	hit = bsearch(&kp, e->by_code, e->bid->nlines, sizeof(*e->by_code),
	    cmp_line_ptr_code);
	return hit ? *hit : NULL;
}

static int
has_text(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return 1;
	return 0;
}

static int
has_item(const struct eb_bid_item *it, size_t n, const char *key, int text)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(it[i].key, key) == 0 && (!text ||
		    has_text(it[i].text)))
			return 1;
	return 0;
}

/* ---- completeness, arithmetic, ceiling ----------------------------- */

static void
missing(struct run *run, size_t i, const char *kind, const char *item,
    const char *sev, const char *what)
{
	struct eb_doc *f = add_finding1(run, EB_CR_COMPLETENESS, sev, i);
	char msg[640];

	eb_doc_set_attr(f, "kind", kind);
	eb_doc_set_attr(f, "item", item);
	snprintf(msg, sizeof(msg), "%s %.500s is missing.", what, item);
	eb_doc_add_text(f, "detail", msg);
}

static void
check_completeness(struct run *run, size_t i, const char *tender)
{
	const struct entry *e = &run->e[i];
	const struct rules *r = &run->r;
	size_t k;

	if (tender != NULL && strcmp(e->bid->tender, tender) != 0) {
		struct eb_doc *f = add_finding1(run, EB_CR_COMPLETENESS,
		    SEV_INVALID, i);

		eb_doc_set_attr(f, "kind", "tender");
		eb_doc_set_attr(f, "item", e->bid->tender);
		eb_doc_add_text(f, "detail",
		    "The bid names another tender than the one cleared.");
	}
	for (k = 0; k < r->nsections; k++)
		if (!has_item(e->bid->sections, e->bid->nsections,
		    r->sections[k], 1))
			missing(run, i, "section", r->sections[k], SEV_INVALID,
			    "Required section");
	for (k = 0; k < r->ndecls; k++)
		if (!has_item(e->bid->declarations, e->bid->ndeclarations,
		    r->decls[k], 1))
			missing(run, i, "declaration", r->decls[k], SEV_INVALID,
			    "Required qualification declaration");
	for (k = 0; k < r->ndocs; k++)
		if (!has_item(e->bid->documents, e->bid->ndocuments,
		    r->docs[k], 0))
			missing(run, i, "document", r->docs[k], SEV_INVALID,
			    "Required document");
	for (k = 0; k < r->nctl; k++)
		if (find_line(e, r->ctl[k].code) == NULL)
			missing(run, i, "line", r->ctl[k].code, SEV_EXPLAIN,
			    "Bill-of-quantities line");
}

static void
check_arithmetic(struct run *run, size_t i)
{
	struct entry *e = &run->e[i];
	const struct eb_bid *b = e->bid;
	size_t k, keylen = 1, pos;
	char q[32], msg[256];

	e->corrected = 0;
	for (k = 0; k < b->nlines; k++)
		keylen += strlen(b->lines[k].code) + 1;
	e->errkey = xcalloc(keylen, 1);
	/* errkey: codes of the wrong lines, in code order, '\n'-joined */
	for (k = 0, pos = 0; k < b->nlines; k++) {
		const struct eb_bid_line *l = e->by_code[k];
		size_t n = strlen(l->code);

		if (l->total != eb_bid_line_amount(l)) {
			memcpy(e->errkey + pos, l->code, n);
			e->errkey[pos + n] = '\n';
			pos += n + 1;
		}
	}
	for (k = 0; k < b->nlines; k++) {
		const struct eb_bid_line *l = &b->lines[k];
		int64_t c = eb_bid_line_amount(l);
		struct eb_doc *f;

		e->corrected += c;
		if (l->total == c)
			continue;
		f = add_finding1(run, EB_CR_ARITHMETIC_LINE, SEV_EXPLAIN, i);
		fmt_qty(q, sizeof(q), l->quantity_milli);
		eb_doc_set_attr_i64(f, "line-no", l->no);
		eb_doc_set_attr(f, "code", l->code);
		eb_doc_set_attr(f, "quantity", q);
		eb_doc_set_attr_i64(f, "unit-price", l->unit_price);
		eb_doc_set_attr_i64(f, "submitted", l->total);
		eb_doc_set_attr_i64(f, "corrected", c);
		eb_doc_set_attr_i64(f, "difference", l->total - c);
		snprintf(msg, sizeof(msg), "Line %lld: quantity x unit price "
		    "is %lld fen, the bid wrote %lld fen; the unit price "
		    "prevails.", (long long)l->no, (long long)c,
		    (long long)l->total);
		eb_doc_add_text(f, "detail", msg);
	}
	if (e->corrected != b->total_price) {
		struct eb_doc *f = add_finding1(run, EB_CR_ARITHMETIC_TOTAL,
		    SEV_EXPLAIN, i);

		eb_doc_set_attr_i64(f, "submitted", b->total_price);
		eb_doc_set_attr_i64(f, "corrected", e->corrected);
		eb_doc_set_attr_i64(f, "difference",
		    b->total_price - e->corrected);
		eb_doc_add_text(f, "detail", "The total price differs from "
		    "the sum of the corrected line totals; the corrected total "
		    "is the evaluated price.");
	}
}

static void
check_ceiling(struct run *run, size_t i)
{
	const struct entry *e = &run->e[i];
	int64_t hi = e->bid->total_price > e->corrected ?
	    e->bid->total_price : e->corrected;
	struct eb_doc *f;

	if (!run->r.has_ceiling || hi <= run->r.ceiling)
		return;
	f = add_finding1(run, EB_CR_CEILING_PRICE, SEV_INVALID, i);
	eb_doc_set_attr_i64(f, "submitted", e->bid->total_price);
	eb_doc_set_attr_i64(f, "corrected", e->corrected);
	eb_doc_set_attr_i64(f, "ceiling-price", run->r.ceiling);
	eb_doc_set_attr_i64(f, "excess", hi - run->r.ceiling);
	eb_doc_add_text(f, "detail",
	    "The price is above the ceiling price of the tender.");
}

/* ---- abnormally low prices ----------------------------------------- */

static int
usable(const struct entry *e)
{
	return e->bid != NULL && !e->invalid;
}

static void
check_low(struct run *run)
{
	const struct rules *r = &run->r;
	wide sum = 0;
	size_t i, nvalid = 0, lo = SIZE_MAX, next = SIZE_MAX;
	char pct[48];

	for (i = 0; i < run->n; i++)
		if (usable(&run->e[i])) {
			sum += run->e[i].corrected;
			nvalid++;
		}
	for (i = 0; i < run->n; i++) {
		const struct entry *e = &run->e[i];
		wide s, n, p;
		struct eb_doc *f;

		if (!usable(e))
			continue;
		/* lowest and next (ties: lower party id first) */
		if (lo == SIZE_MAX || e->corrected < run->e[lo].corrected) {
			next = lo;
			lo = i;
		} else if (next == SIZE_MAX ||
		    e->corrected < run->e[next].corrected)
			next = i;
		if (r->has_floor && e->corrected < r->floor) {
			f = add_finding1(run, EB_CR_COST_FLOOR, SEV_EXPLAIN, i);
			eb_doc_set_attr_i64(f, "price", e->corrected);
			eb_doc_set_attr_i64(f, "cost-floor", r->floor);
			eb_doc_set_attr_i64(f, "shortfall",
			    r->floor - e->corrected);
			eb_doc_add_text(f, "detail", "The evaluated price is "
			    "below the cost floor of the tender.");
		}
		/* below the mean of the others by >= low_mean percent:
		 * (S - nP) / S >= pct / 100  <=>  100 (S - nP) >= pct S */
		if (r->low_mean == 0 || nvalid < 2)
			continue;
		s = sum - e->corrected;
		n = (wide)(nvalid - 1);
		p = e->corrected;
		if (s <= 0 || 100 * (s - n * p) < (wide)r->low_mean * s)
			continue;
		f = add_finding1(run, EB_CR_LOW_VS_MEAN, SEV_EXPLAIN, i);
		fmt_pct(pct, sizeof(pct), s - n * p, s);
		eb_doc_set_attr_i64(f, "price", e->corrected);
		eb_doc_set_attr_i64(f, "mean-of-others", mean_fen(s, n));
		eb_doc_set_attr_i64(f, "others", (int64_t)n);
		eb_doc_set_attr(f, "percent-below", pct);
		eb_doc_set_attr_i64(f, "threshold-percent", r->low_mean);
		eb_doc_add_text(f, "detail", "The evaluated price is abnormally "
		    "low against the mean of the other valid bids; the bidder "
		    "must explain it.");
	}
	/* the lowest against the next: 100 (N - L) >= pct N */
	if (r->low_next != 0 && lo != SIZE_MAX && next != SIZE_MAX) {
		wide l = run->e[lo].corrected, nx = run->e[next].corrected;
		struct eb_doc *f;

		if (nx > 0 && 100 * (nx - l) >= (wide)r->low_next * nx) {
			f = add_finding1(run, EB_CR_LOW_VS_NEXT, SEV_EXPLAIN, lo);
			fmt_pct(pct, sizeof(pct), nx - l, nx);
			eb_doc_set_attr_i64(f, "price", (int64_t)l);
			eb_doc_set_attr_i64(f, "next-price", (int64_t)nx);
			eb_doc_set_attr(f, "next-bidder", run->e[next].party);
			eb_doc_set_attr(f, "percent-below", pct);
			eb_doc_set_attr_i64(f, "threshold-percent", r->low_next);
			eb_doc_add_text(f, "detail", "The lowest evaluated price "
			    "is abnormally low against the next bid; the bidder "
			    "must explain it.");
		}
	}
}

/* ---- unbalanced pricing -------------------------------------------- */

struct agg {
	const char *code;
	wide sum;
	int64_t n;
};

static int
cmp_agg(const void *a, const void *b)
{
	return strcmp(((const struct agg *)a)->code,
	    ((const struct agg *)b)->code);
}

/* u against reference sum/n: flag when 100 |n u - sum| > band sum. */
static void
unbalanced(struct run *run, size_t i, const struct eb_bid_line *l, int rule,
    wide sum, wide n, int64_t others)
{
	wide dev = n * l->unit_price - sum, a = dev < 0 ? -dev : dev;
	struct eb_doc *f;
	char pct[48], msg[256];

	if (100 * a <= (wide)run->r.band * sum)
		return;
	f = add_finding1(run, rule, SEV_EXPLAIN, i);
	eb_doc_set_attr_i64(f, "line-no", l->no);
	eb_doc_set_attr(f, "code", l->code);
	eb_doc_set_attr_i64(f, "unit-price", l->unit_price);
	eb_doc_set_attr_i64(f, rule == EB_CR_UNBALANCED_VS_CONTROL ?
	    "control-price" : "average-of-others", mean_fen(sum, n));
	if (others > 0)
		eb_doc_set_attr_i64(f, "others", others);
	if (sum > 0) {
		fmt_pct(pct, sizeof(pct), dev, sum);
		eb_doc_set_attr(f, "deviation-percent", pct);
	}
	eb_doc_set_attr_i64(f, "band-percent", run->r.band);
	snprintf(msg, sizeof(msg), "Line %lld: the unit price is %s the "
	    "band around the %s.", (long long)l->no, dev > 0 ? "above" :
	    "below", rule == EB_CR_UNBALANCED_VS_CONTROL ? "control price" :
	    "average of the other valid bids");
	eb_doc_add_text(f, "detail", msg);
}

static void
check_unbalanced(struct run *run)
{
	struct agg *ag = NULL;
	size_t i, k, na = 0, cap = 0, m;

	for (i = 0; i < run->n; i++)
		if (usable(&run->e[i]))
			cap += run->e[i].bid->nlines;
	ag = xcalloc(cap, sizeof(*ag));
	for (i = 0; i < run->n; i++) {
		if (!usable(&run->e[i]))
			continue;
		for (k = 0; k < run->e[i].bid->nlines; k++) {
			ag[na].code = run->e[i].bid->lines[k].code;
			ag[na].sum = run->e[i].bid->lines[k].unit_price;
			ag[na].n = 1;
			na++;
		}
	}
	qsort(ag, na, sizeof(*ag), cmp_agg);
	for (i = 0, m = 0; i < na; i++) {     /* merge equal codes */
		if (m > 0 && strcmp(ag[m - 1].code, ag[i].code) == 0) {
			ag[m - 1].sum += ag[i].sum;
			ag[m - 1].n += ag[i].n;
		} else
			ag[m++] = ag[i];
	}
	na = m;
	for (i = 0; i < run->n; i++) {
		const struct entry *e = &run->e[i];

		if (!usable(e))
			continue;
		for (k = 0; k < e->bid->nlines; k++) {
			const struct eb_bid_line *l = &e->bid->lines[k];
			const struct ctl *c = find_ctl(&run->r, l->code);
			int has_ctl = c != NULL && c->has_price;
			struct agg key = { l->code, 0, 0 }, *a;

			if (has_ctl && run->r.ref != REF_AVERAGE)
				unbalanced(run, i, l, EB_CR_UNBALANCED_VS_CONTROL,
				    c->price, 1, 0);
			if (run->r.ref == REF_CONTROL || (has_ctl &&
			    run->r.ref == REF_CONTROL_OR_AVERAGE))
				continue;
			a = bsearch(&key, ag, na, sizeof(*ag), cmp_agg);
			if (a == NULL || a->n < 2)
				continue;       /* no other bid priced it */
			unbalanced(run, i, l, EB_CR_UNBALANCED_VS_AVERAGE,
			    a->sum - l->unit_price, a->n - 1, a->n - 1);
		}
	}
	free(ag);
}

/* ---- collusion: text similarity ------------------------------------ */

/* Decode one UTF-8 code point at s[0..n); returns the bytes used (>= 1).
 * A malformed byte decodes to 0x110000 + byte (outside Unicode). */
static size_t
utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t c = s[0];
	size_t len, k;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 :
	    (c & 0xF8) == 0xF0 ? 4 : 0;
	if (len == 0 || len > n)
		goto bad;
	c &= 0x3F >> (len - 1);
	for (k = 1; k < len; k++) {
		if ((s[k] & 0xC0) != 0x80)
			goto bad;
		c = (c << 6) | (s[k] & 0x3F);
	}
	*cp = c;
	return len;
bad:
	*cp = 0x110000 + s[0];
	return 1;
}

/* Whitespace and punctuation (ASCII, general, CJK, full-width) are
 * dropped before shingling. */
static int
skip_cp(uint32_t c)
{
	if (c <= 0x20 || c == 0x7F || c == 0xA0 || c == 0xFEFF)
		return 1;
	if (c < 0x80)
		return !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		    (c >= 'A' && c <= 'Z'));
	return (c >= 0x2000 && c <= 0x206F) || (c >= 0x3000 && c <= 0x303F) ||
	    (c >= 0xFF01 && c <= 0xFF0F) || (c >= 0xFF1A && c <= 0xFF20) ||
	    (c >= 0xFF3B && c <= 0xFF40) || (c >= 0xFF5B && c <= 0xFF65);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* The sorted, unique 64-bit FNV-1a hashes of the k-code-point shingles. */
static void
shingles(struct entry *e, size_t k)
{
	const unsigned char *s = (const unsigned char *)e->bid->technical;
	size_t n = strlen(e->bid->technical), i = 0, m = 0, j, t, cnt, u;
	uint32_t *cp = xcalloc(n, sizeof(*cp)), c;

	while (i < n) {
		i += utf8_next(s + i, n - i, &c);
		if (skip_cp(c))
			continue;
		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		cp[m++] = c;
	}
	if (m == 0)
		goto out;
	cnt = m < k ? 1 : m - k + 1;
	e->sh = xcalloc(cnt, sizeof(*e->sh));
	for (j = 0; j < cnt; j++) {
		uint64_t h = UINT64_C(14695981039346656037);
		size_t end = m < k ? m : j + k;

		for (t = j; t < end; t++) {
			uint32_t x = cp[t];
			int b;

			for (b = 0; b < 4; b++) {
				h ^= (x >> (8 * b)) & 0xFF;
				h *= UINT64_C(1099511628211);
			}
		}
		e->sh[j] = h;
	}
	qsort(e->sh, cnt, sizeof(*e->sh), cmp_u64);
	for (j = 0, u = 0; j < cnt; j++)
		if (u == 0 || e->sh[u - 1] != e->sh[j])
			e->sh[u++] = e->sh[j];
	e->nsh = u;
out:
	free(cp);
}

static void
check_similarity(struct run *run)
{
	size_t i, j;

	for (i = 0; i < run->n; i++)
		if (run->e[i].bid != NULL)
			shingles(&run->e[i], (size_t)run->r.shingle);
	for (i = 0; i < run->n; i++)
		for (j = i + 1; j < run->n; j++) {
			const struct entry *a = &run->e[i], *b = &run->e[j];
			size_t x = 0, y = 0, inter = 0, uni, who[2] = { i, j };
			int64_t pm;
			struct eb_doc *f;

			if (a->nsh == 0 || b->nsh == 0)
				continue;
			while (x < a->nsh && y < b->nsh) {
				if (a->sh[x] == b->sh[y]) {
					inter++;
					x++;
					y++;
				} else if (a->sh[x] < b->sh[y])
					x++;
				else
					y++;
			}
			uni = a->nsh + b->nsh - inter;
			pm = (int64_t)((1000 * (wide)inter) / uni);  /* floor */
			if (pm < run->r.sim)
				continue;
			f = add_finding(run, EB_CR_SIMILAR_TECHNICAL, SEV_EXPLAIN,
			    who, 2);
			eb_doc_set_attr_i64(f, "similarity-per-mille", pm);
			eb_doc_set_attr_i64(f, "threshold-per-mille", run->r.sim);
			eb_doc_set_attr_i64(f, "shared-shingles", (int64_t)inter);
			eb_doc_set_attr_i64(f, "all-shingles", (int64_t)uni);
			eb_doc_add_text(f, "detail", "The technical proposals are "
			    "near-identical (Jaccard similarity of character "
			    "shingles).");
		}
}

/* ---- collusion: identical keys ------------------------------------- */

struct keyed {
	const char *key;
	const char *shown;
	size_t idx;
};

static int
cmp_keyed(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (c != 0)
		return c;
	return (x->idx > y->idx) - (x->idx < y->idx);
}

/*
 * One finding per group of two or more bids with the same non-empty key;
 * 'attr'="shown value of the first", plus 'extra'="extra_val" when given.
 */
static void
group_findings(struct run *run, struct keyed *k, size_t nk, int rule,
    const char *sev, const char *attr, const char *extra,
    const char *extra_val, const char *detail)
{
	size_t i, j, t, *who = xcalloc(nk, sizeof(*who));

	qsort(k, nk, sizeof(*k), cmp_keyed);
	for (i = 0; i < nk; i = j) {
		struct eb_doc *f;

		for (j = i + 1; j < nk && strcmp(k[j].key, k[i].key) == 0; j++)
			;
		if (j - i < 2)
			continue;
		for (t = i; t < j; t++)
			who[t - i] = k[t].idx;
		f = add_finding(run, rule, sev, who, j - i);
		if (extra != NULL)
			eb_doc_set_attr(f, extra, extra_val);
		eb_doc_set_attr(f, attr, k[i].shown);
		eb_doc_add_text(f, "detail", detail);
	}
	free(who);
}

/* Letters and digits only, ASCII folded to lower case; non-ASCII kept. */
static char *
norm_contact(const char *s)
{
	char *o = xcalloc(strlen(s) + 1, 1), *p = o;

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' &&
		    c <= 'z'))
			*p++ = (char)c;
		else if (c >= 'A' && c <= 'Z')
			*p++ = (char)(c + 'a' - 'A');
	}
	return o;
}

static void
check_same_keys(struct run *run)
{
	struct keyed *k = xcalloc(run->n, sizeof(*k));
	char **norm = xcalloc(run->n, sizeof(*norm));
	static const char *const fields[] = { "name", "phone", "email",
	    "address" };
	size_t i, nk, fi;

	for (i = 0, nk = 0; i < run->n; i++)
		if (run->e[i].bid != NULL &&
		    *run->e[i].bid->machine_fingerprint != '\0')
			k[nk++] = (struct keyed){ run->e[i].bid->machine_fingerprint,
			    run->e[i].bid->machine_fingerprint, i };
	group_findings(run, k, nk, EB_CR_SAME_FINGERPRINT, SEV_EXPLAIN,
	    "machine-fingerprint", NULL, NULL, "The bids were sealed on the "
	    "same machine (identical machine fingerprint).");

	for (i = 0, nk = 0; i < run->n; i++)
		if (run->e[i].bid != NULL && *run->e[i].bid->created != '\0')
			k[nk++] = (struct keyed){ run->e[i].bid->created,
			    run->e[i].bid->created, i };
	group_findings(run, k, nk, EB_CR_SAME_METADATA, SEV_NOTE, "created",
	    NULL, NULL, "The bid files carry the same creation instant, as "
	    "copies of one file do.");

	for (i = 0, nk = 0; i < run->n; i++)
		if (run->e[i].bid != NULL && run->e[i].errkey[0] != '\0')
			k[nk++] = (struct keyed){ run->e[i].errkey,
			    run->e[i].errkey, i };
	/* shown: the codes, '\n' -> ' ' done on a copy below */
	if (nk > 0) {
		char **shown = xcalloc(nk, sizeof(*shown));
		size_t t;

		for (i = 0; i < nk; i++) {
			char *p;

			shown[i] = xcalloc(strlen(k[i].key) + 1, 1);
			strcpy(shown[i], k[i].key);
			shown[i][strlen(shown[i]) - 1] = '\0';
			for (p = shown[i]; *p != '\0'; p++)
				if (*p == '\n')
					*p = ' ';
			k[i].shown = shown[i];
		}
		group_findings(run, k, nk, EB_CR_SAME_ERRORS, SEV_EXPLAIN,
		    "lines", NULL, NULL, "The bids have arithmetic errors on "
		    "exactly the same bill-of-quantities lines.");
		for (t = 0; t < nk; t++)
			free(shown[t]);
		free(shown);
	}

	for (fi = 0; fi < 4; fi++) {
		for (i = 0, nk = 0; i < run->n; i++) {
			const struct eb_bid *b = run->e[i].bid;
			const char *v;

			free(norm[i]);
			norm[i] = NULL;
			if (b == NULL)
				continue;
			v = fi == 0 ? b->contact_name : fi == 1 ?
			    b->contact_phone : fi == 2 ? b->contact_email :
			    b->contact_address;
			norm[i] = norm_contact(v);
			if (norm[i][0] != '\0')
				k[nk++] = (struct keyed){ norm[i], v, i };
		}
		group_findings(run, k, nk, EB_CR_SAME_CONTACT, SEV_EXPLAIN,
		    "value", "field", fields[fi], "Different bidders give the "
		    "same contact details.");
	}
	for (i = 0; i < run->n; i++)
		free(norm[i]);
	free(norm);
	free(k);
}

/* ---- collusion: identical unusual unit prices ---------------------- */

struct lp {
	const char *code;
	int64_t price;
	size_t idx;
};

static int
cmp_lp(const void *a, const void *b)
{
	const struct lp *x = a, *y = b;
	int c = strcmp(x->code, y->code);

	if (c != 0)
		return c;
	if (x->price != y->price)
		return x->price < y->price ? -1 : 1;
	return (x->idx > y->idx) - (x->idx < y->idx);
}

/* Unusual: not a whole multiple of round-fen, or outside the unbalanced
 * band of the line's control price. */
static int
unusual(const struct rules *r, const char *code, int64_t u)
{
	const struct ctl *c = find_ctl(r, code);

	if (r->round_fen > 0 && u % r->round_fen != 0)
		return 1;
	if (c != NULL && c->has_price) {
		wide d = (wide)u - c->price;

		if (d < 0)
			d = -d;
		return 100 * d > (wide)r->band * c->price;
	}
	return 0;
}

static void
check_unusual(struct run *run)
{
	struct lp *v;
	size_t i, j, t, n = 0, cap = 0, *who;

	for (i = 0; i < run->n; i++)
		if (run->e[i].bid != NULL)
			cap += run->e[i].bid->nlines;
	v = xcalloc(cap, sizeof(*v));
	who = xcalloc(run->n, sizeof(*who));
	for (i = 0; i < run->n; i++) {
		const struct eb_bid *b = run->e[i].bid;

		for (t = 0; b != NULL && t < b->nlines; t++)
			if (b->lines[t].unit_price > 0)
				v[n++] = (struct lp){ b->lines[t].code,
				    b->lines[t].unit_price, i };
	}
	qsort(v, n, sizeof(*v), cmp_lp);
	for (i = 0; i < n; i = j) {
		struct eb_doc *f;

		for (j = i + 1; j < n && strcmp(v[j].code, v[i].code) == 0 &&
		    v[j].price == v[i].price; j++)
			;
		if (j - i < 2 || !unusual(&run->r, v[i].code, v[i].price))
			continue;
		for (t = i; t < j; t++)
			who[t - i] = v[t].idx;
		f = add_finding(run, EB_CR_SAME_UNUSUAL_PRICE, SEV_EXPLAIN, who,
		    j - i);
		eb_doc_set_attr(f, "code", v[i].code);
		eb_doc_set_attr_i64(f, "unit-price", v[i].price);
		eb_doc_add_text(f, "detail", "Several bidders quote the same "
		    "unusual unit price on this line.");
	}
	free(who);
	free(v);
}

/* ---- collusion: price patterns ------------------------------------- */

struct tot {
	int64_t total;
	size_t idx;
};

static int
cmp_tot(const void *a, const void *b)
{
	const struct tot *x = a, *y = b;

	if (x->total != y->total)
		return x->total < y->total ? -1 : 1;
	return (x->idx > y->idx) - (x->idx < y->idx);
}

static void
pattern_finding(struct run *run, int rule, const char *sev,
    const size_t *ord, size_t i, size_t j, const char *detail,
    struct eb_doc **out)
{
	size_t t, *who = xcalloc(j - i + 1, sizeof(*who));

	for (t = i; t <= j; t++)
		who[t - i] = ord[t];
	/* bidders listed by party id */
	for (t = 1; t < j - i + 1; t++) {
		size_t x = who[t], u = t;

		for (; u > 0 && who[u - 1] > x; u--)
			who[u] = who[u - 1];
		who[u] = x;
	}
	*out = add_finding(run, rule, sev, who, j - i + 1);
	eb_doc_set_attr_i64(*out, "count", (int64_t)(j - i + 1));
	eb_doc_set_attr_i64(*out, "lowest", run->e[ord[i]].bid->total_price);
	eb_doc_set_attr_i64(*out, "highest", run->e[ord[j]].bid->total_price);
	eb_doc_add_text(*out, "detail", detail);
	free(who);
}

static void
check_patterns(struct run *run)
{
	size_t *ord = xcalloc(run->n, sizeof(*ord)), n = 0, i, j, last = 0;
	struct tot *tv = xcalloc(run->n, sizeof(*tv));
	int have_last = 0;
	struct eb_doc *f;

	for (i = 0; i < run->n; i++)
		if (run->e[i].bid != NULL)
			tv[n++] = (struct tot){ run->e[i].bid->total_price, i };
	qsort(tv, n, sizeof(*tv), cmp_tot);
	for (i = 0; i < n; i++)
		ord[i] = tv[i].idx;
	free(tv);
#define T(k) (run->e[ord[(k)]].bid->total_price)
	/* maximal runs of >= 3 consecutive totals with one step d > 0 */
	for (i = 0; i + 2 < n;) {
		int64_t d = T(i + 1) - T(i);

		for (j = i + 1; d > 0 && j + 1 < n && T(j + 1) - T(j) == d; j++)
			;
		if (d > 0 && j - i >= 2) {
			pattern_finding(run, EB_CR_PRICE_PROGRESSION, SEV_EXPLAIN,
			    ord, i, j, "The total prices form an arithmetic "
			    "progression (a regular difference pattern, "
			    "Art. 40 of the Implementing Regulations).", &f);
			eb_doc_set_attr_i64(f, "step", d);
			i = j;
		} else
			i++;
	}
	/* windows [i, j] with (T(j) - T(i)) * 1000 <= band * T(i) */
	for (i = 0; run->r.pband > 0 && i < n; i++) {
		for (j = i; j + 1 < n && (wide)(T(j + 1) - T(i)) * 1000 <=
		    (wide)run->r.pband * T(i); j++)
			;
		if (j - i + 1 < (size_t)run->r.pband_min ||
		    (have_last && j <= last))
			continue;
		pattern_finding(run, EB_CR_PRICE_BAND, SEV_NOTE, ord, i, j,
		    "The total prices lie within a tiny band.", &f);
		eb_doc_set_attr_i64(f, "spread-per-mille", T(i) == 0 ? 0 :
		    (int64_t)((wide)(T(j) - T(i)) * 1000 / T(i)));
		eb_doc_set_attr_i64(f, "band-per-mille", run->r.pband);
		last = j;
		have_last = 1;
	}
#undef T
	free(ord);
}

/* ---- the run ------------------------------------------------------- */

static int
cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->party,
	    ((const struct entry *)b)->party);
}

static int
cmp_str_ptr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The tender of the report: the rules' attribute, else the tender most
 * bids name (ties: the smallest id in byte order). */
static const char *
pick_tender(const struct run *run)
{
	const char **v = xcalloc(run->n, sizeof(*v)), *best = NULL;
	size_t i, j, n = 0, bestn = 0;

	if (run->r.tender != NULL) {
		free(v);
		return run->r.tender;
	}
	for (i = 0; i < run->n; i++)
		if (run->e[i].bid != NULL)
			v[n++] = run->e[i].bid->tender;
	qsort(v, n, sizeof(*v), cmp_str_ptr);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && strcmp(v[j], v[i]) == 0; j++)
			;
		if (j - i > bestn) {
			bestn = j - i;
			best = v[i];
		}
	}
	free(v);
	return best;
}

static int
load_bids(struct run *run, const struct eb_doc *const *bids, size_t nbids,
    struct eb_error *err)
{
	size_t i;

	run->e = xcalloc(nbids, sizeof(*run->e));
	for (i = 0; i < nbids; i++) {
		struct entry *e = &run->e[i];
		const struct eb_doc *ob = bids[i];

		if (ob == NULL || ob->name == NULL ||
		    strcmp(ob->name, "opened-bid") != 0 ||
		    (e->party = eb_doc_attr(ob, "bidder")) == NULL ||
		    *e->party == '\0' ||
		    (e->doc = eb_doc_child(ob, "bid")) == NULL)
			return eb_fail(err, EB_ERR_FORMAT, "clearing-bad-input",
			    "Pass the <opened-bid bidder=...> elements of the "
			    "opening, each holding its <bid>.",
			    "clearing: bid %zu is not an <opened-bid> with a "
			    "bidder and a <bid>", i + 1);
		e->org = eb_doc_attr(ob, "org");
		run->n = i + 1;
	}
	qsort(run->e, run->n, sizeof(*run->e), cmp_entry);
	for (i = 1; i < run->n; i++)
		if (strcmp(run->e[i].party, run->e[i - 1].party) == 0)
			return eb_fail(err, EB_ERR_FORMAT, "clearing-bad-input",
			    "Pass one opened bid per bidder.",
			    "clearing: bidder %.64s appears twice",
			    run->e[i].party);
	for (i = 0; i < run->n; i++) {
		struct entry *e = &run->e[i];
		size_t k;

		if (eb_bid_from_doc(e->doc, &e->bid, &e->perr) != EB_OK)
			continue;
		e->by_code = xcalloc(e->bid->nlines, sizeof(*e->by_code));
		for (k = 0; k < e->bid->nlines; k++)
			e->by_code[k] = &e->bid->lines[k];
		qsort(e->by_code, e->bid->nlines, sizeof(*e->by_code),
		    cmp_line_ptr_code);
	}
	return EB_OK;
}

static int
rules_digest(const struct eb_doc *rd, char hex[EB_SHA256_HEX])
{
	struct eb_buf b = EB_BUF_INIT;
	int rc = eb_doc_serialize(rd, &b);

	if (rc == EB_OK)
		eb_sha256_hex(b.data, b.len, hex);
	eb_buf_free(&b);
	return rc;
}

int
eb_clearing_run(const struct eb_doc *rules,
    const struct eb_doc *const *bids, size_t nbids, struct eb_doc **report,
    struct eb_error *err)
{
	struct run run;
	struct eb_doc *rep = NULL, *s;
	const char *tender;
	char hex[EB_SHA256_HEX];
	size_t i;
	int rc;

	memset(&run, 0, sizeof(run));
	*report = NULL;
	if (nbids > EB_CLEARING_MAX_BIDS) {
		rc = eb_fail(err, EB_ERR_LIMIT, "clearing-too-many-bids",
		    "Split the tender into lots.", "clearing: %zu bids, at "
		    "most %d", nbids, EB_CLEARING_MAX_BIDS);
		goto out;
	}
	if (nbids > 0 && bids == NULL) {
		rc = eb_fail(err, EB_ERR_FORMAT, "clearing-bad-input", NULL,
		    "clearing: no bid array");
		goto out;
	}
	if ((rc = parse_rules(rules, &run.r, err)) != EB_OK ||
	    (rc = load_bids(&run, bids, nbids, err)) != EB_OK)
		goto out;
	tender = pick_tender(&run);

	for (i = 0; i < run.n; i++) {
		struct entry *e = &run.e[i];

		if (e->bid == NULL) {
			struct eb_doc *f = add_finding1(&run, EB_CR_BID_FORMAT,
			    SEV_INVALID, i);

			eb_doc_set_attr(f, "reason", e->perr.reason);
			eb_doc_add_text(f, "detail", e->perr.primary);
			continue;
		}
		check_completeness(&run, i, tender);
		check_arithmetic(&run, i);
		check_ceiling(&run, i);
	}
	check_low(&run);
	check_unbalanced(&run);
	check_similarity(&run);
	check_same_keys(&run);
	check_unusual(&run);
	check_patterns(&run);

	rep = eb_doc_new("clearing-report");
	if (tender != NULL)
		eb_doc_set_attr(rep, "tender", tender);
	eb_doc_set_attr_i64(rep, "bids", (int64_t)run.n);
	eb_doc_set_attr_i64(rep, "findings", (int64_t)run.nf);
	if (rules != NULL) {
		if ((rc = rules_digest(rules, hex)) != EB_OK) {
			eb_fail(err, rc, "clearing-rules-too-large", NULL,
			    "clearing: cannot serialize the rules");
			goto out;
		}
		eb_doc_set_attr(rep, "rules-sha256", hex);
	}
	for (i = 0; i < run.n; i++) {
		const struct entry *e = &run.e[i];

		s = eb_doc_add(rep, "bid-summary");
		eb_doc_set_attr(s, "bidder", e->party);
		if (e->org != NULL)
			eb_doc_set_attr(s, "org", e->org);
		if (e->bid != NULL) {
			eb_doc_set_attr_i64(s, "submitted-total",
			    e->bid->total_price);
			eb_doc_set_attr_i64(s, "corrected-total", e->corrected);
		}
		eb_doc_set_attr(s, "status", e->invalid ? "invalid" : "valid");
		eb_doc_set_attr_i64(s, "findings", e->nfind);
	}
	if (run.nf > 0)
		qsort(run.f, run.nf, sizeof(*run.f), cmp_finding);
	for (i = 0; i < run.nf; i++) {
		eb_doc_append(rep, run.f[i].d);
		run.f[i].d = NULL;
	}
	*report = rep;
	rep = NULL;
	rc = EB_OK;
out:
	eb_doc_free(rep);
	for (i = 0; i < run.nf; i++)
		eb_doc_free(run.f[i].d);
	free(run.f);
	for (i = 0; run.e != NULL && i < nbids; i++) {
		eb_bid_free(run.e[i].bid);
		free(run.e[i].by_code);
		free(run.e[i].sh);
		free(run.e[i].errkey);
	}
	free(run.e);
	free_rules(&run.r);
	return rc;
}
