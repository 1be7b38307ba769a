/*
 * tests/unit/test_draw.c
 *    The verifiable expert draw: seed, stream, conflict avoidance, the
 *    same log gives the same committee, reserve replacement, shortage.
 *
 * The expected committees were computed by an independent reimplementation
 * of the algorithm documented in engine/core/draw.h (a few lines of
 * Python with hashlib, as an auditor would write it):
 *    seed  = sha256(head || sorted(be32(len)||reveal))
 *    block = sha256(seed || "ebid-draw" || be64(k)), four be64 words
 *    uniform(n): reject r < 2^64 mod n, return r mod n
 *    partial Fisher-Yates over the free candidates sorted by party.
 * head = bytes 0x00..0x1f, reveals {"secret-supervisor", "secret-verifier"}:
 *    seed = bf0c0f05c1cd9e84c1ef3798e6b19eabbe1d9a88f573aed9808124453f4e05f2
 *    uniform(10) x6 = 1 5 7 3 4 6
 *    civil free {e06..e11}, 3 + 2 reserve: members e07 e06 e09,
 *        reserve e11 e10
 *    elec free {x01..x04}, 2 + 1 (stream continues): x03 x04, reserve x01
 * with "secret-verifier2" instead: civil e07 e06 e09 / e10 e08,
 *    elec x02 x04 / x01 (a different committee).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "engine/core/draw.h"
#include "protocol/hash.h"
#include "protocol/isotime.h"

static uint8_t head[32];
static int64_t now;

static void
add_expert(struct eb_doc *pool, const char *party, const char *person,
    const char *org, const char *spec, const char *status)
{
	struct eb_doc *e = eb_doc_add(pool, "expert");

	eb_doc_set_attr(e, "party", party);
	eb_doc_set_attr(e, "person", person);
	eb_doc_set_attr(e, "name", party);
	eb_doc_set_attr(e, "org", org);
	eb_doc_set_attr(e, "specialty", spec);
	eb_doc_set_attr(e, "status", status);
}

static void
add_appt(struct eb_doc *pool, const char *party, int64_t days_ago)
{
	struct eb_doc *e;
	char iso[EB_ISOTIME_LEN];

	eb_doc_foreach(e, pool, "expert")
		if (strcmp(eb_doc_attr(e, "party"), party) == 0)
			break;
	assert_non_null(e);
	eb_isotime_format(now - days_ago * EB_MS_PER_DAY, iso);
	eb_doc_set_attr(eb_doc_add(e, "appointment"), "at", iso);
	eb_doc_set_attr(e->last, "tender", "T0");
}

/* The pool, listed deliberately out of party order. */
static struct eb_doc *
make_pool(void)
{
	struct eb_doc *p = eb_doc_new("pool");

	add_expert(p, "e11", "P11", "Uni A", "civil", "active");
	add_expert(p, "e01", "P01", "Acme Ltd", "civil", "active");
	add_expert(p, "e02", "P02", "City Water", "civil", "active");
	add_expert(p, "e03", "P03", "Uni B", "civil", "active");
	add_expert(p, "e04", "P04", "Uni C", "civil", "active");
	add_expert(p, "e05", "P05", "Uni D", "civil", "suspended");
	add_expert(p, "e10", "P10", "Uni E", "civil", "active");
	add_expert(p, "e06", "P06", "Uni F", "civil", "active");
	add_expert(p, "e07", "P07", "Uni G", "civil", "active");
	add_expert(p, "e08", "P08", "Uni H", "civil", "active");
	add_expert(p, "e09", "P09", "Uni I", "civil", "active");
	add_expert(p, "x01", "Q01", "Grid 1", "elec", "active");
	add_expert(p, "x02", "Q02", "Grid 2", "elec", "active");
	add_expert(p, "x03", "Q03", "Grid 3", "elec", "active");
	add_expert(p, "x04", "Q04", "Grid 4", "elec", "active");
	add_expert(p, "x05", "Q05", "Beta Co", "elec", "active");
	add_expert(p, "w01", "R01", "Acme Ltd", "water", "active");
	/* e04: three appointments within 90 days -> drawn too often. */
	add_appt(p, "e04", 10);
	add_appt(p, "e04", 40);
	add_appt(p, "e04", 89);
	/* e06: two recent, one exactly 90 days ago (outside the window),
	 * one 200 days ago: only 2 count, so e06 stays free. */
	add_appt(p, "e06", 5);
	add_appt(p, "e06", 60);
	add_appt(p, "e06", 90);
	add_appt(p, "e06", 200);
	return p;
}

