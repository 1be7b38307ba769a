/*
 * engine/core/tender_evaluation.c
 *    Organization, the evaluation: the tender's evaluation rules, the
 *    score sheets (SCORING), explained deviations and close-evaluation
 *    (EVALUATION: eb_evaluation_result, or the committee's ranking
 *    form-checked without rules).
 *
 * Owner: the tender-flow engineer.  Part of the tender state machine:
 * engine/core/tender.c holds the table and decide(), tender_int.h what
 * its files share (docs/tender-flow.md for the flow).
 *
 * Pure: no I/O, no clock, no floating point.
 */
#include "engine/core/tender_int.h"
#include "engine/core/evaluation.h"

/* ------------------------------------------------------------------ */
/* organization: the evaluation                                         */
/* ------------------------------------------------------------------ */

/* The tender's <evaluation-rules>, or NULL when it states none. */
const struct eb_doc *
eval_rules(const struct tender *t)
{
	return t->reg != NULL ? eb_doc_path(t->reg, "rules/evaluation-rules") :
	    NULL;
}

/*
 * The evaluation rules as the evaluation applies them: with the benchmark
 * coefficient drawn at the opening written in (drawn-coefficient).  A new
 * tree (caller frees), or NULL without evaluation rules.
 */
struct eb_doc *
eval_rules_drawn(const struct tender *t)
{
	const struct eb_doc *r = eval_rules(t);
	struct eb_doc *c, *f;

	if (r == NULL)
		return NULL;
	c = eb_doc_clone(r);
	if (t->coefficient != NULL &&
	    (f = eb_doc_child(c, "price-formula")) != NULL)
		eb_doc_set_attr(f, "drawn-coefficient",
		    eb_doc_attr(t->coefficient, "value"));
	return c;
}

/*
 * The bids the committee scores: eb_evaluation_scored_bids() on the
 * bids valid after clearing, the one definition the scoring form (the
 * clearing report's scored= marks), submit-scores and close-evaluation
 * share.  *bids holds the trees the names borrow from (free_bids).
 */
int
scored_bidders(const struct tender *t, const struct eb_doc *rules,
    struct eb_doc ***bids, size_t *nb, const char ***names, size_t *n,
    const char ***reasons, struct eb_error *err)
{
	*n = 0;
	*bids = opened_bids(t, 1, nb);
	*names = eb_calloc(*nb + 1, sizeof(**names));
	if (reasons != NULL)
		*reasons = eb_calloc(*nb + 1, sizeof(**reasons));
	return eb_evaluation_scored_bids(rules,
	    (const struct eb_doc *const *)*bids, *nb, *names, n,
	    reasons != NULL ? *reasons : NULL, err);
}

/*
 * submit-scores: the sheet is stored as <score-sheet expert=(the caller)
 * tender=>; with evaluation rules it must pass eb_score_sheet_check()
 * against the bidders valid after clearing (every bid on every criterion
 * once, within bounds, on the step grid, reasons where required).
 */
int
g_scores(const struct tender *t, const struct eb_cmd *c,
    struct eb_doc *events, struct eb_error *err)
{
	const struct eb_doc *given = eb_doc_child(c->body, "score-sheet");
	struct eb_doc *rules = NULL;
	struct eb_doc *sheet, *e;
	struct eb_buf b = EB_BUF_INIT;
	char hex[EB_SHA256_HEX];
	const char **vb = NULL;
	size_t n = 0;
	int rc = EB_OK;

	if (given == NULL)
		return missing(err, c->body->name, "score-sheet");
	rules = eval_rules_drawn(t);
	sheet = eb_doc_clone(given);
	eb_doc_set_attr(sheet, "expert", c->actor.party);
	eb_doc_set_attr(sheet, "tender", t->id);
	/* SCORING: eb_score_sheet_check() plugs in here */
	if (rules != NULL) {
		struct eb_doc **bids = NULL;
		size_t nb = 0;

		if ((rc = scored_bidders(t, rules, &bids, &nb, &vb, &n, NULL,
		    err)) == EB_OK)
			rc = eb_score_sheet_check(rules, sheet, vb, n, err);
		free(vb);
		free_bids(bids, nb);
	}
	if (rc == EB_OK && eb_doc_serialize(sheet, &b) != EB_OK)
		rc = eb_fail(err, EB_ERR_LIMIT, "score-sheet-too-large",
		    NULL, "score sheet exceeds the buffer limit");
	if (rc != EB_OK) {
		eb_buf_free(&b);
		eb_doc_free(sheet);
		eb_doc_free(rules);
		return rc;
	}
	eb_sha256_hex(b.data, b.len, hex);
	eb_buf_free(&b);
	e = ev_add(events, "scores-submitted", c);
	eb_doc_set_attr(e, "expert", c->actor.party);
	eb_doc_set_attr(e, "sha256", hex);
	eb_doc_append(e, sheet);
	eb_doc_free(rules);
	return EB_OK;
}

