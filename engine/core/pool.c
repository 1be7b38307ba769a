/*
 * engine/core/pool.c
 *    The expert pool aggregate: see pool.h for commands, events, view.
 *
 * Owns: struct pool and its experts (pool_destroy frees all, NULL-safe).
 * Invariant: apply() is the only writer of the state; decide() reads it.
 * Experts keep registration order; parties are unique.
 */
#include "pool.h"
#include "engine/core/registers.h"
#include "engine/core/subject.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/isotime.h"
#include "protocol/mem.h"

#define POOL_MAX_EXPERTS 100000
#define POOL_MAX_APPOINTMENTS 10000

struct appointment {
	char tender[EB_ID_MAX];
	int64_t at;
};

struct expert {
	char party[EB_ID_MAX];
	char person[EB_ID_MAX];
	char name[EB_NAME_MAX];
	char org[EB_NAME_MAX];
	char specialty[EB_NAME_MAX];
	int active;
	struct appointment *appts;
	size_t nappts, cap;
	struct eb_doc *ratings;   /* <ratings> of <rating>, or NULL */
};

struct pool {
	char id[EB_ID_MAX];
	struct eb_doc *assessment;  /* <assessment> (the centre's rules), or NULL */
	/* <agencies> of <agency subject name> each holding its <rating>s
	 * and the <reader party/>s who may see them; NULL before the first */
	struct eb_doc *agencies;
	struct expert *experts;
	size_t n, cap;
};

static void *
pool_create(const char *id)
{
	struct pool *p = eb_calloc(1, sizeof(*p));

	if (id != NULL)
		snprintf(p->id, sizeof(p->id), "%s", id);
	return p;
}

static void
pool_destroy(void *st)
{
	struct pool *p = st;
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->n; i++) {
		free(p->experts[i].appts);
		eb_doc_free(p->experts[i].ratings);
	}
	eb_doc_free(p->assessment);
	eb_doc_free(p->agencies);
	free(p->experts);
	free(p);
}

static int
pool_handles(const char *name)
{
	return name != NULL && (strcmp(name, "register-expert") == 0 ||
	    strcmp(name, "suspend-expert") == 0 ||
	    strcmp(name, "reinstate-expert") == 0 ||
	    strcmp(name, "record-appointment") == 0 ||
	    strcmp(name, "configure-assessment") == 0 ||
	    strcmp(name, "rate-expert") == 0 ||
	    strcmp(name, "rate-agency") == 0);
}

static struct expert *
find(const struct pool *p, const char *party)
{
	size_t i;

	for (i = 0; party != NULL && i < p->n; i++)
		if (strcmp(p->experts[i].party, party) == 0)
			return &p->experts[i];
	return NULL;
}

/* Is 'x' already recorded as appointed to 'tender'? */
static int
appointed_to(const struct expert *x, const char *tender)
{
	for (size_t i = 0; i < x->nappts; i++)
		if (strcmp(x->appts[i].tender, tender) == 0)
			return 1;
	return 0;
}

/* Does an <expert> of 'body' before 'upto' name 'party'? */
static int
named_before(const struct eb_doc *body, const struct eb_doc *upto,
    const char *party)
{
	const struct eb_doc *c;

	for (c = body->first; c != NULL && c != upto; c = c->next) {
		const char *p = eb_doc_attr(c, "party");

		if (strcmp(c->name, "expert") == 0 && p != NULL &&
		    strcmp(p, party) == 0)
			return 1;
	}
	return 0;
}

/* -- assessment after each job (docs/registries.md, issue 22 point 3) -- */

#define POOL_MAX_CRITERIA 16
#define POOL_MAX_SCALE 100

/* The <'elem' name= max=/> of 'rules' named 'name', or NULL. */
static const struct eb_doc *
criterion_of(const struct eb_doc *rules, const char *elem, const char *name)
{
	const struct eb_doc *c;

	eb_doc_foreach(c, rules, elem)
		if (name != NULL && eb_doc_attr(c, "name") != NULL &&
		    strcmp(eb_doc_attr(c, "name"), name) == 0)
			return c;
	return NULL;
}

static int
bad_assessment(struct eb_error *err, const char *what)
{
	return eb_fail(err, EB_ERR_FORMAT, "bad-assessment-rules",
	    "List 1 to 16 criteria, each <criterion name= max=\"1..100\"/> "
	    "once, at most one <draw-rule period-days= min-percent= "
	    "max-unexplained=/>, and up to 16 <agency-criterion name= "
	    "max=/>.", "configure-assessment: %s", what);
}

/* An optional attribute in [lo, hi]; absent is fine. */
static int
opt_range(const struct eb_doc *d, const char *name, int64_t lo, int64_t hi)
{
	int64_t v;

	return eb_doc_attr(d, name) == NULL ||
	    (eb_doc_attr_i64(d, name, &v) == EB_OK && v >= lo && v <= hi);
}

/*
 * configure-assessment: the centre's criteria (each with its scale
 * 0..max) and the draw's rule on ratings; replaces the earlier rules.
 */
