/*
 * tests/unit/tender_fixture.c
 *    The tender test fixture: see tender_fixture.h.
 */
#include "tests/unit/tender_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct eb_actor
fx_actor(enum eb_role role, const char *party, const char *org)
{
	struct eb_actor a;

	memset(&a, 0, sizeof(a));
	a.role = role;
	snprintf(a.party, sizeof(a.party), "%s", party);
	snprintf(a.person, sizeof(a.person), "P-%s", party);
	snprintf(a.org, sizeof(a.org), "%s", org);
	snprintf(a.name, sizeof(a.name), "%s", party);
	return a;
}

struct eb_actor
fx_party(enum eb_role role, const char *party)
{
	char org[64];

	switch (role) {
	case EB_ROLE_REGISTRAR:
	case EB_ROLE_SUPERVISOR:
	case EB_ROLE_VERIFIER:
	case EB_ROLE_AUDITOR:
	case EB_ROLE_SYSTEM:
		return fx_actor(role, party, "Centre");
	case EB_ROLE_TENDERER:
		return fx_actor(role, party, "City Water");
	default:
		snprintf(org, sizeof(org), "Org-%s", party);
		return fx_actor(role, party, org);
	}
}

void
fx_init(struct fx *f)
{
	memset(f, 0, sizeof(*f));
	f->t = eb_tender_flow.create("T1");
	f->now = FX_T0;
	f->ceiling = FX_CEILING;
	f->log = eb_doc_new("events");
}

void
fx_free(struct fx *f)
{
	eb_tender_flow.destroy(f->t);
	eb_doc_free(f->log);
	f->t = NULL;
	f->log = NULL;
}

void
fx_hex(const char *s, char hex[EB_SHA256_HEX])
{
	eb_sha256_hex(s, strlen(s), hex);
}

void
fx_time(struct eb_doc *parent, const char *name, int64_t ms)
{
	char b[EB_ISOTIME_LEN];

	eb_isotime_format(ms, b);
	eb_doc_add_text(parent, name, b);
}

/* Decide and, on success, apply; events are appended to f->log.  Returns
 * the decide/apply code (err in f->err). */
int
fx_do(struct fx *f, const struct eb_actor *a, struct eb_doc *body)
{
	struct eb_cmd c;
	struct eb_doc *ev = NULL, *e;
	int rc;

	memset(&c, 0, sizeof(c));
	eb_error_clear(&f->err);
	c.body = body;
	c.actor = *a;
	snprintf(c.target, sizeof(c.target), "T1");
	c.time = f->now;
	rc = eb_tender_flow.decide(f->t, &c, &ev, &f->err);
	if (rc == EB_OK) {
		rc = eb_tender_flow.apply(f->t, ev, &f->err);
		while (rc == EB_OK && (e = ev->first) != NULL) {
			eb_doc_detach(e);
			eb_doc_append(f->log, e);
		}
	}
	eb_doc_free(ev);
	eb_doc_free(body);
	f->last_rc = rc;
	return rc;
}

/* Like fx_do, but abort the test binary when it fails: for paths. */
void
fx_must(struct fx *f, const struct eb_actor *a, struct eb_doc *body)
{
	char name[64];

	snprintf(name, sizeof(name), "%s", body->name);
	if (fx_do(f, a, body) != EB_OK) {
		fprintf(stderr, "fixture step %s by %s failed: %s: %s (%s)\n",
		    name, a->party, f->err.reason, f->err.primary,
		    f->err.detail);
		abort();
	}
}

