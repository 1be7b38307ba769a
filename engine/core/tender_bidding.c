/*
 * engine/core/tender_bidding.c
 *    Organization, up to the deadline: the announcement, the opening key,
 *    sign-ups, clarifications and amendments, bids and their withdrawal,
 *    and deadline-reached (流标 with fewer than three bids).
 *
 * Owner: the tender-flow engineer.  Part of the tender state machine:
 * engine/core/tender.c holds the table and decide(), tender_int.h what
 * its files share (docs/tender-flow.md for the flow).
 *
 * Pure: no I/O, no clock, no floating point.
 */
#include "engine/core/tender_int.h"
#include "engine/core/subject.h"

/* ------------------------------------------------------------------ */
/* organization: announcement to deadline                               */
/* ------------------------------------------------------------------ */

int
g_announce(const struct tender *t, const struct eb_cmd *c,
    struct eb_doc *events, struct eb_error *err)
{
	struct eb_doc *e;
	char a[EB_ISOTIME_LEN];

	if (t->deadline - c->time < t->notice_ms) {
		iso(c->time + t->notice_ms, a);
		return eb_fail(err, EB_ERR_RULE, "deadline-too-close",
		    "Return the registration so the tenderer sets a later deadline.",
		    "the bid deadline must be at least the notice period after "
		    "the announcement: not before %s", a);
	}
	e = ev_add(events, "announcement-published", c);
	if (nonblank(eb_doc_child_text(c->body, "text")))
		eb_doc_add_text(e, "text", eb_doc_child_text(c->body, "text"));
	return EB_OK;
}

int
g_set_key(const struct tender *t, const struct eb_cmd *c,
    struct eb_doc *events, struct eb_error *err)
{
	struct eb_doc *cus = eb_doc_child(t->reg, "custodians"), *x, *e, *s;
	const char *cert = eb_doc_child_text(c->body, "certificate");

	if (!is_base64(cert))
		return missing(err, c->body->name, "certificate");
	eb_doc_foreach(s, c->body, "share")
		if (find_by(cus, "custodian", "party",
		    eb_doc_attr(s, "custodian")) == NULL ||
		    !is_base64(eb_doc_text(s)))
			return eb_fail(err, EB_ERR_RULE, "share-mismatch",
			    "Seal exactly one share per named custodian.",
			    "share for '%s' is not for a custodian of the tender "
			    "or is not base64", eb_doc_attr(s, "custodian") ?
			    eb_doc_attr(s, "custodian") : "");
	eb_doc_foreach(x, cus, "custodian")
		if (count_attr(c->body, "share", "custodian",
		    eb_doc_attr(x, "party")) != 1)
			return eb_fail(err, EB_ERR_RULE, "share-mismatch",
			    "Seal exactly one share per named custodian.",
			    "custodian %s needs exactly one sealed share",
			    eb_doc_attr(x, "party"));
	e = ev_add(events, "opening-key-set", c);
	eb_doc_add_text(e, "certificate", cert);
	eb_doc_foreach(s, c->body, "share") {
		x = eb_doc_add_text(e, "sealed-share", eb_doc_text(s));
		eb_doc_set_attr(x, "custodian", eb_doc_attr(s, "custodian"));
	}
	return EB_OK;
}

static int
before_deadline(const struct tender *t, const struct eb_cmd *c,
    struct eb_error *err)
{
	char a[EB_ISOTIME_LEN];

	if (c->time >= t->deadline) {
		iso(t->deadline, a);
		return eb_fail(err, EB_ERR_RULE, "deadline-passed",
		    "Nothing can be submitted after the bid deadline.",
		    "the bid deadline was %s", a);
	}
	return EB_OK;
}

static int
evidence_ok(const struct eb_doc *b)
{
	struct eb_doc *d;

	eb_doc_foreach(d, b, "evidence")
		if (!nonblank(eb_doc_attr(d, "name")) ||
		    !is_sha256(eb_doc_attr(d, "sha256")))
			return 0;
	return 1;
}

int
g_sign_up(const struct tender *t, const struct eb_cmd *c,
    struct eb_doc *events, struct eb_error *err)
{
	struct eb_doc *e, *d;
	int rc;

