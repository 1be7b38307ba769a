/*
 * engine/core/tender_records.c
 *    The records invariant: eb_tender_check_records() lists, per state,
 *    the record of every step before it ("one step blocked, every step
 *    blocked").
 *
 * Owner: the tender-flow engineer.  Part of the tender state machine:
 * engine/core/tender.c holds the table and decide(), tender_int.h what
 * its files share (docs/tender-flow.md for the flow).
 *
 * Pure: no I/O, no clock, no floating point.
 */
#include "engine/core/tender_int.h"

/* ------------------------------------------------------------------ */
/* records invariant                                                    */
/* ------------------------------------------------------------------ */

static int
need(struct eb_error *err, const struct tender *t, int ok, const char *what)
{
	if (ok)
		return EB_OK;
	return eb_fail(err, EB_ERR_INTERNAL, "missing-record", NULL,
	    "tender %s in state %s lacks the record: %s", t->id,
	    eb_tender_state_name(t->state), what);
}

static int
check_main(const struct tender *t, enum eb_tender_state s,
    struct eb_error *err)
{
	struct eb_doc *m;
	int rc = EB_OK;

#define NEED(cond, what) \
	do { if ((rc = need(err, t, (cond), (what))) != EB_OK) return rc; } \
	while (0)
	if (s == EB_TS_NEW)
		return EB_OK;
	NEED(t->reg != NULL && t->tenderer[0] != '\0', "registration");
	if (s == EB_TS_RETURNED)
		NEED(t->returns != NULL && t->returns->last != NULL &&
		    eb_doc_child(t->returns->last, "reason") != NULL,
		    "return reasons");
	if (s <= EB_TS_RETURNED)
		return EB_OK;
	NEED(t->acceptance != NULL, "acceptance");
	if (s == EB_TS_ACCEPTED)
		return EB_OK;
	NEED(t->announcement != NULL, "announcement");
	if (s == EB_TS_ANNOUNCED)
		return EB_OK;
	NEED(t->key != NULL, "opening key");
	if (s == EB_TS_BIDDING)
		return EB_OK;
	NEED(t->deadline_rec != NULL, "deadline reached");
	NEED(eb_doc_count(t->bids, "bid") >= MIN_VALID_BIDS,
	    "three bids at the deadline");
	if (s == EB_TS_AWAITING_OPENING)
		return EB_OK;
	NEED(t->opening_rec != NULL &&
	    (int64_t)eb_doc_count(t->shares, "share") >= t->threshold,
	    "opening record after k shares");
	NEED(t->nopened >= MIN_VALID_BIDS, "three opened bids");
	if (s == EB_TS_OPENED)
		return EB_OK;
	NEED(t->clearing != NULL, "clearing report");
	if (s == EB_TS_CLEARED)
		return EB_OK;
	NEED(t->draw != NULL, "draw commitment");
	if (s == EB_TS_DRAW_REQUESTED)
		return EB_OK;
	NEED(t->committee != NULL, "committee");
	if (s == EB_TS_EVALUATION)
		return EB_OK;
	NEED((int64_t)count_attr(t->committee, "member", "status", "accepted")
	    == t->committee_size, "accepted committee");
	eb_doc_foreach(m, t->committee, "member")
		if (attr_is(m, "status", "accepted"))
			NEED(find_by(t->scores, "score-sheet", "expert",
			    eb_doc_attr(m, "party")) != NULL, "score sheet");
	NEED(t->result != NULL && eb_doc_child(t->result, "candidate"),
	    "evaluation result");
	if (s == EB_TS_EVALUATED)
		return EB_OK;
	eb_doc_foreach(m, t->committee, "member")
		if (attr_is(m, "status", "accepted"))
			NEED(find_by(t->report, "signature", "expert",
			    eb_doc_attr(m, "party")) != NULL,
			    "committee report signature");
	NEED(t->publicity != NULL, "publicity");
	if (s == EB_TS_PUBLICITY)
		return need(err, t, t->open_objections == 0, "objections answered");
	if (s == EB_TS_OBJECTION)
		return need(err, t, t->open_objections > 0, "open objection");
	NEED(t->open_objections == 0, "objections answered");
	NEED(t->publicity_over != NULL, "publicity ended");
	if (s == EB_TS_PUBLICITY_OVER)
		return EB_OK;
	NEED(t->verification != NULL, "verification record");
	if (s == EB_TS_VERIFIED)
		return EB_OK;
	NEED(t->award != NULL, "award");
	if (s == EB_TS_AWARDED)
		return EB_OK;
	NEED(t->closed != NULL, "closed");
	return EB_OK;
#undef NEED
}

int
eb_tender_check_records(const void *st, struct eb_error *err)
{
	const struct tender *t = st;
	enum eb_tender_state s = t->state;
	int rc;

	switch (s) {
	case EB_TS_FAILED:
		if ((rc = need(err, t, t->failure != NULL, "failure")) != EB_OK)
			return rc;
		if (t->opening_rec != NULL)
			return check_main(t, EB_TS_AWAITING_OPENING, err);
		return need(err, t, t->deadline_rec != NULL && t->announcement,
		    "deadline reached");
	case EB_TS_CANCELLED:
		return need(err, t, t->cancellation != NULL &&
		    eb_doc_child(t->cancellation, "reason") != NULL &&
		    eb_doc_child(t->cancellation, "countersignature") != NULL,
		    "cancellation request and countersignature");
	case EB_TS_CANCELLATION_REQUESTED:
		if ((rc = need(err, t, t->cancellation != NULL,
		    "cancellation request")) != EB_OK)
			return rc;
		s = t->cancel_return;
		if (s != EB_TS_SUSPENDED)
			break;
		/* FALLTHROUGH */
	case EB_TS_SUSPENDED:
		if ((rc = need(err, t, t->suspension != NULL &&
		    eb_doc_child(t->suspension, "reason") != NULL,
		    "suspension")) != EB_OK)
			return rc;
		s = t->resume_state;
		break;
	default:
		break;
	}
	return check_main(t, s, err);
}