static int
decide_configure(const struct eb_cmd *cmd, struct eb_doc *ev,
    const char *iso, struct eb_error *err)
{
	const struct eb_doc *b = cmd->body, *c, *d;
	struct eb_doc *e;
	size_t n = 0, na = 0, rules = 0;
	int64_t v;
	int rc;

	if ((rc = eb_registers_need_role(cmd, EB_ROLE_BIT(EB_ROLE_REGISTRAR),
	    err)) != EB_OK)
		return rc;
	for (c = b->first; c != NULL; c = c->next) {
		if (strcmp(c->name, "criterion") == 0 ||
		    strcmp(c->name, "agency-criterion") == 0) {
			const char *nm = eb_doc_attr(c, "name");

			if (nm == NULL || nm[0] == '\0' ||
			    strlen(nm) >= EB_ID_MAX ||
			    eb_doc_attr_i64(c, "max", &v) != EB_OK || v < 1 ||
			    v > POOL_MAX_SCALE)
				return bad_assessment(err, "a criterion has no "
				    "name or a scale outside 1..100");
			for (d = b->first; d != c; d = d->next)
				if (strcmp(d->name, c->name) == 0 &&
				    strcmp(eb_doc_attr(d, "name"), nm) == 0)
					return bad_assessment(err, "a criterion "
					    "is named twice");
			if (c->name[0] == 'a')
				na++;
			else
				n++;
		} else if (strcmp(c->name, "draw-rule") == 0) {
			if (rules++ > 0 ||
			    eb_doc_attr_i64(c, "period-days", &v) != EB_OK ||
			    v < 1 || v > 3660 ||
			    !opt_range(c, "min-percent", 0, 100) ||
			    !opt_range(c, "max-unexplained", 0, 1000))
				return bad_assessment(err, "the draw-rule needs "
				    "period-days 1..3660, min-percent 0..100, "
				    "max-unexplained 0..1000");
		}
	}
	if (n == 0 || n > POOL_MAX_CRITERIA || na > POOL_MAX_CRITERIA)
		return bad_assessment(err, "1 to 16 criteria");
	e = eb_doc_add(ev, "assessment-configured");
	eb_doc_set_attr(e, "at", iso);
	eb_doc_foreach(c, b, "criterion") {
		d = eb_doc_add(e, "criterion");
		eb_doc_set_attr((struct eb_doc *)d, "name",
		    eb_doc_attr(c, "name"));
		eb_doc_set_attr((struct eb_doc *)d, "max", eb_doc_attr(c, "max"));
	}
	if ((c = eb_doc_child(b, "draw-rule")) != NULL)
		eb_doc_append(e, eb_doc_clone(c));
	eb_doc_foreach(c, b, "agency-criterion") {
		d = eb_doc_add(e, "agency-criterion");
		eb_doc_set_attr((struct eb_doc *)d, "name",
		    eb_doc_attr(c, "name"));
		eb_doc_set_attr((struct eb_doc *)d, "max", eb_doc_attr(c, "max"));
	}
	return EB_OK;
}

/* The tender states in which the committee's job is over. */
static int
job_done(const char *state)
{
	static const char *const done[] = {
		"evaluated", "publicity", "objection", "publicity-over",
		"verified", "awarded", "closed", NULL
	};

	for (size_t i = 0; state != NULL && done[i] != NULL; i++)
		if (strcmp(state, done[i]) == 0)
			return 1;
	return 0;
}

/* Deviation alerts (evaluation.h) on 'party' anywhere under 'd'. */
static int64_t
alerts_of(const struct eb_doc *d, const char *party)
{
	const struct eb_doc *c;
	int64_t n = 0;

	for (c = d->first; c != NULL; c = c->next) {
		if (strcmp(c->name, "alert") == 0 &&
		    eb_doc_attr(c, "expert") != NULL &&
		    strcmp(eb_doc_attr(c, "expert"), party) == 0)
			n++;
		n += alerts_of(c, party);
	}
	return n;
}

/*
 * The <score criterion= value=/> sheet of cmd's body against the
 * criteria <'elem' name= max=/> of 'rules': each criterion once, an
 * integer on its scale, none unknown.  *score: the sum of the values
 * over the sum of the scales in basis points, rounded down.
 */
static int
score_sheet(const struct eb_doc *rules, const char *elem,
    const struct eb_cmd *cmd, int64_t *score, struct eb_error *err)
{
	const struct eb_doc *b = cmd->body, *c, *m;
	int64_t sum = 0, max = 0, val, scale;
	const char *v;

	eb_doc_foreach(c, b, "score") {
		const struct eb_doc *cr = criterion_of(rules, elem,
		    eb_doc_attr(c, "criterion"));

		v = eb_doc_attr(c, "criterion");
		if (cr == NULL || eb_doc_attr_i64(cr, "max", &scale) != EB_OK ||
		    eb_doc_attr_i64(c, "value", &val) != EB_OK || val < 0 ||
		    val > scale)
			return eb_fail(err, EB_ERR_RULE, "bad-rating",
			    "Give each of the centre's criteria once, an "
			    "integer on its scale (0..max).",
			    "%s: criterion %s: unknown or value out of its "
			    "scale", eb_cmd_name(cmd), v != NULL ? v : "?");
		for (m = b->first; m != c; m = m->next)
			if (strcmp(m->name, "score") == 0 &&
			    strcmp(eb_doc_attr(m, "criterion"), v) == 0)
				return eb_fail(err, EB_ERR_RULE, "bad-rating",
				    "Give each criterion once.",
				    "%s: criterion %s twice", eb_cmd_name(cmd),
				    v);
		sum += val;
		max += scale;
	}
	eb_doc_foreach(c, rules, elem) {
		for (m = eb_doc_child(b, "score"); m != NULL;
		    m = eb_doc_next(m, "score"))
			if (strcmp(eb_doc_attr(m, "criterion"),
			    eb_doc_attr(c, "name")) == 0)
				break;
		if (m == NULL)
			return eb_fail(err, EB_ERR_RULE, "bad-rating",
			    "Give each of the centre's criteria once.",
			    "%s: criterion %s is not rated", eb_cmd_name(cmd),
			    eb_doc_attr(c, "name"));
	}
	/* the rating in basis points of the scale: sum / max * 10000 */
	*score = max > 0 ? sum * 10000 / max : 0;
	return EB_OK;
}