/*
 * explain-deviation bid= criterion=? <reason>: an expert explains in
 * writing a score of its own the deviation rule flags (docs/evaluation.md,
 * "Deviation alerts"); criterion absent = the total (scope="total").  The
 * alert must exist on the expert's current sheet; the explanation is kept
 * with that sheet (a new sheet needs new explanations) and shown in the
 * result's <alert>.
 */
int
g_explain(const struct tender *t, const struct eb_cmd *c,
    struct eb_doc *events, struct eb_error *err)
{
	const char *bid = eb_doc_attr(c->body, "bid");
	const char *crit = eb_doc_attr(c->body, "criterion");
	const char *why = eb_doc_child_text(c->body, "reason");
	const struct eb_doc **sheets = NULL;
	struct eb_doc *rules, *alerts = NULL, *al, *x, *e;
	size_t ns = 0;
	int rc, found = 0;

	if (bid == NULL || *bid == '\0')
		return missing(err, c->body->name, "bid");
	if (why == NULL || *why == '\0')
		return missing(err, c->body->name, "reason");
	if (find_by(t->scores, "score-sheet", "expert", c->actor.party) ==
	    NULL)
		return eb_fail(err, EB_ERR_STATE, "no-score-sheet",
		    "Submit your score sheet first.",
		    "explain-deviation: %s has no score sheet on tender %s",
		    c->actor.party, t->id);
	if ((rules = eval_rules_drawn(t)) == NULL)
		return eb_fail(err, EB_ERR_RULE, "no-deviation-alert",
		    "The tender's rules flag no deviations.",
		    "explain-deviation: tender %s has no evaluation rules",
		    t->id);
	sheets = eb_calloc(eb_doc_count(t->scores, "score-sheet") + 1,
	    sizeof(*sheets));
	eb_doc_foreach(x, t->scores, "score-sheet")
		sheets[ns++] = x;
	rc = eb_evaluation_alerts(rules, (const struct eb_doc *const *)sheets,
	    ns, &alerts, err);
	free(sheets);
	eb_doc_free(rules);
	if (rc != EB_OK)
		return rc;
	eb_doc_foreach(al, alerts, "alert")
		if (attr_is(al, "expert", c->actor.party) &&
		    attr_is(al, "bid", bid) && (crit == NULL ?
		    eb_doc_attr(al, "criterion") == NULL :
		    attr_is(al, "criterion", crit)))
			found = 1;
	eb_doc_free(alerts);
	if (!found)
		return eb_fail(err, EB_ERR_RULE, "no-deviation-alert",
		    "Explain only a score of yours the deviation rule flags (ebid result show lists the alerts after the close; the supervisor's close-evaluation names the first one).",
		    "explain-deviation: no deviation alert on %s's score of "
		    "bid %s%s%s", c->actor.party, bid, crit ? " on " : "",
		    crit ? crit : " (total)");
	e = ev_add(events, "deviation-explained", c);
	eb_doc_set_attr(e, "expert", c->actor.party);
	eb_doc_set_attr(e, "bid", bid);
	if (crit != NULL)
		eb_doc_set_attr(e, "criterion", crit);
	eb_doc_add_text(e, "reason", why);
	return EB_OK;
}

/*
 * With evaluation rules: the result is eb_evaluation_result() on the
 * bids valid after clearing and the committee's sheets; its candidates
 * are the tender's.  A command that carries candidates must name
 * exactly those.
 */
static int
computed_result(const struct tender *t, const struct eb_cmd *c,
    struct eb_doc **result, struct eb_error *err)
{
	struct eb_doc *drawn = NULL;
	struct eb_doc **bids = NULL, *x, *cand, *mine;
	const struct eb_doc **sheets = NULL;
	size_t nb = 0, ns = 0;
	uint8_t seed[EB_SHA256_LEN];
	char hex[EB_SHA256_HEX];
	int rc = EB_OK;

