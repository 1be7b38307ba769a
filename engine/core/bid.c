/*
 * engine/core/bid.c
 *    Parse and validate an opened `<bid>` tree into struct eb_bid.
 *
 * Owner: the clearing engineer.  The XSD (protocol/xsd/bid.xsd) already
 * checked the shape of the XML on the wire; this file checks it again,
 * because the core must hold its invariants on any tree (replay, fuzzing),
 * and adds what a schema cannot: the overflow bound of quantity x price
 * and the uniqueness of line codes.
 *
 * INTERFACE (engine/core/bid.h)
 *    eb_bid_from_doc(), eb_bid_free(), eb_bid_line_amount(),
 *    eb_bid_parse_quantity()
 *
 * Pure: libc + protocol/doc.h.  No floating point.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/core/bid.h"

#include "protocol/mem.h"

/* protocol/mem.h: OOM aborts, as everywhere */
#define dup_str eb_strdup
#define xcalloc eb_calloc

/* A string field: present (unless optional), within 'max' bytes. */
static int
take_str(const char *v, const char *what, size_t max, int optional,
    char **out, struct eb_error *err)
{
	if (v == NULL) {
		if (!optional)
			return eb_fail(err, EB_ERR_FORMAT, "bid-missing-field",
			    "Fill in every required field of the bid with the "
			    "ebid client and seal it again.",
			    "bid: %s is missing", what);
		v = "";
	}
	if (strlen(v) > max)
		return eb_fail(err, EB_ERR_LIMIT, "bid-field-too-long",
		    "Shorten the field; the limits are listed in docs/clearing.md.",
		    "bid: %s is longer than %zu bytes", what, max);
	*out = dup_str(v);
	return EB_OK;
}

/* A non-negative fen amount within EB_BID_MAX_FEN. */
static int
take_fen(const char *v, const char *what, int64_t *out, struct eb_error *err)
{
	int64_t x = 0;

	if (v == NULL)
		return eb_fail(err, EB_ERR_FORMAT, "bid-missing-field",
		    "Fill in every required field of the bid with the ebid "
		    "client and seal it again.", "bid: %s is missing", what);
	if (eb_parse_i64(v, &x) != EB_OK || x < 0)
		return eb_fail(err, EB_ERR_FORMAT, "bid-bad-amount",
		    "Amounts are whole fen written as digits only, e.g. 1250000 "
		    "for 12,500.00 yuan.", "bid: %s is not a non-negative "
		    "amount in fen", what);
	if (x > EB_BID_MAX_FEN)
		return eb_fail(err, EB_ERR_LIMIT, "bid-amount-too-large",
		    "Check the amount; no bid line or total may exceed "
		    "10^14 fen.", "bid: %s is above the limit", what);
	*out = x;
	return EB_OK;
}

int
eb_bid_parse_quantity(const char *s, int64_t *milli)
{
	int64_t whole = 0, frac = 0;
	int nd = 0, nf = 0;
	const char *p = s;

	if (s == NULL || *s == '\0')
		return EB_ERR_FORMAT;
	for (; *p >= '0' && *p <= '9'; p++, nd++) {
		if (whole > EB_BID_MAX_QTY_MILLI / 1000)
			return EB_ERR_LIMIT;
		whole = whole * 10 + (*p - '0');
	}
	if (nd == 0)
		return EB_ERR_FORMAT;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, nf++) {
			if (nf == 3)
				return EB_ERR_FORMAT;
			frac = frac * 10 + (*p - '0');
		}
		if (nf == 0)
			return EB_ERR_FORMAT;
	}
	if (*p != '\0')
		return EB_ERR_FORMAT;
	for (; nf < 3; nf++)
		frac *= 10;
	if (whole > (EB_BID_MAX_QTY_MILLI - frac) / 1000)
		return EB_ERR_LIMIT;
	*milli = whole * 1000 + frac;
	return EB_OK;
}

int64_t
eb_bid_line_amount(const struct eb_bid_line *l)
{
	/* Bounded by eb_bid_from_doc: the product fits in int64. */
	int64_t p = l->quantity_milli * l->unit_price;

	return p / 1000 + (p % 1000 >= 500 ? 1 : 0);
}

