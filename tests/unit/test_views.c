/*
 * tests/unit/test_views.c
 *    Who sees what: the demo tender (tests/unit/tender_fixture.h) and a
 *    sale walked through every state; in each, the view of every role
 *    and standing is walked element by element and attribute by
 *    attribute, and any path outside that audience's ALLOWLIST below
 *    fails the test.  The allowlists are written here from the rules
 *    (docs/tender-flow.md and docs/sale.md, "Who sees what"), not taken
 *    from the tables in engine/core: a test that reused them would prove
 *    nothing.  The positive side is asserted too: evaluators, officials
 *    and each bidder for its own bid DO see the opened bid documents.
 *
 * Issue 20, points 1 and 11: after the opening every role read each
 * bid's signed copy (<inner>); a drawn expert saw the bids before
 * accepting and after declining.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "engine/core/sale.h"
#include "tender_fixture.h"

/* ------------------------------------------------------------------ */
/* allowlists and the walker                                            */
/* ------------------------------------------------------------------ */

/* When an allowed path is allowed. */
enum cond {
	C_ALWAYS,
	C_PUBLISHED,      /* tender: the announcement is out */
	C_RESULT,         /* tender: candidates published (公示) */
	C_REVEALED,       /* sale: the reserve was revealed */
};

/*
 * An allowed path: "a/b/@c" (attribute c of element b under a, below the
 * root), or "a/" followed by two stars (a and everything under it).  'owner' "x/y@attr":
 * only where the ancestor element at path x/y has attr = the viewer's
 * party; "#winner": only on the sale's <bidder> whose number is the
 * confirmed winner.
 */
struct allow {
	const char *path;
	enum cond cond;
	const char *owner;
};

#define END { NULL, C_ALWAYS, NULL }

/* -- the tender -------------------------------------------------------- */

static const struct allow T_PUBLIC[] = {
	{ "@id", C_ALWAYS, NULL }, { "@state", C_ALWAYS, NULL },
	{ "@stage", C_ALWAYS, NULL }, { "@resume-state", C_ALWAYS, NULL },
	{ "registration/**", C_PUBLISHED, NULL },
	{ "acceptance/**", C_PUBLISHED, NULL },
	{ "announcement/**", C_ALWAYS, NULL },
	{ "opening-key", C_ALWAYS, NULL },
	{ "opening-key/@at", C_ALWAYS, NULL },
	{ "opening-key/certificate/**", C_ALWAYS, NULL },
	{ "notices/**", C_ALWAYS, NULL },
	{ "deadline-reached/**", C_ALWAYS, NULL },
	/* the opening record as read aloud (唱标) */
	{ "opening-record", C_ALWAYS, NULL },
	{ "opening-record/@at", C_ALWAYS, NULL },
	{ "opening-record/@by", C_ALWAYS, NULL },
	{ "opening-record/@role", C_ALWAYS, NULL },
	{ "opening-record/@opened", C_ALWAYS, NULL },
	{ "opening-record/bid-result", C_ALWAYS, NULL },
	{ "opening-record/bid-result/@bidder", C_ALWAYS, NULL },
	{ "opening-record/bid-result/@commitment", C_ALWAYS, NULL },
	{ "opening-record/bid-result/@status", C_ALWAYS, NULL },
	{ "opening-record/bid-result/@total-price", C_ALWAYS, NULL },
	{ "opening-record/bid-result/@cause", C_ALWAYS, NULL },
	{ "opening-record/bid-result/@fault", C_ALWAYS, NULL },
	/* the organisation read aloud with each bid (唱标): its O and the
	 * trading subject it signed up for */
	{ "opening-record/bid-result/signed-up-as/**", C_ALWAYS, NULL },
	{ "opening-record/bid-result/read-aloud/**", C_ALWAYS, NULL },
	{ "coefficient-drawn/**", C_ALWAYS, NULL },
	{ "publicity/**", C_ALWAYS, NULL },
	{ "publicity-ended/**", C_ALWAYS, NULL },
	{ "verification-record", C_ALWAYS, NULL },
	{ "verification-record/@tender", C_ALWAYS, NULL },
	{ "verification-record/@steps", C_ALWAYS, NULL },
	{ "verification-record/@at", C_ALWAYS, NULL },
	{ "verification-record/@by", C_ALWAYS, NULL },
	{ "verification-record/@role", C_ALWAYS, NULL },
	{ "verification-record/opinion/**", C_ALWAYS, NULL },
	{ "award/**", C_ALWAYS, NULL },
	{ "closed/**", C_ALWAYS, NULL },
	{ "failure/**", C_ALWAYS, NULL },
	{ "cancellation/**", C_ALWAYS, NULL },
	{ "suspension/**", C_ALWAYS, NULL },
	/* the committee and the result once the result is published */
	{ "committee/**", C_RESULT, NULL },
	{ "result/**", C_RESULT, NULL },
	{ "report-signatures/**", C_RESULT, NULL },
	/* the bids found invalid and why (否决投标情况), with the
	 * candidates: bidder, stage, rule and what was missing only */
	{ "rejected-bids", C_RESULT, NULL },
	{ "rejected-bids/rejected", C_RESULT, NULL },
	{ "rejected-bids/rejected/@bidder", C_RESULT, NULL },
	{ "rejected-bids/rejected/@stage", C_RESULT, NULL },
	{ "rejected-bids/rejected/@rule", C_RESULT, NULL },
	{ "rejected-bids/rejected/@kind", C_RESULT, NULL },
	{ "rejected-bids/rejected/@item", C_RESULT, NULL },
	{ "rejected-bids/rejected/@reason", C_RESULT, NULL },
	{ "rejected-bids/rejected/@lot", C_RESULT, NULL },
	END
};