struct eb_doc *
fx_registration_at(const char *name, int64_t deadline, int64_t ceiling)
{
	struct eb_doc *b = eb_doc_new(name), *x, *y;
	char hex[EB_SHA256_HEX];

	eb_doc_add_text(b, "title", "Water main renewal, lot 1");
	x = eb_doc_add(b, "documents");
	y = eb_doc_add(x, "document");
	fx_hex("tender-documents-v1", hex);
	eb_doc_set_attr(y, "name", "documents.pdf");
	eb_doc_set_attr(y, "sha256", hex);
	x = eb_doc_add(b, "qualification");
	eb_doc_add_text(x, "requirement", "Grade II municipal works licence");
	/* comprehensive scoring: price 30 points on the lowest valid price,
	 * one expert criterion "tech" of 70 points on a 0.5 grid */
	x = eb_doc_add(b, "rules");
	/* read aloud at the opening (唱标) besides bidder and price */
	y = eb_doc_add(eb_doc_add(x, "read-aloud"), "field");
	eb_doc_set_attr(y, "path", "completion-days");
	y = eb_doc_add(x, "evaluation-rules");
	eb_doc_set_attr(y, "method", "comprehensive");
	y = eb_doc_add(y, "price-formula");
	eb_doc_set_attr(y, "kind", "lowest-benchmark");
	eb_doc_set_attr(y, "max", "30");
	y = eb_doc_add(eb_doc_child(x, "evaluation-rules"), "criterion");
	eb_doc_set_attr(y, "id", "tech");
	eb_doc_set_attr(y, "name", "Technical plan");
	eb_doc_set_attr(y, "max", "70");
	eb_doc_set_attr(y, "step", "0.5");
	snprintf(hex, sizeof(hex), "%lld", (long long)ceiling);
	eb_doc_add_text(b, "ceiling-price", hex);
	fx_time(b, "bid-deadline", deadline);
	fx_time(b, "opening-time", deadline + FX_HOUR);
	eb_doc_add_text(b, "committee-size", "3");
	x = eb_doc_add(b, "custodians");
	eb_doc_set_attr(x, "threshold", "2");
	eb_doc_set_attr(eb_doc_add(x, "custodian"), "party", "c1");
	eb_doc_set_attr(eb_doc_add(x, "custodian"), "party", "c2");
	eb_doc_set_attr(eb_doc_add(x, "custodian"), "party", "c3");
	return b;
}

/* The standard registration with the standard ceiling price. */
struct eb_doc *
fx_registration(const char *name, int64_t deadline)
{
	return fx_registration_at(name, deadline, FX_CEILING);
}

struct eb_doc *
fx_reasoned(const char *name, const char *reason)
{
	struct eb_doc *b = eb_doc_new(name);

	eb_doc_add_text(b, "reason", reason);
	return b;
}

struct eb_doc *
fx_with_attr(const char *name, const char *attr, const char *v)
{
	struct eb_doc *b = eb_doc_new(name);

	eb_doc_set_attr(b, attr, v);
	return b;
}

struct eb_doc *
fx_bid_body(const char *bidder)
{
	struct eb_doc *b = eb_doc_new("submit-bid");
	char hex[EB_SHA256_HEX], seed[64];

	snprintf(seed, sizeof(seed), "bid-%s", bidder);
	fx_hex(seed, hex);
	eb_doc_add_text(b, "envelope", "TUlJQmlkRW52ZWxvcGU=");
	eb_doc_add_text(b, "commitment", hex);
	return b;
}

/* Prices of the fixture's opened bids, by bidder number (irregular
 * steps, so the clearing sees no price pattern). */
const int64_t fx_prices[8] = { 900000000, 917300000, 931000000,
    958700000, 962100000, 970400000, 981500000, 990200000 };

/* A valid <bid> (bid.xsd) for bidder 'p' at price fx_prices[i]: one
 * bill line of 1000 m at price / 1000 fen, the bidder's own text,
 * machine and contact. */