/* The scores of 'b' onto event 'e' in the order of the criteria, and
 * its <text>. */
static void
add_scores(struct eb_doc *e, const struct eb_doc *rules, const char *elem,
    const struct eb_doc *b)
{
	const struct eb_doc *c, *m;
	const char *v;
	int64_t val;

	eb_doc_foreach(c, rules, elem)
		eb_doc_foreach(m, b, "score")
			if (strcmp(eb_doc_attr(m, "criterion"),
			    eb_doc_attr(c, "name")) == 0) {
				struct eb_doc *s = eb_doc_add(e, "score");

				eb_doc_set_attr(s, "criterion",
				    eb_doc_attr(m, "criterion"));
				(void)eb_doc_attr_i64(m, "value", &val);
				eb_doc_set_attr_i64(s, "value", val);
			}
	if ((v = eb_doc_child_text(b, "text")) != NULL)
		eb_doc_add_text(e, "text", v);
}

/* Are 'f' (cmd->facts) the view of tender 'job' at its head? */
static int
tender_facts(const struct eb_doc *f, const char *job)
{
	return f != NULL && strcmp(f->name, "tender") == 0 &&
	    eb_doc_attr(f, "id") != NULL &&
	    strcmp(eb_doc_attr(f, "id"), job) == 0 &&
	    eb_doc_attr(f, "head-seq") != NULL &&
	    eb_doc_attr(f, "head-hash") != NULL;
}

/* Has 'rater' rated 'x' on 'tender' already? */
static int
rated_by(const struct expert *x, const char *tender, const char *rater)
{
	const struct eb_doc *r;

	eb_doc_foreach(r, x->ratings, "rating")
		if (strcmp(eb_doc_attr(r, "tender"), tender) == 0 &&
		    strcmp(eb_doc_attr(r, "rater"), rater) == 0)
			return 1;
	return 0;
}

/*
 * rate-expert job=TENDER expert=PARTY unexplained=N? <score criterion=
 * value=/>... <text>?: the supervisor rates an expert seated on the
 * tender, once the evaluation is closed.  The tender's facts (its view
 * as the system sees it at its head, head-seq, head-hash) come with the
 * command (cmd->facts, ebidd, docs/registries.md); the event records the
 * entry it rested on and the deviation alerts the expert had there.
 */
static int
decide_rate(const struct pool *p, const struct eb_cmd *cmd,
    struct eb_doc *ev, const char *iso, struct eb_error *err)
{
	const struct eb_doc *b = cmd->body, *f = cmd->facts, *m, *k;
	const char *job, *party;
	const struct expert *x;
	struct eb_doc *e;
	int64_t score = 0, devs, unexpl = 0;
	int rc = EB_OK, seated = 0;

	if ((rc = eb_registers_need_role(cmd, EB_ROLE_BIT(EB_ROLE_SUPERVISOR),
	    err)) != EB_OK)
		return rc;
	if ((job = eb_registers_need_attr(b, "job", EB_ID_MAX, err,
	    &rc)) == NULL || (party = eb_registers_need_attr(b, "expert",
	    EB_ID_MAX, err, &rc)) == NULL)
		return rc;
	if (p->assessment == NULL)
		return eb_fail(err, EB_ERR_STATE, "no-assessment-rules",
		    "The registrar configures the criteria first "
		    "(configure-assessment).",
		    "pool %s has no assessment criteria", p->id);
	if ((x = find(p, party)) == NULL)
		return eb_fail(err, EB_ERR_NOTFOUND, "no-such-expert",
		    "Name a registered expert.",
		    "expert %s is not in the pool", party);
	if (!tender_facts(f, job))
		return eb_fail(err, EB_ERR_NOTFOUND, "no-such-tender",
		    "Name the tender (job=) the expert sat on.",
		    "rate-expert: no tender %s", job);
	if (!job_done(eb_doc_attr(f, "state")))
		return eb_fail(err, EB_ERR_STATE, "evaluation-not-closed",
		    "Rate the committee once the evaluation is closed.",
		    "tender %s is %s", job, eb_doc_attr(f, "state") != NULL ?
		    eb_doc_attr(f, "state") : "?");
	eb_doc_foreach(k, f, "committee")
		eb_doc_foreach(m, k, "member")
			if (eb_doc_attr(m, "party") != NULL &&
			    strcmp(eb_doc_attr(m, "party"), party) == 0 &&
			    eb_doc_attr(m, "status") != NULL &&
			    strcmp(eb_doc_attr(m, "status"), "accepted") == 0)
				seated = 1;
	if (!seated)
		return eb_fail(err, EB_ERR_RULE, "expert-not-seated",
		    "Rate only the experts who sat on the tender's committee.",
		    "expert %s did not sit on the committee of %s", party, job);
	if (rated_by(x, job, cmd->actor.party))
		return eb_fail(err, EB_ERR_CONFLICT, "already-rated",
		    "Each officer rates an expert once per tender.",
		    "%s has rated %s on %s already", cmd->actor.party, party,
		    job);
	if ((rc = score_sheet(p->assessment, "criterion", cmd, &score,
	    err)) != EB_OK)
		return rc;
	devs = alerts_of(f, party);
	if (eb_doc_attr(b, "unexplained") != NULL &&
	    (eb_doc_attr_i64(b, "unexplained", &unexpl) != EB_OK ||
	    unexpl < 0 || unexpl > devs))
		return eb_fail(err, EB_ERR_RULE, "unexplained-exceeds-deviations",
		    "Count as unexplained only deviations the tender flagged "
		    "for this expert.",
		    "rate-expert: %s had %lld deviation alert(s) on %s",
		    party, (long long)devs, job);
	e = eb_doc_add(ev, "expert-rated");
	eb_doc_set_attr(e, "party", party);
	eb_doc_set_attr(e, "tender", job);
	eb_doc_set_attr(e, "rater", cmd->actor.party);
	eb_doc_set_attr(e, "at", iso);
	eb_doc_set_attr_i64(e, "score", score);
	eb_doc_set_attr_i64(e, "deviations", devs);
	eb_doc_set_attr_i64(e, "unexplained", unexpl);
	eb_doc_set_attr(e, "tender-seq", eb_doc_attr(f, "head-seq"));
	eb_doc_set_attr(e, "tender-hash", eb_doc_attr(f, "head-hash"));
	add_scores(e, p->assessment, "criterion", b);
	return EB_OK;
}