/* a bidder: its own sign-up, bid, objection and opened bid */
static const struct allow T_BIDDER[] = {
	{ "sign-ups", C_ALWAYS, NULL },
	{ "sign-ups/sign-up/**", C_ALWAYS, "sign-ups/sign-up@bidder" },
	{ "bids", C_ALWAYS, NULL },
	{ "bids/bid/**", C_ALWAYS, "bids/bid@bidder" },
	{ "objections", C_ALWAYS, NULL },
	{ "objections/objection/**", C_ALWAYS,
	    "objections/objection@bidder" },
	{ "opening-record/bid-result/bid/**", C_ALWAYS,
	    "opening-record/bid-result@bidder" },
	{ "opening-record/bid-result/inner", C_ALWAYS,
	    "opening-record/bid-result@bidder" },
	END
};

/* a drawn expert who has not accepted (or declined): its own seat */
static const struct allow T_DRAWN[] = {
	{ "committee", C_ALWAYS, NULL },
	{ "committee/member/**", C_ALWAYS, "committee/member@party" },
	END
};

/* a seated expert: the bids, the clearing, the committee, its scores */
static const struct allow T_EXPERT[] = {
	{ "opening-record/bid-result/bid/**", C_ALWAYS, NULL },
	{ "opening-record/bid-result/inner", C_ALWAYS, NULL },
	{ "clearing-report/**", C_ALWAYS, NULL },
	{ "rejected-bids/**", C_ALWAYS, NULL },
	{ "committee/**", C_ALWAYS, NULL },
	{ "scores", C_ALWAYS, NULL },
	{ "scores/score-sheet/**", C_ALWAYS, "scores/score-sheet@expert" },
	{ "result/**", C_ALWAYS, NULL },
	{ "report-signatures/**", C_ALWAYS, NULL },
	END
};

static const struct allow T_TENDERER[] = {
	{ "registration/**", C_ALWAYS, NULL },
	{ "returns/**", C_ALWAYS, NULL },
	{ "acceptance/**", C_ALWAYS, NULL },
	{ "verification-record/step/**", C_ALWAYS, NULL },
	END
};

static const struct allow T_CUSTODIAN[] = {
	{ "opening-key/sealed-share/**", C_ALWAYS,
	    "opening-key/sealed-share@custodian" },
	{ "shares", C_ALWAYS, NULL },
	{ "shares/share/**", C_ALWAYS, "shares/share@custodian" },
	END
};

/* officers and auditors: everything but the custodians' sealed shares */
static const struct allow T_OFFICIAL[] = {
	{ "registration/**", C_ALWAYS, NULL },
	{ "returns/**", C_ALWAYS, NULL },
	{ "acceptance/**", C_ALWAYS, NULL },
	{ "shares/**", C_ALWAYS, NULL },
	{ "sign-ups/**", C_ALWAYS, NULL },
	{ "bids/**", C_ALWAYS, NULL },
	{ "opening-record/**", C_ALWAYS, NULL },
	{ "clearing-report/**", C_ALWAYS, NULL },
	{ "rejected-bids/**", C_ALWAYS, NULL },
	{ "draw/**", C_ALWAYS, NULL },
	{ "draw-result/**", C_ALWAYS, NULL },
	{ "committee/**", C_ALWAYS, NULL },
	{ "scores/**", C_ALWAYS, NULL },
	{ "result/**", C_ALWAYS, NULL },
	{ "report-signatures/**", C_ALWAYS, NULL },
	{ "objections/**", C_ALWAYS, NULL },
	{ "verification-record/**", C_ALWAYS, NULL },
	{ "history/**", C_ALWAYS, NULL },
	END
};

/* ebidd forwards each sealed share to its custodian */
static const struct allow T_SYSTEM[] = {
	{ "opening-key/sealed-share/**", C_ALWAYS, NULL },
	END
};

/* -- the sale ------------------------------------------------------------ */

static const struct allow S_PUBLIC[] = {
	{ "@id", C_ALWAYS, NULL }, { "@state", C_ALWAYS, NULL },
	{ "@suspended-from", C_ALWAYS, NULL },
	{ "suspension", C_ALWAYS, NULL },
	{ "asset", C_ALWAYS, NULL },
	{ "terms/**", C_ALWAYS, NULL },
	{ "reserve", C_ALWAYS, NULL },
	{ "reserve/@committed", C_ALWAYS, NULL },
	{ "reserve/@countersigned", C_ALWAYS, NULL },
	{ "reserve/@commitment", C_ALWAYS, NULL },
	{ "reserve/@fen", C_REVEALED, NULL },
	{ "reserve/@salt", C_REVEALED, NULL },
	{ "price/**", C_ALWAYS, NULL },
	{ "bidders", C_ALWAYS, NULL },
	{ "bidders/bidder", C_ALWAYS, NULL },
	{ "bidders/bidder/@number", C_ALWAYS, NULL },
	{ "bidders/bidder/@status", C_ALWAYS, NULL },
	{ "bidders/bidder/@continue", C_ALWAYS, NULL },
	/* the winner's name once the result is confirmed */
	{ "bidders/bidder/@party", C_ALWAYS, "#winner" },
	{ "bidders/bidder/@name", C_ALWAYS, "#winner" },
	{ "bidders/bidder/@org", C_ALWAYS, "#winner" },
	{ "history/**", C_ALWAYS, NULL },
	{ "declaration/**", C_ALWAYS, NULL },
	{ "auction/**", C_ALWAYS, NULL },
	{ "result/**", C_ALWAYS, NULL },
	{ "verification", C_ALWAYS, NULL },
	{ "cancel-requested", C_ALWAYS, NULL },
	END
};