struct eb_doc *
fx_bid_doc(const char *p, int i)
{
	static const char *const tech[8] = {
	    "Trenchless relining of the main with cured-in-place pipe.",
	    "Open-cut replacement in four night shifts per block.",
	    "Pipe bursting from six launch pits along the avenue.",
	    "Slip lining with polyethylene and grouted annulus.",
	    "Directional drilling under the river crossing first.",
	    "Segmental replacement coordinated with the tram works.",
	    "Prefabricated chambers and a two-crew rotation.",
	    "Spray lining after camera survey of every joint." };
	struct eb_doc *b = eb_doc_new("bid"), *x, *l;
	char v[96];
	int64_t price = fx_prices[i & 7];

	eb_doc_set_attr(b, "tender", "T1");
	snprintf(v, sizeof(v), "%lld", (long long)price);
	eb_doc_add_text(b, "total-price", v);
	x = eb_doc_add(b, "lines");
	l = eb_doc_add(x, "line");
	eb_doc_set_attr(l, "no", "1");
	eb_doc_set_attr(l, "code", "040501001");
	eb_doc_set_attr(l, "unit", "m");
	eb_doc_set_attr(l, "quantity", "1000");
	eb_doc_set_attr_i64(l, "unit-price", price / 1000);
	eb_doc_set_attr_i64(l, "total", price);
	eb_doc_add(b, "qualifications");
	eb_doc_add(b, "sections");
	eb_doc_add_text(b, "technical", tech[i & 7]);
	x = eb_doc_add(b, "metadata");
	eb_doc_add_text(x, "client-version", "ebid 0.1");
	snprintf(v, sizeof(v), "machine-%s", p);
	eb_doc_add_text(x, "machine-fingerprint", v);
	snprintf(v, sizeof(v), "2026-01-05T%02d:17:00.000Z", 8 + i);
	eb_doc_add_text(x, "created", v);
	x = eb_doc_add(b, "contact");
	snprintf(v, sizeof(v), "Manager of %s", p);
	eb_doc_add_text(x, "name", v);
	snprintf(v, sizeof(v), "+86-538-100-%04d", i);
	eb_doc_add_text(x, "phone", v);
	snprintf(v, sizeof(v), "tender@%s.example.cn", p);
	eb_doc_add_text(x, "email", v);
	snprintf(v, sizeof(v), "%d Taishan Road", 10 + i);
	eb_doc_add_text(x, "address", v);
	snprintf(v, sizeof(v), "%d", 180 + 10 * i);
	eb_doc_add_text(b, "completion-days", v);
	return b;
}

const int64_t fx_lot_a[8] = { 350000000, 340000000, 380000000,
    400000000, 400000000, 400000000, 400000000, 400000000 };

/* The <lots> of bid i in a tender in lots (f->lots): A fx_lot_a[i], B
 * the rest of fx_prices[i]; b1 (i 0) 10 % off B if it wins A too. */
static void
fx_bid_lots(struct eb_doc *bid, int i)
{
	struct eb_doc *ls = eb_doc_add(bid, "lots"), *l;
	char v[32];

	l = eb_doc_add(ls, "lot");
	eb_doc_set_attr(l, "id", "A");
	snprintf(v, sizeof(v), "%lld", (long long)fx_lot_a[i & 7]);
	eb_doc_add_text(l, "total-price", v);
	l = eb_doc_add(ls, "lot");
	eb_doc_set_attr(l, "id", "B");
	snprintf(v, sizeof(v), "%lld", (long long)(fx_prices[i & 7] -
	    fx_lot_a[i & 7]));
	eb_doc_add_text(l, "total-price", v);
	if (i == 0) {
		l = eb_doc_add(ls, "linked-discount");
		eb_doc_set_attr(l, "lot", "B");
		eb_doc_set_attr(l, "if-won", "A");
		eb_doc_set_attr(l, "percent", "10");
	}
}

/* open-bids with every held bid opened (a valid <bid> each) except
 * those named in 'invalid' (a space-separated list). */
struct eb_doc *
fx_open_body(const struct fx *f, const char *invalid)
{
	struct eb_doc *b = eb_doc_new("open-bids"), *v, *bids, *r;
	const struct eb_doc *bid;
	struct eb_actor sys = fx_party(EB_ROLE_SYSTEM, "ebidd");
	int i = 0;

	v = eb_tender_flow.view(f->t, &sys);
	bids = eb_doc_child(v, "bids");
	for (bid = bids != NULL ? bids->first : NULL; bid != NULL;
	    bid = bid->next, i++) {
		const char *p = eb_doc_attr(bid, "bidder");

		r = eb_doc_add(b, "bid-result");
		eb_doc_set_attr(r, "bidder", p);
		eb_doc_set_attr(r, "commitment", eb_doc_attr(bid, "commitment"));
		if (invalid != NULL && strstr(invalid, p) != NULL) {
			eb_doc_set_attr(r, "status", "invalid");
			eb_doc_set_attr(r, "cause", "decryption-failed");
			eb_doc_set_attr(r, "fault", "bidder");
			continue;
		}
		eb_doc_set_attr(r, "status", "opened");
		eb_doc_set_attr_i64(r, "total-price", fx_prices[i & 7]);
		eb_doc_append(r, fx_bid_doc(p, i));
		if (f->lots)
			fx_bid_lots(r->last, i);
		/* the inner SignedData (base64), as protocol/opening.c adds */
		eb_doc_add_text(r, "inner", "SU5ORVItU0lHTkVELUJJRA==");
	}
	eb_doc_free(v);
	return b;
}