static int
parse_line(const struct eb_doc *ln, size_t idx, struct eb_bid_line *l,
    struct eb_error *err)
{
	int64_t prod = 0;
	int rc;
	char what[64];

	snprintf(what, sizeof(what), "line %zu no", idx + 1);
	if (eb_doc_attr_i64(ln, "no", &l->no) != EB_OK || l->no < 1 ||
	    l->no > 1000000)
		return eb_fail(err, EB_ERR_FORMAT, "bid-bad-line",
		    "Number the bill-of-quantities lines 1, 2, 3...",
		    "bid: %s is missing or not a number from 1 to 1000000",
		    what);
	snprintf(what, sizeof(what), "line %lld", (long long)l->no);
	if ((rc = take_str(eb_doc_attr(ln, "code"), "line code",
	    EB_BID_MAX_SHORT, 0, &l->code, err)) != EB_OK ||
	    (rc = take_str(eb_doc_attr(ln, "description"), "line description",
	    EB_BID_MAX_SHORT, 1, &l->description, err)) != EB_OK ||
	    (rc = take_str(eb_doc_attr(ln, "unit"), "line unit",
	    EB_BID_MAX_SHORT, 0, &l->unit, err)) != EB_OK)
		return rc;
	if (l->code[0] == '\0')
		return eb_fail(err, EB_ERR_FORMAT, "bid-bad-line",
		    "Give every line its bill-of-quantities code.",
		    "bid: %s has an empty code", what);
	rc = eb_bid_parse_quantity(eb_doc_attr(ln, "quantity"),
	    &l->quantity_milli);
	if (rc != EB_OK)
		return eb_fail(err, rc, rc == EB_ERR_LIMIT ?
		    "bid-amount-too-large" : "bid-bad-quantity",
		    "Write quantities as a non-negative decimal with at most "
		    "3 decimals, e.g. 1200.5.",
		    "bid: %s quantity is missing or malformed", what);
	if ((rc = take_fen(eb_doc_attr(ln, "unit-price"), "line unit-price",
	    &l->unit_price, err)) != EB_OK ||
	    (rc = take_fen(eb_doc_attr(ln, "total"), "line total",
	    &l->total, err)) != EB_OK) {
		eb_error_detail(err, "%s", what);
		return rc;
	}
	if (__builtin_mul_overflow(l->quantity_milli, l->unit_price, &prod) ||
	    eb_bid_line_amount(l) > EB_BID_MAX_FEN)
		return eb_fail(err, EB_ERR_LIMIT, "bid-amount-too-large",
		    "Check the quantity and unit price of the line.",
		    "bid: %s quantity x unit price is above 10^14 fen", what);
	return EB_OK;
}

static int
cmp_line_no(const void *a, const void *b)
{
	const struct eb_bid_line *x = *(const struct eb_bid_line *const *)a;
	const struct eb_bid_line *y = *(const struct eb_bid_line *const *)b;

	return (x->no > y->no) - (x->no < y->no);
}

static int
cmp_line_code(const void *a, const void *b)
{
	const struct eb_bid_line *x = *(const struct eb_bid_line *const *)a;
	const struct eb_bid_line *y = *(const struct eb_bid_line *const *)b;

	return strcmp(x->code, y->code);
}

/* Line numbers and codes unique: sort pointers, compare neighbours. */
static int
check_unique_lines(const struct eb_bid *b, struct eb_error *err)
{
	const struct eb_bid_line **v = NULL;
	size_t i;
	int rc = EB_OK;

	if (b->nlines < 2)
		return EB_OK;
	v = xcalloc(b->nlines, sizeof(*v));
	for (i = 0; i < b->nlines; i++)
		v[i] = &b->lines[i];
	qsort(v, b->nlines, sizeof(*v), cmp_line_no);
	for (i = 1; i < b->nlines; i++)
		if (v[i]->no == v[i - 1]->no) {
			rc = eb_fail(err, EB_ERR_FORMAT, "bid-duplicate-line",
			    "Give every bill-of-quantities line its own number.",
			    "bid: line number %lld appears twice",
			    (long long)v[i]->no);
			goto out;
		}
	qsort(v, b->nlines, sizeof(*v), cmp_line_code);
	for (i = 1; i < b->nlines; i++)
		if (strcmp(v[i]->code, v[i - 1]->code) == 0) {
			rc = eb_fail(err, EB_ERR_FORMAT, "bid-duplicate-line",
			    "Price every bill-of-quantities code on one line only.",
			    "bid: line code %.64s appears twice", v[i]->code);
			goto out;
		}
out:
	free(v);
	return rc;
}

