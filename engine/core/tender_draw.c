/*
 * engine/core/tender_draw.c
 *    Organization, the expert committee: request-draw (the supervisor's
 *    commitment), draw-experts (DRAW: eb_draw_committee) and the
 *    appointments (a declining expert replaced by eb_draw_replace).
 *
 * Owner: the tender-flow engineer.  Part of the tender state machine:
 * engine/core/tender.c holds the table and decide(), tender_int.h what
 * its files share (docs/tender-flow.md for the flow).
 *
 * Pure: no I/O, no clock, no floating point.
 */
#include "engine/core/tender_int.h"
#include "engine/core/draw.h"

/* ------------------------------------------------------------------ */
/* organization: the expert draw                                        */
/* ------------------------------------------------------------------ */

/*
 * request-draw: the supervisor commits to a secret (SHA-256 of it) and
 * states the seats per specialty; they add up to the committee size.
 */
int
g_request_draw(const struct tender *t, const struct eb_cmd *c,
    struct eb_doc *events, struct eb_error *err)
{
	const char *com = eb_doc_child_text(c->body, "commitment");
	struct eb_doc *x, *e;
	int64_t sum = 0, k, r;
	size_t n = 0;

	if (!is_sha256(com))
		return missing(err, c->body->name, "commitment");
	eb_doc_foreach(x, c->body, "seats") {
		if (!nonblank(eb_doc_attr(x, "specialty")) ||
		    eb_doc_attr_i64(x, "count", &k) != EB_OK || k < 1 ||
		    k > MAX_COMMITTEE ||
		    (eb_doc_attr(x, "reserve") != NULL &&
		    (eb_doc_attr_i64(x, "reserve", &r) != EB_OK || r < 0 ||
		    r > MAX_COMMITTEE)))
			return missing(err, c->body->name,
			    "seats@specialty/@count/@reserve");
		sum += k;
		n++;
	}
	if (n == 0 || sum != t->committee_size)
		return eb_fail(err, EB_ERR_RULE, "seats-mismatch",
		    "Ask for as many seats as the committee size, by specialty.",
		    "%lld seats for a committee of %lld", (long long)sum,
		    (long long)t->committee_size);
	/* avoidance of experts drawn too often (both or neither) */
	if ((eb_doc_attr(c->body, "recent-days") != NULL) !=
	    (eb_doc_attr(c->body, "max-recent") != NULL) ||
	    (eb_doc_attr(c->body, "recent-days") != NULL &&
	    (eb_doc_attr_i64(c->body, "recent-days", &k) != EB_OK || k < 1 ||
	    k > 3660 || eb_doc_attr_i64(c->body, "max-recent", &r) != EB_OK ||
	    r < 1 || r > 1000)))
		return missing(err, c->body->name, "@recent-days and @max-recent");
	e = ev_add(events, "draw-requested", c);
	eb_doc_set_attr(e, "commitment", com);
	eb_doc_set_attr(e, "recent-days", eb_doc_attr(c->body, "recent-days"));
	eb_doc_set_attr(e, "max-recent", eb_doc_attr(c->body, "max-recent"));
	eb_doc_foreach(x, c->body, "seats")
		eb_doc_append(e, eb_doc_clone(x));
	return EB_OK;
}

static int64_t
seats_open(const struct tender *t)
{
	return t->committee_size -
	    (int64_t)count_attr(t->committee, "member", "status", "pending") -
	    (int64_t)count_attr(t->committee, "member", "status", "accepted");
}

/* The <draw-request> of this draw: the requested seats (first draw) or
 * the seats of declined, unreplaced members (later draws); the bidders'
 * and tenderer's organisations; every person who already acted on the
 * tender or sits on its committee is avoided. */
static struct eb_doc *
draw_request(const struct tender *t)
{
	struct eb_doc *q = eb_doc_new("draw-request"), *x, *y;

	eb_doc_set_attr(q, "tender", t->id);
	/* eb_doc_set_attr with NULL leaves them out: no recent-draw rule */
	eb_doc_set_attr(q, "recent-days", eb_doc_attr(t->draw, "recent-days"));
	eb_doc_set_attr(q, "max-recent", eb_doc_attr(t->draw, "max-recent"));
	if (t->state == EB_TS_DRAW_REQUESTED) {
		eb_doc_foreach(x, t->draw, "seats")
			eb_doc_append(q, eb_doc_clone(x));
	} else {
		eb_doc_foreach(x, t->committee, "member") {
			const char *sp = eb_doc_attr(x, "specialty");

			if (!attr_is(x, "status", "declined") ||
			    eb_doc_attr(x, "replaced-by") != NULL || sp == NULL)
				continue;
			y = find_by(q, "seats", "specialty", sp);
			if (y == NULL) {
				y = eb_doc_add(q, "seats");
				eb_doc_set_attr(y, "specialty", sp);
				eb_doc_set_attr(y, "count", "0");
				eb_doc_set_attr(y, "reserve", "0");
			}
			{
				int64_t k = 0;

				(void)eb_doc_attr_i64(y, "count", &k);
				eb_doc_set_attr_i64(y, "count", k + 1);
			}
		}
	}
	eb_doc_foreach(x, t->signups, "sign-up")
		if (eb_doc_attr(x, "org") != NULL &&
		    find_by(q, "bidder-org", "org", eb_doc_attr(x, "org")) ==
		    NULL) {
			y = eb_doc_add_text(q, "bidder-org", eb_doc_attr(x, "org"));
			/* 'org' attribute only to find duplicates above */
			eb_doc_set_attr(y, "org", eb_doc_attr(x, "org"));
		}
	eb_doc_foreach(x, q, "bidder-org")
		eb_doc_set_attr(x, "org", NULL);
	if (t->tenderer_org[0] != '\0')
		eb_doc_add_text(q, "tenderer-org", t->tenderer_org);
	eb_doc_foreach(x, t->actors, "actor")
		eb_doc_set_attr(eb_doc_add(q, "avoid"), "person",
		    eb_doc_attr(x, "person"));
	eb_doc_foreach(x, t->committee, "member")
		eb_doc_set_attr(eb_doc_add(q, "avoid"), "person",
		    eb_doc_attr(x, "person"));
	return q;
}

