/*
 * engine/core/tender_opening.c
 *    Organization, the opening and the clearing: the custodians' shares,
 *    open-bids (with the benchmark coefficient drawn in public), the opened
 *    bids as the rule modules read them, and clear-bids (CLEARING).
 *
 * Owner: the tender-flow engineer.  Part of the tender state machine:
 * engine/core/tender.c holds the table and decide(), tender_int.h what
 * its files share (docs/tender-flow.md for the flow).
 *
 * Pure: no I/O, no clock, no floating point.
 */
#include "engine/core/tender_int.h"
#include "engine/core/clearing.h"
#include "engine/core/evaluation.h"

/* ------------------------------------------------------------------ */
/* organization: shares, opening, clearing                              */
/* ------------------------------------------------------------------ */

int
g_submit_share(const struct tender *t, const struct eb_cmd *c,
    struct eb_doc *events, struct eb_error *err)
{
	const char *s = eb_doc_child_text(c->body, "share");
	char hex[EB_SHA256_HEX];
	struct eb_doc *e;

	(void)t;
	if (!is_base64(s))
		return missing(err, c->body->name, "share");
	eb_sha256_hex(s, strlen(s), hex);
	e = ev_add(events, "share-submitted", c);
	eb_doc_set_attr(e, "custodian", c->actor.party);
	eb_doc_set_attr(e, "share-sha256", hex);
	return EB_OK;
}


/*
 * open-bids carries, for every bid held at the deadline, one
 *   <bid-result bidder= commitment= status="opened|invalid"
 *               [cause= fault="bidder|other"] [total-price=]>
 *     [<bid>...</bid>]              (opened ones: the decrypted document)
 * The core checks that the list is exactly the bids it holds, that each
 * commitment matches, and counts the opened ones: fewer than three fail
 * the tender (流标).
 */
int
g_open(const struct tender *t, const struct eb_cmd *c,
    struct eb_doc *events, struct eb_error *err)
{
	struct eb_doc *r, *b, *e;
	int64_t opened = 0, price;
	char a[EB_ISOTIME_LEN];
	const char *st;

	if ((int64_t)eb_doc_count(t->shares, "share") < t->threshold)
		return eb_fail(err, EB_ERR_RULE, "shares-missing",
		    "Wait until enough custodians have submitted their shares.",
		    "%zu of %lld shares", eb_doc_count(t->shares, "share"),
		    (long long)t->threshold);
	if (c->time < t->opening) {
		iso(t->opening, a);
		return eb_fail(err, EB_ERR_RULE, "opening-time-not-reached",
		    "Bids are opened at the announced opening time.",
		    "opening time is %s", a);
	}
	if (eb_doc_count(c->body, "bid-result") != eb_doc_count(t->bids, "bid"))
		return eb_fail(err, EB_ERR_RULE, "opening-incomplete",
		    "Report every bid held at the deadline, once.",
		    "%zu results for %zu bids",
		    eb_doc_count(c->body, "bid-result"),
		    eb_doc_count(t->bids, "bid"));
	eb_doc_foreach(r, c->body, "bid-result") {
		b = find_by(t->bids, "bid", "bidder", eb_doc_attr(r, "bidder"));
		st = eb_doc_attr(r, "status");
		if (b == NULL || count_attr(c->body, "bid-result", "bidder",
		    eb_doc_attr(r, "bidder")) != 1 ||
		    !attr_is(r, "commitment", eb_doc_attr(b, "commitment")))
			return eb_fail(err, EB_ERR_RULE, "opening-mismatch",
			    "Report each held bid once, with its commitment.",
			    "bid-result for '%s' does not match a held bid",
			    eb_doc_attr(r, "bidder") ? eb_doc_attr(r, "bidder") :
			    "");
		if (st != NULL && strcmp(st, "opened") == 0) {
			if (eb_doc_child(r, "bid") == NULL ||
			    eb_doc_attr_i64(r, "total-price", &price) != EB_OK ||
			    price < 0)
				return missing(err, c->body->name,
				    "bid-result/bid and total-price");
			opened++;
		} else if (st != NULL && strcmp(st, "invalid") == 0) {
			if (!nonblank(eb_doc_attr(r, "cause")) ||
			    !(attr_is(r, "fault", "bidder") ||
			    attr_is(r, "fault", "other")))
				return missing(err, c->body->name,
				    "bid-result@cause/@fault");
		} else
			return missing(err, c->body->name, "bid-result@status");
	}
	e = ev_add(events, "bids-opened", c);
	eb_doc_set_attr_i64(e, "opened", opened);
	eb_doc_foreach(r, c->body, "bid-result")
		eb_doc_append(e, eb_doc_clone(r));
	if (opened < MIN_VALID_BIDS) {
		fail_event(events, c, "fewer-than-three-valid-bids", opened);
		return EB_OK;
	}
	/*
	 * The benchmark coefficient K is drawn at the opening, in public,
	 * when the rules list several: seed = SHA-256 of the tender's
	 * history digest and "benchmark-coefficient", so an auditor draws
	 * the same K.
	 */
	{
		const struct eb_doc *rules = eval_rules(t);
		const struct eb_doc *pf = eb_doc_child(rules, "price-formula");
		uint8_t head[EB_SHA256_LEN + 21], seed[EB_SHA256_LEN];
		const struct eb_doc *k;
		int64_t kv = 0;
		size_t idx = 0, i = 0;
		int rc;

		if (pf == NULL || eb_doc_child(pf, "coefficient") == NULL ||
		    eb_doc_attr(pf, "drawn-coefficient") != NULL)
			return EB_OK;
		history_digest(t, head);
		memcpy(head + EB_SHA256_LEN, "benchmark-coefficient", 21);
		eb_sha256(head, sizeof(head), seed);
		if ((rc = eb_evaluation_draw_coefficient(rules, seed, &kv, &idx,
		    err)) != EB_OK)
			return rc;
		eb_doc_foreach(k, pf, "coefficient")
			if (i++ == idx)
				break;
		e = ev_add(events, "coefficient-drawn", c);
		eb_doc_set_attr(e, "value", eb_doc_text(k));
		eb_doc_set_attr_i64(e, "index", (int64_t)idx);
	}
	/* the clearing runs on these bids in clear-bids (g_clear) */
	return EB_OK;
}