/* The children named 'child' of the element 'list' as items. */
static int
parse_items(const struct eb_doc *parent, const char *list, const char *child,
    const char *keyattr, int text_in_attr, int list_required,
    struct eb_bid_item **out, size_t *n, struct eb_error *err)
{
	const struct eb_doc *l = eb_doc_child(parent, list), *c;
	size_t cnt, i = 0;
	int rc;

	*n = 0;
	if (l == NULL) {
		if (!list_required)
			return EB_OK;
		return eb_fail(err, EB_ERR_FORMAT, "bid-missing-field",
		    "Fill in every required part of the bid with the ebid "
		    "client and seal it again.", "bid: <%s> is missing", list);
	}
	cnt = eb_doc_count(l, child);
	if (cnt > EB_BID_MAX_ITEMS)
		return eb_fail(err, EB_ERR_LIMIT, "bid-too-many-items",
		    "Merge or shorten the items; the limits are listed in "
		    "docs/clearing.md.", "bid: more than %d <%s> in <%s>",
		    EB_BID_MAX_ITEMS, child, list);
	*out = xcalloc(cnt, sizeof(**out));
	eb_doc_foreach(c, l, child) {
		struct eb_bid_item *it = &(*out)[i++];

		*n = i;
		if ((rc = take_str(eb_doc_attr(c, keyattr), keyattr,
		    EB_BID_MAX_SHORT, 0, &it->key, err)) != EB_OK)
			return rc;
		if (text_in_attr)
			rc = take_str(eb_doc_attr(c, text_in_attr == 1 ?
			    "sha256" : "text"), "document sha256",
			    EB_BID_MAX_SHORT, 0, &it->text, err);
		else
			rc = take_str(eb_doc_text(c), child, EB_BID_MAX_TEXT, 0,
			    &it->text, err);
		if (rc != EB_OK)
			return rc;
	}
	return EB_OK;
}

/* A decimal quantity of a factor: 1-12 digits, '.' and 1-8 digits
 * optional (bid.xsd bid-factor-quantity; evaluation reads it exactly). */
static int
factor_quantity_ok(const char *s)
{
	size_t nd = 0, nf = 0;

	if (s == NULL)
		return 0;
	for (; *s >= '0' && *s <= '9'; s++)
		nd++;
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9'; s++)
			nf++;
	return *s == '\0' && nd >= 1 && nd <= 12 &&
	    (nf <= 8) && !(nf == 0 && s[-1] == '.');
}

static int
bad_factor(struct eb_error *err, const char *where)
{
	return eb_fail(err, EB_ERR_FORMAT, "bid-bad-factor",
	    "Give each factor the rules name once, with a decimal quantity "
	    "(e.g. <factor id=\"night-work\" quantity=\"12.5\"/>).",
	    "bid: a <factor> of %s has no id, a malformed quantity or a "
	    "duplicate id", where);
}

/* The <factor id= quantity=> children of 'p' (the bid or one lot):
 * at most EB_BID_MAX_FACTORS, ids unique, quantities decimal. */
static int
check_factors(const struct eb_doc *p, const char *where,
    struct eb_error *err)
{
	const struct eb_doc *f, *g;
	size_t n = 0;

	eb_doc_foreach(f, p, "factor") {
		const char *id = eb_doc_attr(f, "id");

		if (++n > EB_BID_MAX_FACTORS || id == NULL || *id == '\0' ||
		    strlen(id) > 64 ||
		    !factor_quantity_ok(eb_doc_attr(f, "quantity")))
			return bad_factor(err, where);
		for (g = eb_doc_child(p, "factor"); g != f;
		    g = eb_doc_next(g, "factor"))
			if (strcmp(eb_doc_attr(g, "id"), id) == 0)
				return bad_factor(err, where);
	}
	return EB_OK;
}