static struct eb_doc *
make_request(void)
{
	struct eb_doc *r = eb_doc_new("draw-request"), *s;

	eb_doc_set_attr(r, "tender", "T1");
	eb_doc_set_attr(r, "recent-days", "90");
	eb_doc_set_attr(r, "max-recent", "3");
	eb_doc_set_attr(r, "reserve", "1");
	s = eb_doc_add(r, "seats");
	eb_doc_set_attr(s, "specialty", "civil");
	eb_doc_set_attr(s, "count", "3");
	eb_doc_set_attr(s, "reserve", "2");
	s = eb_doc_add(r, "seats");
	eb_doc_set_attr(s, "specialty", "elec");
	eb_doc_set_attr(s, "count", "2");
	eb_doc_add_text(r, "bidder-org", "Acme Ltd");
	eb_doc_add_text(r, "bidder-org", "Beta Co");
	eb_doc_add_text(r, "tenderer-org", "City Water");
	eb_doc_set_attr(eb_doc_add(r, "avoid"), "person", "P03");
	return r;
}

static void
seed_of(const char *second, uint8_t seed[32])
{
	const char *rev[2] = { second, "secret-supervisor" };

	assert_int_equal(eb_draw_seed(head, rev, 2, seed), EB_OK);
}

static int
setup(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < 32; i++)
		head[i] = (uint8_t)i;
	assert_int_equal(eb_isotime_parse("2026-11-25T12:00:00.000Z", &now), 0);
	return 0;
}

static void
test_seed_and_stream(void **state)
{
	uint8_t s1[32], s2[32], zero[32] = { 0 };
	char hex[EB_SHA256_HEX];
	const char *ab[2] = { "b", "a" }, *split1[2] = { "ab", "c" },
	    *split2[2] = { "a", "bc" }, *bad[1] = { "" };
	struct eb_draw_stream st;
	static const uint64_t want[6] = { 1, 5, 7, 3, 4, 6 };
	int i;

	(void)state;
	seed_of("secret-verifier", s1);
	eb_hex32(s1, hex);
	assert_string_equal(hex, "bf0c0f05c1cd9e84c1ef3798e6b19eab"
	    "be1d9a88f573aed9808124453f4e05f2");
	/* Order of revelation does not matter. */
	{
		const char *rev[2] = { "secret-supervisor", "secret-verifier" };

		assert_int_equal(eb_draw_seed(head, rev, 2, s2), EB_OK);
		assert_memory_equal(s1, s2, 32);
	}
	assert_int_equal(eb_draw_seed(zero, ab, 2, s2), EB_OK);
	eb_hex32(s2, hex);
	assert_string_equal(hex, "8d7fe6c7f3732c5909f8a7091bfd325c"
	    "f77f1ca9c1c555a57e1bb97d6d2617f1");
	/* The length prefix keeps "ab"+"c" apart from "a"+"bc". */
	assert_int_equal(eb_draw_seed(zero, split1, 2, s1), EB_OK);
	assert_int_equal(eb_draw_seed(zero, split2, 2, s2), EB_OK);
	assert_memory_not_equal(s1, s2, 32);
	assert_int_equal(eb_draw_seed(zero, bad, 1, s1), EB_ERR_USAGE);
	assert_int_equal(eb_draw_seed(zero, ab, 0, s1), EB_ERR_USAGE);
	/* The stream. */
	seed_of("secret-verifier", s1);
	eb_draw_stream_init(&st, s1);
	for (i = 0; i < 6; i++)
		assert_true(eb_draw_uniform(&st, 10) == want[i]);
	assert_true(eb_draw_uniform(&st, 1) == 0);
	/* Commitments. */
	eb_sha256_hex("secret-verifier", strlen("secret-verifier"), hex);
	assert_int_equal(eb_draw_check_reveal(hex, "secret-verifier"), 1);
	assert_int_equal(eb_draw_check_reveal(hex, "secret-verifier2"), 0);
	hex[0] = hex[0] == 'a' ? 'b' : 'a';
	assert_int_equal(eb_draw_check_reveal(hex, "secret-verifier"), 0);
}

