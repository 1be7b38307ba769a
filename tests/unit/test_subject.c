/*
 * tests/unit/test_subject.c
 *    Trading subjects (engine/core/subject.h): the GB 32100-2015 check
 *    digit, the subject's commands decided and applied as ebidd does, and
 *    the admission check on the facts ebidd attaches: each refusal
 *    (suspended, excluded, not a representative, wrong person or scope,
 *    authorisation outside its period, qualification missing, too low or
 *    expired on the deadline) and the reference written on acceptance.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "engine/core/subject.h"
#include "protocol/isotime.h"
#include "tests/unit/flow_fixture.h"

#define DAY (86400 * (int64_t)1000)

static int64_t t0;
static int64_t admit_at;        /* the command's instant in admit(): t0 */
static const char *admit_bound; /* the subject of the sign-up, or NULL */
static char iso_past[EB_ISOTIME_LEN], iso_future[EB_ISOTIME_LEN],
    iso_soon[EB_ISOTIME_LEN];

static void
actor(struct eb_cmd *c, enum eb_role role, const char *party,
    const char *person)
{
	c->actor.role = role;
	snprintf(c->actor.party, sizeof(c->actor.party), "%s", party);
	snprintf(c->actor.person, sizeof(c->actor.person), "%s", person);
}

/* decide + apply as ebidd does (body freed); returns decide's code. */
static int
run(void *st, struct eb_doc *body, enum eb_role role, const char *party,
    struct eb_error *err)
{
	struct eb_cmd cmd;
	int rc;

	memset(&cmd, 0, sizeof(cmd));
	eb_error_clear(err);
	cmd.body = body;
	actor(&cmd, role, party, "P-1");
	cmd.time = t0;
	rc = fx_run(&eb_subject_flow, st, &cmd, NULL, err);
	eb_doc_free(body);
	return rc;
}

/* A registered subject O-1: grade-2 municipal-works until iso_soon,
 * representative rep1 (person P-1, scope tender). */
static void *
registered(void)
{
	void *st = eb_subject_flow.create("O-1");
	struct eb_doc *b = fx_el(NULL, "register-subject", "code",
	    "91350100M000100Y43", "name", "Dongping Water Co Ltd", "kind",
	    "bidder", NULL);
	struct eb_error err;

	fx_el(b, "qualification", "kind", "municipal-works", "grade", "2",
	    "from", iso_past, "to", iso_soon, NULL);
	fx_el(b, "representative", "person", "P-1", "party", "rep1", "scope",
	    "tender", "from", iso_past, "to", iso_future, NULL);
	assert_int_equal(run(st, b, EB_ROLE_REGISTRAR, "registrar", &err),
	    EB_OK);
	return st;
}

/* The facts ebidd would attach: the system's view plus head-seq/hash. */
static struct eb_doc *
facts(const void *st)
{
	static struct eb_actor sys = { .role = EB_ROLE_SYSTEM };
	struct eb_doc *v;

	v = eb_subject_flow.view(st, &sys);
	eb_doc_set_attr(v, "head-seq", "3");
	eb_doc_set_attr(v, "head-hash", "ab");
	return v;
}

/* A tender registration requiring municipal-works at 'grade' or better. */
static struct eb_doc *
reg_requiring(const char *grade)
{
	struct eb_doc *r = eb_doc_new("registration");
	struct eb_doc *q = eb_doc_add(eb_doc_add(r, "rules"),
	    "required-qualifications");

	if (grade != NULL)
		fx_el(q, "qualification", "kind", "municipal-works", "min-grade",
		    grade, NULL);
	return r;
}

/* eb_subject_admit as the tender runs it; returns the code, 'reason'. */
static int
admit(const void *st, const struct eb_doc *reg, int64_t deadline,
    const char *party, const char *person, const char *subject,
    const char *scope, struct eb_doc **event, struct eb_error *err)
{
	struct eb_doc *body = fx_el(NULL, "sign-up", "tender", "T-1", NULL);
	struct eb_doc *f = st != NULL ? facts(st) : NULL;
	struct eb_cmd cmd;
	int rc;

	if (subject != NULL)
		eb_doc_set_attr(body, "subject", subject);
	memset(&cmd, 0, sizeof(cmd));
	eb_error_clear(err);
	cmd.body = body;
	actor(&cmd, EB_ROLE_BIDDER, party, person);
	cmd.time = admit_at != 0 ? admit_at : t0;
	cmd.facts = f;
	*event = eb_doc_new("sign-up-received");
	rc = eb_subject_admit(reg, deadline, scope, admit_bound, &cmd, *event,
	    err);
	eb_doc_free(f);
	eb_doc_free(body);
	return rc;
}

