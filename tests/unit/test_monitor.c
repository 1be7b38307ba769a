/*
 * tests/unit/test_monitor.c
 *    Process monitoring (engine/core/monitor.h): the tender rules on a
 *    tender's view in China Standard Time calendar days (a period of
 *    exactly 20 days passes, 19 days and 23 hours across a CST midnight
 *    too, 19 calendar days raise), the notice of an amendment, the
 *    network comparison, and the monitor's commands decided and applied
 *    as ebidd does: who may act, one alert per breach and pair, repeated
 *    observations refused, a representative's authorisation against the
 *    award margin, closing with a reason once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "engine/core/monitor.h"
#include "protocol/isotime.h"
#include "tests/unit/flow_fixture.h"

#define DAY (86400 * (int64_t)1000)
#define HOUR (3600 * (int64_t)1000)

static int64_t t0;

static void
set_time(struct eb_doc *d, const char *name, int64_t ms)
{
	char iso[EB_ISOTIME_LEN];

	eb_isotime_format(ms, iso);
	eb_doc_set_attr(d, name, iso);
}

/* A tender's view: announced at 'ann', bid deadline at 'dl'. */
static struct eb_doc *
tender(int64_t ann, int64_t dl)
{
	struct eb_doc *t = eb_doc_new("tender");

	eb_doc_set_attr(t, "id", "T-2026-0001");
	eb_doc_set_attr(t, "state", "bidding");
	set_time(eb_doc_add(t, "announcement"), "at", ann);
	set_time(eb_doc_add(eb_doc_add(t, "registration"), "bid-deadline"),
	    "at", dl);
	return t;
}

static size_t
count_kind(const struct eb_doc *alerts, const char *kind)
{
	const struct eb_doc *a;
	size_t n = 0;

	eb_doc_foreach(a, alerts, NULL)
		if (eb_doc_attr(a, "kind") != NULL &&
		    strcmp(eb_doc_attr(a, "kind"), kind) == 0)
			n++;
	return n;
}

static void
test_tender_rules(void **state)
{
	struct eb_doc *t, *a, *n;

	(void)state;
	/* exactly 20 days: no alert */
	t = tender(t0, t0 + 20 * DAY);
	a = eb_monitor_tender_alerts(t, 20, 15);
	assert_int_equal(eb_doc_count(a, "alert"), 0);
	eb_doc_free(a);
	eb_doc_free(t);
	/* 19 days 23 hours, announced at 23:30 CST, deadline at 22:30 CST
	 * 20 calendar days later: counted in days, no alert */
	t = tender(t0 + 23 * HOUR + 30 * 60000,
	    t0 + 23 * HOUR + 30 * 60000 + 20 * DAY - HOUR);
	a = eb_monitor_tender_alerts(t, 20, 15);
	assert_int_equal(eb_doc_count(a, "alert"), 0);
	eb_doc_free(a);
	eb_doc_free(t);
	/* 19 days: short */
	t = tender(t0, t0 + 19 * DAY);
	a = eb_monitor_tender_alerts(t, 20, 15);
	assert_int_equal(count_kind(a, "short-bidding-period"), 1);
	assert_non_null(strstr(eb_doc_attr(a->first, "detail"), "19 days"));
	eb_doc_free(a);
	/* an amendment 5 days before the (new) deadline */
	n = eb_doc_add(eb_doc_add(t, "notices"), "amendment");
	set_time(n, "at", t0 + 14 * DAY);
	set_time(n, "bid-deadline", t0 + 19 * DAY);
	a = eb_monitor_tender_alerts(t, 20, 15);
	assert_int_equal(count_kind(a, "deadline-moved-without-notice"), 1);
	eb_doc_free(a);
	/* a clarification (no new documents) is not an amendment */
	n = eb_doc_child(t, "notices");
	n = eb_doc_child(n, "amendment");
	eb_doc_detach(n);
	eb_doc_free(n);
	n = eb_doc_add(eb_doc_child(t, "notices"), "clarification");
	set_time(n, "at", t0 + 18 * DAY);
	a = eb_monitor_tender_alerts(t, 20, 15);
	assert_int_equal(count_kind(a, "deadline-moved-without-notice"), 0);
	eb_doc_free(a);
	eb_doc_free(t);
}

