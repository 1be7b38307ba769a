/*
 * engine/core/tender_apply.c
 *    apply(): folding a tender's events into its state, one fold per
 *    event (folds[]), each step recorded in the history with the SHA-256
 *    of its canonical bytes; the state changes only through
 *    tender_set_state().
 *
 * Owner: the tender-flow engineer.  Part of the tender state machine:
 * engine/core/tender.c holds the table and decide(), tender_int.h what
 * its files share (docs/tender-flow.md for the flow).
 *
 * Pure: no I/O, no clock, no floating point.
 */
#include "engine/core/tender_int.h"

/* ------------------------------------------------------------------ */
/* apply: folding events                                                */
/* ------------------------------------------------------------------ */

typedef int fold_fn(struct tender *, const struct eb_doc *ev, int64_t at,
    int *to, struct eb_error *);

static struct eb_doc *
record(const struct eb_doc *ev, const char *name)
{
	struct eb_doc *d = eb_doc_new(name);
	const char *keys[] = { "at", "by", "role" };
	size_t i;

	for (i = 0; i < 3; i++)
		eb_doc_set_attr(d, keys[i], eb_doc_attr(ev, keys[i]));
	return d;
}

static void
replace(struct eb_doc **slot, struct eb_doc *d)
{
	eb_doc_free(*slot);
	*slot = d;
}

static struct eb_doc *
list(struct eb_doc **slot, const char *name)
{
	if (*slot == NULL)
		*slot = eb_doc_new(name);
	return *slot;
}

static void
copy_children(struct eb_doc *to, const struct eb_doc *from, const char *nm)
{
	struct eb_doc *c;

	eb_doc_foreach(c, from, nm)
		eb_doc_append(to, eb_doc_clone(c));
}

static int
f_registered(struct tender *t, const struct eb_doc *ev, int64_t at, int *to,
    struct eb_error *err)
{
	const char *p = eb_doc_attr(ev, "tenderer");
	const char *o = eb_doc_attr(ev, "tenderer-org");

	(void)at;
	if (p == NULL)
		return eb_fail(err, EB_ERR_FORMAT, "bad-event", NULL,
		    "tender-registered without tenderer");
	snprintf(t->tenderer, sizeof(t->tenderer), "%s", p);
	snprintf(t->tenderer_org, sizeof(t->tenderer_org), "%s",
	    o != NULL ? o : "");
	*to = EB_TS_SUBMITTED;
	return load_registration(t, eb_doc_child(ev, "registration"), err);
}

static int
f_resubmitted(struct tender *t, const struct eb_doc *ev, int64_t at, int *to,
    struct eb_error *err)
{
	(void)at;
	*to = EB_TS_SUBMITTED;
	return load_registration(t, eb_doc_child(ev, "registration"), err);
}

static int
f_returned(struct tender *t, const struct eb_doc *ev, int64_t at, int *to,
    struct eb_error *err)
{
	struct eb_doc *r = record(ev, "return");

	(void)at;
	(void)err;
	copy_children(r, ev, "reason");
	eb_doc_append(list(&t->returns, "returns"), r);
	*to = EB_TS_RETURNED;
	return EB_OK;
}

#define SIMPLE_FOLD(fn, slot, name, target) \
static int \
fn(struct tender *t, const struct eb_doc *ev, int64_t at, int *to, \
    struct eb_error *err) \
{ \
	(void)at; (void)err; \
	replace(&t->slot, record(ev, name)); \
	*to = (target); \
	return EB_OK; \
}
SIMPLE_FOLD(f_accepted, acceptance, "acceptance", EB_TS_ACCEPTED)
SIMPLE_FOLD(f_published_pv, publicity_over, "publicity-ended",
    EB_TS_PUBLICITY_OVER)
SIMPLE_FOLD(f_closed, closed, "closed", EB_TS_CLOSED)

static int
f_announced(struct tender *t, const struct eb_doc *ev, int64_t at, int *to,
    struct eb_error *err)
{
	struct eb_doc *a = record(ev, "announcement");

	(void)at;
	(void)err;
	copy_children(a, ev, "text");
	replace(&t->announcement, a);
	*to = EB_TS_ANNOUNCED;
	return EB_OK;
}

static int
f_key(struct tender *t, const struct eb_doc *ev, int64_t at, int *to,
    struct eb_error *err)
{
	struct eb_doc *k = record(ev, "opening-key");