/* eb_subject_agency as register-tender runs it on subject 'st''s facts */
static int
agency(const void *st, const char *sid, struct eb_doc **out,
    struct eb_error *err)
{
	struct eb_doc *body = fx_el(NULL, "register-tender", "agency", sid,
	    NULL);
	struct eb_doc *f = st != NULL ? facts(st) : NULL;
	struct eb_cmd cmd;
	int rc;

	memset(&cmd, 0, sizeof(cmd));
	eb_error_clear(err);
	cmd.body = body;
	actor(&cmd, EB_ROLE_TENDERER, "ten", "P-9");
	cmd.time = t0;
	cmd.facts = f;
	rc = eb_subject_agency(&cmd, sid, out, err);
	eb_doc_free(f);
	eb_doc_free(body);
	return rc;
}

static int
setup(void **state)
{
	(void)state;
	assert_int_equal(eb_isotime_parse("2026-12-01T00:00:00Z", &t0), 0);
	eb_isotime_format(t0 - 365 * DAY, iso_past);
	eb_isotime_format(t0 + 700 * DAY, iso_future);
	eb_isotime_format(t0 + 10 * DAY, iso_soon);
	return 0;
}

static void
test_credit_code(void **state)
{
	(void)state;
	assert_true(eb_subject_code_valid("91350100M000100Y43"));
	assert_true(eb_subject_code_valid("91370983MA3C000012"));
	assert_false(eb_subject_code_valid("91350100M000100Y44"));
	assert_false(eb_subject_code_valid("91370983MA3C000013"));
	assert_false(eb_subject_code_valid("91350100m000100Y43"));
	assert_false(eb_subject_code_valid("91350100M000100I43"));
	assert_false(eb_subject_code_valid("91350100M000100Y4"));
	assert_false(eb_subject_code_valid(NULL));
	/* a remainder of 0 gives the check digit 0, not 31 */
	assert_true(eb_subject_code_valid("000000000000000000"));
}

static void
test_commands(void **state)
{
	void *st = registered();
	struct eb_error err;
	struct eb_doc *v, *f;

	(void)state;
	assert_int_equal(run(st, fx_el(NULL, "register-subject", "code",
	    "91350100M000100Y43", "name", "x", "kind", "bidder", NULL),
	    EB_ROLE_REGISTRAR, "registrar", &err), EB_ERR_STATE);
	assert_int_equal(run(st, fx_el(NULL, "suspend-subject", "subject", "O-1",
	    "reason", "r", NULL), EB_ROLE_BIDDER, "rep1", &err),
	    EB_ERR_DENIED);
	assert_string_equal(err.reason, "role-not-allowed");
	assert_int_equal(run(st, fx_el(NULL, "authorise-representative",
	    "subject", "O-1", "person", "P-9", "party", "rep1", "scope", "all",
	    "from", iso_past, "to", iso_future, NULL), EB_ROLE_REGISTRAR,
	    "registrar", &err), EB_ERR_CONFLICT);
	assert_string_equal(err.reason, "representative-exists");
	f = fx_el(NULL, "record-finding", "subject", "O-1", "kind", "collusion",
	    "sanction", "exclusion", "from", iso_past, "to", iso_future, NULL);
	assert_int_equal(run(st, f, EB_ROLE_SUPERVISOR, "supervisor", &err),
	    EB_ERR_RULE);
	assert_string_equal(err.reason, "evidence-required");
	f = fx_el(NULL, "record-finding", "subject", "O-1", "kind", "collusion",
	    "sanction", "exclusion", "from", iso_past, "to", iso_future, NULL);
	fx_el(f, "evidence", "aggregate", "T-1", "seq", "4", "hash",
	    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
	    NULL);
	assert_int_equal(run(st, f, EB_ROLE_SUPERVISOR, "supervisor", &err),
	    EB_OK);
	v = eb_subject_flow.view(st, NULL);
	assert_non_null(eb_doc_child(v, "finding"));
	assert_string_equal(eb_doc_attr(eb_doc_child(v, "finding"), "status"),
	    "in-force");
	assert_string_equal(eb_doc_attr(eb_doc_child(v, "representative"),
	    "person"), "-");
	eb_doc_free(v);
	assert_string_equal(eb_subject_flow.state_name(st), "registered");
	eb_subject_flow.destroy(st);
}

/*
 * The agency a registration names: a registered subject of kind agency
 * in good standing; the reference and the representatives recorded.
 */
