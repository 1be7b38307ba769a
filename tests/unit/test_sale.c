/*
 * tests/unit/test_sale.c
 *    The listing-then-auction sale (engine/core/sale.h): every rule at its
 *    boundary, the case study end to end (from code and from the script
 *    tests/data/sale/case-study.txt), replay, pseudonymity, the sealed
 *    reserve, refusals in wrong states, and a throughput measurement of
 *    the auction-bid hot path.
 *
 * Every expected figure is computed by hand in the comments: the case
 * study lists at 6,000,000.00 yuan (600000000 fen) with an increment of
 * 50,000.00 (5000000 fen); quote i (1..19) is 600000000 + i * 5000000,
 * so quote 19 is 695000000 (6,950,000.00); auction bid k (1..49) is
 * 695000000 + k * 5000000, so bid 49 is 940000000 (9,400,000.00).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "engine/core/sale.h"
#include "protocol/hash.h"
#include "protocol/isotime.h"

#define SALE_ID "S-2026-001"
#define SALT "00112233445566778899aabbccddeeff"
#define SEC ((int64_t)1000)
#define MIN (60 * SEC)
#define HOUR (60 * MIN)
#define DAY (24 * HOUR)
#define T0 ((int64_t)1796083200000)       /* 2026-12-01T00:00:00Z */
#define LS (T0 + DAY)                     /* listing start */
#define LE (T0 + 11 * DAY)                /* listing end */
#define START 600000000                   /* 6,000,000.00 yuan */
#define INC 5000000                       /* 50,000.00 yuan */
#define DEPOSIT 50000000
#define COUNTDOWN (300 * SEC)

static const struct eb_actor A_SELLER = { "seller", "p-seller",
	"Feicheng SASAC", "Feicheng State Assets", EB_ROLE_TRANSFEROR };
static const struct eb_actor A_REG = { "reg1", "p-reg", "Centre",
	"Registration Officer", EB_ROLE_REGISTRAR };
static const struct eb_actor A_SUP = { "sup1", "p-sup", "Centre",
	"Supervision Officer", EB_ROLE_SUPERVISOR };
static const struct eb_actor A_VER = { "ver1", "p-ver", "Centre",
	"Verification Officer", EB_ROLE_VERIFIER };
static const struct eb_actor A_SYS = { "ebidd", "ebidd", "Centre", "ebidd",
	EB_ROLE_SYSTEM };
static const struct eb_actor A_B1 = { "bidder-a", "p-a", "Alpha Holdings",
	"Alpha Bidder", EB_ROLE_BIDDER };
static const struct eb_actor A_B2 = { "bidder-b", "p-b", "Beta Industries",
	"Beta Bidder", EB_ROLE_BIDDER };
static const struct eb_actor A_B3 = { "bidder-c", "p-c", "Gamma Trading",
	"Gamma Bidder", EB_ROLE_BIDDER };

struct fx {
	void *st;
	struct eb_doc *log;     /* <log><entry ...><cmd/><events/></entry>... */
	int keep_log;
	struct eb_error err;
};

/* Integer and instant arguments as text (a small ring of buffers). */
static const char *
I(int64_t v)
{
	static char ring[16][32];
	static int k;
	char *p = ring[k++ % 16];

	snprintf(p, 32, "%lld", (long long)v);
	return p;
}

static const char *
T(int64_t ms)
{
	static char ring[16][EB_ISOTIME_LEN];
	static int k;
	char *p = ring[k++ % 16];

	eb_isotime_format(ms, p);
	return p;
}

static void
fx_init(struct fx *f)
{
	memset(f, 0, sizeof(*f));
	f->st = eb_sale_flow.create(SALE_ID);
	assert_non_null(f->st);
	f->log = eb_doc_new("log");
	f->keep_log = 1;
}

static void
fx_free(struct fx *f)
{
	eb_sale_flow.destroy(f->st);
	eb_doc_free(f->log);
}

static char *
view_bytes(const void *st, const struct eb_actor *a)
{
	struct eb_doc *v = eb_sale_flow.view(st, a);
	struct eb_buf b = EB_BUF_INIT;
	size_t n;
	char *s;

	assert_int_equal(eb_doc_serialize(v, &b), EB_OK);
	eb_doc_free(v);
	s = (char *)eb_buf_steal(&b, &n);
	return s != NULL ? s : strdup("");
}

static struct eb_doc *
make_cmd(const char *name, va_list ap)
{
	struct eb_doc *body = eb_doc_new(name);
	const char *k, *v;

	while ((k = va_arg(ap, const char *)) != NULL) {
		v = va_arg(ap, const char *);
		if (k[0] == '<')
			eb_doc_add_text(body, k + 1, v);
		else
			eb_doc_set_attr(body, k, v);
	}
	if (strcmp(name, "register-sale") != 0)
		eb_doc_set_attr(body, "sale", SALE_ID);
	return body;
}

/*
 * Developer aid: with EB_SALE_DUMP=<dir>, every accepted command, its
 * events and the views after it are written there as canonical XML (to
 * validate against protocol/xsd/ebid.xsd with xmllint).
 */
static void
dump(const char *kind, int seq, const struct eb_doc *d)
{
	const char *dir = getenv("EB_SALE_DUMP");
	struct eb_buf b = EB_BUF_INIT;
	char path[1024];
	FILE *fp;

	if (dir == NULL || d == NULL)
		return;
	snprintf(path, sizeof(path), "%s/%04d-%s.xml", dir, seq, kind);
	assert_int_equal(eb_doc_serialize(d, &b), EB_OK);
	if ((fp = fopen(path, "w")) != NULL) {
		fputs(eb_buf_str(&b), fp);
		fclose(fp);
	}
	eb_buf_free(&b);
}

static void
dump_step(struct fx *f, const struct eb_doc *body, const struct eb_doc *evs)
{
	static int seq;
	struct eb_doc *v;

	if (getenv("EB_SALE_DUMP") == NULL)
		return;
	seq++;
	dump("command", seq, body);
	dump("events", seq, evs);
	v = eb_sale_flow.view(f->st, &A_SUP);
	dump("view-supervisor", seq, v);
	eb_doc_free(v);
	v = eb_sale_flow.view(f->st, &A_B1);
	dump("view-bidder", seq, v);
	eb_doc_free(v);
}

/* decide, then (on success) apply and log; returns decide's code. */
static int
submit(struct fx *f, const struct eb_actor *a, int64_t t,
    struct eb_doc *body)
{
	struct eb_doc *evs = NULL, *e;
	struct eb_cmd c;
	int rc;

	memset(&c, 0, sizeof(c));
	c.body = body;
	c.actor = *a;
	snprintf(c.target, sizeof(c.target), "%s", SALE_ID);
	c.time = t;
	eb_error_clear(&f->err);
	rc = eb_sale_flow.decide(f->st, &c, &evs, &f->err);
	if (rc != EB_OK) {
		assert_null(evs);
		assert_int_equal(f->err.code, rc);
		eb_doc_free(body);
		return rc;
	}
	assert_non_null(evs);
	assert_int_equal(eb_sale_flow.apply(f->st, evs, &f->err), EB_OK);
	dump_step(f, body, evs);
	if (!f->keep_log) {
		eb_doc_free(evs);
		eb_doc_free(body);
		return rc;
	}
	e = eb_doc_add(f->log, "entry");
	eb_doc_set_attr(e, "party", a->party);
	eb_doc_set_attr(e, "person", a->person);
	eb_doc_set_attr(e, "org", a->org);
	eb_doc_set_attr(e, "name", a->name);
	eb_doc_set_attr(e, "role", eb_role_name(a->role));
	eb_doc_set_attr_i64(e, "time", t);
	eb_doc_append(e, body);
	eb_doc_append(e, evs);
	return rc;
}

/* Run a command that must be accepted. */
static void
ok(struct fx *f, const struct eb_actor *a, int64_t t, const char *name, ...)
{
	va_list ap;
	int rc;

	va_start(ap, name);
	rc = submit(f, a, t, make_cmd(name, ap));
	va_end(ap);
	if (rc != EB_OK)
		fail_msg("%s refused: %s: %s (%s)", name, f->err.reason,
		    f->err.primary, f->err.detail);
}

/*
 * Run a command that must be refused with 'code' and 'reason'; the state
 * and every view must be byte-for-byte unchanged.
 */
static void
no(struct fx *f, int code, const char *reason, const struct eb_actor *a,
    int64_t t, const char *name, ...)
{
	char *before = view_bytes(f->st, &A_SUP), *after;
	const char *sn = eb_sale_flow.state_name(f->st);
	va_list ap;
	int rc;

	va_start(ap, name);
	rc = submit(f, a, t, make_cmd(name, ap));
	va_end(ap);
	if (rc != code)
		fail_msg("%s: expected %d (%s), got %d (%s: %s)", name, code,
		    reason, rc, f->err.reason, f->err.primary);
	assert_string_equal(f->err.reason, reason);
	assert_true(f->err.primary[0] != '\0');
	after = view_bytes(f->st, &A_SUP);
	assert_string_equal(before, after);
	assert_string_equal(sn, eb_sale_flow.state_name(f->st));
	free(before);
	free(after);
}

static const char *
commitment(int64_t reserve)
{
	static char hex[EB_SHA256_HEX];

	assert_int_equal(eb_sale_reserve_hash(SALE_ID, reserve, SALT, hex),
	    EB_OK);
	return hex;
}

static void
state_is(struct fx *f, const char *name)
{
	assert_string_equal(eb_sale_flow.state_name(f->st), name);
}

/* A value from the supervisor's view by path and attribute. */
static int64_t
view_i64(struct fx *f, const char *path, const char *attr)
{
	struct eb_doc *v = eb_sale_flow.view(f->st, &A_SUP), *d;
	int64_t x = -1;

	d = eb_doc_path(v, path);
	assert_non_null(d);
	assert_int_equal(eb_doc_attr_i64(d, attr, &x), EB_OK);
	eb_doc_free(v);
	return x;
}

