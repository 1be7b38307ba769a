/*
 * engine/core/tender_register.c
 *    Registration (受理): register-tender, return, resubmit and accept;
 *    the registration is parsed, checked and normalized here (its clearing
 *    and evaluation rules checked at once), and loaded by apply.
 *
 * Owner: the tender-flow engineer.  Part of the tender state machine:
 * engine/core/tender.c holds the table and decide(), tender_int.h what
 * its files share (docs/tender-flow.md for the flow).
 *
 * Pure: no I/O, no clock, no floating point.
 */
#include "engine/core/tender_int.h"
#include "engine/core/clearing.h"
#include "engine/core/evaluation.h"
#include "engine/core/subject.h"

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
	int64_t ceiling = 0, deadline = 0, opening = 0, committee = 0;
	int64_t notice = 0, publicity = 0, k = 0;
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
int
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

int
g_register(const struct tender *t, const struct eb_cmd *c,
    struct eb_doc *events, struct eb_error *err)
{
	struct eb_doc *reg = NULL, *e;
	int rc;

	if ((rc = parse_registration(c->body, c->time, &reg, err)) != EB_OK)
		return rc;
	/* the agency it names: a registered agency in good standing, with
	 * the subject entry the decision rested on (docs/registries.md) */
	if (eb_doc_attr(c->body, "agency") != NULL) {
		struct eb_doc *a = NULL;

		if ((rc = eb_subject_agency(c, eb_doc_attr(c->body, "agency"),
		    &a, err)) != EB_OK) {
			eb_doc_free(reg);
			return rc;
		}
		eb_doc_append(reg, a);
	}
	e = ev_add(events, "tender-registered", c);
	eb_doc_set_attr(e, "tender", c->target[0] ? c->target : t->id);
	eb_doc_set_attr(e, "tenderer", c->actor.party);
	eb_doc_set_attr(e, "tenderer-org", c->actor.org);
	eb_doc_append(e, reg);
	return EB_OK;
}

int
g_resubmit(const struct tender *t, const struct eb_cmd *c,
    struct eb_doc *events, struct eb_error *err)
{
	struct eb_doc *reg = NULL, *e;
	int rc;

	if ((rc = parse_registration(c->body, c->time, &reg, err)) != EB_OK)
		return rc;
	/* the agency stays the one the registration named */
	if (t->reg != NULL && eb_doc_child(t->reg, "agency") != NULL)
		eb_doc_append(reg, eb_doc_clone(eb_doc_child(t->reg, "agency")));
	e = ev_add(events, "registration-resubmitted", c);
	eb_doc_append(e, reg);
	return EB_OK;
}

int
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

int
g_simple(const struct tender *t, const struct eb_cmd *c,
    struct eb_doc *events, const char *event)
{
	(void)t;
	ev_add(events, event, c);
	return EB_OK;
}

int
g_accept(const struct tender *t, const struct eb_cmd *c,
    struct eb_doc *events, struct eb_error *err)
{
	(void)err;
	return g_simple(t, c, events, "registration-accepted");
}
