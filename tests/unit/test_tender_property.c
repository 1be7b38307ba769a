/*
 * tests/unit/test_tender_property.c
 *    Long random command sequences against the tender flow.
 *
 * A deterministic PRNG (xorshift64*, fixed seeds, integers only) picks
 * each step: a row of the table, a role (mostly one the row allows, at
 * times any), an actor of that role (from a small cast, so that wrong
 * parties, repeated sign-ups and conflicts happen), a body (the fixture's
 * minimal valid body, sometimes with a field removed), and a time (small
 * steps forward, or the instant of the pending timer).  After every step:
 *    - accepted: the new state is one the row leads to, and the tender
 *      holds the records of every step before it
 *      (eb_tender_check_records);
 *    - refused: the canonical view is byte-identical, and a refusal for
 *      state or role is exactly what the table says;
 * and at the end of each run the accumulated events replayed into a fresh
 * tender give exactly the same view (canonical bytes).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "tests/unit/tender_fixture.h"

#define RUNS 200
#define STEPS 400

static uint64_t
rnd(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1DULL;
}

static unsigned
pick(uint64_t *s, unsigned n)
{
	return n == 0 ? 0 : (unsigned)(rnd(s) % n);
}

static struct eb_actor
cast(const struct fx *f, uint64_t *s, enum eb_role role, const char *command)
{
	char p[16];

	switch (role) {
	case EB_ROLE_BIDDER:
		if (pick(s, 4) == 0)
			return fx_natural(f, role, command);
		snprintf(p, sizeof(p), "b%u", 1 + pick(s, 7));
		return fx_party(role, p);
	case EB_ROLE_EXPERT:
		snprintf(p, sizeof(p), "e%u", 1 + pick(s, 6));
		return fx_party(role, p);
	case EB_ROLE_CUSTODIAN:
		snprintf(p, sizeof(p), "c%u", 1 + pick(s, 4));
		return fx_party(role, p);
	case EB_ROLE_REGISTRAR:
		/* now and then the supervisor's person or a tenderer's
		 * employee with a registrar certificate */
		if (pick(s, 10) == 0) {
			struct eb_actor a = fx_actor(role, "reg3", "Centre");

			snprintf(a.person, sizeof(a.person), "P-sup1");
			return a;
		}
		if (pick(s, 10) == 0)
			return fx_actor(role, "reg4", "City Water");
		return fx_natural(f, role, command);
	default:
		return fx_natural(f, role, command);
	}
}

static size_t
row_of(const char *cmd)
{
	size_t i;

	for (i = 0; i < eb_tender_row_count(); i++)
		if (strcmp(eb_tender_row_command(i), cmd) == 0)
			return i;
	abort();
}

/* Mostly a row allowed in the current state, at times any row. */
static size_t
pick_row(uint64_t *s, int state)
{
	size_t n = eb_tender_row_count(), i, k = 0, ok[64];

	for (i = 0; i < n; i++)
		if ((eb_tender_row_states(i) >> state) & 1)
			ok[k++] = i;
	if (k == 0 || pick(s, 4) == 0)
		return pick(s, (unsigned)n);
	return ok[pick(s, (unsigned)k)];
}

/* BACK rows return to the state the tender was stopped in: any state
 * that can be stopped, and not the stopping state itself. */
static int
target_ok(size_t row, int from, int now)
{
	int to = eb_tender_row_to(row), alt = eb_tender_row_alt(row);

	if (to == EB_TS_KEEP)
		return now == from;
	if (to == EB_TS_BACK)
		return now != from && now != EB_TS_NEW;
	return now == to || now == alt || (alt == EB_TS_KEEP && now == from);
}

static size_t total_steps;

static void
run(uint64_t seed, size_t *accepted, uint32_t *seen)
{
	struct fx f, g;
	uint64_t s = seed;
	unsigned step;
	char *before, *after;
	struct eb_error err;

	fx_init(&f);
	for (step = 0; step < STEPS; step++, total_steps++) {
		size_t row = pick_row(&s, eb_tender_state(f.t));
		const char *cmd = eb_tender_row_command(row);
		uint32_t roles = eb_tender_row_roles(row);
		enum eb_role role;
		struct eb_actor a;
		struct eb_doc *body;
		int from = eb_tender_state(f.t), rc, in_state, in_role;
		int64_t at;
		const char *timer;

		/* the happy path is rare by chance: while bidding, bid */
		if (from == EB_TS_BIDDING && pick(&s, 3) == 0) {
			row = row_of("submit-bid");
			cmd = eb_tender_row_command(row);
			roles = eb_tender_row_roles(row);
		}
		if (pick(&s, 8) != 0) {
			do
				role = (enum eb_role)(1 + pick(&s,
				    EB_ROLE_COUNT - 1));
			while (!(roles & EB_ROLE_BIT(role)));
		} else
			role = (enum eb_role)(1 + pick(&s, EB_ROLE_COUNT - 1));
		a = cast(&f, &s, role, cmd);
		/* time: small steps, or jump to the pending timer */
		if (eb_tender_flow.next_timer(f.t, &at, &timer) &&
		    pick(&s, 6) == 0 && at > f.now)
			f.now = at;
		else
			f.now += (int64_t)pick(&s, 5) * FX_HOUR;
		body = strcmp(cmd, "submit-bid") == 0 ?
		    fx_bid_body(a.party) : fx_min_body(&f, cmd);
		if (pick(&s, 12) == 0 && body->first != NULL) {
			struct eb_doc *c = body->first;

			eb_doc_detach(c);
			eb_doc_free(c);
		}
		before = fx_canon(&f);
		rc = fx_do(&f, &a, body);
		in_state = (eb_tender_row_states(row) >> from) & 1;
		in_role = (roles >> role) & 1;
		if (rc == EB_OK) {
			int now = eb_tender_state(f.t);

			assert_true(in_state && in_role);
			(*accepted)++;
			*seen |= EB_TS_BIT(now);
			if (!target_ok(row, from, now))
				fail_msg("seed %llu step %u: %s led %s -> %s",
				    (unsigned long long)seed, step, cmd,
				    eb_tender_state_name(from),
				    eb_tender_state_name(now));
			if (eb_tender_check_records(f.t, &err) != EB_OK)
				fail_msg("seed %llu step %u after %s: %s",
				    (unsigned long long)seed, step, cmd,
				    err.primary);
		} else {
			after = fx_canon(&f);
			assert_string_equal(before, after);
			free(after);
			if (!in_state)
				assert_int_equal(rc, EB_ERR_STATE);
			else if (!in_role)
				assert_int_equal(rc, EB_ERR_DENIED);
			else
				assert_true(rc != EB_ERR_STATE);
		}
		free(before);
		if (eb_tender_state(f.t) == EB_TS_CLOSED ||
		    eb_tender_state(f.t) == EB_TS_FAILED ||
		    eb_tender_state(f.t) == EB_TS_CANCELLED)
			break;
	}
	/* replay */
	fx_init(&g);
	assert_int_equal(eb_tender_flow.apply(g.t, f.log, &err), EB_OK);
	before = fx_canon(&f);
	after = fx_canon(&g);
	assert_string_equal(before, after);
	free(before);
	free(after);
	fx_free(&g);
	fx_free(&f);
}