static char *
view_attr(struct fx *f, const struct eb_actor *a, const char *path,
    const char *attr)
{
	struct eb_doc *v = eb_sale_flow.view(f->st, a), *d;
	char *s = NULL;

	d = eb_doc_path(v, path);
	if (d != NULL && eb_doc_attr(d, attr) != NULL)
		s = strdup(eb_doc_attr(d, attr));
	eb_doc_free(v);
	return s;
}

/* The bidding number of 'party' (the supervisor's view), 0 when none. */
static int64_t
num_of(struct fx *f, const char *party)
{
	struct eb_doc *v = eb_sale_flow.view(f->st, &A_SUP), *l, *b;
	int64_t n = 0;

	l = eb_doc_path(v, "bidders");
	if (l != NULL)
		eb_doc_foreach(b, l, "bidder")
			if (eb_doc_attr(b, "party") != NULL &&
			    strcmp(eb_doc_attr(b, "party"), party) == 0)
				(void)eb_doc_attr_i64(b, "number", &n);
	eb_doc_free(v);
	return n;
}

static const struct eb_actor *const BIDDERS[] = { &A_B1, &A_B2, &A_B3 };

/*
 * Register, accept, seal a reserve of 'reserve' fen, publish, and qualify
 * 'nb' bidders in order (A gets No. 1, B No. 2, C No. 3).
 */
/* the raise rule fx_listing registers with; NULL: none (the default) */
static const char *fx_raise;

static void
fx_listing(struct fx *f, int64_t reserve, int nb)
{
	int i;

	fx_init(f);
	ok(f, &A_SELLER, T0, "register-sale",
	    "<asset", "Land use right, parcel 2026-17, Feicheng",
	    "starting-price", I(START), "increment", I(INC),
	    "deposit", I(DEPOSIT), "listing-start", T(LS), "listing-end", T(LE),
	    "countdown-seconds", "300", "declare-seconds", "300",
	    "publicity-seconds", "259200",
	    fx_raise != NULL ? "raise" : NULL, fx_raise, NULL);
	state_is(f, "registered");
	ok(f, &A_REG, T0 + HOUR, "accept-sale", NULL);
	ok(f, &A_SELLER, T0 + 2 * HOUR, "commit-reserve",
	    "commitment", commitment(reserve), NULL);
	ok(f, &A_SUP, T0 + 2 * HOUR + MIN, "countersign-reserve",
	    "commitment", commitment(reserve), NULL);
	ok(f, &A_SUP, T0 + 3 * HOUR, "publish-listing", NULL);
	state_is(f, "listing");
	for (i = 0; i < nb; i++)
		ok(f, BIDDERS[i], T0 + 4 * HOUR + i * MIN, "apply-for-sale", NULL);
	for (i = 0; i < nb; i++)
		ok(f, &A_REG, T0 + 5 * HOUR + i * MIN, "confirm-sale-deposit",
		    "bidder", BIDDERS[i]->party, "amount", I(DEPOSIT), NULL);
}

/* The 19 alternating listing quotes of the case study: A, B, A, ... A. */
static void
case_listing(struct fx *f)
{
	int i;

	for (i = 1; i <= 19; i++)
		ok(f, i % 2 ? &A_B1 : &A_B2, LS + i * 12 * HOUR, "quote",
		    "amount", I(START + (int64_t)i * INC), NULL);
	/* quote 19 by A: 600000000 + 19 * 5000000 = 695000000 */
	assert_int_equal(view_i64(f, "price", "current"), 695000000);
	assert_int_equal(view_i64(f, "price", "leader"), num_of(f, "bidder-a"));
}

#define AS (LE + 2 * MIN)           /* the auction starts here */

/* Close the listing, both go on, and the 49 auction bids: B, A, ... B. */
static int64_t
case_auction(struct fx *f)
{
	int64_t at = 0;
	const char *name = NULL;
	int k;

	ok(f, &A_SYS, LE, "listing-closed", NULL);
	state_is(f, "declaring");
	assert_int_equal(eb_sale_flow.next_timer(f->st, &at, &name), 1);
	assert_true(at == LE + 300 * SEC);   /* the declaration deadline */
	assert_string_equal(name, "start-auction");
	ok(f, &A_B1, LE + MIN, "declare-continue", "continue", "yes", NULL);
	ok(f, &A_B2, LE + 2 * MIN, "declare-continue", "continue", "yes", NULL);
	/* everyone declared: the timer is due at once */
	assert_int_equal(eb_sale_flow.next_timer(f->st, &at, &name), 1);
	assert_true(at == LE + 2 * MIN);
	ok(f, &A_SYS, AS, "start-auction", NULL);
	state_is(f, "auction");
	for (k = 1; k <= 49; k++)
		ok(f, k % 2 ? &A_B2 : &A_B1, AS + k * MIN, "auction-bid",
		    "amount", I(695000000 + (int64_t)k * INC), NULL);
	/* bid 49 by B at AS + 49 min: 695000000 + 49 * 5000000 = 940000000 */
	assert_int_equal(view_i64(f, "price", "current"), 940000000);
	assert_int_equal(view_i64(f, "price", "leader"), num_of(f, "bidder-b"));
	assert_int_equal(eb_sale_flow.next_timer(f->st, &at, &name), 1);
	assert_string_equal(name, "countdown-expired");
	assert_true(at == AS + 49 * MIN + COUNTDOWN);
	return at;
}

/* ---------------------------------------------------------------------- */

static void
test_price_text(void **state)
{
	char b[40];

	(void)state;
	assert_int_equal(eb_sale_price_text(695000000, b, sizeof(b)), 12);
	assert_string_equal(b, "6,950,000.00");
	assert_int_equal(eb_sale_price_text(940000000, b, sizeof(b)), 12);
	assert_string_equal(b, "9,400,000.00");
	eb_sale_price_text(0, b, sizeof(b));
	assert_string_equal(b, "0.00");
	eb_sale_price_text(5, b, sizeof(b));
	assert_string_equal(b, "0.05");
	eb_sale_price_text(99999, b, sizeof(b));
	assert_string_equal(b, "999.99");
	eb_sale_price_text(100000, b, sizeof(b));
	assert_string_equal(b, "1,000.00");
	eb_sale_price_text(-123456, b, sizeof(b));
	assert_string_equal(b, "-1,234.56");
	eb_sale_price_text(INT64_MIN, b, sizeof(b));
	assert_string_equal(b, "-92,233,720,368,547,758.08");
	/* "6,950,000.00" needs 13 bytes with the NUL */
	assert_int_equal(eb_sale_price_text(695000000, b, 12), EB_ERR_LIMIT);
	assert_string_equal(b, "");
	assert_int_equal(eb_sale_price_text(695000000, b, 13), 12);
}

static void
test_reserve_hash(void **state)
{
	char hex[EB_SHA256_HEX];

	(void)state;
	/* printf '%s' "reserve:S-2026-001:800000000:0011...eeff" | sha256sum */
	assert_int_equal(eb_sale_reserve_hash(SALE_ID, 800000000, SALT, hex),
	    EB_OK);
	assert_string_equal(hex,
	    "19dc680c94fd870f7e009b0412d3e0f022f142c9c3aabf0a934fddfacd2e5f94");
	assert_int_equal(eb_sale_reserve_hash(SALE_ID, 0, SALT, hex), EB_OK);
	assert_string_equal(hex,
	    "5facc00f0a17af02b51c6e3f8508e8fa1e703cb4cbb302aa6c4c38aa84b2146e");
	/* salt too short, upper case, odd; negative fen; empty id */
	assert_int_equal(eb_sale_reserve_hash(SALE_ID, 1, "00112233", hex),
	    EB_ERR_FORMAT);
	assert_int_equal(eb_sale_reserve_hash(SALE_ID, 1,
	    "00112233445566778899AABBCCDDEEFF", hex), EB_ERR_FORMAT);
	assert_int_equal(eb_sale_reserve_hash(SALE_ID, 1,
	    "00112233445566778899aabbccddeeff0", hex), EB_ERR_FORMAT);
	assert_int_equal(eb_sale_reserve_hash(SALE_ID, -1, SALT, hex),
	    EB_ERR_FORMAT);
	assert_int_equal(eb_sale_reserve_hash("", 1, SALT, hex), EB_ERR_FORMAT);
}

/* The whole case study: 19 quotes, auction to 9,400,000.00, sold. */
static void
test_case_study_sold(void **state)
{
	struct fx f;
	int64_t end, at = 0;
	const char *name = NULL;
	char *s;

	(void)state;
	fx_listing(&f, 800000000, 2);           /* reserve 8,000,000.00 */
	assert_int_equal(eb_sale_flow.next_timer(f.st, &at, &name), 1);
	assert_true(at == LE);
	assert_string_equal(name, "listing-closed");
	case_listing(&f);
	end = case_auction(&f);
	no(&f, EB_ERR_TIME, "countdown-running", &A_SYS, end - 1,
	    "countdown-expired", NULL);
	ok(&f, &A_SYS, end, "countdown-expired", NULL);
	state_is(&f, "revealing");
	assert_int_equal(eb_sale_flow.next_timer(f.st, &at, &name), 0);
	ok(&f, &A_SELLER, end + 10 * MIN, "reveal-reserve",
	    "fen", "800000000", "salt", SALT, NULL);
	state_is(&f, "result");
	s = view_attr(&f, &A_SUP, "result", "outcome");
	assert_string_equal(s, "sold");
	free(s);
	s = view_attr(&f, &A_SUP, "result", "price-text");
	assert_string_equal(s, "9,400,000.00");
	free(s);
	assert_int_equal(view_i64(&f, "result", "winner"), num_of(&f, "bidder-b"));
	ok(&f, &A_SUP, end + HOUR, "confirm-sale-result", NULL);
	state_is(&f, "publicity");
	assert_int_equal(eb_sale_flow.next_timer(f.st, &at, &name), 1);
	assert_true(at == end + HOUR + 3 * DAY);
	assert_string_equal(name, "sale-publicity-ended");
	no(&f, EB_ERR_TIME, "publicity-running", &A_SYS, at - 1,
	    "sale-publicity-ended", NULL);
	ok(&f, &A_SYS, at, "sale-publicity-ended", NULL);
	state_is(&f, "verifying");
	ok(&f, &A_VER, at + HOUR, "verify-sale",
	    "<record", "Process lawful; result certified.", NULL);
	ok(&f, &A_REG, at + 2 * HOUR, "close-sale", NULL);
	state_is(&f, "closed");
	/* 19 quotes + 49 bids in the history */
	assert_int_equal(view_i64(&f, "price", "accepted"), 68);
	fx_free(&f);
}

