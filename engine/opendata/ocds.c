/*
 * engine/opendata/ocds.c
 *    OCDS 1.1.5 releases and records from a log (see ocds.h and
 *    docs/ocds.md for the mapping, field by field).
 *
 * The JSON is written by hand into an eb_buf (a tiny writer below: keys,
 * strings escaped per RFC 8259, amounts as exact decimals from fen: no
 * floating point); an error while writing (a buffer over its limit,
 * protocol/buf.h, or nesting deeper than JS_DEPTH) is sticky and reported
 * once, as EB_ERR_LIMIT.  Out of memory aborts (protocol/mem.h).
 */
#include "engine/opendata/ocds.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/core/flows.h"
#include "protocol/actor.h"
#include "protocol/doc.h"
#include "protocol/isotime.h"

/* ------------------------------------------------------------ JSON */

#define JS_DEPTH 32

struct js {
	struct eb_buf *b;
	int bad;
	int d;
	int n[JS_DEPTH];        /* members written at each depth */
};

static void
js_raw(struct js *j, const char *s)
{
	if (!j->bad && eb_buf_puts(j->b, s) != EB_OK)
		j->bad = 1;
}

static void
js_quoted(struct js *j, const char *s)
{
	char u[8];

	js_raw(j, "\"");
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': js_raw(j, "\\\""); break;
		case '\\': js_raw(j, "\\\\"); break;
		case '\n': js_raw(j, "\\n"); break;
		case '\r': js_raw(j, "\\r"); break;
		case '\t': js_raw(j, "\\t"); break;
		default:
			if (*p < 0x20) {
				snprintf(u, sizeof(u), "\\u%04x", *p);
				js_raw(j, u);
			} else if (!j->bad && eb_buf_append(j->b, p, 1) != EB_OK)
				j->bad = 1;
		}
	}
	js_raw(j, "\"");
}

/* the separator and the key (NULL inside an array) of the next member */
static void
js_key(struct js *j, const char *key)
{
	if (j->n[j->d]++ > 0)
		js_raw(j, ",");
	if (key != NULL) {
		js_quoted(j, key);
		js_raw(j, ":");
	}
}

static void
js_open(struct js *j, const char *key, const char *bracket)
{
	js_key(j, key);
	js_raw(j, bracket);
	if (j->d + 1 >= JS_DEPTH) {
		j->bad = 1;
		return;
	}
	j->n[++j->d] = 0;
}

static void
js_close(struct js *j, const char *bracket)
{
	if (j->d > 0)
		j->d--;
	js_raw(j, bracket);
}

#define js_obj(j, k) js_open((j), (k), "{")
#define js_end(j) js_close((j), "}")
#define js_arr(j, k) js_open((j), (k), "[")
#define js_arr_end(j) js_close((j), "]")

static void
js_str(struct js *j, const char *key, const char *v)
{
	if (v == NULL)
		return;
	js_key(j, key);
	js_quoted(j, v);
}

static void
js_int(struct js *j, const char *key, int64_t v)
{
	char n[32];

	snprintf(n, sizeof(n), "%lld", (long long)v);
	js_key(j, key);
	js_raw(j, n);
}

/* {"amount": yuan, "currency": "CNY"} from a fen text; nothing when absent */
static void
js_value(struct js *j, const char *key, const char *fen)
{
	char n[48], *end;
	long long f;

	if (fen == NULL || *fen == '\0')
		return;
	f = strtoll(fen, &end, 10);
	if (*end != '\0' || f < 0)
		return;
	snprintf(n, sizeof(n), "%lld.%02lld", f / 100, f % 100);
	js_obj(j, key);
	js_key(j, "amount");
	js_raw(j, n);
	js_str(j, "currency", "CNY");
	js_end(j);
}

/* ------------------------------------------------------ the mapping */

static int
attr_is(const struct eb_doc *d, const char *name, const char *v)
{
	const char *a = d != NULL ? eb_doc_attr(d, name) : NULL;

	return a != NULL && strcmp(a, v) == 0;
}