/* "member:e07,member:e06,..." of a committee, for compact asserts. */
static void
summary(const struct eb_doc *c, char *out, size_t n)
{
	const struct eb_doc *x;

	out[0] = '\0';
	eb_doc_foreach(x, c, NULL) {
		size_t l = strlen(out);

		snprintf(out + l, n - l, "%s%s:%s%s%s", l ? "," : "", x->name,
		    eb_doc_attr(x, "party"),
		    eb_doc_attr(x, "reason") ? "=" : "",
		    eb_doc_attr(x, "reason") ? eb_doc_attr(x, "reason") : "");
	}
}

static void
test_committee_conflicts_and_determinism(void **state)
{
	struct eb_doc *pool = make_pool(), *req = make_request();
	struct eb_doc *c1 = NULL, *c2 = NULL, *c3 = NULL;
	struct eb_buf b1 = EB_BUF_INIT, b2 = EB_BUF_INIT;
	struct eb_error err;
	uint8_t seed[32];
	char sum[1024];

	(void)state;
	seed_of("secret-verifier", seed);
	assert_int_equal(eb_draw_committee(pool, req, seed, now, &c1, &err),
	    EB_OK);
	summary(c1, sum, sizeof(sum));
	assert_string_equal(sum,
	    "member:e07,member:e06,member:e09,member:x03,member:x04,"
	    "reserve:e11,reserve:e10,reserve:x01,"
	    "excluded:e01=employer-is-bidder,"
	    "excluded:e02=employer-is-tenderer,"
	    "excluded:e03=avoidance-list,"
	    "excluded:e04=drawn-too-often,"
	    "excluded:e05=suspended,"
	    "excluded:x05=employer-is-bidder");
	assert_string_equal(eb_doc_attr(c1, "tender"), "T1");
	assert_string_equal(eb_doc_attr(c1, "at"), "2026-11-25T12:00:00.000Z");
	assert_string_equal(eb_doc_attr(c1->first, "order"), "1");
	assert_string_equal(eb_doc_attr(c1->first, "person"), "P07");
	assert_string_equal(eb_doc_attr(c1->first, "org"), "Uni G");
	assert_null(eb_doc_attr(c1, "reserve-short"));

	/* The same log and reveals give the same bytes, whatever the order
	 * of the pool view. */
	{
		struct eb_doc *e = pool->first;

		eb_doc_detach(e);
		eb_doc_append(pool, e);
	}
	assert_int_equal(eb_draw_committee(pool, req, seed, now, &c2, &err),
	    EB_OK);
	assert_int_equal(eb_doc_serialize(c1, &b1), EB_OK);
	assert_int_equal(eb_doc_serialize(c2, &b2), EB_OK);
	assert_int_equal(b1.len, b2.len);
	assert_memory_equal(b1.data, b2.data, b1.len);

	/* A different reveal gives a different committee. */
	seed_of("secret-verifier2", seed);
	assert_int_equal(eb_draw_committee(pool, req, seed, now, &c3, &err),
	    EB_OK);
	summary(c3, sum, sizeof(sum));
	assert_string_equal(sum,
	    "member:e07,member:e06,member:e09,member:x02,member:x04,"
	    "reserve:e10,reserve:e08,reserve:x01,"
	    "excluded:e01=employer-is-bidder,"
	    "excluded:e02=employer-is-tenderer,"
	    "excluded:e03=avoidance-list,"
	    "excluded:e04=drawn-too-often,"
	    "excluded:e05=suspended,"
	    "excluded:x05=employer-is-bidder");
	assert_false(eb_doc_equal(c1, c3));
	eb_buf_free(&b1);
	eb_buf_free(&b2);
	eb_doc_free(c1);
	eb_doc_free(c2);
	eb_doc_free(c3);
	eb_doc_free(pool);
	eb_doc_free(req);
}