/* The same sale with a reserve above the final price: no sale (流拍). */
static void
test_case_study_no_sale(void **state)
{
	struct fx f;
	int64_t end;
	char *s;

	(void)state;
	fx_listing(&f, 950000000, 2);           /* reserve 9,500,000.00 */
	case_listing(&f);
	end = case_auction(&f);
	ok(&f, &A_SYS, end, "countdown-expired", NULL);
	ok(&f, &A_SUP, end + MIN, "reveal-reserve",
	    "fen", "950000000", "salt", SALT, NULL);
	s = view_attr(&f, &A_SUP, "result", "outcome");
	assert_string_equal(s, "no-sale");
	free(s);
	/* a no-sale has no winner (no winner="0") */
	s = view_attr(&f, &A_SUP, "result", "winner");
	assert_null(s);
	free(s);
	assert_int_equal(view_i64(&f, "result", "price"), 940000000);
	ok(&f, &A_SUP, end + HOUR, "confirm-sale-result", NULL);
	/* no winner: nobody's name becomes public */
	s = view_bytes(f.st, &A_SELLER);
	assert_null(strstr(s, "Alpha Bidder"));
	assert_null(strstr(s, "Beta Bidder"));
	free(s);
	fx_free(&f);
}

/* Reserve exactly met: sold; one fen above the price: no sale. */
static void
test_reserve_boundary(void **state)
{
	struct fx f;
	char *s;
	int i;

	(void)state;
	for (i = 0; i < 2; i++) {
		int64_t reserve = 695000000 + i;

		fx_listing(&f, reserve, 2);
		case_listing(&f);               /* 695000000 by No. 1 */
		ok(&f, &A_SYS, LE, "listing-closed", NULL);
		ok(&f, &A_B1, LE + MIN, "declare-continue", "continue", "yes",
		    NULL);
		ok(&f, &A_B2, LE + MIN, "declare-continue", "continue", "no",
		    NULL);
		ok(&f, &A_SYS, LE + MIN, "start-auction", NULL);
		/* one "yes": no auction, the listing's highest quote stands */
		state_is(&f, "revealing");
		ok(&f, &A_SELLER, LE + HOUR, "reveal-reserve",
		    "fen", I(reserve), "salt", SALT, NULL);
		s = view_attr(&f, &A_SUP, "result", "outcome");
		assert_string_equal(s, i == 0 ? "sold" : "no-sale");
		free(s);
		if (i == 0) {
			assert_int_equal(view_i64(&f, "result", "winner"),
			    num_of(&f, "bidder-a"));
		} else {
			s = view_attr(&f, &A_SUP, "result", "winner");
			assert_null(s);
			free(s);
		}
		fx_free(&f);
	}
}

/* Quotes: the first at the starting price, then current + increment. */
static void
test_quote_boundaries(void **state)
{
	struct fx f;

	(void)state;
	fx_listing(&f, 1, 3);
	no(&f, EB_ERR_TIME, "listing-not-started", &A_B1, LS - 1, "quote",
	    "amount", I(START), NULL);
	/* first quote one fen below the starting price */
	no(&f, EB_ERR_RULE, "below-minimum", &A_B1, LS, "quote",
	    "amount", I(START - 1), NULL);
	ok(&f, &A_B1, LS, "quote", "amount", I(START), NULL);
	/* an equal amount later: refused, the earlier one stands */
	no(&f, EB_ERR_RULE, "below-minimum", &A_B2, LS, "quote",
	    "amount", I(START), NULL);
	/* one fen short of the increment */
	no(&f, EB_ERR_RULE, "below-minimum", &A_B2, LS + 1, "quote",
	    "amount", I(START + INC - 1), NULL);
	ok(&f, &A_B2, LS + 2, "quote", "amount", I(START + INC), NULL);
	/* the leader may not raise its own price */
	no(&f, EB_ERR_RULE, "already-highest", &A_B2, LS + 3, "quote",
	    "amount", I(START + 5 * INC), NULL);
	/* by default a raise is a whole number of increments: one fen off
	 * or half an increment is refused, whatever its size */
	no(&f, EB_ERR_RULE, "not-a-multiple", &A_B3, LS + 4, "quote",
	    "amount", I(START + 3 * INC + 17), NULL);
	no(&f, EB_ERR_RULE, "not-a-multiple", &A_B3, LS + 4, "quote",
	    "amount", I(START + 2 * INC + INC / 2), NULL);
	/* more than the increment is fine */
	ok(&f, &A_B3, LS + 4, "quote", "amount", I(START + 3 * INC), NULL);
	assert_int_equal(view_i64(&f, "price", "current"), START + 3 * INC);
	assert_int_equal(view_i64(&f, "price", "minimum"), START + 4 * INC);
	/* the last instant of the listing is in; its end is out */
	ok(&f, &A_B1, LE - 1, "quote", "amount", I(START + 4 * INC), NULL);
	no(&f, EB_ERR_TIME, "listing-closed", &A_B2, LE, "quote",
	    "amount", I(START + 9 * INC), NULL);
	no(&f, EB_ERR_TIME, "listing-open", &A_SYS, LE - 1, "listing-closed",
	    NULL);
	no(&f, EB_ERR_FORMAT, "bad-number", &A_B2, LE - 1, "quote",
	    "amount", "6e8", NULL);
	fx_free(&f);
}

/* raise="at-least": any amount at least one increment up; the auction
 * follows the same rule; a rule not in the list is refused. */
static void
test_raise_at_least(void **state)
{
	struct fx f;

	(void)state;
	fx_raise = "at-least";
	fx_listing(&f, 1, 3);
	fx_raise = NULL;
	{
		char *r = view_attr(&f, &A_SUP, "terms", "raise");

		assert_non_null(r);
		assert_string_equal(r, "at-least");
		free(r);
	}
	ok(&f, &A_B1, LS, "quote", "amount", I(START + 1), NULL);
	no(&f, EB_ERR_RULE, "below-minimum", &A_B2, LS + 1, "quote",
	    "amount", I(START + INC), NULL);
	ok(&f, &A_B2, LS + 1, "quote", "amount", I(START + INC + 1), NULL);
	ok(&f, &A_B3, LS + 2, "quote", "amount", I(START + 2 * INC + INC / 2 + 1),
	    NULL);
	fx_free(&f);
	fx_init(&f);
	no(&f, EB_ERR_FORMAT, "bad-raise", &A_SELLER, T0, "register-sale",
	    "<asset", "Plant", "starting-price", I(START), "increment", I(INC),
	    "deposit", "0", "listing-start", T(LS), "listing-end", T(LE),
	    "countdown-seconds", "300", "raise", "any", NULL);
	fx_free(&f);
}

/* The countdown ends exactly at last bid + countdown. */
static void
test_countdown_boundary(void **state)
{
	struct fx f;
	int64_t at = 0;
	const char *name = NULL;

	(void)state;
	fx_listing(&f, 1, 3);
	ok(&f, &A_B1, LS, "quote", "amount", I(START), NULL);
	ok(&f, &A_B2, LS + 1, "quote", "amount", I(START + INC), NULL);
	ok(&f, &A_SYS, LE, "listing-closed", NULL);
	/* C never quoted: it may not declare */
	no(&f, EB_ERR_DENIED, "no-listing-quote", &A_B3, LE + 1,
	    "declare-continue", "continue", "yes", NULL);
	ok(&f, &A_B1, LE + 1, "declare-continue", "continue", "yes", NULL);
	no(&f, EB_ERR_CONFLICT, "already-declared", &A_B1, LE + 2,
	    "declare-continue", "continue", "no", NULL);
	no(&f, EB_ERR_TIME, "declaration-open", &A_SYS, LE + 299999,
	    "start-auction", NULL);
	/* the declaration window closes at LE + 300 s exactly */
	no(&f, EB_ERR_TIME, "declaration-closed", &A_B2, LE + 300 * SEC,
	    "declare-continue", "continue", "yes", NULL);
	ok(&f, &A_B2, LE + 300 * SEC - 1, "declare-continue", "continue", "yes",
	    NULL);
	ok(&f, &A_SYS, LE + 300 * SEC, "start-auction", NULL);
	state_is(&f, "auction");
	/* the auction starts at 6,050,000.00 (No. 2 leads) and ends at +300 s */
	assert_int_equal(eb_sale_flow.next_timer(f.st, &at, &name), 1);
	assert_true(at == LE + 600 * SEC);
	no(&f, EB_ERR_DENIED, "not-in-auction", &A_B3, LE + 301 * SEC,
	    "auction-bid", "amount", I(START + 9 * INC), NULL);
	no(&f, EB_ERR_RULE, "below-minimum", &A_B1, LE + 301 * SEC,
	    "auction-bid", "amount", I(START + 2 * INC - 1), NULL);
	/* a bid received at the last millisecond restarts the countdown */
	ok(&f, &A_B1, LE + 600 * SEC - 1, "auction-bid",
	    "amount", I(START + 2 * INC), NULL);
	assert_int_equal(eb_sale_flow.next_timer(f.st, &at, &name), 1);
	assert_true(at == LE + 900 * SEC - 1);
	/* a bid received exactly at the end is too late */
	no(&f, EB_ERR_TIME, "auction-ended", &A_B2, LE + 900 * SEC - 1,
	    "auction-bid", "amount", I(START + 3 * INC), NULL);
	no(&f, EB_ERR_TIME, "countdown-running", &A_SYS, LE + 900 * SEC - 2,
	    "countdown-expired", NULL);
	ok(&f, &A_SYS, LE + 900 * SEC - 1, "countdown-expired", NULL);
	state_is(&f, "revealing");
	/* after the countdown-expired: the bidder hears that the auction
	 * ended, and when */
	no(&f, EB_ERR_TIME, "auction-ended", &A_B2, LE + 900 * SEC,
	    "auction-bid", "amount", I(START + 3 * INC), NULL);
	assert_non_null(strstr(f.err.primary, "ended at 2026-"));
	/* and a quote that the listing is over, and when */
	no(&f, EB_ERR_TIME, "listing-closed", &A_B2, LE + 900 * SEC,
	    "quote", "amount", I(START + 3 * INC), NULL);
	assert_non_null(strstr(f.err.primary, "closed at 2026-12-12T00:00:00.000Z"));
	assert_int_equal(view_i64(&f, "price", "current"), START + 2 * INC);
	fx_free(&f);
}