static const char *
child_attr(const struct eb_doc *d, const char *child, const char *name)
{
	const struct eb_doc *c = d != NULL ? eb_doc_child(d, child) : NULL;

	return c != NULL ? eb_doc_attr(c, name) : NULL;
}

/* what a release says, section by section (to tell what changed) */
struct parts {
	struct eb_buf parties, tender, awards, contracts;
	const char *buyer;      /* the buyer's party id, or NULL (a sale) */
	int cancelled;
	size_t notices;
};

static void
parts_free(struct parts *p)
{
	eb_buf_free(&p->parties);
	eb_buf_free(&p->tender);
	eb_buf_free(&p->awards);
	eb_buf_free(&p->contracts);
}

static int
same(const struct eb_buf *a, const struct eb_buf *b)
{
	return a->len == b->len && (a->len == 0 ||
	    memcmp(a->data, b->data, a->len) == 0);
}

/* The organisation name the public result gives a bidder, or NULL. */
static const char *
bidder_org(const struct eb_doc *t, const char *bidder)
{
	const struct eb_doc *er = eb_doc_path(t, "result/evaluation-result"), *b;

	eb_doc_foreach(b, er, "bid")
		if (attr_is(b, "bidder", bidder))
			return eb_doc_attr(b, "org");
	return NULL;
}

static const char *
bid_price(const struct eb_doc *t, const char *bidder)
{
	const struct eb_doc *b;

	eb_doc_foreach(b, eb_doc_child(t, "opening-record"), "bid-result")
		if (attr_is(b, "bidder", bidder))
			return eb_doc_attr(b, "total-price");
	return NULL;
}

static void
org_ref(struct js *j, const char *key, const char *id, const char *name)
{
	js_obj(j, key);
	js_str(j, "id", id);
	if (name != NULL)
		js_str(j, "name", name);
	js_end(j);
}

static const char *
tender_status(const struct eb_doc *t)
{
	if (eb_doc_child(t, "cancellation") != NULL)
		return "cancelled";
	if (eb_doc_child(t, "failure") != NULL)
		return "unsuccessful";
	if (eb_doc_child(t, "award") != NULL || eb_doc_child(t, "closed"))
		return "complete";
	return "active";
}

/* The winner under publicity (pending) or awarded (active), or NULL. */
static const char *
tender_winner(const struct eb_doc *t, const char **status, const char **at)
{
	const struct eb_doc *aw = eb_doc_child(t, "award"), *c;

	if (aw != NULL) {
		*status = "active";
		*at = eb_doc_attr(aw, "at");
		return eb_doc_attr(aw, "bidder");
	}
	if (eb_doc_child(t, "publicity") == NULL)
		return NULL;
	eb_doc_foreach(c, eb_doc_child(t, "result"), "candidate")
		if (attr_is(c, "rank", "1")) {
			*status = "pending";
			*at = child_attr(t, "publicity", "at");
			return eb_doc_attr(c, "bidder");
		}
	return NULL;
}

