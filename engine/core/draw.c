/*
 * engine/core/draw.c
 *    The verifiable expert draw: see draw.h for the exact algorithm.
 *
 * Owns nothing beyond one call: candidate arrays are freed before return.
 * Invariant: the output depends only on (pool view, request, seed, now);
 * candidate order is canonical (sorted by party), never the view's order.
 */
#include "draw.h"

#include <stdlib.h>
#include <string.h>

#include "protocol/hash.h"
#include "protocol/mem.h"
#include "protocol/isotime.h"

#define DRAW_MAX_REVEALS 64
#define DRAW_MAX_REVEAL_LEN 1024
#define DRAW_LABEL "ebid-draw"

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int
eb_draw_seed(const uint8_t log_head[32], const char *const *commit_reveals,
    size_t n, uint8_t seed[32])
{
	const char *sorted[DRAW_MAX_REVEALS];
	uint8_t buf[32 + DRAW_MAX_REVEALS * (4 + DRAW_MAX_REVEAL_LEN)];
	size_t i, len, off = 0;

	if (n == 0 || commit_reveals == NULL)
		return EB_ERR_USAGE;
	if (n > DRAW_MAX_REVEALS)
		return EB_ERR_LIMIT;
	for (i = 0; i < n; i++) {
		if (commit_reveals[i] == NULL || commit_reveals[i][0] == '\0')
			return EB_ERR_USAGE;
		if (strlen(commit_reveals[i]) > DRAW_MAX_REVEAL_LEN)
			return EB_ERR_LIMIT;
		sorted[i] = commit_reveals[i];
	}
	qsort(sorted, n, sizeof(*sorted), cmp_str);
	memcpy(buf, log_head, 32);
	off = 32;
	for (i = 0; i < n; i++) {
		len = strlen(sorted[i]);
		buf[off++] = (uint8_t)(len >> 24);
		buf[off++] = (uint8_t)(len >> 16);
		buf[off++] = (uint8_t)(len >> 8);
		buf[off++] = (uint8_t)len;
		memcpy(buf + off, sorted[i], len);
		off += len;
	}
	eb_sha256(buf, off, seed);
	return EB_OK;
}

int
eb_draw_check_reveal(const char *commit_hex, const char *reveal)
{
	char hex[EB_SHA256_HEX];
	size_t i;

	if (commit_hex == NULL || reveal == NULL || strlen(commit_hex) != 64)
		return 0;
	eb_sha256_hex(reveal, strlen(reveal), hex);
	for (i = 0; i < 64; i++) {
		char c = commit_hex[i];

		if (c >= 'A' && c <= 'F')
			c = (char)(c - 'A' + 'a');
		if (c != hex[i])
			return 0;
	}
	return 1;
}

void
eb_draw_stream_init(struct eb_draw_stream *s, const uint8_t seed[32])
{
	memset(s, 0, sizeof(*s));
	memcpy(s->seed, seed, 32);
	s->used = 4;            /* force a block on first use */
}

static uint64_t
stream_word(struct eb_draw_stream *s)
{
	uint8_t in[32 + sizeof(DRAW_LABEL) - 1 + 8];
	uint64_t w = 0;
	unsigned i;

	if (s->used >= 4) {
		memcpy(in, s->seed, 32);
		memcpy(in + 32, DRAW_LABEL, sizeof(DRAW_LABEL) - 1);
		for (i = 0; i < 8; i++)
			in[32 + sizeof(DRAW_LABEL) - 1 + i] =
			    (uint8_t)(s->block >> (56 - 8 * i));
		eb_sha256(in, sizeof(in), s->buf);
		s->block++;
		s->used = 0;
	}
	for (i = 0; i < 8; i++)
		w = (w << 8) | s->buf[s->used * 8 + i];
	s->used++;
	return w;
}

uint64_t
eb_draw_uniform(struct eb_draw_stream *s, uint64_t n)
{
	uint64_t threshold, r;

	if (n <= 1)
		return 0;
	threshold = (0 - n) % n;        /* 2^64 mod n */
	do {
		r = stream_word(s);
	} while (r < threshold);
	return r % n;
}

/* -- committee ------------------------------------------------------- */

static int
has_text_child(const struct eb_doc *req, const char *name, const char *v)
{
	const struct eb_doc *c;

	if (v == NULL)
		return 0;
	eb_doc_foreach(c, req, name)
		if (strcmp(eb_doc_text(c), v) == 0)
			return 1;
	return 0;
}