/* A single quoting bidder at the listing close; nobody quoting. */
static void
test_single_bidder_and_nobody(void **state)
{
	struct fx f;
	char *s;

	(void)state;
	fx_listing(&f, START, 2);
	ok(&f, &A_B2, LS + HOUR, "quote", "amount", I(START), NULL);
	ok(&f, &A_SYS, LE, "listing-closed", NULL);
	/* one quoter: no declaration, no auction */
	state_is(&f, "revealing");
	no(&f, EB_ERR_STATE, "not-allowed-in-state", &A_B2, LE + 1,
	    "declare-continue", "continue", "yes", NULL);
	ok(&f, &A_SELLER, LE + HOUR, "reveal-reserve", "fen", I(START),
	    "salt", SALT, NULL);
	s = view_attr(&f, &A_SUP, "result", "outcome");
	assert_string_equal(s, "sold");
	free(s);
	assert_int_equal(view_i64(&f, "result", "winner"), num_of(&f, "bidder-b"));
	assert_int_equal(view_i64(&f, "result", "price"), START);
	fx_free(&f);

	fx_listing(&f, 0, 2);
	ok(&f, &A_SYS, LE, "listing-closed", NULL);
	state_is(&f, "revealing");
	ok(&f, &A_SELLER, LE + HOUR, "reveal-reserve", "fen", "0",
	    "salt", SALT, NULL);
	/* nobody quoted: no sale even with a reserve of 0 */
	s = view_attr(&f, &A_SUP, "result", "outcome");
	assert_string_equal(s, "no-sale");
	free(s);
	/* a no-sale has no winner (no winner="0") */
	s = view_attr(&f, &A_SUP, "result", "winner");
	assert_null(s);
	free(s);
	fx_free(&f);
}

/* Two go on, nobody bids: the listing leader wins at its quote. */
static void
test_auction_without_bids(void **state)
{
	struct fx f;

	(void)state;
	fx_listing(&f, START, 2);
	ok(&f, &A_B1, LS, "quote", "amount", I(START), NULL);
	ok(&f, &A_B2, LS + 1, "quote", "amount", I(START + INC), NULL);
	ok(&f, &A_SYS, LE, "listing-closed", NULL);
	ok(&f, &A_B1, LE + 1, "declare-continue", "continue", "yes", NULL);
	ok(&f, &A_B2, LE + 2, "declare-continue", "continue", "yes", NULL);
	ok(&f, &A_SYS, LE + 2, "start-auction", NULL);
	no(&f, EB_ERR_RULE, "already-highest", &A_B2, LE + 3, "auction-bid",
	    "amount", I(START + 2 * INC), NULL);
	ok(&f, &A_SYS, LE + 2 + COUNTDOWN, "countdown-expired", NULL);
	ok(&f, &A_SUP, LE + HOUR, "reveal-reserve", "fen", I(START),
	    "salt", SALT, NULL);
	assert_int_equal(view_i64(&f, "result", "winner"), num_of(&f, "bidder-b"));
	assert_int_equal(view_i64(&f, "result", "price"), START + INC);
	fx_free(&f);
}

/* The reserve: sealing, countersigning, the reveal checked. */
static void
test_reserve_sealing(void **state)
{
	struct fx f;
	char *s;

	(void)state;
	fx_init(&f);
	ok(&f, &A_SELLER, T0, "register-sale", "<asset", "Plant",
	    "starting-price", I(START), "increment", I(INC), "deposit", "0",
	    "listing-start", T(LS), "listing-end", T(LE),
	    "countdown-seconds", "300", NULL);
	ok(&f, &A_REG, T0 + 1, "accept-sale", NULL);
	no(&f, EB_ERR_RULE, "reserve-not-sealed", &A_SUP, T0 + 2,
	    "publish-listing", NULL);
	no(&f, EB_ERR_STATE, "no-reserve", &A_SUP, T0 + 2,
	    "countersign-reserve", "commitment", commitment(700000000), NULL);
	/* the supervisor may not enter it, another transferor neither */
	no(&f, EB_ERR_DENIED, "wrong-role", &A_SUP, T0 + 2, "commit-reserve",
	    "commitment", commitment(700000000), NULL);
	ok(&f, &A_SELLER, T0 + 3, "commit-reserve",
	    "commitment", commitment(700000001), NULL);
	/* re-entered before the countersignature: the last one counts */
	ok(&f, &A_SELLER, T0 + 4, "commit-reserve",
	    "commitment", commitment(700000000), NULL);
	no(&f, EB_ERR_DENIED, "commitment-mismatch", &A_SUP, T0 + 5,
	    "countersign-reserve", "commitment", commitment(700000001), NULL);
	ok(&f, &A_SUP, T0 + 5, "countersign-reserve",
	    "commitment", commitment(700000000), NULL);
	no(&f, EB_ERR_STATE, "reserve-sealed", &A_SELLER, T0 + 6,
	    "commit-reserve", "commitment", commitment(1), NULL);
	ok(&f, &A_SUP, T0 + 7, "publish-listing", NULL);
	/* before the reveal nobody sees the figure, only the commitment */
	s = view_bytes(f.st, &A_SUP);
	assert_non_null(strstr(s, commitment(700000000)));
	assert_null(strstr(s, "700000000"));
	free(s);
	ok(&f, &A_B1, T0 + 8, "apply-for-sale", NULL);
	ok(&f, &A_REG, T0 + 9, "confirm-sale-deposit", "bidder", "bidder-a",
	    "amount", "0", NULL);
	ok(&f, &A_B1, LS, "quote", "amount", I(START), NULL);
	ok(&f, &A_SYS, LE, "listing-closed", NULL);
	/* wrong salt, wrong fen, malformed salt: refused, nothing changes */
	no(&f, EB_ERR_RULE, "reserve-mismatch", &A_SELLER, LE + 1,
	    "reveal-reserve", "fen", "700000000",
	    "salt", "00112233445566778899aabbccddeef0", NULL);
	no(&f, EB_ERR_RULE, "reserve-mismatch", &A_SELLER, LE + 1,
	    "reveal-reserve", "fen", "700000001", "salt", SALT, NULL);
	no(&f, EB_ERR_FORMAT, "bad-salt", &A_SELLER, LE + 1,
	    "reveal-reserve", "fen", "700000000", "salt", "xyz", NULL);
	no(&f, EB_ERR_DENIED, "wrong-role", &A_B1, LE + 1,
	    "reveal-reserve", "fen", "700000000", "salt", SALT, NULL);
	ok(&f, &A_SELLER, LE + 2, "reveal-reserve", "fen", "700000000",
	    "salt", SALT, NULL);
	s = view_attr(&f, &A_B1, "reserve", "fen");
	assert_string_equal(s, "700000000");
	free(s);
	/* 6,000,000.00 < 7,000,000.00 */
	s = view_attr(&f, &A_B1, "result", "outcome");
	assert_string_equal(s, "no-sale");
	free(s);
	fx_free(&f);
}

/* Commands in the wrong state: EB_ERR_STATE, state unchanged. */
static void
test_wrong_states(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f);
	no(&f, EB_ERR_STATE, "not-allowed-in-state", &A_REG, T0, "accept-sale",
	    NULL);
	/* "allowed now" lists what the caller's office may do */
	assert_non_null(strstr(f.err.detail, "nothing for a registrar"));
	no(&f, EB_ERR_STATE, "not-allowed-in-state", &A_SELLER, T0,
	    "commit-reserve", "commitment", commitment(1), NULL);
	assert_non_null(strstr(f.err.detail, "allowed now: register-sale"));
	ok(&f, &A_SELLER, T0, "register-sale", "<asset", "Plant",
	    "starting-price", I(START), "increment", I(INC), "deposit", "0",
	    "listing-start", T(LS), "listing-end", T(LE),
	    "countdown-seconds", "300", NULL);
	no(&f, EB_ERR_STATE, "not-allowed-in-state", &A_SELLER, T0,
	    "register-sale", "<asset", "Plant", "starting-price", I(START),
	    "increment", I(INC), "deposit", "0", "listing-start", T(LS),
	    "listing-end", T(LE), "countdown-seconds", "300", NULL);
	no(&f, EB_ERR_STATE, "not-allowed-in-state", &A_SUP, T0,
	    "publish-listing", NULL);
	no(&f, EB_ERR_STATE, "not-allowed-in-state", &A_B1, T0,
	    "apply-for-sale", NULL);
	no(&f, EB_ERR_STATE, "not-allowed-in-state", &A_REG, T0, "close-sale",
	    NULL);
	fx_free(&f);

	fx_listing(&f, 1, 2);
	no(&f, EB_ERR_STATE, "not-allowed-in-state", &A_B1, LS, "auction-bid",
	    "amount", I(START), NULL);
	assert_non_null(strstr(f.err.detail, "quote"));
	assert_null(strstr(f.err.detail, "confirm-sale-deposit"));
	assert_null(strstr(f.err.detail, "suspend-sale"));
	no(&f, EB_ERR_STATE, "not-allowed-in-state", &A_SELLER, LS,
	    "reveal-reserve", "fen", "1", "salt", SALT, NULL);
	no(&f, EB_ERR_STATE, "not-allowed-in-state", &A_SYS, LS,
	    "countdown-expired", NULL);
	no(&f, EB_ERR_STATE, "not-allowed-in-state", &A_SUP, LS,
	    "confirm-sale-result", NULL);
	no(&f, EB_ERR_STATE, "not-allowed-in-state", &A_VER, LS, "verify-sale",
	    "<record", "x", NULL);
	no(&f, EB_ERR_STATE, "not-allowed-in-state", &A_SUP, LS,
	    "resume-sale", NULL);
	/* and the wrong office */
	no(&f, EB_ERR_DENIED, "wrong-role", &A_B1, LS, "confirm-sale-deposit",
	    "bidder", "bidder-b", "amount", "1", NULL);
	no(&f, EB_ERR_DENIED, "wrong-role", &A_SUP, LE, "listing-closed", NULL);
	no(&f, EB_ERR_NOTFOUND, "unknown-command", &A_SUP, LE, "submit-bid",
	    NULL);
	fx_free(&f);
}