static const struct allow S_BUYER[] = {
	{ "bidders/bidder/@party", C_ALWAYS, "bidders/bidder@party" },
	{ "bidders/bidder/@name", C_ALWAYS, "bidders/bidder@party" },
	{ "bidders/bidder/@org", C_ALWAYS, "bidders/bidder@party" },
	{ "bidders/bidder/@deposit-paid", C_ALWAYS, "bidders/bidder@party" },
	{ "bidders/bidder/@applied", C_ALWAYS, "bidders/bidder@party" },
	{ "bidders/bidder/@you", C_ALWAYS, "bidders/bidder@party" },
	END
};

static const struct allow S_OFFICIAL[] = {
	{ "bidders/**", C_ALWAYS, NULL },
	{ "reserve/**", C_REVEALED, NULL },
	END
};

/* -- matching ------------------------------------------------------------ */

struct viewer {
	const char *label;
	struct eb_actor actor;
	const struct allow *lists[3];
};

struct ctx {
	const char *what;          /* "tender in state x" */
	const struct viewer *v;
	uint32_t conds;            /* bit per enum cond that holds */
	const char *winner;        /* sale: the confirmed winner's number */
	const struct eb_doc *anc[32];
	const char *names[32];
	int depth;                 /* elements below the root on the stack */
	int failures;
};

/* The ancestor element at path 'p' (as many components as it has). */
static const struct eb_doc *
ancestor(const struct ctx *c, const char *p, size_t n)
{
	int k = 1;
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] == '/')
			k++;
	return k <= c->depth ? c->anc[k - 1] : NULL;
}

static int
owner_ok(const struct ctx *c, const char *owner)
{
	const char *at = strchr(owner, '@');
	const struct eb_doc *a;
	const char *val;

	if (strcmp(owner, "#winner") == 0) {
		a = c->depth > 1 ? c->anc[1] : NULL;   /* bidders/bidder */
		val = a != NULL ? eb_doc_attr(a, "number") : NULL;
		return c->winner != NULL && val != NULL &&
		    strcmp(val, c->winner) == 0;
	}
	if (at == NULL || (a = ancestor(c, owner, (size_t)(at - owner))) ==
	    NULL)
		return 0;
	val = eb_doc_attr(a, at + 1);
	return val != NULL && strcmp(val, c->v->actor.party) == 0;
}

static int
allowed(const struct ctx *c, const char *path)
{
	const struct allow *a;
	size_t i, n;

	for (i = 0; i < 3 && c->v->lists[i] != NULL; i++)
		for (a = c->v->lists[i]; a->path != NULL; a++) {
			n = strlen(a->path);
			if (!(c->conds & (1u << a->cond)))
				continue;
			if (n > 3 && strcmp(a->path + n - 3, "/**") == 0) {
				n -= 3;
				if (strncmp(path, a->path, n) != 0 ||
				    (path[n] != '\0' && path[n] != '/'))
					continue;
			} else if (strcmp(path, a->path) != 0)
				continue;
			if (a->owner == NULL || owner_ok(c, a->owner))
				return 1;
		}
	return 0;
}

static void
check_path(struct ctx *c, const char *path)
{
	if (allowed(c, path))
		return;
	if (c->failures++ < 20)
		print_error("%s: %s (%s %s) sees '%s', not in its allowlist\n",
		    c->what, c->v->label, eb_role_name(c->v->actor.role),
		    c->v->actor.party, path);
}

static void
walk(struct ctx *c, const struct eb_doc *d, const char *prefix)
{
	const struct eb_attr *at;
	const struct eb_doc *ch;
	char p[512];

	for (at = d->attrs; at != NULL; at = at->next) {
		snprintf(p, sizeof(p), "%s%s@%s", prefix, prefix[0] ? "/" : "",
		    at->name);
		check_path(c, p);
	}
	for (ch = d->first; ch != NULL; ch = ch->next) {
		snprintf(p, sizeof(p), "%s%s%s", prefix, prefix[0] ? "/" : "",
		    ch->name);
		assert_true(c->depth < 32);
		c->anc[c->depth] = ch;
		c->names[c->depth++] = ch->name;
		check_path(c, p);
		walk(c, ch, p);
		c->depth--;
	}
}

/* ------------------------------------------------------------------ */
/* the tender                                                           */
/* ------------------------------------------------------------------ */

static int
tender_failures;

static uint32_t
tender_conds(enum eb_tender_state s, const struct eb_doc *sys)
{
	uint32_t c = 1u << C_ALWAYS;

	if (eb_doc_child(sys, "announcement") != NULL)
		c |= 1u << C_PUBLISHED;
	if (eb_doc_child(sys, "publicity") != NULL)
		c |= 1u << C_RESULT;
	(void)s;
	return c;
}

static struct viewer
mk(const char *label, struct eb_actor a, const struct allow *l1,
    const struct allow *l2, const struct allow *l3)
{
	struct viewer v;

	memset(&v, 0, sizeof(v));
	v.label = label;
	v.actor = a;
	v.lists[0] = l1;
	v.lists[1] = l2;
	v.lists[2] = l3;
	return v;
}

static int
count_with_child(const struct eb_doc *v, const char *child,
    const char *bidder)
{
	const struct eb_doc *o = eb_doc_child(v, "opening-record"), *r;
	int n = 0;

	eb_doc_foreach(r, o, "bid-result")
		if ((bidder == NULL || strcmp(eb_doc_attr(r, "bidder"),
		    bidder) == 0) && eb_doc_child(r, child) != NULL)
			n++;
	return n;
}

