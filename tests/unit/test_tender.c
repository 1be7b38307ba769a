/*
 * tests/unit/test_tender.c
 *    The tender flow by scenario: a whole path, a returned registration,
 *    a rejected sign-up, a late amendment moving the deadline, an
 *    objection during publicity, failed tenders, cancellation with its
 *    countersignature, separation of duties, the deadline, views by role,
 *    timers, suspension, and the rights-and-duties notice.
 *    Expected instants are computed by hand from the fixture's dates
 *    (tender_fixture.h: T0 = 2026-01-01T00:00:00Z, deadline T0+30d,
 *    opening deadline+1h, notice 15 d, publicity 3 d).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "tests/unit/tender_fixture.h"
#include "engine/core/tender_int.h"

static char *
canon(const struct eb_doc *d)
{
	struct eb_buf b = EB_BUF_INIT;
	size_t n;
	char *s;

	assert_int_equal(eb_doc_serialize(d, &b), EB_OK);
	s = (char *)eb_buf_steal(&b, &n);
	return s;
}

static struct eb_doc *
view_as(const struct fx *f, struct eb_actor a)
{
	/* view() reads the actor and returns a new tree that does not keep it */
	// cppcheck-suppress returnDanglingLifetime
	return eb_tender_flow.view(f->t, &a);
}

static const char *
path_attr(const struct eb_doc *d, const char *path, const char *attr)
{
	const struct eb_doc *x = eb_doc_path(d, path);

	return x != NULL ? eb_doc_attr(x, attr) : NULL;
}

static void
test_whole_path_and_replay(void **state)
{
	struct fx f, g;
	struct eb_doc *v, *rec;
	struct eb_error err;
	char *a, *b;
	int64_t at;
	const char *nm;

	(void)state;
	fx_init(&f);
	fx_goto(&f, EB_TS_CLOSED);
	assert_int_equal(eb_tender_state(f.t), EB_TS_CLOSED);
	assert_int_equal(eb_tender_check_records(f.t, &err), EB_OK);
	assert_int_equal(eb_tender_flow.next_timer(f.t, &at, &nm), 0);
	v = view_as(&f, fx_party(EB_ROLE_BIDDER, "b3"));
	assert_string_equal(eb_doc_attr(v, "state"), "closed");
	assert_string_equal(eb_doc_attr(v, "stage"), "confirmation");
	/* totals (price 30 x 900,000,000 / price + mean of tech):
	 * b1 30 + 61 = 91; b2 29.43420909 + 66 = 95.43420909;
	 * b3 29.00107411 + 51 = 80.00107411; b4 28.16313758 + 56 =
	 * 84.16313758: candidates b2, b1, b4, the award to b2 */
	assert_string_equal(path_attr(v, "award", "bidder"), "b2");
	assert_string_equal(path_attr(v, "award", "rank"), "1");
	rec = eb_doc_child(v, "verification-record");
	assert_non_null(rec);
	/* the record lists every step before verify-process: 1 register +
	 * 1 accept + 1 announce + 5 sign-ups + 4 confirmations + 1 key +
	 * 4 bids + 1 deadline + 2 shares + 1 opening + 1 clearing + 1 draw
	 * request + 1 draw + 3 accepts + 3 score sheets + 1 close +
	 * 3 report signatures + 1 publish + 1 publicity end = 36 */
	assert_string_equal(eb_doc_attr(rec, "steps"), "36");
	/* a bidder sees the record, not its steps (who signed up, who
	 * objected: docs/tender-flow.md, "Who sees what") */
	assert_int_equal(eb_doc_count(rec, "step"), 0);
	/* the committee is public once the result is */
	assert_non_null(eb_doc_child(v, "committee"));
	eb_doc_free(v);
	v = view_as(&f, FX_SUP);
	rec = eb_doc_child(v, "verification-record");
	assert_int_equal(eb_doc_count(rec, "step"), 36);
	assert_string_equal(eb_doc_attr(eb_doc_child(rec, "step"), "event"),
	    "tender-registered");
	eb_doc_free(v);

	/* replay: the same events into a fresh tender, the same state */
	fx_init(&g);
	assert_int_equal(eb_tender_flow.apply(g.t, f.log, &err), EB_OK);
	a = fx_canon(&f);
	b = fx_canon(&g);
	assert_string_equal(a, b);
	free(a);
	free(b);
	fx_free(&g);
	fx_free(&f);
}

/*
 * A tender in lots (issue 14 point 4): the fixture's bids priced in lots
 * A and B, b1 offering 10 % off B if it wins A; award="lowest-total".
 * Scores as test_whole_path_and_replay (b1 61, b2 66, b3 51, b4 56),
 * price 30 x the lot's lowest price / price:
 *   lot A (b1 350, b2 340, b3 380, b4 400 million): b2 96, b1 90.14,
 *     b4 81.5, b3 77.84 -> candidates b2 b1 b4
 *   lot B (b1 550, b2 577.3, b3 551, b4 558.7 million): b2 94.58, b1 91,
 *     b4 85.53, b3 80.95 -> candidates b2 b1 b4
 *   each lot to its first: b2 + b2 = 917,300,000 fen; b1 + b1 = 350 +
 *   550 - 55 (its 10 %) = 845,000,000, the least: both lots go to b1,
 *   the second candidate of each.
 * One issue-award per lot, to the plan's bidder, once; the last one
 * makes the tender awarded; a replay gives the same state.
 */
static void
test_lots_award_plan(void **state)
{
	struct fx f, g;
	struct eb_doc *v, *b;
	struct eb_error err;
	const struct eb_doc *plan, *c;
	struct eb_actor ver = FX_VER;
	char *x, *y;
	int nlot = 0;

	(void)state;
	fx_init(&f);
	f.lots = 1;
	fx_goto(&f, EB_TS_VERIFIED);
	v = fx_sysview(&f);
	plan = eb_doc_path(v, "result/evaluation-result/award-plan");
	assert_non_null(plan);
	assert_string_equal(eb_doc_attr(plan, "basis"), "lowest-total");
	assert_string_equal(eb_doc_attr(plan, "cost"), "845000000");
	assert_string_equal(eb_doc_attr(plan, "separate-cost"), "917300000");
	assert_string_equal(fx_first_attr(v, "result/evaluation-result/"
	    "award-plan", "award", "lot", "B", "discount"), "55000000");
	assert_string_equal(fx_first_attr(v, "result/evaluation-result/"
	    "award-plan", "award", "lot", "A", "bidder"), "b1");
	assert_string_equal(fx_first_attr(v, "result/evaluation-result/"
	    "award-plan", "award", "lot", "B", "position"), "2");
	/* the published candidates: each lot's, with its lot */
	eb_doc_foreach(c, eb_doc_child(v, "result"), "candidate")
		if (eb_doc_attr(c, "lot") != NULL)
			nlot++;
	assert_int_equal(nlot, 6);
	eb_doc_free(v);

	b = fx_with_attr("issue-award", "bidder", "b2");
	eb_doc_add_text(b, "justification", "Ranked first in lot A.");
	eb_doc_set_attr(b, "lot", "A");
	assert_int_equal(fx_do(&f, &ver, b), EB_ERR_RULE);
	assert_string_equal(f.err.reason, "not-the-lot-awardee");
	b = fx_with_attr("issue-award", "bidder", "b1");
	eb_doc_add_text(b, "justification", "Lowest total cost.");
	assert_int_equal(fx_do(&f, &ver, b), EB_ERR_FORMAT);
	b = fx_with_attr("issue-award", "bidder", "b1");
	eb_doc_add_text(b, "justification", "Lowest total cost.");
	eb_doc_set_attr(b, "lot", "C");
	assert_int_equal(fx_do(&f, &ver, b), EB_ERR_RULE);
	assert_string_equal(f.err.reason, "not-an-award-lot");
	b = fx_with_attr("issue-award", "bidder", "b1");
	eb_doc_add_text(b, "justification", "Lowest total cost.");
	eb_doc_set_attr(b, "lot", "A");
	fx_must(&f, &ver, b);
	assert_int_equal(eb_tender_state(f.t), EB_TS_VERIFIED);
	b = fx_with_attr("issue-award", "bidder", "b1");
	eb_doc_add_text(b, "justification", "Again.");
	eb_doc_set_attr(b, "lot", "A");
	assert_int_equal(fx_do(&f, &ver, b), EB_ERR_CONFLICT);
	assert_string_equal(f.err.reason, "lot-already-awarded");
	b = fx_with_attr("issue-award", "bidder", "b1");
	eb_doc_add_text(b, "justification", "Lowest total cost, 10 % off.");
	eb_doc_set_attr(b, "lot", "B");
	fx_must(&f, &ver, b);
	assert_int_equal(eb_tender_state(f.t), EB_TS_AWARDED);
	assert_int_equal(eb_tender_check_records(f.t, &err), EB_OK);
	v = fx_sysview(&f);
	assert_string_equal(fx_first_attr(v, "award", "lot-award", "lot", "B",
	    "cost"), "495000000");
	assert_string_equal(fx_first_attr(v, "award", "lot-award", "lot", "B",
	    "discount"), "55000000");
	eb_doc_free(v);
	fx_step(&f, FX_SUP, eb_doc_new("close-tender"));

	fx_init(&g);
	assert_int_equal(eb_tender_flow.apply(g.t, f.log, &err), EB_OK);
	x = fx_canon(&f);
	y = fx_canon(&g);
	assert_string_equal(x, y);
	free(x);
	free(y);
	fx_free(&g);
	fx_free(&f);
}