/* register-sale: the terms are checked before anything is recorded. */
static void
test_register_validation(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f);
	/* the listing may not end at its start */
	no(&f, EB_ERR_RULE, "empty-listing", &A_SELLER, T0, "register-sale",
	    "<asset", "Plant", "starting-price", I(START), "increment", I(INC),
	    "deposit", "0", "listing-start", T(LS), "listing-end", T(LS),
	    "countdown-seconds", "300", NULL);
	/* nor start before the registration */
	no(&f, EB_ERR_TIME, "listing-in-past", &A_SELLER, LS + 1,
	    "register-sale", "<asset", "Plant", "starting-price", I(START),
	    "increment", I(INC), "deposit", "0", "listing-start", T(LS),
	    "listing-end", T(LE), "countdown-seconds", "300", NULL);
	/* an increment of 0 would let equal amounts through */
	no(&f, EB_ERR_RULE, "out-of-range", &A_SELLER, T0, "register-sale",
	    "<asset", "Plant", "starting-price", I(START), "increment", "0",
	    "deposit", "0", "listing-start", T(LS), "listing-end", T(LE),
	    "countdown-seconds", "300", NULL);
	no(&f, EB_ERR_FORMAT, "missing-field", &A_SELLER, T0, "register-sale",
	    "<asset", "Plant", "starting-price", I(START), "increment", I(INC),
	    "listing-start", T(LS), "listing-end", T(LE),
	    "countdown-seconds", "300", NULL);
	no(&f, EB_ERR_FORMAT, "bad-text", &A_SELLER, T0, "register-sale",
	    "starting-price", I(START), "increment", I(INC), "deposit", "0",
	    "listing-start", T(LS), "listing-end", T(LE),
	    "countdown-seconds", "300", NULL);
	no(&f, EB_ERR_FORMAT, "bad-instant", &A_SELLER, T0, "register-sale",
	    "<asset", "Plant", "starting-price", I(START), "increment", I(INC),
	    "deposit", "0", "listing-start", "2026-12-02", "listing-end", T(LE),
	    "countdown-seconds", "300", NULL);
	no(&f, EB_ERR_DENIED, "wrong-role", &A_SUP, T0, "register-sale",
	    "<asset", "Plant", "starting-price", I(START), "increment", I(INC),
	    "deposit", "0", "listing-start", T(LS), "listing-end", T(LE),
	    "countdown-seconds", "300", NULL);
	state_is(&f, "new");
	/* the defaults: 300 s to declare, 3 days of publicity */
	ok(&f, &A_SELLER, T0, "register-sale",
	    "<asset", "Plant", "starting-price", I(START), "increment", I(INC),
	    "deposit", "0", "listing-start", T(LS), "listing-end", T(LS + 1),
	    "countdown-seconds", "300", NULL);
	assert_int_equal(view_i64(&f, "terms", "declare-seconds"), 300);
	assert_int_equal(view_i64(&f, "terms", "publicity-seconds"), 259200);
	fx_free(&f);
}

/* Applications, deposits, numbers, separation of duties. */
static void
test_applications(void **state)
{
	struct fx f;
	const struct eb_actor reg_as_bidder = { "bidder-x", "p-reg", "X",
		"X", EB_ROLE_BIDDER };
	const struct eb_actor same_person = { "bidder-y", "p-a", "Y", "Y",
		EB_ROLE_BIDDER };
	const struct eb_actor sup_as_reg = { "reg2", "p-sup", "Centre", "S",
		EB_ROLE_REGISTRAR };
	char *s;

	(void)state;
	fx_listing(&f, 1, 0);
	ok(&f, &A_B1, T0 + 4 * HOUR, "apply-for-sale", NULL);
	ok(&f, &A_B2, T0 + 4 * HOUR, "apply-for-sale", NULL);
	ok(&f, &A_B3, T0 + 4 * HOUR, "apply-for-sale", NULL);
	no(&f, EB_ERR_CONFLICT, "already-applied", &A_B1, T0 + 5 * HOUR,
	    "apply-for-sale", NULL);
	no(&f, EB_ERR_DENIED, "two-offices", &reg_as_bidder, T0 + 5 * HOUR,
	    "apply-for-sale", NULL);
	no(&f, EB_ERR_DENIED, "same-person", &same_person, T0 + 5 * HOUR,
	    "apply-for-sale", NULL);
	no(&f, EB_ERR_DENIED, "two-offices", &sup_as_reg, T0 + 5 * HOUR,
	    "confirm-sale-deposit", "bidder", "bidder-b", "amount",
	    I(DEPOSIT), NULL);
	/* a deposit one fen short */
	no(&f, EB_ERR_RULE, "deposit-short", &A_REG, T0 + 5 * HOUR,
	    "confirm-sale-deposit", "bidder", "bidder-b", "amount",
	    I(DEPOSIT - 1), NULL);
	/* numbers in the order of confirmation: B first gets No. 1 */
	ok(&f, &A_REG, T0 + 5 * HOUR, "confirm-sale-deposit",
	    "bidder", "bidder-b", "amount", I(DEPOSIT), NULL);
	ok(&f, &A_REG, T0 + 6 * HOUR, "confirm-sale-deposit",
	    "bidder", "bidder-a", "amount", I(DEPOSIT + 1), NULL);
	ok(&f, &A_REG, T0 + 6 * HOUR, "reject-sale-application",
	    "bidder", "bidder-c", "<reason", "Deposit not received.", NULL);
	no(&f, EB_ERR_CONFLICT, "already-decided", &A_REG, T0 + 7 * HOUR,
	    "confirm-sale-deposit", "bidder", "bidder-c", "amount",
	    I(DEPOSIT), NULL);
	no(&f, EB_ERR_NOTFOUND, "no-application", &A_REG, T0 + 7 * HOUR,
	    "confirm-sale-deposit", "bidder", "bidder-z", "amount",
	    I(DEPOSIT), NULL);
	no(&f, EB_ERR_DENIED, "not-qualified", &A_B3, LS, "quote",
	    "amount", I(START), NULL);
	s = view_attr(&f, &A_SUP, "bidders/bidder", "party");
	assert_string_equal(s, "bidder-b");
	free(s);
	ok(&f, &A_B1, LS, "quote", "amount", I(START), NULL);
	/* A leads, by its own number */
	assert_int_equal(view_i64(&f, "price", "leader"), num_of(&f, "bidder-a"));
	fx_free(&f);
}

/* Bidders see numbers, not names, until the result; officers see all. */
static void
test_pseudonymity(void **state)
{
	struct fx f;
	int64_t end;
	char *s;

	(void)state;
	fx_listing(&f, 812345600, 2);
	case_listing(&f);
	end = case_auction(&f);
	s = view_bytes(f.st, &A_B1);
	assert_non_null(strstr(s, "Alpha Bidder"));       /* itself */
	assert_null(strstr(s, "Beta Bidder"));
	assert_null(strstr(s, "bidder-b"));
	assert_null(strstr(s, "p-b"));
	{
		/* B's number is in the history (its bids), not in a list of
		 * who paid or goes on (issue 14 point 11) */
		char nb[32];

		snprintf(nb, sizeof(nb), "number=\"%lld\"",
		    (long long)num_of(&f, "bidder-b"));
		assert_non_null(strstr(s, nb));
		assert_null(strstr(s, "continuing="));
		/* its own entry only */
		{
			const char *q = s;
			int nbid = 0;

			while ((q = strstr(q, "<bidder ")) != NULL) {
				nbid++;
				q++;
			}
			assert_int_equal(nbid, 1);
		}
	}
	assert_null(strstr(s, "812345600"));               /* the reserve */
	free(s);
	s = view_bytes(f.st, &A_SELLER);
	assert_null(strstr(s, "Alpha Bidder"));
	assert_null(strstr(s, "Beta Bidder"));
	free(s);
	s = view_bytes(f.st, &A_SUP);
	assert_non_null(strstr(s, "Alpha Bidder"));
	assert_non_null(strstr(s, "Beta Bidder"));
	assert_null(strstr(s, "812345600"));
	free(s);
	ok(&f, &A_SYS, end, "countdown-expired", NULL);
	ok(&f, &A_SELLER, end + 1, "reveal-reserve", "fen", "812345600",
	    "salt", SALT, NULL);
	s = view_bytes(f.st, &A_B1);
	assert_null(strstr(s, "Beta Bidder"));             /* not yet */
	free(s);
	ok(&f, &A_SUP, end + 2, "confirm-sale-result", NULL);
	/* the result is public: the winner's name; the loser stays No. 1 */
	s = view_bytes(f.st, &A_SELLER);
	assert_non_null(strstr(s, "Beta Bidder"));
	assert_null(strstr(s, "Alpha Bidder"));
	free(s);
	fx_free(&f);
}

