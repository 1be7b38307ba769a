/*
 * engine/core/tender_who.c
 *    Who may act on this tender: the per-row check of this caller on this
 *    tender (who_*: the tenderer, a signed-up bidder, a custodian, a
 *    seated expert...) and the separation of duties decide() applies
 *    before every guard.
 *
 * Owner: the tender-flow engineer.  Part of the tender state machine:
 * engine/core/tender.c holds the table and decide(), tender_int.h what
 * its files share (docs/tender-flow.md for the flow).
 *
 * Pure: no I/O, no clock, no floating point.
 */
#include "engine/core/tender_int.h"

/* ------------------------------------------------------------------ */
/* who checks: this caller on this tender                               */
/* ------------------------------------------------------------------ */

int
who_tenderer(const struct tender *t, const struct eb_actor *a,
    struct eb_error *err)
{
	if (strcmp(a->party, t->tenderer) != 0)
		return eb_fail(err, EB_ERR_DENIED, "not-your-tender",
		    "Only the tenderer who registered the project acts for it.",
		    "party %s is not the tenderer of tender %s", a->party, t->id);
	return EB_OK;
}

/*
 * The row of 'list' that names the caller (<elem attr=PARTY>), or NULL
 * with the refusal in 'err': EB_ERR_DENIED 'reason', the message "WHO
 * PARTY WHAT TENDER-ID".  Every "is the caller there" check below is one
 * of these rows.
 */
struct who_row {
	const char *elem, *attr;        /* the row naming the caller */
	const char *reason, *hint;      /* the refusal when there is none */
	const char *who, *what;         /* and its message */
};

static const struct who_row
    row_signed_up = { .elem = "sign-up", .attr = "bidder",
	.reason = "not-your-tender", .hint = "Sign up for the tender first.",
	.who = "bidder", .what = "has no sign-up on tender" },
    row_bid = { .elem = "bid", .attr = "bidder", .reason = "no-bid",
	.hint = "Only a bid you submitted can be withdrawn.",
	.who = "bidder", .what = "has no bid on tender" },
    row_custodian = { .elem = "custodian", .attr = "party",
	.reason = "not-a-custodian",
	.hint = "Only the custodians named in the registration hold shares.",
	.who = "party", .what = "is not a custodian of tender" },
    row_member = { .elem = "member", .attr = "party",
	.reason = "not-on-committee",
	.hint = "Only drawn experts act in the evaluation.",
	.who = "expert", .what = "is not on the committee of tender" },
    row_opened = { .elem = "bid-result", .attr = "bidder",
	.reason = "not-your-tender",
	.hint = "Only a bidder whose bid was opened may object.",
	.who = "party", .what = "had no bid at the opening of tender" };

static struct eb_doc *
caller_row(const struct eb_doc *list, const struct who_row *w,
    const struct tender *t, const struct eb_actor *a, struct eb_error *err)
{
	struct eb_doc *r = find_by(list, w->elem, w->attr, a->party);

	if (r == NULL)
		eb_fail(err, EB_ERR_DENIED, w->reason, w->hint, "%s %s %s %s",
		    w->who, a->party, w->what, t->id);
	return r;
}

int
who_signed_up_bidder(const struct tender *t, const struct eb_actor *a,
    struct eb_error *err)
{
	return caller_row(t->signups, &row_signed_up, t, a, err) != NULL ?
	    EB_OK : EB_ERR_DENIED;
}

int
who_new_sign_up(const struct tender *t, const struct eb_actor *a,
    struct eb_error *err)
{
	struct eb_doc *s = find_by(t->signups, "sign-up", "bidder", a->party);

	if (s != NULL && !attr_is(s, "status", "rejected"))
		return eb_fail(err, EB_ERR_CONFLICT, "already-signed-up",
		    "Wait for the registrar's decision on your sign-up.",
		    "bidder %s already has a sign-up (%s) on tender %s",
		    a->party, eb_doc_attr(s, "status"), t->id);
	return EB_OK;
}

int
who_bid_holder(const struct tender *t, const struct eb_actor *a,
    struct eb_error *err)
{
	return caller_row(t->bids, &row_bid, t, a, err) != NULL ? EB_OK :
	    EB_ERR_DENIED;
}

int
who_custodian(const struct tender *t, const struct eb_actor *a,
    struct eb_error *err)
{
	if (caller_row(t->reg != NULL ? eb_doc_child(t->reg, "custodians") :
	    NULL, &row_custodian, t, a, err) == NULL)
		return EB_ERR_DENIED;
	if (find_by(t->shares, "share", "custodian", a->party) != NULL)
		return eb_fail(err, EB_ERR_CONFLICT, "share-already-submitted",
		    "Each custodian submits its share once.",
		    "custodian %s already submitted its share", a->party);
	return EB_OK;
}