/*
 * The expert pool's view (as the pool aggregate shows it): e1..e7 of
 * specialty "water", each its own person and organisation, plus e8 of
 * the tenderer's organisation and e9 of bidder b1's, whom the draw must
 * avoid.
 */
struct eb_doc *
fx_pool(void)
{
	struct eb_doc *p = eb_doc_new("pool"), *e;
	char v[32];
	int i;

	eb_doc_set_attr(p, "id", "pool");
	eb_doc_set_attr(p, "experts", "9");

	for (i = 1; i <= 9; i++) {
		e = eb_doc_add(p, "expert");
		snprintf(v, sizeof(v), "e%d", i);
		eb_doc_set_attr(e, "party", v);
		eb_doc_set_attr(e, "name", v);
		snprintf(v, sizeof(v), "P-e%d", i);
		eb_doc_set_attr(e, "person", v);
		snprintf(v, sizeof(v), "Org-e%d", i);
		eb_doc_set_attr(e, "org", i == 8 ? "City Water" :
		    i == 9 ? "Org-b1" : v);
		eb_doc_set_attr(e, "specialty", "water");
		eb_doc_set_attr(e, "status", "active");
	}
	return p;
}

/* draw-experts with the supervisor's reveal and the pool's view. */
struct eb_doc *
fx_draw_body(const char *reveal)
{
	struct eb_doc *b = eb_doc_new("draw-experts");

	eb_doc_add_text(b, "reveal", reveal);
	eb_doc_append(b, fx_pool());
	return b;
}

/* request-draw: SHA-256("supervisor-secret"), 3 water seats, 2 reserves. */
struct eb_doc *
fx_request_draw(void)
{
	struct eb_doc *b = eb_doc_new("request-draw"), *x;
	char hex[EB_SHA256_HEX];

	fx_hex("supervisor-secret", hex);
	eb_doc_add_text(b, "commitment", hex);
	x = eb_doc_add(b, "seats");
	eb_doc_set_attr(x, "specialty", "water");
	eb_doc_set_attr(x, "count", "3");
	eb_doc_set_attr(x, "reserve", "2");
	return b;
}

/* The party of the n-th (from 0) committee member with 'status'
 * ("pending", "accepted", "declined"; NULL: any), or NULL.  The draw is
 * seeded by the log, so the fixture reads who was drawn. */
const char *
fx_member(const struct fx *f, const char *status, int n, char out[16])
{
	struct eb_doc *v = fx_sysview(f);
	const struct eb_doc *c = eb_doc_child(v, "committee"), *m;
	const char *r = NULL;

	for (m = c != NULL ? c->first : NULL; m != NULL; m = m->next)
		if (status == NULL ||
		    strcmp(eb_doc_attr(m, "status"), status) == 0)
			if (n-- == 0) {
				snprintf(out, 16, "%s", eb_doc_attr(m, "party"));
				r = out;
				break;
			}
	eb_doc_free(v);
	return r;
}

/*
 * A score sheet of expert 'expert' (eN) on criterion "tech": every bidder
 * valid after clearing gets base + (N - 1) % 3, with base b1 60, b2 65,
 * b3 50, b4 55, others 52 (so the ranking is b2, b1, b4, b3 with the
 * fixture's prices: see test_tender.c).
 */
