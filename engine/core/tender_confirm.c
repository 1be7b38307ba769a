/*
 * engine/core/tender_confirm.c
 *    Confirmation (确认): the committee report's signatures, publicity
 *    (公示), objections and answers, the verification record, the award
 *    and the closing.
 *
 * Owner: the tender-flow engineer.  Part of the tender state machine:
 * engine/core/tender.c holds the table and decide(), tender_int.h what
 * its files share (docs/tender-flow.md for the flow).
 *
 * Pure: no I/O, no clock, no floating point.
 */
#include "engine/core/tender_int.h"

/* ------------------------------------------------------------------ */
/* confirmation                                                         */
/* ------------------------------------------------------------------ */

/*
 * The committee report (评标报告) is the evaluation result; each member
 * signs exactly those bytes: the SHA-256 of the canonical <result> record
 * (Art. 53: signed by every member, dissent recorded).
 */
static int
result_sha256(const struct tender *t, char hex[EB_SHA256_HEX])
{
	struct eb_buf b = EB_BUF_INIT;
	int rc;

	if (t->result == NULL)
		return EB_ERR_STATE;
	if ((rc = eb_doc_serialize(t->result, &b)) == EB_OK)
		eb_sha256_hex(b.data, b.len, hex);
	eb_buf_free(&b);
	return rc;
}

int
g_sign_report(const struct tender *t, const struct eb_cmd *c,
    struct eb_doc *events, struct eb_error *err)
{
	const char *want = eb_doc_attr(c->body, "report-sha256");
	const char *dissent = eb_doc_child_text(c->body, "dissent");
	char hex[EB_SHA256_HEX];
	struct eb_doc *e;

	if (!is_sha256(want))
		return missing(err, c->body->name, "@report-sha256");
	if (result_sha256(t, hex) != EB_OK)
		return eb_fail(err, EB_ERR_STATE, "no-report", NULL,
		    "tender %s has no evaluation result to sign", t->id);
	if (strcmp(hex, want) != 0)
		return eb_fail(err, EB_ERR_RULE, "report-differs",
		    "Read the result again (ebid result show) and sign what it says.",
		    "the signed report hash is not the hash of the recorded result");
	if (find_by(t->report, "signature", "expert", c->actor.party) != NULL)
		return eb_fail(err, EB_ERR_RULE, "already-signed",
		    "Each member signs the report once.",
		    "expert %s has signed the report already", c->actor.party);
	e = ev_add(events, "report-signed", c);
	eb_doc_set_attr(e, "expert", c->actor.party);
	eb_doc_set_attr(e, "sha256", hex);
	if (dissent != NULL && nonblank(dissent))
		eb_doc_add_text(e, "dissent", dissent);
	return EB_OK;
}

/* Every accepted committee member has signed the report. */
static int
report_complete(const struct tender *t, struct eb_error *err)
{
	struct eb_doc *m;

	eb_doc_foreach(m, t->committee, "member")
		if (attr_is(m, "status", "accepted") &&
		    find_by(t->report, "signature", "expert",
		    eb_doc_attr(m, "party")) == NULL)
			return eb_fail(err, EB_ERR_RULE, "report-not-signed",
			    "Every committee member signs the report first "
			    "(ebid result sign).",
			    "expert %s has not signed the committee report",
			    eb_doc_attr(m, "party"));
	return EB_OK;
}

int
g_publish(const struct tender *t, const struct eb_cmd *c,
    struct eb_doc *events, struct eb_error *err)
{
	struct eb_doc *e;
	int rc;

	if ((rc = report_complete(t, err)) != EB_OK)
		return rc;
	e = ev_add(events, "candidates-published", c);
	set_time(e, "publicity-end", c->time + t->publicity_ms);
	return EB_OK;
}

int
g_object(const struct tender *t, const struct eb_cmd *c,
    struct eb_doc *events, struct eb_error *err)
{
	const char *text = NULL;
	struct eb_doc *e;
	char a[EB_ISOTIME_LEN];
	int rc;