static int
avoided(const struct eb_doc *req, const char *party, const char *person)
{
	const struct eb_doc *c;
	const char *v;

	eb_doc_foreach(c, req, "avoid") {
		if ((v = eb_doc_attr(c, "person")) != NULL && person != NULL &&
		    strcmp(v, person) == 0)
			return 1;
		if ((v = eb_doc_attr(c, "party")) != NULL && party != NULL &&
		    strcmp(v, party) == 0)
			return 1;
	}
	return 0;
}

/*
 * Appointments of 'e' in (now - days, now].  Returns the count or -1 when
 * an instant is malformed.
 */
static int64_t
recent_count(const struct eb_doc *e, int64_t now, int64_t days)
{
	const struct eb_doc *a;
	int64_t at, n = 0, from = now - days * EB_MS_PER_DAY;

	eb_doc_foreach(a, e, "appointment") {
		const char *t = eb_doc_attr(a, "at");

		if (t == NULL || eb_isotime_parse(t, &at) != 0)
			return -1;
		if (at > from && at <= now)
			n++;
	}
	return n;
}

/*
 * The pool's rating rule (<assessment><draw-rule period-days min-percent
 * max-unexplained/>, pool.h) on expert 'e': its ratings in (now -
 * period-days, now]; "rating-below-threshold" when their mean score (basis
 * points, rounded down) is below min-percent * 100, "unexplained-
 * deviations" when their unexplained deviations add up to more than
 * max-unexplained; NULL when neither (or no rule); "" when malformed.
 */
static const char *
rating_rule(const struct eb_doc *rule, const struct eb_doc *e, int64_t now)
{
	const struct eb_doc *r;
	int64_t days, minp = -1, maxu = -1, at, v, n = 0, sum = 0, un = 0;

	if (rule == NULL)
		return NULL;
	if (eb_doc_attr_i64(rule, "period-days", &days) != EB_OK || days < 1 ||
	    days > 36600 || (eb_doc_attr(rule, "min-percent") != NULL &&
	    eb_doc_attr_i64(rule, "min-percent", &minp) != EB_OK) ||
	    (eb_doc_attr(rule, "max-unexplained") != NULL &&
	    eb_doc_attr_i64(rule, "max-unexplained", &maxu) != EB_OK))
		return "";
	eb_doc_foreach(r, e, "rating") {
		const char *t = eb_doc_attr(r, "at");

		if (t == NULL || eb_isotime_parse(t, &at) != 0 ||
		    eb_doc_attr_i64(r, "score", &v) != EB_OK)
			return "";
		if (at <= now - days * EB_MS_PER_DAY || at > now)
			continue;
		n++;
		sum += v;
		if (eb_doc_attr_i64(r, "unexplained", &v) == EB_OK)
			un += v;
	}
	if (minp >= 0 && n > 0 && sum / n < minp * 100)
		return "rating-below-threshold";
	if (maxu >= 0 && un > maxu)
		return "unexplained-deviations";
	return NULL;
}

/* The conflict reason of expert 'e' for 'req', NULL when none; "" = bad. */
static const char *
conflict_of(const struct eb_doc *e, const struct eb_doc *req, int64_t now,
    int64_t days, int64_t max_recent, const struct eb_doc *rule)
{
	const char *status = eb_doc_attr(e, "status");
	const char *org = eb_doc_attr(e, "org");
	int64_t n;

	if (status == NULL || strcmp(status, "active") != 0)
		return "suspended";
	if (has_text_child(req, "bidder-org", org))
		return "employer-is-bidder";
	if (has_text_child(req, "tenderer-org", org))
		return "employer-is-tenderer";
	if (avoided(req, eb_doc_attr(e, "party"), eb_doc_attr(e, "person")))
		return "avoidance-list";
	if (max_recent > 0) {
		if ((n = recent_count(e, now, days)) < 0)
			return "";
		if (n >= max_recent)
			return "drawn-too-often";
	}
	return rating_rule(rule, e, now);
}

static int
cmp_party(const void *a, const void *b)
{
	const struct eb_doc *x = *(const struct eb_doc *const *)a;
	const struct eb_doc *y = *(const struct eb_doc *const *)b;

	return strcmp(eb_doc_attr(x, "party"), eb_doc_attr(y, "party"));
}

