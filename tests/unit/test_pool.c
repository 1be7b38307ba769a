/*
 * tests/unit/test_pool.c
 *    The expert pool aggregate: registration by the registrar only,
 *    suspension and reinstatement, appointments recorded by the system,
 *    the sealed view, and a draw over the view that avoids an expert
 *    appointed too often recently.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "engine/core/draw.h"
#include "engine/core/pool.h"
#include "protocol/isotime.h"
#include "tests/unit/flow_fixture.h"

static int64_t t0;

/* decide + apply as ebidd does; returns decide's code. */
static int
run(void *st, struct eb_doc *body, enum eb_role role, int64_t at,
    struct eb_error *err)
{
	struct eb_cmd cmd;
	int rc;

	memset(&cmd, 0, sizeof(cmd));
	cmd.body = body;
	cmd.actor.role = role;
	snprintf(cmd.actor.party, sizeof(cmd.actor.party), "%s",
	    eb_role_name(role));
	snprintf(cmd.target, sizeof(cmd.target), "pool");
	cmd.time = at;
	rc = fx_run(&eb_pool_flow, st, &cmd, NULL, err);
	eb_doc_free(body);
	return rc;
}

static int
reg(void *st, const char *party, const char *person, const char *org,
    const char *spec)
{
	struct eb_error err;

	return run(st, fx_el(NULL, "register-expert", "pool", "pool", "party",
	    party, "person", person, "name", party, "org", org, "specialty",
	    spec, NULL), EB_ROLE_REGISTRAR, t0, &err);
}

/* The tender's facts as ebidd attaches them to rate-expert (pool.h). */
static struct eb_doc *
tender_facts(const char *state)
{
	struct eb_doc *f = fx_el(NULL, "tender", "id", "T1", "state", state,
	    "head-seq", "42", "head-hash", "ab", NULL), *c, *r;

	c = fx_el(f, "committee", NULL);
	fx_el(c, "member", "party", "e1", "status", "accepted", NULL);
	fx_el(c, "member", "party", "e2", "status", "declined", NULL);
	r = fx_el(fx_el(f, "result", NULL), "evaluation-result", NULL);
	fx_el(r, "alert", "expert", "e1", "bid", "b1", NULL);
	fx_el(r, "alert", "expert", "e1", "bid", "b2", NULL);
	return f;
}

static int
rate(void *st, const char *expert, const char *unexplained,
    const char *v1, const char *v2, const struct eb_doc *facts,
    const char *rater, struct eb_doc **out, struct eb_error *err)
{
	struct eb_doc *b = fx_el(NULL, "rate-expert", "pool", "pool", "job", "T1",
	    "expert", expert, NULL);
	struct eb_cmd cmd;
	int rc;

	if (unexplained != NULL)
		eb_doc_set_attr(b, "unexplained", unexplained);
	fx_el(b, "score", "criterion", "punctuality", "value", v1, NULL);
	if (v2 != NULL)
		fx_el(b, "score", "criterion", "reasons", "value", v2, NULL);
	memset(&cmd, 0, sizeof(cmd));
	cmd.body = b;
	cmd.actor.role = EB_ROLE_SUPERVISOR;
	snprintf(cmd.actor.party, sizeof(cmd.actor.party), "%s", rater);
	cmd.time = t0 + 86400000;
	cmd.facts = facts;
	rc = fx_run(&eb_pool_flow, st, &cmd, out, err);
	eb_doc_free(b);
	return rc;
}

/*
 * Assessment after each job: the criteria, a rating only of a seated
 * expert of a closed evaluation, once per officer, unexplained deviations
 * bounded by the tender's alerts, the score in basis points, the views.
 */