	if ((rc = before_deadline(t, c, err)) != EB_OK)
		return rc;
	if (!evidence_ok(c->body))
		return missing(err, c->body->name, "evidence@name/@sha256");
	if (eb_doc_count(t->signups, "sign-up") >= MAX_SIGNUPS)
		return eb_fail(err, EB_ERR_LIMIT, "too-many-sign-ups", NULL,
		    "tender %s has %d sign-ups", t->id, MAX_SIGNUPS);
	e = ev_add(events, "sign-up-received", c);
	eb_doc_set_attr(e, "bidder", c->actor.party);
	eb_doc_foreach(d, c->body, "evidence")
		eb_doc_append(e, eb_doc_clone(d));
	/* registries (subject.h): only authorised representatives */
	return eb_subject_admit(t->reg, t->deadline, "tender", NULL, c, e,
	    err);
}

static int
pending_sign_up(const struct tender *t, const struct eb_cmd *c,
    const char **bidder, struct eb_error *err)
{
	struct eb_doc *s;

	*bidder = eb_doc_attr(c->body, "bidder");
	if (!nonblank(*bidder))
		return missing(err, c->body->name, "bidder");
	s = find_by(t->signups, "sign-up", "bidder", *bidder);
	if (s == NULL || !attr_is(s, "status", "pending"))
		return eb_fail(err, EB_ERR_RULE, "sign-up-not-pending",
		    "Only a pending sign-up is confirmed or rejected.",
		    "bidder %s has %s", *bidder, s == NULL ? "no sign-up" :
		    eb_doc_attr(s, "status"));
	return EB_OK;
}

int
g_confirm_sign_up(const struct tender *t, const struct eb_cmd *c,
    struct eb_doc *events, struct eb_error *err)
{
	const char *bidder;
	int rc;

	if ((rc = pending_sign_up(t, c, &bidder, err)) != EB_OK)
		return rc;
	eb_doc_set_attr(ev_add(events, "sign-up-confirmed", c), "bidder",
	    bidder);
	return EB_OK;
}

int
g_reject_sign_up(const struct tender *t, const struct eb_cmd *c,
    struct eb_doc *events, struct eb_error *err)
{
	const char *bidder;
	struct eb_doc *e;
	int rc;

	if ((rc = pending_sign_up(t, c, &bidder, err)) != EB_OK)
		return rc;
	if (!nonblank(eb_doc_child_text(c->body, "reason")))
		return reasons_required(err, c->body->name);
	e = ev_add(events, "sign-up-rejected", c);
	eb_doc_set_attr(e, "bidder", bidder);
	copy_reasons(c->body, e);
	return EB_OK;
}

static int
notices_left(const struct tender *t, struct eb_error *err)
{
	if (eb_doc_count(t->notices, NULL) >= MAX_NOTICES)
		return eb_fail(err, EB_ERR_LIMIT, "too-many-notices", NULL,
		    "tender %s has %d clarifications and amendments", t->id,
		    MAX_NOTICES);
	return EB_OK;
}

int
g_clarify(const struct tender *t, const struct eb_cmd *c,
    struct eb_doc *events, struct eb_error *err)
{
	const char *text = NULL, *q = NULL;
	struct eb_doc *e;
	int rc;

	if ((rc = before_deadline(t, c, err)) != EB_OK ||
	    (rc = notices_left(t, err)) != EB_OK ||
	    (rc = require_text(c->body, "text", c->body->name, &text, err)))
		return rc;
	e = ev_add(events, "clarification-issued", c);
	q = eb_doc_child_text(c->body, "question");
	if (nonblank(q))
		eb_doc_add_text(e, "question", q);
	eb_doc_add_text(e, "text", text);
	return EB_OK;
}

/*
 * An amendment later than the notice period before the deadline pushes
 * the deadline to (amendment time + notice period); the opening moves by
 * the same amount so the gap between deadline and opening is kept.
 */
int
g_amend(const struct tender *t, const struct eb_cmd *c,
    struct eb_doc *events, struct eb_error *err)
{
	struct eb_doc *e, *d;
	const char *text = NULL;
	int64_t deadline = t->deadline, opening = t->opening;
	int rc;

	if ((rc = before_deadline(t, c, err)) != EB_OK ||
	    (rc = notices_left(t, err)) != EB_OK ||
	    (rc = require_text(c->body, "text", c->body->name, &text, err)))
		return rc;
	if (eb_doc_count(c->body, "document") == 0)
		return missing(err, c->body->name, "document");
	eb_doc_foreach(d, c->body, "document")
		if (!nonblank(eb_doc_attr(d, "name")) ||
		    !is_sha256(eb_doc_attr(d, "sha256")))
			return missing(err, c->body->name,
			    "document@name/@sha256");
	if (deadline - c->time < t->notice_ms) {
		deadline = c->time + t->notice_ms;
		opening += deadline - t->deadline;
	}
	e = ev_add(events, "documents-amended", c);
	eb_doc_add_text(e, "text", text);
	eb_doc_foreach(d, c->body, "document")
		eb_doc_append(e, eb_doc_clone(d));
	set_time(e, "bid-deadline", deadline);
	set_time(e, "opening-time", opening);
	eb_doc_set_attr(e, "deadline-moved",
	    deadline != t->deadline ? "true" : "false");
	return EB_OK;
}