static void
test_returned_registration(void **state)
{
	struct fx f;
	struct eb_actor reg = FX_REG, ten = FX_TEN;
	struct eb_actor other = fx_party(EB_ROLE_TENDERER, "ten2");
	struct eb_doc *v;

	(void)state;
	fx_init(&f);
	fx_step(&f, ten, fx_registration("register-tender", FX_DEADLINE));
	/* no reason, no return */
	assert_int_equal(fx_do(&f, &reg, eb_doc_new("return-registration")),
	    EB_ERR_RULE);
	assert_string_equal(f.err.reason, "reasons-required");
	assert_int_equal(fx_do(&f, &reg, fx_reasoned("return-registration",
	    "Qualification list missing the safety licence.")), EB_OK);
	assert_int_equal(eb_tender_state(f.t), EB_TS_RETURNED);
	v = view_as(&f, ten);
	assert_string_equal(eb_doc_text(eb_doc_path(v, "returns/return/reason")),
	    "Qualification list missing the safety licence.");
	eb_doc_free(v);
	/* the public does not see a returned registration */
	v = view_as(&f, fx_party(EB_ROLE_BIDDER, "b1"));
	assert_null(eb_doc_child(v, "registration"));
	assert_null(eb_doc_child(v, "returns"));
	eb_doc_free(v);
	/* accepting a returned registration is out of order */
	assert_int_equal(fx_do(&f, &reg, eb_doc_new("accept-registration")),
	    EB_ERR_STATE);
	/* another tenderer cannot resubmit it */
	assert_int_equal(fx_do(&f, &other, fx_registration(
	    "resubmit-registration", FX_DEADLINE)), EB_ERR_DENIED);
	assert_string_equal(f.err.reason, "not-your-tender");
	assert_int_equal(fx_do(&f, &ten, fx_registration(
	    "resubmit-registration", FX_DEADLINE + FX_DAY)), EB_OK);
	assert_int_equal(eb_tender_state(f.t), EB_TS_SUBMITTED);
	v = view_as(&f, reg);
	assert_string_equal(path_attr(v, "registration/bid-deadline", "at"),
	    "2026-02-01T00:00:00.000Z");
	eb_doc_free(v);
	fx_step(&f, reg, eb_doc_new("accept-registration"));
	assert_int_equal(eb_tender_state(f.t), EB_TS_ACCEPTED);
	fx_free(&f);
}

static void
test_registration_rules(void **state)
{
	struct fx f;
	struct eb_actor ten = FX_TEN;
	struct eb_doc *b;

	(void)state;
	fx_init(&f);
	b = fx_registration("register-tender", FX_DEADLINE);
	eb_doc_set_text(eb_doc_child(b, "committee-size"), "4");
	assert_int_equal(fx_do(&f, &ten, b), EB_ERR_RULE);
	assert_string_equal(f.err.reason, "committee-size-invalid");
	b = fx_registration("register-tender", FX_DEADLINE);
	eb_doc_set_attr(eb_doc_child(b, "custodians"), "threshold", "4");
	assert_int_equal(fx_do(&f, &ten, b), EB_ERR_RULE);
	assert_string_equal(f.err.reason, "custodian-threshold-invalid");
	b = fx_registration("register-tender", FX_T0);
	assert_int_equal(fx_do(&f, &ten, b), EB_ERR_RULE);
	assert_string_equal(f.err.reason, "deadline-passed");
	b = fx_registration("register-tender", FX_DEADLINE);
	{
		struct eb_doc *rules = eb_doc_child(b, "rules");

		eb_doc_detach(rules);
		eb_doc_free(rules);
	}
	assert_int_equal(fx_do(&f, &ten, b), EB_ERR_FORMAT);
	assert_int_equal(eb_tender_state(f.t), EB_TS_NEW);
	fx_free(&f);
}

static void
test_rejected_sign_up(void **state)
{
	struct fx f;
	struct eb_actor reg = FX_REG;
	struct eb_actor b5 = fx_party(EB_ROLE_BIDDER, "b5");
	struct eb_doc *v;

	(void)state;
	fx_init(&f);
	fx_goto(&f, EB_TS_BIDDING);
	assert_int_equal(fx_do(&f, &reg, fx_with_attr("reject-sign-up",
	    "bidder", "b5")), EB_ERR_RULE);
	assert_string_equal(f.err.reason, "reasons-required");
	assert_int_equal(fx_do(&f, &b5, fx_bid_body("b5")), EB_ERR_RULE);
	assert_string_equal(f.err.reason, "sign-up-not-confirmed");
	{
		struct eb_doc *b = fx_with_attr("reject-sign-up", "bidder", "b5");

		eb_doc_add_text(b, "reason", "Licence expired on 2025-12-01.");
		assert_int_equal(fx_do(&f, &reg, b), EB_OK);
	}
	v = view_as(&f, b5);
	assert_string_equal(path_attr(v, "sign-ups/sign-up", "status"),
	    "rejected");
	assert_string_equal(eb_doc_text(eb_doc_path(v,
	    "sign-ups/sign-up/decision/reason")),
	    "Licence expired on 2025-12-01.");
	/* a bidder sees its own sign-up only */
	assert_int_equal(eb_doc_count(eb_doc_child(v, "sign-ups"), NULL), 1);
	eb_doc_free(v);
	assert_int_equal(fx_do(&f, &b5, fx_bid_body("b5")), EB_ERR_RULE);
	assert_string_equal(f.err.reason, "sign-up-not-confirmed");
	/* deciding twice is refused; signing up again is allowed */
	assert_int_equal(fx_do(&f, &reg, fx_with_attr("confirm-sign-up",
	    "bidder", "b5")), EB_ERR_RULE);
	assert_string_equal(f.err.reason, "sign-up-not-pending");
	assert_int_equal(fx_do(&f, &b5, eb_doc_new("sign-up")), EB_OK);
	assert_int_equal(fx_do(&f, &reg, fx_with_attr("confirm-sign-up",
	    "bidder", "b5")), EB_OK);
	assert_int_equal(fx_do(&f, &b5, fx_bid_body("b5")), EB_OK);
	fx_free(&f);
}

static void
test_late_amendment_moves_deadline(void **state)
{
	struct fx f;
	struct eb_actor ten = FX_TEN;
	struct eb_doc *v;
	int64_t at;
	const char *nm;

	(void)state;
	fx_init(&f);
	fx_goto(&f, EB_TS_BIDDING);
	/* 28 days before the deadline: more than the 15-day notice */
	assert_int_equal(fx_do(&f, &ten, fx_amend()), EB_OK);
	assert_int_equal(eb_tender_flow.next_timer(f.t, &at, &nm), 1);
	assert_true(at == FX_DEADLINE);
	/* 2026-01-21T12:00Z, 10.5 days before the deadline of
	 * 2026-01-31T00:00Z: the deadline moves to 21 Jan 12:00 + 15 d =
	 * 2026-02-05T12:00:00Z, the opening keeps its hour after it */
	f.now = FX_T0 + 20 * FX_DAY + 12 * FX_HOUR;
	assert_int_equal(fx_do(&f, &ten, fx_amend()), EB_OK);
	v = view_as(&f, fx_party(EB_ROLE_BIDDER, "b1"));
	assert_string_equal(path_attr(v, "registration/bid-deadline", "at"),
	    "2026-02-05T12:00:00.000Z");
	assert_string_equal(path_attr(v, "registration/opening-time", "at"),
	    "2026-02-05T13:00:00.000Z");
	assert_string_equal(eb_doc_attr(eb_doc_child(v, "notices")->last,
	    "deadline-moved"), "true");
	eb_doc_free(v);
	assert_int_equal(eb_tender_flow.next_timer(f.t, &at, &nm), 1);
	assert_string_equal(nm, "deadline-reached");
	assert_true(at == FX_T0 + 35 * FX_DAY + 12 * FX_HOUR);
	/* a bid at the old deadline is now in time */
	f.now = FX_DEADLINE;
	{
		struct eb_actor b1 = fx_party(EB_ROLE_BIDDER, "b1");

		assert_int_equal(fx_do(&f, &b1, fx_bid_body("b1")), EB_OK);
	}
	fx_free(&f);
}

