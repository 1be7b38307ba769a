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