	if (t->state == EB_TS_PUBLICITY && c->time >= t->publicity_end) {
		iso(t->publicity_end, a);
		return eb_fail(err, EB_ERR_RULE, "publicity-over",
		    "Objections are raised during the publicity period only.",
		    "the publicity period ended at %s", a);
	}
	if ((rc = require_text(c->body, "text", c->body->name, &text, err)))
		return rc;
	if (eb_doc_count(t->objections, "objection") >= MAX_OBJECTIONS)
		return eb_fail(err, EB_ERR_LIMIT, "too-many-objections", NULL,
		    "tender %s has %d objections", t->id, MAX_OBJECTIONS);
	e = ev_add(events, "objection-raised", c);
	eb_doc_set_attr_i64(e, "objection",
	    (int64_t)eb_doc_count(t->objections, "objection") + 1);
	eb_doc_set_attr(e, "bidder", c->actor.party);
	eb_doc_add_text(e, "text", text);
	return EB_OK;
}

/*
 * Answering the last open objection resumes the publicity; the period is
 * extended by the time the objections stopped it (the flow is suspended
 * meanwhile, 实施条例 Art. 54).
 */
int
g_answer(const struct tender *t, const struct eb_cmd *c,
    struct eb_doc *events, struct eb_error *err)
{
	const char *id = eb_doc_attr(c->body, "objection"), *text = NULL;
	const char *dec = eb_doc_attr(c->body, "decision");
	struct eb_doc *o, *e;
	int rc;

	if (!nonblank(id))
		return missing(err, c->body->name, "objection");
	if (dec == NULL || (strcmp(dec, "upheld") && strcmp(dec, "dismissed")))
		return missing(err, c->body->name, "decision");
	if ((rc = require_text(c->body, "text", c->body->name, &text, err)))
		return rc;
	o = find_by(t->objections, "objection", "objection", id);
	if (o == NULL || attr_is(o, "status", "answered"))
		return eb_fail(err, EB_ERR_RULE, "objection-not-open",
		    "Answer an objection that is open.",
		    "objection %s is %s", id, o == NULL ? "unknown" :
		    "already answered");
	e = ev_add(events, "objection-answered", c);
	eb_doc_set_attr(e, "objection", id);
	eb_doc_set_attr(e, "decision", dec);
	eb_doc_add_text(e, "text", text);
	if (t->open_objections == 1)
		set_time(e, "publicity-end",
		    t->publicity_end + (c->time - t->objection_since));
	return EB_OK;
}

int
g_publicity_ended(const struct tender *t, const struct eb_cmd *c,
    struct eb_doc *events, struct eb_error *err)
{
	char a[EB_ISOTIME_LEN];

	if (c->time < t->publicity_end) {
		iso(t->publicity_end, a);
		return eb_fail(err, EB_ERR_RULE, "publicity-not-over",
		    "The system submits this command when the period ends.",
		    "the publicity period ends at %s", a);
	}
	ev_add(events, "publicity-ended", c);
	return EB_OK;
}

/* The verification record: every step of the tender and its record. */
int
g_verify(const struct tender *t, const struct eb_cmd *c,
    struct eb_doc *events, struct eb_error *err)
{
	struct eb_doc *e, *rec, *s;
	const char *op = eb_doc_child_text(c->body, "opinion");

	if (eb_tender_check_records(t, err) != EB_OK)
		return eb_fail(err, EB_ERR_RULE, "process-incomplete",
		    "The process lacks a record and cannot be verified.",
		    "%s", err != NULL ? err->primary : "missing record");
	e = ev_add(events, "process-verified", c);
	rec = eb_doc_add(e, "verification-record");
	eb_doc_set_attr(rec, "tender", t->id);
	eb_doc_set_attr_i64(rec, "steps",
	    (int64_t)eb_doc_count(t->history, "step"));
	eb_doc_foreach(s, t->history, "step")
		eb_doc_append(rec, eb_doc_clone(s));
	if (nonblank(op))
		eb_doc_add_text(e, "opinion", op);
	return EB_OK;
}

/*
 * A tender in lots: one issue-award per lot of the result's award plan
 * (docs/evaluation.md, "Lots and linked discounts"), to the bidder the
 * plan names, once; the event carries the lot's price, the linked
 * discount applied and the cost, and how many lots are left: the last
 * one makes the tender awarded.
 */
static int
award_lot(const struct tender *t, const struct eb_cmd *c,
    const struct eb_doc *plan, const char *bidder, const char *j,
    struct eb_doc *events, struct eb_error *err)
{
	const char *lot = eb_doc_attr(c->body, "lot");
	struct eb_doc *aw, *e, *d;
	int64_t left;