static void
tender_parts(const struct eb_doc *t, const char *ocid,
    const struct eb_ocds_opts *o, struct parts *p, int *bad)
{
	const struct eb_doc *reg = eb_doc_child(t, "registration"), *c, *n;
	const struct eb_doc *open = eb_doc_child(t, "opening-record");
	const char *wstatus = NULL, *wat = NULL, *winner, *method;
	struct js j;
	char id[256];
	int i;

	winner = tender_winner(t, &wstatus, &wat);
	p->buyer = "buyer";
	/* parties: the buyer, the centre, the bidders once opened */
	memset(&j, 0, sizeof(j));
	j.b = &p->parties;
	js_arr(&j, NULL);
	js_obj(&j, NULL);
	js_str(&j, "id", "buyer");
	js_str(&j, "name", eb_doc_attr(reg, "tenderer-org"));
	js_arr(&j, "roles");
	js_str(&j, NULL, "buyer");
	js_arr_end(&j);
	js_end(&j);
	js_obj(&j, NULL);
	js_str(&j, "id", "centre");
	js_str(&j, "name", o->publisher);
	js_arr(&j, "roles");
	js_str(&j, NULL, "procuringEntity");
	js_arr_end(&j);
	js_end(&j);
	eb_doc_foreach(c, open, "bid-result") {
		const char *b = eb_doc_attr(c, "bidder");

		js_obj(&j, NULL);
		js_str(&j, "id", b);
		js_str(&j, "name", bidder_org(t, b));
		js_arr(&j, "roles");
		js_str(&j, NULL, "tenderer");
		if (winner != NULL && strcmp(winner, b) == 0 &&
		    strcmp(wstatus, "active") == 0)
			js_str(&j, NULL, "supplier");
		js_arr_end(&j);
		js_end(&j);
	}
	js_arr_end(&j);
	*bad |= j.bad;

	/* the tender */
	memset(&j, 0, sizeof(j));
	j.b = &p->tender;
	js_obj(&j, NULL);
	js_str(&j, "id", eb_doc_attr(t, "id"));
	js_str(&j, "title", eb_doc_child_text(reg, "title"));
	js_str(&j, "description", eb_doc_path(t, "announcement/text") ?
	    eb_doc_text(eb_doc_path(t, "announcement/text")) : NULL);
	js_str(&j, "status", tender_status(t));
	org_ref(&j, "procuringEntity", "centre", o->publisher);
	js_value(&j, "value", child_attr(reg, "ceiling-price", "fen"));
	js_str(&j, "procurementMethod", "open");
	js_str(&j, "procurementMethodDetails",
	    "Open tender (公开招标), sealed electronic bids opened by k of n "
	    "custodians");
	method = eb_doc_attr(eb_doc_path(reg, "rules/evaluation-rules"),
	    "method");
	if (method != NULL)
		js_str(&j, "awardCriteria", strcmp(method, "comprehensive") == 0 ?
		    "ratedCriteria" : "priceOnly");
	js_arr(&j, "submissionMethod");
	js_str(&j, NULL, "electronicSubmission");
	js_arr_end(&j);
	js_obj(&j, "tenderPeriod");
	js_str(&j, "startDate", child_attr(t, "announcement", "at"));
	js_str(&j, "endDate", child_attr(reg, "bid-deadline", "at"));
	js_end(&j);
	if ((c = eb_doc_child(t, "publicity")) != NULL) {
		js_obj(&j, "awardPeriod");
		js_str(&j, "startDate", eb_doc_attr(c, "at"));
		js_str(&j, "endDate", eb_doc_attr(c, "end"));
		js_end(&j);
	}
	if ((c = eb_doc_child(t, "deadline-reached")) != NULL &&
	    eb_doc_attr(c, "bids") != NULL) {
		int64_t nb = 0;

		if (eb_doc_attr_i64(c, "bids", &nb) == EB_OK)
			js_int(&j, "numberOfTenderers", nb);
	}
	if (open != NULL) {
		js_arr(&j, "tenderers");
		eb_doc_foreach(c, open, "bid-result")
			org_ref(&j, NULL, eb_doc_attr(c, "bidder"),
			    bidder_org(t, eb_doc_attr(c, "bidder")));
		js_arr_end(&j);
	}
	js_arr(&j, "documents");
	eb_doc_foreach(c, eb_doc_child(reg, "documents"), "document") {
		js_obj(&j, NULL);
		js_str(&j, "id", eb_doc_attr(c, "sha256"));
		js_str(&j, "documentType", "biddingDocuments");
		js_str(&j, "title", eb_doc_attr(c, "name"));
		snprintf(id, sizeof(id), "SHA-256 %s", eb_doc_attr(c, "sha256"));
		js_str(&j, "description", id);
		js_end(&j);
	}
	i = 0;
	eb_doc_foreach(n, eb_doc_child(t, "notices"), NULL) {
		snprintf(id, sizeof(id), "notice-%d", ++i);
		js_obj(&j, NULL);
		js_str(&j, "id", id);
		js_str(&j, "documentType", "clarifications");
		js_str(&j, "title", n->name);
		js_str(&j, "description", eb_doc_child_text(n, "text"));
		js_str(&j, "datePublished", eb_doc_attr(n, "at"));
		js_end(&j);
	}
	js_arr_end(&j);
	p->notices = (size_t)i;
	/* one lot: the tender is let as a whole */
	js_arr(&j, "lots");
	js_obj(&j, NULL);
	js_str(&j, "id", "1");
	js_str(&j, "title", eb_doc_child_text(reg, "title"));
	js_str(&j, "status", tender_status(t));
	js_value(&j, "value", child_attr(reg, "ceiling-price", "fen"));
	js_end(&j);
	js_arr_end(&j);
	js_end(&j);
	*bad |= j.bad;
	p->cancelled = eb_doc_child(t, "cancellation") != NULL;

	/* the award: pending under publicity, active once issued */
	if (winner != NULL) {
		memset(&j, 0, sizeof(j));
		j.b = &p->awards;
		js_arr(&j, NULL);
		js_obj(&j, NULL);
		snprintf(id, sizeof(id), "%s-award-1", ocid);
		js_str(&j, "id", id);
		js_str(&j, "title", strcmp(wstatus, "active") == 0 ?
		    "Award (中标通知)" : "First candidate under publicity "
		    "(中标候选人公示)");
		js_str(&j, "status", wstatus);
		js_str(&j, "date", wat);
		js_value(&j, "value", bid_price(t, winner));
		js_arr(&j, "suppliers");
		org_ref(&j, NULL, winner, bidder_org(t, winner));
		js_arr_end(&j);
		js_arr(&j, "relatedLots");
		js_str(&j, NULL, "1");
		js_arr_end(&j);
		js_end(&j);
		js_arr_end(&j);
		*bad |= j.bad;
	}
	/* the contract to sign with the awarded bidder */
	if (winner != NULL && strcmp(wstatus, "active") == 0) {
		memset(&j, 0, sizeof(j));
		j.b = &p->contracts;
		js_arr(&j, NULL);
		js_obj(&j, NULL);
		snprintf(id, sizeof(id), "%s-contract-1", ocid);
		js_str(&j, "id", id);
		snprintf(id, sizeof(id), "%s-award-1", ocid);
		js_str(&j, "awardID", id);
		js_str(&j, "title", "Contract with the awarded bidder");
		js_str(&j, "status", "pending");
		js_value(&j, "value", bid_price(t, winner));
		js_end(&j);
		js_arr_end(&j);
		*bad |= j.bad;
	}
}

