/*
 * engine/core/tender.c
 *    The procurement tender state machine: the transition table (as data),
 *    decide, apply, view, timers, and the rights-and-duties notice.
 *
 * Owner: the tender-flow engineer.  See tender.h for the contract and
 * docs/tender-flow.md (generated matrix and diagram) for the flow.
 *
 * How a command is decided (tender_decide):
 *    1. the row of the command (unknown -> EB_ERR_FORMAT unknown-command);
 *    2. the state must be in the row's state mask (EB_ERR_STATE
 *       not-allowed-in-state, naming the state, the command and the
 *       commands the caller's role may issue now);
 *    3. the caller's role must be in the row's role mask (EB_ERR_DENIED
 *       role-not-allowed);
 *    4. separation of duties (EB_ERR_DENIED separation-of-duties /
 *       conflict-of-interest): one natural person acts in one role only on
 *       a tender; an officer (registrar, supervisor, verifier) is never of
 *       the tenderer's organisation; bidders and experts neither; an
 *       expert never of a bidder's organisation;
 *    5. the row's "who" check: this caller on this tender (EB_ERR_DENIED
 *       not-your-tender, not-a-custodian, not-on-committee, ...);
 *    6. the row's guard: parses the body (EB_ERR_FORMAT), checks the rule
 *       (EB_ERR_RULE) and appends the events.
 * Every event carries at= (ISO instant of cmd->time), by= (party),
 * role= and person=; apply() folds them, appends one history step per
 * event (with the SHA-256 of its canonical bytes) and changes the state
 * only through tender_set_state(), which checks the transition against
 * the same table.
 *
 * Representation: scalars the rules reason about are C fields; lists
 * (sign-ups, bids, committee, objections, history...) are eb_doc
 * containers whose children the view copies, filtered by role.
 *
 * Rule modules are called here, so a replay recomputes their results:
 * the clearing (清标, eb_clearing_run) in clear-bids; the expert draw
 * (eb_draw_committee, eb_draw_replace) in draw-experts and
 * decline-appointment; with evaluation rules, the sheet check
 * (eb_score_sheet_check) in submit-scores and the ranking
 * (eb_evaluation_result) in close-evaluation.  Each call site is marked
 * CLEARING / DRAW / SCORING / EVALUATION.  Without evaluation rules (a
 * method the evaluation module does not know) close-evaluation carries
 * the committee's ranking, form-checked.  No result is made up here.
 *
 * Pure: no I/O, no clock, no floating point.
 */
#include "tender.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/core/clearing.h"
#include "engine/core/draw.h"
#include "engine/core/evaluation.h"
#include "engine/core/subject.h"
#include "protocol/hash.h"
#include "protocol/isotime.h"

#define S(x) EB_TS_BIT(x)
#define R(x) EB_ROLE_BIT(EB_ROLE_##x)

#define MAX_CUSTODIANS 16
#define MAX_COMMITTEE 49
#define MAX_SIGNUPS 4096
#define MAX_OBJECTIONS 256
#define MAX_NOTICES 1000          /* clarifications + amendments */
#define MAX_RETURNS 100           /* return/resubmit rounds */
#define MAX_CANDIDATES 3
#define MIN_VALID_BIDS 3          /* 实施条例 Art. 44 */
#define OBJECTION_ANSWER_DAYS 3   /* 实施条例 Art. 54 */
#define DEFAULT_NOTICE_DAYS 15
#define DEFAULT_PUBLICITY_DAYS 3
#define MIN_PUBLICITY_DAYS 3

#define OFFICERS (R(REGISTRAR) | R(SUPERVISOR) | R(VERIFIER))
#define OFFICIALS (OFFICERS | R(AUDITOR) | R(SYSTEM))

#define LIVE (~(S(EB_TS_NEW) | S(EB_TS_CLOSED) | S(EB_TS_FAILED) | \
    S(EB_TS_CANCELLED)) & ((1u << EB_TS_COUNT) - 1))
#define CANCELLABLE (LIVE & ~S(EB_TS_CANCELLATION_REQUESTED))
#define SUSPENDABLE (LIVE & ~(S(EB_TS_CANCELLATION_REQUESTED) | \
    S(EB_TS_SUSPENDED)))

struct tender {
	char id[EB_ID_MAX];
	enum eb_tender_state state;
	enum eb_tender_state resume_state;  /* SUSPENDED returns here */
	enum eb_tender_state cancel_return; /* refused cancellation returns */
	int64_t seq;                        /* events applied */

	/* registration (受理) */
	char tenderer[EB_ID_MAX];
	char tenderer_org[EB_NAME_MAX];
	struct eb_doc *reg;                 /* normalized <registration> */
	int64_t deadline, opening, ceiling, notice_ms, publicity_ms;
	int64_t committee_size, threshold;
	struct eb_doc *returns;             /* <returns><return ..><reason/> */
	struct eb_doc *acceptance;          /* <acceptance at by/> or NULL */

	/* organization (组织) */
	struct eb_doc *announcement;
	struct eb_doc *key;                 /* <opening-key> with sealed shares */
	struct eb_doc *shares;              /* <shares><share custodian= .../> */
	struct eb_doc *signups;             /* <sign-ups><sign-up bidder status> */
	struct eb_doc *notices;             /* clarifications and amendments */
	struct eb_doc *bids;                /* <bids><bid bidder commitment ..> */
	struct eb_doc *deadline_rec;        /* <deadline-reached at bids=> */
	struct eb_doc *opening_rec;         /* <opening-record> */
	int64_t nopened;
	struct eb_doc *clearing;            /* <clearing-report> */
	struct eb_doc *draw;                /* <draw commitment at by> */
	struct eb_doc *committee;           /* <committee><member status ..> */
	struct eb_doc *drawn;               /* the draw module's <committee> */
	struct eb_doc *scores;              /* <scores><score-sheet expert=> */
	struct eb_doc *result;              /* <result><candidate rank bidder> */
	struct eb_doc *report;              /* <report><signature expert sha256> */
	struct eb_doc *coefficient;         /* <coefficient-drawn value index> */

	/* confirmation (确认) */
	struct eb_doc *publicity;           /* <publicity start end> */
	int64_t publicity_end;
	int64_t objection_since;
	int64_t open_objections;
	struct eb_doc *objections;
	struct eb_doc *publicity_over;
	struct eb_doc *verification;        /* <verification-record> */
	struct eb_doc *award;
	struct eb_doc *closed;

	/* exits */
	struct eb_doc *failure;
	struct eb_doc *cancellation;
	struct eb_doc *suspension;
	int64_t suspended_at;

	struct eb_doc *actors;              /* <actors><actor person role/> */
	struct eb_doc *history;             /* <history><step ...> */
	struct eb_doc *incidents;           /* <incidents><incident step code> */
};

/* ------------------------------------------------------------------ */
/* states                                                               */
/* ------------------------------------------------------------------ */

static const char *const state_names[EB_TS_COUNT] = {
	[EB_TS_NEW] = "new",
	[EB_TS_SUBMITTED] = "submitted",
	[EB_TS_RETURNED] = "returned",
	[EB_TS_ACCEPTED] = "accepted",
	[EB_TS_ANNOUNCED] = "announced",
	[EB_TS_BIDDING] = "bidding",
	[EB_TS_AWAITING_OPENING] = "awaiting-opening",
	[EB_TS_OPENED] = "opened",
	[EB_TS_CLEARED] = "cleared",
	[EB_TS_DRAW_REQUESTED] = "draw-requested",
	[EB_TS_EVALUATION] = "evaluation",
	[EB_TS_EVALUATED] = "evaluated",
	[EB_TS_PUBLICITY] = "publicity",
	[EB_TS_OBJECTION] = "objection",
	[EB_TS_PUBLICITY_OVER] = "publicity-over",
	[EB_TS_VERIFIED] = "verified",
	[EB_TS_AWARDED] = "awarded",
	[EB_TS_CLOSED] = "closed",
	[EB_TS_FAILED] = "failed",
	[EB_TS_CANCELLATION_REQUESTED] = "cancellation-requested",
	[EB_TS_CANCELLED] = "cancelled",
	[EB_TS_SUSPENDED] = "suspended",
};

size_t
eb_tender_state_count(void)
{
	return EB_TS_COUNT;
}

const char *
eb_tender_state_name(size_t s)
{
	return s < EB_TS_COUNT ? state_names[s] : "?";
}

const char *
eb_tender_state_stage(size_t s)
{
	if (s <= EB_TS_ACCEPTED)
		return "registration";
	if (s <= EB_TS_EVALUATED)
		return "organization";
	if (s <= EB_TS_CLOSED)
		return "confirmation";
	return "exit";
}

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