struct eb_doc *
fx_scores(const struct fx *f, const char *expert)
{
	static const int base[10] = { 52, 60, 65, 50, 55, 52, 52, 52, 52, 52 };
	struct eb_doc *b = eb_doc_new("submit-scores"), *s, *c, *v;
	const struct eb_doc *o, *r, *cl, *k;
	int off = (atoi(expert + 1) + 2) % 3, bn;
	char val[16];

	v = fx_sysview(f);
	o = eb_doc_child(v, "opening-record");
	cl = eb_doc_child(v, "clearing-report");
	s = eb_doc_add(b, "score-sheet");
	for (r = o != NULL ? o->first : NULL; r != NULL; r = r->next) {
		const char *p = eb_doc_attr(r, "bidder");
		int invalid = 0;

		if (strcmp(eb_doc_attr(r, "status"), "opened") != 0)
			continue;
		for (k = cl != NULL ? cl->first : NULL; k != NULL; k = k->next)
			if (strcmp(k->name, "bid-summary") == 0 &&
			    strcmp(eb_doc_attr(k, "bidder"), p) == 0 &&
			    strcmp(eb_doc_attr(k, "status"), "invalid") == 0)
				invalid = 1;
		if (invalid)
			continue;
		bn = atoi(p + 1);
		snprintf(val, sizeof(val), "%d", base[bn >= 0 && bn < 10 ? bn :
		    0] + off);
		c = eb_doc_add(s, "score");
		eb_doc_set_attr(c, "bid", p);
		eb_doc_set_attr(c, "criterion", "tech");
		eb_doc_set_attr(c, "value", val);
	}
	eb_doc_free(v);
	return b;
}

/* close-evaluation: the rules rank the bids, the command names none. */
struct eb_doc *
fx_close_eval(void)
{
	return eb_doc_new("close-evaluation");
}

struct eb_doc *
fx_text(const char *name, const char *text)
{
	struct eb_doc *b = eb_doc_new(name);

	eb_doc_add_text(b, "text", text);
	return b;
}

struct eb_doc *
fx_amend(void)
{
	struct eb_doc *b = fx_text("amend-documents", "Drawing 7 replaced.");
	struct eb_doc *d = eb_doc_add(b, "document");
	char hex[EB_SHA256_HEX];

	fx_hex("drawing-7-v2", hex);
	eb_doc_set_attr(d, "name", "drawing-7.pdf");
	eb_doc_set_attr(d, "sha256", hex);
	return b;
}

void
fx_step(struct fx *f, struct eb_actor a, struct eb_doc *body)
{
	fx_must(f, &a, body);
}

/* Drive a fresh fixture to 'target' by the standard path.  'nbids' bids
 * (b1..) are submitted on the way (4 for the full path).  In evaluation,
 * 'ready' has every expert accept and score (else only e1 accepts). */