static const char *
sale_status(const char *state)
{
	static const char *const active[] = { "listing", "declaring",
	    "auction", "revealing", "suspended", NULL };

	if (strcmp(state, "cancelled") == 0)
		return "cancelled";
	for (size_t i = 0; active[i] != NULL; i++)
		if (strcmp(state, active[i]) == 0)
			return "active";
	return "complete";
}

/*
 * A sale: a public asset sale (公开挂牌/拍卖) published as a tender whose
 * bidders are known only by their bidding numbers: no party, no name,
 * no organisation ever goes out, the winner included.
 */
static void
sale_parts(const struct eb_doc *s, const char *ocid,
    const struct eb_ocds_opts *o, struct parts *p, int *bad)
{
	const struct eb_doc *terms = eb_doc_child(s, "terms"), *c;
	const struct eb_doc *price = eb_doc_child(s, "price");
	const char *state = eb_doc_attr(s, "state") != NULL ?
	    eb_doc_attr(s, "state") : "";
	const char *status = sale_status(state);
	char id[256];
	int64_t nb = 0;
	struct js j;

	memset(&j, 0, sizeof(j));
	j.b = &p->parties;
	js_arr(&j, NULL);
	js_obj(&j, NULL);
	js_str(&j, "id", "centre");
	js_str(&j, "name", o->publisher);
	js_arr(&j, "roles");
	js_str(&j, NULL, "procuringEntity");
	js_arr_end(&j);
	js_end(&j);
	js_arr_end(&j);
	*bad |= j.bad;

	memset(&j, 0, sizeof(j));
	j.b = &p->tender;
	js_obj(&j, NULL);
	js_str(&j, "id", eb_doc_attr(s, "id"));
	js_str(&j, "title", eb_doc_child_text(s, "asset"));
	js_str(&j, "description", "Public sale of a state-owned asset "
	    "(国有资产公开挂牌转让): a listing period of quotes, then an "
	    "auction by bidding numbers when two or more bidders continue");
	js_str(&j, "status", status);
	org_ref(&j, "procuringEntity", "centre", o->publisher);
	js_value(&j, "minValue", eb_doc_attr(terms, "starting-price"));
	js_str(&j, "procurementMethod", "open");
	js_str(&j, "procurementMethodDetails",
	    "Asset sale: listing (挂牌) then auction (拍卖); highest price wins");
	js_str(&j, "awardCriteria", "priceOnly");
	js_str(&j, "awardCriteriaDetails", "The highest bid at or above the "
	    "reserve price, which is committed by hash before the listing and "
	    "revealed after the auction");
	js_obj(&j, "tenderPeriod");
	js_str(&j, "startDate", eb_doc_attr(terms, "listing-start"));
	js_str(&j, "endDate", eb_doc_attr(terms, "listing-end"));
	js_end(&j);
	eb_doc_foreach(c, eb_doc_child(s, "bidders"), "bidder")
		nb++;
	if (strcmp(status, "active") != 0 || strcmp(state, "listing") != 0)
		js_int(&j, "numberOfTenderers", nb);
	js_arr(&j, "documents");
	if ((c = eb_doc_child(s, "reserve")) != NULL) {
		js_obj(&j, NULL);
		js_str(&j, "id", "reserve-commitment");
		js_str(&j, "documentType", "evaluationCriteria");
		js_str(&j, "title", "Reserve price commitment (保留价承诺)");
		if (eb_doc_attr(c, "fen") != NULL)
			snprintf(id, sizeof(id), "SHA-256 commitment %s; "
			    "revealed reserve %s fen, salt %s",
			    eb_doc_attr(c, "commitment"), eb_doc_attr(c, "fen"),
			    eb_doc_attr(c, "salt") ? eb_doc_attr(c, "salt") : "");
		else
			snprintf(id, sizeof(id), "SHA-256 commitment %s",
			    eb_doc_attr(c, "commitment") ?
			    eb_doc_attr(c, "commitment") : "");
		js_str(&j, "description", id);
		js_end(&j);
	}
	js_arr_end(&j);
	js_arr(&j, "lots");
	js_obj(&j, NULL);
	js_str(&j, "id", "1");
	js_str(&j, "title", eb_doc_child_text(s, "asset"));
	js_str(&j, "status", status);
	js_end(&j);
	js_arr_end(&j);
	js_end(&j);
	*bad |= j.bad;
	p->cancelled = strcmp(status, "cancelled") == 0;

	/* the outcome: the price reached, the buyer unnamed */
	if (strcmp(status, "complete") == 0 && price != NULL &&
	    !attr_is(price, "current", "0")) {
		memset(&j, 0, sizeof(j));
		j.b = &p->awards;
		js_arr(&j, NULL);
		js_obj(&j, NULL);
		snprintf(id, sizeof(id), "%s-award-1", ocid);
		js_str(&j, "id", id);
		js_str(&j, "title", "Highest bid (成交)");
		js_str(&j, "description", "The buyer is known by its bidding "
		    "number only; its identity is not published");
		js_str(&j, "status", strcmp(state, "closed") == 0 ? "active" :
		    "pending");
		js_value(&j, "value", eb_doc_attr(price, "current"));
		js_arr(&j, "relatedLots");
		js_str(&j, NULL, "1");
		js_arr_end(&j);
		js_end(&j);
		js_arr_end(&j);
		*bad |= j.bad;
	}
}