static int
opened_count(const struct eb_doc *sys)
{
	const struct eb_doc *o = eb_doc_child(sys, "opening-record"), *r;
	int n = 0;

	eb_doc_foreach(r, o, "bid-result")
		if (strcmp(eb_doc_attr(r, "status"), "opened") == 0)
			n++;
	return n;
}

/* Some bid-result in 'v' with a read-aloud item, or NULL. */
static void *
read_aloud_of_others(const struct eb_doc *v)
{
	const struct eb_doc *r;

	eb_doc_foreach(r, eb_doc_child(v, "opening-record"), "bid-result")
		if (eb_doc_path(r, "read-aloud/item") != NULL)
			return (void *)r;
	return NULL;
}

/* Every viewer's view of the tender in 'f', against its allowlist, and
 * the positive side. */
static void
check_tender(struct fx *f, const char *label)
{
	struct viewer vs[40];
	struct eb_doc *sys = fx_sysview(f), *v;
	const struct eb_doc *m, *com = eb_doc_child(sys, "committee");
	char what[96];
	size_t n = 0, i;
	int opened = opened_count(sys), seated = 0, drawn = 0;
	struct ctx c;

	snprintf(what, sizeof(what), "tender %s (%s)",
	    eb_doc_attr(sys, "state"), label);
	vs[n++] = mk("the public", fx_actor(EB_ROLE_NONE, "anyone", ""),
	    T_PUBLIC, NULL, NULL);
	vs[n++] = mk("a transferor", fx_party(EB_ROLE_TRANSFEROR, "tr1"),
	    T_PUBLIC, NULL, NULL);
	vs[n++] = mk("another tenderer", fx_party(EB_ROLE_TENDERER, "ten2"),
	    T_PUBLIC, NULL, NULL);
	vs[n++] = mk("a custodian not named",
	    fx_party(EB_ROLE_CUSTODIAN, "c9"), T_PUBLIC, NULL, NULL);
	vs[n++] = mk("an expert not drawn", fx_party(EB_ROLE_EXPERT, "e7x"),
	    T_PUBLIC, NULL, NULL);
	vs[n++] = mk("the tenderer", FX_TEN, T_PUBLIC, T_TENDERER, NULL);
	vs[n++] = mk("bidder b1", fx_party(EB_ROLE_BIDDER, "b1"), T_PUBLIC,
	    T_BIDDER, NULL);
	vs[n++] = mk("bidder b2", fx_party(EB_ROLE_BIDDER, "b2"), T_PUBLIC,
	    T_BIDDER, NULL);
	vs[n++] = mk("bidder b5 (sign-up pending)",
	    fx_party(EB_ROLE_BIDDER, "b5"), T_PUBLIC, T_BIDDER, NULL);
	vs[n++] = mk("bidder b6 (not signed up)",
	    fx_party(EB_ROLE_BIDDER, "b6"), T_PUBLIC, T_BIDDER, NULL);
	vs[n++] = mk("custodian c1", fx_party(EB_ROLE_CUSTODIAN, "c1"),
	    T_PUBLIC, T_CUSTODIAN, NULL);
	vs[n++] = mk("custodian c3", fx_party(EB_ROLE_CUSTODIAN, "c3"),
	    T_PUBLIC, T_CUSTODIAN, NULL);
	vs[n++] = mk("the registrar", FX_REG, T_PUBLIC, T_OFFICIAL, NULL);
	vs[n++] = mk("the supervisor", FX_SUP, T_PUBLIC, T_OFFICIAL, NULL);
	vs[n++] = mk("the verifier", FX_VER, T_PUBLIC, T_OFFICIAL, NULL);
	vs[n++] = mk("an auditor", fx_party(EB_ROLE_AUDITOR, "aud1"),
	    T_PUBLIC, T_OFFICIAL, NULL);
	vs[n++] = mk("ebidd", FX_SYS, T_PUBLIC, T_OFFICIAL, T_SYSTEM);
	/* every drawn expert, by its standing read from the system view */
	eb_doc_foreach(m, com, "member") {
		const char *st = eb_doc_attr(m, "status");
		int acc = strcmp(st, "accepted") == 0;

		if (n >= sizeof(vs) / sizeof(vs[0]))
			break;
		vs[n++] = mk(acc ? "a seated expert" : strcmp(st, "declined") ?
		    "a drawn expert who has not accepted" :
		    "a drawn expert who declined",
		    fx_party(EB_ROLE_EXPERT, eb_doc_attr(m, "party")),
		    T_PUBLIC, acc ? T_EXPERT : T_DRAWN, NULL);
	}
	for (i = 0; i < n; i++) {
		const char *lb = vs[i].label;

		memset(&c, 0, sizeof(c));
		c.what = what;
		c.v = &vs[i];
		c.conds = tender_conds(eb_tender_state(f->t), sys);
		v = eb_tender_flow.view(f->t, &vs[i].actor);
		walk(&c, v, "");
		tender_failures += c.failures;
		/* the positive side: who must see the opened bids */
		if (opened > 0) {
			int whole = vs[i].lists[1] == T_OFFICIAL ||
			    vs[i].lists[1] == T_EXPERT;

			if (whole) {
				assert_int_equal(count_with_child(v, "inner",
				    NULL), opened);
				assert_int_equal(count_with_child(v, "bid", NULL),
				    opened);
			} else if (strcmp(lb, "bidder b1") == 0) {
				assert_int_equal(count_with_child(v, "inner",
				    "b1"), 1);
				assert_int_equal(count_with_child(v, "bid", "b1"),
				    1);
				assert_int_equal(count_with_child(v, "inner",
				    NULL), 1);
			} else if (vs[i].lists[1] == T_BIDDER)
				/* another bidder: its own signed copy only */
				assert_int_equal(count_with_child(v, "inner",
				    NULL), count_with_child(v, "inner",
				    vs[i].actor.party));
			else
				assert_int_equal(count_with_child(v, "inner",
				    NULL), 0);
			/* everyone else hears the declared items read aloud;
			 * the evaluators read them in the bids */
			if (!whole)
				assert_non_null(read_aloud_of_others(v));
			if (vs[i].lists[1] == T_EXPERT)
				seated++;
			if (vs[i].lists[1] == T_DRAWN) {
				drawn++;
				assert_null(eb_doc_child(v, "clearing-report"));
			}
		}
		eb_doc_free(v);
	}
	(void)seated;
	(void)drawn;
	eb_doc_free(sys);
}