enum eb_tender_state
eb_tender_state(const void *st)
{
	return ((const struct tender *)st)->state;
}

/* ------------------------------------------------------------------ */
/* small helpers                                                        */
/* ------------------------------------------------------------------ */

static void
iso(int64_t ms, char out[EB_ISOTIME_LEN])
{
	eb_isotime_format(ms, out);
}

static void
set_time(struct eb_doc *d, const char *name, int64_t ms)
{
	char b[EB_ISOTIME_LEN];

	iso(ms, b);
	eb_doc_set_attr(d, name, b);
}

static int
attr_time(const struct eb_doc *d, const char *name, int64_t *ms)
{
	const char *s = eb_doc_attr(d, name);

	return s != NULL && eb_isotime_parse(s, ms) == 0 ? EB_OK : EB_ERR_FORMAT;
}

static int
is_sha256(const char *s)
{
	size_t i;

	if (s == NULL || strlen(s) != 64)
		return 0;
	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

/* Strict base64: non-empty, alphabet A-Za-z0-9+/, '=' padding only at
 * the end, length a multiple of 4. */
static int
is_base64(const char *s)
{
	size_t n, i, pad = 0;

	if (s == NULL || (n = strlen(s)) == 0 || n % 4 != 0)
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c == '=') {
			pad++;
			continue;
		}
		if (pad > 0)
			return 0;
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '+' || c == '/'))
			return 0;
	}
	return pad <= 2;
}