/* ------------------------------------------------------ the releases */

static int
in_list(const char *const *list, const char *s)
{
	for (; list != NULL && *list != NULL; list++)
		if (strcmp(*list, s) == 0)
			return 1;
	return 0;
}

static const char *
tag_of(const struct parts *prev, const struct parts *now, int first)
{
	if (first)
		return "tender";
	if (now->cancelled && !prev->cancelled)
		return "tenderCancellation";
	if (!same(&prev->contracts, &now->contracts))
		return prev->contracts.len == 0 ? "contract" : "contractUpdate";
	if (!same(&prev->awards, &now->awards))
		return prev->awards.len == 0 ? "award" : "awardUpdate";
	if (now->notices > prev->notices)
		return "tenderAmendment";
	return "tenderUpdate";
}

/* One release: 'p' with its id, date and tag. */
static void
release(struct js *j, const char *key, const char *ocid, const char *id,
    const char *date, const char *tag, const struct parts *p)
{
	js_obj(j, key);
	js_str(j, "ocid", ocid);
	js_str(j, "id", id);
	js_str(j, "date", date);
	js_arr(j, "tag");
	js_str(j, NULL, tag);
	js_arr_end(j);
	js_str(j, "initiationType", "tender");
	js_str(j, "language", "zh");
	js_key(j, "parties");
	js_raw(j, eb_buf_str(&p->parties));
	if (p->buyer != NULL) {
		js_obj(j, "buyer");
		js_str(j, "id", p->buyer);
		js_end(j);
	}
	js_key(j, "tender");
	js_raw(j, eb_buf_str(&p->tender));
	if (p->awards.len > 0) {
		js_key(j, "awards");
		js_raw(j, eb_buf_str(&p->awards));
	}
	if (p->contracts.len > 0) {
		js_key(j, "contracts");
		js_raw(j, eb_buf_str(&p->contracts));
	}
	js_end(j);
}