/*
 * A large bid (docs/bigbids.md): submit-bid names its stored envelope by
 * SHA-256 and size; the event records them (envelope-stored), the state
 * keeps the hash; a malformed reference is refused and changes nothing.
 */
static void
test_stored_envelope_bid(void **state)
{
	static const char sha[] =
	    "6d0f6c3c1d3ab5a27f0e4e2ed7d4c1f5a2c33c0b1f0d8a2e9c5b7a6d4e3f2a10";
	struct fx f;
	struct eb_actor b1 = fx_party(EB_ROLE_BIDDER, "b1");
	struct eb_doc *b, *ref, *ev;
	char hex[EB_SHA256_HEX], *before, *after;

	(void)state;
	fx_init(&f);
	fx_goto(&f, EB_TS_BIDDING);
	f.now = FX_DEADLINE - 1;
	fx_hex("large-b1", hex);
	b = eb_doc_new("submit-bid");
	ref = eb_doc_add(b, "envelope-ref");
	eb_doc_set_attr(ref, "sha256", sha);
	eb_doc_set_attr(ref, "size", "200056027");
	eb_doc_add_text(b, "commitment", hex);
	assert_int_equal(fx_do(&f, &b1, b), EB_OK);
	ev = f.log->last;
	assert_string_equal(ev->name, "bid-submitted");
	assert_string_equal(eb_doc_attr(ev, "envelope-sha256"), sha);
	assert_string_equal(eb_doc_attr(ev, "envelope-size"), "200056027");
	assert_string_equal(eb_doc_attr(ev, "envelope-stored"), "true");
	assert_null(eb_doc_attr(ev, "envelope-chars"));
	before = fx_canon(&f);
	assert_non_null(strstr(before, sha));
	/* a reference without a size, or with a bad hash: refused */
	b = eb_doc_new("submit-bid");
	eb_doc_set_attr(eb_doc_add(b, "envelope-ref"), "sha256", sha);
	eb_doc_add_text(b, "commitment", hex);
	assert_int_equal(fx_do(&f, &b1, b), EB_ERR_FORMAT);
	assert_string_equal(f.err.reason, "missing-field");
	b = eb_doc_new("submit-bid");
	ref = eb_doc_add(b, "envelope-ref");
	eb_doc_set_attr(ref, "sha256", "XYZ");
	eb_doc_set_attr(ref, "size", "10");
	eb_doc_add_text(b, "commitment", hex);
	assert_int_equal(fx_do(&f, &b1, b), EB_ERR_FORMAT);
	after = fx_canon(&f);
	assert_string_equal(before, after);
	free(before);
	free(after);
	fx_free(&f);
}

static void
test_bid_deadline(void **state)
{
	struct fx f;
	struct eb_actor b1 = fx_party(EB_ROLE_BIDDER, "b1");
	struct eb_actor sys = FX_SYS;
	char *before, *after;

	(void)state;
	fx_init(&f);
	fx_goto(&f, EB_TS_BIDDING);
	f.now = FX_DEADLINE - 1;
	assert_int_equal(fx_do(&f, &b1, fx_bid_body("b1")), EB_OK);
	assert_int_equal(fx_do(&f, &sys, eb_doc_new("deadline-reached")),
	    EB_ERR_RULE);
	assert_string_equal(f.err.reason, "deadline-not-reached");
	f.now = FX_DEADLINE;
	before = fx_canon(&f);
	assert_int_equal(fx_do(&f, &b1, fx_bid_body("b1")), EB_ERR_RULE);
	assert_string_equal(f.err.reason, "deadline-passed");
	assert_int_equal(fx_do(&f, &b1, eb_doc_new("withdraw-bid")),
	    EB_ERR_RULE);
	after = fx_canon(&f);
	assert_string_equal(before, after);
	free(before);
	free(after);
	fx_step(&f, sys, eb_doc_new("deadline-reached"));
	assert_int_equal(eb_tender_state(f.t), EB_TS_AWAITING_OPENING);
	assert_int_equal(fx_do(&f, &b1, fx_bid_body("b1")), EB_ERR_STATE);
	assert_string_equal(f.err.reason, "not-allowed-in-state");
	fx_free(&f);
}

static void
test_objection_during_publicity(void **state)
{
	struct fx f;
	struct eb_actor b2 = fx_party(EB_ROLE_BIDDER, "b2");
	struct eb_actor b6 = fx_party(EB_ROLE_BIDDER, "b6");
	struct eb_actor sup = FX_SUP, sys = FX_SYS;
	struct eb_doc *v, *d;
	int64_t at, raised, pub_end = FX_OPENING + 4 * FX_DAY;
	const char *nm;
	char *s;

	(void)state;
	fx_init(&f);
	fx_goto(&f, EB_TS_PUBLICITY);
	/* published at opening + 1 d: publicity ends 3 days later */
	assert_int_equal(eb_tender_flow.next_timer(f.t, &at, &nm), 1);
	assert_string_equal(nm, "publicity-ended");
	assert_true(at == pub_end);
	f.now = FX_OPENING + 2 * FX_DAY;
	raised = f.now;
	/* only a bidder whose bid was opened may object */
	assert_int_equal(fx_do(&f, &b6, fx_text("raise-objection", "x")),
	    EB_ERR_DENIED);
	assert_string_equal(f.err.reason, "not-your-tender");
	assert_int_equal(fx_do(&f, &b2, fx_text("raise-objection",
	    "The first candidate lacks the licence.")), EB_OK);
	assert_int_equal(eb_tender_state(f.t), EB_TS_OBJECTION);
	/* the flow stops: no timer, publicity cannot end */
	assert_int_equal(eb_tender_flow.next_timer(f.t, &at, &nm), 0);
	f.now = pub_end + FX_DAY;
	assert_int_equal(fx_do(&f, &sys, eb_doc_new("publicity-ended")),
	    EB_ERR_STATE);
	/* the supervisor must answer within 3 days of the objection */
	d = eb_tender_duties(f.t, &sup);
	s = canon(d);
	assert_string_equal(s, "<duties role=\"supervisor\" state=\"objection\" "
	    "tender=\"T1\"><may command=\"answer-objection\"></may>"
	    "<may command=\"request-cancellation\"></may>"
	    "<may command=\"suspend\"></may>"
	    "<must by=\"2026-02-05T01:00:00.000Z\" "
	    "command=\"answer-objection\"></must></duties>");
	free(s);
	eb_doc_free(d);
	/* answered 2.5 days after it was raised: publicity resumes, its end
	 * moved by the 2.5 days it stood still */
	f.now = raised + 2 * FX_DAY + 12 * FX_HOUR;
	{
		struct eb_doc *b = fx_with_attr("answer-objection", "objection",
		    "1");

		eb_doc_set_attr(b, "decision", "dismissed");
		eb_doc_add_text(b, "text", "The licence is on file.");
		assert_int_equal(fx_do(&f, &sup, b), EB_OK);
	}
	assert_int_equal(eb_tender_state(f.t), EB_TS_PUBLICITY);
	assert_int_equal(eb_tender_flow.next_timer(f.t, &at, &nm), 1);
	assert_true(at == pub_end + 2 * FX_DAY + 12 * FX_HOUR);
	v = view_as(&f, b2);
	assert_string_equal(path_attr(v, "publicity", "end"),
	    "2026-02-06T13:00:00.000Z");
	assert_string_equal(path_attr(v, "objections/objection/answer",
	    "decision"), "dismissed");
	eb_doc_free(v);
	/* other bidders do not see b2's objection */
	v = view_as(&f, fx_party(EB_ROLE_BIDDER, "b3"));
	assert_int_equal(eb_doc_count(eb_doc_child(v, "objections"), NULL), 0);
	eb_doc_free(v);
	f.now = at - 1;
	assert_int_equal(fx_do(&f, &sys, eb_doc_new("publicity-ended")),
	    EB_ERR_RULE);
	f.now = at;
	assert_int_equal(fx_do(&f, &sys, eb_doc_new("publicity-ended")), EB_OK);
	assert_int_equal(fx_do(&f, &b2, fx_text("raise-objection", "late")),
	    EB_ERR_STATE);
	fx_free(&f);
}