static int
nonblank(const char *s)
{
	if (s == NULL)
		return 0;
	for (; *s != '\0'; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return 1;
	return 0;
}

static const char *
person_of(const struct eb_actor *a)
{
	return a->person[0] != '\0' ? a->person : a->party;
}

/* First child of 'list' whose attribute 'attr' equals 'v', or NULL. */
static struct eb_doc *
find_by(const struct eb_doc *list, const char *name, const char *attr,
    const char *v)
{
	struct eb_doc *c;

	if (list == NULL || v == NULL)
		return NULL;
	eb_doc_foreach(c, list, name) {
		const char *a = eb_doc_attr(c, attr);

		if (a != NULL && strcmp(a, v) == 0)
			return c;
	}
	return NULL;
}

static int
attr_is(const struct eb_doc *d, const char *name, const char *v)
{
	const char *a = d != NULL ? eb_doc_attr(d, name) : NULL;

	return a != NULL && strcmp(a, v) == 0;
}

static size_t
count_attr(const struct eb_doc *list, const char *name, const char *attr,
    const char *v)
{
	struct eb_doc *c;
	size_t n = 0;

	if (list == NULL)
		return 0;
	eb_doc_foreach(c, list, name)
		if (attr_is(c, attr, v))
			n++;
	return n;
}

static int
missing(struct eb_error *err, const char *cmd, const char *field)
{
	return eb_fail(err, EB_ERR_FORMAT, "missing-field",
	    "Add the field and send the command again.",
	    "%s: field '%s' is missing or malformed", cmd, field);
}

/* A new event child of 'events' with at/by/role/person. */
static struct eb_doc *
ev_add(struct eb_doc *events, const char *name, const struct eb_cmd *c)
{
	struct eb_doc *e = eb_doc_add(events, name);

	set_time(e, "at", c->time);
	eb_doc_set_attr(e, "by", c->actor.party);
	eb_doc_set_attr(e, "role", eb_role_name(c->actor.role));
	eb_doc_set_attr(e, "person", person_of(&c->actor));
	if (c->actor.org[0] != '\0')
		eb_doc_set_attr(e, "org", c->actor.org);
	return e;
}

/* Copy the <reason> children of 'body' to 'to'; returns their number
 * (blank ones are not counted). */
static int
copy_reasons(const struct eb_doc *body, struct eb_doc *to)
{
	struct eb_doc *r;
	int n = 0;

	eb_doc_foreach(r, body, "reason") {
		if (!nonblank(eb_doc_text(r)))
			continue;
		eb_doc_add_text(to, "reason", eb_doc_text(r));
		n++;
	}
	return n;
}

static int
reasons_required(struct eb_error *err, const char *cmd)
{
	return eb_fail(err, EB_ERR_RULE, "reasons-required",
	    "Give at least one non-empty <reason>.",
	    "%s needs a written reason", cmd);
}

static int
require_text(const struct eb_doc *body, const char *name, const char *cmd,
    const char **out, struct eb_error *err)
{
	const char *s = eb_doc_child_text(body, name);

	if (!nonblank(s))
		return missing(err, cmd, name);
	*out = s;
	return EB_OK;
}

/* ------------------------------------------------------------------ */
/* the transition table: declarations                                   */
/* ------------------------------------------------------------------ */

enum clock { CK_NONE, CK_DEADLINE, CK_OPENING, CK_PUBLICITY_END,
	CK_OBJECTION_ANSWER };

typedef int who_fn(const struct tender *, const struct eb_actor *,
    struct eb_error *);
typedef int guard_fn(const struct tender *, const struct eb_cmd *,
    struct eb_doc *events, struct eb_error *);

struct row {
	const char *command;
	uint32_t roles;
	uint32_t states;
	who_fn *who;           /* this caller on this tender; NULL: anyone */
	guard_fn *guard;       /* body, rule, events */
	int to, alt;           /* target state(s) */
	uint32_t duty;         /* roles for which it is a "must" */
	enum clock until;      /* "may ... until" / "must ... by" */
	const char *events;
	const char *summary;
};


/* ------------------------------------------------------------------ */
/* who checks: this caller on this tender                               */
/* ------------------------------------------------------------------ */

static int
who_tenderer(const struct tender *t, const struct eb_actor *a,
    struct eb_error *err)
{
	if (strcmp(a->party, t->tenderer) != 0)
		return eb_fail(err, EB_ERR_DENIED, "not-your-tender",
		    "Only the tenderer who registered the project acts for it.",
		    "party %s is not the tenderer of tender %s", a->party, t->id);
	return EB_OK;
}

static int
who_signed_up_bidder(const struct tender *t, const struct eb_actor *a,
    struct eb_error *err)
{
	if (find_by(t->signups, "sign-up", "bidder", a->party) == NULL)
		return eb_fail(err, EB_ERR_DENIED, "not-your-tender",
		    "Sign up for the tender first.",
		    "bidder %s has no sign-up on tender %s", a->party, t->id);
	return EB_OK;
}

static int
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

static int
who_bid_holder(const struct tender *t, const struct eb_actor *a,
    struct eb_error *err)
{
	if (find_by(t->bids, "bid", "bidder", a->party) == NULL)
		return eb_fail(err, EB_ERR_DENIED, "no-bid",
		    "Only a bid you submitted can be withdrawn.",
		    "bidder %s has no bid on tender %s", a->party, t->id);
	return EB_OK;
}

static int
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

static struct eb_doc *
member_of(const struct tender *t, const char *party)
{
	return find_by(t->committee, "member", "party", party);
}

static int
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

static int
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

static int
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

static int
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

/* ------------------------------------------------------------------ */
/* registration                                                         */
/* ------------------------------------------------------------------ */

static int
days_field(const struct eb_doc *b, const char *name, int64_t dflt,
    int64_t min, int64_t *out, const char *cmd, struct eb_error *err)
{
	int rc = eb_doc_child_i64(b, name, out);

	if (rc == EB_ERR_NOTFOUND) {
		*out = dflt;
		return EB_OK;
	}
	if (rc != EB_OK)
		return missing(err, cmd, name);
	if (*out < min || *out > 365)
		return eb_fail(err, EB_ERR_RULE, "period-out-of-range",
		    "Choose a period the rules allow.",
		    "%s is %lld days; allowed %lld..365", name,
		    (long long)*out, (long long)min);
	return EB_OK;
}

static int
time_field(const struct eb_doc *b, const char *name, int64_t *out,
    const char *cmd, struct eb_error *err)
{
	const char *s = eb_doc_child_text(b, name);

	if (s == NULL || eb_isotime_parse(s, out) != 0)
		return missing(err, cmd, name);
	return EB_OK;
}

/*
 * Parse and check the registration fields of 'b' (register-tender or
 * resubmit-registration) into a new normalized <registration>.
 */
static int
parse_registration(const struct eb_doc *b, int64_t now,
    struct eb_doc **out, struct eb_error *err)
{
	const char *cmd = b->name, *title = NULL, *p = NULL;
	struct eb_doc *r = NULL, *docs, *d, *cus, *c, *x;
	int64_t ceiling, deadline, opening, committee, notice, publicity, k;
	size_t n = 0;
	int rc;

	*out = NULL;
	if ((rc = require_text(b, "title", cmd, &title, err)) != EB_OK)
		return rc;
	docs = eb_doc_child(b, "documents");
	if (docs == NULL || eb_doc_count(docs, "document") == 0)
		return missing(err, cmd, "documents/document");
	eb_doc_foreach(d, docs, "document")
		if (!nonblank(eb_doc_attr(d, "name")) ||
		    !is_sha256(eb_doc_attr(d, "sha256")))
			return missing(err, cmd, "document@name/@sha256");
	if (eb_doc_child(b, "rules") == NULL)
		return missing(err, cmd, "rules");
	if (eb_doc_child_i64(b, "ceiling-price", &ceiling) != EB_OK)
		return missing(err, cmd, "ceiling-price");
	if ((rc = time_field(b, "bid-deadline", &deadline, cmd, err)) != EB_OK ||
	    (rc = time_field(b, "opening-time", &opening, cmd, err)) != EB_OK)
		return rc;
	if (eb_doc_child_i64(b, "committee-size", &committee) != EB_OK)
		return missing(err, cmd, "committee-size");
	if ((rc = days_field(b, "notice-period-days", DEFAULT_NOTICE_DAYS, 0,
	    &notice, cmd, err)) != EB_OK ||
	    (rc = days_field(b, "publicity-days", DEFAULT_PUBLICITY_DAYS,
	    MIN_PUBLICITY_DAYS, &publicity, cmd, err)) != EB_OK)
		return rc;
	cus = eb_doc_child(b, "custodians");
	if (cus == NULL || eb_doc_attr_i64(cus, "threshold", &k) != EB_OK)
		return missing(err, cmd, "custodians@threshold");
	eb_doc_foreach(c, cus, "custodian") {
		p = eb_doc_attr(c, "party");
		if (!nonblank(p))
			return missing(err, cmd, "custodian@party");
		for (x = eb_doc_child(cus, "custodian"); x != c;
		    x = eb_doc_next(x, "custodian"))
			if (attr_is(x, "party", p))
				return eb_fail(err, EB_ERR_RULE,
				    "duplicate-custodian",
				    "Name each custodian once.",
				    "custodian %s is named twice", p);
		n++;
	}
	if (ceiling <= 0)
		return eb_fail(err, EB_ERR_RULE, "ceiling-price-invalid",
		    "State the ceiling price in fen, greater than zero.",
		    "ceiling-price is %lld fen", (long long)ceiling);
	if (deadline <= now)
		return eb_fail(err, EB_ERR_RULE, "deadline-passed",
		    "Choose a bid deadline in the future.",
		    "bid-deadline is not after the command's time");
	if (opening < deadline)
		return eb_fail(err, EB_ERR_RULE, "opening-before-deadline",
		    "The opening is at or after the bid deadline (招标投标法 Art. 34).",
		    "opening-time precedes bid-deadline");
	if (committee < 3 || committee > MAX_COMMITTEE || committee % 2 == 0)
		return eb_fail(err, EB_ERR_RULE, "committee-size-invalid",
		    "The committee is an odd number of members, at least 3.",
		    "committee-size is %lld", (long long)committee);
	if (n == 0 || n > MAX_CUSTODIANS || k < 1 || (size_t)k > n)
		return eb_fail(err, EB_ERR_RULE, "custodian-threshold-invalid",
		    "Name 1 to 16 custodians and a threshold between 1 and their number.",
		    "%zu custodians, threshold %lld", n, (long long)k);

	/* the clearing rules must be usable when the bids are opened: run
	 * the clearing once on no bids to check them now */
	x = eb_doc_path(b, "rules/clearing-rules");
	if (x != NULL) {
		struct eb_doc *rep = NULL;

		int64_t cc = 0;

		if ((rc = eb_clearing_run(x, NULL, 0, &rep, err)) != EB_OK)
			return rc;
		eb_doc_free(rep);
		if (eb_doc_child_i64(x, "ceiling-price", &cc) == EB_OK &&
		    cc != ceiling)
			return eb_fail(err, EB_ERR_RULE,
			    "ceiling-price-mismatch",
			    "Leave ceiling-price out of the clearing rules or state the same figure.",
			    "clearing-rules say %lld fen, the registration %lld",
			    (long long)cc, (long long)ceiling);
	}

	/* the evaluation rules: contradictions refused now, not at the
	 * close (issue 14, point 7) */
	x = eb_doc_path(b, "rules/evaluation-rules");
	if (x != NULL && (rc = eb_evaluation_rules_check(x, committee, err)) !=
	    EB_OK)
		return rc;

	r = eb_doc_new("registration");
	eb_doc_add_text(r, "title", title);
	eb_doc_append(r, eb_doc_clone(docs));
	x = eb_doc_child(b, "qualification");
	eb_doc_append(r, x != NULL ? eb_doc_clone(x) :
	    eb_doc_new("qualification"));
	eb_doc_append(r, eb_doc_clone(eb_doc_child(b, "rules")));
	eb_doc_set_attr_i64(eb_doc_add(r, "ceiling-price"), "fen", ceiling);
	x = eb_doc_add(r, "bid-deadline");
	set_time(x, "at", deadline);
	x = eb_doc_add(r, "opening-time");
	set_time(x, "at", opening);
	eb_doc_set_attr_i64(eb_doc_add(r, "committee-size"), "n", committee);
	eb_doc_set_attr_i64(eb_doc_add(r, "notice-period-days"), "n", notice);
	eb_doc_set_attr_i64(eb_doc_add(r, "publicity-days"), "n", publicity);
	x = eb_doc_add(r, "custodians");
	eb_doc_set_attr_i64(x, "threshold", k);
	eb_doc_foreach(c, cus, "custodian")
		eb_doc_set_attr(eb_doc_add(x, "custodian"), "party",
		    eb_doc_attr(c, "party"));
	*out = r;
	return EB_OK;
}

/* Load the scalars of a normalized <registration> into 't'. */
static int
load_registration(struct tender *t, const struct eb_doc *r,
    struct eb_error *err)
{
	int64_t nd = 0, pd = 0;

	if (r == NULL ||
	    attr_time(eb_doc_child(r, "bid-deadline"), "at", &t->deadline) ||
	    attr_time(eb_doc_child(r, "opening-time"), "at", &t->opening) ||
	    eb_doc_attr_i64(eb_doc_child(r, "ceiling-price"), "fen",
	    &t->ceiling) ||
	    eb_doc_attr_i64(eb_doc_child(r, "committee-size"), "n",
	    &t->committee_size) ||
	    eb_doc_attr_i64(eb_doc_child(r, "notice-period-days"), "n", &nd) ||
	    eb_doc_attr_i64(eb_doc_child(r, "publicity-days"), "n", &pd) ||
	    eb_doc_attr_i64(eb_doc_child(r, "custodians"), "threshold",
	    &t->threshold))
		return eb_fail(err, EB_ERR_FORMAT, "bad-event",
		    NULL, "registration record is malformed");
	t->notice_ms = nd * EB_MS_PER_DAY;
	t->publicity_ms = pd * EB_MS_PER_DAY;
	eb_doc_free(t->reg);
	t->reg = eb_doc_clone(r);
	return EB_OK;
}

static int
g_register(const struct tender *t, const struct eb_cmd *c,
    struct eb_doc *events, struct eb_error *err)
{
	struct eb_doc *reg = NULL, *e;
	int rc;

	if ((rc = parse_registration(c->body, c->time, &reg, err)) != EB_OK)
		return rc;
	e = ev_add(events, "tender-registered", c);
	eb_doc_set_attr(e, "tender", c->target[0] ? c->target : t->id);
	eb_doc_set_attr(e, "tenderer", c->actor.party);
	eb_doc_set_attr(e, "tenderer-org", c->actor.org);
	eb_doc_append(e, reg);
	return EB_OK;
}

static int
g_resubmit(const struct tender *t, const struct eb_cmd *c,
    struct eb_doc *events, struct eb_error *err)
{
	struct eb_doc *reg = NULL, *e;
	int rc;

	(void)t;
	if ((rc = parse_registration(c->body, c->time, &reg, err)) != EB_OK)
		return rc;
	e = ev_add(events, "registration-resubmitted", c);
	eb_doc_append(e, reg);
	return EB_OK;
}

static int
g_return(const struct tender *t, const struct eb_cmd *c,
    struct eb_doc *events, struct eb_error *err)
{
	struct eb_doc *e = eb_doc_new("registration-returned");
	int n = copy_reasons(c->body, e);

	eb_doc_free(e);
	if (n == 0)
		return reasons_required(err, c->body->name);
	if (eb_doc_count(t->returns, "return") >= MAX_RETURNS)
		return eb_fail(err, EB_ERR_LIMIT, "too-many-returns",
		    "Cancel the tender instead of returning it again.",
		    "tender %s was returned %d times", t->id, MAX_RETURNS);
	e = ev_add(events, "registration-returned", c);
	copy_reasons(c->body, e);
	return EB_OK;
}

static int
g_simple(const struct tender *t, const struct eb_cmd *c,
    struct eb_doc *events, const char *event)
{
	(void)t;
	ev_add(events, event, c);
	return EB_OK;
}

static int
g_accept(const struct tender *t, const struct eb_cmd *c,
    struct eb_doc *events, struct eb_error *err)
{
	(void)err;
	return g_simple(t, c, events, "registration-accepted");
}

/* ------------------------------------------------------------------ */
/* organization                                                         */
/* ------------------------------------------------------------------ */

static int
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

static int
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

static int
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

static int
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

static int
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

static int
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
static int
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

static int
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

static int
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

static void
fail_event(struct eb_doc *events, const struct eb_cmd *c, const char *cause,
    int64_t valid)
{
	struct eb_doc *e = ev_add(events, "tender-failed", c);

	eb_doc_set_attr(e, "cause", cause);
	eb_doc_set_attr_i64(e, "valid-bids", valid);
	eb_doc_set_attr_i64(e, "required", MIN_VALID_BIDS);
}

static int
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

static int
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

static void history_digest(const struct tender *t,
    uint8_t out[EB_SHA256_LEN]);
static const struct eb_doc *eval_rules(const struct tender *t);

/*
 * open-bids carries, for every bid held at the deadline, one
 *   <bid-result bidder= commitment= status="opened|invalid"
 *               [cause= fault="bidder|other"] [total-price=]>
 *     [<bid>...</bid>]              (opened ones: the decrypted document)
 * The core checks that the list is exactly the bids it holds, that each
 * commitment matches, and counts the opened ones: fewer than three fail
 * the tender (流标).
 */
static int
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
static int
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
 * free_bids) and their number in *n; NULL on out-of-memory.
 */