void
fx_goto_n(struct fx *f, enum eb_tender_state target, int nbids, int ready)
{
	char p[16];
	enum eb_tender_state base = target;
	int i;

	if (target == EB_TS_NEW)
		return;
	if (target == EB_TS_CANCELLATION_REQUESTED ||
	    target == EB_TS_CANCELLED || target == EB_TS_SUSPENDED)
		base = EB_TS_BIDDING;
	if (target == EB_TS_FAILED) {
		base = EB_TS_BIDDING;
		nbids = 2;
	}
	{
		struct eb_doc *reg = fx_registration_at("register-tender",
		    FX_DEADLINE, f->ceiling), *l;

		if (f->lots) {
			l = eb_doc_add(eb_doc_path(reg,
			    "rules/evaluation-rules"), "lots");
			eb_doc_set_attr(l, "award", "lowest-total");
			eb_doc_set_attr(eb_doc_add(l, "lot"), "id", "A");
			eb_doc_set_attr(eb_doc_add(l, "lot"), "id", "B");
		}
		fx_step(f, FX_TEN, reg);
	}
	if (target == EB_TS_RETURNED) {
		fx_step(f, FX_REG, fx_reasoned("return-registration",
		    "The ceiling price lacks its cost estimate."));
		return;
	}
	if (base == EB_TS_SUBMITTED)
		return;
	fx_step(f, FX_REG, eb_doc_new("accept-registration"));
	if (base == EB_TS_ACCEPTED)
		return;
	f->now = FX_T0 + FX_DAY;
	fx_step(f, FX_SUP, eb_doc_new("publish-announcement"));
	for (i = 1; i <= 5; i++) {
		snprintf(p, sizeof(p), "b%d", i);
		fx_step(f, fx_party(EB_ROLE_BIDDER, p), eb_doc_new("sign-up"));
		if (i <= 4)
			fx_step(f, FX_REG, fx_with_attr("confirm-sign-up",
			    "bidder", p));
	}
	if (base == EB_TS_ANNOUNCED)
		return;
	{
		struct eb_doc *k = eb_doc_new("set-opening-key"), *s;
		const char *cs[] = { "c1", "c2", "c3" };

		eb_doc_add_text(k, "certificate", "Q0VSVA==");
		for (i = 0; i < 3; i++) {
			s = eb_doc_add_text(k, "share", "U0hBUkU=");
			eb_doc_set_attr(s, "custodian", cs[i]);
		}
		fx_step(f, FX_SYS, k);
	}
	f->now = FX_T0 + 2 * FX_DAY;
	for (i = 1; i <= nbids; i++) {
		snprintf(p, sizeof(p), "b%d", i);
		fx_step(f, fx_party(EB_ROLE_BIDDER, p), fx_bid_body(p));
	}
	if (target == EB_TS_SUSPENDED) {
		fx_step(f, FX_SUP, fx_reasoned("suspend", "Complaint filed."));
		return;
	}
	if (target == EB_TS_CANCELLATION_REQUESTED || target == EB_TS_CANCELLED) {
		fx_step(f, FX_SUP, fx_reasoned("request-cancellation",
		    "The project lost its funding."));
		if (target == EB_TS_CANCELLED)
			fx_step(f, FX_VER, eb_doc_new("countersign-cancellation"));
		return;
	}
	if (base == EB_TS_BIDDING && target != EB_TS_FAILED)
		return;
	f->now = FX_DEADLINE;
	fx_step(f, FX_SYS, eb_doc_new("deadline-reached"));
	if (target == EB_TS_FAILED)
		return;
	for (i = 1; i <= 2; i++) {
		struct eb_doc *b = eb_doc_new("submit-share");

		snprintf(p, sizeof(p), "c%d", i);
		eb_doc_add_text(b, "share", "U0hBUkU=");
		fx_step(f, fx_party(EB_ROLE_CUSTODIAN, p), b);
	}
	if (target == EB_TS_AWAITING_OPENING)
		return;
	f->now = FX_OPENING;
	fx_step(f, FX_SYS, fx_open_body(f, NULL));
	if (target == EB_TS_OPENED)
		return;
	fx_step(f, FX_SYS, eb_doc_new("clear-bids"));
	if (target == EB_TS_CLEARED)
		return;
	f->now = FX_OPENING + FX_HOUR;
	fx_step(f, FX_SUP, fx_request_draw());
	if (target == EB_TS_DRAW_REQUESTED)
		return;
	fx_step(f, FX_SYS, fx_draw_body("supervisor-secret"));
	fx_step(f, fx_party(EB_ROLE_EXPERT, fx_member(f, "pending", 0, p)),
	    eb_doc_new("accept-appointment"));
	if (target == EB_TS_EVALUATION && !ready)
		return;
	while (fx_member(f, "pending", 0, p) != NULL)
		fx_step(f, fx_party(EB_ROLE_EXPERT, p),
		    eb_doc_new("accept-appointment"));
	for (i = 0; fx_member(f, "accepted", i, p) != NULL; i++)
		fx_step(f, fx_party(EB_ROLE_EXPERT, p), fx_scores(f, p));
	if (target == EB_TS_EVALUATION)
		return;
	fx_step(f, FX_SUP, fx_close_eval());
	if (target == EB_TS_EVALUATED)
		return;
	for (i = 0; fx_member(f, "accepted", i, p) != NULL; i++)
		fx_step(f, fx_party(EB_ROLE_EXPERT, p),
		    fx_min_body(f, "sign-report"));
	f->now = FX_OPENING + FX_DAY;
	fx_step(f, FX_SUP, eb_doc_new("publish-candidates"));
	if (target == EB_TS_PUBLICITY)
		return;
	if (target == EB_TS_OBJECTION) {
		f->now += FX_DAY;
		fx_step(f, fx_party(EB_ROLE_BIDDER, "b2"),
		    fx_text("raise-objection", "b1 lacks the licence."));
		return;
	}
	f->now += 3 * FX_DAY;
	fx_step(f, FX_SYS, eb_doc_new("publicity-ended"));
	if (target == EB_TS_PUBLICITY_OVER)
		return;
	fx_step(f, FX_VER, eb_doc_new("verify-process"));
	if (target == EB_TS_VERIFIED)
		return;
	fx_step(f, FX_VER, fx_min_body(f, "issue-award"));
	if (target == EB_TS_AWARDED)
		return;
	fx_step(f, FX_SUP, eb_doc_new("close-tender"));
}