static void
test_failed_with_two_valid_bids(void **state)
{
	struct fx f;
	struct eb_actor sys = FX_SYS;
	struct eb_doc *v;
	struct eb_error err;

	(void)state;
	fx_init(&f);
	fx_goto(&f, EB_TS_AWAITING_OPENING);
	f.now = FX_OPENING;
	/* four bids held, b3 and b4 fail to decrypt: two valid */
	assert_int_equal(fx_do(&f, &sys, fx_open_body(&f, "b3 b4")), EB_OK);
	assert_int_equal(eb_tender_state(f.t), EB_TS_FAILED);
	assert_int_equal(eb_tender_check_records(f.t, &err), EB_OK);
	v = view_as(&f, fx_party(EB_ROLE_BIDDER, "b4"));
	assert_string_equal(path_attr(v, "failure", "cause"),
	    "fewer-than-three-valid-bids");
	assert_string_equal(path_attr(v, "failure", "valid-bids"), "2");
	assert_string_equal(path_attr(v, "opening-record", "opened"), "2");
	eb_doc_free(v);

	/* two bids at the deadline fail there already */
	fx_free(&f);
	fx_init(&f);
	fx_goto(&f, EB_TS_FAILED);
	v = view_as(&f, FX_SUP);
	assert_string_equal(path_attr(v, "failure", "cause"),
	    "fewer-than-three-bids");
	assert_string_equal(path_attr(v, "deadline-reached", "bids"), "2");
	eb_doc_free(v);
	assert_int_equal(eb_tender_check_records(f.t, &err), EB_OK);
	fx_free(&f);
}

static void
test_opening_checks(void **state)
{
	struct fx f;
	struct eb_actor sys = FX_SYS;
	struct eb_doc *b;

	(void)state;
	fx_init(&f);
	fx_goto(&f, EB_TS_AWAITING_OPENING);
	f.now = FX_OPENING - 1;
	assert_int_equal(fx_do(&f, &sys, fx_open_body(&f, NULL)), EB_ERR_RULE);
	assert_string_equal(f.err.reason, "opening-time-not-reached");
	f.now = FX_OPENING;
	b = fx_open_body(&f, NULL);
	eb_doc_set_attr(eb_doc_child(b, "bid-result"), "commitment",
	    "0000000000000000000000000000000000000000000000000000000000000000");
	assert_int_equal(fx_do(&f, &sys, b), EB_ERR_RULE);
	assert_string_equal(f.err.reason, "opening-mismatch");
	/* drop one result: the opening must account for every bid */
	b = fx_open_body(&f, NULL);
	{
		struct eb_doc *l = b->last;

		eb_doc_detach(l);
		eb_doc_free(l);
	}
	assert_int_equal(fx_do(&f, &sys, b), EB_ERR_RULE);
	assert_string_equal(f.err.reason, "opening-incomplete");
	fx_free(&f);
}

static void
test_cancellation_needs_countersignature(void **state)
{
	struct fx f;
	struct eb_actor sup = FX_SUP, ver = FX_VER;
	struct eb_actor b1 = fx_party(EB_ROLE_BIDDER, "b1");
	/* the supervisor's person holding a verifier certificate */
	struct eb_actor sup_as_ver = fx_actor(EB_ROLE_VERIFIER, "ver9",
	    "Centre");

	(void)state;
	snprintf(sup_as_ver.person, sizeof(sup_as_ver.person), "P-sup1");
	fx_init(&f);
	fx_goto(&f, EB_TS_BIDDING);
	assert_int_equal(fx_do(&f, &sup, eb_doc_new("request-cancellation")),
	    EB_ERR_RULE);
	assert_string_equal(f.err.reason, "reasons-required");
	fx_step(&f, sup, fx_reasoned("request-cancellation", "Funding lost."));
	assert_int_equal(eb_tender_state(f.t), EB_TS_CANCELLATION_REQUESTED);
	/* the flow is held: no bids meanwhile, the supervisor cannot finish
	 * it alone, nor under a verifier certificate */
	assert_int_equal(fx_do(&f, &b1, fx_bid_body("b1")), EB_ERR_STATE);
	assert_int_equal(fx_do(&f, &sup, eb_doc_new("countersign-cancellation")),
	    EB_ERR_DENIED);
	assert_string_equal(f.err.reason, "role-not-allowed");
	assert_int_equal(fx_do(&f, &sup_as_ver,
	    eb_doc_new("countersign-cancellation")), EB_ERR_DENIED);
	assert_string_equal(f.err.reason, "separation-of-duties");
	/* refused: back to bidding */
	fx_step(&f, ver, fx_reasoned("refuse-cancellation",
	    "Funding is confirmed by the budget office."));
	assert_int_equal(eb_tender_state(f.t), EB_TS_BIDDING);
	fx_step(&f, sup, fx_reasoned("request-cancellation", "Funding lost."));
	fx_step(&f, ver, eb_doc_new("countersign-cancellation"));
	assert_int_equal(eb_tender_state(f.t), EB_TS_CANCELLED);
	assert_int_equal(fx_do(&f, &sup, fx_reasoned("resume", "x")),
	    EB_ERR_STATE);
	fx_free(&f);
}

static void
test_separation_of_duties(void **state)
{
	struct fx f;
	struct eb_actor reg = FX_REG, ten = FX_TEN;
	/* the registrar's person with a supervisor certificate */
	struct eb_actor reg_as_sup = fx_actor(EB_ROLE_SUPERVISOR, "sup7",
	    "Centre");
	/* a registrar employed by the tenderer */
	struct eb_actor reg_tenderer = fx_actor(EB_ROLE_REGISTRAR, "reg2",
	    "City Water");
	struct eb_actor bidder_tenderer = fx_actor(EB_ROLE_BIDDER, "b8",
	    "City Water");
	char *before, *after;

	(void)state;
	snprintf(reg_as_sup.person, sizeof(reg_as_sup.person), "P-reg1");
	fx_init(&f);
	fx_step(&f, ten, fx_registration("register-tender", FX_DEADLINE));
	before = fx_canon(&f);
	assert_int_equal(fx_do(&f, &reg_tenderer,
	    eb_doc_new("accept-registration")), EB_ERR_DENIED);
	assert_string_equal(f.err.reason, "separation-of-duties");
	after = fx_canon(&f);
	assert_string_equal(before, after);
	free(before);
	free(after);
	fx_step(&f, reg, eb_doc_new("accept-registration"));
	f.now = FX_T0 + FX_DAY;
	assert_int_equal(fx_do(&f, &reg_as_sup,
	    eb_doc_new("publish-announcement")), EB_ERR_DENIED);
	assert_string_equal(f.err.reason, "separation-of-duties");
	assert_int_equal(eb_tender_state(f.t), EB_TS_ACCEPTED);
	/* the tenderer's person cannot act as an officer either */
	{
		struct eb_actor ten_as_sup = fx_actor(EB_ROLE_SUPERVISOR,
		    "sup8", "Centre");

		snprintf(ten_as_sup.person, sizeof(ten_as_sup.person),
		    "P-ten1");
		assert_int_equal(fx_do(&f, &ten_as_sup,
		    eb_doc_new("publish-announcement")), EB_ERR_DENIED);
		assert_string_equal(f.err.reason, "separation-of-duties");
	}
	fx_step(&f, FX_SUP, eb_doc_new("publish-announcement"));
	assert_int_equal(fx_do(&f, &bidder_tenderer, eb_doc_new("sign-up")),
	    EB_ERR_DENIED);
	assert_string_equal(f.err.reason, "conflict-of-interest");
	/* one person behind two bidders */
	{
		struct eb_actor b1 = fx_party(EB_ROLE_BIDDER, "b1");
		struct eb_actor b9 = fx_party(EB_ROLE_BIDDER, "b9");

		snprintf(b9.person, sizeof(b9.person), "P-b1");
		fx_step(&f, b1, eb_doc_new("sign-up"));
		assert_int_equal(fx_do(&f, &b9, eb_doc_new("sign-up")),
		    EB_ERR_DENIED);
		assert_string_equal(f.err.reason, "conflict-of-interest");
	}
	fx_free(&f);
}