	(void)at;
	(void)err;
	copy_children(k, ev, "certificate");
	copy_children(k, ev, "sealed-share");
	replace(&t->key, k);
	*to = EB_TS_BIDDING;
	return EB_OK;
}

static int
f_sign_up(struct tender *t, const struct eb_doc *ev, int64_t at, int *to,
    struct eb_error *err)
{
	struct eb_doc *l = list(&t->signups, "sign-ups"), *s;
	const char *b = eb_doc_attr(ev, "bidder");

	(void)at;
	(void)err;
	s = find_by(l, "sign-up", "bidder", b);
	if (s != NULL) {
		eb_doc_detach(s);
		eb_doc_free(s);
	}
	s = record(ev, "sign-up");
	eb_doc_set_attr(s, "bidder", b);
	eb_doc_set_attr(s, "org", eb_doc_attr(ev, "org"));
	eb_doc_set_attr(s, "status", "pending");
	if (eb_doc_attr(ev, "subject") != NULL)   /* registries, subject.h */
		eb_doc_set_attr(s, "subject", eb_doc_attr(ev, "subject"));
	copy_children(s, ev, "evidence");
	eb_doc_append(l, s);
	*to = EB_TS_KEEP;
	return EB_OK;
}

static int
f_sign_up_decided(struct tender *t, const struct eb_doc *ev, int64_t at,
    int *to, struct eb_error *err)
{
	struct eb_doc *s = find_by(t->signups, "sign-up", "bidder",
	    eb_doc_attr(ev, "bidder")), *d;
	int ok = strcmp(ev->name, "sign-up-confirmed") == 0;

	(void)at;
	if (s == NULL)
		return eb_fail(err, EB_ERR_FORMAT, "bad-event", NULL,
		    "%s for an unknown sign-up", ev->name);
	eb_doc_set_attr(s, "status", ok ? "confirmed" : "rejected");
	d = record(ev, "decision");
	copy_children(d, ev, "reason");
	eb_doc_append(s, d);
	*to = EB_TS_KEEP;
	return EB_OK;
}

static int
f_notice(struct tender *t, const struct eb_doc *ev, int64_t at, int *to,
    struct eb_error *err)
{
	struct eb_doc *n = record(ev, strcmp(ev->name, "documents-amended") ?
	    "clarification" : "amendment"), *c;

	(void)at;
	eb_doc_foreach(c, ev, NULL)
		eb_doc_append(n, eb_doc_clone(c));
	if (eb_doc_attr(ev, "bid-deadline") != NULL) {
		if (attr_time(ev, "bid-deadline", &t->deadline) ||
		    attr_time(ev, "opening-time", &t->opening))
			return eb_fail(err, EB_ERR_FORMAT, "bad-event", NULL,
			    "documents-amended without deadline");
		eb_doc_set_attr(n, "bid-deadline", eb_doc_attr(ev,
		    "bid-deadline"));
		eb_doc_set_attr(n, "opening-time", eb_doc_attr(ev,
		    "opening-time"));
		eb_doc_set_attr(n, "deadline-moved", eb_doc_attr(ev,
		    "deadline-moved"));
	}
	eb_doc_append(list(&t->notices, "notices"), n);
	*to = EB_TS_KEEP;
	return EB_OK;
}

static int
f_bid(struct tender *t, const struct eb_doc *ev, int64_t at, int *to,
    struct eb_error *err)
{
	struct eb_doc *l = list(&t->bids, "bids"), *b;

	(void)at;
	(void)err;
	b = find_by(l, "bid", "bidder", eb_doc_attr(ev, "bidder"));
	if (b != NULL) {
		eb_doc_detach(b);
		eb_doc_free(b);
	}
	if (strcmp(ev->name, "bid-submitted") == 0) {
		b = record(ev, "bid");
		eb_doc_set_attr(b, "bidder", eb_doc_attr(ev, "bidder"));
		eb_doc_set_attr(b, "commitment", eb_doc_attr(ev, "commitment"));
		eb_doc_set_attr(b, "envelope-sha256",
		    eb_doc_attr(ev, "envelope-sha256"));
		eb_doc_append(l, b);
	}
	*to = EB_TS_KEEP;
	return EB_OK;
}

static int
f_deadline(struct tender *t, const struct eb_doc *ev, int64_t at, int *to,
    struct eb_error *err)
{
	struct eb_doc *d = record(ev, "deadline-reached");