static void
package_head(struct js *j, const struct eb_ocds_opts *o, const char *ocid,
    const char *kind, const char *date)
{
	char uri[512];

	js_obj(j, NULL);
	if (o->uri_base != NULL) {
		snprintf(uri, sizeof(uri), "%s/%s/%s.json", o->uri_base, ocid,
		    kind);
		js_str(j, "uri", uri);
	}
	js_str(j, "version", "1.1");
	js_str(j, "publishedDate", date);
	js_obj(j, "publisher");
	js_str(j, "name", o->publisher);
	js_end(j);
}

/* the writer's sticky failure, reported */
static int
too_large(struct eb_error *err, const char *id)
{
	return eb_fail(err, EB_ERR_LIMIT, "document-too-large", NULL,
	    "the OCDS packages of %s do not fit the buffer limit", id);
}

int
eb_ocds_build(const struct eb_audit_log *l, const struct eb_ocds_opts *o,
    struct eb_buf *releases, struct eb_buf *record, struct eb_error *err)
{
	const struct eb_flow_entry *fe = eb_flow_for_kind(l->kind);
	const struct eb_flow_ops *ops = fe != NULL ? fe->ops : NULL;
	int is_tender = strcmp(l->kind, "tender") == 0, bad = 0, listed = 0;
	struct parts prev, now;
	struct eb_buf rel = EB_BUF_INIT;   /* the releases, comma-joined */
	struct js jr, jp;
	struct eb_actor pub;
	char ocid[EB_ID_MAX + 32], rid[EB_ID_MAX + 64], date[EB_ISOTIME_LEN];
	char last_date[EB_ISOTIME_LEN] = "";
	size_t i, nrel = 0;
	void *st;
	int rc = EB_OK;

