/*
 * engine/core/tender_view.c
 *    view(): who sees what of a tender, one table (vis[]) of sections
 *    and audiences; bids sealed until the opening, then read aloud (唱标)
 *    to all but those who evaluate or check.
 *
 * Owner: the tender-flow engineer.  Part of the tender state machine:
 * engine/core/tender.c holds the table and decide(), tender_int.h what
 * its files share (docs/tender-flow.md for the flow).
 *
 * Pure: no I/O, no clock, no floating point.
 */
#include "engine/core/tender_int.h"

/* ------------------------------------------------------------------ */
/* view: who sees what (one table)                                      */
/* ------------------------------------------------------------------ */

/* The stage shown for a tender: a suspended or cancelling one shows the
 * stage it stopped in. */
static const char *
tender_stage(const struct tender *t)
{
	enum eb_tender_state s = t->state;

	if (s == EB_TS_CANCELLATION_REQUESTED)
		s = t->cancel_return;
	if (s == EB_TS_SUSPENDED)
		s = t->resume_state;
	return eb_tender_state_stage(s);
}

/*
 * Every viewer falls in one audience of this tender; what each audience
 * sees is the table vis[] below, section by section, and nothing else
 * decides it.  A role the tender does not know the viewer in (another
 * tenderer, a transferor, an expert not drawn, a custodian not named,
 * EB_ROLE_NONE) is the public.
 */
enum audience {
	AU_PUBLIC,        /* anybody: what the public board may show */
	AU_BIDDER,        /* a bidder: its own records, others' summaries */
	AU_DRAWN,         /* a drawn expert pending or declined */
	AU_EXPERT,        /* a seated expert (accepted the appointment) */
	AU_TENDERER,      /* the tenderer of this tender */
	AU_CUSTODIAN,     /* a custodian named in the registration */
	AU_OFFICER,       /* registrar, supervisor, verifier */
	AU_AUDITOR,
	AU_SYSTEM,        /* ebidd itself */
	AU_COUNT
};

#define AU(x) (1u << AU_##x)
#define AU_ALL ((1u << AU_COUNT) - 1)
#define AU_OFFICIALS (AU(OFFICER) | AU(AUDITOR) | AU(SYSTEM))

static enum audience
audience(const struct tender *t, const struct eb_actor *v)
{
	const struct eb_doc *m;

	switch (v->role) {
	case EB_ROLE_SYSTEM:
		return AU_SYSTEM;
	case EB_ROLE_AUDITOR:
		return AU_AUDITOR;
	case EB_ROLE_REGISTRAR:
	case EB_ROLE_SUPERVISOR:
	case EB_ROLE_VERIFIER:
		return AU_OFFICER;
	case EB_ROLE_TENDERER:
		return strcmp(v->party, t->tenderer) == 0 ? AU_TENDERER :
		    AU_PUBLIC;
	case EB_ROLE_BIDDER:
		return AU_BIDDER;
	case EB_ROLE_EXPERT:
		if ((m = member_of(t, v->party)) == NULL)
			return AU_PUBLIC;
		return attr_is(m, "status", "accepted") ? AU_EXPERT : AU_DRAWN;
	case EB_ROLE_CUSTODIAN:
		return t->reg != NULL && find_by(eb_doc_child(t->reg,
		    "custodians"), "custodian", "party", v->party) != NULL ?
		    AU_CUSTODIAN : AU_PUBLIC;
	default:
		return AU_PUBLIC;
	}
}

/* When a section widens to its 'late' audiences. */
enum vis_when {
	VW_NEVER,
	VW_PUBLISHED,     /* the announcement is out */
	VW_RESULT,        /* the candidates are published (公示) */
};

typedef struct eb_doc *vis_render_fn(const struct tender *,
    const struct eb_doc *);

/*
 * One row per section of the view, in the order of the view.  A viewer
 * sees the section when its audience is in 'shown' (or in 'late' once
 * 'when' holds).  Sections with 'item' are lists filtered per item: the
 * audiences in 'whole' (and 'late' once 'when' holds) see every item,
 * those in 'own' only the items whose 'owner' attribute is their party,
 * those in 'summary' the other items as 'sum' shortens them; any other
 * item is left out.  'render' builds the section from the state (NULL:
 * a copy).
 */
struct vis_row {
	const char *section;
	size_t slot;                /* offsetof(struct tender, ...) */
	uint32_t shown;
	uint32_t late;
	enum vis_when when;
	const char *item;
	uint32_t whole, own;
	const char *owner;
	uint32_t summary;
	vis_render_fn *render, *sum;
};