static void
test_agency(void **state)
{
	void *st = registered(), *ag = eb_subject_flow.create("O-2");
	struct eb_doc *b, *out = NULL;
	struct eb_error err;

	(void)state;
	/* no facts: no such subject; a bidder: not an agency */
	assert_int_equal(agency(NULL, "O-9", &out, &err), EB_ERR_NOTFOUND);
	assert_string_equal(err.reason, "no-such-subject");
	assert_int_equal(agency(st, "O-1", &out, &err), EB_ERR_RULE);
	assert_string_equal(err.reason, "not-an-agency");
	assert_null(out);
	/* facts of another subject than the one named */
	assert_int_equal(agency(st, "O-2", &out, &err), EB_ERR_NOTFOUND);
	b = fx_el(NULL, "register-subject", "code", "91370983MA3D00010J",
	    "name", "Agency Co", "kind", "agency", NULL);
	fx_el(b, "representative", "person", "P-5", "party", "a1", "scope",
	    "all", "from", iso_past, "to", iso_future, NULL);
	assert_int_equal(run(ag, b, EB_ROLE_REGISTRAR, "registrar", &err),
	    EB_OK);
	assert_int_equal(agency(ag, "O-2", &out, &err), EB_OK);
	assert_string_equal(out->name, "agency");
	assert_string_equal(eb_doc_attr(out, "subject"), "O-2");
	assert_string_equal(eb_doc_attr(out, "subject-seq"), "3");
	assert_string_equal(eb_doc_attr(out, "subject-hash"), "ab");
	assert_string_equal(eb_doc_attr(eb_doc_child(out, "representative"),
	    "party"), "a1");
	eb_doc_free(out);
	out = NULL;
	assert_int_equal(run(ag, fx_el(NULL, "suspend-subject", "subject",
	    "O-2", "reason", "review", NULL), EB_ROLE_REGISTRAR, "registrar",
	    &err), EB_OK);
	assert_int_equal(agency(ag, "O-2", &out, &err), EB_ERR_DENIED);
	assert_string_equal(err.reason, "subject-suspended");
	assert_null(out);
	eb_subject_flow.destroy(ag);
	eb_subject_flow.destroy(st);
}