	if (!nonblank(lot))
		return missing(err, c->body->name, "lot");
	aw = find_by(plan, "award", "lot", lot);
	if (aw == NULL)
		return eb_fail(err, EB_ERR_RULE, "not-an-award-lot",
		    "Award the lots of the result's award plan (ebid result "
		    "show).", "lot %s has no award in the plan of tender %s",
		    lot, t->id);
	if (!attr_is(aw, "bidder", bidder))
		return eb_fail(err, EB_ERR_RULE, "not-the-lot-awardee",
		    "Award each lot to the bidder the award plan names.",
		    "the award plan gives lot %s to %s, not to %s", lot,
		    eb_doc_attr(aw, "bidder"), bidder);
	if (find_by(t->award, "lot-award", "lot", lot) != NULL)
		return eb_fail(err, EB_ERR_CONFLICT, "lot-already-awarded",
		    "Each lot is awarded once.", "lot %s is awarded already",
		    lot);
	left = (int64_t)eb_doc_count(plan, "award") - 1 -
	    (int64_t)eb_doc_count(t->award, "lot-award");
	e = ev_add(events, "award-issued", c);
	eb_doc_set_attr(e, "bidder", bidder);
	eb_doc_set_attr(e, "rank", eb_doc_attr(aw, "position"));
	eb_doc_set_attr(e, "lot", lot);
	eb_doc_set_attr(e, "price", eb_doc_attr(aw, "price"));
	eb_doc_set_attr(e, "discount", eb_doc_attr(aw, "discount"));
	eb_doc_set_attr(e, "cost", eb_doc_attr(aw, "cost"));
	eb_doc_set_attr_i64(e, "lots-left", left);
	eb_doc_foreach(d, aw, "discount")
		eb_doc_append(e, eb_doc_clone(d));
	eb_doc_add_text(e, "justification", j);
	return EB_OK;
}

int
g_award(const struct tender *t, const struct eb_cmd *c,
    struct eb_doc *events, struct eb_error *err)
{
	const char *bidder = eb_doc_attr(c->body, "bidder"), *j = NULL;
	const struct eb_doc *plan = eb_doc_path(t->result,
	    "evaluation-result/award-plan");
	struct eb_doc *cand, *e;
	int rc;

	if (!nonblank(bidder))
		return missing(err, c->body->name, "bidder");
	if ((rc = require_text(c->body, "justification", c->body->name, &j,
	    err)))
		return rc;
	if (plan != NULL)
		return award_lot(t, c, plan, bidder, j, events, err);
	if (eb_doc_attr(c->body, "lot") != NULL)
		return eb_fail(err, EB_ERR_RULE, "not-an-award-lot",
		    "Leave lot= out: the tender is not in lots.",
		    "tender %s has no lots", t->id);
	cand = find_by(t->result, "candidate", "bidder", bidder);
	if (cand == NULL)
		return eb_fail(err, EB_ERR_RULE, "not-a-candidate",
		    "The award goes to one of the publicised candidates.",
		    "bidder %s is not a candidate", bidder);
	/*
	 * The award goes to the first candidate (招标投标法实施条例 Art. 55).
	 * Passing to the next one needs the first to be set aside (declined,
	 * no performance bond, a violation found): not modelled yet, so it is
	 * refused rather than left to a free-text justification.
	 */
	if (!attr_is(cand, "rank", "1"))
		return eb_fail(err, EB_ERR_RULE, "not-the-first-candidate",
		    "Award the first-ranked candidate; a lower-ranked one only "
		    "after the first has been set aside.",
		    "bidder %s is ranked %s", bidder, eb_doc_attr(cand, "rank"));
	e = ev_add(events, "award-issued", c);
	eb_doc_set_attr(e, "bidder", bidder);
	eb_doc_set_attr(e, "rank", eb_doc_attr(cand, "rank"));
	eb_doc_add_text(e, "justification", j);
	return EB_OK;
}

int
g_close(const struct tender *t, const struct eb_cmd *c,
    struct eb_doc *events, struct eb_error *err)
{
	(void)err;
	return g_simple(t, c, events, "tender-closed");
}
