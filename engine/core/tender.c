/*
 * engine/core/tender.c
 *    The procurement tender state machine: the states, the transition
 *    table (as data), decide, timers, the rights-and-duties notice and
 *    eb_tender_flow.  The guards, apply and view live beside it in
 *    tender_<concept>.c files, one per stage or step, which share
 *    tender_int.h (private to engine/core; its head lists the files).
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
 * Rule modules are called by the guards, so a replay recomputes their
 * results:
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
#include "engine/core/tender_int.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

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

enum eb_tender_state
eb_tender_state(const void *st)
{
	return ((const struct tender *)st)->state;
}

/* ------------------------------------------------------------------ */
/* small helpers                                                        */
/* ------------------------------------------------------------------ */

void
iso(int64_t ms, char out[EB_ISOTIME_LEN])
{
	eb_isotime_format(ms, out);
}

void
set_time(struct eb_doc *d, const char *name, int64_t ms)
{
	char b[EB_ISOTIME_LEN];

	iso(ms, b);
	eb_doc_set_attr(d, name, b);
}

int
attr_time(const struct eb_doc *d, const char *name, int64_t *ms)
{
	const char *s = eb_doc_attr(d, name);

	return s != NULL && eb_isotime_parse(s, ms) == 0 ? EB_OK : EB_ERR_FORMAT;
}

int
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

/* The base64 alphabet: each letter's value + 1 (A = 1 ... / = 64),
 * anything else 0.  A table, not a chain of ranges: a sealed bid's
 * envelope is 137 KiB of random letters, checked in the tender's turn,
 * and a branch per letter mispredicts on every other one
 * (docs/performance.md, fourth pass). */
static const unsigned char b64_value1[256] = {
	['A'] = 1, ['B'] = 2, ['C'] = 3, ['D'] = 4, ['E'] = 5, ['F'] = 6,
	['G'] = 7, ['H'] = 8, ['I'] = 9, ['J'] = 10, ['K'] = 11, ['L'] = 12,
	['M'] = 13, ['N'] = 14, ['O'] = 15, ['P'] = 16, ['Q'] = 17,
	['R'] = 18, ['S'] = 19, ['T'] = 20, ['U'] = 21, ['V'] = 22,
	['W'] = 23, ['X'] = 24, ['Y'] = 25, ['Z'] = 26,
	['a'] = 27, ['b'] = 28, ['c'] = 29, ['d'] = 30, ['e'] = 31,
	['f'] = 32, ['g'] = 33, ['h'] = 34, ['i'] = 35, ['j'] = 36,
	['k'] = 37, ['l'] = 38, ['m'] = 39, ['n'] = 40, ['o'] = 41,
	['p'] = 42, ['q'] = 43, ['r'] = 44, ['s'] = 45, ['t'] = 46,
	['u'] = 47, ['v'] = 48, ['w'] = 49, ['x'] = 50, ['y'] = 51,
	['z'] = 52, ['0'] = 53, ['1'] = 54, ['2'] = 55, ['3'] = 56,
	['4'] = 57, ['5'] = 58, ['6'] = 59, ['7'] = 60, ['8'] = 61,
	['9'] = 62, ['+'] = 63, ['/'] = 64,
};

/* 64..127 (bit 6 set) for a letter of the alphabet, 63 for any other
 * byte: the AND of several has bit 6 set iff all are letters. */
#define B64_OK(c) (b64_value1[(c)] + 63u)

/*
 * Strict base64: non-empty, alphabet A-Za-z0-9+/, '=' padding only at
 * the end (at most two), length a multiple of 4, and the bits the
 * padding leaves over zero (the last letter before "=" a multiple of 4,
 * before "==" of 16), as XML Schema's base64Binary (and libxml2) require:
 * the envelope's schema type is a plain string since the fourth
 * performance pass, so this check is all of it, and it refuses what the
 * schema refused before.
 */