static void
test_tender_every_state_every_viewer(void **state)
{
	struct fx f;
	size_t s;

	(void)state;
	tender_failures = 0;
	for (s = 0; s < EB_TS_COUNT; s++) {
		fx_init(&f);
		fx_goto(&f, (enum eb_tender_state)s);
		assert_int_equal(eb_tender_state(f.t), s);
		check_tender(&f, "standard path");
		fx_free(&f);
	}
	/* evaluation with every expert seated and scoring */
	fx_init(&f);
	fx_goto_n(&f, EB_TS_EVALUATION, 4, 1);
	check_tender(&f, "all seated");
	fx_free(&f);
	assert_int_equal(tender_failures, 0);
}

/* Point 11: a drawn expert sees no bid, clearing or committee before it
 * accepts, nor after it declined; once it accepts, it does. */
static void
test_tender_drawn_expert(void **state)
{
	struct fx f;
	char p[16], q[16];
	struct eb_actor e;
	struct eb_doc *v;

	(void)state;
	tender_failures = 0;
	fx_init(&f);
	fx_goto(&f, EB_TS_EVALUATION);      /* one accepted, others pending */
	assert_non_null(fx_member(&f, "pending", 0, p));
	e = fx_party(EB_ROLE_EXPERT, p);
	v = eb_tender_flow.view(f.t, &e);
	assert_null(eb_doc_child(v, "clearing-report"));
	assert_int_equal(count_with_child(v, "bid", NULL), 0);
	assert_int_equal(count_with_child(v, "inner", NULL), 0);
	assert_int_equal(eb_doc_count(eb_doc_child(v, "committee"), "member"),
	    1);
	assert_string_equal(eb_doc_attr(eb_doc_path(v, "committee/member"),
	    "party"), p);
	eb_doc_free(v);
	/* the next pending one declines: still nothing */
	assert_non_null(fx_member(&f, "pending", 1, q));
	fx_step(&f, fx_party(EB_ROLE_EXPERT, q), fx_reasoned(
	    "decline-appointment", "I advised a bidder last year."));
	e = fx_party(EB_ROLE_EXPERT, q);
	v = eb_tender_flow.view(f.t, &e);
	assert_null(eb_doc_child(v, "clearing-report"));
	assert_int_equal(count_with_child(v, "bid", NULL), 0);
	assert_int_equal(count_with_child(v, "inner", NULL), 0);
	assert_string_equal(eb_doc_attr(eb_doc_path(v, "committee/member"),
	    "status"), "declined");
	assert_int_equal(eb_doc_count(eb_doc_child(v, "committee"), "member"),
	    1);
	eb_doc_free(v);
	check_tender(&f, "one declined");
	/* the first accepts: now it sees the bids and the clearing */
	fx_step(&f, fx_party(EB_ROLE_EXPERT, p),
	    eb_doc_new("accept-appointment"));
	e = fx_party(EB_ROLE_EXPERT, p);
	v = eb_tender_flow.view(f.t, &e);
	assert_non_null(eb_doc_child(v, "clearing-report"));
	assert_int_equal(count_with_child(v, "inner", NULL), 4);
	eb_doc_free(v);
	check_tender(&f, "one declined, one more seated");
	fx_free(&f);
	assert_int_equal(tender_failures, 0);
}

/* Point 1: after the opening another bidder and a transferor read no
 * bid document or signed copy but their own; the read-aloud summary
 * carries bidder, price and the declared field. */
static void
test_tender_opening_record(void **state)
{
	struct fx f;
	struct eb_actor b2 = fx_party(EB_ROLE_BIDDER, "b2");
	struct eb_actor tr = fx_party(EB_ROLE_TRANSFEROR, "tr1");
	struct eb_actor pub = fx_actor(EB_ROLE_NONE, "anyone", "");
	const struct eb_doc *r;
	struct eb_doc *v;

	(void)state;
	fx_init(&f);
	fx_goto(&f, EB_TS_OPENED);
	v = eb_tender_flow.view(f.t, &b2);
	assert_int_equal(count_with_child(v, "inner", NULL), 1);
	assert_int_equal(count_with_child(v, "inner", "b2"), 1);
	assert_int_equal(count_with_child(v, "bid", NULL), 1);
	eb_doc_free(v);
	v = eb_tender_flow.view(f.t, &tr);
	assert_int_equal(count_with_child(v, "inner", NULL), 0);
	assert_int_equal(count_with_child(v, "bid", NULL), 0);
	eb_doc_free(v);
	v = eb_tender_flow.view(f.t, &pub);
	assert_int_equal(eb_doc_count(eb_doc_child(v, "opening-record"),
	    "bid-result"), 4);
	r = eb_doc_path(v, "opening-record/bid-result");
	assert_string_equal(eb_doc_attr(r, "bidder"), "b1");
	assert_string_equal(eb_doc_attr(r, "total-price"), "900000000");
	assert_string_equal(eb_doc_attr(eb_doc_path(r, "read-aloud/item"),
	    "field"), "completion-days");
	assert_string_equal(eb_doc_text(eb_doc_path(r, "read-aloud/item")),
	    "180");
	/* nothing of the sign-ups or the sealed bids before or after */
	assert_null(eb_doc_child(v, "sign-ups"));
	assert_null(eb_doc_child(v, "bids"));
	eb_doc_free(v);
	fx_free(&f);
}