/*
 * Random walks from a fresh tender rarely get far, so runs also start
 * from every state of the standard path and wander from there.
 */
static void
test_random_walks(void **state)
{
	size_t accepted = 0;
	uint32_t seen = 0;
	uint64_t i;

	(void)state;
	for (i = 0; i < RUNS; i++)
		run(0x9E3779B97F4A7C15ULL * (i + 1), &accepted, &seen);
	print_message("fresh walks: %zu steps, %zu accepted commands, states "
	    "reached 0x%x\n", total_steps, accepted, (unsigned)seen);
	assert_true(accepted > 100);
}

static void
run_from(enum eb_tender_state start, uint64_t seed, size_t *accepted,
    uint32_t *seen)
{
	struct fx f;
	uint64_t s = seed;
	unsigned step;
	struct eb_error err;

	/* the same checks as run(), from a state on the path: the prefix's
	 * events are in f.log, so replay covers them too */
	fx_init(&f);
	fx_goto(&f, start);
	for (step = 0; step < STEPS / 4; step++, total_steps++) {
		size_t row = pick_row(&s, eb_tender_state(f.t));
		const char *cmd = eb_tender_row_command(row);
		uint32_t roles = eb_tender_row_roles(row);
		enum eb_role role;
		struct eb_actor a;
		int from = eb_tender_state(f.t), rc;
		int64_t at;
		const char *timer;
		char *before, *after;

		do
			role = (enum eb_role)(1 + pick(&s, EB_ROLE_COUNT - 1));
		while (pick(&s, 6) != 0 && !(roles & EB_ROLE_BIT(role)));
		a = cast(&f, &s, role, cmd);
		if (eb_tender_flow.next_timer(f.t, &at, &timer) &&
		    pick(&s, 4) == 0 && at > f.now)
			f.now = at;
		else
			f.now += (int64_t)pick(&s, 3) * FX_HOUR;
		before = fx_canon(&f);
		rc = fx_do(&f, &a, strcmp(cmd, "submit-bid") == 0 ?
		    fx_bid_body(a.party) : fx_min_body(&f, cmd));
		if (rc == EB_OK) {
			(*accepted)++;
			*seen |= EB_TS_BIT(eb_tender_state(f.t));
			assert_true((eb_tender_row_states(row) >> from) & 1);
			assert_true((roles >> role) & 1);
			if (eb_tender_check_records(f.t, &err) != EB_OK)
				fail_msg("from %s seed %llu step %u after %s: %s",
				    eb_tender_state_name(start),
				    (unsigned long long)seed, step, cmd,
				    err.primary);
		} else {
			after = fx_canon(&f);
			assert_string_equal(before, after);
			free(after);
		}
		free(before);
	}
	{
		struct fx g;
		char *a1, *a2;

		fx_init(&g);
		assert_int_equal(eb_tender_flow.apply(g.t, f.log, &err), EB_OK);
		a1 = fx_canon(&f);
		a2 = fx_canon(&g);
		assert_string_equal(a1, a2);
		free(a1);
		free(a2);
		fx_free(&g);
	}
	fx_free(&f);
}

static void
test_random_walks_from_every_state(void **state)
{
	size_t accepted = 0, s;
	uint32_t seen = 0;
	uint64_t k;

	(void)state;
	for (s = 0; s < eb_tender_state_count(); s++)
		for (k = 0; k < 12; k++)
			run_from((enum eb_tender_state)s,
			    0xD1B54A32D192ED03ULL * (s * 16 + k + 1), &accepted,
			    &seen);
	print_message("walks from every state: %zu steps in all, %zu accepted "
	    "commands, states reached 0x%x\n", total_steps, accepted,
	    (unsigned)seen);
	assert_true(accepted > 1000);
	/* every state but "new" is reached by some accepted command */
	assert_int_equal(seen | 1u, (1u << EB_TS_COUNT) - 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_walks),
		cmocka_unit_test(test_random_walks_from_every_state),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