static void
test_networks(void **state)
{
	(void)state;
	assert_true(eb_monitor_same_network("10.1.2.3", "10.1.2.200", 24));
	assert_false(eb_monitor_same_network("10.1.2.3", "10.1.3.3", 24));
	assert_true(eb_monitor_same_network("10.1.2.3", "10.1.3.3", 16));
	assert_false(eb_monitor_same_network("10.1.2.3", "10.1.2.4", 32));
	assert_true(eb_monitor_same_network("::1", "::1", 24));
	assert_false(eb_monitor_same_network("::1", "::2", 24));
	assert_false(eb_monitor_same_network("10.1.2", "10.1.2.4", 24));
	assert_false(eb_monitor_same_network(NULL, "10.1.2.4", 24));
}

/* decide + apply as ebidd does; returns decide's code */
static int
run(void *st, struct eb_doc *body, enum eb_role role,
    const struct eb_doc *facts, struct eb_doc **out, struct eb_error *err)
{
	struct eb_cmd cmd;
	int rc;

	memset(&cmd, 0, sizeof(cmd));
	cmd.body = body;
	cmd.actor.role = role;
	snprintf(cmd.actor.party, sizeof(cmd.actor.party), "%s",
	    role == EB_ROLE_SYSTEM ? "ebidd" : "officer");
	cmd.time = t0 + 30 * DAY;
	cmd.facts = facts;
	rc = fx_run(&eb_monitor_flow, st, &cmd, out, err);
	eb_doc_free(body);
	return rc;
}

/* run() by rules version 'rules' (0: the current) */
static int
run_by(void *st, struct eb_doc *body, int rules, struct eb_doc **out,
    struct eb_error *err)
{
	struct eb_cmd cmd;
	int rc;

	memset(&cmd, 0, sizeof(cmd));
	cmd.body = body;
	cmd.actor.role = EB_ROLE_SYSTEM;
	snprintf(cmd.actor.party, sizeof(cmd.actor.party), "ebidd");
	cmd.time = t0 + 30 * DAY;
	cmd.rules = rules;
	rc = fx_run(&eb_monitor_flow, st, &cmd, out, err);
	eb_doc_free(body);
	return rc;
}

static struct eb_doc *
observe(const char *party, const char *role, const char *addr)
{
	struct eb_doc *d = eb_doc_new("observe");

	eb_doc_set_attr(d, "monitor", "M-1");
	eb_doc_set_attr(d, "job", "T-2026-0001");
	eb_doc_set_attr(d, "party", party);
	eb_doc_set_attr(d, "role", role);
	eb_doc_set_attr(d, "address", addr);
	return d;
}

/*
 * Rules version 3: an alert carries its figures as attributes (the desks
 * word them, console.xsl alert-sentence); under version 2 the same
 * command gives the detail alone, so a log of version 2 replays.
 */
static void
test_alert_figures(void **state)
{
	void *m2 = eb_monitor_flow.create("M-1");
	void *m3 = eb_monitor_flow.create("M-1");
	struct eb_doc *ev = NULL, *a, *t;
	struct eb_error err;

	(void)state;
	assert_int_equal(run(m2, eb_doc_new("open-monitor"),
	    EB_ROLE_SUPERVISOR, NULL, NULL, &err), EB_OK);
	assert_int_equal(run(m3, eb_doc_new("open-monitor"),
	    EB_ROLE_SUPERVISOR, NULL, NULL, &err), EB_OK);
	assert_int_equal(run_by(m2, observe("b1", "bidder", "10.0.0.1"), 2,
	    NULL, &err), EB_OK);
	assert_int_equal(run_by(m3, observe("b1", "bidder", "10.0.0.1"), 3,
	    NULL, &err), EB_OK);
	assert_int_equal(run_by(m2, observe("b2", "bidder", "10.0.0.1"), 2,
	    &ev, &err), EB_OK);
	a = eb_doc_child(ev, "alert-raised");
	assert_non_null(a);
	assert_string_equal(eb_doc_attr(a, "detail"),
	    "bidders b1 and b2 from address 10.0.0.1");
	assert_null(eb_doc_attr(a, "party"));
	assert_null(eb_doc_attr(a, "address"));
	eb_doc_free(ev);
	assert_int_equal(run_by(m3, observe("b2", "bidder", "10.0.0.1"), 3,
	    &ev, &err), EB_OK);
	a = eb_doc_child(ev, "alert-raised");
	assert_non_null(a);
	assert_string_equal(eb_doc_attr(a, "detail"),
	    "bidders b1 and b2 from address 10.0.0.1");
	assert_string_equal(eb_doc_attr(a, "party"), "b1");
	assert_string_equal(eb_doc_attr(a, "other-party"), "b2");
	assert_string_equal(eb_doc_attr(a, "address"), "10.0.0.1");
	eb_doc_free(ev);
	/* the view carries them (apply copies the event's attributes) */
	{
		struct eb_actor sup = { .role = EB_ROLE_SUPERVISOR };
		struct eb_doc *v = eb_monitor_flow.view(m3, &sup);

		a = eb_doc_child(v, "alert");
		assert_non_null(a);
		assert_string_equal(eb_doc_attr(a, "other-party"), "b2");
		eb_doc_free(v);
	}
	/* an expert on a bidder's network: expert, bidder, both addresses */
	assert_int_equal(run_by(m3, observe("e1", "expert", "10.0.0.77"), 3,
	    &ev, &err), EB_OK);
	a = eb_doc_child(ev, "alert-raised");
	assert_non_null(a);
	assert_string_equal(eb_doc_attr(a, "party"), "e1");
	assert_string_equal(eb_doc_attr(a, "address"), "10.0.0.77");
	assert_string_equal(eb_doc_attr(a, "other-address"), "10.0.0.1");
	assert_string_equal(eb_doc_attr(a, "subnet-bits"), "24");
	eb_doc_free(ev);
	/* the tender's rules: the days and the days required */
	t = tender(t0, t0 + 10 * DAY);
	a = eb_monitor_tender_alerts(t, 20, 15);
	assert_string_equal(eb_doc_attr(eb_doc_child(a, "alert"), "days"),
	    "10");
	assert_string_equal(eb_doc_attr(eb_doc_child(a, "alert"),
	    "required-days"), "20");
	eb_doc_free(a);
	eb_doc_free(t);
	eb_monitor_flow.destroy(m2);
	eb_monitor_flow.destroy(m3);
}