	int64_t n = 0;

	(void)at;
	if (eb_doc_attr_i64(ev, "bids", &n) != EB_OK) {
		eb_doc_free(d);
		return eb_fail(err, EB_ERR_FORMAT, "bad-event", NULL,
		    "deadline-reached without bids=");
	}
	eb_doc_set_attr(d, "bids", eb_doc_attr(ev, "bids"));
	replace(&t->deadline_rec, d);
	/* with too few bids the tender-failed event that follows moves
	 * the tender to failed straight from where it was */
	*to = n >= MIN_VALID_BIDS ? EB_TS_AWAITING_OPENING : EB_TS_KEEP;
	return EB_OK;
}

static int
f_share(struct tender *t, const struct eb_doc *ev, int64_t at, int *to,
    struct eb_error *err)
{
	struct eb_doc *s = record(ev, "share");

	(void)at;
	(void)err;
	eb_doc_set_attr(s, "custodian", eb_doc_attr(ev, "custodian"));
	eb_doc_set_attr(s, "share-sha256", eb_doc_attr(ev, "share-sha256"));
	eb_doc_append(list(&t->shares, "shares"), s);
	*to = EB_TS_KEEP;
	return EB_OK;
}

static int
f_opened(struct tender *t, const struct eb_doc *ev, int64_t at, int *to,
    struct eb_error *err)
{
	struct eb_doc *o = record(ev, "opening-record");

	(void)at;
	if (eb_doc_attr_i64(ev, "opened", &t->nopened) != EB_OK) {
		eb_doc_free(o);
		return eb_fail(err, EB_ERR_FORMAT, "bad-event", NULL,
		    "bids-opened without count");
	}
	eb_doc_set_attr(o, "opened", eb_doc_attr(ev, "opened"));
	copy_children(o, ev, "bid-result");
	replace(&t->opening_rec, o);
	*to = t->nopened >= MIN_VALID_BIDS ? EB_TS_OPENED : EB_TS_KEEP;
	return EB_OK;
}

static int
f_failed(struct tender *t, const struct eb_doc *ev, int64_t at, int *to,
    struct eb_error *err)
{
	struct eb_doc *f = record(ev, "failure");

	(void)at;
	(void)err;
	eb_doc_set_attr(f, "cause", eb_doc_attr(ev, "cause"));
	eb_doc_set_attr(f, "valid-bids", eb_doc_attr(ev, "valid-bids"));
	eb_doc_set_attr(f, "required", eb_doc_attr(ev, "required"));
	replace(&t->failure, f);
	*to = EB_TS_FAILED;
	return EB_OK;
}

static int
f_clearing(struct tender *t, const struct eb_doc *ev, int64_t at, int *to,
    struct eb_error *err)
{
	struct eb_doc *r = eb_doc_child(ev, "clearing-report");

	(void)at;
	if (r == NULL)
		return eb_fail(err, EB_ERR_FORMAT, "bad-event", NULL,
		    "clearing-report event without report");
	replace(&t->clearing, eb_doc_clone(r));
	eb_doc_set_attr(t->clearing, "at", eb_doc_attr(ev, "at"));
	eb_doc_set_attr(t->clearing, "by", eb_doc_attr(ev, "by"));
	*to = EB_TS_CLEARED;
	return EB_OK;
}

static int
f_draw_req(struct tender *t, const struct eb_doc *ev, int64_t at, int *to,
    struct eb_error *err)
{
	struct eb_doc *d = record(ev, "draw");

	(void)at;
	(void)err;
	eb_doc_set_attr(d, "commitment", eb_doc_attr(ev, "commitment"));
	eb_doc_set_attr(d, "recent-days", eb_doc_attr(ev, "recent-days"));
	eb_doc_set_attr(d, "max-recent", eb_doc_attr(ev, "max-recent"));
	copy_children(d, ev, "seats");
	replace(&t->draw, d);
	*to = EB_TS_DRAW_REQUESTED;
	return EB_OK;
}

/* Seat 'm' (a <member> of a draw) as a pending member of the committee;
 * in a later draw it fills the seat of a declined member of its
 * specialty. */
