/*
 * tests/unit/test_tender_table.c
 *    The transition table, exhaustively: for every state x command x role
 *    a tender is driven to the state by a real command path
 *    (tender_fixture.h), the command is issued with a minimal valid body
 *    by the role's natural actor, and:
 *      - allowed by the table (state and role in the row's masks): it
 *        succeeds, or fails only on a guard named in 'named_guards';
 *        after it the state is the row's target (or alternative, or the
 *        state it was stopped from) and every required record is there;
 *      - otherwise: EB_ERR_STATE "not-allowed-in-state" (state not in the
 *        mask; the detail names state, command and what is allowed now)
 *        or EB_ERR_DENIED "role-not-allowed", and the canonical view is
 *        byte-identical.
 *    Also: every state is reached, every row succeeds somewhere, and the
 *    table's masks are well-formed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "tests/unit/tender_fixture.h"

/* Guards an allowed command may legitimately fail on in the fixture's
 * standard situation (the clock has not reached the timer, the committee
 * is not complete...). */
static const struct {
	const char *command;
	const char *reason;
} named_guards[] = {
	{ "deadline-reached", "deadline-not-reached" },
	{ "open-bids", "shares-missing" },
	{ "publicity-ended", "publicity-not-over" },
	{ "close-evaluation", "committee-incomplete" },
	{ "publish-candidates", "report-not-signed" },
	{ "sign-report", "already-signed" },
	{ "draw-experts", "committee-size-mismatch" },
	{ "accept-appointment", "already-answered" },
	{ "decline-appointment", "already-answered" },
	{ "explain-deviation", "no-score-sheet" },
	{ "explain-deviation", "no-deviation-alert" },
};

static int
named(const char *command, const char *reason)
{
	size_t i;

	for (i = 0; i < sizeof(named_guards) / sizeof(named_guards[0]); i++)
		if (strcmp(named_guards[i].command, command) == 0 &&
		    strcmp(named_guards[i].reason, reason) == 0)
			return 1;
	return 0;
}

static void
test_every_state_is_reached(void **state)
{
	size_t s;
	struct fx f;

	(void)state;
	for (s = 0; s < eb_tender_state_count(); s++) {
		struct eb_error err;

		fx_init(&f);
		fx_goto(&f, (enum eb_tender_state)s);
		assert_int_equal(eb_tender_state(f.t), s);
		assert_string_equal(eb_tender_flow.state_name(f.t),
		    eb_tender_state_name(s));
		assert_int_equal(eb_tender_check_records(f.t, &err), EB_OK);
		fx_free(&f);
	}
}

static void
test_table_well_formed(void **state)
{
	size_t i, j;

	(void)state;
	assert_int_equal(eb_tender_row_count(), 38);
	for (i = 0; i < eb_tender_row_count(); i++) {
		int to = eb_tender_row_to(i);

		assert_true(eb_tender_row_roles(i) != 0);
		assert_true(eb_tender_row_states(i) != 0);
		assert_true((eb_tender_row_states(i) >> EB_TS_COUNT) == 0);
		assert_true((eb_tender_row_duty_roles(i) &
		    ~eb_tender_row_roles(i)) == 0);
		assert_true(to == EB_TS_KEEP || to == EB_TS_BACK ||
		    (to >= 0 && to < EB_TS_COUNT));
		assert_true(eb_tender_flow.handles(eb_tender_row_command(i)));
		for (j = i + 1; j < eb_tender_row_count(); j++)
			assert_string_not_equal(eb_tender_row_command(i),
			    eb_tender_row_command(j));
		/* no role holds power in a terminal state */
		assert_true((eb_tender_row_states(i) &
		    (EB_TS_BIT(EB_TS_CLOSED) | EB_TS_BIT(EB_TS_FAILED) |
		    EB_TS_BIT(EB_TS_CANCELLED))) == 0);
		/* the auditor changes nothing */
		assert_true((eb_tender_row_roles(i) &
		    EB_ROLE_BIT(EB_ROLE_AUDITOR)) == 0);
	}
	assert_false(eb_tender_flow.handles("register-sale"));
}

/* The state a successful row may lead to from 'from' (BACK: the state
 * the fixture stopped in, which is bidding for suspended/cancelling). */
static int
target_ok(size_t row, int from, int now)
{
	int to = eb_tender_row_to(row), alt = eb_tender_row_alt(row);

	if (to == EB_TS_KEEP)
		return now == from;
	if (to == EB_TS_BACK)
		return now == EB_TS_BIDDING;
	return now == to || now == alt || (alt == EB_TS_KEEP && now == from);
}