/* ------------------------------------------------------------------ */
/* the sale                                                             */
/* ------------------------------------------------------------------ */

#define SID "S-V-1"
#define SALT "00112233445566778899aabbccddeeff"
#define RESERVE 610000000
#define SMIN ((int64_t)60000)
#define ST0 ((int64_t)1796083200000)       /* 2026-12-01T00:00:00Z */
#define SLS (ST0 + FX_DAY)
#define SLE (ST0 + 11 * FX_DAY)

static const struct eb_actor S_SELLER = { "seller", "p-seller",
	"Feicheng SASAC", "Feicheng State Assets", EB_ROLE_TRANSFEROR };
static const struct eb_actor S_REG = { "reg1", "p-reg", "Centre",
	"Registration Officer", EB_ROLE_REGISTRAR };
static const struct eb_actor S_SUP = { "sup1", "p-sup", "Centre",
	"Supervision Officer", EB_ROLE_SUPERVISOR };
static const struct eb_actor S_VER = { "ver1", "p-ver", "Centre",
	"Verification Officer", EB_ROLE_VERIFIER };
static const struct eb_actor S_SYS = { "ebidd", "ebidd", "Centre", "ebidd",
	EB_ROLE_SYSTEM };
static const struct eb_actor S_A = { "bidder-a", "p-a", "Alpha Holdings",
	"Alpha Bidder", EB_ROLE_BIDDER };
static const struct eb_actor S_B = { "bidder-b", "p-b", "Beta Industries",
	"Beta Bidder", EB_ROLE_BIDDER };
static const struct eb_actor S_C = { "bidder-c", "p-c", "Gamma Trading",
	"Gamma Bidder", EB_ROLE_BIDDER };
/* a shill: a buyer of the transferor's own organisation */
static const struct eb_actor S_SHILL = { "bidder-s", "p-s", "Feicheng SASAC",
	"Shill Bidder", EB_ROLE_BIDDER };
/* a buyer of the centre's (the officers') organisation */
static const struct eb_actor S_INSIDER = { "bidder-i", "p-i", "Centre",
	"Insider Bidder", EB_ROLE_BIDDER };

static int
sdo(void *st, const struct eb_actor *a, int64_t t, struct eb_doc *body,
    struct eb_error *err)
{
	struct eb_doc *evs = NULL;
	struct eb_cmd c;
	int rc;

	memset(&c, 0, sizeof(c));
	c.body = body;
	c.actor = *a;
	snprintf(c.target, sizeof(c.target), "%s", SID);
	c.time = t;
	eb_error_clear(err);
	if (strcmp(body->name, "register-sale") != 0)
		eb_doc_set_attr(body, "sale", SID);
	rc = eb_sale_flow.decide(st, &c, &evs, err);
	if (rc == EB_OK)
		rc = eb_sale_flow.apply(st, evs, err);
	eb_doc_free(evs);
	eb_doc_free(body);
	return rc;
}

static void
sok(void *st, const struct eb_actor *a, int64_t t, struct eb_doc *body)
{
	struct eb_error err;
	char name[64];

	snprintf(name, sizeof(name), "%s", body->name);
	if (sdo(st, a, t, body, &err) != EB_OK)
		fail_msg("sale step %s by %s refused: %s: %s", name, a->party,
		    err.reason, err.primary);
}

static struct eb_doc *
sb(const char *name, const char *k1, const char *v1, const char *k2,
    const char *v2)
{
	struct eb_doc *b = eb_doc_new(name);

	if (k1 != NULL)
		eb_doc_set_attr(b, k1, v1);
	if (k2 != NULL)
		eb_doc_set_attr(b, k2, v2);
	return b;
}

static struct eb_doc *
stext(const char *name, const char *child, const char *text)
{
	struct eb_doc *b = eb_doc_new(name);

	eb_doc_add_text(b, child, text);
	return b;
}

static const char *
sstate(void *st)
{
	return eb_sale_flow.state_name(st);
}

/*
 * A sale driven to 'target' (a state name): bidders A and B qualify and
 * quote, C applies and is left undecided; A and B go on to the auction;
 * B wins at 6,200,000.00 over a reserve of 6,100,000.00.  "listing"
 * stops after A's first quote (B qualified but not quoted yet).
 */