static void
test_replacement_from_reserve(void **state)
{
	struct eb_doc *pool = make_pool(), *req = make_request();
	struct eb_doc *c = NULL, *c2 = NULL, *c3 = NULL, *c4 = NULL, *m;
	struct eb_error err;
	uint8_t seed[32];
	char sum[1024];

	(void)state;
	seed_of("secret-verifier", seed);
	assert_int_equal(eb_draw_committee(pool, req, seed, now, &c, &err),
	    EB_OK);
	/* e06 (civil, order 2) refuses: the first civil reserve e11 sits. */
	assert_int_equal(eb_draw_replace(c, "e06", &c2, &err), EB_OK);
	summary(c2, sum, sizeof(sum));
	assert_string_equal(sum,
	    "member:e07,member:e11,member:e09,member:x03,member:x04,"
	    "reserve:e10,reserve:x01,"
	    "excluded:e01=employer-is-bidder,"
	    "excluded:e02=employer-is-tenderer,"
	    "excluded:e03=avoidance-list,"
	    "excluded:e04=drawn-too-often,"
	    "excluded:e05=suspended,"
	    "excluded:x05=employer-is-bidder,refused:e06");
	m = eb_doc_next(c2->first, "member");
	assert_string_equal(eb_doc_attr(m, "order"), "2");
	assert_string_equal(eb_doc_attr(m, "replaces"), "e06");
	/* An elec member is replaced only by an elec reserve. */
	assert_int_equal(eb_draw_replace(c2, "x04", &c3, &err), EB_OK);
	assert_int_equal(eb_draw_replace(c3, "x03", &c4, &err),
	    EB_ERR_RULE);
	assert_string_equal(err.reason, "reserve-exhausted");
	assert_null(c4);
	assert_int_equal(eb_draw_replace(c3, "e06", &c4, &err),
	    EB_ERR_NOTFOUND);
	assert_string_equal(err.reason, "not-a-member");
	eb_doc_free(c);
	eb_doc_free(c2);
	eb_doc_free(c3);
	eb_doc_free(pool);
	eb_doc_free(req);
}

static void
test_not_enough_experts(void **state)
{
	struct eb_doc *pool = make_pool(), *req = make_request(), *c = NULL;
	struct eb_error err;
	uint8_t seed[32];

	(void)state;
	seed_of("secret-verifier", seed);
	/* Only 4 elec experts are free of conflicts (x05 works for Beta). */
	eb_doc_set_attr(eb_doc_next(req->first, "seats"), "count", "5");
	assert_int_equal(eb_draw_committee(pool, req, seed, now, &c, &err),
	    EB_ERR_RULE);
	assert_string_equal(err.reason, "not-enough-experts");
	assert_non_null(strstr(err.primary, "elec"));
	assert_non_null(strstr(err.detail, "needs 5"));
	assert_non_null(strstr(err.detail, "4 of 5"));
	assert_null(c);
	/* Members suffice but the reserve runs short: recorded, not refused. */
	eb_doc_set_attr(eb_doc_next(req->first, "seats"), "count", "4");
	assert_int_equal(eb_draw_committee(pool, req, seed, now, &c, &err),
	    EB_OK);
	assert_string_equal(eb_doc_attr(c, "reserve-short"), "1");
	assert_int_equal(eb_doc_count(c, "member"), 7);
	eb_doc_free(c);
	c = NULL;
	/* A request naming no seats is malformed. */
	eb_doc_free(req);
	req = eb_doc_new("draw-request");
	assert_int_equal(eb_draw_committee(pool, req, seed, now, &c, &err),
	    EB_ERR_FORMAT);
	eb_doc_free(req);
	eb_doc_free(pool);
}