int
is_base64(const char *s)
{
	const unsigned char *p = (const unsigned char *)s, *end;
	size_t n, pad = 0;

	if (s == NULL)
		return 0;
	/* The letters in blocks first, without a branch per letter: a sealed
	 * bid's envelope is 137 KB of them (docs/performance.md, issue 17,
	 * ninth pass).  A block holding a non-letter (the padding, a bad
	 * byte) ends the blocks; it is walked again letter by letter below,
	 * as the whole string was before, so the answer is the same. */
	end = p + strlen(s);
#ifdef __SSE2__
	/* sixteen a step: 'A'-'Z', 'a'-'z', '/'-'9' (signed compares: a
	 * byte >= 0x80 is below every bound) and '+' */
	while (end - p >= 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
		__m128i up = _mm_and_si128(
		    _mm_cmpgt_epi8(x, _mm_set1_epi8('A' - 1)),
		    _mm_cmpgt_epi8(_mm_set1_epi8('Z' + 1), x));
		__m128i lo = _mm_and_si128(
		    _mm_cmpgt_epi8(x, _mm_set1_epi8('a' - 1)),
		    _mm_cmpgt_epi8(_mm_set1_epi8('z' + 1), x));
		__m128i dg = _mm_and_si128(
		    _mm_cmpgt_epi8(x, _mm_set1_epi8('/' - 1)),
		    _mm_cmpgt_epi8(_mm_set1_epi8('9' + 1), x));
		__m128i ok = _mm_or_si128(_mm_or_si128(up, lo),
		    _mm_or_si128(dg, _mm_cmpeq_epi8(x, _mm_set1_epi8('+'))));

		if (_mm_movemask_epi8(ok) != 0xffff)
			break;
		p += 16;
	}
#endif
	/* eight a step: an AND of their table entries */
	while (end - p >= 8 && (B64_OK(p[0]) & B64_OK(p[1]) & B64_OK(p[2]) &
	    B64_OK(p[3]) & B64_OK(p[4]) & B64_OK(p[5]) & B64_OK(p[6]) &
	    B64_OK(p[7]) & 64u) != 0)
		p += 8;
	while (b64_value1[*p])
		p++;
	n = (size_t)(p - (const unsigned char *)s);
	while (*p == '=' && pad < 3) {
		p++;
		pad++;
	}
	if (*p != '\0' || n + pad == 0 || (n + pad) % 4 != 0 || pad > 2)
		return 0;
	if (pad > 0 && ((b64_value1[*(p - pad - 1)] - 1) &
	    (pad == 1 ? 0x03 : 0x0f)) != 0)
		return 0;
	return 1;
}

int
nonblank(const char *s)
{
	if (s == NULL)
		return 0;
	for (; *s != '\0'; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return 1;
	return 0;
}

const char *
person_of(const struct eb_actor *a)
{
	return a->person[0] != '\0' ? a->person : a->party;
}

/* First child of 'list' whose attribute 'attr' equals 'v', or NULL. */
struct eb_doc *
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

int
attr_is(const struct eb_doc *d, const char *name, const char *v)
{
	const char *a = d != NULL ? eb_doc_attr(d, name) : NULL;

	return a != NULL && strcmp(a, v) == 0;
}

size_t
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

int
missing(struct eb_error *err, const char *cmd, const char *field)
{
	return eb_fail(err, EB_ERR_FORMAT, "missing-field",
	    "Add the field and send the command again.",
	    "%s: field '%s' is missing or malformed", cmd, field);
}

/* A new event child of 'events' with at/by/role/person. */
struct eb_doc *
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
int
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

int
reasons_required(struct eb_error *err, const char *cmd)
{
	return eb_fail(err, EB_ERR_RULE, "reasons-required",
	    "Give at least one non-empty <reason>.",
	    "%s needs a written reason", cmd);
}

int
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
int
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
	/* decided by the rules version it names, or refused (cmd.h) */
	if ((rc = eb_cmd_check_rules(cmd, err)) != EB_OK)
		return rc;
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
/* create / destroy / timers                                            */
/* ------------------------------------------------------------------ */

static void *
tender_create(const char *id)
{
	struct tender *t = eb_calloc(1, sizeof(*t));

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