static void
test_expert_draw(void **state)
{
	struct fx f;
	struct eb_actor sys = FX_SYS;
	struct eb_doc *v, *x, *b;
	char p[16];
	int n = 0;

	(void)state;
	fx_init(&f);
	fx_goto(&f, EB_TS_DRAW_REQUESTED);
	/* the reveal must match the commitment */
	assert_int_equal(fx_do(&f, &sys, fx_draw_body("another-secret")),
	    EB_ERR_RULE);
	assert_string_equal(f.err.reason, "reveal-mismatch");
	/* a pool too small for 3 seats once conflicts are out: e8 works for
	 * the tenderer, e9 for bidder b1 */
	b = fx_draw_body("supervisor-secret");
	while ((x = eb_doc_child(eb_doc_child(b, "pool"), NULL)) != NULL &&
	    strcmp(eb_doc_attr(x, "party"), "e8") != 0) {
		eb_doc_detach(x);
		eb_doc_free(x);
	}
	assert_int_equal(fx_do(&f, &sys, b), EB_ERR_RULE);
	assert_string_equal(f.err.reason, "not-enough-experts");
	fx_step(&f, sys, fx_draw_body("supervisor-secret"));
	assert_int_equal(eb_tender_state(f.t), EB_TS_EVALUATION);
	v = fx_sysview(&f);
	/* three members and two reserves drawn, the conflicted excluded */
	x = eb_doc_path(v, "draw-result/committee");
	assert_non_null(x);
	assert_int_equal(eb_doc_count(x, "member"), 3);
	assert_int_equal(eb_doc_count(x, "reserve"), 2);
	assert_string_equal(eb_doc_attr(eb_doc_child(x, "excluded"), "party"),
	    "e8");
	assert_string_equal(eb_doc_attr(eb_doc_child(x, "excluded"),
	    "reason"), "employer-is-tenderer");
	assert_string_equal(eb_doc_attr(eb_doc_next(eb_doc_child(x,
	    "excluded"), "excluded"), "reason"), "employer-is-bidder");
	eb_doc_free(v);
	while (fx_member(&f, "pending", n, p) != NULL) {
		assert_true(strcmp(p, "e8") != 0 && strcmp(p, "e9") != 0);
		n++;
	}
	assert_int_equal(n, 3);
	fx_free(&f);
}

static void
test_decline_and_replacement(void **state)
{
	struct fx f;
	struct eb_actor sys = FX_SYS, sup = FX_SUP;
	struct eb_doc *v;
	char p[16], first[16], q[16];
	int i;

	(void)state;
	fx_init(&f);
	fx_goto(&f, EB_TS_EVALUATION);       /* one member accepted */
	/* three declines: the two reserves step in, then the seat stays
	 * open */
	for (i = 0; i < 3; i++) {
		struct eb_actor e;

		assert_non_null(fx_member(&f, "pending", 0, p));
		if (i == 0)
			snprintf(first, sizeof(first), "%s", p);
		e = fx_party(EB_ROLE_EXPERT, p);
		fx_step(&f, e, fx_reasoned("decline-appointment", "Ill."));
		v = fx_sysview(&f);
		assert_int_equal(eb_doc_count(eb_doc_child(v, "committee"),
		    "member"), (size_t)(4 + (i < 2 ? i : 1)));
		eb_doc_free(v);
	}
	{
		struct eb_actor e = fx_party(EB_ROLE_EXPERT, first);

		/* a declined expert cannot score */
		assert_int_equal(fx_do(&f, &e, fx_scores(&f, first)),
		    EB_ERR_DENIED);
		assert_string_equal(f.err.reason, "appointment-not-accepted");
	}
	v = fx_sysview(&f);
	assert_string_equal(eb_doc_attr(eb_doc_path(v,
	    "committee/member"), "status"), "accepted");
	eb_doc_free(v);
	assert_int_equal(fx_do(&f, &sup, fx_close_eval()), EB_ERR_RULE);
	assert_string_equal(f.err.reason, "committee-incomplete");
	/* the open seat is drawn again from the pool, avoiding everyone
	 * already drawn */
	fx_step(&f, sys, fx_draw_body("supervisor-secret"));
	while (fx_member(&f, "pending", 0, p) != NULL)
		fx_step(&f, fx_party(EB_ROLE_EXPERT, p),
		    eb_doc_new("accept-appointment"));
	assert_int_equal(fx_member(&f, "declined", 3, q), NULL);
	assert_non_null(fx_member(&f, "accepted", 2, q));
	assert_null(fx_member(&f, "accepted", 3, q));
	for (i = 0; i < 2; i++) {
		assert_non_null(fx_member(&f, "accepted", i, p));
		fx_step(&f, fx_party(EB_ROLE_EXPERT, p), fx_scores(&f, p));
	}
	assert_int_equal(fx_do(&f, &sup, fx_close_eval()), EB_ERR_RULE);
	assert_string_equal(f.err.reason, "scores-missing");
	assert_non_null(fx_member(&f, "accepted", 2, p));
	fx_step(&f, fx_party(EB_ROLE_EXPERT, p), fx_scores(&f, p));
	fx_step(&f, sup, fx_close_eval());
	assert_int_equal(eb_tender_state(f.t), EB_TS_EVALUATED);
	fx_free(&f);
}

static void
test_views_by_role(void **state)
{
	struct fx f;
	struct eb_doc *v;
	struct eb_doc *r;

	(void)state;
	fx_init(&f);
	fx_goto(&f, EB_TS_BIDDING);
	/* a bidder sees its own sign-up and bid receipt only */
	v = view_as(&f, fx_party(EB_ROLE_BIDDER, "b2"));
	assert_int_equal(eb_doc_count(eb_doc_child(v, "sign-ups"), NULL), 1);
	assert_int_equal(eb_doc_count(eb_doc_child(v, "bids"), NULL), 1);
	assert_string_equal(path_attr(v, "bids/bid", "bidder"), "b2");
	assert_null(eb_doc_child(v, "history"));
	/* the opening certificate is public, the sealed shares are not */
	assert_non_null(eb_doc_path(v, "opening-key/certificate"));
	assert_null(eb_doc_path(v, "opening-key/sealed-share"));
	eb_doc_free(v);
	/* the tenderer does not learn who bids */
	v = view_as(&f, FX_TEN);
	assert_null(eb_doc_child(v, "sign-ups"));
	assert_null(eb_doc_child(v, "bids"));
	eb_doc_free(v);
	v = view_as(&f, fx_party(EB_ROLE_CUSTODIAN, "c2"));
	assert_int_equal(eb_doc_count(eb_doc_child(v, "opening-key"),
	    "sealed-share"), 1);
	assert_string_equal(path_attr(v, "opening-key/sealed-share",
	    "custodian"), "c2");
	eb_doc_free(v);
	v = view_as(&f, fx_party(EB_ROLE_AUDITOR, "aud1"));
	assert_int_equal(eb_doc_count(eb_doc_child(v, "bids"), NULL), 4);
	assert_non_null(eb_doc_child(v, "history"));
	eb_doc_free(v);
	fx_free(&f);

	fx_init(&f);
	fx_goto(&f, EB_TS_EVALUATED);
	/* after opening: the opening record is public, a bid document only
	 * to its bidder (and officials and experts); the committee is hidden
	 * from bidders until the candidates are published */
	v = view_as(&f, fx_party(EB_ROLE_BIDDER, "b2"));
	assert_int_equal(eb_doc_count(eb_doc_child(v, "opening-record"),
	    "bid-result"), 4);
	for (r = eb_doc_child(eb_doc_child(v, "opening-record"), NULL);
	    r != NULL; r = r->next)
		assert_true((eb_doc_child(r, "bid") != NULL) ==
		    (strcmp(eb_doc_attr(r, "bidder"), "b2") == 0));
	assert_null(eb_doc_child(v, "committee"));
	assert_null(eb_doc_child(v, "result"));
	assert_null(eb_doc_child(v, "clearing-report"));
	eb_doc_free(v);
	{
		char p[16];

		assert_non_null(fx_member(&f, "accepted", 1, p));
		v = view_as(&f, fx_party(EB_ROLE_EXPERT, p));
		assert_non_null(eb_doc_child(v, "committee"));
		assert_non_null(eb_doc_child(v, "clearing-report"));
		assert_null(eb_doc_child(v, "draw-result"));
		assert_int_equal(eb_doc_count(eb_doc_child(v, "scores"), NULL),
		    1);
		assert_string_equal(path_attr(v, "scores/score-sheet",
		    "expert"), p);
	}
	eb_doc_free(v);
	{
		char p[16];
		size_t k;

		for (k = 0; fx_member(&f, "accepted", k, p) != NULL; k++)
			fx_step(&f, fx_party(EB_ROLE_EXPERT, p),
			    fx_min_body(&f, "sign-report"));
	}
	fx_step(&f, FX_SUP, eb_doc_new("publish-candidates"));
	v = view_as(&f, fx_party(EB_ROLE_BIDDER, "b2"));
	assert_non_null(eb_doc_child(v, "committee"));
	assert_string_equal(path_attr(v, "result/candidate", "bidder"), "b2");
	eb_doc_free(v);
	fx_free(&f);
}