static void
copy_expert(struct eb_doc *dst, const struct eb_doc *e, int64_t order)
{
	static const char *const keys[] = {
		"party", "person", "name", "org", "specialty"
	};
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(*keys); i++)
		eb_doc_set_attr(dst, keys[i], eb_doc_attr(e, keys[i]));
	eb_doc_set_attr_i64(dst, "order", order);
}

/* 1 when 'person' already holds a seat or reserve in 'out'. */
static int
person_taken(const struct eb_doc *out, const char *person)
{
	const struct eb_doc *c;

	eb_doc_foreach(c, out, NULL) {
		const char *p = eb_doc_attr(c, "person");

		if ((strcmp(c->name, "member") == 0 ||
		    strcmp(c->name, "reserve") == 0) && p != NULL &&
		    person != NULL && strcmp(p, person) == 0)
			return 1;
	}
	return 0;
}

/* A free candidate keyed for the one-certificate-per-person pass. */
struct pkey {
	const char *person, *party;
	size_t i;
};

static int
cmp_pkey(const void *a, const void *b)
{
	const struct pkey *x = a, *y = b;
	int c = strcmp(x->person, y->person);

	return c != 0 ? c : strcmp(x->party, y->party);
}

static int
req_i64(const struct eb_doc *d, const char *name, int64_t dflt, int64_t *v,
    struct eb_error *err)
{
	int rc = eb_doc_attr_i64(d, name, v);

	if (rc == EB_ERR_NOTFOUND) {
		*v = dflt;
		return EB_OK;
	}
	if (rc != EB_OK || *v < 0)
		return eb_fail(err, EB_ERR_FORMAT, "bad-draw-request",
		    "Give a non-negative whole number.",
		    "draw request: attribute %s of <%s> is not a valid count",
		    name, d->name);
	return EB_OK;
}

int
eb_draw_committee(const struct eb_doc *pool_view,
    const struct eb_doc *draw_request, const uint8_t seed[32], int64_t now,
    struct eb_doc **committee, struct eb_error *err)
{
	struct eb_doc *out = NULL;
	const struct eb_doc **cand = NULL;
	const char **why = NULL;
	struct pkey *byperson = NULL;
	struct eb_doc *excl = NULL;
	const struct eb_doc *seats, *e;
	struct eb_draw_stream st;
	int64_t days, max_recent, dflt_reserve, count, reserve, short_total = 0;
	size_t ncand, i, k, cap;
	char hex[EB_SHA256_HEX], iso[EB_ISOTIME_LEN];
	int rc = EB_ERR_INTERNAL;

	*committee = NULL;
	if (pool_view == NULL || draw_request == NULL ||
	    strcmp(pool_view->name, "pool") != 0 ||
	    strcmp(draw_request->name, "draw-request") != 0) {
		rc = eb_fail(err, EB_ERR_FORMAT, "bad-draw-request",
		    "Pass the <pool> view and a <draw-request>.",
		    "draw: expected a <pool> view and a <draw-request>");
		goto out;
	}
	if ((rc = req_i64(draw_request, "recent-days", 0, &days, err)) ||
	    (rc = req_i64(draw_request, "max-recent", 0, &max_recent, err)) ||
	    (rc = req_i64(draw_request, "reserve", 0, &dflt_reserve, err)))
		goto out;
	if (days > 36600) {
		rc = eb_fail(err, EB_ERR_FORMAT, "bad-draw-request",
		    "Give a window of at most 100 years.",
		    "draw request: recent-days %lld is too large",
		    (long long)days);
		goto out;
	}
	if (eb_doc_child(draw_request, "seats") == NULL) {
		rc = eb_fail(err, EB_ERR_FORMAT, "bad-draw-request",
		    "State at least one <seats specialty= count=>.",
		    "draw request asks for no seats");
		goto out;
	}
	cap = eb_doc_count(pool_view, "expert");
	cand = eb_calloc(cap + 1, sizeof(*cand));
	why = eb_calloc(cap + 1, sizeof(*why));
	byperson = eb_calloc(cap + 1, sizeof(*byperson));
	out = eb_doc_new("committee");
	excl = eb_doc_new("excluded-list");
	if (eb_doc_attr(draw_request, "tender") != NULL)
		eb_doc_set_attr(out, "tender", eb_doc_attr(draw_request,
		    "tender"));
	eb_hex32(seed, hex);
	eb_doc_set_attr(out, "seed", hex);
	eb_isotime_format(now, iso);
	eb_doc_set_attr(out, "at", iso);
	eb_draw_stream_init(&st, seed);