/* Opened, and not found invalid by the clearing. */
int
opened_valid(const struct tender *t, const char *bidder)
{
	struct eb_doc *r = find_by(t->opening_rec, "bid-result", "bidder",
	    bidder);
	struct eb_doc *c = find_by(t->clearing, "bid-summary", "bidder",
	    bidder);

	return r != NULL && attr_is(r, "status", "opened") &&
	    !(c != NULL && attr_is(c, "status", "invalid"));
}

/*
 * The opened bids as <opened-bid bidder= org=><bid>..</bid> (what
 * clearing.h and evaluation.h read), all of them or only those valid
 * after clearing.  Returns a new array of new trees (free with
 * free_bids) and their number in *n; never NULL.
 */
struct eb_doc **
opened_bids(const struct tender *t, int valid_only, size_t *n)
{
	size_t cap = eb_doc_count(t->opening_rec, "bid-result");
	struct eb_doc **bids = eb_calloc(cap ? cap : 1, sizeof(*bids)), *r, *s;

	*n = 0;
	eb_doc_foreach(r, t->opening_rec, "bid-result") {
		const char *p = eb_doc_attr(r, "bidder");

		if (!attr_is(r, "status", "opened") ||
		    (valid_only && !opened_valid(t, p)))
			continue;
		bids[*n] = eb_doc_new("opened-bid");
		eb_doc_set_attr(bids[*n], "bidder", p);
		s = find_by(t->signups, "sign-up", "bidder", p);
		eb_doc_set_attr(bids[*n], "org", s != NULL ?
		    eb_doc_attr(s, "org") : NULL);
		eb_doc_append(bids[*n], eb_doc_clone(eb_doc_child(r, "bid")));
		(*n)++;
	}
	return bids;
}

void
free_bids(struct eb_doc **bids, size_t n)
{
	size_t i;

	for (i = 0; bids != NULL && i < n; i++)
		eb_doc_free(bids[i]);
	free(bids);
}

/*
 * The clearing (清标) of the opened bids: eb_clearing_run() of
 * engine/core/clearing.c on the registration's <clearing-rules> (absent:
 * its defaults) and every opened bid as <opened-bid bidder= org=><bid>.
 * The report is computed here, so a replay recomputes it byte for byte.
 */
int
g_clear(const struct tender *t, const struct eb_cmd *c,
    struct eb_doc *events, struct eb_error *err)
{
	const struct eb_doc *given = eb_doc_path(t->reg, "rules/clearing-rules");
	struct eb_doc **bids = NULL, *rep = NULL, *e, *rules;
	size_t n = 0;
	int rc;

	/* the registration's ceiling price is the clearing's ceiling
	 * (registration refuses clearing rules that name another one) */
	rules = given != NULL ? eb_doc_clone(given) :
	    eb_doc_new("clearing-rules");
	if (eb_doc_child(rules, "ceiling-price") == NULL) {
		char fen[24];

		snprintf(fen, sizeof(fen), "%lld", (long long)t->ceiling);
		eb_doc_add_text(rules, "ceiling-price", fen);
	}
	bids = opened_bids(t, 0, &n);
	/* CLEARING: eb_clearing_run() plugs in here */
	rc = eb_clearing_run(rules, (const struct eb_doc *const *)bids, n,
	    &rep, err);
	free_bids(bids, n);
	eb_doc_free(rules);
	if (rc != EB_OK)
		return rc;
	e = ev_add(events, "clearing-report", c);
	eb_doc_append(e, rep);
	return EB_OK;
}

/* SHA-256 of the tender's history step digests (hex, in order): a value
 * fixed by the log so far and known to nobody before its last event.
 * Used as the draw's log head and as the evaluation's tie seed. */
void
history_digest(const struct tender *t, uint8_t out[EB_SHA256_LEN])
{
	struct eb_buf b = EB_BUF_INIT;
	struct eb_doc *s;
	int rc = EB_OK;

	eb_doc_foreach(s, t->history, "step")
		if (rc == EB_OK)
			rc = eb_buf_puts(&b, eb_doc_attr(s, "sha256"));
	eb_sha256(b.data != NULL ? b.data : (const uint8_t *)"", b.len, out);
	eb_buf_free(&b);
}