static void
test_every_state_command_role(void **state)
{
	size_t s, i, nrole;
	size_t ok = 0, guarded = 0, refused_state = 0, refused_role = 0;
	unsigned row_ok[64] = { 0 };

	(void)state;
	/* the states, then evaluation once more with the committee ready,
	 * then evaluated once more with the committee report signed */
	for (s = 0; s <= eb_tender_state_count() + 1; s++)
	for (i = 0; i < eb_tender_row_count(); i++)
	for (nrole = 1; nrole < EB_ROLE_COUNT; nrole++) {
		size_t st = s < eb_tender_state_count() ? s :
		    s == eb_tender_state_count() ? EB_TS_EVALUATION :
		    EB_TS_EVALUATED;
		enum eb_role role = (enum eb_role)nrole;
		const char *cmd = eb_tender_row_command(i);
		int in_state = (eb_tender_row_states(i) >> st) & 1;
		int in_role = (eb_tender_row_roles(i) >> role) & 1;
		struct eb_actor a;
		struct fx f;
		char *before, *after, want[160];
		const char *timer = NULL;
		int64_t at = 0;
		int rc;

		fx_init(&f);
		if (s == eb_tender_state_count())
			fx_goto_n(&f, EB_TS_EVALUATION, 4, 1);
		else if (s == eb_tender_state_count() + 1) {
			char p[16];
			size_t k;

			fx_goto(&f, EB_TS_EVALUATED);
			for (k = 0; fx_member(&f, "accepted", k, p) != NULL; k++)
				fx_step(&f, fx_party(EB_ROLE_EXPERT, p),
				    fx_min_body(&f, "sign-report"));
		} else
			fx_goto(&f, (enum eb_tender_state)s);
		/* a timed command comes when its timer is due, as ebidd
		 * submits it */
		if (eb_tender_flow.next_timer(f.t, &at, &timer) &&
		    strcmp(timer, cmd) == 0)
			f.now = at;
		a = fx_natural(&f, role, cmd);
		before = fx_canon(&f);
		rc = fx_do(&f, &a, fx_min_body(&f, cmd));
		if (in_state && in_role) {
			if (rc == EB_OK) {
				ok++;
				row_ok[i] = 1;
				if (!target_ok(i, (int)st, eb_tender_state(f.t)))
					fail_msg("%s in %s by %s led to %s", cmd,
					    eb_tender_state_name(st),
					    eb_role_name(role),
					    eb_tender_state_name(
					    eb_tender_state(f.t)));
				assert_int_equal(eb_tender_check_records(f.t,
				    &f.err), EB_OK);
			} else {
				if (!named(cmd, f.err.reason))
					fail_msg("%s in %s by %s refused: %s %s",
					    cmd, eb_tender_state_name(st),
					    eb_role_name(role), f.err.reason,
					    f.err.primary);
				print_message("named guard: %s in %s by %s: %s\n",
				    cmd, eb_tender_state_name(st),
				    eb_role_name(role), f.err.reason);
				guarded++;
			}
		} else {
			if (!in_state) {
				assert_int_equal(rc, EB_ERR_STATE);
				assert_string_equal(f.err.reason,
				    "not-allowed-in-state");
				snprintf(want, sizeof(want),
				    "state=%s command=%s",
				    eb_tender_state_name(st), cmd);
				assert_non_null(strstr(f.err.detail, want));
				assert_non_null(strstr(f.err.detail,
				    "allowed-now: "));
				refused_state++;
			} else {
				assert_int_equal(rc, EB_ERR_DENIED);
				assert_string_equal(f.err.reason,
				    "role-not-allowed");
				refused_role++;
			}
		}
		if (rc != EB_OK) {
			after = fx_canon(&f);
			assert_string_equal(before, after);
			free(after);
		}
		free(before);
		fx_free(&f);
	}
	/* explain-deviation needs a flagged score, which the standard
	 * situation has not: it succeeds in tests/integration/test_rules.sh
	 * (issue 14 point 3), here it must fail on its named guards only */
	for (i = 0; i < eb_tender_row_count(); i++)
		if (!row_ok[i] && strcmp(eb_tender_row_command(i),
		    "explain-deviation") != 0)
			fail_msg("row %s never succeeded", eb_tender_row_command(i));
	print_message("state x command x role: %zu succeeded, %zu named "
	    "guards, %zu refused for state, %zu for role\n", ok, guarded,
	    refused_state, refused_role);
	assert_int_equal(ok + guarded + refused_state + refused_role,
	    (eb_tender_state_count() + 2) * eb_tender_row_count() *
	    (EB_ROLE_COUNT - 1));
}

/* The "allowed now" list in a refusal is the table's list for the role. */
static void
test_refusal_lists_allowed_now(void **state)
{
	struct fx f;
	struct eb_actor b = fx_party(EB_ROLE_BIDDER, "b1");
	struct eb_actor reg = FX_REG;

	(void)state;
	fx_init(&f);
	fx_goto(&f, EB_TS_BIDDING);
	assert_int_equal(fx_do(&f, &b, eb_doc_new("raise-objection")),
	    EB_ERR_STATE);
	assert_string_equal(f.err.detail, "state=bidding "
	    "command=raise-objection role=bidder allowed-now: sign-up "
	    "submit-bid withdraw-bid");
	assert_int_equal(fx_do(&f, &reg, eb_doc_new("close-tender")),
	    EB_ERR_STATE);
	assert_string_equal(f.err.detail, "state=bidding "
	    "command=close-tender role=registrar allowed-now: "
	    "confirm-sign-up reject-sign-up");
	fx_free(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_well_formed),
		cmocka_unit_test(test_every_state_is_reached),
		cmocka_unit_test(test_refusal_lists_allowed_now),
		cmocka_unit_test(test_every_state_command_role),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