static void
replay_check(struct fx *f)
{
	void *fresh = eb_sale_flow.create(SALE_ID), *folded;
	const struct eb_actor *viewers[] = { &A_SUP, &A_B1, &A_B2, &A_SELLER };
	struct eb_doc *en, *body, *evs, *got;
	struct eb_buf b1 = EB_BUF_INIT, b2 = EB_BUF_INIT;
	struct eb_error err;
	struct eb_cmd c;
	size_t i, n = 0;
	char *x, *y;

	folded = eb_sale_flow.create(SALE_ID);
	eb_doc_foreach(en, f->log, "entry") {
		body = en->first;
		evs = body->next;
		memset(&c, 0, sizeof(c));
		c.body = body;
		snprintf(c.actor.party, sizeof(c.actor.party), "%s",
		    eb_doc_attr(en, "party"));
		snprintf(c.actor.person, sizeof(c.actor.person), "%s",
		    eb_doc_attr(en, "person"));
		snprintf(c.actor.org, sizeof(c.actor.org), "%s",
		    eb_doc_attr(en, "org"));
		snprintf(c.actor.name, sizeof(c.actor.name), "%s",
		    eb_doc_attr(en, "name"));
		assert_int_equal(eb_role_parse(eb_doc_attr(en, "role"),
		    &c.actor.role), EB_OK);
		assert_int_equal(eb_doc_attr_i64(en, "time", &c.time), EB_OK);
		snprintf(c.target, sizeof(c.target), "%s", SALE_ID);
		/* re-executing the command gives the very same events */
		got = NULL;
		assert_int_equal(eb_sale_flow.decide(fresh, &c, &got, &err),
		    EB_OK);
		eb_buf_reset(&b1);
		eb_buf_reset(&b2);
		assert_int_equal(eb_doc_serialize(got, &b1), EB_OK);
		assert_int_equal(eb_doc_serialize(evs, &b2), EB_OK);
		assert_string_equal(eb_buf_str(&b1), eb_buf_str(&b2));
		assert_int_equal(eb_sale_flow.apply(fresh, got, &err), EB_OK);
		eb_doc_free(got);
		/* folding the logged events alone */
		assert_int_equal(eb_sale_flow.apply(folded, evs, &err), EB_OK);
		n++;
	}
	assert_true(n > 0);
	for (i = 0; i < sizeof(viewers) / sizeof(viewers[0]); i++) {
		x = view_bytes(f->st, viewers[i]);
		y = view_bytes(fresh, viewers[i]);
		assert_string_equal(x, y);
		free(y);
		y = view_bytes(folded, viewers[i]);
		assert_string_equal(x, y);
		free(x);
		free(y);
	}
	eb_buf_free(&b1);
	eb_buf_free(&b2);
	eb_sale_flow.destroy(fresh);
	eb_sale_flow.destroy(folded);
}

static void
test_replay(void **state)
{
	struct fx f;
	int64_t end;

	(void)state;
	fx_listing(&f, 800000000, 2);
	case_listing(&f);
	replay_check(&f);                       /* mid-listing */
	end = case_auction(&f);
	ok(&f, &A_SYS, end, "countdown-expired", NULL);
	ok(&f, &A_SELLER, end + 1, "reveal-reserve", "fen", "800000000",
	    "salt", SALT, NULL);
	ok(&f, &A_SUP, end + 2, "confirm-sale-result", NULL);
	replay_check(&f);
	fx_free(&f);
}

/* apply refuses what does not fit: another sale, unknown or misplaced events. */
static void
test_apply_guards(void **state)
{
	struct fx f;
	struct eb_doc *evs, *e;
	struct eb_error err;

	(void)state;
	fx_init(&f);
	evs = eb_doc_new("events");
	eb_doc_set_attr(evs, "sale", "S-OTHER");
	assert_int_equal(eb_sale_flow.apply(f.st, evs, &err), EB_ERR_FORMAT);
	eb_doc_set_attr(evs, "sale", SALE_ID);
	e = eb_doc_add(evs, "sale-bogus");
	eb_doc_set_attr(e, "time", T(T0));
	assert_int_equal(eb_sale_flow.apply(f.st, evs, &err), EB_ERR_FORMAT);
	eb_doc_free(evs);
	/* a well-formed event that does not fit the state */
	evs = eb_doc_new("events");
	e = eb_doc_add(evs, "sale-closed");
	eb_doc_set_attr(e, "time", T(T0));
	eb_doc_set_attr(e, "actor", "reg1");
	eb_doc_set_attr(e, "person", "p-reg");
	eb_doc_set_attr(e, "role", "registrar");
	assert_int_equal(eb_sale_flow.apply(f.st, evs, &err), EB_ERR_INTERNAL);
	assert_string_equal(err.reason, "illegal-transition");
	state_is(&f, "new");
	eb_doc_free(evs);
	fx_free(&f);
}

/* Suspension shifts the pending instants; cancel needs two offices. */
static void
test_suspend_cancel(void **state)
{
	struct fx f;
	int64_t at = 0;
	const char *name = NULL;

	(void)state;
	fx_listing(&f, 1, 2);
	ok(&f, &A_B1, LS, "quote", "amount", I(START), NULL);
	ok(&f, &A_B2, LS + 1, "quote", "amount", I(START + INC), NULL);
	ok(&f, &A_SYS, LE, "listing-closed", NULL);
	ok(&f, &A_B1, LE + 1, "declare-continue", "continue", "yes", NULL);
	ok(&f, &A_B2, LE + 1, "declare-continue", "continue", "yes", NULL);
	ok(&f, &A_SYS, LE + 1, "start-auction", NULL);
	/* suspended 100 s into the countdown, for 10 minutes */
	ok(&f, &A_SUP, LE + 1 + 100 * SEC, "suspend-sale",
	    "<reason", "Network outage at the centre.", NULL);
	state_is(&f, "suspended");
	assert_int_equal(eb_sale_flow.next_timer(f.st, &at, &name), 0);
	no(&f, EB_ERR_STATE, "not-allowed-in-state", &A_B1,
	    LE + 1 + 200 * SEC, "auction-bid", "amount", I(START + 2 * INC),
	    NULL);
	ok(&f, &A_SUP, LE + 1 + 700 * SEC, "resume-sale", NULL);
	state_is(&f, "auction");
	/* 200 s of countdown were left: the end moves to resume + 200 s */
	assert_int_equal(eb_sale_flow.next_timer(f.st, &at, &name), 1);
	assert_true(at == LE + 1 + 900 * SEC);
	ok(&f, &A_B1, LE + 1 + 900 * SEC - 1, "auction-bid",
	    "amount", I(START + 2 * INC), NULL);
	/* cancel: the supervisor asks, the verifier countersigns */
	ok(&f, &A_SUP, LE + DAY, "cancel-sale", "<reason", "Court order.",
	    NULL);
	state_is(&f, "auction");
	no(&f, EB_ERR_CONFLICT, "cancel-pending", &A_SUP, LE + DAY,
	    "cancel-sale", "<reason", "again", NULL);
	no(&f, EB_ERR_DENIED, "wrong-role", &A_SUP, LE + DAY,
	    "countersign-cancel-sale", NULL);
	ok(&f, &A_VER, LE + DAY + 1, "countersign-cancel-sale", NULL);
	state_is(&f, "cancelled");
	no(&f, EB_ERR_STATE, "not-allowed-in-state", &A_SUP, LE + DAY + 2,
	    "suspend-sale", "<reason", "x", NULL);
	replay_check(&f);
	fx_free(&f);
}

/* ---------------------------------------------------------------------- */
/* the case-study script (docs/sale.md, "The case-study script")          */

#define SCRIPT_ACTORS_MAX 16

struct script {
	struct eb_actor actors[SCRIPT_ACTORS_MAX];
	size_t nactors;
	int64_t reserve;
	char salt[EB_SALE_SALT_HEX_MAX + 1];
	int commands, refusals, expects;
};

/* Next token: bare or "quoted"; NULL at the end of the line. */
static char *
token(char **p)
{
	char *s = *p, *t;

	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '\0' || *s == '\n')
		return NULL;
	t = s;
	if (*s == '"') {
		t = ++s;
		while (*s != '\0' && *s != '"')
			s++;
	} else {
		while (*s != '\0' && *s != ' ' && *s != '\t' && *s != '\n') {
			if (*s == '=' && s[1] == '"') {
				/* name="value with spaces" */
				memmove(s + 1, s + 2, strlen(s + 2) + 1);
				s++;
				while (*s != '\0' && *s != '"')
					s++;
				break;
			}
			s++;
		}
	}
	if (*s != '\0')
		*s++ = '\0';
	*p = s;
	return t;
}

static const struct eb_actor *
script_actor(struct script *sc, const char *party)
{
	size_t i;

	for (i = 0; i < sc->nactors; i++)
		if (strcmp(sc->actors[i].party, party) == 0)
			return &sc->actors[i];
	fail_msg("script: unknown actor %s", party);
	return NULL;
}