void
fx_goto(struct fx *f, enum eb_tender_state target)
{
	fx_goto_n(f, target, 4, 0);
}

/* The system view (sees everything), for bodies that need the state. */
struct eb_doc *
fx_sysview(const struct fx *f)
{
	struct eb_actor sys = FX_SYS;

	/* view() reads the actor and returns a new tree that does not keep it */
	// cppcheck-suppress returnDanglingLifetime
	return eb_tender_flow.view(f->t, &sys);
}

/* First child of view section 'sec' named 'el' whose 'attr' is 'v'. */
const char *
fx_first_attr(const struct eb_doc *v, const char *path, const char *el,
    const char *attr, const char *v2, const char *want)
{
	const struct eb_doc *sec = eb_doc_path(v, path), *c;

	for (c = sec != NULL ? eb_doc_child(sec, el) : NULL; c != NULL;
	    c = eb_doc_next(c, el)) {
		const char *a = eb_doc_attr(c, attr);

		if (a != NULL && strcmp(a, v2) == 0)
			return eb_doc_attr(c, want);
	}
	return NULL;
}

/*
 * A minimal valid body for 'command' in the fixture's current situation.
 * Where the body depends on the state (pending sign-up, open objection,
 * open seats, candidates) it is read from the system view.
 */
struct eb_doc *
fx_min_body(struct fx *f, const char *command)
{
	struct eb_doc *v = fx_sysview(f), *b = NULL;
	const char *x;

	if (strcmp(command, "register-tender") == 0 ||
	    strcmp(command, "resubmit-registration") == 0)
		b = fx_registration_at(command, f->now + 30 * FX_DAY,
		    f->ceiling);
	else if (strcmp(command, "return-registration") == 0 ||
	    strcmp(command, "request-cancellation") == 0 ||
	    strcmp(command, "refuse-cancellation") == 0 ||
	    strcmp(command, "suspend") == 0 || strcmp(command, "resume") == 0)
		b = fx_reasoned(command, "Stated reason.");
	else if (strcmp(command, "set-opening-key") == 0) {
		struct eb_doc *s;
		const char *cs[] = { "c1", "c2", "c3" };
		int i;

		b = eb_doc_new(command);
		eb_doc_add_text(b, "certificate", "Q0VSVA==");
		for (i = 0; i < 3; i++) {
			s = eb_doc_add_text(b, "share", "U0hBUkU=");
			eb_doc_set_attr(s, "custodian", cs[i]);
		}
	} else if (strcmp(command, "confirm-sign-up") == 0 ||
	    strcmp(command, "reject-sign-up") == 0) {
		x = fx_first_attr(v, "sign-ups", "sign-up", "status", "pending",
		    "bidder");
		b = fx_with_attr(command, "bidder", x != NULL ? x : "b5");
		if (command[0] == 'r')
			eb_doc_add_text(b, "reason", "Licence expired.");
	} else if (strcmp(command, "clarify") == 0 ||
	    strcmp(command, "raise-objection") == 0)
		b = fx_text(command, "Stated text.");
	else if (strcmp(command, "amend-documents") == 0)
		b = fx_amend();
	else if (strcmp(command, "report-incident") == 0) {
		b = fx_with_attr(command, "step", "set-opening-key");
		eb_doc_set_attr(b, "code", "unknown-custodian");
	}
	else if (strcmp(command, "submit-bid") == 0)
		b = fx_bid_body("b1");
	else if (strcmp(command, "submit-share") == 0) {
		b = eb_doc_new(command);
		eb_doc_add_text(b, "share", "U0hBUkU=");
	} else if (strcmp(command, "open-bids") == 0)
		b = fx_open_body(f, NULL);
	else if (strcmp(command, "request-draw") == 0)
		b = fx_request_draw();
	else if (strcmp(command, "draw-experts") == 0) {
		b = fx_draw_body("supervisor-secret");
	} else if (strcmp(command, "submit-scores") == 0)
		b = fx_scores(f, "e1");
	else if (strcmp(command, "explain-deviation") == 0) {
		b = fx_with_attr(command, "bid", "b1");
		eb_doc_add_text(b, "reason", "Stated text.");
	}
	else if (strcmp(command, "close-evaluation") == 0) {
		b = fx_close_eval();
	} else if (strcmp(command, "answer-objection") == 0) {
		x = fx_first_attr(v, "objections", "objection", "status",
		    "open", "objection");
		b = fx_with_attr(command, "objection", x != NULL ? x : "1");
		eb_doc_set_attr(b, "decision", "dismissed");
		eb_doc_add_text(b, "text", "The licence was checked.");
	} else if (strcmp(command, "sign-report") == 0) {
		struct eb_doc *res = eb_doc_child(v, "result");
		struct eb_buf rb = EB_BUF_INIT;
		char hex[EB_SHA256_HEX] = "";

		if (res != NULL && eb_doc_serialize(res, &rb) == EB_OK)
			eb_sha256_hex(rb.data, rb.len, hex);
		eb_buf_free(&rb);
		b = fx_with_attr(command, "report-sha256", hex[0] ? hex :
		    "0000000000000000000000000000000000000000000000000000000000000000");
	} else if (strcmp(command, "issue-award") == 0) {
		x = fx_first_attr(v, "result", "candidate", "rank", "1",
		    "bidder");
		b = fx_with_attr(command, "bidder", x != NULL ? x : "b1");
		eb_doc_add_text(b, "justification", "Ranked first.");
	} else
		b = eb_doc_new(command);
	eb_doc_free(v);
	return b;
}