static void
test_ratings(void **state)
{
	void *st = eb_pool_flow.create("pool");
	struct eb_doc *cfg, *f, *ev = NULL, *v;
	struct eb_error err;
	struct eb_actor ex, bid = { .role = EB_ROLE_BIDDER };

	(void)state;
	assert_int_equal(reg(st, "e1", "P1", "Uni A", "civil"), EB_OK);
	assert_int_equal(reg(st, "e2", "P2", "Uni B", "civil"), EB_OK);
	f = tender_facts("evaluated");
	assert_int_equal(rate(st, "e1", NULL, "3", "4", f, "sup", NULL, &err),
	    EB_ERR_STATE);
	assert_string_equal(err.reason, "no-assessment-rules");
	cfg = fx_el(NULL, "configure-assessment", "pool", "pool", NULL);
	fx_el(cfg, "criterion", "name", "punctuality", "max", "5", NULL);
	fx_el(cfg, "criterion", "name", "punctuality", "max", "5", NULL);
	assert_int_equal(run(st, cfg, EB_ROLE_REGISTRAR, t0, &err),
	    EB_ERR_FORMAT);
	cfg = fx_el(NULL, "configure-assessment", "pool", "pool", NULL);
	fx_el(cfg, "criterion", "name", "punctuality", "max", "5", NULL);
	fx_el(cfg, "criterion", "name", "reasons", "max", "5", NULL);
	fx_el(cfg, "draw-rule", "period-days", "365", "min-percent", "60", NULL);
	assert_int_equal(run(st, cfg, EB_ROLE_REGISTRAR, t0, &err), EB_OK);
	/* not seated, not closed, no facts, criteria */
	assert_int_equal(rate(st, "e2", NULL, "3", "4", f, "sup", NULL, &err),
	    EB_ERR_RULE);
	assert_string_equal(err.reason, "expert-not-seated");
	{
		struct eb_doc *g = tender_facts("evaluation");

		assert_int_equal(rate(st, "e1", NULL, "3", "4", g, "sup", NULL,
		    &err), EB_ERR_STATE);
		assert_string_equal(err.reason, "evaluation-not-closed");
		eb_doc_free(g);
	}
	assert_int_equal(rate(st, "e1", NULL, "3", "4", NULL, "sup", NULL,
	    &err), EB_ERR_NOTFOUND);
	assert_string_equal(err.reason, "no-such-tender");
	assert_int_equal(rate(st, "e1", NULL, "3", NULL, f, "sup", NULL, &err),
	    EB_ERR_RULE);
	assert_string_equal(err.reason, "bad-rating");
	assert_int_equal(rate(st, "e1", NULL, "6", "4", f, "sup", NULL, &err),
	    EB_ERR_RULE);
	assert_string_equal(err.reason, "bad-rating");
	/* two alerts on e1 in the tender: at most 2 unexplained */
	assert_int_equal(rate(st, "e1", "3", "3", "4", f, "sup", NULL, &err),
	    EB_ERR_RULE);
	assert_string_equal(err.reason, "unexplained-exceeds-deviations");
	assert_int_equal(rate(st, "e1", "1", "3", "4", f, "sup", &ev, &err),
	    EB_OK);
	assert_string_equal(eb_doc_attr(ev->first, "score"), "7000");
	assert_string_equal(eb_doc_attr(ev->first, "deviations"), "2");
	assert_string_equal(eb_doc_attr(ev->first, "tender-seq"), "42");
	eb_doc_free(ev);
	assert_int_equal(rate(st, "e1", NULL, "5", "5", f, "sup", NULL, &err),
	    EB_ERR_CONFLICT);
	assert_string_equal(err.reason, "already-rated");
	/* another officer rates the same job */
	assert_int_equal(rate(st, "e1", NULL, "5", "4", f, "sup2", NULL, &err),
	    EB_OK);
	/* the expert sees itself; a bidder sees the criteria only */
	ex = (struct eb_actor){ .role = EB_ROLE_EXPERT };
	snprintf(ex.party, sizeof(ex.party), "e1");
	v = eb_pool_flow.view(st, &ex);
	assert_int_equal(eb_doc_count(v, "expert"), 1);
	assert_int_equal(eb_doc_count(eb_doc_child(v, "expert"), "rating"), 2);
	/* mean of 7000 and 9000 */
	assert_string_equal(eb_doc_attr(eb_doc_child(eb_doc_child(v,
	    "expert"), "period"), "score"), "8000");
	assert_string_equal(eb_doc_attr(eb_doc_child(eb_doc_child(v,
	    "expert"), "period"), "unexplained"), "1");
	eb_doc_free(v);
	v = eb_pool_flow.view(st, &bid);
	assert_int_equal(eb_doc_count(v, "expert"), 0);
	assert_non_null(eb_doc_child(v, "assessment"));
	eb_doc_free(v);
	eb_doc_free(f);
	eb_pool_flow.destroy(st);
}

/* A tender's facts for rate-agency: ended or not, naming agency O-1
 * (representative a1) or none; registered by the tenderer "ten". */
static struct eb_doc *
agency_facts(const char *state, int named)
{
	struct eb_doc *f = fx_el(NULL, "tender", "id", "T1", "state", state,
	    "head-seq", "50", "head-hash", "cd", NULL), *r, *a;

	r = fx_el(f, "registration", "tenderer", "ten", NULL);
	if (named) {
		a = fx_el(r, "agency", "subject", "O-1", "name", "Agency Co",
		    "subject-seq", "3", "subject-hash", "ef", NULL);
		fx_el(a, "representative", "party", "a1", NULL);
	}
	return f;
}