	eb_doc_foreach(seats, draw_request, "seats") {
		const char *spec = eb_doc_attr(seats, "specialty");

		if (spec == NULL || spec[0] == '\0' ||
		    eb_doc_attr_i64(seats, "count", &count) != EB_OK ||
		    count < 1 || count > 1000) {
			rc = eb_fail(err, EB_ERR_FORMAT, "bad-draw-request",
			    "Each <seats> needs a specialty and a count of 1 "
			    "to 1000.", "draw request: malformed <seats>");
			goto out;
		}
		if ((rc = req_i64(seats, "reserve", dflt_reserve, &reserve,
		    err)) != EB_OK)
			goto out;
		/* The candidates of this specialty, in canonical order. */
		ncand = 0;
		eb_doc_foreach(e, pool_view, "expert") {
			const char *s = eb_doc_attr(e, "specialty");

			if (s == NULL || strcmp(s, spec) != 0)
				continue;
			if (eb_doc_attr(e, "party") == NULL) {
				rc = eb_fail(err, EB_ERR_FORMAT, "bad-pool-view",
				    NULL, "pool view: an expert has no party");
				goto out;
			}
			cand[ncand++] = e;
		}
		qsort(cand, ncand, sizeof(*cand), cmp_party);
		/* Pass 1: conflicts and persons seated for earlier specialties. */
		for (i = 0; i < ncand; i++) {
			why[i] = conflict_of(cand[i], draw_request, now, days,
			    max_recent, eb_doc_path(pool_view,
			    "assessment/draw-rule"));
			if (why[i] != NULL && why[i][0] == '\0') {
				rc = eb_fail(err, EB_ERR_FORMAT, "bad-pool-view",
				    NULL, "pool view: expert %s has a malformed "
				    "appointment or rating, or the rating rule "
				    "is malformed",
				    eb_doc_attr(cand[i], "party"));
				goto out;
			}
			if (why[i] == NULL && person_taken(out,
			    eb_doc_attr(cand[i], "person")))
				why[i] = "already-drawn";
		}
		/* Pass 2: among the free, one certificate per person (the
		 * first by party order); sorted by (person, party). */
		for (i = 0, k = 0; i < ncand; i++) {
			const char *p = eb_doc_attr(cand[i], "person");

			if (why[i] != NULL)
				continue;
			byperson[k].person = p != NULL ? p : "";
			byperson[k].party = eb_doc_attr(cand[i], "party");
			byperson[k++].i = i;
		}
		qsort(byperson, k, sizeof(*byperson), cmp_pkey);
		for (i = 1; i < k; i++)
			if (byperson[i].person[0] != '\0' &&
			    strcmp(byperson[i - 1].person,
			    byperson[i].person) == 0)
				why[byperson[i].i] = "duplicate-person";
		/* Pass 3: record exclusions in party order, keep the free. */
		k = 0;
		for (i = 0; i < ncand; i++) {
			if (why[i] != NULL) {
				struct eb_doc *x = eb_doc_add(excl, "excluded");

				eb_doc_set_attr(x, "party",
				    eb_doc_attr(cand[i], "party"));
				eb_doc_set_attr(x, "specialty", spec);
				eb_doc_set_attr(x, "reason", why[i]);
				continue;
			}
			cand[k++] = cand[i];
		}
		if ((int64_t)k < count) {
			rc = eb_fail(err, EB_ERR_RULE, "not-enough-experts",
			    "Register more experts of this specialty, narrow "
			    "the conflicts or lower the committee size.",
			    "not enough experts of specialty %s", spec);
			eb_error_detail(err, "The draw needs %lld experts of "
			    "specialty %s; %zu of %zu are free of conflicts.",
			    (long long)count, spec, k, ncand);
			goto out;
		}
		/* Partial Fisher-Yates over the k free candidates. */
		for (i = 0; i < k && (int64_t)i < count + reserve; i++) {
			size_t j = i + (size_t)eb_draw_uniform(&st, k - i);
			const struct eb_doc *t = cand[i];
			struct eb_doc *m;

			cand[i] = cand[j];
			cand[j] = t;
			if ((int64_t)i < count) {
				m = eb_doc_add(out, "member");
				copy_expert(m, cand[i], (int64_t)i + 1);
			} else {
				m = eb_doc_add(out, "reserve");
				copy_expert(m, cand[i], (int64_t)i + 1 - count);
			}
		}
		if ((int64_t)k < count + reserve)
			short_total += count + reserve - (int64_t)k;
	}
	if (short_total > 0)
		eb_doc_set_attr_i64(out, "reserve-short", short_total);
	while ((e = excl->first) != NULL) {
		struct eb_doc *x = excl->first;

		eb_doc_detach(x);
		eb_doc_append(out, x);
	}
	/* Canonical child order: members, reserves, exclusions. */
	{
		static const char *const order[] = {
			"member", "reserve", "excluded"
		};
		struct eb_doc *sorted = eb_doc_new("committee"), *c, *nx;
		struct eb_attr *a;

		for (a = out->attrs; a != NULL; a = a->next)
			eb_doc_set_attr(sorted, a->name, a->value);
		for (i = 0; i < 3; i++) {
			for (c = out->first; c != NULL; c = nx) {
				nx = c->next;
				if (strcmp(c->name, order[i]) == 0) {
					eb_doc_detach(c);
					eb_doc_append(sorted, c);
				}
			}
		}
		eb_doc_free(out);
		out = sorted;
	}
	*committee = out;
	out = NULL;
	rc = EB_OK;
out:
	free(cand);
	free(why);
	free(byperson);
	eb_doc_free(excl);
	eb_doc_free(out);
	return rc;
}