static int
bad_lots(struct eb_error *err, const char *why, const char *lot)
{
	return eb_fail(err, EB_ERR_FORMAT, "bid-bad-lots",
	    "Price each lot once; the lot prices add up to total-price; a "
	    "linked discount names a lot of the bid, other lots of the bid "
	    "it depends on, and a percent above 0 (docs/evaluation.md, Lots).",
	    "bid: lot %s: %s", lot != NULL ? lot : "?", why);
}

/* Is 'id' one of the space-separated ids of 'list'? */
static int
in_ids(const char *list, const char *id, size_t n)
{
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

/* The lot of 'lots' whose id is the n bytes at 'id', or NULL. */
static const struct eb_doc *
lot_named(const struct eb_doc *lots, const char *id, size_t n)
{
	const struct eb_doc *l;

	eb_doc_foreach(l, lots, "lot") {
		const char *x = eb_doc_attr(l, "id");

		if (x != NULL && strlen(x) == n && strncmp(x, id, n) == 0)
			return l;
	}
	return NULL;
}

/* A percent above 0, at most 100, at most 4 decimals, in ten-thousandths. */
static int
parse_percent(const char *s, int64_t *out)
{
	int64_t v = 0;
	int nd = 0, nf = 0;

	if (s == NULL)
		return EB_ERR_FORMAT;
	for (; *s >= '0' && *s <= '9' && nd < 3; s++, nd++)
		v = v * 10 + (*s - '0');
	v *= 10000;
	if (*s == '.') {
		int64_t f = 0, m = 1000;

		for (s++; *s >= '0' && *s <= '9' && nf < 4; s++, nf++, m /= 10)
			f += (*s - '0') * m;
		if (nf == 0)
			return EB_ERR_FORMAT;
		v += f;
	}
	if (*s != '\0' || nd == 0 || v <= 0 || v > 1000000)
		return EB_ERR_FORMAT;
	*out = v;
	return EB_OK;
}

/*
 * <lots><lot id><total-price/><completion-days/>?<factor/>*</lot>...
 * <linked-discount lot if-won percent/>*</lots>: lot ids unique, each
 * price a positive fen amount, the prices adding up to the bid's
 * total-price; a discount names a lot of the bid, if-won one or more
 * other lots of the bid, a percent in (0, 100]; the discounts of one
 * lot add up to at most 100 %.
 */
static int
check_lots(const struct eb_doc *lots, int64_t total, size_t *nlots,
    struct eb_error *err)
{
	const struct eb_doc *l, *g, *ld;
	int64_t sum = 0, p, x;
	int rc;

	*nlots = 0;
	eb_doc_foreach(l, lots, "lot") {
		const char *id = eb_doc_attr(l, "id"), *v;

		if (++*nlots > EB_BID_MAX_LOTS || id == NULL || *id == '\0' ||
		    strlen(id) > 64)
			return bad_lots(err, "no id, or too many lots", id);
		for (g = eb_doc_child(lots, "lot"); g != l;
		    g = eb_doc_next(g, "lot"))
			if (strcmp(eb_doc_attr(g, "id"), id) == 0)
				return bad_lots(err, "priced twice", id);
		if ((rc = take_fen(eb_doc_child_text(l, "total-price"),
		    "lot total-price", &p, err)) != EB_OK)
			return rc;
		if (p == 0)
			return bad_lots(err, "total-price is 0", id);
		if ((v = eb_doc_child_text(l, "completion-days")) != NULL &&
		    (eb_parse_i64(v, &x) != EB_OK || x < 1 ||
		    x > EB_BID_MAX_DAYS))
			return bad_lots(err, "completion-days is not 1 to 36500 "
			    "days", id);
		if ((rc = check_factors(l, id, err)) != EB_OK)
			return rc;
		sum += p;
		if (sum > EB_BID_MAX_FEN)
			return bad_lots(err, "the lot prices add up beyond "
			    "10^14 fen", id);
	}
	if (*nlots == 0)
		return bad_lots(err, "<lots> prices no lot", NULL);
	if (sum != total)
		return bad_lots(err, "the lot prices do not add up to the "
		    "bid's total-price", eb_doc_attr(eb_doc_child(lots, "lot"),
		    "id"));
	eb_doc_foreach(ld, lots, "linked-discount") {
		const char *lot = eb_doc_attr(ld, "lot");
		const char *won = eb_doc_attr(ld, "if-won"), *q;
		int64_t pct, all = 0;
		size_t n;

		if (lot == NULL || lot_named(lots, lot, strlen(lot)) == NULL)
			return bad_lots(err, "a linked discount names a lot the "
			    "bid does not price", lot);
		if (parse_percent(eb_doc_attr(ld, "percent"), &pct) != EB_OK)
			return bad_lots(err, "a linked discount's percent is not "
			    "above 0 and at most 100 (4 decimals)", lot);
		if (won == NULL || in_ids(won, lot, strlen(lot)))
			return bad_lots(err, "a linked discount depends on no "
			    "other lot, or on its own", lot);
		for (q = won, n = 0; *q != '\0'; q += n) {
			while (*q == ' ')
				q++;
			n = strcspn(q, " ");
			if (n > 0 && lot_named(lots, q, n) == NULL)
				return bad_lots(err, "a linked discount depends "
				    "on a lot the bid does not price", lot);
			all += n > 0;
		}
		if (all == 0)
			return bad_lots(err, "a linked discount depends on no "
			    "other lot, or on its own", lot);
		/* the lot's discounts together: at most 100 % */
		all = pct;
		for (g = eb_doc_child(lots, "linked-discount"); g != ld;
		    g = eb_doc_next(g, "linked-discount"))
			if (strcmp(eb_doc_attr(g, "lot"), lot) == 0 &&
			    parse_percent(eb_doc_attr(g, "percent"), &x) ==
			    EB_OK)
				all += x;
		if (all > 1000000)
			return bad_lots(err, "its linked discounts add up to "
			    "more than 100 %", lot);
	}
	return EB_OK;
}

int
eb_bid_from_doc(const struct eb_doc *d, struct eb_bid **out,
    struct eb_error *err)
{
	struct eb_bid *b = NULL;
	const struct eb_doc *lines, *ln, *md, *ct;
	const char *v;
	size_t cnt, i = 0;
	int64_t x = 0;
	int rc;

	*out = NULL;
	if (d == NULL || d->name == NULL || strcmp(d->name, "bid") != 0)
		return eb_fail(err, EB_ERR_FORMAT, "bid-not-a-bid",
		    "Submit a <bid> document made by the ebid client.",
		    "bid: the document is not a <bid>");
	b = xcalloc(1, sizeof(*b));
	b->completion_days = -1;
	if ((rc = take_str(eb_doc_attr(d, "tender"), "tender attribute",
	    EB_BID_MAX_SHORT, 0, &b->tender, err)) != EB_OK)
		goto out;
	if ((rc = take_fen(eb_doc_child_text(d, "total-price"), "total-price",
	    &b->total_price, err)) != EB_OK)
		goto out;

	lines = eb_doc_child(d, "lines");
	cnt = lines == NULL ? 0 : eb_doc_count(lines, "line");
	if (cnt == 0) {
		rc = eb_fail(err, EB_ERR_FORMAT, "bid-no-lines",
		    "Price the bill of quantities of the tender.",
		    "bid: <lines> is missing or has no <line>");
		goto out;
	}
	if (cnt > EB_BID_MAX_LINES) {
		rc = eb_fail(err, EB_ERR_LIMIT, "bid-too-many-lines",
		    "A bill of quantities may have at most 2000 lines.",
		    "bid: %zu lines", cnt);
		goto out;
	}
	b->lines = xcalloc(cnt, sizeof(*b->lines));
	eb_doc_foreach(ln, lines, "line") {
		b->nlines = i + 1;
		if ((rc = parse_line(ln, i, &b->lines[i], err)) != EB_OK)
			goto out;
		i++;
	}
	if ((rc = check_unique_lines(b, err)) != EB_OK)
		goto out;

	if ((rc = parse_items(d, "qualifications", "declaration", "ref", 0, 1,
	    &b->declarations, &b->ndeclarations, err)) != EB_OK ||
	    (rc = parse_items(d, "sections", "section", "name", 0, 1,
	    &b->sections, &b->nsections, err)) != EB_OK ||
	    (rc = parse_items(d, "documents", "document", "name", 1, 0,
	    &b->documents, &b->ndocuments, err)) != EB_OK)
		goto out;

	v = eb_doc_child_text(d, "technical");
	if ((rc = take_str(v, "technical", EB_BID_MAX_TECHNICAL, 0,
	    &b->technical, err)) != EB_OK)
		goto out;

	md = eb_doc_child(d, "metadata");
	if (md == NULL) {
		rc = eb_fail(err, EB_ERR_FORMAT, "bid-missing-field",
		    "Seal the bid with the ebid client, which writes <metadata>.",
		    "bid: <metadata> is missing");
		goto out;
	}
	if ((rc = take_str(eb_doc_child_text(md, "client-version"),
	    "client-version", EB_BID_MAX_SHORT, 0, &b->client_version,
	    err)) != EB_OK ||
	    (rc = take_str(eb_doc_child_text(md, "machine-fingerprint"),
	    "machine-fingerprint", EB_BID_MAX_SHORT, 0,
	    &b->machine_fingerprint, err)) != EB_OK ||
	    (rc = take_str(eb_doc_child_text(md, "created"), "created",
	    EB_BID_MAX_SHORT, 0, &b->created, err)) != EB_OK)
		goto out;

	ct = eb_doc_child(d, "contact");
	if (ct == NULL) {
		rc = eb_fail(err, EB_ERR_FORMAT, "bid-missing-field",
		    "Give the bid's contact person.", "bid: <contact> is missing");
		goto out;
	}
	if ((rc = take_str(eb_doc_child_text(ct, "name"), "contact name",
	    EB_BID_MAX_SHORT, 0, &b->contact_name, err)) != EB_OK ||
	    (rc = take_str(eb_doc_child_text(ct, "phone"), "contact phone",
	    EB_BID_MAX_SHORT, 0, &b->contact_phone, err)) != EB_OK ||
	    (rc = take_str(eb_doc_child_text(ct, "email"), "contact email",
	    EB_BID_MAX_SHORT, 0, &b->contact_email, err)) != EB_OK ||
	    (rc = take_str(eb_doc_child_text(ct, "address"), "contact address",
	    EB_BID_MAX_SHORT, 0, &b->contact_address, err)) != EB_OK)
		goto out;

	if ((v = eb_doc_child_text(d, "completion-days")) != NULL) {
		if (eb_parse_i64(v, &x) != EB_OK || x < 1 ||
		    x > EB_BID_MAX_DAYS) {
			rc = eb_fail(err, EB_ERR_FORMAT, "bid-bad-days",
			    "Give the completion time as whole days, 1 to 36500.",
			    "bid: completion-days is not a number of days");
			goto out;
		}
		b->completion_days = x;
	}
	if ((rc = check_factors(d, "the bid", err)) != EB_OK)
		goto out;
	if ((ct = eb_doc_child(d, "lots")) != NULL &&
	    (rc = check_lots(ct, b->total_price, &b->nlots, err)) != EB_OK)
		goto out;
	*out = b;
	b = NULL;
	rc = EB_OK;
out:
	eb_bid_free(b);
	return rc;
}

static void
free_items(struct eb_bid_item *it, size_t n)
{
	size_t i;

	for (i = 0; it != NULL && i < n; i++) {
		free(it[i].key);
		free(it[i].text);
	}
	free(it);
}

void
eb_bid_free(struct eb_bid *b)
{
	size_t i;

	if (b == NULL)
		return;
	for (i = 0; b->lines != NULL && i < b->nlines; i++) {
		free(b->lines[i].code);
		free(b->lines[i].description);
		free(b->lines[i].unit);
	}
	free(b->lines);
	free_items(b->declarations, b->ndeclarations);
	free_items(b->sections, b->nsections);
	free_items(b->documents, b->ndocuments);
	free(b->tender);
	free(b->technical);
	free(b->client_version);
	free(b->machine_fingerprint);
	free(b->created);
	free(b->contact_name);
	free(b->contact_phone);
	free(b->contact_email);
	free(b->contact_address);
	free(b);
}
