/*
 * tests/unit/tender_fixture.h
 *    Test fixture for the tender flow (shared by test_tender.c,
 *    test_tender_table.c, test_tender_property.c and test_views.c): the
 *    cast of actors, a minimal valid body for every command in the
 *    fixture's standard situation, and a real command path to every
 *    state.
 *
 * Owner: the tender-flow engineer.  A small library (target
 * eb_tender_fixture, tests/unit/tender.cmake), as testpki.c: no global
 * state; each struct fx is one independent tender.
 *
 * The standard tender: T0 = 2026-01-01T00:00:00Z; registered at T0;
 * deadline T0+30d; opening deadline+1h; notice 15 days; publicity 3 days;
 * committee 3; custodians c1 c2 c3, threshold 2.  Bidders b1..b4 sign up
 * and are confirmed, b5 stays pending; b1..b4 bid (commitment =
 * SHA-256("bid-bN")).  Officers reg1 / sup1 / ver1 of "Centre"; the
 * tenderer ten1 of "City Water"; experts e1..e3 (e4.. for replacements).
 */
#ifndef TENDER_FIXTURE_H
#define TENDER_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/core/tender.h"
#include "protocol/hash.h"
#include "protocol/isotime.h"

#define FX_T0 ((int64_t)1767225600000)   /* 2026-01-01T00:00:00.000Z */
#define FX_DAY EB_MS_PER_DAY
#define FX_HOUR ((int64_t)3600000)
#define FX_DEADLINE (FX_T0 + 30 * FX_DAY)
#define FX_OPENING (FX_DEADLINE + FX_HOUR)

/* The ceiling price of the standard registration (fen). */
#define FX_CEILING ((int64_t)1000000000)

struct fx {
	void *t;
	int64_t now;
	int64_t ceiling;         /* of the registrations it sends: FX_CEILING
	                            unless a test lowers it before fx_goto() */
	int lots;                /* set before fx_goto(): a tender in lots A
	                            and B (award="lowest-total"), each bid
	                            priced in both (fx_lot_a), b1 offering
	                            10 % off B if it wins A */
	struct eb_doc *log;      /* every applied event, in order */
	int last_rc;
	struct eb_error err;
};

#define FX_REG fx_party(EB_ROLE_REGISTRAR, "reg1")
#define FX_SUP fx_party(EB_ROLE_SUPERVISOR, "sup1")
#define FX_VER fx_party(EB_ROLE_VERIFIER, "ver1")
#define FX_SYS fx_party(EB_ROLE_SYSTEM, "ebidd")
#define FX_TEN fx_party(EB_ROLE_TENDERER, "ten1")

/* Prices of the fixture's opened bids, by bidder number. */
extern const int64_t fx_prices[8];

struct eb_actor fx_actor(enum eb_role role, const char *party, const char *org);

struct eb_actor fx_party(enum eb_role role, const char *party);

void fx_init(struct fx *f);

void fx_free(struct fx *f);

void fx_hex(const char *s, char hex[EB_SHA256_HEX]);

void fx_time(struct eb_doc *parent, const char *name, int64_t ms);

/* Decide and, on success, apply; events are appended to f->log.  Returns
 * the decide/apply code (err in f->err). */
int fx_do(struct fx *f, const struct eb_actor *a, struct eb_doc *body);

/* Like fx_do, but abort the test binary when it fails: for paths. */
void fx_must(struct fx *f, const struct eb_actor *a, struct eb_doc *body);

/* The standard registration (a <register-tender> or <resubmit-registration>
 * body named 'name'), with the standard ceiling price, or 'ceiling'. */
struct eb_doc *fx_registration(const char *name, int64_t deadline);

struct eb_doc *fx_registration_at(const char *name, int64_t deadline,
    int64_t ceiling);

struct eb_doc *fx_reasoned(const char *name, const char *reason);

struct eb_doc *fx_with_attr(const char *name, const char *attr, const char *v);

struct eb_doc *fx_bid_body(const char *bidder);

/* A valid <bid> (bid.xsd) for bidder 'p' at price fx_prices[i]: one
 * bill line of 1000 m at price / 1000 fen, the bidder's own text,
 * machine and contact. */
struct eb_doc *fx_bid_doc(const char *p, int i);

/* open-bids with every held bid opened (a valid <bid> each) except
 * those named in 'invalid' (a space-separated list). */
struct eb_doc *fx_open_body(const struct fx *f, const char *invalid);
/* The lot A price of bidder number i (f->lots); lot B is the rest. */
extern const int64_t fx_lot_a[8];

/*
 * The expert pool's view (as the pool aggregate shows it): e1..e7 of
 * specialty "water", each its own person and organisation, plus e8 of
 * the tenderer's organisation and e9 of bidder b1's, whom the draw must
 * avoid.
 */
struct eb_doc *fx_pool(void);

/* draw-experts with the supervisor's reveal and the pool's view. */
struct eb_doc *fx_draw_body(const char *reveal);

/* request-draw: SHA-256("supervisor-secret"), 3 water seats, 2 reserves. */
struct eb_doc *fx_request_draw(void);

/* The party of the n-th (from 0) committee member with 'status'
 * ("pending", "accepted", "declined"; NULL: any), or NULL.  The draw is
 * seeded by the log, so the fixture reads who was drawn. */
const char *fx_member(const struct fx *f, const char *status, int n,
    char out[16]);

/*
 * A score sheet of expert 'expert' (eN) on criterion "tech": every bidder
 * valid after clearing gets base + (N - 1) % 3, with base b1 60, b2 65,
 * b3 50, b4 55, others 52 (so the ranking is b2, b1, b4, b3 with the
 * fixture's prices: see test_tender.c).
 */
struct eb_doc *fx_scores(const struct fx *f, const char *expert);

/* close-evaluation: the rules rank the bids, the command names none. */
struct eb_doc *fx_close_eval(void);

struct eb_doc *fx_text(const char *name, const char *text);

struct eb_doc *fx_amend(void);

void fx_step(struct fx *f, struct eb_actor a, struct eb_doc *body);

/* Drive a fresh fixture to 'target' by the standard path.  'nbids' bids
 * (b1..) are submitted on the way (4 for the full path).  In evaluation,
 * 'ready' has every expert accept and score (else only e1 accepts). */
void fx_goto_n(struct fx *f, enum eb_tender_state target, int nbids, int ready);

void fx_goto(struct fx *f, enum eb_tender_state target);

/* The system view (sees everything), for bodies that need the state. */
struct eb_doc *fx_sysview(const struct fx *f);

/* First child of view section 'sec' named 'el' whose 'attr' is 'v'. */
const char *fx_first_attr(const struct eb_doc *v, const char *path,
    const char *el, const char *attr, const char *v2, const char *want);

/*
 * A minimal valid body for 'command' in the fixture's current situation.
 * Where the body depends on the state (pending sign-up, open objection,
 * open seats, candidates) it is read from the system view.
 */
struct eb_doc *fx_min_body(struct fx *f, const char *command);

/* The natural actor of 'role' for 'command' in the fixture's state. */
struct eb_actor fx_natural(const struct fx *f, enum eb_role role,
    const char *command);

/* Canonical bytes of the system view (caller frees). */
char *fx_canon(const struct fx *f);

#endif