static int
rate_agency(void *st, enum eb_role role, const char *rater,
    const char *v1, const struct eb_doc *facts, struct eb_doc **out,
    struct eb_error *err)
{
	struct eb_doc *b = fx_el(NULL, "rate-agency", "pool", "pool", "job",
	    "T1", NULL);
	struct eb_cmd cmd;
	int rc;

	fx_el(b, "score", "criterion", "documents", "value", v1, NULL);
	memset(&cmd, 0, sizeof(cmd));
	cmd.body = b;
	cmd.actor.role = role;
	snprintf(cmd.actor.party, sizeof(cmd.actor.party), "%s", rater);
	cmd.time = t0 + 86400000;
	cmd.facts = facts;
	rc = fx_run(&eb_pool_flow, st, &cmd, out, err);
	eb_doc_free(b);
	return rc;
}

/*
 * The agency's rating: the agency criteria, only once the tender has
 * ended and names an agency, by its tenderer or a supervisor (not a
 * bidder, not another tenderer, not the agency itself), once each; the
 * agency's representative sees its ratings, a bidder none.
 */
static void
test_agency_ratings(void **state)
{
	void *st = eb_pool_flow.create("pool");
	struct eb_doc *cfg, *f, *g, *ev = NULL, *v, *a, *subs, *sv;
	struct eb_error err;
	char iso[EB_ISOTIME_LEN], iso2[EB_ISOTIME_LEN];
	struct eb_actor late = { .role = EB_ROLE_BIDDER };
	struct eb_actor rep = { .role = EB_ROLE_TENDERER },
	    bid = { .role = EB_ROLE_BIDDER }, sup = { .role =
	    EB_ROLE_SUPERVISOR };

	(void)state;
	f = agency_facts("closed", 1);
	cfg = fx_el(NULL, "configure-assessment", "pool", "pool", NULL);
	fx_el(cfg, "criterion", "name", "punctuality", "max", "5", NULL);
	assert_int_equal(run(st, cfg, EB_ROLE_REGISTRAR, t0, &err), EB_OK);
	/* no agency criteria yet */
	assert_int_equal(rate_agency(st, EB_ROLE_TENDERER, "ten", "8", f,
	    NULL, &err), EB_ERR_STATE);
	assert_string_equal(err.reason, "no-assessment-rules");
	cfg = fx_el(NULL, "configure-assessment", "pool", "pool", NULL);
	fx_el(cfg, "criterion", "name", "punctuality", "max", "5", NULL);
	fx_el(cfg, "agency-criterion", "name", "documents", "max", "10", NULL);
	assert_int_equal(run(st, cfg, EB_ROLE_REGISTRAR, t0, &err), EB_OK);
	g = agency_facts("awarded", 1);
	assert_int_equal(rate_agency(st, EB_ROLE_TENDERER, "ten", "8", g,
	    NULL, &err), EB_ERR_STATE);
	assert_string_equal(err.reason, "tender-not-closed");
	eb_doc_free(g);
	g = agency_facts("closed", 0);
	assert_int_equal(rate_agency(st, EB_ROLE_TENDERER, "ten", "8", g,
	    NULL, &err), EB_ERR_RULE);
	assert_string_equal(err.reason, "no-agency-named");
	eb_doc_free(g);
	assert_int_equal(rate_agency(st, EB_ROLE_BIDDER, "b1", "8", f, NULL,
	    &err), EB_ERR_DENIED);
	assert_string_equal(err.reason, "role-not-allowed");
	assert_int_equal(rate_agency(st, EB_ROLE_TENDERER, "other", "8", f,
	    NULL, &err), EB_ERR_DENIED);
	assert_string_equal(err.reason, "role-not-allowed");
	assert_int_equal(rate_agency(st, EB_ROLE_TENDERER, "ten", "11", f,
	    NULL, &err), EB_ERR_RULE);
	assert_string_equal(err.reason, "bad-rating");
	assert_int_equal(rate_agency(st, EB_ROLE_TENDERER, "ten", "8", f, &ev,
	    &err), EB_OK);
	assert_string_equal(ev->first->name, "agency-rated");
	assert_string_equal(eb_doc_attr(ev->first, "agency"), "O-1");
	assert_string_equal(eb_doc_attr(ev->first, "score"), "8000");
	assert_string_equal(eb_doc_attr(ev->first, "rater-role"), "tenderer");
	assert_string_equal(eb_doc_attr(ev->first, "tender-seq"), "50");
	eb_doc_free(ev);
	assert_int_equal(rate_agency(st, EB_ROLE_TENDERER, "ten", "9", f,
	    NULL, &err), EB_ERR_CONFLICT);
	assert_string_equal(err.reason, "already-rated");
	assert_int_equal(rate_agency(st, EB_ROLE_SUPERVISOR, "sup", "10", f,
	    NULL, &err), EB_OK);
	/* the agency's representative, authorised at the read (the agency
	 * subject's view as ebidd reads it): its ratings and the year's
	 * mean; the plain view (no facts) shows it nothing */
	snprintf(rep.party, sizeof(rep.party), "a1");
	v = eb_pool_flow.view(st, &rep);
	assert_int_equal(eb_doc_count(v, "agency"), 0);
	eb_doc_free(v);
	subs = eb_doc_new("subjects");
	sv = fx_el(subs, "subject", "id", "O-1", NULL);
	eb_isotime_format(t0 - 86400000, iso);
	eb_isotime_format(t0 + 86400000, iso2);
	/* a2: authorised only after the tender was registered (the
	 * tender's registration names a1 alone) */
	fx_el(sv, "representative", "party", "a2", "status", "authorised",
	    "from", iso, "to", iso2, NULL);
	fx_el(sv, "representative", "party", "a1", "status", "revoked",
	    "from", iso, "to", iso2, NULL);
	snprintf(late.party, sizeof(late.party), "a2");
	v = eb_pool_view_at(st, &late, subs, t0);
	assert_int_equal(eb_doc_count(v, "agency"), 1);
	assert_int_equal(eb_doc_count(eb_doc_child(v, "agency"), "rating"), 2);
	eb_doc_free(v);
	/* outside its period: nothing */
	v = eb_pool_view_at(st, &late, subs, t0 + 2 * 86400000);
	assert_int_equal(eb_doc_count(v, "agency"), 0);
	eb_doc_free(v);
	/* a1, revoked since the registration: nothing */
	v = eb_pool_view_at(st, &rep, subs, t0);
	assert_int_equal(eb_doc_count(v, "agency"), 0);
	eb_doc_free(v);
	/* a1 authorised at the read: its agency's record */
	eb_doc_set_attr(eb_doc_child(sv, "representative")->next, "status",
	    "authorised");
	v = eb_pool_view_at(st, &rep, subs, t0);
	assert_int_equal(eb_doc_count(v, "agency"), 1);
	a = eb_doc_child(v, "agency");
	assert_int_equal(eb_doc_count(a, "rating"), 2);
	assert_int_equal(eb_doc_count(a, "reader"), 0);
	assert_string_equal(eb_doc_attr(eb_doc_child(a, "period"), "score"),
	    "9000");
	assert_null(eb_doc_attr(eb_doc_child(a, "period"), "unexplained"));
	eb_doc_free(v);
	eb_doc_free(subs);
	snprintf(bid.party, sizeof(bid.party), "b1");
	v = eb_pool_flow.view(st, &bid);
	assert_int_equal(eb_doc_count(v, "agency"), 0);
	eb_doc_free(v);
	v = eb_pool_flow.view(st, &sup);
	assert_int_equal(eb_doc_count(v, "agency"), 1);
	eb_doc_free(v);
	eb_doc_free(f);
	eb_pool_flow.destroy(st);
}