int
g_submit_bid(const struct tender *t, const struct eb_cmd *c,
    struct eb_doc *events, struct eb_error *err)
{
	struct eb_doc *s = find_by(t->signups, "sign-up", "bidder",
	    c->actor.party), *e;
	const char *env = eb_doc_child_text(c->body, "envelope");
	const char *com = eb_doc_child_text(c->body, "commitment");
	const struct eb_doc *ref = eb_doc_child(c->body, "envelope-ref");
	char hex[EB_SHA256_HEX];
	int64_t size = 0;
	int rc;

	if (s == NULL || !attr_is(s, "status", "confirmed"))
		return eb_fail(err, EB_ERR_RULE, "sign-up-not-confirmed",
		    "A bid is accepted only after the registrar confirmed your sign-up.",
		    "bidder %s: sign-up %s", c->actor.party,
		    s == NULL ? "missing" : eb_doc_attr(s, "status"));
	if ((rc = before_deadline(t, c, err)) != EB_OK)
		return rc;
	if (ref != NULL) {
		/* a stored envelope (docs/bigbids.md): its hash and size */
		if (!is_sha256(eb_doc_attr(ref, "sha256")) ||
		    eb_doc_attr_i64(ref, "size", &size) != EB_OK || size < 1)
			return missing(err, c->body->name, "envelope-ref");
	} else if (!is_base64(env)) {
		return missing(err, c->body->name, "envelope");
	}
	if (!is_sha256(com))
		return missing(err, c->body->name, "commitment");
	e = ev_add(events, "bid-submitted", c);
	eb_doc_set_attr(e, "bidder", c->actor.party);
	eb_doc_set_attr(e, "commitment", com);
	if (ref != NULL) {
		eb_doc_set_attr(e, "envelope-sha256", eb_doc_attr(ref, "sha256"));
		eb_doc_set_attr_i64(e, "envelope-size", size);
		eb_doc_set_attr(e, "envelope-stored", "true");
	} else {
		eb_sha256_hex(env, strlen(env), hex);
		eb_doc_set_attr(e, "envelope-sha256", hex);
		eb_doc_set_attr_i64(e, "envelope-chars", (int64_t)strlen(env));
	}
	return eb_subject_admit(t->reg, t->deadline, "tender",
	    eb_doc_attr(s, "subject"), c, e, err);
}

int
g_withdraw_bid(const struct tender *t, const struct eb_cmd *c,
    struct eb_doc *events, struct eb_error *err)
{
	int rc;

	if ((rc = before_deadline(t, c, err)) != EB_OK)
		return rc;
	eb_doc_set_attr(ev_add(events, "bid-withdrawn", c), "bidder",
	    c->actor.party);
	return EB_OK;
}

void
fail_event(struct eb_doc *events, const struct eb_cmd *c, const char *cause,
    int64_t valid)
{
	struct eb_doc *e = ev_add(events, "tender-failed", c);

	eb_doc_set_attr(e, "cause", cause);
	eb_doc_set_attr_i64(e, "valid-bids", valid);
	eb_doc_set_attr_i64(e, "required", MIN_VALID_BIDS);
}

int
g_deadline(const struct tender *t, const struct eb_cmd *c,
    struct eb_doc *events, struct eb_error *err)
{
	struct eb_doc *e;
	char a[EB_ISOTIME_LEN];
	int64_t n = (int64_t)eb_doc_count(t->bids, "bid");

	if (c->time < t->deadline) {
		iso(t->deadline, a);
		return eb_fail(err, EB_ERR_RULE, "deadline-not-reached",
		    "The system submits this command when the deadline is reached.",
		    "the bid deadline is %s", a);
	}
	e = ev_add(events, "deadline-reached", c);
	eb_doc_set_attr_i64(e, "bids", n);
	if (n < MIN_VALID_BIDS)
		fail_event(events, c, "fewer-than-three-bids", n);
	return EB_OK;
}