/* The registration with the tenderer and the effective dates
 * (amendments and resumption move them). */
static struct eb_doc *
vis_registration(const struct tender *t, const struct eb_doc *reg)
{
	struct eb_doc *x = eb_doc_clone(reg);

	eb_doc_set_attr(x, "tenderer", t->tenderer);
	eb_doc_set_attr(x, "tenderer-org", t->tenderer_org);
	set_time(eb_doc_child(x, "bid-deadline"), "at", t->deadline);
	set_time(eb_doc_child(x, "opening-time"), "at", t->opening);
	return x;
}

/* The opening key: when it was set, its certificate and the sealed
 * shares (items, filtered per custodian). */
static struct eb_doc *
vis_key(const struct tender *t, const struct eb_doc *k)
{
	struct eb_doc *x = eb_doc_new("opening-key"), *c;

	(void)t;
	eb_doc_set_attr(x, "at", eb_doc_attr(k, "at"));
	eb_doc_foreach(c, k, "certificate")
		eb_doc_append(x, eb_doc_clone(c));
	eb_doc_foreach(c, k, "sealed-share")
		eb_doc_append(x, eb_doc_clone(c));
	return x;
}

static struct eb_doc *
vis_draw_result(const struct tender *t, const struct eb_doc *drawn)
{
	struct eb_doc *x = eb_doc_new("draw-result");

	(void)t;
	eb_doc_append(x, eb_doc_clone(drawn));
	return x;
}

static struct eb_doc *
vis_publicity(const struct tender *t, const struct eb_doc *p)
{
	struct eb_doc *x = eb_doc_clone(p);

	set_time(x, "end", t->publicity_end);
	return x;
}

/*
 * The opening record as it is read aloud (唱标): bidder, commitment,
 * status, cause, total price, and the bid fields the tender's rules
 * declare public (<rules><read-aloud><field path=>), each as
 * <read-aloud><item field=PATH>TEXT</item>; a field that is absent from
 * the bid or not a text field is not read.  Never the bid document or
 * its signed copy.
 */
/*
 * The opening record with each bidder's organisation as it signed up, a
 * child <signed-up-as org= subject=/> of its bid-result (org: its
 * certificate's O; subject: the trading subject it acts for,
 * registries): the names read aloud, so the people's pages name the
 * organisation, not the party id.  A child, not attributes: the
 * record's attributes stay as they were for those who read them.
 */
static struct eb_doc *
vis_opening(const struct tender *t, const struct eb_doc *rec)
{
	struct eb_doc *x = eb_doc_clone(rec), *r, *a;
	const struct eb_doc *s;

	eb_doc_foreach(r, x, "bid-result") {
		s = find_by(t->signups, "sign-up", "bidder",
		    eb_doc_attr(r, "bidder"));
		if (s == NULL || (eb_doc_attr(s, "org") == NULL &&
		    eb_doc_attr(s, "subject") == NULL))
			continue;
		a = eb_doc_add(r, "signed-up-as");
		eb_doc_set_attr(a, "org", eb_doc_attr(s, "org"));
		eb_doc_set_attr(a, "subject", eb_doc_attr(s, "subject"));
	}
	return x;
}