struct eb_doc *
member_of(const struct tender *t, const char *party)
{
	return find_by(t->committee, "member", "party", party);
}

/*
 * A drawn expert whose appointment is 'status'; else refused: 'code'
 * 'reason', the message "expert PARTY WHAT ITS-STATUS".
 */
static int
expert_in(const struct tender *t, const struct eb_actor *a,
    const char *status, int code, const char *reason, const char *hint,
    const char *what, struct eb_error *err)
{
	struct eb_doc *m = caller_row(t->committee, &row_member, t, a, err);

	if (m == NULL)
		return EB_ERR_DENIED;
	if (!attr_is(m, "status", status))
		return eb_fail(err, code, reason, hint, "expert %s %s %s",
		    a->party, what, eb_doc_attr(m, "status"));
	return EB_OK;
}

int
who_pending_expert(const struct tender *t, const struct eb_actor *a,
    struct eb_error *err)
{
	return expert_in(t, a, "pending", EB_ERR_CONFLICT, "already-answered",
	    "The appointment was already answered.",
	    "answered the appointment:", err);
}

int
who_accepted_expert(const struct tender *t, const struct eb_actor *a,
    struct eb_error *err)
{
	return expert_in(t, a, "accepted", EB_ERR_DENIED,
	    "appointment-not-accepted",
	    "Accept the appointment before scoring.", "has status", err);
}

int
who_bidder_who_bid(const struct tender *t, const struct eb_actor *a,
    struct eb_error *err)
{
	return caller_row(t->opening_rec, &row_opened, t, a, err) != NULL ?
	    EB_OK : EB_ERR_DENIED;
}

/* ------------------------------------------------------------------ */
/* separation of duties                                                 */
/* ------------------------------------------------------------------ */

int
separation(const struct tender *t, const struct eb_actor *a,
    struct eb_error *err)
{
	uint32_t rb = EB_ROLE_BIT(a->role);
	struct eb_doc *x, *s;

	if (a->role == EB_ROLE_SYSTEM)
		return EB_OK;
	eb_doc_foreach(x, t->actors, "actor") {
		if (!attr_is(x, "person", person_of(a)))
			continue;
		if (!attr_is(x, "role", eb_role_name(a->role)))
			return eb_fail(err, EB_ERR_DENIED, "separation-of-duties",
			    "Another person must act in this office on this tender.",
			    "person %s already acted as %s on tender %s and may "
			    "not act as %s", person_of(a), eb_doc_attr(x, "role"),
			    t->id, eb_role_name(a->role));
		/* one person behind two bidders, two shares or two seats
		 * would defeat competition, k-of-n or the committee */
		if ((rb & (R(BIDDER) | R(CUSTODIAN) | R(EXPERT))) &&
		    !attr_is(x, "party", a->party))
			return eb_fail(err, EB_ERR_DENIED, "conflict-of-interest",
			    "One person acts for one bidder, one share or one seat only.",
			    "person %s already acted as %s %s on tender %s",
			    person_of(a), eb_doc_attr(x, "role"),
			    eb_doc_attr(x, "party"), t->id);
	}
	if (t->tenderer_org[0] == '\0' || a->org[0] == '\0')
		goto experts;
	if ((rb & OFFICERS) && strcmp(a->org, t->tenderer_org) == 0)
		return eb_fail(err, EB_ERR_DENIED, "separation-of-duties",
		    "An officer of the tenderer's organisation may not act on its tender.",
		    "%s %s belongs to %s, the tenderer of tender %s",
		    eb_role_name(a->role), a->party, a->org, t->id);
	if ((rb & (R(BIDDER) | R(EXPERT))) &&
	    strcmp(a->org, t->tenderer_org) == 0)
		return eb_fail(err, EB_ERR_DENIED, "conflict-of-interest",
		    "A party of the tenderer's organisation may not bid or evaluate.",
		    "%s %s belongs to %s, the tenderer of tender %s",
		    eb_role_name(a->role), a->party, a->org, t->id);
experts:
	if (a->role == EB_ROLE_EXPERT && a->org[0] != '\0') {
		eb_doc_foreach(s, t->signups, "sign-up")
			if (attr_is(s, "org", a->org))
				return eb_fail(err, EB_ERR_DENIED,
				    "conflict-of-interest",
				    "An expert employed by a bidder must withdraw (回避).",
				    "expert %s belongs to %s, the organisation of "
				    "bidder %s", a->party, a->org,
				    eb_doc_attr(s, "bidder"));
	}
	return EB_OK;
}