/* The natural actor of 'role' for 'command' in the fixture's state. */
struct eb_actor
fx_natural(const struct fx *f, enum eb_role role, const char *command)
{
	char p[16];

	switch (role) {
	case EB_ROLE_TENDERER:
		return FX_TEN;
	case EB_ROLE_REGISTRAR:
		return FX_REG;
	case EB_ROLE_SUPERVISOR:
		return FX_SUP;
	case EB_ROLE_VERIFIER:
		return FX_VER;
	case EB_ROLE_SYSTEM:
		return FX_SYS;
	case EB_ROLE_AUDITOR:
		return fx_party(role, "aud1");
	case EB_ROLE_BIDDER:
		if (strcmp(command, "sign-up") == 0)
			return fx_party(role, "b6");
		if (strcmp(command, "raise-objection") == 0)
			return fx_party(role, "b2");
		return fx_party(role, "b1");
	case EB_ROLE_CUSTODIAN:
		return fx_party(role, "c3");
	case EB_ROLE_EXPERT:
		if ((strcmp(command, "accept-appointment") == 0 ||
		    strcmp(command, "decline-appointment") == 0) &&
		    fx_member(f, "pending", 0, p) != NULL)
			return fx_party(role, p);
		if (fx_member(f, "accepted", 0, p) != NULL ||
		    fx_member(f, NULL, 0, p) != NULL)
			return fx_party(role, p);
		return fx_party(role, "e1");
	default:
		return fx_party(role, "anon1");
	}
}

/* Canonical bytes of the system view (caller frees). */
char *
fx_canon(const struct fx *f)
{
	struct eb_doc *v = fx_sysview(f);
	struct eb_buf b = EB_BUF_INIT;
	size_t n;
	char *s;

	if (eb_doc_serialize(v, &b) != EB_OK)
		abort();
	eb_doc_free(v);
	s = (char *)eb_buf_steal(&b, &n);
	return s != NULL ? s : calloc(1, 1);
}