	if (ops == NULL || (!is_tender && strcmp(l->kind, "sale") != 0))
		return eb_fail(err, EB_ERR_USAGE, "not-open-data",
		    "Give the log of a tender or a sale.",
		    "a %s log is not published as OCDS", l->kind);
	st = ops->create(l->aggregate);
	snprintf(ocid, sizeof(ocid), "%s-%s", o->prefix, l->aggregate);
	memset(&prev, 0, sizeof(prev));
	memset(&pub, 0, sizeof(pub));
	pub.role = EB_ROLE_NONE;
	memset(&jr, 0, sizeof(jr));
	jr.b = &rel;
	js_arr(&jr, NULL);      /* depth 1: releases are array members */

	for (i = 0; i < l->n; i++) {
		const struct eb_audit_entry *e = &l->entries[i];
		struct eb_doc *v;
		const char *state;

		if ((rc = ops->apply(st, e->events, err)) != EB_OK)
			goto out;
		state = ops->state_name(st);
		if (!in_list(ops->unlisted_states, state) &&
		    strcmp(state, "cancelled") != 0)
			listed = 1;
		if (!listed)
			continue;
		v = ops->view(st, &pub);
		memset(&now, 0, sizeof(now));
		if (is_tender && eb_doc_child(v, "announcement") == NULL) {
			eb_doc_free(v);
			continue;
		}
		if (is_tender)
			tender_parts(v, ocid, o, &now, &bad);
		else
			sale_parts(v, ocid, o, &now, &bad);
		eb_doc_free(v);
		if (nrel > 0 && same(&prev.parties, &now.parties) &&
		    same(&prev.tender, &now.tender) &&
		    same(&prev.awards, &now.awards) &&
		    same(&prev.contracts, &now.contracts)) {
			parts_free(&now);
			continue;
		}
		snprintf(rid, sizeof(rid), "%s-%lld", ocid, (long long)e->seq);
		eb_isotime_format(e->time, date);
		release(&jr, NULL, ocid, rid, date, tag_of(&prev, &now, nrel == 0),
		    &now);
		memcpy(last_date, date, sizeof(date));
		nrel++;
		parts_free(&prev);
		prev = now;
	}
	js_arr_end(&jr);
	if (bad || jr.bad) {
		rc = too_large(err, l->aggregate);
		goto out;
	}
	if (nrel == 0) {
		rc = eb_fail(err, EB_ERR_NOTFOUND, "nothing-public",
		    "A tender is public once announced, a sale once listed.",
		    "%s %s has no public step yet", l->kind, l->aggregate);
		goto out;
	}
	/* the release package */
	memset(&jp, 0, sizeof(jp));
	jp.b = releases;
	package_head(&jp, o, ocid, "releases", last_date);
	js_key(&jp, "releases");
	js_raw(&jp, eb_buf_str(&rel));
	js_end(&jp);
	js_raw(&jp, "\n");
	if (jp.bad) {
		rc = too_large(err, l->aggregate);
		goto out;
	}
	/* the record package: every release, and the compiled release (each
	 * release is a whole snapshot of the public view, so the compiled
	 * release is the last one, tagged "compiled") */
	memset(&jp, 0, sizeof(jp));
	jp.b = record;
	package_head(&jp, o, ocid, "record", last_date);
	js_arr(&jp, "records");
	js_obj(&jp, NULL);
	js_str(&jp, "ocid", ocid);
	js_key(&jp, "releases");
	js_raw(&jp, eb_buf_str(&rel));
	snprintf(rid, sizeof(rid), "%s-compiled", ocid);
	release(&jp, "compiledRelease", ocid, rid, last_date, "compiled",
	    &prev);
	js_end(&jp);
	js_arr_end(&jp);
	js_end(&jp);
	js_raw(&jp, "\n");
	if (jp.bad)
		rc = too_large(err, l->aggregate);
out:
	parts_free(&prev);
	eb_buf_free(&rel);
	ops->destroy(st);
	return rc;
}