int
eb_draw_replace(const struct eb_doc *committee, const char *party,
    struct eb_doc **updated, struct eb_error *err)
{
	struct eb_doc *c = NULL, *m, *r, *ref;
	const char *spec;
	int rc = EB_ERR_INTERNAL;

	*updated = NULL;
	if (committee == NULL || party == NULL) {
		rc = EB_ERR_USAGE;
		goto out;
	}
	c = eb_doc_clone(committee);
	eb_doc_foreach(m, c, "member")
		if (strcmp(eb_doc_attr(m, "party") ? eb_doc_attr(m, "party") :
		    "", party) == 0)
			break;
	if (m == NULL) {
		rc = eb_fail(err, EB_ERR_NOTFOUND, "not-a-member",
		    "Name a current member of the committee.",
		    "%s is not a member of the committee", party);
		goto out;
	}
	spec = eb_doc_attr(m, "specialty");
	eb_doc_foreach(r, c, "reserve")
		if (spec != NULL && eb_doc_attr(r, "specialty") != NULL &&
		    strcmp(eb_doc_attr(r, "specialty"), spec) == 0)
			break;
	if (r == NULL) {
		rc = eb_fail(err, EB_ERR_RULE, "reserve-exhausted",
		    "Request a new draw for this specialty.",
		    "no reserve expert of specialty %s is left",
		    spec ? spec : "?");
		goto out;
	}
	/* The reserve takes the seat (in place), the refusal is recorded. */
	ref = eb_doc_new("refused");
	{
		struct eb_attr *a;

		for (a = m->attrs; a != NULL; a = a->next)
			eb_doc_set_attr(ref, a->name, a->value);
	}
	free(r->name);
	r->name = eb_strdup("member");
	eb_doc_set_attr(r, "order", eb_doc_attr(m, "order"));
	eb_doc_set_attr(r, "replaces", party);
	/* Move r where m was, drop m, append the refusal at the end. */
	eb_doc_detach(r);
	{
		struct eb_doc *tmp = eb_doc_new("committee"), *x, *nx;
		struct eb_attr *a;

		for (a = c->attrs; a != NULL; a = a->next)
			eb_doc_set_attr(tmp, a->name, a->value);
		for (x = c->first; x != NULL; x = nx) {
			nx = x->next;
			eb_doc_detach(x);
			if (x == m) {
				eb_doc_free(x);
				eb_doc_append(tmp, r);
				r = NULL;
			} else
				eb_doc_append(tmp, x);
		}
		eb_doc_append(tmp, ref);
		eb_doc_free(c);
		c = tmp;
	}
	*updated = c;
	c = NULL;
	rc = EB_OK;
out:
	eb_doc_free(c);
	return rc;
}