/* A rating of 'party' 'days_ago' days before now. */
static void
add_rating(struct eb_doc *pool, const char *party, int64_t days_ago,
    const char *score, const char *unexplained)
{
	struct eb_doc *e, *r;
	char iso[EB_ISOTIME_LEN];

	eb_doc_foreach(e, pool, "expert")
		if (strcmp(eb_doc_attr(e, "party"), party) == 0)
			break;
	assert_non_null(e);
	eb_isotime_format(now - days_ago * EB_MS_PER_DAY, iso);
	r = eb_doc_add(e, "rating");
	eb_doc_set_attr(r, "at", iso);
	eb_doc_set_attr(r, "tender", "T0");
	eb_doc_set_attr(r, "score", score);
	eb_doc_set_attr(r, "unexplained", unexplained);
}

/*
 * The pool's rating rule (docs/registries.md): mean score in the window
 * below min-percent, or more unexplained deviations than allowed; old
 * ratings and a mean exactly at the threshold do not exclude.
 */
static void
test_rating_rule(void **state)
{
	struct eb_doc *pool = make_pool(), *req = make_request(), *c = NULL;
	struct eb_doc *rule, *x;
	struct eb_error err;
	uint8_t seed[32];
	char sum[1024];

	(void)state;
	seed_of("secret-verifier", seed);
	rule = eb_doc_add(eb_doc_new("assessment"), "draw-rule");
	eb_doc_set_attr(rule, "period-days", "365");
	eb_doc_set_attr(rule, "min-percent", "60");
	eb_doc_set_attr(rule, "max-unexplained", "1");
	eb_doc_append(pool, rule->parent);
	add_rating(pool, "e07", 10, "5000", "0");   /* mean 5500 < 6000 */
	add_rating(pool, "e07", 20, "6000", "0");
	add_rating(pool, "e08", 10, "6000", "0");   /* at the threshold */
	add_rating(pool, "e09", 400, "1000", "5");  /* outside the window */
	add_rating(pool, "x01", 30, "9000", "1");   /* 2 unexplained > 1 */
	add_rating(pool, "x01", 31, "9000", "1");
	assert_int_equal(eb_draw_committee(pool, req, seed, now, &c, &err),
	    EB_OK);
	summary(c, sum, sizeof(sum));
	assert_non_null(strstr(sum, "excluded:e07=rating-below-threshold"));
	assert_non_null(strstr(sum, "excluded:x01=unexplained-deviations"));
	assert_null(strstr(sum, "excluded:e08"));
	assert_null(strstr(sum, "excluded:e09"));
	eb_doc_free(c);
	c = NULL;
	/* a malformed rule is refused, not ignored */
	eb_doc_set_attr(rule, "period-days", "0");
	assert_int_equal(eb_draw_committee(pool, req, seed, now, &c, &err),
	    EB_ERR_FORMAT);
	assert_null(c);
	/* without the rule nobody is excluded for ratings */
	x = rule->parent;
	eb_doc_detach(x);
	eb_doc_free(x);
	assert_int_equal(eb_draw_committee(pool, req, seed, now, &c, &err),
	    EB_OK);
	summary(c, sum, sizeof(sum));
	assert_null(strstr(sum, "e07=rating"));
	eb_doc_free(c);
	eb_doc_free(req);
	eb_doc_free(pool);
}

