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

int
who_signed_up_bidder(const struct tender *t, const struct eb_actor *a,
    struct eb_error *err)
{
	if (find_by(t->signups, "sign-up", "bidder", a->party) == NULL)
		return eb_fail(err, EB_ERR_DENIED, "not-your-tender",
		    "Sign up for the tender first.",
		    "bidder %s has no sign-up on tender %s", a->party, t->id);
	return EB_OK;
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
	if (find_by(t->bids, "bid", "bidder", a->party) == NULL)
		return eb_fail(err, EB_ERR_DENIED, "no-bid",
		    "Only a bid you submitted can be withdrawn.",
		    "bidder %s has no bid on tender %s", a->party, t->id);
	return EB_OK;
}

int
who_custodian(const struct tender *t, const struct eb_actor *a,
    struct eb_error *err)
{
	struct eb_doc *c = t->reg != NULL ?
	    find_by(eb_doc_child(t->reg, "custodians"), "custodian", "party",
	    a->party) : NULL;

	if (c == NULL)
		return eb_fail(err, EB_ERR_DENIED, "not-a-custodian",
		    "Only the custodians named in the registration hold shares.",
		    "party %s is not a custodian of tender %s", a->party, t->id);
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

int
who_pending_expert(const struct tender *t, const struct eb_actor *a,
    struct eb_error *err)
{
	struct eb_doc *m = member_of(t, a->party);

	if (m == NULL)
		return eb_fail(err, EB_ERR_DENIED, "not-on-committee",
		    "Only drawn experts act in the evaluation.",
		    "expert %s is not on the committee of tender %s",
		    a->party, t->id);
	if (!attr_is(m, "status", "pending"))
		return eb_fail(err, EB_ERR_CONFLICT, "already-answered",
		    "The appointment was already answered.",
		    "expert %s answered the appointment: %s", a->party,
		    eb_doc_attr(m, "status"));
	return EB_OK;
}

int
who_accepted_expert(const struct tender *t, const struct eb_actor *a,
    struct eb_error *err)
{
	struct eb_doc *m = member_of(t, a->party);

	if (m == NULL)
		return eb_fail(err, EB_ERR_DENIED, "not-on-committee",
		    "Only drawn experts act in the evaluation.",
		    "expert %s is not on the committee of tender %s",
		    a->party, t->id);
	if (!attr_is(m, "status", "accepted"))
		return eb_fail(err, EB_ERR_DENIED, "appointment-not-accepted",
		    "Accept the appointment before scoring.",
		    "expert %s has status %s", a->party,
		    eb_doc_attr(m, "status"));
	return EB_OK;
}

int
who_bidder_who_bid(const struct tender *t, const struct eb_actor *a,
    struct eb_error *err)
{
	if (find_by(t->opening_rec, "bid-result", "bidder", a->party) == NULL)
		return eb_fail(err, EB_ERR_DENIED, "not-your-tender",
		    "Only a bidder whose bid was opened may object.",
		    "party %s had no bid at the opening of tender %s",
		    a->party, t->id);
	return EB_OK;
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