static struct eb_doc **
opened_bids(const struct tender *t, int valid_only, size_t *n)
{
	size_t cap = eb_doc_count(t->opening_rec, "bid-result");
	struct eb_doc **bids = calloc(cap ? cap : 1, sizeof(*bids)), *r, *s;

	*n = 0;
	if (bids == NULL)
		return NULL;
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

static void
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
static int
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
	if (bids == NULL) {
		eb_doc_free(rules);
		return eb_fail(err, EB_ERR_NOMEM, "out-of-memory", NULL,
		    "clearing the bids of tender %s", t->id);
	}
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
static void
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

/*
 * request-draw: the supervisor commits to a secret (SHA-256 of it) and
 * states the seats per specialty; they add up to the committee size.
 */
static int
g_request_draw(const struct tender *t, const struct eb_cmd *c,
    struct eb_doc *events, struct eb_error *err)
{
	const char *com = eb_doc_child_text(c->body, "commitment");
	struct eb_doc *x, *e;
	int64_t sum = 0, k, r;
	size_t n = 0;

	if (!is_sha256(com))
		return missing(err, c->body->name, "commitment");
	eb_doc_foreach(x, c->body, "seats") {
		if (!nonblank(eb_doc_attr(x, "specialty")) ||
		    eb_doc_attr_i64(x, "count", &k) != EB_OK || k < 1 ||
		    k > MAX_COMMITTEE ||
		    (eb_doc_attr(x, "reserve") != NULL &&
		    (eb_doc_attr_i64(x, "reserve", &r) != EB_OK || r < 0 ||
		    r > MAX_COMMITTEE)))
			return missing(err, c->body->name,
			    "seats@specialty/@count/@reserve");
		sum += k;
		n++;
	}
	if (n == 0 || sum != t->committee_size)
		return eb_fail(err, EB_ERR_RULE, "seats-mismatch",
		    "Ask for as many seats as the committee size, by specialty.",
		    "%lld seats for a committee of %lld", (long long)sum,
		    (long long)t->committee_size);
	/* avoidance of experts drawn too often (both or neither) */
	if ((eb_doc_attr(c->body, "recent-days") != NULL) !=
	    (eb_doc_attr(c->body, "max-recent") != NULL) ||
	    (eb_doc_attr(c->body, "recent-days") != NULL &&
	    (eb_doc_attr_i64(c->body, "recent-days", &k) != EB_OK || k < 1 ||
	    k > 3660 || eb_doc_attr_i64(c->body, "max-recent", &r) != EB_OK ||
	    r < 1 || r > 1000)))
		return missing(err, c->body->name, "@recent-days and @max-recent");
	e = ev_add(events, "draw-requested", c);
	eb_doc_set_attr(e, "commitment", com);
	eb_doc_set_attr(e, "recent-days", eb_doc_attr(c->body, "recent-days"));
	eb_doc_set_attr(e, "max-recent", eb_doc_attr(c->body, "max-recent"));
	eb_doc_foreach(x, c->body, "seats")
		eb_doc_append(e, eb_doc_clone(x));
	return EB_OK;
}

static int64_t
seats_open(const struct tender *t)
{
	return t->committee_size -
	    (int64_t)count_attr(t->committee, "member", "status", "pending") -
	    (int64_t)count_attr(t->committee, "member", "status", "accepted");
}

/* The <draw-request> of this draw: the requested seats (first draw) or
 * the seats of declined, unreplaced members (later draws); the bidders'
 * and tenderer's organisations; every person who already acted on the
 * tender or sits on its committee is avoided. */
static struct eb_doc *
draw_request(const struct tender *t)
{
	struct eb_doc *q = eb_doc_new("draw-request"), *x, *y;

	eb_doc_set_attr(q, "tender", t->id);
	/* eb_doc_set_attr with NULL leaves them out: no recent-draw rule */
	eb_doc_set_attr(q, "recent-days", eb_doc_attr(t->draw, "recent-days"));
	eb_doc_set_attr(q, "max-recent", eb_doc_attr(t->draw, "max-recent"));
	if (t->state == EB_TS_DRAW_REQUESTED) {
		eb_doc_foreach(x, t->draw, "seats")
			eb_doc_append(q, eb_doc_clone(x));
	} else {
		eb_doc_foreach(x, t->committee, "member") {
			const char *sp = eb_doc_attr(x, "specialty");

			if (!attr_is(x, "status", "declined") ||
			    eb_doc_attr(x, "replaced-by") != NULL || sp == NULL)
				continue;
			y = find_by(q, "seats", "specialty", sp);
			if (y == NULL) {
				y = eb_doc_add(q, "seats");
				eb_doc_set_attr(y, "specialty", sp);
				eb_doc_set_attr(y, "count", "0");
				eb_doc_set_attr(y, "reserve", "0");
			}
			{
				int64_t k = 0;

				(void)eb_doc_attr_i64(y, "count", &k);
				eb_doc_set_attr_i64(y, "count", k + 1);
			}
		}
	}
	eb_doc_foreach(x, t->signups, "sign-up")
		if (eb_doc_attr(x, "org") != NULL &&
		    find_by(q, "bidder-org", "org", eb_doc_attr(x, "org")) ==
		    NULL) {
			y = eb_doc_add_text(q, "bidder-org", eb_doc_attr(x, "org"));
			/* 'org' attribute only to find duplicates above */
			eb_doc_set_attr(y, "org", eb_doc_attr(x, "org"));
		}
	eb_doc_foreach(x, q, "bidder-org")
		eb_doc_set_attr(x, "org", NULL);
	if (t->tenderer_org[0] != '\0')
		eb_doc_add_text(q, "tenderer-org", t->tenderer_org);
	eb_doc_foreach(x, t->actors, "actor")
		eb_doc_set_attr(eb_doc_add(q, "avoid"), "person",
		    eb_doc_attr(x, "person"));
	eb_doc_foreach(x, t->committee, "member")
		eb_doc_set_attr(eb_doc_add(q, "avoid"), "person",
		    eb_doc_attr(x, "person"));
	return q;
}

/*
 * draw-experts carries the supervisor's <reveal> (checked against the
 * draw commitment) and the expert pool's view <pool> (from the pool
 * aggregate).  The core draws: seed = eb_draw_seed(history digest,
 * reveal), committee = eb_draw_committee(pool, request, seed, time).  In
 * draw-requested it seats the whole committee; in evaluation it fills
 * the seats of declined members that no reserve replaced.
 */
static int
g_draw(const struct tender *t, const struct eb_cmd *c,
    struct eb_doc *events, struct eb_error *err)
{
	const struct eb_doc *pool = eb_doc_child(c->body, "pool");
	const char *reveal = eb_doc_child_text(c->body, "reveal");
	struct eb_doc *req = NULL, *com = NULL, *m, *x, *e;
	uint8_t head[EB_SHA256_LEN], seed[EB_SHA256_LEN];
	const char *p;
	char hex[EB_SHA256_HEX];
	int64_t want = seats_open(t), n;
	int rc;

	if (pool == NULL)
		return missing(err, c->body->name, "pool");
	if (!nonblank(reveal))
		return missing(err, c->body->name, "reveal");
	if (!eb_draw_check_reveal(eb_doc_attr(t->draw, "commitment"), reveal))
		return eb_fail(err, EB_ERR_RULE, "reveal-mismatch",
		    "Reveal the secret committed with request-draw.",
		    "SHA-256 of the reveal is not the draw commitment");
	if (want <= 0)
		return eb_fail(err, EB_ERR_RULE, "committee-size-mismatch",
		    "Every seat is taken or pending; nothing to draw.",
		    "no open seat on the committee");
	history_digest(t, head);
	if ((rc = eb_draw_seed(head, &reveal, 1, seed)) != EB_OK)
		return eb_fail(err, rc, "bad-reveal", NULL,
		    "the reveal cannot seed the draw");
	req = draw_request(t);
	/* DRAW: eb_draw_committee() plugs in here */
	rc = eb_draw_committee(pool, req, seed, c->time, &com, err);
	eb_doc_free(req);
	if (rc != EB_OK)
		return rc;
	/* what the core checks of any draw, whoever computed it */
	n = (int64_t)eb_doc_count(com, "member");
	if (n != want) {
		eb_doc_free(com);
		return eb_fail(err, EB_ERR_RULE, "committee-size-mismatch",
		    "Draw exactly the open seats of the committee.",
		    "%lld members drawn for %lld open seats", (long long)n,
		    (long long)want);
	}
	eb_doc_foreach(m, com, "member") {
		p = eb_doc_attr(m, "party");
		x = find_by(t->actors, "actor", "person",
		    eb_doc_attr(m, "person"));
		if (p == NULL || member_of(t, p) != NULL || x != NULL ||
		    attr_is(m, "org", t->tenderer_org) ||
		    find_by(t->signups, "sign-up", "org",
		    eb_doc_attr(m, "org")) != NULL) {
			eb_doc_free(com);
			return eb_fail(err, EB_ERR_INTERNAL, "draw-conflict",
			    NULL, "the draw seated %s despite a conflict",
			    p != NULL ? p : "?");
		}
	}
	e = ev_add(events, "experts-drawn", c);
	/* the pool drawn from: ebidd records the appointments there */
	eb_doc_set_attr(e, "pool", eb_doc_attr(pool, "id"));
	eb_hex32(head, hex);
	eb_doc_set_attr(e, "log-head", hex);
	eb_doc_append(e, com);
	return EB_OK;
}

static int
g_accept_appt(const struct tender *t, const struct eb_cmd *c,
    struct eb_doc *events, struct eb_error *err)
{
	(void)t;
	(void)err;
	eb_doc_set_attr(ev_add(events, "appointment-accepted", c), "expert",
	    c->actor.party);
	return EB_OK;
}

/*
 * A declining expert is replaced by the next reserve of its specialty
 * (eb_draw_replace); with no reserve left its seat stays open for
 * another draw-experts.
 */
static int
g_decline_appt(const struct tender *t, const struct eb_cmd *c,
    struct eb_doc *events, struct eb_error *err)
{
	struct eb_doc *e, *updated = NULL, *m;
	struct eb_error e2;
	int rc = EB_ERR_NOTFOUND;

	eb_error_clear(&e2);
	snprintf(e2.reason, sizeof(e2.reason), "not-in-draw");

	/* DRAW: eb_draw_replace() plugs in here */
	if (t->drawn != NULL &&
	    find_by(t->drawn, "member", "party", c->actor.party) != NULL)
		rc = eb_draw_replace(t->drawn, c->actor.party, &updated, &e2);
	if (rc == EB_ERR_NOMEM)
		return eb_fail(err, rc, "out-of-memory", NULL,
		    "replacing expert %s", c->actor.party);
	e = ev_add(events, "appointment-declined", c);
	eb_doc_set_attr(e, "expert", c->actor.party);
	copy_reasons(c->body, e);
	if (rc == EB_OK) {
		m = find_by(updated, "member", "replaces", c->actor.party);
		if (m != NULL)
			eb_doc_set_attr(e, "replaced-by", eb_doc_attr(m, "party"));
		eb_doc_append(e, updated);
	} else
		eb_doc_set_attr(e, "replacement", e2.reason);
	return EB_OK;
}

/* The tender's <evaluation-rules>, or NULL when it states none. */
static const struct eb_doc *
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
static struct eb_doc *
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
static int
scored_bidders(const struct tender *t, const struct eb_doc *rules,
    struct eb_doc ***bids, size_t *nb, const char ***names, size_t *n,
    const char ***reasons, struct eb_error *err)
{
	*n = 0;
	*bids = opened_bids(t, 1, nb);
	*names = calloc(*nb + 1, sizeof(**names));
	if (reasons != NULL)
		*reasons = calloc(*nb + 1, sizeof(**reasons));
	if (*bids == NULL || *names == NULL ||
	    (reasons != NULL && *reasons == NULL))
		return eb_fail(err, EB_ERR_NOMEM, "out-of-memory", NULL,
		    "listing the bids to score");
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
static int
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
static int
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
	sheets = calloc(eb_doc_count(t->scores, "score-sheet") + 1,
	    sizeof(*sheets));
	if (sheets == NULL) {
		eb_doc_free(rules);
		return eb_fail(err, EB_ERR_NOMEM, "out-of-memory", NULL,
		    "explain-deviation");
	}
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
	sheets = calloc(eb_doc_count(t->scores, "score-sheet") + 1,
	    sizeof(*sheets));
	if (bids == NULL || sheets == NULL) {
		rc = eb_fail(err, EB_ERR_NOMEM, "out-of-memory", NULL,
		    "evaluating tender %s", t->id);
		goto out;
	}
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

static int
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

static int
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

static int
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

static int
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
static int
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

static int
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
static int
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

static int
g_award(const struct tender *t, const struct eb_cmd *c,
    struct eb_doc *events, struct eb_error *err)
{
	const char *bidder = eb_doc_attr(c->body, "bidder"), *j = NULL;
	struct eb_doc *cand, *e;
	int rc;

	if (!nonblank(bidder))
		return missing(err, c->body->name, "bidder");
	if ((rc = require_text(c->body, "justification", c->body->name, &j,
	    err)))
		return rc;
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

static int
g_close(const struct tender *t, const struct eb_cmd *c,
    struct eb_doc *events, struct eb_error *err)
{
	(void)err;
	return g_simple(t, c, events, "tender-closed");
}

/* ------------------------------------------------------------------ */
/* exits                                                                */
/* ------------------------------------------------------------------ */

static int
g_reasoned(const struct eb_cmd *c, struct eb_doc *events, const char *ev,
    struct eb_error *err)
{
	struct eb_doc *e;

	if (!nonblank(eb_doc_child_text(c->body, "reason")))
		return reasons_required(err, c->body->name);
	e = ev_add(events, ev, c);
	copy_reasons(c->body, e);
	return EB_OK;
}

static int
g_request_cancel(const struct tender *t, const struct eb_cmd *c,
    struct eb_doc *events, struct eb_error *err)
{
	(void)t;
	return g_reasoned(c, events, "cancellation-requested", err);
}

static int
g_countersign(const struct tender *t, const struct eb_cmd *c,
    struct eb_doc *events, struct eb_error *err)
{
	(void)err;
	return g_simple(t, c, events, "tender-cancelled");
}

static int
g_refuse_cancel(const struct tender *t, const struct eb_cmd *c,
    struct eb_doc *events, struct eb_error *err)
{
	(void)t;
	return g_reasoned(c, events, "cancellation-refused", err);
}

static int
g_suspend(const struct tender *t, const struct eb_cmd *c,
    struct eb_doc *events, struct eb_error *err)
{
	(void)t;
	return g_reasoned(c, events, "tender-suspended", err);
}

/* Time stops while a tender is suspended: on resume every pending time
 * point after the suspension moves by its length. */
static int
g_resume(const struct tender *t, const struct eb_cmd *c,
    struct eb_doc *events, struct eb_error *err)
{
	int rc;

	if ((rc = g_reasoned(c, events, "tender-resumed", err)) != EB_OK)
		return rc;
	eb_doc_set_attr_i64(events->last, "suspended-ms",
	    c->time - t->suspended_at);
	return EB_OK;
}

/* ebidd reports the failure of one of its automatic steps (the opening
 * key, the opening, the clearing, a timer): a visible record, no state
 * change, so the officers can act (suspend, cancel, resume to retry). */
static int
g_incident(const struct tender *t, const struct eb_cmd *c,
    struct eb_doc *events, struct eb_error *err)
{
	const char *step = eb_doc_attr(c->body, "step");
	const char *code = eb_doc_attr(c->body, "code");
	struct eb_doc *e;

	(void)t;
	if (step == NULL || code == NULL || *step == '\0' || *code == '\0')
		return eb_fail(err, EB_ERR_FORMAT, "missing-field",
		    "Name the step and the error code.",
		    "report-incident needs step= and code=");
	e = ev_add(events, "incident-reported", c);
	eb_doc_set_attr(e, "step", step);
	eb_doc_set_attr(e, "code", code);
	if (eb_doc_child_text(c->body, "message") != NULL)
		eb_doc_add_text(e, "message",
		    eb_doc_child_text(c->body, "message"));
	return EB_OK;
}

/* ------------------------------------------------------------------ */
/* the table                                                            */
/* ------------------------------------------------------------------ */

#define SIGN_UP_STATES (S(EB_TS_ANNOUNCED) | S(EB_TS_BIDDING))

static const struct row rows[] = {
	/* registration (受理) */
	{ "register-tender", R(TENDERER), S(EB_TS_NEW), NULL, g_register,
	  EB_TS_SUBMITTED, EB_TS_NONE, 0, CK_NONE, "tender-registered",
	  "register a project: documents, requirements, rules, prices, dates, custodians" },
	{ "return-registration", R(REGISTRAR), S(EB_TS_SUBMITTED), NULL,
	  g_return, EB_TS_RETURNED, EB_TS_NONE, R(REGISTRAR), CK_NONE,
	  "registration-returned", "return the registration with reasons" },
	{ "resubmit-registration", R(TENDERER), S(EB_TS_RETURNED), who_tenderer,
	  g_resubmit, EB_TS_SUBMITTED, EB_TS_NONE, R(TENDERER), CK_NONE,
	  "registration-resubmitted", "resubmit the amended registration" },
	{ "accept-registration", R(REGISTRAR), S(EB_TS_SUBMITTED), NULL,
	  g_accept, EB_TS_ACCEPTED, EB_TS_NONE, R(REGISTRAR), CK_NONE,
	  "registration-accepted", "accept the project into the centre" },
	/* organization (组织) */
	{ "publish-announcement", R(SUPERVISOR), S(EB_TS_ACCEPTED), NULL,
	  g_announce, EB_TS_ANNOUNCED, EB_TS_NONE, R(SUPERVISOR), CK_NONE,
	  "announcement-published", "publish the tender announcement" },
	{ "set-opening-key", R(SYSTEM), S(EB_TS_ANNOUNCED), NULL, g_set_key,
	  EB_TS_BIDDING, EB_TS_NONE, R(SYSTEM), CK_NONE, "opening-key-set",
	  "set the opening certificate and the custodians' sealed shares; bidding opens" },
	{ "sign-up", R(BIDDER), SIGN_UP_STATES, who_new_sign_up, g_sign_up,
	  EB_TS_KEEP, EB_TS_NONE, 0, CK_DEADLINE, "sign-up-received",
	  "sign up against the qualification requirements" },
	{ "confirm-sign-up", R(REGISTRAR), SIGN_UP_STATES, NULL,
	  g_confirm_sign_up, EB_TS_KEEP, EB_TS_NONE, 0, CK_NONE,
	  "sign-up-confirmed", "confirm a pending sign-up" },
	{ "reject-sign-up", R(REGISTRAR), SIGN_UP_STATES, NULL,
	  g_reject_sign_up, EB_TS_KEEP, EB_TS_NONE, 0, CK_NONE,
	  "sign-up-rejected", "reject a pending sign-up with a reason" },
	{ "clarify", R(TENDERER), SIGN_UP_STATES, who_tenderer, g_clarify,
	  EB_TS_KEEP, EB_TS_NONE, 0, CK_DEADLINE, "clarification-issued",
	  "publish a clarification (答疑)" },
	{ "amend-documents", R(TENDERER), SIGN_UP_STATES, who_tenderer, g_amend,
	  EB_TS_KEEP, EB_TS_NONE, 0, CK_DEADLINE, "documents-amended",
	  "amend the documents; late amendments push the deadline" },
	{ "submit-bid", R(BIDDER), S(EB_TS_BIDDING), who_signed_up_bidder,
	  g_submit_bid, EB_TS_KEEP, EB_TS_NONE, 0, CK_DEADLINE,
	  "bid-submitted", "submit or replace a sealed bid" },
	{ "withdraw-bid", R(BIDDER), S(EB_TS_BIDDING), who_bid_holder,
	  g_withdraw_bid, EB_TS_KEEP, EB_TS_NONE, 0, CK_DEADLINE,
	  "bid-withdrawn", "withdraw one's bid" },
	{ "deadline-reached", R(SYSTEM), SIGN_UP_STATES, NULL, g_deadline,
	  EB_TS_AWAITING_OPENING, EB_TS_FAILED, R(SYSTEM), CK_DEADLINE,
	  "deadline-reached tender-failed",
	  "close bidding at the deadline; fewer than three bids fail" },
	{ "submit-share", R(CUSTODIAN), S(EB_TS_AWAITING_OPENING),
	  who_custodian, g_submit_share, EB_TS_KEEP, EB_TS_NONE, R(CUSTODIAN),
	  CK_OPENING, "share-submitted", "hand in one's share of the opening key" },
	{ "open-bids", R(SYSTEM), S(EB_TS_AWAITING_OPENING), NULL, g_open,
	  EB_TS_OPENED, EB_TS_FAILED, R(SYSTEM), CK_OPENING,
	  "bids-opened tender-failed",
	  "record the opening; fewer than three valid bids fail" },
	{ "clear-bids", R(SYSTEM), S(EB_TS_OPENED), NULL, g_clear,
	  EB_TS_CLEARED, EB_TS_NONE, R(SYSTEM), CK_NONE, "clearing-report",
	  "record the clearing report (清标)" },
	{ "request-draw", R(SUPERVISOR), S(EB_TS_CLEARED), NULL,
	  g_request_draw, EB_TS_DRAW_REQUESTED, EB_TS_NONE, R(SUPERVISOR),
	  CK_NONE, "draw-requested", "commit to the expert draw" },
	{ "draw-experts", R(SYSTEM) | R(SUPERVISOR),
	  S(EB_TS_DRAW_REQUESTED) | S(EB_TS_EVALUATION), NULL, g_draw,
	  EB_TS_EVALUATION, EB_TS_NONE, R(SYSTEM), CK_NONE, "experts-drawn",
	  "record the drawn committee or replacements" },
	{ "accept-appointment", R(EXPERT), S(EB_TS_EVALUATION),
	  who_pending_expert, g_accept_appt, EB_TS_KEEP, EB_TS_NONE,
	  R(EXPERT), CK_NONE, "appointment-accepted", "accept the appointment" },
	{ "decline-appointment", R(EXPERT), S(EB_TS_EVALUATION),
	  who_pending_expert, g_decline_appt, EB_TS_KEEP, EB_TS_NONE, 0,
	  CK_NONE, "appointment-declined", "decline the appointment" },
	{ "submit-scores", R(EXPERT), S(EB_TS_EVALUATION), who_accepted_expert,
	  g_scores, EB_TS_KEEP, EB_TS_NONE, R(EXPERT), CK_NONE,
	  "scores-submitted", "submit or replace one's score sheet" },
	{ "explain-deviation", R(EXPERT), S(EB_TS_EVALUATION),
	  who_accepted_expert, g_explain, EB_TS_KEEP, EB_TS_NONE, 0,
	  CK_NONE, "deviation-explained",
	  "explain in writing a score the deviation rule flags" },
	{ "close-evaluation", R(SUPERVISOR), S(EB_TS_EVALUATION), NULL,
	  g_close_eval, EB_TS_EVALUATED, EB_TS_NONE, R(SUPERVISOR), CK_NONE,
	  "evaluation-closed", "close the evaluation with the ranked candidates" },
	/* confirmation (确认) */
	{ "sign-report", R(EXPERT), S(EB_TS_EVALUATED), who_accepted_expert,
	  g_sign_report, EB_TS_KEEP, EB_TS_NONE, R(EXPERT), CK_NONE,
	  "report-signed", "sign the committee report (评标报告), with dissent" },
	{ "publish-candidates", R(SUPERVISOR), S(EB_TS_EVALUATED), NULL,
	  g_publish, EB_TS_PUBLICITY, EB_TS_NONE, R(SUPERVISOR), CK_NONE,
	  "candidates-published", "publicise the candidates (公示)" },
	{ "raise-objection", R(BIDDER),
	  S(EB_TS_PUBLICITY) | S(EB_TS_OBJECTION), who_bidder_who_bid,
	  g_object, EB_TS_OBJECTION, EB_TS_NONE, 0, CK_PUBLICITY_END,
	  "objection-raised", "object to the result during publicity (异议)" },
	{ "answer-objection", R(SUPERVISOR), S(EB_TS_OBJECTION), NULL,
	  g_answer, EB_TS_PUBLICITY, EB_TS_KEEP, R(SUPERVISOR),
	  CK_OBJECTION_ANSWER, "objection-answered",
	  "answer an objection; the last answer resumes the publicity" },
	{ "publicity-ended", R(SYSTEM), S(EB_TS_PUBLICITY), NULL,
	  g_publicity_ended, EB_TS_PUBLICITY_OVER, EB_TS_NONE, R(SYSTEM),
	  CK_PUBLICITY_END, "publicity-ended", "end the publicity period" },
	{ "verify-process", R(VERIFIER), S(EB_TS_PUBLICITY_OVER), NULL,
	  g_verify, EB_TS_VERIFIED, EB_TS_NONE, R(VERIFIER), CK_NONE,
	  "process-verified", "issue the verification record (鉴证)" },
	{ "issue-award", R(VERIFIER) | R(SUPERVISOR), S(EB_TS_VERIFIED), NULL,
	  g_award, EB_TS_AWARDED, EB_TS_NONE, R(VERIFIER), CK_NONE,
	  "award-issued", "issue the award notice to a candidate, with a justification" },
	{ "close-tender", R(SUPERVISOR), S(EB_TS_AWARDED), NULL, g_close,
	  EB_TS_CLOSED, EB_TS_NONE, R(SUPERVISOR), CK_NONE, "tender-closed",
	  "close and archive the tender" },
	/* exits */
	{ "request-cancellation", R(SUPERVISOR), CANCELLABLE, NULL,
	  g_request_cancel, EB_TS_CANCELLATION_REQUESTED, EB_TS_NONE, 0,
	  CK_NONE, "cancellation-requested", "request cancellation with a reason" },
	{ "countersign-cancellation", R(VERIFIER),
	  S(EB_TS_CANCELLATION_REQUESTED), NULL, g_countersign,
	  EB_TS_CANCELLED, EB_TS_NONE, R(VERIFIER), CK_NONE,
	  "tender-cancelled", "countersign the cancellation" },
	{ "refuse-cancellation", R(VERIFIER), S(EB_TS_CANCELLATION_REQUESTED),
	  NULL, g_refuse_cancel, EB_TS_BACK, EB_TS_NONE, R(VERIFIER), CK_NONE,
	  "cancellation-refused", "refuse to countersign, with a reason" },
	{ "suspend", R(SUPERVISOR), SUSPENDABLE, NULL, g_suspend,
	  EB_TS_SUSPENDED, EB_TS_NONE, 0, CK_NONE, "tender-suspended",
	  "suspend the tender with a reason" },
	{ "resume", R(SUPERVISOR), S(EB_TS_SUSPENDED), NULL, g_resume,
	  EB_TS_BACK, EB_TS_NONE, R(SUPERVISOR), CK_NONE, "tender-resumed",
	  "resume the tender; its time points move by the suspension" },
	{ "report-incident", R(SYSTEM), LIVE, NULL, g_incident, EB_TS_KEEP,
	  EB_TS_NONE, 0, CK_NONE, "incident-reported",
	  "record the failure of an automatic step for the officers" },
};
static const size_t nrows = sizeof(rows) / sizeof(rows[0]);

static const struct row *
row_find(const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < nrows; i++)
		if (strcmp(rows[i].command, name) == 0)
			return &rows[i];
	return NULL;
}

size_t
eb_tender_row_count(void)
{
	return nrows;
}

#define ROW_FIELD(fn, type, field, dflt) \
	type fn(size_t i) { return i < nrows ? rows[i].field : (dflt); }
ROW_FIELD(eb_tender_row_command, const char *, command, "")
ROW_FIELD(eb_tender_row_roles, uint32_t, roles, 0)
ROW_FIELD(eb_tender_row_states, uint32_t, states, 0)
ROW_FIELD(eb_tender_row_duty_roles, uint32_t, duty, 0)
ROW_FIELD(eb_tender_row_to, int, to, EB_TS_NONE)
ROW_FIELD(eb_tender_row_alt, int, alt, EB_TS_NONE)
ROW_FIELD(eb_tender_row_events, const char *, events, "")
ROW_FIELD(eb_tender_row_summary, const char *, summary, "")

/* Is from -> to a transition of the table? */
static int
transition_allowed(enum eb_tender_state from, enum eb_tender_state to)
{
	size_t i;

	for (i = 0; i < nrows; i++) {
		const struct row *r = &rows[i];

		if (r->to == EB_TS_BACK && (r->states & S(to)) == 0) {
			/* back to where it was stopped from */
			if ((r->states & S(from)) &&
			    ((from == EB_TS_SUSPENDED && (SUSPENDABLE & S(to))) ||
			    (from == EB_TS_CANCELLATION_REQUESTED &&
			    (CANCELLABLE & S(to)))))
				return 1;
			continue;
		}
		if ((r->states & S(from)) && (r->to == (int)to ||
		    r->alt == (int)to))
			return 1;
	}
	return 0;
}

/* The only writer of t->state. */
static int
tender_set_state(struct tender *t, enum eb_tender_state to,
    struct eb_error *err)
{
	if (to == t->state)
		return EB_OK;
	if (EB_NEVER(to >= EB_TS_COUNT) || !transition_allowed(t->state, to))
		return eb_fail(err, EB_ERR_INTERNAL, "illegal-transition",
		    NULL, "tender %s cannot go from %s to %s", t->id,
		    eb_tender_state_name(t->state),
		    eb_tender_state_name(to));
	t->state = to;
	return EB_OK;
}

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
		    "The log does not follow from the commands.",
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
	struct eb_doc *a = record(ev, "award");

	(void)at;
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
static int
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

/* ------------------------------------------------------------------ */
/* decide                                                               */
/* ------------------------------------------------------------------ */

/* The commands 'role' may issue in the current state, space-separated. */
static void
allowed_now(const struct tender *t, enum eb_role role, char *out, size_t n)
{
	size_t i, used = 0;
	int w;

	out[0] = '\0';
	for (i = 0; i < nrows; i++) {
		if (!(rows[i].states & S(t->state)) ||
		    !(rows[i].roles & EB_ROLE_BIT(role)))
			continue;
		w = snprintf(out + used, n - used, "%s%s", used ? " " : "",
		    rows[i].command);
		if (w < 0 || (size_t)w >= n - used)
			break;
		used += (size_t)w;
	}
	if (used == 0)
		snprintf(out, n, "(none)");
}

/* Checks 1 to 5 of the header comment, without the guard. */
static int
admissible(const struct tender *t, const struct row *r,
    const struct eb_actor *a, struct eb_error *err)
{
	char now[512];
	int rc;

	if (!(r->states & S(t->state))) {
		allowed_now(t, a->role, now, sizeof(now));
		rc = eb_fail(err, EB_ERR_STATE, "not-allowed-in-state",
		    "Issue one of the commands allowed now.",
		    "%s is not allowed: tender %s is %s", r->command, t->id,
		    eb_tender_state_name(t->state));
		eb_error_detail(err, "state=%s command=%s role=%s "
		    "allowed-now: %s", eb_tender_state_name(t->state),
		    r->command, eb_role_name(a->role), now);
		return rc;
	}
	if (!(r->roles & EB_ROLE_BIT(a->role))) {
		allowed_now(t, a->role, now, sizeof(now));
		rc = eb_fail(err, EB_ERR_DENIED, "role-not-allowed",
		    "Ask the office that holds this power.",
		    "a %s may not issue %s", eb_role_name(a->role),
		    r->command);
		eb_error_detail(err, "state=%s command=%s role=%s "
		    "allowed-now: %s", eb_tender_state_name(t->state),
		    r->command, eb_role_name(a->role), now);
		return rc;
	}
	if ((rc = separation(t, a, err)) != EB_OK)
		return rc;
	if (r->who != NULL && (rc = r->who(t, a, err)) != EB_OK)
		return rc;
	return EB_OK;
}

static int
tender_decide(const void *st, const struct eb_cmd *cmd,
    struct eb_doc **events, struct eb_error *err)
{
	const struct tender *t = st;
	const struct row *r;
	struct eb_doc *ev = NULL;
	int rc;

	*events = NULL;
	if (cmd == NULL || cmd->body == NULL)
		return eb_fail(err, EB_ERR_FORMAT, "missing-body", NULL,
		    "a command needs a body");
	r = row_find(cmd->body->name);
	if (r == NULL)
		return eb_fail(err, EB_ERR_NOTFOUND, "unknown-command",
		    "See docs/tender-flow.md for the tender's commands.",
		    "tender does not know command '%s'", cmd->body->name);
	if ((rc = admissible(t, r, &cmd->actor, err)) != EB_OK)
		return rc;
	ev = eb_doc_new("events");
	if ((rc = r->guard(t, cmd, ev, err)) != EB_OK) {
		eb_doc_free(ev);
		return rc;
	}
	*events = ev;
	return EB_OK;
}

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

/* ------------------------------------------------------------------ */
/* create / destroy / timers                                            */
/* ------------------------------------------------------------------ */

static void *
tender_create(const char *id)
{
	struct tender *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	snprintf(t->id, sizeof(t->id), "%s", id != NULL ? id : "");
	t->state = EB_TS_NEW;
	return t;
}

static void
tender_destroy(void *st)
{
	struct tender *t = st;
	struct eb_doc **docs[] = { &t->reg, &t->returns, &t->acceptance,
	    &t->announcement, &t->key, &t->shares, &t->signups, &t->notices,
	    &t->bids, &t->deadline_rec, &t->opening_rec, &t->clearing,
	    &t->draw, &t->committee, &t->drawn, &t->scores, &t->result,
	    &t->report, &t->coefficient, &t->publicity,
	    &t->objections, &t->publicity_over, &t->verification, &t->award,
	    &t->closed, &t->failure, &t->cancellation, &t->suspension,
	    &t->actors, &t->history, &t->incidents };
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++)
		eb_doc_free(*docs[i]);
	free(t);
}

static int
tender_handles(const char *name)
{
	return row_find(name) != NULL;
}

static const char *
tender_state_name_of(const void *st)
{
	return eb_tender_state_name(((const struct tender *)st)->state);
}

static int
tender_next_timer(const void *st, int64_t *at, const char **name)
{
	const struct tender *t = st;

	switch (t->state) {
	case EB_TS_ANNOUNCED:
	case EB_TS_BIDDING:
		*at = t->deadline;
		*name = "deadline-reached";
		return 1;
	case EB_TS_AWAITING_OPENING:
		if ((int64_t)eb_doc_count(t->shares, "share") < t->threshold)
			return 0;
		*at = t->opening;
		*name = "open-bids";
		return 1;
	case EB_TS_PUBLICITY:
		*at = t->publicity_end;
		*name = "publicity-ended";
		return 1;
	default:
		return 0;
	}
}

/*
 * What ebidd does by itself in a state (engine/core/flow.h): the opening
 * key once announced, clearing the envelopes once opened, and recording
 * the committee in its pool from the evaluation on.
 */
static size_t
tender_next_actions(const void *st, enum eb_action *out, size_t max)
{
	const struct tender *t = st;
	size_t n = 0;

	switch (t->state) {
	case EB_TS_ANNOUNCED:
		if (n < max)
			out[n++] = EB_ACT_MAKE_OPENING_KEY;
		break;
	case EB_TS_OPENED:
		if (n < max)
			out[n++] = EB_ACT_CLEAR_BIDS;
		break;
	case EB_TS_EVALUATED:
	case EB_TS_PUBLICITY:
	case EB_TS_OBJECTION:
	case EB_TS_PUBLICITY_OVER:
	case EB_TS_VERIFIED:
	case EB_TS_AWARDED:
		if (n < max)
			out[n++] = EB_ACT_RECORD_APPOINTMENTS;
		break;
	default:
		break;
	}
	return n;
}

int
eb_tender_member_seated(const struct eb_doc *member)
{
	const char *st = eb_doc_attr(member, "status");

	return st != NULL && strcmp(st, "accepted") == 0;
}

/* names as in state_names[] (tests/unit/server_state_names.c checks) */
static const char *const tender_final_states[] = {
	"closed", "failed",
	"cancelled", NULL
};
/* before the announcement, the board does not list a tender */
static const char *const tender_unlisted_states[] = {
	"new", "submitted",
	"returned", "accepted", NULL
};
/* the chain heads are public once bidding is over */
static const char *const tender_public_head_states[] = {
	"awaiting-opening", "opened",
	"cleared", "draw-requested",
	"evaluation", "evaluated",
	"publicity", "objection",
	"publicity-over", "verified",
	"awarded", "closed",
	"failed", NULL
};

/* ------------------------------------------------------------------ */
/* view: who sees what (one table)                                      */
/* ------------------------------------------------------------------ */

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
	    NULL, vis_bid_summary },
	{ "clearing-report", SLOT(clearing), EVALUATORS, 0, VW_NEVER,
	    NULL, 0, 0, NULL, 0, vis_clearing, NULL },
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