/* The registrar's criteria (punctuality 0..5; the agency's documents
 * 0..10) in pool 'st'. */
static int
cfg_run(void *st)
{
	struct eb_doc *cfg = fx_el(NULL, "configure-assessment", "pool",
	    "pool", NULL);
	struct eb_error err;

	fx_el(cfg, "criterion", "name", "punctuality", "max", "5", NULL);
	fx_el(cfg, "agency-criterion", "name", "documents", "max", "10", NULL);
	return run(st, cfg, EB_ROLE_REGISTRAR, t0, &err);
}

/* rate-agency by the tenderer "ten" on tender T1 with the agency
 * subject's facts 'af' (or none), decided by rules 'rules' (0: current). */
static int
rate_agency_with(void *st, const struct eb_doc *facts,
    const struct eb_doc *af, int rules, struct eb_doc **out,
    struct eb_error *err)
{
	struct eb_doc *b = fx_el(NULL, "rate-agency", "pool", "pool", "job",
	    "T1", NULL);
	struct eb_cmd cmd;
	int rc;

	fx_el(b, "score", "criterion", "documents", "value", "7", NULL);
	memset(&cmd, 0, sizeof(cmd));
	cmd.body = b;
	cmd.actor.role = EB_ROLE_TENDERER;
	snprintf(cmd.actor.party, sizeof(cmd.actor.party), "ten");
	cmd.time = t0 + 86400000;
	cmd.facts = facts;
	cmd.agency_facts = af;
	cmd.rules = rules;
	rc = fx_run(&eb_pool_flow, st, &cmd, out, err);
	eb_doc_free(b);
	return rc;
}