static void
test_one_person_one_seat(void **state)
{
	struct eb_doc *pool = eb_doc_new("pool"), *req = eb_doc_new(
	    "draw-request"), *c = NULL, *s;
	struct eb_error err;
	uint8_t seed[32];
	char sum[512];

	(void)state;
	/* P1 holds two certificates, civil and elec. */
	add_expert(pool, "a1", "P1", "U1", "civil", "active");
	add_expert(pool, "a2", "P2", "U2", "civil", "active");
	add_expert(pool, "b1", "P1", "U1", "elec", "active");
	add_expert(pool, "b2", "P3", "U3", "elec", "active");
	/* P3 holds a second elec certificate: one candidate only. */
	add_expert(pool, "b3", "P3", "U3", "elec", "active");
	s = eb_doc_add(req, "seats");
	eb_doc_set_attr(s, "specialty", "civil");
	eb_doc_set_attr(s, "count", "2");
	s = eb_doc_add(req, "seats");
	eb_doc_set_attr(s, "specialty", "elec");
	eb_doc_set_attr(s, "count", "1");
	seed_of("secret-verifier", seed);
	assert_int_equal(eb_draw_committee(pool, req, seed, now, &c, &err),
	    EB_OK);
	summary(c, sum, sizeof(sum));
	/* Both civil experts sit, so b1 (P1 again) cannot: b2 is drawn. */
	assert_non_null(strstr(sum, "member:b2"));
	assert_non_null(strstr(sum, "excluded:b1=already-drawn"));
	assert_non_null(strstr(sum, "excluded:b3=duplicate-person"));
	assert_null(strstr(sum, "member:b3"));
	eb_doc_free(c);
	eb_doc_free(pool);
	eb_doc_free(req);
}

/*
 * Property over 500 seeds: members and reserves never include a
 * conflicted expert, never repeat a person, always have the requested
 * sizes; and every free civil expert is seated by some seed (no
 * candidate is starved by the selection).
 */
static void
test_many_seeds_never_conflicted(void **state)
{
	struct eb_doc *pool = make_pool(), *req = make_request(), *c = NULL;
	const struct eb_doc *m, *m2;
	struct eb_error err;
	uint8_t seed[32];
	unsigned i;
	int seated[12] = { 0 };

	(void)state;
	for (i = 0; i < 500; i++) {
		eb_sha256(&i, sizeof(i), seed);
		assert_int_equal(eb_draw_committee(pool, req, seed, now, &c,
		    &err), EB_OK);
		assert_int_equal(eb_doc_count(c, "member"), 5);
		assert_int_equal(eb_doc_count(c, "reserve"), 3);
		assert_int_equal(eb_doc_count(c, "excluded"), 6);
		eb_doc_foreach(m, c, NULL) {
			const char *p = eb_doc_attr(m, "party");

			if (strcmp(m->name, "excluded") == 0)
				continue;
			assert_true(strcmp(p, "e01") && strcmp(p, "e02") &&
			    strcmp(p, "e03") && strcmp(p, "e04") &&
			    strcmp(p, "e05") && strcmp(p, "x05"));
			if (strcmp(m->name, "member") == 0 && p[0] == 'e')
				seated[(p[1] - '0') * 10 + (p[2] - '0')]++;
			for (m2 = m->next; m2 != NULL; m2 = m2->next)
				if (strcmp(m2->name, "excluded") != 0)
					assert_string_not_equal(
					    eb_doc_attr(m2, "person"),
					    eb_doc_attr(m, "person"));
		}
		eb_doc_free(c);
		c = NULL;
	}
	/* e06..e11 are free: each is seated by some seed. */
	for (i = 6; i <= 11; i++)
		assert_true(seated[i] > 0);
	eb_doc_free(pool);
	eb_doc_free(req);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seed_and_stream),
		cmocka_unit_test(test_committee_conflicts_and_determinism),
		cmocka_unit_test(test_replacement_from_reserve),
		cmocka_unit_test(test_not_enough_experts),
		cmocka_unit_test(test_one_person_one_seat),
		cmocka_unit_test(test_rating_rule),
		cmocka_unit_test(test_many_seeds_never_conflicted),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