static struct eb_doc *
vis_bid_summary(const struct tender *t, const struct eb_doc *r)
{
	static const char *const keep[] = { "bidder", "commitment", "status",
	    "total-price", "cause", "fault" };
	const struct eb_doc *fields = t->reg != NULL ?
	    eb_doc_path(t->reg, "rules/read-aloud") : NULL;
	const struct eb_doc *bid = eb_doc_child(r, "bid"), *f, *v;
	struct eb_doc *x = eb_doc_new(r->name), *ra = NULL, *it;
	size_t i;

	for (i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		eb_doc_set_attr(x, keep[i], eb_doc_attr(r, keep[i]));
	if ((f = eb_doc_child(r, "signed-up-as")) != NULL)
		eb_doc_append(x, eb_doc_clone(f));
	if (bid == NULL)
		return x;
	eb_doc_foreach(f, fields, "field") {
		const char *path = eb_doc_attr(f, "path");

		if (path == NULL || (v = eb_doc_path(bid, path)) == NULL ||
		    v->first != NULL || v->text == NULL)
			continue;
		if (ra == NULL)
			ra = eb_doc_add(x, "read-aloud");
		it = eb_doc_add_text(ra, "item", v->text);
		eb_doc_set_attr(it, "field", path);
	}
	return x;
}

/*
 * The clearing report with the bids to score marked: scored="yes|no"
 * on each <bid-summary> (the scoring form reads it), and the reason a
 * bid valid after clearing is not scored (not-scored="above-validity-
 * band", ...), from scored_bidders (the one definition).
 */
static struct eb_doc *
vis_clearing(const struct tender *t, const struct eb_doc *rep)
{
	struct eb_doc *x = eb_doc_clone(rep), *rules = eval_rules_drawn(t);
	struct eb_doc **bids = NULL, *s;
	const char **names = NULL, **reasons = NULL;
	size_t nb = 0, n = 0, i;
	struct eb_error err;

	if (rules == NULL || scored_bidders(t, rules, &bids, &nb, &names,
	    &n, &reasons, &err) != EB_OK)
		eb_doc_foreach(s, x, "bid-summary")
			eb_doc_set_attr(s, "scored", attr_is(s, "status",
			    "valid") ? "yes" : "no");
	else
		eb_doc_foreach(s, x, "bid-summary") {
			const char *b = eb_doc_attr(s, "bidder");

			eb_doc_set_attr(s, "scored", "no");
			for (i = 0; b != NULL && i < nb; i++)
				if (attr_is(bids[i], "bidder", b)) {
					eb_doc_set_attr(s, "scored",
					    reasons[i] == NULL ? "yes" : "no");
					if (reasons[i] != NULL)
						eb_doc_set_attr(s, "not-scored",
						    reasons[i]);
				}
		}
	free(names);
	free(reasons);
	free_bids(bids, nb);
	eb_doc_free(rules);
	return x;
}

/*
 * The bids found invalid after the opening (否决投标情况, 招标投标法实施
 * 条例 Art. 54): one <rejected bidder= stage= rule=> per ground, from
 * the clearing report's findings of severity "invalid" (stage
 * "clearing", rule the clearing rule, with its kind=/item= or reason=:
 * what the tender required, never the bid's content) and from the
 * evaluation result's bids the committee found invalid (stage
 * "evaluation", rule the invalid-reason, or "non-compliant" when the
 * compliance review failed it; lot= in a tender in lots).  Published
 * with the candidates (VW_RESULT in vis[]); the bidder's name is the
 * opening record's signed-up-as.
 */
static void
rejected_in(struct eb_doc *x, const struct eb_doc *res, const char *lot)
{
	const struct eb_doc *b, *l;
	struct eb_doc *r;

	eb_doc_foreach(b, res, "bid") {
		const char *why = eb_doc_attr(b, "invalid-reason");

		if (why == NULL && attr_is(b, "valid", "no"))
			why = "invalid";
		if (why == NULL && attr_is(b, "compliant", "no"))
			why = "non-compliant";
		if (why == NULL)
			continue;
		r = eb_doc_add(x, "rejected");
		eb_doc_set_attr(r, "bidder", eb_doc_attr(b, "bidder"));
		eb_doc_set_attr(r, "stage", "evaluation");
		eb_doc_set_attr(r, "rule", why);
		eb_doc_set_attr(r, "lot", lot);
	}
	eb_doc_foreach(l, res, "lot")
		rejected_in(x, eb_doc_child(l, "evaluation-result"),
		    eb_doc_attr(l, "id"));
}

static struct eb_doc *
vis_rejected(const struct tender *t, const struct eb_doc *rep)
{
	static const char *const keep[] = { "kind", "item", "reason" };
	struct eb_doc *x = eb_doc_new("rejected-bids"), *r;
	const struct eb_doc *f, *b;
	size_t i;

	eb_doc_foreach(f, rep, "finding") {
		if (!attr_is(f, "severity", "invalid"))
			continue;
		eb_doc_foreach(b, f, "bidder") {
			r = eb_doc_add(x, "rejected");
			eb_doc_set_attr(r, "bidder", eb_doc_attr(b, "party"));
			eb_doc_set_attr(r, "stage", "clearing");
			eb_doc_set_attr(r, "rule", eb_doc_attr(f, "rule"));
			for (i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
				eb_doc_set_attr(r, keep[i],
				    eb_doc_attr(f, keep[i]));
		}
	}
	if (t->result != NULL)
		rejected_in(x, eb_doc_child(t->result, "evaluation-result"),
		    NULL);
	return x;
}

#define SLOT(f) offsetof(struct tender, f)
#define OWN_TENDER (AU_OFFICIALS | AU(TENDERER))
#define EVALUATORS (AU_OFFICIALS | AU(EXPERT))

static const struct vis_row vis[] = {
	{ "registration", SLOT(reg), OWN_TENDER, AU_ALL, VW_PUBLISHED,
	    NULL, 0, 0, NULL, 0, vis_registration, NULL },
	{ "returns", SLOT(returns), OWN_TENDER, 0, VW_NEVER,
	    NULL, 0, 0, NULL, 0, NULL, NULL },
	{ "acceptance", SLOT(acceptance), OWN_TENDER, AU_ALL, VW_PUBLISHED,
	    NULL, 0, 0, NULL, 0, NULL, NULL },
	{ "announcement", SLOT(announcement), AU_ALL, 0, VW_NEVER,
	    NULL, 0, 0, NULL, 0, NULL, NULL },
	/* the certificate is public; each sealed share goes to its
	 * custodian and to ebidd, which forwards it */
	{ "opening-key", SLOT(key), AU_ALL, 0, VW_NEVER,
	    "sealed-share", AU(SYSTEM), AU(CUSTODIAN), "custodian", 0,
	    vis_key, NULL },
	{ "shares", SLOT(shares), AU_OFFICIALS | AU(CUSTODIAN), 0, VW_NEVER,
	    "share", AU_OFFICIALS, AU(CUSTODIAN), "custodian", 0, NULL, NULL },
	/* Art. 22 招标投标法: nobody learns who or how many signed up or
	 * bid before the opening; a bidder sees its own */
	{ "sign-ups", SLOT(signups), AU_OFFICIALS | AU(BIDDER), 0, VW_NEVER,
	    "sign-up", AU_OFFICIALS, AU(BIDDER), "bidder", 0, NULL, NULL },
	{ "notices", SLOT(notices), AU_ALL, 0, VW_NEVER,
	    NULL, 0, 0, NULL, 0, NULL, NULL },
	{ "bids", SLOT(bids), AU_OFFICIALS | AU(BIDDER), 0, VW_NEVER,
	    "bid", AU_OFFICIALS, AU(BIDDER), "bidder", 0, NULL, NULL },
	{ "deadline-reached", SLOT(deadline_rec), AU_ALL, 0, VW_NEVER,
	    NULL, 0, 0, NULL, 0, NULL, NULL },
	/* the opening record: bid documents and their signed copies to
	 * those who evaluate or check, and to each bidder for its own;
	 * everyone else hears it read aloud (唱标) */
	{ "opening-record", SLOT(opening_rec), AU_ALL, 0, VW_NEVER,
	    "bid-result", EVALUATORS, AU(BIDDER), "bidder", AU_ALL,
	    vis_opening, vis_bid_summary },
	{ "clearing-report", SLOT(clearing), EVALUATORS, 0, VW_NEVER,
	    NULL, 0, 0, NULL, 0, vis_clearing, NULL },
	/* which bids were found invalid and why: to everyone once the
	 * candidates are published (实施条例 Art. 54) */
	{ "rejected-bids", SLOT(clearing), EVALUATORS, AU_ALL,
	    VW_RESULT, NULL, 0, 0, NULL, 0, vis_rejected, NULL },
	{ "draw", SLOT(draw), AU_OFFICIALS, 0, VW_NEVER,
	    NULL, 0, 0, NULL, 0, NULL, NULL },
	{ "draw-result", SLOT(drawn), AU_OFFICIALS, 0, VW_NEVER,
	    NULL, 0, 0, NULL, 0, vis_draw_result, NULL },
	/* the committee is secret until the result is published; a drawn
	 * expert sees its own seat, the rest only once it accepted */
	{ "committee", SLOT(committee), EVALUATORS | AU(DRAWN), AU_ALL,
	    VW_RESULT, "member", EVALUATORS, AU(DRAWN), "party", 0,
	    NULL, NULL },
	{ "scores", SLOT(scores), EVALUATORS, 0, VW_NEVER,
	    "score-sheet", AU_OFFICIALS, AU(EXPERT), "expert", 0, NULL, NULL },
	{ "result", SLOT(result), EVALUATORS, AU_ALL, VW_RESULT,
	    NULL, 0, 0, NULL, 0, NULL, NULL },
	{ "report-signatures", SLOT(report), EVALUATORS, AU_ALL, VW_RESULT,
	    NULL, 0, 0, NULL, 0, NULL, NULL },
	{ "coefficient-drawn", SLOT(coefficient), AU_ALL, 0, VW_NEVER,
	    NULL, 0, 0, NULL, 0, NULL, NULL },
	{ "publicity", SLOT(publicity), AU_ALL, 0, VW_NEVER,
	    NULL, 0, 0, NULL, 0, vis_publicity, NULL },
	/* an objection is its bidder's and the officers' business */
	{ "objections", SLOT(objections), AU_OFFICIALS | AU(BIDDER), 0,
	    VW_NEVER, "objection", AU_OFFICIALS, AU(BIDDER), "bidder", 0,
	    NULL, NULL },
	{ "publicity-ended", SLOT(publicity_over), AU_ALL, 0, VW_NEVER,
	    NULL, 0, 0, NULL, 0, NULL, NULL },
	/* the verification record is public; its list of steps (who did
	 * what: sign-ups, objections) is the officers' and the tenderer's */
	{ "verification-record", SLOT(verification), AU_ALL, 0, VW_NEVER,
	    "step", OWN_TENDER, 0, NULL, 0, NULL, NULL },
	{ "award", SLOT(award), AU_ALL, 0, VW_NEVER,
	    NULL, 0, 0, NULL, 0, NULL, NULL },
	{ "closed", SLOT(closed), AU_ALL, 0, VW_NEVER,
	    NULL, 0, 0, NULL, 0, NULL, NULL },
	{ "failure", SLOT(failure), AU_ALL, 0, VW_NEVER,
	    NULL, 0, 0, NULL, 0, NULL, NULL },
	{ "cancellation", SLOT(cancellation), AU_ALL, 0, VW_NEVER,
	    NULL, 0, 0, NULL, 0, NULL, NULL },
	{ "suspension", SLOT(suspension), AU_ALL, 0, VW_NEVER,
	    NULL, 0, 0, NULL, 0, NULL, NULL },
	/* failed automatic steps (ebidd's report-incident): for the
	 * officers who must act on them */
	{ "incidents", SLOT(incidents), AU_OFFICIALS, 0, VW_NEVER,
	    NULL, 0, 0, NULL, 0, NULL, NULL },
	{ "history", SLOT(history), AU_OFFICIALS, 0, VW_NEVER,
	    NULL, 0, 0, NULL, 0, NULL, NULL },
};

static int
vis_when_holds(const struct tender *t, enum vis_when w)
{
	switch (w) {
	case VW_PUBLISHED:
		return t->announcement != NULL;
	case VW_RESULT:
		return t->publicity != NULL;
	default:
		return 0;
	}
}

/* Section 'r' of the view as audience 'a' (party 'party') sees it, or
 * NULL when it sees none of it. */
static struct eb_doc *
vis_section(const struct tender *t, const struct vis_row *r,
    enum audience a, const char *party)
{
	const struct eb_doc *d = *(struct eb_doc *const *)(const void *)
	    ((const char *)t + r->slot);
	uint32_t ab = 1u << a, late = vis_when_holds(t, r->when) ? r->late : 0;
	struct eb_doc *x, *c, *hold;

	if (d == NULL || !((r->shown | late) & ab))
		return NULL;
	x = r->render != NULL ? r->render(t, d) : eb_doc_clone(d);
	if (r->item == NULL || ((r->whole | late) & ab))
		return x;
	/* move the children aside and put back, in order, what 'a' sees */
	hold = eb_doc_new("hold");
	while ((c = x->first) != NULL) {
		eb_doc_detach(c);
		eb_doc_append(hold, c);
	}
	while ((c = hold->first) != NULL) {
		eb_doc_detach(c);
		if (strcmp(c->name, r->item) != 0 ||
		    ((r->own & ab) && attr_is(c, r->owner, party))) {
			eb_doc_append(x, c);
			continue;
		}
		if ((r->summary & ab) && r->sum != NULL)
			eb_doc_append(x, r->sum(t, c));
		eb_doc_free(c);
	}
	eb_doc_free(hold);
	return x;
}

struct eb_doc *
tender_view(const void *st, const struct eb_actor *v)
{
	const struct tender *t = st;
	struct eb_doc *d = eb_doc_new("tender"), *x;
	enum audience a = audience(t, v);
	size_t i;

	eb_doc_set_attr(d, "id", t->id);
	eb_doc_set_attr(d, "state", eb_tender_state_name(t->state));
	eb_doc_set_attr(d, "stage", tender_stage(t));
	if (t->state == EB_TS_SUSPENDED)
		eb_doc_set_attr(d, "resume-state",
		    eb_tender_state_name(t->resume_state));
	for (i = 0; i < sizeof(vis) / sizeof(vis[0]); i++)
		if ((x = vis_section(t, &vis[i], a, v->party)) != NULL)
			eb_doc_append(d, x);
	return d;
}