static void
test_suspend_resume_moves_time(void **state)
{
	struct fx f;
	struct eb_actor sup = FX_SUP;
	int64_t at;
	const char *nm;
	struct eb_doc *v;

	(void)state;
	fx_init(&f);
	fx_goto(&f, EB_TS_SUSPENDED);      /* suspended at T0 + 2 d */
	v = view_as(&f, FX_TEN);
	assert_string_equal(eb_doc_attr(v, "stage"), "organization");
	assert_string_equal(eb_doc_attr(v, "resume-state"), "bidding");
	eb_doc_free(v);
	assert_int_equal(eb_tender_flow.next_timer(f.t, &at, &nm), 0);
	assert_int_equal(fx_do(&f, &sup, fx_reasoned("suspend", "again")),
	    EB_ERR_STATE);
	f.now = FX_T0 + 5 * FX_DAY;
	fx_step(&f, sup, fx_reasoned("resume", "Complaint dismissed."));
	assert_int_equal(eb_tender_state(f.t), EB_TS_BIDDING);
	assert_int_equal(eb_tender_flow.next_timer(f.t, &at, &nm), 1);
	assert_true(at == FX_DEADLINE + 3 * FX_DAY);
	fx_free(&f);
}

static void
test_duties_for_roles(void **state)
{
	struct fx f;
	struct eb_doc *d;
	char *s;
	struct eb_actor b1 = fx_party(EB_ROLE_BIDDER, "b1");
	struct eb_actor b6 = fx_party(EB_ROLE_BIDDER, "b6");
	struct eb_actor sys = FX_SYS, reg = FX_REG;
	struct eb_actor c1 = fx_party(EB_ROLE_CUSTODIAN, "c1");

	(void)state;
	fx_init(&f);
	fx_step(&f, FX_TEN, fx_registration("register-tender", FX_DEADLINE));
	d = eb_tender_duties(f.t, &reg);
	s = canon(d);
	assert_string_equal(s, "<duties role=\"registrar\" state=\"submitted\" "
	    "tender=\"T1\"><may command=\"return-registration\"></may>"
	    "<may command=\"accept-registration\"></may>"
	    "<must command=\"return-registration\"></must>"
	    "<must command=\"accept-registration\"></must></duties>");
	free(s);
	eb_doc_free(d);
	fx_free(&f);

	fx_init(&f);
	fx_goto(&f, EB_TS_BIDDING);
	d = eb_tender_duties(f.t, &b1);
	s = canon(d);
	assert_string_equal(s, "<duties role=\"bidder\" state=\"bidding\" "
	    "tender=\"T1\">"
	    "<may command=\"submit-bid\" until=\"2026-01-31T00:00:00.000Z\">"
	    "</may><may command=\"withdraw-bid\" "
	    "until=\"2026-01-31T00:00:00.000Z\"></may></duties>");
	free(s);
	eb_doc_free(d);
	d = eb_tender_duties(f.t, &b6);
	s = canon(d);
	assert_string_equal(s, "<duties role=\"bidder\" state=\"bidding\" "
	    "tender=\"T1\"><may command=\"sign-up\" "
	    "until=\"2026-01-31T00:00:00.000Z\"></may></duties>");
	free(s);
	eb_doc_free(d);
	d = eb_tender_duties(f.t, &sys);
	s = canon(d);
	assert_string_equal(s, "<duties role=\"system\" state=\"bidding\" "
	    "tender=\"T1\"><may command=\"deadline-reached\"></may>"
	    "<may command=\"report-incident\"></may>"
	    "<must by=\"2026-01-31T00:00:00.000Z\" "
	    "command=\"deadline-reached\"></must></duties>");
	free(s);
	eb_doc_free(d);
	/* a custodian has nothing to do before the deadline */
	d = eb_tender_duties(f.t, &c1);
	assert_int_equal(eb_doc_count(d, NULL), 0);
	eb_doc_free(d);
	f.now = FX_DEADLINE;
	fx_step(&f, sys, eb_doc_new("deadline-reached"));
	d = eb_tender_duties(f.t, &c1);
	s = canon(d);
	assert_string_equal(s, "<duties role=\"custodian\" "
	    "state=\"awaiting-opening\" tender=\"T1\">"
	    "<may command=\"submit-share\"></may>"
	    "<must by=\"2026-01-31T01:00:00.000Z\" command=\"submit-share\">"
	    "</must></duties>");
	free(s);
	eb_doc_free(d);
	fx_free(&f);
}

static void
test_unknown_and_replayed_events(void **state)
{
	struct fx f;
	struct eb_actor ten = FX_TEN;
	struct eb_doc *ev;
	struct eb_error err;

	(void)state;
	fx_init(&f);
	assert_int_equal(fx_do(&f, &ten, eb_doc_new("register-sale")),
	    EB_ERR_NOTFOUND);
	assert_string_equal(f.err.reason, "unknown-command");
	/* apply refuses an event out of order: the state machine holds */
	ev = eb_doc_new("events");
	eb_doc_set_attr(eb_doc_add(ev, "registration-accepted"), "at",
	    "2026-01-01T00:00:00.000Z");
	assert_int_equal(eb_tender_flow.apply(f.t, ev, &err), EB_ERR_INTERNAL);
	assert_string_equal(err.reason, "illegal-transition");
	eb_doc_free(ev);
	fx_free(&f);
}

static void
test_clearing_computed_in_core(void **state)
{
	struct fx f;
	struct eb_doc *v, *rep, *x;
	struct eb_actor sup = FX_SUP;
	char ex[3][16];
	int i;

	(void)state;
	fx_init(&f);
	fx_goto(&f, EB_TS_CLEARED);
	v = fx_sysview(&f);
	rep = eb_doc_child(v, "clearing-report");
	assert_non_null(rep);
	assert_string_equal(eb_doc_attr(rep, "bids"), "4");
	assert_int_equal(eb_doc_count(rep, "bid-summary"), 4);
	for (x = eb_doc_child(rep, "bid-summary"); x != NULL;
	    x = eb_doc_next(x, "bid-summary"))
		assert_string_equal(eb_doc_attr(x, "status"), "valid");
	eb_doc_free(v);
	fx_free(&f);

	/* a ceiling of 930,000,000 fen: b3 (931,000,000) and b4
	 * (958,700,000) are above it, so the clearing marks them invalid and
	 * they cannot be candidates */
	fx_init(&f);
	f.ceiling = 930000000;
	fx_goto(&f, EB_TS_EVALUATION);
	v = fx_sysview(&f);
	rep = eb_doc_child(v, "clearing-report");
	assert_string_equal(eb_doc_attr(eb_doc_path(rep, "bid-summary"),
	    "bidder"), "b1");
	for (x = eb_doc_child(rep, "bid-summary"); x != NULL;
	    x = eb_doc_next(x, "bid-summary"))
		assert_string_equal(eb_doc_attr(x, "status"),
		    (strcmp(eb_doc_attr(x, "bidder"), "b3") == 0 ||
		    strcmp(eb_doc_attr(x, "bidder"), "b4") == 0) ?
		    "invalid" : "valid");
	eb_doc_free(v);
	while (fx_member(&f, "pending", 0, ex[0]) != NULL)
		fx_step(&f, fx_party(EB_ROLE_EXPERT, ex[0]),
		    eb_doc_new("accept-appointment"));
	for (i = 0; i < 3; i++)
		assert_non_null(fx_member(&f, "accepted", i, ex[i]));
	/* a sheet scoring a bid the clearing found invalid is refused by
	 * the scoring check */
	{
		struct eb_actor e1 = fx_party(EB_ROLE_EXPERT, ex[0]);
		struct eb_doc *b = fx_scores(&f, ex[0]), *sc;

		sc = eb_doc_add(eb_doc_child(b, "score-sheet"), "score");
		eb_doc_set_attr(sc, "bid", "b3");
		eb_doc_set_attr(sc, "criterion", "tech");
		eb_doc_set_attr(sc, "value", "50");
		assert_int_equal(fx_do(&f, &e1, b), EB_ERR_RULE);
		assert_string_equal(f.err.reason, "unknown-bid");
		/* off the 0.5 grid */
		b = fx_scores(&f, ex[0]);
		eb_doc_set_attr(eb_doc_path(b, "score-sheet/score"), "value",
		    "60.2");
		assert_int_equal(fx_do(&f, &e1, b), EB_ERR_RULE);
		assert_string_equal(f.err.reason, "score-off-step");
	}
	for (i = 0; i < 3; i++)
		fx_step(&f, fx_party(EB_ROLE_EXPERT, ex[i]),
		    fx_scores(&f, ex[i]));
	/* the rules rank: b2 (95.43420909) before b1 (91); a supervisor
	 * naming other candidates is refused */
	{
		struct eb_doc *b = eb_doc_new("close-evaluation"), *c;

		c = eb_doc_add(b, "candidate");
		eb_doc_set_attr(c, "rank", "1");
		eb_doc_set_attr(c, "bidder", "b1");
		assert_int_equal(fx_do(&f, &sup, b), EB_ERR_RULE);
		assert_string_equal(f.err.reason, "candidates-differ");
	}
	assert_int_equal(fx_do(&f, &sup, fx_close_eval()), EB_OK);
	v = fx_sysview(&f);
	assert_int_equal(eb_doc_count(eb_doc_child(v, "result"), "candidate"),
	    2);
	assert_string_equal(path_attr(v, "result/candidate", "bidder"), "b2");
	assert_string_equal(eb_doc_attr(eb_doc_child(v, "result")->first->next,
	    "bidder"), "b1");
	assert_string_equal(path_attr(v, "result/evaluation-result",
	    "valid-bids"), "2");
	eb_doc_free(v);
	fx_free(&f);

	/* clearing rules naming another ceiling are refused at registration */
	fx_init(&f);
	{
		struct eb_actor ten = FX_TEN;
		struct eb_doc *b = fx_registration("register-tender",
		    FX_DEADLINE);

		eb_doc_add_text(eb_doc_add(eb_doc_child(b, "rules"),
		    "clearing-rules"), "ceiling-price", "5");
		assert_int_equal(fx_do(&f, &ten, b), EB_ERR_RULE);
		assert_string_equal(f.err.reason, "ceiling-price-mismatch");
	}
	fx_free(&f);
}