static void
test_admission(void **state)
{
	void *st = registered();
	struct eb_doc *reg2 = reg_requiring("2"), *reg1 = reg_requiring("1");
	struct eb_doc *ev = NULL, *f;
	struct eb_error err;

	(void)state;
	/* no requirement, no subject: untouched */
	assert_int_equal(admit(NULL, NULL, t0, "x", "P-x", NULL, "tender",
	    &ev, &err), EB_OK);
	assert_null(eb_doc_attr(ev, "subject"));
	eb_doc_free(ev);
	assert_int_equal(admit(NULL, reg2, t0, "x", "P-x", NULL, "tender",
	    &ev, &err), EB_ERR_DENIED);
	assert_string_equal(err.reason, "subject-required");
	eb_doc_free(ev);
	assert_int_equal(admit(NULL, reg2, t0, "rep1", "P-1", "O-1", "tender",
	    &ev, &err), EB_ERR_NOTFOUND);
	assert_string_equal(err.reason, "no-such-subject");
	eb_doc_free(ev);
	/* accepted: the reference is written */
	assert_int_equal(admit(st, reg2, t0 + DAY, "rep1", "P-1", "O-1",
	    "tender", &ev, &err), EB_OK);
	assert_string_equal(eb_doc_attr(ev, "subject"), "O-1");
	assert_string_equal(eb_doc_attr(ev, "subject-seq"), "3");
	assert_string_equal(eb_doc_attr(ev, "subject-hash"), "ab");
	eb_doc_free(ev);
	/* a bid for another subject than the sign-up's */
	admit_bound = "O-2";
	assert_int_equal(admit(st, reg2, t0 + DAY, "rep1", "P-1", "O-1",
	    "tender", &ev, &err), EB_ERR_RULE);
	assert_string_equal(err.reason, "subject-mismatch");
	eb_doc_free(ev);
	assert_int_equal(admit(st, NULL, t0 + DAY, "rep1", "P-1", NULL,
	    "tender", &ev, &err), EB_ERR_RULE);
	eb_doc_free(ev);
	admit_bound = "O-1";
	assert_int_equal(admit(st, reg2, t0 + DAY, "rep1", "P-1", "O-1",
	    "tender", &ev, &err), EB_OK);
	admit_bound = NULL;
	eb_doc_free(ev);
	/* another party, another person, another scope */
	assert_int_equal(admit(st, reg2, t0, "rep2", "P-1", "O-1", "tender",
	    &ev, &err), EB_ERR_DENIED);
	assert_string_equal(err.reason, "not-authorised-representative");
	eb_doc_free(ev);
	assert_int_equal(admit(st, reg2, t0, "rep1", "P-2", "O-1", "tender",
	    &ev, &err), EB_ERR_DENIED);
	eb_doc_free(ev);
	assert_int_equal(admit(st, NULL, t0, "rep1", "P-1", "O-1", "sale",
	    &ev, &err), EB_ERR_DENIED);
	assert_string_equal(err.reason, "not-authorised-representative");
	eb_doc_free(ev);
	/* grade 2 held, grade 1 required */
	assert_int_equal(admit(st, reg1, t0, "rep1", "P-1", "O-1", "tender",
	    &ev, &err), EB_ERR_RULE);
	assert_string_equal(err.reason, "qualification-missing");
	eb_doc_free(ev);
	/* the qualification ends before the deadline */
	assert_int_equal(admit(st, reg2, t0 + 20 * DAY, "rep1", "P-1", "O-1",
	    "tender", &ev, &err), EB_ERR_RULE);
	assert_string_equal(err.reason, "qualification-expired");
	eb_doc_free(ev);
	/* an exclusion in force, then lifted on objection */
	f = fx_el(NULL, "record-finding", "subject", "O-1", "kind", "collusion",
	    "sanction", "exclusion", "from", iso_past, "to", iso_future, NULL);
	fx_el(f, "evidence", "aggregate", "T-1", "seq", "4", "hash",
	    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
	    NULL);
	assert_int_equal(run(st, f, EB_ROLE_SUPERVISOR, "supervisor", &err),
	    EB_OK);
	assert_int_equal(admit(st, reg2, t0, "rep1", "P-1", "O-1", "tender",
	    &ev, &err), EB_ERR_DENIED);
	assert_string_equal(err.reason, "subject-excluded");
	eb_doc_free(ev);
	f = fx_el(NULL, "object-to-finding", "subject", "O-1", "finding", "1",
	    NULL);
	eb_doc_add_text(f, "text", "not so");
	assert_int_equal(run(st, f, EB_ROLE_BIDDER, "rep1", &err), EB_OK);
	f = fx_el(NULL, "answer-finding-objection", "subject", "O-1", "finding",
	    "1", "decision", "lifted", NULL);
	eb_doc_add_text(f, "text", "agreed");
	assert_int_equal(run(st, f, EB_ROLE_SUPERVISOR, "supervisor", &err),
	    EB_OK);
	assert_int_equal(admit(st, reg2, t0, "rep1", "P-1", "O-1", "tender",
	    &ev, &err), EB_OK);
	eb_doc_free(ev);
	/* an authorisation is current only within its period */
	assert_int_equal(run(st, fx_el(NULL, "authorise-representative",
	    "subject", "O-1", "person", "P-2", "party", "rep2", "scope", "all",
	    "from", iso_soon, "to", iso_future, NULL), EB_ROLE_REGISTRAR,
	    "registrar", &err), EB_OK);
	assert_int_equal(admit(st, NULL, t0, "rep2", "P-2", "O-1", "sale",
	    &ev, &err), EB_ERR_DENIED);
	assert_string_equal(err.reason, "not-authorised-representative");
	eb_doc_free(ev);
	admit_at = t0 + 11 * DAY;
	assert_int_equal(admit(st, NULL, t0, "rep2", "P-2", "O-1", "sale",
	    &ev, &err), EB_OK);
	admit_at = 0;
	eb_doc_free(ev);
	/* revoked, then suspended */
	assert_int_equal(run(st, fx_el(NULL, "revoke-representative", "subject",
	    "O-1", "party", "rep1", NULL), EB_ROLE_REGISTRAR, "registrar",
	    &err), EB_OK);
	assert_int_equal(admit(st, reg2, t0, "rep1", "P-1", "O-1", "tender",
	    &ev, &err), EB_ERR_DENIED);
	assert_string_equal(err.reason, "not-authorised-representative");
	eb_doc_free(ev);
	assert_int_equal(run(st, fx_el(NULL, "suspend-subject", "subject", "O-1",
	    "reason", "review", NULL), EB_ROLE_REGISTRAR, "registrar", &err),
	    EB_OK);
	assert_int_equal(admit(st, reg2, t0, "rep1", "P-1", "O-1", "tender",
	    &ev, &err), EB_ERR_DENIED);
	assert_string_equal(err.reason, "subject-suspended");
	eb_doc_free(ev);
	eb_doc_free(reg1);
	eb_doc_free(reg2);
	eb_subject_flow.destroy(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_credit_code),
		cmocka_unit_test(test_commands),
		cmocka_unit_test(test_admission),
		cmocka_unit_test(test_agency),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