/*
 * An agency never rates itself, judged at the rating (rules 4): the
 * tenderer who is an authorised representative of the agency now, by
 * the agency subject's facts, is refused though the tender's registration
 * did not name it; rules 3 kept the registration's list only; a revoked
 * or lapsed authorisation, or facts of another subject, do not refuse;
 * the event names the subject entry it rested on.
 */
static void
test_agency_never_rates_itself(void **state)
{
	struct eb_doc *f = agency_facts("closed", 1), *af, *rep, *ev = NULL;
	struct eb_error err;
	char from[EB_ISOTIME_LEN], to[EB_ISOTIME_LEN];
	void *st;

	(void)state;
	eb_isotime_format(t0 - 86400000, from);
	eb_isotime_format(t0 + 2 * 86400000, to);
	af = fx_el(NULL, "subject", "id", "O-1", "head-seq", "7",
	    "head-hash", "ab", NULL);
	rep = fx_el(af, "representative", "party", "ten", "status",
	    "authorised", "from", from, "to", to, NULL);
	for (int rules = 3; rules <= 4; rules++) {
		st = eb_pool_flow.create("pool");
		assert_int_equal(cfg_run(st), EB_OK);
		/* authorised now: refused by rules 4, not by rules 3 */
		eb_error_clear(&err);
		if (rules == 4) {
			assert_int_equal(rate_agency_with(st, f, af, 0, NULL,
			    &err), EB_ERR_DENIED);
			assert_string_equal(err.reason, "role-not-allowed");
		} else {
			assert_int_equal(rate_agency_with(st, f, af, 3, &ev,
			    &err), EB_OK);
			assert_null(eb_doc_attr(ev->first, "agency-seq"));
			eb_doc_free(ev);
		}
		eb_pool_flow.destroy(st);
	}
	/* facts of another subject are not the agency's */
	st = eb_pool_flow.create("pool");
	assert_int_equal(cfg_run(st), EB_OK);
	eb_doc_set_attr(af, "id", "O-2");
	assert_int_equal(rate_agency_with(st, f, af, 0, &ev, &err), EB_OK);
	assert_null(eb_doc_attr(ev->first, "agency-seq"));
	eb_doc_free(ev);
	eb_pool_flow.destroy(st);
	eb_doc_set_attr(af, "id", "O-1");
	/* revoked, or its period over at the rating: rated, resting on the
	 * agency's entry 7 */
	for (int k = 0; k < 2; k++) {
		st = eb_pool_flow.create("pool");
		assert_int_equal(cfg_run(st), EB_OK);
		if (k == 0) {
			eb_doc_set_attr(rep, "status", "revoked");
		} else {
			eb_doc_set_attr(rep, "status", "authorised");
			eb_doc_set_attr(rep, "to", from);
		}
		assert_int_equal(rate_agency_with(st, f, af, 0, &ev, &err),
		    EB_OK);
		assert_string_equal(eb_doc_attr(ev->first, "agency-seq"), "7");
		assert_string_equal(eb_doc_attr(ev->first, "agency-hash"), "ab");
		eb_doc_free(ev);
		eb_pool_flow.destroy(st);
	}
	eb_doc_free(af);
	eb_doc_free(f);
}

static int
setup(void **state)
{
	(void)state;
	assert_int_equal(eb_isotime_parse("2026-06-01T08:00:00.000Z", &t0), 0);
	return 0;
}