static void *
sale_to(const char *target)
{
	void *st = eb_sale_flow.create(SID);
	char hex[EB_SHA256_HEX], t1[EB_ISOTIME_LEN], t2[EB_ISOTIME_LEN];
	struct eb_doc *b;
	int64_t end = 0;
	const char *nm = NULL;

	assert_int_equal(eb_sale_reserve_hash(SID, RESERVE, SALT, hex), EB_OK);
	if (strcmp(target, "new") == 0)
		return st;
	eb_isotime_format(SLS, t1);
	eb_isotime_format(SLE, t2);
	b = stext("register-sale", "asset", "Shop lease, 12 Xincheng Road");
	eb_doc_set_attr(b, "starting-price", "600000000");
	eb_doc_set_attr(b, "increment", "5000000");
	eb_doc_set_attr(b, "deposit", "50000000");
	eb_doc_set_attr(b, "listing-start", t1);
	eb_doc_set_attr(b, "listing-end", t2);
	eb_doc_set_attr(b, "countdown-seconds", "300");
	sok(st, &S_SELLER, ST0, b);
	if (strcmp(target, "registered") == 0)
		return st;
	sok(st, &S_REG, ST0 + FX_HOUR, eb_doc_new("accept-sale"));
	if (strcmp(target, "accepted") == 0)
		return st;
	sok(st, &S_SELLER, ST0 + 2 * FX_HOUR, sb("commit-reserve", "commitment",
	    hex, NULL, NULL));
	sok(st, &S_SUP, ST0 + 2 * FX_HOUR + 1, sb("countersign-reserve",
	    "commitment", hex, NULL, NULL));
	sok(st, &S_SUP, ST0 + 3 * FX_HOUR, eb_doc_new("publish-listing"));
	if (strcmp(target, "suspended") == 0 ||
	    strcmp(target, "cancelled") == 0) {
		sok(st, &S_A, ST0 + 4 * FX_HOUR, eb_doc_new("apply-for-sale"));
		sok(st, &S_REG, ST0 + 5 * FX_HOUR, sb("confirm-sale-deposit",
		    "bidder", "bidder-a", "amount", "50000000"));
		sok(st, &S_SUP, ST0 + 6 * FX_HOUR, stext("suspend-sale",
		    "reason", "Complaint filed."));
		if (strcmp(target, "cancelled") == 0) {
			sok(st, &S_SUP, ST0 + 7 * FX_HOUR, stext("cancel-sale",
			    "reason", "Court order."));
			sok(st, &S_VER, ST0 + 8 * FX_HOUR,
			    eb_doc_new("countersign-cancel-sale"));
		}
		return st;
	}
	sok(st, &S_A, ST0 + 4 * FX_HOUR, eb_doc_new("apply-for-sale"));
	sok(st, &S_B, ST0 + 4 * FX_HOUR + 1, eb_doc_new("apply-for-sale"));
	sok(st, &S_C, ST0 + 4 * FX_HOUR + 2, eb_doc_new("apply-for-sale"));
	sok(st, &S_REG, ST0 + 5 * FX_HOUR, sb("confirm-sale-deposit",
	    "bidder", "bidder-a", "amount", "50000000"));
	sok(st, &S_REG, ST0 + 5 * FX_HOUR + 1, sb("confirm-sale-deposit",
	    "bidder", "bidder-b", "amount", "50000000"));
	sok(st, &S_A, SLS + FX_HOUR, sb("quote", "amount", "600000000", NULL,
	    NULL));
	if (strcmp(target, "listing") == 0)
		return st;
	sok(st, &S_B, SLS + 2 * FX_HOUR, sb("quote", "amount", "605000000",
	    NULL, NULL));
	sok(st, &S_SYS, SLE, eb_doc_new("listing-closed"));
	if (strcmp(target, "declaring") == 0)
		return st;
	sok(st, &S_A, SLE + SMIN, sb("declare-continue", "continue", "yes",
	    NULL, NULL));
	sok(st, &S_B, SLE + 2 * SMIN, sb("declare-continue", "continue", "yes",
	    NULL, NULL));
	sok(st, &S_SYS, SLE + 3 * SMIN, eb_doc_new("start-auction"));
	sok(st, &S_A, SLE + 4 * SMIN, sb("auction-bid", "amount", "615000000",
	    NULL, NULL));
	sok(st, &S_B, SLE + 5 * SMIN, sb("auction-bid", "amount", "620000000",
	    NULL, NULL));
	if (strcmp(target, "auction") == 0)
		return st;
	assert_int_equal(eb_sale_flow.next_timer(st, &end, &nm), 1);
	sok(st, &S_SYS, end, eb_doc_new("countdown-expired"));
	if (strcmp(target, "revealing") == 0)
		return st;
	sok(st, &S_SELLER, end + SMIN, sb("reveal-reserve", "fen", "610000000",
	    "salt", SALT));
	if (strcmp(target, "result") == 0)
		return st;
	sok(st, &S_SUP, end + FX_HOUR, eb_doc_new("confirm-sale-result"));
	if (strcmp(target, "publicity") == 0)
		return st;
	assert_int_equal(eb_sale_flow.next_timer(st, &end, &nm), 1);
	sok(st, &S_SYS, end, eb_doc_new("sale-publicity-ended"));
	if (strcmp(target, "verifying") == 0)
		return st;
	sok(st, &S_VER, end + FX_HOUR, stext("verify-sale", "record",
	    "Process lawful; result certified."));
	if (strcmp(target, "verified") == 0)
		return st;
	sok(st, &S_REG, end + 2 * FX_HOUR, eb_doc_new("close-sale"));
	return st;
}

static const char *const SALE_STATES[] = { "new", "registered", "accepted",
	"listing", "declaring", "auction", "revealing", "result", "publicity",
	"verifying", "verified", "closed", "cancelled", "suspended" };