/* The tender states in which the tender has ended. */
static int
tender_ended(const char *state)
{
	return state != NULL && (strcmp(state, "closed") == 0 ||
	    strcmp(state, "failed") == 0 || strcmp(state, "cancelled") == 0);
}

/* Is 'party' a <representative party=/> child of 'd'? */
static int
names_party(const struct eb_doc *d, const char *elem, const char *party)
{
	const struct eb_doc *r;

	eb_doc_foreach(r, d, elem)
		if (strcmp(eb_doc_attr(r, "party"), party) == 0)
			return 1;
	return 0;
}

/* The <agency subject=> record of 'p', or NULL. */
static struct eb_doc *
agency_of(const struct pool *p, const char *subject)
{
	struct eb_doc *a;

	eb_doc_foreach(a, p->agencies, "agency")
		if (strcmp(eb_doc_attr(a, "subject"), subject) == 0)
			return a;
	return NULL;
}

/* The agency's subject facts the server attached (a subject view of
 * 'sid' with head-seq and head-hash), or NULL. */
static const struct eb_doc *
agency_facts(const struct eb_cmd *cmd, const char *sid)
{
	const struct eb_doc *af = cmd->agency_facts;

	if (af == NULL || eb_doc_attr(af, "id") == NULL ||
	    strcmp(eb_doc_attr(af, "id"), sid) != 0 ||
	    eb_doc_attr(af, "head-seq") == NULL ||
	    eb_doc_attr(af, "head-hash") == NULL)
		return NULL;
	return af;
}

/*
 * rate-agency job=TENDER <score criterion= value=/>... <text>?: the
 * tenderer of the tender (or a supervisor) rates the agency its
 * registration named (register-tender agency=, subject.h), once the
 * tender has ended, on the agency criteria; once per (tender, rater).
 * The tender's facts come with the command as for rate-expert; the event
 * records the entry it rested on and the agency's representatives the
 * tender recorded (they see the agency's ratings).  From rules 4 the
 * agency's own subject facts come too (cmd->agency_facts): a tenderer
 * who represents the agency at the rating's instant is refused as one
 * the registration recorded, and the event names that subject entry
 * (agency-seq, agency-hash).
 */
static int
decide_rate_agency(const struct pool *p, const struct eb_cmd *cmd,
    struct eb_doc *ev, const char *iso, struct eb_error *err)
{
	const struct eb_doc *b = cmd->body, *f = cmd->facts, *reg, *ag, *r,
	    *a, *af = NULL;
	const char *job, *sid;
	struct eb_doc *e;
	int64_t score = 0;
	int rc = EB_OK, now_rep = 0;