static void
test_commands(void **state)
{
	void *m = eb_monitor_flow.create("M-1");
	struct eb_doc *b, *ev = NULL, *facts, *v;
	struct eb_error err;

	(void)state;
	assert_int_equal(run(m, observe("b1", "bidder", "10.0.0.1"),
	    EB_ROLE_SYSTEM, NULL, NULL, &err), EB_ERR_NOTFOUND);
	assert_string_equal(err.reason, "no-such-monitor");
	b = eb_doc_new("open-monitor");
	assert_int_equal(run(m, b, EB_ROLE_BIDDER, NULL, NULL, &err),
	    EB_ERR_DENIED);
	b = eb_doc_new("open-monitor");
	eb_doc_set_attr(b, "subnet-bits", "4");
	assert_int_equal(run(m, b, EB_ROLE_SUPERVISOR, NULL, NULL, &err),
	    EB_ERR_FORMAT);
	b = eb_doc_new("open-monitor");
	assert_int_equal(run(m, b, EB_ROLE_SUPERVISOR, NULL, NULL, &err),
	    EB_OK);
	/* observations: only the system; the pair once; repeats refused */
	assert_int_equal(run(m, observe("b1", "bidder", "10.0.0.1"),
	    EB_ROLE_SUPERVISOR, NULL, NULL, &err), EB_ERR_DENIED);
	assert_int_equal(run(m, observe("b1", "bidder", "10.0.0.1"),
	    EB_ROLE_SYSTEM, NULL, &ev, &err), EB_OK);
	assert_int_equal(eb_doc_count(ev, "alert-raised"), 0);
	eb_doc_free(ev);
	assert_int_equal(run(m, observe("b1", "bidder", "10.0.0.1"),
	    EB_ROLE_SYSTEM, NULL, NULL, &err), EB_ERR_CONFLICT);
	assert_string_equal(err.reason, "already-observed");
	assert_int_equal(run(m, observe("b2", "bidder", "10.0.0.1"),
	    EB_ROLE_SYSTEM, NULL, &ev, &err), EB_OK);
	assert_int_equal(count_kind(ev, "same-address"), 1);
	assert_string_equal(eb_doc_attr(eb_doc_child(ev, "alert-raised"),
	    "no"), "1");
	eb_doc_free(ev);
	/* b2 from another address of the same pair: no second alert */
	assert_int_equal(run(m, observe("b2", "bidder", "10.0.0.9"),
	    EB_ROLE_SYSTEM, NULL, &ev, &err), EB_OK);
	assert_int_equal(eb_doc_count(ev, "alert-raised"), 0);
	eb_doc_free(ev);
	/* an expert in the /24 of b1 (and b2): one alert per bidder */
	assert_int_equal(run(m, observe("e1", "expert", "10.0.0.77"),
	    EB_ROLE_SYSTEM, NULL, &ev, &err), EB_OK);
	assert_int_equal(count_kind(ev, "expert-on-bidder-network"), 2);
	eb_doc_free(ev);
	/* a representative authorised until 10 days after the opening,
	 * the award margin 30 days */
	b = observe("b3", "bidder", "10.9.9.9");
	eb_doc_set_attr(b, "subject", "O-1");
	set_time(b, "authorised-until", t0 + 50 * DAY);
	set_time(b, "opening", t0 + 40 * DAY);
	assert_int_equal(run(m, b, EB_ROLE_SYSTEM, NULL, &ev, &err), EB_OK);
	assert_int_equal(count_kind(ev,
	    "authorisation-expires-before-award"), 1);
	eb_doc_free(ev);
	b = observe("b4", "bidder", "10.9.8.9");
	eb_doc_set_attr(b, "subject", "O-2");
	set_time(b, "authorised-until", t0 + 71 * DAY);
	set_time(b, "opening", t0 + 40 * DAY);
	assert_int_equal(run(m, b, EB_ROLE_SYSTEM, NULL, &ev, &err), EB_OK);
	assert_int_equal(eb_doc_count(ev, "alert-raised"), 0);
	eb_doc_free(ev);
	/* check-tender on the facts: once per breach */
	facts = tender(t0, t0 + 10 * DAY);
	eb_doc_set_attr(facts, "head-seq", "4");
	eb_doc_set_attr(facts, "head-hash", "00");
	b = eb_doc_new("check-tender");
	eb_doc_set_attr(b, "job", "T-2026-0001");
	assert_int_equal(run(m, b, EB_ROLE_SUPERVISOR, facts, &ev, &err),
	    EB_OK);
	assert_int_equal(count_kind(ev, "short-bidding-period"), 1);
	assert_string_equal(eb_doc_attr(eb_doc_child(ev, "tender-checked"),
	    "tender-seq"), "4");
	eb_doc_free(ev);
	b = eb_doc_new("check-tender");
	eb_doc_set_attr(b, "job", "T-2026-0001");
	assert_int_equal(run(m, b, EB_ROLE_SYSTEM, facts, &ev, &err), EB_OK);
	assert_int_equal(eb_doc_count(ev, "alert-raised"), 0);
	assert_string_equal(eb_doc_attr(eb_doc_child(ev, "tender-checked"),
	    "alerts"), "0");
	eb_doc_free(ev);
	b = eb_doc_new("check-tender");
	eb_doc_set_attr(b, "job", "T-2026-0002");
	assert_int_equal(run(m, b, EB_ROLE_SUPERVISOR, facts, NULL, &err),
	    EB_ERR_NOTFOUND);
	eb_doc_free(facts);
	/* closing: a reason, the supervisor, once */
	b = eb_doc_new("close-alert");
	eb_doc_set_attr(b, "alert", "1");
	assert_int_equal(run(m, b, EB_ROLE_SUPERVISOR, NULL, NULL, &err),
	    EB_ERR_FORMAT);
	b = eb_doc_new("close-alert");
	eb_doc_set_attr(b, "alert", "1");
	eb_doc_add_text(b, "reason", "Referred.");
	assert_int_equal(run(m, b, EB_ROLE_SUPERVISOR, NULL, NULL, &err),
	    EB_OK);
	b = eb_doc_new("close-alert");
	eb_doc_set_attr(b, "alert", "1");
	eb_doc_add_text(b, "reason", "Again.");
	assert_int_equal(run(m, b, EB_ROLE_SUPERVISOR, NULL, NULL, &err),
	    EB_ERR_STATE);
	assert_string_equal(err.reason, "alert-closed");
	/* the view: officers see the alerts, a bidder the rules only */
	{
		struct eb_actor sup = { .role = EB_ROLE_SUPERVISOR };
		struct eb_actor bid = { .role = EB_ROLE_BIDDER };

		v = eb_monitor_flow.view(m, &sup);
		assert_int_equal(eb_doc_count(v, "alert"), 5);
		assert_string_equal(eb_doc_attr(eb_doc_child(v, "alert"),
		    "status"), "closed");
		assert_string_equal(eb_doc_child_text(eb_doc_child(v, "alert"),
		    "reason"), "Referred.");
		eb_doc_free(v);
		v = eb_monitor_flow.view(m, &bid);
		assert_int_equal(eb_doc_count(v, "alert"), 0);
		assert_string_equal(eb_doc_attr(v, "min-bidding-days"), "20");
		eb_doc_free(v);
	}
	eb_monitor_flow.destroy(m);
}

static int
setup(void **state)
{
	(void)state;
	/* 2026-03-01 00:00 CST */
	assert_int_equal(eb_isotime_parse("2026-02-28T16:00:00.000Z", &t0),
	    0);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tender_rules),
		cmocka_unit_test(test_networks),
		cmocka_unit_test(test_commands),
		cmocka_unit_test(test_alert_figures),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