static void
test_return_rounds_are_bounded(void **state)
{
	struct fx f;
	struct eb_actor reg = FX_REG, ten = FX_TEN;
	int i;

	(void)state;
	fx_init(&f);
	fx_step(&f, ten, fx_registration("register-tender", FX_DEADLINE));
	for (i = 0; i < 100; i++) {
		fx_step(&f, reg, fx_reasoned("return-registration", "Again."));
		fx_step(&f, ten, fx_registration("resubmit-registration",
		    FX_DEADLINE));
	}
	assert_int_equal(fx_do(&f, &reg, fx_reasoned("return-registration",
	    "Again.")), EB_ERR_LIMIT);
	assert_string_equal(f.err.reason, "too-many-returns");
	assert_int_equal(eb_tender_state(f.t), EB_TS_SUBMITTED);
	fx_free(&f);
}

static void
test_sealed_until_opening(void **state)
{
	struct fx f;
	struct eb_actor sys = FX_SYS, c1 = fx_party(EB_ROLE_CUSTODIAN, "c1");
	char *s;
	int64_t at;
	const char *nm;

	(void)state;
	fx_init(&f);
	fx_goto(&f, EB_TS_BIDDING);
	/* not even the system's view holds an envelope: only its digest */
	s = fx_canon(&f);
	assert_null(strstr(s, "TUlJQmlkRW52ZWxvcGU="));
	assert_non_null(strstr(s, "envelope-sha256="));
	free(s);
	/* after the deadline the opening waits for k = 2 shares */
	f.now = FX_DEADLINE;
	fx_step(&f, sys, eb_doc_new("deadline-reached"));
	assert_int_equal(eb_tender_flow.next_timer(f.t, &at, &nm), 0);
	{
		struct eb_doc *b = eb_doc_new("submit-share");

		eb_doc_add_text(b, "share", "U0hBUkU=");
		fx_step(&f, c1, b);
		b = eb_doc_new("submit-share");
		eb_doc_add_text(b, "share", "U0hBUkU=");
		assert_int_equal(fx_do(&f, &c1, b), EB_ERR_CONFLICT);
		assert_string_equal(f.err.reason, "share-already-submitted");
	}
	assert_int_equal(eb_tender_flow.next_timer(f.t, &at, &nm), 0);
	assert_int_equal(fx_do(&f, &sys, fx_open_body(&f, NULL)), EB_ERR_RULE);
	assert_string_equal(f.err.reason, "shares-missing");
	{
		struct eb_actor c3 = fx_party(EB_ROLE_CUSTODIAN, "c3");
		struct eb_actor c9 = fx_party(EB_ROLE_CUSTODIAN, "c9");
		struct eb_doc *b = eb_doc_new("submit-share");

		eb_doc_add_text(b, "share", "U0hBUkU=");
		assert_int_equal(fx_do(&f, &c9, b), EB_ERR_DENIED);
		assert_string_equal(f.err.reason, "not-a-custodian");
		b = eb_doc_new("submit-share");
		eb_doc_add_text(b, "share", "U0hBUkU=");
		fx_step(&f, c3, b);
	}
	assert_int_equal(eb_tender_flow.next_timer(f.t, &at, &nm), 1);
	assert_string_equal(nm, "open-bids");
	assert_true(at == FX_OPENING);
	fx_free(&f);
}

/*
 * The committee report (Art. 53): every accepted member signs the exact
 * result (its SHA-256), once, dissent recorded; the candidates are
 * published only then.
 */
static void
test_committee_report_signed(void **state)
{
	struct fx f;
	struct eb_doc *b, *v;
	struct eb_actor sup = FX_SUP;
	char p[16], first[16];
	size_t k;

	(void)state;
	fx_init(&f);
	fx_goto(&f, EB_TS_EVALUATED);
	assert_int_equal(fx_do(&f, &sup, eb_doc_new("publish-candidates")),
	    EB_ERR_RULE);
	assert_string_equal(f.err.reason, "report-not-signed");
	assert_non_null(fx_member(&f, "accepted", 0, first));
	/* a hash of anything else is refused */
	b = fx_min_body(&f, "sign-report");
	eb_doc_set_attr(b, "report-sha256",
	    "0000000000000000000000000000000000000000000000000000000000000001");
	{
		struct eb_actor a = fx_party(EB_ROLE_EXPERT, first);

		assert_int_equal(fx_do(&f, &a, b), EB_ERR_RULE);
		assert_string_equal(f.err.reason, "report-differs");
		/* the first member signs with a dissent */
		b = fx_min_body(&f, "sign-report");
		eb_doc_add_text(b, "dissent", "I rate b1's plan higher.");
		assert_int_equal(fx_do(&f, &a, b), EB_OK);
		assert_int_equal(fx_do(&f, &a, fx_min_body(&f, "sign-report")),
		    EB_ERR_RULE);
		assert_string_equal(f.err.reason, "already-signed");
	}
	/* a bidder cannot sign */
	{
		struct eb_actor bidder = fx_party(EB_ROLE_BIDDER, "b1");

		assert_int_equal(fx_do(&f, &bidder,
		    fx_min_body(&f, "sign-report")), EB_ERR_DENIED);
	}
	for (k = 1; fx_member(&f, "accepted", k, p) != NULL; k++) {
		assert_int_equal(fx_do(&f, &sup,
		    eb_doc_new("publish-candidates")), EB_ERR_RULE);
		fx_step(&f, fx_party(EB_ROLE_EXPERT, p),
		    fx_min_body(&f, "sign-report"));
	}
	fx_step(&f, FX_SUP, eb_doc_new("publish-candidates"));
	v = view_as(&f, sup);
	assert_int_equal(eb_doc_count(eb_doc_child(v, "report-signatures"),
	    "signature"), k);
	assert_string_equal(eb_doc_child_text(eb_doc_child(eb_doc_child(v,
	    "report-signatures"), "signature"), "dissent"),
	    "I rate b1's plan higher.");
	eb_doc_free(v);
	fx_free(&f);
}

/* Rules versions (engine/core/cmd.h): the tender's rules have not changed
 * between versions 1 and 2, so both decide alike; a version the core does
 * not keep is refused (rules-unknown), never decided by other rules. */