	if (cmd->actor.role != EB_ROLE_SUPERVISOR &&
	    cmd->actor.role != EB_ROLE_TENDERER)
		return eb_fail(err, EB_ERR_DENIED, "role-not-allowed",
		    "The tender's tenderer or the supervisor rates its agency.",
		    "rate-agency may be done only by the tenderer or the "
		    "supervisor, not by a %s", eb_role_name(cmd->actor.role));
	if ((job = eb_registers_need_attr(b, "job", EB_ID_MAX, err,
	    &rc)) == NULL)
		return rc;
	if (p->assessment == NULL ||
	    eb_doc_child(p->assessment, "agency-criterion") == NULL)
		return eb_fail(err, EB_ERR_STATE, "no-assessment-rules",
		    "The registrar configures the agency criteria first "
		    "(configure-assessment <agency-criterion/>).",
		    "pool %s has no criteria for agencies", p->id);
	if (!tender_facts(f, job))
		return eb_fail(err, EB_ERR_NOTFOUND, "no-such-tender",
		    "Name the tender (job=) the agency ran.",
		    "rate-agency: no tender %s", job);
	if (!tender_ended(eb_doc_attr(f, "state")))
		return eb_fail(err, EB_ERR_STATE, "tender-not-closed",
		    "Rate the agency once the tender is closed (or has "
		    "failed or been cancelled).",
		    "tender %s is %s", job, eb_doc_attr(f, "state") != NULL ?
		    eb_doc_attr(f, "state") : "?");
	reg = eb_doc_child(f, "registration");
	if ((ag = reg != NULL ? eb_doc_child(reg, "agency") : NULL) == NULL ||
	    (sid = eb_doc_attr(ag, "subject")) == NULL)
		return eb_fail(err, EB_ERR_RULE, "no-agency-named",
		    "Only a tender whose registration named its agency "
		    "(register-tender agency=) has an agency to rate.",
		    "tender %s names no agency", job);
	/* rules 4: its representatives now, from the agency's own facts,
	 * besides those the registration recorded */
	if (eb_cmd_rules(cmd) >= 4 && (af = agency_facts(cmd, sid)) != NULL)
		now_rep = eb_subject_represents(af, cmd->actor.party,
		    cmd->time);
	if (cmd->actor.role == EB_ROLE_TENDERER &&
	    (eb_doc_attr(reg, "tenderer") == NULL ||
	    strcmp(eb_doc_attr(reg, "tenderer"), cmd->actor.party) != 0 ||
	    names_party(ag, "representative", cmd->actor.party) || now_rep))
		return eb_fail(err, EB_ERR_DENIED, "role-not-allowed",
		    "Only the tenderer who registered the tender rates its "
		    "agency, and an agency never rates itself.",
		    "%s is not the tenderer of %s, or acts for its agency %s",
		    cmd->actor.party, job, sid);
	if ((a = agency_of(p, sid)) != NULL)
		eb_doc_foreach(r, a, "rating")
			if (strcmp(eb_doc_attr(r, "tender"), job) == 0 &&
			    strcmp(eb_doc_attr(r, "rater"),
			    cmd->actor.party) == 0)
				return eb_fail(err, EB_ERR_CONFLICT,
				    "already-rated",
				    "Each rater rates a tender's agency once.",
				    "%s has rated agency %s on %s already",
				    cmd->actor.party, sid, job);
	if ((rc = score_sheet(p->assessment, "agency-criterion", cmd, &score,
	    err)) != EB_OK)
		return rc;
	e = eb_doc_add(ev, "agency-rated");
	eb_doc_set_attr(e, "agency", sid);
	if (eb_doc_attr(ag, "name") != NULL)
		eb_doc_set_attr(e, "name", eb_doc_attr(ag, "name"));
	eb_doc_set_attr(e, "tender", job);
	eb_doc_set_attr(e, "rater", cmd->actor.party);
	eb_doc_set_attr(e, "rater-role", eb_role_name(cmd->actor.role));
	eb_doc_set_attr(e, "at", iso);
	eb_doc_set_attr_i64(e, "score", score);
	eb_doc_set_attr(e, "tender-seq", eb_doc_attr(f, "head-seq"));
	eb_doc_set_attr(e, "tender-hash", eb_doc_attr(f, "head-hash"));
	if (af != NULL) {
		eb_doc_set_attr(e, "agency-seq", eb_doc_attr(af, "head-seq"));
		eb_doc_set_attr(e, "agency-hash", eb_doc_attr(af, "head-hash"));
	}
	add_scores(e, p->assessment, "agency-criterion", b);
	eb_doc_foreach(r, ag, "representative")
		eb_doc_set_attr(eb_doc_add(e, "representative"), "party",
		    eb_doc_attr(r, "party"));
	return EB_OK;
}

static int
pool_decide(const void *st, const struct eb_cmd *cmd, struct eb_doc **events,
    struct eb_error *err)
{
	const struct pool *p = st;
	const struct eb_doc *b = cmd->body, *c;
	const char *name = eb_cmd_name(cmd), *party;
	struct eb_doc *ev = NULL, *e;
	const struct expert *x;
	char iso[EB_ISOTIME_LEN];
	int rc = EB_OK;