static void
script_line(struct fx *f, struct script *sc, char *line, int lineno)
{
	char *p = line, *w, *k, *v, *when, *who, *name;
	const char *refuse = NULL;
	struct eb_doc *body;
	int64_t t;
	int rc;

	if ((w = token(&p)) == NULL || w[0] == '#')
		return;
	if (strcmp(w, "sale") == 0) {
		assert_string_equal(token(&p), SALE_ID);
		return;
	}
	if (strcmp(w, "actor") == 0) {
		struct eb_actor *a = &sc->actors[sc->nactors++];

		assert_true(sc->nactors <= SCRIPT_ACTORS_MAX);
		snprintf(a->party, sizeof(a->party), "%s", token(&p));
		assert_int_equal(eb_role_parse(token(&p), &a->role), EB_OK);
		snprintf(a->person, sizeof(a->person), "%s", token(&p));
		snprintf(a->name, sizeof(a->name), "%s", token(&p));
		snprintf(a->org, sizeof(a->org), "%s", token(&p));
		return;
	}
	if (strcmp(w, "reserve") == 0) {
		assert_int_equal(eb_parse_i64(token(&p), &sc->reserve), EB_OK);
		snprintf(sc->salt, sizeof(sc->salt), "%s", token(&p));
		return;
	}
	if (strcmp(w, "expect") == 0) {
		while ((k = token(&p)) != NULL) {
			v = strchr(k, '=');
			assert_non_null(v);
			*v++ = '\0';
			sc->expects++;
			if (strcmp(k, "state") == 0) {
				assert_string_equal(eb_sale_flow.state_name(f->st),
				    v);
			} else if (strcmp(k, "current") == 0) {
				assert_int_equal(view_i64(f, "price", "current"),
				    strtoll(v, NULL, 10));
			} else if (strcmp(k, "leader") == 0) {
				/* leader=@PARTY: that bidder's number */
				assert_int_equal(view_i64(f, "price", "leader"),
				    v[0] == '@' ? num_of(f, v + 1) :
				    strtoll(v, NULL, 10));
			} else if (strcmp(k, "outcome") == 0) {
				char *o = view_attr(f, &A_SUP, "result",
				    "outcome");

				assert_non_null(o);
				assert_string_equal(o, v);
				free(o);
			} else if (strcmp(k, "winner") == 0) {
				assert_int_equal(view_i64(f, "result", "winner"),
				    v[0] == '@' ? num_of(f, v + 1) :
				    strtoll(v, NULL, 10));
			} else {
				fail_msg("line %d: unknown expectation %s",
				    lineno, k);
			}
		}
		return;
	}
	if (strcmp(w, "refuse") == 0) {
		refuse = token(&p);
		when = token(&p);
	} else {
		when = w;
	}
	who = token(&p);
	name = token(&p);
	assert_non_null(when);
	assert_non_null(who);
	assert_non_null(name);
	if (eb_isotime_parse(when, &t) != 0)
		fail_msg("line %d: bad instant %s", lineno, when);
	body = eb_doc_new(name);
	if (strcmp(name, "register-sale") != 0)
		eb_doc_set_attr(body, "sale", SALE_ID);
	while ((k = token(&p)) != NULL) {
		v = strchr(k, '=');
		if (v == NULL) {
			fail_msg("line %d: %s is not name=value", lineno, k);
			return;   /* fail_msg does not return; tells the analyzer */
		}
		*v++ = '\0';
		if (k[0] == '<') {
			size_t n = strlen(k);

			assert_true(n > 2 && k[n - 1] == '>');
			k[n - 1] = '\0';
			eb_doc_add_text(body, k + 1, v);
		} else if (strcmp(v, "@reserve") == 0) {
			char hex[EB_SHA256_HEX];

			assert_int_equal(eb_sale_reserve_hash(SALE_ID,
			    sc->reserve, sc->salt, hex), EB_OK);
			eb_doc_set_attr(body, k, hex);
		} else {
			eb_doc_set_attr(body, k, v);
		}
	}
	rc = submit(f, script_actor(sc, who), t, body);
	if (refuse != NULL) {
		if (rc == EB_OK || strcmp(f->err.reason, refuse) != 0)
			fail_msg("line %d: expected refusal %s, got %d %s",
			    lineno, refuse, rc, f->err.reason);
		sc->refusals++;
	} else if (rc != EB_OK) {
		fail_msg("line %d: %s refused: %s: %s (%s)", lineno, name,
		    f->err.reason, f->err.primary, f->err.detail);
	}
	sc->commands++;
}

static void
test_case_study_script(void **state)
{
	char path[1024], line[2048];
	struct script sc;
	struct fx f;
	FILE *fp;
	int lineno = 0;

	(void)state;
	memset(&sc, 0, sizeof(sc));
	snprintf(path, sizeof(path), "%s/tests/data/sale/case-study.txt",
	    EB_SOURCE_DIR);
	fp = fopen(path, "r");
	if (fp == NULL)
		fail_msg("cannot open %s", path);
	fx_init(&f);
	while (fgets(line, sizeof(line), fp) != NULL)
		script_line(&f, &sc, line, ++lineno);
	fclose(fp);
	/* the script ends closed, sold at 9,400,000.00 to No. 2 */
	state_is(&f, "closed");
	assert_int_equal(view_i64(&f, "result", "price"), 940000000);
	assert_int_equal(view_i64(&f, "result", "winner"), num_of(&f, "bidder-b"));
	assert_int_equal(view_i64(&f, "price", "accepted"), 68);
	assert_true(sc.refusals >= 2);
	assert_true(sc.expects >= 5);
	replay_check(&f);
	fx_free(&f);
}

/* ---------------------------------------------------------------------- */

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * The hot path: decide + apply of auction bids, with the command trees
 * built outside the timing.  A measurement, printed; the assertion is on
 * the outcome (every bid accepted, the price exact).
 */
static void
test_auction_throughput(void **state)
{
	enum { N = 100000 };
	struct fx f;
	struct eb_doc *body;
	struct eb_doc *evs;
	struct eb_cmd c;
	double t0, t1;
	int64_t price = START + INC;
	int k;

	(void)state;
	fx_listing(&f, 1, 2);
	ok(&f, &A_B1, LS, "quote", "amount", I(START), NULL);
	ok(&f, &A_B2, LS + 1, "quote", "amount", I(START + INC), NULL);
	ok(&f, &A_SYS, LE, "listing-closed", NULL);
	ok(&f, &A_B1, LE, "declare-continue", "continue", "yes", NULL);
	ok(&f, &A_B2, LE, "declare-continue", "continue", "yes", NULL);
	ok(&f, &A_SYS, LE, "start-auction", NULL);
	body = eb_doc_new("auction-bid");
	eb_doc_set_attr(body, "sale", SALE_ID);
	memset(&c, 0, sizeof(c));
	c.body = body;
	snprintf(c.target, sizeof(c.target), "%s", SALE_ID);
	t0 = now_s();
	for (k = 1; k <= N; k++) {
		price += INC;
		eb_doc_set_attr_i64(body, "amount", price);
		c.actor = k % 2 ? A_B1 : A_B2;
		c.time = LE + k;
		evs = NULL;
		if (eb_sale_flow.decide(f.st, &c, &evs, &f.err) != EB_OK)
			fail_msg("bid %d refused: %s", k, f.err.primary);
		assert_int_equal(eb_sale_flow.apply(f.st, evs, &f.err), EB_OK);
		eb_doc_free(evs);
	}
	t1 = now_s();
	eb_doc_free(body);
	/* START + INC + N * INC */
	assert_int_equal(view_i64(&f, "price", "current"),
	    START + INC + (int64_t)N * INC);
	print_message("sale: %d auction bids decided and applied in %.3f s: "
	    "%.0f bids/s (one core, core only)\n", N, t1 - t0,
	    (double)N / (t1 - t0));
	fx_free(&f);
}

/*
 * Rules versions (engine/core/cmd.h, docs/audit.md "Rules versions"): a
 * listing that closes without a quote was decided by rules 1 with
 * price="0" leader="0", by rules 2 with neither.  Each version's events
 * replay under that version only (the audit compares byte for byte); 0
 * means the current version; a version the core does not keep is refused
 * (rules-unknown) rather than decided by other rules.
 */
static struct eb_doc *
decide_by(struct fx *f, const struct eb_doc *body, int rules, int expect)
{
	struct eb_doc *evs = NULL;
	struct eb_cmd c;

	memset(&c, 0, sizeof(c));
	c.body = body;
	c.actor = A_SYS;
	snprintf(c.target, sizeof(c.target), "%s", SALE_ID);
	c.time = LE;
	c.rules = rules;
	eb_error_clear(&f->err);
	assert_int_equal(eb_sale_flow.decide(f->st, &c, &evs, &f->err), expect);
	return evs;
}

/*
 * The floor hint (sale.h): a raise eb_sale_hint_refuses() guesses
 * refused is refused on the same state, by the raise rule (below-minimum
 * or already-highest) when its sender is in the race in time.  And it does guess the plain stale prices and the leader's
 * own raises (the hot race's refusals).  'name' in its phase.
 */
static int
guess_vs_decide(struct fx *f, const struct eb_actor *a, int64_t t,
    const char *name, const char *amount)
{
	struct eb_sale_hint h;
	struct eb_doc *body = eb_doc_new(name), *evs = NULL;
	struct eb_cmd c;
	struct eb_error e;
	int guess, rc;

	eb_doc_set_attr(body, "sale", SALE_ID);
	eb_doc_set_attr(body, "amount", amount);
	eb_sale_hint_fill(f->st, &h);
	guess = eb_sale_hint_refuses(&h, body, a->party);
	memset(&c, 0, sizeof(c));
	c.body = body;
	c.actor = *a;
	snprintf(c.target, sizeof(c.target), "%s", SALE_ID);
	c.time = t;
	eb_error_clear(&e);
	rc = eb_sale_flow.decide(f->st, &c, &evs, &e);
	/* never accepted; and for a bidder in the race (A or B, in time)
	 * the very refusal guessed (others: another refusal, which ebidd
	 * answers only after checking the signature) */
	if (guess && (rc == EB_OK || ((a == &A_B1 || a == &A_B2) &&
	    (rc != EB_ERR_RULE || (strcmp(e.reason, "below-minimum") != 0 &&
	    strcmp(e.reason, "already-highest") != 0)))))
		fail_msg("%s %s by %s guessed refused, decided %d %s", name,
		    amount, a->party, rc, e.reason);
	eb_doc_free(evs);
	eb_doc_free(body);
	return guess;
}