static void
test_rules_versions(void **state)
{
	struct fx f;
	struct eb_doc *body = fx_registration("register-tender", FX_DEADLINE);
	struct eb_doc *ev[3] = { NULL, NULL, NULL };
	struct eb_cmd c;
	int v;

	(void)state;
	fx_init(&f);
	memset(&c, 0, sizeof(c));
	c.body = body;
	c.actor = FX_TEN;
	snprintf(c.target, sizeof(c.target), "T1");
	c.time = f.now;
	for (v = 1; v <= 2; v++) {
		c.rules = v;
		assert_int_equal(eb_tender_flow.decide(f.t, &c, &ev[v], &f.err),
		    EB_OK);
	}
	assert_true(eb_doc_equal(ev[1], ev[2]));
	c.rules = EB_RULES_CURRENT + 1;
	assert_int_equal(eb_tender_flow.decide(f.t, &c, &ev[0], &f.err),
	    EB_ERR_FORMAT);
	assert_null(ev[0]);
	assert_string_equal(f.err.reason, "rules-unknown");
	assert_int_equal(eb_tender_state(f.t), EB_TS_NEW);
	eb_doc_free(ev[1]);
	eb_doc_free(ev[2]);
	eb_doc_free(body);
	fx_free(&f);
}

/* The value of a base64 letter, -1 for anything else. */
static int
ref_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* The reference: the strict base64 check as it was written first (a
 * chain of ranges), before the table of the fourth performance pass,
 * with the rule of XML Schema's base64Binary (libxml2's check, which the
 * envelope passed before its type became a plain string): the bits left
 * over by the padding are zero. */
static int
ref_base64(const char *s, size_t n)
{
	size_t i, pad = 0;

	if (n >= 2 && s[n - 1] == '=' && ref_value(s[n - 2]) >= 0 &&
	    (ref_value(s[n - 2]) & 0x03) != 0)
		return 0;
	if (n >= 3 && s[n - 1] == '=' && s[n - 2] == '=' &&
	    ref_value(s[n - 3]) >= 0 && (ref_value(s[n - 3]) & 0x0f) != 0)
		return 0;

	if (n == 0 || n % 4 != 0)
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

/* is_base64 (the envelope, certificates, shares) answers as the reference
 * on every string of up to 6 characters over letters, digits, the
 * padding, and bytes outside the alphabet (space, '-', newline, 0xC3,
 * 0x80), and on a 140 KiB envelope with one byte spoilt at each end. */
static void
test_is_base64_strict(void **state)
{
	static const char al[] = { 'A', 'z', '0', '+', '/', '=', ' ', '-',
		'\n', (char)0xC3, (char)0x80 };
	const size_t k = sizeof(al);
	char s[8], *big;
	size_t len, i, code, total, n = 140 * 1024;
	unsigned long checked = 0;

	(void)state;
	for (len = 0; len <= 6; len++) {
		for (total = 1, i = 0; i < len; i++)
			total *= k;
		for (code = 0; code < total; code++) {
			size_t c = code;

			for (i = 0; i < len; i++, c /= k)
				s[i] = al[c % k];
			s[len] = '\0';
			assert_int_equal(is_base64(s) != 0, ref_base64(s, len));
			checked++;
		}
	}
	assert_int_equal(checked, 1948717);   /* 11^0 + ... + 11^6 */
	assert_int_equal(is_base64(NULL), 0);
	big = test_malloc(n + 1);
	for (i = 0; i < n; i++)
		big[i] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[i % 64];
	big[n] = '\0';
	assert_true(is_base64(big));
	big[n - 1] = '=';                 /* "+=": 2 bits left over */
	assert_false(is_base64(big));
	big[n - 2] = 'E';                 /* 4: none */
	assert_true(is_base64(big));
	big[n - 2] = '=';
	big[n - 3] = 'R';                 /* "R==": 17, 4 bits left over */
	assert_false(is_base64(big));
	big[n - 3] = 'Q';                 /* 16: none */
	assert_true(is_base64(big));
	big[n - 3] = '=';
	assert_false(is_base64(big));
	big[n - 3] = 'A';
	big[0] = '-';
	assert_false(is_base64(big));
	big[0] = 'A';
	big[n / 2] = '=';
	assert_false(is_base64(big));
	test_free(big);
}

/* A small deterministic generator (xorshift64*): the same strings on
 * every run. */
static uint64_t
b64_rand(uint64_t *x)
{
	*x ^= *x >> 12;
	*x ^= *x << 25;
	*x ^= *x >> 27;
	return *x * 0x2545F4914F6CDD1DULL;
}

/* is_base64 reads the letters in blocks (16 with SSE2, then 8 at a
 * time: docs/performance.md, issue 17, ninth pass) before the letter by
 * letter walk: it answers as the reference on random strings of every
 * length from 0 to 300 (mostly rounded down to a multiple of 4), so that
 * every block boundary meets the end, the padding and a bad byte, and on
 * long ones (up to 4 KiB): letters with a tail of '=' and one or two
 * bytes changed at random places into other letters or into bytes just
 * outside the ranges ('@', '[', '`', '{', '.', ':', '*', ',', '-',
 * newline, 0x01, 0x7f, 0x80, 0xC1, 0xFF, space, '='). */
static void
test_is_base64_blocks(void **state)
{
	static const char alpha[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	static const char bad[] = { '@', '[', '`', '{', '.', ':', '*', ',',
		'-', '\n', 0x01, 0x7f, (char)0x80, (char)0xC1, (char)0xFF, ' ',
		'=' };
	uint64_t x = 0x9E3779B97F4A7C15ULL;
	unsigned long yes = 0, no = 0;
	char *s = test_malloc(4097);

	(void)state;
	for (int round = 0; round < 60000; round++) {
		size_t len = round < 40000 ? (size_t)(round % 301) :
		    (size_t)(b64_rand(&x) % 4097);
		uint64_t r = b64_rand(&x);
		size_t pad = len > 0 ? (size_t)(r % 4) : 0;
		int got, want;

		if ((r >> 4) & 3)     /* mostly a multiple of 4 */
			len -= len % 4;
		if (pad > len)
			pad = len;
		for (size_t i = 0; i < len; i++)
			s[i] = alpha[b64_rand(&x) % 64];
		for (size_t i = len - pad; i < len; i++)
			s[i] = '=';
		/* half of the rounds: the padding's left-over bits zeroed
		 * (the letter before it a multiple of 4 or 16: valid) */
		if ((r >> 8) & 1 && pad > 0 && pad < len) {
			size_t j = len - pad - 1;
			int v = (int)(strchr(alpha, s[j]) - alpha);

			s[j] = alpha[v & (pad == 1 ? ~0x03 : ~0x0f)];
		}
		/* a third of the rounds: one or two bytes spoilt */
		for (int k = 0; k < (int)((r >> 16) % 3) && len > 0 &&
		    (r >> 20) % 3 != 0; k++) {
			size_t at = (size_t)(b64_rand(&x) % len);

			s[at] = (r >> 24) & 1 ? bad[b64_rand(&x) % sizeof(bad)] :
			    alpha[b64_rand(&x) % 64];
		}
		s[len] = '\0';
		got = is_base64(s) != 0;
		want = ref_base64(s, len);
		if (got != want)
			fail_msg("is_base64 says %d, the reference %d, on %zu "
			    "bytes (round %d)", got, want, len, round);
		if (want)
			yes++;
		else
			no++;
	}
	/* both answers were exercised, many times */
	print_message("is_base64 blocks: %lu valid, %lu not\n", yes, no);
	assert_true(yes > 10000);
	assert_true(no > 10000);
	test_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whole_path_and_replay),
		cmocka_unit_test(test_returned_registration),
		cmocka_unit_test(test_return_rounds_are_bounded),
		cmocka_unit_test(test_registration_rules),
		cmocka_unit_test(test_rejected_sign_up),
		cmocka_unit_test(test_late_amendment_moves_deadline),
		cmocka_unit_test(test_bid_deadline),
		cmocka_unit_test(test_objection_during_publicity),
		cmocka_unit_test(test_failed_with_two_valid_bids),
		cmocka_unit_test(test_opening_checks),
		cmocka_unit_test(test_sealed_until_opening),
		cmocka_unit_test(test_stored_envelope_bid),
		cmocka_unit_test(test_clearing_computed_in_core),
		cmocka_unit_test(test_cancellation_needs_countersignature),
		cmocka_unit_test(test_separation_of_duties),
		cmocka_unit_test(test_expert_draw),
		cmocka_unit_test(test_decline_and_replacement),
		cmocka_unit_test(test_views_by_role),
		cmocka_unit_test(test_committee_report_signed),
		cmocka_unit_test(test_suspend_resume_moves_time),
		cmocka_unit_test(test_duties_for_roles),
		cmocka_unit_test(test_unknown_and_replayed_events),
		cmocka_unit_test(test_rules_versions),
		cmocka_unit_test(test_lots_award_plan),
		cmocka_unit_test(test_is_base64_strict),
		cmocka_unit_test(test_is_base64_blocks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