	*events = NULL;
	if ((rc = eb_cmd_check_rules(cmd, err)) != EB_OK)
		return rc;
	eb_isotime_format(cmd->time, iso);
	ev = eb_doc_new("events");
	if (strcmp(name, "register-expert") == 0) {
		static const char *const keys[] = {
			"party", "person", "name", "org", "specialty"
		};
		const char *v[5];
		size_t i;

		if ((rc = eb_registers_need_role(cmd,
		    EB_ROLE_BIT(EB_ROLE_REGISTRAR), err)) != EB_OK)
			goto out;
		for (i = 0; i < 5; i++)
			if ((v[i] = eb_registers_need_attr(b, keys[i],
			    i < 2 ? EB_ID_MAX : EB_NAME_MAX, err, &rc)) == NULL)
				goto out;
		if (find(p, v[0]) != NULL) {
			rc = eb_fail(err, EB_ERR_CONFLICT, "expert-exists",
			    "Use a new party id, or reinstate the expert.",
			    "expert %s is already registered", v[0]);
			goto out;
		}
		if (p->n >= POOL_MAX_EXPERTS) {
			rc = eb_fail(err, EB_ERR_LIMIT, "pool-full", NULL,
			    "the pool holds its maximum of %d experts",
			    POOL_MAX_EXPERTS);
			goto out;
		}
		e = eb_doc_add(ev, "expert-registered");
		for (i = 0; i < 5; i++)
			eb_doc_set_attr(e, keys[i], v[i]);
		eb_doc_set_attr(e, "at", iso);
	} else if (strcmp(name, "suspend-expert") == 0 ||
	    strcmp(name, "reinstate-expert") == 0) {
		int suspend = name[0] == 's';

		if ((rc = eb_registers_need_role(cmd,
		    EB_ROLE_BIT(EB_ROLE_REGISTRAR), err)) != EB_OK)
			goto out;
		if ((party = eb_registers_need_attr(b, "party", EB_ID_MAX, err,
		    &rc)) == NULL)
			goto out;
		if ((x = find(p, party)) == NULL) {
			rc = eb_fail(err, EB_ERR_NOTFOUND, "no-such-expert",
			    "Name a registered expert.",
			    "expert %s is not in the pool", party);
			goto out;
		}
		if (suspend && !x->active) {
			rc = eb_fail(err, EB_ERR_STATE, "expert-not-active",
			    "The expert is already suspended.",
			    "expert %s is suspended already", party);
			goto out;
		}
		if (!suspend && x->active) {
			rc = eb_fail(err, EB_ERR_STATE, "expert-not-suspended",
			    "Only a suspended expert can be reinstated.",
			    "expert %s is active", party);
			goto out;
		}
		e = eb_doc_add(ev, suspend ? "expert-suspended" :
		    "expert-reinstated");
		eb_doc_set_attr(e, "party", party);
		if (suspend && eb_doc_attr(b, "reason") != NULL)
			eb_doc_set_attr(e, "reason", eb_doc_attr(b, "reason"));
		eb_doc_set_attr(e, "at", iso);
	} else if (strcmp(name, "record-appointment") == 0) {
		const char *tender;

		if ((rc = eb_registers_need_role(cmd,
		    EB_ROLE_BIT(EB_ROLE_SYSTEM), err)) != EB_OK)
			goto out;
		if ((tender = eb_registers_need_attr(b, "tender", EB_ID_MAX,
		    err, &rc)) == NULL)
			goto out;
		if (eb_doc_child(b, "expert") == NULL) {
			rc = eb_fail(err, EB_ERR_FORMAT, "bad-command",
			    "List the appointed experts as <expert party=>.",
			    "record-appointment names no expert");
			goto out;
		}
		eb_doc_foreach(c, b, "expert") {
			if ((party = eb_registers_need_attr(c, "party",
			    EB_ID_MAX, err, &rc)) == NULL)
				goto out;
			if ((x = find(p, party)) == NULL) {
				rc = eb_fail(err, EB_ERR_NOTFOUND,
				    "no-such-expert", "Name registered experts.",
				    "expert %s is not in the pool", party);
				goto out;
			}
			if (x->nappts >= POOL_MAX_APPOINTMENTS) {
				rc = eb_fail(err, EB_ERR_LIMIT,
				    "too-many-appointments", NULL,
				    "expert %s has too many appointments", party);
				goto out;
			}
			/*
			 * Idempotent per (tender, expert): an appointment
			 * already in the log (another ebidd, a restart) or
			 * named twice is recorded once.
			 */
			if (appointed_to(x, tender) || named_before(b, c, party))
				continue;
			e = eb_doc_add(ev, "expert-appointed");
			eb_doc_set_attr(e, "party", party);
			eb_doc_set_attr(e, "tender", tender);
			eb_doc_set_attr(e, "at", iso);
		}
		if (ev->first == NULL) {
			rc = eb_fail(err, EB_ERR_CONFLICT,
			    "appointments-already-recorded",
			    "Nothing to do: the pool has these appointments.",
			    "every expert named is already recorded as "
			    "appointed to tender %s", tender);
			goto out;
		}
	} else if (strcmp(name, "configure-assessment") == 0) {
		if ((rc = decide_configure(cmd, ev, iso, err)) != EB_OK)
			goto out;
	} else if (strcmp(name, "rate-expert") == 0) {
		if ((rc = decide_rate(p, cmd, ev, iso, err)) != EB_OK)
			goto out;
	} else if (strcmp(name, "rate-agency") == 0) {
		if ((rc = decide_rate_agency(p, cmd, ev, iso, err)) != EB_OK)
			goto out;
	} else {
		rc = eb_fail(err, EB_ERR_NOTFOUND, "unknown-command",
		    "Send a pool command: register-expert, suspend-expert, "
		    "reinstate-expert, record-appointment, "
		    "configure-assessment, rate-expert or rate-agency.",
		    "the pool does not handle <%s>", name);
		goto out;
	}
	*events = ev;
	ev = NULL;
out:
	eb_doc_free(ev);
	return rc;
}

static int
event_time(const struct eb_doc *e, int64_t *at, struct eb_error *err)
{
	const char *t = eb_doc_attr(e, "at");

	if (t == NULL || eb_isotime_parse(t, at) != 0)
		return eb_fail(err, EB_ERR_FORMAT, "bad-event", NULL,
		    "pool event <%s> has no valid 'at'", e->name);
	return EB_OK;
}

static void
copy_field(char *dst, size_t n, const char *s)
{
	snprintf(dst, n, "%s", s != NULL ? s : "");
}

/* A copy of 'e' (attributes and children) under another name. */
static struct eb_doc *
renamed(const struct eb_doc *e, const char *name)
{
	struct eb_doc *d = eb_doc_new(name);
	const struct eb_attr *a;
	const struct eb_doc *c;

	for (a = e->attrs; a != NULL; a = a->next)
		eb_doc_set_attr(d, a->name, a->value);
	for (c = e->first; c != NULL; c = c->next)
		eb_doc_append(d, eb_doc_clone(c));
	return d;
}

/*
 * agency-rated: the rating (without agency, name, tender-seq,
 * tender-hash, agency-seq, agency-hash, representatives) under its agency's record, and the
 * representatives it names added to the agency's readers.
 */
static int
apply_agency_rated(struct pool *p, const struct eb_doc *e,
    struct eb_error *err)
{
	const char *sid = eb_doc_attr(e, "agency");
	struct eb_doc *a, *r, *c, *next;
	const struct eb_doc *x;