static void
test_sale_every_state_every_viewer(void **state)
{
	struct viewer vs[12];
	size_t i, k, n;
	int failures = 0;

	(void)state;
	n = 0;
	vs[n++] = mk("the public", fx_actor(EB_ROLE_NONE, "anyone", ""),
	    S_PUBLIC, NULL, NULL);
	vs[n++] = mk("the transferor", S_SELLER, S_PUBLIC, NULL, NULL);
	vs[n++] = mk("a tenderer", fx_party(EB_ROLE_TENDERER, "ten1"),
	    S_PUBLIC, NULL, NULL);
	vs[n++] = mk("buyer A", S_A, S_PUBLIC, S_BUYER, NULL);
	vs[n++] = mk("buyer B", S_B, S_PUBLIC, S_BUYER, NULL);
	vs[n++] = mk("buyer C (undecided)", S_C, S_PUBLIC, S_BUYER, NULL);
	vs[n++] = mk("the registrar", S_REG, S_PUBLIC, S_OFFICIAL, NULL);
	vs[n++] = mk("the supervisor", S_SUP, S_PUBLIC, S_OFFICIAL, NULL);
	vs[n++] = mk("the verifier", S_VER, S_PUBLIC, S_OFFICIAL, NULL);
	vs[n++] = mk("an auditor", fx_party(EB_ROLE_AUDITOR, "aud1"),
	    S_PUBLIC, S_OFFICIAL, NULL);
	vs[n++] = mk("ebidd", S_SYS, S_PUBLIC, S_OFFICIAL, NULL);
	for (k = 0; k < sizeof(SALE_STATES) / sizeof(SALE_STATES[0]); k++) {
		void *st = sale_to(SALE_STATES[k]);
		struct eb_doc *sys = eb_sale_flow.view(st, &S_SYS);
		const struct eb_doc *res = eb_doc_child(sys, "result");
		char what[64];

		assert_string_equal(sstate(st), SALE_STATES[k]);
		snprintf(what, sizeof(what), "sale %s", SALE_STATES[k]);
		for (i = 0; i < n; i++) {
			struct eb_doc *v = eb_sale_flow.view(st, &vs[i].actor);
			const struct eb_doc *b;
			struct ctx c;

			memset(&c, 0, sizeof(c));
			c.what = what;
			c.v = &vs[i];
			c.conds = 1u << C_ALWAYS;
			if (eb_doc_attr(eb_doc_child(sys, "reserve"), "fen") !=
			    NULL)
				c.conds |= 1u << C_REVEALED;
			if (res != NULL && strcmp(eb_doc_attr(res, "confirmed"),
			    "yes") == 0)
				c.winner = eb_doc_attr(res, "winner");
			walk(&c, v, "");
			failures += c.failures;
			/* rivals: only qualified numbers, and in the listing
			 * only of those who quoted (B did not yet) */
			if (vs[i].lists[1] != S_OFFICIAL)
				eb_doc_foreach(b, eb_doc_child(v, "bidders"),
				    "bidder") {
					if (eb_doc_attr(b, "you") != NULL)
						continue;
					assert_string_equal(eb_doc_attr(b,
					    "status"), "qualified");
					if (strcmp(SALE_STATES[k], "listing") ==
					    0)
						assert_string_equal(eb_doc_attr(b,
						    "number"), "1");
				}
			/* officials see every application */
			if (vs[i].lists[1] == S_OFFICIAL &&
			    strcmp(SALE_STATES[k], "listing") == 0)
				assert_int_equal(eb_doc_count(eb_doc_child(v,
				    "bidders"), "bidder"), 3);
			eb_doc_free(v);
		}
		eb_doc_free(sys);
		eb_sale_flow.destroy(st);
	}
	assert_int_equal(failures, 0);
}

/* Point 12: a buyer of the transferor's organisation, or of an officer's,
 * is refused at application, and nothing changes. */
static void
test_sale_shill_refused(void **state)
{
	void *st = sale_to("accepted");
	struct eb_error err;
	char hex[EB_SHA256_HEX];
	struct eb_doc *before, *after;

	(void)state;
	assert_int_equal(eb_sale_reserve_hash(SID, RESERVE, SALT, hex), EB_OK);
	sok(st, &S_SELLER, ST0 + 2 * FX_HOUR, sb("commit-reserve", "commitment",
	    hex, NULL, NULL));
	sok(st, &S_SUP, ST0 + 2 * FX_HOUR + 1, sb("countersign-reserve",
	    "commitment", hex, NULL, NULL));
	sok(st, &S_SUP, ST0 + 3 * FX_HOUR, eb_doc_new("publish-listing"));
	before = eb_sale_flow.view(st, &S_SUP);
	assert_int_equal(sdo(st, &S_SHILL, ST0 + 4 * FX_HOUR,
	    eb_doc_new("apply-for-sale"), &err), EB_ERR_DENIED);
	assert_string_equal(err.reason, "conflict-of-interest");
	assert_int_equal(sdo(st, &S_INSIDER, ST0 + 4 * FX_HOUR,
	    eb_doc_new("apply-for-sale"), &err), EB_ERR_DENIED);
	assert_string_equal(err.reason, "conflict-of-interest");
	after = eb_sale_flow.view(st, &S_SUP);
	assert_true(eb_doc_equal(before, after));
	eb_doc_free(before);
	eb_doc_free(after);
	/* a buyer without a conflict applies */
	sok(st, &S_A, ST0 + 4 * FX_HOUR, eb_doc_new("apply-for-sale"));
	eb_sale_flow.destroy(st);
}

/* An officer of the transferor's organisation may not act on its sale. */
static void
test_sale_officer_of_transferor(void **state)
{
	void *st = sale_to("registered");
	struct eb_actor reg = S_REG;
	struct eb_error err;

	(void)state;
	snprintf(reg.org, sizeof(reg.org), "%s", S_SELLER.org);
	assert_int_equal(sdo(st, &reg, ST0 + FX_HOUR, eb_doc_new("accept-sale"),
	    &err), EB_ERR_DENIED);
	assert_string_equal(err.reason, "separation-of-duties");
	assert_string_equal(sstate(st), "registered");
	eb_sale_flow.destroy(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tender_every_state_every_viewer),
		cmocka_unit_test(test_tender_drawn_expert),
		cmocka_unit_test(test_tender_opening_record),
		cmocka_unit_test(test_sale_every_state_every_viewer),
		cmocka_unit_test(test_sale_shill_refused),
		cmocka_unit_test(test_sale_officer_of_transferor),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