static void
seat(struct tender *t, const struct eb_doc *m, const char *at)
{
	struct eb_doc *l = list(&t->committee, "committee"), *x, *old;
	static const char *const keep[] = { "party", "person", "name", "org",
	    "specialty" };
	size_t i;

	x = eb_doc_add(l, "member");
	for (i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		eb_doc_set_attr(x, keep[i], eb_doc_attr(m, keep[i]));
	eb_doc_set_attr(x, "status", "pending");
	eb_doc_set_attr(x, "drawn-at", at);
	eb_doc_foreach(old, l, "member")
		if (attr_is(old, "status", "declined") &&
		    eb_doc_attr(old, "replaced-by") == NULL &&
		    (eb_doc_attr(m, "replaces") != NULL ?
		    attr_is(old, "party", eb_doc_attr(m, "replaces")) :
		    attr_is(old, "specialty", eb_doc_attr(m, "specialty")))) {
			eb_doc_set_attr(old, "replaced-by",
			    eb_doc_attr(m, "party"));
			break;
		}
}

static int
f_drawn(struct tender *t, const struct eb_doc *ev, int64_t at, int *to,
    struct eb_error *err)
{
	const struct eb_doc *com = eb_doc_child(ev, "committee"), *m;

	(void)at;
	if (com == NULL)
		return eb_fail(err, EB_ERR_FORMAT, "bad-event", NULL,
		    "experts-drawn without committee");
	eb_doc_foreach(m, com, "member")
		seat(t, m, eb_doc_attr(ev, "at"));
	if (t->draw != NULL && eb_doc_attr(ev, "pool") != NULL)
		eb_doc_set_attr(t->draw, "pool", eb_doc_attr(ev, "pool"));
	replace(&t->drawn, eb_doc_clone(com));
	*to = EB_TS_EVALUATION;
	return EB_OK;
}

static int
f_appt(struct tender *t, const struct eb_doc *ev, int64_t at, int *to,
    struct eb_error *err)
{
	struct eb_doc *m = member_of(t, eb_doc_attr(ev, "expert"));
	const struct eb_doc *com = eb_doc_child(ev, "committee"), *n;
	int ok = strcmp(ev->name, "appointment-accepted") == 0;

	(void)at;
	if (m == NULL)
		return eb_fail(err, EB_ERR_FORMAT, "bad-event", NULL,
		    "%s for an unknown expert", ev->name);
	eb_doc_set_attr(m, "status", ok ? "accepted" : "declined");
	eb_doc_set_attr(m, "answered-at", eb_doc_attr(ev, "at"));
	if (!ok && com != NULL) {
		/* the reserve that replaces it takes the seat */
		n = find_by(com, "member", "replaces",
		    eb_doc_attr(ev, "expert"));
		if (n == NULL)
			return eb_fail(err, EB_ERR_FORMAT, "bad-event", NULL,
			    "appointment-declined: no replacing member");
		seat(t, n, eb_doc_attr(ev, "at"));
		replace(&t->drawn, eb_doc_clone(com));
	}
	*to = EB_TS_KEEP;
	return EB_OK;
}

static int
f_scores(struct tender *t, const struct eb_doc *ev, int64_t at, int *to,
    struct eb_error *err)
{
	struct eb_doc *l = list(&t->scores, "scores"), *s, *x;
	const char *ex = eb_doc_attr(ev, "expert");

	(void)at;
	(void)err;
	s = find_by(l, "score-sheet", "expert", ex);
	if (s != NULL) {
		eb_doc_detach(s);
		eb_doc_free(s);
	}
	x = eb_doc_child(ev, "score-sheet");
	s = x != NULL ? eb_doc_clone(x) : eb_doc_new("score-sheet");
	eb_doc_set_attr(s, "expert", ex);
	eb_doc_set_attr(s, "submitted-at", eb_doc_attr(ev, "at"));
	eb_doc_set_attr(s, "submitted-sha256", eb_doc_attr(ev, "sha256"));
	eb_doc_append(l, s);
	*to = EB_TS_KEEP;
	return EB_OK;
}

/* deviation-explained: the explanation joins the expert's sheet (one
 * per bid and criterion, the last counts). */
static int
f_explained(struct tender *t, const struct eb_doc *ev, int64_t at, int *to,
    struct eb_error *err)
{
	struct eb_doc *l = list(&t->scores, "scores"), *s, *x, *nx;
	const char *crit = eb_doc_attr(ev, "criterion");

	(void)at;
	*to = EB_TS_KEEP;
	s = find_by(l, "score-sheet", "expert", eb_doc_attr(ev, "expert"));
	if (s == NULL || eb_doc_attr(ev, "bid") == NULL)
		return eb_fail(err, EB_ERR_FORMAT, "bad-event",
		    "Verify the log with ebid-audit: a deviation-explained "
		    "event needs the expert's score sheet before it.",
		    "deviation-explained: no sheet of the expert");
	for (x = s->first; x != NULL; x = nx) {
		nx = x->next;
		if (strcmp(x->name, "explanation") == 0 &&
		    attr_is(x, "bid", eb_doc_attr(ev, "bid")) &&
		    (crit == NULL ? eb_doc_attr(x, "criterion") == NULL :
		    attr_is(x, "criterion", crit))) {
			eb_doc_detach(x);
			eb_doc_free(x);
		}
	}
	x = eb_doc_add_text(s, "explanation",
	    eb_doc_child_text(ev, "reason") ? eb_doc_child_text(ev, "reason") :
	    "");
	eb_doc_set_attr(x, "bid", eb_doc_attr(ev, "bid"));
	if (crit != NULL)
		eb_doc_set_attr(x, "criterion", crit);
	eb_doc_set_attr(x, "at", eb_doc_attr(ev, "at"));
	return EB_OK;
}

static int
f_evaluated(struct tender *t, const struct eb_doc *ev, int64_t at, int *to,
    struct eb_error *err)
{
	struct eb_doc *r = record(ev, "result");

	(void)at;
	(void)err;
	copy_children(r, ev, "candidate");
	copy_children(r, ev, "report");
	copy_children(r, ev, "evaluation-result");
	replace(&t->result, r);
	*to = EB_TS_EVALUATED;
	return EB_OK;
}

static int
f_coefficient(struct tender *t, const struct eb_doc *ev, int64_t at, int *to,
    struct eb_error *err)
{
	struct eb_doc *d = record(ev, "coefficient-drawn");

	(void)at;
	(void)err;
	eb_doc_set_attr(d, "value", eb_doc_attr(ev, "value"));
	eb_doc_set_attr(d, "index", eb_doc_attr(ev, "index"));
	replace(&t->coefficient, d);
	*to = EB_TS_KEEP;
	return EB_OK;
}

static int
f_report_signed(struct tender *t, const struct eb_doc *ev, int64_t at,
    int *to, struct eb_error *err)
{
	struct eb_doc *l = list(&t->report, "report-signatures"), *s;
	const char *dissent = eb_doc_child_text(ev, "dissent");

	(void)at;
	(void)err;
	s = eb_doc_add(l, "signature");
	eb_doc_set_attr(s, "expert", eb_doc_attr(ev, "expert"));
	eb_doc_set_attr(s, "sha256", eb_doc_attr(ev, "sha256"));
	eb_doc_set_attr(s, "at", eb_doc_attr(ev, "at"));
	if (dissent != NULL)
		eb_doc_add_text(s, "dissent", dissent);
	*to = EB_TS_KEEP;
	return EB_OK;
}

static int
f_publicity(struct tender *t, const struct eb_doc *ev, int64_t at, int *to,
    struct eb_error *err)
{
	struct eb_doc *p = record(ev, "publicity");

	(void)at;
	if (attr_time(ev, "publicity-end", &t->publicity_end) != EB_OK) {
		eb_doc_free(p);
		return eb_fail(err, EB_ERR_FORMAT, "bad-event", NULL,
		    "candidates-published without publicity-end");
	}
	eb_doc_set_attr(p, "end", eb_doc_attr(ev, "publicity-end"));
	replace(&t->publicity, p);
	*to = EB_TS_PUBLICITY;
	return EB_OK;
}

static int
f_objection(struct tender *t, const struct eb_doc *ev, int64_t at, int *to,
    struct eb_error *err)
{
	struct eb_doc *o = record(ev, "objection");

	(void)err;
	eb_doc_set_attr(o, "objection", eb_doc_attr(ev, "objection"));
	eb_doc_set_attr(o, "bidder", eb_doc_attr(ev, "bidder"));
	eb_doc_set_attr(o, "status", "open");
	copy_children(o, ev, "text");
	eb_doc_append(list(&t->objections, "objections"), o);
	if (t->open_objections++ == 0)
		t->objection_since = at;
	*to = EB_TS_OBJECTION;
	return EB_OK;
}

static int
f_answered(struct tender *t, const struct eb_doc *ev, int64_t at, int *to,
    struct eb_error *err)
{
	struct eb_doc *o = find_by(t->objections, "objection", "objection",
	    eb_doc_attr(ev, "objection")), *a;

	(void)at;
	if (o == NULL || t->open_objections < 1)
		return eb_fail(err, EB_ERR_FORMAT, "bad-event", NULL,
		    "objection-answered for an unknown objection");
	eb_doc_set_attr(o, "status", "answered");
	a = record(ev, "answer");
	eb_doc_set_attr(a, "decision", eb_doc_attr(ev, "decision"));
	copy_children(a, ev, "text");
	eb_doc_append(o, a);
	*to = EB_TS_KEEP;
	if (--t->open_objections == 0) {
		if (attr_time(ev, "publicity-end", &t->publicity_end))
			return eb_fail(err, EB_ERR_FORMAT, "bad-event", NULL,
			    "last objection-answered without publicity-end");
		eb_doc_set_attr(t->publicity, "end",
		    eb_doc_attr(ev, "publicity-end"));
		*to = EB_TS_PUBLICITY;
	}
	return EB_OK;
}

static int
f_verified(struct tender *t, const struct eb_doc *ev, int64_t at, int *to,
    struct eb_error *err)
{
	struct eb_doc *r = eb_doc_child(ev, "verification-record");

	(void)at;
	if (r == NULL)
		return eb_fail(err, EB_ERR_FORMAT, "bad-event", NULL,
		    "process-verified without record");
	r = eb_doc_clone(r);
	eb_doc_set_attr(r, "at", eb_doc_attr(ev, "at"));
	eb_doc_set_attr(r, "by", eb_doc_attr(ev, "by"));
	copy_children(r, ev, "opinion");
	replace(&t->verification, r);
	*to = EB_TS_VERIFIED;
	return EB_OK;
}

static int
f_award(struct tender *t, const struct eb_doc *ev, int64_t at, int *to,
    struct eb_error *err)
{
	struct eb_doc *a;
	int64_t left = 0;

	(void)at;
	if (eb_doc_attr(ev, "lot") != NULL) {
		/* a tender in lots: one <lot-award> per lot; the last one
		 * (lots-left="0") makes the tender awarded */
		if (eb_doc_attr_i64(ev, "lots-left", &left) != EB_OK ||
		    left < 0)
			return eb_fail(err, EB_ERR_FORMAT, "bad-event", NULL,
			    "award-issued for a lot without lots-left");
		a = record(ev, "lot-award");
		eb_doc_set_attr(a, "lot", eb_doc_attr(ev, "lot"));
		eb_doc_set_attr(a, "bidder", eb_doc_attr(ev, "bidder"));
		eb_doc_set_attr(a, "rank", eb_doc_attr(ev, "rank"));
		eb_doc_set_attr(a, "price", eb_doc_attr(ev, "price"));
		eb_doc_set_attr(a, "discount", eb_doc_attr(ev, "discount"));
		eb_doc_set_attr(a, "cost", eb_doc_attr(ev, "cost"));
		copy_children(a, ev, "discount");
		copy_children(a, ev, "justification");
		if (t->award == NULL)
			t->award = record(ev, "award");
		eb_doc_append(t->award, a);
		if (left == 0)
			*to = EB_TS_AWARDED;
		return EB_OK;
	}
	a = record(ev, "award");
	(void)err;
	eb_doc_set_attr(a, "bidder", eb_doc_attr(ev, "bidder"));
	eb_doc_set_attr(a, "rank", eb_doc_attr(ev, "rank"));
	copy_children(a, ev, "justification");
	replace(&t->award, a);
	*to = EB_TS_AWARDED;
	return EB_OK;
}

static int
f_cancel_req(struct tender *t, const struct eb_doc *ev, int64_t at, int *to,
    struct eb_error *err)
{
	struct eb_doc *c = record(ev, "cancellation");

	(void)at;
	(void)err;
	eb_doc_set_attr(c, "status", "requested");
	copy_children(c, ev, "reason");
	replace(&t->cancellation, c);
	t->cancel_return = t->state;
	*to = EB_TS_CANCELLATION_REQUESTED;
	return EB_OK;
}

static int
f_cancel_done(struct tender *t, const struct eb_doc *ev, int64_t at, int *to,
    struct eb_error *err)
{
	struct eb_doc *c = record(ev, strcmp(ev->name, "tender-cancelled") ?
	    "refusal" : "countersignature");
	int done = strcmp(ev->name, "tender-cancelled") == 0;

	(void)at;
	if (t->cancellation == NULL) {
		eb_doc_free(c);
		return eb_fail(err, EB_ERR_FORMAT, "bad-event", NULL,
		    "%s without a request", ev->name);
	}
	copy_children(c, ev, "reason");
	eb_doc_append(t->cancellation, c);
	eb_doc_set_attr(t->cancellation, "status",
	    done ? "cancelled" : "refused");
	*to = done ? EB_TS_CANCELLED : (int)t->cancel_return;
	return EB_OK;
}

static int
f_suspended(struct tender *t, const struct eb_doc *ev, int64_t at, int *to,
    struct eb_error *err)
{
	struct eb_doc *s = record(ev, "suspension");

	(void)err;
	eb_doc_set_attr(s, "status", "suspended");
	copy_children(s, ev, "reason");
	replace(&t->suspension, s);
	t->resume_state = t->state;
	t->suspended_at = at;
	*to = EB_TS_SUSPENDED;
	return EB_OK;
}

static void
shift(int64_t *tp, int64_t since, int64_t by)
{
	if (*tp > since)
		*tp += by;
}

static int
f_resumed(struct tender *t, const struct eb_doc *ev, int64_t at, int *to,
    struct eb_error *err)
{
	struct eb_doc *r = record(ev, "resumption");
	int64_t by = 0;

	(void)at;
	if (eb_doc_attr_i64(ev, "suspended-ms", &by) != EB_OK || by < 0 ||
	    t->suspension == NULL) {
		eb_doc_free(r);
		return eb_fail(err, EB_ERR_FORMAT, "bad-event", NULL,
		    "tender-resumed without suspended-ms");
	}
	shift(&t->deadline, t->suspended_at, by);
	shift(&t->opening, t->suspended_at, by);
	if (t->publicity != NULL)
		shift(&t->publicity_end, t->suspended_at, by);
	if (t->open_objections > 0)
		t->objection_since += by;
	copy_children(r, ev, "reason");
	eb_doc_set_attr(r, "suspended-ms", eb_doc_attr(ev, "suspended-ms"));
	eb_doc_append(t->suspension, r);
	eb_doc_set_attr(t->suspension, "status", "resumed");
	*to = (int)t->resume_state;
	return EB_OK;
}

/* An automatic step of ebidd failed: kept for the officers; no state
 * change. */
static int
f_incident(struct tender *t, const struct eb_doc *ev, int64_t at, int *to,
    struct eb_error *err)
{
	struct eb_doc *r = record(ev, "incident");

	(void)at;
	(void)to;
	(void)err;
	eb_doc_set_attr(r, "step", eb_doc_attr(ev, "step"));
	eb_doc_set_attr(r, "code", eb_doc_attr(ev, "code"));
	eb_doc_set_attr(r, "state", eb_tender_state_name(t->state));
	if (eb_doc_child_text(ev, "message") != NULL)
		eb_doc_add_text(r, "message", eb_doc_child_text(ev, "message"));
	eb_doc_append(list(&t->incidents, "incidents"), r);
	return EB_OK;
}

static const struct {
	const char *event;
	fold_fn *fold;
} folds[] = {
	{ "tender-registered", f_registered },
	{ "registration-resubmitted", f_resubmitted },
	{ "registration-returned", f_returned },
	{ "registration-accepted", f_accepted },
	{ "announcement-published", f_announced },
	{ "opening-key-set", f_key },
	{ "sign-up-received", f_sign_up },
	{ "sign-up-confirmed", f_sign_up_decided },
	{ "sign-up-rejected", f_sign_up_decided },
	{ "clarification-issued", f_notice },
	{ "documents-amended", f_notice },
	{ "bid-submitted", f_bid },
	{ "bid-withdrawn", f_bid },
	{ "deadline-reached", f_deadline },
	{ "share-submitted", f_share },
	{ "bids-opened", f_opened },
	{ "tender-failed", f_failed },
	{ "clearing-report", f_clearing },
	{ "draw-requested", f_draw_req },
	{ "experts-drawn", f_drawn },
	{ "appointment-accepted", f_appt },
	{ "appointment-declined", f_appt },
	{ "scores-submitted", f_scores },
	{ "deviation-explained", f_explained },
	{ "evaluation-closed", f_evaluated },
	{ "report-signed", f_report_signed },
	{ "coefficient-drawn", f_coefficient },
	{ "candidates-published", f_publicity },
	{ "objection-raised", f_objection },
	{ "objection-answered", f_answered },
	{ "publicity-ended", f_published_pv },
	{ "process-verified", f_verified },
	{ "award-issued", f_award },
	{ "tender-closed", f_closed },
	{ "cancellation-requested", f_cancel_req },
	{ "tender-cancelled", f_cancel_done },
	{ "cancellation-refused", f_cancel_done },
	{ "tender-suspended", f_suspended },
	{ "tender-resumed", f_resumed },
	{ "incident-reported", f_incident },
};

static void
note_actor(struct tender *t, const struct eb_doc *ev)
{
	const char *p = eb_doc_attr(ev, "person"), *r = eb_doc_attr(ev, "role");
	const char *by = eb_doc_attr(ev, "by");
	struct eb_doc *l = list(&t->actors, "actors"), *x;

	if (p == NULL || r == NULL || by == NULL || strcmp(r, "system") == 0)
		return;
	eb_doc_foreach(x, l, "actor")
		if (attr_is(x, "person", p) && attr_is(x, "role", r) &&
		    attr_is(x, "party", by))
			return;
	x = eb_doc_add(l, "actor");
	eb_doc_set_attr(x, "person", p);
	eb_doc_set_attr(x, "role", r);
	eb_doc_set_attr(x, "party", by);
}

static int
note_step(struct tender *t, const struct eb_doc *ev, struct eb_error *err)
{
	struct eb_buf b = EB_BUF_INIT;
	struct eb_doc *s;
	char hex[EB_SHA256_HEX];

	if (eb_doc_serialize(ev, &b) != EB_OK) {
		eb_buf_free(&b);
		return eb_fail(err, EB_ERR_LIMIT, "event-too-large", NULL,
		    "event %s exceeds the buffer limit", ev->name);
	}
	eb_sha256_hex(b.data, b.len, hex);
	eb_buf_free(&b);
	s = record(ev, "step");
	eb_doc_set_attr_i64(s, "seq", ++t->seq);
	eb_doc_set_attr(s, "event", ev->name);
	eb_doc_set_attr(s, "sha256", hex);
	eb_doc_set_attr(s, "state", eb_tender_state_name(t->state));
	eb_doc_append(list(&t->history, "history"), s);
	return EB_OK;
}

/*
 * Fold 'events' into 'st'.  Events from decide() always apply; a failure
 * here means a corrupt or foreign log (unknown event, missing field, a
 * transition the table lacks) and leaves the tender partly folded: the
 * caller (ebidd, ebid-audit) must discard it and report the log entry.
 */
int
tender_apply(void *st, const struct eb_doc *events, struct eb_error *err)
{
	struct tender *t = st;
	const struct eb_doc *ev;
	int64_t at;
	size_t i;
	int to, rc;

	if (events == NULL || strcmp(events->name, "events") != 0)
		return eb_fail(err, EB_ERR_INTERNAL, "bad-events", NULL,
		    "apply expects an <events> tree");
	for (ev = events->first; ev != NULL; ev = ev->next) {
		for (i = 0; i < sizeof(folds) / sizeof(folds[0]); i++)
			if (strcmp(folds[i].event, ev->name) == 0)
				break;
		if (i == sizeof(folds) / sizeof(folds[0]))
			return eb_fail(err, EB_ERR_FORMAT, "unknown-event", NULL,
			    "tender cannot apply event '%s'", ev->name);
		if (attr_time(ev, "at", &at) != EB_OK)
			return eb_fail(err, EB_ERR_FORMAT, "bad-event", NULL,
			    "event %s has no valid at=", ev->name);
		to = EB_TS_KEEP;
		if ((rc = folds[i].fold(t, ev, at, &to, err)) != EB_OK)
			return rc;
		if (to != EB_TS_KEEP &&
		    (rc = tender_set_state(t, (enum eb_tender_state)to, err)))
			return rc;
		note_actor(t, ev);
		if ((rc = note_step(t, ev, err)) != EB_OK)
			return rc;
	}
	return EB_OK;
}