	*result = NULL;
	bids = opened_bids(t, 1, &nb);
	sheets = eb_calloc(eb_doc_count(t->scores, "score-sheet") + 1,
	    sizeof(*sheets));
	eb_doc_foreach(x, t->scores, "score-sheet")
		sheets[ns++] = x;
	history_digest(t, seed);
	/* EVALUATION: eb_evaluation_result() plugs in here */
	drawn = eval_rules_drawn(t);
	rc = eb_evaluation_result(drawn,
	    (const struct eb_doc *const *)bids, nb,
	    (const struct eb_doc *const *)sheets, ns, seed, result, err);
	eb_doc_free(drawn);
	if (rc != EB_OK)
		goto out;
	eb_hex32(seed, hex);
	eb_doc_set_attr(*result, "tie-seed", hex);
	/* carried candidates must be the computed ones, in order */
	cand = eb_doc_path(*result, "candidates/candidate");
	eb_doc_foreach(mine, c->body, "candidate") {
		if (cand == NULL || !attr_is(mine, "bidder",
		    eb_doc_attr(cand, "bidder")) || !attr_is(mine, "rank",
		    eb_doc_attr(cand, "position"))) {
			rc = eb_fail(err, EB_ERR_RULE, "candidates-differ",
			    "Send close-evaluation without candidates: the rules rank the bids.",
			    "candidate %s (rank %s) is not the computed one",
			    eb_doc_attr(mine, "bidder") ?
			    eb_doc_attr(mine, "bidder") : "",
			    eb_doc_attr(mine, "rank") ?
			    eb_doc_attr(mine, "rank") : "");
			goto out;
		}
		cand = eb_doc_next(cand, "candidate");
	}
	if (eb_doc_child(c->body, "candidate") != NULL && cand != NULL)
		rc = eb_fail(err, EB_ERR_RULE, "candidates-differ",
		    "Send close-evaluation without candidates: the rules rank the bids.",
		    "computed candidate %s is missing",
		    eb_doc_attr(cand, "bidder"));
out:
	if (rc != EB_OK) {
		eb_doc_free(*result);
		*result = NULL;
	}
	free_bids(bids, nb);
	free(sheets);
	return rc;
}

int
g_close_eval(const struct tender *t, const struct eb_cmd *c,
    struct eb_doc *events, struct eb_error *err)
{
	struct eb_doc *m, *cand, *e, *rep;
	int64_t rank, n = 0;
	const char *bidder;

	if ((int64_t)count_attr(t->committee, "member", "status", "accepted") !=
	    t->committee_size)
		return eb_fail(err, EB_ERR_RULE, "committee-incomplete",
		    "Every seat must be held by an expert who accepted.",
		    "%zu of %lld experts accepted",
		    count_attr(t->committee, "member", "status", "accepted"),
		    (long long)t->committee_size);
	eb_doc_foreach(m, t->committee, "member")
		if (attr_is(m, "status", "accepted") &&
		    find_by(t->scores, "score-sheet", "expert",
		    eb_doc_attr(m, "party")) == NULL)
			return eb_fail(err, EB_ERR_RULE, "scores-missing",
			    "Wait until every expert has submitted scores.",
			    "expert %s has not submitted scores",
			    eb_doc_attr(m, "party"));
	if (eval_rules(t) != NULL) {
		struct eb_doc *res = NULL, *k;
		int rc;

		if ((rc = computed_result(t, c, &res, err)) != EB_OK)
			return rc;
		e = ev_add(events, "evaluation-closed", c);
		eb_doc_foreach(k, eb_doc_child(res, "candidates"), "candidate") {
			cand = eb_doc_add(e, "candidate");
			eb_doc_set_attr(cand, "rank", eb_doc_attr(k, "position"));
			eb_doc_set_attr(cand, "bidder", eb_doc_attr(k, "bidder"));
			/* a tender in lots: each lot's candidates (absent
			 * otherwise, so the event is as before) */
			eb_doc_set_attr(cand, "lot", eb_doc_attr(k, "lot"));
		}
		eb_doc_append(e, res);
		if (eb_doc_child(e, "candidate") == NULL)
			return eb_fail(err, EB_ERR_RULE, "candidates-invalid",
			    "No bid can be ranked; cancel or re-tender.",
			    "the evaluation ranked no candidate");
		return EB_OK;
	}
	/* Without evaluation rules the committee's ranking comes in the
	 * command (its report in <report>) and the core checks its form. */
	eb_doc_foreach(cand, c->body, "candidate") {
		bidder = eb_doc_attr(cand, "bidder");
		if (eb_doc_attr_i64(cand, "rank", &rank) != EB_OK ||
		    !nonblank(bidder))
			return missing(err, c->body->name,
			    "candidate@rank/@bidder");
		n++;
		if (rank != n || !opened_valid(t, bidder) ||
		    count_attr(c->body, "candidate", "bidder", bidder) != 1)
			return eb_fail(err, EB_ERR_RULE, "candidates-invalid",
			    "List up to three distinct bidders, opened and valid after clearing, ranked 1, 2, 3.",
			    "candidate %s at position %lld", bidder,
			    (long long)n);
	}
	if (n < 1 || n > MAX_CANDIDATES)
		return eb_fail(err, EB_ERR_RULE, "candidates-invalid",
		    "List one to three candidates (实施条例 Art. 53).",
		    "%lld candidates", (long long)n);
	e = ev_add(events, "evaluation-closed", c);
	eb_doc_foreach(cand, c->body, "candidate")
		eb_doc_append(e, eb_doc_clone(cand));
	rep = eb_doc_child(c->body, "report");
	if (rep != NULL)
		eb_doc_append(e, eb_doc_clone(rep));
	return EB_OK;
}