/*
 * draw-experts carries the supervisor's <reveal> (checked against the
 * draw commitment) and the expert pool's view <pool> (from the pool
 * aggregate).  The core draws: seed = eb_draw_seed(history digest,
 * reveal), committee = eb_draw_committee(pool, request, seed, time).  In
 * draw-requested it seats the whole committee; in evaluation it fills
 * the seats of declined members that no reserve replaced.
 */
int
g_draw(const struct tender *t, const struct eb_cmd *c,
    struct eb_doc *events, struct eb_error *err)
{
	const struct eb_doc *pool = eb_doc_child(c->body, "pool");
	const char *reveal = eb_doc_child_text(c->body, "reveal");
	struct eb_doc *req = NULL, *com = NULL, *m, *x, *e;
	uint8_t head[EB_SHA256_LEN], seed[EB_SHA256_LEN];
	const char *p;
	char hex[EB_SHA256_HEX];
	int64_t want = seats_open(t), n;
	int rc;

	if (pool == NULL)
		return missing(err, c->body->name, "pool");
	if (!nonblank(reveal))
		return missing(err, c->body->name, "reveal");
	if (!eb_draw_check_reveal(eb_doc_attr(t->draw, "commitment"), reveal))
		return eb_fail(err, EB_ERR_RULE, "reveal-mismatch",
		    "Reveal the secret committed with request-draw.",
		    "SHA-256 of the reveal is not the draw commitment");
	if (want <= 0)
		return eb_fail(err, EB_ERR_RULE, "committee-size-mismatch",
		    "Every seat is taken or pending; nothing to draw.",
		    "no open seat on the committee");
	history_digest(t, head);
	if ((rc = eb_draw_seed(head, &reveal, 1, seed)) != EB_OK)
		return eb_fail(err, rc, "bad-reveal", NULL,
		    "the reveal cannot seed the draw");
	req = draw_request(t);
	/* DRAW: eb_draw_committee() plugs in here */
	rc = eb_draw_committee(pool, req, seed, c->time, &com, err);
	eb_doc_free(req);
	if (rc != EB_OK)
		return rc;
	/* what the core checks of any draw, whoever computed it */
	n = (int64_t)eb_doc_count(com, "member");
	if (n != want) {
		eb_doc_free(com);
		return eb_fail(err, EB_ERR_RULE, "committee-size-mismatch",
		    "Draw exactly the open seats of the committee.",
		    "%lld members drawn for %lld open seats", (long long)n,
		    (long long)want);
	}
	eb_doc_foreach(m, com, "member") {
		p = eb_doc_attr(m, "party");
		x = find_by(t->actors, "actor", "person",
		    eb_doc_attr(m, "person"));
		if (p == NULL || member_of(t, p) != NULL || x != NULL ||
		    attr_is(m, "org", t->tenderer_org) ||
		    find_by(t->signups, "sign-up", "org",
		    eb_doc_attr(m, "org")) != NULL) {
			eb_doc_free(com);
			return eb_fail(err, EB_ERR_INTERNAL, "draw-conflict",
			    NULL, "the draw seated %s despite a conflict",
			    p != NULL ? p : "?");
		}
	}
	e = ev_add(events, "experts-drawn", c);
	/* the pool drawn from: ebidd records the appointments there */
	eb_doc_set_attr(e, "pool", eb_doc_attr(pool, "id"));
	eb_hex32(head, hex);
	eb_doc_set_attr(e, "log-head", hex);
	eb_doc_append(e, com);
	return EB_OK;
}

int
g_accept_appt(const struct tender *t, const struct eb_cmd *c,
    struct eb_doc *events, struct eb_error *err)
{
	(void)t;
	(void)err;
	eb_doc_set_attr(ev_add(events, "appointment-accepted", c), "expert",
	    c->actor.party);
	return EB_OK;
}

/*
 * A declining expert is replaced by the next reserve of its specialty
 * (eb_draw_replace); with no reserve left its seat stays open for
 * another draw-experts.
 */
int
g_decline_appt(const struct tender *t, const struct eb_cmd *c,
    struct eb_doc *events, struct eb_error *err)
{
	struct eb_doc *e, *updated = NULL, *m;
	struct eb_error e2;
	int rc = EB_ERR_NOTFOUND;

	eb_error_clear(&e2);
	snprintf(e2.reason, sizeof(e2.reason), "not-in-draw");

	/* DRAW: eb_draw_replace() plugs in here */
	if (t->drawn != NULL &&
	    find_by(t->drawn, "member", "party", c->actor.party) != NULL)
		rc = eb_draw_replace(t->drawn, c->actor.party, &updated, &e2);
	e = ev_add(events, "appointment-declined", c);
	eb_doc_set_attr(e, "expert", c->actor.party);
	copy_reasons(c->body, e);
	if (rc == EB_OK) {
		m = find_by(updated, "member", "replaces", c->actor.party);
		if (m != NULL)
			eb_doc_set_attr(e, "replaced-by", eb_doc_attr(m, "party"));
		eb_doc_append(e, updated);
	} else
		eb_doc_set_attr(e, "replacement", e2.reason);
	return EB_OK;
}