static void
test_register_suspend_reinstate(void **state)
{
	void *st = eb_pool_flow.create("pool");
	struct eb_error err;
	struct eb_doc *v;
	struct eb_actor sup = { .role = EB_ROLE_SUPERVISOR };
	struct eb_buf b = EB_BUF_INIT;

	(void)state;
	assert_non_null(st);
	assert_true(eb_pool_flow.handles("register-expert"));
	assert_true(eb_pool_flow.handles("record-appointment"));
	assert_false(eb_pool_flow.handles("submit-bid"));
	assert_string_equal(eb_pool_flow.state_name(st), "open");
	assert_int_equal(reg(st, "e1", "P1", "Uni A", "civil"), EB_OK);
	assert_int_equal(reg(st, "e1", "P9", "Uni B", "civil"),
	    EB_ERR_CONFLICT);
	/* Only the registration officer registers. */
	assert_int_equal(run(st, fx_el(NULL, "register-expert", "party", "e2",
	    "person", "P2", "name", "n", "org", "o", "specialty", "civil",
	    NULL), EB_ROLE_SUPERVISOR, t0, &err), EB_ERR_DENIED);
	assert_string_equal(err.reason, "role-not-allowed");
	/* Every field is required. */
	assert_int_equal(run(st, fx_el(NULL, "register-expert", "party", "e2",
	    "person", "P2", "name", "n", "specialty", "civil", NULL),
	    EB_ROLE_REGISTRAR, t0, &err), EB_ERR_FORMAT);
	assert_int_equal(run(st, fx_el(NULL, "suspend-expert", "party", "e1",
	    "reason", "sanctioned", NULL), EB_ROLE_REGISTRAR, t0, &err),
	    EB_OK);
	assert_int_equal(run(st, fx_el(NULL, "suspend-expert", "party", "e1",
	    NULL), EB_ROLE_REGISTRAR, t0, &err), EB_ERR_STATE);
	assert_string_equal(err.reason, "expert-not-active");
	assert_int_equal(run(st, fx_el(NULL, "suspend-expert", "party", "zz",
	    NULL), EB_ROLE_REGISTRAR, t0, &err), EB_ERR_NOTFOUND);
	v = eb_pool_flow.view(st, &sup);
	assert_int_equal(eb_doc_serialize(v, &b), EB_OK);
	assert_string_equal(eb_buf_str(&b),
	    "<pool experts=\"1\" id=\"pool\"><expert name=\"e1\" "
	    "org=\"Uni A\" party=\"e1\" person=\"P1\" specialty=\"civil\" "
	    "status=\"suspended\"></expert></pool>");
	eb_buf_free(&b);
	eb_doc_free(v);
	assert_int_equal(run(st, fx_el(NULL, "reinstate-expert", "party", "e1",
	    NULL), EB_ROLE_REGISTRAR, t0, &err), EB_OK);
	assert_int_equal(run(st, fx_el(NULL, "reinstate-expert", "party", "e1",
	    NULL), EB_ROLE_REGISTRAR, t0, &err), EB_ERR_STATE);
	v = eb_pool_flow.view(st, &sup);
	assert_string_equal(eb_doc_attr(eb_doc_child(v, "expert"), "status"),
	    "active");
	eb_doc_free(v);
	eb_pool_flow.destroy(st);
	eb_pool_flow.destroy(NULL);
}

/*
 * Issue 15, defect 3: a tender's committee recorded again (a restart of
 * ebidd, a second ebidd on the same database) must not count twice, or
 * later draws exclude experts as "drawn too often" on inflated counts.
 */
static void
test_appointment_recorded_once(void **state)
{
	void *st = eb_pool_flow.create("pool");
	struct eb_error err;
	struct eb_doc *v, *body;
	struct eb_actor sys = { .role = EB_ROLE_SYSTEM };
	const struct eb_doc *x;

	(void)state;
	assert_int_equal(reg(st, "e1", "P1", "Uni A", "civil"), EB_OK);
	assert_int_equal(reg(st, "e2", "P2", "Uni B", "civil"), EB_OK);
	/* the same expert named twice in one command counts once */
	body = fx_el(NULL, "record-appointment", "tender", "T1", NULL);
	fx_el(body, "expert", "party", "e1", NULL);
	fx_el(body, "expert", "party", "e1", NULL);
	assert_int_equal(run(st, body, EB_ROLE_SYSTEM, t0, &err), EB_OK);
	/* the same committee again: refused as already recorded, nothing changes */
	body = fx_el(NULL, "record-appointment", "tender", "T1", NULL);
	fx_el(body, "expert", "party", "e1", NULL);
	assert_int_equal(run(st, body, EB_ROLE_SYSTEM, t0 + 1000, &err),
	    EB_ERR_CONFLICT);
	assert_string_equal(err.reason, "appointments-already-recorded");
	/* a committee with one new member records only the new one */
	body = fx_el(NULL, "record-appointment", "tender", "T1", NULL);
	fx_el(body, "expert", "party", "e1", NULL);
	fx_el(body, "expert", "party", "e2", NULL);
	assert_int_equal(run(st, body, EB_ROLE_SYSTEM, t0 + 2000, &err), EB_OK);
	/* another tender is another appointment */
	body = fx_el(NULL, "record-appointment", "tender", "T2", NULL);
	fx_el(body, "expert", "party", "e1", NULL);
	assert_int_equal(run(st, body, EB_ROLE_SYSTEM, t0 + 3000, &err), EB_OK);
	v = eb_pool_flow.view(st, &sys);
	eb_doc_foreach(x, v, "expert") {
		if (strcmp(eb_doc_attr(x, "party"), "e1") == 0)
			assert_int_equal(eb_doc_count(x, "appointment"), 2);
		else
			assert_int_equal(eb_doc_count(x, "appointment"), 1);
	}
	eb_doc_free(v);
	eb_pool_flow.destroy(st);
}