	if (sid == NULL)
		return eb_fail(err, EB_ERR_FORMAT, "bad-event", NULL,
		    "agency-rated without agency");
	if (p->agencies == NULL)
		p->agencies = eb_doc_new("agencies");
	if ((a = agency_of(p, sid)) == NULL) {
		a = eb_doc_add(p->agencies, "agency");
		eb_doc_set_attr(a, "subject", sid);
	}
	if (eb_doc_attr(e, "name") != NULL)
		eb_doc_set_attr(a, "name", eb_doc_attr(e, "name"));
	r = renamed(e, "rating");
	eb_doc_set_attr(r, "agency", NULL);
	eb_doc_set_attr(r, "name", NULL);
	eb_doc_set_attr(r, "tender-seq", NULL);
	eb_doc_set_attr(r, "tender-hash", NULL);
	eb_doc_set_attr(r, "agency-seq", NULL);
	eb_doc_set_attr(r, "agency-hash", NULL);
	for (c = r->first; c != NULL; c = next) {
		next = c->next;
		if (strcmp(c->name, "representative") == 0) {
			eb_doc_detach(c);
			eb_doc_free(c);
		}
	}
	eb_doc_append(a, r);
	eb_doc_foreach(x, e, "representative")
		if (!names_party(a, "reader", eb_doc_attr(x, "party")))
			eb_doc_set_attr(eb_doc_add(a, "reader"), "party",
			    eb_doc_attr(x, "party"));
	return EB_OK;
}

static int
pool_apply(void *st, const struct eb_doc *events, struct eb_error *err)
{
	struct pool *p = st;
	const struct eb_doc *e;
	struct expert *x;
	int64_t at;
	int rc;

	eb_doc_foreach(e, events, NULL) {
		if ((rc = event_time(e, &at, err)) != EB_OK)
			return rc;
		if (strcmp(e->name, "expert-registered") == 0) {
			if (find(p, eb_doc_attr(e, "party")) != NULL)
				return eb_fail(err, EB_ERR_CONFLICT,
				    "expert-exists", NULL, "duplicate expert %s",
				    eb_doc_attr(e, "party"));
			if (p->n == p->cap) {
				size_t nc = p->cap ? p->cap * 2 : 16;

				p->experts = eb_realloc(p->experts,
				    nc * sizeof(*p->experts));
				p->cap = nc;
			}
			x = &p->experts[p->n++];
			memset(x, 0, sizeof(*x));
			copy_field(x->party, sizeof(x->party),
			    eb_doc_attr(e, "party"));
			copy_field(x->person, sizeof(x->person),
			    eb_doc_attr(e, "person"));
			copy_field(x->name, sizeof(x->name),
			    eb_doc_attr(e, "name"));
			copy_field(x->org, sizeof(x->org), eb_doc_attr(e, "org"));
			copy_field(x->specialty, sizeof(x->specialty),
			    eb_doc_attr(e, "specialty"));
			x->active = 1;
			continue;
		}
		if (strcmp(e->name, "assessment-configured") == 0) {
			eb_doc_free(p->assessment);
			p->assessment = renamed(e, "assessment");
			continue;
		}
		if (strcmp(e->name, "agency-rated") == 0) {
			if ((rc = apply_agency_rated(p, e, err)) != EB_OK)
				return rc;
			continue;
		}
		if ((x = find(p, eb_doc_attr(e, "party"))) == NULL)
			return eb_fail(err, EB_ERR_NOTFOUND, "no-such-expert",
			    NULL, "pool event <%s> names an unknown expert",
			    e->name);
		if (strcmp(e->name, "expert-suspended") == 0)
			x->active = 0;
		else if (strcmp(e->name, "expert-reinstated") == 0)
			x->active = 1;
		else if (strcmp(e->name, "expert-appointed") == 0) {
			if (x->nappts == x->cap) {
				size_t nc = x->cap ? x->cap * 2 : 4;

				x->appts = eb_realloc(x->appts,
				    nc * sizeof(*x->appts));
				x->cap = nc;
			}
			copy_field(x->appts[x->nappts].tender,
			    sizeof(x->appts[0].tender),
			    eb_doc_attr(e, "tender"));
			x->appts[x->nappts].at = at;
			x->nappts++;
		} else if (strcmp(e->name, "expert-rated") == 0) {
			struct eb_doc *r = renamed(e, "rating");

			if (x->ratings == NULL)
				x->ratings = eb_doc_new("ratings");
			eb_doc_set_attr(r, "party", NULL);
			eb_doc_set_attr(r, "tender-seq", NULL);
			eb_doc_set_attr(r, "tender-hash", NULL);
			eb_doc_append(x->ratings, r);
		} else
			return eb_fail(err, EB_ERR_FORMAT, "bad-event", NULL,
			    "the pool does not know event <%s>", e->name);
	}
	return EB_OK;
}

/*
 * The ratings of 'x' summed per calendar year (UTC) of their instant:
 * <period year ratings score unexplained/>, score the mean of the
 * ratings' scores (basis points of the scale, rounded down).
 */
static void
add_periods(struct eb_doc *e, const struct eb_doc *ratings, int unexplained)
{
	const struct eb_doc *r, *q;
	char year[5];

	eb_doc_foreach(r, ratings, "rating") {
		int64_t n = 0, sum = 0, un = 0, v;
		struct eb_doc *pd;

		snprintf(year, sizeof(year), "%.4s", eb_doc_attr(r, "at"));
		/* the first rating of its year sums the year */
		for (q = eb_doc_child(ratings, "rating"); q != r;
		    q = eb_doc_next(q, "rating"))
			if (strncmp(eb_doc_attr(q, "at"), year, 4) == 0)
				break;
		if (q != r)
			continue;
		for (q = r; q != NULL; q = eb_doc_next(q, "rating")) {
			if (strncmp(eb_doc_attr(q, "at"), year, 4) != 0)
				continue;
			n++;
			if (eb_doc_attr_i64(q, "score", &v) == EB_OK)
				sum += v;
			if (eb_doc_attr_i64(q, "unexplained", &v) == EB_OK)
				un += v;
		}
		pd = eb_doc_add(e, "period");
		eb_doc_set_attr(pd, "year", year);
		eb_doc_set_attr_i64(pd, "ratings", n);
		eb_doc_set_attr_i64(pd, "score", n > 0 ? sum / n : 0);
		if (unexplained)
			eb_doc_set_attr_i64(pd, "unexplained", un);
	}
}