static struct eb_doc *
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

/* ------------------------------------------------------------------ */
/* rights and duties (权利义务告知)                                      */
/* ------------------------------------------------------------------ */

static int
clock_of(const struct tender *t, enum clock k, int64_t *at)
{
	struct eb_doc *o;

	switch (k) {
	case CK_DEADLINE:
		*at = t->deadline;
		return 1;
	case CK_OPENING:
		*at = t->opening;
		return 1;
	case CK_PUBLICITY_END:
		*at = t->publicity_end;
		return t->publicity != NULL;
	case CK_OBJECTION_ANSWER:
		/* the oldest open objection is answered within 3 days */
		eb_doc_foreach(o, t->objections, "objection")
			if (attr_is(o, "status", "open") &&
			    attr_time(o, "at", at) == EB_OK) {
				*at += OBJECTION_ANSWER_DAYS * EB_MS_PER_DAY;
				return 1;
			}
		return 0;
	default:
		return 0;
	}
}

struct eb_doc *
eb_tender_duties(const void *st, const struct eb_actor *viewer)
{
	const struct tender *t = st;
	struct eb_doc *d = eb_doc_new("duties"), *x;
	size_t i;
	int64_t at;

	eb_doc_set_attr(d, "tender", t->id);
	eb_doc_set_attr(d, "role", eb_role_name(viewer->role));
	eb_doc_set_attr(d, "state", eb_tender_state_name(t->state));
	for (i = 0; i < nrows; i++) {
		const struct row *r = &rows[i];

		if (admissible(t, r, viewer, NULL) != EB_OK)
			continue;
		x = eb_doc_add(d, "may");
		eb_doc_set_attr(x, "command", r->command);
		/* a duty's clock is its "by"; otherwise it bounds the right */
		if (r->duty == 0 && clock_of(t, r->until, &at))
			set_time(x, "until", at);
	}
	for (i = 0; i < nrows; i++) {
		const struct row *r = &rows[i];

		if (!(r->duty & EB_ROLE_BIT(viewer->role)) ||
		    admissible(t, r, viewer, NULL) != EB_OK)
			continue;
		x = eb_doc_add(d, "must");
		eb_doc_set_attr(x, "command", r->command);
		if (clock_of(t, r->until, &at))
			set_time(x, "by", at);
	}
	return d;
}

const struct eb_flow_ops eb_tender_flow = {
	.kind = "tender",
	.handles = tender_handles,
	.create = tender_create,
	.destroy = tender_destroy,
	.decide = tender_decide,
	.apply = tender_apply,
	.view = tender_view,
	.state_name = tender_state_name_of,
	.next_timer = tender_next_timer,
	.next_actions = tender_next_actions,
	.final_states = tender_final_states,
	.unlisted_states = tender_unlisted_states,
	.public_head_states = tender_public_head_states,
};