static void
test_appointments_view_and_replay(void **state)
{
	void *st = eb_pool_flow.create("pool"), *st2;
	struct eb_error err;
	struct eb_doc *v, *v2, *body;
	struct eb_actor sys = { .role = EB_ROLE_SYSTEM };
	struct eb_actor bidder = { .role = EB_ROLE_BIDDER };
	struct eb_cmd cmd;
	struct eb_doc *ev = NULL;
	const struct eb_doc *a;
	int64_t at;
	int64_t when;
	const char *nm;

	(void)state;
	assert_int_equal(reg(st, "e1", "P1", "Uni A", "civil"), EB_OK);
	assert_int_equal(reg(st, "e2", "P2", "Uni B", "civil"), EB_OK);
	body = fx_el(NULL, "record-appointment", "tender", "T1", NULL);
	fx_el(body, "expert", "party", "e1", NULL);
	fx_el(body, "expert", "party", "e2", NULL);
	/* Only the system records appointments. */
	assert_int_equal(run(st, eb_doc_clone(body), EB_ROLE_SUPERVISOR, t0,
	    &err), EB_ERR_DENIED);
	memset(&cmd, 0, sizeof(cmd));
	cmd.body = body;
	cmd.actor.role = EB_ROLE_SYSTEM;
	cmd.time = t0 + 1000;
	assert_int_equal(eb_pool_flow.decide(st, &cmd, &ev, &err), EB_OK);
	assert_int_equal(eb_doc_count(ev, "expert-appointed"), 2);
	assert_string_equal(eb_doc_attr(ev->first, "at"),
	    "2026-06-01T08:00:01.000Z");
	assert_string_equal(eb_doc_attr(ev->first, "tender"), "T1");
	/* decide() left the state untouched. */
	v = eb_pool_flow.view(st, &sys);
	assert_null(eb_doc_child(eb_doc_child(v, "expert"), "appointment"));
	eb_doc_free(v);
	assert_int_equal(eb_pool_flow.apply(st, ev, &err), EB_OK);
	eb_doc_free(ev);
	eb_doc_free(body);
	/* An unknown party is refused as a whole. */
	body = fx_el(NULL, "record-appointment", "tender", "T2", NULL);
	fx_el(body, "expert", "party", "e1", NULL);
	fx_el(body, "expert", "party", "e9", NULL);
	assert_int_equal(run(st, body, EB_ROLE_SYSTEM, t0, &err),
	    EB_ERR_NOTFOUND);
	v = eb_pool_flow.view(st, &sys);
	a = eb_doc_child(eb_doc_child(v, "expert"), "appointment");
	assert_non_null(a);
	assert_string_equal(eb_doc_attr(a, "tender"), "T1");
	assert_int_equal(eb_isotime_parse(eb_doc_attr(a, "at"), &at), 0);
	assert_true(at == t0 + 1000);
	assert_int_equal(eb_doc_count(eb_doc_child(v, "expert"),
	    "appointment"), 1);
	/* A bidder sees only how many experts there are. */
	v2 = eb_pool_flow.view(st, &bidder);
	assert_string_equal(eb_doc_attr(v2, "experts"), "2");
	assert_null(eb_doc_child(v2, "expert"));
	eb_doc_free(v2);
	/* Replaying the same events into a fresh pool gives the same view. */
	st2 = eb_pool_flow.create("pool");
	{
		struct eb_doc *evs = eb_doc_new("events"), *e;
		const struct eb_doc *x;
		char iso[EB_ISOTIME_LEN];

		eb_isotime_format(t0, iso);
		eb_doc_foreach(x, v, "expert") {
			e = fx_el(evs, "expert-registered", "party",
			    eb_doc_attr(x, "party"), "person",
			    eb_doc_attr(x, "person"), "name",
			    eb_doc_attr(x, "name"), "org",
			    eb_doc_attr(x, "org"), "specialty",
			    eb_doc_attr(x, "specialty"), "at", iso, NULL);
			(void)e;
		}
		eb_isotime_format(t0 + 1000, iso);
		fx_el(evs, "expert-appointed", "party", "e1", "tender", "T1", "at",
		    iso, NULL);
		fx_el(evs, "expert-appointed", "party", "e2", "tender", "T1", "at",
		    iso, NULL);
		assert_int_equal(eb_pool_flow.apply(st2, evs, &err), EB_OK);
		eb_doc_free(evs);
	}
	v2 = eb_pool_flow.view(st2, &sys);
	assert_true(eb_doc_equal(v, v2));
	eb_doc_free(v2);
	eb_doc_free(v);
	assert_int_equal(eb_pool_flow.next_timer(st, &when, &nm), 0);
	eb_pool_flow.destroy(st);
	eb_pool_flow.destroy(st2);
}