static void
add_expert(struct eb_doc *v, const struct expert *x)
{
	struct eb_doc *e = eb_doc_add(v, "expert"), *a;
	const struct eb_doc *r;
	char iso[EB_ISOTIME_LEN];
	size_t j;

	eb_doc_set_attr(e, "party", x->party);
	eb_doc_set_attr(e, "person", x->person);
	eb_doc_set_attr(e, "name", x->name);
	eb_doc_set_attr(e, "org", x->org);
	eb_doc_set_attr(e, "specialty", x->specialty);
	eb_doc_set_attr(e, "status", x->active ? "active" : "suspended");
	for (j = 0; j < x->nappts; j++) {
		a = eb_doc_add(e, "appointment");
		eb_doc_set_attr(a, "tender", x->appts[j].tender);
		eb_isotime_format(x->appts[j].at, iso);
		eb_doc_set_attr(a, "at", iso);
	}
	eb_doc_foreach(r, x->ratings, "rating")
		eb_doc_append(e, eb_doc_clone(r));
	add_periods(e, x->ratings, 1);
}

/* The view of the agency subject 'sid' in 'subjects' (<subjects> of
 * subject views, eb_pool_view_at), or NULL. */
static const struct eb_doc *
subject_in(const struct eb_doc *subjects, const char *sid)
{
	const struct eb_doc *s;

	eb_doc_foreach(s, subjects, "subject")
		if (eb_doc_attr(s, "id") != NULL &&
		    strcmp(eb_doc_attr(s, "id"), sid) == 0)
			return s;
	return NULL;
}

/* The agencies' records 'viewer' may see (all when 'full', else those
 * whose subject in 'subjects' lists the viewer as a representative
 * authorised at 'now'): ratings and the year's summaries, never the
 * readers. */
static void
add_agencies(struct eb_doc *v, const struct pool *p,
    const struct eb_actor *viewer, int full, const struct eb_doc *subjects,
    int64_t now)
{
	const struct eb_doc *a, *r;
	struct eb_doc *o;

	eb_doc_foreach(a, p->agencies, "agency") {
		if (!full && (viewer == NULL || !eb_subject_represents(
		    subject_in(subjects, eb_doc_attr(a, "subject")),
		    viewer->party, now)))
			continue;
		o = eb_doc_add(v, "agency");
		eb_doc_set_attr(o, "subject", eb_doc_attr(a, "subject"));
		if (eb_doc_attr(a, "name") != NULL)
			eb_doc_set_attr(o, "name", eb_doc_attr(a, "name"));
		eb_doc_foreach(r, a, "rating")
			eb_doc_append(o, eb_doc_clone(r));
		add_periods(o, a, 0);
	}
}

struct eb_doc *
eb_pool_view_at(const void *st, const struct eb_actor *viewer,
    const struct eb_doc *subjects, int64_t now)
{
	const struct pool *p = st;
	struct eb_doc *v = eb_doc_new("pool");
	size_t i;
	int full;

	eb_doc_set_attr(v, "id", p->id);
	eb_doc_set_attr_i64(v, "experts", (int64_t)p->n);
	/* the centre's assessment rules are public */
	if (p->assessment != NULL)
		eb_doc_append(v, eb_doc_clone(p->assessment));
	full = eb_registers_officer(viewer);
	/* an expert sees its own record and ratings, nobody else's */
	if (!full && viewer != NULL && viewer->role == EB_ROLE_EXPERT) {
		const struct expert *x = find(p, viewer->party);

		if (x != NULL)
			add_expert(v, x);
		return v;
	}
	if (!full) {
		/* an agency's representative, authorised now: its
		 * agency's ratings */
		add_agencies(v, p, viewer, 0, subjects, now);
		return v;
	}
	for (i = 0; i < p->n; i++)
		add_expert(v, &p->experts[i]);
	add_agencies(v, p, viewer, 1, NULL, 0);
	return v;
}

/* Without the agencies' facts nobody but the officers sees an agency's
 * ratings: ebidd's reads use eb_pool_view_at(). */
static struct eb_doc *
pool_view(const void *st, const struct eb_actor *viewer)
{
	return eb_pool_view_at(st, viewer, NULL, 0);
}

size_t
eb_pool_agencies(const void *st, const char **ids, size_t max)
{
	const struct pool *p = st;
	const struct eb_doc *a;
	size_t n = 0;

	eb_doc_foreach(a, p->agencies, "agency")
		if (eb_doc_attr(a, "subject") != NULL) {
			if (n < max)
				ids[n] = eb_doc_attr(a, "subject");
			n++;
		}
	return n;
}

static const char *
pool_state_name(const void *st)
{
	(void)st;
	return "open";
}

const struct eb_flow_ops eb_pool_flow = {
	.kind = "pool",
	.handles = pool_handles,
	.create = pool_create,
	.destroy = pool_destroy,
	.decide = pool_decide,
	.apply = pool_apply,
	.view = pool_view,
	.state_name = pool_state_name,
	.next_timer = eb_registers_no_timer,
};