static void
test_floor_hint(void **state)
{
	const struct eb_actor *who[] = { &A_B1, &A_B2, &A_B3, &A_SUP };
	struct eb_sale_hint h;
	struct fx f;
	int64_t cur;
	int i, k;

	(void)state;
	fx_listing(&f, 1, 3);
	/* no hint from no state; none before the listing's raise rule */
	eb_sale_hint_fill(NULL, &h);
	assert_int_equal(h.phase, EB_SALE_HINT_NONE);
	eb_sale_hint_fill(f.st, &h);
	assert_int_equal(h.phase, EB_SALE_HINT_LISTING);
	assert_string_equal(h.leader, "");
	assert_int_equal(h.start_price, START);
	/* no leader: below the starting price is stale, at it is not */
	assert_true(guess_vs_decide(&f, &A_B1, LS, "quote", I(START - 1)));
	assert_false(guess_vs_decide(&f, &A_B1, LS, "quote", I(START)));
	/* an auction bid in the listing, a bad amount: no guess */
	assert_false(guess_vs_decide(&f, &A_B1, LS, "auction-bid", I(1)));
	assert_false(guess_vs_decide(&f, &A_B1, LS, "quote", "6e8"));
	assert_false(guess_vs_decide(&f, &A_B1, LS, "quote", "0"));
	assert_false(guess_vs_decide(&f, &A_B1, LS, "quote", "-5"));
	ok(&f, &A_B1, LS, "quote", "amount", I(START), NULL);
	eb_sale_hint_fill(f.st, &h);
	assert_string_equal(h.leader, "bidder-a");
	assert_int_equal(h.current, START);
	assert_int_equal(h.increment, INC);
	/* the leader's own raise over the floor: not guessed (the lead may
	 * change hands before it is decided); under it: already-highest */
	assert_false(guess_vs_decide(&f, &A_B1, LS + 1, "quote",
	    I(START + 9 * INC)));
	assert_int_equal(guess_vs_decide(&f, &A_B1, LS + 1, "quote",
	    I(START)), EB_SALE_GUESS_LEADS);
	assert_int_equal(guess_vs_decide(&f, &A_B2, LS + 1, "quote",
	    I(START)), EB_SALE_GUESS_BELOW);
	/* equal, one fen short: stale; one increment up: not */
	assert_true(guess_vs_decide(&f, &A_B2, LS + 1, "quote", I(START)));
	assert_true(guess_vs_decide(&f, &A_B2, LS + 1, "quote",
	    I(START + INC - 1)));
	assert_false(guess_vs_decide(&f, &A_B2, LS + 1, "quote",
	    I(START + INC)));
	/* a raise pending (checked, not decided yet) lifts the floor of the
	 * guess to it plus the increment; one under the floor changes
	 * nothing (ebidd's guess, not the state's: never filled from it) */
	{
		struct eb_doc *q = eb_doc_new("quote");

		eb_doc_set_attr(q, "sale", SALE_ID);
		eb_sale_hint_fill(f.st, &h);
		assert_int_equal(h.pending, 0);
		h.pending = START + 2 * INC;
		eb_doc_set_attr(q, "amount", I(START + 2 * INC));
		assert_int_equal(eb_sale_hint_refuses(&h, q, "bidder-b"),
		    EB_SALE_GUESS_BELOW);
		eb_doc_set_attr(q, "amount", I(START + 3 * INC - 1));
		assert_int_equal(eb_sale_hint_refuses(&h, q, "bidder-b"),
		    EB_SALE_GUESS_BELOW);
		eb_doc_set_attr(q, "amount", I(START + 3 * INC));
		assert_int_equal(eb_sale_hint_refuses(&h, q, "bidder-b"), 0);
		h.pending = START - INC;
		eb_doc_set_attr(q, "amount", I(START + INC));
		assert_int_equal(eb_sale_hint_refuses(&h, q, "bidder-b"), 0);
		eb_doc_free(q);
	}
	/* a non-multiple above the floor: not-a-multiple, never guessed */
	assert_false(guess_vs_decide(&f, &A_B2, LS + 1, "quote",
	    I(START + INC + 17)));
	/* to 6,950,000.00, No. 2 (bidder-b) leading */
	for (i = 1; i <= 19; i++)
		ok(&f, i % 2 ? &A_B2 : &A_B1, LS + i * 12 * HOUR, "quote",
		    "amount", I(START + (int64_t)i * INC), NULL);
	/* declaring: no raise rule applies */
	ok(&f, &A_SYS, LE, "listing-closed", NULL);
	eb_sale_hint_fill(f.st, &h);
	assert_int_equal(h.phase, EB_SALE_HINT_NONE);
	assert_false(guess_vs_decide(&f, &A_B2, LE + 1, "quote", I(1)));
	ok(&f, &A_B1, LE + MIN, "declare-continue", "continue", "yes", NULL);
	ok(&f, &A_B2, LE + 2 * MIN, "declare-continue", "continue", "yes",
	    NULL);
	ok(&f, &A_SYS, AS, "start-auction", NULL);
	eb_sale_hint_fill(f.st, &h);
	assert_int_equal(h.phase, EB_SALE_HINT_AUCTION);
	assert_string_equal(h.leader, "bidder-b");
	/* a quote in the auction: no guess (the state refuses it) */
	assert_false(guess_vs_decide(&f, &A_B2, AS + 1, "quote", I(1)));
	/* the race: at every step, every bidder (and an officer, and a
	 * bidder who did not go on) at amounts around the floor; the guess
	 * is sound every time, and the plain cases are guessed */
	for (k = 1; k <= 20; k++) {
		cur = 695000000 + (int64_t)(k - 1) * INC;
		for (i = 0; i < 4; i++) {
			const int64_t am[] = { 1, cur - INC, cur, cur + INC - 1,
			    cur + INC, cur + 2 * INC, cur + INC + 1 };

			for (size_t n = 0; n < sizeof(am) / sizeof(am[0]); n++)
				(void)guess_vs_decide(&f, who[i], AS + k * MIN,
				    "auction-bid", I(am[n]));
		}
		/* the leader: already-highest under the floor, no guess
		 * over it; the other: stale at cur */
		assert_int_equal(guess_vs_decide(&f, k % 2 ? &A_B2 : &A_B1,
		    AS + k * MIN, "auction-bid", I(cur)), EB_SALE_GUESS_LEADS);
		assert_false(guess_vs_decide(&f, k % 2 ? &A_B2 : &A_B1,
		    AS + k * MIN, "auction-bid", I(cur + 5 * INC)));
		assert_true(guess_vs_decide(&f, k % 2 ? &A_B1 : &A_B2,
		    AS + k * MIN, "auction-bid", I(cur)));
		assert_false(guess_vs_decide(&f, k % 2 ? &A_B1 : &A_B2,
		    AS + k * MIN, "auction-bid", I(cur + INC)));
		ok(&f, k % 2 ? &A_B1 : &A_B2, AS + k * MIN, "auction-bid",
		    "amount", I(cur + INC), NULL);
	}
	/* after the countdown the raise rule is not what refuses: a stale
	 * amount is still guessed (auction-ended is decided, and ebidd
	 * then checks the signature: commands.c) */
	fx_free(&f);
}

static void
test_rules_versions(void **state)
{
	struct eb_doc *body, *v1, *v2, *v0, *again, *e;
	struct fx f;

	(void)state;
	fx_listing(&f, 700000000, 1);          /* one bidder, no quote */
	body = eb_doc_new("listing-closed");
	eb_doc_set_attr(body, "sale", SALE_ID);
	v1 = decide_by(&f, body, 1, EB_OK);
	v2 = decide_by(&f, body, 2, EB_OK);
	v0 = decide_by(&f, body, 0, EB_OK);
	e = eb_doc_child(v1, "sale-listing-closed");
	assert_non_null(e);
	assert_string_equal(eb_doc_attr(e, "leader"), "0");
	assert_string_equal(eb_doc_attr(e, "price"), "0");
	e = eb_doc_child(v2, "sale-listing-closed");
	assert_non_null(e);
	assert_null(eb_doc_attr(e, "leader"));
	assert_null(eb_doc_attr(e, "price"));
	assert_string_equal(eb_doc_attr(e, "next"), "revealing");
	/* the two versions decide differently; 0 is the current one */
	assert_false(eb_doc_equal(v1, v2));
	assert_true(eb_doc_equal(v0, v2));
	assert_true(EB_RULES_CURRENT >= 2);
	/* a replay by each entry's own version gives its events again */
	again = decide_by(&f, body, 1, EB_OK);
	assert_true(eb_doc_equal(again, v1));
	eb_doc_free(again);
	again = decide_by(&f, body, 2, EB_OK);
	assert_true(eb_doc_equal(again, v2));
	assert_false(eb_doc_equal(again, v1));
	eb_doc_free(again);
	/* a later ebid's version is refused, not decided by other rules */
	assert_null(decide_by(&f, body, EB_RULES_CURRENT + 1, EB_ERR_FORMAT));
	assert_string_equal(f.err.reason, "rules-unknown");
	assert_null(decide_by(&f, body, -1, EB_ERR_FORMAT));
	assert_string_equal(f.err.reason, "rules-unknown");
	/* both shapes apply to the same state (apply needs no version) */
	assert_int_equal(eb_sale_flow.apply(f.st, v1, &f.err), EB_OK);
	state_is(&f, "revealing");
	fx_free(&f);
	fx_listing(&f, 700000000, 1);
	assert_int_equal(eb_sale_flow.apply(f.st, v2, &f.err), EB_OK);
	state_is(&f, "revealing");
	/* with a quote, both versions name the leader and the price */
	eb_doc_free(v1);
	eb_doc_free(v2);
	fx_free(&f);
	fx_listing(&f, 700000000, 1);
	ok(&f, &A_B1, LS + HOUR, "quote", "amount", I(START), NULL);
	v1 = decide_by(&f, body, 1, EB_OK);
	v2 = decide_by(&f, body, 2, EB_OK);
	assert_true(eb_doc_equal(v1, v2));
	assert_string_equal(eb_doc_attr(eb_doc_child(v2, "sale-listing-closed"),
	    "price"), I(START));
	eb_doc_free(v0);
	eb_doc_free(v1);
	eb_doc_free(v2);
	eb_doc_free(body);
	fx_free(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_price_text),
		cmocka_unit_test(test_reserve_hash),
		cmocka_unit_test(test_case_study_sold),
		cmocka_unit_test(test_case_study_no_sale),
		cmocka_unit_test(test_reserve_boundary),
		cmocka_unit_test(test_quote_boundaries),
		cmocka_unit_test(test_raise_at_least),
		cmocka_unit_test(test_floor_hint),
		cmocka_unit_test(test_countdown_boundary),
		cmocka_unit_test(test_single_bidder_and_nobody),
		cmocka_unit_test(test_auction_without_bids),
		cmocka_unit_test(test_reserve_sealing),
		cmocka_unit_test(test_wrong_states),
		cmocka_unit_test(test_register_validation),
		cmocka_unit_test(test_applications),
		cmocka_unit_test(test_pseudonymity),
		cmocka_unit_test(test_replay),
		cmocka_unit_test(test_suspend_cancel),
		cmocka_unit_test(test_apply_guards),
		cmocka_unit_test(test_case_study_script),
		cmocka_unit_test(test_auction_throughput),
		cmocka_unit_test(test_rules_versions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