/*
 * Four civil experts; e1 served on three tenders in the last 30 days.
 * A draw of 3 with max-recent 3 in 90 days must leave e1 out and seat
 * exactly e2, e3, e4.
 */
static void
test_draw_over_pool_view(void **state)
{
	void *st = eb_pool_flow.create("pool");
	struct eb_actor sup = { .role = EB_ROLE_SUPERVISOR };
	struct eb_doc *v, *req, *com = NULL, *s, *body;
	const struct eb_doc *m;
	struct eb_error err;
	uint8_t head[32] = { 1 }, seed[32];
	const char *rev[1] = { "officer-secret" };
	int i;

	(void)state;
	assert_int_equal(reg(st, "e1", "P1", "Uni A", "civil"), EB_OK);
	assert_int_equal(reg(st, "e2", "P2", "Uni B", "civil"), EB_OK);
	assert_int_equal(reg(st, "e3", "P3", "Uni C", "civil"), EB_OK);
	assert_int_equal(reg(st, "e4", "P4", "Uni D", "civil"), EB_OK);
	for (i = 0; i < 3; i++) {
		char t[8];

		snprintf(t, sizeof(t), "T%d", i);
		body = fx_el(NULL, "record-appointment", "tender", t, NULL);
		fx_el(body, "expert", "party", "e1", NULL);
		assert_int_equal(run(st, body, EB_ROLE_SYSTEM,
		    t0 + (int64_t)i * 10 * EB_MS_PER_DAY, &err), EB_OK);
	}
	v = eb_pool_flow.view(st, &sup);
	req = fx_el(NULL, "draw-request", "tender", "T9", "recent-days", "90",
	    "max-recent", "3", NULL);
	s = fx_el(req, "seats", "specialty", "civil", "count", "3", NULL);
	(void)s;
	assert_int_equal(eb_draw_seed(head, rev, 1, seed), EB_OK);
	assert_int_equal(eb_draw_committee(v, req, seed,
	    t0 + 30 * EB_MS_PER_DAY, &com, &err), EB_OK);
	assert_int_equal(eb_doc_count(com, "member"), 3);
	eb_doc_foreach(m, com, "member")
		assert_string_not_equal(eb_doc_attr(m, "party"), "e1");
	m = eb_doc_child(com, "excluded");
	assert_string_equal(eb_doc_attr(m, "party"), "e1");
	assert_string_equal(eb_doc_attr(m, "reason"), "drawn-too-often");
	eb_doc_free(com);
	com = NULL;
	/* 100 days later the window has passed: e1 is free again, and a
	 * committee of 4 needs it. */
	eb_doc_set_attr(req->first, "count", "4");
	assert_int_equal(eb_draw_committee(v, req, seed,
	    t0 + 120 * EB_MS_PER_DAY, &com, &err), EB_OK);
	assert_int_equal(eb_doc_count(com, "member"), 4);
	assert_null(eb_doc_child(com, "excluded"));
	eb_doc_free(com);
	eb_doc_free(req);
	eb_doc_free(v);
	eb_pool_flow.destroy(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_register_suspend_reinstate),
		cmocka_unit_test(test_appointments_view_and_replay),
		cmocka_unit_test(test_appointment_recorded_once),
		cmocka_unit_test(test_draw_over_pool_view),
		cmocka_unit_test(test_ratings),
		cmocka_unit_test(test_agency_ratings),
		cmocka_unit_test(test_agency_never_rates_itself),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
